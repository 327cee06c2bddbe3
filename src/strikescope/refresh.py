"""Fresh data in one step, all or nothing.

`update` asks every chosen source plug-in (`sources.remote`) to fetch into a staging folder
beside the data directory, and every download is checked there. Only when all of them
are good are the folders swapped into place and the attack files ingested (itself all or
nothing, see `strikescope.atomic`). Any failure (no network, no credentials, a corrupt or
truncated download, a file the reader rejects) leaves the data directory and the store as
they were. A journal written before the swap lets the next update complete (the store was
written) or undo (it was not) one killed between the swap and its end.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pandas as pd
from filelock import FileLock, Timeout

import strikescope.api as api
from strikescope.config import TIMEZONE, fetch_dir, input_dir, resolve_db
from strikescope.sources import fetch
from strikescope.sources.remote import Context, Fetched, make
from strikescope.store import IngestReport, ProgressFn, Store

DEFAULT_SOURCES = ("attacks", "alerts", "weather")


@dataclass
class UpdateResult:
    """What each source brought and what the ingest did with the attack files."""

    data_dir: Path
    fetched: list[Fetched] = field(default_factory=list)
    ingested: list[IngestReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"source": f.source, "files": len(f.files),
                              "notes": "; ".join(f.notes)} for f in self.fetched])

    def summary(self) -> str:
        lines = list(self.notes)
        lines += [f"{f.source}: {'; '.join(f.notes) or 'nothing new'}" for f in self.fetched]
        lines += [r.summary() for r in self.ingested if r.kind == "attacks"]
        lines.append(f"data directory: {self.data_dir}")
        return "\n".join(lines)


def update(sources=None, data_dir=None, db=None, until=None, urls: dict | None = None,
           ingest: bool = True, http: httpx.Client | None = None,
           progress: ProgressFn | None = None,
           deadline_s: float | None = fetch.DEFAULT_DEADLINE_S) -> UpdateResult:
    """Fetch `sources` (default: attacks, alerts, weather) into `data_dir` (default: the user
    data directory) and ingest the attack files into the store `db`. The downloads must all
    end within `deadline_s` seconds (None: no deadline)."""
    dest = Path(data_dir or fetch_dir())
    plugins = [make(name, urls) for name in (sources or DEFAULT_SOURCES)]
    with _one_update(dest):
        return _update(plugins, dest, db, until, ingest, http, progress, deadline_s)


# How long an update waits for another one on the same data directory to finish.
UPDATE_LOCK_WAIT_S = 5.0


@contextmanager
def _one_update(dest: Path) -> Iterator[None]:
    """One update at a time per data directory (its lock file sits beside it)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(dest.parent / f".{dest.name}.update.lock"))
    try:
        lock.acquire(timeout=UPDATE_LOCK_WAIT_S)
    except Timeout:
        raise fetch.FetchError(f"{dest}: another update of this data directory is running; "
                               "try again when it has finished") from None
    try:
        yield
    finally:
        lock.release()


def _update(plugins, dest: Path, db, until, ingest: bool, http, progress,
            deadline_s) -> UpdateResult:
    result = UpdateResult(dest)
    # Under the lock no other update runs: what a killed one left is finished here.
    result.notes += [note] if (note := recover(dest)) else []
    fetch.clean_leftovers(dest)  # the staging folder of an update that was killed
    own = http is None
    http = http or fetch.client()
    stage = dest / f".update-{os.getpid()}"
    try:
        ctx = Context(http, lambda kind: _current(dest, kind), _until(until),
                      lambda: stored_attack_rows(db))
        with fetch.deadline(deadline_s):
            for i, plugin in enumerate(plugins):
                _tell(progress, f"fetching {plugin.name}", i / (len(plugins) + 1))
                result.fetched.append(plugin.fetch(stage, ctx))
        _tell(progress, "ingesting", len(plugins) / (len(plugins) + 1))
        result.ingested = _install_and_ingest(stage, dest, result.fetched, db, ingest)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if own:
            http.close()
    _tell(progress, "done", 1.0)
    return result


def _tell(progress: ProgressFn | None, what: str, fraction: float) -> None:
    if progress:
        progress(what, fraction)


def _until(until) -> pd.Timestamp:
    if until is not None:
        return pd.Timestamp(until).normalize()
    return pd.Timestamp.now(tz=TIMEZONE).tz_localize(None).normalize() - pd.Timedelta(days=1)


def _current(dest: Path, kind: str) -> Path:
    """The copies in use: the ones fetched into `dest` before, else the default inputs."""
    mine = dest / kind
    return mine if mine.is_dir() else input_dir(kind)


