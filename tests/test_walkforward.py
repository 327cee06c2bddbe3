"""The skill models' walk-forward: hand-worked pieces, strict as-of, and the real data."""

import numpy as np
import pandas as pd
import pytest
import scoringrules as sr
from scipy import stats

from strikescope.analysis import forecast as fc
from strikescope.analysis import walkforward as wf


def synthetic(n=420, seed=1, start="2024-01-01"):
    """A level that drifts and a missile salvo every 10th night: enough for every model."""
    rng = np.random.default_rng(seed)
    level = 40 * np.exp(np.cumsum(rng.normal(0, 0.05, n)))
    drones = rng.poisson(level)
    missiles = rng.poisson(2, n)
    missiles[np.arange(5, n, 10)] += 40
    nights = pd.date_range(start, periods=n, freq="D", name="night")
    return pd.DataFrame({"drones_launched": drones.astype(float),
                         "missiles_launched": missiles.astype(float)}, index=nights)


SMALL = wf.Spec(min_train=60, stack_window=56)


# ------------------------------------------------------------------ pieces, by hand

def test_nb_pmf_matches_scipy():
    mu, alpha = np.array([3.0, 40.0]), 0.5
    n = 1 / alpha
    ref = stats.nbinom.pmf(np.arange(200)[None, :], n, (n / (n + mu))[:, None])
    got = wf.nb_pmf(mu, alpha, 1000)
    assert got[:, :200] == pytest.approx(ref, abs=1e-12)
    assert got.sum(axis=1) == pytest.approx([1, 1])


def test_crps_rows_by_hand_and_against_scoringrules():
    # point mass at 2, observed 0: (F(0) - 1)^2 + (F(1) - 1)^2 = 2 = |2 - 0|
    pmf = np.zeros((1, 6))
    pmf[0, 2] = 1
    assert wf.crps_rows(pmf, np.array([0])) == pytest.approx([2.0])
    rng = np.random.default_rng(0)
    pmfs = rng.dirichlet(np.ones(30), size=5)
    obs = np.array([0, 3, 10, 29, 15])
    support = np.broadcast_to(np.arange(30, dtype=float), pmfs.shape)
    ref = sr.crps_ensemble(obs.astype(float), support, ens_w=pmfs, estimator="int",
                           sorted_ensemble=True)
    assert wf.crps_rows(pmfs, obs) == pytest.approx(np.asarray(ref))
    assert fc.crps(pmfs, obs) == pytest.approx(np.asarray(ref))


def test_since_last_by_hand():
    flag = np.array([0, 1, 0, 0, 1, 0], dtype=bool)
    since, total = wf._since_last(flag, np.arange(1.0, 7.0))
    # before the first flagged night the count starts at the first night
    assert since.tolist() == [1, 0, 1, 2, 0, 1]
    # launches after the last flagged night: 1; 0; 3; 3 + 4; 0; 6
    assert total.tolist() == [1, 0, 3, 7, 0, 6]


def test_empirical_rows_window():
    rows = wf.empirical_rows(np.array([0, 1, 1, 2]), window=2, k=3)
    floor = wf.FLOOR / 4
    assert rows[3] == pytest.approx([floor, 0.5 * 0.99 + floor, 0.5 * 0.99 + floor, floor])
    assert rows[0] == pytest.approx([0.99 + floor, floor, floor, floor])


def test_mixture_pmf_by_hand():
    """P(burst) 0.25 over bursts of 500 and 700 drones, an NB(100, 0.5) below the cut 400."""
    k, n = 2000, 2.0
    nb = stats.nbinom.pmf(np.arange(400), n, n / (n + 100))
    small = wf.nb_pmf(np.array([100.0]), 0.5, k)
    got = wf.mixture_pmf(np.array([0.25]), small, np.array([[500.0, 700.0]]), np.array([400]),
                         floor=0.0)[0]
    assert got[:400] == pytest.approx(0.75 * nb / nb.sum(), abs=1e-15)
    assert (got[500], got[700]) == pytest.approx((0.125, 0.125))
    assert got[400:].sum() == pytest.approx(0.25)
    # with the floor, 1 % of the burst law spreads over the 1601 counts 400..2000
    got = wf.mixture_pmf(np.array([0.25]), small, np.array([[500.0, 700.0]]), np.array([400]))[0]
    assert got[500] == pytest.approx(0.25 * (0.99 * 0.5 + 0.01 / 1601))
    assert got[401] == pytest.approx(0.25 * 0.01 / 1601)
    assert got.sum() == pytest.approx(1.0)


