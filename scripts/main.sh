#!/usr/bin/env bash
# The main job: install, ingest the shared data (or the paths given) into the default store,
# print a summary, and serve the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Without arguments the input data is $STRIKESCOPE_DATA, here by default the shared data
# beside the checkout (the tool itself never guesses a data directory).
export STRIKESCOPE_DATA="${STRIKESCOPE_DATA:-$(cd .. && pwd)/shared/data}"
.venv/bin/strikescope ingest "$@"
# Then the dashboard on the same store; it prints its address. Ctrl-C stops it.
exec .venv/bin/strikescope serve --host "${STRIKESCOPE_HOST:-127.0.0.1}" --port "${STRIKESCOPE_PORT:-8000}"
