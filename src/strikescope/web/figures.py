"""Plotly figures for the dashboard, built from the same frames the JSON API returns."""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go

from strikescope.lazy import lazy_module
from strikescope.render.palette import CLASS_COLORS as COLORS
from strikescope.render.palette import SERIES_COLORS, SOURCE, class_color  # noqa: F401 - re-exported
from strikescope.web.service import TIMELINE_CLASSES

if TYPE_CHECKING:  # the real modules for the type checker; at run time on first use
    import pandas as pd
else:
    pd = lazy_module("pandas")

# Outcomes of the launches (night page): not the class colours, so that no bar reads as one.
OUTCOME_COLORS = {"launched": "#4d4d4d", "destroyed": "#0072B2", "not_reach_goal": "#56B4E9",
                  "reached": "#D55E00"}
EVENT_COLOR = "#000000"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"


def finish(fig: go.Figure, title: str | None = None, x: str | None = None,
           y: str | None = None) -> go.Figure:
    """Every chart of the site in one style: its title with the source line under it (so
    a downloaded image carries both), axis titles, the class colours, the legend below the
    plot instead of on the data, and no fixed width (the page sizes it)."""
    text = title or fig.layout.title.text or ""
    fig.update_layout(
        template="plotly_white", width=None, font={"family": FONT, "size": 13},
        title={"text": text, "x": 0, "xanchor": "left", "xref": "container", "y": 1,
               "yanchor": "top", "yref": "container", "pad": {"t": 10, "l": 8},
               "font": {"size": 17},
               "subtitle": {"text": SOURCE, "font": {"size": 11, "color": "#555"}}},
        margin={"l": 60, "r": 16, "t": 78, "b": 40},
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 0, "yref": "container",
                "yanchor": "bottom", "title": {"text": ""}})
    if x is not None:
        fig.update_xaxes(title_text=x, automargin=True)
    if y is not None:
        fig.update_yaxes(title_text=y, automargin=True)
    others = iter(SERIES_COLORS * 4)
    for trace in fig.data:
        if trace.type not in ("bar", "scatter"):
            continue
        color = class_color(trace.name or "")
        if color is None and trace.showlegend is False:
            continue  # a band's invisible edge
        color = color or next(others)
        trace.update(marker_color=color)
        if trace.type == "scatter":
            trace.update(line_color=color)
            if trace.fill in ("tonexty", "tozeroy"):
                trace.update(fillcolor=_faint(color))
    return fig


def _faint(color: str) -> str:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},0.25)"


def drawn_classes(nights: pd.DataFrame) -> list[tuple[str, str]]:
    """(class, column) of the timeline's classes with a launch on some night."""
    return [(cls, f"{cls}_launched") for cls in TIMELINE_CLASSES
            if f"{cls}_launched" in nights and (nights[f"{cls}_launched"] > 0).any()]


def timeline_figure(nights: pd.DataFrame, events: pd.DataFrame) -> go.Figure:
    """Launches per night stacked by class, with the diplomatic events as markers above.

    Event markers carry the event id in `customdata` so a click can open its study; bars
    carry the night so a click opens the night.
    """
    fig = go.Figure()
    days = nights["night"].dt.strftime("%Y-%m-%d") if len(nights) else []
    for cls, col in drawn_classes(nights):
        # Only the nights with launches of this class: zero-height bars cost drawing time
        # (most classes are absent on most nights) and add nothing to the stack.
        some = nights[col] > 0
        fig.add_trace(go.Bar(x=days[some], y=nights.loc[some, col],
                             name=cls.replace("_", " "), marker_color=COLORS[cls],
                             customdata=days[some],
                             hovertemplate="%{x}: %{y} " + cls + "<extra></extra>"))
    top = float(nights["total_launched"].max()) if len(nights) else 1.0
    if len(events):
        fig.add_trace(go.Scatter(
            x=events["date"].dt.strftime("%Y-%m-%d"), y=[top * 1.08] * len(events),
            mode="markers", name="diplomatic events", customdata=events["event_id"],
            text=events["title"], marker={"symbol": "diamond", "size": 10, "color": "#ffffff",
                                          "line": {"width": 2, "color": EVENT_COLOR}},
            hovertemplate="%{x}<br>%{text}<extra>event</extra>", meta="events"))
    if "provisional" in nights and nights["provisional"].any():
        # figures from a parsed morning statement, until a digitised release covers them
        mine = nights[nights["provisional"].astype(bool)]
        fig.add_trace(go.Scatter(
            x=mine["night"].dt.strftime("%Y-%m-%d"), y=mine["total_launched"] * 1.03 + 1,
            mode="markers", name="provisional (statement as parsed)",
            customdata=mine["night"].dt.strftime("%Y-%m-%d"),
            marker={"symbol": "triangle-down", "size": 9, "color": "#555555"},
            hovertemplate="%{x}: provisional, from the Air Force statement as parsed"
                          "<extra></extra>"))
    fig.update_layout(barmode="stack", bargap=0, hovermode="closest", height=480)
    finish(fig, "Long-range drones and missiles launched per night, by class",
           "night (18:00 to 18:00 Kyiv time, dated by its end)", "launched per night")
    fig.update_layout(
        # No range slider: it draws every bar a second time and doubles the render time.
        xaxis={"type": "date",
               "rangeselector": {"buttons": [
                   {"count": 1, "label": "1m", "step": "month", "stepmode": "backward"},
                   {"count": 6, "label": "6m", "step": "month", "stepmode": "backward"},
                   {"count": 1, "label": "1y", "step": "year", "stepmode": "backward"},
                   {"step": "all", "label": "all"}]}})
    return fig


