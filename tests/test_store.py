import json

import pandas as pd
import pytest

import strikescope
from strikescope import store as store_module
from strikescope.store import Store
from tests.conftest import ATTACKS, OLD_RELEASE, SHARED

ROW = {"time_start": "2025-07-03 18:00", "time_end": "2025-07-04 06:00",
       "model": "Shahed-136/131", "launched": "10", "destroyed": "7", "source": "kpszsu/p/1"}


def test_reingest_changes_nothing(release, tmp_path):
    db, path = tmp_path / "s.duckdb", release([ROW])
    first = strikescope.ingest([path], db=db)[0]
    again = strikescope.ingest([path], db=db)[0]
    assert (first.added, again.added, again.changed, again.removed) == (1, 0, 0, 0)
    assert again.status == "already ingested"
    assert len(strikescope.releases(db=db)) == 1


def test_newer_release_reports_added_changed_removed(release, tmp_path):
    db = tmp_path / "s.duckdb"
    other = {**ROW, "model": "Kalibr", "launched": "3", "source": "kpszsu/p/2"}
    strikescope.ingest([release([ROW, other], "v1.csv")], db=db)
    edited = {**ROW, "destroyed": "9"}
    new = {**ROW, "time_start": "2025-07-04 18:00", "time_end": "2025-07-05 06:00",
           "source": "kpszsu/p/3"}
    report = strikescope.ingest([release([edited, new], "v2.csv")], db=db)[0]
    assert (report.added, report.changed, report.removed) == (1, 1, 1)
    t = strikescope.nights(db=db).set_index("night")
    assert t.loc["2025-07-04", "drones_destroyed"] == 9
    assert t.loc["2025-07-04", "missiles_launched"] == 0


def test_rows_repeated_by_a_newer_release_cite_its_records(tmp_path):
    # The same file downloaded again, newest rows first: the two rows of the first download
    # (records 1 and 2) are records 2 and 3 of the second, which a reader now has.
    from tests.conftest import write_release

    db = tmp_path / "s.duckdb"
    other = {**ROW, "model": "Kalibr", "launched": "3", "source": "kpszsu/p/2"}
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    strikescope.ingest([write_release(tmp_path / "a/attacks.csv", [ROW, other])], db=db)
    new = {**ROW, "time_start": "2025-07-04 18:00", "time_end": "2025-07-05 06:00",
           "source": "kpszsu/p/3"}
    second = write_release(tmp_path / "b/attacks.csv", [new, ROW, other])
    report = strikescope.ingest([second], db=db)[0]
    assert (report.added, report.changed, report.removed) == (1, 0, 0)
    rows = strikescope.table("reports", db=db).sort_values("rec")
    assert rows.rec.tolist() == [1, 2, 3]
    assert rows.file.tolist() == [str(second)] * 3
    assert rows.source.tolist() == ["kpszsu/p/3", "kpszsu/p/1", "kpszsu/p/2"]


def test_older_release_after_newer_is_not_applied(release, tmp_path):
    db = tmp_path / "s.duckdb"
    new = {**ROW, "time_start": "2025-07-04 18:00", "time_end": "2025-07-05 06:00",
           "source": "kpszsu/p/2"}
    strikescope.ingest([release([ROW, new], "v2.csv")], db=db)
    report = strikescope.ingest([release([{**ROW, "launched": "99"}], "v1.csv")], db=db)[0]
    assert report.status == "superseded" and report.added == report.changed == 0
    assert strikescope.nights(db=db).drones_launched.iloc[0] == 10


def test_quarantine_is_kept_with_file_row_field(release, tmp_path):
    db = tmp_path / "s.duckdb"
    report = strikescope.ingest([release([ROW, {**ROW, "launched": "-1"}])], db=db)[0]
    assert (report.read, report.loaded, report.quarantined) == (2, 1, 1)
    q = strikescope.quarantine(db=db)
    assert q[["row", "field", "reason"]].values.tolist() == [[2, "launched", "negative count"]]
    assert q.file.iloc[0].endswith("release.csv")


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_export_formats(release, tmp_path, fmt):
    db = tmp_path / "s.duckdb"
    strikescope.ingest([release([ROW])], db=db)
    path = strikescope.export("nights", tmp_path / f"n.{fmt}", db=db)
    if fmt == "json":
        data = json.loads(path.read_text())
        assert data[0]["night"] == "2025-07-04" and data[0]["drones_launched"] == 10
    elif fmt == "csv":
        assert pd.read_csv(path).drones_launched.tolist() == [10]
    else:
        assert pd.read_parquet(path).drones_launched.tolist() == [10]


