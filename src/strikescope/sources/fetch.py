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
import tempfile
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

import httpx

# A new copy may be this much smaller than the copy it replaces (a source may drop a few
# duplicate rows), no more: a bigger drop is a truncated or wrong file.
MIN_ROW_RATIO = 0.9


class FetchError(RuntimeError):
    """A download failed, is broken, or cannot be attempted; the message says what to do."""


def client(timeout: float = 60.0) -> httpx.Client:
    return httpx.Client(timeout=timeout, follow_redirects=True)


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
    finally:
        tmp.unlink(missing_ok=True)


def _stream(url, fh, http: httpx.Client, auth, headers) -> None:
    # Raw bytes are counted against Content-Length, so ask for them uncompressed.
    headers = {"Accept-Encoding": "identity", **(headers or {})}
    with http.stream("GET", url, auth=auth, headers=headers) as response:
        response.raise_for_status()
        for chunk in response.iter_raw():
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


def extract_csvs(archive: Path, into: Path) -> list[Path]:
    """Every CSV member of a zip, after checking the archive and each member's CRC-32."""
    try:
        with zipfile.ZipFile(archive) as zf:
            bad = zf.testzip()
            if bad is not None:
                raise FetchError(f"{archive.name}: member {bad} is corrupt (CRC mismatch)")
            return [_extract(zf, info, into) for info in zf.infolist()
                    if info.filename.lower().endswith(".csv") and not info.is_dir()]
    except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError) as exc:
        raise FetchError(f"{archive.name}: not a readable zip archive ({exc}); the download "
                         "is corrupt or truncated, nothing was changed") from None


def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, into: Path) -> Path:
    # Member names come from the network: keep them inside `into`.
    parts = [p for p in PurePosixPath(info.filename.replace("\\", "/")).parts
             if p not in ("", ".", "..", "/")]
    target = into.joinpath(*parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    with zf.open(info) as src, open(target, "wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
    return target


def csv_rows(path: Path) -> int:
    """Records after the header, as the csv module splits them."""
    with open(path, newline="", encoding="utf-8", errors="replace") as fh:
        return max(sum(1 for _ in csv.reader(fh)) - 1, 0)


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
    columns = {c.strip().lower() for c in next(csv.reader([head]), [])}
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
