"""Ukraine's 27 regions: one list, every spelling the sources use, and a tile-grid map.

`regions.csv` (shipped in the package) holds the 24 oblasts, Kyiv city, the Autonomous
Republic of Crimea and Sevastopol with English and Ukrainian names, the Air Force
macro-area, a tile-grid position and the spellings seen in the attack reports and in
both siren files. Bare "Kyiv" always means the city; the oblast is "Kyiv oblast".

The `macro` column is an approximation: the Air Force reports by regional air command
(South, East, West, Centre) and loosely by "north", without publishing a fixed list of
oblasts per area, so the assignment follows geography.
"""

from __future__ import annotations

import csv
import re
import sys
import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING

from strikescope.config import package_data
from strikescope.lazy import lazy_module
from strikescope.sources.literals import LiteralError, parse_literal

if TYPE_CHECKING:  # the real modules for the type checker; at run time on first use
    import numpy as np
    import pandas as pd
else:  # an ingest tags the regions of its rows without a data-frame library
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

MACRO_AREAS = ("north", "south", "east", "west", "center")

# Regions that are a city: "<name> oblast" must never resolve to them.
CITY_REGIONS = frozenset({"kyiv_city", "sevastopol"})

# Places inside one region, named in the reports instead of the region.
PLACES: dict[str, str] = {
    "Starokostiantyniv": "khmelnytskyi",
    "Kryvyi Rih": "dnipropetrovsk",
    "Kryvyi Rih Raion": "dnipropetrovsk",
    "Krivoy Rog": "dnipropetrovsk",
    "Dnipro Raion": "dnipropetrovsk",
    "Synelnykove Raion": "dnipropetrovsk",
    "Pavlohrad": "dnipropetrovsk",
    "Pavlohrad Raion": "dnipropetrovsk",
    "Novomoskovsk Raion": "dnipropetrovsk",
    "Kamianske": "dnipropetrovsk",
    "Kamianske Raion": "dnipropetrovsk",
    "Nikopol": "dnipropetrovsk",
    "Kremenchuk": "poltava",
    "Myrhorod Raion": "poltava",
    "Lubenskyi raion": "poltava",
    "Kramatorsk": "donetsk",
    "Sloviansk": "donetsk",
    "Kolomyia": "ivano_frankivsk",
    "Burshtyn": "ivano_frankivsk",
    "Ochakiv": "mykolaiv",
    "Lutsk": "volyn",
    "Uzhhorod": "zakarpattia",
    "Kropyvnytskyi": "kirovohrad",
    "Bila Tserkva": "kyiv_oblast",
    "Uman": "cherkasy",
    "Izmail": "odesa",
    "Snake Island": "odesa",
    "Zmiinyi Island": "odesa",
    "Simferopol": "crimea",
}

# Spellings that are deliberately not a region of Ukraine (macro-areas are handled apart).
NON_REGIONS = frozenset(
    {
        "ukraine",
        "front line",
        "black sea",
        "sea of azov",
        "kursk oblast",
        "bryansk oblast",
        "belgorod oblast",
        "russia",
        "belarus",
    }
)

_MACRO_WORDS: dict[str, tuple[str, ...]] = {
    "north": ("north",),
    "northern": ("north",),
    "south": ("south",),
    "southern": ("south",),
    "east": ("east",),
    "eastern": ("east",),
    "west": ("west",),
    "western": ("west",),
    "center": ("center",),
    "centre": ("center",),
    "central": ("center",),
    "south east": ("south", "east"),
    "north east": ("north", "east"),
    "south west": ("south", "west"),
    "north west": ("north", "west"),
    "північ": ("north",),
    "південь": ("south",),
    "схід": ("east",),
    "захід": ("west",),
    "центр": ("center",),
}

_APOSTROPHES = re.compile(r"['’‘ʼʹ`´′]")
_SEPARATORS = re.compile(r"[\s\-‐-―_./,]+")
_PARENS = re.compile(r"\([^)]*\)")
_SPLIT = re.compile(r"\s+(?:and|та|і|и)\s+|[,;/&+]", flags=re.IGNORECASE)
_LITERAL_DEBRIS = " \t'\"[]{}"
_OBLAST_SUFFIXES = ("oblast", "oblasti", "obl", "region", "область", "обл", "регіон")
_CITY_WORDS = ("city of", "city", "misto", "місто", "m", "м", "г")


def _key(text: str) -> str:
    """Case-, apostrophe-, hyphen- and whitespace-insensitive form of a name."""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return _SEPARATORS.sub(" ", _APOSTROPHES.sub("", folded)).strip()


@cache
def _table() -> pd.DataFrame:
    frame = pd.read_csv(package_data("regions.csv"), dtype={"tile_row": int, "tile_col": int})
    return frame.set_index("region_id", drop=False)


def regions() -> pd.DataFrame:
    """The 27 regions, one row each, in the file's order (read once; a copy each call so
    that a caller's edits never reach the shared table)."""
    return _table().copy()


