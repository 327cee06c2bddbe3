"""Data-backed briefs: a news article for a night, an ISO week or a diplomatic event.

Every number in a brief comes from the store and carries a footnote to the report rows it
came from (source post, file, row). The wording follows fixed rules, documented in
docs/brief-check.md: a night is a record only if it is strictly above every earlier night
in the store; an attack is a surge only at 1.5 times the mean of the 28 preceding nights.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup

import strikescope.api as api
from strikescope.analysis.rates import (
    CLASS_NAMES,
    measure_noun,
    night_rates,
    outcome_rows,
    pct,
    rate_sentence,
    records,
)
from strikescope.errors import DataDirError, InputError, MissingExtraError, StrikescopeError
from strikescope.extras import optional
from strikescope.render.palette import SOURCE
from strikescope.rules.nights import NightDetail, as_day
from strikescope.sources.attacks import source_url
from strikescope.wording import fmt as _fmt
from strikescope.wording import plural as _n

SURGE_RATIO = 1.5
CONTEXT_DAYS = 7
META_MAX = 160
TEMPLATES = Path(__file__).parent / "templates"


# --- footnotes --------------------------------------------------------------------------


@dataclass
class Footnotes:
    """Numbered footnotes, one per distinct set of report rows."""

    notes: list[dict] = field(default_factory=list)

    def cite(self, rows: pd.DataFrame, what: str, none_in: pd.DataFrame | None = None
             ) -> str:
        """The Markdown reference `[^n]` for the rows behind a number. A number no row gives
        (a zero) cites `none_in`, the reports that list none of it: a figure without its
        source would be one a reader cannot check."""
        if rows.empty and none_in is not None and not none_in.empty:
            rows, what = none_in, f"{what}: none in these reports"
        refs = tuple(sorted({(str(r.source), Path(str(r.file)).name, int(r.rec))
                             for r in rows.itertuples()}))
        for note in self.notes:
            if note["refs"] == refs and note["what"] == what:
                return f"[^{note['n']}]"
        n = len(self.notes) + 1
        self.notes.append({"n": n, "what": what, "refs": refs,
                           "links": [(s, source_url(s), f, rec) for s, f, rec in refs],
                           "posts": cited_posts(refs)})
        return f"[^{n}]"

    def method(self, text: str) -> str:
        """A footnote for a figure computed from the store rather than read from one report."""
        n = len(self.notes) + 1
        self.notes.append({"n": n, "what": text, "refs": (), "links": [], "posts": []})
        return f"[^{n}]"


def cited_posts(refs: tuple) -> list[tuple[str, str, str, str]]:
    """(post, address, file, "row 4" or "rows 3-9, 12") per post and file of `refs`
    ((post, file, record) sorted): a post of many rows is named once, not once a row."""
    grouped: dict[tuple[str, str], list[int]] = {}
    for post, file, rec in refs:
        grouped.setdefault((post, file), []).append(rec)
    return [(post, source_url(post), file, row_ranges(recs))
            for (post, file), recs in grouped.items()]


def row_ranges(recs: list[int]) -> str:
    """'row 4', or 'rows 3-5, 9' for records 3, 4, 5 and 9 (sorted)."""
    spans: list[list[int]] = []
    for rec in recs:
        if spans and rec == spans[-1][1] + 1:
            spans[-1][1] = rec
        else:
            spans.append([rec, rec])
    text = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
    return f"row {text}" if len(recs) == 1 else f"rows {text}"


# --- the brief ---------------------------------------------------------------------------


@dataclass
class Brief:
    title: str
    standfirst: str
    sections: list[tuple[str, str]]
    meta_description: str
    published: dt.date
    data_as_of: dt.date | None  # None: no night with launches yet
    footnotes: list[dict]
    charts: list = field(default_factory=list, repr=False)
    slug: str = "brief"

    @property
    def markdown(self) -> str:
        return _env().get_template("brief.md.j2").render(brief=self)

    @property
    def html(self) -> str:
        sections = [(h, _md_to_html(body)) for h, body in self.sections]
        charts = [fig.to_html(full_html=False, include_plotlyjs=(i == 0))
                  for i, fig in enumerate(self.charts)]
        return _env().get_template("brief.html.j2").render(
            brief=self, sections=sections, charts=charts,
            standfirst=_md_to_html(self.standfirst))

    def write(self, out_dir) -> list[Path]:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        md, html = out / f"{self.slug}.md", out / f"{self.slug}.html"
        md.write_text(self.markdown, encoding="utf-8")
        html.write_text(self.html, encoding="utf-8")
        return [md, html]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.sections, columns=["heading", "markdown"])

    def summary(self) -> str:
        return (f"{self.title}\n{_plain(self.standfirst)}\n{len(self.sections)} sections, "
                f"{len(self.footnotes)} footnotes; published {self.published}, "
                f"data as of {self.data_as_of}.")


def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                              autoescape=jinja2.select_autoescape(["html.j2"]),
                              keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)


def _md_to_html(text: str):
    from markdown_it import MarkdownIt

    text = re.sub(r"\[\^(\d+)\]", r'<sup><a href="#fn-\1">\1</a></sup>', text)
    return Markup(MarkdownIt("commonmark", {"html": True}).enable("table").render(text))


def _plain(text: str) -> str:
    return re.sub(r"\[\^\d+\]", "", text).replace("**", "")


def region_name(region_id: str) -> str:
    """The English name of a region id (`kyiv_city` -> `Kyiv`), the id when unknown."""
    from strikescope.regions import regions

    table = regions()
    return str(table.at[region_id, "name_en"]) if region_id in table.index else region_id


# --- the figures behind a brief ------------------------------------------------------------


@dataclass
class Period:
    """The nights a brief covers and the night it centres on (the largest of them)."""

    start: pd.Timestamp
    end: pd.Timestamp
    label: str
    slug: str
    event: dict | None = None


def _period(night=None, week=None, event=None) -> Period:
    if sum(x is not None for x in (night, week, event)) != 1:
        raise InputError("give exactly one of night, week or event")
    if night is not None:
        d = as_day(night)
        return Period(d, d, f"the night ending {_day(d)}", f"night-{d:%Y-%m-%d}")
    if week is not None:
        m = re.fullmatch(r"(\d{4})-W(\d{1,2})", str(week))
        if not m:
            raise InputError(f"week {week!r} is not like 2025-W27")
        monday = pd.Timestamp(dt.date.fromisocalendar(int(m[1]), int(m[2]), 1))
        return Period(monday, monday + pd.Timedelta(days=6),
                      f"the week {m[1]}-W{int(m[2]):02d} ({_day(monday, year=False)} to "
                      f"{_day(monday + pd.Timedelta(days=6))})", f"week-{week}")
    return _event_period(event)


def _event_period(event_id: str) -> Period:
    from strikescope.events import events

    ev = events()
    hit = ev[ev.event_id == event_id]
    if hit.empty:
        raise InputError(f"unknown event {event_id!r}")
    row = hit.iloc[0].to_dict()
    start = pd.Timestamp(row["end_date"] if pd.notna(row["end_date"]) else row["date"])
    start = start.normalize() + pd.Timedelta(days=1)
    return Period(start, start + pd.Timedelta(days=CONTEXT_DAYS - 1),
                  f"the {CONTEXT_DAYS} nights after the {row['title']}", f"event-{event_id}",
                  event=row)


@dataclass
class Figures:
    period: Period
    nights: pd.DataFrame        # every night up to the period end (dense)
    focus: pd.Timestamp         # the largest night of the period
    detail: NightDetail         # the focus night
    rows: pd.DataFrame          # counted report rows of the whole period


def _figures(period: Period, db) -> Figures:
    all_nights = api.nights(end=period.end, db=db)
    if all_nights.empty:
        raise InputError("the store holds no nights; run `strikescope ingest` first")
    inside = all_nights[(all_nights.night >= period.start) & (all_nights.night <= period.end)]
    if inside.empty:
        raise InputError(f"no nights in {period.label}")
    focus = inside.loc[inside.total_launched.idxmax(), "night"]
    rows = [api.night(d, db=db).rows for d in inside.night[inside.total_launched > 0]]
    rows = pd.concat(rows, ignore_index=True) if rows else api.night(focus, db=db).rows
    return Figures(period, all_nights, focus, api.night(focus, db=db), rows[rows.counted])


def _long_range(rows: pd.DataFrame, kind: str) -> pd.DataFrame:
    return rows[(rows.kind == kind) & rows.long_range]


def baseline(nights: pd.DataFrame, night, column: str = "total_launched") -> dict:
    """The night's value against the 7 and 28 nights before it and every earlier night."""
    night = pd.Timestamp(night)
    before = nights[nights.night < night].sort_values("night")
    value = float(nights.loc[nights.night == night, column].sum())
    mean7 = float(before[column].tail(7).mean()) if len(before) else float("nan")
    mean28 = float(before[column].tail(28).mean()) if len(before) else float("nan")
    prev_max = float(before[column].max()) if len(before) else float("nan")
    ratio28 = value / mean28 if mean28 and mean28 == mean28 else float("nan")
    return {"value": value, "mean7": mean7, "mean28": mean28,
            "ratio7": value / mean7 if mean7 else float("nan"), "ratio28": ratio28,
            "previous_max": prev_max, "record": bool(len(before) and value > prev_max),
            "surge": bool(ratio28 == ratio28 and ratio28 >= SURGE_RATIO)}


