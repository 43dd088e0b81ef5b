"""The SIP worker: a process of its own that owns PJSIP (pjsua2) and speaks ``moksori.calls.sip_wire`` on
one socket to the app. Run as ``python -m moksori.calls.sip_worker FD`` with the socket's file descriptor and
the settings as JSON on standard input (see ``moksori.calls.sip.SipSettings``).

PJSIP facts this relies on (measured on loopback against sipp and baresip):
- ``threadCnt = 0``: SIP events are handled only when the main loop calls ``libHandleEvents``, so every call
  object is created, used and deleted on this one thread; only the conference bridge's clock thread (the
  null sound device, ``setNullDev``) calls the audio ports' ``onFrameRequested`` / ``onFrameReceived``.
- A call object must not be deleted inside its own callback: a call that ended is deleted by the main loop.
- Every call, port and account is released before ``libDestroy``, or it crashes on exit.
- The conference bridge runs at 8 kHz mono, 20 ms: the G.711 rate, so PJSIP resamples nothing.
"""

from __future__ import annotations

import collections
import contextlib
import json
import select
import socket
import sys
import threading
from typing import Any

import pjsua2 as pj

from moksori.calls import endings
from moksori.calls.sip_wire import (
    FRAME_BYTES,
    SIP_RATE,
    MessageReader,
    audio_message,
    json_message,
    split_audio,
)

SILENCE = bytes(FRAME_BYTES)
# What the far end's SIP status means, as an ending code (the app words it); others are SIP_FAILED.
STATUS_ENDINGS = {
    404: endings.NOT_FOUND,
    408: endings.NO_ANSWER,
    480: endings.NO_ANSWER,
    486: endings.BUSY,
    600: endings.BUSY,
    603: endings.DECLINED,
    503: endings.UNREACHABLE,
}
PRIME_FRAMES = 3  # 60 ms
MAX_BACKLOG_FRAMES = 5  # 100 ms
INCOMING_BASE = 1 << 20  # ids of incoming calls count from here; the app numbers its own outgoing calls below


