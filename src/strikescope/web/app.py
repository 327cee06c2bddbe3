"""The dashboard and JSON API: `create_app()` builds the FastAPI application."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sys
import threading
from contextlib import asynccontextmanager, suppress
from functools import partial
from importlib import import_module, resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from strikescope import api, csvsafe
from strikescope.config import resolve_db
from strikescope.errors import StoreBusyError, StoreLayoutError, StrikescopeError
from strikescope.web import routes_statement
from strikescope.web.errors import TITLES, message_of, status_of
from strikescope.web.pool import default_pools
from strikescope.web.routes_api import CACHEABLE
from strikescope.web.routes_api import router as api_router
from strikescope.web.routes_pages import page
from strikescope.web.routes_pages import router as pages_router
from strikescope.web.service import StoreService

HERE = Path(__file__).parent
TOKEN_ENV = "STRIKESCOPE_TOKEN"
logger = logging.getLogger("strikescope.web")

# Plotly sets element styles from its script (allowed) and injects a few <style> rules,
# which CSP counts as inline styles; scripts stay 'self' only.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """Adds the security headers to every response (plain ASGI: cheap on the hot path)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                message["headers"] = headers + [h for h in SECURITY_HEADERS if h[0] not in names]
            await send(message)

        return await self.app(scope, receive, send_with_headers)


class RawCsv:
    """`raw=true` in the query: CSV cells as stored (see `csvsafe`), for this request only."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or b"raw=" not in scope.get("query_string", b""):
            return await self.app(scope, receive, send)
        from urllib.parse import parse_qs

        query = parse_qs(scope["query_string"].decode("latin-1"))
        wanted = query.get("raw", [""])[-1].lower() in ("1", "true", "yes")
        token = csvsafe.raw_request.set(wanted)
        try:
            return await self.app(scope, receive, send)
        finally:
            csvsafe.raw_request.reset(token)


# Request bodies, per route: a check takes one article (its text is limited again, in
# characters, by the route), an event a few fields, an ingest one release; nothing else
# takes a body. Past its limit a body is not read further: 413 with a plain message.
BODY_LIMITS = {"/api/v1/check": 256 << 10, "/api/v1/events": 64 << 10,
               "/api/v1/ingest": 64 << 20}
DEFAULT_BODY_LIMIT = 64 << 10


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """413 for a request body over its route's limit (`BODY_LIMITS`): at once from its
    Content-Length, else as soon as the bytes received pass it, before the route reads on."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = BODY_LIMITS.get(scope["path"].rstrip("/"), DEFAULT_BODY_LIMIT)
        length = dict(scope.get("headers", [])).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > limit:
            return await _too_large(send, limit)
        state = {"received": 0, "over": False, "started": False}

        async def counted():
            message = await receive()
            state["received"] += len(message.get("body", b""))
            if state["received"] > limit:
                state["over"] = True
                raise BodyTooLarge
            return message

        async def guarded(message):
            if state["over"]:  # the route's answer to a cut body is replaced by the 413
                return
            state["started"] = True
            await send(message)

        with suppress(BodyTooLarge):
            await self.app(scope, counted, guarded)
        if state["over"] and not state["started"]:
            await _too_large(send, limit)


