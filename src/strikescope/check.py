"""Claim checker: label the checkable claims of a news article against the store.

`strikescope.claimtext` turns the text into structured claims (quantity and qualifier,
subject, measure, scope, who states it, and the night each is anchored to); this module
looks each one up in the nightly table (or in the night's report rows for a weapon model)
and labels it:

* supported: the store's figure fits the qualifier within the tolerance;
* contradicted: only when the night, subject and measure are all resolved with confidence,
  the Air Force states the figure for the whole country, and it is outside the qualifier's
  range by more than the tolerance on every plausible reading (neighbouring nights, other
  measures and columns, both policies, every weapon type the reports list);
* unverifiable: everything else, with the reason (out of scope, no night, ...).

Each label comes with its evidence: the night, the store's figure, the report posts and the
sentence. The rules are documented in docs/brief-check.md.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jinja2
import pandas as pd

import strikescope.api as api
import strikescope.claimtext as ct
import strikescope.cyrillic as cyr
from strikescope.errors import NotFoundError
from strikescope.sources.attacks import source_url

LABELS = ("supported", "contradicted", "unverifiable")
CLAIM_COLUMNS = ["claim_id", "type", "text", "start", "end", "label", "evidence", "sources",
                 "night", "subject", "measure", "qualifier", "value", "store_value",
                 "attribution", "confidence", "sentence"]
TEMPLATES = Path(__file__).parent / "templates"
LOOKBACK = 7
EXACT_TOLERANCE = 0.05      # share of the store's figure, at least 1
ABOUT_TOLERANCE = 0.10      # "about", "nearly", "some": share of the stated figure, at least 2
SURGE_RATIO = 1.5
NEIGHBOURS = 2              # nights either side searched for a better match
MAX_DETAIL_NIGHTS = 16      # nights whose report rows one check may read (model figures)
CHECKED_SOURCES = {"air_force", "officials", "unattributed"}
SOURCE_NAMES = {"president": "the president", "regional": "regional or city officials",
                "russia_mod": "Russia's defence ministry", "general_staff": "the General Staff",
                "other": "a third party"}
LAUNCHED = {"all": "total_launched", "drones": "drones_launched",
            "missiles": "missiles_launched", "cruise": "cruise_launched",
            "ballistic": "ballistic_launched", "aeroballistic": "aeroballistic_launched",
            "antiship": "antiship_launched"}
NO_ROWS = (f"no report rows read for that night (there are none, or the article names more "
           f"than {MAX_DETAIL_NIGHTS} nights with model figures)")
UNVERIFIABLE_NOTE = ("The Air Force reports give launched and shot-down counts per weapon, "
                     "not what was hit or damaged: not verifiable from this data.")
QUALIFIER_WORDS = {"exact": "", "about": "about ", "at_least": "at least ",
                   "more_than": "more than ", "up_to": "up to ", "between": "between "}


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
            "claims": _records_without_nan(self.claims)}, ensure_ascii=False, indent=1,
            default=str)

    @property
    def html(self) -> str:
        """A whole HTML page with the annotated article and the claims table."""
        return _env().get_template("check.html.j2").render(
            result=self, body=self.fragment_body, counts=self.counts(), standalone=True)

    @property
    def fragment(self) -> str:
        """The same without <html>, <head> or page styles, for embedding in a site page."""
        return _env().get_template("check.html.j2").render(
            result=self, body=self.fragment_body, counts=self.counts(), standalone=False)

    @property
    def fragment_body(self):
        return jinja2.utils.markupsafe.Markup(_annotate(self.text, self.claims))

    def counts(self) -> dict:
        return self.claims.label.value_counts().to_dict()

    def summary(self) -> str:
        counts = self.claims.label.value_counts()
        when = f"{self.night:%Y-%m-%d}" if self.night is not None else "unknown"
        return (f"{len(self.claims)} claims about the night ending {when} ({self.night_reason}): "
                + ", ".join(f"{counts.get(lab, 0)} {lab}" for lab in LABELS) + ".")


def _records_without_nan(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with None for missing values (NaN is not JSON)."""
    return [{k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
            for row in frame.to_dict(orient="records")]


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)


# --- article parsing ---------------------------------------------------------------------


def parse_article(text: str) -> tuple[str, dt.date | None, str | None]:
    """Split off the `Published:` line and META_DESCRIPTION; return (text, date, meta)."""
    _body, published = ct.split_metadata(text)
    m = re.search(r"META_DESCRIPTION:?\**:?\s*(.+)", text)
    return text, ct.kyiv_date(published), (m[1].strip() if m else None)


def extract_claims(text: str, published=None) -> list[dict]:
    """Every claim in the text: type, text, character span and its structured data."""
    art = _extract(text, _published(published))
    return [_as_dict(art, c) for c in _all_claims(art)]


def _extract(text: str, published) -> ct.Article:
    """The English reader's claims; in a mostly Cyrillic article, the statement parser's
    figures too, in place of the English reader's figures on the same words."""
    art = ct.extract(text, published)
    if not cyr.is_cyrillic(art.body):
        return art
    parsed = cyr.figure_claims(art)
    kept = [c for c in art.claims if c.kind != "figure" or not any(
        c.start < p.end and p.start < c.end for p in parsed)]
    art.claims = sorted([*kept, *parsed], key=lambda c: c.start)
    return art


def _published(value):
    if value is None or isinstance(value, (dt.date, dt.datetime)):
        return value
    return ct.parse_published(str(value))


def _all_claims(art: ct.Article) -> list:
    return sorted([*art.claims, *art.mentions, *_places(art)], key=lambda c: c.start)


def _as_dict(art: ct.Article, c) -> dict:
    kind = TYPE_NAMES.get(c.kind, c.kind)
    if isinstance(c, ct.Claim):
        data = {k: getattr(c, k) for k in ("value", "high", "qualifier", "subject", "model",
                                           "measure", "scope", "attribution", "record",
                                           "night", "confidence", "basis")}
    else:
        data = dict(c.data)
    return {"type": kind, "text": art.body[c.start:c.end], "start": c.start, "end": c.end,
            "data": data}


TYPE_NAMES = {"figure": "count", "record": "comparison", "surge": "comparison"}


@lru_cache(maxsize=1)
def _place_names() -> tuple[re.Pattern | None, dict[str, str]]:
    from strikescope.regions import regions

    names: dict[str, str] = {}
    for r in regions().itertuples():
        for alias in [r.name_en, *str(r.aliases).split("|")]:
            if alias and alias.isascii() and alias[0].isupper():
                names.setdefault(alias.lower(), r.region_id)
    if not names:
        return None, names
    rx = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(names, key=len,
                                                                       reverse=True))
                    + r")\b", re.I)
    return rx, names


LAUNCH_SITE_RE = re.compile(r"\bfrom\s+(?:the\s+)?(?:[\w-]+\s+){0,2}$", re.I)


def _places(art: ct.Article) -> list[ct.Mention]:
    rx, names = _place_names()
    out, seen = [], set()
    for m in rx.finditer(art.body) if rx else []:
        if LAUNCH_SITE_RE.search(art.body[max(0, m.start() - 40):m.start()]):
            continue  # "fired from occupied Crimea at the Kharkiv region": Crimea launched
        region = names[m[0].lower()]
        if region not in seen:
            seen.add(region)
            out.append(ct.Mention("place", m.start(), m.end(), ct.sentence_at(art, m.start()),
                                  {"region": region}))
    return out




# --- the store ---------------------------------------------------------------------------


