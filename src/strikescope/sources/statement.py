"""An Air Force morning statement (Ukrainian or English text, or a Russian retelling) read
into report rows.

Deterministic rules over the vocabulary in `data/statement_vocabulary.csv`: a figure is a
number (digits, "1 200", or words) followed by a weapon, given the role of the nearest verb
of its clause (launched, shot down, lost, hit, left the airspace, still in the air). Every
figure says whether the text states it or the rules derived it; every sentence that gives
no figure is returned with the reason, never dropped.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd

from strikescope.errors import InputError
from strikescope.sources import statement_words as words
from strikescope.taxonomy import classify

PUBLISHED_YEARS = (1900, 2999)
CLASS_FIGURES = ("launched", "destroyed", "not_reach_goal")
FIELDS = ("launched", "destroyed", "not_reach_goal", "hit", "left", "still_attacking")
ROW_COLUMNS = [
    "time_start", "time_end", "model", "weapon_class", "kind", "launch_place", "target",
    "launched", "destroyed", "not_reach_goal", "still_attacking", "hit", "left",
    "num_hit_location", "num_fall_fragment_location", "affected region", "source",
    "stated", "derived", "notes",
]

_ROLE_PATTERNS = {
    "launched": r"атаку|запуст|запуск|запущ|випуст|випущ|застосув|пуск|завда|вдари|використ|"
                r"направи|скерув|спрямува|летіл|летел|налічув|нараховув|насчитыв|"
                r"attacked|launch|targeted|fired|involv|includ|used$|sent$|"
                # "21 drones and three Kh-59 missiles participated in the strikes"
                r"participated$|"
                r"выпуст|выпущ|атаков|примен|использ|нанес|нанёс|"
                # "атака была осуществлена 187 дронами": the attack carried out with them
                r"осуществл|"
                # "ударив", "ударили": the verb beside "вдарив" ("удари" alone is the noun)
                r"удари[вл]",
    "destroyed": r"збит|збил|збиття|збив|знищ|ліквід|знешкод|подав|перехоп|ураз|ураж|враз|shot|"
                 r"shoot|downed|downs$|stop|"
                 r"downing|destroy|destruct|intercept|neutrali|suppress|"
                 r"сбит|сбил|сбив|уничтож|ликвид|обезвред|перехва",
    "not_reach_goal": r"локаційн|втрач|втрат|зникл|lost|disappeared|veer|локационн|потерян|"
                      r"утрач|локально$",
    "hit": r"влуча|влучи|влучен|досягл|hits?$|hitting|struck|impact|reach|попадан|попал",
    "left": r"вийш|вилеті|поверну|полеті|returned|flew|вернул|улетел",
    "still_attacking": r"повітрі|просторі$|airborne|airspace$|воздухе|пространстве$",
}
# "полетіли" is a drone that left only on its way out ("2 – полетіли до Білорусі"), and
# "у повітряному просторі" one still airborne only when nothing else in its clause gives
# the figure a role ("збито у повітряному просторі Києва" is shot down).
_AWAY = re.compile(r"росі|білорус|russia|belarus|кордон|border|росси|беларус|границ")
_WEAK_ROLES = re.compile(r"просторі$|пространстве$|airspace$")
# "зафіксовано", "виявлено", "detected": a launch only with a count of the means of attack
_DETECTED = re.compile(r"^(?:зафіксован|виявлен|супроводжен|зафиксирован|обнаружен|detected$|"
                       r"tracked$|recorded$)")
_LEFT_FOR = re.compile(rf"airspace|{_AWAY.pattern}")
# "знищено 14 ..., ще одну": one more, in that sentence
_MORE = {"ще", "another", "more", "еще", "ещё"}
_BUT = {"але", "проте", "однак", "but", "however", "но", "однако"}
_ROLES = {k: re.compile(v) for k, v in _ROLE_PATTERNS.items()}
_DESCRIPTIVE = {"that", "which", "що"}
_RELATIVE_ALWAYS = {"якими", "які", "яких", "котрі", "котрими", "которыми", "которые",
                    "которых"}
_PARTICIPLES = re.compile(r"запущених|випущених|застосованих|використаних|запущенных|"
                          r"выпущенных|примененных|использованных")
# "used" is a launch verb ("Russia used three Iskander-M"), except as a participle right
# after its weapon ("four missiles used by Russia").
_USED = "used"
# "struck Ukraine with Shaheds and a missile", "hit Dnipro with a Kinzhal": "struck" or "hit"
# before "with" and its weapons tells the attack (a launch), not weapons that hit targets.
_STRUCK_WITH = 6
_STRIKE_VERBS = {"struck", "hit"}
# "including" (and "the missiles shot down included") names part of what the verb before it
# counts, in that verb's role; alone ("the attack, including 6 Kinzhal") it is a launch.
_INCLUDING = {"including", "included", "includes", "include"}
# "fired"/"launched" right after its weapon is a participle when the sentence has a verb of
# another role ("18 missiles ... fired at Ukraine overnight were shot down").
_PARTICIPLE_EN = {"fired", "launched", "used", "sent"}
# "збили з курсу", "сбиты с курса", "knocked off course": lost, not shot down
_OFF_COURSE = re.compile(r"(?:з|зі|із|с|off)\s+(?:курс|course)")
_NEGATIONS = {"не", "ні", "not", "без", "n't", "didn't"}
# "не досягли своїх цілей", "did not reach its target", "failed to reach", "не долетіли": a
# weapon lost on its way (the reports' not_reach_goal), not a negated hit.
_REACH = re.compile(r"досяг|reach|долеті|дійш|достиг|долете")
_FAILED = {"failed", "fail", "fails"}
# "34 did not reach", "4 failed to reach": a number whose weapon was named before it
_AUXILIARY = _FAILED | {"did", "didn't", "could", "couldn't"}
_SAY = re.compile(r"^(?:say|said|saying|specif|giving|provid|detail|уточн|повідом)")
_APPROX = {"близько", "приблизно", "майже", "понад", "около", "about", "around", "nearly",
           "almost", "over", "approximately", "roughly", "some", "десятки", "кілька",
           "почти", "более", "больше", "свыше", "примерно", "порядка", "несколько"}
_REFERENCE = {"the", "цих", "these", "those", "тих", "этих"}
_MORE_THAN = {"more", "than", "чем", "ніж", "less", "fewer", "менее", "менше"}
_ALL = {"усі", "всі", "all", "усіх", "всіх", "все", "всех"}
_ALL_OF = "all of them"  # "all 20 drones shot down": a figure told as all of a number
_BOTH = {"both", "обидві", "обидва", "обох"}
_OF = {"з", "із", "зі", "of", "из"}
_TAKE = {"take", "took", "taken", "taking", "bring", "brought"}  # "take down"
# "down" is the verb (to shoot down) after "to" or a modal; elsewhere it is "shot down"'s
# particle or a direction
_TO_DOWN = {"to", "could", "can", "would", "will", "did"}
_EXCEPT = {"except", "крім", "окрім", "excluding"}
# "Окрім цього ... запущено крилату ракету Х-22", "Крім того": besides that, not an exception
_BESIDES_THAT = {"цього", "того", "этого", "that", "this"}
_PART_OF = {"including", "зокрема", "числі", "included"}  # "13 missiles, including 6 Kinzhal"
_BREAKDOWN = {"серед", "among", "зокрема", "including", "среди"}
_THEM = {"них", "яких", "them", "these", "which", "которых"}
_GENERIC = {"Unknown Missile", "Cruise Missile", "Ballistic Missile"}
_EARLIER_MISSILE = "missile named earlier"
# "2 drones" (no type named): the Shahed default of a bare noun, a figure that drones of one
# other type counted alike may claim (not a row note)
_NO_TYPE = "drones of no named type"
_NAMED_EARLIER = "weapon named earlier"
_TOTAL_OF = "total of "
_EARLIER_CLASS = "class of the type named earlier: "
_EVERYTHING = re.compile(r"projectile|target|weapon|цілі|засоб|засіб|об'єкт")
_LOCATION = re.compile(r"локаці|локаци|місц|мест|об'єкт|объект|location|site")
_FRAGMENTS = re.compile(r"уламк|падінн|обломк|падени|fragment|debris")
# "50 повітряних цілей", "133 цілі", "51 ціль", "40 means of air attack", "33 воздушные цели"
_TOTALS = re.compile(r"засоб|засіб|means|цілей|цілі\b|ціль\b|targets|целей|цели\b|цель\b")
# "целей-имитаторов", "цілей-імітаторів": decoy drones, not a count of every target
_DECOY_TARGETS = re.compile(r"[-‑](?:імітатор|имитатор)")
# a weapon word right before one of these names the carrier ("missile boats", "drone carrier")
_CARRIER = re.compile(r"boats?$|ships?$|carriers?$|cruisers?$|катер|кораб|судн")
_STOP_NOUNS = re.compile(
    r"област|регіон|region|oblast|напрям|direction|годин|hour|хвил|wave|людин|people|"
    r"район|border|кілометр|km|рок|year|днів|days|груп|group|літак|aircraft|бомбардув|"
    r"bomber|корабл|ship|times|раз|человек|час|направлен"
)
_INHERIT_NEXT = {"з", "із", "зі", "из", "of", "were", "was", "are", "have", "had", "remained",
                 "були", "було", "—", "-", "'", '"', "more", "ще",
                 # "збили рекордну кількість дронів — 87 одиниць": a count of what was named
                 "одиниць", "одиниці", "одиниця", "единиц", "единицы", "штук"}
_PUNCT = {",", ";", ":", "(", ")", "—", ".", "!", "?"}
_CLAUSE_END = _PUNCT - {"—"}
_CONJ = {"і", "й", "та", "and", "а", "також", "also", "plus", "while", "и", "также"}
_TOKEN = re.compile(r"\d+(?:-[^\W\d]+)?|[\w']+(?:[-/][\w']+)*|[^\w\s]")
_SINGULAR_MISSILE = {"ракету", "ракетою", "missile"}
_ONE_WEAPON = _SINGULAR_MISSILE | {"ракета", "drone", "uav", "дрон", "безпілотник", "бпла"}
_UNITS = {"одиниць", "одиниці", "единиц", "единицы", "штук"}
# "керовану авіаракету Х-59": a compound of "ракета", singular too
_SINGULAR_COMPOUND = ("авіаракету", "авіаракетою")
# "балістичної ракети", "баллистической ракеты": genitive singular, one missile
_MISSILE_GENITIVE = {"ракети", "ракеты"}
_SINGULAR_GENITIVE = re.compile(r"[а-яіїєґ']{4,}(?:ої|ой)$")
_ARTICLES = {"a", "an", "one", "the"}
# "an unmanned device of the Lancet type", "a Lancet drone": one drone of that type
# "another unidentified attack drone": one more drone of the type, as "a"/"an" is one
_A = {"a", "an", "another"}
_A_DRONE_WORDS = 5
_NOT_A_DRONE = re.compile(r"attack|strike|raid|wave|group|swarm|threat|alert")
# "a Shahed attack" is an attack, "an unidentified attack drone" a drone
_DRONE_NOUN = re.compile(r"drones?$|uavs?$")
# a feminine singular adjective (accusative "-ну", instrumental "-ою") of a missile whose noun
# the text leaves out: "та протирадіолокаційну — Х-31П"
_SINGULAR_ADJECTIVE = re.compile(r"^[а-яіїєґ']{5,}(?:ну|ою)$")
_DASHES_QUOTES = {"—", "–", "-", '"', "'", "«", "»"}
_DASHES = {"—", "–", "-"}


@dataclass
class Figure:
    value: int
    status: str  # "stated" or "derived"
    notes: tuple[str, ...] = ()


@dataclass
class Mention:
    model: str
    role: str
    figure: Figure
    sentence: int
    launched_too: Figure | None = None  # "17 of 22", "all 20": the launched figure as well
    part_of: Mention | None = None  # "13 missiles, including 6 Kinzhal": the 13


@dataclass
class ParsedStatement:
    """The rows of one statement and how they were read."""

    night: date
    night_basis: str
    time_start: str
    time_end: str
    rows: pd.DataFrame
    unparsed: list[tuple[str, str]]
    conflicts: list[str]
    regions: list[str]
    launch_place: str | None
    sha256: str
    published: str
    sentences: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # numbers read, not counted
    read: list[int] = field(default_factory=list)  # indexes of the sentences that gave figures
    # every figure as read from its sentence (after the merge rules retyped them, and with
    # those they set aside), and every total of all weapons (value, role, sentence): where
    # each parsed figure came from (the claim checker places its claims with them)
    mentions: list[Mention] = field(default_factory=list)
    all_totals: list[tuple[int, str | None, int]] = field(default_factory=list)

    def class_totals(self) -> pd.DataFrame:
        """Launched and shot down per weapon class (a figure no row states stays empty)."""
        cols = ["launched", "destroyed", "not_reach_goal"]
        df = self.rows[["weapon_class", *cols]]
        return df.groupby("weapon_class").agg(lambda s: s.sum(min_count=1)).reset_index()

    def class_table(self) -> pd.DataFrame:
        """Per weapon class: launched, shot down and lost, each with its basis: `stated`
        when every model's figure summed was in the text, `derived` when any came from the
        rules; a figure no row has stays empty (None), with no basis."""
        out = []
        for cls, rows in self.rows.groupby("weapon_class", sort=False):
            rec = {"weapon_class": cls}
            for col in CLASS_FIGURES:
                has = rows[rows[col].notna()]
                rec[col] = int(has[col].sum()) if len(has) else None
                derived = any(col in d.split(",") for d in has["derived"].fillna(""))
                rec[f"{col}_basis"] = (None if has.empty else
                                       "derived" if derived else "stated")
            out.append(rec)
        df = pd.DataFrame(out, columns=["weapon_class", *[
            c for col in CLASS_FIGURES for c in (col, f"{col}_basis")]])
        return df.astype({col: "Int64" for col in CLASS_FIGURES})

    def to_dict(self) -> dict:
        rows = self.rows.astype(object).where(self.rows.notna(), None)
        classes = self.class_table().astype(object)
        return {
            "night": self.night.isoformat(), "night_basis": self.night_basis,
            "published": self.published, "sha256": self.sha256,
            "time_start": self.time_start, "time_end": self.time_end,
            "rows": rows.to_dict(orient="records"),
            "classes": classes.where(classes.notna(), None).to_dict(orient="records"),
            "unparsed": [{"sentence": s, "reason": r} for s, r in self.unparsed],
            "conflicts": self.conflicts, "regions": self.regions,
            "skipped": [{"sentence": s, "note": r} for s, r in self.skipped],
            "launch_place": self.launch_place,
        }


# ---------------------------------------------------------------- dates and times

_MONTH = "|".join(words.MONTHS_UK + words.MONTHS_RU + words.MONTHS_EN
                  + [m[:3] for m in words.MONTHS_EN])
# "4-5 May", "May 4 to 5": a night told by both its days is named by the second (not "to
# 09:00", a time)
_TO_DAY = r"(?:\s*[-—]\s*|\s+to\s+)(\d{1,2})(?![:.]?\d)"
_DAY_MONTH = rf"(\d{{1,2}})(?:{_TO_DAY})?\s+({_MONTH})\.?"
_MONTH_DAY = rf"({_MONTH})\.?\s+(\d{{1,2}})(?:{_TO_DAY})?"
_NIGHT_UK = re.compile(
    rf"(?:ніч\w*|уночі|вночі|ночь\w*)\s+(?:(?:на|проти|з|із|с)\s+)?(?:\d{{1,2}}\s+на\s+)?"
    rf"(?:[\w']+,\s+)?{_DAY_MONTH}", re.IGNORECASE)
_NIGHT_EN = re.compile(
    rf"(?:night of|overnight on|overnight into|overnight|night into|update on|reported on|"
    rf"on the night of)\s+"
    rf"(?:(?:{_DAY_MONTH})|(?:{_MONTH_DAY}))", re.IGNORECASE)
_WEEKDAY = re.compile(
    rf"(?:ніч\s+(?:на|проти)\s+|\bon\s+|\binto\s+)"
    rf"({'|'.join(words.WEEKDAYS_UK + words.WEEKDAYS_EN + words.WEEKDAYS_UK_GEN)})\b",
    re.IGNORECASE)
_WEEKDAY_NAMES = "|".join(words.WEEKDAYS_UK + words.WEEKDAYS_EN + words.WEEKDAYS_UK_GEN)
# "from 10 pm on Thursday until the early hours of Friday", "до ранку п'ятниці": an attack
# told from one weekday to the next is the night that ends on the second
_WEEKDAY_END = re.compile(
    rf"(?:\buntil|\btill|\bдо)\s+(?:the\s+)?(?:early\s+hours\s+of\s+|morning\s+of\s+|"
    rf"ранку\s+|світанку\s+)?({_WEEKDAY_NAMES})\b", re.IGNORECASE)
# "on Saturday night" (English): the night that begins that evening, ending the next day
_WEEKDAY_NIGHT = re.compile(rf"\b({'|'.join(words.WEEKDAYS_EN)})\s+night\b", re.IGNORECASE)
# "з 18:00 8 липня", "from 18:00 on December 7", "From 7:00 p.m. on Wednesday, January 14"
_START = re.compile(
    rf"(?:\bз|\bіз|from|since|почал\w*\s+(?:з|близько)|розпочал\w*\s+близько)\s+"
    rf"(\d{{1,2}})[:.](\d{{2}})\s*([ap]\.?m\b\.?)?(?:\s+on)?(?:\s+(?:{_WEEKDAY_NAMES}),?)?"
    rf"\s+(?:{_DAY_MONTH}|{_MONTH_DAY})", re.IGNORECASE)
# "з 9:00 10 квітня до 9:00 11 квітня", "from 18:00 on March 3 to 09:00 on March 4": a window
# dated at both ends; the night is named by its end
_DATED_SPAN = re.compile(
    rf"(?:\bз|\bіз|from|\bс)\s+\d{{1,2}}[:.]\d{{2}}(?:\s+on)?\s+(?:{_DAY_MONTH}|{_MONTH_DAY})\s+"
    rf"(?:до|по|to|until|till)\s+(\d{{1,2}})[:.](\d{{2}})(?:\s+on)?\s+(?:{_DAY_MONTH}|{_MONTH_DAY})",
    re.IGNORECASE)
_EVENING = re.compile(rf"(?:із|з|from)\s+вечора\s+{_DAY_MONTH}", re.IGNORECASE)
_SPAN = re.compile(r"\bз\s+(\d{1,2})[:.](\d{2})\s+(?:по|до)\s+(\d{1,2})[:.](\d{2})")
_AS_OF = re.compile(r"(?:станом на|as of|by)\s+(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?m\.?)?",
                    re.IGNORECASE)


def _month_number(name: str) -> int:
    name = name.casefold().rstrip(".")
    for months in (words.MONTHS_UK, words.MONTHS_RU):
        if name in months:
            return months.index(name) + 1
    return next(i + 1 for i, m in enumerate(words.MONTHS_EN) if m.startswith(name))


def _dated(day: int, month: int, published: date) -> date | None:
    """The date of that day and month nearest before (or just after) publication."""
    for year in (published.year, published.year - 1):
        try:
            found = date(year, month, day)
        except ValueError:
            return None
        if found <= published + timedelta(days=1):
            return found
    return None


def _day_month(groups: tuple, published: date) -> date | None:
    g = [x for x in groups if x]
    if not g:
        return None
    if g[0].isdecimal():  # day [- day] month
        day = int(g[1]) if len(g) == 3 else int(g[0])
        return _dated(day, _month_number(g[-1]), published)
    day = int(g[2]) if len(g) == 3 else int(g[1])
    return _dated(day, _month_number(g[0]), published)


def _stated_start(text: str, published: date) -> datetime | None:
    """The start of the attack when the text dates it ("з 18:00 8 липня", "From 7:00 p.m.
    on Wednesday, January 14")."""
    m = _START.search(text)
    day = _day_month(m.groups()[3:], published) if m else None
    if m is None or day is None:
        return None
    hour, meridiem = int(m.group(1)), (m.group(3) or "").casefold()
    if meridiem.startswith("p") and hour < 12:
        hour += 12
    elif meridiem.startswith("a") and hour == 12:
        hour = 0
    if hour > 23:
        return None
    return datetime(day.year, day.month, day.day, hour, int(m.group(2)))


def _span_end(text: str, published: date) -> datetime | None:
    """The end of a window the text dates at both ends ("з 9:00 10 квітня до 9:00 11 квітня")."""
    m = _DATED_SPAN.search(text)
    day = _day_month(m.groups()[8:], published) if m else None
    if m is None or day is None or int(m.group(7)) > 23:
        return None
    return datetime(day.year, day.month, day.day, int(m.group(7)), int(m.group(8)))


def find_night(text: str, published: date) -> tuple[date, str]:
    """The night (by the date it ended) and how it was found: stated, weekday, published."""
    # a sentence of a year's count or the year's largest attack names another night
    text = " ".join(s for s in split_sentences(text) if not _PERIOD.search(s))
    for pattern in (_NIGHT_UK, _NIGHT_EN):
        m = pattern.search(text)
        if m and (found := _day_month(m.groups(), published)):
            return found, "stated"
    if end := _span_end(text, published):
        return end.date(), "stated"
    if start := _stated_start(text, published):
        # no night named, but a dated start: an evening start is the night that follows
        return start.date() + timedelta(days=1 if start.hour >= 12 else 0), "stated"
    if not _WEEKDAY_END.search(text) and (m := _WEEKDAY_NIGHT.search(text)):
        index = words.WEEKDAYS_EN.index(m.group(1).casefold())
        evening = published - timedelta(days=1)
        evening -= timedelta(days=(evening.weekday() - index) % 7)
        return evening + timedelta(days=1), "weekday"
    m = _WEEKDAY_END.search(text) or _WEEKDAY.search(text)
    if m:
        name = m.group(1).casefold()
        index = (words.WEEKDAYS_UK + words.WEEKDAYS_EN + words.WEEKDAYS_UK_GEN).index(name) % 7
        back = (published.weekday() - index) % 7
        return published - timedelta(days=back), "weekday"
    return published, "published"


def find_window(text: str, night: date, published: date) -> tuple[str, str]:
    start, end = (night - timedelta(days=1)).isoformat(), night.isoformat()
    if when := _stated_start(text, published):
        start = when.strftime("%Y-%m-%d %H:%M")
    elif m := _EVENING.search(text):
        if day := _day_month(m.groups(), published):
            start = day.isoformat()
    elif m := _SPAN.search(text):
        hour = int(m.group(1))
        day = night - timedelta(days=1) if hour >= 12 else night
        start = f"{day.isoformat()} {hour:02d}:{m.group(2)}"
        end = f"{night.isoformat()} {int(m.group(3)):02d}:{m.group(4)}"
    if m := _AS_OF.search(text):
        end = f"{night.isoformat()} {int(m.group(1)):02d}:{m.group(2) or '00'}"
    elif until := _span_end(text, published):
        end = until.strftime("%Y-%m-%d %H:%M")
    return start, end


# "28 October 2024", "October 28, 2024": the year after a date is part of it, not a count
_YEAR_AFTER = r",?\s+(?:19|20)\d{2}\b"
_STRIP_DATES = re.compile(
    rf"\b{_DAY_MONTH}(?:{_YEAR_AFTER})?(?!\w)|\b{_MONTH_DAY}\b(?:{_YEAR_AFTER})?|"
    rf"\b(?:19|20)\d{{2}}(?=\s+(?:року|р\.|рік))|"
    r"(?<=,\s)(?:19|20)\d{2}\b|\bin\s+(?:19|20)\d{2}\b|"
    r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s?[ap]\.?m\.?|\b\d+\s?(?:км|km|%)(?!\w)",
    re.IGNORECASE)


# ---------------------------------------------------------------- sentences and tokens

# Emoji and pictographs, as the Air Force's own posts use them: "✔️ 728 ударними БпЛА ...",
# "🔹 7 крилатих ракет", "🇺🇦У ніч на ...". At the start of a line before a number one is a
# list bullet; anywhere else it carries no words.
_PICTOGRAPH = (r"[\u25a0-\u25ff\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff"
               r"\ufe0f\u200d\u20e3]")
_PICTO_BULLET = re.compile(rf"^[ \t]*{_PICTOGRAPH}+[ \t]*(?=\d)", re.MULTILINE)
_PICTOGRAPHS = re.compile(rf"{_PICTOGRAPH}+")


def split_sentences(text: str) -> list[str]:
    text = _PICTOGRAPHS.sub(" ", _PICTO_BULLET.sub("• ", text))
    text = re.sub(r"\b(обл|м|р|смт|вул)\.\s", r"\1 ", text)
    # "7:00 p.m. on Wednesday", "on Feb. 22": abbreviations, not the end of a sentence
    text = re.sub(r"\b([ap])\.m\.(?=\s+[a-z(])", r"\1m", text)
    text = re.sub(r"\b(jan|feb|mar|apr|aug|sept?|oct|nov|dec)\.(?=\s+\d)", r"\1", text,
                  flags=re.IGNORECASE)
    # "(північнокорейські Hwasong-11Ga. - Ред.)": a period inside brackets ends no sentence
    text = re.sub(r"\([^()\n]{0,200}\)", lambda m: m.group(0).replace(". ", " "), text)
    parts = re.split(r"(?<=[.!?…])\s+|(?<=[.!?]\")\s+|\n+", text)
    return [p.strip() for p in parts if p and p.strip(" \"'")]


def tokenize(sentence: str) -> list[str]:
    return _TOKEN.findall(_STRIP_DATES.sub(" ", sentence))


def read_number(tokens: list[str], i: int) -> tuple[int, int] | None:
    """(value, tokens used) of a number at i: digits ("112-ма") or words ("сто двадцять сім")."""
    tok = tokens[i].casefold()
    if tok[0].isdecimal():
        return int(tok.split("-")[0]), 1
    if tok in words.HALF_MORE | words.HALF and i + 1 < len(tokens):
        nxt = tokens[i + 1].casefold()
        base = next((v for stem, v in words.HALF_OF.items() if nxt.startswith(stem)), None)
        share = (3, 2) if tok in words.HALF_MORE else (1, 2)
        return (base * share[0] // share[1], 2) if base else None
    total, current, j = 0, 0, i
    while j < len(tokens):
        w = tokens[j].casefold()
        if w in words.NUMBER_WORDS:
            current += words.NUMBER_WORDS[w]
        elif w == words.HUNDRED_EN and current:
            current *= 100
        elif w in words.THOUSANDS:
            total, current = total + max(current, 1) * 1000, 0
        elif w == "and" and j > i and _is_number(tokens, j + 1):
            pass  # "one hundred and twenty"
        else:
            break
        j += 1
    return (total + current, j - i) if j > i else None


# ---------------------------------------------------------------- roles

def _role_of(token: str) -> str | None:
    key = token.casefold()
    for part in key.split("/"):
        for role, pattern in _ROLES.items():
            if pattern.match(part):
                return role
    return None


def role_positions(tokens: list[str]) -> list[tuple[int, str]]:
    """(index, role) of the verbs and nouns that give figures a role; a negated verb, a
    relative clause ("that Russia launched") and a participle ("запущених") give none."""
    found: list[tuple[int, str]] = []
    for i, tok in enumerate(tokens):
        role = _phrase_role(tokens, i) or _role_of(tok)
        before = {t.casefold() for t in tokens[max(0, i - 2):i]}
        if _REACH.match(tok.casefold()) and before & (_NEGATIONS | _FAILED):
            found.append((i, "not_reach_goal"))
            continue
        if _unsaid(tokens, i, before):
            found.append((i, "negated"))  # "without saying what happened to the missile"
            continue
        if role is None:
            continue
        if before & (_NEGATIONS | _FAILED):
            # "не вдалось вразити", "were not destroyed", "failed to stop only four drones"
            found.append((i, "negated"))
            continue
        if _gives_no_role(tokens, i, role) or _launched_from(tokens, i, role):
            continue
        if role == "launched" and tok.casefold().startswith("вдари") and _has_location(tokens):
            role = "hit"
        if role == "hit" and _struck_with(tokens, i):
            role = "launched"
        if tok.casefold() in _INCLUDING and found and found[-1][1] != "negated":
            role = found[-1][1]  # "intercepted 20 targets, including one Kinzhal": shot down
        found.append((i, role))
    return [(i, r) for i, r in found if not _weak_beside_other(tokens, found, i)]


def _launched_from(tokens: list[str], i: int, role: str) -> bool:
    """"a Kh-59 from the airspace of the occupied Zaporizhzhia region": where a missile was
    launched from, not one still airborne."""
    before = {t.casefold() for t in tokens[max(0, i - 2):i]}
    return role == "still_attacking" and bool(before & {"from", "из", "со"})


def _struck_with(tokens: list[str], i: int) -> bool:
    """"struck Ukraine with Shaheds and a missile", "hit Dnipro with seven Kh-101": the verb
    with "with" a few words after it, weapons following, names what the attack used."""
    if tokens[i].casefold() not in _STRIKE_VERBS:
        return False
    after = [t.casefold() for t in tokens[i + 1:i + 1 + _STRUCK_WITH]]
    if "with" not in after:
        return False
    rest = tokens[i + 2 + after.index("with"):i + 2 + after.index("with") + _STRUCK_WITH]
    return any(words.weapon_terms(t) for t in rest)


def _unsaid(tokens: list[str], i: int, before: set[str]) -> bool:
    """"without saying what happened to ...", "did not specify", "не уточнили": what the
    text says the Air Force did not report gives no figure."""
    low = tokens[i].casefold()
    if low == "without":
        return i + 1 < len(tokens) and bool(_SAY.match(tokens[i + 1].casefold()))
    return bool(_SAY.match(low)) and bool(before & _NEGATIONS)


# "зафіксовано 49 ...", "Повітряні сили виявили 127 ворожих ракет": a count of those detected
_RECORDED = re.compile(r"зафіксован|зафиксирован|виявил|виявлен|выявил|выявлен|обнаружил|"
                       r"обнаружен")


def _phrase_role(tokens: list[str], i: int) -> str | None:
    """The role of a word that has one only with its neighbours: "take down", "left the
    airspace", "in the air"."""
    low = tokens[i].casefold()
    if low in _TAKE and i + 1 < len(tokens) and tokens[i + 1].casefold() == "down":
        return "destroyed"
    if low == "down" and i and tokens[i - 1].casefold() in _TO_DOWN and not {
            t.casefold() for t in tokens[max(0, i - 4):i]} & (_NEGATIONS | _FAILED | {"unable"}):
        return "destroyed"  # "managed to down nine of the drones" ("was not able to down": none)
    if low == "left" and _LEFT_FOR.search(" ".join(tokens[i + 1:i + 7]).casefold()):
        return "left"  # "2 — left the controlled airspace in the direction of Belarus"
    if low == "air" and [t.casefold() for t in tokens[max(0, i - 2):i]] == ["in", "the"]:
        return "still_attacking"  # "one remaining drone in the air" (not "Air Force")
    if _role_of(low) == "destroyed" and _OFF_COURSE.match(" ".join(tokens[i + 1:i + 3]).casefold()):
        return "not_reach_goal"  # "ще 51 БПЛА збили з курсу": knocked off course, lost
    if _DETECTED.match(low) and _counts_means(tokens, i):
        return "launched"
    if _RECORDED.match(low) and i + 1 < len(tokens) and _is_number(tokens, i + 1):
        return "launched"  # "зафіксовано 49 ворожих БпЛА" (not "зафіксовано влучання 7")
    return None


def _counts_means(tokens: list[str], i: int) -> bool:
    """"зафіксовано та супроводжено 458 засобів повітряного нападу", "40 means of air attack
    were recorded": means of attack detected are those launched (the list after the colon
    counts them by type); "зафіксовано влучання" has no such count."""
    lo, hi = _clause_bounds(tokens, i)
    return any(_is_number(tokens, k) and _total_follows(tokens, k + 1) for k in range(lo, hi))


def _gives_no_role(tokens: list[str], i: int, role: str) -> bool:
    """A role word that describes rather than counts: a launch verb in a relative clause or
    as a participle, "hit" not after "were" (nor before "with" and weapons), "flew" not on
    the way out."""
    low = tokens[i].casefold()
    if role == "launched" and (_relative(tokens, i) or _PARTICIPLES.match(low)):
        return True
    if low == _USED and i and words.weapon_terms(tokens[i - 1]):
        return True
    # "18 missiles fired at Ukraine ... were shot down", "a drone, launched from Russia, was
    # also shot down": the participle follows its weapon, a comma between or not
    prev = i - 2 if i > 1 and tokens[i - 1] == "," else i - 1
    if low in _PARTICIPLE_EN and prev >= 0 and words.weapon_terms(tokens[prev]) and any(
            _role_of(t) not in (None, "launched") for t in tokens):
        return True
    before = {t.casefold() for t in tokens[max(0, i - 3):i]}
    if low == "hit" and not before & {"were", "was", "been"} and not _struck_with(tokens, i):
        return True
    return low.startswith(("полеті", "flew")) and not _AWAY.search(
        " ".join(tokens[i + 1:i + 5]).casefold())


def _weak_beside_other(tokens: list[str], found: list[tuple[int, str]], i: int) -> bool:
    if not _WEAK_ROLES.match(tokens[i].casefold()):
        return False
    lo, hi = _clause_bounds(tokens, i)
    return any(lo <= j < hi and j != i and not _WEAK_ROLES.match(tokens[j].casefold())
               for j, _ in found)


def _relative(tokens: list[str], i: int) -> bool:
    """A launch verb in a relative clause on weapons ("drones that Russia launched",
    "ракети, якими ворог атакував") describes them; "said that Russia launched" does not."""
    for j in range(max(0, i - 3), i):
        low = tokens[j].casefold()
        if low in _RELATIVE_ALWAYS:
            return not _counts_after(tokens, j, i)
        if low in _DESCRIPTIVE and j and (words.weapon_terms(tokens[j - 1]) or (
                tokens[j - 1] == "," and j > 1 and words.weapon_terms(tokens[j - 2]))):
            return True  # "безпілотників, що ворог спрямував на ...": describes them
    return False


def _counts_after(tokens: list[str], pronoun: int, verb: int) -> bool:
    """"військових, які застосували 38 ударних безпілотників": a relative clause on the
    attackers, not on weapons, whose verb a number follows, counts what it names."""
    before = tokens[max(0, pronoun - 4):pronoun]
    if any(words.weapon_terms(t) for t in before):
        return False
    return any(_is_number(tokens, k) for k in range(verb + 1, min(len(tokens), verb + 3)))


def _has_location(tokens: list[str]) -> bool:
    return any(_LOCATION.match(t.casefold()) for t in tokens)


def _clause_bounds(tokens: list[str], i: int) -> tuple[int, int]:
    """A clause ends at punctuation; a dash does not end it ("два — вийшли з ...")."""
    lo = i
    while lo > 0 and tokens[lo - 1] not in _CLAUSE_END:
        lo -= 1
    hi = i
    while hi < len(tokens) and tokens[hi] not in _CLAUSE_END:
        hi += 1
    return lo, hi


def role_at(tokens: list[str], roles: list[tuple[int, str]], i: int) -> str | None:
    """The role of a figure at i: the nearest role word of its clause, else the nearest
    before it in the sentence, else the nearest after it."""
    lo, hi = _clause_bounds(tokens, i)
    inside = [(abs(j - i) + (0.5 if j > i else 0), r) for j, r in roles if lo <= j < hi]
    if inside:
        role = min(inside)[1]
        return None if role == "negated" else role
    roles = [(j, r) for j, r in roles if r != "negated"]
    before = [(i - j, r) for j, r in roles if j < i]
    if before:
        return min(before)[1]
    after = [(j - i, r) for j, r in roles if j > i]
    return min(after)[1] if after else None


# ---------------------------------------------------------------- weapons

def _resolve(matches: list[tuple[words.Term, bool]], last: dict[str, str]) -> tuple[str, tuple]:
    """The model a weapon phrase names: a named type before a class adjective before a bare
    noun; a bare "missile" is the one missile model named before it, if there is one."""
    notes = tuple("misspelt weapon name" for _, fuzzy in matches if fuzzy)[:1]
    types = list(dict.fromkeys(t.model for t, _ in matches if t.role == "type"))
    if len(types) > 1 and "Unknown UAV" in types:
        # "ракети оперативно-тактичного комплексу «Іскандер-М»": the named type
        types.remove("Unknown UAV")
    if len(types) > 1:
        joined = "/".join(types)
        if classify(joined, warn=False).known:
            return joined, notes
        return types[0], notes
    if types == ["Unknown UAV"] and any(t.model == "Unknown Missile" for t, _ in matches):
        return "Unknown Missile", notes  # "2 ракети невстановленого типу": missiles, not drones
    if types:
        return types[0], notes
    classes = [t.model for t, _ in matches if t.role == "class"]
    if classes:
        return classes[0], notes
    head = matches[0][0].model
    if head == "Unknown Missile" and last.get("missile"):
        return last["missile"], (*notes, _EARLIER_MISSILE)
    if classify(head, warn=False).kind == "drone":
        return head, (*notes, _NO_TYPE)
    return head, notes


def weapon_after(tokens: list[str], start: int) -> tuple[list, bool]:
    """Vocabulary matches of the weapon phrase that follows a number, and whether the
    phrase names something else (regions, locations, hours) instead."""
    matches, other, _ = weapon_phrase(tokens, start)
    return matches, other


def weapon_phrase(tokens: list[str], start: int) -> tuple[list, bool, bool]:
    """As `weapon_after`, and whether "and" joined two named types in it."""
    matches: list = []
    joined = False
    end = min(len(tokens), start + 9)
    j = start - 1
    while j + 1 < end:
        j += 1
        tok = tokens[j]
        low = tok.casefold()
        if low in _CONJ and matches and (_another_type(matches, tokens, j + 1)
                                         or _another_class(matches, tokens, j + 1)):
            joined = True  # "25 крилатих ракет «Калібр» та Х-101/Х-555": one total of both
            end = min(len(tokens), max(end, j + 3))  # the type after "and" (past a quote)
            continue
        if tok == "," and _class_named(matches) and _another_type(matches, tokens, j + 1):
            joined = True  # "34 крилаті ракети «Іскандер-К», «Калібр» та Х-101": a list
            end = min(len(tokens), max(end, j + 3))
            continue
        if _ends_phrase(tok, matches, j > start):
            break
        if low in ("or", "або"):  # "Iskander-M or KN-23"
            continue
        if low[0].isdecimal() or low in words.NUMBER_WORDS:
            break
        found = words.weapon_terms(tok)
        if not found and _role_of(low):
            break
        if not found and not matches and (_STOP_NOUNS.match(low) or _LOCATION.match(low)):
            return [], True, False
        if found and j + 1 < len(tokens) and _CARRIER.match(tokens[j + 1].casefold()):
            return [], True, False  # "two small missile boats": the boats, not missiles
        matches += found
    return matches, False, joined


def _ends_phrase(tok: str, matches: list, words_between: bool) -> bool:
    """Punctuation, "and" after a weapon, or a dash after words that name none: "ще один
    ескалаційний крок - шахеди діяли ..." counts the words before the dash ("250 - Shahed",
    the dash right after the number, is a count of the type after it)."""
    if tok in _PUNCT - {"(", ")"} or (tok.casefold() in _CONJ and matches):
        return True
    return tok in _DASHES and not matches and words_between


def _class_named(matches: list) -> bool:
    """Whether a class word ("крилаті ракети", "cruise missiles") came before the types."""
    return any(t.role == "class" for t, _ in matches) and any(t.role == "type" for t, _ in matches)


def _another_type(matches: list, tokens: list[str], j: int) -> bool:
    """Whether the token at j (past a quote) names a type other than those matched."""
    while j < len(tokens) and tokens[j] in ('"', "'"):
        j += 1
    if j >= len(tokens):
        return False
    named = {t.model for t, _ in matches if t.role == "type"}
    found = {t.model for t, _ in words.weapon_terms(tokens[j]) if t.role == "type"}
    return bool(named and found - named)


def _another_class(matches: list, tokens: list[str], j: int) -> bool:
    """"ballistic and cruise missiles", "крилатих та балістичних ракет": class words alone,
    joined, before one noun (a number between, "20 крылатых, 9 баллистических", is apart)."""
    if j >= len(tokens) or any(t.role != "class" for t, _ in matches):
        return False
    named = {t.model for t, _ in matches}
    found = {t.model for t, _ in words.weapon_terms(tokens[j]) if t.role == "class"}
    return bool(found - named)


def _classes_total(matches: list) -> tuple[str, tuple] | None:
    """A figure of two missile classes joined ("93 ballistic and cruise missiles"): a total
    of both, of no one class."""
    classes = list(dict.fromkeys(t.model for t, _ in matches if t.role == "class"))
    if len(classes) < 2 or any(classify(c, warn=False).kind != "missile" for c in classes):
        return None
    return "Unknown Missile", (_TOTAL_OF + " + ".join(classes),)


def _types_total(matches: list) -> tuple[str, tuple] | None:
    """A figure of two named types joined by "and", with no joined model of that name: a
    total of both, counted on their class and taken apart when each is counted alone."""
    types = list(dict.fromkeys(t.model for t, _ in matches if t.role == "type"))
    if len(types) < 2:
        return None
    classes = {classify(t, warn=False).weapon_class for t in types}
    generic = next((g for g in _GENERIC if {classify(g, warn=False).weapon_class} == classes),
                   "Unknown Missile")
    if any(classify(t, warn=False).kind != "missile" for t in types):
        return None
    return generic, (_TOTAL_OF + " + ".join(types),)


# ---------------------------------------------------------------- figures of a sentence

@dataclass
class _State:
    """What earlier sentences named, for "з них", "the missile", "усі їх"."""

    last: dict[str, str] = field(default_factory=dict)  # kind -> last model named
    last_model: str | None = None
    hit_locations: int | None = None
    fragment_locations: int | None = None
    hit_model: str | None = None
    models: list[str] = field(default_factory=list)  # every model named, in order
    # the previous sentence's last role and figures, for a breakdown with no verb after it
    last_role: str | None = None
    last_mentions: list[Mention] = field(default_factory=list)
    listing: bool = False  # the sentences so far are a list under a header ending in ":"
    recalled: bool = False  # the text is telling of an earlier attack ("two weeks ago")
    # the first total of all weapons in each role ("ППО збила 133 цілі"), not counted as a
    # weapon; `_only_weapon_total` gives it to the weapon when only one is named
    totals: dict[str, int] = field(default_factory=dict)
    # read "понад 400", "майже 20" as figures too (noted "approximate"): a statement's rows
    # want exact figures, an article's claims are often rounded
    approximate: bool = False
    # every total of all weapons read (value, role, sentence), counted or not
    all_totals: list[tuple[int, str | None, int]] = field(default_factory=list)

    def remember(self, model: str) -> None:
        self.last[classify(model, warn=False).kind] = model
        self.last_model = model
        if model not in self.models:
            self.models.append(model)


# "a 14-year-old girl", "14-річна", "14-летняя": an age, not a count
_AGE = re.compile(r"\d+-(?:year|річ|рiч|літ|лет)")


def _is_number(tokens: list[str], j: int) -> bool:
    if j >= len(tokens):
        return False
    low = tokens[j].casefold()
    if _AGE.match(low):
        return False
    return (tokens[j][0].isdecimal() or low in words.NUMBER_WORDS
            or (low in words.HALF_MORE | words.HALF and read_number(tokens, j) is not None))


def _qualifier(tokens: list[str], i: int) -> str | None:
    prev = tokens[i - 1].casefold() if i else ""
    prev2 = " ".join(t.casefold() for t in tokens[max(0, i - 2):i])
    if prev in _APPROX or prev2.endswith(("more than", "не менше")):
        return "approximate"
    if prev2 == "the other":
        return "reference"  # "what happened to the other 27 drones"
    if prev in _REFERENCE and (i < 2 or tokens[i - 2].casefold() in _OF | {"to", "до"}
                               or prev != "the"):
        return "reference"  # "Of the 132 drones", "what happened to the two missiles"
    if prev == "до" or prev2 == "up to":
        return "up to"
    if prev == "щонайменше" or prev2 == "at least":
        return "at least"
    return None


# "52 вражеских дрона из 110": the words of the weapon between the two numbers
_OF_WEAPON_WORDS = 4


# "a wave of 179 drones", "хвиля з 50 дронів", "волна из 40 дронов": the attack, launched
_WAVE = re.compile(r"\b(?:wave|хвил|волн)", re.IGNORECASE)
# "17 more" told after the number: an addition, not summed with a figure of its sentence
# ("42 drones while 21 more decoy UAVs caused no damage")
_ADDED = "an addition"


def _more_after(tokens: list[str], i: int) -> bool:
    """"shoots down 17 more Russian drones": a number told as an addition (not "more than")."""
    return i + 1 < len(tokens) and tokens[i + 1].casefold() == "more" and not (
        i + 2 < len(tokens) and tokens[i + 2].casefold() == "than")


def _of_number(tokens: list[str], after: int) -> tuple[int | None, int]:
    """"17 із 22", "one of four", "eight of the ten": the second number and the tokens it
    takes."""
    skip = 1 if after < len(tokens) and tokens[after].casefold() == "out" else 0  # "out of"
    at = after + skip
    if at >= len(tokens) or tokens[at].casefold() not in _OF:
        return None, 0
    the = 1 if at + 1 < len(tokens) and tokens[at + 1].casefold() == "the" else 0
    if _is_number(tokens, at + 1 + the):
        number = read_number(tokens, at + 1 + the)
        assert number is not None  # _is_number found one here
        value, used = number
        return value, skip + 1 + the + used
    # "44 из более чем 50", "30 of over 40": a bound, no launch figure, but its words taken
    k = at + 1
    while k < len(tokens) and tokens[k].casefold() in _APPROX | _MORE_THAN:
        k += 1
    if k > at + 1 and _is_number(tokens, k):
        number = read_number(tokens, k)
        assert number is not None  # _is_number found one here
        return None, k - after + number[1]
    return None, 0


def _total_follows(tokens: list[str], after: int) -> bool:
    """"50 повітряних цілей", "40 means of air attack": a total of all weapons; the words
    after a verb are not ("24 ударні безпілотники досягли цілей")."""
    window = []
    for tok in tokens[after:after + 4]:
        if _DECOY_TARGETS.search(tok.casefold()):
            continue  # "598 ударных беспилотников и целей-имитаторов": decoys, drones
        # "до десяти ракет не достигли цели": the target not reached is no total
        if _role_of(tok) or _REACH.match(tok.casefold()) or tok.casefold() in _NEGATIONS:
            break
        window.append(tok)
    return _TOTALS.search(" ".join(window).casefold()) is not None


def _missiles_and_drones(tokens: list[str], after: int) -> bool:
    """"a total of 51 missiles and drones": one number for a missile noun and a drone noun
    joined right after it, neither typed, is a total of all weapons (not counted); "23
    drones and a cruise missile" is not."""
    for j in range(after, min(len(tokens) - 2, after + 4)):
        first = words.weapon_terms(tokens[j])
        if not first:
            continue
        second = words.weapon_terms(tokens[j + 2])
        if tokens[j + 1].casefold() not in _CONJ or not second:
            return False
        terms = [t for t, _ in first + second]
        kinds = {classify(t.model, warn=False).kind for t in terms}
        return kinds == {"missile", "drone"} and all(t.role == "head" for t in terms) and \
            tokens[j + 2].casefold() not in _ONE_WEAPON
    return False


def _broken_down(tokens: list[str], after: int) -> bool:
    """"shot down/suppressed 718: ...", "33 ракети: 18 Х-101, 4 Іскандер-К ...": a number,
    then a colon, or its weapon's words, a colon and a number of a named type: a total broken
    down after it ("74 drones: 64 of them were shot down ..." is split otherwise)."""
    if after < len(tokens) and tokens[after] == ":":
        return True
    for k in range(after, min(len(tokens), after + 4)):
        if tokens[k] == ":":
            typed = words.weapon_terms(tokens[min(k + 2, len(tokens) - 1)])
            return _is_number(tokens, k + 1) and any(t.role == "type" for t, _ in typed)
        if not words.weapon_terms(tokens[k]) and tokens[k] not in _DASHES_QUOTES:
            return False
    return False


def _units_of_all(tokens: list[str], after: int) -> bool:
    """"загалом 107 одиниць повітряних цілей": units of all weapons, a total."""
    return after < len(tokens) and tokens[after].casefold() in _UNITS and \
        _total_follows(tokens, after + 1)


class _Reader:
    """The figures of one sentence, and notes on numbers read but not counted."""

    def __init__(self, tokens: list[str], n: int, state: _State):
        self.tokens, self.n, self.state = tokens, n, state
        self.roles = role_positions(tokens)
        # a breakdown with no verb of its own counts in the role of the sentence before it
        own = [r for _, r in self.roles if r != "negated"]
        self.breakdown = not own and bool(state.last_role) and _breakdown(tokens)
        # "- 39-ма ударними безпілотниками типу Shahed;" under "... атакували Україну:"
        listed = not own and bool(state.last_role) and state.listing and _item(tokens)
        # "... attacked with Iranian Shahed UAVs. A total of 35 attack drones.": a total with
        # no verb after a sentence whose launch verb counted nothing is that verb's count
        summed = not own and state.last_role == "launched" and not state.last_mentions and \
            _total_opener(tokens)
        if (self.breakdown or listed or summed) and state.last_role:
            self.roles = [(0, state.last_role)]
        elif not own and (there := _there_were(tokens)) is not None:
            # "за цю ніч було 242 дрони, ... 22 крилаті ракети": the night's count, launched
            self.roles = [(there, "launched")]
        self.mentions: list[Mention] = []
        self.skipped: list[str] = []
        self.excepted, self.except_span = self._excepted()
        self.in_doubt = self._after_but()

    def _excepted(self) -> tuple[list[str], range]:
        """"All the projectiles, except for the Iskander-M missile, were shot down": the
        models after "except" up to the end of the clause."""
        at = next((j for j, t in enumerate(self.tokens) if t.casefold() in _EXCEPT
                   and self.tokens[j + 1:j + 2] != [] and
                   self.tokens[j + 1].casefold() not in _BESIDES_THAT), None)
        if at is None:
            return [], range(0)
        _, hi = _clause_bounds(self.tokens, at)
        matches = [m for t in self.tokens[at + 1:hi] for m in words.weapon_terms(t)]
        models = [_resolve(matches, self.state.last)[0]] if matches else []
        return models, range(at, hi)

    def _after_but(self) -> set[str]:
        """"Усі цілі збили, але наслідки пуску «Іскандер-М» уточнюються": a model named after
        "but" is not one that "all" says was shot down."""
        at = next((j for j, t in enumerate(self.tokens) if t.casefold() in _BUT), None)
        if at is None:
            return set()
        return {_resolve([m], self.state.last)[0]
                for t in self.tokens[at + 1:] for m in words.weapon_terms(t)}

    def read(self) -> _Reader:
        i = 0
        while i < len(self.tokens):
            i += 1 if i in self.except_span else max(self._at(i), 1)
        return self

    def _add(self, model: str, role: str, figure: Figure, launched: Figure | None = None):
        self.mentions.append(Mention(model, role, figure, self.n, launched))
        self.state.remember(model)
        if role == "hit" and self.state.hit_model is None:
            self.state.hit_model = model

    def _at(self, i: int) -> int:
        low = self.tokens[i].casefold()
        if low in _ALL | _BOTH:
            return self._all_or_both(i)
        if low == "every" and self.tokens[i + 1:i + 2] and self.tokens[i + 1].casefold() == "one":
            return self._every_one(i)
        if low in _SINGULAR_MISSILE or low.endswith(_SINGULAR_COMPOUND):
            return self._singular(i)
        if low in _MISSILE_GENITIVE and self._one_missile_hit(i):
            return 1
        if low in _A and not (i and self.tokens[i - 1].casefold() == "of") and self._a_drone(i):
            return 1
        if _SINGULAR_ADJECTIVE.search(low) and self._elided_missile(i):
            return 1
        if not _is_number(self.tokens, i):
            return 1
        return self._number_at(i)

    def _number_at(self, i: int) -> int:
        """A number at i: counted, set aside (approximate, a total broken down) or read with
        a second number; the tokens it takes."""
        number = read_number(self.tokens, i)
        assert number is not None  # _is_number found one here
        value, used = number
        qualifier = _qualifier(self.tokens, i)
        after = i + used
        if qualifier in (None, "reference") and (
                taken := self._of_total_first(i, value, after)) is not None:
            return taken
        if qualifier == "reference" or (qualifier == "approximate"
                                         and not self.state.approximate):
            self.skipped.append(f"{qualifier} figure {self.tokens[i]} not counted")
        elif _broken_down(self.tokens, after):
            self.skipped.append(f"total {value} (broken down after the colon) not counted")
        else:
            of_value, of_used = _of_number(self.tokens, after)
            if not of_used and (past := self._of_after_weapon(after)):
                of_value, taken = past  # "сбить 52 вражеских дрона из 110"
                self._number(i, after, value, of_value, qualifier)
                return taken - i
            self._number(i, after + of_used, value, of_value, qualifier)
            return used + of_used
        return used

    def _of_after_weapon(self, after: int) -> tuple[int, int] | None:
        """"52 вражеских дрона из 110", "23 Shahed drones out of 24": "of" and a second number
        right past the weapon the first number counts. The second number and the index past
        it, or None."""
        j = after
        while j < min(len(self.tokens), after + _OF_WEAPON_WORDS):
            low = self.tokens[j].casefold()
            if low in _OF or low == "out":
                break
            if _is_number(self.tokens, j) or self.tokens[j] in _CLAUSE_END:
                return None
            j += 1
        if not any(words.weapon_terms(t) for t in self.tokens[after:j]):
            return None
        value, used = _of_number(self.tokens, j)
        if value is None:
            return None
        return value, j + used

    def _of_total_first(self, i: int, value: int, after: int) -> int | None:
        """"З 17 дронів 14 знищено", "Of the 17 drones, 14 were shot down": a clause that
        opens with "of" and a number of weapons, then a second number: the first is how many
        were launched, the second the figure in the clause's role. The tokens taken, or None."""
        k = i - 1 - (i > 1 and self.tokens[i - 1].casefold() == "the")
        if k < 0 or self.tokens[k].casefold() not in _OF or (k and self.tokens[k - 1]
                                                               not in _CLAUSE_END | {'"'}):
            # (a quotation opens a clause too: '"З шести ракет чотири знищила ППО')
            return None
        start = after
        while start < len(self.tokens) and _PARTICIPLES.match(self.tokens[start].casefold()):
            start += 1  # "Із 30 запущених дронів"
        weapon = self._weapon(start)
        verbs = dict(self.roles)
        j = after
        while j < min(len(self.tokens), after + _OF_TOTAL_WORDS) and not _is_number(
                self.tokens, j):
            # "из 43 ракет удалось сбить 36": a shooting-down verb right before the second
            # number is that number's; "з 9 ракетоносців ... випустив 30": no such pair
            if self.tokens[j] in _CLAUSE_END - {","} or (j in verbs and not (
                    verbs[j] == "destroyed" and _is_number(self.tokens, j + 1))):
                return None
            j += 1
        if weapon is None or not _is_number(self.tokens, j):
            return None
        second = read_number(self.tokens, j)
        assert second is not None  # _is_number found one here
        role = role_at(self.tokens, self.roles, j)
        if role is None:
            return None
        model, notes = weapon
        launched = Figure(value, "stated", notes) if role == "destroyed" else None
        self._add(model, role, Figure(second[0], "stated", notes), launched)
        return j + second[1] - i

    def _weapon(self, after: int) -> tuple[str, tuple] | None:
        """The model the words after a number name, or the one named before ("з них")."""
        matches, other, joined = weapon_phrase(self.tokens, after)
        if other or (matches and _total_follows(self.tokens, after)) or _missiles_and_drones(
                self.tokens, after):
            return None
        if matches:
            return (joined and (_types_total(matches) or _classes_total(matches))) or \
                self._earlier_of_class(
                *_resolve(matches, self.state.last))
        if not _inherits(self.tokens, after) or _units_of_all(self.tokens, after):
            return None
        lo, _ = _clause_bounds(self.tokens, after - 1)
        before = [m for t in self.tokens[lo:after - 1] for m in words.weapon_terms(t)]
        if before:  # "а безпілотник не вдалось вразити лише один"
            return _resolve(before, self.state.last)[0], (_NAMED_EARLIER,)
        if named := self._named_uncounted(lo):
            return named, (_NAMED_EARLIER,)
        if self.state.last_model:
            return self.state.last_model, (_NAMED_EARLIER,)
        return None

    def _named_uncounted(self, lo: int) -> str | None:
        """"the missiles, of which it shot down two, ..., while the drones, of which 11 were
        downed": the weapon named last before the clause at lo, in a clause of no number
        (a weapon counted where it is named is the one the rules remember anyway)."""
        j = lo - 1
        while j >= 0 and not words.weapon_terms(self.tokens[j]):
            j -= 1
        if j < 0:
            return None
        start, _ = _clause_bounds(self.tokens, j)
        while start > 1 and self.tokens[start - 1] == "," and words.weapon_terms(
                self.tokens[start - 2]):
            # "70 cruise missiles of the X-101, X-555 types and Kalibr": one list, one clause
            start, _ = _clause_bounds(self.tokens, start - 2)
        if any(_is_number(self.tokens, k) for k in range(start, j + 1)):
            return None
        k = j
        while k > start and words.weapon_terms(self.tokens[k - 1]):
            k -= 1
        matches = [m for t in self.tokens[k:j + 1] for m in words.weapon_terms(t)]
        return _resolve(matches, self.state.last)[0]

    def _earlier_of_class(self, model: str, notes: tuple) -> tuple[str, tuple]:
        """"17 крилатих ракет Х-101/Х-555 ... знищено 14 крилатих ракет": a missile class
        named after a type of that class is that type (a launch of the class is a new
        figure: `_number` turns it back)."""
        last = self.state.last.get("missile")
        if model not in ("Cruise Missile", "Ballistic Missile") or not last or last in _GENERIC:
            return model, notes
        if classify(last, warn=False).weapon_class != classify(model, warn=False).weapon_class:
            return model, notes
        return last, (*notes, _EARLIER_CLASS + model)

    def _number(self, i: int, after: int, value: int, of_value, qualifier) -> None:
        weapon = self._weapon(after)
        if weapon is None:
            self._not_weapon(i, after, value)
            return
        model, notes = weapon
        role = role_at(self.tokens, self.roles, i)
        if role is None:
            self.skipped.append(f"{value} {model}: no verb gives it a role")
            return
        if role == "hit" and _WAVE.search(" ".join(self.tokens[max(0, i - 4):i])):
            role = "launched"  # "a wave of at least 179 ... drones ... struck four regions"
        if role == "launched" and _EARLIER_MISSILE in notes:
            # "13 missiles" launched is a new figure, not the missile named before it.
            model, notes = "Unknown Missile", tuple(n for n in notes if n != _EARLIER_MISSILE)
        earlier = [n for n in notes if n.startswith(_EARLIER_CLASS)]
        if earlier and role == "launched":
            model = earlier[0].removeprefix(_EARLIER_CLASS)
            notes = tuple(n for n in notes if n not in earlier)
        notes = notes + ((qualifier,) if qualifier else ())
        if i and self.tokens[i - 1].casefold() in _MORE:
            notes = (*notes, "more")
        elif _more_after(self.tokens, i):
            notes = (*notes, _ADDED)
        launched = Figure(of_value, "stated", notes) if of_value and role == "destroyed" else None
        self._add(model, role, Figure(value, "stated", notes), launched)
        if {t.casefold() for t in self.tokens[max(0, i - 2):i]} & _PART_OF or _among_which(
                self.tokens, i):
            self.mentions[-1].part_of = next(
                (m for m in reversed(self.mentions[:-1]) if m.role == role), None)
        if self.breakdown and self.mentions[-1].part_of is None:
            # "51 ракету і 653 дрони. Серед ракет — три «Кинджали»": part of the figure of its kind
            kind = classify(model, warn=False).kind
            earlier = [m for m in reversed(self.state.last_mentions) if m.role == role]
            self.mentions[-1].part_of = next(
                (m for m in earlier if classify(m.model, warn=False).kind == kind),
                next(iter(earlier), None))

    def _not_weapon(self, i: int, after: int, value: int) -> None:
        if _total_follows(self.tokens, after):
            self.skipped.append(f"total {value} of all weapons not counted")
            # "107 одиниць повітряних цілей, серед яких були ударні безпілотники": a total
            # whose sentence names a weapon is of that weapon and others
            role = role_at(self.tokens, self.roles, i)
            self.state.all_totals.append((value, role, self.n))
            # (weapons of another role, "... зафіксовано попадание 27 дронов", are not in it)
            named = any(words.weapon_terms(t) and role_at(self.tokens, self.roles, k) == role
                        for k, t in enumerate(self.tokens))
            if role in ("launched", "destroyed") and not named:
                self.state.totals.setdefault(role, value)
        elif after < len(self.tokens) and _LOCATION.match(self.tokens[after].casefold()):
            lo, hi = _clause_bounds(self.tokens, i)
            if _FRAGMENTS.search(" ".join(self.tokens[lo:hi]).casefold()):
                self.state.fragment_locations = self.state.fragment_locations or value
            else:
                self.state.hit_locations = self.state.hit_locations or value

    def _all_or_both(self, i: int) -> int:
        """"усі 20 шахедів збито", "all of them", "both missiles"."""
        model: str | None
        role = role_at(self.tokens, self.roles, i)
        # "all of the 23 drones" as "all 23 drones"
        gap = 2 if [t.casefold() for t in self.tokens[i + 1:i + 3]] == ["of", "the"] else 0
        if _is_number(self.tokens, i + 1 + gap):
            number = read_number(self.tokens, i + 1 + gap)
            assert number is not None  # _is_number found one here
            value, used = number
            matches, _ = weapon_after(self.tokens, i + 1 + gap + used)
            if matches and role == "destroyed":
                model, notes = _resolve(matches, self.state.last)
                self._add(model, role, Figure(value, "stated", (*notes, _ALL_OF)),
                          Figure(value, "derived", ("all",)))
                return 1 + gap + used
            return 1
        matches, _ = weapon_after(self.tokens, i + 1)
        if not matches:  # "Ракети були збиті усі": the weapon named before, in the clause
            lo, _ = _clause_bounds(self.tokens, i)
            matches = [m for t in self.tokens[lo:i] for m in words.weapon_terms(t)]
        if role == "destroyed" and not matches and self._everything(i):
            for model in [m for m in self.state.models if m not in self.in_doubt]:
                excepted = model in self.excepted
                figure = Figure(0, "stated", ("except",)) if excepted else Figure(
                    -1, "derived", ("all",))
                self._add(model, role, figure)
            return 1
        if role == "destroyed" and self._all_of_kind(matches):
            return 1
        model = _resolve(matches, self.state.last)[0] if matches else self.state.last_model
        if role == "destroyed" and model is not None:
            both = self.tokens[i].casefold() in _BOTH
            figure = Figure(2, "stated", ("both",)) if both else Figure(-1, "derived", ("all",))
            self._add(model, role, figure)
        return 1

    def _all_of_kind(self, matches: list) -> bool:
        """"Усі ракети, крім Іскандер-М, збито" after two missile types: "all" and a noun of no
        type stand for every model of that kind named before, but those excepted."""
        if not matches or any(t.role == "type" for t, _ in matches):
            return False
        kind = classify(matches[0][0].model, warn=False).kind
        models = [m for m in self.state.models if m not in self.in_doubt
                  and classify(m, warn=False).kind == kind]
        if len(models) < 2:
            return False
        for model in models:
            excepted = model in self.excepted
            self._add(model, "destroyed", Figure(0, "stated", ("except",)) if excepted
                      else Figure(-1, "derived", ("all",)))
        return True

    def _every_one(self, i: int) -> int:
        """"every one of the 18 missiles ... was shot down": all 18."""
        value, used = _of_number(self.tokens, i + 2)
        matches = weapon_after(self.tokens, i + 2 + used)[0] if value else []
        if value is None or not matches or role_at(self.tokens, self.roles, i) != "destroyed":
            return 2 + used
        model, notes = _resolve(matches, self.state.last)
        self._add(model, "destroyed", Figure(value, "stated", (*notes, _ALL_OF)),
                  Figure(value, "derived", ("all",)))
        return 2 + used

    def _everything(self, i: int) -> bool:
        """"all the projectiles", "усі цілі", or "all" with an exception: every weapon."""
        nxt = " ".join(t.casefold() for t in self.tokens[i + 1:i + 3])
        return bool(_EVERYTHING.search(nxt)) or bool(self.excepted)

    def _one_missile_hit(self, i: int) -> bool:
        """"зафіксовано влучання балістичної ракети", "попадание баллистической ракеты": a
        singular adjective before "ракети" (plural "ракети" takes "-их") names one missile;
        counted only as a hit, the role where the singular is the usual wording."""
        if not i or not _SINGULAR_GENITIVE.search(self.tokens[i - 1].casefold()) or (
                i > 1 and _is_number(self.tokens, i - 2)):
            return False
        if role_at(self.tokens, self.roles, i) != "hit":
            return False
        matches = [m for t in self.tokens[i - 1:i + 1] for m in words.weapon_terms(t)]
        matches += [m for m in weapon_after(self.tokens, i + 1)[0] if m[0].role == "type"]
        model, notes = self._earlier_of_class(*_resolve(matches, self.state.last))
        # "влучання балістичної ракети та 36 ударних БПЛА на 22 локаціях": the locations
        # stay with the hits the text counts in numbers
        hit_model = self.state.hit_model
        self._add(model, "hit", Figure(1, "stated", notes + ("one",)))
        self.state.hit_model = hit_model
        return True

    def _singular(self, i: int) -> int:
        """"a cruise missile", "крилатою ракетою «Іскандер-К»", "the missile": one."""
        lo = i
        while lo > 0 and (words.weapon_terms(self.tokens[lo - 1]) or self.tokens[lo - 1] == '"'):
            lo -= 1
        if lo > 0 and _is_number(self.tokens, lo - 1):
            return 1  # "однією балістичною ракетою": read with its number
        if i + 1 < len(self.tokens) and _NOT_A_DRONE.match(self.tokens[i + 1].casefold()):
            return 1  # "a massive missile attack", "ракетну атаку": an attack, not a missile
        if self.tokens[i].casefold() == "missile":
            start = self._article_before(lo)
            if start is None:
                return 1
            lo = start
        matches = [m for j in range(lo, i + 1) for m in words.weapon_terms(self.tokens[j])]
        matches += [m for m in weapon_after(self.tokens, i + 1)[0] if m[0].role == "type"]
        role = role_at(self.tokens, self.roles, i)
        if role is not None:
            model, notes = _resolve(matches, self.state.last)
            self._add(model, role, Figure(1, "stated", notes + ("one",)))
        return 1


    def _a_drone(self, i: int) -> bool:
        """"an unmanned device of the Lancet type": "a"/"an", at most a few words with no
        number or verb, then a drone type (not "a Shahed attack", not "drones of an
        undetermined type"): one drone of the type."""
        for k in range(i + 1, min(len(self.tokens), i + 1 + _A_DRONE_WORDS)):
            tok = self.tokens[k]
            if tok in _PUNCT or _is_number(self.tokens, k) or _role_of(tok):
                return False
            types = [t for t, _ in words.weapon_terms(tok) if t.role == "type"
                     and classify(t.model, warn=False).kind == "drone"]
            if not types:
                continue
            following = [t.casefold() for t in self.tokens[k + 1:k + 3]]
            role = role_at(self.tokens, self.roles, i)
            attack = _NOT_A_DRONE.search(" ".join(following)) and not (
                following and _DRONE_NOUN.match(following[-1]))
            if attack or role is None:
                return False
            self._add(types[0].model, role, Figure(1, "stated", ("one",)))
            return True
        return False

    def _article_before(self, lo: int) -> int | None:
        """"an S-300 anti-aircraft guided missile": an article, then at most three words that
        describe the missile; where its words start (None when no article is there)."""
        for k in range(lo - 1, max(-1, lo - 5), -1):
            tok = self.tokens[k]
            if tok.casefold() in _ARTICLES:
                return k + 1
            if tok in _CLAUSE_END or _is_number(self.tokens, k) or _role_of(tok):
                return None
        return None

    def _elided_missile(self, i: int) -> bool:
        """"та протирадіолокаційну — Х-31П": a singular adjective, its noun left out, right
        before a missile type, is one missile of that type (not after a number: "одну
        балістичну ..." is read with the number)."""
        j = i + 1
        while j < len(self.tokens) and self.tokens[j] in _DASHES_QUOTES:
            j += 1
        if j >= len(self.tokens) or (i and _is_number(self.tokens, i - 1)):
            return False
        types = [(t, f) for t, f in words.weapon_terms(self.tokens[j]) if t.role == "type"
                 and classify(t.model, warn=False).kind == "missile"]
        role = role_at(self.tokens, self.roles, i)
        if not types or role is None:
            return False
        model, notes = _resolve(types, self.state.last)
        self._add(model, role, Figure(1, "stated", notes + ("one",)))
        return True


def _total_opener(tokens: list[str]) -> bool:
    """A sentence that opens with "a total of", "in total", "загалом", "всього"."""
    low = " ".join(t.casefold() for t in tokens[:3])
    return low.startswith(_TOTAL_OPENERS)


def _there_were(tokens: list[str]) -> int | None:
    """Where "було", "были", "there were" stands right before a number: with no verb in
    the sentence, a count of what the night brought."""
    for k, tok in enumerate(tokens[:-1]):
        low = tok.casefold()
        if (low in _THERE_WERE or (low == "were" and k and tokens[k - 1].casefold() == "there")) \
                and _is_number(tokens, k + 1):
            return k
    return None


def _inherits(tokens: list[str], after: int) -> bool:
    """A number with no weapon after it that stands for the weapon named before: "57 з них",
    "41 were lost", "два — вийшли"."""
    if after >= len(tokens):
        return True
    nxt = tokens[after].casefold()
    return (nxt in _INHERIT_NEXT | _AUXILIARY or tokens[after] in _PUNCT
            or _role_of(nxt) is not None)


def sentence_figures(tokens: list[str], n: int, state: _State) -> tuple[list[Mention], list[str]]:
    state.listing = state.listing and _item(tokens)
    reader = _Reader(tokens, n, state).read()
    roles = [r for _, r in reader.roles if r != "negated"]
    state.last_role = roles[-1] if roles else None
    state.last_mentions = reader.mentions
    if tokens and tokens[-1] == ":":
        state.listing = True
    return reader.mentions, reader.skipped


_BULLETS = {"-", "—", "•", "*", "·"}
_OF_TOTAL_WORDS = 8  # "З 17 запущених ударних дронів 14 ...": words between the two numbers
_TOTAL_OPENERS = ("a total of", "in total", "загалом", "усього", "всього", "всего", "итого",
                  "в общей сложности", "в целом")
_THERE_WERE = {"було", "були", "было", "были"}


_ITEM_ENDS = {",", ";", "."}


def _item(tokens: list[str]) -> bool:
    """A line of a list ("- 24 ударних дрони знищено ..."), bulleted or bare: a line that is
    a number and its weapon, ending in a comma, a semicolon or a stop ("566 ударних БпЛА,",
    "8 крилатих ракет Калібр.") under a header ending in ":"."""
    if not tokens:
        return False
    if tokens[0] in _BULLETS:
        return True
    return _is_number(tokens, 0) and tokens[-1] in _ITEM_ENDS and \
        any(words.weapon_terms(t) for t in tokens[1:-1])


# "Just over two weeks ago", "тиждень тому", "на минулому тижні": the text turns to an earlier
# attack; its figures are not this night's until a sentence names the night again.
_EARLIER = re.compile(
    r"\bago\b|\b(?:тижн|тиждень|дн|діб|місяц|недел|дней|месяц)\w*\s+(?:тому|назад)\b|"
    r"\blast\s+(?:week|month)\b|минул\w+\s+(?:тижн|місяц)|прошл\w+\s+(?:недел|месяц)|"
    r"\bearlier\s+this\s+(?:week|month)\b|"
    r"\bthe\s+(?:night|evening)\s+before\b|\bthe\s+previous\s+night\b|"
    r"\bпопередньої\s+ночі\b|\bпредыдущей\s+ночью\b", re.IGNORECASE)
_THIS_NIGHT = re.compile(
    r"overnight|tonight|last night|this morning|\btoday\b|вночі|уночі|цієї ночі|минулої ночі|"
    r"\bу ніч|\bв ніч|сьогодні|ночью|\bв ночь|сегодня", re.IGNORECASE)


# "Over 2024, Russia struck ... with about 1,100 missiles", "За 2024 рік сили оборони збили
# понад 12,5 тис.", "since the start of the full-scale invasion": a count over a year or the
# war, not the night's; unlike an earlier attack recalled, the next sentence is this night's.
_PERIOD = re.compile(
    r"\b(?:over|during|throughout)\s+(?:the\s+(?:whole|entire)\s+(?:of\s+)?)?(?:19|20)\d{2}\b|"
    r"\b(?:за|протягом|упродовж|в\s+течение)\s+(?:19|20)\d{2}\s+(?:р\w*|год\w*)|"
    r"\bsince\s+the\s+(?:start|beginning)\s+of\s+the\s+(?:full-scale\s+)?(?:war|invasion)|"
    r"\bз\s+початку\s+(?:повномасштабн\w+\s+)?(?:війни|вторгнення)|"
    r"\bс\s+начала\s+(?:полномасштабн\w+\s+)?(?:войны|вторжения)|"
    # "Самую масштабную атаку 2024 года ...": the year's largest attack, another night
    r"(?:сам\w+|наймасштабніш\w*|наймасованіш\w*|largest|biggest)\s+(?:\w+\s+)?"
    r"(?:атак\w*|attack)\s+(?:of\s+|in\s+)?(?:19|20)\d{2}", re.IGNORECASE)


# "Russia's Defense Ministry claimed ... seven Ukrainian drones", "Минобороны России ...
# украинских БПЛА": the other side's count of drones shot down over Russia, not the night's
_OTHER_SIDE = re.compile(
    r"\bUkrainian(?:-launched)?\s+(?:\w+\s+)?(?:drones|UAVs)\b|"
    r"\bукраинск\w+\s+(?:беспилотн|БПЛА|дрон)|\bукраїнськ\w+\s+(?:безпілотн|БпЛА|дрон)|"
    r"(?:Russia's|Russian)\s+(?:Defen[cs]e\s+Ministry|Ministry\s+of\s+Defen[cs]e)|"
    r"Минобороны\s+(?:России|РФ)|Міноборони\s+(?:Росії|РФ)", re.IGNORECASE)


_DATES = re.compile(rf"\b(?:{_DAY_MONTH}|{_MONTH_DAY})(?!\w)", re.IGNORECASE)


# "on the night of July 31", "у ніч на 31 липня": the date that ends the night named
_NIGHT_OF = re.compile(r"(?:night\s+of|ніч\s+(?:на|проти)|ночь\s+на)\s+(?:the\s+)?$",
                       re.IGNORECASE)


def _other_day(sentence: str, night: date, published: date) -> bool:
    """"On Nov. 17, ... shot down 102 of the 120 missiles", "у новорічну ніч 1 січня": a
    sentence whose dates are all of other days than the night and the evening before it
    tells of another attack (that sentence alone). A date that ends a night named ("on the
    night of July 31") is this night's only when it is the night itself."""
    days = []
    for m in _DATES.finditer(sentence):
        day = _day_month(m.groups(), published)
        if day is not None:
            ends_night = _NIGHT_OF.search(sentence[max(0, m.start() - 20):m.start()])
            days.append((day, ends_night))
    return bool(days) and all(
        d != night and (ends or d != night - timedelta(days=1)) for d, ends in days)


def _recalled(sentence: str, state: _State) -> bool:
    """Whether a sentence tells of an earlier attack (see `_EARLIER`)."""
    if _EARLIER.search(sentence):
        state.recalled = True
    elif _THIS_NIGHT.search(sentence):
        state.recalled = False
    return state.recalled


def _among_which(tokens: list[str], i: int) -> bool:
    """"19 ракетами різних типів, серед яких було три «Кинджали»", "among them three
    Kinzhal": a number just after "among which" names part of the figure before it."""
    before = [t.casefold() for t in tokens[max(0, i - 4):i]]
    return any(before[k] in _BREAKDOWN and before[k + 1] in _THEM
               for k in range(len(before) - 1))


def _breakdown(tokens: list[str]) -> bool:
    """A sentence that opens by breaking down a figure of the one before it: "Серед них –
    587 ударних безпілотників та 34 крилаті ракети", "Among them, 5 Kalibr"."""
    words_ = [t.casefold() for t in tokens if t not in _DASHES_QUOTES][:2]
    if not words_:
        return False
    if words_[0] in _BREAKDOWN:
        return True
    return len(words_) == 2 and words_[0] in _OF and words_[1] in _THEM


# ---------------------------------------------------------------- the statement

_HEADLINE_WORDS = 16


def headline_sentences(text: str) -> int:
    """How many sentences a headline opens the text with: a first line with no closing
    punctuation, more text after it (0 when there is none)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) < 2 or re.search(r"[.!?…:;\"»”]$", lines[0]) or \
            len(lines[0].split()) > _HEADLINE_WORDS:
        return 0  # a long first line with no stop is a post's sentence, not a headline
    return len(split_sentences(lines[0]))


def _merge(mentions: list[Mention], sentences: list[str],
           headline: int = 0) -> tuple[dict, list[str]]:
    """model -> field -> Figure; the first statement of a figure wins, a different later
    one is a conflict; a figure of the headline gives way to the body's."""
    table: dict[str, dict[str, Figure]] = {}
    conflicts, origin = [], {}
    _fire_and_jamming(mentions, sentences)
    _take_parts(mentions)
    _take_later_types(mentions)
    _type_the_untyped_drones(mentions)
    _total_of_listed_missiles(mentions)
    _untyped_missiles_told_by_type(mentions)
    _untyped_launch_told_again(mentions, sentences)
    _regional_missiles_in_national_total(mentions, sentences)
    for m in mentions:
        figures = table.setdefault(m.model, {})
        pairs = [(m.role, m.figure)] + ([("launched", m.launched_too)] if m.launched_too else [])
        for name, fig in pairs:
            old = figures.get(name)
            if old is None or (old.status == "derived" and fig.status == "stated"):
                figures[name] = fig
                origin[m.model, name] = m.sentence
                continue
            kept, moved, conflict = _told_again(_Again(m, name, old, fig, origin[m.model, name]),
                                                sentences, headline, mentions)
            figures[name] = kept
            if moved:
                origin[m.model, name] = m.sentence
                _follow_all(figures, name, old, kept)
            if conflict:
                conflicts.append(f"{m.model} {name}: {conflict}; in: {sentences[m.sentence]}")
    return table, conflicts


def _follow_all(figures: dict[str, Figure], name: str, old: Figure, kept: Figure) -> None:
    """"all 14 drones were destroyed", then "Thirteen Shaheds were shot down" (and another
    drone): the launched figure taken from "all 14" follows the shot-down one that
    replaced it."""
    launched = figures.get("launched")
    if (name == "destroyed" and launched is not None and launched.status == "derived"
            and "all" in launched.notes and launched.value == old.value):
        figures["launched"] = Figure(kept.value, "derived", launched.notes)


@dataclass
class _Again:
    """A figure told again: the mention, its field, the figure kept so far (told in sentence
    `first`) and the new one."""
    m: Mention
    name: str
    old: Figure
    fig: Figure
    first: int


def _told_again(a: _Again, sentences: list[str], headline: int,
                mentions: list[Mention]) -> tuple[Figure, bool, str | None]:
    """Which figure stands when one is told again: (the figure, whether it now counts as
    told in the new sentence, a conflict to report)."""
    m, old, fig, here = a.m, a.old, a.fig, sentences[a.m.sentence]
    both = min(old.value, fig.value) >= 0
    if "more" in fig.notes and a.first == m.sentence and both and \
            old.status == fig.status == "stated":
        return Figure(old.value + fig.value, "stated", (*old.notes, "more")), False, None
    if {"more", _ADDED} & set(old.notes) and a.first != m.sentence and both and \
            fig.status == "stated" and fig.value > old.value:
        # "17 more ... shot down" since the morning, then "in total ... 68 out of 136": the
        # addition was told first, the night's total after it
        return fig, True, None
    if a.first < headline <= m.sentence and not _one_region(here):
        # "downs 36 out of 42" in the headline, "36 out of 43" in the quoted post
        if old.value != fig.value and both:
            return fig, True, f"{old.value} in the headline, then {fig.value} (kept {fig.value})"
        return old, True, None
    if _guess_then_named(old, fig) and both and old.value != fig.value:
        # "30 ракет" taken for the Kh-101 named last, then "з них 20 Х-101": the named figure
        return fig, True, f"{old.value} missiles of no type, then {fig.value} (kept {fig.value})"
    if _bound_then_exact(old, fig) or _split_by_kind(m, a.name, old, fig, mentions):
        # "щонайменше шість" over one region, then "24 ... знищено" in all
        return fig, True, None
    if _regional_then_national(sentences, a.first, m.sentence, old, fig):
        return fig, True, f"{old.value} over one region, then {fig.value} (kept {fig.value})"
    if old.value != fig.value and both:
        return old, False, f"{old.value} and {fig.value} (kept {old.value})"
    return old, False, None


# "знешкодила 112 БпЛА: 74 збито вогневими засобами, а 38 подавлено засобами РЕБ": the
# neutralised total split into those shot down by fire and those jammed by electronic warfare
_BY_FIRE = re.compile(r"вогнев|огнев|by fire|fire weapons", re.IGNORECASE)
_JAMMED = re.compile(r"(\d+)[^\d,;:.]*?(?:РЕБ|РЭБ|радіоелектрон|радиоэлектрон|electronic war|"
                     r"\bEW\b)", re.IGNORECASE)


def _fire_and_jamming(mentions: list[Mention], sentences: list[str]) -> None:
    """A neutralised total split into a part shot down by fire and a part jammed by
    electronic warfare or lost (the parts adding up to it), in its sentence or in the next
    ("знищила 150 БпЛА. З них 91 ... вогневих засобів, а 59 - втрачені"; "neutralized 75
    UAVs. 60 were shot down by fire weapons, 15 were lost"): the fire part is the shot-down
    figure and the other part is lost, as the reports count them; the total goes wherever
    it is told again as shot down."""
    for n, sentence in enumerate(sentences):
        if not _BY_FIRE.search(sentence):
            continue
        jammed = [int(v) for v in _JAMMED.findall(sentence)]
        here = [m for m in mentions if m.sentence == n and m.role in ("destroyed",
                                                                       "not_reach_goal")]
        before = [m for m in mentions if m.sentence == n - 1 and m.role == "destroyed"]
        for total in [m for m in here if m.role == "destroyed"] + before[::-1]:
            parts = [m for m in here if m is not total and m.model == total.model
                     and (total not in here or here.index(m) > here.index(total))]
            ew = next((m for m in parts if m.figure.value in jammed), None) or next(
                (m for m in parts if m.role == "not_reach_goal"), None)
            fire = next((m for m in parts if m is not ew and m.role == "destroyed"), None)
            if ew is None or fire is None or (
                    fire.figure.value + ew.figure.value != total.figure.value):
                continue
            for m in [m for m in mentions if m.model == total.model and m.role == "destroyed"
                      and m.figure.value == total.figure.value]:
                mentions.remove(m)
            ew.role = "not_reach_goal"
            break


# A count over one region or from a regional administration ("над Львівщиною ... збили
# п'ять", "сбили 6 дронов над Днепропетровской областью", "повідомив очільник ОВА")
_ONE_REGION = re.compile(
    r"\bнад\s+[\w']+(?:щиною|чиною|(?:ськ|цьк|зьк)ою\s+областю|(?:ск|цк)ой\s+областью)|"
    # "На Хмельниччині збили 8 шахедів": a region in the locative, not one of a list
    r"\b(?:на|в|у)\s+[\w']+(?:щині|чині)\b(?!\s*(?:,|та\b|і\b|й\b))|"
    r"обласн\w*\s+військов\w*\s+адміністрац|областн\w*\s+военн\w*\s+администрац|"
    r"\bОВА\b|губернатор|regional military administration|governor|"
    # a city's count ("the city's mayor said", "міський голова")
    r"\bmayor\b|\bмер\b|міськ\w*\s+голов|городск\w*\s+голов", re.IGNORECASE)
_ONE_REGION_EN = re.compile(r"\bover\s+(?:the\s+)?[A-Z][\w'-]+\s+(?:region|oblast)\b")


def _one_region(sentence: str) -> bool:
    return bool(_ONE_REGION.search(sentence) or _ONE_REGION_EN.search(sentence))


def _regional_then_national(sentences: list[str], first: int, later: int, old: Figure,
                            new: Figure) -> bool:
    """A figure first told for one region (a headline, the governor's count), then a larger
    one in a sentence that counts no single region: the night's figure is the later one,
    of which the region's is part."""
    return (old.status == new.status == "stated" and new.value > old.value >= 0
            and _one_region(sentences[first]) and not _one_region(sentences[later]))


def _split_by_kind(m: Mention, name: str, old: Figure, new: Figure,
                   mentions: list[Mention]) -> bool:
    """"25 drones" told first, then "23 Shahed drones and two reconnaissance drones": a figure
    of all drones, then the same figure split by kind in one sentence (or the other part in
    the sentence right after: "Thirteen Shaheds were shot down. Another unidentified drone
    ... was also shot down"), the parts adding up to it. The part of this model replaces
    the total."""
    if classify(m.model, warn=False).kind != "drone" or old.status != "stated" or (
            new.status != "stated"):
        return False
    others = [o.figure.value for o in mentions if o.role == name
              and m.sentence <= o.sentence <= m.sentence + 1
              and o.model != m.model and o.figure.status == "stated"
              and classify(o.model, warn=False).kind == "drone"]
    return bool(others) and old.value == new.value + sum(others)


def _guess_then_named(old: Figure, new: Figure) -> bool:
    """A figure of missiles of no type, given to the missile named last, then one told
    with the type named: the named one stands."""
    return (_EARLIER_MISSILE in old.notes and new.status == "stated"
            and not {_EARLIER_MISSILE, _NAMED_EARLIER} & set(new.notes))


def _bound_then_exact(old: Figure, new: Figure) -> bool:
    """A figure told as a lower bound ("at least 6") and later exactly, no smaller (24): the
    exact one."""
    return ("at least" in old.notes and new.status == "stated" and new.value > old.value
            and not {"at least", "up to"} & set(new.notes))


def _take_parts(mentions: list[Mention]) -> None:
    """A named part of a figure of unnamed type ("13 missiles, including 6 Kinzhal") is
    taken out of it, so that the 6 are not counted twice."""
    for m in mentions:
        parent = m.part_of
        if parent is None or parent.model not in _GENERIC or parent.model == m.model:
            continue
        rest = parent.figure.value - m.figure.value
        if rest >= 0:
            parent.figure = Figure(rest, "derived", (*parent.figure.notes, "less named parts"))


def _take_later_types(mentions: list[Mention]) -> None:
    """"146 безпілотників і балістичну ракету", then "Ракету «Іскандер-М» випустили з
    Ростовської області": missiles launched, named by class only, then by type in a later
    sentence, are the same missiles; the typed ones come out of the class figure (a class
    figure with other outcomes of its own is left as it is)."""
    for m in list(mentions):
        if (m.model not in ("Cruise Missile", "Ballistic Missile") or m.role != "launched"
                or m.figure.status != "stated" or m.figure.value <= 0):
            continue
        if any(o.model == m.model and o.role != "launched" for o in mentions):
            continue
        cls = classify(m.model, warn=False).weapon_class
        later = [o.figure.value for o in mentions if o.sentence > m.sentence
                 and o.role == "launched" and o.model not in _GENERIC
                 and classify(o.model, warn=False).weapon_class == cls
                 and classify(o.model, warn=False).kind == "missile"]
        if _told_by_type(m, mentions):
            mentions.remove(m)
            continue
        named = sum(later)
        if not later or min(later) < 0 or named > m.figure.value:
            continue
        if named == m.figure.value:
            mentions.remove(m)
        else:
            m.figure = Figure(m.figure.value - named, "derived",
                              (*m.figure.notes, "less named later"))


# "п'ять балістичних ракет", then "дві з трьох аеробалістичних ракет «Кинджал», дві ракети
# «Іскандер-М»": statements count the aeroballistic Kinzhal among ballistic missiles
_CLASS_COVERS = {"ballistic": {"ballistic", "aeroballistic"}, "cruise": {"cruise"}}


def _told_by_type(m: Mention, mentions: list[Mention]) -> bool:
    """Whether the missiles launched of a class named only are, all of them, the typed
    missiles of that class told in the sentences after it: each type counted once, at its
    launch or, with none told, at its largest outcome, the types adding up to the class
    figure exactly."""
    covers = _CLASS_COVERS[classify(m.model, warn=False).weapon_class]
    counts: dict[str, tuple[bool, int]] = {}
    for o in mentions:
        cls = classify(o.model, warn=False)
        if (o.sentence <= m.sentence or o.model in _GENERIC or cls.kind != "missile"
                or cls.weapon_class not in covers or o.figure.value <= 0):
            continue
        # "дві з трьох": the three launched come with the two shot down
        told = o.launched_too.value if o.launched_too and o.launched_too.value > 0 else None
        launch = o.role == "launched" or told is not None
        value = told if told is not None and o.role != "launched" else o.figure.value
        had = counts.get(o.model, (False, 0))
        if launch and not had[0]:
            counts[o.model] = (True, value)
        elif launch == had[0]:
            counts[o.model] = (had[0], max(had[1], value))
    return len(counts) > 1 and sum(v for _, v in counts.values()) == m.figure.value


def _untyped_missiles_told_by_type(mentions: list[Mention]) -> None:
    """"сбили 44 из более чем 50 ракет", then "уничтожить 44 крылатых ракет"; "downs ... 1
    missile" in the headline, then "one of the two Kh-59": missiles of no type shot down
    (or in another outcome) as many as those of the one missile type or class told in that
    role elsewhere are those missiles, not more."""
    for m in [m for m in mentions if m.model == "Unknown Missile" and m.role != "launched"]:
        if m.figure.status != "stated" or m.figure.value <= 0:
            continue
        told = {o.model for o in mentions if o.role == m.role and o.model != m.model
                and classify(o.model, warn=False).kind == "missile"}
        same = {o.model for o in mentions if o.model in told and o.role == m.role
                and o.figure.value == m.figure.value and o.figure.status == "stated"}
        if len(told) == 1 and same == told:
            mentions.remove(m)


# "ракети невстановленого типу", "missiles of an unidentified type": other missiles
_OTHER_TYPE = re.compile(r"невстановлен|неустановлен|невідом|неизвестн|unidentified|unknown",
                         re.IGNORECASE)


def _untyped_launch_told_again(mentions: list[Mention], sentences: list[str]) -> None:
    """"выпустили пять ракет «Калибр»", then "атаку ... пятью ракетами. Три попали": missiles
    of no type launched in a later sentence, as many as the one missile type launched before,
    are those missiles told again (with what follows of them), unless the text calls them
    of another type."""
    untyped = [m for m in mentions if m.model == "Unknown Missile" and m.role == "launched"
               and m.figure.status == "stated"]
    for m in untyped[:1]:
        named = {o.model: o for o in mentions if o.role == "launched" and o.sentence < m.sentence
                 and o.model != m.model and classify(o.model, warn=False).kind == "missile"}
        if len(named) != 1 or _OTHER_TYPE.search(sentences[m.sentence]):
            return
        model, first = next(iter(named.items()))
        if first.figure.value != m.figure.value or len(untyped) > 1:
            return
        for o in mentions:
            if o.model == "Unknown Missile" and o.sentence >= m.sentence:
                o.model = model


def _regional_missiles_in_national_total(mentions: list[Mention], sentences: list[str]) -> None:
    """"Kharkiv endured ... two ballistic missiles, and 15 drones, the city's mayor said",
    then "Russia launched 208 drones and 27 missiles": missiles launched at one city or
    region, told before a launch of missiles of no type that counts no single region, are
    part of it, not a figure of the night."""
    for m in [m for m in mentions if m.role == "launched" and _one_region(sentences[m.sentence])
              and classify(m.model, warn=False).kind == "missile"
              and m.model != "Unknown Missile"]:
        if any(o.model == "Unknown Missile" and o.role == "launched" and o.sentence > m.sentence
               and not _one_region(sentences[o.sentence]) and o.figure.value >= m.figure.value
               for o in mentions):
            mentions.remove(m)


def _type_the_untyped_drones(mentions: list[Mention]) -> None:
    """"21 out of 23 ... missiles and 2 drones", then "two operational-tactical UAVs": with
    no Shahed named by type, drones of no type counted as many as those of one other drone
    type, in the same role, are those drones (not Shaheds, the default of a bare noun)."""
    default = [m for m in mentions if _NO_TYPE in m.figure.notes]
    if not default or any(m.model == default[0].model and _NO_TYPE not in m.figure.notes
                          for m in mentions):
        return
    for m in default:
        typed = {o.model for o in mentions if o.role == m.role and o.model != m.model
                 and o.figure.value == m.figure.value and _NO_TYPE not in o.figure.notes
                 and classify(o.model, warn=False).kind == "drone"}
        if len(typed) == 1:
            m.model = typed.pop()


def _total_of_listed_missiles(mentions: list[Mention]) -> None:
    """"91 «Шахед» і 7 ракет", then a list of 3 Iskander-M, 2 Kh-59 and 2 missiles of unknown
    type: a launched figure of missiles of no type, with no outcome of its own, that equals
    the missiles launched in the sentences after it is their total, not more missiles."""
    for m in [m for m in mentions if m.model == "Unknown Missile" and m.role == "launched"]:
        if m.figure.status != "stated" or m.figure.value <= 0 or any(
                o.model == m.model and o.role != "launched" for o in mentions):
            continue
        # a model named again ("a Kh-59 ...", then "the Kh-59 missile was launched from")
        # is the same missiles: each model counts once, at its largest figure
        by_model: dict[str, int] = {}
        for o in mentions:
            if o.sentence > m.sentence and o.role == "launched" and classify(
                    o.model, warn=False).kind == "missile":
                by_model[o.model] = max(by_model.get(o.model, 0), o.figure.value)
        later = list(by_model.values())
        if later and min(later) > 0 and sum(later) == m.figure.value:
            mentions.remove(m)


def _fold_into_joined(table: dict[str, dict[str, Figure]]) -> None:
    """"22 балістичними ракетами Іскандер-М/KN-23", then "11 Іскандер-М" shot down: a model
    launched under a joined name (X/Y), then told alone with no launch of its own, is the
    same missiles; its figures go to the joined name (those it already has stay)."""
    for joined in [m for m in table if "/" in m]:
        launched = table[joined].get("launched")
        if launched is None or launched.status != "stated":
            continue
        for part in joined.split("/"):
            figures = table.get(part)
            if figures is None or "launched" in figures:
                continue
            for name, fig in figures.items():
                table[joined].setdefault(name, fig)
            del table[part]


def _type_the_unnamed(table: dict[str, dict[str, Figure]], sentences: list[str]) -> None:
    """"destroyed all five missiles" and, with no figure, "Russian forces used drones and
    Kh-101 missiles": when the only missile figures are of unnamed type and the text names
    missile types of one class without a figure, the unnamed missiles are of that type."""
    figures = table.get("Unknown Missile")
    if figures is None or any(n.startswith(_TOTAL_OF) for f in figures.values()
                              for n in f.notes):
        return
    if any(classify(m, warn=False).kind == "missile" for m in table if m != "Unknown Missile"):
        return
    named = [(t, fuzzy) for s in sentences for tok in tokenize(s)
             for t, fuzzy in words.weapon_terms(tok)
             if t.role == "type" and classify(t.model, warn=False).kind == "missile"]
    if len({classify(t.model, warn=False).weapon_class for t, _ in named}) != 1:
        return
    model, notes = _resolve(named, {})
    table[model] = {name: Figure(f.value, f.status, (*f.notes, *notes, "type named apart"))
                    for name, f in table.pop("Unknown Missile").items()}


def _pool(table: dict[str, dict[str, Figure]]) -> None:
    """Missiles of unnamed type launched, then named only when shot down ("launched 13
    missiles ... neutralized 7 Kh-101"): the named ones come out of the unnamed figure."""
    pool = table.get("Unknown Missile", {}).get("launched")
    if pool is None or not _shot_named_later(table):
        return
    for model, figures in table.items():
        got = figures.get("launched")
        if model == "Unknown Missile" or got is None or got.status != "derived":
            continue
        if classify(model, warn=False).kind == "missile" and got.value <= pool.value:
            pool = Figure(pool.value - got.value, "derived", (*pool.notes, "less named later"))
    table["Unknown Missile"]["launched"] = pool
    if pool.value == 0 and table["Unknown Missile"].get("destroyed", pool).value == 0:
        del table["Unknown Missile"]


def _shot_named_later(table: dict[str, dict[str, Figure]]) -> bool:
    """Whether the unnamed missiles' shot-down figure, if any, is the named missiles' told
    as one ("downing 102 missiles ... one Kinzhal, one Kh-22 ... 100 Kh-101"): then it is
    taken out of the unnamed figure like their launches."""
    shot = table["Unknown Missile"].get("destroyed")
    if shot is None:
        return True
    named = [f["destroyed"] for m, f in table.items() if m not in _GENERIC
             and classify(m, warn=False).kind == "missile" and "destroyed" in f]
    if not named or any(f.status != "stated" for f in named):
        return False
    if sum(f.value for f in named) != shot.value:
        return False
    table["Unknown Missile"]["destroyed"] = Figure(0, "derived", (*shot.notes,
                                                                  "less named later"))
    return True


def _take_totals_apart(table: dict[str, dict[str, Figure]]) -> None:
    """"25 Kalibr and Kh-101" then "8 Kalibr ... 17 Kh-101": the named figures come out of
    the total (when they fit in it), so the 25 are not counted twice."""
    for generic in [m for m in table if m in _GENERIC or m == "Unknown Missile"]:
        figures = table[generic]
        # the parts named with the total; "23 з них" after it is of the same total
        parts = next((n.removeprefix(_TOTAL_OF).split(" + ") for f in figures.values()
                      for n in f.notes if n.startswith(_TOTAL_OF)), None)
        if parts is None:
            continue
        for name, fig in list(figures.items()):
            named = [f[name].value for m, f in table.items() if m != generic
                     and name in f and set(m.split("/")) <= set(parts)]
            if not named or min(named) < 0 or sum(named) > fig.value:
                continue
            figures[name] = Figure(fig.value - sum(named), "derived",
                                   (*fig.notes, "less named parts"))
        if figures and all(f.value == 0 for f in figures.values()):
            del table[generic]


def _fold_generic(table: dict[str, dict[str, Figure]]) -> list[str]:
    """"seven cruise missiles were destroyed" beside "7 Kh-101/Iskander-K neutralized": a
    class named only with its outcomes, no more than the named models of that class, is the
    same missiles told twice. Returned as notes for the conflicts list."""
    notes = []
    for generic in ("Cruise Missile", "Ballistic Missile"):
        figures = table.get(generic)
        if not figures or figures.get("launched", Figure(0, "stated")).status != "derived":
            continue
        cls = classify(generic, warn=False).weapon_class
        named = [f for m, f in table.items()
                 if m not in _GENERIC and classify(m, warn=False).weapon_class == cls]
        shot = sum(f["destroyed"].value for f in named if "destroyed" in f)
        if named and "destroyed" in figures and figures["destroyed"].value <= shot:
            del table[generic]
            notes.append(f"{generic}: {figures['destroyed'].value} shot down taken as the "
                         f"named {cls} missiles reported too ({shot})")
        elif named and "destroyed" in figures and _outcome_of_named(figures, named):
            del table[generic]
            notes.append(f"{generic}: {figures['destroyed'].value} shot down taken as the "
                         f"outcome of the named {cls} missiles, launched with no outcome")
    return notes


def _outcome_of_named(figures: dict[str, Figure], named: list[dict[str, Figure]]) -> bool:
    """"14 балістичних ракет «Іскандер-М»", then "ППО знешкодила ... одну балістичну
    ракету": a named missile launched with no outcome of its own, then a shot-down figure of
    its class alone, no more than it is, is its own. With several named models of the class
    the figure is left on the class (which model's it is is not told)."""
    if len(named) != 1 or "launched" not in named[0]:
        return False
    launched, shot = named[0]["launched"], figures["destroyed"]
    if named[0].get("destroyed", Figure(0, "derived")).status == "stated" or (
            launched.status != "stated" or not 0 <= shot.value <= launched.value):
        return False
    named[0]["destroyed"] = Figure(shot.value, shot.status, (*shot.notes, "class named apart"))
    return True


def _split_all(table: dict[str, dict[str, Figure]]) -> None:
    """"shot down all five drones", then "three Shahed-type drones and two drones of an
    unidentified type": the five are the drones of each type, each of them shot down."""
    for model, figures in list(table.items()):
        shot, launched = figures.get("destroyed"), figures.get("launched")
        if (shot is None or _ALL_OF not in shot.notes or launched is None
                or launched.status != "stated" or launched.value >= shot.value):
            continue
        kind = classify(model, warn=False).kind
        others = [f for m, f in table.items() if m != model and "destroyed" not in f
                  and classify(m, warn=False).kind == kind
                  and f.get("launched", Figure(0, "derived")).status == "stated"]
        if launched.value + sum(f["launched"].value for f in others) != shot.value:
            continue
        for f in [figures, *others]:
            f["destroyed"] = Figure(f["launched"].value, "derived", ("all",))


def _only_weapon_total(table: dict[str, dict[str, Figure]], totals: dict[str, int]) -> None:
    """"156 ударних дронів ... Українська ППО збила 133 цілі": a total of all weapons (targets,
    means of attack), in a sentence that names no weapon, in a text that names one weapon
    alone is that weapon's figure, when the text gives it none of its own in that role."""
    # "121 БПЛА и одна ракета ... 94 воздушных цели сбиты, зафиксировано попадание
    # баллистической ракеты": a weapon whose every launch hit is not among those shot down
    left = [f for f in table.values() if not _all_hit(f)] if len(table) > 1 else list(
        table.values())
    if len(left) != 1:
        return
    figures = left[0]
    for role, value in totals.items():
        if role not in figures:
            figures[role] = Figure(value, "derived", ("total of all weapons, one weapon named",))


def _all_hit(figures: dict[str, Figure]) -> bool:
    launched, hit = figures.get("launched"), figures.get("hit")
    return bool(launched and hit and hit.value >= launched.value > 0)


def _derive(table: dict[str, dict[str, Figure]]) -> None:
    _split_all(table)
    any_shot = any("destroyed" in f for f in table.values())
    for figures in table.values():
        shot, launched = figures.get("destroyed"), figures.get("launched")
        if shot is not None and shot.value < 0:  # "all of them": as many as launched
            del figures["destroyed"]
            if launched is not None:
                figures["destroyed"] = Figure(launched.value, "derived", ("all",))
        if "launched" not in figures:
            parts = [figures[k].value for k in ("destroyed", "not_reach_goal", "hit", "left",
                                                "still_attacking") if k in figures]
            if parts:
                figures["launched"] = Figure(sum(parts), "derived", ("at least: sum of outcomes",))
    _pool(table)
    _take_totals_apart(table)
    for model, figures in table.items():
        # The Air Force names the missiles it shot down: one it does not name was not. A
        # drone figure is always stated, so a missing one stays missing.
        missile = classify(model, warn=False).kind == "missile"
        if missile and "destroyed" not in figures and any_shot and "launched" in figures:
            figures["destroyed"] = Figure(0, "derived", ("none stated shot down",))


def _regions(text: str) -> list[str]:
    from strikescope.sources import statement_places

    return statement_places.regions_named(text)


_LAUNCH_PLACE = re.compile(
    r"(?:(?:з|із|зі)(?:\s+\w+)?\s+напрямк\w*(?:,\s*серед яких)?|район\w* пуск\w*|"
    r"з районів|launched from(?!\s+(?:the\s+)?(?:evening|morning|night|\d))|"
    r"from the regions of)\s*:?\s*([^.]+)", re.IGNORECASE)


def _launch_place(text: str) -> str | None:
    m = _LAUNCH_PLACE.search(text)
    place = m.group(1).strip(" ,;\"") if m else ""
    return place if re.search(r"\w", place) else None


def _rows(table, state: _State, window, text, sha) -> pd.DataFrame:
    rows = []
    for model, figures in table.items():
        cls = classify(model, warn=False)
        row = {"time_start": window[0], "time_end": window[1], "model": model,
               "weapon_class": cls.weapon_class, "kind": cls.kind,
               "launch_place": _launch_place(text), "target": None,
               "source": f"statement:{sha[:16]}"}
        for name in FIELDS:
            row[name] = figures[name].value if name in figures else None
        row["stated"] = ",".join(k for k, f in figures.items() if f.status == "stated")
        row["derived"] = ",".join(k for k, f in figures.items() if f.status == "derived")
        notes = {n for f in figures.values() for n in f.notes} - {_NO_TYPE}
        row["notes"] = "; ".join(sorted(notes))
        rows.append(row)
    df = pd.DataFrame(rows, columns=[c for c in ROW_COLUMNS if c != "affected region"]
                      + ["affected region"]) if rows else pd.DataFrame(columns=ROW_COLUMNS)
    df["num_hit_location"] = None
    df["num_fall_fragment_location"] = None
    if len(df):
        at = df.index[df["model"].eq(state.hit_model)] if state.hit_model else df.index[:1]
        at = at if len(at) else df.index[:1]
        df.loc[at[0], "num_hit_location"] = state.hit_locations
        df.loc[at[0], "num_fall_fragment_location"] = state.fragment_locations
    for col in FIELDS + ("num_hit_location", "num_fall_fragment_location"):
        df[col] = pd.array(df[col], dtype="Int64")
    return df[ROW_COLUMNS]


def parse_statement(text: str, published: date | datetime | str,
                    approximate: bool = False) -> ParsedStatement:
    """Read one Air Force statement. `published` (date or time of publication) places the
    night: the statement names its day and month, rarely its year, sometimes only a weekday.
    `approximate`: read rounded figures ("понад 400") too, noted as such (for an article)."""
    try:
        pub = pd.Timestamp(published).date()
    except (ValueError, TypeError):
        raise InputError(f"publication date {published!r} is not a date (YYYY-MM-DD)") from None
    if not PUBLISHED_YEARS[0] <= pub.year <= PUBLISHED_YEARS[1]:
        # the night and window are reckoned a few days either side: no calendar edge
        raise InputError(f"publication date {pub} is out of range "
                         f"({PUBLISHED_YEARS[0]}-{PUBLISHED_YEARS[1]})")
    clean = words.normalize_text(text)
    sha = hashlib.sha256(str(text).encode("utf-8")).hexdigest()
    night, basis = find_night(clean, pub)
    window = find_window(clean, night, pub)
    sentences = split_sentences(clean)
    state, mentions, unparsed, skipped = _State(approximate=approximate), [], [], []
    for n, sentence in enumerate(sentences):
        if _recalled(sentence, state) or _other_day(sentence, night, pub):
            unparsed.append((sentence, "an earlier attack recalled"))
            continue
        if _PERIOD.search(sentence):
            unparsed.append((sentence, "a count over a longer period"))
            continue
        if _OTHER_SIDE.search(sentence):
            unparsed.append((sentence, "the other side's count"))
            continue
        found, notes = sentence_figures(tokenize(sentence), n, state)
        mentions += found
        if not found:
            unparsed.append((sentence, "; ".join(notes) or _why(sentence)))
        else:
            skipped += [(sentence, note) for note in notes]
    heard = list(mentions)  # the merge removes totals and parts it takes apart
    table, conflicts = _merge(mentions, sentences, headline_sentences(clean))
    _fold_into_joined(table)
    _type_the_unnamed(table, sentences)
    _only_weapon_total(table, state.totals)
    _derive(table)
    conflicts += _fold_generic(table)
    rows = _rows(table, state, window, clean, sha)
    regions = _regions(clean)
    rows["affected region"] = str(regions) if regions else None
    return ParsedStatement(night, basis, window[0], window[1], rows, unparsed, conflicts,
                           regions, _launch_place(clean), sha, pub.isoformat(), sentences,
                           skipped, sorted({m.sentence for m in mentions}), heard,
                           state.all_totals)


def _why(sentence: str) -> str:
    tokens = tokenize(sentence)
    if any(t[0].isdecimal() or t.casefold() in words.NUMBER_WORDS for t in tokens):
        return "numbers not read as weapon figures"
    if any(words.weapon_terms(t) for t in tokens):
        return "weapons named without a figure"
    return "no figures"


def parse_report(text: str, published: date | datetime | str | None = None) -> ParsedStatement:
    """`strikescope.parse_report`: read one statement; `published` defaults to today in Kyiv
    (a statement read the morning it appears)."""
    if published is None:
        from zoneinfo import ZoneInfo

        from strikescope.config import TIMEZONE

        published = datetime.now(ZoneInfo(TIMEZONE)).date()
    return parse_statement(text, published)
