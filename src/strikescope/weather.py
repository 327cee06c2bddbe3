"""Night-time weather over four Ukrainian cities, indexed by night.

Two ways in: `read_weather` reads the bundled `weather_by_date.csv` (built from the
Open-Meteo historical API, CC BY 4.0), `fetch_open_meteo` asks that API for fresh hourly
data and builds the same columns.

Columns, per city (kyiv, kharkiv, odesa, zaporizhzhia): `<city>_precipitation_sum` (mm),
`<city>_cloudcover_mean` (%), `<city>_visibility_mean` (m), `<city>_windspeed_10m_max`
(km/h), `<city>_weathercode` (WMO, most severe of the day), `<city>_night_cloudcover`,
`<city>_night_visibility`, `<city>_night_precipitation` (mean mm per hour over the night
hours); and their 4-city means `avg_precipitation`, `avg_cloudcover`, `avg_visibility`,
`avg_windspeed`, `avg_night_cloudcover`, `avg_night_visibility`,
`avg_night_precipitation`, plus `weather_category` (the WMO description of Kyiv's code:
Clear, Partly Cloudy, Overcast, Drizzle, Rain, Heavy Rain, Snow...). Visibility is empty
in the bundled file: the ERA5 reanalysis behind the archive API does not provide it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import httpx
import pandas as pd

from strikescope.config import TIMEZONE, input_dir
from strikescope.errors import FetchError, InputError

ARCHIVE_URL = "https://archive-api.open-meteo.com/v1/archive"
HOURLY = ("cloud_cover", "visibility", "precipitation", "wind_speed_10m", "weather_code")
CITIES: dict[str, tuple[float, float]] = {
    "kyiv": (50.4501, 30.5234),
    "kharkiv": (49.9935, 36.2304),
    "odesa": (46.4825, 30.7233),
    "zaporizhzhia": (47.8388, 35.1396),
}
NIGHT_HOURS = (20, 6)  # local 20:00 of the evening before to 06:00, both hours included
CITY_FIELDS = (
    "precipitation_sum",
    "cloudcover_mean",
    "visibility_mean",
    "windspeed_10m_max",
    "weathercode",
    "night_cloudcover",
    "night_visibility",
    "night_precipitation",
)
AVERAGES = {
    "avg_precipitation": "precipitation_sum",
    "avg_cloudcover": "cloudcover_mean",
    "avg_visibility": "visibility_mean",
    "avg_windspeed": "windspeed_10m_max",
    "avg_night_cloudcover": "night_cloudcover",
    "avg_night_visibility": "night_visibility",
    "avg_night_precipitation": "night_precipitation",
}
CATEGORIES = (
    "Clear",
    "Partly Cloudy",
    "Overcast",
    "Fog",
    "Drizzle",
    "Rain",
    "Heavy Rain",
    "Snow",
    "Thunderstorm",
)
_WMO = {
    "Clear": (0,),
    "Partly Cloudy": (1, 2),
    "Overcast": (3,),
    "Fog": (45, 48),
    "Drizzle": (51, 53, 55, 56, 57),
    "Rain": (61, 63, 66, 80, 81),
    "Heavy Rain": (65, 67, 82),
    "Snow": (71, 73, 75, 77, 85, 86),
    "Thunderstorm": (95, 96, 99),
}
_CODE_TO_CATEGORY = {code: name for name, codes in _WMO.items() for code in codes}


def weather_category(codes: pd.Series) -> pd.Series:
    """WMO weather codes to the category names used in the bundled file."""
    names = pd.to_numeric(codes, errors="coerce").map(_CODE_TO_CATEGORY)
    return pd.Series(pd.Categorical(names, categories=CATEGORIES), index=codes.index)


def _with_averages(frame: pd.DataFrame, cities: Sequence[str]) -> pd.DataFrame:
    for name, field in AVERAGES.items():
        frame[name] = frame[[f"{city}_{field}" for city in cities]].mean(axis=1)
    lead = "kyiv" if "kyiv" in cities else cities[0]
    frame["weather_category"] = weather_category(frame[f"{lead}_weathercode"])
    return frame


def read_weather(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The bundled weather file, indexed by night (a naive date named "night").

    Which night a row describes: a row's `date` is a calendar day. Its daily values cover
    that day, and its `night_*` values are the mean of 11 hourly values, 00:00-06:00 and
    20:00-23:00 of that same day, not the evening of `date` plus the morning after. The
    data show it: 11 x the night precipitation never exceeds the day's total, and no row
    has night precipitation on a dry day, although on 85 dry days in Kyiv the next day
    had rain (if the night ran into the next morning, some of that rain would show).

    Night D runs from D-1 18:00 to D 18:00, so the row for `date` = D puts 7 of its 11
    night hours (00:00-06:00) and 18 of its 24 daily hours in night D, against 4 and 6 in
    night D+1. Rows are therefore indexed by night D = `date`. `fetch_open_meteo` builds
    night D from the true night, 20:00 of D-1 to 06:00 of D.
    """
    path = path or input_dir("weather") / "weather_by_date.csv"
    raw = pd.read_csv(path)
    dates = pd.to_datetime(raw.pop("date"), format="%Y-%m-%d")
    night = pd.DatetimeIndex(dates, name="night").as_unit("ns")
    frame = raw.set_axis(night).sort_index()
    if frame.index.duplicated().any():
        raise InputError(f"{path}: a date appears twice")
    frame["weather_category"] = pd.Categorical(
        frame["weather_category"], categories=_categories(frame["weather_category"])
    )
    return frame