def test_mixture_pmf_clips_bursts_to_the_cut_and_without_bursts_spreads_them():
    small = np.full((2, 11), 1 / 11)
    # a burst of 3 under a cut of 6 counts as 6; no bursts known: spread over 6..10
    got = wf.mixture_pmf(np.array([0.5, 0.5]), small, np.array([[3.0], [9.0]]), [6, 6], 0.0)
    assert got[0, 6] == pytest.approx(0.5) and got[1, 9] == pytest.approx(0.5)
    assert got[0, :6] == pytest.approx(np.full(6, 0.5 / 6))
    none = wf.mixture_pmf(np.array([0.2]), small[:1], np.zeros((1, 0)), [6], 0.0)[0]
    assert none[6:] == pytest.approx(np.full(5, 0.04))


def test_burst_cut_and_nights_since_a_burst_by_hand():
    spec = wf.Spec(mix_ratio=2.0, mix_min=20)
    assert spec.mix_cut([5.0, 30.2]).tolist() == [20, 61]
    assert wf.Spec().mix_cut([900.0]).tolist() == [400]  # the massive-night rule's
    hist = pd.DataFrame({"drones_launched": [10.0, 50.0, 10.0, 10.0, 300.0, 10.0],
                         "missiles_launched": 0.0},
                        index=pd.date_range("2025-01-01", periods=6, name="night"))
    f = wf.features(hist, wf.Spec(mix_min=50))  # a constant cut of 50 drones
    assert f["mix_cut"].tolist() == [50] * 6
    assert f["md_since"].tolist() == [1, 0, 1, 2, 0, 1]


def test_simplex_weights_by_hand():
    # min w1^2 + 4 w2^2 with w1 + w2 = 1: w1 = 4/5
    assert wf.simplex_weights(np.diag([1.0, 4.0])) == pytest.approx([0.8, 0.2], abs=1e-5)
    # a member that is never better gets no weight
    assert wf.simplex_weights(np.array([[1.0, 1.0], [1.0, 3.0]])) == pytest.approx(
        [1.0, 0.0], abs=1e-5)


def slsqp_weights(D: np.ndarray) -> np.ndarray:
    """The iterative solver the stack used before the exact one (the reference)."""
    from scipy.optimize import minimize

    m = len(D)
    scale = max(float(np.abs(D).max()), 1e-12)
    res = minimize(lambda w: w @ D @ w / scale, np.full(m, 1 / m),
                   jac=lambda w: 2 * D @ w / scale, method="SLSQP", bounds=[(0, 1)] * m,
                   constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1,
                                 "jac": lambda w: np.ones(m)}],
                   options={"ftol": 1e-10, "maxiter": 200})
    w = np.clip(res.x, 0, None)
    return w / w.sum()


def test_simplex_weights_on_an_edge_by_hand():
    # D = diag(1, 2, 9) with member 3 also correlated with 1: inside, w ~ 1/diag gives
    # (18, 9, 2)/29; with D13 = 3 the third member's gradient 2(3 w1 + 9 w3) exceeds the
    # others' at any w3 >= 0, so it is left out and (w1, w2) = (2/3, 1/3), value 2/3
    D = np.array([[1.0, 0.0, 3.0], [0.0, 2.0, 0.0], [3.0, 0.0, 9.0]])
    assert wf.simplex_weights(D) == pytest.approx([2 / 3, 1 / 3, 0.0], abs=1e-12)
    assert wf.simplex_weights(np.diag([1.0, 2.0, 9.0])) == pytest.approx(
        np.array([18, 9, 2]) / 29, abs=1e-12)


def test_simplex_weights_share_between_identical_members():
    # members 1 and 2 make the same errors: w'Dw depends on w1 + w2 only
    e = np.array([[1.0, -2.0, 0.5], [1.0, -2.0, 0.5], [-1.0, 1.0, 2.0]])
    D = e @ e.T / 3
    w = wf.simplex_weights(D)
    assert w[0] == pytest.approx(w[1], abs=1e-12)
    assert w @ D @ w == pytest.approx(slsqp_weights(D) @ D @ slsqp_weights(D), rel=1e-8)


