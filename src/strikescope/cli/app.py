"""The Typer application object that every command module registers on.

The command modules are imported when their command runs, not when the CLI starts: several
pull in heavy libraries (scipy, statsmodels, plotly), and `--version`, `--help` or
`night DATE` should not pay for them. `COMMANDS` says which module registers each command;
a command missing there still works (an unknown name loads every module).
"""

import functools
from importlib import import_module

import typer
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command_from_info, get_command_name, get_group_from_info

from strikescope.extras import as_missing_extra, require

# command -> (the module under strikescope.cli that registers it, the first paragraph of
# its help as `strikescope --help` lists it), in the order of that listing. The listing is
# drawn from here so that it loads no command module; tests/test_startup.py checks both
# columns against the modules.
COMMANDS = {
    "brief": ("brief",
               "Write a news brief (Markdown and self-contained HTML) for a night, week or "
               "event."),
    "check": ("brief",
               "Label each checkable claim of an article supported, contradicted or "
               "unverifiable."),
    "defense": ("campaign",
               "Shot-down, EW-loss and reached rates per period and class, Wilson 95 % "
               "intervals."),
    "saturation": ("campaign",
               "Shot-down rate against salvo size, binned and fitted with the trend controlled."),
    "mix": ("campaign", "Launches per period and weapon class (or the decoy share of the drones)."),
    "massive": ("campaign", "Massive combined strikes and the days between them."),
    "launch-areas": ("campaign", "Launch areas per weapon class (nights named)."),
    "regions": ("campaign",
               "Regions named as targets: per region totals, or per night with --per-night.\n"
               "The chart maps the totals either way: a map has no room for nights."),
    "shelter": ("campaign",
               "Hours under air-raid alert per night in one region, joined to the attack nights."),
    "weather-effects": ("campaign",
               "Drone shot-down rate and launch size by night weather, trend-adjusted."),
    "campaign": ("campaign",
               "Write every campaign table (CSV) and chart (PNG, HTML) into one directory."),
    "ingest": ("core",
               "Ingest attack releases (any schema) and the weapon reference; rebuild the "
               "nights."),
    "nights": ("core",
               "Nightly totals: launched, shot down, lost and reached, per kind and class."),
    "night": ("core",
               "One night: per-class table, the report rows behind it, sources and targets."),
    "build": ("core",
              "Build the nights an ingest left to build (`ingest --nights later`, or a bulk "
              "load),\nall or nothing; with --full, rebuild every night."),
    "migrate": ("core",
               "Bring the store up to this version: apply the migrations it has not had and "
               "rebuild\nits nights if they were built by other rules (all or nothing)."),
    "quarantine": ("core", "Rows kept out of the nights: file, row, field and reason."),
    "warnings": ("core", "Rows loaded with a warning: file, row, field and reason."),
    "weapons": ("core", "The weapon taxonomy of every model string in the store."),
    "releases": ("core", "The releases ingested, with their row accounting and changes."),
    "export": ("core", "Export a table of the store to CSV, Parquet or JSON."),
    "doctor": ("doctor",
               "Store version, rows per release, quarantine by reason, missing denominators, "
               "release\n"
               "diffs and national/regional disagreements; exit code 1 if an integrity problem "
               "is found."),
    "events": ("events", "The diplomatic timeline: list, validate, and find candidates in GDELT."),
    "update": ("fetch",
               "Fetch the latest attack data, alerts and weather, check them, ingest: all or "
               "nothing."),
    "fetch": ("fetch",
               "Download and check fresh data without touching the store (unless --ingest)."),
    "forecast": ("forecast",
               "Predictive distributions of drones and missiles for the nights after --as-of "
               "(by\n"
               "default the last night in the store)."),
    "backtest": ("forecast",
               "Walk-forward backtest: CRPS, log score, coverage, Brier, PIT, skill vs "
               "baselines."),
    "parse-report": ("statement",
               "Read one Air Force statement (Ukrainian or English) into report rows: night, "
               "window,\nper model launched, shot down, lost, hits; stated vs derived; "
               "unparsed sentences."),
    "ingest-report": ("statement",
               "Add a statement's rows to the store as a provisional release (source "
               "statement/HASH),\nsuperseded when a digitised release covers its night."),
    "provisional": ("statement",
               "Statement releases (provisional) with the store's figures of their nights now: "
               "where a\ndigitised release superseded a statement, where the two disagree."),
    "study": ("study", "Event study: did the strikes change around diplomatic events?"),
    "serve": ("web", "Serve the dashboard and the JSON API (/api/v1) from the store."),
}

