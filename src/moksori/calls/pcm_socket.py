"""Face-to-face conversation over one WebSocket (or anything that carries binary and text messages).

From the page: binary messages are the device microphone as 16-bit little-endian mono PCM at ``in_rate``;
text messages are JSON commands ``{"type": "say", "text": ...}`` and ``{"type": "stop"}``.
To the page: first ``{"type": "hello", "rate": OUT_RATE, "captions": bool}``, then binary messages with the user's voice
(16-bit PCM at ``OUT_RATE``, one 20 ms frame each, sent at the pace they play, so the session knows when its
own voice is in the room and can gate the captions), and every session event as JSON text, as ``shown`` gives it
(the web app words codes there in the page's language). What the link itself refuses (a message that is not a
command, text over ``max_chars``, an unknown command, text ``say`` refuses) is a ``problem`` event with a
``moksori.calls.call_problems`` code.

The link is written against plain callables, so it runs under any server (Starlette's WebSocket, a test).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable

from moksori.audio.framing import pcm16_bytes, pcm16_samples
from moksori.calls import call_problems as problems
from moksori.calls.pacing import FrameClock
from moksori.calls.session import OUT_RATE, CallSession, Event
from moksori.errors import PlainError

Receive = Callable[[], Awaitable[bytes | str | None]]  # None: the socket closed


class PcmSocketLink:
    def __init__(
        self,
        session: CallSession,
        send_bytes: Callable[[bytes], Awaitable[None]],
        send_text: Callable[[str], Awaitable[None]],
        in_rate: int = 16000,
        max_chars: int = 1000,
        shown: Callable[[Event], Event] = lambda event: event,
    ) -> None:
        self.session = session
        self.in_rate = in_rate
        self.max_chars = max_chars
        self._send_bytes, self._send_text, self._shown = send_bytes, send_text, shown
        self._events: asyncio.Queue[Event] = asyncio.Queue()
        self.clock = FrameClock()

    async def run(self, receive: Receive) -> None:
        """Serve until the page closes the socket or the session ends."""
        unsubscribe = self.session.subscribe(self._events.put_nowait)
        sender = asyncio.create_task(self._send())
        try:
            await self._send_text(json.dumps({"type": "hello", "rate": OUT_RATE,
                                              "captions": self.session.captions_available}))
            while not self.session.closed:
                message = await receive()
                if message is None:
                    return
                if isinstance(message, bytes):
                    if len(message) % 2 == 0 and message:
                        self.session.hear(pcm16_samples(message), self.in_rate)
                else:
                    await self._command(message)
        finally:
            unsubscribe()
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender

    async def _command(self, message: str) -> None:
        try:
            command = json.loads(message)
            kind = command.get("type")
        except (ValueError, AttributeError):
            return await self._problem(problems.NOT_UNDERSTOOD)
        if kind == "stop":
            self.session.stop()
        elif kind == "say":
            text = str(command.get("text", ""))
            if len(text) > self.max_chars:
                return await self._problem(problems.TEXT_TOO_LONG, length=len(text), limit=self.max_chars)
            try:
                self.session.say(text)
            except (PlainError, problems.CallEnded) as error:
                await self._problem(error.code, **error.params)
        else:
            await self._problem(problems.UNKNOWN_COMMAND, command=repr(kind))

    async def _problem(self, code: str, **params: object) -> None:
        await self._send_event(problems.problem_event(code, **params))

    async def _send_event(self, event: Event) -> None:
        await self._send_text(json.dumps(self._shown(event), ensure_ascii=False))

    async def _send(self) -> None:
        """Every 20 ms: pending events, then the next frame of the user's voice if there is one."""
        self.clock.restart()
        while True:
            while not self._events.empty():
                await self._send_event(self._events.get_nowait())
            frame = self.session.next_frame()
            if frame is not None:
                await self._send_bytes(pcm16_bytes(frame))
            await self.clock.tick()
