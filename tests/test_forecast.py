"""Forecasts and their scores: hand-worked tiny cases, no look-ahead, and the real data."""

import io
import math

import numpy as np
import pandas as pd
import pytest
import scoringrules as sr
import typer.testing

import strikescope
import strikescope.cli.forecast  # noqa: F401  (registers the commands)
from strikescope.analysis import forecast as fc
from strikescope.cli.app import app

NAT = "kpszsu/posts/{}"


def point_mass(at, k=10):
    p = np.zeros(k + 1)
    p[at] = 1.0
    return p


def two_point(a=2, b=6, k=10):
    p = np.zeros(k + 1)
    p[[a, b]] = 0.5
    return p


def history(drones, missiles=None, start="2025-01-01"):
    missiles = np.zeros(len(drones)) if missiles is None else missiles
    nights = pd.date_range(start, periods=len(drones), freq="D")
    return pd.DataFrame({"night": nights, "drones_launched": drones,
                         "missiles_launched": missiles})


# ------------------------------------------------------------------ scores, by hand

def test_crps_point_mass():
    # CRPS(delta_5, y) = |5 - y|: 2 for y = 3, 0 for y = 5
    assert fc.crps(point_mass(5), [3]) == pytest.approx([2.0])
    assert fc.crps(point_mass(5), [5]) == pytest.approx([0.0])


def test_crps_two_point():
    # X = 2 or 6 with 1/2 each, y = 3: E|X - y| = (1 + 3)/2 = 2, E|X - X'| = 1/2 * 4 = 2,
    # CRPS = 2 - 2/2 = 1; y = 10: (8 + 4)/2 - 1 = 5
    assert fc.crps(np.vstack([two_point(), two_point()]), [3, 10]) == pytest.approx([1, 5])


def test_log_score_two_point_and_nb():
    # -log 1/2 = 0.6931 at an atom; the floor keeps an impossible value finite
    assert fc.log_score(two_point(), [2]) == pytest.approx([math.log(2)])
    assert np.isfinite(fc.log_score(two_point(), [3])).all()
    # on a negative binomial the discrete log score is the NB negative log likelihood
    pmf = fc.nb_pmf([12.0], 0.5, 500)
    assert fc.log_score(pmf, [7])[0] == pytest.approx(float(sr.logs_negbinom(7, 2.0, mu=12.0)))


def test_brier_and_reliability():
    # (0.8 - 1)^2 = 0.04, (0.3 - 0)^2 = 0.09
    assert fc.brier([0.8, 0.3], [1, 0]) == pytest.approx([0.04, 0.09])
    rel = fc.reliability([0.05, 0.05, 0.95, 0.92], [0, 1, 1, 1])
    # bin [0, 0.1): 2 forecasts at 0.05, one event -> 0.5; bin [0.9, 1): mean 0.935, both events
    assert rel.n.tolist() == [2, 2]
    assert rel.mean_prob.tolist() == pytest.approx([0.05, 0.935])
    assert rel.observed.tolist() == pytest.approx([0.5, 1.0])


def test_quantiles_exceedance_coverage_pit():
    p = two_point()
    # cdf: 0.5 from 2, 1 from 6 -> q05 = q50 = 2 (cdf reaches 0.5 at 2), q95 = 6
    assert [int(fc.quantile(p, q)) for q in (0.05, 0.5, 0.95)] == [2, 2, 6]
    assert fc.exceed(p, 3) == pytest.approx(0.5)
    assert fc.covered(np.vstack([p, p]), [4, 7], 0.9).tolist() == [True, False]
    # delta_5: y = 7 -> F(6) = 1; y = 2 -> F(1) = 0; y = 5 -> U in [0, 1]
    pit = fc.randomized_pit(np.vstack([point_mass(5)] * 3), [7, 2, 5], seed=1)
    assert pit[0] == 1.0 and pit[1] == 0.0 and 0 <= pit[2] <= 1


def test_empirical_pmf_and_massive_rule():
    # floor 0.2 over 4 cells = 0.05 each; 0.8 * [2/4, 1/4, 0, 1/4] = [0.4, 0.2, 0, 0.2]
    assert fc.empirical_pmf([0, 0, 1, 3], 3, floor=0.2) == pytest.approx(
        [0.45, 0.25, 0.05, 0.25])
    rule = fc.MassiveRule()
    assert rule.of([399, 400, 0], [19, 0, 20]).tolist() == [False, True, True]
    assert fc.MassiveRule(missiles=5, drones=10).of([9], [5]).tolist() == [True]


# ------------------------------------------------------------------ models, by hand

def test_climatology_uses_last_window():
    hist = fc.prepare_history(history([500, 0, 0, 1, 3]))
    f = fc.Climatology(window=4).fit(hist).predict("2025-01-05", 2)
    df = f.to_frame().query("target == 'drones'")
    # last 4 nights 0, 0, 1, 3: cdf(0) = 0.99 * 1/2 + tiny < 0.5, so the median is 1
    assert df.q50.tolist() == [1, 1]
    # massive: none of the last 4 nights -> only the floor share 0.01/2
    assert f.p_massive == pytest.approx([0.005, 0.005])


