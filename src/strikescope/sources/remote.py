"""The public sources, each a small plug-in: where it lives, how to fetch it, how to tell a
good download from a broken one.

A plug-in subclasses `Source`, names itself (`name`), gives a `default_url`, and writes what
it fetched under a staging directory, laid out like the data directory (`attacks/`,
`alerts/`, `weather/`). Built-in plug-ins are listed in `BUILTIN`; others are found through
the `strikescope.sources` entry-point group. The URL of each is configurable (see `urls`).
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path

import httpx
import pandas as pd

from strikescope.config import config_file
from strikescope.sources.fetch import FetchError, check_csv, csv_rows, download, extract_csvs

KAGGLE_DATASET = "piterfm/massive-missile-attacks-on-ukraine"


@dataclass
class Context:
    """What a plug-in may use: an HTTP client, the folder of the copies in use per kind, the
    last night wanted, the size of the attack release in the store."""

    http: httpx.Client
    current: Callable[[str], Path]
    until: pd.Timestamp
    stored_rows: Callable[[], int | None] = lambda: None


@dataclass
class Fetched:
    source: str
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Source:
    name = ""
    default_url = ""
    description = ""

    def __init__(self, url: str | None = None, sha256: str | None = None):
        self.url = url or self.default_url
        self.sha256 = sha256

    def fetch(self, stage: Path, ctx: Context) -> Fetched:
        raise NotImplementedError


class KaggleAttacks(Source):
    """The attack reports: the Kaggle data set as a zip, with the user's credentials."""

    name = "attacks"
    default_url = f"https://www.kaggle.com/api/v1/datasets/download/{KAGGLE_DATASET}"
    description = f"Air Force attack reports (Kaggle {KAGGLE_DATASET}, your credentials)"

    def fetch(self, stage: Path, ctx: Context) -> Fetched:
        auth, headers = credentials_for(self.url)
        archive = download(self.url, stage / "attacks.zip", ctx.http, auth=auth,
                           headers=headers, sha256=self.sha256)
        files = extract_csvs(archive, stage / "attacks")
        archive.unlink()
        main = _main_release(files)
        rows = check_csv(main, ("time_start", "time_end", "model", "launched"),
                         ctx.stored_rows(), label=f"{self.name}: {main.name}")
        return Fetched(self.name, files, [f"{len(files)} file(s); {main.name}: {rows:,} rows"])


def _main_release(files: list[Path]) -> Path:
    named = [f for f in files if f.name == "missile_attacks_daily.csv"]
    if not named:
        raise FetchError("attacks: the archive holds no missile_attacks_daily.csv "
                         f"(found {', '.join(f.name for f in files) or 'no CSV file'}); "
                         "nothing was changed")
    return min(named, key=lambda f: len(f.parts))


# Where the Kaggle credentials may go: Kaggle itself, over https. A mirror given with
# `--url` is asked without them (a plain-http or foreign host would read them), and a
# redirect to another host drops them (httpx strips Authorization across origins).
KAGGLE_ORIGINS = {("https", "www.kaggle.com"), ("https", "kaggle.com"),
                  ("https", "api.kaggle.com")}


def credentials_for(url: str) -> tuple[httpx.BasicAuth | None, dict]:
    """The Kaggle credentials for `url` if it is Kaggle's own over https; none for another
    host; an error for Kaggle's host over plain http."""
    try:
        parts = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise FetchError(f"attacks: {url!r} is not a valid URL ({exc})") from None
    if (parts.scheme, parts.host) in KAGGLE_ORIGINS:
        return kaggle_credentials()
    if parts.host in {host for _, host in KAGGLE_ORIGINS}:
        raise FetchError(f"attacks: {url} is Kaggle over {parts.scheme}: the credentials go "
                         "over https only; use https://")
    return None, {}


def kaggle_credentials() -> tuple[httpx.BasicAuth | None, dict]:
    """Kaggle's API token, or username and key, from the environment or kaggle.json."""
    token = os.environ.get("KAGGLE_API_TOKEN")
    if token:
        return None, {"Authorization": f"Bearer {token}"}
    user, key = os.environ.get("KAGGLE_USERNAME"), os.environ.get("KAGGLE_KEY")
    if user and key:
        return httpx.BasicAuth(user, key), {}
    folder = Path(os.environ.get("KAGGLE_CONFIG_DIR", Path.home() / ".kaggle"))
    path = folder / "kaggle.json"
    if path.is_file():
        try:
            data = json.loads(path.read_text())
            return httpx.BasicAuth(data["username"], data["key"]), {}
        except (ValueError, KeyError):
            raise FetchError(f"{path}: not a Kaggle credentials file (needs username and "
                             "key)") from None
    raise FetchError("attacks: no Kaggle credentials. Kaggle serves this data set only to "
                     "signed-in users: set KAGGLE_USERNAME and KAGGLE_KEY (or "
                     "KAGGLE_API_TOKEN), or put kaggle.json in ~/.kaggle; or download "
                     f"{KAGGLE_DATASET} yourself and run `strikescope ingest` on it")