def test_simplex_weights_many_equal_the_iterative_solver():
    rng = np.random.default_rng(4)
    mats = []
    for _ in range(60):
        e = rng.normal(size=(5, 40)) + rng.normal(size=(1, 40))  # correlated members
        e[rng.integers(5)] *= rng.uniform(1, 4)  # one member much worse, often left out
        mats.append(e @ e.T / 40)
    got = wf.simplex_weights_many(np.array(mats))
    ref = np.array([slsqp_weights(D) for D in mats])
    assert (got == 0).any()  # some optima on a face of the simplex, not inside
    assert got == pytest.approx(ref, abs=1e-4)
    value = np.einsum("ni,nij,nj->n", got, mats, got)
    assert (value <= np.einsum("ni,nij,nj->n", ref, mats, ref) * (1 + 1e-12)).all()


def test_pool_crps_is_the_quadratic_form():
    rng = np.random.default_rng(2)
    a, b = rng.dirichlet(np.ones(20), 4), rng.dirichlet(np.ones(20), 4)
    obs = np.array([1, 5, 9, 19])
    gram = wf._crps_gram([a, b], obs)
    w = np.array([0.3, 0.7])
    assert np.einsum("m,omn,n->o", w, gram, w) == pytest.approx(
        wf.crps_rows(0.3 * a + 0.7 * b, obs))


def test_logistic_matches_statsmodels():
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    X = np.column_stack([np.ones(500), rng.normal(size=(500, 2))])
    y = (rng.uniform(size=500) < 1 / (1 + np.exp(-(X @ [-1, 1, -0.5])))).astype(float)
    ref = sm.Logit(y, X).fit(disp=0).params
    assert wf.logistic(X, y, ridge=0.0) == pytest.approx(ref, abs=1e-6)


def test_warm_started_fits_equal_cold_ones():
    """A fit started from the last one's coefficients lands where a cold start does; a
    start from which Newton steps diverge falls back to the cold start."""
    rng = np.random.default_rng(5)
    X = np.column_stack([np.ones(400), rng.normal(size=(400, 3))])
    y = rng.poisson(np.exp(X @ [2.0, 0.3, -0.2, 0.1])).astype(float)
    cold = wf.poisson_glm(X, y)
    warm = wf.Warm()
    warm.keep(wf.poisson_glm(X[:-7], y[:-7]))  # last week's refit
    assert wf.poisson_glm(X, y, warm=warm) == pytest.approx(cold, abs=1e-7)
    assert warm.beta is not None and warm.beta == pytest.approx(cold, abs=1e-7)
    # two steps from far away do not converge: the answer is the cold start's (its own
    # two steps here), not the unfinished warm one
    far = wf.Warm()
    far.keep(np.array([40.0, -30.0, 30.0, -30.0]))
    assert wf._irls(X, y, far.beta, 1e-4 * np.eye(4), 2)[1] is False
    assert wf.poisson_glm(X, y, iters=2, warm=far) == pytest.approx(
        wf.poisson_glm(X, y, iters=2), abs=0)
    b = (rng.uniform(size=400) < 1 / (1 + np.exp(-(X @ [-1, 1, -0.5, 0])))).astype(float)
    cold = wf.logistic(X, b, ridge=1.0)
    warm = wf.Warm()
    warm.keep(wf.logistic(X[:-7], b[:-7], ridge=1.0))
    assert wf.logistic(X, b, ridge=1.0, warm=warm) == pytest.approx(cold, abs=1e-8)


def test_designs_are_sliced_from_every_origin():
    """A fit's design taken from the one built over every origin is the design built from
    the fit's own rows (each row depends on its own origin only)."""
    hist = synthetic()
    c = wf.Context(hist, wf.chosen_spec(min_train=60))
    idx = np.array([3, 70, 71, 200, len(hist) - 4])
    for h in (1, 3):
        whole = c.design("level", h, lambda f, h=h: wf.level_design(f, "drones", h, c.spec))
        assert len(whole) == len(hist) - h
        assert whole[idx] == pytest.approx(wf.level_design(c.rows(idx, h), "drones", h,
                                                           c.spec))
        hz = c.design("hazard", h, lambda f, h=h: wf.hazard_design(f, h, c.spec))
        assert hz[idx] == pytest.approx(wf.hazard_design(c.rows(idx, h), h, c.spec))


