"""Shop profiles: the issue's own example loads; bad profiles are refused with every problem named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from moksori.assistant.profile import Problem, ProfileError, load_profile, parse_profile, read_yaml

from .conftest import SALON

HOURS = next(line for line in SALON.splitlines() if line.startswith("hours:"))


def test_the_documented_example_loads(salon_file: Path) -> None:
    profile = load_profile(salon_file)
    assert profile.hours["wed"] is None
    assert profile.hours["fri"].closes == 21 * 60
    assert profile.faq[0].q == "주차 되나요?"  # a plain value ending in "?" inside {…}
    assert profile.hours_on(dt.date(2026, 12, 25)) is None  # a closed date
    assert profile.item("젤 네일").minutes == 60


def test_a_comma_inside_an_unquoted_answer_is_kept(salon_file: Path) -> None:
    assert load_profile(salon_file).faq[1].a == "네, 카드와 계좌이체 모두 돼요."


def _problems(text: str) -> str:
    with pytest.raises(ProfileError) as caught:
        parse_profile(read_yaml(text))
    return str(caught.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("address: 서울 용산구 한강대로 405 2층\n", ""), "address: required field is missing"),
        (('mon: "10:00-20:00"', 'mon: "20:00-10:00"'), "closes before it opens"),
        (('mon: "10:00-20:00"', 'mon: "10:00-25:00"'), "is not a time of day"),
        (('mon: "10:00-20:00"', 'mon: "10시-20시"'), "is not 'HH:MM-HH:MM' or closed"),
        (("sun: closed", "sundy: closed"), "unknown weekday sundy"),
        (("capacity: 1", "capacity: 0"), "booking.capacity"),
        (("kind: salon", "kind: bar"), "kind:"),
        (('owner_phone: "010-1234-5678"', 'owner_phone: "12"'), "is not a Korean phone number"),
        (("  - {name: 케어, price: 15000, minutes: 30}", "  - {name: 젤 네일, price: 15000}"), "listed twice"),
        (("  - {name: 케어, price: 15000, minutes: 30}", "  - {name: 케어, aliases: [젤]}"), "names two items"),
        (("timezone: Asia/Seoul", "timezone: Mars/Base"), "unknown timezone"),
    ],
)
def test_bad_profiles_are_refused_with_the_reason(change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in SALON
    assert message in _problems(SALON.replace(old, new))


@pytest.mark.parametrize(
    ("change", "where", "code", "params"),
    [
        (('mon: "10:00-20:00"', 'mon: "20:00-10:00"'), "hours.mon", "closes_before_opening", {"text": "'20:00-10:00'"}),
        (('mon: "10:00-20:00"', '월: "10시-20시"'), "hours.월", "not_opening_hours", {"text": "'10시-20시'"}),
        (("capacity: 1", "capacity: 0"), "booking.capacity", "greater_than_equal", {"ge": "1"}),
        (("kind: salon", "kind: bar"), "kind", "literal_error", {"expected": "'restaurant', 'salon', 'cafe', 'other'"}),
        (('closed_dates: ["2026-12-25"]', "closed_dates: [2026-13-01]"), "closed_dates.0",
         "date_from_datetime_parsing", None),
        ((HOURS, "hours: {sun: closed}"), "booking.enabled", "bookings_never_open", {}),
        (("price: 15000", "price: 만오천"), "items.1.price", "int_parsing", {}),
    ],
)
def test_each_problem_names_its_field_and_says_what_with_a_code(
    change: tuple[str, str], where: str, code: str, params: dict | None
) -> None:
    old, new = change
    assert old in SALON
    with pytest.raises(ProfileError) as caught:
        parse_profile(read_yaml(SALON.replace(old, new, 1)))
    [problem] = caught.value.problems
    assert (problem.where, problem.code) == (where, code)
    assert params is None or problem.params == params
    assert str(problem).startswith(f"{where}: ") and str(problem) in str(caught.value)


def test_a_file_that_is_not_yaml_says_where_the_reader_stopped() -> None:
    with pytest.raises(ProfileError) as caught:
        read_yaml("name: 가게\nhours: [unclosed\n")
    [problem] = caught.value.problems
    assert problem.code == "not_yaml" and problem.params["line"] == 3 and "expected" in problem.params["detail"]


def test_every_problem_is_listed_at_once() -> None:
    text = SALON.replace("address: 서울 용산구 한강대로 405 2층\n", "").replace("capacity: 1", "capacity: 0")
    problems = _problems(text).splitlines()
    assert len(problems) == 2


def test_files_that_are_not_profiles(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="cannot read"):
        load_profile(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed", encoding="utf-8")
    with pytest.raises(ProfileError, match="not valid YAML"):
        load_profile(broken)
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="mapping"):
        load_profile(listing)


def test_unknown_fields_are_warnings_and_owners_spellings_are_read(tmp_path: Path) -> None:
    text = (
        SALON.replace("orders: {enabled: false}", "order: {enabled: false}\ngreeting: 어서 오세요")
        .replace('mon: "10:00-20:00"', '월: "10:00~20:00"')
        .replace("price: 15000", 'price: "15,000원"')
    )
    path = tmp_path / "shop.yaml"
    path.write_text(text, encoding="utf-8")
    warnings: list[Problem] = []
    profile = load_profile(path, warnings)
    assert [str(warning) for warning in warnings] == ["order: unknown field, ignored", "greeting: unknown field, ignored"]
    assert {warning.code for warning in warnings} == {"unknown_field"}
    assert profile.hours["mon"].opens == 10 * 60
    assert profile.item("케어").price == 15000
