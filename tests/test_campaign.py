import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import strikescope
import strikescope.analysis.campaign as campaign
import strikescope.cli.campaign  # noqa: F401  (registers the commands)
from strikescope.analysis.alerts import load_alerts
from strikescope.cli.app import app
from strikescope.regions import regions

from .conftest import SHARED

ALERTS = SHARED / "alerts"
WEATHER = SHARED / "weather" / "weather_by_date.csv"


def classes_frame(rows):
    cols = ["night", "weapon_class", "launched", "launched_with_outcome", "destroyed",
            "not_reach_goal", "launched_with_lost", "reached"]
    frame = pd.DataFrame(rows, columns=cols)
    frame["night"] = pd.to_datetime(frame["night"])
    return frame.astype({c: "float64" for c in cols[3:]})


# --- hand-built cases ---------------------------------------------------------------

DEFENSE_ROWS = [
    # 10 cruise missiles, shot-down and lost figures both reported.
    ("2025-01-05", "cruise", 10, 10, 8, 1, 10, 1),
    # 5 launched, no outcome reported at all: counts as a night without denominators.
    ("2025-01-20", "cruise", 5, None, None, None, None, None),
    # Shot-down reported, lost figure not: its not_reach_goal must stay out of the EW rate.
    ("2025-02-03", "cruise", 4, 4, 2, 1, None, 2),
]


def test_defense_rates_and_denominators_by_hand():
    d = campaign.defense_table(classes_frame(DEFENSE_ROWS), "month").set_index("period")
    jan, feb = d.loc["2025-01-01"], d.loc["2025-02-01"]
    # January: 8 shot down of 10 with outcome (the 5 without outcome are left out).
    assert (jan.nights, jan.launched, jan.launched_with_outcome) == (2, 15, 10)
    assert jan.shot_down_rate == pytest.approx(0.8)
    assert jan.nights_without_outcome == 1 and jan.nights_without_lost == 1
    # EW: 1 lost of 10 with the lost figure; reached 1 of 10.
    assert jan.ew_loss_rate == pytest.approx(0.1)
    assert jan.reached_rate == pytest.approx(0.1)
    # Wilson for 8/10, z = 1.96: centre (0.8 + 1.96^2/20) / (1 + 1.96^2/10) = 0.7167,
    # half-width 1.96 * sqrt(0.016 + 1.96^2/400) / 1.3842 = 0.2266 -> 0.490 .. 0.943.
    assert jan.shot_down_rate_lo == pytest.approx(0.4902, abs=1e-3)
    assert jan.shot_down_rate_hi == pytest.approx(0.9433, abs=1e-3)
    # February: 2 of 4 shot down; no lost figure, so no EW rate at all.
    assert feb.shot_down_rate == pytest.approx(0.5)
    assert np.isnan(feb.ew_loss_rate) and feb.not_reach_goal == 0
    assert feb.nights_without_lost == 1


def test_defense_quarter_pools_the_months():
    q = campaign.defense_table(classes_frame(DEFENSE_ROWS), "quarter").iloc[0]
    # (8 + 2) / (10 + 4) shot down; EW 1 / 10 (February's lost missile has no denominator).
    assert q.shot_down_rate == pytest.approx(10 / 14)
    assert q.ew_loss_rate == pytest.approx(0.1)
    assert q.reached_rate == pytest.approx(3 / 14)


def test_defense_leaves_out_a_night_with_more_shot_down_than_launched():
    d = campaign.defense_table(classes_frame([("2025-03-01", "mixed", 5, 5, 7, 0, None, -2)]))
    assert np.isnan(d.shot_down_rate.iloc[0]) and np.isnan(d.reached_rate.iloc[0])
    assert d.nights_more_stopped_than_launched.iloc[0] == 1
    assert d.nights_without_outcome.iloc[0] == 0  # it gave one: a wrong one
    # beside a sound night of the month: 8 of 10, not (8 + 7) of 15 clipped to 100 %
    rows = [("2025-03-01", "cruise", 10, 10, 8, 0, 10, 2),
            ("2025-03-02", "cruise", 5, 5, 7, 0, 5, -2),
            ("2025-03-03", "cruise", 6, 6, 2, 5, 6, -1)]  # 2 + 5 stopped of 6: out too
    m = campaign.defense_table(classes_frame(rows)).iloc[0]
    assert (m.launched, m.launched_with_outcome, m.destroyed) == (21, 10, 8)
    assert m.shot_down_rate == pytest.approx(0.8) and m.ew_loss_rate == pytest.approx(0.0)
    assert m.nights_more_stopped_than_launched == 2


