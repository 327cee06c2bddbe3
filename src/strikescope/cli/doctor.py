"""`strikescope doctor`: the data-integrity report of the store."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from strikescope.analysis import doctor as checkup
from strikescope.cli.app import app
from strikescope.cli.output import DbOption, console, guard, print_table


@app.command()
def doctor(
    threshold: float = typer.Option(0.2, help="Relative national/regional difference shown."),
    min_difference: int = typer.Option(5, help="Smallest absolute difference shown."),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json."),
    db: Path = DbOption,
) -> None:
    """Store version, rows per release, quarantine by reason, missing denominators, release
    diffs and national/regional disagreements; exit code 1 if an integrity problem is found."""
    report = guard(lambda: checkup.doctor(db, threshold, min_difference))
    if fmt == "json":
        console.print_json(json.dumps(report.to_dict(), default=str))
    else:
        _print(report)
    if report.problems:
        raise typer.Exit(1)


def _print(report: checkup.DoctorReport) -> None:
    console.print(report.summary())
    rel = report.releases
    compact = rel.assign(period=rel.period_start.astype(str) + " .. " + rel.period_end.astype(str),
                         quar=rel.quarantined)[
        ["name", "status", "read", "loaded", "quar", "added", "changed", "removed", "period"]]
    print_table(compact, "Releases: rows and diffs")
    if len(report.quarantine):
        print_table(report.quarantine, "Quarantine (current releases) by reason")
    if len(report.missing_denominators):
        print_table(report.missing_denominators,
                    "Nights with launches lacking a shot-down count")
    if len(report.disagreements):
        print_table(report.disagreements, "National vs regional launch counts "
                    "(regional commands cover only their area: lower counts are expected)")
    if len(report.regimes):
        print_table(report.regimes, "Reporting regimes (data/regimes.csv): rates are "
                    "comparable within one, not across")
    if len(report.split_posts):
        print_table(report.split_posts, "Posts whose rows lie on several nights "
                    "(each night counted as an attack of its own)")
