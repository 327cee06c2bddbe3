"""`strikescope doctor` on a hand-built store whose every finding is known, and on the real
data."""

from __future__ import annotations

import json

from typer.testing import CliRunner

import strikescope
from strikescope.cli import app

NIGHT = {"time_start": "2025-07-03 18:00", "time_end": "2025-07-04 06:00"}
ROWS = [
    # national: 20 drones shot down 18; 5 cruise missiles with no shot-down count
    {**NIGHT, "model": "Shahed-136/131", "launched": "20", "destroyed": "18",
     "source": "https://t.me/kpszsu/1"},
    {**NIGHT, "model": "X-101/X-555", "launched": "5", "source": "https://t.me/kpszsu/1"},
    # a regional command reports 10 drones the same night
    {**NIGHT, "model": "Shahed-136/131", "launched": "10", "destroyed": "9",
     "source": "https://t.me/PvKPivden/5"},
    # quarantined: a negative count
    {**NIGHT, "model": "Shahed-136/131", "launched": "-3", "source": "https://t.me/kpszsu/2"},
]


def test_doctor_finds_what_the_hand_built_store_holds(release, tmp_path):
    db = tmp_path / "s.duckdb"
    strikescope.ingest([release(ROWS)], db=db)
    report = strikescope.doctor(db=db)
    rel = report.releases.iloc[0]
    assert (rel["read"], rel["loaded"], rel["quarantined"], rel["added"]) == (4, 3, 1, 3)
    assert report.quarantine.to_dict("records") == [
        {"reason": "negative count", "field": "launched", "rows": 1}]
    missing = report.missing_denominators
    assert missing[["weapon_class", "launched", "launched_without_outcome"]].values.tolist() \
        == [["cruise", 5, 5]]
    dis = report.disagreements
    assert dis[["weapon_class", "national", "regional", "difference"]].values.tolist() == [
        ["strike_drone", 20, 10, -10]]
    assert dis["relative"].tolist() == [0.5]
    assert report.problems == [] and report.store["rules_current"]
    # a higher threshold hides the 50 % disagreement
    assert strikescope.doctor(db=db, threshold=0.6).disagreements.empty


def test_doctor_flags_outdated_rules_and_orphans(release, tmp_path):
    db = tmp_path / "s.duckdb"
    strikescope.ingest([release(ROWS[:1])], db=db)
    with strikescope.connect(db) as store:
        store.set_meta("rules_version", "older")
    db.with_name(f".{db.name}.4242.staging").write_bytes(b"")
    out = CliRunner().invoke(app, ["doctor", "--db", str(db)])
    assert out.exit_code == 1
    assert "OUTDATED" in out.output and "staged copy" in out.output


def test_doctor_json_on_the_real_data(real_db):
    out = CliRunner().invoke(app, ["doctor", "--format", "json", "--db", str(real_db)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    current = [r for r in data["releases"] if r["status"] == "current"]
    assert [(r["read"], r["loaded"], r["quarantined"]) for r in current] == [(3246, 3243, 3)]
    assert data["quarantine"] == [{"reason": "missing value", "field": "launched", "rows": 3}]
    # the night of 25-26 August 2024: 118 cruise missiles, a shot-down count for only 3
    aug = [r for r in data["missing_denominators"] if r["night"].startswith("2024-08-26")]
    assert aug and aug[0]["launched"] == 118 and aug[0]["launched_with_outcome"] == 3


def test_doctor_on_a_missing_store_is_a_clear_error(tmp_path):
    out = CliRunner().invoke(app, ["doctor", "--db", str(tmp_path / "none.duckdb")])
    assert out.exit_code == 1 and "no store yet" in out.output


def test_doctor_reports_exact_duplicate_records(release, tmp_path):
    """50 copies of one record: loaded once, the night counts it once, and doctor names
    the release with its 50 copies (not an integrity problem: they were kept out)."""
    db = tmp_path / "s.duckdb"
    strikescope.ingest([release([ROWS[0]] * 51, "repeats.csv")], db=db)
    report = strikescope.doctor(db=db)
    assert report.duplicates[["name", "duplicates"]].values.tolist() == [["repeats.csv", 50]]
    assert "repeats.csv 50" in report.summary()
    assert strikescope.nights(db=db).drones_launched.iloc[0] == 20
    assert report.problems == []


def test_doctor_names_the_reporting_regimes_its_nights_fall_in(release, tmp_path):
    import strikescope
    from strikescope.analysis.doctor import doctor

    rows = [{"time_start": d, "time_end": d, "model": "Shahed-136/131", "launched": "10",
             "destroyed": "8", "source": f"kpszsu/posts/{d}"}
            for d in ("2024-07-01", "2024-07-20")]
    db = tmp_path / "s.duckdb"
    strikescope.ingest([release(rows)], db=db)
    report = doctor(db)
    assert list(report.regimes.regime_id) == ["ew_not_reported", "ew_separate"]
    assert "EW losses reported apart (2024-07-10 .. 2025-07-23)" in report.summary()
    assert [r["regime_id"] for r in report.to_dict()["regimes"]] == [
        "ew_not_reported", "ew_separate"]
