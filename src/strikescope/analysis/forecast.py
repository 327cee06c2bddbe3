"""Probabilistic forecasts of drones and missiles per night, and a walk-forward backtest.

Every predictive distribution is a probability vector over the counts 0..K (the last cell
holds the tail beyond K). A forecast made "as of" night D uses only nights ending on or
before D, i.e. reports whose window ended by 18:00 Kyiv time on D (the night rule).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from strikescope.errors import FetchError, InputError

TARGETS = ("drones", "missiles")
COLUMNS = {"drones": "drones_launched", "missiles": "missiles_launched"}
SUPPORT = {"drones": 2000, "missiles": 500}
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
DEFAULT_THRESHOLDS = {"drones": (100, 200, 400), "missiles": (10, 20, 50)}
MODELS = ("climatology", "persistence", "nb_trend", "nb_lags", "blend")
# A floor of probability spread over 0..K keeps the log score finite for empirical baselines.
FLOOR = 0.01
EPOCH = pd.Timestamp("2022-01-01")

ProgressFn = Callable[[str, float], None]


@dataclass(frozen=True)
class MassiveRule:
    """A massive strike night: at least `missiles` missiles or at least `drones` drones."""

    missiles: int = 20
    drones: int = 400

    def of(self, drones: np.ndarray, missiles: np.ndarray) -> np.ndarray:
        return (np.asarray(missiles) >= self.missiles) | (np.asarray(drones) >= self.drones)


# --------------------------------------------------------------------------- distributions

def exceed(pmf: np.ndarray, threshold: int) -> np.ndarray:
    """P(X >= threshold) for pmf rows over 0..K."""
    return pmf[..., threshold:].sum(axis=-1)


def quantile(pmf: np.ndarray, q: float) -> np.ndarray:
    """Smallest k with P(X <= k) >= q."""
    cdf = np.cumsum(pmf, axis=-1)
    return (cdf < q - 1e-12).sum(axis=-1)


def nb_pmf(mu: np.ndarray, alpha: float, k: int) -> np.ndarray:
    """Negative binomial (variance mu + alpha mu^2) over 0..k, the tail folded into k."""
    from strikescope.analysis.walkforward import nb_pmf as vectorised

    return vectorised(mu, alpha, k)


def empirical_pmf(values: Iterable[float], k: int, floor: float = FLOOR) -> np.ndarray:
    """Empirical distribution of `values` mixed with `floor` spread uniformly over 0..k."""
    vals = np.clip(np.asarray(list(values), dtype=float), 0, k).astype(int)
    pmf = np.full(k + 1, floor / (k + 1))
    if len(vals):
        pmf += (1 - floor) * np.bincount(vals, minlength=k + 1) / len(vals)
    else:
        pmf += (1 - floor) / (k + 1)
    return pmf


def _massive_prob(pd_: np.ndarray, pm: np.ndarray, rule: MassiveRule) -> np.ndarray:
    # The two counts are treated as independent given the model's information.
    return 1 - (1 - exceed(pm, rule.missiles)) * (1 - exceed(pd_, rule.drones))


# --------------------------------------------------------------------------- forecast object

@dataclass
class Forecast:
    """Predictive distributions for nights as_of+1 .. as_of+horizon."""

    as_of: pd.Timestamp
    model: str
    pmfs: dict[str, np.ndarray]  # target -> (horizon, K+1)
    p_massive: np.ndarray  # (horizon,)
    thresholds: dict[str, tuple[int, ...]] = field(
        default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    rule: MassiveRule = field(default_factory=MassiveRule)

    @property
    def horizon(self) -> int:
        return len(self.p_massive)

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for target in TARGETS:
            pmf = self.pmfs[target]
            frame = pd.DataFrame({
                "night": self.as_of + pd.to_timedelta(np.arange(1, self.horizon + 1), "D"),
                "horizon": np.arange(1, self.horizon + 1), "target": target,
                "mean": pmf @ np.arange(pmf.shape[1]),
            })
            for q in QUANTILES:
                frame[f"q{round(q * 100):02d}"] = quantile(pmf, q)
            for t in self.thresholds.get(target, ()):
                frame[f"p_ge_{t}"] = exceed(pmf, t)
            frame["p_massive"] = self.p_massive
            rows.append(frame)
        return pd.concat(rows, ignore_index=True)

    def summary(self) -> str:
        df = self.to_frame()
        lines = [f"Forecast by {self.model} as of {self.as_of:%Y-%m-%d} "
                 f"(massive: >= {self.rule.missiles} missiles or >= {self.rule.drones} drones)"]
        for r in df.itertuples(index=False):
            lines.append(f"  {r.night:%Y-%m-%d} h{r.horizon} {r.target:8s} median {r.q50:4d} "
                         f"90% [{r.q05}, {r.q95}]  P(massive) {r.p_massive:.2f}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- history

def prepare_history(df: pd.DataFrame) -> pd.DataFrame:
    """Nightly drones/missiles on a dense calendar, indexed by night."""
    if "night" not in df.columns:
        df = df.reset_index()
    s = df[["night", *COLUMNS.values()]].copy()
    s["night"] = pd.to_datetime(s["night"])
    s = s.groupby("night").sum().sort_index()
    if s.empty:
        return s
    full = pd.date_range(s.index.min(), s.index.max(), freq="D", name="night")
    return s.reindex(full, fill_value=0).astype("float64")


def _until(history: pd.DataFrame, as_of) -> pd.DataFrame:
    return history.loc[: pd.Timestamp(as_of)]


class Model:
    """Interface: fit(history) -> self, predict(as_of, horizon, history=None) -> Forecast."""

    name = "model"
    default_window = 28  # nights of history a model looks at

    def __init__(self, rule: MassiveRule | None = None, thresholds=None,
                 window: int | None = None):
        self.window = window or self.default_window
        self.rule = rule or MassiveRule()
        self.thresholds = dict(thresholds or DEFAULT_THRESHOLDS)
        self.history: pd.DataFrame | None = None

    def fit(self, history: pd.DataFrame) -> Model:
        self.history = history
        return self

    def predict(self, as_of, horizon: int = 7, history: pd.DataFrame | None = None
                ) -> Forecast:
        hist = _until(self.history if history is None else history, as_of)
        if hist.empty:
            raise InputError(f"no nights on or before {pd.Timestamp(as_of):%Y-%m-%d}")
        pmfs = {t: self._pmf(hist, t, horizon) for t in TARGETS}
        p_massive = self._p_massive(hist, pmfs, horizon)
        return Forecast(pd.Timestamp(as_of), self.name, pmfs, p_massive, self.thresholds,
                        self.rule)

    def _pmf(self, hist: pd.DataFrame, target: str, horizon: int) -> np.ndarray:
        raise NotImplementedError

    def _p_massive(self, hist, pmfs, horizon) -> np.ndarray:
        return _massive_prob(pmfs["drones"], pmfs["missiles"], self.rule)


class Climatology(Model):
    """The empirical distribution of the last `window` nights, for every horizon."""

    name = "climatology"

    def _pmf(self, hist, target, horizon):
        vals = hist[COLUMNS[target]].to_numpy()[-self.window:]
        return np.tile(empirical_pmf(vals, SUPPORT[target]), (horizon, 1))

    def _p_massive(self, hist, pmfs, horizon):
        recent = hist.iloc[-self.window:]
        rate = self.rule.of(recent[COLUMNS["drones"]], recent[COLUMNS["missiles"]]).mean()
        return np.full(horizon, FLOOR / 2 + (1 - FLOOR) * rate)


class Persistence(Model):
    """Last night's count plus the h-night changes seen over the last `window` nights."""

    name = "persistence"

    def _pmf(self, hist, target, horizon):
        y = hist[COLUMNS[target]].to_numpy()
        recent = y[-(self.window + horizon):]
        rows = []
        for h in range(1, horizon + 1):
            changes = recent[h:] - recent[:-h] if len(recent) > h else np.zeros(1)
            rows.append(empirical_pmf(np.clip(y[-1] + changes, 0, None), SUPPORT[target]))
        return np.vstack(rows)


