"""Defense rates of one night that cannot be wrong, and records of a nightly series.

A rate counts *report rows*, not the parts a group row is split into: the Air Force often
gives one shot-down figure for a group of models ("X-101/X-555 and Kalibr: 115 launched,
99 shot down"); split per model, the launches go to the models and the shot-down figure to
the group, and a rate taken per part would divide one by a subset of the other. Here the
numerator and the denominator of a rate come from the same rows: the counted long-range
rows of the night whose report gives a shot-down figure. A row whose shot-down and lost
figures together exceed its launches is inconsistent in the source; it is left out of the
rate and counted apart, so that a rate is always in [0, 100 %].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from strikescope.wording import fmt, plural

KINDS = {"drones": "drone", "missiles": "missile"}


def outcome_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The counted long-range report rows of a night, the parts of a split row summed back.

    `rows` is a night's detail rows (`NightDetail.rows`: one line per counted unit with
    `file`, `rec`, `kind`, `long_range`, `launched`, `destroyed`, `not_reach_goal`,
    `counted`). Columns: kind, launched, destroyed (NaN when the report gives none), lost,
    has_outcome, consistent, classes, models."""
    cols = ["file", "rec", "kind", "launched", "destroyed", "lost", "has_outcome",
            "consistent", "classes", "models"]
    r = rows[rows["counted"].astype(bool) & rows["long_range"].astype(bool)]
    units: dict[tuple, dict] = {}
    # a night has a few dozen rows at most: a plain loop is faster than a grouped frame
    for p in r.itertuples():
        u = units.setdefault((p.file, p.rec, p.kind), {
            "file": p.file, "rec": p.rec, "kind": p.kind, "launched": 0.0,
            "destroyed": np.nan, "lost": 0.0, "classes": set(), "models": []})
        u["launched"] += _number(p.launched)
        if _number(p.destroyed, np.nan) == _number(p.destroyed, np.nan):
            u["destroyed"] = np.nansum([u["destroyed"], _number(p.destroyed)])
        u["lost"] += _number(p.not_reach_goal)
        u["classes"] |= {p.weapon_class} - {"mixed"}
        u["models"].append(p.model)
    out = pd.DataFrame(sorted(units.values(), key=lambda u: (str(u["file"]), u["rec"])),
                       columns=[c for c in cols if c not in ("has_outcome", "consistent")])
    out["classes"] = out["classes"].map(lambda c: tuple(sorted(c)))
    out["models"] = out["models"].map(lambda m: tuple(dict.fromkeys(m)))
    out["has_outcome"] = out["destroyed"].notna()
    stopped = out["destroyed"].fillna(0) + out["lost"]
    out["consistent"] = ~out["has_outcome"] | (stopped <= out["launched"])
    return out[cols]


def _number(value, missing: float = 0.0) -> float:
    return missing if value is None or pd.isna(value) else float(value)


@dataclass(frozen=True)
class Rate:
    """The outcome of one kind of weapon on one night, every figure from the same rows."""

    kind: str                 # "drones" or "missiles"
    launched: int             # every counted long-range launch of the kind
    base: int                 # launches in rows with a (consistent) reported outcome
    destroyed: int            # shot down, in those rows
    lost: int                 # lost to electronic warfare, in those rows
    inconsistent_rows: int    # rows whose outcome exceeds their launches (left out)
    inconsistent_launched: int = 0
    inconsistent_destroyed: int = 0
    inconsistent_lost: int = 0

    @property
    def stopped(self) -> int:
        return self.destroyed + self.lost

    @property
    def not_stopped(self) -> int:
        return self.base - self.stopped

    @property
    def shot_down_pct(self) -> float | None:
        return 100.0 * self.destroyed / self.base if self.base else None

    @property
    def stopped_pct(self) -> float | None:
        return 100.0 * self.stopped / self.base if self.base else None

    def as_dict(self) -> dict:
        return {"kind": self.kind, "launched": self.launched,
                "launched_with_outcome": self.base, "destroyed": self.destroyed,
                "not_reach_goal": self.lost, "stopped": self.stopped,
                "not_stopped": self.not_stopped, "shot_down_pct": self.shot_down_pct,
                "stopped_pct": self.stopped_pct, "inconsistent_rows": self.inconsistent_rows,
                "inconsistent_launched": self.inconsistent_launched,
                "inconsistent_destroyed": self.inconsistent_destroyed,
                "inconsistent_lost": self.inconsistent_lost}


def kind_rate(units: pd.DataFrame, kind: str) -> Rate:
    """The rate of `kind` ("drones" or "missiles") over `outcome_rows` of a night."""
    u = units[units["kind"] == KINDS[kind]]
    good = u[u["has_outcome"] & u["consistent"]]
    bad = u[~u["consistent"]]
    return Rate(kind, int(u["launched"].sum()), int(good["launched"].sum()),
                int(good["destroyed"].sum()), int(good["lost"].sum()), len(bad),
                int(bad["launched"].sum()), int(bad["destroyed"].sum()),
                int(bad["lost"].sum()))


def night_rates(rows: pd.DataFrame) -> dict[str, Rate]:
    """The drone and missile rates of a night from its detail rows."""
    units = outcome_rows(rows)
    return {kind: kind_rate(units, kind) for kind in KINDS}


def rates_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """`night_rates` as a table (one line per kind), for the night page and the API."""
    return pd.DataFrame([r.as_dict() for r in night_rates(rows).values()])


def pct(value: float | None) -> str:
    """A share in per cent for prose: never "100 %" unless all, never "0 %" unless none."""
    if value is None or value != value:
        return "n/a"
    if 0 < value < 1:
        return "under 1 %"
    if 99 < value < 100:
        return "over 99 %"
    return f"{value:.0f} %"


