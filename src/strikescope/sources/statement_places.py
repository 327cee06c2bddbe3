"""Regions named in an Air Force statement ("у Київській, Сумській ... областях",
"Сумщина", "over Kyiv, Kharkiv and Odesa regions"), by the spellings of data/regions.csv.
Launch areas ("з напрямків: Курськ ...", "мис Чауда – Крим") are not regions hit."""

from __future__ import annotations

import csv
import re
from functools import cache

from strikescope.config import package_data

_LAUNCH = re.compile(
    r"(?:напрямк\w*|район\w* пуск\w*|з районів|мис\w*|launched from|from the regions of|"
    r"з тимчасово окупованого|from)[^.;]*", re.IGNORECASE)
_WORD = re.compile(r"[\w'-]+")
_EN_LIST = re.compile(r"((?:[A-Z][\w'-]+,?\s+(?:and\s+)?)+)(?:regions?|oblasts?)\b")


@cache
def _stems() -> tuple[tuple[str, str], ...]:
    """(stem, English name) pairs, longest first: adjectives and "-щина" names lose their
    ending so that every case matches ("Київській", "Київщині")."""
    with open(package_data("regions.csv"), encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    pairs = set()
    for row in rows:
        for alias in [row["name_uk"], *row["aliases"].split("|")]:
            word = alias.strip().casefold()
            if " " in word or not re.search(r"[а-яіїєґ]", word):
                continue
            if word.endswith(("ська", "цька", "зька", "щина", "чина")):
                pairs.add((word[:-1], row["name_en"]))
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


@cache
def _english() -> dict[str, str]:
    with open(package_data("regions.csv"), encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out: dict[str, str] = {}
    for row in rows:
        if row["region_id"] == "kyiv_city":
            continue  # "Kyiv ... regions" is the oblast; the city is "Kyiv" alone
        for alias in [row["name_en"], *row["aliases"].split("|")]:
            word = alias.strip()
            if word.isascii() and " " not in word:
                out.setdefault(word.casefold(), row["name_en"])
    return out


def regions_named(text: str) -> list[str]:
    """Region names (English, as in data/regions.csv) in order of first mention."""
    text = _LAUNCH.sub(" ", text)
    found: list[str] = []
    for word in _WORD.findall(text):
        key = word.casefold()
        name = next((n for stem, n in _stems() if key.startswith(stem)), None)
        if name and name not in found:
            found.append(name)
    for match in _EN_LIST.finditer(text):
        for word in re.findall(r"[A-Z][\w'-]+", match.group(1)):
            name = _english().get(word.casefold())
            if name and name not in found:
                found.append(name)
    return found
