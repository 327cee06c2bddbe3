"""The JSON API and pages, in process (no browser): data, validation, CSV, auth, headers."""

from __future__ import annotations

import io
import sys

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from strikescope.web import create_app
from strikescope.web.frames import frame_csv, frame_json
from strikescope.web.service import LRU, region_counts
from tests.conftest import SHARED

ALERTS = SHARED / "alerts"


@pytest.fixture(scope="module")
def client(real_db, tmp_path_factory):
    events = tmp_path_factory.mktemp("events") / "user_events.csv"
    app = create_app(db=real_db, events_file=events, alerts_path=ALERTS)
    return TestClient(app)


@pytest.fixture
def writer(real_db, tmp_path):
    app = create_app(db=real_db, token="s3cret", events_file=tmp_path / "ev.csv",
                     alerts_path=ALERTS)
    return TestClient(app)


# --- hand-built cases -----------------------------------------------------------------


def test_region_counts_counts_rows_per_named_region():
    rows = pd.DataFrame({
        "counted": [True, True, False],
        "launched": [10, 4, 99],
        "affected_region": ['["Kyiv", "Odesa oblast"]', "Kyiv", '["Lviv"]'],
    })
    out = region_counts(rows).set_index("region_id")
    # kyiv_city: rows 1 and 2 -> 2 reports; odesa: row 1 -> 1; Lviv only in the row that
    # did not count -> absent. No launches per region: row 1's 10 are not Kyiv's nor Odesa's.
    assert out.loc["kyiv_city", "reports"] == 2 and out.loc["odesa", "reports"] == 1
    assert out.loc["kyiv_city", "region"] == "Kyiv"
    assert "launched" not in out.columns
    assert "lviv" not in out.index


def test_region_counts_empty():
    rows = pd.DataFrame({"counted": [], "launched": [], "affected_region": []})
    assert region_counts(rows).empty


def test_frame_json_and_csv_round_trip_dates_and_lists():
    df = pd.DataFrame({"night": pd.to_datetime(["2025-07-04"]), "n": [3],
                       "sources": [["a", "b"]]})
    assert frame_json(df) == b'[{"night":"2025-07-04","n":3,"sources":["a","b"]}]'
    back = pd.read_csv(io.BytesIO(frame_csv(df)))
    assert back.loc[0, "sources"] == "a;b" and back.loc[0, "n"] == 3


def test_lru_evicts_least_recently_used():
    cache, calls = LRU(2), []
    make = lambda k: lambda: calls.append(k) or k  # noqa: E731
    cache.get("a", make("a"))
    cache.get("b", make("b"))
    cache.get("a", make("a"))  # hit: a becomes newest
    cache.get("c", make("c"))  # evicts b
    cache.get("b", make("b"))  # miss again
    assert calls == ["a", "b", "c", "b"]


# --- nights, night, events --------------------------------------------------------------


def test_nights_2025_is_dense_and_matches_the_headline(client):
    r = client.get("/api/v1/nights", params={"from": "2025-01-01", "to": "2025-12-31"})
    assert r.status_code == 200
    rows = r.json()
    assert len(rows) == 365 and rows[0]["night"] == "2025-01-01"
    july4 = next(x for x in rows if x["night"] == "2025-07-04")
    assert (july4["drones_launched"], july4["missiles_launched"]) == (539, 11)


