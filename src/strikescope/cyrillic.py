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

import datetime as dt
import re

import strikescope.claimtext as ct
from strikescope.sources import statement as st
from strikescope.sources import statement_words as words
from strikescope.taxonomy import classify

CYRILLIC_SHARE = 0.5    # a text whose letters are more than half Cyrillic
ROLE_MEASURES = {"launched": "launched", "destroyed": "shot_down", "not_reach_goal": "lost"}
BASIS = "statement parser"   # how a claim read here says where its night came from
SUBJECTS = ("drones", "missiles", "cruise", "ballistic", "aeroballistic", "antiship")

AIR_FORCE_RE = re.compile(
    r"Повітрян\w*\s+сил|Воздушн\w*\s+сил|\bПС\s+ЗСУ\b|\bВС\s+ВСУ\b|\bкомандуван\w+\s+ПС\b|"
    r"Ігнат|Игнат|Олещук|kpszsu", re.IGNORECASE)
# the statement's own form: "Станом на 08:30 ... збито/подавлено", "(з 18:00 8 липня)"
OWN_FORM_RE = re.compile(r"збито\s*/\s*подавлено|сбито\s*/\s*подавлено|"
                         r"^\s*(?:Попередньо,\s*)?станом на \d", re.IGNORECASE | re.MULTILINE)
REGIONAL_RE = re.compile(
    r"\b(?:ОВА|ОДА|МВА|КМВА|КМДА|ОГА|ГВА)\b|міськ\w*\s+голов|городск\w+\s+голов|\bмер\w?\b|"
    r"військов\w*\s+адміністрац|военн\w*\s+администрац|"
    r"губернатор|очільн\w+|начальник\w*|Кличк|Ткаченк|Синєгуб|Синегуб|Федоров|Лисак|"
    r"Терехов|Віталій Кім|Виталий Ким|Прокудін|Прокудин|Садов\w*", re.IGNORECASE)
PRESIDENT_RE = re.compile(r"Зеленськ|Зеленск|президент", re.IGNORECASE)
# "Сили оборони" alone are those who shoot down, not a speaker; "Сили оборони півдня" speak
OTHER_SPEAKERS_RE = re.compile(r"Генштаб|Генеральн\w+\s+штаб|Сил\w*\s+оборони\s+півдня|"
                               r"Сил\w*\s+обороны\s+юга|"
                               r"ВМС|Військово-морськ|Военно-морск|ДСНС|ГСЧС|поліці|полиц",
                               re.IGNORECASE)
# "над Києвом", "у столиці", "в Киеве": a figure for one city
# "з літаків над Каспієм": the Caspian is where the bombers fire from, not a target
ONE_CITY_RE = re.compile(
    r"\bнад\s+(?!Україн|Украин|Каспі|Каспи)[А-ЯІЇЄҐ][\w']+(?:ом|ем|єм|ою|ею)\b|\bнад\s+столиц|"
    r"\b(?:у|в)\s+столиц|\b(?:у|в)\s+Києві\b|\bв\s+Киеве\b")


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


# "16 листопада": a day of the month, never the figure of the same value
_NOT_DATE = rf"(?!\s+(?:{'|'.join(words.MONTHS_UK + words.MONTHS_RU)})\b)"


