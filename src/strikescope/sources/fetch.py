"""Downloads that either arrive whole or not at all.

A download is streamed into a temporary file beside its target and checked before it may
replace anything: the byte count against the server's `Content-Length` (a cut connection),
the zip central directory and every member's CRC-32 (a corrupt archive), an optional
SHA-256 pinned in the configuration, and for CSV files a header with the columns the
readers need, a final newline and a plausible number of rows (a truncated file).
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import httpx

from strikescope.errors import FetchError
from strikescope.sources.archives import extract_csvs  # noqa: F401 - the updaters' name for it

# A new copy may be this much smaller than the copy it replaces (a source may drop a few
# duplicate rows), no more: a bigger drop is a truncated or wrong file.
MIN_ROW_RATIO = 0.9


# The whole of one update, downloads and all: a server that sends a byte now and then
# (each read within the client's timeout) must not hold it for ever.
DEFAULT_DEADLINE_S = 30 * 60.0

_deadline: ContextVar[float | None] = ContextVar("fetch_deadline", default=None)




@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Every download in the block ends by `seconds` from now (None: no deadline)."""
    token = _deadline.set(None if seconds is None else time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def check_deadline(url) -> None:
    end = _deadline.get()
    if end is not None and time.monotonic() > end:
        raise FetchError(f"{url}: the update ran past its deadline (a slow or stalled "
                         "server); nothing was changed, try again later")


class _DeadlineStream(httpx.SyncByteStream):
    def __init__(self, stream, url):
        self.stream, self.url = stream, url

    def __iter__(self):
        for chunk in self.stream:
            check_deadline(self.url)
            yield chunk

    def close(self) -> None:
        self.stream.close()


class DeadlineTransport(httpx.BaseTransport):
    """Checks the deadline of `deadline()` before each request and at each chunk read."""

    def __init__(self, inner: httpx.BaseTransport):
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        check_deadline(request.url)
        response = self.inner.handle_request(request)
        response.stream = _DeadlineStream(response.stream, request.url)
        return response

    def close(self) -> None:
        self.inner.close()


def client(timeout: float = 60.0) -> httpx.Client:
    return httpx.Client(timeout=timeout, follow_redirects=True,
                        transport=DeadlineTransport(httpx.HTTPTransport()))


def clean_leftovers(folder: Path) -> list[Path]:
    """Staging folders (`.update-PID`) and partial downloads (`*.part`) that a killed update
    left in `folder`; returns them. Call it with no update running there (the update's
    lock held)."""
    gone: list[Path] = []
    if not folder.is_dir():
        return gone
    for path in folder.iterdir():
        staging = path.name.startswith(".update-") and path.name[8:].isdigit()
        if staging and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.suffix == ".part" and path.is_file():
            path.unlink(missing_ok=True)
        else:
            continue
        gone.append(path)
    return gone


def download(url: str, target: Path, http: httpx.Client, *, auth=None, headers=None,
             sha256: str | None = None) -> Path:
    """Stream `url` into `target` (replaced only by a complete, checked download)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, suffix=".part")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            _stream(url, fh, http, auth, headers)
        if sha256:
            _check_sha256(url, tmp, sha256)
        os.replace(tmp, target)
        return target
    except httpx.HTTPStatusError as exc:
        raise FetchError(f"could not download {url}: HTTP {exc.response.status_code}"
                         f"{_hint(exc.response.status_code)}") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"could not download {url}: {exc or type(exc).__name__} "
                         "(no network?)") from None
    except httpx.InvalidURL as exc:
        raise FetchError(f"could not download {url!r}: not a valid URL ({exc})") from None
    finally:
        tmp.unlink(missing_ok=True)


def _stream(url, fh, http: httpx.Client, auth, headers) -> None:
    # Raw bytes are counted against Content-Length, so ask for them uncompressed.
    headers = {"Accept-Encoding": "identity", **(headers or {})}
    with http.stream("GET", url, auth=auth, headers=headers) as response:
        response.raise_for_status()
        for chunk in response.iter_raw():
            check_deadline(url)
            fh.write(chunk)
        expected = response.headers.get("content-length")
        got = response.num_bytes_downloaded
        if expected is not None and int(expected) != got:
            raise FetchError(f"{url}: truncated download, {got:,} of {int(expected):,} bytes; "
                             "nothing was changed, try again")
        if response.headers.get("content-encoding", "identity") not in ("identity", ""):
            raise FetchError(f"{url}: unexpected content encoding "
                             f"{response.headers['content-encoding']!r}")


def _hint(status: int) -> str:
    if status in (401, 403):
        return " (credentials missing, wrong, or without access to this data set)"
    if status == 404:
        return " (wrong URL? check the source's url setting)"
    return ""


def _check_sha256(url: str, path: Path, expected: str) -> None:
    with open(path, "rb") as fh:
        got = hashlib.file_digest(fh, "sha256").hexdigest()
    if got.lower() != expected.lower():
        raise FetchError(f"{url}: checksum mismatch (SHA-256 {got}, expected {expected}); "
                         "nothing was changed")


def csv_rows(path: Path) -> int:
    """Records after the header, as the csv module splits them; a file it cannot split (a
    field over its 128 KiB limit, a NUL byte) is a FetchError naming the line."""
    with open(path, newline="", encoding="utf-8", errors="replace") as fh:
        reader = csv.reader(fh)
        try:
            return max(sum(1 for _ in reader) - 1, 0)
        except csv.Error as exc:
            raise FetchError(f"{path.name}: line {reader.line_num}: not readable as CSV "
                             f"({exc}); nothing was changed") from None


def check_csv(path: Path, required: Iterable[str], previous_rows: int | None = None,
              label: str | None = None) -> int:
    """Header, final newline and row count of a downloaded CSV; its row count if sane."""
    label = label or path.name
    with open(path, "rb") as fh:
        head = fh.readline().decode("utf-8-sig", errors="replace")
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        fh.seek(max(size - 1, 0))
        last = fh.read(1)
    try:
        columns = {c.strip().lower() for c in next(csv.reader([head]), [])}
    except csv.Error as exc:
        raise FetchError(f"{label}: line 1: the header is not readable as CSV ({exc}); "
                         "nothing was changed") from None
    missing = sorted({c.lower() for c in required} - columns)
    if missing:
        raise FetchError(f"{label}: not the expected file, column(s) {', '.join(missing)} "
                         "missing from its header; nothing was changed")
    if last not in (b"\n", b""):
        raise FetchError(f"{label}: the last line is cut off (no final newline): the "
                         "download looks truncated; nothing was changed")
    rows = csv_rows(path)
    if previous_rows and rows < MIN_ROW_RATIO * previous_rows:
        raise FetchError(f"{label}: {rows:,} rows where the copy in use has "
                         f"{previous_rows:,}: the download looks truncated; nothing was "
                         "changed")
    return rows
