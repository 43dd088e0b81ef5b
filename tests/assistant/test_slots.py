"""Slot parsers on tables of real phone expressions (as of Tuesday 2026-12-01)."""

from __future__ import annotations

import datetime as dt

import pytest

from moksori.assistant import intents
from moksori.assistant.items import find_items, parse_quantity, restates_quantity
from moksori.assistant.slots import (
    SpokenTime,
    clean,
    nearest_reading,
    parse_date,
    parse_name,
    parse_party,
    parse_party_difference,
    parse_phone,
    parse_time,
    parse_time_shift,
    parse_yes_no,
    resolve_time,
    says_only_a_day,
)

TODAY = dt.date(2026, 12, 1)  # a Tuesday


DATES = [
    ("오늘 저녁에요", TODAY, "2026-12-01"),
    ("내일 저녁 7시에 네 명이요", TODAY, "2026-12-02"),
    ("낼 갈게요", TODAY, "2026-12-02"),
    ("모레요", TODAY, "2026-12-03"),
    ("내일모레 점심", TODAY, "2026-12-03"),
    ("글피", TODAY, "2026-12-04"),
    ("이번 주 금요일", TODAY, "2026-12-04"),
    ("이번주 토욜", TODAY, "2026-12-05"),
    ("다음 주 화요일", TODAY, "2026-12-08"),
    ("담주 월요일이요", TODAY, "2026-12-07"),
    ("다다음 주 수요일", TODAY, "2026-12-16"),
    ("금요일이요", TODAY, "2026-12-04"),
    ("화요일", TODAY, "2026-12-01"),
    ("12월 3일", TODAY, "2026-12-03"),
    ("십이월 삼십일일", TODAY, "2026-12-31"),
    ("3일이요", TODAY, "2026-12-03"),
    ("다음 달 5일", TODAY, "2027-01-05"),
    ("일주일 뒤에", TODAY, "2026-12-08"),
    # month and year ends
    ("1일이요", dt.date(2026, 11, 28), "2026-12-01"),
    ("내일", dt.date(2026, 12, 31), "2027-01-01"),
    ("1월 2일", TODAY, "2027-01-02"),
    ("2일", dt.date(2026, 12, 30), "2027-01-02"),
    ("다음 주 월요일", dt.date(2026, 12, 30), "2027-01-04"),
    ("모레", dt.date(2027, 2, 27), "2027-03-01"),
    ("31일", dt.date(2027, 2, 10), "2027-03-31"),
]


@pytest.mark.parametrize(("said", "today", "expected"), DATES)
def test_dates(said: str, today: dt.date, expected: str) -> None:
    assert parse_date(said, today) == dt.date.fromisoformat(expected)


NOT_DATES = ["공일공 이일팔오 사삼오일이요", "주말에", "네 맞아요", "사장님 계세요?"]


@pytest.mark.parametrize("said", NOT_DATES)
def test_no_date_where_none_is_said(said: str) -> None:
    assert parse_date(said, TODAY) is None


# Times at a shop open 10:00-20:00 (an hour said without 오전/오후 is read inside the hours).
TIMES = [
    ("저녁 일곱 시", "19:00"),
    ("7시 반이요", "19:30"),
    ("오후 2시", "14:00"),
    ("오후 두시 십분", "14:10"),
    ("정오에요", "12:00"),
    ("자정", "00:00"),
    ("아침 9시", "09:00"),
    ("오전 열한시쯤이요", "11:00"),
    ("열두 시 반", "12:30"),
    ("낮 열두시 삼십 분", "12:30"),
    ("7시요", "19:00"),
    ("6시", "18:00"),
    ("19:30", "19:30"),
    ("밤 아홉 시", "21:00"),
    ("일곱시 삼십분", "19:30"),
]


@pytest.mark.parametrize(("said", "expected"), TIMES)
def test_times_at_a_shop_open_10_to_20(said: str, expected: str) -> None:
    spoken = parse_time(said)
    assert spoken is not None
    assert resolve_time(spoken, [(10 * 60, 20 * 60)]).strftime("%H:%M") == expected


NOT_TIMES = ["한 시간 걸려요?", "시간 있으세요", "공일공 일이삼사", "세 명이요"]


@pytest.mark.parametrize("said", NOT_TIMES)
def test_no_time_where_none_is_said(said: str) -> None:
    assert parse_time(said) is None


def test_hour_without_period_follows_the_shop_hours() -> None:
    six = SpokenTime(6, 0, None)
    assert resolve_time(six, [(600, 1200)]) == dt.time(18, 0)
    assert resolve_time(six, [(360, 720)]) == dt.time(6, 0)  # a bakery open 6-12
    assert resolve_time(SpokenTime(10, 0, None), [(600, 1380)]) == dt.time(10, 0)


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("네 명", 4), ("넷이요", 4), ("4명이요", 4), ("두 분이요", 2), ("혼자요", 1), ("저 혼자 가요", 1),
        ("둘이서 갈게요", 2), ("세 사람이요", 3), ("다섯명", 5), ("2인", 2), ("열두 명", 12),
        ("성인 두 명이랑 아이 한 명", 3), ("어른 둘 아이 하나요", 3), ("내일 저녁 7시에 네 명이요", 4),
        ("십 명이요", 10), ("십오 명", 15), ("이십 명 예약", 20), ("일곱시 십 명이요", 10),
    ],
)  # fmt: skip
def test_party(said: str, expected: int) -> None:
    assert parse_party(said) == expected


def test_more_or_fewer_people_is_a_difference_not_a_party() -> None:
    assert parse_party("한 명 더 가도 될까요") is None
    assert parse_party_difference("한 명 더 가도 될까요") == 1
    assert parse_party_difference("두 명 추가할게요") == 2
    assert parse_party_difference("한 명 못 와요") == -1
    assert parse_party_difference("두 명 빠졌어요") == -2
    assert parse_party_difference("세 명이요") is None
    assert parse_party("다섯 명으로 늘었어요") == 5


def test_party_needs_a_counter_unless_asked() -> None:
    assert parse_party("7시 30분에요") is None
    assert parse_party("네") is None
    assert parse_party("넷", expecting=True) == 4
    assert parse_party("4", expecting=True) == 4
    assert parse_party("네", expecting=True) is None
    # a number that counts hours or minutes is no party, even when a party was asked for
    assert parse_party("아 그럼 열한 시 반에 갈게요, 그걸로 잡아 주세요", expecting=True) is None
    assert parse_party("다음 주 화요일 여덟 시 반으로 해 주세요", expecting=True) is None
    assert parse_party("두 시간이요", expecting=True) is None
    assert parse_party("세 시에 둘이요", expecting=True) == 2


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("네", True), ("예", True), ("맞아요", True), ("응", True), ("그래요", True), ("어 네 맞아요", True),
        ("네 그렇게 해 주세요", True), ("넵", True), ("아니요", False), ("아뇨", False), ("아니에요 8시요", False),
        ("음 아니 그게 아니라", False), ("틀렸어요", False), ("네 명이요", None), ("글쎄요", None),
    ],
)  # fmt: skip
def test_yes_no(said: str, expected: bool | None) -> None:
    assert parse_yes_no(said) is expected


