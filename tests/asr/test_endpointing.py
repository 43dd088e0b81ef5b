"""The pause endpointer on synthetic line audio, and the streaming recogniser ending utterances where it says,
with a decoder that never ends one by itself (as vosk often does not on a noisy phone line)."""

from __future__ import annotations

import numpy as np
import pytest

from moksori.asr import streaming
from moksori.asr.endpointing import PauseEndpointer
from moksori.asr.streaming import END_PAUSE_S, Heard, StreamingRecognizer
from tests.asr.line_audio import RATE, line_noise, over_the_line, seconds, voiced


def ends_in(audio: np.ndarray, piece: int, end_pause_s: float = 0.7) -> list[float]:
    """Where the endpointer ends utterances (seconds), fed ``piece`` samples at a time."""
    endpointer, ends = PauseEndpointer(RATE, end_pause_s), []
    for start in range(0, audio.size, piece):
        ends += [(start + offset) / RATE for offset in endpointer.push(audio[start : start + piece])]
    return ends


def test_a_pause_on_a_noisy_line_ends_the_utterance_once_at_its_set_length() -> None:
    lead, first, gap, second = line_noise(1.0), voiced(2.0), line_noise(2.5), voiced(1.5)
    audio = over_the_line(lead, first, gap, second, line_noise(1.5))
    first_end = seconds(lead) + seconds(first)
    second_end = first_end + seconds(gap) + seconds(second)
    ends = ends_in(audio, 1600)
    assert len(ends) == 2, ends
    # 0.7 s after the sound ends, give or take the last syllable's fading out (it dips to nothing at its end).
    assert ends == [pytest.approx(first_end + 0.7, abs=0.08), pytest.approx(second_end + 0.7, abs=0.08)]


def test_a_short_pause_inside_speech_ends_nothing() -> None:
    audio = over_the_line(line_noise(1.0), voiced(1.5), line_noise(0.3), voiced(1.5), line_noise(1.5))
    ends = ends_in(audio, 1600)
    assert ends == [pytest.approx(1.0 + 1.5 + 0.3 + 1.5 + 0.7, abs=0.08)]


def test_where_it_ends_does_not_depend_on_how_the_audio_is_cut() -> None:
    audio = over_the_line(line_noise(0.5), voiced(1.0), line_noise(1.2), voiced(0.8), line_noise(1.0))
    assert ends_in(audio, 1600) == ends_in(audio, 320) == ends_in(audio, 777) != []


def test_noise_alone_and_digital_silence_end_nothing() -> None:
    assert ends_in(over_the_line(line_noise(6.0)), 1600) == []
    assert ends_in(np.zeros(RATE * 3, np.float32), 1600) == []


def test_a_far_end_silent_between_sentences_ends_them_too() -> None:
    """A browser's noise suppression: digital silence around the speech, not a line's noise."""
    silence = np.zeros(RATE, np.float32)
    audio = np.concatenate([silence, voiced(1.5), silence, silence, voiced(1.0), silence])
    assert ends_in(audio, 1600) == [pytest.approx(2.5 + 0.7, abs=0.05), pytest.approx(5.5 + 0.7, abs=0.05)]


class NeverEndingDecoder:
    """Hears every loud 20 ms frame as one more syllable and never ends an utterance by itself."""

    in_utterance = False

    def __init__(self) -> None:
        self.syllables = 0
        self.fed = 0  # samples given to it

    def accept(self, pcm: bytes) -> list[Heard]:
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768
        self.fed += samples.size
        frames = samples[: samples.size // 320 * 320].reshape(-1, 320)
        self.syllables += int(np.sum(np.sqrt(np.mean(frames**2, axis=1)) > 0.02))
        return []

    def partial(self) -> str:
        return "말" * self.syllables

    def finish(self) -> Heard:
        text, self.syllables = self.partial(), 0
        return Heard(text)


@pytest.fixture
def decoder(monkeypatch: pytest.MonkeyPatch) -> NeverEndingDecoder:
    made = NeverEndingDecoder()
    monkeypatch.setattr(streaming, "_decoder", lambda lang, model: made)
    return made


def feed(recogniser: StreamingRecognizer, audio: np.ndarray) -> list:
    results = []
    for start in range(0, audio.size, 1600):  # 0.1 s, as a call feeds it
        results += recogniser.accept(audio[start : start + 1600])
    return results


def test_an_utterance_a_pause_and_an_utterance_on_a_noisy_line_are_two_lines(decoder) -> None:
    audio = over_the_line(line_noise(1.0), voiced(2.0), line_noise(2.5), voiced(1.5), line_noise(1.5))
    finals = [r for r in feed(StreamingRecognizer(), audio) if r.final]
    assert len(finals) == 2, finals
    # Each ended END_PAUSE_S into the pause after it (less the last syllable's fading out).
    assert [(r.start, r.end) for r in finals] == [
        (1.0, pytest.approx(3.0 + END_PAUSE_S, abs=0.08)),
        (pytest.approx(5.5, abs=0.1), pytest.approx(7.0 + END_PAUSE_S, abs=0.08)),
    ]
    # Without the pause endpointer the decoder runs both into one line, ended by hand.
    decoder.syllables = 0
    alone = StreamingRecognizer(end_pause_s=None)
    assert [r for r in feed(alone, audio) if r.final] == [] and alone.finish() is not None


def test_a_short_pause_inside_an_utterance_keeps_one_line(decoder) -> None:
    audio = over_the_line(line_noise(1.0), voiced(1.5), line_noise(0.3), voiced(1.5), line_noise(1.5))
    recogniser = StreamingRecognizer()
    finals = [r for r in feed(recogniser, audio) if r.final]
    assert [(r.start, r.end) for r in finals] == [(1.0, pytest.approx(4.3 + END_PAUSE_S, abs=0.08))]
    assert recogniser.finish() is None


def test_digital_silence_between_utterances_is_still_not_recognised(decoder) -> None:
    silence = np.zeros(2 * RATE, np.float32)
    audio = np.concatenate([silence, voiced(1.5), silence, voiced(1.0), silence])
    recogniser = StreamingRecognizer()
    finals = [r for r in feed(recogniser, audio) if r.final]
    assert len(finals) == 2
    # The lead, and each gap after the line ended END_PAUSE_S into it, were never given to the decoder.
    assert recogniser.seconds_skipped == pytest.approx(2.0 + 2 * (2.0 - END_PAUSE_S), abs=0.1)
    assert decoder.fed / RATE == pytest.approx(seconds(audio) - recogniser.seconds_skipped)
