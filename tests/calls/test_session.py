"""The call session: framing and queueing of the user's voice, captions, gating, and what survives a hang-up."""

from __future__ import annotations

import asyncio
import re
import threading

import numpy as np
import pytest

from moksori.asr.streaming import RecognizerUnavailable
from moksori.audio import resample
from moksori.audio.bandwidth import HIGH_BAND_NOISE
from moksori.calls import call_problems
from moksori.calls.endings import FAR_END_LEFT
from moksori.calls.session import ME, OUT_RATE, SENTENCE_GAP_S, THEM, CallSession

from .doubles import RATE, LoudnessRecognizer, ToneVoice, tone

FRAME = OUT_RATE // 50
HANGUL = re.compile("[가-힣]")


def run(coroutine):
    return asyncio.run(coroutine)


async def started(voice=None, listen=False, **options) -> tuple[CallSession, list[dict]]:
    session = CallSession(voice or ToneVoice(), **options)
    events: list[dict] = []
    session.subscribe(events.append)
    await session.start(listen=listen)
    return session, events


async def pull(session: CallSession, frames: int, pace_s: float = 0.0) -> list[np.ndarray | None]:
    """Ask for frames as a transport does; pace_s > 0 waits between frames like a real line."""
    out = []
    for _ in range(frames):
        await asyncio.sleep(pace_s)
        out.append(session.next_frame())
    return out


async def pull_until_heard(session: CallSession, frames: int) -> None:
    """Pull frames until ``frames`` of speech have left (synthesis may start late on a busy machine)."""
    for _ in range(5000):
        if session.stats.frames_sent >= frames:
            return
        await asyncio.sleep(0.002)
        session.next_frame()
    raise AssertionError("no speech came out")


async def pull_until_said(session: CallSession, lines: int, limit: int = 2000) -> list[np.ndarray | None]:
    out = []
    while sum(line.speaker == ME for line in session.transcript) < lines:
        assert len(out) < limit, "the sentence never finished"
        await asyncio.sleep(0.001)
        out.append(session.next_frame())
    return out


def speech(frames: list[np.ndarray | None]) -> np.ndarray:
    return np.concatenate([f for f in frames if f is not None])


