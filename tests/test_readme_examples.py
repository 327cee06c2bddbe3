"""The README's Python examples run as written, on the real data's store."""

from __future__ import annotations

import contextlib
import io
import re

import pytest

from tests.conftest import ROOT


def _blocks() -> list[tuple[int, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [(text[:m.start()].count("\n") + 1, m.group(1))
            for m in re.finditer(r"```python\n(.*?)```", text, re.S)]


@pytest.mark.slow
@pytest.mark.parametrize("line, code", _blocks(), ids=[f"README.md:{n}" for n, _ in _blocks()])
def test_readme_python_example_runs(line, code, real_db, monkeypatch, tmp_path):
    monkeypatch.setenv("STRIKESCOPE_DB", str(real_db))
    monkeypatch.chdir(tmp_path)
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, f"README.md:{line}", "exec"), {"__name__": "__readme__"})


def test_the_readme_has_python_examples():
    assert len(_blocks()) >= 2