def test_period_start_rejects_unknown_period():
    with pytest.raises(ValueError, match="unknown period"):
        campaign.period_start(pd.Series(pd.to_datetime(["2025-01-01"])), "fortnight")


def saturation_frame(rate) -> pd.DataFrame:
    # Salvos 2, 4, ..., 1024, ten nights each, spread over two years.
    salvo = np.tile(2.0 ** np.arange(1, 11), 10)
    nights = pd.date_range("2023-01-01", periods=len(salvo), freq="7D")
    return pd.DataFrame({"night": nights, "weapon_class": "strike_drone",
                         "launched_with_outcome": salvo, "destroyed": salvo * rate(salvo)})


def test_saturation_flat_rate_has_no_threshold():
    result = campaign.saturation_fit(saturation_frame(lambda s: np.full_like(s, 0.5)))
    # Half shot down at every salvo: odds ratio 1, no fall, every bin at 50 %.
    assert result.odds_ratio_per_doubling == pytest.approx(1.0, abs=1e-6)
    assert result.threshold_salvo is None
    assert np.allclose(result.bins.shot_down_rate, 0.5)
    assert "never falls" in result.summary()


def test_saturation_recovers_a_known_fall():
    # logit p = 2 - 0.5 ln s, so p = 1 / (1 + sqrt(s) e^-2) and each doubling multiplies
    # the odds by 2^-0.5 = 0.7071. Median salvo (32 + 64) / 2 = 48: p = 1 / (1 + 6.928 *
    # 0.1353) = 0.5161. 5 points lower, 0.4661: sqrt(s) e^-2 = 1.1455 -> s = 71.6.
    result = campaign.saturation_fit(saturation_frame(
        lambda s: 1 / (1 + np.sqrt(s) * np.exp(-2))))
    assert result.odds_ratio_per_doubling == pytest.approx(2 ** -0.5, rel=1e-3)
    assert result.reference_salvo == 48
    assert result.reference_rate == pytest.approx(0.5161, abs=0.01)
    assert 65 <= result.threshold_salvo <= 80
    assert result.n_nights == 100 and result.bins.nights.sum() == 100


def test_saturation_needs_nights():
    with pytest.raises(ValueError, match="only 3 nights"):
        campaign.saturation_fit(saturation_frame(lambda s: s * 0 + 0.5).head(3))


def test_saturation_nights_counts_what_the_fit_would_fit(real_db):
    # a week: too few nights, and the count is the one the fit's refusal names
    week = ("2025-12-20", "2025-12-26")
    nights = campaign.saturation_nights(*week, db=real_db)
    assert 0 < nights < campaign.MIN_SATURATION_NIGHTS
    with pytest.raises(ValueError, match=f"only {nights} nights"):
        campaign.saturation(start=week[0], end=week[1], db=real_db)
    # nights with launches but no outcome reported are not counted
    frame = campaign.night_classes(*week, "strike_drone", real_db)
    assert nights == int((frame["launched_with_outcome"].fillna(0) > 0).sum())
    assert campaign.saturation_nights("2020-01-01", "2020-01-31", db=real_db) == 0


def test_weapon_mix_shares_by_hand():
    frame = classes_frame([("2025-01-06", "cruise", 3, 3, 3, 0, None, 0),
                           ("2025-01-07", "strike_drone", 9, 9, 6, 0, None, 3),
                           ("2025-01-07", "cruise", 0, 0, 0, 0, None, 0)])
    mix = campaign.weapon_mix_table(frame, "week").set_index("weapon_class")
    # One week (Monday 2025-01-06): 3 cruise + 9 drones = 12; the empty cruise row is ignored.
    assert mix.loc["cruise", "share"] == pytest.approx(3 / 12)
    assert mix.loc["strike_drone", "share"] == pytest.approx(9 / 12)
    assert mix.loc["cruise", "nights"] == 1
    assert (mix.period == pd.Timestamp("2025-01-06")).all()