class InternalErrors:
    """An exception no handler names is a bug: logged with its traceback, answered 500
    with a plain body that shows none (plain ASGI, inside the security headers)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracked(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception:
            logger.exception("internal error on %s %s", scope.get("method"), scope.get("path"))
            if started:  # part of the answer is sent: nothing can replace it
                raise
            await _internal_error(send, scope["path"].startswith("/api/"))


INTERNAL_ERROR = "internal error: the server's log has the details"
# Written out, not rendered: the fault may be in the templates themselves.
INTERNAL_PAGE = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta '
                 f'name="viewport" content="width=device-width, initial-scale=1"><title>'
                 f'Internal error · strikescope</title><link rel="stylesheet" '
                 f'href="/static/style.css"></head><body><main><h1>Internal error</h1><p '
                 f'class="notice">{INTERNAL_ERROR}.</p><p><a href="/">Back to the timeline'
                 f'</a></p></main></body></html>\n')


async def _internal_error(send, api: bool) -> None:
    if api:
        body, kind = JSONResponse({"detail": INTERNAL_ERROR}).body, b"application/json"
    else:
        body, kind = INTERNAL_PAGE.encode(), b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": 500,
                "headers": [(b"content-type", kind),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _too_large(send, limit: int) -> None:
    body = f"request body too large: at most {limit:,} bytes on this route\n".encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


# What a 422 shows of the input it refused: enough to find it, never a whole large body.
ECHO_CHARS = 80


def for_a_reader(request: Request) -> bool:
    """A dashboard page (not the API, not a static file): its errors come as a page of the
    site, with its menu, rather than as JSON nobody reading a page can act on."""
    path = request.url.path
    return not path.startswith(("/api/", "/static/"))


async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
    """422 with each error's place, message and type; the input only when short."""
    if for_a_reader(request):
        said = "; ".join(f"{'.'.join(map(str, err.get('loc', ())[1:])) or 'the request'}: "
                         f"{err.get('msg', 'not understood')}" for err in exc.errors())
        return page(request, "message.html", 422, title=TITLES[422],
                    message=f"This address asks for something the page cannot show ({said}).")
    errors = []
    for err in exc.errors():
        item = {k: err[k] for k in ("loc", "msg", "type") if k in err}
        value = err.get("input")
        if isinstance(value, str | int | float | bool) and len(str(value)) <= ECHO_CHARS:
            item["input"] = value
        errors.append(item)
    return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)


PAGE_ERRORS = {404: TITLES[404], 405: "Not possible", 429: "Too many requests"}
PAGE_MESSAGES = {404: "There is no page at this address. The menu above leads to every "
                      "page of the site; nights are at /night/YYYY-MM-DD."}


# What a 4xx message may hold: an error about an input (a release's header, say) can quote
# it whole; the message is cut, the input never echoed at length.
MAX_DETAIL_CHARS = 1000


async def short_http_error(request: Request, exc: StarletteHTTPException) -> Response:
    detail = exc.detail
    if isinstance(detail, str) and len(detail) > MAX_DETAIL_CHARS:
        detail = detail[:MAX_DETAIL_CHARS] + f"... ({len(exc.detail):,} characters, cut)"
    if for_a_reader(request) and exc.status_code in PAGE_ERRORS:
        response = page(request, "message.html", exc.status_code,
                        title=PAGE_ERRORS[exc.status_code],
                        message=PAGE_MESSAGES.get(exc.status_code, detail))
        response.headers.update(exc.headers or {})
        return response
    return await http_exception_handler(
        request, StarletteHTTPException(exc.status_code, detail, exc.headers))


CARTESIAN_JS = HERE / "static" / "vendor" / "plotly-cartesian.min.js"


def _js_version(path: Path) -> str | None:
    with open(path, encoding="utf-8", errors="replace") as fh:
        head = fh.read(200)
    match = re.search(r"v(\d+\.\d+\.\d+)", head)
    return match.group(1) if match else None


def plotly_js_path() -> Path:
    """plotly.js for the pages, served locally (no CDN).

    The cartesian bundle (bar, scatter, histogram, heatmap: every trace the dashboard
    draws) is a third of the full one, and evaluating the full bundle is most of a first
    page load. It is used when it is the same plotly.js version as the installed plotly
    package writes figures for; otherwise the full bundle shipped inside that package.
    """
    from plotly.offline import get_plotlyjs_version

    full = Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))
    if CARTESIAN_JS.exists() and _js_version(CARTESIAN_JS) == get_plotlyjs_version():
        return CARTESIAN_JS
    return full


def swagger_ui_dir() -> Path:
    """Swagger UI's files, served by the app: FastAPI's default page loads them from a CDN,
    which the site's CSP blocks (and which an offline machine cannot reach)."""
    return Path(str(resources.files("fastapi_offline") / "static"))


def warm(service: StoreService) -> None:
    try:
        service.all_nights()
        service.events()
    except StrikescopeError:  # a store being written, say: a cold cache is only slower
        pass
    except Exception:  # noqa: BLE001 - a bug: logged, and the requests meet it in turn
        logger.exception("warming the caches failed")
# Seconds after start-up before the warm-up begins: the server binds its socket on the
# next turns of the event loop, and the warm-up (imports, the timeline image) must not
# hold the interpreter meanwhile, nor start a step just before a first visitor's request
# that it would then slow down (at 0.05 s the first views after a restart were slower).
WARM_DELAY_S = 0.3
# How long a shutting-down server waits for the warm-up's current step.
WARM_JOIN_S = 10.0


