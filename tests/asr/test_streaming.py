"""The streaming recogniser on espeak-ng sentences fed 20 ms at a time, as a call delivers them."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from moksori.asr import RecognizerUnavailable, StreamingRecognizer, cer, normalize_transcript, transcribe
from moksori.audio import load_audio

FRAME = 320  # 20 ms at 16 kHz


@pytest.fixture(scope="module")
def sentences(synthetic_speaker) -> list[np.ndarray]:
    folder = synthetic_speaker("ko_f", 2)
    return [load_audio(wav, 16000)[0] for wav in sorted((folder / "wavs").glob("*.wav"))]


def feed(recogniser: StreamingRecognizer, samples: np.ndarray) -> list:
    results = []
    for start in range(0, len(samples), FRAME):
        results += recogniser.accept(samples[start : start + FRAME])
    return results


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(16000 * seconds), dtype=np.float32)


@pytest.mark.slow
def test_partials_then_a_final_line_with_word_times(sentences) -> None:
    speech = sentences[0]
    audio = np.concatenate([silence(0.5), speech, silence(1.5)])
    results = feed(StreamingRecognizer(), audio)
    partials = [r for r in results if not r.final]
    finals = [r for r in results if r.final]
    assert len(partials) >= 2 and len(finals) == 1
    # Partials grow while the sentence is spoken and come before its end.
    assert partials[0].end < 0.5 + len(speech) / 16000
    final = finals[0]
    # The endpointer closes the line within the trailing silence, without finish(), with what the
    # offline recogniser hears in the whole recording (decoding in pieces may differ by a syllable or two).
    offline = transcribe(audio, 16000)
    assert normalize_transcript(offline) and cer(offline, final.text) <= 0.2
    assert final.words and 0.4 <= final.start < final.words[-1].end <= 0.5 + len(speech) / 16000 + 0.2
    assert all(a.end <= b.start + 1e-6 for a, b in zip(final.words, final.words[1:], strict=False))


@pytest.mark.slow
def test_two_utterances_are_two_lines_and_times_run_on(sentences) -> None:
    first, second = sentences
    audio = np.concatenate([first, silence(1.5), second])
    recogniser = StreamingRecognizer()
    finals = [r for r in feed(recogniser, audio) if r.final]
    last = recogniser.finish()  # the second sentence had no trailing silence: ended by hand
    assert len(finals) == 1 and last is not None and last.final
    assert last.start >= len(first) / 16000 + 1.0
    assert recogniser.finish() is None  # nothing left


@pytest.mark.slow
def test_recognisers_fed_from_threads_at_once_match_one_fed_alone(sentences) -> None:
    audio = np.concatenate([sentences[0], silence(1.5)])
    alone = [r.text for r in feed(StreamingRecognizer(), audio) if r.final]
    together: list[list[str]] = [[], []]

    def run(slot: int) -> None:
        together[slot] = [r.text for r in feed(StreamingRecognizer(), audio) if r.final]

    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Each recogniser hears the whole sentence once, as one line: none takes another's audio or
    # state. Kaldi's float sums may round differently under load, so a syllable may differ.
    assert alone and all(len(lines) == len(alone) for lines in together)
    assert all(cer(alone[0], lines[0]) <= 0.15 for lines in together)


def test_silence_gives_nothing() -> None:
    recogniser = StreamingRecognizer()
    assert feed(recogniser, silence(2.0)) == []
    assert recogniser.finish() is None
    assert recogniser.seconds_fed == pytest.approx(2.0)


def test_a_language_without_a_streaming_model_is_refused_clearly() -> None:
    with pytest.raises(RecognizerUnavailable, match="Korean only"):
        StreamingRecognizer("en")
