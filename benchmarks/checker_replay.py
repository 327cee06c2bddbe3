"""Replay every blind part's first run: its "contradicted" labels, and gates over them.

    STRIKESCOPE_DB=/tmp/store.duckdb python benchmarks/checker_replay.py [--cache DIR]

Each blind part was run once with the rules of the commit that added it (its articles and
keys, not yet its mends: FIRST_RUNS). This script extracts that commit's tree (git
archive) into a temporary folder, builds a store with its code, runs its checker on its
blind part and dumps every claim of every article (id, night, type, measure, value, label)
and, for each "contradicted" one, whether the key agrees. The dumps are kept as json in
the cache folder (default /tmp/gate), so a rerun only reads them.

Two measures run over the dumps, neither re-reading any text:

* today's conditions alone (`_doubt` for figures, `_record_doubt` for records), each
  contradicted claim as its first run read it, against today's store;
* the corroborated-night gates (`GATES`): a contradicted figure stays contradicted only
  when another figure claim of the same article, on the same night, is supported.

Printed per measure: wrong first-run "contradicted" held back, right ones held back; then
each condition on "contradicted" added after the first runs' wrong labels were read one by
one (`CONDITIONS`), alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

import strikescope.claimtext as ct
from strikescope import check as K

ROOT = Path(__file__).resolve().parents[1]
FIRST_RUNS = {"blind": "fe3aaee", "blind2": "4c74d9e", "blind3": "b6799ab",
              "blind4": "96d2bd8", "blind5": "b1810f1", "blind6": "0a299d7",
              "blind7": "51c4993", "blind8": "9fdd809", "blind9": "c8f351f",
              "blind10": "c0c9d92", "blind11": "1986796", "blind12": "51939f4",
              "blind13": "d62b95c", "blind14": "fbe7fdd", "blind15": "e9c9f3c",
              "blind16": "07b4344", "blind17": "3b4b5d7", "blind18": "cea3891",
              "blind19": "e020a61", "blind20": "57c08b5", "blind21": "5c45551",
              "blind22": "59737d4", "blind23": "18f7c39", "blind24": "c95681e",
              "blind25": "239e60f", "blind26": "938f267", "blind27": "0870e22",
              "blind28": "d70442c", "blind29": "ef2385a",
              "blind30": "430511a", "blind31": "af06399"}

DUMP = r'''
import json, sys
sys.path.insert(0, "benchmarks")
import checker as B
from strikescope.check import check
out = []
for key, text in B.load(sys.argv[1]):
    r = check(text, db=None)
    right, planted = {}, set()
    for kc in key["claims"]:
        got = B.match(r, r.text, kc)
        if got is not None and got.label == "contradicted":
            right[int(got.claim_id)] = kc["label"] == "contradicted" and (
                not kc["night"] or got.night == kc["night"])
            if kc.get("planted"):
                planted.add(int(got.claim_id))
    for c in r.claims.itertuples():
        get = lambda f: getattr(c, f, None)
        out.append(dict(id=key["id"], claim_id=int(c.claim_id), text=c.text, type=c.type,
                        night=get("night"), subject=get("subject"), measure=get("measure"),
                        qualifier=get("qualifier"), value=get("value"),
                        attribution=get("attribution"), confidence=get("confidence"),
                        sentence=get("sentence"), label=c.label,
                        right=right.get(int(c.claim_id), False),
                        planted=int(c.claim_id) in planted))
print(json.dumps(out, default=str))
'''


def first_run(split: str, commit: str, tmp: Path) -> list[dict]:
    """Every claim of one blind part's first run, by that commit's own code."""
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


def today(split: str = "all") -> list[dict]:
    """Every claim of the corpus as today's checker labels it (the same dump, this tree)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run([sys.executable, "-c", DUMP, split], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def dumps(cache: Path) -> dict[str, list[dict]]:
    """Each blind part's first-run claims, from the cache or rebuilt (minutes each)."""
    cache.mkdir(parents=True, exist_ok=True)
    out = {}
    for split, commit in FIRST_RUNS.items():
        path = cache / f"{split}-{commit}.json"
        if not path.exists():
            with tempfile.TemporaryDirectory() as tmp:
                path.write_text(json.dumps(first_run(split, commit, Path(tmp))))
            print(f"  dumped {split} ({commit})", file=sys.stderr, flush=True)
        out[split] = json.loads(path.read_text())
    return out


