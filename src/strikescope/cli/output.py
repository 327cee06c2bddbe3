"""Rendering helpers shared by the commands: Rich tables, formats, progress bars."""

from __future__ import annotations

import datetime as dt
import logging
import numbers
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from strikescope import csvsafe
from strikescope.api import frame_to_json, write_frame
from strikescope.errors import StrikescopeError
from strikescope.lazy import lazy_module

if TYPE_CHECKING:  # the real modules for the type checker; at run time on first use
    import pandas as pd
else:
    pd = lazy_module("pandas")

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


class _Notices(logging.Handler):
    """The API's notices of work done before an answer (`api.log`), on standard error."""

    def emit(self, record: logging.LogRecord) -> None:
        err_console.print(self.format(record), highlight=False)


def show_store_notices() -> None:
    store_log = logging.getLogger("strikescope.store")
    if not any(isinstance(h, _Notices) for h in store_log.handlers):
        store_log.addHandler(_Notices())
        store_log.setLevel(logging.INFO)

DbOption = typer.Option(None, "--db", envvar="STRIKESCOPE_DB",
                        help="Store file (default: the user data directory).")
FORMAT_HELP = "Output format: table, csv, json or parquet (parquet needs --out)."


def iso_date(value: str | None) -> str | None:
    """A YYYY-MM-DD option, refused as a usage error (exit code 2) when malformed."""
    if value is None:
        return None
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None
    return value


FromOption = typer.Option(None, "--from", help="First night (YYYY-MM-DD).", callback=iso_date)
ToOption = typer.Option(None, "--to", help="Last night (YYYY-MM-DD).", callback=iso_date)
FmtOption = typer.Option("table", "--format", "-f", help=FORMAT_HELP)
OutOption = typer.Option(None, "--out", "-o", help="Write to this file.")


def _cell(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    # numpy's integers too: a nullable column's values (1234 printed without its comma)
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return f"{int(value):,}"
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}" if value == value.normalize() else f"{value:%Y-%m-%d %H:%M}"
    if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
        return ""
    return str(value)


def short_source(source) -> str:
    """`kpszsu/posts/pfbid0TJ48...YH5wel` -> `kpszsu …YH5wel`: enough to tell posts apart."""
    if not isinstance(source, str):
        return ""
    channel = source.split("://")[-1].split("/")[1 if "t.me/" in source else 0]
    return source if len(source) <= 24 else f"{channel} …{source[-8:]}"


def rounded(df: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """Floats rounded for the terminal (the files written keep full precision)."""
    floats = df.select_dtypes("float").columns
    return df.assign(**{c: df[c].round(digits) for c in floats})


def _decimals(values, most: int = 3) -> int:
    """The decimals a float column is printed with: as many as its values need, up to
    `most`, the same for every row ("1.000" under "0.582", not "1")."""
    need = [len(f"{float(v):.{most}f}".rstrip("0").split(".")[1]) for v in values
            if v is not None and v == v]
    return max(need, default=0)


def _float_cells(rows: list, floats: list[bool], other: Callable[[object], str]
                 ) -> Iterator[list[str]]:
    """The cells of `rows`, each float column (`floats`) with one number of decimals, the
    rest drawn by `other`."""
    places = {i: _decimals([r[i] for r in rows]) for i, f in enumerate(floats) if f}

    def cell(i: int, v) -> str:
        if i in places and isinstance(v, float):
            return f"{v:,.{places[i]}f}" if v == v else ""
        return other(v)

    return ([cell(i, v) for i, v in enumerate(row)] for row in rows)


def print_table(df: pd.DataFrame, title: str | None = None, max_rows: int = 200) -> None:
    numeric = [pd.api.types.is_numeric_dtype(df[col]) for col in df.columns]
    floats = [pd.api.types.is_float_dtype(df[col]) for col in df.columns]
    rows = list(df.head(max_rows).itertuples(index=False))
    _print_cells([str(c) for c in df.columns], numeric, _float_cells(rows, floats, _cell),
                 title, len(df) - max_rows)


# DuckDB types that pandas reads as numbers (its booleans included): right-aligned
_NUMERIC_TYPES = ("BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                  "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL")


def print_records(columns: list[str], types: list[str], rows: list[tuple],
                  title: str | None = None, max_rows: int = 200) -> None:
    """`print_table` for rows as DuckDB fetches them, without pandas: the same table."""
    numeric = [t.split("(")[0] in _NUMERIC_TYPES for t in types]
    floats = [t.split("(")[0] in ("FLOAT", "DOUBLE") for t in types]
    _print_cells(columns, numeric, _float_cells(rows[:max_rows], floats, _plain_cell), title,
                 len(rows) - max_rows)


def _plain_cell(value) -> str:
    """`_cell` of a plain Python value (no pandas types, no NaN but float('nan'))."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return _cell(value)
    return str(value)


def _print_cells(columns, numeric, cells, title, more: int) -> None:
    table = Table(title=title, show_lines=False, header_style="bold")
    for col, right in zip(columns, numeric, strict=True):
        table.add_column(col, justify="right" if right else "left", overflow="fold")
    for row in cells:
        table.add_row(*row)
    console.print(table)
    if more > 0:
        console.print(f"... {more:,} more rows (use --format csv)")


def emit(df: pd.DataFrame, fmt: str, out: Path | None, title: str | None = None) -> None:
    """Print or write a frame in the requested format."""
    fmt = fmt.lower()
    if out:
        path = write_frame(df, out, None if fmt == "table" else fmt)
        err_console.print(f"wrote {len(df):,} rows to {path}")
    elif fmt == "table":
        print_table(df, title)
    elif fmt == "csv":
        csvsafe.to_csv(df, sys.stdout)
    elif fmt == "json":
        sys.stdout.write(frame_to_json(df) + "\n")
    else:
        raise typer.BadParameter(f"format {fmt!r} needs --out (or use table, csv, json)")


def fail(message: str, code: int = 1) -> typer.Exit:
    # escaped: a message quoting `strikescope[analysis]` or a cell's [..] is not markup
    err_console.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(code)


def guard(fn):
    """Run an API call; an error a user can fix (a `StrikescopeError`) becomes its message
    and exit code 1. Any other exception is a bug and keeps its traceback."""
    try:
        return fn()
    except StrikescopeError as exc:
        raise fail(str(exc)) from None


@contextmanager
def progress_bar(description: str):
    """A Rich progress bar whose update function takes (message, fraction)."""
    # imported here: the commands that draw no bar (night, nights) start sooner
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn(
            "{task.percentage:>3.0f}%"), TimeElapsedColumn(), console=err_console,
            transient=False) as bar:
        task = bar.add_task(description, total=1.0)

        def update(message: str, fraction: float) -> None:
            bar.update(task, description=message, completed=fraction)

        try:
            yield update
        except BaseException:
            # A failed run should end in its one-line error, not a bar stopped half way.
            bar.live.transient = True
            raise
