"""CLI start-up against `python -c "import pandas"`, measured side by side.

Usage: python benchmarks/startup.py [--runs 9] [--db STORE]
Runs each command as a whole process, alternating with the reference (A B A B ...) so that
a busy or drifting machine affects both alike, and prints the ratio A/B of each pair (wall
and CPU seconds): median and range. Without --db it ingests the shared data into a fresh
temporary store first. Targets: `strikescope --version` <= 0.5x, `strikescope night DATE`
<= 1.2x (`--help` is shown for information).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NIGHT = "2025-07-04"
REFERENCE = [sys.executable, "-c", "import pandas"]
TARGETS = {"--version": 0.5, "--help": None, f"night {NIGHT}": 1.2}


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "strikescope", *args]


def run(cmd: list[str], env: dict) -> tuple[float, float]:
    """(wall, CPU) seconds of one whole process, its children included."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[-500:]}")
    proc.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime


def paired(cmd: list[str], env: dict, runs: int) -> dict[str, list[float]]:
    """Ratios A/B of `runs` alternating pairs, after one warm-up of each."""
    run(cmd, env), run(REFERENCE, env)
    ratios: dict[str, list[float]] = {"wall": [], "cpu": []}
    for _ in range(runs):
        a, b = run(cmd, env), run(REFERENCE, env)
        ratios["wall"].append(a[0] / b[0])
        ratios["cpu"].append(a[1] / b[1])
    return ratios


def summary(values: list[float]) -> str:
    return (f"median {statistics.median(values):.2f}x "
            f"(range {min(values):.2f}-{max(values):.2f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--db", type=Path, help="a built store (default: ingest the shared data)")
    args = ap.parse_args()
    tmp = None
    db = args.db
    if db is None:
        import strikescope

        tmp = Path(tempfile.mkdtemp(prefix="startup-"))
        db = tmp / "store.duckdb"
        strikescope.ingest([ROOT.parent / "shared" / "data" / "attacks"], db=db)
    env = dict(os.environ, STRIKESCOPE_DB=str(db))
    try:
        print(f"reference: python -c 'import pandas'; {args.runs} alternating pairs each")
        for command, target in TARGETS.items():
            ratios = paired(cli(*command.split()), env, args.runs)
            goal = f"; target <= {target}x" if target else ""
            print(f"strikescope {command:<17} wall {summary(ratios['wall'])}, "
                  f"CPU {summary(ratios['cpu'])}{goal}")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