class _Store:
    """The nightly table plus, on demand, a night's report rows (for weapon models)."""

    def __init__(self, db):
        self.db = db
        self.nights = api.nights(db=db)
        # plain dicts: a pandas .loc per claim would make long articles slow
        self._rows = {r["night"].date(): r for r in self.nights.to_dict("records")} \
            if len(self.nights) else {}
        self._national: dict | None = None
        self._detail: dict = {}
        self._sources: dict = {}
        self.figures: dict = {}

    def covers(self, night: dt.date) -> bool:
        ts = pd.Timestamp(night)
        return len(self.nights) > 0 and self.nights.night.min() <= ts <= self.nights.night.max()

    def row(self, night: dt.date) -> dict | None:
        return self._rows.get(night)

    def national_row(self, night: dt.date) -> dict | None:
        """The night under the national policy: the press quotes the national statement,
        whose figures also fit where they differ from the combined count (a class only a
        regional command reported). Read on the first launch claim, not per check."""
        if self._national is None:
            national = api.nights(db=self.db, policy="national") if len(self.nights) else \
                self.nights
            self._national = {r["night"].date(): r for r in national.to_dict("records")}
        return self._national.get(night)

    def rows(self, night: dt.date) -> pd.DataFrame | None:
        """The night's report rows; read for at most MAX_DETAIL_NIGHTS nights per article,
        so that a text naming hundreds of dates cannot make one check read the store
        hundreds of times."""
        if night not in self._detail:
            if len(self._detail) >= MAX_DETAIL_NIGHTS:
                return None
            try:
                self._detail[night] = api.night(night, db=self.db).rows
            except NotFoundError:
                self._detail[night] = None
        return self._detail[night]

    def sources(self, night: dt.date) -> list[str]:
        if night not in self._sources:
            row = self.row(night)
            self._sources[night] = [post_url(s) for s in (
                list(row["sources"]) if row is not None else [])]
        return list(self._sources[night])


def post_url(source: str) -> str:
    """A report post's address (`sources.attacks.source_url`); a statement read by
    strikescope, which has none, is named by its id."""
    return source_url(source) or str(source).strip()


@dataclass
class Figure:
    """The store's figure for one (night, subject, measure), with what it is."""
    value: float | None
    what: str
    sources: list[str]
    alternatives: tuple[float, ...] = ()
    reason: str = ""
    national: float | None = None  # the national statement's figure, where it differs
    alternatives_what: str = "counting those lost to electronic warfare"


def _column_figure(store: _Store, night, subject: str, measure: str) -> Figure:
    night = _as_date(night)
    row = store.row(night)
    if row is None:
        return Figure(None, "", [], reason=f"the store has no row for the night ending {night}")
    if subject == "decoy" and measure == "lost":
        subject = "drones"
    groups = {"all": ("drones", "missiles"), "drones": ("drones",), "missiles": ("missiles",)}
    if measure == "launched":
        col = LAUNCHED.get(subject)
        if col is None:
            return Figure(None, "", [], reason=f"no launched column for {subject}")
        nat = store.national_row(night)
        national = float(nat[col]) if nat is not None and nat[col] != row[col] else None
        fig = Figure(float(row[col]), col, store.sources(night), national=national)
        return _with_kinzhal(fig, float(row["aeroballistic_launched"])) \
            if subject == "ballistic" else fig
    if subject not in groups:
        return _class_outcome(store, night, subject, measure)
    kinds = groups[subject]
    destroyed = sum(float(row[f"{k}_destroyed"]) for k in kinds)
    lost = sum(float(row[f"{k}_not_reach_goal"]) for k in kinds)
    name = "+".join(kinds)
    if measure == "shot_down":
        return Figure(destroyed, f"{name} shot down", store.sources(night))
    if measure == "lost":
        return Figure(lost, f"{name} lost to electronic warfare", store.sources(night))
    if measure == "suppressed":
        return Figure(destroyed + lost, f"{name} shot down or lost to electronic warfare",
                      store.sources(night))
    if measure == "intercepted":
        return Figure(destroyed, f"{name} shot down", store.sources(night),
                      alternatives=(destroyed + lost,))
    return Figure(None, "", [], reason=f"measure {measure!r} is not in the store")


# The press often counts the air-launched Kinzhal among "ballistic missiles" ("28 missiles,
# including 15 ballistic": 11 Iskander-M and 4 Kinzhal), so ballistic and aeroballistic
# together is a second reading of a ballistic figure.
def _with_kinzhal(fig: Figure, aeroballistic: float) -> Figure:
    if fig.value is None or not aeroballistic:
        return fig
    fig.alternatives = (*fig.alternatives, fig.value + aeroballistic)
    fig.alternatives_what = "counting the aeroballistic Kinzhal as ballistic"
    return fig


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, (dt.datetime, pd.Timestamp)) else value


def _class_outcome(store: _Store, night, cls: str, measure: str) -> Figure:
    rows = store.rows(night)
    if rows is None:
        return Figure(None, "", [], reason=NO_ROWS)
    sel = rows[(rows.weapon_class == cls) & rows.counted.astype(bool)]
    fig = _outcome(sel, f"{cls} missiles", measure)
    if cls != "ballistic" or fig.alternatives:
        return fig
    aero = _outcome(rows[(rows.weapon_class == "aeroballistic") & rows.counted.astype(bool)],
                    "", measure)
    return _with_kinzhal(fig, aero.value or 0.0)


def _outcome(sel: pd.DataFrame, name: str, measure: str) -> Figure:
    sources = [post_url(s) for s in dict.fromkeys(sel.source.dropna())]
    launched = pd.to_numeric(sel.launched, errors="coerce").fillna(0).sum()
    destroyed = pd.to_numeric(sel.destroyed, errors="coerce").fillna(0).sum()
    lost = pd.to_numeric(sel.not_reach_goal, errors="coerce").fillna(0).sum()
    if measure == "launched":
        return Figure(float(launched), f"{name} launched", sources)
    if measure == "shot_down":
        return Figure(float(destroyed), f"{name} shot down", sources)
    if measure == "intercepted":
        return Figure(float(destroyed), f"{name} shot down", sources,
                      alternatives=(float(destroyed + lost),))
    if measure == "suppressed":
        return Figure(float(destroyed + lost), f"{name} shot down or lost", sources)
    if measure == "lost":
        return Figure(float(lost), f"{name} lost to electronic warfare", sources)
    return Figure(None, "", [], reason=f"measure {measure!r} is not in the store")


def _model_figure(store: _Store, night, model: str, measure: str) -> Figure:
    rows = store.rows(night)
    if rows is None:
        return Figure(None, "", [], reason=NO_ROWS)
    names = rows.model.fillna("").str.lower().str.replace(r"\bkh-", "x-", regex=True)
    mine = names.map(lambda n: _has_family(n, model))
    others = names.map(lambda n: any(_has_family(n, f) for f in ct.MODEL_FAMILIES if f != model))
    sel = rows[mine & rows.counted.astype(bool)]
    if (mine & others).any():
        shared = ", ".join(sorted(set(rows.model[mine & others])))
        return Figure(None, "", [post_url(s) for s in dict.fromkeys(sel.source.dropna())],
                      reason=f"the reports count {model} together with other models "
                             f"({shared}: {int(pd.to_numeric(sel.launched).sum())})")
    return _outcome(sel, model, measure)


def _has_family(name: str, family: str) -> bool:
    return any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w])", name)
               for n in ct.MODEL_FAMILIES[family])


# Shahed-type drones and decoys are no weapon class: read as one, "37 Shaheds shot down"
# met a "shahed" class of 0
def _unseparated() -> Figure:
    return Figure(None, "", [], reason="the reports do not separate Shahed-type drones from "
                                       "decoys")


def store_figure(store: _Store, night, c: ct.Claim) -> Figure:
    key = (night, c.subject, c.model, c.measure)
    if key not in store.figures:     # many claims share a night: look each up once
        if c.subject == "model" and c.model:
            fig = _model_figure(store, night, c.model, c.measure)
        else:
            subject = c.subject if c.subject != "model" else ct.MODEL_CLASS.get(
                c.model or "", "cruise")
            fig = _unseparated() if subject in ("shahed", "decoy") and not (
                subject == "decoy" and c.measure == "lost") \
                else _column_figure(store, night, subject, c.measure)
        store.figures[key] = fig
    return store.figures[key]


# --- labels ------------------------------------------------------------------------------


def fits(store_value: float, c: ct.Claim) -> bool:
    """Does the store's figure fit the claim's qualifier within the tolerance?"""
    v, q = c.value, c.qualifier
    assert v is not None  # only a claim with a figure is compared with the store
    # the tolerance of one is for a late count, not for none against some: "one Iskander
    # destroyed" where the reports have none shot down does not fit
    if (store_value == 0 < v and q != "up_to") or (v == 0 < store_value and q == "exact"):
        return False
    tol = max(1.0, EXACT_TOLERANCE * store_value)
    if q == "about":
        tol = max(2.0, ABOUT_TOLERANCE * v)
        return abs(store_value - v) <= tol
    if q == "more_than":
        return store_value > v - tol
    if q == "at_least":
        return store_value >= v - tol
    if q == "up_to":
        return store_value <= v + tol
    if q == "between":
        assert c.high is not None  # "between X and Y" reads both
        return v - tol <= store_value <= c.high + tol
    return abs(store_value - v) <= tol


