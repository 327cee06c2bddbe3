"""The dashboard's caches: one computation per store version, shared by concurrent
requests, and the start-up warm-up."""

from __future__ import annotations

import threading
import time
import types

import pandas as pd
import pytest
from fastapi.testclient import TestClient

import strikescope
from strikescope.web import create_app
from strikescope.web.service import LRU, StoreService
from tests.conftest import NIGHT1

ROW = {**NIGHT1, "model": "Shahed-136/131", "launched": "40", "destroyed": "40",
       "source": "kpszsu/posts/p0"}


def test_concurrent_misses_compute_once():
    cache, calls = LRU(8), []

    def make():
        calls.append(1)
        time.sleep(0.2)
        return object()

    got = []
    threads = [threading.Thread(target=lambda: got.append(cache.get("k", make)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len(got) == 4 and all(g is got[0] for g in got)


def test_a_failed_computation_is_not_cached():
    cache, calls = LRU(8), []

    def make():
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("first try fails")
        return 2

    with pytest.raises(ValueError):
        cache.get("k", make)
    assert cache.get("k", make) == 2 and cache.get("k", make) == 2 and len(calls) == 2


@pytest.fixture
def counted(monkeypatch):
    """Fake forecast, defense and brief that count their calls."""
    import strikescope.analysis.campaign
    import strikescope.analysis.forecast
    import strikescope.brief

    calls = {"forecast": 0, "defense": 0, "brief": 0}

    def forecast(origin, horizon=7, db=None, **kw):
        calls["forecast"] += 1
        return types.SimpleNamespace(model="blend", to_frame=lambda: pd.DataFrame({"h": [horizon]}))

    def defense(**kw):
        calls["defense"] += 1
        return pd.DataFrame({"by": [kw["by"]]})

    def brief(night=None, db=None, **kw):
        calls["brief"] += 1
        return types.SimpleNamespace(html=f"<p>brief {night}</p>", markdown="")

    monkeypatch.setattr(strikescope.analysis.forecast, "forecast", forecast)
    monkeypatch.setattr(strikescope.analysis.campaign, "defense", defense)
    monkeypatch.setattr(strikescope.brief, "brief", brief)
    return calls


def test_pages_compute_once_per_store_version(release, tmp_path, counted):
    db = tmp_path / "s.duckdb"
    strikescope.ingest([release([ROW])], db=db)
    client = TestClient(create_app(db=db, events_file=tmp_path / "e.csv",
                                   alerts_path=tmp_path / "none"))
    # the brief's page computes its title alone, the document the brief
    pages = ("/forecast", "/defense", "/brief/2025-02-28", "/brief/2025-02-28/document")
    for _ in range(3):
        for page in pages:
            assert client.get(page).status_code == 200
    assert counted == {"forecast": 1, "defense": 1, "brief": 1}
    # the API's brief and the page's share one entry
    assert client.get("/api/v1/brief?night=2025-02-28").status_code == 200
    assert counted["brief"] == 1
    # a new store version (an ingest replaces the file) computes again, once the caches
    # have switched to it (until then the old version answers: warm, then switch)
    strikescope.ingest([release([{**ROW, "launched": "41"}], name="next.csv")], db=db)
    svc = client.app.state.service
    deadline = time.monotonic() + 60
    while svc.version() != svc.file_version() and time.monotonic() < deadline:
        time.sleep(0.05)
    for page in pages:
        assert client.get(page).status_code == 200
    assert counted == {"forecast": 2, "defense": 2, "brief": 2}


def test_warm_fills_the_first_views_and_survives_failures(tiny_db, tmp_path):
    svc = StoreService(tiny_db, events_file=tmp_path / "e.csv", alerts_path=tmp_path / "none")
    drawn = []

    def failing():
        raise RuntimeError("a step that fails does not stop the others")

    svc.warm(lambda: [failing, lambda: drawn.append(1)])
    assert drawn == [1]
    nights = svc.peek(("nights",))
    assert nights is not None and len(nights) == 3  # 2025-02-28 .. 2025-03-02, dense
    assert svc._alerts is not None  # read (here: none found), not left for a request


def test_start_up_warm_up_views_the_analysis_pages(release, tmp_path, counted):
    from strikescope.web.app import start_warming

    db = tmp_path / "s.duckdb"
    strikescope.ingest([release([ROW])], db=db)
    app = create_app(db=db, events_file=tmp_path / "e.csv", alerts_path=tmp_path / "none")
    start_warming(app).join(120)
    assert counted == {"forecast": 1, "defense": 1, "brief": 1}  # the latest brief too
    svc = app.state.service
    start, end = svc.default_range()
    assert svc.peek(("timeline-png", start, end)) is not None
    client = TestClient(app)
    assert client.get("/forecast").status_code == 200
    assert counted["forecast"] == 1  # the visitor got the warm-up's result


def test_warm_up_waits_for_visitors(tiny_db, tmp_path):
    svc = StoreService(tiny_db, events_file=tmp_path / "e.csv", alerts_path=tmp_path / "none")
    with svc.serving():
        thread = threading.Thread(target=svc.warm)
        thread.start()
        time.sleep(0.5)
        assert svc.peek(("nights",)) is None  # waited
    thread.join(60)
    assert svc.peek(("nights",)) is not None


def test_visitors_are_counted_and_the_warm_up_is_not(tiny_db, tmp_path):
    from strikescope.web.app import WARM_HEADER

    app = create_app(db=tiny_db, events_file=tmp_path / "e.csv", alerts_path=tmp_path / "none")
    svc, seen = app.state.service, []
    original = svc.all_nights

    def all_nights():
        seen.append(svc._serving)
        return original()

    svc.all_nights = all_nights
    client = TestClient(app)
    client.get("/")
    client.get("/", headers={WARM_HEADER[0].decode(): WARM_HEADER[1].decode()})
    assert seen[0] == 1 and seen[-1] == 0 and svc._serving == 0


def _switched(svc, timeout: float = 60) -> None:
    """Wait until the caches answer for the store file as it is now (warm, then switch)."""
    deadline = time.monotonic() + timeout
    while svc.version() != svc.file_version() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_cached_reads_are_replayed_until_the_store_changes(release, tmp_path):
    db = tmp_path / "s.duckdb"
    strikescope.ingest([release([ROW])], db=db)
    app = create_app(db=db, events_file=tmp_path / "e.csv", alerts_path=tmp_path / "none")
    client, svc = TestClient(app), app.state.service
    url = "/api/v1/night/2025-02-28"
    first = client.get(url)
    assert first.json()["totals"]["drones_launched"] == 40
    # the second answer is the kept one, sent before routing: no route runs for it
    routed = []
    original = svc.cached_async

    async def counted_async(*args):
        routed.append(1)
        return await original(*args)

    svc.cached_async = counted_async
    again = client.get(url)
    assert routed == [] and again.content == first.content
    assert again.headers == first.headers  # the security headers included
    # another URL is another answer
    assert client.get(url + "?format=csv").headers["content-type"].startswith("text/csv")
    # a new store version is answered anew
    strikescope.ingest([release([{**ROW, "launched": "41"}], name="next.csv")], db=db)
    _switched(svc)
    assert client.get(url).json()["totals"]["drones_launched"] == 41


def test_a_new_events_file_version_is_not_replayed(tiny_db, tmp_path):
    events = tmp_path / "e.csv"
    app = create_app(db=tiny_db, events_file=events, alerts_path=tmp_path / "none")
    svc = app.state.service
    key = svc.response_key("/api/v1/nights", b"")
    events.write_text("date\n", encoding="utf-8")
    assert svc.response_key("/api/v1/nights", b"") != key


def test_errors_and_requests_with_a_body_are_not_replayed(tiny_db, tmp_path):
    app = create_app(db=tiny_db, events_file=tmp_path / "e.csv", alerts_path=tmp_path / "none")
    client, svc = TestClient(app), app.state.service
    assert client.get("/api/v1/night/2020-01-01").status_code == 404
    assert svc.cache.peek(svc.response_key("/api/v1/night/2020-01-01", b"")) is None
    assert client.get("/api/v1/nights").status_code == 200
    assert svc.cache.peek(svc.response_key("/api/v1/nights", b"")) is not None
    # a GET with a body over the limit is refused, not answered from the kept bytes
    big = client.request("GET", "/api/v1/nights", content=b"x" * (65 << 10))
    assert big.status_code == 413


def test_slow_results_outlive_a_restart_until_the_store_or_code_changes(release, tmp_path,
                                                                        monkeypatch):
    from strikescope.web import service as service_module

    db = tmp_path / "s.duckdb"
    strikescope.ingest([release([ROW])], db=db)
    calls = []

    def study():
        calls.append(1)
        return pd.DataFrame({"calls": [len(calls)]})

    def start():  # a new server process: empty memory, the same store and directory
        return StoreService(db, events_file=tmp_path / "e.csv", alerts_path=tmp_path / "none")

    assert start().cached(("study", "q"), study)["calls"][0] == 1
    assert start().cached(("study", "q"), study)["calls"][0] == 1 and len(calls) == 1
    # only the slow kinds are kept: the nights are read again from the store
    assert "nights" not in service_module.PERSISTED
    # a new store version is another result, and the old version's files go
    strikescope.ingest([release([{**ROW, "launched": "41"}], name="next.csv")], db=db)
    assert start().cached(("study", "q"), study)["calls"][0] == 2
    assert len(list((tmp_path / service_module.DISK_CACHE).iterdir())) == 1
    # so is another version of the code
    monkeypatch.setattr(service_module, "code_version", lambda: "other")
    assert start().cached(("study", "q"), study)["calls"][0] == 3


def test_a_damaged_kept_result_is_computed_again(tiny_db, tmp_path):
    from strikescope.web.service import DISK_CACHE

    svc = StoreService(tiny_db, events_file=tmp_path / "e.csv", alerts_path=tmp_path / "none")
    assert svc.cached(("doctor", 1), lambda: "first") == "first"
    for kept in (tmp_path / DISK_CACHE).rglob("*.pickle"):
        kept.write_bytes(b"cut")
    again = StoreService(tiny_db, events_file=tmp_path / "e.csv", alerts_path=tmp_path / "none")
    assert again.cached(("doctor", 1), lambda: "second") == "second"


def test_alerts_are_kept_on_disk_until_their_files_change(tiny_db, tmp_path, monkeypatch):
    import os
    import shutil

    import strikescope.analysis.alerts as alerts_module
    from tests.conftest import SHARED

    folder = tmp_path / "alerts"
    folder.mkdir()
    kept = folder / "official_data_en.csv"
    shutil.copy(SHARED / "alerts" / kept.name, kept)
    reads, original = [], alerts_module.load_alerts
    monkeypatch.setattr(alerts_module, "load_alerts",
                        lambda path: reads.append(path) or original(path))

    def start():
        return StoreService(tiny_db, events_file=tmp_path / "e.csv", alerts_path=folder)

    first = start().alerts()
    assert len(first) > 0 and len(reads) == 1
    pd.testing.assert_frame_equal(start().alerts(), first)
    assert len(reads) == 1  # read back from disk, not parsed again
    st = kept.stat()
    os.utime(kept, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # a new release of it
    start().alerts()
    assert len(reads) == 2


def test_forecast_page_comes_before_p_massive_and_shows_it_once_computed(
        release, tmp_path, counted, monkeypatch):
    """The P(massive) section is fetched by the page (or followed as a link without
    scripts) until it has been computed once; then the page shows it, after a restart too
    (it is kept on disk)."""
    import strikescope.analysis.forecast

    outlooks = []

    def massive_outlook(as_of=None, horizon=7, model="stack", db=None, **kw):
        outlooks.append(horizon)
        return types.SimpleNamespace(
            as_of=pd.Timestamp("2025-02-28"), model="stack", rule_missiles=20,
            rule_drones=400, p_massive=[0.25] * horizon, record_nights=0, brier_skill=0.0,
            record_from=None, track=pd.DataFrame({"n": [1]}))

    monkeypatch.setattr(strikescope.analysis.forecast, "massive_outlook", massive_outlook)
    db = tmp_path / "s.duckdb"
    strikescope.ingest([release([ROW])], db=db)

    def client():
        return TestClient(create_app(db=db, events_file=tmp_path / "e.csv",
                                     alerts_path=tmp_path / "none"))

    first = client()
    html = first.get("/forecast", params={"horizon": 2}).text
    assert outlooks == [] and "computing…" in html
    assert 'data-fragment="/forecast/massive?horizon=2&amp;part=true"' in html
    assert '<noscript><p><a href="/forecast/massive?horizon=2">' in html
    part = first.get("/forecast/massive", params={"horizon": 2, "part": True}).text
    assert outlooks == [2] and "Sat 01 Mar <strong>25%</strong>" in part
    assert "<html" not in part
    alone = first.get("/forecast/massive", params={"horizon": 2}).text
    assert "<html" in alone and "Sat 01 Mar <strong>25%</strong>" in alone
    html = first.get("/forecast", params={"horizon": 2}).text
    assert "Sat 01 Mar <strong>25%</strong>" in html and "data-fragment" not in html
    assert "computing…" not in client().get("/forecast", params={"horizon": 2}).text
    assert outlooks == [2]
