"""CSV cells made safe to open in a spreadsheet.

A text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is read by
spreadsheet programs as a formula (`=HYPERLINK(...)`, `@SUM(...)`, `+cmd|...`): a model string
or a post address in a release could run one on the machine of whoever opens an export.
Such a cell is written with a leading apostrophe, which spreadsheets show as text. A plain
number (`-3`, a negative count kept in the quarantine) is left as it is: it is no formula.

Every CSV the product writes for people goes through `to_csv`; `raw=True` (the CLI's
`--raw`, the API's `raw=true`) writes the cells exactly as stored.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from typing import TYPE_CHECKING

from strikescope.lazy import lazy_module

if TYPE_CHECKING:  # the real modules for the type checker; at run time on first use
    import pandas as pd
else:
    pd = lazy_module("pandas")

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

# The process default (the CLI's global `--raw`) and a per-request override (the web app's
# `raw=true`); `to_csv(raw=...)` wins over both.
_raw_default = False
raw_request: ContextVar[bool | None] = ContextVar("raw_csv", default=None)


def set_raw_default(raw: bool) -> None:
    global _raw_default
    _raw_default = bool(raw)


def raw_wanted(raw: bool | None = None) -> bool:
    if raw is not None:
        return raw
    request = raw_request.get()
    return _raw_default if request is None else request


def neutralise(value):
    """The cell as a spreadsheet shows it as text: a leading apostrophe before a formula
    trigger; any other value unchanged."""
    if (isinstance(value, str) and value.startswith(TRIGGERS)
            and not _PLAIN_NUMBER.fullmatch(value)):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` with its text cells neutralised (numbers, dates and the column
    names of the product's own tables are no formula); `df` when nothing needs it."""
    hit = [c for c in _text_columns(df) if df[c].map(_needs).any()]
    if not hit:
        return df
    out = df.copy()
    for c in hit:
        out[c] = df[c].map(neutralise)
    return out


def _needs(value) -> bool:
    return neutralise(value) is not value


def to_csv(df: pd.DataFrame, target=None, raw: bool | None = None, **kwargs):
    """`df.to_csv(target, index=False)` with formula cells neutralised unless `raw`."""
    frame = df if raw_wanted(raw) else neutralise_frame(df)
    if "lineterminator" not in kwargs and _has_cr(frame):
        # Python's writer quotes a cell holding a character of the line terminator only:
        # with "\n" a bare CR went out unquoted and split the record in other readers.
        kwargs["lineterminator"] = "\r\n"
    return frame.to_csv(target, index=False, **kwargs)


def _has_cr(df: pd.DataFrame) -> bool:
    return any(df[c].map(lambda v: isinstance(v, str) and "\r" in v).any()
               for c in _text_columns(df))


def _text_columns(df: pd.DataFrame) -> list:
    return [c for c in df.columns
            if df[c].dtype == object or pd.api.types.is_string_dtype(df[c].dtype)]
