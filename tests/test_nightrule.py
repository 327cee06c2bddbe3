"""The one night rule, on both sides of 18:00, in Python and in DuckDB's SQL."""

import duckdb
import pandas as pd
import pytest

from strikescope.nightrule import (
    end_night_sql,
    instant_night_sql,
    night_bounds,
    night_of_end,
    night_of_instant,
    nights_of_ends,
    nights_of_instants,
)

# (local time, night of a window ending then, night of an instant then), by hand
CASES = [
    ("2025-07-03 17:59", "2025-07-03", "2025-07-03"),
    ("2025-07-03 18:00", "2025-07-03", "2025-07-04"),  # ends D's daytime / opens D+1
    ("2025-07-03 18:01", "2025-07-04", "2025-07-04"),
    ("2025-07-03 23:59", "2025-07-04", "2025-07-04"),
    ("2025-07-04 00:00", "2025-07-04", "2025-07-04"),
    ("2025-07-04 06:00", "2025-07-04", "2025-07-04"),
    ("2025-12-31 18:30", "2026-01-01", "2026-01-01"),  # across the year
]


@pytest.mark.parametrize("when,end_night,instant_night", CASES)
def test_python_both_sides_of_1800(when, end_night, instant_night):
    assert night_of_end(when) == pd.Timestamp(end_night)
    assert night_of_instant(when) == pd.Timestamp(instant_night)


def test_vectorised_forms_agree_with_the_scalar_ones():
    times = pd.DatetimeIndex([c[0] for c in CASES] + ["2025-07-03 18:00:30"])
    assert list(nights_of_ends(times)) == [night_of_end(t) for t in times]
    assert list(nights_of_instants(times)) == [night_of_instant(t) for t in times]
    # a bare date is its own night, even though midnight is before 18:00 anyway
    assert list(nights_of_ends(pd.DatetimeIndex(["2025-07-04"]), False)) == [
        pd.Timestamp("2025-07-04")]


def test_seconds_past_the_boundary_are_past_it():
    assert night_of_end("2025-07-03 18:00:30") == pd.Timestamp("2025-07-04")


@pytest.mark.parametrize("when,end_night,instant_night", CASES)
def test_sql_both_sides_of_1800(when, end_night, instant_night):
    con = duckdb.connect()
    t = f"TIMESTAMP '{when}'"
    got = con.execute(f"SELECT {end_night_sql(t)}, {instant_night_sql(t)}, "
                      f"{end_night_sql(t, 'false')}").fetchone()
    assert [str(d) for d in got] == [end_night, instant_night, when[:10]]


def test_night_bounds():
    assert night_bounds("2025-07-04") == (pd.Timestamp("2025-07-03 18:00"),
                                          pd.Timestamp("2025-07-04 18:00"))
