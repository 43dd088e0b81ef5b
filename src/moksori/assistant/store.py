"""Where the assistant writes what callers asked for: bookings, orders, messages, hand-offs.

:class:`Store` is the interface; :class:`MemoryStore` keeps everything in memory (``simulate``) and can
save itself as JSON. The web app provides its own, database-backed implementation of the same interface.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Protocol

from moksori.files import atomic_write


@dataclasses.dataclass
class Booking:
    ref: str
    start: dt.datetime
    minutes: int
    party: int
    name: str
    phone: str
    item: str | None = None
    cancelled: bool = False

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.minutes)


class Store(Protocol):
    """What the dialogue needs from storage; every method returns at once (no network waits)."""

    def active_bookings(self, day: dt.date | None = None) -> list[Booking]: ...
    def add_booking(self, booking: Booking) -> str: ...
    def update_booking(self, ref: str, **fields: object) -> None: ...
    def next_ref(self, prefix: str) -> str: ...
    def add_record(self, record: dict) -> None: ...


class MemoryStore:
    """Bookings and records in memory; ``save`` writes them as JSON (atomically)."""

    def __init__(self) -> None:
        self.bookings: dict[str, Booking] = {}
        self.records: list[dict] = []
        self._counters: dict[str, int] = {}

    def next_ref(self, prefix: str) -> str:
        self._counters[prefix] = self._counters.get(prefix, 0) + 1
        return f"{prefix}{self._counters[prefix]}"

    def active_bookings(self, day: dt.date | None = None) -> list[Booking]:
        return [
            booking
            for booking in self.bookings.values()
            if not booking.cancelled and (day is None or booking.start.date() == day)
        ]

    def add_booking(self, booking: Booking) -> str:
        self.bookings[booking.ref] = booking
        return booking.ref

    def update_booking(self, ref: str, **fields: object) -> None:
        booking = self.bookings[ref]
        for name, value in fields.items():
            if not hasattr(booking, name):
                raise AttributeError(f"a booking has no field {name!r}")
            setattr(booking, name, value)

    def add_record(self, record: dict) -> None:
        self.records.append(record)

    @classmethod
    def load(cls, path: str | Path) -> MemoryStore:
        """A store saved by :meth:`save`; references go on from the highest saved one."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        store = cls()
        for fields in data.get("bookings", []):
            booking = Booking(**{**fields, "start": dt.datetime.fromisoformat(fields["start"])})
            store.bookings[booking.ref] = booking
        store.records = list(data.get("records", []))
        for ref in [*store.bookings, *(r.get("ref", "") for r in store.records)]:
            prefix, number = ref[:1], ref[1:]
            if prefix and number.isdigit():
                store._counters[prefix] = max(store._counters.get(prefix, 0), int(number))
        return store

    def save(self, path: str | Path) -> None:
        data = {
            "bookings": [
                {**dataclasses.asdict(b), "start": b.start.isoformat()} for b in self.bookings.values()
            ],
            "records": self.records,
        }
        with atomic_write(Path(path)) as handle:
            handle.write(json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