def test_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="strikescope ingest"):
        strikescope.nights(db=tmp_path / "none.duckdb")


@pytest.mark.slow
def test_both_releases_then_current_again_leaves_totals_unchanged(tmp_path):
    db = tmp_path / "s.duckdb"
    strikescope.ingest([OLD_RELEASE, ATTACKS], db=db)
    before = strikescope.nights(db=db)
    again = strikescope.ingest([ATTACKS], db=db)[0]
    assert (again.added, again.changed, again.removed) == (0, 0, 0)
    pd.testing.assert_frame_equal(before, strikescope.nights(db=db))
    only_current = tmp_path / "c.duckdb"
    strikescope.ingest([ATTACKS], db=only_current)
    pd.testing.assert_frame_equal(before, strikescope.nights(db=only_current))


@pytest.mark.slow
def test_every_read_row_is_accounted_for(real_db):
    rel = strikescope.releases(db=real_db)
    assert (rel.n_read == rel.n_loaded + rel.n_quarantined).all()
    w = strikescope.weapons(db=real_db)
    assert w.known.all() and w.weapon_class.notna().all()
    assert SHARED.exists()


def test_store_from_other_rules_is_rebuilt_on_next_ingest(release, tmp_path):
    db, path = tmp_path / "s.duckdb", release([ROW])
    strikescope.ingest([path], db=db)
    with strikescope.connect(db) as store:  # as if built by another version of the rules
        store.set_meta("rules_version", "older")
        store.con.execute("DROP VIEW night_classes")
    assert strikescope.ingest([path], db=db)[0].status == "already ingested"
    assert strikescope.nights(db=db).drones_launched.tolist() == [10]


def test_weapon_reference_is_loaded_once(tmp_path):
    from tests.conftest import REFERENCE

    db = tmp_path / "s.duckdb"
    first = strikescope.ingest([REFERENCE], db=db)[0]
    again = strikescope.ingest([REFERENCE], db=db)[0]
    assert (first.status, again.status) == ("reference loaded", "already ingested")
    assert strikescope.weapons(db=db).name_nato.notna().any()


def test_repeated_rows_are_kept_apart_by_their_number(release, tmp_path):
    """Two rows of one post with the same model and window but other counts are two rows:
    a newer release with one of them edited changes one, and one with only one of them
    removes one."""
    db = tmp_path / "s.duckdb"
    other = {**ROW, "launched": "4", "destroyed": "4"}
    strikescope.ingest([release([ROW, other], "v1.csv")], db=db)
    report = strikescope.ingest([release([ROW, {**other, "destroyed": "3"}], "v2.csv")],
                                db=db)[0]
    assert (report.added, report.changed, report.removed) == (0, 1, 0)
    assert strikescope.nights(db=db).drones_launched.iloc[0] == 14
    report = strikescope.ingest([release([ROW], "v3.csv")], db=db)[0]
    assert (report.added, report.changed, report.removed) == (0, 0, 1)
    assert strikescope.nights(db=db).drones_launched.iloc[0] == 10


def test_exact_duplicate_records_load_once(release, tmp_path):
    """A release repeating a record verbatim (here twice) counts it once; the copies are
    quarantined as duplicates of the first, and a row differing only in a count is not a
    copy."""
    db = tmp_path / "s.duckdb"
    other = {**ROW, "destroyed": "8"}
    report = strikescope.ingest([release([ROW, ROW, other, ROW], "v1.csv")], db=db)[0]
    assert (report.read, report.loaded, report.quarantined) == (4, 2, 2)
    q = strikescope.quarantine(db=db)
    assert q[["row", "reason"]].values.tolist() == [
        [2, "duplicate of record 1"], [4, "duplicate of record 1"]]
    assert strikescope.nights(db=db).drones_launched.iloc[0] == 20
    # the same release without the copies changes nothing: the rows match one to one
    again = strikescope.ingest([release([ROW, other], "v2.csv")], db=db)[0]
    assert (again.added, again.changed, again.removed) == (0, 0, 0)