def _number_forms(value: int) -> list[str]:
    forms = [rf"(?<![\d.,:]){value}(?![\d:]){_NOT_DATE}"]
    forms += [rf"(?<![\w]){re.escape(w)}(?!\w)" for w, v in words.NUMBER_WORDS.items()
              if v == value and not w.isascii()]
    # "пів сотні" (50), "півтори тисячі" (1500): the parser reads them as the share of a base
    forms += [rf"(?<!\w)(?:{'|'.join(sorted(halves))})\s*{stem}\w*"
              for stem, base in words.HALF_OF.items()
              for halves, share in ((words.HALF, (1, 2)), (words.HALF_MORE, (3, 2)))
              if base * share[0] // share[1] == value]
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
            # the number with its ending ("52-ма") and up to three words, in its line, up to
            # a conjunction or another number ("250 беспилотников", not "... и 7")
            tail = re.match(r"(?:-[^\s,.;:!?()—]+)?(?:[^\S\n]+(?!(?:і|й|и|та|а|також|также)"
                            r"\b|\d)[^\s,.;:!?()—]+){0,3}", window[m.end():])
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
            if not _given(value):
                continue
            keys = {subject, "missiles"} if subject != "drones" else {"drones"}
            for s in keys:
                out[s, role] = out.get((s, role), 0) + int(value)
    return out


def _given(value) -> bool:
    """A count the parser gave (not None, not pandas' missing value)."""
    return value is not None and str(value) != "<NA>"


def _family(model: str) -> str | None:
    m = ct.MODEL_RE.search(model.lower().replace("kh-", "x-"))
    return ct.MODEL_BY_NAME[m["name"]] if m else None


def _reading(model: str, role: str, value: int, sums: dict, rows,
             total: bool = False) -> tuple[str, str | None, str]:
    """(subject, model, scope) for one parsed figure: its class's total when it is the
    whole class, a named model's figure, part of its class's figure, or a figure the parser
    did not keep (the text gives another for the same weapons and measure)."""
    subject = _subject(model)
    assert subject is not None
    if sums.get((subject, role)) == value:
        return subject, None, "night"
    if subject != "drones" and sums.get(("missiles", role)) == value:
        return "missiles", None, "night"
    own = rows[rows.model == model][role]
    kept = int(own.iloc[0]) if len(own) and _given(own.iloc[0]) else None
    if kept != value:
        # "загалом ... збили 18 ракет": the speaker's own total, beside the waves it sums
        return subject, None, "night" if total else "other_figure"
    fam = _family(model)
    if fam:
        return "model", fam, "night"
    return (subject, None, "night") if _over_parts(model, role, value, rows) else \
        (subject, None, "part")


def _over_parts(model: str, role: str, value: int, rows) -> bool:
    """A class's figure with no model named ("23 із 25 крилатих ракет") beside figures of
    named models of that class ("вісім ... "Калібр"") that it covers is the class's total
    for the night, not a part of another figure."""
    subject = _subject(model)
    named = [int(getattr(r, role)) for r in rows.itertuples()
             if r.model != model and _given(getattr(r, role)) and (
                 (_subject(r.model) == subject and _family(r.model))
                 # "38 ракет — 35 крилатих і 3 аеробалістичні": missiles over their classes
                 or (subject == "missiles" and _subject(r.model) not in (None, "drones",
                                                                         "missiles")))]
    return bool(named) and sum(named) <= value


def _regional(sentence: str, named: re.Pattern | None = None) -> bool:
    """Does the sentence name a regional head or mayor? "начальник управління комунікацій
    командування Повітряних сил" is the Air Force's own spokesman, not a regional head."""
    if named is not None and named.search(sentence):
        return True
    return any(not (m.group().lower().startswith("начальник")
                    and AIR_FORCE_RE.search(sentence[m.end():m.end() + 70]))
               for m in REGIONAL_RE.finditer(sentence))


def _attribution(sentence: str, article_default: str, named: re.Pattern | None = None) -> str:
    if _regional(sentence, named):
        return "regional"
    if PRESIDENT_RE.search(sentence) and not AIR_FORCE_RE.search(sentence):
        return "president"
    if OTHER_SPEAKERS_RE.search(sentence) and not AIR_FORCE_RE.search(sentence):
        return "military"
    return article_default


# "Про це повідомив президент ...", "Об этом сообщил ...": the speaker of what came before
ABOUT_RE = re.compile(r"^\W*(?:Про\s+це|Об\s+этом)\b", re.IGNORECASE)


def _speaker_after(rest: str, default: str, named: re.Pattern | None = None) -> str:
    """The speaker a "Про це повідомив ..." sentence among the next two of the text names,
    when the figure's own sentence names none (that sentence may be read apart)."""
    for sentence in st.split_sentences(rest)[:2]:
        if ABOUT_RE.search(sentence):
            return _attribution(sentence, default, named)
    return default


# "Він також нагадав, що ...", "За його словами", "По ее словам": the speaker named before
PRONOUN_SPEAKER_RE = re.compile(
    r"^\W*(?:(?:Він|Вона|Вони|Он|Она|Они)\s+(?:також\s+|также\s+|ще\s+|еще\s+|ещё\s+)?"
    r"(?:нагада|дода|зазнач|сказа|наголоси|повідоми|уточни|пояснив|поясни|напомни|добави|"
    r"отмети|сообщи|подчеркну|заяви)\w*|"
    r"(?:За|По)\s+(?:його|її|їхніми|их|его|ее|её)\s+(?:словами|слова|словам|даними|данным))",
    re.IGNORECASE)
# "очільник Одеської ОВА Олег Кіпер": a regional head's name, so that "За словами Кіпера"
# later names him too; the words between may not name the Air Force or another speaker
_NAME_RUN_RE = re.compile(r"(?:[А-ЯІЇЄҐ][а-яіїєґ'’]+\s+){1,3}[А-ЯІЇЄҐ][а-яіїєґ'’]+")


def regional_names(norm: str) -> re.Pattern | None:
    """The surnames the article gives its regional heads and mayors, as a pattern matching
    any of their case forms ("Кіпер", "Кіпера"), or None."""
    stems = set()
    for m in REGIONAL_RE.finditer(norm):
        window = re.split(r"[.!?\n]", norm[m.end():m.end() + 60])[0]
        run = _NAME_RUN_RE.search(window)
        if run is None or AIR_FORCE_RE.search(window[:run.end()]) or \
                OTHER_SPEAKERS_RE.search(window[:run.end()]) or \
                PRESIDENT_RE.search(window[:run.end()]):
            continue
        surname = run.group().split()[-1]
        stems.add(surname[:-1] if len(surname) > 4 else surname)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(stems))) + r")\w*") \
        if stems else None


