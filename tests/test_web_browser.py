"""End to end: the dashboard in Debian's Chromium (Playwright, headless, no browser download)
against a uvicorn server on a free loopback port, and schemathesis against the schema."""

from __future__ import annotations

import re
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings

from strikescope.web import create_app
from tests.conftest import ROOT, SHARED
from tests.local import CHROMIUM, LAUNCH_ARGS, free_port

SHOTS = ROOT / "artifacts" / "screenshots"
browser_only = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not "
                                  "installed (run scripts/browser.sh)")


@pytest.fixture(scope="module")
def web_app(real_db, tmp_path_factory):
    return create_app(db=real_db, events_file=tmp_path_factory.mktemp("ev") / "ev.csv",
                      alerts_path=SHARED / "alerts")


@pytest.fixture(scope="module")
def server(web_app):
    import uvicorn

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(web_app, host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


def _page(browser, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height})
    p = context.new_page()
    p.errors = []
    p.on("console", lambda m: m.type == "error" and p.errors.append(m.text))
    p.on("pageerror", lambda e: p.errors.append(str(e)))
    return context, p


@pytest.fixture
def page(browser):
    context, p = _page(browser, 1400, 900)
    yield p
    context.close()


@pytest.fixture
def phone(browser):
    """A page 390 px wide, as a phone shows it."""
    context, p = _page(browser, 390, 844)
    yield p
    context.close()


def open_page(page, url: str, name: str, charts: int = 0):
    page.goto(url, wait_until="load")
    if charts:
        # A locator, not wait_for_function: the page's CSP forbids evaluating strings.
        page.locator("[data-rendered]").nth(charts - 1).wait_for(timeout=20_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert page.errors == [], page.errors


def svg_marks(page, selector: str) -> int:
    return page.locator(f"{selector} .main-svg path.point, {selector} .main-svg .bars path, "
                        f"{selector} .heatmaplayer image, {selector} .scatterlayer path").count()


pytestmark = [pytest.mark.browser]


@browser_only
def test_timeline_loads_fast_and_draws_bars_and_events(server, page):
    open_page(page, server + "/", "timeline", charts=1)
    assert svg_marks(page, "#timeline") > 0
    assert page.locator("#timeline .scatterlayer .point").count() > 10  # event markers


@browser_only
def test_clicking_an_event_marker_opens_its_study(server, page):
    open_page(page, server + "/?", "timeline-before-click", charts=1)
    # Plotly picks the clicked point from the mouse position over its drag layer.
    # A marker in the middle of the year: the last ones lack a full window after them.
    markers = page.locator("#timeline .scatterlayer .point")
    box = markers.nth(markers.count() // 2).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(r"/study\?event="), timeout=10_000)
    event_id = page.url.split("event=")[1]
    assert page.locator("text=Event:").count() == 1
    page.wait_for_load_state("load")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "study-from-click.png"), full_page=True)
    assert event_id in page.content()
    if page.locator("#study-error").count() == 0:
        page.locator("#study-charts [data-rendered]").first.wait_for(timeout=30_000)
        assert page.locator("#study-charts .main-svg").count() > 0
        page.screenshot(path=str(SHOTS / "study-from-click.png"), full_page=True)
    assert page.errors == [], page.errors


@browser_only
def test_night_page_shows_tables_and_charts(server, page):
    open_page(page, server + "/night/2025-07-04", "night", charts=2)
    assert "539 drones" in page.inner_text("main")
    assert svg_marks(page, "#classes-chart") > 0
    assert page.locator("#regions-chart .main-svg").count() > 0


@browser_only
def test_study_page_for_an_event(server, page):
    open_page(page, server + "/study?event=2025-02-12-phone_call-rus-usa&n_placebo=200",
              "study")
    text = page.inner_text("main")
    if "not available" in text:
        pytest.skip("study module not available")
    page.wait_for_selector("#study-charts [data-rendered]", timeout=20_000)
    assert page.locator("#study-charts .main-svg").count() > 0
    assert page.errors == []


@browser_only
@pytest.mark.parametrize("path, name", [("/defense", "defense"), ("/forecast", "forecast"),
                                        ("/campaign?from=2025-01-01&to=2025-12-31",
                                         "campaign")])
