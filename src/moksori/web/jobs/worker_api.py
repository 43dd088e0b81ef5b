"""The app's side of remote builds: HTTP endpoints under ``/worker`` for ``moksori worker``.

A worker authenticates with the job's token (``Authorization: Bearer``) and names itself in
``X-Moksori-Worker``; the token opens only that job's recordings and reports, and only while the
job is unfinished. Mounted as its own small app: these requests carry no cookies, so the pages'
CSRF rule does not apply, and the user API's ownership checks are replaced by the token.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, File, Form, Header, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from moksori.files import atomic_write
from moksori.web.i18n import DEFAULT_LANGUAGE, use_language
from moksori.web.jobs import leases
from moksori.web.jobs.leases import LeaseRefused
from moksori.web.jobs.worker import (
    add_built_voice,
    base_voice_file,
    base_voice_of,
    card_json,
    failure_message,
    write_dataset,
)
from moksori.web.settings import Settings
from moksori.web.storage.files import JOBS, VOICES, new_name, user_file
from moksori.web.storage.models import Job, JobLease, User
from moksori.web.takes import Checked, ImportResult, import_summary, store_prepared

CHECKPOINT_FILE = "checkpoint.tar"


class Progress(BaseModel):
    stage: str = Field("", max_length=100)
    fraction: float = 0.0
    eta_s: float | None = None


class Failure(BaseModel):
    message: str = Field(max_length=4000)


class PreparedTake(BaseModel):
    """One recording of an import as a worker checked it; ``problems`` is None when the worker
    could not read the file (the app then says why in its own words)."""

    name: str = Field(max_length=1000)
    text: str = Field(max_length=5000)
    file: str = Field(max_length=200)
    problems: list[dict[str, str]] | None = None
    cer: float | None = None


PREPARED_BATCH = TypeAdapter(list[PreparedTake])


class ImportDone(BaseModel):
    added: int = Field(ge=0)
    flagged: int = Field(ge=0)
    errors: list[str] = Field(default_factory=list, max_length=100_000)


def _token(authorization: Annotated[str, Header()] = "") -> str:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise LeaseRefused(401, "A job token is needed (Authorization: Bearer ...).")
    return token


def _db(request: Request):
    with request.app.state.db.session() as session:
        yield session


Token = Annotated[str, Depends(_token)]
WorkerName = Annotated[str, Header(alias="X-Moksori-Worker", max_length=200)]
Db = Annotated[Session, Depends(_db)]


def _tar_folder(folder: Path, into: Path) -> Path:
    with tarfile.open(into, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.add(path, path.relative_to(folder).as_posix())
    return into


def _discard_job_files(settings: Settings, job: Job) -> None:
    """What the app kept for a job that has ended: its build folder, an import's unpacked zip."""
    for name in (f"{JOBS}/{job.id}", job.upload):
        if name:
            shutil.rmtree(user_file(settings, job.user_id, name), ignore_errors=True)


def _speak_as_owner(db: Session, job: Job) -> User:
    """Messages stored for the job (an import's summary, its errors) are read in the owner's language."""
    user = db.get(User, job.user_id)
    use_language(user.interface_language or DEFAULT_LANGUAGE)
    return user


