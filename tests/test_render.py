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
