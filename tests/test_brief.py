from __future__ import annotations

import re

import pandas as pd
import pytest
import typer.testing

import strikescope
from strikescope.brief import META_MAX, Footnotes, baseline, brief, row_ranges, source_url


def _nights(values):
    return pd.DataFrame({"night": pd.date_range("2025-01-01", periods=len(values)),
                         "total_launched": values})


def test_baseline_record_and_surge_by_hand():
    # night 5 = 20; before: 2, 4, 6, 8 -> mean 20 / 4 = 5, ratio 4.0 >= 1.5 (surge);
    # previous maximum 8 < 20 (record)
    b = baseline(_nights([2, 4, 6, 8, 20]), "2025-01-05")
    assert b["mean7"] == 5 and b["mean28"] == 5 and b["ratio28"] == 4
    assert b["record"] and b["surge"]


def test_baseline_equal_to_maximum_is_not_a_record():
    # night 4 = 8 equals the earlier maximum 8: not strictly greater, no record;
    # before: 8, 4, 4 -> mean 16 / 3 = 5.33, ratio 1.5 -> surge at the threshold
    b = baseline(_nights([8, 4, 4, 8]), "2025-01-04")
    assert not b["record"] and b["previous_max"] == 8
    assert b["ratio28"] == pytest.approx(1.5) and b["surge"]
    # 6 against a mean of 16 / 3: ratio 1.125, below 1.5
    assert not baseline(_nights([8, 4, 4, 6]), "2025-01-04")["surge"]


def test_source_url():
    assert source_url("kpszsu/posts/pfbid0X") == "https://www.facebook.com/kpszsu/posts/pfbid0X"
    assert source_url("https://t.me/kpszsu/1") == "https://t.me/kpszsu/1"


def test_footnotes_reuse_the_same_rows():
    rows = pd.DataFrame({"source": ["a/posts/1", "a/posts/1"], "file": ["/x/f.csv"] * 2,
                         "rec": [3, 4]})
    notes = Footnotes()
    assert notes.cite(rows, "drones") == "[^1]"
    assert notes.cite(rows.iloc[::-1], "drones") == "[^1]"
    assert notes.cite(rows.iloc[:1], "missiles") == "[^2]"
    assert notes.notes[0]["links"][1] == ("a/posts/1", "https://www.facebook.com/a/posts/1",
                                         "f.csv", 4)
    # one post of two rows is named once, with its rows
    assert notes.notes[0]["posts"] == [("a/posts/1", "https://www.facebook.com/a/posts/1",
                                        "f.csv", "rows 3-4")]


def test_row_ranges():
    assert row_ranges([4]) == "row 4"
    assert row_ranges([3, 4, 5, 9]) == "rows 3-5, 9"
    assert row_ranges([1, 3]) == "rows 1, 3"


def test_brief_tiny_store(tiny_db):
    b = brief(night="2025-03-02", db=tiny_db, published="2025-03-03")
    md = b.markdown
    # 100 drones + 5 missiles = 105; the only earlier night had 40 -> a record
    assert re.search(r"100 long-range drones\[\^\d+\] and 5 missiles\[\^\d+\]", md)
    assert "105 in all" in md and "105 long-range weapons, a record" in md
    # 90 shot down of 100 with an outcome -> 90% stopped, 10 not stopped
    assert "90 of 100 drones with a reported outcome were shot down (90 %)" in md
    assert "10 not reported as stopped" in md
    assert "https://www.facebook.com/kpszsu/posts/p1" in md and "release.csv row" in md
    assert b.published.isoformat() == "2025-03-03" and len(b.meta_description) <= META_MAX


def test_a_zero_figure_cites_the_reports_that_list_none(tiny_db):
    # the night ending 2025-02-28 has one report (kpszsu/posts/p0): 40 drones, no missile;
    # its "0 missiles" names that report, as every other figure names its own
    b = brief(night="2025-02-28", db=tiny_db, published="2025-03-03")
    ref = re.search(r"and 0 missiles\[\^(\d+)\]", b.standfirst)
    assert ref
    note = next(n for n in b.footnotes if n["n"] == int(ref[1]))
    assert [post for post, *_ in note["posts"]] == ["kpszsu/posts/p0"]
    assert "none" in note["what"]
    assert all(n["refs"] or n["what"].startswith("Computed") for n in b.footnotes)
    # the title leaves the kind of none out; the standfirst keeps it, with its source
    assert b.title == "Russia launches 40 drones in the night ending 28 February 2025"


def test_a_title_names_only_the_kinds_launched():
    from strikescope.brief import _launches

    assert _launches(40, 5) == "Russia launches 40 drones and 5 missiles"
    assert _launches(0, 1) == "Russia launches 1 missile"
    assert _launches(0, 0) == "No long-range drones or missiles launched"


