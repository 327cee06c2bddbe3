"""The report rows, browsable: facets, a text filter, sorting and pages over the store's
`reports`, each row with the night, attack and policy rank it was given.

One row here is one loaded input row (`row_id`), with the release that loaded it and its
record number in that file (`rec`), so every figure can be traced to its line.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from strikescope.lazy import lazy_module

if TYPE_CHECKING:  # the real modules for the type checker; at run time on first use
    import pandas as pd
else:
    pd = lazy_module("pandas")


from strikescope.errors import InputError

# The rows with what the rules made of them. A group row split into parts keeps one line:
# its parts share the row's night and attack; it counts if any part counts. A night filter
# goes into {nights}, before the join: on a large store that is most of the speed.
BASE = """
SELECT r.row_id, p.night, rn.rank_name AS "group", r.weapon_class AS class,
       r.model, r.launched, r.destroyed, r.not_reach_goal, p.counted, g.regions,
       rel.name AS release, r.rec, r.time_start_text AS time_start,
       r.time_end_text AS time_end, r.target, r.source
FROM reports r
{join} (SELECT row_id, min(night) AS night, bool_or(counted) AS counted,
                  min(rank) AS rank FROM part_rows {nights} GROUP BY row_id) p USING (row_id)
LEFT JOIN (SELECT DISTINCT rank, rank_name FROM rank_map) rn USING (rank)
LEFT JOIN (SELECT row_id, string_agg(region_id, ';' ORDER BY region_id) AS regions
           FROM report_regions GROUP BY row_id) g USING (row_id)
JOIN releases rel USING (release_id)
"""
COLUMNS = ["row_id", "night", "group", "class", "model", "launched", "destroyed",
           "not_reach_goal", "counted", "regions", "release", "rec", "time_start",
           "time_end", "target", "source"]
# Facet parameter -> column of BASE. Region is its own table (a row may name several).
FACETS = {"night": "night", "group": "group", "class": "class", "model": "model",
          "region": None, "release": "release"}
SORTS = ("row_id", "night", "group", "class", "model", "launched", "destroyed", "release",
         "rec")
TEXT_COLUMNS = ("model", "source", "target", "regions", "time_start", "time_end")
FACET_SIZE = 30
MAX_PAGE = 500


def _date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"a night is a date, YYYY-MM-DD: {text!r}") from None


@dataclass(frozen=True)
class RowQuery:
    """A view of the rows: facet values (any of several), a text filter, a night range,
    counted or not, the sort and the page."""

    night: tuple[str, ...] = ()
    group: tuple[str, ...] = ()
    cls: tuple[str, ...] = ()
    model: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    release: tuple[str, ...] = ()
    q: str = ""
    start: str | None = None
    end: str | None = None
    counted: bool | None = None
    sort: str = "row_id"
    desc: bool = False
    page: int = 1
    size: int = 50

    def __post_init__(self):
        if self.sort not in SORTS:
            raise InputError(f"sort must be one of {', '.join(SORTS)}")
        if not 1 <= self.size <= MAX_PAGE or self.page < 1:
            raise InputError(f"page from 1, size from 1 to {MAX_PAGE}")
        for night in (*self.night, self.start, self.end):
            if night is not None:
                _date(night)


    def facet(self, name: str) -> tuple[str, ...]:
        return getattr(self, "cls" if name == "class" else name)

    def where(self) -> tuple[str, list]:
        """The WHERE clause over BASE and its parameters (values are never spliced in)."""
        terms: list[str] = []
        params: list[str | bool] = []
        for name, column in FACETS.items():
            values = list(self.facet(name))
            if not values or name == "night":
                continue
            marks = ", ".join("?" * len(values))
            if column is None:
                terms.append(f"row_id IN (SELECT row_id FROM report_regions "
                             f"WHERE region_id IN ({marks}))")
            else:
                terms.append(f'"{column}" IN ({marks})')
            params += values
        if self.q.strip():
            # contains(), not LIKE: a % or _ typed by the user is plain text.
            terms.append("(" + " OR ".join(f"contains(lower(coalesce({c}, '')), ?)"
                                           for c in TEXT_COLUMNS) + ")")
            params += [self.q.strip().lower()] * len(TEXT_COLUMNS)
        if self.counted is not None:
            terms.append("counted = ?")
            params.append(self.counted)
        return ("WHERE " + " AND ".join(terms)) if terms else "", params

    def source(self) -> tuple[str, list]:
        """BASE with the night filters inside it, and their parameters."""
        terms, params = [], []
        if self.night:
            marks = ", ".join(["CAST(? AS DATE)"] * len(self.night))
            # The range as well: DuckDB skips storage blocks by range, not by IN lists.
            terms.append(f"night BETWEEN CAST(? AS DATE) AND CAST(? AS DATE) "
                         f"AND night IN ({marks})")
            params += [min(self.night), max(self.night), *self.night]
        for op, value in ((">=", self.start), ("<=", self.end)):
            if value:
                terms.append(f"night {op} CAST(? AS DATE)")
                params.append(value)
        nights = ("WHERE " + " AND ".join(terms)) if terms else ""
        return BASE.format(join="JOIN" if terms else "LEFT JOIN", nights=nights), params

    def sql(self) -> tuple[str, list]:
        """The view's rows (unordered) and the parameters."""
        base, first = self.source()
        where, rest = self.where()
        return f"SELECT * FROM ({base}) {where}", first + rest

    def order(self) -> str:
        way = "DESC" if self.desc else "ASC"
        tie = "" if self.sort == "row_id" else f", row_id {way}"
        return f'ORDER BY "{self.sort}" {way} NULLS LAST{tie}'

    def params(self, **changes) -> dict:
        """The query as URL parameters (defaults left out), with `changes` applied."""
        q = replace(self, **changes) if changes else self
        out: dict = {}
        for name in FACETS:
            if q.facet(name):
                out[name] = list(q.facet(name))
        for key, value, default in (("q", q.q, ""), ("from", q.start, None),
                                    ("to", q.end, None), ("sort", q.sort, "row_id"),
                                    ("page", q.page, 1), ("size", q.size, 50)):
            if value not in (default, None, ""):
                out[key] = value
        if q.desc:
            out["desc"] = "1"
        if q.counted is not None:
            out["counted"] = "true" if q.counted else "false"
        return out

    def url(self, path: str = "/rows", /, **changes) -> str:
        params = self.params(**changes)
        return path + ("?" + urlencode(params, doseq=True) if params else "")

    def toggled(self, name: str, value: str) -> str:
        """The URL with a facet value added (or removed when already chosen), page 1."""
        chosen = self.facet(name)
        new = tuple(v for v in chosen if v != value) if value in chosen else (*chosen, value)
        return self.url(page=1, **{"cls" if name == "class" else name: new})


