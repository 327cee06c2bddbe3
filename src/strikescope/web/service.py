"""Cached, read-only access to the store for the dashboard and the JSON API.

Nothing here knows about HTTP: the routes validate their inputs and call these methods.
Frames are cached per store version (the file's size and modification time), so a
`strikescope ingest` from another process is picked up on the next request.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from importlib import import_module
from pathlib import Path

import pandas as pd

import strikescope.api as api
from strikescope import doctor as integrity
from strikescope import events as timeline
from strikescope.config import input_dir, resolve_db
from strikescope.nights import plural

# Launch classes stacked on the timeline, in the order they are drawn.
TIMELINE_CLASSES = ("strike_drone", "cruise", "ballistic", "aeroballistic", "antiship",
                    "guided_bomb", "unknown", "mixed")

# The modules behind the analysis pages and the heavy libraries they import when first
# called: the warm-up imports them so that a first visit to /study, /defense, /forecast or
# a brief does not wait for seconds of imports.
ANALYSIS_MODULES = ("strikescope.campaign", "strikescope.study", "strikescope.forecast",
                    "strikescope.brief", "statsmodels.api", "statsmodels.formula.api",
                    "statsmodels.stats.proportion", "scipy.stats", "plotly.graph_objects",
                    "plotly.express", "markdown_it")
# Seconds without a visitor's request before the warm-up takes its next step.
WARM_QUIET_S = 0.25


class LRU:
    """A small thread-safe least-recently-used cache.

    A value is computed once even when several threads ask for it at the same time (the
    start-up warm-up and the first visitor, say): the later ones wait for the first."""

    def __init__(self, size: int = 256):
        self.size = size
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict = {}

    def get(self, key, make):
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            with self._lock:
                if key in self._data:
                    return self._data[key]
            try:
                value = make()
                with self._lock:
                    self._data[key] = value
                    while len(self._data) > self.size:
                        self._data.popitem(last=False)
            finally:
                with self._lock:
                    self._computing.pop(key, None)
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
    policy: str = "combined"

    def to_frame(self) -> pd.DataFrame:
        return self.classes

    def summary(self) -> str:
        t = self.totals
        scope = "" if self.policy == "combined" else f" ({self.policy} reports only)"
        return (f"Night ending {self.night:%Y-%m-%d}: {plural(t['drones_launched'], 'drone')}"
                f" and {plural(t['missiles_launched'], 'missile')} launched{scope}; "
                f"{plural(len(self.sources), 'report')}.")


class StoreService:
    """The store seen by the web app: nights, one night, events, with in-memory caches."""

    def __init__(self, db=None, events_file=None, alerts_path=None):
        self.db = db
        self.path = resolve_db(db)
        self.events_file = Path(events_file) if events_file else None
        self.alerts_path = Path(alerts_path) if alerts_path else input_dir("alerts")
        self.cache = LRU(512)
        self._alerts = None
        self._alerts_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._serving = 0  # visitors' requests in flight (see `serving`)
        self._last_served = 0.0
        self._serving_lock = threading.Lock()

    @contextmanager
    def serving(self) -> Iterator[None]:
        """Mark a visitor's request as running: the warm-up starts no step meanwhile, since
        with one interpreter lock its work would slow the request down."""
        with self._serving_lock:
            self._serving += 1
        try:
            yield
        finally:
            with self._serving_lock:
                self._serving -= 1
                self._last_served = time.monotonic()

    def wait_idle(self, quiet: float = WARM_QUIET_S) -> None:
        """Return once no visitor's request has run for `quiet` seconds (a page's own
        follow-up requests, its charts, come within that)."""
        while True:
            with self._serving_lock:
                wait = quiet - (time.monotonic() - self._last_served)
                if not self._serving and wait <= 0:
                    return
            time.sleep(max(wait, 0.02))

    def warm(self, views: Callable[[], Iterable[Callable[[], object]]] = tuple) -> None:
        """Fill what the first views need, the most visited first: the nights and events
        (the main page), the alerts (a night's shelter hours), then the steps `views()`
        names (made once the nights are known: the main page's chart, the analysis pages),
        then the analysis modules. Meant for a background thread once the server listens;
        each step waits for the visitors' requests to finish, and one that fails is left
        for its request to report."""
        def steps() -> Iterator[Callable[[], object]]:
            yield from (self.all_nights, self.events, self.alerts)
            with suppress(Exception):
                yield from list(views())
            yield from (partial(import_module, name) for name in ANALYSIS_MODULES)

        for step in steps():
            self.wait_idle()
            with suppress(Exception):
                step()

    def version(self) -> tuple:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return (0, 0, 0)
        # An ingest replaces the file by a rename: a new inode is a new version.
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def cached(self, key, make):
        return self.cache.get((self.version(), *key), make)

    async def cached_async(self, key, make):
        """`cached` for async routes: a hit stays on the event loop (no thread hop, the
        hot path under load); a miss is computed in the thread pool."""
        from starlette.concurrency import run_in_threadpool

        hit = self.cache.peek((self.version(), *key))
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

    def nights(self, start=None, end=None, weapon_class=None, policy: str = "combined"
               ) -> pd.DataFrame:
        """Dense nightly totals in [start, end] (or the long table of one class)."""
        if weapon_class or policy != "combined":
            return self.cached(("class", start, end, weapon_class, policy),
                               lambda: api.nights(start, end, weapon_class, db=self.db,
                                                  policy=policy))
        df = self.all_nights()
        if df.empty:
            return df
        keep = pd.Series(True, index=df.index)
        if start is not None:
            keep &= df["night"] >= pd.Timestamp(start)
        if end is not None:
            keep &= df["night"] <= pd.Timestamp(end)
        return df[keep].reset_index(drop=True)

    def night(self, date: dt.date, policy: str = "combined") -> NightView:
        """One night; raises LookupError when no report covers it."""
        return self.cached(("night", date, policy), lambda: self._night_view(date, policy))

    def _night_view(self, date: dt.date, policy: str) -> NightView:
        detail = api.night(date, db=self.db, policy=policy)
        totals = {k: _plain(v) for k, v in detail.totals.items()}
        return NightView(detail.night, totals, detail.classes, detail.rows,
                         region_counts(detail.rows), self._shelter(date), detail.sources,
                         policy)

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
        with self._alerts_lock:  # a request waits for the warm-up's read, not reads again
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
        self.cache.clear()
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
