"""The diplomatic timeline: sourced, dated contacts around the war, for the event study.

The package ships a curated CSV (`data/diplomatic_events.csv`); users can add their own
files in the same format. Every row is validated and every problem is reported with the
file, the spreadsheet row number and the field, so a broken row is quick to find.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from strikescope.config import package_data
from strikescope.errors import EventValidationError, InputError, format_problem
from strikescope.lazy import lazy_module

if TYPE_CHECKING:  # the real modules for the type checker; at run time on first use
    import pandas as pd
else:
    pd = lazy_module("pandas")

EVENT_TYPES = (
    "phone_call",
    "summit",
    "envoy_meeting",
    "negotiation_round",
    "ceasefire",
    "ultimatum_or_sanction",
    "peace_plan",
)
CONFIDENCE = ("high", "medium", "low")
BUILTIN_FILE = "diplomatic_events.csv"
CSV_COLUMNS = (
    "event_id",
    "date",
    "end_date",
    "type",
    "actors",
    "title",
    "description",
    "source_url",
    "confidence",
)
FRAME_COLUMNS = (*CSV_COLUMNS, "origin")
REQUIRED_COLUMNS = ("date", "type", "actors", "title", "confidence")
NO_SOURCE = "is empty: the event is loaded without a source; add the page that states its date"

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ACTOR_RE = re.compile(r"^[A-Z][A-Z0-9_]{1,9}$")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

PathLike = str | os.PathLike
Problem = tuple[str, int, str, str]


class EventFileWarning(UserWarning):
    """Rows loaded with a warning (a missing source): `.warnings` as (file, row, field,
    message), as in EventValidationError."""

    def __init__(self, notes: Sequence[Problem]):
        self.warnings = list(notes)
        super().__init__("\n".join(format_problem(p) for p in self.warnings))




@dataclass
class _Row:
    """One parsed event plus where it came from."""

    values: dict
    path: Path
    row: int
    explicit_id: bool

    @property
    def file(self) -> str:
        return self.path.name


# --- field checks: each returns (value, error message or None) -------------------------


def _check_date(text: str, field: str) -> tuple[dt.date | None, str | None]:
    if not text:
        return None, "is empty" if field == "date" else None
    # date.fromisoformat also takes '20250703' and week dates; the file format is stricter
    if _DATE_RE.match(text):
        try:
            return dt.date.fromisoformat(text), None
        except ValueError:
            pass
    return None, f"'{text}' is not a date (YYYY-MM-DD)"


def _check_type(text: str) -> tuple[str | None, str | None]:
    if text in EVENT_TYPES:
        return text, None
    shown = f"'{text}'" if text else "empty"
    return None, f"{shown} is not an event type (valid: {', '.join(EVENT_TYPES)})"


def _check_actors(text: str) -> tuple[tuple[str, ...] | None, str | None]:
    codes = [c.strip().upper() for c in text.split(";") if c.strip()]
    if not codes:
        return None, "is empty (give at least one code such as USA;RUS)"
    bad = [c for c in codes if not _ACTOR_RE.match(c)]
    if bad:
        return None, f"invalid actor code(s) {', '.join(map(repr, bad))} (use codes like USA, EU)"
    return tuple(dict.fromkeys(codes)), None


def _check_url(text: str) -> tuple[str | None, str | None]:
    if not text:
        return None, "is empty (every event needs a source page that states its date)"
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"\s", text):
        return None, f"'{text}' is not an http(s) URL"
    return text, None


def _check_confidence(text: str) -> tuple[str | None, str | None]:
    if text in CONFIDENCE:
        return text, None
    shown = f"'{text}'" if text else "empty"
    return None, f"{shown} is not a confidence level (valid: {', '.join(CONFIDENCE)})"


def _check_title(text: str) -> tuple[str | None, str | None]:
    return (text, None) if text else (None, "is empty")


_CHECKS = {
    "type": _check_type,
    "actors": _check_actors,
    "title": _check_title,
    "source_url": _check_url,
    "confidence": _check_confidence,
}


def _parse_row(raw: dict[str, str], file: str, row: int) -> tuple[dict, list[Problem]]:
    values: dict = {"description": raw.get("description", "")}
    problems: list[Problem] = []
    for field in ("date", "end_date"):
        values[field], err = _check_date(raw.get(field, ""), field)
        if err:
            problems.append((file, row, field, err))
    for field, check in _CHECKS.items():
        values[field], err = check(raw.get(field, ""))
        if err:
            problems.append((file, row, field, err))
    if not raw.get("source_url", ""):
        # a missing source is a warning: the event is usable, but cannot be checked
        problems = [p for p in problems if p[2] != "source_url"]
        values["source_url"] = ""
        values["warning"] = (file, row, "source_url", NO_SOURCE)
    start, end = values["date"], values["end_date"]
    if start and end and end < start:
        problems.append((file, row, "end_date", f"'{end}' is before the date '{start}'"))
    return values, problems


# --- reading files ----------------------------------------------------------------------


def _read_records(path: Path) -> tuple[list[str] | None, list[tuple[int, list[str]]]]:
    """Header and (row number, fields) pairs; blank lines still count as rows."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            records = list(csv.reader(fh))
    except (csv.Error, UnicodeDecodeError) as exc:
        # an unreadable file is a problem of that file, reported like the others
        raise EventValidationError([(path.name, 1, "file", f"is not a UTF-8 CSV ({exc})")]
                                   ) from None
    if not records:
        return None, []
    header = [h.strip().lower() for h in records[0]]
    body = [(i + 2, rec) for i, rec in enumerate(records[1:]) if any(f.strip() for f in rec)]
    return header, body


