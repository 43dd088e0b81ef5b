"""Phone lines: one SIP phone (``moksori.calls.sip.SipPhone``, a worker process of its own) per user who set
up a SIP account, registered with the user's own registrar. ``keep`` holds a line up in the background from
the server's start (and from when the account is saved): a registrar that refuses or does not answer, or a
worker that stops, is tried again later, waiting longer each time, without holding up anything else. Calls
only go out through the user's own account: each line is built from that user's settings alone, and the
worker sends every call through the account's server.

An incoming call is first offered to ``answerer`` (the shop's call assistant, when the owner switched it on
for the line); otherwise it rings the user's open pages (``subscribe``) until answered, declined or given up
by the caller.
Dialling is limited per user per minute (``DialLimit``), so a stolen login or a runaway script cannot run up a
phone bill at the speed of the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import secrets
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from starlette.concurrency import run_in_threadpool

from moksori.calls.endings import ENDED, NO_ANSWER
from moksori.calls.notice import call_notice
from moksori.calls.sip import SipCall, SipError, SipPhone, SipSettings
from moksori.web.messages import sip_problem_words

log = logging.getLogger(__name__)
Listener = Callable[[dict], None]
PhoneFactory = Callable[[SipSettings, Callable[[SipCall], None]], SipPhone]
# Takes an incoming call of the user's line (True) or leaves it to ring the user's pages (False).
Answerer = Callable[[int, SipCall], Awaitable[bool]]
RETRY_FIRST_S = 5.0  # a line that could not register is tried again after this, then twice as long each time …
RETRY_MAX_S = 300.0  # … up to this


def claim_start_up_lines(data_dir: Path) -> IO[bytes] | None:
    """The lock that lets one server process keep every line from the start (``moksori serve --workers N``
    runs N processes on one data folder): a second registration of the same account would make the registrar
    ring both, and both would answer. Returns the open lock file, to hold for the process's life, or None
    when another process holds it. A POSIX record lock (``lockf``) belongs to the process, so an app started
    again in the same process takes it again."""
    lock = open(data_dir / "phone-lines.lock", "wb")  # noqa: SIM115 - held open for the process's life
    try:
        fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        return None
    return lock


class TooManyDials(Exception):
    def __init__(self, wait_seconds: float) -> None:
        super().__init__(f"the next call attempt is allowed in {wait_seconds:.1f} s")
        self.wait_seconds = wait_seconds


class DialLimit:
    """At most ``per_minute`` call attempts per user in any 60 seconds. Only an attempt that reaches the SIP
    stack counts: one refused before a call is placed (no SIP account, not a number, no voice) costs nothing."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._attempts: dict[int, deque[float]] = defaultdict(deque)

    @contextlib.contextmanager
    def attempt(self, user_id: int) -> Iterator[None]:
        """Count one attempt for the block, or raise ``TooManyDials`` with how long until the next is allowed.
        The attempt is counted as the block starts, so concurrent attempts cannot slip past the limit together,
        and taken back if the block raises (the call was not placed)."""
        now = time.monotonic()
        attempts = self._attempts[user_id]
        while attempts and attempts[0] <= now - 60:
            attempts.popleft()
        if len(attempts) >= self.per_minute:
            raise TooManyDials(attempts[0] + 60 - now)
        attempts.append(now)
        try:
            yield
        except BaseException:
            with contextlib.suppress(ValueError):  # already a minute old and dropped
                attempts.remove(now)
            raise


@dataclass
class Line:
    phone: SipPhone
    account: dict[str, str]
    listeners: list[Listener] = field(default_factory=list)
    ringing: dict[str, SipCall] = field(default_factory=dict)  # ring id -> incoming call not answered yet


