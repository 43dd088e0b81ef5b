"""The application factory: settings, database (migrated at start-up), worker process, routes."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.base import BaseHTTPMiddleware

from moksori.web import api, pages
from moksori.web.jobs.queue import WorkerProcess
from moksori.web.live_calls import CallRegistry, end_orphaned_calls
from moksori.web.pages import calls as call_pages
from moksori.web.security import (
    ConsentRequired,
    LoginRequired,
    LoginThrottle,
    csrf_cookie_middleware,
    csrf_protect,
    security_headers_middleware,
)
from moksori.web.services import TRAIN_PRESETS, Services
from moksori.web.settings import Settings
from moksori.web.storage.db import Database, migrate
from moksori.web.storage.files import remove_orphan_files

STATIC_DIR = Path(__file__).parent / "static"


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
        end_orphaned_calls(db)
        worker = app.state.worker = WorkerProcess(settings) if settings.run_worker else None
        if worker:
            worker.start()
        yield
        await app.state.calls.end_all("the server stopped")
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
    app.state.calls = CallRegistry(db)
    app.add_middleware(BaseHTTPMiddleware, dispatch=csrf_cookie_middleware)
    app.add_middleware(BaseHTTPMiddleware, dispatch=_limit_body_size)
    app.add_middleware(BaseHTTPMiddleware, dispatch=security_headers_middleware)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(call_pages.router)
    _add_error_handlers(app)
    return app


async def _limit_body_size(request: Request, call_next) -> Response:
    """Refuse oversized uploads from their declared length, before any of the body is stored."""
    limit = request.app.state.settings.max_upload_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return JSONResponse({"detail": f"The upload is {int(declared) / 2**20:.0f} MiB; the limit is "
                                       f"{limit / 2**20:.0f} MiB."}, status_code=413)
    return await call_next(request)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "Please log in."}, status_code=401)
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(ConsentRequired)
    async def consent_required(request: Request, _exc: ConsentRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "Please read and accept the consent page first."}, status_code=403)
        return RedirectResponse("/consent", status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return pages.error_page(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid_input(request: Request, exc: RequestValidationError) -> Response:
        message = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'][1:]) or 'input'}: {err['msg']}" for err in exc.errors()
        )
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=422)
        return pages.error_page(request, 422, message)
