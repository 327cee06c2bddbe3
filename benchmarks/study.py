"""Placebo engine speed: 10,000 placebo sets x all events x 4 windows, vectorised (numpy,
cumulative sums) against a straightforward per-date Python loop computing the same
statistics from the same pseudo-dates. Prints both times and the ratio; asserts they agree.

    .venv/bin/python benchmarks/study.py [--db STORE]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

import strikescope
from strikescope.analysis import study as st

N_PLACEBO = 10_000


def vectorised(y: np.ndarray, pos: np.ndarray, windows, seed: int) -> list[np.ndarray]:
    return [st.placebo_distribution(y, pos, w, N_PLACEBO, seed) for w in windows]


def loop(y: np.ndarray, pos: np.ndarray, windows, seed: int) -> list[np.ndarray]:
    """The same draws, one pseudo-date at a time, window sums by slicing a list."""
    values = y.tolist()
    out = []
    for w in windows:
        rng = np.random.default_rng(seed)
        cands = st.valid_positions(len(y), w)
        pools = st.matched_pools(st.local_level(y), pos, cands)
        pick = rng.integers(0, pools.shape[1], size=(N_PLACEBO, len(pos)))
        stats = []
        for row in pick:
            total = 0.0
            for e, k in enumerate(row):
                p = int(pools[e, k])
                before = sum(values[p - w : p])
                after = sum(values[p + 1 : p + 1 + w])
                total += math.log((after + st.SMOOTH) / (before + st.SMOOTH))
            stats.append(total / len(row))
        out.append(np.array(stats))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    nights = strikescope.nights(db=args.db)
    events = st.load_events()
    y = st.metric_data(nights, "drones").values
    index = y.index
    pos = np.unique(index.get_indexer(events["date"]))
    pos = pos[(pos >= max(st.WINDOWS)) & (pos < len(index) - max(st.WINDOWS))]
    values = y.to_numpy(float)
    fast = vectorised(values, pos, st.WINDOWS, 0)  # warm-up: imports and caches
    t0 = time.perf_counter()
    fast = vectorised(values, pos, st.WINDOWS, 0)
    t_fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    slow = loop(values, pos, st.WINDOWS, 0)
    t_slow = time.perf_counter() - t0
    for a, b in zip(fast, slow, strict=True):
        assert np.allclose(a, b, rtol=1e-9, atol=1e-12), "vectorised and loop disagree"
    print(
        f"{N_PLACEBO:,} placebo sets x {len(pos)} event dates x {len(st.WINDOWS)} windows "
        f"({len(values):,} nights)"
    )
    print(f"vectorised: {t_fast:.3f} s   loop: {t_slow:.2f} s   ratio: {t_slow / t_fast:.0f}x")
    assert t_fast < 1.0, "target: under 1 s"
    assert t_slow / t_fast >= 50, "target: at least 50x faster than the loop"


if __name__ == "__main__":
    main()