def speakers(norm: str, default: str) -> dict[str, str]:
    """Each sentence's speaker: its own, or, when it names none, the one before it where it
    opens with a pronoun ("Він також нагадав"), or a regional head's in the sentence before
    it in the same paragraph ("За словами Кіпера, ... . Сили ППО знищили 23 ...")."""
    named = regional_names(norm)
    sentences = st.split_sentences(norm)
    out: dict[str, str] = {}
    resolved: list[str] = []
    previous, cursor = default, 0
    for i, sentence in enumerate(sentences):
        at = norm.find(sentence, cursor)
        same_paragraph = at >= 0 and "\n\n" not in norm[cursor:at]
        cursor = at + len(sentence) if at >= 0 else cursor
        own = _attribution(sentence, default, named)
        # a sentence that names the Air Force ("Повітряні сили збили 30") is its own
        if own == default and previous != default and not AIR_FORCE_RE.search(sentence) and (
                PRONOUN_SPEAKER_RE.search(sentence)
                or (same_paragraph and previous == "regional")):
            own = previous
        if own == default:
            # "..., збили 70 з понад 90 ракет. Про це повідомляє ... Офісу президента"
            own = _speaker_after(" ".join(sentences[i + 1:i + 3]), default, named)
        resolved.append(own)
        previous = own
    _quoted(sentences, resolved, default, named)
    for sentence, own in zip(sentences, resolved, strict=True):
        out.setdefault(sentence, own)
    return out


# '..., — написав він.', '», — сказал Кипер.': who said the quotation that ends there
QUOTE_TAIL_RE = re.compile(r'"\s*,?\s*[—–-]\s*(?P<tail>[^"]*)$')


