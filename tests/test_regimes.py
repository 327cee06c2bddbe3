"""Reporting regimes as data, and the defense measure comparable across them."""

from __future__ import annotations

import pandas as pd
import pytest

from strikescope.analysis import campaign
from strikescope.render import campaign as charts
from strikescope.render.charts import add_bands
from strikescope.rules.regimes import regime_of, regimes, regimes_between


def test_regimes_file_is_ordered_and_contiguous():
    df = regimes()
    assert list(df.regime_id) == ["ew_not_reported", "ew_separate", "ew_folded"]
    # each regime starts the night after the previous one ends: no gap, no overlap
    for a, b in zip(df.itertuples(), df.iloc[1:].itertuples(), strict=False):
        assert b.first_night - a.last_night == pd.Timedelta(days=1)
    assert pd.isna(df.first_night.iloc[0]) and pd.isna(df.last_night.iloc[-1])
    assert (df.description.str.len() > 40).all() and (df.evidence.str.len() > 40).all()
    assert (df.note.str.len() > 40).all()


def test_regime_of_and_between_by_hand():
    got = regime_of(["2023-01-01", "2024-07-09", "2024-07-10", "2025-07-23", "2025-07-24"])
    assert list(got) == ["ew_not_reported", "ew_not_reported", "ew_separate", "ew_separate",
                         "ew_folded"]
    assert regimes_between("2025-07-01", "2025-07-31") == ["ew_separate", "ew_folded"]
    assert regimes_between("2024-01-01", "2024-01-31", "stopped_rate") == ["ew_not_reported"]
    assert regimes_between("2024-01-01", "2024-01-31", "drones_launched") == []


def test_defense_table_stopped_rate_by_hand():
    # July 2025: 100 drones, 50 shot down, 40 lost (EW reported apart) -> stopped 90 %;
    # August: 100 drones, 85 "destroyed", 0 lost (EW inside destroyed) -> stopped 85 %
    frame = pd.DataFrame({
        "night": pd.to_datetime(["2025-07-10", "2025-08-10"]),
        "weapon_class": ["strike_drone"] * 2, "kind": ["drone"] * 2, "long_range": [True] * 2,
        "launched": [100, 100], "launched_with_outcome": [100, 100], "destroyed": [50, 85],
        "not_reach_goal": [40, 0], "launched_with_lost": [100, 100], "reached": [10, 15]})
    out = campaign.defense_table(frame, by="month")
    assert list(out.stopped) == [90, 85]
    assert list(out.stopped_rate) == pytest.approx([0.90, 0.85])
    assert list(out.shot_down_rate) == pytest.approx([0.50, 0.85])
    assert list(out.regimes) == ["ew_separate", "ew_folded"]
    fig = charts.defense_chart(out)
    assert "stopped rate" in fig.layout.title.text
    assert len(fig.layout.shapes) == 2  # the two regimes the periods touch


def test_bands_clip_to_the_range():
    import plotly.graph_objects as go

    fig = add_bands(go.Figure(), "2024-01-01", "2024-12-31")
    (a, b) = fig.layout.shapes
    assert (pd.Timestamp(a.x0), pd.Timestamp(a.x1)) == (pd.Timestamp("2024-01-01"),
                                                       pd.Timestamp("2024-07-09"))
    assert pd.Timestamp(b.x1) == pd.Timestamp("2024-12-31")


def test_real_july_august_2025_jump_is_the_reporting(real_db):
    d = campaign.defense(by="month", weapon_class="strike_drone", start="2025-07-01",
                         end="2025-08-31", db=real_db).set_index("period")
    jul, aug = d.iloc[0], d.iloc[1]
    # the shot-down rate jumps by more than 20 points, the stopped rate moves by under 10
    assert aug.shot_down_rate - jul.shot_down_rate > 0.2
    assert abs(aug.stopped_rate - jul.stopped_rate) < 0.1
    assert jul.regimes == "ew_separate + ew_folded" and aug.regimes == "ew_folded"


def test_real_store_matches_the_regime_dates(real_db):
    """The evidence column: no loss figure before 2024-07-10, and from 2025-07-24 a
    non-zero one on two nights only."""
    import duckdb

    con = duckdb.connect(str(real_db), read_only=True)
    first = con.execute("SELECT min(night) FROM parts WHERE counted AND kind = 'drone' "
                        "AND long_range AND not_reach_goal IS NOT NULL").fetchone()[0]
    late = con.execute("SELECT count(DISTINCT night) FROM parts WHERE counted AND "
                       "kind = 'drone' AND long_range AND not_reach_goal > 0 AND "
                       "night >= DATE '2025-07-24'").fetchone()[0]
    con.close()
    assert pd.Timestamp(first) == regimes().first_night.iloc[1]
    assert late == 2


def test_data_page_and_api_list_the_regimes(real_db, tmp_path):
    from fastapi.testclient import TestClient

    from strikescope.web import create_app

    client = TestClient(create_app(db=real_db, events_file=tmp_path / "ev.csv"))
    api = client.get("/api/v1/regimes").json()
    assert [r["regime_id"] for r in api] == list(regimes().regime_id)
    assert "EW losses inside shot down" in client.get("/data").text
    page = client.get("/defense").text
    assert "stopped rate" in page and "2025-07-24 to now" in page


def test_brief_names_the_regime_of_the_night(real_db):
    from strikescope.brief import brief

    md = brief(night="2025-08-04", db=real_db, published="2025-08-05").markdown
    defenses = md[md.index("## The defenses"):md.index("## The diplomatic")]
    assert regimes().set_index("regime_id").at["ew_folded", "note"] in defenses


def test_interception_study_across_a_regime_change_says_so(real_db):
    from strikescope.analysis import study as st
    from strikescope.render.study import charts as study_charts

    r = st.study(["2025-07-03-phone_call-rus-usa"], metric="interception", n_placebo=199,
                 db=real_db)
    assert "Reporting changed inside the study period (ew_separate, ew_folded" in r.summary()
    # two windows and the event line per event, and one band per regime crossed
    assert len(study_charts(r)["series"].layout.shapes) == 3 + 2
    drones = st.study(["2025-07-03-phone_call-rus-usa"], n_placebo=199, db=real_db)
    assert "Reporting changed" not in drones.summary()
