"""Calls and conversations (docs/calls.md): create, list, say, stop, mute, hang up, transcripts, live events;
the far end's join (no account: the link is the key) and the talk page's conversation socket."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, HTTPException, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import PlainTextResponse, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State
from starlette.routing import WebSocketRoute

from moksori.calls.endings import CONVERSATION_ENDED, DELETED, FAR_END_LEFT, HUNG_UP
from moksori.calls.notice import call_notice
from moksori.calls.pcm_socket import PcmSocketLink
from moksori.calls.sip import EMERGENCY, SipError
from moksori.web import store
from moksori.web.api.common import owned
from moksori.web.api.deps import ConsentedUser, DbSession, RowId, services_of, settings_of
from moksori.web.i18n import _
from moksori.web.live_calls import CallRegistry, LiveCall, new_token, token_hash
from moksori.web.messages import (
    call_ending,
    call_ending_words,
    call_problem_words,
    emergency_notice,
    sip_problem_words,
)
from moksori.web.settings import Settings
from moksori.web.storage.files import user_file
from moksori.web.storage.models import Call, CallLine, User, Voice

router = APIRouter(tags=["calls"])
log = logging.getLogger(__name__)
KEEPALIVE_SECONDS = 15


class CallBody(BaseModel):
    mode: Literal["call", "conversation"] = "call"
    voice_id: int | None = None


class SayBody(BaseModel):
    text: str


class MuteBody(BaseModel):
    muted: bool


class KeysBody(BaseModel):
    keys: str = Field(min_length=1, max_length=32)


class JoinBody(BaseModel):
    sdp: str = Field(max_length=200_000)


def registry_of(request: Request) -> CallRegistry:
    return request.app.state.calls


def ending_json(stored: str) -> dict:
    """A stored end reason as the API gives it: the code, its parameters and the words on screen."""
    code, params = call_ending(stored)
    return {"reason": code, "reason_params": params, "reason_text": call_ending_words(code, params)}


def call_json(call: Call, live: LiveCall | None) -> dict:
    expires = call.link_expires_at
    ending = (ending_json(call.end_reason) if call.status == "ended"
              else {"reason": None, "reason_params": None, "reason_text": None})
    return {
        "id": call.id, "mode": call.mode, "status": call.status, "live": live is not None,
        "created_at": call.created_at.isoformat(), "joined_at": call.joined_at and call.joined_at.isoformat(),
        "ended_at": call.ended_at and call.ended_at.isoformat(),
        **{f"end_{name}": value for name, value in ending.items()},
        "link_expires_at": expires.isoformat() if expires and call.link_hash else None,
        "muted": bool(live and live.session.muted), "waiting": live.session.waiting if live else [],
        "captions": bool(live and live.session.captions_available),
        "phone_state": live.link.state if live and live.mode == "phone" and live.link is not None else None,
    }


def line_json(line: CallLine) -> dict:
    return {"speaker": line.speaker, "text": line.text, "start": line.start_s, "end": line.end_s, "final": line.final}


def qr_svg(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_inline(scale=5, border=2, title=_("QR code of the call link"))


def voice_path(db: Session, settings: Settings, user: User, voice_id: int | None):
    """The file of the user's voice ``voice_id``, or of their newest voice; 409 when they have none."""
    if voice_id is not None:
        row = owned(db, Voice, voice_id, user)
    else:
        row = db.scalar(select(Voice).where(Voice.user_id == user.id).order_by(Voice.version.desc()))
    if row is None:
        raise HTTPException(409, _("You have no voice yet. Build one on the Voices page first."))
    return user_file(settings, user.id, row.file)


async def open_call(request: Request, db: Session, user: User, mode: str, voice_id: int | None,
                    link_hash: str | None = None) -> tuple[Call, LiveCall]:
    """A call row (``mode``: call, conversation, phone or assistant) and its live session speaking in the user's
    voice ``voice_id`` (None: their newest)."""
    return await start_call(request.app.state, db, user, mode, voice_id, link_hash)


async def start_call(state: State, db: Session, user: User, mode: str, voice_id: int | None,
                     link_hash: str | None = None) -> tuple[Call, LiveCall]:
    """``open_call`` with the app's state rather than a request: for calls that come in with no request (a
    phone line answered by the assistant). ``HTTPException`` 409 when the voice is missing or does not load."""
    settings, services = state.settings, state.services
    path = await run_in_threadpool(voice_path, db, settings, user, voice_id)
    try:
        voice = await run_in_threadpool(services.voice, path)
    except (OSError, ValueError) as error:
        raise HTTPException(409, _("Your voice could not be loaded (%(error)s).", error=error)) from error
    call = await run_in_threadpool(store.add_call, db, user.id, mode, link_hash, settings.call_link_minutes)
    session = services.call_session(voice, user.language, face_to_face=mode == "conversation")
    live = await state.calls.open(call.id, user.id, mode, session, settings.call_link_minutes * 60)
    return call, live


