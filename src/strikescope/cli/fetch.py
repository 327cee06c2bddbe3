"""`strikescope fetch`: fresh copies of the public data sets, where a network exists."""

from __future__ import annotations

from pathlib import Path

import typer

import strikescope.api as api
from strikescope.cli.app import app
from strikescope.cli.output import DbOption, console, fail
from strikescope.sources import fetch as sources

SOURCES = ("attacks", "alerts", "weather")


@app.command()
def fetch(
    what: list[str] = typer.Argument(..., help="attacks, alerts and/or weather."),
    into: Path = typer.Option(None, "--dir", help="Data directory (default: user data dir)."),
    start: str = typer.Option("2022-09-28", "--from", help="Weather: first night."),
    end: str = typer.Option(None, "--to", help="Weather: last night (default: yesterday)."),
    ingest: bool = typer.Option(False, "--ingest", help="Ingest the attack files fetched."),
    db: Path = DbOption,
) -> None:
    """Download fresh data: attacks (Kaggle, your credentials), alerts, weather."""
    unknown = sorted(set(what) - set(SOURCES))
    if unknown:
        raise fail(f"unknown source(s) {', '.join(unknown)}; choose from {', '.join(SOURCES)}")
    into = into or sources.default_fetch_dir()
    try:
        paths = _fetch(what, into, start, end)
    except sources.FetchError as exc:
        raise fail(str(exc)) from None
    for path in paths:
        console.print(f"wrote {path}")
    attack_files = [p for p in paths if p.parent.name == "attacks" or "attacks" in p.parts]
    if ingest and attack_files:
        for report in api.ingest([into / "attacks"], db=db):
            console.print(report.summary())
    elif attack_files:
        console.print(f"next: strikescope ingest {into / 'attacks'}")


def _fetch(what: list[str], into: Path, start: str, end: str | None) -> list[Path]:
    import pandas as pd

    paths: list[Path] = []
    if "attacks" in what:
        paths += sources.fetch_attacks(into)
    if "alerts" in what:
        paths += sources.fetch_alerts(into)
    if "weather" in what:
        last = end or (pd.Timestamp.today().normalize() - pd.Timedelta(days=1)).date()
        paths.append(sources.fetch_weather(start, last, into))
    return paths
