"""Truth sweep: every night of a store, its night-page figures and its brief, checked
against the invariants of tests/sweep.py; then the same over a copy of the data made to
look like later months (2025 shifted a year, unseen model strings, optional columns blank).

Usage: python benchmarks/sweep.py [--db STORE] [--nights N] [--no-briefs] [--weeks]
                                  [--events] [--no-later | --no-store] [--later-all]
                                  [--show 20]
The later-months store is swept from its added year on (the nights before are the shared
data's, swept first) unless --later-all.
Without --db, a store is ingested from the shared data into a temporary folder. Prints the
violations by check (and the first --show of them), the nights and briefs swept, and the
time per night and per brief as ratios to one read of the nightly series (`api.nights`)
measured in the same run (medians and ranges). Exit status 1 when any violation is found.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests package
from tests.conftest import SHARED  # noqa: E402
from tests.sweep import SweepResult, later_months, sweep  # noqa: E402

import strikescope  # noqa: E402


def baseline(store, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        strikescope.nights(db=store)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def report(name: str, res: SweepResult, base: float, wall: float, show: int) -> None:
    print(f"== {name}: {res.nights} nights, {res.briefs} briefs ({res.not_made} not made), "
          f"{len(res.product)} violation(s) ({len(res.violations) - len(res.product)} "
          f"facts of the data); whole sweep {wall / base:,.0f}x one read "
          "of the nightly series")
    for what, times in res.seconds.items():
        ratios = [t / base for t in times]
        print(f"   per {what}: median {statistics.median(ratios):.1f}x the nightly series "
              f"read (range {min(ratios):.1f}-{max(ratios):.1f}x, n={len(ratios)})")
    for check, n in res.counts().most_common():
        print(f"   {n:5d}  {check}")
    for v in res.violations[:show]:
        print(f"   - {v}")


def run(db: Path, args, name: str, since=None) -> SweepResult:
    with strikescope.open(db) as store:
        base = baseline(store)
        nights = None
        if args.nights:
            series = strikescope.nights(db=store)
            nights = list(series.loc[series.total_launched > 0, "night"]
                          .sample(args.nights, random_state=0).sort_values())
        t0 = time.perf_counter()
        res = sweep(store, nights, weeks=args.weeks, events=args.events,
                    briefs=not args.no_briefs, since=since,
                    progress=lambda text: print(f"   {name}: {text}", file=sys.stderr,
                                                flush=True))
        wall = time.perf_counter() - t0
    report(name, res, base, wall, args.show)
    print(f"   (nightly series read: {base * 1000:.0f} ms in this run)", flush=True)
    return res


def later_store(tmp: Path) -> Path:
    data = tmp / "later"
    shutil.copytree(SHARED / "attacks", data)
    current = data / "missile_attacks_daily.csv"
    added = later_months(SHARED / "attacks" / "missile_attacks_daily.csv", current)
    print(f"later months: {added} rows of 2025 copied into 2026", flush=True)
    db = tmp / "later.duckdb"
    strikescope.ingest([data], db=db)
    return db


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", type=Path, help="a store to sweep (default: a fresh ingest)")
    p.add_argument("--nights", type=int, default=0, help="a sample of N nights, not all")
    p.add_argument("--no-briefs", action="store_true")
    p.add_argument("--weeks", action="store_true", help="also the brief of every ISO week")
    p.add_argument("--events", action="store_true", help="also the brief of every event")
    p.add_argument("--no-later", action="store_true", help="skip the later-months store")
    p.add_argument("--no-store", action="store_true", help="only the later-months store")
    p.add_argument("--later-all", action="store_true",
                   help="every night of the later-months store, not only the added year")
    p.add_argument("--show", type=int, default=20)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        db = args.db
        if db is None:
            db = tmp / "store.duckdb"
            strikescope.ingest([SHARED / "attacks"], db=db)
        found = 0 if args.no_store else len(run(db, args, "store").product)
        if not args.no_later:
            since = None if args.later_all else "2026-01-01"
            found += len(run(later_store(tmp), args, "later months", since).product)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