@pytest.mark.parametrize(
    "said",
    [
        "공일공 일이삼사 오륙칠팔",
        "010-1234-5678",
        "01012345678이요",
        "공일공에 일이삼사에 오육칠팔이에요",
        "제 번호는 공일공 일이삼사 오육칠팔입니다",
        "번호는 010 1234 5678요",
        "공일공, 일이삼사, 오육칠팔이에요",
        "공일공 1234 5678이요",
        "공일공 천이백삼십사 오천육백칠십팔",
        "빵일빵 일이삼사 오륙칠팔",
        "제 번호 공일공 일이삼사 오륙칠팔이고요 늦는다고 전해 주세요",  # 이고요: not a last digit 2
        "010 1234 5678인데요",
    ],
)
def test_phone_numbers(said: str) -> None:
    assert parse_phone(said) == "01012345678"


def test_phone_numbers_that_are_not_complete() -> None:
    assert parse_phone("일이삼사 오육칠팔이요") is None
    assert parse_phone("공일공 일이삼") is None
    assert parse_phone("공이 삼사오 육칠팔구") == "023456789"


@pytest.mark.parametrize(
    ("said", "expecting", "expected"),
    [
        ("김민수요", True, "김민수"),
        ("제 이름은 김민수입니다", False, "김민수"),
        ("이수진이라고 합니다", False, "이수진"),
        ("김 민수요", True, "김민수"),
        ("민수요", True, "민수"),
        ("예약자는 김민수로 해 주세요", False, "김민수"),
        ("박서준이고요", True, "박서준"),
        ("한소희예요", True, "한소희"),
        ("안녕하세요 예약하려고요", False, None),
        ("공일공 구이오사", True, None),
        ("아이 데려가도 괜찮아요 혹시 주차는요", True, None),
    ],
)
def test_names(said: str, expecting: bool, expected: str | None) -> None:
    assert parse_name(said, expecting=expecting) == expected


CAFE = {
    "아메리카노": "아메리카노", "아이스아메리카노": "아이스 아메리카노", "아아": "아이스 아메리카노",
    "카페라떼": "카페라떼", "라떼": "카페라떼", "라테": "카페라떼", "치즈케이크": "치즈케이크",
}  # fmt: skip


ITEMS = [
    ("아아 두 잔이요", [("아이스 아메리카노", 2)]),
    ("아메리카노 2잔이랑 라떼 하나", [("아메리카노", 2), ("카페라떼", 1)]),
    ("아이스 아메리카노 세 잔하고 카페 라테 한 잔", [("아이스 아메리카노", 3), ("카페라떼", 1)]),
    ("라떼하나 주세요", [("카페라떼", 1)]),
    ("아메리까노 한잔", [("아메리카노", 1)]),
    ("치즈 케이크 둘이요", [("치즈케이크", 2)]),
    ("아메리카노 두 시에 찾으러 갈게요", [("아메리카노", 1)]),
    ("예약 되나요", []),
    ("까페라떼 한 잔이요", [("카페라떼", 1)]),
    ("치즈케익 하나랑 아아 하나", [("치즈케이크", 1), ("아이스 아메리카노", 1)]),
    ("라떼로요", [("카페라떼", 1)]),
]


@pytest.mark.parametrize(("said", "expected"), ITEMS)
def test_items_with_quantities(said: str, expected: list[tuple[str, int]]) -> None:
    assert [(m.name, m.qty) for m in find_items(said, CAFE)] == expected


SNACKS = {"떡볶이": "떡볶이", "라볶이": "라볶이", "원조김밥": "원조 김밥", "치즈김밥": "치즈 김밥"}
SERVINGS = [
    ("떡볶이 이 인분이랑 라볶이 하나 포장이요", [("떡볶이", 2), ("라볶이", 1)]),  # Sino-Korean before 인분
    ("떡볶이 삼인분이요", [("떡볶이", 3)]),
    ("떡볶이 두 인분", [("떡볶이", 2)]),
    ("떡볶이 2인분", [("떡볶이", 2)]),
    ("원조김밥 세 줄이랑 치즈김밥 한 줄이요", [("원조 김밥", 3), ("치즈 김밥", 1)]),
]


@pytest.mark.parametrize(("said", "expected"), SERVINGS)
def test_servings_and_rolls(said: str, expected: list[tuple[str, int]]) -> None:
    assert [(m.name, m.qty) for m in find_items(said, SNACKS)] == expected
    assert parse_quantity("이 인분이요") == 2


def test_a_quantity_given_with_ro_restates_it() -> None:
    assert restates_quantity("아 잠깐만요 치즈김밥은 두 줄로 해 주세요")
    assert restates_quantity("라떼 2잔으로 해 주세요")
    assert not restates_quantity("그냥 마르게리타로 할게요")
    assert not restates_quantity("두 시로 해 주세요")


@pytest.mark.parametrize(
    ("said", "before", "expected"),
    [
        ("일곱 시요", SpokenTime(6, 0, "pm"), SpokenTime(19, 0, "pm")),  # 저녁 여섯 시 → 일곱 시: evening still
        ("열한 시요", SpokenTime(2, 0, "pm"), SpokenTime(11, 0, "am")),  # 오후 두 시 → 열한 시: the nearer one
        ("일곱 시요", SpokenTime(7, 0, None), SpokenTime(7, 0, None)),  # nothing said before to go by
        ("오전 일곱 시요", SpokenTime(6, 0, "pm"), SpokenTime(7, 0, "am")),  # said outright
    ],
)
def test_a_corrected_time_keeps_to_the_reading_nearest_the_first(said: str, before: SpokenTime,
                                                                 expected: SpokenTime) -> None:
    assert resolve_time(nearest_reading(parse_time(said), before)) == resolve_time(expected)


def test_holidays_by_name() -> None:
    assert parse_date("크리스마스 이브에 저녁 일곱 시", TODAY) == dt.date(2026, 12, 24)
    assert parse_date("성탄절 점심이요", TODAY) == dt.date(2026, 12, 25)
    assert parse_date("신정에 문 열어요?", TODAY) == dt.date(2027, 1, 1)
    assert parse_date("크리스마스요", dt.date(2026, 12, 26)) == dt.date(2027, 12, 25)