def test_store_keyed_by_text_row_key_is_migrated(release, tmp_path):
    """A store from before `dup`: its `row_key` suffix becomes `dup`, so a newer release
    still matches its rows (one edit is one change, not a removal and an addition)."""
    import duckdb

    db = tmp_path / "s.duckdb"
    other = {**ROW, "model": "Kalibr", "launched": "3", "source": "kpszsu/p/2"}
    twin = {**ROW, "destroyed": "8"}
    strikescope.ingest([release([ROW, twin, other], "v1.csv")], db=db)
    con = duckdb.connect(str(db))
    _reports_as_table(con)
    con.execute("ALTER TABLE reports ADD COLUMN row_key VARCHAR")
    con.execute("UPDATE reports SET row_key = md5(source || model) || ':' || dup")
    con.execute("ALTER TABLE reports DROP COLUMN dup")
    con.close()
    edited = {**other, "destroyed": "1"}
    report = strikescope.ingest([release([ROW, twin, edited], "v2.csv")], db=db)[0]
    assert (report.added, report.changed, report.removed) == (0, 1, 0)
    con = duckdb.connect(str(db), read_only=True)
    assert sorted(r[0] for r in con.execute("SELECT dup FROM reports").fetchall()) == [1, 1, 2]
    con.close()


def _reports_as_table(con) -> None:
    """Turn a store into one written when `reports` was a table with every column (and no
    migration was recorded yet)."""
    con.execute("DELETE FROM meta WHERE key = 'migrations'")
    con.execute("CREATE TABLE old_reports AS SELECT * FROM reports")
    con.execute("DROP VIEW reports; DROP TABLE report_rows; DELETE FROM literals")
    con.execute("ALTER TABLE old_reports RENAME TO reports")


def test_store_with_a_reports_table_is_migrated(release, tmp_path):
    """A store whose `reports` was a table: opened, its rows move to `report_rows` and
    `reports` shows the same rows and columns as before; nights are unchanged."""
    import duckdb

    db = tmp_path / "s.duckdb"
    bad_literal = {**ROW, "launched_details": "{'Shahed': 4", "source": "kpszsu/p/2"}
    kalibr = {**ROW, "model": "Kalibr", "launched_details": "{'Kalibr': 10}"}
    strikescope.ingest([release([ROW, bad_literal, kalibr])], db=db)
    con = duckdb.connect(str(db))
    before = con.execute("SELECT * FROM reports ORDER BY row_id").df()
    _reports_as_table(con)
    con.close()
    with Store(db) as store:
        after = store.con.execute("SELECT * FROM reports ORDER BY row_id").df()
        kinds = dict(store.con.execute(
            "SELECT table_name, table_type FROM information_schema.tables "
            "WHERE table_name IN ('reports', 'report_rows')").fetchall())
    assert kinds == {"reports": "VIEW", "report_rows": "BASE TABLE"}
    pd.testing.assert_frame_equal(after, before)
    assert before.launched_details_json.isna().tolist() == [True, True, False]
    assert "kept as text" in before.warnings[1][0]["reason"]
    assert strikescope.nights(db=db).drones_launched.tolist() == [20]


def test_exports_come_in_a_stable_order(real_db):
    """Views over joins have no order of their own: every export is sorted by its key."""
    from strikescope import api

    classes = api.table("night_classes", db=real_db)
    keys = list(zip(classes.night, classes.weapon_class, classes.kind, strict=True))
    assert len(keys) > 100 and keys == sorted(keys)
    rows = api.table("reports", db=real_db)
    assert rows.row_id.is_monotonic_increasing and len(rows) > 3000
    assert api.table("attacks", db=real_db).attack_no.is_monotonic_increasing


def test_reading_a_store_of_an_older_layout_upgrades_it(release, tmp_path):
    """A store built by an older version (reports a table, no part_rows or night_class_rows,
    other rules): the first read migrates and rebuilds it, all or nothing, and answers."""
    import duckdb

    from strikescope.rules.nights import rules_version

    db = tmp_path / "s.duckdb"
    strikescope.ingest([release([ROW, {**ROW, "model": "Kalibr", "launched": "3"}])], db=db)
    before = strikescope.nights(db=db)
    con = duckdb.connect(str(db))
    _reports_as_table(con)
    con.execute("DROP VIEW night_classes; DROP VIEW parts; DROP TABLE night_class_rows; "
                "DROP TABLE part_rows; UPDATE meta SET value = 'older' "
                "WHERE key = 'rules_version'; DELETE FROM meta WHERE key = 'layout'")
    con.close()
    pd.testing.assert_frame_equal(strikescope.nights(db=db), before)
    assert strikescope.night("2025-07-04", db=db).totals.missiles_launched == 3
    with Store(db, read_only=True) as store:
        assert store.meta("rules_version") == rules_version()
        assert store.has_table("part_rows")


