"""The diplomatic timeline: the packaged file, validation messages, filters and the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from strikescope import events as ev

HEADER = "event_id,date,end_date,type,actors,title,description,source_url,confidence"
URL = "https://example.org/news"

# A small timeline where every filter's answer is known.
SAMPLE = f"""{HEADER}
a-call,2025-01-10,,phone_call,USA;RUS,Call A,,{URL}/a,high
b-call,2025-02-01,,phone_call,USA;UKR,Call B,,{URL}/b,medium
c-summit,2025-02-15,2025-02-16,summit,USA;RUS;UKR,Summit C,,{URL}/c,low
d-sanction,2025-03-01,,ultimatum_or_sanction,EU;RUS,Sanction D,,{URL}/d,high
e-talks,2025-03-01,,negotiation_round,rus;usa;sau,Talks E,,{URL}/e,medium
"""


def write(tmp_path: Path, text: str, name: str = "events.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return write(tmp_path, SAMPLE, "sample.csv")


def sample_events(sample: Path, **filters) -> list[str]:
    df = ev.events(paths=[sample], include_builtin=False, **filters)
    return list(df["event_id"])


def only_error(path: Path) -> tuple[str, int, str, str]:
    with pytest.raises(ev.EventValidationError) as info:
        ev.load_events([path], include_builtin=False)
    assert len(info.value.errors) == 1, info.value.errors
    return info.value.errors[0]


# --- the packaged timeline ---------------------------------------------------------------


def test_packaged_timeline_validates():
    df = ev.load_events()
    assert len(df) > 90
    assert list(df.columns) == list(ev.FRAME_COLUMNS)
    assert df["event_id"].is_unique
    assert df["date"].is_monotonic_increasing
    assert (df["end_date"] >= df["date"]).all()
    assert set(df["type"]) == set(ev.EVENT_TYPES)
    assert df["source_url"].str.match(r"^https?://").all()
    assert set(df["origin"]) == {"diplomatic_events.csv"}


def test_packaged_ids_are_slugs_of_date_type_and_actors():
    df = ev.load_events()
    for r in df.itertuples():
        base = ev.event_slug(r.date.date(), r.type, r.actors)
        assert r.event_id == base or r.event_id.startswith(base + "-")


def test_july_2025_trump_putin_call_is_present():
    df = ev.events(type="phone_call", actors="USA,RUS", start="2025-07-03", end="2025-07-03")
    assert list(df["event_id"]) == ["2025-07-03-phone_call-rus-usa"]
    assert set(df.iloc[0]["actors"]) == {"USA", "RUS"}
    assert df.iloc[0]["date"] == pd.Timestamp("2025-07-03")


@pytest.mark.parametrize(
    "day", ["2025-02-12", "2025-03-18", "2025-05-19", "2025-08-19", "2025-10-16"]
)
def test_other_2025_trump_putin_calls_are_present(day):
    assert day in {d.isoformat() for d in ev.event_dates(type="phone_call", actors="USA,RUS")}


def test_riyadh_talks_are_present():
    df = ev.events(actors=["USA", "RUS", "SAU"], start="2025-02-18", end="2025-02-18")
    assert list(df["type"]) == ["negotiation_round"]


def test_dtypes(sample):
    df = ev.load_events([sample], include_builtin=False)
    assert str(df["date"].dtype) == "datetime64[ns]"
    assert df["date"].dt.tz is None
    assert (df["date"] == df["date"].dt.normalize()).all()
    assert df.loc[df["event_id"] == "a-call", "end_date"].item() == pd.Timestamp("2025-01-10")
    assert df.loc[df["event_id"] == "e-talks", "actors"].item() == ("RUS", "USA", "SAU")


# --- validation messages -----------------------------------------------------------------

GOOD = f"2025-05-01,,phone_call,USA;RUS,A call,,{URL},high"


@pytest.mark.parametrize(
    ("row", "field", "fragment"),
    [
        (f"2025-13-01,,phone_call,USA;RUS,T,,{URL},high", "date", "'2025-13-01' is not a date"),
        (f"20250501,,phone_call,USA;RUS,T,,{URL},high", "date", "is not a date (YYYY-MM-DD)"),
        (f",,phone_call,USA;RUS,T,,{URL},high", "date", "is empty"),
        (f"2025-05-01,05/02/2025,phone_call,USA;RUS,T,,{URL},high", "end_date", "not a date"),
        (f"2025-05-02,2025-05-01,phone_call,USA;RUS,T,,{URL},high", "end_date", "before"),
        (f"2025-05-01,,call,USA;RUS,T,,{URL},high", "type", "valid: phone_call, summit"),
        (f"2025-05-01,,phone_call,USA;RUS,,,{URL},high", "title", "is empty"),
        ("2025-05-01,,phone_call,USA;RUS,T,,ftp://x.org/a,high", "source_url", "http(s)"),
        ("2025-05-01,,phone_call,USA;RUS,T,,www.x.org,high", "source_url", "http(s)"),
        (f"2025-05-01,,phone_call,USA;RUS,T,,{URL},sure", "confidence", "'sure'"),
        (f"2025-05-01,,phone_call,,T,,{URL},high", "actors", "is empty"),
        (f"2025-05-01,,phone_call, ; ,T,,{URL},high", "actors", "is empty"),
    ],
)
def test_each_error_names_file_row_and_field(tmp_path, row, field, fragment):
    header = HEADER.removeprefix("event_id,")
    path = write(tmp_path, f"{header}\n{GOOD}\n{GOOD.replace('A call', 'B')}\n{row}\n")
    file, number, got_field, message = only_error(path)
    assert (file, number, got_field) == ("events.csv", 4, field)
    assert fragment in message
    with pytest.raises(ev.EventValidationError) as info:
        ev.load_events([path], include_builtin=False)
    assert str(info.value).startswith(f"events.csv row 4, field '{field}': ")


def test_message_format_matches_the_documented_example(tmp_path):
    rows = [GOOD] * 3 + [f"2025-13-01,,phone_call,USA;RUS,T,,{URL},high"]
    header = HEADER.removeprefix("event_id,")
    path = write(tmp_path, header + "\n" + "\n".join(rows) + "\n")
    with pytest.raises(ev.EventValidationError) as info:
        ev.load_events([path], include_builtin=False)
    assert str(info.value) == (
        "events.csv row 5, field 'date': '2025-13-01' is not a date (YYYY-MM-DD)"
    )


def test_all_errors_of_a_file_are_reported_together(tmp_path):
    header = HEADER.removeprefix("event_id,")
    bad = "2025-02-30,,meeting,USA,Title,,not-a-url,maybe"
    path = write(tmp_path, f"{header}\n{GOOD}\n{bad}\n,,,,,,,\n{GOOD}\n")
    with pytest.raises(ev.EventValidationError) as info:
        ev.load_events([path], include_builtin=False)
    found = {(row, field) for _, row, field, _ in info.value.errors}
    assert {(3, "date"), (3, "type"), (3, "source_url"), (3, "confidence")} <= found
    assert all(file == "events.csv" for file, *_ in info.value.errors)
    assert len(str(info.value).splitlines()) == len(info.value.errors)


def test_missing_required_column_is_reported_on_the_header_row(tmp_path):
    path = write(tmp_path, "date,type,actors,confidence\n2025-05-01,summit,USA,high\n")
    assert only_error(path)[1:3] == (1, "title")


def test_rows_without_a_source_load_with_a_warning(tmp_path):
    # rows 3 and 4 have no source: the file loads, both named in one warning
    header = HEADER.removeprefix("event_id,")
    no_source = "2025-05-02,,phone_call,USA;RUS,No source,,,high"
    path = write(tmp_path, f"{header}\n{GOOD}\n{no_source}\n{no_source.replace('No', 'Nor')}\n")
    with pytest.warns(ev.EventFileWarning) as caught:
        df = ev.load_events([path], include_builtin=False)
    assert len(df) == 3
    assert df.loc[df.title == "No source", "source_url"].item() == ""
    notes = caught[0].message.warnings
    assert [(r, f) for _, r, f, _ in notes] == [(3, "source_url"), (4, "source_url")]
    assert df.attrs["warnings"] == notes
    # a file without the column at all loads the same way
    bare = write(tmp_path, "date,type,actors,title,confidence\n2025-05-01,summit,USA,T,high\n",
                 "bare.csv")
    with pytest.warns(ev.EventFileWarning):
        assert len(ev.load_events([bare], include_builtin=False)) == 1


def test_empty_file_is_an_error(tmp_path):
    assert only_error(write(tmp_path, ""))[1:3] == (1, "header")


def test_too_many_fields(tmp_path):
    path = write(tmp_path, f"{HEADER}\nx,{GOOD},extra\n")
    assert only_error(path)[1:3] == (2, "row")


def test_bad_and_repeated_explicit_ids(tmp_path):
    path = write(tmp_path, f"{HEADER}\nBad Id,{GOOD}\nsame,{GOOD}\nsame,{GOOD}\n")
    with pytest.raises(ev.EventValidationError) as info:
        ev.load_events([path], include_builtin=False)
    assert [(r, f) for _, r, f, _ in info.value.errors] == [(2, "event_id"), (4, "event_id")]


# --- user files ----------------------------------------------------------------------------


def test_user_file_without_event_id_or_end_date(tmp_path):
    row = f"2025-05-01,phone_call,USA;RUS,A call,,{URL},high"
    text = f"date,type,actors,title,description,source_url,confidence\n{row}\n{row}\n"
    df = ev.load_events([write(tmp_path, text, "mine.csv")], include_builtin=False)
    assert list(df["event_id"]) == [
        "2025-05-01-phone_call-rus-usa",
        "2025-05-01-phone_call-rus-usa-2",
    ]
    assert (df["end_date"] == df["date"]).all()


def test_user_file_is_added_to_builtin(tmp_path):
    builtin = ev.load_events()
    row = f"2031-01-01,,summit,USA;CHN,Future summit,Made up for the test.,{URL},low"
    path = write(tmp_path, f"{HEADER.removeprefix('event_id,')}\n{row}\n", "extra.csv")
    df = ev.load_events([path])
    assert len(df) == len(builtin) + 1
    last = df.iloc[-1]
    assert (last["event_id"], last["origin"]) == ("2031-01-01-summit-chn-usa", "extra.csv")


def test_same_id_in_two_files_names_both(tmp_path):
    first = write(tmp_path, f"{HEADER}\nshared-id,{GOOD}\n", "one.csv")
    second = write(tmp_path, f"{HEADER}\nother,{GOOD}\nshared-id,{GOOD}\n", "two.csv")
    with pytest.raises(ev.EventValidationError) as info:
        ev.load_events([first, second], include_builtin=False)
    (file, row, field, message), *rest = info.value.errors
    assert not rest
    assert (file, row, field) == ("two.csv", 3, "event_id")
    assert "one.csv row 2" in message


def test_clash_with_builtin_generated_id(tmp_path):
    row = f"2025-07-03,,phone_call,RUS;USA,Again,,{URL},low"
    path = write(tmp_path, f"{HEADER.removeprefix('event_id,')}\n{row}\n", "dup.csv")
    with pytest.raises(ev.EventValidationError, match="diplomatic_events.csv row"):
        ev.load_events([path])


# --- filters -------------------------------------------------------------------------------


def test_filter_by_type(sample):
    assert sample_events(sample, type="phone_call") == ["a-call", "b-call"]
    assert sample_events(sample, type=["summit", "negotiation_round"]) == ["c-summit", "e-talks"]


def test_filter_by_actors_needs_all(sample):
    assert sample_events(sample, actors="USA,RUS") == ["a-call", "c-summit", "e-talks"]
    assert sample_events(sample, actors=["usa", "ukr", "rus"]) == ["c-summit"]
    assert sample_events(sample, actors="RUS") == ["a-call", "c-summit", "d-sanction", "e-talks"]


def test_filter_by_dates_is_inclusive(sample):
    assert sample_events(sample, start="2025-02-01", end="2025-02-15") == ["b-call", "c-summit"]
    assert sample_events(sample, start=dt.date(2025, 3, 1)) == ["d-sanction", "e-talks"]
    assert sample_events(sample, end=dt.date(2025, 1, 10)) == ["a-call"]


def test_filter_by_minimum_confidence(sample):
    assert sample_events(sample, confidence="high") == ["a-call", "d-sanction"]
    assert sample_events(sample, confidence="medium") == [
        "a-call",
        "b-call",
        "d-sanction",
        "e-talks",
    ]
    assert len(sample_events(sample, confidence="low")) == 5


def test_filters_combine(sample):
    assert sample_events(sample, type="phone_call", actors="USA", confidence="high") == ["a-call"]


def test_bad_filter_values_are_rejected(sample):
    with pytest.raises(ValueError, match="unknown event type"):
        sample_events(sample, type="call")
    with pytest.raises(ValueError, match="confidence"):
        sample_events(sample, confidence="certain")
    with pytest.raises(ValueError, match="not a date"):
        sample_events(sample, start="soon")


def test_event_dates(sample):
    dates = ev.event_dates(paths=[sample], include_builtin=False, actors="RUS")
    assert dates == [dt.date(2025, 1, 10), dt.date(2025, 2, 15), dt.date(2025, 3, 1)]
    repeated = ev.event_dates(paths=[sample], include_builtin=False, actors="RUS", unique=False)
    assert len(repeated) == 4


def test_empty_selection_keeps_columns(sample):
    df = ev.events(paths=[sample], include_builtin=False, start="2030-01-01")
    assert df.empty
    assert list(df.columns) == list(ev.FRAME_COLUMNS)


# --- command line ----------------------------------------------------------------------------


@pytest.fixture
def cli():
    import strikescope.cli.events  # noqa: F401  (registers the commands)
    from strikescope.cli.app import app

    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["events", *args])


def test_cli_list_csv(cli, sample):
    result = cli(
        "list", "--file", str(sample), "--no-builtin", "--actors", "USA,RUS", "--format", "csv"
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == HEADER + ",origin"
    assert [line.split(",")[0] for line in lines[1:]] == ["a-call", "c-summit", "e-talks"]
    assert ",RUS;USA;SAU," in lines[3]


def test_cli_list_json_with_filters(cli, sample):
    result = cli(
        "list",
        "--file",
        str(sample),
        "--no-builtin",
        "--type",
        "phone_call",
        "--from",
        "2025-01-15",
        "--confidence",
        "medium",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    assert [r["event_id"] for r in records] == ["b-call"]
    assert records[0]["actors"] == ["USA", "UKR"]
    assert records[0]["date"] == "2025-02-01"


def test_cli_list_table_of_builtin(cli):
    result = cli(
        "list",
        "--type",
        "phone_call",
        "--actors",
        "USA,RUS",
        "--from",
        "2025-07-01",
        "--to",
        "2025-07-31",
    )
    assert result.exit_code == 0, result.output
    assert "2025-07-03" in result.output
    assert "1 events" in result.output


def test_cli_list_rejects_bad_type(cli):
    result = cli("list", "--type", "call")
    assert result.exit_code == 1
    assert "unknown event type" in result.output


def test_cli_validate_ok(cli, sample):
    result = cli("validate", str(sample))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "ok: 5 events"


def test_cli_validate_builtin_when_no_file(cli):
    result = cli("validate")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"ok: {len(ev.load_events())} events")


def test_cli_validate_reports_problems(cli, tmp_path):
    header = HEADER.removeprefix("event_id,")
    path = write(tmp_path, f"{header}\n{GOOD}\n2025-13-01,,call,USA,T,,{URL},high\n", "bad.csv")
    result = cli("validate", str(path))
    assert result.exit_code == 1
    assert "bad.csv row 3, field 'date': '2025-13-01' is not a date" in result.output
    assert "bad.csv row 3, field 'type'" in result.output


def test_parse_filter_terms_and_lists():
    from strikescope.events import parse_filter

    assert parse_filter("type=phone_call actors=USA,RUS;from=2025-01-01 to=2025-12-31") == {
        "type": ["phone_call"], "actors": ["USA", "RUS"], "start": "2025-01-01",
        "end": "2025-12-31"}
    assert parse_filter("id=a,b confidence=high") == {"ids": ["a", "b"], "confidence": "high"}


@pytest.mark.parametrize("text", ["phone_call", "colour=red", "type="])
def test_parse_filter_rejects_unclear_terms(text):
    from strikescope.events import parse_filter

    with pytest.raises(ValueError, match="key=value"):
        parse_filter(text)


def test_coverage_spans_the_packaged_timeline_and_the_files_given(tmp_path):
    first, last = ev.coverage()
    assert first <= pd.Timestamp("2022-03-01") and last >= pd.Timestamp("2025-12-01")
    later = write(tmp_path, SAMPLE.replace("2025-03-01,,negotiation", "2031-03-01,,negotiation"))
    assert ev.coverage(later) == (first, pd.Timestamp("2031-03-01"))
