import shutil

import numpy as np
import pandas as pd
import pytest

from strikescope.analysis.alerts import (
    load_alerts,
    merge_intervals,
    night_of,
    night_window,
    read_official,
    read_volunteer,
    shelter_hours,
    split_by_night,
)
from strikescope.config import default_data_dir
from strikescope.regions import regions

ALERTS_DIR = default_data_dir() / "alerts"
needs_data = pytest.mark.skipif(not ALERTS_DIR.is_dir(), reason="reference data missing")
OFFICIAL_HEADER = "oblast,raion,hromada,level,started_at,finished_at,source"
VOLUNTEER_HEADER = "region,started_at,finished_at,naive"


def utc(local: str) -> str:
    """A Kyiv wall-clock time as the UTC text the siren files use."""
    return str(pd.Timestamp(local, tz="Europe/Kyiv").tz_convert("UTC"))


def write(path, header, rows):
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def official(tmp_path, rows, name="official_data_en.csv"):
    lines = [
        f"{oblast},{raion},{hromada},{level},{utc(a)},{utc(b)},official"
        for oblast, raion, hromada, level, a, b in rows
    ]
    return write(tmp_path / name, OFFICIAL_HEADER, lines)


def volunteer(tmp_path, rows, name="volunteer_data_en.csv"):
    lines = [f"{region},{utc(a)},{utc(b)},{naive}" for region, a, b, naive in rows]
    return write(tmp_path / name, VOLUNTEER_HEADER, lines)


def one(hours: pd.DataFrame, night: str, region: str) -> pd.Series:
    row = hours[(hours.night == pd.Timestamp(night)) & (hours.region_id == region)]
    assert len(row) == 1, row
    return row.iloc[0]


def test_night_of_follows_the_18h_boundary_in_kyiv_time():
    times = pd.Series(
        [
            utc("2025-07-03 23:00"),
            utc("2025-07-04 04:00"),
            utc("2025-07-04 17:59"),
            utc("2025-07-04 18:00"),
        ]
    )
    nights = night_of(pd.to_datetime(times)).strftime("%Y-%m-%d").tolist()
    assert nights == ["2025-07-04", "2025-07-04", "2025-07-04", "2025-07-05"]


def test_dst_nights_last_23_and_25_hours():
    lengths = night_window(["2024-03-30", "2024-03-31", "2024-10-27", "2024-10-28"]).night_hours
    assert lengths.tolist() == [24.0, 23.0, 25.0, 24.0]


def test_overlapping_oblast_and_hromada_alerts_count_once(tmp_path):
    path = official(
        tmp_path,
        [
            ("Kyivska oblast", "", "", "oblast", "2024-01-10 19:00", "2024-01-10 21:00"),
            ("Kyivska oblast", "Obukhivskyi raion", "Ukrainska hromada", "hromada",
             "2024-01-10 20:30", "2024-01-10 22:00"),
        ],
    )  # fmt: skip
    alerts = read_official(path).alerts
    row = one(shelter_hours(alerts), "2024-01-11", "kyiv_oblast")
    assert row.hours_under_alert == pytest.approx(3.0)
    assert (row.n_alerts, row.n_episodes, row.night_hours) == (2, 1, 24.0)
    oblast_only = one(shelter_hours(alerts, levels=["oblast"]), "2024-01-11", "kyiv_oblast")
    assert oblast_only.hours_under_alert == pytest.approx(2.0)
    assert oblast_only.n_alerts == 1


def test_the_two_sources_are_merged_not_added(tmp_path):
    official(
        tmp_path, [("Kyivska oblast", "", "", "oblast", "2024-01-10 19:00", "2024-01-10 21:00")]
    )
    volunteer(tmp_path, [("Kyiv oblast", "2024-01-10 20:00", "2024-01-10 22:00", "False")])
    both = load_alerts(tmp_path, permanent=False)
    row = one(shelter_hours(both.alerts), "2024-01-11", "kyiv_oblast")
    assert row.hours_under_alert == pytest.approx(3.0)
    assert row.n_alerts == 2
    only = load_alerts(tmp_path, sources=["volunteer"], permanent=False)
    assert set(only.alerts.source) == {"volunteer"}