def test_time_cells_read_as_written(release, tmp_path):
    """`reports` shows each time cell as written; the store keeps the text only where it is
    not the canonical form of the parsed time."""
    import duckdb

    db = tmp_path / "s.duckdb"
    odd = {**ROW, "time_start": "2025-07-03 8:00", "time_end": "2025-07-04",
           "source": "kpszsu/p/2"}
    strikescope.ingest([release([ROW, odd])], db=db)
    con = duckdb.connect(str(db), read_only=True)
    shown = con.execute("SELECT time_start_text, time_end_text FROM reports ORDER BY rec")
    assert shown.fetchall() == [("2025-07-03 18:00", "2025-07-04 06:00"),
                                ("2025-07-03 8:00", "2025-07-04")]
    kept = con.execute("SELECT time_start_text, time_end_text FROM report_rows ORDER BY rec")
    assert kept.fetchall() == [(None, None), ("2025-07-03 8:00", None)]
    con.close()


def test_other_rules_alone_are_read_as_they_are(release, tmp_path):
    """A store built by other rules but in this layout is read without writing it (two
    versions sharing a store do not rebuild it in turn); the next ingest rebuilds it."""
    from strikescope import api
    from strikescope.store import file_sha256

    db = tmp_path / "s.duckdb"
    strikescope.ingest([release([ROW])], db=db)
    with Store(db) as store:
        store.set_meta("rules_version", "older")
    sha = file_sha256(db)
    assert api.upgrade(db) is False
    assert strikescope.nights(db=db).drones_launched.tolist() == [10]
    assert file_sha256(db) == sha


@pytest.mark.slow
def test_an_upgrade_waits_for_the_writer_holding_the_store(release, tmp_path):
    """Another process holds the write lock (an ingest, or a reader upgrading): the reader
    waits for it, then upgrades what is still of the older layout."""
    import subprocess
    import sys
    import time

    from strikescope import api
    from strikescope.atomic import lock_path

    db = tmp_path / "s.duckdb"
    strikescope.ingest([release([ROW])], db=db)
    with Store(db) as store:
        store.con.execute("DELETE FROM meta WHERE key = 'layout'")
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from filelock import FileLock; lock = FileLock(sys.argv[1]); "
        "lock.acquire(); print('held', flush=True); time.sleep(1.5)"), str(lock_path(db))],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    start = time.monotonic()
    assert strikescope.nights(db=db).drones_launched.tolist() == [10]
    assert time.monotonic() - start > 0.5
    holder.wait()
    with Store(db, read_only=True) as store:
        assert store.layout() == store_module.LAYOUT
    assert api.upgrade(db) is False


def test_a_store_of_a_newer_layout_is_a_clear_error(release, tmp_path):
    from strikescope.store import StoreLayoutError

    db = tmp_path / "s.duckdb"
    strikescope.ingest([release([ROW])], db=db)
    with Store(db) as store:
        store.set_meta("layout", "99")
    with pytest.raises(StoreLayoutError, match="newer version of strikescope"):
        strikescope.nights(db=db)


def test_first_release_kept_in_place_equals_one_inserted(tmp_path):
    """Into an empty store the parsed rows are kept in place; into a store with rows they are
    inserted: the same release gives the same report rows, quarantine and nights."""
    import duckdb

    from tests.conftest import write_release

    early = write_release(tmp_path / "early.csv", [{**ROW, "time_start": "2021-01-01",
                                                    "time_end": "2021-01-01"}])
    fresh, other = tmp_path / "fresh.duckdb", tmp_path / "other.duckdb"
    strikescope.ingest([ATTACKS], db=fresh)
    strikescope.ingest([early], db=other)
    strikescope.ingest([ATTACKS], db=other)

    def rows(db):
        con = duckdb.connect(str(db), read_only=True)
        cols = "* EXCLUDE (row_id, release_id)"
        out = (con.execute(f"SELECT {cols} FROM reports WHERE file = ? ORDER BY rec",
                           [str(ATTACKS)]).df(),
               con.execute("SELECT rec, field, value, reason FROM quarantine WHERE file = ? "
                           "ORDER BY rec, field", [str(ATTACKS)]).df(),
               con.execute("SELECT min(row_id = rec) FROM reports").fetchall()[0][0])
        con.close()
        return out

    (a, qa, kept), (b, qb, _) = rows(fresh), rows(other)
    assert len(a) == 3243 and len(qa) == 3 and kept
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(qa, qb)
    night = strikescope.night("2025-07-04", db=fresh).totals
    assert (night.drones_launched, night.missiles_launched) == (539, 11)


