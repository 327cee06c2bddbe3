"""Regenerate the backtest table in docs/forecast.md (between the markers).

Usage: python scripts/backtest_table.py [--db STORE] [--from 2024-07-01] [--to 2025-12-31]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from strikescope.analysis import forecast as fc

ROOT = Path(__file__).resolve().parents[1]
# The README's block holds the skill table of scripts/forecast_skill.py.
DOCS = (ROOT / "docs" / "forecast.md",)
START, END = "<!-- backtest:start -->", "<!-- backtest:end -->"


def markdown(result: fc.BacktestResult) -> str:
    table = result.table()
    cols = list(table.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in table.itertuples(index=False):
        cells = [v if isinstance(v, str) else ("" if v != v else f"{v:.3f}") for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    head = (f"Walk-forward backtest {result.start:%Y-%m-%d} .. {result.end:%Y-%m-%d}, "
            f"refit every {result.refit_every} nights, horizons 1-7 pooled; "
            "`crps_skill` = 1 - CRPS / CRPS(climatology); `brier_skill` against the "
            "period's base rate. Regenerate with `python scripts/backtest_table.py`.")
    return "\n".join([head, "", *lines])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=None)
    parser.add_argument("--from", dest="start", default="2024-07-01")
    parser.add_argument("--to", dest="end", default="2025-12-31")
    args = parser.parse_args()
    result = fc.backtest(args.start, args.end, db=args.db)
    block = f"{START}\n{markdown(result)}\n{END}"
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        doc.write_text(pattern.sub(lambda _: block, text), encoding="utf-8")
        print(f"updated {doc}")


if __name__ == "__main__":
    main()