# Pages whose first view computes an analysis, viewed once in process by the warm-up
# (the latest brief between them: see `start_warming`), the cheapest first: a visitor who
# comes early finds more pages ready (on the real data the study and the brief page take
# tenths of a second, the brief's document about one, the forecast's P(massive) and track
# record a few seconds: viewed last, they no longer keep the brief cold; the forecast page
# shows them once computed).
WARM_PAGES = ("/data", "/campaign", "/defense", "/study")
WARM_LAST = ("/forecast", "/forecast/massive")


def start_warming(app: FastAPI) -> threading.Thread:
    """Fill the caches behind the first views in a background thread: the data, then the
    main page's chart and first-paint image, the last night (what a visitor of the main
    page opens next), the analysis pages and the latest brief, then the modules of the
    analyses not viewed (see `StoreService.warm`). Results kept on disk by an earlier
    start over the same store are read back, not computed."""
    service = app.state.service

    def first_views() -> list:
        start, end = service.default_range()
        query = f"?from={start}&to={end}"
        paths = [f"/api/v1/figures/timeline{query}", f"/api/v1/figures/timeline.png{query}",
                 f"/night/{end}", *WARM_PAGES]
        latest = _latest_attack(service.all_nights())
        if latest is not None:  # the first brief the list of briefs offers, and its document
            paths += [f"/brief/{latest}", f"/brief/{latest}/document"]
        return [partial(view, app, [path]) for path in (*paths, *WARM_LAST)]

    # not a daemon: the interpreter waits for its current step instead of killing it inside
    # DuckDB; the server's shutdown stops it before the next one
    thread = threading.Thread(target=service.warm, args=(first_views,), daemon=False)
    thread.start()
    app.state.warm_thread = thread
    return thread


def _latest_attack(nights):
    """The last night with a launch, as YYYY-MM-DD, or None."""
    attacked = nights.loc[nights["total_launched"] > 0, "night"] if len(nights) else []
    return f"{attacked.max():%Y-%m-%d}" if len(attacked) else None


# Marks the warm-up's own requests, which `CountVisitors` leaves out.
WARM_HEADER = (b"x-strikescope-warm-up", b"1")


def view(app: FastAPI, paths) -> None:
    """GET each path from `app` in process, as a visitor would (errors are the visitor's
    to see, not the warm-up's)."""
    import httpx

    async def visit() -> None:
        transport = httpx.ASGITransport(app=app)
        headers = [(WARM_HEADER[0].decode(), WARM_HEADER[1].decode())]
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1",
                                     headers=headers) as client:
            for path in paths:
                with suppress(Exception):
                    await client.get(path)

    asyncio.run(visit())


class CountVisitors:
    """Marks each visitor's request as running (`StoreService.serving`), so that the
    warm-up waits for it (plain ASGI: cheap on the hot path)."""

    def __init__(self, app, service: StoreService):
        self.app = app
        self.service = service

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or any(tuple(h) == WARM_HEADER
                                          for h in scope.get("headers", ())):
            return await self.app(scope, receive, send)
        with self.service.serving():
            return await self.app(scope, receive, send)


class Dashboard(FastAPI):
    """FastAPI with the answers of `cacheable` routes kept per store version and sent
    again as they were, before the middleware, routing and parameter checks that made them
    (under load those were most of a cached read's time)."""

    async def __call__(self, scope, receive, send):
        key = _replay_key(self, scope)
        if key is None:
            return await super().__call__(scope, receive, send)
        service = self.state.service
        hit = service.cache.peek(key)
        if hit is not None:
            service.touch()
            for message in hit:
                await send(dict(message))
            return None
        sent = []

        async def keep(message):
            sent.append(message)
            await send(message)

        await super().__call__(scope, receive, keep)
        if scope.get(CACHEABLE) and _complete_ok(sent):
            service.cache.get(key, lambda: tuple(sent))
        return None


def _replay_key(app: FastAPI, scope) -> tuple | None:
    """The cache key of a GET without a body (an answer to replay), else None."""
    if scope["type"] != "http" or scope["method"] != "GET":
        return None
    service = getattr(app.state, "service", None)
    if service is None:
        return None
    for name, value in scope.get("headers", ()):
        if name in (b"content-length", b"transfer-encoding") and value != b"0":
            return None  # a body: the body limit's answer, not a replay
    return service.response_key(scope["path"], scope["query_string"])


