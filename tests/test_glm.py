"""The event study's regressions written out (`analysis.glm`): hand-worked cases, and the
same estimates as patsy's `bs()` and statsmodels' GLM with HAC errors, which they replace
on the study's path (statsmodels stays the reference here)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from strikescope.analysis import glm
from strikescope.analysis import study as st

# ------------------------------------------------------------------ hand-worked cases


def test_bspline_basis_by_hand():
    # degree 1, df 2: one inner knot at the median 2 of x = 0..4, knots 0 0 2 4 4; the
    # hats are (1 - x/2 | x/2 then 2 - x/2 | x/2 - 1); the first (intercept's) is dropped
    basis = glm.bspline_basis(np.arange(5.0), df=2, degree=1)
    assert basis.tolist() == [[0, 0], [0.5, 0], [1, 0], [0.5, 0.5], [0, 1]]


def test_cubic_basis_sums_to_one_with_the_dropped_column():
    x = np.arange(30.0)
    basis = glm.bspline_basis(x, df=6)
    assert basis.shape == (30, 6)
    # inner knots at the quartiles 7.25, 14.5, 21.75; the dropped first function is 1 at
    # x = 0 (the others 0) and 0 from the first inner knot on: there the kept ones sum to 1
    assert basis[0].sum() == 0
    later = x >= 7.25
    assert basis[later].sum(axis=1) == pytest.approx(np.ones(later.sum()))
    assert (basis[~later].sum(axis=1) < 1).all()


def test_poisson_intercept_is_the_log_mean_with_its_hac_error():
    # intercept only: mu = mean(y) = 3; with no lags the sandwich is White's,
    # se(log mu) = sqrt(sum (y - mean)^2) / (n mean) = sqrt(4 + 4 + 1 + 9 + 4) / 15
    y = np.array([1.0, 5, 2, 6, 1])
    res = glm.fit(y, np.ones((5, 1)), glm.Poisson(), hac_lags=0)
    assert res.params[0] == pytest.approx(math.log(3))
    assert res.bse[0] == pytest.approx(math.sqrt(22) / 15)
    z = math.log(3) / (math.sqrt(22) / 15)
    assert res.pvalues[0] == pytest.approx(math.erfc(z / math.sqrt(2)))


def test_binomial_intercept_is_the_log_odds_of_the_pooled_share():
    # 3 of 4 and 1 of 4: pooled share 1/2, log odds 0
    res = glm.fit(np.array([0.75, 0.25]), np.ones((2, 1)), glm.Binomial(),
                  n_trials=np.array([4.0, 4.0]))
    assert res.params[0] == pytest.approx(0.0, abs=1e-12)
    assert res.fitted == pytest.approx([0.5, 0.5])


def test_bartlett_lag_weights_the_neighbours_scores():
    # intercept only, mu = 2, scores y - mu = -1, 1, -1, 1: White's sum of squares 4,
    # one lag at weight 1/2 adds 2 * 0.5 * (-1 - 1 - 1) = -3: se = sqrt(1) / (4 * 2)
    y = np.array([1.0, 3, 1, 3])
    res = glm.fit(y, np.ones((4, 1)), glm.Poisson(), hac_lags=1)
    assert res.bse[0] == pytest.approx(1 / 8)


# ------------------------------------------------------------ same as patsy, statsmodels


@pytest.mark.parametrize(("n", "df"), [(60, 4), (319, 7), (1190, 26)])
def test_bspline_basis_is_patsys(n, df):
    patsy = pytest.importorskip("patsy")
    t = np.arange(n, dtype=float)
    ref = np.asarray(patsy.dmatrix(f"bs(t, df={df}, degree=3)", {"t": t}))[:, 1:]
    assert np.abs(glm.bspline_basis(t, df) - ref).max() < 1e-13


def _design(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    index = pd.date_range("2024-01-01", periods=n, freq="D")
    events = np.sort(rng.choice(np.arange(10, n - 10), size=6, replace=False))
    return st._design(index, events, 7, st.trend_df_for(n)).to_numpy()


def _statsmodels(y, X, family, **fit):
    pytest.importorskip("statsmodels")
    from statsmodels.genmod.generalized_linear_model import GLM

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GLM(y, X, family=family).fit(**fit)


HAC = {"cov_type": "HAC", "cov_kwds": {"maxlags": st.HAC_LAGS}}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_negative_binomial_is_statsmodels(seed):
    from statsmodels.genmod import families

    X = _design(400, seed)
    rng = np.random.default_rng(seed)
    mu = np.exp(3 + 0.3 * np.sin(np.arange(400) / 40) + 0.2 * X[:, -1])
    y = rng.negative_binomial(2, 2 / (2 + mu)).astype(float)
    ref = _statsmodels(y, X, families.NegativeBinomial(alpha=0.5), **HAC)
    mine = glm.fit(y, X, glm.NegativeBinomial(0.5), hac_lags=st.HAC_LAGS)
    assert mine.params == pytest.approx(ref.params, rel=1e-9, abs=1e-12)
    assert mine.bse == pytest.approx(ref.bse, rel=1e-9)
    assert mine.pvalues == pytest.approx(ref.pvalues, rel=1e-9, abs=1e-15)


def test_poisson_fitted_values_are_statsmodels():
    from statsmodels.genmod import families

    X = _design(300, 4)
    y = np.random.default_rng(4).poisson(np.exp(2 + 0.5 * X[:, -1])).astype(float)
    ref = _statsmodels(y, X, families.Poisson())
    assert glm.fit(y, X, glm.Poisson()).fitted == pytest.approx(ref.fittedvalues, rel=1e-10)


def test_binomial_is_statsmodels_with_successes_and_failures():
    from statsmodels.genmod import families

    X = _design(300, 5)
    rng = np.random.default_rng(5)
    n = rng.integers(1, 60, size=300).astype(float)
    s = rng.binomial(n.astype(int), 1 / (1 + np.exp(-(1 + 0.4 * X[:, -1])))).astype(float)
    ref = _statsmodels(np.column_stack([s, n - s]), X, families.Binomial(), **HAC)
    mine = glm.fit(s / n, X, glm.Binomial(), n, hac_lags=st.HAC_LAGS)
    assert mine.params == pytest.approx(ref.params, rel=1e-9, abs=1e-12)
    assert mine.bse == pytest.approx(ref.bse, rel=1e-9)
    assert mine.pvalues == pytest.approx(ref.pvalues, rel=1e-9, abs=1e-15)


def test_an_infeasible_fit_fails_as_statsmodels_does():
    from statsmodels.genmod import families

    y = np.array([1.0, np.nan, 2, 3])
    X = np.column_stack([np.ones(4), np.arange(4.0)])
    with np.errstate(all="ignore"), pytest.raises(ValueError, match="estimation infeasible"):
        glm.fit(y, X, glm.Poisson())
    with pytest.raises(ValueError):  # in its words: the first deviance is NaN
        _statsmodels(y, X, families.Poisson())


def _old_model(metric, pos, window):
    """The study's model as it was fitted with patsy and statsmodels."""
    patsy = pytest.importorskip("patsy")
    from statsmodels.genmod import families

    index = pd.DatetimeIndex(metric.values.index)
    tdf = st.trend_df_for(len(index))
    trend = patsy.dmatrix(f"bs(t, df={tdf}, degree=3)", {"t": np.arange(len(index), dtype=float)},
                          return_type="dataframe")
    dow = pd.get_dummies(index.day_of_week, prefix="dow", drop_first=True, dtype=float)
    ind = st.window_indicators(len(index), pos, window)
    X = pd.concat([trend, dow.set_axis(trend.index), ind.set_axis(trend.index)], axis=1)
    y = metric.values.to_numpy(float)
    if metric.denominator is not None:
        n = metric.denominator.to_numpy(float)
        keep, y = n > 0, np.minimum(y, n)
        res = _statsmodels(np.column_stack([y[keep], n[keep] - y[keep]]), X[keep],
                           families.Binomial(), **HAC)
    else:
        mu = _statsmodels(y, X, families.Poisson()).fittedvalues
        alpha = float(max(np.sum((y - mu) ** 2 - y) / np.sum(mu**2), 1e-4))
        res = _statsmodels(y, X, families.NegativeBinomial(alpha=alpha), **HAC)
    b, se = res.params["after"], res.bse["after"]
    return math.exp(b), math.exp(b - 1.96 * se), math.exp(b + 1.96 * se), res.pvalues["after"]


