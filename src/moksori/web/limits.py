"""Limits enforced before a request reaches any route: the size of a request body, counted while
it arrives (chunked bodies too), and how many requests and progress streams one user may have in
flight. Both are plain ASGI middleware and run on the event loop without a thread or a database
connection, so refusing a flood costs almost nothing. With Redis configured the budget is kept
there, shared by every server process."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from collections import Counter

import redis
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from moksori.web.i18n import _
from moksori.web.security import SESSION_COOKIE
from moksori.web.settings import Settings
from moksori.web.shared_state import SharedState

log = logging.getLogger(__name__)

RETRY_AFTER_S = 1
# How many session tokens the limiter remembers the user of; old entries are simply dropped
# (their requests then count per session until the user is seen again).
REMEMBERED_SESSIONS = 10_000


def _mebibytes(size: int) -> str:
    return f"{size / 2**20:.0f}"


def too_large(limit: int, size: int | None = None) -> str:
    """Why an upload is refused, in the request's language: ``LanguageMiddleware`` wraps these limits
    (``moksori.web.app``), so the language is known before a byte of the body is read."""
    if size:
        return _("The upload is %(size)s MiB; the limit is %(limit)s MiB.", size=_mebibytes(size),
                 limit=_mebibytes(limit))
    return _("The upload is too large; the limit is %(limit)s MiB.", limit=_mebibytes(limit))


class BodySizeLimit:
    """Refuse bodies over ``settings.max_upload_bytes``: at once from a declared length, else as
    soon as the bytes received pass the limit, before the rest is read or stored. Then the app
    is told the client has gone, so it stops reading, and whatever it answers is dropped."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.settings.max_upload_bytes
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _send_json(send, 413, {"detail": too_large(limit, int(declared))})
            return
        received, started, refused = 0, False, False

        async def counted_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit and not started:
                    refused = True
                    await _send_json(send, 413, {"detail": too_large(limit)})
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counted_receive, guarded_send)


def _session_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class RequestBudget:
    """Requests and progress streams in flight, per user (or per address before login), counted in
    this process.

    Requests are attributed to a user through their session cookie; ``remember`` (called once a
    session is resolved) maps every session of one user to the same budget. ``admit`` gives a
    ticket that ``release`` hands back, or None when the user is over their share.
    """

    def __init__(self, settings: Settings) -> None:
        self.max_requests, self.max_streams = settings.max_requests_per_user, settings.max_streams_per_user
        self.in_flight: Counter[str] = Counter()
        self.streams: Counter[str] = Counter()
        self.users: dict[str, int] = {}

    def remember(self, session_token: str, user_id: int) -> None:
        if len(self.users) >= REMEMBERED_SESSIONS:
            self.users.clear()
        self.users[_session_key(session_token)] = user_id

    async def user_of(self, session: str) -> int | None:
        return self.users.get(session)

    async def key(self, scope: Scope) -> str:
        for name, value in scope["headers"]:
            if name == b"cookie":
                for part in value.decode("latin-1").split(";"):
                    cookie, _, token = part.strip().partition("=")
                    if cookie == SESSION_COOKIE and token:
                        session = _session_key(token)
                        user = await self.user_of(session)
                        return f"user:{user}" if user is not None else f"session:{session}"
        client = scope.get("client")
        return f"address:{client[0] if client else 'unknown'}"

    async def admit(self, key: str, stream: bool) -> str | None:
        if self.in_flight[key] >= self.max_requests or (stream and self.streams[key] >= self.max_streams):
            return None
        self.in_flight[key] += 1
        self.streams[key] += stream
        return key

    async def release(self, key: str, stream: bool, ticket: str) -> None:
        self.in_flight[key] -= 1
        self.streams[key] -= stream
        for counter in (self.in_flight, self.streams):
            if counter[key] <= 0:
                counter.pop(key, None)


