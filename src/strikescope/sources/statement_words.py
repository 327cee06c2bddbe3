"""Words of the Air Force statements: numbers written as words, months, weekdays, the
weapon vocabulary (data/statement_vocabulary.csv) and the text normalisation they need."""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from strikescope.config import package_data

MONTHS_UK = [
    "січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня",
    "жовтня", "листопада", "грудня"
]
# Russian retellings date the night the same way ("в ночь на 2 января")
MONTHS_RU = [
    "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
    "октября", "ноября", "декабря"
]
MONTHS_EN = [
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december"
]
WEEKDAYS_UK = ["понеділок", "вівторок", "середу", "четвер", "п'ятницю", "суботу", "неділю"]
# "у ніч проти неділі": the genitive after "проти"
WEEKDAYS_UK_GEN = ["понеділка", "вівторка", "середи", "четверга", "п'ятниці", "суботи",
                   "неділі"]
WEEKDAYS_EN = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

_UNITS_UK = {
    1: "один одна одне одну одного однієї одній одним одною однією одном",
    2: "два дві двох двома двом", 3: "три трьох трьома трьом", 4: "чотири чотирьох чотирма",
    5: "п'ять п'яти п'ятьма", 6: "шість шести шістьма", 7: "сім семи сьома",
    8: "вісім восьми вісьмома", 9: "дев'ять дев'яти дев'ятьма", 10: "десять десяти десятьма",
    11: "одинадцять одинадцяти", 12: "дванадцять дванадцяти", 13: "тринадцять тринадцяти",
    14: "чотирнадцять чотирнадцяти", 15: "п'ятнадцять п'ятнадцяти",
    16: "шістнадцять шістнадцяти", 17: "сімнадцять сімнадцяти", 18: "вісімнадцять вісімнадцяти",
    19: "дев'ятнадцять дев'ятнадцяти", 20: "двадцять двадцяти", 30: "тридцять тридцяти",
    40: "сорок сорока", 50: "п'ятдесят п'ятдесяти", 60: "шістдесят шістдесяти",
    70: "сімдесят сімдесяти", 80: "вісімдесят вісімдесяти", 90: "дев'яносто дев'яноста",
    100: "сто ста сотня сотні сотню сотнею", 200: "двісті двохсот", 300: "триста трьохсот",
    400: "чотириста чотирьохсот", 500: "п'ятсот п'ятисот", 600: "шістсот шестисот",
    700: "сімсот семисот", 800: "вісімсот восьмисот", 900: "дев'ятсот дев'ятисот",
}
_UNITS_EN = {
    1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
    9: "nine", 10: "ten", 11: "eleven", 12: "twelve", 13: "thirteen", 14: "fourteen",
    15: "fifteen", 16: "sixteen", 17: "seventeen", 18: "eighteen", 19: "nineteen",
    20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy",
    80: "eighty", 90: "ninety",
}
# Russian, as Russian-language Ukrainian outlets quote the Air Force ("сбиты два")
_UNITS_RU = {
    1: "один одна одно одну одного одной одним", 2: "два две двух двумя", 3: "три трех трёх тремя",
    # the instrumental ("атаковал пятью ракетами") as well; not "семью", also "family"
    4: "четыре четырех четырёх четырьмя", 5: "пять пяти пятью", 6: "шесть шести шестью",
    7: "семь семи", 8: "восемь восьми восемью", 9: "девять девяти девятью",
    10: "десять десяти десятью", 11: "одиннадцать одиннадцати одиннадцатью",
    12: "двенадцать двенадцати двенадцатью", 13: "тринадцать тринадцати",
    14: "четырнадцать четырнадцати", 15: "пятнадцать пятнадцати", 16: "шестнадцать",
    17: "семнадцать", 18: "восемнадцать", 19: "девятнадцать",
    20: "двадцать двадцати двадцатью", 30: "тридцать тридцати тридцатью", 40: "сорок сорока",
    50: "пятьдесят пятидесяти полсотни", 60: "шестьдесят", 70: "семьдесят",
    80: "восемьдесят", 90: "девяносто", 100: "сто ста сотня сотни сотню", 200: "двести",
    300: "триста", 400: "четыреста", 500: "пятьсот",
}
THOUSANDS = {"тисяча", "тисячі", "тисяч", "тисячею", "thousand", "тысяча", "тысячи", "тысяч"}
# "півтори сотні" (150), "півтора десятка" (15): one and a half of the word after it
HALF_MORE = {"півтори", "півтора", "полтора", "полторы"}
# "пів сотні" (50): half of the word after it
HALF = {"пів", "пол"}
HALF_OF = {"сот": 100, "десят": 10, "тисяч": 1000, "тысяч": 1000}
HUNDRED_EN = "hundred"
NUMBER_WORDS: dict[str, int] = {
    w: v for table in (_UNITS_UK, _UNITS_EN, _UNITS_RU) for v, ws in table.items()
    for w in ws.split()
} | {"півсотні": 50}
# "twenty-one": English writes the numbers 21-99 as one hyphenated word
NUMBER_WORDS |= {f"{_UNITS_EN[tens]}-{_UNITS_EN[unit]}": tens + unit
                 for tens in range(20, 100, 10) for unit in range(1, 10)}

