"""The owner's shop (docs/assistant.md): its profile, the voice its call assistant answers in, and what the
assistant took for the owner — bookings, orders, messages, calls — newest first, to tick off or delete."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from moksori.web import store
from moksori.web.api.calls import call_json, open_call, qr_svg, registry_of
from moksori.web.api.common import owned
from moksori.web.api.deps import ConsentedUser, DbSession, RowId
from moksori.web.i18n import _
from moksori.web.live_calls import new_token
from moksori.web.schemas import ShopOut, ShopRecordList, ShopRecordOut
from moksori.web.shop_phone import MAX_RINGS
from moksori.web.shops import MAX_PROFILE_CHARS, attach_assistant, check_profile
from moksori.web.sip_accounts import find_sip_account
from moksori.web.storage.models import SHOP_RECORD_KINDS, ShopRecord, Voice

router = APIRouter(tags=["shop"])
RECORDS_PER_PAGE = 200


class ProfileBody(BaseModel):
    # One more than the limit, so an over-long profile reaches check_profile and is reported like any problem.
    profile_yaml: str = Field(max_length=MAX_PROFILE_CHARS + 1)


class VoiceBody(BaseModel):
    voice_id: int | None = None  # None: the newest of the owner's voices


class RecordBody(BaseModel):
    done: bool


class PhoneBody(BaseModel):
    answers_phone: bool
    answer_rings: int = Field(0, ge=0, le=MAX_RINGS)


@router.get("/shop")
def get_shop(user: ConsentedUser, db: DbSession) -> ShopOut:
    return ShopOut.of(store.shop_of(db, user.id))


@router.put("/shop/profile")
def put_profile(body: ProfileBody, user: ConsentedUser, db: DbSession) -> ShopOut:
    """Saves the profile when it is valid; otherwise 422 with every problem at once, and the saved one stays."""
    _profile, problems, ignored = check_profile(body.profile_yaml)
    if problems:
        # One problem a line after the message, so every client shows them all as they are.
        raise HTTPException(422, "\n".join([_("The profile was not saved: fix these problems first."), *problems]))
    shop = store.shop_of(db, user.id)
    store.save_shop_profile(db, shop, body.profile_yaml)
    return ShopOut.of(shop, ignored)


@router.put("/shop/voice")
def put_voice(body: VoiceBody, user: ConsentedUser, db: DbSession) -> ShopOut:
    if body.voice_id is not None:
        owned(db, Voice, body.voice_id, user)
    shop = store.shop_of(db, user.id)
    store.choose_shop_voice(db, shop, body.voice_id)
    return ShopOut.of(shop)


@router.put("/shop/phone")
def put_phone(body: PhoneBody, user: ConsentedUser, db: DbSession) -> ShopOut:
    """Whether the assistant answers the owner's own phone line (their SIP account), after how many rings.
    Switching it on needs a valid profile (the assistant answers from it) and a SIP account (the line)."""
    shop = store.shop_of(db, user.id)
    if body.answers_phone:
        if not shop.profile_yaml or check_profile(shop.profile_yaml)[0] is None:
            raise HTTPException(409, _("Save your shop profile first: the assistant answers from it."))
        if find_sip_account(db, user) is None:
            raise HTTPException(409, _("For the assistant to answer your phone line, first enter your SIP account "
                                       "on the Account page."))
    store.set_shop_phone(db, shop, body.answers_phone, body.answer_rings)
    return ShopOut.of(shop)


@router.get("/shop/records")
def list_records(user: ConsentedUser, db: DbSession,
                 kind: Literal[SHOP_RECORD_KINDS] | None = Query(None)) -> ShopRecordList:  # type: ignore[valid-type]
    query = select(ShopRecord).where(ShopRecord.user_id == user.id)
    if kind is not None:
        query = query.where(ShopRecord.kind == kind)
    rows = db.scalars(query.order_by(ShopRecord.created_at.desc(), ShopRecord.id.desc()).limit(RECORDS_PER_PAGE))
    return ShopRecordList(records=[ShopRecordOut.of(row) for row in rows])


@router.get("/shop/records/{record_id}")
def get_record(record_id: RowId, user: ConsentedUser, db: DbSession) -> ShopRecordOut:
    return ShopRecordOut.of(owned(db, ShopRecord, record_id, user))


@router.patch("/shop/records/{record_id}")
def mark_record(record_id: RowId, body: RecordBody, user: ConsentedUser, db: DbSession) -> ShopRecordOut:
    row = owned(db, ShopRecord, record_id, user)
    store.change_shop_record(db, row, done=body.done)
    return ShopRecordOut.of(row)


@router.delete("/shop/records/{record_id}")
def delete_record(record_id: RowId, user: ConsentedUser, db: DbSession) -> dict:
    store.remove(db, owned(db, ShopRecord, record_id, user))
    return {"deleted": record_id}


@router.post("/shop/calls")
async def start_assistant_call(request: Request, user: ConsentedUser, db: DbSession) -> dict:
    """A call to the shop's assistant, answered in the owner's chosen voice: a ``join_url`` (and its QR code)
    opened in a browser with a microphone — by the owner to try the assistant, or sent to a customer.

    The link follows the rules of every call link (moksori.web.api.calls): 192 random bits, only its hash
    stored, one call, expiring after ``call_link_minutes``. A standing public link for the shop would let anyone
    hold the recogniser and the voice busy, with no way to tell the owner's customers from a flood; until calls
    have per-link rate limits the owner hands out one link per caller."""
    shop = await run_in_threadpool(store.shop_of, db, user.id)
    profile = check_profile(shop.profile_yaml)[0] if shop.profile_yaml else None
    if profile is None:
        raise HTTPException(409, _("Save your shop profile first: the assistant answers from it."))
    token, digest = new_token()
    call, live = await open_call(request, db, user, "assistant", shop.voice_id, digest)
    attach_assistant(registry_of(request), request.app.state.db.session, live, profile)
    url = f"{request.base_url}call/{token}"
    return {**call_json(call, live), "join_url": url, "qr_svg": qr_svg(url)}
