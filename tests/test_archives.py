"""Compressed inputs: a zip archive or a gzip file given to `ingest` is read through its CSV
members, which reports and citations name by the archive."""

import gzip
import zipfile

import pytest

import strikescope
from strikescope.errors import UnreadableFileError
from strikescope.sources.archives import archive_kind
from tests.conftest import write_release

ROW = {"time_start": "2025-07-03 18:00", "time_end": "2025-07-04 06:00",
       "model": "Shahed-136/131", "launched": "10", "destroyed": "7", "source": "kpszsu/p/1"}
BAD = {**ROW, "launched": "-1", "source": "kpszsu/p/2"}


def _zip(path, members: dict):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_archive_kind_is_read_from_the_first_bytes(tmp_path):
    csv = write_release(tmp_path / "r.zip", [ROW])  # a CSV named .zip is a CSV
    zipped = _zip(tmp_path / "r.csv", {"r.csv": csv.read_bytes()})
    gz = tmp_path / "r.bin"
    gz.write_bytes(gzip.compress(csv.read_bytes()))
    assert [archive_kind(p) for p in (csv, zipped, gz)] == [None, "zip", "gzip"]


def test_a_zip_is_ingested_through_its_members(tmp_path):
    plain = write_release(tmp_path / "attacks.csv", [ROW, BAD])
    archive = _zip(tmp_path / "dataset.zip", {"data/attacks.csv": plain.read_bytes(),
                                              "notes.txt": b"not a csv"})
    db = tmp_path / "s.duckdb"
    [report] = strikescope.ingest([archive], db=db)
    assert (report.file, report.loaded, report.quarantined) == (
        str(archive / "data/attacks.csv"), 1, 1)
    assert strikescope.nights(db=db).drones_launched.sum() == 10
    assert strikescope.quarantine(db=db).file.tolist() == [str(archive / "data/attacks.csv")]
    # the same content as a plain file is the same release
    assert strikescope.ingest([plain], db=db)[0].status == "already ingested"


def test_a_gzip_file_is_ingested_under_its_own_name(tmp_path):
    plain = write_release(tmp_path / "attacks.csv", [ROW])
    gz = tmp_path / "attacks.csv.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    db = tmp_path / "s.duckdb"
    [report] = strikescope.ingest([gz], db=db)
    assert (report.file, report.loaded) == (str(gz), 1)
    assert strikescope.table("reports", db=db).file.tolist() == [str(gz)]


def test_a_member_that_is_not_utf8_is_named_by_the_archive(tmp_path):
    text = write_release(tmp_path / "a.csv", [ROW]).read_text().replace("kpszsu", "kpszsü")
    archive = _zip(tmp_path / "d.zip", {"a.csv": text.encode("cp1252")})
    with pytest.raises(UnreadableFileError, match=r"d\.zip/a\.csv: not UTF-8 text") as exc:
        strikescope.ingest([archive], db=tmp_path / "s.duckdb")
    assert "strikescope-unpacked" not in str(exc.value)


@pytest.mark.parametrize("name, data, said", [
    ("cut.zip", b"PK\x03\x04" + b"\0" * 40, "not a readable zip archive"),
    ("cut.csv.gz", gzip.compress(b"time_start,time_end\n" * 50)[:30], "not a readable gzip"),
])
def test_a_broken_archive_is_a_clear_error(tmp_path, name, data, said):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(UnreadableFileError, match=f"{name}: {said}"):
        strikescope.ingest([path], db=tmp_path / "s.duckdb")
