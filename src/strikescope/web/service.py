"""Cached, read-only access to the store for the dashboard and the JSON API.

Nothing here knows about HTTP: the routes validate their inputs and call these methods.
Frames are cached per store version (the file's size and modification time), so a
`strikescope ingest` from another process is picked up on the next request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cache, partial
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

import strikescope.api as api
from strikescope import csvsafe
from strikescope import events as timeline
from strikescope.config import input_dir, resolve_db
from strikescope.errors import DataDirError, InputError, NotFoundError, StoreMissingError
from strikescope.lazy import lazy_module
from strikescope.wording import plural

if TYPE_CHECKING:  # the real modules for the type checker; at run time on first use
    import pandas as pd
else:
    pd = lazy_module("pandas")

# Launch classes stacked on the timeline, in the order they are drawn.
TIMELINE_CLASSES = ("strike_drone", "cruise", "ballistic", "aeroballistic", "antiship",
                    "guided_bomb", "unknown", "mixed")

# The modules behind the analysis pages and the heavy libraries they import when first
# called: the warm-up imports them so that a first visit to /defense, /forecast, a brief
# or the campaign's charts (statsmodels) does not wait for seconds of imports. The study
# needs none of statsmodels or scipy.
ANALYSIS_MODULES = ("strikescope.analysis.campaign", "strikescope.analysis.study",
                    "strikescope.analysis.forecast", "strikescope.render.campaign",
                    "strikescope.render.study",
                    "strikescope.brief", "statsmodels.api", "statsmodels.formula.api",
                    "scipy.stats", "plotly.graph_objects", "plotly.express", "markdown_it")
# Seconds without a visitor's request before the warm-up takes its next step.
WARM_QUIET_S = 0.25
# Results that take a second or more to compute (the analyses, the brief): kept on disk
# too, beside the store, so that a restarted server has them for its first views.
PERSISTED = frozenset({"study", "brief", "brief-title", "brief-html", "forecast-page",
                       "massive", "massive-page", "defense", "campaign", "doctor", "forecast",
                       "backtest"})
DISK_CACHE = ".strikescope-cache"


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


class DiskCache:
    """Results pickled under `root`, one file per key, in a directory per code version and
    store version (`put` removes the other versions' directories): a new store or a new
    strikescope is another directory, never an old answer. Anyone who may write there may
    write the store beside it too. Failures are misses: the result is computed again."""

    def __init__(self, root: Path):
        self.root = root

    def _file(self, key: tuple) -> Path:
        store, name = _digest(key[0]), _digest(key[1:])
        return self.root / f"{code_version()}-{store}" / f"{name}.pickle"

    def get(self, key: tuple, make: Callable[[], object]):
        """The kept value for `key`, else `make()`, kept for the next start."""
        value = self.read(key)
        if value is None:
            value = make()
            self.put(self._file(key), value)
        return value

    def read(self, key: tuple):
        """The kept value for `key`, or None."""
        try:
            with open(self._file(key), "rb") as fh:
                return pickle.load(fh)
        except Exception:  # noqa: BLE001 - missing, cut or of another library version
            return None

    def put(self, path: Path, value) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
                try:
                    pickle.dump(value, tmp, protocol=pickle.HIGHEST_PROTOCOL)
                except Exception:
                    tmp.close()
                    os.unlink(tmp.name)
                    raise
            os.replace(tmp.name, path)
        except Exception:  # noqa: BLE001 - a read-only directory, a value that won't pickle
            return
        for old in self.root.iterdir():
            if old != path.parent and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)


def _files_version(path: Path) -> tuple:
    """(name, size, modification time) of the file `path` or of each file in it."""
    try:
        files = sorted(path.iterdir()) if path.is_dir() else [path]
        return tuple((f.name, st.st_size, st.st_mtime_ns) for f in files
                     if (st := f.stat()) and f.is_file())
    except OSError:
        return ()


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:24]


@cache
def code_version() -> str:
    """The strikescope package's files and the libraries whose objects are pickled: a
    result kept by other code is not this code's result."""
    import numpy
    import pandas

    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(f"{pandas.__version__} {numpy.__version__}".encode())
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".csv", ".json", ".toml", ".yaml", ".j2",
                                                 ".html", ".css", ".js"):
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


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
    defenses: pd.DataFrame | None = None   # `rates.rates_frame`: rates from the same rows
    records: pd.DataFrame | None = None    # `rates.records`: previous record, most since
    context: pd.DataFrame | None = None    # events near the night, `before` its end or after

    def to_frame(self) -> pd.DataFrame:
        return self.classes

    def summary(self) -> str:
        t = self.totals
        scope = "" if self.policy == "combined" else f" ({self.policy} reports only)"
        text = (f"Night ending {self.night:%Y-%m-%d}: {plural(t['drones_launched'], 'drone')}"
                f" and {plural(t['missiles_launched'], 'missile')} launched{scope}; "
                f"{plural(len(self.sources), 'report')}.")
        if t.get("provisional"):
            text += (" Provisional: figures from the Air Force's statement as parsed, until a "
                     "digitised release covers this night.")
        return text


