"""Fast, strictly as-of walk-forward evaluation of the skill models.

Every feature of night t is computed from nights <= t only (expanding or exponentially
weighted, never centred), so the features of the whole history are computed once and a
forecast made as of origin D reads row D. A model refitted at date r learns only from
pairs (origin t, target night t + h) with t + h <= r, and forecasts origins r .. r + 6.

Models (one per horizon h, "direct"):
  climatology  empirical distribution of the last 28 nights (the reference)
  nb_level     negative binomial whose log mean is linear in the log of an exponentially
               weighted level of past counts (a local-level model) and the target's weekday
  hurdle       missiles: P(>= massive) from a logistic hazard, times the empirical
               distribution of past massive nights, plus an NB for ordinary nights below
               the threshold; drones as nb_level
  mix          the hurdle's missiles, and drones as a mixture: P(burst night) from a logistic
               hazard times the counts of the last bursts, plus an NB below the burst cut
  hazard       logistic P(massive night) from nights and launches since the last massive
               night, recent levels and the target's weekday
  hgb          gradient-boosted trees (scikit-learn, Poisson loss, NB around the mean;
               classifier for P(massive)), when scikit-learn is installed
  stack        linear pool of the members whose weights minimise the CRPS (counts) and the
               Brier score (P(massive)) of their past out-of-sample forecasts, re-learned
               at each refit from forecasts whose nights were known by then
Also tried as candidates (scripts/forecast_skill.py): ratio (the level times past
count/level ratios), clim7/clim14/clim56 (other climatology windows), nb_lags (the earlier
regression; with climatology it makes "blend").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np
import pandas as pd
from scipy.special import expit, gammaln

from strikescope.errors import InputError

TARGETS = ("drones", "missiles")
COLUMNS = {"drones": "drones_launched", "missiles": "missiles_launched"}
SUPPORT = {"drones": 2000, "missiles": 500}
FLOOR = 0.01  # probability spread over 0..K in empirical forecasts (finite log score)
HAZARD_GROUPS = ("since", "launched_since", "level", "dow")
GAP_BINS = ((0, 1), (1, 3), (3, 7), (7, 14), (14, 30))  # longer gaps: the baseline
WEATHER_COLUMNS = ("avg_night_cloudcover", "avg_precipitation", "avg_windspeed")
WEATHER = ("wx_cloud", "wx_rain", "wx_wind")


@dataclass(frozen=True)
class Spec:
    """Features and hyper-parameters (chosen on the 2024 walk-forward, see docs/forecast.md)."""

    massive_missiles: int = 20
    massive_drones: int = 400
    halflife: float = 7.0  # nights, of the exponentially weighted level
    local_halflife: float = 14.0  # nights, of nb_local's level and dispersion
    level_dow: bool = True  # weekday of the target night in nb_level
    level_since: bool = False  # nights since the last massive night in nb_level
    train_window: int | None = None  # nights of pairs to fit on (None: all before)
    min_train: int = 180  # nights of history before the first fit
    ridge: float = 1.0  # L2 penalty of the logistic hazard (standardised features)
    gap_bins: bool = False  # the hazard's nights-since term as bins, not log(nights)
    hazard: tuple[str, ...] = HAZARD_GROUPS
    ratio_window: int = 365  # training pairs whose count/level ratios the ratio model uses
    stack_window: int = 365  # nights of past out-of-sample scores the weights learn from
    members: tuple[str, ...] = ("climatology", "nb_level", "hurdle", "hazard")
    # Members left out of the P(massive) pool (kept in the counts' pools).
    not_massive: tuple[str, ...] = ()
    refit_every: int = 7
    # Look-ahead, for an upper bound only: the observed weather of the target night as if a
    # perfect weather forecast were known (needs `weather` in run()).
    perfect_weather: bool = False
    # The weather forecast of the target night (a frame of forecasts passed as `weather`:
    # strikescope.weather.fetch_weather_forecast); the same columns as the bound above.
    weather_forecast: bool = False
    # Diplomatic events known by the as-of date that fall on or just before the target night
    # (needs `events` in run(); see event_flags for what counts as known).
    events: bool = False
    # The `mix` member's drones: a night is a burst when its drones reach the cut known the
    # evening before, max(mix_min, mix_ratio x the level); mix_ratio 0 and mix_min None make
    # the cut the massive-night rule's. Bursts are sized from the last mix_tail burst nights'
    # counts, as they were, or scaled to the level of the origin when mix_scale.
    mix_ratio: float = 0.0
    mix_min: int | None = None
    mix_tail: int = 20
    mix_scale: bool = False
    # Its ordinary nights: an NB on the level features ("nb") or the 28-night climatology
    # ("climatology"), either cut off at the burst cut.
    mix_ordinary: str = "nb"

    @property
    def weather(self) -> bool:
        return self.perfect_weather or self.weather_forecast

    def mix_cut(self, level) -> np.ndarray:
        """The drone count from which a night is a burst, from the level known before it."""
        least = self.massive_drones if self.mix_min is None else self.mix_min
        return np.ceil(np.maximum(least, self.mix_ratio * np.asarray(level, dtype=float)))

    def massive(self, drones, missiles) -> np.ndarray:
        return (np.asarray(missiles) >= self.massive_missiles) | (
            np.asarray(drones) >= self.massive_drones)


# The settings chosen on the 2024 walk-forward (scripts/forecast_skill.py, docs/forecast.md)
# against Spec(), the base the candidates are written against.
CHOSEN = {"members": ("climatology", "nb_level", "hurdle", "hazard", "nb_local", "mix"),
          "local_halflife": 2.0, "not_massive": ("nb_local", "mix"), "level_since": True,
          "stack_window": 730, "ridge": 10.0, "gap_bins": True, "mix_min": 20,
          "mix_ratio": 1.25}


def chosen_spec(**kw) -> Spec:
    """Spec with the chosen settings (and any given here)."""
    return Spec(**{**CHOSEN, **kw})


# --------------------------------------------------------------------------- distributions

def nb_logpmf(k: np.ndarray, mu: np.ndarray, alpha: float | np.ndarray) -> np.ndarray:
    """log P(X = k) of NB2 (variance mu + alpha mu^2), broadcasting k against mu."""
    n = 1.0 / np.maximum(alpha, 1e-6)
    mu = np.maximum(mu, 1e-6)
    return (gammaln(k + n) - gammaln(n) - gammaln(k + 1)
            + n * np.log(n / (n + mu)) + k * np.log(mu / (n + mu)))


def nb_pmf(mu, alpha, k: int) -> np.ndarray:
    """NB2 rows over 0..k (one per mean), the tail beyond k folded into k."""
    mu = np.clip(np.atleast_1d(np.asarray(mu, dtype=float)), 1e-3, float(k))
    pmf = np.exp(nb_logpmf(np.arange(k + 1)[None, :], mu[:, None],
                           np.asarray(alpha, dtype=float).reshape(-1, 1)))
    pmf[:, -1] += np.clip(1.0 - pmf.sum(axis=1), 0.0, None)
    return pmf / pmf.sum(axis=1, keepdims=True)


def empirical_rows(values: np.ndarray, window: int, k: int) -> np.ndarray:
    """Row t: the empirical distribution of values[t-window+1 .. t] (fewer at the start),
    mixed with FLOOR spread over 0..k."""
    v = np.clip(np.asarray(values, dtype=int), 0, k)
    onehot = np.zeros((len(v), k + 1))
    onehot[np.arange(len(v)), v] = 1.0
    c = np.cumsum(onehot, axis=0)
    lagged = np.vstack([np.zeros((window, k + 1)), c[:-window]]) if window < len(v) else 0 * c
    counts = c - lagged[: len(v)]
    counts /= counts.sum(axis=1, keepdims=True)
    return (1 - FLOOR) * counts + FLOOR / (k + 1)


# --------------------------------------------------------------------------- scores

def crps_rows(pmf: np.ndarray, obs: np.ndarray) -> np.ndarray:
    """Exact CRPS of pmf rows over 0..K: sum_k (F(k) - 1{obs <= k})^2 (integer support)."""
    cdf = np.cumsum(pmf, axis=1)
    step = np.arange(pmf.shape[1])[None, :] >= np.asarray(obs)[:, None]
    return ((cdf - step) ** 2).sum(axis=1)


def quantile_rows(pmf: np.ndarray, q: float) -> np.ndarray:
    return (np.cumsum(pmf, axis=1) < q - 1e-12).sum(axis=1)


def pit_rows(pmf: np.ndarray, obs: np.ndarray, seed: int = 0) -> np.ndarray:
    cdf = np.cumsum(pmf, axis=1)
    i = np.clip(np.asarray(obs, dtype=int), 0, pmf.shape[1] - 1)
    r = np.arange(len(pmf))
    below = np.where(i > 0, cdf[r, np.maximum(i - 1, 0)], 0.0)
    return below + np.random.default_rng(seed).uniform(size=len(pmf)) * pmf[r, i]


# --------------------------------------------------------------------------- features

def _ewm(y: np.ndarray, halflife: float) -> np.ndarray:
    return pd.Series(y).ewm(halflife=halflife, adjust=True).mean().to_numpy()


def _since_last(flag: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nights since the last flagged night (inclusive of t) and the sum of `values` over the
    nights after it up to t; before the first flagged night, counted from the start."""
    pos = np.arange(len(flag))
    last = np.maximum.accumulate(np.where(flag, pos, -1))
    csum = np.cumsum(values)
    at_last = np.where(last >= 0, csum[np.maximum(last, 0)], 0.0)
    return (pos - last).astype(float), csum - at_last


