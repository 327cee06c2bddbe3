"""HTML pages. They carry no data of their own beyond tables: charts load from /api/v1."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from strikescope import events as timeline
from strikescope.sources.attacks import source_url
from strikescope.web.optional import Unavailable, available, feature
from strikescope.web.routes_api import (
    NO_NIGHTS,
    DefenseBy,
    NightPolicy,
    PolicyQuery,
    Service,
    StudyQuery,
    WeaponClass,
    campaign_result,
    run_study,
    study_query,
)

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters["source_url"] = source_url
router = APIRouter(include_in_schema=False)


def table_html(df: pd.DataFrame | None, max_rows: int = 500) -> str:
    if df is None or df.empty:
        return '<p class="muted">No rows.</p>'
    df = df.head(max_rows).copy()
    for col in [c for c in df.columns if df[c].dtype == "object"]:
        df[col] = df[col].map(lambda v: ", ".join(map(str, v))
                              if isinstance(v, list | tuple) or hasattr(v, "tolist") else v)
    return df.to_html(index=False, na_rep="", classes="data", border=0, escape=True)


def page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, svc: Service) -> HTMLResponse:
    nights = svc.all_nights()
    if nights.empty:
        return page(request, "message.html", title="Timeline", message=NO_NIGHTS)
    first, last = nights.night.min(), nights.night.max()
    shown, _ = svc.default_range()
    return page(request, "timeline.html", title="Timeline", n_nights=len(nights),
                span=f"{first:%Y-%m-%d} .. {last:%Y-%m-%d}", first=f"{first:%Y-%m-%d}",
                start=f"{shown:%Y-%m-%d}", end=f"{last:%Y-%m-%d}")




@router.get("/night/{date}", response_class=HTMLResponse)
def night(request: Request, svc: Service, date: dt.date,
          policy: PolicyQuery = NightPolicy.combined) -> HTMLResponse:
    try:
        view = svc.night(date, policy.value)
    except LookupError as exc:
        return page(request, "message.html", 404, title="No such night", message=str(exc))
    return page(request, "night.html", title=f"Night {date}", date=date, view=view,
                classes=table_html(view.classes), regions=table_html(view.regions),
                shelter=None if view.shelter is None else table_html(view.shelter),
                rows=table_html(view.rows[["weapon_class", "model", "launched", "destroyed",
                                           "counted", "rank_name", "source", "rec"]]),
                has_brief=available("brief", "brief"),
                prev_night=date - dt.timedelta(days=1), next_night=date + dt.timedelta(days=1))


@router.get("/study", response_class=HTMLResponse)
def study(request: Request, svc: Service,
          q: Annotated[StudyQuery, Depends(study_query)]) -> HTMLResponse:
    event = None
    if q.event:
        try:
            event = svc.event(q.event).to_dict()
        except LookupError as exc:
            return page(request, "message.html", 404, title="No such event", message=str(exc))
    params = urlencode({k: v for k, v in q.model_dump(mode="json").items() if v is not None})
    result, error = None, None
    chosen = q.event or q.type or q.actors or q.start or q.end
    try:
        if not chosen:
            raise ValueError("choose an event (click one on the timeline) or a type, actors "
                             "or dates")
        result = run_study(svc, q)
    except Unavailable as exc:
        error = str(exc)
    except (LookupError, ValueError) as exc:
        error = f"The study did not run: {exc}"
    return page(request, "study.html", title="Event study", q=q, event=event, params=params,
                result=result, error=error, types=timeline.EVENT_TYPES,
                table=table_html(result.to_frame()) if result is not None else None)


def _analysis_page(request, name, title, make, **context) -> HTMLResponse:
    table, error = None, None
    try:
        table = table_html(make())
    except Unavailable as exc:
        error = str(exc)
    except (LookupError, ValueError) as exc:
        error = str(exc)
    return page(request, name, title=title, table=table, error=error, **context)


@router.get("/data", response_class=HTMLResponse)
def data_health(request: Request, svc: Service,
                threshold: Annotated[float, Query(ge=0, le=1)] = 0.2) -> HTMLResponse:
    try:
        report = svc.doctor(threshold)
    except (FileNotFoundError, ValueError):
        return page(request, "message.html", title="Data", message=NO_NIGHTS)
    s = report.store
    facts = (f"{len(report.releases)} release(s), {s['reports']:,} report rows, "
             f"{s['nights']:,} nights; strikescope {s['version']}, rules {s['rules_version']}"
             f" ({'current' if s['rules_current'] else 'outdated'}).")
    return page(request, "data.html", title="Data", facts=facts, problems=report.problems,
                releases=table_html(report.releases.drop(columns=["ingested_at"])),
                quarantine=table_html(report.quarantine),
                missing=table_html(report.missing_denominators),
                disagreements=table_html(report.disagreements),
                threshold_pct=round(threshold * 100))


@router.get("/defense", response_class=HTMLResponse)
def defense(request: Request, svc: Service, by: DefenseBy = DefenseBy.month,
            weapon_class: Annotated[WeaponClass, Query(alias="class")] = WeaponClass.strike_drone
            ) -> HTMLResponse:
    params = urlencode({"by": by.value, "class": weapon_class.value})
    return _analysis_page(
        request, "defense.html", "Defense",
        # the same cache entry as /api/v1/defense for these parameters
        lambda: svc.cached(("defense", by, weapon_class.value, None, None), lambda: feature(
            "campaign", "defense")(by=by.value, weapon_class=weapon_class.value, db=svc.db)),
        by=by.value, weapon_class=weapon_class.value, params=params,
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
    return _analysis_page(
        request, "campaign.html", "Campaign",
        lambda: campaign_result(svc, "massive_strikes", start, end),
        params=params, start=start.isoformat(), end=end.isoformat())


@router.get("/forecast", response_class=HTMLResponse)
def forecast(request: Request, svc: Service,
             horizon: Annotated[int, Query(ge=1, le=30)] = 7) -> HTMLResponse:
    def make():
        origin = svc.all_nights()["night"].max().date()
        return feature("forecast", "forecast")(origin, horizon=horizon, db=svc.db).to_frame()
    return _analysis_page(request, "forecast.html", "Forecast",
                          lambda: svc.cached(("forecast-page", horizon), make), horizon=horizon)


@router.get("/check", response_class=HTMLResponse)
def check(request: Request) -> HTMLResponse:
    return page(request, "check.html", title="Claim check",
                error=None if available("check", "check") else
                "check.check is not available in this version of strikescope")


@router.get("/brief/{date}", response_class=HTMLResponse)
def brief(request: Request, svc: Service, date: dt.date) -> HTMLResponse:
    try:
        # the same cache entry as /api/v1/brief
        res = svc.cached(("brief", date), lambda: feature("brief", "brief")(night=date,
                                                                              db=svc.db))
    except Unavailable as exc:
        return page(request, "message.html", 501, title="Brief", message=str(exc))
    except (LookupError, ValueError) as exc:
        return page(request, "message.html", 404, title="Brief", message=str(exc))
    # The brief is a self-contained document with its own inline scripts: serve it as is,
    # sandboxed into an opaque origin so those scripts cannot reach the dashboard or API.
    return HTMLResponse(res.html, headers={"Content-Security-Policy": BRIEF_CSP})


BRIEF_CSP = ("sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; "
             "style-src 'unsafe-inline'; img-src data:; font-src data:")
