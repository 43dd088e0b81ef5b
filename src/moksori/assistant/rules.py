"""Booking and pick-up rules of a shop profile: opening hours, closed dates, notice, how far ahead,
party size, capacity per slot; and the nearest free times to propose instead of a plain refusal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from moksori.assistant.phrases import clock
from moksori.assistant.profile import ShopProfile
from moksori.assistant.store import Booking

# How many days after the asked one are searched for a free time when the asked day has none.
SEARCH_DAYS = 14


@dataclass(frozen=True)
class Problem:
    """Why a time cannot be booked: ``code`` for programs, ``reason`` to say to the caller."""

    code: str
    reason: str


def booking_minutes(profile: ShopProfile, item: str | None) -> int:
    """How long a booking occupies the shop: the service's ``minutes``, else one slot."""
    found = profile.item(item) if item else None
    return found.minutes if found and found.minutes else profile.booking.slot_minutes


def check_booking(
    profile: ShopProfile,
    bookings: list[Booking],
    start: dt.datetime,
    party: int,
    minutes: int,
    now: dt.datetime,
    ignore_ref: str | None = None,
) -> Problem | None:
    """The first rule ``start`` breaks, or None when it can be booked."""
    rules = profile.booking
    if party > rules.max_party:
        return Problem("party", f"한 번에 {rules.max_party}명까지만 예약을 받고 있어요")
    problem = check_opening(profile, start, minutes, now, rules.min_notice_minutes)
    if problem:
        return problem
    if (start.date() - now.date()).days > rules.days_ahead:
        return Problem("too_far", f"예약은 {rules.days_ahead}일 앞까지만 받고 있어요")
    end = start + dt.timedelta(minutes=minutes)
    overlapping = [
        b for b in bookings if b.ref != ignore_ref and not b.cancelled and b.start < end and start < b.end
    ]
    if len(overlapping) >= rules.capacity:
        return Problem("full", "그 시간은 예약이 꽉 찼어요")
    return None


_DAY = 24 * 60


def check_opening(
    profile: ShopProfile, start: dt.datetime, minutes: int, now: dt.datetime, notice_minutes: int, what: str = "예약"
) -> Problem | None:
    """Opening hours, closed dates and notice (for bookings and for pick-up times: ``what`` is 예약 or 주문)."""
    if start < now:
        return Problem("past", "이미 지난 시간이에요")
    hours = profile.hours_on(start.date())
    begins = start.hour * 60 + start.minute
    night_before = profile.hours_on(start.date() - dt.timedelta(days=1))
    if night_before and begins + _DAY < night_before.closes:
        # Open, in the night before's hours; but which night a caller means by "금요일 새벽 한 시" is not sure
        # (the night after Friday, or Friday's early morning), and a day wrong is a wrong booking.
        return Problem("after_midnight", f"자정이 넘은 시간은 전화로 {what}을 받지 않아요")
    if hours is None:
        return Problem("closed", "그날은 쉬는 날이에요")
    if begins < hours.opens:
        return Problem("before_open", f"{clock(hours.opens)}에 문을 열어요")
    if begins + minutes > hours.closes:
        return Problem("after_close", f"{clock(hours.closes)}에 문을 닫아요")
    if start < now + dt.timedelta(minutes=notice_minutes):
        return Problem("notice", f"적어도 {_duration(notice_minutes)} 전에는 {what}해 주셔야 해요")
    return None


def earliest_start(profile: ShopProfile, now: dt.datetime) -> dt.datetime:
    """The first start on the booking grid that gives the notice asked for: what "지금 바로 세 명 가도 돼요?" asks
    to book."""
    start = now + dt.timedelta(minutes=profile.booking.min_notice_minutes)
    step = dt.timedelta(minutes=profile.booking.slot_minutes)
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - ((midnight - start) // step) * step  # rounded up to the grid


def nearest_free(
    profile: ShopProfile,
    bookings: list[Booking],
    wanted: dt.datetime,
    party: int,
    minutes: int,
    now: dt.datetime,
    count: int = 2,
    ignore_ref: str | None = None,
) -> list[dt.datetime]:
    """Up to ``count`` bookable times nearest to ``wanted``: on the same day first, else the next days."""
    if party > profile.booking.max_party:
        return []
    step = profile.booking.slot_minutes
    for offset in range(SEARCH_DAYS + 1):
        day = wanted.date() + dt.timedelta(days=offset)
        hours = profile.hours_on(day)
        if hours is None:
            continue
        midnight = dt.datetime.combine(day, dt.time(), tzinfo=wanted.tzinfo)
        starts = [midnight + dt.timedelta(minutes=m) for m in range(hours.opens, hours.closes, step)]
        free = [
            s for s in starts if check_booking(profile, bookings, s, party, minutes, now, ignore_ref) is None
        ]
        if free:
            target = (
                wanted if offset == 0 else midnight + dt.timedelta(hours=wanted.hour, minutes=wanted.minute)
            )
            free.sort(key=lambda s: (abs((s - target).total_seconds()), s))
            return sorted(free[:count])
    return []


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}시간 {rest}분"
    return f"{hours}시간" if hours else f"{rest}분"
