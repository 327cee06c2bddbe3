"""Time the full walk-forward backtest (2024-07-01 .. 2025-12-31, four models, weekly refits).

Usage: python benchmarks/backtest.py [ATTACKS_DIR]   (default ../shared/data/attacks)
Target: under 15 s on 2 cores.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import strikescope
from strikescope.analysis import forecast as fc

ROOT = Path(__file__).resolve().parents[1]


def main(attacks: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        strikescope.ingest([attacks], db=db)
        t0 = time.perf_counter()
        result = fc.backtest("2024-07-01", "2025-12-31", refit_every=7, db=db)
        elapsed = time.perf_counter() - t0
    print(result.summary())
    n = len(result.records[result.records.target == "drones"])
    print(f"backtest: {elapsed:.1f} s for {n:,} forecasts per target "
          f"({len(fc.MODELS)} models x horizons 1-7), target < 15 s")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared/data/attacks")
