"""English reading of numbers, money, times, ordinals, abbreviations and symbols."""

from __future__ import annotations

import re

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_ORDINAL_IRREGULAR = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
                      "nine": "ninth", "twelve": "twelfth"}  # fmt: skip
ABBREVIATIONS = {
    "mr.": "mister", "mrs.": "missus", "ms.": "miz", "dr.": "doctor", "st.": "street", "jr.": "junior",
    "sr.": "senior", "etc.": "et cetera", "vs.": "versus", "e.g.": "for example", "i.e.": "that is",
    "no.": "number", "approx.": "approximately", "dept.": "department", "ave.": "avenue", "mt.": "mount",
    "a.m.": "a m", "p.m.": "p m", "am": "a m", "pm": "p m", "km": "kilometers", "kg": "kilograms",
    "cm": "centimeters", "mm": "millimeters", "mph": "miles per hour", "lbs": "pounds", "lb": "pounds",
    "oz": "ounces", "ft": "feet", "min": "minutes", "hrs": "hours",
}  # fmt: skip
SYMBOLS = {"&": " and ", "%": " percent ", "+": " plus ", "=": " equals ", "@": " at ", "#": " number ",
           "°": " degrees ", "~": " about "}  # fmt: skip
CURRENCIES = {"$": ("dollar", "cent"), "£": ("pound", "penny"), "€": ("euro", "cent")}

_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
_MONEY = re.compile(r"([$£€])\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{2}))?")
_TIME = re.compile(r"\b(\d{1,2}):(\d{2})\b")
_PHONE = re.compile(r"\b(\d{3})-(\d{3,4})(?:-(\d{4}))?\b")
_ORDINAL = re.compile(r"\b(\d+)(st|nd|rd|th)\b", re.I)
_YEAR = re.compile(r"\b(1[1-9]\d\d|20\d\d)\b(?!,\d)")
_DECIMAL = re.compile(r"(\d+)\.(\d+)")
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_SAINT = re.compile(r"\bSt\.\s+(?=[A-Z])")  # St. Mary's is a saint; Main St. is a street
_ABBREVIATION = re.compile(
    r"(?<![\w.])("
    + "|".join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True))
    + r")(?![\w])",
    re.I,
)


def cardinal(number: int) -> str:
    """1234 → 'one thousand two hundred thirty-four'."""
    if number < 0:
        return "minus " + cardinal(-number)
    if number < 20:
        return _ONES[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {cardinal(rest)}" if rest else "")
    for scale, name in _SCALES:
        if number >= scale:
            high, rest = divmod(number, scale)
            return f"{cardinal(high)} {name}" + (f" {cardinal(rest)}" if rest else "")
    raise AssertionError("unreachable")


def ordinal(number: int) -> str:
    """21 → 'twenty-first'."""
    words = cardinal(number)
    head, sep, last = words.rpartition("-") if "-" in words.split()[-1] else words.rpartition(" ")
    if last in _ORDINAL_IRREGULAR:
        last = _ORDINAL_IRREGULAR[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return head + sep + last


def year(number: int) -> str:
    """1990 → 'nineteen ninety', 2005 → 'two thousand five', 2025 → 'twenty twenty-five'."""
    high, low = divmod(number, 100)
    if low == 0 and high % 10 == 0 or 2000 <= number < 2010:
        return cardinal(number)
    return (
        f"{cardinal(high)} {'oh ' + cardinal(low) if low < 10 else cardinal(low)}"
        if low
        else f"{cardinal(high)} hundred"
    )


def _digits(text: str) -> str:
    return " ".join("oh" if d == "0" else _ONES[int(d)] for d in text)


def _money(match: re.Match[str]) -> str:
    unit, cent = CURRENCIES[match.group(1)]
    whole = int(match.group(2).replace(",", ""))
    words = f"{cardinal(whole)} {unit}{'' if whole == 1 else 's'}"
    cents = int(match.group(3) or 0)
    if cents:
        plural = "pence" if cent == "penny" else "cents"
        words += f" and {cardinal(cents)} {cent if cents == 1 else plural}"
    return f" {words} "


def _time(match: re.Match[str]) -> str:
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 24 or minute > 59:
        return match.group()
    if minute == 0:
        return f"{cardinal(hour)} o'clock"
    return f"{cardinal(hour)} {'oh ' + cardinal(minute) if minute < 10 else cardinal(minute)}"


def _expand(match: re.Match[str], text_length: int) -> str:
    """An abbreviation spelled out; one that ends the text keeps its period as the sentence end."""
    words = ABBREVIATIONS[match.group().lower()]
    return words + "." if match.end() == text_length and match.group().endswith(".") else words


def normalize_english(text: str) -> str:
    """Spell out numbers, money, times, ordinals, abbreviations and symbols in cleaned English text."""
    text = _URL.sub(" link ", text)
    text = _EMAIL.sub(" email address ", text)
    text = _MONEY.sub(_money, text)
    text = _TIME.sub(_time, text)
    text = _PHONE.sub(lambda m: ", ".join(_digits(g) for g in m.groups() if g), text)
    text = _ORDINAL.sub(lambda m: ordinal(int(m.group(1))), text)
    text = _YEAR.sub(lambda m: year(int(m.group(1))), text)
    text = _DECIMAL.sub(lambda m: f"{cardinal(int(m.group(1)))} point {_digits(m.group(2))}", text)
    text = _NUMBER.sub(lambda m: f" {cardinal(int(m.group().replace(',', '')))} ", text)
    text = _SAINT.sub("Saint ", text)
    text = _ABBREVIATION.sub(lambda m: _expand(m, len(text)), text)
    for symbol, reading in SYMBOLS.items():
        text = text.replace(symbol, reading)
    return text
