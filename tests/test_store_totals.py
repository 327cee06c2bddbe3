"""The store's totals printed after an ingest, and the writer's memory limit."""

import datetime as dt

import strikescope
import strikescope.api as api
from strikescope.store import Store
from tests.conftest import NIGHT1


def test_store_totals_by_hand(tiny_db):
    t = api.store_totals(tiny_db)
    # nights ending 2025-02-28 and 2025-03-02: three calendar nights, the middle one empty
    assert (t["first"], t["last"], t["nights"]) == (dt.date(2025, 2, 28), dt.date(2025, 3, 2), 3)
    assert (t["drones"], t["missiles"], t["quarantined"]) == (140, 5, 0)


def test_store_totals_agree_with_the_nights(real_db):
    t = api.store_totals(real_db)
    nights = api.nights(db=real_db)
    assert t["nights"] == len(nights)
    assert t["drones"] == nights.drones_launched.sum()
    assert t["missiles"] == nights.missiles_launched.sum()
    assert t["quarantined"] == len(api.quarantine(db=real_db)[["file", "row"]].drop_duplicates())


def test_store_totals_count_quarantined_rows_not_problems(release, tmp_path):
    # one row with two problems, another with one: two rows
    path = release([
        {**NIGHT1, "model": "", "launched": "x", "source": "kpszsu/posts/p0"},
        {**NIGHT1, "model": "Shahed-136/131", "launched": "-1", "source": "kpszsu/posts/p0"},
        {**NIGHT1, "model": "Shahed-136/131", "launched": "7", "source": "kpszsu/posts/p0"},
    ])
    db = tmp_path / "q.duckdb"
    strikescope.ingest([path], db=db)
    t = api.store_totals(db)
    assert (t["quarantined"], t["drones"]) == (2, 7)


def test_store_totals_of_an_empty_store(tmp_path):
    db = tmp_path / "empty.duckdb"
    Store(db).close()
    assert api.store_totals(db) is None


def test_writer_memory_limit(tmp_path, monkeypatch):
    def limit() -> str:
        store = Store(tmp_path / "m.duckdb")
        try:
            return store.con.execute(
                "SELECT current_setting('memory_limit')").fetchall()[0][0]
        finally:
            store.close()

    assert limit().startswith(("667", "668", "700"))  # DuckDB shows 700 MB in MiB
    monkeypatch.setenv("STRIKESCOPE_MEMORY_LIMIT", "2GB")
    assert limit().startswith(("1.8", "1.9", "2.0"))
