import json

import pandas as pd
from typer.testing import CliRunner

from strikescope.cli import app

runner = CliRunner()
ROW = ("time_start,time_end,model,launched,destroyed,source\n"
       "2025-07-03 18:00,2025-07-04 06:00,Shahed-136/131,539,268,kpszsu/p/1\n"
       "2025-07-04 02:00,2025-07-04 06:00,Iskander-M/KN-23,6,0,kpszsu/p/1\n"
       "2025-07-04 02:00,2025-07-04 06:00,Kalibr,x,0,kpszsu/p/1\n")


def test_ingest_night_nights_quarantine(tmp_path):
    src = tmp_path / "attacks.csv"
    src.write_text(ROW)
    db = str(tmp_path / "s.duckdb")
    out = runner.invoke(app, ["ingest", str(src), "--db", db])
    assert out.exit_code == 0, out.output
    assert "read 3 = loaded 2 + quarantined 1" in out.output
    out = runner.invoke(app, ["night", "2025-07-04", "--db", db])
    assert "539 drones and 6 missiles" in out.output
    out = runner.invoke(app, ["nights", "--from", "2025-07-01", "--to", "2025-07-31",
                              "--format", "json", "--sparse", "--db", db])
    data = json.loads(out.stdout)
    assert data == [d for d in data if d["night"] == "2025-07-04"]
    assert data[0]["drones_launched"] == 539 and data[0]["missiles_launched"] == 6
    out = runner.invoke(app, ["quarantine", "--format", "csv", "--db", db])
    assert "launched,x,not a number" in out.stdout


def test_errors_are_messages_not_tracebacks(tmp_path):
    out = runner.invoke(app, ["nights", "--db", str(tmp_path / "missing.duckdb")])
    assert out.exit_code == 1 and "strikescope ingest" in out.output
    bad = tmp_path / "bad.csv"
    bad.write_text("time_start,time_end,model\n2025-01-01,2025-01-01,Kalibr\n")
    out = runner.invoke(app, ["ingest", str(bad), "--db", str(tmp_path / "s.duckdb")])
    assert out.exit_code == 1 and "required column 'launched' is missing" in out.output
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    out = runner.invoke(app, ["ingest", str(other), "--db", str(tmp_path / "s.duckdb")])
    assert out.exit_code == 1 and "not an attack release" in out.output


def test_version():
    out = runner.invoke(app, ["--version"])
    assert out.exit_code == 0 and out.output.startswith("strikescope ")


def test_short_source():
    from strikescope.cli.output import short_source

    assert short_source("kpszsu/posts/pfbid0TJ48t6JpFUVLpYucUKi7hBAQ") == "kpszsu …UKi7hBAQ"
    assert short_source("https://t.me/kpszsu/22252") == "kpszsu …su/22252"
    assert short_source("kpszsu/posts/a") == "kpszsu/posts/a"  # short ones stay whole
    assert short_source(None) == ""


def test_float_columns_print_one_number_of_decimals_per_column():
    from strikescope.cli.output import _decimals

    # a ratio column: 0.582 needs three places, so 1.0 prints "1.000", not "1"
    assert _decimals(pd.Series([1.0, 0.582, float("nan")])) == 3
    assert _decimals(pd.Series([1.5, 0.25])) == 2
    assert _decimals(pd.Series([3.0, 12.0])) == 0  # whole numbers keep their commas
    assert _decimals(pd.Series([0.12345])) == 3  # at most three
    assert _decimals(pd.Series([float("nan")])) == 0
