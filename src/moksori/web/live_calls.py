"""The calls and conversations running in this server process, and the storing of their transcripts.

A live call is a ``moksori.calls.CallSession`` (and, for a browser call, its ``WebRtcLink``) kept in memory
by ``CallRegistry``; its rows (``Call``, ``CallLine``) are in the database. Every transcript line is written
as soon as it is complete, by a task of its own in a worker thread (never on the event loop), so a dropped
connection or a crash loses at most the line being spoken. Live state lives in this one process, like the
rest of the app (one server process); a restart ends the calls that were running (``end_orphaned_calls``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from moksori.calls.endings import EXPIRED, SERVER_RESTARTED
from moksori.web import store
from moksori.web.storage.db import Database

log = logging.getLogger(__name__)
TOKEN_BYTES = 24  # 192 bits: join links and socket tickets cannot be guessed
TICKET_SECONDS = 60


def new_token() -> tuple[str, str]:
    """A random URL-safe token and the SHA-256 that is stored instead of it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class LiveCall:
    call_id: int
    user_id: int
    mode: str
    session: Any  # moksori.calls.CallSession
    link: Any = None  # moksori.calls.WebRtcLink once the far end joined; a phone call's SipLink
    listener: Any = None  # moksori.calls.webrtc.ListenLink: the user's page playing the far end's audio
    ticket_hash: str | None = None  # conversation mode: the page's one-time socket ticket
    ticket_expires: float = 0.0
    lines: asyncio.Queue = field(default_factory=asyncio.Queue)
    writer: asyncio.Task | None = None
    expiry: asyncio.TimerHandle | None = None


class CallRegistry:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.calls: dict[int, LiveCall] = {}

    def get(self, call_id: int) -> LiveCall | None:
        return self.calls.get(call_id)

    async def open(self, call_id: int, user_id: int, mode: str, session: Any, link_seconds: float) -> LiveCall:
        """Start ``session`` for the call row ``call_id``; its lines are stored from now on."""
        live = LiveCall(call_id, user_id, mode, session)
        self.calls[call_id] = live
        session.subscribe(lambda event: live.lines.put_nowait(event) if event["type"] == "line" else None)
        live.writer = asyncio.create_task(self._write_lines(live))
        await session.start(listen=True)
        if mode != "conversation":
            # Nobody joined in time: the call ends with its link.
            live.expiry = asyncio.get_running_loop().call_later(
                link_seconds, lambda: asyncio.ensure_future(self.end(call_id, EXPIRED)))
        return live

    def new_ticket(self, live: LiveCall) -> str:
        token, digest = new_token()
        live.ticket_hash, live.ticket_expires = digest, time.monotonic() + TICKET_SECONDS
        return token

    def spend_ticket(self, live: LiveCall, ticket: str) -> bool:
        """True once for the current ticket, within its minute."""
        ok = (live.ticket_hash is not None and secrets.compare_digest(live.ticket_hash, token_hash(ticket))
              and time.monotonic() < live.ticket_expires)
        if ok:
            live.ticket_hash = None
        return ok

    async def join(self, live: LiveCall, link: Any, offer_sdp: str) -> str:
        """Connect the far end's browser; the notice is said first. Returns the SDP answer."""
        answer = await link.answer(offer_sdp)
        live.link = link
        if live.expiry:
            live.expiry.cancel()
        return answer

    async def mark_joined(self, call_id: int) -> None:
        """The far end answered (a phone call): the row becomes active and the pages are told. The call has
        begun, so it no longer ends when its link would have expired."""
        await run_in_threadpool(self._mark_joined, call_id)
        if live := self.calls.get(call_id):
            if live.expiry:
                live.expiry.cancel()
            live.session.announce({"type": "joined", "status": "active"})

    async def listen(self, live: LiveCall, link: Any, offer_sdp: str) -> str:
        """Play the far end's audio on the user's page (a reloaded page replaces its earlier connection)."""
        answer = await link.answer(offer_sdp)
        if live.listener is not None:
            await live.listener.close()
        live.listener = link
        return answer

    async def end(self, call_id: int, reason: str) -> None:
        """Hang up: close the session and its transport, store what is left, mark the row ended with ``reason``
        (a ``moksori.calls.endings`` code, worded only when shown)."""
        live = self.calls.pop(call_id, None)
        if live is None:
            return
        if live.expiry:
            live.expiry.cancel()
        for link in (live.link, live.listener):
            if link is not None:
                await link.close()
        await live.session.close(reason)
        live.lines.put_nowait(None)
        if live.writer:
            await live.writer
        await run_in_threadpool(self._mark_ended, call_id, reason)

    async def end_user(self, user_id: int, reason: str) -> None:
        for call_id in [c.call_id for c in self.calls.values() if c.user_id == user_id]:
            await self.end(call_id, reason)

    async def end_all(self, reason: str) -> None:
        for call_id in list(self.calls):
            await self.end(call_id, reason)

    async def _write_lines(self, live: LiveCall) -> None:
        while True:
            event = await live.lines.get()
            if event is None:
                return
            with contextlib.suppress(SQLAlchemyError):  # the user deleted the call (or all data) meanwhile
                await run_in_threadpool(self._store_line, live, event)

    def _store_line(self, live: LiveCall, event: dict) -> None:
        with self.db.session() as db:
            store.add_call_line(db, live.call_id, live.user_id, event)

    def _mark_joined(self, call_id: int) -> None:
        with self.db.session() as db:
            store.mark_call_answered(db, call_id)

    def _mark_ended(self, call_id: int, reason: str) -> None:
        with self.db.session() as db:
            store.end_calls(db, reason, call_id)


def end_orphaned_calls(db: Database) -> None:
    """At start-up: calls left running by a previous server process are over (their lines are stored)."""
    with db.session() as session:
        store.end_calls(session, SERVER_RESTARTED)
