"""One store object: opened once, passed as `db=` to the API and the analysis."""

from __future__ import annotations

import os

import duckdb
import pytest

import strikescope
from strikescope import api
from strikescope.store import Store


@pytest.fixture
def opened(monkeypatch) -> list:
    """The stores `api.connect` opens from here on, by the `db` each was asked for."""
    calls: list = []
    real = api.connect

    def counting(db=None, read_only=False):
        calls.append(db)
        return real(db, read_only)

    monkeypatch.setattr(api, "connect", counting)
    return calls


def test_open_store_is_shared_and_left_open(real_db):
    with strikescope.open(real_db) as store:
        assert isinstance(store, Store) and store.read_only
        totals = strikescope.nights("2025-07-04", "2025-07-04", db=store)
        detail = strikescope.night("2025-07-04", db=store)
        # the functions read through the caller's connection and leave it open
        assert store.con.execute("SELECT 1").fetchall() == [(1,)]
    row = totals.iloc[0]
    assert (int(row.drones_launched), int(row.missiles_launched)) == (539, 11)
    assert str(detail.night.date()) == "2025-07-04"


def test_store_is_a_path(real_db):
    with strikescope.open(real_db) as store:
        assert os.fspath(store) == str(real_db)
        assert "read-only" in repr(store)


def test_reading_opens_a_path_once_per_block(real_db, opened):
    with api.reading(real_db) as store:
        api.nights(db=store)
        api.quarantine(db=store)
        api.weapons(db=store)
    assert len(opened) == 1
    with pytest.raises(duckdb.ConnectionException):  # closed with its block
        store.con.execute("SELECT 1")


def test_a_brief_opens_the_store_once(real_db, opened):
    from strikescope.brief import brief

    b = brief(week="2025-W27", db=real_db)
    assert b.title and len(opened) == 1


def test_a_check_opens_the_store_once(real_db, opened):
    from strikescope.check import check

    text = ("Russia launched 539 drones and 11 missiles overnight, Ukraine's air force said. "
            "Air defences shot down 270 drones and two missiles.")
    result = check(text, published="2025-07-04", db=real_db)
    assert len(result.claims) and len(opened) == 1
