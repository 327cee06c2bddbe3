"""How well the statement parser reads the corpus of real Air Force statements.

    PYTHONPATH=src python benchmarks/statements.py
        [--corpus reports|blind2|...|blind20|all] [--verbose]

Prints, over tests/fixtures/reports/*.toml: the share of (night, class) pairs whose
launched figure is exact, the share whose shot-down figure is exact, the share of
statements whose night is right, and the pairs the parser adds that no key has.
`--corpus blind2` (or `blind3` ... `blind20`) scores tests/fixtures/reports/blind2/ (blind3/
... blind20/), statements keyed before the parser read them, alone; `--corpus all` prints
each blind folder apart and then the whole of the twenty folders.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

import pandas as pd

from strikescope.sources.statement import parse_statement

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "reports"
# the blind folders in the order they were added (blind2, blind3, ...)
BLIND = {p.name: p for p in sorted(CORPUS.glob("blind*"), key=lambda p: int(p.name[5:]))
         if p.is_dir()}
TARGETS = {"launched": 0.95, "destroyed": 0.90, "night": 1.0}


def load_corpus(folder: Path = CORPUS) -> list[tuple[str, dict]]:
    return [(p.name, tomllib.loads(p.read_text(encoding="utf-8")))
            for p in sorted(folder.glob("*.toml"))]


def _value(totals: pd.DataFrame, cls: str, name: str):
    hit = totals.loc[totals["weapon_class"].eq(cls), name]
    return None if hit.empty or pd.isna(hit.iloc[0]) else int(hit.iloc[0])


def score(corpus: list[tuple[str, dict]]) -> tuple[dict, list[str]]:
    """Counts of exact and scored pairs per figure, and a line per miss."""
    counts = {"launched": [0, 0], "destroyed": [0, 0], "night": [0, 0], "extra": [0, 0]}
    misses = []
    for name, case in corpus:
        parsed = parse_statement(case["statement"], case["published"])
        totals = parsed.class_totals()
        counts["night"][1] += 1
        if parsed.night.isoformat() == case["night"]:
            counts["night"][0] += 1
        else:
            misses.append(f"{name}: night {parsed.night} (key {case['night']})")
        keyed = set()
        for entry in case["key"]:
            keyed.add(entry["class"])
            for fig in ("launched", "destroyed"):
                if fig not in entry:
                    continue
                got = _value(totals, entry["class"], fig)
                counts[fig][1] += 1
                if got == entry[fig]:
                    counts[fig][0] += 1
                else:
                    misses.append(f"{name}: {entry['class']} {fig} {got} (key {entry[fig]})")
        extra = sorted(set(totals["weapon_class"]) - keyed)
        counts["extra"][0] += len(extra)
        counts["extra"][1] += 1
        misses += [f"{name}: class {c} not in the key" for c in extra]
    return counts, misses


def held_out(corpus: list[tuple[str, dict]]) -> dict[int, list[tuple[str, dict]]]:
    """The held-out sets by number (`holdout = true` in a file is set 1, `holdout = 2` set 2)."""
    sets: dict[int, list] = {}
    for name, case in corpus:
        if case.get("holdout"):
            sets.setdefault(int(case["holdout"]), []).append((name, case))
    return dict(sorted(sets.items()))


def _line(label: str, cases: list[tuple[str, dict]], verbose: bool) -> None:
    counts, misses = score(cases)
    print(f"{label} ({len(cases)}): "
          f"launched {counts['launched'][0]}/{counts['launched'][1]}, "
          f"shot down {counts['destroyed'][0]}/{counts['destroyed'][1]}, "
          f"night {counts['night'][0]}/{counts['night'][1]}")
    if verbose:
        print("".join(f"  {m}\n" for m in misses), end="")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verbose", action="store_true", help="List every miss.")
    ap.add_argument("--corpus", choices=["reports", *BLIND, "all"], default="reports",
                    help="The main corpus (default), one blind folder alone, or all twenty.")
    args = ap.parse_args(argv)
    corpus = load_corpus() if args.corpus in ("reports", "all") else []
    for number, held in held_out(corpus).items():
        # Statements added after the rules were written, to see how they do on new text
        # (each set was read once before any rule changed for it; see docs/statements.md).
        _line(f"held-out set {number}", held, args.verbose)
    for name, folder in BLIND.items():
        if args.corpus in (name, "all"):
            blind = load_corpus(folder)
            _line(name, blind, args.verbose)
            corpus += blind
    counts, misses = score(corpus)
    print("whole corpus:")
    langs = pd.Series([c["language"] for _, c in corpus]).value_counts().to_dict()
    print(f"{len(corpus)} statements {langs}")
    ok = True
    for fig, target in TARGETS.items():
        right, total = counts[fig]
        share = right / total if total else 0.0
        ok &= share >= target
        label = {"launched": "launched exact", "destroyed": "shot down exact",
                 "night": "night right"}[fig]
        print(f"{label:16} {right:3}/{total:<3} = {share:6.1%}  (target {target:.0%})")
    print(f"classes not in any key: {counts['extra'][0]}")
    if args.verbose or not ok:
        print("\n".join(misses))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