def features(hist: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """Features known at the end of each night (every column looks only backwards)."""
    d = hist[COLUMNS["drones"]].to_numpy(float)
    m = hist[COLUMNS["missiles"]].to_numpy(float)
    flag = spec.massive(d, m)
    since, drones_since = _since_last(flag, d)
    _, missiles_since = _since_last(flag, m)
    mm_since, _ = _since_last(m >= spec.massive_missiles, m)
    level = _ewm(d, spec.halflife)
    cut = spec.mix_cut(level)
    # a burst is judged against the cut known the evening before (the first: the least cut)
    md_since, _ = _since_last(d >= np.concatenate([spec.mix_cut(np.zeros(1)), cut[:-1]]), d)
    return pd.DataFrame({
        "drones": d, "missiles": m, "massive": flag.astype(float),
        "drones_level": np.log1p(level),
        "missiles_level": np.log1p(_ewm(m, spec.halflife)),
        "drones_slow": np.log1p(_ewm(d, 4 * spec.halflife)),
        "missiles_slow": np.log1p(_ewm(m, 4 * spec.halflife)),
        "since": since, "mm_since": mm_since, "md_since": md_since, "mix_cut": cut,
        "drones_since": np.log1p(drones_since), "missiles_since": np.log1p(missiles_since),
        "dow": np.asarray(hist.index.day_of_week),
    }, index=hist.index)


EVENT_FLAGS = ("ev_target", "ev_recent")
EVENT_RECENT = 3  # days before the target night's own days that count as "recent"


def event_flags(nights: pd.DatetimeIndex, events: pd.DataFrame, h: int
                ) -> dict[str, np.ndarray]:
    """Per origin night D, the diplomatic events known as of D about the target night D + h.

    Known as of D (18:00 on D): an event whose `announced` date (an optional column) is
    before D, or, with no announcement date, whose own `date` is before D. The timeline
    has dates but no clock times, so an event dated D itself may come after 18:00 and is
    not counted: strict inequality. Night T spans the calendar days T - 1 (evening) and T.
      ev_target  a known event's days [date, end_date] touch T - 1 or T
      ev_recent  a known event's days touch the EVENT_RECENT days before T - 1
    """
    day = nights.values.astype("datetime64[D]").astype(np.int64)
    target, recent = np.zeros(len(day), bool), np.zeros(len(day), bool)
    for s, e, k in _event_days(events):
        known = k < day
        t = day + h
        target |= known & (s <= t) & (e >= t - 1)
        recent |= known & (s <= t - 2) & (e >= t - 1 - EVENT_RECENT)
    return {"ev_target": target.astype(float), "ev_recent": recent.astype(float)}


def timeline_events(paths=None) -> pd.DataFrame:
    """The diplomatic timeline (strikescope.events) for the events feature: high and medium
    confidence only, since a low-confidence date may be wrong by days."""
    from strikescope.events import load_events

    ev = load_events(paths)
    return ev[ev.confidence != "low"].reset_index(drop=True)


def _event_days(events: pd.DataFrame) -> list[tuple[int, int, int]]:
    """(first day, last day, day known) of each event, as day numbers."""
    def days(col):
        return pd.to_datetime(col).values.astype("datetime64[D]").astype(np.int64)
    start = days(events["date"])
    end = days(events["end_date"].fillna(events["date"])) if "end_date" in events else start
    known = start.copy()
    if "announced" in events:
        ann = pd.to_datetime(events["announced"])
        known = np.where(ann.notna(), days(ann.fillna(events["date"])), start)
    return list(zip(start, np.maximum(end, start), np.minimum(known, start), strict=True))


def _dow(f: pd.DataFrame, h: int) -> list[np.ndarray]:
    dow = (f["dow"] + h) % 7
    return [(dow == d).astype(float) for d in range(1, 7)]


def level_design(f: pd.DataFrame, target: str, h: int, spec: Spec) -> np.ndarray:
    cols = [np.ones(len(f["dow"])), f[f"{target}_level"], f[f"{target}_slow"]]
    if spec.level_dow:
        cols += _dow(f, h)
    if spec.level_since:
        since = f["since"]
        cols += [np.log1p(since + h - 1), (since == 0).astype(float)]
    if spec.weather:
        cols += [f[w] for w in WEATHER]
    if spec.events:
        cols += [f[e] for e in EVENT_FLAGS]
    return np.column_stack(cols)


def hazard_design(f: pd.DataFrame, h: int, spec: Spec, since: str = "since") -> np.ndarray:
    cols = []
    if "since" in spec.hazard and spec.gap_bins:
        gap = f[since] + h  # nights from the last massive night to the target night
        cols += [((gap > lo) & (gap <= hi)).astype(float) for lo, hi in GAP_BINS]
    elif "since" in spec.hazard:
        cols += [np.log1p(f[since] + h - 1)]
    if "launched_since" in spec.hazard:
        cols += [f["drones_since"], f["missiles_since"]]
    if "level" in spec.hazard:
        cols += [f[c] for c in ("drones_level", "missiles_level", "drones_slow", "missiles_slow")]
    if "dow" in spec.hazard:
        cols += _dow(f, h)
    if spec.weather:
        cols += [f[w] for w in WEATHER]
    if spec.events:
        cols += [f[e] for e in EVENT_FLAGS]
    n = len(f["dow"])
    return np.column_stack([np.ones(n), *cols]) if cols else np.ones((n, 1))


# --------------------------------------------------------------------------- fitting

def poisson_glm(X: np.ndarray, y: np.ndarray, iters: int = 30,
                warm: Warm | None = None) -> np.ndarray:
    """Poisson regression by iteratively reweighted least squares (tiny ridge for safety),
    from the last fit's coefficients when `warm` holds them (the same answer, to the
    tolerance, in fewer steps), else from the log of the mean."""
    ridge = 1e-4 * np.eye(X.shape[1])
    if warm is not None and warm.fits(X):
        beta, done = _irls(X, y, warm.beta, ridge, iters)
        if done:
            return warm.keep(beta)
    beta = np.zeros(X.shape[1])
    beta[0] = np.log(max(y.mean(), 0.1))
    beta, _ = _irls(X, y, beta, ridge, iters)
    return beta if warm is None else warm.keep(beta)


def _irls(X, y, beta, ridge, iters) -> tuple[np.ndarray, bool]:
    for _ in range(iters):
        eta = np.clip(X @ beta, -20, 10)
        mu = np.exp(eta)
        xtw = X.T * mu
        new = np.linalg.solve(xtw @ X + ridge, xtw @ (eta + (y - mu) / mu))
        if np.max(np.abs(new - beta)) < 1e-7:
            return new, True
        beta = new
    return beta, False


class Warm:
    """The coefficients of a model's last fit, where its next fit starts: the refits of a
    walk-forward are a week apart and move them little, so Newton steps from there
    converge in two or three steps instead of five to seven from a cold start."""

    def __init__(self):
        self.beta: np.ndarray | None = None

    def fits(self, X: np.ndarray) -> bool:
        return self.beta is not None and len(self.beta) == X.shape[1]

    def keep(self, beta: np.ndarray) -> np.ndarray:
        self.beta = beta
        return beta


def nb_alpha(y: np.ndarray, mu: np.ndarray) -> float:
    """Moment estimate of the NB2 dispersion: E[(y - mu)^2 - y] = alpha mu^2."""
    return float(np.clip(((y - mu) ** 2 - y).sum() / max((mu ** 2).sum(), 1e-9), 0.01, 50.0))


def logistic(X: np.ndarray, y: np.ndarray, ridge: float, iters: int = 50,
             warm: Warm | None = None) -> np.ndarray:
    """Ridge logistic regression by Newton steps; column 0 is the unpenalised intercept.
    From the last fit's coefficients when `warm` holds them (as poisson_glm)."""
    pen = ridge * np.eye(X.shape[1])
    pen[0, 0] = 0.0
    if warm is not None and warm.fits(X):
        beta, done = _newton_logistic(X, y, warm.beta, pen, iters)
        if done:
            return warm.keep(beta)
    beta = np.zeros(X.shape[1])
    beta[0] = np.log((y.mean() + 0.5 / len(y)) / (1 - y.mean() + 0.5 / len(y)))
    beta, _ = _newton_logistic(X, y, beta, pen, iters)
    return beta if warm is None else warm.keep(beta)


def _newton_logistic(X, y, beta, pen, iters) -> tuple[np.ndarray, bool]:
    for _ in range(iters):
        p = expit(X @ beta)
        w = np.maximum(p * (1 - p), 1e-9)
        step = np.linalg.solve((X.T * w) @ X + pen, X.T @ (y - p) - pen @ beta)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-8:
            return beta, True
    return beta, False


class _Standard:
    """Standardise the non-intercept columns with the training means and deviations."""

    def __init__(self, X: np.ndarray):
        self.mean = X.mean(axis=0)
        self.sd = X.std(axis=0)
        self.mean[0], self.sd[0] = 0.0, 1.0
        self.sd[self.sd < 1e-9] = 1.0

    def __call__(self, X: np.ndarray) -> np.ndarray:
        return (X - self.mean) / self.sd


def fit_logistic(Xtr, ytr, Xte, ridge, warm: Warm | None = None) -> np.ndarray:
    if ytr.min() == ytr.max():  # no event (or only events) yet: the smoothed frequency
        return np.full(len(Xte), (ytr.sum() + 0.5) / (len(ytr) + 1))
    z = _Standard(Xtr)
    return expit(z(Xte) @ logistic(z(Xtr), ytr, ridge, warm=warm))


def fit_nb(Xtr, ytr, Xte, k, warm: Warm | None = None) -> np.ndarray:
    beta = poisson_glm(Xtr, ytr, warm=warm)
    alpha = nb_alpha(ytr, np.exp(np.clip(Xtr @ beta, -20, 10)))
    return nb_pmf(np.exp(np.clip(Xte @ beta, -20, 10)), alpha, k)


# --------------------------------------------------------------------------- members

@dataclass
class Context:
    """The history's features, computed once, and the reference forecasts of every night."""

    hist: pd.DataFrame
    spec: Spec
    weather: pd.DataFrame | None = None
    events: pd.DataFrame | None = None
    f: pd.DataFrame = field(init=False)
    clim: dict[str, np.ndarray] = field(init=False)
    clim_massive: np.ndarray = field(init=False)
    cache: dict = field(default_factory=dict)
    cols: dict[str, np.ndarray] = field(init=False)

    def __post_init__(self):
        self.f = features(self.hist, self.spec)
        self.cols = {k: self.f[k].to_numpy() for k in self.f.columns}
        self.clim = {t: empirical_rows(self.f[t].to_numpy(), 28, SUPPORT[t]) for t in TARGETS}
        rate = pd.Series(self.f["massive"].to_numpy()).rolling(28, min_periods=1).mean()
        self.clim_massive = FLOOR / 2 + (1 - FLOOR) * rate.to_numpy()

    def design(self, name: str, h: int, make: Callable[[dict], np.ndarray]) -> np.ndarray:
        """The design `make` builds from the rows (see `rows`) of every origin whose target
        night is in the history, built once per horizon: each row depends on its own origin
        only, so a fit's design is a slice of it (built per fit, the designs took a tenth
        of an outlook)."""
        key = ("design", name, h)
        if key not in self.cache:
            self.cache[key] = make(self.rows(np.arange(len(self.f) - h), h))
        return self.cache[key]

    def warm(self, *key) -> Warm:
        """Where the fits of one model, target and horizon start (see Warm)."""
        return self.cache.setdefault(("warm", *key), Warm())

    def target(self, name: str, idx: np.ndarray, h: int) -> np.ndarray:
        return self.cols[name][idx + h]

    def rows(self, idx, h: int = 0) -> dict[str, np.ndarray]:
        """Features at the origins idx (and the weather of the target nights idx + h: the
        observed weather for the upper bound, or a weather forecast)."""
        out = {k: v[idx] for k, v in self.cols.items()}
        if self.spec.weather:
            out |= {k: v[idx + h] for k, v in self.wx.items()}
        if self.spec.events:
            out |= {k: v[idx] for k, v in self.ev(h).items()}
        return out

    def ev(self, h: int) -> dict[str, np.ndarray]:
        key = f"ev{h}"
        if key not in self.cache:
            if self.events is None:
                raise ValueError("the events feature needs the events frame")
            self.cache[key] = event_flags(self.hist.index, self.events, h)
        return self.cache[key]

    @property
    def wx(self) -> dict[str, np.ndarray]:
        if "wx" not in self.cache:
            if self.weather is None:
                raise ValueError("the weather features need the weather frame")
            w = self.weather.reindex(self.hist.index)[list(WEATHER_COLUMNS)]
            w = (w - w.mean()) / w.std()
            self.cache["wx"] = {k: w[c].fillna(0.0).to_numpy()
                                for k, c in zip(WEATHER, WEATHER_COLUMNS, strict=True)}
        return self.cache["wx"]


Out = tuple[dict[str, np.ndarray] | None, np.ndarray]


def _climatology(c: Context, tr, te, h) -> Out:
    return {t: c.clim[t][te] for t in TARGETS}, c.clim_massive[te]


def _short_climatology(c: Context, tr, te, h, window: int = 14) -> Out:
    """The empirical distribution of the last `window` nights (a faster-moving reference)."""
    key = f"clim{window}"
    if key not in c.cache:
        rate = pd.Series(c.f["massive"].to_numpy()).rolling(window, min_periods=1).mean()
        c.cache[key] = ({t: empirical_rows(c.f[t].to_numpy(), window, SUPPORT[t])
                         for t in TARGETS}, FLOOR / 2 + (1 - FLOOR) * rate.to_numpy())
    pmfs, p = c.cache[key]
    return {t: v[te] for t, v in pmfs.items()}, p[te]


def _level_pmf(c: Context, tr, te, h, target) -> np.ndarray:
    # nb_level's drones are also the hurdle's: fitted once per refit, not once per member
    fit = (tr[0], tr[-1], len(tr), te[0], te[-1], len(te))
    last = c.cache.get(("level", target, h))
    if last is not None and last[0] == fit:
        return last[1]
    X = c.design(f"level_{target}", h, lambda f: level_design(f, target, h, c.spec))
    pmf = fit_nb(X[tr], c.target(target, tr, h), X[te], SUPPORT[target],
                 c.warm("level", target, h))
    c.cache[("level", target, h)] = (fit, pmf)
    return pmf


def _nb_level(c: Context, tr, te, h) -> Out:
    pmfs = {t: _level_pmf(c, tr, te, h, t) for t in TARGETS}
    return pmfs, _union(c, pmfs["drones"], pmfs["missiles"])


def _union(c: Context, drones: np.ndarray, missiles: np.ndarray) -> np.ndarray:
    s = c.spec
    return 1 - (1 - missiles[:, s.massive_missiles:].sum(1)) * (
        1 - drones[:, s.massive_drones:].sum(1))


def _hurdle_missiles(c: Context, tr, te, h) -> tuple[np.ndarray, np.ndarray]:
    s, k, cut = c.spec, SUPPORT["missiles"], c.spec.massive_missiles
    y = c.target("missiles", tr, h)
    big = y >= cut
    H = c.design("hazard_mm", h, lambda f: hazard_design(f, h, s, "mm_since"))
    p = fit_logistic(H[tr], big.astype(float), H[te], s.ridge, c.warm("hurdle_p", h))
    X = c.design("level_missiles", h, lambda f: level_design(f, "missiles", h, s))
    small = fit_nb(X[tr][~big], y[~big], X[te], k, c.warm("hurdle_nb", h))
    small[:, cut:] = 0.0
    small /= small.sum(axis=1, keepdims=True)
    tail = np.zeros(k + 1)
    if big.any():
        tail += np.bincount(np.clip(y[big].astype(int), cut, k), minlength=k + 1)
    tail = (1 - FLOOR) * tail / max(tail.sum(), 1) + FLOOR / (k + 1 - cut)
    tail[:cut] = 0.0
    tail /= tail.sum()
    return (1 - p)[:, None] * small + p[:, None] * tail[None, :], p


def _hurdle(c: Context, tr, te, h) -> Out:
    missiles, _ = _hurdle_missiles(c, tr, te, h)
    drones = _level_pmf(c, tr, te, h, "drones")
    return {"drones": drones, "missiles": missiles}, _union(c, drones, missiles)


def mixture_pmf(p: np.ndarray, small: np.ndarray, values: np.ndarray, cut: np.ndarray,
                floor: float = FLOOR) -> np.ndarray:
    """Rows (1 - p) x `small` truncated below `cut` + p x the burst law: the empirical
    distribution of a row of `values` (clipped to cut..K) with `floor` of it spread evenly
    over cut..K (all of it when there are no values yet)."""
    n, k = small.shape[0], small.shape[1] - 1
    cut = np.clip(np.broadcast_to(np.asarray(cut, dtype=int), (n,)), 1, k)
    above = np.arange(k + 1)[None, :] >= cut[:, None]
    below = np.where(above, 0.0, small)
    mass = below.sum(axis=1)
    # an ordinary law with next to nothing below the cut: its mass goes just below it
    gone = mass < 1e-12
    below[gone, cut[gone] - 1] = mass[gone] = 1.0
    below /= mass[:, None]
    values = np.asarray(values, dtype=float).reshape(n, -1)
    tail = np.zeros((n, k + 1))
    if values.shape[1]:
        v = np.clip(np.rint(values), cut[:, None], k).astype(int)
        np.add.at(tail, (np.repeat(np.arange(n), v.shape[1]), v.ravel()), 1.0 / v.shape[1])
        tail = (1 - floor) * tail + floor * above / above.sum(axis=1, keepdims=True)
    else:
        tail = above / above.sum(axis=1, keepdims=True)
    return (1 - p)[:, None] * below + np.asarray(p)[:, None] * tail


def _mix_drones(c: Context, tr, te, h) -> tuple[np.ndarray, np.ndarray]:
    """Drones as a mixture: P(burst) from a logistic hazard (nights since the last burst,
    launches since the last massive night, levels, weekday) times the counts of the last
    bursts known, plus an NB for the ordinary nights below the cut."""
    s, k = c.spec, SUPPORT["drones"]
    y = c.target("drones", tr, h)
    cut = c.cols["mix_cut"]
    big = y >= cut[tr]
    H = c.design("hazard_md", h, lambda f: hazard_design(f, h, s, "md_since"))
    p = fit_logistic(H[tr], big.astype(float), H[te], s.ridge, c.warm("mix_p", h))
    if s.mix_ordinary == "climatology":
        small = c.clim["drones"][te]
    else:
        X = c.design("level_drones", h, lambda f: level_design(f, "drones", h, s))
        small = fit_nb(X[tr][~big], y[~big], X[te], k, c.warm("mix_nb", h))
    last = tr[big][-s.mix_tail:]
    values = c.target("drones", last, h)
    if s.mix_scale:  # a burst as a multiple of the level at its origin, at today's level
        level = np.maximum(np.expm1(c.cols["drones_level"]), 1.0)
        values = level[te][:, None] * (values / level[last])[None, :]
    else:
        values = np.broadcast_to(values, (len(te), len(values)))
    return mixture_pmf(p, small, values, cut[te]), p


def _mix(c: Context, tr, te, h) -> Out:
    drones, _ = _mix_drones(c, tr, te, h)
    missiles, _ = _hurdle_missiles(c, tr, te, h)
    return {"drones": drones, "missiles": missiles}, _union(c, drones, missiles)


def _hazard(c: Context, tr, te, h) -> Out:
    y = c.target("massive", tr, h)
    H = c.design("hazard", h, lambda f: hazard_design(f, h, c.spec))
    return None, fit_logistic(H[tr], y, H[te], c.spec.ridge, c.warm("hazard", h))


HGB_FEATURES = ("drones_level", "missiles_level", "drones_slow", "missiles_slow", "since",
                "mm_since", "drones_since", "missiles_since")


def _hgb_matrix(f: pd.DataFrame, h: int) -> np.ndarray:
    cols = [f[c] for c in HGB_FEATURES]
    cols += [np.log1p(f["drones"]), np.log1p(f["missiles"]),
             ((f["dow"] + h) % 7).astype(float)]
    return np.column_stack(cols)


def _hgb(c: Context, tr, te, h) -> Out:
    from threadpoolctl import threadpool_limits

    kw = {"max_iter": 150, "learning_rate": 0.05, "max_leaf_nodes": 8,
          "min_samples_leaf": 40, "l2_regularization": 1.0, "early_stopping": False,
          "random_state": 0}
    # One thread: on a busy machine OpenMP threads of tiny fits wait on each other.
    with threadpool_limits(1):
        return _hgb_fit(c, tr, te, h, kw)


def _hgb_fit(c: Context, tr, te, h, kw) -> Out:
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    Xtr, Xte = _hgb_matrix(c.rows(tr, h), h), _hgb_matrix(c.rows(te, h), h)
    pmfs = {}
    for t in TARGETS:
        y = c.target(t, tr, h)
        reg = HistGradientBoostingRegressor(loss="poisson", **kw).fit(Xtr, y)
        pmfs[t] = nb_pmf(reg.predict(Xte), nb_alpha(y, reg.predict(Xtr)), SUPPORT[t])
    y = c.target("massive", tr, h)
    if y.min() == y.max():
        return pmfs, _union(c, pmfs["drones"], pmfs["missiles"])
    clf = HistGradientBoostingClassifier(**kw).fit(Xtr, y.astype(int))
    return pmfs, clf.predict_proba(Xte)[:, 1]


def _ratio_pmf(c: Context, tr, te, h, target) -> np.ndarray:
    """The level at the origin times the ratios (count + 1) / (level + 1) seen over the last
    `ratio_window` training pairs: a local level with an empirical observation law."""
    k, tr = SUPPORT[target], tr[-c.spec.ratio_window:]
    level = np.exp(c.cols[f"{target}_level"])
    ratio = (c.target(target, tr, h) + 1) / level[tr]
    values = np.clip(np.rint(level[te][:, None] * ratio[None, :] - 1), 0, k).astype(int)
    rows = np.zeros((len(te), k + 1))
    np.add.at(rows, (np.repeat(np.arange(len(te)), len(tr)), values.ravel()), 1.0)
    return (1 - FLOOR) * rows / len(tr) + FLOOR / (k + 1)


def _ratio(c: Context, tr, te, h) -> Out:
    pmfs = {t: _ratio_pmf(c, tr, te, h, t) for t in TARGETS}
    return pmfs, _union(c, pmfs["drones"], pmfs["missiles"])


def local_nb(y: np.ndarray, halflife: float) -> tuple[np.ndarray, np.ndarray]:
    """A local level with a local dispersion: at each night t the exponentially weighted
    mean m_t and variance v_t of the counts up to t, and the NB2 dispersion they imply,
    (v_t - m_t) / m_t^2 (at least 0.01: near-Poisson when the counts vary no more)."""
    s = pd.Series(np.asarray(y, dtype=float))
    m = s.ewm(halflife=halflife, adjust=True).mean()
    v = s.ewm(halflife=halflife, adjust=True).var(bias=True).fillna(0.0)
    mu = np.maximum(m.to_numpy(), 0.1)
    return mu, np.clip((v.to_numpy() - mu) / mu ** 2, 0.01, 50.0)


def _nb_local(c: Context, tr, te, h) -> Out:
    """The next night's NB from the local level and dispersion at the origin: a dynamic
    count model with no regression, so nothing to fit but the half-life."""
    pmfs = {}
    for t in TARGETS:
        # an origin's rows are the same at every horizon and refit: made once, for all
        key = f"local_{t}"
        if key not in c.cache:
            mu, alpha = local_nb(c.cols[t], c.spec.local_halflife)
            c.cache[key] = nb_pmf(mu, alpha, SUPPORT[t])
        pmfs[t] = c.cache[key][te]
    return pmfs, _union(c, pmfs["drones"], pmfs["missiles"])


MEMBERS: dict[str, Callable[..., Out]] = {
    "climatology": _climatology, "nb_level": _nb_level, "hurdle": _hurdle,
    "hazard": _hazard, "hgb": _hgb, "ratio": _ratio,
    "clim7": partial(_short_climatology, window=7),
    "clim14": partial(_short_climatology, window=14),
    "clim56": partial(_short_climatology, window=56), "nb_local": _nb_local, "mix": _mix}


def _nb_lags(c: Context, tr, te, h) -> Out:
    """The previous default's regression (forecast.NBLags), fitted on the nights <= refit."""
    from strikescope.analysis import forecast as fc

    model = fc.NBLags(rule=fc.MassiveRule(c.spec.massive_missiles, c.spec.massive_drones))
    model.fit(c.hist.iloc[: tr[-1] + h + 1], h)
    feats = {k: v[te] for k, v in fc._feature_arrays(c.hist, c.spec.massive_missiles).items()}
    pmfs = {}
    for t in TARGETS:
        beta, alpha = model.params[t, h]
        mu = np.exp(np.clip(model._design(feats, t, h) @ beta, -20, 10))
        pmfs[t] = nb_pmf(mu, alpha, SUPPORT[t])
    return pmfs, _union(c, pmfs["drones"], pmfs["missiles"])


MEMBERS["nb_lags"] = _nb_lags


# --------------------------------------------------------------------------- stacking

def simplex_weights(D: np.ndarray) -> np.ndarray:
    """argmin w'Dw over the probability simplex (D: a mean of outer products of errors)."""
    return simplex_weights_many(np.asarray(D, dtype=float)[None])[0]


def simplex_weights_many(D: np.ndarray) -> np.ndarray:
    """argmin w'D_i w over the probability simplex for each matrix of a stack (n, m, m).

    Members whose errors are the same (to SAME of the largest entry) share their weight
    equally, as an iterative solver started from equal weights leaves them: the pool's
    forecast is the same whichever way it is shared. Members that differ little get the
    exact minimum, where such a solver stops near its start (the hurdle's and the hazard's
    P(massive) before massive drone nights)."""
    n, m = D.shape[:2]
    D = D / np.maximum(np.abs(D).reshape(n, -1).max(axis=1), 1e-12)[:, None, None]
    first = _first_copies(D)
    out = np.empty((n, m))
    for pattern in np.unique(first, axis=0):
        rows = (first == pattern).all(axis=1)
        keep = sorted(set(pattern.tolist()))
        w = _simplex_faces(D[rows][:, keep][:, :, keep])
        share = np.bincount(pattern, minlength=m)[pattern]
        out[rows] = w[:, [keep.index(j) for j in pattern]] / share
    return out


def _simplex_faces(D: np.ndarray) -> np.ndarray:
    """Exact minima by the faces of the simplex: the minimum lies inside some face, where
    it is the minimum of w'Dw on that face's affine hull (a linear system); the answer is
    the feasible face minimum with the least value. With m members that is 2^m - 1 small
    solves per matrix, all matrices at once: far cheaper than an iterative solver per
    refit (a pool of five members has 31 faces)."""
    n, m = D.shape[:2]
    best, value = np.full((n, m), 1.0 / m), np.full(n, np.inf)
    for mask in range(1, 2 ** m):
        face = [j for j in range(m) if mask >> j & 1]
        w = _face_minimum(D[:, face][:, :, face])
        full = np.zeros((n, m))
        full[:, face] = w
        val = np.einsum("ni,nij,nj->n", full, D, full)
        better = (w.min(axis=1) >= -1e-12) & (val < value - 1e-15)
        best[better], value[better] = full[better], val[better]
    best = np.clip(best, 0, None)
    return best / best.sum(axis=1, keepdims=True)


# Members whose mean squared difference of errors is below this share of the largest entry
# of D count as the same (rounding apart): w'Dw cannot tell how they share their weight.
SAME = 1e-10


def _first_copies(D: np.ndarray) -> np.ndarray:
    """For each matrix and member, the first member whose errors are the same as its own
    (w'Dw cannot tell them apart: e.g. the hurdle's drones are nb_level's)."""
    diag = np.einsum("nii->ni", D)
    apart = diag[:, :, None] + diag[:, None, :] - 2 * D  # E(e_i - e_j)^2
    return np.argmax(apart <= SAME, axis=2)


def _face_minimum(D: np.ndarray) -> np.ndarray:
    """argmin w'D_i w subject to sum(w) = 1 (w may be negative), from the KKT system
    [[2D, 1], [1', 0]] (w, -lambda) = (0, 1); a least-squares solution where D is singular
    (several minima: any one of them)."""
    n, k = D.shape[:2]
    kkt = np.zeros((n, k + 1, k + 1))
    kkt[:, :k, :k] = 2 * D
    kkt[:, :k, k] = kkt[:, k, :k] = 1.0
    rhs = np.zeros((n, k + 1, 1))
    rhs[:, k] = 1.0
    w = (np.linalg.pinv(kkt) @ rhs)[:, :k, 0]
    # a singular system may leave sum(w) off one: such a point is no face minimum
    ok = np.abs(w.sum(axis=1) - 1) < 1e-8
    w[~ok] = -1.0
    return w


def _crps_gram(pmfs: list[np.ndarray], obs: np.ndarray) -> np.ndarray:
    """Per origin, the matrix whose quadratic form in the pool weights is the pool's CRPS."""
    n, k = pmfs[0].shape
    err = np.empty((n, len(pmfs), k))  # origin-major: one small matrix product per origin
    for i, p in enumerate(pmfs):
        np.cumsum(p, axis=1, out=err[:, i])
    err -= (np.arange(k)[None, :] >= np.asarray(obs)[:, None])[:, None, :]
    return err @ err.transpose(0, 2, 1)


def _stack_weights(gram: np.ndarray, origins: np.ndarray, refits: np.ndarray, h: int,
                   window: int) -> np.ndarray:
    """Weights at each refit date r from the origins whose night (origin + h) is in
    (r - window, r]: only nights known at r."""
    csum = np.concatenate([np.zeros((1, *gram.shape[1:])), np.cumsum(gram, axis=0)])
    hi = np.searchsorted(origins, np.asarray(refits) - h, side="right")
    lo = np.searchsorted(origins, np.asarray(refits) - h - window, side="right")
    m = gram.shape[1]
    out = np.full((len(hi), m), 1 / m)
    enough = hi - lo >= 28
    if enough.any():
        span = (hi - lo)[enough][:, None, None]
        out[enough] = simplex_weights_many((csum[hi[enough]] - csum[lo[enough]]) / span)
    return out


# --------------------------------------------------------------------------- walk-forward

@dataclass
class WalkForward:
    """Scored forecasts (one row per model, horizon, origin and target) and stack weights."""

    spec: Spec
    start: pd.Timestamp
    end: pd.Timestamp
    records: pd.DataFrame
    weights: pd.DataFrame

    def table(self, horizon: int = 1, reference: str = "climatology") -> pd.DataFrame:
        """Per model: CRPS and skill per target, coverage, Brier and its skill."""
        return skill_table(self.records[self.records.horizon == horizon], reference)

    def by_horizon(self, model: str = "stack") -> pd.DataFrame:
        rows = [skill_table(g).pipe(lambda t: t[t.model == model]).assign(horizon=h)
                for h, g in self.records.groupby("horizon")]
        return pd.concat(rows, ignore_index=True)

    def reliability(self, model: str = "stack", horizon: int = 1) -> pd.DataFrame:
        r = self.records
        g = r[(r.model == model) & (r.horizon == horizon) & (r.target == "massive")]
        return reliability_table(g["prob"].to_numpy(), g["obs"].to_numpy())

    def reliability_by_horizon(self, model: str = "stack") -> pd.DataFrame:
        """The reliability table of P(massive) at every horizon scored, one under another."""
        hs = sorted(self.records.horizon.unique())
        return pd.concat([self.reliability(model, h).assign(horizon=h) for h in hs],
                         ignore_index=True)[["horizon", "bin", "n", "mean_prob", "observed",
                                             "massive"]]


RELIABILITY_EDGES = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0)


