"""The errors a user can cause or fix, by name.

Every one is a `StrikescopeError`. The presenters catch these and nothing else: the CLI
prints the message on one line (exit code 1), the web answers with the status of its class
(see `strikescope.web.errors`). Any other exception is a bug: the CLI shows its traceback, the
web logs it and answers 500.

The second base of each class (ValueError, LookupError, FileNotFoundError...) keeps the
callers that caught the built-in exception before the names existed working.

This module is the bottom layer: it imports nothing from strikescope.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

# (file, row, field, message); rows numbered as in a spreadsheet (the header is row 1)
Problem = tuple[str, int, str, str]

class StrikescopeError(Exception):
    """An error the user can act on; its message says what is wrong and where."""


# --- arguments and input files ------------------------------------------------------------


class InputError(StrikescopeError, ValueError):
    """A bad argument or input value: an unknown class, policy, table, model or format, a
    malformed date, an option out of range, or a question the data are too thin to answer
    (too little history, no event with a full window)."""


class UnreadableFileError(InputError):
    """A file that cannot be read as a release at all (empty, not UTF-8 text, no header, a
    column named twice, a CSV record the reader cannot split): rejected whole, nothing is
    stored."""

    def __init__(self, path: str | Path, problem: str):
        self.path, self.problem = str(path), problem
        super().__init__(f"{path}: {problem}")


class MissingColumnError(InputError):
    """A release lacks a column that every release must have."""

    def __init__(self, path: str | Path, column: str, found: list[str]):
        self.path, self.column = str(path), column
        super().__init__(
            f"{path}: required column '{column}' is missing (columns found: {', '.join(found)})"
        )


def format_problem(problem: Problem) -> str:
    file, row, field, message = problem
    return f"{file} row {row}, field '{field}': {message}"


class EventValidationError(InputError):
    """Every problem found in one or more event files.

    `.errors` is a list of (file, row, field, message); rows are numbered as in a
    spreadsheet (the header is row 1, the first event is row 2).
    """

    def __init__(self, errors: Sequence[Problem]):
        self.errors = list(errors)
        super().__init__("\n".join(format_problem(p) for p in self.errors))


class LiteralError(InputError):
    """A text cell of a report that is no safe Python literal (dict or list)."""


class NightCoveredError(InputError):
    """The store already has rows of other sources for the statement's night."""


# --- things asked for that do not exist ---------------------------------------------------


class NotFoundError(StrikescopeError, LookupError):
    """No such night, event, report row or release."""


class NoSuchFileError(NotFoundError, FileNotFoundError):
    """An input file or directory named by the user that does not exist."""


# --- the store ------------------------------------------------------------------------------


class StoreError(StrikescopeError):
    """The store cannot be read or written now; nothing the request could change."""


class StoreMissingError(StoreError, FileNotFoundError):
    """No store at the path yet: `strikescope ingest` makes one."""


class StoreLayoutError(StoreError):
    """A store this version cannot read: written by a newer version, or of an older layout
    that cannot be upgraded here."""


class StoreBusyError(StoreError):
    """Another process holds the write lock for longer than we are willing to wait."""


# --- setup: input data, downloads, optional packages --------------------------------------


class DataDirError(StrikescopeError, FileNotFoundError):
    """No input data could be found: no path given, none configured, nothing fetched."""


class FetchError(StrikescopeError, RuntimeError):
    """A download failed, is broken, or cannot be attempted; the message says what to do."""


class MissingExtraError(StrikescopeError, ImportError):
    """A package of an optional extra is not installed; the message names the extra that
    installs it (`strikescope.extras` knows which)."""

    def __init__(self, extra: str, packages: list[str], what: str = "this") -> None:
        self.extra = extra
        self.packages = packages
        self.what = what
        super().__init__(f"{what} needs the optional package{'s' if len(packages) > 1 else ''} "
                         f"{', '.join(packages)}: pip install 'strikescope[{extra}]'",
                         name=packages[0] if packages else None)

    def __reduce__(self):  # rebuilt from its arguments in another process (the web's pools)
        return type(self), (self.extra, self.packages, self.what)
