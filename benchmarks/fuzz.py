"""Fuzz the ingest with thousands of mutated slices of the real releases.

The property of tests/test_fuzz.py (rules in tests/fuzzing.py), run for many more examples:
prints the examples run, how many files loaded, were skipped or were rejected (by reason),
the mutations seen, the failures and the time. Exits 1 on a failure.

    .venv/bin/python benchmarks/fuzz.py [--examples 3000] [--seed N] [--store-every 500]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests package

from tests.fuzzing import REBUILD, mutated_files, run_case  # noqa: E402

from strikescope.store import Store  # noqa: E402


class Stores:
    """A fresh store every `every` examples: each file ingested grows the store, and with it
    the time of every later ingest and rebuild."""

    def __init__(self, tmp: Path, every: int):
        self.tmp, self.every, self.n, self.store = tmp, every, 0, None

    def next(self) -> Store:
        if self.n % self.every == 0:
            self.close()
            self.store = Store(self.tmp / f"fuzz{self.n}.duckdb")
        self.n += 1
        return self.store

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store.path.unlink(missing_ok=True)


def run(examples: int, seed_value: int | None, store_every: int) -> int:
    outcomes: Counter[str] = Counter()
    mutations: Counter[str] = Counter()
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        stores = Stores(Path(tmp), store_every)

        @settings(max_examples=examples, deadline=None, database=None, print_blob=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=mutated_files(), rebuild=REBUILD)
        def fuzz(case, rebuild):
            outcomes["(examples run)"] += 1
            outcomes[run_case(stores.next(), Path(tmp), case, rebuild)] += 1
            mutations.update(case[1][1:])

        if seed_value is not None:
            fuzz = seed(seed_value)(fuzz)
        start = time.perf_counter()
        try:
            fuzz()
        except BaseException as exc:  # noqa: BLE001 - every failure is reported, then exit 1
            if isinstance(exc, KeyboardInterrupt):
                raise
            failures.append("".join(traceback.format_exception(exc, limit=-3)))
        elapsed = time.perf_counter() - start
        stores.close()
    _print(outcomes, mutations, failures, elapsed)
    return 1 if failures else 0


def _print(outcomes: Counter, mutations: Counter, failures: list[str], elapsed: float) -> None:
    total = outcomes.pop("(examples run)", 0)
    print(f"examples run: {total:,} in {elapsed:.1f} s ({total / max(elapsed, 1e-9):.1f}/s; "
          "after a failure, the shrinking reruns are included)")
    for outcome, n in sorted(outcomes.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {outcome:<40} {n:>6,}")
    print("mutations applied: " + ", ".join(f"{k} {v:,}" for k, v in mutations.most_common()))
    print(f"failures: {len(failures)}")
    for text in failures:
        print(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--store-every", type=int, default=500,
                        help="examples per store (default 500)")
    args = parser.parse_args()
    sys.exit(run(args.examples, args.seed, args.store_every))


if __name__ == "__main__":
    main()
