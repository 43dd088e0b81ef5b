"""Phone calls through the user's own SIP account (docs/sip.md): dial a number, answer or decline a call that
rings, and the calls page's stream of ringing. Once connected, a phone call is a call like the others: the call
screen, say / stop / mute / hang up and the transcript are the calls API's (``moksori.web.api.calls``)."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import nullcontext

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from moksori.calls.endings import ANSWER_FAILED, LINE_STOPPED, YOU_DECLINED
from moksori.calls.sip import SipError, is_emergency
from moksori.web.api.calls import call_json, open_call, registry_of, sse, sse_until
from moksori.web.api.deps import ConsentedUser, DbSession
from moksori.web.i18n import _, ngettext
from moksori.web.messages import emergency_notice, sip_problem_words
from moksori.web.phone_lines import Line, PhoneLines, TooManyDials, connect_phone_call
from moksori.web.sip_accounts import SealedPasswordLost, find_sip_account, phone_account
from moksori.web.storage.models import User

router = APIRouter(tags=["phone"])


class DialBody(BaseModel):
    number: str = Field(min_length=1, max_length=200)
    voice_id: int | None = None


class AnswerBody(BaseModel):
    voice_id: int | None = None


def lines_of(request: Request) -> PhoneLines:
    return request.app.state.phone_lines


def _account(db: Session, user: User, secret_key: bytes) -> dict[str, str]:
    row = find_sip_account(db, user)
    if row is None:
        raise HTTPException(409, _("To make phone calls, first enter your SIP account on the Account page."))
    try:
        return phone_account(row, secret_key)
    except SealedPasswordLost as error:
        raise HTTPException(409, str(error)) from error


async def _line(request: Request, db: Session, user: User) -> Line:
    account = await run_in_threadpool(_account, db, user, request.app.state.secret_key)
    try:
        return await lines_of(request).line(user.id, account)
    except SipError as error:
        raise HTTPException(502, sip_problem_words(error)) from error


@router.get("/phone")
async def phone_line(request: Request, user: ConsentedUser, db: DbSession) -> dict:
    """The user's phone line, started if it was not: ``state`` (registered; none: no SIP account; problem, with
    ``message``) and the calls ringing now."""
    try:
        await _line(request, db, user)
    except HTTPException as error:
        return {"state": "none" if error.status_code == 409 else "problem", "message": error.detail, "ringing": []}
    return {"state": "registered", "message": None, "ringing": lines_of(request).ringing_now(user.id)}


@router.post("/phone/calls")
async def dial(body: DialBody, request: Request, user: ConsentedUser, db: DbSession) -> dict:
    """Call a number (or SIP address) through the user's SIP account; the answer is the new call, opened on the
    call screen. Emergency numbers are dialled, with ``notice`` saying what may not work, and never held back by
    the dial limit (it guards the phone bill; someone calling 119 again and again needs the line most)."""
    limit = nullcontext() if is_emergency(body.number) else lines_of(request).dial_limit.attempt(user.id)
    try:
        with limit:  # an attempt refused below, before the call is placed, is not counted
            line = await _line(request, db, user)
            try:
                target = line.phone.address(body.number)
                line.phone.ensure_room()
            except ValueError as error:
                raise HTTPException(422, sip_problem_words(error)) from error
            except SipError as error:
                raise HTTPException(409, sip_problem_words(error)) from error
            call, live = await open_call(request, db, user, "phone", body.voice_id)
            try:
                sip_call = await line.phone.call(target, live.session)
            except SipError as error:  # the line stopped since it was checked
                await registry_of(request).end(call.id, LINE_STOPPED)
                raise HTTPException(502, sip_problem_words(error)) from error
    except TooManyDials as limited:
        seconds = math.ceil(limited.wait_seconds)
        message = ngettext("Too many calls in a short time: please wait %(count)s second before the next one.",
                           "Too many calls in a short time: please wait %(count)s seconds before the next one.",
                           seconds)
        raise HTTPException(429, message, headers={"Retry-After": str(seconds)}) from None
    connect_phone_call(registry_of(request), live, sip_call, user.language)
    return {**call_json(call, live), "number": body.number,
            "notice": emergency_notice() if is_emergency(target) else None}


@router.post("/phone/ringing/{ring_id}/answer")
async def answer(ring_id: str, body: AnswerBody, request: Request, user: ConsentedUser, db: DbSession) -> dict:
    """Answer a call ringing on the user's line; the answer is the new call, opened on the call screen."""
    sip_call = lines_of(request).take_ringing(user.id, ring_id)
    if sip_call is None or sip_call.state != "ringing":
        raise HTTPException(404, _("This call is no longer ringing."))
    try:
        call, live = await open_call(request, db, user, "phone", body.voice_id)
    except HTTPException:
        await sip_call.hang_up(ANSWER_FAILED)
        raise
    connect_phone_call(registry_of(request), live, sip_call, user.language)
    await sip_call.answer()
    return {**call_json(call, live), "caller": sip_call.caller}


@router.post("/phone/ringing/{ring_id}/decline")
async def decline(ring_id: str, request: Request, user: ConsentedUser) -> dict:
    sip_call = lines_of(request).take_ringing(user.id, ring_id)
    if sip_call is None:
        raise HTTPException(404, _("This call is no longer ringing."))
    await sip_call.hang_up(YOU_DECLINED)
    return {"declined": True}


@router.get("/phone/events")
async def phone_events(request: Request, user: ConsentedUser, db: DbSession) -> StreamingResponse:
    """Server-sent events of the user's phone line: ``line`` (``state``: registered, none or problem, with
    ``message``), then ``ringing`` (``ring_id``, ``caller``) and ``ring_ended``. Opening it starts the line."""

    async def events() -> AsyncIterator[str]:
        try:
            await _line(request, db, user)
        except HTTPException as error:
            state = "none" if error.status_code == 409 else "problem"
            yield sse({"type": "line", "state": state, "message": error.detail})
            return
        queue: asyncio.Queue[dict] = asyncio.Queue()
        unsubscribe = lines_of(request).subscribe(user.id, queue.put_nowait)
        try:
            yield sse({"type": "line", "state": "registered"})
            async for line in sse_until(queue, "line_closed", send_last=False):
                yield line
        finally:
            unsubscribe()

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})
