"""Reader for every release of `missile_attacks_daily.csv` (Air Force strike reports).

A release is read into DuckDB as text, its header mapped to canonical column names, then
parsed by one SQL statement into typed rows. Each row either loads (possibly with warnings)
or is quarantined with the field and the reason; nothing is dropped.
"""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from strikescope.config import TIMEZONE
from strikescope.db import create_table_as, in_file_order, rows_table, run
from strikescope.errors import MissingColumnError, NoSuchFileError, UnreadableFileError
from strikescope.lazy import lazy_module
from strikescope.sources.literals import literal_to_json
from strikescope.taxonomy import TAXONOMY_COLUMNS, taxonomy_rows

if TYPE_CHECKING:  # the real modules for the type checker; at run time on first use
    import pandas as pd
else:
    pd = lazy_module("pandas")

REQUIRED = ("time_start", "time_end", "model", "launched")
# The columns of the current release, in its order (a file written for it: a parsed statement).
CURRENT_HEADER = (
    "time_start", "time_end", "model", "launch_place", "target", "target_main", "launched",
    "destroyed", "not_reach_goal", "still_attacking", "border_crossing", "is_shahed",
    "num_hit_location", "num_fall_fragment_location", "carrier", "turbojet",
    "turbojet_destroyed", "affected region", "destroyed_details", "launched_details",
    "launch_place_details", "source",
)
TEXT_COLUMNS = ("model", "launch_place", "target", "target_main", "carrier", "source")
COUNT_COLUMNS = ("launched", "destroyed", "not_reach_goal", "still_attacking")
MAX_COUNT = 1_000_000
EXTRA_NUMBERS = (
    "is_shahed",
    "num_hit_location",
    "num_fall_fragment_location",
    "turbojet",
    "turbojet_destroyed",
)
LITERAL_COLUMNS = (
    "border_crossing",
    "affected_region",
    "destroyed_details",
    "launched_details",
    "launch_place_details",
)
CANONICAL = (
    "time_start",
    "time_end",
    *TEXT_COLUMNS,
    *COUNT_COLUMNS,
    *EXTRA_NUMBERS,
    *LITERAL_COLUMNS,
)
# Old releases split border crossings into two count columns.
LEGACY_BORDER = {"cross_border_belarus": "belarus", "back_russia": "russia"}
COLUMN_ALIASES = {
    "affected_regions": "affected_region",
    "affected_region": "affected_region",
    "start": "time_start",
    "end": "time_end",
    "weapon": "model",
    "shot_down": "destroyed",
    "lost": "not_reach_goal",
    "source_url": "source",
}
# The two forms of the real files first: strptime tries the formats in this order.
TIME_FORMATS = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
)


def source_url(source: str) -> str:
    """A report's public address: URLs stay, site paths get https, and the Air Force's
    Facebook post ids ("kpszsu/posts/pfbid...") become Facebook links."""
    text = str(source).strip()
    if text.startswith("statement/"):  # a statement read by strikescope: no public address
        return ""
    if text.startswith(("http://", "https://")):
        return text
    if "." in text.split("/", 1)[0]:
        return f"https://{text}"
    return f"https://www.facebook.com/{text}"




@dataclass
class RawRelease:
    """A release file loaded as text into a DuckDB table."""

    path: Path
    table: str
    columns: dict[str, str]  # canonical -> column name in the file
    extras: list[str]
    rejected: int = 0
    header: list[str] = field(default_factory=list)


def canonical_name(column: str) -> str:
    key = re.sub(r"[\s\-]+", "_", column.strip().lower())
    return COLUMN_ALIASES.get(key, key)


def read_header(path: Path) -> list[str]:
    """The first record of the file; an empty file or a blank first line is rejected."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            header = next(csv.reader(fh), None)
    except UnicodeDecodeError:
        check_utf8(path)
        raise
    except csv.Error as exc:
        raise UnreadableFileError(path, f"line 1: the header is not CSV ({exc})") from None
    if header is None:
        raise UnreadableFileError(path, "empty file (no header line)")
    if not header:
        raise UnreadableFileError(path, "line 1 is blank: expected the header")
    return header


def not_a_release(path: Path) -> str:
    """Why a file whose header names no release columns is not one, in one line."""
    header = read_header(path)
    first = ",".join(header)
    if any(ch in first for ch in "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"):
        return "binary data, not a CSV text file"
    for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
        if len(header) == 1 and first.count(sep) >= 2:
            return (f"the header is separated by {name}, not commas: a release is "
                    "comma-separated (re-export it as CSV with ',')")
    shown = first if len(first) <= 120 else first[:117] + "..."
    return ("not an attack release (no time_start, time_end, model, launched columns) nor "
            f"the weapon reference; header: {shown!r}")


def check_utf8(path: Path, chunk_size: int = 1 << 16) -> None:
    """Reject a file that is not UTF-8 text, naming the line of the first bad byte.

    Rejecting only the lines with such bytes would keep the rest of a cp1251 file, whose
    Cyrillic cells are then all misread; guessing the encoding instead could load the
    wrong text quietly.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(chunk_size)
            pending = decoder.getstate()[0]
            try:
                # isascii() is many times faster than decoding, and most chunks are ASCII.
                if pending or not chunk.isascii():
                    decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                bad = offset - len(pending) + exc.start
                raise UnreadableFileError(path, _not_utf8(path, bad)) from None
            if not chunk:
                return
            offset += len(chunk)


