"""The owner's shop in the web app: checking a profile the owner typed, the database-backed
:class:`~moksori.assistant.store.Store` the call assistant writes bookings, orders, messages and calls to, and
the assistant put on a live call (a browser call or the owner's phone line)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from moksori.assistant.dialogue import Call as Dialogue
from moksori.assistant.phone import AssistantLine, Transfer
from moksori.assistant.profile import ProfileError, ShopProfile, parse_profile, profile_warnings, read_yaml
from moksori.assistant.store import Booking
from moksori.web import store
from moksori.web.i18n import _
from moksori.web.live_calls import CallRegistry, LiveCall
from moksori.web.messages import profile_problem
from moksori.web.storage.models import ShopRecord

Sessions = Callable[[], AbstractContextManager[Session]]

MAX_PROFILE_CHARS = 100_000
# What a new owner starts from (docs/assistant.md describes every field).
EXAMPLE_PROFILE = """name: 우리 가게
kind: restaurant            # restaurant | salon | cafe | other
address: 서울 중구 세종대로 110
owner_phone: "010-0000-0000"
hours: {mon: "11:00-21:00", tue: "11:00-21:00", wed: "11:00-21:00", thu: "11:00-21:00", fri: "11:00-21:00", sat: "11:00-20:00", sun: closed}
items:
  - {name: 김치찌개, price: 9000, aliases: [김치 찌개]}
booking: {enabled: true, slot_minutes: 60, capacity: 3, max_party: 8}
orders: {enabled: false}
faq:
  - {q: 주차 되나요?, a: 가게 앞에 두 대까지 세우실 수 있어요., also: [차 가져가도 돼요]}
"""


def check_profile(text: str) -> tuple[ShopProfile | None, list[str], list[str]]:
    """(profile or None, every problem, fields ignored) of a profile typed in the browser, the problems and
    ignored fields worded in the interface language."""
    if len(text) > MAX_PROFILE_CHARS:
        return None, [_("profile: longer than %(limit)s characters", limit=MAX_PROFILE_CHARS)], []
    try:
        data = read_yaml(text)
        return parse_profile(data), [], [profile_problem(warning) for warning in profile_warnings(data)]
    except ProfileError as error:
        return None, [profile_problem(problem) for problem in error.problems], []


def booking_data(booking: Booking) -> dict:
    return {
        "date": booking.start.date().isoformat(), "time": booking.start.strftime("%H:%M"),
        "minutes": booking.minutes, "party": booking.party, "name": booking.name, "phone": booking.phone,
        "item": booking.item, "cancelled": booking.cancelled,
    }


class ShopStore:
    """The assistant's :class:`~moksori.assistant.store.Store` over the owner's ``shop_records`` rows.

    Bookings are rows kept up to date by changes and cancellations (the dashboard shows them as they
    stand); orders and messages are rows of their own; what a call asked for is also in its call row.
    Each method opens a short database session of its own: a call lasts minutes, and holding a pooled
    connection that long would starve the web app's requests."""

    def __init__(self, sessions: Sessions, user_id: int, zone: ZoneInfo) -> None:
        self.sessions = sessions
        self.user_id = user_id
        self.zone = zone
        self._handed: dict[str, str] = {}  # the last reference handed out per prefix (an order's number)

    def _bookings(self, db: Session) -> list[ShopRecord]:
        return list(db.scalars(select(ShopRecord).where(ShopRecord.user_id == self.user_id,
                                                        ShopRecord.kind == "booking")))

    def _booking(self, row: ShopRecord) -> Booking:
        data = row.data
        start = dt.datetime.combine(dt.date.fromisoformat(data["date"]), dt.time.fromisoformat(data["time"]), self.zone)
        return Booking(row.ref, start, data["minutes"], data["party"], data["name"], data["phone"], data.get("item"),
                       data.get("cancelled", False))

    def active_bookings(self, day: dt.date | None = None) -> list[Booking]:
        with self.sessions() as db:
            bookings = [self._booking(row) for row in self._bookings(db)]
        return [b for b in bookings if not b.cancelled and (day is None or b.start.date() == day)]

    def add_booking(self, booking: Booking) -> str:
        with self.sessions() as db:
            store.add_shop_record(db, self.user_id, "booking", booking_data(booking), ref=booking.ref)
        return booking.ref

    def update_booking(self, ref: str, **fields: object) -> None:
        with self.sessions() as db:
            row = next(row for row in self._bookings(db) if row.ref == ref)
            booking = self._booking(row)
            for name, value in fields.items():
                if not hasattr(booking, name):
                    raise AttributeError(f"a booking has no field {name!r}")
                setattr(booking, name, value)
            store.change_shop_record(db, row, data=booking_data(booking))

    def next_ref(self, prefix: str) -> str:
        with self.sessions() as db:
            refs = list(db.scalars(select(ShopRecord.ref).where(ShopRecord.user_id == self.user_id,
                                                                ShopRecord.ref.startswith(prefix))))
        numbers = [int(ref[len(prefix):]) for ref in [*refs, self._handed.get(prefix, "")] if ref[len(prefix):].isdigit()]
        self._handed[prefix] = f"{prefix}{max(numbers, default=0) + 1}"
        return self._handed[prefix]

    def add_record(self, record: dict) -> None:
        """Orders and messages become rows; bookings, changes and cancellations are already in their booking
        row, and a hand-off is part of its call."""
        if record["type"] in ("order", "message"):
            data = {key: value for key, value in record.items() if key not in ("type", "ref")}
            ref = self._handed.get("O", "") if record["type"] == "order" else ""  # the number the caller was told
            with self.sessions() as db:
                store.add_shop_record(db, self.user_id, record["type"], data, ref=ref)

    def add_call(self, turns: list[dict], records: list[dict], summary: str) -> None:
        """A finished call: its one-paragraph summary, transcript and records, for the dashboard."""
        with self.sessions() as db:
            store.add_shop_record(db, self.user_id, "call", {"summary": summary, "turns": turns, "records": records})


def attach_assistant(registry: CallRegistry, sessions: Sessions, live: LiveCall, profile: ShopProfile, *,
                     transfer: Transfer | None = None, caller_id: str | None = None) -> None:
    """The shop's assistant answers the live call ``live``, however it is carried. The dialogue starts when the
    caller is connected (its "now" is theirs, not the link's or the ring's), after the call notice; what it
    took is stored when the call ends, however it ends. ``transfer`` passes the caller to the owner (a phone
    line); without it a hand-off takes a message. ``caller_id``: the caller's number, when the call carries it."""
    shop_store = ShopStore(sessions, live.user_id, profile.zone)
    lines: list[AssistantLine] = []

    def on_event(event: dict) -> None:
        if event["type"] == "joined" and not lines:
            dialogue = Dialogue(profile, shop_store, dt.datetime.now(profile.zone), caller_id=caller_id,
                                can_transfer=transfer is not None)
            lines.append(AssistantLine(live.session, dialogue, finished=shop_store.add_call,
                                       hang_up=lambda reason: registry.end(live.call_id, reason), transfer=transfer))
            asyncio.ensure_future(lines[0].begin())
        elif event["type"] == "ended" and lines:
            asyncio.ensure_future(lines[0].finish())

    live.session.subscribe(on_event)
