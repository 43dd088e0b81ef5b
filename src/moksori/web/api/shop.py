"""The owner's shop (docs/assistant.md): its profile, the voice its call assistant answers in, and what the
assistant took for the owner — bookings, orders, messages, calls — newest first, to tick off or delete."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from moksori.web import store
from moksori.web.api.common import owned
from moksori.web.api.deps import ConsentedUser, DbSession, RowId
from moksori.web.i18n import _
from moksori.web.schemas import shop_json, shop_record_json
from moksori.web.shops import MAX_PROFILE_CHARS, check_profile
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


@router.get("/shop")
def get_shop(user: ConsentedUser, db: DbSession) -> dict:
    return shop_json(store.shop_of(db, user.id))


@router.put("/shop/profile")
def put_profile(body: ProfileBody, user: ConsentedUser, db: DbSession) -> dict:
    """Saves the profile when it is valid; otherwise 422 with every problem at once, and the saved one stays."""
    _profile, problems, ignored = check_profile(body.profile_yaml)
    if problems:
        # One problem a line after the message, so every client shows them all as they are.
        raise HTTPException(422, "\n".join([_("The profile was not saved: fix these problems first."), *problems]))
    shop = store.shop_of(db, user.id)
    store.save_shop_profile(db, shop, body.profile_yaml)
    return {**shop_json(shop), "ignored": ignored}


@router.put("/shop/voice")
def put_voice(body: VoiceBody, user: ConsentedUser, db: DbSession) -> dict:
    if body.voice_id is not None:
        owned(db, Voice, body.voice_id, user)
    shop = store.shop_of(db, user.id)
    store.choose_shop_voice(db, shop, body.voice_id)
    return shop_json(shop)


@router.get("/shop/records")
def list_records(user: ConsentedUser, db: DbSession,
                 kind: Literal[SHOP_RECORD_KINDS] | None = Query(None)) -> dict:  # type: ignore[valid-type]
    query = select(ShopRecord).where(ShopRecord.user_id == user.id)
    if kind is not None:
        query = query.where(ShopRecord.kind == kind)
    rows = db.scalars(query.order_by(ShopRecord.created_at.desc(), ShopRecord.id.desc()).limit(RECORDS_PER_PAGE))
    return {"records": [shop_record_json(row) for row in rows]}


@router.get("/shop/records/{record_id}")
def get_record(record_id: RowId, user: ConsentedUser, db: DbSession) -> dict:
    return shop_record_json(owned(db, ShopRecord, record_id, user))


@router.patch("/shop/records/{record_id}")
def mark_record(record_id: RowId, body: RecordBody, user: ConsentedUser, db: DbSession) -> dict:
    row = owned(db, ShopRecord, record_id, user)
    store.change_shop_record(db, row, done=body.done)
    return shop_record_json(row)


@router.delete("/shop/records/{record_id}")
def delete_record(record_id: RowId, user: ConsentedUser, db: DbSession) -> dict:
    store.remove(db, owned(db, ShopRecord, record_id, user))
    return {"deleted": record_id}
