"""Command-line interface: thin commands over the Python API.

The command modules load on demand (see `strikescope.cli.app.LazyGroup`)."""

import sys

from strikescope.cli.app import app
from strikescope.extras import as_missing_extra


def main() -> None:
    try:
        app()
    except ImportError as exc:
        # a package of an optional extra: one line naming the extra to install
        missing = as_missing_extra(exc, "this command")
        if missing is None:
            raise
        sys.stderr.write(f"error: {missing}\n")
        raise SystemExit(1) from None