def test_a_bare_weekday_after_a_day_talked_about_is_in_its_week() -> None:
    monday_in_two_weeks = dt.date(2026, 12, 14)
    assert parse_date("그럼 화요일로 해 주세요", TODAY, near=monday_in_two_weeks) == dt.date(2026, 12, 15)
    assert parse_date("그럼 토요일이요", TODAY, near=dt.date(2026, 12, 6)) == dt.date(2026, 12, 5)  # Sunday's week
    assert parse_date("다음 주 화요일이요", TODAY, near=monday_in_two_weeks) == dt.date(2026, 12, 8)  # said outright
    assert parse_date("월요일이요", TODAY, near=dt.date(2026, 12, 2)) == dt.date(2026, 12, 7)  # that week's is past


def test_a_week_named_earlier_in_the_turn_is_the_weekdays_week() -> None:
    assert parse_date("다음 주말에 네 명 예약하려고요. 일요일 정오쯤이요", TODAY) == dt.date(2026, 12, 13)
    assert parse_date("다음 주에 가려고요, 화요일 저녁이요", TODAY) == dt.date(2026, 12, 8)
    assert parse_date("이번 주말엔 안 되고 다음 주 토요일", TODAY) == dt.date(2026, 12, 12)
    assert parse_date("다음에 토요일에 갈게요", TODAY) == dt.date(2026, 12, 5)  # 다음 alone is "another time"


def test_the_nth_weekday_of_a_month() -> None:
    assert parse_date("12월 셋째 주 토요일 오후 세 시 반은 돼요?", TODAY) == dt.date(2026, 12, 19)
    assert parse_date("둘째 주 화요일이요", TODAY) == dt.date(2026, 12, 8)
    assert parse_date("마지막 주 금요일", TODAY) == dt.date(2026, 12, 25)
    assert parse_date("1월 첫째 주 월요일", TODAY) == dt.date(2027, 1, 4)  # January has passed this year
    assert parse_date("첫째 주 화요일", dt.date(2026, 12, 2)) == dt.date(2027, 1, 5)  # this month's has passed


def test_a_date_with_its_weekday_is_the_date() -> None:
    assert parse_date("12월 9일 수요일 저녁에요", TODAY) == dt.date(2026, 12, 9)


def test_a_full_name_said_unasked_and_words_that_only_look_like_one() -> None:
    assert parse_name("이수진이요") == "이수진"
    assert parse_name("감사해요") is None
    assert parse_name("제 이름은 김민수고 번호는 공일공 일이삼사") == "김민수"


def test_a_booking_moved_by_a_length_of_time() -> None:
    assert parse_time_shift("한 시간 늦춰 주세요") == 60
    assert parse_time_shift("30분만 당겨 주실 수 있어요") == -30
    assert parse_time_shift("한 시간 반 정도 미뤄 주세요") == 90
    assert parse_time_shift("한 시간 뒤에 갈게요") is None  # counted from now, not a move


def test_meat_is_counted_by_the_geun_and_the_pack() -> None:
    meat = {"앞다리살": "앞다리살", "불고기감": "한우 불고기감", "삼겹살": "삼겹살"}
    assert [(m.name, m.qty) for m in find_items("앞다리살 두 근 주세요", meat)] == [("앞다리살", 2)]
    assert [(m.name, m.qty) for m in find_items("삼겹살 세 팩이랑 불고기감 한 근", meat)] == [
        ("삼겹살", 3), ("한우 불고기감", 1)]


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("어 잠깐만요 집사람이랑 얘기해 보고 다시 전화드릴게요", "goodbye"),  # 집사람 is no member of staff
        ("사람이랑 통화하고 싶어요", "handoff"),
        ("음 좀 생각해 보고 다시 전화할게요", "goodbye"),
        ("오일은 한 몇 킬로 타면 바꿔 주는 게 좋아요?", None),  # 킬로 is a unit, no new value
        ("8시로 바꿔 주세요", "change"),
        ("어제 저녁에 치킨 찾으러 갔다가 카드를 두고 온 것 같은데요", None),  # a pick-up done, not one to come
        ("내일 치킨 찾으러 갈게요", "order"),
    ],
)
def test_intents_of_turns_that_looked_like_others(said: str, intent: str | None) -> None:
    assert intents.detect(said) == intent


def test_finding_ones_way_is_the_address_and_getting_a_discount_is_not() -> None:
    assert intents.question_kind("가서 찾아가면 좀 깎아 주나요?") is None
    assert intents.question_kind("거기 어떻게 찾아가요?") == "address"


def test_a_message_left_with_namgyeo() -> None:
    assert intents.message_body("사장님께 가능한지 전화 달라고 남겨 주세요") == "가능한지 전화 달라"


def test_turns_as_a_recogniser_writes_them() -> None:
    assert resolve_time(parse_time("내일오후3시에 인절미2팩이요")) == dt.time(15, 0)
    assert parse_date("12월6일 일요일 아침에", TODAY) == dt.date(2026, 12, 6)
    assert parse_phone("공일공4455 6677") == "01044556677"
    assert parse_phone("번호는 공일공 1357 2468 이에요") == "01013572468"  # the ending said apart is no digit 2
    assert parse_party("내일모레오후2시반에 고양이두마리 건강검진 예약이요") == 2
    assert parse_party("우리 강아지 한 마리 예방접종") == 1


@pytest.mark.parametrize(
    ("said", "expected"),
    [("잉 맞어요", True), ("예 맞심더", True), ("하모", True), ("아입니더", False), ("아니라예 네 시라예", False)],
)
def test_regional_yes_and_no(said: str, expected: bool) -> None:
    assert parse_yes_no(said) is expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [("이말순이라예", "이말순"), ("정미숙입니더", "정미숙"), ("박영수인디요", "박영수"), ("김하늘이라고 해요", "김하늘")],
)
def test_names_with_regional_endings(said: str, expected: str) -> None:
    assert parse_name(said, expecting=True) == expected


def test_an_intent_said_with_ra_go_is_no_name() -> None:
    assert parse_name("거그 동물병원이지라 우리 강아지 예방접종 맞힐라고 그러는디") is None
    assert parse_name("이름 한소희 번호 01098981212 내일 찾으러 가요") == "한소희"


def test_quantities_around_set_names_pointing_words_and_repeats() -> None:
    names = {"답례떡세트": "답례떡 세트", "멸치볶음": "멸치볶음", "나물세트": "나물 세트", "백설기": "백설기",
             "가래떡": "가래떡"}
    said = "멸치볶음 멸치볶음 그거 두 팩 하고 또 그 거시기 나물 나물 세트 하나"
    assert [(m.name, m.qty) for m in find_items(said, names)] == [("멸치볶음", 2), ("나물 세트", 1)]  # 세트 is no 세
    assert [(m.name, m.qty) for m in find_items("답례떡 세트 그거를 마흔 개", names)] == [("답례떡 세트", 40)]
    assert [(m.name, m.qty) for m in find_items("백설기를 좀 할라 카는데 백설기 백설기 세 되하고", names)] == [("백설기", 3)]
    assert [(m.name, m.qty) for m in find_items("가래떡 1말 되나요", names)] == [("가래떡", 1)]


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("선생님 좀 바로 바꿔 주세요", "handoff"),
        ("예 그라믄 사장님한테 전화 좀 달라 캐 주이소", "message"),
        ("사장님한테 전화 좀 달라고 해 주세요", "message"),
        ("알았어요 나중에 쌀 갖고 갈게요 수고허쇼", "goodbye"),
    ],
)
def test_intents_in_regional_and_everyday_speech(said: str, intent: str) -> None:
    assert intents.detect(said) == intent