def reliability_table(prob: np.ndarray, outcome: np.ndarray,
                      edges=RELIABILITY_EDGES) -> pd.DataFrame:
    """Forecast probability against the observed frequency in probability bins."""
    which = np.clip(np.searchsorted(edges, prob, side="right") - 1, 0, len(edges) - 2)
    rows = []
    for b in range(len(edges) - 1):
        sel = which == b
        rows.append({"bin": f"{edges[b]:.2f}-{edges[b + 1]:.2f}", "n": int(sel.sum()),
                     "mean_prob": float(prob[sel].mean()) if sel.any() else np.nan,
                     "observed": float(outcome[sel].mean()) if sel.any() else np.nan,
                     "massive": int(outcome[sel].sum())})
    return pd.DataFrame(rows)


def skill_table(records: pd.DataFrame, reference: str = "climatology") -> pd.DataFrame:
    counts = records[records.target != "massive"]
    wide = counts.pivot_table(index="model", columns="target",
                              values=["crps", "cover90"], aggfunc="mean")
    wide.columns = [f"{t}_{m}" for m, t in wide.columns]
    mass = records[records.target == "massive"]
    wide = wide.reindex(sorted(set(wide.index) | set(mass.model)))
    wide["brier"] = mass.groupby("model")["brier"].mean()
    base_rate = float(((mass.obs - mass.obs.mean()) ** 2).mean()) if len(mass) else np.nan
    for t in TARGETS:
        if f"{t}_crps" in wide:
            wide[f"{t}_skill"] = 1 - wide[f"{t}_crps"] / wide.loc[reference, f"{t}_crps"]
    wide["brier_skill"] = 1 - wide["brier"] / wide.loc[reference, "brier"]
    wide["brier_skill_base_rate"] = 1 - wide["brier"] / base_rate
    wide["n"] = mass.groupby("model").size()
    cols = ["drones_crps", "drones_skill", "missiles_crps", "missiles_skill", "drones_cover90",
            "missiles_cover90", "brier", "brier_skill", "brier_skill_base_rate", "n"]
    return wide[[c for c in cols if c in wide]].rename_axis("model").reset_index()


