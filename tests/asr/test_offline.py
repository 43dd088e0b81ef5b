"""Error rates on known strings, and the recognisers on espeak-ng fixtures."""

from __future__ import annotations

import re

import pytest

from moksori.asr import cer, normalize_transcript, reference_text, transcribe, wer
from moksori.audio import load_audio


def test_cer_on_known_strings() -> None:
    assert cer("가나다라", "가나다마") == pytest.approx(0.25)
    assert cer("가나다라", "가나다라마바") == pytest.approx(0.5)
    assert cer("가나다라", "") == 1.0
    assert cer("안녕하세요.", "안녕 하세요") == 0.0  # spaces and punctuation do not count


def test_vosk_bracket_tokens_are_dropped() -> None:
    assert normalize_transcript("삼 [9] (백) 원!") == "삼원"
    assert cer("삼원", "삼 [9] (백) 원") == 0.0


def test_wer_on_known_strings() -> None:
    assert wer("The cat sat on the mat.", "the cat sat on mat") == pytest.approx(1 / 6)
    assert wer("the cat", "a dog ran") == pytest.approx(3 / 2)
    assert wer("Hello, world!", "hello world") == 0.0


def test_reference_text_spells_out_numbers() -> None:
    spoken = reference_text("2009년, 2010년 시즌", "ko")
    assert not re.search(r"\d", spoken)
    assert "이천구" in spoken.replace(" ", "")


@pytest.mark.slow
def test_vosk_hears_korean_in_an_espeak_fixture(synthetic_speaker) -> None:
    samples, rate = load_audio(synthetic_speaker("ko_f", 1) / "wavs" / "ko_f_0001.wav")
    text = normalize_transcript(transcribe(samples, rate, "ko"))
    assert text and all("\uac00" <= ch <= "\ud7a3" for ch in text)
    assert cer("안녕하세요, 만나서 반갑습니다.", text) < 1.0


@pytest.mark.slow
def test_pocketsphinx_hears_english_in_an_espeak_fixture(synthetic_speaker) -> None:
    samples, rate = load_audio(synthetic_speaker("en_m", 1) / "wavs" / "en_m_0001.wav")
    assert wer("Hello, it is nice to meet you.", transcribe(samples, rate, "en")) < 1.0
