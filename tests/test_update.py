"""`strikescope update` against a local HTTP server on a loopback port: fresh files are
checked, installed and ingested; no network, no credentials, a corrupt or truncated
download change nothing."""

from __future__ import annotations

import base64
import io
import json
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from typer.testing import CliRunner

import strikescope
from strikescope.cli import app
from strikescope.refresh import update
from strikescope.sources import remote
from strikescope.sources.fetch import FetchError
from strikescope.store import file_sha256

from .conftest import SHARED, write_release
from .local import free_port

ROW = {"time_start": "2026-01-02 18:00", "time_end": "2026-01-03 06:00",
       "model": "Shahed-136/131", "launched": "100", "destroyed": "90",
       "source": "https://t.me/kpszsu/9001"}
SIREN = ("region,started_at,finished_at,naive\n"
         "Kyiv City,2026-01-02 20:00:00+00:00,2026-01-02 21:00:00+00:00,False\n")
OFFICIAL = ("oblast,raion,hromada,level,started_at,finished_at,source\n"
            "Kyivska oblast,,,oblast,2026-01-02 20:00:00+00:00,2026-01-02 20:30:00+00:00,"
            "official\n")


def release_zip(tmp_path: Path, rows: list[dict]) -> bytes:
    csv_path = write_release(tmp_path / "release.csv", rows)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("missile_attacks_daily.csv", csv_path.read_text())
    return buf.getvalue()


def open_meteo(query: dict) -> bytes:
    """An archive answer: constant hourly values over the dates asked, in GMT."""
    start, end = query["start_date"][0], query["end_date"][0]
    hours = pd.date_range(start, pd.Timestamp(end) + pd.Timedelta(hours=23), freq="h")
    n = len(hours)
    hourly = {"time": [f"{t:%Y-%m-%dT%H:%M}" for t in hours], "cloud_cover": [50.0] * n,
              "visibility": [20000.0] * n, "precipitation": [0.0] * n,
              "wind_speed_10m": [10.0] * n, "weather_code": [3] * n}
    return json.dumps({"timezone": "GMT", "hourly": hourly}).encode()


