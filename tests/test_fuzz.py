"""Fuzzing the ingest with mutated slices of the real releases (see tests/fuzzing.py).

Every mutated file either loads with `read = loaded + quarantined` and `read` equal to its
number of CSV records, or is rejected whole with a message naming the file and the store
unchanged. STRIKESCOPE_FUZZ_EXAMPLES sets the number of examples (benchmarks/fuzz.py runs
thousands).
"""

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from strikescope.sources.attacks import UnreadableFileError, parse_file, read_header
from strikescope.store import Store
from tests.fuzzing import REBUILD, mutated_files, run_case

EXAMPLES = int(os.environ.get("STRIKESCOPE_FUZZ_EXAMPLES", "250"))


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory):
    # One store for all examples: a fresh one per example would double the time, and a
    # rejected file is checked against a fingerprint of the store instead.
    tmp = tmp_path_factory.mktemp("fuzz")
    with Store(tmp / "fuzz.duckdb") as store:
        yield store, tmp


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=mutated_files(), rebuild=REBUILD)
def test_mutated_release_loads_or_is_rejected_whole(fuzz_store, case, rebuild):
    store, tmp = fuzz_store
    run_case(store, tmp, case, rebuild)


# -- regressions found by the fuzzer: each a small hand-built file ---------------------------

HEADER = "time_start,time_end,model,launched,destroyed,target,source\n"
ROW = "2025-07-03 18:00,2025-07-04 06:00,Shahed-136/131,10,7,Kyiv,kpszsu/posts/a\n"
ROW2 = "2025-07-04 18:00,2025-07-05 06:00,Iskander-M,2,1,Odesa,kpszsu/posts/b\n"


