"""Dashboard pages: time to listen, first view after start and warm views, each page
against a trivial route of the same app measured in the same run.

Usage: python benchmarks/pages.py [--warm 10] [--attacks DIR] [--pages / /data ...]
For each page a fresh server (uvicorn, loopback, a store of the shared data) is started;
the script times how long it takes to accept connections, the page's first view, then
`--warm` views of the page alternated with the trivial route (/favicon.ico). Ratios are of
medians from that same server. Targets: listening <= 2 s after start, first view <= 1 s,
warm <= 100 ms.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests package
from tests.local import free_port  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NIGHT = "2025-07-04"
TRIVIAL = "/favicon.ico"


def default_pages() -> list[str]:
    from strikescope import events as timeline

    events = timeline.events()
    event = events.loc[(events["date"] - __import__("pandas").Timestamp("2025-08-15")).abs()
                       .idxmin(), "event_id"]
    return ["/", f"/night/{NIGHT}", f"/study?event={event}", "/data", "/defense",
            "/campaign", "/forecast", "/check", f"/brief/{NIGHT}"]


def start(db: Path, port: int) -> tuple[subprocess.Popen, float]:
    """The server and the seconds it took to accept a connection."""
    cmd = [sys.executable, "-m", "uvicorn", "strikescope.web.app:create_app", "--factory",
           "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
           "--no-access-log"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env={**__import__("os").environ, "STRIKESCOPE_DB": str(db)})
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, time.perf_counter() - t0
        except OSError:
            if proc.poll() is not None or time.perf_counter() - t0 > 60:
                raise RuntimeError("the server did not start") from None
            time.sleep(0.005)


def get(client: httpx.Client, url: str) -> float:
    t0 = time.perf_counter()
    r = client.get(url)
    elapsed = time.perf_counter() - t0
    if r.status_code >= 500:
        raise RuntimeError(f"{url}: HTTP {r.status_code}")
    return elapsed


def measure(db: Path, url: str, warm: int) -> dict:
    port = free_port()
    proc, listening = start(db, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            first = get(client, url)
            pairs = [(get(client, url), get(client, TRIVIAL)) for _ in range(warm)]
    finally:
        proc.terminate()
        proc.wait(10)
    page, trivial = (statistics.median(p) for p in zip(*pairs, strict=True))
    return {"listening": listening, "first": first, "warm": page, "trivial": trivial,
            "warm_max": max(p for p, _ in pairs)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--warm", type=int, default=10)
    ap.add_argument("--attacks", type=Path, default=ROOT.parent / "shared" / "data" / "attacks")
    ap.add_argument("--pages", nargs="*")
    args = ap.parse_args()
    import strikescope

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        strikescope.ingest([args.attacks], db=db)
        print(f"{'page':<48} {'listen s':>8} {'first s':>8} {'warm ms':>8} "
              f"{'warm/trivial':>12}")
        listens = []
        for url in args.pages or default_pages():
            m = measure(db, url, args.warm)
            listens.append(m["listening"])
            flag = "" if m["first"] <= 1 and m["warm"] <= 0.1 else "  over target"
            print(f"{url[:48]:<48} {m['listening']:8.2f} {m['first']:8.2f} "
                  f"{m['warm'] * 1000:8.1f} {m['warm'] / m['trivial']:11.1f}x{flag}")
        print(f"listening after start: median {statistics.median(listens):.2f} s; "
              f"trivial route {TRIVIAL} warm for scale; targets: listening <= 2 s, "
              "first view <= 1 s, warm <= 100 ms")


if __name__ == "__main__":
    main()