def test_an_alert_crossing_18h_is_split_between_two_nights(tmp_path):
    path = volunteer(tmp_path, [("Kyiv City", "2024-01-10 17:00", "2024-01-10 19:30", "False")])
    hours = shelter_hours(read_volunteer(path).alerts)
    first, second = one(hours, "2024-01-10", "kyiv_city"), one(hours, "2024-01-11", "kyiv_city")
    assert first.hours_under_alert == pytest.approx(1.0)
    assert second.hours_under_alert == pytest.approx(1.5)
    assert (first.n_alerts, second.n_alerts) == (1, 0)


def test_a_whole_spring_dst_night_is_23_hours(tmp_path):
    path = volunteer(
        tmp_path, [("Kharkivska oblast", "2024-03-30 17:00", "2024-03-31 19:00", "False")]
    )
    hours = shelter_hours(read_volunteer(path).alerts)
    assert hours.hours_under_alert.tolist() == pytest.approx([1.0, 23.0, 1.0])
    assert hours.night_hours.tolist() == [24.0, 23.0, 24.0]


def test_an_autumn_dst_night_is_25_hours(tmp_path):
    path = volunteer(tmp_path, [("Odeska oblast", "2024-10-26 18:00", "2024-10-27 18:00", "False")])
    row = one(shelter_hours(read_volunteer(path).alerts), "2024-10-27", "odesa")
    assert row.hours_under_alert == pytest.approx(25.0) == row.night_hours


def test_quarantine_accounts_for_every_row(tmp_path):
    lines = [
        f"Kyiv City,{utc('2024-01-10 19:00')},{utc('2024-01-10 20:00')},False",
        f"Atlantis,{utc('2024-01-10 19:00')},{utc('2024-01-10 20:00')},False",
        f"Kyiv City,yesterday,{utc('2024-01-10 20:00')},False",
        f"Kyiv City,{utc('2024-01-10 21:00')},{utc('2024-01-10 20:00')},False",
        f"Kyiv City,{utc('2024-01-11 01:00')},,True",
        f"Kyiv City,{utc('2024-01-11 02:00')},,False",
        f"Kyiv City,{utc('2024-01-11 03:00')},{utc('2024-01-11 04:00')},maybe",
    ]
    read = read_volunteer(write(tmp_path / "v.csv", VOLUNTEER_HEADER, lines))
    assert (read.n_read, read.n_loaded, read.n_quarantined) == (7, 2, 5)
    assert read.n_read == read.n_loaded + read.n_quarantined
    assert read.quarantine.row.tolist() == [2, 3, 4, 6, 7]
    assert read.quarantine.field.tolist() == [
        "region",
        "started_at",
        "finished_at",
        "finished_at",
        "naive",
    ]
    assert "before start" in read.quarantine.reason.iloc[2]
    naive = read.alerts[read.alerts.naive].iloc[0]
    assert naive.finished_at - naive.started_at == pd.Timedelta(minutes=30)


def test_naive_alerts_can_be_left_out(tmp_path):
    path = volunteer(
        tmp_path,
        [
            ("Sumska oblast", "2024-01-10 19:00", "2024-01-10 20:00", "False"),
            ("Sumska oblast", "2024-01-10 22:00", "2024-01-10 22:30", "True"),
        ],
    )
    alerts = read_volunteer(path).alerts
    assert shelter_hours(alerts).hours_under_alert.sum() == pytest.approx(1.5)
    assert shelter_hours(alerts, include_naive=False).hours_under_alert.sum() == pytest.approx(1.0)


def test_permanent_alerts_are_reported_but_not_counted_by_default(tmp_path):
    volunteer(tmp_path, [("Kyiv City", "2022-12-11 19:00", "2022-12-11 20:00", "False")])
    read = load_alerts(tmp_path)
    perm = read.alerts[read.alerts.permanent]
    assert sorted(perm.region_id) == ["crimea", "luhansk"]
    assert read.n_loaded == 1 == read.n_read
    hours = shelter_hours(read.alerts, "2022-12-11", "2022-12-11")
    crimea = one(hours, "2022-12-11", "crimea")
    assert crimea.permanent_alert and crimea.hours_under_alert == 0
    counted = shelter_hours(read.alerts, "2022-12-11", "2022-12-11", include_permanent=True)
    assert one(counted, "2022-12-11", "crimea").hours_under_alert == pytest.approx(24.0)


