"""The plain-Python night (`nights.NightRecords`) against the pandas one (`NightDetail`)."""

import datetime as dt

import pytest
from typer.testing import CliRunner

import strikescope.api as api
from strikescope.cli.app import app
from strikescope.cli.output import print_records, print_table

NIGHTS = ["2025-07-04", "2025-02-11", "2025-07-26", "2023-01-01"]


@pytest.mark.parametrize("policy", ["combined", "national"])
@pytest.mark.parametrize("night", NIGHTS)
def test_records_are_the_detail(real_db, night, policy):
    detail = api.night(night, db=real_db, policy=policy)
    rec = api.night_records(dt.date.fromisoformat(night), db=real_db, policy=policy)
    assert rec.summary() == detail.summary()
    assert rec.row_columns == list(detail.rows.columns)
    assert rec.column("rec") == detail.rows["rec"].tolist()
    assert rec.column("launched", "classes") == detail.classes["launched"].tolist()
    for key in ("drones_launched", "missiles_launched", "total_launched", "provisional"):
        assert rec.totals[key] == detail.totals[key]


def test_records_of_a_night_without_reports(real_db):
    with pytest.raises(LookupError, match="no report"):
        api.night_records(dt.date(1999, 1, 1), db=real_db)


def test_print_records_draws_print_tables_table(capsys):
    import pandas as pd

    df = pd.DataFrame({"name": ["a", None], "n": pd.array([1234, None], dtype="Int64"),
                       "x": [2.0, 0.5], "ok": [True, False]})
    print_table(df, title="T")
    framed = capsys.readouterr().out
    print_records(["name", "n", "x", "ok"], ["VARCHAR", "BIGINT", "DOUBLE", "BOOLEAN"],
                  [("a", 1234, 2.0, True), (None, None, 0.5, False)], title="T")
    assert capsys.readouterr().out == framed
    assert "1,234" in framed


def test_night_view_refuses_other_spellings_of_the_date(real_db):
    runner = CliRunner()
    iso = runner.invoke(app, ["night", "2025-07-04", "--db", str(real_db)])
    other = runner.invoke(app, ["night", "2025/07/04", "--db", str(real_db)])
    assert iso.exit_code == 0
    assert other.exit_code == 2 and "YYYY-MM-DD" in other.output