def test_analysis_pages_load_without_errors(server, page, path, name):
    open_page(page, server + path, name)
    if "not available" not in page.inner_text("main"):
        page.wait_for_selector("[data-rendered]", timeout=30_000)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert page.errors == [], page.errors


@browser_only
def test_forecast_page_fetches_p_massive_after_it_came(server, page):
    """The forecast page comes before P(massive) is computed (a 'computing…' section),
    then the section the page fetched takes that place."""
    page.goto(server + "/forecast?horizon=3", wait_until="load")
    page.get_by_text("Track record:").wait_for(timeout=120_000)
    main = page.inner_text("main")
    assert "computing…" not in main and main.index("P(massive night)") < main.index("CSV")
    assert page.locator("[data-fragment]").count() == 0
    assert page.errors == [], page.errors


@browser_only
def test_data_page_loads_without_errors(server, page):
    open_page(page, server + "/data", "data")
    assert "read = loaded + quarantined" in page.inner_text("main")


@browser_only
def test_claim_check_annotates_a_pasted_article(server, page):
    open_page(page, server + "/check", "check-empty")
    if "not available" in page.inner_text("main"):
        pytest.skip("check module not available")
    article = next((SHARED / "articles").glob("*.md")).read_text(encoding="utf-8")
    page.fill("#article", article)
    page.fill("#published", "2025-07-06")
    page.click("#check-form button")
    page.locator("#check-result > :not(style)").first.wait_for(timeout=30_000)
    assert len(page.inner_text("#check-result")) > 100
    page.screenshot(path=str(SHOTS / "check.png"), full_page=True)
    assert page.errors == [], page.errors


@browser_only
def test_claim_check_keeps_the_site_layout_and_says_plainly_what_is_wrong(server, page):
    open_page(page, server + "/check", "check-empty")
    if "not available" in page.inner_text("main"):
        pytest.skip("check module not available")
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    page.click("#check-form button")
    assert page.inner_text("#check-result") == "Paste the text of an article first."
    page.evaluate("document.getElementById('article').value = 'x'.repeat(200001)")
    page.click("#check-form button")
    assert page.inner_text("#check-result").startswith("The article is too long")
    page.fill("#article", "Russia launched 728 drones overnight, the air force said.")
    page.fill("#published", "2025-07-09")
    page.click("#check-form button")
    page.locator("#check-result .check-result").first.wait_for(timeout=30_000)
    assert page.evaluate("getComputedStyle(document.body).fontFamily") == font
    assert page.locator("nav").count() and "{" not in page.inner_text("#check-result")
    assert page.errors == [], page.errors


STATEMENT = ("У ніч на 9 липня 2025 року противник атакував Україну 728 ударними БпЛА типу "
             "Shahed та імітаторами, а також 13 ракетами: 7 крилатими ракетами Х-101 та 6 "
             "аеробалістичними ракетами Х-47М2 «Кинджал». Станом на 09:00 протиповітряною "
             "обороною знешкоджено 718 повітряних цілей: 296 ударних БпЛА збито, 415 "
             "локаційно втрачені; 7 крилатих ракет Х-101 збито.")


@browser_only
def test_form_results_fit_a_phone_their_tables_scrolling_in_their_own_box(server, phone):
    p = phone
    p.goto(server + "/check", wait_until="load")
    if "not available" not in p.inner_text("main"):
        article = next((SHARED / "articles").glob("*.md")).read_text(encoding="utf-8")
        p.fill("#article", article)
        p.fill("#published", "2025-07-06")
        p.click("#check-form button")
        p.locator("#check-result table").first.wait_for(timeout=60_000)
        SHOTS.mkdir(parents=True, exist_ok=True)
        p.screenshot(path=str(SHOTS / "check-phone.png"), full_page=True)
        assert p.evaluate("document.documentElement.scrollWidth") <= 390
        # the claims keep readable columns: the table is wider than the phone and
        # scrolls inside its box
        box = p.locator("#check-result .table-wrap").first
        assert box.evaluate("b => b.scrollWidth > b.clientWidth")
    p.goto(server + "/parse-report", wait_until="load")
    p.fill("textarea[name=text]", STATEMENT)
    p.click("form button[type=submit]")
    p.wait_for_load_state("load")
    assert "728" in p.inner_text("main")
    p.screenshot(path=str(SHOTS / "statement-phone.png"), full_page=True)
    assert p.evaluate("document.documentElement.scrollWidth") <= 390
    assert p.errors == [], p.errors