def _categories(values: pd.Series) -> list[str]:
    extra = sorted(set(values.dropna()) - set(CATEGORIES))
    return [*CATEGORIES, *extra]


def _city_hours(payload: dict) -> pd.DataFrame:
    """Hourly values of one Open-Meteo answer, indexed by Kyiv local time."""
    hourly = payload["hourly"]
    times = pd.to_datetime(hourly["time"]).tz_localize(payload.get("timezone") or "UTC")
    frame = pd.DataFrame(
        {k: pd.to_numeric(pd.Series(hourly.get(k)), errors="coerce") for k in HOURLY}
    ).astype("float64")
    return frame.set_axis(times.tz_convert(TIMEZONE))


def _city_summary(hours: pd.DataFrame, city: str) -> pd.DataFrame:
    wall = hours.index.tz_localize(None)
    day = wall.normalize()
    first, last = NIGHT_HOURS
    in_night = (wall.hour >= first) | (wall.hour <= last)
    # Evening hours belong to the night that ends the next morning.
    night = day + pd.to_timedelta((wall.hour >= first).astype(int), unit="D")
    daily = hours.groupby(day).agg(
        precipitation_sum=("precipitation", lambda s: s.sum(min_count=1)),
        cloudcover_mean=("cloud_cover", "mean"),
        visibility_mean=("visibility", "mean"),
        windspeed_10m_max=("wind_speed_10m", "max"),
        weathercode=("weather_code", "max"),
    )
    nightly = (
        hours[in_night]
        .groupby(night[in_night])
        .agg(
            night_cloudcover=("cloud_cover", "mean"),
            night_visibility=("visibility", "mean"),
            night_precipitation=("precipitation", "mean"),
        )
    )
    return daily.join(nightly, how="outer").add_prefix(f"{city}_")


def _get(client: httpx.Client, url: str, city: str, where, start, end) -> dict:
    params = {
        "latitude": where[0],
        "longitude": where[1],
        # The day before, for the evening hours of the first night.
        "start_date": (start - pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
        "end_date": end.strftime("%Y-%m-%d"),
        "hourly": ",".join(HOURLY),
        # UTC in, converted here: local time strings are ambiguous in the autumn hour.
        "timezone": "GMT",
    }
    response = client.get(url, params=params)
    if response.status_code != 200:
        raise FetchError(f"Open-Meteo {response.status_code} for {city}: {response.text[:200]}")
    return response.json()


def fetch_open_meteo(
    start,
    end,
    cities: Sequence[str] | Mapping[str, tuple[float, float]] = tuple(CITIES),
    client: httpx.Client | None = None,
    *,
    url: str = ARCHIVE_URL,
    timeout: float = 30.0,
) -> pd.DataFrame:
    """Fresh weather for nights start..end (inclusive) from the Open-Meteo archive API.

    Same columns and index as `read_weather`. Daily values cover the calendar day D
    (Kyiv time); night values the true night of D, 20:00 of D-1 to 06:00 of D local.
    `cities` are names from CITIES or a mapping name -> (latitude, longitude).
    """
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    places = dict(cities) if isinstance(cities, Mapping) else {c: CITIES[c] for c in cities}
    own = client is None
    client = client or httpx.Client(timeout=timeout)
    try:
        parts = [
            _city_summary(_city_hours(_get(client, url, city, where, start, end)), city)
            for city, where in places.items()
        ]
    finally:
        if own:
            client.close()
    nights = pd.date_range(start, end, freq="D", name="night", unit="ns")
    frame = pd.concat(parts, axis=1).reindex(nights)
    columns = [f"{city}_{field}" for city in places for field in CITY_FIELDS]
    return _with_averages(frame[columns].copy(), list(places))


FORECAST_URL = "https://historical-forecast-api.open-meteo.com/v1/forecast"


def fetch_weather_forecast(
    start,
    end,
    cities: Sequence[str] | Mapping[str, tuple[float, float]] = tuple(CITIES),
    client: httpx.Client | None = None,
    *,
    url: str = FORECAST_URL,
    timeout: float = 30.0,
) -> pd.DataFrame:
    """The weather forecast for nights start..end from Open-Meteo's historical forecast API.

    That API serves the archived forecasts of the weather models (each hour from the run
    nearest before it) and, for the coming days, the current forecast; it takes the same
    query and answers in the same shape as the archive, so the columns and the index are
    those of `fetch_open_meteo`, and of `read_weather`. A forecast, unlike the observed
    weather, is known before the night it describes (see docs/forecast.md for how far
    ahead the archived one was issued).
    """
    return fetch_open_meteo(start, end, cities, client, url=url, timeout=timeout)