def _position(index: pd.DatetimeIndex, night, side: str) -> int:
    return int(index.searchsorted(pd.Timestamp(night), side=side)) - (side == "right")


def run(hist: pd.DataFrame, start, end, horizons=(1,), spec: Spec | None = None,
        extra: tuple[str, ...] = (), seed: int = 0,
        weather: pd.DataFrame | None = None,
        events: pd.DataFrame | None = None) -> WalkForward:
    """Walk forward so that every night in [start, end] is forecast at each horizon.

    `hist` is the dense nightly frame of forecast.prepare_history. `extra` adds models that
    are scored but kept out of the stack (e.g. "hgb", "nb_lags"; "nb_lags" also adds "blend",
    the previous default: an equal pool of nb_lags and climatology)."""
    spec = spec or Spec()
    c = Context(hist, spec, weather, events)
    lo, hi = _position(hist.index, start, "left"), _position(hist.index, end, "right")
    if hi < lo or lo - max(horizons) < spec.min_train:
        raise InputError(f"need {spec.min_train} nights before {pd.Timestamp(start):%Y-%m-%d}")
    recs, weights = [], []
    for h in horizons:
        r, w = _run_horizon(c, h, lo, hi, extra, seed)
        recs.append(r)
        weights.append(w)
    return WalkForward(spec, pd.Timestamp(start), pd.Timestamp(end),
                       pd.concat(recs, ignore_index=True), pd.concat(weights, ignore_index=True))