@browser_only
def test_row_facets_stay_inside_a_phone(server, phone):
    phone.goto(server + "/rows", wait_until="load")
    rights = phone.locator(".facets a").evaluate_all(
        "links => links.map((a) => a.getBoundingClientRect().right)")
    assert rights and max(rights) <= 390


@browser_only
def test_the_tile_map_on_a_phone_is_as_tall_as_its_square_tiles_need(server, phone):
    # 390 px wide: the map's 9 columns of square tiles need about 180 px for its 5 rows;
    # the height of a wide screen left bands of white above and below them
    phone.goto(server + "/night/2025-07-04", wait_until="load")
    phone.locator("#regions-chart[data-rendered]").wait_for(timeout=60_000)
    box = phone.evaluate("""() => {
        const plot = document.querySelector('#regions-chart')._fullLayout;
        return {height: plot.height, plotH: plot._size.h, plotW: plot._size.w};
    }""")
    assert box["plotH"] <= box["plotW"] * 5 / 9 + 4  # a few px of rounding
    assert box["height"] < 480


# --- schemathesis -------------------------------------------------------------------------


# The schemathesis pytest plugin does not run under this pytest; drive its strategies with
# hypothesis directly, one test per operation.
SCHEMA_OPERATIONS = ["GET /api/v1/nights", "GET /api/v1/night/{date}",
                     "GET /api/v1/night/{date}/{table}", "GET /api/v1/events",
                     "GET /api/v1/events/{event_id}", "POST /api/v1/events",
                     "GET /api/v1/figures/timeline", "GET /api/v1/figures/night/{date}/{name}",
                     "GET /api/v1/study", "GET /api/v1/defense", "GET /api/v1/campaign/{table}",
                     "GET /api/v1/figures/campaign/{name}", "GET /api/v1/figures/timeline.png",
                     "GET /api/v1/forecast", "POST /api/v1/check", "POST /api/v1/ingest",
                     "GET /api/v1/rows", "GET /api/v1/rows/{row_id}",
                     "POST /api/v1/parse-report"]
# A study fits a model per call (seconds), so it gets fewer examples; briefs, backtests and
# study figures are slower still and covered by their own tests.
EXAMPLES = {"GET /api/v1/study": 3, "GET /api/v1/figures/campaign/{name}": 6,
            "GET /api/v1/figures/timeline.png": 5}


@pytest.fixture(scope="module")
def api_operations(web_app):
    schemathesis = pytest.importorskip("schemathesis")
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", web_app)
    return {op.label: op for op in (r.ok() for r in schema.get_all_operations())}


def test_schema_covers_the_tested_operations(api_operations):
    assert set(SCHEMA_OPERATIONS) <= set(api_operations)


@pytest.mark.slow
@pytest.mark.parametrize("label", SCHEMA_OPERATIONS)
def test_api_never_answers_with_a_server_error(api_operations, label):
    from schemathesis.checks import not_a_server_error

    @given(case=api_operations[label].as_strategy())
    @settings(max_examples=EXAMPLES.get(label, 12), deadline=None, derandomize=True,
              database=None, suppress_health_check=list(HealthCheck))
    def run(case):
        if case.query and "n_placebo" in case.query:
            case.query["n_placebo"] = 100  # the placebo count only changes the run time
        case.call_and_validate(checks=[not_a_server_error])

    run()


@browser_only
def test_a_chart_that_cannot_be_drawn_says_why_in_words(server, page):
    # a week is too short for the saturation fit: the page says so in the chart's place,
    # as a sentence (it no longer asks for a chart the API would refuse)
    page.goto(server + "/campaign?from=2025-12-25&to=2025-12-31", wait_until="load")
    notice = page.locator("#saturation-note")
    notice.wait_for(timeout=60_000)
    text = notice.inner_text()
    assert "nights" in text and not text.startswith('"') and "{" not in text
    tiles = page.locator("#regions-chart[data-rendered]")
    tiles.wait_for(timeout=60_000)
    assert page.evaluate("document.querySelector('#regions-chart').data.at(-1).zmin") == 0