def _fits_figure(fig: Figure, c: ct.Claim) -> bool:
    values = (fig.value, *fig.alternatives, *(() if fig.national is None else (fig.national,)))
    return any(fits(x, c) for x in values)


def _said(c: ct.Claim) -> str:
    if c.qualifier == "between":
        return f"between {c.value:,.0f} and {c.high:,.0f}"
    return f"{QUALIFIER_WORDS.get(c.qualifier, '')}{c.value:,.0f}"


SCOPE_REASONS = {
    "period": "out of scope: a figure for a period, not for one night",
    "city": "out of scope: a figure for one city or region; the reports are national",
    "part": "not checked: read as a part of another figure (as in \"11 of them cruise "
            "missiles\")",
    "war": "out of scope: a figure for the whole war, not for one night",
    "other_figure": ("not checked: the text gives another figure for the same weapons and "
                     "measure, and the statement parser kept that one"),
    "other": ("out of scope: a stock, a production rate or a forecast, not a report of one "
              "night's attack")}
MEASURE_REASONS = {
    "hit": "not checked: the store does not hold the reports' hit counts reliably",
    "other": "not checked: drones that left Ukrainian airspace are not a column of the reports"}


def _scope_reason(c: ct.Claim) -> str | None:
    if c.attribution not in CHECKED_SOURCES:
        who = SOURCE_NAMES.get(c.attribution, c.attribution)
        return (f"out of scope: a figure from {who}; only the Air Force's figures on Russian "
                f"launches are checked")
    if c.subject == "ukrainian":
        return "out of scope: a figure about Ukrainian drones, not Russian launches"
    if c.scope in SCOPE_REASONS:
        return SCOPE_REASONS[c.scope]
    if c.measure in MEASURE_REASONS:
        return MEASURE_REASONS[c.measure]
    if c.subject in ("shahed", "decoy") and c.measure == "launched":
        return SHAHED_REASON
    return None


SHAHED_REASON = "not checked: the reports do not separate Shahed-type drones from decoys"


def _label_shahed(c: ct.Claim, store: _Store) -> tuple[str, str, Figure] | None:
    """A figure for Shahed-type drones alone ("Fifteen Shaheds were shot down") can be
    supported when every long-range drone row of the night's reports is a Shahed-type row:
    then the drones column is the Shahed count (decoys, where any, included). It is never
    contradicted: where decoys are in that row, a Shahed-only figure is rightly smaller."""
    if c.subject != "shahed" or c.night is None or not store.covers(c.night) or \
            c.measure not in ("launched", "shot_down", "lost", "suppressed", "intercepted"):
        return None
    rows = store.rows(c.night)
    if rows is None or "long_range" not in rows:
        return None
    drones = rows[(rows.kind == "drone") & rows.long_range.astype(bool)
                  & rows.counted.astype(bool)]
    if drones.empty or not drones.model.fillna("").str.contains("shahed", case=False).all():
        return None
    fig = _column_figure(store, c.night, "drones", c.measure)
    if fig.value is None or not _fits_figure(fig, c):
        return None
    return "supported", (f"Night ending {c.night:%Y-%m-%d} ({c.basis}): every long-range drone "
                         f"row of the night's reports is Shahed-type, and the store has "
                         f"{fig.value:,.0f} {fig.what}; the article says {_said(c)}."), fig


def _neighbours(store: _Store, night: dt.date, test) -> list[dt.date]:
    out = []
    for k in range(1, NEIGHBOURS + 1):
        for d in (night - dt.timedelta(days=k), night + dt.timedelta(days=k)):
            if store.row(d) is not None and test(d):
                out.append(d)
    return out


def _decide(ok: bool, c: ct.Claim, store: _Store, night: dt.date, test,
            evidence: str) -> tuple[str, str]:
    """supported / contradicted / unverifiable from a fit and the confidence in the night."""
    if ok:
        return "supported", evidence
    others = _neighbours(store, night, test)
    hint = (" It matches the night ending " + " and ".join(f"{d:%Y-%m-%d}" for d in others)
            + f", not {night:%Y-%m-%d}.") if others else ""
    if c.confidence == "high":
        return "contradicted", evidence + hint
    # "overnight" with the publication date: a neighbouring night that fits (a next-day
    # piece, a date in another time zone) means the night, not the figure, may be wrong
    if c.confidence == "medium" and not others:
        return "contradicted", evidence + hint
    why = ("the night comes from 'overnight' and the publication date" if c.confidence ==
           "medium" else f"the night is uncertain ({c.basis})")
    return "unverifiable", f"{evidence}{hint} Not contradicted: {why}."


def label_figure(c: ct.Claim, store: _Store, sentence: str = "") -> tuple[str, str,
                                                                       Figure | None]:
    reason = _scope_reason(c)
    shahed = _label_shahed(c, store) if reason in (None, SHAHED_REASON) else None
    if shahed:
        return shahed
    if reason:
        return "unverifiable", reason[0].upper() + reason[1:] + ".", None
    if c.night is None:
        return "unverifiable", f"No night to check against ({c.basis}).", None
    if not store.covers(c.night):
        others = _neighbours(store, c.night, lambda d: (
            f := store_figure(store, d, c)).value is not None and _fits_figure(f, c))
        hint = "".join(f" The figure matches the night ending {d:%Y-%m-%d}, not "
                       f"{c.night:%Y-%m-%d}." for d in others[:1])
        return "unverifiable", f"The night ending {c.night} is outside the store.{hint}", None
    if c.measure == "previous_record":
        return _label_previous_record(c, store)
    fig = store_figure(store, c.night, c)
    if fig.value is None:
        return "unverifiable", f"Not checked: {fig.reason}.", fig
    if not _fits_figure(fig, c) and (later := _night_starting_on(c, store, sentence)):
        fig = later
    alt = "".join(f" (or {a:,.0f} {fig.alternatives_what})" for a in fig.alternatives)
    if fig.national is not None:
        alt += (f" ({fig.national:,.0f} in the national statement alone; the rest only a "
                "regional command reported)")
    evidence = (f"Night ending {c.night:%Y-%m-%d} ({c.basis}): the store has "
                f"{fig.value:,.0f} {fig.what}{alt}; the article says {_said(c)}.")
    label, evidence = _decide(
        _fits_figure(fig, c), c, store, c.night,
        lambda d: (f := store_figure(store, d, c)).value is not None and _fits_figure(f, c),
        evidence)
    if label == "contradicted":
        label, evidence = _hold_back(c, store, sentence, evidence)
    return (*_provisional(store, c.night, label, evidence), fig)


def _hold_back(c: ct.Claim, store: _Store, sentence: str, evidence: str) -> tuple[str, str]:
    """A contradiction stands only if the claim is the sentence's own and no reading fits."""
    label, evidence = _guard(c, store, evidence, sentence)
    return _doubt(c, store, sentence, evidence) if label == "contradicted" else (label,
                                                                                  evidence)


def _night_starting_on(c: ct.Claim, store: _Store, sentence: str) -> Figure | None:
    """"Overnight on October 21" and "the night of October 21" name the night into the 21st
    in Ukrainian usage but the night from the 21st in much of the press. When the figure
    misses the first reading and fits the second, the claim moves to the night ending the
    day after (and says so); a range ("the night of 3 to 4 July") is never moved."""
    m = re.match(r"explicit date phrase '([^']+)'", c.basis or "")
    if not m or re.search(r"\d\s*(?:-|–|to|into|and)\s*\d|\b(?:to|into)\b", m[1]) \
            or not re.search(r"\b(?:overnight|night)\s+(?:on|of)\s+(?:the\s+)?"
                              + re.escape(m[1]) + r"(?!\s*(?:-|–|to|into)\s*\d)",
                              sentence, re.I):
        return None
    later = _as_date(c.night) + dt.timedelta(days=1)
    if store.row(later) is None:
        return None
    fig = store_figure(store, later, c)
    if fig.value is None or not _fits_figure(fig, c):
        return None
    c.basis = (f"'{m[1]}' read as the night from {c.night:%Y-%m-%d} into {later:%Y-%m-%d}; "
               f"the night ending {c.night:%Y-%m-%d} does not fit")
    c.night = later
    return fig


