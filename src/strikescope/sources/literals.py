"""Safe parsing of the Python-literal text cells of the reports (dicts and lists with `NaN`)."""

from __future__ import annotations

import ast
import json
import math
import re

from strikescope.errors import LiteralError

_BARE_NAN = re.compile(r"(?<![\w'\"])(?:NaN|nan|None)(?![\w'\"])")
_MAX_LEN = 20_000




def _clean(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_clean(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    raise LiteralError(f"unsupported literal value {value!r}")


def parse_literal(text: str | None):
    """Parse a dict/list literal such as "{'south': 65, 'east': NaN}" without `eval`.

    Returns None for empty cells; raises LiteralError for anything that is not a plain
    literal (names, calls, attribute access are all refused by `ast.literal_eval`).
    """
    if text is None:
        return None
    body = str(text).strip()
    if not body or body in {"NaN", "nan", "None"}:
        return None
    if len(body) > _MAX_LEN:
        raise LiteralError(f"literal longer than {_MAX_LEN} characters")
    try:
        value = ast.literal_eval(_BARE_NAN.sub("None", body))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as exc:
        raise LiteralError(f"not a Python literal: {exc.__class__.__name__}") from None
    if not isinstance(value, dict | list | tuple):
        value = [value]
    return _clean(value)


def literal_to_json(text: str | None) -> tuple[str | None, str | None]:
    """(JSON text or None, error message or None); never raises."""
    try:
        value = parse_literal(text)
    except LiteralError as exc:
        return None, str(exc)
    return (None if value is None else json.dumps(value, ensure_ascii=False)), None
