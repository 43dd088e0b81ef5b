"""Korean number words: Sino-Korean (일, 이, 삼 …) and native (하나, 둘 … 아흔아홉), and digit strings."""

from __future__ import annotations

SINO_DIGITS = ("", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구")
DIGIT_NAMES = ("영", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구")
_SMALL_UNITS = ("", "십", "백", "천")
_LARGE_UNITS = ("", "만", "억", "조", "경")

NATIVE_ONES = ("", "하나", "둘", "셋", "넷", "다섯", "여섯", "일곱", "여덟", "아홉")
# Before a counter the native numbers shorten (한 개, 두 시, 스무 살).
NATIVE_ONES_ATTRIBUTIVE = ("", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉")
NATIVE_TENS = ("", "열", "스물", "서른", "마흔", "쉰", "예순", "일흔", "여든", "아흔")


def sino(number: int) -> str:
    """Sino-Korean reading: 2024 → 이천이십사, 10000 → 만, 0 → 영 (one is silent before 십/백/천/만)."""
    if number < 0:
        return "마이너스 " + sino(-number)
    if number == 0:
        return "영"
    if number >= 10**20:
        return digits(str(number))  # beyond 경 nobody reads place values: digit by digit
    groups = []
    group_index = 0
    while number:
        number, group = divmod(number, 10000)
        if group:
            groups.append(_sino_group(group, group_index) + _LARGE_UNITS[group_index])
        group_index += 1
    return "".join(reversed(groups))


def _sino_group(group: int, group_index: int) -> str:
    if group == 1 and group_index == 1:
        return ""  # 만, not 일만
    words = []
    for position in range(3, -1, -1):
        digit = group // 10**position % 10
        if digit:
            words.append(("" if digit == 1 and position else SINO_DIGITS[digit]) + _SMALL_UNITS[position])
    return "".join(words)


def native(number: int, attributive: bool = False) -> str:
    """Native reading for 1–99 (스물셋; before a counter 스무, 스물세); larger numbers fall back to Sino."""
    if not 0 < number < 100:
        return sino(number)
    tens, ones = divmod(number, 10)
    if attributive and number == 20:
        return "스무"
    ones_words = NATIVE_ONES_ATTRIBUTIVE if attributive else NATIVE_ONES
    return NATIVE_TENS[tens] + ones_words[ones]


def digits(text: str, zero: str = "영") -> str:
    """Digit by digit (phone numbers, codes): 010 → 공일공 with ``zero="공"``."""
    return "".join(zero if c == "0" else DIGIT_NAMES[int(c)] for c in text if c.isdigit())
