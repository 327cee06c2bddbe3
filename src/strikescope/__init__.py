"""strikescope: the Air Force reports of Russian missile and drone attacks on Ukraine as
evidence. The functions below are the API that the CLI and the web dashboard call."""

from strikescope import (  # callable modules: strikescope.nights(...)
    doctor,
    nights,
    study,
)
from strikescope.api import (
    connect,
    export,
    ingest,
    night,
    quarantine,
    releases,
    table,
    warnings,
    weapons,
    write_frame,
)
from strikescope.sources.statement import parse_report
from strikescope.taxonomy import classify

__version__ = "0.1.0"


def __getattr__(name: str):
    # `strikescope.update` (also a callable module) loads the HTTP client: only on first use.
    if name == "update":
        import importlib

        return importlib.import_module("strikescope.update")
    raise AttributeError(f"module 'strikescope' has no attribute {name!r}")


__all__ = [
    "classify",
    "connect",
    "doctor",
    "export",
    "ingest",
    "night",
    "nights",
    "parse_report",
    "quarantine",
    "releases",
    "study",
    "table",
    "update",
    "warnings",
    "weapons",
    "write_frame",
]
