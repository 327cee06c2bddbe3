"""Campaign analytics: defenses, saturation, weapon mix, regions, shelter hours, weather.

Every function returns a DataFrame (or a dataclass with `to_frame()` and `summary()`) and
has a `*_chart(df)` that draws it as a plotly figure, and a `*_chart_spec(df)` pairing
that figure with a matplotlib drawing so that `save_chart` can write `.html` or `.png`.
Rates are only computed where their denominator was reported:

- shot-down rate = destroyed / launched_with_outcome (launches whose shot-down figure
  was reported);
- electronic-warfare loss rate = not_reach_goal / launched_with_lost (only the nights that
  reported the "locationally lost" figure);
- reached rate = reached / launched_with_outcome;
- stopped rate = (destroyed + not_reach_goal) / launched_with_outcome, the figures of the
  same rows: the default defense measure, because it is the one comparable across the
  reporting regimes (`regimes.py`: EW losses reported from July 2024, inside "destroyed"
  from late July 2025). Each period names the regimes its nights fall in.

Intervals are Wilson 95 % score intervals. Counts come from the store's `night_classes`
table (the counted rows of the source policy), so nothing is counted twice.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

import strikescope.api as api
from strikescope import csvsafe
from strikescope.palette import SERIES_COLORS, SOURCE, class_color

if TYPE_CHECKING:
    import plotly.graph_objects as go

PathLike = str | os.PathLike
ProgressFn = Callable[[str, float], None]

PERIODS = {"week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}
ALPHA = 0.05
SALVO_BINS = (1, 10, 25, 50, 100, 200, 400, 800, np.inf)


# --- shared pieces -------------------------------------------------------------------


def wilson(successes, trials, alpha: float = ALPHA) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval; NaN where there are no trials. Written out (statsmodels'
    `proportion_confint(method="wilson")` gives the same): importing statsmodels and
    scipy.stats for it was most of a first defense page's time."""
    from statistics import NormalDist

    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    ok = n > 0
    lo, hi = np.full(n.shape, np.nan), np.full(n.shape, np.nan)
    if ok.any():
        z2 = NormalDist().inv_cdf(1 - alpha / 2) ** 2
        q, m = k[ok] / n[ok], n[ok]
        denom = 1 + z2 / m
        center = (q + z2 / (2 * m)) / denom
        half = np.sqrt(z2 * q * (1 - q) / m + z2 * z2 / (4 * m * m)) / denom
        lo[ok], hi[ok] = center - half, center + half
    return lo, hi


def _rate(frame: pd.DataFrame, name: str, num: str, den: str) -> pd.DataFrame:
    """Add `<name>`, `<name>_lo`, `<name>_hi`; numerators are clipped to [0, den] because
    a few reports give more shot down than launched."""
    k = frame[num].clip(lower=0).clip(upper=frame[den])
    n = frame[den]
    lo, hi = wilson(k, n)
    frame[name] = np.where(n > 0, k / n.where(n > 0), np.nan)
    frame[f"{name}_lo"], frame[f"{name}_hi"] = lo, hi
    return frame


def period_start(nights: pd.Series, by: str) -> pd.Series:
    """The first day of the week (Monday), month, quarter or year of each night."""
    if by not in PERIODS:
        raise ValueError(f"unknown period {by!r}; use one of {sorted(PERIODS)}")
    return pd.to_datetime(nights).dt.to_period(PERIODS[by]).dt.start_time


def _bounds(start, end) -> tuple[str, list]:
    where, params = [], []
    if start is not None:
        where.append("night >= ?")
        params.append(pd.Timestamp(start).date())
    if end is not None:
        where.append("night <= ?")
        params.append(pd.Timestamp(end).date())
    return (" AND ".join(where) or "TRUE"), params


def night_classes(start=None, end=None, weapon_class: str | None = None,
                  db: PathLike | None = None) -> pd.DataFrame:
    """Per night and weapon class: the counted figures of the store (long format)."""
    where, params = _bounds(start, end)
    if weapon_class is not None:
        where += " AND weapon_class = ?"
        params.append(weapon_class)
    with api.connect(db, read_only=True) as store:
        frame = store.con.execute(
            "SELECT night, weapon_class, kind, long_range, launched, launched_with_outcome, "
            "destroyed, not_reach_goal, launched_with_lost, reached FROM night_classes "
            f"WHERE {where} ORDER BY night, weapon_class", params).df()
    frame["night"] = pd.to_datetime(frame["night"])
    return frame


def counted_rows(start=None, end=None, db: PathLike | None = None) -> pd.DataFrame:
    """Counted report rows with their night, launched count and free-text fields."""
    where, params = _bounds(start, end)
    with api.connect(db, read_only=True) as store:
        frame = store.con.execute(f"""
            WITH p AS (
                SELECT row_id, any_value(night) AS night, sum(launched) AS launched,
                       any_value(weapon_class) AS part_class
                FROM parts WHERE counted GROUP BY row_id)
            SELECT p.night, p.launched, r.weapon_class, r.kind, r.long_range, r.model,
                   r.launch_place, r.target, r.target_main, r.affected_region_text,
                   r.is_shahed, r.row_id
            FROM p JOIN reports r USING (row_id)
            WHERE {where.replace('night', 'p.night')}
            ORDER BY p.night, r.rec""", params).df()
    frame["night"] = pd.to_datetime(frame["night"])
    return frame


def _time_index(nights: pd.Series) -> np.ndarray:
    """Years since the first night: the scale of the trend terms."""
    t = pd.to_datetime(nights)
    return ((t - t.min()).dt.days / 365.25).to_numpy(dtype=float)


