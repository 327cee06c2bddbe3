"""`strikescope update` against hostile servers on a loopback port: a mirror that would read
the credentials, a zip bomb, a drip-feeding server, a killed update, an unreadable CSV."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from strikescope.cli import app
from strikescope.refresh import update
from strikescope.sources import archives, fetch, remote
from strikescope.sources.fetch import FetchError
from tests.test_update import ROW, release_zip, server, snapshot, urls  # noqa: F401

DEFAULT_ORIGINS = remote.KAGGLE_ORIGINS
ROOT = Path(__file__).resolve().parents[1]


def test_a_mirror_is_asked_without_the_credentials(server, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setattr(remote, "KAGGLE_ORIGINS", DEFAULT_ORIGINS)
    update(["attacks"], data_dir=tmp_path / "data", db=tmp_path / "s.duckdb",
           urls=urls(server))
    assert dict(server.requests)["/kaggle.zip"] is None  # no Authorization header


def test_credentials_go_to_kaggle_over_https_only(monkeypatch):
    monkeypatch.setenv("KAGGLE_USERNAME", "analyst")
    monkeypatch.setenv("KAGGLE_KEY", "secret")
    auth, _ = remote.credentials_for(remote.KaggleAttacks.default_url)
    assert auth is not None
    with pytest.raises(FetchError, match="https only"):
        remote.credentials_for("http://www.kaggle.com/api/v1/datasets/download/x")
    assert remote.credentials_for("https://mirror.example.org/x.zip") == (None, {})
    assert remote.credentials_for("https://www.kaggle.com.evil.example/x") == (None, {})
    with pytest.raises(FetchError, match="not a valid URL"):
        remote.credentials_for("http://host:port/x")


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("members,match", [
    ({"missile_attacks_daily.csv": b"0" * 200_000}, "would unpack to 200,000 bytes"),
    ({f"f{i}.txt": b"x" for i in range(12)}, "12 members"),
])
def test_a_zip_bomb_is_refused_before_unpacking(server, tmp_path, monkeypatch,  # noqa: F811
                                                members, match):
    monkeypatch.setattr(archives, "MAX_UNPACKED_BYTES", 100_000)
    monkeypatch.setattr(archives, "MAX_MEMBERS", 10)
    data, db = tmp_path / "data", tmp_path / "s.duckdb"
    update(["attacks"], data_dir=data, db=db, urls=urls(server))
    server.routes["/kaggle.zip"] = (200, _zip(members), {})
    before = snapshot(data, db)
    with pytest.raises(FetchError, match=match):
        update(["attacks"], data_dir=data, db=db, urls=urls(server))
    assert snapshot(data, db) == before
    assert not [p for p in data.iterdir() if p.name.startswith(".")]


class Drip:
    """Serves a body of `size` bytes one byte every `pause` seconds."""

    def __init__(self, size: int = 10_000, pause: float = 0.05):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the name http.server calls
                self.send_response(200)
                self.send_header("Content-Length", str(size))
                self.end_headers()
                try:
                    for _ in range(size):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                        time.sleep(pause)
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/drip.zip"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def drip():
    srv = Drip()
    yield srv
    srv.close()


def test_a_drip_feeding_server_is_given_up_at_the_deadline(server, drip,  # noqa: F811
                                                           tmp_path):
    data, db = tmp_path / "data", tmp_path / "s.duckdb"
    update(["attacks"], data_dir=data, db=db, urls=urls(server))
    before = snapshot(data, db)
    start = time.monotonic()
    with pytest.raises(FetchError, match="deadline"):
        update(["attacks"], data_dir=data, db=db, urls={"attacks": drip.url}, deadline_s=0.5)
    assert time.monotonic() - start < 3.0
    assert snapshot(data, db) == before and not list(data.rglob("*.part"))


def test_leftovers_of_a_killed_update_are_cleaned_by_the_next(server, drip,  # noqa: F811
                                                              tmp_path):
    data, db = tmp_path / "data", tmp_path / "s.duckdb"
    update(["attacks"], data_dir=data, db=db, urls=urls(server))
    code = (f"from strikescope.refresh import update; update(['attacks'], data_dir={str(data)!r}"
            f", db={str(db)!r}, urls={{'attacks': {drip.url!r}}})")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "KAGGLE_USERNAME": "a",
           "KAGGLE_KEY": "b"}
    proc = subprocess.Popen([sys.executable, "-c", code], env=env)
    try:
        deadline = time.monotonic() + 30
        while not list(data.rglob("*.part")) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert list(data.rglob("*.part")), "the download never started"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert [p.name for p in data.iterdir() if p.name.startswith(".update-")]
    before = snapshot(data / "attacks")
    result = update(["attacks"], data_dir=data, db=db, urls=urls(server))
    assert not [p for p in data.iterdir() if p.name.startswith(".")]
    assert not list(data.rglob("*.part"))
    # the killed update changed nothing: the same release again is already ingested
    assert snapshot(data / "attacks") == before
    assert [r.status for r in result.ingested] == ["already ingested"]


def test_a_csv_field_over_the_reader_limit_is_one_clear_line(server, tmp_path):  # noqa: F811
    huge = ("region,started_at,finished_at,naive\n"
            f"\"{'K' * 200_000}\",2026-01-02 20:00:00+00:00,2026-01-02 21:00:00+00:00,False\n")
    server.routes["/sirens/volunteer_data_en.csv"] = (200, huge.encode(), {})
    data = tmp_path / "data"
    out = CliRunner().invoke(app, ["update", "alerts", "--dir", str(data), "--db",
                                   str(tmp_path / "s.duckdb"),
                                   f"--url=alerts={server.url}/sirens/"])
    assert out.exit_code == 1 and "Traceback" not in out.output
    assert "line 2: not readable as CSV (field larger than field limit" in \
        " ".join(out.output.split())
    assert not (data / "alerts").exists()


KILLED_AT = """
import sys, time
import strikescope.refresh as u
flag, step = sys.argv[1], sys.argv[2]