@router.post("/calls")
async def create_call(body: CallBody, request: Request, user: ConsentedUser,
                      db: DbSession) -> dict:
    """Start a call (answers with its one-time ``join_url`` and a QR code) or a face-to-face conversation
    (answers with the ``socket_url`` the talk page connects to)."""
    token, digest = new_token() if body.mode == "call" else (None, None)
    call, live = await open_call(request, db, user, body.mode, body.voice_id, digest)
    result = call_json(call, live)
    if token:
        result["join_url"] = f"{request.base_url}call/{token}"
        result["qr_svg"] = qr_svg(result["join_url"])
    else:
        result["socket_url"] = f"/api/calls/{call.id}/socket?ticket={registry_of(request).new_ticket(live)}"
    return result


@router.get("/calls")
def list_calls(request: Request, user: ConsentedUser, db: DbSession) -> dict:
    registry = registry_of(request)
    rows = db.scalars(select(Call).where(Call.user_id == user.id).order_by(Call.id.desc()))
    return {"calls": [call_json(call, registry.get(call.id)) for call in rows]}


def _lines(db: Session, call: Call) -> list[CallLine]:
    return list(db.scalars(select(CallLine).where(CallLine.call_id == call.id)
                           .order_by(CallLine.start_s, CallLine.id)))


@router.get("/calls/{call_id}")
def read_call(call_id: RowId, request: Request, user: ConsentedUser,
              db: DbSession) -> dict:
    """The call and its transcript: lines with ``speaker``, ``text``, ``start``, ``end`` (seconds), ``final``."""
    call = owned(db, Call, call_id, user)
    return {**call_json(call, registry_of(request).get(call.id)), "lines": [line_json(x) for x in _lines(db, call)]}


