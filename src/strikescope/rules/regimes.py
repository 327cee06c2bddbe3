"""Reporting regimes: known changes in how the Air Force reports count (data/regimes.csv).

A rate that moves when the reporting changes is not a change in the war. Each regime names
the nights it covers and the measures it affects; charts of those measures mark the regimes
as bands (drawn by `strikescope.render.charts`), the data page and the defense tables name
them, and the comparable defense measure across them is "stopped" (shot down + lost to
electronic warfare).
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from strikescope.config import package_data

FILE = "regimes.csv"


@cache
def _table() -> pd.DataFrame:
    df = pd.read_csv(package_data(FILE), dtype=str, keep_default_na=False)
    for col in ("first_night", "last_night"):
        df[col] = pd.to_datetime(df[col].replace("", None))
    df["measures"] = df["measures"].map(lambda s: tuple(m for m in s.split(";") if m))
    return df


def regimes(measure: str | None = None) -> pd.DataFrame:
    """The regimes in time order, or those affecting `measure`."""
    df = _table().copy()
    if measure is not None:
        df = df[df["measures"].map(lambda ms: measure in ms)]
    return df.reset_index(drop=True)


def regime_of(nights) -> pd.Series:
    """The regime id of each night (None outside every regime)."""
    nights = pd.to_datetime(pd.Series(nights)).reset_index(drop=True)
    out = pd.Series([None] * len(nights), dtype=object)
    for r in _table().itertuples():
        inside = pd.Series(True, index=nights.index)
        if pd.notna(r.first_night):
            inside &= nights >= r.first_night
        if pd.notna(r.last_night):
            inside &= nights <= r.last_night
        out[inside & out.isna()] = r.regime_id
    return out


def regimes_between(first, last, measure: str | None = None) -> list[str]:
    """The ids of the regimes that nights `first`..`last` fall in, in time order."""
    df = regimes(measure)
    lo, hi = pd.Timestamp(first), pd.Timestamp(last)
    keep = ((df["first_night"].isna() | (df["first_night"] <= hi))
            & (df["last_night"].isna() | (df["last_night"] >= lo)))
    return list(df.loc[keep, "regime_id"])


def notes() -> list[str]:
    """One line per regime, for the data page and reports."""
    out = []
    for r in _table().itertuples():
        first = f"{r.first_night:%Y-%m-%d}" if pd.notna(r.first_night) else "the start"
        last = f"{r.last_night:%Y-%m-%d}" if pd.notna(r.last_night) else "now"
        out.append(f"{first} to {last}: {r.label}. {r.description}")
    return out
