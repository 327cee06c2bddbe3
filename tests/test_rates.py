"""Defense rates from the same report rows, and records of a nightly series."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import strikescope
from strikescope.analysis.rates import (
    Rate,
    night_rates,
    outcome_rows,
    pct,
    rate_sentence,
    record_context,
    records,
)
from strikescope.brief import brief

NIGHT = {"time_start": "2025-03-01 18:00", "time_end": "2025-03-02 06:00"}
EARLIER = {"time_start": "2025-02-27 18:00", "time_end": "2025-02-28 06:00"}
POST = "kpszsu/posts/p1"


def _rows(*parts):
    """Detail rows: (rec, kind, class, model, launched, destroyed, lost)."""
    return pd.DataFrame([
        {"file": "f.csv", "rec": rec, "kind": kind, "weapon_class": cls, "model": model,
         "launched": launched, "destroyed": destroyed, "not_reach_goal": lost,
         "counted": True, "long_range": True}
        for rec, kind, cls, model, launched, destroyed, lost in parts])


def test_split_group_row_is_summed_back():
    # a group row split into 77 + 28 + 10 launches, its 99 shot down on the remainder
    # part; with 3 + 6 + 3 single rows (1 + 1 + 1 shot down): 102 of 127
    rows = _rows((1, "missile", "cruise", "X-101", 77, None, None),
                 (1, "missile", "cruise", "Kalibr", 28, None, None),
                 (1, "missile", "cruise", "X-59", 10, None, None),
                 (1, "missile", "mixed", "X-101 and Kalibr and X-59", 0, 99, None),
                 (2, "missile", "aeroballistic", "Kinzhal", 3, 1, None),
                 (3, "missile", "ballistic", "Iskander-M", 6, 1, None),
                 (4, "missile", "cruise", "X-22", 3, 1, None))
    units = outcome_rows(rows)
    assert units.launched.tolist() == [115, 3, 6, 3]
    assert units.classes.iloc[0] == ("cruise",)
    m = night_rates(rows)["missiles"]
    assert (m.launched, m.base, m.destroyed, m.lost) == (127, 127, 102, 0)
    assert round(m.shot_down_pct) == 80
    assert rate_sentence(m) == ("102 of 127 missiles with a reported outcome were shot "
                                "down (80 %), none reported lost to electronic warfare; "
                                "25 not reported as stopped.")


def test_no_outcome_reported():
    m = night_rates(_rows((1, "missile", "cruise", "Kalibr", 8, None, None)))["missiles"]
    assert (m.launched, m.base, m.shot_down_pct) == (8, 0, None)
    assert rate_sentence(m) == "No shot-down figure was reported for the 8 missiles launched."
    one = night_rates(_rows((1, "missile", "cruise", "Kalibr", 1, None, None)))["missiles"]
    assert rate_sentence(one) == "No shot-down figure was reported for the 1 missile launched."


def test_partial_outcome_uses_only_rows_with_an_outcome():
    # 40 drones with 30 shot down and 5 lost; 60 more in a report without an outcome:
    # the rate is 30 / 40 = 75 %, stopped 35 / 40 = 87.5 % (printed 88 %), not 30 / 100
    rows = _rows((1, "drone", "strike_drone", "Shahed", 40, 30, 5),
                 (2, "drone", "strike_drone", "Shahed", 60, None, None))
    d = night_rates(rows)["drones"]
    assert (d.launched, d.base, d.destroyed, d.lost, d.not_stopped) == (100, 40, 30, 5, 5)
    assert rate_sentence(d) == (
        "Of the 100 drones launched, 40 have a reported outcome (the other reports give no "
        "shot-down figure). 30 of 40 drones with a reported outcome were shot down (75 %) "
        "and 5 lost to electronic warfare: 35 of 40 stopped (88 %); 5 not reported as "
        "stopped.")


def test_destroyed_above_launched_is_left_out():
    # row 1: 12 launched, 15 shot down (inconsistent in the source); row 2: 10, 1 shot down
    rows = _rows((1, "missile", "cruise", "Kalibr", 12, 15, None),
                 (2, "missile", "ballistic", "Iskander-M", 10, 1, None))
    m = night_rates(rows)["missiles"]
    assert (m.base, m.destroyed, m.inconsistent_rows) == (10, 1, 1)
    assert 0 <= m.shot_down_pct <= 100
    assert rate_sentence(m) == (
        "Of the 22 missiles launched, 10 have a reported outcome (figures that do not add "
        "up are left out, see below). "
        "1 of 10 missiles with a reported outcome was shot down (10 %), none reported lost "
        "to electronic warfare; 9 not reported as stopped. Left out of the rate: 1 report "
        "row gives more missiles shot down or lost (15 shot down) than launched (12).")
    # shot down plus lost above launched is as inconsistent
    lost = night_rates(_rows((1, "drone", "strike_drone", "Shahed", 10, 6, 5)))["drones"]
    assert (lost.base, lost.inconsistent_rows, lost.shot_down_pct) == (0, 1, None)
    # 6 shot down and 5 lost of 10: the sentence gives both, so that the excess (11 > 10)
    # can be read off it rather than "6 shot down ... than launched (10)"
    assert rate_sentence(lost).endswith(
        "Left out of the rate: 1 report row gives more drones shot down or lost (6 shot "
        "down and 5 lost) than launched (10).")


def test_pct_never_rounds_to_all_or_none():
    assert pct(99.6) == "over 99 %" and pct(0.4) == "under 1 %"
    assert pct(100.0) == "100 %" and pct(0.0) == "0 %" and pct(None) == "n/a"
    assert pct(80.31) == "80 %"


def test_rate_properties_by_hand():
    r = Rate("drones", launched=50, base=40, destroyed=20, lost=10, inconsistent_rows=0)
    assert (r.stopped, r.not_stopped, r.shot_down_pct, r.stopped_pct) == (30, 10, 50, 75)


@pytest.fixture
def edge_db(release, tmp_path):
    """Night ending 2025-03-02: a group row of 9 + 3 cruise missiles with one figure of 10
    shot down; 4 ballistic missiles without an outcome; 5 drones with 7 shot down (the
    source says more shot down than launched). Night ending 2025-02-28: 20 drones."""
    path = release([
        {**NIGHT, "model": "X-101/X-555 and Kalibr", "launched": "12", "destroyed": "10",
         "launched_details": "{'X-101/X-555': 9, 'Kalibr': 3}", "source": POST},
        {**NIGHT, "model": "Iskander-M", "launched": "4", "source": POST},
        {**NIGHT, "model": "Shahed-136/131", "launched": "5", "destroyed": "7",
         "source": POST},
        {**EARLIER, "model": "Shahed-136/131", "launched": "20", "destroyed": "20",
         "source": "kpszsu/posts/p0"},
    ])
    db = tmp_path / "edge.duckdb"
    strikescope.ingest([path], db=db)
    return db


def test_brief_sentences_on_edge_cases(edge_db):
    md = brief(night="2025-03-02", db=edge_db, published="2025-03-03").markdown
    defenses = md[md.index("## The defenses"):md.index("## The diplomatic")]
    # missiles: 16 launched, 12 with an outcome (the group), 10 shot down -> 83 %
    assert ("Of the 16 missiles launched, 12 have a reported outcome (the other reports give "
            "no shot-down figure). 10 of 12 missiles with a reported outcome were shot down "
            "(83 %)") in defenses
    # drones: the one row says 7 of 5; no rate, the row is named
    assert "No shot-down figure that adds up was reported for the 5 drones launched." \
        in defenses
    assert "1 report row gives more drones shot down or lost (7 shot down) than launched (5)" \
        in defenses
    assert "%" not in defenses.split("drones launched")[1].split(".")[0]
    # 21 weapons against 20 the night before: a record, with the previous one named
    assert ("21 long-range weapons, a record: more than on any earlier night in the data "
            "(the previous record, 20, was set on the night ending 28 February 2025)") in md
    # the 5 drones are not a record (20 the night before, the last night with as many);
    # "the most since" the night before would tell nothing, so it is not said
    assert "5 long-range drones, no record (that is 20, on the night ending 28 February " \
           "2025)" in md and "but the most since" not in md
    assert "day(s)" not in md and "date(s)" not in md


# --- records on a hand-built series -----------------------------------------------------------


def _series(values):
    return pd.DataFrame({"night": pd.date_range("2025-01-01", periods=len(values)),
                         "total_launched": values})


def test_record_context_by_hand():
    s = _series([10, 50, 20, 50, 30, 60, 40])
    # night 6 (60) beats the maximum 50, first reached on night 2
    r = record_context(s, "2025-01-06", "total_launched")
    assert r["record"] and r["previous_record"] == 50
    assert r["previous_record_night"] == pd.Timestamp("2025-01-02") and r["since"] is None
    # night 7 (40): no record (60 on night 6), the most since night 6 (60)
    r = record_context(s, "2025-01-07", "total_launched")
    assert not r["record"] and r["since"] == pd.Timestamp("2025-01-06")
    # night 5 (30): the last earlier night with at least 30 is night 4 (50)
    r = record_context(s, "2025-01-05", "total_launched")
    assert r["since"] == pd.Timestamp("2025-01-04") and r["since_value"] == 50
    # night 4 (50) only equals the record: not a record, the most since night 2
    r = record_context(s, "2025-01-04", "total_launched")
    assert not r["record"] and r["since"] == pd.Timestamp("2025-01-02")
    # the first night has nothing to compare with; later nights never count
    assert not record_context(s, "2025-01-01", "total_launched")["record"]
    assert record_context(s.iloc[:3], "2025-01-02", "total_launched")["record"]


def test_records_per_measure_by_hand():
    s = _series([5, 9, 8]).assign(drones_launched=[5, 4, 8], missiles_launched=[0, 5, 0])
    r = records(s, "2025-01-03").set_index("measure")
    # total 8 < 9: no record; drones 8 > 5: record over night 1; no missiles: not listed
    assert not r.loc["total_launched", "record"] and r.loc["drones_launched", "record"]
    assert r.loc["drones_launched", "previous_record_night"] == pd.Timestamp("2025-01-01")
    assert "missiles_launched" not in r.index


# --- the real store ------------------------------------------------------------------------------


def test_real_2024_08_26_missiles(real_db):
    md = brief(night="2024-08-26", db=real_db, published="2024-09-01").markdown
    assert "102 of 127 missiles with a reported outcome were shot down (80 %)" in md


def test_real_2024_11_26_names_the_drone_record(real_db):
    md = brief(night="2024-11-26", db=real_db, published="2024-12-01").markdown
    nights = strikescope.nights(end="2024-11-25", db=real_db)
    before = nights.drones_launched.max()
    first = nights.loc[nights.drones_launched == before, "night"].iloc[0]
    assert before < 188
    assert (f"188 long-range drones, a record: more than on any earlier night in the data "
            f"(the previous record, {before}, was set on the night ending "
            f"{first:%d %B %Y})") in md
    assert "Record 188 drones" in md


@pytest.mark.parametrize(("night", "later"), [("2025-07-04", "Trump–Zelensky phone call"),
                                              ("2025-07-09", "14 July")])
def test_real_context_is_before_the_night(real_db, night, later):
    md = brief(night=night, db=real_db, published="2025-07-20").markdown
    section = md[md.index("## The diplomatic"):md.index("## The regional")]
    context, after = section.split("After the attack")
    dated = r"^\* (\d\d \w+):"
    before = [pd.Timestamp(f"{d} 2025") for d in re.findall(dated, context, re.M)]
    assert all(d < pd.Timestamp(night) for d in before)
    assert all(pd.Timestamp(f"{d} 2025") >= pd.Timestamp(night)
               for d in re.findall(dated, after, re.M))
    assert later in after


# --- every night of the real store ---------------------------------------------------------

NUM = r"([\d,]+)"
PCT = r"\(([^)]*%|n/a)\)"


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def _check_pct(num: int, den: int, printed: str) -> None:
    assert 0 <= num <= den and den > 0
    assert printed == pct(100 * num / den), (num, den, printed)


def _check_defenses(text: str, t) -> int:
    """Every figure of the defense sentences against the others and the night's totals;
    the number of rate sentences checked."""
    seen = 0
    for kind in ("drones", "missiles"):
        one = kind[:-1]
        m = re.search(rf"Of the {NUM} {kind} launched, {NUM} have", text)
        launched = t[f"{kind}_launched"]
        if m:
            assert _int(m[1]) == launched and _int(m[2]) < launched
        m = re.search(rf"{NUM} of {NUM} {one}s? with a reported outcome (?:was|were) shot "
                      rf"down {PCT}", text)
        if not m:
            continue
        down, base = _int(m[1]), _int(m[2])
        _check_pct(down, base, m[3])
        seen += 1
        assert base <= launched
        rest = text[m.end():].split(".")[0]
        lost = re.match(rf" and {NUM} lost to electronic warfare: {NUM} of {NUM} stopped "
                        rf"{PCT}; {NUM} not reported as stopped", rest)
        if lost:
            n_lost, stopped, base2 = _int(lost[1]), _int(lost[2]), _int(lost[3])
            assert stopped == down + n_lost and base2 == base
            _check_pct(stopped, base, lost[4])
            assert _int(lost[5]) == base - stopped
        else:
            m2 = re.match(rf", none reported lost to electronic warfare; {NUM} not reported "
                          rf"as stopped", rest)
            assert m2 and _int(m2[1]) == base - down, rest
    return seen


def _check_weapons(text: str) -> None:
    for m in re.finditer(rf"^\| [^|]+ \| {NUM}\[\^\d+\] \| (?:{NUM} \| {NUM} {PCT}|— \| —) \|$",
                         text, re.M):
        if m[2]:
            launched, base, down = _int(m[1]), _int(m[2]), _int(m[3])
            assert base <= launched
            _check_pct(down, base, m[4])
    for m in re.finditer(rf"{NUM} of {NUM} shot down {PCT}", text):
        _check_pct(_int(m[1]), _int(m[2]), m[3])


def _check_records(text: str, nights: pd.DataFrame, night) -> int:
    seen = 0
    for m in re.finditer(rf"{NUM} ([a-zA-Z() -]+?), a record: more than on any earlier "
                         rf"night in the data \(the previous record, {NUM}, ", text):
        assert _int(m[1]) > _int(m[3])
        seen += 1
    for m in re.finditer(rf"{NUM} ([a-zA-Z() -]+?), no record \(that is {NUM}, on the night "
                         rf"ending [^)]+\) but the most since the night ending ([^,]+), "
                         rf"which had {NUM}", text):
        value, top, since_value = _int(m[1]), _int(m[3]), _int(m[5])
        assert value <= top and value <= since_value
        since = pd.Timestamp(m[4])
        between = nights[(nights.night > since) & (nights.night < night)]
        if m[2] == "long-range weapons":
            assert (between.total_launched < value).all()
        assert (night - since).days >= 7  # a few nights back is not said
        seen += 1
    for m in re.finditer(rf"{NUM} ([a-zA-Z() -]+?), no record \(that is {NUM}, on the night "
                         rf"ending [^)]+\)(?! but the most since)", text):
        assert _int(m[1]) <= _int(m[3])
        seen += 1
    return seen


@pytest.mark.slow
def test_every_night_rates_and_sentences(real_db):
    """Over every night of the store: the brief's defense, weapon and record sentences and
    the night page's rates are in [0, 100 %] and add up."""
    from strikescope import api
    from strikescope.brief import Figures, Footnotes, _comparison, _defenses, _period, _weapons
    from strikescope.rules.nights import night_detail

    nights = strikescope.nights(db=real_db)
    checked = rates = compared = 0
    with api.connect(real_db, read_only=True) as store:
        for night in nights.night[nights.total_launched > 0]:
            detail = night_detail(store.con, night)
            t = detail.totals
            for r in night_rates(detail.rows).values():
                assert r.launched == t[f"{r.kind}_launched"]
                assert 0 <= r.stopped <= r.base <= r.launched
                for share in (r.shot_down_pct, r.stopped_pct):
                    assert share is None or 0 <= share <= 100
            fig = Figures(_period(night=night), nights[nights.night <= night], night, detail,
                          detail.rows[detail.rows.counted])
            notes = Footnotes()
            rates += _check_defenses(_defenses(fig, notes), t)
            _check_weapons(_weapons(fig, notes))
            compared += _check_records(_comparison(fig, notes), nights, night)
            checked += 1
    # the patterns must have met the sentences: most nights give a rate and a comparison
    assert checked == (nights.total_launched > 0).sum() > 800
    assert rates > checked and compared > 2 * checked


