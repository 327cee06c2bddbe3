"""Forecast commands: forecast (one origin) and backtest (walk-forward evaluation)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer

from strikescope import csvsafe
from strikescope.analysis import forecast as fc
from strikescope.cli.app import app
from strikescope.cli.output import (
    DbOption,
    console,
    emit,
    err_console,
    fail,
    iso_date,
    print_table,
    progress_bar,
)
from strikescope.errors import InputError, StrikescopeError
from strikescope.render.forecast import write_charts


def _massive_rule(missiles: int, drones: int) -> fc.MassiveRule:
    return fc.MassiveRule(missiles=missiles, drones=drones)


@app.command()
def forecast(
    as_of: str = typer.Option(None, "--as-of", callback=iso_date,
                              help="Last night known (YYYY-MM-DD); default: the store's last."),
    horizon: int = typer.Option(7, "--horizon", help="Nights ahead (1-28)."),
    model: str = typer.Option(fc.MASSIVE_MODEL, "--model",
                              help="stack (chosen on 2024), blend, nb_level, hurdle, mix, nb_lags, "
                                   "nb_trend, climatology or persistence."),
    massive_missiles: int = typer.Option(20, "--massive-missiles",
                                         help="Massive night: at least this many missiles..."),
    massive_drones: int = typer.Option(400, "--massive-drones",
                                       help="...or at least this many drones."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv or json."),
    fetch: bool = typer.Option(False, "--fetch",
                               help="Fetch the weather forecast of the target nights (Open-Meteo "
                                    "historical forecast API; needs network) and use it as a "
                                    "feature of the stack model."),
    weather_file: Path = typer.Option(None, "--weather-forecast",
                                      help="A weather file (weather_by_date.csv columns) with "
                                           "the forecast of the target nights, as --fetch."),
    db: Path = DbOption,
) -> None:
    """Predictive distributions of drones and missiles for the nights after --as-of (by
    default the last night in the store)."""
    rule = _massive_rule(massive_missiles, massive_drones)
    outlook = None
    try:
        weather = _weather(as_of, horizon, db, fetch, weather_file)
        if fmt == "table" and (model in fc.SKILL_MODELS or weather is not None):
            # the table shows the track record too: one outlook gives both (computing the
            # forecast apart fitted every model twice)
            outlook = fc.massive_outlook(as_of, horizon, model, db=db, rule=rule,
                                         weather=weather)
            result = fc.outlook_forecast(outlook, rule=rule)
        else:
            result = fc.forecast(as_of, horizon, model, db=db, rule=rule, weather=weather)
    except StrikescopeError as exc:
        raise fail(str(exc)) from None
    df = result.to_frame()
    model = result.model
    if fmt == "table":
        console.print(result.summary().splitlines()[0])
        if weather is not None:
            console.print(f"Weather forecast of the target nights used as a feature ({model}).")
        if outlook is not None:
            console.print(massive_text(outlook, rule))
        else:
            _massive_panel(as_of, horizon, model, db, rule, weather)
        # The terminal gets the central figures; csv/json carry every quantile and threshold.
        df = df.assign(night=df.night.dt.strftime("%Y-%m-%d"))[
            ["night", "horizon", "target", "mean", "q05", "q50", "q95", "p_massive"]].round(3)
    emit(df, fmt, None, title=f"Forecast ({model}; 90 % interval q05-q95)")


def _weather(as_of, horizon: int, db, fetch: bool, path: Path | None):
    """The weather features when --fetch or --weather-forecast asks for them, else None."""
    if fetch and path:
        raise InputError("give --fetch or --weather-forecast, not both")
    if not (fetch or path):
        return None
    return fc.forecast_weather(as_of, horizon, db, path=path, fetch=fetch)


def _massive_panel(as_of, horizon: int, model: str, db, rule: fc.MassiveRule,
                   weather=None) -> None:
    """P(massive) for each night, then how such forecasts fared over the past year."""
    name = model if model in (*fc.SKILL_MODELS, "blend", "climatology", "nb_lags") \
        else fc.MASSIVE_MODEL
    try:
        out = fc.massive_outlook(as_of, horizon, name, db=db, rule=rule, weather=weather)
    except InputError as exc:  # too little history for the track record
        err_console.print(f"P(massive) track record unavailable: {exc}")
        return
    console.print(massive_text(out, rule))


def massive_text(out, rule: fc.MassiveRule) -> str:
    nights = out.as_of + pd.to_timedelta(range(1, len(out.p_massive) + 1), "D")
    lines = [f"[bold]P(massive night)[/bold] (>= {rule.missiles} missiles or >= {rule.drones} "
             f"drones), {out.model}:",
             "  " + "   ".join(f"{n:%a %d %b} [bold]{p:.0%}[/bold]"
                              for n, p in zip(nights, out.p_massive, strict=True))]
    if not out.record_nights:
        return "\n".join(lines)
    lines.append(
        f"Track record: its 1-night forecasts for the {out.record_nights} nights "
        f"{out.record_from:%Y-%m-%d} .. {out.as_of:%Y-%m-%d} (each from the nights before, "
        f"refitted weekly{', without the weather forecast' if out.weather else ''}): "
        f"Brier skill {out.brier_skill:+.1%} against the 28-night climatology. "
        "When it said ...")
    for r in out.track.itertuples(index=False):
        if r.n:
            lines.append(f"  {r.bin:>9s}: {r.n:3d} nights, mean forecast {r.mean_prob:.0%}, "
                         f"massive on {r.observed:.0%} ({r.massive})")
    return "\n".join(lines)


@app.command()
def backtest(
    start: str = typer.Option("2024-07-01", "--from", help="First night scored.",
                              callback=iso_date),
    end: str = typer.Option("2025-12-31", "--to", help="Last night scored.",
                            callback=iso_date),
    refit_every: int = typer.Option(7, "--refit-every", help="Refit the models every N nights."),
    models: str = typer.Option(",".join(fc.MODELS), "--models", help="Comma-separated."),
    out: Path = typer.Option(None, "--out", "-o",
                             help="Directory for the CSV tables and PNG/HTML charts."),
    seed: int = typer.Option(0, "--seed", help="Seed of the randomized PIT."),
    db: Path = DbOption,
) -> None:
    """Walk-forward backtest: CRPS, log score, coverage, Brier, PIT, skill vs baselines."""
    names = [m.strip() for m in models.split(",") if m.strip()]
    try:
        with progress_bar("backtest") as update:
            result = fc.backtest(start, end, names, refit_every, db=db, progress=update,
                                 seed=seed)
    except StrikescopeError as exc:
        raise fail(str(exc)) from None
    console.print(result.summary().splitlines()[0])
    print_table(result.table().round(4), title="Scores (all horizons; skill vs climatology)")
    if out:
        _write_outputs(result, out)


def _write_outputs(result: fc.BacktestResult, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in (("scores", result.table()), ("skill", result.skill()),
                        ("crps_by_horizon", result.by_horizon().reset_index()),
                        ("pit", result.pit()), ("reliability", result.reliability()),
                        ("forecasts", result.to_frame())):
        csvsafe.to_csv(frame, out / f"{name}.csv")
    charts = write_charts(result, out)
    err_console.print(f"wrote 6 tables and {len(charts)} charts to {out}")
