"""Analyses that live in modules which may not be installed in this version.

They are imported when first used, so the dashboard runs without them and picks them up
as soon as they exist.
"""

from __future__ import annotations

import importlib


class Unavailable(RuntimeError):
    """The analysis behind a page or route is not part of this version."""


def feature(module: str, name: str):
    """`strikescope.<module>.<name>`, or Unavailable with a message for the reader."""
    try:
        return getattr(importlib.import_module(f"strikescope.{module}"), name)
    except (ImportError, AttributeError):
        raise Unavailable(f"{module}.{name} is not available in this version of "
                          "strikescope") from None


def available(module: str, name: str) -> bool:
    try:
        feature(module, name)
    except Unavailable:
        return False
    return True
