"""The statement reader on the web: the form page and POST /api/v1/parse-report, in process."""

from __future__ import annotations

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strikescope.sources.statement import parse_statement
from strikescope.web import create_app
from strikescope.web.pool import WorkPool
from strikescope.web.routes_statement import EMPTY, MAX_STATEMENT_CHARS
from tests.test_statement import UK


@pytest.fixture
def web(tmp_path):
    # The reader never opens the store: a path with nothing behind it is enough.
    return TestClient(create_app(db=tmp_path / "none.duckdb", events_file=tmp_path / "ev.csv",
                                 alerts_path=tmp_path / "no-alerts"))


def _classes(records):
    return {r["weapon_class"]: r for r in records}


def test_class_table_sums_models_and_marks_derived_figures():
    p = parse_statement(UK, published="2025-07-09")
    t = _classes(p.class_table().to_dict("records"))
    drones = t["strike_drone"]
    assert (drones["launched"], drones["destroyed"], drones["not_reach_goal"]) == (728, 296, 415)
    assert drones["launched_basis"] == drones["destroyed_basis"] == "stated"
    # 6 Kinzhal launched, none said shot down: the 0 is the rules', not the text's
    kinzhal = t["aeroballistic"]
    assert (kinzhal["launched"], kinzhal["destroyed"]) == (6, 0)
    assert kinzhal["launched_basis"] == "stated" and kinzhal["destroyed_basis"] == "derived"
    assert pd.isna(kinzhal["not_reach_goal"]) and pd.isna(kinzhal["not_reach_goal_basis"])
    p = parse_statement("Russia launched 5 drones; all were shot down.", "2025-02-01")
    row = p.class_table().iloc[0]
    assert row["destroyed"] == 5 and row["destroyed_basis"] == "derived"


def test_api_returns_the_parse(web):
    r = web.post("/api/v1/parse-report", json={"text": UK, "published": "2025-07-09"})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["night"] == "2025-07-09" and data["time_start"] == "2025-07-08 18:00"
    cls = _classes(data["classes"])
    assert cls["cruise"]["launched"] == 7 and cls["cruise"]["destroyed"] == 7
    assert cls["aeroballistic"]["destroyed_basis"] == "derived"
    assert cls["aeroballistic"]["not_reach_goal"] is None  # no figure: null, not 0
    assert {r["model"]: r["launched"] for r in data["rows"]} == {
        "Shahed-136/131": 728, "X-101": 7, "Kinzhal": 6}
    assert any("відбивали" in u["sentence"] for u in data["unparsed"])


def test_api_refuses_empty_and_long_text_plainly(web):
    r = web.post("/api/v1/parse-report", json={"text": "  "})
    assert r.status_code == 422 and r.json()["detail"].startswith("no text")
    long = "5 БпЛА. " * (MAX_STATEMENT_CHARS // 8 + 1)
    r = web.post("/api/v1/parse-report", json={"text": long})
    assert r.status_code == 413 and "characters" in r.json()["detail"]
    r = web.post("/api/v1/parse-report", json={"text": UK, "published": "0001-01-01"})
    assert r.status_code == 422 and "out of range" in r.json()["detail"]
    r = web.post("/api/v1/parse-report", json={"text": "x" * 100_000})  # over the body limit
    assert r.status_code == 413 and r.headers["content-type"].startswith("text/plain")


def test_form_page_is_in_the_site_layout(web):
    r = web.get("/parse-report")
    assert r.status_code == 200
    assert "<nav" in r.text and 'href="/parse-report"' in r.text and "<textarea" in r.text


def test_form_reads_a_statement(web):
    r = web.post("/parse-report", data={"text": UK, "published": "2025-07-09"})
    assert r.status_code == 200, r.text
    assert "Night ending 2025-07-09" in r.text and "2025-07-08 18:00" in r.text
    assert "<td>728</td>" in r.text and "<td>0 (derived)</td>" in r.text
    assert "Повітряний напад відбивали" in r.text  # the unparsed sentence, listed
    assert UK[:40] in r.text  # the text stays in the form


def test_form_messages_are_plain(web):
    r = web.post("/parse-report", data={"text": " ", "published": ""})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert EMPTY in r.text and '"detail"' not in r.text
    r = web.post("/parse-report", data={"text": UK, "published": "9 July"})
    assert r.status_code == 422 and "is not a date" in r.text
    r = web.post("/parse-report", data={"text": UK, "published": "9999-12-31"})
    assert r.status_code == 422 and "out of range" in r.text
    r = web.post("/parse-report", data={"text": "x" * (MAX_STATEMENT_CHARS + 1)})
    assert r.status_code == 413 and "at most" in r.text
    r = web.post("/parse-report", data={"text": "<script>alert(1)</script> 5 БпЛА"})
    assert r.status_code == 200 and "<script>alert" not in r.text


def test_a_full_pool_is_429_on_both(web):
    web.app.state.pools["parse"] = WorkPool("parse", workers=0, queue=0)
    r = web.post("/api/v1/parse-report", json={"text": UK})
    assert r.status_code == 429 and "Retry-After" in r.headers
    r = web.post("/parse-report", data={"text": UK})
    assert r.status_code == 429 and "try again" in r.text and '"detail"' not in r.text


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.text(max_size=200), published=st.dates())
def test_api_never_answers_with_a_server_error(tmp_path_factory, text, published):
    path = tmp_path_factory.getbasetemp()
    client = _client(path)
    r = client.post("/api/v1/parse-report",
                    json={"text": text + " 5 БпЛА", "published": published.isoformat()})
    assert r.status_code in (200, 422), r.text


_CLIENTS: dict = {}


def _client(path):
    if path not in _CLIENTS:
        _CLIENTS[path] = TestClient(create_app(db=path / "none.duckdb",
                                               events_file=path / "ev.csv",
                                               alerts_path=path / "no-alerts"))
    return _CLIENTS[path]
