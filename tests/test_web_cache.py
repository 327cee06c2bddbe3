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
        return types.SimpleNamespace(to_frame=lambda: pd.DataFrame({"h": [horizon]}))

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
    pages = ("/forecast", "/defense", "/brief/2025-02-28")
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
    assert counted == {"forecast": 1, "defense": 1, "brief": 0}
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
