"""Air-raid alerts by region and the hours people spent under them, night by night.

Inputs are the two files of the public "Ukrainian air raid sirens dataset" (UTC times):
the official feed (`oblast, raion, hromada, level, started_at, finished_at, source`) and
the volunteer record (`region, started_at, finished_at, naive`). Any newer release with
the same columns is read the same way; the kind of a file is told by its header.

Counting rules:

- A raion or hromada alert is a partial alert of its region: people in that part of the
  region are in shelter, so by default every level counts towards the region's hours.
  Pass `levels=("oblast",)` to count only region-wide alerts.
- Overlapping alerts of one region (across levels, and across sources when both files are
  combined) are merged before hours are summed, so an hour is never counted twice.
- `naive=True` volunteer alerts have no reported end; the dataset sets end = start +
  30 min. They are kept and flagged; `include_naive=False` leaves them out.
- The permanent alerts of Luhansk oblast (since 2022-04-04) and Crimea (since
  2022-12-10) are absent from the files. `load_alerts` adds them as synthetic continuous
  intervals flagged `permanent=True`, from 00:00 Kyiv time of that date to the end of the
  loaded data. They are left out of hour totals by default (they would make those regions
  read 24 h every night) but reported in `shelter_hours` as `permanent_alert`.

Nights follow the project definition: night D is [D-1 18:00, D 18:00) Europe/Kyiv local
time, 23 or 25 hours long on the nights of the DST changes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from strikescope import nightrule
from strikescope.config import TIMEZONE, input_dir
from strikescope.errors import InputError, NoSuchFileError
from strikescope.regions import map_regions, normalize_region
from strikescope.regions import regions as region_table

LEVELS = ("oblast", "raion", "hromada")
SOURCES = ("volunteer", "official")
NAIVE_DURATION = pd.Timedelta(minutes=30)
PERMANENT_ALERTS = {"luhansk": "2022-04-04", "crimea": "2022-12-10"}

OFFICIAL_COLUMNS = frozenset({"oblast", "raion", "hromada", "level", "started_at", "finished_at"})
VOLUNTEER_COLUMNS = frozenset({"region", "started_at", "finished_at", "naive"})

ALERT_COLUMNS = [
    "file",
    "row",
    "source",
    "region_text",
    "region_id",
    "level",
    "area",
    "started_at",
    "finished_at",
    "naive",
    "permanent",
]
QUARANTINE_COLUMNS = ["file", "row", "field", "value", "reason"]
HOURS_COLUMNS = [
    "night",
    "region_id",
    "hours_under_alert",
    "night_hours",
    "n_alerts",
    "n_episodes",
    "permanent_alert",
]

_NS_PER_HOUR = 3_600 * 10**9
_TRUE = {"true", "1", "yes", "t", "y"}
_FALSE = {"false", "0", "no", "f", "n"}


class AlertsRead(NamedTuple):
    """Alerts read from files, the rows set aside, and how many rows were read.

    `alerts` has ALERT_COLUMNS (one row per alert, times UTC tz-aware); `quarantine` has
    QUARANTINE_COLUMNS (one row per rejected input row, all its problems joined by "; ").
    Every row read is either loaded or quarantined: n_read == n_loaded + n_quarantined.
    `row` is the 1-based data row of the file (the header is not counted).
    """

    alerts: pd.DataFrame
    quarantine: pd.DataFrame
    n_read: int

    @property
    def n_loaded(self) -> int:
        return int((~self.alerts["permanent"]).sum())

    @property
    def n_quarantined(self) -> int:
        return len(self.quarantine)


# --- nights -------------------------------------------------------------------------


def _as_ns(times: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """UTC nanoseconds since the epoch, as int64."""
    index = pd.DatetimeIndex(times)
    if index.tz is None:
        index = index.tz_localize("UTC")
    return index.tz_convert("UTC").as_unit("ns").asi8


def _night_days(ns: np.ndarray) -> np.ndarray:
    """Night of each UTC instant, as days since 1970-01-01."""
    local = pd.DatetimeIndex(ns.astype("datetime64[ns]"), tz="UTC").tz_convert(TIMEZONE)
    nights = nightrule.nights_of_instants(local.tz_localize(None))
    return nights.as_unit("ns").asi8 // (86_400 * 10**9)


def night_of(times: pd.Series | pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The night (a date at midnight, naive) each instant belongs to; naive input is UTC."""
    days = _night_days(_as_ns(times))
    return pd.DatetimeIndex(days.astype("datetime64[D]").astype("datetime64[ns]"), name="night")