def _provisional(store: _Store, night, label: str, evidence: str) -> tuple[str, str]:
    """A night whose figures come from a parsed morning statement (no digitised release
    covers it yet) says so; a difference with it is not a contradiction yet."""
    row = store.row(_as_date(night)) if night is not None else None
    if row is None or not bool(row.get("provisional", False)):
        return label, evidence
    note = ("Provisional: the store's figures for this night are the Air Force statement as "
            "parsed, not yet the digitised reports. ")
    if label == "contradicted":
        return "unverifiable", note + evidence + " Not called contradicted until the " \
            "digitised reports cover the night."
    return label, note + evidence


def _guard(c: ct.Claim, store: _Store, evidence: str, sentence: str = "") -> tuple[str, str]:
    """Contradicted only when the subject and measure are the sentence's own: not a figure
    without its weapon ("95 more"), not a measure guessed from a neighbouring clause, not an
    exact figure that fits another column of the same night."""
    if not c.subject_firm:
        why = "the figure names no weapon of its own, so its subject is a guess"
    elif not c.measure_firm:
        why = "no verb of the figure's own clause says what it counts"
    elif c.qualifier == "exact" and (other := _other_match(store, c, sentence)):
        why = (f"the figure matches the store's {other} for that night, so the sentence's "
               f"subject or measure may have been misread")
    else:
        return "contradicted", evidence
    return "unverifiable", f"{evidence} Not contradicted: {why}."


def _other_match(store: _Store, c: ct.Claim, sentence: str = "") -> str | None:
    """Another figure of the same night that an exact claim fits: the same measure of
    another subject, or (when no verb of its own clause gave the measure) another measure.
    Ranges ("more than 200") fit too many figures to say anything. A sentence that counts
    drones and missiles apart does not mean the total of all weapons by either."""
    apart = c.subject in ("drones", "missiles") and _counts_both_kinds(sentence)
    tries = [(s, c.measure) for s in ("all", "drones", "missiles", "cruise", "ballistic",
                                      "aeroballistic")
             if s != c.subject and not (apart and s == "all")]
    if not c.measure_firm:
        tries += [(c.subject, m) for m in ("launched", "shot_down", "lost", "suppressed")
                  if m != c.measure]
    for subject, measure in tries:
        alt = ct.Claim("figure", 0, 0, 0, value=c.value, high=c.high, qualifier=c.qualifier,
                       subject=subject, measure=measure)
        fig = store_figure(store, c.night, alt)
        if fig.value is not None and fig.value > 0 and fits(fig.value, alt):
            return fig.what
    return None


# --- confidence for "contradicted" ----------------------------------------------------------
# On text the rules had not seen, most "contradicted" labels were accurate articles read the
# wrong way: a night one off (a date convention, a clock time, a next-day piece), a measure
# taken from the wrong verb ("downed 460 drones" for shot down or jammed, "19 missiles
# launched" for 19 downed), a subject wider than the store's column (drones of unknown type),
# a figure for one place, someone other than the Air Force. "Contradicted" now needs the
# figure to miss on every such reading; otherwise the label is unverifiable, with the reading
# that fits.

AIR_FORCE_WORDS = re.compile(r"\bair\s*force|\bair[- ]defen[cs]e|\bIhnat\b|\bOleshchuk\b|"
                             r"\bkpszsu\b|\bmilitary\b", re.I)
SPEECH = re.compile(r"\b(?:said|says|say|told|tells|according|reported|reports|wrote|writes|"
                    r"stated|claimed|claims|announced|added|noted|estimated)\b", re.I)
LAUNCH_CUES = re.compile(r"\b(?:launch\w*|fir(?:ed|ing)|sent|send\w*|used|attack\w*|"
                         r"unleash\w*|deploy\w*)\b", re.I)
OUTCOME_CUES = re.compile(r"\b(?:shot|shoot\w*|down\w*|destroy\w*|intercept\w*|neutrali\w+|"
                          r"repel\w*|eliminat\w+|lost|jamm\w*|suppress\w*)\b", re.I)
# "shot down" is the reports' word for destroyed; "downed", "destroyed", "neutralised" are
# used by the press for shot down and jammed alike
LOOSE_OUTCOME = re.compile(r"\b(?:downed|destroy\w*|intercept\w*|neutrali\w+|repel\w*|"
                           r"eliminat\w+|dealt with|took out|shot down or)\b", re.I)
ONE_PLACE = re.compile(r"^\W*There,|\b(?:(?:the capital|the city)" + ct.AND_OTHER_PLACES
                       + r"|over (?:the )?"
                       r"(?!Ukrain|Russia|Belarus|Black Sea)[A-Z][\w'-]+|"
                       r"(?:in|on|at|towards?) (?:the )?[A-Z][\w'-]+ (?:region|oblast|province)\b)")


def _doubt(c: ct.Claim, store: _Store, sentence: str, evidence: str) -> tuple[str, str]:
    why = (_source_doubt(c, sentence) or _time_doubt(c) or _span_doubt(sentence)
           or _place_doubt(sentence) or _part_doubt(c, sentence)
           or _typed_total_doubt(c, store) or _scale_doubt(c, store)
           or _own_night_doubt(c, store, sentence) or _reading_doubt(c, store, sentence))
    if why is None:
        return "contradicted", evidence
    return "unverifiable", f"{evidence} Not contradicted: {why}."


# A date without a year names the latest such day before the article; a night read from one
# more than half a year back ("two days before Christmas" read as last year's) is a year
# misread as likely as a misreport.
FAR_NIGHT_DAYS = 183
YEAR_RE = re.compile(r"\b(?:19|20)\d\d\b")


def _time_doubt(c: ct.Claim) -> str | None:
    """The claim's night is after the article, or long before it by a date phrase that
    names no year."""
    if c.night is None or c.published is None:
        return None
    gap = (c.published - _as_date(c.night)).days
    if gap < -1:  # published the evening before a night's morning is the latest
        return "the night read is after the article's date, so the date was misread"
    phrase = re.search(r"date phrase '([^']*)'", c.basis or "")
    if gap > FAR_NIGHT_DAYS and not (phrase and YEAR_RE.search(phrase[1])):
        return (f"the night read is {gap} days before the article by a date phrase without "
                "a year, so it may be another night")
    return None


_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|"
           "december")
_WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
# Words of a span longer than a night. On unseen articles, most wrong "contradicted" labels
# that remained were such spans read as one night ("from Monday to today", "the last days
# of 2023 and the first days of 2024", "in 48 hours").
SPAN_RE = re.compile(
    rf"\b(?:last|first|closing|past|previous|coming|recent)\s+(?:few\s+|two\s+|three\s+)?"
    rf"(?:days|weeks|months|nights)\b|\bdays\s+of\b|\bover\s+the\s+(?:past|last|previous)\b|"
    rf"\bfrom\s+(?:{_WEEKDAYS}|\d{{1,2}}\s+(?:{_MONTHS})|(?:{_MONTHS})\s+\d{{1,2}})\s+"
    rf"(?:to|until|till|through)\b|\bthis\s+(?:week|month|year)\b|\b(?:weekly|monthly)\b|"
    rf"\b(?:in|during|throughout)\s+(?:{_MONTHS})\b(?!\s+\d)|\b\d+\s+(?:days|weeks|nights)\b|"
    rf"\b(?:over|during|throughout|for)\s+(?:the|this|a)\s+(?:whole\s+|entire\s+)?"
    rf"(?:week|month)\b|"
    rf"\b(?:48|72)\s+hours\b|\b(?:since|so\s+far\s+(?:this|in))\s+(?:the\s+)?(?:start|beginning)"
    rf"\s+of\s+(?:the\s+)?(?:week|month|year)\b", re.I)


# The Air Force's statement gives a missile total and then the missiles type by type, and the
# reports keep the types: a total a little above the sum of several typed rows may count a
# type the rows left out (67 missiles for the night ending 2025-03-07, where five typed rows
# sum to 58), as likely as a misreport.
TYPED_TOTAL_SLACK = 1.25
MIN_TYPED_ROWS = 3


def _typed_total_doubt(c: ct.Claim, store: _Store) -> str | None:
    if c.subject != "missiles" or c.measure != "launched" or c.night is None or c.value is None:
        return None
    rows = store.rows(_as_date(c.night))
    if rows is None or not len(rows):
        return None
    typed = rows[(rows["kind"] == "missile") & rows["counted"].astype(bool)]
    total, types = float(typed["launched"].sum()), int(typed["model"].nunique())
    if types < MIN_TYPED_ROWS or not total < c.value <= TYPED_TOTAL_SLACK * total:
        return None
    return (f"the store's {total:,.0f} missiles are the sum of {types} rows, one per type, "
            "and a statement's total may count a type the rows leave out")


