"""Talk screen: speak text in the user's voice (streamed), phrase board and history."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import soundfile as sf
from fastapi import APIRouter, HTTPException
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from moksori.web import store
from moksori.web.api.common import owned
from moksori.web.api.deps import MAX_ROW_ID, AppServices, AppSettings, ConsentedUser, DbSession, RowId
from moksori.web.i18n import _
from moksori.web.ops import timed_speech
from moksori.web.schemas import PhraseList, PhraseOut
from moksori.web.storage.files import delete_prompt, user_file
from moksori.web.storage.models import HistoryItem, Phrase, Take, User, Voice
from moksori.web.takes import usable

router = APIRouter(tags=["talk"])
HISTORY_SHOWN = 50


class SpeakBody(BaseModel):
    text: str
    voice_id: int | None = Field(default=None, ge=1, le=MAX_ROW_ID)
    # "Repeat slower / louder" on the talk screen.
    rate: float = Field(default=1.0, ge=0.5, le=2.0)
    volume: float = Field(default=1.0, ge=0.25, le=4.0)


def pcm16(chunks: Iterator[np.ndarray]) -> Iterator[bytes]:
    for chunk in chunks:
        yield (np.clip(chunk, -1.0, 1.0) * 32767).astype("<i2").tobytes()


def has_words(text: str) -> bool:
    """Whether ``text`` has anything to speak: "...!?" alone makes no sound at all."""
    return any(character.isalnum() for character in text)


def own_recordings(user: User):
    """The user's recordings that can be played as they are on the talk screen: message-bank phrases,
    own phrases and own sentences (script sentences are practice, not things to say)."""
    return select(Take).where(Take.user_id == user.id, Take.prompt_key.startswith("bank:")
                              | Take.prompt_key.startswith("phrase:") | Take.prompt_key.startswith("custom:"))


def banked_recording(db: Session, user: User, text: str) -> Take | None:
    """A recording of exactly this text, played as recorded instead of synthesised."""
    return db.scalar(own_recordings(user).where(Take.text == text).order_by(Take.id.desc()))


@router.get("/recordings")
def list_recordings(user: ConsentedUser, db: DbSession) -> dict:
    """What can be said on day one, before any voice: the texts of the user's own recordings."""
    texts = dict.fromkeys(take.text for take in db.scalars(own_recordings(user).order_by(Take.id)) if usable(take))
    return {"recordings": list(texts)}


@router.post("/speak")
def speak(body: SpeakBody, user: ConsentedUser, db: DbSession, settings: AppSettings,
          services: AppServices) -> StreamingResponse:
    """Raw 16-bit little-endian mono PCM, sent chunk by chunk as the engine makes it, so playback
    starts before the sentence is finished; the rate is in ``X-Sample-Rate``."""
    started = time.perf_counter()
    text = " ".join(body.text.split())
    if not text:
        raise HTTPException(422, _("There is nothing to say: the text is empty."))
    if len(text) > settings.max_speak_chars:
        raise HTTPException(413, _("That text is %(length)s characters long; at most %(limit)s are spoken at a "
                                   "time. Split it into shorter parts.", length=len(text),
                                   limit=settings.max_speak_chars))
    if not has_words(text):
        raise HTTPException(422, _("There is nothing to say in that text: it has no letters or numbers."))
    take = banked_recording(db, user, text)
    if take:
        # Read as stored (16-bit), so the recording is played bit for bit at the normal volume.
        samples, rate = sf.read(user_file(settings, user.id, take.file), dtype="<i2")
        if body.volume != 1.0:
            samples = np.clip(samples * body.volume, -32768, 32767).astype("<i2")
        body, source = iter([samples.tobytes()]), "recording"
    else:
        if body.voice_id is not None:
            row = owned(db, Voice, body.voice_id, user)
        else:
            row = db.scalar(select(Voice).where(Voice.user_id == user.id).order_by(Voice.version.desc()))
        if row is None:
            raise HTTPException(409, _("You have no voice yet, so only recorded phrases can be played. "
                                       "Build a voice on the Voices page to say anything else."))
        voice = services.voice(user_file(settings, user.id, row.file))
        audio = voice.stream(text, rate=body.rate, volume=body.volume)
        body, rate, source = pcm16(audio), voice.sample_rate, "voice"
    store.add_history(db, user.id, text)
    return StreamingResponse(timed_speech(body, source, started), media_type="application/octet-stream",
                             headers={"X-Sample-Rate": str(rate), "X-Source": source, "Cache-Control": "no-store"})


class PhraseBody(BaseModel):
    text: str = Field(min_length=1, max_length=500)
    category: str = Field(default="", max_length=100)
    favourite: bool = False
    banked: bool = False


class PhrasePatch(BaseModel):
    text: str | None = Field(default=None, min_length=1, max_length=500)
    category: str | None = Field(default=None, max_length=100)
    favourite: bool | None = None
    banked: bool | None = None


@router.get("/phrases")
def list_phrases(user: ConsentedUser, db: DbSession) -> PhraseList:
    phrases = db.scalars(select(Phrase).where(Phrase.user_id == user.id)
                         .order_by(Phrase.favourite.desc(), Phrase.category, Phrase.id))
    return PhraseList(phrases=[PhraseOut.of(p) for p in phrases])


@router.post("/phrases")
def add_phrase(body: PhraseBody, user: ConsentedUser, db: DbSession) -> PhraseOut:
    if not body.text.strip():
        raise HTTPException(422, _("The phrase is empty."))
    phrase = store.add_phrase(db, user.id, " ".join(body.text.split()), body.category.strip(), body.favourite,
                              body.banked)
    return PhraseOut.of(phrase)


@router.patch("/phrases/{phrase_id}")
def edit_phrase(phrase_id: RowId, body: PhrasePatch, user: ConsentedUser, db: DbSession) -> PhraseOut:
    phrase = owned(db, Phrase, phrase_id, user)
    changes = body.model_dump(exclude_none=True)
    if "text" in changes:
        changes["text"] = " ".join(changes["text"].split())
    store.edit_phrase(db, phrase, changes)
    return PhraseOut.of(phrase)


@router.delete("/phrases/{phrase_id}")
def delete_phrase(phrase_id: RowId, user: ConsentedUser, db: DbSession, settings: AppSettings) -> dict:
    """Deletes the phrase and its message-bank recording."""
    delete_prompt(db, settings, owned(db, Phrase, phrase_id, user), f"phrase:{phrase_id}")
    return {"deleted": phrase_id}


@router.get("/history")
def history(user: ConsentedUser, db: DbSession) -> dict:
    items = db.scalars(select(HistoryItem).where(HistoryItem.user_id == user.id)
                       .order_by(HistoryItem.id.desc()).limit(HISTORY_SHOWN))
    return {"history": [{"id": h.id, "text": h.text, "at": h.created_at.isoformat()} for h in items]}


@router.delete("/history")
def clear_history(user: ConsentedUser, db: DbSession) -> dict:
    store.clear_history(db, user.id)
    return {"cleared": True}
