"""The tile map: Ukraine's regions as a grid of equal tiles (`data/regions.csv` gives each
its row and column), coloured by a value per region, as a plotly figure or a PNG.

Drawing lives here, apart from the region rules in `regions.py`, so that recolouring a map
does not change the rules that build the store (their version covers `regions.py`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from strikescope.errors import InputError
from strikescope.regions import _table, map_regions

if TYPE_CHECKING:
    import plotly.graph_objects as go


def _values_by_region(values: Mapping[str, float] | pd.Series) -> pd.Series:
    """Values keyed by region_id; unknown keys are an error, never silently dropped."""
    series = pd.Series(values, dtype="float64")
    ids = map_regions(pd.Series(series.index.astype(str), dtype="str"), places=False)
    unknown = series.index[ids.isna().to_numpy()].tolist()
    if unknown:
        raise InputError(f"not a region: {unknown}")
    twice = series.index[ids.duplicated(keep=False).to_numpy()].tolist()
    if twice:
        raise InputError(f"one region given under several names: {twice}")
    series.index = pd.Index(ids.to_numpy())
    return series


def _format_value(value: float) -> str:
    if np.isnan(value):
        return "–"
    # a count is a whole number: '9', not '9.0'
    return f"{value:,.0f}" if abs(value) >= 10 or float(value).is_integer() else f"{value:.1f}"


def _tile_frame(values: Mapping[str, float] | pd.Series) -> pd.DataFrame:
    frame = _table()[["region_id", "name_en", "abbr", "tile_row", "tile_col"]].copy()
    frame["value"] = _values_by_region(values).reindex(frame.index)
    frame["label"] = [
        f"{a}<br>{_format_value(v)}" for a, v in zip(frame.abbr, frame.value, strict=True)
    ]
    return frame


def _grid(frame: pd.DataFrame, column: str, fill) -> np.ndarray:
    # The full grid for every trace, so the grey and coloured layers line up.
    shape = (_table().tile_row.max() + 1, _table().tile_col.max() + 1)
    grid = np.full(shape, fill, dtype=object)
    grid[frame.tile_row.to_numpy(), frame.tile_col.to_numpy()] = frame[column].to_numpy()
    return grid


def tile_map(
    values: Mapping[str, float] | pd.Series,
    title: str = "",
    colorscale: str = "Reds",
    missing_color: str = "#d9d9d9",
    unit: str = "",
) -> go.Figure:
    """A tile-grid map of Ukraine as a plotly Figure: one square per region, coloured
    by value (keys may be any region spelling); regions without a value are grey. The
    colour bar, titled `unit`, starts at 0 for values that are not negative: a map where
    every region has 1 is not coloured as a range around 1."""
    # Imported here: plotting libraries are slow to load and most callers only map names.
    import plotly.graph_objects as go

    frame = _tile_frame(values)
    has = frame.value.notna()
    hover = frame.name_en + ": " + frame.value.map(_format_value)
    frame = frame.assign(hover=hover, text=frame.label)
    fig = go.Figure()
    for subset, scale, show in (
        (frame[~has].assign(z=0.0), [[0, missing_color], [1, missing_color]], False),
        (frame[has].assign(z=frame.value[has]), colorscale, True),
    ):
        if subset.empty:
            continue
        fig.add_trace(
            go.Heatmap(
                z=_grid(subset, "z", np.nan).astype(float),
                text=_grid(subset, "text", ""),
                hovertext=_grid(subset, "hover", ""),
                texttemplate="%{text}",
                hovertemplate="%{hovertext}<extra></extra>",
                colorscale=scale,
                showscale=show,
                colorbar={"title": {"text": unit}},
                # plotly keeps its own range unless given both ends
                zmin=min(0.0, float(np.nanmin(subset.z))),
                zmax=max(1.0, float(np.nanmax(subset.z))),
                hoverongaps=False,
                xgap=3,
                ygap=3,
            )
        )
    axis = {"visible": False, "showgrid": False, "zeroline": False}
    fig.update_layout(
        title=title,
        xaxis={**axis, "range": [-0.5, frame.tile_col.max() + 0.5]},
        yaxis={**axis, "autorange": "reversed", "scaleanchor": "x"},
        plot_bgcolor="white",
        margin={"l": 10, "r": 10, "t": 50 if title else 10, "b": 10},
    )
    return fig


def tile_map_png(
    values: Mapping[str, float] | pd.Series,
    path: str | Path,
    title: str = "",
    cmap: str = "Reds",
    missing_color: str = "#d9d9d9",
) -> Path:
    """The same tile-grid map drawn with matplotlib (Agg) into a PNG file."""
    from matplotlib import colormaps
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    frame = _tile_frame(values)
    colours = colormaps[cmap]
    known = frame.value.dropna()
    norm = Normalize(known.min() if len(known) else 0, known.max() if len(known) else 1)
    fig = Figure(figsize=(10, 6), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for row in frame.itertuples(index=False):
        face = missing_color if np.isnan(row.value) else colours(norm(row.value))
        ax.add_patch(Rectangle((row.tile_col, row.tile_row), 0.94, 0.94, facecolor=face))
        dark = not np.isnan(row.value) and norm(row.value) > 0.6
        ax.text(
            row.tile_col + 0.47,
            row.tile_row + 0.47,
            row.label.replace("<br>", "\n"),
            ha="center",
            va="center",
            fontsize=9,
            color="white" if dark else "black",
        )
    ax.set_xlim(-0.1, frame.tile_col.max() + 1)
    ax.set_ylim(frame.tile_row.max() + 1, -0.1)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    fig.colorbar(ScalarMappable(norm=norm, cmap=colours), ax=ax, shrink=0.6)
    path = Path(path)
    fig.savefig(path, bbox_inches="tight")
    return path
