"""The HTTP status of each named error (`strikescope.errors`), for the API and the pages.

Any exception not named here is a bug: `web.app` logs it with its traceback and answers
500 without one."""

from __future__ import annotations

from strikescope.errors import (
    DataDirError,
    FetchError,
    InputError,
    MissingExtraError,
    NotFoundError,
    StoreBusyError,
    StoreError,
    StoreLayoutError,
    StoreMissingError,
    StrikescopeError,
)

# first match wins; a StrikescopeError of no class here is the user's to fix: 400
STATUS = (
    (InputError, 422),
    (NotFoundError, 404),
    (StoreError, 503),
    (DataDirError, 503),
    (MissingExtraError, 501),
    (FetchError, 502),
)

# Said instead of the error's own message, which names a server path (nobody's business on
# the web).
UNAVAILABLE = {
    StoreBusyError: "Another process is writing the store (an ingest or an upgrade): "
                    "try again in a minute.",
    StoreLayoutError: "The store was written by another version of strikescope: ingest "
                      "again with this version, or run the version that wrote it.",
    StoreMissingError: "The store holds no nights yet: run strikescope ingest.",
    DataDirError: "No input data are configured on this server.",
}

TITLES = {422: "Not understood", 404: "Not found", 503: "Store unavailable",
          501: "Not installed", 502: "Download failed", 400: "Not possible"}


def status_of(exc: StrikescopeError) -> int:
    return next((status for cls, status in STATUS if isinstance(exc, cls)), 400)


def message_of(exc: StrikescopeError) -> str:
    return next((text for cls, text in UNAVAILABLE.items() if isinstance(exc, cls)),
                str(exc))