def test_regional_questions_and_a_check_of_the_number_dialled() -> None:
    assert intents.asks("토요일 오전 열한 시 되능교")
    assert intents.asks("얼려 놔도 된당가요")
    assert not intents.asks(intents.without_hesitations("여보세요 거기 반찬가게죠 아 내가 그 뭐냐 멸치볶음 두 팩"))


def test_everyone_counted_with_iseo_and_digits_apart_from_the_number() -> None:
    assert parse_party("그럼 저랑 친구 한 명 둘이서만 받을게요") == 2
    said = "모둠초밥 이 인분이랑 우동 하나 열두 시 반에 찾으러 갈게요 최유진 공일공 이사육팔 일삼오칠이요"
    assert parse_phone(said) == "01024681357"  # the 이 of 이 인분 does not start the number
    assert parse_name("이름 번호는 똑같이 최유진 공일공 이사육팔 일삼오칠이요") != "번호는"


def test_messages_said_after_the_request_and_tasks_given_up() -> None:
    said = "그리고 사장님께 메시지 하나 남겨 주세요 애기가 새우 알레르기가 있어서 새우 들어간 건 빼 달라고요 번호는 공일공 팔팔이이 사사육육이요"
    assert intents.message_body(said) == "애기가 새우 알레르기가 있어서 새우 들어간 건 빼 달라고요"
    assert intents.detect("그럼 사장님한테 문의 남길게요 클래스 열 생각 있으시면 연락 달라고요") == "message"
    assert intents.message_body("사장님께 메시지 좀 남기고 싶은데요") is None  # the words are still to come
    assert intents.gives_up_task("예약은 나중에 할게요 대신 사장님께 전화 달라고 전해 주세요")
    assert intents.detect("토요일에 친구랑 둘이 예약한 한소영인데요 친구가 못 와서 저 혼자 받을게요") == "change"
    assert intents.after_then("아 일요일은 쉬시는구나 그럼 토요일 오후 세 시는요?") == "토요일 오후 세 시는요?"


def test_a_number_said_with_ro_and_a_moment_to_ask_someone() -> None:
    assert parse_phone("공일공 삼육삼육 팔오팔오로 연락 주세요") == "01036368585"
    assert intents.holds_on("아 잠깐만요 와이프한테 물어보고요")
    said = "그냥 사장님한테 토요일 오전에 자리 있으면 문자 달라고 메시지 남겨 주세요 공일공 사일사일 구육구육이요"
    assert intents.message_body(said) == "토요일 오전에 자리 있으면 문자 달라"


def test_english_said_in_hangul_and_a_misheard_four() -> None:
    assert resolve_time(parse_time("투모로우 아니 내일 세븐 피엠이요")) == dt.time(19, 0)
    assert parse_date("투모로우 텐 어클락이요", TODAY) == dt.date(2026, 12, 2)
    assert intents.detect("캔슬 하고 싶어요") == "cancel"
    cakes = {"티라미수": "티라미수", "롤케이크": "롤케이크", "초코케이크": "초코 케이크"}
    assert [(m.name, m.qty) for m in find_items("티라미수 내 개 포장이요", cakes)] == [("티라미수", 4)]
    assert find_items("케이크 하나 주세요 픽업 다섯시", cakes) == []  # the end of two names: which cake is not said
    assert [m.name for m in find_items("초코 케이크 하나요", cakes)] == ["초코 케이크"]


def test_names_that_end_like_questions_and_owners_asked_to_call() -> None:
    assert not intents.asks("안나예요")
    assert intents.detect("이 번호로 사장님이 전화 좀 주세요") == "message"


def test_days_counted_natively_quarters_to_and_people_who_cannot_come() -> None:
    assert parse_date("그럼 이틀 뒤 저녁 6시 45분에", TODAY) == dt.date(2026, 12, 3)
    assert parse_date("사흘 후에요", TODAY) == dt.date(2026, 12, 4)
    assert resolve_time(parse_time("오늘 저녁 일곱 시 십오 분 전에 찾으러 갈게요")) == dt.time(18, 45)
    assert resolve_time(parse_time("저녁 7시 30분 전에 갈게요")) == dt.time(19, 30)  # before half past, not 7:00
    assert parse_party("두 명이 못 온대서 여덟 명으로요") == 8
    assert not intents.asks_repeat("아 죄송해요 다시 말씀드리면 공일공 오삼칠육 이칠칠사예요")
    assert intents.asks_repeat("다시 말씀해 주세요")


def test_groups_of_people_and_addresses_that_are_not_the_shops() -> None:
    assert parse_party("토요일 낮 열두 시에 파티룸 예약하고 싶어요 아이 여덟 명이랑 엄마들 네 명이요") == 12
    assert intents.question_kind("그 파일은 어느 메일 주소로 보내면 돼요?") is None
    assert intents.question_kind("거기 주소가 어떻게 돼요?") == "address"


def test_party_counted_with_dul_i_and_no_apology_as_a_name() -> None:
    from moksori.assistant.slots import parse_name, parse_party

    assert parse_party("그럼 친구랑 둘이 토요일 오전 열 시에 체험 레슨 받을게요") == 2
    assert parse_party("열이 나요") is None  # a fever, not ten people
    assert parse_name("네 죄송해요 최영호요", expecting=True) == "최영호"


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("저희 어머니 이름으로요 박순자요", "박순자"),  # booked for someone else: said last
        ("예약자는 제 이름 말고 저희 팀장님 이름으로 해 주세요 오정민이요", "오정민"),  # not 제이름
        ("한수경이요 아 잠깐만요 한 명 더 올 것 같아요", "한수경"),  # a full name first
        ("번호는 제 번호 말고 어머니 번호로 해 주세요 공일공 오이육삼 팔팔공사요", None),
    ],
)
def test_names_for_someone_else_and_names_said_first(line: str, name: str | None) -> None:
    from moksori.assistant.slots import parse_name

    assert parse_name(line, expecting=True) == name


@pytest.mark.parametrize(
    ("said", "number"),
    [
        ("공일공 팔사이육, 아 아니 팔사이칠 공구일삼이요", "01084270913"),
        ("공일공 일이삼사 아니고 일이삼오 오륙칠팔", "01012355678"),
        ("공일공 일이삼사 아니 오륙칠팔", None),  # four digits for four: still no number with a group taken back
    ],
)
def test_a_group_of_digits_taken_back_at_once(said: str, number: str | None) -> None:
    assert parse_phone(said) == number


