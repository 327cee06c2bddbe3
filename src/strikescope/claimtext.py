"""Structured claims from the text of a news article about a strike night.

Pure text work, no store: sentences, the figures about weapons (quantity and qualifier,
subject, measure, scope, who states them), record claims and the date phrases that anchor
them to a night. Every step is a regular-expression scan of one sentence with bounded
look-around, so the work grows linearly with the length of the text. `strikescope.check`
labels what is found here against the store.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from strikescope.config import TIMEZONE
from strikescope.nightrule import night_of_instant

KYIV = ZoneInfo(TIMEZONE)
MONTHS = {m: i for i, ms in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
    ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
    ("september", "sept", "sep"), ("october", "oct"), ("november", "nov"),
    ("december", "dec")), 1) for m in ms}
WEEKDAYS = {d: i for i, d in enumerate(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "a dozen": 12, "a hundred": 100}

_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:" + "|".join(WEEKDAYS) + r")"
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d\d))?"
_NUM_WORDS = "|".join(sorted((w.replace(" ", r"\s+") for w in NUMBER_WORDS),
                             key=len, reverse=True))
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_SMALL = (r"(?:(?:" + _TENS + r")[- ](?:" + _UNITS + r")|" + _TENS + "|ten|eleven|twelve|"
          r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|" + _UNITS + ")")
HUNDREDS = (r"(?:a|one|" + _UNITS + r")\s+hundred(?:\s+(?:and\s+)?" + _SMALL + r"\b)?")
DOZENS = r"(?:half\s+a|a|one|two|three|four|five|six|seven|eight|nine|ten)[\s-]+dozen"
NUMBER_RE = re.compile(
    rf"(?<![\w.,:/-])(?P<num>{DOZENS}|{HUNDREDS}|(?:{_TENS})[- ](?:{_UNITS})\b|"
    rf"\d{{1,3}}(?:,\d{{3}})+|\d+|"
    + _NUM_WORDS + r")(?![\w:/]|[.,]\d|-\w)", re.I)

# --- dates -------------------------------------------------------------------------------

DATE_PATTERNS = [
    # night of 22-23 April / night of 3 to 4 July
    ("range_dm", re.compile(rf"(?P<d1>{_DAY})\s*(?:-|–|—|to|/|and)\s*(?P<d2>{_DAY})\s+"
                            rf"(?P<month>{_MONTH}){_YEAR}", re.I)),
    # night of July 3-4
    ("range_md", re.compile(rf"(?P<month>{_MONTH})\s+(?P<d1>{_DAY})\s*(?:-|–|—|to|/|and)\s*"
                            rf"(?P<d2>{_DAY})\b{_YEAR}", re.I)),
    ("dm", re.compile(rf"\b(?P<d2>{_DAY})\s+(?:of\s+)?(?P<month>{_MONTH})(?![a-z]){_YEAR}", re.I)),
    ("md", re.compile(rf"\b(?P<month>{_MONTH})\s+(?P<d2>{_DAY})\b{_YEAR}", re.I)),
]
WEEKDAY_RE = re.compile(rf"\b(?P<wd>{_WEEKDAY})(?:'s)?(?P<part>\s+(?:night|evening|morning))?\b",
                        re.I)
# "in the early hours of today" (a translated wire) is "early today"
RELATIVE_RE = re.compile(r"\b(overnight|last night|tonight|this morning|during the night|"
                         r"in the night|at night|early today|early hours of today|"
                         r"yesterday)\b", re.I)
INTO_RE = re.compile(rf"\b(?:night|overnight|evening)\b[^.;]{{0,25}}?\binto\s+"
                     rf"(?:the\s+)?(?P<what>{_WEEKDAY}|following day|next day)", re.I)
PERIOD_RE = re.compile(
    rf"\b(?:in|during|since|throughout|for|over)\s+(?:the\s+)?(?:month\s+of\s+)?"
    rf"(?:{_MONTH})(?![a-z])(?!\s+[0-3]?\d\b)|\b(?:this|last|past|previous)\s+"
    rf"(?:week|month|year|weeks|months)\b(?!'s)|"
    rf"\bin (?:the )?(?:three|two|four|five|six|seven|\d+) days\b|\bover the past (?:day|week)|"
    rf"\bper (?:night|day|month)\b|\bin (?:19|20)\d\d\b|\bso far this year\b|"
    rf"\b(?:weeks|months|a week|a month|a year|years)\s+ago\b|"
    rf"\bsince (?:the )?(?:start|beginning) of (?:the )?(?:year|month|week)\b|"
    # "in the last days of 2023 and the first days of 2024": a stretch of days
    rf"\b(?:last|first|final|closing|opening|early|late)\s+(?:few\s+)?(?:days|weeks)\s+of\s+"
    rf"(?:(?:19|20)\d\d|the\s+(?:year|month)|{_MONTH})(?![a-z])|"
    rf"\bfrom\s+(?:last\s+)?{_WEEKDAY}\s+(?:to|until|till|through)\s+(?:today|now)\b", re.I)
SPAN_TO_NOW_RE = re.compile(rf"\bfrom\s+(?:last\s+)?{_WEEKDAY}\s+(?:to|until|till|through)\s+"
                            r"(?:today|now)\b", re.I)
TIME_ZONE_RE = re.compile(
    r"\b(?P<h>[0-2]?\d)[:.](?P<m>[0-5]\d)\s*(?P<ampm>a\.?m\.?|p\.?m\.?)?\s*"
    r"(?:\(?\s*)?(?P<tz>GMT|UTC|Kyiv time|local time)\b", re.I)


@dataclass
class Anchor:
    """A date phrase and the night it names (the night ending on that date)."""
    start: int
    end: int
    text: str
    night: dt.date | None  # None for a vague phrase ("overnight")
    strength: str          # explicit, weekday or relative
    role: str = "attack"   # attack, or since/previous (belongs to a comparison)


@dataclass
class Claim:
    kind: str              # figure, record, weapon_type
    start: int
    end: int
    sentence: int          # index into Article.sentences
    value: float | None = None
    high: float | None = None
    qualifier: str = "exact"
    subject: str = "all"
    model: str | None = None
    measure: str = "launched"
    scope: str = "night"
    attribution: str = "unattributed"
    record: dict = field(default_factory=dict)
    night: dt.date | None = None
    confidence: str = "low"    # high: a stated date or weekday; medium: "overnight"; low
    basis: str = ""
    measure_firm: bool = True  # the measure came from a verb of the figure's own clause
    subject_firm: bool = True  # the figure names its weapon ("95 more" does not)
    published: dt.date | None = None  # the article's day in Kyiv


@dataclass
class Article:
    body: str
    published: dt.datetime | dt.date | None
    sentences: list[tuple[int, int]]
    anchors: list[list[Anchor]]
    claims: list[Claim]
    mentions: list
    night: dt.date | None = None
    confidence: str = "low"
    basis: str = ""
    night_at: int | None = None     # where the date phrase that gave the night stands

    def sentence_text(self, i: int) -> str:
        a, b = self.sentences[i]
        return self.body[a:b]


def sentence_at(art: Article, pos: int) -> int:
    """The index of the sentence of `art` that holds the character `pos`."""
    ends = [b for _a, b in art.sentences]
    return min(bisect.bisect_right(ends, pos), max(len(ends) - 1, 0))


# --- article metadata -------------------------------------------------------------------

META_LINE = re.compile(r"^\s*(?:Published|Source|Outlet|URL)\s*:.*$|^\s*\**META_DESCRIPTION.*$",
                       re.M | re.I)


def parse_published(value: str) -> dt.datetime | dt.date | None:
    """A publication date, with its time and zone when given (then as an aware datetime)."""
    value = value.strip()
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::\d\d)?\s*(Z|[+-]\d\d:?\d\d)?)?$",
                 value)
    if m:
        day = dt.date(int(m[1]), int(m[2]), int(m[3]))
        if not m[4]:
            return day
        zone = KYIV if not m[6] else dt.UTC if m[6] == "Z" else dt.timezone(
            dt.timedelta(hours=int(m[6][:3]), minutes=int(m[6][-2:]) * (1 if m[6][0] == "+"
                                                                         else -1)))
        return dt.datetime.combine(day, dt.time(int(m[4]), int(m[5])), zone)
    import dateparser

    parsed = dateparser.parse(value, languages=["en"])
    return parsed.date() if parsed else None


def kyiv_date(published) -> dt.date | None:
    """The publication day in Kyiv, where the reports' nights are counted."""
    if isinstance(published, dt.datetime):
        return published.astimezone(KYIV).date()
    return published


def split_metadata(text: str) -> tuple[str, dt.datetime | dt.date | None]:
    """The article without its metadata lines (kept as blanks so offsets hold), and its
    publication date."""
    published = None
    m = re.search(r"^\s*Published\s*:\s*(.+?)\s*$", text, re.M | re.I)
    if m:
        published = parse_published(m[1])
    body = META_LINE.sub(lambda x: " " * len(x[0]), text)
    return body.rstrip(), published


# --- sentences --------------------------------------------------------------------------

ABBREVIATIONS = {"u.s", "mr", "mrs", "dr", "st", "lt", "gen", "col", "gov", "jan", "feb",
                 "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "no",
                 "a.m", "p.m", "vs", "inc", "u.k", "e.g", "i.e"}
SENT_END = re.compile(r"[.!?][\"'”’)]*\s+|\n\s*\n|\n(?=\s*#)|\n(?=[A-Z*#-])")


