"""The application factory: settings, database (migrated at start-up), worker process, routes."""

from __future__ import annotations

from contextlib import asynccontextmanager
from http import HTTPStatus
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.base import BaseHTTPMiddleware

from moksori.engine.presets import TRAIN_PRESETS
from moksori.web import api, pages
from moksori.web.api import openai_speech
from moksori.web.i18n import LanguageMiddleware, _
from moksori.web.jobs.queue import WorkerProcess
from moksori.web.security import (
    ConsentRequired,
    LoginRequired,
    LoginThrottle,
    csrf_cookie_middleware,
    csrf_protect,
    security_headers_middleware,
)
from moksori.web.services import Services
from moksori.web.settings import Settings
from moksori.web.storage.db import Database, migrate
from moksori.web.storage.files import remove_orphan_files

STATIC_DIR = Path(__file__).parent / "static"
OPENAI_PREFIX = openai_speech.router.prefix + "/"


def build_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    settings = settings or Settings()
    if settings.train_preset not in TRAIN_PRESETS:
        raise ValueError(f"unknown train preset {settings.train_preset!r}; use one of {', '.join(TRAIN_PRESETS)}")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.sqlalchemy_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        migrate(db.engine)
        remove_orphan_files(db, settings)
        worker = app.state.worker = WorkerProcess(settings) if settings.run_worker else None
        if worker:
            worker.start()
        yield
        if worker:
            worker.stop()
        db.engine.dispose()

    app = FastAPI(title="Moksori", lifespan=lifespan, dependencies=[Depends(csrf_protect)],
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.db = db
    app.state.services = services or Services()
    app.state.worker = None
    app.state.login_throttle = LoginThrottle()
    app.add_middleware(BaseHTTPMiddleware, dispatch=csrf_cookie_middleware)
    app.add_middleware(BaseHTTPMiddleware, dispatch=_limit_body_size)
    app.add_middleware(BaseHTTPMiddleware, dispatch=security_headers_middleware)
    app.add_middleware(LanguageMiddleware)  # outermost: every message of the request is translated
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(api.router)
    openai_speech.install(app)
    app.include_router(pages.router)
    _add_error_handlers(app)
    return app


async def _limit_body_size(request: Request, call_next) -> Response:
    """Refuse oversized uploads from their declared length, before any of the body is stored."""
    limit = request.app.state.settings.max_upload_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return JSONResponse({"detail": _("The upload is %(size)s MiB; the limit is %(limit)s MiB.",
                                         size=round(int(declared) / 2**20), limit=round(limit / 2**20))},
                            status_code=413)
    return await call_next(request)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": _("Please log in.")}, status_code=401)
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(ConsentRequired)
    async def consent_required(request: Request, _exc: ConsentRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": _("Please read and accept the consent page first.")}, status_code=403)
        return RedirectResponse("/consent", status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        detail = exc.detail
        if detail == HTTPStatus(exc.status_code).phrase:  # Starlette's own English ("Not Found")
            detail = _("This page does not exist.") if exc.status_code == 404 else _(
                "The request could not be handled (%(status)s).", status=exc.status_code)
        if request.url.path.startswith(OPENAI_PREFIX):
            return openai_speech.openai_error_response(exc.status_code, str(detail))
        if _wants_json(request):
            return JSONResponse({"detail": detail}, status_code=exc.status_code)
        return pages.error_page(request, exc.status_code, str(detail))

    @app.exception_handler(RequestValidationError)
    async def invalid_input(request: Request, exc: RequestValidationError) -> Response:
        message = " ".join(invalid_field_message(error) for error in exc.errors())
        if request.url.path.startswith(OPENAI_PREFIX):
            first = exc.errors()[0]["loc"] if exc.errors() else ()
            return openai_speech.openai_error_response(400, message, "invalid_value",
                                                       str(first[-1]) if len(first) > 1 else None)
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=422)
        return pages.error_page(request, 422, message)


def field_label(name: str) -> str:
    """The name of a request field as the person filling it in knows it."""
    labels = {"text": _("The text"), "category": _("The category"), "email": _("The email address"),
              "password": _("The password"), "language": _("The language"), "audio": _("The recording"),
              "files": _("The files"), "file": _("The file"), "name": _("The name"), "input": _("The text"),
              "voice": _("The voice"), "speed": _("The speed"), "response_format": _("The audio format"),
              "sentence_id": _("The sentence")}
    return labels.get(name, _("A field (%(name)s)", name=name))


def invalid_field_message(error: dict) -> str:
    """One pydantic validation error in the interface language, naming the field in words."""
    field = field_label(str(error["loc"][-1]) if len(error["loc"]) > 1 else "")
    context = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind == "missing":
        return _("%(field)s is missing.", field=field)
    if kind == "string_too_short":
        return _("%(field)s is empty.", field=field)
    if kind == "string_too_long":
        return _("%(field)s is too long (at most %(count)s characters).", field=field,
                 count=context.get("max_length", "?"))
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return _("%(field)s is out of range.", field=field)
    return _("%(field)s is not valid.", field=field)
