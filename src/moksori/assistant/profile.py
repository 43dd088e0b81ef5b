"""The shop profile: a YAML file the owner writes (or edits in the web app), validated with clear errors.

Schema (docs/assistant.md): ``name``, ``kind``, ``timezone``, ``address``, ``owner_phone``, ``hours``
(one entry per weekday, ``"HH:MM-HH:MM"`` or ``closed``), ``closed_dates``, ``items``, ``booking``,
``orders``, ``faq``. Parts a shop does not use may be left out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES_KO = ("월요일", "화요일", "수요일", "목요일", "금요일", "토요일", "일요일")
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-~–—]\s*(\d{1,2}):(\d{2})\s*$")
# Weekday keys owners may write in Korean (월, 월요일) or in full English (monday).
_WEEKDAY_KEYS = {
    **{day: day for day in WEEKDAYS},
    **{name[0]: day for name, day in zip(WEEKDAY_NAMES_KO, WEEKDAYS, strict=True)},
    **{name: day for name, day in zip(WEEKDAY_NAMES_KO, WEEKDAYS, strict=True)},
    **{name: day for name, day in zip(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"), WEEKDAYS, strict=True)},
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a profile, or one field of it that is ignored. ``where`` names the field as the
    owner wrote it (``hours.mon``, ``items.0.price``; empty for the profile as a whole), ``message`` says what
    in plain English, and ``code`` with its values in ``params`` lets the web app word it in the owner's
    language (``moksori.web.messages``; this room may not import the web app's catalogs): pydantic's error
    types, or the codes of this module's own checks."""

    where: str
    message: str
    code: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class ProfileError(ValueError):
    """A profile that cannot be used: ``problems`` holds every problem; the message lists them one per line
    (after the file's name, when it was read from one)."""

    def __init__(self, problems: list[Problem], file: Path | None = None) -> None:
        lines = "\n".join(str(problem) for problem in problems)
        super().__init__(f"{file}:\n{lines}" if file else lines)
        self.problems = problems


def _problem(code: str, message: str, where: str | None = None, **params: str) -> PydanticCustomError:
    """A validator's error with a code and its values; ``where`` names the part of the profile it is about
    when pydantic's location would not (a weekday inside ``hours``, a check of the whole profile)."""
    return PydanticCustomError(code, message, {**params, "field": where} if where else params)


class _Strict(BaseModel):
    # Fields this version does not know are kept out of the model and reported as warnings
    # (profile_warnings): a profile written for a newer version, or with extra notes, still loads.
    model_config = ConfigDict(extra="ignore", frozen=True)


class Item(_Strict):
    """A service or a dish: what callers order or book."""

    name: str = Field(min_length=1)
    price: int | None = Field(default=None, ge=0)

    @field_validator("price", mode="before")
    @classmethod
    def _written_price(cls, value: object) -> object:
        # "40,000" or "40000원" as owners write prices
        if isinstance(value, str) and re.fullmatch(r"\s*[\d,]+\s*원?\s*", value):
            return int(re.sub(r"\D", "", value))
        return value
    minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    aliases: tuple[str, ...] = ()


class Booking(_Strict):
    enabled: bool = False
    slot_minutes: int = Field(default=30, ge=5, le=24 * 60)
    capacity: int = Field(default=1, ge=1)
    max_party: int = Field(default=10, ge=1)
    min_notice_minutes: int = Field(default=60, ge=0)
    days_ahead: int = Field(default=30, ge=0)


class Orders(_Strict):
    enabled: bool = False
    min_notice_minutes: int = Field(default=15, ge=0)


class Faq(_Strict):
    q: str = Field(min_length=1)
    a: str = Field(min_length=1)
    also: tuple[str, ...] = ()


class OpeningHours(_Strict):
    """Opening and closing time of one day, in minutes from that day's midnight; a shop open past midnight
    closes after 24:00 (18:00-02:00 closes at 26 * 60)."""

    opens: int
    closes: int