def _poisson_glm(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Poisson regression by IRLS (`walkforward.poisson_glm`, shared by every model)."""
    from strikescope.analysis.walkforward import poisson_glm

    return poisson_glm(X, y)


def _nb_alpha(y: np.ndarray, mu: np.ndarray) -> float:
    """Moment estimate of the NB2 dispersion (`walkforward.nb_alpha`)."""
    from strikescope.analysis.walkforward import nb_alpha

    return nb_alpha(y, mu)


class NBTrend(Model):
    """Negative binomial with a log-linear trend over the last `window` nights."""

    name = "nb_trend"
    default_window = 56

    def _pmf(self, hist, target, horizon):
        y = hist[COLUMNS[target]].to_numpy()[-self.window:]
        t = np.arange(len(y)) / self.window
        X = np.column_stack([np.ones_like(t), t])
        beta = _poisson_glm(X, y)
        alpha = _nb_alpha(y, np.exp(X @ beta))
        ahead = (len(y) - 1 + np.arange(1, horizon + 1)) / self.window
        mu = np.exp(beta[0] + beta[1] * ahead)
        return nb_pmf(mu, alpha, SUPPORT[target])


FEATURES = ("lags", "since_massive", "dow", "trend", "cross")
DEFAULT_FEATURES = ("lags", "since_massive", "dow", "trend")


def _rolling_mean(y: np.ndarray, n: int) -> np.ndarray:
    c = np.concatenate([[0.0], np.cumsum(y)])
    i = np.arange(1, len(y) + 1)
    lo = np.maximum(i - n, 0)
    return (c[i] - c[lo]) / (i - lo)


def features(hist: pd.DataFrame, massive_missiles: int = 20) -> pd.DataFrame:
    """Features known at the end of each night t (rolling windows look only backwards)."""
    return pd.DataFrame(_feature_arrays(hist, massive_missiles), index=hist.index)


def _last_features(hist: pd.DataFrame, massive_missiles: int) -> dict[str, np.ndarray]:
    """_feature_arrays of the last night; the forecast of a backtest asks for it once per
    target and model, so the last frame's answer is kept."""
    key = (_content_key(hist), massive_missiles)
    if _LAST[0] != key:
        _LAST[:] = [key, _feature_arrays(hist, massive_missiles)]
    return _LAST[1]


_LAST: list = [None, None]


def _content_key(hist: pd.DataFrame) -> tuple:
    """A key that changes with any count or date of the frame (a weighted checksum)."""
    v = hist[list(COLUMNS.values())].to_numpy(dtype=float)
    w = np.arange(1, len(v) + 1, dtype=float)[:, None]
    return (v.shape, hist.index[0], hist.index[-1], float(v.sum()), float((v * w).sum()),
            float((v * w * w).sum()))


def _feature_arrays(hist: pd.DataFrame, massive_missiles: int) -> dict[str, np.ndarray]:
    cols = {}
    for target, col in COLUMNS.items():
        y = hist[col].to_numpy(dtype=float)
        cols[f"{target}_last"] = np.log1p(y)
        cols[f"{target}_m7"] = np.log1p(_rolling_mean(y, 7))
        cols[f"{target}_m28"] = np.log1p(_rolling_mean(y, 28))
    pos = np.arange(len(hist))
    big = np.where(hist[COLUMNS["missiles"]].to_numpy() >= massive_missiles, pos, -30)
    # Missiles are stockpiled between big strikes; before the first one count from the start.
    cols["since_massive"] = pos - np.maximum.accumulate(big) if len(big) else pos
    cols["trend"] = np.asarray((hist.index - EPOCH).days, dtype=float) / 365.0
    cols["dow"] = np.asarray(hist.index.day_of_week)
    return cols


class NBLags(Model):
    """Negative binomial regression, one per horizon (direct), on features known at as_of.

    Features: log of last night and of the 7- and 28-night means (own and, with "cross",
    the other target's), nights since the last massive missile strike, day of week of the
    target night, linear trend. Fitted on the last `window` nights of the fit history.
    """

    name = "nb_lags"

    default_window = 730

    def __init__(self, use: Iterable[str] = DEFAULT_FEATURES, **kw):
        super().__init__(**kw)
        self.use = tuple(use)
        self.params: dict[tuple[str, int], tuple[np.ndarray, float]] = {}

    def _design(self, feats: dict[str, np.ndarray], target: str, h: int) -> np.ndarray:
        cols = [np.ones(len(feats["trend"]))]
        others = [t for t in TARGETS if t != target] if "cross" in self.use else []
        if "lags" in self.use:
            for t in [target, *others]:
                cols += [feats[f"{t}_last"], feats[f"{t}_m7"], feats[f"{t}_m28"]]
        if "since_massive" in self.use:
            cols.append(np.log1p(feats["since_massive"] + h))
        if "dow" in self.use:
            dow = (feats["dow"] + h) % 7
            cols += [(dow == d).astype(float) for d in range(1, 7)]
        if "trend" in self.use:
            cols.append(feats["trend"])
        return np.column_stack([np.asarray(c, dtype=float) for c in cols])

    # Nights to fit each horizon's regression on, at the least: about twice its parameters.
    min_training = 28

    def min_history(self, horizon: int) -> int:
        """Nights of history a fit for `horizon` nights ahead needs."""
        return self.min_training + horizon

    def fit(self, history: pd.DataFrame, max_horizon: int = 7) -> NBLags:
        need = self.min_history(max_horizon)
        if len(history) < need:
            raise InputError(
                f"the {self.name} model needs {need} nights of history for a {max_horizon}-night "
                f"forecast, and there are {len(history)}; the climatology and persistence "
                "models need one")
        super().fit(history)
        self._memo = (None,)  # forecasts from the previous fit no longer hold
        hist = history.iloc[-(self.window + max_horizon):]
        feats = _feature_arrays(history, self.rule.missiles)
        self.params = {}
        for target in TARGETS:
            y = hist[COLUMNS[target]].to_numpy(dtype=float)
            for h in range(1, max_horizon + 1):
                X = self._design({k: v[-len(hist):-h] for k, v in feats.items()}, target, h)
                beta = _poisson_glm(X, y[h:])
                self.params[target, h] = beta, _nb_alpha(y[h:], np.exp(X @ beta))
        return self

    def predict(self, as_of, horizon: int = 7, history: pd.DataFrame | None = None
                ) -> Forecast:
        if any((t, h) not in self.params for t in TARGETS for h in range(1, horizon + 1)):
            self.fit(_until(self.history, as_of), horizon)
        return super().predict(as_of, horizon, history)

    def _pmf(self, hist, target, horizon):
        key = (target, horizon, _content_key(hist))
        if getattr(self, "_memo", (None,))[0] != key:
            self._memo = key, self._nb_rows(hist, target, horizon)
        return self._memo[1]

    def _nb_rows(self, hist, target, horizon):
        feats = {k: v[-1:] for k, v in _last_features(hist, self.rule.missiles).items()}
        mu, alpha = np.empty(horizon), np.empty(horizon)
        for h in range(1, horizon + 1):
            beta, alpha[h - 1] = self.params[target, h]
            mu[h - 1] = np.exp(np.clip(self._design(feats, target, h) @ beta, -20, 10))[0]
        return nb_pmf(mu, alpha, SUPPORT[target])  # all horizons in one vectorised call


class Blend(NBLags):
    """An equal-weight mixture (linear pool) of `nb_lags` and the 28-night climatology.

    The regression tracks the level and announces calm or busy spells from the lags; the
    empirical distribution keeps the spike-and-quiet shape of recent nights that a single
    negative binomial smooths over. Pooling the two predictive distributions keeps both.
    """

    name = "blend"

    def __init__(self, weight: float = 0.5, climatology_window: int = 28, **kw):
        super().__init__(**kw)
        if not 0 <= weight <= 1:
            raise InputError("weight must be between 0 and 1")
        self.weight = weight
        self.climatology = Climatology(window=climatology_window, rule=self.rule)

    def _pmf(self, hist, target, horizon):
        nb = super()._pmf(hist, target, horizon)
        return self.weight * nb + (1 - self.weight) * self.climatology._pmf(hist, target, horizon)

    def _p_massive(self, hist, pmfs, horizon):
        nb_pmfs = {t: NBLags._pmf(self, hist, t, horizon) for t in TARGETS}  # memoised
        nb = _massive_prob(nb_pmfs["drones"], nb_pmfs["missiles"], self.rule)
        clim = self.climatology._p_massive(hist, pmfs, horizon)
        return self.weight * nb + (1 - self.weight) * clim


def make_model(name: str, **kw) -> Model:
    classes = {"climatology": Climatology, "persistence": Persistence, "nb_trend": NBTrend,
               "nb_lags": NBLags, "blend": Blend}
    if name not in classes:
        raise InputError(f"unknown model {name!r}; choose one of {', '.join(classes)}")
    return classes[name](**kw)


def load_history(db=None, history: pd.DataFrame | None = None) -> pd.DataFrame:
    if history is None:
        from strikescope.api import nights

        history = nights(db=db)
    return prepare_history(history)


# The walk-forward models of strikescope.analysis.walkforward (local level, hurdle, stacked pool).
SKILL_MODELS = ("stack", "nb_level", "hurdle", "mix")
# The model whose P(massive) the forecast shows with its track record: the best on the 2024
# walk-forward (scripts/forecast_skill.py; docs/forecast.md), with the chosen settings.
MASSIVE_MODEL = "stack"


def _history_until(as_of, db, history) -> tuple[pd.DataFrame, pd.Timestamp]:
    full = load_history(db, history)
    if as_of is None:
        if full.empty:
            raise InputError("no nights to forecast from: ingest attack reports first")
        as_of = full.index.max()
    return _until(full, as_of), pd.Timestamp(as_of)


def _spec(rule: MassiveRule | None, weather: bool = False):
    from strikescope.analysis import walkforward as wf

    rule = rule or MassiveRule()
    return wf.chosen_spec(massive_missiles=rule.missiles, massive_drones=rule.drones,
                          weather_forecast=weather)


# The model a weather forecast goes into when the one asked for takes no weather.
WEATHER_MODEL = "stack"


def massive_outlook(as_of=None, horizon: int = 7, model: str = MASSIVE_MODEL, db=None,
                    rule: MassiveRule | None = None, history: pd.DataFrame | None = None,
                    record_nights: int = 365, weather: pd.DataFrame | None = None):
    """P(massive night) for nights as_of+1 .. as_of+horizon with its track record: the
    reliability and Brier skill of the same model's 1-night forecasts (walk-forward, refitted
    weekly, each from the nights before it) over the `record_nights` nights up to as_of.

    `weather` (see forecast_weather) adds the weather forecast of the target nights as a
    feature, to a skill model (WEATHER_MODEL when `model` takes no weather)."""
    from strikescope.analysis import walkforward as wf

    if not 1 <= horizon <= 28:
        raise InputError("horizon must be between 1 and 28 nights")
    hist, as_of = _history_until(as_of, db, history)
    if weather is not None and model not in SKILL_MODELS:
        model = WEATHER_MODEL
    return wf.outlook(hist, as_of, horizon, model, _spec(rule, weather is not None),
                      record_nights, weather=weather)


def forecast_weather(as_of=None, horizon: int = 7, db=None, *, path=None, fetch: bool = False,
                     history: pd.DataFrame | None = None, client=None, url: str | None = None,
                     observed=None) -> pd.DataFrame:
    """Weather features for a forecast as of `as_of`: the weather of every night of the
    history (to fit on) and the forecast of nights as_of+1 .. as_of+horizon.

    fetch=True asks Open-Meteo's historical forecast API for all of them (archived
    forecasts for the past, the current forecast ahead; the URL may be set as
    `STRIKESCOPE_WEATHER_FORECAST_URL` or `[sources.weather_forecast]`). `path` is a
    weather file (the columns of weather_by_date.csv) holding at least the target nights;
    the nights it lacks come from the observed weather file (`observed`, by default the
    configured one). Raises ValueError with the reason when neither gives the target nights."""
    import httpx

    from strikescope import weather as wx
    from strikescope.sources.remote import settings

    hist, as_of = _history_until(as_of, db, history)
    targets = pd.date_range(as_of + pd.Timedelta(days=1), periods=horizon, freq="D")
    if fetch:
        url = url or settings("weather_forecast").get("url") or wx.FORECAST_URL
        try:
            frame = wx.fetch_weather_forecast(hist.index[0], targets[-1], client=client, url=url)
        except httpx.TransportError as exc:
            raise FetchError(f"could not reach the weather forecast at {url} (no network?): "
                             f"{exc}; give a forecast file with --weather-forecast FILE") from None
        except (httpx.HTTPError, RuntimeError, KeyError) as exc:
            raise FetchError(f"the weather forecast from {url} failed: {exc}") from None
    else:
        try:
            given = wx.read_weather(path)
        except (OSError, KeyError, ValueError) as exc:
            raise InputError(f"{path}: not a weather file ({exc!r})") from None
        frame = _weather_file(given, observed, as_of)
    given = frame.reindex(targets)[["avg_night_cloudcover", "avg_precipitation",
                                    "avg_windspeed"]].notna().all(axis=1)
    if not given.all():
        missing = ", ".join(f"{n:%Y-%m-%d}" for n in targets[~given.to_numpy()])
        raise InputError(f"the weather forecast has no values for the night(s) {missing}")
    return frame


def _weather_file(forecast: pd.DataFrame, observed, as_of) -> pd.DataFrame:
    """The forecast nights, and the observed weather of the nights up to as_of that the
    file lacks (never of a later night: that would be the look-ahead bound)."""
    from strikescope import weather as wx

    if observed is None:
        try:
            observed = wx.read_weather()
        except OSError:
            return forecast
    past = observed.loc[: pd.Timestamp(as_of)].drop(forecast.index, errors="ignore")
    return pd.concat([past, forecast]).sort_index()


def outlook_forecast(out, thresholds=None, rule: MassiveRule | None = None) -> Forecast:
    """The forecast of a skill model's outlook (massive_outlook): its distributions and
    P(massive), without computing them again."""
    return Forecast(out.as_of, out.model, out.pmfs, out.p_massive,
                    dict(thresholds or DEFAULT_THRESHOLDS), rule or MassiveRule())


def forecast(as_of=None, horizon: int = 7, model: str = "blend", db=None, thresholds=None,
             rule: MassiveRule | None = None, history: pd.DataFrame | None = None,
             weather: pd.DataFrame | None = None) -> Forecast:
    """Forecast nights as_of+1 .. as_of+horizon from nights ending on or before as_of (by
    default the last night of the history). With `weather` (forecast_weather), the
    weather forecast of the target nights is a feature of a skill model (WEATHER_MODEL
    when `model` is not one)."""
    if not 1 <= horizon <= 28:
        raise InputError("horizon must be between 1 and 28 nights")
    hist, as_of = _history_until(as_of, db, history)
    if weather is not None and model not in SKILL_MODELS:
        model = WEATHER_MODEL
    if model in SKILL_MODELS:
        return outlook_forecast(massive_outlook(as_of, horizon, model, rule=rule, history=hist,
                                                record_nights=0, weather=weather),
                                thresholds, rule)
    m = make_model(model, rule=rule, thresholds=thresholds)
    if isinstance(m, NBLags):
        m.fit(hist, horizon)
    else:
        m.fit(hist)
    return m.predict(as_of, horizon)


# --------------------------------------------------------------------------- scores

def crps(pmf: np.ndarray, obs: np.ndarray) -> np.ndarray:
    """CRPS of pmf rows over 0..K, exact for integer support: sum_k (F(k) - 1{obs <= k})^2
    (the tests check it against scoringrules.crps_ensemble)."""
    from strikescope.analysis.walkforward import crps_rows

    return crps_rows(np.atleast_2d(pmf), np.atleast_1d(np.asarray(obs, dtype=float)))


def log_score(pmf: np.ndarray, obs: np.ndarray) -> np.ndarray:
    """Negative log of the probability given to the observed count (lower is better)."""
    pmf = np.atleast_2d(pmf)
    idx = np.clip(np.asarray(obs, dtype=int), 0, pmf.shape[1] - 1)
    return -np.log(np.maximum(pmf[np.arange(len(pmf)), idx], 1e-300))


def brier(prob: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    # here, not at the top: scoringrules loads scipy.special, 0.4 s of a page's first view
    import scoringrules as sr

    return np.asarray(sr.brier_score(np.asarray(outcome, dtype=float),
                                     np.asarray(prob, dtype=float)))


def randomized_pit(pmf: np.ndarray, obs: np.ndarray, seed: int = 0) -> np.ndarray:
    """F(y-1) + U p(y): uniform on [0, 1] when the discrete forecast is calibrated."""
    pmf = np.atleast_2d(pmf)
    idx = np.clip(np.asarray(obs, dtype=int), 0, pmf.shape[1] - 1)
    cdf = np.cumsum(pmf, axis=1)
    rows = np.arange(len(pmf))
    below = np.where(idx > 0, cdf[rows, np.maximum(idx - 1, 0)], 0.0)
    return below + np.random.default_rng(seed).uniform(size=len(pmf)) * pmf[rows, idx]


def covered(pmf: np.ndarray, obs: np.ndarray, level: float) -> np.ndarray:
    """Whether obs lies in the central interval [q_(1-level)/2, q_(1+level)/2]."""
    lo, hi = quantile(pmf, (1 - level) / 2), quantile(pmf, (1 + level) / 2)
    obs = np.asarray(obs)
    return (obs >= lo) & (obs <= hi)


def reliability(prob: np.ndarray, outcome: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Forecast probability vs observed frequency in equal-width probability bins."""
    prob, outcome = np.asarray(prob, dtype=float), np.asarray(outcome, dtype=float)
    which = np.minimum((prob * bins).astype(int), bins - 1)
    df = pd.DataFrame({"bin": which, "prob": prob, "outcome": outcome})
    out = df.groupby("bin").agg(n=("prob", "size"), mean_prob=("prob", "mean"),
                                observed=("outcome", "mean")).reset_index()
    out["bin_low"] = out["bin"] / bins
    return out[["bin_low", "n", "mean_prob", "observed"]]


# --------------------------------------------------------------------------- backtest

@dataclass
class BacktestResult:
    """Walk-forward forecasts and their scores."""

    start: pd.Timestamp
    end: pd.Timestamp
    refit_every: int
    records: pd.DataFrame  # one row per model, origin, horizon, target
    scores: pd.DataFrame  # model, target, metric, value (all horizons pooled)

    def to_frame(self) -> pd.DataFrame:
        return self.records

    def table(self, reference: str = "climatology") -> pd.DataFrame:
        """Wide table: one row per model and target, with skill against `reference`."""
        wide = self.scores.pivot_table(index=["target", "model"], columns="metric",
                                       values="value").reset_index()
        ref = wide[wide.model == reference].set_index("target")
        wide["crps_skill"] = 1 - wide["crps"] / wide["target"].map(ref["crps"])
        order = {m: i for i, m in enumerate(MODELS)}
        wide = wide.sort_values(["target", "model"], key=lambda s: s.map(order)
                                if s.name == "model" else s)
        cols = ["target", "model", "crps", "crps_skill", "log_score", "cover50", "cover90",
                "brier", "brier_skill"]
        return wide[[c for c in cols if c in wide]].reset_index(drop=True)

    def skill(self) -> pd.DataFrame:
        """CRPS and Brier skill of each model against each baseline (1 - score/baseline)."""
        rows = []
        s = self.scores.set_index(["model", "target", "metric"])["value"]
        models = self.scores.model.unique()
        for target in self.scores.target.unique():
            metric = "brier" if target == "massive" else "crps"
            for m in models:
                for base in models:
                    if m != base:
                        rows.append({"target": target, "model": m, "baseline": base,
                                     "metric": metric,
                                     "skill": 1 - s[m, target, metric] / s[base, target, metric]})
        return pd.DataFrame(rows)

    def by_horizon(self) -> pd.DataFrame:
        counts = self.records[self.records.target != "massive"]
        return counts.groupby(["target", "model", "horizon"])["crps"].mean().unstack("horizon")

    def pit(self, bins: int = 10) -> pd.DataFrame:
        counts = self.records[self.records.target != "massive"]
        edges = np.linspace(0, 1, bins + 1)
        rows = []
        for (model, target), g in counts.groupby(["model", "target"]):
            hist, _ = np.histogram(g["pit"], bins=edges)
            rows += [{"model": model, "target": target, "bin_low": e, "share": c / len(g)}
                     for e, c in zip(edges[:-1], hist, strict=True)]
        return pd.DataFrame(rows)

    def reliability(self, bins: int = 10) -> pd.DataFrame:
        mass = self.records[self.records.target == "massive"]
        return pd.concat([reliability(g["prob"], g["obs"], bins).assign(model=m)
                          for m, g in mass.groupby("model")], ignore_index=True)

    def summary(self) -> str:
        t = self.table()
        lines = [f"Walk-forward backtest {self.start:%Y-%m-%d} .. {self.end:%Y-%m-%d}, "
                 f"refit every {self.refit_every} nights, horizons 1-"
                 f"{int(self.records.horizon.max())}"]
        for r in t.itertuples(index=False):
            if r.target == "massive":
                lines.append(f"  massive  {r.model:12s} Brier {r.brier:.4f} "
                             f"skill {r.brier_skill:+.3f}")
            else:
                lines.append(f"  {r.target:8s} {r.model:12s} CRPS {r.crps:8.2f} "
                             f"skill {r.crps_skill:+.3f} log {r.log_score:6.2f} "
                             f"cover50 {r.cover50:.2f} cover90 {r.cover90:.2f}")
        return "\n".join(lines)


def _origins(start, end, horizon):
    first = pd.Timestamp(start) - pd.Timedelta(days=horizon)
    return pd.date_range(first, pd.Timestamp(end) - pd.Timedelta(days=1), freq="D")


def _record_block(fc: Forecast, hist: pd.DataFrame, start, end) -> list[dict]:
    rows: list[dict] = []
    nights = fc.as_of + pd.to_timedelta(np.arange(1, fc.horizon + 1), "D")
    keep = (nights >= start) & (nights <= end) & nights.isin(hist.index)
    if not keep.any():
        return rows
    obs = {t: hist[COLUMNS[t]].reindex(nights).to_numpy() for t in TARGETS}
    massive = fc.rule.of(obs["drones"], obs["missiles"])
    for i in np.flatnonzero(keep):
        for t in TARGETS:
            rows.append({"origin": fc.as_of, "night": nights[i], "horizon": i + 1,
                         "target": t, "obs": obs[t][i], "pmf": fc.pmfs[t][i]})
        rows.append({"origin": fc.as_of, "night": nights[i], "horizon": i + 1,
                     "target": "massive", "obs": float(massive[i]),
                     "prob": fc.p_massive[i]})
    return rows


def _score_records(rows: list[dict], seed: int) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    counts = df.target != "massive"
    for col in ("crps", "log_score", "pit", "cover50", "cover90"):
        df[col] = np.nan
    for target in TARGETS:
        sel = (df.target == target).to_numpy()
        if not sel.any():
            continue
        pmf = np.vstack(df.loc[sel, "pmf"].to_numpy())
        obs = df.loc[sel, "obs"].to_numpy()
        df.loc[sel, "crps"] = crps(pmf, obs)
        df.loc[sel, "log_score"] = log_score(pmf, obs)
        df.loc[sel, "pit"] = randomized_pit(pmf, obs, seed)
        df.loc[sel, "cover50"] = covered(pmf, obs, 0.5).astype(float)
        df.loc[sel, "cover90"] = covered(pmf, obs, 0.9).astype(float)
        df.loc[sel, "mean"] = pmf @ np.arange(pmf.shape[1])
        df.loc[sel, "q05"] = quantile(pmf, 0.05)
        df.loc[sel, "q95"] = quantile(pmf, 0.95)
    mass = ~counts
    df.loc[mass, "brier"] = brier(df.loc[mass, "prob"].to_numpy(), df.loc[mass, "obs"])
    return df.drop(columns="pmf")


def _summarise(records: pd.DataFrame) -> pd.DataFrame:
    counts = records[records.target != "massive"]
    long = counts.melt(id_vars=["model", "target"],
                       value_vars=["crps", "log_score", "cover50", "cover90"],
                       var_name="metric").groupby(["model", "target", "metric"]).value.mean()
    mass = records[records.target == "massive"]
    b = mass.groupby("model").brier.mean()
    # Skill against a constant forecast at the observed base rate of the period.
    base = float(np.mean((mass.obs - mass.obs.mean()) ** 2)) if len(mass) else np.nan
    extra = pd.concat([b.rename("brier"), (1 - b / base).rename("brier_skill")], axis=1)
    extra = extra.reset_index().melt(id_vars="model", var_name="metric").assign(
        target="massive")
    return pd.concat([long.reset_index(), extra], ignore_index=True)[
        ["model", "target", "metric", "value"]]


def backtest(start="2024-07-01", end="2025-12-31", models: Iterable[str] = MODELS,
             refit_every: int = 7, horizon: int = 7, db=None,
             progress: ProgressFn | None = None, history: pd.DataFrame | None = None,
             seed: int = 0, rule: MassiveRule | None = None,
             model_options: dict[str, dict] | None = None) -> BacktestResult:
    """Walk forward over origins so that every night in [start, end] is forecast at every
    horizon; each model is refitted every `refit_every` origins on nights up to that origin,
    and each forecast sees only nights up to its origin. Origins start once every model has
    the history it needs (`NBLags.min_history`)."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    hist = load_history(db, history)
    models = list(models)
    if hist.empty:
        raise InputError("no nights to backtest on: ingest attack reports first")
    need = _min_history(models, horizon)
    first = hist.index.min() + pd.Timedelta(days=need - 1)
    origins = [o for o in _origins(start, end, horizon) if o >= first]
    if not origins:
        raise InputError(
            f"nothing to score from {start:%Y-%m-%d} to {end:%Y-%m-%d}: {', '.join(models)} "
            f"need {need} nights of history before a forecast, and the nights begin "
            f"{hist.index.min():%Y-%m-%d}")
    rows_by_model: list[pd.DataFrame] = []
    total = len(models) * len(origins)
    for mi, name in enumerate(models):
        model = make_model(name, rule=rule, **(model_options or {}).get(name, {}))
        rows: list[dict] = []
        for oi, origin in enumerate(origins):
            past = hist.loc[:origin]
            if oi % refit_every == 0:
                _fit(model, past, horizon)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                fc = model.predict(origin, horizon, history=past)
            rows += _record_block(fc, hist, start, end)
            if progress and oi % 20 == 0:
                progress(f"backtest {name}", (mi * len(origins) + oi) / total)
        rows_by_model.append(_score_records(rows, seed).assign(model=name))
    if progress:
        progress("backtest done", 1.0)
    records = pd.concat(rows_by_model, ignore_index=True)
    return BacktestResult(start, end, refit_every, records, _summarise(records))


def _min_history(models: Iterable[str], horizon: int) -> int:
    """Nights of history every model needs: the backtest starts where all can forecast, so
    that they are scored on the same nights."""
    return max((m.min_history(horizon) if isinstance(m, NBLags) else 1)
               for m in (make_model(name) for name in models))


def _fit(model: Model, past: pd.DataFrame, horizon: int) -> None:
    if isinstance(model, NBLags):
        model.fit(past, horizon)
    else:
        model.fit(past)