def test_decoy_share_by_hand():
    rows = pd.DataFrame({
        "night": pd.to_datetime(["2025-09-01", "2025-09-02", "2025-09-03"]),
        "launched": [100, 50, 40],
        # 60 Shahed of 100; no figure on the 2nd (left out); 50 of 40 clipped to 40.
        "is_shahed": [60, np.nan, 50],
    })
    d = campaign.decoy_table(rows, "month").iloc[0]
    # Drones 100 + 40 = 140, Shahed 60 + 40 = 100, decoys 40.
    assert (d.drones, d.shahed, d.decoys, d.nights) == (140, 100, 40, 2)
    assert d.decoy_share == pytest.approx(40 / 140)
    assert d.decoy_share_lo < d.decoy_share < d.decoy_share_hi


def test_massive_table_by_hand():
    nights = pd.DataFrame({
        "night": pd.to_datetime(["2025-01-01", "2025-01-05", "2025-01-06", "2025-01-15"]),
        "drones_launched": [400, 10, 500, 399],
        "missiles_launched": [0, 25, 30, 19],
    })
    nights["total_launched"] = nights.drones_launched + nights.missiles_launched
    d = campaign.massive_table(nights, min_missiles=20, min_drones=400)
    # The 15th (399 drones, 19 missiles) misses both thresholds.
    assert d.night.dt.day.tolist() == [1, 5, 6]
    assert d.trigger.tolist() == ["drones", "missiles", "both"]
    assert d.days_since_previous.tolist()[1:] == [4, 1]
    assert pd.isna(d.days_since_previous.iloc[0])


def test_split_places():
    text = "Primorsko-Akhtarsk and Kursk oblast and Bryansk oblast"
    assert campaign.split_places(text) == ["Primorsko-Akhtarsk", "Kursk oblast",
                                           "Bryansk oblast"]
    assert campaign.split_places(None) == [] and campaign.split_places(np.nan) == []


def test_launch_area_table_by_hand():
    rows = pd.DataFrame({
        "night": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-01-02"]),
        "weapon_class": ["strike_drone"] * 3, "row_id": [1, 2, 3],
        "launch_place": ["Kursk oblast and Primorsko-Akhtarsk", "Kursk oblast", None],
        "launched": [10, 5, 7],
    })
    d = campaign.launch_area_table(rows).set_index("place")
    # Kursk: rows a and b on one night, 10 + 5 launched on them; the empty row names nothing.
    assert d.loc["Kursk oblast", ["nights", "rows", "launched_on_rows"]].tolist() == [1, 2, 15]
    assert d.loc["Primorsko-Akhtarsk", "launched_on_rows"] == 10
    assert len(d) == 2


def test_night_regions_one_region_spelled_five_ways():
    spellings = ["Odesa", "Odessa", "Odeska oblast", "Одеська область", "odesa-oblast"]
    rows = pd.DataFrame({
        "night": pd.to_datetime(["2025-03-01"] * 5), "row_id": [1, 2, 3, 4, 5],
        "launched": [1, 2, 3, 4, 5], "target": spellings,
        "target_main": [None, "Kyiv", None, None, None],
        "affected_region_text": [None, None, "['Odesa', 'Kyiv oblast']", None, None],
    })
    d = campaign.night_region_table(rows).set_index("region_id")
    # Five rows name Odesa; Kyiv city from row b, the oblast from c; no launches per region
    assert d.loc["odesa", "rows"] == 5
    assert d.loc["kyiv_city", "rows"] == 1 and d.loc["kyiv_oblast", "rows"] == 1
    assert "launched" not in d.columns
    totals = campaign.region_totals(night_table=d.reset_index()).set_index("region_id")
    assert totals.loc["odesa", ["nights", "rows"]].tolist() == [1, 5]


