"""Hand-built fixtures for the night rules: every expected figure worked out by hand."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strikescope
from strikescope.rules.nights import night_of, split_group_row
from strikescope.store import Store

NAT = "kpszsu/posts/night1"
REG = "PvKPivden/posts/night1"


def ingest(release, rows, tmp_path):
    db = tmp_path / "s.duckdb"
    strikescope.ingest([release(rows)], db=db)
    return db


def totals(db, night):
    return strikescope.nights(night, night, db=db).iloc[0]


def test_night_rule():
    assert night_of(pd.Timestamp("2025-07-04 06:00")) == pd.Timestamp("2025-07-04")
    assert night_of(pd.Timestamp("2025-07-04 17:59")) == pd.Timestamp("2025-07-04")
    assert night_of(pd.Timestamp("2025-07-04 18:00")) == pd.Timestamp("2025-07-04")
    assert night_of(pd.Timestamp("2025-07-04 18:01")) == pd.Timestamp("2025-07-05")
    assert night_of(pd.Timestamp("2025-07-04"), has_time=False) == pd.Timestamp("2025-07-04")


def test_group_row_with_details_is_split(release, tmp_path):
    db = ingest(release, [{
        "time_start": "2025-07-04 01:00", "time_end": "2025-07-04 06:00",
        "model": "Iskander-M/KN-23 and Iskander-K and Kalibr", "launched": "38",
        "destroyed": "20", "launched_details": "{'Iskander-M/KN-23': 25, 'Iskander-K': 10, "
        "'Kalibr': 3}", "source": NAT}], tmp_path)
    t = totals(db, "2025-07-04")
    assert (t.ballistic_launched, t.cruise_launched, t.mixed_launched) == (25, 13, 0)
    assert t.missiles_launched == 38 and t.missiles_destroyed == 20
    # the group's 20 shot down are of all its 38 launches, not of the empty remainder
    assert (t.missiles_launched_with_outcome, t.missiles_reached) == (38, 18)


def test_group_details_short_of_total_keep_the_rest(release, tmp_path):
    db = ingest(release, [{
        "time_start": "2025-07-04 01:00", "time_end": "2025-07-04 06:00",
        "model": "X-101/X-555 and Kalibr", "launched": "70",
        "launched_details": "{'X-101/X-555': 50, 'Kalibr': NaN}", "source": NAT}], tmp_path)
    t = totals(db, "2025-07-04")
    assert (t.cruise_launched, t.mixed_launched, t.missiles_launched) == (50, 20, 70)


def test_group_row_without_details_is_kept_whole(release, tmp_path):
    db = ingest(release, [{
        "time_start": "2025-07-04 01:00", "time_end": "2025-07-04 06:00",
        "model": "X-47 Kinzhal and Iskander-M", "launched": "5", "destroyed": "2",
        "source": NAT}], tmp_path)
    t = totals(db, "2025-07-04")
    assert (t.mixed_launched, t.missiles_launched, t.missiles_destroyed) == (5, 5, 2)


def test_split_never_loses_a_count():
    parts = split_group_row("k", "A and B", "missile", 10, 4, None, None,
                            {"Kalibr": 3, "X-59": 2})
    assert sum(p[6] for p in parts) == 10
    assert split_group_row("k", "A and B", "missile", 3, None, None, None,
                           {"Kalibr": 3, "X-59": 2}) == []  # details exceed total: keep whole


def test_national_and_regional_report_of_one_night(release, tmp_path):
    rows = [
        {"time_start": "2025-07-03 18:00", "time_end": "2025-07-04 06:00",
         "model": "Shahed-136/131", "launched": "100", "destroyed": "80", "source": NAT},
        {"time_start": "2025-07-03 18:00", "time_end": "2025-07-04 06:00",
         "model": "Iskander-M", "launched": "2", "destroyed": "0", "source": NAT},
        # the regional command repeats part of the national count ...
        {"time_start": "2025-07-04", "time_end": "2025-07-04", "model": "Shahed-136/131",
         "launched": "30", "destroyed": "30", "source": REG},
        {"time_start": "2025-07-04", "time_end": "2025-07-04", "model": "Iskander-M",
         "launched": "2", "destroyed": "0", "source": REG},
        # ... and adds tactical drones that the national report leaves out
        {"time_start": "2025-07-04", "time_end": "2025-07-04", "model": "Lancet",
         "launched": "3", "destroyed": "3", "source": REG},
    ]
    t = totals(ingest(release, rows, tmp_path), "2025-07-04")
    assert (t.drones_launched, t.drones_destroyed, t.missiles_launched) == (100, 80, 2)
    assert t.short_range_drones_launched == 3 and t.tactical_uav_launched == 3


def test_regional_report_counts_when_national_is_silent(release, tmp_path):
    rows = [{"time_start": "2025-07-09", "time_end": "2025-07-09", "model": "Iskander-M",
             "launched": "1", "destroyed": "0", "source": REG}]
    assert totals(ingest(release, rows, tmp_path), "2025-07-09").missiles_launched == 1


def test_one_post_with_different_windows_is_one_night(release, tmp_path):
    rows = [
        {"time_start": "2025-07-03 18:00", "time_end": "2025-07-04 09:00",
         "model": "Shahed-136/131", "launched": "50", "destroyed": "40", "source": NAT},
        {"time_start": "2025-07-04 02:00", "time_end": "2025-07-04 06:00",
         "model": "Kalibr", "launched": "4", "destroyed": "4", "source": NAT},
        # an evening window that ends after 18:00 belongs to the next night on its own ...
        {"time_start": "2025-07-04 19:00", "time_end": "2025-07-04 20:00",
         "model": "X-59", "launched": "1", "destroyed": "1", "source": "kpszsu/posts/eve"},
    ]
    db = ingest(release, rows, tmp_path)
    t = totals(db, "2025-07-04")
    assert (t.drones_launched, t.missiles_launched, t.total_launched) == (50, 4, 54)
    assert totals(db, "2025-07-05").missiles_launched == 1


def test_reached_subtracts_shot_down_and_lost(release, tmp_path):
    rows = [{"time_start": "2025-07-03 18:00", "time_end": "2025-07-04 06:00",
             "model": "Shahed-136/131", "launched": "100", "destroyed": "70",
             "not_reach_goal": "20", "source": NAT}]
    t = totals(ingest(release, rows, tmp_path), "2025-07-04")
    assert (t.drones_destroyed, t.drones_not_reach_goal, t.drones_reached) == (70, 20, 10)


def test_quiet_nights_are_zero_in_the_dense_calendar(release, tmp_path):
    rows = [{"time_start": d, "time_end": d, "model": "Kalibr", "launched": "1",
             "source": f"kpszsu/posts/{d}"} for d in ("2025-01-01", "2025-01-04")]
    df = strikescope.nights(db=ingest(release, rows, tmp_path))
    assert list(df.missiles_launched) == [1, 0, 0, 1]


@pytest.mark.slow
def test_real_outcome_denominators_cover_the_shot_down(real_db):
    # 2024-08-26: the Air Force said 102 of 127 missiles; five nights with split group rows
    # had their denominators cut to the ungrouped launches before
    df = strikescope.nights(db=real_db)
    day = df.loc[df.night == "2024-08-26"].iloc[0]
    assert (day.missiles_launched_with_outcome, day.missiles_destroyed) == (127, 102)
    for kind in ("drones", "missiles"):
        assert (df[f"{kind}_destroyed"] <= df[f"{kind}_launched_with_outcome"]).all()


@pytest.mark.slow
def test_real_night_of_4_july_2025(real_db):
    t = totals(real_db, "2025-07-04")
    assert (t.drones_launched, t.missiles_launched, t.total_launched) == (539, 11, 550)
    detail = strikescope.night("2025-07-04", db=real_db)
    assert any(s.startswith("kpszsu/") for s in detail.sources)
    assert "539 drones and 11 missiles" in detail.summary()


@pytest.mark.slow
@pytest.mark.parametrize("night,missiles,drones", [
    ("2024-08-26", 127, 109),  # the largest combined strike of summer 2024
    ("2023-12-29", 122, 36),
    ("2024-11-17", 120, 90),
])
def test_real_published_combined_strikes(real_db, night, missiles, drones):
    t = totals(real_db, night)
    assert (t.missiles_launched, t.drones_launched) == (missiles, drones)


def test_one_post_id_reused_weeks_apart_is_two_attacks(release, tmp_path):
    rows = [
        {"time_start": "2024-08-26 03:00", "time_end": "2024-08-26 12:00", "model": "Kalibr",
         "launched": "28", "source": NAT},
        {"time_start": "2024-12-25 05:00", "time_end": "2024-12-25 10:00", "model": "Kalibr",
         "launched": "12", "source": NAT},
    ]
    db = ingest(release, rows, tmp_path)
    assert totals(db, "2024-08-26").missiles_launched == 28
    assert totals(db, "2024-12-25").missiles_launched == 12


def test_regions_and_kyiv_flag(release, tmp_path):
    rows = [{"time_start": "2025-07-03 18:00", "time_end": "2025-07-04 06:00",
             "model": "Shahed-136/131", "launched": "10", "target": "Ukraine",
             "affected region": "['Kyiv', 'Lviv oblast']", "source": NAT}]
    t = totals(ingest(release, rows, tmp_path), "2025-07-04")
    assert bool(t.kyiv_targeted) and list(t.regions) == ["kyiv_city", "lviv"]


def test_reached_is_never_negative_when_counts_overshoot(release, tmp_path):
    # 9 shot down + 5 lost > 10 launched: loaded with a warning, reached floors at 0
    rows = [{"time_start": "2025-07-03 18:00", "time_end": "2025-07-04 06:00",
             "model": "Shahed-136/131", "launched": "10", "destroyed": "9",
             "not_reach_goal": "5", "source": NAT}]
    assert totals(ingest(release, rows, tmp_path), "2025-07-04").drones_reached == 0


@pytest.mark.slow
def test_real_reached_is_never_negative(real_db):
    df = strikescope.nights(db=real_db)
    assert (df.drones_reached >= 0).all() and (df.missiles_reached >= 0).all()


def test_summed_class_adds_every_source_and_is_named_by_its_best_rank(release, tmp_path):
    """A policy that sums strike drones: the national 100 and the regional 30 both count
    (130), and the class is named by the best rank among them (national)."""
    import duckdb

    from strikescope.config import package_data
    from strikescope.store import Store

    rows = [
        {"time_start": "2025-07-03 18:00", "time_end": "2025-07-04 06:00",
         "model": "Shahed-136/131", "launched": "100", "destroyed": "80", "source": NAT},
        {"time_start": "2025-07-04", "time_end": "2025-07-04", "model": "Shahed-136/131",
         "launched": "30", "destroyed": "30", "source": REG},
        {"time_start": "2025-07-04", "time_end": "2025-07-04", "model": "Lancet",
         "launched": "3", "destroyed": "3", "source": REG},
    ]
    db = ingest(release, rows, tmp_path)
    policy = tmp_path / "policy.toml"
    policy.write_text(package_data("policy.toml").read_text("utf-8")
                      + 'strike_drone = "sum"\n', encoding="utf-8")
    with Store(db) as store:
        store.rebuild(str(policy))
    con = duckdb.connect(str(db), read_only=True)
    got = con.execute("SELECT weapon_class, launched, destroyed, rank_name, sources "
                      "FROM night_classes ORDER BY weapon_class").fetchall()
    con.close()
    assert got == [("strike_drone", 130, 110, "national", sorted([NAT, REG])),
                   ("tactical_uav", 3, 3, "regional", [REG])]


@settings(max_examples=300, deadline=None)
@given(st.tuples(
    st.sampled_from(["", "https://", "http://", "www.", "t.me/", "facebook.com/",
                     "https://www.facebook.com/", "HTTPS://"]),
    st.sampled_from(["kpszsu", "KPSZSU", "PvKPivden", "pvkpivden", "GeneralStaff.ua",
                     "kharkivoda.gov.ua", "kpszs", "kpszsux", "www", "t", ""]),
    st.sampled_from(["", "/", "/posts/pfbid0abc", "?x=1", "#top", "x/y", "//"])))
def test_policy_channels_read_off_a_post_as_the_pattern_reads_them(parts):
    import duckdb

    from strikescope.rules.nights import CHANNEL_SQL, channel_sql, load_policy

    source = "".join(parts)
    fast, slow = duckdb.sql(
        f"SELECT {channel_sql(load_policy())}, {CHANNEL_SQL} FROM (SELECT $s AS source)",
        params={"s": source}).fetchall()[0]
    assert fast == slow, source


def test_report_regions_name_each_region_of_a_row_once(release, tmp_path):
    base = {"time_start": "2025-07-03 18:00", "time_end": "2025-07-04 06:00",
            "launched": "1", "source": NAT}
    rows = [
        # Kyiv in target and in affected region: once; rows 1 and 2 name the same three cells
        {**base, "model": "Shahed-136/131", "target": "Kyiv",
         "affected region": "['Kyiv', 'Lviv oblast']"},
        {**base, "model": "Kalibr", "target": "Kyiv", "affected region": "['Kyiv', 'Lviv oblast']"},
        {**base, "model": "Kh-101", "target": "Ukraine"},  # no region
        {**base, "model": "Iskander-M", "target_main": "Odesa"},
    ]
    db = ingest(release, rows, tmp_path)
    with Store(db, read_only=True) as store:
        got = store.con.execute(
            "SELECT row_id, region_id FROM report_regions ORDER BY ALL").fetchall()
    assert got == [(1, "kyiv_city"), (1, "lviv"), (2, "kyiv_city"), (2, "lviv"), (4, "odesa")]


def _night_class_rows(db) -> list[tuple]:
    with Store(db, read_only=True) as store:
        return store.con.execute(
            "SELECT night::VARCHAR, k.weapon_class, n.* EXCLUDE (night, ck) "
            "FROM night_class_rows n JOIN class_keys k USING (ck) ORDER BY ALL").fetchall()


def test_night_class_rows_of_one_part_and_of_two(release, tmp_path):
    base = {"model": "Shahed-136/131", "source": NAT}
    rows = [
        # 2025-07-04: one part, no shot-down count: no outcome figures, not even zeros
        {**base, "time_start": "2025-07-03 18:00", "time_end": "2025-07-04 06:00",
         "launched": "10", "source": "kpszsu/posts/night0"},
        # 2025-07-05: two parts of one class; the outcome figures come from the first only
        {**base, "time_start": "2025-07-04 18:00", "time_end": "2025-07-05 06:00",
         "launched": "10", "destroyed": "7", "not_reach_goal": "2"},
        {**base, "time_start": "2025-07-04 19:00", "time_end": "2025-07-05 06:00",
         "launched": "5"},
    ]
    got = _night_class_rows(ingest(release, rows, tmp_path))
    # launched, with outcome, destroyed, lost, with lost, airborne, reached, rows, rank
    assert got == [
        ("2025-07-04", "strike_drone", True, 10, None, None, None, None, None, None, 1, 0),
        ("2025-07-05", "strike_drone", True, 15, 10, 7, 2, 10, None, 1, 2, 0),
    ]


def test_night_class_rows_are_the_sums_of_the_counted_parts(real_db):
    with Store(real_db, read_only=True) as store:
        plain = store.con.execute("""
            SELECT p.night::VARCHAR, k.weapon_class, bool_or(p.long_range),
                   CAST(sum(launched) AS BIGINT),
                   CAST(sum(outcome_launched) FILTER (WHERE destroyed IS NOT NULL) AS BIGINT),
                   CAST(sum(destroyed) AS BIGINT),
                   CAST(sum(coalesce(not_reach_goal, 0)) FILTER (WHERE destroyed IS NOT NULL)
                        AS BIGINT),
                   CAST(sum(outcome_launched) FILTER (WHERE not_reach_goal IS NOT NULL)
                        AS BIGINT),
                   CAST(sum(still_attacking) AS BIGINT),
                   CAST(sum(greatest(outcome_launched - destroyed - coalesce(not_reach_goal, 0),
                                     0)) FILTER (WHERE destroyed IS NOT NULL) AS BIGINT),
                   count(*), min(rank)
            FROM parts p JOIN class_keys k ON k.weapon_class = p.weapon_class
             AND k.kind IS NOT DISTINCT FROM p.kind
            WHERE p.counted GROUP BY p.night, k.ck, k.weapon_class ORDER BY ALL""").fetchall()
    stored = _night_class_rows(real_db)
    assert len(stored) > 2000 and stored == plain