def test_persistence_adds_past_changes():
    hist = fc.prepare_history(history([1, 2, 3, 4, 5]))
    df = fc.Persistence().fit(hist).predict("2025-01-05", 2).to_frame()
    # every 1-night change was +1 and every 2-night change +2: medians 5 + 1, 5 + 2
    assert df.query("target == 'drones'").q50.tolist() == [6, 7]


def test_nb_trend_follows_exponential_growth():
    # 8, 16, 32, 64 doubles every night: the fitted mean one night ahead is 128
    hist = fc.prepare_history(history([8, 16, 32, 64]))
    df = fc.NBTrend(window=4).fit(hist).predict("2025-01-04", 1).to_frame()
    assert df.query("target == 'drones'")["mean"].iloc[0] == pytest.approx(128, rel=0.01)


def test_nb_lags_on_a_constant_series():
    # 5 drones and no missiles every night: the mean stays 5, P(missiles = 0) ~ 1
    hist = fc.prepare_history(history([5.0] * 60))
    df = fc.NBLags().fit(hist, 3).predict("2025-03-01", 3).to_frame()
    assert df.query("target == 'drones'")["mean"].tolist() == pytest.approx([5] * 3, rel=0.02)
    assert df.query("target == 'missiles'").q95.tolist() == [0, 0, 0]


def test_blend_is_the_average_of_its_two_parts():
    # a linear pool: every probability is the plain average of the two models' ones
    hist = fc.prepare_history(history([1.0, 0, 2, 1, 0, 0, 1, 3] * 10))
    blend = fc.Blend().fit(hist, 2).predict("2025-03-21", 2)
    nb = fc.NBLags().fit(hist, 2).predict("2025-03-21", 2)
    clim = fc.Climatology().fit(hist).predict("2025-03-21", 2)
    for target in ("drones", "missiles"):
        expected = 0.5 * nb.pmfs[target] + 0.5 * clim.pmfs[target]
        assert blend.pmfs[target] == pytest.approx(expected)
        assert blend.pmfs[target].sum(axis=1) == pytest.approx([1, 1])
    assert blend.p_massive == pytest.approx(0.5 * nb.p_massive + 0.5 * clim.p_massive)


def test_regression_models_need_enough_history():
    # 28 training nights plus the horizon: 30 nights allow 2 nights ahead, not 3
    hist = fc.prepare_history(history([5.0] * 30))
    assert fc.NBLags().fit(hist, 2).predict("2025-01-30", 2).horizon == 2
    with pytest.raises(ValueError, match="needs 31 nights of history .* there are 30"):
        fc.forecast("2025-01-30", horizon=3, model="blend", history=hist)
    # the empirical models need one night
    assert fc.forecast("2025-01-01", horizon=3, model="climatology", history=hist).horizon == 3


def test_backtest_starts_once_every_model_can_forecast():
    hist = history([5.0, 1, 0, 2] * 15)  # 60 nights from 2025-01-01
    res = fc.backtest("2025-01-02", "2025-03-01", models=["climatology", "blend"], horizon=3,
                      history=hist)
    # blend needs 28 + 3 nights: the first origin is 2025-01-31, its first night 02-01
    nights = res.records.groupby("model").night.agg(["min", "max", "nunique"])
    assert (nights["min"] == pd.Timestamp("2025-02-01")).all()
    assert (nights["nunique"] == 29).all()  # 2025-02-01 .. 03-01, for both models


def test_backtest_without_enough_history_says_so():
    hist = history([5.0] * 30)
    with pytest.raises(ValueError, match="need 31 nights of history .* begin 2025-01-01"):
        fc.backtest("2025-01-02", "2025-01-30", models=["climatology", "blend"], horizon=3,
                    history=hist)


def test_poisson_glm_matches_statsmodels():
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    X = np.column_stack([np.ones(200), rng.normal(size=200)])
    y = rng.poisson(np.exp(1 + 0.5 * X[:, 1]))
    ref = sm.GLM(y, X, family=sm.families.Poisson()).fit().params
    assert fc._poisson_glm(X, y) == pytest.approx(ref, abs=1e-3)


# ------------------------------------------------------------------ no look-ahead

@pytest.mark.parametrize("model", fc.MODELS)
def test_data_after_as_of_changes_nothing(real_db, model):
    full = strikescope.nights(db=real_db)
    as_of = pd.Timestamp("2025-06-30")
    later = full.night > as_of
    changed = full.copy()
    changed.loc[later, "drones_launched"] = changed.loc[later, "drones_launched"] * 3 + 7
    changed.loc[later, "missiles_launched"] = 99
    cut = full[~later | (full.night > "2025-09-01")]  # a gap after as_of
    base = fc.forecast(as_of, 7, model, history=full).to_frame()
    pd.testing.assert_frame_equal(base, fc.forecast(as_of, 7, model, history=changed).to_frame())
    pd.testing.assert_frame_equal(base, fc.forecast(as_of, 7, model, history=cut).to_frame())
    pd.testing.assert_frame_equal(base, fc.forecast(as_of, 7, model,
                                                    history=full[~later]).to_frame())


