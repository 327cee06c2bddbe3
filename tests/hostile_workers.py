"""Work for the check worker processes in tests: importable without the product (spawned
workers import it to run it); only its small, dependency-free errors module."""

from __future__ import annotations

import time

from strikescope.errors import InputError


def busy_check(text, published=None, db=None):
    """A check that keeps a CPU busy for `text` seconds, then finds nothing to check."""
    deadline = time.monotonic() + float(text)
    while time.monotonic() < deadline:
        sum(range(1000))
    raise InputError("no figures")  # named: a 422, where a bare ValueError is a bug (500)
