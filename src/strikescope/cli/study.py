"""`strikescope study ...`: event studies of the strikes around diplomatic events."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import typer

from strikescope.analysis import study as st
from strikescope.api import frame_to_json
from strikescope.cli.app import app
from strikescope.cli.output import DbOption, console, err_console, fail, print_table, rounded
from strikescope.errors import StrikescopeError
from strikescope.events import EventFileWarning, parse_filter
from strikescope.render.study import save_charts

study_app = typer.Typer(invoke_without_command=True, rich_markup_mode="rich")
app.add_typer(
    study_app, name="study", help="Event study: did the strikes change around diplomatic events?"
)


def _selection(events, type, actors, start, end, event) -> dict:
    """The event selection: explicit options win over the terms of `--events`."""
    chosen = parse_filter(events) if events else {}
    explicit = {
        "type": _split(type),
        "actors": _split([actors] if actors else None),
        "start": start,
        "end": end,
        "ids": _split(event),
    }
    chosen.update({k: v for k, v in explicit.items() if v})
    return chosen


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


@study_app.callback()
def study(
    ctx: typer.Context,
    events: str = typer.Option(
        None,
        "--events",
        help='Event filter, e.g. "type=phone_call actors=USA,RUS from=2025-01-01".',
    ),
    type: list[str] = typer.Option(None, "--type", help="Event type(s), e.g. phone_call."),
    actors: str = typer.Option(None, "--actors", help="All of these actors, e.g. USA,RUS."),
    start: str = typer.Option(None, "--from", help="First event date (YYYY-MM-DD)."),
    end: str = typer.Option(None, "--to", help="Last event date (YYYY-MM-DD)."),
    event: list[str] = typer.Option(None, "--event", help="Event id(s) (repeat or a,b)."),
    events_file: Path = typer.Option(
        None, "--events-file", help="Your own events (CSV in the timeline's format); alone, "
        "the study uses every event of the file.", exists=True, dir_okay=False),
    metric: str = typer.Option("drones", "--metric", help=f"One of {', '.join(st.METRICS)}."),
    window: int = typer.Option(7, "--window", min=1, help="Nights before and after."),
    placebo: int = typer.Option(st.N_PLACEBO, "--placebo", min=99, help="Placebo sets."),
    seed: int = typer.Option(0, "--seed", help="Random seed for the placebo sets."),
    sensitivity: bool = typer.Option(
        False, "--sensitivity", help="Also every window, metric and leave-one-out."
    ),
    charts: Path = typer.Option(None, "--charts", help="Write PNG and HTML charts here."),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json."),
    db: Path = DbOption,
) -> None:
    """Event study of one metric around the selected events (see docs/study.md)."""
    if ctx.invoked_subcommand is not None:
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", EventFileWarning)
        result, sens = _run(events, type, actors, start, end, event, metric, window, placebo,
                            seed, sensitivity, events_file, db)
    for w in caught:
        if issubclass(w.category, EventFileWarning):
            err_console.print(f"warning: {w.message}")
    if fmt == "json":
        _print_json(result, sens)
    else:
        _print_text(result, sens)
    if charts:
        for path in save_charts(result, charts):
            err_console.print(f"wrote {path}")


def _run(events, type, actors, start, end, event, metric, window, placebo, seed, sensitivity,
         events_file, db):
    try:
        select = _selection(events, type, actors, start, end, event)
        event = select.pop("ids", None)
        result = st.study(
            event,
            **select,
            metric=metric,
            window=window,
            n_placebo=placebo,
            seed=seed,
            events_file=events_file,
            db=db,
        )
        sens = (st.sensitivity(event, **select, n_placebo=placebo, seed=seed,
                               events_file=events_file, db=db) if sensitivity else None)
    except StrikescopeError as exc:
        raise fail(str(exc)) from None
    return result, sens


def _print_text(result: st.StudyResult, sens: pd.DataFrame | None) -> None:
    console.print(result.summary())
    print_table(rounded(result.to_frame()), title="Per event")
    if len(result.overlaps):
        print_table(result.overlaps, title="Overlapping windows")
    if sens is not None:
        print_table(rounded(sens), title="Sensitivity")
        console.print(sens.attrs.get("note", ""))


def _print_json(result: st.StudyResult, sens: pd.DataFrame | None) -> None:
    m = result.model
    out = {
        "metric": result.metric,
        "window": result.window,
        "verdict": result.verdict,
        "naive_before": result.naive_before,
        "naive_after": result.naive_after,
        "naive_ratio": result.naive_ratio,
        "placebo_p": result.p_value,
        "placebo_p_increase": result.p_upper,
        "observed": result.observed,
        "model": None
        if m is None
        else {"ratio": m.ratio, "low": m.low, "high": m.high, "p": m.p, "family": m.family},
        "events": json.loads(frame_to_json(result.to_frame())),
        "overlaps": json.loads(frame_to_json(result.overlaps)),
    }
    if sens is not None:
        out["sensitivity"] = json.loads(frame_to_json(sens))
        out["sensitivity_note"] = sens.attrs.get("note", "")
    console.print_json(json.dumps(out, default=str))


@study_app.command("tallies")
def tallies(
    placebo: int = typer.Option(st.N_PLACEBO, "--placebo", min=99, help="Placebo sets."),
    seed: int = typer.Option(0, "--seed", help="Random seed for the placebo sets."),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json."),
    db: Path = DbOption,
) -> None:
    """Published tallies (Riyadh, 30 days) and the week after each 2025 Trump-Putin call,
    beside the same tally on this data and the model estimate."""
    df = st.tallies(n_placebo=placebo, seed=seed, db=db)
    if fmt == "json":
        console.print_json(frame_to_json(df))
        return
    shown = rounded(df.assign(date=df["date"].dt.strftime("%Y-%m-%d")), 1)
    shown.columns = [c.replace("published_", "pub_").replace("data_", "") for c in shown]
    print_table(shown.drop(columns=["event"]), title="Tallies: drones launched (pct = %)")
