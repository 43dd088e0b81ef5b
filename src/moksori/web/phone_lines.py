"""Phone lines: one SIP phone (``moksori.calls.sip.SipPhone``, a worker process of its own) per user who set
up a SIP account, started when the user's calls page opens or a call is dialled, and registered with the
user's own registrar. Calls only go out through the user's own account: each line is built from that user's
settings alone, and the worker sends every call through the account's server.

Incoming calls ring the user's open pages (``subscribe``) until answered, declined or given up by the caller.
Dialling is limited per user per minute (``DialLimit``), so a stolen login or a runaway script cannot run up a
phone bill at the speed of the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from moksori.calls.endings import ENDED, NO_ANSWER
from moksori.calls.notice import call_notice
from moksori.calls.sip import SipCall, SipPhone, SipSettings

Listener = Callable[[dict], None]
PhoneFactory = Callable[[SipSettings, Callable[[SipCall], None]], SipPhone]


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
    def __init__(self, make_phone: PhoneFactory, bind_address: str, dials_per_minute: int) -> None:
        self.make_phone = make_phone
        self.bind_address = bind_address
        self.dial_limit = DialLimit(dials_per_minute)
        self.lines: dict[int, Line] = {}
        self._locks: dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def line(self, user_id: int, account: dict[str, str]) -> Line:
        """The user's line, started and registered (again, when the account changed since). Raises
        ``moksori.calls.sip.SipError`` in plain words when the registrar refuses the account."""
        async with self._locks[user_id]:
            line = self.lines.get(user_id)
            # A changed account registers afresh; a worker that stopped (a crash) is started again.
            if line is not None and (line.account != account or line.phone.returncode is not None):
                await self._stop(user_id)
                line = None
            if line is None:
                settings = SipSettings(listen=(self.bind_address, 0), account=account, allow_from=[])
                phone = self.make_phone(settings, lambda call: self._ring(user_id, call))
                await phone.start()
                line = self.lines[user_id] = Line(phone, account)
            if not line.phone.registered:
                try:
                    await line.phone.wait_registered()
                except Exception:
                    await self._stop(user_id)  # the next try starts afresh (a corrected password, a server back)
                    raise
            return line

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
        for user_id in list(self.lines):
            await self.close(user_id)

    def _ring(self, user_id: int, call: SipCall) -> None:
        line = self.lines.get(user_id)
        if line is None:
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
