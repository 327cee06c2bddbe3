"""The site's chart style and table display, on hand-built figures and frames."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from strikescope.web import figures
from strikescope.web.routes_pages import table_html


def test_finish_titles_sources_and_colours_every_chart():
    fig = go.Figure([go.Bar(x=["a"], y=[1], name="strike drone"),
                     go.Scatter(x=[1], y=[2], name="cruise"),
                     go.Bar(x=["a"], y=[3], name="shot down")])
    figures.finish(fig, "Launches", "night", "launched per night")
    assert fig.layout.title.text == "Launches"
    assert fig.layout.title.subtitle.text == figures.SOURCE
    assert fig.layout.xaxis.title.text == "night"
    assert fig.layout.yaxis.title.text == "launched per night"
    assert fig.data[0].marker.color == figures.COLORS["strike_drone"]
    assert fig.data[1].line.color == figures.COLORS["cruise"]
    # Not a class: the first series colour, which is no class's colour for strike drones.
    assert fig.data[2].marker.color == figures.SERIES_COLORS[0]
    assert fig.layout.legend.yref == "container"  # below the plot, not on the data


def test_finish_keeps_a_figure_title_when_none_is_given():
    fig = go.Figure(layout={"title": "Saturation"})
    assert figures.finish(fig).layout.title.text == "Saturation"


def test_every_class_has_its_own_colour():
    from strikescope.taxonomy import CLASSES

    assert set(CLASSES) <= set(figures.COLORS)
    assert len(set(figures.COLORS.values())) == len(figures.COLORS)


def test_tables_show_blanks_for_missing_values_and_three_decimals():
    df = pd.DataFrame({"night": pd.to_datetime(["2025-07-04", None]),
                       "n": pd.array([3, None], dtype="Int64"),
                       "rate": [0.123456, None]})
    html = table_html(df)
    assert "&lt;NA&gt;" not in html and "NaT" not in html and "nan" not in html
    assert "<td>0.123</td>" in html and "<td>2025-07-04</td>" in html
    assert html.startswith('<div class="table-wrap">')


def test_reported_nights_are_the_nights_with_a_source():
    from strikescope.web.routes_pages import reported_nights

    nights = pd.DataFrame({"night": pd.date_range("2025-01-01", periods=3),
                           "sources": [["kpszsu/posts/1"], [], ["a", "b"]]})
    assert reported_nights(nights) == 2


def test_timeline_names_calendar_and_reported_nights(real_db):
    from fastapi.testclient import TestClient

    import strikescope
    from strikescope.analysis.doctor import doctor
    from strikescope.web import create_app

    text = TestClient(create_app(db=real_db)).get("/").text
    calendar = len(strikescope.nights(db=real_db))
    reported = doctor(real_db).store["nights"]
    assert f"{calendar:,} calendar nights" in text
    assert f"{reported:,} of\nthem with at least one report" in text


def test_timeline_marks_provisional_nights():
    import pandas as pd

    from strikescope.web.figures import timeline_figure

    nights = pd.DataFrame({"night": pd.to_datetime(["2025-03-01", "2025-03-02"]),
                           "total_launched": [40, 105], "strike_drone_launched": [40, 100],
                           "ballistic_launched": [0, 5], "provisional": [False, True]})
    fig = timeline_figure(nights, pd.DataFrame())
    marks = [t for t in fig.data if t.name == "provisional (statement as parsed)"]
    assert len(marks) == 1 and list(marks[0].x) == ["2025-03-02"]
    plain = timeline_figure(nights.assign(provisional=False), pd.DataFrame())
    assert not [t for t in plain.data if "provisional" in (t.name or "")]


def test_campaign_charts_name_classes_in_words_in_their_class_colours():
    from strikescope.render import campaign

    mix = pd.DataFrame({"period": pd.to_datetime(["2025-07-01"] * 2),
                        "weapon_class": ["strike_drone", "tactical_uav"], "launched": [9, 3]})
    rates = pd.DataFrame({"period": pd.to_datetime(["2025-07-01"]),
                          "weapon_class": ["strike_drone"], "stopped_rate": [0.9],
                          "stopped_rate_lo": [0.8], "stopped_rate_hi": [0.95]})
    areas = pd.DataFrame({"place": ["Primorsko-Akhtarsk"], "nights": [4],
                          "weapon_class": ["strike_drone"]})
    for fig in (campaign.weapon_mix_chart(mix), campaign.defense_chart(rates),
                campaign.launch_areas_chart(areas)):
        figures.finish(fig)
        named = {t.name: t.marker.color for t in fig.data if t.name}
        assert named["strike drone"] == figures.COLORS["strike_drone"]
        assert not any("_" in name for name in named)
    assert {t.name for t in campaign.weapon_mix_chart(mix).data} == {"strike drone",
                                                                      "tactical uav"}