def _member_outputs(c: Context, names, h: int, first: int, last: int):
    """Every member's forecasts for origins first..last, refitted every refit_every nights
    on the pairs whose target night is on or before the refit date."""
    s = c.spec
    pmfs: dict[str, dict[str, list[np.ndarray]]] = {m: {t: [] for t in TARGETS} for m in names}
    probs: dict[str, list[np.ndarray]] = {m: [] for m in names}
    refits = np.arange(first, last + 1, s.refit_every)
    for r in refits.tolist():
        te = np.arange(r, min(r + s.refit_every, last + 1))
        top = r - h
        tr = np.arange(0 if s.train_window is None else max(0, top + 1 - s.train_window),
                       top + 1)
        for m in names:
            out, p = MEMBERS[m](c, tr, te, h)
            probs[m].append(p)
            for t in TARGETS:
                if out is not None:
                    pmfs[m][t].append(out[t])
    stacked = {m: {t: np.vstack(v) for t, v in d.items() if v} for m, d in pmfs.items()}
    return refits, stacked, {m: np.concatenate(v) for m, v in probs.items()}


def _run_horizon(c: Context, h: int, lo: int, hi: int, extra, seed: int):
    first = max(c.spec.min_train, lo - h - c.spec.stack_window - c.spec.refit_every)
    origins, pmfs, probs, wrows = _horizon_forecasts(c, h, first, hi - h, extra)
    keep = origins >= lo - h
    recs = [_score(c, m, h, origins[keep], {t: v[keep] for t, v in pmfs[m].items()},
                   probs[m][keep], seed) for m in pmfs]
    return pd.concat(recs, ignore_index=True), pd.DataFrame(wrows)


