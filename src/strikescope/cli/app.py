"""The Typer application object that every command module registers on."""

import typer

app = typer.Typer(
    name="strikescope",
    help="Air Force strike reports as evidence: ingest, nights, studies, forecasts, briefs.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