def test_a_sentence_comes_out_in_whole_frames_equal_to_the_voice_resampled_whole() -> None:
    async def main():
        voice = ToneVoice()
        session, events = await started(voice)
        session.say("하나 둘 셋 넷")
        frames = await pull_until_said(session, 1)
        await session.close()
        return voice, session, events, frames

    voice, session, events, frames = run(main())
    sent = [f for f in frames if f is not None]
    assert all(f.size == FRAME for f in sent)
    out = speech(frames)
    whole = resample(voice.audio("하나 둘 셋 넷"), RATE, OUT_RATE)
    assert out.size == -(-whole.size // FRAME) * FRAME  # padded to a whole frame, nothing more
    assert np.max(np.abs(out[: whole.size] - whole)) < 1e-4  # no gap, overlap or click anywhere
    line = session.transcript[0]
    assert (line.speaker, line.text, line.final) == (ME, "하나 둘 셋 넷", True)
    assert line.end - line.start >= 0
    assert [e["type"] for e in events if e["type"] in ("speaking", "line")] == ["speaking", "line"]
    # (Frames are pulled here far faster than real time, so running ahead of synthesis is no gap: late frames
    # are checked at the line's pace in test_transports.)
    assert len(session.stats.first_frame_delays) == 1


def test_typing_ahead_queues_in_order_with_a_pause_between_sentences() -> None:
    async def main():
        session, events = await started()
        for text in ("하나", "둘 둘", "셋 셋 셋"):
            session.say(text)
        frames = await pull_until_said(session, 3)
        await session.close()
        return session, events, frames

    session, events, frames = run(main())
    assert [line.text for line in session.transcript] == ["하나", "둘 둘", "셋 셋 셋"]
    queues = [e["waiting"] for e in events if e["type"] == "queue"]
    assert ["하나", "둘 둘", "셋 셋 셋"] in queues and queues[-1] == []
    out = speech(frames)
    quiet = np.abs(out) < 1e-6
    # Each pause is a run of silence at least SENTENCE_GAP_S long between the sentences.
    runs, length = [], 0
    for q in quiet:
        length = length + 1 if q else 0
        if length == int(SENTENCE_GAP_S * OUT_RATE):
            runs.append(True)
    assert len(runs) == 2


def test_a_sentence_said_first_comes_before_sentences_already_made_but_not_heard() -> None:
    async def main():
        session, _ = await started()
        session.say("먼저 입력한 말")
        await asyncio.sleep(0.1)  # made, waiting for the line (nobody has joined yet)
        session.say("안내 말씀", first=True)
        await pull_until_said(session, 2)
        await session.close()
        return session

    assert [line.text for line in run(main()).transcript] == ["안내 말씀", "먼저 입력한 말"]


def test_stop_clears_the_queue_fades_out_and_keeps_the_cut_line() -> None:
    async def main():
        session, events = await started()
        session.say(" ".join(["말"] * 30))  # about 4 s
        session.say("다음 문장")
        await pull_until_heard(session, 40)
        session.stop()
        rest = await pull(session, 30, pace_s=0.002)
        await asyncio.sleep(0.05)
        await session.close()
        return session, rest

    session, rest = run(main())
    sent_after = [f for f in rest if f is not None]
    assert len(sent_after) == 1  # the fading frame, then silence
    assert abs(sent_after[0][-1]) < 1e-3 <= np.max(np.abs(sent_after[0][:100]))
    assert [(line.text.count("말"), line.final) for line in session.transcript] == [(30, False)]
    assert session.waiting == []


def test_a_voice_slower_than_the_line_shows_as_late_frames() -> None:
    async def main():
        session, _ = await started(ToneVoice(delay_s=0.08))  # 1237 samples (56 ms) take 80 ms to make
        session.say(" ".join(["말"] * 8))
        await pull_until_said(session, 1, limit=5000)
        await session.close()
        return session

    assert run(main()).stats.late_frames > 0


def test_mute_holds_speech_without_losing_it() -> None:
    async def main():
        session, _ = await started()
        session.set_muted(True)
        session.say("하나 둘")
        held = await pull(session, 20, pace_s=0.002)
        session.set_muted(False)
        frames = await pull_until_said(session, 1)
        await session.close()
        return session, held, frames

    session, held, frames = run(main())
    assert all(f is None for f in held)
    assert session.transcript[0].text == "하나 둘" and session.transcript[0].final


def test_captions_come_as_partials_then_a_final_line() -> None:
    recognizer = LoudnessRecognizer()

    async def main():
        session, events = await started(listen=True, recognizer_factory=lambda: recognizer)
        for block in [np.zeros(960, np.float32)] * 5 + [tone(0.02, rate=48000)] * 20 + [np.zeros(960, np.float32)] * 5:
            session.hear(block, 48000)
            await asyncio.sleep(0.002)
        await asyncio.sleep(0.2)
        await session.close()
        return session, events

    session, events = run(main())
    captions = [e for e in events if e["type"] == "caption"]
    assert captions[0]["final"] is False and captions[-1]["final"] is True
    assert [(line.speaker, line.text, line.final) for line in session.transcript] == [(THEM, "소리 끝", True)]
    # Times are on the session's clock: the first 0.1 s were quiet.
    assert 0.05 <= session.transcript[0].start < session.transcript[0].end


def test_the_audio_under_a_caption_is_kept_for_the_last_seconds_only() -> None:
    """A caption's start and end pick out what the recogniser heard of it; older audio than the kept seconds
    is gone, so a long call holds a bounded amount."""
    recognizer = LoudnessRecognizer()

    async def main():
        session, events = await started(listen=True, recognizer_factory=lambda: recognizer)
        session.keep_heard(1.0)
        for block in [np.zeros(960, np.float32)] * 10 + [tone(0.02, rate=48000)] * 20 + [np.zeros(960, np.float32)] * 10:
            session.hear(block, 48000)
            await asyncio.sleep(0.002)
        await asyncio.sleep(0.2)
        final = next(e for e in events if e["type"] == "caption" and e["final"])
        word = session.heard_between(final["start"], final["end"])
        with_edges = session.heard_between(final["start"] - 0.1, final["end"] + 0.1)
        for _ in range(100):  # two more seconds of silence push the caption out of the kept second
            session.hear(np.zeros(960, np.float32), 48000)
        gone = session.heard_between(final["start"], final["end"])
        kept = session.heard_between(session.audio_origin, session.audio_origin + 10)
        await session.close()
        return word, with_edges, gone, kept

    word, with_edges, gone, kept = run(main())
    assert abs(word.size / 16000 - 0.4) <= 0.04 and np.sqrt(np.mean(word**2)) > 0.2  # the 0.4 s tone
    assert abs(with_edges.size - word.size - 3200) <= 320 and np.sqrt(np.mean(with_edges[:800] ** 2)) < 0.05
    assert gone.size == 0
    assert 1.0 <= kept.size / 16000 <= 1.2 and np.abs(kept).max() < 0.05  # the last second, all silence


def test_audio_that_waited_for_a_busy_recogniser_is_still_fed_block_by_block() -> None:
    class BusyRecognizer(LoudnessRecognizer):
        """Holds its first block until the whole call was heard, as a recogniser starved of CPU does."""

        def __init__(self) -> None:
            super().__init__()
            self.free = threading.Event()

        def accept(self, samples: np.ndarray) -> list:
            self.free.wait(10)
            return super().accept(samples)

    recognizer = BusyRecognizer()

    async def main():
        session, _ = await started(listen=True, recognizer_factory=lambda: recognizer)
        for _ in range(50):  # 1 s in 20 ms frames
            session.hear(tone(0.02, rate=48000), 48000)
        recognizer.free.set()
        await session.close()

    run(main())
    # vosk ends an utterance only at the end of a piece it is given: a second's backlog fed as one piece
    # would hide every pause in it.
    sizes = [block.size for block in recognizer.fed]
    assert len(sizes) >= 9 and max(sizes) <= 1.1 * 1600


@pytest.mark.parametrize("rate", [8000, 48000])
def test_only_a_phone_lines_audio_reaches_the_recogniser_with_a_noise_floor_above_its_band(rate: int) -> None:
    recognizer = LoudnessRecognizer()

    async def main():
        session, _ = await started(listen=True, recognizer_factory=lambda: recognizer)
        frame = rate // 50
        audio = tone(1.0, freq=1000.0, rate=rate) * 0.1
        for start in range(0, audio.size, frame):
            session.hear(audio[start : start + frame], rate)
        await asyncio.sleep(0.2)
        await session.close()

    run(main())
    fed = np.concatenate(recognizer.fed)[1600:-1600]
    spectrum = np.abs(np.fft.rfft(fed * np.hanning(fed.size))) / fed.size / np.sqrt(0.375)  # RMS-true window
    above = np.sqrt(2 * np.sum(spectrum[np.fft.rfftfreq(fed.size, 1 / 16000) >= 4500] ** 2))
    if rate == 8000:
        assert 0.3 * HIGH_BAND_NOISE < above < HIGH_BAND_NOISE
    else:
        assert above < 0.01 * HIGH_BAND_NOISE


@pytest.mark.parametrize("gate", [True, False])
def test_the_users_own_voice_is_gated_out_of_the_captions_face_to_face(gate: bool) -> None:
    recognizer = LoudnessRecognizer()

    async def main():
        session, _ = await started(listen=True, recognizer_factory=lambda: recognizer, gate_own_voice=gate,
                                   echo_tail_s=0.1)
        session.say(" ".join(["말"] * 4))  # 0.52 s of the user's voice
        while True:  # the microphone hears the room: here, the user's own voice played back
            frame = session.next_frame()
            session.hear(frame if frame is not None else np.zeros(960, np.float32), 48000)
            await asyncio.sleep(0.02)
            if session.transcript:
                break
        for _ in range(15):  # the echo tail, then quiet
            session.hear(np.zeros(960, np.float32), 48000)
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)
        await session.close()
        return session

    session = run(main())
    fed = np.concatenate(recognizer.fed)
    their_lines = [line for line in session.transcript if line.speaker == THEM]
    if gate:
        assert np.max(np.abs(fed)) == 0.0 and their_lines == []
        assert session.stats.gated_s >= 0.5
    else:
        assert np.max(np.abs(fed)) > 0.3 and len(their_lines) == 1