def split_sentences(body: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in SENT_END.finditer(body):
        if m[0][0] in ".!?" and body[m.end():m.end() + 1].islower():
            continue       # "10:30 p.m. on August 8", "a.m. local time"
        word = re.search(r"([\w.]+)[.!?][\"'”’)]*\s*$", body[max(start, m.start() - 12):m.end()])
        if word and word[1].lower() in ABBREVIATIONS and body[m.end():m.end() + 1].isdigit() | (
                word[1].lower() in {"u.s", "mr", "mrs", "dr", "lt", "gen", "col", "gov", "st",
                                    "u.k", "no"}):
            continue
        if word and word[1].lower() in ("a.m", "p.m") and not body[m.end():m.end() + 1].isupper():
            continue       # "at about 10:00 p.m. (1900 GMT) on Thursday"
        if body[start:m.start()].strip():
            spans.append(_strip(body, start, m.start() + 1))
        start = m.end()
    if body[start:].strip():
        spans.append(_strip(body, start, len(body)))
    return spans


def _strip(body: str, a: int, b: int) -> tuple[int, int]:
    while a < b and body[a].isspace():
        a += 1
    while b > a and body[b - 1].isspace():
        b -= 1
    return a, b


# --- date anchors -----------------------------------------------------------------------


def _year_for(month: int, day: int, year: str | None, base: dt.date | None) -> dt.date | None:
    try:
        if year:
            return dt.date(int(year), month, day)
        if base is None:
            return None
        d = dt.date(base.year, month, day)
        return d.replace(year=base.year - 1) if d > base + dt.timedelta(days=2) else d
    except ValueError:
        return None


def _context(sent: str, start: int, end: int) -> tuple[str, str]:
    return sent[max(0, start - 70):start].lower(), sent[end:end + 40].lower()


def _explicit(sent: str, offset: int, base: dt.date | None) -> list[Anchor]:
    found: list[Anchor] = []
    taken: list[tuple[int, int]] = []
    for kind, rx in DATE_PATTERNS:
        for m in rx.finditer(sent):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            digits = re.match(r"\d+", m["d2"])
            assert digits is not None  # every pattern's d2 starts with the day's digits
            day = int(digits[0])
            date = _year_for(MONTHS[m["month"].lower().rstrip(".")], day, m["year"], base)
            if date is None:
                continue
            taken.append((m.start(), m.end()))
            before, after = _context(sent, m.start(), m.end())
            night = date
            if re.search(r"(evening|late)\s+(on\s+|of\s+)?(\w+,?\s+)?$", before) or re.search(
                    r"(?:\b(?:[6-9]|1[01])(?::\d\d)?\s*p\.?m\.?|\b(?:1[89]|2[0-3])[:.]\d\d)\s+"
                    r"(?:on\s+)?(\w+,?\s+)?$", before) or (
                    re.match(r"\s*(evening|night)\b", after) and kind in ("dm", "md")
                    and not re.search(r"night of\s*(\w+,?\s+)?$", before)):
                night = date + dt.timedelta(days=1)
            if re.match(r"[^.;]{0,12}into the (following|next) day", after):
                night = date + dt.timedelta(days=1)
            found.append(Anchor(offset + m.start(), offset + m.end(), m[0], night, "explicit",
                                _role(before)))
    return found


HOLIDAY_RE = re.compile(r"\b(?P<name>new year'?s eve|new year'?s day|christmas eve|christmas day|"
                        r"christmas|new year)\b", re.I)
HOLIDAYS = {"new year's eve": (12, 31, 1), "new years eve": (12, 31, 1),
            "new year's day": (1, 1, 0), "new years day": (1, 1, 0), "new year": (1, 1, 0),
            "christmas eve": (12, 24, 1), "christmas day": (12, 25, 0), "christmas": (12, 25, 0)}


def _holidays(sent: str, offset: int, base: dt.date | None) -> list[Anchor]:
    """'New Year's Eve', 'Christmas Day': the latest such day up to publication (an eve
    starts the next night)."""
    out: list[Anchor] = []
    if base is None:
        return out
    for m in HOLIDAY_RE.finditer(sent):
        month, day, shift = HOLIDAYS[m["name"].lower().replace("’", "'")]
        before, _after = _context(sent, m.start(), m.end())
        apart = HOLIDAY_OFFSET_RE.search(before)
        if apart is None and HOLIDAY_AHEAD_RE.search(before):
            continue          # "before Christmas": the holiday is still to come, not the night
        if apart is not None:
            days = 1 if apart["n"].lower() == "a" else number_value(apart["n"]) or 0
            shift = days if apart["dir"].lower() == "after" else -days
        date = dt.date(base.year, month, day) + dt.timedelta(days=shift)
        if date > base:
            date = date.replace(year=date.year - 1)
        start = offset + (m.start() - len(before) + apart.start() if apart else m.start())
        out.append(Anchor(start, offset + m.end(), sent[start - offset:m.end()], date,
                          "explicit", _role(before[:apart.start()] if apart else before)))
    return out


# "two days before Christmas" is the 23rd; "ahead of Christmas" names no night at all
HOLIDAY_OFFSET_RE = re.compile(rf"\b(?P<n>\d+|{_NUM_WORDS}|a|one)\s+days?\s+"
                               r"(?P<dir>before|after|ahead of)\s+(?:the\s+)?$", re.I)
HOLIDAY_AHEAD_RE = re.compile(r"\b(?:before|ahead of|pre-|run-up to|in the lead-up to)\s*"
                              r"(?:the\s+)?$", re.I)


# "over the previous evening and on the night into 7 December", "last night, 7 December":
# a time of day after the word names the attack's own time, not an earlier record
TIME_OF_DAY_RE = re.compile(r"\b(?:previous|prior|earlier|last)\s+(?:evening|night|day|morning|"
                            r"afternoon)\b")


def _role(before: str) -> str:
    if re.search(r"\bsince\s+(the\s+)?(\w+\s+)?$", before):
        return "since"
    if re.search(r"(previous|prior|earlier|last)\b[^.;]{0,60}$", TIME_OF_DAY_RE.sub("", before)):
        return "previous"
    return "attack"


# "from 19:30 on Sunday": an evening clock time before a weekday starts the night that ends
# the next day, as "Sunday evening" does
EVENING_CLOCK_RE = re.compile(r"\b(?:1[89]|2[0-3])[:.][0-5]\d\s+(?:hours?\s+)?(?:on\s+)?$")


def _evening(m: re.Match, before: str) -> tuple[bool, str]:
    """Does the weekday name the evening that starts the next night, and its role?"""
    part = (m["part"] or "").strip().lower()
    role = _role(before)
    if role == "since" and part in ("night", "evening"):
        role = "attack"   # "fired since Sunday evening": the attack's own start
    evening = part in ("night", "evening") or bool(
        re.search(r"(evening|late)\s+(on\s+|of\s+)?$", before)
        or EVENING_CLOCK_RE.search(before))
    return evening, role


def _weekdays(sent: str, offset: int, base: dt.date | None, taken) -> list[Anchor]:
    out: list[Anchor] = []
    if base is None:
        return out
    for m in WEEKDAY_RE.finditer(sent):
        if any(a <= m.start() < b for a, b in taken):
            continue
        wd = WEEKDAYS[m["wd"].lower()]
        date = base - dt.timedelta(days=(base.weekday() - wd) % 7)
        before, after = _context(sent, m.start(), m.end())
        if re.search(r"\blast\s+$", before) and date == base:
            date -= dt.timedelta(days=7)      # "last Monday" said on a Monday
        evening, role = _evening(m, before)
        if evening:
            date += dt.timedelta(days=1)
        elif re.search(r"\b(?:overnight|night)\b[\w ]{0,15}\s(?:on\s+)?$", before) \
                and date == base - dt.timedelta(days=1):
            date = base       # "an overnight attack on Saturday" told on Sunday
        elif re.search(r"\bbetween\s+$", before) and re.match(rf"\s+and\s+{_WEEKDAY}\b",
                                                                after):
            continue          # "between Saturday and Sunday": the second weekday decides
        elif re.search(r"\bovernight\s+$", before) and re.match(r"\s+into\b", after):
            continue          # "overnight Monday into Tuesday": the INTO phrase decides
        elif SPAN_TO_NOW_RE.search(before + m[0] + after[:20]):
            continue          # "from Monday to today": a span of days, no one night
        out.append(Anchor(offset + m.start(), offset + m.end(), m[0], date, "weekday", role))
    return out


def sentence_anchors(sent: str, offset: int, published) -> list[Anchor]:
    """Every date phrase of one sentence with the night it names, in text order."""
    base = kyiv_date(published)
    anchors = _explicit(sent, offset, base) + _holidays(sent, offset, base)
    taken = [(a.start - offset, a.end - offset) for a in anchors]
    for m in INTO_RE.finditer(sent):
        what = m["what"].lower()
        if what in WEEKDAYS and base is not None:
            night = base - dt.timedelta(days=(base.weekday() - WEEKDAYS[what]) % 7)
            anchors.append(Anchor(offset + m.start(), offset + m.end(), m[0], night, "weekday"))
            taken.append((m.start(), m.end()))
    anchors += _weekdays(sent, offset, base, taken)
    if base is not None:
        anchors += _relative(sent, offset, published, base)
    for m in AGO_RE.finditer(sent) if base is not None else []:
        days = number_value(m["n"]) if m["n"].lower() not in ("a", "one") else 1
        if days is not None and base is not None:
            anchors.append(Anchor(offset + m.start(), offset + m.end(), m[0],
                                  base - dt.timedelta(days=days), "weekday"))
    for m in VAGUE_NIGHT_RE.finditer(sent):
        anchors.append(Anchor(offset + m.start(), offset + m.end(), m[0], None, "vague"))
    anchors += _zoned_times(sent, offset, anchors)
    return sorted(anchors, key=lambda a: a.start)


EARLY_HOUR = 6   # the Air Force's morning statement comes after this hour (Kyiv time)


def _relative(sent: str, offset: int, published, base: dt.date) -> list[Anchor]:
    """"overnight", "last night", "yesterday": relative to the day the statement was made.
    "Russia fired 100 drones overnight, officials said yesterday" (a next-day piece) is
    the night ending yesterday. A piece published in Kyiv before the morning statement
    cannot report the night still under way, so "overnight" there is the night before,
    but only a guess (low confidence: never grounds for "contradicted")."""
    found = list(RELATIVE_RE.finditer(sent))
    said_yesterday = any(m[1].lower() == "yesterday" for m in found)
    early = isinstance(published, dt.datetime) \
        and published.astimezone(KYIV).hour < EARLY_HOUR
    out = []
    for m in found:
        back = m[1].lower() == "yesterday" or said_yesterday or early
        strength = "early" if early and not said_yesterday else "relative"
        out.append(Anchor(offset + m.start(), offset + m.end(), m[0],
                          base - dt.timedelta(days=1 if back else 0), strength))
    return out


AGO_RE = re.compile(rf"\b(?P<n>\d+|{_NUM_WORDS}|a|one)\s+days?\s+ago\b", re.I)
VAGUE_NIGHT_RE = re.compile(r"\b(?:the (?:previous|preceding) night|the night before|a night "
                            r"(?:earlier|before)|the day before|a day earlier|the previous day|"
                            r"the next night|the following night)\b", re.I)


def _zoned_times(sent: str, offset: int, anchors: list[Anchor]) -> list[Anchor]:
    """'at 22:00 GMT on Saturday': a time in GMT/UTC moves the night when, in Kyiv, it falls
    after 18:00 (the evening that starts the next night)."""
    out: list[Anchor] = []
    dated = [a for a in anchors if a.strength in ("explicit", "weekday")]
    for m in TIME_ZONE_RE.finditer(sent):
        if not dated or m["tz"].lower() not in ("gmt", "utc"):
            continue
        near = min(dated, key=lambda a: abs(a.start - offset - m.start()))
        hour = int(m["h"]) % 12 + (12 if (m["ampm"] or "").lower().startswith("p") else 0) \
            if m["ampm"] else int(m["h"])
        assert near.night is not None  # explicit and weekday anchors name a date
        when = dt.datetime.combine(near.night, dt.time(hour, int(m["m"])), dt.UTC)
        local = when.astimezone(KYIV)
        night = night_of_instant(local.replace(tzinfo=None)).date()
        near.night = night
        near.text = f"{near.text} ({m[0]})"
    return out


# --- weapons and figures ----------------------------------------------------------------

HEAD = (r"(?:unmanned aerial vehicles|unmanned vehicles|unmanned aircraft|aerial targets|"
        r"aerial weapons|"
        r"air targets|means of (?:enemy |hostile )?(?:air )?attack|drones|drone|UAVs|UAV|"
        r"Shaheds|Shahed|missiles|"
        r"missile|rockets|"
        r"projectiles|targets|weapons|Kinzhals|Kinzhal|Iskanders|Kalibrs|Kalibr|Zircon|"
        # a missile's model alone names the weapon ("one Kh-59", "two Iskander-Ms")
        r"(?:Kh|X)-\d+[A-Za-z]?s?|Iskander-[MK]s?|"
        r"decoys)(?![\w-])")
STOP_WORDS = {"were", "was", "had", "have", "has", "been", "are", "is", "that", "which", "who",
              "in", "on", "at", "over", "from", "by", "against", "across", "into", "toward",
              "towards", "to", "for", "with", "of", "the", "a", "an", "it", "its", "their",
              "people", "civilians", "regions", "oblasts", "locations", "hours", "times",
              "days", "nights", "years", "while", "but", "as", "than", "launched", "fired",
              "sent", "used", "deployed", "unleashed", "attacked", "said", "says", "reported",
              "shot", "downed", "destroyed", "intercepted", "struck", "hit", "carried",
              "killed", "injured", "targeted", "forces", "troops"}
_STOP = "|".join(sorted(STOP_WORDS | {w for w in NUMBER_WORDS if " " not in w}, key=len,
                         reverse=True))
NP_RE = re.compile(rf"\s+(?P<mods>(?:(?:cruise|ballistic|aeroballistic|hypersonic|guided|"
                   rf"anti-ship|air-launched),\s+)*"
                   rf"(?:(?!(?:{_STOP})\b)(?!\d)[\w'’/().-]+\s+){{0,6}})"
                   # '90 "Shaheds"', '"Kalibr" missiles': a weapon's name in quote marks
                   rf"[\"“«]?(?P<head>{HEAD})[\"”»]?"
                   # "76 Shaheds, decoy drones and other UAVs": one list of drone kinds
                   rf"(?P<tail>(?:,\s+(?:(?!\d)[\w-]+\s+){{0,2}}?(?:drones|UAVs|decoys|"
                   rf"imitators)\b)*,?\s+(?:and|or|(?P<also>as well as))\s+"
                   rf"(?:other\s+|decoy\s+|imitation\s+)?"
                   rf"(?:(?!\d|(?:{_NUM_WORDS}|dozens|hundreds|scores|several|many|some|a|an)"
                   rf"\b)[\w-]+\s+){{0,2}}?"
                   # "673 Shaheds as well as missiles" adds a kind the number does not count
                   rf"(?:drones|(?(also)(?!)|missiles)|UAVs|decoys|imitators)\b)?",
                   re.I)
OF_RE = re.compile(r"\s+(?:out\s+)?of\s+(?:the\s+|all\s+)?(?:(?:more than|over|about|around|"
                   r"nearly|almost|some|at least|roughly)\s+)?(?P<num>\d{1,3}(?:,\d{3})+|\d+|"
                   + _NUM_WORDS + r")(?![\w:])", re.I)
YEAR_CONTEXT_RE = re.compile(rf"(?:{_MONTH}\s+[0-3]?\d(?:st|nd|rd|th)?,?|[0-3]?\d(?:st|nd|rd|th)?"
                             rf"\s+{_MONTH},?|\b(?:in|of|since|year))\s*$", re.I)
OF_THE_RE = re.compile(r"\s+(?:out\s+)?of\s+(?:the|these|those|its|their)(?=\s)", re.I)
OF_THEM_RE = re.compile(r"\s+(?:out\s+)?of\s+(?:them|these|those|the drones|the missiles)\b", re.I)
WERE_NP_RE = re.compile(rf"\s+(?:were|was)\s+(?:(?!\d)[\w-]+\s+){{0,2}}?(?P<head>{HEAD})", re.I)
OTHERS_RE = re.compile(r"\s+others?\s+(?:\w+\s+){0,2}?(?=" + "|".join(
    rf"\b{v}" for _k, v in [("lost", r"(?:lost|disappeared|vanished|jammed|did not reach|"
                                      # "46 others were disabled by electronic jamming"
                                      r"failed to reach|crashed before|by electronic)"),
                             ("down", r"(?:shot down|downed|destroyed|intercepted)"),
                             ("other", r"(?:flew|headed|went back)")]) + ")",
                       re.I)
DISTRIBUTIVE_RE = re.compile(r"\s+(?P<cls>ballistic|cruise|guided|hypersonic|aeroballistic|"
                             r"anti-aircraft)\s+(?:and|or)\s+(?:\d+|" + _NUM_WORDS + r")\s+"
                             r"(?=(?:[\w-]+\s+)?(?:missiles?|rockets?))", re.I)
CLASS_NP_RE = re.compile(r"\s+(?P<mods>)(?P<head>.+)")
# "37 reportedly failed in flight": a hedge before the verb, as in IMMEDIATE_RE
ELLIPTIC_RE = re.compile(r"\s+(?:(?:reportedly|likely|probably|apparently|presumably)\s+)?"
                         r"(?:more|others? more|further|were|was|had|have|either|"
                         r"disappeared|vanished|went|flew|failed|did|are)\b", re.I)
MODEL_FAMILIES = {
    "kinzhal": ("kinzhal", "x-47"), "iskander-m": ("iskander-m", "kn-23"),
    "iskander-k": ("iskander-k",), "x-101": ("x-101", "x-555"), "kalibr": ("kalibr",),
    "zircon": ("zircon", "tsirkon", "3m22"), "x-22": ("x-22",), "x-32": ("x-32",),
    "x-59": ("x-59",), "x-69": ("x-69",), "x-31": ("x-31", "x-31p", "anti-radar"),
    "x-35": ("x-35",),
    "s-300": ("s-300", "c-300"), "s-400": ("s-400", "c-400"), "oniks": ("oniks", "p-800")}
MODEL_BY_NAME = {n: fam for fam, names in MODEL_FAMILIES.items() for n in names}
# a plural is the same model ("seven Kalibrs")
MODEL_RE = re.compile(r"(?<![\w-])(?P<name>" + "|".join(re.escape(n) for n in sorted(
    MODEL_BY_NAME, key=len, reverse=True)) + r")s?(?![\w])")
MODEL_CLASS = {"kinzhal": "aeroballistic", "iskander-m": "ballistic", "zircon": "antiship",
               "s-300": "ballistic", "s-400": "ballistic", "oniks": "antiship"}

QUALIFIERS = [
    ("more_than", r"(?:more than|over|in excess of|upwards of|above)"),
    ("at_least", r"(?:at least|no fewer than|no less than|a minimum of|not less than)"),
    ("about", r"(?:about|around|approximately|roughly|some|nearly|almost|close to|"
              r"an estimated|estimated|~)"),
    ("up_to", r"(?:up to|fewer than|less than|under|at most|no more than)"),
]
QUALIFIER_RE = re.compile(r"(?:" + "|".join(f"(?P<{k}>\\b{v})" for k, v in QUALIFIERS)
                          + r")\s+(?:a record\s+|the\s+)?$", re.I)

CUES = [  # measure, pattern; earlier entries win when several match the same words
    ("suppressed", r"(?:shot down or (?:jammed|suppressed|lost)|downed or (?:jammed|suppressed)|"
                   r"destroyed or suppressed|intercepted or jammed|suppressed|"
                   r"(?:destroyed|shot down|downed) or neutrali[sz]ed|"
                   r"shot down or their signals were jammed|shot down or \w+ by electronic|"
                   r"(?:shot down|downed|destroyed) or (?:had )?(?:their )?signals? "
                   r"(?:were )?jammed)"),
    ("lost", r"(?:lost|disappeared|vanished|jammed|by electronic|electronic warfare|radar|"
             r"locationally|failed to reach|did not reach|crashed before (?:reaching|hitting)|"
             # "25 drones went off course", "37 failed in flight" (not "veered off course
             # and left Ukrainian airspace": those flew off)
             r"(?:went|were diverted|diverted|deviated) off course(?![^.;]{0,30}\b(?:left|"
             r"flew|headed|entered|airspace|moldova|belarus|russia)\b)|"
             r"failed (?:in|mid-?)\s*flight|"
             # drones "electronically disabled or forced down" were suppressed, not shot
             r"electronically (?:disabled|suppressed|neutrali[sz]ed)|forced (?:down|to land)|"
             r"(?:came|come|comes|fell|falls|went|crashed) (?:down )?on (?:their|its) own|"
             # decoys that "fell in open areas": the Air Force's lost without consequences
             r"(?:fell|falls|came down|crashed) (?:in|on|into) (?:open|empty|uninhabited|"
             r"unpopulated|deserted) (?:areas?|fields?|ground|terrain|spaces?)|"
             r"without (?:causing )?(?:harm|"
             r"negative|adverse)|"
             # "led to the loss of 46 enemy drones", "64 are still missing"
             r"loss of|(?:still )?missing)"),
    ("other", r"(?:flew (?:on |off |back )?(?:in)?to(?:wards?)?|flew (?:off|back)|"
              r"entered [\w-]+ airspace|"
              r"left (?:ukrainian )?airspace|exited|strayed|returned to|headed (?:back )?to|"
              r"went (?:back )?(?:in)?to)"),
    ("hit", r"(?:struck|hit|reached (?:their |its )?targets?|impacted|landed|got through)"),
    ("shot_down", r"(?:shot down|downed|downs(?!\w)|downing|destroyed|brought down|bringing down|"
                   r"brings? down|knocked out|shooting down|shoots? down|destroy\b)"),
    ("intercepted", r"(?:intercepted|intercepts|intercepting|intercept\b|repelled|stopped|"
                    r"countered|taken down|eliminated|"
                    # base forms count too: "managed to neutralise six missiles"
                    r"neutrali[sz]ed|neutrali[sz]e\b|defeated)"),
    ("launched", r"(?:launched|launches|launch|fired|fires|sent|sends|used|uses|deployed|"
                 r"unleashed|unleashes|involved|included|"
                 r"attacked (?:\w+ )?with|tracked|detected|recorded|employed|hurled|firing|"
                 r"launching|sending|using|took part)"),
]
CUE_RE = re.compile("|".join(f"(?P<{k}>\\b{v})" for k, v in CUES), re.I)
PASSIVE_RE = re.compile(r"^[^,;:]{0,45}?\b(?:were|was|had been|have been|been|are|is|as were)\b"
                        r"(?:\s+\w+){0,3}?[\s\"'“”‘’]+(?=" + CUE_RE.pattern + ")", re.I)
# a hedge between the figure and its verb hides nothing: "14 others likely crashed before
# reaching their targets", "ten probably fell in fields"
IMMEDIATE_RE = re.compile(r"^\s*(?:more\s+|others\s+)?(?:either\s+|all\s+|later\s+|also\s+|"
                          r"then\s+|reportedly\s+|likely\s+|probably\s+|apparently\s+|"
                          r"presumably\s+|were\s+|was\s+|are\s+still\s+|are\s+|"
                          r"remain\s+)?[\"'“”‘’]*"
                          r"(?=" + CUE_RE.pattern + ")", re.I)
RELATIVE_LAUNCH_RE = re.compile(r"\s*(?:that\s+|which\s+)?(?:russia|moscow|russian forces|it|"
                                r"they|the enemy)\s+(?:had\s+|has\s+)?(?:launched|fired|sent|"
                                r"used)\b", re.I)
PARTICIPLE_RE = re.compile(r"\s*(?:launched|fired|sent)\b", re.I)
# "32 of the 46 drones used in the attack were shot down", "21 of the 30 drones launched
# overnight hit their targets": the participle describes the 46, the verb after it says what
# the 32 count
TOTAL_PARTICIPLE_RE = re.compile(r"\s*(?:launched|fired|sent|used|deployed)\b[^,;.\d]{0,50}?"
                                 r"(?:\b(?:were|was|had been|have been)\s+(?:\w+\s+){0,2}?)?"
                                 r"(?=" + CUE_RE.pattern + ")", re.I)
BOUNDARY_RE = re.compile(r"[;]|,\s*(?:while|but|whereas|though|although|and)\b|\b(?:while|but|"
                         r"whereas|though|although)\b", re.I)


@dataclass
class _Number:
    start: int
    end: int
    value: int
    np: re.Match | None = None
    total: tuple[int | None, int, int] | None = None  # "X of Y": (value, start, end) of Y
    elliptic: bool = False
    part: bool = False                          # "11 of them cruise missiles"
    end_override: int | None = None             # end of "two ballistic" in a shared phrase
    single: bool = False                        # "an Iskander-M ballistic missile"


def number_value(raw: str) -> int | None:
    raw = re.sub(r"\s+", " ", raw.lower().replace(",", ""))
    dozen = re.fullmatch(r"(half a|\w+)[ -]dozen", raw)
    if dozen:
        lead = {"half a": 0.5, "a": 1}.get(dozen[1], NUMBER_WORDS.get(dozen[1]))
        return None if lead is None else int(12 * lead)
    hundreds = re.fullmatch(r"(\w+) hundred(?: (?:and )?(.+))?", raw)
    if hundreds:
        lead = 1 if hundreds[1] == "a" else NUMBER_WORDS.get(hundreds[1])
        rest = number_value(hundreds[2]) if hundreds[2] else 0
        return None if lead is None or rest is None else 100 * lead + rest
    tens = re.fullmatch(rf"({_TENS})[- ]({_UNITS})", raw)
    if tens:
        return NUMBER_WORDS[tens[1]] + NUMBER_WORDS[tens[2]]
    return int(raw) if raw.isdigit() else NUMBER_WORDS.get(raw)


# "Of the 132 drones, the air force downed 88, 41 were lost": a bare number right after an
# outcome verb, ending its clause, counts the weapon of a figure before it in the sentence
BARE_OUTCOME_RE = re.compile(r"\b(?:shot down|downed|destroyed|intercepted|brought down|"
                             r"neutrali[sz]ed)(?:\s+or\s+(?:suppressed|jammed|neutrali[sz]ed))?"
                             r"\s+(?:a total of\s+)?$", re.I)
# "4,198 drones in March, 3,912 in February and 2,567 in January", "19 of them over the
# Rostov region and 13 over the Volgograd region": a bare number listed after a figure, with
# a month or a place of its own, counts the weapon of the figure before it
BARE_LISTED_RE = re.compile(rf"\s+(?:(?i:in\s+{_MONTH})(?![a-z])|(?:more\s+)?(?:over|above)\s+"
                            rf"(?:the\s+)?(?:nearby\s+)?[A-Z][\w'-]+)")
# "the missiles, of which it shot down two, ...": the number counts the weapon the relative
# clause hangs on, though no figure came before it
OF_WHICH_BARE_RE = re.compile(r"\b(?:missiles|drones|rockets|UAVs|Shaheds),\s+of which\s+"
                              r"(?:(?:it|they|the air force|air defen[cs]es?)\s+)?"
                              r"(?:had\s+|has\s+)?$", re.I)
# "the drones, of which 11 were downed": a figure without a weapon of its own counts the
# noun its relative clause hangs on (not firmly: the noun is not the figure's own)
OF_WHICH_NOUN_RE = re.compile(r"\b(?P<noun>missiles|drones|rockets|UAVs|Shaheds),\s+of which\b"
                              r"[^,;.]{0,40}$", re.I)
# "Of the drones, which the Russians launched from Crimea, 18 were repelled": a sentence that
# opens on its weapon gives it to a number that names none
OF_THE_OPENING_RE = re.compile(r"^\W*(?:out\s+)?of\s+(?:the|these|those|all)\s+(?:[\w-]+\s+){0,2}?"
                               r"(?P<noun>missiles|drones|rockets|UAVs|Shaheds)\s*,", re.I)
# "all but 10 of the drones", "all except two": the number is what is left over
ALL_BUT_RE = re.compile(r"\ball\s+(?:but|except(?:\s+for)?|save)\s+$", re.I)
BARE_END_RE = re.compile(r"\s*(?:[,;.]|and\b|$)")
# "38 drones launched, 26 destroyed or suppressed": a bare number after a comma and right
# before an outcome participle counts the weapon of the figure before it
BARE_PARTICIPLE_RE = re.compile(r"\s+(?:shot down|downed|destroyed|intercepted|neutrali[sz]ed|"
                                r"suppressed|lost|jammed)\b", re.I)


# "an Iskander-M ballistic missile", "a Kh-59 cruise missile": the article before a named
# missile counts one of it; a bare "a ballistic missile" (often background) does not
SINGLE_MISSILE_RE = re.compile(r"\ban?(?=\s+(?:[A-Z][\w-]*\s+){1,2}(?:ballistic|cruise|"
                               r"aeroballistic|hypersonic|guided)\s+missile\b"
                               # "a Kh-59 guided air missile", "a Kh-31P anti-radar missile":
                               # a model named by its code, whatever words come before
                               # "missile"
                               r"|\s+(?:Kh|X)-\d+\w*\s+(?:[\w-]+\s+){0,2}?missile\b)")


def _singles(sent: str, taken: list[_Number]) -> list[_Number]:
    out = []
    for m in SINGLE_MISSILE_RE.finditer(sent):
        n = _phrase(sent, _Number(m.start(), m.end(), 1, single=True))
        if n.np and not any(o.start <= m.start() < max(o.end, o.np.end() if o.np else 0)
                            for o in taken):
            out.append(n)
    return out


def _numbers(sent: str) -> list[_Number]:
    out: list[_Number] = []
    for m in NUMBER_RE.finditer(sent):
        value = number_value(m["num"])
        if value is None or (1900 <= value <= 2100 and (
                not NP_RE.match(sent, m.end()) or YEAR_CONTEXT_RE.search(sent[:m.start()]))):
            continue
        if value == 1 and re.search(r"\b(?:every|each)\s+$", sent[:m.start()], re.I):
            continue          # "every one of the 18 missiles" counts the 18
        if ALL_BUT_RE.search(sent[:m.start()]):
            continue          # "shot down all but 10 of the drones" counts the rest
        if _model_number(sent[:m.start()], value):
            continue          # "Shahed 131 and 136 drones" names two models, not 136
        n = _phrase(sent, _Number(m.start(), m.end(), value))
        before = sent[:m.start()]
        outcome = BARE_OUTCOME_RE.search(before)
        if not (n.np or n.elliptic) and outcome and BARE_END_RE.match(sent, m.end()) \
                and OF_WHICH_BARE_RE.search(before[:outcome.start()]):
            n.elliptic = True
        if not (n.np or n.elliptic) and any(o.np for o in out) and (
                (outcome and BARE_END_RE.match(sent, m.end()))
                or (re.search(r",\s*$", sent[:m.start()])
                    and BARE_PARTICIPLE_RE.match(sent, m.end()))
                or (re.search(r"(?:,|\band)\s*$", sent[:m.start()])
                    and BARE_LISTED_RE.match(sent, m.end()))):
            n.elliptic = True
        if n.np or n.elliptic:
            out.append(n)
    out = sorted(out + _singles(sent, out), key=lambda n: n.start)
    # "X of Y": Y is not a figure of its own here; it is added as the launched total
    totals = {n.total[1] for n in out if n.total}
    return [n for n in out if n.start not in totals]


# A Shahed's model number written with a space ("Shahed 136", "Shahed 131 and 136") is no
# count: the hyphened forms never reach NUMBER_RE
MODEL_NUMBER_RE = re.compile(r"\bShahed\s+(?:1\d\d\s*(?:and|or|&|,)\s*)?$", re.I)


def _model_number(before: str, value: int) -> bool:
    return 100 <= value <= 199 and MODEL_NUMBER_RE.search(before) is not None


def _phrase(sent: str, n: _Number) -> _Number:
    """Attach the weapon phrase that follows a number ("nine Iskander-K cruise missiles",
    "102 of 127 missiles", "87 of the missiles", "about 300 were Shaheds", "95 more")."""
    of = OF_RE.match(sent, n.end)
    the = OF_THE_RE.match(sent, n.end)
    if of and (np := NP_RE.match(sent, of.end())):
        n.np, n.total = np, (number_value(of["num"]), of.start("num"), np.end())
    elif WERE_NP_RE.match(sent, n.end):
        n.np = WERE_NP_RE.match(sent, n.end)
    elif the and (np := NP_RE.match(sent, the.end())):
        n.np = np
    elif of_them := OF_THEM_RE.match(sent, n.end):
        n.elliptic, n.end = True, of_them.end()
        part = NP_RE.match(sent, n.end)
        if part and not _stopped(part):
            n.np, n.part = part, True       # "11 of them cruise missiles": a subset
    elif (np := NP_RE.match(sent, n.end)) and not _stopped(np):
        n.np = np
    elif (dist := DISTRIBUTIVE_RE.match(sent, n.end)) \
            and (np := NP_RE.match(sent, dist.end() - 1)):
        # "two ballistic and two cruise missiles": the first figure shares the noun
        n.np = CLASS_NP_RE.match(f" {dist['cls']} {np['head']}")
        n.end_override = dist.start() + len(dist["cls"]) + 1
    elif ELLIPTIC_RE.match(sent, n.end) or OTHERS_RE.match(sent, n.end):
        n.elliptic = True
    return n


def _stopped(np: re.Match) -> bool:
    return any(w.lower().strip("()") in STOP_WORDS or w[:1].isdigit()
               for w in np["mods"].split())


def subject_of(text: str) -> tuple[str, str | None]:
    """(subject, model family) of a weapon phrase such as 'nine Iskander-K cruise missiles'."""
    t = re.sub(r"\bkh-", "x-", text.lower())
    m = MODEL_RE.search(t)
    model = MODEL_BY_NAME[m["name"]] if m else None
    if "ukrainian" in t:
        return "ukrainian", model
    drones = re.search(r"drone|uav|unmanned|shahed|geran|decoy", t)
    missiles = re.search(r"missile|rocket|kinzhal|iskander|kalibr|zircon", t) or model
    if (drones and missiles) or re.search(r"targets|projectiles|weapons|means of", t):
        return "all", None
    if missiles and "ballistic" in t.replace("aeroballistic", "") and "cruise" in t:
        return "missiles", None         # "ballistic and cruise missiles"
    if missiles:
        for word, cls in (("kinzhal", "aeroballistic"), ("x-47", "aeroballistic"),
                          ("hypersonic", "aeroballistic"), ("aeroballistic", "aeroballistic"),
                          ("ballistic", "ballistic"), ("cruise", "cruise")):
            if word in t:
                return ("model" if model else cls), model
        return ("model" if model else "missiles"), model
    if re.search(r"drone|uav|unmanned", t):
        if "decoy" in t and not re.search(r"shahed|strike|attack|and decoy|and other", t):
            return "decoy", None
        return "drones", None
    if "decoy" in t:
        return "decoy", None
    return "shahed", None


def _cue(text: str) -> str | None:
    m = CUE_RE.search(text)
    return next(k for k, v in m.groupdict().items() if v) if m else None


def _last_cue(text: str) -> str | None:
    found = None
    for m in CUE_RE.finditer(text):
        found = next(k for k, v in m.groupdict().items() if v)
    return found


def _forward_cue(sent: str, pos: int) -> str | None:
    window = sent[pos:pos + 70]
    cut = BOUNDARY_RE.search(window)
    window = window[:cut.start()] if cut else window
    nxt = NUMBER_RE.search(window)
    window = window[:nxt.start()] if nxt else window
    m = IMMEDIATE_RE.match(window) or PASSIVE_RE.match(window)
    if not m:
        return None
    return _cue(window[m.end():m.end() + 40])


def _measures(sent: str, numbers: list[_Number]) -> list[tuple[str, bool]]:
    """The measure of each figure: a passive or immediate verb after it, else the last verb
    before it in its clause, else the verb of the figure it is coordinated with ("Nine
    missiles and 54 drones struck"), else the measure of the figure before it. The flag says
    whether a verb of the figure's own clause gave it."""
    ends = [n.np.end() if n.np else n.end for n in numbers]
    # in "67 of 73 drones launched overnight" the verb after the phrase describes the 73
    forward = [_forward_cue(sent, e) for e in ends]
    backward, cuts = [], []
    for i, n in enumerate(numbers):
        lo = ends[i - 1] if i else 0
        back = sent[lo:n.start]
        cut = list(BOUNDARY_RE.finditer(back))
        cuts.append(bool(cut))
        clause = back[cut[-1].end():] if cut else back
        backward.append(_with_weapons(clause) or _last_cue(clause))
    out: list[str | None] = [(b or (f if f != "launched" else None)) if n.total else (f or b)
                             for n, f, b in zip(
        numbers, forward, backward, strict=True)]
    _participles(sent, numbers, ends, forward, backward, out)
    _governed(sent, numbers, ends, backward, out)
    _total_participles(sent, numbers, ends, out)
    _hits(sent, numbers, ends, out)
    firm = [m is not None for m in out]
    gaps = [sent[ends[i]:numbers[i + 1].start] for i in range(len(numbers) - 1)] + [""]
    for i in range(len(numbers) - 2, -1, -1):
        if out[i] is None and out[i + 1] and re.fullmatch(r"\s*(?:and|or)\s*", gaps[i]):
            out[i] = out[i + 1]
            if i and _listed(numbers, gaps, i - 1):
                firm[i] = firm[i + 1]
        elif out[i] is None and out[i + 1] and _listed(numbers, gaps, i):
            # "all 18 missiles, six drones and three drones were brought down": one verb
            # for the whole list, its members' own
            out[i], firm[i] = out[i + 1], firm[i + 1]
    result: list[str] = []
    for i, n in enumerate(numbers):
        if i and not n.total and forward[i] is None \
                and BREAKDOWN_RE.search(sent[ends[i - 1]:n.start]):
            # "destroyed 483 of the 524 weapons detected, among them 442 drones, ...": parts
            # with no verb of their own are counted as the whole is, but not firmly so
            out[i], firm[i] = result[-1], False
        if out[i] is None and i and not cuts[i]:
            out[i] = result[-1]
        if out[i] is None and not n.total and RELATIVE_LAUNCH_RE.match(sent, ends[i]):
            out[i] = "launched"       # "the six missiles Russia fired"
        result.append(out[i] or _last_cue(sent[:n.start]) or "launched")
    return list(zip(result, firm, strict=True))


# "shoots down 63 drones launched by Russia": an outcome verb right before the figure
# governs it; "launched by", "fired from" after the noun only says whose the weapons were
GOVERNING_OUTCOME_RE = re.compile(r"\b(?:shot|shoots?|shooting)\s+down\s+(?:\w+\s+){0,2}$|"
                                  r"\b(?:downed|destroyed|intercepted|neutrali[sz]ed)\s+"
                                  r"(?:\w+\s+){0,2}$", re.I)
MODIFYING_LAUNCH_RE = re.compile(r"\s*(?:launched|fired|sent)\s+(?:by|from|at|against|"
                                 r"towards?)\b", re.I)


def _governed(sent: str, numbers: list, ends: list, backward: list, out: list) -> None:
    for i, n in enumerate(numbers):
        lo = ends[i - 1] if i else 0
        if out[i] == "launched" and not n.total and backward[i] not in (None, "launched") \
                and GOVERNING_OUTCOME_RE.search(sent[lo:n.start]) \
                and MODIFYING_LAUNCH_RE.match(sent, ends[i]):
            out[i] = backward[i]


# "struck infrastructure in the south with 38 Shahed drones": the figure after "with"
# names the weapons an attack was made with, not those that hit
WITH_WEAPONS_RE = re.compile(r"\b(?:struck|strikes|hit|hits|attacked|attacks|targeted|"
                             r"pounded|bombarded|shelled)\b[^.;]*?\bwith\s+(?:(?:more than|"
                             r"over|about|around|nearly|almost|some|at least|up to|roughly|"
                             r"a total of|another|a further)\s+)*$", re.I)


def _with_weapons(clause: str) -> str | None:
    return "launched" if WITH_WEAPONS_RE.search(clause) else None


# "Hits by 13 strike UAVs were recorded at eight locations": the noun before the figure says
# what it counts, whatever verb ("recorded") follows
HITS_NOUN_RE = re.compile(r"\b(?:hits|impacts)\s+(?:by|of|from)\s+(?:(?:more than|over|about|"
                          r"around|nearly|almost|some|at least|up to|another|a further)\s+)*$",
                          re.I)


def _hits(sent: str, numbers: list, ends: list, out: list) -> None:
    """"Hits by 13 strike UAVs were recorded": the noun before the figure is its measure."""
    for i, n in enumerate(numbers):
        if HITS_NOUN_RE.search(sent[ends[i - 1] if i else 0:n.start]):
            out[i] = "hit"


BREAKDOWN_RE = re.compile(r",\s*(?:among them|among which|of which|of them|including)\s*$",
                          re.I)


def _listed(numbers: list[_Number], gaps: list[str], i: int) -> bool:
    """Whether figure i opens or continues a list "A, B and C" of weapon phrases."""
    j = i
    while j < len(numbers) - 1 and gaps[j].strip() == ",":
        j += 1
        if not numbers[j].np:
            return False
    return j > i and numbers[i].np is not None and j < len(numbers) - 1 \
        and numbers[j + 1].np is not None and re.fullmatch(r"\s*and\s*", gaps[j]) is not None


def _total_participles(sent: str, numbers: list, ends: list, out: list) -> None:
    """"32 of the 46 drones used in the attack were shot down": the 32 count what the verb
    after the participle says."""
    for i, e in enumerate(ends):
        m = TOTAL_PARTICIPLE_RE.match(sent, e) if numbers[i].total and out[i] is None else None
        if m and (cue := _cue(sent[m.end():m.end() + 40])) != "launched":
            out[i] = cue


def _participles(sent: str, numbers: list, ends: list, forward: list, backward: list,
                 out: list) -> None:
    """A bare "launched" after the object of an outcome verb describes the weapons, it is
    not their verb: "brought down 10 missiles launched from the Caspian Sea", "downed 460
    drones as well as 19 missiles launched overnight" (the second object of "downed")."""
    for i, e in enumerate(ends):
        if forward[i] != "launched" or not PARTICIPLE_RE.match(sent, e):
            continue
        if backward[i] not in (None, "launched"):
            out[i] = backward[i]
        elif backward[i] is None and i and out[i - 1] not in (None, "launched") and \
                re.fullmatch(r"\s*,?\s*(?:and|as well as|plus|along with)\s*",
                             sent[ends[i - 1]:numbers[i].start]):
            out[i] = out[i - 1]


# --- who states a figure ----------------------------------------------------------------

ENTITIES = [
    ("russia_mod", r"(?:russia'?s|russian|moscow'?s) (?:defen[cs]e ministry|ministry of "
                   r"defen[cs]e)|(?:defen[cs]e ministry|ministry of defen[cs]e)|\btass\b|"
                   r"moscow (?:said|says|claims|claimed)"),
    ("general_staff", r"general staff"),
    ("regional", r"governor|mayor|(?:regional |city |oblast )?military administration|"
                 r"city officials|city authorities|regional authorities|local authorities|"
                 r"regional officials|city'?s (?:mayor|military|officials|authorities)|"
                 r"klitschko|tkachenko|polishchuk|head of the (?:\w+ )?(?:region|oblast)\b|"
                 r"regional council|region'?s (?:head|chief)|"
                 # "officials in Lviv", "authorities of Odesa": a place's own, but "officials
                 # in Kyiv" may be the government's
                 r"(?:officials|authorities) (?:in|of) (?!(?:Kyiv|Kiev|Ukraine)\b)"
                 r"(?-i:[A-Z])\w+"),
    ("president", r"zelensk\w*|president volodymyr|ukraine'?s president|ukrainian president|"
                  r"yermak"),
    ("other", r"trump|kellogg|envoy|analysts?|oko hora|institute for the study of war|"
              r"\bisw\b|monitoring (?:group|mission)|ambassador|commissioner|minister|"
              r"nato|european union|united nations|\bu\.?n\.?\b|white house|pentagon|"
              r"kremlin|peskov|experts?|emergency service|joint forces|naiev|"
              r"news (?:portal|site|website)|newspaper"),
    ("air_force", r"air force|air forces|air-force|ihnat|oleshchuk|air defen[cs]e forces|"
                  r"zaluzhn\w*|syrsk\w*|commander-in-chief|military chief|top general|"
                  r"ukraine'?s military|ukrainian military|(?:kyiv|kiev)'?s military|the military|"
                  r"armed forces|defen[cs]e forces"),
    ("officials", r"ukrainian officials|ukraine'?s officials|(?:kyiv|kiev) officials|officials|"
                  r"authorities|(?:ukraine|kyiv|kiev) (?:said|says|claims|claimed|maintains)"),
]
ENTITY_RE = re.compile("|".join(f"(?P<{k}>\\b(?:{v}))" for k, v in ENTITIES), re.I)
REPORTING = re.compile(r"[^.;]{0,35}?\b(?:said|says|say|reported|reports|wrote|writes|told|"
                       r"added|stated|announced|claimed|confirmed|counted|put|noted|estimated|"
                       r"statement|posted|tallied|reporting)\b", re.I)
# "by" names a source ("a statement by the air force"), not the actor of an outcome ("three
# drones were shot down by air defence forces, ..., the head of the region said")
ACCORDING = re.compile(r"(?:according to|said|cited|citing|(?<!down )(?<!downed )(?<!destroyed )"
                       r"(?<!intercepted )(?<!neutralised )(?<!neutralized )by)\s+"
                       r"(?:the\s+|an?\s+)?[\w'’ ]{0,25}$", re.I)
PRONOUN_SPEAKER = re.compile(r"\b(?:he|she|they|it)\s+(?:said|added|counted|wrote|told|"
                             r"noted)\b|\bby (?:his|her|their) account\b", re.I)
ACTOR_RE = re.compile(r"\b(?:air defen[cs]es?|defenders|air force|anti-aircraft|mobile fire "
                      r"groups)\b", re.I)


# "..., in what Ukraine's energy minister called a massive attack": whoever is named there
# gives the attack a name, not the sentence's figures
CHARACTERISES_RE = re.compile(r"\bin what\s+(?:[\w'’-]+\s+){0,4}$", re.I)


@lru_cache(maxsize=64)
def _entities(sent: str) -> list[tuple[int, str, bool]]:
    """(position, kind, is a speaker) of the sources named in one sentence."""
    out = []
    for m in ENTITY_RE.finditer(sent):
        if CHARACTERISES_RE.search(sent[:m.start()]):
            continue
        kind = next(k for k, v in m.groupdict().items() if v)
        speaker = bool(REPORTING.match(sent, m.end()) or ACCORDING.search(sent[:m.start()])
                       or re.search(r"\bsa(?:y|id)s?$", m[0], re.I))
        out.append((m.start(), kind, speaker))
    return out


NAMED_SPEAKER_RE = re.compile(r"\b(?!(?:It|He|She|They|This|That|We)\b)[A-Z][a-z]+"
                              r"(?:\s+[A-Z][a-z]+)?\s+(?:said|says|wrote|told)\b")


def attribution(sent: str, pos: int, previous: str | None, article_default: str,
                quote: str | None = None) -> str:
    """Who states the figure at `pos`: the nearest speaker before it (else after it) in its
    sentence; inside a quote that closes in a later sentence, the speaker named there; a
    pronoun speaker takes the previous sentence's; an air-defence actor means the Air Force;
    else the article's default."""
    ents = _entities(sent)
    speakers = [e for e in ents if e[2]]
    before = [e for e in speakers if e[0] < pos]
    if before:
        return before[-1][1]
    if quote:
        return quote
    # "'... destroyed more than 20 enemy targets,' he said": the pronoun after the figure
    # is the speaker of the sentence before, as much as one before it
    if PRONOUN_SPEAKER.search(sent) and previous:
        return previous
    if speakers:
        return speakers[0][1]
    strong = [e for e in ents if e[1] in ("president", "russia_mod", "regional", "other")]
    if strong and not ACTOR_RE.search(sent):
        return strong[0][1]
    if ACTOR_RE.search(sent) or any(e[1] == "air_force" for e in ents):
        return "air_force"
    if not ents and NAMED_SPEAKER_RE.search(sent):
        return "other"          # someone named, not one of the known sources
    return article_default


def quote_tags(body: str, spans: list[tuple[int, int]]) -> dict[int, tuple[int, str]]:
    """Sentences inside a quote that runs over several sentences: index -> (index of the
    sentence where the quote opened, the words after its closing mark). A quote ends with
    its paragraph unless the paragraph ends with the quote still open: then it goes on in
    the next one (which may open again with a mark of its own), as quotes of several
    paragraphs do ('"... More than 70 missiles ... / According to preliminary data ...,"
    Zelensky said.')."""
    out: dict[int, tuple[int, str]] = {}
    inside, opened, last_end = False, None, 0
    for i, (a, b) in enumerate(spans):
        start = a
        if "\n\n" in body[last_end:a]:
            if not inside:
                opened = None
            elif m := QUOTE_OPEN_RE.match(body[a:b]):
                start = a + m.end()               # the next paragraph reopens the quote
        last_end = b
        was, close = inside, None
        for m in re.finditer(r"[\"“”]", body[start:b]):
            inside = m[0] == "“" or (m[0] == '"' and not inside)
            close = None if inside else m.end() + start - a
        if inside and not was:
            opened = i
        elif opened is not None and not inside and close is not None:
            for k in range(opened, i + 1):
                out[k] = (opened, body[a + close:b])
            opened = None
    return out


def quote_speaker(tag: str, before_quote: str | None) -> str | None:
    """The speaker named after a quote's closing mark ("he said" is the one before it)."""
    speakers = [e for e in _entities(tag) if e[2]]
    if speakers:
        return speakers[0][1]
    if re.match(r"\W*(?:\w+\W+){0,3}?(?:he|she|they)\s+(?:said|added|wrote|told)\b", tag, re.I):
        return before_quote
    return None


QUOTE_OPEN_RE = re.compile(r"^\s*[\"“]")


def _lead_speaker(body: str, spans: list[tuple[int, int]], i: int,
                  previous: str | None = None) -> str | None:
    """A quote that opens sentence i and names no speaker where it closes goes on from the
    sentence before it in its paragraph ('..., Zelensky wrote. "The enemy launched 40
    missiles ..."'): that sentence's own speaker, or, when it says only "he wrote", the
    speaker that sentence was given (previous)."""
    (a, b), (pa, pb) = spans[i], spans[i - 1]
    if not QUOTE_OPEN_RE.match(body[a:b]) or "\n\n" in body[pb:a]:
        return None
    speakers = [e for e in _entities(body[pa:pb]) if e[2]]
    if not speakers and PRONOUN_SPEAKER.search(body[pa:pb]):
        return previous
    return speakers[-1][1] if speakers else None


def sentence_speaker(sent: str, previous: str | None) -> str | None:
    ents = _entities(sent)
    if PRONOUN_SPEAKER.search(sent) and previous and not any(e[2] for e in ents):
        return previous
    speakers = [e for e in ents if e[2]] or [e for e in ents if e[1] != "officials"]
    if not speakers and (actor := ACTOR_RE.search(sent)) and REPORTING.match(sent, actor.end()):
        return "air_force"       # "Ukraine's air defence announced ...": "It said" is its
    return speakers[0][1] if speakers else None


# "Russia launched 14 drones last night. Defenders shot down 11 of them, the General Staff
# reported." / "... This was reported by the General Staff.": the next sentence names who
# told the figures of one that names no one
TRAILING_SPEAKER_RE = re.compile(r"\b(?:of|among) (?:them|these|those)\b[^.;]*,\s*(?:the\s+)?"
                                 r"(?P<who>[^,.;]{2,60}?)\s+(?:reported|said|says|announced|"
                                 r"stated|added)\W*$|^\W*(?:this|that|it) was (?:reported|"
                                 r"announced|stated|said) by (?P<by>[^.;]{2,80})", re.I)


def trailing_speakers(body: str, spans: list[tuple[int, int]]) -> dict[int, str]:
    """Sentence index -> the speaker the next sentence names for it (see above)."""
    out = {}
    for i in range(len(spans) - 1):
        m = TRAILING_SPEAKER_RE.search(body[spans[i + 1][0]:spans[i + 1][1]].strip())
        if not m or (m["who"] and "\n\n" in body[spans[i][1]:spans[i + 1][0]]):
            continue      # "of them, X reported" is read within its paragraph only
        if who := ENTITY_RE.search(m["who"] or m["by"]):
            out[i] = next(k for k, v in who.groupdict().items() if v)
    return out


# --- records and comparisons ------------------------------------------------------------

RECORD_RE = re.compile(r"\b(?P<ord>second|third|fourth|fifth|2nd|3rd|4th|5th)?[- ]?"
                       r"(?P<word>record(?:-breaking)?|largest|biggest|heaviest|most massive|"
                       r"unprecedented|highest number|most intense|"
                       # "407 drones, the most since February 2022": "the most" with a
                       # period or "ever" after it, not "the most affected region"
                       r"(?<=\bthe )most(?=\s+(?:[\w-]+\s+){0,4}?(?:since|ever|in a single|"
                       r"of the (?:war|full-scale))\b))\b", re.I)
PREVIOUS_RECORD_RE = re.compile(r"\b(?:previous|prior|earlier|old|last week'?s|last month'?s)\s+"
                                r"(?:record|high|maximum|largest)\s+(?:of\s+)?$", re.I)
CITY_SCOPE_RE = re.compile(r"^[^.;]{0,45}?\b(?:on|against|in|over|at) (?:the )?(?:city|capital|"
                           r"kyiv|kiev|lviv|odesa|kharkiv|dnipro|lutsk|ukrainian capital)\b",
                           re.I)
# "the largest on the country's gas extraction sites", "the biggest attack on the energy
# system": a comparison among attacks on one kind of target, which the reports do not count
TARGET_SCOPE_RE = re.compile(r"^[^.;]{0,30}?\b(?:on|against)\s+(?:the\s+)?(?:country'?s\s+|"
                             r"ukraine'?s\s+|ukrainian\s+)?(?:[\w-]+\s+){0,2}?(?:infrastructure|"
                             r"energy|power|gas|oil|grid|sites?|facilit\w+|plants?|stations?|"
                             r"ports?|railways?)\b", re.I)
SINCE_RE = re.compile(rf"^[^.;]{{0,40}}?\bsince\s+(?P<what>(?:early |mid-|late )?{_MONTH}"
                      rf"(?:\s+(?:19|20)\d\d)?|the (?:war|invasion|start|beginning)[\w ]*|"
                      rf"(?:19|20)\d\d)", re.I)
VAGUE_RE = re.compile(r"^[^.;]{0,30}?\b(?:(?:in|of|for) (?:recent )?(?:weeks|months)|"
                      r"recently|of the (?:week|month)|this (?:week|month))\b", re.I)
# "one of the biggest": a superlative among several names no rank that could be checked
ONE_OF_RE = re.compile(r"\bone of (?:the|its|their|russia'?s|moscow'?s)\s+$", re.I)
# "Ukraine's second-largest city": a superlative about a place, not about the attack
PLACE_NOUN_RE = re.compile(r"^\s*(?:\w+\s+)?(?:city|cities|town|port|oblast|region|"
                           r"country|economy|settlement)\b", re.I)
ORDINALS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "2nd": 2, "3rd": 3, "4th": 4,
            "5th": 5}


