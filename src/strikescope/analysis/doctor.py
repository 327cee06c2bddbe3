"""A data-integrity report of the store: what it holds, what was kept out, what is missing.

* store: file, size, format and rules versions (is it built by the rules of this version?);
* releases: rows read, loaded and quarantined per release, and the diff each one applied;
* quarantine: rows kept out, by reason (current releases);
* missing denominators: nights where part of what was launched has no shot-down count, so
  defence rates over those nights rest on fewer launches than the totals show;
* disagreements: nights where the national report and the regional commands give launch
  counts for the same weapon class that differ by more than a threshold (relative);
* posts on several nights: report posts whose rows have windows on different nights (each
  night is an attack of its own), and a check that every counted row lies on the night of
  its own window.
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from strikescope.atomic import orphans
from strikescope.errors import InputError
from strikescope.nightrule import end_night_sql
from strikescope.rules.nights import rules_version
from strikescope.store import Store


@dataclass
class DoctorReport:
    store: dict
    releases: pd.DataFrame
    quarantine: pd.DataFrame
    missing_denominators: pd.DataFrame
    disagreements: pd.DataFrame
    split_posts: pd.DataFrame = field(default_factory=pd.DataFrame)
    regimes: pd.DataFrame = field(default_factory=pd.DataFrame)
    misplaced_rows: int = 0
    problems: list[str] = field(default_factory=list)
    duplicates: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_frame(self) -> pd.DataFrame:
        return self.releases

    def to_dict(self) -> dict:
        frames = {k: json.loads(getattr(self, k).to_json(orient="records", date_format="iso"))
                  for k in ("releases", "quarantine", "missing_denominators", "disagreements",
                            "split_posts", "duplicates", "regimes")}
        return {"store": dict(self.store), **frames, "misplaced_rows": self.misplaced_rows,
                "problems": list(self.problems)}

    def summary(self) -> str:
        s = self.store
        lines = [
            f"Store {s['path']} ({s['size_mb']:.1f} MB), strikescope {s['version']}, "
            f"rules {s['rules_version']} ({'current' if s['rules_current'] else 'OUTDATED'})",
            f"{len(self.releases)} release(s), {s['reports']:,} report rows, "
            f"{s['nights']:,} nights with a report",
            f"quarantine: {int(self.quarantine['rows'].sum()) if len(self.quarantine) else 0} "
            f"row(s) in current releases",
            f"nights with launches lacking a shot-down count: {len(self.missing_denominators)}",
            f"national/regional disagreements: {len(self.disagreements)}",
            f"posts whose rows lie on several nights (one attack per night): "
            f"{self.split_posts['post'].nunique() if len(self.split_posts) else 0}; "
            f"counted rows off their own window's night: {self.misplaced_rows}",
            *duplicates_summary(self.duplicates),
            *_regimes_summary(self.regimes),
        ]
        lines += [f"PROBLEM: {p}" for p in self.problems] or ["no integrity problem found"]
        return "\n".join(lines)


def doctor(db=None, threshold: float = 0.2, min_difference: int = 5) -> DoctorReport:
    """Check the store `db`; `threshold` is the relative difference between national and
    regional counts that is reported (and `min_difference` the absolute one)."""
    # a store opened by the caller is read as it is; a path is opened without the upgrade
    # of `strikescope.open`, so that the report describes the file, not a migrated copy
    with nullcontext(db) if isinstance(db, Store) else Store(db, read_only=True) as store:
        con = store.con
        if store.nights_pending():
            raise InputError(f"{store.path}: an ingest left the nights to build; run "
                             "`strikescope build` first")
        if not store.has_table("night_classes"):
            raise InputError(f"{store.path}: the store holds no nights yet; run "
                             "`strikescope ingest` first")
        report = DoctorReport(
            _store_facts(store), _releases(con), _quarantine(con),
            _missing_denominators(con), _disagreements(con, threshold, min_difference),
            _split_posts(con), _misplaced_rows(con))
        report.duplicates = duplicate_records(con)
        report.regimes = _regimes(report.store)
    report.problems = _problems(report, Path(report.store["path"]))
    return report


def _store_facts(store: Store) -> dict:
    from strikescope import __version__

    con = store.con
    built = store.meta("rules_version")
    return {
        "path": str(store.path),
        "size_mb": store.path.stat().st_size / 1e6,
        "version": __version__,
        "duckdb": duckdb.__version__,
        "rules_version": built,
        "rules_current": built == rules_version(),
        "stale_rows": store.has_stale_rows() if store.has_table("stale_rows") else False,
        "reports": con.execute("SELECT count(*) FROM reports").fetchall()[0][0],
        "nights": con.execute("SELECT count(DISTINCT night) FROM night_classes")
        .fetchall()[0][0],
        **dict(zip(("first_night", "last_night"), (
            pd.Timestamp(d) if d is not None else None for d in con.execute(
                "SELECT min(night), max(night) FROM night_class_rows").fetchall()[0]),
            strict=True)),
    }


def _releases(con) -> pd.DataFrame:
    return con.execute("""
        SELECT release_id, name, status, n_read AS read, n_loaded AS loaded,
               n_quarantined AS quarantined, n_warnings AS warnings, added, changed, removed,
               period_start::DATE AS period_start, period_end::DATE AS period_end,
               ingested_at
        FROM releases ORDER BY release_id""").df()


def _quarantine(con) -> pd.DataFrame:
    return con.execute("""
        SELECT q.reason, q.field, count(DISTINCT (q.release_id, q.rec)) AS rows
        FROM quarantine q JOIN releases r USING (release_id)
        WHERE r.status = 'current' GROUP BY ALL ORDER BY rows DESC, reason""").df()


def _missing_denominators(con) -> pd.DataFrame:
    return con.execute("""
        SELECT night, weapon_class, launched,
               coalesce(launched_with_outcome, 0) AS launched_with_outcome,
               launched - coalesce(launched_with_outcome, 0) AS launched_without_outcome
        FROM night_classes
        WHERE launched > coalesce(launched_with_outcome, 0)
        ORDER BY night, weapon_class""").df()


def _disagreements(con, threshold: float, min_difference: int) -> pd.DataFrame:
    return con.execute("""
        WITH by_rank AS (
            SELECT p.night, p.weapon_class, a.rank_name, sum(p.launched) AS launched
            FROM parts p JOIN attacks a USING (attack_no)
            WHERE a.rank_name IN ('national', 'regional') GROUP BY ALL),
        pairs AS (
            SELECT night, weapon_class,
                   sum(launched) FILTER (WHERE rank_name = 'national')::BIGINT AS national,
                   sum(launched) FILTER (WHERE rank_name = 'regional')::BIGINT AS regional
            FROM by_rank GROUP BY ALL)
        SELECT *, regional - national AS difference,
               round(abs(regional - national) / greatest(national, regional), 3) AS relative
        FROM pairs
        WHERE national IS NOT NULL AND regional IS NOT NULL
          AND abs(regional - national) >= $2
          AND abs(regional - national) > $1 * greatest(national, regional)
        ORDER BY night, weapon_class""", [threshold, min_difference]).df()


def _split_posts(con) -> pd.DataFrame:
    """The posts whose rows have windows on several nights, one row per (post, night)."""
    return con.execute("""
        WITH a AS (SELECT source AS post, attack_id, night, n_rows, attack_no FROM attacks),
        m AS (SELECT post FROM a GROUP BY post HAVING count(*) > 1)
        SELECT a.post, a.night, a.attack_id, a.n_rows AS rows,
               coalesce(sum(p.launched) FILTER (WHERE p.counted), 0)::BIGINT AS counted_launched
        FROM a SEMI JOIN m USING (post)
        LEFT JOIN parts p USING (attack_no)
        GROUP BY ALL ORDER BY a.post, a.night""").df()


def _misplaced_rows(con) -> int:
    """Counted parts whose stored night is not the night rule's for their own window (a
    store built by other rules, or a bug in the rebuild)."""
    own = end_night_sql("r.time_end_local", "r.end_has_time")
    return con.execute(f"""
        SELECT count(*) FROM parts p JOIN report_rows r USING (row_id)
        WHERE p.counted AND p.night <> {own}""").fetchall()[0][0]


# -- exact duplicate records (quarantined at ingest as "duplicate of record N") ------------

DUPLICATE_REASON = "duplicate of record %"


def duplicate_records(con) -> pd.DataFrame:
    """Per release: how many records were exact copies of an earlier record of the same
    release (loaded once, the copies quarantined)."""
    return con.execute("""
        SELECT r.name, r.status, count(DISTINCT q.rec) AS duplicates
        FROM quarantine q JOIN releases r USING (release_id)
        WHERE q.reason LIKE ? GROUP BY ALL ORDER BY r.name""", [DUPLICATE_REASON]).df()


def duplicates_summary(dups: pd.DataFrame) -> list[str]:
    if dups.empty:
        return []
    parts = ", ".join(f"{r.name} {r.duplicates}" for r in dups.itertuples())
    return [f"exact duplicate records loaded once, copies quarantined: {parts}"]


def _regimes(facts: dict) -> pd.DataFrame:
    """The reporting regimes (data/regimes.csv) that the store's nights fall in: changes in
    how the reports count, which move a rate without any change in the war."""
    from strikescope.rules.regimes import regimes

    df = regimes()
    lo, hi = facts.get("first_night"), facts.get("last_night")
    if lo is not None and hi is not None:
        df = df[(df["first_night"].isna() | (df["first_night"] <= hi))
                & (df["last_night"].isna() | (df["last_night"] >= lo))]
    cols = ["regime_id", "first_night", "last_night", "label"]
    return df[cols].assign(measures=df["measures"].map(", ".join)).reset_index(drop=True)


def _regimes_summary(df: pd.DataFrame) -> list[str]:
    if df.empty:
        return []
    spans = "; ".join(
        f"{r.label} ({_day(r.first_night) or 'start'} .. {_day(r.last_night) or 'now'})"
        for r in df.itertuples())
    return [f"reporting regimes (rates are comparable only within one): {spans}"]


def _day(ts) -> str:
    return "" if pd.isna(ts) else f"{pd.Timestamp(ts):%Y-%m-%d}"


def _problems(report: DoctorReport, path: Path) -> list[str]:
    out = []
    if report.misplaced_rows:
        out.append(f"{report.misplaced_rows} counted row(s) lie on a night other than their "
                   "own window's: run `strikescope ingest` to rebuild")
    if report.store.get("stale_rows"):
        out.append("rows changed by an ingest wait for their nights to be rebuilt (an "
                   "interrupted rebuild): run `strikescope ingest` to rebuild them")
    if not report.store["rules_current"]:
        out.append("the nights were built by other rules: run `strikescope ingest` to rebuild")
    rel = report.releases
    bad = rel[rel["read"] != rel["loaded"] + rel["quarantined"]]
    out += [f"release {r.name}: read {r.read} != loaded {r.loaded} + quarantined "
            f"{r.quarantined}" for r in bad.itertuples()]
    left = orphans(path)
    if left:
        out.append(f"{len(left)} staged copy(ies) left by an interrupted ingest (removed "
                   "by the next ingest)")
    return out