def _header_problems(header: list[str] | None, file: str) -> list[Problem]:
    if header is None:
        return [(file, 1, "header", "the file is empty")]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    return [(file, 1, c, "column is missing from the header") for c in missing]


def _read_file(path: Path) -> tuple[list[_Row], list[Problem]]:
    file = path.name
    header, body = _read_records(path)
    problems = _header_problems(header, file)
    if problems:
        return [], problems
    assert header is not None  # a missing header is one of the problems above
    rows: list[_Row] = []
    for number, fields in body:
        if len(fields) > len(header):
            msg = f"has {len(fields)} fields but the header has {len(header)}"
            problems.append((file, number, "row", msg))
            continue
        raw = {h: f.strip() for h, f in zip(header, fields, strict=False)}
        values, row_problems = _parse_row(raw, file, number)
        problems.extend(row_problems)
        values["event_id"] = raw.get("event_id", "")
        rows.append(_Row(values, path, number, bool(values["event_id"])))
    return rows, problems


def event_slug(date: dt.date, type: str, actors: Iterable[str]) -> str:
    """A stable id such as `2025-07-03-phone_call-rus-usa` (actors sorted, lower case)."""
    codes = sorted({a.strip().lower() for a in actors if a.strip()})
    return "-".join([date.isoformat(), type, *codes])


def _assign_ids(rows: list[_Row]) -> list[Problem]:
    """Check explicit ids and give the others a slug, numbering repeats -2, -3 in file order."""
    problems: list[Problem] = []
    used: dict[str, _Row] = {}
    for r in (r for r in rows if r.explicit_id):
        eid = r.values["event_id"]
        if not _ID_RE.match(eid):
            msg = f"'{eid}' is not a valid id (lower-case letters, digits, '-' and '_')"
            problems.append((r.file, r.row, "event_id", msg))
        elif eid in used:
            msg = f"'{eid}' is already used in row {used[eid].row}"
            problems.append((r.file, r.row, "event_id", msg))
        used.setdefault(eid, r)
    for r in (r for r in rows if not r.explicit_id):
        v = r.values
        if v["date"] is None or v["type"] is None or v["actors"] is None:
            continue  # already reported; no id can be built
        base = event_slug(v["date"], v["type"], v["actors"])
        eid, n = base, 1
        while eid in used:
            n += 1
            eid = f"{base}-{n}"
        v["event_id"] = eid
        used[eid] = r
    return problems


def _cross_file_problems(rows: list[_Row]) -> list[Problem]:
    """The same id in two files is an error: neither file silently wins."""
    first: dict[str, _Row] = {}
    problems: list[Problem] = []
    for r in rows:
        eid = r.values["event_id"]
        if not eid:
            continue
        other = first.setdefault(eid, r)
        if other.path != r.path:
            msg = (
                f"'{eid}' is also defined in {other.file} row {other.row}"
                " (give one of them a distinct event_id)"
            )
            problems.append((r.file, r.row, "event_id", msg))
    return problems


def _to_frame(rows: list[_Row]) -> pd.DataFrame:
    data = {c: [r.values.get(c) for r in rows] for c in CSV_COLUMNS}
    data["end_date"] = [r.values["end_date"] or r.values["date"] for r in rows]
    data["origin"] = [r.file for r in rows]
    df = pd.DataFrame(data, columns=list(FRAME_COLUMNS))
    for col in set(FRAME_COLUMNS) - {"date", "end_date", "actors"}:
        df[col] = df[col].astype(str)
    df["actors"] = df["actors"].astype(object)
    for col in ("date", "end_date"):
        df[col] = pd.to_datetime(pd.Series(df[col], dtype=object)).astype("datetime64[ns]")
    return df.sort_values(["date", "event_id"], kind="stable").reset_index(drop=True)


def builtin_path() -> Path:
    """The curated timeline shipped with the package."""
    return package_data(BUILTIN_FILE)


def load_events(
    paths: PathLike | Iterable[PathLike] | None = None, include_builtin: bool = True
) -> pd.DataFrame:
    """The packaged timeline plus any user files, validated, one row per event, by date.

    Raises EventValidationError listing every problem in every file.
    """
    files = [builtin_path()] if include_builtin else []
    files += _as_paths(paths)
    rows: list[_Row] = []
    problems: list[Problem] = []
    for path in files:
        file_rows, file_problems = _read_file(path)
        problems += file_problems + _assign_ids(file_rows)
        rows += file_rows
    problems += _cross_file_problems(rows)
    if problems:
        raise EventValidationError(problems)
    df = _to_frame(rows)
    notes = [r.values["warning"] for r in rows if r.values.get("warning")]
    df.attrs["warnings"] = notes
    if notes:
        warnings.warn(EventFileWarning(notes), stacklevel=2)
    return df