def stall(*args, **kwargs):
    open(flag, "w").close()
    time.sleep(120)

if step == "_finish":
    u._finish = stall  # the store is written, the old copies not yet removed
else:
    u.api.ingest = stall  # the folders are swapped, the store not yet written
u.update(["attacks"], data_dir=sys.argv[3], db=sys.argv[4], urls={"attacks": sys.argv[5]})
"""


def _kill_update_at(step: str, data: Path, db: Path, url: str, tmp_path: Path) -> None:
    """Run an update in another process, SIGKILL it at `step`: in its ingest before the
    store is written (`ingest`), or once the store is written but the old copies are still
    there (`_finish`)."""
    flag = tmp_path / f"at-{step}"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen([sys.executable, "-c", KILLED_AT, str(flag), step, str(data),
                             str(db), url], env=env)
    try:
        deadline = time.monotonic() + 60
        while not flag.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert flag.exists(), "the update never reached the step"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)


def test_an_update_killed_during_its_ingest_is_rolled_back(server, tmp_path):  # noqa: F811
    data, db = tmp_path / "data", tmp_path / "s.duckdb"
    update(["attacks"], data_dir=data, db=db, urls=urls(server))
    before = snapshot(data, db)
    server.routes["/kaggle.zip"] = (200, release_zip(tmp_path, [{**ROW, "launched": "7"}]), {})
    _kill_update_at("ingest", data, db, urls(server)["attacks"], tmp_path)
    assert snapshot(data / "attacks") != snapshot(*[p for p in data.iterdir()
                                                    if p.name.startswith(".attacks")])
    from strikescope.refresh import recover

    assert recover(data) == "an interrupted update was rolled back"
    assert snapshot(data, db) == before  # byte-identical: the old release, the old store
    fetch.clean_leftovers(data)  # as the next update does first: the killed one's stage
    assert not [p for p in data.iterdir() if p.name.startswith(".")]


def test_an_update_killed_after_its_store_write_is_completed(server, tmp_path):  # noqa: F811
    import strikescope

    data, db = tmp_path / "data", tmp_path / "s.duckdb"
    update(["attacks"], data_dir=data, db=db, urls=urls(server))
    server.routes["/kaggle.zip"] = (200, release_zip(tmp_path, [{**ROW, "launched": "7"}]), {})
    _kill_update_at("_finish", data, db, urls(server)["attacks"], tmp_path)
    after = snapshot(data / "attacks", db)
    # the next update completes it first: the new release and store stay, the old copy goes
    result = update(["alerts"], data_dir=data, db=db, urls=urls(server))
    assert result.notes == ["an interrupted update was completed"]
    assert snapshot(data / "attacks", db) == after
    assert not [p for p in data.iterdir() if p.name.startswith(".")]
    assert strikescope.nights(db=db).drones_launched.tolist() == [7]


def test_a_second_update_of_the_same_folder_is_refused(server, tmp_path, monkeypatch):  # noqa: F811
    from filelock import FileLock

    import strikescope.refresh as updating

    monkeypatch.setattr(updating, "UPDATE_LOCK_WAIT_S", 0.2)
    data = tmp_path / "data"
    with (FileLock(str(tmp_path / ".data.update.lock")),
          pytest.raises(FetchError, match="another update of this data directory")):
        update(["alerts"], data_dir=data, db=tmp_path / "s.duckdb", urls=urls(server))
    assert not data.exists()