def test_without_a_recogniser_the_call_goes_on_and_says_why() -> None:
    def unavailable():
        raise RecognizerUnavailable("Speech recognition is not available on this server (no model).")

    async def main():
        session, events = await started(listen=True, recognizer_factory=unavailable)
        session.hear(tone(0.5, rate=48000), 48000)  # ignored, not an error
        session.say("안녕")
        await pull_until_said(session, 1)
        await session.close()
        return session, events

    session, events = run(main())
    assert not session.captions_available
    (problem,) = [e for e in events if e["type"] == "problem"]
    assert problem["code"] == call_problems.CAPTIONS_UNAVAILABLE and "(no model)" in problem["message"]
    assert session.transcript[0].text == "안녕"


def test_hanging_up_mid_sentence_keeps_every_line() -> None:
    recognizer = LoudnessRecognizer()

    async def main():
        session, events = await started(listen=True, recognizer_factory=lambda: recognizer)
        session.hear(tone(0.3, rate=48000), 48000)  # the other person is mid-word at hang-up
        session.say(" ".join(["말"] * 30))
        session.say("못 한 말")
        await pull_until_heard(session, 10)
        await session.close(FAR_END_LEFT)
        await session.close()  # twice is harmless
        return session, events

    session, events = run(main())
    lines = {(line.speaker, line.final) for line in session.transcript}
    assert lines == {(ME, False), (THEM, True)}
    ended = [e for e in events if e["type"] == "ended"]
    assert len(ended) == 1 and ended[0]["reason"] == FAR_END_LEFT and ended[0]["unsaid"] == ["못 한 말"]


def test_bad_text_is_refused_plainly() -> None:
    async def main():
        session, _ = await started()
        with pytest.raises(ValueError, match="empty") as empty:
            session.say("   ")
        await session.close()
        with pytest.raises(RuntimeError, match="ended") as ended:
            session.say("안녕")
        # English for logs, and a code for the interface to word (the conversation socket passes it on).
        assert (empty.value.code, ended.value.code) == (call_problems.NOTHING_TO_SAY, call_problems.CALL_ENDED)
        assert not HANGUL.search(str(empty.value) + str(ended.value))

    run(main())


def test_text_with_nothing_to_pronounce_still_ends_its_line() -> None:
    class Mute(ToneVoice):
        def stream(self, text):
            return iter(())

    async def main():
        session, _ = await started(Mute())
        session.say("...")
        await pull_until_said(session, 1)
        await session.close()
        return session

    assert run(main()).transcript[0].text == "..."