def record_subject(window: str) -> str:
    t = window.lower()
    if re.search(r"combined|drone and missile|missile and drone", t) or (
            re.search(r"drone|shahed|uav", t) and re.search(r"missile", t)):
        return "all"
    # "a record attack with drones": the weapon the attack was made with
    with_ = ATTACK_WITH_RE.match(t)
    m = with_ or re.search(r"drone|shahed|uav|missile|attack|assault|bombardment|barrage|"
                           r"strike|projectiles|targets|weapons|raid", t)
    if not m:
        return "all"
    word = m["weapon"] if with_ else m[0]
    return {"drone": "drones", "shahed": "drones", "uav": "drones",
            "missile": "missiles"}.get(word, "all")


ATTACK_WITH_RE = re.compile(r"^\W*(?:[\w-]+\s+){0,2}?(?:attack|assault|barrage|strike|raid)s?\s+"
                            r"(?:with|by|using)\s+(?:[\w-]+\s+){0,2}?"
                            r"(?P<weapon>drone|shahed|uav|missile)")


def _record_subject(sent: str, offset: int, m: re.Match, figures: list[Claim],
                    after: str) -> str:
    """The measure a superlative is about: the figure right after it ("a record 188
    drones"), a weapon named after it ("largest drone attack"), else the nearest launched
    figure of its sentence ("267 drones ... were a record"), else all weapons."""
    kinds = ("drones", "missiles", "all")
    launched = [f for f in figures if f.measure == "launched" and f.subject in kinds]
    near = [f for f in launched if 0 <= f.start - offset - m.end() <= 12]
    if near:
        return near[0].subject
    if re.search(r"drone|shahed|uav|missile|projectile|targets|weapons", after[:40], re.I) \
            or not launched:
        return record_subject(after)
    subjects = {f.subject for f in launched}
    # "122 missiles and 36 drones ... the biggest barrage": both kinds, so all weapons
    return subjects.pop() if len(subjects) == 1 else "all"


