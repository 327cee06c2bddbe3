"""Work for the check worker processes in tests: importable without the product (spawned
workers import it to run it)."""

from __future__ import annotations

import time


def busy_check(text, published=None, db=None):
    """A check that keeps a CPU busy for `text` seconds, then finds nothing to check."""
    deadline = time.monotonic() + float(text)
    while time.monotonic() < deadline:
        sum(range(1000))
    raise ValueError("no figures")