# --- sections -----------------------------------------------------------------------------


def _what_happened(fig: Figures, notes: Footnotes) -> str:
    rows = fig.rows
    inside = _inside(fig)
    drones, missiles = inside.drones_launched.sum(), inside.missiles_launched.sum()
    text = (f"Russia launched {_fmt(drones)} long-range drones"
            f"{notes.cite(_long_range(rows, 'drone'), 'long-range drones launched', rows)} "
            f"and {_fmt(missiles)} missiles"
            f"{notes.cite(_long_range(rows, 'missile'), 'missiles', rows)}"
            f" in {fig.period.label}, {_fmt(drones + missiles)} in all"
            f"{notes.cite(_long_range_all(rows), 'all long-range weapons', rows)}.")
    # a period without launches has no largest night (its first would be named)
    if fig.period.start != fig.period.end and fig.detail.totals.total_launched > 0:
        text += (f" The largest night ended on {_day(fig.focus, year=False)} with "
                 f"{_fmt(fig.detail.totals.total_launched)} weapons"
                 f"{notes.cite(_focus_rows(fig), 'largest night')}.")
    return text + " " + _comparison(fig, notes)


def _long_range_all(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([_long_range(rows, "drone"), _long_range(rows, "missile")])


def _focus_rows(fig: Figures) -> pd.DataFrame:
    r = fig.detail.rows  # the rows of its total: long-range weapons, as counted
    return r[r.counted & r.long_range.astype(bool)]


MAIN_MEASURES = ("total_launched", "drones_launched", "missiles_launched")


def _day(day, year: bool = True) -> str:
    """"4 July 2025" (or "4 July"): the day without a leading zero, as news copy writes it."""
    day = pd.Timestamp(day)
    return f"{day.day} {day:%B %Y}" if year else f"{day.day} {day:%B}"


def _night_name(night) -> str:
    return f"the night ending {_day(night)}"


# "the most since" a night is said when at least this many nights lie back to it
MOST_SINCE_NIGHTS = 7


def _record_sentence(r) -> str:
    noun = measure_noun(r["measure"])
    if r["record"] and not r["previous_record"]:  # no earlier night had any
        return (f"{_fmt(r['value'])} {noun}, the first night in the data with any (none "
                f"on the {_n(r['earlier_nights'], 'earlier night')})")
    if r["record"]:
        return (f"{_fmt(r['value'])} {noun}, a record: more than on any earlier night in "
                f"the data (the previous record, {_fmt(r['previous_record'])}, was set on "
                f"{_night_name(r['previous_record_night'])})")
    if r["since"] is None or pd.isna(r["since"]):
        return f"{_fmt(r['value'])} {noun}"
    if (pd.Timestamp(r["night"]) - pd.Timestamp(r["since"])).days < MOST_SINCE_NIGHTS:
        # "the most since" the night before, or a few nights back, tells a reader nothing
        return (f"{_fmt(r['value'])} {noun}, no record (that is {_fmt(r['previous_record'])}, "
                f"on {_night_name(r['previous_record_night'])})")
    return (f"{_fmt(r['value'])} {noun}, no record (that is {_fmt(r['previous_record'])}, "
            f"on {_night_name(r['previous_record_night'])}) but the most since "
            f"{_night_name(r['since'])}, which had {_fmt(r['since_value'])}")


def _comparison(fig: Figures, notes: Footnotes) -> str:
    recs = {r["measure"]: r for r in records(fig.nights, fig.focus).to_dict("records")}
    said = [_record_sentence(recs[m]) for m in MAIN_MEASURES if m in recs]
    said += [_record_sentence(r) for m, r in recs.items()
             if m not in MAIN_MEASURES and r["record"]]
    head = ""
    before = int((fig.nights.night < fig.focus).sum())
    if said:  # the focus night had launches, so some night did: `first` is a date
        first = fig.nights.loc[fig.nights.total_launched > 0, "night"].min()
        ref = notes.method(
            f"Computed from the nightly totals in the store, which begin with the night "
            f"ending {first:%Y-%m-%d}: a record must be strictly above every earlier night; "
            f"\"the most since\" names the last earlier night with at least as many; a "
            f"surge is at least {SURGE_RATIO} times the mean of the 28 preceding nights")
        lead = (f"Against the earlier nights, {_night_name(fig.focus)} had " if before else
                f"The night ending {_day(fig.focus)}, the first in the store, had ")
        head = lead + "; ".join(said) + f"{ref}."
    if not before:  # the store's first night: no mean, no ratio (they would print "nan")
        return f"{head} No earlier night in the store to compare it with.".strip()
    b = baseline(fig.nights, fig.focus)
    word = "a surge" if b["surge"] else "not a surge by this rule"
    against = _against(b["mean28"], b["ratio28"], 28, before)
    if before > 7:  # else the 7 nights are the 28: one mean, said once
        against = f"{_against(b['mean7'], b['ratio7'], 7, before)}, against {against}"
    return f"{head} Against {against}: {word}.".strip()


def _against(mean: float, ratio: float, span: int, before: int) -> str:
    """"the mean of the 7 preceding nights (5.0 weapons) it is 2.0 times as many", over the
    nights the store holds when it holds fewer than `span` before the night, and without
    a ratio when they had none."""
    n = min(span, before)
    nights = "the preceding night" if n == 1 else f"the {n} preceding nights"
    if not mean:
        return nights + (" (all the store holds)" if n < span else "") + ", which had none"
    held = " (all the store holds; " if n < span else " ("
    return f"the mean of {nights}{held}{mean:.1f} weapons) it is {ratio:.1f} times as many"


def _weapons(fig: Figures, notes: Footnotes) -> str:
    classes = fig.detail.classes
    rows = fig.detail.rows[fig.detail.rows.counted]
    units = outcome_rows(fig.detail.rows)
    single = units[units.has_outcome & units.consistent & (units.classes.map(len) == 1)]
    single = single.assign(cls=single.classes.map(lambda c: c[0]))
    lines = [f"Night ending {_day(fig.focus)}, by weapon class (shot down: of the "
             "launches whose report gives a shot-down figure for this class alone):", "",
             "| weapon | launched | with a reported outcome | shot down |",
             "|---|---:|---:|---:|"]
    for c in classes[classes.launched > 0].sort_values("launched", ascending=False).itertuples():
        name = CLASS_NAMES.get(c.weapon_class, c.weapon_class)
        cite = notes.cite(rows[rows.weapon_class == c.weapon_class], f"{name} launched")
        mine = single[single.cls == c.weapon_class]
        base, down = int(mine.launched.sum()), int(mine.destroyed.sum())
        out = (f"{_fmt(base)} | {_fmt(down)} ({pct(100 * down / base)})" if base
               else "— | —")
        lines.append(f"| {name} | {_fmt(c.launched)}{cite} | {out} |")
    groups = units[units.has_outcome & units.consistent & (units.classes.map(len) > 1)]
    for g in groups.itertuples():
        names = " and ".join(CLASS_NAMES.get(c, c) for c in g.classes)
        lines.append("")
        lines.append(f"One report gives a single shot-down figure for a group of {names}: "
                     f"{_fmt(g.destroyed)} of {_fmt(g.launched)} shot down "
                     f"({pct(100 * g.destroyed / g.launched)}).")
    return "\n".join(lines)


def _defenses(fig: Figures, notes: Footnotes) -> str:
    rows = fig.detail.rows[fig.detail.rows.counted]
    parts = []
    for kind, rate in night_rates(fig.detail.rows).items():
        text = rate_sentence(rate)
        if text:
            cite = notes.cite(_long_range(rows, kind.removesuffix("s")), f"{kind} outcome")
            parts.append(text[:-1] + cite + ".")
    head = f"On {_night_name(fig.focus)}: " if fig.period.start != fig.period.end else ""
    if fig.detail.totals.drones_launched:
        parts.append(_regime_note(fig.focus))
    return head + (" ".join(p for p in parts if p)
                   or "No long-range weapon was reported launched.")


def _regime_note(night) -> str:
    """How the reports of that night count drone outcomes (data/regimes.csv)."""
    from strikescope.rules.regimes import regime_of, regimes

    rid = regime_of([night]).iloc[0]
    table = regimes().set_index("regime_id")
    return str(table.at[rid, "note"]) if rid in table.index else ""


def _nearby_events(fig: Figures) -> pd.DataFrame:
    """Events within CONTEXT_DAYS of the focus night; `before` marks those that can be
    context: dated before the day the night ended (the reports close in the morning, and an
    event dated that day is taken as after the attack)."""
    from strikescope.events import events

    lo = fig.focus - pd.Timedelta(days=CONTEXT_DAYS)
    hi = fig.focus + pd.Timedelta(days=CONTEXT_DAYS)
    ev = events(start=lo.date(), end=hi.date())
    ev = ev.assign(gap=(ev.date - fig.focus).dt.days)
    return ev.assign(before=ev.gap < 0).sort_values("gap", key=abs)


def _event_line(e) -> str:
    if e.gap < 0:
        when = f"{_n(-e.gap, 'day')} before the night ended"
    elif e.gap == 0:
        when = "on the day the night ended, after the attack"
    else:
        when = f"{_n(e.gap, 'day')} after the attack"
    return (f"* {_day(e.date, year=False)}: [{e.title}]({e.source_url}) ({when}; "
            f"confidence {e.confidence})")


def _diplomacy(fig: Figures, notes: Footnotes, db=None) -> str:
    ev = _nearby_events(fig)
    before, after = ev[ev.before], ev[~ev.before]
    night = _night_name(fig.focus)
    if before.empty:
        lines = [f"No diplomatic event in the timeline in the {CONTEXT_DAYS} days before "
                 f"{night}."]
    else:
        lines = [f"Diplomatic events in the {CONTEXT_DAYS} days before {night}:", ""]
        lines += [_event_line(e) for e in before.head(5).itertuples()]
    from strikescope.events import coverage

    covered = coverage()
    ends = None if covered is None else pd.Timestamp(covered[1])
    if ends is not None and ends < fig.focus - pd.Timedelta(days=1):
        # past its last entry, no event listed is no evidence that none happened
        lines += ["", f"The timeline ends on {_day(ends)}: later events are not in it."]
    if not after.empty:
        lines += ["", f"After the attack (not context for it), within {CONTEXT_DAYS} days:",
                  ""]
        lines += [_event_line(e) for e in after.sort_values("gap").head(5).itertuples()]
    text = "\n".join(lines)
    if not before.empty:
        text += "\n\n" + _study_text(before.iloc[0]["type"], fig, db)
    return text


def _study_text(event_type: str, fig: Figures, db=None) -> str:
    try:
        with optional("the event study"):
            from strikescope.analysis.study import study

        result = study(type=event_type, end=(fig.focus - pd.Timedelta(days=1)).date(),
                       seed=0, db=db)
        return f"Event study for `{event_type}` events: {result.verdict}"
    except StrikescopeError as exc:  # too few events, no such event, a package missing
        return f"Event study for `{event_type}` events: not available ({_reason(exc)})."


def _regions(fig: Figures, notes: Footnotes) -> str:
    from strikescope.regions import region_tags

    rows = fig.detail.rows
    tags: list[str] = []
    for col in ("target", "target_main", "affected_region"):
        for text in rows[col].dropna():
            tags += [t for t in region_tags(str(text)) if t not in tags]
    named = ", ".join(region_name(t) for t in tags) if tags else "no region named"
    text = (f"Regions named as targets or affected in the reports of the night: {named}"
            f"{notes.cite(rows, 'targets and affected regions')}.")
    return text + " " + _shelter_text(fig.focus, tags)


def _shelter_text(night: pd.Timestamp, tags: list[str]) -> str:
    try:
        with optional("shelter hours"):
            from strikescope.analysis.alerts import load_alerts, shelter_hours

        alerts = _alerts(load_alerts)
        last = alerts[~alerts.permanent].finished_at.max()
        if pd.Timestamp(night).date() > last.date():
            return (f"Shelter hours: not available, the air-raid alert data end on "
                    f"{_day(last)}.")
        hours = shelter_hours(alerts, night, night, regions=tags or None)
        total = hours.groupby("region_id").hours_under_alert.sum()
        return "Hours under air-raid alert that night: " + ", ".join(
            f"{region_name(r)} {h:.1f} h" for r, h in total.items()) + "."
    except StrikescopeError as exc:  # alerts are optional input: none configured or found
        return f"Shelter hours: not available ({_reason(exc)})."


_ALERTS: dict = {}


def _alerts(load) -> pd.DataFrame:
    """The alerts `load()` reads from the data directory, kept while its files are
    unchanged: every brief read them again (a third of a second, most of its regional
    section). Read-only: `shelter_hours` selects, it does not write."""
    from strikescope.config import input_dir

    folder = input_dir("alerts")
    files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    key = (str(folder), tuple((f.name, st.st_size, st.st_mtime_ns)
                              for f in files if (st := f.stat())))
    if key not in _ALERTS:
        alerts = load().alerts
        _ALERTS.clear()
        _ALERTS[key] = alerts
    return _ALERTS[key]


def _outlook(fig: Figures, notes: Footnotes, db) -> str:
    try:
        with optional("the forecast"):
            from strikescope.analysis.forecast import forecast

        fc = forecast(fig.period.end, horizon=7, db=db).to_frame()
        top = fc.sort_values("mean", ascending=False).iloc[0]
        return (f"Of the next 7 nights after {_day(fig.period.end)}, the forecast "
                f"expects the most weapons on the night ending "
                f"{_day(top['night'], year=False)}: {top['mean']:.0f} on average, with a "
                f"90 % prediction interval from {top['q05']:.0f} to {top['q95']:.0f} "
                "(one night in ten is expected outside it).")
    except StrikescopeError as exc:  # too little history, or a package missing
        return f"Forecast: not available ({_reason(exc)})."


def _reason(exc: Exception) -> str:
    """Why an optional section is missing, in words a reader can act on (the first line of
    the error; a missing optional package by its name)."""
    from strikescope.config import DATA_ENV

    if isinstance(exc, MissingExtraError):
        return str(exc)  # names the extra that installs the package
    if isinstance(exc, DataDirError):
        return f"no input data configured; set {DATA_ENV}"
    if isinstance(exc, FileNotFoundError) and exc.filename:
        return f"no file {exc.filename}"
    return str(exc).splitlines()[0].rstrip(".") if str(exc) else type(exc).__name__


# --- headline and assembly ----------------------------------------------------------------


def _launches(drones: int, missiles: int) -> str:
    """"Russia launches 40 drones and 5 missiles", leaving out a kind it launched none of
    ("Russia launches 5 missiles", not "0 drones and 5 missiles")."""
    said = [_n(v, noun) for v, noun in ((drones, "drone"), (missiles, "missile")) if v]
    if not said:
        return "No long-range drones or missiles launched"
    return "Russia launches " + " and ".join(said)


def _inside(fig: Figures) -> pd.DataFrame:
    """The nightly totals of the brief's period."""
    n = fig.nights
    return n[(n.night >= fig.period.start) & (n.night <= fig.period.end)]


def _title_period(period: Period) -> tuple[str, str]:
    """How a title and a meta description name a period of several nights ("the week of
    30 June to 6 July 2025", "2025-W27"; an event's nights by the event and by its date)."""
    if period.event is not None:
        return period.label, f"the {CONTEXT_DAYS} nights from {period.start:%Y-%m-%d}"
    week = period.slug.removeprefix("week-")
    return f"the week of {_day(period.start, year=False)} to {_day(period.end)}", week


def _headline(fig: Figures) -> tuple[str, str]:
    """Title and meta description: a night's own figures; a week's or an event's sums, with
    its largest night named in the lead-in of a record or a surge."""
    t = fig.detail.totals
    if fig.period.start == fig.period.end:
        drones, missiles = t.drones_launched, t.missiles_launched
        span, meta_span, on = f"the night ending {_day(fig.focus)}", f"on {fig.focus:%Y-%m-%d}", ""
    else:
        inside = _inside(fig)
        drones, missiles = inside.drones_launched.sum(), inside.missiles_launched.sum()
        span, short = _title_period(fig.period)
        meta_span, on = f"in {short}", f" on {_day(fig.focus, year=False)}"
    title = f"{_launches(drones, missiles)} in {span}"
    recs = records(fig.nights, fig.focus)
    # a record over earlier nights of none is a first, not a record (see _record_sentence)
    beaten = pd.to_numeric(recs.previous_record, errors="coerce").fillna(0) > 0
    hit = recs[recs.record & recs.measure.isin(MAIN_MEASURES) & beaten]
    if len(hit):
        r = hit.iloc[0]
        noun = {"total_launched": "weapons", "drones_launched": "drones",
                "missiles_launched": "missiles"}[r.measure]
        title = f"Record {_fmt(r.value)} {noun}{on}: " + title
    elif baseline(fig.nights, fig.focus)["surge"]:
        title = f"Surge of {_fmt(t.total_launched)} weapons{on}: " + title
    meta = (f"{_n(drones, 'drone')}, {_n(missiles, 'missile')} {meta_span}: weapons, "
            "defenses, diplomacy, from Air Force reports.")
    return title, meta[:META_MAX]


def _charts(fig: Figures) -> list:
    import plotly.graph_objects as go

    lo = fig.period.start - pd.Timedelta(days=28)
    window = fig.nights[fig.nights.night >= lo]
    inside = (window.night >= fig.period.start) & (window.night <= fig.period.end)
    timeline = go.Figure(go.Bar(x=window.night, y=window.total_launched,
                                marker_color=["#c0392b" if i else "#95a5a6" for i in inside]))
    _chart_style(timeline, "Long-range weapons launched per night<br>(the brief's period in red)",
                 "night (ending 18:00 Kyiv time)", "launched per night",
                 height=360, left=56)
    timeline.update_xaxes(tickformat="%d %b", hoverformat="%d %b %Y")
    classes = fig.detail.classes.sort_values("launched")
    bars = go.Figure(go.Bar(x=classes.launched, y=classes.weapon_class, orientation="h"))
    _chart_style(bars, f"By weapon class,<br>night ending {fig.focus:%Y-%m-%d}",
                 "launched that night (count)", "weapon class", height=320, left=110)
    return [timeline, bars]


def _chart_style(chart, title: str, x: str, y: str, height: int, left: int) -> None:
    """A brief chart's title in lines short enough for a phone (plotly does not wrap
    them), the source line under it and axis titles with their units."""
    chart.update_layout(
        height=height, margin={"t": 116, "b": 50, "l": left, "r": 10},
        # the pad makes room for the title's first line: anchored to its top, the title
        # rises by about a line when a subtitle goes under it
        title={"text": title, "x": 0, "xanchor": "left", "xref": "container", "y": 1,
               "yanchor": "top", "yref": "container", "pad": {"t": 30, "l": 8},
               "font": {"size": 16},
               "subtitle": {"text": SOURCE.replace(" via", "<br>via", 1),
                            "font": {"size": 10, "color": "#555"}}})
    chart.update_xaxes(title_text=x, automargin=True)
    chart.update_yaxes(title_text=y, automargin=True)


def _provisional_note(fig: Figures) -> str:
    """A sentence naming the nights of the period whose figures are a parsed statement's."""
    inside = fig.nights[(fig.nights.night >= fig.period.start)
                        & (fig.nights.night <= fig.period.end)]
    flagged = inside.get("provisional", pd.Series(False, index=inside.index))
    nights = inside.loc[flagged.fillna(False).astype(bool), "night"]
    if nights.empty:
        return ""
    which = ", ".join(f"{pd.Timestamp(n).day} {pd.Timestamp(n):%B %Y}" for n in nights)
    return (f"Provisional: the figures for the night ending {which} are the Air Force's "
            "morning statement as parsed by strikescope, not yet the digitised reports; "
            "they may change when a digitised release covers "
            + ("that night." if len(nights) == 1 else "those nights."))


def brief(night=None, week=None, event=None, db=None, published=None) -> Brief:
    """A news brief for one night (date), one ISO week ("2025-W27") or one event id. `db`:
    a store's path or an open `Store` (opened once here otherwise, for every night read)."""
    period = _period(night, week, event)
    with api.reading(db) as store:
        return _brief(period, store, published)


def title(night=None, week=None, event=None, db=None) -> str:
    """The title `brief()` gives the same period, without the rest of the brief (its
    study, forecast, alert hours and charts): the site's brief page shows the title at
    once and the document from a request of its own."""
    period = _period(night, week, event)
    with api.reading(db) as store:
        return _headline(_figures(period, store))[0]


def _brief(period: Period, db, published) -> Brief:
    fig = _figures(period, db)
    notes = Footnotes()
    standfirst = _what_happened(fig, notes)
    sections = [
        ("What happened", standfirst),
        ("The weapons", _weapons(fig, notes)),
        ("The defenses", _defenses(fig, notes)),
        ("The diplomatic context", _diplomacy(fig, notes, db)),
        ("The regional picture", _regions(fig, notes)),
        ("The outlook", _outlook(fig, notes, db)),
    ]
    title, meta = _headline(fig)
    lead = standfirst.split(". ")[0] + "."
    if caveat := _provisional_note(fig):
        sections[0] = (sections[0][0], f"*{caveat}*\n\n{standfirst}")
        lead, meta = f"{lead} {caveat}", ("Provisional: " + meta)[:META_MAX]
    as_of = fig.nights.loc[fig.nights.total_launched > 0, "night"].max()
    return Brief(title=title, standfirst=lead, sections=sections,
                 meta_description=meta,
                 published=as_day(published or dt.date.today(), "published").date(),
                 data_as_of=pd.Timestamp(as_of).date() if pd.notna(as_of) else None,
                 footnotes=notes.notes, charts=_charts(fig), slug=period.slug)