def quasi_fit(model):
    """Fit with the quasi-likelihood scale (Pearson chi2 / df), floored at 1: overdispersion
    widens the intervals, while an exact or underdispersed fit keeps the plain ones."""
    first = model.fit()
    phi = first.pearson_chi2 / first.df_resid if first.df_resid > 0 else 1.0
    return model.fit(scale=max(float(phi), 1.0))


def _trend_terms(n_nights: int) -> str:
    # A spline needs enough nights per knot; short periods get a straight line.
    return "bs(t, df=4)" if n_nights >= 60 else "t"


# --- 1. defense performance ----------------------------------------------------------


def defense(by: str = "month", weapon_class: str | None = None, start=None, end=None,
            db: PathLike | None = None) -> pd.DataFrame:
    """Shot-down, EW-loss and reached rates per period and weapon class with Wilson 95 %
    intervals, and how many nights with launches lacked each denominator."""
    frame = night_classes(start, end, weapon_class, db)
    return defense_table(frame, by)


def defense_table(frame: pd.DataFrame, by: str = "month") -> pd.DataFrame:
    """`defense` on a night_classes-shaped frame (one row per night and class)."""
    d = frame.copy()
    d["period"] = period_start(d["night"], by)
    lwo = d["launched_with_outcome"].fillna(0)
    lwl = d["launched_with_lost"].fillna(0)
    d = d.assign(
        launched_with_outcome=lwo,
        # the lost figure of the rows with a shot-down figure, the stopped rate's numerator
        stopped=(d["destroyed"].fillna(0) + d["not_reach_goal"].fillna(0)).where(lwo > 0, 0),
        destroyed=d["destroyed"].fillna(0).where(lwo > 0, 0),
        reached=d["reached"].fillna(0).where(lwo > 0, 0),
        launched_with_lost=lwl,
        # Only nights that reported the lost figure may enter the EW rate.
        not_reach_goal=d["not_reach_goal"].fillna(0).where(lwl > 0, 0),
        night_no_outcome=(d["launched"] > 0) & (lwo <= 0),
        night_no_lost=(d["launched"] > 0) & (lwl <= 0),
    )
    cols = ["launched", "launched_with_outcome", "destroyed", "stopped", "reached",
            "launched_with_lost", "not_reach_goal", "night_no_outcome", "night_no_lost"]
    g = d.groupby(["period", "weapon_class"], as_index=False)
    out = g[cols].sum().astype({c: "int64" for c in cols})
    out.insert(2, "nights", g.size()["size"].to_numpy())
    out.insert(3, "regimes", _period_regimes(d, g))
    out = out.rename(columns={"night_no_outcome": "nights_without_outcome",
                              "night_no_lost": "nights_without_lost"})
    out = _rate(out, "shot_down_rate", "destroyed", "launched_with_outcome")
    out = _rate(out, "ew_loss_rate", "not_reach_goal", "launched_with_lost")
    out = _rate(out, "stopped_rate", "stopped", "launched_with_outcome")
    return _rate(out, "reached_rate", "reached", "launched_with_outcome")


def _period_regimes(d: pd.DataFrame, g) -> list[str]:
    """The reporting regimes of each group's nights, '+'-joined in time order."""
    from strikescope.regimes import regime_of

    d = d.assign(regime=regime_of(d["night"]).to_numpy())
    return [" + ".join(dict.fromkeys(r for r in d.loc[idx, "regime"].sort_index() if r))
            for idx in g.groups.values()] if len(d) else []


def defense_chart(df: pd.DataFrame, rate: str = "stopped_rate") -> go.Figure:
    """Rate per period, one line per class, with the interval as error bars; the reporting
    regimes are shaded (a rate that moves at a band's edge moved with the reporting)."""
    import plotly.graph_objects as go

    from strikescope.regimes import add_bands

    fig = go.Figure()
    for cls, sub in df.groupby("weapon_class"):
        fig.add_trace(go.Scatter(
            x=sub["period"], y=sub[rate], name=str(cls), mode="lines+markers",
            error_y={"type": "data", "symmetric": False,
                     "array": sub[f"{rate}_hi"] - sub[rate],
                     "arrayminus": sub[rate] - sub[f"{rate}_lo"]}))
    fig.update_layout(title=f"{rate.replace('_', ' ')} (Wilson 95 %; shaded: how the "
                      "reports count)", yaxis={"range": [0, 1], "tickformat": ".0%"})
    if len(df):
        add_bands(fig, df["period"].min(), df["period"].max(), rate)
    return fig


# --- 2. saturation -------------------------------------------------------------------


@dataclass
class SaturationResult:
    """Shot-down rate against salvo size: binned rates, a fitted curve and its reading."""

    weapon_class: str
    bins: pd.DataFrame
    curve: pd.DataFrame
    odds_ratio_per_doubling: float
    odds_ratio_ci: tuple[float, float]
    p_value: float
    reference_salvo: float
    reference_rate: float
    drop: float
    threshold_salvo: float | None
    n_nights: int
    dispersion: float = field(default=1.0)

    def to_frame(self) -> pd.DataFrame:
        return self.bins.assign(weapon_class=self.weapon_class)

    def summary(self) -> str:
        lo, hi = self.odds_ratio_ci
        head = (f"{self.weapon_class}: {self.n_nights} nights; odds of a shot-down per "
                f"doubling of the salvo x{self.odds_ratio_per_doubling:.3f} "
                f"(95 % CI {lo:.3f}-{hi:.3f}, p={self.p_value:.3g}), trend controlled.")
        ref = (f" Fitted rate at the median salvo ({self.reference_salvo:.0f}): "
               f"{self.reference_rate:.1%}.")
        if self.threshold_salvo is None:
            return head + ref + f" The fitted rate never falls {self.drop:.0%} below it."
        return head + ref + (f" It falls {self.drop:.0%} below from a salvo of "
                             f"{self.threshold_salvo:.0f}.")


