"""Voice building (jobs with live progress), finished voices, export and import."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from collections.abc import AsyncIterator

from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from moksori.archives import ArchiveError, check_zip
from moksori.files import atomic_write
from moksori.web import store
from moksori.web.api.common import owned, start_job
from moksori.web.api.deps import AppServices, AppSettings, ConsentedUser, DbSession, RowId
from moksori.web.api.studio import progress_of
from moksori.web.i18n import _
from moksori.web.jobs.queue import active_job, cancel
from moksori.web.jobs.worker import card_json
from moksori.web.schemas import ImproveOffer, JobList, JobOut, VoiceList, VoiceOut
from moksori.web.services import Services
from moksori.web.settings import Settings
from moksori.web.storage.db import Database
from moksori.web.storage.files import VOICES, new_name, user_file
from moksori.web.storage.models import Job, User, Voice

router = APIRouter(tags=["voices"])
EVENT_POLL_SECONDS = 0.5
# A stream ends after this long; the browser's EventSource reconnects by itself. Bounds the work
# one request can cause.
EVENT_STREAM_SECONDS = 600
VOICE_MEMBERS = 16


@router.post("/builds")
def start_build(request: Request, user: ConsentedUser, db: DbSession, settings: AppSettings,
                services: AppServices, preview: bool = False) -> JobOut:
    """A full build, or with ``preview`` a quick first voice from fewer recordings (replaced by the
    next full build)."""
    progress = progress_of(db, settings, services, user)
    needed = settings.min_takes_for_preview if preview else settings.min_takes_for_build
    if progress["ready"] < needed:
        raise HTTPException(409, _("A voice needs at least %(needed)s good recordings; you have %(ready)s.",
                                   needed=needed, ready=progress["ready"]))
    if active_job(db, user.id):
        raise HTTPException(409, _("A voice build or an upload check is already running. "
                                   "Wait for it or cancel it first."))
    preset = settings.preview_preset if preview and settings.train_preset != "tiny" else settings.train_preset
    job = store.queue_job(db, user.id, "preview" if preview else "build", preset=preset)
    start_job(request, db, job)
    return JobOut.of(job)


@router.get("/jobs")
def list_jobs(user: ConsentedUser, db: DbSession) -> JobList:
    jobs = db.scalars(select(Job).where(Job.user_id == user.id).order_by(Job.id.desc()).limit(20))
    return JobList(jobs=[JobOut.of(j) for j in jobs])


@router.get("/jobs/{job_id}")
def get_job(job_id: RowId, user: ConsentedUser, db: DbSession) -> JobOut:
    return JobOut.of(owned(db, Job, job_id, user))


@router.get("/jobs/{job_id}/events")
def job_events(job_id: RowId, request: Request, user: ConsentedUser, db: DbSession) -> StreamingResponse:
    """Server-sent events with the job's state whenever it changes. Between polls the stream holds
    no database connection, and each poll runs in the thread pool, never on the event loop."""
    owned(db, Job, job_id, user)
    database: Database = request.app.state.db

    def state_now() -> dict | None:
        with database.session() as session:
            job = session.get(Job, job_id)
            return JobOut.of(job).model_dump() if job else None

    async def events() -> AsyncIterator[str]:
        last, ends = None, time.monotonic() + EVENT_STREAM_SECONDS
        while time.monotonic() < ends and not await request.is_disconnected():
            state = await run_in_threadpool(state_now)
            if state is None:  # deleted with the user's data
                return
            if state != last:
                last = state
                yield f"data: {json.dumps(state)}\n\n"
            if state["finished"]:
                return
            await asyncio.sleep(EVENT_POLL_SECONDS)

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})


@router.post("/jobs/{job_id}/cancel")
def cancel_job(job_id: RowId, user: ConsentedUser, db: DbSession) -> JobOut:
    job = owned(db, Job, job_id, user)
    cancel(db, job)
    return JobOut.of(job)


def improvable(db: Session, settings: Settings, services: Services, user: User) -> tuple[Voice, int] | None:
    """The voice "improve my voice" continues from, and how many more usable recordings there are
    now than it was trained on: the newest full voice in the user's language, once there are more."""
    voices = db.scalars(select(Voice).where(Voice.user_id == user.id).order_by(Voice.version.desc()))
    voice = next((v for v in voices if not v.card.get("preview")), None)
    if voice is None or voice.card.get("language") != user.language:
        return None
    trained_on = voice.card.get("utterances")
    more = progress_of(db, settings, services, user)["ready"] - trained_on if isinstance(trained_on, int) else 0
    return (voice, more) if more > 0 else None