# "more than 8,000 missiles ... since its invasion": a figure over twice the largest night the
# store holds counts a longer span, whatever date phrase its sentence has (judged only on a
# store of some weeks, whose largest night means something)
SCALE_SLACK = 2
MIN_SCALE_NIGHTS = 28


def _scale_doubt(c: ct.Claim, store: _Store) -> str | None:
    col = LAUNCHED.get(c.subject or "", "total_launched")
    if c.value is None or len(store.nights) < MIN_SCALE_NIGHTS or col not in store.nights:
        return None
    top = float(store.nights[col].max())
    if not c.value > SCALE_SLACK * top:
        return None
    return (f"{c.value:,.0f} is over twice the most any night in the store holds "
            f"({top:,.0f}), so the figure counts more than one night")


# Figures that are no count of the whole night's weapons, whatever verb the sentence has:
# a remainder the writer worked out ("shot down all but 10 of the drones", "what happened
# to the other two was not clear"), hits ("hits by 28 drones were recorded"), one weapon's
# share of a total ("81 missiles, 11 of them cruise missiles brought down by F-16s").
_N = r"(?P<n>\d[\d,]*|[a-z]+(?:-[a-z]+)?)"
PART_FORMS = (
    (re.compile(rf"\b(?:all\s+but|except(?:\s+for)?)\s+(?:the\s+)?{_N}\b", re.I),
     "a remainder (what was not downed)", ("launched", "shot_down", "intercepted",
                                           "suppressed")),
    (re.compile(rf"\b(?:the\s+)?(?:other|remaining)\s+{_N}\b", re.I),
     "a remainder (what was not downed)", ("launched", "shot_down", "intercepted")),
    (re.compile(rf"\b(?:hits?|strikes|impacts)\s+(?:by|of|from)\s+(?:about\s+|some\s+|"
                rf"at\s+least\s+)?{_N}\b", re.I), "hits, not launches or downings", None),
    (re.compile(rf"\b{_N}\s+of\s+them\s+(?:were\s+)?(?:[\w-]+\s+){{0,2}}?(?:cruise|"
                rf"ballistic|aeroballistic|kalibrs?|iskanders?|kinzhals?|kh-\d+|x-\d+|"
                rf"shaheds?|decoys?|gerberas?)\b", re.I), "one weapon's share of the total",
     None),
)


def _part_doubt(c: ct.Claim, sentence: str) -> str | None:
    """The figure stands in a form that gives part of a night's weapons, not a count of
    them; the measure it was read with is a guess."""
    for rx, what, measures in PART_FORMS:
        if measures is not None and c.measure not in measures:
            continue
        for m in rx.finditer(sentence):
            if ct.number_value(m["n"]) == c.value:
                return (f"the figure is {what} ({m[0].strip()!r}), which the reports do not "
                        "give as such")
    return None


# "Russia fired a missile and 14 drones at Ukraine overnight." with the night read from a
# date elsewhere in the piece (a remark weeks before): the sentence's own "overnight" names
# the night the piece reports (ending on its publication day or the day before), and a
# figure that fits that night counts it. Not when a date in the figure's own sentence gave
# the night: a piece that states a night misreports it as surely as a figure.
OWN_NIGHT_RE = re.compile(r"\b(?:overnight|tonight|last night|this morning)\b", re.I)


def _own_night_doubt(c: ct.Claim, store: _Store, sentence: str) -> str | None:
    if c.published is None or c.night is None or c.value is None \
            or c.qualifier not in ("exact", "about") or "in its sentence" in c.basis \
            or not OWN_NIGHT_RE.search(sentence):
        return None
    hit = _fitting_night(c, store, (c.published, c.published - dt.timedelta(days=1)))
    if hit is None:
        return None
    d, fig = hit
    return (f"it fits the store's {fig.what} for the night ending {d:%Y-%m-%d}, the night "
            "the piece reports, so the night read may be another event's date")


def _fitting_night(c: ct.Claim, store: _Store, days) -> tuple[dt.date, Figure] | None:
    """The first of `days`, other than the claim's own night, whose store figure (not a
    zero) the claim fits, with that figure."""
    night = _as_date(c.night)
    for d in days:
        if d == night or store.row(d) is None:
            continue
        fig = store_figure(store, d, c)
        if fig.value is not None and fig.value > 0 and _fits_figure(fig, c):
            return d, fig
    return None


# A republished or late piece: "Air Force says 36 drones shot down overnight" over a page
# dated in September whose text tells the attack "overnight on May 25". A figure whose night
# comes from a relative word ("overnight") or from the publication date alone may be the
# night the piece names by its calendar date; when it fits that night, the publication date
# is as likely wrong as the figure.
def _dated_night_doubt(c: ct.Claim, store: _Store, dated: list[dt.date]) -> str | None:
    if c.night is None or c.value is None \
            or not (c.basis or "").startswith(("relative date phrase", "assumed")):
        return None
    hit = _fitting_night(c, store, dated)
    if hit is None:
        return None
    d, fig = hit
    return (f"it fits the store's {fig.what} for the night ending {d:%Y-%m-%d}, a night the "
            "piece names by its date, so the publication date may not be the night's")


def _dated_nights(art: ct.Article) -> list[dt.date]:
    """The nights the piece's figures take from a calendar date it states."""
    return sorted({_as_date(c.night) for c in art.claims
                   if c.night is not None
                   and (c.basis or "").startswith("explicit date phrase")})


def _span_doubt(sentence: str) -> str | None:
    """A sentence that speaks of a span longer than a night may give that span's count."""
    m = SPAN_RE.search(sentence)
    if m is None:
        return None
    return (f"the sentence speaks of a span longer than a night ({m[0]!r}), so the figure "
            "may count more than one night")


# '"Three UAVs were shot down by air defence forces, ...," the head of the region said':
# the air defence named as the actor does not make a governor's count the Air Force's
_REGIONAL = dict(ct.ENTITIES)["regional"]
REGIONAL_SPEAKS = re.compile(
    rf"\b(?:{_REGIONAL})[^.;,\"”]{{0,25}}?\b(?:said|says|told|wrote|reported|added)\b|"
    rf"\b(?:said|says|according to|told)\s+(?:the\s+)?(?:[\w'-]+\s+){{0,3}}?(?:{_REGIONAL})",
    re.I)


PRESIDENT_NAMED = re.compile(r"\bzelensk\w*|\b(?:ukraine'?s|ukrainian) president\b|"
                             r"\bpresident volodymyr\b", re.I)


def _source_doubt(c: ct.Claim, sentence: str) -> str | None:
    """Only the Air Force's figures are checked against its own reports. "Officials" may be
    anyone in Kyiv, and an unattributed figure in a sentence that quotes someone the rules
    did not recognise may be that speaker's count; an unattributed figure stated by the
    article itself, or in a sentence about the Air Force, is the article's claim."""
    if c.attribution not in ("air_force", "unattributed"):
        return "the figure is not attributed to the Air Force, so it may be another count"
    # an Air Force attribution taken from the article does not hold in a sentence that
    # quotes someone else ("Mathernova said Russia launched ..."); "it said" is the speaker
    # of the sentence before, which the attribution already followed
    if REGIONAL_SPEAKS.search(sentence):
        return "a regional official speaks in the sentence, so the figure may be a local count"
    # "... launched over 470 drones overnight in what Zelensky called a 'shameless attack'":
    # the president named beside the figure, with no verb of saying, may be its source
    if PRESIDENT_NAMED.search(sentence) and not AIR_FORCE_WORDS.search(sentence):
        return "the sentence names the president, so the figure may be his count"
    if AIR_FORCE_WORDS.search(sentence) or not SPEECH.search(sentence) \
            or ct.PRONOUN_SPEAKER.search(sentence):
        return None
    return ("the sentence quotes someone without naming the Air Force, so the figure may be "
            "another count")


