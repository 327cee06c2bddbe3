"""The Typer application object that every command module registers on."""

import typer

app = typer.Typer(
    name="strikescope",
    help="Air Force strike reports as evidence: ingest, nights, studies, forecasts, briefs.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        from strikescope import __version__

        typer.echo(f"strikescope {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    raw: bool = typer.Option(
        False, "--raw", help="Write CSV cells exactly as stored: no apostrophe before a "
        "cell a spreadsheet would run as a formula (=, +, -, @, tab, CR)."),
) -> None:
    """Air Force strike reports as evidence: ingest, nights, studies, forecasts, briefs."""
    from strikescope import csvsafe

    csvsafe.set_raw_default(raw)
