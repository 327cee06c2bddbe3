import json

from hypothesis import given
from hypothesis import strategies as st

from strikescope.sources.literals import LiteralError, literal_to_json, parse_literal


def test_dict_with_bare_nan():
    assert parse_literal("{'south': 65, 'east': NaN, 'north': NaN}") == {
        "south": 65, "east": None, "north": None}


def test_list_of_regions():
    assert parse_literal("['Kyiv', 'Kyiv oblast']") == ["Kyiv", "Kyiv oblast"]


def test_empty_and_nan_cells():
    assert parse_literal("") is None
    assert parse_literal("NaN") is None
    assert parse_literal("{}") == {}


def test_nan_inside_a_string_is_kept():
    assert parse_literal("{'NaN oblast': 1}") == {"NaN oblast": 1}


def test_code_is_refused_not_run():
    for text in ("__import__('os').system('true')", "{'a': open('x')}", "[x for x in ()]"):
        try:
            parse_literal(text)
        except LiteralError:
            continue
        raise AssertionError(f"accepted {text!r}")


@given(st.text())
def test_never_raises_on_arbitrary_text(text):
    value, error = literal_to_json(text)
    assert (value is None) or json.loads(value) is not None or value == "null"
    assert error is None or isinstance(error, str)