def test_week_without_long_range_launches_names_no_largest_night(release, tmp_path):
    # the week 2025-W10 (3-9 March) has one report: 2 Orlan-10 (tactical, not long-range);
    # 0 weapons on every night: no night is "the largest", and every figure has a source
    path = release([{"time_start": "2025-03-03 18:00", "time_end": "2025-03-04 06:00",
                     "model": "Orlan-10", "launched": "2", "destroyed": "2",
                     "source": "PvKPivden/posts/q1"}])
    db = tmp_path / "w.duckdb"
    strikescope.ingest([path], db=db)
    b = brief(week="2025-W10", db=db, published="2025-03-10")
    assert "0 in all" in b.sections[0][1] and "largest night" not in b.sections[0][1]
    assert all(n["refs"] or n["what"].startswith("Computed") for n in b.footnotes)


def test_first_nights_of_a_store_are_compared_with_what_it_holds(tiny_db):
    # tiny store: nights ending 2025-02-28 (40 weapons), 03-01 (none), 03-02 (105).
    # The first night has nothing before it: no mean and no ratio, never "nan".
    first = brief(night="2025-02-28", db=tiny_db, published="2025-03-03").sections[0][1]
    assert "nan" not in first and "preceding" not in first
    assert "No earlier night in the store to compare it with" in first
    assert "Against the earlier nights" not in first  # there are none
    assert "The night ending 28 February 2025, the first in the store, had 40" in first
    # The third has two nights before it (40 and 0, mean 20): a mean of "the 2 preceding
    # nights", not of 7 or 28 the store does not hold; 105 / 20 = 5.2 times
    third = brief(night="2025-03-02", db=tiny_db, published="2025-03-03").sections[0][1]
    assert "7 preceding" not in third and "28 preceding" not in third
    assert "the mean of the 2 preceding nights (all the store holds; 20.0 weapons) it is " \
        "5.2 times as many: a surge" in third
    assert third.count("preceding nights") == 1  # the 7 nights would be the same 2


def test_first_missiles_after_none_are_no_record_in_the_title(release, tmp_path):
    # night ending 03-02: 100 drones; 03-03: 50 drones and 2 missiles. 52 < 100 is no
    # record; 2 missiles after nights of none is "the first night with any", no record
    base = {"model": "Shahed-136/131", "source": "kpszsu/posts/a"}
    path = release([
        {**base, "time_start": "2025-03-01 18:00", "time_end": "2025-03-02 06:00",
         "launched": "100", "destroyed": "90"},
        {**base, "time_start": "2025-03-02 18:00", "time_end": "2025-03-03 06:00",
         "launched": "50", "destroyed": "40", "source": "kpszsu/posts/b"},
        {"model": "Iskander-M", "time_start": "2025-03-02 18:00",
         "time_end": "2025-03-03 06:00", "launched": "2", "destroyed": "1",
         "source": "kpszsu/posts/b"}])
    db = tmp_path / "m.duckdb"
    strikescope.ingest([path], db=db)
    b = brief(night="2025-03-03", db=db, published="2025-03-04")
    assert not b.title.startswith("Record")
    assert "2 missiles, the first night in the data with any (none on the 1 earlier " \
        "night)" in b.sections[0][1]


def test_brief_needs_one_period(tiny_db):
    with pytest.raises(ValueError):
        brief(db=tiny_db)
    with pytest.raises(ValueError):
        brief(week="2025-27", db=tiny_db)


@pytest.fixture(scope="module")
def night_brief(real_db):
    return brief(night="2025-07-04", db=real_db, published="2025-07-06")


def test_real_night_brief_numbers_and_sources(night_brief, real_db):
    md = night_brief.markdown
    assert re.search(r"539 long-range drones\[\^(\d+)\] and 11 missiles\[\^(\d+)\]", md)
    note = re.search(r"539 long-range drones\[\^(\d+)\]", md)[1]
    footnote = re.search(rf"^\[\^{note}\]: (.+)$", md, re.M)[1]
    assert "https://www.facebook.com/kpszsu/posts/" in footnote
    assert "missile_attacks_daily.csv row" in footnote
    # the 539 come from the national report alone; the regional row of tactical drones is
    # counted elsewhere and must not be cited for the long-range figure
    assert "PvKPivden" not in footnote
    assert len(night_brief.meta_description) <= META_MAX
    for heading in ("What happened", "The weapons", "The defenses", "The diplomatic context",
                    "The regional picture", "The outlook"):
        assert f"## {heading}" in md
    assert "Trump–Putin phone call" in md
    # the record claim follows the data: strictly above every earlier night
    before = strikescope.nights(end="2025-07-03", db=real_db).total_launched.max()
    assert ("550 long-range weapons, a record" in md) == (before < 550)


