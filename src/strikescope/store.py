"""The embedded DuckDB store: releases, raw report rows with provenance, quarantine, weapons,
attacks, parts and nights.

Release semantics
    Every attack file is a release: a snapshot of the reports over the period it covers
    (first to last `time_end`). Applying a release makes the store agree with it over that
    period: rows it lacks are removed, rows edited in place (same source post, model and
    window) are updated, new rows are added. A file already ingested (same SHA-256) changes
    nothing; a release older than one already applied over an overlapping period is recorded
    as superseded and changes nothing either.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from strikescope.config import resolve_db
from strikescope.db import create_table_as, is_base_table, rows_table, run
from strikescope.digest import BackgroundDigest
from strikescope.errors import NoSuchFileError, StoreLayoutError, StoreMissingError
from strikescope.nightrule import end_night_sql
from strikescope.sources import attacks as attack_source
from strikescope.sources.archives import named_as, unpacked
from strikescope.sources.weapons import (
    REFERENCE_COLUMNS,
    is_weapon_reference,
    read_weapon_reference,
)
from strikescope.taxonomy import TAXONOMY_COLUMNS, reference_rows, taxonomy_rows

SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS release_seq START 1;
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS releases (
    release_id INTEGER PRIMARY KEY, file VARCHAR, name VARCHAR, sha256 VARCHAR,
    columns VARCHAR, extras VARCHAR, n_read BIGINT, n_loaded BIGINT, n_quarantined BIGINT,
    n_warnings BIGINT, period_start TIMESTAMP, period_end TIMESTAMP, status VARCHAR,
    added BIGINT, changed BIGINT, removed BIGINT, ingested_at TIMESTAMP, bytes BIGINT);
CREATE TABLE IF NOT EXISTS quarantine (
    release_id INTEGER, file VARCHAR, rec BIGINT, field VARCHAR, value VARCHAR,
    reason VARCHAR);
CREATE TABLE IF NOT EXISTS literals (raw VARCHAR, json VARCHAR, error VARCHAR);
CREATE TABLE IF NOT EXISTS weapon_reference (
    model VARCHAR, category VARCHAR, national_origin VARCHAR, type VARCHAR,
    launch_platform VARCHAR, name VARCHAR, name_nato VARCHAR, file VARCHAR);
-- the night and post of every row added, changed or removed since the nights were built
CREATE TABLE IF NOT EXISTS stale_rows (night DATE, post VARCHAR);
"""

ProgressFn = Callable[[str, float], None]

# The meta key of nights an ingest left to build: the next reader or `strikescope build`
# builds them.
NIGHTS_PENDING = "nights_pending"

# The shape of the store's tables and views. Raised with every change that older stores
# must be migrated and rebuilt for before this version can read them: readers upgrade a store
# of an older layout first (`api.upgrade`). Stores from before it was recorded are layout 1.
# Layout 4: every row takes its own window's night; attacks are (post, night) pairs.
LAYOUT = 4


# The night of a report row (its window's end), as the rules date it: marked with the row
ROW_NIGHT_SQL = end_night_sql("time_end_local", "end_has_time")



@dataclass
class IngestReport:
    """What one input file did to the store."""

    file: str
    kind: str
    status: str
    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    warnings: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"{self.file}: read {self.read:,} = loaded {self.loaded:,} + quarantined "
            f"{self.quarantined:,}"
        )
        if self.kind == "attacks":
            text += (
                f"; {self.warnings:,} with warnings; added {self.added:,}, changed "
                f"{self.changed:,}, removed {self.removed:,} ({self.status})"
            )
        else:
            text += f" ({self.kind}, {self.status})"
        return text

    def to_dict(self) -> dict:
        return asdict(self)


def file_sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


