from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import typer.testing

import strikescope
import strikescope.cli.study  # noqa: F401  (registers the commands)
from strikescope.analysis import study as st
from strikescope.cli.app import app
from strikescope.render.study import charts, save_charts

NIGHTS = pd.date_range("2024-01-01", periods=400, freq="D")


def series(values) -> pd.Series:
    values = np.asarray(values, float)
    return pd.Series(values, index=NIGHTS[: len(values)])


# ------------------------------------------------------------------ hand-built cases


def test_window_sums_by_hand():
    # y = 1..10; event at position 4 (y=5), w=2: before = y[2]+y[3] = 3+4 = 7,
    # after = y[5]+y[6] = 6+7 = 13.
    cs = st._cumsum(np.arange(1, 11, dtype=float))
    before, after = st.window_sums(cs, np.array([4]), 2)
    assert before[0] == 7 and after[0] == 13
    stat = st.event_stats(cs, np.array([4]), 2)
    assert stat[0] == pytest.approx(math.log(13.5 / 7.5))


def test_rate_statistic_by_hand():
    # destroyed 1,1,0,2,2 of 2,2,1,2,4 launched; event at position 2, w=2:
    # before rate (1+1)/(2+2) = 0.5, after rate (2+2)/(2+4) = 2/3, change = 1/6.
    num = st._cumsum(np.array([1, 1, 0, 2, 2], float))
    den = st._cumsum(np.array([2, 2, 1, 2, 4], float))
    assert st.event_stats(num, np.array([2]), 2, den)[0] == pytest.approx(1 / 6)


def test_placebo_p_by_hand():
    # observed 1.0 vs placebo [0, 0.5, 1, 2]: >= observed: 2 -> (1+2)/5 = 0.6;
    # <= observed: 3 -> (1+3)/5 = 0.8; two-sided min(1, 2*0.6) = 1.
    up, two = st.placebo_p(1.0, np.array([0, 0.5, 1, 2]))
    assert up == pytest.approx(0.6) and two == pytest.approx(1.0)


def test_holm_by_hand():
    # sorted 0.01, 0.03, 0.04 times 3, 2, 1 = 0.03, 0.06, 0.04 -> running max 0.03, 0.06, 0.06
    assert st.holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])


def test_overlaps_and_indicators_by_hand():
    # events at 10 and 15, w=3: spans 7..13 and 12..18 share nights 12 and 13 = 2 nights
    ov = st.overlaps(np.array([10, 15]), ["a", "b"], NIGHTS, 3)
    assert ov["shared_nights"].tolist() == [2]
    ind = st.window_indicators(20, np.array([10, 15]), 3)
    # after 11..13 and 16..18 -> 6 nights; before 7..9 and 12..14 -> 6 nights, 12 and 13
    # are both after-a and before-b; the night 14 is only before-b
    assert ind["after"].sum() == 6 and ind["before"].sum() == 6 and ind["day_of"].sum() == 2
    assert ind.loc[12, ["before", "after"]].tolist() == [1, 1]


def test_same_night_events_are_one_date_and_edges_are_dropped():
    s = series(np.full(60, 10))
    r = st.run_study(
        s,
        ["2024-01-20", "2024-01-20", "2024-01-02"],
        window=3,
        n_placebo=99,
        labels=["a", "b", "c"],
        model=False,
    )
    assert r.events["event"].tolist() == ["a; b"]
    assert r.dropped == ["c"]


def test_spike_after_each_event_gives_large_effect_and_tiny_p():
    # constant 10 a night, 30 on the 7 nights after each event: every event has
    # before 70, after 210 -> naive ratio 3, log ratio log(210.5/70.5).
    y = np.full(400, 10.0)
    events = [60, 130, 200, 270, 340]
    for p in events:
        y[p + 1 : p + 8] = 30
    r = st.run_study(series(y), NIGHTS[events], window=7, n_placebo=2_000, seed=1)
    assert r.naive_before == 5 * 70 and r.naive_after == 5 * 210
    assert r.naive_ratio == pytest.approx(3.0)
    assert r.observed == pytest.approx(math.log(210.5 / 70.5))
    assert r.p_value < 0.01 and r.p_upper < 0.005
    assert r.model.ratio == pytest.approx(3.0, rel=0.02)
    assert r.model.low > 2
    assert "consistent with an increase" in r.verdict


def test_no_effect_gives_no_evidence():
    rng = np.random.default_rng(3)
    y = rng.poisson(50, 400)
    r = st.run_study(series(y), NIGHTS[[80, 160, 240, 320]], window=7, n_placebo=999, seed=0)
    assert r.model.low < 1 < r.model.high or r.p_value >= 0.05
    assert "consistent with" not in r.verdict


