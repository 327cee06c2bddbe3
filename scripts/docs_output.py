"""Rerun the commands whose output the docs print, and write their real output back.

A block to refresh is a console block that follows a marker line naming the command:

    <!-- output: strikescope night 2025-07-04 -->
    ```console
    $ strikescope night 2025-07-04
    ...
    ```

The commands run in process, on a store built from `$STRIKESCOPE_DATA/attacks` (or the
`--db` given), with a fixed terminal width so that tables wrap the same way everywhere.

    .venv/bin/python scripts/docs_output.py [--check] [--db STORE] [FILES...]

`--check` writes nothing and exits 1 when a block differs from what its command prints now.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(
    r"(?P<marker><!-- output: (?P<cmd>[^\n]+?) -->\n)```console\n.*?\n```", re.DOTALL)
WIDTH = "100"


def run(command: str, db: Path) -> str:
    """The output of one `strikescope ...` command line, as a user's terminal shows it."""
    from typer.testing import CliRunner

    from strikescope.cli import app

    args = shlex.split(command)
    if args[0] != "strikescope":
        raise SystemExit(f"not a strikescope command: {command}")
    env = {"COLUMNS": WIDTH, "STRIKESCOPE_DB": str(db), "NO_COLOR": "1", "TERM": "dumb"}
    result = CliRunner().invoke(app, args[1:], env=env)
    if result.exit_code not in (0, 1):
        raise SystemExit(f"{command!r} failed:\n{result.output}")
    # Rich pads a centred title with spaces: strip them, as a terminal shows nothing there
    return "\n".join(line.rstrip() for line in result.output.rstrip("\n").splitlines())


def refresh(text: str, db: Path) -> str:
    def block(match: re.Match) -> str:
        cmd = match["cmd"]
        return f"{match['marker']}```console\n$ {cmd}\n{run(cmd, db)}\n```"

    return BLOCK.sub(block, text)


def build_store(tmp: Path) -> Path:
    import strikescope
    from strikescope.config import input_dir

    db = tmp / "docs.duckdb"
    strikescope.ingest([input_dir("attacks")], db=db)
    return db


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or build_store(Path(tmp))
        for path in (f.resolve() for f in args.files):
            old = path.read_text(encoding="utf-8")
            if not BLOCK.search(old):
                continue
            new = refresh(old, db)
            if new != old:
                stale.append(path)
                if not args.check:
                    path.write_text(new, encoding="utf-8")
    for path in stale:
        print(f"{'stale' if args.check else 'refreshed'}: {path.relative_to(ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    os.environ.setdefault("COLUMNS", WIDTH)
    sys.exit(main())