_QUOTES = str.maketrans({c: '"' for c in "«»„“”‟″"} | {c: "'" for c in "’ʼ`‘ʹ"})
_DASHES = str.maketrans({"‑": "-", "‐": "-", "−": "-", "–": "—"})
# "1 200" and "1 200" (thin or no-break space between digit groups) are one number, and so
# is the English "1,100" (a comma before exactly three digits; "12,5 тис." is a decimal).
_GROUPED = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}(?!\d))|(?<=\d),(?=\d{3}(?![\d,]))")


# "«Шахед 136/131»", "Shahed 131/136": the model's number after a space is its name, not a count
_SHAHED_NUMBER = re.compile(r"\b(shahed|шахед)\s+(13[16](?:/13[16])?|238)\b", re.IGNORECASE)


# "intercepted 110 unmanned aircraft": drones (the word alone is not a weapon: "unmanned
# aerial vehicles" names them by its last word)
_UNMANNED_AIRCRAFT = re.compile(r"\bunmanned\s+aircraft\b", re.IGNORECASE)


def normalize_text(text: str) -> str:
    text = unicodedata.normalize("NFC", str(text)).translate(_QUOTES).translate(_DASHES)
    text = _SHAHED_NUMBER.sub(r"\1-\2", text)
    text = _UNMANNED_AIRCRAFT.sub("UAVs", text)
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    while _GROUPED.search(text):
        text = _GROUPED.sub("", text)
    return text


@dataclass(frozen=True)
class Term:
    stem: str
    model: str
    role: str  # "type" (a named model), "class" (a class adjective), "head" (drone/missile)


@cache
def vocabulary() -> tuple[Term, ...]:
    with open(package_data("statement_vocabulary.csv"), encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    terms = [Term(r["stem"].casefold(), r["model"], r["role"]) for r in rows]
    # Longest stems first: "х-31п" before "х-31", "аеробалістичн" before "балістичн".
    return tuple(sorted(terms, key=lambda t: -len(t.stem)))


# Words that start like a weapon stem but are not weapons ("ракетні війська": missile troops,
# "дроновий": of drones, "ракетоносець": a missile carrier); the Russian plural "дронов"
# itself is drones.
_NOT_WEAPONS = ("ракетн", "дронов", "ракетонос")
# "missile-carrying aircraft", "drone-carrier": the weapon word names what a carrier carries
_CARRYING = re.compile(r"-(?:carrying|carriers?|launching)$")


def _match_part(part: str) -> tuple[Term, bool] | None:
    if part.startswith(_NOT_WEAPONS) and part != "дронов" or _CARRYING.search(part):
        return None
    for term in vocabulary():
        if part.startswith(term.stem):
            return term, False
    return None


@cache
def _named_by_letter() -> dict[str, tuple[Term, ...]]:
    out: dict[str, list[Term]] = {}
    for term in vocabulary():
        if term.role == "type" and len(term.stem) >= 5:
            out.setdefault(term.stem[0], []).append(term)
    return {k: tuple(v) for k, v in out.items()}


def _fuzzy(part: str) -> tuple[Term, bool] | None:
    """A misspelt weapon name ("Shaheed", "Kalibrr", "Іскандерр-М"): a named model only,
    same first letter, at least 80 % alike."""
    if len(part) < 5:
        return None
    best, score = None, 0.0
    for term in _named_by_letter().get(part[0], ()):
        matcher = difflib.SequenceMatcher(None, term.stem, part[: len(term.stem)])
        if matcher.quick_ratio() < 0.8:
            continue
        ratio = matcher.ratio()
        if ratio > score:
            best, score = term, ratio
    return (best, True) if best and score >= 0.8 else None


_TO_CYRILLIC = str.maketrans("acekmopxiy", "асекморхіу")
_TO_LATIN = str.maketrans("асекморхіу", "acekmopxiy")


@lru_cache(maxsize=65536)
def weapon_terms(token: str) -> tuple[tuple[Term, bool], ...]:
    """The vocabulary terms a token names (a slash joins alternatives: "Х-101/Х-555"),
    each with whether it matched only as a misspelling."""
    key = token.casefold().strip("\"'.")
    if not key or key[0].isdecimal():
        return ()
    found = []
    for part in key.split("/"):
        variants = (part, part.translate(_TO_CYRILLIC), part.translate(_TO_LATIN))
        hit = next((h for v in variants if (h := _match_part(v))), None)
        hit = hit or next((h for v in variants if (h := _fuzzy(v))), None)
        if hit is not None:
            found.append(hit)
    return tuple(found)
