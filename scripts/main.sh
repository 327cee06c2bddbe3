#!/usr/bin/env bash
# The main job: install, ingest the shared data (or the paths given) into the default store,
# and print a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Without arguments the data directory is $STRIKESCOPE_DATA or ../shared/data.
.venv/bin/strikescope ingest "$@"
