"""Nights left to build after an ingest (`ingest(nights="later")`, or `auto` on a bulk load):
the store says so, the first reader or `build` builds them, and what is built is what an
ingest that built them at once gives."""

import datetime as dt

import pandas as pd
import pytest
from typer.testing import CliRunner

import strikescope.api as api
from strikescope.cli import app
from strikescope.errors import InputError, StoreLayoutError
from strikescope.rules import nights as night_rules
from strikescope.store import Store
from tests.conftest import ATTACKS, NIGHT1, NIGHT2
from tests.test_incremental import THREE_NIGHTS, derived

ROWS = [
    {**NIGHT2, "model": "Shahed-136/131", "launched": "100", "destroyed": "90",
     "source": "kpszsu/posts/p1"},
    {**NIGHT2, "model": "Iskander-M", "launched": "5", "destroyed": "2",
     "source": "kpszsu/posts/p1"},
    {**NIGHT1, "model": "Shahed-136/131", "launched": "40", "destroyed": "40",
     "source": "kpszsu/posts/p0"},
]


def pending(db) -> str | None:
    with Store(db, read_only=True) as store:
        return store.nights_pending()


def tables(db) -> dict[str, pd.DataFrame]:
    with Store(db, read_only=True) as store:
        return derived(store)


def assert_same_nights(a, b) -> None:
    got, want = tables(a), tables(b)
    for name, frame in want.items():
        pd.testing.assert_frame_equal(got[name], frame, obj=name)


def test_later_leaves_the_nights_to_the_first_read(release, tmp_path):
    path = release(ROWS)
    later, now = tmp_path / "later.duckdb", tmp_path / "now.duckdb"
    api.ingest([path], db=later, nights="later")
    api.ingest([path], db=now, nights="now")
    assert (pending(later), pending(now)) == ("full", None)
    with Store(later, read_only=True) as store:
        assert not store.has_table("night_class_rows")
    # 100 + 40 drones, 5 missiles, as the tiny store's nights by hand; built by this read
    nights = api.nights(db=later)
    assert (nights.drones_launched.sum(), nights.missiles_launched.sum()) == (140, 5)
    assert pending(later) is None
    assert_same_nights(later, now)


def test_totals_of_a_pending_store_say_so_without_building(release, tmp_path):
    db = tmp_path / "s.duckdb"
    api.ingest([release(ROWS)], db=db, nights="later")
    t = api.store_totals(db)
    # three rows ending 2025-02-28 and 2025-03-02
    assert (t["pending"], t["rows"], t["first"], t["last"], t["quarantined"]) == (
        "full", 3, dt.date(2025, 2, 28), dt.date(2025, 3, 2), 0)
    assert pending(db) == "full"


def test_auto_leaves_only_a_bulk_build(release, tmp_path, monkeypatch):
    path = release(ROWS)
    monkeypatch.setattr(night_rules, "BULK_ROWS", 3)
    api.ingest([path], db=tmp_path / "bulk.duckdb")
    monkeypatch.setattr(night_rules, "BULK_ROWS", 4)
    api.ingest([path], db=tmp_path / "small.duckdb")
    assert (pending(tmp_path / "bulk.duckdb"), pending(tmp_path / "small.duckdb")) == (
        "full", None)


def test_auto_updates_a_built_store_at_once(release, tmp_path, monkeypatch):
    # a few changed rows of a large store are a few nights: never left to build
    db = tmp_path / "s.duckdb"
    api.ingest([release(THREE_NIGHTS, "v1.csv")], db=db)
    monkeypatch.setattr(night_rules, "BULK_ROWS", 1)
    edited = [*THREE_NIGHTS[:4], {**THREE_NIGHTS[4], "launched": "3"}]
    api.ingest([release(edited, "v2.csv")], db=db)
    assert pending(db) is None


def test_a_pending_update_is_built_by_build(release, tmp_path):
    v1 = release(THREE_NIGHTS, "v1.csv")
    edited = [*THREE_NIGHTS[:4], {**THREE_NIGHTS[4], "launched": "3"}]
    v2 = release(edited, "v2.csv")
    db, want = tmp_path / "s.duckdb", tmp_path / "want.duckdb"
    api.ingest([v1], db=db)
    api.ingest([v2], db=db, nights="later")
    assert pending(db) == "update"
    assert api.build(db) == "Built the nights."
    assert pending(db) is None
    assert api.build(db) == "The nights are up to date."
    api.ingest([v1], db=want)
    api.ingest([v2], db=want)
    assert_same_nights(db, want)
    assert api.nights(db=db).set_index("night").loc[pd.Timestamp("2025-07-03"),
                                                      "missiles_launched"] == 3