class SirenFiles(Source):
    """The Ukrainian air raid sirens data set (MIT): two CSV files on GitHub."""

    name = "alerts"
    default_url = ("https://raw.githubusercontent.com/Vadimkin/ukrainian-air-raid-sirens-"
                   "dataset/main/datasets/")
    description = "air-raid alerts (Ukrainian air raid sirens dataset, GitHub)"
    files = ("official_data_en.csv", "volunteer_data_en.csv")

    def fetch(self, stage: Path, ctx: Context) -> Fetched:
        base = self.url if self.url.endswith("/") else self.url + "/"
        out = Fetched(self.name)
        for name in self.files:
            path = download(base + name, stage / "alerts" / name, ctx.http)
            old = ctx.current("alerts") / name
            rows = check_csv(path, ("started_at", "finished_at"),
                             csv_rows(old) if old.is_file() else None,
                             label=f"{self.name}: {name}")
            out.files.append(path)
            out.notes.append(f"{name}: {rows:,} rows")
        return out


class OpenMeteoWeather(Source):
    """Night weather of the four cities from the Open-Meteo archive (CC BY 4.0), added to
    the series in use from the night after its last one."""

    name = "weather"
    default_url = "https://archive-api.open-meteo.com/v1/archive"
    description = "night weather over Kyiv, Kharkiv, Odesa, Zaporizhzhia (Open-Meteo)"
    first_night = pd.Timestamp("2022-09-28")

    def fetch(self, stage: Path, ctx: Context) -> Fetched:
        from strikescope.weather import fetch_open_meteo, read_weather

        current = ctx.current("weather") / "weather_by_date.csv"
        old = read_weather(current) if current.is_file() else None
        start = self.first_night if old is None else old.index.max() + pd.Timedelta(days=1)
        if start > ctx.until:
            return Fetched(self.name, [], [f"up to date (through {ctx.until.date()})"])
        try:
            new = fetch_open_meteo(start, ctx.until, client=ctx.http, url=self.url)
        except (httpx.HTTPError, RuntimeError, KeyError, ValueError) as exc:
            hint = " (no network?)" if isinstance(exc, httpx.TransportError) else ""
            raise FetchError(f"weather: could not fetch from {self.url}: {exc}{hint}") from None
        new = _drop_trailing_gaps(new)
        frame = new if old is None else pd.concat([old, new]).sort_index()
        target = stage / "weather" / "weather_by_date.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        out = frame.reset_index().rename(columns={"night": "date"})
        out["date"] = out["date"].dt.strftime("%Y-%m-%d")
        out.to_csv(target, index=False)
        return Fetched(self.name, [target], [f"{len(new):,} new night(s) from {start.date()}"])


def _drop_trailing_gaps(frame: pd.DataFrame) -> pd.DataFrame:
    """The archive lags a few days: nights without any value are left for the next update."""
    numeric = frame.select_dtypes("number")
    filled = numeric.notna().any(axis=1)
    if not filled.any():
        raise FetchError("weather: the answer holds no values for the nights asked; "
                         "nothing was changed")
    return frame.loc[: filled[filled].index.max()]


BUILTIN: dict[str, type[Source]] = {
    s.name: s for s in (KaggleAttacks, SirenFiles, OpenMeteoWeather)
}


def registry() -> dict[str, type[Source]]:
    """Built-in plug-ins and those other packages register as `strikescope.sources`."""
    found = dict(BUILTIN)
    for ep in entry_points(group="strikescope.sources"):
        found[ep.name] = ep.load()
    return found


def settings(name: str, overrides: dict[str, str] | None = None) -> dict:
    """A source's `url` (and `sha256`): `--url NAME=URL`, then `STRIKESCOPE_<NAME>_URL`, then
    `[sources.NAME]` in the configuration file, then the plug-in's default."""
    path = config_file()
    conf = tomllib.loads(path.read_text()).get("sources", {}) if path.is_file() else {}
    entry = dict(conf.get(name, {}))
    env = os.environ.get(f"STRIKESCOPE_{name.upper()}_URL")
    if env:
        entry["url"] = env
    if overrides and name in overrides:
        entry["url"] = overrides[name]
    return entry


def make(name: str, overrides: dict[str, str] | None = None) -> Source:
    plugins = registry()
    if name not in plugins:
        raise FetchError(f"unknown source {name!r}; choose from {', '.join(plugins)}")
    entry = settings(name, overrides)
    return plugins[name](url=entry.get("url"), sha256=entry.get("sha256"))
