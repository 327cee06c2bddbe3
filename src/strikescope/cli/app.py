"""The Typer application object that every command module registers on.

The command modules are imported when their command runs, not when the CLI starts: several
pull in heavy libraries (scipy, statsmodels, plotly), and `--version` or `night DATE` should
not pay for them. `COMMANDS` says which module registers each command; a command missing
there still works (an unknown name loads every module), and tests/test_startup.py checks
that the table matches what the modules register.
"""

from importlib import import_module

import typer
from typer.core import TyperGroup
from typer.main import get_command_from_info, get_command_name, get_group_from_info

# command -> the module under strikescope.cli that registers it, in the order of `--help`.
COMMANDS = {
    "brief": "brief", "check": "brief",
    "defense": "campaign", "saturation": "campaign", "mix": "campaign",
    "massive": "campaign", "launch-areas": "campaign", "regions": "campaign",
    "shelter": "campaign", "weather-effects": "campaign", "campaign": "campaign",
    "ingest": "core", "nights": "core", "night": "core", "quarantine": "core",
    "warnings": "core", "weapons": "core", "releases": "core", "export": "core",
    "doctor": "doctor",
    "events": "events",
    "update": "fetch", "fetch": "fetch",
    "forecast": "forecast", "backtest": "forecast",
    "study": "study",
    "serve": "web",
}


class LazyGroup(TyperGroup):
    """A group that imports a command's module on the first lookup of that command."""

    def list_commands(self, ctx) -> list[str]:
        self._load_all()  # the listing (`--help`) shows every command with its own help
        return list(dict.fromkeys([*COMMANDS, *self.commands]))

    def get_command(self, ctx, cmd_name: str):
        if cmd_name not in self.commands:
            if cmd_name in COMMANDS:
                self._load(COMMANDS[cmd_name])
            if cmd_name not in self.commands:  # perhaps registered by a module not listed
                self._load_all()
        return self.commands.get(cmd_name)

    def _load_all(self) -> None:
        for module in dict.fromkeys(COMMANDS.values()):
            self._load(module)

    def _load(self, module: str) -> None:
        import_module(f"strikescope.cli.{module}")
        self._add_registered()

    def _add_registered(self) -> None:
        """Turn the commands and groups registered on `app` so far into click commands."""
        options = {"pretty_exceptions_short": app.pretty_exceptions_short,
                   "rich_markup_mode": app.rich_markup_mode}
        for info in app.registered_commands:
            name = info.name or get_command_name(info.callback.__name__)
            if name not in self.commands:
                self.commands[name] = get_command_from_info(info, **options)
        for info in app.registered_groups:
            if info.name and info.name not in self.commands:
                self.commands[info.name] = get_group_from_info(
                    info, suggest_commands=app.suggest_commands, **options)


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
) -> None:
    """Air Force strike reports as evidence: ingest, nights, studies, forecasts, briefs."""
