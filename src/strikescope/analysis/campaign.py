"""Campaign analytics: defenses, saturation, weapon mix, regions, shelter hours, weather.

Every function returns a DataFrame (or a dataclass with `to_frame()` and `summary()`);
`strikescope.render.campaign` draws them: `*_chart(df)` as a plotly figure, `*_chart_spec(df)`
with a matplotlib drawing too, so that `save_chart` can write `.html` or `.png`.
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
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import strikescope.api as api
from strikescope.errors import FetchError, InputError

PathLike = str | os.PathLike

PERIODS = {"week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}
ALPHA = 0.05
SALVO_BINS = (1, 10, 25, 50, 100, 200, 400, 800, np.inf)
# The saturation fit needs at least this many nights with a reported outcome.
MIN_SATURATION_NIGHTS = 10


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
        raise InputError(f"unknown period {by!r}; use one of {sorted(PERIODS)}")
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
    with api.reading(db) as store:
        frame = store.con.execute(
            "SELECT night, weapon_class, kind, long_range, launched, launched_with_outcome, "
            "destroyed, not_reach_goal, launched_with_lost, reached FROM night_classes "
            f"WHERE {where} ORDER BY night, weapon_class", params).df()
    frame["night"] = pd.to_datetime(frame["night"])
    return frame


def counted_rows(start=None, end=None, db: PathLike | None = None) -> pd.DataFrame:
    """Counted report rows with their night, launched count and free-text fields."""
    where, params = _bounds(start, end)
    with api.reading(db) as store:
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
    stopped = d["destroyed"].fillna(0) + d["not_reach_goal"].fillna(0)
    # A night and class whose reports give more shot down (and lost) than launched is left
    # out of the rates, as the night page leaves such rows out: its figures are wrong in
    # some way the data cannot tell, and clipping them would lift the period's rate.
    odd = (lwo > 0) & (stopped > lwo)
    lwo = lwo.where(~odd, 0)
    lwl = lwl.where(~(odd | (d["not_reach_goal"].fillna(0) > lwl)), 0)
    d = d.assign(
        launched_with_outcome=lwo,
        # the lost figure of the rows with a shot-down figure, the stopped rate's numerator
        stopped=stopped.where(lwo > 0, 0),
        destroyed=d["destroyed"].fillna(0).where(lwo > 0, 0),
        reached=d["reached"].fillna(0).where(lwo > 0, 0),
        launched_with_lost=lwl,
        # Only nights that reported the lost figure may enter the EW rate.
        not_reach_goal=d["not_reach_goal"].fillna(0).where(lwl > 0, 0),
        night_no_outcome=(d["launched"] > 0) & (lwo <= 0) & ~odd,
        night_no_lost=(d["launched"] > 0) & (lwl <= 0) & ~odd,
        night_odd=odd,
    )
    cols = ["launched", "launched_with_outcome", "destroyed", "stopped", "reached",
            "launched_with_lost", "not_reach_goal", "night_no_outcome", "night_no_lost",
            "night_odd"]
    g = d.groupby(["period", "weapon_class"], as_index=False)
    out = g[cols].sum().astype({c: "int64" for c in cols})
    out.insert(2, "nights", g.size()["size"].to_numpy())
    out.insert(3, "regimes", _period_regimes(d, g))
    out = out.rename(columns={"night_no_outcome": "nights_without_outcome",
                              "night_no_lost": "nights_without_lost",
                              "night_odd": "nights_more_stopped_than_launched"})
    out = _rate(out, "shot_down_rate", "destroyed", "launched_with_outcome")
    out = _rate(out, "ew_loss_rate", "not_reach_goal", "launched_with_lost")
    out = _rate(out, "stopped_rate", "stopped", "launched_with_outcome")
    return _rate(out, "reached_rate", "reached", "launched_with_outcome")


def _period_regimes(d: pd.DataFrame, g) -> list[str]:
    """The reporting regimes of each group's nights, '+'-joined in time order."""
    from strikescope.rules.regimes import regime_of

    d = d.assign(regime=regime_of(d["night"]).to_numpy())
    return [" + ".join(dict.fromkeys(r for r in d.loc[idx, "regime"].sort_index() if r))
            for idx in g.groups.values()] if len(d) else []


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


def saturation_nights(start=None, end=None, weapon_class: str = "strike_drone",
                      db: PathLike | None = None) -> int:
    """The nights `saturation_fit` would fit over the range (those of the class with a
    reported outcome), counted in the store without reading them: a page tells a range
    too short for the fit before it asks for the chart."""
    where, params = _bounds(start, end)
    with api.reading(db) as store:
        row = store.con.execute(
            "SELECT count(*) FROM night_classes WHERE weapon_class = ? "
            f"AND launched_with_outcome > 0 AND {where}", [weapon_class, *params]).fetchone()
    return int(row[0]) if row else 0


def too_few_for_saturation(weapon_class: str, nights: int) -> str:
    return (f"{weapon_class.replace('_', ' ')}: only {nights} nights with a reported outcome; "
            f"the saturation fit needs at least {MIN_SATURATION_NIGHTS} (choose a longer range)")


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
    if len(d) < MIN_SATURATION_NIGHTS:
        raise InputError(too_few_for_saturation(weapon_class, len(d)))
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
        odds_ratio_ci=(float(np.exp(ci[0] * np.log(2))), float(np.exp(ci[1] * np.log(2)))),
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


# --- 5. shelter hours ----------------------------------------------------------------


def shelter_hours_by_night(region: str = "kyiv_city", start=None, end=None,
                           db: PathLike | None = None, alerts: pd.DataFrame | None = None,
                           min_missiles: int = 20, min_drones: int = 400) -> pd.DataFrame:
    """Hours under alert in one region per night, joined to the attack nights, with a
    `massive` flag. Nights outside the alert files (they end in 2024) are left out."""
    from strikescope.analysis.alerts import load_alerts, shelter_hours

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
    from strikescope.analysis.alerts import night_of

    real = alerts[~alerts["permanent"]]
    if real.empty:
        raise InputError("no alerts loaded")
    first = night_of(real["started_at"]).min()
    last = night_of(real["finished_at"]).max()
    lo = max(pd.Timestamp(start), first) if start is not None else first
    hi = min(pd.Timestamp(end), last) if end is not None else last
    if lo > hi:
        raise InputError(f"the alert files cover nights {first:%Y-%m-%d} to {last:%Y-%m-%d}")
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
        raise InputError("no nights in the period to fetch weather for")
    try:
        return weather.fetch_open_meteo(nights.min(), nights.max())
    except (httpx.HTTPError, FetchError) as exc:
        raise FetchError(f"could not fetch weather from Open-Meteo: {exc} (without "
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
