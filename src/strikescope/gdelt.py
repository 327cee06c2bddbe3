"""Candidate diplomatic contacts from the GDELT 2.0 event stream.

GDELT codes news reports into CAMEO events (who did what to whom). Contacts between the
chosen countries (calls, visits, meetings, negotiations, agreements, truces) are picked
out, merged per day and country pair, and ranked by how much they were reported. The
result is a list of candidates to check by hand, not a timeline: GDELT's coding is noisy.

One SQL query does the work. It runs in DuckDB over downloaded export files, or on
BigQuery against the public `gdelt-bq.gdeltv2.events` table.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb
import pandas as pd

from strikescope.errors import InputError, NoSuchFileError
from strikescope.events import CSV_COLUMNS, event_slug

BIGQUERY_TABLE = "gdelt-bq.gdeltv2.events"
DEFAULT_COUNTRIES = ("USA", "RUS", "UKR")
DEFAULT_CODES = ("036", "040", "041", "042", "043", "044", "045", "046", "057", "0871")
DEFAULT_GLOB = "*.export.CSV"

# GDELT 2.0 event export: tab-separated, no header, these 61 columns in this order
# (Event Codebook V2.0). Codes stay text: CAMEO codes have meaningful leading zeros.
_GEO = (
    ("Type", "INTEGER"),
    ("FullName", "VARCHAR"),
    ("CountryCode", "VARCHAR"),
    ("ADM1Code", "VARCHAR"),
    ("ADM2Code", "VARCHAR"),
    ("Lat", "DOUBLE"),
    ("Long", "DOUBLE"),
    ("FeatureID", "VARCHAR"),
)
_ACTOR = (
    "Code",
    "Name",
    "CountryCode",
    "KnownGroupCode",
    "EthnicCode",
    "Religion1Code",
    "Religion2Code",
    "Type1Code",
    "Type2Code",
    "Type3Code",
)
GDELT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("GLOBALEVENTID", "BIGINT"),
    ("SQLDATE", "INTEGER"),
    ("MonthYear", "INTEGER"),
    ("Year", "INTEGER"),
    ("FractionDate", "DOUBLE"),
    *((f"Actor1{name}", "VARCHAR") for name in _ACTOR),
    *((f"Actor2{name}", "VARCHAR") for name in _ACTOR),
    ("IsRootEvent", "INTEGER"),
    ("EventCode", "VARCHAR"),
    ("EventBaseCode", "VARCHAR"),
    ("EventRootCode", "VARCHAR"),
    ("QuadClass", "INTEGER"),
    ("GoldsteinScale", "DOUBLE"),
    ("NumMentions", "INTEGER"),
    ("NumSources", "INTEGER"),
    ("NumArticles", "INTEGER"),
    ("AvgTone", "DOUBLE"),
    *((f"Actor1Geo_{name}", kind) for name, kind in _GEO),
    *((f"Actor2Geo_{name}", kind) for name, kind in _GEO),
    *((f"ActionGeo_{name}", kind) for name, kind in _GEO),
    ("DATEADDED", "BIGINT"),
    ("SOURCEURL", "VARCHAR"),
)
GDELT_COLUMN_NAMES = tuple(name for name, _ in GDELT_COLUMNS)

CAMEO_LABELS = {
    "036": "Express intent to meet or negotiate",
    "040": "Consult, not specified below",
    "041": "Discuss by telephone",
    "042": "Make a visit",
    "043": "Host a visit",
    "044": "Meet at a 'third' location",
    "045": "Mediate",
    "046": "Engage in negotiation",
    "057": "Sign formal agreement",
    "0871": "Declare truce, ceasefire",
    "130": "Threaten, not specified below",
    "163": "Impose embargo, boycott, or sanctions",
}

# CAMEO code prefix -> timeline type; the first match wins, anything else is a meeting.
# Merging is per type, so one visit coded both as 'make a visit' (042, by the guest) and
# 'host a visit' (043, by the host) becomes one candidate.
TYPE_BY_PREFIX = (
    ("041", "phone_call"),
    ("045", "negotiation_round"),
    ("046", "negotiation_round"),
    ("057", "negotiation_round"),
    ("087", "ceasefire"),
    ("13", "ultimatum_or_sanction"),
    ("16", "ultimatum_or_sanction"),
)
FALLBACK_TYPE = "envoy_meeting"

RESULT_COLUMNS = (
    "date",
    "actor1",
    "actor2",
    "event_code",
    "cameo_label",
    "mentions",
    "sources",
    "articles",
    "events",
    "example_url",
)

_COUNTRY_RE = re.compile(r"^[A-Z]{3}$")
_CODE_RE = re.compile(r"^[0-9]{2,4}$")


def timeline_type(code: str) -> str:
    """The timeline type a CAMEO event code is filed under (see TYPE_BY_PREFIX)."""
    for prefix, kind in TYPE_BY_PREFIX:
        if code.startswith(prefix):
            return kind
    return FALLBACK_TYPE


# --- validation: every value that reaches the SQL text passes one of these ---------------


def _countries(countries: str | Iterable[str]) -> list[str]:
    items = countries.split(",") if isinstance(countries, str) else list(countries)
    codes = [str(c).strip().upper() for c in items if str(c).strip()]
    bad = [c for c in codes if not _COUNTRY_RE.match(c)]
    if bad or len(set(codes)) < 2:
        shown = bad or codes
        raise InputError(f"countries must be two or more 3-letter codes like USA, got {shown}")
    return sorted(set(codes))


def _codes(codes: str | Iterable[str]) -> list[str]:
    items = codes.split(",") if isinstance(codes, str) else list(codes)
    out = [str(c).strip() for c in items if str(c).strip()]
    bad = [c for c in out if not _CODE_RE.match(c)]
    if bad or not out:
        raise InputError(f"event codes must be 2-4 digit CAMEO codes like 041, got {bad or out}")
    return sorted(set(out))


def _yyyymmdd(value: str | dt.date | None) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return int(value.strftime("%Y%m%d"))


def _literal(text: str) -> str:
    """A SQL string literal; quotes are doubled, which is all DuckDB strings interpret."""
    if "\x00" in text:
        raise InputError("file names cannot contain NUL characters")
    return "'" + text.replace("'", "''") + "'"


# --- the query ----------------------------------------------------------------------------


def _duckdb_source(files: Sequence[str | os.PathLike]) -> str:
    names = ", ".join(_literal(os.fspath(f)) for f in files)
    columns = ",\n".join(f"          '{name}': '{kind}'" for name, kind in GDELT_COLUMNS)
    # quote='' because GDELT never quotes fields and names or URLs may contain '"'
    return (
        f"read_csv([{names}], delim = '\\t', header = false, quote = '', escape = '',\n"
        f"        auto_detect = false, compression = 'auto',\n"
        f"        columns = {{\n{columns}\n        }})"
    )


def _type_case() -> str:
    whens = "".join(
        f"\n      WHEN STARTS_WITH(EventCode, '{prefix}') THEN '{kind}'"
        for prefix, kind in TYPE_BY_PREFIX
    )
    return f"CASE{whens}\n      ELSE '{FALLBACK_TYPE}'\n    END"


def gdelt_sql(
    countries: str | Iterable[str] = DEFAULT_COUNTRIES,
    codes: str | Iterable[str] = DEFAULT_CODES,
    dialect: str = "duckdb",
    files: Sequence[str | os.PathLike] | None = None,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    min_mentions: int = 1,
) -> str:
    """The extraction query for DuckDB over local export files or for BigQuery.

    Values are validated (country codes ^[A-Z]{3}$, event codes ^[0-9]{2,4}$, dates,
    integers) and file names are quoted, so the text is safe to print and run as is.
    Without `files` the DuckDB form reads every `*.export.CSV` in the working directory.
    """
    country_list = ", ".join(f"'{c}'" for c in _countries(countries))
    code_list = ", ".join(f"'{c}'" for c in _codes(codes))
    if dialect == "duckdb":
        source = _duckdb_source(files or [DEFAULT_GLOB])
        day = "CAST(strptime(CAST(SQLDATE AS VARCHAR), '%Y%m%d') AS DATE)"
    elif dialect == "bigquery":
        source = f"`{BIGQUERY_TABLE}`"
        day = "PARSE_DATE('%Y%m%d', CAST(SQLDATE AS STRING))"
    else:
        raise InputError(f"dialect must be 'duckdb' or 'bigquery', not {dialect!r}")
    period = _period_filter(start, end)
    return _QUERY.format(
        source=source,
        day=day,
        countries=country_list,
        codes=code_list,
        period=period,
        kind=_type_case(),
        min_mentions=int(min_mentions),
    )


def _period_filter(start: str | dt.date | None, end: str | dt.date | None) -> str:
    lo, hi = _yyyymmdd(start), _yyyymmdd(end)
    parts = [f"SQLDATE >= {lo}" if lo else "", f"SQLDATE <= {hi}" if hi else ""]
    return "".join(f"\n    AND {p}" for p in parts if p)


# Window functions rather than arg_max so that the same text runs on DuckDB and BigQuery.
_QUERY = """\
WITH picked AS (
  SELECT
    {day} AS day,
    LEAST(Actor1CountryCode, Actor2CountryCode) AS actor1,
    GREATEST(Actor1CountryCode, Actor2CountryCode) AS actor2,
    {kind} AS kind,
    EventCode AS event_code,
    COALESCE(NumMentions, 0) AS row_mentions,
    COALESCE(NumSources, 0) AS row_sources,
    COALESCE(NumArticles, 0) AS row_articles,
    SOURCEURL AS url,
    GLOBALEVENTID AS event_id
  FROM {source}
  WHERE EventCode IN ({codes})
    AND Actor1CountryCode IN ({countries})
    AND Actor2CountryCode IN ({countries})
    AND Actor1CountryCode <> Actor2CountryCode{period}
),
ranked AS (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY day, actor1, actor2, kind
                       ORDER BY row_mentions DESC, event_id) AS pick,
    SUM(row_mentions) OVER (PARTITION BY day, actor1, actor2, kind) AS total_mentions,
    SUM(row_sources) OVER (PARTITION BY day, actor1, actor2, kind) AS total_sources,
    SUM(row_articles) OVER (PARTITION BY day, actor1, actor2, kind) AS total_articles,
    COUNT(*) OVER (PARTITION BY day, actor1, actor2, kind) AS merged
  FROM picked
)
SELECT
  day AS date,
  actor1,
  actor2,
  event_code,
  total_mentions AS mentions,
  total_sources AS sources,
  total_articles AS articles,
  merged AS events,
  url AS example_url
