#!/usr/bin/env bash
# The main job: install, ingest the shared data (or the paths given) into the default store,
# and print a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "$#" -gt 0 ]; then
    .venv/bin/strikescope ingest "$@"
else
    .venv/bin/strikescope ingest ../shared/data/attacks
fi
