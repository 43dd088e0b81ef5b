"""The assistant on a live call: the caller's speech through the streaming recogniser, the dialogue, and the
answer in the owner's voice — on a :class:`moksori.calls.session.CallSession`, whatever carries its audio
(the browser's WebRTC link, later SIP). Nothing here knows of networks or of the web app.

- The greeting is said once the caller is connected (``begin``); it tells them this is an automated assistant.
- Each **final** caption of the caller is one turn: ``Call.respond`` runs in the line's own thread (one turn
  at a time, in order; the dialogue may write to a database), and its answer is queued in the owner's voice.
- When the caption does not answer the question asked (a yes/no, a phone number, a time …), the same
  stretch of the caller's audio is recognised again under a grammar of the expected answers, and taken when
  that hears one whole answer (``Call.heard``), as ``simulate --speech`` does.
- **Barge-in:** a partial caption with words while the assistant is speaking stops it at once (one frame
  fading out), so the caller is heard rather than talked over; what they say is then the next turn. Not
  before the greeting has begun to play: the caller's first words ("여보세요?") must not cut away the
  sentences that tell them they are talking to an automated assistant.
- **Silence:** when the caller has said nothing for ``no_reply_s`` after the assistant's last words (no
  caption with words, not even a partial one), the line asks "여보세요?" and repeats its question
  (``Call.silence``); after a few such prompts in a row the dialogue says goodbye and the line hangs up.
- When the dialogue ends the call (goodbye, hand-off), the line hangs up once its last answer has been heard.
- **Hand-off** on a line that can pass calls on (``transfer``, a phone line): once "사장님께 연결해 드릴게요" has
  been heard the call is transferred to the owner; when that fails the dialogue goes on, says so, and takes a
  message with a callback number (``Call.transfer_failed``). The caller's words while the transfer is tried
  are not turns.
- ``finished`` is called once at the end, in the line's thread, with the turns, records and summary.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from moksori.asr.streaming import recognise_again_korean
from moksori.assistant.dialogue import Call
from moksori.calls.endings import ASSISTANT_ENDED, ASSISTANT_TRANSFERRED
from moksori.calls.session import THEM, CallSession

Finished = Callable[[list[dict], list[dict], str], None]
Transfer = Callable[[], Awaitable[bool]]
HearRestricted = Callable[[np.ndarray, list[str]], str]
HANG_UP_POLL_S = 0.05
KEEP_HEARD_S = 30.0  # of the caller's audio, for recognising a turn again; longer turns are cut at their start
TURN_PADDING_S = 0.15  # around a caption's words: the recogniser's word times cut a little into the edges
NO_REPLY_S = 8.0  # of silence from the caller after the assistant stopped speaking, before asking "여보세요?"


class AssistantLine:
    def __init__(self, session: CallSession, call: Call, finished: Finished | None = None,
                 hang_up: Callable[[str], Any] | None = None, transfer: Transfer | None = None,
                 hear_restricted: HearRestricted = recognise_again_korean, no_reply_s: float = NO_REPLY_S) -> None:
        """``hang_up(reason)`` ends the call when the dialogue does, with a ``moksori.calls.endings`` code
        (default: close the session); ``transfer()`` passes the caller to the owner, False when that did not
        work (the call is still on); ``hear_restricted(audio, phrases)`` recognises a turn's audio again
        under a grammar; ``no_reply_s`` of the caller's silence after the assistant's last words is met with
        "여보세요?"."""
        self.session = session
        self.call = call
        self._hear_restricted = hear_restricted
        self._no_reply_s = no_reply_s
        self._heard_at = 0.0  # time.monotonic() of the caller's last caption with words
        self._answering = False  # a turn is with the dialogue
        session.keep_heard(KEEP_HEARD_S)
        self.turns: list[dict] = []
        self.barge_ins = 0
        self._barged_at: float | None = None  # start of the caller's utterance that last cut the assistant off
        self._greeting: str | None = None
        self._greeting_heard = False
        self._finished = finished
        self._hang_up = hang_up
        self._transfer = transfer
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="moksori-assistant")
        self._turns: asyncio.Queue[dict | None] = asyncio.Queue()
        self._worker: asyncio.Task | None = None
        self._silence_watch: asyncio.Task | None = None
        self._ending: asyncio.Task | None = None  # hanging up or transferring once the last answer is heard
        self._unsubscribe = session.subscribe(self._on_event)

    async def begin(self) -> None:
        """The caller is connected: greet them and start answering."""
        loop = asyncio.get_running_loop()
        greeting = await loop.run_in_executor(self._thread, self.call.greeting)
        self.turns.append({"caller": "", "assistant": greeting})
        self._greeting = greeting
        self.session.say(greeting)
        self._worker = asyncio.create_task(self._answer_turns())
        self._silence_watch = asyncio.create_task(self._watch_silence())

    def _on_event(self, event: dict) -> None:
        if event["type"] == "ended":
            self._turns.put_nowait(None)
            return
        if event["type"] == "speaking" and event["text"] == self._greeting:
            self._greeting_heard = True
        if event["type"] != "caption" or event["speaker"] != THEM or not event["text"].strip():
            return
        self._heard_at = time.monotonic()
        if not event["final"]:
            if self.session.speaking and self._greeting_heard:
                self.session.stop()
                # Partials keep coming until the stop reaches the line: one utterance is one barge-in.
                if event["start"] != self._barged_at:
                    self.barge_ins += 1
                    self._barged_at = event["start"]
            return
        audio = self.session.heard_between(event["start"] - TURN_PADDING_S, event["end"] + TURN_PADDING_S)
        self._turns.put_nowait({**event, "audio": audio})

    async def _answer_turns(self) -> None:
        loop = asyncio.get_running_loop()
        while (event := await self._turns.get()) is not None:
            if self.call.ended:
                continue
            self._answering = True
            try:
                said, reply = await loop.run_in_executor(self._thread, self._answer, event)
            finally:
                self._answering = False
            turn = {"caller": said, "assistant": reply, "heard_end": event["end"]}
            if said != event["text"]:
                turn["caption"] = event["text"]  # what the open recogniser wrote, not taken
            self._say_turn(turn)

    def _say_turn(self, turn: dict) -> None:
        """Keep the turn, say its answer, and end the call once it is heard when the dialogue ended it."""
        self.turns.append(turn)
        if turn["assistant"] and not self.session.closed:
            self.session.say(turn["assistant"])
        if self.call.ended and self._ending is None:
            records = self.call.records
            handing_off = self._transfer is not None and bool(records) and records[-1]["type"] == "handoff"
            self._ending = asyncio.create_task(
                self._transfer_after_answer() if handing_off else self._hang_up_after_answer())

    async def _watch_silence(self) -> None:
        """Ask "여보세요?" when the caller has said nothing for ``no_reply_s`` since the assistant stopped
        speaking; the clock starts again at every caption with words, answer and prompt."""
        loop = asyncio.get_running_loop()
        quiet_since = time.monotonic()
        while not self.session.closed and not self.call.ended:
            await asyncio.sleep(min(0.25, self._no_reply_s / 4))
            now = time.monotonic()
            if self.session.speaking or self.session.waiting or self._answering or not self._turns.empty():
                quiet_since = now
                continue
            if now - max(quiet_since, self._heard_at) < self._no_reply_s or self.call.ended:
                continue
            reply = await loop.run_in_executor(self._thread, self.call.silence)
            if not self.session.closed:
                self._say_turn({"caller": "", "assistant": reply, "silence": True})
            quiet_since = time.monotonic()

    def _answer(self, event: dict) -> tuple[str, str]:
        """In the line's thread: what the caller said (the caption, or their audio heard again under a
        grammar), and the dialogue's answer to it."""
        audio = event["audio"]
        said = self.call.heard(event["text"], lambda phrases: self._hear_restricted(audio, phrases) if audio.size else "")
        return said, self.call.respond(said)

    async def _answer_heard(self) -> None:
        while self.session.speaking or self.session.waiting:
            await asyncio.sleep(HANG_UP_POLL_S)

    async def _hang_up_after_answer(self, reason: str = ASSISTANT_ENDED) -> None:
        await self._answer_heard()
        if self._hang_up is not None:
            await self._hang_up(reason)
        else:
            await self.session.close(reason)

    async def _transfer_after_answer(self) -> None:
        await self._answer_heard()
        if self.session.closed:
            return
        if await self._transfer():
            await self._hang_up_after_answer(ASSISTANT_TRANSFERRED)
            return
        if self.session.closed:  # the caller hung up while the owner's phone rang
            return
        reply = await asyncio.get_running_loop().run_in_executor(self._thread, self.call.transfer_failed)
        self.turns.append({"caller": "", "assistant": reply})
        if not self.session.closed:
            self.session.say(reply)
            self._ending = None  # the call goes on: it can end again, and silence is watched again
            self._silence_watch = asyncio.create_task(self._watch_silence())

    async def finish(self) -> None:
        """After the session closed: the last turn is answered (and not said), then ``finished`` is called."""
        self._turns.put_nowait(None)
        if self._silence_watch is not None:
            self._silence_watch.cancel()
        if self._worker is not None:
            await self._worker
        self._unsubscribe()
        if self._finished is not None:
            summary = self.call.summary()
            await asyncio.get_running_loop().run_in_executor(
                self._thread, self._finished, self.turns, self.call.records, summary)
        self._thread.shutdown(wait=False)