def _complete_ok(sent: list) -> bool:
    """A 200 sent whole (its start and its last body message)."""
    return (len(sent) >= 2 and sent[0]["type"] == "http.response.start"
            and sent[0]["status"] == 200 and not sent[-1].get("more_body", False))


BLAS_THREADS_ENV = "OPENBLAS_NUM_THREADS"


def single_threaded_blas() -> None:
    """One BLAS thread per call, unless the environment says otherwise, set before NumPy
    loads: the server already runs requests and its warm-up on threads of their own, and
    on a machine with few cores OpenBLAS's pool of spinning threads fought them (the
    study's least squares took 10-40 ms a call instead of 1 ms, a brief seconds longer)."""
    if "numpy" not in sys.modules:
        os.environ.setdefault(BLAS_THREADS_ENV, "1")


def create_app(db=None, token: str | None = None, *, events_file=None,
               alerts_path=None, preload: bool = True) -> FastAPI:
    """The dashboard over the store `db`. Write routes need `token` (or $STRIKESCOPE_TOKEN)
    and are disabled without one; added events go to `events_file` (default:
    user_events.csv beside the store). `preload=False` leaves pandas to the first request
    or the warm-up."""
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Fill the caches behind the first views while the first visitor is on the way.
        asyncio.get_running_loop().call_later(WARM_DELAY_S, start_warming, app)
        yield
        app.state.service.stopping.set()
        warming = getattr(app.state, "warm_thread", None)
        if warming is not None:
            warming.join(WARM_JOIN_S)
        for pool in app.state.pools.values():
            pool.shutdown()

    app = Dashboard(title="strikescope", lifespan=lifespan, version="1", docs_url=None,
                  redoc_url=None, openapi_url="/api/v1/openapi.json",
                  description="Nights of Russian missile and drone attacks on Ukraine, "
                              "from the Air Force reports, and the diplomatic timeline.")
    # Before serving: an upgrade while requests hold connections to the old file would
    # leave them (DuckDB shares one open database per path and process) on the old layout.
    with suppress(StoreBusyError, StoreLayoutError):
        api.upgrade(db)
    single_threaded_blas()
    if preload:
        # Before listening, although no module here needs it yet: every page does, and
        # loaded after the server listened it ran beside the first visitor's request and
        # the warm-up (one interpreter lock): first views after a restart took 0.6-1.9 s
        # instead of 0.1-0.7 s, for a few tenths of a second less before listening
        # (benchmarks/pages.py).
        import_module("pandas")
    app.state.token = token or os.environ.get(TOKEN_ENV) or None
    # User events live beside the store: the shared data directory may be read-only.
    events_file = events_file or resolve_db(db).parent / "user_events.csv"
    app.state.service = StoreService(db, events_file=events_file,
                                     alerts_path=alerts_path)
    app.state.service.warmer = warm
    app.state.pools = default_pools()
    app.include_router(api_router)
    app.include_router(pages_router)
    app.include_router(routes_statement.api_router)
    app.include_router(routes_statement.pages_router)
    plotly_js = plotly_js_path()

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly() -> FileResponse:
        return FileResponse(plotly_js, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> FileResponse:
        return FileResponse(HERE / "static" / "api-docs.html", media_type="text/html")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(HERE / "static" / "favicon.svg", media_type="image/svg+xml")

    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_dir()), name="swagger")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(RawCsv)
    app.add_middleware(BodyLimit)
    app.add_middleware(InternalErrors)
    app.add_middleware(SecurityHeaders)
    # Starlette types a handler as taking any Exception; it is called with its own class
    app.add_exception_handler(RequestValidationError, invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, short_http_error)  # type: ignore[arg-type]
    app.add_middleware(CountVisitors, service=app.state.service)
    app.add_exception_handler(StrikescopeError, named_error)
    return app


async def named_error(request: Request, exc: Exception) -> Response:
    """An error the user can act on, answered with its class's status (`web.errors`): as
    JSON for the API and as a page for the dashboard."""
    assert isinstance(exc, StrikescopeError)  # the handler of that class alone
    status, message = status_of(exc), message_of(exc)
    if len(message) > MAX_DETAIL_CHARS:
        message = message[:MAX_DETAIL_CHARS] + f"... ({len(message):,} characters, cut)"
    headers = {"Retry-After": "60"} if isinstance(exc, StoreBusyError) else None
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    response = page(request, "message.html", status, title=TITLES.get(status, "Error"),
                    message=message)
    response.headers.update(headers or {})
    return response
