import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strikescope.sources.attacks import (
    CANONICAL,
    MissingColumnError,
    parse_file,
    parse_frame,
)
from tests.conftest import ATTACKS, OLD_RELEASE

GOOD = {"time_start": "2025-07-03 18:00", "time_end": "2025-07-04 06:00",
        "model": "Shahed-136/131", "target": "Ukraine", "launched": "10", "destroyed": "7",
        "source": "kpszsu/posts/a"}


def reasons(result):
    return set(zip(result.quarantine["field"], result.quarantine["reason"], strict=True))


def test_real_releases_account_for_every_row():
    for path, n in ((ATTACKS, 3246), (OLD_RELEASE, 1810)):
        r = parse_file(path)
        assert r.read == n == len(r.loaded) + r.n_quarantined
        assert r.n_quarantined == 3  # three rows without a launched count in each


def test_old_schema_columns_are_mapped(release):
    header = ["time_start", "time_end", "model", "launch_place", "target", "carrier",
              "launched", "destroyed", "not_reach_goal", "cross_border_belarus",
              "back_russia", "still_attacking", "destroyed_details", "launched_details",
              "launch_place_details", "source", "brand_new_column"]
    path = release([{**GOOD, "cross_border_belarus": "2.0", "back_russia": "1",
                     "brand_new_column": "kept"}], header=header)
    row = parse_file(path).loaded.iloc[0]
    assert json.loads(row.border_crossing_json) == {"belarus": 2.0, "russia": 1}
    assert json.loads(row.extra) == {"brand_new_column": "kept"}


def test_affected_region_alias_with_space_or_underscore(release):
    for header_name in ("affected region", "affected_region"):
        header = ["time_start", "time_end", "model", "launched", header_name]
        path = release([{**GOOD, header_name: "['Kyiv', 'Kyiv oblast']"}], header=header,
                       name=f"{header_name}.csv")
        row = parse_file(path).loaded.iloc[0]
        assert json.loads(row.affected_region_json) == ["Kyiv", "Kyiv oblast"]


def test_missing_required_column_names_file_and_column(release):
    path = release([GOOD], header=["time_start", "time_end", "model", "target"])
    with pytest.raises(MissingColumnError, match=r"release\.csv.*'launched'"):
        parse_file(path)


def test_both_time_formats_and_utc(release):
    path = release([GOOD, {**GOOD, "time_start": "2025-07-04", "time_end": "2025-07-04",
                           "model": "Iskander-M"}])
    rows = parse_file(path).loaded.set_index("model")
    shahed, iskander = rows.loc["Shahed-136/131"], rows.loc["Iskander-M"]
    assert shahed.time_end_local == pd.Timestamp("2025-07-04 06:00")
    assert shahed.time_end_utc == pd.Timestamp("2025-07-04 03:00")  # Kyiv is UTC+3 in summer
    assert bool(shahed.end_has_time) and not bool(iskander.end_has_time)
    assert iskander.time_end_local == pd.Timestamp("2025-07-04")


def test_single_digit_hour_and_trailing_space(release):
    path = release([{**GOOD, "time_start": "2023-05-16 3:30", "time_end": "2023-05-16 "}])
    assert len(parse_file(path).loaded) == 1


@pytest.mark.parametrize("change,field,reason", [
    ({"time_end": "yesterday"}, "time_end", "not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM)"),
    ({"time_start": ""}, "time_start", "missing value"),
    ({"launched": ""}, "launched", "missing value"),
    ({"launched": "-3"}, "launched", "negative count"),
    ({"launched": "many"}, "launched", "not a number"),
    ({"launched": "2.5"}, "launched", "not a whole number"),
    ({"destroyed": "-1"}, "destroyed", "negative count"),
    ({"model": " "}, "model", "missing value"),
])
def test_each_quarantine_reason(release, change, field, reason):
    result = parse_file(release([GOOD, {**GOOD, **change}]))
    assert len(result.loaded) == 1 and result.n_quarantined == 1
    assert (field, reason) in reasons(result)
    assert result.quarantine["rec"].iloc[0] == 2  # the second data row


def test_end_before_start_is_quarantined(release):
    result = parse_file(release([{**GOOD, "time_start": "2025-07-04 08:00",
                                  "time_end": "2025-07-04 06:00"}]))
    assert result.n_quarantined == 1
    assert result.quarantine.reason.iloc[0].startswith("window ends before it starts")


def test_bare_end_date_is_the_whole_day(release):
    result = parse_file(release([{**GOOD, "time_start": "2025-07-04 02:00",
                                  "time_end": "2025-07-04"}]))
    assert result.n_quarantined == 0


@pytest.mark.parametrize("change,reason", [
    ({"destroyed": "9", "not_reach_goal": "5"}, "destroyed + not_reach_goal exceeds"),
    ({"time_start": "2025-06-01 18:00"}, "window longer than 48 hours"),
    ({"model": "Totally New Drone"}, "unknown weapon model"),
    ({"launched_details": "{'a': "}, "not a Python literal"),
    ({"source": ""}, "no source post"),
])
def test_warnings_load_the_row_and_flag_it(release, change, reason):
    result = parse_file(release([{**GOOD, **change}]))
    assert len(result.loaded) == 1
    assert any(w["reason"].startswith(reason) for w in result.loaded.warnings.iloc[0])