def saturation(weapon_class: str = "strike_drone", start=None, end=None,
               db: PathLike | None = None, drop: float = 0.05) -> SaturationResult:
    """Does the shot-down rate fall as the salvo grows? See `saturation_fit`."""
    return saturation_fit(night_classes(start, end, weapon_class, db), weapon_class, drop)


def _salvo_bins(d: pd.DataFrame) -> pd.DataFrame:
    edges = list(SALVO_BINS)
    labels = [f"{int(a)}-{int(b) - 1}" if np.isfinite(b) else f"{int(a)}+"
              for a, b in zip(edges[:-1], edges[1:], strict=True)]
    d = d.assign(salvo_bin=pd.cut(d["salvo"], edges, right=False, labels=labels))
    g = d.groupby("salvo_bin", observed=True)
    out = g.agg(nights=("salvo", "size"), median_salvo=("salvo", "median"),
                launched=("salvo", "sum"), destroyed=("destroyed", "sum")).reset_index()
    out["salvo_bin"] = out["salvo_bin"].astype(str)
    return _rate(out, "shot_down_rate", "destroyed", "launched")


def saturation_fit(frame: pd.DataFrame, weapon_class: str = "strike_drone",
                   drop: float = 0.05) -> SaturationResult:
    """Quasi-binomial GLM of destroyed / salvo on log(salvo) plus a time-trend spline.

    The odds ratio per doubling comes from that log-linear fit; the fitted curve (and the
    salvo where it falls `drop` below the rate at the median salvo) from the same model
    with a cubic spline in log(salvo), so that a fall that reverses can show.

    The salvo is the launches with a reported outcome on one night. The quasi-binomial
    scale (Pearson chi2 / df) widens the intervals for the night-to-night dispersion that
    a plain binomial would ignore. The curve holds the trend at the median night.
    """
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    d = frame[frame["weapon_class"] == weapon_class] if "weapon_class" in frame else frame
    d = d[d["launched_with_outcome"].fillna(0) > 0]
    d = pd.DataFrame({"night": d["night"].to_numpy(),
                      "salvo": d["launched_with_outcome"].to_numpy(dtype=float),
                      "destroyed": d["destroyed"].fillna(0).clip(lower=0).to_numpy(float)})
    d["destroyed"] = np.minimum(d["destroyed"], d["salvo"])
    if len(d) < 10:
        raise ValueError(f"{weapon_class}: only {len(d)} nights with a reported outcome")
    d["missed"] = d["salvo"] - d["destroyed"]
    d["t"] = _time_index(d["night"])
    formula = f"destroyed + missed ~ np.log(salvo) + {_trend_terms(len(d))}"
    fit = quasi_fit(smf.glm(formula, data=d, family=sm.families.Binomial()))
    beta = fit.params["np.log(salvo)"]
    ci = fit.conf_int(ALPHA).loc["np.log(salvo)"].to_numpy()
    # The odds ratio summarises; the curve bends with the data (a spline in log salvo).
    flexible = quasi_fit(smf.glm(formula.replace("np.log(salvo)", "bs(np.log(salvo), df=3)"),
                                 data=d, family=sm.families.Binomial()))
    curve = _saturation_curve(flexible, d)
    ref_salvo = float(d["salvo"].median())
    ref_rate = float(np.interp(np.log(ref_salvo), np.log(curve["salvo"]), curve["rate"]))
    below = curve[(curve["salvo"] > ref_salvo) & (curve["rate"] <= ref_rate - drop)]
    return SaturationResult(
        weapon_class=weapon_class, bins=_salvo_bins(d), curve=curve,
        odds_ratio_per_doubling=float(np.exp(beta * np.log(2))),
        odds_ratio_ci=tuple(float(x) for x in np.exp(ci * np.log(2))),
        p_value=float(fit.pvalues["np.log(salvo)"]), reference_salvo=ref_salvo,
        reference_rate=ref_rate, drop=drop,
        threshold_salvo=float(below["salvo"].iloc[0]) if len(below) else None,
        n_nights=len(d), dispersion=float(fit.scale))


def _saturation_curve(fit, d: pd.DataFrame) -> pd.DataFrame:
    grid = np.unique(np.round(np.geomspace(d["salvo"].min(), d["salvo"].max(), 60)))
    new = pd.DataFrame({"salvo": grid, "t": float(np.median(d["t"]))})
    pred = fit.get_prediction(new).summary_frame(alpha=ALPHA)
    return pd.DataFrame({"salvo": grid, "rate": pred["mean"].to_numpy(),
                         "rate_lo": pred["mean_ci_lower"].to_numpy(),
                         "rate_hi": pred["mean_ci_upper"].to_numpy()})


def saturation_chart(result: SaturationResult) -> go.Figure:
    import plotly.graph_objects as go

    c, b = result.curve, result.bins
    fig = go.Figure([
        go.Scatter(x=c["salvo"], y=c["rate_hi"], line={"width": 0}, showlegend=False),
        go.Scatter(x=c["salvo"], y=c["rate_lo"], fill="tonexty", line={"width": 0},
                   name="95 % band"),
        go.Scatter(x=c["salvo"], y=c["rate"], name="fitted (trend held)"),
        go.Scatter(x=b["median_salvo"], y=b["shot_down_rate"], mode="markers", name="binned",
                   error_y={"type": "data", "symmetric": False,
                            "array": b["shot_down_rate_hi"] - b["shot_down_rate"],
                            "arrayminus": b["shot_down_rate"] - b["shot_down_rate_lo"]}),
    ])
    fig.update_layout(title=f"Saturation: {result.weapon_class}", xaxis={"type": "log",
                      "title": "salvo (launched with outcome)"},
                      yaxis={"title": "shot-down rate", "tickformat": ".0%"})
    return fig