class Store:
    """One DuckDB file, opened once: pass it as `db=` to the API and analysis functions so
    that they share its connection (`strikescope.open(path)`). Use as a context manager or
    call `close()`. A Store is also a path (`os.fspath(store)`), so a function that opens
    the file by its path (a writer, a cache key) takes it as well."""

    def __init__(self, path: str | os.PathLike | None = None, read_only: bool = False):
        self.path = resolve_db(path)
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif not self.path.exists():
            raise StoreMissingError(
                f"{self.path}: no store yet; run `strikescope ingest PATH` first"
            )
        self.read_only = read_only
        self.migrated: list[str] = []
        self.con = _connect(self.path, read_only)
        # DuckDB's own progress bar would print over the CLI's; the CLI reports progress.
        run(self.con, "SET enable_progress_bar = false")
        if not read_only:
            # Written tables are keyed (row_id, attack_no, night) and read in key order, so
            # their rows need not keep the order of the query that wrote them (a fifth
            # faster to write); the reader asks for file order where it relies on it.
            run(self.con, "SET preserve_insertion_order = false")
            # DuckDB's default (80 % of RAM) let an ingest of 3.2 M rows hold 1.8 GB for its
            # working tables; under this limit it spills them to `<store>.tmp` instead
            # (at 1000x the real data: about 1.0 GB at its peak, CPU time +7 %).
            limit = os.environ.get("STRIKESCOPE_MEMORY_LIMIT", WRITER_MEMORY_LIMIT)
            run(self.con, f"SET memory_limit = {_sql_text(limit)}")
            # a new store has had every migration; one with any table may need some
            new = not self.con.execute("SELECT count(*) FROM information_schema.tables "
                                       "WHERE table_schema = 'main'").fetchall()[0][0]
            run(self.con, SCHEMA)
            self.migrated = self.migrate(fresh=new)
            self._ensure_weapons()
            if self.has_table("report_rows"):
                self._reports_view()

    def __enter__(self) -> Store:
        return self

    def __fspath__(self) -> str:
        return str(self.path)

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "writable"
        return f"<Store {self.path} ({mode})>"

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        with suppress(Exception):
            if not self.read_only:  # leave one self-contained file, no write-ahead log
                run(self.con, "CHECKPOINT")
            self.con.close()

    def has_table(self, name: str) -> bool:
        return bool(
            self.con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ? "
                "AND table_schema = 'main'",
                [name],
            ).fetchall()[0][0]
        )

    # -- ingest -------------------------------------------------------------------------

    def ingest(
        self,
        paths: Iterable[str | os.PathLike],
        progress: ProgressFn | None = None,
    ) -> list[IngestReport]:
        """Ingest files or directories; attack releases are applied oldest first. The rows
        added, changed or removed are marked (`stale_rows`) for the rules to rebuild their
        nights (`strikescope.rules.nights.after_ingest`)."""
        given = [Path(p) for p in paths]
        named = {p for p in given if not p.is_dir()}
        with unpacked(expand_paths(given)) as pairs, named_as(pairs):
            shown = dict(pairs)
            files = order_files(list(shown))
            reports = []
            for i, path in enumerate(files):
                if progress:
                    progress(f"ingesting {shown[path].name}", i / max(len(files), 1))
                reports.append(self.ingest_file(path, shown[path]))
                if reports[-1].kind == "other" and path in named:  # skipped only in a folder
                    raise attack_source.UnreadableFileError(
                        path, attack_source.not_a_release(path))
        return reports

    def ingest_file(self, path: Path, shown: Path | None = None) -> IngestReport:
        """Ingest one file; `shown` is the name it goes by (an archive's member is read from
        a temporary copy, see `sources.archives`)."""
        start = time.perf_counter()
        shown = shown or path
        header = attack_source.read_header(path)
        if is_weapon_reference(header):
            report = self._ingest_weapon_reference(path, shown)
        elif is_attack_release(header):
            report = self._ingest_attacks(path, shown)
        else:
            report = IngestReport(
                str(shown), "other", "skipped: not an attack release or weapon reference"
            )
        report.seconds = round(time.perf_counter() - start, 3)
        return report

    def _ingest_attacks(self, path: Path, shown: Path) -> IngestReport:
        # The file is hashed while it is parsed, unless it may be a release already
        # ingested: only one of the same size can be, and then the hash comes first.
        with BackgroundDigest(path) as digest:
            if self._size_known(path.stat().st_size):
                known = self.con.execute(
                    "SELECT n_read, n_loaded, n_quarantined, n_warnings FROM releases "
                    "WHERE sha256 = ?", [digest.hexdigest()]).fetchall()
                if known:
                    return IngestReport(str(shown), "attacks", "already ingested", *known[0])
            # Into a store without rows, the parsed rows are written to the store file at
            # once and kept as they are (`_adopt_rows`).
            first = not self.has_table("report_rows")
            try:
                raw = attack_source.read_release(self.con, path, persistent=first)
                return self._apply_release(shown, digest, raw)
            finally:  # a rejected file leaves no parsed rows behind in the store file
                run(self.con,
                    "DROP TABLE IF EXISTS raw_parsed; DROP TABLE IF EXISTS raw_rejects")

    def _size_known(self, size: int) -> bool:
        """Some release has this size in bytes, or was recorded without one."""
        return bool(self.con.execute(
            "SELECT count(*) FROM releases WHERE bytes IS NULL OR bytes = ?",
            [size]).fetchall()[0][0])

    def _apply_release(self, path: Path, digest: BackgroundDigest, raw) -> IngestReport:
        con = self.con
        counts = con.execute("""
            SELECT count(*), count(*) FILTER (WHERE len(errors) = 0),
                   count(*) FILTER (WHERE len(errors) > 0),
                   count(*) FILTER (WHERE len(errors) = 0 AND len(warnings) > 0),
                   min(time_end_local) FILTER (WHERE len(errors) = 0),
                   max(time_end_local) FILTER (WHERE len(errors) = 0)
            FROM raw_parsed""").fetchall()[0]
        n_rows, loaded, quarantined, warned, p_start, p_end = counts
        quarantined += raw.rejected
        rid = con.execute("SELECT nextval('release_seq')").fetchall()[0][0]
        run(con, "BEGIN")
        try:
            self._record_quarantine(rid, path)
            newer = self._newer_release(p_start, p_end)
            status, diff = ("superseded", (0, 0, 0)) if newer else ("current", (0, 0, 0))
            if not newer and p_start is not None:
                diff = self._apply_rows(rid, p_start, p_end)
                self._supersede_covered(p_start, p_end)
                self._add_literals()
                self._ensure_weapons()
            self._ensure_reports_table()
            self._record_release(
                rid,
                path,
                digest,
                raw,
                (n_rows + raw.rejected, loaded, quarantined, warned, p_start, p_end, status, *diff),
            )
            run(con, "COMMIT")
        except BaseException:
            run(con, "ROLLBACK")
            raise
        notes = [f"older than release {newer}: recorded, not applied"] if newer else []
        return IngestReport(
            str(path),
            "attacks",
            status,
            n_rows + raw.rejected,
            loaded,
            quarantined,
            warned,
            *diff,
            notes=notes,
        )

    def _apply_rows(self, rid: int, p_start, p_end) -> tuple[int, int, int]:
        if not self.has_table("report_rows") and is_base_table(self.con, "raw_parsed"):
            return self._adopt_rows(rid)
        self._ensure_reports_table()
        return self._merge(rid, p_start, p_end)

    def _adopt_rows(self, rid: int) -> tuple[int, int, int]:
        """The first release of a store: its parsed rows, already written to the store file
        (`raw_parsed`), become `report_rows` in place instead of being copied (the copy was
        a fifth of the ingest of a large file). Row ids are the record numbers, as `_merge`
        numbers them."""
        run(
            self.con,
            "DELETE FROM raw_parsed WHERE len(errors) > 0; "
            "ALTER TABLE raw_parsed DROP COLUMN errors; "
            "ALTER TABLE raw_parsed ADD COLUMN row_id BIGINT; "
            "UPDATE raw_parsed SET row_id = rec; "
            f"ALTER TABLE raw_parsed ADD COLUMN release_id INTEGER DEFAULT {int(rid)}; "
            "ALTER TABLE raw_parsed ALTER COLUMN release_id DROP DEFAULT; "
            "ALTER TABLE raw_parsed RENAME TO report_rows",
        )
        self._reports_view()
        added = self.con.execute("SELECT count(*) FROM report_rows").fetchall()[0][0]
        return added, 0, 0

    def _ensure_reports_table(self) -> None:
        if not self.has_table("report_rows"):
            cols = ", ".join(attack_source.ROW_COLUMNS[2:])
            create_table_as(
                self.con, "report_rows",
                f"SELECT 0::BIGINT AS row_id, 0::INTEGER AS release_id, {cols} FROM raw_parsed "
                "WHERE false")
            self._reports_view()

    def _reports_view(self) -> None:
        """`reports`: the stored rows with what follows from them (see `derived_sql`)."""
        shown = attack_source.derived_sql(
            "report_rows", "literals", "weapons",
            "(SELECT file FROM releases rel WHERE rel.release_id = r.release_id)")
        run(self.con, f"CREATE OR REPLACE VIEW reports AS {shown}")

    def _next_row_id(self) -> int:
        """Row ids of a release are this base plus the record number: unique, no sequence."""
        return int(self.con.execute("SELECT coalesce(max(row_id), 0) FROM report_rows")
                   .fetchall()[0][0])

    def columns(self, table: str) -> set[str]:
        """Column names of a table of the store (empty if there is no such table)."""
        return {r[0] for r in self.con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' "
            "AND table_name = ?", [table]).fetchall()}

    def migrate(self, fresh: bool = False) -> list[str]:
        """Apply the named migrations (`strikescope.migrations`) this store has not had,
        record them in `meta`, and return their names. A store created now has had them all;
        one written before migrations were recorded is examined once, by the table shapes
        each migration replaced, and recorded from then on."""
        from strikescope import migrations

        return migrations.apply(self, fresh)

    def _add_row_ids(self) -> None:
        """A store written before `reports.row_id` existed: number its rows once."""
        cols = self.columns("reports")
        if cols and "row_id" not in cols:
            run(
                self.con,
                "CREATE OR REPLACE TABLE reports AS SELECT (row_number() OVER (ORDER BY "
                "release_id, rec))::BIGINT AS row_id, * FROM reports",
            )

    def _key_by_columns(self) -> None:
        """A store written when rows were keyed by a text `row_key` (an MD5 of post, model
        and window, ':n' for repeats): the key is now those columns and `dup`."""
        cols = self.columns("reports")
        if "row_key" in cols and "dup" not in cols:
            run(self.con, "ALTER TABLE reports ADD COLUMN dup BIGINT DEFAULT 1; "
                "UPDATE reports SET dup = coalesce(try_cast(split_part(row_key, ':', 2) "
                "AS BIGINT), 1); ALTER TABLE reports DROP COLUMN row_key")

    def _lean_reports(self) -> None:
        """A store written when `reports` was a table holding its derived columns too: keep
        the stored ones in `report_rows`, parse its literal cells into `literals` once."""
        if not is_base_table(self.con, "reports"):  # later stores have a view
            return
        cols = ", ".join(attack_source.ROW_COLUMNS)
        create_table_as(self.con, "report_rows", f"SELECT {cols} FROM reports ORDER BY row_id")
        run(self.con, "DROP TABLE reports")
        attack_source.lookup_literals(self.con, "report_rows")
        self._add_literals()

    def _add_literals(self) -> None:
        """Keep the parsed literal cells of `lit_map` that `literals` lacks."""
        run(self.con, "INSERT INTO literals SELECT raw, json, error FROM lit_map "
            "WHERE raw NOT IN (SELECT raw FROM literals)")

    def _newer_release(self, p_start, p_end) -> int | None:
        if p_start is None:
            return None
        row = self.con.execute(
            """
            SELECT release_id FROM releases
            WHERE status = 'current' AND period_end > ? AND period_start <= ?
            ORDER BY period_end DESC LIMIT 1""",
            [p_end, p_end],
        ).fetchall()
        return row[0][0] if row else None

    def _merge(self, rid: int, p_start, p_end) -> tuple[int, int, int]:
        con = self.con
        existing = con.execute(
            "SELECT count(*) FROM report_rows WHERE time_end_local BETWEEN ? AND ?",
            [p_start, p_end],
        ).fetchall()[0][0]
        if not existing:  # a new period: every row is an addition, no diff to compute
            base = self._next_row_id()
            added = run(
                con,
                "INSERT INTO report_rows BY NAME SELECT ?::BIGINT + rec AS row_id, "
                "?::INTEGER AS release_id, * EXCLUDE (errors) FROM raw_parsed "
                "WHERE len(errors) = 0",
                [base, rid],
            )[0][0]
            self._mark_stale(f"row_id > {int(base)}")
            return added, 0, 0
        same = attack_source.content_equal_sql("i", "r")
        run(
            con,
            f"""
            CREATE OR REPLACE TEMP VIEW incoming AS
            SELECT * EXCLUDE (errors) FROM raw_parsed WHERE len(errors) = 0;
            CREATE OR REPLACE TEMP TABLE diff AS
            SELECT i.rec, r.row_id,
                   CASE WHEN r.row_id IS NULL THEN 'added'
                        WHEN i.rec IS NULL THEN 'removed'
                        WHEN NOT ({same}) THEN 'changed' END AS change
            FROM incoming i
            FULL OUTER JOIN (SELECT * FROM report_rows
                             WHERE time_end_local BETWEEN $1 AND $2) r
              ON {attack_source.key_equal_sql("i", "r")}
        """,
            [p_start, p_end],
        )
        added, changed, removed = con.execute(
            "SELECT count(*) FILTER (WHERE change = 'added'), "
            "count(*) FILTER (WHERE change = 'changed'), "
            "count(*) FILTER (WHERE change = 'removed') FROM diff"
        ).fetchall()[0]
        self._cite_newest(rid)
        going = "row_id IN (SELECT row_id FROM diff WHERE change IN ('changed', 'removed'))"
        if changed or removed:
            self._mark_stale(going)
            run(con, f"DELETE FROM report_rows WHERE {going}")
        if added or changed:
            base = self._next_row_id()
            run(
                con,
                "INSERT INTO report_rows BY NAME SELECT ?::BIGINT + i.rec AS row_id, "
                "?::INTEGER AS release_id, i.* FROM incoming i WHERE i.rec IN "
                "(SELECT rec FROM diff WHERE change IN ('added', 'changed'))",
                [base, rid],
            )
            self._mark_stale(f"row_id > {int(base)}")
        run(con, "DROP VIEW incoming; DROP TABLE diff")
        return added, changed, removed

    def _cite_newest(self, rid: int) -> None:
        """Rows the release `rid` repeats unchanged are cited by their record in it from now
        on: a release is most often the same file downloaded again (newest rows first, so
        every older record moves down), and a citation of the earlier download's record
        would point a reader of the current file at another row."""
        run(self.con, """
            UPDATE report_rows SET release_id = $1, rec = i.rec, warnings = i.warnings,
                   time_start_text = i.time_start_text, time_end_text = i.time_end_text
            FROM (SELECT d.row_id, i.* FROM diff d JOIN incoming i USING (rec)
                  WHERE d.change IS NULL) i
            WHERE report_rows.row_id = i.row_id""", [rid])

    def has_stale_rows(self) -> bool:
        """Rows marked by an ingest whose nights were not rebuilt after it."""
        return bool(self.con.execute("SELECT count(*) FROM stale_rows").fetchall()[0][0])

    def _mark_stale(self, where: str) -> None:
        """The nights of the report rows `where` selects must be rebuilt (`update_nights`);
        written with the rows, so that an ingest whose rebuild did not run leaves them
        marked for the next one."""
        run(self.con, f"INSERT INTO stale_rows SELECT {ROW_NIGHT_SQL} AS night, "
            f"{attack_source.post_sql()} AS post FROM report_rows WHERE {where}")

    def _supersede_covered(self, p_start, p_end) -> None:
        run(
            self.con,
            "UPDATE releases SET status = 'superseded' WHERE status = 'current' "
            "AND period_start >= ? AND period_end <= ?",
            [p_start, p_end],
        )

    def _record_release(self, rid, path, digest: BackgroundDigest, raw, values) -> None:
        import json

        run(
            self.con,
            "INSERT INTO releases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "now()::TIMESTAMP, ?)",
            [
                rid,
                str(path),
                path.name,
                digest.hexdigest(),
                json.dumps(raw.columns),
                json.dumps(raw.extras),
                *values,
                digest.size,  # read after the digest: the bytes hashed, all of the file
            ],
        )

    def _record_quarantine(self, rid: int, path: Path) -> None:
        run(self.con,
            "INSERT INTO quarantine SELECT ?::INTEGER, ?::VARCHAR, rec, field, value, reason "
            f"FROM ({attack_source.quarantine_sql()})", [rid, str(path)])

    def layout(self) -> int:
        """The layout the store was built in (see `LAYOUT`)."""
        return int(self.meta("layout") or 1)

    def needs_upgrade(self) -> bool:
        """Built in an older layout, with nights to rebuild; a newer layout is an error."""
        if not (self.has_table("meta") and self.has_table("reports")):
            return False
        layout = self.layout()
        if layout > LAYOUT:
            raise StoreLayoutError(
                f"{self.path}: written by a newer version of strikescope (store layout "
                f"{layout}, this version reads {LAYOUT}); upgrade strikescope to read it")
        return layout < LAYOUT

    def meta(self, key: str) -> str | None:
        rows = self.con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        run(self.con, "INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    def _ingest_weapon_reference(self, path: Path, shown: Path) -> IngestReport:
        ref = read_weapon_reference(path)
        sha = file_sha256(path)
        if self.meta("weapon_reference_sha256") == sha:
            return IngestReport(str(shown), "weapons", "already ingested", len(ref), len(ref),
                                0)
        self.set_meta("weapon_reference_sha256", sha)
        run(self.con, "DELETE FROM weapon_reference")
        rows_table(self.con, "ref_df", [(c, "VARCHAR") for c in (*REFERENCE_COLUMNS, "file")],
                   [(*r, str(shown)) for r in ref])
        run(
            self.con,
            "INSERT INTO weapon_reference SELECT model, category, national_origin,"
            " type, launch_platform, name, name_nato, file FROM ref_df; DROP TABLE ref_df",
        )
        self._ensure_weapons()
        return IngestReport(str(shown), "weapons", "reference loaded", len(ref), len(ref), 0)

    def _ensure_weapons(self) -> None:
        """`weapons`: the taxonomy of every model seen, enriched by the reference file."""
        reference = {r["model"]: (r["canonical"], r["note"]) for r in reference_rows()}
        models = set(reference)
        if self.has_table("report_rows"):
            models |= {r[0] for r in
                       self.con.execute("SELECT DISTINCT model FROM report_rows").fetchall()}
        rows_table(self.con, "tax_df",
                   [*TAXONOMY_COLUMNS, ("canonical", "VARCHAR"), ("note", "VARCHAR")],
                   [(*t, *reference.get(t[0], (None, None))) for t in taxonomy_rows(models)])
        run(
            self.con,
            """
            CREATE OR REPLACE TABLE weapons AS
            SELECT t.model::VARCHAR AS model, t.canonical::VARCHAR AS canonical,
                   t.components::VARCHAR AS components, t.weapon_class::VARCHAR AS weapon_class,
                   t.kind::VARCHAR AS kind, t.long_range::BOOLEAN AS long_range,
                   t.known::BOOLEAN AS known, t.note::VARCHAR AS note, w.category, w.name,
                   w.name_nato, w.launch_platform, w.national_origin, w.type
            FROM tax_df t LEFT JOIN weapon_reference w ON lower(w.model) = lower(t.model)
            ORDER BY weapon_class, model;
            DROP TABLE tax_df""",
        )

    def mark_built(self, rules_version: str) -> None:
        """The nights are built from every row, by the rules of `rules_version`."""
        run(self.con, "DELETE FROM stale_rows")
        run(self.con, "DELETE FROM meta WHERE key = ?", [NIGHTS_PENDING])
        self.set_meta("rules_version", rules_version)
        self.set_meta("layout", str(LAYOUT))

    def mark_pending(self, full: bool) -> None:
        """The nights were left to build after an ingest (a bulk load): every night when
        `full` (or when an earlier pending build was full), else those of `stale_rows`."""
        full = full or self.nights_pending() == "full"
        self.set_meta(NIGHTS_PENDING, "full" if full else "update")

    def nights_pending(self) -> str | None:
        """`full` or `update` when an ingest left the nights to build (see `mark_pending`),
        else None."""
        if not self.has_table("meta"):
            return None
        return self.meta(NIGHTS_PENDING)


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Open the file; a reader waits a little for a lock held by another tool (or by a writer
    folding its write-ahead log) instead of failing at once."""
    deadline = time.monotonic() + (READ_LOCK_WAIT_S if read_only else 0)
    while True:
        try:
            return _attach_reader(path) if read_only else duckdb.connect(str(path))
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


READ_LOCK_WAIT_S = 10.0
# DuckDB's memory limit for a writing connection ($STRIKESCOPE_MEMORY_LIMIT overrides it).
WRITER_MEMORY_LIMIT = "700MB"


def _attach_reader(path: Path) -> duckdb.DuckDBPyConnection:
    """A reader of the file as it is now. `duckdb.connect(path)` hands out the database
    instance already open on that path in this process, if any: after an ingest replaced
    the file (a rename), a reader opened while an older one was still open saw the old
    store. A fresh in-memory database with the file attached reads the current file."""
    con = duckdb.connect()
    try:
        run(con, f"ATTACH {_sql_text(str(path))} AS store (READ_ONLY); USE store")
    except BaseException:
        con.close()
        raise
    return con


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def is_attack_release(header: Sequence[str]) -> bool:
    names = {attack_source.canonical_name(c) for c in header}
    # Two of the required columns make it an attack release; a missing third is then an error.
    return len({"time_start", "time_end", "model", "launched"} & names) >= 2


def expand_paths(paths: Iterable[str | os.PathLike]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(x for x in p.rglob("*.csv") if x.is_file()))
        elif p.exists():
            files.append(p)
        else:
            raise NoSuchFileError(f"{p}: no such file or directory")
    return files


def _attack_as_of(path: Path) -> dt.date:
    """Latest `time_end` of a release, read cheaply, to apply releases oldest first."""
    try:
        header = attack_source.read_header(path)
        col = next(c for c in header if attack_source.canonical_name(c) == "time_end")
        q = (
            f'SELECT max(try_cast(left(trim("{col}"), 10) AS DATE)) FROM read_csv(?, '
            "all_varchar=true, header=true)"
        )
        value = duckdb.execute(q, [str(path)]).fetchall()[0][0]
        return value or dt.date.min
    except Exception:  # noqa: BLE001 - ordering only; the real read reports the problem
        return dt.date.min


def order_files(files: list[Path]) -> list[Path]:
    """Weapon references first, then attack releases oldest first, then anything else."""

    def key(p: Path):
        header = attack_source.read_header(p) if p.suffix == ".csv" else []
        if is_weapon_reference(header):
            return (0, dt.date.min, str(p))
        if is_attack_release(header):
            return (1, _attack_as_of(p) if len(files) > 1 else dt.date.min, str(p))
        return (2, dt.date.min, str(p))

    return sorted(files, key=key)
