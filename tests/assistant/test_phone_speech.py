"""Korean as callers say it on the phone: asking for a person before naming what they want, days with
에도/도, a name said with 이고 among other slots, corrections in the middle of an utterance."""

from __future__ import annotations

import pytest

from moksori.assistant import intents
from moksori.assistant.dialogue import Call
from moksori.assistant.items import find_items, parse_quantity, space_out
from moksori.assistant.profile import ShopProfile
from moksori.assistant.slots import introduced_name, parse_name
from moksori.assistant.store import MemoryStore

from .conftest import NOW
from .test_dialogue import run


@pytest.mark.parametrize(
    "text",
    ["사장님 계세요 좀 바꿔 주세요", "원장님 계신가요 통화 좀 할 수 있을까요", "담당자 있어요 연결해 주세요"],
)
def test_asking_whether_the_owner_is_there_then_for_them(text: str) -> None:
    assert intents.detect(text) == "handoff"


@pytest.mark.parametrize("text", ["월요일에도 해요", "일요일도 하나요", "주말에도 영업해요", "내일도 해요"])
def test_a_day_with_edo_asks_the_hours(text: str) -> None:
    assert intents.question_kind(text) == "hours"


def test_the_hours_of_a_day_asked_with_edo(salon: ShopProfile) -> None:
    call = Call(salon, MemoryStore(), NOW)
    call.greeting()
    assert "쉬" in call.respond("수요일에도 해요?")  # the salon is closed on Wednesdays


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("목요일 세시 젤네일 예약이요 이름은 한지민이고 번호는", "한지민"),
        ("내일 아메리카노 두 잔이요 저는 김철민이고", "김철민"),
        ("박서준이라고 합니다 목요일에 갈게요", "박서준"),
        ("목요일 세시에 갈게요 저는 괜찮아요", None),
    ],
)
def test_a_name_introduced_among_other_slots(text: str, name: str | None) -> None:
    assert introduced_name(text) == name


@pytest.mark.parametrize("text", ["네 맞아요", "맞습니다", "예 알겠습니다", "네네"])
def test_a_yes_is_never_a_name(text: str) -> None:
    assert parse_name(text, expecting=True) is None


def test_every_slot_and_the_name_in_one_utterance(salon: ShopProfile) -> None:
    call = run(salon, ["목요일 오후 세시 케어 예약이요 이름은 한지민이고 번호는 공일공 칠칠칠칠 팔팔팔팔이에요", "네 맞아요"])
    assert [(r["name"], r["time"], r["item"]) for r in call.records] == [("한지민", "15:00", "케어")]


@pytest.mark.parametrize(
    ("text", "before", "after"),
    [
        ("세시에 펌이요 아 아니다 네시요", "세시에 펌이요", "네시요"),
        ("7시 말고 8시요", "7시", "8시요"),
        ("두 판 아니 세 판이요", "두 판", "세 판이요"),
        ("아니요 3시요", "", "아니요 3시요"),  # a no at the start is not a correction inside the turn
        ("아니면 내일 갈게요", "", "아니면 내일 갈게요"),
    ],
)
def test_split_correction(text: str, before: str, after: str) -> None:
    assert intents.split_correction(text) == (before, after)


def test_a_correction_inside_the_turn_keeps_what_it_does_not_correct(salon: ShopProfile) -> None:
    call = run(salon, ["모레 세시에 젤네일이요 아 아니다 네시요", "박보영", "공일공 이삼사오 육칠팔구", "네"])
    assert [(r["time"], r["item"]) for r in call.records] == [("16:00", "젤 네일")]


def test_a_quantity_corrected_inside_the_turn(cafe: ShopProfile) -> None:
    call = run(cafe, ["라떼 한 잔 아니 두 잔 포장이요", "열두시", "전소민", "공일공 오공오공 육공육공", "네"])
    assert call.records[0]["items"] == [{"name": "카페라떼", "qty": 2}]


