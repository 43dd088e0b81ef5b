"""Pronounced text → the phone sequence the voice engine consumes (symbols of ``moksori.text.phoneset``)."""

from __future__ import annotations

from moksori.text.hangul import ONSETS, decompose, is_syllable
from moksori.text.phoneset import (
    COMMA,
    EXCLAIM,
    KO_ONSET_BY_JAMO,
    KO_ONSET_LATERAL,
    PERIOD,
    QUESTION,
    WORD,
)

BREAK_OF_CHAR = {
    ",": COMMA, ";": COMMA, ":": COMMA, "、": COMMA, "·": COMMA, "—": COMMA, "…": COMMA,
    ".": PERIOD, "。": PERIOD, "?": QUESTION, "？": QUESTION, "!": EXCLAIM, "！": EXCLAIM,
}  # fmt: skip
KO_ONSET = dict(zip(ONSETS, KO_ONSET_BY_JAMO, strict=True))
KO_VOWEL = {
    "ㅏ": ("a",), "ㅐ": ("e",), "ㅑ": ("y", "a"), "ㅒ": ("y", "e"), "ㅓ": ("eo",), "ㅔ": ("e",),
    "ㅕ": ("y", "eo"), "ㅖ": ("y", "e"), "ㅗ": ("o",), "ㅘ": ("w", "a"), "ㅙ": ("w", "e"), "ㅚ": ("w", "e"),
    "ㅛ": ("y", "o"), "ㅜ": ("u",), "ㅝ": ("w", "eo"), "ㅞ": ("w", "e"), "ㅟ": ("w", "i"), "ㅠ": ("y", "u"),
    "ㅡ": ("eu",), "ㅢ": ("ui",), "ㅣ": ("i",),
}  # fmt: skip
KO_CODA = {"ㄱ": "-k", "ㄷ": "-t", "ㅂ": "-p", "ㅁ": "-m", "ㄴ": "-n", "ㅇ": "-ng", "ㄹ": "-l"}
PALATAL_ONSETS = frozenset(("j", "jj", "ch"))  # 져 쟈 죠 쥬: the y-glide merges into the consonant


# When two breaks meet (?! or , .), the one that says more about the intonation is kept.
BREAK_RANK = {COMMA: 0, PERIOD: 1, EXCLAIM: 2, QUESTION: 3}


def korean_phones(pronounced: str) -> list[str]:
    """Phones of Hangul already in its pronounced form (``pronounce`` output), plus boundaries and breaks."""
    phones: list[str] = []
    previous_coda = ""
    for char in pronounced:
        if is_syllable(char):
            syllable = decompose(char)
            onset = KO_ONSET[syllable.onset]
            if onset == "r" and previous_coda == "ㄹ":
                onset = KO_ONSET_LATERAL  # also across a space: 할 일 [할 릴]
            if onset:
                phones.append(onset)
            vowel = KO_VOWEL[syllable.vowel]
            if onset in PALATAL_ONSETS and vowel[0] == "y":
                vowel = vowel[1:]
            phones.extend(vowel)
            if syllable.coda:
                phones.append(KO_CODA[syllable.coda])
            previous_coda = syllable.coda
        elif char.isspace():
            add_boundary(phones, WORD)
        else:
            add_boundary(phones, BREAK_OF_CHAR.get(char))
            previous_coda = ""
    return finish(phones)


def add_boundary(phones: list[str], symbol: str | None) -> None:
    """Append a word boundary or break, never doubling them; a break absorbs an adjacent word boundary."""
    if symbol is None or not phones:
        return
    last = phones[-1]
    if symbol == WORD:
        if last != WORD and last not in BREAK_RANK:
            phones.append(WORD)
    elif last == WORD:
        phones[-1] = symbol
    elif last in BREAK_RANK:
        if BREAK_RANK[symbol] > BREAK_RANK[last]:
            phones[-1] = symbol
    else:
        phones.append(symbol)


def finish(phones: list[str]) -> list[str]:
    """Drop a trailing word boundary and end every utterance with a break (a period when none is written)."""
    while phones and phones[-1] == WORD:
        phones.pop()
    if phones and phones[-1] not in BREAK_RANK:
        phones.append(PERIOD)
    return phones
