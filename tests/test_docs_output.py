"""The console output the docs print is what the commands print now."""

import subprocess
import sys

import pytest

from tests.conftest import ROOT, SHARED


@pytest.mark.slow
def test_documented_command_output_is_current(real_db, tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "docs_output.py"), "--check", "--db",
         str(real_db)], capture_output=True, text=True, cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "STRIKESCOPE_DATA": str(SHARED), "HOME": str(tmp_path)},
        timeout=600)
    # a stale block: run `python scripts/docs_output.py` and commit the refreshed docs
    assert result.returncode == 0, result.stdout + result.stderr