def _quoted(sentences: list[str], resolved: list[str], default: str,
            named: re.Pattern | None) -> None:
    """The sentences of a quotation of several ('"Ворог випустив ... 90 ракет. Наші ППО
    збили 70!!! ...", — написав він.') take the speaker its closing words name: a pronoun
    the one before the quotation, a name or title its own."""
    start = None
    for i, sentence in enumerate(sentences):
        if sentence.count('"') % 2 == 0:
            continue
        if start is None:
            start = i
            continue
        tail = QUOTE_TAIL_RE.search(sentence)
        if tail is not None:
            who = _attribution(tail["tail"], default, named)
            if who == default and re.search(r"\b(?:він|вона|он|она)\b", tail["tail"],
                                            re.IGNORECASE):
                who = resolved[start - 1] if start else default
            for j in range(start, i + 1):
                if resolved[j] == default:
                    resolved[j] = who
        start = None


def air_force_named(body: str) -> bool:
    return bool(AIR_FORCE_RE.search(body) or OWN_FORM_RE.search(body))


def figure_claims(art: ct.Article) -> list[ct.Claim]:
    """The parsed figures of a Cyrillic article as claims, placed on the text they came
    from; figures the parser derived (not stated) are not claims. A sentence that states a
    night of its own ("як повідомлялося, в ніч на 13 вересня ..."), gives another speaker's
    figure or one place's is read apart, so that its figures neither join nor displace the
    night's national ones."""
    # with no publication date the statement's day and month are placed before today, and
    # no night is certain enough for "contradicted"
    published = ct.kyiv_date(art.published) or dt.datetime.now(ct.KYIV).date()
    norm, offsets = normalized(art.body)
    default = "air_force" if air_force_named(art.body) else "unattributed"
    night = st.find_night(_blank(norm, _recalled_nights(st.split_sentences(norm))),
                          published)[0]
    who = speakers(norm, default)
    apart = [s for s in st.split_sentences(norm)
             if _read_apart(s, night, published, who.get(s, default))]
    found = _claims(art, (norm, offsets), _parse(_blank(norm, apart), published), default, who)
    for sentence in apart:
        day = _recalled_day(sentence, published)
        # read as of the day it recalls: the parser passes over a day long before publication
        own = _claims(art, (norm, offsets), _parse(sentence, day or published), default, who)
        found += _recalled(own, day, art.published is not None, default)
    return sorted(found, key=lambda c: c.start)


def _recalled_day(sentence: str, published) -> dt.date | None:
    """The day a recalling sentence names without "ніч" ("Нагадаємо, 10 жовтня ...")."""
    m = RECALL_RE.search(sentence)
    if m is None or st._NIGHT_UK.search(sentence) or st._NIGHT_EN.search(sentence):
        return None
    return st._day_month(m.groups(), published)


def _recalled(claims: list[ct.Claim], day: dt.date | None, dated: bool,
              default: str) -> list[ct.Claim]:
    """A recalled day's figures carry the date the sentence names, which the statement
    parser (reading "ніч на ..." only) would leave to the day of publication."""
    if day is None:
        return claims
    for c in claims:
        c.night = day
        c.confidence = "high" if dated and default == "air_force" else "low"
        c.basis = f"{BASIS}: the day a recalled report names"
    return claims


def _read_apart(sentence: str, night, published, speaker: str) -> bool:
    own = _own_night(sentence, published)
    return (own is not None and own != night) or speaker in (
        "regional", "president", "military") or bool(
        st._one_region(sentence) or ONE_CITY_RE.search(sentence))


def _blank(text: str, sentences: list[str]) -> str:
    """The text with those sentences spaced out (its length, so every offset, unchanged)."""
    for sentence in sentences:
        at = text.find(sentence[:40])
        if at >= 0:
            text = text[:at] + re.sub(r"\S", " ", text[at:at + len(sentence)]) + \
                text[at + len(sentence):]
    return text


def _parse(text: str, published) -> tuple[st.ParsedStatement, st.ParsedStatement]:
    """The statement parser's exact reading (its rows are the figures the text gives) and
    the rounded figures ("понад 400") it reads only when asked, with that reading's rows."""
    exact = st.parse_statement(text, published)
    rounded = st.parse_statement(text, published, approximate=True)
    return exact, rounded


