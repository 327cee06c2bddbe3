"""The campaign charts: each analysis of `strikescope.analysis.campaign` drawn as a plotly
figure (`*_chart`) and as a `ChartSpec` (`*_chart_spec`), the figure with a matplotlib
drawing of the same data, so that `save_chart` can write it as `.html` or `.png`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from strikescope.render.charts import (
    ChartSpec,
    add_bands,
    new_figure,
    save_with_source,
    share_axis,
    xy_png,
)
from strikescope.render.palette import SERIES_COLORS

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from strikescope.analysis.campaign import SaturationResult


def defense_chart(df: pd.DataFrame, rate: str = "stopped_rate") -> go.Figure:
    """Rate per period, one line per class, with the interval as error bars; the reporting
    regimes are shaded (a rate that moves at a band's edge moved with the reporting)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for cls, sub in df.groupby("weapon_class"):
        fig.add_trace(go.Scatter(
            x=sub["period"], y=sub[rate], name=_readable(cls), mode="lines+markers",
            error_y={"type": "data", "symmetric": False,
                     "array": sub[f"{rate}_hi"] - sub[rate],
                     "arrayminus": sub[rate] - sub[f"{rate}_lo"]}))
    fig.update_layout(title=f"{rate.replace('_', ' ')} (Wilson 95 %; shaded: how the "
                      "reports count)", yaxis={"range": [0, 1], "tickformat": ".0%"})
    if len(df):
        add_bands(fig, df["period"].min(), df["period"].max(), rate)
    return fig


def _readable(cls) -> str:
    """A class as the charts name it: "strike drone", as the night charts do (and as
    `palette.class_color` finds its colour), not the data's "strike_drone"."""
    return str(cls).replace("_", " ")


def _readable_classes(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(weapon_class=df["weapon_class"].map(_readable))


def partial_periods(first, last, by: str) -> list[tuple[pd.Timestamp, int, int]]:
    """The periods at the ends of the nights `first`..`last` that hold only some of their
    nights: (period start, nights in the range, nights in the period). A bar of 3 nights
    beside bars of 7 reads as a fall in launches; these are marked as partial."""
    from strikescope.analysis.campaign import PERIODS

    first, last = pd.Timestamp(first).normalize(), pd.Timestamp(last).normalize()
    out = []
    for period in dict.fromkeys((first.to_period(PERIODS[by]), last.to_period(PERIODS[by]))):
        lo, hi = period.start_time.normalize(), period.end_time.normalize()
        inside = (min(hi, last) - max(lo, first)).days + 1
        if inside < (hi - lo).days + 1:
            out.append((lo, inside, (hi - lo).days + 1))
    return out


def mark_partial(fig: go.Figure, first, last, by: str) -> go.Figure:
    """Draw the bars of a partial first or last period (see `partial_periods`) hatched and
    lighter, and say so under the axis ("partial week (hatched): 29 Dec 2025, 3 of 7
    nights"): a note there wraps on a phone where one over the bar would be cut off."""
    partial = partial_periods(first, last, by)
    starts = [start for start, _, _ in partial]
    for trace in fig.data:
        if trace.type != "bar" or trace.x is None:
            continue
        hit = pd.to_datetime(pd.Series(trace.x)).dt.normalize().isin(starts).to_numpy()
        if hit.any():
            trace.marker.opacity = np.where(hit, 0.45, 1.0).tolist()
            trace.marker.pattern = {"shape": ["/" if h else "" for h in hit], "solidity": 0.3}
    notes = [f"{start:%d %b %Y}, {inside} of {total} nights" for start, inside, total in partial]
    if notes:
        axis = fig.layout.xaxis.title.text
        note = f"partial {by} (hatched): " + "; ".join(notes)
        fig.update_xaxes(title_text=f"{axis}; {note}" if axis else note)
    return fig


def period_axis(fig: go.Figure, by: str, periods: int) -> go.Figure:
    """Label a bar per week or month by its date alone: on a short range plotly's own
    ticks fall between days and read "00:00:00". One tick per period when they are few."""
    label = {"week": "%d %b %Y", "month": "%b %Y"}.get(by, "%d %b %Y")
    fig.update_xaxes(type="date", tickformat=label, hoverformat=label)
    if periods <= 12:
        fig.update_xaxes(dtick="M1" if by == "month" else 7 * 86_400_000,
                         tick0="2000-01-03" if by == "week" else "2000-01-01")
    return fig


def saturation_chart(result: SaturationResult) -> go.Figure:
    import plotly.graph_objects as go

    c, b = result.curve, result.bins
    fig = go.Figure([
        go.Scatter(x=c["salvo"], y=c["rate_hi"], line={"width": 0}, showlegend=False),
        go.Scatter(x=c["salvo"], y=c["rate_lo"], fill="tonexty", line={"width": 0},
                   name="95 % band"),
        go.Scatter(x=c["salvo"], y=c["rate"], name="fitted (trend held)"),
        go.Scatter(x=b["median_salvo"], y=b["shot_down_rate"], mode="markers", name="binned",
                   error_y={"type": "data", "symmetric": False,
                            "array": b["shot_down_rate_hi"] - b["shot_down_rate"],
                            "arrayminus": b["shot_down_rate"] - b["shot_down_rate_lo"]}),
    ])
    fig.update_layout(title=f"Saturation: {_readable(result.weapon_class)}", xaxis={"type": "log",
                      "title": "salvo (launched with outcome)"},
                      yaxis={"title": "shot-down rate", "tickformat": ".0%"})
    return fig


def weapon_mix_chart(df: pd.DataFrame) -> go.Figure:
    import plotly.express as px

    return px.bar(_readable_classes(df), x="period", y="launched", color="weapon_class",
                  title="Launches per period and class")


def decoy_chart(df: pd.DataFrame) -> go.Figure:
    import plotly.graph_objects as go

    fig = go.Figure([go.Bar(x=df["period"], y=df["shahed"], name="Shahed-type"),
                     go.Bar(x=df["period"], y=df["decoys"], name="decoys")])
    fig.update_layout(barmode="stack", title="Strike drones vs decoys (where reported)")
    return fig


def massive_chart(df: pd.DataFrame) -> go.Figure:
    import plotly.express as px

    return px.scatter(df, x="night", y="total_launched", color="trigger",
                      size="missiles_launched", title="Massive combined strikes")


def launch_areas_chart(df: pd.DataFrame, top: int = 15) -> go.Figure:
    import plotly.express as px

    d = df.sort_values("nights", ascending=False).groupby("weapon_class").head(top)
    return px.bar(_readable_classes(d), x="nights", y="place", color="weapon_class",
                  orientation="h",
                  title="Launch areas (nights named)")


def region_chart(df: pd.DataFrame, measure: str = "nights") -> go.Figure:
    from strikescope.render.tilemap import tile_map

    return tile_map(df.set_index("region_id")[measure], title=f"Regions: {measure}",
                    unit=measure.replace("_", " "))


def shelter_chart(df: pd.DataFrame) -> go.Figure:
    import plotly.express as px

    return px.scatter(df, x="total_launched", y="hours_under_alert", color="massive",
                      hover_data=["night"], title="Hours under alert vs launches")


def weather_chart(df: pd.DataFrame) -> go.Figure:
    import plotly.graph_objects as go

    fig = go.Figure()
    for flag, sub in df.groupby("flag"):
        fig.add_trace(go.Bar(
            x=sub["factor"], y=sub["drone_shot_down_rate"],
            name="nights with it" if flag else "nights without it",
            error_y={"type": "data", "symmetric": False,
                     "array": sub["drone_shot_down_rate_hi"] - sub["drone_shot_down_rate"],
                     "arrayminus": sub["drone_shot_down_rate"]
                     - sub["drone_shot_down_rate_lo"]}))
    fig.update_layout(barmode="group", title="Drone shot-down rate by night weather",
                      yaxis={"tickformat": ".0%"})
    return fig


# --- both renderings, for save_chart ------------------------------------------------


def _spec(figure: go.Figure, df: pd.DataFrame, x: str, y: str, hue: str | None,
          title: str, kind: str = "line") -> ChartSpec:
    return ChartSpec(figure, lambda path: xy_png(df, x, y, hue, path, title, kind))


def defense_chart_spec(df: pd.DataFrame) -> ChartSpec:
    title = "Stopped rate (shot down + lost) per period; shaded: how the reports count"
    return ChartSpec(defense_chart(df), lambda path: xy_png(
        df, "period", "stopped_rate", "weapon_class", path, title, bands="stopped_rate"))


def saturation_chart_spec(result: SaturationResult) -> ChartSpec:
    return _spec(saturation_chart(result), result.curve, "salvo", "rate", None,
                 result.summary()[:90])


def weapon_mix_chart_spec(df: pd.DataFrame) -> ChartSpec:
    return _spec(weapon_mix_chart(df), df, "period", "launched", "weapon_class",
                 "Launches per period and class")


def decoy_chart_spec(df: pd.DataFrame) -> ChartSpec:
    return _spec(decoy_chart(df), df, "period", "decoy_share", None,
                 "Share of decoys among drones")


def massive_chart_spec(df: pd.DataFrame) -> ChartSpec:
    return _spec(massive_chart(df), df, "night", "total_launched", "trigger",
                 "Massive strikes", "scatter")


def launch_areas_chart_spec(df: pd.DataFrame) -> ChartSpec:
    top = df.sort_values("nights", ascending=False).head(20)
    return _spec(launch_areas_chart(df), top, "place", "nights", "weapon_class",
                 "Launch areas", "barh")


def region_chart_spec(df: pd.DataFrame, measure: str = "nights") -> ChartSpec:
    from strikescope.render.tilemap import tile_map_png

    values = df.set_index("region_id")[measure]
    return ChartSpec(region_chart(df, measure), lambda path: tile_map_png(
        values, path, title=f"Regions: {measure}"))


def shelter_chart_spec(df: pd.DataFrame, region: str = "") -> ChartSpec:
    title = f"{region}: hours under alert" if region else "Hours under alert"
    return _spec(shelter_chart(df), df, "total_launched", "hours_under_alert", "massive",
                 title, "scatter")


def weather_chart_spec(df: pd.DataFrame) -> ChartSpec:
    return ChartSpec(weather_chart(df), lambda path: _weather_png(df, path))


def _weather_png(df: pd.DataFrame, path: Path) -> Path:
    """Drone shot-down rate on nights with and without each weather factor, with the
    Wilson intervals, on a 0-100 % axis."""
    fig = new_figure(figsize=(10, 5), dpi=100)
    ax = fig.add_subplot()
    factors = list(dict.fromkeys(df["factor"]))
    for k, (flag, label) in enumerate(((False, "nights without it"), (True, "nights with it"))):
        sub = df[df["flag"].astype(bool) == flag].set_index("factor").reindex(factors)
        pos = np.arange(len(factors)) + (k - 0.5) * 0.38
        rate = sub["drone_shot_down_rate"].to_numpy(dtype=float)
        err = [rate - sub["drone_shot_down_rate_lo"].to_numpy(dtype=float),
               sub["drone_shot_down_rate_hi"].to_numpy(dtype=float) - rate]
        ax.bar(pos, rate, width=0.38, yerr=err, capsize=3, label=label,
               color=SERIES_COLORS[k])
    ax.set_xticks(np.arange(len(factors)), [f.replace("_", " ") for f in factors])
    share_axis(ax, "drone_shot_down_rate")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title("Drone shot-down rate by night weather (95 % intervals)")
    ax.set_xlabel("weather factor of the night")
    ax.set_ylabel("drones shot down (%)")
    return save_with_source(fig, path)
