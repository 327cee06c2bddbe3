"""Plotly figures for the dashboard, built from the same frames the JSON API returns."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from strikescope.web.service import TIMELINE_CLASSES

COLORS = {"strike_drone": "#d62728", "cruise": "#1f77b4", "ballistic": "#9467bd",
          "aeroballistic": "#8c564b", "antiship": "#17becf", "guided_bomb": "#7f7f7f",
          "unknown": "#bcbd22", "mixed": "#ff7f0e"}


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
            text=events["title"], marker={"symbol": "diamond", "size": 11, "color": "#2ca02c",
                                          "line": {"width": 1, "color": "#145214"}},
            hovertemplate="%{x}<br>%{text}<extra>event</extra>", meta="events"))
    fig.update_layout(
        barmode="stack", bargap=0, hovermode="closest", height=480,
        margin={"l": 50, "r": 10, "t": 30, "b": 40}, legend={"orientation": "h", "y": 1.1},
        yaxis={"title": "launched (long-range)"},
        # No range slider: it draws every bar a second time and doubles the render time.
        xaxis={"type": "date",
               "rangeselector": {"buttons": [
                   {"count": 1, "label": "1m", "step": "month", "stepmode": "backward"},
                   {"count": 6, "label": "6m", "step": "month", "stepmode": "backward"},
                   {"count": 1, "label": "1y", "step": "year", "stepmode": "backward"},
                   {"step": "all", "label": "all"}]}})
    return fig


def classes_figure(classes: pd.DataFrame) -> go.Figure:
    """Launched, shot down, lost and reached per class for one night."""
    names = classes["weapon_class"].tolist()
    fig = go.Figure()
    for col, color in (("launched", "#444"), ("destroyed", "#2ca02c"),
                       ("not_reach_goal", "#1f77b4"), ("reached", "#d62728")):
        if col in classes:
            fig.add_trace(go.Bar(x=names, y=classes[col].astype("Float64").fillna(0),
                                 name=col.replace("_", " "), marker_color=color))
    fig.update_layout(barmode="group", height=340, margin={"l": 50, "r": 10, "t": 30, "b": 40})
    return fig


def regions_figure(regions: pd.DataFrame) -> go.Figure:
    """Tile map: report rows naming each region that night."""
    from strikescope.regions import tile_map

    values = dict(zip(regions["region_id"], regions["reports"], strict=True))
    fig = tile_map(values, title="report rows naming the region")
    fig.update_layout(height=420)
    return fig


def frame_figure(df: pd.DataFrame, x: str, ys: list[str], kind: str = "line",
                 title: str = "") -> go.Figure:
    """A plain line or bar chart of some columns of a frame."""
    trace = go.Scatter if kind == "line" else go.Bar
    fig = go.Figure([trace(x=df[x], y=df[y], name=y) for y in ys if y in df])
    fig.update_layout(title=title, height=380, margin={"l": 50, "r": 10, "t": 40, "b": 40})
    return fig


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
        ax.scatter(events["date"], [top] * len(events), marker="D", s=40, color="#2ca02c",
                   edgecolors="#145214", label="diplomatic events", zorder=3)
    ax.set_ylabel("launched (long-range)")
    if ax.get_legend_handles_labels()[0]:  # a store without nights draws nothing to name
        ax.legend(loc="upper left", ncol=5, fontsize=8, frameon=False)
    ax.margins(x=0.01)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