# "Нагадаємо, 10 жовтня РФ запустила ...": a sentence recalling an earlier report dates its
# figures by the day it names, with or without "ніч"
RECALL_OPEN = (r"^\W*(?:(?:Також|Также|А\s+також|А\s+также|І|И)\s+)?(?:Нагадаємо|Нагадуємо|"
               r"Напомним|Напоминаем|Як\s+повідомлял\w+|Как\s+сообщал\w+|Раніше|Ранее)\b")
RECALL_RE = re.compile(rf"{RECALL_OPEN}[^.!?]*?\b{st._DAY_MONTH}", re.IGNORECASE)
RECALL_OPEN_RE = re.compile(RECALL_OPEN, re.IGNORECASE)


def _recalled_nights(sentences: list[str]) -> list[str]:
    """Sentences recalling an earlier night ("Також нагадаємо, що в ніч на 29 листопада
    ..."): not where the article's own night is told, however few nights it names."""
    return [s for s in sentences if RECALL_OPEN_RE.search(s)
            and (st._NIGHT_UK.search(s) or st._NIGHT_EN.search(s))]


def _own_night(sentence: str, published) -> object | None:
    m = st._NIGHT_UK.search(sentence) or st._NIGHT_EN.search(sentence) or \
        RECALL_RE.search(sentence)
    return st._day_month(m.groups(), published) if m else None


def _claims(art: ct.Article, text: tuple[str, list[int]],
            readings: tuple[st.ParsedStatement, st.ParsedStatement],
            default: str, who: dict[str, str]) -> list[ct.Claim]:
    norm, offsets = text
    parsed = readings[0]
    stated_night = parsed.night_basis == "stated" and art.published is not None
    out: list[ct.Claim] = []
    cursor = 0
    for n, value, (subject, model, scope, measure) in sorted(
            [*_figures(readings), *_totals(parsed)], key=lambda item: item[0]):
        sentence = parsed.sentences[n]
        where = _place(norm, sentence, value, cursor)
        if where is None or any(c.start == offsets[where[1]] for c in out):
            continue
        cursor = where[0]
        start, end = offsets[where[1]], offsets[where[2] - 1] + 1
        if measure == "shot_down" and NEUTRALISED_RE.search(sentence):
            measure = "intercepted"
        c = ct.Claim("figure", start, end, ct.sentence_at(art, start), value=float(value),
                     qualifier=_qualifier(norm[max(0, where[1] - 30):where[1]]),
                     subject=subject, model=model, measure=measure, scope=scope)
        c.attribution = who.get(sentence) or _attribution(sentence, default)
        if c.attribution == default:
            c.attribution = _speaker_after(norm[where[0] + len(sentence):], default)
        if c.scope == "night" and (st._one_region(sentence) or ONE_CITY_RE.search(sentence)):
            c.scope = "city"
        c.night, c.published = parsed.night, ct.kyiv_date(art.published)
        c.confidence = "high" if stated_night and default == "air_force" else "low"
        c.basis = _basis(parsed, stated_night, default)
        out.append(c)
    return out


# "знешкоджено", "збито/подавлено", "нейтрализованы": shot down, or shot down and jammed
NEUTRALISED_RE = re.compile(r"знешкод|подавл|нейтралі|нейтрали|обезвре", re.IGNORECASE)