def test_load_alerts_reads_new_releases_and_quarantines_repeats(tmp_path):
    path = volunteer(tmp_path, [("Kyiv City", "2024-01-10 19:00", "2024-01-10 20:00", "False")])
    shutil.copy(path, tmp_path / "volunteer_data_en_2024-12.csv")
    write(tmp_path / "notes.csv", "a,b", ["1,2"])
    read = load_alerts(tmp_path, permanent=False)
    assert (read.n_read, read.n_loaded, read.n_quarantined) == (2, 1, 1)
    assert read.quarantine.reason.tolist() == ["same alert as volunteer_data_en.csv row 1"]
    with pytest.raises(ValueError, match="neither"):
        load_alerts(tmp_path / "notes.csv")


def test_merge_intervals_per_region():
    t = pd.Timestamp("2024-01-01", tz="UTC")
    h = pd.Timedelta(hours=1)
    frame = pd.DataFrame(
        {
            "region_id": ["a", "a", "a", "a", "b"],
            "started_at": [t + 1 * h, t + 2 * h, t + 6 * h, t + 7 * h, t + 2 * h],
            "finished_at": [t + 3 * h, t + 5 * h, t + 7 * h, t + 8 * h, t + 4 * h],
        }
    ).sample(frac=1, random_state=0)
    merged = merge_intervals(frame)
    assert merged.region_id.tolist() == ["a", "a", "b"]
    assert (merged.started_at - t).tolist() == [1 * h, 6 * h, 2 * h]
    assert (merged.finished_at - t).tolist() == [5 * h, 8 * h, 4 * h]
    assert merged.n_alerts.tolist() == [2, 2, 1]


def _brute_force(starts, ends, night):
    """Minutes under alert in one night, by marking every minute of the window."""
    window = night_window([night]).iloc[0]
    minutes = pd.date_range(window.start, window.end, freq="min", inclusive="left")
    covered = np.zeros(len(minutes), dtype=bool)
    for s, e in zip(starts, ends, strict=True):
        covered |= (minutes >= s) & (minutes < e)
    return covered.sum() / 60


def test_vectorised_hours_match_a_brute_force_count_across_dst():
    rng = np.random.default_rng(7)
    base = pd.Timestamp("2024-10-25 12:00", tz="UTC")
    starts = base + pd.to_timedelta(rng.integers(0, 4 * 24 * 60, 40), unit="min")
    ends = starts + pd.to_timedelta(rng.integers(1, 14 * 60, 40), unit="min")
    alerts = pd.DataFrame({"region_id": "odesa", "started_at": starts, "finished_at": ends})
    pieces = split_by_night(merge_intervals(alerts))
    per_night = pieces.groupby("night").hours.sum()
    for night, hours in per_night.items():
        assert hours == pytest.approx(_brute_force(starts, ends, night))


def test_complete_grid_fills_quiet_nights_with_zero(tmp_path):
    path = volunteer(tmp_path, [("Kyiv City", "2024-01-10 19:00", "2024-01-10 20:00", "False")])
    hours = shelter_hours(
        read_volunteer(path).alerts, "2024-01-10", "2024-01-12", ["Kyiv", "Lviv"], complete=True
    )
    assert len(hours) == 6
    assert hours.hours_under_alert.tolist() == [0, 0, 1.0, 0, 0, 0]


@pytest.fixture(scope="module")
def real():
    return load_alerts(ALERTS_DIR)


@needs_data
@pytest.mark.slow
def test_real_files_account_for_every_row(real):
    files = ("official_data_en.csv", "volunteer_data_en.csv")
    assert real.n_read == sum(len(pd.read_csv(ALERTS_DIR / f, usecols=[0])) for f in files)
    assert real.n_read == real.n_loaded + real.n_quarantined
    # Every region has alerts except Sevastopol, which neither file lists.
    assert set(real.alerts.region_id) == set(regions().index) - {"sevastopol"}


@needs_data
@pytest.mark.slow
def test_real_hours_never_exceed_the_night(real):
    hours = shelter_hours(real.alerts, include_permanent=True)
    assert (hours.hours_under_alert <= hours.night_hours + 1e-9).all()
    assert set(hours.night_hours) == {23.0, 24.0, 25.0}
    assert hours.duplicated(["night", "region_id"]).sum() == 0