def _horizon_forecasts(c: Context, h: int, first: int, last: int, extra):
    """Forecasts of every member, the stack (and blend) for origins first..last."""
    s = c.spec
    names = list(dict.fromkeys([*s.members, *extra]))
    refits, pmfs, probs = _member_outputs(c, names, h, first, last)
    origins = np.arange(first, last + 1)
    block = (origins - first) // s.refit_every
    stacked, wrows = {}, []
    count_members = [m for m in s.members if pmfs[m]]
    for t in TARGETS:
        gram = _crps_gram([pmfs[m][t] for m in count_members], c.target(t, origins, h))
        w = _stack_weights(gram, origins, refits, h, s.stack_window)
        stacked[t] = np.einsum("om,mok->ok", w[block],
                               np.stack([pmfs[m][t] for m in count_members]))
        wrows += _weight_rows(w, refits, count_members, t, h, c)
    pool = [m for m in s.members if m not in s.not_massive]
    err = np.stack([probs[m] for m in pool]) - c.target("massive", origins, h)[None, :]
    w = _stack_weights(np.einsum("mo,no->omn", err, err), origins, refits, h, s.stack_window)
    stack_p = np.einsum("om,mo->o", w[block], np.stack([probs[m] for m in pool]))
    wrows += _weight_rows(w, refits, pool, "massive", h, c)
    pmfs["stack"], probs["stack"] = stacked, stack_p
    if "nb_lags" in names:
        pmfs["blend"] = {t: (pmfs["nb_lags"][t] + pmfs["climatology"][t]) / 2 for t in TARGETS}
        probs["blend"] = (probs["nb_lags"] + probs["climatology"]) / 2
    return origins, pmfs, probs, wrows


