"""Small helpers over DuckDB connections."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import duckdb


def run(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> list:
    """Execute a statement and consume its result, so the connection is free again."""
    return (
        con.execute(sql, params).fetchall() if params is not None else con.execute(sql).fetchall()
    )


def is_base_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """`name` is a table of the main schema (not a view, not a temporary table)."""
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ? "
        "AND NOT temporary", [name]).fetchall()[0][0])


@contextmanager
def in_file_order(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Statements in the block keep the order of the rows they read (a table's rowid is then
    the record number of the file it was read from), whatever the connection's setting."""
    old = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    run(con, "SET preserve_insertion_order = true")
    try:
        yield
    finally:
        run(con, f"SET preserve_insertion_order = {bool(old)}")


def rows_table(con: duckdb.DuckDBPyConnection, name: str, columns: Sequence[tuple[str, str]],
               rows: Iterable[Sequence], temp: bool = True) -> None:
    """`CREATE OR REPLACE [TEMP] TABLE name` from Python rows: `columns` gives (name, SQL
    type) pairs, `rows` one sequence per row. The values go to DuckDB as one list per
    column, so no data-frame library is needed (importing one took a third of an ingest
    of the real files)."""
    rows = list(rows)
    values = [list(col) for col in zip(*rows, strict=True)] if rows else [[] for _ in columns]
    select = ", ".join(f'unnest(?::{sql_type}[]) AS "{col}"' for col, sql_type in columns)
    run(con, f"CREATE OR REPLACE {'TEMP ' if temp else ''}TABLE {name} AS SELECT {select}",
        values)


# Columns whose text is long and mostly unique (a report's post): compressing them costs more
# to write and to read back than it saves on disk, e.g. at 3.2 M rows a second of CPU for
# about 200 MB.
STORED_UNCOMPRESSED = ("source",)


def create_table_as(con: duckdb.DuckDBPyConnection, name: str, query: str,
                    temp: bool = False) -> None:
    """`CREATE OR REPLACE TABLE name AS query`, with the columns of `STORED_UNCOMPRESSED`
    stored as they are."""
    cols = con.execute(f"DESCRIBE {query}").fetchall()
    defs = ", ".join(
        f'"{c[0]}" {c[1]}' + (" USING COMPRESSION uncompressed" if c[0] in STORED_UNCOMPRESSED
                              else "") for c in cols)
    run(con, f"CREATE OR REPLACE {'TEMP ' if temp else ''}TABLE {name} ({defs}); "
        f"INSERT INTO {name} {query}")
