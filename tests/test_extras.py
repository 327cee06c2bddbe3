"""The base install ingests and queries without any extra; a command whose extra is missing
stops with the line that installs it; pyproject's extras cover every package src imports."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from strikescope import extras

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# distribution name -> import name, where the two differ by more than - and _
IMPORT_NAME = {"scikit-learn": "sklearn", "pyyaml": "yaml"}
# extras of the developer's tools and the union of the others: no import names to keep
NOT_FEATURES = {"dev", "all"}

# Installed in a subprocess as sitecustomize: every package of every extra is missing.
BLOCKER = """
import importlib.abc, os, sys

BLOCKED = set(os.environ["BLOCKED"].split(","))


class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (blocked)", name=name)
        return None


sys.meta_path.insert(0, Blocker())
"""


# Runs each command line of argv[1] (JSON) through the CLI's entry point, as the
# `strikescope` script would, and prints their exit codes and output as JSON.
EACH = """
import contextlib, io, json, sys
from strikescope.cli import main

out = []
for argv in json.loads(sys.argv[1]):
    sys.argv = ["strikescope", *argv]
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    out.append({"code": code, "stdout": stdout.getvalue(), "stderr": stderr.getvalue()})
print(json.dumps(out))
"""


def _requirement_name(requirement: str) -> str:
    return re.match(r"[A-Za-z0-9._-]+", requirement).group(0).lower()


def _import_name(requirement: str) -> str:
    name = _requirement_name(requirement)
    return IMPORT_NAME.get(name, name.replace("-", "_"))


def _extra_requirements(extra: str) -> list[str]:
    """An extra's requirements, with `strikescope[other]` expanded."""
    out = []
    for req in PYPROJECT["optional-dependencies"][extra]:
        inner = re.fullmatch(r"strikescope\[([a-z,]+)\]", req.replace(" ", ""))
        out += ([r for e in inner.group(1).split(",") for r in _extra_requirements(e)]
                if inner else [req])
    return out


def _imported_packages() -> set[str]:
    """Top-level names of the third-party packages src imports (lazy imports too)."""
    found = set()
    for path in (SRC / "strikescope").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"strikescope"}


ALL_EXTRAS = sorted({m for modules in extras.EXTRAS.values() for m in modules})


# --- the extras' lists --------------------------------------------------------------------

def test_every_extra_of_pyproject_lists_the_same_packages_as_extras_py():
    features = set(PYPROJECT["optional-dependencies"]) - NOT_FEATURES
    assert features == set(extras.EXTRAS)
    for extra in features:
        assert {_import_name(r) for r in _extra_requirements(extra)} == set(
            extras.EXTRAS[extra]), extra


def test_all_holds_every_extra_a_command_uses():
    commands = {e for e in extras.EXTRAS if e != "ml"}
    assert {_requirement_name(r) for r in _extra_requirements("all")} == {
        _requirement_name(r) for e in commands for r in _extra_requirements(e)}


def test_every_package_src_imports_is_in_the_base_or_an_extra():
    base = {_import_name(r) for r in PYPROJECT["dependencies"]}
    provided = base | set(ALL_EXTRAS)
    for package in sorted(_imported_packages()):
        assert extras.INSTALLED_WITH.get(package, package) in provided, (
            f"src imports {package}, which neither the base install nor an extra provides")


def test_base_and_extras_do_not_overlap():
    base = {_import_name(r) for r in PYPROJECT["dependencies"]}
    assert base.isdisjoint(ALL_EXTRAS)


# --- the helper ---------------------------------------------------------------------------

def test_a_missing_package_is_named_with_its_extra():
    exc = ModuleNotFoundError("No module named 'statsmodels'", name="statsmodels.api")
    missing = extras.as_missing_extra(exc, "strikescope study")
    assert missing.extra == "analysis"
    assert str(missing) == ("strikescope study needs the optional package statsmodels: "
                            "pip install 'strikescope[analysis]'")


def test_a_package_of_several_extras_names_the_smallest():
    # plotly is in charts (2 packages), check (4) and web (7)
    assert extras.extra_of(ModuleNotFoundError(name="plotly")) == "charts"
    assert extras.extra_of(ModuleNotFoundError(name="starlette.routing")) == "web"


def test_other_import_errors_are_left_alone():
    assert extras.as_missing_extra(ModuleNotFoundError(name="no_such_module")) is None
    # installed but broken (a name missing from it): the traceback is the useful answer
    assert extras.as_missing_extra(ImportError("cannot import name", name="scipy")) is None


def test_require_raises_for_a_missing_package(monkeypatch):
    monkeypatch.setitem(extras.EXTRAS, "demo", ("json", "strikescope_no_such_package"))
    with pytest.raises(extras.MissingExtra, match=r"pip install 'strikescope\[demo\]'") as e:
        extras.require("demo", "the demo")
    assert e.value.packages == ["strikescope_no_such_package"]
    monkeypatch.setitem(extras.EXTRAS, "demo", ("json",))
    extras.require("demo")


# --- the base install, in a Python where no extra is installed --------------------------