cells = st.one_of(st.text(max_size=30), st.sampled_from(
    ["", "NaN", "1.0", "-1", "2025-07-04", "2025-07-04 06:00", "{'a': NaN}", "[1, 2]", "1e309",
     "inf", "Shahed-136/131"]))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({c: cells for c in CANONICAL if c != "affected_region"}),
                min_size=1, max_size=6))
@pytest.mark.slow
def test_parser_never_raises_and_accounts_for_every_row(rows):
    result = parse_frame(pd.DataFrame(rows))
    assert result.read == len(rows) == len(result.loaded) + result.n_quarantined


def test_huge_count_is_quarantined_not_a_crash(release):
    result = parse_file(release([{**GOOD, "launched": "9.3e18"}]))
    assert ("launched", "implausibly large count") in reasons(result)


def test_source_url():
    from strikescope.sources.attacks import source_url

    assert source_url("kpszsu/posts/pfbid0T") == "https://www.facebook.com/kpszsu/posts/pfbid0T"
    assert source_url("https://t.me/kpszsu/22252") == "https://t.me/kpszsu/22252"
    assert source_url("kharkivoda.gov.ua/news/1") == "https://kharkivoda.gov.ua/news/1"


@pytest.mark.parametrize("pad", [" ", "\u00a0", "\u3000", "  \u2009"])
def test_cells_lose_leading_and_trailing_spaces_ascii_or_not(pad):
    """Pure ASCII cells skip the Unicode scan; the result must not differ from trim()."""
    row = {"time_start": pad + "2025-07-03 18:00", "time_end": "2025-07-04 06:00" + pad,
           "model": pad + "Shahed-136/131" + pad, "launched": pad + "10",
           "destroyed": "7" + pad, "still_attacking": pad, "is_shahed": pad + "1.0" + pad,
           "source": "kpszsu/posts/1" + pad, "target": pad + "Київ" + pad}
    result = parse_frame(pd.DataFrame([row]))
    assert result.n_quarantined == 0
    loaded = result.loaded.iloc[0]
    assert (loaded.model, loaded.source, loaded.target) == (
        "Shahed-136/131", "kpszsu/posts/1", "Київ")
    assert loaded.launched == 10 and loaded.time_start_text == "2025-07-03 18:00"
    # numbers are read around any spaces, and a cell of spaces alone is empty
    assert (loaded.destroyed, loaded.is_shahed) == (7, 1.0) and pd.isna(loaded.still_attacking)
    assert list(loaded.warnings) == []


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2})?\Z")
       | st.text(alphabet="0123456789-: T.", max_size=17))
def test_fast_time_path_agrees_with_strptime(cell):
    import duckdb

    from strikescope.sources.attacks import TIME_FORMATS, _ts_sql

    formats = ", ".join(f"'{f}'" for f in TIME_FORMATS)
    slow = f"try_strptime(s_x, [{formats}])"
    fast, reference = duckdb.sql(
        f"SELECT {_ts_sql('x')}, CASE WHEN isfinite({slow}) THEN {slow} END "
        "FROM (SELECT $cell::VARCHAR AS s_x)", params={"cell": cell}).fetchall()[0]
    assert fast == reference


NUMBERISH = st.sampled_from(["", " ", "0", "1", "-1", "2.5", "1e9", "NaN", "inf", "x",
                             "10", " 7 ", "\u00a07", "7\u3000", "\u00a0", "1000000", "1000001",
                             None])
TIMEISH = st.sampled_from(["2025-07-04", "2025-07-04 06:00", "2025-07-03 18:00", "1999-12-31",
                           "2025-02-30", "04.07.2025 06:00", "infinity", "", " ", None])


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({
    **{c: NUMBERISH for c in ("launched", "destroyed", "not_reach_goal", "still_attacking",
                              "is_shahed", "num_hit_location", "num_fall_fragment_location",
                              "turbojet", "turbojet_destroyed")},
    "time_start": TIMEISH, "time_end": TIMEISH,
    "model": st.sampled_from(["Shahed-136/131", "", " ", None]),
    "source": st.sampled_from(["kpszsu/posts/a", "", None]),
}))
def test_cheap_gates_pass_every_row_a_check_flags(cells):
    """A row with an error or warning must get through the gate that guards its list."""
    import duckdb

    from strikescope.sources import attacks

    text = {c: cells.get(c) for c in CANONICAL}
    select = ", ".join(f"$c_{c}::VARCHAR AS {c}" for c in CANONICAL)
    con = duckdb.connect()
    con.execute(f"CREATE TABLE raw AS SELECT {select}", {f"c_{c}": v for c, v in text.items()})
    typed = attacks._typed_sql("raw", "1")
    for checks, gate in ((attacks.error_checks(), attacks.ERROR_GATE),
                         (attacks.warning_checks(), attacks.WARNING_GATE)):
        flagged, gated = con.execute(
            f"SELECT {attacks.any_check_sql(checks)}, coalesce(({gate}), false) "
            f"FROM ({typed})").fetchall()[0]
        assert gated or not flagged
