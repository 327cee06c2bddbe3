"""All-or-nothing writes to the store file.

A write (an ingest, a rebuild) never touches the store file in place. It works on a private
staged copy beside it, checkpoints and syncs that copy, and then renames it over the store
in one step. So:

* a process killed at any point leaves the store as it was (the staged copy is an orphan,
  removed by the next writer), or, once the rename happened, the complete new store;
* readers in other processes keep answering throughout: a reader that opened the old file
  reads the old state to the end, the next one opens the new file; nobody ever sees a mix.

Writers queue on a lock file (`<store>.lock`); a second ingest waits for the first.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb

from strikescope.errors import StoreBusyError  # noqa: F401 - importable from here too

STAGING_SUFFIX = ".staging"
LOCK_TIMEOUT_S = 600.0




def lock_path(store: Path) -> Path:
    return store.with_name(store.name + ".lock")


def staging_path(store: Path) -> Path:
    return store.with_name(f".{store.name}.{os.getpid()}{STAGING_SUFFIX}")


@contextmanager
def staged(store: str | os.PathLike, timeout: float = LOCK_TIMEOUT_S) -> Iterator[Path]:
    """Yield the path of a staged copy of `store` to write; when the block ends without an
    exception (and every connection to the copy is closed), the copy replaces the store."""
    # imported by the writers only: a reader (`strikescope night`) starts sooner without it
    from filelock import FileLock, Timeout

    store = Path(store)
    store.parent.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(str(lock_path(store)), timeout=timeout):
            yield from _write_through_copy(store)
    except Timeout:
        raise StoreBusyError(
            f"{store}: another process has been writing to this store for over "
            f"{timeout:.0f} s (lock {lock_path(store)}); try again when it has finished"
        ) from None


def _write_through_copy(store: Path) -> Iterator[Path]:
    remove_orphans(store)
    stage = staging_path(store)
    if store.exists():
        _fold_wal(store)
        shutil.copyfile(store, stage)
    try:
        yield stage
        if stage.exists():
            _fsync(stage)
            os.replace(stage, store)
        _fsync_dir(store.parent)
    finally:
        _unlink_with_wal(stage)


def orphans(store: Path) -> list[Path]:
    """Staged copies beside the store: left by killed writers, or one being written now."""
    return list(store.parent.glob(f".{store.name}.*{STAGING_SUFFIX}"))


def remove_orphans(store: Path) -> list[Path]:
    """Remove the staged copies left by killed writers (only while holding the lock)."""
    found = orphans(store)
    for path in found:
        _unlink_with_wal(path)
    return found


def _fold_wal(store: Path) -> None:
    """A write-ahead log beside the store (written by another tool, or by an older version
    killed mid-write) would not travel with a plain copy: fold it into the file first."""
    if Path(str(store) + ".wal").exists():
        with duckdb.connect(str(store)) as con:
            con.execute("CHECKPOINT").fetchall()


def _unlink_with_wal(path: Path) -> None:
    for p in (path, Path(str(path) + ".wal")):
        with suppress(FileNotFoundError):
            p.unlink()
    # what a writer killed while spilling to disk left (DuckDB removes it on a clean close)
    shutil.rmtree(Path(str(path) + ".tmp"), ignore_errors=True)


def _fsync(path: Path) -> None:
    if path.exists():
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not every platform can open a directory.
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
