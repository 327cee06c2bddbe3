"""The campaign report: every table of `strikescope.analysis.campaign` as CSV and every
chart as PNG and self-contained HTML in one folder, with an index page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from strikescope import csvsafe
from strikescope.analysis.campaign import (
    PathLike,
    decoy_share,
    defense,
    launch_areas,
    massive_strikes,
    night_regions,
    region_totals,
    saturation,
    shelter_comparison,
    shelter_hours_by_night,
    weapon_mix,
    weather_effects,
)
from strikescope.errors import (
    DataDirError,
    FetchError,
    InputError,
    MissingExtraError,
    NotFoundError,
)
from strikescope.render.campaign import (
    decoy_chart_spec,
    defense_chart_spec,
    launch_areas_chart_spec,
    massive_chart_spec,
    region_chart_spec,
    saturation_chart_spec,
    shelter_chart_spec,
    weapon_mix_chart_spec,
    weather_chart_spec,
)
from strikescope.render.charts import ChartSpec, save_chart
from strikescope.render.report_index import finish_report

ProgressFn = Callable[[str, float], None]


def _write(out: Path, name: str, df: pd.DataFrame, spec: ChartSpec) -> list[Path]:
    csv = out / f"{name}.csv"
    csvsafe.to_csv(df, csv)
    return [csv, save_chart(spec, out / f"{name}.png"), save_chart(spec, out / f"{name}.html")]


def _steps(start, end, db, alerts_paths) -> list[tuple[str, Callable[[Path], list[Path]]]]:
    def defense_step(out):
        d = defense("month", None, start, end, db)
        return _write(out, "defense", d, defense_chart_spec(d))

    def saturation_step(out):
        r = saturation("strike_drone", start, end, db)
        (out / "saturation.txt").write_text(r.summary() + "\n", encoding="utf-8")
        csvsafe.to_csv(r.curve, out / "saturation_curve.csv")
        return _write(out, "saturation", r.to_frame(), saturation_chart_spec(r)) + [
            out / "saturation.txt", out / "saturation_curve.csv"]

    def mix_step(out):
        d = weapon_mix("week", start, end, db)
        return _write(out, "weapon_mix", d, weapon_mix_chart_spec(d))

    def decoy_step(out):
        d = decoy_share("month", start, end, db)
        return _write(out, "decoy_share", d, decoy_chart_spec(d))

    def massive_step(out):
        d = massive_strikes(start=start, end=end, db=db)
        return _write(out, "massive_strikes", d, massive_chart_spec(d))

    def areas_step(out):
        d = launch_areas(start, end, db)
        return _write(out, "launch_areas", d, launch_areas_chart_spec(d))

    def regions_step(out):
        nr = night_regions(start, end, db)
        csvsafe.to_csv(nr, out / "night_regions.csv")
        d = region_totals(night_table=nr)
        return _write(out, "regions", d, region_chart_spec(d)) + [out / "night_regions.csv"]

    def shelter_step(out):
        from strikescope.analysis.alerts import load_alerts

        d = shelter_hours_by_night("kyiv_city", start, end, db,
                                   load_alerts(alerts_paths).alerts)
        csvsafe.to_csv(shelter_comparison(d), out / "shelter_comparison.csv")
        return _write(out, "shelter_kyiv_city", d, shelter_chart_spec(d, "Kyiv")) + [
            out / "shelter_comparison.csv"]

    def weather_step(out):
        d = weather_effects(start, end, db)
        return _write(out, "weather_effects", d, weather_chart_spec(d))

    return [("defense", defense_step), ("saturation", saturation_step),
            ("weapon mix", mix_step), ("decoys", decoy_step), ("massive strikes", massive_step),
            ("launch areas", areas_step), ("regions", regions_step),
            ("shelter hours", shelter_step), ("weather", weather_step)]


# What leaves one section of a report out, said in skipped.txt: its input missing or too
# thin. A store error stops the report; any other exception is a bug and propagates.
SKIPPABLE = (InputError, NotFoundError, DataDirError, MissingExtraError, FetchError)


def campaign_report(start, end, out_dir: PathLike, db: PathLike | None = None,
                    progress: ProgressFn | None = None,
                    alerts_paths: Sequence[PathLike] | None = None) -> list[Path]:
    """Write every table (CSV) and chart (PNG and self-contained HTML) into `out_dir`.

    A section that has no data in the period (e.g. shelter hours after the alert files
    end) is recorded in `skipped.txt` instead of failing the whole report.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    steps = _steps(start, end, db, alerts_paths)
    written: list[Path] = []
    skipped: list[str] = []
    for i, (label, step) in enumerate(steps):
        if progress:
            progress(label, i / len(steps))
        try:
            written.extend(step(out))
        except SKIPPABLE as exc:
            skipped.append(f"{label}: {exc}")
    if skipped:
        (out / "skipped.txt").write_text("\n".join(skipped) + "\n", encoding="utf-8")
        written.append(out / "skipped.txt")
    # one plotly.js for every page, and an index page
    written += finish_report(out, written, start, end)
    if progress:
        progress("done", 1.0)
    return written
