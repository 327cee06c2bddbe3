"""Command-line interface: thin commands over the Python API."""

from strikescope.cli import (  # noqa: F401  (register their commands)
    brief,
    campaign,
    core,
    doctor,
    events,
    fetch,
    forecast,
    statement,
    study,
    web,
)
from strikescope.cli.app import app


def main() -> None:
    app()
