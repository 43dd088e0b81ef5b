"""Korean reading of numbers, units, symbols and Latin letters (what a Korean says when reading aloud)."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from moksori.text.hangul import ONSETS, Syllable, compose, has_coda
from moksori.text.numbers import digits, native, sino

# Counters that take native numbers (세 시, 두 개, 스무 살) up to 99; longest first so 시간 wins over 시.
NATIVE_COUNTERS = (
    "시간", "번째", "가지", "군데", "그릇", "켤레", "송이", "자루", "마리", "사람", "바퀴", "걸음", "모금",
    "차례", "마디", "개", "명", "시", "살", "권", "잔", "병", "대", "장", "번", "달", "곳", "벌", "채",
    "척", "통", "줄", "끼", "판", "쌍", "배", "째",
)  # fmt: skip
# Counters and units read with Sino-Korean numbers; listed so that they are not mistaken for the native ones.
SINO_COUNTERS = ("개월", "개국", "개년", "세기", "시즌", "번지", "번길", "번선", "번 출구", "번 버스", "번방")
UNITS = {
    "km/h": "킬로미터", "kg": "킬로그램", "km": "킬로미터", "cm": "센티미터", "mm": "밀리미터", "ml": "밀리리터",
    "mL": "밀리리터", "m²": "제곱미터", "m2": "제곱미터", "㎡": "제곱미터", "kcal": "킬로칼로리",
    "GB": "기가바이트", "MB": "메가바이트", "TB": "테라바이트", "KB": "킬로바이트", "Hz": "헤르츠",
    "kHz": "킬로헤르츠", "kW": "킬로와트", "W": "와트", "V": "볼트", "m": "미터", "g": "그램", "l": "리터",
    "L": "리터", "℃": "도", "°C": "도", "°": "도", "%": "퍼센트", "$": "달러", "€": "유로", "¥": "엔",
    "£": "파운드", "₩": "원",
}  # fmt: skip
CURRENCY_PREFIXES = {"$": "달러", "€": "유로", "£": "파운드", "¥": "엔", "₩": "원"}
MONTHS = {6: "유월", 10: "시월"}
LETTER_NAMES = {
    "A": "에이", "B": "비", "C": "씨", "D": "디", "E": "이", "F": "에프", "G": "지", "H": "에이치", "I": "아이",
    "J": "제이", "K": "케이", "L": "엘", "M": "엠", "N": "엔", "O": "오", "P": "피", "Q": "큐", "R": "알",
    "S": "에스", "T": "티", "U": "유", "V": "브이", "W": "더블유", "X": "엑스", "Y": "와이", "Z": "지",
}  # fmt: skip
SYMBOLS = {"&": " 앤 ", "+": " 플러스 ", "#": " 샵 ", "@": " 앳 ", "×": " 곱하기 ", "÷": " 나누기 "}

_NUMBER = r"\d{1,3}(?:,\d{3})+|\d+"
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|net|org|kr|io)(?:/\S*)?", re.I)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
_PHONE = re.compile(
    r"(?<![\d-])(0\d{1,2})-(\d{3,4})-(\d{4})(?![\d-])|(?<![\d-])(1[568]\d{2})-(\d{4})(?![\d-])"
)
_DATE = re.compile(r"(?<!\d)(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?!\d)\.?")
_TIME = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:])")
_RANGE = re.compile(rf"({_NUMBER})\s*~\s*(?=(?:{_NUMBER})\s?([가-힣]*))")
_CURRENCY = re.compile(rf"([$€£¥₩])\s?({_NUMBER}(?:\.\d+)?)")
_SPEED = re.compile(rf"(?:시속\s*)?({_NUMBER}(?:\.\d+)?)\s?km/h")
_FRACTION = re.compile(r"(?<![\d/])(\d{1,3})/(\d{1,3})(?![\d/])")
_ARITHMETIC = re.compile(r"(?<=\d)\s*([+\-×÷=])\s*(?=\d)")
_NUMBER_WITH_TAIL = re.compile(
    rf"(?P<sign>(?<![\w.])-)?(?P<num>{_NUMBER})(?P<frac>\.\d+)?(?P<tail>\s?(?:"
    + "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True) if not u.isalpha())
    + r"|(?:[A-Za-z]+)(?![A-Za-z])|[가-힣]+(?: (?:출구|버스))?))?"
)
MULTIPLIERS = {"천만": 10**7, "백만": 10**6, "십만": 10**5, "만": 10**4, "천": 1000, "백": 100, "억": 10**8,
               "조": 10**12}  # fmt: skip
_MULTIPLIED = re.compile(rf"({_NUMBER})(천만|백만|십만|만|억|조|천|백)(?=[\s원달명개]|$)")
_JAMO_RUN = re.compile(r"[\u1100-\u1112\u1160-\u11ff]+")  # conjoining jamo after NFKC
_LATIN_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")


@cache
def english_loanwords() -> dict[str, str]:
    """Common English words and acronyms as Koreans say them (package data ``data/en_loanwords.tsv``)."""
    text = resources.files("moksori.text").joinpath("data/en_loanwords.tsv").read_text(encoding="utf-8")
    pairs = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {word.lower(): reading for word, reading in pairs}


def normalize_korean(text: str) -> str:
    """Spell out everything in cleaned text that is not Hangul or punctuation, by context."""
    text = _URL.sub(" 링크 ", text)
    text = _EMAIL.sub(" 이메일 주소 ", text)
    text = _PHONE.sub(_read_phone, text)
    text = _DATE.sub(_read_date, text)
    text = _TIME.sub(_read_time, text)
    text = _SPEED.sub(lambda m: f"시속 {_read_plain(m.group(1))} 킬로미터", text)
    text = _CURRENCY.sub(lambda m: f"{_read_plain(m.group(2))} {CURRENCY_PREFIXES[m.group(1)]}", text)
    text = _FRACTION.sub(lambda m: f"{sino(_to_int(m.group(2)))} 분의 {sino(_to_int(m.group(1)))}", text)
    text = _ARITHMETIC.sub(_read_operator, text)
    text = _MULTIPLIED.sub(lambda m: str(_to_int(m.group(1)) * MULTIPLIERS[m.group(2)]), text)
    text = _RANGE.sub(lambda m: f"{number_word(_to_int(m.group(1)), m.group(2))}에서 ", text)
    text = _NUMBER_WITH_TAIL.sub(_read_number, text)
    text = re.sub(
        r"(.)?\s*=\s*",
        lambda m: (m.group(1) or "") + ("은 " if has_coda(m.group(1) or "") else "는 "),
        text,
    )
    text = text.replace("~", " ")
    for symbol, reading in SYMBOLS.items():
        text = text.replace(symbol, reading)
    text = _LATIN_WORD.sub(lambda m: _read_latin(m.group()), text)
    return _JAMO_RUN.sub(lambda m: "".join(_jamo_syllable(c) for c in m.group()), text)


def _jamo_syllable(letter: str) -> str:
    """Chat letters read as syllables: ㅋㅋ 크크, ㅎㅎ 흐흐, ㅇㅇ 응응; vowels alone (ㅠㅠ) are not read.

    NFKC has turned the letters into conjoining jamo by now; initial consonants are U+1100–U+1112.
    """
    index = ord(letter) - 0x1100
    if not 0 <= index < len(ONSETS):
        return ""
    onset = ONSETS[index]
    return "응" if onset == "ㅇ" else compose(Syllable(onset, "ㅡ", ""))


def _read_phone(match: re.Match[str]) -> str:
    groups = [g for g in match.groups() if g]
    return " " + ", ".join(digits(g, zero="공") for g in groups)


def _read_date(match: re.Match[str]) -> str:
    year, month, day = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return match.group()
    return f"{sino(year)} 년 {read_month(month)} {sino(day)} 일"


def read_month(month: int) -> str:
    """삼월, but 유월 and 시월."""
    return MONTHS.get(month, sino(month) + "월")


def _read_time(match: re.Match[str]) -> str:
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 24 or minute > 59:
        return match.group()
    words = [f"{native(hour, attributive=True) if hour else '영'} 시"]
    if minute:
        words.append(f"{sino(minute)} 분")
    if match.group(3) and int(match.group(3)):
        words.append(f"{sino(int(match.group(3)))} 초")
    return " ".join(words)


def _read_operator(match: re.Match[str]) -> str:
    return {"+": " 더하기 ", "-": " 빼기 ", "×": " 곱하기 ", "÷": " 나누기 ", "=": "="}[match.group(1)]


def _read_plain(number: str) -> str:
    whole, _, fraction = number.replace(",", "").partition(".")
    reading = sino(int(whole))
    return f"{reading} 점 {digits(fraction)}" if fraction else reading


def _read_number(match: re.Match[str]) -> str:
    """A number with what follows it: a counter decides native or Sino, a unit is spelled out."""
    number = _to_int(match.group("num"))
    tail = (match.group("tail") or "").strip()
    sign = "마이너스 " if match.group("sign") else ""
    if match.group("frac"):
        return f"{sign}{_read_plain(match.group('num') + match.group('frac'))}{_read_unit(tail)}"
    if tail in UNITS:
        return f"{sign}{sino(number)} {UNITS[tail]}"
    if tail.startswith("월") and 1 <= number <= 12:
        return f"{read_month(number)}{tail[1:]}"
    if tail and re.match("[가-힣]", tail):
        return sign + _read_with_counter(number, tail)
    return f"{sign}{sino(number)}{_read_unit(tail)}"


def _read_unit(tail: str) -> str:
    if not tail:
        return ""
    return " " + UNITS.get(tail, tail)


def _to_int(number: str) -> int:
    return int(number.replace(",", ""))


def number_word(number: int, word: str) -> str:
    """The number as read before ``word``: native before a native counter (세 개), Sino otherwise."""
    if word.startswith(SINO_COUNTERS) or not word.startswith(NATIVE_COUNTERS) or number >= 100:
        return sino(number)
    if word.startswith("대") and number % 10 == 0:
        return sino(number)  # 20대 이십 대 (one's twenties), but 2대 두 대 (two cars)
    if number == 1 and word.startswith(("번째", "째")):
        return "첫"
    return native(number, attributive=True)


def _read_with_counter(number: int, word: str) -> str:
    separator = "" if word.startswith("째") else " "
    return number_word(number, word) + separator + word


def _read_latin(word: str) -> str:
    known = english_loanwords().get(word.lower())
    if known:
        return known
    if word.isupper() or len(word) < 3 or not re.search("[aeiouy]", word, re.I):
        return "".join(LETTER_NAMES[c.upper()] for c in word if c.isalpha())  # acronyms: KT 케이티
    from moksori.text.transliterate import english_to_hangul  # lazy: loads CMUdict

    return english_to_hangul(word)
