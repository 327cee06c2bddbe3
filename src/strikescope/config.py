"""Where strikescope keeps its files and finds its input data."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "strikescope"
DB_ENV = "STRIKESCOPE_DB"
DATA_ENV = "STRIKESCOPE_DATA"
TIMEZONE = "Europe/Kyiv"


def default_db_path() -> Path:
    """The embedded store: `$STRIKESCOPE_DB`, else a file in the user's data directory."""
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP)) / "strikescope.duckdb"


def resolve_db(db: str | os.PathLike | None) -> Path:
    return Path(db).expanduser() if db else default_db_path()


def default_data_dir() -> Path:
    """Input data: `$STRIKESCOPE_DATA`, else `../shared/data` beside the working directory
    or beside the source checkout."""
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env).expanduser()
    candidates = [
        Path.cwd().parent / "shared" / "data",
        Path(__file__).resolve().parents[3] / "shared" / "data",
        Path.cwd() / "data",
    ]
    for cand in candidates:
        if cand.is_dir():
            return cand
    return candidates[0]


def fetch_dir() -> Path:
    """Where `strikescope update` and `strikescope fetch` keep fresh copies."""
    return Path(platformdirs.user_data_dir(APP)) / "data"


def input_dir(kind: str) -> Path:
    """The folder of one kind of input (`attacks`, `alerts`, `weather`): under
    `$STRIKESCOPE_DATA` if set, else the fresh copy from `strikescope update` if there is
    one, else the shared data."""
    if os.environ.get(DATA_ENV):
        return default_data_dir() / kind
    fresh = fetch_dir() / kind
    return fresh if fresh.is_dir() else default_data_dir() / kind


def package_data(name: str) -> Path:
    """A reviewable data file shipped inside the package."""
    return Path(__file__).with_name("data") / name