def test_pure_trend_false_positive_rate_near_five_percent():
    # a rising trend with Poisson noise and no event effect: over 300 random sets of
    # 5 event dates the placebo p-value should fall below 0.05 about 5 % of the time
    # (binomial sd for 300 draws at 5 % is 1.3 %, so 1 %..10 % is a wide, safe band).
    rng = np.random.default_rng(42)
    lam = np.linspace(20, 150, 400)
    hits = 0
    runs = 300
    for i in range(runs):
        y = rng.poisson(lam)
        dates = NIGHTS[np.sort(rng.choice(np.arange(20, 380), 5, replace=False))]
        r = st.run_study(series(y), dates, window=7, n_placebo=499, seed=i, model=False)
        hits += r.p_value < 0.05
    assert 0.01 <= hits / runs <= 0.10


def test_same_seed_same_answer_other_seed_differs():
    rng = np.random.default_rng(0)
    s = series(rng.poisson(30, 300))
    a = st.run_study(s, NIGHTS[[50, 150, 250]], n_placebo=999, seed=7, model=False)
    b = st.run_study(s, NIGHTS[[50, 150, 250]], n_placebo=999, seed=7, model=False)
    c = st.run_study(s, NIGHTS[[50, 150, 250]], n_placebo=999, seed=8, model=False)
    assert np.array_equal(a.placebo, b.placebo)
    assert not np.array_equal(a.placebo, c.placebo)


def test_interception_rate_study():
    # before 50 %, after 90 % at each event; the pooled naive rates are exactly those
    n = np.full(200, 10.0)
    d = np.full(200, 5.0)
    for p in (50, 120):
        d[p + 1 : p + 4] = 9
    r = st.run_study(
        series(d),
        NIGHTS[[50, 120]],
        window=3,
        n_placebo=999,
        denominator=series(n),
        metric="interception",
    )
    assert r.is_rate
    assert r.naive_before == pytest.approx(0.5) and r.naive_after == pytest.approx(0.9)
    assert r.events["change"].tolist() == pytest.approx([0.4, 0.4])
    assert r.model.ratio > 1


def test_metric_data_and_unknown_metric():
    df = pd.DataFrame(
        {
            "night": NIGHTS[:3],
            "drones_reached": [1, 2, 3],
            "missiles_reached": [0, 1, 1],
            "cruise_launched": [4, 0, 2],
        }
    )
    assert st.metric_data(df, "reached").values.tolist() == [1, 3, 4]
    # a negative night (more shot down than launched in the reports) counts as 0:
    # first night max(-2, 0) + max(0, 0) = 0, the others unchanged 2+1 = 3, 3+1 = 4
    neg = df.assign(drones_reached=[-2, 2, 3])
    assert st.metric_data(neg, "reached").values.tolist() == [0, 3, 4]
    assert st.metric_data(df, "cruise").values.tolist() == [4, 0, 2]
    with pytest.raises(ValueError, match="unknown metric"):
        st.metric_data(df, "tanks")
    with pytest.raises(ValueError, match="needs column"):
        st.metric_data(df, "drones")


def test_news_tally_by_hand():
    # days 1..10 valued 1..10; event on day 6 (value 6), 3 days: before 3+4+5 = 12,
    # after (event day on) 6+7+8 = 21; a window past the end gives NaN
    s = series(np.arange(1, 11))
    assert st.news_tally(s, NIGHTS[5], 3) == (12, 21)
    assert all(math.isnan(v) for v in st.news_tally(s, NIGHTS[8], 3))


def test_charts_written(tmp_path):
    y = np.full(120, 10.0)
    y[61:64] = 20
    r = st.run_study(series(y), NIGHTS[[60]], window=3, n_placebo=199, model=False)
    assert set(charts(r)) == {"bars", "series", "placebo"}
    paths = save_charts(r, tmp_path)
    assert len(paths) == 6 and all(p.stat().st_size > 1000 for p in paths)


# ----------------------------------------------------------------------- real data

CALLS = {"type": "phone_call", "actors": ["USA", "RUS"], "start": "2025-01-01", "end": "2025-12-31"}


def test_real_calls_naive_ratio_matches_independent_sum(real_db):
    r = st.study(**CALLS, window=7, n_placebo=2_000, seed=0, db=real_db)
    d = strikescope.nights(db=real_db).set_index("night")["drones_launched"]
    one = pd.Timedelta(days=1)
    before = after = 0
    for e in r.events["date"]:
        before += d[e - 7 * one : e - one].sum()
        after += d[e + one : e + 7 * one].sum()
    assert r.naive_before == before and r.naive_after == after
    assert len(r.dropped) > 0  # the late-December calls run past the end of the data
    assert 0 < r.p_value <= 1 and r.model.low < r.model.ratio < r.model.high
    assert r.summary().count("Verdict:") == 1