@cache
def _aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    with open(package_data("regions.csv"), encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            names = [row["region_id"], row["name_en"], row["name_uk"],
                     *row["aliases"].split("|")]
            for name in filter(None, names):
                table.setdefault(_key(name), row["region_id"])
    return table


def _is_missing(value) -> bool:
    """None, NaN, or pandas' missing markers (pd.NA, NaT), which exist only once pandas
    is loaded."""
    if value is None or isinstance(value, str):
        return value is None
    if isinstance(value, float):
        return value != value
    pandas = sys.modules.get("pandas")
    return bool(pandas is not None and pandas.isna(value))


@cache
def _places() -> dict[str, str]:
    return {_key(name): region for name, region in PLACES.items()}


def _strip_words(key: str, words: Iterable[str], prefix: bool) -> str | None:
    for word in words:
        if prefix and key.startswith(word + " "):
            return key[len(word) + 1 :]
        if not prefix and key.endswith(" " + word):
            return key[: -len(word) - 1]
    return None


def _lookup(key: str, places: bool) -> str | None:
    aliases = _aliases()
    if key in aliases:
        return aliases[key]
    bare = _strip_words(key, _OBLAST_SUFFIXES, prefix=False)
    # "Kyiv region" must not fall back to the city that bare "Kyiv" names.
    if bare is not None and aliases.get(bare) not in (None, *CITY_REGIONS):
        return aliases[bare]
    for stripped in (
        _strip_words(key, _CITY_WORDS, prefix=True),
        _strip_words(key, _CITY_WORDS, prefix=False),
    ):
        if stripped and stripped in aliases:
            return aliases[stripped]
    if places:
        return _places().get(key) or (_places().get(bare) if bare else None)
    return None


@cache
def _normalize_key(key: str, places: bool) -> str | None:
    found = _lookup(key, places)
    if found is None and "(" in key:
        found = _lookup(_key(_PARENS.sub(" ", key)), places)
    return found


def normalize_region(name: str | None, places: bool = True) -> str | None:
    """The region_id a spelling names, or None.

    Accepts English, Ukrainian and common Russian or older transliterations ("Kyivska
    oblast", "Київська область", "kyiv-oblast", "Odessa", "Zaporozhye"), ignoring case,
    apostrophes, hyphens and spacing. With `places`, a few cities and raions that lie in a
    single region map to it ("Starokostiantyniv" -> khmelnytskyi).
    """
    if name is None or _is_missing(name):
        return None
    key = _key(name)
    return _normalize_key(key, places) if key else None


def map_regions(values: pd.Series | Iterable[str], places: bool = True) -> pd.Series:
    """`normalize_region` over many values, resolving each distinct spelling once."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype="str")
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    resolved = np.array([normalize_region(u, places) for u in uniques] + [None], dtype=object)
    return pd.Series(resolved[codes], index=series.index, dtype="str")


def _literal_items(text: str) -> list[str] | None:
    """The strings of a list or dict literal cell (dict keys), or None if not a literal."""
    body = text.strip()
    if not body.startswith(("[", "{", "(")):
        return None
    try:
        value = parse_literal(body)
    except LiteralError:
        return None
    items = value.keys() if isinstance(value, dict) else value or []
    return [str(item) for item in items if item is not None]


def split_region_text(text: str | None) -> list[str]:
    """The place names in a free-text cell: list literals, "A and B", "A, B", "A; B"."""
    if _is_missing(text):
        return []
    text = str(text)
    items = _literal_items(text)
    if items is not None:
        return [piece for item in items for piece in split_region_text(item)]
    if normalize_region(text) is not None:
        return [text.strip()]
    # Brackets and quotes left over from a malformed list literal are not part of a name.
    pieces = (piece.strip(_LITERAL_DEBRIS) for piece in _SPLIT.split(text))
    return [piece for piece in pieces if piece]


def _unique(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def region_tags(text: str | None, places: bool = True) -> list[str]:
    """Every region_id named in a cell, in order of first mention, without repeats.

    "Odesa oblast and Mykolaiv oblast" -> ["odesa", "mykolaiv"];
    "['Kyiv', 'Kyiv oblast']" -> ["kyiv_city", "kyiv_oblast"]. Macro-areas ("south"),
    "Ukraine" and other non-regions yield nothing; see `macro_area`.
    """
    return _unique(normalize_region(piece, places) for piece in split_region_text(text))


def macro_area(text: str | None) -> list[str]:
    """The Air Force macro-areas named in a cell: "south and east" -> ["south", "east"]."""
    found: list[str] = []
    for piece in split_region_text(text):
        found.extend(_MACRO_WORDS.get(_key(_PARENS.sub(" ", piece)), ()))
    return _unique(found)


def is_non_region(name: str) -> bool:
    """True for a spelling that deliberately maps to no region (a macro-area, "Ukraine")."""
    key = _key(name)
    return key in NON_REGIONS or key in _MACRO_WORDS