@pytest.mark.parametrize(
    ("said", "days"),
    [("이따 여섯 시에 두 명이요", 0), ("지금 출발하는데 열 시 반에 되죠?", 0), ("지금 예약하려고요", None),
     ("이따가 다시 걸게요 내일 일곱 시요", 1)],
)
def test_later_today_and_now_with_a_time(said: str, days: int | None) -> None:
    today = dt.date(2026, 12, 1)
    assert parse_date(said, today) == (None if days is None else today + dt.timedelta(days=days))


def test_casual_spellings_read_as_usual() -> None:
    assert clean("예약 쫌 할게여 글고 담에 중짜 돼여?") == "예약 좀 할게요 그리고 다음에 중자 돼요"
    assert clean("여기여 여섯 명") == "여기여 여섯 명"  # 여 only as an ending after a verb
    assert clean("떡 남으믄 얼려도 되능교 떡 해 주기도 혀요?") == "떡 남으면 얼려도 되능교 떡 해 주기도 해요"
    assert clean("혀 짧은 소리") == "혀 짧은 소리"  # the tongue, not 해
    assert intents.after_then(clean("그라믄 떡케이크 하나요")) == "떡케이크 하나요"


@pytest.mark.parametrize(
    ("said", "hour", "minute"),
    [
        ("아 열두 시에 닫으시는구나 그럼 토요일 밤 열한 시로 할게요", 11, 0),  # the closing time echoed
        ("내일 밤에요 열두 시 전에는 가야 되니까 열한 시쯤 찾으러 갈게요", 11, 0),  # a limit beside the time
        ("생각해 보니까 세 시엔 애를 데리러 가야 돼서요 네 시로 바꿔 주세요", 4, 0),  # the new one, said with 로
        ("열두 시 전에는 가야 돼요", 12, 0),  # a limit alone is still the time said
    ],
)
def test_the_time_asked_for_among_several(said: str, hour: int, minute: int) -> None:
    spoken = parse_time(said)
    assert spoken is not None and (spoken.hour, spoken.minute) == (hour, minute)


def test_a_given_name_in_a_is_a_name() -> None:
    assert parse_name("아이 이름으로 해 주세요, 김서아요", expecting=True) == "김서아"


def test_a_misheard_item_keeps_its_first_letter() -> None:
    lessons = {"체험레슨": "체험 레슨", "성인피아노": "성인 개인 레슨", "성인개인레슨": "성인 개인 레슨"}
    assert [m.name for m in find_items("저희 아이 피아노 체험 레슨을 해 보려고요", lessons)] == ["체험 레슨"]


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("모레 네 시에 체험 레슨 잡아 놓은 김서아 엄마인데요 시간을 좀 늦출 수 있을까 해서요", "change"),
        ("알겠습니다 감사해요", "goodbye"),
        ("아 알겠습니다 그럼 다른 데 알아볼게요", "goodbye"),
    ],
)
def test_booked_before_moved_later_and_goodbyes(said: str, intent: str) -> None:
    assert intents.detect(clean(said)) == intent


TEA = {"흑당버블티": "흑당 버블티", "흑당": "흑당 버블티", "흑당버블티라지": "흑당 버블티 라지", "타로버블티": "타로 버블티",
       "타로": "타로 버블티", "타로버블티라지": "타로 버블티 라지", "클래식밀크티": "클래식 밀크티", "자몽에이드": "자몽 에이드"}


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("흑당이랑 타로는 라지로 각각 두 잔씩 자몽 에이드 하나",
         [("흑당 버블티 라지", 2), ("타로 버블티 라지", 2), ("자몽 에이드", 1)]),  # a size and a quantity for each
        ("흑당 버블티랑 타로 버블티 두 잔씩이요", [("흑당 버블티", 2), ("타로 버블티", 2)]),
        ("흑당 버블티랑 타로 버블티 두 잔이요", [("흑당 버블티", 1), ("타로 버블티", 2)]),  # no 씩: not each
        ("클래식 밀크티 따뜻하게 두 잔", [("클래식 밀크티", 2)]),  # an option between the item and its quantity
        ("흑당 버블티는 세 잔 다 라지로 바꿔 주세요", [("흑당 버블티 라지", 3)]),  # the size after the quantity
    ],
)
def test_what_follows_several_items_said_together(said: str, expected: list[tuple[str, int]]) -> None:
    assert [(m.name, m.qty) for m in find_items(said, TEA)] == expected


def test_words_between_the_groups_of_a_number() -> None:
    assert parse_phone("공일공 다음에 칠이삼구 그리고 공오육사요") == "01072390564"


def test_after_that_is_no_change() -> None:
    said = "지난달에 교통사고가 났는데 그 뒤로 목이 계속 뻣뻣하고 고개를 돌릴 때마다 당겨요 도수치료 받을 수 있어요"
    assert intents.detect(said) != "change"


def test_the_quoted_name_among_other_words_and_an_item_said_with_imnida() -> None:
    assert parse_name("안녕하십니까 경영학과 박서진이라고 합니다") == "박서진"
    lash = {"리터치": "리터치", "속눈썹펌": "속눈썹 펌"}
    assert [m.name for m in find_items("리터치입니다", lash)] == ["리터치"]


@pytest.mark.parametrize(
    ("said", "name"),
    [
        ("예약자 성함은 대표님 성함으로, 최동훈으로 해 주십시오", "최동훈"),  # a title before the name
        ("예약자는 팀장님 이름으로 강민호로 해 주세요", "강민호"),
        ("예약은 아내 이름으로 해 주세요, 송하은이에요", "송하은"),  # 은 before 이에요 ends a given name
    ],
)
def test_a_name_said_for_someone_else(said: str, name: str) -> None:
    assert parse_name(said, expecting=True) == name


def test_no_name_in_what_was_seen_or_in_a_title() -> None:
    assert parse_name("사진이 너무 예쁘더라고요 창가 쪽이요") is None  # -더라고요 quotes no name
    assert parse_name("원장님 이름으로 예약해 주세요") is None


def test_some_of_the_party_is_not_its_size() -> None:
    assert parse_party("근데 잠깐만요, 저희 중에 한 명이 차를 끌고 온다는데 차는 어디다 대면 돼요?") is None
    assert parse_party("여섯 명인데 그 중 두 명은 늦어요") == 6


def test_the_day_before_or_after_the_day_talked_about() -> None:
    monday = dt.date(2026, 12, 7)
    assert parse_date("그럼 그 전날 일요일 같은 시간으로 해 주세요", TODAY, monday) == dt.date(2026, 12, 6)
    assert parse_date("그 다음 날로 바꿔 주세요", TODAY, monday) == dt.date(2026, 12, 8)
    assert parse_date("그 전날요", TODAY, None) is None  # no day talked about yet: nothing to count from