# --- the night page and the API -------------------------------------------------------------


@pytest.fixture(scope="module")
def client(real_db, tmp_path_factory):
    from fastapi.testclient import TestClient

    from strikescope.web import create_app

    events = tmp_path_factory.mktemp("events") / "user_events.csv"
    return TestClient(create_app(db=real_db, events_file=events))


def test_night_api_rates_records_and_context(client):
    body = client.get("/api/v1/night/2024-08-26").json()
    missiles = next(d for d in body["defenses"] if d["kind"] == "missiles")
    assert (missiles["launched_with_outcome"], missiles["destroyed"]) == (127, 102)
    recs = {r["measure"]: r for r in client.get("/api/v1/night/2024-11-26").json()["records"]}
    assert recs["drones_launched"]["record"] and recs["drones_launched"]["value"] == 188
    assert not recs["total_launched"]["record"] and recs["total_launched"]["since"]
    ctx = client.get("/api/v1/night/2025-07-04/context").json()
    after = {e["title"] for e in ctx if not e["before"]}
    assert "Trump–Zelensky phone call" in after
    assert all(e["date"] < "2025-07-04" for e in ctx if e["before"])


def test_night_page_shows_rates_and_after_the_attack(client):
    html = client.get("/night/2024-08-26").text
    assert "102 of 127 missiles with a reported outcome were shot down (80 %)" in html
    html = client.get("/night/2025-07-04").text
    before, after = html.split("After the attack")
    assert "Trump–Zelensky phone call" in after.split("<h2>")[0]
    assert "Trump–Zelensky phone call" not in before.split("Before the night ended")[1]