def test_reliability_table_by_hand():
    t = wf.reliability_table(np.array([0.01, 0.02, 0.15, 0.6]), np.array([0, 1, 1, 1.0]))
    first = t.iloc[0]
    assert (first.n, first.observed, first.massive) == (2, 0.5, 1)
    assert t.set_index("bin").loc["0.50-1.00", "mean_prob"] == pytest.approx(0.6)


# ------------------------------------------------------------------ as-of

def test_features_look_only_backwards():
    hist = synthetic()
    changed = hist.copy()
    changed.iloc[300:] = changed.iloc[300:] * 3 + 7
    a, b = wf.features(hist, SMALL), wf.features(changed, SMALL)
    pd.testing.assert_frame_equal(a.iloc[:300], b.iloc[:300])


def test_outlook_uses_only_nights_up_to_as_of():
    hist = synthetic()
    as_of = hist.index[330]
    changed = hist.copy()
    changed.iloc[331:] = 0.0
    changed.iloc[340, 1] = 500.0
    a = wf.outlook(hist, as_of, 3, spec=SMALL, record_nights=60)
    b = wf.outlook(changed, as_of, 3, spec=SMALL, record_nights=60)
    assert a.as_of == as_of
    assert a.p_massive == pytest.approx(b.p_massive)
    for t in wf.TARGETS:
        assert a.pmfs[t] == pytest.approx(b.pmfs[t])
    assert a.brier_skill == pytest.approx(b.brier_skill)


def test_walk_forward_members_fit_only_known_nights():
    """A refit at r sees pairs whose target night is <= r: changing later nights leaves
    the member forecasts of origins r .. r + 6 unchanged."""
    hist = synthetic()
    c1, c2 = wf.Context(hist, SMALL), None
    changed = hist.copy()
    changed.iloc[301:] = changed.iloc[301:] * 2
    c2 = wf.Context(changed, SMALL)
    names = ["climatology", "nb_level", "hurdle", "hazard", "mix"]
    _, p1, q1 = wf._member_outputs(c1, names, 2, 294, 300)
    _, p2, q2 = wf._member_outputs(c2, names, 2, 294, 300)
    for m in names:
        assert q1[m] == pytest.approx(q2[m])
        for t in p1[m]:
            assert p1[m][t] == pytest.approx(p2[m][t])


def test_mix_fits_only_known_nights_and_bursts():
    """Drone bursts every 6th night, cut at twice the level: the mix member's forecasts for
    origins 294..300 are the same whatever the nights after 300 hold, and its burst law
    holds the bursts seen by then."""
    hist = synthetic()
    hist.iloc[3::6, 0] *= 5
    spec = wf.Spec(min_train=60, stack_window=56, mix_ratio=2.0, mix_min=20)
    changed = hist.copy()
    changed.iloc[301:] = changed.iloc[301:] * 3 + 7
    out = [wf._member_outputs(wf.Context(h, spec), ["mix"], 1, 294, 300) for h in (hist, changed)]
    (_, p1, q1), (_, p2, q2) = out
    assert q1["mix"] == pytest.approx(q2["mix"])
    for t in wf.TARGETS:
        assert p1["mix"][t] == pytest.approx(p2["mix"][t])
    cut = wf.Context(hist, spec).cols["mix_cut"][294:301].astype(int)
    above = np.array([p[c:].sum() for p, c in zip(p1["mix"]["drones"], cut, strict=True)])
    burst = hist.iloc[295:302, 0].to_numpy() >= cut
    assert burst.tolist() == [False, False, True, False, False, False, False]  # night 297
    # the hazard learns the cycle: likeliest on the burst night, unlikely the night after
    assert above.argmax() == 2 and above[2] > 0.5 and above[3] < 0.05


# ------------------------------------------------------------------ behaviour

def test_hazard_learns_a_regular_cycle():
    """Salvos every 10 nights: the hazard on salvo nights is high, on the others low."""
    hist = synthetic()
    res = wf.run(hist, hist.index[300], hist.index[399], spec=SMALL)
    mass = res.records[(res.records.model == "hazard") & (res.records.target == "massive")]
    hit = mass[mass.obs == 1].prob.mean()
    miss = mass[mass.obs == 0].prob.mean()
    assert hit > 0.4 > 0.1 > miss
    assert res.table().set_index("model").loc["hazard", "brier_skill"] > 0.5


