"""strikescope: the Air Force reports of Russian missile and drone attacks on Ukraine as
evidence. The functions below are the API that the CLI and the web dashboard call.

They load on first use (PEP 562), so that `import strikescope.cli` or `strikescope
--version` does not pay for pandas and DuckDB."""

from importlib import import_module

__version__ = "0.1.0"

# name -> the module that defines it; the callable modules (`strikescope.nights(...)`) are
# the modules themselves.
_LAZY = {
    "connect": "strikescope.api", "export": "strikescope.api", "ingest": "strikescope.api",
    "night": "strikescope.api", "quarantine": "strikescope.api",
    "releases": "strikescope.api", "table": "strikescope.api",
    "warnings": "strikescope.api", "weapons": "strikescope.api",
    "write_frame": "strikescope.api",
    "classify": "strikescope.taxonomy",
    "parse_report": "strikescope.sources.statement",
}
_MODULES = ("doctor", "nights", "study", "update")


def __getattr__(name: str):
    if name in _MODULES:
        return import_module(f"strikescope.{name}")
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'strikescope' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


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