def _as_paths(paths: PathLike | Iterable[PathLike] | None) -> list[Path]:
    if paths is None:
        return []
    if isinstance(paths, str | os.PathLike):
        return [Path(paths)]
    return [Path(p) for p in paths]


# --- filtering --------------------------------------------------------------------------


def _as_list(value: str | Iterable[str] | None) -> list[str]:
    """Accept 'USA,RUS', ['USA', 'RUS'] or None."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [s.strip() for s in items if s and s.strip()]


def _as_timestamp(value: str | dt.date | None) -> pd.Timestamp | None:
    if value is None or value == "":
        return None
    try:
        return pd.Timestamp(value).normalize().tz_localize(None)
    except ValueError as exc:
        raise InputError(f"'{value}' is not a date (YYYY-MM-DD)") from exc


def filter_events(
    df: pd.DataFrame,
    type: str | Iterable[str] | None = None,
    actors: str | Iterable[str] | None = None,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    confidence: str | None = None,
) -> pd.DataFrame:
    """Events of any of `type`, involving all of `actors`, dated `start`..`end` inclusive,
    at least as certain as `confidence` (so 'medium' keeps high and medium)."""
    keep = pd.Series(True, index=df.index)
    types = _as_list(type)
    unknown = [t for t in types if t not in EVENT_TYPES]
    if unknown:
        raise InputError(f"unknown event type {unknown} (valid: {', '.join(EVENT_TYPES)})")
    if types:
        keep &= df["type"].isin(types)
    wanted = {a.upper() for a in _as_list(actors)}
    if wanted:
        keep &= df["actors"].map(lambda codes: wanted.issubset(codes)).astype(bool)
    lo, hi = _as_timestamp(start), _as_timestamp(end)
    if lo is not None:
        keep &= df["date"] >= lo
    if hi is not None:
        keep &= df["date"] <= hi
    if confidence:
        keep &= df["confidence"].isin(_at_least(confidence))
    return df[keep].reset_index(drop=True)


def _at_least(level: str) -> tuple[str, ...]:
    if level not in CONFIDENCE:
        raise InputError(f"unknown confidence '{level}' (valid: {', '.join(CONFIDENCE)})")
    return CONFIDENCE[: CONFIDENCE.index(level) + 1]


def events(
    type: str | Iterable[str] | None = None,
    actors: str | Iterable[str] | None = None,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    confidence: str | None = None,
    paths: PathLike | Iterable[PathLike] | None = None,
    include_builtin: bool = True,
) -> pd.DataFrame:
    """Load the timeline (packaged and user files) and filter it; see `filter_events`."""
    df = load_events(paths, include_builtin=include_builtin)
    return filter_events(df, type, actors, start, end, confidence)


def coverage(paths: PathLike | Iterable[PathLike] | None = None) -> tuple | None:
    """The first and last dates of the timeline (packaged and `paths`' events), None for
    an empty one: past them, no event listed says nothing of the days."""
    dates = load_events(paths)["date"]
    return None if dates.empty else (dates.min(), dates.max())


def event_dates(
    type: str | Iterable[str] | None = None,
    actors: str | Iterable[str] | None = None,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    confidence: str | None = None,
    paths: PathLike | Iterable[PathLike] | None = None,
    include_builtin: bool = True,
    unique: bool = True,
) -> list[dt.date]:
    """Sorted start dates of the selected events, for an event study.

    Two events on one day would give the same event window twice, so repeats are
    dropped unless `unique=False`.
    """
    df = events(type, actors, start, end, confidence, paths, include_builtin)
    dates = [ts.date() for ts in df["date"]]
    return sorted(set(dates)) if unique else sorted(dates)


FILTER_KEYS = {"type": "type", "types": "type", "actors": "actors", "from": "start",
               "start": "start", "to": "end", "end": "end", "confidence": "confidence",
               "id": "ids", "ids": "ids", "event": "ids"}


def parse_filter(text: str) -> dict[str, object]:
    """Parse an event filter such as "type=phone_call actors=USA,RUS from=2025-01-01".

    Terms are separated by spaces or ";"; lists by ",". Keys: type, actors, from, to,
    confidence, id. Returns keyword arguments for `events()` (ids under "ids").
    """
    selected: dict[str, object] = {}
    for term in (t for t in re.split(r"[;\s]+", text.strip()) if t):
        key, sep, value = term.partition("=")
        name = FILTER_KEYS.get(key.strip().lower())
        if not sep or name is None or not value.strip():
            raise InputError(
                f"event filter term {term!r}: expected key=value with key one of "
                f"{', '.join(sorted(set(FILTER_KEYS)))}")
        items = [v.strip() for v in value.split(",") if v.strip()]
        selected[name] = items if name in ("type", "actors", "ids") else value.strip()
    return selected