def test_run_scores_every_night_once_per_model():
    hist = synthetic()
    res = wf.run(hist, hist.index[350], hist.index[369], horizons=(1, 3), spec=SMALL)
    recs = res.records
    per = recs.groupby(["model", "horizon", "target"]).night.agg(["nunique", "size"])
    assert (per["nunique"] == 20).all() and (per["size"] == 20).all()
    assert (recs.night - recs.origin == pd.to_timedelta(recs.horizon, "D")).all()
    w = res.weights.groupby(["refit", "horizon", "target"]).weight.sum()
    assert w.to_numpy() == pytest.approx(1.0)


def test_outlook_too_short_history():
    with pytest.raises(ValueError, match="nights of history"):
        wf.outlook(synthetic(n=100), horizon=7, spec=wf.Spec())


@pytest.mark.slow
def test_real_data_skill_2025(real_db):
    """The figures in docs/forecast.md: the stack scores against the climatology."""
    hist = fc.load_history(real_db)
    res = wf.run(hist, "2025-01-01", "2025-12-31", spec=wf.chosen_spec())
    t = res.table().set_index("model")
    assert len(res.records[res.records.target == "massive"].night.unique()) == 365
    # the stack is no worse than the reference it pools (weights learned out of sample)
    assert t.loc["stack", "drones_skill"] > -0.01
    assert t.loc["stack", "missiles_skill"] > 0
    assert 0.8 < t.loc["stack", "drones_cover90"] < 0.97
    assert t.loc["stack", "brier_skill"] > 0


def test_real_stack_weights_equal_the_iterative_solver(real_db):
    """A year of refits of the stack on the real nights: the exact weights give a pool no
    worse than the iterative solver's, and the same weights where the members differ."""
    hist = fc.load_history(real_db)
    spec = wf.chosen_spec()
    c = wf.Context(hist, spec)
    first = len(hist) - 500
    refits, pmfs, probs = wf._member_outputs(c, list(spec.members), 1, first, len(hist) - 2)
    origins = np.arange(first, len(hist) - 1)
    pool = [m for m in spec.members if m not in spec.not_massive]
    err = np.stack([probs[m] for m in pool]) - c.target("massive", origins, 1)[None, :]
    # the mix member's missiles are the hurdle's: with both, no refit has distinct members
    count = [m for m in spec.members if pmfs[m] and m != "mix"]
    grams = [np.einsum("mo,no->omn", err, err),
             wf._crps_gram([pmfs[m]["missiles"] for m in count],
                           c.target("missiles", origins, 1))]
    for gram in grams:
        csum = np.cumsum(gram, axis=0)
        mats = np.array([(csum[r - first - 1] - csum[r - first - 365]) / 364
                         for r in refits[refits - first > 365]])
        got = wf.simplex_weights_many(mats)
        ref = np.array([slsqp_weights(D) for D in mats])
        value = np.einsum("ni,nij,nj->n", got, mats, got)
        assert (value <= np.einsum("ni,nij,nj->n", ref, mats, ref) * (1 + 1e-9)).all()
        diag = np.einsum("nii->ni", mats)
        i, j = np.triu_indices(mats.shape[1], 1)
        apart = diag[:, i] + diag[:, j] - 2 * mats[:, i, j]  # E(e_i - e_j)^2 per pair
        distinct = apart.min(axis=1) > 1e-4 * np.abs(mats).max(axis=(1, 2))
        assert distinct.any()
        assert got[distinct] == pytest.approx(ref[distinct], abs=1e-3)


# ------------------------------------------------------------------ forecast, CLI and API

def test_massive_outlook_is_the_forecast_p_massive():
    """The P(massive) panel shows the same numbers as the model's forecast table."""
    hist = synthetic()
    as_of = hist.index[-1]
    f = fc.forecast(as_of, 3, "blend", history=hist)
    out = fc.massive_outlook(as_of, 3, "blend", history=hist, record_nights=60)
    assert out.p_massive == pytest.approx(f.p_massive)
    assert out.record_nights == 60 and out.track.n.sum() == 60
    assert out.record_from == hist.index[-60]


def test_skill_models_in_forecast():
    hist = synthetic()
    f = fc.forecast(hist.index[-1], 2, "stack", history=hist)
    assert f.pmfs["drones"].shape == (2, wf.SUPPORT["drones"] + 1)
    assert f.to_frame().p_massive.between(0, 1).all()


