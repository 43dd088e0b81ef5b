"""Phone calls over SIP: a ``SipPhone`` runs the SIP stack in a worker process (``moksori.calls.sip_worker``,
PJSIP) and connects its calls to ``CallSession``s, like the WebRTC transport does for browsers.

The event loop only moves bytes: 20 ms frames of 8 kHz PCM and JSON events cross one Unix socket
(``moksori.calls.sip_wire``). For each call, a task paced by the clock takes the session's next frame of the
user's voice (48 kHz), resamples it to 8 kHz as one stream and sends it; the far end's frames go to
``session.hear`` for captions. PJSIP encodes and decodes G.711 in the worker.

Call states come as events on the session (``{"type": "sip", "state": ..., "reason": ...}``): ``ringing``,
``connected``, ``ended``, with the reason as a ``moksori.calls.endings`` code (busy, no_answer, unreachable,
hung_up …) that the app words in the user's language.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import os
import re
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from moksori.audio.framing import FRAME_MS, FrameBuffer, StreamResampler, pcm16_bytes, pcm16_samples
from moksori.calls import sip_problems as problems
from moksori.calls.endings import HUNG_UP, LINE_STOPPED, NO_ANSWER, UNREACHABLE
from moksori.calls.pacing import FrameClock
from moksori.calls.session import OUT_RATE, CallSession
from moksori.calls.sip_wire import SIP_RATE, MessageReader, audio_message, json_message, split_audio
from moksori.errors import PlainError

REACH_TIMEOUT_S = 8.0  # no answer at all to an INVITE (not even "trying") within this: unreachable
RING_TIMEOUT_S = 60.0
# Calls one line (one worker) holds at once: PJSUA's built-in PJSUA_MAX_CALLS in the pjsua2 wheel; a fifth
# call on the line is not placed (PJ_ETOOMANY).
CALLS_PER_LINE = 4
# A blind transfer is over when the far end's new call connects or fails; a phone left ringing for this long
# is taken as not answering (about as long as a mobile rings before its voicemail).
TRANSFER_TIMEOUT_S = 40.0
DTMF_DIGITS = re.compile(r"^[0-9*#A-Da-d]{1,32}$")
# Numbers for emergency services somewhere in the world: never blocked, but the user is told that a VoIP
# account may not reach them (no location, another country's network, the trunk may refuse them).
EMERGENCY_NUMBERS = frozenset({"112", "119", "911", "999", "000", "110", "113", "122", "125", "182"})
# The code of the notice announced on a call to an emergency number (the web app words it on the call screen).
EMERGENCY = "emergency"
DIALLABLE = re.compile(r"^\+?[0-9*#]{1,32}$|^[A-Za-z0-9._~-]{1,64}$")


class SipError(RuntimeError):
    """A SIP call, the registrar or the SIP worker failed: ``code`` (``moksori.calls.sip_problems``) and its
    ``params`` say why, the message in plain English."""

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(problems.english(code, params))
        self.code, self.params = code, params


@dataclass
class SipSettings:
    """Where the worker listens, who may call it directly, and the account calls go out through."""

    listen: tuple[str, int] = ("127.0.0.1", 0)  # direct listener; port 0: any free port
    name: str = "moksori"  # calls to sip:<name>@<listen> ring this phone
    allow_from: list[str] = field(default_factory=lambda: ["127.0.0.1"])  # direct callers accepted
    # A registrar / PBX / trunk: {"server", "user", "password", optional "proxy", "caller_id"}. With one, every
    # call goes out through that server and a bare number is dialled as sip:<number>@<server>.
    account: dict[str, str] | None = None
    log_level: int = 1

    @classmethod
    def from_env(cls) -> SipSettings:
        """``MOKSORI_SIP_LISTEN=HOST:PORT`` and ``MOKSORI_SIP_ALLOW=ADDR,ADDR`` over the defaults."""
        settings = cls()
        if listen := os.environ.get("MOKSORI_SIP_LISTEN"):
            host, _, port = listen.rpartition(":")
            if not host or not port.isdigit():
                raise ValueError(f"MOKSORI_SIP_LISTEN must be HOST:PORT, not {listen!r}.")
            settings.listen = (host, int(port))
        if allow := os.environ.get("MOKSORI_SIP_ALLOW"):
            settings.allow_from = [address.strip() for address in allow.split(",") if address.strip()]
        return settings


def registration_error(status: int, reason: str) -> SipError:
    """The registrar's refusal (or silence: status 408) as the error to raise."""
    if code := problems.REGISTRATION_PROBLEMS.get(status):
        return SipError(code)
    return SipError(problems.ACCOUNT_REFUSED, status=str(status), reason=reason)