def _superlative_subject(sent: str, offset: int, m: re.Match, figures: list[Claim],
                         after: str) -> str | None:
    """The record's subject, or None where the superlative is no record of the attack."""
    if PLACE_NOUN_RE.match(after):
        return None
    if m["word"].lower() == "most":
        return _most_subject(offset + m.start("word"), figures)
    return _record_subject(sent, offset, m, figures, after)


def _most_subject(pos: int, figures: list[Claim]) -> str | None:
    """"The most" is a record only of the figure it follows ("407 drones in one night, the
    most since February 2022"), and only of a count of drones, missiles or both: "six
    Kinzhals, the most Russia has used" compares one type, which the nightly series do
    not hold."""
    before = [f for f in figures if f.end <= pos]
    if not before:
        return None
    last = max(before, key=lambda f: f.end)
    ok = last.measure == "launched" and last.subject in ("drones", "missiles", "all") \
        and last.model is None
    return last.subject if ok else None


# "its largest drone attack on Moscow": Ukraine's strikes on Russia, which the reports do
# not count
RUSSIA_SCOPE_RE = re.compile(r"^[^.;]{0,40}?\b(?:on|against|at|over|toward|towards)\s+(?:the\s+)?"
                             r"(?:russia\b|russian\b|moscow\b)", re.I)


