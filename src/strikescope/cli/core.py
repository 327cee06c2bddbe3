"""Core commands: ingest, nights, night, quarantine, weapons, releases, export."""

from __future__ import annotations

import contextlib
from enum import StrEnum
from pathlib import Path

import typer

import strikescope.api as api
from strikescope.cli.app import app
from strikescope.cli.output import (
    FORMAT_HELP,
    DbOption,
    console,
    emit,
    err_console,
    guard,
    iso_date,
    print_records,
    print_table,
    progress_bar,
    short_source,
)


class Policy(StrEnum):
    combined = "combined"
    national = "national"


class NightsMode(StrEnum):
    auto = "auto"
    now = "now"
    later = "later"


PolicyOption = typer.Option(
    Policy.combined, "--policy",
    help="combined: national reports plus regional ones for the classes they lack; "
         "national: the national Air Force statements alone (as press tallies count).")


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(None, help="Files (CSV, or a zip or gzip file of CSV files) "
                                       "or directories (default: attacks/ of "
                                       "$STRIKESCOPE_DATA or the configured data_dir)."),
    report: str = typer.Option(
        None, "--report", help="Instead: an Air Force statement's text (a file, or - for "
        "standard input), added as a provisional release (see `ingest-report`)."),
    published: str = typer.Option(None, "--published", "-p", callback=iso_date,
                                  help="With --report: the statement's publication date."),
    nights: NightsMode = typer.Option(
        NightsMode.auto, "--nights",
        help="now: build the nights at once; later: leave them to the first read or "
             "`strikescope build`; auto: at once, unless a bulk load (a million report "
             "rows or more) needs every night built."),
    db: Path = DbOption,
) -> None:
    """Ingest attack releases (any schema) and the weapon reference; rebuild the nights."""
    if report is not None:
        if paths:
            raise typer.BadParameter("give files or --report, not both")
        from strikescope.cli.statement import ingest_report_command

        ingest_report_command(report, published, db)
        return
    with progress_bar("ingesting") as update:
        reports = guard(lambda: api.ingest(paths or None, db=db, progress=update,
                                           nights=nights.value))
    for r in reports:
        console.print(r.summary())
        for note in r.notes:
            console.print(f"  note: {note}")
    _print_store_summary(db)


def _print_store_summary(db) -> None:
    t = api.store_totals(db)
    if t is None:
        console.print("The store holds no nights yet.")
        return
    if t.get("pending"):
        console.print(
            f"Store {t['path']}: {t['rows']:,} report rows ending "
            f"{t['first']:%Y-%m-%d} .. {t['last']:%Y-%m-%d}; "
            f"{t['quarantined']:,} row(s) in quarantine. The nights are not built yet: the "
            "first read builds them, `strikescope build` builds them now.")
        return
    console.print(
        f"Store {t['path']}: {t['nights']:,} calendar nights "
        f"{t['first']:%Y-%m-%d} .. {t['last']:%Y-%m-%d}; "
        f"{t['drones']:,} long-range drones and {t['missiles']:,} missiles; "
        f"{t['quarantined']:,} row(s) in quarantine.")


@app.command()
def nights(
    start: str = typer.Option(None, "--from", help="First night (YYYY-MM-DD).",
                              callback=iso_date),
    end: str = typer.Option(None, "--to", help="Last night (YYYY-MM-DD).",
                            callback=iso_date),
    weapon_class: str = typer.Option(None, "--class", help="One weapon class (long table)."),
    fmt: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file."),
    sparse: bool = typer.Option(False, "--sparse", help="Only nights with reports."),
    policy: Policy = PolicyOption,
    db: Path = DbOption,
) -> None:
    """Nightly totals: launched, shot down, lost and reached, per kind and class."""
    df = guard(lambda: api.nights(start, end, weapon_class, db=db, dense=not sparse,
                                  policy=policy.value))
    if fmt == "table" and not out and not weapon_class:
        df = df[["night", "drones_launched", "drones_destroyed", "drones_not_reach_goal",
                 "missiles_launched", "missiles_destroyed", "total_launched",
                 "short_range_drones_launched"]]
    emit(df, fmt, out, title="Nights")


@app.command()
def night(
    date: str = typer.Argument(..., help="The night, by the date it ended (YYYY-MM-DD).",
                              callback=iso_date),
    fmt: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
    policy: Policy = PolicyOption,
    db: Path = DbOption,
) -> None:
    """One night: per-class table, the report rows behind it, sources and targets."""
    day = _iso_date(date)
    if fmt == "table" and day is not None:
        _print_night(guard(lambda: api.night_records(day, db=db, policy=policy.value)))
        return
    detail = guard(lambda: api.night(date, db=db, policy=policy.value))
    if fmt != "table":
        emit(detail.rows, fmt, None)
        return
    console.print(detail.summary())
    # the figures a reader compares; the rest is in --format csv/json and the Python API
    print_table(detail.classes[["weapon_class", "kind", "launched", "destroyed",
                                "not_reach_goal", "reached", "rank_name"]],
                title="Per class (counted rows)")
    rows = detail.rows.assign(source=detail.rows.source.map(short_source))
    print_table(rows[["counted", "rank_name", "model", "launched", "destroyed",
                      "not_reach_goal", "target", "source", "rec"]],
                title="Report rows (full sources with --format csv)")


