"""Claims from a Ukrainian or Russian article, read with the Air Force statement parser.

The English claim reader finds almost nothing in Cyrillic text, while the statement parser
(`strikescope.sources.statement`) already reads Ukrainian and Russian statements into
(night, weapon, launched, shot down, lost). Here each figure the parser read from the text
becomes a `claimtext.Claim` of the same shape as the English reader's, placed on the words
it came from, so `strikescope.check` labels it like any other.

Conservative by design: the night is "high" confidence only when the text states it ("У ніч
на 9 липня", "в ночь на 9 июля", a dated start), and a figure may be contradicted only when
the article names the Air Force or is written in the Air Force's own form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import strikescope.claimtext as ct
from strikescope.sources import statement as st
from strikescope.sources import statement_words as words
from strikescope.taxonomy import classify

CYRILLIC_SHARE = 0.5    # a text whose letters are more than half Cyrillic
ROLE_MEASURES = {"launched": "launched", "destroyed": "shot_down", "not_reach_goal": "lost"}
QUALIFIERS = {"approximate": "about", "up to": "up_to", "at least": "at_least"}
SUBJECTS = ("drones", "missiles", "cruise", "ballistic", "aeroballistic", "antiship")

AIR_FORCE_RE = re.compile(
    r"Повітрян\w*\s+сил|Воздушн\w*\s+сил|\bПС\s+ЗСУ\b|\bВС\s+ВСУ\b|\bкомандуван\w+\s+ПС\b|"
    r"Ігнат|Игнат|Олещук|kpszsu", re.IGNORECASE)
# the statement's own form: "Станом на 08:30 ... збито/подавлено", "(з 18:00 8 липня)"
OWN_FORM_RE = re.compile(r"збито\s*/\s*подавлено|сбито\s*/\s*подавлено|"
                         r"^\s*(?:Попередньо,\s*)?станом на \d", re.IGNORECASE | re.MULTILINE)
REGIONAL_RE = re.compile(
    r"\b(?:ОВА|ОДА|МВА|КМВА|КМДА|ОГА|ГВА)\b|міськ\w*\s+голов|городск\w+\s+голов|\bмер\w?\b|"
    r"губернатор|очільн\w+|начальник\w*|Кличк|Ткаченк|Синєгуб|Синегуб|Федоров|Лисак|"
    r"Терехов|Віталій Кім|Виталий Ким|Прокудін|Прокудин|Садов\w*", re.IGNORECASE)
PRESIDENT_RE = re.compile(r"Зеленськ|Зеленск|президент", re.IGNORECASE)
OTHER_SPEAKERS_RE = re.compile(r"Генштаб|Генеральн\w+\s+штаб|Сил\w*\s+оборони|Сил\w*\s+обороны|"
                               r"ВМС|Військово-морськ|Военно-морск|ДСНС|ГСЧС|поліці|полиц",
                               re.IGNORECASE)
# "над Києвом", "у столиці", "в Киеве": a figure for one city
ONE_CITY_RE = re.compile(
    r"\bнад\s+(?!Україн|Украин)[А-ЯІЇЄҐ][\w']+(?:ом|ем|єм|ою|ею)\b|\bнад\s+столиц|"
    r"\b(?:у|в)\s+столиц|\b(?:у|в)\s+Києві\b|\bв\s+Киеве\b")


@dataclass
class Source:
    """How a parsed figure relates to the text: where it stands, who states it."""
    start: int
    end: int
    sentence: int


def is_cyrillic(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    cyr = sum("\u0400" <= ch <= "\u04ff" for ch in letters)
    return bool(letters) and cyr > CYRILLIC_SHARE * len(letters)


def normalized(body: str) -> tuple[str, list[int]]:
    """The body as the statement parser normalizes it, with each character's offset in the
    body; only one-for-one replacements and dropped digit-group spaces, so the map is exact."""
    text = body.translate(words._QUOTES).translate(words._DASHES)
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    keep = [True] * len(text)
    for m in words._GROUPED.finditer(text):
        keep[m.start()] = False
    out = "".join(ch for ch, k in zip(text, keep, strict=True) if k)
    return out, [i for i, k in enumerate(keep) if k]


def _number_forms(value: int) -> list[str]:
    forms = [rf"(?<![\d.,:]){value}(?![\d:])"]
    forms += [rf"(?<![\w]){re.escape(w)}(?!\w)" for w, v in words.NUMBER_WORDS.items()
              if v == value and not w.isascii()]
    return forms


def _place(norm: str, sentence: str, value: int, after: int) -> tuple[int, int, int] | None:
    """(sentence start, figure start, figure end) in the normalized body."""
    head = sentence[:40]
    at = norm.find(head, after)
    if at < 0:
        at = norm.find(head)
    if at < 0:
        return None
    window = norm[at:at + len(sentence) + 40]
    for form in _number_forms(value):
        if m := re.search(form, window, re.IGNORECASE):
            tail = re.match(r"(?:\s+[^\s,.;:!?()—]+){1,3}", window[m.end():])
            end = m.end() + (tail.end() if tail else 0)
            return at, at + m.start(), at + end
    return None


def _subject(model: str) -> str | None:
    cls = classify(model, warn=False)
    if cls.kind == "drone":
        return "drones" if cls.long_range or model == "Unknown UAV" else None
    if cls.kind != "missile":
        return None
    return cls.weapon_class if cls.weapon_class in SUBJECTS else "missiles"


def _sums(rows) -> dict[tuple[str, str], int]:
    """(subject, role) -> the parsed total, with "missiles" the sum over every class."""
    out: dict[tuple[str, str], int] = {}
    for r in rows.itertuples():
        subject = _subject(r.model)
        if subject is None:
            continue
        for role in ROLE_MEASURES:
            value = getattr(r, role)
            if value is None or str(value) == "<NA>":
                continue
            keys = {subject, "missiles"} if subject != "drones" else {"drones"}
            for s in keys:
                out[s, role] = out.get((s, role), 0) + int(value)
    return out


def _family(model: str) -> str | None:
    name = model.lower().replace("kh-", "x-")
    return next((fam for fam, names in ct.MODEL_FAMILIES.items()
                 if any(n in name for n in names)), None)


def _reading(model: str, role: str, value: int, sums: dict, rows) -> tuple[str, str | None,
                                                                             str]:
    """(subject, model, scope) for one parsed figure: its class's total when it is the
    whole class, a named model's figure, or part of a figure the text gives elsewhere."""
    subject = _subject(model)
    assert subject is not None
    if sums.get((subject, role)) == value:
        return subject, None, "night"
    if subject != "drones" and sums.get(("missiles", role)) == value:
        return "missiles", None, "night"
    fam = _family(model)
    own = rows[rows.model == model][role]
    if fam and len(own) and str(own.iloc[0]) != "<NA>" and int(own.iloc[0]) == value:
        return "model", fam, "night"
    return subject, None, "part"


