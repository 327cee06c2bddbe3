"""The optional parts of strikescope and the packages each one needs.

The base install ingests and queries; studies, forecasts, charts, the dashboard, the brief
and the checker need the extras of pyproject.toml's `[project.optional-dependencies]`
(tests/test_extras.py keeps the two lists in step). A command whose extra is missing stops
with `MissingExtra`, which names the extra to install, instead of an ImportError deep in a
library.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager

from strikescope.errors import MissingExtraError

# extra -> the import names of the packages it installs
EXTRAS: dict[str, tuple[str, ...]] = {
    "analysis": ("scipy", "statsmodels", "scoringrules"),
    "charts": ("matplotlib", "plotly"),
    "parquet": ("pyarrow",),
    "fetch": ("httpx",),
    "check": ("jinja2", "dateparser", "matplotlib", "plotly"),
    "web": ("fastapi", "uvicorn", "jinja2", "fastapi_offline", "httpx", "matplotlib", "plotly"),
    "ml": ("sklearn",),
}
# Packages src imports that come with a listed package rather than being listed themselves.
INSTALLED_WITH = {"patsy": "statsmodels", "starlette": "fastapi", "pydantic": "typer",
                  "markupsafe": "jinja2", "threadpoolctl": "sklearn", "markdown_it": "rich"}


# The error moved to strikescope.errors with the others; importable here as before.
MissingExtra = MissingExtraError


def install_hint(extra: str) -> str:
    return f"'strikescope[{extra}]'"


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a finder that refuses it, a broken half-install
        return False


def missing(extra: str) -> list[str]:
    """The packages of `extra` that cannot be imported here."""
    return [m for m in EXTRAS[extra] if not _installed(m)]


def require(extra: str, what: str = "this") -> None:
    """MissingExtra if any package of `extra` is missing; `what` names the feature."""
    absent = missing(extra)
    if absent:
        raise MissingExtra(extra, absent, what)


def extra_of(exc: ImportError) -> str | None:
    """The extra that installs the module an ImportError could not find (the smallest
    extra when several hold it), or None for a module no extra provides."""
    if isinstance(exc, MissingExtra):
        return exc.extra
    top = (exc.name or "").split(".")[0]
    top = INSTALLED_WITH.get(top, top)
    holders = [extra for extra, modules in EXTRAS.items() if top in modules]
    return min(holders, key=lambda extra: len(EXTRAS[extra]), default=None)


def as_missing_extra(exc: ImportError, what: str = "this") -> MissingExtra | None:
    """`exc` as a MissingExtra that names the extra to install, or None if it is not about
    an extra's package (a bug to show in full)."""
    if isinstance(exc, MissingExtra):
        return exc
    if not isinstance(exc, ModuleNotFoundError):  # installed but broken: show it in full
        return None
    extra = extra_of(exc)
    if extra is None or exc.name is None:
        return None
    return MissingExtra(extra, [exc.name.split(".")[0]], what)


@contextmanager
def optional(what: str = "this") -> Iterator[None]:
    """Imports in the block that fail for an extra's package not installed raise
    MissingExtra naming `what` and the extra; any other import error (a strikescope module
    that fails to import) stays the bug it is."""
    try:
        yield
    except ModuleNotFoundError as exc:
        missing = as_missing_extra(exc, what)
        if missing is None:
            raise
        raise missing from exc