def _write(tmp_path, data: bytes | str, name: str = "release.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_cp1251_body_is_rejected_naming_the_line(tmp_path):
    # Was loaded with every Cyrillic letter turned into U+FFFD.
    data = (HEADER + ROW + "2025-07-04 18:00,2025-07-05 06:00,Молнія,3,1,Київ,x\n").encode("cp1251")
    with pytest.raises(UnreadableFileError, match=r"release\.csv: not UTF-8 .*line 3.*cp1251"):
        parse_file(_write(tmp_path, data))


def test_cp1251_header_is_rejected_naming_the_file(tmp_path):
    # Was a bare UnicodeDecodeError from the header reader.
    path = _write(tmp_path, (HEADER.replace("target", "ціль") + ROW).encode("cp1251"))
    with pytest.raises(UnreadableFileError, match=r"release\.csv: not UTF-8 .*line 1"):
        read_header(path)


def test_cp1251_file_says_so_before_any_header_problem(tmp_path):
    # The bad bytes lie far past the header, which also lacks `launched`: the encoding is
    # the problem to name first.
    body = ROW.replace(",10,7,", ",") * 500 + "2025-07-04 18:00,2025-07-05 06:00,Молнія,x,y\n"
    data = ("time_start,time_end,model,target,source\n" + body).encode("cp1251")
    with pytest.raises(UnreadableFileError, match=r"not UTF-8 .*line 502"):
        parse_file(_write(tmp_path, data))


def test_rejected_first_release_leaves_no_parsed_rows_in_the_store(tmp_path):
    from strikescope.store import Store

    body = ROW * 500 + "2025-07-04 18:00,2025-07-05 06:00,Молнія,3,1,Київ,x\n"
    path = _write(tmp_path, (HEADER + body).encode("cp1251"))
    with Store(tmp_path / "s.duckdb") as store:
        with pytest.raises(UnreadableFileError, match="line 502"):
            store.ingest_file(path)
        assert not store.has_table("raw_parsed") and not store.has_table("report_rows")


def test_last_line_cut_inside_a_character_is_rejected(tmp_path):
    data = (HEADER + ROW + "2025-07-04 18:00,2025-07-05 06:00,Молнія").encode()[:-1]
    with pytest.raises(UnreadableFileError, match="not UTF-8"):
        parse_file(_write(tmp_path, data))


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf"])
def test_empty_file_is_rejected(tmp_path, data):
    # Was "required column 'time_start' is missing (columns found: )", or skipped by ingest
    # as not an attack release.
    with pytest.raises(UnreadableFileError, match=r"release\.csv: empty file"):
        parse_file(_write(tmp_path, data))


def test_blank_first_line_is_rejected(tmp_path):
    with pytest.raises(UnreadableFileError, match="line 1 is blank"):
        parse_file(_write(tmp_path, "\n" + HEADER + ROW))


@pytest.mark.parametrize("header", ["\r\n", "", "\n\n"])
def test_header_only_reads_nothing(tmp_path, header):
    r = parse_file(_write(tmp_path, HEADER.rstrip("\n") + header))
    assert (r.read, len(r.loaded), r.n_quarantined) == (0, 0, 0)


def test_empty_column_name_is_kept_in_extra(tmp_path):
    # Was a DuckDB parser error: the empty name became a zero-length identifier.
    r = parse_file(_write(tmp_path, HEADER.rstrip("\n") + ",\n" + ROW.rstrip("\n") + ",x\n"))
    assert r.read == len(r.loaded) == 1
    assert json.loads(r.loaded.extra[0]) == {"": "x"}


def test_unknown_names_differing_in_case_are_two_columns(tmp_path):
    r = parse_file(_write(tmp_path, HEADER.rstrip("\n") + ",Note,note\n"
                          + ROW.rstrip("\n") + ",a,b\n"))
    assert json.loads(r.loaded.extra[0]) == {"Note": "a", "note": "b"}


@pytest.mark.parametrize("renamed", ["model", "Model", "weapon"])
def test_two_columns_for_one_field_are_rejected(tmp_path, renamed):
    # Was loaded with the second column's cells replaced by the first's.
    path = _write(tmp_path, HEADER.replace("target", renamed) + ROW)
    with pytest.raises(UnreadableFileError, match=r"release\.csv: columns 3 \('model'\) and 6"):
        parse_file(path)


def test_release_without_border_columns_then_with_them(tmp_path):
    # The first release gave `reports.border_crossing_text` the type NULL; the next ingest
    # failed with "Unimplemented type for cast (VARCHAR -> NULL)".
    first = _write(tmp_path, HEADER + ROW, "a.csv")
    second = _write(tmp_path, HEADER.rstrip("\n") + ",border_crossing\n"
                    + ROW2.rstrip("\n") + ",\"{'belarus': 2}\"\n", "b.csv")
    with Store(tmp_path / "s.duckdb") as store:
        reports = store.ingest([first]) + store.ingest([second])
    assert [(r.read, r.loaded) for r in reports] == [(1, 1), (1, 1)]


def test_stray_quote_does_not_merge_records(tmp_path):
    # DuckDB's lenient mode took the second quote of `"Kyiv" x"` as opening a field that ran
    # on to the quote before `Odesa`: four records became two, with no reject.
    rows = [ROW.replace(",Kyiv,", ',"Kyiv" x",'), ROW,
            ROW2.replace(",Odesa,", ',"Odesa, city",'), ROW]
    r = parse_file(_write(tmp_path, HEADER + "".join(rows)))
    assert r.read == 4 == len(r.loaded) + r.n_quarantined


@pytest.mark.parametrize("body", ["\n\n", ROW + ROW2, ROW + "\r\n" + ROW2])
def test_mixed_line_ends(tmp_path, body):
    # DuckDB's strict mode raised "state machine reached an invalid state" on a CRLF header
    # over LF lines.
    r = parse_file(_write(tmp_path, HEADER.replace("\n", "\r\n") + body))
    assert r.read == len(r.loaded) == body.count("kpszsu")


def test_unclosed_quote_is_one_malformed_record_naming_its_lines(tmp_path):
    r = parse_file(_write(tmp_path, HEADER + ROW + ROW2.replace("Odesa", '"Odesa') + ROW))
    assert (r.read, len(r.loaded), r.n_quarantined) == (2, 1, 1)
    assert "lines 3-4, a quote left open?" in r.quarantine.reason[0]


def test_blank_lines_are_not_records_in_either_reader(tmp_path):
    # The exact reader (used once any line is malformed) quarantined blank lines.
    r = parse_file(_write(tmp_path, HEADER + ROW + "\n\n" + ROW2 + "a,b\n\n"))
    assert (r.read, len(r.loaded)) == (3, 2)
    assert list(r.quarantine.rec) == [3]


def test_trailing_commas_are_read_alike_by_both_readers(tmp_path):
    # DuckDB drops empty cells past the last column; the exact reader (used here because of
    # the last line) quarantined the record.
    r = parse_file(_write(tmp_path, HEADER + ROW.replace("\n", ",,\n") + ROW2 + "a,b\n"))
    assert (r.read, len(r.loaded), list(r.quarantine.rec)) == (3, 2, [3])


def test_quoted_field_over_the_csv_limit_is_rejected(tmp_path):
    # Was a bare csv.Error from the exact reader.
    long = ROW2 * (200_000 // len(ROW2))
    with pytest.raises(UnreadableFileError, match=r"release\.csv: line 3: .*field limit"):
        parse_file(_write(tmp_path, HEADER + ROW + '"' + long))


@pytest.mark.parametrize("value", ["infinity", "-infinity", " Infinity"])
def test_infinite_time_is_quarantined(tmp_path, value):
    # strptime reads "infinity"; the window arithmetic then raised "Cannot subtract
    # infinite timestamps".
    r = parse_file(_write(tmp_path, HEADER + ROW.replace("2025-07-03 18:00", value, 1) + ROW2))
    assert (r.read, len(r.loaded)) == (2, 1)
    assert set(r.quarantine.field) == {"time_start"}


def test_cli_rejected_file_is_one_line_and_exit_1(tmp_path):
    from typer.testing import CliRunner

    from strikescope.cli import app

    path = _write(tmp_path, (HEADER + ROW).replace("target", "model"))
    out = CliRunner().invoke(app, ["ingest", str(path), "--db", str(tmp_path / "s.duckdb")])
    assert out.exit_code == 1
    assert "Traceback" not in out.output
    [line] = [x for x in out.output.splitlines() if "error:" in x]
    assert "release.csv: columns 3 ('model') and 6 ('model')" in line
