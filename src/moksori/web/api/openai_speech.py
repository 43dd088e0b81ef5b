"""``POST /v1/audio/speech`` as OpenAI's speech API has it, so apps that speak that API (Open WebUI,
Home Assistant integrations, AAC apps, the official ``openai`` client) can speak with the user's voice.

Apps authenticate with a key the user made on the account page (``Authorization: Bearer mks_…``);
no cookie is read here, so these routes need no CSRF token. ``voice`` names one of the user's
voices (its name, its version number like ``2`` or ``v2``, or ``default`` for the newest); ``model``
is accepted whatever it says, since there is one engine.

``pcm`` and ``wav`` are streamed: the first sentence's audio leaves as soon as it is made, which is
what OpenAI's streaming client (``with_streaming_response``) and players reading the body as it
comes expect; the other formats are encoded whole. Messages are in the language of the text to speak
(Hangul: Korean, Latin letters: English), else in the account's: an app's requests carry no useful
``Accept-Language``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from moksori.web.api.deps import AppServices, AppSettings, DbSession
from moksori.web.api.talk import banked_recording, has_words
from moksori.web.apikeys import user_for_key
from moksori.web.i18n import _, use_language
from moksori.web.speech_formats import MEDIA_TYPES, STREAMED_FORMATS, EncodingError, encode, encode_stream
from moksori.web.storage.files import user_file
from moksori.web.storage.models import User, Voice

router = APIRouter(prefix="/v1", tags=["openai"])
BEARER = "bearer "
HANGUL = re.compile("[\uac00-\ud7a3\u3131-\u318e]")
LATIN = re.compile("[A-Za-z]")


class OpenAIError(Exception):
    """An error answered in OpenAI's shape, which its clients turn into their own exceptions."""

    def __init__(self, status: int, message: str, code: str, param: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.param = status, message, code, param


def openai_error_response(status: int, message: str, code: str | None = None, param: str | None = None) -> JSONResponse:
    kind = "authentication_error" if status == 401 else "invalid_request_error"
    return JSONResponse({"error": {"message": message, "type": kind, "param": param, "code": code}},
                        status_code=status)


def key_user(request: Request, db: DbSession) -> User:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith(BEARER):
        raise OpenAIError(401, _("Send your Moksori API key as “Authorization: Bearer mks_…”. "
                                 "Make one on the account page."), "missing_api_key")
    user = user_for_key(db, header[len(BEARER):].strip())
    if user is None:
        raise OpenAIError(401, _("This API key is not valid or was revoked. Make a new one on the account page."),
                          "invalid_api_key")
    return user


KeyUser = Annotated[User, Depends(key_user)]


class SpeechRequest(BaseModel):
    model: str = Field(min_length=1, max_length=100)
    input: str = Field(min_length=1, max_length=4096)
    voice: str = Field(default="default", max_length=200)
    response_format: Literal["mp3", "opus", "aac", "flac", "wav", "pcm"] = "mp3"
    speed: float = Field(default=1.0, ge=0.25, le=4.0)
    instructions: str | None = None  # how to say it: the engine has no such control, so it is ignored
    stream_format: Literal["audio"] = "audio"  # server-sent events of audio are not offered


def choose_voice(db: Session, user: User, wanted: str) -> Voice:
    voices = list(db.scalars(select(Voice).where(Voice.user_id == user.id).order_by(Voice.version.desc())))
    if not voices:
        raise OpenAIError(400, _("This account has no voice yet. Build one on the Voices page first."),
                          "voice_not_found", "voice")
    name = wanted.strip().lower()
    if name in ("", "default"):
        return voices[0]
    for voice in voices:
        if name in (voice.name.lower(), str(voice.version), f"v{voice.version}"):
            return voice
    raise OpenAIError(400, _("There is no voice called %(name)s. Use one of: %(names)s.", name=repr(wanted),
                             names=", ".join(["default", *(f"v{v.version} ({v.name})" for v in voices)])),
                      "voice_not_found", "voice")


def message_language(user: User, text: str) -> str:
    """The language to answer in: the text's own (Hangul first, since Korean text often holds Latin
    names), else the one the account reads its screens in, else the one its voice speaks."""
    if HANGUL.search(text):
        return "ko"
    if LATIN.search(text):
        return "en"
    return user.interface_language or user.language


def started(chunks: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
    """``chunks`` with the first one already made, so a text that yields no sound is answered with an
    error instead of an empty stream."""
    first = next(chunks, None)
    if first is None:
        raise OpenAIError(400, _("There is nothing to say in that text: it has no letters or numbers."),
                          "nothing_to_say", "input")
    return itertools.chain([first], chunks)


@router.post("/audio/speech")
def speech(body: SpeechRequest, user: KeyUser, db: DbSession, settings: AppSettings,
           services: AppServices) -> Response:
    text = " ".join(body.input.split())
    use_language(message_language(user, text))
    if len(text) > settings.max_speak_chars:
        raise OpenAIError(400, _("That text is %(length)s characters long; at most %(limit)s are spoken at a "
                                 "time. Split it into shorter parts.", length=len(text),
                                 limit=settings.max_speak_chars), "input_too_long", "input")
    if not has_words(text):
        raise OpenAIError(400, _("There is nothing to say in that text: it has no letters or numbers."),
                          "nothing_to_say", "input")
    take = banked_recording(db, user, text)
    if take is not None:  # the user's own recording of exactly this phrase
        from moksori.audio import load_audio

        samples, rate = load_audio(user_file(settings, user.id, take.file))
        chunks: Iterator[np.ndarray] = iter([samples])
    else:
        voice = services.voice(user_file(settings, user.id, choose_voice(db, user, body.voice).file))
        chunks, rate = started(iter(voice.stream(text, rate=body.speed))), voice.sample_rate
    headers = {"Cache-Control": "no-store"}
    if body.response_format in STREAMED_FORMATS:
        return StreamingResponse(encode_stream(chunks, rate, body.response_format),
                                 media_type=MEDIA_TYPES[body.response_format], headers=headers)
    try:
        audio = encode(np.concatenate(list(chunks)), rate, body.response_format)
    except EncodingError as error:
        raise OpenAIError(500, _("The speech could not be encoded as %(format)s.", format=body.response_format),
                          "encoding_failed") from error
    return Response(audio, media_type=MEDIA_TYPES[body.response_format], headers=headers)


def install(app) -> None:
    """Routes and the error handler that answers in OpenAI's shape."""
    app.include_router(router)

    @app.exception_handler(OpenAIError)
    async def openai_error(_request: Request, exc: OpenAIError) -> Response:
        return openai_error_response(exc.status, exc.message, exc.code, exc.param)