# --- 3. weapon mix and tempo ---------------------------------------------------------


def weapon_mix(by: str = "week", start=None, end=None, db: PathLike | None = None,
               long_range_only: bool = False) -> pd.DataFrame:
    """Launches per period and class, the class's share of the period and attack nights."""
    frame = night_classes(start, end, None, db)
    if long_range_only:
        frame = frame[frame["long_range"]]
    return weapon_mix_table(frame, by)


def weapon_mix_table(frame: pd.DataFrame, by: str = "week") -> pd.DataFrame:
    d = frame[frame["launched"] > 0].assign(period=lambda x: period_start(x["night"], by))
    out = d.groupby(["period", "weapon_class"], as_index=False).agg(
        launched=("launched", "sum"), nights=("night", "nunique"))
    out["share"] = out["launched"] / out.groupby("period")["launched"].transform("sum")
    return out.astype({"launched": "int64"})


def weapon_mix_chart(df: pd.DataFrame) -> go.Figure:
    import plotly.express as px

    return px.bar(df, x="period", y="launched", color="weapon_class",
                  title="Launches per period and class")


def decoy_share(by: str = "month", start=None, end=None,
                db: PathLike | None = None) -> pd.DataFrame:
    """Shahed-type strike drones vs decoys, where the reports give `is_shahed` (the number
    of Shahed-type among the drones; the rest are decoys such as Gerbera)."""
    rows = counted_rows(start, end, db)
    return decoy_table(rows, by)


def decoy_table(rows: pd.DataFrame, by: str = "month") -> pd.DataFrame:
    d = rows[rows["is_shahed"].notna() & (rows["launched"] > 0)]
    d = d.assign(period=period_start(d["night"], by),
                 shahed=np.minimum(d["is_shahed"], d["launched"]))
    out = d.groupby("period", as_index=False).agg(
        nights=("night", "nunique"), drones=("launched", "sum"), shahed=("shahed", "sum"))
    out["decoys"] = out["drones"] - out["shahed"]
    out = _rate(out, "decoy_share", "decoys", "drones")
    return out.astype({"drones": "int64", "shahed": "int64", "decoys": "int64"})


def decoy_chart(df: pd.DataFrame) -> go.Figure:
    import plotly.graph_objects as go

    fig = go.Figure([go.Bar(x=df["period"], y=df["shahed"], name="Shahed-type"),
                     go.Bar(x=df["period"], y=df["decoys"], name="decoys")])
    fig.update_layout(barmode="stack", title="Strike drones vs decoys (where reported)")
    return fig


def massive_strikes(min_missiles: int = 20, min_drones: int = 400, start=None, end=None,
                    db: PathLike | None = None) -> pd.DataFrame:
    """Nights with at least `min_missiles` missiles or `min_drones` drones (long-range),
    with the days since the previous such night."""
    return massive_table(api.nights(start, end, db=db), min_missiles, min_drones)


def massive_table(nights: pd.DataFrame, min_missiles: int = 20,
                  min_drones: int = 400) -> pd.DataFrame:
    by_missiles = nights["missiles_launched"] >= min_missiles
    by_drones = nights["drones_launched"] >= min_drones
    d = nights.loc[by_missiles | by_drones,
                   ["night", "drones_launched", "missiles_launched", "total_launched"]].copy()
    d["trigger"] = np.select(
        [by_missiles[d.index] & by_drones[d.index], by_missiles[d.index]],
        ["both", "missiles"], "drones")
    d["days_since_previous"] = d["night"].diff().dt.days.astype("Int64")
    return d.reset_index(drop=True)


def massive_chart(df: pd.DataFrame) -> go.Figure:
    import plotly.express as px

    return px.scatter(df, x="night", y="total_launched", color="trigger",
                      size="missiles_launched", title="Massive combined strikes")


def split_places(text) -> list[str]:
    """Launch areas named in a cell: "A and B oblast and C" -> ["A", "B oblast", "C"]."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return []
    return [p.strip() for p in str(text).split(" and ") if p.strip()]


def launch_areas(start=None, end=None, db: PathLike | None = None) -> pd.DataFrame:
    """Per class and launch area: nights and rows naming it, and the launches on those
    rows (shared with the other areas the row names, so they do not add up)."""
    return launch_area_table(counted_rows(start, end, db))


def launch_area_table(rows: pd.DataFrame) -> pd.DataFrame:
    d = rows.assign(place=rows["launch_place"].map(split_places)).explode("place")
    d = d[d["place"].notna()]
    out = d.groupby(["weapon_class", "place"], as_index=False).agg(
        nights=("night", "nunique"), rows=("row_id", "nunique"),
        launched_on_rows=("launched", "sum"))
    return out.sort_values(["weapon_class", "nights"], ascending=[True, False],
                           ignore_index=True)


def launch_areas_chart(df: pd.DataFrame, top: int = 15) -> go.Figure:
    import plotly.express as px

    d = df.sort_values("nights", ascending=False).groupby("weapon_class").head(top)
    return px.bar(d, x="nights", y="place", color="weapon_class", orientation="h",
                  title="Launch areas (nights named)")


# --- 4. regions ----------------------------------------------------------------------

REGION_FIELDS = ("target", "target_main", "affected_region_text")


def night_regions(start=None, end=None, db: PathLike | None = None) -> pd.DataFrame:
    """Per night and region named in target, target_main or affected region of a counted
    row: the report rows naming it. No launches per region: a report gives one national
    count for a wave that crossed many regions, and crediting that count to every region
    it names would give each one the national total."""
    return night_region_table(counted_rows(start, end, db))


def row_regions(row) -> list[str]:
    from strikescope.regions import region_tags

    tags: list[str] = []
    for name in REGION_FIELDS:
        tags.extend(region_tags(getattr(row, name, None)))
    return list(dict.fromkeys(tags))


def night_region_table(rows: pd.DataFrame) -> pd.DataFrame:
    d = rows.assign(region_id=[row_regions(r) for r in rows.itertuples(index=False)])
    d = d.explode("region_id")
    d = d[d["region_id"].notna()]
    out = d.groupby(["night", "region_id"], as_index=False).agg(rows=("row_id", "nunique"))
    return out.astype({"rows": "int64"})


def region_totals(start=None, end=None, db: PathLike | None = None,
                  night_table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per region: the nights and the report rows naming it (see `night_regions`)."""
    d = night_table if night_table is not None else night_regions(start, end, db)
    out = d.groupby("region_id", as_index=False).agg(nights=("night", "nunique"),
                                                     rows=("rows", "sum"))
    return out.sort_values("nights", ascending=False, ignore_index=True)


