"""Load test of the JSON API: 50 concurrent clients for 30 s on loopback.

Usage: python benchmarks/api.py [--clients 50] [--seconds 30] [--attacks DIR]
Starts `uvicorn` in a separate process on a free port against a fresh store of the shared
data, warms it, then alternates GET /api/v1/nights?from=2025-01-01&to=2025-12-31 and
GET /api/v1/night/2025-07-04. Prints throughput, p50/p99 latency and errors.
Target: p99 < 50 ms, 0 errors.
"""

from __future__ import annotations

import argparse
import asyncio
import os
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
URLS = ("/api/v1/nights?from=2025-01-01&to=2025-12-31", "/api/v1/night/2025-07-04")


def start_server(db: Path, port: int) -> subprocess.Popen:
    env = dict(os.environ, STRIKESCOPE_DB=str(db))
    cmd = [sys.executable, "-m", "uvicorn", "strikescope.web.app:create_app", "--factory",
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


def report(latencies: list, errors: list, elapsed: float, clients: int) -> None:
    ms = np.array(latencies) * 1000
    p50, p99 = (np.percentile(ms, [50, 99]) if len(ms) else (float("nan"),) * 2)
    print(f"{clients} clients, {elapsed:.1f} s: {len(ms):,} requests, "
          f"{len(ms) / elapsed:,.0f} req/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
          f"{len(errors)} errors (target: p99 < 50 ms, 0 errors)")
    for e in errors[:5]:
        print("  error:", e)


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
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--attacks", type=Path, default=ROOT.parent / "shared" / "data" / "attacks")
    args = ap.parse_args()
    with served_store(args.attacks) as (_, port):
        report(*asyncio.run(load(port, args.clients, args.seconds)), args.clients)

if __name__ == "__main__":
    main()