def _record_scope(info: dict, before: str, after: str) -> None:
    """What a superlative compares: one city, one kind of target, Ukraine's strikes on
    Russia, a vague period, or the nights since a date."""
    if CITY_SCOPE_RE.match(after):
        info["scope"] = "city"
    elif RUSSIA_SCOPE_RE.match(after):
        info["scope"] = "russia"
    elif TARGET_SCOPE_RE.match(after):
        info["scope"] = "target"
    since = SINCE_RE.match(after)
    if since:
        info["since"] = since["what"]
    elif VAGUE_RE.match(after) or ONE_OF_RE.search(before):
        info["scope"] = "vague"


def _records(sent: str, offset: int, figures: list[Claim], i: int) -> list[Claim]:
    out = []
    for m in RECORD_RE.finditer(sent):
        if re.search(r"(previous|previously|formerly|prior|earlier|old|last week'?s|beat|"
                     r"broke|breaking|broken)\s+(?:the\s+|its\s+)?$", sent[:m.start("word")],
                     re.I):
            continue
        if re.match(r"[^.;]{0,25}\b(?:had been|was previously|until then)\b", sent[m.end():], re.I):
            continue     # a statement about an earlier record; its own figure is checked
        after = sent[m.end():m.end() + 60]
        subject = _superlative_subject(sent, offset, m, figures, after)
        if subject is None:
            continue
        info = {"word": m["word"].lower()}
        if m["ord"]:
            info["rank"] = ORDINALS[m["ord"].lower()]
        _record_scope(info, sent[:m.start("word")], after)
        if re.match(r"[^.;]{0,40}\bthis year\b", after, re.I):
            info["year"] = True
        out.append(Claim("record", offset + m.start("word"), offset + m.end(), i, subject=subject,
                         record=info))
        break
    return out


