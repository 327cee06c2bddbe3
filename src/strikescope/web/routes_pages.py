"""HTML pages. They carry no data of their own beyond tables: charts load from /api/v1."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from strikescope import events as timeline
from strikescope.errors import InputError, MissingExtraError, NotFoundError, StoreMissingError
from strikescope.extras import as_missing_extra
from strikescope.lazy import lazy_module
from strikescope.sources.attacks import source_url
from strikescope.web.optional import available, feature
from strikescope.web.routes_api import (
    NO_NIGHTS,
    DefenseBy,
    EventType,
    NightPolicy,
    PolicyQuery,
    RowView,
    Service,
    StudyQuery,
    WeaponClass,
    campaign_result,
    run_study,
    study_query,
)

if TYPE_CHECKING:  # the real modules for the type checker; at run time on first use
    import pandas as pd
else:
    pd = lazy_module("pandas")

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters["source_url"] = source_url
templates.env.filters["blank"] = lambda v: "" if v is None or pd.isna(v) else (
    f"{int(v):,}" if float(v).is_integer() else v)
router = APIRouter(include_in_schema=False)


def table_html(df: pd.DataFrame | None, max_rows: int = 500) -> str:
    """A frame as an HTML table in a box that scrolls sideways on a narrow screen: missing
    values blank (not `<NA>`), fractions to three decimals, lists joined."""
    if df is None or df.empty:
        return '<p class="muted">No rows.</p>'
    shown = df.head(max_rows).copy()
    for col in shown.columns:
        shown[col] = _display(shown[col])
    html = shown.to_html(index=False, na_rep="", classes="data", border=0, escape=True)
    more = (f'<p class="muted">The first {max_rows:,} of {len(df):,} rows; the CSV has all.</p>'
            if len(df) > max_rows else "")
    return f'<div class="table-wrap">{html}</div>{more}'


def _display(s: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s):
        whole = (s.dropna().dt.normalize() == s.dropna()).all()
        return s.dt.strftime("%Y-%m-%d" if whole else "%Y-%m-%d %H:%M").astype(object).where(
            s.notna(), "")
    if pd.api.types.is_float_dtype(s):
        return s.map(lambda v: "" if pd.isna(v) else f"{v:.3f}".rstrip("0").rstrip("."))
    if s.dtype == "object":
        s = s.map(lambda v: ", ".join(map(str, v))
                  if isinstance(v, list | tuple) or hasattr(v, "tolist") else v)
    return s.astype(object).where(s.notna(), "")


def reported_nights(nights: pd.DataFrame) -> int:
    """Nights with at least one report of an attack, the count `strikescope doctor` gives;
    the nightly table itself is a dense calendar, quiet nights included."""
    return int(nights["sources"].map(lambda s: len(s) > 0 if s is not None else False).sum())


def outside_data(nights: pd.DataFrame, start: dt.date, end: dt.date) -> str | None:
    """A range holding no night of the data, said in words: empty axes from 0 to 4 told
    nobody why nothing was drawn."""
    first, last = nights["night"].min().date(), nights["night"].max().date()
    if end >= first and start <= last:
        return None
    return (f"No night of the data falls in {start} .. {end}: the reports cover {first} .. "
            f"{last}. Choose dates in that span.")


def page(request: Request, name: str, status: int = 200, /, **context) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, svc: Service,
         start: Annotated[dt.date | None, Query(alias="from")] = None,
         end: Annotated[dt.date | None, Query(alias="to")] = None) -> HTMLResponse:
    nights = svc.all_nights()
    if nights.empty:
        return page(request, "message.html", title="Timeline", message=NO_NIGHTS)
    first, last = nights.night.min(), nights.night.max()
    default_start, default_end = svc.default_range()
    shown_start, shown_end = start or default_start, end or default_end
    if shown_end < shown_start:
        return page(request, "message.html", 422, title="Timeline",
                    message="'to' must not be before 'from'")
    return page(request, "timeline.html", title="Timeline", n_nights=len(nights),
                empty=outside_data(nights, shown_start, shown_end),
                n_reported=reported_nights(nights),
                span=f"{first:%Y-%m-%d} .. {last:%Y-%m-%d}", first=f"{first:%Y-%m-%d}",
                last=f"{last:%Y-%m-%d}", default_start=default_start.isoformat(),
                default_end=default_end.isoformat(), start=shown_start.isoformat(),
                end=shown_end.isoformat())


@router.get("/rows", response_class=HTMLResponse)
def rows(request: Request, svc: Service, view: RowView) -> HTMLResponse:
    from strikescope.web.rows import FACETS, SORTS

    try:
        result = svc.rows(view)
    except StoreMissingError:
        return page(request, "message.html", title="Report rows", message=NO_NIGHTS)
    export = view.url("/api/v1/rows", page=1, size=50)
    sep = "&" if "?" in export else "?"
    return page(request, "rows.html", title="Report rows", view=view, result=result,
                facets=FACETS, sorts=SORTS, csv_url=f"{export}{sep}format=csv",
                json_url=export,
                records=result.rows.astype(object).where(result.rows.notna(), None)
                .to_dict("records"))


@router.get("/night/{date}", response_class=HTMLResponse)
def night(request: Request, svc: Service, date: dt.date,
          policy: PolicyQuery = NightPolicy("combined")) -> HTMLResponse:
    try:
        view = svc.night(date, policy.value)
    except NotFoundError as exc:
        return page(request, "message.html", 404, title="No such night", message=str(exc))
    from strikescope.analysis.rates import measure_noun, night_rates, rate_sentence

    def shown() -> dict:  # the tables and sentences: rendered once per night and version
        return dict(
            defenses=[t for t in map(rate_sentence, night_rates(view.rows).values()) if t],
            records=[] if view.records is None else [
                {**r, "label": measure_noun(r["measure"])}
                for r in view.records.to_dict("records")],
            context=[] if view.context is None else view.context.to_dict("records"),
            classes=table_html(view.classes), regions=table_html(view.regions),
            shelter=None if view.shelter is None else table_html(view.shelter),
            rows=table_html(view.rows[["weapon_class", "model", "launched", "destroyed",
                                       "counted", "rank_name", "source", "rec"]]))
    parts = svc.cached(("night-page", date, policy.value), shown)
    return page(request, "night.html", title=f"Night {date}", date=date, view=view, **parts,
                has_brief=available("brief", "brief"),
                prev_night=date - dt.timedelta(days=1), next_night=date + dt.timedelta(days=1))


@router.get("/study", response_class=HTMLResponse)
async def study(request: Request, svc: Service,
                q: Annotated[StudyQuery, Depends(study_query)]) -> HTMLResponse:
    event = None
    if q.event:
        try:
            event = svc.event(q.event).to_dict()
        except NotFoundError as exc:
            return page(request, "message.html", 404, title="No such event", message=str(exc))
    result, error, note = None, None, None
    if not (q.event or q.type or q.actors or q.start or q.end):
        q, note = _default_study(q), DEFAULT_STUDY_NOTE
    params = urlencode({k: v for k, v in q.model_dump(mode="json").items() if v is not None})
    try:
        # in the bounded pool of studies, so that reads keep answering meanwhile
        result = await _pooled(request, "study", lambda: run_study(svc, q))
    except MissingExtraError as exc:
        error = str(exc)
    except HTTPException as exc:  # the pool is full, or the study ran past its budget
        error = f"The study did not run: {exc.detail}"
    except (InputError, NotFoundError) as exc:
        error = f"The study did not run: {exc}"
    return page(request, "study.html", title="Event study", q=q, event=event, params=params,
                result=result, error=error, types=timeline.EVENT_TYPES, note=note,
                metrics=_study_metrics(), windows=sorted({1, 3, 7, 14, 28, q.window}),
                actor_pairs=_actor_pairs(svc, q.actors),
                table=table_html(result.to_frame()) if result is not None else None)


# What a page says in place of its analysis: a question the data cannot answer, or a
# package not installed. Anything else is a 503 of the store, or a bug (500).
SHOWN = (InputError, NotFoundError, MissingExtraError)


def _analysis_page(request, name, title, make, key: tuple | None = None, **context
                   ) -> HTMLResponse:
    """The page `name` with the table of `make()`, rendered once per `key` and store
    version when a key is given (a warm view re-rendered it each time)."""
    table, error = None, None
    try:
        svc = request.app.state.service
        table = (svc.cached(("table", *key), lambda: table_html(make())) if key
                 else table_html(make()))
    except SHOWN as exc:
        error = str(exc)
    except ModuleNotFoundError as exc:  # an extra's package, imported on first use
        missing = as_missing_extra(exc, f"The {title.lower()} page")
        if missing is None:
            raise
        error = str(missing)
    return page(request, name, title=title, table=table, error=error, **context)


@router.get("/data", response_class=HTMLResponse)
def data_health(request: Request, svc: Service,
                threshold: Annotated[float, Query(ge=0, le=1)] = 0.2,
                min_difference: Annotated[int, Query(ge=0, le=1_000_000)] = 5
                ) -> HTMLResponse:
    try:
        report = svc.doctor(threshold, min_difference)
    except (StoreMissingError, InputError):  # no store, or no nights in it
        return page(request, "message.html", title="Data", message=NO_NIGHTS)
    s = report.store
    facts = (f"{len(report.releases)} release(s), {s['reports']:,} report rows, "
             f"{s['nights']:,} nights with a report; strikescope {s['version']}, "
             f"rules {s['rules_version']}"
             f" ({'current' if s['rules_current'] else 'outdated'}).")
    def tables() -> dict:  # a few large tables: rendered once per store version
        return {"releases": table_html(report.releases.drop(columns=["ingested_at"])),
                "quarantine": table_html(report.quarantine),
                "missing": table_html(report.missing_denominators),
                "disagreements": table_html(report.disagreements),
                "regimes": _regimes_table()}
    shown = svc.cached(("data-tables", threshold, min_difference), tables)
    return page(request, "data.html", title="Data", facts=facts, problems=report.problems,
                **shown, threshold_pct=round(threshold * 100),
                threshold=threshold, min_difference=min_difference,
                doctor_params=urlencode({"threshold": threshold,
                                         "min_difference": min_difference}))


def _regimes_table() -> str:
    from strikescope.rules.regimes import regimes

    df = regimes()
    for col in ("first_night", "last_night"):
        df[col] = df[col].dt.strftime("%Y-%m-%d").fillna("")
    df["measures"] = df["measures"].map(", ".join)
    return table_html(df[["first_night", "last_night", "label", "measures", "description",
                          "evidence"]])


@router.get("/defense", response_class=HTMLResponse)
def defense(request: Request, svc: Service, by: DefenseBy = DefenseBy.month,
            weapon_class: Annotated[WeaponClass, Query(alias="class")] = WeaponClass(
                "strike_drone")
            ) -> HTMLResponse:
    from strikescope.rules.regimes import notes as regime_notes

    params = urlencode({"by": by.value, "class": weapon_class.value})
    return _analysis_page(
        request, "defense.html", "Defense",
        # the same cache entry as /api/v1/defense for these parameters
        lambda: svc.cached(("defense", by, weapon_class.value, None, None), lambda: feature(
            "analysis.campaign", "defense")(by=by.value, weapon_class=weapon_class.value,
                                            db=svc.db)),
        key=("defense", by.value, weapon_class.value),
        by=by.value, weapon_class=weapon_class.value, params=params,
        regimes=regime_notes(),
        periods=[p.value for p in DefenseBy], classes=[c.value for c in WeaponClass])


@router.get("/campaign", response_class=HTMLResponse)
def campaign(request: Request, svc: Service,
             start: Annotated[dt.date | None, Query(alias="from")] = None,
             end: Annotated[dt.date | None, Query(alias="to")] = None) -> HTMLResponse:
    if start and end and end < start:
        return page(request, "message.html", 422, title="Campaign",
                    message="'to' must not be before 'from'")
    # The last year by default, like the timeline; the form chooses any range.
    if svc.all_nights().empty:
        return page(request, "message.html", title="Campaign", message=NO_NIGHTS)
    first, last = svc.default_range()
    start, end = start or first, end or last
    params = urlencode({"from": start.isoformat(), "to": end.isoformat()})
    if empty := outside_data(svc.all_nights(), start, end):
        return page(request, "campaign.html", title="Campaign", error=empty,
                    start=start.isoformat(), end=end.isoformat())
    return _analysis_page(
        request, "campaign.html", "Campaign",
        lambda: campaign_result(svc, "massive_strikes", start, end),
        key=("campaign", start, end), params=params, start=start.isoformat(),
        end=end.isoformat(), saturation_note=_saturation_note(svc, start, end))


def _saturation_note(svc, start: dt.date, end: dt.date) -> str:
    """Why the range has no saturation chart (too few nights for its fit), or "": the page
    says so itself instead of asking for a chart the API answers with a 422."""
    try:
        count = svc.cached(("saturation-nights", start, end), lambda: feature(
            "analysis.campaign", "saturation_nights")(start, end, db=svc.db))
    except MissingExtraError:  # the chart's own request says which package is missing
        return ""
    if count >= feature("analysis.campaign", "MIN_SATURATION_NIGHTS"):
        return ""
    return feature("analysis.campaign", "too_few_for_saturation")("strike_drone", count)


@router.get("/forecast", response_class=HTMLResponse)
def forecast(request: Request, svc: Service,
             horizon: Annotated[int, Query(ge=1, le=30)] = 7) -> HTMLResponse:
    def make():
        origin = svc.all_nights()["night"].max().date()
        out = feature("analysis.forecast", "forecast")(origin, horizon=horizon, db=svc.db)
        # named after its model: the P(massive night) heading the page is another model's
        return out.to_frame().rename(columns={"p_massive": f"p_massive_{out.model}"})
    # P(massive) and its track record take seconds on a store never served (the stack's
    # weights are learned from two years of past forecasts at every horizon): shown here
    # once computed, else the page comes at once and fetches them from /forecast/massive
    kept = svc.kept(("massive-page", horizon))
    return _analysis_page(request, "forecast.html", "Forecast",
                          lambda: svc.cached(("forecast-page", horizon), make),
                          key=("forecast", horizon), horizon=horizon, massive=kept,
                          massive_url=None if kept else f"/forecast/massive?horizon={horizon}")


@router.get("/forecast/massive", response_class=HTMLResponse)
def forecast_massive(request: Request, svc: Service,
                     horizon: Annotated[int, Query(ge=1, le=30)] = 7,
                     part: bool = False) -> HTMLResponse:
    """The forecast page's P(massive) section: alone (`part`, fetched by the page) or as a
    page of its own (the link of the page without scripts)."""
    massive = _massive(svc, horizon)
    if part:
        return page(request, "forecast_massive.html", massive=massive, horizon=horizon)
    return page(request, "forecast_massive_page.html", title="Forecast: P(massive night)",
                massive=massive, horizon=horizon)


def _massive(svc, horizon: int) -> dict | None:
    """P(massive) per night and its track record, or None when it cannot be computed."""
    def make():
        out = feature("analysis.forecast", "massive_outlook")(None, horizon, db=svc.db)
        return _massive_view(out)
    try:
        # what the page shows, plain values: kept on disk, read back without the forecast
        # module and its libraries
        return svc.cached(("massive-page", horizon), make)
    except SHOWN:
        return None


def _massive_view(out) -> dict:
    nights = out.as_of + pd.to_timedelta(range(1, len(out.p_massive) + 1), "D")
    return {"model": out.model, "missiles": out.rule_missiles, "drones": out.rule_drones,
            "nights": [(f"{n:%a %d %b}", f"{p:.0%}") for n, p in
                       zip(nights, out.p_massive, strict=True)],
            "record_nights": out.record_nights, "brier_skill": f"{out.brier_skill:+.1%}",
            "record_from": f"{out.record_from:%Y-%m-%d}" if out.record_from else "",
            "as_of": f"{out.as_of:%Y-%m-%d}",
            "reliability": table_html(out.track[out.track.n > 0].round(3))}


@router.get("/check", response_class=HTMLResponse)
def check(request: Request) -> HTMLResponse:
    return page(request, "check.html", title="Claim check",
                error=None if available("check", "check") else
                "the claim check needs packages that are not installed")


@router.get("/briefs", response_class=HTMLResponse)
def briefs(request: Request, svc: Service,
           nights: Annotated[int, Query(ge=1, le=366)] = 60) -> HTMLResponse:
    """The latest nights with launches, each with its brief."""
    df = svc.all_nights()
    if len(df):
        df = df[df["total_launched"] > 0].tail(nights).iloc[::-1]
    rows = [{"night": f"{r.night:%Y-%m-%d}", "drones": int(r.drones_launched),
             "missiles": int(r.missiles_launched),
             "provisional": bool(getattr(r, "provisional", False))}
            for r in df.itertuples()] if len(df) else []
    return page(request, "briefs.html", title="Briefs", rows=rows, nights=nights)


async def _brief(request: Request, svc, date: dt.date, part: str):
    """The `part` of the night's brief the page shows ("title") or the document ("html"),
    computed in the bounded pool of briefs; or the page that says why there is none. The
    document comes from the brief of /api/v1/brief (the same cache entry); the title from
    that brief when it is at hand, else alone (a fraction of the brief's time). Each part
    is a string of its own in the caches: one kept on disk is read back without the
    brief's libraries."""
    def make():
        if part == "html":
            return svc.cached(("brief", date), lambda: feature("brief", "brief")(
                night=date, db=svc.db)).html
        whole = svc.peek(("brief", date))
        if whole is None:
            return feature("brief", "title")(night=date, db=svc.db)
        return getattr(whole, "title", f"Brief {date}")
    key = (f"brief-{part}", date)
    try:
        return svc.peek(key) or await _pooled(request, "brief", lambda: svc.cached(key, make))
    except MissingExtraError as exc:
        return page(request, "message.html", 501, title="Brief", message=str(exc))
    except HTTPException as exc:  # the pool is full, or the brief ran past its budget
        return page(request, "message.html", exc.status_code, title="Brief",
                    message=str(exc.detail))
    except (InputError, NotFoundError) as exc:  # no nights in the period
        return page(request, "message.html", 404, title="Brief", message=str(exc))


@router.get("/brief/{date}", response_class=HTMLResponse)
async def brief(request: Request, svc: Service, date: dt.date) -> HTMLResponse:
    """The brief inside the site: its document in a frame, with the site's navigation."""
    res = await _brief(request, svc, date, "title")
    if isinstance(res, HTMLResponse):
        return res
    return page(request, "brief.html", title=res,
                date=date, prev_night=date - dt.timedelta(days=1),
                next_night=date + dt.timedelta(days=1))


@router.get("/brief/{date}/document", response_class=HTMLResponse)
async def brief_document(request: Request, svc: Service, date: dt.date) -> HTMLResponse:
    res = await _brief(request, svc, date, "html")
    if isinstance(res, HTMLResponse):
        return res
    # The brief is a self-contained document with its own inline scripts: serve it as is,
    # sandboxed into an opaque origin so those scripts cannot reach the dashboard or API;
    # only the site's own brief page may frame it.
    return HTMLResponse(res, headers={"Content-Security-Policy": BRIEF_CSP,
                                           "X-Frame-Options": "SAMEORIGIN"})


BRIEF_CSP = ("sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; "
             "style-src 'unsafe-inline'; img-src data:; font-src data:; "
             "frame-ancestors 'self'")


# The page opens on the question the news asks most: the 2025 Trump–Putin calls.
DEFAULT_STUDY = {"type": "phone_call", "actors": "USA,RUS", "start": dt.date(2025, 1, 1),
                 "end": dt.date(2025, 12, 31)}
DEFAULT_STUDY_NOTE = ("Showing the default question: drones launched around the 2025 "
                      "Trump–Putin phone calls. Change it below.")


def _default_study(q: StudyQuery) -> StudyQuery:
    return q.model_copy(update={**DEFAULT_STUDY, "type": EventType(DEFAULT_STUDY["type"])})


def _actor_pairs(svc, chosen: str | None, top: int = 12) -> list[str]:
    """The pairs of actors that meet most often in the timeline (`USA,RUS`), and the one
    chosen: the choices of the study page's actors menu."""
    from collections import Counter
    from itertools import combinations

    pairs = Counter(",".join(p) for actors in svc.events()["actors"]
                    for p in combinations(sorted(actors, key=("USA", "RUS", "UKR").__contains__,
                                                 reverse=True), 2))
    found = [p for p, _ in pairs.most_common(top)]
    return found + ([chosen] if chosen and chosen not in found else [])


def _study_metrics() -> tuple[str, ...]:
    try:
        return feature("analysis.study", "METRICS")
    except MissingExtraError:
        return ("drones", "missiles", "total")


async def _pooled(request: Request, kind: str, make):
    """`make()` in the app's bounded pool of its kind (see `web.pool`): 429 when it is full,
    503 past its time budget, as HTTPExceptions the page turns into a message."""
    return await request.app.state.pools[kind].run(make)