def test_real_placebo_reproducible_to_third_decimal(real_db):
    a = st.study(**CALLS, n_placebo=10_000, seed=0, model=False, db=real_db)
    b = st.study(**CALLS, n_placebo=10_000, seed=0, model=False, db=real_db)
    assert round(a.p_value, 3) == round(b.p_value, 3)
    assert round(a.naive_ratio, 3) == round(b.naive_ratio, 3)


def test_real_riyadh_tally(real_db):
    t = st.tallies(n_placebo=999, db=real_db)
    riyadh = t[t["event"] == "2025-02-18-negotiation_round-rus-sau-usa"].iloc[0]
    d = strikescope.nights(db=real_db).set_index("night")["drones_launched"]
    assert riyadh["data_before"] == d["2025-01-19":"2025-02-17"].sum()
    assert riyadh["data_after"] == d["2025-02-18":"2025-03-19"].sum()
    assert riyadh["published_after"] == 4776
    assert t["event"].str.contains("phone_call-rus-usa").sum() >= 8


def test_real_sensitivity_counts_variants(real_db):
    ev = st.load_events(**CALLS)
    s = st.sensitivity(
        **CALLS, metrics=("drones", "missiles"), windows=(3, 7), n_placebo=199, db=real_db
    )
    # 2 metrics x 2 windows x (all + each event left out); unusable sets are skipped
    assert len(s) <= 2 * 2 * (1 + len(ev)) and len(s) >= 2 * 2
    assert (s["placebo_p_holm"] >= s["placebo_p"]).all()
    assert f"{len(s)} variants" in s.attrs["note"]


def test_cli_study_and_tallies(real_db, tmp_path):
    runner = typer.testing.CliRunner()
    res = runner.invoke(
        app,
        [
            "study",
            "--type",
            "phone_call",
            "--actors",
            "USA,RUS",
            "--from",
            "2025-01-01",
            "--placebo",
            "199",
            "--charts",
            str(tmp_path),
            "--db",
            str(real_db),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "Verdict:" in res.output
    assert (tmp_path / "study_series.png").exists()
    res = runner.invoke(
        app,
        [
            "study",
            "--event",
            "2025-07-03-phone_call-rus-usa",
            "--metric",
            "interception",
            "--placebo",
            "199",
            "--format",
            "json",
            "--db",
            str(real_db),
        ],
    )
    assert res.exit_code == 0, res.output
    assert '"metric": "interception"' in res.output
    res = runner.invoke(app, ["study", "--event", "no-such-event", "--db", str(real_db)])
    assert res.exit_code == 1
    res = runner.invoke(
        app, ["study", "tallies", "--placebo", "199", "--format", "json", "--db", str(real_db)]
    )
    assert res.exit_code == 0, res.output
    assert '"published_after": 4776' in res.output


def test_cli_events_filter_equals_the_options(real_db):
    runner = typer.testing.CliRunner()
    common = ["--placebo", "199", "--format", "json", "--db", str(real_db)]
    by_filter = runner.invoke(
        app, ["study", "--events", "type=phone_call actors=USA,RUS from=2025-01-01", *common]
    )
    by_options = runner.invoke(
        app,
        ["study", "--type", "phone_call", "--actors", "USA,RUS", "--from", "2025-01-01", *common],
    )
    assert by_filter.exit_code == 0, by_filter.output
    assert json.loads(by_filter.stdout) == json.loads(by_options.stdout)
    bad = runner.invoke(app, ["study", "--events", "colour=red", "--db", str(real_db)])
    assert bad.exit_code == 1 and "key=value" in bad.output


def test_study_period_stays_within_the_timeline_and_its_longest_window():
    nights = pd.DataFrame({"night": pd.date_range("2025-01-01", "2025-12-31")})
    event = pd.Series([pd.Timestamp("2025-06-01")])
    # 180 nights each side: the whole year
    whole = st.study_period(nights, event, 180)
    assert (whole.night.min(), whole.night.max()) == (pd.Timestamp("2025-01-01"),
                                                       pd.Timestamp("2025-11-28"))
    # a timeline from 1 March to 10 June: 14 nights (the longest window) beyond each end
    part = st.study_period(nights, event, 180, covered=("2025-03-01", "2025-06-10"))
    assert (part.night.min(), part.night.max()) == (pd.Timestamp("2025-02-15"),
                                                     pd.Timestamp("2025-06-24"))
