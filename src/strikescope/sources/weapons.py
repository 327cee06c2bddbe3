"""Reader for the weapon reference `missiles_and_uav.csv` (names, NATO names, platforms)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from strikescope.lazy import lazy_module

if TYPE_CHECKING:  # the real modules for the type checker; at run time on first use
    import pandas as pd
else:
    pd = lazy_module("pandas")

REFERENCE_COLUMNS = [
    "model",
    "category",
    "national_origin",
    "type",
    "launch_platform",
    "name",
    "name_nato",
]


def is_weapon_reference(header: Sequence[str]) -> bool:
    names = {h.strip().lower() for h in header}
    return {"model", "category"} <= names and "launched" not in names


def read_weapon_reference(path: str | Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.columns = [c.strip().lower() for c in df.columns]
    df = df.rename(columns={"name_nato": "name_nato"})
    for col in REFERENCE_COLUMNS:
        if col not in df.columns:
            df[col] = ""
    out = df[REFERENCE_COLUMNS].apply(lambda s: s.str.strip())
    return out.replace("", None)
