"""Counts in words, the same in the CLI, the web, the briefs and the checker."""

from __future__ import annotations


def fmt(n) -> str:
    """A whole number with thousands separators: `1,200`."""
    return f"{int(n):,}"


def plural(count, singular: str, many: str | None = None) -> str:
    """`1 day`, `2 days`, `1,200 drones`: a count with its noun in the right number."""
    word = singular if int(count) == 1 else (many or singular + "s")
    return f"{fmt(count)} {word}"