# --- words that are not figures ----------------------------------------------------------

def _words(words) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len,
                                                                         reverse=True))
                      + r")\b", re.I)


WEAPON_CLASS_WORDS = {
    "drones": "drones_launched", "drone": "drones_launched", "uavs": "drones_launched",
    "unmanned aerial vehicles": "drones_launched", "shaheds": "drones_launched",
    "shahed": "drones_launched", "missiles": "missiles_launched",
    "ballistic missiles": "ballistic_launched", "cruise missiles": "cruise_launched",
    "kinzhal": "aeroballistic_launched", "kinzhals": "aeroballistic_launched",
    "hypersonic missiles": "aeroballistic_launched"}
WEAPON_WORD_RE = _words(WEAPON_CLASS_WORDS)
ATTACK_RE = re.compile(r"\b(?:launch\w*|fir(?:ed|ing)|attack\w*|strikes?|barrage|assault|"
                       r"involv\w*|used|bombard\w*)\b", re.I)
SURGE_RE = _words(("surge", "escalation", "spike", "sharp increase"))
DAMAGE_RE = _words(("infrastructure", "power grid", "power grids", "energy facilities",
                    "transportation hubs", "communication centers", "explosions", "damage",
                    "damaged", "casualties", "killed", "injured", "displaced civilians",
                    "residential"))
TRIGGER_RE = _words(("after", "following", "in the wake of", "follows", "followed"))
DIPLOMACY_RE = _words(("call", "phone call", "talks", "meeting", "summit", "negotiations",
                       "conversation"))
ACTOR_WORDS = {"putin": "RUS", "russian": "RUS", "kremlin": "RUS", "moscow": "RUS",
               "trump": "USA", "american": "USA", "u.s.": "USA", "washington": "USA",
               "zelensky": "UKR", "zelenskyy": "UKR", "macron": "FRA", "erdogan": "TUR",
               "xi": "CHN", "starmer": "GBR", "merz": "DEU", "witkoff": "USA"}
LEADER_RE = re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(w) for w in ACTOR_WORDS)
                       + r")(?![\w])", re.I)


@dataclass
class Mention:
    """A claim that is not a figure: weapon types named, surge, damage, timing, place."""
    kind: str
    start: int
    end: int
    sentence: int
    data: dict = field(default_factory=dict)


def mentions(sent: str, offset: int, i: int, has_figures: bool) -> list[Mention]:
    out = []
    words = [m for m in WEAPON_WORD_RE.finditer(sent)]
    if words and not has_figures and ATTACK_RE.search(sent):
        cols = sorted({WEAPON_CLASS_WORDS[m[0].lower()] for m in words})
        out.append(Mention("weapon_type", offset + words[0].start(), offset + words[-1].end(),
                           i, {"columns": cols}))
    for m in SURGE_RE.finditer(sent):
        out.append(Mention("surge", offset + m.start(), offset + m.end(), i))
    damage = list(DAMAGE_RE.finditer(sent))
    if damage:
        out.append(Mention("damage", offset + damage[0].start(), offset + damage[-1].end(), i))
    triggers, talks = list(TRIGGER_RE.finditer(sent)), list(DIPLOMACY_RE.finditer(sent))
    if triggers and talks:
        leaders = list(LEADER_RE.finditer(sent))
        actors = sorted({ACTOR_WORDS[m[0].lower()] for m in leaders})
        end = max([talks[-1].end(), *(m.end() for m in leaders)])
        out.append(Mention("timing", offset + min(triggers[0].start(), talks[0].start()),
                           offset + end, i, {"actors": actors}))
    return out


# --- putting it together ----------------------------------------------------------------

BETWEEN_RE = re.compile(r"\b(?:between|from)\s+(?P<lo>\d{1,3}(?:,\d{3})+|\d+)\s+(?:and|to)\s+$"
                        r"|(?P<lo2>\d{1,3}(?:,\d{3})+|\d+)\s*(?:-|–|to)\s*$", re.I)
REGION_FIGURE_RE = re.compile(r"\b(?:in|over|above) (?:the )?(?:north|south|east|west|centre|"
                              r"center)(?:ern)? (?:of (?:the )?(?:country|ukraine)|regions?|"
                              r"ukraine)\b|^\s*there,", re.I)
NAMED_REGION_RE = re.compile(r"\b(?:in|over|above) (?:the )?[A-Z][a-z]+(?:sk|ska|ka|iv|ia)? "
                             r"(?:[Oo]blast|[Rr]egion|[Cc]ity)\b")
