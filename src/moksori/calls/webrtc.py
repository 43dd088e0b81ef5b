"""Browser calls over WebRTC (aiortc on the server): the far end's microphone track goes to the session's
captions, and a track of ours carries the user's voice, 20 ms at a time at the line's pace.

aiortc facts this relies on (measured with headless Chromium, see the project notes): no ICE servers, so
nothing outside the machine is contacted; our track is added after ``setRemoteDescription`` so it answers
the browser's own transceiver; aiortc gathers candidates before ``setLocalDescription`` returns, so the
answer is complete (no trickle ICE).

A data channel the browser opens (any label) gets the user's sentences as JSON ``{"type": "speaking",
"text": ...}``, for a far end who wants to read along in a noisy place.

``ListenLink`` is the user's own page: a second, receive-only connection on which the far end's audio is
played back (a hard-of-hearing user with some hearing, or a hearing family member beside them, hears the
other person), with at most ``FarEndTrack.MAX_DELAY_S`` of it waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import json
import math
import time
from collections import deque
from collections.abc import Callable

import numpy as np
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc import rtp as aiortc_rtp
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame

from moksori.audio.framing import FrameBuffer, StreamResampler, frame_samples, pcm16_bytes
from moksori.calls.session import OUT_RATE, CallSession, Event

FRAME = frame_samples(OUT_RATE)


def audio_level_dbov(frame: AudioFrame) -> int:
    """The RFC 6465 audio level aiortc puts in every outgoing packet's header, as ``aiortc.rtp`` computes it,
    with numpy: aiortc's own loops over each sample in Python, 50 times a second per track (a tenth of a
    call's event-loop time)."""
    samples = np.frombuffer(bytes(frame.planes[0]), dtype=np.int16).astype(np.float64)
    rms = math.sqrt(float(np.dot(samples, samples)) / (frame.samples * 32767 * 32767))
    return round(min(max(20 * math.log10(rms), -127), 0)) if rms > 0 else -127


aiortc_rtp.compute_audio_level_dbov = audio_level_dbov


def audio_frame(samples: np.ndarray, pts: int, rate: int = OUT_RATE) -> AudioFrame:
    """A mono 16-bit frame for aiortc from float samples; ``pts`` counts samples since the track began."""
    frame = AudioFrame(format="s16", layout="mono", samples=samples.size)
    frame.planes[0].update(pcm16_bytes(samples))
    frame.sample_rate, frame.pts, frame.time_base = rate, pts, fractions.Fraction(1, rate)
    return frame


class PacedTrack(MediaStreamTrack):
    """An outgoing track of 20 ms frames at ``OUT_RATE``, paced by the clock: ``next_samples`` gives each
    frame's audio, or None for silence."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._start: float | None = None  # time.monotonic() of the first frame
        self._sent = 0  # samples
        self.late = 0  # frames asked for after their time had passed (the loop was held up)

    @property
    def started_at(self) -> float | None:
        """When the first frame was handed to the line (``time.monotonic()``)."""
        return self._start

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            self._sent += FRAME
            wait = self._start + self._sent / OUT_RATE - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            elif wait < -FRAME / OUT_RATE:
                self.late += 1
        samples = self.next_samples()
        return audio_frame(samples if samples is not None else _SILENCE, self._sent)

    def next_samples(self) -> np.ndarray | None:
        raise NotImplementedError


_SILENCE = np.zeros(FRAME, dtype=np.float32)


class SessionTrack(PacedTrack):
    """The outgoing audio: the session's frames, silence between sentences."""

    def __init__(self, session: CallSession) -> None:
        super().__init__()
        self.session = session

    def next_samples(self) -> np.ndarray | None:
        return self.session.next_frame()