def _nightly_rows(days, later_launched):
    rows = []
    for i, day in enumerate(pd.date_range("2025-06-01", periods=days, freq="D")):
        n = 20 + 5 * i if day <= pd.Timestamp("2025-06-15") else later_launched
        rows.append({"time_start": f"{day - pd.Timedelta(days=1):%Y-%m-%d} 18:00",
                     "time_end": f"{day:%Y-%m-%d} 06:00", "model": "Shahed-136/131",
                     "launched": str(n), "destroyed": "0", "source": NAT.format(i)})
    return rows


def test_store_reports_after_as_of_change_nothing(release, tmp_path):
    dbs = []
    for name, later, extra in [("a", 30, []), ("b", 700, [
            # a window ending at 19:00 on the as-of date belongs to the next night
            {"time_start": "2025-06-15 10:00", "time_end": "2025-06-15 19:00",
             "model": "Iskander-M", "launched": "40", "source": "kpszsu/posts/x"}])]:
        db = tmp_path / f"{name}.duckdb"
        strikescope.ingest([release(_nightly_rows(20, later) + extra, f"{name}.csv")], db=db)
        dbs.append(db)
    frames = [fc.forecast("2025-06-15", 7, "climatology", db=db).to_frame() for db in dbs]
    pd.testing.assert_frame_equal(*frames)
    # 20 + 5 * 14 = 90 drones on the as-of night: the median of the last 28 (here 15) nights
    # 20, 25, ..., 90 is 55
    assert frames[0].query("target == 'drones'").q50.iloc[0] == 55


# ------------------------------------------------------------------ real data

def test_forecast_on_real_data(real_db):
    f = fc.forecast("2025-12-31", 7, db=real_db)
    df = f.to_frame()
    assert len(df) == 14 and df.night.min() == pd.Timestamp("2026-01-01")
    assert (df.q05 <= df.q25).all() and (df.q25 <= df.q50).all() and (df.q75 <= df.q95).all()
    assert df.p_massive.between(0, 1).all()
    drones = df[df.target == "drones"]
    assert (drones.p_ge_400 <= drones.p_ge_200).all() and (drones.p_ge_200 <= drones.p_ge_100).all()
    assert "blend" in f.summary()


def test_short_backtest_on_real_data(real_db):
    r = fc.backtest("2025-11-01", "2025-12-31", db=real_db)
    t = r.table()
    assert set(t.model) == set(fc.MODELS) and set(t.target) == {"drones", "missiles", "massive"}
    counts = t[t.target != "massive"]
    assert counts.crps.gt(0).all() and counts.cover90.between(0.5, 1).all()
    # each scored night appears once per model, target and horizon
    assert r.records.groupby(["model", "target", "horizon"]).size().eq(61).all()
    assert set(r.skill().baseline) == set(fc.MODELS)


@pytest.mark.slow
def test_full_backtest_coverage_and_skill(real_db):
    models = ["climatology", "nb_lags", "blend"]
    r = fc.backtest("2024-07-01", "2025-12-31", models=models, db=real_db)
    t = r.table().set_index(["target", "model"])
    for target in ("drones", "missiles"):
        for model in models:
            assert 0.80 <= t.loc[(target, model), "cover90"] <= 0.97
        # the default model beats the 28-night climatology in CRPS out of sample
        assert t.loc[(target, "blend"), "crps"] < t.loc[(target, "climatology"), "crps"]


# ------------------------------------------------------------------ CLI

@pytest.mark.slow
def test_cli_forecast_and_backtest(real_db, tmp_path):
    runner = typer.testing.CliRunner()
    res = runner.invoke(app, ["forecast", "--as-of", "2025-12-31", "--horizon", "3",
                              "--format", "json", "--db", str(real_db)])
    assert res.exit_code == 0, res.output
    assert pd.read_json(io.StringIO(res.stdout)).shape[0] == 6
    out = tmp_path / "bt"
    res = runner.invoke(app, ["backtest", "--from", "2025-12-01", "--to", "2025-12-31",
                              "--models", "climatology,nb_trend", "--out", str(out),
                              "--db", str(real_db)])
    assert res.exit_code == 0, res.output
    assert pd.read_csv(out / "scores.csv").shape[0] == 6
    assert (out / "reliability.png").exists() and (out / "pit.html").exists()
    bad = runner.invoke(app, ["forecast", "--as-of", "2025-12-31", "--model", "oracle",
                              "--db", str(real_db)])
    assert bad.exit_code == 1


@pytest.mark.slow
def test_cli_forecast_starts_after_the_last_night_by_default(real_db):
    res = typer.testing.CliRunner().invoke(app, ["forecast", "--horizon", "2", "--format",
                                                 "json", "--db", str(real_db)])
    assert res.exit_code == 0, res.output
    nights = pd.read_json(io.StringIO(res.stdout)).night
    last = strikescope.nights(db=real_db).night.max()
    assert pd.to_datetime(nights).min() == pd.Timestamp(last) + pd.Timedelta(days=1)
