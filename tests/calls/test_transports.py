"""The transports on loopback: an aiortc peer as the far end's browser, and a PCM socket as the talk page."""

from __future__ import annotations

import asyncio
import json

import numpy as np
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame

from moksori.audio import resample
from moksori.audio.framing import pcm16_bytes, pcm16_samples
from moksori.calls import call_problems
from moksori.calls.pcm_socket import PcmSocketLink
from moksori.calls.session import OUT_RATE, THEM, CallSession
from moksori.calls.webrtc import FarEndTrack, ListenLink, WebRtcLink, audio_frame, audio_level_dbov

from .doubles import RATE, LoudnessRecognizer, ToneVoice, best_correlation, tone


class Microphone(MediaStreamTrack):
    """The far end's microphone: quiet, then a loud tone, then quiet, at 48 kHz in 20 ms frames."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self.audio = np.concatenate([np.zeros(24000), tone(1.0, 330, 48000), np.zeros(96000)]).astype(np.float32)
        self.sent = 0

    async def recv(self) -> AudioFrame:
        await asyncio.sleep(0.02)
        chunk = self.audio[self.sent : self.sent + 960]
        frame = audio_frame(np.pad(chunk, (0, 960 - chunk.size)), self.sent)
        self.sent += 960
        return frame


def test_a_webrtc_call_carries_audio_both_ways_and_notices_the_far_end_leaving() -> None:
    recognizer = LoudnessRecognizer()
    voice = ToneVoice()

    async def main():
        session = CallSession(voice, recognizer_factory=lambda: recognizer)
        events: list[dict] = []
        session.subscribe(events.append)
        await session.start()
        left: list[str] = []
        link = WebRtcLink(session, on_closed=left.append)

        browser = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        browser.addTrack(Microphone())
        channel = browser.createDataChannel("text")
        texts: list[str] = []
        channel.on("message", texts.append)
        received: list[np.ndarray] = []

        @browser.on("track")
        def on_track(track):
            async def listen():
                try:
                    while True:
                        frame = await track.recv()
                        received.append(frame.to_ndarray().reshape(-1, len(frame.layout.channels))[:, 0])
                except MediaStreamError:
                    pass
            asyncio.ensure_future(listen())

        await browser.setLocalDescription(await browser.createOffer())
        answer = await link.answer(browser.localDescription.sdp)
        await browser.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
        for _ in range(100):
            if channel.readyState == "open" and received:
                break
            await asyncio.sleep(0.05)
        session.say("하나 둘 셋 넷 다섯 여섯")
        for _ in range(200):
            if session.transcript and any(line.speaker == "me" for line in session.transcript):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(2.0)
        await browser.close()
        for _ in range(100):
            if left:
                break
            await asyncio.sleep(0.05)
        await link.close()
        await session.close()
        return session, events, texts, received, left, link

    session, events, texts, received, left, link = asyncio.run(main())
    # Our voice reached the far end: the tone voice's audio is in what it received (through Opus).
    heard = np.concatenate(received).astype(np.float32) / 32768
    sent = resample(voice.audio("하나 둘 셋 넷 다섯 여섯"), RATE, OUT_RATE)
    assert best_correlation(heard, sent) > 0.9
    # The far end's microphone became a caption line, and it read our sentence on its data channel.
    assert any(line.speaker == THEM for line in session.transcript)
    assert any(e["type"] == "caption" and not e["final"] for e in events)
    assert json.loads(texts[0]) == {"type": "speaking", "text": "하나 둘 셋 넷 다섯 여섯"}
    assert left, "the far end closing was not noticed"
    assert session.stats.late_frames == 0



async def recorded(track, into: list[np.ndarray]) -> None:
    try:
        while True:
            frame = await track.recv()
            into.append(frame.to_ndarray().reshape(-1, len(frame.layout.channels))[:, 0].astype(np.float32) / 32768)
    except MediaStreamError:
        pass


def test_the_audio_level_in_packet_headers_is_aiortcs_own() -> None:
    import aiortc.rtcrtpsender

    original = _aiortc_audio_level
    rng = np.random.default_rng(3)
    frames = [np.zeros(960, np.float32), tone(0.02, 440, 48000), 0.001 * rng.normal(size=960).astype(np.float32),
              np.clip(rng.normal(size=960), -1, 1).astype(np.float32)]
    for samples in frames:
        frame = audio_frame(samples, 0)
        assert audio_level_dbov(frame) == original(frame)
    assert aiortc.rtcrtpsender.rtp.compute_audio_level_dbov is audio_level_dbov  # what the sender calls


def _aiortc_audio_level(frame) -> int:
    """aiortc 1.x's compute_audio_level_dbov, as written there (RFC 6465, Appendix A)."""
    import math
    import struct

    total = sum(sample * sample for (sample,) in struct.Struct("h").iter_unpack(bytes(frame.planes[0])))
    rms = math.sqrt(total / (frame.samples * 32767 * 32767))
    return round(min(max(20 * math.log10(rms), -127), 0)) if rms > 0 else -127