class PhoneLines:
    def __init__(self, make_phone: PhoneFactory, bind_address: str, dials_per_minute: int,
                 answerer: Answerer | None = None) -> None:
        self.make_phone = make_phone
        self.bind_address = bind_address
        self.dial_limit = DialLimit(dials_per_minute)
        self.answerer = answerer
        self.lines: dict[int, Line] = {}
        self.problems: dict[int, Exception] = {}  # why a kept line is not registered now
        self.retry_first_s = RETRY_FIRST_S
        self._locks: dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._keepers: dict[int, asyncio.Task] = {}

    async def keep(self, user_id: int, account: dict[str, str]) -> None:
        """Hold the user's line up with ``account`` from now on, in the background (see the module's notes);
        a line kept with another account before is closed first."""
        self._forget_keeper(user_id)
        self._keepers[user_id] = asyncio.create_task(self._keep(user_id, account))

    async def keep_all(self, accounts: Callable[[], dict[int, dict[str, str]]]) -> None:
        """Keep the line of every user ``accounts()`` lists (read in a worker thread: it opens the database)."""
        for user_id, account in (await run_in_threadpool(accounts)).items():
            await self.keep(user_id, account)

    async def drop(self, user_id: int) -> None:
        """The user's account is gone: stop keeping the line, and close it."""
        self._forget_keeper(user_id)
        await self.close(user_id)

    def _forget_keeper(self, user_id: int) -> None:
        self.problems.pop(user_id, None)
        keeper = self._keepers.pop(user_id, None)
        if keeper is not None:
            keeper.cancel()  # a line it is starting is closed as the cancellation reaches it (``line``)

    async def _keep(self, user_id: int, account: dict[str, str]) -> None:
        wait = self.retry_first_s
        while True:
            try:
                line = await self.line(user_id, account)
            except Exception as error:  # a refusal, a registrar that is down, a worker that would not start
                self.problems[user_id] = error
                log.warning("The SIP line of user %s is not registered (%s); trying again in %.0f s.",
                            user_id, error, wait, exc_info=not isinstance(error, SipError))
                await asyncio.sleep(wait)
                wait = min(wait * 2, RETRY_MAX_S)
                continue
            self.problems.pop(user_id, None)
            wait = self.retry_first_s
            await line.phone.stopped.wait()
            log.warning("The SIP line of user %s stopped; starting it again in %.0f s.", user_id, wait)
            await asyncio.sleep(wait)  # a worker that keeps crashing is not restarted in a tight loop

    async def line(self, user_id: int, account: dict[str, str]) -> Line:
        """The user's line, started and registered (again, when the account changed since). Raises
        ``moksori.calls.sip.SipError`` (with its problem code) when the registrar refuses the account."""
        async with self._locks[user_id]:
            line = self.lines.get(user_id)
            # A changed account registers afresh; a worker that stopped (a crash) is started again.
            if line is not None and (line.account != account or line.phone.returncode is not None):
                await self._stop(user_id)
                line = None
            if line is None:
                settings = SipSettings(listen=(self.bind_address, 0), account=account, allow_from=[])
                phone = self.make_phone(settings, lambda call: self._incoming(user_id, call))
                try:
                    await phone.start()
                except asyncio.CancelledError:  # the account changed or went meanwhile: no worker left behind
                    await phone.close()
                    raise
                line = self.lines[user_id] = Line(phone, account)
            if not line.phone.registered:
                try:
                    await line.phone.wait_registered()
                except Exception:
                    await self._stop(user_id)  # the next try starts afresh (a corrected password, a server back)
                    raise
            return line

    def status(self, user_id: int) -> tuple[str, str | None]:
        """How the user's line stands now: ``registered``, ``starting``, ``problem`` (with why, in the interface
        language) or ``none``."""
        line = self.lines.get(user_id)
        if line is not None and line.phone.registered:
            return "registered", None
        if user_id in self.problems:
            return "problem", sip_problem_words(self.problems[user_id])
        if line is not None or user_id in self._keepers:
            return "starting", None
        return "none", None

    def subscribe(self, user_id: int, listener: Listener) -> Callable[[], None]:
        """``listener`` gets ``ringing`` and ``ring_ended`` events of the user's line; returns the unsubscribe."""
        line = self.lines[user_id]
        line.listeners.append(listener)
        for event in self.ringing_now(user_id):  # a page opened while the phone rings
            listener(event)
        return lambda: line.listeners.remove(listener) if listener in line.listeners else None

    def ringing_now(self, user_id: int) -> list[dict[str, Any]]:
        line = self.lines.get(user_id)
        return [{"type": "ringing", "ring_id": ring_id, "caller": call.caller}
                for ring_id, call in (line.ringing.items() if line else ())]

    def take_ringing(self, user_id: int, ring_id: str) -> SipCall | None:
        """The ringing call ``ring_id`` of this user (and no other), taken off the ringing list."""
        line = self.lines.get(user_id)
        call = line.ringing.pop(ring_id, None) if line else None
        if call is not None:
            self._tell(line, {"type": "ring_ended", "ring_id": ring_id})
        return call

    async def close(self, user_id: int) -> None:
        async with self._locks[user_id]:
            await self._stop(user_id)

    async def close_all(self) -> None:
        for user_id in list(self._keepers):
            self._forget_keeper(user_id)
        for user_id in list(self.lines):
            await self.close(user_id)

    def _incoming(self, user_id: int, call: SipCall) -> None:
        if user_id in self.lines:
            asyncio.ensure_future(self._route(user_id, call))

    async def _route(self, user_id: int, call: SipCall) -> None:
        """The assistant answers if the user wants it to (and it can); otherwise the user's pages ring."""
        if self.answerer is not None:
            try:
                if await self.answerer(user_id, call):
                    return
            except Exception:  # the pages ring instead: a call is never lost to a fault of the assistant's
                log.exception("The assistant could not take a call of user %s; ringing the pages.", user_id)
        self._ring(user_id, call)

    def _ring(self, user_id: int, call: SipCall) -> None:
        line = self.lines.get(user_id)
        if line is None or call.state != "ringing":
            return
        ring_id = secrets.token_urlsafe(12)
        line.ringing[ring_id] = call
        self._tell(line, {"type": "ringing", "ring_id": ring_id, "caller": call.caller})
        asyncio.ensure_future(self._until_caller_gives_up(user_id, ring_id, call))

    async def _until_caller_gives_up(self, user_id: int, ring_id: str, call: SipCall) -> None:
        with contextlib.suppress(TimeoutError):
            await call.wait_until("connected", "ended", timeout=120)
        if call.state == "ringing":
            await call.hang_up(NO_ANSWER)
        line = self.lines.get(user_id)
        if line is not None and line.ringing.pop(ring_id, None) is not None:
            self._tell(line, {"type": "ring_ended", "ring_id": ring_id})

    @staticmethod
    def _tell(line: Line, event: dict[str, Any]) -> None:
        for listener in list(line.listeners):
            listener(event)

    async def _stop(self, user_id: int) -> None:
        line = self.lines.pop(user_id, None)
        if line is not None:
            self._tell(line, {"type": "line_closed"})
            await line.phone.close()