def _window_ns(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """UTC bounds [D-1 18:00, D 18:00) Kyiv time of nights given as day numbers."""
    unique, inverse = np.unique(days, return_inverse=True)
    dates = pd.DatetimeIndex(unique.astype("datetime64[D]").astype("datetime64[ns]"))
    # 18:00 is never skipped or repeated by a Kyiv DST change, so localising is exact.
    ends = dates + nightrule.FROM_MIDNIGHT
    starts = _as_ns((ends - pd.Timedelta(days=1)).tz_localize(TIMEZONE))
    ends = _as_ns(ends.tz_localize(TIMEZONE))
    return starts[inverse], ends[inverse]


def night_window(nights) -> pd.DataFrame:
    """Start, end (UTC) and length in hours of each night date."""
    dates = pd.DatetimeIndex(pd.to_datetime(nights)).normalize()
    dates = dates.tz_localize(None) if dates.tz is not None else dates
    starts, ends = _window_ns(dates.as_unit("ns").asi8 // (86_400 * 10**9))
    return pd.DataFrame(
        {
            "night": dates,
            "start": pd.to_datetime(starts, utc=True),
            "end": pd.to_datetime(ends, utc=True),
            "night_hours": (ends - starts) / _NS_PER_HOUR,
        }
    )


# --- reading ------------------------------------------------------------------------


def _header(path: Path) -> frozenset[str]:
    return frozenset(pd.read_csv(path, nrows=0).columns.str.strip())


def file_kind(path: str | os.PathLike) -> str | None:
    """Which alerts file this is, told by its columns: official, volunteer or None."""
    columns = _header(Path(path))
    if columns >= OFFICIAL_COLUMNS:
        return "official"
    if columns >= VOLUNTEER_COLUMNS:
        return "volunteer"
    return None


def _read_raw(path: Path, required: frozenset[str]) -> pd.DataFrame:
    raw = pd.read_csv(path, dtype="str", keep_default_na=False, na_values=[""])
    raw.columns = raw.columns.str.strip()
    missing = required - set(raw.columns)
    if missing:
        raise InputError(f"{path}: missing columns {sorted(missing)}")
    return raw


def _parse_time(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.str.strip(), utc=True, errors="coerce", format="ISO8601")


def _parse_bool(values: pd.Series) -> pd.Series:
    """True/False, or missing where the text is neither."""
    text = values.str.strip().str.lower()
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[text.isin(_TRUE)] = True
    out[text.isin(_FALSE)] = False
    return out


def _problems(frame: pd.DataFrame, raw_naive: pd.Series) -> pd.DataFrame:
    """Long table (index label, field, value, reason) of every problem in every row."""
    checks = [
        (frame.region_id.isna(), "region", frame.region_text, "not a region of Ukraine"),
        (frame.started_at.isna(), "started_at", frame.raw_start, "missing or unparseable"),
        (
            frame.finished_at.isna(),
            "finished_at",
            frame.raw_end,
            "missing or unparseable (and not naive)",
        ),
        (frame.naive.isna(), "naive", raw_naive, "not true/false"),
        (~frame.level.isin(LEVELS), "level", frame.level, f"not one of {LEVELS}"),
        (frame.finished_at < frame.started_at, "finished_at", frame.raw_end, "before start"),
    ]
    parts = [
        pd.DataFrame({"field": field, "value": value[mask], "reason": reason})
        for mask, field, value, reason in checks
        if mask.any()
    ]
    if not parts:
        return pd.DataFrame(columns=["field", "value", "reason"])
    return pd.concat(parts)


def _quarantine(frame: pd.DataFrame, problems: pd.DataFrame) -> pd.DataFrame:
    if problems.empty:
        return pd.DataFrame(columns=QUARANTINE_COLUMNS)
    problems = problems.assign(value=problems["value"].astype("str").fillna(""))
    joined = problems.groupby(level=0, sort=True).agg("; ".join)
    joined = frame.loc[joined.index, ["file", "row"]].join(joined)
    return joined[QUARANTINE_COLUMNS].reset_index(drop=True)


def _finish(frame: pd.DataFrame, raw_naive: pd.Series) -> AlertsRead:
    """Parse times, fill naive ends, split good rows from quarantined ones."""
    frame["started_at"] = _parse_time(frame.raw_start)
    frame["finished_at"] = _parse_time(frame.raw_end)
    fill = frame.finished_at.isna() & frame.naive.fillna(False).astype(bool)
    frame.loc[fill, "finished_at"] = frame.loc[fill, "started_at"] + NAIVE_DURATION
    for column in ("started_at", "finished_at"):
        frame[column] = frame[column].dt.as_unit("ns")
    problems = _problems(frame, raw_naive)
    bad = frame.index.isin(problems.index)
    alerts = frame.loc[~bad].assign(naive=lambda d: d.naive.astype(bool), permanent=False)
    alerts = alerts[ALERT_COLUMNS].reset_index(drop=True)
    return AlertsRead(alerts, _quarantine(frame, problems), len(frame))


def _base(raw: pd.DataFrame, path: Path, region_text: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "file": path.name,
            "row": np.arange(1, len(raw) + 1),
            "region_text": region_text,
            "region_id": map_regions(region_text),
            "raw_start": raw["started_at"],
            "raw_end": raw["finished_at"],
        }
    )


def read_official(path: str | os.PathLike) -> AlertsRead:
    """The official alert feed: oblast-, raion- and hromada-level alerts (`level`)."""
    path = Path(path)
    raw = _read_raw(path, OFFICIAL_COLUMNS)
    frame = _base(raw, path, raw["oblast"])
    frame["source"] = raw["source"].fillna("official") if "source" in raw else "official"
    frame["level"] = raw["level"].str.strip().str.lower()
    frame["area"] = raw["hromada"].fillna(raw["raion"])
    frame["naive"] = pd.Series(False, index=raw.index, dtype="boolean")
    return _finish(frame, pd.Series("", index=raw.index, dtype="str"))


def read_volunteer(path: str | os.PathLike) -> AlertsRead:
    """The volunteer alert record: region-wide alerts, some with no reported end (naive)."""
    path = Path(path)
    raw = _read_raw(path, VOLUNTEER_COLUMNS)
    frame = _base(raw, path, raw["region"])
    frame["source"] = "volunteer"
    frame["level"] = "oblast"
    frame["area"] = pd.Series(pd.NA, index=raw.index, dtype="str")
    frame["naive"] = _parse_bool(raw["naive"])
    return _finish(frame, raw["naive"])


_READERS = {"official": read_official, "volunteer": read_volunteer}


def _discover(paths) -> list[tuple[Path, str]]:
    """(file, kind) for the given files or directories; the data directory if none."""
    if paths is None:
        paths = [input_dir("alerts")]
    elif isinstance(paths, str | os.PathLike):
        paths = [paths]
    found: list[tuple[Path, str]] = []
    for item in map(Path, paths):
        if not item.exists():
            raise NoSuchFileError(f"{item}: no such file or directory")
        if item.is_dir():
            kinds = ((f, file_kind(f)) for f in sorted(item.glob("*.csv")))
            found.extend((f, kind) for f, kind in kinds if kind)
            continue
        kind = file_kind(item)
        if kind is None:
            raise InputError(f"{item}: neither an official nor a volunteer alerts file")
        found.append((item, kind))
    return found


def _quarantine_duplicates(alerts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Move repeats of one alert (e.g. two releases of a file side by side) to quarantine."""
    key = ["source", "region_id", "level", "area", "started_at", "finished_at"]
    repeated = alerts.duplicated(key, keep="first")
    first = alerts.groupby(key, dropna=False, sort=False)[["file", "row"]].transform("first")
    earlier = first.file[repeated] + " row " + first.row[repeated].astype("str")
    dupes = alerts.loc[repeated, ["file", "row"]].assign(
        field="*", value="", reason="same alert as " + earlier
    )
    return alerts.loc[~repeated].reset_index(drop=True), dupes[QUARANTINE_COLUMNS]


def permanent_alerts(until: pd.Timestamp | str) -> pd.DataFrame:
    """The continuous alerts missing from the files, as synthetic rows ending at `until`."""
    starts = pd.to_datetime(list(PERMANENT_ALERTS.values())).tz_localize(TIMEZONE)
    ids = list(PERMANENT_ALERTS)
    until = pd.Timestamp(until)
    until = until.tz_localize("UTC") if until.tzinfo is None else until.tz_convert("UTC")
    table = region_table()
    return pd.DataFrame(
        {
            "file": "",
            "row": 0,
            "source": "permanent",
            "region_text": table.loc[ids, "name_en"].to_numpy(),
            "region_id": ids,
            "level": "oblast",
            "area": pd.Series([pd.NA] * len(ids), dtype="str"),
            "started_at": starts.tz_convert("UTC").as_unit("ns"),
            "finished_at": pd.DatetimeIndex([until] * len(ids)).as_unit("ns"),
            "naive": False,
            "permanent": True,
        }
    )[ALERT_COLUMNS]


def load_alerts(
    paths: str | os.PathLike | Iterable[str | os.PathLike] | None = None,
    sources: Sequence[str] = SOURCES,
    *,
    permanent: bool = True,
    until: pd.Timestamp | str | None = None,
) -> AlertsRead:
    """Read every alerts file of the chosen sources and combine them.

    `paths` are files or directories (default: `input_dir("alerts")`); a
    directory contributes every CSV whose header is an official or volunteer file. The
    same alert read twice (two releases of one file) is quarantined as a duplicate.
    With `permanent`, the Luhansk and Crimea permanent alerts are appended as synthetic
    rows lasting until `until` (default: the last end time in the loaded data).
    """
    unknown = set(sources) - set(SOURCES)
    if unknown:
        raise InputError(f"unknown sources {sorted(unknown)}; use {SOURCES}")
    reads = [_READERS[kind](f) for f, kind in _discover(paths) if kind in sources]
    if not reads:
        raise NoSuchFileError(f"no alerts files of sources {tuple(sources)} in {paths}")
    alerts, dupes = _quarantine_duplicates(pd.concat([r.alerts for r in reads]))
    quarantine = pd.concat([*(r.quarantine for r in reads), dupes], ignore_index=True)
    if permanent and len(alerts):
        end = until if until is not None else alerts["finished_at"].max()
        alerts = pd.concat([alerts, permanent_alerts(end)], ignore_index=True)
    return AlertsRead(alerts, quarantine, sum(r.n_read for r in reads))


# --- hours --------------------------------------------------------------------------


def merge_intervals(df: pd.DataFrame) -> pd.DataFrame:
    """Union of the alert intervals of each region: region_id, started_at, finished_at,
    n_alerts (how many alerts each merged episode is made of). Touching intervals join."""
    if df.empty:
        empty = {"region_id": pd.Series(dtype="str"), "n_alerts": pd.Series(dtype="int64")}
        times = pd.Series(dtype="datetime64[ns, UTC]")
        return pd.DataFrame({**empty, "started_at": times, "finished_at": times})[
            ["region_id", "started_at", "finished_at", "n_alerts"]
        ]
    d = df.sort_values(["region_id", "started_at"], kind="stable")
    region = d["region_id"].to_numpy(dtype=object)
    start, end = _as_ns(d["started_at"]), _as_ns(d["finished_at"])
    running = pd.Series(end).groupby(region, sort=False).cummax().to_numpy()
    first_of_region = np.r_[True, region[1:] != region[:-1]]
    new = first_of_region | np.r_[True, start[1:] > running[:-1]]
    heads = np.flatnonzero(new)
    return pd.DataFrame(
        {
            "region_id": pd.array(region[heads], dtype="str"),
            "started_at": pd.to_datetime(start[heads], utc=True),
            "finished_at": pd.to_datetime(np.maximum.reduceat(end, heads), utc=True),
            "n_alerts": np.diff(np.r_[heads, len(d)]),
        }
    )


def split_by_night(intervals: pd.DataFrame) -> pd.DataFrame:
    """Cut intervals at night boundaries: one row per (interval, night) with the hours of
    the interval inside that night. Columns: region_id, night, hours."""
    start, end = _as_ns(intervals["started_at"]), _as_ns(intervals["finished_at"])
    first = _night_days(start)
    # The end instant is excluded, so an alert ending at 18:00 sharp stays in one night.
    last = _night_days(np.maximum(end - 1, start))
    spans = last - first + 1
    which = np.repeat(np.arange(len(start)), spans)
    offset = np.arange(len(which)) - np.repeat(np.cumsum(spans) - spans, spans)
    nights = first[which] + offset
    w_start, w_end = _window_ns(nights)
    inside = np.minimum(end[which], w_end) - np.maximum(start[which], w_start)
    return pd.DataFrame(
        {
            "region_id": intervals["region_id"].to_numpy(dtype=object)[which],
            "night": nights.astype("datetime64[D]").astype("datetime64[ns]"),
            "hours": np.clip(inside, 0, None) / _NS_PER_HOUR,
        }
    )


def select_alerts(
    alerts: pd.DataFrame,
    *,
    levels: Iterable[str] | None = None,
    include_naive: bool = True,
    include_permanent: bool = True,
    regions: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The alerts that pass the filters; `regions` may be any spellings."""
    keep = pd.Series(True, index=alerts.index)
    if levels is not None:
        levels = set(levels)
        if not levels <= set(LEVELS):
            raise InputError(f"unknown levels {sorted(levels - set(LEVELS))}; use {LEVELS}")
        keep &= alerts["level"].isin(levels)
    if not include_naive:
        keep &= ~alerts["naive"]
    if not include_permanent:
        keep &= ~alerts["permanent"]
    if regions is not None:
        keep &= alerts["region_id"].isin(_region_ids(regions))
    return alerts.loc[keep]


def _region_ids(names: Iterable[str]) -> list[str]:
    names = [names] if isinstance(names, str) else list(names)
    ids = [normalize_region(n, places=False) for n in names]
    unknown = [n for n, i in zip(names, ids, strict=True) if i is None]
    if unknown:
        raise InputError(f"not a region: {unknown}")
    return [i for i in ids if i is not None]  # all of them, as checked above


def _count_by_night(times: pd.Series, region: pd.Series, name: str) -> pd.Series:
    keys = pd.DataFrame({"night": night_of(times), "region_id": region.to_numpy()})
    return keys.groupby(["night", "region_id"]).size().rename(name)


def _clip(intervals: pd.DataFrame, start, end) -> pd.DataFrame:
    """Intervals cut to the nights [start, end] so that nothing outside is split."""
    lo = night_window([start]).start.iloc[0] if start is not None else None
    hi = night_window([end]).end.iloc[0] if end is not None else None
    out = intervals
    if lo is not None:
        out = out[out.finished_at > lo].assign(started_at=lambda d: d.started_at.clip(lower=lo))
    if hi is not None:
        out = out[out.started_at < hi].assign(finished_at=lambda d: d.finished_at.clip(upper=hi))
    return out


def shelter_hours(
    alerts: pd.DataFrame,
    start=None,
    end=None,
    regions: Iterable[str] | None = None,
    *,
    levels: Iterable[str] | None = None,
    include_naive: bool = True,
    include_permanent: bool = False,
    complete: bool = False,
) -> pd.DataFrame:
    """Hours under alert per night and region.

    One row per (night, region_id) with any alert, or every night in [start, end] times
    every selected region with `complete=True`. Columns: night (date), region_id,
    hours_under_alert (merged intervals clipped to the night, so <= night_hours),
    night_hours (23, 24 or 25), n_alerts (alert records starting that night; the same
    siren in both sources counts twice), n_episodes (merged episodes starting that night),
    permanent_alert (a permanent alert covered the region that night).
    """
    chosen = select_alerts(alerts, levels=levels, include_naive=include_naive, regions=regions)
    counted = chosen if include_permanent else chosen[~chosen["permanent"]]
    merged = merge_intervals(counted)
    hours = split_by_night(_clip(merged, start, end)).groupby(["night", "region_id"]).hours
    perm = split_by_night(_clip(chosen[chosen["permanent"]], start, end))
    table = pd.concat(
        [
            hours.sum().rename("hours_under_alert"),
            _count_by_night(counted.started_at, counted.region_id, "n_alerts"),
            _count_by_night(merged.started_at, merged.region_id, "n_episodes"),
            perm.groupby(["night", "region_id"]).size().gt(0).rename("permanent_alert"),
        ],
        axis=1,
    )
    return _finish_hours(table, start, end, regions, complete)


def _finish_hours(table: pd.DataFrame, start, end, regions, complete: bool) -> pd.DataFrame:
    nights = table.index.get_level_values("night")
    lo = pd.Timestamp(start) if start is not None else nights.min()
    hi = pd.Timestamp(end) if end is not None else nights.max()
    if complete and pd.notna(lo) and pd.notna(hi):
        ids = _region_ids(regions) if regions is not None else list(region_table().index)
        grid = pd.MultiIndex.from_product(
            [pd.date_range(lo, hi, freq="D"), ids], names=["night", "region_id"]
        )
        table = table.reindex(table.index.union(grid))
    table = table.reset_index()
    table = table[(table.night >= lo) & (table.night <= hi)] if len(table) else table
    table = table.fillna({"hours_under_alert": 0.0, "n_alerts": 0, "n_episodes": 0})
    table["permanent_alert"] = table["permanent_alert"].fillna(False).astype(bool)
    table = table.astype({"n_alerts": "int64", "n_episodes": "int64"})
    table["night_hours"] = night_window(table["night"])["night_hours"].to_numpy()
    table = table.sort_values(["night", "region_id"], ignore_index=True)
    return table[HOURS_COLUMNS]
