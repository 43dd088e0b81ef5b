"""Pages for calls: the list of calls and transcripts, the user's call screen, and the far end's join page
(no account; the link is the key). The work is done by the JSON API (``moksori.web.api.calls``)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from moksori.calls.notice import CALL_NOTICE, ONE_MOMENT, QUICK_REPLIES
from moksori.calls.sip import EMERGENCY_NUMBERS
from moksori.web.api.common import owned
from moksori.web.api.deps import ConsentedUser, DbSession, RowId
from moksori.web.i18n import _
from moksori.web.live_calls import token_hash
from moksori.web.pages import error_page, render
from moksori.web.storage.models import Call, User

router = APIRouter(include_in_schema=False)


@router.get("/calls")
def calls_page(request: Request, user: ConsentedUser) -> HTMLResponse:
    return render(request, "calls.html", user, emergency_numbers=" ".join(sorted(EMERGENCY_NUMBERS)))


@router.get("/calls/{call_id}")
def call_page(call_id: RowId, request: Request, user: ConsentedUser,
              db: DbSession) -> HTMLResponse:
    call = owned(db, Call, call_id, user)
    return render(request, "call.html", user, call=call, one_moment=ONE_MOMENT.get(user.language, ONE_MOMENT["ko"]),
                  quick=QUICK_REPLIES.get(user.language, QUICK_REPLIES["ko"]))


@router.get("/call/{token}")
def join_page(token: str, request: Request, db: DbSession) -> HTMLResponse:
    """What the other person opens: the notice first, then a button to connect."""
    call = db.scalar(select(Call).where(Call.link_hash == token_hash(token)))
    if call is None:
        return error_page(request, 404, _("This call link is not valid or was already used. Ask for a new link."))
    expires = call.link_expires_at if call.link_expires_at.tzinfo else call.link_expires_at.replace(tzinfo=UTC)
    if expires < datetime.now(UTC):
        return error_page(request, 410, _("This call link has expired. Ask for a new link."))
    caller = db.get(User, call.user_id)
    return render(request, "farend.html", None, token=token, notice=CALL_NOTICE,
                  caller=caller.display_name or "Moksori")