class Link:
    """Writes messages to the app from any thread (the clock thread sends audio, the main loop events)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._lock = threading.Lock()

    def send(self, data: bytes) -> None:
        # OSError: the app went away; the main loop notices on its next read.
        with self._lock, contextlib.suppress(OSError):
            self.sock.sendall(data)

    def event(self, **fields: Any) -> None:
        self.send(json_message(fields))


class CallAudio(pj.AudioMediaPort):
    """One call's audio: frames the app sent go out, frames that arrive go to the app.

    The class attributes are what the clock thread finds if it calls a port that is being deleted (Python
    empties the object's attributes before the C++ port leaves the bridge): silence, and nothing sent.
    """

    call_id = 0
    playing = False
    started = False
    missing = 0
    outgoing: collections.deque[bytes] = collections.deque()
    link: Link | None = None

    def __init__(self, call_id: int, link: Link) -> None:
        super().__init__()
        self.call_id = call_id
        self.link = link
        self.outgoing: collections.deque[bytes] = collections.deque(maxlen=50)  # 1 s; more is a stalled app
        self.playing = False
        self.started = False  # the app's first frames arrived
        self.missing = 0  # frames sent as silence since, because the app's had run out: gaps on the line
        fmt = pj.MediaFormatAudio()
        fmt.init(pj.PJMEDIA_FORMAT_PCM, SIP_RATE, 1, 20000, 16)
        self.createPort(f"moksori-{call_id}", fmt)

    def onFrameRequested(self, frame: pj.MediaFrame) -> None:
        # The app's frames and this clock tick apart, so a few frames are held back before playing
        # (PRIME_FRAMES, again after running dry): a frame that comes a little late is not a gap.
        if not self.playing and len(self.outgoing) >= PRIME_FRAMES:
            self.playing = self.started = True
        if self.playing and not self.outgoing:
            self.playing = False
        # A backlog (the app was held up, then caught up) is worked off in the pauses: surplus silent frames
        # are dropped, so the user's voice does not lag further behind for the rest of the call.
        while len(self.outgoing) > MAX_BACKLOG_FRAMES and self.outgoing[0] == SILENCE:
            self.outgoing.popleft()
        data = self.outgoing.popleft() if self.playing else SILENCE
        if self.started and not self.playing:
            self.missing += 1
        frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
        frame.buf = pj.ByteVector(data)
        frame.size = len(data)

    def onFrameReceived(self, frame: pj.MediaFrame) -> None:
        link = self.link
        if link is not None and frame.type == pj.PJMEDIA_FRAME_TYPE_AUDIO and frame.size:
            link.send(audio_message(self.call_id, bytes(frame.buf)))


class Call(pj.Call):
    def __init__(self, worker: Worker, account: pj.Account, call_id: int, pj_id: int = pj.PJSUA_INVALID_ID) -> None:
        super().__init__(account, pj_id)
        self.worker = worker
        self.call_id = call_id
        self.audio: CallAudio | None = None
        self.reason: str | None = None  # set (an ending) when this side ends the call, so the far end is not blamed

    def onCallState(self, prm: pj.OnCallStateParam) -> None:
        info = self.getInfo()
        if info.state == pj.PJSIP_INV_STATE_EARLY:
            self.worker.link.event(event="state", id=self.call_id, state="ringing")
        elif info.state == pj.PJSIP_INV_STATE_CONFIRMED:
            self.worker.link.event(event="state", id=self.call_id, state="connected")
        elif info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            code = info.lastStatusCode
            if self.reason is None:
                connected = info.connectDuration.sec > 0 or info.connectDuration.msec > 0
                self.reason = (endings.FAR_END_HUNG_UP if connected or code == 200 else
                               STATUS_ENDINGS.get(code) or endings.ending(endings.SIP_FAILED, status=code))
            self.worker.link.event(event="state", id=self.call_id, state="ended", reason=self.reason, code=code,
                                   missing=self.audio.missing if self.audio is not None else 0)
            self.worker.ended.append(self.call_id)

    def onCallMediaState(self, prm: pj.OnCallMediaStateParam) -> None:
        info = self.getInfo()
        for index, media in enumerate(info.media):
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                stream = self.getAudioMedia(index)
                if self.audio is None:
                    self.audio = CallAudio(self.call_id, self.worker.link)
                self.audio.startTransmit(stream)
                stream.startTransmit(self.audio)

    def onDtmfDigit(self, prm: pj.OnDtmfDigitParam) -> None:
        self.worker.link.event(event="dtmf", id=self.call_id, digit=prm.digit)

    def onCallTransferStatus(self, prm: pj.OnCallTransferStatusParam) -> None:
        # The far end's progress in calling the transfer target: 202 (REFER accepted), then NOTIFYs of the
        # new call (100, 180, 200 … or its failure); a refused REFER comes as a final 4xx-6xx.
        self.worker.link.event(event="transfer", id=self.call_id, code=prm.statusCode, reason=prm.reason,
                               final=bool(prm.finalNotify))

    def onCallTransferRequest(self, prm: pj.OnCallTransferRequestParam) -> None:
        # PJSIP would otherwise follow a far end's REFER and call wherever it says, through the user's
        # account: anyone who rings the line could make calls at the user's cost.
        prm.statusCode = 603


class Account(pj.Account):
    def __init__(self, worker: Worker) -> None:
        super().__init__()
        self.worker = worker

    def onRegState(self, prm: pj.OnRegStateParam) -> None:
        # code 0 or a 4xx/5xx: refused or unreachable; 2xx with an expiry: registered (again).
        self.worker.link.event(event="registration", code=prm.code, reason=prm.reason,
                               active=prm.code // 100 == 2 and prm.expiration > 0)

    def onIncomingCall(self, prm: pj.OnIncomingCallParam) -> None:
        self.worker.incoming(self, prm)


class Worker:
    def __init__(self, sock: socket.socket, settings: dict[str, Any]) -> None:
        self.link = Link(sock)
        self.settings = settings
        self.calls: dict[int, Call] = {}
        self.ended: list[int] = []
        self.allowed = set(settings.get("allow_from", ["127.0.0.1"]))
        self.next_incoming = INCOMING_BASE
        self.endpoint = pj.Endpoint()
        self.endpoint.libCreate()
        config = pj.EpConfig()
        config.uaConfig.threadCnt = 0
        config.uaConfig.mainThreadOnly = False
        config.uaConfig.userAgent = "Moksori"
        config.logConfig.level = int(settings.get("log_level", 1))
        config.logConfig.consoleLevel = int(settings.get("log_level", 1))
        media = config.medConfig
        media.clockRate = media.sndClockRate = SIP_RATE
        media.channelCount = 1
        media.audioFramePtime = 20
        media.noVad = True
        media.ecTailLen = 0  # no echo canceller: there is no loudspeaker here
        self.endpoint.libInit(config)
        transport = pj.TransportConfig()
        host, port = settings["listen"]
        transport.boundAddress = host
        transport.port = int(port)
        transport_id = self.endpoint.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
        self.endpoint.libStart()
        self.endpoint.audDevManager().setNullDev()
        for codec in self.endpoint.codecEnum2():
            wanted = {"PCMU/8000/1": 255, "PCMA/8000/1": 254}.get(codec.codecId, 0)
            self.endpoint.codecSetPriority(codec.codecId, wanted)
        bound = self.endpoint.transportGetInfo(transport_id).localName
        self.account = Account(self)
        self.account.create(self._account_config(bound))
        self.link.event(event="ready", listen=bound)

    def _account_config(self, bound: str) -> pj.AccountConfig:
        config = pj.AccountConfig()
        account = self.settings.get("account") or {}
        name = self.settings.get("name", "moksori")
        if account.get("server"):
            server, user = account["server"], account["user"]
            caller_id = account.get("caller_id", "").replace('"', "")
            config.idUri = f'"{caller_id}" <sip:{user}@{server}>' if caller_id else f"sip:{user}@{server}"
            config.regConfig.registrarUri = f"sip:{server}"
            credential = pj.AuthCredInfo("digest", "*", user, 0, account.get("password", ""))
            config.sipConfig.authCreds.append(credential)
            # Every call goes out through the account's own server (or its outbound proxy), never straight
            # to whatever address was dialled: the server decides what the account may call.
            config.sipConfig.proxies.append(f"sip:{account.get('proxy') or server};lr")
            config.natConfig.udpKaIntervalSec = 15
            self.allowed.update(_addresses(server), _addresses(account.get("proxy", "")))
        else:
            config.idUri = f"sip:{name}@{bound}"
        # Media on the listener's own address, not whatever the first network card is.
        config.mediaConfig.transportConfig.boundAddress = self.settings["listen"][0]
        return config

    # --- commands from the app ---------------------------------------------------------------------------

    def command(self, message: dict[str, Any]) -> bool:
        """Carry out one command; False when the worker should stop."""
        op, call_id = message.get("op"), message.get("id")
        call = self.calls.get(call_id)
        try:
            if op == "quit":
                return False
            if op == "call":
                self.place(call_id, message["uri"])
            elif op == "counts":
                self.link.event(event="counts", calls=len(self.calls), ports=self.endpoint.mediaActivePorts())
            elif call is None:
                self.link.event(event="problem", id=call_id, message="There is no such call.")
            elif op == "answer":
                answer = pj.CallOpParam()
                answer.statusCode = 200
                call.answer(answer)
            elif op == "hangup":
                call.reason = message.get("reason", endings.HUNG_UP)
                hangup = pj.CallOpParam()
                hangup.statusCode = int(message.get("code", 603))
                call.hangup(hangup)
            elif op == "dtmf":
                dtmf = pj.CallSendDtmfParam()
                dtmf.digits = message["digits"]
                dtmf.method = pj.PJSUA_DTMF_METHOD_SIP_INFO if message.get("info") else pj.PJSUA_DTMF_METHOD_RFC2833
                call.sendDtmf(dtmf)
            elif op == "transfer":  # blind transfer: REFER the far end to ``uri``
                call.xfer(message["uri"], pj.CallOpParam(True))
        except (pj.Error, KeyError, TypeError, ValueError) as error:
            detail = f"{error.reason} ({error.title})" if isinstance(error, pj.Error) else repr(error)
            self.link.event(event="problem", id=call_id, message=detail)
            if op == "call":
                self.link.event(event="state", id=call_id, state="ended", code=0, reason=endings.NOT_PLACED)
                self.ended.append(call_id)
            elif op == "transfer":
                self.link.event(event="transfer", id=call_id, code=0, reason=detail, final=True)
        return True

    def place(self, call_id: int, uri: str) -> None:
        call = Call(self, self.account, call_id)
        self.calls[call_id] = call
        call.makeCall(uri, pj.CallOpParam(True))

    def incoming(self, account: pj.Account, prm: pj.OnIncomingCallParam) -> None:
        call_id = self.next_incoming
        self.next_incoming += 1
        call = Call(self, account, call_id, prm.callId)
        self.calls[call_id] = call
        source = prm.rdata.srcAddress.rsplit(":", 1)[0].strip("[]")
        if source not in self.allowed:
            call.reason = endings.ending(endings.NOT_ALLOWED, source=source)
            refuse = pj.CallOpParam()
            refuse.statusCode = 403
            call.hangup(refuse)
            return
        info = call.getInfo()
        ring = pj.CallOpParam()
        ring.statusCode = 180
        call.answer(ring)
        self.link.event(event="incoming", id=call_id, caller=info.remoteUri, source=source)

    # --- the loop ----------------------------------------------------------------------------------------

    def run(self) -> None:
        reader = MessageReader()
        sock = self.link.sock
        running = True
        while running:
            self.endpoint.libHandleEvents(5)
            self._release_ended()
            while select.select([sock], [], [], 0)[0]:
                data = sock.recv(65536)
                if not data:
                    running = False
                    break
                for kind, payload in reader.feed(data):
                    if kind == b"A":
                        self.play(*split_audio(payload))
                    elif not self.command(json.loads(payload)):
                        running = False
        self.close()

    def play(self, call_id: int, pcm: bytes) -> None:
        # A method of its own: a local name in ``run`` would keep the last call object alive past libDestroy.
        call = self.calls.get(call_id)
        if call is not None and call.audio is not None and len(pcm) == FRAME_BYTES:
            call.audio.outgoing.append(pcm)

    def _release_ended(self) -> None:
        while self.ended:
            call = self.calls.pop(self.ended.pop(), None)
            if call is not None:
                call.audio = None
                del call

    def close(self) -> None:
        self.endpoint.hangupAllCalls()
        for _ in range(20):
            self.endpoint.libHandleEvents(10)
        self._release_ended()
        self.calls.clear()
        self.account.shutdown()
        del self.account
        self.endpoint.libDestroy()


def _addresses(host_port: str) -> set[str]:
    """The IP addresses of a server (``host[:port]``): calls the server forwards come from them."""
    host = host_port.rsplit(":", 1)[0] if host_port.count(":") == 1 else host_port
    if not host:
        return set()
    try:
        return {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:  # not resolvable now: registration will say so
        return set()


def main() -> None:
    sock = socket.socket(fileno=int(sys.argv[1]))
    settings = json.loads(sys.stdin.read() or "{}")
    Worker(sock, settings).run()


if __name__ == "__main__":
    main()
