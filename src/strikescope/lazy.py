"""A stand-in for a heavy module that imports it on first use.

`pd = lazy_module("pandas")` at the top of a module keeps `pd.DataFrame(...)` as written
while a command that never touches a frame (`strikescope night DATE`, `--version`) does not
pay the half second pandas takes to import. The real module is imported by the first
attribute read, once; `import pandas` elsewhere is unaffected.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType


class LazyModule:
    """Reads of attributes go to the module `name`, imported on the first read."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str):
        if attr.startswith("__"):  # copy, pickle and friends probe these on any object
            raise AttributeError(attr)
        if self._module is None:
            self._module = import_module(self._name)
        return getattr(self._module, attr)

    def __repr__(self) -> str:
        state = "imported" if self._module is not None else "not imported yet"
        return f"<lazy module {self._name!r}, {state}>"


def lazy_module(name: str) -> LazyModule:
    return LazyModule(name)