def _weight_rows(w, refits, members, target, h, c: Context) -> list[dict]:
    return [{"refit": c.f.index[r], "horizon": h, "target": target, "member": m,
             "weight": w[i, j]} for i, r in enumerate(refits) for j, m in enumerate(members)]


def _score(c: Context, model: str, h: int, origins, pmfs, prob, seed) -> pd.DataFrame:
    nights = c.f.index[origins + h]
    base = {"model": model, "horizon": h, "origin": c.f.index[origins], "night": nights}
    frames = []
    for t, pmf in pmfs.items():
        obs = c.target(t, origins, h)
        q05, q95 = quantile_rows(pmf, 0.05), quantile_rows(pmf, 0.95)
        frames.append(pd.DataFrame({
            **base, "target": t, "obs": obs, "crps": crps_rows(pmf, obs),
            "pit": pit_rows(pmf, obs, seed), "mean": pmf @ np.arange(pmf.shape[1]),
            "q05": q05, "q50": quantile_rows(pmf, 0.5), "q95": q95,
            "cover90": ((obs >= q05) & (obs <= q95)).astype(float)}))
    obs = c.target("massive", origins, h)
    frames.append(pd.DataFrame({**base, "target": "massive", "obs": obs, "prob": prob,
                                "brier": (prob - obs) ** 2}))
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- live forecast

