"""Compressed inputs: a zip archive (as the data set downloads from Kaggle) or a gzip file
given to `ingest` is read through its CSV members, unpacked to a temporary folder for the
length of the ingest. Each member is named as `archive/member` (a gzip file by its own
name), so that reports, quarantine rows and citations name the file the user gave."""

from __future__ import annotations

import gzip
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from strikescope.errors import FetchError, StrikescopeError, UnreadableFileError
from strikescope.sources.fetch import MAX_UNPACKED_BYTES, extract_csvs

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a member first, or an empty archive
GZIP_MAGIC = b"\x1f\x8b"


def archive_kind(path: Path) -> str | None:
    """'zip' or 'gzip' by the file's first bytes (not its name), else None."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError:
        return None
    if head in ZIP_MAGIC:
        return "zip"
    return "gzip" if head.startswith(GZIP_MAGIC) else None


@contextmanager
def unpacked(files: list[Path]) -> Iterator[list[tuple[Path, Path]]]:
    """(path to read, path to name) for each of `files`: a plain file is both; an archive
    gives one pair per CSV member, read from a temporary folder removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="strikescope-unpacked-") as tmp:
        pairs: list[tuple[Path, Path]] = []
        for i, path in enumerate(files):
            kind = archive_kind(path)
            if kind is None:
                pairs.append((path, path))
                continue
            into = Path(tmp) / str(i)
            into.mkdir()
            pairs.extend(_zip_members(path, into) if kind == "zip"
                         else [(_gunzip(path, into), path)])
        yield pairs


@contextmanager
def named_as(pairs: list[tuple[Path, Path]]) -> Iterator[None]:
    """An error raised in the block names an archive's member, not its temporary copy."""
    try:
        yield
    except StrikescopeError as exc:
        text = str(exc)
        for path, shown in pairs:
            text = text.replace(str(path), str(shown))
        if exc.args and text != str(exc):
            exc.args = (text, *exc.args[1:])
            if isinstance(exc, UnreadableFileError):
                exc.path = next((str(s) for p, s in pairs if str(p) == exc.path), exc.path)
        raise


def _zip_members(archive: Path, into: Path) -> list[tuple[Path, Path]]:
    try:
        members = extract_csvs(archive, into)
    except FetchError as exc:  # its wording is a download's
        raise UnreadableFileError(archive, str(exc).split(": ", 1)[-1].split(";")[0]) from None
    return [(m, archive / m.relative_to(into)) for m in members]


def _gunzip(path: Path, into: Path) -> Path:
    name = path.name[:-3] if path.name.lower().endswith(".gz") else f"{path.name}.csv"
    target = into / name
    try:
        with gzip.open(path, "rb") as src, open(target, "wb") as dst:
            left = MAX_UNPACKED_BYTES
            while chunk := src.read(1 << 20):
                left -= len(chunk)
                if left < 0:
                    raise UnreadableFileError(
                        path, f"unpacks to more than {MAX_UNPACKED_BYTES:,} bytes")
                dst.write(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        raise UnreadableFileError(path, f"not a readable gzip file ({exc}); it may be "
                                        "truncated") from None
    shutil.copystat(path, target)
    return target
