"""CLI start-up against `python -c "import pandas"`, measured side by side; the
dashboard's time to listen against `python -c "import fastapi"`.

Usage: python benchmarks/startup.py [--runs 9] [--db STORE] [--only serve]
Runs each command as a whole process, alternating with the reference (A B A B ...) so that
a busy or drifting machine affects both alike, and prints the ratio A/B of each pair (wall
and CPU seconds): median and range. `strikescope serve` is timed from its start until its
port accepts a connection, alternated with `import fastapi` (wall seconds). Without --db
it ingests the shared data into a fresh temporary store first. Targets: `strikescope
--version` <= 0.5x, `strikescope night DATE` <= 1.2x (`--help` is shown for information),
`strikescope serve` listening <= 2 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
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
SERVE_REFERENCE = [sys.executable, "-c", "import fastapi"]
SERVE_TARGET_S = 2.0


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


def listening(env: dict) -> float:
    """Seconds from starting `strikescope serve` until its port accepts a connection."""
    sys.path.insert(0, str(ROOT))  # the tests package
    from tests.local import free_port

    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen(cli("serve", "--port", str(port)), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return time.perf_counter() - start
            except OSError:
                if proc.poll() is not None or time.perf_counter() - start > 60:
                    raise RuntimeError("strikescope serve did not start") from None
                time.sleep(0.005)
    finally:
        proc.terminate()
        proc.wait(30)


def serve_pairs(env: dict, runs: int) -> tuple[list[float], list[float]]:
    """Times to listen of `runs` starts, and their ratios to `import fastapi` alternated
    with them, after one warm-up of each."""
    listening(env), run(SERVE_REFERENCE, env)
    times, ratios = [], []
    for _ in range(runs):
        ours, reference = listening(env), run(SERVE_REFERENCE, env)[0]
        times.append(ours)
        ratios.append(ours / reference)
    return times, ratios


def summary(values: list[float]) -> str:
    return (f"median {statistics.median(values):.2f}x "
            f"(range {min(values):.2f}-{max(values):.2f})")


def cli_ratios(env: dict, runs: int) -> None:
    print(f"reference: python -c 'import pandas'; {runs} alternating pairs each")
    for command, target in TARGETS.items():
        ratios = paired(cli(*command.split()), env, runs)
        goal = f"; target <= {target}x" if target else ""
        print(f"strikescope {command:<17} wall {summary(ratios['wall'])}, "
              f"CPU {summary(ratios['cpu'])}{goal}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--db", type=Path, help="a built store (default: ingest the shared data)")
    ap.add_argument("--only", choices=["cli", "serve"], help="one part of the benchmark")
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
        if args.only != "serve":
            cli_ratios(env, args.runs)
        if args.only != "cli":
            times, ratios = serve_pairs(env, args.runs)
            print(f"strikescope serve, until it listens: {summary(times).replace('x', ' s')}"
                  f"; against python -c 'import fastapi' {summary(ratios)}; target <= "
                  f"{SERVE_TARGET_S:g} s")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
