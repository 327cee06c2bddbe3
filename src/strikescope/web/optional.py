"""Analyses that live in modules which may not be installed in this version.

They are imported when first used, so the dashboard runs without them and picks them up
as soon as they exist; one whose extra is not installed (`strikescope[analysis]`) is
unavailable with the line that installs it.
"""

from __future__ import annotations

import importlib

from strikescope.extras import as_missing_extra


class Unavailable(RuntimeError):
    """The analysis behind a page or route is not part of this version."""


def feature(module: str, name: str):
    """`strikescope.<module>.<name>`, or Unavailable with a message for the reader."""
    try:
        return getattr(importlib.import_module(f"strikescope.{module}"), name)
    except ImportError as exc:
        # a package of an extra not installed here: say which extra brings it
        missing = as_missing_extra(exc, f"{module}.{name}")
        if missing is not None:
            raise Unavailable(str(missing)) from None
        raise Unavailable(f"{module}.{name} is not available in this version of "
                          "strikescope") from None
    except AttributeError:
        raise Unavailable(f"{module}.{name} is not available in this version of "
                          "strikescope") from None


def available(module: str, name: str) -> bool:
    try:
        feature(module, name)
    except Unavailable:
        return False
    return True
