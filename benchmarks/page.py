"""Main-page load time in a real browser (Debian chromium driven by Playwright).

Usage: python benchmarks/page.py [--loads 10] [--attacks DIR]
Starts the dashboard on a free loopback port against a fresh store of the shared data and
times, until the chart has rendered: the first load on the fresh server (its caches still
filling), the first load of a new browser (empty cache) on the warm server, and `--loads`
reloads. Target: the main page loads in under 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from api import ROOT, served_store
from playwright.sync_api import sync_playwright
from tests.local import CHROMIUM, LAUNCH_ARGS

# Largest contentful paint: when the biggest element (the chart, first as the server-drawn
# image, later as the interactive chart) was painted, in seconds from the navigation.
LCP = """() => new Promise((resolve) => {
  new PerformanceObserver((list) => {
    const entries = list.getEntries();
    resolve(entries[entries.length - 1].startTime / 1000);
  }).observe({type: "largest-contentful-paint", buffered: true});
  setTimeout(() => resolve(null), 2000);
})"""


def timed_load(page, url: str, reload: bool) -> tuple[float, float, float | None]:
    """Seconds to the load event, to the interactive chart drawn, and the largest
    contentful paint (the chart first seen)."""
    start = time.monotonic()
    if reload:
        page.reload(wait_until="load")
    else:
        page.goto(url, wait_until="load")
    loaded = time.monotonic() - start
    page.wait_for_selector("[data-rendered]", timeout=30_000)
    drawn = time.monotonic() - start
    return loaded, drawn, page.evaluate(LCP)


def fmt(t: tuple) -> str:
    seen = "n/a" if t[2] is None else f"{t[2]:.2f} s"
    return (f"chart first seen (largest contentful paint) {seen}, load event {t[0]:.2f} s, "
            f"interactive chart {t[1]:.2f} s")


def measure(base: str, loads: int):
    """(first load on a fresh server, first load of a new browser once the server is warm,
    reloads), each as (load event, chart drawn)."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page = browser.new_page()
        fresh_server = timed_load(page, base + "/", reload=False)
        page.close()
        page = browser.new_context().new_page()  # empty browser cache, warm server
        new_browser = timed_load(page, base + "/", reload=False)
        warm = [timed_load(page, base + "/", reload=True) for _ in range(loads)]
        browser.close()
    return fresh_server, new_browser, warm


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loads", type=int, default=10)
    ap.add_argument("--attacks", type=Path, default=ROOT.parent / "shared" / "data" / "attacks")
    args = ap.parse_args()
    with served_store(args.attacks) as (base, _):
        fresh, new_browser, warm = measure(base, args.loads)
    drawn = [t[1] for t in warm]
    print(f"main page, first visit on a fresh server: {fmt(fresh)}")
    print(f"main page, first visit of a new browser (warm server): {fmt(new_browser)}")
    print(f"main page, {len(warm)} reloads: interactive chart in median "
          f"{statistics.median(drawn):.2f} s, worst {max(drawn):.2f} s; load event worst "
          f"{max(t[0] for t in warm):.2f} s")
    print("target: the main page loads in under 1 s")


if __name__ == "__main__":
    main()
