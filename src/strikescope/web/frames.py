"""DataFrames as HTTP responses: JSON records (ISO dates) or a CSV download."""

from __future__ import annotations

import enum
import json
from typing import TYPE_CHECKING, overload

from fastapi import Response

from strikescope import csvsafe
from strikescope.lazy import lazy_module

if TYPE_CHECKING:  # the real modules for the type checker; at run time on first use
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")


class Format(enum.StrEnum):
    json = "json"
    csv = "csv"


def _jsonable(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            whole = (s.dropna().dt.normalize() == s.dropna()).all()
            df[col] = s.dt.strftime("%Y-%m-%d" if whole else "%Y-%m-%dT%H:%M:%S")
            df[col] = df[col].astype(object).where(s.notna(), None)
        elif s.dtype == object:
            df[col] = s.map(_cell)
    return df


def _cell(value):
    if isinstance(value, np.ndarray | tuple):
        return [_cell(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def frame_json(df: pd.DataFrame) -> bytes:
    return _jsonable(df).to_json(orient="records", force_ascii=False).encode()


def frame_csv(df: pd.DataFrame) -> bytes:
    df = df.copy()
    for col in [c for c in df.columns if df[c].dtype == "object"]:
        df[col] = df[col].map(lambda v: ";".join(map(str, v))
                              if isinstance(v, list | tuple | np.ndarray) else v)
    return csvsafe.to_csv(df).encode()


def frame_response(df: pd.DataFrame, fmt: Format, name: str) -> Response:
    """The frame as JSON, or as a CSV attachment named `name`.csv."""
    if fmt == Format.csv:
        return Response(frame_csv(df), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return Response(frame_json(df), media_type="application/json")


def json_response(payload) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False, default=str).encode(),
                    media_type="application/json")


@overload
def records(df: None) -> None: ...
@overload
def records(df: pd.DataFrame) -> list: ...


def records(df: pd.DataFrame | None) -> list | None:
    return None if df is None else json.loads(frame_json(df))
