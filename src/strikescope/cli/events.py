"""`strikescope events ...`: list and check the diplomatic timeline, mine GDELT for more."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import duckdb
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from strikescope import csvsafe, gdelt
from strikescope import events as ev
from strikescope.cli.app import app
from strikescope.cli.output import iso_date
from strikescope.errors import StrikescopeError

events_app = typer.Typer(no_args_is_help=True, rich_markup_mode="rich")
app.add_typer(
    events_app,
    name="events",
    help="The diplomatic timeline: list, validate, and find candidates in GDELT.",
)

GDELT_SHOWN = 25


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class Dialect(StrEnum):
    duckdb = "duckdb"
    bigquery = "bigquery"


# What DuckDB says of a GDELT file it cannot read as one: the user's file, not a bug.
UNREADABLE = (duckdb.IOException, duckdb.InvalidInputException, duckdb.ConversionException)


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code=1)


def _as_csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The timeline as it is written in CSV files: ISO dates, ';'-joined actors."""
    out = df.copy()
    for col in ("date", "end_date"):
        out[col] = out[col].dt.strftime("%Y-%m-%d")
    out["actors"] = out["actors"].map(";".join)
    return out


def _print_table(df: pd.DataFrame, title: str) -> None:
    table = Table(title=title)
    for col in ("date", "type", "actors", "title", "confidence"):
        table.add_column(col)
    for r in _as_csv_frame(df).itertuples(index=False):
        day = r.date if r.end_date == r.date else f"{r.date}..{r.end_date}"
        table.add_row(day, r.type, r.actors, r.title, r.confidence)
    Console().print(table)


def _emit(df: pd.DataFrame, fmt: Format) -> None:
    if fmt is Format.table:
        _print_table(df, f"{len(df)} events")
    elif fmt is Format.csv:
        typer.echo(csvsafe.to_csv(_as_csv_frame(df)), nl=False)
    else:
        records = _as_csv_frame(df).to_dict(orient="records")
        for rec in records:
            rec["actors"] = rec["actors"].split(";")
        typer.echo(json.dumps(records, ensure_ascii=False, indent=2))


@events_app.command("list")
def list_events(
    type: list[str] = typer.Option(None, "--type", help="Event type(s); repeat or comma-separate."),
    actors: str = typer.Option(
        None, "--actors", help="Keep events with ALL of these, e.g. USA,RUS."
    ),
    start: str = typer.Option(None, "--from", help="First date, YYYY-MM-DD (inclusive).",
                              callback=iso_date),
    end: str = typer.Option(None, "--to", help="Last date, YYYY-MM-DD (inclusive).",
                            callback=iso_date),
    confidence: str = typer.Option(None, "--confidence", help="Minimum: high, medium or low."),
    files: list[Path] = typer.Option(
        None, "--file", exists=True, dir_okay=False, help="Extra CSV."
    ),
    builtin: bool = typer.Option(
        True, "--builtin/--no-builtin", help="Include the packaged timeline."
    ),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, csv or json."),
) -> None:
    """List timeline events, filtered."""
    types = [t for item in type or [] for t in item.split(",") if t.strip()]
    try:
        df = ev.events(types or None, actors, start, end, confidence, files or None, builtin)
    except ev.EventValidationError as exc:
        raise _fail(str(exc)) from None
    except StrikescopeError as exc:
        raise _fail(f"error: {exc}") from None
    _emit(df, fmt)


@events_app.command("validate")
def validate(
    files: list[Path] = typer.Argument(
        None, exists=True, dir_okay=False, help="CSV files to check."
    ),
    builtin: bool = typer.Option(
        False, "--with-builtin", help="Also check for id clashes with the packaged timeline."
    ),
) -> None:
    """Check event files; with no FILE, check the packaged timeline."""
    if not files:
        files, builtin = [], True
    try:
        df = ev.load_events(files, include_builtin=builtin)
    except ev.EventValidationError as exc:
        raise _fail(f"{len(exc.errors)} problem(s):\n{exc}") from exc
    checked = df if not files else df[df["origin"].isin({f.name for f in files})]
    typer.echo(f"ok: {len(checked)} events")


@events_app.command("gdelt")
def gdelt_candidates(
    files: list[Path] = typer.Argument(None, help="GDELT 2.0 *.export.CSV files (plain or .gz)."),
    countries: str = typer.Option(
        ",".join(gdelt.DEFAULT_COUNTRIES), "--countries", help="3-letter CAMEO country codes."
    ),
    codes: str = typer.Option(",".join(gdelt.DEFAULT_CODES), "--codes", help="CAMEO codes."),
    min_mentions: int = typer.Option(
        1, "--min-mentions", min=0, help="Drop candidates with fewer mentions."
    ),
    start: str = typer.Option(None, "--from", help="First event day, YYYY-MM-DD.",
                              callback=iso_date),
    end: str = typer.Option(None, "--to", help="Last event day, YYYY-MM-DD.",
                            callback=iso_date),
    out: Path = typer.Option(None, "--out", help="Write the candidates to this CSV."),
    timeline: bool = typer.Option(
        False, "--timeline", help="Write --out in the timeline format (confidence low)."
    ),
    print_sql: Dialect = typer.Option(
        None, "--print-sql", help="Print the query for duckdb or bigquery and stop."
    ),
) -> None:
    """Candidate contacts between countries from GDELT event files, most reported first."""
    try:
        if print_sql is not None:
            typer.echo(
                gdelt.gdelt_sql(countries, codes, print_sql.value, files, start, end, min_mentions)
            )
            return
        if not files:
            raise _fail("error: give GDELT export files (or --print-sql)")
        df = gdelt.import_gdelt(files, countries, codes, min_mentions, start, end)
    except (StrikescopeError, OSError, *UNREADABLE) as exc:  # OSError: a file not readable
        raise _fail(f"error: {exc}") from None
    if out is not None:
        written = gdelt.to_timeline(df) if timeline else _gdelt_csv(df)
        csvsafe.to_csv(written, out)
        typer.echo(f"wrote {len(written)} candidates to {out}")
        return
    _print_gdelt(df)


def _gdelt_csv(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    return out


def _print_gdelt(df: pd.DataFrame) -> None:
    table = Table(title=f"{len(df)} candidates")
    for col in ("date", "pair", "code", "label", "mentions", "events"):
        table.add_column(col)
    for r in _gdelt_csv(df).head(GDELT_SHOWN).itertuples(index=False):
        pair = f"{r.actor1}-{r.actor2}"
        table.add_row(r.date, pair, r.event_code, r.cameo_label, str(r.mentions), str(r.events))
    Console().print(table)
    if len(df) > GDELT_SHOWN:
        typer.echo(f"... {len(df) - GDELT_SHOWN} more; use --out to save all")