@router.get("/calls/{call_id}/transcript.txt")
def download_transcript(call_id: RowId, user: ConsentedUser,
                        db: DbSession) -> PlainTextResponse:
    call = owned(db, Call, call_id, user)
    title = _("Call") if call.mode == "call" else _("Conversation")
    speakers = {"me": _("Me"), "them": _("Them")}
    text = [f"Moksori · {title} · {call.created_at:%Y-%m-%d %H:%M} UTC", ""]
    for line in _lines(db, call):
        mark = "" if line.final else " …"
        text.append(f"[{_clock(line.start_s)}–{_clock(line.end_s)}] {speakers.get(line.speaker, line.speaker)}: "
                    f"{line.text}{mark}")
    if call.status == "ended":
        reason = ending_json(call.end_reason)["reason_text"]
        text += ["", _("Call ended (%(reason)s)", reason=reason) if reason else _("Call ended")]
    name = f"moksori-{call.mode}-{call.id}.txt"
    return PlainTextResponse("\n".join(text) + "\n",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _clock(seconds: float) -> str:
    minutes, rest = divmod(max(seconds, 0.0), 60)
    return f"{int(minutes):02d}:{rest:04.1f}"


async def _owned_live(request: Request, db: Session, call_id: int, user: User) -> LiveCall:
    call = await run_in_threadpool(owned, db, Call, call_id, user)
    live = registry_of(request).get(call.id)
    if live is None:
        raise HTTPException(409, _("This call has ended; its transcript is kept."))
    return live


@router.post("/calls/{call_id}/say")
async def say(call_id: RowId, body: SayBody, request: Request, user: ConsentedUser,
              db: DbSession) -> dict:
    """Queue text to be spoken into the call in the user's voice."""
    live = await _owned_live(request, db, call_id, user)
    limit = settings_of(request).max_speak_chars
    text = " ".join(body.text.split())
    if not text:
        raise HTTPException(422, _("There is nothing to say: the text is empty."))
    if len(text) > limit:
        raise HTTPException(413, _("That text is %(length)s characters long; at most %(limit)s are spoken at a "
                                   "time. Split it into shorter parts.", length=len(text), limit=limit))
    return {"waiting": live.session.say(text)}


@router.post("/calls/{call_id}/stop")
async def stop(call_id: RowId, request: Request, user: ConsentedUser,
               db: DbSession) -> dict:
    live = await _owned_live(request, db, call_id, user)
    live.session.stop()
    return {"stopped": True}


@router.post("/calls/{call_id}/mute")
async def mute(call_id: RowId, body: MuteBody, request: Request, user: ConsentedUser,
               db: DbSession) -> dict:
    live = await _owned_live(request, db, call_id, user)
    live.session.set_muted(body.muted)
    return {"muted": body.muted}


@router.post("/calls/{call_id}/keys")
async def press_keys(call_id: RowId, body: KeysBody, request: Request, user: ConsentedUser,
                     db: DbSession) -> dict:
    """Keys for a phone menu ("press 1"), sent to a connected phone call as RFC 4733 telephone events."""
    live = await _owned_live(request, db, call_id, user)
    if live.mode != "phone" or live.link is None:
        raise HTTPException(409, _("Keys can only be pressed in a phone call."))
    try:
        live.link.press(body.keys)
    except ValueError as error:
        raise HTTPException(422, _("Keys must be 0-9, * or #.")) from error
    except SipError as error:
        raise HTTPException(409, sip_problem_words(error)) from error
    return {"sent": body.keys}


@router.post("/calls/{call_id}/listen")
async def listen(call_id: RowId, body: JoinBody, request: Request, user: ConsentedUser, db: DbSession) -> dict:
    """The user's page plays the far end's audio: a receive-only WebRTC offer in, the answer out."""
    live = await _owned_live(request, db, call_id, user)
    if live.mode == "conversation":
        raise HTTPException(409, _("A conversation has no far end to listen to."))
    link = services_of(request).listen_link(live.session)
    try:
        answer = await registry_of(request).listen(live, link, body.sdp)
    except ValueError as error:
        await link.close()
        # The engine's reason is English; the person gets the catalog's words, the log keeps the reason.
        log.info("call %s: unusable listening offer: %s", call_id, error)
        raise HTTPException(400, _("The other person's voice could not be played here; reload the page.")) from error
    return {"type": "answer", "sdp": answer}


@router.post("/calls/{call_id}/hangup")
async def hang_up(call_id: RowId, request: Request, user: ConsentedUser,
                  db: DbSession) -> dict:
    """End the call; everything said so far is in the transcript. Hanging up an ended call is harmless."""
    call = await run_in_threadpool(owned, db, Call, call_id, user)
    await registry_of(request).end(call.id, HUNG_UP)
    await run_in_threadpool(db.refresh, call)
    return call_json(call, None)


@router.post("/calls/{call_id}/link")
async def new_link(call_id: RowId, request: Request, user: ConsentedUser,
                   db: DbSession) -> dict:
    """A fresh join link for a call nobody has joined yet; the old link stops working."""
    live = await _owned_live(request, db, call_id, user)
    if live.mode not in ("call", "assistant") or live.link is not None:
        raise HTTPException(409, _("Someone already joined this call."))
    token, digest = new_token()
    call = await run_in_threadpool(_renew_link, db, call_id, digest, settings_of(request).call_link_minutes)
    url = f"{request.base_url}call/{token}"
    return {**call_json(call, live), "join_url": url, "qr_svg": qr_svg(url)}


def _renew_link(db: Session, call_id: int, link_hash: str, minutes: int) -> Call:
    call = db.get(Call, call_id)
    store.renew_call_link(db, call, link_hash, minutes)
    return call


@router.delete("/calls/{call_id}")
async def delete_call(call_id: RowId, request: Request, user: ConsentedUser,
                      db: DbSession) -> dict:
    """Hang up if needed, then delete the call and its transcript."""
    call = await run_in_threadpool(owned, db, Call, call_id, user)
    await registry_of(request).end(call.id, DELETED)
    await run_in_threadpool(store.remove, db, call)
    return {"deleted": call_id}


@router.get("/calls/{call_id}/events")
async def call_events(call_id: RowId, request: Request, user: ConsentedUser,
                      db: DbSession) -> StreamingResponse:
    """Server-sent events of a live call (captions, lines, queue, ended; see moksori.calls.session); an end
    reason comes as its code with its words in the language of this request."""
    call = await run_in_threadpool(owned, db, Call, call_id, user)
    live = registry_of(request).get(call.id)

    async def events() -> AsyncIterator[str]:
        if live is None:
            yield sse({"type": "ended", **ending_json(call.end_reason)})
            return
        queue: asyncio.Queue[dict] = asyncio.Queue()
        unsubscribe = live.session.subscribe(queue.put_nowait)
        try:
            yield sse({"type": "state", **call_json(call, live)})
            async for line in sse_until(queue, "ended", send_last=True, shown=_worded):
                yield line
        finally:
            unsubscribe()

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})


def sse(event: dict) -> str:
    """One server-sent event carrying ``event`` as JSON."""
    return f"data: {json.dumps(event, ensure_ascii=False)}\n\n"


