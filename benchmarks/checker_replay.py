"""Replay the earlier blind parts' first-run "contradicted" labels through today's conditions.

    STRIKESCOPE_DB=/tmp/store.duckdb python benchmarks/checker_replay.py

Each blind part was run once with the rules of the commit that added it. This script
extracts that commit's tree (git archive) into a temporary folder, builds a store with its
code, runs its checker on its blind part and keeps every "contradicted" label (with
whether the key agrees). Each of those claims, as its first run read it (night, subject,
measure, qualifier, who states it, sentence), then goes through today's conditions alone
(`_doubt` for figures, `_record_doubt` for records) against today's store: how many wrong
labels they hold back, and how many right ones. Only the conditions are measured, not
today's extraction.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import strikescope.claimtext as ct
from strikescope import check as K

ROOT = Path(__file__).resolve().parents[1]
FIRST_RUNS = {"blind": "fe3aaee", "blind2": "4c74d9e", "blind3": "b6799ab",
              "blind4": "96d2bd8", "blind5": "b1810f1", "blind6": "0a299d7"}

DUMP = r'''
import json, sys
sys.path.insert(0, "benchmarks")
import checker as B
from strikescope.check import check
out = []
for key, text in B.load(sys.argv[1]):
    r = check(text, db=None)
    right = {}
    for kc in key["claims"]:
        got = B.match(r, r.text, kc)
        if got is not None and got.label == "contradicted":
            right[int(got.claim_id)] = kc["label"] == "contradicted" and (
                not kc["night"] or got.night == kc["night"])
    cl = r.claims
    for c in cl[(cl.label == "contradicted") & cl.type.isin(["count", "comparison"])].itertuples():
        out.append(dict(id=key["id"], text=c.text, type=c.type, night=c.night,
                        subject=c.subject, measure=c.measure, qualifier=c.qualifier,
                        value=c.value, attribution=c.attribution, confidence=c.confidence,
                        sentence=c.sentence, right=right.get(int(c.claim_id), False)))
print(json.dumps(out))
'''


def first_run(split: str, commit: str, tmp: Path) -> list[dict]:
    """The contradicted labels of one blind part's first run, by that commit's own code."""
    tree = tmp / split
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], check=True,
                             capture_output=True).stdout
    tar = tmp / f"{split}.tar"
    tar.write_bytes(archive)
    with tarfile.open(tar) as t:
        t.extractall(tree, filter="data")
    env = {**os.environ, "PYTHONPATH": str(tree / "src"),
           "STRIKESCOPE_DB": str(tmp / f"{split}.duckdb")}
    subprocess.run([sys.executable, "-m", "strikescope", "ingest"], cwd=tree, env=env,
                   check=True, capture_output=True)
    out = subprocess.run([sys.executable, "-c", DUMP, split], cwd=tree, env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def held_back(x: dict, store) -> str | None:
    """Why today's conditions would not call this claim contradicted (None: they would)."""
    subject, _, model = (x["subject"] or "all").partition(":")
    c = ct.Claim("figure" if x["type"] == "count" else "record", 0, 0, 0, value=x["value"],
                 qualifier=x["qualifier"] or "exact", subject=subject, model=model or None,
                 measure=x["measure"] or "launched",
                 attribution=x["attribution"] or "unattributed",
                 night=dt.date.fromisoformat(x["night"]), confidence=x["confidence"])
    if x["type"] == "count":
        label, evidence = K._doubt(c, store, x["sentence"], "")
        return None if label == "contradicted" else evidence.strip()
    return K._record_doubt(c, store, x["sentence"])


def main() -> None:
    store = K._Store(None)
    n = dict.fromkeys(["wrong", "wrong_held", "right", "right_held"], 0)
    with tempfile.TemporaryDirectory() as tmp:
        for split, commit in FIRST_RUNS.items():
            for x in first_run(split, commit, Path(tmp)):
                why = held_back(x, store)
                kind = "right" if x["right"] else "wrong"
                n[kind] += 1
                n[f"{kind}_held"] += why is not None
                print(f"  {split:7} {kind:5} {'held back' if why else 'kept':9} "
                      f"{x['text'][:40]!r}: {why or ''}")
    print(f"wrong first-run 'contradicted' held back: {n['wrong_held']}/{n['wrong']}")
    print(f"right first-run 'contradicted' held back: {n['right_held']}/{n['right']}")


if __name__ == "__main__":
    main()
