"""Weapon taxonomy: every model string of the reports mapped to components, a class and a kind.

The reviewable table is `data/weapons.csv` (one row per single model or "one of" pair such as
`Iskander-M/KN-23`). Group strings (`X-101/X-555 and Kalibr and Iskander-K`) are resolved by
splitting on their separators, so a new combination of known models needs no new row.
"""

from __future__ import annotations

import csv
import re
import warnings
from dataclasses import dataclass
from functools import cache

from strikescope.config import package_data
from strikescope.errors import InputError

CLASSES = (
    "strike_drone",
    "tactical_uav",
    "cruise",
    "ballistic",
    "aeroballistic",
    "antiship",
    "guided_bomb",
    "unknown",
    "mixed",
)
KINDS = ("drone", "missile")
# The kind of a model string that names no known model and no drone or missile word: it
# counts in neither the drone nor the missile totals (a junk or hostile string in a release
# must not add to either), and its rows carry a warning.
UNKNOWN_KIND = "unknown"
CLASS_LABELS = {
    "strike_drone": "Strike drones (Shahed/Geran and decoys)",
    "tactical_uav": "Reconnaissance and tactical UAVs",
    "cruise": "Cruise missiles",
    "ballistic": "Ballistic missiles (incl. S-300/S-400)",
    "aeroballistic": "Aeroballistic missiles (Kinzhal)",
    "antiship": "Hypersonic and anti-ship missiles",
    "guided_bomb": "Guided bombs",
    "unknown": "Unknown type",
    "mixed": "Mixed group (not split in the report)",
}

# Group separators in the reports: "A and B", occasionally commas or "+".
_GROUP_SPLIT = re.compile(r"\s+(?:and|та|і|и)\s+|\s*[,+;]\s*", re.IGNORECASE)
_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-"})
# Cyrillic letters that look like Latin ones; only applied to designations with digits
# ("С-300", "Х-101"), never to Cyrillic names such as "Молнія".
_LOOKALIKES = str.maketrans("асекморхіу", "acekmopxiy")
_DRONE_WORDS = re.compile(r"uav|drone|бпла|дрон|shahed|geran|герань|шахед", re.IGNORECASE)
_KH = re.compile(r"\bkh(?:-(?=\w)|(?=\d))")  # "kh-101", "kh101", "kh-bd"
# A model string the reference lacks but that names the Shahed family (a new variant, a
# jet "Shahed-238", "Geran-3", a decoy): a long-range strike drone, counted as one.
_SHAHED_FAMILY = re.compile(r"shahed|geran|герань|шахед|gerbera|parod|пародія|гербера",
                            re.IGNORECASE)
# Drones the reports' prose names by role rather than model: decoys ("імітатори", counted
# with the Shahed type by the Air Force) and strike drones ("ударні БпЛА"). A decoy
# *missile* (an old Kh-55 without a warhead) is not one; a jet drone of no named family may
# be a reconnaissance one.
_DECOYS = re.compile(r"decoy|imitat|імітатор|имитатор", re.IGNORECASE)
_STRIKE_DRONE_ROLE = re.compile(r"\b(?:strike|attack|kamikaze)|ударн|камікадзе|камикадзе",
                                re.IGNORECASE)
# What may follow a known designation in a variant of it: "Kh-101M", "X-59MK2", "Х-31ПД".
_VARIANT_SUFFIX = re.compile(r"[a-zа-яіїє]{1,3}\d?")
_MISSILE_WORDS = re.compile(r"missile|rocket|ракет|cruise|ballistic|балістич|крилат",
                            re.IGNORECASE)
# The class a missile's own words name, for a model the reference lacks ("ballistic missile
# of unknown type", "Oreshnik ballistic missile"); first match wins, so "aeroballistic" is
# read before "ballistic".
_CLASS_WORDS = (
    ("aeroballistic", re.compile(r"aero-?ballistic|аеробалістич|аэробаллистич", re.IGNORECASE)),
    ("ballistic", re.compile(r"ballistic|балістич|баллистич", re.IGNORECASE)),
    ("cruise", re.compile(r"cruise|крилат|крылат", re.IGNORECASE)),
    ("antiship", re.compile(r"anti-?ship|протикорабел|противокорабел", re.IGNORECASE)),
)


