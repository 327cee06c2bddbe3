"""Every page in Debian's Chromium at a desktop and a phone width: no console error, no
sideways page scroll on the phone, and every chart titled, sourced and with axis titles.
Screenshots go to artifacts/screenshots/layout/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_web_browser import (  # noqa: F401
    browser,
    browser_only,
    phone,
    server,
    web_app,
)

pytestmark = [pytest.mark.browser]
SHOTS = ROOT / "artifacts" / "screenshots" / "layout"
PAGES = {
    "timeline": "/",
    "night": "/night/2025-07-04",
    "night-national": "/night/2025-06-03?policy=national",
    "defense": "/defense",
    "campaign": "/campaign?from=2025-01-01&to=2025-12-31",
    # too short for the saturation fit: said on the page, with no request failing
    "campaign-week": "/campaign?from=2025-12-20&to=2025-12-26",
    "forecast": "/forecast",
    "data": "/data",
    "check": "/check",
    "study": "/study?event=2025-02-12-phone_call-rus-usa&n_placebo=200",
    "api-docs": "/api/docs",
    "rows": "/rows?night=2025-07-04",
    "briefs": "/briefs",
    "brief": "/brief/2025-07-04",
    "study-default": "/study",
    "statement": "/parse-report",
}
WIDTHS = {"desktop": (1440, 900), "phone": (390, 844)}

# What each drawn chart says about itself: title, source line, titles of the visible axes.
CHART_FACTS = """() => [...document.querySelectorAll('.js-plotly-plot')].map((el) => {
  // Titles as the figure gives them: plotly's full layout fills a placeholder for any
  // axis without one.
  const full = el._fullLayout;
  const text = (t) => (typeof t === 'string' ? t : (t && t.text) || '');
  const axes = Object.keys(full).filter((k) => /^[xy]axis\\d*$/.test(k) && full[k].visible);
  return {id: el.id || '?', title: text(el.layout.title),
          source: full.title.subtitle ? full.title.subtitle.text : '',
          untitled: axes.filter((k) => !text((el.layout[k] || {}).title))};
})"""
SOURCE = "Air Force of the Armed Forces of Ukraine"


def wait_for_charts(page) -> None:
    expected = page.locator("[data-figure], [data-table-chart]").count()
    if expected:
        page.locator("[data-rendered]").nth(expected - 1).wait_for(timeout=60_000)
    if page.locator("[data-figures]").count() and page.locator("#study-error").count() == 0:
        page.locator("[data-figures] [data-rendered]").first.wait_for(timeout=60_000)


@browser_only
@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("name", list(PAGES))
def test_page_fits_and_every_chart_explains_itself(server, browser, name, width):  # noqa: F811
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h})
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(server + PAGES[name], wait_until="load")
        wait_for_charts(page)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}-{w}.png"), full_page=True)
        assert errors == [], errors
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= page.evaluate("innerWidth"), f"{name}: page {scroll} px wide"
        for chart in page.evaluate(CHART_FACTS):
            assert chart["title"], chart
            assert SOURCE in chart["source"].replace("<br>", " "), chart
            assert chart["untitled"] == [], chart
    finally:
        context.close()


@browser_only
def test_api_docs_render_offline_and_try_it_out_works(server, browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    # Offline: any request off the server's own origin fails the test.
    outside = []
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        server) else (outside.append(route.request.url), route.abort()))
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(server + "/api/docs", wait_until="load")
        page.locator(".opblock").first.wait_for(timeout=20_000)
        assert page.locator(".opblock").count() >= 20
        op = page.locator('.opblock:has(.opblock-summary-path[data-path="/api/v1/night/{date}"])')
        op.locator(".opblock-summary").click()
        op.locator(".try-out__btn").click()
        op.locator('tr[data-param-name="date"] input').fill("2025-07-04")
        op.locator(".execute").click()
        live = op.locator(".live-responses-table", has_text="539 drones")
        live.wait_for(timeout=20_000)
        codes = live.locator("tr.response td.response-col_status").all_inner_texts()
        assert [c.split()[0] for c in codes] == ["200"], codes
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "api-docs-try-it-out.png"), full_page=False)
        assert errors == [] and outside == [], (errors, outside)
    finally:
        context.close()


@browser_only
def test_chart_downloads_carry_title_and_source(server, browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(server + "/night/2025-07-04", wait_until="load")
        page.locator("#classes-chart[data-rendered]").wait_for(timeout=20_000)
        tools = page.locator("#classes-chart + .chart-tools")
        with page.expect_download() as info:
            tools.locator("button[data-format=svg]").click()
        svg = Path(info.value.path()).read_text(encoding="utf-8")
        assert info.value.suggested_filename.endswith(".svg")
        assert "Night ending 2025-07-04" in svg and SOURCE in svg
        with page.expect_download() as info:
            tools.locator("button[data-format=png]").click()
        assert Path(info.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        context.close()


@browser_only
def test_row_browser_keeps_its_view_in_the_url_and_back_works(server, phone):  # noqa: F811
    page = phone
    page.goto(server + "/rows?night=2025-07-04", wait_until="load")
    page.locator("#facet-class").get_by_role("link", name="ballistic", exact=True).click()
    page.wait_for_url("**/rows?night=2025-07-04&class=ballistic")
    assert page.locator("#rows-table tbody tr").count() == 2
    page.fill("input[name=q]", "kn-23")
    page.click("#rows-form button[type=submit]")
    page.wait_for_url("**q=kn-23**")
    assert "from=" not in page.url  # empty fields stay out of the URL
    assert page.locator("#rows-table tbody tr").count() == 1
    assert "Iskander-M/KN-23" in page.inner_text("#rows-table")
    page.go_back()
    page.wait_for_url("**/rows?night=2025-07-04&class=ballistic")
    assert page.locator("#rows-table tbody tr").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@browser_only
def test_timeline_range_is_in_the_url_and_back_restores_it(server, browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        page.goto(server + "/", wait_until="load")
        page.locator("#timeline[data-rendered]").wait_for(timeout=20_000)
        first = page.input_value("#from")
        page.fill("#from", "2025-06-01")
        page.fill("#to", "2025-06-30")
        page.click("#range button[type=submit]")
        page.wait_for_url("**/?from=2025-06-01&to=2025-06-30")
        assert "to=2025-06-30" in page.get_attribute("#csv", "href")
        page.go_back()
        for _ in range(50):  # popstate redraws; the CSP forbids wait_for_function
            if page.input_value("#from") == first:
                break
            page.wait_for_timeout(100)
        assert page.url == server + "/"
        assert page.input_value("#from") == first
        assert "to=2025-06-30" not in page.get_attribute("#csv", "href")
        # The URL alone opens the same range.
        page.goto(server + "/?from=2025-06-01&to=2025-06-30", wait_until="load")
        assert page.input_value("#from") == "2025-06-01"
        assert "from=2025-06-01" in page.get_attribute("#timeline", "data-figure")
    finally:
        context.close()


@browser_only
def test_charts_refit_when_the_window_narrows(server, browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        page.goto(server + "/night/2025-07-04", wait_until="load")
        page.locator("#classes-chart[data-rendered]").wait_for(timeout=20_000)
        title = "document.querySelector('#classes-chart').layout.title.text"
        assert "<br>" not in page.evaluate(title)
        page.set_viewport_size({"width": 390, "height": 844})
        for _ in range(50):
            if "<br>" in page.evaluate(title):
                break
            page.wait_for_timeout(100)
        assert "<br>" in page.evaluate(title)  # the title wraps to the phone's width
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


@browser_only
def test_tile_map_puts_its_colour_bar_under_the_map_on_a_phone(server, browser):  # noqa: F811
    bars = {}
    for width, (w, h) in WIDTHS.items():
        context = browser.new_context(viewport={"width": w, "height": h})
        page = context.new_page()
        try:
            page.goto(server + PAGES["campaign"], wait_until="load")
            page.locator("#regions-chart[data-rendered]").wait_for(timeout=60_000)
            bars[width] = page.evaluate("""() => {
              const el = document.querySelector('#regions-chart');
              const heat = el._fullData.filter((t) => t.type === 'heatmap' && t.showscale);
              const map = el.querySelector('.nsewdrag').getBoundingClientRect();
              return {orientation: heat[0].colorbar.orientation, font: heat[0].textfont.size,
                      share: map.width / el.getBoundingClientRect().width};
            }""")
        finally:
            context.close()
    assert bars["desktop"]["orientation"] == "v"  # the desktop map as it was
    assert bars["phone"]["orientation"] == "h"
    # plotly sizes tile labels to the tile on a desktop ("auto"); on a phone that spilled
    assert bars["desktop"]["font"] == "auto" and bars["phone"]["font"] <= 9
    assert bars["phone"]["share"] > 0.85  # the map takes the width the bar had


@browser_only
def test_brief_charts_fit_a_phone_whole(server, phone):  # noqa: F811
    page = phone
    page.goto(server + "/brief/2025-07-04/document", wait_until="load")
    page.locator(".js-plotly-plot").nth(1).wait_for(timeout=60_000)
    for chart in page.evaluate(CHART_FACTS):
        assert chart["title"] and chart["untitled"] == [], chart
        assert SOURCE in chart["source"].replace("<br>", " "), chart
    # every title and the plot inside the screen, none cut at its edge
    boxes = page.evaluate("""() => [...document.querySelectorAll(
        '.js-plotly-plot .gtitle, .js-plotly-plot .main-svg')].map((e) => {
          const r = e.getBoundingClientRect(); return [r.left, r.right]; })""")
    assert boxes and all(left >= 0 and right <= 390 for left, right in boxes), boxes
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
