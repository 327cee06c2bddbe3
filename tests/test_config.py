"""Input data comes from a path, $STRIKESCOPE_DATA or the config file, never from the
working directory."""

import pytest

from strikescope.config import DataDirError, default_data_dir, input_dir


@pytest.fixture
def bare(monkeypatch, tmp_path):
    """No data directory configured, no fetched copy, a `../shared/data` that must be
    ignored beside the working directory."""
    monkeypatch.delenv("STRIKESCOPE_DATA", raising=False)
    monkeypatch.setenv("STRIKESCOPE_CONFIG", str(tmp_path / "cfg" / "config.toml"))
    monkeypatch.setattr("strikescope.config.fetch_dir", lambda: tmp_path / "fetched")
    (tmp_path / "shared" / "data" / "attacks").mkdir(parents=True)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return tmp_path


def test_nothing_configured_is_a_clear_error_not_a_guess(bare):
    assert default_data_dir() is None
    with pytest.raises(DataDirError, match="STRIKESCOPE_DATA") as err:
        input_dir("attacks")
    assert isinstance(err.value, FileNotFoundError)
    assert str(bare / "cfg" / "config.toml") in str(err.value)


def test_environment_names_the_data_directory(bare, monkeypatch):
    monkeypatch.setenv("STRIKESCOPE_DATA", str(bare / "mine"))
    assert input_dir("alerts") == bare / "mine" / "alerts"


def test_config_file_names_it_relative_to_itself(bare):
    cfg = bare / "cfg" / "config.toml"
    cfg.parent.mkdir()
    cfg.write_text('data_dir = "../shared/data"\n', encoding="utf-8")
    assert input_dir("attacks") == (bare / "shared" / "data" / "attacks").resolve()


def test_a_broken_config_file_is_named(bare):
    cfg = bare / "cfg" / "config.toml"
    cfg.parent.mkdir()
    cfg.write_text("data_dir = \n", encoding="utf-8")
    with pytest.raises(ValueError, match="config.toml: not valid TOML"):
        default_data_dir()


def test_a_fetched_copy_is_used_when_nothing_is_configured(bare):
    (bare / "fetched" / "weather").mkdir(parents=True)
    assert input_dir("weather") == bare / "fetched" / "weather"


def test_bare_ingest_elsewhere_exits_1_with_the_reason(bare, tmp_path):
    from typer.testing import CliRunner

    from strikescope.cli import app

    result = CliRunner().invoke(app, ["ingest", "--db", str(tmp_path / "s.duckdb")])
    assert result.exit_code == 1
    assert "no attacks data" in result.output