class UnknownModelWarning(UserWarning):
    """A model string that the taxonomy does not know; it is stored as `unknown`."""


@dataclass(frozen=True)
class Classification:
    model: str
    components: tuple[str, ...]
    weapon_class: str
    kind: str
    long_range: bool
    known: bool

    @property
    def is_group(self) -> bool:
        return len(self.components) > 1


def normalize_model(text: str) -> str:
    words = str(text).translate(_DASHES).casefold().split()
    # only designations are read letter for letter: "Х-47 Кинджал" keeps its name
    key = " ".join(w.translate(_LOOKALIKES) if any(ch.isdigit() for ch in w) else w
                   for w in words)
    # "Kh-101" is the Latin spelling of "Х-101", written "X-101" in the data
    return _KH.sub("x-", key)


@cache
def reference_rows() -> tuple[dict, ...]:
    """The rows of `data/weapons.csv` (text cells; `long_range` a bool, `key` the normalised
    model), checked: read without a data-frame library, since every ingest needs them."""
    with open(package_data("weapons.csv"), encoding="utf-8", newline="") as fh:
        rows = [dict(r) for r in csv.DictReader(fh)]
    bad = sorted({r["class"] for r in rows} - set(CLASSES))
    bad += sorted({r["kind"] for r in rows} - set(KINDS))
    if bad:
        raise InputError(f"weapons.csv: unknown class or kind {bad}")
    seen: set[str] = set()
    for r in rows:
        r["long_range"] = r["long_range"].strip().lower() == "true"
        r["key"] = normalize_model(r["model"])
        if r["key"] in seen:
            raise InputError(f"weapons.csv: duplicate model {r['model']!r}")
        seen.add(r["key"])
    return tuple(rows)


@cache
def _lookup() -> dict[str, tuple[str, str, str, bool]]:
    return {r["key"]: (r["model"], r["class"], r["kind"], r["long_range"])
            for r in reference_rows()}


def _guess_kind(text: str) -> str:
    if _DRONE_WORDS.search(text):
        return "drone"
    return "missile" if _MISSILE_WORDS.search(text) else UNKNOWN_KIND


def split_group(model: str) -> list[str]:
    return [p for p in (s.strip() for s in _GROUP_SPLIT.split(str(model))) if p]


def component_info(name: str) -> tuple[str, str, str, bool, bool]:
    """(canonical model, class, kind, long_range, known) of one component string."""
    hit = _lookup().get(normalize_model(name))
    if hit:
        return (*hit, True)
    alternatives = [a for a in name.split("/") if a.strip()]
    if len(alternatives) > 1:
        infos = [_lookup().get(normalize_model(a)) for a in alternatives]
        found = [i for i in infos if i]
        if found and len({i[2] for i in found}) == 1:
            # "one of" these: their common class, or `mixed` of their common kind
            # ("Kh-22/Kh-32/Kh-35": cruise or anti-ship, a missile either way); unknown
            # when one alternative is unknown
            first = found[0]
            cls = first[1] if len({i[1] for i in found}) == 1 else "mixed"
            return (name.strip(), cls, first[2], any(i[3] for i in found),
                    len(found) == len(infos))
    family = _family(name)
    if family:
        return name.strip(), *family, False
    kind = _guess_kind(name)
    named = next((c for c, words in _CLASS_WORDS if words.search(name)), "unknown")
    return name.strip(), named if kind == "missile" else "unknown", kind, kind == "missile", False


def _family(name: str) -> tuple[str, str, bool] | None:
    """(class, kind, long_range) of an unknown component that names a known model inside
    it ("X-47M2 Kinzhal", "Kalibr-NK"; two of one kind: `mixed`) or the Shahed family; None
    otherwise. The component stays unknown (warned), but counts where its family does."""
    if _SHAHED_FAMILY.search(name) or _drone_by_role(name):
        return "strike_drone", "drone", True
    key = normalize_model(name)
    hits = {_lookup()[k][1:] for k in _family_keys()
            if re.search(rf"(?<![\w-]){re.escape(k)}(?![\w])", key)}
    hits |= _variant_of(key)
    if len({h[0] for h in hits}) == 1:
        return hits.pop()
    if len({h[1] for h in hits}) == 1:  # several families of one kind: a mixed group
        return "mixed", hits.pop()[1], any(h[2] for h in hits)
    return None