_PLACES = (r"(?:kyiv|kiev|kharkiv|odesa|odessa|mykolaiv|mykolayiv|kherson|dnipro|"
           r"dnipropetrovsk|zaporizhzhia|zaporizhia|sumy|chernihiv|poltava|vinnytsia|"
           r"zhytomyr|cherkasy|kirovohrad|kropyvnytskyi|lviv|volyn|lutsk|rivne|ternopil|"
           r"khmelnytskyi|ivano-frankivsk|zakarpattia|uzhhorod|chernivtsi|donetsk|luhansk|"
           r"kryvyi rih|izmail|pavlohrad|bila tserkva)")
# "seven drones were shot down over the southern Odesa region", "four more over nearby
# Odesa": a figure placed in one named region or city (not a list of regions) after it
ONE_PLACE_AFTER_RE = re.compile(
    r"^[^.;,]{0,40}?\b(?:in|over|above)\s+(?:the\s+)?(?:skies?\s+(?:of|over|above)\s+"
    r"(?:the\s+)?)?(?:(?:north|south|east|west|central)\w*"
    r"\s+)?(?:nearby\s+)?(?:(?:city|region|province|oblast) of\s+)?" + _PLACES
    + r"(?:\s+(?:region|oblast|province|city|district))?\b(?!\s*(?:,|and\b|&|/|regions|"
    r"oblasts))"
    # "all six Kinzhal missiles were heading for Kyiv": aimed at one city
    r"|^[^.;,]{0,40}?\b(?:heading|headed|flying|aimed|directed)\s+(?:for|to|towards?|at)\s+"
    r"(?:the\s+)?(?:city of\s+)?" + _PLACES + r"\b(?!\s*(?:,\s*" + _PLACES
    + r"|and\b|&|/|regions|oblasts))"
    # "the air force downed one missile over his region" (a governor speaking)
    r"|^[^.;,]{0,40}?\b(?:in|over|above)\s+(?:his|her|their)\s+(?:own\s+)?(?:region|oblast|"
    r"province|city|town|district)\b", re.I)
# "In the Odesa region, seven drones were downed"
ONE_PLACE_BEFORE_RE = re.compile(
    r"^\s*(?:in|over|above)\s+(?:the\s+)?(?:(?:north|south|east|west|central)\w*\s+)?"
    + _PLACES + r"(?:\s+(?:region|oblast|province|city|district))?\s*,", re.I)
# "targeting the capital Kyiv and other cities": the capital is one place of several
AND_OTHER_PLACES = (r"(?!(?:\s+[\w'-]+)?,?\s+and\s+(?:other|several|many|a number of|"
                    r"various)\s+(?:\w+\s+)?(?:cities|towns|regions|oblasts|places)\b)")
CITY_FIGURE_RE = re.compile(
    r"(?<!mainly )(?<!mostly )(?<!primarily )(?<!largely )(?<!chiefly )"
    r"\b(?:over|in|on|at|toward|towards|targeting) (?:the |ukraine['’]s |the ukrainian )?"
    r"(?:city|capital)\b" + AND_OTHER_PLACES + r"|"
    r"\b(?:the capital|the city|kyiv)\b[^.;]{0,25}\b(?:faced|saw|came under)\b", re.I)
# "Russia and Ukraine each launched more than 100 drones" counts Russia's launches too
UKRAINE_ACTOR_RE = re.compile(r"(?<!russia and )(?<!moscow and )"
                              r"\b(?:ukraine|kyiv|ukrainian (?:forces|military|army|troops))"
                              r"\s+(?:(?!russia|moscow|russian|says\b|said\b)\w+\s+){0,2}?"
                              r"(?:launched|fired|sent|used)\s+"
                              r"(?:(?:more than|over|about|some|nearly|at least)\s+)?$", re.I)
WAR_RE = re.compile(r"\bsince (?:the )?(?:start|beginning|outbreak) of (?:the )?(?:full-scale )?"
                    r"(?:war|invasion)|\bsince (?:the |its |their |russia'?s |moscow'?s )?"
                    r"(?:full-scale )?invasion\b|"
                    # "in two years of full-scale war"
                    r"\b(?:in|over|during)\s+(?:the\s+)?(?:two|three|four|\d+)(?:\s+and\s+a\s+"
                    r"half)?\s+years\s+of\s+(?:the\s+)?(?:full-scale\s+)?(?:war|invasion)\b|"
                    r"\bsince (?:february )?2022\b|\bin total\b|\bso far in the war\b|"
                    r"\bthroughout the war\b|\bto date\b", re.I)
NOT_A_NIGHT_RE = re.compile(r"\b(?:produc\w*(?!\s+(?:sites?|facilit\w+|plants?|fields?|"
                            r"areas?|infrastructure))|manufactur\w*|stock(?:s|piles?|piled)?|arsenal|"
                            r"could|can|(?<!into )(?<!on )(?<!in )(?<!of )"
                            # "on the night of 21 May", "in mid-May": the month
                            r"(?<!\d )(?<!\d(?:st|nd|rd|th) )(?<!-)may(?!\s+\d)|might|"
                            r"will|would|plans? to|capable|capacity|"
                            r"(?:a|each|every|per) (?:month|day|week|night))\b"
                            # "a day after the strike" dates, "in a night attack" names the
                            # attack: neither is a rate
                            r"(?!\s+(?:after|before|earlier|later|attacks?|raids?|strikes?|"
                            r"assaults?|barrages?)\b)", re.I)
# "last week's record of 550" is about an earlier night; "retaliation for last week's raid
# into Russia's Bryansk region" is not
CANDIDATE_SKIP = re.compile(r"\b(?:previous|earlier|prior) (?:record|high|largest)\b|"
                            r"\blast week'?s\s+(?:record|high|largest|attack|barrage|assault|"
                            r"strikes?)\b", re.I)
# "A Ukrainian air strike killed one person on Saturday as a wave of drones was sent against
# Russia": its day is not the night of the Russian attack the piece reports
UKRAINE_STRIKES_RE = re.compile(r"\b(?:ukrainian|ukraine'?s)\s+(?:air\s+|drone\s+|missile\s+)?"
                                r"(?:strikes?|attacks?|raids?|drones)\b|\b(?:sent|launched|fired)"
                                r"\s+(?:against|at|on)\s+russia\b", re.I)


def _qualifier(sent: str, n: _Number) -> tuple[str, int, float | None]:
    """(qualifier, start of the claim text, upper bound) for the figure `n`."""
    before = sent[max(0, n.start - 40):n.start]
    m = BETWEEN_RE.search(before)
    if m:
        lo = number_value(m["lo"] or m["lo2"])
        return "between", n.start - len(before) + m.start(), lo
    m = QUALIFIER_RE.search(before)
    if m:
        kind = next(k for k, v in m.groupdict().items() if v)
        return kind, n.start - len(before) + m.start(), None
    m = re.search(r"\b(?:all|a record|record)\s+(?:the\s+)?$", before, re.I)
    if m:
        return "exact", n.start - len(before) + m.start(), None
    return "exact", n.start, None


def _figure(sent: str, offset: int, i: int, n: _Number, measure: str, subject, model,
            ctx: dict) -> Claim:
    qual, start, lo = _qualifier(sent, n)
    if n.single:
        qual = "at_least"       # the piece may name one missile of several
    end = n.np.end() if n.np and not n.total else n.end
    if n.total:
        end = n.end
    if n.end_override:
        end = n.end_override
    c = Claim("figure", offset + start, offset + end, i, value=n.value, qualifier=qual,
              subject=subject, model=model, measure=measure)
    if qual == "between":
        c.value, c.high = lo, n.value
    if PREVIOUS_RECORD_RE.search(sent[:start]) and not ctx["explicit"]:
        c.measure = "previous_record"
    if RUSSIAN_PLACE_RE.search(sent):
        c.subject = "ukrainian"     # "13 over the Volgograd region", "the strike on Belgorod"
    if re.match(r"[^.;]{0,25}\b(?:launched |fired )?(?:from|by) ukraine\b", sent[end:], re.I) \
            or UKRAINE_ACTOR_RE.search(sent[max(0, start - 40):start]) \
            or re.match(r"[^.;]{0,30}\b(?:at|on|against|over|toward|towards) (?:russia|moscow|"
                        r"russian)\b", sent[end:], re.I):
        c.subject = "ukrainian"     # Ukraine's strikes on Russia are not in the reports
    c.scope = _scope(sent, sent[max(0, start - 60):end + 40], n, c, ctx)
    c.attribution = attribution(sent, n.start, ctx["previous"], ctx["default_here"],
                                ctx["quote"])
    return c


# "although it did not say how many had been aimed at the capital": what a clause says was
# not told is no place of the figure
UNTOLD_RE = re.compile(r"\b(?:(?:did|does|would|could) not|didn'?t|doesn'?t)\s+(?:say|specify|"
                       r"make clear|clarify|disclose)\b[^.;]*|\bwithout (?:saying|specifying|"
                       r"making clear|disclosing)\b[^.;]*", re.I)


def _blank(pattern: re.Pattern, text: str) -> str:
    return pattern.sub(lambda m: " " * len(m[0]), text)


def _scope(sent: str, window: str, n: _Number, c: Claim, ctx: dict) -> str:
    """One night, or a part, a city or region, a stock or forecast, the war, a period."""
    if n.part:
        return "part"
    tail = sent[(n.np.end() if n.np else n.end):]
    told = _blank(MAINLY_RE, _blank(UNTOLD_RE, sent))
    national = INTO_UKRAINE_RE.match(tail) is not None
    if not national and (CITY_FIGURE_RE.search(told) or REGION_FIGURE_RE.search(told)
                         or NAMED_REGION_RE.search(window) or ONE_PLACE_AFTER_RE.match(tail)
                         or ONE_PLACE_BEFORE_RE.match(sent[:n.start])):
        return "city"
    if NOT_A_NIGHT_RE.search(window):
        return "other"
    compared = _blank(LEADING_TOTAL_RE, _blank(SUPERLATIVE_SINCE_RE, sent))
    if WAR_RE.search(compared) and not RECORD_RE.search(sent):
        return "war"
    if c.measure != "previous_record" and (PERIOD_RE.search(compared) and not ctx["anchored"]
                                           or _since_a_month(sent, n)):
        return "period"
    return "night"


# "has shot down almost 500 drones since September, the spokesman said on Tuesday": a count
# from a month until now, whatever day the sentence names (that day dates the remark)
SINCE_MONTH_AFTER_RE = re.compile(rf"^[^.;,]{{0,40}}?\bsince\s+(?:early |mid-|late )?"
                                  rf"{_MONTH}(?![a-z])(?!\s+[0-3]?\d\b)", re.I)
SINCE_MONTH_BEFORE_RE = re.compile(rf"^\W*since\s+(?:early |mid-|late )?{_MONTH}(?![a-z])"
                                   rf"(?!\s+[0-3]?\d\b)[^.;]*$", re.I)


def _since_a_month(sent: str, n: _Number) -> bool:
    """The figure's own clause counts since a month: "... 500 drones since September" or
    "Since September, ... 500 drones" (not "the first such attack since September", a
    comparison in a clause of its own)."""
    tail = sent[(n.np.end() if n.np else n.end):]
    return bool(SINCE_MONTH_AFTER_RE.match(tail) or SINCE_MONTH_BEFORE_RE.match(sent[:n.start]))


# "sent 113 drones into Ukraine overnight, ... hours after a missile attack killed one person
# in the capital": a figure aimed at Ukraine as a whole is national, whatever place a later
# clause names
INTO_UKRAINE_RE = re.compile(r"^\s+(?:(?:\w+\s+){0,2})?(?:into|at|on|against|across)\s+"
                             r"(?:all of\s+|the whole of\s+)?ukraine\b(?!\s*['’]s\b)", re.I)
# "which seemed aimed mainly at sites in western Ukraine": where most of the attack went,
# not the place the figure counts
MAINLY_RE = re.compile(r"\b(?:mainly|mostly|primarily|largely|chiefly)\b[^.;,]{0,50}", re.I)
# "the most Russia has used in a single wave since the war began a year ago": the "since"
# phrase of a superlative dates the comparison, not the figure
SUPERLATIVE_SINCE_RE = re.compile(r"\b(?:the most|most|largest|biggest|highest|record)\b"
                                  r"[^.;]{0,60}?\bsince\b[^.;,]*", re.I)
# "shot down 41 of the 80 drones launched in a night attack": a piece that names no date
# but a night attack tells of the night before it was published
NIGHT_ATTACK_RE = re.compile(r"\b(?:a|an|the|last)\s+(?:night|night-time|nighttime|nocturnal)\s+"
                             r"(?:attacks?|raids?|strikes?|assaults?|barrages?)\b", re.I)
