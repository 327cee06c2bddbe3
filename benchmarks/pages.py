"""Dashboard pages: time to listen, first view after start and warm views, each page
against a trivial route of the same app measured in the same run.

Usage: python benchmarks/pages.py [--warm 10] [--settle 30] [--repeat 1] [--attacks DIR]
                                  [--pages ...]
On a fresh store of the shared data (uvicorn, loopback), for each page:
- "fresh": a server started with nothing kept on disk (the store never served), the
  page asked as soon as the server listens (its start-up warm-up has not run), then the
  sections the page loads after it came (`data-fragment`: "+later", the seconds until
  the page is whole); with `--repeat N`, N such servers one after the other, the median
  and range of the N;
- "restart": a server started after one earlier server over the same store ran its
  warm-up for `--settle` seconds, was asked each page once and stopped (the results it
  kept on disk are there), the page asked as soon as it listens; then `--warm` views of
  the page alternated with a trivial route of the same app (/favicon.ico), as medians
  from that server.
The time each server took to accept connections is printed, beside a bare FastAPI app's
measured in the same run. Targets: listening <= 2 s after start, first view <= 1 s, warm
<= 100 ms.
"""

from __future__ import annotations

import argparse
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from html import unescape
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


BARE_APP = "fastapi:FastAPI"  # an empty application: uvicorn and FastAPI alone


def start(db: Path, port: int, app: str = "strikescope.web.app:create_app"
          ) -> tuple[subprocess.Popen, float]:
    """The server and the seconds it took to accept a connection."""
    cmd = [sys.executable, "-m", "uvicorn", app, "--factory",
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
    return fetch(client, url)[0]


def fetch(client: httpx.Client, url: str) -> tuple[float, str]:
    t0 = time.perf_counter()
    r = client.get(url)
    elapsed = time.perf_counter() - t0
    if r.status_code >= 500:
        raise RuntimeError(f"{url}: HTTP {r.status_code}")
    return elapsed, r.text


FRAGMENT = re.compile(r'data-fragment="([^"]+)"')


def sections(client: httpx.Client, html: str) -> float:
    """Seconds to fetch the sections a page loads after it came (`data-fragment`), one
    after another as soon as the page is there."""
    return sum(get(client, unescape(url)) for url in FRAGMENT.findall(html))


def measure(db: Path, url: str, warm: int) -> dict:
    """A server's time to listen, the page's first view as soon as it listens, and the
    medians of `warm` views of the page and of the trivial route, alternated."""
    port = free_port()
    proc, listening = start(db, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            first, html = fetch(client, url)
            later = sections(client, html)
            pairs = [(get(client, url), get(client, TRIVIAL)) for _ in range(warm)]
    finally:
        proc.terminate()
        proc.wait(10)
    page, trivial = (statistics.median(p) for p in zip(*pairs, strict=True)) if pairs \
        else (float("nan"), float("nan"))
    return {"listening": listening, "first": first, "sections": later, "warm": page,
            "trivial": trivial}


def forget(db: Path) -> None:
    """Remove what servers kept on disk beside the store."""
    from strikescope.web.service import DISK_CACHE

    shutil.rmtree(db.parent / DISK_CACHE, ignore_errors=True)


def served_once(db: Path, settle: float, pages: list[str]) -> None:
    """A server that runs its start-up warm-up for `settle` seconds, is asked each page
    once (the visitors before a restart), then stops."""
    port = free_port()
    proc, _ = start(db, port)
    try:
        time.sleep(settle)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            for url in pages:
                get(client, url)
    finally:
        proc.terminate()
        proc.wait(30)


def bare_listening(db: Path) -> float:
    proc, listening = start(db, free_port(), BARE_APP)
    proc.terminate()
    proc.wait(10)
    return listening


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--warm", type=int, default=10)
    ap.add_argument("--attacks", type=Path, default=ROOT.parent / "shared" / "data" / "attacks")
    ap.add_argument("--settle", type=float, default=30)
    ap.add_argument("--repeat", type=int, default=1,
                    help="fresh servers per page: the median and range of their first views")
    ap.add_argument("--pages", nargs="*")
    args = ap.parse_args()
    import strikescope

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        strikescope.ingest([args.attacks], db=db)
        pages = args.pages or default_pages()
        fresh, firsts, fresh_listens = {}, {}, []
        for url in pages:
            runs = []
            for _ in range(args.repeat):
                forget(db)
                runs.append(measure(db, url, 0))
            firsts[url] = [r["first"] for r in runs]
            fresh_listens += [r["listening"] for r in runs]
            fresh[url] = {"first": statistics.median(firsts[url]),
                          "listening": statistics.median(r["listening"] for r in runs),
                          "sections": statistics.median(r["sections"] for r in runs)}
        forget(db)
        served_once(db, args.settle, pages)
        print(f"{'page':<40} {'listen s':>8} {'fresh s':>8} {'fresh range':>11} "
              f"{'+later s':>8} {'restart s':>9} {'warm ms':>8} {'warm/trivial':>12}")
        listens, bare = list(fresh_listens), []
        for url in pages:
            later = measure(db, url, args.warm)
            listens.append(later["listening"])
            bare.append(bare_listening(db))
            over = max(fresh[url]["first"], later["first"]) > 1 or later["warm"] > 0.1
            spread = f"{min(firsts[url]):.2f}-{max(firsts[url]):.2f}"
            print(f"{url[:40]:<40} {fresh[url]['listening']:8.2f} {fresh[url]['first']:8.2f} "
                  f"{spread:>11} {fresh[url]['sections']:8.2f} {later['first']:9.2f} "
                  f"{later['warm'] * 1000:8.1f} "
                  f"{later['warm'] / later['trivial']:11.1f}x{'  over target' * over}")
        ours, theirs = statistics.median(listens), statistics.median(bare)
        print(f"listening after start: median {ours:.2f} s (range {min(listens):.2f}-"
              f"{max(listens):.2f}); a bare FastAPI app {theirs:.2f} s, ratio "
              f"{ours / theirs:.2f}x. Targets: listening <= 2 s, first view <= 1 s, "
              "warm <= 100 ms")


if __name__ == "__main__":
    main()
