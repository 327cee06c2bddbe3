"""Campaign commands: defense, saturation, mix, massive, regions, shelter, weather, report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer

import strikescope.analysis.campaign as campaign
import strikescope.render.campaign as charts
from strikescope.cli.app import app
from strikescope.cli.output import (
    DbOption,
    FmtOption,
    FromOption,
    OutOption,
    ToOption,
    console,
    emit,
    err_console,
    guard,
    print_table,
    progress_bar,
    rounded,
)
from strikescope.render.campaign_report import campaign_report as write_report
from strikescope.render.charts import ChartSpec, chart_suffix, save_chart

ChartOption = typer.Option(
    None, "--chart", help="Also write the chart: .html (interactive, works offline) or .png."
)


def _check_chart(path: Path | None) -> None:
    # Before the query, so a typo in the suffix does not cost a whole computation.
    if path is not None:
        guard(lambda: chart_suffix(path))


def _write_chart(path: Path | None, spec: Callable[[], ChartSpec]) -> None:
    if path is not None:
        written = guard(lambda: save_chart(spec(), path))
        err_console.print(f"wrote chart to {written}")


@app.command()
def defense(
    by: str = typer.Option("month", "--by", help="week, month, quarter or year."),
    weapon_class: str = typer.Option(None, "--class", help="One weapon class."),
    start: str = FromOption,
    end: str = ToOption,
    fmt: str = FmtOption,
    out: Path = OutOption,
    db: Path = DbOption,
    chart: Path = ChartOption,
) -> None:
    """Shot-down, EW-loss and reached rates per period and class, Wilson 95 % intervals."""
    _check_chart(chart)
    df = guard(lambda: campaign.defense(by, weapon_class, start, end, db=db))
    _write_chart(chart, lambda: charts.defense_chart_spec(df))
    if fmt == "table" and not out:
        df = df[
            [
                "period",
                "weapon_class",
                "nights",
                "launched",
                "shot_down_rate",
                "shot_down_rate_lo",
                "shot_down_rate_hi",
                "nights_without_outcome",
                "ew_loss_rate",
                "nights_without_lost",
                "reached_rate",
                "nights_more_stopped_than_launched",
            ]
        ]
        df = rounded(df)
    emit(df, fmt, out, title="Defense performance")


@app.command()
def saturation(
    weapon_class: str = typer.Option("strike_drone", "--class", help="Weapon class."),
    drop: float = typer.Option(0.05, "--drop", help="Fall in the fitted rate to look for."),
    start: str = FromOption,
    end: str = ToOption,
    fmt: str = FmtOption,
    db: Path = DbOption,
    chart: Path = ChartOption,
) -> None:
    """Shot-down rate against salvo size, binned and fitted with the trend controlled."""
    _check_chart(chart)
    result = guard(lambda: campaign.saturation(weapon_class, start, end, db=db, drop=drop))
    _write_chart(chart, lambda: charts.saturation_chart_spec(result))
    if fmt == "table":
        console.print(result.summary())
        print_table(rounded(result.to_frame()), title="Binned by salvo")
        return
    emit(result.to_frame(), fmt, None)


@app.command()
def mix(
    by: str = typer.Option("week", "--by", help="week, month, quarter or year."),
    decoys: bool = typer.Option(False, "--decoys", help="Shahed-type vs decoys instead."),
    start: str = FromOption,
    end: str = ToOption,
    fmt: str = FmtOption,
    out: Path = OutOption,
    db: Path = DbOption,
    chart: Path = ChartOption,
) -> None:
    """Launches per period and weapon class (or the decoy share of the drones)."""
    _check_chart(chart)
    if decoys:
        df = guard(lambda: campaign.decoy_share(by, start, end, db=db))
        _write_chart(chart, lambda: charts.decoy_chart_spec(df))
        emit(rounded(df), fmt, out, title="Decoy share")
        return
    df = guard(lambda: campaign.weapon_mix(by, start, end, db=db))
    _write_chart(chart, lambda: charts.weapon_mix_chart_spec(df))
    emit(rounded(df), fmt, out, title="Weapon mix")


@app.command()
def massive(
    min_missiles: int = typer.Option(20, "--min-missiles"),
    min_drones: int = typer.Option(400, "--min-drones"),
    start: str = FromOption,
    end: str = ToOption,
    fmt: str = FmtOption,
    out: Path = OutOption,
    db: Path = DbOption,
    chart: Path = ChartOption,
) -> None:
    """Massive combined strikes and the days between them."""
    _check_chart(chart)
    df = guard(lambda: campaign.massive_strikes(min_missiles, min_drones, start, end, db=db))
    _write_chart(chart, lambda: charts.massive_chart_spec(df))
    emit(df, fmt, out, title="Massive strikes")
    if fmt == "table" and len(df) > 1:
        console.print(
            f"{len(df)} nights; median interval {df.days_since_previous.median():.0f} days."
        )


@app.command("launch-areas")
def launch_areas(
    start: str = FromOption,
    end: str = ToOption,
    fmt: str = FmtOption,
    out: Path = OutOption,
    db: Path = DbOption,
    chart: Path = ChartOption,
) -> None:
    """Launch areas per weapon class (nights named)."""
    _check_chart(chart)
    df = guard(lambda: campaign.launch_areas(start, end, db=db))
    _write_chart(chart, lambda: charts.launch_areas_chart_spec(df))
    emit(df, fmt, out, title="Launch areas")


@app.command()
def regions(
    per_night: bool = typer.Option(False, "--per-night", help="One row per night and region."),
    start: str = FromOption,
    end: str = ToOption,
    fmt: str = FmtOption,
    out: Path = OutOption,
    db: Path = DbOption,
    chart: Path = ChartOption,
) -> None:
    """Regions named as targets: per region totals, or per night with --per-night.
    The chart maps the totals either way: a map has no room for nights."""
    _check_chart(chart)
    table = guard(lambda: campaign.night_regions(start, end, db=db))
    totals = campaign.region_totals(night_table=table)
    _write_chart(chart, lambda: charts.region_chart_spec(totals))
    df = table if per_night else totals
    emit(df, fmt, out, title="Regions")


@app.command()
def shelter(
    region: str = typer.Option("kyiv_city", "--region", help="Any region spelling."),
    start: str = FromOption,
    end: str = ToOption,
    fmt: str = FmtOption,
    out: Path = OutOption,
    db: Path = DbOption,
    chart: Path = ChartOption,
) -> None:
    """Hours under air-raid alert per night in one region, joined to the attack nights."""
    _check_chart(chart)
    df = guard(lambda: campaign.shelter_hours_by_night(region, start, end, db=db))
    _write_chart(chart, lambda: charts.shelter_chart_spec(df, region))
    if fmt == "table" and not out:
        print_table(
            rounded(campaign.shelter_comparison(df), 2),
            title=f"{region}: hours under alert, massive vs other nights",
        )
        return
    emit(df, fmt, out)


@app.command("weather-effects")
def weather_effects(
    fetch: bool = typer.Option(
        False,
        "--fetch",
        help="Fresh Open-Meteo weather for the "
        "period instead of the bundled file (needs the network).",
    ),
    start: str = FromOption,
    end: str = ToOption,
    fmt: str = FmtOption,
    out: Path = OutOption,
    db: Path = DbOption,
    chart: Path = ChartOption,
) -> None:
    """Drone shot-down rate and launch size by night weather, trend-adjusted."""
    _check_chart(chart)
    df = guard(lambda: campaign.weather_effects(start, end, db=db, fetch=fetch))
    _write_chart(chart, lambda: charts.weather_chart_spec(df))
    emit(rounded(df), fmt, out, title="Weather effects")


@app.command("campaign")
def campaign_report(
    start: str = FromOption,
    end: str = ToOption,
    out: Path = typer.Option(Path("report"), "--out", "-o", help="Output directory."),
    db: Path = DbOption,
) -> None:
    """Write every campaign table (CSV) and chart (PNG, HTML) into one directory."""
    with progress_bar("campaign report") as update:
        paths = guard(lambda: write_report(start, end, out, db=db, progress=update))
    err_console.print(f"wrote {len(paths)} files to {out}")
    skipped = out / "skipped.txt"
    if skipped.exists():
        err_console.print(skipped.read_text(encoding="utf-8").strip())
