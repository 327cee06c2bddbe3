"""Incremental rebuild benchmark: an ingest that changes 5 rows, in stores of x1, x10 and
x100 the real release (the copies of `benchmarks/ingest.py`).

Each store gets the replicated release; then, round after round, every store takes a small
release of its last ten days with 5 rows' launched counts changed (a new count each round,
so that no file repeats one already ingested), through `strikescope.ingest` (staged copy,
ingest, update of the touched nights, checkpoint, fsync, rename). The x100 store also takes
one through the same staged path with every night rebuilt (the way before), and one of each
kind without the staged copy (the store open, as a long-running writer holds it), to show
what the copy and its fsync cost. The stores take their turns within each round, so that
a busy spell of the machine falls on all of them. Prints medians and ranges, and the ratios
x100 / x1 and incremental / full rebuild at x100.

    .venv/bin/python benchmarks/incremental.py [--rounds 7] [--scales 1 10 100]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

import strikescope
from strikescope.atomic import staged
from strikescope.rules import nights as night_rules
from strikescope.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import DEFAULT_SOURCE, replicate  # noqa: E402

CHANGED = 5
TAIL_DAYS = 10


def ingest_into(store, paths):
    """`Store.ingest` and the rebuild of the nights it touched, as `strikescope.ingest` does."""
    reports = store.ingest(paths)
    night_rules.after_ingest(store, reports)
    return reports


def tail_release(path: Path) -> pd.DataFrame:
    """The rows of the replicated release whose window ends in its last `TAIL_DAYS` days,
    as text: a release of that period that changes nothing yet."""
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    end = pd.to_datetime(rows["time_end"].str.strip(), format="mixed", errors="coerce")
    return rows[end >= end.max().normalize() - pd.Timedelta(days=TAIL_DAYS)].reset_index(
        drop=True)


def edited(tail: pd.DataFrame, shift: int, out: Path) -> Path:
    """`tail` with the launched count of its first `CHANGED` rows raised by `shift`."""
    rows = tail.copy()
    count = pd.to_numeric(rows["launched"], errors="coerce")
    picked = rows.index[count.notna()][:CHANGED]
    rows.loc[picked, "launched"] = (count[picked].astype(int) + shift).astype(str)
    rows.to_csv(out, index=False)
    return out


def staged_ingest(db: Path, path: Path, full: bool) -> strikescope.store.IngestReport:
    """`strikescope.ingest`'s path, with the nights updated or all rebuilt."""
    with staged(db) as stage, Store(stage) as store:
        [report] = ingest_into(store, [path])
        night_rules.rebuild_store(store) if full else night_rules.update_store(store)
    return report


def open_ingest(store: Store, path: Path, full: bool) -> strikescope.store.IngestReport:
    """An ingest into a store held open: no staged copy, no fsync."""
    [report] = ingest_into(store, [path])
    night_rules.rebuild_store(store) if full else night_rules.update_store(store)
    return report


def timed(fn, path: Path) -> float:
    t0 = time.perf_counter()
    report = fn(path)
    took = time.perf_counter() - t0
    assert report.changed == CHANGED, report.summary()
    return took


def spread(times: list[float]) -> str:
    return f"{statistics.median(times):6.3f} s ({min(times):.3f}-{max(times):.3f})"


def ratio(a: list[float], b: list[float]) -> str:
    """Median of the per-round ratios, with their range: each pair shares a round."""
    r = [x / y for x, y in zip(a, b, strict=True)]
    return f"{statistics.median(r):5.2f}x ({min(r):.2f}-{max(r):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    args = parser.parse_args()
    scales, top = args.scales, max(args.scales)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        dbs, tails = {}, {}
        for k in scales:
            path = tmp / f"x{k}.csv"
            rows = replicate(args.source, k, path)
            dbs[k] = tmp / f"x{k}.duckdb"
            strikescope.ingest([path], db=dbs[k], nights="now")
            tails[k] = tail_release(path)
            path.unlink()
            print(f"x{k:<4} store: {rows:>9,} rows, {dbs[k].stat().st_size / 1e6:6.1f} MB; "
                  f"each change: a release of {len(tails[k])} rows, {CHANGED} changed",
                  flush=True)
        times: dict[str, list[float]] = {}
        shift = 0

        def run(name: str, k: int, fn) -> None:
            """Time `fn` on a new change of the x`k` store's last days."""
            nonlocal shift
            shift += 1
            path = edited(tails[k], shift, tmp / f"change-{shift}.csv")
            times.setdefault(name, []).append(timed(fn, path))
            path.unlink()

        for _ in range(args.rounds):
            for k in scales:
                run(f"x{k} incremental", k, lambda p, k=k: strikescope.ingest([p], db=dbs[k])[0])
            run(f"x{top} full rebuild", top, lambda p: staged_ingest(dbs[top], p, True))
        with Store(dbs[scales[0]]) as small, Store(dbs[top]) as big:
            for _ in range(args.rounds):
                run(f"x{scales[0]} incremental, store open", scales[0],
                    lambda p: open_ingest(small, p, False))
                run(f"x{top} incremental, store open", top, lambda p: open_ingest(big, p, False))
                run(f"x{top} full rebuild, store open", top, lambda p: open_ingest(big, p, True))
    print(f"\n{CHANGED} rows changed, {args.rounds} rounds; median (range):")
    for name, t in times.items():
        print(f"  {name:<36} {spread(t)}")
    base = scales[0]
    opened = {k: times[f"{k}, store open"] for k in
              (f"x{base} incremental", f"x{top} incremental", f"x{top} full rebuild")}
    lines = [(f"x{k} / x{base} incremental ingest",
              times[f"x{k} incremental"], times[f"x{base} incremental"]) for k in scales[1:]]
    lines += [
        (f"x{top} incremental / full rebuild",
         times[f"x{top} incremental"], times[f"x{top} full rebuild"]),
        (f"store open: x{top} / x{base} incremental",
         opened[f"x{top} incremental"], opened[f"x{base} incremental"]),
        (f"store open: x{top} incremental / full",
         opened[f"x{top} incremental"], opened[f"x{top} full rebuild"]),
    ]
    print("ratios, per round (median, range):")
    for name, a, b in lines:
        print(f"  {name:<36} {ratio(a, b)}")

if __name__ == "__main__":
    main()