def stored_attack_rows(db) -> int | None:
    """Rows of the largest current attack release in the store (for the truncation check)."""
    path = resolve_db(db)
    if not path.exists():
        return None
    with Store(path, read_only=True) as store:
        if not store.has_table("releases"):
            return None
        rows = store.con.execute(
            "SELECT max(n_read) FROM releases WHERE status = 'current'").fetchall()
    return rows[0][0]


def _install_and_ingest(stage: Path, dest: Path, fetched: list[Fetched], db,
                        ingest: bool) -> list[IngestReport]:
    kinds = [f.source for f in fetched if f.files]
    pairs = [(dest / kind, dest / f".{kind}.previous-{os.getpid()}") for kind in kinds]
    store = resolve_db(db) if ingest and "attacks" in kinds else None
    # Written before anything moves, removed once all is done: an update killed in between
    # (SIGKILL, power) is completed or rolled back by the next one (`recover`).
    _write_journal(dest, pairs, store)
    swapped = _swap_in(stage, pairs)
    try:
        reports = api.ingest([dest / "attacks"], db=db) if store else []
    except BaseException:
        _swap_back(swapped)
        _journal(dest).unlink(missing_ok=True)
        raise
    _finish(dest, swapped)
    return reports


def _swap_in(stage: Path, pairs: list[tuple[Path, Path]]) -> list[tuple[Path, Path]]:
    swapped = []
    for target, backup in pairs:
        shutil.rmtree(backup, ignore_errors=True)
        if target.exists():
            os.replace(target, backup)
        os.replace(stage / target.name, target)
        swapped.append((target, backup))
    return swapped


def _swap_back(swapped: list[tuple[Path, Path]]) -> None:
    for target, backup in reversed(swapped):
        shutil.rmtree(target, ignore_errors=True)
        if backup.exists():
            os.replace(backup, target)


def _finish(dest: Path, swapped: list[tuple[Path, Path]]) -> None:
    for _, backup in swapped:
        shutil.rmtree(backup, ignore_errors=True)
    _journal(dest).unlink(missing_ok=True)


# -- the journal of the swap and the store write ------------------------------------------

JOURNAL = ".update-journal.json"


def _journal(dest: Path) -> Path:
    return dest / JOURNAL


def _store_id(store: Path | None) -> int | None:
    """The store file's inode: an ingest replaces the file (a rename), so a new inode means
    the ingest was completed."""
    try:
        return os.stat(store).st_ino if store else None
    except FileNotFoundError:
        return None


def _write_journal(dest: Path, pairs: list[tuple[Path, Path]], store: Path | None) -> None:
    entry = {"pid": os.getpid(), "store": str(store) if store else None,
             "store_before": _store_id(store),
             "swaps": [{"target": str(t), "backup": str(b), "existed": t.exists()}
                       for t, b in pairs]}
    dest.mkdir(parents=True, exist_ok=True)
    tmp = dest / f"{JOURNAL}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(entry, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, _journal(dest))
    fd = os.open(dest, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def recover(dest: Path) -> str | None:
    """Complete or undo an update that was killed between its swap and its end (see
    `_install_and_ingest`): if its ingest replaced the store, its folders stay and the old
    copies go; otherwise the old copies come back. Returns what was done, or None. Call it
    with no update running on `dest` (`update` holds the lock)."""
    path = _journal(dest)
    for tmp in dest.glob(f"{JOURNAL}.*.tmp"):  # a journal cut while written: nothing moved
        tmp.unlink(missing_ok=True)
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError:  # cut while written: nothing had moved yet
        path.unlink(missing_ok=True)
        return None
    swaps = [(Path(s["target"]), Path(s["backup"]), s["existed"]) for s in entry["swaps"]]
    store = Path(entry["store"]) if entry.get("store") else None
    # Without an ingest (`fetch`), the swap may have been cut half way: undone, as a whole.
    if store is not None and _store_id(store) != entry.get("store_before"):
        for _, backup, _ in swaps:
            shutil.rmtree(backup, ignore_errors=True)
        action = "completed"
    else:
        _undo(swaps)
        action = "rolled back"
    path.unlink(missing_ok=True)
    return f"an interrupted update was {action}"


def _undo(swaps: list[tuple[Path, Path, bool]]) -> None:
    for target, backup, existed in reversed(swaps):
        if backup.exists():  # moved aside: the new copy (if it came) goes, the old returns
            shutil.rmtree(target, ignore_errors=True)
            os.replace(backup, target)
        elif not existed:  # there was none before: the new copy (if it came) goes
            shutil.rmtree(target, ignore_errors=True)