def _worded(event: dict) -> dict:
    # Worded here, as the stream or the conversation socket sends it, in this request's language (the session
    # announces on behalf of whichever request or task ended the call).
    if event["type"] in ("ended", "sip") and event.get("reason"):
        return {**event, **ending_json(event["reason"])}
    if event["type"] == "notice" and event.get("code") == EMERGENCY:
        return {**event, "message": emergency_notice()}
    if event["type"] == "problem" and event.get("code"):
        return {**event, "message": call_problem_words(event["code"], event.get("params", {}), event["message"])}
    return event


async def sse_until(queue: asyncio.Queue[dict], last_type: str, send_last: bool,
                    shown: Callable[[dict], dict] = lambda event: event) -> AsyncIterator[str]:
    """The events of ``queue``, as ``shown`` gives them, as server-sent events until one of type ``last_type``
    (sent too when ``send_last``), with a comment after every ``KEEPALIVE_SECONDS`` of quiet so proxies keep the
    stream open."""
    while True:
        try:
            event = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
        except TimeoutError:
            yield ": keep-alive\n\n"
            continue
        if event["type"] == last_type:
            if send_last:
                yield sse(shown(event))
            return
        yield sse(shown(event))


def _spend_link(db: Session, token: str) -> tuple[int, str]:
    """The call a join link opens, spent in one statement so two browsers cannot both join;
    404 for an unknown or used link, 410 for an expired one."""
    digest = token_hash(token)
    found = db.execute(select(Call, User.language).join(User, User.id == Call.user_id)
                       .where(Call.link_hash == digest)).first()
    if found is None:
        raise HTTPException(404, _("This call link is not valid or was already used. Ask for a new link."))
    call, language = found
    expires = call.link_expires_at if call.link_expires_at.tzinfo else call.link_expires_at.replace(tzinfo=UTC)
    if expires < datetime.now(UTC):
        raise HTTPException(410, _("This call link has expired. Ask for a new link."))
    if not store.spend_call_link(db, call.id, digest):
        raise HTTPException(404, _("This call link was already used."))
    return call.id, language


@router.post("/join/{token}")
async def join(token: str, body: JoinBody, request: Request, db: DbSession) -> dict:
    """The far end's browser joins with its WebRTC offer; the answer comes back. No account: the link
    (192 random bits, expiring, one call) is the key."""
    call_id, language = await run_in_threadpool(_spend_link, db, token)
    registry = registry_of(request)
    live = registry.get(call_id)
    if live is None:
        raise HTTPException(410, _("This call has ended."))

    def far_end_left(detail: str) -> None:
        log.info("call %s: the far end left: %s", call_id, detail)
        asyncio.ensure_future(registry.end(call_id, FAR_END_LEFT))

    link = services_of(request).webrtc_link(live.session, far_end_left)
    try:
        answer = await registry.join(live, link, body.sdp)
    except ValueError as error:
        await link.close()
        await run_in_threadpool(store.restore_call_link, db, call_id, token_hash(token))  # a broken offer does not spend the link
        # The engine's reason is English; the person gets the catalog's words, the log keeps the reason.
        log.info("call %s: unusable offer: %s", call_id, error)
        raise HTTPException(400, _("The browser's call offer could not be used, so the call could not start; "
                                   "try again.")) from error
    live.session.say(call_notice(language), first=True)
    live.session.announce({"type": "joined", "status": "active"})
    return {"type": "answer", "sdp": answer}


async def conversation_socket(websocket: WebSocket) -> None:
    """Face-to-face conversation (moksori.calls.pcm_socket): the page's microphone in, the user's voice and
    events out. The one-time ticket from ``POST /api/calls`` is the key: a WebSocket carries no CSRF header,
    and the app's request dependencies do not apply to it (it is a plain Starlette route)."""
    call_id = websocket.path_params["call_id"]
    ticket = websocket.query_params.get("ticket", "")
    rate_text = websocket.query_params.get("rate", "16000")
    rate = int(rate_text) if rate_text.isdigit() else 0
    registry: CallRegistry = websocket.app.state.calls
    live = registry.get(call_id)
    if live is None or live.mode != "conversation" or not registry.spend_ticket(live, ticket):
        await websocket.close(code=4403, reason=_("This conversation link is not valid."))
        return
    if not 8000 <= rate <= 48000:
        await websocket.close(code=4400, reason=_("The microphone's sample rate is not supported."))
        return
    await websocket.accept()
    link = PcmSocketLink(live.session, websocket.send_bytes, websocket.send_text, in_rate=rate,
                         max_chars=websocket.app.state.settings.max_speak_chars, shown=_worded)

    async def receive() -> bytes | str | None:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return None
        return message.get("bytes") if message.get("bytes") is not None else message.get("text")

    try:
        await link.run(receive)
    except WebSocketDisconnect:
        pass
    finally:
        await registry.end(call_id, CONVERSATION_ENDED)


router.routes.append(WebSocketRoute("/calls/{call_id:int}/socket", conversation_socket))