def _attribution(sentence: str, article_default: str) -> str:
    if REGIONAL_RE.search(sentence):
        return "regional"
    if PRESIDENT_RE.search(sentence) and not AIR_FORCE_RE.search(sentence):
        return "president"
    if OTHER_SPEAKERS_RE.search(sentence) and not AIR_FORCE_RE.search(sentence):
        return "military"
    return article_default


def air_force_named(body: str) -> bool:
    return bool(AIR_FORCE_RE.search(body) or OWN_FORM_RE.search(body))


def figure_claims(art: ct.Article) -> list[ct.Claim]:
    """The parsed figures of a Cyrillic article as claims, placed on the text they came
    from; figures the parser derived (not stated) are not claims."""
    published = ct.kyiv_date(art.published)
    if published is None:
        return []
    norm, offsets = normalized(art.body)
    parsed = st.parse_statement(norm, published)
    stated_night = parsed.night_basis == "stated"
    default = "air_force" if air_force_named(art.body) else "unattributed"
    sums = _sums(parsed.rows)
    out, cursor = [], 0
    for m in parsed.mentions:
        subject = _subject(m.model)
        pairs = [(m.role, m.figure)] + ([("launched", m.launched_too)] if m.launched_too
                                        else [])
        for role, fig in pairs:
            if subject is None or role not in ROLE_MEASURES or fig.status != "stated" \
                    or "reference" in fig.notes:
                continue
            sentence = parsed.sentences[m.sentence]
            where = _place(norm, sentence, fig.value, cursor)
            if where is None:
                continue
            cursor = where[0]
            c = _claim(art, offsets, where, (m.model, role, fig), sums, parsed.rows)
            c.attribution = _attribution(sentence, default)
            if c.scope == "night" and (st._one_region(sentence) or ONE_CITY_RE.search(sentence)):
                c.scope = "city"
            c.night, c.published = parsed.night, published
            c.confidence = "high" if stated_night and default == "air_force" else "low"
            c.basis = _basis(parsed, stated_night, default)
            out.append(c)
    return out


def _claim(art: ct.Article, offsets: list[int], where, figure, sums, rows) -> ct.Claim:
    model, role, fig = figure
    start, end = offsets[where[1]], offsets[where[2] - 1] + 1
    subject, fam, scope = _reading(model, role, fig.value, sums, rows)
    qualifier = next((QUALIFIERS[n] for n in fig.notes if n in QUALIFIERS), "exact")
    if "more" in fig.notes:
        scope = "part"
    sentence = next((i for i, (a, b) in enumerate(art.sentences) if a <= start < b), 0)
    return ct.Claim("figure", start, end, sentence, value=float(fig.value), qualifier=qualifier,
                    subject=subject, model=fam, measure=ROLE_MEASURES[role], scope=scope)


def _basis(parsed, stated_night: bool, default: str) -> str:
    how = {"stated": "the night the text states", "weekday": "a weekday named in the text",
           "published": "no night named; the night ending on the day of publication"}
    basis = f"statement parser: {how.get(parsed.night_basis, parsed.night_basis)}"
    if stated_night and default != "air_force":
        basis += "; the article does not name the Air Force as its source"
    return basis