FROM ranked
WHERE pick = 1 AND total_mentions >= {min_mentions}
ORDER BY mentions DESC, date, actor1, actor2, event_code
"""


# --- running it ---------------------------------------------------------------------------


def _check_files(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> list[Path]:
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    files = [Path(p) for p in items]
    if not files:
        raise InputError("no GDELT export files given")
    for f in files:
        if f.suffix.lower() == ".zip":
            raise InputError(f"{f}: unzip GDELT downloads first (plain or .gz files are read)")
        if not f.is_file():
            raise NoSuchFileError(f"{f}: no such file")
    return files


def import_gdelt(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    countries: str | Iterable[str] = DEFAULT_COUNTRIES,
    codes: str | Iterable[str] = DEFAULT_CODES,
    min_mentions: int = 1,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
) -> pd.DataFrame:
    """Candidate contacts from GDELT 2.0 export files (plain or gzip), most reported first.

    One row per day, unordered country pair and timeline type; `events` counts the merged
    GDELT records and `event_code`/`example_url` come from the most mentioned of them.
    """
    files = _check_files(paths)
    sql = gdelt_sql(countries, codes, "duckdb", files, start, end, min_mentions)
    with duckdb.connect() as con:
        df = con.execute(sql).fetchdf()
    df["date"] = pd.to_datetime(df["date"]).astype("datetime64[ns]")
    df["cameo_label"] = df["event_code"].map(CAMEO_LABELS).fillna("")
    for col in ("mentions", "sources", "articles", "events"):
        df[col] = df[col].astype("int64")
    return df[list(RESULT_COLUMNS)].reset_index(drop=True)


def to_timeline(df: pd.DataFrame) -> pd.DataFrame:
    """Candidates as rows of the timeline CSV (confidence 'low'), ready for review.

    Rows whose example source is not an http(s) URL are dropped, since the timeline
    requires a source page.
    """
    has_url = df["example_url"].fillna("").str.match(r"^https?://\S+$")
    rows = [_timeline_row(r) for r in df[has_url].itertuples(index=False)]
    out = pd.DataFrame(rows, columns=list(CSV_COLUMNS))
    return _number_repeats(out)


def _timeline_row(r) -> dict:
    day = pd.Timestamp(r.date).date()
    kind = timeline_type(r.event_code)
    label = r.cameo_label or f"CAMEO {r.event_code}"
    return {
        "event_id": event_slug(day, kind, (r.actor1, r.actor2)),
        "date": day.isoformat(),
        "end_date": "",
        "type": kind,
        "actors": f"{r.actor1};{r.actor2}",
        "title": f"{r.actor1}–{r.actor2}: {label} (GDELT)",
        "description": (
            f"GDELT candidate: {r.events} coded event(s), {r.mentions} mention(s);"
            " check the source before relying on it."
        ),
        "source_url": r.example_url,
        "confidence": "low",
    }


def _number_repeats(out: pd.DataFrame) -> pd.DataFrame:
    """Ids stay unique if two candidates share a slug (different codes, same type)."""
    seen = out.groupby("event_id").cumcount()
    suffix = seen.map(lambda n: f"-{n + 1}" if n else "")
    out["event_id"] = out["event_id"] + suffix
    return out.sort_values(["date", "event_id"], kind="stable").reset_index(drop=True)
