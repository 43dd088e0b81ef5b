"""Recording studio: prompts, takes with their checks, custom sentences, progress."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
from fastapi import APIRouter, File, Form, HTTPException, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from moksori.audio import AudioError
from moksori.audio.decode import decode
from moksori.web import store
from moksori.web.api.common import owned
from moksori.web.api.deps import AppServices, AppSettings, ConsentedUser, DbSession, RowId
from moksori.web.i18n import _
from moksori.web.messages import file_problem
from moksori.web.schemas import TakeOut
from moksori.web.services import Prompt, Services
from moksori.web.settings import Settings
from moksori.web.storage.files import delete_prompt, delete_take, user_file
from moksori.web.storage.models import CustomSentence, Phrase, SkippedPrompt, Take, User
from moksori.web.takes import check_and_store, usable

router = APIRouter(tags=["studio"])
SOURCES = ("script", "bank", "custom")


def prompts_for(db: Session, services: Services, user: User, source: str) -> list[Prompt]:
    if source == "script":
        return services.script(user.language)
    if source == "bank":
        own = db.scalars(select(Phrase).where(Phrase.user_id == user.id, Phrase.banked).order_by(Phrase.id))
        return services.message_bank(user.language) + [Prompt(f"phrase:{p.id}", p.text, "bank") for p in own]
    if source == "custom":
        rows = db.scalars(select(CustomSentence).where(CustomSentence.user_id == user.id).order_by(CustomSentence.id))
        return [Prompt(f"custom:{s.id}", s.text, "custom") for s in rows]
    raise HTTPException(422, _("Unknown list of sentences %(source)s; use one of %(sources)s.",
                               source=repr(source), sources=", ".join(SOURCES)))


def resolve_prompt(db: Session, services: Services, user: User, key: str) -> Prompt:
    """The prompt behind ``key``, looked up on the server: the client never decides the text."""
    source = {"script": "script", "bank": "bank", "phrase": "bank", "custom": "custom"}.get(key.split(":")[0])
    for prompt in prompts_for(db, services, user, source) if source else []:
        if prompt.key == key:
            return prompt
    raise HTTPException(404, _("No such sentence to record in your account."))


def decode_upload(upload: UploadFile, settings: Settings) -> tuple[np.ndarray, int]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload"
        with path.open("wb") as out:
            shutil.copyfileobj(upload.file, out)
        try:
            return decode(path, settings.max_take_seconds)
        except AudioError as error:
            raise HTTPException(422, f"{upload.filename or _('Recording')}: {file_problem(error)}") from error


@router.get("/prompts")
def list_prompts(user: ConsentedUser, db: DbSession, services: AppServices, source: str = "script") -> dict:
    prompts = prompts_for(db, services, user, source)
    takes = {t.prompt_key: t for t in db.scalars(select(Take).where(Take.user_id == user.id))}
    skipped = set(db.scalars(select(SkippedPrompt.prompt_key).where(SkippedPrompt.user_id == user.id)))
    items = [{"key": p.key, "text": p.text, "take": TakeOut.of(takes[p.key]).model_dump() if p.key in takes else None,
              "skipped": p.key in skipped} for p in prompts]
    # Resume where the user left off, on any device: the first prompt neither recorded nor skipped,
    # then the first skipped one.
    start = next((i for i, it in enumerate(items) if not it["take"] and not it["skipped"]),
                 next((i for i, it in enumerate(items) if not it["take"]), 0))
    return {"source": source, "prompts": items, "start": start}


class KeyBody(BaseModel):
    key: str = Field(max_length=100)


@router.post("/prompts/skip")
def skip_prompt(body: KeyBody, user: ConsentedUser, db: DbSession, services: AppServices) -> dict:
    prompt = resolve_prompt(db, services, user, body.key)
    store.skip_prompt(db, user.id, prompt.key)
    return {"skipped": prompt.key}


def progress_of(db: Session, settings: Settings, services: Services, user: User) -> dict:
    """Counts for the user's current language: a voice is built from one language's takes."""
    takes = list(db.scalars(select(Take).where(Take.user_id == user.id, Take.language == user.language)))
    script_keys = {p.key for p in services.script(user.language)}
    ready = sum(usable(t) for t in takes)
    return {
        "script_recorded": sum(t.prompt_key in script_keys for t in takes), "script_total": len(script_keys),
        "takes": len(takes), "ready": ready, "flagged": len(takes) - ready,
        "minutes": round(sum(t.duration_s for t in takes) / 60, 1),
        "min_takes_for_build": settings.min_takes_for_build, "can_build": ready >= settings.min_takes_for_build,
        "min_takes_for_preview": settings.min_takes_for_preview, "can_preview": ready >= settings.min_takes_for_preview,
    }


@router.get("/progress")
def progress(user: ConsentedUser, db: DbSession, settings: AppSettings, services: AppServices) -> dict:
    return progress_of(db, settings, services, user)


@router.post("/takes")
def record_take(user: ConsentedUser, db: DbSession, settings: AppSettings, services: AppServices,
                prompt_key: str = Form(max_length=100), audio: UploadFile = File()) -> TakeOut:
    prompt = resolve_prompt(db, services, user, prompt_key)
    samples, rate = decode_upload(audio, settings)
    store.unskip_prompt(db, user.id, prompt.key)
    take = check_and_store(db, settings, services, user, prompt, samples, rate)
    return TakeOut.of(take)


@router.get("/takes/{take_id}/audio")
def take_audio(take_id: RowId, user: ConsentedUser, db: DbSession, settings: AppSettings) -> FileResponse:
    take = owned(db, Take, take_id, user)
    return FileResponse(user_file(settings, user.id, take.file), media_type="audio/wav")


@router.post("/takes/{take_id}/keep")
def keep_take(take_id: RowId, user: ConsentedUser, db: DbSession) -> TakeOut:
    take = owned(db, Take, take_id, user)
    store.keep_take(db, take)
    return TakeOut.of(take)


@router.delete("/takes/{take_id}")
def remove_take(take_id: RowId, user: ConsentedUser, db: DbSession, settings: AppSettings) -> dict:
    delete_take(db, settings, owned(db, Take, take_id, user))
    return {"deleted": take_id}


class TextBody(BaseModel):
    text: str = Field(min_length=1, max_length=500)


@router.post("/sentences")
def add_sentence(body: TextBody, user: ConsentedUser, db: DbSession) -> dict:
    text = body.text.strip()
    if not text:
        raise HTTPException(422, _("The sentence is empty. Type the sentence you want to record."))
    sentence = store.add_sentence(db, user.id, text)
    return {"id": sentence.id, "key": f"custom:{sentence.id}", "text": sentence.text}


@router.delete("/sentences/{sentence_id}")
def delete_sentence(sentence_id: RowId, user: ConsentedUser, db: DbSession, settings: AppSettings) -> dict:
    """Deletes the sentence and its recording."""
    delete_prompt(db, settings, owned(db, CustomSentence, sentence_id, user), f"custom:{sentence_id}")
    return {"deleted": sentence_id}

