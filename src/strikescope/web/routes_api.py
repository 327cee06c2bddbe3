"""The JSON API under /api/v1: read routes for everyone, write routes behind a token."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import secrets
import tempfile
import warnings
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import BaseModel, Field, field_validator

from strikescope import events as timeline
from strikescope.errors import (
    InputError,
    NotFoundError,
    StoreBusyError,
    StoreMissingError,
)
from strikescope.extras import optional
from strikescope.lazy import lazy_module
from strikescope.rules.nights import POLICIES
from strikescope.taxonomy import CLASSES
from strikescope.web import figures
from strikescope.web import rows as rows_view
from strikescope.web.frames import Format, frame_response, json_response, records
from strikescope.web.optional import feature
from strikescope.web.pool import run_check
from strikescope.web.service import StoreService

if TYPE_CHECKING:  # the real modules for the type checker; at run time on first use
    import pandas as pd
else:
    pd = lazy_module("pandas")

# Members from data, which mypy cannot read (it takes only literal members): a member is
# reached by value, WeaponClass("strike_drone"), not as an attribute.
WeaponClass = enum.Enum("WeaponClass", {c: c for c in CLASSES}, type=str)  # type: ignore[misc]
EventType = enum.Enum(  # type: ignore[misc]
    "EventType", {t: t for t in timeline.EVENT_TYPES}, type=str)
Confidence = enum.Enum(  # type: ignore[misc]
    "Confidence", {c: c for c in timeline.CONFIDENCE}, type=str)

From = Annotated[dt.date | None, Query(alias="from", description="First night (YYYY-MM-DD).")]
To = Annotated[dt.date | None, Query(alias="to", description="Last night (YYYY-MM-DD).")]
Fmt = Annotated[Format, Query(alias="format", description="json, or csv to download.")]
Actors = Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}(,[A-Za-z]{3})*$",
                                     description="ISO3 codes, all must take part: USA,RUS")]
Name = Annotated[str, Query(pattern=r"^[a-z_]{1,40}$")]
NightDate = Annotated[dt.date, PathParam(description="The night, by the date it ended.")]
NightPolicy = enum.Enum("NightPolicy", {p: p for p in POLICIES}, type=str)  # type: ignore[misc]
PolicyQuery = Annotated[NightPolicy, Query(
    description="combined: national reports plus regional ones for the classes they lack; "
                "national: the national Air Force statements alone (as press tallies count).")]

router = APIRouter(prefix="/api/v1")


async def service(request: Request) -> StoreService:
    return request.app.state.service


Service = Annotated[StoreService, Depends(service)]


# Set in a request's scope by a route whose answer is a function of its URL and the store
# version alone (see `cacheable`).
CACHEABLE = "strikescope.cacheable"


def cacheable(request: Request) -> None:
    """Mark this GET's answer as depending on its URL and the store version alone: the app
    keeps its bytes and answers the same URL again before routing (`web.app.Dashboard`),
    until the store or the user's events file changes. Not for an answer that depends on
    the time of day, a header or a setting."""
    request.scope[CACHEABLE] = True


def check_range(start, end) -> None:
    if start and end and start > end:
        raise HTTPException(422, f"'from' ({start}) is after 'to' ({end})")


# --- nights and events ---------------------------------------------------------------


@router.get("/nights", summary="Nightly totals (dense calendar)")
async def nights(request: Request, svc: Service, start: From = None, end: To = None,
           weapon_class: Annotated[WeaponClass | None, Query(alias="class")] = None,
           fmt: Fmt = Format.json, policy: PolicyQuery = NightPolicy("combined")) -> Response:
    check_range(start, end)
    cacheable(request)
    cls = weapon_class.value if weapon_class else None
    key = ("nights-response", start, end, cls, fmt, policy.value)
    return await svc.cached_async(
        key, lambda: frame_response(svc.nights(start, end, cls, policy.value), fmt, "nights"))


def _night(svc: StoreService, date: dt.date, policy: str = "combined"):
    try:
        return svc.night(date, policy)
    except NotFoundError as exc:
        raise HTTPException(404, str(exc)) from None


@router.get("/night/{date}", summary="One night: classes, regions, shelter hours, sources")
async def night(request: Request, svc: Service, date: NightDate, fmt: Fmt = Format.json,
                policy: PolicyQuery = NightPolicy("combined")) -> Response:
    cacheable(request)
    def make():
        view = _night(svc, date, policy.value)
        if fmt == Format.csv:
            return frame_response(view.classes, fmt, f"night-{date}-classes")
        return json_response({
            "night": f"{view.night:%Y-%m-%d}", "summary": view.summary(),
            "totals": view.totals, "classes": records(view.classes),
            "regions": records(view.regions), "shelter": records(view.shelter),
            "sources": view.sources, "rows": records(view.rows),
            "defenses": records(view.defenses), "records": records(view.records),
            "context": records(view.context), "policy": policy.value})
    return await svc.cached_async(("night-response", date, fmt, policy.value), make)


NIGHT_TABLES = {"classes", "rows", "regions", "shelter", "defenses", "records", "context"}


@router.get("/night/{date}/{table}", summary="One table of a night (classes, rows, regions, "
            "shelter)")
def night_table(svc: Service, date: NightDate, table: str, fmt: Fmt = Format.json,
                policy: PolicyQuery = NightPolicy("combined")) -> Response:
    if table not in NIGHT_TABLES:
        raise HTTPException(404, f"unknown table {table!r}; one of {sorted(NIGHT_TABLES)}")
    view = _night(svc, date, policy.value)
    df = getattr(view, table)
    if df is None:
        raise HTTPException(404, "no air-raid alert data covers this night")
    return frame_response(df, fmt, f"night-{date}-{table}")


@router.get("/events", summary="The diplomatic timeline, filtered")
def events(svc: Service, type: Annotated[EventType | None, Query()] = None,
           actors: Actors = None, start: From = None, end: To = None,
           confidence: Annotated[Confidence | None, Query()] = None,
           fmt: Fmt = Format.json) -> Response:
    check_range(start, end)
    df = svc.events(type.value if type else None, actors, start, end,
                    confidence.value if confidence else None)
    return frame_response(df.drop(columns=["origin"], errors="ignore"), fmt, "events")


@router.get("/events/{event_id}", summary="One event")
def event(svc: Service, event_id: Annotated[str, PathParam(max_length=120)]) -> Response:
    try:
        row = svc.event(event_id)
    except NotFoundError as exc:
        raise HTTPException(404, str(exc)) from None
    return json_response(records(row.to_frame().T)[0])


# --- figures -------------------------------------------------------------------------


def _figure(fig) -> Response:
    return Response(fig.to_json().encode(), media_type="application/json")


@router.get("/figures/timeline", summary="Timeline figure (plotly JSON)")
def timeline_figure(request: Request, svc: Service, start: From = None, end: To = None
                    ) -> Response:
    check_range(start, end)
    cacheable(request)
    return svc.cached(("timeline-figure", start, end), lambda: _figure(
        figures.timeline_figure(svc.nights(start, end), svc.events(start=start, end=end))))


@router.get("/figures/timeline.png", summary="Timeline as a static PNG (the first paint)",
            response_class=Response, responses={200: {"content": {"image/png": {}}}})
def timeline_png(request: Request, svc: Service, start: From = None, end: To = None
                 ) -> Response:
    check_range(start, end)
    cacheable(request)
    return Response(timeline_png_bytes(svc, start, end), media_type="image/png",
                    headers={"Cache-Control": "public, max-age=300"})


def timeline_png_bytes(svc, start, end) -> bytes:
    return svc.cached(("timeline-png", start, end), lambda: figures.timeline_png(
        svc.nights(start, end), svc.events(start=start, end=end)))


@router.get("/figures/night/{date}/{name}", summary="A figure of one night (classes, regions)")
def night_figure(svc: Service, date: NightDate, name: str,
                 policy: PolicyQuery = NightPolicy("combined")) -> Response:
    makers = {"classes": lambda v: figures.classes_figure(v.classes, str(date)),
              "regions": lambda v: figures.regions_figure(v.regions, str(date))}
    if name not in makers:
        raise HTTPException(404, f"unknown figure {name!r}; one of {sorted(makers)}")
    return svc.cached(("night-figure", date, name, policy.value),
                      lambda: _figure(makers[name](_night(svc, date, policy.value))))


# --- report rows ----------------------------------------------------------------------


Values = Annotated[Sequence[str], Query(max_length=20)]


def row_query(night: Values = (), group: Values = (),
              cls: Annotated[Sequence[str], Query(alias="class", max_length=20)] = (),
              model: Values = (), region: Values = (), release: Values = (),
              q: Annotated[str, Query(max_length=200)] = "", start: From = None,
              end: To = None,
              counted: Annotated[str, Query(pattern=r"^(true|false)?$")] = "",
              sort: Annotated[str, Query(pattern=r"^[a-z_]{1,20}$")] = "row_id",
              desc: bool = False, page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
              size: Annotated[int, Query(ge=1, le=rows_view.MAX_PAGE)] = 50
              ) -> rows_view.RowQuery:
    """The rows view a URL asks for; the same parameters on the page and the API."""
    check_range(start, end)
    try:
        return rows_view.RowQuery(
            night=tuple(night), group=tuple(group), cls=tuple(cls), model=tuple(model),
            region=tuple(region), release=tuple(release), q=q,
            start=start.isoformat() if start else None, end=end.isoformat() if end else None,
            counted={"true": True, "false": False}.get(counted), sort=sort, desc=desc,
            page=page, size=size)
    except InputError as exc:
        raise HTTPException(422, str(exc)) from None


RowView = Annotated[rows_view.RowQuery, Depends(row_query)]


@router.get("/rows", summary="Report rows: filtered by facets and text, sorted; every row "
            "of the view (JSON or CSV), or one page with page=")
def rows(svc: Service, view: RowView, request: Request, fmt: Fmt = Format.json) -> Response:
    if "page" in request.query_params or "size" in request.query_params:
        df = svc.rows(view).rows
    else:
        df = svc.rows(view, export=True)
    return frame_response(df, fmt, "rows")


@router.get("/rows/{row_id}", summary="One report row, every column, with its file and "
            "record number")
def report_row(svc: Service, row_id: Annotated[int, PathParam(ge=0)],
               fmt: Fmt = Format.json) -> Response:
    try:
        df = svc.report_row(row_id)
    except NotFoundError as exc:
        raise HTTPException(404, str(exc)) from None
    return frame_response(df, fmt, f"row-{row_id}")


# --- analyses from optional modules -----------------------------------------------------


# The study module's default number of placebo sets (the same p as the CLI), written out:
# reading it from the module imported numpy and pandas before the server could listen.
# tests/test_startup.py checks that the two agree.
N_PLACEBO = 10_000


class StudyQuery(BaseModel):
    event: str | None = Field(None, max_length=120)
    type: EventType | None = None
    actors: str | None = Field(None, pattern=r"^[A-Za-z]{3}(,[A-Za-z]{3})*$")
    start: dt.date | None = None
    end: dt.date | None = None
    metric: str = Field("drones", pattern=r"^[a-z_]{1,40}$")
    window: int = Field(7, ge=1, le=60)
    n_placebo: int = Field(N_PLACEBO, ge=100, le=20000)
    seed: int = Field(0, ge=0, le=2**31 - 1)


def study_query(event: Annotated[str | None, Query(max_length=120)] = None,
                type: Annotated[EventType | None, Query()] = None, actors: Actors = None,
                start: From = None, end: To = None, metric: Name = "drones",
                window: Annotated[int, Query(ge=1, le=60)] = 7,
                n_placebo: Annotated[int, Query(ge=100, le=20000)] = N_PLACEBO,
                seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0) -> StudyQuery:
    check_range(start, end)
    return StudyQuery(event=event, type=type, actors=actors, start=start, end=end,
                      metric=metric, window=window, n_placebo=n_placebo, seed=seed)


def run_study(svc: StoreService, q: StudyQuery):
    """The study result for a query, cached: placebo draws are the slow part."""
    def make():
        study = feature("analysis.study", "study")
        # the user timeline beside the store (POST /events) is part of the timeline here too
        chosen = q.event or q.type or q.actors or q.start or q.end
        mine = (svc.events_file if chosen and svc.events_file and svc.events_file.exists()
                else None)
        kwargs = dict(metric=q.metric, window=q.window, n_placebo=q.n_placebo, seed=q.seed,
                      events_file=mine, db=svc.db)
        if q.event:
            svc.event(q.event)  # unknown ids are a 404, not a failed study
            return study([q.event], **kwargs)
        return study(type=q.type.value if q.type else None, actors=q.actors, start=q.start,
                     end=q.end, **kwargs)
    # the user's events file is part of the question
    return svc.cached((*_study_key(q), svc._events_version()), make)


def _analysis(make):
    """`make()`, whose named errors answer by their class: 422 for a question the data
    cannot answer, 404 for no such event, 501 for a package not installed (`web.errors`),
    also one an analysis imports on first use."""
    with optional("this analysis"):
        return make()


async def heavy(request: Request, kind: str, make, key: tuple | None = None):
    """`make()` in the bounded pool of its kind (see `web.pool`), as `_analysis` maps its
    errors; a result already cached under `key` is answered at once, without a worker."""
    svc: StoreService = request.app.state.service
    if key is not None:
        hit = svc.peek(key)
        if hit is not None:
            return hit
    return await request.app.state.pools[kind].run(_analysis, make)


def _study_key(q: StudyQuery) -> tuple:
    return ("study", q.model_dump_json())


@router.get("/study", summary="Event study: strikes around the chosen events vs placebo days",
            responses={501: {"description": "study module not available"}})
async def study(request: Request, svc: Service, q: Annotated[StudyQuery, Depends(study_query)],
                fmt: Fmt = Format.json) -> Response:
    res = await heavy(request, "study", lambda: run_study(svc, q), _study_key(q))
    if fmt == Format.csv:
        return frame_response(res.to_frame(), fmt, "study")
    return json_response({"summary": res.summary(), "verdict": str(res.verdict),
                          "table": records(res.to_frame())})


MAX_EVENTS_UPLOAD = 2**20


async def _csv_body(request: Request, what: str, name: str, limit: int, shown: str) -> bytes:
    """The CSV request body of an upload: 422 when empty, 413 past `limit` bytes."""
    body = await request.body()
    if not body.strip():
        raise HTTPException(422, f"send {what} as a CSV request body")
    if len(body) > limit:
        raise HTTPException(413, f"{name} larger than {shown}")
    return body


@router.post("/study", summary="Event study on your own events, sent as the CSV request body "
             "(the timeline's columns; alone, every event of the file)",
             responses={501: {"description": "study module not available"}})
async def study_upload(request: Request, q: Annotated[StudyQuery, Depends(study_query)]
                       ) -> Response:
    body = await _csv_body(request, "the events", "events file",
                           MAX_EVENTS_UPLOAD, f"{MAX_EVENTS_UPLOAD // 2**10} KiB")
    svc: StoreService = request.app.state.service
    # named by its checksum, so the same file asked again is the same cached study
    path = Path(tempfile.gettempdir()) / "strikescope-events" / \
        f"events-{hashlib.sha256(body).hexdigest()[:16]}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(body)

    def make():
        study = feature("analysis.study", "study")
        kwargs = dict(metric=q.metric, window=q.window, n_placebo=q.n_placebo, seed=q.seed,
                      events_file=path, db=svc.db)
        if q.event:
            return study([q.event], **kwargs)
        return study(type=q.type.value if q.type else None, actors=q.actors, start=q.start,
                     end=q.end, **kwargs)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", timeline.EventFileWarning)
            notes = timeline.load_events([path], include_builtin=False).attrs["warnings"]
    except InputError as exc:
        raise HTTPException(422, str(exc)) from None
    res = _analysis(make)
    notes = [timeline.format_problem(n) for n in notes]
    return json_response({"summary": res.summary(), "verdict": str(res.verdict),
                          "warnings": notes, "table": records(res.to_frame())})


@router.get("/study/figures", summary="Event study figures (plotly JSON by name)",
            responses={501: {"description": "study module not available"}})
async def study_figures(request: Request, svc: Service,
                        q: Annotated[StudyQuery, Depends(study_query)]) -> Response:
    def make() -> bytes:
        res = run_study(svc, q)
        value = "interception rate" if getattr(res, "is_rate", False) else f"{res.metric} launched"
        axes = {"bars": ("event (date)", None),
                "series": ("night (dated by its end)", f"{value} per night"),
                "placebo": (None, "placebo sets (count)")}
        figs = {name: figures.finish(fig, None, *axes.get(name, (None, None)))
                for name, fig in feature("render.study", "charts")(res).items()}
        return ("{" + ",".join(f'"{name}":{fig.to_json()}' for name, fig in figs.items())
                + "}").encode()
    body = await heavy(request, "study", lambda: svc.cached(("study-figures", *_study_key(q)),
                                                            make),
                       ("study-figures", *_study_key(q)))
    return Response(body, media_type="application/json")


class DefenseBy(enum.StrEnum):
    week = "week"
    month = "month"
    quarter = "quarter"
    year = "year"


@router.get("/defense", summary="Interception rates by period",
            responses={501: {"description": "campaign module not available"}})
def defense(svc: Service, by: DefenseBy = DefenseBy.month,
            weapon_class: Annotated[WeaponClass | None, Query(alias="class")] = None,
            start: From = None, end: To = None, fmt: Fmt = Format.json) -> Response:
    check_range(start, end)
    cls = weapon_class.value if weapon_class else None

    def make():
        fn = feature("analysis.campaign", "defense")
        return fn(by=by.value, weapon_class=cls, start=start, end=end, db=svc.db)
    df = _analysis(lambda: svc.cached(("defense", by, cls, start, end), make))
    return frame_response(df, fmt, f"defense-{by.value}")


@router.get("/regimes", summary="Known changes in how the reports count (data/regimes.csv)")
def regimes(fmt: Fmt = Format.json) -> Response:
    from strikescope.rules.regimes import regimes as table

    df = table()
    df["measures"] = df["measures"].map(";".join)
    return frame_response(df, fmt, "regimes")


@router.get("/figures/defense", summary="Stopped rate (shot down + lost) by period, 95 % "
            "intervals, reporting regimes shaded",
            responses={501: {"description": "campaign module not available"}})
def defense_figure(svc: Service, by: DefenseBy = DefenseBy.month,
                   weapon_class: Annotated[WeaponClass | None, Query(alias="class")] = None,
                   start: From = None, end: To = None) -> Response:
    check_range(start, end)
    cls = weapon_class.value if weapon_class else None

    def make():
        df = feature("analysis.campaign", "defense")(by=by.value, weapon_class=cls, start=start,
                                            end=end, db=svc.db)
        fig = feature("render.campaign", "defense_chart")(df)
        what = (cls or "all classes").replace("_", " ")
        return _figure(figures.finish(
            fig, f"Share of {what} stopped (shot down or lost to electronic warfare), per "
            f"{by.value}, with 95 % intervals", f"{by.value} (first night)",
            "stopped (% of launched with an outcome)"))
    return _analysis(lambda: svc.cached(("defense-figure", by, cls, start, end), make))


CAMPAIGN_FIGURES = {
    "massive": ("massive_strikes", "massive_chart"),
    "mix": ("weapon_mix", "weapon_mix_chart"),
    "decoys": ("decoy_share", "decoy_chart"),
    "regions": ("region_totals", "region_chart"),
    "saturation": ("saturation", "saturation_chart"),
}
# Title, x axis and y axis of each campaign chart on the site (None: a map, no axes).
CAMPAIGN_TITLES = {
    "massive": ("Massive combined strikes: nights with 20+ missiles or 400+ drones "
                "(marker size: missiles)", "night", "launched that night (drones and missiles)"),
    "mix": ("Launches per week, by weapon class", "week (first night)",
            "launched per week"),
    "decoys": ("Strike drones: Shahed-type and decoys, where the reports tell them apart",
               "month (first night)", "strike drones launched per month"),
    "regions": ("Regions named as targets: nights with a counted report naming them",
                None, None),
    "saturation": ("Saturation: strike-drone shot-down rate against salvo size",
                   "salvo: drones launched with an outcome that night (log scale)",
                   "shot down (% of launched)"),
}


@router.get("/figures/campaign/{name}", summary="A campaign chart (plotly JSON): massive, "
            "mix, decoys, regions or saturation",
            responses={501: {"description": "campaign module not available"}})
def campaign_figure(svc: Service, name: str, start: From = None, end: To = None) -> Response:
    if name not in CAMPAIGN_FIGURES:
        raise HTTPException(404, f"unknown chart {name!r}; one of {sorted(CAMPAIGN_FIGURES)}")
    check_range(start, end)
    compute, chart = CAMPAIGN_FIGURES[name]

    def make():
        result = campaign_result(svc, compute, start, end)
        fig = figures.finish(feature("render.campaign", chart)(result), *CAMPAIGN_TITLES[name])
        if name in CAMPAIGN_PERIODS:
            fig = _periods_shown(svc, fig, result, CAMPAIGN_PERIODS[name], start, end)
        return _figure(fig)
    return _analysis(lambda: svc.cached(("campaign-figure", name, start, end), make))


# The period of each campaign chart drawn a bar per period (the analyses' defaults).
CAMPAIGN_PERIODS = {"mix": "week", "decoys": "month"}


def _periods_shown(svc: StoreService, fig, result, by: str, start, end):
    """Dates as dates on the axis, and a first or last period that the range (or the data)
    covers only in part marked as such."""
    nights = svc.all_nights()["night"]
    if nights.empty or result.empty:
        return fig
    first = max(pd.Timestamp(start), nights.min()) if start else nights.min()
    last = min(pd.Timestamp(end), nights.max()) if end else nights.max()
    render = "render.campaign"
    feature(render, "period_axis")(fig, by, int(result["period"].nunique()))
    return feature(render, "mark_partial")(fig, first, last, by)


def campaign_result(svc: StoreService, compute: str, start, end):
    """One campaign analysis over a range, computed once for its page table, its chart and
    its CSV/JSON download; those made from the counted report rows share one read of them."""
    def make():
        if compute not in FROM_ROWS:
            return feature("analysis.campaign", compute)(start=start, end=end, db=svc.db)
        counted_rows = feature("analysis.campaign", "counted_rows")
        rows = svc.cached(("campaign-rows", start, end),
                          lambda: counted_rows(start, end, db=svc.db))
        return FROM_ROWS[compute](rows)
    return svc.cached(("campaign", compute, start, end), make)


FROM_ROWS = {
    "decoy_share": lambda rows: feature("analysis.campaign", "decoy_table")(rows),
    "region_totals": lambda rows: feature("analysis.campaign", "region_totals")(
        night_table=feature("analysis.campaign", "night_region_table")(rows)),
}


@router.get("/campaign/{table}", summary="Massive strikes or weapon mix",
            responses={501: {"description": "campaign module not available"}})
def campaign(svc: Service, table: str, start: From = None, end: To = None,
             fmt: Fmt = Format.json) -> Response:
    names = {"massive": "massive_strikes", "mix": "weapon_mix"}
    if table not in names:
        raise HTTPException(404, f"unknown table {table!r}; one of {sorted(names)}")
    check_range(start, end)
    df = _analysis(lambda: campaign_result(svc, names[table], start, end))
    return frame_response(df, fmt, f"campaign-{table}")


# The store's errors name its file: a server path the web does not show.
NO_NIGHTS = "The store holds no nights yet: run strikescope ingest."


@router.get("/doctor", summary="Data-integrity report of the store (`strikescope doctor`)")
def doctor(svc: Service, threshold: Annotated[float, Query(ge=0, le=1)] = 0.2,
           min_difference: Annotated[int, Query(ge=0, le=1_000_000)] = 5) -> Response:
    try:
        report = svc.doctor(threshold, min_difference).to_dict()
    except (StoreMissingError, InputError):  # no store, or no nights in it
        raise HTTPException(404, NO_NIGHTS) from None
    report["store"].pop("path")  # a server file path is nobody's business
    return json_response(report)


@router.get("/forecast", summary="Next nights with intervals",
            responses={501: {"description": "forecast module not available"}})
def forecast(svc: Service, as_of: dt.date | None = None,
             horizon: Annotated[int, Query(ge=1, le=30)] = 7, model: Name = "blend",
             fmt: Fmt = Format.json) -> Response:
    def make():
        fn = feature("analysis.forecast", "forecast")
        origin = as_of or svc.all_nights()["night"].max().date()
        return fn(origin, horizon=horizon, model=model, db=svc.db).to_frame()
    df = _analysis(lambda: svc.cached(("forecast", as_of, horizon, model), make))
    return frame_response(df, fmt, "forecast")


@router.get("/forecast/massive", summary="P(massive night) for the next nights, with the "
            "track record of such forecasts over the past year",
            responses={501: {"description": "forecast module not available"}})
def forecast_massive(svc: Service, as_of: dt.date | None = None,
                     horizon: Annotated[int, Query(ge=1, le=28)] = 7,
                     model: Name = "stack") -> Response:
    def make():
        out = feature("analysis.forecast", "massive_outlook")(as_of, horizon, model, db=svc.db)
        return massive_payload(out)
    return json_response(_analysis(lambda: svc.cached(("massive", as_of, horizon, model),
                                                      make)))


def massive_payload(out) -> dict:
    nights = out.as_of + pd.to_timedelta(range(1, len(out.p_massive) + 1), "D")
    spec = {"missiles": out.rule_missiles, "drones": out.rule_drones}
    return {"as_of": f"{out.as_of:%Y-%m-%d}", "model": out.model, "massive_rule": spec,
            "nights": [{"night": f"{n:%Y-%m-%d}", "horizon": i + 1, "p_massive": float(p)}
                       for i, (n, p) in enumerate(zip(nights, out.p_massive, strict=True))],
            "track_record": {
                "nights": out.record_nights,
                "from": None if out.record_from is None else f"{out.record_from:%Y-%m-%d}",
                "to": f"{out.as_of:%Y-%m-%d}", "horizon": 1,
                "brier_skill_vs_climatology": out.brier_skill,
                "reliability": records(out.track)}}


BACKTEST_NIGHTS = 90  # recent enough to matter, short enough to score in a few seconds


@router.get("/forecast/backtest", summary="Backtest scores over the last 90 nights, "
            "against climatology", responses={501: {"description": "forecast not available"}})
def backtest(svc: Service, model: Name = "blend", fmt: Fmt = Format.json) -> Response:
    def make():
        end = svc.all_nights()["night"].max()
        start = end - pd.Timedelta(days=BACKTEST_NIGHTS - 1)
        models = list(dict.fromkeys([model, "climatology"]))
        res = feature("analysis.forecast", "backtest")(start.date(), end.date(), models=models,
                                              db=svc.db)
        return res.table() if hasattr(res, "table") else res.to_frame()
    df = _analysis(lambda: svc.cached(("backtest", model), make))
    return frame_response(df, fmt, "backtest")


# The article text a check takes: a news article's body is a few thousand characters, and
# the checker's time grows faster than its input (a longer text is refused, not queued).
MAX_CHECK_CHARS = 20_000


class CheckRequest(BaseModel):
    text: str = Field(..., min_length=1, description="Article text "
                      f"(at most {MAX_CHECK_CHARS:,} characters)")
    published: dt.date | None = Field(None, description="Publication date (YYYY-MM-DD)")


@router.post("/check", summary="Check the strike figures claimed in an article",
             responses={413: {"description": "text too long"},
                        429: {"description": "too many checks running"},
                        501: {"description": "check module not available"}})
async def check(request: Request, svc: Service, body: CheckRequest,
                fmt: Fmt = Format.json) -> Response:
    if len(body.text) > MAX_CHECK_CHARS:
        raise HTTPException(413, f"article text of {len(body.text):,} characters: at most "
                                 f"{MAX_CHECK_CHARS:,} are checked; send the part with the "
                                 "figures")

    runner = getattr(request.app.state, "check_runner", run_check)
    try:
        frame, html = await request.app.state.pools["check"].run(
            runner, body.text, body.published, svc.db)
    except BrokenProcessPool:
        raise HTTPException(503, "check: its worker was stopped (a check ran past its time "
                                 "budget); try again", headers={"Retry-After": "10"}) from None
    if fmt == Format.csv:
        return frame_response(frame, fmt, "check")
    return json_response({"table": records(frame), "html": html})


@router.get("/brief", summary="A brief for a night (markdown and HTML)",
            responses={501: {"description": "brief module not available"}})
async def brief(request: Request, svc: Service, night: dt.date) -> Response:
    res = await heavy(request, "brief", lambda: svc.cached(
        ("brief", night), lambda: feature("brief", "brief")(night=night, db=svc.db)),
        ("brief", night))
    return json_response({"markdown": res.markdown, "html": res.html})


# --- writes ---------------------------------------------------------------------------


def require_token(request: Request) -> None:
    """Writes need `Authorization: Bearer <token>`; with no token configured they are off."""
    token = request.app.state.token
    if not token:
        raise HTTPException(403, "writes disabled: no token configured (set STRIKESCOPE_TOKEN)")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(given.encode(), token.encode()):
        raise HTTPException(401, "missing or wrong bearer token",
                            headers={"WWW-Authenticate": "Bearer"})


Writer = Depends(require_token)


# Dates an event may have: the timeline's tables hold nanosecond timestamps (1677-2262),
# and an event of this war lies well inside these.
EVENT_DATES = {"ge": dt.date(1900, 1, 1), "le": dt.date(2199, 12, 31)}


class EventIn(BaseModel):
    date: dt.date = Field(..., ge=EVENT_DATES["ge"], le=EVENT_DATES["le"])
    end_date: dt.date | None = Field(None, ge=EVENT_DATES["ge"], le=EVENT_DATES["le"])
    type: EventType
    actors: str = Field(..., pattern=r"^[A-Za-z]{3}([;,][A-Za-z]{3})*$")
    title: str = Field(..., min_length=3, max_length=300)
    description: str = Field("", max_length=5000)
    source_url: str = Field(..., pattern=r"^https?://\S+$", max_length=2000)
    confidence: Confidence

    @field_validator("source_url")
    @classmethod
    def _url_parses(cls, url: str) -> str:
        """A URL the pattern lets through may still not parse (`http://[`)."""
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises on a port that is no number
        except ValueError as exc:
            raise ValueError(f"not a valid URL ({exc})") from None
        if not parts.hostname:
            raise ValueError("not a valid URL (no host)")
        return url


@router.post("/events", status_code=201, dependencies=[Writer],
             summary="Add an event to the user timeline (token needed)")
def add_event(svc: Service, body: EventIn) -> Response:
    row = body.model_dump(mode="json")
    row["actors"] = row["actors"].upper().replace(",", ";")
    try:
        saved = svc.add_event(row)
    except PermissionError as exc:
        raise HTTPException(403, f"writes disabled: {exc}") from None
    except timeline.EventValidationError as exc:
        raise HTTPException(422, str(exc)) from None
    out = json_response(records(saved.to_frame().T)[0])
    out.status_code = 201
    return out


MAX_UPLOAD = 64 * 2**20


@router.post("/ingest", dependencies=[Writer],
             summary="Ingest an attack release sent as the CSV request body (token needed)")
async def ingest(request: Request) -> Response:
    body = await _csv_body(request, "the release", "release", MAX_UPLOAD,
                           f"{MAX_UPLOAD // 2**20} MiB")
    svc: StoreService = request.app.state.service
    # Off the event loop: reads keep answering during an ingest.
    path, reports = await request.app.state.pools["ingest"].run(_keep_and_ingest, svc, body)
    return json_response({"reports": [r.summary() for r in reports], "file": path.name})


def _keep_and_ingest(svc: StoreService, body: bytes):
    # Kept beside the store under its checksum, so the rows' provenance names a real file.
    path = svc.path.parent / "uploads" / f"{hashlib.sha256(body).hexdigest()[:16]}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = not path.exists()
    if fresh:
        path.write_bytes(body)
    try:
        return path, svc.ingest(path)
    except (InputError, StoreBusyError) as exc:
        if fresh:
            path.unlink(missing_ok=True)
        busy = isinstance(exc, StoreBusyError)
        raise HTTPException(503 if busy else 422, str(exc),
                            headers={"Retry-After": "60"} if busy else None) from None
