"""Spoken Korean numbers as callers say them: native (한, 두, 세 … 스물다섯), Sino-Korean (일, 이 … 구십구),
digits, and the readings of telephone digits (공일공). The word tables come from ``moksori.text.numbers``.
"""

from __future__ import annotations

import re
from functools import cache

from moksori.text.numbers import native, sino

MAX_SPOKEN = 99


@cache
def native_words() -> dict[str, int]:
    """Native number words 1–99, full (하나, 스물) and before a counter (한, 스무), plus 석/넉 (석 잔)."""
    words: dict[str, int] = {}
    for number in range(1, MAX_SPOKEN + 1):
        words[native(number)] = number
        words[native(number, attributive=True)] = number
    words.update({"석": 3, "넉": 4, "서": 3, "너": 4})
    return words


@cache
def sino_words() -> dict[str, int]:
    """Sino-Korean number words 1–99 (일 … 구십구); 유/시 are the readings of 6/10 before 월."""
    return {sino(number): number for number in range(1, MAX_SPOKEN + 1)}


@cache
def sino_tens_pattern() -> str:
    """Sino-Korean numbers from 10 (십, 이십, 오십, 삼십오): large counts are said so ("도시락 오십 개")."""
    return _alternation({word: value for word, value in sino_words().items() if value >= 10})


@cache
def _tens_words() -> tuple[str, ...]:
    """The tens of both readings, longest first: 이십 … 구십, 스물 … 아흔, 십, 열."""
    tens = [native(10 * k) for k in range(1, 10)] + [sino(10 * k) for k in range(1, 10)]
    return tuple(sorted(tens, key=len, reverse=True))


def spaced(word: str) -> str:
    """A compound number word with its tens apart, as a recogniser writes it: 열한 → 열 한, 이십오 → 이십 오."""
    for tens in _tens_words():
        if word.startswith(tens) and len(word) > len(tens):
            return f"{tens} {word[len(tens) :]}"
    return word


def _alternation(words: dict[str, int]) -> str:
    # "열 한 시" is eleven o'clock, not "열" and then one o'clock: a compound may be written apart.
    return "|".join(spaced(word).replace(" ", r"\s?") for word in sorted(words, key=len, reverse=True))


@cache
def native_pattern() -> str:
    """A regular-expression group matching one native number word or a digit string."""
    return rf"(?:\d{{1,2}}|{_alternation(native_words())})"


@cache
def sino_pattern() -> str:
    return rf"(?:\d{{1,2}}|{_alternation(sino_words())})"


@cache
def any_number_pattern() -> str:
    words = {**sino_words(), **native_words()}
    return rf"(?:\d{{1,3}}|{_alternation(words)})"


def spoken_value(word: str) -> int | None:
    """The value of one number word or digit string: 일곱 → 7, 십이 → 12, 12 → 12; None if not a number."""
    word = word.replace(" ", "")
    if word.isdigit():
        return int(word)
    if word in native_words():
        return native_words()[word]
    return sino_words().get(word)


# Telephone digits: 공/영/빵 are all 0; 륙 is how 6 is often written after a vowel.
PHONE_DIGITS = {
    "공": "0", "영": "0", "빵": "0", "일": "1", "이": "2", "삼": "3", "사": "4",
    "오": "5", "육": "6", "륙": "6", "칠": "7", "팔": "8", "구": "9",
}  # fmt: skip
_PLACE_VALUE = re.compile(
    r"^(?:(?P<thousands>[이삼사오육칠팔구]?)천)?(?:(?P<hundreds>[이삼사오육칠팔구]?)백)?"
    r"(?:(?P<tens>[이삼사오육칠팔구]?)십)?(?P<ones>[일이삼사오육칠팔구]?)$"
)


def place_value_number(word: str) -> int | None:
    """A number read with place values, as some callers read a 4-digit group: 천이백삼십사 → 1234."""
    match = _PLACE_VALUE.match(word)
    if not match or not any(unit in word for unit in "천백십"):
        return None
    total = 0
    for name, scale in (("thousands", 1000), ("hundreds", 100), ("tens", 10)):
        digit = match.group(name)
        if digit is not None:  # the unit was said; a bare unit (천, 백, 십) means one of it
            total += scale * (int(PHONE_DIGITS[digit]) if digit else 1)
    if match.group("ones"):
        total += int(PHONE_DIGITS[match.group("ones")])
    return total
