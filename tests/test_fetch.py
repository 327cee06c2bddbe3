"""Download checks, tested without a network (a mock transport)."""

import io
import zipfile

import httpx
import pytest
from typer.testing import CliRunner

from strikescope.analysis.alerts import load_alerts
from strikescope.cli import app
from strikescope.sources import fetch

SIREN = "region,started_at,finished_at,naive\nKyiv City,2024-01-01 20:00:00+00:00,"\
        "2024-01-01 21:00:00+00:00,False\n"


def mock_client(routes: dict[str, tuple[int, bytes]]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        status, body = routes.get(str(request.url), (404, b"not found"))
        return httpx.Response(status, stream=httpx.ByteStream(body),
                              headers={"Content-Length": str(len(body))})
    return httpx.Client(transport=httpx.MockTransport(handler))


def test_a_downloaded_siren_file_is_read_by_the_alert_reader(tmp_path):
    client = mock_client({"http://x/v.csv": (200, SIREN.encode())})
    path = fetch.download("http://x/v.csv", tmp_path / "alerts" / "v.csv", client)
    assert fetch.check_csv(path, ("started_at", "finished_at")) == 1
    assert load_alerts([path]).n_read == 1


def test_a_failed_download_keeps_the_old_copy(tmp_path):
    old = tmp_path / "official_data_en.csv"
    old.write_text("old")
    with pytest.raises(fetch.FetchError, match=r"http://x/official_data_en.csv: HTTP 404 "
                                               r"\(wrong URL"):
        fetch.download("http://x/official_data_en.csv", old, mock_client({}))
    assert old.read_text() == "old" and not list(tmp_path.glob("*.part"))


def test_csv_checks_name_the_problem(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("region,started_at\nKyiv,2024-01-01\n")
    with pytest.raises(fetch.FetchError, match="column\\(s\\) finished_at missing"):
        fetch.check_csv(path, ("started_at", "finished_at"))
    path.write_text("started_at,finished_at\n1,2\n3,4")
    with pytest.raises(fetch.FetchError, match="last line is cut off"):
        fetch.check_csv(path, ("started_at",))
    path.write_text("started_at,finished_at\n1,2\n3,4\n")
    assert fetch.check_csv(path, ("started_at",), previous_rows=2) == 2
    with pytest.raises(fetch.FetchError, match="2 rows where the copy in use has 3"):
        fetch.check_csv(path, ("started_at",), previous_rows=3)


def test_zip_members_stay_inside_the_target_folder(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../evil.csv", "a,b\n")
        zf.writestr("versions/old.csv", "a,b\n")
        zf.writestr("readme.txt", "not a csv")
    archive = tmp_path / "a.zip"
    archive.write_bytes(buf.getvalue())
    files = fetch.extract_csvs(archive, tmp_path / "out")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in files) == [
        "evil.csv", "versions/old.csv"]


def test_unknown_source_is_refused(tmp_path):
    out = CliRunner().invoke(app, ["fetch", "rumours", "--dir", str(tmp_path)])
    assert out.exit_code == 1 and "unknown source" in out.output