@pytest.mark.slow
def test_cli_shows_p_massive_with_track_record(real_db):
    import typer.testing

    import strikescope.cli.forecast  # noqa: F401  (registers the commands)
    from strikescope.cli.app import app

    res = typer.testing.CliRunner().invoke(app, ["forecast", "--as-of", "2025-12-24",
                                                 "--horizon", "2", "--db", str(real_db)])
    assert res.exit_code == 0, res.output
    head = res.output.split("Forecast (")[0]  # the panel comes before the table
    assert "P(massive night)" in head and "Thu 25 Dec" in head
    assert "Track record" in head and "365 nights 2024-12-25 .. 2025-12-24" in head


@pytest.mark.slow
def test_api_massive(real_db, tmp_path):
    from fastapi.testclient import TestClient

    from strikescope.web import create_app

    client = TestClient(create_app(db=real_db, events_file=tmp_path / "ev.csv"))
    r = client.get("/api/v1/forecast/massive", params={"as_of": "2025-12-24", "horizon": 2})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [n["night"] for n in body["nights"]] == ["2025-12-25", "2025-12-26"]
    assert body["massive_rule"] == {"missiles": 20, "drones": 400}
    track = body["track_record"]
    assert track["nights"] == 365 and track["from"] == "2024-12-25"
    assert sum(b["n"] for b in track["reliability"]) == 365
    expected = fc.massive_outlook("2025-12-24", 2, db=real_db)
    assert [n["p_massive"] for n in body["nights"]] == pytest.approx(expected.p_massive)


def test_outlook_unknown_model():
    with pytest.raises(ValueError, match="unknown model"):
        wf.outlook(synthetic(), model="none_such")


@pytest.mark.slow
def test_forecast_page_shows_p_massive(real_db, tmp_path):
    from fastapi.testclient import TestClient

    from strikescope.web import create_app

    client = TestClient(create_app(db=real_db, events_file=tmp_path / "ev.csv"))
    # computed for the section the page fetches, then shown by the page itself
    part = client.get("/forecast/massive", params={"horizon": 2, "part": True})
    assert part.status_code == 200 and "Thu 01 Jan" in part.text
    r = client.get("/forecast", params={"horizon": 2})
    assert r.status_code == 200
    html = r.text
    assert "P(massive night)" in html and "Thu 01 Jan" in html
    assert "Track record" in html and "365 nights 2025-01-01 .. 2025-12-31" in html
    assert html.index("P(massive night)") < html.index("forecast-chart")


def test_perfect_weather_bound_needs_weather_and_uses_the_target_night():
    hist = synthetic()
    spec = wf.Spec(min_train=60, stack_window=56, perfect_weather=True)
    with pytest.raises(ValueError, match="weather"):
        wf.run(hist, hist.index[350], hist.index[359], spec=spec)
    # weather that is the target night's drone count (scaled): a perfect hint, used
    weather = pd.DataFrame({c: hist.drones_launched.to_numpy() for c in wf.WEATHER_COLUMNS},
                           index=hist.index)
    c = wf.Context(hist, spec, weather)
    rows = c.rows(np.array([10, 20]), h=2)
    z = (hist.drones_launched - hist.drones_launched.mean()) / hist.drones_launched.std()
    assert rows["wx_cloud"] == pytest.approx(z.to_numpy()[[12, 22]])


def test_hazard_gap_bins_by_hand():
    f = {"since": np.array([0.0, 2.0, 10.0]), "dow": np.zeros(3)}
    X = wf.hazard_design(f, 1, wf.Spec(hazard=("since",), gap_bins=True))
    # gaps to the target night 1, 3 and 11: bins (0, 1], (1, 3], (7, 14]
    assert X.tolist() == [[1, 1, 0, 0, 0, 0], [1, 0, 1, 0, 0, 0], [1, 0, 0, 0, 1, 0]]


@pytest.mark.parametrize("model", ["blend", "stack"])
@pytest.mark.slow
def test_real_outlook_ignores_later_nights(real_db, model):
    hist = fc.load_history(real_db)
    as_of = pd.Timestamp("2025-06-15")
    changed = hist.copy()
    changed.loc[as_of + pd.Timedelta(days=1):] = 999.0
    a = fc.massive_outlook(as_of, 3, model, history=hist, record_nights=120)
    b = fc.massive_outlook(as_of, 3, model, history=changed, record_nights=120)
    assert a.p_massive == pytest.approx(b.p_massive)
    assert a.brier_skill == pytest.approx(b.brier_skill)
    pd.testing.assert_frame_equal(a.track, b.track)