# "over 14 Ukrainian regions, the capital Kyiv among them", "in 10 regions, including Kyiv":
# places named as examples of the regions the figure covers, not the figure's one place
REGION_EXAMPLES_RE = re.compile(
    r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|many|"
    r"multiple)\s+(?:[\w'-]+\s+)?(?:regions|oblasts|provinces)\b,?\s*(?:(?:including|such as|"
    r"notably)\b[^.;]*|[^.;,]{0,60}?\bamong (?:them|others)\b)", re.I)


def _place_doubt(sentence: str) -> str | None:
    """A sentence about one city or region ("over Kyiv", "in the Odesa region") may give
    that place's figure, not the national one. What the source did not say ("although it
    did not say how many had been aimed at the capital") names no place."""
    sentence = ct.UNTOLD_RE.sub(lambda m: " " * len(m[0]), sentence)
    sentence = REGION_EXAMPLES_RE.sub(lambda m: " " * len(m[0]), sentence)
    rx, _names = _place_names()
    places = {m[0].lower() for m in rx.finditer(sentence) if not _not_a_target(sentence, m)} \
        if rx else set()
    if 0 < len(places) <= 2 or ONE_PLACE.search(sentence):
        return "the sentence is about one place, so the figure may count that place alone"
    return None


def _not_a_target(sentence: str, m: re.Match) -> bool:
    """A dateline ("KYIV, Ukraine (AP)"), the government ("Kyiv said") or a launch site
    ("from Crimea") names a place that is not where the figure was counted."""
    return (m[0].isupper() or bool(re.match(r"\s*(?:said|says|reported|'s\b)",
                                             sentence[m.end():], re.I))
            or bool(re.search(r"\bfrom\b[^,.;]{0,40}$", sentence[:m.start()], re.I)))


def _reading_doubt(c: ct.Claim, store: _Store, sentence: str) -> str | None:
    """The first plausible reading of the sentence under which the figure fits, if any."""
    for value, what in _readings(c, store, sentence):
        if value is not None and fits(value, c):
            return f"it fits {what} ({value:,.0f})"
    return None


def _readings(c: ct.Claim, store: _Store, sentence: str):
    """Store figures the sentence could plausibly mean besides the one compared: every
    combination of the night before, the night and the night after; the claim's measure and
    the others the sentence leaves open; the claim's subject and (for an exact or approximate
    figure) the other columns; both policies; two nights together; every drone or missile
    type the reports list."""
    night = _as_date(c.night)
    nights = [d for d in (night - dt.timedelta(days=1), night, night + dt.timedelta(days=1))
              if store.row(d) is not None]
    measures = [c.measure, *_plausible_measures(c, sentence)]
    subjects = [(c.subject, c.model)] + [(s, None) for s in _plausible_subjects(c, sentence)]
    for d in nights:
        for subject, model in subjects:
            for measure in measures:
                if (d, subject, model, measure) == (night, c.subject, c.model, c.measure):
                    continue
                alt = ct.Claim("figure", 0, 0, 0, value=c.value, high=c.high,
                               qualifier=c.qualifier, subject=subject, model=model,
                               measure=measure)
                fig = store_figure(store, d, alt)
                what = f"the store's {fig.what} for the night ending {d:%Y-%m-%d}"
                yield fig.value, what
                if fig.national is not None:
                    yield fig.national, what + " (national statement)"
        yield from _any_type_readings(c, store, d)
    yield from _two_nights(c, store, night)
    yield from _with_left_part(c, store, night, sentence)


# "28 decoy drones were lost ..., two of them flew off towards Russia and Belarus": the
# statement's lost count holds drones that left the airspace, which the reports keep apart
LEFT_PART_RE = re.compile(r"\b(?P<n>\w+) of them (?:flew|left|went|headed|returned|veered)\b"
                          r"[^.;]{0,40}?\b(?:russia|belarus|moldova|romania|airspace)\b", re.I)


def _with_left_part(c: ct.Claim, store: _Store, night: dt.date, sentence: str):
    """The claim's measure plus the part its sentence says left the airspace."""
    m = LEFT_PART_RE.search(sentence)
    part = ct.number_value(m["n"]) if m else None
    if c.measure != "lost" or not part:
        return
    fig = store_figure(store, night, c)
    if fig.value is not None:
        yield fig.value + part, f"{fig.what} and the {part} that left the airspace"


def _two_nights(c: ct.Claim, store: _Store, night: dt.date):
    """A sum of two nights ("since Saturday evening"). Only an exact or approximate figure
    says anything about it: a bound ("more than 650") fits any large sum."""
    if c.qualifier not in ("exact", "about"):
        return
    here = store_figure(store, night, c)
    for d in (night - dt.timedelta(days=1), night + dt.timedelta(days=1)):
        other = store_figure(store, d, c) if store.row(d) is not None else None
        if here.value is not None and other is not None and other.value is not None:
            yield here.value + other.value, (f"the two nights ending {min(d, night)} and "
                                             f"{max(d, night)} together")


SUBJECT_WORDS = {"all": r"drones and missiles|missiles and drones|targets|weapons|projectiles|"
                        r"aerial|air attack assets",
                 "drones": r"drone|shahed|uav|geran", "missiles": r"missile",
                 "cruise": r"cruise|kalibr|kh-101|x-101", "ballistic": r"ballistic|iskander",
                 "aeroballistic": r"kinzhal|aeroballistic|hypersonic"}


def _plausible_subjects(c: ct.Claim, sentence: str) -> list[str]:
    """Other columns the figure may count. An exact or approximate figure may be any of
    them (its weapon phrase misread); a bound ("at least 93 ballistic and cruise
    missiles") fits too many columns, so only the ones its sentence names."""
    others = [s for s in SUBJECT_WORDS if s != c.subject]
    if c.qualifier in ("exact", "about"):
        # "235 drones and 27 missiles" counts the two kinds apart: its drone figure is no
        # slip for the night's total of all weapons (nor its missile figure)
        if c.subject in ("drones", "missiles") and _counts_both_kinds(sentence):
            others.remove("all")
        return others
    return [s for s in others if re.search(SUBJECT_WORDS[s], sentence, re.I)]


_KIND_WORDS = r"drones?|shaheds?|uavs?|missiles?"
# a number and its noun, with at most three other words between ("27 Kh-101 cruise missiles")
BOTH_KINDS = tuple(
    re.compile(rf"\b\d[\d,.]*\s+(?:(?!(?:{_KIND_WORDS})\b)[\w-]+\s+){{0,3}}?(?:{noun})\b",
               re.I)
    for noun in (r"drones?|shaheds?|uavs?", r"missiles?"))


def _counts_both_kinds(sentence: str) -> bool:
    """The sentence gives a number of drones and a number of missiles, each its own."""
    return all(rx.search(sentence) for rx in BOTH_KINDS)


def _plausible_measures(c: ct.Claim, sentence: str) -> list[str]:
    """Other measures the figure may count: a sentence with both launch and outcome verbs
    ("downed 460 drones as well as 19 missiles launched overnight") leaves the verb of each
    figure open; a loose outcome verb may count the drones jammed too."""
    out = []
    both = LAUNCH_CUES.search(sentence) and OUTCOME_CUES.search(sentence)
    if both:
        out += [m for m in ("launched", "shot_down") if m != c.measure]
    if c.measure in ("shot_down", "intercepted") and (both or LOOSE_OUTCOME.search(sentence)):
        out.append("suppressed")
    if c.measure == "launched" and both:
        out.append("suppressed")
    return out


def _any_type_readings(c: ct.Claim, store: _Store, night: dt.date):
    """Drones or missiles of every type the night's reports list (unidentified drones,
    reconnaissance drones, guided missiles outside the long-range columns), in the national
    statement and in all reports: "all five drones" where the store's column has three
    Shahed-type drones and the statement two of unknown type."""
    kinds = {"drones": ("drone",), "missiles": ("missile",), "all": ("drone", "missile")}
    if c.subject not in kinds or c.measure not in ("launched", "shot_down", "suppressed"):
        return
    rows = store.rows(night)
    if rows is None or "kind" not in rows:
        return
    sel = rows[rows.kind.isin(kinds[c.subject])]
    national = sel[sel.source.fillna("").str.startswith("kpszsu")]
    for part, where in ((national, "in the national statement"), (sel, "in all reports")):
        yield (_measure_sum(part, c.measure),
               f"{c.subject} of every type {where} for the night ending {night}")
    yield from _statement_readings(c, national, night)