def test_the_users_page_hears_the_far_end() -> None:
    """Far end → server → the user's page, over two WebRTC connections (Opus both times)."""
    async def main():
        session = CallSession(ToneVoice(), recognizer_factory=LoudnessRecognizer)
        await session.start()
        far_end_link, listen_link = WebRtcLink(session), ListenLink(session)
        far_end, page = RTCPeerConnection(RTCConfiguration(iceServers=[])), RTCPeerConnection(RTCConfiguration(iceServers=[]))
        microphone = Microphone()
        far_end.addTrack(microphone)
        page.addTransceiver("audio", direction="recvonly")
        heard: list[np.ndarray] = []
        page.on("track", lambda track: asyncio.ensure_future(recorded(track, heard)))
        for peer, link in [(page, listen_link), (far_end, far_end_link)]:
            await peer.setLocalDescription(await peer.createOffer())
            answer = await link.answer(peer.localDescription.sdp)
            await peer.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
        for _ in range(200):
            if microphone.sent >= microphone.audio.size:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        for closing in (far_end.close(), page.close(), far_end_link.close(), listen_link.close(), session.close()):
            await closing
        return np.concatenate(heard), microphone.audio

    heard, said = asyncio.run(main())
    loud = said[24000:72000]  # the tone
    assert heard.size > loud.size and best_correlation(heard, loud) > 0.8


def test_far_end_audio_waiting_for_the_page_is_kept_short() -> None:
    async def main():
        session = CallSession(ToneVoice(), recognizer_factory=LoudnessRecognizer)
        await session.start()
        track = FarEndTrack(session)
        ramp = np.linspace(-0.5, 0.5, 48000, dtype=np.float32)
        session.hear(ramp, 48000)  # a second at once, as after a stall
        kept = [track.next_samples() for _ in range(round(FarEndTrack.MAX_DELAY_S / 0.02) + 1)]
        session.hear(ramp[:320], 16000)  # another rate is resampled to the track's...
        short = track.next_samples()  # ...but one frame is too few to play on after running dry
        session.hear(ramp[:1600], 16000)
        resumed = track.next_samples()
        track.stop()
        session.hear(ramp, 48000)  # a stopped track no longer listens
        await session.close()
        return ramp, kept, short, resumed, track

    ramp, kept, short, resumed, track = asyncio.run(main())
    assert kept[-1] is None  # only MAX_DELAY_S waited...
    np.testing.assert_array_equal(np.concatenate(kept[:-1]), ramp[-len(kept[:-1]) * 960 :])  # ...the newest
    assert short is None and resumed is not None and resumed.size == 960
    left = 0
    while track.next_samples() is not None:
        left += 1
    assert left < FarEndTrack.RESUME_FRAMES + 2  # what remained of the last 0.1 s: nothing was added after stop()


def test_an_offer_that_is_not_sdp_is_refused_clearly() -> None:
    async def main():
        session = CallSession(ToneVoice())
        await session.start(listen=False)
        link = WebRtcLink(session)
        try:
            await link.answer("hello")
        except ValueError as error:
            return str(error)
        finally:
            await link.close()
            await session.close()

    assert "call offer" in asyncio.run(main())


def test_the_pcm_socket_speaks_paced_frames_and_takes_commands() -> None:
    recognizer = LoudnessRecognizer()

    async def main():
        session = CallSession(ToneVoice(), recognizer_factory=lambda: recognizer, gate_own_voice=True)
        await session.start()
        inbox: asyncio.Queue = asyncio.Queue()
        binary, texts = [], []

        async def send_bytes(data: bytes) -> None:
            binary.append(data)

        async def send_text(text: str) -> None:
            texts.append(json.loads(text))

        link = PcmSocketLink(session, send_bytes, send_text, in_rate=16000, max_chars=50)
        task = asyncio.create_task(link.run(inbox.get))
        await inbox.put(json.dumps({"type": "say", "text": "하나 둘 셋"}))
        await inbox.put(json.dumps({"type": "say", "text": "가" * 51}))
        await inbox.put("not json")
        await inbox.put(json.dumps({"type": "jump"}))
        await inbox.put(json.dumps({"type": "say", "text": "  "}))
        for block in range(40):  # the microphone: loud for 0.3 s, then quiet
            audio = tone(0.02, 300, 16000) if 5 <= block < 20 else np.zeros(320, np.float32)
            await inbox.put(pcm16_bytes(audio))
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.5)
        await inbox.put(None)
        await task
        await session.close()
        return session, binary, texts

    session, binary, texts = asyncio.run(main())
    assert texts[0] == {"type": "hello", "rate": OUT_RATE, "captions": True}
    # What the socket refuses is a code for the web app to word, with its English for logs and scripts.
    problems = [(t["code"], t["params"], t["message"]) for t in texts if t["type"] == "problem"]
    assert problems == [
        (call_problems.TEXT_TOO_LONG, {"length": 51, "limit": 50},
         "That text is 51 characters long; at most 50 are spoken at a time."),
        (call_problems.NOT_UNDERSTOOD, {}, "That message was not understood."),
        (call_problems.UNKNOWN_COMMAND, {"command": "'jump'"}, "Unknown command 'jump'."),
        (call_problems.NOTHING_TO_SAY, {}, "There is nothing to say: the text is empty.")]
    voice = np.concatenate([pcm16_samples(b) for b in binary])
    assert voice.size == -(-int(0.39 * OUT_RATE) // 960) * 960  # all of "하나 둘 셋", in whole frames
    assert any(t["type"] == "line" and t["speaker"] == "me" for t in texts)
    # The microphone was loud while our voice played: gated, so nothing of it became a caption.
    assert session.stats.gated_s > 0.2
