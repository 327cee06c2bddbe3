"""The statement reader on the web: `GET|POST /parse-report` (a form) and
`POST /api/v1/parse-report` (JSON). Neither touches the store: the parse is of the text sent."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from strikescope.errors import InputError
from strikescope.web.frames import json_response
from strikescope.web.routes_pages import page

# A morning statement is a few hundred to a few thousand characters. Ten thousand, even as
# percent-encoded Cyrillic (6 bytes a letter), stays under the default 64 KiB request body
# limit of web.app, which refuses anything larger before it is read.
MAX_STATEMENT_CHARS = 10_000
TITLE = "Read a statement"
EMPTY = "Paste the text of an Air Force statement to read it."

api_router = APIRouter(prefix="/api/v1")
pages_router = APIRouter(include_in_schema=False)


class ParseRequest(BaseModel):
    text: str = Field("", description="The statement's text, Ukrainian or English "
                      f"(at most {MAX_STATEMENT_CHARS:,} characters)")
    published: dt.date | None = Field(
        None, description="Publication date (YYYY-MM-DD), which places the night; "
                          "default today in Kyiv")


def _too_long(text: str) -> str | None:
    if len(text) > MAX_STATEMENT_CHARS:
        return (f"statement text of {len(text):,} characters: at most "
                f"{MAX_STATEMENT_CHARS:,} are read; send the statement alone")
    return None


async def _parse(request: Request, text: str, published: dt.date | None):
    """The parse in the bounded pool (a long text with misspelt names costs CPU)."""
    from strikescope.sources.statement import parse_report

    try:
        return await request.app.state.pools["parse"].run(parse_report, text, published)
    except InputError as exc:  # a publication date the calendar cannot place a night by
        raise HTTPException(422, str(exc)) from None


@api_router.post("/parse-report", summary="Read the figures of one Air Force statement",
                 responses={413: {"description": "text too long"},
                            422: {"description": "no text"},
                            429: {"description": "too many parses running"}})
async def parse_report_api(request: Request, body: ParseRequest) -> Response:
    """Night, time window, per model and per weapon class launched / shot down / lost with
    which figures were stated and which derived, and the sentences that gave no figure."""
    if not body.text.strip():
        raise HTTPException(422, "no text: send the statement in 'text'")
    if message := _too_long(body.text):
        raise HTTPException(413, message)
    parsed = await _parse(request, body.text, body.published)
    return json_response(parsed.to_dict())


@pages_router.get("/parse-report", response_class=HTMLResponse)
def parse_report_form(request: Request) -> HTMLResponse:
    return page(request, "parse_report.html", title=TITLE, text="", published="")


def _form_fields(raw: bytes) -> tuple[str, str]:
    fields = parse_qs(raw.decode("utf-8", errors="replace"), keep_blank_values=True)
    return fields.get("text", [""])[-1], fields.get("published", [""])[-1].strip()


@pages_router.post("/parse-report", response_class=HTMLResponse)
async def parse_report_page(request: Request) -> HTMLResponse:
    text, published = _form_fields(await request.body())
    shown = {"title": TITLE, "text": text, "published": published}
    if not text.strip():
        return page(request, "parse_report.html", 422, error=EMPTY, **shown)
    if message := _too_long(text):
        return page(request, "parse_report.html", 413, error=message,
                    **{**shown, "text": text[:MAX_STATEMENT_CHARS]})
    try:
        day = dt.date.fromisoformat(published) if published else None
    except ValueError:
        return page(request, "parse_report.html", 422, **shown,
                    error=f"'{published[:20]}' is not a date (YYYY-MM-DD)")
    try:
        parsed = await _parse(request, text, day)
    except HTTPException as exc:  # the pool full or past its time: said on the page
        return page(request, "parse_report.html", exc.status_code, error=exc.detail,
                    **shown)
    return page(request, "parse_report.html", parsed=parsed,
                classes=_records(parsed.class_table()), models=_records(parsed.rows),
                **shown)


def _records(df) -> list[dict]:
    return df.astype(object).where(df.notna(), None).to_dict("records")