def region_chart(df: pd.DataFrame, measure: str = "nights") -> go.Figure:
    from strikescope.tilemap import tile_map

    return tile_map(df.set_index("region_id")[measure], title=f"Regions: {measure}")


# --- 5. shelter hours ----------------------------------------------------------------


def shelter_hours_by_night(region: str = "kyiv_city", start=None, end=None,
                           db: PathLike | None = None, alerts: pd.DataFrame | None = None,
                           min_missiles: int = 20, min_drones: int = 400) -> pd.DataFrame:
    """Hours under alert in one region per night, joined to the attack nights, with a
    `massive` flag. Nights outside the alert files (they end in 2024) are left out."""
    from strikescope.alerts import load_alerts, shelter_hours

    if alerts is None:
        alerts = load_alerts().alerts
    start, end = _alert_coverage(alerts, start, end)
    hours = shelter_hours(alerts, start, end, regions=[region], complete=True)
    nights = api.nights(start, end, db=db)
    massive = massive_table(nights, min_missiles, min_drones)
    joined = hours.merge(nights[["night", "drones_launched", "missiles_launched",
                                 "total_launched"]], on="night", how="inner")
    joined["massive"] = joined["night"].isin(massive["night"])
    return joined


def _alert_coverage(alerts: pd.DataFrame, start, end) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The requested nights cut to those the alert files cover: outside them a quiet night
    and a night without data would both read 0 hours."""
    from strikescope.alerts import night_of

    real = alerts[~alerts["permanent"]]
    if real.empty:
        raise ValueError("no alerts loaded")
    first = night_of(real["started_at"]).min()
    last = night_of(real["finished_at"]).max()
    lo = max(pd.Timestamp(start), first) if start is not None else first
    hi = min(pd.Timestamp(end), last) if end is not None else last
    if lo > hi:
        raise ValueError(f"the alert files cover nights {first:%Y-%m-%d} to {last:%Y-%m-%d}")
    return lo, hi


def shelter_comparison(df: pd.DataFrame) -> pd.DataFrame:
    """Mean hours under alert on massive vs other nights, with a t-based 95 % interval."""
    from scipy import stats

    rows = []
    for flag, sub in df.groupby("massive"):
        h = sub["hours_under_alert"].astype(float)
        half = (stats.t.ppf(1 - ALPHA / 2, len(h) - 1) * h.std(ddof=1) / np.sqrt(len(h))
                if len(h) > 1 else np.nan)
        rows.append({"massive": bool(flag), "nights": len(h), "mean_hours": h.mean(),
                     "mean_hours_lo": h.mean() - half, "mean_hours_hi": h.mean() + half,
                     "median_hours": h.median()})
    return pd.DataFrame(rows)


def shelter_chart(df: pd.DataFrame) -> go.Figure:
    import plotly.express as px

    return px.scatter(df, x="total_launched", y="hours_under_alert", color="massive",
                      hover_data=["night"], title="Hours under alert vs launches")


# --- 6. weather ----------------------------------------------------------------------

WEATHER_FACTORS: dict[str, tuple[str, float]] = {
    "night_precipitation": ("avg_night_precipitation", 0.0),
    "overcast_night": ("avg_night_cloudcover", 75.0),
    "windy_day": ("avg_windspeed", 25.0),
}


def weather_effects(start=None, end=None, db: PathLike | None = None,
                    weather: pd.DataFrame | None = None, fetch: bool = False) -> pd.DataFrame:
    """Drone shot-down rate and launch size by night weather, raw and trend-adjusted.

    The weather is `weather` if given, else fresh Open-Meteo data for the store's nights
    in the period with `fetch=True`, else the bundled file."""
    from strikescope.weather import read_weather

    nights = api.nights(start, end, db=db)
    if weather is None:
        weather = fetched_weather(nights["night"]) if fetch else read_weather()
    return weather_table(nights, weather)


def fetched_weather(nights: pd.Series) -> pd.DataFrame:
    """Open-Meteo weather for the span of `nights`; a failed request becomes a
    ConnectionError that says so, whatever layer of the HTTP stack raised it."""
    import httpx

    from strikescope import weather

    if nights.empty:
        raise ValueError("no nights in the period to fetch weather for")
    try:
        return weather.fetch_open_meteo(nights.min(), nights.max())
    except (httpx.HTTPError, RuntimeError) as exc:
        raise ConnectionError(f"could not fetch weather from Open-Meteo: {exc} (without "
                              "fetching, the bundled weather file is used)") from exc


def _weather_flags(nights: pd.DataFrame, weather: pd.DataFrame) -> pd.DataFrame:
    d = nights.merge(weather, left_on="night", right_index=True, how="inner")
    for name, (col, cut) in WEATHER_FACTORS.items():
        d[name] = np.where(d[col].isna(), np.nan, d[col] > cut)
    return d


def weather_table(nights: pd.DataFrame, weather: pd.DataFrame) -> pd.DataFrame:
    """Per weather factor and level: nights, mean launches, pooled shot-down rate (Wilson);
    and, for the factor, the trend-adjusted odds ratio of a shot-down (quasi-binomial) and
    launch ratio (quasi-Poisson) of the factor's nights against the others."""
    d = _weather_flags(nights, weather)
    out = []
    for name in WEATHER_FACTORS:
        sub = d[d[name].notna()].assign(flag=lambda x, n=name: x[n].astype(bool))
        g = sub.groupby("flag").agg(
            nights=("night", "size"), mean_total_launched=("total_launched", "mean"),
            destroyed=("drones_destroyed", "sum"),
            launched_with_outcome=("drones_launched_with_outcome", "sum")).reset_index()
        g = _rate(g, "drone_shot_down_rate", "destroyed", "launched_with_outcome")
        out.append(g.assign(factor=name, **_adjusted(sub)))
    cols = ["factor", "flag"]
    res = pd.concat(out, ignore_index=True)
    return res[cols + [c for c in res.columns if c not in cols]]