class SipLink:
    """A phone call as a live call's link (``moksori.web.live_calls.LiveCall.link``): closing it hangs up."""

    def __init__(self, call: SipCall) -> None:
        self.call = call

    @property
    def state(self) -> str:
        """Where the call stands, for a call screen opened at any moment (the state events before it opened
        are gone): calling, ringing (at the far end), answering (an incoming call being picked up), connected
        or ended."""
        if self.call.caller is not None and self.call.state == "ringing":
            return "answering"
        return self.call.state

    def press(self, keys: str) -> None:
        """Keys for a phone menu, as RFC 4733 telephone events (``ValueError`` for anything but 0-9 * # A-D,
        ``SipError`` before the call is connected)."""
        self.call.send_dtmf(keys)

    async def close(self) -> None:
        await self.call.hang_up()
        with contextlib.suppress(TimeoutError):
            await self.call.wait_until("ended", timeout=5)


def connect_phone_call(registry: Any, live: Any, call: SipCall, language: str) -> None:
    """Tie a SIP call to its live call (``moksori.web.live_calls``): once the far end answers, the notice is
    said first and the row becomes active; when the SIP call ends, whichever side hung up, the live call ends
    with the SIP call's reason."""
    live.link = SipLink(call)
    call.attach(live.session)

    def on_event(event: dict) -> None:
        if event["type"] != "sip":
            return
        if event["state"] == "connected":
            live.session.say(call_notice(language), first=True)
            asyncio.ensure_future(registry.mark_joined(live.call_id))
        elif event["state"] == "ended":
            asyncio.ensure_future(registry.end(live.call_id, event.get("reason") or ENDED))

    live.session.subscribe(on_event)