class Server:
    """Routes: path -> (status, body, extra headers) or a callable(query) -> body."""

    def __init__(self):
        self.routes: dict = {}
        self.requests: list[tuple[str, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the name http.server calls
                url = urlparse(self.path)
                server.requests.append((url.path, self.headers.get("Authorization")))
                route = server.routes.get(url.path, (404, b"not found", {}))
                if callable(route):
                    route = (200, route(parse_qs(url.query)), {})
                status, body, headers = route
                self.send_response(status)
                self.send_header("Content-Length", headers.get("Content-Length",
                                                               str(len(body))))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(tmp_path, monkeypatch):
    srv = Server()
    srv.routes.update({
        "/kaggle.zip": (200, release_zip(tmp_path, [ROW]), {}),
        "/sirens/official_data_en.csv": (200, OFFICIAL.encode(), {}),
        "/sirens/volunteer_data_en.csv": (200, SIREN.encode(), {}),
        "/v1/archive": open_meteo,
    })
    monkeypatch.setenv("KAGGLE_USERNAME", "analyst")
    monkeypatch.setenv("KAGGLE_KEY", "secret")
    # The loopback server stands for Kaggle here: the credentials may go to it.
    monkeypatch.setattr(remote, "KAGGLE_ORIGINS", {("http", "127.0.0.1")})
    monkeypatch.setenv("STRIKESCOPE_CONFIG", str(tmp_path / "none.toml"))
    # The copies in use before the first update: the shared weather series only.
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "weather").symlink_to(SHARED / "weather")
    monkeypatch.setenv("STRIKESCOPE_DATA", str(shared))
    yield srv
    srv.close()


def urls(srv: Server) -> dict[str, str]:
    return {"attacks": srv.url + "/kaggle.zip", "alerts": srv.url + "/sirens/",
            "weather": srv.url + "/v1/archive"}


def snapshot(*paths: Path) -> dict:
    """Every file under the paths with its content hash: 'unchanged' means equal."""
    out = {}
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for f in files:
            out[str(f)] = file_sha256(f)
    return out


def test_update_fetches_checks_installs_and_ingests(server, tmp_path):
    data, db = tmp_path / "data", tmp_path / "s.duckdb"
    result = update(data_dir=data, db=db, until="2026-01-03", urls=urls(server))
    assert (data / "attacks" / "missile_attacks_daily.csv").is_file()
    assert [r.added for r in result.ingested if r.kind == "attacks"] == [1]
    night = strikescope.nights("2026-01-03", "2026-01-03", db=db)
    assert int(night.drones_launched.iloc[0]) == 100
    weather = pd.read_csv(data / "weather" / "weather_by_date.csv")
    # the shared series ends on 2025-12-31; three nights were added after it
    assert weather.date.iloc[-4:].tolist() == ["2025-12-31", "2026-01-01", "2026-01-02",
                                               "2026-01-03"]
    assert weather.date.is_unique
    assert (data / "alerts" / "volunteer_data_en.csv").read_text() == SIREN
    auth = dict(server.requests)["/kaggle.zip"]
    assert auth == "Basic " + base64.b64encode(b"analyst:secret").decode()
    assert not [p for p in data.iterdir() if p.name.startswith(".")]


def test_a_newer_release_prints_the_diff_from_the_cli(server, tmp_path):
    data, db = tmp_path / "data", tmp_path / "s.duckdb"
    update(["attacks"], data_dir=data, db=db, urls=urls(server))
    newer = [{**ROW, "launched": "120"},
             {**ROW, "model": "Kh-101", "launched": "5", "destroyed": "4"}]
    server.routes["/kaggle.zip"] = (200, release_zip(tmp_path, newer), {})
    out = CliRunner().invoke(app, ["update", "attacks", "--dir", str(data), "--db", str(db),
                                   "--url", f"attacks={server.url}/kaggle.zip"])
    assert out.exit_code == 0, out.output
    assert "added 1, changed 1, removed 0" in out.output


def _fails_and_changes_nothing(server, tmp_path, sources, match, broken: dict):
    """A good first update, then one from the `broken` routes: it must change nothing."""
    data, db = tmp_path / "data", tmp_path / "s.duckdb"
    update(["attacks", "alerts"], data_dir=data, db=db, urls=urls(server))
    server.routes.update(broken)
    before = snapshot(data, db)
    with pytest.raises(FetchError, match=match):
        update(sources, data_dir=data, db=db, until="2026-01-03", urls=urls(server))
    assert snapshot(data, db) == before
    return data


def test_without_credentials_nothing_is_asked_or_changed(server, tmp_path, monkeypatch):
    data, db = tmp_path / "data", tmp_path / "s.duckdb"
    update(["alerts"], data_dir=data, db=db, urls=urls(server))
    before = snapshot(data)
    for var in ("KAGGLE_USERNAME", "KAGGLE_KEY", "KAGGLE_API_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("KAGGLE_CONFIG_DIR", str(tmp_path / "no-kaggle"))
    server.requests.clear()
    out = CliRunner().invoke(app, ["update", "--dir", str(data), "--db", str(db),
                                   *[f"--url={k}={v}" for k, v in urls(server).items()]])
    assert out.exit_code == 1
    assert "no Kaggle credentials" in out.output and "Nothing was changed" in out.output
    assert not db.exists() and snapshot(data) == before
    assert "/kaggle.zip" not in dict(server.requests)


def test_truncated_download_changes_nothing(server, tmp_path):
    body = release_zip(tmp_path, [{**ROW, "launched": "7"}])
    _fails_and_changes_nothing(server, tmp_path, ["alerts", "attacks"],
                               "not a readable zip", {"/kaggle.zip": (200, body[:-30], {})})


def test_cut_connection_changes_nothing(server, tmp_path):
    data = tmp_path / "data"
    body = release_zip(tmp_path, [ROW])
    update(["alerts"], data_dir=data, db=tmp_path / "s.duckdb", urls=urls(server))
    server.routes["/kaggle.zip"] = (200, body[:100], {"Content-Length": str(len(body))})
    before = snapshot(data)
    with pytest.raises(FetchError, match="could not download|truncated"):
        update(["alerts", "attacks"], data_dir=data, db=tmp_path / "s.duckdb",
               urls=urls(server))
    assert snapshot(data) == before and not (tmp_path / "s.duckdb").exists()
    assert not list(data.rglob("*.part"))


def test_corrupt_zip_changes_nothing(server, tmp_path):
    body = bytearray(release_zip(tmp_path, [{**ROW, "launched": "7"}]))
    body[60] ^= 0xFF  # inside the compressed member: its CRC-32 no longer matches
    _fails_and_changes_nothing(server, tmp_path, ["attacks"], "corrupt|not a readable zip",
                               {"/kaggle.zip": (200, bytes(body), {})})


def test_no_network_changes_nothing(server, tmp_path):
    closed = f"http://127.0.0.1:{free_port()}"
    data, db = tmp_path / "data", tmp_path / "s.duckdb"
    update(["attacks"], data_dir=data, db=db, urls=urls(server))
    before = snapshot(data, db)
    with pytest.raises(FetchError, match="no network"):
        update(["attacks"], data_dir=data, db=db, urls={"attacks": closed + "/kaggle.zip"})
    assert snapshot(data, db) == before


def test_a_much_shorter_release_is_refused(server, tmp_path):
    rows = [{**ROW, "source": f"https://t.me/kpszsu/{i}"} for i in range(30)]
    server.routes["/kaggle.zip"] = (200, release_zip(tmp_path, rows), {})
    _fails_and_changes_nothing(server, tmp_path, ["attacks"],
                               "10 rows where the copy in use has 30",
                               {"/kaggle.zip": (200, release_zip(tmp_path, rows[:10]), {})})


def test_a_cut_off_siren_file_and_a_failing_weather_source_change_nothing(server, tmp_path):
    cut = {"/sirens/volunteer_data_en.csv": (200, SIREN.encode()[:-20], {})}
    _fails_and_changes_nothing(server, tmp_path, ["attacks", "alerts"], "last line is cut off",
                               cut)
    server.routes["/sirens/volunteer_data_en.csv"] = (200, SIREN.encode(), {})
    server.routes["/v1/archive"] = (500, b"down", {})
    data = tmp_path / "data"
    before = snapshot(data)
    with pytest.raises(FetchError, match="weather"):
        update(["alerts", "weather"], data_dir=data, db=tmp_path / "s.duckdb",
               until="2026-01-03", urls=urls(server))
    assert snapshot(data) == before


def test_a_pinned_checksum_must_match(server, tmp_path, monkeypatch):
    conf = tmp_path / "config.toml"
    conf.write_text(f'[sources.attacks]\nurl = "{server.url}/kaggle.zip"\nsha256 = "{"0" * 64}"\n')
    monkeypatch.setenv("STRIKESCOPE_CONFIG", str(conf))
    with pytest.raises(FetchError, match="checksum mismatch"):
        update(["attacks"], data_dir=tmp_path / "data", db=tmp_path / "s.duckdb")
    assert not (tmp_path / "s.duckdb").exists()


def test_urls_come_from_flag_then_environment_then_config(tmp_path, monkeypatch):
    conf = tmp_path / "config.toml"
    conf.write_text('[sources.alerts]\nurl = "http://config/"\n'
                    '[sources.weather]\nurl = "http://config/w"\n')
    monkeypatch.setenv("STRIKESCOPE_CONFIG", str(conf))
    monkeypatch.setenv("STRIKESCOPE_WEATHER_URL", "http://env/w")
    assert remote.make("alerts").url == "http://config/"
    assert remote.make("weather").url == "http://env/w"
    assert remote.make("weather", {"weather": "http://flag/w"}).url == "http://flag/w"
    assert remote.make("attacks").url == remote.KaggleAttacks.default_url
    with pytest.raises(FetchError, match="unknown source 'rumours'"):
        remote.make("rumours")


def test_weather_up_to_date_fetches_nothing(server, tmp_path):
    result = update(["weather"], data_dir=tmp_path / "data", db=tmp_path / "s.duckdb",
                    until="2025-12-31", urls=urls(server))
    assert "up to date" in result.summary()
    assert not (tmp_path / "data" / "weather").exists() and not server.requests
