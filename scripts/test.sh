#!/usr/bin/env bash
# The whole test suite: install, lint, type-check, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/browser.sh
.venv/bin/ruff check src tests benchmarks
.venv/bin/mypy src
# -m "" lifts the default selection (pyproject: the fast suite): slow and browser tests too.
.venv/bin/python -m pytest -m "" "$@"
