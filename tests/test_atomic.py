"""All-or-nothing ingests: errors and killed processes leave the previous store; readers in
other processes keep getting whole answers while an ingest runs."""

from __future__ import annotations

import importlib.util
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import strikescope
from strikescope.atomic import lock_path, orphans, remove_orphans, staged
from strikescope.store import Store

from .conftest import ATTACKS, OLD_RELEASE, ROOT

ROW = {"time_start": "2025-07-03 18:00", "time_end": "2025-07-04 06:00",
       "model": "Shahed-136/131", "launched": "10", "destroyed": "8",
       "source": "https://t.me/kpszsu/1"}


def state(db: Path) -> tuple:
    """What a reader sees: releases, rows and the nightly totals built from them."""
    with Store(db, read_only=True) as store:
        return tuple(store.con.execute("""
            SELECT (SELECT count(*) FROM releases), (SELECT count(*) FROM reports),
                   (SELECT count(*) FROM night_classes),
                   (SELECT sum(launched) FROM night_classes)""").fetchall()[0])


def test_failed_ingest_leaves_the_store_and_no_staged_copy(release, tmp_path):
    db = tmp_path / "s.duckdb"
    strikescope.ingest([release([ROW])], db=db)
    before, size = state(db), db.stat().st_size
    bad = release([ROW], name="bad.csv", header=["time_start", "time_end", "model", "source"])
    with pytest.raises(ValueError, match="launched"):
        strikescope.ingest([release([{**ROW, "launched": "20"}], name="new.csv"), bad], db=db)
    assert state(db) == before and db.stat().st_size == size
    assert orphans(db) == []


def test_ingest_replaces_the_file_in_one_rename(release, tmp_path):
    db = tmp_path / "s.duckdb"
    strikescope.ingest([release([ROW])], db=db)
    inode = db.stat().st_ino
    strikescope.ingest([release([{**ROW, "launched": "20"}], name="new.csv")], db=db)
    assert db.stat().st_ino != inode
    assert state(db)[3] == 20
    assert not Path(str(db) + ".wal").exists()


def test_orphaned_staged_copies_are_removed_by_the_next_writer(release, tmp_path):
    db = tmp_path / "s.duckdb"
    orphan = db.with_name(f".{db.name}.999999.staging")
    orphan.write_bytes(b"half-written")
    Path(str(orphan) + ".wal").write_bytes(b"x")
    strikescope.ingest([release([ROW])], db=db)
    assert not orphan.exists() and not Path(str(orphan) + ".wal").exists()
    assert state(db)[3] == 10


def test_staged_without_a_write_leaves_nothing(tmp_path):
    db = tmp_path / "none.duckdb"
    with staged(db) as stage:
        assert not stage.exists()  # nothing to copy: no store yet
    assert not db.exists()
    assert remove_orphans(db) == []
    assert lock_path(db).name == "none.duckdb.lock"


# -- processes killed and readers running alongside ----------------------------------------