def test_the_opening_time_said_beside_the_time_wanted() -> None:
    assert parse_time("아 여덟 시에 여세요? 그럼 여덟 시 십 분에 갈게요") == SpokenTime(8, 10, None)


def test_which_one_of_an_item_said_before_its_quantity() -> None:
    fruit = {"귤5kg": "귤 5kg", "귤오키로": "귤 5kg", "귤": "귤 5kg", "사과": "사과 한 박스"}
    assert [(m.name, m.qty) for m in find_items("귤 오 키로짜리 두 박스를 저녁에 찾으러 갈게요", fruit)] == [("귤 5kg", 2)]


def test_on_the_way_asks_no_directions() -> None:
    assert intents.question_kind("지금 가는 길인데요, 아메리카노 두 잔이요") is None
    assert intents.question_kind("가는 길 좀 알려 주세요") == "address"


def test_what_if_a_booking_is_missed_is_a_question() -> None:
    said = "혹시 예약을 했다가 사정이 생겨서 못 가게 되면요, 미리 보낸 돈은 다시 돌려받을 수 있나요?"
    assert intents.detect(said) is None


def test_putting_somewhere_is_no_two_oclock() -> None:
    assert parse_time("차는 어디에 두시면 될까요?") is None
    assert parse_time("짐은 맡겨 두시면 돼요") is None
    assert parse_time("아 두시면 돼요") == SpokenTime(2, 0, None)


def test_whether_the_shop_does_that_too_is_asked() -> None:
    assert intents.asks("생일 분위기 나게 방을 좀 꾸며 주시기도 해요")


def test_as_a_recogniser_runs_them_together() -> None:
    assert parse_time("내일저녁일곱시에 두명이요") == SpokenTime(7, 0, "pm")
    assert parse_date("내일저녁일곱시에 두명이요", TODAY) == dt.date(2026, 12, 2)


def test_the_count_it_goes_to_and_a_box_counted() -> None:
    assert parse_party("인원이 여섯명에서 여덟명으로 늘었어요") == 8
    gift = {"답례떡세트": "답례떡 세트", "답례떡": "답례떡 세트"}
    assert [(m.name, m.qty) for m in find_items("답례떡 세트 열상자 주문할게요", gift)] == [("답례떡 세트", 10)]


def test_a_word_after_a_name_said_for_something_else() -> None:
    assert parse_name("아기 이름 새긴 라벨 같은것도 붙여줄수 있어요") is None
    assert parse_name("제 이름 김민수예요") == "김민수"


def test_what_a_take_away_costs_orders_nothing() -> None:
    assert intents.detect("삼계탕 포장하면 얼마예요") is None


@pytest.mark.parametrize(("line", "only"), [
    ("토요일", True), ("토요일이요", True), ("다음 주 화요일로요", True), ("12월 5일에", True), ("내일요", True),
    ("토요일은요", False), ("오늘 손님 많아요", False), ("토요일 쉬어요", False), ("열한 시요", False),
])  # fmt: skip
def test_a_turn_that_names_only_a_day(line: str, only: bool) -> None:
    assert says_only_a_day(line, TODAY) is only


def test_booking_with_its_first_vowel_misheard() -> None:
    assert clean("여약이요") == "예약이요"
    assert clean("에약 좀 할게요") == "예약 좀 할게요"
    assert clean("여약사 선생님") == "여약사 선생님"  # a word of its own


def test_checking_the_line_is_no_question_about_the_food() -> None:
    assert intents.is_greeting("여보세요 거기 망원동 정이네 굴보쌈 맞나요")
    assert not intents.is_greeting("거기 굴보쌈 아직 나와요 철 지난 거 아니죠")


@pytest.mark.parametrize(("line", "name"), [
    ("네 그럼 예약할게요 한예슬이요", "한예슬"), ("네 그렇게요", None), ("그렇게 해 주세요", None),
    ("네 그걸로요", None), ("네 알겠어요 잠깐만요", None), ("박수아요", "박수아"),
])  # fmt: skip
def test_names_at_the_name_prompt(line: str, name: str | None) -> None:
    assert parse_name(line, expecting=True) == name


@pytest.mark.parametrize(("line", "intent"), [
    ("네 감사합니다 이따 갈게요", "goodbye"), ("알겠습니다 다음에 들를게요", "goodbye"),
    ("감사합니다 그럼 내일 일곱 시에 갈게요", None),
    ("혹시 쓰던 폰 중고로 매입도 하세요? 이번에 바꾸려고 해서요", None), ("토요일로 옮겨 주세요", "change"),
    ("라떼 시킬 때 우유를 두유로 바꿀 수 있어요?", None), ("아메리카노 두 잔 포장할게요", "order"),
])  # fmt: skip
def test_thanks_a_reason_with_a_change_word_and_a_question_about_ordering(line: str, intent: str | None) -> None:
    assert intents.detect(line) == intent


def test_a_name_said_as_written_with_its_number_words() -> None:
    courts = {"테니스코트1시간": "테니스 코트 1시간", "테니스코트": "테니스 코트 1시간",
              "테니스코트2시간": "테니스 코트 2시간", "테니스코트두시간": "테니스 코트 2시간"}  # fmt: skip
    assert [m.name for m in find_items("월요일 일곱 시에 테니스 코트 두 시간 네 명이요", courts)] == ["테니스 코트 2시간"]
    assert [m.name for m in find_items("테니스 코트 두 시간으로요", courts)] == ["테니스 코트 2시간"]
    assert [(m.name, m.qty) for m in find_items("테니스 코트 두 개", courts)] == [("테니스 코트 1시간", 2)]


@pytest.mark.parametrize(("line", "checked", "rest"), [
    ("여보세요 여보세요 끊겼나", True, ""), ("아 네네 들려요 이름은 서동욱이요", True, "이름은 서동욱이요"),
    ("여보세요 여보세요 아 이제 들리네 환불돼요", True, "환불돼요"), ("네 맞아요", False, "네 맞아요"),
])  # fmt: skip
def test_checking_a_bad_line(line: str, checked: bool, rest: str) -> None:
    assert intents.after_line_check(line) == (checked, rest)


@pytest.mark.parametrize(("line", "intent"), [
    ("그럼 밤늦게 여는 데는 없어요", None), ("주차장은 없어요", None), ("다른 건 없어요", "goodbye"),
    ("네 없어요 감사합니다", "goodbye"),
])  # fmt: skip
def test_nothing_more_against_a_question_about_what_there_is_not(line: str, intent: str | None) -> None:
    assert intents.detect(line) == intent


def test_how_is_it_asks() -> None:
    assert intents.looks_like_question("오늘 날씨 어때요")


