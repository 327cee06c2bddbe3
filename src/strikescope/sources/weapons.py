"""Reader for the weapon reference `missiles_and_uav.csv` (names, NATO names, platforms)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

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


def read_weapon_reference(path: str | Path) -> list[tuple[str | None, ...]]:
    """One tuple per row, the cells of `REFERENCE_COLUMNS` in order, stripped; an empty or
    absent cell is None."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = [h.strip().lower() for h in next(reader, [])]
        where = [header.index(c) if c in header else None for c in REFERENCE_COLUMNS]
        return [tuple(_cell(row, i) for i in where) for row in reader if row]


def _cell(row: list[str], i: int | None) -> str | None:
    value = row[i].strip() if i is not None and i < len(row) else ""
    return value or None