def test_shelter_merges_overlapping_alerts_by_hand(tmp_path, real_db):
    path = tmp_path / "volunteer_data_en.csv"
    path.write_text("\n".join([
        "region,started_at,finished_at,naive",
        "Kyiv,2024-03-20 10:00:00+00:00,2024-03-20 10:06:00+00:00,False",
        # 20:00-21:00 and 20:30-22:00 UTC overlap: merged 20:00-22:00 = 2 h (22:00-00:00
        # Kyiv time, UTC+2 in March), in the night ending 2024-03-22.
        "Kyiv,2024-03-21 20:00:00+00:00,2024-03-21 21:00:00+00:00,False",
        "Kyiv,2024-03-21 20:30:00+00:00,2024-03-21 22:00:00+00:00,False",
        # 10:00-10:30 UTC = 12:00 Kyiv on the 22nd, before 18:00: same night, +0.5 h.
        "Kyiv,2024-03-22 10:00:00+00:00,2024-03-22 10:30:00+00:00,False",
    ]) + "\n", encoding="utf-8")
    alerts = load_alerts([path], sources=("volunteer",), permanent=False).alerts
    d = campaign.shelter_hours_by_night("Kyiv", "2024-03-01", "2024-03-31", db=real_db,
                                        alerts=alerts).set_index("night")
    # The alerts cover nights 03-20 .. 03-22 only; the rest of March is cut off.
    assert d.index.min() == pd.Timestamp("2024-03-20")
    assert d.index.max() == pd.Timestamp("2024-03-22")
    assert d.loc["2024-03-20", "hours_under_alert"] == pytest.approx(0.1)
    assert d.loc["2024-03-21", "hours_under_alert"] == 0
    assert d.loc["2024-03-22", "hours_under_alert"] == pytest.approx(2.5)
    with pytest.raises(ValueError, match="alert files cover"):
        campaign.shelter_hours_by_night("Kyiv", "2025-01-01", None, db=real_db, alerts=alerts)


def test_shelter_comparison_by_hand():
    d = pd.DataFrame({"massive": [True, True, False, False, False],
                      "hours_under_alert": [4.0, 6.0, 1.0, 2.0, 3.0]})
    c = campaign.shelter_comparison(d).set_index("massive")
    # Means 5 and 2; t interval for 1, 2, 3: 2 +- 4.303 * 1 / sqrt(3) = 2 +- 2.484.
    assert c.loc[True, "mean_hours"] == 5 and c.loc[False, "mean_hours"] == 2
    assert c.loc[False, "mean_hours_hi"] == pytest.approx(4.484, abs=1e-3)


def test_weather_table_by_hand():
    nights = pd.DataFrame({
        "night": pd.date_range("2025-01-01", periods=6),
        "drones_destroyed": [5, 8, 15, 9, 6, 4],
        "drones_launched_with_outcome": [10, 10, 20, 10, 10, 10],
        "total_launched": [10, 10, 20, 10, 10, 12],
    })
    weather = pd.DataFrame({
        "avg_night_precipitation": [0, 0.2, 0, 0.1, 0, 0.3],
        "avg_night_cloudcover": [10, 90, 20, 80, 30, 95],
        "avg_windspeed": [10, 10, 30, 10, 10, 10],
    }, index=nights.night)
    d = campaign.weather_table(nights, weather).set_index(["factor", "flag"])
    dry, wet = d.loc[("night_precipitation", False)], d.loc[("night_precipitation", True)]
    # Dry nights 1, 3, 5: (5 + 15 + 6) / (10 + 20 + 10) = 26 / 40; wet 2, 4, 6: 21 / 30.
    assert dry.drone_shot_down_rate == pytest.approx(26 / 40)
    assert wet.drone_shot_down_rate == pytest.approx(21 / 30)
    assert wet.mean_total_launched == pytest.approx(32 / 3)
    assert d.loc[("windy_day", True), "nights"] == 1


# --- real data ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_classes(real_db):
    return campaign.night_classes(db=real_db)


def test_real_intervals_contain_rate_and_narrow_with_period(real_classes):
    widths = {}
    for by in ("week", "month", "quarter", "year"):
        d = campaign.defense_table(real_classes, by)
        for rate in ("shot_down_rate", "ew_loss_rate", "reached_rate"):
            ok = d[rate].notna()
            assert ok.any()
            assert (d.loc[ok, f"{rate}_lo"] <= d.loc[ok, rate] + 1e-12).all()
            assert (d.loc[ok, rate] <= d.loc[ok, f"{rate}_hi"] + 1e-12).all()
        drones = d[d.weapon_class == "strike_drone"]
        widths[by] = (drones.shot_down_rate_hi - drones.shot_down_rate_lo).median()
    assert widths["week"] > widths["month"] > widths["quarter"] > widths["year"]


def test_real_defense_counts_match_the_nights(real_db):
    d = campaign.defense("month", "strike_drone", "2025-07-01", "2025-07-31", db=real_db)
    nights = strikescope.nights("2025-07-01", "2025-07-31", db=real_db)
    assert len(d) == 1
    assert d.launched.iloc[0] == nights.strike_drone_launched.sum()


