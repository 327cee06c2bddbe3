"""Small helpers over DuckDB connections."""

from __future__ import annotations

import duckdb


def run(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> list:
    """Execute a statement and consume its result, so the connection is free again."""
    return (
        con.execute(sql, params).fetchall() if params is not None else con.execute(sql).fetchall()
    )