@pytest.mark.parametrize("metric", ["drones", "missiles", "interception"])
def test_the_study_model_on_the_real_nights_is_the_statsmodels_one(real_db, metric):
    ev, nights = st._events_and_nights(None, {"type": "phone_call", "end": "2025-07-03"},
                                       st.MARGIN_NIGHTS, real_db)
    data = st.metric_data(nights, metric)
    index = pd.DatetimeIndex(data.values.index)
    pos, _, _ = st._event_positions(index, ev["date"], list(ev["event_id"]), 7)
    m = st.fit_model(data, pos, 7)
    assert (m.ratio, m.low, m.high, m.p) == pytest.approx(_old_model(data, pos, 7), rel=1e-9)


def test_a_study_model_statsmodels_could_not_fit_fails_the_same(real_db):
    # Kyiv targeted on 9 of the 319 nights around the Alaska summit: the weights go to NaN
    ev, nights = st._events_and_nights(["2025-08-15-summit-rus-usa"], {}, st.MARGIN_NIGHTS,
                                       real_db)
    data = st.metric_data(nights, "kyiv")
    pos, _, _ = st._event_positions(pd.DatetimeIndex(data.values.index), ev["date"],
                                    list(ev["event_id"]), 7)
    for fit in (st.fit_model, _old_model):
        with np.errstate(all="ignore"), pytest.raises(ValueError, match="infeasible"):
            fit(data, pos, 7)