def test_real_night_brief_html_is_self_contained(night_brief, tmp_path):
    html = night_brief.html
    assert not re.search(r"<script[^>]+src=[\"']?https?://", html)
    assert not re.search(r"<link[^>]+href=[\"']?https?://", html)
    assert html.count("Plotly.newPlot") == 2 and "plotly.js" in html.lower()
    paths = night_brief.write(tmp_path)
    assert [p.suffix for p in paths] == [".md", ".html"] and all(p.stat().st_size for p in paths)


def test_real_week_brief_sums_the_week(real_db):
    b = brief(week="2025-W27", db=real_db, published="2025-07-07")
    week = strikescope.nights("2025-06-30", "2025-07-06", db=real_db)
    assert f"{int(week.drones_launched.sum()):,} long-range drones" in b.markdown
    assert "largest night ended on 4 July" in b.markdown
    # the title gives the week's sums; a record in it is its largest night's (550 on 4 July,
    # the 539 drones and 11 missiles of the record night)
    drones, missiles = int(week.drones_launched.sum()), int(week.missiles_launched.sum())
    assert b.title == (f"Record 550 weapons on 4 July: Russia launches {drones:,} drones and "
                       f"{missiles} missiles in the week of 30 June to 6 July 2025")
    assert b.meta_description.startswith(f"{drones:,} drones, {missiles} missiles in 2025-W27")


def test_brief_cli(tiny_db, tmp_path):
    import strikescope.cli.brief  # noqa: F401
    from strikescope.cli.app import app

    result = typer.testing.CliRunner().invoke(app, [
        "brief", "--night", "2025-03-02", "--out", str(tmp_path), "--db", str(tiny_db)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "night-2025-03-02.html").exists()
    bad = typer.testing.CliRunner().invoke(app, [
        "brief", "--week", "nope", "--db", str(tiny_db)])
    assert bad.exit_code == 1


@pytest.mark.parametrize("period", [{"night": "2025-07-04"}, {"night": "2024-12-25"},
                                    {"week": "2025-W27"},
                                    {"event": "2025-08-15-summit-rus-usa"}])
def test_title_alone_is_the_briefs(real_db, period):
    from strikescope.brief import title

    assert title(**period, db=real_db) == brief(**period, db=real_db).title


def test_alerts_are_read_once_while_their_files_are_unchanged(tmp_path, monkeypatch):
    import os
    import types

    from strikescope import brief as module
    from strikescope.config import DATA_ENV

    (tmp_path / "alerts").mkdir()
    csv = tmp_path / "alerts" / "official.csv"
    csv.write_text("a\n1\n")
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    monkeypatch.setattr(module, "_ALERTS", {})
    reads = []

    def load():
        reads.append(1)
        return types.SimpleNamespace(alerts=pd.DataFrame({"n": [len(reads)]}))

    assert module._alerts(load)["n"].tolist() == [1]
    assert module._alerts(load)["n"].tolist() == [1] and len(reads) == 1
    csv.write_text("a\n1\n2\n")
    os.utime(csv, ns=(1, 1))  # another size and time: another version of the data
    assert module._alerts(load)["n"].tolist() == [2] and len(reads) == 2


def test_brief_past_the_timeline_says_where_it_ends(release, tmp_path):
    import strikescope
    from strikescope.events import events

    db = tmp_path / "later.duckdb"
    strikescope.ingest([release([
        {"time_start": "2031-05-01 18:00", "time_end": "2031-05-02 06:00",
         "model": "Shahed-136/131", "launched": "20", "source": "kpszsu/posts/q1"}])], db=db)
    ends = pd.Timestamp(events().date.max())
    md = brief(night="2031-05-02", db=db, published="2031-05-03").markdown
    assert f"The timeline ends on {ends.day} {ends:%B %Y}: later events are not in it." in md


def test_brief_inside_the_timeline_says_nothing_of_its_end(tiny_db):
    md = brief(night="2025-03-02", db=tiny_db, published="2025-03-03").markdown
    assert "The timeline ends on" not in md


# A phone's 390 px hold about 40 characters of a 16 px title (plotly does not wrap).
PHONE_TITLE_CHARS = 40


def test_brief_charts_name_their_axes_and_source_and_fit_a_phone(tiny_db):
    from strikescope.render.palette import SOURCE

    charts = brief(night="2025-03-02", db=tiny_db, published="2025-03-03").charts
    assert len(charts) == 2
    for chart in charts:
        layout = chart.layout
        assert layout.xaxis.title.text and layout.yaxis.title.text
        assert layout.title.subtitle.text.replace("<br>", " ") == SOURCE
        lines = layout.title.text.split("<br>")
        assert max(len(line) for line in lines) <= PHONE_TITLE_CHARS, lines
    assert "night" in charts[0].layout.xaxis.title.text
    assert "launched" in charts[1].layout.xaxis.title.text