def test_real_saturation(real_classes):
    r = campaign.saturation_fit(real_classes, "strike_drone")
    lo, hi = r.odds_ratio_ci
    assert lo <= r.odds_ratio_per_doubling <= hi
    assert (r.curve.rate_lo <= r.curve.rate + 1e-12).all()
    assert (r.curve.rate <= r.curve.rate_hi + 1e-12).all()
    assert r.bins.nights.sum() == r.n_nights
    assert r.threshold_salvo is None or r.threshold_salvo > r.reference_salvo


def test_real_massive_and_mix(real_db):
    m = campaign.massive_strikes(20, 400, db=real_db)
    assert pd.Timestamp("2025-07-04") in set(m.night)
    assert ((m.missiles_launched >= 20) | (m.drones_launched >= 400)).all()
    mix = campaign.weapon_mix("month", "2025-01-01", "2025-12-31", db=real_db)
    assert np.allclose(mix.groupby("period").share.sum(), 1.0)


def test_real_decoys_launch_areas_regions(real_db):
    dec = campaign.decoy_share(db=real_db)
    assert len(dec) and (dec.shahed <= dec.drones).all()
    assert dec.decoy_share.between(0, 1).all()
    areas = campaign.launch_areas(db=real_db)
    assert not areas.place.str.contains(" and ").any()
    assert {"Kursk oblast", "Primorsko-Akhtarsk"} <= set(areas.place)
    nr = campaign.night_regions(db=real_db)
    assert set(nr.region_id) <= set(regions().index)
    assert nr.groupby("night").size().gt(0).all()


@pytest.mark.skipif(not ALERTS.is_dir(), reason="reference data missing")
def test_real_shelter_hours_never_exceed_the_period(real_db):
    alerts = load_alerts([ALERTS]).alerts
    d = campaign.shelter_hours_by_night("kyiv_city", db=real_db, alerts=alerts)
    assert len(d) > 300
    assert (d.hours_under_alert <= d.night_hours + 1e-9).all()
    assert d.hours_under_alert.sum() <= d.night_hours.sum()
    c = campaign.shelter_comparison(d)
    assert (c.mean_hours_lo <= c.mean_hours).all() and (c.mean_hours <= c.mean_hours_hi).all()


@pytest.mark.skipif(not WEATHER.is_file(), reason="reference data missing")
def test_real_weather_effects(real_db):
    from strikescope.weather import read_weather

    d = campaign.weather_effects(db=real_db, weather=read_weather(WEATHER))
    assert set(d.factor) == set(campaign.WEATHER_FACTORS)
    assert (d.drone_shot_down_rate_lo <= d.drone_shot_down_rate).all()
    fitted = d.odds_ratio_adj.notna()
    assert fitted.any()
    assert (d.odds_ratio_adj_lo[fitted] <= d.odds_ratio_adj[fitted]).all()
    assert (d.odds_ratio_adj[fitted] <= d.odds_ratio_adj_hi[fitted]).all()


# --- CLI ----------------------------------------------------------------------------


