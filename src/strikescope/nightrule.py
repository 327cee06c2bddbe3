"""The night rule, written once for the reports, the alerts and the claim checker.

Night D is the Kyiv-local period [D-1 18:00, D 18:00): the night ending on the morning of D
and the daytime after it. Two readings follow from it:

* an *instant* (an alert starting, a time stated in an article) belongs to the night that
  holds it: 18:00 sharp opens night D+1 (`night_of_instant`, `instant_night_sql`);
* a *window that ends* at a time belongs to the night holding its last moment: a report
  window ending at 18:00 sharp is the daytime report of D, one ending at 18:01 is night D+1
  (`night_of_end`, `end_night_sql`).

A bare date (no time of day) is night D itself. Both the Python functions and the SQL
fragments are generated from `BOUNDARY`, so the rebuild in DuckDB and the code in pandas
cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from strikescope.config import TIMEZONE
from strikescope.lazy import lazy_module

if TYPE_CHECKING:  # the real modules for the type checker; at run time on first use
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = ["TIMEZONE", "BOUNDARY", "night_of_instant", "night_of_end", "nights_of_instants",
           "nights_of_ends", "end_night_sql", "instant_night_sql", "night_bounds"]
BOUNDARY = dt.time(18, 0)
# From midnight to the boundary, and from the boundary to the next midnight (an instant
# shifted by the latter lands on its night's date). Plain timedeltas, which pandas adds and
# compares alike: importing this module does not import pandas.
FROM_MIDNIGHT = dt.timedelta(hours=BOUNDARY.hour, minutes=BOUNDARY.minute)
_TO_MIDNIGHT = dt.timedelta(days=1) - FROM_MIDNIGHT


def night_of_instant(t) -> pd.Timestamp:
    """The night holding the local (Kyiv, naive) instant `t`: [D-1 18:00, D 18:00) -> D."""
    return (pd.Timestamp(t) + _TO_MIDNIGHT).normalize()


def night_of_end(t, has_time: bool = True) -> pd.Timestamp:
    """The night of a window ending at local `t`: (D-1 18:00, D 18:00] -> D; a bare date
    (`has_time` false) is its own night."""
    ts = pd.Timestamp(t)
    if not has_time:
        return ts.normalize()
    return ts.normalize() + pd.Timedelta(days=1 if ts.time() > BOUNDARY else 0)


def nights_of_instants(wall: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """`night_of_instant` for many naive local instants at once."""
    return (pd.DatetimeIndex(wall) + _TO_MIDNIGHT).normalize()


def nights_of_ends(wall: pd.DatetimeIndex, has_time=True) -> pd.DatetimeIndex:
    """`night_of_end` for many naive local window ends at once (`has_time`: a bool or an
    array of them)."""
    wall = pd.DatetimeIndex(wall)
    day = wall.normalize()
    late = ((wall - day) > FROM_MIDNIGHT) & np.asarray(has_time, dtype=bool)
    return day + pd.to_timedelta(late.astype("int64"), unit="D")


def _boundary_sql() -> str:
    return f"TIME '{BOUNDARY:%H:%M:%S}'"


def end_night_sql(col: str, has_time: str | None = None) -> str:
    """SQL (DuckDB): the night (DATE) of a window ending at the local TIMESTAMP `col`; with
    `has_time`, a boolean column, a row without a time of day is its own date."""
    timed = (f"CASE WHEN CAST({col} AS TIME) > {_boundary_sql()} "
             f"THEN CAST({col} AS DATE) + 1 ELSE CAST({col} AS DATE) END")
    if has_time is None:
        return timed
    return f"CASE WHEN {has_time} THEN {timed} ELSE CAST({col} AS DATE) END"


def instant_night_sql(col: str) -> str:
    """SQL (DuckDB): the night (DATE) holding the local TIMESTAMP instant `col`."""
    return (f"CASE WHEN CAST({col} AS TIME) >= {_boundary_sql()} "
            f"THEN CAST({col} AS DATE) + 1 ELSE CAST({col} AS DATE) END")


def night_bounds(night) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Local (naive) start and end of night D: [D-1 18:00, D 18:00)."""
    end = pd.Timestamp(night).normalize() + FROM_MIDNIGHT
    return end - pd.Timedelta(days=1), end