def worker_app(state) -> FastAPI:
    """The ``/worker`` app, sharing the main app's settings, database and services (``state``)."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.db, app.state.settings, app.state.services = state.db, state.settings, state.services
    settings, services = state.settings, state.services

    @app.exception_handler(LeaseRefused)
    async def refused(_request: Request, error: LeaseRefused) -> JSONResponse:
        headers = {"Retry-After": str(round(error.retry_after))} if error.retry_after else None
        return JSONResponse({"detail": error.message}, status_code=error.status, headers=headers)

    @app.post("/jobs/{job_id}/claim")
    def claim(job_id: int, token: Token, worker: WorkerName, db: Db) -> dict:
        return leases.claim(db, settings, job_id, token, worker).__dict__

    @app.get("/jobs/{job_id}/dataset")
    def dataset(job_id: int, token: Token, worker: WorkerName, db: Db) -> FileResponse:
        """The job's usable recordings as a tar of an LJSpeech-style folder."""
        job, _lease = leases.held(db, job_id, token, worker)
        language = db.get(User, job.user_id).language
        scratch = Path(tempfile.mkdtemp(prefix="moksori-dataset-"))
        write_dataset(state.db, settings, job, language, scratch / "dataset")
        archive = _tar_folder(scratch / "dataset", scratch / "dataset.tar")
        return FileResponse(archive, media_type="application/x-tar",
                            background=BackgroundTask(shutil.rmtree, scratch, ignore_errors=True))

    @app.get("/jobs/{job_id}/upload")
    def upload(job_id: int, token: Token, worker: WorkerName, db: Db) -> FileResponse:
        """An import's unpacked zip as a tar, for the worker to check."""
        job, _lease = leases.held(db, job_id, token, worker)
        if not job.upload:
            raise LeaseRefused(404, "This job has no upload.")
        scratch = Path(tempfile.mkdtemp(prefix="moksori-upload-"))
        archive = _tar_folder(user_file(settings, job.user_id, job.upload), scratch / "upload.tar")
        return FileResponse(archive, media_type="application/x-tar",
                            background=BackgroundTask(shutil.rmtree, scratch, ignore_errors=True))

    @app.post("/jobs/{job_id}/takes")
    def store_takes(job_id: int, token: Token, worker: WorkerName, db: Db, manifest: str = Form(),
                    recordings: UploadFile = File()) -> dict:
        """A batch of an import's recordings, checked by the worker: ``manifest`` names each one's
        file in the ``recordings`` tar, its text and what the checks found. Stored as takes, as the
        embedded worker would; returns how many were added and flagged, and why others were not."""
        job, _lease = leases.held(db, job_id, token, worker)
        try:
            batch = PREPARED_BATCH.validate_json(manifest)
        except ValidationError as error:
            raise LeaseRefused(422, f"The manifest is not usable: {error}") from error
        user = _speak_as_owner(db, job)
        result = ImportResult()
        with tempfile.TemporaryDirectory(prefix="moksori-takes-") as scratch:
            with tarfile.open(fileobj=recordings.file) as archive:
                archive.extractall(scratch, filter="data")
            for entry in batch:
                path = Path(scratch) / Path(entry.file).name
                if not path.is_file():
                    raise LeaseRefused(422, f"{entry.file} is not in the recordings sent.")
                checked = None if entry.problems is None else Checked(entry.problems, entry.cer)
                store_prepared(db, settings, services, user, entry.name, path, entry.text, checked, result)
        return {"added": len(result.takes), "flagged": result.flagged, "errors": result.errors}

    @app.post("/jobs/{job_id}/imported")
    def imported(job_id: int, body: ImportDone, token: Token, worker: WorkerName, db: Db) -> dict:
        """Every batch of an import is stored: the job is done, with the summary the user reads."""
        job, _lease = leases.held(db, job_id, token, worker)
        _speak_as_owner(db, job)
        # Every batch is stored, so the unpacked zip goes before the job reads as done: whoever sees
        # it done never finds the upload still on disk.
        _discard_job_files(settings, job)
        leases.end(db, job, "done", message=import_summary(body.added, body.flagged, body.errors),
                   take_count=body.added, fraction=1.0, stage="finished")
        return {"status": job.status}

    @app.post("/jobs/{job_id}/progress")
    def progress(job_id: int, body: Progress, token: Token, worker: WorkerName, db: Db) -> dict:
        cancel = leases.report(db, settings, job_id, token, worker, body.stage, body.fraction, body.eta_s)
        if cancel:
            _discard_job_files(settings, db.get(Job, job_id))
        return {"cancel": cancel}

    @app.get("/jobs/{job_id}/base-voice")
    def base_voice(job_id: int, token: Token, worker: WorkerName, db: Db) -> FileResponse:
        """The voice an "improve" job continues from."""
        job, _lease = leases.held(db, job_id, token, worker)
        _speak_as_owner(db, job)
        try:
            path = base_voice_file(db, settings, job)
        except ValueError as gone:
            leases.end(db, job, "failed", message=failure_message(gone))
            raise LeaseRefused(410, str(gone)) from gone
        if path is None:
            raise LeaseRefused(404, "This job continues from no voice.")
        return FileResponse(path, media_type="application/octet-stream")

    @app.get("/jobs/{job_id}/checkpoint")
    def get_checkpoint(job_id: int, token: Token, worker: WorkerName, db: Db) -> FileResponse:
        job, lease = leases.held(db, job_id, token, worker)
        if not lease.checkpoint:
            raise LeaseRefused(404, "This job has no checkpoint yet.")
        return FileResponse(user_file(settings, job.user_id, lease.checkpoint), media_type="application/x-tar")

    @app.put("/jobs/{job_id}/checkpoint")
    def put_checkpoint(job_id: int, step: int, token: Token, worker: WorkerName, db: Db,
                       checkpoint: UploadFile = File()) -> dict:
        """A tar of the engine's checkpoint files; replaces the last one whole (written atomically)."""
        job, lease = leases.held(db, job_id, token, worker)
        name = f"{JOBS}/{job_id}/{CHECKPOINT_FILE}"
        with atomic_write(user_file(settings, job.user_id, name)) as out:
            shutil.copyfileobj(checkpoint.file, out)
        lease.checkpoint, lease.checkpoint_step = name, step
        db.commit()
        return {"stored": step}

    @app.post("/jobs/{job_id}/voice")
    def finish(job_id: int, token: Token, worker: WorkerName, db: Db, voice: UploadFile = File(),
               sample: UploadFile = File(), take_count: int = 0) -> dict:
        """The finished ``.voice`` and its sample: loaded once by the engine (refused if it is not a
        voice), stored in the user's folder and added as the next version."""
        job, _lease = leases.held(db, job_id, token, worker)
        _speak_as_owner(db, job)  # the failure below, and the new voice's name
        try:
            base_voice_of(db, job)
        except ValueError as gone:  # deleted while the worker trained: nothing is left to improve
            leases.end(db, job, "failed", message=failure_message(gone))
            _discard_job_files(settings, job)
            raise LeaseRefused(410, str(gone)) from gone
        names = {"voice": new_name(VOICES, ".voice"), "sample": new_name(VOICES, ".wav")}
        paths = {key: user_file(settings, job.user_id, name) for key, name in names.items()}
        try:
            for key, upload in (("voice", voice), ("sample", sample)):
                with atomic_write(paths[key]) as out:
                    shutil.copyfileobj(upload.file, out)
            card = card_json(services.voice(paths["voice"]).card) | ({"preview": True} if job.kind == "preview" else {})
            services.forget_voice(paths["voice"])
            # Released in the commit that marks the job done: nobody may see a finished job still held.
            db.execute(JobLease.__table__.update().where(JobLease.job_id == job_id).values(
                worker=None, lease_until=None, checkpoint=None))
            row = add_built_voice(db, settings, job.id, job.user_id, names["voice"], names["sample"], card, take_count)
        except BaseException as error:
            db.rollback()
            for path in paths.values():
                path.unlink(missing_ok=True)
            if isinstance(error, Exception) and not isinstance(error, LeaseRefused):
                raise LeaseRefused(422, f"The uploaded voice is not usable: {type(error).__name__}: {error}") from error
            raise
        _discard_job_files(settings, job)
        return {"voice_id": row.id, "version": row.version}

    @app.post("/jobs/{job_id}/fail")
    def fail(job_id: int, body: Failure, token: Token, worker: WorkerName, db: Db) -> dict:
        job = leases.fail(db, job_id, token, worker, body.message)
        _discard_job_files(settings, job)
        return {"status": job.status}

    return app