class ShopProfile(_Strict):
    name: str = Field(min_length=1)
    kind: Literal["restaurant", "salon", "cafe", "other"]
    timezone: str = "Asia/Seoul"
    address: str = Field(min_length=1)
    owner_phone: str
    hours: dict[str, OpeningHours | None]
    closed_dates: tuple[dt.date, ...] = ()
    items: tuple[Item, ...] = ()
    booking: Booking = Booking()
    orders: Orders = Orders()
    faq: tuple[Faq, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise _problem("unknown_timezone", "unknown timezone {value} (e.g. Asia/Seoul)", value=repr(value)) from error
        return value

    @field_validator("owner_phone", mode="before")
    @classmethod
    def _unquoted_phone(cls, value: object) -> object:
        # YAML reads an unquoted 01012345678 as the integer 1012345678: the leading zero is put back.
        return f"0{value}" if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("owner_phone")
    @classmethod
    def _phone_digits(cls, value: str) -> str:
        digits = re.sub(r"\D", "", value)
        if not 9 <= len(digits) <= 11 or not digits.startswith("0"):
            raise _problem("not_a_phone_number", "{value} is not a Korean phone number (e.g. 010-1234-5678)",
                           value=repr(value))
        return value

    @field_validator("hours", mode="before")
    @classmethod
    def _parse_hours(cls, value: object) -> dict[str, OpeningHours | None]:
        if not isinstance(value, dict):
            raise _problem("hours_not_a_mapping", "hours must map weekdays (mon … sun) to 'HH:MM-HH:MM' or closed")
        unknown = [str(day) for day in value if str(day).strip().lower() not in _WEEKDAY_KEYS]
        if unknown:
            raise _problem("unknown_weekday", "unknown weekday {days}; use {known}", days=", ".join(unknown),
                           known=", ".join(WEEKDAYS))
        parsed: dict[str, OpeningHours | None] = {day: None for day in WEEKDAYS}
        for day, text in value.items():
            parsed[_WEEKDAY_KEYS[str(day).strip().lower()]] = _opening_hours(str(day), text)
        return parsed

    @field_validator("items")
    @classmethod
    def _distinct_items(cls, items: tuple[Item, ...]) -> tuple[Item, ...]:
        seen: dict[str, str] = {}
        for item in items:
            for word in (item.name, *item.aliases):
                key = word.replace(" ", "")
                if key in seen and seen[key] != item.name:
                    raise _problem("one_name_two_items", "{word} names two items ({first} and {second})",
                                   word=repr(word), first=seen[key], second=item.name)
                if key in seen and word == item.name:
                    raise _problem("item_listed_twice", "item {name} is listed twice", name=repr(item.name))
                seen[key] = item.name
        return items

    @model_validator(mode="after")
    def _usable(self) -> ShopProfile:
        if self.orders.enabled and not self.items:
            raise _problem("orders_without_items", "orders are enabled but there are no items to order",
                           "orders.enabled")
        if self.booking.enabled and all(hours is None for hours in self.hours.values()):
            raise _problem("bookings_never_open", "bookings are enabled but the shop is closed every day",
                           "booking.enabled")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def hours_on(self, day: dt.date) -> OpeningHours | None:
        """Opening hours of a date, or None when the shop is closed that day."""
        if day in self.closed_dates:
            return None
        return self.hours[WEEKDAYS[day.weekday()]]

    def item(self, name: str) -> Item | None:
        return next((item for item in self.items if item.name == name), None)


LATEST_NIGHT_CLOSING = 6 * 60  # later than this, "20:00-10:00" is a mistake rather than a night's opening


def _opening_hours(day: str, text: object) -> OpeningHours | None:
    if text is None or text is False or str(text).strip().lower() in ("closed", "휴무", "휴일"):
        return None
    where, written = f"hours.{day}", repr(text)
    match = _HOURS.match(str(text))
    if not match:
        raise _problem("not_opening_hours", "{text} is not 'HH:MM-HH:MM' or closed", where, text=written)
    open_h, open_m, close_h, close_m = (int(group) for group in match.groups())
    if open_h > 23 or close_h > 24 or open_m > 59 or close_m > 59 or (close_h == 24 and close_m):
        raise _problem("not_a_time_of_day", "{text} is not a time of day", where, text=written)
    opens, closes = open_h * 60 + open_m, close_h * 60 + close_m
    if closes <= opens and closes <= LATEST_NIGHT_CLOSING:
        closes += 24 * 60  # open past midnight: "18:00-02:00" closes at 2 the next morning
    if closes <= opens:
        raise _problem("closes_before_opening",
                       "{text} closes before it opens (past midnight, a shop may close up to 06:00)", where,
                       text=written)
    return OpeningHours(opens=opens, closes=closes)


def parse_profile(data: object) -> ShopProfile:
    """A validated profile from parsed YAML; :class:`ProfileError` lists every problem."""
    if not isinstance(data, dict):
        raise ProfileError([Problem("", "a shop profile is a mapping of fields (name, kind, address, hours …)",
                                    "not_a_mapping")])
    data = {**data, "faq": _rejoin_commas(data.get("faq"))} if "faq" in data else data
    try:
        return ShopProfile.model_validate(data)
    except ValidationError as error:
        raise ProfileError(_explain(error)) from None


_KNOWN_SECTIONS = {"items": Item, "faq": Faq}


def profile_warnings(data: object) -> list[Problem]:
    """Fields of a profile that this version does not use (they are ignored): "order: unknown field, ignored"."""
    if not isinstance(data, dict):
        return []
    unknown = [str(key) for key in data if key not in ShopProfile.model_fields]
    for section, model in (("booking", Booking), ("orders", Orders)):
        if isinstance(data.get(section), dict):
            unknown += [f"{section}.{key}" for key in data[section] if key not in model.model_fields]
    for section, model in _KNOWN_SECTIONS.items():
        entries = data.get(section) if section != "faq" else _rejoin_commas(data.get(section))
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict):
                unknown += [f"{section}.{index}.{key}" for key in entry if key not in model.model_fields]
    return [Problem(where, "unknown field, ignored", "unknown_field") for where in unknown]


