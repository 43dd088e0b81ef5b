"""The owner's shop page: the dashboard of what the call assistant took (bookings, orders, messages, calls),
the shop profile and the assistant's voice. Changes go through the JSON API (``moksori.web.api.shop``)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from moksori.web import store
from moksori.web.api.deps import ConsentedUser, DbSession
from moksori.web.api.shop import RECORDS_PER_PAGE
from moksori.web.pages import render
from moksori.web.shop_phone import MAX_RINGS
from moksori.web.shops import EXAMPLE_PROFILE, check_profile
from moksori.web.sip_accounts import find_sip_account
from moksori.web.storage.models import SHOP_RECORD_KINDS, ShopRecord, Voice

router = APIRouter(include_in_schema=False)


@router.get("/shop")
def shop_page(request: Request, user: ConsentedUser, db: DbSession) -> HTMLResponse:
    shop = store.shop_of(db, user.id)
    rows = db.scalars(select(ShopRecord).where(ShopRecord.user_id == user.id)
                      .order_by(ShopRecord.created_at.desc(), ShopRecord.id.desc()).limit(RECORDS_PER_PAGE))
    records: dict[str, list[ShopRecord]] = {kind: [] for kind in SHOP_RECORD_KINDS}
    for row in rows:
        records[row.kind].append(row)
    profile = check_profile(shop.profile_yaml)[0] if shop.profile_yaml else None
    zone = profile.zone if profile else ZoneInfo("Asia/Seoul")

    def local_time(moment: datetime) -> str:
        """When a record came in, in the shop's own time zone (SQLite hands back times without a zone)."""
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone).strftime("%Y-%m-%d %H:%M")

    voices = db.scalars(select(Voice).where(Voice.user_id == user.id).order_by(Voice.version.desc())).all()
    line_state, line_problem = request.app.state.phone_lines.status(user.id)
    return render(request, "shop.html", user, shop=shop, records=records, voices=voices,
                  profile_yaml=shop.profile_yaml or EXAMPLE_PROFILE, local_time=local_time,
                  sip_account=find_sip_account(db, user) is not None, line_state=line_state,
                  line_problem=line_problem, max_rings=MAX_RINGS)
