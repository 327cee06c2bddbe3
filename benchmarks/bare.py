"""The reference of `benchmarks/api.py`: a bare FastAPI app that answers the benchmark's
URLs with the bytes the dashboard's API gave for them, read from $BENCH_BODIES (a JSON
file: path -> [content type, body]). Nothing else: no middleware, no parameters parsed.

Served as `uvicorn bare:create_app --factory` from this directory.
"""

from __future__ import annotations

import json
import os

from fastapi import FastAPI
from fastapi.responses import Response


def create_app() -> FastAPI:
    with open(os.environ["BENCH_BODIES"], encoding="utf-8") as fh:
        bodies = {path: (kind, body.encode()) for path, (kind, body) in json.load(fh).items()}
    app = FastAPI()
    for path, (kind, body) in bodies.items():
        app.add_api_route(path, _answer(kind, body), methods=["GET"])
    return app


def _answer(kind: str, body: bytes):
    async def answer() -> Response:
        return Response(body, media_type=kind)
    return answer