class FarEndTrack(PacedTrack):
    """The far end's audio as the session hears it, for the user's page. Frames wait in a short queue: when
    the far end's frames come faster than ours go (clock drift, a burst after a stall), the oldest are
    dropped, so playback never falls more than ``MAX_DELAY_S`` behind the call."""

    MAX_DELAY_S = 0.2
    RESUME_FRAMES = 3

    def __init__(self, session: CallSession) -> None:
        super().__init__()
        self._framer = FrameBuffer(OUT_RATE)
        self._resampler: StreamResampler | None = None
        self._frames: deque[np.ndarray] = deque(maxlen=round(self.MAX_DELAY_S * OUT_RATE / FRAME))
        self._waiting = True  # for RESUME_FRAMES before playing
        self._unsubscribe = session.listen_to_far_end(self._heard)

    def _heard(self, samples: np.ndarray, rate: int) -> None:
        if rate != OUT_RATE:
            if self._resampler is None or self._resampler.up * rate != self._resampler.down * OUT_RATE:
                self._resampler = StreamResampler(rate, OUT_RATE)
            samples = self._resampler.push(samples)
        self._frames.extend(self._framer.push(samples))

    def next_samples(self) -> np.ndarray | None:
        # After running dry, wait for a few frames before playing on: one late frame then costs one gap,
        # not a gap every other frame while the far end's packets arrive unevenly.
        if self._waiting and len(self._frames) < self.RESUME_FRAMES:
            return None
        self._waiting = not self._frames
        return self._frames.popleft() if self._frames else None

    def stop(self) -> None:
        self._unsubscribe()
        super().stop()


class WebRtcLink:
    """One browser on the far end of a call. ``on_closed(detail)`` is called once if the far end goes, with what
    happened in English for the log (the call's reason is ``moksori.calls.endings.FAR_END_LEFT``)."""

    def __init__(self, session: CallSession, on_closed: Callable[[str], None] | None = None) -> None:
        self.session = session
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.track = SessionTrack(session)
        self._on_closed = on_closed
        self._tasks: set[asyncio.Task] = set()
        self._channels: list = []
        self._unsent: list[str] = []  # sentences said before the far end's text channel opened
        self._closed = False
        self._unsubscribe = session.subscribe(self._forward_text)

        @self.pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            if track.kind == "audio":
                task = asyncio.ensure_future(self._receive(track))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

        @self.pc.on("datachannel")
        def on_datachannel(channel) -> None:
            self._channels.append(channel)
            for message in self._unsent:
                channel.send(message)
            self._unsent.clear()

        @self.pc.on("connectionstatechange")
        async def on_state() -> None:
            if self.pc.connectionState in ("failed", "closed"):
                self._far_end_left(f"the connection {self.pc.connectionState}")

    async def answer(self, offer_sdp: str) -> str:
        """The SDP answer to the browser's offer. ``ValueError`` for an offer that is not usable."""
        return await answer_with(self.pc, offer_sdp, self.track)

    async def _receive(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                self._far_end_left("the far end's audio ended")
                return
            pcm = frame.to_ndarray().reshape(-1, len(frame.layout.channels))
            self.session.hear(pcm.mean(axis=1).astype(np.float32) / 32768.0, frame.sample_rate)

    def _forward_text(self, event: Event) -> None:
        if event["type"] != "speaking":
            return
        message = json.dumps({"type": "speaking", "text": event["text"]}, ensure_ascii=False)
        open_channels = [channel for channel in self._channels if channel.readyState == "open"]
        for channel in open_channels:
            channel.send(message)
        if not open_channels:
            self._unsent.append(message)

    def _far_end_left(self, detail: str) -> None:
        if not self._closed and self._on_closed:
            self._on_closed(detail)

    async def close(self) -> None:
        self._closed = True
        self._unsubscribe()
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.pc.close()


async def answer_with(pc: RTCPeerConnection, offer_sdp: str, track: MediaStreamTrack) -> str:
    """Answer a browser's offer on ``pc``, sending ``track``. ``ValueError`` for an offer that is not usable."""
    try:
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
    except Exception as error:  # aiortc raises several types for a malformed offer
        raise ValueError(f"The browser's call offer could not be read ({error}).") from error
    if not any(t.kind == "audio" for t in pc.getTransceivers()):
        raise ValueError("The browser's call offer has no audio.")
    pc.addTrack(track)
    await pc.setLocalDescription(await pc.createAnswer())
    return pc.localDescription.sdp


class ListenLink:
    """The user's own page listening to the call: the far end's audio, receive only."""

    def __init__(self, session: CallSession) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.track = FarEndTrack(session)

    async def answer(self, offer_sdp: str) -> str:
        return await answer_with(self.pc, offer_sdp, self.track)

    async def close(self) -> None:
        self.track.stop()
        await self.pc.close()
