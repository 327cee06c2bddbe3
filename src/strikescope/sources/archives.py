"""Compressed inputs: a zip archive (as the data set downloads from Kaggle) or a gzip file
given to `ingest` is read through its CSV members, unpacked to a temporary folder for the
length of the ingest. Each member is named as `archive/member` (a gzip file by its own
name), so that reports, quarantine rows and citations name the file the user gave."""

from __future__ import annotations

import gzip
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from strikescope.errors import FetchError, StrikescopeError, UnreadableFileError

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a member first, or an empty archive
GZIP_MAGIC = b"\x1f\x8b"

# What an archive may unpack to: the real release is about 1 MB in 2 CSV files. A zip whose
# members claim more, or are more than this many, is refused before anything is unpacked
# (a 4 MB zip held a 4 GiB member).
MAX_MEMBERS = 1000
MAX_UNPACKED_BYTES = 1 << 30


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
        members = _unpack_zip(archive, into)
    except ArchiveProblem as exc:
        raise UnreadableFileError(archive, exc.problem) from None
    return [(m, archive / m.relative_to(into)) for m in members]


def _gunzip(path: Path, into: Path) -> Path:
    name = path.name[:-3] if path.name.lower().endswith(".gz") else f"{path.name}.csv"
    target = into / name
    try:
        with gzip.open(path, "rb") as src, open(target, "wb") as dst:
            _copy_capped(src, dst, [MAX_UNPACKED_BYTES], path.name)
    except ArchiveProblem as exc:
        raise UnreadableFileError(path, exc.problem) from None
    except (OSError, EOFError, zlib.error) as exc:
        raise UnreadableFileError(path, f"not a readable gzip file ({exc}); it may be "
                                        "truncated") from None
    shutil.copystat(path, target)
    return target


class ArchiveProblem(Exception):
    """An archive that may not be unpacked: `problem` says why, `name` names the archive or
    member, `after` what a download adds ("nothing was changed")."""

    def __init__(self, name: str, problem: str, after: str):
        super().__init__(f"{name}: {problem}; {after}")
        self.name, self.problem, self.after = name, problem, after


def extract_csvs(archive: Path, into: Path) -> list[Path]:
    """Every CSV member of a downloaded zip, after checking the archive and each member's
    CRC-32; a FetchError says what is wrong with the download."""
    try:
        return _unpack_zip(archive, into)
    except ArchiveProblem as exc:
        raise FetchError(str(exc)) from None


def _unpack_zip(archive: Path, into: Path) -> list[Path]:
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [i for i in zf.infolist()
                       if i.filename.lower().endswith(".csv") and not i.is_dir()]
            _check_sizes(archive, zf.infolist(), members)
            # Each member's CRC-32 is checked as it is read to its end (zipfile raises
            # BadZipFile on a mismatch); the other members are not unpacked at all.
            budget = [MAX_UNPACKED_BYTES]
            return [_extract(zf, info, into, budget) for info in members]
    except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError) as exc:
        raise ArchiveProblem(archive.name, f"not a readable zip archive ({exc})",
                             "the download is corrupt or truncated, nothing was changed"
                             ) from None


def _check_sizes(archive: Path, infos: list, members: list) -> None:
    if len(infos) > MAX_MEMBERS:
        raise ArchiveProblem(archive.name, f"{len(infos):,} members, more than the "
                             f"{MAX_MEMBERS:,} a data set archive may have",
                             "nothing was unpacked")
    claimed = sum(i.file_size for i in members)
    if claimed > MAX_UNPACKED_BYTES:
        raise ArchiveProblem(archive.name, f"its CSV files would unpack to {claimed:,} "
                             f"bytes, more than {MAX_UNPACKED_BYTES:,}", "nothing was unpacked")


def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, into: Path,
             budget: list[int]) -> Path:
    # Member names come from the network: keep them inside `into`.
    parts = [p for p in PurePosixPath(info.filename.replace("\\", "/")).parts
             if p not in ("", ".", "..", "/")]
    target = into.joinpath(*parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    with zf.open(info) as src, open(target, "wb") as dst:
        _copy_capped(src, dst, budget, info.filename)
    return target


def _copy_capped(src, dst, budget: list[int], name: str) -> None:
    """Copy `src` to `dst` while `budget[0]` bytes last: the sizes an archive claims can
    lie, the bytes cannot."""
    while chunk := src.read(1 << 20):
        budget[0] -= len(chunk)
        if budget[0] < 0:
            raise ArchiveProblem(name, f"unpacks to more than {MAX_UNPACKED_BYTES:,} bytes",
                                 "nothing was changed")
        dst.write(chunk)
