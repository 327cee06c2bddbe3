"""The event study's regressions written out in NumPy: a cubic B-spline basis, and
generalised linear models (Poisson, negative binomial with a fixed dispersion, binomial)
fitted by iteratively reweighted least squares, with Newey-West (HAC) intervals.

Each step follows the one of patsy's `bs()` and statsmodels' `GLM.fit(cov_type="HAC")`
(the same starting values, convergence rule, clipping and sandwich), so the estimates are
theirs to rounding: tests/test_glm.py holds them side by side. Importing statsmodels,
which imports scipy.stats, was most of a first study's time (about a second).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

EPS = np.finfo(float).eps
MAX_ITER = 100
TOL = 1e-8  # on the change of the deviance between iterations, as statsmodels


# --------------------------------------------------------------------------- spline


def bspline_basis(x: np.ndarray, df: int, degree: int = 3) -> np.ndarray:
    """patsy's `bs(x, df=df, degree=degree)`: the B-spline basis without its first column
    (the model has an intercept), inner knots at equally spaced quantiles of `x`."""
    x = np.asarray(x, dtype=float)
    order = degree + 1
    n_inner = df - order + 1
    if n_inner < 0:
        raise ValueError(f"df={df} is too small for degree={degree}")
    probs = np.linspace(0, 1, n_inner + 2)[1:-1]
    inner = np.asarray([np.percentile(x, 100 * p) for p in probs])
    knots = np.sort(np.concatenate(([x.min(), x.max()] * order, inner)))
    return _bspline(x, knots, degree)[:, 1:]


def _bspline(x: np.ndarray, t: np.ndarray, k: int) -> np.ndarray:
    """Every B-spline of degree `k` on knots `t` at `x` (inside the outer knots), by the
    recurrence of FITPACK's fpbspl, which scipy's `splev` (patsy's evaluator) uses: the
    point at the last knot belongs to the last interval."""
    n_bases = len(t) - k - 1
    left = np.clip(np.searchsorted(t, x, side="right") - 1, k, n_bases - 1)
    h = np.zeros((len(x), k + 1))
    h[:, 0] = 1.0
    for j in range(1, k + 1):
        hh = h[:, :j].copy()
        h[:, 0] = 0.0
        for i in range(1, j + 1):
            t_hi, t_lo = t[left + i], t[left + i - j]
            f = hh[:, i - 1] / (t_hi - t_lo)
            h[:, i - 1] += f * (t_hi - x)
            h[:, i] = f * (x - t_lo)
    out = np.zeros((len(x), n_bases))
    rows = np.arange(len(x))
    for i in range(k + 1):
        out[rows, left - k + i] = h[:, i]
    return out


# -------------------------------------------------------------------------- families


class Poisson:
    """Log link, variance mu."""

    @staticmethod
    def starting_mu(y: np.ndarray) -> np.ndarray:
        return (y + y.mean()) / 2.0

    @staticmethod
    def link(mu):
        return np.log(np.clip(mu, EPS, np.inf))

    @staticmethod
    def inverse(eta):
        return np.exp(eta)

    @staticmethod
    def deriv(mu):
        return 1.0 / np.clip(mu, EPS, np.inf)

    @staticmethod
    def deriv2(mu):
        return -1.0 / np.clip(mu, EPS, np.inf) ** 2

    def variance(self, mu):
        return np.fabs(mu)

    def variance_deriv(self, mu):
        return np.where(mu < 0, -1.0, 1.0)

    def deviance(self, y, mu, n):
        return float(np.sum(2 * (y * np.log(np.clip(y / mu, EPS, np.inf)) - (y - mu))))


class NegativeBinomial(Poisson):
    """Log link, variance mu + alpha mu^2 with alpha fixed (NB2)."""

    def __init__(self, alpha: float):
        self.alpha = float(alpha)

    def variance(self, mu):
        p = np.clip(mu, EPS, np.inf)
        return p + self.alpha * p**2

    def variance_deriv(self, mu):
        return 1 + 2 * self.alpha * np.clip(mu, EPS, np.inf)

    def deviance(self, y, mu, n):
        y_a, mu_a = y + 1 / self.alpha, mu + 1 / self.alpha
        dev = y * np.log(np.clip(y / mu, EPS, np.inf)) - y_a * np.log(y_a / mu_a)
        return float(np.sum(2 * dev))


class Binomial:
    """Logit link on the share of successes, `n` trials per observation."""

    @staticmethod
    def starting_mu(y: np.ndarray) -> np.ndarray:
        return (y + 0.5) / 2

    @staticmethod
    def _clean(p):
        return np.clip(p, EPS, 1.0 - EPS)

    def link(self, mu):
        p = self._clean(mu)
        return np.log(p / (1.0 - p))

    @staticmethod
    def inverse(eta):
        return 1.0 / (1.0 + np.exp(-np.asarray(eta)))

    def deriv(self, mu):
        p = self._clean(mu)
        return 1.0 / (p * (1 - p))

    @staticmethod
    def deriv2(mu):  # unclipped, as statsmodels' logit link
        v = mu * (1 - mu)
        return (2 * mu - 1) / v**2

    def variance(self, mu):
        p = self._clean(mu)
        return p * (1 - p)

    def variance_deriv(self, mu):
        return 1 - 2 * self._clean(mu)

    def deviance(self, y, mu, n):
        dev = (y * np.log(np.clip(y / (mu + 1e-20), EPS, np.inf))
               + (1 - y) * np.log(np.clip((1.0 - y) / (1.0 - mu + 1e-20), EPS, np.inf)))
        return float(np.sum(2 * n * dev))


# ------------------------------------------------------------------------------- fit


@dataclass
class GLMFit:
    """Coefficients, their HAC standard errors and two-sided normal p-values (NaN
    without `hac_lags`), and the fitted means."""

    params: np.ndarray
    bse: np.ndarray
    pvalues: np.ndarray
    fitted: np.ndarray


def fit(y: np.ndarray, X: np.ndarray, family, n_trials: np.ndarray | None = None,
        hac_lags: int | None = None) -> GLMFit:
    """The GLM of `y` (for a binomial: the share of successes out of `n_trials`) on `X`
    by IRLS; with `hac_lags`, the sandwich covariance of the observed information and the
    Bartlett-weighted autocovariances of the scores up to that lag (no small-sample
    correction), as statsmodels' `cov_type="HAC"`."""
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    n = np.ones(len(y)) if n_trials is None else np.asarray(n_trials, dtype=float)
    mu = family.starting_mu(y)
    eta = family.link(mu)
    deviances = [np.inf, family.deviance(y, mu, n)]
    for _ in range(MAX_ITER):
        sw = np.sqrt(n / (family.deriv(mu) ** 2 * family.variance(mu)))
        z = eta + family.deriv(mu) * (y - mu)
        for name, values in (("weights", sw), ("endog", z)):
            if not np.all(np.isfinite(values)):  # statsmodels' words
                raise ValueError(f"NaN, inf or invalid value detected in {name}, "
                                 "estimation infeasible.")
        beta = np.linalg.lstsq(sw[:, None] * X, sw * z, rcond=-1)[0]
        eta = X @ beta
        mu = family.inverse(eta)
        deviances.append(family.deviance(y, mu, n))
        if np.allclose(deviances[-2], deviances[-1], atol=TOL, rtol=0):
            break
    # the last weighted least squares again, by the pseudo-inverse (statsmodels' final step)
    params = np.linalg.pinv(sw[:, None] * X, rcond=1e-15) @ (sw * z)
    fitted = family.inverse(X @ params)
    if hac_lags is None:
        nan = np.full(len(params), np.nan)
        return GLMFit(params, nan, nan, fitted)
    with np.errstate(invalid="ignore"):  # a coefficient not identified: NaN, as statsmodels
        bse = np.sqrt(np.diag(_hac_cov(y, X, family, n, fitted, hac_lags)))
    z_stat = params / bse
    pvalues = np.array([math.erfc(abs(v) / math.sqrt(2)) for v in z_stat])
    return GLMFit(params, bse, pvalues, fitted)


def _hac_cov(y, X, family, n, mu, lags: int) -> np.ndarray:
    score = (y - mu) / family.deriv(mu) / family.variance(mu) * n
    eim = n / (family.deriv(mu) ** 2 * family.variance(mu))
    curvature = (family.variance(mu) * family.deriv2(mu)
                 + family.variance_deriv(mu) * family.deriv(mu))
    oim = eim * (1 + score / n * curvature)
    hessian_inv = np.linalg.inv(-(X.T * oim) @ X)
    xu = score[:, None] * X
    s = xu.T @ xu
    for lag in range(1, lags + 1):
        auto = xu[lag:].T @ xu[:-lag]
        s += (1 - lag / (lags + 1.0)) * (auto + auto.T)
    return hessian_inv @ s @ hessian_inv.T
