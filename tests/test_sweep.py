"""The truth sweep (tests/sweep.py): its checks catch planted faults, a sample of real
nights passes it, and (slow) every night, week and event brief of the store does."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import strikescope
from strikescope.brief import brief
from tests.sweep import check_brief as check_series_brief
from tests.sweep import later_months, row_nights, sweep

# A post whose rows end on several mornings (one night each), the largest night, the
# last night of the older release and a post the file reuses for nights weeks apart.
SAMPLE = ["2023-07-18", "2023-07-19", "2025-07-04", "2024-11-02", "2022-12-07"]


def test_sample_of_real_nights_keeps_every_invariant(real_db):
    with strikescope.open(real_db) as store:
        res = sweep(store, SAMPLE)
    assert res.nights == len(SAMPLE) and res.briefs == len(SAMPLE)
    assert res.product == []


def _tiny_brief_and_rows(tiny_db):
    with strikescope.open(tiny_db) as store:
        b = brief(night="2025-03-02", db=store, published="2025-03-03")
        series = strikescope.nights(db=store)
        detail = strikescope.night("2025-03-02", db=store)
        rows = row_nights(store)
    return b, series, detail, rows


def test_checks_pass_a_true_brief_and_catch_planted_faults(tiny_db):
    b, series, detail, rows = _tiny_brief_and_rows(tiny_db)
    period = series[series.night == "2025-03-02"]

    def check_brief(brief, period, detail, rows, where):
        return check_series_brief(brief, period, detail, rows, where, series)

    assert check_brief(b, period, detail, rows, "tiny") == []
    # 90 of 100 drones shot down is 90 %: printed as 95 % or 190 %, it must be caught
    for wrong in ("(95 %)", "(190 %)"):
        sections = [(h, t.replace("(90 %)", wrong)) for h, t in b.sections]
        found = check_brief(dataclasses.replace(b, sections=sections), period, detail,
                            rows, "tiny")
        assert found, wrong
    # a title with the national total of another night, a footnote to a missing row
    bad_title = dataclasses.replace(b, title=b.title.replace("100 drones", "140 drones"))
    assert {v.check for v in check_brief(bad_title, period, detail, rows, "tiny")} == {
        "title figures differ from the night"}
    notes = [dict(n, refs=(("kpszsu/posts/p1", "release.csv", 99),)) if n["refs"] else n
             for n in b.footnotes]
    missing = dataclasses.replace(b, footnotes=notes)
    assert "footnote names a row not in the store" in {
        v.check for v in check_brief(missing, period, detail, rows, "tiny")}


def test_later_months_copy_shifts_a_year_and_brings_unseen_models(tmp_path, shared_data):
    out = tmp_path / "later.csv"
    added = later_months(shared_data / "attacks" / "missile_attacks_daily.csv", out)
    df = pd.read_csv(out, dtype=str)
    shifted = df[df.time_end.str.startswith("2026")]
    of_2025 = df.time_end.str.startswith("2025").sum()
    # every row of 2025 copied but one national row of seventeen, at most
    assert len(shifted) == added and of_2025 * 16 // 17 <= added < of_2025
    assert shifted.model.isin(["Geran-3", "Гербера"]).any()
    assert shifted.not_reach_goal.isna().sum() >= added // 3
    assert (shifted.time_end.str.len() == 10).sum() >= added // 12  # bare dates
    above = pd.to_numeric(shifted.destroyed) > pd.to_numeric(shifted.launched)
    assert above.sum() >= added // 14


# Every night and brief of the store takes about ten minutes (benchmarks/sweep.py runs
# them all); the suite sweeps every 14th night, the weeks they fall in and every event.
STEP = 14


@pytest.mark.slow
def test_nights_weeks_and_events_of_the_store_keep_every_invariant(real_db):
    with strikescope.open(real_db) as store:
        days = list(strikescope.nights(db=store)["night"])[::STEP]
        res = sweep(store, days, weeks=True, events=True)
    assert res.nights > 900 // STEP and res.briefs > 2 * (900 // STEP)
    assert res.product == [], "\n".join(map(str, res.product[:20]))