def test_report_posts_are_stored_uncompressed(real_db):
    """Both releases' rows (the first kept in place, the second merged in) store the long,
    mostly unique post text as it is: compressing it cost more than it saved."""
    import duckdb

    with duckdb.connect(str(real_db), read_only=True) as con:
        kinds = con.execute(
            "SELECT DISTINCT compression FROM pragma_storage_info('report_rows') "
            "WHERE column_name = 'source' AND segment_type = 'VARCHAR'").fetchall()
    assert kinds == [("Uncompressed",)]


def test_a_release_records_its_size_in_bytes(release, tmp_path):
    db, path = tmp_path / "s.duckdb", release([ROW])
    strikescope.ingest([path], db=db)
    assert strikescope.releases(db=db).bytes.tolist() == [path.stat().st_size]


def _record_order(monkeypatch) -> list[str]:
    """'hash' each time an ingest asks for a file's digest, 'parse' each time it parses."""
    order = []
    digest, parse = store_module.BackgroundDigest.hexdigest, store_module.attack_source.read_release

    def hexdigest(self):
        order.append("hash")
        return digest(self)

    def read_release(*args, **kwargs):
        order.append("parse")
        return parse(*args, **kwargs)

    monkeypatch.setattr(store_module.BackgroundDigest, "hexdigest", hexdigest)
    monkeypatch.setattr(store_module.attack_source, "read_release", read_release)
    return order


def test_only_a_file_the_size_of_a_release_is_hashed_before_it_is_parsed(
        release, tmp_path, monkeypatch):
    db = tmp_path / "s.duckdb"
    strikescope.ingest([release([ROW], "v1.csv")], db=db)
    order = _record_order(monkeypatch)
    report = strikescope.ingest([release([{**ROW, "destroyed": "8"}], "v2.csv")], db=db)[0]
    assert order == ["hash", "parse", "hash"] and report.changed == 1  # same size as v1
    order.clear()
    report = strikescope.ingest([release([{**ROW, "destroyed": "10"}], "v3.csv")], db=db)[0]
    assert order == ["parse", "hash"] and report.changed == 1


def test_migrations_are_recorded_and_not_examined_again(release, tmp_path, monkeypatch):
    import json

    from strikescope import migrations
    from strikescope.store import Store

    db = tmp_path / "s.duckdb"
    strikescope.ingest([release([ROW])], db=db)
    with Store(db, read_only=True) as store:
        assert json.loads(store.meta("migrations")) == [m.name for m in migrations.MIGRATIONS]
    looked = []
    monkeypatch.setattr(migrations, "MIGRATIONS", tuple(
        migrations.Migration(m.name, lambda s, n=m.name: looked.append(n) or True, m.apply)
        for m in migrations.MIGRATIONS))
    with Store(db) as store:
        assert store.migrate() == [] and looked == []


def test_a_release_recorded_without_a_size_is_known_by_its_hash(release, tmp_path):
    import duckdb

    db, path = tmp_path / "s.duckdb", release([ROW])
    strikescope.ingest([path], db=db)
    with duckdb.connect(str(db)) as con:  # as stores written before sizes were recorded
        con.execute("ALTER TABLE releases DROP COLUMN bytes")
        con.execute("DELETE FROM meta WHERE key = 'migrations'")
    again = strikescope.ingest([path], db=db)[0]
    assert again.status == "already ingested"
    assert strikescope.releases(db=db).bytes.isna().all()


def test_migrate_command_applies_and_rebuilds_once(release, tmp_path):
    import duckdb
    from typer.testing import CliRunner

    from strikescope.cli import app

    db = tmp_path / "s.duckdb"
    strikescope.ingest([release([ROW])], db=db)
    with duckdb.connect(str(db)) as con:  # as a store from before sizes and the record
        con.execute("ALTER TABLE releases DROP COLUMN bytes")
        con.execute("DELETE FROM meta WHERE key = 'migrations'")
        con.execute("UPDATE meta SET value = 'other' WHERE key = 'rules_version'")
    first = CliRunner().invoke(app, ["migrate", "--db", str(db)])
    assert first.exit_code == 0, first.output
    assert "applied: 0004-release-bytes" in first.output and "rebuilt the nights" in first.output
    again = CliRunner().invoke(app, ["migrate", "--db", str(db)])
    assert again.exit_code == 0 and "up to date" in again.output
    assert strikescope.releases(db=db).bytes.isna().all()
