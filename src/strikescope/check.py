"""Claim checker: extract the checkable claims of a news article and test them on the data.

Claims are found with spaCy's rule matchers on a blank English pipeline (tokenizer and
sentencizer only, no model download) and dates with `dateparser`. Each claim is labelled
supported, contradicted or unverifiable, with the numbers, baseline and report sources
behind the label. The rules are documented in docs/brief-check.md.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

import jinja2
import pandas as pd

import strikescope.api as api
from strikescope.brief import SURGE_RATIO, TEMPLATES, baseline, source_url

LABELS = ("supported", "contradicted", "unverifiable")
CLAIM_COLUMNS = ["claim_id", "type", "text", "start", "end", "label", "evidence", "sources"]
LOOKBACK = 7
# weapon phrase -> nightly column it is checked against
WEAPONS = {
    "drone": "drones_launched", "drones": "drones_launched", "uav": "drones_launched",
    "uavs": "drones_launched", "unmanned aerial vehicles": "drones_launched",
    "shahed": "drones_launched", "shaheds": "drones_launched",
    "missile": "missiles_launched", "missiles": "missiles_launched",
    "ballistic missile": "ballistic_launched", "ballistic missiles": "ballistic_launched",
    "cruise missile": "cruise_launched", "cruise missiles": "cruise_launched",
    "kinzhal": "aeroballistic_launched", "kinzhals": "aeroballistic_launched",
    "hypersonic missiles": "aeroballistic_launched",
}
RECORD_WORDS = ("record", "largest", "biggest", "heaviest", "most massive", "unprecedented")
SURGE_WORDS = ("surge", "escalation", "spike", "sharp increase")
DAMAGE_WORDS = ("infrastructure", "power grid", "power grids", "energy facilities",
                "transportation hubs", "communication centers", "explosions", "damage",
                "damaged", "casualties", "killed", "injured", "displaced civilians",
                "residential")
RELATIVE_NIGHT = ("last night", "overnight", "tonight", "this morning")
TIMING_TRIGGERS = ("after", "following", "in the wake of", "follows", "followed")
DIPLOMACY_WORDS = ("call", "phone call", "talks", "meeting", "summit", "negotiations",
                   "conversation")
ACTOR_WORDS = {"putin": "RUS", "russian": "RUS", "kremlin": "RUS", "moscow": "RUS",
               "trump": "USA", "american": "USA", "u.s.": "USA", "washington": "USA",
               "zelensky": "UKR", "zelenskyy": "UKR", "macron": "FRA", "erdogan": "TUR",
               "xi": "CHN", "starmer": "GBR", "merz": "DEU", "witkoff": "USA"}
QUALIFIERS = {"more than": ">", "over": ">", "at least": ">=", "about": "~", "around": "~",
              "nearly": "~", "almost": "~", "some": "~", "up to": "<="}
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "dozen": 12,
                "hundred": 100}
UNVERIFIABLE_NOTE = ("The Air Force reports give launched and shot-down counts per weapon, "
                     "not what was hit or damaged: not verifiable from this data.")


@dataclass
class CheckResult:
    text: str
    published: dt.date | None
    night: pd.Timestamp | None
    night_reason: str
    claims: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        return self.claims

    def to_json(self) -> str:
        return json.dumps({
            "published": str(self.published) if self.published else None,
            "night": f"{self.night:%Y-%m-%d}" if self.night is not None else None,
            "night_reason": self.night_reason,
            "claims": self.claims.to_dict(orient="records")}, ensure_ascii=False, indent=1)

    @property
    def html(self) -> str:
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
        return env.get_template("check.html.j2").render(
            result=self, body=jinja2.utils.markupsafe.Markup(_annotate(self.text, self.claims)),
            counts=self.claims.label.value_counts().to_dict())

    def summary(self) -> str:
        counts = self.claims.label.value_counts()
        when = f"{self.night:%Y-%m-%d}" if self.night is not None else "unknown"
        return (f"{len(self.claims)} claims about the night ending {when} ({self.night_reason}): "
                + ", ".join(f"{counts.get(lab, 0)} {lab}" for lab in LABELS) + ".")


# --- article parsing ---------------------------------------------------------------------


def parse_article(text: str) -> tuple[str, dt.date | None, str | None]:
    """Split off the `Published:` line and META_DESCRIPTION; return (text, date, meta)."""
    published = meta = None
    m = re.search(r"^\s*Published:\s*(.+?)\s*$", text, re.M)
    if m:
        import dateparser

        parsed = dateparser.parse(m[1], languages=["en"])
        published = parsed.date() if parsed else None
    m = re.search(r"META_DESCRIPTION:?\**:?\s*(.+)", text)
    if m:
        meta = m[1].strip()
    return text, published, meta


@lru_cache(maxsize=1)
def _nlp():
    import spacy
    from spacy.matcher import PhraseMatcher

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    groups = {"weapon": WEAPONS, "record": RECORD_WORDS, "surge": SURGE_WORDS,
              "damage": DAMAGE_WORDS, "relnight": RELATIVE_NIGHT,
              "trigger": TIMING_TRIGGERS, "diplomacy": DIPLOMACY_WORDS, "actor": ACTOR_WORDS,
              "place": _place_names()}
    for label, words in groups.items():
        matcher.add(label, [nlp.make_doc(w) for w in words])
    return nlp, matcher


@lru_cache(maxsize=1)
def _place_names() -> dict[str, str]:
    from strikescope.regions import regions

    names = {}
    for r in regions().itertuples():
        for alias in [r.name_en, *str(r.aliases).split("|")]:
            if alias and alias.isascii() and alias[0].isupper():
                names.setdefault(alias.lower(), r.region_id)
    return names


# --- extraction ----------------------------------------------------------------------------


def _spans_by_label(doc, matcher) -> dict[str, list]:
    from spacy.util import filter_spans

    found: dict[str, list] = {}
    for match_id, start, end in matcher(doc):
        found.setdefault(doc.vocab.strings[match_id], []).append(doc[start:end])
    return {label: filter_spans(spans) for label, spans in found.items()}


def _number_before(span) -> tuple[int, str, int] | None:
    """(value, qualifier, start char) of a number just before a weapon phrase, if any."""
    doc, i = span.doc, span.start - 1
    while i >= 0 and i >= span.start - 3 and not doc[i].like_num:
        if doc[i].is_punct or doc[i].lower_ in ("and", "or"):
            return None
        i -= 1
    if i < 0 or not doc[i].like_num:
        return None
    raw = doc[i].lower_.replace(",", "")
    value = int(raw) if raw.isdigit() else NUMBER_WORDS.get(raw)
    if value is None:
        return None
    start, qual = doc[i].idx, ""
    for words, q in QUALIFIERS.items():
        n = len(words.split())
        if i - n >= 0 and doc[i - n:i].text.lower() == words:
            start, qual = doc[i - n].idx, q
    return value, qual, start


def _claim(kind: str, text: str, start: int, end: int, **data) -> dict:
    return {"type": kind, "text": text[start:end], "start": start, "end": end, "data": data}


def _sentence_claims(sent, spans: dict, text: str) -> list[dict]:
    out = []
    inside = {k: [s for s in v if s.start >= sent.start and s.end <= sent.end]
              for k, v in spans.items()}
    bare = []
    for w in inside.get("weapon", []):
        num = _number_before(w)
        if num:
            value, qual, start = num
            out.append(_claim("count", text, start, w.end_char, value=value, qualifier=qual,
                              column=WEAPONS[w.text.lower()]))
        else:
            bare.append(w)
    if bare:
        out.append(_claim("weapon_type", text, bare[0].start_char, bare[-1].end_char,
                          columns=sorted({WEAPONS[w.text.lower()] for w in bare})))
    for label, kind in (("record", "comparison"), ("surge", "comparison")):
        for s in inside.get(label, []):
            out.append(_claim(kind, text, s.start_char, s.end_char, rule=label))
    damage = inside.get("damage", [])
    if damage:
        out.append(_claim("damage", text, damage[0].start_char, damage[-1].end_char))
    out += _timing_claim(inside, text)
    return out


def _timing_claim(inside: dict, text: str) -> list[dict]:
    triggers, talks = inside.get("trigger", []), inside.get("diplomacy", [])
    if not triggers or not talks:
        return []
    actors = sorted({ACTOR_WORDS[a.text.lower()] for a in inside.get("actor", [])})
    start = min(triggers[0].start_char, talks[0].start_char)
    end = max(talks[-1].end_char, *(a.end_char for a in inside.get("actor", [])), 0)
    return [_claim("timing", text, start, end, actors=actors)]


def _date_claims(doc, spans: dict, text: str, published: dt.date | None) -> list[dict]:
    out = [_claim("date", text, s.start_char, s.end_char, night=_as_date(published))
           for s in spans.get("relnight", []) if published]
    if published is None:
        return out
    from dateparser.search import search_dates

    base = dt.datetime.combine(published, dt.time(12))
    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"}
    for sent in doc.sents:
        for phrase, when in search_dates(sent.text, languages=["en"], settings=settings) or []:
            if not re.search(r"\d|day\b|january|february|march|april|may |june|july|august|"
                             r"september|october|november|december", phrase.lower()):
                continue
            start = text.find(phrase, sent.start_char)
            # an evening time belongs to the next night (the 18:00 rule)
            night = when.date() + dt.timedelta(days=1 if when.hour >= 18 else 0)
            if start >= 0 and "night" not in phrase.lower():
                out.append(_claim("date", text, start, start + len(phrase), night=night))
    return out


def _as_date(value) -> dt.date | None:
    return pd.Timestamp(value).date() if value is not None else None


def extract_claims(text: str, published: dt.date | None = None) -> list[dict]:
    """Every checkable claim in the text: type, text, character span and parsed data."""
    nlp, matcher = _nlp()
    body = _body(text)
    doc = nlp(body)
    spans = _spans_by_label(doc, matcher)
    claims = _date_claims(doc, spans, body, published)
    for sent in doc.sents:
        claims += _sentence_claims(sent, spans, body)
    seen = set()
    for s in spans.get("place", []):
        region = _place_names()[s.text.lower()]
        if region not in seen:
            seen.add(region)
            claims.append(_claim("place", body, s.start_char, s.end_char, region=region))
    return sorted(claims, key=lambda c: c["start"])


def _body(text: str) -> str:
    """The article without its Published line, so that the date is not checked as a claim."""
    return re.sub(r"^\s*Published:.*$", "", text, flags=re.M).rstrip()


# --- labelling -----------------------------------------------------------------------------


@dataclass
class _Context:
    nights: pd.DataFrame
    night: pd.Timestamp | None
    row: pd.Series | None
    counts: list[dict]
    db: object


def _resolve_night(claims: list[dict], nights: pd.DataFrame, published) -> tuple:
    dated = [c for c in claims if c["type"] == "date"]
    if dated:
        return pd.Timestamp(dated[0]["data"]["night"]), f"date named: {dated[0]['text']!r}"
    if published is None:
        return None, "the article names no date and has no publication date"
    places = [c["data"]["region"] for c in claims if c["type"] == "place"] or [None]
    end = pd.Timestamp(published)
    window = nights[(nights.night > end - pd.Timedelta(days=LOOKBACK)) & (nights.night <= end)]
    if places[0] is not None and "regions" in window:
        named = window[window.regions.apply(lambda r: places[0] in list(r))]
        window = named if len(named) else window
    if window.empty or window.total_launched.max() == 0:
        return None, f"no attack in the {LOOKBACK} nights before publication"
    night = window.loc[window.total_launched.idxmax(), "night"]
    where = f" that targeted {places[0]}" if places[0] else ""
    return night, (f"assumed: the article names no date; the largest night{where} in the "
                   f"{LOOKBACK} nights up to publication ({published})")


def _night_sources(row) -> list[str]:
    return [source_url(s) for s in (list(row["sources"]) if row is not None else [])]


def _matches(value: float, claimed: int, qual: str) -> bool:
    if qual == ">":
        return value > claimed
    if qual == ">=":
        return value >= claimed
    if qual == "<=":
        return value <= claimed
    if qual == "~":
        return abs(value - claimed) <= 0.1 * claimed
    return value == claimed


def _label_count(c: dict, ctx: _Context) -> tuple[str, str]:
    col, value = c["data"]["column"], c["data"]["value"]
    actual = float(ctx.row[col])
    if _matches(actual, value, c["data"]["qualifier"]):
        return "supported", f"{col} = {actual:,.0f} in the night ending {ctx.night:%Y-%m-%d}."
    other = _nights_matching(ctx, [c])
    hint = f"; {value:,} matches the night(s) ending {other}" if other else ""
    return "contradicted", (f"{col} = {actual:,.0f} in the night ending "
                            f"{ctx.night:%Y-%m-%d}, not {value:,}{hint}.")


def _nights_matching(ctx: _Context, counts: list[dict]) -> str:
    near = ctx.nights[(ctx.nights.night - ctx.night).abs() <= pd.Timedelta(days=14)]
    ok = near
    for c in counts:
        d = c["data"]
        ok = ok.loc[[_matches(v, d["value"], d["qualifier"]) for v in ok[d["column"]]]]
    return ", ".join(f"{n:%Y-%m-%d}" for n in ok.night)


def _label_date(c: dict, ctx: _Context) -> tuple[str, str]:
    night = pd.Timestamp(c["data"]["night"])
    row = ctx.nights[ctx.nights.night == night]
    total = float(row.total_launched.sum())
    if not ctx.counts:
        label = "supported" if total > 0 else "contradicted"
        return label, f"{total:,.0f} long-range weapons in the night ending {night:%Y-%m-%d}."
    matching = _nights_matching(_Context(ctx.nights, night, None, [], ctx.db), ctx.counts)
    said = ", ".join(dict.fromkeys(f"{x['data']['value']:,} {x['data']['column']}"
                                   for x in ctx.counts))
    if f"{night:%Y-%m-%d}" in matching.split(", "):
        return "supported", f"The night ending {night:%Y-%m-%d} matches the counts ({said})."
    hint = f"; they match the night(s) ending {matching}" if matching else ""
    return "contradicted", (f"The counts given ({said}) do not match the night ending "
                            f"{night:%Y-%m-%d} ({total:,.0f} weapons){hint}.")


def _label_weapon_type(c: dict, ctx: _Context) -> tuple[str, str]:
    counts = {col: float(ctx.row[col]) for col in c["data"]["columns"]}
    said = ", ".join(f"{col} = {v:,.0f}" for col, v in counts.items())
    label = "supported" if all(v > 0 for v in counts.values()) else "contradicted"
    return label, f"Night ending {ctx.night:%Y-%m-%d}: {said}."


def _label_comparison(c: dict, ctx: _Context) -> tuple[str, str]:
    b = baseline(ctx.nights, ctx.night)
    numbers = (f"{b['value']:,.0f} weapons in the night ending {ctx.night:%Y-%m-%d}; mean of "
               f"the 7 nights before {b['mean7']:.1f} ({b['ratio7']:.1f}x), of the 28 nights "
               f"before {b['mean28']:.1f} ({b['ratio28']:.1f}x); earlier maximum "
               f"{b['previous_max']:,.0f}.")
    if c["data"]["rule"] == "record":
        label = "supported" if b["record"] else "contradicted"
        return label, f"Record = strictly above every earlier night. {numbers}"
    label = "supported" if b["surge"] else "contradicted"
    return label, f"Surge = at least {SURGE_RATIO}x the 28-night mean. {numbers}"


def _label_timing(c: dict, ctx: _Context) -> tuple[str, str]:
    from strikescope.events import events

    lo = ctx.night - pd.Timedelta(days=LOOKBACK)
    ev = events(start=lo.date(), end=(ctx.night - pd.Timedelta(days=1)).date())
    actors = set(c["data"]["actors"])
    if actors:
        ev = ev[ev.actors.apply(lambda a: actors <= set(a))]
    if ev.empty:
        return "unverifiable", (f"No diplomatic event with {sorted(actors) or 'any actor'} in "
                                f"the timeline in the {LOOKBACK} days before the night ending "
                                f"{ctx.night:%Y-%m-%d}.")
    e = ev.sort_values("date").iloc[-1]
    gap, eve = (ctx.night - e.date).days, ctx.night - pd.Timedelta(days=1)
    return "supported", (f"{e.title} ({e.event_id}) on {e.date:%Y-%m-%d}; the night ending "
                         f"{ctx.night:%Y-%m-%d} began at 18:00 on {eve:%Y-%m-%d}, "
                         f"{gap} day(s) after the event ({e.source_url}).")


def _label_place(c: dict, ctx: _Context) -> tuple[str, str]:
    named = list(ctx.row["regions"]) if "regions" in ctx.row else []
    region = c["data"]["region"]
    if region in named:
        return "supported", (f"The reports of the night ending {ctx.night:%Y-%m-%d} name "
                             f"{region} among the targets ({', '.join(named)}).")
    return "unverifiable", (f"The reports of the night ending {ctx.night:%Y-%m-%d} do not name "
                            f"{region} ({', '.join(named) or 'no region named'}).")


LABELLERS = {"count": _label_count, "date": _label_date, "weapon_type": _label_weapon_type,
             "comparison": _label_comparison, "timing": _label_timing, "place": _label_place,
             "damage": lambda c, ctx: ("unverifiable", UNVERIFIABLE_NOTE)}


def check(text: str, published=None, db=None) -> CheckResult:
    """Extract an article's claims and label each against the store and the timeline."""
    text, parsed, _meta = parse_article(text)
    published = _as_date(published) or parsed
    claims = extract_claims(text, published)
    nights = api.nights(db=db)
    night, reason = _resolve_night(claims, nights, published)
    row = nights[nights.night == night].iloc[0] if night is not None and (
        nights.night == night).any() else None
    ctx = _Context(nights, night, row, [c for c in claims if c["type"] == "count"], db)
    records = []
    for i, c in enumerate(claims, 1):
        if row is None and c["type"] != "damage":
            label, evidence = "unverifiable", f"No night to check against: {reason}."
        else:
            label, evidence = LABELLERS[c["type"]](c, ctx)
        sources = [] if c["type"] == "damage" else _night_sources(row)
        records.append({"claim_id": i, "type": c["type"], "text": c["text"],
                        "start": c["start"], "end": c["end"], "label": label,
                        "evidence": evidence, "sources": sources})
    return CheckResult(_body(text), published, night, reason,
                       pd.DataFrame(records, columns=CLAIM_COLUMNS))


def _annotate(text: str, claims: pd.DataFrame) -> str:
    """The article as HTML with each claim in a <mark>; overlapping claims keep the first."""
    out, pos = [], 0
    for c in claims.sort_values(["start", "end"]).itertuples():
        if c.start < pos:
            continue
        out.append(html_lib.escape(text[pos:c.start]))
        out.append(f'<mark class="{c.label}" id="claim-{c.claim_id}" title="'
                   f'{html_lib.escape(c.evidence)}">{html_lib.escape(text[c.start:c.end])}'
                   f'<sup>{c.claim_id}</sup></mark>')
        pos = c.end
    out.append(html_lib.escape(text[pos:]))
    return "".join(out)
