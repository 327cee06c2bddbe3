import httpx
import numpy as np
import pandas as pd
import pytest

from strikescope.config import default_data_dir
from strikescope.weather import (
    CATEGORIES,
    CITY_FIELDS,
    HOURLY,
    fetch_open_meteo,
    read_weather,
    weather_category,
)

WEATHER = default_data_dir() / "weather" / "weather_by_date.csv"
needs_data = pytest.mark.skipif(not WEATHER.exists(), reason="reference data missing")
CITIES = ("kyiv", "kharkiv", "odesa", "zaporizhzhia")


@needs_data
def test_read_weather_is_indexed_by_night():
    frame = read_weather(WEATHER)
    assert len(frame) == 632
    assert frame.index.name == "night"
    assert frame.index.is_monotonic_increasing and frame.index.is_unique
    # Night D is the row dated D (see read_weather for why).
    assert frame.index[0] == pd.Timestamp("2022-09-29")
    assert frame.loc["2022-09-29", "weather_category"] == "Overcast"
    expected = [f"{c}_{f}" for c in CITIES for f in CITY_FIELDS]
    assert set(expected) <= set(frame.columns)
    assert {"avg_night_cloudcover", "avg_windspeed", "avg_night_precipitation"} <= set(
        frame.columns
    )
    assert frame["avg_night_visibility"].isna().all()


@needs_data
def test_the_files_night_hours_lie_within_the_rows_own_date():
    frame = read_weather(WEATHER)
    for city in CITIES:
        night_total = 11 * frame[f"{city}_night_precipitation"]
        assert (night_total <= frame[f"{city}_precipitation_sum"] + 0.05).all()
        dry_day = frame[f"{city}_precipitation_sum"] == 0
        assert (frame.loc[dry_day, f"{city}_night_precipitation"] == 0).all()


@needs_data
def test_category_is_kyivs_wmo_code():
    frame = read_weather(WEATHER)
    derived = weather_category(frame["kyiv_weathercode"])
    assert (derived.astype(str) == frame["weather_category"].astype(str)).all()
    assert list(frame["weather_category"].cat.categories[: len(CATEGORIES)]) == list(CATEGORIES)


def _payload(latitude: float, start: str, end: str, night_cloud: float) -> dict:
    """Two days of hourly UTC values: cloudy during night 2024-07-02 (UTC+3 in summer,
    so local 2024-07-01 20:00 to 2024-07-02 06:00 is UTC 17:00 to 03:00), clear otherwise;
    1.2 mm at 03:00 local on 07-02 and 5 mm the afternoon before; wind 30 km/h and rain
    code 63 at 15:00 local on 07-02, wind 50 km/h the day before."""
    times = pd.date_range(start, f"{end} 23:00", freq="h")
    night = (times >= "2024-07-01 17:00") & (times <= "2024-07-02 03:00")
    rain = np.where(times == "2024-07-02 00:00", 1.2, 0.0)
    rain[times == "2024-07-01 10:00"] = 5.0
    wind = np.where(times == "2024-07-02 12:00", 30.0, 10.0)
    wind[times == "2024-07-01 12:00"] = 50.0
    return {
        "latitude": latitude,
        "timezone": "GMT",
        "hourly": {
            "time": times.strftime("%Y-%m-%dT%H:%M").tolist(),
            "cloud_cover": np.where(night, night_cloud, 10.0).tolist(),
            "visibility": [None] * len(times),
            "precipitation": rain.tolist(),
            "wind_speed_10m": wind.tolist(),
            "weather_code": np.where(times == "2024-07-02 12:00", 63, 3).tolist(),
        },
    }


def test_fetch_open_meteo_builds_night_columns_from_hourly_data():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        seen.append(params)
        latitude = float(params["latitude"])
        cloud = 80.0 if latitude > 50 else 100.0  # Kyiv, then Kharkiv
        return httpx.Response(
            200, json=_payload(latitude, params["start_date"], params["end_date"], cloud)
        )

    client = httpx.Client(transport=httpx.MockTransport(handler))
    frame = fetch_open_meteo("2024-07-02", "2024-07-02", cities=("kyiv", "kharkiv"), client=client)

    assert [p["start_date"] for p in seen] == ["2024-07-01", "2024-07-01"]
    assert seen[0]["end_date"] == "2024-07-02"
    assert set(seen[0]["hourly"].split(",")) == set(HOURLY)
    assert seen[0]["timezone"] == "GMT"
    row = frame.loc["2024-07-02"]
    assert frame.index.name == "night" and len(frame) == 1
    assert row.kyiv_night_cloudcover == pytest.approx(80.0)
    assert row.kharkiv_night_cloudcover == pytest.approx(100.0)
    assert row.avg_night_cloudcover == pytest.approx(90.0)
    # Local day 07-02 is UTC 07-01 21:00 .. 07-02 20:00: 7 cloudy night hours out of 24.
    assert row.kyiv_cloudcover_mean == pytest.approx((7 * 80 + 17 * 10) / 24)
    assert row.kyiv_night_precipitation == pytest.approx(1.2 / 11)
    assert row.kyiv_precipitation_sum == pytest.approx(1.2)
    assert row.kyiv_windspeed_10m_max == pytest.approx(30.0)
    assert row.kyiv_weathercode == 63
    assert row.weather_category == "Rain"
    assert np.isnan(row.avg_night_visibility)


def test_fetch_open_meteo_reports_api_errors():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"error": True, "reason": "Parameter out of range"})

    client = httpx.Client(transport=httpx.MockTransport(handler))
    with pytest.raises(RuntimeError, match="out of range"):
        fetch_open_meteo("2024-07-02", "2024-07-03", client=client)
