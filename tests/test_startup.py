"""Start-up: what `import strikescope.cli` loads, and the lazy command table."""

import inspect
import json
import os
import subprocess
import sys
from importlib import import_module

from typer.main import get_command, get_command_name

from strikescope.cli import app as cli_app
from strikescope.cli.app import COMMANDS

HEAVY = ("scipy", "statsmodels", "plotly", "matplotlib", "spacy", "scoringrules",
         "dateparser", "fastapi")


def _loaded_after(statement: str, names) -> list[str]:
    """The top-level packages of `names` in sys.modules after `statement` in a fresh
    interpreter."""
    code = (f"import json, sys\n{statement}\n"
            f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    loaded = set(json.loads(out.stdout.splitlines()[-1]))
    return sorted(loaded & set(names))


def test_import_cli_loads_no_heavy_library():
    assert _loaded_after("import strikescope.cli", HEAVY + ("pandas", "duckdb")) == []


def test_import_package_loads_no_pandas():
    assert _loaded_after("import strikescope", HEAVY + ("pandas", "duckdb")) == []


def test_night_command_loads_no_heavy_library():
    # a real command path: `strikescope night` loads its module and no other's libraries
    statement = ("from strikescope.cli import app\n"
                 "import typer.main; g = typer.main.get_command(app)\n"
                 "assert g.get_command(None, 'night') is not None")
    assert _loaded_after(statement, HEAVY) == []


def _all_commands() -> dict:
    """name -> click command, with every command module imported."""
    for module, _ in COMMANDS.values():
        import_module(f"strikescope.cli.{module}")
    group = get_command(cli_app)
    return {name: group.commands[name] for name in group.commands}


def test_lazy_table_names_every_command_and_its_module():
    # A new command, or one moved to another module: name it in COMMANDS (cli/app.py).
    _all_commands()
    registered = {info.name or get_command_name(info.callback.__name__):
                  info.callback.__module__ for info in cli_app.registered_commands}
    for info in cli_app.registered_groups:
        callback = (info.typer_instance.registered_callback
                    or info.typer_instance.registered_commands[0])
        registered[info.name] = inspect.getmodule(callback.callback).__name__
    assert {name: f"strikescope.cli.{m}" for name, (m, _) in COMMANDS.items()} == registered


def test_lazy_table_help_is_each_commands_own():
    # A command whose first help paragraph changed: copy it into COMMANDS (cli/app.py).
    shown = {name: inspect.cleandoc(cmd.short_help or cmd.help or "").split("\n\n")[0]
             .strip() for name, cmd in _all_commands().items()}
    assert {name: text for name, (_, text) in COMMANDS.items()} == shown


def test_help_lists_every_command_without_loading_them():
    code = ("import sys\nfrom strikescope.cli import app\nsys.argv = ['strikescope', '--help']"
            "\ntry:\n    app()\nexcept SystemExit:\n    pass\n"
            "print('LOADED', sorted(m for m in sys.modules if m.startswith('strikescope.cli.')"
            " and m != 'strikescope.cli.app'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "COLUMNS": "100"}).stdout
    assert out.rstrip().endswith("LOADED []")
    for name in COMMANDS:
        assert f" {name} " in out


def test_package_api_still_reachable():
    import strikescope
    import strikescope.analysis.study
    import strikescope.rules.nights

    # functions, not modules: importing the modules that hold them changes nothing
    for name in ("nights", "study", "doctor", "update", "open"):
        assert inspect.isfunction(getattr(strikescope, name)), name
    assert strikescope.night.__module__ == "strikescope.api"
    assert strikescope.classify("Shahed-136/131")
    assert "connect" in dir(strikescope)


def test_unknown_command_suggests_the_right_one():
    from typer.testing import CliRunner

    out = CliRunner().invoke(cli_app, ["nigth"])
    assert out.exit_code != 0 and "night" in out.output


def _cli_output(*args: str) -> str:
    """What `strikescope ARGS` prints in a fresh interpreter, then whether pandas and numpy
    were loaded ("PANDAS False False")."""
    code = ("import sys\nfrom strikescope.cli import main\n"
            f"sys.argv = ['strikescope', *{list(args)!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('PANDAS', 'pandas' in sys.modules, 'numpy' in sys.modules)")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout


def test_night_view_loads_no_pandas(real_db):
    # `strikescope night DATE` reads plain rows: pandas' import is most of its start-up
    out = _cli_output("night", "2025-07-04", "--db", str(real_db))
    assert "539 drones and 11 missiles" in out
    assert out.rstrip().endswith("PANDAS False False")


def test_lazy_module_imports_on_first_read():
    code = ("import sys\nfrom strikescope.lazy import lazy_module\n"
            "m = lazy_module('fractions')\nbefore = 'fractions' in sys.modules\n"
            "half = m.Fraction(1, 2)\nprint(before, 'fractions' in sys.modules, half)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True", "1/2"]


def test_dashboard_app_builds_without_pandas(tmp_path):
    # no module of the app needs pandas or an analysis library to build it: `create_app`
    # loads pandas before listening by choice (see `preload`), the analyses on first use
    statement = ("from strikescope.web import create_app\n"
                 f"create_app(db={str(tmp_path / 'store.duckdb')!r}, "
                 f"alerts_path={str(tmp_path)!r}, preload=False)")
    names = ("pandas", "numpy", "pyarrow", "scipy", "statsmodels", "scoringrules")
    assert _loaded_after(statement, names) == []


def test_forecast_module_loads_no_scoring_library():
    assert _loaded_after("import strikescope.analysis.forecast",
                         ("scoringrules", "statsmodels")) == []


def test_dashboard_placebo_default_is_the_study_default():
    from strikescope.analysis import study
    from strikescope.web import routes_api

    assert routes_api.N_PLACEBO == study.N_PLACEBO


def test_ingest_loads_no_pandas(tmp_path, shared_data):
    # an ingest of the real releases needs no data-frame library: importing pandas took a
    # third of the command
    out = _cli_output("ingest", str(shared_data / "attacks"), "--db",
                      str(tmp_path / "store.duckdb"))
    assert "69,067 long-range drones and 6,257 missiles" in out
    assert out.rstrip().endswith("PANDAS False False")