class StoreService:
    """The store seen by the web app: nights, one night, events, with in-memory caches."""

    def __init__(self, db=None, events_file=None, alerts_path=None):
        self.db = db
        self.path = resolve_db(db)
        self.events_file = Path(events_file) if events_file else None
        # the shelter hours are optional: a store ingested from files named on the command
        # line, with no data directory configured, is served without them
        self._alerts_given = Path(alerts_path) if alerts_path else None
        self.cache = LRU(512)
        self.disk = DiskCache(self.path.parent / DISK_CACHE)
        self._alerts = None
        self._alerts_lock = threading.Lock()
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
        self._serving = 0  # visitors' requests in flight (see `serving`)
        # set when the server shuts down: the warm-up stops before its next step (a thread
        # left inside DuckDB when the interpreter exits aborts the process)
        self.stopping = threading.Event()
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
        while not self.stopping.is_set():
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
            if self.stopping.is_set():  # the server is shutting down
                return
            with suppress(Exception):
                step()

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
        full = self._key(key)
        if key[0] in PERSISTED:
            make = partial(self.disk.get, full, make)
        return self.cache.get(full, make)

    def _key(self, key) -> tuple:
        # A CSV response cached neutralised must not answer a `raw=true` request.
        return (self.version(), csvsafe.raw_wanted(), *key)

    def response_key(self, path: str, query: bytes) -> tuple:
        """The key of a whole answer to `path?query` (see `web.app.Dashboard`): the URL
        names the question (`raw=` included), the versions of the store and of the user's
        events file the data."""
        return (self.version(), self._events_version(), "response", path, query)

    def touch(self) -> None:
        """A visitor's request was answered now (from a cache, without `serving`): the
        warm-up waits on."""
        self._last_served = time.monotonic()

    def peek(self, key):
        """The cached value for `key` (as `cached` keys it), or None: nothing is computed."""
        return self.cache.peek(self._key(key))

    def kept(self, key):
        """The value `cached` would give for `key` without computing: from memory or, for a
        result kept on disk, from there (then in memory too); else None."""
        full = self._key(key)
        hit = self.cache.peek(full)
        if hit is None and key[0] in PERSISTED:
            value = self.disk.read(full)
            if value is not None:
                hit = self.cache.get(full, lambda: value)
        return hit

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
            except StoreMissingError:
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
        from strikescope.analysis.rates import rates_frame, records

        return NightView(detail.night, totals, detail.classes, detail.rows,
                         region_counts(detail.rows), self._shelter(date), detail.sources,
                         policy, rates_frame(detail.rows),
                         records(self.nights(policy=policy), detail.night),
                         self._context(detail.night))

    def _context(self, night: pd.Timestamp, days: int = 7) -> pd.DataFrame:
        """Events within `days` of the night; `before` is true only for those dated before
        the day the night ended (context), false for those after the attack."""
        ev = self.events(start=(night - pd.Timedelta(days=days)).date(),
                         end=(night + pd.Timedelta(days=days)).date())
        cols = ["date", "title", "type", "source_url", "before"]
        if ev.empty:
            return pd.DataFrame(columns=cols)
        ev = ev.assign(before=pd.to_datetime(ev["date"]) < night)
        return ev[cols].sort_values("date").reset_index(drop=True)

    def _shelter(self, date: dt.date) -> pd.DataFrame | None:
        alerts = self.alerts()
        if alerts is None:
            return None
        from strikescope.analysis.alerts import shelter_hours

        # Outside the alert data an empty table would read as "no alerts": say unknown.
        first, last = alerts["started_at"].min(), alerts["finished_at"].max()
        if not first.date() <= date <= last.date():
            return None
        hours = shelter_hours(alerts, date, date)
        return hours.sort_values("hours_under_alert", ascending=False).reset_index(drop=True)

    @property
    def alerts_path(self) -> Path:
        """The alerts folder given, else the configured one (`DataDirError` when none)."""
        return self._alerts_given or input_dir("alerts")

    def alerts(self) -> pd.DataFrame | None:
        """Air-raid alerts, read once (about a third of a second) when first needed."""
        with self._alerts_lock:  # a request waits for the warm-up's read, not reads again
            if self._alerts is None:
                from strikescope.analysis.alerts import load_alerts

                try:
                    # kept on disk by the files' versions: a restart reads them back at once
                    path = self.alerts_path
                    key = (self.file_version(), "alerts", _files_version(path))
                    self._alerts = self.disk.get(key, lambda: load_alerts(path).alerts)
                except (DataDirError, NotFoundError, InputError):  # no alerts, or unreadable
                    self._alerts = pd.DataFrame()
        return None if self._alerts.empty else self._alerts

    def events(self, type=None, actors=None, start=None, end=None, confidence=None
               ) -> pd.DataFrame:
        paths = [self.events_file] if self.events_file and self.events_file.exists() else None
        key = ("events", self._events_version(), type, actors, start, end, confidence)
        return self.cache.get(key, lambda: timeline.events(type, actors, start, end,
                                                            confidence, paths=paths))

    def _events_version(self) -> int:
        if self.events_file is None:
            return 0
        try:  # one system call: this runs for every request answered from the caches
            return os.stat(self.events_file).st_mtime_ns
        except FileNotFoundError:
            return 0

    def event(self, event_id: str) -> pd.Series:
        df = self.events()
        hit = df[df["event_id"] == event_id]
        if hit.empty:
            raise NotFoundError(f"no event with id {event_id!r}")
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
        """The integrity report (`strikescope.analysis.doctor`), once per store version."""
        from strikescope.analysis import doctor as integrity

        return self.cached(("doctor", threshold, min_difference),
                           lambda: integrity.doctor(self.db, threshold, min_difference))

    def rows(self, query, export: bool = False):
        """A page of the report-row browser (`web.rows`), or every row of its view."""
        from strikescope.web import rows as browser

        def make():
            with api.connect(self.db, read_only=True) as store:
                if export:
                    return browser.view_rows(store.con, query)
                return browser.browse(store.con, query)
        # Exports are not kept: a whole view of a large store is too big to hold for long.
        return make() if export else self.cached(("rows", query), make)

    def report_row(self, row_id: int) -> pd.DataFrame:
        """Every column of one report row (its file's name, not the server path)."""
        with api.connect(self.db, read_only=True) as store:
            df = store.con.execute("SELECT * FROM reports WHERE row_id = ?", [row_id]).df()
        if df.empty:
            raise NotFoundError(f"no report row {row_id}")
        return df.assign(file=df["file"].map(lambda f: Path(str(f)).name))

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
    """Per region named in `affected region` of a counted row: its name and the report rows
    naming it. No launches per region: a row's count is national (one wave over many
    regions), so giving it to each region named would credit each with the national total.
    """
    from strikescope.regions import region_tags, regions

    counted = rows[rows["counted"].astype(bool)] if len(rows) else rows
    tags = [tag for r in counted.itertuples()
            for tag in region_tags(r.affected_region if isinstance(r.affected_region, str)
                                   else None)]
    if not tags:
        return pd.DataFrame({"region_id": [], "region": [], "reports": []})
    out = pd.Series(tags, name="region_id").value_counts().rename("reports").reset_index()
    names = regions()["name_en"]
    out.insert(1, "region", out["region_id"].map(names).fillna(out["region_id"]))
    return out.sort_values(["reports", "region_id"], ascending=[False, True],
                           ignore_index=True)


def _plain(value):
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    return value
