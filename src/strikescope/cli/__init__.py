"""Command-line interface: thin commands over the Python API."""

from strikescope.cli import campaign, core, events  # noqa: F401  (register their commands)
from strikescope.cli.app import app


def main() -> None:
    app()
