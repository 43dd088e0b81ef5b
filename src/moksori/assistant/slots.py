"""Slot parsers: small pure functions that read one kind of value out of what a caller said.

Each takes the caller's words (as typed, or as the recogniser wrote them) and returns the value or None.
They never guess silently: an hour said without 오전/오후 comes back as :class:`SpokenTime` with
``period=None`` and :func:`resolve_time` picks the reading the shop's hours allow.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from functools import cache

from moksori.assistant.numbers import (
    PHONE_DIGITS,
    any_number_pattern,
    native_pattern,
    native_words,
    place_value_number,
    sino_pattern,
    sino_words,
    spoken_value,
)

_BRACKETS = re.compile(r"\[[^\]]*\]|\([^)]*\)")
_PUNCTUATION = re.compile(r"[.,!?~…·\"'“”‘’()\[\]]+")
FILLERS = (
    "어",
    "음",
    "으음",
    "저기요",
    "저기",
    "그",
    "아",
    "에",
    "저",
    "그러니까",
    "뭐",
    "아니 근데",
    "혹시",
    "여보쇼",
    "여보세요",
    "여보시오",
)


# "내일저녁일곱시에": a period of the day run into the day before it or the hour after it, as a recogniser writes it
_GLUED_PERIOD = re.compile(
    r"(?<=오늘|내일|모레)(?=아침|저녁|오전|오후|새벽|밤)"
    r"|(?<=아침|저녁|오전|오후|새벽)(?=(?:한|두|세|네|다섯|여섯|일곱|여덟|아홉|열|열한|열두)\s?시)"
)


# "어디 보자…", "가만 있자": the caller looking something up, no question (어디 is not "where")
_LOOKING_UP = re.compile(r"(?<![가-힣])(?:어디\s?보자|가만\s?있자|가만\s?있어\s?보자)(?![가-힣])")


def clean(text: str) -> str:
    """Punctuation out, spaces collapsed; the recogniser's bracketed tokens dropped; digits run into the word
    before them set apart, as a recogniser writes them ("내일오후3시에" → "내일오후 3시에", "공일공4455"); words
    said while looking something up left out."""
    text = _LOOKING_UP.sub(" ", _BRACKETS.sub(" ", text))
    text = _PUNCTUATION.sub(" ", text)
    text = re.sub(r"(?<=[가-힣])(?=\d)", " ", text)
    text = _GLUED_PERIOD.sub(" ", text)
    text = _english_words(text)
    text = _casual_forms(text)
    # a recogniser's "내 개", "내 명" for 네 (four) before a counter ("내 시간" stays my time)
    text = re.sub(r"(?<![가-힣])내(?=\s?(?:개|명|잔|판|마리|시(?!간)|팩|병|그릇|인분|사람|분이))", "네", text)
    text = _MISHEARD_BOOKING.sub("예약", text)
    return " ".join(text.split())


# 예약 with its first vowel misheard or mistyped (여약, 에약, 애약, 얘약): none of these is a word, so it can
# only be the booking the caller asks for
_MISHEARD_BOOKING = re.compile(r"(?<![가-힣])(?:여|에|애|얘)약(?=\s|$|[이을은도좀하해할되돼요가부])")


# Casual spellings of the phone, as said in a hurry: 돼여 / 할게여 / 먹어여 for -요, 담에 for 다음에, 쫌 for 좀,
# 글고 for 그리고, 중짜 / 대짜 for the sizes 중자 / 대자; and regional ones: 아프믄 / 가믄 for -면, 혀요 for 해요.
_CASUAL_ENDING = re.compile(r"(?<=[어아해게돼되데세네죠에예래까걸줘봐와워지셔려])여(?![가-힣])")
_REGIONAL_IF = re.compile(r"(?<=[가-힣])믄(?![가-힣])")
_REGIONAL_DO = re.compile(r"(?<![가-힣])혀(?=요(?![가-힣]))")
_CASUAL_WORDS = {"담에": "다음에", "쫌": "좀", "글고": "그리고", "중짜": "중자", "대짜": "대자", "소짜": "소자"}
_CASUAL_WORD = re.compile(rf"(?<![가-힣])({'|'.join(_CASUAL_WORDS)})")


def _casual_forms(text: str) -> str:
    """``text`` with casual spellings in their usual form: "낼 쫌 돼여?" → "낼 좀 돼요?"."""
    text = _REGIONAL_DO.sub("해", _REGIONAL_IF.sub("면", _CASUAL_ENDING.sub("요", text)))
    return _CASUAL_WORD.sub(lambda match: _CASUAL_WORDS[match.group(1)], text)


_ENGLISH_HOURS = {
    "원": 1, "투": 2, "쓰리": 3, "포": 4, "파이브": 5, "식스": 6, "세븐": 7, "에잇": 8, "나인": 9, "텐": 10,
    "일레븐": 11, "트웰브": 12,
}  # fmt: skip
_ENGLISH_TIME = re.compile(rf"(?<![가-힣])({'|'.join(_ENGLISH_HOURS)})\s?(피엠|에이엠|어클락|오클락)")
_ENGLISH_WORDS = {"투모로우": "내일", "투데이": "오늘", "캔슬": "취소", "체인지": "변경", "오케이": "네"}
_ENGLISH_WORD = re.compile(rf"(?<![가-힣])({'|'.join(_ENGLISH_WORDS)})")


def _english_words(text: str) -> str:
    """English said in Hangul, as callers mix it in: "세븐 피엠" → "오후 7시", "투모로우" → "내일", "캔슬" → "취소"."""
    def hour(match: re.Match[str]) -> str:
        period = {"피엠": "오후 ", "에이엠": "오전 "}.get(match.group(2), "")
        return f"{period}{_ENGLISH_HOURS[match.group(1)]}시"

    text = _ENGLISH_TIME.sub(hour, text)
    return _ENGLISH_WORD.sub(lambda match: _ENGLISH_WORDS[match.group(1)], text)


# ---------------------------------------------------------------------------------------------- dates

WEEKDAY_WORDS = {"월": 0, "화": 1, "수": 2, "목": 3, "금": 4, "토": 5, "일": 6}
_WEEKDAY = re.compile(r"(?<![가-힣])([월화수목금토일])\s?(?:요일|욜)")
_WEEK_WORD = r"(이번\s?주|금주|이번|다다음\s?주|다음\s?주|담\s?주|다음|오는|저번\s?주|지난\s?주)"
_WEEK_PREFIX = re.compile(_WEEK_WORD + r"\s*$")
# "다음 주말에 네 명 예약하려고요. 일요일 정오쯤이요": a week named earlier in the turn is the weekday's week
_WEEK_SAID = re.compile(_WEEK_WORD + r"(?:\s?말)?(?:에는|에|은|는)?(?![가-힣])")
# "12월 셋째 주 토요일", "마지막 주 금요일": the month's n-th (or last) such weekday
_NTH = {"첫": 1, "첫째": 1, "둘째": 2, "두째": 2, "셋째": 3, "세째": 3, "넷째": 4, "네째": 4, "다섯째": 5, "마지막": -1}
_NTH_WEEKDAY = re.compile(
    rf"(?:(?<![가-힣\d])(?P<month>{sino_pattern()})\s?월\s*)?(?<![가-힣])(?P<nth>{'|'.join(sorted(_NTH, key=len, reverse=True))})"
    r"\s?(?:번째\s?)?주\s?(?:의\s?)?(?P<weekday>[월화수목금토일])\s?(?:요일|욜)"
)
# "이따 여섯 시에", "지금 출발하는데 열 시 반에 되죠?": today, with no day said ("지금" alone is not a day:
# "지금 예약하려고요" asks now for a day still to come).
_LATER_TODAY = re.compile(r"(?<![가-힣])(?:이따가?|있다가)(?![가-힣])")
_NOW = re.compile(r"(?<![가-힣])지금(?![가-힣])")
_RELATIVE_DAYS = (
    (re.compile(r"내일\s?모레|낼\s?모레"), 2),
    (re.compile(r"(?<![가-힣])(?:오늘|금일)"), 0),
    (re.compile(r"(?<![가-힣])(?:내일|낼|명일)"), 1),
    (re.compile(r"(?<![가-힣])모레"), 2),
    (re.compile(r"(?<![가-힣])글피"), 3),
)


@cache
def _month_day_pattern() -> re.Pattern[str]:
    month = rf"(?P<month>{sino_pattern()}|유|시)"
    day = rf"(?P<day>{sino_pattern()})"
    return re.compile(
        rf"(?:(?P<month_word>이번\s?달|다음\s?달|담\s?달)\s*|(?<![가-힣\d]){month}\s?월\s*)?"
        rf"(?<![가-힣\d]){day}\s?일(?![가-힣]*요일)(?![공일이삼사오육칠팔구]{{2}})(?!\s?(?:뒤|후|동안|간))"
    )


_DAYS_LATER = re.compile(rf"(?P<count>{any_number_pattern()})\s?(?P<unit>일|주일?)\s?(?:뒤|후)")
# Native counts of days: 이틀 뒤, 사흘 후 (하루 뒤 is 내일)
_NATIVE_DAYS = {"하루": 1, "이틀": 2, "사흘": 3, "나흘": 4, "닷새": 5, "엿새": 6, "이레": 7, "열흘": 10}
_NATIVE_DAYS_LATER = re.compile(rf"(?<![가-힣])({'|'.join(_NATIVE_DAYS)})\s?(?:뒤|후|있다가)")
_MONTH_NAMES = {"유": 6, "시": 10}
# "월요일은 쉬시는군요 그럼 그 전날 일요일 …": a day counted from the day the call is talking about
_DAY_BEFORE = re.compile(r"(?<![가-힣])전날")
_DAY_AFTER = re.compile(r"(?<![가-힣])(?:다음\s?날(?!짜)|이튿날)")


# Days callers name by their holiday: (pattern, month, day), the next one to come.
_HOLIDAYS = (
    (re.compile(r"크리스마스\s?이브|성탄\s?전야"), 12, 24),
    (re.compile(r"크리스마스|성탄절"), 12, 25),
    (re.compile(r"신정|새해\s?첫\s?날"), 1, 1),
)


def names_a_holiday(text: str) -> bool:
    return any(pattern.search(text) for pattern, _, _ in _HOLIDAYS)


def parse_date(text: str, today: dt.date, near: dt.date | None = None) -> dt.date | None:
    """The date a caller means, relative to ``today``.

    오늘/내일/모레/글피, (이번 주|다음 주|다다음 주) 화요일, a bare 화요일 (the next one, today included; in
    the week of ``near`` when the call is already talking about that day: "다다음 주 월요일" refused, "그럼
    화요일은요?" is the day after it; "그 전날", "그 다음 날": the day before or after it), 12월 3일 (next year
    once this year's has passed), 3일 (this month, or next month once passed), 다음 달 3일, 3일 뒤 / 일주일 후,
    크리스마스 (이브), 신정.
    """
    text = clean(text)
    for pattern, month, day in _HOLIDAYS:
        if pattern.search(text):
            holiday = dt.date(today.year, month, day)
            return holiday if holiday >= today else dt.date(today.year + 1, month, day)
    before = _DAY_BEFORE.search(text)
    if near is not None and (before or _DAY_AFTER.search(text)):
        day = near + dt.timedelta(days=-1 if before else 1)
        if day >= today:
            return day
    for pattern, offset in _RELATIVE_DAYS:
        if pattern.search(text):
            return today + dt.timedelta(days=offset)
    native_later = _NATIVE_DAYS_LATER.search(text)
    if native_later:
        return today + dt.timedelta(days=_NATIVE_DAYS[native_later.group(1)])
    later = _DAYS_LATER.search(text)
    if later:
        count = 1 if later.group("count") in ("일", "한") else spoken_value(later.group("count"))
        if count is not None:
            return today + dt.timedelta(days=count * (7 if later.group("unit").startswith("주") else 1))
    nth = _NTH_WEEKDAY.search(text)
    if nth:
        return _nth_weekday_date(nth, today)
    match = _month_day_pattern().search(text)
    if match:  # "12월 9일 수요일": the date decides, the weekday only repeats it
        return _month_day_date(match, today)
    weekday = _WEEKDAY.search(text)
    if weekday:
        return _weekday_date(text[: weekday.start()], WEEKDAY_WORDS[weekday.group(1)], today, near)
    if _LATER_TODAY.search(text) or (_NOW.search(text) and parse_time(text)):
        return today
    return None


# What a turn that names a day and nothing else has left once the day is taken out: "토요일이요", "다음 주
# 화요일로요", "12월 5일에". A topic marker is not among them: "토요일은요?" asks about that day.
_ONLY_PARTICLES = re.compile(r"(?:\s*(?:이에요|에요|이요|으로요|로요|으로|로|에|요|날|이))*\s*")


def says_only_a_day(text: str, today: dt.date) -> bool:
    """Whether ``text`` names a day (``parse_date``) and says nothing else: an answer, not a question."""
    text = clean(text)
    if parse_date(text, today) is None:
        return False
    rest = text
    for pattern, _ in _RELATIVE_DAYS:
        rest = pattern.sub(" ", rest)
    for pattern in (_month_day_pattern(), _WEEKDAY):
        rest = pattern.sub(" ", rest)
    rest = re.sub(r"(?<![가-힣])(?:이번|다다음|다음|담|오는)\s?주?(?![가-힣])", " ", rest)
    return _ONLY_PARTICLES.fullmatch(rest) is not None


def _weekday_date(before: str, weekday: int, today: dt.date, near: dt.date | None = None) -> dt.date:
    monday = today - dt.timedelta(days=today.weekday())
    prefix = _WEEK_PREFIX.search(before)
    said = [match.group(1) for match in _WEEK_SAID.finditer(before) if match.group(1) not in ("다음", "이번", "오는")]
    word = (prefix.group(1) if prefix else said[-1] if said else "").replace(" ", "")
    if not word and near is not None:
        in_that_week = near - dt.timedelta(days=near.weekday() - weekday)
        if in_that_week >= today:
            return in_that_week
    if word.startswith("다다음"):
        return monday + dt.timedelta(days=14 + weekday)
    if word in ("다음주", "담주", "다음"):
        return monday + dt.timedelta(days=7 + weekday)
    if word in ("저번주", "지난주"):
        return monday - dt.timedelta(days=7 - weekday)
    if word in ("이번주", "금주", "이번"):
        return monday + dt.timedelta(days=weekday)
    # A bare weekday (or 오는 화요일) is the next one to come, today included.
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7)


def _nth_weekday_date(match: re.Match[str], today: dt.date) -> dt.date | None:
    """The n-th (or last) such weekday of the month said, or of this month (the next month once it has passed)."""
    nth, weekday = _NTH[match.group("nth")], WEEKDAY_WORDS[match.group("weekday")]
    month = spoken_value(match.group("month")) if match.group("month") else None
    if match.group("month") and (month is None or not 1 <= month <= 12):
        return None
    year = today.year + (month is not None and month < today.month)
    month = month or today.month
    for _ in range(12):
        days = [
            day for day in (_date_or_none(year, month, number) for number in range(1, 32))
            if day is not None and day.weekday() == weekday
        ]
        candidate = days[nth - 1 if nth > 0 else -1] if nth <= len(days) else None
        if candidate is not None and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _month_day_date(match: re.Match[str], today: dt.date) -> dt.date | None:
    day = spoken_value(match.group("day"))
    month_text = match.group("month")
    if day is None or not 1 <= day <= 31:
        return None
    if month_text:
        month = _MONTH_NAMES.get(month_text) or spoken_value(month_text)
        if month is None or not 1 <= month <= 12:
            return None
        for year in (today.year, today.year + 1):
            candidate = _date_or_none(year, month, day)
            if candidate and candidate >= today:
                return candidate
        return None
    month_word = (match.group("month_word") or "").replace(" ", "")
    year, month = today.year, today.month
    if month_word in ("다음달", "담달"):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return _date_or_none(year, month, day)
    for _ in range(3):  # the next month that has this day (31일 in February is March 31)
        candidate = _date_or_none(year, month, day)
        if candidate and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _date_or_none(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------- times


@dataclass(frozen=True)
class SpokenTime:
    """An hour and minute as said; ``period`` is "am", "pm" or None when the caller did not say."""

    hour: int
    minute: int
    period: str | None

    @classmethod
    def at(cls, moment: dt.datetime | dt.time) -> SpokenTime:
        """A clock time the assistant worked out itself (a proposal taken, a time from now), said in full."""
        return cls(moment.hour, moment.minute, "am" if moment.hour < 12 else "pm")

    def candidates(self) -> list[dt.time]:
        """Every clock time the words can mean (one, or two when the period was not said)."""
        if self.period is None and 1 <= self.hour <= 12:
            return [dt.time(self.hour % 12, self.minute), dt.time(self.hour % 12 + 12, self.minute)]
        return [dt.time(self.hour, self.minute)]


_PERIOD_WORDS = {
    "새벽": "am", "아침": "am", "오전": "am", "AM": "am",
    "오후": "pm", "저녁": "pm", "밤": "pm", "낮": "pm", "점심": "pm", "PM": "pm",
}  # fmt: skip
_PERIOD = re.compile(r"(새벽|아침|오전|오후|저녁|밤|낮|점심)")
_NOON = re.compile(r"정오")
_MIDNIGHT = re.compile(r"자정")
_CLOCK = re.compile(r"(?<!\d)([01]?\d|2[0-4]):([0-5]\d)(?!\d)")


@cache
def _hour_pattern() -> re.Pattern[str]:
    high_sino = "|".join(sorted((w for w, n in sino_words().items() if 13 <= n <= 24), key=len, reverse=True))
    minute = rf"(?P<minute>{sino_pattern()})\s?분"
    return re.compile(
        rf"(?<![가-힣\d])(?P<hour>{native_pattern()}|{high_sino})\s?시(?!간|작|키|켜|청|장|내|설|티|럽|도)"
        rf"(?:\s?(?P<half>반)|\s?{minute}(?!\s?(?:뒤|후|동안|정도 걸)))?"
    )


# "차는 어디에 두시면 될까요?", "맡겨 두시면 돼요": 두다 (to put), not two o'clock
_PUT_SOMEWHERE = re.compile(r"(?:어디\S*|[가-힣]+[어아여해겨워])\s(?P<put>두)시(?=면|고|는|게|겠)")
_NEW_TIME = re.compile(r"(?:으로|로)(?![가-힣])|(?:으로|로)(?:요|\s?(?:바꿔|바꾸|해|할|옮겨|변경))")
_TIME_LIMIT = re.compile(
    r"\s?(?:전에는|전까지|에\s?(?:문\s?을?\s?)?(?:닫|여|열|오픈)|(?:까지|부터)\s?(?:는\s?)?(?:하|영업|열|문))"
)


def parse_time(text: str) -> SpokenTime | None:
    """The time of day a caller said: 저녁 일곱 시, 7시 반, 오후 2시 10분, 정오, 자정, 19:30, 열두 시 반."""
    text = clean(text)
    if _NOON.search(text):
        return SpokenTime(12, 0, "pm")
    if _MIDNIGHT.search(text):
        return SpokenTime(0, 0, "am")
    clock = _CLOCK.search(text)
    if clock:
        hour, minute = int(clock.group(1)), int(clock.group(2))
        return SpokenTime(hour % 24, minute, _explicit_period(text[: clock.start()], hour))
    put = [found.start("put") for found in _PUT_SOMEWHERE.finditer(text)]
    matches = [m for m in _hour_pattern().finditer(text) if m.start() not in put]
    if not matches:
        return None
    # a limit said beside the time asked for is not it: "열두 시 전에는 가야 되니까 열한 시쯤", "아 열두 시에
    # 닫는구나 그럼 밤 열 시 반에", "아 여덟 시에 여세요? 그럼 여덟 시 십 분에 갈게요"
    # and a time said as the new one ("세 시엔 안 되겠어요 네 시로 바꿔 주세요") is the one asked for
    wanted = [m for m in matches if not _TIME_LIMIT.match(text, m.end())] or matches
    match = next((m for m in wanted if _NEW_TIME.match(text, m.end())), wanted[0])
    hour = spoken_value(match.group("hour"))
    if hour is None or not 0 <= hour <= 24:
        return None
    minute = 30 if match.group("half") else spoken_value(match.group("minute") or "") or 0
    if minute > 59:
        return None
    period = _explicit_period(text[: match.start()], hour)
    if 0 < minute <= 20 and re.match(r"\s?전(?![가-힣])|\s?전에", text[match.end() :]):
        # "일곱 시 십오 분 전": a quarter to seven, 6:45 ("일곱 시 반 전에" is before half past)
        hour, minute = (hour - 1) % 24, 60 - minute
    return SpokenTime(hour % 24, minute, period)


_SAME_TIME = re.compile(r"(?<![가-힣])똑?같은\s?(?:시간|시각)")


_SAME_DAY = re.compile(r"(?<![가-힣])(?:똑?같은\s?날|그날|당일)")


def says_same_day(text: str) -> bool:
    """"같은 날 열한 시 반으로 하나 더 잡아 주세요": the day talked about before."""
    return bool(_SAME_DAY.search(text))


def says_same_time(text: str) -> bool:
    """"그럼 내일 같은 시간으로 해 주세요": the time said before, on another day."""
    return bool(_SAME_TIME.search(text))


def period_word(text: str) -> str | None:
    """The last time-of-day word said (오전, 저녁, 점심 …), to read a later bare hour with."""
    found = _PERIOD.findall(clean(text))
    return found[-1] if found else None


def _explicit_period(before: str, hour: int) -> str | None:
    if hour == 0 or hour > 12:
        return "am" if hour in (0, 24) else "pm"
    periods = _PERIOD.findall(before)
    if not periods:
        return None
    period = periods[-1]
    if period in ("점심", "낮") and hour >= 10:
        return "am" if hour < 12 else "pm"  # 점심 열한 시 is 11:00, 점심 열두 시 is noon
    if period == "밤" and hour == 12:
        return "am"
    if period == "새벽" and hour == 12:
        return "am"
    return _PERIOD_WORDS[period]


def resolve_time(spoken: SpokenTime, allowed: list[tuple[int, int]] | None = None) -> dt.time:
    """One clock time: with ``period`` said, that one; otherwise the reading inside the shop's hours.

    ``allowed`` is a list of (opens, closes) minute ranges (the day's hours, or every day's when the date is
    not known yet). When both readings are allowed (10시 at a shop open 10:00–23:00) 8–11 o'clock read as
    morning and 1–7 as afternoon, as people mean them; with no hours known, 1–6 read as afternoon.
    """
    options = spoken.candidates()
    if len(options) == 1:
        if spoken.period == "pm" and options[0].hour < 12:
            return dt.time(options[0].hour + 12, options[0].minute)
        return options[0]
    morning, afternoon = options
    if spoken.period == "am":
        return morning
    if spoken.period == "pm":
        return afternoon
    if allowed:
        # (hours past midnight run on: a shop open 18:00-02:00 has 1 o'clock at night inside them)
        inside = [t for t in options if any(o <= m < c or o <= m + 1440 < c for o, c in allowed
                                            for m in [t.hour * 60 + t.minute])]
        if len(inside) == 1:
            return inside[0]
    if spoken.hour == 12:
        return afternoon
    return morning if spoken.hour >= 7 and spoken.hour != 12 else afternoon


def nearest_reading(spoken: SpokenTime, before: SpokenTime) -> SpokenTime:
    """``spoken`` said without 오전/오후 to correct ``before``, which was said with one: the reading nearer
    to it ("저녁 여섯 시" corrected to "일곱 시" is 7 pm, "오후 두 시" to "열한 시" is 11 am)."""
    options = spoken.candidates()
    if len(options) == 1 or before.period is None:
        return spoken
    was = resolve_time(before)
    minutes = was.hour * 60 + was.minute
    nearest = min(options, key=lambda t: abs(t.hour * 60 + t.minute - minutes))
    return before if nearest == was else SpokenTime.at(nearest)


@cache
def _span() -> str:
    """A length of time: 한 시간, 한 시간 반, 반 시간, 30분."""
    number = any_number_pattern()
    return rf"(?:(?P<hours>{number})\s?시간(?:\s?(?P<half>반))?|(?P<half_hour>반)\s?시간|(?P<minutes>{number})\s?분)"


@cache
def _relative_pattern() -> re.Pattern[str]:
    return re.compile(rf"{_span()}\s?(?:뒤|후|있다가|이따가?)")


@cache
def _shift_pattern() -> re.Pattern[str]:
    return re.compile(
        rf"{_span()}\s?(?:정도\s?)?(?:만\s?)?(?:(?P<later>늦|미루|미뤄|미룰|뒤로)|(?P<earlier>당기|당겨|당길|앞당|일찍|빨리|앞으로))"
    )


def parse_time_shift(text: str) -> int | None:
    """Minutes a booking moves, later (+) or earlier (-): "한 시간 늦춰 주세요" (+60), "30분만 당겨 주세요" (-30)."""
    match = _shift_pattern().search(clean(text))
    minutes = _span_minutes(match) if match else None
    if minutes is None:
        return None
    return minutes if match.group("later") else -minutes


def parse_relative_time(text: str, now: dt.datetime) -> dt.datetime | None:
    """"30분 뒤에", "한 시간 후", "한 시간 반 있다가": a moment counted from now (pick-ups, mostly)."""
    match = _relative_pattern().search(clean(text))
    minutes = _span_minutes(match) if match else None
    return now + dt.timedelta(minutes=minutes) if minutes is not None else None


def _span_minutes(match: re.Match[str]) -> int | None:
    """The minutes of a :func:`_span` match, between 1 and 12 hours' worth."""
    if match.group("half_hour"):
        minutes = 30
    elif match.group("hours"):
        hours = spoken_value(match.group("hours"))
        if hours is None:
            return None
        minutes = hours * 60 + (30 if match.group("half") else 0)
    else:
        value = spoken_value(match.group("minutes"))
        if value is None:
            return None
        minutes = value
    return minutes if 0 < minutes <= 12 * 60 else None


# ---------------------------------------------------------------------------------------- party size

_ALONE = re.compile(r"(?<![가-힣])(?:혼자|저 혼자|나 혼자|저만|저 하나)")


@cache
def _party_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    native_full = "|".join(
        sorted(
            (w for w in native_words() if w not in ("한", "두", "세", "네", "스무", "서", "너", "석", "넉")),
            key=len,
            reverse=True,
        )
    )
    native_words_only = "|".join(sorted(native_words(), key=len, reverse=True))
    # 분 counts people only after a native number (두 분); 30분 is minutes.
    counted = re.compile(
        rf"(?<![가-힣\d])(?:(?P<number>{native_pattern()}|\d{{1,3}}|{_SINO_TENS})\s?(?:명|사람|인(?![가-힣]))"
        rf"|(?P<polite>{native_words_only})\s?분(?!\s?(?:뒤|후|전|정도|동안))){_NOT_A_DIFFERENCE}"
    )
    bare = re.compile(
        rf"(?<![가-힣])(?P<number>{native_full})\s?(?:이서|이요|이에요|이고|이네|이니까|이 (?:가|갈|갑|올|먹)"
        r"|만\s?(?:할게|갈게|가요|갈\s|예약|요|이요))"
    )
    grouped = re.compile(
        rf"(?:어른|성인|아이|애기|애|어린이|아기|학생|엄마|아빠|부모님|보호자|친구)(?:들)?\s?(?P<number>{native_pattern()})\s?(?:명|분)?"
    )
    return counted, bare, grouped


# A family said by who comes ("엄마 아빠 저 동생", "부모님 모시고 저희 부부랑 애 하나", "우리 내외하고 딸 내외, 손주 둘",
# "첫째랑 둘째"): each word one person, a couple two, children counted where a number follows them.
_COUPLE_WORDS = ("부모님", "부부", "내외", "양친")
_FAMILY_WORDS_SAID = (
    "엄마 아빠 어머니 아버지 어머님 아버님 남편 아내 와이프 신랑 동생 언니 오빠 누나 형 할머니 할아버지 시어머니 "
    "시아버지 장모님 장인어른 사위 며느리 딸 아들 첫째 둘째 셋째 막내 조카 이모 고모 삼촌 저"
)
_FAMILY_WORDS = frozenset(_FAMILY_WORDS_SAID.split())
_COUNTED_KIDS = re.compile(
    rf"(?:애|애들|아이|아이들|애기|손주|손자|손녀|손주들|조카|조카들|친구|친구들)\s?(?P<number>{native_pattern()})"
    r"(?:이요|요|이랑|랑|하고|만)?(?![가-힣])"
)
# "일곱 살이랑 다섯 살 하나씩": children told by their ages
_AGE = re.compile(rf"(?<![가-힣\d])(?:{native_pattern()}|\d{{1,2}})\s?살(?![가-힣]*(?:부터|까지|이상|이하|미만))")
_FAMILY_PARTICLE = re.compile(r"(?:이랑|랑|하고|과|와|도|까지|이요|요|이렇게|해서|이니까|만)$")


@cache
def _one_person() -> re.Pattern[str]:
    words = "|".join(sorted(_FAMILY_WORDS | {"딸아이", "제", "내"}, key=len, reverse=True))
    return re.compile(rf"(?<![가-힣])(?:{words})(?:\s?(?:거|것|꺼)도?|도)(?![가-힣])")  # 남편도, 딸 거, 제 것도


def for_one_person(text: str) -> bool:
    """"남편도 …", "딸아이 거 …", "제 것도 …": one more booking is for one person, named by who they are."""
    return bool(_one_person().search(text))


def _family_count(text: str, ages: bool) -> int | None:
    """How many people a family said by who comes makes (with ``ages``, children told by their ages too), or
    None where no one is named."""
    count, previous = 0, ""
    for match in _COUNTED_KIDS.finditer(text):
        count += spoken_value(match.group("number")) or 0
    # (the counted children stay in the list as one word, so "친구 둘이랑 저요" counts 저 too)
    words = [_FAMILY_PARTICLE.sub("", word) for word in _COUNTED_KIDS.sub(" 애들 ", text).split()]
    counted: set[str] = set()  # a person named again is no one more ("와이프도 같이 … 와이프는 여성 커트로")
    for word in words:
        if word in _COUPLE_WORDS and word not in counted:
            count += 2 - (1 if previous in _FAMILY_WORDS and previous != "저" else 0)  # 딸 내외: she is one of two
            counted.add(word)
        elif word in _FAMILY_WORDS and word not in counted and (
            word != "저" or previous in _FAMILY_WORDS or previous == "애들"
        ):
            count += 1  # (저 only in a list: "저 예약하려고요" names nobody)
            counted.add(word)
        previous = word
    if not count and ages and len(_AGE.findall(text)) >= 2:
        count = len(_AGE.findall(text))
    return count or None


# From ten up callers count people in Sino numbers too ("십 명", "십오 명", "이십 명"); below ten never (일 명).
_SINO_TENS = "[이삼사오육칠팔구]?십[일이삼사오육칠팔구]?"
# "한 명 더", "두 명 줄었어요" say how many more or fewer, not how many: parse_party_difference reads them.
# Words after a number of people that make it a difference from the booking, not a party size.
_MORE_PEOPLE = r"더|추가|늘"
_FEWER_PEOPLE = r"줄|빠|빼|못\s?(?:와|오|온|가|갈)"
PARTY_DIFFERENCE_WORDS = rf"(?:{_MORE_PEOPLE}|{_FEWER_PEOPLE})"
_NOT_A_DIFFERENCE = rf"(?!\s?(?:이|가|은|는)?\s?{PARTY_DIFFERENCE_WORDS})"


def parse_party_difference(text: str) -> int | None:
    """How many more (or fewer, negative) people than booked: "한 명 더" (+1), "두 명 추가" (+2), "한 명
    빠졌어요" (-1), "한 명 못 와요" (-1)."""
    match = re.search(
        rf"(?<![가-힣\d])(?P<number>{native_pattern()}|\d{{1,3}})\s?(?:명|사람|분)\s?"
        rf"(?:(?P<more>{_MORE_PEOPLE})|(?P<fewer>{_FEWER_PEOPLE}))",
        clean(text),
    )
    if not match:
        return None
    count = spoken_value(match.group("number"))
    if not count:
        return None
    return count if match.group("more") else -count


def parse_party(text: str, expecting: bool = False, family: bool = True) -> int | None:
    """How many people: 네 명, 넷이요, 4명, 두 분, 혼자, 어른 둘 아이 하나 (3), and with ``family`` a family said
    by who comes (엄마 아빠 저 동생: 4).

    With ``expecting`` (the assistant just asked how many) a bare number counts too: "넷", "4".
    """
    text = _among_us().sub(" ", clean(text))
    counted, bare, grouped = _party_patterns()
    groups = [spoken_value(m.group("number")) for m in grouped.finditer(text)]
    if len(groups) >= 2 and all(groups):
        return sum(groups)  # type: ignore[arg-type]
    together = _together().search(text)
    if together:  # "저랑 친구 한 명 둘이서만": the count with 이서 is everyone
        return spoken_value(together.group("number") or together.group("few"))
    # "인원이 여섯명에서 여덟명으로 늘었어요": the count said as the new one, not the one before it
    # ("아 여덟 명까지요? 그럼 … 여섯 명으로 할게요": a count with 까지 is the limit said back)
    match = next((m for m in counted.finditer(text) if not text.startswith(("에서", "까지"), m.end())), None)
    match = match or _pets().search(text)
    if match:
        return spoken_value(match.group("number") or match.groupdict().get("polite"))
    kids = [range(*match.span()) for match in _COUNTED_KIDS.finditer(text)]
    said = [match for match in bare.finditer(text) if not any(match.start() in span for span in kids)]
    if said:  # "우리 내외하고 딸 내외, 손주 둘이니까 여섯이네": the count said last is everyone
        return spoken_value(said[-1].group("number"))
    if _ALONE.search(text):
        return 1
    members = _family_count(text, ages=expecting) if family else None
    if members and (members >= 2 or (expecting and _COUNTED_KIDS.search(text))):
        return members  # ("저희 딸 생일이라서요" names one person, not a party of one)
    if expecting:
        alone = len(text.split()) == 1
        for match in _bare_count().finditer(text):
            # 네 is yes, unless it is the whole answer with an ending (네요); 서/너/석/넉 go only before a
            # counter; a Sino number (이, 오) said alone is a particle or a misheard syllable far more often
            # than a number of people, so only native numbers and digits count.
            number = match.group("number")
            if number in ("서", "너", "석", "넉") or (number == "네" and not (alone and match.group("ending"))):
                continue
            if text.startswith("살", match.end()) or text.startswith(" 살", match.end()):
                continue  # "일곱 살이랑 …": an age
            return spoken_value(number)
    return None


@cache
def _among_us() -> re.Pattern[str]:
    """"저희 중에 한 명이 차를 끌고 온다는데": some of the party, not how many they are."""
    return re.compile(rf"(?<![가-힣])중에?서?\s?(?:{native_pattern()}|\d{{1,3}})\s?(?:명|사람|분)")


@cache
def _together() -> re.Pattern[str]:
    # "친구랑 둘이 토요일에 …": 둘이/셋이/넷이 count everyone too (not 열이: a fever)
    return re.compile(r"(?<![가-힣])(?:(?P<number>둘|셋|넷|다섯|여섯|일곱|여덟|아홉|열)\s?이서|(?P<few>둘|셋|넷)이(?=\s|$))")


@cache
def _pets() -> re.Pattern[str]:
    """Animals booked at a vet or a grooming salon: "강아지 한 마리", "고양이두마리" (as a recogniser writes it)."""
    return re.compile(rf"(?:(?<![가-힣\d])|(?<=강아지)|(?<=고양이))(?P<number>{native_pattern()}|\d{{1,3}})\s?마리")


@cache
def _bare_count() -> re.Pattern[str]:
    """A native number or digits said alone, as the answer to "몇 분이세요?": 넷, 넷이요, 4, 열 두 명 — not one
    that counts hours, minutes or anything else ("아 그럼 열한 시 반에 갈게요")."""
    return re.compile(
        rf"(?<![가-힣\d])(?P<number>{native_pattern()}|\d{{1,3}})(?P<ending>이요|이에요|요|이서|명)?(?![가-힣\d])"
        r"(?!\s(?:시|시간|살|분|월|달|번|개|주)(?:[^가-힣]|$|에|쯤|반|까지|부터|으로|로|이|요))"
    )


# --------------------------------------------------------------------------------------------- yes/no

_NO = re.compile(
    r"^(?:아니|아뇨|아니요|아니오|아니에요|아닌데|아닙니다|아입니더|아니라예|노|틀려|틀렸|틀린|잘못|그게 아니|그거 아니|안 ?돼요|싫어|됐어요|괜찮습니다|괜찮아요 ?됐)"
)
_NO_ANYWHERE = re.compile(
    r"(?:아니요|아뇨|아니에요|아닌데요|틀렸|틀려요|잘못 (?:들|알|말)|그게 아니라|그거 말고|말고요)"
)
_YES = re.compile(
    r"^(?:네|예|넵|넹|네네|예예|응|웅|잉|어 맞|맞아|맞어|맞심더|맞습니더|맞습니다|맞아요|맞죠|맞네요|그래요|그래예|하모|그렇습니다|그럼요|그렇죠|좋아요|좋습니다|"
    r"오케이|부탁|해 ?주세요|그렇게 해|그걸로|알겠습니다|알겠어요|예스|당연|물론|어 그래|어 네|음 네|어네|네 맞)"
)
_COUNTER_AFTER_NE = re.compile(r"^(?:네|예)\s?(?:명|사람|분|시|잔|개|그릇|인분|마리|병)")


def parse_yes_no(text: str) -> bool | None:
    """True for 네/예/맞아요/응/그래요…, False for 아니요/아뇨/아니에요 (8시요)…, None when neither."""
    text = clean(text)
    for filler in ("어", "음", "아", "저기요", "저"):
        if text.startswith(filler + " ") and not text.startswith("아니"):
            text = text[len(filler) + 1 :]
    if not text:
        return None
    if _NO.match(text) or _NO_ANYWHERE.search(text):
        return False
    if _COUNTER_AFTER_NE.match(text):
        return None
    if _YES.match(text):
        return True
    return None


# ---------------------------------------------------------------------------------------------- phone

_PHONE_SEPARATORS = re.compile(r"[-–.·/]")
_PHONE_ENDINGS = (
    "이고요",
    "고요",
    "인데요",
    "이거든요",
    "이에요",
    "입니다",
    "이요",
    "예요",
    "에요",
    "이고",
    "요",
    "에",
    "고",
    "번",
    "이구요",
    "구요",
    "이랑",
    "하고",
    "이라예",
    "라예",
    "입니더",
    "인디요",
    "으로",
    "로",
)


_PHONE_LEAD_WORDS = ("번호는", "번호", "제", "전화번호는", "핸드폰", "은", "는")
# Words said between the groups of a number: "공일공 다음에 칠이삼구 그리고 공오육사요".
_PHONE_JOINERS = ("다음에", "다음", "그다음에", "그다음", "그리고", "그리고요", "하고", "다음은", "뒤에는", "뒤는")


# A group of digits taken back as soon as said: "공일공 팔사이육, 아 아니 팔사이칠 공구일삼이요".
_SELF_REPAIR = re.compile(r"(\S+)\s+(?:아\s+)?(?:아니|아니다|아니아니|아니지|아니고)\s+(\S+)")


def _without_self_repairs(text: str) -> str:
    """``text`` with each group of digits said and taken back ("팔사이육 아 아니 팔사이칠") left out, where the
    group said instead has as many digits."""
    def repair(match: re.Match[str]) -> str:
        wrong, right = _token_digits(match.group(1)), _token_digits(match.group(2))
        if {len(digits) for digits in wrong} & {len(digits) for digits in right}:
            return match.group(2)
        return match.group(0)

    return _SELF_REPAIR.sub(repair, text)


def parse_phone(text: str) -> str | None:
    """A Korean phone number, digits only: 공일공 일이삼사 오륙칠팔, 010-1234-5678, 공일공 천이백삼십사…

    The number must look like one (010 and 11 digits, another 01x with 10–11, or an area code with 9–11).
    """
    text = _without_self_repairs(_PHONE_SEPARATORS.sub(" ", clean(text))).replace("다시", " ")
    readings: list[list[str]] = []
    for token in text.split():
        if readings and token in _PHONE_ENDINGS and _looks_complete(readings):
            break  # "… 2468 이에요": the ending said apart, not a digit 2
        options = _token_digits(token)
        if options:
            readings.append(options)
        elif readings and token not in _PHONE_LEAD_WORDS and token not in FILLERS and token not in _PHONE_JOINERS:
            if _looks_complete(readings):
                break  # the number is over; later digits are something else
            readings = []  # "모둠초밥 이 인분이랑 … 공일공 …": digits apart from the number are not its start
    # "공일공 이칠공사 팔팔일오요, 이칠공사 팔팔일오": the number, then part of it said again; "마지막이
    # 삼사이칠이에요. 공일공 구구일오 삼사이칠이요": part of it, then the whole number
    for first in range(len(readings)):
        for count in range(len(readings), first, -1):
            for combination in itertools.islice(itertools.product(*readings[first:count]), 256):
                number = "".join(combination)
                if _valid_phone(number):
                    return number
    return None


def phone_start(text: str) -> str | None:
    """The first part of a mobile number said on its own ("공일공 구삼일팔", "공일공 육이…" cut off), to be completed
    by the next turn ("뒤에는 사이칠칠이요", "팔팔 삼일공사요")."""
    readings = _digit_readings(text)
    if not 1 <= len(readings) <= 3:
        return None
    for combination in itertools.islice(itertools.product(*readings), 64):
        number = "".join(combination)
        if re.fullmatch(r"01[016789]\d{0,5}", number):
            return number
    return None


def completed_phone(start: str, text: str) -> str | None:
    """``start`` (from ``phone_start``) with the rest of the number said in ``text``, when that makes a number."""
    readings = _digit_readings(text)
    for combination in itertools.islice(itertools.product(*readings), 64):
        if _valid_phone(start + "".join(combination)):
            return start + "".join(combination)
    tail = last_digit_group(text)
    return start + tail if tail and _valid_phone(start + tail) else None


def last_digit_group(text: str) -> str | None:
    """Four digits said on their own ("육칠팔팔이요"): the end of a number, said again to correct it."""
    readings = _digit_readings(text)
    if len(readings) != 1:
        return None
    return next((option for option in readings[0] if len(option) == 4), None)


def replaced_digits(before: str, after: str, number: str) -> str | None:
    """``number`` corrected by "마지막이 구사가 아니라 구삼이에요" (split at the correction): the digits said last
    before it, found once in the number, give way to as many digits said first after it; None when the turn
    says no such thing."""
    before_words, after_words = clean(before).split(), clean(after).split()
    if not before_words or not after_words:
        return None
    wrong = _token_digits(re.sub(r"(?:이|가|은|는)$", "", before_words[-1]))
    right = _token_digits(after_words[0])
    for old in wrong:
        new = next((digits for digits in right if len(digits) == len(old)), None)
        if new and number.count(old) == 1:
            return number.replace(old, new)
    return None


def _digit_readings(text: str) -> list[list[str]]:
    """For each word of ``text`` that can be digits, the digit strings it can stand for."""
    tokens = _without_self_repairs(_PHONE_SEPARATORS.sub(" ", clean(text))).split()
    return [options for token in tokens if (options := _token_digits(token))]


def _looks_complete(readings: list[list[str]]) -> bool:
    return any(_valid_phone("".join(c)) for c in itertools.islice(itertools.product(*readings), 64))


def _token_digits(token: str) -> list[str]:
    """The digit strings one spoken token can stand for (with or without a trailing ending)."""
    options: list[str] = []
    for ending in ("", *_PHONE_ENDINGS):
        if ending and not token.endswith(ending):
            continue
        core = token[: len(token) - len(ending)] if ending else token
        if not core:
            continue
        if core.isdigit():
            options.append(core)
        elif all(char in PHONE_DIGITS for char in core):
            options.append("".join(PHONE_DIGITS[char] for char in core))
        else:
            value = place_value_number(core)
            if value is not None:
                options.append(f"{value:04d}" if value >= 1000 else str(value))
    return list(dict.fromkeys(options))


def _valid_phone(number: str) -> bool:
    if number.startswith("010"):
        return len(number) == 11
    if number.startswith("01"):
        return len(number) in (10, 11)
    if number.startswith("02"):
        return len(number) in (9, 10)
    return number.startswith("0") and len(number) in (10, 11)


def without_phone(text: str) -> str:
    """``text`` without the words that spell a phone number (so 이일팔오 is not read as a date)."""
    kept = [token for token in clean(text).split() if not _spells_digits(token)]
    return " ".join(kept)


def _spells_digits(token: str) -> bool:
    core = token
    for ending in _PHONE_ENDINGS:
        if core.endswith(ending) and len(core) > len(ending):
            core = core[: -len(ending)]
            break
    # two-syllable groups too ("삼오 삼오 구일 구일"): 구일 is the 9th only when no number is being said
    return len(core) >= 2 and (core.isdigit() or all(char in PHONE_DIGITS for char in core))


def format_phone(number: str) -> str:
    """010-1234-5678 (for reading back and for people)."""
    if number.startswith("02"):
        return f"02-{number[2:-4]}-{number[-4:]}"
    return f"{number[:3]}-{number[3:-4]}-{number[-4:]}"


# ----------------------------------------------------------------------------------------------- name

SURNAMES = frozenset(
    [
        "김",
        "이",
        "박",
        "최",
        "정",
        "강",
        "조",
        "윤",
        "장",
        "임",
        "한",
        "오",
        "서",
        "신",
        "권",
        "황",
        "안",
        "송",
        "류",
        "유",
        "전",
        "홍",
        "고",
        "문",
        "양",
        "손",
        "배",
        "백",
        "허",
        "남",
        "심",
        "노",
        "하",
        "곽",
        "성",
        "차",
        "주",
        "우",
        "구",
        "민",
        "진",
        "나",
        "지",
        "엄",
        "채",
        "원",
        "천",
        "방",
        "공",
        "현",
        "함",
        "변",
        "염",
        "여",
        "추",
        "도",
        "소",
        "석",
        "선",
        "설",
        "마",
        "길",
        "연",
        "위",
        "표",
        "명",
        "기",
        "반",
        "왕",
        "금",
        "옥",
        "육",
        "인",
        "맹",
        "제",
        "모",
        "탁",
        "국",
        "어",
        "은",
        "편",
        "용",
        "예",
        "경",
        "봉",
        "사",
        "부",
        "라",
        "빈",
        "태",
        "피",
        "승",
        "감",
        "동",
    ]
)
_NAME_ENDINGS = tuple(
    sorted(
        (
            "이라고 합니다", "라고 합니다", "이라고 해요", "라고 해요", "이라고요", "라고요", "입니다", "이에요", "예요",
            "이요", "인데요", "에요", "요", "씨", "님", "이고요", "고요", "이구요", "구요", "으로요", "로요", "으로", "로",
            "이고", "인데", "고", "이라예", "라예", "입니더", "인디요", "인디",
        ),
        key=len,
        reverse=True,
    )
)  # fmt: skip
_NAME_LEAD = re.compile(r"(?:제\s?)?(?:이름은|이름이(?=\s)|성함은|예약자는|예약자 이름은|예약자명은|주문자는|(?<![가-힣])이름\s(?!번호|이랑|하고|은|도)(?=[가-힣]))\s*")
# (with 으로/로 alone only a booking or order already made names someone: "선물용으로 주문하고 싶습니다" is what
# for, not who)
_BOOKED_AS = re.compile(
    r"(?<![가-힣])([가-힣]{2,4}?)(?:(?:이라는 이름으로|\s?이름으로)\s?(?:예약|주문)|(?:으로|로)\s?(?:예약|주문)\s?(?:했|한|해\s?놨|해\s?뒀|돼|되어|된))"
)
# A name is quoted with 라고 after a vowel (김민수라고) and 이라고 after a consonant (김하늘이라고): a consonant
# before a bare 라고 is the spoken "-ㄹ라고" of intent ("맞힐라고", "받을라고"), never a name.
# "사진이 너무 예쁘더라고요": 더 before 라고 is the ending of something seen, never the end of a name.
_OPEN_SYLLABLES = "".join(char for char in (chr(0xAC00 + 28 * index) for index in range(19 * 21)) if char != "더")
_CALLED = re.compile(
    rf"([가-힣]{{2,5}}?(?=이라고)|[가-힣]{{1,4}}[{_OPEN_SYLLABLES}])(?:이)?라고\s?(?:합니다|해요|하는데요|하구요|하고요|요)?(?![가-힣])"
    # ("따로 오시라고 하고": a request passed on, no name)
    r"(?!\s(?:하고|했|해서|하니까|하더라|하셨|전해))"
)
_NOT_NAMES = frozenset(
    [
        "네",
        "예",
        "아니요",
        "아뇨",
        "여보세요",
        "잠시만",
        "잠깐만",
        "번호는",
        "똑같이",
        "아까랑",
        "그대로",
        "감사합니다",
        "고맙습니다",
        "괜찮아요",
        "잠깐만요",
        "잠시만요",
        "저기요",
        "맞아요",
        "그래요",
        # yes-words with their ending taken off ("네 맞아요" → 맞아) are answers, never names
        "맞아",
        "맞습니다",
        "그래",
        "좋아",
        "좋아요",
        "알겠습니다",
        "알겠어요",
        "네네",
        "예예",
        "저는",
        "제",
        "저",
        "이름",
        "예약",
        "주문",
        "내일",
        "오늘",
        "모레",
        "이번",
        "다음",
        "사장님",
        "사람",
        "문의",
        "취소",
        "변경",
        "번호",
        "취소해",
        "변경해",
        # an apology before the name ("네 죄송해요 최영호요")
        "죄송해",
        "죄송해요",
        "죄송합니다",
        "미안해",
        "미안해요",
        "미안합니다",
        "성함",
        "명의",
        # words pointing back at what was offered or read back ("네 그렇게요", "그걸로 해 주세요")
        "그렇게",
        "이렇게",
        "그걸",
        "그걸로",
        "그거",
        "그거로",
        "이걸로",
        "그럼",
        "그러면",
        "그냥",
    ]
)
# Who a booking is for, said before their name ("예약자는 팀장님 이름으로 강민호로 해 주세요", "어머니 성함으로
# 오정희요"): titles and family words, never the name itself.
_SOMEONE_ELSE_WORDS = (
    "대표 사장 회장 부장 차장 과장 대리 팀장 실장 원장 이사 상무 전무 교수 선생 선생님 주임 반장 총무 간사 고객 "
    "어머니 어머님 아버지 아버님 엄마 아빠 부모 부모님 남편 아내 와이프 부인 신랑 신부 할머니 할아버지 딸 아들 언니 "
    "오빠 누나 형 동생 친구 조카 이모 고모 삼촌 장모 장인 시어머니 시아버지 사모 사모님 손님 여자친구 남자친구"
)
_SOMEONE_ELSE = frozenset(_SOMEONE_ELSE_WORDS.split())


# "한빛건설 이름으로 해 주세요", "누리랩 명의로요": the name a booking is under, whatever it is
_UNDER_NAME = re.compile(r"(?<![가-힣])([가-힣A-Za-z0-9]{2,12})\s(?:이름|명의)\s?(?:으로|로)")
_OURS = frozenset(("저희", "우리", "회사", "가게", "팀", "단체", "부서", "학교", "제가", "내"))


def parse_name(text: str, expecting: bool = False) -> str | None:
    """The caller's name: 김민수요, 제 이름은 김민수입니다, 이수진이라고 합니다.

    Unasked, only a name that is introduced as one (제 이름은 …, 예약자는 …, … 라고 합니다) counts; a bare word
    (민수요) counts only when the assistant has just asked for the name (``expecting``)."""
    text = clean(text)
    words_said = text.split()
    if words_said:
        # "저희 어머니 이름으로요 박순자요", "예약자는 … 팀장님 이름으로 해 주세요 오정민이요": a name booked for
        # someone else is said last; "한수경이요 아 잠깐만요 …" at the name prompt, first
        last, first = _strip_name_ending(words_said[-1]), _strip_name_ending(words_said[0])
        if (re.search(r"이름|성함|예약자|명의", text) and last and last != words_said[-1]
                and looks_like_full_name(last, words_said[-1])):
            return last
        if expecting and first and first != words_said[0] and looks_like_full_name(first):
            return first
        # "유정아요, 제 이름으로 해 주세요": the full name said first, then said to be the caller's own
        if (re.search(r"(?:제|내|저희)\s?이름으로", text) and first and first != words_said[0]
                and looks_like_full_name(first, words_said[0])):
            return first
        # "네 그럼 예약할게요, 한예슬이요": a full name said after a sentence that ends before it
        if (expecting and len(words_said) > 1 and re.search(r"[요다]$", words_said[-2]) and last
                and last != words_said[-1] and looks_like_full_name(last, words_said[-1])):
            return last
    under = _UNDER_NAME.search(text)
    if under and under.group(1) not in _NOT_NAMES and under.group(1).removesuffix("님") not in _SOMEONE_ELSE | _OURS:
        return under.group(1)  # "한빛건설 이름으로 해 주세요": the booking's name, a company's as well as a person's
    booked_as = _BOOKED_AS.search(text)
    if (booked_as and booked_as.group(1) not in _NOT_NAMES and booked_as.group(1)[0] in SURNAMES
            and booked_as.group(1).removesuffix("님") not in _SOMEONE_ELSE):
        return booked_as.group(1)  # 김민수로 예약했어요
    quoted = _CALLED.search(text)
    if quoted and looks_like_full_name(quoted.group(1)):
        return quoted.group(1)  # "경영학과 박서진이라고 합니다": the name quoted, not the words before it
    text, called = _CALLED.subn(r"\1", text)
    lead = _NAME_LEAD.search(text)
    words = text[lead.end() :].split() if lead else text.split()
    words = [w for w in words if w not in FILLERS]
    if not words or (expecting and not (lead or called) and len(words) > 3):
        return None
    # "김 민수요": a surname said apart from the given name.
    if len(words) >= 2 and words[0] in SURNAMES and len(words[0]) == 1 and words[0] != "제":  # 제 is "my"
        words = [words[0] + words[1], *words[2:]]
    for index, word in enumerate(words[:3]):
        if index and spoken_value(words[index - 1]) is not None:
            continue  # "서른 명까지예요?": a word counted by the number before it
        name = _strip_name_ending(word)
        if name is None or name in _NOT_NAMES or not re.fullmatch(r"[가-힣]{2,5}", name) or _VERB_FORM.search(word):
            continue
        if spoken_value(name) is not None:
            continue  # 여덟, 스물: a number
        if name.removesuffix("님") in _SOMEONE_ELSE:
            continue
        if all(char in PHONE_DIGITS for char in name):
            continue  # 구이오사: digits of a phone number, not a name
        if lead and not (expecting or called) and lead.group().strip() == "이름" and not looks_like_full_name(name):
            return None  # "아기 이름 새긴 라벨": the word after 이름 is no name unless it is a full one
        if lead or called or expecting:
            return name
        if len(words) <= 2 and looks_like_full_name(name) and word != name:
            return name  # "이수진이요" said while something else was asked
    return None


# "저는 김철민이고 …", "전 이수진입니다": a full name introduced by 저는 among other slots.
_I_AM = re.compile(r"(?:^|\s)(?:저는|전)\s([가-힣]{3})(?:이고요|이구요|이고|이에요|입니다|인데요|이요)(?![가-힣])")


@cache
def _they_are() -> re.Pattern[str]:
    """"남편은 이준호고 번호는 …", "딸은 김하나예요": the full name of someone the caller books for."""
    words = "|".join(sorted(_FAMILY_WORDS - {"저"}, key=len, reverse=True))
    return re.compile(rf"(?<![가-힣])(?:{words})(?:은|는)\s([가-힣]{{3}})(?:이고요|이구요|이고|고요|고|이에요|예요|입니다|이요)(?![가-힣])")


def name_of_someone_else(text: str) -> str | None:
    """The full name of the person booked for, introduced by who they are ("남편은 이준호고 번호는 …")."""
    found = _they_are().search(clean(text))
    return found.group(1) if found and looks_like_full_name(found.group(1)) else None


def introduced_name(text: str) -> str | None:
    """A name the caller introduces as one (제 이름은 한지민이고, 저는 김철민이고, 박서준이라고 합니다), which
    counts even in a turn that also says a date, a time or a service."""
    text = clean(text)
    i_am = _I_AM.search(text)
    if i_am and looks_like_full_name(i_am.group(1)):
        return i_am.group(1)
    if _NAME_LEAD.search(text) or _CALLED.search(text):
        return parse_name(text)
    return None


def looks_like_full_name(word: str, said: str = "") -> bool:
    """Three syllables, a common surname first, and not a verb or adjective form (감사해, 괜찮아); a given
    name ending in 아 after a syllable names often have before it (서아, 지아, 유아) is a name, and so is one
    ending in 서, 은 or 지 where it was ``said`` with 이에요 / 입니다 after it (송하은이에요: 은 is no particle there)."""
    named = said != word and said.endswith(("이에요", "입니다", "이요", "이고요", "이라고요"))
    return (
        len(word) == 3
        and word[0] in SURNAMES
        and (word[-1] not in "해하세돼되줘와가어아지죠네데게까요다서고면는은을를디" or _GIVEN_NAME_IN_A.search(word)
             or (named and word[-1] in "서은지"))
        and word not in _NOT_NAMES
    )


_GIVEN_NAME_IN_A = re.compile(r"[서지시리유하다나수연은소채예세혜주이보미승정민선현윤경진영]아$")


# A polite verb ("해 주세요", "알겠어요", "할게요") is no name with its 요 taken off
_VERB_FORM = re.compile(r"(?:세요|게요|어요)$")


def _strip_name_ending(word: str) -> str | None:
    for ending in _NAME_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 2:
            return word[: -len(ending)]
    return word