def test_a_number_cut_off_and_finished_in_the_next_turn_or_said_twice() -> None:
    from moksori.assistant.slots import completed_phone, phone_start

    assert completed_phone(phone_start("공일공 육이…"), "팔팔 삼일공사요") == "01062883104"
    assert completed_phone(phone_start("공일공에 사일칠삼"), "이공구팔이요") == "01041732098"
    assert parse_phone("공일공 이칠공사 팔팔일오요, 이칠공사 팔팔일오") == "01027048815"


@pytest.mark.parametrize(("line", "body"), [
    ("메시지 좀 남겨 주세요, 약사님한테요", None),  # whom to, and the message still to come
    ("그럼 약사님한테 내일 열 시쯤 간다고만 좀 전해 주세요. 송미경이에요", "내일 열 시쯤 간다"),
    ("사장님께 내일 늦는다고 전해 주세요", "내일 늦는다"),
])  # fmt: skip
def test_a_message_for_anyone_called_by_a_title(line: str, body: str | None) -> None:
    assert intents.message_body(clean(line)) == body


@pytest.mark.parametrize(("line", "party"), [
    ("다음 주 월요일 점심에 엄마 아빠 저 동생 이렇게 가려고 하는데 자리 있어요?", 4),
    ("부모님 모시고 저희 부부랑 애 하나요", 5),
    ("그럼 일요일 점심 열두 시 반에 자리 하나 잡아 줘요 우리 내외하고 딸 내외, 손주 둘이니까 여섯이네", 6),
    ("첫째랑 둘째 체험 수업 좀 시켜 보려고요", 2), ("친구 둘이랑 저요", 3),
    ("이번 주 토요일 오전 열 시에 체험 수업 되나요? 우리 애 둘이랑 조카 둘이요", 4),
    ("아 여덟 명까지요? 그럼 작은아버지네는 따로 오시라고 하고 저희랑 할머니 할아버지만 여섯 명으로 할게요", 6),
    ("아 한 번에 세 명까지요? 그럼 조카 하나는 다음에 하고 셋만 할게요", 3),
    ("저 예약하려고요", None), ("저희 딸 생일이라서요", None), ("몇 살부터 받아요?", None),
])  # fmt: skip
def test_a_family_said_by_who_comes(line: str, party: int | None) -> None:
    assert parse_party(line) == party


def test_children_by_their_ages_only_when_asked_how_many() -> None:
    assert parse_party("일곱 살이랑 다섯 살 하나씩이요", expecting=True) == 2
    assert parse_party("여섯 살이랑 열한 살 형제인데 둘 다 들어갈 수 있어요?") is None


def test_a_request_passed_on_and_a_number_are_no_names() -> None:
    line = "아 여덟 명까지요? 그럼 작은아버지네는 따로 오시라고 하고 저희랑 할머니 할아버지만 여섯 명으로 할게요"
    assert parse_name(line) is None and parse_name(line, expecting=True) is None
    assert parse_name("김민수라고 합니다") == "김민수"


def test_someone_who_cannot_come_changes_the_party_not_the_booking() -> None:
    line = "토요일 여섯 시에 여섯 명 예약한 이정민인데요, 작은애가 못 가게 돼서 다섯 명으로 줄여 주세요"
    assert intents.detect(clean(line)) == "change"
    assert intents.detect("동생이 독감에 걸려서 취소해야 될 것 같아요") == "cancel"


def test_large_counts_in_sino_korean_numbers() -> None:
    lunch = {"샌드위치": "모둠 샌드위치", "모둠샌드위치": "모둠 샌드위치", "불고기도시락": "불고기 도시락"}
    assert [(m.name, m.qty) for m in find_items("샌드위치 오십 개 되나요", lunch)] == [("모둠 샌드위치", 50)]
    assert [(m.name, m.qty) for m in find_items("불고기 도시락 이십 개요", lunch)] == [("불고기 도시락", 20)]
    assert parse_quantity("삼십 개요") == 30
    assert parse_quantity("이 개요") is None  # a small count is said in native numbers: 이 is no two here


def test_a_count_picked_out_for_how_it_is_made_is_not_one_more() -> None:
    sizes = {**CAFE, "아아라지": "아이스 아메리카노 라지", "따아": "아메리카노"}
    said = "아아 라지로 두 잔이랑 따아 하나요. 아아 하나는 얼음 적게 해 주시고요"
    assert [(m.name, m.qty) for m in find_items(said, sizes)] == [("아이스 아메리카노 라지", 2), ("아메리카노", 1)]
    assert [(m.name, m.qty) for m in find_items("라떼 두 잔이요, 라떼 한 잔은 샷 추가요", CAFE)] == [("카페라떼", 2)]


def test_a_kind_chosen_with_ro_after_an_item_is_the_item_of_that_kind() -> None:
    chicken = {"반반": "반반 닭강정", "반반닭강정": "반반 닭강정", "순살반반": "순살 반반", "순살소": "순살 닭강정 소",
               "순살소자": "순살 닭강정 소"}  # fmt: skip
    assert [(m.name, m.qty) for m in find_items("반반 두 개요, 순살로요", chicken)] == [("순살 반반", 2)]
    assert [(m.name, m.qty) for m in find_items("반반 하나랑 순살 소자 하나요", chicken)] == [
        ("반반 닭강정", 1), ("순살 닭강정 소", 1)]  # fmt: skip


def test_a_company_is_a_name_a_booking_can_be_under() -> None:
    assert parse_name("한빛건설 이름으로 해 주세요", expecting=True) == "한빛건설"
    assert parse_name("누리랩 명의로요", expecting=True) == "누리랩"
    assert parse_name("회사 이름으로 해 주세요", expecting=True) is None
    assert parse_name("예약자는 팀장님 이름으로 강민호로 해 주세요", expecting=True) == "강민호"


def test_a_word_counted_by_a_number_is_no_name() -> None:
    assert parse_name("아 서른 명까지예요? 그럼 서른 명으로 할게요, 나머지는 온라인으로 들으라고 하죠 뭐") is None


def test_a_deposit_and_a_menu_board_are_no_booking_and_no_menu() -> None:
    assert intents.detect("열 명 넘게 가면 예약금도 따로 걸어야 돼요?") is None
    assert intents.detect("다음 주 금요일 예약하려고요") == "booking"
    assert intents.question_kind("영어 메뉴판 있어요?") is None
    assert intents.question_kind("메뉴 뭐 있어요?") == "items"


def test_ordering_there_later_and_the_usual() -> None:
    assert intents.detect("네 알겠어요, 이따 가서 시킬게요") == "goodbye"
    assert intents.detect("그냥 이따 가서 메뉴 보고 시킬게요") == "goodbye"
    assert intents.detect("포장 주문할게요") == "order"
    assert intents.asks_the_usual("늘 먹던 걸로 한 시에 좀 해 주세요")
    assert intents.asks_the_usual("지난번이랑 같은 걸로 열두 시에 포장 하나 해 주세요")
    assert not intents.tells_a_past_visit("지난번이랑 같은 걸로 열두 시에 포장 하나 해 주세요")


