"""Fetching fresh data, tested without a network: a mock transport and fake clients."""

import sys
import types

import httpx
import pandas as pd
import pytest
from typer.testing import CliRunner

from strikescope.alerts import load_alerts
from strikescope.cli import app
from strikescope.sources import fetch
from tests.conftest import ATTACKS

SIREN = "region,started_at,finished_at,naive\nKyiv City,2024-01-01 20:00:00+00:00,"\
        "2024-01-01 21:00:00+00:00,False\n"
OFFICIAL = "oblast,raion,hromada,level,started_at,finished_at,source\nKyivska oblast,,,"\
           "oblast,2024-01-01 20:00:00+00:00,2024-01-01 20:30:00+00:00,official\n"


def mock_client(routes: dict[str, tuple[int, str]]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        status, body = routes.get(str(request.url), (404, "not found"))
        return httpx.Response(status, text=body)
    return httpx.Client(transport=httpx.MockTransport(handler))


def test_alerts_are_written_where_the_readers_find_them(tmp_path):
    client = mock_client({fetch.ALERTS_BASE + "volunteer_data_en.csv": (200, SIREN),
                          fetch.ALERTS_BASE + "official_data_en.csv": (200, OFFICIAL)})
    paths = fetch.fetch_alerts(tmp_path, client)
    assert [p.name for p in paths] == ["official_data_en.csv", "volunteer_data_en.csv"]
    alerts = load_alerts([tmp_path / "alerts" / "volunteer_data_en.csv"])
    assert len(alerts) >= 1


def test_a_failed_download_keeps_the_old_copy(tmp_path):
    old = tmp_path / "alerts" / "official_data_en.csv"
    old.parent.mkdir(parents=True)
    old.write_text("old")
    with pytest.raises(fetch.FetchError, match="official_data_en.csv"):
        fetch.fetch_alerts(tmp_path, mock_client({}))
    assert old.read_text() == "old" and not list(old.parent.glob("*.part"))


def test_attacks_without_kagglehub_say_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "kagglehub", None)
    with pytest.raises(fetch.FetchError, match="pip install kagglehub"):
        fetch.fetch_attacks(tmp_path)


def test_attacks_through_kagglehub_then_ingest(tmp_path, monkeypatch):
    download = tmp_path / "kaggle"
    download.mkdir()
    (download / "missile_attacks_daily.csv").write_bytes(ATTACKS.read_bytes())
    fake = types.SimpleNamespace(dataset_download=lambda name: str(download))
    monkeypatch.setitem(sys.modules, "kagglehub", fake)
    out = CliRunner().invoke(app, ["fetch", "attacks", "--dir", str(tmp_path / "data"),
                                   "--ingest", "--db", str(tmp_path / "s.duckdb")])
    assert out.exit_code == 0, out.output
    assert "read 3,246 = loaded 3,243 + quarantined 3" in out.output


def test_weather_is_written_in_the_bundled_columns(tmp_path, monkeypatch):
    from strikescope import weather

    nights = pd.DatetimeIndex(["2025-07-03", "2025-07-04"], name="night")
    frame = pd.DataFrame({"avg_night_cloudcover": [10.0, 90.0],
                          "weather_category": ["Clear", "Overcast"]}, index=nights)
    monkeypatch.setattr(weather, "fetch_open_meteo", lambda start, end, client=None: frame)
    path = fetch.fetch_weather("2025-07-03", "2025-07-04", tmp_path)
    back = pd.read_csv(path)
    assert back.date.tolist() == ["2025-07-03", "2025-07-04"]
    assert back.avg_night_cloudcover.tolist() == [10.0, 90.0]


def test_unknown_source_is_refused(tmp_path):
    out = CliRunner().invoke(app, ["fetch", "rumours", "--dir", str(tmp_path)])
    assert out.exit_code == 1 and "unknown source" in out.output
