"""Modules that are also the function they are named after.

`strikescope.study(...)` runs an event study while `strikescope.study.run_study` and
`from strikescope import study` still reach the module; the same for `strikescope.nights`.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable


def callable_module(name: str, func: Callable) -> None:
    """Make the module `name` callable: calling it calls `func`."""

    class CallableModule(types.ModuleType):
        def __call__(self, *args, **kwargs):
            return func(*args, **kwargs)

    CallableModule.__call__.__doc__ = func.__doc__
    sys.modules[name].__class__ = CallableModule