def test_an_item_said_without_the_first_word_of_the_one_before() -> None:
    bottles = {"콜드브루큰병": "콜드브루 1L 병", "콜드브루작은병": "콜드브루 500ml 병", "콜드브루중": "콜드브루 중"}
    said = "콜드브루 큰 병 하나랑 작은 병 하나 찾으러 갈게요"
    assert [(m.name, m.qty) for m in find_items(said, bottles)] == [("콜드브루 1L 병", 1), ("콜드브루 500ml 병", 1)]
    assert [m.name for m in find_items("콜드브루 큰 병 두 개 중에 하나는 빼 주세요", bottles)] == ["콜드브루 1L 병"]


def test_telling_why_one_types_is_no_request_to_repeat() -> None:
    assert not intents.asks_repeat("저는 귀가 잘 안 들리고 말하기도 어려워서 문자 음성 앱으로 전화드립니다")
    assert intents.asks_repeat("죄송하지만 글자가 빨리 지나가서 못 읽었습니다. 한 번 더 천천히 말씀해 주시겠어요?")
    assert intents.asks_repeat("잘 안 들려요") and intents.asks_repeat("네? 얼마라고요? 잘 안 들렸어요")
    # asked to speak slowly before a question: the question is what is asked
    assert not intents.asks_repeat("조금 천천히 말씀해 주세요. 전화 말고 문자로도 상담을 받을 수 있습니까?")
    assert not intents.asks_repeat("천천히 말씀해 주시면 감사하겠습니다 제가 휠체어를 타는데 들어갈 수 있습니까")
    assert intents.asks_repeat("죄송하지만 글자가 빨리 지나가서 못 읽었습니다")


def test_what_an_order_is_for_is_no_name() -> None:
    assert parse_name("벼락맞은 대추나무 도장 1개를 선물용으로 주문하고 싶습니다") is None
    assert parse_name("김민수로 예약했어요") == "김민수"


def test_a_formal_change_request_gives_its_new_value_last() -> None:
    said = "12월 4일 저녁 6시 30분에 4명으로 예약한 윤서하입니다 번호는 010-4827-1356입니다 6명으로 바꾸고 싶습니다"
    assert intents.new_values_part(said).startswith("6명으로")


def test_kept_aside_is_an_order_and_a_change_of_an_order_is_told_apart() -> None:
    assert intents.detect("그럼 두 개만 빼 놔 주세요. 한 시쯤 갈게요") == "order"
    assert intents.changes_an_order("아까 라자냐 두 개 포장 주문한 조은서인데요, 하나를 까르보나라로 바꿀 수 있을까요?")
    assert not intents.changes_an_order("주문한 거 찾으러 갈 때 신분증 가져가야 돼요?")
    assert not intents.changes_an_order("아메리카노 두 잔 주문할게요")


def test_ne_before_an_item_is_a_yes_and_an_item_talked_about_again_adds_none() -> None:
    lunch = {"청국장": "청국장 정식", "청국장정식": "청국장 정식", "보리밥정식": "보리밥 정식", "과메기": "과메기"}
    said = "김 대리 뭐 먹을 거야? 청국장? 네 보리밥 정식 두 개랑 청국장 정식 하나요"
    assert [(m.name, m.qty) for m in find_items(said, lunch)] == [("보리밥 정식", 2), ("청국장 정식", 1)]
    assert [(m.name, m.qty) for m in find_items("과메기 두 세트 찾으러 갈 건데요, 과메기 사면 김도 줘요?", lunch)] == [
        ("과메기", 2)]  # fmt: skip


def test_a_person_named_twice_is_one_person() -> None:
    said = "와이프도 같이 갈 건데요 와이프는 여성 커트로 하나 더 해 주세요 이름은 와이프 이름 최소영으로 하고요"
    assert parse_party(said) in (None, 1)  # the wife, three times: one person (or none said as a party)
    assert parse_party("엄마랑 아빠랑 저요, 엄마는 휠체어 타세요") == 3


def test_another_booking_and_the_other_bookings_of_a_change() -> None:
    assert intents.one_more("그리고 남편 것도 하나 더 할게요")
    assert intents.one_more("여덟 시에 네 명 레인 한 시간으로 하나 더 잡아 주세요")
    assert not intents.one_more("한 명 더 와요")
    said = "여덟 시에 네 명으로 잡은 거요 한 명 더 와서 다섯 명으로 바꿔 주세요 일곱 시 거는 그대로 두고요"
    assert intents.new_values_part(said).strip() == "한 명 더 와서 다섯 명으로 바꿔 주세요"
    assert "펌" not in intents.without_other_bookings("다음 주 목요일 제 펌 말고요 아들 커트만 네 시로 바꿔 주세요")


def test_a_full_name_said_alone_or_said_to_be_the_callers_own() -> None:
    assert parse_name("유승아요") == "유승아"  # 승아 is a given name, not a verb in -아
    assert parse_name("유정아요, 제 이름으로 해 주세요") == "유정아"
    assert parse_name("괜찮아요, 제 이름으로 해 주세요") is None


def test_part_of_a_number_then_the_whole_number() -> None:
    assert parse_phone("아 번호가 틀렸어요, 마지막이 삼사이칠이에요. 공일공 구구일오 삼사이칠이요") == "01099153427"


def test_from_when_something_may_be_done_is_no_question_about_the_hours() -> None:
    assert intents.question_kind("빼고 나면 세수는 언제부터 해도 돼요?") is None
    assert intents.question_kind("다운펌하고 나서 머리는 언제부터 감아도 돼요?") is None
    assert intents.question_kind("토요일은 몇 시부터 해요?") == "hours"


def test_a_deadline_is_no_question_about_the_hours() -> None:
    assert intents.question_kind("한복 빌리면 언제까지 다시 갖다 드려야 돼요") is None
    assert intents.question_kind("10회권 끊으면 언제까지 다 써야 돼요") is None
    assert intents.question_kind("언제까지 해요") == "hours"


def test_pairs_of_shoes_and_a_length_said_with_jjari() -> None:
    names = {"운동화기본세탁": "운동화 기본 세탁", "운동화세탁": "운동화 기본 세탁", "어그부츠세탁": "어그부츠 세탁",
             "어그부츠": "어그부츠 세탁", "발마사지한시간": "발 반사요법 60분", "발마사지한시간반": "발 반사요법 90분"}  # fmt: skip
    assert [(m.name, m.qty) for m in find_items("어그부츠 한 켤레랑 운동화 세탁 두 켤레요", names)] == [
        ("어그부츠 세탁", 1), ("운동화 기본 세탁", 2)]  # fmt: skip
    assert [m.name for m in find_items("발마사지 한 시간 반짜리요", names)] == ["발 반사요법 90분"]