def test_a_pending_full_build_stays_full(release, tmp_path):
    # a second ingest left to build after a first one: still every night
    db = tmp_path / "s.duckdb"
    v1, v2 = release(THREE_NIGHTS[:2], "v1.csv"), release(THREE_NIGHTS, "v2.csv")
    api.ingest([v1], db=db, nights="later")
    api.ingest([v2], db=db, nights="later")
    assert pending(db) == "full"
    assert api.build(db) == "Rebuilt every night."
    want = tmp_path / "want.duckdb"
    api.ingest([v1], db=want)
    api.ingest([v2], db=want)
    assert_same_nights(db, want)


def test_now_builds_what_an_earlier_ingest_left(release, tmp_path):
    db, want = tmp_path / "s.duckdb", tmp_path / "want.duckdb"
    v1, v2 = release(THREE_NIGHTS[:3], "v1.csv"), release(THREE_NIGHTS, "v2.csv")
    api.ingest([v1], db=db, nights="later")
    api.ingest([v2], db=db, nights="now")
    assert pending(db) is None
    api.ingest([v1, v2], db=want)
    assert_same_nights(db, want)


def test_unknown_mode_is_refused(release, tmp_path):
    with pytest.raises(InputError, match="'soon' is not one of auto, now, later"):
        api.ingest([release(ROWS)], db=tmp_path / "s.duckdb", nights="soon")


def test_a_reader_that_cannot_build_says_what_to_run(release, tmp_path, monkeypatch):
    db = tmp_path / "s.duckdb"
    api.ingest([release(ROWS)], db=db, nights="later")

    def read_only_disk(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(api, "staged", read_only_disk)
    with pytest.raises(StoreLayoutError, match=r"nights not built yet .*`strikescope build`"):
        api.nights(db=db)


def test_doctor_of_a_pending_store_says_what_to_run(release, tmp_path):
    from strikescope.analysis.doctor import doctor

    db = tmp_path / "s.duckdb"
    api.ingest([release(ROWS)], db=db, nights="later")
    with pytest.raises(InputError, match="`strikescope build`"):
        doctor(db)


def test_cli_ingest_later_then_build(release, tmp_path):
    db = str(tmp_path / "s.duckdb")
    runner = CliRunner()
    res = runner.invoke(app, ["ingest", str(release(ROWS)), "--nights", "later", "--db", db])
    assert res.exit_code == 0, res.output
    assert "3 report rows ending 2025-02-28 .. 2025-03-02" in res.output
    assert "The nights are not built yet" in res.output
    res = runner.invoke(app, ["build", "--db", db])
    assert res.exit_code == 0, res.output
    assert "Rebuilt every night." in res.output
    assert "140 long-range drones and 5 missiles" in res.output


@pytest.mark.slow
def test_real_release_left_to_build_equals_built_at_once(tmp_path):
    later, now = tmp_path / "later.duckdb", tmp_path / "now.duckdb"
    api.ingest([ATTACKS], db=later, nights="later")
    api.ingest([ATTACKS], db=now)
    assert api.store_totals(later)["pending"] == "full"
    assert api.build(later, full=True) == "Rebuilt every night."
    assert_same_nights(later, now)
    got = api.nights(db=later).set_index("night").loc[pd.Timestamp("2025-07-04")]
    assert (got.drones_launched, got.missiles_launched) == (539, 11)


def test_the_dashboard_builds_left_nights_before_it_serves(release, tmp_path):
    from fastapi.testclient import TestClient

    from strikescope.web import create_app

    db = tmp_path / "s.duckdb"
    api.ingest([release(ROWS)], db=db, nights="later")
    app = create_app(db=db, events_file=tmp_path / "events.csv")
    assert pending(db) is None  # built before the first request
    night = TestClient(app).get("/api/v1/night/2025-03-02").json()
    assert (night["totals"]["drones_launched"], night["totals"]["missiles_launched"]) == (100, 5)


def test_cli_says_why_a_first_read_waits(release, tmp_path):
    db = str(tmp_path / "s.duckdb")
    api.ingest([release(ROWS)], db=db, nights="later")
    res = CliRunner().invoke(app, ["night", "2025-03-02", "--db", db])
    assert res.exit_code == 0, res.output
    assert "building the nights the last ingest left to the first read, once" in res.output
    again = CliRunner().invoke(app, ["night", "2025-03-02", "--db", db])
    assert "building" not in again.output


def test_a_weapon_reference_alone_leaves_nothing_to_build(tmp_path):
    from tests.conftest import REFERENCE

    db = tmp_path / "s.duckdb"
    api.ingest([REFERENCE], db=db, nights="later")
    assert pending(db) is None
    assert api.store_totals(db) is None