@router.get("/voices")
def list_voices(user: ConsentedUser, db: DbSession, settings: AppSettings, services: AppServices) -> VoiceList:
    """The user's voices, newest first, and ``improve``: what "improve my voice" would do, if offered."""
    voices = db.scalars(select(Voice).where(Voice.user_id == user.id).order_by(Voice.version.desc()))
    offer = improvable(db, settings, services, user)
    improve = ImproveOffer(voice_id=offer[0].id, name=offer[0].name, new_recordings=offer[1]) if offer else None
    return VoiceList(voices=[VoiceOut.of(v) for v in voices], improve=improve)


@router.post("/voices/{voice_id}/improve")
def improve_voice(voice_id: RowId, request: Request, user: ConsentedUser, db: DbSession, settings: AppSettings,
                  services: AppServices) -> JobOut:
    """Continue training ``voice_id`` with all the user's recordings, as a job like a build; the new
    voice replaces it once finished, and it stays as it is if the job fails or is cancelled."""
    voice = owned(db, Voice, voice_id, user)
    offer = improvable(db, settings, services, user)
    if offer is None or offer[0].id != voice.id:
        raise HTTPException(409, _("There is nothing new to improve this voice with: record more sentences "
                                   "in the studio first."))
    if active_job(db, user.id):
        raise HTTPException(409, _("A voice build or an upload check is already running. "
                                   "Wait for it or cancel it first."))
    job = store.queue_job(db, user.id, "improve", preset=settings.train_preset, base_voice_id=voice.id)
    start_job(request, db, job)
    return JobOut.of(job)


@router.get("/voices/{voice_id}/sample")
def voice_sample(voice_id: RowId, user: ConsentedUser, db: DbSession, settings: AppSettings) -> FileResponse:
    voice = owned(db, Voice, voice_id, user)
    if not voice.sample_file:
        raise HTTPException(404, _("This voice has no sample."))
    return FileResponse(user_file(settings, user.id, voice.sample_file), media_type="audio/wav")


@router.get("/voices/{voice_id}/export")
def export_voice(voice_id: RowId, user: ConsentedUser, db: DbSession, settings: AppSettings) -> FileResponse:
    voice = owned(db, Voice, voice_id, user)
    return FileResponse(user_file(settings, user.id, voice.file), media_type="application/octet-stream",
                        filename=f"moksori-voice-{voice.version}.voice")


@router.post("/voices/import")
def import_voice(user: ConsentedUser, db: DbSession, settings: AppSettings, services: AppServices,
                 file: UploadFile = File()) -> VoiceOut:
    name = new_name(VOICES, ".voice")
    target = user_file(settings, user.id, name)
    label = file.filename or _("This file")
    with atomic_write(target) as out:  # no half file is ever referenced
        shutil.copyfileobj(file.file, out)
    try:
        # The directory first: a member that would inflate to gigabytes is refused before the
        # engine reads any of it.
        check_zip(target, label, max_members=VOICE_MEMBERS, max_bytes=settings.max_voice_bytes,
                  max_ratio=settings.max_zip_ratio)
        voice = services.voice(target)
    except ArchiveError as error:
        target.unlink(missing_ok=True)
        raise HTTPException(422, f"{error} It is not a Moksori voice file.") from error
    except Exception as error:  # whatever the engine objects to, for the user it is not a voice file
        target.unlink(missing_ok=True)
        services.forget_voice(target)
        raise HTTPException(422, _("%(name)s is damaged or is not a Moksori voice file.",
                                   name=label)) from error
    row = store.add_voice(db, user.id, lambda version: _("Voice %(version)s (imported)", version=version), name,
                          card_json(voice.card))
    return VoiceOut.of(row)


class VoicePatch(BaseModel):
    name: str = Field(min_length=1, max_length=100)


@router.patch("/voices/{voice_id}")
def rename_voice(voice_id: int, body: VoicePatch, user: ConsentedUser, db: DbSession) -> VoiceOut:
    voice = owned(db, Voice, voice_id, user)
    name = " ".join(body.name.split())
    if not name:
        raise HTTPException(422, _("The name is empty."))
    store.rename_voice(db, voice, name)
    return VoiceOut.of(voice)


@router.delete("/voices/{voice_id}")
def delete_voice(voice_id: RowId, user: ConsentedUser, db: DbSession, settings: AppSettings,
                 services: AppServices) -> dict:
    voice = owned(db, Voice, voice_id, user)
    files = [user_file(settings, user.id, f) for f in (voice.file, voice.sample_file) if f]
    store.remove(db, voice)
    services.forget_voice(files[0])
    for path in files:
        path.unlink(missing_ok=True)
    return {"deleted": voice_id}
