"""How the assistant says dates, times, people and prices (written with digits: the voice's text
front-end reads "7시" as 일곱 시 and "2명" as 두 명)."""

from __future__ import annotations

import datetime as dt

from moksori.assistant.profile import WEEKDAY_NAMES_KO, WEEKDAYS, ShopProfile
from moksori.text.hangul import coda_of, has_coda, is_syllable
from moksori.text.numbers import native

_RELATIVE = {0: "오늘", 1: "내일", 2: "모레"}


_DIGITS_WITH_CODA = "013678"  # 영 일 삼 육 칠 팔 end in a consonant


def josa(word: str, pair: str) -> str:
    """``word`` with the particle that fits its last syllable: josa("7시", "은/는") → "7시는"."""
    with_coda, without = pair.split("/")
    last = word.rstrip()[-1:]
    coda = (bool(last) and is_syllable(last) and has_coda(last)) or last in _DIGITS_WITH_CODA
    if pair == "으로/로" and coda and coda_of(last) == "ㄹ":
        coda = False  # ㄹ 받침 takes 로: 7일로
    return word + (with_coda if coda else without)


def say_times(times: list[dt.datetime], today: dt.date, asked: dt.date | None) -> str:
    """Proposed times, each day's date said once: "모레 12월 3일 목요일 저녁 6시 반이나 저녁 7시"."""
    parts: list[str] = []
    previous = asked
    for when in times:
        clock = say_time(when.time())
        parts.append(clock if when.date() == previous else f"{say_date(when.date(), today)} {clock}")
        previous = when.date()
    return " ".join([josa(part, "이나/나") for part in parts[:-1]] + parts[-1:])


def say_date(day: dt.date, today: dt.date) -> str:
    """내일 12월 2일 수요일."""
    relative = _RELATIVE.get((day - today).days)
    words = f"{day.month}월 {day.day}일 {WEEKDAY_NAMES_KO[day.weekday()]}"
    return f"{relative} {words}" if relative else words


def say_time(time: dt.time) -> str:
    """오전 11시, 낮 12시, 오후 2시 반, 저녁 7시, 밤 9시 10분."""
    hour = time.hour
    if hour < 12:
        period = "새벽" if hour < 6 else "오전"
    elif hour == 12:
        period = "낮"
    elif hour < 17:
        period = "오후"
    elif hour < 21:
        period = "저녁"
    else:
        period = "밤"
    twelve = hour % 12 or 12
    minutes = "" if time.minute == 0 else " 반" if time.minute == 30 else f" {time.minute}분"
    return f"{period} {twelve}시{minutes}"


def say_people(count: int) -> str:
    """네 분 (the polite counter for the caller's party)."""
    return f"{native(count, attributive=True)} 분" if count < 100 else f"{count}분"


def say_price(won: int) -> str:
    if won >= 10000 and won % 10000 == 0:
        return f"{won // 10000}만 원"
    return f"{won:,}원"


def say_hours(profile: ShopProfile) -> str:
    """Opening hours grouped by equal days: 월요일부터 금요일까지 10시부터 20시까지, 수요일은 쉬어요."""
    parts: list[str] = []
    closed: list[str] = []
    runs: list[tuple[list[int], str]] = []
    for index, day in enumerate(WEEKDAYS):
        hours = profile.hours[day]
        if hours is None:
            closed.append(WEEKDAY_NAMES_KO[index])
            continue
        text = f"{clock(hours.opens)}부터 {clock(hours.closes)}까지"
        if runs and runs[-1][1] == text and runs[-1][0][-1] == index - 1:
            runs[-1][0].append(index)
        else:
            runs.append(([index], text))
    for days, text in runs:
        first, last = WEEKDAY_NAMES_KO[days[0]], WEEKDAY_NAMES_KO[days[-1]]
        span = (
            first if len(days) == 1 else f"{first}부터 {last}까지" if len(days) > 2 else f"{first}과 {last}"
        )
        parts.append(f"{span} {text}")
    sentence = ", ".join(parts) + " 영업해요."
    if closed:
        sentence += f" {', '.join(closed)}은 쉬어요."
    return sentence


def say_day_hours(profile: ShopProfile, day: dt.date, today: dt.date) -> str:
    hours = profile.hours_on(day)
    when = say_date(day, today)
    if hours is None:
        return f"{when}은 쉬는 날이에요."
    return f"{when}은 {clock(hours.opens)}부터 {clock(hours.closes)}까지 영업해요."


def clock(minutes: int) -> str:
    """A time of day given in minutes from midnight, as said: 630 → 오전 10시 반, 1440 → 자정, 1560 (past
    midnight) → 새벽 2시."""
    return "자정" if minutes == 24 * 60 else say_time(dt.time(minutes // 60 % 24, minutes % 60))
