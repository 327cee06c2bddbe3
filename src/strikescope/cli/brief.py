"""Brief and claim-check commands: a news brief from the data, the claims of an article."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from strikescope.cli.app import app
from strikescope.cli.output import (
    DbOption,
    console,
    err_console,
    fail,
    iso_date,
    print_table,
)
from strikescope.errors import StrikescopeError


@app.command()
def brief(
    night: str = typer.Option(None, "--night", help="The night, by the date it ended.",
                              callback=iso_date),
    week: str = typer.Option(None, "--week", help="An ISO week, e.g. 2025-W27."),
    event: str = typer.Option(None, "--event", help="A diplomatic event id."),
    out: Path = typer.Option(Path("briefs"), "--out", "-o", help="Output directory."),
    published: str = typer.Option(None, "--published", help="Publication date (default today).",
                                  callback=iso_date),
    db: Path = DbOption,
) -> None:
    """Write a news brief (Markdown and self-contained HTML) for a night, week or event."""
    from strikescope.brief import brief as make_brief

    try:
        result = make_brief(night=night, week=week, event=event, db=db, published=published)
    except StrikescopeError as exc:
        raise fail(str(exc)) from None
    console.print(result.summary())
    for path in result.write(out):
        err_console.print(f"wrote {path}")


@app.command()
def check(
    article: Path = typer.Argument(..., exists=True, dir_okay=False, help="Article (Markdown)."),
    published: str = typer.Option(None, "--published", help="Publication date, if the "
                                  "article has no Published: line."),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json."),
    html: Path = typer.Option(None, "--html", help="Write an annotated HTML copy here."),
    db: Path = DbOption,
) -> None:
    """Label each checkable claim of an article supported, contradicted or unverifiable."""
    from strikescope.check import check as run_check

    if fmt not in ("table", "json"):
        raise fail(f"unknown format {fmt!r}; use table or json")
    result = run_check(article.read_text(encoding="utf-8"), published=published, db=db)
    if fmt == "json":
        sys.stdout.write(result.to_json() + "\n")
    else:
        print_table(result.claims[["claim_id", "type", "text", "label", "evidence"]],
                    title="Claims")
        console.print(result.summary())
    if html:
        html.write_text(result.html, encoding="utf-8")
        err_console.print(f"wrote {html}")