def rate_sentence(rate) -> str:
    """The outcome of one kind of weapon, every figure from the same report rows."""
    kind, one = rate.kind, rate.kind.removesuffix("s")
    if not rate.launched:
        return ""
    if not rate.base:
        usable = " that adds up" if rate.inconsistent_rows else ""
        text = (f"No shot-down figure{usable} was reported for the "
                f"{plural(rate.launched, one)} launched.")
        return text + _inconsistent(rate, one)
    text = ""
    if rate.base < rate.launched:
        why = []
        if rate.launched - rate.base - rate.inconsistent_launched:
            why.append("the other reports give no shot-down figure")
        if rate.inconsistent_rows:
            why.append("figures that do not add up are left out, see below")
        text = (f"Of the {plural(rate.launched, one)} launched, {fmt(rate.base)} have a "
                f"reported outcome ({'; '.join(why)}). ")
    was = "was" if rate.destroyed == 1 else "were"
    text += (f"{fmt(rate.destroyed)} of {plural(rate.base, one, kind)} with a reported outcome "
             f"{was} shot down ({pct(rate.shot_down_pct)})")
    if rate.lost:
        text += (f" and {fmt(rate.lost)} lost to electronic warfare: "
                 f"{fmt(rate.stopped)} of {fmt(rate.base)} stopped "
                 f"({pct(rate.stopped_pct)})")
    else:
        text += ", none reported lost to electronic warfare"
    text += f"; {fmt(rate.not_stopped)} not reported as stopped."
    return text + _inconsistent(rate, one)


def _inconsistent(rate, one: str) -> str:
    if not rate.inconsistent_rows:
        return ""
    rows = "report row gives" if rate.inconsistent_rows == 1 else "report rows give"
    # both figures, when both are given: their sum is what exceeds the launches
    lost = rate.inconsistent_lost
    stopped = f"{fmt(rate.inconsistent_destroyed)} shot down" + (
        f" and {fmt(lost)} lost" if lost else "")
    return (f" Left out of the rate: {fmt(rate.inconsistent_rows)} {rows} more {one}s "
            f"shot down or lost ({stopped}) than launched "
            f"({fmt(rate.inconsistent_launched)}).")


# --- records ------------------------------------------------------------------------------


RECORD_COLUMNS = ["measure", "night", "value", "record", "previous_record",
                  "previous_record_night", "since", "since_value", "earlier_nights"]


def record_context(series: pd.DataFrame, night, column: str) -> dict:
    """Where a night's value of `column` stands among the earlier nights of `series`.

    `series` has a `night` column and `column`. Returns the value; `record` (strictly above
    every earlier night with data); the previous record (the earlier maximum and the first
    night that reached it); and, when it is no record, `since`: the last earlier night with
    a value at least as large (the night is then "the largest since" that night), None when
    the value is zero. Nights after `night` are ignored."""
    night = pd.Timestamp(night)
    s = series[["night", column]].assign(night=lambda d: pd.to_datetime(d["night"]))
    value = float(s.loc[s["night"] == night, column].sum())
    before = s[(s["night"] < night) & s[column].notna()].sort_values("night")
    out = {"measure": column, "night": night, "value": value, "record": False,
           "previous_record": None, "previous_record_night": None, "since": None,
           "since_value": None, "earlier_nights": len(before)}
    if before.empty:
        return out
    top = float(before[column].max())
    out["previous_record"] = top
    out["previous_record_night"] = before.loc[before[column] == top, "night"].iloc[0]
    out["record"] = bool(value > top)
    if not out["record"] and value > 0:
        hit = before[before[column] >= value]
        out["since"] = hit["night"].iloc[-1]
        out["since_value"] = float(hit[column].iloc[-1])
    return out


CLASS_NAMES = {
    "strike_drone": "strike drones (Shahed type)", "tactical_uav": "tactical drones",
    "cruise": "cruise missiles", "ballistic": "ballistic missiles",
    "aeroballistic": "aeroballistic missiles (Kinzhal)", "antiship": "anti-ship missiles",
    "guided_bomb": "guided bombs", "unknown": "unidentified drones", "mixed": "mixed groups",
}


def measure_noun(measure: str) -> str:
    """What a `*_launched` measure counts, in words ("long-range drones")."""
    if measure == "total_launched":
        return "long-range weapons"
    if measure == "drones_launched":
        return "long-range drones"
    if measure == "missiles_launched":
        return "missiles"
    cls = measure.removesuffix("_launched")
    return CLASS_NAMES.get(cls, cls.replace("_", " "))


def record_measures(series: pd.DataFrame) -> list[str]:
    """The measures records are kept for: total, drones, missiles and each weapon class."""
    base = ["total_launched", "drones_launched", "missiles_launched"]
    classes = sorted(c for c in series.columns if c.endswith("_launched") and c not in base
                     and not c.startswith(("short_range", "mixed", "unknown", "tactical")))
    return [c for c in base + classes if c in series.columns]


def records(series: pd.DataFrame, night) -> pd.DataFrame:
    """`record_context` of every measure of `record_measures` for one night, leaving out the
    measures the night has none of."""
    night = pd.Timestamp(night)
    nights = pd.to_datetime(series["night"])
    today = series[nights == night]
    measures = [c for c in record_measures(series) if today[c].sum() > 0]
    past = series[nights < night]
    rows = [record_context(pd.concat([past[["night", c]], today[["night", c]]]), night, c)
            for c in measures]
    return pd.DataFrame(rows, columns=RECORD_COLUMNS)


def as_plain(value):
    """A JSON-friendly scalar."""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and value != value:
        return None
    return value
