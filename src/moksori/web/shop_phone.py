"""The shop's call assistant on the owner's own phone line (docs/assistant.md, docs/sip.md).

When the owner switched it on (``Shop.answers_phone``), a call coming in on the owner's SIP line is answered
by the assistant after the owner's number of rings, in the voice the owner chose: the same call session,
dialogue, transcript, call row and dashboard records as a browser call to the assistant
(``moksori.web.shops.attach_assistant``). A hand-off is a blind transfer to the shop's ``owner_phone``, dialled
on the owner's own account; when the far end refuses it or the owner does not answer, the assistant says so
and takes a message with a callback number. When the assistant is off, or cannot answer (no valid profile, no
voice), the call rings the owner's pages as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator

from fastapi import HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State

from moksori.assistant.profile import ShopProfile
from moksori.calls.sip import SipCall, SipError
from moksori.web.api.calls import start_call, voice_path
from moksori.web.phone_lines import connect_phone_call
from moksori.web.settings import Settings
from moksori.web.shops import attach_assistant, check_profile
from moksori.web.storage.db import Database
from moksori.web.storage.models import Shop, User

log = logging.getLogger(__name__)
RING_S = 3.0  # one ring of a Korean line: a second of tone, two of quiet
FIRST_RING_S = 1.0  # "at once" still lets the caller hear the line ring once, briefly
MAX_RINGS = 6


def answer_delay_s(rings: int) -> float:
    """How long the line rings before the assistant answers after ``rings`` rings (0: at once)."""
    return FIRST_RING_S + RING_S * rings


def caller_number(caller: str | None) -> str | None:
    """The caller's phone number from the SIP address a call came from (``"Kim" <sip:01012345678@pbx>``), as
    the dialogue writes numbers (``01012345678``; +82 as 0); None when the address holds no number."""
    found = re.search(r"sips?:(\+?[0-9]{7,15})@", caller or "")
    if found is None:
        return None
    digits = found.group(1)
    return "0" + digits[3:] if digits.startswith("+82") else digits.lstrip("+")


@contextlib.asynccontextmanager
async def _session(database: Database) -> AsyncIterator[Session]:
    """A database session for a task on the event loop: opened, used and closed only in worker threads."""
    manager = database.session()
    db = await run_in_threadpool(manager.__enter__)
    try:
        yield db
    finally:
        await run_in_threadpool(manager.__exit__, None, None, None)


def _answering_shop(db: Session, settings: Settings, user_id: int) -> tuple[User, Shop, ShopProfile] | None:
    """The owner, their shop and its profile when the assistant is to answer their line and can (a valid
    profile, a voice to answer in); else None, and the pages ring at once."""
    shop = db.scalar(select(Shop).where(Shop.user_id == user_id))
    if shop is None or not shop.answers_phone:
        return None
    profile = check_profile(shop.profile_yaml)[0] if shop.profile_yaml else None
    user = db.get(User, user_id)
    problem = "the shop profile is not valid" if profile is None else None
    try:
        voice_path(db, settings, user, shop.voice_id)
    except HTTPException as error:
        problem = error.detail
    if problem is not None:
        log.warning("The assistant of user %s cannot answer the phone (%s); ringing the pages.", user_id, problem)
        return None
    return user, shop, profile


async def answer_with_assistant(state: State, user_id: int, sip_call: SipCall) -> bool:
    """Take ``sip_call``, ringing on ``user_id``'s line, for the assistant (True), or leave it to ring the
    user's pages (False: the assistant is off, or cannot answer)."""
    async with _session(state.db) as db:
        found = await run_in_threadpool(_answering_shop, db, state.settings, user_id)
    if found is None:
        return False
    user, shop, profile = found
    await asyncio.sleep(answer_delay_s(shop.answer_rings))
    if sip_call.state != "ringing":
        return True  # the caller gave up while it rang
    async with _session(state.db) as db:
        try:
            call, live = await start_call(state, db, user, "assistant", shop.voice_id)
        except HTTPException as error:  # the voice does not load (or went while the line rang)
            log.warning("The assistant of user %s cannot answer the phone (%s); ringing the pages.", user_id,
                        error.detail)
            return False
    connect_phone_call(state.calls, live, sip_call, user.language)
    owner = sip_call.phone.address(profile.owner_phone)

    async def transfer() -> bool:
        try:
            passed = await sip_call.transfer(owner)
        except SipError as error:  # the call ended or the line stopped just now
            sip_call.transfer_problem = str(error)
            passed = False
        if not passed:
            log.info("Call %s: passing the caller to %s failed (%s).", call.id, owner, sip_call.transfer_problem)
        return passed

    attach_assistant(state.calls, state.db.session, live, profile, transfer=transfer,
                     caller_id=caller_number(sip_call.caller))
    await sip_call.answer()
    return True