def _ingest_cmd(path: Path, db: Path) -> list[str]:
    code = ("import sys, strikescope; "
            "strikescope.ingest([sys.argv[1]], db=sys.argv[2])")
    return [sys.executable, "-c", code, str(path), str(db)]


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def _replicate(copies: int, out: Path) -> int:
    spec = importlib.util.spec_from_file_location("bench_ingest", ROOT / "benchmarks/ingest.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench.replicate(ATTACKS, copies, out, first=1)


@pytest.fixture
def previous_store(tmp_path):
    db = tmp_path / "store.duckdb"
    strikescope.ingest([OLD_RELEASE], db=db)
    return db


def _complete(db: Path, path: Path, rows: int) -> bool:
    """The new release is applied in full and the nights were rebuilt from it."""
    with Store(db, read_only=True) as store:
        read, status = store.con.execute(
            "SELECT n_read, status FROM releases WHERE name = ?", [path.name]).fetchall()[0]
        loaded = store.con.execute(
            "SELECT count(*) FROM reports r JOIN releases USING (release_id) WHERE name = ?",
            [path.name]).fetchall()[0][0]
        built = store.meta("rules_version") is not None
    return read == rows and status == "current" and loaded > 0 and built


def _kill_at(cmd: list[str], delay: float) -> int:
    proc = subprocess.Popen(cmd, env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    return proc.wait()


def _kill_repeatedly(db, path, rows, delays) -> list[str]:
    before = state(db)
    outcomes = []
    for delay in delays:
        _kill_at(_ingest_cmd(path, db), delay)
        if state(db) == before:
            outcomes.append("previous")
        else:
            assert _complete(db, path, rows), f"partial store after a kill at {delay:.2f} s"
            outcomes.append("complete")
            break
    return outcomes


@pytest.mark.slow
def test_killed_ingest_of_a_small_file_leaves_previous_or_complete(previous_store, tmp_path):
    path = tmp_path / "x3.csv"
    rows = _replicate(3, path)
    # the kills fall within the time the same ingest takes whole on this machine now (a
    # fixed range went stale when the ingest got faster)
    scratch = tmp_path / "scratch.duckdb"
    shutil.copy(previous_store, scratch)
    start = time.perf_counter()
    subprocess.run(_ingest_cmd(path, scratch), env=_env(), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    whole = time.perf_counter() - start
    rng = random.Random(os.environ.get("STRIKESCOPE_KILL_SEED", 8))
    delays = sorted(rng.uniform(0.0, whole) for _ in range(8))
    outcomes = _kill_repeatedly(previous_store, path, rows, delays)
    assert outcomes[0] == "previous"  # the first kill comes before the ingest could end


@pytest.mark.slow
def test_killed_ingest_of_the_x1000_file_leaves_the_previous_store(previous_store, tmp_path):
    path = tmp_path / "x1000.csv"
    rows = _replicate(1000, path)
    assert rows == 3_246_000
    rng = random.Random(os.environ.get("STRIKESCOPE_KILL_SEED", 1000))
    # Within the ingest, which takes about 6 s on the 2-core machine (a bulk load: the
    # nights are left to the first read).
    delays = [rng.uniform(0.5, 4.5) for _ in range(3)]
    before = state(previous_store)
    for delay in delays:
        code = _kill_at(_ingest_cmd(path, previous_store), delay)
        assert code == -signal.SIGKILL, f"the ingest ended ({code}) before a kill at {delay:.2f} s"
        assert state(previous_store) == before, f"store changed by a kill at {delay:.2f} s"
    # the next ingest clears the orphans and completes
    report = strikescope.ingest([OLD_RELEASE], db=previous_store)[0]
    assert report.status == "already ingested" and state(previous_store) == before
    assert orphans(previous_store) == []


def _read_totals(db: Path) -> tuple:
    df = strikescope.nights(db=db)
    return (len(df), int(df.drones_launched.sum()), int(df.missiles_launched.sum()))


def _cli_totals(db: Path) -> tuple:
    out = subprocess.run([sys.executable, "-m", "strikescope", "nights", "--format", "json",
                          "--db", str(db)], env=_env(), capture_output=True, text=True,
                         check=True).stdout
    rows = json.loads(out)
    return (len(rows), sum(r["drones_launched"] for r in rows),
            sum(r["missiles_launched"] for r in rows))


def _web_totals(client) -> tuple:
    rows = client.get("/api/v1/nights").json()
    return (len(rows), sum(r["drones_launched"] for r in rows),
            sum(r["missiles_launched"] for r in rows))


@pytest.mark.slow
def test_readers_see_old_or_new_state_while_an_ingest_runs(previous_store, tmp_path):
    from fastapi.testclient import TestClient

    from strikescope.web import create_app

    path = tmp_path / "x100.csv"
    _replicate(100, path)  # an ingest of a few seconds: long enough for several reads
    web = TestClient(create_app(db=previous_store, events_file=tmp_path / "ev.csv"))
    old = _read_totals(previous_store)
    assert _web_totals(web) == old
    writer = subprocess.Popen(_ingest_cmd(path, previous_store), env=_env(),
                              stderr=subprocess.PIPE, text=True)
    seen, during = [], 0
    while writer.poll() is None:
        during += 1
        seen.append(_read_totals(previous_store))
        seen.append(_web_totals(web))
        if during % 5 == 3:  # a CLI read starts a process: not among the first reads
            seen.append(_cli_totals(previous_store))
    assert writer.wait() == 0, writer.stderr.read()
    new = _read_totals(previous_store)
    assert new != old and during >= 3
    # the web keeps answering from the old version while the new one warms, then switches
    deadline = time.monotonic() + 120
    while (latest := _web_totals(web)) != new and time.monotonic() < deadline:
        seen.append(latest)
        time.sleep(0.2)
    assert latest == new
    assert set(seen) <= {old, new}, set(seen) - {old, new}
