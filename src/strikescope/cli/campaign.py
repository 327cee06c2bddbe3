"""Campaign commands: defense, saturation, mix, massive, regions, shelter, weather, report."""

from __future__ import annotations

from pathlib import Path

import typer

import strikescope.campaign as campaign
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
)


def _rounded(df, digits: int = 3):
    floats = df.select_dtypes("float").columns
    return df.assign(**{c: df[c].round(digits) for c in floats})


@app.command()
def defense(
    by: str = typer.Option("month", "--by", help="week, month, quarter or year."),
    weapon_class: str = typer.Option(None, "--class", help="One weapon class."),
    start: str = FromOption,
    end: str = ToOption,
    fmt: str = FmtOption,
    out: Path = OutOption,
    db: Path = DbOption,
) -> None:
    """Shot-down, EW-loss and reached rates per period and class, Wilson 95 % intervals."""
    df = guard(lambda: campaign.defense(by, weapon_class, start, end, db=db))
    if fmt == "table" and not out:
        df = df[["period", "weapon_class", "nights", "launched", "shot_down_rate",
                 "shot_down_rate_lo", "shot_down_rate_hi", "nights_without_outcome",
                 "ew_loss_rate", "nights_without_lost", "reached_rate"]]
        df = _rounded(df)
    emit(df, fmt, out, title="Defense performance")


@app.command()
def saturation(
    weapon_class: str = typer.Option("strike_drone", "--class", help="Weapon class."),
    drop: float = typer.Option(0.05, "--drop", help="Fall in the fitted rate to look for."),
    start: str = FromOption,
    end: str = ToOption,
    fmt: str = FmtOption,
    db: Path = DbOption,
) -> None:
    """Shot-down rate against salvo size, binned and fitted with the trend controlled."""
    result = guard(lambda: campaign.saturation(weapon_class, start, end, db=db, drop=drop))
    if fmt == "table":
        console.print(result.summary())
        print_table(_rounded(result.to_frame()), title="Binned by salvo")
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
) -> None:
    """Launches per period and weapon class (or the decoy share of the drones)."""
    if decoys:
        emit(_rounded(guard(lambda: campaign.decoy_share(by, start, end, db=db))), fmt, out,
             title="Decoy share")
        return
    emit(_rounded(guard(lambda: campaign.weapon_mix(by, start, end, db=db))), fmt, out,
         title="Weapon mix")


@app.command()
def massive(
    min_missiles: int = typer.Option(20, "--min-missiles"),
    min_drones: int = typer.Option(400, "--min-drones"),
    start: str = FromOption,
    end: str = ToOption,
    fmt: str = FmtOption,
    out: Path = OutOption,
    db: Path = DbOption,
) -> None:
    """Massive combined strikes and the days between them."""
    df = guard(lambda: campaign.massive_strikes(min_missiles, min_drones, start, end, db=db))
    emit(df, fmt, out, title="Massive strikes")
    if fmt == "table" and len(df) > 1:
        console.print(f"{len(df)} nights; median interval "
                      f"{df.days_since_previous.median():.0f} days.")


@app.command("launch-areas")
def launch_areas(
    start: str = FromOption,
    end: str = ToOption,
    fmt: str = FmtOption,
    out: Path = OutOption,
    db: Path = DbOption,
) -> None:
    """Launch areas per weapon class (nights named)."""
    emit(guard(lambda: campaign.launch_areas(start, end, db=db)), fmt, out,
         title="Launch areas")


@app.command()
def regions(
    per_night: bool = typer.Option(False, "--per-night", help="One row per night and region."),
    start: str = FromOption,
    end: str = ToOption,
    fmt: str = FmtOption,
    out: Path = OutOption,
    db: Path = DbOption,
) -> None:
    """Regions named as targets: per region totals, or per night with --per-night."""
    table = guard(lambda: campaign.night_regions(start, end, db=db))
    df = table if per_night else campaign.region_totals(night_table=table)
    emit(df, fmt, out, title="Regions")


@app.command()
def shelter(
    region: str = typer.Option("kyiv_city", "--region", help="Any region spelling."),
    start: str = FromOption,
    end: str = ToOption,
    fmt: str = FmtOption,
    out: Path = OutOption,
    db: Path = DbOption,
) -> None:
    """Hours under air-raid alert per night in one region, joined to the attack nights."""
    df = guard(lambda: campaign.shelter_hours_by_night(region, start, end, db=db))
    if fmt == "table" and not out:
        print_table(_rounded(campaign.shelter_comparison(df), 2),
                    title=f"{region}: hours under alert, massive vs other nights")
        return
    emit(df, fmt, out)


@app.command("weather-effects")
def weather_effects(
    start: str = FromOption,
    end: str = ToOption,
    fmt: str = FmtOption,
    out: Path = OutOption,
    db: Path = DbOption,
) -> None:
    """Drone shot-down rate and launch size by night weather, trend-adjusted."""
    emit(_rounded(guard(lambda: campaign.weather_effects(start, end, db=db))), fmt, out,
         title="Weather effects")


@app.command("campaign")
def campaign_report(
    start: str = FromOption,
    end: str = ToOption,
    out: Path = typer.Option(Path("report"), "--out", "-o", help="Output directory."),
    db: Path = DbOption,
) -> None:
    """Write every campaign table (CSV) and chart (PNG, HTML) into one directory."""
    with progress_bar("campaign report") as update:
        paths = guard(lambda: campaign.campaign_report(start, end, out, db=db,
                                                        progress=update))
    err_console.print(f"wrote {len(paths)} files to {out}")
    skipped = out / "skipped.txt"
    if skipped.exists():
        err_console.print(skipped.read_text(encoding="utf-8").strip())
