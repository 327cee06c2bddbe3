"""Named migrations of the store's tables, recorded in `meta` when applied.

Each migration turns a table shape of an older version into the current one. A writable
open (`ingest`, `strikescope migrate`) applies those the store has not recorded; reads never
migrate (an older *layout* is upgraded by `api.upgrade`, on a staged copy). A store from
before migrations were recorded is examined once: a migration whose old shape is absent is
recorded as applied without running.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from strikescope.db import run

if TYPE_CHECKING:
    from strikescope.store import Store

META_KEY = "migrations"


@dataclass(frozen=True)
class Migration:
    name: str
    needed: Callable[[Store], bool]  # is the old shape there? (only for unrecorded stores)
    apply: Callable[[Store], None]


def _no_row_ids(store: Store) -> bool:
    cols = store.columns("reports")
    return bool(cols) and "row_id" not in cols


def _row_key(store: Store) -> bool:
    cols = store.columns("reports")
    return "row_key" in cols and "dup" not in cols


def _reports_table(store: Store) -> bool:
    from strikescope.db import is_base_table

    return is_base_table(store.con, "reports")


def _no_release_bytes(store: Store) -> bool:
    return "bytes" not in store.columns("releases")


def _add_release_bytes(store: Store) -> None:
    run(store.con, "ALTER TABLE releases ADD COLUMN IF NOT EXISTS bytes BIGINT")


MIGRATIONS = (
    Migration("0001-report-row-ids", _no_row_ids, lambda s: s._add_row_ids()),
    Migration("0002-key-by-columns", _row_key, lambda s: s._key_by_columns()),
    Migration("0003-lean-reports", _reports_table, lambda s: s._lean_reports()),
    Migration("0004-release-bytes", _no_release_bytes, _add_release_bytes),
)


def applied(store: Store) -> list[str] | None:
    """The migrations recorded in the store; None for a store that predates the record."""
    raw = store.meta(META_KEY) if store.has_table("meta") else None
    return None if raw is None else list(json.loads(raw))


def apply(store: Store, fresh: bool = False) -> list[str]:
    """Apply and record what `store` lacks; returns the names of those that ran."""
    done = applied(store)
    ran = []
    if done is None and not fresh:  # recorded from now on; examined this once
        done = [m.name for m in MIGRATIONS if not m.needed(store)]
    for m in MIGRATIONS:
        if fresh or m.name in (done or []):
            continue
        m.apply(store)
        ran.append(m.name)
    names = [m.name for m in MIGRATIONS]
    if fresh or applied(store) != names:
        store.set_meta(META_KEY, json.dumps(names))
    return ran
