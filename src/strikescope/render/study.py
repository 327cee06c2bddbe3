"""The charts of an event study: the before and after sums per event, the nightly series
with the events and their windows, and the placebo distribution with the observed
statistic; as plotly figures (`charts`) or written as PNG and HTML (`save_charts`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from strikescope.render.charts import add_bands, new_figure

if TYPE_CHECKING:
    from strikescope.analysis.study import StudyResult

PathLike = str | os.PathLike


def charts(r: StudyResult) -> dict:
    """Plotly figures: `bars` (per event), `series` (nights, events, windows),
    `placebo` (distribution with the observed statistic)."""
    return {"bars": _fig_bars(r), "series": _fig_series(r), "placebo": _fig_placebo(r)}


def _value_label(r: StudyResult) -> str:
    return "interception rate" if r.is_rate else f"{r.metric} launched"


def _fig_bars(r: StudyResult):
    import plotly.graph_objects as go

    ev = r.events
    names = [f"{d:%Y-%m-%d}" for d in ev["date"]]
    fig = go.Figure(
        [
            go.Bar(name=f"{r.window} nights before", x=names, y=ev["before"]),
            go.Bar(name=f"{r.window} nights after", x=names, y=ev["after"]),
        ]
    )
    fig.update_layout(
        barmode="group",
        title=f"{_value_label(r)} before and after each event",
        yaxis_title=_value_label(r),
        xaxis_type="category",  # one bar pair per event, not a time axis
        template="plotly_white",
    )
    return fig


def _fig_series(r: StudyResult):
    import plotly.graph_objects as go

    s = r.series
    fig = go.Figure(
        go.Scatter(x=s.index, y=s.values, mode="lines", name=r.metric, line={"width": 1})
    )
    for d in r.events["date"]:
        fig.add_vrect(
            x0=d - pd.Timedelta(days=r.window),
            x1=d - pd.Timedelta(days=1),
            fillcolor="#9ecae1",
            opacity=0.3,
            line_width=0,
        )
        fig.add_vrect(
            x0=d + pd.Timedelta(days=1),
            x1=d + pd.Timedelta(days=r.window),
            fillcolor="#fdae6b",
            opacity=0.3,
            line_width=0,
        )
        fig.add_vline(x=d, line_color="#d62728", line_width=1)
    if r.regimes_spanned:
        add_bands(fig, s.index.min(), s.index.max(), "shot_down_rate")
    fig.update_layout(
        title=f"Nightly {r.metric} with events (red), before (blue) and after (orange) windows",
        template="plotly_white",
    )
    return fig


def _fig_placebo(r: StudyResult):
    import plotly.graph_objects as go

    fig = go.Figure(go.Histogram(x=r.placebo, nbinsx=60, name="placebo sets"))
    fig.add_vline(
        x=r.observed,
        line_color="#d62728",
        line_width=2,
        annotation_text=f"observed (p = {r.p_value:.3f})",
    )
    fig.update_layout(
        title="Placebo distribution of the event statistic",
        xaxis_title="mean event statistic",
        template="plotly_white",
    )
    return fig


def _png_bars(r: StudyResult, ax) -> None:
    ev = r.events
    x = np.arange(len(ev))
    ax.bar(x - 0.2, ev["before"], 0.4, label=f"{r.window} nights before")
    ax.bar(x + 0.2, ev["after"], 0.4, label=f"{r.window} nights after")
    ax.set_xticks(x, [f"{d:%Y-%m-%d}" for d in ev["date"]], rotation=45, ha="right")
    ax.set_ylabel(_value_label(r))
    ax.legend()


def _png_series(r: StudyResult, ax) -> None:
    s = r.series
    ax.plot(s.index, s.values, lw=0.8)
    one = pd.Timedelta(days=1)
    for d in r.events["date"]:
        ax.axvspan(d - r.window * one, d - one, color="#9ecae1", alpha=0.4, lw=0)
        ax.axvspan(d + one, d + r.window * one, color="#fdae6b", alpha=0.4, lw=0)
        ax.axvline(d, color="#d62728", lw=0.8)
    ax.set_ylabel(_value_label(r))


def _png_placebo(r: StudyResult, ax) -> None:
    ax.hist(r.placebo[~np.isnan(r.placebo)], bins=60, color="#999999")
    ax.axvline(r.observed, color="#d62728", lw=2, label=f"observed, p = {r.p_value:.3f}")
    ax.set_xlabel("mean event statistic over placebo sets")
    ax.legend()


def save_charts(r: StudyResult, directory: PathLike, stem: str = "study") -> list[Path]:
    """Each chart as PNG (matplotlib) and self-contained HTML (plotly, works offline)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    figures = charts(r)
    for name, draw in (("bars", _png_bars), ("series", _png_series), ("placebo", _png_placebo)):
        fig = new_figure(figsize=(8, 3.6), dpi=90)
        ax = fig.subplots()
        draw(r, ax)
        ax.set_title(figures[name].layout.title.text, fontsize=9)
        fig.tight_layout()
        png = directory / f"{stem}_{name}.png"
        fig.savefig(png)
        html = directory / f"{stem}_{name}.html"
        figures[name].write_html(html, include_plotlyjs=True)
        written += [png, html]
    return written