# "In total, air defence forces reported shooting down all 18 missiles and nine drones": the
# sum of what the sentence lists, not a figure for the whole war
# (with or without its comma: "In total the Russian troops launched 39 drones")
LEADING_TOTAL_RE = re.compile(r"^\W*in (?:total|all)\b\s*,?", re.I)
# a figure counted over a Russian region or city is Ukraine's strike on Russia
RUSSIAN_PLACE_RE = re.compile(r"\b(?:over|on|above|against|toward|towards)\s+(?:the\s+)?"
                              r"(?:russia'?s\s+)?(?:belgorod|kursk|bryansk|oryol|orel|rostov|"
                              r"volgograd|voronezh|krasnodar|kaluga|tula|lipetsk|tambov|saratov|"
                              r"smolensk|moscow region|leningrad)\b", re.I)


def _sentence_figures(sent: str, offset: int, i: int, ctx: dict) -> list[Claim]:
    numbers = _numbers(sent)
    out = []
    for n, (measure, firm) in zip(numbers, _measures(sent, numbers), strict=True):
        if n.np:
            subject, model = subject_of(n.np[0])
        elif of_which := OF_WHICH_NOUN_RE.search(sent[:n.start]):
            subject, model = subject_of(of_which["noun"])
        elif n.elliptic and (opening := OF_THE_OPENING_RE.match(sent[:n.start])):
            subject, model = subject_of(opening[0])
        elif ctx["last"] is not None:
            subject, model = ctx["last"]
        else:
            continue
        c = _figure(sent, offset, i, n, measure, subject, model, ctx)
        c.measure_firm, c.subject_firm = firm, bool(n.np)
        out.append(c)
        if n.total:
            value, a, b = n.total
            qual = _qualifier(sent, _Number(a, b, value or 0))[0]
            out.append(Claim("figure", offset + a, offset + b, i, value=value,
                             qualifier="exact" if qual == "between" else qual,
                             subject=subject, model=model, measure="launched",
                             scope=c.scope, attribution=c.attribution))
        ctx["last"] = (subject, model)
    return out


def extract(text: str, published=None) -> Article:
    """The article's figures, record claims and other mentions, each with its night."""
    body, parsed = split_metadata(text)
    if isinstance(published, str):
        published = parse_published(published)
    published = published or parsed
    spans = split_sentences(body)
    ctx: dict[str, Any] = {"previous": None, "last": None,
           "default": "air_force" if re.search(r"air force|air defen", body, re.I)
           else "unattributed"}
    sources = _source_lines(text)
    quotes = quote_tags(body, spans)
    trailing = trailing_speakers(body, spans)
    before_quote: dict[int, Any] = {}
    anchors, claims, other = [], [], []
    for i, (a, b) in enumerate(spans):
        sent = body[a:b]
        while sources and sources[0][0] < a:
            ctx["default"] = sources.pop(0)[1]
        if i in quotes:
            opened, tag = quotes[i]
            before_quote.setdefault(opened, ctx["previous"])
            ctx["quote"] = quote_speaker(tag, before_quote[opened])
        else:
            opened, tag, ctx["quote"] = i, "", None
        if ctx["quote"] is None and not re.search(r"\w", tag) and opened > 0:
            ctx["quote"] = _lead_speaker(body, spans, opened, ctx["previous"])
        ctx["default_here"] = trailing.get(i, ctx["default"])
        found = _span_of_night(sentence_anchors(sent, a, published))
        anchors.append(found)
        ctx["anchored"] = any(x.role == "attack" for x in found)
        ctx["explicit"] = any(x.strength == "explicit" for x in found)
        figures = _sentence_figures(sent, a, i, ctx)
        records = _records(sent, a, figures, i)
        for r in records:
            r.attribution = attribution(sent, r.start - a, ctx["previous"], ctx["default_here"],
                                        ctx["quote"])
        claims += figures + records
        other += mentions(sent, a, i, bool(figures))
        ctx["previous"] = sentence_speaker(sent, ctx["previous"]) or ctx["previous"]
    day = kyiv_date(published)
    for c in claims:
        c.published = day
    art = Article(body, published, spans, anchors, claims, other)
    _resolve_nights(art)
    return art


SOURCE_LINE_RE = re.compile(r"^\s*Source\s*:(?!\s*\S*(?:https?:|www\.))\s*(?P<who>.+)$",
                            re.M | re.I)


def _source_lines(text: str) -> list[tuple[int, str]]:
    """(offset, kind) of the "Source: Ukraine's Air Force" lines some outlets put under a
    paragraph: who states the figures after it, unless a sentence names its own source."""
    out = []
    for m in SOURCE_LINE_RE.finditer(text):
        if who := ENTITY_RE.search(m["who"]):
            out.append((m.start(), next(k for k, v in who.groupdict().items() if v)))
    return out


def _span_of_night(found: list[Anchor]) -> list[Anchor]:
    """A sentence that names a day and the day after ("from 10 p.m. on Thursday (May 25)
    until 5 a.m. on Friday", "between Saturday and Sunday") speaks of the night between
    them: every such phrase names the night ending on the later day."""
    firm = sorted({x.night for x in found if x.strength in ("explicit", "weekday")
                   and x.role == "attack" and x.night is not None})
    if len(firm) != 2 or firm[1] - firm[0] != dt.timedelta(days=1):
        return found
    return [replace(x, night=firm[1]) if x.night == firm[0] and x.role == "attack"
            else x for x in found]


STRENGTH = {"explicit": 0, "weekday": 1, "vague": 2, "relative": 3, "early": 3}
CONFIDENCE = {"explicit": "high", "weekday": "high", "relative": "medium", "vague": "low",
              "early": "low"}


def _attack_anchors(art: Article) -> list[Anchor]:
    """Date phrases of sentences about the attack (not about a previous record)."""
    with_claims = {c.sentence for c in art.claims}
    out = []
    for i, found in enumerate(art.anchors):
        if not found:
            continue
        sent = art.sentence_text(i)
        if CANDIDATE_SKIP.search(sent) or not (i in with_claims or ATTACK_RE.search(sent)):
            continue
        if i not in with_claims and UKRAINE_STRIKES_RE.search(sent):
            continue
        out += [x for x in found if x.role == "attack"]
    return out


def _article_night(art: Article) -> None:
    anchors = _attack_anchors(art)
    firm = [x for x in anchors if x.strength in ("explicit", "weekday")]
    loose = [x for x in anchors if x.strength in ("relative", "early")]
    pick = firm[0] if firm else loose[0] if loose else None
    if pick is None:
        return
    art.night, art.confidence = pick.night, CONFIDENCE[pick.strength]
    art.night_at = pick.start
    art.basis = f"{pick.strength} date phrase {pick.text!r}"
    nights = sorted({x.night for x in firm if x.night is not None})
    if len(nights) > 1:
        art.confidence = "low"
        art.basis = ("the article names several nights ("
                     + ", ".join(f"{d:%Y-%m-%d}" for d in nights) + ")")


def _resolve_nights(art: Article) -> None:
    _article_night(art)
    for c in art.claims:
        own = _own_clause(art, c, [x for x in art.anchors[c.sentence]
                                   if not _dates_comparison_only(art, c, x)])
        if own:
            best = min(STRENGTH[x.strength] for x in own)
            x = min((x for x in own if STRENGTH[x.strength] == best),
                    key=lambda x: abs(x.start - c.start))
            if x.strength in ("relative", "early") and art.night \
                    and art.confidence == "high" and _near_publication(art, art.night):
                # a stated date elsewhere beats "overnight" (a next-day piece, say)
                c.night, c.confidence = art.night, art.confidence
                c.basis = f"{art.basis}, which beats {x.text!r}"
                continue
            c.night, c.confidence = x.night, CONFIDENCE[x.strength]
            c.basis = f"{x.strength} date phrase {x.text!r} in its sentence"
        elif carried := _paragraph_night(art, c.sentence):
            c.night, c.confidence, c.basis = carried
        else:
            c.night, c.confidence, c.basis = art.night, art.confidence, (
                art.basis or "no date phrase")
            _stale_night(c, art)
            _link_line(c, art)


def _own_clause(art: Article, c: Claim, anchors: list[Anchor]) -> list[Anchor]:
    """A sentence that tells several nights clause by clause ("on 2-3 September Russia
    launched 502 drones; on 29-30 August, 537") dates a figure by the date phrases of its
    own clause, not by a nearer one across a semicolon."""
    same = [x for x in anchors
            if ";" not in art.body[min(x.end, c.start):max(x.start, c.end)]]
    return same or anchors


def _near_publication(art: Article, night: dt.date) -> bool:
    """A stated date beats "overnight" in a piece told the day after (the date names the
    night the piece calls "overnight"); a date weeks before the piece ("On 2 November ...
    said", in a piece of 7 December) names something else, and "overnight" stands."""
    day = kyiv_date(art.published)
    return day is None or (day - night).days <= STALE_DAYS


# A paragraph of one line that ends no sentence, past the headline: a subheading or the
# headline of another story the page links to ("Ukraine downs 22 out of 35 missiles, 20
# drones used in Russian morning attack, Air Force says" inside a piece on Saturday's night)
LINK_LINE_RE = re.compile(r"[^\n]*[^.!?:\"'”’)\s]\s*$")


def _link_line(c: Claim, art: Article) -> None:
    """A figure in such a line takes the article's night only as a guess: low confidence,
    never grounds for "contradicted"."""
    a, b = art.sentences[c.sentence]
    para_start = art.body.rfind("\n\n", 0, a) + 2 if art.body.rfind("\n\n", 0, a) >= 0 else 0
    end = art.body.find("\n\n", b)
    para = art.body[para_start:len(art.body) if end < 0 else end].strip()
    if c.night is None or para_start < 2 or "\n" in para or not LINK_LINE_RE.fullmatch(para):
        return
    c.confidence = "low"
    c.basis += "; its line ends no sentence (a subheading or another story's headline)"


COMPARISON_CUE_RE = re.compile(r"\b(?:previous|prior|earlier|last|since)\b", re.I)


def _dates_comparison_only(art: Article, c: Claim, x: Anchor) -> bool:
    """A date phrase of a comparison ("beating its previous record, set on May 26", "the
    most since 4 July") dates the earlier night, not a figure that comes before the words
    that open the comparison: "472 drones, beating its previous record, set on May 26"
    is the attack's own figure."""
    if x.role == "attack" or c.end > x.start:
        return False
    return bool(COMPARISON_CUE_RE.search(art.body[c.end:x.start]))


STALE_DAYS = 2   # a night ending this many days before the piece is not its latest
LEAD_PARAGRAPHS = 2   # the headline and the first paragraph


def _stale_night(c: Claim, art: Article) -> None:
    """A figure with no date phrase of its own takes the article's night. When that night
    ended two days or more before the piece was published and its date is named only past
    the headline and the lead, the piece is about something else and may go on to a later
    attack without naming its night (published on a Wednesday, a piece on Ukraine's drones:
    "On Sunday, Russia launched its largest drone attack ... In response, Russia launched
    88 drones, also in a night attack"): the night is a guess, low confidence, never
    grounds for "contradicted". A piece that names its night in the lead is about it."""
    day = kyiv_date(art.published)
    if c.night is None or day is None or c.confidence != "high" \
            or (day - c.night).days < STALE_DAYS or art.night_at is None \
            or len(re.findall(r"\n\s*\n", art.body[:art.night_at])) < LEAD_PARAGRAPHS:
        return
    c.confidence = "low"
    c.basis += (f"; the night ended {(day - c.night).days} days before the piece, which may "
                "tell of a later night without naming it")


def _paragraph_night(art: Article, i: int) -> tuple[dt.date, str, str] | None:
    """In an article that names several nights, a sentence with no date phrase of its own
    goes on telling of the night its paragraph last named ("On the night into Wednesday,
    13 September, Russia launched 44 drones. Air defence shot down 32."), as a guess: low
    confidence, never grounds for "contradicted"."""
    if art.night is None or not art.basis.startswith("the article names several"):
        return None
    for j in range(i - 1, -1, -1):
        if "\n" in art.body[art.sentences[j][1]:art.sentences[j + 1][0]]:
            return None                     # the paragraph starts after sentence j
        firm = {x.night for x in art.anchors[j]
                if x.role == "attack" and x.strength in ("explicit", "weekday")}
        if art.anchors[j]:
            night = firm.pop() if len(firm) == 1 else None
            if night is None:
                return None
            return night, "low", f"the night its paragraph names ({night:%Y-%m-%d})"
    return None
