"""The layers of docs/architecture.md hold: no module imports from a layer above its own.

Imports inside functions count too: a lazy import is still a dependency."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "strikescope"

# bottom to top; a module may import from its own layer and the ones before it
LAYERS = {
    "base": ("strikescope", "strikescope.__main__", "strikescope.config", "strikescope.db",
             "strikescope.csvsafe", "strikescope.wording", "strikescope.nightrule",
             "strikescope.errors", "strikescope.lazy", "strikescope.extras"),
    "sources": ("strikescope.sources", "strikescope.taxonomy", "strikescope.regions",
                "strikescope.events", "strikescope.gdelt", "strikescope.weather"),
    "store": ("strikescope.store", "strikescope.atomic", "strikescope.migrations",
              "strikescope.digest"),
    "rules": ("strikescope.rules",),
    # the Python API: queries, ingest of a parsed statement, the update from the sources
    "api": ("strikescope.api", "strikescope.provisional", "strikescope.refresh"),
    "analysis": ("strikescope.analysis",),
    "render": ("strikescope.render",),
    "presenters": ("strikescope.brief", "strikescope.check", "strikescope.claimtext",
                   "strikescope.cyrillic",
                   "strikescope.cli", "strikescope.web"),
}
ORDER = list(LAYERS)
# The package root only re-exports the API lazily (PEP 562); `__main__` runs the CLI.
ENTRY_POINTS = {"strikescope": "presenters", "strikescope.__main__": "presenters"}


def layer_of(module: str) -> str:
    if module in ENTRY_POINTS:
        return ENTRY_POINTS[module]
    best = max((p for ps in LAYERS.values() for p in ps
                if p != "strikescope" and (module == p or module.startswith(p + "."))),
               key=len, default=None)
    if best is None:
        raise LookupError(f"{module} is in no layer of LAYERS; place it in one")
    return next(name for name, ps in LAYERS.items() if best in ps)


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(tree: ast.AST, module: str, is_package: bool, root: Path = PACKAGE) -> set[str]:
    """The strikescope modules a module imports (relative imports resolved)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            # `from strikescope import api` imports the module strikescope.api
            found |= {f"{base}.{a.name}" for a in node.names
                      if _is_module(root.parent / f"{base}.{a.name}".replace(".", "/"))}
    return {m for m in found if m == "strikescope" or m.startswith("strikescope.")}


def _is_module(stem: Path) -> bool:
    return stem.with_suffix(".py").exists() or stem.is_dir()


def violations(root: Path = PACKAGE) -> list[str]:
    out = []
    for path in sorted(root.rglob("*.py")):
        module = module_name(path, root)
        here = ORDER.index(layer_of(module))
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for target in sorted(imports(tree, module, path.name == "__init__.py", root)):
            # `from strikescope import __version__` reads the package root's constant
            target_layer = "base" if target == "strikescope" else layer_of(target)
            if ORDER.index(target_layer) > here:
                out.append(f"{module} ({layer_of(module)}) imports {target} ({target_layer})")
    return out


def test_no_module_imports_from_a_higher_layer():
    assert violations() == []


# Drawing belongs to render: analysis returns frames and results. pyplot is global state
# (a backend, open figures), so no module of the package uses it.
DRAWING = ("plotly", "matplotlib")


def drawing_imports(root: Path = PACKAGE) -> list[str]:
    out = []
    for path in sorted(root.rglob("*.py")):
        module = module_name(path, root)
        in_analysis = layer_of(module) == "analysis"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            out += [f"{module} imports {n}" for n in names
                    if (in_analysis and n.split(".")[0] in DRAWING) or n == "matplotlib.pyplot"]
    return out


def test_analysis_draws_nothing_and_nothing_uses_pyplot():
    assert drawing_imports() == []


def test_a_drawing_import_is_caught(tmp_path):
    pkg = tmp_path / "strikescope"
    (pkg / "analysis").mkdir(parents=True)
    (pkg / "render").mkdir()
    for init in (pkg, pkg / "analysis", pkg / "render"):
        (init / "__init__.py").write_text("")
    (pkg / "analysis" / "study.py").write_text(
        "def f():\n    import plotly.express as px\n    return px\n")
    (pkg / "render" / "study.py").write_text(
        "from matplotlib.figure import Figure\nimport matplotlib.pyplot as plt\n")
    assert drawing_imports(pkg) == ["strikescope.analysis.study imports plotly.express",
                                    "strikescope.render.study imports matplotlib.pyplot"]


def test_every_module_has_a_layer():
    for path in PACKAGE.rglob("*.py"):
        layer_of(module_name(path))


def test_an_upward_import_is_caught(tmp_path):
    pkg = tmp_path / "strikescope"
    (pkg / "rules").mkdir(parents=True)
    (pkg / "analysis").mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "rules" / "__init__.py").write_text("")
    (pkg / "analysis" / "__init__.py").write_text("")
    (pkg / "analysis" / "study.py").write_text("X = 1\n")
    (pkg / "rules" / "nights.py").write_text(
        "def f():\n    from strikescope.analysis import study\n    return study.X\n")
    assert violations(pkg) == [
        "strikescope.rules.nights (rules) imports strikescope.analysis (analysis)",
        "strikescope.rules.nights (rules) imports strikescope.analysis.study (analysis)"]


def test_a_downward_import_passes(tmp_path):
    pkg = tmp_path / "strikescope"
    (pkg / "analysis").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "analysis" / "__init__.py").write_text("")
    (pkg / "config.py").write_text("X = 1\n")
    (pkg / "analysis" / "study.py").write_text("from strikescope.config import X\n")
    assert violations(pkg) == []


def test_an_unplaced_module_is_an_error():
    with pytest.raises(LookupError, match="no layer"):
        layer_of("strikescope.newthing")