def _measure_sum(rows: pd.DataFrame, measure: str) -> float:
    """Launched, shot down, or shot down and lost together ("suppressed"), summed over
    report rows (a missing count is none)."""
    def total(col: str) -> float:
        return float(pd.to_numeric(rows[col], errors="coerce").fillna(0).sum())

    if measure == "launched":
        return total("launched")
    return total("destroyed") + (total("not_reach_goal") if measure == "suppressed" else 0)


def _statement_readings(c: ct.Claim, national: pd.DataFrame, night: dt.date):
    """One national statement of a night that has several (the overnight statement and a
    daytime one the store adds to the same night): a piece quoting the morning statement
    gives its figures alone ("120 of 150 drones", where the night holds 203 with the 53 of
    the day)."""
    if len(national) < 2 or "time_start_local" not in national:
        return
    for window, part in national.groupby(["time_start_local", "time_end_local"], sort=True):
        yield _measure_sum(part, c.measure), (
            f"{c.subject} in the national statement for {window[0]} to {window[1]} alone "
            f"(night ending {night})")


def _record_doubt(c: ct.Claim, store: _Store, sentence: str) -> str | None:
    """A record claim is contradicted only when the Air Force makes it and the night is no
    record on any of the measures a sentence may mean, nor is the night before or after."""
    why = _source_doubt(c, sentence) or _time_doubt(c) or _span_doubt(sentence)
    if why:
        return why
    if re.search(r"\bhad been\b|\bprevious(?:ly)?\b|\bearlier record\b|\bformer record\b",
                 sentence, re.I):
        return "the sentence is about an earlier record"
    if ct.RECORD_RE.search(sentence) and not _attack_superlatives(sentence):
        return ("every superlative of the sentence ranks a place or a kind of target, not "
                "the night's weapons")
    for subject in ("all", "drones", "missiles"):
        s = _series(store, subject)
        for k in (-1, 0, 1):
            d = pd.Timestamp(c.night) + pd.Timedelta(days=k)
            if (subject, k) == (c.subject, 0):
                continue
            v = _record_verdict(s, d, c.record)
            if v and v[0]:
                return (f"the night ending {d:%Y-%m-%d} holds that record on "
                        f"{LAUNCHED[subject]}")
    return None


def _attack_superlatives(sentence: str) -> list[str]:
    """The sentence's superlatives that may rank the attack: not "second-largest city",
    not "the largest on the country's gas extraction sites"."""
    return [m[0] for m in ct.RECORD_RE.finditer(sentence)
            if not ct.PLACE_NOUN_RE.match(sentence[m.end():])
            and not ct.TARGET_SCOPE_RE.match(sentence[m.end():])]


def _series(store: _Store, subject: str) -> pd.Series | None:
    col = LAUNCHED.get(subject)
    return store.nights.set_index("night")[col] if col else None


def _label_previous_record(c: ct.Claim, store: _Store) -> tuple[str, str, Figure | None]:
    s = _series(store, c.subject)
    if s is None:
        return "unverifiable", f"No nightly series for {c.subject}.", None
    before = s[s.index < pd.Timestamp(c.night)]
    if before.empty:
        return "unverifiable", "No earlier nights in the store.", None
    top = before.idxmax()
    record = float(before.max())
    fig = Figure(record, f"{LAUNCHED[c.subject]} (the record before)",
                 store.sources(top.date()))
    c.night, c.basis = top.date(), f"the record before the night ending {c.night:%Y-%m-%d}"
    evidence = (f"Before the article's night the record was {fig.value:,.0f} "
                f"({LAUNCHED[c.subject]}) on the night ending {top:%Y-%m-%d}; the article "
                f"says {_said(c)}.")
    if fits(record, c):
        return "supported", evidence, fig
    return ("contradicted" if c.confidence == "high" else "unverifiable"), evidence, fig


def label_record(c: ct.Claim, store: _Store, sentence: str = "") -> tuple[str, str,
                                                                        Figure | None]:
    if c.attribution not in CHECKED_SOURCES:
        who = SOURCE_NAMES.get(c.attribution, c.attribution)
        return "unverifiable", f"Out of scope: a comparison made by {who}.", None
    scope = c.record.get("scope")
    if scope in ("city", "vague", "target", "russia"):
        what = {"city": "one city", "vague": "a vague period",
                "target": "attacks on one kind of target",
                "russia": "Ukraine's strikes on Russia"}[scope]
        return "unverifiable", f"Not checked: a comparison about {what}.", None
    if c.night is None or not store.covers(c.night):
        return "unverifiable", f"No night in the store to check against ({c.basis}).", None
    s = _series(store, c.subject)
    if s is None:
        return "unverifiable", f"Not checked: the store has no nightly {c.subject}.", None
    verdict = _record_verdict(s, pd.Timestamp(c.night), c.record)
    if verdict is None:
        return "unverifiable", "No earlier nights in the store.", None
    ok, evidence = verdict
    fig = Figure(float(s.get(pd.Timestamp(c.night), 0)), LAUNCHED[c.subject],
                 store.sources(c.night))
    label, evidence = _decide(
        ok, c, store, c.night,
        lambda d: bool((v := _record_verdict(s, pd.Timestamp(d), c.record)) and v[0]),
        f"Night ending {c.night:%Y-%m-%d} ({c.basis}): {evidence}")
    if label == "contradicted":
        why = _record_doubt(c, store, sentence)
        if why:
            label, evidence = "unverifiable", f"{evidence} Not contradicted: {why}."
    return label, evidence, fig


def _record_verdict(s: pd.Series, night: pd.Timestamp, info: dict) -> tuple[bool, str] | None:
    """Is the night's value the record the sentence claims, on the sentence's measure?"""
    if night not in s.index:
        return None
    value, col = float(s[night]), s.name
    before = s[s.index < night]
    if info.get("year"):
        before = before[before.index.year == night.year]
    if before.empty:
        return None
    if "rank" in info:
        rank = 1 + int((before > value).sum())
        where = " this year" if info.get("year") else ""
        return rank == info["rank"], (f"{value:,.0f} ({col}) ranks {rank}{where} among the "
                                      f"nights up to it; the claim is rank {info['rank']}.")
    larger = before[before >= value]
    last = larger.index.max() if len(larger) else None
    top = before.idxmax()
    prev = f"the previous record was {before.max():,.0f} on the night ending {top:%Y-%m-%d}"
    since = _since_end(info.get("since"), night)
    if since is not None:
        ok = last is None or last <= since
        told = ("no earlier night had as many" if last is None else
                f"the last night with as many was {last:%Y-%m-%d} ({larger[last]:,.0f})")
        return ok, f"{value:,.0f} ({col}); {told}; the claim: the most since {info['since']}."
    if last is None:
        return True, f"{value:,.0f} ({col}) is a record: {prev}."
    return False, f"{value:,.0f} ({col}) is not a record: {prev}."


def _since_end(what: str | None, night: pd.Timestamp) -> pd.Timestamp | None:
    """The end of the period a 'the most since ...' phrase names (None: all time)."""
    if not what or re.match(r"the (war|invasion|start|beginning)", what, re.I):
        return None
    m = re.search(r"(" + "|".join(ct.MONTHS) + r")\.?(?:\s+((?:19|20)\d\d))?", what, re.I)
    if m:
        month = ct.MONTHS[m[1].lower()]
        year = int(m[2]) if m[2] else (night.year if month <= night.month else night.year - 1)
        return pd.Timestamp(year, month, 1) + pd.offsets.MonthEnd(0)
    m = re.search(r"(19|20)\d\d", what)
    return pd.Timestamp(int(m[0]), 12, 31) if m else None


# --- claims that are not figures ---------------------------------------------------------


def label_mention(m: ct.Mention, ctx: dict) -> tuple[str, str, list[str]]:
    night, store = ctx["night"], ctx["store"]
    if m.kind == "damage":
        return "unverifiable", UNVERIFIABLE_NOTE, []
    if night is None or store.row(night) is None:
        return "unverifiable", f"No night to check against: {ctx['reason']}.", []
    row, sources = store.row(night), store.sources(night)
    firm = ctx["confidence"] == "high"
    if m.kind == "weapon_type":
        counts = {col: float(row[col]) for col in m.data["columns"]}
        said = ", ".join(f"{col} = {v:,.0f}" for col, v in counts.items())
        ok = all(v > 0 for v in counts.values())
        label = "supported" if ok else ("contradicted" if firm else "unverifiable")
        return label, f"Night ending {night:%Y-%m-%d}: {said}.", sources
    if m.kind == "surge":
        return _label_surge(store, night, firm) + (sources,)
    if m.kind == "timing":
        return _label_timing(m, night) + (sources,)
    if m.kind == "place":
        return _label_place(m, row, night) + (sources,)
    return "unverifiable", "", []


