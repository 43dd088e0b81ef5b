"""English normalisation and phones (CMUdict, espeak-ng fallback)."""

from __future__ import annotations

import shutil

import pytest

from moksori.text import normalize, phonemes
from moksori.text.en_normalize import cardinal, ordinal, year
from moksori.text.english import parse_espeak, word_phones
from moksori.text.phoneset import EN_PHONES


@pytest.mark.parametrize(
    ("number", "words"),
    [(0, "zero"), (13, "thirteen"), (40, "forty"), (99, "ninety-nine"), (105, "one hundred five"),
     (1234, "one thousand two hundred thirty-four"), (2_000_000, "two million")],
)  # fmt: skip
def test_cardinal(number: int, words: str) -> None:
    assert cardinal(number) == words


@pytest.mark.parametrize(
    ("number", "words"), [(1, "first"), (2, "second"), (3, "third"), (12, "twelfth"), (20, "twentieth"),
                          (21, "twenty-first"), (105, "one hundred fifth")],
)  # fmt: skip
def test_ordinal(number: int, words: str) -> None:
    assert ordinal(number) == words


@pytest.mark.parametrize(
    ("number", "words"),
    [(1990, "nineteen ninety"), (2005, "two thousand five"), (2025, "twenty twenty-five"),
     (1905, "nineteen oh five"), (2000, "two thousand"), (1800, "eighteen hundred")],
)  # fmt: skip
def test_year(number: int, words: str) -> None:
    assert year(number) == words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A coffee costs $4.50 here.", "A coffee costs four dollars and fifty cents here."),
        ("It's $1.", "It's one dollar."),
        ("The meeting starts at 9:30.", "The meeting starts at nine thirty."),
        ("Come at 3:00 or 12:05.", "Come at three o'clock or twelve oh five."),
        ("My birthday is on the 17th of May.", "My birthday is on the seventeenth of May."),
        ("It was 1990.", "It was nineteen ninety."),
        ("Call 555-0142.", "Call five five five, oh one four two."),
        ("Mr. Smith & Dr. Jones", "mister Smith and doctor Jones"),
        ("St. Mary's is on Main St.", "Saint Mary's is on Main street."),
        (
            "It rose 3.5% to 1,200 people.",
            "It rose three point five percent to one thousand two hundred people.",
        ),
        ("See https://example.com now 😀", "See link now"),
    ],
)
def test_normalize_english(text: str, expected: str) -> None:
    assert normalize(text, "en") == expected


def test_cmudict_words_keep_stress() -> None:
    assert word_phones("voice") == ("V", "OY1", "S")


def test_espeak_mnemonics_map_to_arpabet() -> None:
    assert parse_espeak("m@ks'O@ri") == ("M", "AH0", "K", "S", "AO1", "R", "IY0")
    assert all(p in EN_PHONES for p in parse_espeak("h@l'oU w'3:ld"))


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_unknown_word_goes_through_espeak() -> None:
    phones = word_phones("Moksori")
    assert phones and all(p in EN_PHONES for p in phones)
    assert phones[0] == "M"


def test_english_phonemes_have_breaks_and_boundaries() -> None:
    assert phonemes("Yes, two!", "en") == ["Y", "EH1", "S", ",", "T", "UW1", "!"]


@pytest.mark.parametrize(
    ("word", "hangul"),
    [("zoom", "줌"), ("time", "타임"), ("quick", "퀵"), ("netflix", "넷플릭스"), ("google", "구글"),
     ("bridge", "브리지"), ("day", "데이"), ("world", "월드")],
)  # fmt: skip
def test_english_words_in_hangul(word: str, hangul: str) -> None:
    from moksori.text.transliterate import english_to_hangul

    assert english_to_hangul(word) == hangul
