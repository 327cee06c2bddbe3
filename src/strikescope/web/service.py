"""Cached, read-only access to the store for the dashboard and the JSON API.

Nothing here knows about HTTP: the routes validate their inputs and call these methods.
Frames are cached per store version (the file's size and modification time), so a
`strikescope ingest` from another process is picked up on the next request.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import strikescope.api as api
from strikescope import csvsafe
from strikescope import doctor as integrity
from strikescope import events as timeline
from strikescope.config import input_dir, resolve_db

# Launch classes stacked on the timeline, in the order they are drawn.
TIMELINE_CLASSES = ("strike_drone", "cruise", "ballistic", "aeroballistic", "antiship",
                    "guided_bomb", "unknown", "mixed")


class LRU:
    """A small thread-safe least-recently-used cache, single-flight: while one caller
    computes a missing value, the others asking for the same key wait for it instead of
    computing it too (fifty identical cold requests were fifty computations)."""

    def __init__(self, size: int = 256):
        self.size = size
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._pending: dict = {}

    def get(self, key, make):
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
            flight = self._pending.get(key)
            if flight is None:
                flight = self._pending[key] = Future()
                flight.set_running_or_notify_cancel()
                owner = True
            else:
                owner = False
        if not owner:
            return flight.result()  # the owner's value, or its exception
        try:
            value = make()
        except BaseException as exc:
            with self._lock:
                self._pending.pop(key, None)
            flight.set_exception(exc)
            raise
        with self._lock:
            self._data[key] = value
            while len(self._data) > self.size:
                self._data.popitem(last=False)
            self._pending.pop(key, None)
        flight.set_result(value)
        return value

    def peek(self, key):
        """The cached value or None, without computing anything."""
        with self._lock:
            return self._data.get(key)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


@dataclass
class NightView:
    """Everything the night page shows: per-class counts, rows, regions, shelter hours."""

    night: pd.Timestamp
    totals: dict
    classes: pd.DataFrame
    rows: pd.DataFrame
    regions: pd.DataFrame
    shelter: pd.DataFrame | None
    sources: list[str]

    def to_frame(self) -> pd.DataFrame:
        return self.classes

    def summary(self) -> str:
        t = self.totals
        return (f"Night ending {self.night:%Y-%m-%d}: {t['drones_launched']:,} drones and "
                f"{t['missiles_launched']:,} missiles launched; {len(self.sources)} report(s).")


class StoreService:
    """The store seen by the web app: nights, one night, events, with in-memory caches."""

    def __init__(self, db=None, events_file=None, alerts_path=None):
        self.db = db
        self.path = resolve_db(db)
        self.events_file = Path(events_file) if events_file else None
        self.alerts_path = Path(alerts_path) if alerts_path else input_dir("alerts")
        self.cache = LRU(512)
        self._alerts = None
        self._write_lock = threading.Lock()
        # Warm, then switch: the version the caches answer for (`_served`) moves to a new
        # store file only once `warmer` has filled the main caches for it; meanwhile the
        # requests are answered from the old version's caches instead of all computing at
        # once (throughput fell to nothing for seconds after every ingest).
        self.warmer = lambda svc: svc.all_nights()
        self._served: tuple | None = None
        self._warming: tuple | None = None
        self._version_lock = threading.Lock()
        self._local = threading.local()

    def file_version(self) -> tuple:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return (0, 0, 0)
        # An ingest replaces the file by a rename: a new inode is a new version.
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def version(self) -> tuple:
        """The store version the caches answer for (see `warmer`)."""
        own = getattr(self._local, "version", None)
        if own is not None:  # the warming thread fills the new version's caches
            return own
        current = self.file_version()
        with self._version_lock:
            if self._served is None:
                self._served = current
            elif current not in (self._served, self._warming):
                self._warming = current
                # Not a daemon: an interpreter leaving mid-query would abort in DuckDB.
                threading.Thread(target=self.warm_then_switch, args=(current,)).start()
            return self._served

    def warm_then_switch(self, version: tuple) -> None:
        """Fill the caches for `version`, then answer for it (unless a newer one came)."""
        with self._version_lock:
            self._warming = version
        self._local.version = version
        try:
            self.warmer(self)
        except Exception:  # noqa: BLE001 - a cold cache is only slower
            pass
        finally:
            self._local.version = None
            with self._version_lock:
                if self._warming == version:
                    self._served, self._warming = version, None

    def cached(self, key, make):
        return self.cache.get(self._key(key), make)

    def _key(self, key) -> tuple:
        # A CSV response cached neutralised must not answer a `raw=true` request.
        return (self.version(), csvsafe.raw_wanted(), *key)

    def peek(self, key):
        """The cached value for `key` (as `cached` keys it), or None: nothing is computed."""
        return self.cache.peek(self._key(key))

    async def cached_async(self, key, make):
        """`cached` for async routes: a hit stays on the event loop (no thread hop, the
        hot path under load); a miss is computed in the thread pool."""
        from starlette.concurrency import run_in_threadpool

        hit = self.cache.peek(self._key(key))
        return hit if hit is not None else await run_in_threadpool(self.cached, key, make)

    def default_range(self, nights: int = 365) -> tuple:
        """The nights the main page opens on: the last year (fewer bars to draw than the
        whole war), as (first, last) dates."""
        all_nights = self.all_nights()
        last = all_nights["night"].max()
        first = max(all_nights["night"].min(), last - pd.Timedelta(days=nights - 1))
        return first.date(), last.date()

    def all_nights(self) -> pd.DataFrame:
        """Every night of the store; none while there is no store file yet."""
        def load() -> pd.DataFrame:
            try:
                return api.nights(db=self.db)
            except FileNotFoundError:
                return pd.DataFrame(columns=["night"])
        return self.cached(("nights",), load)

    def nights(self, start=None, end=None, weapon_class=None) -> pd.DataFrame:
        """Dense nightly totals in [start, end] (or the long table of one class)."""
        if weapon_class:
            return self.cached(("class", start, end, weapon_class),
                               lambda: api.nights(start, end, weapon_class, db=self.db))
        df = self.all_nights()
        if df.empty:
            return df
        keep = pd.Series(True, index=df.index)
        if start is not None:
            keep &= df["night"] >= pd.Timestamp(start)
        if end is not None:
            keep &= df["night"] <= pd.Timestamp(end)
        return df[keep].reset_index(drop=True)

    def night(self, date: dt.date) -> NightView:
        """One night; raises LookupError when no report covers it."""
        return self.cached(("night", date), lambda: self._night_view(date))

    def _night_view(self, date: dt.date) -> NightView:
        detail = api.night(date, db=self.db)
        totals = {k: _plain(v) for k, v in detail.totals.items()}
        return NightView(detail.night, totals, detail.classes, detail.rows,
                         region_counts(detail.rows), self._shelter(date), detail.sources)

    def _shelter(self, date: dt.date) -> pd.DataFrame | None:
        alerts = self.alerts()
        if alerts is None:
            return None
        from strikescope.alerts import shelter_hours

        # Outside the alert data an empty table would read as "no alerts": say unknown.
        first, last = alerts["started_at"].min(), alerts["finished_at"].max()
        if not first.date() <= date <= last.date():
            return None
        hours = shelter_hours(alerts, date, date)
        return hours.sort_values("hours_under_alert", ascending=False).reset_index(drop=True)

    def alerts(self) -> pd.DataFrame | None:
        """Air-raid alerts, read once (about a third of a second) when first needed."""
        if self._alerts is None:
            from strikescope.alerts import load_alerts

            try:
                self._alerts = load_alerts(self.alerts_path).alerts
            except (FileNotFoundError, ValueError):
                self._alerts = pd.DataFrame()
        return None if self._alerts.empty else self._alerts

    def events(self, type=None, actors=None, start=None, end=None, confidence=None
               ) -> pd.DataFrame:
        paths = [self.events_file] if self.events_file and self.events_file.exists() else None
        key = ("events", self._events_version(), type, actors, start, end, confidence)
        return self.cache.get(key, lambda: timeline.events(type, actors, start, end,
                                                            confidence, paths=paths))

    def _events_version(self) -> int:
        if self.events_file and self.events_file.exists():
            return self.events_file.stat().st_mtime_ns
        return 0

    def event(self, event_id: str) -> pd.Series:
        df = self.events()
        hit = df[df["event_id"] == event_id]
        if hit.empty:
            raise LookupError(f"no event with id {event_id!r}")
        return hit.iloc[0]

    def add_event(self, row: dict) -> pd.Series:
        """Append one event to the user events file after validating the whole timeline."""
        if self.events_file is None:
            raise PermissionError("no events file configured")
        with self._write_lock:
            before = self.events_file.read_text(encoding="utf-8") if \
                self.events_file.exists() else ""
            self.events_file.parent.mkdir(parents=True, exist_ok=True)
            self.events_file.write_text(_append_csv(before, row), encoding="utf-8")
            try:
                df = timeline.load_events([self.events_file])
            except Exception:
                self.events_file.write_text(before, encoding="utf-8")
                raise
        self.cache.clear()
        return df[df["origin"] == self.events_file.name].iloc[-1]

    def doctor(self, threshold: float = 0.2, min_difference: int = 5):
        """The integrity report (`strikescope.doctor`), once per store version."""
        return self.cached(("doctor", threshold, min_difference),
                           lambda: integrity.doctor(self.db, threshold, min_difference))

    def ingest(self, path: Path) -> list:
        """Ingest one release file; the caches follow the store's new version."""
        with self._write_lock:
            reports = api.ingest([path], db=self.db)
            # Before answering: the client that sent the release reads the new store next.
            self.warm_then_switch(self.file_version())
        return reports


