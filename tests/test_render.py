"""The render package draws without touching matplotlib's global state."""

from __future__ import annotations

import types

import matplotlib
import pandas as pd

from strikescope.render.charts import new_figure, xy_png
from strikescope.render.forecast import walkforward_reliability_png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_drawing_changes_no_backend_and_no_rcparams(tmp_path):
    backend, params = matplotlib.get_backend(), dict(matplotlib.rcParams)
    df = pd.DataFrame({"period": pd.to_datetime(["2025-01-01", "2025-02-01"]),
                       "weapon_class": ["cruise", "cruise"], "stopped_rate": [0.5, 0.7]})
    path = xy_png(df, "period", "stopped_rate", "weapon_class", tmp_path / "a.png", "t")
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    assert matplotlib.get_backend() == backend and dict(matplotlib.rcParams) == params


def test_a_new_figure_has_its_own_agg_canvas():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    assert isinstance(new_figure(figsize=(2, 2)).canvas, FigureCanvasAgg)


def test_walkforward_reliability_keeps_the_bins_with_ten_nights(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    tables = {"stack": pd.DataFrame({"mean_prob": [0.05, 0.15, 0.3], "observed": [0.04, 0.2, 0.5],
                                     "n": [40, 12, 9]}),
              "climatology": pd.DataFrame({"mean_prob": [0.1], "observed": [0.1], "n": [10]})}
    result = types.SimpleNamespace(reliability=tables.__getitem__)
    drawn = []
    monkeypatch.setattr(Figure, "savefig", lambda self, *a, **k: drawn.append(self))
    walkforward_reliability_png(result, ["stack", "climatology"], tmp_path / "r.png")
    lines = drawn[0].axes[0].get_lines()
    # one line per model and the diagonal; the bin of 9 nights is left out
    assert [list(line.get_xdata()) for line in lines] == [[0.05, 0.15], [0.1], [0, 0.4]]


def test_partial_periods_at_the_ends_of_a_range_by_hand():
    from strikescope.render.campaign import partial_periods

    # Wed 2025-12-03 .. Wed 2025-12-31: the week of Mon 1 Dec holds 5 of its nights (3-7
    # Dec), the week of Mon 29 Dec 3 (29-31 Dec); December 29 of its 31 (3-31 Dec).
    assert partial_periods("2025-12-03", "2025-12-31", "week") == [
        (pd.Timestamp("2025-12-01"), 5, 7), (pd.Timestamp("2025-12-29"), 3, 7)]
    assert partial_periods("2025-12-03", "2025-12-31", "month") == [
        (pd.Timestamp("2025-12-01"), 29, 31)]
    # whole weeks, Monday to Sunday, and a whole month: nothing partial
    assert partial_periods("2025-12-01", "2025-12-14", "week") == []
    assert partial_periods("2025-11-01", "2025-11-30", "month") == []
    # one day: its week holds 1 of 7 nights, named once
    assert partial_periods("2025-12-10", "2025-12-10", "week") == [
        (pd.Timestamp("2025-12-08"), 1, 7)]


def test_mark_partial_hatches_both_end_bars_and_says_so():
    import plotly.graph_objects as go

    from strikescope.render.campaign import mark_partial

    weeks = pd.to_datetime(["2025-12-15", "2025-12-22", "2025-12-29"])
    fig = go.Figure([go.Bar(x=weeks, y=[1, 2, 3], name="a"),
                     go.Bar(x=weeks[1:], y=[4, 5], name="b")])
    fig.update_xaxes(title_text="week (first night)")
    mark_partial(fig, "2025-12-20", "2025-12-31", "week")
    assert list(fig.data[0].marker.opacity) == [0.45, 1.0, 0.45]
    assert list(fig.data[0].marker.pattern.shape) == ["/", "", "/"]
    assert list(fig.data[1].marker.opacity) == [1.0, 0.45]
    assert fig.layout.xaxis.title.text == (
        "week (first night); partial week (hatched): 15 Dec 2025, 2 of 7 nights; "
        "29 Dec 2025, 3 of 7 nights")
    whole = go.Figure([go.Bar(x=weeks, y=[1, 2, 3])])
    mark_partial(whole, "2025-12-15", "2026-01-04", "week")
    assert whole.data[0].marker.opacity is None and whole.layout.xaxis.title.text is None


def test_period_axis_labels_dates_without_hours():
    import plotly.graph_objects as go

    from strikescope.render.campaign import period_axis

    one = period_axis(go.Figure([go.Bar(x=pd.to_datetime(["2025-11-01"]), y=[1])]), "month", 1)
    assert one.layout.xaxis.tickformat == "%b %Y" and one.layout.xaxis.dtick == "M1"
    many = period_axis(go.Figure(), "week", 52)
    assert many.layout.xaxis.tickformat == "%d %b %Y" and many.layout.xaxis.dtick is None
