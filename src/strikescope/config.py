"""Where strikescope keeps its files and finds its input data."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import platformdirs

from strikescope.errors import (
    DataDirError,  # noqa: F401 - importable from here too
    InputError,
)

APP = "strikescope"
DB_ENV = "STRIKESCOPE_DB"
DATA_ENV = "STRIKESCOPE_DATA"
CONFIG_ENV = "STRIKESCOPE_CONFIG"
TIMEZONE = "Europe/Kyiv"


def default_db_path() -> Path:
    """The embedded store: `$STRIKESCOPE_DB`, else a file in the user's data directory."""
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP)) / "strikescope.duckdb"


def resolve_db(db: str | os.PathLike | None) -> Path:
    return Path(db).expanduser() if db else default_db_path()




def config_file() -> Path:
    """`$STRIKESCOPE_CONFIG`, else `config.toml` in the user's config directory. It may set
    `data_dir`, the input data directory (relative to the config file's folder)."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


def default_data_dir() -> Path | None:
    """The configured input data directory: `$STRIKESCOPE_DATA`, else `data_dir` in the
    config file, else none. Never guessed from the working directory or the source tree: a
    bare command run elsewhere must not read some other folder's data."""
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env).expanduser()
    cfg = config_file()
    if cfg.is_file():
        try:
            value = tomllib.loads(cfg.read_text("utf-8")).get("data_dir")
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"{cfg}: not valid TOML ({exc})") from None
        if value:
            return (cfg.parent / Path(str(value)).expanduser()).resolve()
    return None


def fetch_dir() -> Path:
    """Where `strikescope update` and `strikescope fetch` keep fresh copies."""
    return Path(platformdirs.user_data_dir(APP)) / "data"


def input_dir(kind: str) -> Path:
    """The folder of one kind of input (`attacks`, `alerts`, `weather`): under the
    configured data directory (`default_data_dir`) if there is one, else the fresh copy from
    `strikescope update`; otherwise a `DataDirError` that says how to name one."""
    base = default_data_dir()
    if base is not None:
        return base / kind
    fresh = fetch_dir() / kind
    if fresh.is_dir():
        return fresh
    raise DataDirError(
        f"no {kind} data: pass a path, set {DATA_ENV} to the data directory (the folder "
        f"holding {kind}/), set data_dir in {config_file()}, or run `strikescope update`")


def package_data(name: str) -> Path:
    """A reviewable data file shipped inside the package."""
    return Path(__file__).with_name("data") / name
