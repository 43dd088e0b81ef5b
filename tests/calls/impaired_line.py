"""A jittery, lossy line on loopback between our SIP phone and a far phone: the RTP path itself is impaired,
so PJSIP's jitter buffer and packet-loss concealment see what a real network does to them.

Our phone dials the relay (``ImpairedLine.uri``) instead of the far phone. SIP passes through both ways
unchanged, except that the media port in each SDP body is swapped for one of the relay's own (and
Content-Length follows): the far phone then sends its RTP to the relay, and so do we. Every RTP packet, either
way, is dropped with probability ``loss`` or else delayed by a random 0 to 2 × ``jitter_ms`` milliseconds
(uniform, so the mean delay is ``jitter_ms``, and a packet delayed longer than the next one's gap is overtaken,
as on a real network). In-dialog requests (ACK, BYE) go straight to each phone's Contact address, and RTCP to
the ports the SDP names for it: neither carries audio. Both phones' SDP must give the media address 127.0.0.1.
"""

from __future__ import annotations

import heapq
import itertools
import random
import re
import selectors
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

LOOPBACK = "127.0.0.1"
Address = tuple[str, int]
_MEDIA_PORT = re.compile(rb"^m=audio (\d+)", re.MULTILINE)
_CONTENT_LENGTH = re.compile(rb"^(Content-Length|l)[ \t]*:[ \t]*\d+", re.MULTILINE | re.IGNORECASE)
_CALL_ID = re.compile(rb"^(?:Call-ID|i)[ \t]*:[ \t]*(\S+)", re.MULTILINE | re.IGNORECASE)


@dataclass
class Direction:
    """What the line did to the RTP packets going one way."""

    packets: int = 0
    dropped: int = 0
    reordered: int = 0  # delivered after a packet that was sent later (by RTP sequence number)
    _highest: int | None = field(default=None, repr=False)

    def delivered(self, packet: bytes) -> None:
        sequence = struct.unpack_from(">H", packet, 2)[0]
        if self._highest is not None and 0 < (self._highest - sequence) & 0xFFFF < 0x8000:
            self.reordered += 1
        else:
            self._highest = sequence


@dataclass
class _Media:
    """One call's RTP through the relay: ``to_far`` faces the far phone, ``to_us`` our phone."""

    to_far: socket.socket
    to_us: socket.socket
    our_port: int | None = None
    far_port: int | None = None


def swap_media_port(message: bytes, port: int) -> tuple[bytes, int | None]:
    """``message`` with its SDP's audio port replaced by ``port``, and the port it named (None: no SDP)."""
    head, gap, body = message.partition(b"\r\n\r\n")
    found = _MEDIA_PORT.search(body)
    if not gap or found is None:
        return message, None
    body = body[: found.start(1)] + str(port).encode() + body[found.end(1) :]
    head = _CONTENT_LENGTH.sub(lambda header: header[1] + b": " + str(len(body)).encode(), head)
    return head + gap + body, int(found[1])


class ImpairedLine:
    """The relay, run by a thread of its own (its timing does not depend on the caller's event loop)."""

    def __init__(self, far_port: int, jitter_ms: float, loss: float, seed: int = 1) -> None:
        self.far_sip: Address = (LOOPBACK, far_port)
        self.jitter_s, self.loss = jitter_ms / 1000, loss
        self.to_us, self.to_far = Direction(), Direction()
        self._random = random.Random(seed)
        self._selector = selectors.DefaultSelector()
        self._sip = self._socket()
        self._selector.register(self._sip, selectors.EVENT_READ, self._on_sip)
        self.uri = f"sip:far@{LOOPBACK}:{self._sip.getsockname()[1]}"
        self._our_sip: Address | None = None
        self._calls: dict[bytes, _Media] = {}
        self._due: list[tuple[float, int, socket.socket, bytes, Address, Direction]] = []
        self._order = itertools.count()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="impaired-line", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(5)
        for key in list(self._selector.get_map().values()):
            key.fileobj.close()
        self._selector.close()

    @staticmethod
    def _socket() -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((LOOPBACK, 0))
        sock.setblocking(False)
        return sock

    def _run(self) -> None:
        while not self._stopping.is_set():
            wait = min(0.05, max(0.0, self._due[0][0] - time.monotonic())) if self._due else 0.05
            for key, _ in self._selector.select(wait):
                handle: Callable[[socket.socket], None] = key.data
                handle(key.fileobj)
            now = time.monotonic()
            while self._due and self._due[0][0] <= now:
                _, _, sock, packet, address, direction = heapq.heappop(self._due)
                direction.delivered(packet)
                sock.sendto(packet, address)

    def _on_sip(self, sock: socket.socket) -> None:
        message, source = sock.recvfrom(65536)
        towards_us = source == self.far_sip
        if not towards_us:
            self._our_sip = source
        call_id = _CALL_ID.search(message)
        if call_id is not None:
            media = self._calls.get(call_id[1])
            if media is None:
                media = self._calls[call_id[1]] = _Media(self._socket(), self._socket())
                self._selector.register(
                    media.to_far, selectors.EVENT_READ, lambda s, m=media: self._on_far_rtp(s, m)
                )
                self._selector.register(
                    media.to_us, selectors.EVENT_READ, lambda s, m=media: self._on_our_rtp(s, m)
                )
            # Each phone is told to send its RTP to the relay's socket that faces it.
            facing = media.to_us if towards_us else media.to_far
            message, port = swap_media_port(message, facing.getsockname()[1])
            if port is not None and towards_us:
                media.far_port = port
            elif port is not None:
                media.our_port = port
        destination = self._our_sip if towards_us else self.far_sip
        if destination is not None:
            self._sip.sendto(message, destination)

    def _on_far_rtp(self, sock: socket.socket, media: _Media) -> None:
        packet, _ = sock.recvfrom(65536)
        if media.our_port is not None:
            self._impair(media.to_us, packet, (LOOPBACK, media.our_port), self.to_us)

    def _on_our_rtp(self, sock: socket.socket, media: _Media) -> None:
        packet, _ = sock.recvfrom(65536)
        if media.far_port is not None:
            self._impair(media.to_far, packet, (LOOPBACK, media.far_port), self.to_far)

    def _impair(self, sock: socket.socket, packet: bytes, address: Address, direction: Direction) -> None:
        direction.packets += 1
        if self._random.random() < self.loss:
            direction.dropped += 1
            return
        due = time.monotonic() + self._random.uniform(0, 2 * self.jitter_s)
        heapq.heappush(self._due, (due, next(self._order), sock, packet, address, direction))
