"""The charts of the forecasts: a backtest's reliability diagram, PIT histograms and CRPS
over time (plotly figures, or written as HTML and PNG), and the reliability of a
walk-forward run's P(massive night)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from strikescope.render.charts import new_figure

if TYPE_CHECKING:
    from strikescope.analysis.forecast import BacktestResult
    from strikescope.analysis.walkforward import WalkForward


def charts(result: BacktestResult) -> dict:
    """Plotly figures: `reliability` of P(massive night), `pit` histograms per target,
    `crps_over_time` (weekly mean CRPS)."""
    import plotly.express as px

    rel = result.reliability()
    fig_rel = px.line(rel, x="mean_prob", y="observed", color="model", markers=True,
                      title="Reliability of P(massive night)",
                      labels={"mean_prob": "forecast probability", "observed": "observed"})
    fig_rel.add_shape(type="line", x0=0, y0=0, x1=1, y1=1, line={"dash": "dot"})
    pit = result.pit()
    fig_pit = px.bar(pit, x="bin_low", y="share", color="model", barmode="group",
                     facet_row="target", title="Randomized PIT histogram (flat = calibrated)")
    counts = result.records[result.records.target != "massive"]
    weekly = (counts.groupby(["model", "target", pd.Grouper(key="night", freq="W")])["crps"]
              .mean().reset_index())
    fig_crps = px.line(weekly, x="night", y="crps", color="model", facet_row="target",
                       title="Weekly mean CRPS (all horizons)")
    fig_crps.update_yaxes(matches=None)
    return {"reliability": fig_rel, "pit": fig_pit, "crps_over_time": fig_crps}


def write_charts(result: BacktestResult, out_dir) -> list:
    """Write each chart as interactive HTML (plotly.js from its CDN) and as a static PNG
    (matplotlib); returns the paths written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, fig in charts(result).items():
        html = out / f"{name}.html"
        fig.write_html(html, include_plotlyjs="cdn")
        paths.append(html)
    paths += _write_pngs(result, out)
    return paths


def _write_pngs(result: BacktestResult, out) -> list:
    paths = []
    fig = new_figure(figsize=(5, 5))
    ax = fig.subplots()
    for model, g in result.reliability().groupby("model"):
        ax.plot(g.mean_prob, g.observed, marker="o", label=model)
    ax.plot([0, 1], [0, 1], ls=":", color="grey")
    ax.set(xlabel="forecast probability", ylabel="observed frequency",
           title="Reliability of P(massive night)")
    ax.legend()
    paths.append(_save(fig, out / "reliability.png"))
    pit = result.pit()
    fig = new_figure(figsize=(10, 4))
    axes = fig.subplots(1, 2, sharey=True)
    for ax, (target, g) in zip(axes, pit.groupby("target"), strict=False):
        for i, (model, gm) in enumerate(g.groupby("model")):
            ax.bar(gm.bin_low + 0.02 * i, gm.share, width=0.02, label=model, align="edge")
        ax.axhline(0.1, color="grey", ls=":")
        ax.set(title=f"PIT {target}", xlabel="PIT")
    axes[0].legend()
    paths.append(_save(fig, out / "pit.png"))
    counts = result.records[result.records.target != "massive"]
    fig = new_figure(figsize=(10, 6))
    axes = fig.subplots(2, 1, sharex=True)
    for ax, (target, g) in zip(axes, counts.groupby("target"), strict=False):
        weekly = g.groupby(["model", pd.Grouper(key="night", freq="W")])["crps"].mean()
        for model, series in weekly.groupby(level="model"):
            ax.plot(series.index.get_level_values("night"), series.to_numpy(), label=model)
        ax.set(title=f"Weekly mean CRPS, {target}")
    axes[0].legend()
    paths.append(_save(fig, out / "crps_over_time.png"))
    return paths


def _save(fig, path):
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def walkforward_reliability_png(result: WalkForward, models, path: Path) -> Path:
    """Forecast probability against observed frequency of a walk-forward run, one line per
    model, bins with 10+ nights, on a 0-0.4 scale."""
    fig = new_figure(figsize=(5, 5))
    ax = fig.subplots()
    for m in models:
        t = result.reliability(m)
        t = t[t.n >= 10]
        ax.plot(t.mean_prob, t.observed, marker="o", label=m)
    ax.plot([0, 0.4], [0, 0.4], ls=":", color="grey", label="perfectly reliable")
    ax.set(xlabel="forecast P(massive night), 1 night ahead", ylabel="observed frequency",
           title="Reliability of P(massive), walk-forward 2025", xlim=(0, 0.4), ylim=(0, 0.4))
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90, metadata={"Software": None})
    return path


def walkforward_horizons_png(result: WalkForward, model: str, path: Path) -> Path:
    """The reliability of one model's P(massive) at every horizon of a walk-forward run,
    one line per horizon, bins with 10+ nights, on a 0-0.4 scale."""
    from matplotlib import colormaps

    fig = new_figure(figsize=(5, 5))
    ax = fig.subplots()
    colours = colormaps["viridis"]
    for h, t in result.reliability_by_horizon(model).groupby("horizon"):
        t = t[t.n >= 10]
        ax.plot(t.mean_prob, t.observed, marker="o", color=colours((h - 1) / 6),
                label=f"{h} night{'s' if h > 1 else ''} ahead")
    ax.plot([0, 0.4], [0, 0.4], ls=":", color="grey", label="perfectly reliable")
    ax.set(xlabel=f"forecast P(massive night), {model}", ylabel="observed frequency",
           title="Reliability of P(massive) by horizon, 2025", xlim=(0, 0.4), ylim=(0, 0.4))
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=90, metadata={"Software": None})
    return path
