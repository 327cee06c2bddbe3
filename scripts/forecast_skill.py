"""Choose the skill models' settings on 2024, then score 2025 once (walk-forward, as-of).

Usage: python scripts/forecast_skill.py [--db STORE | --attacks DIR] [--write]

1. Candidate settings are scored on a walk-forward over 2024 (1 night ahead, weekly refits);
   the one with the best mean of the drone CRPS skill, missile CRPS skill and massive-night
   Brier skill (all against the 28-night climatology) is kept.
2. That setting is run once over 2025 for horizons 1-7, with the ablations and the extra
   models (gradient boosting when scikit-learn is installed, the previous default `blend`).
With --write, the tables go into docs/forecast.md (between the skill markers) and the
README's backtest block. Deterministic: the same store gives the same tables.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import re
import tempfile
import time
from pathlib import Path

import pandas as pd

from strikescope.analysis import forecast as fc
from strikescope.analysis import walkforward as wf
from strikescope.render.forecast import walkforward_horizons_png, walkforward_reliability_png

ROOT = Path(__file__).resolve().parents[1]
TUNE = ("2024-01-01", "2024-12-31")
TEST = ("2025-01-01", "2025-12-31")
MEMBERS = ("climatology", "nb_level", "hurdle", "hazard")
CANDIDATES = {
    "default": {},
    "level half-life 3.5 nights": {"halflife": 3.5},
    "level half-life 14 nights": {"halflife": 14.0},
    "fit on the last 365 nights": {"train_window": 365},
    "stack weights from 180 nights": {"stack_window": 180},
    "hazard ridge 10": {"ridge": 10.0},
    "hazard with binned nights since massive": {"gap_bins": True},
    "levels add nights since massive": {"level_since": True},
    "stack adds 56-night climatology": {
        "members": ("climatology", "nb_level", "hurdle", "hazard", "clim56")},
    "stack adds nb_lags": {"members": ("climatology", "nb_level", "hurdle", "hazard", "nb_lags")},
    "stack adds nb_lags, levels add nights since massive": {
        "members": ("climatology", "nb_level", "hurdle", "hazard", "nb_lags"),
        "level_since": True},
    "diplomatic events known by the as-of date": {"events": True},
    "levels add nights since massive, events": {"level_since": True, "events": True},
    **{f"stack adds nb_local (half-life {hl:g}){' for counts' if nm else ''}": {
        "members": (*MEMBERS, "nb_local"), "local_halflife": hl,
        "not_massive": ("nb_local",) if nm else ()}
       for hl in (3.5, 7.0, 14.0) for nm in (False, True)},
    "stack adds nb_local (half-life 3.5) for counts, levels add nights since massive": {
        "members": (*MEMBERS, "nb_local"), "local_halflife": 3.5, "not_massive": ("nb_local",),
        "level_since": True},
    "stack adds nb_local (half-life 3.5) for counts, events": {
        "members": (*MEMBERS, "nb_local"), "local_halflife": 3.5, "not_massive": ("nb_local",),
        "events": True},
}
# A second round from the best of the first (R1, the last but one above), one change at a
# time and then all of them; still scored on 2024 only.
R1 = CANDIDATES[
    "stack adds nb_local (half-life 3.5) for counts, levels add nights since massive"]
ROUND2 = {"local half-life 2": {"local_halflife": 2.0},
          "stack weights from 730 nights": {"stack_window": 730},
          "hazard ridge 10": {"ridge": 10.0},
          "hazard with binned nights since massive": {"gap_bins": True}}
CANDIDATES |= {f"R1, {name}": {**R1, **kw} for name, kw in ROUND2.items()}
CANDIDATES["R1, all four of these"] = {**R1, **{k: v for kw in ROUND2.values()
                                               for k, v in kw.items()}}

# A third round from the best of the second (R2, "R1, all four of these"): the `mix` member
# (drones as bursts from a hazard plus an NB below the burst cut) added to the stack, with
# bursts cut at the massive-night rule's 400 drones or at a multiple of the level (at least
# 20 drones); still scored on 2024 only.
R2 = CANDIDATES["R1, all four of these"]
MIX = {"members": (*R2["members"], "mix"), "mix_min": 20}
ROUND3 = {
    "drone bursts >= 400": {"members": MIX["members"]},
    **{f"bursts >= {r:g} x level": {**MIX, "mix_ratio": r} for r in (3.0, 2.0, 1.5, 1.25, 1.0)},
    **{f"bursts >= {r:g} x level, sizes scaled to the level": {
        **MIX, "mix_ratio": r, "mix_scale": True} for r in (1.5, 1.25)},
    **{f"bursts >= {r:g} x level, climatology below": {
        **MIX, "mix_ratio": r, "mix_ordinary": "climatology"} for r in (1.5, 1.25)},
    "bursts >= 1.25 x level, for counts": {
        **MIX, "mix_ratio": 1.25, "not_massive": (*R2["not_massive"], "mix")},
}
CANDIDATES |= {f"R2, stack adds mix ({name})": {**R2, **kw} for name, kw in ROUND3.items()}

# What the full run chose on 2024 (it says so when a new run chooses otherwise).
CHOSEN: dict = wf.CHOSEN


def ablations(spec: wf.Spec) -> dict[str, wf.Spec]:
    rep = dataclasses.replace
    out = {"stack, chosen settings": spec}
    for m in spec.members:
        if m != "climatology":
            out[f"stack without {m}"] = rep(spec, members=tuple(x for x in spec.members
                                                               if x != m))
    for g in wf.HAZARD_GROUPS:
        out[f"hazard/hurdle without {g}"] = rep(
            spec, hazard=tuple(x for x in spec.hazard if x != g))
    out["levels without weekday"] = rep(spec, level_dow=False)
    since = "without" if spec.level_since else "with"
    out[f"levels {since} nights since massive"] = rep(spec, level_since=not spec.level_since)
    out["without diplomatic events" if spec.events else EVENTS] = rep(spec, events=not spec.events)
    out[UPPER] = rep(spec, perfect_weather=True)
    return out


EVENTS = "+ diplomatic events known by the as-of date"


def score(table: pd.DataFrame, model: str = "stack") -> float:
    r = table.set_index("model").loc[model]
    return float((r.drones_skill + r.missiles_skill + r.brier_skill) / 3)


def tune(hist: pd.DataFrame, events: pd.DataFrame) -> tuple[str, wf.Spec, pd.DataFrame]:
    """The best stack setting on 2024, and whether it beats the previous default there."""
    rows = []
    for name, kw in CANDIDATES.items():
        t = wf.run(hist, *TUNE, spec=wf.Spec(**kw), extra=("nb_lags",),
                   events=events).table()
        rows += [_grid_row(t, "stack", f"stack: {name}")]
    rows.append(_grid_row(t, "blend", "blend (the previous default)"))
    grid = pd.DataFrame(rows)
    best = grid.loc[grid.mean_skill.idxmax(), "setting"]
    model = "blend" if best.startswith("blend") else "stack"
    spec = wf.Spec(**CANDIDATES[best.removeprefix("stack: ")]) if model == "stack" else wf.Spec()
    return model, spec, grid.assign(chosen=grid.setting == best)


def _grid_row(table: pd.DataFrame, model: str, name: str) -> dict:
    r = table.set_index("model").loc[model]
    return {"setting": name, "drones_skill": r.drones_skill, "missiles_skill": r.missiles_skill,
            "brier_skill": r.brier_skill, "mean_skill": score(table, model)}


UPPER = "upper bound, not a forecast: + observed weather of the target night"


def ablation_table(hist: pd.DataFrame, spec: wf.Spec, period, weather,
                   events: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for name, s in ablations(spec).items():
        if name == UPPER and weather is None:
            continue
        t = wf.run(hist, *period, spec=s, weather=weather,
                   events=events).table().set_index("model")
        hz = t.loc["hazard"] if "hazard" in t.index else None
        rows.append({"variant": name, "drones_skill": t.loc["stack", "drones_skill"],
                     "missiles_skill": t.loc["stack", "missiles_skill"],
                     "brier_skill": t.loc["stack", "brier_skill"],
                     "hazard_brier_skill": hz.brier_skill if hz is not None else float("nan")})
    return pd.DataFrame(rows)


def md(df: pd.DataFrame, digits: int = 3) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        cells = [_cell(v, digits) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cell(v, digits: int) -> str:
    if isinstance(v, bool):
        return "yes" if v else ""
    if isinstance(v, str):
        return v
    if isinstance(v, int):
        return str(v)
    return "" if v != v else f"{v:.{digits}f}"


def load(args) -> pd.DataFrame:
    if args.db:
        return fc.load_history(args.db)
    import strikescope

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "skill.duckdb"
        strikescope.ingest([Path(args.attacks)], db=db)
        return fc.load_history(db)


def load_weather(path) -> pd.DataFrame | None:
    from strikescope.weather import read_weather

    return read_weather(path) if Path(path).exists() else None


def extras() -> tuple[str, ...]:
    return ("nb_lags", "hgb") if importlib.util.find_spec("sklearn") else ("nb_lags",)


def report(hist: pd.DataFrame, weather: pd.DataFrame | None,
           events: pd.DataFrame) -> dict[str, str]:
    model, spec, grid = tune(hist, events)
    main = wf.run(hist, *TEST, horizons=range(1, 8), spec=spec, extra=("nb_lags",),
                  events=events)
    # The boosting model at 1 night ahead only: its refits are the slow part.
    h1 = wf.run(hist, *TEST, spec=spec, extra=extras(), events=events).table(1)
    cols = ["horizon", "model", "drones_skill", "missiles_skill", "drones_cover90",
            "missiles_cover90", "brier_skill"]
    horizons = pd.concat([main.by_horizon(m) for m in dict.fromkeys([model, "stack"])])
    chart = reliability_chart(main, dict.fromkeys([model, "stack", "climatology"]))
    chart_h = horizon_chart(main, model)
    return {"spec": repr(spec), "model": model, "grid": md(grid), "h1": md(h1),
            "readme": md(main.table(1)),
            "horizons": md(horizons[cols].sort_values(["model", "horizon"])),
            "reliability": md(main.reliability(model)),
            "reliability_stack": md(main.reliability("stack")),
            "reliability_h": md(_wide_reliability(main.reliability_by_horizon(model))),
            "chart_h": chart_h.relative_to(ROOT / "docs").as_posix(),
            "ablation_2025": md(ablation_table(hist, spec, TEST, weather, events)),
            "ablation_2024": md(ablation_table(hist, spec, TUNE, weather, events)),
            "weights": md(_mean_weights(main)),
            "gaps": md(hazard_by_gap(hist, spec)),
            "chart": chart.relative_to(ROOT / "docs").as_posix()}


def hazard_by_gap(hist: pd.DataFrame, spec: wf.Spec) -> pd.DataFrame:
    """How often the next night was massive, by nights since the last massive night (the
    evidence for or against a stockpiling cycle), 2024 and 2025."""
    f = wf.features(hist, spec)
    nxt = f["massive"].shift(-1)
    gaps = pd.cut(f["since"] + 1, [0, 1, 3, 7, 14, 30, 10_000],
                  labels=["1", "2-3", "4-7", "8-14", "15-30", "> 30"])
    rows = []
    for year in (2024, 2025):
        sel = (f.index.year == year) & nxt.notna().to_numpy()
        g = nxt[sel].groupby(gaps[sel], observed=False)
        rows.append(pd.DataFrame({"year": str(year), "nights_since_massive": g.mean().index,
                                  "nights": g.size().to_numpy(),
                                  "massive_next": g.mean().to_numpy()}))
    return pd.concat(rows, ignore_index=True)


CHART = ROOT / "docs" / "img" / "forecast_reliability_2025.png"


def reliability_chart(result: wf.WalkForward, models, path: Path = CHART) -> Path:
    """Forecast probability against observed frequency (bins with 10+ nights), 2025."""
    return walkforward_reliability_png(result, models, path)


CHART_H = ROOT / "docs" / "img" / "forecast_reliability_horizons_2025.png"


def horizon_chart(result: wf.WalkForward, model: str, path: Path = CHART_H) -> Path:
    """Reliability of P(massive) at horizons 1-7 (bins with 10+ nights), 2025."""
    return walkforward_horizons_png(result, model, path)


def _wide_reliability(table: pd.DataFrame) -> pd.DataFrame:
    """Bins down, horizons across: 'observed frequency (nights)' in each cell."""
    cell = table.apply(lambda r: "" if not r.n else f"{r.mean_prob:.2f} / {r.observed:.2f} "
                       f"({r.n})", axis=1)
    wide = table.assign(cell=cell).pivot(index="bin", columns="horizon", values="cell")
    wide.columns = [f"h{h}" for h in wide.columns]
    return wide.reset_index()


def _mean_weights(result: wf.WalkForward) -> pd.DataFrame:
    w = result.weights[(result.weights.horizon == 1)
                       & (result.weights.refit >= pd.Timestamp(TEST[0]))]
    return w.pivot_table(index="member", columns="target", values="weight").reset_index()


def readme_block(parts: dict[str, str]) -> str:
    return "\n".join([
        "Walk-forward over 2025-01-01 .. 2025-12-31, 1 night ahead, refit weekly, each model "
        "fitted only on nights before the refit; settings chosen on 2024 only. `*_skill` = "
        "1 - score / score(28-night climatology); `brier_skill_base_rate` against the 2025 "
        "massive-night frequency known only afterwards. Regenerate with "
        "`python scripts/forecast_skill.py --quick --write` (this table, seconds) or "
        "without `--quick` (the choice on 2024, horizons, ablations: docs/forecast.md).", "",
        parts["readme"]])


def docs_block(parts: dict[str, str]) -> str:
    return "\n".join([
        "Settings chosen on the 2024 walk-forward (1 night ahead; stack model):", "",
        parts["grid"], "", f"Chosen: `{parts['model']}`; stack settings `{parts['spec']}`.",
        "",
        "2025, 1 night ahead, every model:", "", parts["h1"], "",
        "2025, horizons 1-7:", "", parts["horizons"], "",
        f"Reliability of P(massive) by `{parts['model']}`, 2025, 1 night ahead:", "",
        parts["reliability"], "",
        *(["The same for the stack:", "", parts["reliability_stack"], ""]
          if parts["model"] != "stack" else []),
        f"Chart: [reliability of P(massive), 2025]({parts['chart']}).", "",
        f"Reliability of P(massive) by `{parts['model']}` at every horizon, 2025: in each "
        "cell the mean forecast / the observed frequency (nights):", "", parts["reliability_h"],
        "", f"Chart: [reliability by horizon, 2025]({parts['chart_h']}).", "",
        "Mean stack weights over the 2025 refits (1 night ahead):", "", parts["weights"], "",
        "How often a massive night followed, by nights since the last massive night "
        "(the next night counts 1):", "", parts["gaps"], "",
        "Ablation, 2025 (skill of the stack, and Brier skill of the hazard model alone):", "",
        parts["ablation_2025"], "", "The same ablation on 2024:", "", parts["ablation_2024"]])


def quick(hist: pd.DataFrame, events: pd.DataFrame) -> dict[str, str]:
    """The README table alone: 2025, 1 night ahead, with the settings the full run chose."""
    return {"readme": md(wf.run(hist, *TEST, spec=wf.Spec(**CHOSEN), extra=("nb_lags",),
                                events=events).table(1))}


def write(parts: dict[str, str]) -> None:
    blocks = [(ROOT / "README.md", "backtest", readme_block(parts))]
    if "grid" in parts:
        blocks.append((ROOT / "docs" / "forecast.md", "skill", docs_block(parts)))
    for path, name, body in blocks:
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        text = path.read_text(encoding="utf-8")
        pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
        if not pattern.search(text):
            raise SystemExit(f"{path} has no {start} ... {end} block")
        block = f"{start}\n{body}\n{end}"
        path.write_text(pattern.sub(lambda _, b=block: b, text), encoding="utf-8")
        print(f"updated {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=None, help="a store (default: ingest --attacks)")
    parser.add_argument("--attacks", default=str(ROOT.parent / "shared/data/attacks"))
    parser.add_argument("--weather", default=str(ROOT.parent / "shared/data/weather"
                                                 / "weather_by_date.csv"),
                        help="observed weather, for the labelled upper bound only")
    parser.add_argument("--write", action="store_true", help="update README and docs")
    parser.add_argument("--quick", action="store_true",
                        help="only the README table, with the settings in CHOSEN")
    args = parser.parse_args()
    t0 = time.perf_counter()
    hist = load(args)
    events = wf.timeline_events()
    parts = (quick(hist, events) if args.quick
             else report(hist, load_weather(args.weather), events))
    print(readme_block(parts) if args.quick else docs_block(parts))
    print(f"\n{time.perf_counter() - t0:.1f} s")
    if not args.quick and parts["spec"] != repr(wf.Spec(**CHOSEN)):
        print("note: the 2024 choice differs from CHOSEN; update CHOSEN and the defaults")
    if args.write:
        write(parts)


if __name__ == "__main__":
    main()
