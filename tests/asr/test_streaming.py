"""The streaming recogniser on espeak-ng sentences fed 20 ms at a time, as a call delivers them: Korean (vosk)
and English (pocketsphinx)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from moksori.asr import RecognizerUnavailable, StreamingRecognizer, cer, normalize_transcript, transcribe, wer
from moksori.asr.streaming import END_PAUSE_S, LIVE_SEARCH, _live_model_folder, recognise_again_korean
from moksori.audio import load_audio
from tests.asr.line_audio import line_noise, over_the_line, seconds

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
    recogniser = StreamingRecognizer()
    results = feed(recogniser, audio)
    partials = [r for r in results if not r.final]
    finals = [r for r in results if r.final]
    assert len(partials) >= 2 and len(finals) == 1
    # Partials grow while the sentence is spoken and come before its end.
    assert partials[0].end < 0.5 + len(speech) / 16000
    final = finals[0]
    # The endpointer closes the line within the trailing silence, without finish(), with what the
    # offline recogniser hears in the same audio (decoding in pieces may differ by a syllable or two). The
    # leading digital silence was skipped, and vosk adapts to what it is given, so offline reads it without.
    assert 0.5 <= recogniser.seconds_skipped < 2.0  # the lead, and the silence after the line ended
    offline = transcribe(audio[8000:], 16000)
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
    # Not letter for letter: recognisers sharing one model differ by a syllable now and then even one after
    # another (the model's lookahead caches fill as they are used); recognisers that disturbed each other's
    # audio would read something else entirely.
    assert len(alone) == 1 and [len(lines) for lines in together] == [1, 1]
    assert all(cer(alone[0], lines[0]) <= 0.2 for lines in together), (alone, together)


def test_silence_gives_nothing() -> None:
    recogniser = StreamingRecognizer()
    assert feed(recogniser, silence(2.0)) == []
    assert recogniser.finish() is None
    assert recogniser.seconds_fed == pytest.approx(2.0)
    assert recogniser.seconds_skipped == pytest.approx(2.0)  # digital silence costs no recognition


@pytest.mark.slow
def test_skipped_silence_keeps_word_times_and_pauses_inside_speech_still_end_lines(sentences) -> None:
    """Digital silence before speech is skipped, a faint noise floor is not; both read the same words at the
    same times, and the silence after each line is fed, so the endpointer closes it by itself."""
    speech = sentences[0]  # said twice: the fixture's first sentence is the one vosk reads steadily
    floor = np.random.default_rng(0).normal(0, 0.002, 16000 * 3).astype(np.float32)
    lines, skipped = {}, {}
    for name, lead in [("silent", silence(3.0)), ("noisy", floor)]:
        recogniser = StreamingRecognizer()
        results = feed(recogniser, lead)
        # The lead alone: how much of the silence after each line is skipped varies from run to run with when
        # the endpointer closes the line (0.5 to 2 s).
        skipped[name] = recogniser.seconds_skipped
        results += feed(recogniser, np.concatenate([speech, silence(2.5), speech, silence(2.5)]))
        lines[name] = [r for r in results if r.final]  # rule 4 ends a line after 2 s
        # The first line, after the lead, must end by itself; vosk now and then reads the repeat as nothing.
        assert 1 <= len(lines[name]) <= 2, (name, lines[name])
    assert skipped["silent"] >= 2.9 and skipped["noisy"] == 0.0  # only digital silence is skipped
    silent, noisy = lines["silent"][0], lines["noisy"][0]
    # (The noise may be read as an extra word at the start: compare the lines' last words.)
    assert abs(silent.words[-1].start - noisy.words[-1].start) < 0.1 and abs(silent.end - noisy.end) < 0.1
    assert silent.end <= 3.0 + len(speech) / 16000 + 0.5  # closed by the endpointer, not by the next line
    if len(lines["silent"]) == 2:
        assert lines["silent"][1].start >= 3.0 + len(speech) / 16000 + 2.0


@pytest.mark.slow
def test_sentences_on_a_noisy_phone_line_end_on_their_own_pause(sentences) -> None:
    """Under a line's hiss and hum through μ-law, each sentence's line ends END_PAUSE_S into the pause after it
    (the pause endpointer) or sooner (vosk's own), before the next sentence starts; vosk alone may hear no
    trailing silence in that noise."""
    first, second = sentences
    lead, gap = line_noise(1.0), line_noise(2.5)
    audio = over_the_line(lead, first, gap, second, line_noise(1.5))
    recogniser = StreamingRecognizer()
    shown = []  # (audio fed when the final came, the final)
    for start in range(0, len(audio), FRAME):
        shown += [(recogniser.seconds_fed, r) for r in recogniser.accept(audio[start : start + FRAME]) if r.final]
    first_end = seconds(lead) + seconds(first)
    second_start = first_end + seconds(gap)
    assert len(shown) == 2 and recogniser.finish() is None, shown
    (first_at, first_line), (second_at, second_line) = shown
    # The first line ended in the pause, long before the second sentence, and holds none of its words.
    assert first_line.end <= first_end + 0.2 and first_at <= first_end + END_PAUSE_S + 0.1
    # vosk may read the line's noise just after a line ends as a short word, which then opens the next line:
    # the second line is judged by the words it holds from the second sentence.
    assert sum(word.start >= second_start - 0.1 for word in second_line.words) >= 3, second_line
    assert second_at <= second_start + seconds(second) + END_PAUSE_S + 0.1


def test_an_utterance_heard_again_under_a_grammar_comes_out_in_its_words_only(sentences) -> None:
    """The live model under a grammar writes only the grammar's words, whatever was said (the assistant then
    judges whether they make one whole answer)."""
    open_text = transcribe(sentences[0], 16000, "ko").split()
    phrases = ["네", "아니요", "여기", "주세요"]
    again = recognise_again_korean(sentences[0], phrases).split()
    assert set(again) <= set(phrases) and again != open_text
    assert recognise_again_korean(silence(1.0), phrases) == ""


def test_the_live_model_is_the_shipped_one_with_a_lighter_search(tmp_path, monkeypatch) -> None:
    shipped = tmp_path / "model"
    (shipped / "conf").mkdir(parents=True)
    (shipped / "am").mkdir()
    (shipped / "am" / "final.mdl").write_bytes(b"weights")
    (shipped / "conf" / "mfcc.conf").write_text("--sample-frequency=16000\n")
    (shipped / "conf" / "model.conf").write_text("--min-active=200\n--max-active=3000\n--beam=10.0\n"
                                                 "--lattice-beam=2.0\n--endpoint.rule2.min-trailing-silence=0.5\n")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = _live_model_folder(shipped)
    conf = (folder / "conf" / "model.conf").read_text().split()
    assert conf == ["--min-active=200", *(f"{k}={v}" for k, v in LIVE_SEARCH.items()),
                    "--endpoint.rule2.min-trailing-silence=0.5"]
    assert (folder / "am").is_symlink() and (folder / "am" / "final.mdl").read_bytes() == b"weights"
    assert (folder / "conf" / "mfcc.conf").read_text() == "--sample-frequency=16000\n"
    assert _live_model_folder(shipped) == folder  # made once, then reused


def test_a_language_without_a_streaming_model_is_refused_clearly() -> None:
    with pytest.raises(RecognizerUnavailable, match="Korean and English only"):
        StreamingRecognizer("ja")


# --- English -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def english(synthetic_speaker) -> list[tuple[str, np.ndarray]]:
    """(text, audio) of espeak-ng's en-us voice (the ``en_f`` variant: pocketsphinx reads it best of the
    synthetic English speakers)."""
    folder = synthetic_speaker("en_f", 4)
    rows = [line.split("|", 1) for line in (folder / "metadata.csv").read_text(encoding="utf-8").splitlines()]
    return [(text, load_audio(folder / "wavs" / f"{uid}.wav", 16000)[0]) for uid, text in rows]


@pytest.mark.slow
def test_english_partials_then_a_final_line_with_word_times(english) -> None:
    text, speech = english[0]
    audio = np.concatenate([silence(0.5), speech, silence(1.5)])
    recogniser = StreamingRecognizer("en")
    results = feed(recogniser, audio)
    finals = [r for r in results if r.final]
    assert len(finals) == 1, results  # ended by the endpointer in the trailing silence, without finish()
    final = finals[0]
    partials = results[: results.index(final)]
    assert len(partials) >= 2 and all(not r.final for r in partials)
    assert partials[0].end < 0.5 + len(speech) / 16000  # a partial while the sentence is still being said
    # pocketsphinx's general model on espeak-ng: a line that reads the sentence, give or take a few words
    # (noise or another sentence reads near 1.0).
    assert wer(text, final.text, "en") <= 0.5, final.text
    assert final.text == " ".join(w.text for w in final.words)
    assert final.start >= 0.4 and final.words[-1].end <= 0.5 + len(speech) / 16000 + 0.2
    assert all(a.end <= b.start + 1e-6 for a, b in zip(final.words, final.words[1:], strict=False))
    assert recogniser.seconds_skipped >= 0.5 and recogniser.finish() is None


def test_english_silence_gives_nothing() -> None:
    recogniser = StreamingRecognizer("en")
    assert feed(recogniser, silence(2.0)) == []
    assert recogniser.finish() is None
    assert recogniser.seconds_skipped == pytest.approx(2.0)


@pytest.mark.slow
def test_english_finish_ends_a_line_and_times_run_on(english) -> None:
    (_, first), (_, second) = english[0], english[3]
    recogniser = StreamingRecognizer("en")
    assert not [r for r in feed(recogniser, first) if r.final]  # no silence after it: the line is still open
    ended = recogniser.finish()
    assert ended is not None and ended.final and normalize_transcript(ended.text, "en")
    assert recogniser.finish() is None
    # After finish() the next line's times still count from the first sample fed.
    lines = [r for r in feed(recogniser, np.concatenate([silence(1.5), second, silence(1.5)])) if r.final]
    assert lines and lines[0].start >= len(first) / 16000 + 1.4


@pytest.mark.slow
def test_english_lines_ended_within_one_long_block_are_all_kept(english) -> None:
    """A captions thread that fell behind hands the recogniser seconds of audio at once."""
    audio = np.concatenate([english[0][1], silence(1.0), english[1][1], silence(1.5)])
    recogniser = StreamingRecognizer("en")
    lines = [r for r in recogniser.accept(audio) if r.final]
    assert len(lines) == 2 and lines[0].end < len(english[0][1]) / 16000 + 0.5 < lines[1].start


@pytest.mark.slow
def test_english_times_count_skipped_silence(english) -> None:
    """Digital silence before speech is never decoded, so the decoder hears the same audio with or without it;
    the line's word times move by exactly the silence's length."""
    _, speech = english[0]
    tail = silence(1.5)
    plain = [r for r in feed(StreamingRecognizer("en"), np.concatenate([speech, tail])) if r.final]
    recogniser = StreamingRecognizer("en")
    led = [r for r in feed(recogniser, np.concatenate([silence(3.0), speech, tail])) if r.final]
    assert len(plain) == len(led) == 1 and plain[0].text == led[0].text
    assert recogniser.seconds_skipped >= 3.0
    for a, b in zip(plain[0].words, led[0].words, strict=True):
        assert b.start - a.start == pytest.approx(3.0, abs=1e-6) and b.end - a.end == pytest.approx(3.0, abs=1e-6)


@pytest.mark.slow
def test_english_recognisers_fed_from_threads_at_once_match_one_fed_alone(english) -> None:
    audio = np.concatenate([english[0][1], silence(1.0), english[1][1], silence(1.5)])
    alone = [r.text for r in feed(StreamingRecognizer("en"), audio) if r.final]
    together: list[list[str]] = [[], []]

    def run(slot: int) -> None:
        together[slot] = [r.text for r in feed(StreamingRecognizer("en"), audio) if r.final]

    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # pocketsphinx decodes the same audio the same way (its decoders share only the language model, and never
    # run at once: its binding keeps the GIL), so the lines match word for word.
    assert alone and together == [alone, alone]
