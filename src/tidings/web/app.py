"""The web app: pages and a JSON API over one database file, read-only, every asset served locally.

`create_app(path)` builds a FastAPI app: HTML pages (`web/pages.py`), the JSON API under
`/api/` with its OpenAPI description at `/api/openapi.json` (`web/api.py`), and the
vendored scripts, styles, fonts and country shapes under `/static/`. Every response
carries a Content-Security-Policy that allows scripts, styles, fonts, images and requests
from this origin only (no inline script, no CDN). Errors are one clear sentence for the
client: a parameter that is wrong (400 or 422, naming it), a story or event that is not
there (404), a database busy with a writer (503, try again); never a traceback.
"""
from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from tidings import __version__
from tidings.store.db import StoreBusy, StoreError
from tidings.store.filters import QueryError
from tidings.web.access import SharedReader

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"
BUSY_RETRY_S = 2
DB_ENV = "TIDINGS_SERVE_DB"   # the database a worker process of `tidings serve --workers N` serves

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

log = logging.getLogger("tidings.web")


class NotFound(Exception):
    """A story or an event that is not in the database."""

    def __init__(self, what: str, ident: str):
        super().__init__(f"no {what} {ident} in this database")


class SecurityHeaders:
    """Adds `SECURITY_HEADERS` (and a cache lifetime for /static/) to every response.

    A plain ASGI wrapper of `send`: Starlette's `@app.middleware("http")` runs each request
    through a task group and memory streams, a cost every page paid for four headers."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                if static:
                    headers["Cache-Control"] = "public, max-age=3600"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def templates() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals["version"] = __version__
    return env


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def create_app(db_path: str | Path, wait: float = 2.0, idle: float = 0.5) -> FastAPI:
    """The Tidings web app over the database file at `db_path` (opened read-only, per request)."""
    from tidings.web import api, pages

    reader = SharedReader(db_path, wait=wait, idle=idle)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        reader.close()

    app = FastAPI(title="Tidings", version=__version__, openapi_url="/api/openapi.json", docs_url=None,
                  redoc_url=None, lifespan=lifespan,
                  description="A sourced event database read-only: stories, events, actors, and the counts behind "
                              "the map, the timeline and the network. Field names are those of "
                              "`tidings ... --format jsonl`; listings are paginated (page, per_page).")
    app.state.reader = reader
    app.state.db_name = Path(db_path).name
    app.state.templates = templates()

    app.add_middleware(SecurityHeaders)
    app.add_middleware(GZipMiddleware, minimum_size=2048)

    def error(request: Request, status: int, message: str, parameter: str | None = None,
              headers: dict[str, str] | None = None) -> Response:
        headers = {**SECURITY_HEADERS, **(headers or {})}  # a 500 skips the middleware: set them here too
        if _wants_json(request):
            body: dict[str, Any] = {"error": {"status": status, "message": message}}
            if parameter:
                body["error"]["parameter"] = parameter
            return JSONResponse(body, status_code=status, headers=headers)
        html = app.state.templates.get_template("error.html").render(
            status=status, message=message, parameter=parameter, db_name=app.state.db_name, nav_query="",
            active=None)
        return HTMLResponse(html, status_code=status, headers=headers)

    @app.exception_handler(QueryError)
    async def bad_parameter(request: Request, exc: QueryError) -> Response:
        return error(request, 400, str(exc), exc.parameter)

    @app.exception_handler(RequestValidationError)
    async def bad_type(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        parameter = str(first.get("loc", ["", "?"])[-1])
        return error(request, 422, f"{parameter}: {first.get('msg', 'invalid value')}", parameter)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return error(request, 404, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error(request, exc.status_code, "no such page" if exc.status_code == 404 else str(exc.detail))

    @app.exception_handler(StoreBusy)
    async def busy(request: Request, exc: StoreBusy) -> Response:
        return error(request, 503, "database busy: tidings add is writing to it; try again in a moment",
                     headers={"Retry-After": str(BUSY_RETRY_S)})

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> Response:
        return error(request, 500, str(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("error serving %s", request.url.path)
        return error(request, 500, "internal error: the server log has the details")

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    return app


def app_from_environment() -> FastAPI:
    """The app for one worker process of `tidings serve --workers N` (uvicorn starts each worker
    anew and builds its app from this factory; the database path comes in `DB_ENV`)."""
    return create_app(os.environ[DB_ENV])
