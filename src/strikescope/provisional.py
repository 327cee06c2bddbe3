"""Provisional releases: the rows of a morning statement, ingested before the digitised file.

A statement is written as a small release in the current schema, kept beside the store
(`statements/statement-<night>-<text hash>.csv`, with the parse as JSON next to it), and
ingested like any release, so the store's release rules do the rest:

- a statement for a night that a digitised release already covers is recorded as
  superseded and changes nothing;
- a statement for a newer night is applied: its rows count for that night (source
  `statement/<hash>`, the policy's last rank);
- a digitised release that later covers the night replaces the statement's rows (they are
  its "removed" rows) and marks the statement's release superseded.

`provisional()` lists the statement releases with the digitised figures of their night, so
that where the two disagree shows once the digitised rows exist.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd

from strikescope import api
from strikescope.config import resolve_db
from strikescope.errors import InputError, NightCoveredError
from strikescope.sources.attacks import CURRENT_HEADER
from strikescope.sources.statement import ParsedStatement, parse_report

CHANNEL = "statement"
HEADER = list(CURRENT_HEADER)
COMPARED = ("launched", "destroyed")
COLUMNS = ["release_id", "status", "night", "weapon_class", "statement_launched",
           "store_launched", "statement_destroyed", "store_destroyed", "store_sources",
           "disagrees"]


def statements_dir(db=None) -> Path:
    return resolve_db(db).parent / "statements"


def write_release(parsed: ParsedStatement, folder: Path) -> Path:
    """The statement's rows as a release file (and its parse as JSON beside it)."""
    rows = parsed.rows.loc[parsed.rows["launched"].notna()]
    if rows.empty:
        raise InputError("the statement gives no launched figure: nothing to ingest")
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"statement-{parsed.night.isoformat()}-{parsed.sha256[:16]}"
    path = folder / f"{stem}.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=HEADER)
        writer.writeheader()
        for row in rows.to_dict(orient="records"):
            writer.writerow(_release_row(row, parsed))
    meta = parsed.to_dict() | {"release_file": path.name}
    path.with_suffix(".json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return path


def _release_row(row: dict, parsed: ParsedStatement) -> dict:
    out = {k: "" for k in HEADER}
    for key in ("time_start", "time_end", "model", "launch_place", "launched", "destroyed",
                "not_reach_goal", "still_attacking", "num_hit_location",
                "num_fall_fragment_location", "affected region"):
        value = row.get(key)
        out[key] = "" if value is None or pd.isna(value) else str(value)
    # The night's bare date, not the stated "as of 09:00": a digitised release whose last
    # report of that night ends earlier must still cover (and so replace) these rows. The
    # stated window stays in the JSON beside the file.
    out["time_end"] = parsed.night.isoformat()
    if pd.Timestamp(out["time_start"]) > pd.Timestamp(parsed.night):
        out["time_start"] = (pd.Timestamp(parsed.night) - pd.Timedelta(days=1)).date().isoformat()
    out["source"] = f"{CHANNEL}/{parsed.sha256[:16]}"
    return out




def covering_sources(night, db=None) -> list[str]:
    """Sources other than statements that the store counts for a night."""
    if not resolve_db(db).exists():
        return []
    classes = api.table("night_classes", db=db)
    here = classes.loc[classes["night"].astype(str).eq(str(night)), "sources"]
    found = {str(s) for cell in here for s in _listed(cell)}
    return sorted(s for s in found if not s.startswith(f"{CHANNEL}/"))


def _listed(cell) -> list:
    if cell is None or isinstance(cell, float):
        return []
    return [cell] if isinstance(cell, str) else list(cell)


def ingest_report(text: str, published=None, db=None) -> tuple[ParsedStatement, list]:
    """Parse a statement and ingest its rows as a provisional release. A night the store
    already has from the digitised reports is not ingested again (NightCoveredError): its
    figures are compared with `compare_report` instead."""
    parsed = parse_report(text, published)
    covered = covering_sources(parsed.night, db)
    if covered:
        raise NightCoveredError(
            f"the night ending {parsed.night} is already in the store from "
            f"{len(covered)} digitised report(s); not ingested (compare instead)")
    path = write_release(parsed, statements_dir(db))
    return parsed, api.ingest([path], db=db)


def compare_report(parsed: ParsedStatement, db=None) -> pd.DataFrame:
    """The statement's figures per class beside the store's figures of its night."""
    classes = api.table("night_classes", db=db)
    meta = parsed.to_dict()
    rel = pd.Series({"release_id": None, "status": "not ingested"})
    return pd.DataFrame(_compare(rel, meta, classes), columns=COLUMNS)


def provisional(db=None) -> pd.DataFrame:
    """One row per (statement release, weapon class): the statement's figures, the figures
    of that night in the store now, and whether they differ."""
    releases = api.releases(db=db)
    ours = releases.loc[releases["file"].astype(str).str.contains(f"{CHANNEL}-", regex=False)]
    return compared(ours, db)


def compared(ours: pd.DataFrame, db=None) -> pd.DataFrame:
    """`provisional` for the statement releases `ours` (rows of `api.releases`)."""
    rows = []
    classes = api.table("night_classes", db=db) if len(ours) else pd.DataFrame()
    for _, rel in ours.iterrows():
        meta = _meta(Path(str(rel["file"])))
        if meta is None:
            continue
        rows += _compare(rel, meta, classes)
    return pd.DataFrame(rows, columns=COLUMNS)


def _meta(path: Path) -> dict | None:
    side = path.with_suffix(".json")
    return json.loads(side.read_text(encoding="utf-8")) if side.exists() else None


def _by_class(meta: dict) -> pd.DataFrame:
    from strikescope.taxonomy import classify

    df = pd.DataFrame(meta["rows"])
    df["weapon_class"] = df["model"].map(lambda m: classify(m, warn=False).weapon_class)
    return df.groupby("weapon_class")[list(COMPARED)].sum(min_count=1)


def _compare(rel, meta: dict, classes: pd.DataFrame) -> list[dict]:
    night = meta["night"]
    here = classes.loc[classes["night"].astype(str).eq(night)].set_index("weapon_class")
    out = []
    for cls, figs in _by_class(meta).iterrows():
        store = here.loc[cls] if cls in here.index else None
        row = {"release_id": rel["release_id"], "status": rel["status"], "night": night,
               "weapon_class": cls, "store_sources": None}
        for fig in COMPARED:
            row[f"statement_{fig}"] = None if pd.isna(figs[fig]) else int(figs[fig])
            value = None if store is None else store[fig]
            row[f"store_{fig}"] = None if value is None or pd.isna(value) else int(value)
        if store is not None:
            row["store_sources"] = ", ".join(map(str, _listed(store.get("sources"))))
        row["disagrees"] = any(row[f"statement_{f}"] != row[f"store_{f}"] for f in COMPARED
                               if row[f"statement_{f}"] is not None)
        out.append(row)
    return out
