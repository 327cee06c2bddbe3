"""Information known in advance: announced diplomatic events, the weather forecast of the
target night (fetched from a local server standing in for Open-Meteo), and the reliability
of P(massive) at every horizon."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pandas as pd
import pytest

from strikescope import weather as wx
from strikescope.analysis import forecast as fc
from strikescope.analysis import walkforward as wf
from strikescope.errors import FetchError
from tests.test_walkforward import synthetic

SMALL = wf.Spec(min_train=60, stack_window=56)
NIGHTS = pd.date_range("2025-01-01", "2025-01-10", freq="D", name="night")


def _events(*rows):
    """(date, end_date, announced) rows; None for no end date / no announcement."""
    return pd.DataFrame([{"date": pd.Timestamp(d), "end_date": pd.Timestamp(e or d),
                          "announced": pd.Timestamp(a) if a else pd.NaT} for d, e, a in rows])


def _flag(events, origin, h, name="ev_target"):
    i = NIGHTS.get_loc(pd.Timestamp(origin))
    return wf.event_flags(NIGHTS, events, h)[name][i]


# ------------------------------------------------------------------ events, by hand

def test_unannounced_event_counts_only_after_its_own_day():
    ev = _events(("2025-01-05", None, None))
    # as of the 4th the call on the 5th is not known, although it falls on night 5
    assert _flag(ev, "2025-01-04", 1) == 0
    # as of 18:00 on the 5th it may not have happened yet: still unknown
    assert _flag(ev, "2025-01-05", 1, "ev_recent") == 0
    # as of the 6th it is known and recent for night 7 (days 3 .. 5 before its evening)
    assert _flag(ev, "2025-01-06", 1, "ev_recent") == 1
    assert _flag(ev, "2025-01-06", 1) == 0
    # night 10 spans days 9 and 10; the recent days are 6 .. 8: the 5th is too old
    assert _flag(ev, "2025-01-06", 4, "ev_recent") == 0


def test_announced_event_is_known_from_the_day_after_its_announcement():
    ev = _events(("2025-01-08", None, "2025-01-03"))
    assert _flag(ev, "2025-01-03", 5) == 0  # announced that day: maybe after 18:00
    assert _flag(ev, "2025-01-04", 3) == 0  # night 7 spans days 6 and 7
    assert _flag(ev, "2025-01-04", 4) == 1  # night 8
    assert _flag(ev, "2025-01-04", 5) == 1  # night 9 starts on the evening of the 8th
    assert _flag(ev, "2025-01-04", 6) == 0


def test_event_announced_after_the_as_of_date_is_not_used():
    ev = _events(("2025-01-08", None, "2025-01-06"))
    for origin, h in (("2025-01-05", 3), ("2025-01-06", 2)):
        assert _flag(ev, origin, h) == 0
    assert _flag(ev, "2025-01-07", 1) == 1


def test_event_spanning_days_is_known_while_it_lasts():
    ev = _events(("2025-01-02", "2025-01-06", None))
    assert _flag(ev, "2025-01-04", 1) == 1
    assert _flag(ev, "2025-01-04", 3) == 1  # night 7 starts on the 6th
    assert _flag(ev, "2025-01-04", 4) == 0


def _random_salvos(n=420, seed=3):
    """Salvos on random nights (no cycle to learn), each announced by an event two nights
    before it, up to night 290."""
    rng = np.random.default_rng(seed)
    hist = synthetic(n=n, seed=seed)
    salvo = rng.uniform(size=n) < 0.1
    salvo[290:] = False
    hist["missiles_launched"] = rng.poisson(2, n) + 40.0 * salvo
    days = hist.index[salvo]
    return hist, _events(*[(d, None, d - pd.Timedelta(days=2)) for d in days])


def test_events_feature_never_sees_an_event_announced_after_the_origin():
    """Member forecasts for origins 294..300: an event on night 301 announced on night
    300 (not known by 18:00 that day) changes nothing; announced on night 299, it does."""
    hist, base = _random_salvos()
    spec = wf.Spec(min_train=60, stack_window=56, events=True)
    names = ["nb_level", "hurdle", "hazard", "mix"]
    night = hist.index[301]

    def outputs(events):
        return wf._member_outputs(wf.Context(hist, spec, events=events), names, 1, 294, 300)

    _, p0, q0 = outputs(base)
    _, p1, q1 = outputs(pd.concat([base, _events((night, None, hist.index[300]))]))
    _, p2, q2 = outputs(pd.concat([base, _events((night, None, hist.index[299]))]))
    for m in names:
        assert q1[m] == pytest.approx(q0[m])
        for t in p0[m]:
            assert p1[m][t] == pytest.approx(p0[m][t])
    assert q2["hazard"][-1] > q0["hazard"][-1] + 0.3


def test_events_feature_needs_the_events():
    hist = synthetic()
    with pytest.raises(ValueError, match="events"):
        wf.run(hist, hist.index[350], hist.index[359], spec=wf.Spec(
            min_train=60, stack_window=56, events=True))


def test_timeline_events_drop_low_confidence():
    ev = wf.timeline_events()
    assert {"date", "end_date"} <= set(ev.columns) and len(ev) > 50
    assert (ev.confidence != "low").all()


# ------------------------------------------------------------------ weather forecast

def _payload():
    """An Open-Meteo answer for one place, hours in GMT, 2025-01-01 00:00 .. 01-02 23:00.
    Kyiv is GMT+2 in January: night 2025-01-02 (20:00 on the 1st .. 06:00 on the 2nd,
    local) is 18:00 .. 04:00 GMT, 11 hours."""
    times = pd.date_range("2025-01-01 00:00", periods=48, freq="h")
    night = (times >= "2025-01-01 18:00") & (times <= "2025-01-02 04:00")
    rain = np.zeros(48)
    rain[times.get_loc(pd.Timestamp("2025-01-01 20:00"))] = 1.0  # night 2, day 1
    rain[times.get_loc(pd.Timestamp("2025-01-02 12:00"))] = 0.5  # day 2
    wind = np.full(48, 10.0)
    wind[times.get_loc(pd.Timestamp("2025-01-02 21:00"))] = 25.0  # 23:00 local, day 2
    wind[times.get_loc(pd.Timestamp("2025-01-02 22:00"))] = 40.0  # 00:00 local, day 3
    return {"latitude": 50.45, "longitude": 30.5, "timezone": "GMT",
            "timezone_abbreviation": "GMT", "utc_offset_seconds": 0,
            "hourly_units": {"time": "iso8601", "cloud_cover": "%", "precipitation": "mm",
                             "wind_speed_10m": "km/h", "weather_code": "wmo code"},
            "hourly": {"time": [f"{t:%Y-%m-%dT%H:%M}" for t in times],
                       "cloud_cover": np.where(night, 100, 0).tolist(),
                       "precipitation": rain.tolist(), "wind_speed_10m": wind.tolist(),
                       "weather_code": [3] * 48}}


@pytest.fixture
def server():
    """A local HTTP server answering every GET with `state["body"]` and `state["status"]`,
    recording the query strings."""
    state = {"status": 200, "body": _payload(), "queries": []}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the http.server name)
            state["queries"].append(parse_qs(urlsplit(self.path).query))
            body = json.dumps(state["body"]).encode()
            self.send_response(state["status"])
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{httpd.server_address[1]}/v1/forecast"
    yield state
    httpd.shutdown()
    httpd.server_close()


def test_fetch_weather_forecast_parses_the_answer(server):
    got = wx.fetch_weather_forecast("2025-01-02", "2025-01-02",
                                    cities={"kyiv": (50.45, 30.52)}, url=server["url"])
    (query,) = server["queries"]
    assert query["start_date"] == ["2025-01-01"] and query["end_date"] == ["2025-01-02"]
    assert {"cloud_cover", "precipitation", "wind_speed_10m"} <= set(
        query["hourly"][0].split(","))
    row = got.loc[pd.Timestamp("2025-01-02")]
    assert row.avg_night_cloudcover == pytest.approx(100.0)
    assert row.avg_night_precipitation == pytest.approx(1.0 / 11)
    assert row.avg_precipitation == pytest.approx(0.5)
    assert row.avg_windspeed == pytest.approx(25.0)
    assert list(got.index) == [pd.Timestamp("2025-01-02")]


def _history(n=300):
    hist = synthetic(n=n, start="2024-03-08")
    return hist.loc[:"2024-12-31"]


def test_forecast_weather_fetch_checks_the_target_nights(server):
    hist = _history()
    with pytest.raises(ValueError, match="no values for the night"):
        fc.forecast_weather("2024-12-31", 5, history=hist, fetch=True, url=server["url"])
    server["status"], server["body"] = 500, {"error": True, "reason": "bad"}
    with pytest.raises(FetchError, match="failed.*500"):
        fc.forecast_weather("2024-12-31", 2, history=hist, fetch=True, url=server["url"])


def test_forecast_weather_without_network_says_so():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FetchError, match="no network.*--weather-forecast"):
        fc.forecast_weather("2024-12-31", 2, history=_history(), fetch=True,
                            url=f"http://127.0.0.1:{port}/v1/forecast")


def _weather_like(hist, values):
    return pd.DataFrame({c: values for c in wf.WEATHER_COLUMNS}, index=hist.index)


def test_weather_file_fills_past_nights_from_observed():
    hist = _history()
    nights = pd.date_range("2025-01-01", periods=2, freq="D", name="night")
    forecast = pd.DataFrame({c: [1.0, 2.0] for c in wf.WEATHER_COLUMNS}, index=nights)
    observed = _weather_like(hist, 0.0)
    both = pd.concat([observed, pd.DataFrame({c: [9.0] for c in wf.WEATHER_COLUMNS},
                                             index=nights[:1])])
    got = fc._weather_file(forecast, both, "2024-12-31")
    assert got.loc["2025-01-01", "avg_windspeed"] == 1.0  # the forecast wins
    assert got.loc["2024-12-31", "avg_windspeed"] == 0.0
    assert len(got) == len(hist) + 2
    # an observed night after the as-of date never stands in for a missing forecast
    short = fc._weather_file(forecast.iloc[1:], both, "2024-12-31")
    assert pd.Timestamp("2025-01-01") not in short.index


def test_outlook_uses_the_weather_forecast_of_the_target_nights():
    """Weather equal to each night's missiles (a perfect hint): the forecast of the next
    night follows the forecast weather given for it; the track record stays without it."""
    hist = synthetic()
    as_of = hist.index[330]
    past = hist.loc[:as_of]
    spec = wf.Spec(min_train=60, stack_window=56, weather_forecast=True)
    future = pd.date_range(as_of + pd.Timedelta(days=1), periods=2, freq="D")
    values = np.concatenate([past.missiles_launched.to_numpy(), [0.0, 0.0]])

    def run(first):
        v = values.copy()
        v[-2] = first
        w = pd.DataFrame({c: v for c in wf.WEATHER_COLUMNS}, index=past.index.append(future))
        return wf.outlook(past, as_of, 2, "nb_level", spec, record_nights=60, weather=w)

    calm, salvo = run(0.0), run(45.0)
    plain = wf.outlook(past, as_of, 2, "nb_level", SMALL, record_nights=60)
    assert salvo.p_massive[0] > calm.p_massive[0] + 0.3
    assert salvo.p_massive[1] == pytest.approx(calm.p_massive[1])
    assert salvo.weather and not plain.weather
    assert salvo.brier_skill == pytest.approx(plain.brier_skill)
    assert not wf.Spec().weather and not wf.Spec().events  # never in the default model


# ------------------------------------------------------------------ reliability by horizon

def test_reliability_by_horizon_by_hand():
    rows = []
    for h, probs, obs in ((1, [0.02, 0.04, 0.6], [0, 1, 1]), (2, [0.15, 0.15], [0, 0])):
        rows += [{"model": "m", "horizon": h, "target": "massive", "prob": p, "obs": o}
                 for p, o in zip(probs, obs, strict=True)]
    res = wf.WalkForward(wf.Spec(), pd.Timestamp("2025-01-01"), pd.Timestamp("2025-01-02"),
                         pd.DataFrame(rows), pd.DataFrame())
    t = res.reliability_by_horizon("m").set_index(["horizon", "bin"])
    assert t.loc[(1, "0.00-0.05"), ["n", "observed", "massive"]].tolist() == [2, 0.5, 1]
    assert t.loc[(1, "0.50-1.00"), "mean_prob"] == pytest.approx(0.6)
    assert t.loc[(2, "0.10-0.20"), ["n", "observed"]].tolist() == [2, 0.0]
    assert t.loc[(2, "0.00-0.05"), "n"] == 0
    assert sorted(t.index.get_level_values(0).unique()) == [1, 2]


# ------------------------------------------------------------------ command line

def _cli(args):
    import typer.testing

    import strikescope.cli.forecast  # noqa: F401  (registers the commands)
    from strikescope.cli.app import app

    return typer.testing.CliRunner().invoke(app, ["forecast", *args])


def test_cli_fetch_without_network_says_so(real_db, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("STRIKESCOPE_WEATHER_FORECAST_URL", f"http://127.0.0.1:{port}/v1")
    res = _cli(["--as-of", "2025-12-24", "--horizon", "2", "--fetch", "--db", str(real_db)])
    assert res.exit_code != 0
    assert "no network" in res.output and "--weather-forecast" in res.output


@pytest.mark.slow
def test_cli_weather_forecast_file(real_db, tmp_path):
    path = tmp_path / "forecast.csv"
    pd.DataFrame({"date": ["2025-12-25", "2025-12-26"], "avg_night_cloudcover": [90, 10],
                  "avg_precipitation": [2.0, 0.0], "avg_windspeed": [30.0, 8.0],
                  "weather_category": ["Rain", "Clear"]}).to_csv(path, index=False)
    res = _cli(["--as-of", "2025-12-24", "--horizon", "2", "--weather-forecast", str(path),
                "--db", str(real_db)])
    assert res.exit_code == 0, res.output
    assert "Weather forecast of the target nights used as a feature (stack)" in res.output
    assert "refitted weekly, without the weather forecast" in res.output
    bad = _cli(["--as-of", "2025-12-24", "--horizon", "3", "--weather-forecast", str(path),
                "--db", str(real_db)])
    assert bad.exit_code != 0 and "2025-12-27" in bad.output


# ------------------------------------------------------------------ local level and dispersion

def test_local_nb_by_hand():
    # half-life 1: weights 1/2 and 1 on the nights [0, 10]
    mu, alpha = wf.local_nb(np.array([0.0, 10.0]), halflife=1.0)
    m = 10 / 1.5
    v = (0.5 * m ** 2 + (10 - m) ** 2) / 1.5
    assert mu[1] == pytest.approx(m)
    assert alpha[1] == pytest.approx((v - m) / m ** 2)  # 0.35
    assert alpha[1] == pytest.approx(0.35)
    assert (mu[0], alpha[0]) == (0.1, 0.01)  # one night of zeros: near-Poisson at the floor


def test_stack_leaves_members_out_of_the_massive_pool():
    hist = synthetic()
    spec = wf.Spec(min_train=60, stack_window=56, members=(*SMALL.members, "nb_local"),
                   not_massive=("nb_local",))
    res = wf.run(hist, hist.index[350], hist.index[369], spec=spec)
    w = res.weights
    assert "nb_local" not in set(w[w.target == "massive"].member)
    assert "nb_local" in set(w[w.target == "drones"].member)
    assert "nb_local" in set(res.records.model)


def test_horizons_chart_writes_a_png(tmp_path):
    from strikescope.render.forecast import walkforward_horizons_png

    rows = [{"model": "m", "horizon": h, "target": "massive", "prob": p, "obs": float(i % 5 == 0)}
            for h in (1, 2) for i, p in enumerate(np.r_[np.full(12, 0.07), np.full(12, 0.15)])]
    res = wf.WalkForward(wf.Spec(), pd.Timestamp("2025-01-01"), pd.Timestamp("2025-01-02"),
                         pd.DataFrame(rows), pd.DataFrame())
    path = walkforward_horizons_png(res, "m", tmp_path / "h.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
