"""Analyses whose modules need packages that may not be installed.

They are imported when first used, so that the dashboard starts without them; a page or
route that needs a missing package answers 501 naming it (`MissingExtraError`).
"""

from __future__ import annotations

import importlib

from strikescope.errors import MissingExtraError
from strikescope.extras import optional

# The name this module gave the error before it had one for the whole package.
Unavailable = MissingExtraError


def feature(module: str, name: str):
    """`strikescope.<module>.<name>`, or MissingExtraError when a package it imports is not
    installed. A strikescope module that fails to import, or lacks `name`, is a bug: its
    error propagates."""
    with optional(f"{module}.{name}"):
        found = importlib.import_module(f"strikescope.{module}")
    return getattr(found, name)


def available(module: str, name: str) -> bool:
    try:
        feature(module, name)
    except MissingExtraError:
        return False
    return True