@dataclass
class RowPage:
    query: RowQuery
    total: int
    rows: pd.DataFrame
    facets: dict[str, pd.DataFrame]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.size))


def view_rows(con, query: RowQuery) -> pd.DataFrame:
    """Every row of the view, in its order (the CSV/JSON export)."""
    sql, params = query.sql()
    return con.execute(f"{sql} {query.order()}", params).df()


def browse(con, query: RowQuery) -> RowPage:
    """One page of the view, its size and the facet counts under its filters."""
    sql, params = query.sql()
    # The view once, in a temporary table of this connection: the count, the page and the
    # six facets then read it instead of joining the store's tables eight times.
    con.execute(f"CREATE OR REPLACE TEMP TABLE row_view AS {sql}", params)
    total = con.execute("SELECT count(*) FROM row_view").fetchone()[0]
    offset = (query.page - 1) * query.size
    rows = con.execute(f"SELECT * FROM row_view {query.order()} LIMIT {query.size} "
                       f"OFFSET {offset}").df()
    facets = {}
    for name, column in FACETS.items():
        if column is None:
            sql = ("SELECT rr.region_id AS value, count(*) AS n FROM row_view "
                   "JOIN report_regions rr USING (row_id) GROUP BY 1")
        else:
            sql = (f'SELECT CAST("{column}" AS VARCHAR) AS value, count(*) AS n '
                   "FROM row_view GROUP BY 1")
        facets[name] = con.execute(f"{sql} ORDER BY n DESC, value LIMIT {FACET_SIZE}").df()
    con.execute("DROP TABLE row_view")
    return RowPage(query, int(total), rows, facets)
