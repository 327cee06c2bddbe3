#!/usr/bin/env bash
# The whole test suite: install, lint, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/browser.sh
.venv/bin/ruff check src tests benchmarks
.venv/bin/python -m pytest "$@"