def is_emergency(target: str) -> bool:
    """True for a number (or sip:number@...) that calls emergency services somewhere."""
    number = re.sub(r"^sips?:", "", target).split("@", 1)[0]
    return re.sub(r"[\s-]", "", number) in EMERGENCY_NUMBERS


class SipCall:
    """One SIP call, outgoing or incoming, carrying a ``CallSession``'s audio once connected."""

    def __init__(self, phone: SipPhone, call_id: int, caller: str | None = None) -> None:
        self.phone = phone
        self.id = call_id
        self.caller = caller  # incoming calls: the far end's SIP URI
        self.state = "calling" if caller is None else "ringing"
        self.reason: str | None = None  # once ended: why, a moksori.calls.endings code
        self.missing_frames = 0  # once ended: frames the line went without because ours came late (the worker's)
        self.transfer_problem: str | None = None  # why the last transfer failed (the SIP status and reason)
        self.session: CallSession | None = None
        self._transfer: asyncio.Future[bool] | None = None
        self.clock = FrameClock()
        self._changed = asyncio.Event()
        self._sender: asyncio.Task | None = None
        self._watchdog: asyncio.Task | None = None

    def attach(self, session: CallSession) -> None:
        """Connect ``session``: its voice goes out and the far end's audio comes in once the call connects."""
        self.session = session
        if self.state == "connected":
            self._start_sending()

    async def wait_until(self, *states: str, timeout: float | None = None) -> str:
        """Wait until the call is in one of ``states`` (or has ended); returns the state."""
        async def reached() -> str:
            while self.state not in (*states, "ended"):
                self._changed.clear()
                await self._changed.wait()
            return self.state

        return await asyncio.wait_for(reached(), timeout)

    async def answer(self) -> None:
        self.phone._send({"op": "answer", "id": self.id})

    async def hang_up(self, reason: str = HUNG_UP) -> None:
        """End the call; ``reason`` (a ``moksori.calls.endings`` code) comes back as the call's reason."""
        if self.state != "ended":
            self.phone._send({"op": "hangup", "id": self.id, "reason": reason,
                              "code": 486 if self.state == "ringing" and self.caller else 603})

    def send_dtmf(self, digits: str, sip_info: bool = False) -> None:
        """Key presses for phone menus: RFC 4733 telephone-events, or SIP INFO with ``sip_info``."""
        if not DTMF_DIGITS.match(digits):
            raise _input_error(problems.BAD_KEYS)
        if self.state != "connected":
            raise SipError(problems.NOT_CONNECTED)
        self.phone._send({"op": "dtmf", "id": self.id, "digits": digits, "info": sip_info})

    async def transfer(self, uri: str, timeout: float = TRANSFER_TIMEOUT_S) -> bool:
        """Pass the far end on to ``uri`` (a blind transfer: SIP REFER, the far end places the new call). True
        once the far end's new call connected (hang this one up then) or this call ended meanwhile; False
        when the far end refused the REFER (not every phone or trunk takes one), its new call failed or nothing
        came of it within ``timeout`` seconds: the call is still here, and ``transfer_problem`` says why."""
        if self.state != "connected":
            raise SipError(problems.NOT_CONNECTED)
        self._transfer = asyncio.get_running_loop().create_future()
        self.transfer_problem = None
        self.phone._send({"op": "transfer", "id": self.id, "uri": uri})
        try:
            passed = await asyncio.wait_for(self._transfer, timeout)
        except TimeoutError:
            passed, self.transfer_problem = False, f"no answer from the transfer target within {timeout:g} s"
        finally:
            self._transfer = None
        return passed

    async def _give_up_after(self, reach_timeout: float, ring_timeout: float) -> None:
        try:
            await self.wait_until("ringing", "connected", timeout=reach_timeout)
        except TimeoutError:
            return await self.hang_up(UNREACHABLE)
        try:
            await self.wait_until("connected", timeout=ring_timeout)
        except TimeoutError:
            await self.hang_up(NO_ANSWER)

    # --- from the worker ---------------------------------------------------------------------------------

    def _on_state(self, state: str, reason: str | None) -> None:
        if self.state == "ended":
            return
        self.state, self.reason = state, reason
        self._changed.set()
        if state == "connected" and self.session is not None:
            self._start_sending()
        if state == "ended":
            if self._transfer is not None and not self._transfer.done():
                self._transfer.set_result(True)  # the far end left for the transfer target, or hung up
            for task in (self._sender, self._watchdog):
                if task is not None and task is not asyncio.current_task():
                    task.cancel()
        if self.session is not None:
            self.session.announce({"type": "sip", "state": state, "reason": reason})

    def _on_transfer(self, code: int, reason: str, final: bool) -> None:
        if self._transfer is None or self._transfer.done() or not final:
            return
        if code // 100 != 2:
            self.transfer_problem = f"{code} {reason}".strip()
        self._transfer.set_result(code // 100 == 2)

    def _on_audio(self, pcm: bytes) -> None:
        if self.session is not None and self.state == "connected":
            self.session.hear(pcm16_samples(pcm), SIP_RATE)

    def _start_sending(self) -> None:
        if self._sender is None:
            self._sender = asyncio.create_task(self._send_voice())

    async def _send_voice(self) -> None:
        """Every 20 ms, one frame of the user's voice at 8 kHz (silence between sentences)."""
        to_8k, framer = StreamResampler(OUT_RATE, SIP_RATE), FrameBuffer(SIP_RATE)
        silence = np.zeros(OUT_RATE * FRAME_MS // 1000, dtype=np.float32)
        self.clock.restart()
        while True:
            frame = self.session.next_frame()
            for piece in framer.push(to_8k.push(silence if frame is None else frame)):
                self.phone._write(audio_message(self.id, pcm16_bytes(piece)))
            await self.clock.tick()


class SipPhone:
    """The SIP worker process and its calls. ``await start()``, then ``call`` or take ``incoming`` calls."""

    def __init__(self, settings: SipSettings | None = None,
                 on_incoming: Callable[[SipCall], None] | None = None) -> None:
        self.settings = settings or SipSettings()
        self.on_incoming = on_incoming
        self.calls: dict[int, SipCall] = {}
        self.listen: str | None = None  # host:port the worker listens on
        self.problems: list[str] = []
        self._next_id = 1
        self._process: asyncio.subprocess.Process | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._reader_task: asyncio.Task | None = None
        self._ready = asyncio.Event()
        self._counts: asyncio.Future | None = None
        self.registered = False
        self.registration_problem: SipError | None = None  # why the registrar refused the account
        self._registration = asyncio.Event()
        self.stopped = asyncio.Event()  # set once the worker has gone (closed, or crashed)

    async def start(self, timeout: float = 10.0) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_src_dir(), os.environ.get("PYTHONPATH")]))}
        self._process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "moksori.calls.sip_worker", str(theirs.fileno()),
            stdin=asyncio.subprocess.PIPE, pass_fds=(theirs.fileno(),), env=env)
        theirs.close()
        self._process.stdin.write(json.dumps(self.settings.__dict__).encode())
        self._process.stdin.close()
        # The resamplers import scipy.signal on first use: seconds on a busy machine, never on the event loop.
        await asyncio.get_running_loop().run_in_executor(None, importlib.import_module, "scipy.signal")
        reader, self._writer = await asyncio.open_unix_connection(sock=ours)
        self._reader_task = asyncio.create_task(self._read(reader))
        try:
            await asyncio.wait_for(self._ready.wait(), timeout)
        except TimeoutError:
            await self.close()
            raise SipError(problems.LINE_NOT_STARTED) from None

    async def wait_registered(self, timeout: float = 15.0) -> None:
        """Wait for the registrar's first answer; ``SipError`` when it refused the account (a wrong password)
        or did not answer within ``timeout`` seconds."""
        try:
            await asyncio.wait_for(self._registration.wait(), timeout)
        except TimeoutError:
            raise SipError(problems.SERVER_SILENT) from None
        if not self.registered:
            raise self.registration_problem or SipError(problems.SERVER_SILENT)

    def address(self, target: str) -> str:
        """The SIP URI to dial for ``target``: a SIP URI as it is, or a number or name on the account's server
        (spaces, dashes and brackets in numbers are ignored)."""
        target = target.strip()
        if re.match(r"^sips?:", target):
            return target
        number = re.sub(r"[\s().-]", "", target) if re.search(r"\d", target) else target
        server = (self.settings.account or {}).get("server")
        if server is None:
            raise _input_error(problems.NEEDS_ACCOUNT)
        if not DIALLABLE.match(number):
            raise _input_error(problems.NOT_A_NUMBER, target=repr(target))
        return f"sip:{number}@{server}"

    def ensure_room(self) -> None:
        """``SipError`` (line full) when the line already holds ``CALLS_PER_LINE`` calls, ringing ones included:
        the worker could not place another."""
        if len(self.calls) >= CALLS_PER_LINE:
            raise SipError(problems.LINE_FULL, calls=str(CALLS_PER_LINE))

    async def call(self, target: str, session: CallSession | None = None, *, reach_timeout: float = REACH_TIMEOUT_S,
                   ring_timeout: float = RING_TIMEOUT_S) -> SipCall:
        """Dial ``target`` (``sip:user@host[:port]``, or a number on the account's server); the call's state says
        how it goes. A far end that gives no sign of life within ``reach_timeout`` seconds could not be reached;
        one that rings for longer than ``ring_timeout`` did not answer."""
        uri = self.address(target)
        if not re.match(r"^sips?:[^\s<>\"]+$", uri):
            raise _input_error(problems.NOT_A_SIP_ADDRESS, address=repr(uri))
        self.ensure_room()
        call = SipCall(self, self._next_id)
        self._next_id += 1
        self.calls[call.id] = call
        if session is not None:
            call.attach(session)
            if is_emergency(uri):  # not blocked: the user is told what may not work, and what else to do
                session.announce({"type": "notice", "code": EMERGENCY})
        self._send({"op": "call", "id": call.id, "uri": uri})
        call._watchdog = asyncio.create_task(call._give_up_after(reach_timeout, ring_timeout))
        return call

    async def counts(self) -> dict[str, int]:
        """Live call objects and conference ports in the worker (1 port when idle: the conference bridge itself)."""
        self._counts = asyncio.get_running_loop().create_future()
        self._send({"op": "counts"})
        return await asyncio.wait_for(self._counts, 5)

    async def idle(self, timeout: float = 3.0) -> bool:
        """True once the worker holds no call and no port but the bridge's own. A call's media is freed a moment
        after it ends, so this asks again for up to ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while await self.counts() != {"calls": 0, "ports": 1}:
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.1)
        return True

    async def close(self) -> None:
        for call in self.calls.values():
            if call._sender is not None:
                call._sender.cancel()
        if self._writer is not None and not self._writer.is_closing():
            self._send({"op": "quit"})
            with contextlib.suppress(OSError):
                await self._writer.drain()
        if self._process is not None:
            try:
                await asyncio.wait_for(self._process.wait(), 10)
            except TimeoutError:
                self._process.kill()
                await self._process.wait()
        if self._reader_task is not None:
            self._reader_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader_task
        if self._writer is not None:
            self._writer.close()
        self.stopped.set()

    @property
    def returncode(self) -> int | None:
        return self._process.returncode if self._process else None

    def _send(self, command: dict[str, Any]) -> None:
        self._write(json_message(command))

    def _write(self, data: bytes) -> None:
        if self._writer is None or self._writer.is_closing():
            raise SipError(problems.LINE_STOPPED)
        self._writer.write(data)

    async def _read(self, reader: asyncio.StreamReader) -> None:
        messages = MessageReader()
        while data := await reader.read(65536):
            for kind, payload in messages.feed(data):
                if kind == b"A":
                    call_id, pcm = split_audio(payload)
                    if call := self.calls.get(call_id):
                        call._on_audio(pcm)
                else:
                    self._on_event(json.loads(payload))
        for call in list(self.calls.values()):  # the worker went away: every call is over
            call._on_state("ended", LINE_STOPPED)
        self.stopped.set()

    def _on_event(self, event: dict[str, Any]) -> None:
        kind = event["event"]
        if kind == "ready":
            self.listen = event["listen"]
            self._ready.set()
        elif kind == "incoming":
            call = SipCall(self, event["id"], caller=event["caller"])
            self.calls[call.id] = call
            if self.on_incoming is not None:
                self.on_incoming(call)
        elif kind == "state":
            if call := self.calls.get(event["id"]):
                if event["state"] == "ended":
                    call.missing_frames = event.get("missing", 0)
                call._on_state(event["state"], event.get("reason"))
                if event["state"] == "ended":
                    del self.calls[call.id]
        elif kind == "transfer":
            if call := self.calls.get(event["id"]):
                call._on_transfer(event["code"], event.get("reason", ""), event["final"])
        elif kind == "counts" and self._counts is not None and not self._counts.done():
            self._counts.set_result({"calls": event["calls"], "ports": event["ports"]})
        elif kind == "registration":
            self.registered = bool(event["active"])
            self.registration_problem = None if self.registered else registration_error(event["code"],
                                                                                          event["reason"])
            self._registration.set()
        elif kind == "problem":
            self.problems.append(event["message"])


def _input_error(code: str, **params: str) -> PlainError:
    """Something dialled or pressed that cannot be, as a ``ValueError`` with its problem code."""
    return PlainError(problems.english(code, params), code, **params)


def _src_dir() -> str:
    """The folder this package was imported from, so the worker runs the same code."""
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
