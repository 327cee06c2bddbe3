"""The rules that turn report rows into attacks and reporting nights.

Night rule
    Night D is the local (Europe/Kyiv) period from 18:00 on D-1 to 18:00 on D: the night
    ending on the morning of D plus the daytime that follows. A row whose window ends after
    18:00 belongs to the next night; one ending at or before 18:00 to that date; a row with a
    bare date (no time) belongs to that date. Every row takes the night of its own window.
    The rows of one report (same `source` post) on one night form one attack (drones reported
    18:00-09:00 and missiles reported 02:00-06:00 stay together); rows of one post on different
    nights are different attacks, because the digitised file reuses one post link for two
    mornings, and merging them would empty one night and double the next.

Combination policy
    See `data/policy.toml`: per night and weapon class, only the best-ranked source group that
    reported that class counts. Every row stays in `parts` with `counted` telling whether it
    entered the totals and `rank` telling why (named by `attacks.rank_name`).

Group rows
    A group row (`X-101/X-555 and Kalibr`) with `launched_details` is split into one part per
    model; shot-down and lost counts, reported for the group only, stay on a `mixed` remainder
    part together with any launched count that the details do not explain. Without details
    the row stays whole, classed `mixed` (or the common class of its components).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from strikescope.config import package_data
from strikescope.db import is_base_table, rows_table, run
from strikescope.errors import InputError, NotFoundError
from strikescope.lazy import lazy_module
from strikescope.nightrule import night_of_end
from strikescope.sources.attacks import COUNT_COLUMNS, model_classes, post_sql

# the night of a report row: the store marks changed rows with it, the rebuild dates by it
from strikescope.store import LAYOUT, ROW_NIGHT_SQL, IngestReport, ProgressFn, Store
from strikescope.taxonomy import classify
from strikescope.wording import plural

if TYPE_CHECKING:  # the real modules for the type checker; at run time on first use
    import pandas as pd
else:
    pd = lazy_module("pandas")


@dataclass(frozen=True)
class Rank:
    name: str
    channels: tuple[str, ...]


@dataclass(frozen=True)
class Policy:
    ranks: tuple[Rank, ...]
    default: str = "priority"
    per_class: tuple[tuple[str, str], ...] = ()

    def mode(self, weapon_class: str) -> str:
        return dict(self.per_class).get(weapon_class, self.default)


@cache
def load_policy(path: str | None = None) -> Policy:
    raw = tomllib.loads(Path(path or package_data("policy.toml")).read_text("utf-8"))
    ranks = tuple(Rank(r["name"], tuple(r["channels"])) for r in raw["rank"])
    classes = dict(raw.get("classes", {}))
    default = classes.pop("default", "priority")
    for mode in [default, *classes.values()]:
        if mode not in ("priority", "sum"):
            raise InputError(f"policy: class mode must be 'priority' or 'sum', not {mode!r}")
    return Policy(ranks, default, tuple(sorted(classes.items())))


def night_of(end_local: pd.Timestamp, has_time: bool = True) -> pd.Timestamp:
    """The reporting night of a window ending at `end_local` (Kyiv local time)."""
    return night_of_end(end_local, has_time)


def _rank_rows(policy: Policy) -> list[tuple[int, str, str]]:
    return [(i, r.name, ch.lower()) for i, r in enumerate(policy.ranks) for ch in r.channels]


def _rank_table(con: duckdb.DuckDBPyConnection, policy: Policy) -> None:
    rows_table(con, "rank_map",
               [("rank", "INTEGER"), ("rank_name", "VARCHAR"), ("channel", "VARCHAR")],
               _rank_rows(policy), temp=False)


def _class_keys(con: duckdb.DuckDBPyConnection, policy: Policy, split: list[list]) -> None:
    """`class_keys`: every (weapon class, kind) a part can have, numbered (`ck`), and whether
    the policy sums its sources: parts are grouped, joined and stored by night and this small
    number rather than by two texts."""
    rows_table(con, "class_keys",
               [("weapon_class", "VARCHAR"), ("kind", "VARCHAR"), ("ck", "INTEGER"),
                ("summed", "BOOLEAN")],
               _class_key_rows(con, policy, _split_classes(split)), temp=False)


def _split_classes(split: list[list]) -> set[tuple[str, str]]:
    """The (class, kind) pairs of the split parts `split` (rows of `PART_COLUMNS`)."""
    cls, kind = PART_COLUMNS.index("weapon_class"), PART_COLUMNS.index("kind")
    return {(part[cls], part[kind]) for part in split}


def _class_key_rows(con: duckdb.DuckDBPyConnection, policy: Policy, pairs: set) -> list:
    """The rows of `class_keys` for the (class, kind) pairs of the split parts `pairs`, of
    every model in `weapons` and of a group remainder of each kind."""
    known = set(con.execute("SELECT DISTINCT weapon_class, kind FROM weapons").fetchall())
    # The remainder of a split group row is `mixed` of the group's kind: keyed in advance,
    # so that a group row that splits, or no longer does, leaves the numbering as it was
    # (an update of its nights then suffices).
    pairs = pairs | known | {("mixed", kind) for _, kind in known}
    return [(c, k, i, policy.mode(c) == "sum")
            for i, (c, k) in enumerate(sorted(pairs, key=str), start=1)]


def _classes() -> tuple[str, ...]:
    from strikescope.taxonomy import CLASSES

    return CLASSES


CHANNEL_SQL = (
    r"lower(regexp_extract(coalesce(source, ''), "
    r"'^(?:https?://)?(?:www\.)?(?:t\.me/|facebook\.com/)?([^/?#]+)', 1))"
)
RANK_NAMES = "(SELECT DISTINCT rank, rank_name FROM rank_map)"
# What CHANNEL_SQL's pattern may strip before the channel.
_URL_PREFIXES = ("http://", "https://", "www.", "t.me/", "facebook.com/")


def channel_sql(policy: Policy) -> str:
    """CHANNEL_SQL, with the policy's channels as written read straight off a post that
    starts with one and a slash (most posts: `kpszsu/posts/...`), which the pattern would
    give the same; a pattern per post cost more than the rest of the post summary."""
    fast = [
        f"WHEN starts_with(source, '{ch}/') THEN '{ch.lower()}'"
        for ch in dict.fromkeys(ch for r in policy.ranks for ch in r.channels)
        if re.fullmatch(r"[A-Za-z0-9._-]+", ch)
        and not any(f"{ch}/".startswith(u) or ch.startswith(u) for u in _URL_PREFIXES)
    ]
    return f"CASE {' '.join(fast)} ELSE {CHANNEL_SQL} END" if fast else CHANNEL_SQL


def _split_groups(con: duckdb.DuckDBPyConnection, rows: str = "report_rows") -> list[list]:
    """Parts of the group rows of `rows` that carry `launched_details`, as rows of
    `PART_COLUMNS` (few rows: done in Python)."""
    found = con.execute(f"""
        SELECT r.row_id, r.model, w.kind, r.launched, r.destroyed, r.not_reach_goal,
               r.still_attacking, l.json
        FROM {rows} r JOIN literals l ON l.raw = r.launched_details_text
        JOIN {model_classes()} w USING (model)
        WHERE l.json IS NOT NULL AND len(string_split(w.components, ' | ')) > 1
    """).fetchall()
    out = []
    for key, model, kind, launched, destroyed, lost, airborne, details in found:
        out.extend(
            split_group_row(
                key, model, kind, launched, destroyed, lost, airborne, json.loads(details)
            )
        )
    return out


PART_TYPES = {
    "row_id": "BIGINT",
    "part": "INTEGER",
    "model": "VARCHAR",
    "weapon_class": "VARCHAR",
    "kind": "VARCHAR",
    "long_range": "BOOLEAN",
    "launched": "BIGINT",
    "destroyed": "BIGINT",
    "not_reach_goal": "BIGINT",
    "still_attacking": "BIGINT",
    "outcome_launched": "BIGINT",
}
PART_COLUMNS = list(PART_TYPES)


def split_group_row(key, model, kind, launched, destroyed, lost, airborne, details) -> list:
    """Split one group row by its per-model launched counts; never loses a launched count."""
    counts = {}
    if isinstance(details, dict):
        for name, value in details.items():
            if isinstance(value, int | float) and value >= 0 and float(value).is_integer():
                counts[str(name)] = int(value)
    explained = sum(counts.values())
    if not counts or explained > launched:
        return []  # keep whole: the details cannot be reconciled with the total
    parts = []
    for i, (name, n) in enumerate(counts.items(), start=1):
        c = classify(name, warn=False)
        parts.append([key, i, name, c.weapon_class, c.kind, c.long_range, n, None, None, None,
                      None])
    rest = launched - explained
    if rest or destroyed is not None or lost is not None or airborne is not None:
        group = classify(model, warn=False)
        # the group's outcome figures are of all its launches: the rate's denominator
        parts.append([key, 0, model, "mixed", kind, group.long_range, rest, destroyed, lost,
                      airborne, launched])
    return parts


# What `parts` shows of a part, and what the nightly figures count of it.
PART_VALUES = ("model", "weapon_class", "kind", "long_range", *COUNT_COLUMNS,
               "outcome_launched")
COUNTED_VALUES = ("long_range", *COUNT_COLUMNS, "outcome_launched", "ck", "summed")


def _part_or_row(columns: tuple[str, ...], part: str, row: str) -> str:
    """SQL: each of `columns` from the split part `part` of a split group row, else from the
    report row `row` (left-joined, so `part.row_id` is NULL for a row kept whole)."""
    # a row kept whole: its outcome figures are of its own launches
    of_row = {"outcome_launched": "launched"}
    return ", ".join(
        f"CASE WHEN {part}.row_id IS NULL THEN {row}.{of_row.get(c, c)} ELSE {part}.{c} END"
        f" AS {c}" for c in columns)


def _class_key_join(alias: str) -> str:
    """SQL: join `class_keys` (as `k`) to the class and kind of `alias`."""
    return (f"JOIN class_keys k ON k.weapon_class = {alias}.weapon_class "
            f"AND k.kind IS NOT DISTINCT FROM {alias}.kind")


def build_parts(con: duckdb.DuckDBPyConnection, policy: Policy | None = None) -> None:
    """(Re)build `parts`, `attacks` and `night_classes` from `reports`.

    An attack is a (post, night) pair, the night being each row's own (`post_nights`, one
    pass over the rows). An attack is numbered by the smallest `row_id` among its rows
    (`attack_no`); a post on several nights names its attacks `post#night` (`split`).
    `parts` refers to rows and attacks by number only, the text (post, channel, rank name)
    is in `attacks`.
    """
    policy = policy or load_policy()
    _rank_table(con, policy)
    run(con, "CREATE OR REPLACE TEMP VIEW scope_rows AS SELECT * FROM report_rows")
    split = _split_groups(con, "scope_rows")
    _class_keys(con, policy, split)
    _build_rows(con, policy, split, _replace_all)
    _parts_view(con)
    _attacks_view(con)
    _build_report_regions(con, _replace_all)
    _build_night_classes(con, _replace_all)
    _keep_classes(con)
    run(con, "DROP TABLE all_parts; DROP TABLE split_parts; DROP TABLE multi_posts; "
        "DROP TABLE post_nights; DROP VIEW scope_rows")


ATTACK_ROWS_SQL = """
    SELECT pn.attack_no, (m.post IS NOT NULL) AS split, pn.rank, pn.row_night AS night,
           pn.window_start, pn.window_end, pn.n_rows::BIGINT AS n_rows
    FROM post_nights pn LEFT JOIN multi_posts m USING (post)"""
PART_ROWS_SQL = "SELECT row_id, part, night, attack_no, rank, counted FROM all_parts"


def _build_rows(con: duckdb.DuckDBPyConnection, policy: Policy, split: list[list],
                write: Callable[[str, str], str]) -> None:
    """`attack_rows`, `part_rows` and `group_parts` of the rows of `scope_rows`, written by
    `write` (all of a table, or the stale nights' part of it); leaves `post_nights`,
    `multi_posts`, `all_parts` and `split_parts` for what follows."""
    rows_table(con, "split_df", list(PART_TYPES.items()), split)
    run(
        con,
        f"""
        CREATE OR REPLACE TEMP TABLE split_parts AS
        SELECT s.*, k.ck, k.summed FROM split_df s {_class_key_join("s")};
        DROP TABLE split_df;
        -- every report row with its post and the night of its own window
        CREATE OR REPLACE TEMP VIEW post_rows AS
        SELECT r.*, w.weapon_class, w.kind, w.long_range, w.ck, w.summed,
               {POST_SQL} AS post, {ROW_NIGHT_SQL} AS row_night
        FROM scope_rows r
        LEFT JOIN (SELECT w.*, k.ck, k.summed FROM {model_classes()} w
                   {_class_key_join("w")}) w
          USING (model);
        -- an attack is a post on one night: rows of one post on different nights are
        -- different attacks (a post id reused for two mornings must not merge them)
        CREATE OR REPLACE TEMP TABLE post_nights AS
        WITH p AS (
            SELECT post, row_night, bool_and(coalesce(source, '') = '') AS no_source,
                   min(time_start_local) AS window_start, max(time_end_local) AS window_end,
                   count(*) AS n_rows, min(row_id) AS attack_no
            FROM post_rows GROUP BY post, row_night),
        c AS (
            SELECT p.*, {channel_sql(policy)} AS channel
            FROM (SELECT *, CASE WHEN no_source THEN '' ELSE post END AS source FROM p) p)
        SELECT c.* EXCLUDE (source, no_source, channel),
               coalesce(rk.rank, (SELECT max(rank) FROM rank_map)) AS rank
        FROM c LEFT JOIN rank_map rk ON rk.channel = c.channel;
        -- posts on several nights: their attacks are named by post and night
        CREATE OR REPLACE TEMP TABLE multi_posts AS
        SELECT post FROM post_nights GROUP BY post HAVING count(*) > 1;
        {write("attack_rows", ATTACK_ROWS_SQL)};
        CREATE OR REPLACE TEMP TABLE all_parts AS
        WITH ra AS (
            SELECT r.row_id, r.long_range, r.launched, r.destroyed, r.not_reach_goal,
                   r.still_attacking, r.ck, r.summed,
                   r.row_night AS night, pn.attack_no, pn.rank
            FROM post_rows r JOIN post_nights pn USING (post, row_night)),
        -- a row as it is, or a split group row as its parts
        base AS (
            SELECT ra.row_id, coalesce(s.part, 0) AS part,
                   {_part_or_row(COUNTED_VALUES, "s", "ra")},
                   ra.night, ra.attack_no, ra.rank
            FROM ra LEFT JOIN split_parts s ON s.row_id = ra.row_id)
        SELECT b.*, (b.summed OR b.rank = best.rank) AS counted, best.n AS class_parts
        FROM base b
        JOIN (SELECT night, ck, min(rank) AS rank, count(*) AS n FROM base GROUP BY ALL) best
          ON best.night = b.night AND best.ck = b.ck;
        {write("part_rows", PART_ROWS_SQL)};
        {write("group_parts", "SELECT * EXCLUDE (ck, summed) FROM split_parts")};
        DROP VIEW post_rows;
    """,
    )


def _replace_all(table: str, query: str) -> str:
    """SQL: `table` made anew from `query`."""
    return f"CREATE OR REPLACE TABLE {table} AS {query}"


# The rows of a derived table that an update replaces: those of the stale nights, or, for a
# table keyed by report row only, those of the rows that were on them when they were built.
_STALE_WHERE = {
    **dict.fromkeys(("attack_rows", "part_rows", "night_class_rows"),
                    "night IN (SELECT night FROM stale_nights)"),
    **dict.fromkeys(("group_parts", "report_regions"),
                    "row_id IN (SELECT row_id FROM old_rows)"),
}


def _replace_stale(table: str, query: str) -> str:
    """SQL: the stale part of `table` (`_STALE_WHERE`) replaced by `query`."""
    return f"DELETE FROM {table} WHERE {_STALE_WHERE[table]}; INSERT INTO {table} BY NAME {query}"


# What `update_nights` needs of a store, built by `build_parts`.
BUILT_TABLES = ("rank_map", "class_keys", "attack_rows", "part_rows", "group_parts",
                "report_regions", "night_class_rows", "built_classes", "stale_rows")


def update_nights(con: duckdb.DuckDBPyConnection, policy: Policy | None = None) -> bool:
    """Rebuild only the nights of `stale_rows`, leaving every other night as it is; the
    result is what `build_parts` gives. Whole nights, since the policy decides per night and
    class which parts count, and a post's rows may lie on several nights. Returns False,
    having changed nothing, when only a full `build_parts` will do: nights never built, a
    stale row without a night, or other ranks, class keys or model classes than the nights
    were built with (a new policy or taxonomy changes every night)."""
    policy = policy or load_policy()
    if not all(is_base_table(con, t) for t in BUILT_TABLES):
        return False
    n, unknown, lo, hi = con.execute(
        "SELECT count(night), count(*) - count(night), min(night), max(night) "
        "FROM stale_rows").fetchall()[0]
    if unknown or not (_same_ranks(con, policy) and _same_classes(con)):
        return False
    if not n:
        return True
    run(con, f"""
        CREATE OR REPLACE TEMP TABLE stale_nights AS SELECT DISTINCT night FROM stale_rows;
        -- a row of night D ends on D-1 or D: the range lets the scan skip the rest
        CREATE OR REPLACE TEMP VIEW scope_rows AS
        SELECT * FROM report_rows
        WHERE time_end_local >= DATE '{lo}' - 1 AND time_end_local < DATE '{hi}' + 1
          AND {ROW_NIGHT_SQL} IN (SELECT night FROM stale_nights);
        CREATE OR REPLACE TEMP TABLE old_rows AS
        SELECT DISTINCT row_id FROM part_rows WHERE {_STALE_WHERE["part_rows"]}""")
    split = _split_groups(con, "scope_rows")
    done = _same_class_keys(con, policy, split)
    if done:
        _build_rows(con, policy, split, _replace_stale)
        _mend_split(con)
        _build_report_regions(con, _replace_stale)
        _build_night_classes(con, _replace_stale)
        _keep_classes(con)
        run(con, "DROP TABLE all_parts; DROP TABLE split_parts; DROP TABLE multi_posts; "
            "DROP TABLE post_nights")
    run(con, "DROP VIEW scope_rows; DROP TABLE old_rows; DROP TABLE stale_nights")
    return done


def _same_ranks(con: duckdb.DuckDBPyConnection, policy: Policy) -> bool:
    stored = con.execute("SELECT rank, rank_name, channel FROM rank_map").fetchall()
    return sorted(stored) == sorted(_rank_rows(policy))


def _same_class_keys(con: duckdb.DuckDBPyConnection, policy: Policy,
                     split: list[list]) -> bool:
    """The class keys a full build would number now are those stored: the (class, kind)
    pairs of `weapons`, of the split parts kept and of those of the stale nights."""
    pairs = set(con.execute("SELECT DISTINCT weapon_class, kind FROM group_parts "
                            "WHERE row_id NOT IN (SELECT row_id FROM old_rows)").fetchall())
    pairs |= _split_classes(split)
    stored = con.execute(
        "SELECT weapon_class, kind, ck, summed FROM class_keys ORDER BY ck").fetchall()
    return _class_key_rows(con, policy, pairs) == stored


def _keep_classes(con: duckdb.DuckDBPyConnection) -> None:
    """`built_classes`: each model's class as the nights were built with it."""
    run(con, f"CREATE OR REPLACE TABLE built_classes AS SELECT * FROM {model_classes()}")


def _same_classes(con: duckdb.DuckDBPyConnection) -> bool:
    """No model has another class, kind, range or components than the nights were built
    with."""
    differ = " OR ".join(f"b.{c} IS DISTINCT FROM w.{c}"
                         for c in ("components", "weapon_class", "kind", "long_range"))
    return not con.execute(
        f"SELECT count(*) FROM built_classes b JOIN {model_classes()} w USING (model) "
        f"WHERE {differ}").fetchall()[0][0]


def _mend_split(con: duckdb.DuckDBPyConnection) -> None:
    """After an update: whether an attack's post lies on several nights, read over all the
    attacks of every post on the stale nights or marked stale (a post whose row moved or
    went may have changed on a night not rebuilt)."""
    run(con, f"""
        CREATE OR REPLACE TEMP TABLE scope_posts AS
        SELECT post FROM post_nights UNION SELECT post FROM stale_rows;
        CREATE OR REPLACE TEMP TABLE post_split AS
        WITH r AS (
            SELECT row_id, source AS post FROM report_rows
            WHERE source IN (SELECT post FROM scope_posts)
            UNION ALL
            SELECT row_id, post FROM (SELECT row_id, {POST_SQL} AS post FROM report_rows
                                      WHERE coalesce(source, '') = '')
            WHERE post IN (SELECT post FROM scope_posts))
        SELECT a.attack_no, count(*) OVER (PARTITION BY r.post) > 1 AS split
        FROM r JOIN attack_rows a ON a.attack_no = r.row_id;
        UPDATE attack_rows SET split = p.split FROM post_split p
        WHERE attack_rows.attack_no = p.attack_no AND attack_rows.split <> p.split;
        DROP TABLE scope_posts; DROP TABLE post_split""")


def _parts_view(con: duckdb.DuckDBPyConnection) -> None:
    """`parts`: `part_rows` (each part's night, attack and whether it counted) with its model,
    class and counts, from its report row or, for a split group row, from `group_parts`.
    Only the assignment is stored: the rest is already in the report rows."""
    _drop_stale_table(con, "parts")
    values = _part_or_row(PART_VALUES, "g", "r")
    run(
        con,
        f"""
        CREATE OR REPLACE VIEW parts AS
        SELECT p.row_id, p.part, {values}, p.night, p.attack_no, p.rank, p.counted
        FROM part_rows p
        JOIN (SELECT r.*, w.weapon_class, w.kind, w.long_range FROM report_rows r
              LEFT JOIN {model_classes()} w USING (model)) r USING (row_id)
        LEFT JOIN group_parts g ON g.row_id = p.row_id AND g.part = p.part""",
    )


POST_SQL = post_sql()


def _attacks_view(con: duckdb.DuckDBPyConnection) -> None:
    """`attacks`: the stored attack rows with their post text and channel, read from the
    attack's first report row, and the name of their rank; storing these texts again cost
    more than reading them."""
    _drop_stale_table(con, "attacks")
    run(
        con,
        f"""
        CREATE OR REPLACE VIEW attacks AS
        SELECT a.attack_no,
               CASE WHEN a.split THEN r.post || '#' || strftime(a.night, '%Y-%m-%d')
                    ELSE r.post END AS attack_id,
               r.post AS source, r.channel, a.rank, rn.rank_name, a.night, a.window_start,
               a.window_end, a.n_rows
        FROM attack_rows a
        JOIN (SELECT row_id, {POST_SQL} AS post, {CHANNEL_SQL} AS channel FROM report_rows) r
          ON r.row_id = a.attack_no
        LEFT JOIN {RANK_NAMES} rn USING (rank)""",
    )


def _build_report_regions(con: duckdb.DuckDBPyConnection,
                          write: Callable[[str, str], str]) -> None:
    """`report_regions`: the regions each report row names as target or affected. They are
    read once per distinct (target, target_main, affected region) of the rows, a few hundred
    in the real files, and joined to the rows by those three cells: unnesting every cell of
    every row and removing repeats cost about three times as much."""
    from strikescope.regions import region_tags

    tags = cache(region_tags)
    cells = con.execute(
        "SELECT DISTINCT target, target_main, affected_region_text FROM scope_rows").fetchall()
    rows = [(*named, region) for named in cells
            for region in dict.fromkeys(r for c in named if c is not None for r in tags(c))]
    rows_table(con, "tag_df", [("target", "VARCHAR"), ("target_main", "VARCHAR"),
                               ("affected", "VARCHAR"), ("region_id", "VARCHAR")], rows)
    run(
        con,
        write("report_regions", """
        WITH tags AS (SELECT target::VARCHAR AS target, target_main::VARCHAR AS target_main,
                             affected::VARCHAR AS affected, region_id::VARCHAR AS region_id
                      FROM tag_df)
        SELECT r.row_id, t.region_id
        FROM scope_rows r
        JOIN tags t ON r.target IS NOT DISTINCT FROM t.target
         AND r.target_main IS NOT DISTINCT FROM t.target_main
         AND r.affected_region_text IS NOT DISTINCT FROM t.affected"""),
    )
    run(con, "DROP TABLE tag_df")


def _drop_stale_table(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """A store built when `name` was a table, before it became a view."""
    if is_base_table(con, name):
        run(con, f"DROP TABLE {name}")


# The figures of a night and class key, each the sum over its counted parts of a value per
# part (NULL where a part lacks it: no shot-down count, say, leaves it out of the outcomes).
# The outcome figures of a split group row are of all its launches (`outcome_launched`, on
# its remainder part): they are the denominator of its rates, not the remainder's own count.
NIGHT_CLASS_VALUES = {
    "launched": "launched",
    "launched_with_outcome": "CASE WHEN destroyed IS NOT NULL THEN outcome_launched END",
    "destroyed": "destroyed",
    "not_reach_goal": "CASE WHEN destroyed IS NOT NULL THEN coalesce(not_reach_goal, 0) END",
    "launched_with_lost": "CASE WHEN not_reach_goal IS NOT NULL THEN outcome_launched END",
    "still_attacking": "still_attacking",
    "reached": "CASE WHEN destroyed IS NOT NULL THEN "
               "greatest(outcome_launched - destroyed - coalesce(not_reach_goal, 0), 0) END",
}


def _build_night_classes(con: duckdb.DuckDBPyConnection,
                         write: Callable[[str, str], str]) -> None:
    """`night_class_rows`: the counted figures per night and class key (`class_keys`), with
    the best rank among them; the view `night_classes` adds the class and kind, the rank's
    name and the sources, read from the counted parts' attacks (storing these texts again
    cost more than the rest of the table).

    Most nights have one part of a class key: its figures are its own values, taken as they
    are instead of through a hash table of millions of groups (about 40 % less time)."""
    one = ", ".join(f"CAST({v} AS BIGINT) AS {k}" for k, v in NIGHT_CLASS_VALUES.items())
    summed = ", ".join(f"CAST(sum({v}) AS BIGINT) AS {k}" for k, v in NIGHT_CLASS_VALUES.items())
    run(
        con,
        write("night_class_rows", f"""
        SELECT night, ck, long_range, {one}, 1::BIGINT AS n_rows, rank
        FROM all_parts WHERE class_parts = 1
        UNION ALL
        SELECT night, ck, bool_or(long_range), {summed}, count(*), min(rank)
        FROM all_parts WHERE class_parts > 1 AND counted GROUP BY night, ck"""),
    )
    _drop_stale_table(con, "night_classes")
    run(con, f"CREATE OR REPLACE VIEW night_classes AS {night_classes_sql(COMBINED)}")


# How the reports of one night are combined: `combined` applies the ranked policy
# (data/policy.toml); `national` counts the national statements alone, as the press tallies
# (AFP's monthly totals) do: the Air Force's national report, or for a class it lacks on a
# night, the General Staff or Commander-in-Chief post that relays it; never a regional
# command's count.
COMBINED, NATIONAL = "combined", "national"
POLICIES = (COMBINED, NATIONAL)
_REGIONAL_RANK = "(SELECT min(rank) FROM rank_map WHERE rank_name = 'regional')"
# rows from a parsed morning statement, counted until a digitised release covers the night
_PROVISIONAL_RANK = "(SELECT min(rank) FROM rank_map WHERE rank_name = 'provisional')"


def check_policy(policy: str) -> str:
    if policy not in POLICIES:
        raise InputError(f"unknown policy {policy!r}; choose from {', '.join(POLICIES)}")
    return policy


def parts_sql(policy: str) -> str:
    """SQL: `parts` with `counted` as `policy` counts them. Under `national` only the best
    rank above the regional commands counts, per night and class."""
    if check_policy(policy) == COMBINED:
        return "parts"
    best = (f"min(rank) FILTER (WHERE rank < {_REGIONAL_RANK}) "
            "OVER (PARTITION BY night, weapon_class, kind)")
    return f"(SELECT * REPLACE (coalesce(rank = {best}, false) AS counted) FROM parts)"


def class_rows_sql(policy: str) -> str:
    """SQL: a relation shaped like `night_class_rows` under `policy`. The combined figures are
    stored; the national ones are summed from the parts when asked for."""
    if check_policy(policy) == COMBINED:
        return "night_class_rows"
    summed = ", ".join(f"CAST(sum({v}) AS BIGINT) AS {k}" for k, v in NIGHT_CLASS_VALUES.items())
    return f"""(SELECT p.night, k.ck, bool_or(p.long_range) AS long_range, {summed},
                       count(*) AS n_rows, min(p.rank) AS rank
                FROM {parts_sql(policy)} p {_class_key_join("p")}
                WHERE p.counted GROUP BY p.night, k.ck)"""


def night_classes_sql(policy: str) -> str:
    """SQL: (night, class, kind) figures under `policy`, with the rank's name and the
    sources of the counted parts (the `night_classes` view is the combined one)."""
    return f"""
        SELECT n.night, k.weapon_class, k.kind, n.* EXCLUDE (night, ck, rank), rn.rank_name,
               s.sources
        FROM {class_rows_sql(policy)} n
        JOIN class_keys k USING (ck)
        -- the best rank among the counted rows names the group
        JOIN {RANK_NAMES} rn USING (rank)
        LEFT JOIN (SELECT p.night, p.weapon_class, p.kind,
                          list_sort(list(DISTINCT {post_sql('r')})) AS sources
                   FROM {parts_sql(policy)} p JOIN report_rows r ON r.row_id = p.attack_no
                   WHERE p.counted GROUP BY ALL) s
          ON s.night = n.night AND s.weapon_class = k.weapon_class
         AND s.kind IS NOT DISTINCT FROM k.kind"""


TOTAL_GROUPS = {
    "drones": "kind = 'drone' AND long_range",
    "missiles": "kind = 'missile' AND long_range",
    "short_range_drones": "kind = 'drone' AND NOT long_range",
}
MEASURES = ("launched", "destroyed", "not_reach_goal", "reached")


def _wide_columns() -> str:
    cols = []
    for name, cond in TOTAL_GROUPS.items():
        for m in MEASURES if name in ("drones", "missiles") else ("launched",):
            cols.append(
                f"CAST(coalesce(sum({m}) FILTER (WHERE {cond}), 0) AS BIGINT) AS {name}_{m}"
            )
        if name in ("drones", "missiles"):
            cols.append(
                f"CAST(coalesce(sum(launched_with_outcome) FILTER (WHERE {cond}), 0)"
                f" AS BIGINT) AS {name}_launched_with_outcome"
            )
    for cls in _classes():
        cols.append(
            f"CAST(coalesce(sum(launched) FILTER (WHERE weapon_class = '{cls}'), 0) "
            f"AS BIGINT) AS {cls}_launched"
        )
    return ",\n               ".join(cols)


def as_day(value, what: str = "night") -> pd.Timestamp:
    """A date given by a caller, at midnight; InputError naming `what` when it is none."""
    try:
        day = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise InputError(f"{what} {value!r} is not a date (YYYY-MM-DD)") from None
    if pd.isna(day):
        raise InputError(f"{what} {value!r} is not a date (YYYY-MM-DD)")
    return day.normalize()


def _date_bounds(con, start, end) -> tuple:
    lo, hi = con.execute("SELECT min(night), max(night) FROM night_class_rows").fetchall()[0]
    first = as_day(start, "from").date() if start else None
    last = as_day(end, "to").date() if end else None
    if first and last and first > last:  # an empty answer would read as nights without attacks
        raise InputError(f"from {first} is after to {last}")
    return first or lo, last or hi


def _totals_sql(policy: str, lo, hi, dense: bool) -> str:
    """SQL of `nightly_totals` (parameters: lo, hi three times), one row per night."""
    rows = class_rows_sql(policy)
    # which parts count: the stored assignment, or the policy's (`parts` has it too)
    assigned = "part_rows" if policy == COMBINED else parts_sql(policy)
    cal = (
        (
            f"SELECT CAST(d AS DATE) AS night FROM generate_series(DATE '{lo}', DATE '{hi}', "
            "INTERVAL 1 DAY) t(d)"
        )
        if dense
        else (f"SELECT DISTINCT night FROM {rows} "
              f"WHERE night BETWEEN '{lo}' AND '{hi}'")
    )
    return (
        f"""
        WITH cal AS ({cal}),
        w AS (SELECT night, {_wide_columns()}
              FROM {rows} JOIN class_keys USING (ck)
              WHERE night BETWEEN ? AND ? GROUP BY night),
        -- the sources of a night are those of its counted parts (as in `night_classes`)
        src AS (SELECT p.night, list(DISTINCT {post_sql("r")} ORDER BY {post_sql("r")})
                    AS sources, bool_or(p.rank = {_PROVISIONAL_RANK}) AS provisional
                FROM {assigned} p JOIN report_rows r ON r.row_id = p.attack_no
                WHERE p.counted AND p.night BETWEEN ? AND ? GROUP BY p.night)
        , reg AS (SELECT p.night, list(DISTINCT rr.region_id ORDER BY rr.region_id) AS regions
              FROM {assigned} p JOIN report_regions rr USING (row_id)
              WHERE p.counted AND p.night BETWEEN ? AND ? GROUP BY p.night)
        SELECT cal.night, w.* EXCLUDE (night), coalesce(src.sources, []) AS sources,
               coalesce(src.provisional, false) AS provisional,
               coalesce(reg.regions, []) AS regions,
               coalesce(list_contains(reg.regions, 'kyiv_city'), false) AS kyiv_targeted
        FROM cal LEFT JOIN w USING (night) LEFT JOIN src USING (night)
        LEFT JOIN reg USING (night)
        ORDER BY cal.night"""
    )


def nightly_totals(
    con: duckdb.DuckDBPyConnection,
    start=None,
    end=None,
    weapon_class: str | None = None,
    dense: bool = True,
    policy: str = COMBINED,
) -> pd.DataFrame:
    """One row per night: per-kind and per-class totals (wide), every night in the range.

    Nights without any report are included with zeros when `dense` (the series analyses
    need a regular calendar). With `weapon_class`, the long table of that class only.
    `policy` says how the reports of a night are combined (`POLICIES`).
    """
    lo, hi = _date_bounds(con, start, end)
    if lo is None or hi is None:
        return pd.DataFrame(columns=["night"])
    if weapon_class:
        return con.execute(
            f"SELECT * FROM ({night_classes_sql(policy)}) WHERE weapon_class = ? "
            "AND night BETWEEN ? AND ? ORDER BY night, kind",
            [weapon_class, lo, hi],
        ).df()
    df = con.execute(_totals_sql(policy, lo, hi, dense), [lo, hi, lo, hi, lo, hi]).df()
    counts = [c for c in df.columns if c.endswith(MEASURES + ("_launched_with_outcome",))]
    df[counts] = df[counts].fillna(0).astype("int64")
    df["total_launched"] = df["drones_launched"] + df["missiles_launched"]
    df["night"] = pd.to_datetime(df["night"])
    return df


@dataclass
class NightDetail:
    """One reporting night: per-class counts, every report row behind them, and sources."""

    night: pd.Timestamp
    classes: pd.DataFrame
    rows: pd.DataFrame
    totals: pd.Series
    policy: str = COMBINED

    def to_frame(self) -> pd.DataFrame:
        return self.classes

    @property
    def sources(self) -> list[str]:
        return sorted(self.rows.loc[self.rows["counted"], "source"].dropna().unique())

    def summary(self) -> str:
        t = self.totals
        classes = [(r.weapon_class, r.kind, r.launched, None if pd.isna(r.destroyed)
                    else r.destroyed) for r in self.classes.itertuples()]
        return night_summary(self.night, self.policy, t, classes, len(self.sources))


def night_summary(night, policy: str, totals, classes: list[tuple], n_sources: int) -> str:
    """The lines that open `strikescope night`: totals (anything with the wide columns of
    `nightly_totals` by key), then (class, kind, launched, destroyed or None) per class."""
    t = totals
    lines = [
        f"Night ending {night:%Y-%m-%d}: {plural(t['drones_launched'], 'drone')} and "
        f"{plural(t['missiles_launched'], 'missile')} launched ({t['total_launched']:,} in all)"
        + ("." if policy == COMBINED else f", {policy} reports only.")
    ]
    if bool(t.get("provisional", False)):
        lines.append("  Provisional: figures from the Air Force's statement as parsed, "
                     "until a digitised release covers this night.")
    for weapon_class, kind, launched, destroyed in classes:
        shot = "" if destroyed is None else f", {destroyed:,} shot down"
        lines.append(f"  {weapon_class} ({kind}): {launched:,} launched{shot}")
    lines.append(f"Sources: {plural(n_sources, 'report')}.")
    return "\n".join(lines)


def _night_classes_query(policy: str) -> str:
    return (f"SELECT * EXCLUDE (night) FROM ({night_classes_sql(policy)}) WHERE night = ? "
            "ORDER BY kind, weapon_class")


def _night_rows_query(policy: str) -> str:
    return f"""
        SELECT p.weapon_class, p.kind, p.long_range, p.model, p.launched, p.destroyed,
               p.not_reach_goal, p.counted, a.rank_name, r.source,
               r.time_start_local,
               r.time_end_local,
               r.target, r.target_main, r.affected_region_json AS affected_region,
               r.launch_place, r.file, r.rec
        FROM {parts_sql(policy)} p JOIN reports r USING (row_id)
        JOIN attacks a USING (attack_no)
        WHERE p.night = ? ORDER BY 8 DESC, p.kind, p.weapon_class, r.rec, p.part"""


def night_detail(con: duckdb.DuckDBPyConnection, night, policy: str = COMBINED
                 ) -> NightDetail:
    day = as_day(night)
    classes = con.execute(_night_classes_query(policy), [day.date()]).df()
    rows = con.execute(_night_rows_query(policy), [day.date()]).df()
    totals = nightly_totals(con, day, day, policy=policy).iloc[0] if len(classes) else None
    if totals is None:
        raise NotFoundError(f"no report for the night ending {day:%Y-%m-%d}")
    return NightDetail(day, classes, rows, totals, policy)


@dataclass
class NightRecords:
    """`NightDetail` as plain Python (column names and tuples), read without pandas: what
    the terminal view of one night needs, at the cost of a few queries."""

    night: object  # datetime.date
    class_columns: list[str]
    classes: list[tuple]
    row_columns: list[str]
    rows: list[tuple]
    totals: dict
    policy: str = COMBINED
    # DuckDB's type of each column (`BIGINT`, `VARCHAR`, ...), by name
    types: dict[str, str] = field(default_factory=dict)

    def column(self, name: str, of: str = "rows") -> list:
        cols, data = ((self.row_columns, self.rows) if of == "rows"
                      else (self.class_columns, self.classes))
        i = cols.index(name)
        return [r[i] for r in data]

    def summary(self) -> str:
        counted = zip(self.column("counted"), self.column("source"), strict=True)
        sources = {s for c, s in counted if c and s is not None}
        classes = zip(*(self.column(c, "classes") for c in
                        ("weapon_class", "kind", "launched", "destroyed")), strict=True)
        return night_summary(self.night, self.policy, self.totals, list(classes), len(sources))


def night_records(con: duckdb.DuckDBPyConnection, day, policy: str = COMBINED
                  ) -> NightRecords:
    """The night ending on `day` (a `datetime.date`) as `NightRecords`, by the queries of
    `night_detail`."""
    types: dict[str, str] = {}

    def fetch(sql: str, params: list) -> tuple[list[str], list[tuple]]:
        cur = con.execute(sql, params)
        types.update((d[0], str(d[1])) for d in cur.description)
        return [d[0] for d in cur.description], cur.fetchall()

    class_columns, classes = fetch(_night_classes_query(policy), [day])
    if not classes:
        raise NotFoundError(f"no report for the night ending {day:%Y-%m-%d}")
    row_columns, rows = fetch(_night_rows_query(policy), [day])
    names, totals = fetch(_totals_sql(policy, day, day, True), [day] * 6)
    t = {k: (0 if v is None else v) for k, v in zip(names, totals[0], strict=True)}
    t["total_launched"] = t["drones_launched"] + t["missiles_launched"]
    return NightRecords(day, class_columns, classes, row_columns, rows, t, policy, types)


@cache
def rules_version() -> str:
    """Changes when the code or the data files that turn reports into nights change, so that
    a store built by another version is rebuilt on the next ingest."""
    from strikescope import __version__, nightrule, regions, taxonomy

    digest = hashlib.sha256(__version__.encode())
    for name in ("weapons.csv", "policy.toml", "regions.csv"):
        digest.update(package_data(name).read_bytes())
    for module in (sys.modules[__name__], nightrule, taxonomy, regions):
        assert module.__file__ is not None  # modules of files, not namespace packages
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


def rebuild_store(store: Store, policy_path: str | None = None) -> None:
    """Rebuild attacks, parts and nights from the store's current reports (`weapons` is
    current already: every writable open and every applied release refreshes it)."""
    if store.has_table("reports"):
        build_parts(store.con, load_policy(policy_path))
        store.mark_built(rules_version())


def update_store(store: Store, policy_path: str | None = None) -> bool:
    """Rebuild only the nights that rows added, changed or removed since the last build lie
    on (`stale_rows`), or every night when the nights cannot be updated (`update_nights`:
    never built, other ranks or model classes). Returns whether the update sufficed."""
    if not store.has_table("reports"):
        return True
    updated = update_nights(store.con, load_policy(policy_path))
    if updated:
        store.mark_built(rules_version())
    else:
        rebuild_store(store, policy_path)
    return updated


# When an ingest builds the nights: `now`; `later`, left to the next reader or
# `strikescope build`; `auto`, later only when a bulk load needs every night built.
NIGHTS_MODES = ("auto", "now", "later")
# From this many report rows, building every night takes seconds (3.4 s at 3.2 M rows on
# 2 cores, a third of that ingest): `auto` leaves it to the first read, as a database
# builds its indexes after a bulk load. The real releases hold a few thousand rows.
BULK_ROWS = 1_000_000


def after_ingest(store: Store, reports: list[IngestReport],
                 progress: ProgressFn | None = None, nights: str = "auto") -> bool:
    """Bring the nights up to date after `store.ingest`: only the nights its rows touched,
    or every night when the rules, the layout or the weapon reference changed; or, as
    `nights` says (`NIGHTS_MODES`), leave them to build (`Store.mark_pending`). Returns
    whether the nights are built."""
    if nights not in NIGHTS_MODES:
        raise InputError(f"nights: {nights!r} is not one of {', '.join(NIGHTS_MODES)}")
    if not store.has_table("report_rows"):
        return True  # no rows: no nights to build (a weapon reference loaded alone)
    changed = any(r.status in ("current", "reference loaded") for r in reports)
    full = any(r.status == "reference loaded" for r in reports)
    rules = _rules_changed(store)
    if not (changed or full or rules or store.has_stale_rows() or store.nights_pending()):
        return True
    every = full or rules or not store.has_table("night_class_rows")
    if nights == "later" or (nights == "auto" and _bulk_build(store, every)):
        store.mark_pending(every)
        return False
    if progress:
        progress("rebuilding nights", 0.95)
    build_nights(store, full)
    return True


def _rules_changed(store: Store) -> bool:
    return store.meta("rules_version") != rules_version() or store.layout() != LAYOUT


def _bulk_build(store: Store, every: bool) -> bool:
    """Every night is to be built (`every`, or left so), of at least `BULK_ROWS` report
    rows."""
    every = every or store.nights_pending() == "full"
    return every and store.con.execute(
        "SELECT count(*) FROM report_rows").fetchall()[0][0] >= BULK_ROWS


def build_nights(store: Store, full: bool = False) -> None:
    """Build what an ingest left (`Store.nights_pending`) or touched: every night when
    `full`, when the pending build is of every night or the rules or the layout changed,
    else only the nights of the rows marked stale."""
    if full or store.nights_pending() == "full" or _rules_changed(store):
        rebuild_store(store)
    else:
        update_store(store)