def _claim(x: dict) -> ct.Claim:
    subject, _, model = (x["subject"] or "all").partition(":")
    return ct.Claim("figure" if x["type"] == "count" else "record", 0, 0, 0, value=x["value"],
                    qualifier=x["qualifier"] or "exact", subject=subject, model=model or None,
                    measure=x["measure"] or "launched",
                    attribution=x["attribution"] or "unattributed",
                    night=dt.date.fromisoformat(x["night"]), confidence=x["confidence"],
                    published=_published(x["id"]))


def held_back(x: dict, store) -> str | None:
    """Why today's conditions would not call this claim contradicted (None: they would).
    The check of one article reads report rows for at most MAX_DETAIL_NIGHTS nights, so the
    store's rows are forgotten between articles (as each check builds its own store); the
    article's day is the date its id begins with."""
    if store.__dict__.get("article") != x["id"]:
        store.__dict__.update(article=x["id"], _detail={})
    c = _claim(x)
    if x["type"] == "count":
        label, evidence = K._doubt(c, store, x["sentence"], "")
        return None if label == "contradicted" else evidence.strip()
    return K._record_doubt(c, store, x["sentence"])


def _published(article_id: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(article_id[:10])
    except ValueError:
        return None


# Each condition on "contradicted" measured alone (the later ones were added after the 18
# first-run labels today's other conditions still gave were read one by one)
CONDITIONS: dict[str, Callable] = {
    "regional speaker": lambda c, store, sent: K.REGIONAL_SPEAKS.search(sent) is not None,
    "part of the weapons (remainder, hits, one type's share)":
        lambda c, store, sent: c.kind == "figure" and K._part_doubt(c, sent) is not None,
    "'overnight' in its sentence, fits the piece's own night":
        lambda c, store, sent: c.kind == "figure"
        and K._own_night_doubt(c, store, sent) is not None,
    "earlier record ('previously'), place or target superlatives":
        lambda c, store, sent: c.kind == "record" and (
            bool(re.search(r"\bpreviously\b", sent, re.I))
            or (ct.RECORD_RE.search(sent) is not None and not K._attack_superlatives(sent))),
}


def condition_table(runs: dict[str, list[dict]], kept_before: set | None = None) -> None:
    """Per condition alone: first-run contradicted labels it holds back, wrong and right."""
    store = K._Store(None)
    for name, holds in CONDITIONS.items():
        n = dict.fromkeys(["wrong", "wrong_held", "right", "right_held"], 0)
        for split, claims in runs.items():
            for x in _contradicted(claims):
                if kept_before is not None and (split, x["id"], x["claim_id"]) not in \
                        kept_before:
                    continue
                if store.__dict__.get("article") != x["id"]:
                    store.__dict__.update(article=x["id"], _detail={})
                kind = "right" if x["right"] else "wrong"
                n[kind] += 1
                n[f"{kind}_held"] += bool(holds(_claim(x), store, x["sentence"] or ""))
        print(f"  {name:60} wrong held back {n['wrong_held']}/{n['wrong']}, right lost "
              f"{n['right_held']}/{n['right']}")


def _contradicted(claims: list[dict]) -> list[dict]:
    return [x for x in claims if x["label"] == "contradicted"
            and x["type"] in ("count", "comparison")]


def _sibling(same_measure: bool, other_value: bool, types: tuple[str, ...],
             labels: tuple[str, ...] = ("supported",)) -> Callable:
    """A gate: does `x` have a claim of its article on its night labelled one of `labels`?"""
    def has(x: dict, article: list[dict]) -> bool:
        return any(y["claim_id"] != x["claim_id"] and y["label"] in labels
                   and y["type"] in types and y["night"] == x["night"]
                   and (not same_measure or y["measure"] == x["measure"])
                   and (not other_value or y["value"] != x["value"]) for y in article)
    return has


GATES = {
    "any measure": _sibling(False, False, ("count",)),
    "same measure": _sibling(True, False, ("count",)),
    "any measure, other value": _sibling(False, True, ("count",)),
    "same measure, other value": _sibling(True, True, ("count",)),
    "any measure, records as siblings": _sibling(False, False, ("count", "comparison")),
    # weaker: held back only when no other figure of the article is checked on that night
    "not alone (supported or contradicted)": _sibling(False, False, ("count",),
                                                      ("supported", "contradicted")),
}


def gate_table(runs: dict[str, list[dict]], records_gated: bool,
               kept_today: set | None = None) -> None:
    """Per gate: wrong contradicted labels held back, right ones (and planted errors) lost;
    with `kept_today`, only over the claims today's conditions would still contradict."""
    for name, has in GATES.items():
        n = dict.fromkeys(["wrong", "wrong_held", "right", "right_held", "planted",
                           "planted_held"], 0)
        for split, claims in runs.items():
            for x in _contradicted(claims):
                if kept_today is not None and (split, x["id"], x["claim_id"]) not in kept_today:
                    continue
                if x["type"] == "comparison" and not records_gated:
                    held = False
                else:
                    held = not has(x, [y for y in claims if y["id"] == x["id"]])
                kind = "right" if x["right"] else "wrong"
                n[kind] += 1
                n[f"{kind}_held"] += held
                n["planted"] += x.get("planted", False)
                n["planted_held"] += held and x.get("planted", False)
        print(f"  {name:34} records {'gated' if records_gated else 'kept '}: wrong held back "
              f"{n['wrong_held']}/{n['wrong']}, right lost {n['right_held']}/{n['right']}"
              + (f", planted lost {n['planted_held']}/{n['planted']}" if n["planted"] else ""))


def detail(runs: dict[str, list[dict]]) -> set:
    """Each first-run contradicted claim, and what today's conditions and the gate do; the
    claims today's conditions would still contradict."""
    store = K._Store(None)
    kept = set()
    n, held = [0, 0], [0, 0]
    gate = GATES["any measure"]
    for split, claims in runs.items():
        for x in _contradicted(claims):
            try:
                why = held_back(x, store)
            except (ValueError, TypeError) as e:  # a claim today's reading cannot rebuild
                why = f"not rebuilt ({e})"
            kind = ("planted" if x.get("planted") else "right") if x["right"] else "wrong"
            sib = gate(x, [y for y in claims if y["id"] == x["id"]])
            if not why:
                kept.add((split, x["id"], x["claim_id"]))
            n[kind != "wrong"] += 1
            held[kind != "wrong"] += bool(why)
            print(f"  {split:7} {kind:7} {x['type'][:5]:5} {x['night']} {x['measure'] or '-':9} "
                  f"today {'held' if why else 'kept'} gate {'kept' if sib else 'held'} "
                  f"{x['id'][:30]:30} {x['text'][:40]!r}")
    print(f"today's conditions: wrong held back {held[0]}/{n[0]}, right lost {held[1]}/{n[1]}")
    return kept


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=Path("/tmp/gate"))
    ap.add_argument("--today", action="store_true",
                    help="the gates over today's checker on the whole corpus instead")
    args = ap.parse_args()
    runs = {"all": today()} if args.today else dumps(args.cache)
    kept = detail(runs)
    for records_gated in (False, True):
        gate_table(runs, records_gated)
    if not args.today:
        print("the same, only over the claims today's conditions would still contradict:")
        gate_table(runs, False, kept)
        print("each condition alone, over every first-run contradicted label:")
        condition_table(runs)


if __name__ == "__main__":
    main()