@dataclass
class Outlook:
    """A forecast as of a night with the track record of its P(massive): the reliability
    and Brier skill of the same model's 1-night forecasts over the nights before."""

    as_of: pd.Timestamp
    model: str
    pmfs: dict[str, np.ndarray]  # target -> (horizon, K+1)
    p_massive: np.ndarray  # (horizon,)
    track: pd.DataFrame  # reliability table of the past 1-night forecasts
    brier_skill: float  # against the 28-night climatology, over the same nights
    record_from: pd.Timestamp | None = None
    record_nights: int = 0
    rule_missiles: int = 20
    rule_drones: int = 400
    weather: bool = False  # a weather forecast was a feature (the track record is without)


def _pad(hist: pd.DataFrame, nights: int) -> pd.DataFrame:
    """Append `nights` placeholder nights after the last: forecasts need rows to point at,
    and every feature looks only backwards, so their zeros reach no forecast."""
    future = pd.date_range(hist.index[-1] + pd.Timedelta(days=1), periods=nights, freq="D",
                           name=hist.index.name)
    return pd.concat([hist, pd.DataFrame(0.0, index=future, columns=hist.columns)])


def outlook(hist: pd.DataFrame, as_of=None, horizon: int = 7, model: str = "stack",
            spec: Spec | None = None, record_nights: int = 365,
            weather: pd.DataFrame | None = None,
            events: pd.DataFrame | None = None) -> Outlook:
    """Forecast nights as_of+1 .. as_of+horizon by `model` (stack, blend or a member)
    from the nights on or before as_of only, refitted at as_of. The track record scores the
    same model's 1-night forecasts (refitted weekly up to as_of) over the `record_nights`
    nights before. Without `spec`, the chosen settings (chosen_spec()).

    With spec.weather_forecast, `weather` holds the weather forecast of the nights after
    as_of (and the weather of the training nights); the track record is then that of the
    model without weather, since past nights' forecasts are not known to be as-of."""
    if model not in ("stack", "blend", *MEMBERS):
        raise InputError(f"unknown model {model!r}; choose stack, blend or one of "
                         f"{', '.join(MEMBERS)}")
    spec = spec or chosen_spec()
    hist = hist.loc[: pd.Timestamp(as_of)] if as_of is not None else hist
    pos = len(hist) - 1
    need = spec.min_train + 2 * spec.refit_every + horizon
    if pos < need:
        raise InputError(f"the {model} forecast needs {need + 1} nights of history, and "
                         f"there are {len(hist)}")
    if model != "stack":  # a single model needs no past forecasts to learn weights from
        spec = replace(spec, members=("climatology",), stack_window=0)
    c = Context(_pad(hist, horizon), spec, weather, events)
    extra = {"stack": (), "blend": ("nb_lags",)}.get(model, (model,))
    rows: dict[str, list[np.ndarray]] = {t: [] for t in TARGETS}
    probs = []
    track: Track | None = None
    for h in range(1, horizon + 1):
        back = spec.stack_window + h + (record_nights if h == 1 else 0)
        blocks = min(back // spec.refit_every + 2, (pos - spec.min_train) // spec.refit_every)
        origins, pmfs, p, _ = _horizon_forecasts(c, h, pos - blocks * spec.refit_every, pos,
                                                 extra)
        probs.append(p[model][-1])
        for t in TARGETS:
            rows[t].append(pmfs[model][t][-1] if pmfs[model] else np.full(SUPPORT[t] + 1, np.nan))
        if h == 1:
            track = (_dry_track(c, h, pos, extra, model, record_nights, blocks)
                     if spec.weather else _track(c, origins, p, model, pos, record_nights))
    assert track is not None  # horizon >= 1: the first horizon sets it
    return Outlook(hist.index[-1], model, {t: np.vstack(v) for t, v in rows.items()},
                   np.array(probs), *track, spec.massive_missiles, spec.massive_drones,
                   weather=spec.weather)


def _dry_track(c: Context, h, pos, extra, model, nights, blocks) -> Track:
    """The track record of the same model without the weather features."""
    dry = Context(c.hist, replace(c.spec, perfect_weather=False, weather_forecast=False),
                  None, c.events)
    origins, _, p, _ = _horizon_forecasts(dry, h, pos - blocks * dry.spec.refit_every, pos,
                                          extra)
    return _track(dry, origins, p, model, pos, nights)


# reliability table, Brier skill, first night counted, nights counted
Track = tuple[pd.DataFrame, float, pd.Timestamp | None, int]


def _track(c: Context, origins, probs, model, pos, nights) -> Track:
    """Reliability and Brier skill (against the 28-night climatology) of the 1-night
    P(massive) of the origins whose night is among the last `nights` known ones."""
    keep = (origins + 1 <= pos) & (origins + 1 > pos - nights)
    # Stack weights learned from a year of forecasts by then (or the whole window if
    # shorter), as in the walk-forward over 2025, whose first weights had 646 nights.
    keep &= origins >= origins[0] + min(c.spec.stack_window, 365)
    obs = c.target("massive", origins[keep], 1)
    p, ref = probs[model][keep], probs["climatology"][keep]
    skill = 1 - np.mean((p - obs) ** 2) / np.mean((ref - obs) ** 2) if keep.any() else np.nan
    start = c.f.index[origins[keep][0] + 1] if keep.any() else None
    return reliability_table(p, obs), float(skill), start, int(keep.sum())