def classes_figure(classes: pd.DataFrame, night: str = "") -> go.Figure:
    """Launched, shot down, lost and reached per class for one night."""
    names = classes["weapon_class"].tolist()
    fig = go.Figure()
    for col, color in OUTCOME_COLORS.items():
        if col in classes:
            fig.add_trace(go.Bar(x=names, y=classes[col].astype("Float64").fillna(0),
                                 name=OUTCOME_NAMES[col], marker_color=color))
    fig.update_layout(barmode="group", height=380)
    return finish(fig, f"Night ending {night}: launches and outcomes by class" if night
                  else "Launches and outcomes by class", "weapon class", "weapons (count)")


OUTCOME_NAMES = {"launched": "launched", "destroyed": "shot down",
                 "not_reach_goal": "lost (electronic warfare)", "reached": "reached"}


def regions_figure(regions: pd.DataFrame, night: str = "") -> go.Figure:
    """Tile map: report rows naming each region that night."""
    from strikescope.render.tilemap import tile_map

    values = dict(zip(regions["region_id"], regions["reports"], strict=True))
    fig = tile_map(values, unit="report rows")
    fig.update_layout(height=440)
    return finish(fig, f"Night ending {night}: counted report rows naming each region"
                  if night else "Counted report rows naming each region")


def frame_figure(df: pd.DataFrame, x: str, ys: list[str], kind: str = "line",
                 title: str = "") -> go.Figure:
    """A plain line or bar chart of some columns of a frame."""
    trace = go.Scatter if kind == "line" else go.Bar
    fig = go.Figure([trace(x=df[x], y=df[y], name=y) for y in ys if y in df])
    fig.update_layout(height=380)
    return finish(fig, title, x.replace("_", " "), ", ".join(ys).replace("_", " "))


def timeline_png(nights: pd.DataFrame, events: pd.DataFrame) -> bytes:
    """The timeline as a static PNG: the page shows it at once and swaps in the interactive
    plotly chart as soon as plotly.js has loaded, so a first visit does not wait for it."""
    import io

    # A Figure of its own, not pyplot: pyplot keeps global state, and this runs in the
    # request threads and the warm-up thread at once.
    from matplotlib.figure import Figure

    fig = Figure(figsize=(14, 4.8), dpi=80)
    ax = fig.subplots()
    bottom = pd.Series(0.0, index=nights.index)
    for cls, col in drawn_classes(nights):
        ax.bar(nights["night"], nights[col], bottom=bottom, width=1.0,
               color=COLORS[cls], label=cls.replace("_", " "))
        bottom = bottom + nights[col]
    if len(events):
        top = float(bottom.max() or 1.0) * 1.08
        ax.scatter(events["date"], [top] * len(events), marker="D", s=40, color="#ffffff",
                   edgecolors=EVENT_COLOR, linewidths=1.5, label="diplomatic events",
                   zorder=3)
    fig.suptitle("Long-range drones and missiles launched per night, by class", x=0.01,
                 ha="left", fontsize=12)
    fig.text(0.01, 0.905, SOURCE, fontsize=8, color="#555555", ha="left")
    ax.set_ylabel("launched per night")
    ax.set_xlabel("night (18:00 to 18:00 Kyiv time, dated by its end)")
    if ax.get_legend_handles_labels()[0]:  # a store without nights draws nothing to name
        # Below the plot, off the bars and the event markers.
        fig.legend(*ax.get_legend_handles_labels(), loc="lower left", ncol=9, fontsize=8,
                   frameon=False, bbox_to_anchor=(0.01, 0))
    ax.margins(x=0.01)
    fig.tight_layout(rect=(0, 0.06, 1, 0.9))
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
