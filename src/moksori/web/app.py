"""The application factory: settings, database (migrated at start-up), worker process, routes."""

from __future__ import annotations

import asyncio
import errno
import os
from contextlib import asynccontextmanager
from functools import partial
from http import HTTPStatus
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.middleware.base import BaseHTTPMiddleware

from moksori.calls.endings import SERVER_STOPPED
from moksori.engine.presets import TRAIN_PRESETS
from moksori.web import api, ops, pages
from moksori.web.accounts import login_throttle
from moksori.web.api import openai_speech
from moksori.web.api.deps import ConsentRequired, LoginRequired
from moksori.web.i18n import LanguageMiddleware, _
from moksori.web.jobs.dispatch import Dispatcher
from moksori.web.jobs.queue import WorkerProcess
from moksori.web.jobs.worker_api import worker_app
from moksori.web.limits import BodySizeLimit, RequestLimiter, request_budget
from moksori.web.live_calls import CallRegistry, end_orphaned_calls
from moksori.web.ops import RequestMetrics
from moksori.web.pages import calls as call_pages
from moksori.web.pages import shop as shop_pages
from moksori.web.phone_lines import PhoneLines, claim_start_up_lines
from moksori.web.security import (
    csrf_cookie_middleware,
    csrf_protect,
    load_secret_key,
    security_headers_middleware,
)
from moksori.web.services import Services
from moksori.web.settings import Settings
from moksori.web.shared_state import shared_state
from moksori.web.shop_phone import answer_with_assistant
from moksori.web.sip_accounts import every_phone_account
from moksori.web.storage.db import Database, migrate
from moksori.web.storage.files import remove_orphan_files

STATIC_DIR = Path(__file__).parent / "static"
OPENAI_PREFIX = openai_speech.router.prefix + "/"


def build_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    settings = settings or Settings()
    if settings.train_preset not in TRAIN_PRESETS:
        raise ValueError(f"unknown train preset {settings.train_preset!r}; use one of {', '.join(TRAIN_PRESETS)}")
    make_private_folder(settings.data_dir)
    db = Database(settings.sqlalchemy_url, settings.db_pool_size, settings.db_pool_overflow, settings.db_pool_timeout_s)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Recordings are biometric data: everything the app and its worker create (database,
        # voices, folders) is private to the account the server runs as.
        previous_umask = os.umask(0o077)
        migrate(db.engine)
        if settings.cleanup_at_start:
            remove_orphan_files(db, settings)
        end_orphaned_calls(db)
        worker = app.state.worker = WorkerProcess(settings) if WorkerProcess.wanted(settings) else None
        if worker:
            worker.start()
        dispatcher = app.state.dispatcher
        sweeper = asyncio.create_task(dispatcher.sweep_forever()) if dispatcher else None
        # Every SIP line registers in the background, so calls are answered with no page open; a registrar
        # that is slow, down or refusing holds up neither the start nor anything else (tried again later).
        lines_lock = claim_start_up_lines(settings.data_dir)
        lines_started = asyncio.create_task(app.state.phone_lines.keep_all(
            partial(every_phone_account, db, app.state.secret_key))) if lines_lock else None
        yield
        if lines_started:
            lines_started.cancel()
            lines_lock.close()
        await app.state.calls.end_all(SERVER_STOPPED)
        await app.state.phone_lines.close_all()
        if sweeper:
            sweeper.cancel()
            dispatcher.close()
        if worker:
            worker.stop()
        db.engine.dispose()
        os.umask(previous_umask)

    app = FastAPI(title="Moksori", lifespan=lifespan, dependencies=[Depends(csrf_protect)],
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.db = db
    app.state.services = services or Services(voice_cache_bytes=settings.voice_cache_mb * 2**20)
    app.state.worker = None
    app.state.dispatcher = Dispatcher(settings, db) if settings.queue_url else None
    shared = shared_state(settings)
    app.state.login_throttle = login_throttle(shared)
    app.state.secret_key = load_secret_key(settings)
    app.state.request_budget = request_budget(settings, shared)
    app.state.calls = CallRegistry(db)
    app.state.phone_lines = PhoneLines(app.state.services.sip_phone, settings.sip_address,
                                       settings.phone_calls_per_minute,
                                       answerer=partial(answer_with_assistant, app.state))
    app.add_middleware(BaseHTTPMiddleware, dispatch=csrf_cookie_middleware)
    app.add_middleware(BaseHTTPMiddleware, dispatch=security_headers_middleware)
    app.add_middleware(BodySizeLimit, settings=settings)
    # A flood from one user is turned away before any other work is done for it.
    app.add_middleware(RequestLimiter, budget=app.state.request_budget)
    # Outside the limits above (the last added runs first), so every message of the request is translated,
    # their refusals (413, 429) too.
    app.add_middleware(LanguageMiddleware)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount("/worker", worker_app(app.state))
    app.include_router(api.router)
    openai_speech.install(app)
    app.include_router(pages.router)
    app.include_router(call_pages.router)
    app.include_router(shop_pages.router)
    app.include_router(ops.router)
    app.add_middleware(RequestMetrics)
    _add_error_handlers(app)
    return app


def make_private_folder(folder: Path) -> None:
    """The data folder, readable by its owner only (it holds recordings and the database)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)


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
        if _wants_json(request):  # with the exception's headers (Retry-After of a 429)
            return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)
        return pages.error_page(request, exc.status_code, str(detail))

    @app.exception_handler(PoolTimeout)
    async def busy(request: Request, _exc: PoolTimeout) -> Response:
        # Every database connection stayed busy for the pool's timeout: say so at once rather than
        # letting requests pile up behind each other.
        message = _("The server is busy; please try again in a moment.")
        if _wants_json(request):
            response = JSONResponse({"detail": message}, status_code=503)
        else:
            response = pages.error_page(request, 503, message)
        response.headers["Retry-After"] = "2"
        return response

    @app.exception_handler(OSError)
    async def disk_full(request: Request, exc: OSError) -> Response:
        """A full disk is the operator's problem, not a crash: say so; the write was undone (atomic
        files, rows committed only after their file)."""
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise exc
        message = _("The server's disk is full, so this was not saved; nothing saved before is lost. "
                    "Try again later.")
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=507)
        return pages.error_page(request, 507, message)

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
