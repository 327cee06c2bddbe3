"""Named errors are caught by name; any other exception is a bug that shows (CLI) or is
logged with its traceback (web)."""

from __future__ import annotations

import logging
import sys

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from strikescope import extras
from strikescope.cli import app as cli_app
from strikescope.errors import (
    DataDirError,
    EventValidationError,
    FetchError,
    InputError,
    LiteralError,
    MissingColumnError,
    MissingExtraError,
    NightCoveredError,
    NoSuchFileError,
    NotFoundError,
    StoreBusyError,
    StoreError,
    StoreLayoutError,
    StoreMissingError,
    StrikescopeError,
    UnreadableFileError,
)

runner = CliRunner()


@pytest.mark.parametrize("cls,bases", [
    (InputError, (StrikescopeError, ValueError)),
    (NotFoundError, (StrikescopeError, LookupError)),
    (NoSuchFileError, (NotFoundError, FileNotFoundError)),
    (StoreMissingError, (StoreError, FileNotFoundError)),
    (StoreLayoutError, (StoreError,)),
    (StoreBusyError, (StoreError,)),
    (DataDirError, (StrikescopeError, FileNotFoundError)),
    (FetchError, (StrikescopeError, RuntimeError)),
    (MissingExtraError, (StrikescopeError, ImportError)),
    (UnreadableFileError, (InputError,)),
    (MissingColumnError, (InputError,)),
    (EventValidationError, (InputError,)),
    (LiteralError, (InputError,)),
    (NightCoveredError, (InputError,)),
])
def test_bases(cls, bases):
    assert cls.__bases__ == bases


def test_a_store_of_another_layout_is_no_bad_argument():
    """A ValueError is a 422 to callers that map it: the store's layout is not the user's
    argument, and no longer one."""
    assert not issubclass(StoreLayoutError, ValueError)
    assert not issubclass(StoreBusyError, ValueError)


def test_every_class_is_importable_where_it_was():
    from strikescope import atomic, config, events, provisional, store
    from strikescope.sources import attacks, fetch, literals
    from strikescope.web import optional

    assert store.StoreLayoutError is StoreLayoutError
    assert atomic.StoreBusyError is StoreBusyError
    assert config.DataDirError is DataDirError
    assert fetch.FetchError is FetchError
    assert attacks.UnreadableFileError is UnreadableFileError
    assert attacks.MissingColumnError is MissingColumnError
    assert events.EventValidationError is EventValidationError
    assert provisional.NightCoveredError is NightCoveredError
    assert literals.LiteralError is LiteralError
    assert optional.Unavailable is MissingExtraError


def test_missing_extra_names_the_extra():
    ml = MissingExtraError("ml", ["sklearn"], "the stacked forecast")
    assert str(ml) == ("the stacked forecast needs the optional package sklearn: "
                       "pip install 'strikescope[ml]'")
    assert (ml.extra, ml.name) == ("ml", "sklearn")
    assert extras.MissingExtra is MissingExtraError  # one class, importable where it was


def test_missing_extra_survives_a_trip_to_another_process():
    import pickle

    sent = MissingExtraError("analysis", ["scipy", "statsmodels"], "a check")
    back = pickle.loads(pickle.dumps(sent))
    assert (back.extra, back.packages, str(back)) == (sent.extra, sent.packages, str(sent))


def test_optional_names_a_missing_package_but_not_a_broken_module(monkeypatch):
    monkeypatch.setitem(sys.modules, "scoringrules", None)  # as if not installed
    with pytest.raises(MissingExtraError, match=r"strikescope\[analysis\]"), \
            extras.optional("a feature"):
        import scoringrules  # noqa: F401
    # a strikescope module that cannot be imported is a bug: its own error, unchanged
    with pytest.raises(ModuleNotFoundError) as caught, extras.optional("a feature"):
        import strikescope.no_such_module  # noqa: F401
    assert not isinstance(caught.value, MissingExtraError)


# --- the CLI ---------------------------------------------------------------------------


def test_cli_shows_a_named_error_on_one_line(monkeypatch, tmp_path):
    import strikescope.api as api

    def fail(*args, **kwargs):
        raise NotFoundError("no night ending 2021-01-01 in the store")

    monkeypatch.setattr(api, "nights", fail)
    out = runner.invoke(cli_app, ["nights", "--db", str(tmp_path / "s.duckdb")])
    assert out.exit_code == 1
    assert out.output.strip() == "error: no night ending 2021-01-01 in the store"
    assert "Traceback" not in out.output


def test_cli_lets_a_bug_show_its_traceback(monkeypatch, tmp_path):
    import strikescope.api as api

    def bug(*args, **kwargs):
        raise RuntimeError("a bug, not the user's")

    monkeypatch.setattr(api, "nights", bug)
    out = runner.invoke(cli_app, ["nights", "--db", str(tmp_path / "s.duckdb")])
    assert out.exit_code != 0
    assert isinstance(out.exception, RuntimeError)  # propagated, not turned into a line
    assert "error:" not in out.output


@pytest.mark.parametrize("exc", [KeyError("night"), ValueError("cannot reshape"),
                                 FileNotFoundError("/tmp/x")])
