"""The GDELT importer on small files in the real 61-column export format."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from strikescope import events as ev
from strikescope import gdelt

# The GDELT 2.0 event export columns, in file order (Event Codebook V2.0).
ACTOR = [
    "Code",
    "Name",
    "CountryCode",
    "KnownGroupCode",
    "EthnicCode",
    "Religion1Code",
    "Religion2Code",
    "Type1Code",
    "Type2Code",
    "Type3Code",
]
GEO = ["Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID"]
COLUMNS = [
    "GLOBALEVENTID",
    "SQLDATE",
    "MonthYear",
    "Year",
    "FractionDate",
    *(f"Actor1{c}" for c in ACTOR),
    *(f"Actor2{c}" for c in ACTOR),
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
    *(f"Actor1Geo_{c}" for c in GEO),
    *(f"Actor2Geo_{c}" for c in GEO),
    *(f"ActionGeo_{c}" for c in GEO),
    "DATEADDED",
    "SOURCEURL",
]
NAMES = {"USA": "UNITED STATES", "RUS": "RUSSIA", "UKR": "UKRAINE", "CHN": "CHINA"}


def gdelt_row(n: int, day: str, a1: str, a2: str, code: str, mentions: int, **extra) -> str:
    """One tab-separated export line; unspecified fields get plausible values."""
    ymd = day.replace("-", "")
    values = {c: "" for c in COLUMNS}
    values.update(
        GLOBALEVENTID=str(1_200_000_000 + n),
        SQLDATE=ymd,
        MonthYear=ymd[:6],
        Year=ymd[:4],
        FractionDate=f"{ymd[:4]}.5041",
        Actor1Code=a1,
        Actor1Name=NAMES.get(a1, ""),
        Actor1CountryCode=a1,
        Actor1Type1Code="GOV",
        Actor2Code=a2,
        Actor2Name=NAMES.get(a2, ""),
        Actor2CountryCode=a2,
        IsRootEvent="1",
        EventCode=code,
        EventBaseCode=code[:3],
        EventRootCode=code[:2],
        QuadClass="1",
        GoldsteinScale="1.0",
        NumMentions=str(mentions),
        NumSources="1",
        NumArticles=str(mentions),
        AvgTone="-1.25",
        ActionGeo_Type="4",
        ActionGeo_FullName='Moscow, Moskva, Russia "centre"',
        ActionGeo_CountryCode="RS",
        ActionGeo_ADM1Code="RS48",
        ActionGeo_Lat="55.7522",
        ActionGeo_Long="37.6156",
        ActionGeo_FeatureID="-2960561",
        DATEADDED=f"{ymd}120000",
        SOURCEURL=f"https://news.example.org/{n}",
    )
    values.update(extra)
    assert len(values) == 61
    return "\t".join(values[c] for c in COLUMNS)


DAY1, DAY2 = "2025-07-03", "2025-07-04"
ROWS = [
    gdelt_row(1, DAY1, "USA", "RUS", "041", 50),  # call, both orders: merged
    gdelt_row(2, DAY1, "RUS", "USA", "041", 30),
    gdelt_row(3, DAY1, "USA", "RUS", "042", 5),  # visit and host: one meeting
    gdelt_row(4, DAY1, "RUS", "USA", "043", 7),
    gdelt_row(5, DAY1, "USA", "RUS", "190", 999),  # fighting: wrong code
    gdelt_row(6, DAY1, "USA", "CHN", "041", 500),  # country not chosen
    gdelt_row(7, DAY1, "USA", "USA", "041", 300),  # same country
    gdelt_row(8, DAY1, "RUS", "UKR", "036", 20),  # leading zero kept
    gdelt_row(9, DAY1, "UKR", "RUS", "0871", 40),  # four-digit code
    gdelt_row(10, DAY1, "UKR", "RUS", "087", 400),  # not 0871
    gdelt_row(11, DAY1, "USA", "", "041", 200),  # no second actor
    gdelt_row(12, DAY1, "USA", "RUS", "41", 600),  # code without its zero
]
DAY2_ROWS = [gdelt_row(13, DAY2, "RUS", "USA", "041", 10, SOURCEURL="BBC Monitoring")]


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    plain = tmp_path / "20250703120000.export.CSV"
    plain.write_text("\n".join(ROWS) + "\n", encoding="utf-8")
    packed = tmp_path / "20250704120000.export.CSV.gz"
    with gzip.open(packed, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(DAY2_ROWS) + "\n")
    return [plain, packed]


def as_tuples(df: pd.DataFrame) -> list[tuple]:
    cols = ["date", "actor1", "actor2", "event_code", "mentions", "events"]
    return [
        (r.date.strftime("%Y-%m-%d"), r.actor1, r.actor2, r.event_code, r.mentions, r.events)
        for r in df[cols].itertuples(index=False)
    ]


def test_column_list_is_the_documented_one():
    assert list(gdelt.GDELT_COLUMN_NAMES) == COLUMNS
    assert len(COLUMNS) == 61


def test_import_picks_dedupes_and_ranks(files):
    df = gdelt.import_gdelt(files)
    assert list(df.columns) == list(gdelt.RESULT_COLUMNS)
    assert as_tuples(df) == [
        (DAY1, "RUS", "USA", "041", 80, 2),
        (DAY1, "RUS", "UKR", "0871", 40, 1),
        (DAY1, "RUS", "UKR", "036", 20, 1),
        (DAY1, "RUS", "USA", "043", 12, 2),
        (DAY2, "RUS", "USA", "041", 10, 1),
    ]


def test_merged_row_keeps_the_most_mentioned_example(files):
    top = gdelt.import_gdelt(files).iloc[0]
    assert top["example_url"] == "https://news.example.org/1"
    assert top["cameo_label"] == "Discuss by telephone"
    assert (top["sources"], top["articles"]) == (2, 80)
    assert str(gdelt.import_gdelt(files)["date"].dtype) == "datetime64[ns]"


def test_country_filter(files):
    df = gdelt.import_gdelt(files, countries=("USA", "CHN"))
    assert as_tuples(df) == [(DAY1, "CHN", "USA", "041", 500, 1)]
    assert gdelt.import_gdelt(files, countries="ukr,rus")["actor1"].tolist() == ["RUS", "RUS"]


def test_codes_and_minimum_mentions(files):
    df = gdelt.import_gdelt(files, codes=["041"], min_mentions=11)
    assert as_tuples(df) == [(DAY1, "RUS", "USA", "041", 80, 2)]
    df = gdelt.import_gdelt(files, codes="087")
    assert as_tuples(df) == [(DAY1, "RUS", "UKR", "087", 400, 1)]


def test_date_window(files):
    df = gdelt.import_gdelt(files, start="2025-07-04", end="2025-07-04")
    assert as_tuples(df) == [(DAY2, "RUS", "USA", "041", 10, 1)]


def test_zip_and_missing_files_are_refused(tmp_path, files):
    with pytest.raises(ValueError, match="unzip"):
        gdelt.import_gdelt([tmp_path / "20250703120000.export.CSV.zip"])
    with pytest.raises(FileNotFoundError):
        gdelt.import_gdelt([tmp_path / "missing.export.CSV"])


def test_file_names_with_quotes_are_read(tmp_path):
    path = tmp_path / "it's.export.CSV"
    path.write_text(ROWS[0] + "\n", encoding="utf-8")
    assert len(gdelt.import_gdelt([path])) == 1


@pytest.mark.parametrize(
    "countries", [("USA", "RU"), ("USA", "RUS') OR 1=1 --"), ("USA",), ("usa", "RUS1")]
)
def test_bad_country_codes_are_rejected(countries):
    with pytest.raises(ValueError, match="3-letter"):
        gdelt.gdelt_sql(countries)


@pytest.mark.parametrize("codes", [["041'"], ["4"], ["04100"], ["0a1"], []])
def test_bad_event_codes_are_rejected(codes):
    with pytest.raises(ValueError, match="CAMEO"):
        gdelt.gdelt_sql(("USA", "RUS"), codes)


def test_bad_dialect_and_dates_are_rejected():
    with pytest.raises(ValueError, match="dialect"):
        gdelt.gdelt_sql(("USA", "RUS"), dialect="postgres")
    with pytest.raises(ValueError):
        gdelt.gdelt_sql(("USA", "RUS"), start="2025-07-03; DROP")


def test_bigquery_sql():
    sql = gdelt.gdelt_sql(("USA", "RUS", "UKR"), dialect="bigquery", start="2025-01-01")
    assert "`gdelt-bq.gdeltv2.events`" in sql
    assert "PARSE_DATE('%Y%m%d', CAST(SQLDATE AS STRING))" in sql
    for code in gdelt.DEFAULT_CODES:
        assert f"'{code}'" in sql
    assert "IN ('RUS', 'UKR', 'USA')" in sql
    assert "SQLDATE >= 20250101" in sql
    assert "read_csv" not in sql


def test_duckdb_sql_reads_tab_separated_text_codes():
    sql = gdelt.gdelt_sql(("USA", "RUS"))
    assert "read_csv(['*.export.CSV']" in sql
    assert "header = false" in sql
    assert "'EventCode': 'VARCHAR'" in sql


def test_timeline_type_mapping():
    assert gdelt.timeline_type("041") == "phone_call"
    assert gdelt.timeline_type("046") == "negotiation_round"
    assert gdelt.timeline_type("0871") == "ceasefire"
    assert gdelt.timeline_type("042") == "envoy_meeting"
    assert gdelt.timeline_type("163") == "ultimatum_or_sanction"
    assert set(t for _, t in gdelt.TYPE_BY_PREFIX) <= set(ev.EVENT_TYPES)


def test_to_timeline_validates_as_an_event_file(files, tmp_path):
    timeline = gdelt.to_timeline(gdelt.import_gdelt(files))
    assert list(timeline.columns) == list(ev.CSV_COLUMNS)
    # the day-2 candidate only cites "BBC Monitoring", which is not a page
    assert len(timeline) == 4
    assert set(timeline["confidence"]) == {"low"}
    assert "2025-07-03-phone_call-rus-usa" in set(timeline["event_id"])
    path = tmp_path / "candidates.csv"
    timeline.to_csv(path, index=False)
    df = ev.load_events([path], include_builtin=False)
    assert sorted(df["type"]) == ["ceasefire", "envoy_meeting", "envoy_meeting", "phone_call"]


# --- command line ----------------------------------------------------------------------------


@pytest.fixture
def cli():
    import strikescope.cli.events  # noqa: F401  (registers the commands)
    from strikescope.cli.app import app

    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["events", "gdelt", *args])


def test_cli_print_sql_needs_no_files(cli):
    result = cli("--print-sql", "bigquery", "--countries", "USA,RUS")
    assert result.exit_code == 0, result.output
    assert "`gdelt-bq.gdeltv2.events`" in result.output
    assert "IN ('RUS', 'USA')" in result.output


def test_cli_print_sql_rejects_bad_countries(cli):
    result = cli("--print-sql", "duckdb", "--countries", "USA,R'S")
    assert result.exit_code == 1
    assert "3-letter" in result.output


def test_cli_writes_candidates(cli, files, tmp_path):
    out = tmp_path / "candidates.csv"
    result = cli(*map(str, files), "--min-mentions", "15", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "wrote 3 candidates" in result.output
    df = pd.read_csv(out, dtype={"event_code": str})
    assert df["event_code"].tolist() == ["041", "0871", "036"]
    assert df["date"].tolist() == [DAY1] * 3


def test_cli_writes_timeline_rows(cli, files, tmp_path):
    out = tmp_path / "timeline.csv"
    result = cli(*map(str, files), "--out", str(out), "--timeline")
    assert result.exit_code == 0, result.output
    assert len(ev.load_events([out], include_builtin=False)) == 4


def test_cli_table_and_missing_files(cli, files):
    result = cli(*map(str, files))
    assert result.exit_code == 0, result.output
    assert "5 candidates" in result.output
    assert cli().exit_code == 1
