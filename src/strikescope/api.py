"""The Python API: the functions that the CLI and the web call, one per command."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from strikescope import csvsafe
from strikescope.atomic import staged
from strikescope.config import input_dir, resolve_db
from strikescope.errors import InputError, StoreMissingError
from strikescope.extras import require
from strikescope.lazy import lazy_module
from strikescope.rules import nights as night_rules
from strikescope.store import (
    LAYOUT,
    IngestReport,
    ProgressFn,
    Store,
    StoreLayoutError,
)

if TYPE_CHECKING:  # the real modules for the type checker; at run time on first use
    import pandas as pd
else:
    pd = lazy_module("pandas")

PathLike = str | os.PathLike
# Work a read does before it answers (an upgrade, nights left by an ingest): the CLI shows
# these on standard error, so that a wait of seconds is explained.
log = logging.getLogger("strikescope.store")
# Each exported in a stable order (views over joins have none of their own).
EXPORT_ORDER = {
    "nights": "", "night_classes": "night, weapon_class, kind", "reports": "row_id",
    "parts": "row_id, part", "attacks": "attack_no", "quarantine": "release_id, rec, field",
    "weapons": "weapon_class, model", "releases": "release_id",
}
EXPORT_TABLES = tuple(EXPORT_ORDER)
FORMATS = ("csv", "parquet", "json")


def open(db: PathLike | None = None) -> Store:  # noqa: A001 - `strikescope.open`, as gzip.open
    """The store opened once for reading (upgraded first when it is of an older layout), to
    pass as `db=` to the functions of the API and the analysis:

        with strikescope.open() as store:
            totals = strikescope.nights(db=store)
            detail = strikescope.night("2025-07-04", db=store)
    """
    return connect(db, read_only=True)


@contextmanager
def reading(db: PathLike | Store | None = None) -> Iterator[Store]:
    """The store to read: `db` itself when it is an open `Store` (left open for its owner),
    else the file `db` names (or the default one), opened for the block."""
    if isinstance(db, Store):
        yield db
        return
    with connect(db, read_only=True) as store:
        yield store


def connect(db: PathLike | None = None, read_only: bool = False) -> Store:
    """Open the embedded store (`--db`, `$STRIKESCOPE_DB`, or the user data directory).

    A store of an older layout is upgraded first (see `upgrade`), and nights an ingest left
    to build are built (see `build`), so that reading it never meets tables of another
    shape or nights that lag its rows."""
    store = Store(db, read_only=read_only)
    try:
        pending = read_only and bool(store.nights_pending())
        stale = pending or (read_only and store.needs_upgrade())
    except StoreLayoutError:
        store.close()
        raise
    if stale:  # one open in the common case; closed first, so the reopen sees the new file
        store.close()
        _upgrade(store.path, pending)
        store = Store(db, read_only=True)
    return store


# An upgrade of the real data takes a second; one of the x1000 benchmark store, about 10 s.
UPGRADE_WAIT_S = 120.0


def upgrade(db: PathLike | None = None) -> bool:
    """Migrate and rebuild a store of an older layout (`store.LAYOUT`), or build the nights
    an ingest left to build, all or nothing, on a staged copy; returns whether it did.
    Waits for a writer that holds the store (it may be another reader upgrading it); a
    store that cannot be written here is an error, since this version cannot read it as it
    is."""
    path = resolve_db(db)
    if not path.exists():
        return False
    with Store(path, read_only=True) as store:
        pending = bool(store.nights_pending())
        if not (pending or store.needs_upgrade()):
            return False
    _upgrade(path, pending)
    return True


def _upgrade(path: Path, pending: bool = False) -> None:
    """Upgrade the store, or build the nights an ingest left (`pending`)."""
    log.info("%s: %s, once ...", path, "building the nights the last ingest left to the "
             "first read" if pending else "upgrading a store of an older version")
    try:
        with staged(path, timeout=UPGRADE_WAIT_S) as stage, Store(stage) as store:
            # either may have been done meanwhile by another reader; `build_nights`
            # rebuilds every night of a store of another layout
            if store.needs_upgrade() or store.nights_pending():
                night_rules.build_nights(store)
    except (OSError, duckdb.IOException) as exc:
        what = ("holds nights not built yet (a bulk ingest leaves them to the first read) "
                "and cannot be written here" if pending else
                "built by an older version of strikescope and cannot be upgraded here")
        command = "build" if pending else "ingest"
        raise StoreLayoutError(
            f"{path}: {what} ({exc}); run `strikescope {command}` where the store can be "
            "written") from None


def migrate(db: PathLike | None = None) -> list[str]:
    """Bring a store up to this version, all or nothing on a staged copy: apply the named
    migrations it has not had (`strikescope.migrations`) and rebuild its nights when they
    were built in an older layout or by other rules. Returns what was done."""
    path = resolve_db(db)
    if not path.exists():
        raise StoreMissingError(f"{path}: no store yet; run `strikescope ingest PATH` first")
    with staged(path) as stage, Store(stage) as store:
        done = list(store.migrated)
        stale = store.meta("rules_version") != night_rules.rules_version()
        if store.has_table("reports") and (store.needs_upgrade() or stale
                                           or store.nights_pending()):
            night_rules.rebuild_store(store)
            done.append(f"rebuilt the nights (layout {LAYOUT})")
    return done


def default_inputs() -> list[Path]:
    return [input_dir("attacks")]


def ingest(paths: Iterable[PathLike] | None = None, db: PathLike | None = None,
           progress: ProgressFn | None = None, nights: str = "auto") -> list[IngestReport]:
    """Ingest attack releases and the weapon reference, then rebuild the nights they touch.

    `nights`: `now` builds them at once; `later` leaves them to the first read (or to
    `build`); `auto`, the default, builds them at once unless every night of a bulk load
    (`nights.BULK_ROWS` report rows) is to be built, which then costs the first reader
    (3.4 s at 3.2 M rows) instead of the ingest.

    All or nothing: the work is done on a staged copy of the store that replaces it in one
    rename (see `strikescope.atomic`), so readers never see a partial ingest, and an error
    or a killed process leaves the store as it was."""
    with staged(resolve_db(db)) as stage, Store(stage) as store:
        reports = store.ingest(list(paths) if paths else default_inputs(), progress=progress)
        night_rules.after_ingest(store, reports, progress, nights)
    if progress:
        progress("done", 1.0)
    return reports


def build(db: PathLike | None = None, full: bool = False) -> str:
    """Build the nights an ingest left to build (`ingest(nights="later")` or a bulk load),
    or with `full` rebuild every night; all or nothing, on a staged copy. Returns what was
    done, in words."""
    path = resolve_db(db)
    if not path.exists():
        raise StoreMissingError(f"{path}: no store yet; run `strikescope ingest PATH` first")
    with staged(path) as stage, Store(stage) as store:
        if not store.has_table("report_rows"):
            return "The store holds no report rows: nothing to build."
        pending = store.nights_pending()
        if not (full or pending or store.needs_upgrade()):
            return "The nights are up to date."
        night_rules.build_nights(store, full)
    return "Rebuilt every night." if full or pending == "full" else "Built the nights."


def nights(start=None, end=None, weapon_class: str | None = None, db: PathLike | None = None,
           dense: bool = True, policy: str = night_rules.COMBINED) -> pd.DataFrame:
    """Nightly totals: one row per night (see `nights.nightly_totals`). `policy`:
    `combined` (national reports, regional ones for the classes they lack) or `national`
    (the national statements alone, as press tallies count)."""
    night_rules.check_policy(policy)
    with reading(db) as store:
        if not store.has_table("night_classes"):
            return pd.DataFrame(columns=["night"])
        return night_rules.nightly_totals(store.con, start, end, weapon_class, dense, policy)


def store_totals(db: PathLike | None = None) -> dict | None:
    """What the CLI says of a store after an ingest, by one aggregate over the stored
    per-night figures (reading every night as `nights` does cost 17 s and 1.3 GB at 1000x
    the real data): path, first and last night, calendar nights, long-range drones and
    missiles launched (combined policy), rows in quarantine. None for a store without
    nights. Nights an ingest left to build are not built here: then `pending` says so,
    with the report rows and the first and last day they end on, instead of the totals."""
    # opened without `connect`, which would build pending nights; once in the common case
    with Store(db, read_only=True) as store:
        if pending := store.nights_pending():
            return _pending_totals(store, pending)
        if not store.needs_upgrade():
            return _built_totals(store)
    with connect(db, read_only=True) as store:
        return _built_totals(store)


def _built_totals(store: Store) -> dict | None:
    if not store.has_table("night_class_rows"):
        return None
    first, last, drones, missiles = store.con.execute("""
        SELECT min(night), max(night),
               coalesce(sum(launched) FILTER (WHERE kind = 'drone' AND long_range), 0),
               coalesce(sum(launched) FILTER (WHERE kind = 'missile' AND long_range), 0)
        FROM night_class_rows JOIN class_keys USING (ck)""").fetchall()[0]
    if first is None:
        return None
    return {"path": store.path, "first": first, "last": last,
            "nights": (last - first).days + 1, "drones": int(drones),
            "missiles": int(missiles), "quarantined": _quarantined(store)}


def _pending_totals(store: Store, pending: str) -> dict:
    rows, first, last = store.con.execute(
        "SELECT count(*), min(time_end_local)::DATE, max(time_end_local)::DATE "
        "FROM report_rows").fetchall()[0]
    return {"path": store.path, "pending": pending, "rows": rows,
            "first": first, "last": last, "quarantined": _quarantined(store)}


def _quarantined(store: Store) -> int:
    """Rows of the current releases in quarantine."""
    return store.con.execute(
        "SELECT count(DISTINCT (q.file, q.rec)) FROM quarantine q "
        "JOIN releases r USING (release_id) WHERE r.status = 'current'").fetchall()[0][0]


def night(date, db: PathLike | None = None, policy: str = night_rules.COMBINED
          ) -> night_rules.NightDetail:
    """One night: per-class counts, the report rows behind them and their sources."""
    night_rules.check_policy(policy)
    with reading(db) as store:
        return night_rules.night_detail(store.con, date, policy)


def night_records(day, db: PathLike | None = None, policy: str = night_rules.COMBINED
                  ) -> night_rules.NightRecords:
    """`night` as plain Python rows for a `datetime.date` (see `nights.NightRecords`)."""
    night_rules.check_policy(policy)
    with connect(db, read_only=True) as store:
        return night_rules.night_records(store.con, day, policy)


def quarantine(db: PathLike | None = None, all_releases: bool = False) -> pd.DataFrame:
    """Rows kept out of the store, one per (row, problem), with file and reason."""
    where = "" if all_releases else "WHERE r.status = 'current'"
    with reading(db) as store:
        return store.con.execute(
            f"SELECT q.file, q.rec AS row, q.field, q.value, q.reason, r.status "
            f"FROM quarantine q JOIN releases r USING (release_id) {where} "
            "ORDER BY q.file, q.rec").df()


def warnings(db: PathLike | None = None) -> pd.DataFrame:
    """Rows loaded with a warning (one row per warning)."""
    with reading(db) as store:
        return store.con.execute("""
            SELECT file, rec AS row, w.field AS field, w.value AS value, w.reason AS reason
            FROM (SELECT file, rec, unnest(warnings) AS w FROM reports
                  WHERE len(warnings) > 0) ORDER BY file, rec""").df()


def releases(db: PathLike | None = None) -> pd.DataFrame:
    """The releases ingested. A parsed statement's release (`ingest --report`) also gives
    `disagreements`: the weapon classes whose figures differ from the store's for its night
    now (its own while provisional, the digitised ones once they superseded it)."""
    with reading(db) as store:
        df = store.con.execute("SELECT * FROM releases ORDER BY release_id").df()
    statements = df["file"].astype(str).str.contains("statement-", regex=False)
    if statements.any():
        from strikescope.provisional import compared

        counts = compared(df.loc[statements], db).groupby("release_id")["disagrees"].sum()
        df["disagreements"] = df["release_id"].map(counts).astype("Int64")
    return df


def weapons(db: PathLike | None = None) -> pd.DataFrame:
    """The taxonomy of every model string in the store, enriched by the reference."""
    with reading(db) as store:
        return store.con.execute("SELECT * FROM weapons ORDER BY weapon_class, model").df()


def table(name: str, db: PathLike | None = None, **kwargs) -> pd.DataFrame:
    if name not in EXPORT_TABLES:
        raise InputError(f"unknown table {name!r}; choose from {', '.join(EXPORT_TABLES)}")
    if name == "nights":
        return nights(db=db, **kwargs)
    with reading(db) as store:
        return store.con.execute(f"SELECT * FROM {name} ORDER BY {EXPORT_ORDER[name]}").df()


def write_frame(df: pd.DataFrame, path: PathLike, fmt: str | None = None,
                raw: bool | None = None) -> Path:
    """Write a frame as CSV, Parquet or JSON (a list of objects, ISO dates); CSV cells that
    a spreadsheet would run as a formula are neutralised unless `raw` (see `csvsafe`)."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".") or "csv").lower()
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        csvsafe.to_csv(df, path, raw=raw)
    elif fmt == "parquet":
        require("parquet", "Parquet export")
        df.to_parquet(path, index=False)
    else:
        path.write_text(frame_to_json(df), encoding="utf-8")
    return path


def frame_to_json(df: pd.DataFrame) -> str:
    df = df.copy()
    for col in df.columns[[pd.api.types.is_datetime64_any_dtype(t) for t in df.dtypes]]:
        if (df[col].dropna().dt.normalize() == df[col].dropna()).all():
            df[col] = df[col].dt.strftime("%Y-%m-%d")
    return json.dumps(json.loads(df.to_json(orient="records", date_format="iso")),
                      ensure_ascii=False, indent=1)


def export(name: str, path: PathLike, fmt: str | None = None, db: PathLike | None = None,
           raw: bool | None = None) -> Path:
    """Export a store table (or the nightly totals) to CSV, Parquet or JSON (`raw`: CSV
    cells as stored, formulas and all)."""
    return write_frame(table(name, db=db), path, fmt, raw=raw)
