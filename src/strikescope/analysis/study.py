"""Event studies: did the strikes change around diplomatic events?

Windows, for an event dated E (night E = Kyiv 18:00 on E-1 to 18:00 on E):

* before  = nights E-w .. E-1 (all ended before the day of the event);
* day-of  = night E, kept apart because a call in the afternoon of E falls inside it, so it
  is neither clearly before nor clearly after;
* after   = nights E+1 .. E+w (the night ending E+1 is the first full night after a call
  made during day E).

Three answers, side by side:

1. the naive pooled ratio (sum after / sum before over all events, the figure the news
   quotes) and per-event before/after sums;
2. a negative binomial regression on the nightly series with a B-spline trend, day-of-week
   dummies and 0/1 window indicators (a night in two after-windows is still 1), with HAC
   (Newey-West, 7 lags) intervals; the interception rate uses a binomial GLM instead;
3. a placebo test: the per-event statistic (log ratio after/before for counts, rate
   difference for the interception rate) averaged over events, against the same
   statistic at pseudo-event dates drawn from the study period and matched, event by
   event, on the local level (mean of the 28 nights before the date), so the placebo
   sets share the trend and the autocorrelation of the real ones.

Events on the same night are one event date. Everything random takes an explicit seed.
"""

from __future__ import annotations

import math
import os
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from strikescope.errors import InputError
from strikescope.taxonomy import CLASSES

COUNT_METRICS = {
    "drones": ("drones_launched",),
    "missiles": ("missiles_launched",),
    "total": ("total_launched",),
    "reached": ("drones_reached", "missiles_reached"),
    "kyiv": ("kyiv_targeted",),
}
RATE_METRICS = {"interception": ("drones_destroyed", "drones_launched_with_outcome")}
METRICS = (*COUNT_METRICS, "interception", *CLASSES)
WINDOWS = (1, 3, 7, 14)
LEVEL_NIGHTS = 28
POOL_SIZE = 60
MARGIN_NIGHTS = 180
HAC_LAGS = 7
SMOOTH = 0.5  # added to both window sums so a quiet week does not give log(0)
# One number of placebo sets for every caller (CLI, web, brief, Python): with the same seed
# the same question then gives the same p everywhere.
N_PLACEBO = 10_000
CACHE_SIZE = 64


# --------------------------------------------------------------------------- metrics


@dataclass
class MetricData:
    """A nightly series for one metric; `denominator` is set for rates."""

    name: str
    values: pd.Series
    denominator: pd.Series | None = None

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None


def metric_data(nights: pd.DataFrame, metric: str) -> MetricData:
    """The nightly series of `metric` from a `strikescope.nights()` frame."""
    df = nights.set_index("night").sort_index()
    if metric in RATE_METRICS:
        num, den = RATE_METRICS[metric]
        return MetricData(metric, df[num].astype(float), df[den].astype(float))
    cols = COUNT_METRICS.get(metric) or ((f"{metric}_launched",) if metric in CLASSES else None)
    if cols is None:
        raise InputError(f"unknown metric {metric!r} (valid: {', '.join(METRICS)})")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError(f"metric {metric!r} needs column(s) {missing}, not in this store")
    values = df[list(cols)].astype(float)
    if metric == "reached":
        # reached = launched - shot down - lost can go negative on nights whose reports
        # claim more shot down than launched; a night cannot have negative hits
        values = values.clip(lower=0)
    return MetricData(metric, values.sum(axis=1))


# ------------------------------------------------------------------- window arithmetic


def _cumsum(values: np.ndarray) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(values)])