def _adjusted(sub: pd.DataFrame) -> dict[str, float]:
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    d = sub.assign(t=_time_index(sub["night"]), flag=sub["flag"].astype(int))
    trend = _trend_terms(len(d))
    res: dict[str, float] = {}
    with_out = d[d["drones_launched_with_outcome"] > 0].assign(
        k=lambda x: np.minimum(x["drones_destroyed"], x["drones_launched_with_outcome"]),
        m=lambda x: x["drones_launched_with_outcome"] - x["k"])
    res.update(_effect(smf.glm(f"k + m ~ flag + {trend}", data=with_out,
                               family=sm.families.Binomial()), "odds_ratio_adj"))
    res.update(_effect(smf.glm(f"total_launched ~ flag + {trend}", data=d,
                               family=sm.families.Poisson()), "launch_ratio_adj"))
    return res


def _effect(model, name: str) -> dict[str, float]:
    try:
        fit = quasi_fit(model)
        lo, hi = np.exp(fit.conf_int(ALPHA).loc["flag"].to_numpy())
        return {name: float(np.exp(fit.params["flag"])), f"{name}_lo": lo, f"{name}_hi": hi}
    except (ValueError, KeyError, np.linalg.LinAlgError):
        # Too few nights on one side of the factor for a fit.
        return {name: np.nan, f"{name}_lo": np.nan, f"{name}_hi": np.nan}


def weather_chart(df: pd.DataFrame) -> go.Figure:
    import plotly.graph_objects as go

    fig = go.Figure()
    for flag, sub in df.groupby("flag"):
        fig.add_trace(go.Bar(
            x=sub["factor"], y=sub["drone_shot_down_rate"],
            name="nights with it" if flag else "nights without it",
            error_y={"type": "data", "symmetric": False,
                     "array": sub["drone_shot_down_rate_hi"] - sub["drone_shot_down_rate"],
                     "arrayminus": sub["drone_shot_down_rate"]
                     - sub["drone_shot_down_rate_lo"]}))
    fig.update_layout(barmode="group", title="Drone shot-down rate by night weather",
                      yaxis={"tickformat": ".0%"})
    return fig


# --- 7. the report -------------------------------------------------------------------


@dataclass
class ChartSpec:
    """One chart in both renderings: the plotly figure (HTML) and a matplotlib drawing of
    the same data (PNG), because plotly's own static export needs kaleido and a browser."""

    figure: go.Figure
    draw_png: Callable[[Path], Path]


CHART_SUFFIXES = (".html", ".png")


def chart_suffix(path: PathLike) -> str:
    """The chart format a path asks for; ValueError for anything but .html or .png."""
    suffix = Path(path).suffix.lower()
    if suffix not in CHART_SUFFIXES:
        raise ValueError(f"chart file {os.fspath(path)!r}: the suffix must be one of "
                         f"{', '.join(CHART_SUFFIXES)}")
    return suffix


