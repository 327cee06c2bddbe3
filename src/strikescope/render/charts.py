"""What every chart shares: a chart in its two renderings (`ChartSpec`), writing it by the
path's suffix, a matplotlib figure that touches no global state, and the static drawing of
one measure against another.

matplotlib is used only through `Figure` and its Agg canvas, never through pyplot: no
backend is chosen and no rcParams are changed for the program that imports this."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from strikescope.errors import InputError
from strikescope.render.palette import SOURCE, class_color

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

PathLike = str | os.PathLike

CHART_SUFFIXES = (".html", ".png")
# More series than this on one line chart are drawn as small multiples, one panel each.
MAX_LINES = 4
# Measures that are shares: drawn from 0 to 100 % so that no axis is cut.
SHARES = {"stopped_rate", "shot_down_rate", "drone_shot_down_rate", "decoy_share", "rate",
          "ew_loss_rate"}
# The shades of the reporting regimes (rules/regimes.py), in their order: plotly, and the
# same hues opaque for matplotlib, where they are drawn under the lines.
BAND_COLORS = ("rgba(150,150,150,0.15)", "rgba(31,119,180,0.10)", "rgba(255,127,14,0.12)")
PNG_BAND_COLORS = ("0.85", "#cfe2f3", "#fde5cc")


@dataclass
class ChartSpec:
    """One chart in both renderings: the plotly figure (HTML) and a matplotlib drawing of
    the same data (PNG), because plotly's own static export needs kaleido and a browser."""

    figure: go.Figure
    draw_png: Callable[[Path], Path]


def new_figure(**kw) -> Figure:
    """A matplotlib figure with its own Agg canvas (kw: figsize, dpi)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(**kw)
    FigureCanvasAgg(fig)
    return fig


def chart_suffix(path: PathLike) -> str:
    """The chart format a path asks for; InputError for anything but .html or .png."""
    suffix = Path(path).suffix.lower()
    if suffix not in CHART_SUFFIXES:
        raise InputError(f"chart file {os.fspath(path)!r}: the suffix must be one of "
                         f"{', '.join(CHART_SUFFIXES)}")
    return suffix


def save_chart(chart: ChartSpec | go.Figure, path: PathLike) -> Path:
    """Write a chart by the path's suffix: `.html` is the interactive figure with plotly's
    JavaScript inlined (works offline), `.png` the matplotlib drawing. A bare figure has
    no PNG drawing, so it can only be written as HTML."""
    path = Path(path)
    suffix = chart_suffix(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".html":
        figure = chart.figure if isinstance(chart, ChartSpec) else chart
        figure.write_html(path, include_plotlyjs=True)
    elif isinstance(chart, ChartSpec):
        chart.draw_png(path)
    else:
        raise InputError("a PNG needs a ChartSpec (e.g. defense_chart_spec(df)); "
                         "a plotly figure alone can only be saved as .html")
    return path


def xy_png(df: pd.DataFrame, x: str, y: str, hue: str | None, path: Path, title: str,
           kind: str = "line", bands: str | None = None) -> Path:
    """A static chart of `y` against `x`, one colour per weapon class when `hue` names
    classes; a line chart with many series becomes small multiples on a shared y axis;
    shares run from 0 to 100 %. `bands`: shade the reporting regimes affecting that
    measure (a date x axis). The source line is drawn under it."""
    groups = list(df.groupby(hue)) if hue else [("", df)]
    panels = groups if kind == "line" and len(groups) > MAX_LINES else [(None, df)]
    cols = min(3, len(panels))
    rows = -(-len(panels) // cols)
    fig = new_figure(figsize=(10 if cols == 1 else 4 * cols,
                              5 if rows == 1 else 2.6 * rows + 1), dpi=100)
    # shares on one 0-100 % scale; counts each on their own (thousands of drones would
    # flatten a class launched a few times)
    axes = fig.subplots(rows, cols, sharex=True, sharey=y in SHARES, squeeze=False).ravel()
    for ax, (panel, sub) in zip(axes, panels, strict=False):
        if bands and len(sub):
            regime_bands(ax, df[x].min(), df[x].max(), bands)
        shown = [(panel, sub)] if panel is not None else groups
        _series(ax, shown, x, y, kind)
        if panel is not None:
            ax.set_title(str(panel).replace("_", " "), fontsize=9)
        share_axis(ax, y)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    if hue and len(panels) == 1:
        axes[0].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    elif bands:  # small multiples: one legend for the shaded reporting regimes
        handles, labels = axes[0].get_legend_handles_labels()
        keep = [(h, lab) for h, lab in zip(handles, labels, strict=True)
                if lab != str(panels[0][0]).replace("_", " ")]
        if keep:
            fig.legend(*zip(*keep, strict=True), fontsize=7, loc="lower right", ncols=3)
    if pd.api.types.is_datetime64_any_dtype(df[x]):
        fig.autofmt_xdate()
    fig.suptitle(title)
    fig.supxlabel(x.replace("_", " "))
    fig.supylabel(y.replace("_", " ") + (" (%)" if y in SHARES else ""))
    return save_with_source(fig, path)


def save_with_source(fig: Figure, path: Path) -> Path:
    """Write the figure with the data's source in small print under it."""
    fig.text(0.01, 0.005, SOURCE, fontsize=7, color="#555555")
    fig.savefig(path, bbox_inches="tight")
    return path


def _series(ax, groups, x: str, y: str, kind: str) -> None:
    for name, sub in groups:
        color = class_color(name)
        label = str(name).replace("_", " ")
        if kind == "scatter":
            ax.scatter(sub[x], sub[y], label=label, s=12, color=color)
        elif kind == "barh":
            ax.barh(sub[x].astype(str), sub[y], label=label, color=color)
        else:
            ax.plot(sub[x], sub[y], marker="o", ms=3, label=label, color=color)


def share_axis(ax, y: str) -> None:
    """A share from 0 to 100 %; a count from 0 up."""
    from matplotlib.ticker import PercentFormatter

    if y in SHARES:
        ax.set_ylim(0, 1.02)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    else:
        ax.set_ylim(bottom=0)
    ax.tick_params(labelsize=7)


def _regime_spans(first, last, measure: str | None):
    """(position, first night, last night, label) of each regime over `first`..`last`."""
    from strikescope.rules.regimes import regimes

    lo, hi = pd.Timestamp(first), pd.Timestamp(last)
    for i, r in enumerate(regimes(measure).itertuples()):
        x0 = max(lo, r.first_night) if pd.notna(r.first_night) else lo
        x1 = min(hi, r.last_night) if pd.notna(r.last_night) else hi
        if x0 <= x1:
            yield i, x0, x1, r.label


def add_bands(fig: go.Figure, first, last, measure: str | None = None) -> go.Figure:
    """Shade each regime over `first`..`last` on a plotly figure with a date x axis, labelled
    at the top; returns the figure."""
    for i, x0, x1, label in _regime_spans(first, last, measure):
        fig.add_vrect(x0=x0, x1=x1, fillcolor=BAND_COLORS[i % len(BAND_COLORS)], line_width=0,
                      layer="below", annotation_text=label, annotation_position="top left",
                      annotation_font_size=10)
    return fig


def regime_bands(ax, first, last, measure: str) -> None:
    """Shade the reporting regimes affecting `measure` over `first`..`last` (matplotlib)."""
    for i, x0, x1, label in _regime_spans(first, last, measure):
        ax.axvspan(x0, x1, color=PNG_BAND_COLORS[i % len(PNG_BAND_COLORS)], zorder=0, lw=0,
                   label=label)
