"""Load test of the JSON API against a bare FastAPI app serving the same bytes.

Usage: python benchmarks/api.py [--clients 50] [--seconds 6] [--rounds 5] [--settle 10]
                                [--attacks DIR]
Starts the dashboard (`uvicorn`, a free loopback port, a fresh store of the shared data;
`--settle` seconds for its start-up warm-up) and, beside it, the bare app of
`benchmarks/bare.py` answering the same two URLs with the bytes the dashboard gave for
them; then runs `--rounds` pairs of `--seconds` of load, the
dashboard and the bare app alternately (so a busy or drifting machine affects both alike),
each by `--clients` keep-alive connections alternating
GET /api/v1/nights?from=2025-01-01&to=2025-12-31 and GET /api/v1/night/2025-07-04.
Prints each side's requests per second (median and range), p50/p99 latency, errors, and
the ratio dashboard/bare of each pair. Targets: ratio >= 0.9x, p99 < 50 ms, 0 errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np

import strikescope

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests package
from tests.local import free_port  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
URLS = ("/api/v1/nights?from=2025-01-01&to=2025-12-31", "/api/v1/night/2025-07-04")


def start_server(db: Path, port: int, app: str = "strikescope.web.app:create_app",
                 env: dict | None = None) -> subprocess.Popen:
    env = dict(os.environ, STRIKESCOPE_DB=str(db), **(env or {}))
    cmd = [sys.executable, "-m", "uvicorn", app, "--factory", "--app-dir", str(HERE),
           "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
           "--no-access-log"]
    return subprocess.Popen(cmd, env=env)


def wait_ready(base: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if all(httpx.get(base + u, timeout=10).status_code == 200 for u in URLS):
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("server did not become ready")


async def fetch(reader, writer, host: str, url: str) -> int:
    """One keep-alive HTTP/1.1 GET; returns the status. A bare client: httpx's connection
    pool costs more CPU than the server under 50 concurrent connections and would be what
    the benchmark measured."""
    writer.write(f"GET {url} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    await reader.readexactly(length)
    return status


async def client(host: str, port: int, offset: int, until: float, latencies: list,
                 errors: list) -> None:
    reader, writer = await asyncio.open_connection(host, port, limit=2**22)
    i = offset
    try:
        while time.monotonic() < until:
            url = URLS[i % len(URLS)]
            i += 1
            t0 = time.perf_counter()
            try:
                status = await fetch(reader, writer, host, url)
            except (OSError, asyncio.IncompleteReadError, StopIteration) as exc:
                errors.append(f"{url}: {exc!r}")
                reader, writer = await asyncio.open_connection(host, port, limit=2**22)
                continue
            if status != 200:
                errors.append(f"{url}: HTTP {status}")
            else:
                latencies.append(time.perf_counter() - t0)
    finally:
        writer.close()


async def load(port: int, clients: int, seconds: float) -> tuple[list, list, float]:
    latencies: list[float] = []
    errors: list[str] = []
    t0 = time.monotonic()
    await asyncio.gather(*(client("127.0.0.1", port, k, t0 + seconds, latencies, errors)
                           for k in range(clients)))
    return latencies, errors, time.monotonic() - t0


def rate(latencies: list, errors: list, elapsed: float) -> dict:
    ms = np.array(latencies) * 1000
    p50, p99 = (np.percentile(ms, [50, 99]) if len(ms) else (float("nan"),) * 2)
    return {"rps": len(ms) / elapsed, "p50": p50, "p99": p99, "errors": errors}


def spread(values: list[float], unit: str = "") -> str:
    return (f"median {statistics.median(values):,.2f}{unit} "
            f"(range {min(values):,.2f}-{max(values):,.2f})")


def report(ours: list[dict], bare: list[dict], clients: int, seconds: float) -> None:
    """Each side's throughput and latency over the rounds, and the ratio of each pair."""
    for name, runs in (("dashboard", ours), ("bare app ", bare)):
        errors = [e for r in runs for e in r["errors"]]
        print(f"{name} {clients} clients, {len(runs)} x {seconds:g} s: req/s "
              f"{spread([r['rps'] for r in runs])}; p50 {spread([r['p50'] for r in runs])} "
              f"ms; p99 {spread([r['p99'] for r in runs])} ms; {len(errors)} errors")
        for e in errors[:5]:
            print("  error:", e)
    ratios = [a["rps"] / b["rps"] for a, b in zip(ours, bare, strict=True)]
    print(f"ratio dashboard/bare req/s: {spread(ratios, 'x')} "
          "(targets: >= 0.9x, p99 < 50 ms, 0 errors)")


def bodies(base: str, path: Path) -> None:
    """The dashboard's answers to URLS, for the bare app to serve as they are."""
    out = {}
    for url in URLS:
        r = httpx.get(base + url, timeout=30)
        out[url.split("?")[0]] = [r.headers["content-type"], r.text]
    path.write_text(json.dumps(out), encoding="utf-8")


@contextmanager
def served_store(attacks: Path):
    """A fresh store of `attacks` served by uvicorn on a free loopback port; yields
    (base URL, port) once the server answers, and stops it afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        strikescope.ingest([attacks], db=db)
        port = free_port()
        server = start_server(db, port)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base)
            yield base, port
        finally:
            server.terminate()
            server.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=6)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--settle", type=float, default=10,
                    help="seconds left to the start-up warm-up before the load")
    ap.add_argument("--attacks", type=Path, default=ROOT.parent / "shared" / "data" / "attacks")
    args = ap.parse_args()
    with served_store(args.attacks) as (base, port), tempfile.TemporaryDirectory() as tmp:
        answers = Path(tmp) / "bodies.json"
        bodies(base, answers)
        bare_port = free_port()
        bare = start_server(Path(tmp) / "none.duckdb", bare_port, "bare:create_app",
                            {"BENCH_BODIES": str(answers)})
        try:
            wait_ready(f"http://127.0.0.1:{bare_port}")
            time.sleep(args.settle)
            runs: dict[int, list] = {port: [], bare_port: []}
            for _ in range(args.rounds):
                for p in runs:
                    runs[p].append(rate(*asyncio.run(load(p, args.clients, args.seconds))))
        finally:
            bare.terminate()
            bare.wait(10)
    report(runs[port], runs[bare_port], args.clients, args.seconds)


if __name__ == "__main__":
    main()