def _not_utf8(path: Path, bad: int) -> str:
    with open(path, "rb") as fh:
        head = fh.read(bad + 1)
    line = head.count(b"\n") + 1
    return (f"not UTF-8 text (byte 0x{head[bad]:02X} on line {line}); save it as UTF-8 "
            "(a file from Windows may be cp1251: iconv -f cp1251 -t utf-8)")


def _identity(column: str) -> str:
    name = canonical_name(column)
    return name if name in CANONICAL or name in LEGACY_BORDER else column


def check_unique(path: Path, header: list[str]) -> None:
    """Two columns that read as the same field (`model` and `Model`, `start` and
    `time_start`) make the file ambiguous: which one holds the model?"""
    seen: dict[str, int] = {}
    for i, col in enumerate(header, start=1):
        key = _identity(col)
        if key in seen:
            j = seen[key]
            raise UnreadableFileError(
                path,
                f"columns {j} ('{header[j - 1]}') and {i} ('{col}') are both '{key}'; "
                "rename or drop one",
            )
        seen[key] = i


def map_header(path: Path, header: list[str]) -> tuple[dict[str, str], list[str]]:
    check_unique(path, header)
    mapping: dict[str, str] = {}
    extras: list[str] = []
    for col in header:
        name = canonical_name(col)
        if (
            name in CANONICAL
            and name not in mapping
            or name in LEGACY_BORDER
            and "border_crossing" not in header
        ):
            mapping[name] = col
        else:
            extras.append(col)
    for req in REQUIRED:
        if req not in mapping:
            raise MissingColumnError(path, req, header)
    return mapping, extras


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _legacy_border_sql(mapping: dict[str, str]) -> str:
    parts = [
        f"CASE WHEN nullif(trim({_q(mapping[c])}), '') IS NOT NULL "
        f"THEN '''{key}'': ' || trim({_q(mapping[c])}) END"
        for c, key in LEGACY_BORDER.items()
        if c in mapping
    ]
    # Typed: an untyped NULL column would give the store's `reports` table a NULL column.
    return "'{' || concat_ws(', ', " + ", ".join(parts) + ") || '}'" if parts else "NULL::VARCHAR"


def _select_canonical(mapping: dict[str, str], extras: list[tuple[str, str]]) -> str:
    """`mapping`: canonical name -> column of the text table; `extras`: (name in the file,
    column of the text table)."""
    cols = []
    for name in CANONICAL:
        if name == "border_crossing" and name not in mapping:
            cols.append(f"{_legacy_border_sql(mapping)} AS border_crossing")
        elif name in mapping:
            cols.append(f"{_q(mapping[name])} AS {name}")
        else:
            cols.append(f"NULL::VARCHAR AS {name}")
    if extras:
        pairs = ", ".join(f"{_lit(name)}, {_q(col)}" for name, col in extras)
        cols.append(f"json_object({pairs})::VARCHAR AS extra")
    else:
        cols.append("NULL::VARCHAR AS extra")
    return ", ".join(cols)


def _positional(header: list[str]) -> dict[str, str]:
    """File column name -> `c0`, `c1`, ...: the text tables use these, since a name in the
    file may be empty, or differ from another only in case (DuckDB would take them as one)."""
    return {col: f"c{i}" for i, col in enumerate(header)}


# The reader's buffer. Rows written in file order go in one batch per buffer, and with this
# buffer they were written about 0.7 s faster at 3.2 M rows than with DuckDB's default one
# (`benchmarks/ingest.py`).
READ_BUFFER_BYTES = 64 << 20