def window_sums(cs: np.ndarray, pos: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Before (pos-w .. pos-1) and after (pos+1 .. pos+w) sums by cumulative-sum lookups;
    works for any shape of `pos`."""
    before = cs[pos] - cs[pos - window]
    after = cs[pos + 1 + window] - cs[pos + 1]
    return before, after


def event_stats(
    cs: np.ndarray, pos: np.ndarray, window: int, cs_den: np.ndarray | None = None
) -> np.ndarray:
    """Per-event statistic: log((after + 0.5) / (before + 0.5)) for counts, the rate
    after minus the rate before for rates (NaN when a window has no launches)."""
    before, after = window_sums(cs, pos, window)
    if cs_den is None:
        return np.log((after + SMOOTH) / (before + SMOOTH))
    den_b, den_a = window_sums(cs_den, pos, window)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((den_a > 0) & (den_b > 0), after / den_a - before / den_b, np.nan)


def valid_positions(n: int, window: int) -> np.ndarray:
    """Positions whose before and after windows both fit in a series of length n."""
    return np.arange(window, n - window)


def local_level(
    values: np.ndarray, denominator: np.ndarray | None = None, nights: int = LEVEL_NIGHTS
) -> np.ndarray:
    """Mean of the `nights` nights before each position (fewer at the start); for rates
    the pooled rate over those nights."""
    cs = _cumsum(values)
    pos = np.arange(len(values))
    lo = np.maximum(pos - nights, 0)
    total = cs[pos] - cs[lo]
    if denominator is None:
        return total / np.maximum(pos - lo, 1)
    cs_d = _cumsum(denominator)
    den = cs_d[pos] - cs_d[lo]
    return np.where(den > 0, total / np.where(den > 0, den, 1), np.nan)


def matched_pools(
    level: np.ndarray, event_pos: np.ndarray, candidates: np.ndarray, pool_size: int = POOL_SIZE
) -> np.ndarray:
    """For each event, the `pool_size` candidate positions with the closest local level
    (on the log scale, so 10 vs 20 is as far apart as 200 vs 400)."""
    scale = np.log1p(np.nan_to_num(np.maximum(level, 0), nan=0.0))
    k = min(pool_size, len(candidates))
    dist = np.abs(scale[candidates][None, :] - scale[event_pos][:, None])
    order = np.argsort(dist, axis=1, kind="stable")[:, :k]
    return candidates[order]


def placebo_distribution(
    values: np.ndarray,
    event_pos: np.ndarray,
    window: int,
    n_placebo: int,
    seed: int,
    denominator: np.ndarray | None = None,
    pool_size: int = POOL_SIZE,
) -> np.ndarray:
    """The mean event statistic for `n_placebo` sets of level-matched pseudo-event dates
    (one pseudo-date per event, drawn from that event's pool), fully vectorised."""
    rng = np.random.default_rng(seed)
    cands = valid_positions(len(values), window)
    pools = matched_pools(local_level(values, denominator), event_pos, cands, pool_size)
    pick = rng.integers(0, pools.shape[1], size=(n_placebo, len(event_pos)))
    cs_den = None if denominator is None else _cumsum(denominator)
    # The statistic depends only on the date, so compute it once per pool member and
    # let each placebo set be a single gather.
    pool_stats = event_stats(_cumsum(values), pools, window, cs_den)
    stats = pool_stats[np.arange(len(event_pos))[None, :], pick]
    with np.errstate(invalid="ignore"):
        if denominator is None:
            return stats.mean(axis=1)
        return np.nanmean(stats, axis=1)


def placebo_p(observed: float, placebo: np.ndarray) -> tuple[float, float]:
    """(one-sided p for an increase, two-sided p) with the +1 correction:
    (1 + #placebo at least as extreme) / (1 + n)."""
    placebo = placebo[~np.isnan(placebo)]
    n = len(placebo)
    upper = (1 + np.sum(placebo >= observed)) / (1 + n)
    lower = (1 + np.sum(placebo <= observed)) / (1 + n)
    return float(upper), float(min(1.0, 2 * min(upper, lower)))


# ------------------------------------------------------------------------- overlaps


def overlaps(
    event_pos: np.ndarray, labels: Sequence[str], index: pd.DatetimeIndex, window: int
) -> pd.DataFrame:
    """Pairs of events whose before..after spans share nights, with how many."""
    rows = []
    for i in range(len(event_pos)):
        for j in range(i + 1, len(event_pos)):
            lo = max(event_pos[i], event_pos[j]) - window
            hi = min(event_pos[i], event_pos[j]) + window
            if hi >= lo:
                rows.append(
                    {
                        "event_a": labels[i],
                        "event_b": labels[j],
                        "date_a": index[event_pos[i]],
                        "date_b": index[event_pos[j]],
                        "shared_nights": int(hi - lo + 1),
                    }
                )
    return pd.DataFrame(rows, columns=["event_a", "event_b", "date_a", "date_b", "shared_nights"])


def window_indicators(n: int, event_pos: np.ndarray, window: int) -> pd.DataFrame:
    """0/1 per night: in some before-window, on an event night, in some after-window.
    A night in two windows of the same kind is still 1."""
    out = np.zeros((n, 3))
    for p in event_pos:
        out[max(p - window, 0) : p, 0] = 1
        out[p, 1] = 1
        out[p + 1 : min(p + 1 + window, n), 2] = 1
    return pd.DataFrame(out, columns=["before", "day_of", "after"])


# --------------------------------------------------------------------------- model


@dataclass
class ModelEstimate:
    """The after-window effect: rate ratio (odds ratio for rates) with a 95 % interval."""

    ratio: float
    low: float
    high: float
    p: float
    alpha: float | None
    family: str
    trend_df: int

    @property
    def pct(self) -> float:
        return 100 * (self.ratio - 1)


def _design(
    index: pd.DatetimeIndex, event_pos: np.ndarray, window: int, trend_df: int
) -> pd.DataFrame:
    """Intercept, B-spline trend, day-of-week dummies and the window indicators."""
    from strikescope.analysis.glm import bspline_basis

    t = np.arange(len(index), dtype=float)
    basis = bspline_basis(t, trend_df, degree=3)
    trend = pd.DataFrame(basis, columns=[f"trend_{i}" for i in range(basis.shape[1])])
    trend.insert(0, "Intercept", 1.0)
    dow = pd.get_dummies(index.day_of_week, prefix="dow", drop_first=True, dtype=float)
    dow.index = trend.index
    ind = window_indicators(len(index), event_pos, window)
    ind.index = trend.index
    return pd.concat([trend, dow, ind], axis=1)


def trend_df_for(n: int) -> int:
    # One spline degree of freedom per ~45 nights: follows seasons and escalations while
    # staying stiffer than a 2 x 14-night event window.
    return int(min(max(4, round(n / 45)), 40))


def fit_model(metric: MetricData, event_pos: np.ndarray, window: int) -> ModelEstimate:
    """Negative binomial (counts) or binomial (rates) GLM with HAC errors."""
    # written out in `glm` (statsmodels' estimates to rounding): importing statsmodels and
    # scipy.stats was most of a first study's time
    from strikescope.analysis import glm

    index = pd.DatetimeIndex(metric.values.index)
    tdf = trend_df_for(len(index))
    X = _design(index, event_pos, window, tdf)
    after = X.columns.get_loc("after")
    y = metric.values.to_numpy(float)
    if metric.denominator is not None:  # a rate
        n = metric.denominator.to_numpy(float)
        keep = n > 0
        y = np.minimum(y, n)  # a shot-down figure above the launches is a flagged report
        res = glm.fit(y[keep] / n[keep], X.to_numpy()[keep], glm.Binomial(), n[keep],
                      hac_lags=HAC_LAGS)
        return _estimate(res, after, None, "binomial (odds ratio)", tdf)
    alpha = _nb_alpha(y, X.to_numpy())
    res = glm.fit(y, X.to_numpy(), glm.NegativeBinomial(alpha), hac_lags=HAC_LAGS)
    return _estimate(res, after, alpha, "negative binomial (rate ratio)", tdf)


def _nb_alpha(y: np.ndarray, X: np.ndarray) -> float:
    """Moment estimate of the NB2 dispersion from a Poisson fit (Cameron-Trivedi
    auxiliary regression of (y - mu)^2 - y on mu^2, no intercept)."""
    from strikescope.analysis import glm

    mu = glm.fit(y, X, glm.Poisson()).fitted
    return float(max(np.sum((y - mu) ** 2 - y) / np.sum(mu**2), 1e-4))


def _estimate(res, col: int, alpha: float | None, family: str, tdf: int) -> ModelEstimate:
    b, se = float(res.params[col]), float(res.bse[col])
    return ModelEstimate(
        math.exp(b),
        math.exp(b - 1.96 * se),
        math.exp(b + 1.96 * se),
        float(res.pvalues[col]),
        alpha,
        family,
        tdf,
    )


# -------------------------------------------------------------------------- result


@dataclass
class StudyResult:
    """Everything one event study found; `summary()` is the plain-language answer."""

    metric: str
    window: int
    events: pd.DataFrame
    naive_before: float
    naive_after: float
    observed: float
    placebo: np.ndarray
    p_upper: float
    p_value: float
    model: ModelEstimate | None
    overlaps: pd.DataFrame
    series: pd.Series
    dropped: list[str] = field(default_factory=list)
    is_rate: bool = False
    seed: int = 0

    @property
    def naive_ratio(self) -> float:
        """Sum after / sum before over all events (pooled rate after / before for rates)."""
        return self.naive_after / self.naive_before if self.naive_before else math.nan

    @property
    def placebo_excess(self) -> float:
        """Observed statistic minus the placebo mean: the change beyond what same-level
        dates show anyway (log ratio for counts, rate points for rates)."""
        return float(self.observed - np.nanmean(self.placebo))

    def to_frame(self) -> pd.DataFrame:
        return self.events.copy()

    @property
    def verdict(self) -> str:
        return verdict(self)

    def summary(self) -> str:
        return _summary_text(self)

    @property
    def regimes_spanned(self) -> list[str]:
        """The reporting regimes the study period crosses, for the metric they affect."""
        return _regimes_spanned(self)


def _fmt_pct(x: float) -> str:
    return f"{100 * (x - 1):+.1f} %"


def _dates(n: int) -> str:
    return f"{n} event date" if n == 1 else f"{n} event dates"


def verdict(r: StudyResult) -> str:
    """Never more than the evidence: a change is claimed only when the model interval
    excludes no change AND the placebo test agrees (two-sided p < 0.05)."""
    n = _dates(len(r.events))
    what = "interception rate" if r.is_rate else f"{r.metric} launched"
    tail = f"placebo p = {r.p_value:.3f} ({len(r.placebo):,} level-matched placebo sets)"
    if r.model is None:
        return f"{what}: naive ratio {_fmt_pct(r.naive_ratio)}; {tail}."
    m = r.model
    est = f"{m.pct:+.1f} % (95 % interval {_fmt_pct(m.low)} to {_fmt_pct(m.high)})"
    unit = " in the odds of interception" if r.is_rate else ""
    model_says = m.low > 1 or m.high < 1
    if model_says and r.p_value < 0.05:
        word = "an increase" if m.ratio > 1 else "a decrease"
        return (
            f"Over the {r.window} nights after {n}, {what}: consistent "
            f"with {word} of {est}{unit}; {tail}. A timing association, not proof "
            "that the events caused it."
        )
    if model_says or r.p_value < 0.05:
        return (
            f"Over the {r.window} nights after {n}, {what}: mixed "
            f"evidence, the model gives {est}{unit} but {tail}; "
            "treat as no firm evidence of a change."
        )
    return (
        f"Over the {r.window} nights after {n}, {what}: no evidence of "
        f"a change (model {est}{unit}; {tail})."
    )


def _regimes_spanned(r: StudyResult) -> list[str]:
    """The reporting regimes the study period crosses, for the rate metric they affect."""
    if r.metric != "interception" or r.series.empty:
        return []
    from strikescope.rules.regimes import regimes_between

    return regimes_between(r.series.index.min(), r.series.index.max(), "shot_down_rate")


def _summary_text(r: StudyResult) -> str:
    rate = r.is_rate
    fmt = (lambda v: f"{v:.1%}") if rate else (lambda v: f"{v:,.0f}")
    lines = [
        f"Event study: {r.metric}, window {r.window} night{'s' * (r.window != 1)}, "
        f"{_dates(len(r.events))}, nights {r.series.index.min():%Y-%m-%d} .. "
        f"{r.series.index.max():%Y-%m-%d}.",
        f"Naive pooled (the news method): before {fmt(r.naive_before)}, after "
        f"{fmt(r.naive_after)}, ratio {r.naive_ratio:.3f} ({_fmt_pct(r.naive_ratio)}).",
    ]
    if r.model is not None:
        m = r.model
        lines.append(
            f"Model ({m.family}, trend df {m.trend_df}, day of week, HAC "
            f"{HAC_LAGS} lags): after-window {m.ratio:.3f} "
            f"[{m.low:.3f}, {m.high:.3f}], p = {m.p:.3f}."
        )
    lines.append(
        f"Placebo: observed statistic {r.observed:+.3f} vs placebo mean "
        f"{np.nanmean(r.placebo):+.3f}; p(increase) = {r.p_upper:.3f}, "
        f"two-sided p = {r.p_value:.3f} (seed {r.seed})."
    )
    if len(r.overlaps):
        lines.append(
            f"Overlapping windows: {len(r.overlaps)} "
            f"{'pair' if len(r.overlaps) == 1 else 'pairs'} of events share nights; "
            "in the model a night in two windows counts once."
        )
    if r.dropped:
        lines.append(f"Left out (windows outside the data): {', '.join(r.dropped)}.")
    spans = _regimes_spanned(r)
    if len(spans) > 1:
        lines.append(
            f"Reporting changed inside the study period ({', '.join(spans)}; see "
            "data/regimes.csv): the shot-down share moves with the reporting, so a change "
            "around the events may be the reporting's."
        )
    lines.append("Verdict: " + r.verdict)
    return "\n".join(lines)


# -------------------------------------------------------------------------- engine


def _event_positions(index: pd.DatetimeIndex, event_dates: Iterable, labels, window: int):
    """Unique positions of the events (same night = one date), labels joined, and the
    labels of events whose windows do not fit."""
    dates = pd.to_datetime(pd.Series(list(event_dates))).dt.normalize()
    labels = list(labels) if labels is not None else [f"{d:%Y-%m-%d}" for d in dates]
    pos = index.get_indexer(dates)
    by_pos: dict[int, list[str]] = {}
    dropped = []
    for p, lab in zip(pos, labels, strict=True):
        if p < window or p >= len(index) - window:
            dropped.append(lab)
        else:
            by_pos.setdefault(int(p), []).append(lab)
    keys = sorted(by_pos)
    return np.array(keys, dtype=int), ["; ".join(by_pos[k]) for k in keys], dropped


def _per_event(metric: MetricData, pos: np.ndarray, labels: list[str], window: int) -> pd.DataFrame:
    y = metric.values.to_numpy(float)
    cs = _cumsum(y)
    before, after = window_sums(cs, pos, window)
    df = pd.DataFrame(
        {
            "event": labels,
            "date": metric.values.index[pos],
            "before": before,
            "day_of": y[pos],
            "after": after,
        }
    )
    if metric.denominator is not None:  # a rate
        cs_d = _cumsum(metric.denominator.to_numpy(float))
        den_b, den_a = window_sums(cs_d, pos, window)
        df["before"] = np.where(den_b > 0, before / np.where(den_b > 0, den_b, 1), np.nan)
        df["after"] = np.where(den_a > 0, after / np.where(den_a > 0, den_a, 1), np.nan)
        den = metric.denominator.to_numpy(float)[pos]
        df["day_of"] = np.where(den > 0, df["day_of"] / np.where(den > 0, den, 1), np.nan)
        df["change"] = df["after"] - df["before"]
    else:
        df["ratio"] = np.where(before > 0, after / np.where(before > 0, before, 1), np.nan)
        df["change_pct"] = 100 * (df["ratio"] - 1)
    return df


def _naive(metric: MetricData, pos: np.ndarray, window: int) -> tuple[float, float]:
    before, after = window_sums(_cumsum(metric.values.to_numpy(float)), pos, window)
    if metric.denominator is None:  # a count
        return float(before.sum()), float(after.sum())
    den_b, den_a = window_sums(_cumsum(metric.denominator.to_numpy(float)), pos, window)
    return _pooled_rate(before, den_b), _pooled_rate(after, den_a)


def _pooled_rate(num: np.ndarray, den: np.ndarray) -> float:
    return float(num.sum() / den.sum()) if den.sum() else math.nan


def run_study(
    series: pd.Series | MetricData,
    event_dates: Iterable,
    window: int = 7,
    n_placebo: int = N_PLACEBO,
    seed: int = 0,
    *,
    labels: Sequence[str] | None = None,
    denominator: pd.Series | None = None,
    model: bool = True,
    metric: str = "series",
    pool_size: int = POOL_SIZE,
) -> StudyResult:
    """The engine: a nightly series indexed by night (dense, one row per night) and event
    dates. `denominator` makes it a rate study (series = numerator)."""
    data = (
        series
        if isinstance(series, MetricData)
        else MetricData(
            metric,
            series.astype(float).sort_index(),
            None if denominator is None else denominator.astype(float).sort_index(),
        )
    )
    index = pd.DatetimeIndex(data.values.index)
    pos, labs, dropped = _event_positions(index, event_dates, labels, window)
    if len(pos) == 0:
        raise InputError("no event has a full before and after window inside the series")
    y = data.values.to_numpy(float)
    den = None if data.denominator is None else data.denominator.to_numpy(float)
    cs_den = None if den is None else _cumsum(den)
    with np.errstate(invalid="ignore"):
        observed = float(np.nanmean(event_stats(_cumsum(y), pos, window, cs_den)))
    placebo = placebo_distribution(y, pos, window, n_placebo, seed, den, pool_size)
    p_up, p_two = placebo_p(observed, placebo)
    nb, na = _naive(data, pos, window)
    return StudyResult(
        metric=data.name,
        window=window,
        events=_per_event(data, pos, labs, window),
        naive_before=nb,
        naive_after=na,
        observed=observed,
        placebo=placebo,
        p_upper=p_up,
        p_value=p_two,
        model=fit_model(data, pos, window) if model else None,
        overlaps=overlaps(pos, labs, index, window),
        series=data.values,
        dropped=dropped,
        is_rate=data.is_rate,
        seed=seed,
    )


# ---------------------------------------------------------------- store-facing API


def load_events(
    events=None, *, type=None, actors=None, start=None, end=None, confidence=None,
    events_file=None,
) -> pd.DataFrame:
    """Events by id (a list of event_id) or by filter, from `strikescope.events`, with the
    events of `events_file` (a CSV in the timeline's format) added; given a file and no
    other selection, the events of that file alone."""
    from strikescope import events as ev

    df = ev.events(type=type, actors=actors, start=start, end=end, confidence=confidence,
                   paths=events_file)
    if events is not None:
        wanted = [events] if isinstance(events, str) else list(events)
        unknown = sorted(set(wanted) - set(df["event_id"]))
        if unknown:
            raise InputError(f"unknown event id(s): {', '.join(unknown)}")
        df = df[df["event_id"].isin(wanted)]
    elif events_file is not None and not any((type, actors, start, end, confidence)):
        df = df[df["origin"] == Path(events_file).name]
    return df.reset_index(drop=True)


def study_period(
    nights: pd.DataFrame, dates: pd.Series, margin: int = MARGIN_NIGHTS,
    covered: tuple | None = None,
) -> pd.DataFrame:
    """The nights from `margin` nights before the first event to `margin` after the last:
    the trend is fitted and the placebo dates drawn locally, not over the whole war.
    `covered`: the first and last dates of the timeline; nights more than the longest
    window outside them are left out, since the timeline does not say which of them
    followed an event (a placebo date there could be a real, unrecorded one)."""
    lo = dates.min() - pd.Timedelta(days=margin)
    hi = dates.max() + pd.Timedelta(days=margin)
    return _covered(nights[(nights["night"] >= lo) & (nights["night"] <= hi)], covered)


def _covered(nights: pd.DataFrame, covered: tuple | None) -> pd.DataFrame:
    """The nights within the longest window of the timeline's span `covered` (all of them
    when None)."""
    if covered is None:
        return nights
    reach = pd.Timedelta(days=max(WINDOWS))
    lo, hi = pd.Timestamp(covered[0]) - reach, pd.Timestamp(covered[1]) + reach
    return nights[(nights["night"] >= lo) & (nights["night"] <= hi)]


def _events_and_nights(events, selection: dict, margin: int, db):
    """The selected events and the nights of their study period."""
    import strikescope

    ev = load_events(events, **selection)
    if ev.empty:
        raise InputError("no events match the selection")
    from strikescope import events as timeline

    covered = timeline.coverage(selection.get("events_file"))
    return ev, study_period(strikescope.nights(db=db), ev["date"], margin, covered)


_CACHE: OrderedDict = OrderedDict()


def _version(path) -> tuple:
    """What identifies the contents of a file for the cache: inode, size, modification."""
    try:
        st = os.stat(path)
    except (OSError, TypeError):
        return (str(path),)
    return (str(path), st.st_ino, st.st_size, st.st_mtime_ns)


def study(
    events=None,
    *,
    type=None,
    actors=None,
    start=None,
    end=None,
    confidence=None,
    metric: str = "drones",
    window: int = 7,
    n_placebo: int = N_PLACEBO,
    seed: int = 0,
    margin: int = MARGIN_NIGHTS,
    model: bool = True,
    events_file=None,
    db=None,
) -> StudyResult:
    """Event study of `metric` around the selected diplomatic events; `events_file` adds
    one's own events (see `load_events`). Results are cached per question, store and file."""
    from strikescope.config import resolve_db

    selection = dict(type=type, actors=actors, start=start, end=end, confidence=confidence,
                     events_file=events_file)
    key = (repr(events), repr(sorted(selection.items())), metric, window, n_placebo, seed,
           margin, model, _version(resolve_db(db)), _version(events_file))
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    ev, nights = _events_and_nights(events, selection, margin, db)
    data = metric_data(nights, metric)
    result = run_study(
        data, ev["date"], window, n_placebo, seed, labels=list(ev["event_id"]), model=model
    )
    _CACHE[key] = result
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return result


def sensitivity(
    events=None,
    *,
    type=None,
    actors=None,
    start=None,
    end=None,
    confidence=None,
    metrics: Sequence[str] = ("drones", "missiles", "total", "reached", "interception"),
    windows: Sequence[int] = WINDOWS,
    leave_one_out: bool = True,
    n_placebo: int = N_PLACEBO,
    seed: int = 0,
    margin: int = MARGIN_NIGHTS,
    events_file=None,
    db=None,
) -> pd.DataFrame:
    """Every window x metric, with all events and leaving each event out in turn.
    The model is fitted for the all-events rows only (the placebo test for all rows);
    `attrs['note']` says how many variants were tried and gives Holm-adjusted p-values."""
    ev, nights = _events_and_nights(events, dict(type=type, actors=actors, start=start,
                                                 end=end, confidence=confidence,
                                                 events_file=events_file), margin, db)
    rows = []
    for metric in metrics:
        try:
            data = metric_data(nights, metric)
        except InputError:  # a metric this store has no column for
            continue
        for w in windows:
            rows += _variant_rows(data, ev, w, n_placebo, seed, leave_one_out)
    return _with_holm(pd.DataFrame(rows))


def _variant_rows(
    data: MetricData, ev: pd.DataFrame, window: int, n_placebo: int, seed: int, leave_one_out: bool
) -> list[dict]:
    sets = [("(none)", ev)]
    if leave_one_out and len(ev) > 1:
        sets += [(eid, ev[ev["event_id"] != eid]) for eid in ev["event_id"]]
    rows = []
    for left_out, sub in sets:
        try:
            r = run_study(
                data,
                sub["date"],
                window,
                n_placebo,
                seed,
                labels=list(sub["event_id"]),
                model=left_out == "(none)",
            )
        except ValueError:
            continue
        rows.append(
            {
                "metric": data.name,
                "window": window,
                "left_out": left_out,
                "events": len(r.events),
                "naive_ratio": r.naive_ratio,
                "model_ratio": r.model.ratio if r.model else math.nan,
                "model_low": r.model.low if r.model else math.nan,
                "model_high": r.model.high if r.model else math.nan,
                "placebo_p": r.p_value,
            }
        )
    return rows


def holm(p: Sequence[float]) -> np.ndarray:
    """Holm step-down adjusted p-values (controls the family-wise error rate)."""
    pv = np.asarray(p, float)
    order = np.argsort(pv)
    m = len(pv)
    adj = np.maximum.accumulate((m - np.arange(m)) * pv[order])
    out = np.empty(m)
    out[order] = np.minimum(adj, 1.0)
    return out


def _with_holm(df: pd.DataFrame) -> pd.DataFrame:
    if df.empty:
        return df
    df["placebo_p_holm"] = holm(df["placebo_p"].to_numpy())
    n_sig = int((df["placebo_p"] < 0.05).sum())
    df.attrs["note"] = (
        f"{len(df)} variants tried; {n_sig} have placebo p < 0.05 before correction, "
        f"{int((df['placebo_p_holm'] < 0.05).sum())} after Holm's correction. With this "
        f"many variants about {0.05 * len(df):.1f} would pass at 5 % by chance alone."
    )
    return df


# ------------------------------------------------------------------------- tallies

# Published comparisons that the data can be checked against: (event_id, window in days,
# before, after, percent as quoted).
PUBLISHED = (("2025-02-18-negotiation_round-rus-sau-usa", 30, 3148, 4776, 52.5),)
TRUMP_PUTIN_2025 = {
    "type": "phone_call",
    "actors": ("USA", "RUS"),
    "start": "2025-01-01",
    "end": "2025-12-31",
}


def news_tally(series: pd.Series, date, days: int) -> tuple[float, float]:
    """The news convention: the `days` days before the event vs the `days` days from the
    event day on (night E counts as after)."""
    d = pd.Timestamp(date)
    one = pd.Timedelta(days=1)
    if d - days * one < series.index.min() or d + (days - 1) * one > series.index.max():
        return math.nan, math.nan  # a partial window would fake a drop or a rise
    before = series.loc[d - days * one : d - one].sum()
    after = series.loc[d : d + (days - 1) * one].sum()
    return float(before), float(after)


def tallies(n_placebo: int = N_PLACEBO, seed: int = 0, db=None) -> pd.DataFrame:
    """The published Riyadh 30-day tally and the week after each 2025 Trump-Putin call:
    published figures (where any), the same tally on this data, and the model estimate."""
    import strikescope

    nights = strikescope.nights(db=db)
    drones = nights.set_index("night")["drones_launched"].astype(float)
    published = {eid: (w, b, a, pct) for eid, w, b, a, pct in PUBLISHED}
    calls = load_events(**TRUMP_PUTIN_2025)
    ids = list(published) + list(calls["event_id"])
    ev = load_events(ids)
    from strikescope import events as timeline

    modelled = _covered(nights, timeline.coverage())  # read once for every event
    rows = []
    for e in ev.itertuples(index=False):
        window, pub_b, pub_a, pub_pct = published.get(e.event_id, (7, None, None, None))
        rows.append(_tally_row(e, window, pub_b, pub_a, pub_pct, modelled, drones, n_placebo,
                               seed))
    return pd.DataFrame(rows)


def _tally_row(e, window, pub_b, pub_a, pub_pct, nights, drones, n_placebo, seed) -> dict:
    before, after = news_tally(drones, e.date, window)
    row = {
        "event": e.event_id,
        "date": e.date,
        "days": window,
        "published_before": pub_b,
        "published_after": pub_a,
        "published_pct": pub_pct,
        "data_before": before,
        "data_after": after,
        "data_pct": 100 * (after / before - 1) if before else math.nan,
    }
    try:
        period = study_period(nights, pd.Series([e.date]))
        r = run_study(
            metric_data(period, "drones"), [e.date], window, n_placebo, seed, labels=[e.event_id]
        )
    except InputError:  # no full window around the event
        return row | {
            "model_pct": math.nan,
            "model_low": math.nan,
            "model_high": math.nan,
            "placebo_p": math.nan,
        }
    assert r.model is not None  # run_study fits the model unless told not to
    return row | {
        "model_pct": r.model.pct,
        "model_low": 100 * (r.model.low - 1),
        "model_high": 100 * (r.model.high - 1),
        "placebo_p": r.p_value,
    }