def _iso_date(text: str):
    """The `datetime.date` of a YYYY-MM-DD text, else None (other spellings go the way of
    pandas' parser, as before)."""
    import datetime as dt
    import re

    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(text.strip())
    return None


def _print_night(night) -> None:
    """The table view of `night` (`nights.NightRecords`), read and drawn without pandas: the
    view's start-up is most of its time, and pandas' import the most of that."""
    console.print(night.summary())
    shown = ["weapon_class", "kind", "launched", "destroyed", "not_reach_goal", "reached",
             "rank_name"]
    index = [night.class_columns.index(c) for c in shown]
    print_records(shown, [night.types[c] for c in shown],
                  [tuple(r[i] for i in index) for r in night.classes],
                  title="Per class (counted rows)")
    shown = ["counted", "rank_name", "model", "launched", "destroyed", "not_reach_goal",
             "target", "source", "rec"]
    index = [night.row_columns.index(c) for c in shown]
    source = shown.index("source")
    rows = [tuple(short_source(v) if i == source else v
                  for i, v in enumerate(r[j] for j in index)) for r in night.rows]
    types = [night.types[c] if c != "source" else "VARCHAR" for c in shown]
    print_records(shown, types, rows, title="Report rows (full sources with --format csv)")


@app.command()
def build(
    full: bool = typer.Option(False, "--full", help="Rebuild every night."),
    db: Path = DbOption,
) -> None:
    """Build the nights an ingest left to build (`ingest --nights later`, or a bulk load),
    all or nothing; with --full, rebuild every night."""
    with progress_bar("building nights") as update:
        done = guard(lambda: api.build(db, full))
        update("done", 1.0)
    console.print(done)
    _print_store_summary(db)


@app.command()
def migrate(db: Path = DbOption) -> None:
    """Bring the store up to this version: apply the migrations it has not had and rebuild
    its nights if they were built by other rules (all or nothing)."""
    done = guard(lambda: api.migrate(db))
    console.print("\n".join(f"applied: {d}" for d in done) or "The store is up to date.")


@app.command()
def quarantine(
    all_releases: bool = typer.Option(False, "--all", help="Include superseded releases."),
    fmt: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
    out: Path = typer.Option(None, "--out", "-o"),
    db: Path = DbOption,
) -> None:
    """Rows kept out of the nights: file, row, field and reason."""
    emit(guard(lambda: api.quarantine(db=db, all_releases=all_releases)), fmt, out,
         title="Quarantine")


@app.command()
def warnings(
    fmt: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
    out: Path = typer.Option(None, "--out", "-o"),
    db: Path = DbOption,
) -> None:
    """Rows loaded with a warning: file, row, field and reason."""
    emit(guard(lambda: api.warnings(db=db)), fmt, out, title="Warnings")


@app.command()
def weapons(
    fmt: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
    out: Path = typer.Option(None, "--out", "-o"),
    db: Path = DbOption,
) -> None:
    """The weapon taxonomy of every model string in the store."""
    cols = ["model", "components", "weapon_class", "kind", "long_range", "known", "name_nato"]
    df = guard(lambda: api.weapons(db=db))
    emit(df[cols] if fmt == "table" and not out else df, fmt, out, title="Weapons")


@app.command()
def releases(
    fmt: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
    db: Path = DbOption,
) -> None:
    """The releases ingested, with their row accounting and changes."""
    df = guard(lambda: api.releases(db=db))
    cols = ["release_id", "name", "status", "n_read", "n_loaded", "n_quarantined", "added",
            "changed", "removed", "period_start", "period_end"]
    emit(df[cols] if fmt == "table" else df, fmt, None, title="Releases")


@app.command()
def export(
    name: str = typer.Argument(..., help=f"One of: {', '.join(api.EXPORT_TABLES)}."),
    out: Path = typer.Argument(..., help="Target file; the suffix picks the format."),
    fmt: str = typer.Option(None, "--format", "-f", help="csv, parquet or json."),
    db: Path = DbOption,
) -> None:
    """Export a table of the store to CSV, Parquet or JSON."""
    path = guard(lambda: api.export(name, out, fmt, db=db))
    err_console.print(f"wrote {path}")
