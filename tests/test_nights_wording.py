"""Every summary says which nights it counts: calendar nights (the dense nightly table,
quiet nights included) or nights with a report of an attack."""

from __future__ import annotations

from typer.testing import CliRunner

from strikescope.cli import app
from tests.conftest import NIGHT1, NIGHT2


def test_ingest_counts_calendar_nights_and_doctor_nights_with_a_report(release, tmp_path):
    from strikescope.analysis.doctor import doctor

    # Reports on the nights ending 2025-02-28 and 2025-03-02: three calendar nights
    # (2025-03-01 had no report), two with a report.
    path = release([{**NIGHT1, "model": "Shahed-136/131", "launched": "40", "destroyed": "40",
                     "source": "kpszsu/posts/p0"},
                    {**NIGHT2, "model": "Shahed-136/131", "launched": "100",
                     "destroyed": "90", "source": "kpszsu/posts/p1"}])
    db = tmp_path / "store.duckdb"
    out = CliRunner().invoke(app, ["ingest", str(path), "--db", str(db)])
    assert out.exit_code == 0, out.output
    assert "3 calendar nights 2025-02-28 .. 2025-03-02" in " ".join(out.output.split())
    assert "2 nights with a report" in doctor(db).summary()