def _figures(readings: tuple[st.ParsedStatement, st.ParsedStatement]) -> list[tuple]:
    """(sentence, value, (subject, model, scope, measure)) of every stated weapon figure."""
    parsed, rounded = readings
    exact_sums, rounded_sums = _sums(parsed.rows), _sums(rounded.rows)
    # the rounded reading's figures, and its exact ones in a sentence the exact reading
    # skipped for its rounding ("понад 20 крилатих ракет, 12 із них знищила ППО")
    read = {m.sentence for m in parsed.mentions}
    extra = [m for m in rounded.mentions
             if "approximate" in m.figure.notes or m.sentence not in read]
    rounded_ids = {id(m) for m in extra}
    out = []
    for m in [*parsed.mentions, *extra]:
        subject = _subject(m.model)
        # a rounded figure is read against the exact figures, unless the text gives none
        sums, rows = (rounded_sums, rounded.rows) if id(m) in rounded_ids and (
            subject, m.role) not in exact_sums else (exact_sums, parsed.rows)
        pairs = [(m.role, m.figure)] + ([("launched", m.launched_too)] if m.launched_too
                                        else [])
        for role, fig in pairs:
            if subject is None or role not in ROLE_MEASURES or fig.status != "stated" \
                    or "reference" in fig.notes:
                continue
            subject_now, model, scope = _reading(m.model, role, fig.value, sums, rows,
                                                 _in_total(parsed.sentences[m.sentence],
                                                           fig.value))
            if scope == "other_figure" and id(m) in rounded_ids and _rounds(
                    fig.value, exact_sums.get((subject, role)), parsed.sentences[m.sentence]):
                # "Более 50 беспилотников" above "55 ударными БпЛА": the same count rounded,
                # checked on its own terms rather than set aside for the exact one
                subject_now, model, scope = subject, None, "night"
            out.append((m.sentence, fig.value, (subject_now, model, scope,
                                                ROLE_MEASURES[role])))
    return out


ROUNDING = 0.25   # "понад 40" rounds 42, "более 50" rounds 55; "понад 100" does not round 142
OF_THEM_RE = r"\s+(?:із|з|зі|из)\s+(?:них|їх)\b"


def _rounds(value: int, exact: int | None, sentence: str) -> bool:
    """Is a rounded figure ("понад 40", "Более 50") the text's rounding of the exact figure
    it gives for the same weapons and measure? Not a share of them ("понад 100 із них")."""
    at = next((m for f in _number_forms(value)
               if (m := re.search(f, sentence, re.IGNORECASE))), None)
    if exact is None or at is None or abs(exact - value) > ROUNDING * value or re.match(
            OF_THEM_RE, sentence[at.end():], re.IGNORECASE):
        return False
    # "более 50" does not round an exact 50, nor "до 40" an exact 42
    return {"more_than": exact > value, "at_least": exact >= value,
            "up_to": exact <= value}.get(_qualifier(sentence[:at.start()]), True)


TOTAL_RE = r"(?<!\w)(?:загалом|усього|всього|всего|в\s+общей\s+сложности|в\s+цілому)(?!\w)"


def _in_total(sentence: str, value: int) -> bool:
    """Is the figure introduced as a total ("загалом 11 жовтня збили 18 ракет")?"""
    return bool(re.search(rf"{TOTAL_RE}[^.;:]*?(?<![\d.,]){value}(?!\d)", sentence,
                          re.IGNORECASE))


def _totals(parsed: st.ParsedStatement) -> list[tuple]:
    """Totals of all weapons ("718 засобів повітряного нападу"): launched, or shot down
    (which the Air Force's "збито/подавлено" counts with those jammed)."""
    measures = {"launched": "launched", "destroyed": "intercepted"}
    return [(n, value, ("all", None, "night", measures[role]))
            for value, role, n in parsed.all_totals if role in measures]


# the word before a rounded figure: "понад 400" is more than 400, "майже 20" about 20
ROUNDED = [("more_than", r"понад|більше|більш\s+ніж|более|больше|свыше|over|more\s+than"),
           ("about", r"майже|близько|приблизно|почти|около|примерно|порядка"),
           ("at_least", r"щонайменше|не\s+менше|не\s+менее|минимум"),
           ("up_to", r"до")]


def _qualifier(before: str) -> str:
    for name, words_before in ROUNDED:
        if re.search(rf"(?<!\w)(?:{words_before})\s+$", before, re.IGNORECASE):
            return name
    return "exact"


def _basis(parsed, stated_night: bool, default: str) -> str:
    how = {"stated": "the night the text states", "weekday": "a weekday named in the text",
           "published": "no night named; the night ending on the day of publication"}
    basis = f"{BASIS}: {how.get(parsed.night_basis, parsed.night_basis)}"
    if not stated_night and parsed.night_basis == "stated":
        basis += "; the article has no publication date to place it"
    elif stated_night and default != "air_force":
        basis += "; the article does not name the Air Force as its source"
    return basis
