"""Reads under a flood of checks: 40 concurrent 8 KB `POST /api/v1/check` while cached reads
run, on loopback.

Usage: python benchmarks/hostile.py [--checks 40] [--kb 8] [--readers 4] [--seconds 10]
Starts `uvicorn` (as benchmarks/api.py) against a fresh store of the shared data, measures
the p99 of cached reads idle for `--seconds`, then again while `--checks` checks of a
`--kb` KB article are sent at once. Prints both p99s, their ratio and every check's status.
Targets: loaded p99 < 10x idle p99; every check answered (200, or refused: 413/429/503).
Then times the checker itself on a 2 KB and a 16 KB article (target: ratio <= 10).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api import ROOT, load, served_store  # noqa: E402

ARTICLE = ROOT.parent / "shared" / "data" / "articles" / \
    "2025-07-06-russia-strikes-kyiv-after-talks.md"


def article(kb: int) -> str:
    text = ARTICLE.read_text(encoding="utf-8")
    return (text * (kb * 1024 // len(text) + 1))[: kb * 1024]


async def flood(base: str, checks: int, kb: int) -> Counter:
    text = article(kb)
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:
        answers = await asyncio.gather(
            *(client.post("/api/v1/check", json={"text": text}) for _ in range(checks)),
            return_exceptions=True)
    return Counter(a.status_code if isinstance(a, httpx.Response) else type(a).__name__
                   for a in answers)


async def loaded(base: str, port: int, args) -> tuple[list, list, float, Counter]:
    checks = asyncio.create_task(flood(base, args.checks, args.kb))
    await asyncio.sleep(0.2)
    latencies, errors, elapsed = await load(port, args.readers, args.seconds)
    return latencies, errors, elapsed, await checks


def p99(latencies: list) -> float:
    return float(np.percentile(np.array(latencies) * 1000, 99)) if latencies else float("nan")


def checker_ratio(attacks: Path) -> None:
    import tempfile

    import strikescope
    from strikescope.check import check

    tmp = tempfile.TemporaryDirectory()
    db = Path(tmp.name) / "check.duckdb"
    strikescope.ingest([attacks], db=db)
    check(article(1), db=db)  # imports and the first store read, out of the timing
    times = {}
    for kb in (2, 16):
        start = time.perf_counter()
        check(article(kb), db=db)
        times[kb] = time.perf_counter() - start
    print(f"checker: 2 KB {times[2]:.2f} s, 16 KB {times[16]:.2f} s, ratio "
          f"{times[16] / times[2]:.1f} (target <= 10)")
    tmp.cleanup()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checks", type=int, default=40)
    ap.add_argument("--kb", type=int, default=8)
    ap.add_argument("--readers", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--attacks", type=Path, default=ROOT.parent / "shared" / "data" / "attacks")
    args = ap.parse_args()
    with served_store(args.attacks) as (base, port):
        time.sleep(5)  # the start-up work (cache warming, check workers) done first
        idle, idle_errors, _ = asyncio.run(load(port, args.readers, args.seconds))
        lat, errors, _, statuses = asyncio.run(loaded(base, port, args))
    ratio = p99(lat) / p99(idle)
    print(f"cached reads: idle p99 {p99(idle):.1f} ms ({len(idle):,} requests), under "
          f"{args.checks} checks of {args.kb} KB p99 {p99(lat):.1f} ms ({len(lat):,}), "
          f"ratio {ratio:.1f} (target < 10); read errors {len(idle_errors) + len(errors)}")
    print(f"checks: {dict(statuses)} (target: only 200, 413, 429, 503)")
    checker_ratio(args.attacks)


if __name__ == "__main__":
    main()