@pytest.mark.parametrize(
    ("text", "replaces"),
    [("그냥 라떼로 할게요", True), ("아메리카노로 바꿔 주세요", True), ("대신 라떼요", True), ("라떼도 하나요", False),
     ("라떼 두 잔 추가요", False)],
)  # fmt: skip
def test_items_said_as_a_replacement(text: str, replaces: bool) -> None:
    assert intents.replaces_items(text) is replaces


def test_a_caller_who_changes_their_mind_about_the_item(cafe: ShopProfile) -> None:
    call = run(cafe, ["아메리카노 한 잔 포장이요", "아 그냥 라떼로 할게요", "열두시", "남궁민", "공일공 오사삼이 일공구팔", "네"])
    assert call.records[0]["items"] == [{"name": "카페라떼", "qty": 1}]


@pytest.mark.parametrize(("text", "qty"), [("그거 하나 포장해 주세요", 1), ("둘이요", 2), ("하나만요", 1), ("다섯시요", None)])
def test_a_bare_native_number_is_a_quantity(text: str, qty: int | None) -> None:
    assert parse_quantity(text) == qty


@pytest.mark.parametrize(
    ("text", "spaced"),
    [
        ("아아두잔라떼하나요", "아아 두잔 라떼 하나요"),
        ("라떼두잔포장이요", "라떼 두잔 포장이요"),
        ("라떼로 할게요", "라떼로 할게요"),  # one item and no number: left as said
        ("아메리카노 두 잔", "아메리카노 두 잔"),
    ],
)
def test_items_and_numbers_run_together_are_spaced_out(cafe: ShopProfile, text: str, spaced: str) -> None:
    call = Call(cafe, MemoryStore(), NOW)
    assert space_out(text, call.item_names) == spaced


def test_an_order_said_with_no_spaces(cafe: ShopProfile) -> None:
    call = run(cafe, ["아아두잔라떼하나포장이요", "열두시", "윤서준", "공일공 이삼이삼 사오사오", "네"])
    assert call.records[0]["items"] == [{"name": "아이스 아메리카노", "qty": 2}, {"name": "카페라떼", "qty": 1}]


def test_items_with_quantities_and_no_task_word_are_an_order(cafe: ShopProfile) -> None:
    call = Call(cafe, MemoryStore(), NOW)
    call.greeting()
    call.respond("라떼 있어요?")  # a question: answered, nothing started
    assert call.form is None
    call.respond("그럼 라떼 두 잔이랑 아아 하나요")
    assert call.form is not None and call.form.task == "order"


def test_a_service_on_a_day_is_a_booking(salon: ShopProfile) -> None:
    call = run(salon, ["케어 얼마예요?", "그럼 목요일에 케어 할게요", "세시요", "최유진", "공일공 구팔칠육 오사삼이", "네"])
    assert [(r["date"], r["time"], r["item"]) for r in call.records] == [("2026-12-03", "15:00", "케어")]


@pytest.mark.parametrize(
    ("text", "qty"),
    [("라떼 하나랑 아아 하나요 아 라떼는 두 잔으로 해 주세요", 2), ("라떼 하나 아아 하나 라떼 하나 더요", 2)],
)
def test_an_item_said_again_in_one_turn(cafe: ShopProfile, text: str, qty: int) -> None:
    """Said again as the topic or as the result (라떼는 두 잔으로) it is restated; said again plainly it adds."""
    call = Call(cafe, MemoryStore(), NOW)
    mentions = {m.name: m.qty for m in find_items(text, call.item_names)}
    assert mentions == {"카페라떼": qty, "아이스 아메리카노": 1}


def test_one_please_after_items_run_together_is_not_a_question(cafe: ShopProfile) -> None:
    call = Call(cafe, MemoryStore(), NOW)
    call.greeting()
    call.respond("네 라떼하나아아하나요")
    assert call.form is not None and call.form.task == "order"
