"""Command-line interface: thin commands over the Python API.

The command modules load on demand (see `strikescope.cli.app.LazyGroup`)."""

from strikescope.cli.app import app


def main() -> None:
    app()
