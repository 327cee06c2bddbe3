"""`strikescope parse-report FILE|-`: the figures of one Air Force statement, same morning;
`ingest-report` keeps them in the store as a provisional release, `provisional` lists those
releases beside the digitised figures of their nights."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from strikescope.cli.app import app
from strikescope.cli.output import DbOption, console, emit, err_console, fail, print_table
from strikescope.errors import StrikescopeError
from strikescope.sources.statement import ParsedStatement, parse_report

SHOWN = ["model", "weapon_class", "launched", "destroyed", "not_reach_goal", "hit", "left",
         "still_attacking", "num_hit_location", "stated", "derived", "notes"]


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read {path}: {exc}") from None


def _print(parsed: ParsedStatement) -> None:
    console.print(f"Night ending {parsed.night} ({parsed.night_basis}); window "
                  f"{parsed.time_start} .. {parsed.time_end}; text sha256 {parsed.sha256[:16]}")
    shown = parsed.rows[SHOWN].dropna(axis=1, how="all")
    print_table(shown, "Figures (stated = in the text, derived = by the rules)")
    if parsed.regions:
        console.print("Regions named: " + ", ".join(parsed.regions))
    if parsed.launch_place:
        console.print(f"Launch areas: {parsed.launch_place}")
    for text in parsed.conflicts:
        console.print(f"[yellow]conflict:[/] {text}")
    for sentence, note in parsed.skipped:
        console.print(f"[dim]not counted ({note}):[/] {sentence}", highlight=False)
    for sentence, reason in parsed.unparsed:
        console.print(f"[dim]unparsed ({reason}):[/] {sentence}", highlight=False)


@app.command("parse-report")
def parse_report_command(
    file: str = typer.Argument(..., help="The statement text (UTF-8), or - for standard input."),
    published: str = typer.Option(
        None, "--published", "-p",
        help="Date of publication (YYYY-MM-DD), which places the night; default today (Kyiv)."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv (the rows) or json."),
    out: Path = typer.Option(None, "--out", "-o", help="Write the rows to this file."),
) -> None:
    """Read one Air Force statement (Ukrainian or English) into report rows: night, window,
    per model launched, shot down, lost, hits; stated vs derived; unparsed sentences."""
    try:
        parsed = parse_report(_read(file), published)
    except StrikescopeError as exc:
        raise fail(str(exc)) from None
    if fmt == "json" and out is None:
        typer.echo(json.dumps(parsed.to_dict(), ensure_ascii=False, indent=2, default=str))
    elif fmt == "table" and out is None:
        _print(parsed)
    else:
        emit(parsed.rows, fmt, out)
    if parsed.rows.empty:
        raise fail("no weapon figures found in the text")


@app.command("ingest-report")
def ingest_report_command(
    file: str = typer.Argument(..., help="The statement text (UTF-8), or - for standard input."),
    published: str = typer.Option(
        None, "--published", "-p",
        help="Date of publication (YYYY-MM-DD), which places the night; default today (Kyiv)."),
    db: Path = DbOption,
) -> None:
    """Add a statement's rows to the store as a provisional release (source statement/HASH),
    superseded when a digitised release covers its night."""
    from strikescope import provisional

    text = _read(file)
    try:
        parsed, reports = provisional.ingest_report(text, published, db=db)
    except provisional.NightCoveredError as exc:
        err_console.print(f"{exc}")
        parsed = parse_report(text, published)
        print_table(provisional.compare_report(parsed, db=db), "Statement vs store")
        raise typer.Exit(2) from None
    except StrikescopeError as exc:
        raise fail(str(exc)) from None
    for report in reports:
        console.print(report.summary(), highlight=False)
    _print(parsed)


@app.command("provisional")
def provisional_command(
    db: Path = DbOption,
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv or json."),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file."),
) -> None:
    """Statement releases (provisional) with the store's figures of their nights now: where a
    digitised release superseded a statement, where the two disagree."""
    from strikescope import provisional

    emit(provisional.provisional(db=db), fmt, out, "Provisional releases")