def test_cli_defense_csv(real_db):
    result = CliRunner().invoke(app, ["defense", "--by", "month", "--class", "cruise",
                                      "--from", "2025-01-01", "--to", "2025-03-31",
                                      "--format", "csv", "--db", str(real_db)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("period,weapon_class") and len(lines) == 4


def test_cli_bad_period_fails(real_db):
    result = CliRunner().invoke(app, ["defense", "--by", "fortnight", "--db", str(real_db)])
    assert result.exit_code == 1


@pytest.mark.slow
def test_cli_campaign_report(real_db, tmp_path):
    out = tmp_path / "report"
    result = CliRunner().invoke(app, ["campaign", "--from", "2025-07-01", "--to", "2025-07-31",
                                      "--out", str(out), "--db", str(real_db)])
    assert result.exit_code == 0, result.output
    for name in ("defense", "saturation", "weapon_mix", "massive_strikes", "regions"):
        for suffix in (".csv", ".png", ".html"):
            assert (out / f"{name}{suffix}").stat().st_size > 0
    # The alert files end in 2024, so July 2025 has no shelter hours: skipped, not zeros.
    assert "shelter hours" in (out / "skipped.txt").read_text(encoding="utf-8")
    assert "plotly" in (out / "defense.html").read_text(encoding="utf-8")[:5000].lower()


# --- charts from the single commands ------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SUMMER = ["--from", "2025-06-01", "--to", "2025-07-31"]
# Command line (without the period) and the trace types its figure must hold.
CHART_COMMANDS = {
    "defense": (["defense", *SUMMER], {"scatter"}),
    "saturation": (["saturation", *SUMMER], {"scatter"}),
    "mix": (["mix", *SUMMER], {"bar"}),
    "decoys": (["mix", "--decoys", *SUMMER], {"bar"}),
    "massive": (["massive", *SUMMER], {"scatter"}),
    "launch-areas": (["launch-areas", *SUMMER], {"bar"}),
    "regions": (["regions", *SUMMER], {"heatmap"}),
    # The alert files end in 2024.
    "shelter": (["shelter", "--from", "2024-06-01", "--to", "2024-07-31"], {"scatter"}),
    "weather-effects": (["weather-effects", *SUMMER], {"bar"}),
}


def plotted_traces(html: str) -> list[dict]:
    """The data argument of Plotly.newPlot: the layout's template names every trace type,
    so only this part tells which traces the figure really has."""
    import json

    start = html.index("[", html.index("Plotly.newPlot("))
    return json.JSONDecoder().raw_decode(html, start)[0]


def run_chart(real_db, args, chart):
    return CliRunner().invoke(app, [*args, "--format", "csv", "--db", str(real_db),
                                    "--chart", str(chart)])


@pytest.mark.parametrize("name", CHART_COMMANDS)
def test_cli_chart_html_is_self_contained(real_db, tmp_path, name):
    args, kinds = CHART_COMMANDS[name]
    chart = tmp_path / "sub" / "x.html"
    result = run_chart(real_db, args, chart)
    assert result.exit_code == 0, result.output
    html = chart.read_text(encoding="utf-8")
    # plotly.js inlined, not loaded from a CDN, so the file opens offline.
    assert "plotly.js v" in html and "<script src=" not in html
    traces = plotted_traces(html)
    assert {t["type"] for t in traces} == kinds
    assert any(t.get("x") is not None or t.get("z") is not None for t in traces)


@pytest.mark.parametrize("name", CHART_COMMANDS)
def test_cli_chart_png(real_db, tmp_path, name):
    chart = tmp_path / "x.png"
    result = run_chart(real_db, CHART_COMMANDS[name][0], chart)
    assert result.exit_code == 0, result.output
    with open(chart, "rb") as fh:
        assert fh.read(8) == PNG_SIGNATURE
    assert chart.stat().st_size > 5000


@pytest.mark.parametrize("name", CHART_COMMANDS)
def test_cli_chart_bad_suffix_fails(real_db, tmp_path, name):
    chart = tmp_path / "x.svg"
    result = run_chart(real_db, CHART_COMMANDS[name][0], chart)
    assert result.exit_code == 1
    assert "x.svg" in result.output and ".html, .png" in result.output
    assert not chart.exists()


def test_save_chart_bare_figure_html_only(tmp_path):
    import plotly.graph_objects as go

    from strikescope.render.charts import save_chart

    fig = go.Figure(go.Bar(x=["a"], y=[1]))
    assert save_chart(fig, tmp_path / "f.HTML").stat().st_size > 0
    with pytest.raises(ValueError, match="only be saved as .html"):
        save_chart(fig, tmp_path / "f.png")


# --- weather-effects --fetch ---------------------------------------------------------


def fake_open_meteo(calls):
    """A stand-in for weather.fetch_open_meteo: every night overcast (so the overcast
    factor has one level only, unlike the bundled file), rain every other night."""
    from strikescope import weather

    def fetch(start, end):
        calls.append((pd.Timestamp(start), pd.Timestamp(end)))
        nights = pd.date_range(start, end, freq="D", name="night", unit="ns")
        alternate = np.resize([0.0, 1.0], len(nights))
        values = {"precipitation_sum": 4 * alternate, "cloudcover_mean": 90.0,
                  "visibility_mean": np.nan, "windspeed_10m_max": 10 + 20 * alternate,
                  "weathercode": 3, "night_cloudcover": 90.0, "night_visibility": np.nan,
                  "night_precipitation": 0.4 * alternate}
        assert set(values) == set(weather.CITY_FIELDS)
        frame = pd.DataFrame({f"{city}_{f}": v for city in weather.CITIES
                              for f, v in values.items()}, index=nights)
        for name, f in weather.AVERAGES.items():
            frame[name] = frame[f"kyiv_{f}"]
        frame["weather_category"] = weather.weather_category(frame["kyiv_weathercode"])
        return frame

    return fetch


def test_cli_weather_effects_fetch_uses_fresh_weather(real_db, monkeypatch):
    import io

    import strikescope.weather

    calls = []
    monkeypatch.setattr(strikescope.weather, "fetch_open_meteo", fake_open_meteo(calls))
    result = CliRunner().invoke(app, ["weather-effects", "--fetch", *SUMMER, "--format",
                                      "csv", "--db", str(real_db)])
    assert result.exit_code == 0, result.output
    nights = strikescope.nights("2025-06-01", "2025-07-31", db=real_db).night
    assert calls == [(nights.min(), nights.max())]
    d = pd.read_csv(io.StringIO(result.stdout))
    overcast = d[d.factor == "overcast_night"]
    assert overcast.flag.tolist() == [True] and overcast.nights.iloc[0] == len(nights)
    assert d[d.factor == "night_precipitation"].nights.sum() == len(nights)


def test_cli_weather_effects_fetch_failure_is_an_error(real_db, monkeypatch):
    import httpx

    import strikescope.weather

    def offline(start, end):
        raise httpx.ConnectError("Name or service not known")

    monkeypatch.setattr(strikescope.weather, "fetch_open_meteo", offline)
    result = CliRunner().invoke(app, ["weather-effects", "--fetch", *SUMMER,
                                      "--db", str(real_db)])
    assert result.exit_code == 1
    assert "could not fetch weather from Open-Meteo" in result.output
    assert "Name or service not known" in result.output


def test_static_charts_split_many_classes_into_panels_and_never_cut_a_share(tmp_path,
                                                                             monkeypatch):
    import pandas as pd
    from matplotlib.figure import Figure

    from strikescope.render.charts import xy_png

    drawn = []
    monkeypatch.setattr(Figure, "savefig", lambda self, *a, **k: drawn.append(self))
    classes = ["strike_drone", "cruise", "ballistic", "aeroballistic", "tactical_uav"]
    df = pd.DataFrame([{"period": pd.Timestamp(f"2025-0{m}-01"), "weapon_class": c,
                        "stopped_rate": 0.5 + 0.05 * m} for c in classes for m in (1, 2, 3)])
    xy_png(df, "period", "stopped_rate", "weapon_class", tmp_path / "a.png", "t")
    panels = [ax for ax in drawn[0].axes if ax.get_visible()]
    assert len(panels) == 5 and {ax.get_title() for ax in panels} == {
        c.replace("_", " ") for c in classes}
    assert all(ax.get_ylim() == (0, 1.02) for ax in panels)  # 0-100 %, no cut axis
    xy_png(df[df.weapon_class.isin(classes[:2])], "period", "stopped_rate", "weapon_class",
           tmp_path / "b.png", "t")
    assert len([ax for ax in drawn[1].axes if ax.get_visible()]) == 1  # few: one panel


def test_wilson_interval_by_hand_and_as_statsmodels_gives_it():
    from statsmodels.stats.proportion import proportion_confint

    from strikescope.analysis.campaign import wilson

    # 8 of 10 at 95 %: z^2 = 3.8415, centre 0.99207 / 1.38415 = 0.71674, half-width
    # sqrt(0.061463 + 0.036892) / 1.38415 = 0.22658
    lo, hi = wilson([8, 0], [10, 0])
    assert lo[0] == pytest.approx(0.49016, abs=1e-5) and hi[0] == pytest.approx(0.94331,
                                                                                 abs=1e-5)
    assert np.isnan(lo[1]) and np.isnan(hi[1])  # no trials, no interval
    k = np.array([0, 1, 5, 37, 400, 999])
    n = np.array([3, 1, 9, 80, 400, 1000])
    for alpha in (0.05, 0.1, 0.01):
        expected = proportion_confint(k, n, alpha=alpha, method="wilson")
        np.testing.assert_allclose(wilson(k, n, alpha), expected, atol=1e-12)