def _parse_fast(con, path: Path, header: list[str], table: str, select: str,
                persistent: bool) -> int:
    """DuckDB's parallel reader, parsed as it reads: `table` is a view over the file in the
    canonical projection, which `parse_raw` reads once (the record number is then the parsed
    table's rowid + 1). Returns the number of lines the reader could not read, -1 if it
    gave up; in both cases the exact reader takes the file instead.

    Strict mode: the lenient one reads a stray quote as opening a field that runs on into
    the next records, merging them without a reject.
    """
    columns = "{" + ", ".join(f"{_lit(f'c{i}')}: 'VARCHAR'" for i in range(len(header))) + "}"
    run(con, "DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
    run(
        con,
        f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT {select} FROM read_csv("
        f"{_lit(str(path))}, header=true, auto_detect=false, columns={columns}, "
        "delim=',', quote='\"', escape='\"', store_rejects=true, strict_mode=true, "
        f"buffer_size={READ_BUFFER_BYTES})",
    )
    try:
        parse_raw(con, table, persistent)
    except duckdb.InvalidInputException:
        # Strict mode stops at some files instead of rejecting lines (a CRLF header over
        # LF lines).
        return -1
    finally:
        run(con, f"DROP VIEW {table}")
    return con.execute("SELECT count(*) FROM reject_errors").fetchall()[0][0]


def _split_records(path: Path, width: int) -> tuple[list, list]:
    """(record number, cells) of the records with `width` fields, and the quarantine rows of
    the others. As in DuckDB's reader, blank lines are not records and empty cells past the
    last column (trailing commas) are dropped."""
    good, bad = [], []
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        rec, first = 0, reader.line_num + 1
        try:
            for fields in reader:
                if fields:
                    rec += 1
                    if len(fields) > width and not any(fields[width:]):
                        fields = fields[:width]
                    if len(fields) == width:
                        good.append((rec, [f if f != "" else None for f in fields]))
                    else:
                        bad.append(_malformed(rec, fields, width, first, reader.line_num))
                first = reader.line_num + 1
        except csv.Error as exc:
            raise UnreadableFileError(path, f"line {first}: {exc}") from None
    return good, bad


def _malformed(rec: int, fields: list[str], width: int, first: int, last: int) -> tuple:
    lines = f"line {first}" if first == last else f"lines {first}-{last}, a quote left open?"
    return (rec, "line", ",".join(fields)[:500],
            f"malformed CSV record ({lines}): {len(fields)} fields, header has {width}")


def _read_exact(con, path: Path, header: list[str], table: str) -> None:
    """Python's csv reader, record by record: the fallback for files with odd lines.

    A record whose field count differs from the header is quarantined whole.
    """
    good, bad = _split_records(path, len(header))
    names = [f"c{i}" for i in range(len(header))]
    frame = pd.DataFrame([[i, *f] for i, f in good], columns=["__rec", *names], dtype=object)
    con.register("exact_df", frame)
    cols = ", ".join(f"{c}::VARCHAR AS {c}" for c in names) + ", __rec::BIGINT AS __rec"
    run(con, f"CREATE OR REPLACE TEMP TABLE {table}_text AS SELECT {cols} FROM exact_df")
    con.unregister("exact_df")
    rejects = pd.DataFrame(bad, columns=["rec", "field", "value", "reason"]).astype(
        {"rec": "int64", "field": object, "value": object, "reason": object})
    con.register("rej_df", rejects)
    run(con, f"CREATE OR REPLACE TEMP TABLE {table}_rejects AS SELECT rec::BIGINT AS rec, "
        "field::VARCHAR AS field, value::VARCHAR AS value, reason::VARCHAR AS reason "
        "FROM rej_df")
    con.unregister("rej_df")


def read_release(con: duckdb.DuckDBPyConnection, path: str | Path, table: str = "raw",
                 persistent: bool = False) -> RawRelease:
    """Read and parse one release into `{table}_parsed` (see `parse_raw`; a table of the
    database when `persistent`, else a temporary one), with the records the CSV reader could
    not split in `{table}_rejects`."""
    path = Path(path)
    if not path.is_file():
        raise NoSuchFileError(f"{path}: no such file")
    header = read_header(path)
    try:
        mapping, extras = map_header(path, header)
    except ValueError:
        check_utf8(path)  # a file that is not UTF-8 says so first, whatever its header
        raise
    pos = _positional(header)
    select = _select_canonical(
        {name: pos[col] for name, col in mapping.items()}, [(c, pos[c]) for c in extras]
    )
    if _parse_fast(con, path, header, table, select, persistent):
        # The fast reader rejects the lines of bytes that are not UTF-8; only then need the
        # file be read for them, to reject it whole and name the first.
        try:
            check_utf8(path)
        except UnreadableFileError:
            run(con, f"DROP TABLE IF EXISTS {table}_parsed")
            raise
        _read_exact(con, path, header, table)
        run(
            con,
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT __rec AS rec, {select} "
            f"FROM {table}_text ORDER BY rec",
        )
        run(con, f"DROP TABLE {table}_text")
        parse_raw(con, table, persistent)
        run(con, f"DROP TABLE {table}")
    else:
        run(con, f"CREATE OR REPLACE TEMP TABLE {table}_rejects (rec BIGINT, field VARCHAR, "
            "value VARCHAR, reason VARCHAR)")
    rejected = con.execute(f"SELECT count(*) FROM {table}_rejects").fetchall()[0][0]
    if _ends_inside_record(path):
        _flag_cut_record(con, table, canonical_name(header[-1]) if header[-1] in mapping.values()
                         else None)
    return RawRelease(path, table, mapping, extras, rejected, header)


def _ends_inside_record(path: Path) -> bool:
    """The file's last byte ends no line and closes no quoted field: a download or a copy cut
    short ends like this, inside the last field of its last record."""
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        if fh.tell() == 0:
            return False
        fh.seek(-1, 2)
        return fh.read(1) not in (b"\n", b"\r", b'"')


# Last columns whose cut cell leaves the row's counts whole (a shorter post address or
# name): the row loads with a warning. A cut number or date would be a wrong value: the
# row is quarantined.
CUT_WARNS = (*TEXT_COLUMNS, *LITERAL_COLUMNS)


def _flag_cut_record(con: duckdb.DuckDBPyConnection, table: str, last: str | None) -> None:
    """Flag the last record of a file that ends inside it (see `_ends_inside_record`), unless
    the CSV reader rejected it already; `last` is the canonical name of the last column (None
    for a column kept in `extra`)."""
    rec = con.execute(f"""SELECT max(rec) FROM {table}_parsed
        HAVING max(rec) > coalesce((SELECT max(rec) FROM {table}_rejects), 0)""").fetchall()
    if not rec or rec[0][0] is None:
        return
    field = last or "extra"
    value = (last if last in TEXT_COLUMNS else f"{last}_text" if last in LITERAL_COLUMNS
             else "NULL::VARCHAR")
    kind = "warnings" if last is None or last in CUT_WARNS else "errors"
    reason = (f"the file ends inside this record, without a final newline: its last field "
              f"({field}) may be cut short")
    run(con, f"UPDATE {table}_parsed SET {kind} = list_append({kind}, {{'field': "
        f"{_lit(field)}, 'value': {value}, 'reason': {_lit(reason)}}}) WHERE rec = ?",
        [rec[0][0]])


def _has_rec(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    cols = [d[0] for d in con.execute(f"SELECT * FROM {table} LIMIT 0").description]
    return "rec" in cols


# The two forms of the real files, digit by digit: a cast reads them several times faster
# than strptime, and on exactly these shapes both give the same timestamp.
PLAIN_TIME = r"^\d{4}-\d{2}-\d{2}( ([01]\d|2[0-3]):[0-5]\d)?$"


def _plain_sql(col: str) -> str:
    return f"regexp_matches(s_{col}, '{PLAIN_TIME}')"


def _ts_sql(col: str, plain: str | None = None) -> str:
    """SQL: the time of cell `s_{col}`; `plain`, SQL that it has one of the plain forms."""
    formats = ", ".join(f"'{f}'" for f in TIME_FORMATS)
    cell = f"s_{col}"
    slow = f"try_strptime({cell}, [{formats}])"
    # strptime reads "infinity" as an infinite timestamp, which no date check catches and
    # which breaks the window arithmetic: it is no date. A plain cell is always finite.
    return (f"CASE WHEN {plain or _plain_sql(col)} THEN try_cast({cell} AS TIMESTAMP) "
            f"WHEN isfinite({slow}) THEN {slow} END")


def _missing(col: str) -> str:
    """The trimmed cell is empty (or absent); number cells are not trimmed up front."""
    cell = f"trim({col})" if col in NUMBER_COLUMNS else f"s_{col}"
    return f"coalesce({cell}, '') = ''"


def _count_checks(col: str, required: bool) -> list[str]:
    num = f"n_{col}"
    checks = [
        f"CASE WHEN NOT {_missing(col)} AND ({num} IS NULL OR NOT isfinite({num})) "
        f"THEN {{'field': '{col}', 'value': {col}, 'reason': 'not a number'}} END",
        f"CASE WHEN isfinite({num}) AND {num} < 0 "
        f"THEN {{'field': '{col}', 'value': {col}, 'reason': 'negative count'}} END",
        f"CASE WHEN isfinite({num}) AND {num} <> floor({num}) "
        f"THEN {{'field': '{col}', 'value': {col}, 'reason': 'not a whole number'}} END",
        f"CASE WHEN isfinite({num}) AND {num} > {MAX_COUNT} "
        f"THEN {{'field': '{col}', 'value': {col}, 'reason': 'implausibly large count'}} END",
    ]
    if required:
        checks.append(
            f"CASE WHEN {_missing(col)} "
            f"THEN {{'field': '{col}', 'value': {col}, 'reason': 'missing value'}} END"
        )
    return checks


def _time_checks(col: str) -> list[str]:
    parsed = f"l_{col}"
    return [
        f"CASE WHEN {_missing(col)} "
        f"THEN {{'field': '{col}', 'value': {col}, 'reason': 'missing value'}} END",
        f"CASE WHEN NOT {_missing(col)} AND {parsed} IS NULL "
        f"THEN {{'field': '{col}', 'value': {col}, "
        f"'reason': 'not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM)'}} END",
        f"CASE WHEN year({parsed}) NOT BETWEEN 2000 AND 9999 "
        f"THEN {{'field': '{col}', 'value': {col}, 'reason': 'implausible year'}} END",
    ]


TIME_COLUMNS = ("time_start", "time_end")
TRIMMED = (*TIME_COLUMNS, *TEXT_COLUMNS)
# Read as numbers untrimmed: DuckDB's cast skips ASCII spaces around a number itself, and
# only a cell it cannot read is trimmed and read again (a no-break space, say).
NUMBER_COLUMNS = (*COUNT_COLUMNS, *EXTRA_NUMBERS)


def _trim_sql(col: str) -> str:
    """`trim(col)`, skipped where it cannot change the cell: DuckDB's trim scans the whole
    text and strips Unicode spaces, but in a pure ASCII cell only a leading or trailing
    space, and checking that costs a fraction of trimming long cells (source posts)."""
    return (f"CASE WHEN {col} LIKE ' %' OR {col} LIKE '% ' OR strlen({col}) <> length({col}) "
            f"THEN trim({col}) ELSE {col} END")


def _typed_sql(table: str, rec: str) -> str:
    """Time and text cells trimmed once (`s_*`), numbers (`n_*`) and times (`l_*`) parsed
    once; `plain_*`: the time cell has one of the two plain forms."""
    trimmed = ", ".join(f"{_trim_sql(c)} AS s_{c}" for c in TRIMMED)
    plain = ", ".join(f"{_plain_sql(c)} AS plain_{c}" for c in TIME_COLUMNS)
    nums = ", ".join(
        f"coalesce(try_cast({c} AS DOUBLE), try_cast(trim({c}) AS DOUBLE)) AS n_{c}"
        for c in NUMBER_COLUMNS
    )
    times = ", ".join(
        f"{_ts_sql(c, f'plain_{c}')} AS l_{c}, length(s_{c}) > 10 AS {c}_has_time"
        for c in TIME_COLUMNS
    )
    return (f"SELECT *, {nums}, {times} FROM (SELECT *, {plain} FROM "
            f"(SELECT {rec} AS rec, *, {trimmed} FROM {table}))")


def _checks_sql() -> tuple[str, str]:
    """The `errors` and `warnings` lists of a row (see `error_checks`, `warning_checks`)."""
    return _gated(error_checks(), ERROR_GATE), _gated(warning_checks(), WARNING_GATE)


def error_checks() -> list[str]:
    """SQL: one CASE per error a row may have, giving its quarantine row or NULL."""
    errors = [
        *_time_checks("time_start"),
        *_time_checks("time_end"),
        f"CASE WHEN {_missing('model')} "
        "THEN {'field': 'model', 'value': model, 'reason': 'missing value'} END",
        "CASE WHEN l_time_end + CASE WHEN time_end_has_time THEN INTERVAL 0 DAY "
        "ELSE INTERVAL 1 DAY END < l_time_start THEN {'field': 'time_end', 'value': time_end, "
        "'reason': 'window ends before it starts (' || time_start || ')'} END",
    ]
    for col in COUNT_COLUMNS:
        errors += _count_checks(col, col == "launched")
    return errors


def warning_checks() -> list[str]:
    """SQL: one CASE per warning a row may have, giving the warning or NULL."""
    warnings = [
        "CASE WHEN coalesce(n_destroyed, 0) + coalesce(n_not_reach_goal, 0) > n_launched "
        "THEN {'field': 'destroyed', 'value': destroyed, "
        "'reason': 'destroyed + not_reach_goal exceeds launched (' || launched || ')'} END",
        "CASE WHEN l_time_end - l_time_start > INTERVAL 48 HOUR "
        "THEN {'field': 'time_start', 'value': time_start, "
        "'reason': 'window longer than 48 hours'} END",
        f"CASE WHEN {_missing('source')} "
        "THEN {'field': 'source', 'value': source, 'reason': 'no source post'} END",
    ]
    for col in EXTRA_NUMBERS:
        warnings.append(
            f"CASE WHEN NOT {_missing(col)} AND NOT coalesce(isfinite(n_{col}), "
            f"false) THEN {{'field': '{col}', 'value': {col}, "
            f"'reason': 'not a number (ignored)'}} END"
        )
    return warnings


def _preds(checks: list[str]) -> list[str]:
    return [c[len("CASE WHEN "):c.rindex(" THEN {")] for c in checks]


def any_check_sql(checks: list[str]) -> str:
    """SQL: some check of `checks` holds (the exact test; the gates are cheaper)."""
    return " OR ".join(f"coalesce(({p}), false)" for p in _preds(checks))


def _count_ok(col: str, missing_ok: bool) -> str:
    missing = f"{col} IS NULL" if missing_ok else "false"
    return f"coalesce(n_{col} BETWEEN 0 AND {MAX_COUNT} AND n_{col} = floor(n_{col}), {missing})"


# Cheap tests that hold for every row with an error (a warning): a few comparisons per row
# instead of a CASE per check. A row they let through has its list built by the checks
# themselves, which may find nothing (an empty cell with spaces, say). Tests hold each gate
# true wherever a check holds.
ERROR_GATE = " OR ".join([
    "NOT coalesce(year(l_time_start) BETWEEN 2000 AND 9999 AND year(l_time_end) BETWEEN "
    "2000 AND 9999 AND l_time_end + CASE WHEN time_end_has_time THEN INTERVAL 0 DAY "
    "ELSE INTERVAL 1 DAY END >= l_time_start, false)",
    "coalesce(s_model, '') = ''",
    *(f"NOT {_count_ok(c, c != 'launched')}" for c in COUNT_COLUMNS),
])
WARNING_GATE = " OR ".join([
    "coalesce(n_destroyed, 0) + coalesce(n_not_reach_goal, 0) > n_launched",
    "l_time_end - l_time_start > INTERVAL 48 HOUR",
    "coalesce(s_source, '') = ''",
    *(f"NOT coalesce(isfinite(n_{c}), {c} IS NULL)" for c in EXTRA_NUMBERS),
])


def _listed(base: str, checks: list[str]) -> str:
    """SQL: the list `base` with the problems of `checks` that hold appended."""
    return (f"list_filter(list_concat({base}, [" + ", ".join(checks) + "]), "
            "lambda x: x IS NOT NULL)")


def _gated(checks: list[str], gate: str) -> str:
    """The list of problems of a row, built only for rows through `gate` (few are)."""
    return f"CASE WHEN {gate} THEN {_listed('[]', checks)} ELSE [] END"


def _num(col: str) -> str:
    return f"CASE WHEN isfinite(n_{col}) AND abs(n_{col}) <= {MAX_COUNT} THEN n_{col} END"


# A row's identity across releases: its post, model and window, and `dup`, its number
# among the rows of one release with the same three (1 for all but repeated rows).
KEY_COLUMNS = ("source", "model", "time_start_local", "time_end_local")


def _key_field(table: str, col: str) -> str:
    field = f"{table}.{col}" if table else col
    return f"coalesce({field}, '')" if col == "source" else field


def key_sql(table: str = "") -> str:
    """SQL: the key fields of a row (without `dup`), e.g. to partition by."""
    return ", ".join(_key_field(table, c) for c in KEY_COLUMNS)


def key_equal_sql(a: str, b: str) -> str:
    """SQL: rows `a` and `b` are the same report row (to be compared by content)."""
    return " AND ".join(
        f"{_key_field(a, c)} = {_key_field(b, c)}" for c in (*KEY_COLUMNS, "dup"))


def content_equal_sql(a: str, b: str) -> str:
    """SQL: the stored rows `a` and `b` carry the same report content (what a newer release
    may edit in place); empty and missing cells are alike, numbers compare as numbers."""
    parts = [f"coalesce({a}.{c}, '') = coalesce({b}.{c}, '')" for c in TEXT_COLUMNS]
    parts += [
        f"{a}.{c} IS NOT DISTINCT FROM {b}.{c}" for c in (*COUNT_COLUMNS, *EXTRA_NUMBERS)
    ]
    parts += [
        f"coalesce(trim({a}.{c}_text), '') = coalesce(trim({b}.{c}_text), '')"
        for c in LITERAL_COLUMNS
    ]
    parts.append(f"coalesce({a}.extra, '') = coalesce({b}.extra, '')")
    return " AND ".join(parts)


def lookup_literals(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """`lit_map` (raw, json, error): the literal cells of `table` parsed, once per value."""
    union = " UNION ".join(f"SELECT {c}_text AS raw FROM {table}" for c in LITERAL_COLUMNS)
    distinct = [r[0] for r in con.execute(f"SELECT DISTINCT raw FROM ({union})").fetchall()]
    rows_table(con, "lit_map", [("raw", "VARCHAR"), ("json", "VARCHAR"), ("error", "VARCHAR")],
               [(v, *literal_to_json(v)) for v in distinct if v is not None])


def lookup_models(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """`tax_map`: the model strings of `table` classified, once per value (shaped like the
    store's `weapons`: components as ' | ' text)."""
    models = [r[0] for r in con.execute(f"SELECT DISTINCT model FROM {table}").fetchall()]
    rows_table(con, "tax_map", TAXONOMY_COLUMNS,
               taxonomy_rows(m for m in models if m is not None))


def _lookup_warnings(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Add the warnings of the lookups (a literal kept as text, an unknown model) to the few
    rows that have one, instead of joining every row to the lookups."""
    flagged = con.execute("SELECT (SELECT count(*) FROM lit_map WHERE error IS NOT NULL) + "
                          "(SELECT count(*) FROM tax_map WHERE NOT known)").fetchall()[0][0]
    if not flagged:  # the common case: no row to look at
        return
    warns = [
        f"CASE WHEN {c}_text IN (SELECT raw FROM lit_map WHERE error IS NOT NULL) THEN "
        f"{{'field': '{c}', 'value': {c}_text, 'reason': (SELECT error FROM lit_map "
        f"WHERE raw = {c}_text) || ' (kept as text)'}} END"
        for c in LITERAL_COLUMNS
    ]
    warns.append(
        "CASE WHEN model IN (SELECT model FROM tax_map WHERE NOT known) THEN {'field': "
        "'model', 'value': model, 'reason': 'unknown weapon model (class unknown' || "
        f"CASE WHEN (SELECT kind FROM tax_map t WHERE t.model = {table}.model) = 'unknown' "
        "THEN '; kind unknown: counted in neither drones nor missiles' ELSE '' END || ')'} "
        "END")
    run(con, f"UPDATE {table} SET warnings = {_listed('warnings', warns)} WHERE "
        + " OR ".join(_preds(warns)))


def parse_raw(con: duckdb.DuckDBPyConnection, table: str = "raw",
              persistent: bool = False) -> None:
    """Turn the text table into `{table}_parsed`: typed rows with `errors` and `warnings`,
    holding what `ROW_COLUMNS` stores; `derived_sql` adds what follows from them.

    One pass without windows or sorts, so the rows stay in file order; the rare duplicate
    keys are numbered afterwards.
    """
    has_rec = _has_rec(con, table)
    with in_file_order(con):
        _create_parsed(con, table, has_rec, persistent)
    lookup_literals(con, f"{table}_parsed")
    lookup_models(con, f"{table}_parsed")
    _lookup_warnings(con, f"{table}_parsed")
    _number_repeats(con, f"{table}_parsed")


def _content_sql() -> str:
    """SQL: a row's content as `content_equal_sql` compares it (empty and missing alike,
    literal cells trimmed), to partition by."""
    parts = [f"coalesce({c}, '')" for c in TEXT_COLUMNS]
    parts += [*COUNT_COLUMNS, *EXTRA_NUMBERS]
    parts += [f"coalesce(trim({c}_text), '')" for c in LITERAL_COLUMNS]
    parts.append("coalesce(extra, '')")
    return ", ".join(parts)


def _number_repeats(con: duckdb.DuckDBPyConnection, parsed: str) -> None:
    """Rows with the same post, model and window: an exact copy of an earlier loadable row
    is quarantined as its duplicate (a release that repeats records would otherwise count
    them twice); the others are numbered in file order (`dup` 1, 2, ...).

    The candidates are found by an integer hash of the key; a row whose hash merely
    collides with another's is alone in its key and stays 1.
    """
    key = key_sql()
    run(con, f"""
        CREATE OR REPLACE TEMP TABLE repeats AS
        SELECT len(errors) = 0 AS ok, * EXCLUDE (errors, warnings) FROM {parsed}
        WHERE hash({key}) IN (SELECT hash({key}) FROM {parsed}
                              GROUP BY ALL HAVING count(*) > 1)""")
    run(con, f"""
        CREATE OR REPLACE TEMP TABLE copies AS
        SELECT rec, first FROM (
            SELECT rec, min(rec) OVER (PARTITION BY {key}, {_content_sql()}) AS first
            FROM repeats WHERE ok)
        WHERE rec > first""")
    if con.execute("SELECT count(*) FROM copies").fetchall()[0][0]:
        run(con, f"""
            UPDATE {parsed} p SET errors = list_append(p.errors, {{'field': 'record',
                'value': NULL::VARCHAR, 'reason': 'duplicate of record ' || c.first}})
            FROM copies c WHERE p.rec = c.rec""")
    run(con, f"""
        UPDATE {parsed} p SET dup = d.dup
        FROM (SELECT rec, row_number() OVER (PARTITION BY {key} ORDER BY rec) AS dup
              FROM repeats WHERE rec NOT IN (SELECT rec FROM copies)) d
        WHERE p.rec = d.rec AND d.dup > 1;
        DROP TABLE repeats; DROP TABLE copies""")


def _create_parsed(con: duckdb.DuckDBPyConnection, table: str, has_rec: bool,
                   persistent: bool) -> None:
    """`{table}_parsed`, one row per record of `table`, in its order."""
    errors, warnings = _checks_sql()
    counts = ", ".join(f"{_num(c)}::BIGINT AS {c}" for c in COUNT_COLUMNS)
    extra = ", ".join(f"{_num(c)} AS {c}" for c in EXTRA_NUMBERS)
    create_table_as(
        con, f"{table}_parsed", f"""
        WITH typed AS ({_typed_sql(table, "rec" if has_rec else "NULL::BIGINT")})
        SELECT t.rec, 1::BIGINT AS dup, {errors} AS errors, {warnings} AS warnings,
               t.s_source AS source, {_as_written("time_start")} AS time_start_text,
               {_as_written("time_end")} AS time_end_text,
               t.l_time_start AS time_start_local, t.l_time_end AS time_end_local,
               t.time_start_has_time AS start_has_time, t.time_end_has_time AS end_has_time,
               t.s_model AS model, t.s_launch_place AS launch_place,
               t.s_target AS target, t.s_target_main AS target_main,
               t.s_carrier AS carrier, {counts}, {extra},
               {", ".join(f"t.{c} AS {c}_text" for c in LITERAL_COLUMNS)}, t.extra
        FROM typed t""", temp=not persistent)
    if not has_rec:  # read in file order, one row per record
        run(con, f"UPDATE {table}_parsed SET rec = rowid + 1")


# What the store keeps of a loaded row (`report_rows`); the rest of `reports` is derived.
ROW_COLUMNS = (
    "row_id", "release_id", "rec", "dup", "warnings", "source", "time_start_text",
    "time_end_text", "time_start_local", "time_end_local", "start_has_time", "end_has_time",
    "model", "launch_place", "target", "target_main", "carrier", *COUNT_COLUMNS,
    *EXTRA_NUMBERS, *(f"{c}_text" for c in LITERAL_COLUMNS), "extra",
)


def _canonical_time(col: str, has_time: str) -> str:
    """SQL: the timestamp `col` written as the real files write it (to the minute, or the
    date alone when the cell had no time)."""
    return (f"CASE WHEN {has_time} THEN strftime({col}, '%Y-%m-%d %H:%M') "
            f"ELSE strftime({col}, '%Y-%m-%d') END")


def _as_written(col: str) -> str:
    """SQL: a time cell as written, or NULL when it reads exactly as its canonical form (the
    common case, which the `reports` view restores): fewer long texts to store. A plain
    cell that parses is written in its canonical form; no other cell is."""
    return f"CASE WHEN NOT (t.plain_{col} AND t.l_{col} IS NOT NULL) THEN t.s_{col} END"


def _time_text(col: str, has_time: str) -> str:
    return (f"coalesce(r.{col}_text, {_canonical_time(f'r.{col}_local', f'r.{has_time}')}) "
            f"AS {col}_text")


def _utc(col: str) -> str:
    return f"timezone('UTC', timezone('{TIMEZONE}', r.{col}_local)) AS {col}_utc"


def model_classes(models: str = "weapons") -> str:
    """SQL: one row per model string of `models` (the store's `weapons`, or `tax_map`) with
    its components, class, kind and long range; `weapons` names a model twice when the
    weapon reference does, and a join to it must not double a report row."""
    return f"(SELECT DISTINCT model, components, weapon_class, kind, long_range FROM {models})"


def derived_sql(rows: str, literals: str, models: str, file: str) -> str:
    """SQL: the rows of `rows` as `reports` shows them, with UTC times, the literal cells as
    JSON (from `literals`: raw, json), the class of the model (from `models`: model,
    components as ' | ' text, weapon_class, kind, long_range) and the file (SQL `file`,
    which may name `r`). Computed on reading: storing them cost more than joining them."""
    lits = ", ".join(f"l_{c}.json AS {c}_json" for c in LITERAL_COLUMNS)
    joins = " ".join(
        f"LEFT JOIN {literals} l_{c} ON l_{c}.raw = r.{c}_text" for c in LITERAL_COLUMNS)
    last_literal = f"{LITERAL_COLUMNS[-1]}_text"
    # What `reports` shows in place of (or after) a stored column; the rest as stored.
    shown = {
        "release_id": f"r.release_id, {file} AS file",
        "time_start_text": _time_text("time_start", "start_has_time"),
        "time_end_text": _time_text("time_end", "end_has_time"),
        "time_end_local": f"r.time_end_local, {_utc('time_start')}, {_utc('time_end')}",
        last_literal: f"r.{last_literal}, {lits}, m.weapon_class, m.kind, m.long_range, "
                      "to_json(string_split(m.components, ' | '))::VARCHAR AS components",
    }
    return f"""
        SELECT {", ".join(shown.get(c, f"r.{c}") for c in ROW_COLUMNS)}
        FROM {rows} r
        LEFT JOIN {model_classes(models)} m ON m.model = r.model
        {joins}"""


QUARANTINE_COLUMNS = ["rec", "field", "value", "reason"]


def quarantine_sql(table: str = "raw") -> str:
    """SQL: one row per (record, problem) of the quarantined records by record, then the
    malformed lines (`QUARANTINE_COLUMNS`)."""
    return f"""
        SELECT rec, e.field AS field, e.value AS value, e.reason AS reason FROM (
            SELECT 0 AS part, rec, unnest(errors) AS e, generate_subscripts(errors, 1) AS i
            FROM {table}_parsed WHERE len(errors) > 0
            UNION ALL
            SELECT 1, rec::BIGINT, {{'field': field::VARCHAR, 'value': value::VARCHAR,
                                    'reason': reason::VARCHAR}}, 0
            FROM {table}_rejects)
        ORDER BY part, rec, i"""


def quarantine_rows(con: duckdb.DuckDBPyConnection, table: str = "raw") -> pd.DataFrame:
    """One row per (record, problem) of the quarantined records, plus malformed lines."""
    return con.execute(quarantine_sql(table)).df()[QUARANTINE_COLUMNS]


@dataclass
class ParseResult:
    """Rows of one input: loaded (typed, with warnings) and quarantined (one row per reason)."""

    loaded: pd.DataFrame
    quarantine: pd.DataFrame
    read: int

    @property
    def n_quarantined(self) -> int:
        return int(self.quarantine["rec"].nunique()) if len(self.quarantine) else 0


def parse_file(path: str | Path) -> ParseResult:
    """Read and parse one release without a store (for inspection and tests)."""
    con = duckdb.connect()
    try:
        raw = read_release(con, path)
        rows = ("(SELECT *, 0::BIGINT AS row_id, 0::INTEGER AS release_id FROM raw_parsed "
                "WHERE len(errors) = 0)")
        shown = derived_sql(rows, "lit_map", "tax_map", "NULL::VARCHAR")
        loaded = con.execute(
            f"SELECT * EXCLUDE (row_id, release_id, file) FROM ({shown}) ORDER BY rec").df()
        n = con.execute("SELECT count(*) FROM raw_parsed").fetchall()[0][0] + raw.rejected
        return ParseResult(loaded, quarantine_rows(con), n)
    finally:
        con.close()


def parse_frame(df: pd.DataFrame) -> ParseResult:
    """Parse a frame of text cells with release column names (used for property tests)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "frame.csv"
        df.to_csv(path, index=False, quoting=csv.QUOTE_ALL)
        return parse_file(path)


def post_sql(table: str = "") -> str:
    """SQL: the post of a report row of `table`; a row without a source post is an attack of
    its own, named by its key."""
    t = f"{table}." if table else ""
    return (
        f"CASE WHEN coalesce({t}source, '') = '' THEN 'row:' || md5(concat_ws(chr(31), "
        f"{t}model, {t}time_start_local, {t}time_end_local, {t}dup)) ELSE {t}source END"
    )
