"""`strikescope update` and `strikescope fetch`: fresh copies of the public data sets."""

from __future__ import annotations

from pathlib import Path

import typer

from strikescope import refresh as updating
from strikescope.cli.app import app
from strikescope.cli.output import DbOption, console, fail, progress_bar
from strikescope.errors import StrikescopeError
from strikescope.sources.fetch import DEFAULT_DEADLINE_S

SourcesArg = typer.Argument(None, help="Sources to fetch (default: attacks alerts weather).")
DirOption = typer.Option(None, "--dir", help="Data directory (default: user data dir).")
UrlOption = typer.Option(None, "--url", help="NAME=URL: fetch a source from another URL "
                         "(also STRIKESCOPE_<NAME>_URL or [sources.NAME] url in the config).")
UntilOption = typer.Option(None, "--to", help="Weather: last night (default: yesterday).")
DeadlineOption = typer.Option(DEFAULT_DEADLINE_S, "--deadline", min=1.0,
                              help="Seconds all the downloads may take together.")


@app.command()
def update(what: list[str] = SourcesArg, into: Path = DirOption, urls: list[str] = UrlOption,
           until: str = UntilOption, db: Path = DbOption,
           deadline: float = DeadlineOption) -> None:
    """Fetch the latest attack data, alerts and weather, check them, ingest: all or nothing."""
    _run(what, into, urls, until, db, ingest=True, deadline=deadline)


@app.command()
def fetch(what: list[str] = SourcesArg, into: Path = DirOption, urls: list[str] = UrlOption,
          until: str = UntilOption, ingest: bool = typer.Option(
              False, "--ingest", help="Ingest the attack files fetched (as `update`)."),
          db: Path = DbOption, deadline: float = DeadlineOption) -> None:
    """Download and check fresh data without touching the store (unless --ingest)."""
    _run(what, into, urls, until, db, ingest=ingest, deadline=deadline)


def _run(what, into, urls, until, db, ingest: bool, deadline: float) -> None:
    try:
        with progress_bar("updating") as progress:
            result = updating.update(what or None, into, db, until, _urls(urls), ingest,
                                     progress=progress, deadline_s=deadline)
    except StrikescopeError as exc:
        raise fail(f"{exc}\nNothing was changed.") from None
    console.print(result.summary())
    if not ingest and any(f.source == "attacks" and f.files for f in result.fetched):
        console.print(f"next: strikescope ingest {result.data_dir / 'attacks'}")


def _urls(pairs: list[str] | None) -> dict[str, str]:
    out = {}
    for pair in pairs or ():
        name, sep, url = pair.partition("=")
        if not sep or not url:
            raise fail(f"--url {pair!r}: write NAME=URL, e.g. attacks=https://...")
        out[name] = url
    return out
