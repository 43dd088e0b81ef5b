"""Hangul syllables ⇄ jamo (compatibility letters), the representation the pronunciation rules work on."""

from __future__ import annotations

from dataclasses import dataclass

ONSETS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
CODAS = ("", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")

_FIRST, _LAST = 0xAC00, 0xD7A3


@dataclass(slots=True)
class Syllable:
    """One written syllable, mutable so that rules can rewrite it in place."""

    onset: str
    vowel: str
    coda: str


def is_syllable(char: str) -> bool:
    """True for a precomposed Hangul syllable (가–힣)."""
    return _FIRST <= ord(char) <= _LAST


# Every syllable's letters, precomputed once: the rules look letters up hundreds of times per sentence.
LETTERS: dict[str, tuple[str, str, str]] = {
    chr(_FIRST + i): (ONSETS[i // 588], VOWELS[i // 28 % 21], CODAS[i % 28])
    for i in range(_LAST - _FIRST + 1)
}
_SYLLABLE_OF = {letters: char for char, letters in LETTERS.items()}


def decompose(char: str) -> Syllable:
    """Split a precomposed syllable into onset, vowel and coda letters."""
    return Syllable(*LETTERS[char])


def compose(syllable: Syllable) -> str:
    """Join onset, vowel and coda letters back into one precomposed syllable."""
    return _SYLLABLE_OF[(syllable.onset, syllable.vowel, syllable.coda)]


def onset_of(char: str) -> str:
    """The onset letter of a syllable ("" for anything that is not a Hangul syllable)."""
    letters = LETTERS.get(char)
    return letters[0] if letters else ""


def coda_of(char: str) -> str:
    """The coda letter of a syllable ("" when it has none or is not a Hangul syllable)."""
    letters = LETTERS.get(char)
    return letters[2] if letters else ""


def has_coda(char: str) -> bool:
    """True when a Hangul syllable ends in a consonant (for choosing particles such as 은/는)."""
    return coda_of(char) != ""
