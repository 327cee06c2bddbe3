"""The event study's verdict, its placebo and one's own events file."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import typer.testing

import strikescope.cli.study  # noqa: F401  (registers the commands)
from strikescope.analysis import study as st
from strikescope.cli.app import app

NIGHTS = pd.date_range("2024-01-01", periods=400, freq="D")
URL = "https://example.org/a"


def _result(low, high, p_upper, p_value, observed=0.3) -> st.StudyResult:
    ratio = (low * high) ** 0.5
    model = st.ModelEstimate(ratio, low, high, 0.01, None, "negative binomial", 5)
    events = pd.DataFrame({"date": NIGHTS[[50, 100]]})
    return st.StudyResult("drones", 7, events, 100.0, 140.0, observed, np.zeros(999),
                          p_upper, p_value, model, pd.DataFrame(), pd.Series(dtype=float))


def test_verdict_needs_the_placebo_to_agree():
    # the model alone says +40 % (interval 1.1 to 1.8); the placebo does not (p = 0.40)
    v = _result(1.1, 1.8, p_upper=0.20, p_value=0.40).verdict
    assert "consistent with" not in v and "mixed evidence" in v
    assert "consistent with an increase" in _result(1.1, 1.8, 0.01, 0.02).verdict


def test_verdict_uses_the_two_sided_p():
    # the one-sided p (0.03) would pass at 5 %; the two-sided p (0.06) does not
    assert "consistent with" not in _result(1.1, 1.8, p_upper=0.03, p_value=0.06).verdict
    # a decrease: p(increase) = 0.99 is no obstacle when the two-sided p is 0.02
    v = _result(0.5, 0.9, p_upper=0.99, p_value=0.02, observed=-0.3).verdict
    assert "consistent with a decrease" in v
    assert "p = 0.020" in v and "2 event dates" in v


def test_placebo_p_two_sided_by_hand():
    # 9 placebo values 1..9, observed 9: upper = (1 + 1) / 10 = 0.2, lower = 10 / 10 = 1,
    # two-sided = 2 * 0.2 = 0.4
    up, two = st.placebo_p(9.0, np.arange(1.0, 10.0))
    assert (up, two) == pytest.approx((0.2, 0.4))


def test_placebo_dates_are_level_matched():
    # 200 nights at 1 then 200 at 100; an event at night 300 (level 100, no change around
    # it: statistic 0). Matched placebo dates come from the level-100 stretch (statistic 0);
    # unmatched ones would include the jump at night 200 (statistic up to log(700.5/7.5)).
    values = np.r_[np.ones(200), np.full(200, 100.0)]
    placebo = st.placebo_distribution(values, np.array([300]), 7, 500, seed=1)
    assert np.allclose(placebo, 0.0)
    pools = st.matched_pools(st.local_level(values), np.array([300]),
                             st.valid_positions(400, 7))
    assert (pools >= 228).all()
    r = st.run_study(pd.Series(values, index=NIGHTS), [NIGHTS[300]], 7, 500, 0, model=False)
    assert r.p_value == 1.0


def test_one_default_number_of_placebo_sets():
    import inspect

    from strikescope.web.routes_api import StudyQuery, study_query

    assert StudyQuery().n_placebo == st.N_PLACEBO
    assert inspect.signature(study_query).parameters["n_placebo"].default == st.N_PLACEBO
    for fn in (st.study, st.sensitivity, st.run_study):
        assert inspect.signature(fn).parameters["n_placebo"].default == st.N_PLACEBO
    ctx = typer.main.get_command(app).commands["study"]
    assert next(p for p in ctx.params if p.name == "placebo").default == st.N_PLACEBO


# --- one's own events ------------------------------------------------------------------------


def _events_file(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(
        "date,type,actors,title,source_url,confidence\n"
        f"2025-03-11,negotiation_round,USA;UKR,Jeddah talks,{URL},high\n"
        "2025-05-16,negotiation_round,RUS;UKR,Istanbul talks,,high\n"
        f"2025-07-23,negotiation_round,RUS;UKR,Istanbul third round,{URL},medium\n",
        encoding="utf-8")
    return path


def test_study_on_own_events_file(real_db, tmp_path):
    path = _events_file(tmp_path)
    with pytest.warns(UserWarning, match="row 3, field 'source_url'"):
        r = st.study(events_file=path, n_placebo=199, db=real_db)
    assert [d.date().isoformat() for d in r.events["date"]] == [
        "2025-03-11", "2025-05-16", "2025-07-23"]
    # the same question asked again is the cached answer
    assert st.study(events_file=path, n_placebo=199, db=real_db) is r


def test_cli_events_file(real_db, tmp_path):
    path = _events_file(tmp_path)
    res = typer.testing.CliRunner().invoke(app, [
        "study", "--events-file", str(path), "--placebo", "199", "--format", "json",
        "--db", str(real_db)])
    assert res.exit_code == 0, res.output
    assert "warning:" in res.stderr and "source_url" in res.stderr
    assert len(json.loads(res.stdout)["events"]) == 3


def test_api_study_upload(real_db, tmp_path):
    from fastapi.testclient import TestClient

    from strikescope.web import create_app

    client = TestClient(create_app(db=real_db, events_file=tmp_path / "ev.csv"))
    body = _events_file(tmp_path).read_bytes()
    r = client.post("/api/v1/study", params={"n_placebo": 199}, content=body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert len(out["table"]) == 3 and len(out["warnings"]) == 1
    assert "source_url" in out["warnings"][0]
    bad = client.post("/api/v1/study", content=b"date,type\n2025-01-01,call\n")
    assert bad.status_code == 422
    # a NUL byte, and bytes that are not UTF-8: a 422 naming the file, never a 500
    for junk in (b"date,type\n\x00,\x00\n", b"\xff\xfe\x00bad"):
        r = client.post("/api/v1/study", content=junk)
        assert r.status_code == 422, r.text


def test_api_study_of_an_event_of_the_user_timeline(real_db, tmp_path):
    from fastapi.testclient import TestClient

    from strikescope.web import create_app

    mine = tmp_path / "user_events.csv"
    mine.write_text("event_id,date,type,actors,title,source_url,confidence\n"
                    f"my-call,2025-03-11,phone_call,USA;UKR,My call,{URL},high\n",
                    encoding="utf-8")
    client = TestClient(create_app(db=real_db, events_file=mine))
    r = client.get("/api/v1/study", params={"event": "my-call", "n_placebo": 199})
    assert r.status_code == 200, r.text
    assert r.json()["table"][0]["event"] == "my-call"