EVENT_COLUMNS = timeline.CSV_COLUMNS


def _append_csv(before: str, row: dict) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EVENT_COLUMNS, lineterminator="\n")
    if not before.strip():
        writer.writeheader()
    elif not before.endswith("\n"):
        out.write("\n")
    writer.writerow({k: row.get(k, "") or "" for k in EVENT_COLUMNS})
    return before + out.getvalue()


def region_counts(rows: pd.DataFrame) -> pd.DataFrame:
    """Counted report rows and launches per region named in `affected region`.

    A row naming two regions counts for both: the map shows where attacks were reported,
    not a split of the launches.
    """
    from strikescope.regions import region_tags

    counted = rows[rows["counted"].astype(bool)] if len(rows) else rows
    pairs = [(tag, int(r.launched or 0)) for r in counted.itertuples()
             for tag in region_tags(r.affected_region if isinstance(r.affected_region, str)
                                    else None)]
    df = pd.DataFrame(pairs, columns=["region_id", "launched"])
    if df.empty:
        return pd.DataFrame({"region_id": [], "reports": [], "launched": []})
    out = df.groupby("region_id").agg(reports=("launched", "size"), launched=("launched", "sum"))
    return out.reset_index().sort_values(["reports", "region_id"], ascending=[False, True],
                                         ignore_index=True)


def _plain(value):
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    return value
