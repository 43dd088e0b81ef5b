"""Face-to-face conversation over one WebSocket (or anything that carries binary and text messages).

From the page: binary messages are the device microphone as 16-bit little-endian mono PCM at ``in_rate``;
text messages are JSON commands ``{"type": "say", "text": ...}`` and ``{"type": "stop"}``.
To the page: first ``{"type": "hello", "rate": OUT_RATE, "captions": bool}``, then binary messages with the user's voice
(16-bit PCM at ``OUT_RATE``, one 20 ms frame each, sent at the pace they play, so the session knows when its
own voice is in the room and can gate the captions), and every session event as JSON text.

The link is written against three callables, so it runs under any server (Starlette's WebSocket, a test).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable

from moksori.audio.framing import pcm16_bytes, pcm16_samples
from moksori.calls.pacing import FrameClock
from moksori.calls.session import OUT_RATE, CallSession, Event

Receive = Callable[[], Awaitable[bytes | str | None]]  # None: the socket closed


class PcmSocketLink:
    def __init__(
        self,
        session: CallSession,
        send_bytes: Callable[[bytes], Awaitable[None]],
        send_text: Callable[[str], Awaitable[None]],
        in_rate: int = 16000,
        max_chars: int = 1000,
    ) -> None:
        self.session = session
        self.in_rate = in_rate
        self.max_chars = max_chars
        self._send_bytes, self._send_text = send_bytes, send_text
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
            return await self._problem("That message was not understood.")
        if kind == "stop":
            self.session.stop()
        elif kind == "say":
            text = str(command.get("text", ""))
            if len(text) > self.max_chars:
                return await self._problem(
                    f"That text is {len(text)} characters long; at most {self.max_chars} are spoken at a time. "
                    f"한 번에 {self.max_chars}자까지 말할 수 있습니다.")
            try:
                self.session.say(text)
            except (ValueError, RuntimeError) as error:
                await self._problem(str(error))
        else:
            await self._problem(f"Unknown command {kind!r}.")

    async def _problem(self, message: str) -> None:
        await self._send_text(json.dumps({"type": "problem", "message": message}, ensure_ascii=False))

    async def _send(self) -> None:
        """Every 20 ms: pending events, then the next frame of the user's voice if there is one."""
        self.clock.restart()
        while True:
            while not self._events.empty():
                await self._send_text(json.dumps(self._events.get_nowait(), ensure_ascii=False))
            frame = self.session.next_frame()
            if frame is not None:
                await self._send_bytes(pcm16_bytes(frame))
            await self.clock.tick()
