"""strikescope: the Air Force reports of Russian missile and drone attacks on Ukraine as
evidence. The functions below are the API that the CLI and the web dashboard call.

They load on first use (PEP 562), so that `import strikescope.cli` or `strikescope
--version` does not pay for pandas and DuckDB."""

from importlib import import_module

__version__ = "0.1.0"

# name -> the module that defines it
_LAZY = {
    "Store": "strikescope.store", "open": "strikescope.api", "reading": "strikescope.api",
    "connect": "strikescope.api", "export": "strikescope.api", "ingest": "strikescope.api",
    "night": "strikescope.api", "nights": "strikescope.api", "quarantine": "strikescope.api",
    "migrate": "strikescope.api", "build": "strikescope.api",
    "study": "strikescope.analysis.study", "doctor": "strikescope.analysis.doctor",
    "update": "strikescope.refresh",
    "releases": "strikescope.api", "table": "strikescope.api",
    "warnings": "strikescope.api", "weapons": "strikescope.api",
    "write_frame": "strikescope.api",
    "classify": "strikescope.taxonomy",
    "parse_report": "strikescope.sources.statement",
}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'strikescope' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "Store",
    "build",
    "classify",
    "connect",
    "doctor",
    "export",
    "ingest",
    "migrate",
    "night",
    "nights",
    "open",
    "parse_report",
    "quarantine",
    "reading",
    "releases",
    "study",
    "table",
    "update",
    "warnings",
    "weapons",
    "write_frame",
]