def _drone_by_role(name: str) -> bool:
    """A drone named by its role: a decoy, or a strike, attack or jet drone."""
    if _MISSILE_WORDS.search(name):
        return False
    return bool(_DECOYS.search(name) or (_DRONE_WORDS.search(name)
                                         and _STRIKE_DRONE_ROLE.search(name)))


def _variant_of(key: str) -> set[tuple[str, str, bool]]:
    """(class, kind, long_range) of the known designations that a word of `key` extends by
    a letter suffix ("x-101m" of "x-101"), the longest designation per word."""
    hits = set()
    for word in key.split():
        found = [k for k in _designation_keys()
                 if word.startswith(k) and _VARIANT_SUFFIX.fullmatch(word[len(k):])]
        if found:
            hits.add(_lookup()[max(found, key=len)][1:])
    return hits


@cache
def _designation_keys() -> tuple[str, ...]:
    """Reference designations of one word ending in a digit ("x-101", "kn-23", "c-300")."""
    return tuple(k for k in _lookup() if " " not in k and "/" not in k and k[-1].isdigit())


@cache
def _family_keys() -> tuple[str, ...]:
    """Reference names of one word that identify a model family ("kinzhal", "kalibr",
    "zircon", "umpk"), longest first; short (three letters: "kab", "kub") or generic words
    are left out."""
    generic = {"missile", "drone", "uav", "bomb", "aerial", "ballistic", "cruise", "unknown"}
    keys = [k for k in _lookup() if len(k) >= 4 and " " not in k and "/" not in k
            and k not in generic and not any(ch.isdigit() for ch in k)]
    return tuple(sorted(keys, key=len, reverse=True))


@cache
def classify(model: str, warn: bool = True) -> Classification:
    """Classify one model string. Unknown strings become class `unknown` with a warning."""
    text = "" if model is None else str(model)
    whole = _lookup().get(normalize_model(text))
    parts = [whole[0]] if whole else split_group(text) or [text]
    infos = [component_info(p) for p in parts] if not whole else [(*whole, True)]
    classes = {i[1] for i in infos}
    kinds = [i[2] for i in infos]
    known = all(i[4] for i in infos)
    if not known and warn:
        warnings.warn(
            f"unknown weapon model {text!r}: stored as class 'unknown'",
            UnknownModelWarning,
            stacklevel=2,
        )
    return Classification(
        model=text,
        components=tuple(i[0] for i in infos),
        weapon_class=classes.pop() if len(classes) == 1 else "mixed",
        kind=_group_kind(kinds),
        long_range=any(i[3] for i in infos),
        known=known,
    )


def _group_kind(kinds: list[str]) -> str:
    """The most frequent kind among the components of a known kind (ties: drone first, in
    a fixed order); `unknown` only when no component has a known kind."""
    known = sorted(k for k in kinds if k != UNKNOWN_KIND)
    return max(dict.fromkeys(known), key=known.count) if known else UNKNOWN_KIND


TAXONOMY_COLUMNS = (("model", "VARCHAR"), ("components", "VARCHAR"),
                    ("weapon_class", "VARCHAR"), ("kind", "VARCHAR"),
                    ("long_range", "BOOLEAN"), ("known", "BOOLEAN"))


def taxonomy_rows(models) -> list[tuple]:
    """One row per distinct model string, sorted: model, components (' | ' text), class,
    kind, long_range, known (the columns of `TAXONOMY_COLUMNS`)."""
    rows = []
    for m in sorted({str(x) for x in models}):
        c = classify(m, warn=False)
        rows.append((m, " | ".join(c.components), c.weapon_class, c.kind, c.long_range,
                     c.known))
    return rows