def _rejoin_commas(entries: object) -> object:
    """Undo a comma inside an unquoted flow-mapping answer: ``{q: …, a: 네, 돼요.}`` reads as a: "네" plus a
    key "돼요." with no value; the fragment is put back ("네, 돼요."), as the owner meant it."""
    if not isinstance(entries, list):
        return entries
    fixed: list[object] = []
    for entry in entries:
        if not isinstance(entry, dict):
            fixed.append(entry)
            continue
        joined: dict[object, object] = {}
        previous: object = None
        for key, value in entry.items():
            stray = value is None and isinstance(key, str) and key not in Faq.model_fields
            if stray and isinstance(joined.get(previous), str):
                joined[previous] = f"{joined[previous]}, {key}"
            else:
                joined[key] = value
                previous = key
        fixed.append(joined)
    return fixed


def load_profile(path: str | Path, warnings: list[Problem] | None = None) -> ShopProfile:
    """Read and validate a YAML shop profile; fields it does not use are appended to ``warnings``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ProfileError([Problem("", f"cannot read ({error.strerror})", "unreadable")], path) from None
    except UnicodeDecodeError:
        raise ProfileError([Problem("", "not UTF-8 text", "not_utf8")], path) from None
    try:
        profile = parse_profile(data := read_yaml(text))
    except ProfileError as error:
        raise ProfileError(error.problems, path) from None
    if warnings is not None:
        warnings.extend(profile_warnings(data))
    return profile


def read_yaml(text: str) -> object:
    """Parsed YAML 1.2 (ruamel.yaml): unlike PyYAML's YAML 1.1 it reads flow mappings whose plain values end
    in "?" (``{q: 주차 되나요?, a: …}``), as owners write FAQ questions. Dates are left as text for the fields
    to read, so a date that does not exist (2026-13-01) is reported with its field, not as a broken file."""
    from ruamel.yaml import YAML, YAMLError
    from ruamel.yaml.constructor import SafeConstructor

    class TextDates(SafeConstructor):
        pass

    TextDates.add_constructor("tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str)
    yaml = YAML(typ="safe", pure=True)
    yaml.Constructor = TextDates
    try:
        return yaml.load(text)
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        # The line and column where the reader gave up (counted from 1, as an editor counts them).
        at = {"line": mark.line + 1, "column": mark.column + 1} if mark else {}
        detail = getattr(error, "problem", None) or str(error)
        raise ProfileError([Problem("", f"not valid YAML ({error})", "not_yaml", {**at, "detail": detail})]) from None


def _explain(error: ValidationError) -> list[Problem]:
    problems = []
    for problem in error.errors():
        params = {key: str(value) for key, value in problem.get("ctx", {}).items()}
        where = params.pop("field", None) or ".".join(str(part) for part in problem["loc"]) or "profile"
        message = "required field is missing" if problem["type"] == "missing" else problem["msg"]
        if problem["type"] == "literal_error":  # "'a', 'b' or 'c'": a list the owner's language can introduce
            params["expected"] = params["expected"].replace(" or ", ", ")
        problems.append(Problem(where, message, problem["type"], params))
    return problems