def _label_surge(store: _Store, night: dt.date, firm: bool) -> tuple[str, str]:
    s = store.nights.set_index("night")["total_launched"]
    ts = pd.Timestamp(night)
    before = s[s.index < ts].tail(28)
    value = float(s.get(ts, 0))
    mean28 = float(before.mean()) if len(before) else float("nan")
    mean7 = float(before.tail(7).mean()) if len(before) else float("nan")
    ok = bool(mean28 == mean28 and mean28 > 0 and value >= SURGE_RATIO * mean28)
    evidence = (f"Surge = at least {SURGE_RATIO}x the 28-night mean. {value:,.0f} weapons in "
                f"the night ending {night:%Y-%m-%d}; mean of the 7 nights before {mean7:.1f}, "
                f"of the 28 nights before {mean28:.1f}.")
    return ("supported" if ok else "contradicted" if firm else "unverifiable"), evidence


def _label_timing(m: ct.Mention, night: dt.date) -> tuple[str, str]:
    from strikescope.events import events

    ts = pd.Timestamp(night)
    ev = events(start=(ts - pd.Timedelta(days=LOOKBACK)).date(),
                end=(ts - pd.Timedelta(days=1)).date())
    actors = set(m.data["actors"])
    if actors:
        ev = ev[ev.actors.apply(lambda a: actors <= set(a))]
    if ev.empty:
        return "unverifiable", (f"No diplomatic event with {sorted(actors) or 'any actor'} in "
                                f"the timeline in the {LOOKBACK} days before the night ending "
                                f"{ts:%Y-%m-%d}.")
    e = ev.sort_values("date").iloc[-1]
    gap, eve = (ts - e.date).days, ts - pd.Timedelta(days=1)
    return "supported", (f"{e.title} ({e.event_id}) on {e.date:%Y-%m-%d}; the night ending "
                         f"{ts:%Y-%m-%d} began at 18:00 on {eve:%Y-%m-%d}, {gap} day(s) after "
                         f"the event ({e.source_url}).")


def _label_place(m: ct.Mention, row: dict, night: dt.date) -> tuple[str, str]:
    named = list(row["regions"]) if row.get("regions") is not None else []
    region = m.data["region"]
    if region in named:
        return "supported", (f"The reports of the night ending {night:%Y-%m-%d} name "
                             f"{region} among the targets ({', '.join(named)}).")
    return "unverifiable", (f"The reports of the night ending {night:%Y-%m-%d} do not name "
                            f"{region} ({', '.join(named) or 'no region named'}).")


# --- the article's night when it names none ---------------------------------------------


def _attacked(nights: pd.DataFrame, region: str | None) -> bool:
    """Whether these nights hold an attack (on `region`, when one is named)."""
    hit = nights[nights.total_launched > 0]
    if region is not None and "regions" in hit:
        hit = hit[hit.regions.apply(lambda r: region in list(r))]
    return len(hit) > 0


def _assumed_night(art: ct.Article, store: _Store, places: list) -> tuple:
    published = ct.kyiv_date(art.published)
    if published is None or not len(store.nights):
        return None, "the article names no date and has no publication date"
    end = pd.Timestamp(published)
    nights = store.nights
    if ct.NIGHT_ATTACK_RE.search(art.body) and \
            nights[nights.night == end].total_launched.sum() > 0:
        return published, ("assumed: the article names no date but a night attack; the night "
                           "ending on the day it was published")
    window = nights[(nights.night > end - pd.Timedelta(days=LOOKBACK)) & (nights.night <= end)]
    first = places[0].data["region"] if places else None
    if _attacked(window[window.night == end], first):
        return published, ("assumed: the article names no date; the night ending on the day "
                           "it was published" + (f", which targeted {first}" if first else ""))
    if first is not None and "regions" in window:
        named = window[window.regions.apply(lambda r: first in list(r))]
        window = named if len(named) else window
    if window.empty or window.total_launched.max() == 0:
        return None, f"no attack in the {LOOKBACK} nights before publication"
    night = window.loc[window.total_launched.idxmax(), "night"].date()
    where = f" that targeted {first}" if first else ""
    return night, (f"assumed: the article names no date; the largest night{where} in the "
                   f"{LOOKBACK} nights up to publication ({published})")


# --- the checker -------------------------------------------------------------------------


def check(text: str, published=None, db=None) -> CheckResult:
    """Extract an article's claims and label each against the store and the timeline.
    `db`: a store's path or an open `Store` (opened once here otherwise, for every night
    the claims need)."""
    art = _extract(text, _published(published))
    with api.reading(db) as opened:
        return _check(art, _Store(opened))


def _check(art: ct.Article, store: _Store) -> CheckResult:
    places = _places(art)
    night, reason, confidence = art.night, art.basis, art.confidence
    if night is None:
        night, reason = _assumed_night(art, store, places)
        confidence = "low"
        for c in art.claims:
            if c.night is None and night is not None:
                c.night, c.confidence, c.basis = night, "low", reason
    ctx = {"night": night, "reason": reason, "confidence": confidence, "store": store,
           "dated": _dated_nights(art)}
    records = []
    for i, c in enumerate(sorted([*art.claims, *art.mentions, *places], key=lambda c: c.start),
                          1):
        records.append(_record(i, art, c, ctx))
    frame = pd.DataFrame(records, columns=CLAIM_COLUMNS)
    return CheckResult(art.body, ct.kyiv_date(art.published),
                       pd.Timestamp(night) if night is not None else None, reason or "", frame)


def _record(i: int, art: ct.Article, c, ctx: dict) -> dict:
    sentence = art.sentence_text(c.sentence) if art.sentences else ""
    base = {"claim_id": i, "type": TYPE_NAMES.get(c.kind, c.kind),
            "text": art.body[c.start:c.end], "start": c.start, "end": c.end,
            "sentence": sentence}
    if isinstance(c, ct.Claim):
        label, evidence, fig = (label_figure if c.kind == "figure" else label_record)(
            c, ctx["store"], sentence)
        if label == "contradicted" and c.basis.startswith(cyr.BASIS):
            label, evidence = _loose_outcome(c, ctx["store"], evidence)
        if label == "contradicted" and c.kind == "figure" \
                and (why := _dated_night_doubt(c, ctx["store"], ctx["dated"])):
            label, evidence = "unverifiable", f"{evidence} Not contradicted: {why}."
        return {**base, "label": label, "evidence": evidence,
                "sources": fig.sources if fig else [],
                "night": f"{c.night:%Y-%m-%d}" if c.night else None, "subject": c.subject
                if not c.model else f"{c.subject}:{c.model}", "measure": c.measure,
                "qualifier": c.qualifier, "value": c.value,
                "store_value": fig.value if fig else None, "attribution": c.attribution,
                "confidence": c.confidence}
    label, evidence, sources = label_mention(c, ctx)
    night = ctx["night"]
    return {**base, "label": label, "evidence": evidence, "sources": sources,
            "night": f"{night:%Y-%m-%d}" if night else None, "subject": None,
            "measure": None, "qualifier": None, "value": None, "store_value": None,
            "attribution": None, "confidence": ctx["confidence"]}


def _loose_outcome(c: ct.Claim, store: _Store, evidence: str) -> tuple[str, str]:
    """"Збили", "сбили" in the Ukrainian and Russian press often count the drones lost to
    electronic warfare too (the Air Force's own "збито/подавлено" does): a shot-down figure
    that fits shot down and lost together is not contradicted."""
    if c.measure != "shot_down" or c.night is None:
        return "contradicted", evidence
    both = ct.Claim("figure", 0, 0, 0, value=c.value, high=c.high, qualifier=c.qualifier,
                    subject=c.subject, model=c.model, measure="suppressed")
    fig = store_figure(store, c.night, both)
    if fig.value is None or not _fits_figure(fig, both):
        return "contradicted", evidence
    return "unverifiable", (f"{evidence} Not contradicted: the store's {fig.what} are "
                            f"{fig.value:,.0f}, and the press's shot down often counts the "
                            f"jammed ones too.")


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