@pytest.fixture
def bare(tmp_path, release):
    """run(args) -> CompletedProcess of `python -m strikescope ARGS` (or `python -c CODE`)
    in a Python where every extra's package is missing, on a small store."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(BLOCKER)
    path = release([
        {"time_start": "2025-03-01 18:00", "time_end": "2025-03-02 06:00",
         "model": "Shahed-136/131", "launched": "100", "destroyed": "90", "target": "Kyiv",
         "source": "kpszsu/posts/p1"},
        {"time_start": "2025-03-01 18:00", "time_end": "2025-03-02 06:00",
         "model": "Iskander-M", "launched": "many", "source": "kpszsu/posts/p1"},
    ])
    base = {_import_name(r) for r in PYPROJECT["dependencies"]}
    blocked = ALL_EXTRAS + [m for m, with_ in extras.INSTALLED_WITH.items() if with_ not in base]
    env = {**os.environ, "BLOCKED": ",".join(blocked),
           "PYTHONPATH": os.pathsep.join([str(site), str(SRC)]),
           "STRIKESCOPE_DB": str(tmp_path / "store.duckdb")}

    def run(*args: str, code: str | None = None) -> subprocess.CompletedProcess:
        argv = ["-c", code] if code else ["-m", "strikescope", *args]
        return subprocess.run([sys.executable, *argv], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
    def each(argvs: list[list[str]]) -> list[dict]:
        """Several commands in one process (each as `strikescope ARGV`): code and output."""
        done = subprocess.run(
            [sys.executable, "-c", EACH, json.dumps(argvs)], env=env, cwd=tmp_path,
            capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)
    run.release = path
    run.each = each
    return run


def test_the_base_install_ingests_and_queries(bare):
    code = f"""
import sys
import strikescope
strikescope.ingest([{str(bare.release)!r}])
nights = strikescope.nights()
assert int(nights.set_index("night").loc["2025-03-02", "drones_launched"]) == 100
detail = strikescope.night("2025-03-02")
assert len(detail.rows) == 1 and int(detail.classes["launched"].sum()) == 100
assert len(strikescope.quarantine()) == 1
with strikescope.open() as store:
    assert len(strikescope.nights(db=store)) == len(nights)
blocked = set(__import__("os").environ["BLOCKED"].split(","))
assert not blocked & {{m.split(".")[0] for m in sys.modules}}
print("ok")
"""
    done = bare(code=code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_base_commands_run(bare, tmp_path):
    assert bare("ingest", str(bare.release)).returncode == 0
    night = bare("night", "2025-03-02")  # `python -m strikescope` itself, once
    assert night.returncode == 0, night.stderr
    assert "100 drones" in night.stdout
    done = bare.each([["nights", "--format", "csv"], ["quarantine"],
                      ["export", "nights", str(tmp_path / "n.csv")],
                      ["export", "nights", str(tmp_path / "n.json")]])
    assert [d["code"] for d in done] == [0, 0, 0, 0], done
    assert "2025-03-02" in done[0]["stdout"]
    assert (tmp_path / "n.csv").read_text().startswith("night,")
    # Parquet is the one export format that needs an extra
    parquet = bare.each([["export", "nights", str(tmp_path / "n.parquet")],
                         ["nights", "--format", "parquet", "--out", str(tmp_path / "n.parquet")]])
    for d in parquet:
        assert d["code"] == 1, d
        assert "Parquet export needs the optional package pyarrow: pip install " \
            "'strikescope[parquet]'" in d["stderr"], d
    assert not (tmp_path / "n.parquet").exists()


COMMANDS_AND_EXTRAS = [
    (["study", "--metric", "drones"], "analysis"),
    (["serve"], "web"),
    (["forecast"], "analysis"),
    (["brief", "--night", "2025-03-02"], "check"),
    (["update"], "fetch"),
]


def test_a_command_without_its_extra_names_it(bare):
    done = bare.each([argv for argv, _ in COMMANDS_AND_EXTRAS])
    for (argv, extra), d in zip(COMMANDS_AND_EXTRAS, done, strict=True):
        assert d["code"] == 1, (argv, d)
        assert f"pip install 'strikescope[{extra}]'" in d["stderr"], (argv, d)
        assert "Traceback" not in d["stderr"]


def test_the_api_answers_501_naming_the_extra_of_a_missing_package():
    from strikescope.errors import MissingExtraError
    from strikescope.web.errors import status_of
    from strikescope.web.routes_api import _analysis

    def make():
        raise ModuleNotFoundError("No module named 'statsmodels'", name="statsmodels")
    with pytest.raises(MissingExtraError) as e:  # answered by the app's handler, by class
        _analysis(make)
    assert status_of(e.value) == 501
    assert "pip install 'strikescope[analysis]'" in str(e.value)


def test_the_api_shows_other_missing_modules_in_full():
    from strikescope.web.routes_api import _analysis

    def make():
        raise ModuleNotFoundError("No module named 'strikescope.gone'", name="strikescope.gone")
    with pytest.raises(ModuleNotFoundError):
        _analysis(make)


def test_a_dashboard_feature_without_its_extra_names_it(monkeypatch):
    from strikescope.web import optional

    def missing(name):
        raise ModuleNotFoundError(f"No module named {name!r}", name="scipy")
    monkeypatch.setattr(optional.importlib, "import_module", missing)
    with pytest.raises(optional.Unavailable, match=r"strikescope\[analysis\]"):
        optional.feature("analysis.study", "study")


def test_a_dashboard_page_names_the_extra_of_a_package_missing_at_first_use(tiny_db,
                                                                            monkeypatch):
    from fastapi.testclient import TestClient

    from strikescope.web import create_app, routes_api, routes_pages

    def massive_strikes(*args, **kwargs):
        raise ModuleNotFoundError("No module named 'statsmodels'", name="statsmodels")
    real = routes_pages.feature

    def feature(module, name):
        return massive_strikes if name == "massive_strikes" else real(module, name)
    for module in (routes_api, routes_pages):  # the page reads its table ahead, too
        monkeypatch.setattr(module, "feature", feature)
    page = TestClient(create_app(db=tiny_db)).get("/campaign")
    assert page.status_code == 200
    assert "The campaign page needs the optional package statsmodels" in page.text
    assert "strikescope[analysis]" in page.text
