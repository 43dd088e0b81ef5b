"""Hangul syllables ⇄ jamo (compatibility letters), the representation the pronunciation rules work on."""

from __future__ import annotations

from dataclasses import dataclass

ONSETS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
CODAS = ("", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")

_FIRST, _LAST = 0xAC00, 0xD7A3
_ONSET_INDEX = {c: i for i, c in enumerate(ONSETS)}
_VOWEL_INDEX = {c: i for i, c in enumerate(VOWELS)}
_CODA_INDEX = {c: i for i, c in enumerate(CODAS)}


@dataclass(slots=True)
class Syllable:
    """One written syllable, mutable so that rules can rewrite it in place."""

    onset: str
    vowel: str
    coda: str


def is_syllable(char: str) -> bool:
    """True for a precomposed Hangul syllable (가–힣)."""
    return _FIRST <= ord(char) <= _LAST


def decompose(char: str) -> Syllable:
    """Split a precomposed syllable into onset, vowel and coda letters."""
    index = ord(char) - _FIRST
    return Syllable(ONSETS[index // 588], VOWELS[index // 28 % 21], CODAS[index % 28])


def compose(syllable: Syllable) -> str:
    """Join onset, vowel and coda letters back into one precomposed syllable."""
    index = (
        _ONSET_INDEX[syllable.onset] * 588 + _VOWEL_INDEX[syllable.vowel] * 28 + _CODA_INDEX[syllable.coda]
    )
    return chr(_FIRST + index)


def has_coda(char: str) -> bool:
    """True when a Hangul syllable ends in a consonant (for choosing particles such as 은/는)."""
    return is_syllable(char) and (ord(char) - _FIRST) % 28 != 0