def test_cli_no_longer_relabels_built_in_errors(monkeypatch, tmp_path, exc):
    """A ValueError or KeyError from deep inside is a bug, not a message for the user."""
    import strikescope.api as api

    def bug(*args, **kwargs):
        raise exc

    monkeypatch.setattr(api, "nights", bug)
    out = runner.invoke(cli_app, ["nights", "--db", str(tmp_path / "s.duckdb")])
    assert out.exception is exc


def test_api_malformed_date_is_an_input_error(tiny_db):
    import strikescope

    with pytest.raises(InputError, match="from '2025-13-01' is not a date"):
        strikescope.nights(start="2025-13-01", db=tiny_db)
    with pytest.raises(InputError, match="night 'yesterday' is not a date"):
        strikescope.night("yesterday", db=tiny_db)
    with pytest.raises(InputError, match="from 2025-03-05 is after to 2025-03-01"):
        strikescope.nights("2025-03-05", "2025-03-01", db=tiny_db)
    assert len(strikescope.nights("2025-03-01", "2025-03-01", db=tiny_db)) == 1
    assert not strikescope.night("2025-03-02", db=tiny_db).classes.empty  # a real one reads


def test_malformed_dates_of_a_brief_and_a_statement_are_input_errors(tiny_db):
    from strikescope.brief import brief
    from strikescope.sources.statement import parse_report

    with pytest.raises(InputError, match="night '2025-02-30' is not a date"):
        brief(night="2025-02-30", db=tiny_db)
    with pytest.raises(InputError, match="publication date 'soon' is not a date"):
        parse_report("Вночі 4 липня противник атакував 10 ударними БпЛА.", "soon")


def test_cli_malformed_date_is_a_usage_error(tmp_path):
    out = runner.invoke(cli_app, ["nights", "--from", "2025-13-01",
                                  "--db", str(tmp_path / "s.duckdb")])
    assert out.exit_code == 2 and "not a date" in out.output


# --- the web ---------------------------------------------------------------------------


@pytest.fixture
def web(tiny_db, monkeypatch):
    """A client of the tiny store whose report-row query raises the exception given to `get`."""
    from strikescope.web import create_app
    from strikescope.web.service import StoreService

    raised: dict = {}

    def rows(self, view, export=False):
        raise raised["exc"]

    monkeypatch.setattr(StoreService, "rows", rows)
    client = TestClient(create_app(tiny_db))

    def get(exc, path="/api/v1/rows"):
        raised["exc"] = exc
        return client.get(path)
    return get


@pytest.mark.parametrize("exc,status", [
    (InputError("sort must be one of night, launched"), 422),
    (NotFoundError("no report row 7"), 404),
    (NoSuchFileError("alerts.csv: no such file or directory"), 404),
    (StoreBusyError("/srv/store.duckdb: another process is writing"), 503),
    (StoreLayoutError("/srv/store.duckdb: written by a newer version"), 503),
    (StoreMissingError("/srv/store.duckdb: no store yet"), 503),
    (MissingExtraError("ml", ["sklearn"], "the forecast"), 501),
    (FetchError("weather: could not fetch"), 502),
])
def test_web_answers_a_named_error_with_its_class_status(web, exc, status):
    r = web(exc)
    assert r.status_code == status
    detail = r.json()["detail"]
    assert "/srv/" not in detail  # a server path is nobody's business
    if status in (422, 404, 501, 502):
        assert detail == str(exc)


def test_web_names_the_extra_on_a_501(web):
    r = web(MissingExtraError("ml", ["sklearn"], "the forecast"))
    assert "strikescope[ml]" in r.json()["detail"]


def test_web_busy_store_says_when_to_retry(web):
    r = web(StoreBusyError("/srv/store.duckdb: busy"))
    assert r.headers["retry-after"] == "60"


def test_web_page_of_a_named_error_is_a_page(web):
    r = web(InputError("sort must be one of night, launched"), "/rows")
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "sort must be one of night, launched" in r.text


@pytest.mark.parametrize("path", ["/api/v1/rows", "/rows"])
def test_web_bug_is_a_500_logged_with_its_traceback(web, caplog, path):
    with caplog.at_level(logging.ERROR, logger="strikescope.web"):
        r = web(RuntimeError("secret internals 1234"), path)
    assert r.status_code == 500
    assert "Traceback" not in r.text and "secret internals" not in r.text
    assert "internal error" in r.text
    assert r.headers["x-content-type-options"] == "nosniff"  # the security headers too
    logged = [rec for rec in caplog.records if rec.name == "strikescope.web"]
    assert logged and logged[0].exc_info[0] is RuntimeError
    assert "Traceback" in caplog.text and "secret internals 1234" in caplog.text


def test_web_value_error_from_inside_is_a_500_not_a_422(web, caplog):
    """Before the names, any ValueError was a 422: a bug was answered as the user's fault."""
    with caplog.at_level(logging.ERROR, logger="strikescope.web"):
        r = web(ValueError("cannot reshape array of size 3"))
    assert r.status_code == 500 and "reshape" not in r.text