# command module -> the extra (strikescope.extras) its commands need; checked before one of
# them runs, so that a missing extra stops it with the line that installs it, whatever the
# command would have done before it reached the missing package
EXTRA_OF_MODULE = {"brief": "check", "campaign": "analysis", "fetch": "fetch",
                   "forecast": "analysis", "study": "analysis", "web": "web"}


class LazyGroup(TyperGroup):
    """A group that imports a command's module on the first lookup of that command; its
    own `--help` lists the commands from `COMMANDS` without importing any."""

    _listing = False

    def format_help(self, ctx, formatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def list_commands(self, ctx) -> list[str]:
        return list(dict.fromkeys([*COMMANDS, *self.commands]))

    def get_command(self, ctx, cmd_name: str):
        if cmd_name not in self.commands:
            if self._listing and cmd_name in COMMANDS:
                return TyperCommand(name=cmd_name, help=COMMANDS[cmd_name][1])
            if cmd_name in COMMANDS:
                self._load(COMMANDS[cmd_name][0], f"strikescope {cmd_name}")
            if cmd_name not in self.commands:  # perhaps registered by a module not listed
                self._load_all()
        return self.commands.get(cmd_name)

    def _load_all(self) -> None:
        for module in dict.fromkeys(module for module, _ in COMMANDS.values()):
            self._load(module)

    def _load(self, module: str, what: str = "this command") -> None:
        try:
            import_module(f"strikescope.cli.{module}")
        except ImportError as exc:
            missing = as_missing_extra(exc, what)
            if missing is None:
                raise
            raise missing from exc
        self._add_registered()

    def _add_registered(self) -> None:
        """Turn the commands and groups registered on `app` so far into click commands."""
        short, markup = app.pretty_exceptions_short, app.rich_markup_mode
        for info in app.registered_commands:
            assert info.callback is not None  # registered with @app.command()
            name = info.name or get_command_name(info.callback.__name__)
            if name not in self.commands:
                self.commands[name] = _checks_extra(get_command_from_info(
                    info, pretty_exceptions_short=short, rich_markup_mode=markup), name)
        for group in app.registered_groups:
            if group.name and group.name not in self.commands:
                self.commands[group.name] = _checks_extra(get_group_from_info(
                    group, suggest_commands=app.suggest_commands,
                    pretty_exceptions_short=short, rich_markup_mode=markup), group.name)


def _checks_extra(command, name: str):
    """`command`, made to check first that the extra of its module is installed."""
    extra = EXTRA_OF_MODULE.get(COMMANDS.get(name, ("", ""))[0])
    callback = command.callback
    if extra is None or callback is None:
        return command

    @functools.wraps(callback)
    def checked(*args, **kwargs):
        require(extra, f"strikescope {name}")
        return callback(*args, **kwargs)

    command.callback = checked
    return command


app = typer.Typer(
    name="strikescope",
    cls=LazyGroup,
    help="Air Force strike reports as evidence: ingest, nights, studies, forecasts, briefs.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        from strikescope import __version__

        typer.echo(f"strikescope {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    raw: bool = typer.Option(
        False, "--raw", help="Write CSV cells exactly as stored: no apostrophe before a "
        "cell a spreadsheet would run as a formula (=, +, -, @, tab, CR)."),
) -> None:
    """Air Force strike reports as evidence: ingest, nights, studies, forecasts, briefs."""
    from strikescope import csvsafe
    from strikescope.cli.output import show_store_notices

    csvsafe.set_raw_default(raw)
    show_store_notices()
