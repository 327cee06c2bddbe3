from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from strikescope.sources.attacks import CURRENT_HEADER as CURRENT_SCHEMA

ROOT = Path(__file__).resolve().parents[1]
# The one place the tests find the shared data: `$STRIKESCOPE_TEST_DATA`, else the
# project's sibling folder `../shared/data` (as CI lays it out). Tests take these paths
# (or the `shared_data` fixture) from here, never from the working directory.
SHARED = Path(os.environ.get("STRIKESCOPE_TEST_DATA") or ROOT.parent / "shared" / "data")
ATTACKS = SHARED / "attacks" / "missile_attacks_daily.csv"
OLD_RELEASE = SHARED / "attacks" / "versions" / "missile_attacks_daily_2024-11-03.csv"
REFERENCE = SHARED / "attacks" / "missiles_and_uav.csv"

# Tests read the shared data, never fresh copies a `strikescope update` left on this machine.
os.environ.setdefault("STRIKESCOPE_DATA", str(SHARED))

CURRENT_HEADER = list(CURRENT_SCHEMA)


def write_release(path: Path, rows: list[dict], header: list[str] | None = None) -> Path:
    """Write a small release in the current schema (missing cells left empty)."""
    header = header or CURRENT_HEADER
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in header})
    return path


@pytest.fixture
def release(tmp_path):
    def make(rows, name="release.csv", header=None):
        return write_release(tmp_path / name, rows, header)
    return make


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared data directory (attacks, weather, alerts, events, articles)."""
    if not (SHARED / "attacks").is_dir():
        pytest.fail(f"{SHARED}: no shared data here; set STRIKESCOPE_TEST_DATA to its folder")
    return SHARED


@pytest.fixture(scope="session")
def real_db(tmp_path_factory):
    """A store with both shared releases and the weapon reference ingested."""
    import strikescope

    db = tmp_path_factory.mktemp("real") / "store.duckdb"
    strikescope.ingest([SHARED / "attacks"], db=db)
    return db


NIGHT1 = {"time_start": "2025-02-27 18:00", "time_end": "2025-02-28 06:00"}
NIGHT2 = {"time_start": "2025-03-01 18:00", "time_end": "2025-03-02 06:00"}


@pytest.fixture
def tiny_db(release, tmp_path):
    """Night ending 2025-03-02: 100 drones (90 shot down) and 5 ballistic missiles (2 shot
    down) on Kyiv in one report; night ending 2025-02-28: 40 drones, all shot down."""
    import strikescope

    path = release([
        {**NIGHT2, "model": "Shahed-136/131",
         "launched": "100", "destroyed": "90", "target": "Kyiv", "source": "kpszsu/posts/p1"},
        {**NIGHT2, "model": "Iskander-M",
         "launched": "5", "destroyed": "2", "target": "Kyiv", "source": "kpszsu/posts/p1"},
        {**NIGHT1, "model": "Shahed-136/131",
         "launched": "40", "destroyed": "40", "source": "kpszsu/posts/p0"},
    ])
    db = tmp_path / "tiny.duckdb"
    strikescope.ingest([path], db=db)
    return db