def save_chart(chart: ChartSpec | go.Figure, path: PathLike) -> Path:
    """Write a chart by the path's suffix: `.html` is the interactive figure with plotly's
    JavaScript inlined (works offline), `.png` the matplotlib drawing. A bare figure has
    no PNG drawing, so it can only be written as HTML."""
    path = Path(path)
    suffix = chart_suffix(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".html":
        figure = chart.figure if isinstance(chart, ChartSpec) else chart
        figure.write_html(path, include_plotlyjs=True)
    elif isinstance(chart, ChartSpec):
        chart.draw_png(path)
    else:
        raise ValueError("a PNG needs a ChartSpec (e.g. defense_chart_spec(df)); "
                         "a plotly figure alone can only be saved as .html")
    return path


def _spec(figure: go.Figure, df: pd.DataFrame, x: str, y: str, hue: str | None,
          title: str, kind: str = "line") -> ChartSpec:
    return ChartSpec(figure, lambda path: _png(df, x, y, hue, path, title, kind))


def defense_chart_spec(df: pd.DataFrame) -> ChartSpec:
    title = "Stopped rate (shot down + lost) per period; shaded: how the reports count"
    return ChartSpec(defense_chart(df), lambda path: _png(
        df, "period", "stopped_rate", "weapon_class", path, title, bands="stopped_rate"))


def saturation_chart_spec(result: SaturationResult) -> ChartSpec:
    return _spec(saturation_chart(result), result.curve, "salvo", "rate", None,
                 result.summary()[:90])


def weapon_mix_chart_spec(df: pd.DataFrame) -> ChartSpec:
    return _spec(weapon_mix_chart(df), df, "period", "launched", "weapon_class",
                 "Launches per period and class")


def decoy_chart_spec(df: pd.DataFrame) -> ChartSpec:
    return _spec(decoy_chart(df), df, "period", "decoy_share", None,
                 "Share of decoys among drones")


def massive_chart_spec(df: pd.DataFrame) -> ChartSpec:
    return _spec(massive_chart(df), df, "night", "total_launched", "trigger",
                 "Massive strikes", "scatter")


def launch_areas_chart_spec(df: pd.DataFrame) -> ChartSpec:
    top = df.sort_values("nights", ascending=False).head(20)
    return _spec(launch_areas_chart(df), top, "place", "nights", "weapon_class",
                 "Launch areas", "barh")


def region_chart_spec(df: pd.DataFrame, measure: str = "nights") -> ChartSpec:
    from strikescope.tilemap import tile_map_png

    values = df.set_index("region_id")[measure]
    return ChartSpec(region_chart(df, measure), lambda path: tile_map_png(
        values, path, title=f"Regions: {measure}"))


def shelter_chart_spec(df: pd.DataFrame, region: str = "") -> ChartSpec:
    title = f"{region}: hours under alert" if region else "Hours under alert"
    return _spec(shelter_chart(df), df, "total_launched", "hours_under_alert", "massive",
                 title, "scatter")


def weather_chart_spec(df: pd.DataFrame) -> ChartSpec:
    return ChartSpec(weather_chart(df), lambda path: _weather_png(df, path))


def _weather_png(df: pd.DataFrame, path: Path) -> Path:
    """Drone shot-down rate on nights with and without each weather factor, with the
    Wilson intervals, on a 0-100 % axis."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    factors = list(dict.fromkeys(df["factor"]))
    for k, (flag, label) in enumerate(((False, "nights without it"), (True, "nights with it"))):
        sub = df[df["flag"].astype(bool) == flag].set_index("factor").reindex(factors)
        pos = np.arange(len(factors)) + (k - 0.5) * 0.38
        rate = sub["drone_shot_down_rate"].to_numpy(dtype=float)
        err = [rate - sub["drone_shot_down_rate_lo"].to_numpy(dtype=float),
               sub["drone_shot_down_rate_hi"].to_numpy(dtype=float) - rate]
        ax.bar(pos, rate, width=0.38, yerr=err, capsize=3, label=label,
               color=SERIES_COLORS[k])
    ax.set_xticks(np.arange(len(factors)), [f.replace("_", " ") for f in factors])
    _png_axis(ax, "drone_shot_down_rate")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title("Drone shot-down rate by night weather (95 % intervals)")
    ax.set_xlabel("weather factor of the night")
    ax.set_ylabel("drones shot down (%)")
    fig.text(0.01, 0.005, SOURCE, fontsize=7, color="#555555")
    fig.savefig(path, bbox_inches="tight")
    return path


# More series than this on one line chart are drawn as small multiples, one panel each.
MAX_LINES = 4
# Measures that are shares: drawn from 0 to 100 % so that no axis is cut.
SHARES = {"stopped_rate", "shot_down_rate", "drone_shot_down_rate", "decoy_share", "rate",
          "ew_loss_rate"}


def _png(df: pd.DataFrame, x: str, y: str, hue: str | None, path: Path, title: str,
         kind: str = "line", bands: str | None = None) -> Path:
    """A static chart of `y` against `x`, one colour per weapon class when `hue` names
    classes; a line chart with many series becomes small multiples on a shared y axis;
    shares run from 0 to 100 %. `bands`: shade the reporting regimes affecting that
    measure (a date x axis). The source line is drawn under it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    groups = list(df.groupby(hue)) if hue else [("", df)]
    panels = groups if kind == "line" and len(groups) > MAX_LINES else [(None, df)]
    cols = min(3, len(panels))
    rows = -(-len(panels) // cols)
    fig = Figure(figsize=(10 if cols == 1 else 4 * cols, 5 if rows == 1 else 2.6 * rows + 1),
                 dpi=100)
    FigureCanvasAgg(fig)
    # shares on one 0-100 % scale; counts each on their own (thousands of drones would
    # flatten a class launched a few times)
    axes = fig.subplots(rows, cols, sharex=True, sharey=y in SHARES, squeeze=False).ravel()
    for ax, (panel, sub) in zip(axes, panels, strict=False):
        if bands and len(sub):
            _png_bands(ax, df[x].min(), df[x].max(), bands)
        shown = [(panel, sub)] if panel is not None else groups
        _png_series(ax, shown, x, y, kind)
        if panel is not None:
            ax.set_title(str(panel).replace("_", " "), fontsize=9)
        _png_axis(ax, y)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    if hue and len(panels) == 1:
        axes[0].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    elif bands:  # small multiples: one legend for the shaded reporting regimes
        handles, labels = axes[0].get_legend_handles_labels()
        keep = [(h, lab) for h, lab in zip(handles, labels, strict=True)
                if lab != str(panels[0][0]).replace("_", " ")]
        if keep:
            fig.legend(*zip(*keep, strict=True), fontsize=7, loc="lower right", ncols=3)
    if pd.api.types.is_datetime64_any_dtype(df[x]):
        fig.autofmt_xdate()
    fig.suptitle(title)
    fig.supxlabel(x.replace("_", " "))
    fig.supylabel(y.replace("_", " ") + (" (%)" if y in SHARES else ""))
    fig.text(0.01, 0.005, SOURCE, fontsize=7, color="#555555")
    fig.savefig(path, bbox_inches="tight")
    return path


def _png_series(ax, groups, x: str, y: str, kind: str) -> None:
    for name, sub in groups:
        color = class_color(name)
        label = str(name).replace("_", " ")
        if kind == "scatter":
            ax.scatter(sub[x], sub[y], label=label, s=12, color=color)
        elif kind == "barh":
            ax.barh(sub[x].astype(str), sub[y], label=label, color=color)
        else:
            ax.plot(sub[x], sub[y], marker="o", ms=3, label=label, color=color)


def _png_axis(ax, y: str) -> None:
    from matplotlib.ticker import PercentFormatter

    if y in SHARES:
        ax.set_ylim(0, 1.02)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    else:
        ax.set_ylim(bottom=0)
    ax.tick_params(labelsize=7)


def _png_bands(ax, first, last, measure: str) -> None:
    from strikescope.regimes import COLORS, regimes

    lo, hi = pd.Timestamp(first), pd.Timestamp(last)
    for i, r in enumerate(regimes(measure).itertuples()):
        x0 = max(lo, r.first_night) if pd.notna(r.first_night) else lo
        x1 = min(hi, r.last_night) if pd.notna(r.last_night) else hi
        if x0 <= x1:
            ax.axvspan(x0, x1, color=("0.85", "#cfe2f3", "#fde5cc")[i % len(COLORS)],
                       zorder=0, lw=0, label=r.label)


def _write(out: Path, name: str, df: pd.DataFrame, spec: ChartSpec) -> list[Path]:
    csv = out / f"{name}.csv"
    csvsafe.to_csv(df, csv)
    return [csv, save_chart(spec, out / f"{name}.png"), save_chart(spec, out / f"{name}.html")]


def _steps(start, end, db, alerts_paths) -> list[tuple[str, Callable[[Path], list[Path]]]]:
    def defense_step(out):
        d = defense("month", None, start, end, db)
        return _write(out, "defense", d, defense_chart_spec(d))

    def saturation_step(out):
        r = saturation("strike_drone", start, end, db)
        (out / "saturation.txt").write_text(r.summary() + "\n", encoding="utf-8")
        csvsafe.to_csv(r.curve, out / "saturation_curve.csv")
        return _write(out, "saturation", r.to_frame(), saturation_chart_spec(r)) + [
            out / "saturation.txt", out / "saturation_curve.csv"]

    def mix_step(out):
        d = weapon_mix("week", start, end, db)
        return _write(out, "weapon_mix", d, weapon_mix_chart_spec(d))

    def decoy_step(out):
        d = decoy_share("month", start, end, db)
        return _write(out, "decoy_share", d, decoy_chart_spec(d))

    def massive_step(out):
        d = massive_strikes(start=start, end=end, db=db)
        return _write(out, "massive_strikes", d, massive_chart_spec(d))

    def areas_step(out):
        d = launch_areas(start, end, db)
        return _write(out, "launch_areas", d, launch_areas_chart_spec(d))

    def regions_step(out):
        nr = night_regions(start, end, db)
        csvsafe.to_csv(nr, out / "night_regions.csv")
        d = region_totals(night_table=nr)
        return _write(out, "regions", d, region_chart_spec(d)) + [out / "night_regions.csv"]

    def shelter_step(out):
        from strikescope.alerts import load_alerts

        d = shelter_hours_by_night("kyiv_city", start, end, db,
                                   load_alerts(alerts_paths).alerts)
        csvsafe.to_csv(shelter_comparison(d), out / "shelter_comparison.csv")
        return _write(out, "shelter_kyiv_city", d, shelter_chart_spec(d, "Kyiv")) + [
            out / "shelter_comparison.csv"]

    def weather_step(out):
        d = weather_effects(start, end, db)
        return _write(out, "weather_effects", d, weather_chart_spec(d))

    return [("defense", defense_step), ("saturation", saturation_step),
            ("weapon mix", mix_step), ("decoys", decoy_step), ("massive strikes", massive_step),
            ("launch areas", areas_step), ("regions", regions_step),
            ("shelter hours", shelter_step), ("weather", weather_step)]


def campaign_report(start, end, out_dir: PathLike, db: PathLike | None = None,
                    progress: ProgressFn | None = None,
                    alerts_paths: Sequence[PathLike] | None = None) -> list[Path]:
    """Write every table (CSV) and chart (PNG and self-contained HTML) into `out_dir`.

    A section that has no data in the period (e.g. shelter hours after the alert files
    end) is recorded in `skipped.txt` instead of failing the whole report.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    steps = _steps(start, end, db, alerts_paths)
    written: list[Path] = []
    skipped: list[str] = []
    for i, (label, step) in enumerate(steps):
        if progress:
            progress(label, i / len(steps))
        try:
            written.extend(step(out))
        except (ValueError, KeyError, FileNotFoundError) as exc:
            skipped.append(f"{label}: {exc}")
    if skipped:
        (out / "skipped.txt").write_text("\n".join(skipped) + "\n", encoding="utf-8")
        written.append(out / "skipped.txt")
    from strikescope.report_index import finish_report  # one plotly.js, an index page

    written += finish_report(out, written, start, end)
    if progress:
        progress("done", 1.0)
    return written