def test_nights_csv_download(client):
    r = client.get("/api/v1/nights", params={"from": "2025-07-01", "to": "2025-07-31",
                                             "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    df = pd.read_csv(io.StringIO(r.text))
    assert len(df) == 31
    assert df.loc[df.night == "2025-07-04", "total_launched"].item() == 550


def test_nights_one_class(client):
    r = client.get("/api/v1/nights", params={"from": "2025-07-04", "to": "2025-07-04",
                                             "class": "cruise"})
    assert r.status_code == 200
    assert r.json()[0]["launched"] == 4


@pytest.mark.parametrize("params, fragment", [
    ({"from": "2025-02-01", "to": "2025-01-01"}, "after"),
    ({"from": "2025-13-01"}, "date"),
    ({"class": "laser"}, "class"),
    ({"format": "xml"}, "format"),
])
def test_nights_rejects_bad_input_with_a_clear_4xx(client, params, fragment):
    r = client.get("/api/v1/nights", params=params)
    assert r.status_code == 422
    assert fragment in r.text


def test_night_detail(client):
    body = client.get("/api/v1/night/2025-07-04").json()
    assert body["totals"]["drones_launched"] == 539
    classes = {c["weapon_class"]: c["launched"] for c in body["classes"]}
    assert classes["ballistic"] == 6 and classes["cruise"] == 4
    assert "kyiv_city" in {r["region_id"] for r in body["regions"]}
    assert len(body["sources"]) == 2


def test_night_policy_national_counts_the_national_statement_alone(client):
    combined = client.get("/api/v1/night/2025-06-03").json()
    national = client.get("/api/v1/night/2025-06-03", params={"policy": "national"}).json()
    assert combined["totals"]["missiles_launched"] == 1  # a Kinzhal only the south reported
    assert national["totals"]["missiles_launched"] == 0
    assert national["totals"]["drones_launched"] == 112 and national["policy"] == "national"
    rows = client.get("/api/v1/nights", params={"from": "2025-06-02", "to": "2025-06-03",
                                                "policy": "national"}).json()
    assert [r["total_launched"] for r in rows] == [84, 112]
    assert client.get("/api/v1/nights", params={"policy": "bogus"}).status_code == 422
    page = client.get("/night/2025-06-03", params={"policy": "national"})
    assert page.status_code == 200 and "national reports only" in page.text


def test_night_tables_and_missing_night(client):
    csv = client.get("/api/v1/night/2025-07-04/classes", params={"format": "csv"})
    assert "strike_drone" in csv.text
    shelter = client.get("/api/v1/night/2024-07-04/shelter").json()
    assert shelter and all(0 <= s["hours_under_alert"] <= s["night_hours"] for s in shelter)
    assert client.get("/api/v1/night/2025-07-04/bogus").status_code == 404
    assert client.get("/api/v1/night/2021-01-01").status_code == 404
    assert client.get("/api/v1/night/not-a-date").status_code == 422


def test_events_filter_and_csv(client):
    r = client.get("/api/v1/events", params={"type": "phone_call", "actors": "usa,rus"})
    rows = r.json()
    assert rows and all(e["type"] == "phone_call" for e in rows)
    assert all({"USA", "RUS"} <= set(e["actors"]) for e in rows)
    one = client.get(f"/api/v1/events/{rows[0]['event_id']}").json()
    assert one["title"] == rows[0]["title"]
    assert client.get("/api/v1/events", params={"actors": "US"}).status_code == 422
    assert client.get("/api/v1/events/nope").status_code == 404
    csv = client.get("/api/v1/events", params={"format": "csv"})
    assert csv.text.startswith("event_id,")


def test_timeline_figure_has_bars_and_event_markers(client):
    fig = client.get("/api/v1/figures/timeline",
                     params={"from": "2025-01-01", "to": "2025-12-31"}).json()
    bars = [t for t in fig["data"] if t["type"] == "bar"]
    markers = [t for t in fig["data"] if t.get("meta") == "events"]
    assert bars and markers
    assert all(x.startswith("2025") for x in markers[0]["x"])


# --- analyses from the optional modules --------------------------------------------------


def test_study_for_one_event(client):
    event = client.get("/api/v1/events", params={"type": "phone_call",
                                                 "from": "2025-01-01"}).json()[0]
    r = client.get("/api/v1/study", params={"event": event["event_id"], "n_placebo": 200})
    if r.status_code == 501:
        pytest.skip(r.json()["detail"])
    assert r.status_code == 200, r.text
    assert r.json()["verdict"]
    figs = client.get("/api/v1/study/figures", params={"event": event["event_id"],
                                                       "n_placebo": 200}).json()
    assert figs and all("data" in f for f in figs.values())


def test_missing_package_gives_501_naming_it(client, monkeypatch):
    """A package an analysis imports and that is not installed: 501 with its name (a
    strikescope module that fails to import is a bug, a 500: see test_errors)."""
    # scipy.special: imported by the walk-forward models, which the forecast loads when
    # it first runs one (the forecast module itself imports no scientific library)
    monkeypatch.delitem(sys.modules, "strikescope.analysis.walkforward", raising=False)
    monkeypatch.setitem(sys.modules, "scipy.special", None)
    r = client.get("/api/v1/forecast", params={"horizon": 3, "as_of": "2025-07-01"})
    assert r.status_code == 501 and "scipy" in r.json()["detail"]


def test_check_needs_text(client):
    assert client.post("/api/v1/check", json={"text": ""}).status_code == 422


def test_check_returns_an_embeddable_fragment(client):
    text = ("Russia launched 728 drones and 13 missiles overnight, the air force said on "
            "Wednesday.\n\nPublished: 2025-07-09\n")
    data = client.post("/api/v1/check", json={"text": text}).json()
    first = data["table"][0]
    assert first["label"] == "supported" and first["night"] == "2025-07-09"
    html = data["html"]
    assert "<body" not in html and "<html" not in html and 'class="check-result"' in html
    css = html.split("<style>")[1].split("</style>")[0]
    selectors = [s.strip() for rule in css.split("}") if "{" in rule
                 for s in rule.split("{")[0].split(",")]
    assert selectors and all(s.startswith(".check-result") for s in selectors)


def test_check_marks_a_ukrainian_articles_figures(client):
    text = ("У ніч на 9 липня росіяни атакували Україну 728 ударними БпЛА, повідомили "
            "Повітряні сили ЗСУ. Збито 296 ударних БпЛА, ще 415 локаційно втрачені.\n\n"
            "Published: 2025-07-09\n")
    data = client.post("/api/v1/check", json={"text": text}).json()
    counts = {row["text"].split()[0]: row for row in data["table"] if row["type"] == "count"}
    assert set(counts) == {"728", "296", "415"}
    assert counts["415"]["measure"] == "lost" and counts["728"]["night"] == "2025-07-09"
    assert {row["label"] for row in counts.values()} == {"supported"}
    assert 'class="supported"' in data["html"] and "728 ударними" in data["html"]


# --- writes, headers, schema -------------------------------------------------------------


NEW_EVENT = {"date": "2025-07-05", "type": "phone_call", "actors": "FRA,RUS",
             "title": "Test call about the night", "source_url": "https://example.org/x",
             "confidence": "low"}


def test_writes_are_off_without_a_token(client):
    assert client.post("/api/v1/events", json=NEW_EVENT).status_code == 403
    assert client.post("/api/v1/ingest", content=b"x").status_code == 403


def test_add_event_with_token(writer):
    assert writer.post("/api/v1/events", json=NEW_EVENT).status_code == 401
    auth = {"Authorization": "Bearer s3cret"}
    assert writer.post("/api/v1/events", json=NEW_EVENT,
                       headers={"Authorization": "Bearer wrong"}).status_code == 401
    r = writer.post("/api/v1/events", json=NEW_EVENT, headers=auth)
    assert r.status_code == 201, r.text
    listed = writer.get("/api/v1/events", params={"from": "2025-07-05", "to": "2025-07-05"})
    assert NEW_EVENT["title"] in {e["title"] for e in listed.json()}
    bad = dict(NEW_EVENT, source_url="javascript:alert(1)")
    assert writer.post("/api/v1/events", json=bad, headers=auth).status_code == 422


def test_security_headers_and_no_cors(client):
    r = client.get("/", headers={"Origin": "https://evil.example"})
    assert r.status_code == 200
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert "access-control-allow-origin" not in r.headers
    assert "<script>" not in r.text  # no inline scripts


def test_plotly_is_served_locally(client):
    r = client.get("/static/plotly.min.js")
    assert r.status_code == 200 and len(r.content) > 1_000_000


@pytest.mark.parametrize("path", ["/", "/night/2025-07-04", "/study", "/defense", "/forecast",
                                  "/check", "/campaign", "/data", "/night/2021-01-01"])
def test_pages_render(client, path):
    r = client.get(path)
    assert r.status_code == (404 if "2021" in path else 200)
    assert "<nav" in r.text


def test_openapi_lists_the_api(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for p in ("/api/v1/nights", "/api/v1/night/{date}", "/api/v1/events", "/api/v1/study",
              "/api/v1/defense", "/api/v1/forecast", "/api/v1/check"):
        assert p in paths


def test_ingest_with_token_updates_the_nights(release, tmp_path):
    path = release([{"time_start": "2025-07-03 18:00", "time_end": "2025-07-04 06:00",
                     "model": "Shahed-136/131", "launched": "10", "destroyed": "7",
                     "source": "kpszsu/test"}])
    app = create_app(db=tmp_path / "fresh.duckdb", token="t", events_file=tmp_path / "e.csv",
                     alerts_path=tmp_path / "no-alerts")
    c = TestClient(app)
    auth = {"Authorization": "Bearer t"}
    assert c.post("/api/v1/ingest", content=b"", headers=auth).status_code == 422
    r = c.post("/api/v1/ingest", content=path.read_bytes(), headers=auth)
    assert r.status_code == 200, r.text
    kept = tmp_path / "uploads" / r.json()["file"]
    assert kept.read_bytes() == path.read_bytes()  # the provenance names a file that exists
    bad = c.post("/api/v1/ingest", content=b"time_start,model\n1,2\n", headers=auth)
    assert bad.status_code == 422 and len(list(kept.parent.iterdir())) == 1
    # One 18:00-06:00 row ending on the 4th: night 2025-07-04, 10 drones, 7 shot down.
    night = c.get("/api/v1/night/2025-07-04").json()
    assert night["totals"]["drones_launched"] == 10
    assert night["totals"]["drones_destroyed"] == 7
    assert night["shelter"] is None


def test_serve_command_prints_the_address(monkeypatch, real_db):
    import typer.testing
    import uvicorn

    import strikescope.cli.web  # noqa: F401  (registers `serve`)
    from strikescope.cli.app import app

    calls = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.update(app=app, **kw))
    result = typer.testing.CliRunner().invoke(
        app, ["serve", "--port", "8765", "--db", str(real_db)])
    assert result.exit_code == 0, result.output
    assert "Dashboard: http://127.0.0.1:8765/" in result.output
    assert calls["port"] == 8765 and calls["host"] == "127.0.0.1"
    assert calls["app"].state.service.db == real_db


@pytest.mark.parametrize("name", ["massive", "mix", "decoys", "regions", "saturation"])
def test_campaign_figures_carry_data(client, name):
    r = client.get(f"/api/v1/figures/campaign/{name}", params={"from": "2025-06-01",
                                                               "to": "2025-07-31"})
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data and any(len(trace.get("x", trace.get("z", [])) or []) for trace in data)


def test_campaign_figure_rejects_unknown_names_and_bad_ranges(client):
    assert client.get("/api/v1/figures/campaign/rumours").status_code == 404
    r = client.get("/api/v1/figures/campaign/mix", params={"from": "2025-07-01",
                                                           "to": "2025-06-01"})
    assert r.status_code == 422 and "after" in r.json()["detail"]


def test_timeline_first_paint_is_a_png_of_the_default_range(client):
    page = client.get("/").text
    assert 'class="first-paint"' in page and "/api/v1/figures/timeline.png?from=" in page
    r = client.get("/api/v1/figures/timeline.png", params={"from": "2025-06-01",
                                                           "to": "2025-07-31"})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.content[:8] == b"\x89PNG\r\n\x1a\n" and len(r.content) > 5_000


def test_doctor_report_over_the_api(client):
    r = client.get("/api/v1/doctor", params={"threshold": 0.5})
    assert r.status_code == 200
    assert client.get("/api/v1/doctor", params={"threshold": 0.5}).json() == r.json()
    data = r.json()
    assert "path" not in data["store"] and data["store"]["rules_current"]
    assert data["problems"] == []
    assert data["disagreements"]
    assert all(d["relative"] > 0.5 for d in data["disagreements"])
    assert client.get("/api/v1/doctor", params={"threshold": 2}).status_code == 422


def test_data_page_shows_the_integrity_report(client):
    text = client.get("/data").text
    assert "No integrity problem found." in text
    assert "read = loaded + quarantined" in text and "missing value" in text
    assert "2024-08-26" in text  # 118 cruise missiles, a shot-down count for only 3



def test_ingest_while_another_writer_holds_the_store_is_503(release, tmp_path, monkeypatch):
    """A busy store: 503 with Retry-After, the upload not kept, the store unchanged."""
    import functools

    from fastapi.testclient import TestClient
    from filelock import FileLock

    from strikescope import api
    from strikescope.atomic import lock_path, staged
    from strikescope.web import create_app

    monkeypatch.setattr(api, "staged", functools.partial(staged, timeout=0.2))
    db = tmp_path / "s.duckdb"
    app = create_app(db=db, token="t", events_file=tmp_path / "ev.csv",
                     alerts_path=tmp_path / "no-alerts")
    body = release([{"time_start": "2025-07-03 18:00", "time_end": "2025-07-04 06:00",
                     "model": "Shahed-136/131", "launched": "10"}]).read_bytes()
    with FileLock(str(lock_path(db))):
        r = TestClient(app).post("/api/v1/ingest", content=body,
                                 headers={"Authorization": "Bearer t"})
    assert r.status_code == 503 and r.headers["retry-after"] == "60"
    assert "another process" in r.json()["detail"]
    assert not db.exists() and not list((tmp_path / "uploads").iterdir())


def test_doctor_of_a_store_without_nights_is_404_without_the_path(tmp_path):
    from fastapi.testclient import TestClient

    from strikescope.web import create_app

    app = create_app(db=tmp_path / "none.duckdb", events_file=tmp_path / "ev.csv",
                     alerts_path=tmp_path / "no-alerts")
    r = TestClient(app).get("/api/v1/doctor")
    assert r.status_code == 404 and "strikescope ingest" in r.json()["detail"]
    assert str(tmp_path) not in r.text


@pytest.mark.parametrize("path", ["/", "/campaign"])
def test_pages_of_a_store_without_nights_say_so(tmp_path, path):
    from fastapi.testclient import TestClient

    from strikescope.web import create_app

    app = create_app(db=tmp_path / "none.duckdb", events_file=tmp_path / "ev.csv",
                     alerts_path=tmp_path / "no-alerts")
    r = TestClient(app).get(path)
    assert r.status_code == 200 and "no nights yet" in r.text and "NaT" not in r.text


def test_campaign_tables_from_shared_rows_equal_the_api(real_db, monkeypatch):
    """Decoys and regions on the web share one read of the counted rows, and give what the
    Python API gives; the rows are read once for both."""
    from strikescope.analysis import campaign
    from strikescope.web.routes_api import campaign_result
    from strikescope.web.service import StoreService

    reads = []
    real = campaign.counted_rows
    monkeypatch.setattr(campaign, "counted_rows", lambda *a, **k: reads.append(1) or real(*a, **k))
    svc = StoreService(db=real_db)
    start, end = pd.Timestamp("2025-07-01").date(), pd.Timestamp("2025-12-31").date()
    decoys = campaign_result(svc, "decoy_share", start, end)
    regions = campaign_result(svc, "region_totals", start, end)
    assert len(reads) == 1
    pd.testing.assert_frame_equal(decoys, campaign.decoy_table(real(start, end, real_db)))
    pd.testing.assert_frame_equal(regions, campaign.region_totals(start, end, real_db))
    assert len(regions) > 10 and decoys.drones.sum() > 1000


@pytest.mark.parametrize("path", ["/api/v1/nights", "/"])
def test_a_store_of_a_newer_layout_is_503_without_the_path(release, tmp_path, path):
    from fastapi.testclient import TestClient

    import strikescope
    from strikescope.store import Store
    from strikescope.web import create_app

    db = tmp_path / "s.duckdb"
    strikescope.ingest([release([{"time_start": "2025-07-03 18:00",
                                  "time_end": "2025-07-04 06:00", "model": "Shahed-136/131",
                                  "launched": "10", "source": "kpszsu/p/1"}])], db=db)
    with Store(db) as store:
        store.set_meta("layout", "99")
    app = create_app(db=db, events_file=tmp_path / "ev.csv", alerts_path=tmp_path / "none")
    r = TestClient(app).get(path)
    assert r.status_code == 503 and "another version of strikescope" in r.text
    assert str(tmp_path) not in r.text


def test_the_app_upgrades_a_store_of_an_older_layout_before_serving(release, tmp_path):
    import strikescope
    from strikescope.store import LAYOUT, Store
    from strikescope.web import create_app

    db = tmp_path / "s.duckdb"
    strikescope.ingest([release([{"time_start": "2025-07-03 18:00",
                                  "time_end": "2025-07-04 06:00", "model": "Shahed-136/131",
                                  "launched": "10", "source": "kpszsu/p/1"}])], db=db)
    with Store(db) as store:
        store.con.execute("DELETE FROM meta WHERE key = 'layout'")
    create_app(db=db, events_file=tmp_path / "ev.csv", alerts_path=tmp_path / "none")
    with Store(db, read_only=True) as store:
        assert store.layout() == LAYOUT