# A ticket older than this is dropped from a shared budget: what a server process that died held
# must not count against its user for ever. Longer than any request or progress stream lasts.
SHARED_TICKET_SECONDS = 900
SESSION_MEMORY_SECONDS = 24 * 3600
# Atomically: forget stale tickets, refuse when the user's requests (or streams) are at the limit,
# else add the ticket. KEYS: requests, streams. ARGV: now, max age, max requests, max streams,
# ticket, 1 for a stream.
_ADMIT = """
local oldest = tonumber(ARGV[1]) - tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', oldest)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
if ARGV[6] == '1' then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', oldest)
  if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return 0 end
  redis.call('ZADD', KEYS[2], ARGV[1], ARGV[5])
  redis.call('EXPIRE', KEYS[2], ARGV[2])
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[5])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""


class SharedRequestBudget(RequestBudget):
    """The same budget kept in Redis, so it holds over every server process (``serve --workers N``,
    several machines): tickets in a sorted set per user, sessions mapped to users for a day. If
    Redis does not answer, requests are let through (and logged) rather than refused."""

    def __init__(self, settings: Settings, shared: SharedState) -> None:
        super().__init__(settings)
        self.shared = shared

    def remember(self, session_token: str, user_id: int) -> None:
        session = _session_key(session_token)
        if self.users.get(session) != user_id:
            try:
                self.shared.client.set(self.shared.key("session", session), user_id, ex=SESSION_MEMORY_SECONDS)
            except redis.RedisError:
                log.warning("could not share a session's user through Redis", exc_info=True)
        super().remember(session_token, user_id)

    async def user_of(self, session: str) -> int | None:
        user = self.users.get(session)
        if user is None:
            try:
                found = await self.shared.loop_client().get(self.shared.key("session", session))
            except redis.RedisError:
                return None
            if found is not None:
                user = self.users[session] = int(found)
        return user

    async def admit(self, key: str, stream: bool) -> str | None:
        ticket = secrets.token_hex(8)
        try:
            admitted = await self.shared.loop_client().eval(
                _ADMIT, 2, self.shared.key("requests", key), self.shared.key("streams", key), time.time(),
                SHARED_TICKET_SECONDS, self.max_requests, self.max_streams, ticket, int(stream))
        except redis.RedisError:
            log.warning("request limits unavailable (Redis); letting the request through", exc_info=True)
            return ticket
        return ticket if admitted else None

    async def release(self, key: str, stream: bool, ticket: str) -> None:
        try:
            client = self.shared.loop_client()
            await client.zrem(self.shared.key("requests", key), ticket)
            if stream:
                await client.zrem(self.shared.key("streams", key), ticket)
        except redis.RedisError:  # the ticket ages out instead
            log.warning("could not release a request's ticket in Redis", exc_info=True)


def request_budget(settings: Settings, shared: SharedState | None) -> RequestBudget:
    return SharedRequestBudget(settings, shared) if shared else RequestBudget(settings)


class RequestLimiter:
    """Answers a user's requests beyond their ``RequestBudget`` with 429 and ``Retry-After`` at once,
    so one runaway tab never holds the thread pool or the database pool that everyone else needs."""

    def __init__(self, app: ASGIApp, budget: RequestBudget) -> None:
        self.app, self.budget = app, budget

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        key, stream = await self.budget.key(scope), scope["path"].endswith("/events")
        ticket = await self.budget.admit(key, stream)
        if ticket is None:
            # In the request's language, like ``too_large``: the language is set outside this middleware.
            detail = (_("Too many progress streams at once from your account; try again in a moment.") if stream
                      else _("Too many requests at once from your account; try again in a moment."))
            await _send_json(send, 429, {"detail": detail}, {"retry-after": str(RETRY_AFTER_S)})
            return
        try:
            await self.app(scope, receive, send)
        finally:
            await self.budget.release(key, stream, ticket)


async def _send_json(send: Send, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
           (b"cache-control", b"no-store")]
    raw += [(name.encode(), value.encode()) for name, value in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})
