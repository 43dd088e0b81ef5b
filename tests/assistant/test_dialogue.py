"""The dialogue on scripted calls: what is written, and what is never written."""

from __future__ import annotations

import datetime as dt

import pytest

from moksori.assistant import intents
from moksori.assistant.dialogue import Call
from moksori.assistant.profile import ShopProfile
from moksori.assistant.slots import SpokenTime
from moksori.assistant.store import MemoryStore

from .conftest import CAFE, NOW, SALON, profile_from

CAFE_TEXT_WITH_LAST_ORDER = CAFE + """  - {q: 마지막 주문 몇 시까지 받아요?, a: 마지막 주문은 문 닫기 삼십 분 전까지 받아요., also: [라스트 오더 언제예요]}
"""


def run(profile: ShopProfile, lines: list[str], store: MemoryStore | None = None) -> Call:
    call = Call(profile, store if store is not None else MemoryStore(), NOW)
    assert "자동 응답" in call.greeting()  # the caller hears first that this is an automated assistant
    for line in lines:
        call.respond(line)
        if call.ended:
            break
    return call


def greeted(profile: ShopProfile) -> Call:
    """A call whose greeting has been said: the caller speaks next."""
    call = Call(profile, MemoryStore(), NOW)
    call.greeting()
    return call


def offered(profile: ShopProfile) -> Call:
    """A call where the owner or a message has just been offered: asked for a service the profile does not list."""
    call = greeted(profile)
    assert "사장님" in call.respond("혹시 속눈썹 연장도 하세요?")
    return call


def booked(profile: ShopProfile, request: str = "목요일 오후 2시에 젤네일 한 명 예약이요") -> MemoryStore:
    """A store holding 김민수's booking (010-1234-5678) made by ``request``: B1."""
    store = MemoryStore()
    run(profile, [request, "김민수요", "공일공 일이삼사 오륙칠팔", "네"], store)
    return store


def test_one_utterance_fills_several_slots(salon: ShopProfile) -> None:
    call = run(salon, ["여보세요, 모레 오후 2시에 젤네일 예약 되나요?", "김민수요", "공일공 일이삼사 오륙칠팔", "네 맞아요"])
    assert call.records == [
        {"type": "booking", "ref": "B1", "date": "2026-12-03", "time": "14:00", "party": 1, "name": "김민수",
         "phone": "01012345678", "item": "젤 네일"}
    ]  # fmt: skip


def test_nothing_is_written_without_confirmation(salon: ShopProfile) -> None:
    call = run(salon, ["모레 오후 2시에 젤네일 예약할게요", "김민수요", "공일공 일이삼사 오륙칠팔"])
    assert call.records == []


def test_a_correction_at_the_read_back(salon: ShopProfile) -> None:
    call = greeted(salon)
    for line in ["목요일 오후 2시에 젤네일 하려고요", "이지은이요", "공일공 구팔칠육 오사삼이"]:
        call.respond(line)
    assert "오후 3시" in call.respond("아니요 3시요")  # read back again with the new time
    call.respond("네")
    assert call.records[0]["time"] == "15:00"


def test_a_closed_day_is_refused_and_another_day_taken(salon: ShopProfile) -> None:
    call = greeted(salon)
    reply = call.respond("내일 오후 2시에 젤네일 예약 돼요?")  # Wednesday: closed
    assert "쉬는 날" in reply
    for line in ["그럼 목요일 오후 2시요", "김민수요", "공일공 일이삼사 오륙칠팔", "네"]:
        call.respond(line)
    assert call.records[0]["date"] == "2026-12-03"


def test_a_full_slot_proposes_the_nearest_free_times(salon: ShopProfile) -> None:
    store = booked(salon, "목요일 오후 2시에 젤네일 예약이요")
    call = Call(salon, store, NOW)
    call.greeting()
    reply = call.respond("목요일 오후 2시에 젤네일 예약 돼요?")
    assert "꽉 찼어요" in reply and "오후 1시" in reply and "오후 3시" in reply
    for line in ["3시로 할게요", "이지은이요", "공일공 구팔칠육 오사삼이", "네"]:
        call.respond(line)
    assert call.records[0]["time"] == "15:00"


def test_change_and_cancel_an_earlier_booking(salon: ShopProfile) -> None:
    store = booked(salon, "목요일 오후 2시에 젤네일 예약이요")
    change = run(salon, ["예약 시간 좀 바꾸려고요", "공일공 일이삼사 오륙칠팔", "오후 네 시로 바꿔 주세요", "네"], store)
    assert change.records == [{"type": "booking_change", "ref": "B1", "time": "16:00"}]
    cancel = run(salon, ["예약 취소할게요", "공일공 일이삼사 오륙칠팔", "네"], store)
    assert cancel.records == [{"type": "booking_cancel", "ref": "B1"}]
    assert store.active_bookings() == []


def test_faq_and_out_of_scope(salon: ShopProfile) -> None:
    call = greeted(salon)
    assert "지하 주차장" in call.respond("주차 돼요?")
    reply = call.respond("강아지 데려가도 돼요?")
    assert "메시지" in reply and "주차장" not in reply
    call.respond("네 남겨 주세요")
    call.respond("공일공 일이삼사 오륙칠팔")
    call.respond("네")
    assert call.records == [{"type": "message", "text": "강아지 데려가도 돼요", "phone": "01012345678"}]


def test_two_reprompts_then_the_owner_is_offered(salon: ShopProfile) -> None:
    call = greeted(salon)
    call.respond("예약하려고요")
    call.respond("음 그게")
    call.respond("어 그러니까")  # ("잠깐만요" is waited for: it is no failed turn)
    assert "사장님" in call.respond("글쎄요")
    call.respond("네")
    assert [record["type"] for record in call.records] == ["handoff"]
    assert call.ended


def test_orders_where_the_shop_takes_them(cafe: ShopProfile, salon: ShopProfile) -> None:
    call = run(cafe, ["아메리카노 2잔이랑 라떼 하나 포장할게요", "12시 반에 찾으러 갈게요", "김민수요", "공일공 일이삼사 오륙칠팔", "네"])
    assert call.records == [
        {"type": "order", "items": [{"name": "아메리카노", "qty": 2}, {"name": "카페라떼", "qty": 1}],
         "pickup": "2026-12-01T12:30", "name": "김민수", "phone": "01012345678"}
    ]  # fmt: skip
    refused = run(salon, ["포장 주문 되나요?", "아니요"])
    assert refused.records == []


def test_bookings_where_the_shop_takes_none(cafe: ShopProfile) -> None:
    call = greeted(cafe)
    assert "예약은 받지 않고" in call.respond("내일 저녁 7시에 예약 되나요?")


def test_hours_address_and_prices_from_the_profile(salon: ShopProfile) -> None:
    call = greeted(salon)
    assert "수요일" in call.respond("몇 시까지 해요?")
    assert "한강대로 405" in call.respond("가게 어디예요?")
    assert "4만 원" in call.respond("젤네일 얼마예요?")


def test_summary_names_who_what_and_outcome(salon: ShopProfile) -> None:
    call = run(salon, ["목요일 오후 2시에 젤네일 예약이요", "김민수요", "공일공 일이삼사 오륙칠팔", "네"])
    assert "김민수" in call.summary() and "2026-12-03 14:00" in call.summary() and "B1" in call.summary()


def test_a_service_left_open_and_a_correction_with_malgo(salon: ShopProfile) -> None:
    call = run(
        salon,
        ["모레 오후 3시에 예약하고 싶어요", "가서 정할게요", "김하나요", "공일공 일일일일 이이이이", "아니요 3시 말고 4시요", "네"],
    )
    assert call.records[0] | {"ref": None} == {
        "type": "booking", "ref": None, "date": "2026-12-03", "time": "16:00", "party": 1, "name": "김하나",
        "phone": "01011112222", "item": None,
    }  # fmt: skip


def test_a_question_while_a_name_is_asked_is_not_a_name(salon: ShopProfile) -> None:
    call = greeted(salon)
    call.respond("목요일 오후 2시에 젤네일 예약이요")
    reply = call.respond("강아지 데려가도 돼요?")
    assert "성함" in reply
    call.respond("김민수요")
    call.respond("공일공 일이삼사 오륙칠팔")
    call.respond("네")
    assert call.records[0]["name"] == "김민수"


def test_what_did_you_say_repeats_the_last_prompt(salon: ShopProfile) -> None:
    call = greeted(salon)
    asked = call.respond("예약하려고요")
    assert call.respond("네? 뭐라고요?") == asked


def test_an_item_asked_about_is_priced_and_then_ordered(cafe: ShopProfile) -> None:
    call = greeted(cafe)
    assert "있어요" in call.respond("라떼 있어요?")
    assert "5,000원" in call.respond("얼마예요?")
    for line in ["그럼 두 잔 포장할게요", "1시에 갈게요", "최유리요", "공일공 육육육육 칠칠칠칠", "네"]:
        call.respond(line)
    assert call.records[0]["items"] == [{"name": "카페라떼", "qty": 2}]


def test_a_hand_off_where_the_call_cannot_be_passed_on_takes_a_message(salon: ShopProfile) -> None:
    call = Call(salon, MemoryStore(), NOW, can_transfer=False)  # a browser call: no phone to pass it to
    call.greeting()
    reply = call.respond("원장님 좀 바꿔 주세요")
    assert "바로 연결해 드릴 수 없어요" in reply and "전하실 말씀" in reply and not call.ended
    call.respond("내일 오후에 방문 가능한지 전화 부탁드려요")
    assert "연락드리면 될까요" in call.respond("공일공 일이삼사 오륙칠팔")  # the message is read back first
    call.respond("네")
    assert call.records == [
        {"type": "handoff", "reason": "손님이 사장님과 통화를 원하셨어요", "transferred": False},
        {"type": "message", "text": "내일 오후에 방문 가능한지 전화 부탁드려요", "phone": "01012345678"}]
    assert "연결되지 않음" in call.summary()


def test_a_transfer_that_failed_goes_on_with_a_message_from_the_callers_number(salon: ShopProfile) -> None:
    call = Call(salon, MemoryStore(), NOW, caller_id="01098765432")
    call.greeting()
    assert "연결해 드릴게요" in call.respond("사장님 바꿔 주세요") and call.ended  # the call layer transfers now
    reply = call.transfer_failed()
    assert "연결이 되지 않았어요" in reply and not call.ended
    call.respond("예약 문의 때문에 전화 달라고 전해 주세요")
    call.respond("이 번호로 해 주세요")
    call.respond("네")
    assert call.records[-1] == {"type": "message", "text": "예약 문의 때문에 전화 달라고 전해 주세요", "phone": "01098765432"}


def test_silence_repeats_the_question_and_ends_the_call_after_a_few_times(salon: ShopProfile) -> None:
    call = greeted(salon)
    asked = call.respond("모레 오후 2시에 젤네일 예약할게요")
    first = call.silence()
    assert first.startswith("여보세요?") and first.endswith(asked)  # the question again, not a new one
    assert call.silence() == first and not call.ended
    call.respond("김민수요")  # the caller is back: the count starts again
    call.silence()
    call.silence()
    assert not call.ended
    goodbye = call.silence()
    assert call.ended and "끊을게요" in goodbye and call.records == []
    assert "말씀이 없어" in call.summary()


def test_a_questioning_ne_repeats_the_prompt_and_a_bare_ne_is_only_listening(salon: ShopProfile) -> None:
    call = greeted(salon)
    assert call.respond("네") == "네, 말씀하세요."  # at the greeting: the caller is there, nothing asked yet
    asked = call.respond("모레 오후 2시에 젤네일 예약할게요")
    assert call.respond("네?") == asked  # did not catch it: the same question again
    assert call.respond("예") == f"네, {asked}"
    assert call.failures == 0  # none of these counts towards offering the owner
    call.respond("김민수요")
    read_back = call.respond("공일공 일이삼사 오륙칠팔")
    assert call.respond("네?") == read_back  # "네?" at the read-back is not a yes
    assert call.records == []
    call.respond("네")  # a bare yes there is one
    assert call.records[0]["name"] == "김민수"


def test_more_people_on_a_booking_is_a_change(salon: ShopProfile) -> None:
    store = booked(salon)
    call = run(salon, ["목요일에 예약한 김민수인데요 인원이 두 명으로 늘었어요 번호는 010-1234-5678이에요", "네"], store)
    assert call.records == [{"type": "booking_change", "ref": "B1", "party": 2}]


def test_asking_how_early_to_order_orders_nothing(cafe: ShopProfile) -> None:
    call = greeted(cafe)
    call.respond("라떼는 며칠 전에 주문해야 돼요?")
    assert call.form is None


def test_a_booking_of_items_where_orders_are_taken_ahead_is_an_order(cafe: ShopProfile) -> None:
    call = run(cafe, ["금요일 오후 3시에 라떼 두 잔 예약하려고요", "정유미요", "공일공 이삼이삼 팔구팔구", "네"])
    assert call.records[0]["type"] == "order" and call.records[0]["items"] == [{"name": "카페라떼", "qty": 2}]
    assert call.records[0]["pickup"] == "2026-12-04T15:00"


def test_fine_thanks_to_an_offer_is_a_no(salon: ShopProfile) -> None:
    call = offered(salon)
    reply = call.respond("아 네 괜찮아요")
    assert call.records == [] and not call.ended and reply.startswith("알겠습니다")


def test_the_owners_answer_comes_before_not_by_phone(salon: ShopProfile) -> None:
    """Orders are off at the salon; a question about them that its FAQ answers gets that answer."""
    shop = salon.model_copy(update={"faq": [*salon.faq, type(salon.faq[0])(q="포장 돼요?", a="포장 상품은 매장에서만 팔아요.")]})
    call = greeted(shop)
    assert call.respond("포장도 되나요?").startswith("포장 상품은 매장에서만 팔아요.")


def test_too_many_people_asks_the_party_again_and_keeps_the_time(salon: ShopProfile) -> None:
    call = greeted(salon)
    assert call.respond("목요일 오후 2시에 젤네일 다섯 명 예약이요").endswith("몇 분이세요?")  # max_party 2
    for line in ["그럼 두 명이요", "김민수요", "공일공 일이삼사 오륙칠팔", "네"]:
        call.respond(line)
    assert call.records[0]["time"] == "14:00" and call.records[0]["party"] == 2


def test_an_order_with_a_pick_up_from_now_keeps_its_items(cafe: ShopProfile) -> None:
    call = run(cafe, ["음 그럼 라떼 두 잔이랑 아아 하나 주세요 한 시간 뒤에 갈게요", "정유미요", "공일공 이삼이삼 팔구팔구", "네"])
    assert call.records[0]["items"] == [{"name": "카페라떼", "qty": 2}, {"name": "아이스 아메리카노", "qty": 1}]
    assert call.records[0]["pickup"] == "2026-12-01T11:00"


def test_a_message_said_outright_is_a_message_whatever_it_is_about(salon: ShopProfile) -> None:
    call = run(salon, ["메시지 남길게요 제 번호 공일공 일이삼사 오륙칠팔이고요 단체 예약 문의드린다고 전해 주세요", "네"])
    assert [record["type"] for record in call.records] == ["message"] and call.records[0]["phone"] == "01012345678"


def test_one_more_person_on_a_booking_is_a_change_by_one(salon: ShopProfile) -> None:
    store = booked(salon)
    call = run(salon, ["목요일 두 시 김민수 이름으로 예약했는데요 한 명 더 가도 될까요?", "네"], store)
    assert call.records == [{"type": "booking_change", "ref": "B1", "party": 2}]


def test_a_new_party_said_after_the_difference_wins(salon: ShopProfile) -> None:
    store = booked(salon)
    call = run(salon, ["김민수로 예약했는데요 한 명 더 가도 돼요? 두 명으로요", "네"], store)
    assert call.records == [{"type": "booking_change", "ref": "B1", "party": 2}]


def test_a_pick_up_asked_as_a_question_is_an_order(cafe: ShopProfile) -> None:
    call = run(cafe, ["금요일 오후 3시에 라떼 두 잔 찾을 수 있어요?", "정유미요", "공일공 이삼이삼 팔구팔구", "네"])
    assert call.records[0]["type"] == "order" and call.records[0]["items"] == [{"name": "카페라떼", "qty": 2}]
    assert call.records[0]["pickup"] == "2026-12-04T15:00"


def test_where_the_shop_is_asked_with_two_words_before_where(salon: ShopProfile) -> None:
    call = greeted(salon)
    assert "한강대로 405" in call.respond("거기 위치가 어디예요")


def test_asked_whether_it_sells_something_it_does_not_list_the_owner_is_offered(salon: ShopProfile) -> None:
    call = greeted(salon)
    reply = call.respond("화분도 팔아요")  # no question mark: the recogniser writes none
    assert "사장님" in reply and "못 알아들었어요" not in reply


def test_a_booking_named_as_it_stands_asks_what_to_change(salon: ShopProfile) -> None:
    store = booked(salon)
    call = Call(salon, store, NOW)
    call.greeting()
    assert "어떻게 바꿔" in call.respond("목요일 두 시 김민수 이름으로 예약했는데 바꾸고 싶어요")
    call.respond("세 시로요")
    call.respond("네")
    assert call.records == [{"type": "booking_change", "ref": "B1", "time": "15:00"}]


def test_a_change_of_service_on_a_booking(salon: ShopProfile) -> None:
    store = booked(salon)
    call = Call(salon, store, NOW)
    call.greeting()
    assert "케어로 바꿔" in call.respond("목요일 두 시 젤네일 예약한 김민수인데요 케어로 바꿀 수 있을까요?")
    call.respond("네")
    assert call.records == [{"type": "booking_change", "ref": "B1", "item": "케어"}]
    [booking] = store.active_bookings()
    assert booking.item == "케어" and booking.minutes == 30  # the new service's length holds the slot


def test_a_booking_not_found_is_said_so(salon: ShopProfile) -> None:
    call = run(salon, ["예약 시간 좀 바꾸려고요"])
    assert "찾지 못했어요" in call.respond("공일공 일이삼사 오륙칠팔")
    assert call.records == []


def test_done_after_an_offer_declines_it(salon: ShopProfile) -> None:
    call = offered(salon)
    assert call.respond("아 그럼 됐어요").startswith("알겠습니다")
    assert call.records == [] and not call.ended


def test_the_question_after_its_background_is_the_one_answered(cafe: ShopProfile) -> None:
    call = greeted(cafe)
    reply = call.respond("라떼 찾으러 가려는데 토요일은 몇 시까지 하세요?")
    assert "토요일" in reply and "영업" in reply and call.form is None


def test_another_weekday_after_a_closed_day_is_in_that_days_week(salon: ShopProfile) -> None:
    call = greeted(salon)
    assert "쉬는 날" in call.respond("다다음 주 수요일 오후 2시에 젤네일 예약이요")  # 12-16, a Wednesday: closed
    for line in ["그럼 목요일로 해 주세요", "김민수요", "공일공 일이삼사 오륙칠팔", "네"]:
        call.respond(line)
    assert call.records[0]["date"] == "2026-12-17"  # not this week's Thursday


def test_the_service_question_names_the_shops_services(salon: ShopProfile) -> None:
    call = greeted(salon)
    reply = call.respond("목요일 오후 2시에 속눈썹 예약하려고요")  # a service the salon does not have
    assert "젤 네일" in reply and "케어" in reply and reply.endswith("어떤 걸로 해 드릴까요?")


def test_the_owner_not_there_is_asked_for_the_owner(salon: ShopProfile) -> None:
    call = run(salon, ["사장님 안 계세요?"])
    assert call.records[0]["type"] == "handoff"


def test_a_message_said_while_the_number_is_asked_is_the_message(salon: ShopProfile) -> None:
    call = offered(salon)
    call.respond("메시지 남길게요")  # the question is the message; the number is asked
    call.respond("내일 단체 예약 건으로 전화 부탁드려요")
    call.respond("공일공 구구구구 팔팔팔팔")
    call.respond("네")
    [record] = call.records
    assert record["type"] == "message" and "단체 예약 건으로 전화 부탁" in record["text"]
    assert record["phone"] == "01099998888"


def test_asked_which_times_are_free_the_earliest_are_offered(salon: ShopProfile) -> None:
    call = greeted(salon)
    reply = call.respond("모레 젤네일 하고 싶은데 몇 시에 자리 있어요?")
    assert "오전 10시" in reply and "오전 10시 반" in reply
    for line in ["제일 빠른 시간으로 해 주세요", "정은지", "공일공 오삼오삼 이일이일", "네"]:
        call.respond(line)
    assert call.records[0]["date"] == "2026-12-03" and call.records[0]["time"] == "10:00"


def test_another_time_than_the_free_ones_offered_is_taken(salon: ShopProfile) -> None:
    call = greeted(salon)
    assert "오후 1시" in call.respond("모레 오후에 젤네일 언제 가능해요?")  # the afternoon's first free times
    for line in ["세 시 반이요", "정은지", "공일공 오삼오삼 이일이일", "네"]:
        call.respond(line)
    assert call.records[0]["time"] == "15:30"


def test_understood_after_an_answer_ends_the_call(salon: ShopProfile) -> None:
    call = greeted(salon)
    call.respond("주차 되나요?")
    call.respond("네 알겠습니다")
    assert call.ended and call.records == []


def test_services_together_is_a_price_question_not_taking_something_along(salon: ShopProfile) -> None:
    call = greeted(salon)
    reply = call.respond("젤네일하고 케어 같이 하면 얼마예요?")
    assert "4만 원" in reply and "주차" not in reply


def test_people_who_cannot_come_and_an_hour_later_are_changes(salon: ShopProfile) -> None:
    store = booked(salon, "목요일 오후 2시에 젤네일 두 명 예약이요")
    call = run(salon, ["김민수로 예약했는데 한 명 못 오게 됐어요", "네"], store)
    assert call.records == [{"type": "booking_change", "ref": "B1", "party": 1}]
    call = run(salon, ["예약한 김민수인데 한 시간 늦춰 주세요", "네"], store)
    assert call.records == [{"type": "booking_change", "ref": "B1", "time": "15:00"}]


def test_understood_to_an_offer_takes_the_answer_in_and_asks_for_no_one(salon: ShopProfile) -> None:
    call = offered(salon)
    assert call.respond("아 네 알겠어요").startswith("알겠습니다")
    assert call.records == [] and not call.ended


def test_a_message_with_the_owner_named_after_it_and_a_number_is_taken_in_one_line(salon: ShopProfile) -> None:
    call = run(salon, ["제가 맡긴 거 좀 줄여 달라고 사장님께 전해 주세요 제 번호는 010-6543-2100이에요"])
    assert "연락드리면 될까요" in call.last_prompt  # read back at once: nothing more to ask
    call.respond("네 맞아요")
    assert call.records == [{"type": "message", "text": "제가 맡긴 거 좀 줄여 달라", "phone": "01065432100"}]


def test_a_bare_yes_is_not_taken_as_the_message(salon: ShopProfile) -> None:
    call = run(salon, ["사장님께 메시지 남기고 싶어요"])
    assert "말씀" in call.respond("네 맞아요") and call.form.text is None  # asked again for the words
    call.respond("내일 오후에 전화 달라고 전해 주세요")
    assert call.form.text is not None and "내일 오후" in call.form.text


def test_a_corrected_quantity_keeps_the_rest_of_the_order(cafe: ShopProfile) -> None:
    call = run(cafe, ["아메리카노 두 잔이랑 라떼 한 잔 포장이요", "12시 반에 찾으러 갈게요", "김민수요", "공일공 일이삼사 오륙칠팔",
                      "아 잠깐만요 라떼는 두 잔으로 해 주세요", "네"])
    assert call.records[0]["items"] == [{"name": "아메리카노", "qty": 2}, {"name": "카페라떼", "qty": 2}]


def test_a_corrected_hour_keeps_to_the_evening_said_before() -> None:
    early_and_late = profile_from(SALON.replace('thu: "10:00-20:00"', 'thu: "07:00-22:00"'))  # 7 and 19 both open
    call = run(early_and_late, ["목요일 저녁 여섯 시에 젤네일 한 명 예약이요", "김민수요", "공일공 일이삼사 오륙칠팔",
                                "아니요 일곱 시요", "네"])
    assert call.records[0]["time"] == "19:00"


def test_an_item_named_again_in_a_question_keeps_its_quantity(cafe: ShopProfile) -> None:
    call = run(cafe, ["라떼 두 잔 포장할게요", "아 근데 라떼 많이 달아요?", "12시 반에 찾으러 갈게요", "김민수요",
                      "공일공 일이삼사 오륙칠팔", "네"])
    assert call.records[0]["items"] == [{"name": "카페라떼", "qty": 2}]


def test_one_item_instead_of_another_keeps_the_rest_of_the_order(cafe: ShopProfile) -> None:
    call = run(cafe, ["아메리카노 한 잔이랑 라떼 한 잔 포장이요", "12시 반에 갈게요", "김민수요", "공일공 일이삼사 오륙칠팔",
                      "아 아메리카노 말고 아아로 바꿔 주세요", "네"])
    assert call.records[0]["items"] == [{"name": "카페라떼", "qty": 1}, {"name": "아이스 아메리카노", "qty": 1}]


def test_a_message_asked_for_where_an_empty_order_was_begun_is_a_message(cafe: ShopProfile) -> None:
    call = run(cafe, ["포장이요"])
    assert call.form is not None and call.form.task == "order"
    call.respond("아 그게 아니라 내일 전화 좀 달라고 전해 주세요 제 번호는 010-1234-5678이에요")
    assert call.form is not None and call.form.task == "message" and call.form.phone == "01012345678"


def test_items_asked_for_outright_are_an_order_whatever_else_is_said(cafe: ShopProfile) -> None:
    call = run(cafe, ["라떼 두 잔만 준비해 주세요 지금 출발하면 십 분이면 가요"])
    assert call.form is not None and call.form.task == "order"
    assert [(m.name, m.qty) for m in call.form.items] == [("카페라떼", 2)]


def test_an_item_is_said_to_be_there_only_when_that_is_all_that_is_asked(cafe: ShopProfile) -> None:
    call = greeted(cafe)
    assert call.respond("라떼 있어요?").startswith("네, 카페라떼가 있어요")
    assert "카페라떼가 있어요" not in call.respond("라떼 원두는 어디서 들여와요?")


def test_a_task_said_at_an_offer_is_taken_instead_of_the_owner(salon: ShopProfile) -> None:
    call = offered(salon)
    call.respond("네 그럼 목요일 오후 2시에 젤네일 예약할게요")
    assert call.records == [] and not call.ended and call.form is not None and call.form.task == "booking"


def test_the_last_four_digits_said_again_correct_the_number(salon: ShopProfile) -> None:
    call = run(salon, ["목요일 오후 2시에 젤네일 한 명 예약이요", "김민수요", "공일공 이삼사오 육칠팔구 아니 아니 육칠팔팔이요"])
    assert call.form is not None and call.form.phone == "01023456788"


def test_a_new_quantity_for_the_one_item_ordered(cafe: ShopProfile) -> None:
    call = run(cafe, ["라떼 두 잔 포장이요", "12시 반에 찾으러 갈게요", "김민수요", "공일공 일이삼사 오륙칠팔",
                      "아이고 아니다 두 잔 말고 세 잔으로 해 주이소", "네"])
    assert call.records[0]["items"] == [{"name": "카페라떼", "qty": 3}]


def test_a_service_on_a_day_at_a_time_is_a_booking_even_asked_in_dialect(salon: ShopProfile) -> None:
    call = run(salon, ["젤네일 할라꼬예 목요일 오후 두 시 되능교?"])
    assert call.form is not None and call.form.task == "booking" and call.form.item == "젤 네일"


def test_an_item_taken_out_and_another_put_in(cafe: ShopProfile) -> None:
    call = run(cafe, ["아메리카노 한 잔이랑 라떼 한 잔 포장이요", "12시 반에 갈게요", "김민수요", "공일공 일이삼사 오륙칠팔",
                      "아 잠깐만요 아메리카노는 빼 주시고 아아 하나 넣어 주세요", "네"])
    assert call.records[0]["items"] == [{"name": "카페라떼", "qty": 1}, {"name": "아이스 아메리카노", "qty": 1}]


def test_no_to_a_read_back_then_the_correction(salon: ShopProfile) -> None:
    call = run(salon, ["목요일 오후 2시에 젤네일 한 명 예약이요", "김민수요", "공일공 일이삼사 오륙칠팔", "아니요",
                       "시간이 두 시가 아니라 세 시예요", "네"])
    assert call.records[0]["time"] == "15:00"


def test_the_day_after_then_is_the_one_proposed(salon: ShopProfile) -> None:
    call = run(salon, ["이번 주 일요일 오후 세 시에 젤네일 한 명 되나요?", "아 일요일은 쉬시는구나 그럼 토요일 오후 세 시는요?"])
    assert call.form is not None and str(call.form.date) == "2026-12-05"


def test_a_moment_asked_for_and_a_yes_that_goes_on(salon: ShopProfile) -> None:
    call = run(salon, ["목요일 오후 2시에 젤네일 한 명 예약이요"])
    assert "천천히" in call.respond("잠시만요") and call.form.name is None
    call.respond("김민수요")
    call.respond("공일공 일이삼사 오륙칠팔")
    call.respond("네 근데 한 명 더 올 수도 있어요")
    assert call.records == []  # not written on a yes that goes on


def test_a_second_task_in_the_call_starts_with_the_name_and_number_given(salon: ShopProfile) -> None:
    call = run(salon, ["목요일 오후 2시에 젤네일 한 명 예약이요", "김민수요", "공일공 일이삼사 오륙칠팔", "네",
                       "그리고 금요일 오후 세 시에 케어도 한 명 예약할게요"])
    assert "김민수" in call.last_prompt and "010-1234-5678" in call.last_prompt  # read back for a yes or a fix
    call.respond("네")
    assert [r["name"] for r in call.records] == ["김민수", "김민수"]


def test_a_booking_given_up_for_a_message(salon: ShopProfile) -> None:
    call = run(salon, ["토요일 오후에 젤네일 한 명 예약하려고요"])
    call.respond("아 그냥 사장님께 메시지 남길게요 토요일에 자리 나면 문자 달라고요 번호는 010-1234-5678이에요")
    assert call.form is not None and call.form.task == "message" and call.form.phone == "01012345678"


def test_a_service_in_half_an_hour_is_a_booking_for_today(salon: ShopProfile) -> None:
    call = run(salon, ["지금 한 삼십 분 뒤에 가서 젤네일 받을 수 있어요?"])
    assert call.form is not None and call.form.task == "booking" and str(call.form.date) == "2026-12-01"


def test_a_question_or_a_pardon_at_the_read_back(salon: ShopProfile) -> None:
    call = run(salon, ["목요일 오후 2시에 젤네일 한 명 예약이요", "김민수요", "공일공 일이삼사 오륙칠팔"])
    read_back = call.last_prompt
    reply = call.respond("아 근데 주차 되나요?")
    assert reply.startswith("건물 지하 주차장") and reply.endswith(read_back)  # answered, then asked again
    assert call.respond("죄송한데 방금 뭐라고 하셨어요?") == reply
    call.respond("네")
    assert call.records[0]["time"] == "14:00"


def test_a_question_at_the_name_prompt_is_no_name(salon: ShopProfile) -> None:
    call = run(salon, ["목요일 오전 11시에 젤네일 한 명 예약이요", "오래 걸려요?"])
    assert call.form is not None and call.form.name is None


def test_two_digit_groups_of_a_number_are_no_date(cafe: ShopProfile) -> None:
    call = run(cafe, ["라떼 한 잔 포장이요", "이번 주 금요일 저녁 여섯 시요", "한예린이요", "공일공 삼오 삼오 구일 구일", "네"])
    assert call.records[0]["pickup"] == "2026-12-04T18:00" and call.records[0]["phone"] == "01035359191"


def test_a_number_said_again_is_the_one_taken(salon: ShopProfile) -> None:
    call = run(salon, ["목요일 오후 2시에 젤네일 한 명 예약이요", "김민수요",
                       "공일공 오삼일육 이칠칠사 아 죄송해요 다시 말씀드리면 공일공 오삼칠육 이칠칠사예요"])
    assert call.form is not None and call.form.phone == "01053762774"


def test_a_service_on_a_day_asked_as_a_question_is_a_booking(salon: ShopProfile) -> None:
    """Before the FAQ: "…바를 수 있어요?" shares 바르다 with the owner's question about children."""
    faq = type(salon.faq[0])(q="아이도 바를 수 있어요?", a="아이 전용 매니큐어가 따로 있어요.")
    shop = salon.model_copy(update={"faq": [*salon.faq, faq]})
    call = run(shop, ["모레 젤네일 바를 수 있어요?"])
    assert call.form is not None and call.form.task == "booking" and str(call.form.date) == "2026-12-03"


def test_a_price_asked_with_more_than_the_item_is_not_its_plain_price(cafe: ShopProfile) -> None:
    call = greeted(cafe)
    assert call.respond("라떼 얼마예요?").startswith("카페라떼는")
    assert "카페라떼는" not in call.respond("라떼에 두유 넣으면 가격이 얼마나 올라요?")


def test_a_question_after_a_booking_request_is_answered_and_the_booking_taken(salon: ShopProfile) -> None:
    call = greeted(salon)
    reply = call.respond("목요일 오후 2시에 젤네일 예약하려고요 주차 되나요?")
    assert reply.startswith("건물 지하 주차장") and call.form is not None and call.form.task == "booking"
    assert str(call.form.date) == "2026-12-03"
    call = greeted(salon)
    reply = call.respond("목요일 오후 2시에 젤네일 예약하려고요 차를 끌고 가려는데 카드 결제 되나요?")
    assert reply.startswith("네, 카드와") and call.form is not None and call.form.task == "booking"


def test_a_day_after_geureom_answers_a_refused_day(salon: ShopProfile) -> None:
    """"아 수요일은 쉬세요? 그럼 …": the question before 그럼 is a reaction; the day after it is the answer."""
    call = run(salon, ["수요일 오후 2시에 젤네일 예약이요", "아 수요일은 쉬세요 그럼 목요일 같은 시간으로 해 주세요"])
    assert call.form is not None and str(call.form.date) == "2026-12-03"


def test_an_item_named_with_a_task_word_names_no_task() -> None:
    shop = profile_from(SALON.replace("{name: 케어, price: 15000, minutes: 30}",
                                      "{name: 기어 조정, price: 15000, minutes: 30}"))
    call = run(shop, ["내일 오후 두 시에 기어 조정 예약하려고요"])
    assert call.form is not None and call.form.task == "booking" and call.form.item == "기어 조정"


def test_digits_corrected_inside_a_read_back_number(salon: ShopProfile) -> None:
    call = run(salon, ["목요일 오후 2시에 젤네일 한 명 예약이요", "김민수요", "공일공 사칠팔이 일오구사",
                       "아 아니요 마지막이 구사가 아니라 구삼이에요", "네"])
    assert call.records and call.records[0]["phone"] == "01047821593"


@pytest.mark.parametrize(
    ("line", "intent"),
    [
        ("푹신한 안장으로 바꾸면 얼마예요?", None),  # a price, not a change of booking
        ("배달앱으로 시키면 최소 주문 금액이 얼마예요?", None),  # a rule, not an order
        ("사장님께 살코기로만 담아 줄 수 있는지 문자 좀 부탁드려요", "message"),
    ],
)
def test_questions_about_changing_or_ordering_are_no_tasks(line: str, intent: str | None) -> None:
    from moksori.assistant import intents

    assert intents.detect(line) == intent


def test_a_question_followed_by_its_reason_is_a_question(salon: ShopProfile) -> None:
    call = greeted(salon)
    assert "사장님께" in call.respond("임플란트는 안 하신다고 들었는데 틀니는 맞춰 주세요 어머니가 쓰실 거라서요")


def test_a_question_nothing_answers_at_the_read_back_is_noted_and_the_read_back_asked_again(
    salon: ShopProfile,
) -> None:
    call = run(salon, ["목요일 오후 2시에 젤네일 한 명 예약이요", "김민수요", "공일공 일이삼사 오육칠팔"])
    reply = call.respond("아 근데 젤 제거도 같이 해 주시는 거죠?")
    assert "사장님께 전해 둘게요" in reply and reply.endswith("맞으세요?") and not call.records
    call.respond("네")
    assert call.records and call.records[0]["type"] == "booking"
    assert any("젤 제거" in note for note in call.notes)


def test_a_phone_number_given_in_two_pieces(cafe: ShopProfile) -> None:
    call = run(cafe, ["오후 한 시에 라떼 두 잔 포장할게요", "이지은이요", "공일공 구삼일팔"])
    assert call.last_prompt.startswith("네, 나머지 번호도")
    call.respond("아 뒤에는 사이칠칠이요")
    assert call.form is not None and call.form.phone == "01093184277"


def test_an_item_swapped_and_a_time_said_in_one_turn(cafe: ShopProfile) -> None:
    call = run(cafe, ["아메리카노 하나랑 라떼 하나 포장이요", "아 라떼 말고 아아로 바꿔 주세요 열두 시 반에 갈게요"])
    assert call.form is not None
    assert sorted(m.name for m in call.form.items) == ["아메리카노", "아이스 아메리카노"]
    assert call.form.spoken_time is not None and call.form.spoken_time.hour == 12


def test_a_call_back_asked_for_in_the_middle_of_an_order_is_a_message(cafe: ShopProfile) -> None:
    call = run(cafe, ["라떼 서른 잔 주문하려는데 그렇게 많이 돼요?",
                      "그럼 사장님한테 가격 맞춰 주실 수 있는지 연락 달라고 전해 주세요 번호는 공일공 육일칠이 삼삼공팔이요"])
    assert call.form is not None and call.form.task == "message" and call.form.phone == "01061723308"


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("다운펌하고 나서 머리는 언제부터 감아도 돼요?", None),  # not the opening hours
        ("토요일은 몇 시까지 하세요?", "hours"),
    ],
)
def test_from_when_asks_the_hours_only_about_opening(line: str, kind: str | None) -> None:
    from moksori.assistant import intents

    assert intents.question_kind(line) == kind
    assert intents.detect("튀김은 미리 튀겨 놓은 거예요 아니면 주문하면 바로 튀겨 주세요?") is None


def test_an_item_in_a_question_the_faq_answers_is_still_the_topic() -> None:
    shop = profile_from(SALON.replace(
        "  - {q: 카드 결제 되나요?",
        "  - {q: 학생 할인 있어요?, a: 중고등학생은 젤 네일이 삼만 원이에요., also: [학생은 얼마예요]}\n"
        "  - {q: 아이도 해 줘요?, a: 일곱 살 이상 아이도 해 드려요., also: [애들도 해 줘요, 초등학생 젤 네일]}\n"
        "  - {q: 카드 결제 되나요?",
    ))
    call = run(shop, ["제가 고등학생인데요 학생은 젤네일 얼마예요?", "그럼 목요일 오후 두 시로 예약해 주세요"])
    assert call.form is not None and call.form.item == "젤 네일"


def test_a_name_said_first_with_a_change_of_party_takes_both() -> None:
    shop = profile_from(SALON.replace("max_party: 2", "max_party: 4"))
    call = run(shop, ["목요일 오후 2시에 젤네일 예약하려고요 저 혼자요", "한수경이요 아 잠깐만요 한 명 더 올 것 같아요 두 명으로 해 주세요"])
    assert call.form is not None and call.form.name == "한수경" and call.form.party == 2


def test_a_free_time_chosen_with_the_party_in_one_turn() -> None:
    shop = profile_from(SALON.replace("max_party: 2", "max_party: 4"))
    call = run(shop, ["목요일 젤네일 제일 빠른 시간이 언제예요?"])
    assert call.form is not None and call.form.proposals
    first = call.form.proposals[0]
    call.respond(f"그럼 {first.hour}시로 해 주세요 둘이 같이 받을 거예요")
    assert call.form.party == 2 and call.form.spoken_time is not None


@pytest.mark.parametrize(
    ("line", "intent"),
    [("예약 취소하면 환불 돼요?", None), ("아 그럼 포장하면 얼마나 걸려요?", None)],
)
def test_what_happens_if_is_a_question_not_a_task(line: str, intent: str | None) -> None:
    from moksori.assistant import intents

    assert intents.detect(line) == intent
    assert intents.looks_like_question("지하철역에서는 가까워요")


def test_a_time_corrected_at_the_name_prompt_is_no_name(salon: ShopProfile) -> None:
    call = run(salon, ["목요일 저녁에 젤네일 한 명 예약이요", "여섯시요", "아 아니다 여섯시 반이요"])
    assert call.form is not None and call.form.name is None and call.form.spoken_time.minute == 30


def test_a_booking_said_before_a_question_about_it_is_a_booking() -> None:
    """"목요일 오후 두 시 젤네일이요, 근데 저희가 세 명인데 다 들어갈 수 있어요?": the question is about the
    booking named before it (three is over the limit), not the FAQ's question that shares its verb."""
    shop = profile_from(SALON.replace(
        "  - {q: 카드 결제 되나요?",
        "  - {q: 휴대폰 가지고 들어가도 돼요?, a: 휴대폰은 사물함에 두고 들어가셔야 해요.}\n  - {q: 카드 결제 되나요?",
    ))
    call = greeted(shop)
    reply = call.respond("목요일 오후 두 시 젤네일이요, 근데 저희가 세 명인데 다 들어갈 수 있어요?")
    assert call.form is not None and call.form.task == "booking" and "사물함" not in reply


def test_now_with_a_time_is_today_and_too_soon_is_refused(salon: ShopProfile) -> None:
    call = run(salon, ["지금 출발하는데 열 시 반에 젤네일 한 명 바로 되죠?", "아 그래요? 그럼 열두 시로 해 주세요",
                       "최민호요", "공일공 삼삼일사 칠칠공팔", "네 맞아요"])
    assert [(r["date"], r["time"]) for r in call.records] == [("2026-12-01", "12:00")]


def test_calling_again_later_declines_the_owner(salon: ShopProfile) -> None:
    call = offered(salon)
    call.respond("아 네 알겠어요 제가 담에 다시 걸게요")
    assert call.records == [] and call.ended


def test_values_after_then_answer_a_refusal_asked_about() -> None:
    """"아 한 번에 두 명까지예요? 그럼 우리 애 둘만 할게요, 네 시 반으로요": the question repeats the limit, the
    values after 그럼 answer it (까지 after a party, not after a time)."""
    shop = profile_from(SALON.replace("  - {q: 카드 결제 되나요?",
                                      "  - {q: 아이도 해 줘요?, a: 일곱 살 이상 아이도 해 드려요.}\n  - {q: 카드 결제 되나요?"))
    call = run(shop, ["목요일 오후 네 시에 젤네일 애 둘이랑 조카까지 세 명이요",
                      "아 한 번에 두 명까지예요? 그럼 우리 애 둘만 할게요, 네 시 반으로요"])
    assert call.form is not None and call.form.party == 2 and call.form.spoken_time.minute == 30


def test_a_change_asked_for_at_the_read_back_is_never_read_back_as_it_stood(salon: ShopProfile) -> None:
    """"…좀 바꿔 주세요" with no value understood: asked what to change, so the "네" that follows cannot write
    the old booking."""
    call = run(salon, ["목요일 오후 세 시에 젤네일 예약이요", "서민재요", "공일공 사사칠일 이구공팔",
                       "아 잠깐만요 세 시엔 애를 데리러 가야 돼서요 좀 바꿔 주세요"])
    assert call.expecting == "correction"
    call.respond("네")
    assert call.records == []


TEA_SHOP = """
name: 몽글 버블티
kind: cafe
address: 서울 마포구 연희로 1
owner_phone: "010-5555-6666"
hours: {mon: "10:00-21:00", tue: "10:00-21:00", wed: "10:00-21:00", thu: "10:00-21:00", fri: "10:00-21:00", sat: "10:00-21:00", sun: closed}
items:
  - {name: 흑당 버블티, price: 4500, aliases: [흑당]}
  - {name: 흑당 버블티 라지, price: 5500}
  - {name: 자몽 에이드, price: 4000}
  - {name: 딸기 라떼, price: 5000}
orders: {enabled: true, min_notice_minutes: 15}
faq:
  - {q: 두유로 바꿀 수 있어요?, a: 우유는 두유로 바꿔 드릴 수 있어요.}
"""


def test_a_size_asked_at_the_read_back_changes_that_item_only() -> None:
    call = run(profile_from(TEA_SHOP), ["자몽 에이드, 딸기 라떼 한 잔씩이랑 흑당 버블티 세 잔이요 이따 다섯 시에 찾으러 갈게요",
                                        "노은비요", "공일공 이구사칠 삼팔공육", "아 흑당 버블티는 세 잔 다 라지로 바꿔 주세요", "네 맞아요"])
    assert [(i["name"], i["qty"]) for i in call.records[0]["items"]] == [
        ("자몽 에이드", 1), ("딸기 라떼", 1), ("흑당 버블티 라지", 3)]


def test_changing_where_the_shop_takes_no_bookings_is_a_question() -> None:
    call = greeted(profile_from(TEA_SHOP))
    assert "두유로 바꿔 드릴" in call.respond("혹시 우유를 두유로 바꿔 주실 수 있어요?")


def test_the_service_chosen_after_weighing_two() -> None:
    shop = profile_from(SALON)
    call = run(shop, ["케어랑 고민했는데 젤네일로 할게요 목요일 오후 두 시에요"])
    assert call.form is not None and call.form.item == "젤 네일"


def test_who_is_calling_said_first_is_kept_for_the_message(salon: ShopProfile) -> None:
    call = offered(salon)
    call.respond("네, 메시지 남기겠습니다. 연락 부탁드립니다")
    assert call.form is None or call.form.phone is None  # no number said yet: asked for
    call = greeted(salon)
    assert "사장님" in call.respond("안녕하십니까, 임가은입니다. 연락처는 공일공 칠구일오 이이삼육 입니다. 혹시 속눈썹 연장도 하세요?")
    call.respond("네, 메시지 남기겠습니다. 속눈썹 연장도 하시는지 연락 부탁드립니다")
    assert call.form is not None and call.form.phone == "01079152236"


def test_a_dish_chosen_for_a_table_booking_is_its_item() -> None:
    shop = profile_from(SALON.replace("kind: salon", "kind: restaurant").replace(
        "  - {name: 젤 네일, price: 40000, minutes: 60, aliases: [젤네일, 젤]}\n  - {name: 케어, price: 15000, minutes: 30}",
        "  - {name: 궁중 정식, price: 80000}\n  - {name: 소담 정식, price: 40000}"))
    chosen = run(shop, ["목요일 저녁 여섯 시에 두 명이고 궁중 정식으로 하겠습니다"])
    assert chosen.form is not None and chosen.form.item == "궁중 정식"
    looked_forward = run(shop, ["목요일 저녁 여섯 시에 두 명이요 궁중 정식 먹어 보고 싶어서요"])
    assert looked_forward.form is not None and looked_forward.form.item is None


def test_the_same_time_on_another_day(salon: ShopProfile) -> None:
    # 19:30 + an hour's gel nails is past Tuesday's closing (20:00): refused, and the time asked for kept
    call = run(salon, ["오늘 저녁 일곱 시 반에 젤네일 한 명 돼요?", "그럼 금요일 같은 시간으로 해 주세요"])
    assert call.form is not None
    assert (call.form.date, call.form.spoken_time) == (dt.date(2026, 12, 4), SpokenTime(7, 30, "pm"))
    # Wednesday is closed: "the day after it" is Thursday
    call = run(salon, ["수요일 오후 세 시에 젤네일 한 명 돼요?", "그럼 그 다음 날 같은 시간으로 해 주세요"])
    assert call.form is not None
    assert (call.form.date, call.form.spoken_time) == (dt.date(2026, 12, 3), SpokenTime(3, 0, "pm"))


def test_a_quantity_taken_back_keeps_the_item(cafe: ShopProfile) -> None:
    call = run(cafe, ["라떼를 한 두 잔? 아 아니다 그냥 세 잔 주시고요, 아메리카노도 두 잔, 다섯 시쯤 갈게요",
                      "백승훈이요", "공일공 칠삼이일 구팔육사", "네 맞아요"])
    assert [(i["name"], i["qty"]) for i in call.records[0]["items"]] == [("카페라떼", 3), ("아메리카노", 2)]


def test_something_bought_elsewhere_during_a_booking_orders_nothing() -> None:
    shop = profile_from(SALON.replace("orders: {enabled: false}", "orders: {enabled: true}"))
    call = run(shop, ["목요일 오후 두 시에 젤네일 한 명 예약할게요",
                      "아 그리고 케이크를 하나 사 갈 건데 냉장고에 잠깐 맡아 주실 수 있어요?"])
    assert call.form is not None and call.form.task == "booking" and call.form.item == "젤 네일"


def test_a_booking_said_instead_of_taking_the_offer(salon: ShopProfile) -> None:
    call = offered(salon)
    call.respond("아 네 그럼 목요일 오후 두시에 젤네일 한명 되요")
    assert not call.records and call.form is not None and call.form.task == "booking"


def test_a_misheard_booking_then_a_service_and_a_day_alone(salon: ShopProfile) -> None:
    """As a recogniser writes a hurried caller: 예약 misheard, then one word a turn."""
    call = run(salon, ["여약이요", "젤네일", "목요일", "오후 두 시", "한 명", "오세린", "010 5523 8164", "네"])
    assert call.records == [
        {"type": "booking", "ref": "B1", "date": "2026-12-03", "time": "14:00", "party": 1, "name": "오세린",
         "phone": "01055238164", "item": "젤 네일"}
    ]  # fmt: skip


def test_a_day_alone_after_the_question_what_to_help_with_starts_a_booking(salon: ShopProfile) -> None:
    call = greeted(salon)
    call.respond("안녕하세요")
    assert "몇 시" in call.respond("목요일이요")


def test_a_bad_line_at_the_name_prompt_gives_no_name(salon: ShopProfile) -> None:
    call = greeted(salon)
    call.respond("목요일 오후 2시에 젤네일 예약이요")
    assert call.respond("여보세요? 여보세요? 끊겼나?") == "네, 잘 들려요. 성함이 어떻게 되세요?"
    for line in ["아 네네 들려요. 이름은 서동욱이요", "공일공 팔팔이삼 칠육일오", "네 맞아요"]:
        call.respond(line)
    assert [record["name"] for record in call.records] == ["서동욱"]


def test_yes_then_a_new_question_at_an_offer_is_the_question(salon: ShopProfile) -> None:
    call = offered(salon)
    reply = call.respond("아 네. 그럼 손톱 연장도 돼요?")  # not a yes to the owner: another question
    assert "사장님께 연결해 드릴까요" in reply and call.records == [] and not call.ended


def test_a_message_said_with_the_request_at_an_offer_is_kept(salon: ShopProfile) -> None:
    call = offered(salon)
    for line in ["그럼 원장님한테 내일 열 시쯤 간다고만 좀 전해 주세요", "공일공에 사일칠삼", "이공구팔이요", "네 맞아요"]:
        call.respond(line)
    assert [(record["type"], record["phone"]) for record in call.records] == [("message", "01041732098")]
    assert call.records[0]["text"] == "내일 열 시쯤 간다"


def test_a_service_for_the_children_on_a_day_is_a_booking_where_nothing_is_ordered(salon: ShopProfile) -> None:
    """시키다 orders food; at a salon that takes bookings and no orders, "시켜 보려고요" with a service and a day books."""
    call = run(salon, ["첫째랑 둘째 젤네일 좀 시켜 보려고요. 목요일 오후 두 시 돼요?"])
    assert call.form is not None and call.form.task == "booking" and call.form.party == 2


def test_a_question_after_no_to_anything_else_is_asked_not_a_goodbye(salon: ShopProfile) -> None:
    call = greeted(salon)
    assert "주차장" in call.respond("주차 되나요?")
    reply = call.respond("아니 다시 받기는 좀 그렇고요, 그냥 환불받고 싶은데 환불돼요?")
    assert not call.ended and "사장님" in reply


def test_twenty_thousand_won_is_no_goodbye(salon: ShopProfile) -> None:
    call = offered(salon)
    reply = call.respond("그럼 더 나간 이만 원은 돌려받을 수 있는 거죠?")
    assert not call.ended and "사장님" in reply


def test_the_owner_asked_for_outright_at_an_offer_is_handed_the_call(salon: ShopProfile) -> None:
    call = offered(salon)
    call.respond("메시지 남기고 그럴 일이 아니에요. 사장님 바꿔 주세요, 지금요")
    assert [record["type"] for record in call.records] == ["handoff"]


@pytest.mark.parametrize(
    ("shop", "said"),
    [
        ("salon", "그저께 거기서 젤네일 받았는데 오늘 보니까 벌써 들떴어요. 이거 괜찮은 거예요?"),
        ("cafe", "어제 점심에 라떼 포장해 간 사람인데요, 열두 시에 찾으러 간다고 했는데 이십 분이나 기다렸어요"),
    ],
)
def test_a_visit_or_an_order_that_is_over_starts_no_task(shop: str, said: str, request) -> None:  # noqa: ANN001
    call = greeted(request.getfixturevalue(shop))
    assert "사장님" in call.respond(said) and call.form is None


def test_a_past_visit_told_before_a_day_to_come_still_books(salon: ShopProfile) -> None:
    call = greeted(salon)
    call.respond("지난달에 한 번 갔었는데 너무 좋아서요, 이번 주 목요일 오후 두 시에 젤네일 자리 좀 잡아 주실 수 있나 해서요")
    assert call.form is not None and call.form.task == "booking"


def test_money_off_asked_for_is_not_a_price_question(cafe: ShopProfile) -> None:
    call = greeted(cafe)
    reply = call.respond("라떼가 다 식어서 왔는데 라떼값 좀 빼 주시거나 그러진 않아요?")
    assert "5,000" not in reply and "사장님" in reply


def test_a_question_about_how_orders_are_taken_is_answered(cafe: ShopProfile) -> None:
    cafe_with_last_order = profile_from(CAFE_TEXT_WITH_LAST_ORDER)
    call = greeted(cafe_with_last_order)
    assert "삼십 분 전" in call.respond("마지막 주문은 몇 시까지 받아요?") and call.form is None
    call = greeted(cafe_with_last_order)
    call.respond("주문 되나요?")  # asks to order
    assert call.form is not None and call.form.task == "order"


def test_who_the_caller_said_they_are_before_a_change_finds_the_booking(salon: ShopProfile) -> None:
    store = booked(salon)
    call = run(salon, ["목요일 두 시에 젤네일 예약한 김민수인데요, 번호는 공일공 일이삼사 오륙칠팔이에요. 그날 손님이 많아요?",
                       "아 그럼 금요일 같은 시간으로 옮겨 주세요", "네"], store)  # fmt: skip
    assert [record["type"] for record in call.records] == ["booking_change"]
    assert call.records[0]["date"] == "2026-12-04"


def test_yes_then_a_new_task_at_a_read_back_writes_and_begins_it(salon: ShopProfile) -> None:
    call = run(salon, ["사장님께 내일 전화 좀 달라고 전해 주세요", "공일공 일이삼사 오륙칠팔",
                       "네 맞아요. 그리고 예약도 할게요, 목요일 오후 두 시에 젤네일로요"])  # fmt: skip
    assert [record["type"] for record in call.records] == ["message"]
    assert call.form is not None and call.form.task == "booking" and call.form.item == "젤 네일"


def test_one_item_of_the_order_swapped_for_another(cafe: ShopProfile) -> None:
    call = run(cafe, ["아메리카노 세 잔이랑 카페라떼 한 잔 포장이요, 열한 시 반에 갈게요", "김민수요", "공일공 일이삼사 오륙칠팔"])
    call.respond("아 잠깐만요, 아메리카노 세 잔이요, 그거 셋 다 아아로 바꿔 주세요")
    assert [(m.name, m.qty) for m in call.form.items] == [("아이스 아메리카노", 3), ("카페라떼", 1)]
    call.respond("아 아이스 아메리카노 세 잔 중에 하나는 라떼로 바꿔 주세요")
    assert [(m.name, m.qty) for m in call.form.items] == [("아이스 아메리카노", 2), ("카페라떼", 2)]
    call.respond("아니요 아이스 아메리카노 세 잔이랑 라떼 한 잔으로 해 주세요")  # counts said again: no swap
    assert [(m.name, m.qty) for m in call.form.items] == [("아이스 아메리카노", 3), ("카페라떼", 1)]


def test_the_time_said_after_geureom_is_the_time(cafe: ShopProfile) -> None:
    call = run(cafe, ["토요일 밤 아홉 시에 아메리카노 두 잔 찾으러 갈게요"])
    call.respond("아 토요일은 여덟 시까지예요? 그럼 일곱 시 반에 갈게요")
    assert call.form is not None and (call.form.spoken_time.hour, call.form.spoken_time.minute) == (7, 30)


def test_what_of_a_kind_the_shop_sells_is_listed(cafe: ShopProfile) -> None:
    beans = profile_from(CAFE.replace("orders:", "  - {name: 원두 200g, price: 13000}\n  - {name: 원두 500g, price: 28000}\norders:"))
    call = greeted(beans)
    assert call.respond("원두는 뭐 있어요?").startswith("원두 200g 13,000원, 원두 500g 28,000원이 있어요.")


def test_the_usual_with_a_time_begins_an_order_and_asks_what_it_is(cafe: ShopProfile) -> None:
    call = greeted(cafe)
    assert "어떤 걸" in call.respond("사장님 저 알죠? 늘 먹던 걸로 한 시에 좀 해 주세요")
    assert call.form is not None and call.form.task == "order" and call.form.spoken_time.hour == 1


def test_a_time_said_after_geureom_is_no_question_whatever_came_before() -> None:
    longer = profile_from(SALON + "  - {q: 시간 연장 돼요?, a: 뒤에 예약이 없으면 연장해 드려요., also: [두 시간 해도 돼요]}\n")
    call = run(longer, ["토요일 저녁 일곱 시에 젤네일 돼요?"])  # Saturday closes at 18:00
    call.respond("아 토요일은 여섯 시까지구나. 그럼 오후 두 시부터 두 시간으로 해 주세요")
    assert call.form is not None and (call.form.spoken_time.hour, call.form.spoken_time.minute) == (2, 0)


def test_a_question_at_a_cancellations_read_back_cancels_nothing(salon: ShopProfile) -> None:
    store = booked(salon)
    call = run(salon, ["목요일 두 시 예약 취소하려고요, 공일공 일이삼사 오륙칠팔이요"], store)
    assert "취소해 드릴까요" in call.last_prompt
    call.respond("예약금은 돌려받을 수 있는 거죠?")
    assert call.records == [] and "취소해 드릴까요" in call.last_prompt
    call.respond("네 취소해 주세요")
    assert [record["type"] for record in call.records] == ["booking_cancel"]


def test_a_change_of_an_order_already_made_is_offered_to_the_owner(cafe: ShopProfile) -> None:
    call = greeted(cafe)
    reply = call.respond("아까 라떼 두 잔 포장 주문한 김민수인데요, 하나를 아메리카노로 바꿀 수 있을까요?")
    assert "사장님" in reply and call.form is None
    for line in ["그럼 사장님께 메시지 남겨 주세요. 라떼 하나를 아메리카노로 바꿔 달라고요", "공일공 일이삼사 오륙칠팔", "네"]:
        call.respond(line)
    assert [record["type"] for record in call.records] == ["message"]


def test_the_count_of_the_one_item_said_apart_from_it(cafe: ShopProfile) -> None:
    call = greeted(cafe)
    call.respond("카페라떼 오늘 돼요? 되면 세 잔만 빼 놔 주세요")
    assert call.form is not None and [(m.name, m.qty) for m in call.form.items] == [("카페라떼", 3)]


def test_one_more_booking_on_the_same_day_and_the_change_of_the_one_meant(salon: ShopProfile) -> None:
    two_at_once = profile_from(SALON.replace("capacity: 1", "capacity: 2"))
    store = MemoryStore()
    run(two_at_once, ["목요일 오후 2시에 젤네일 한 명 예약이요", "김민수요", "공일공 일이삼사 오륙칠팔", "네",
                      "아 그리고 같은 날 세 시에 케어도 하나 더 잡아 주세요", "김민수요", "공일공 일이삼사 오륙칠팔", "네"],
        store)  # fmt: skip
    assert [(b.item, b.start.strftime("%d %H:%M")) for b in store.active_bookings()] == [
        ("젤 네일", "03 14:00"), ("케어", "03 15:00")]  # fmt: skip
    call = run(two_at_once, ["목요일에 두 개 예약한 김민수인데요, 번호는 공일공 일이삼사 오륙칠팔이에요. 세 시에 케어로 잡은 거요,"
                             " 네 시로 바꿔 주세요. 두 시 거는 그대로 두고요", "네"], store)  # fmt: skip
    assert [(r["type"], r["ref"], r.get("time")) for r in call.records] == [("booking_change", "B2", "16:00")]


def test_that_time_after_asking_for_the_earliest_is_the_first_offered(salon: ShopProfile) -> None:
    call = run(salon, ["목요일에 젤네일 제일 빠른 시간이 몇 시예요?"])
    assert call.expecting == "proposal"
    first = call.form.proposals[0]
    call.respond("네 그 시간으로 해 주세요")
    assert call.form.date == first.date() and (call.form.spoken_time.hour % 12, call.form.spoken_time.minute) == (
        first.hour % 12, first.minute)  # fmt: skip


def test_an_item_named_by_a_holiday_names_no_day() -> None:
    wreath = profile_from(SALON.replace("  - {name: 케어, price: 15000, minutes: 30}",
                                        "  - {name: 케어, price: 15000, minutes: 30}\n"
                                        "  - {name: 크리스마스 네일, price: 50000, minutes: 60}"))  # fmt: skip
    call = run(wreath, ["크리스마스 네일 받으려고요. 다음 주 목요일 오후 네 시요"])
    assert call.form is not None and call.form.date == dt.date(2026, 12, 10)


def test_a_service_booked_for_one_when_the_party_question_is_answered_with_a_name() -> None:
    three = profile_from(SALON.replace("max_party: 2", "max_party: 3").replace("kind: salon", "kind: other"))
    call = run(three, ["목요일 오후 2시에 젤네일 예약할게요"])
    assert call.expecting == "party"
    call.respond("김민수요")  # "몇 분이세요?" makes no sense to someone booking a dog's bath
    call.respond("공일공 일이삼사 오륙칠팔")
    assert "한 분" in call.last_prompt and "맞으세요" in call.last_prompt  # said back, to be corrected
    call.respond("네")
    assert [(r["type"], r["party"]) for r in call.records] == [("booking", 1)]
    # after too many were refused, the count is what is missing: a name does not make it one
    call = run(three, ["목요일 오후 2시에 젤네일 다섯 명 예약할게요", "김민수요"])
    assert call.form is not None and call.form.party is None and call.expecting == "party"


def test_a_plain_yes_is_no_question_though_its_verb_is_a_faqs() -> None:
    vaccine = profile_from(SALON.replace("max_party: 2", "max_party: 3")
                           + "  - {q: 예방접종 해야 돼요?, a: 접종을 다 마친 아이만 받아요., also: [주사 다 맞아야 돼요]}\n")
    call = run(vaccine, ["목요일 오후 2시에 젤네일 예약할게요"])
    assert "접종" not in call.respond("네 맞아요")


def test_right_away_is_the_earliest_time_unless_a_time_is_said(salon: ShopProfile, cafe: ShopProfile) -> None:
    call = greeted(salon)
    call.respond("지금 바로 두 명 가서 젤네일 받을 수 있어요?")  # opens at 10:00, 60 minutes' notice
    assert call.form is not None and call.form.task == "booking" and call.form.date == NOW.date()
    assert (call.form.spoken_time.hour, call.form.spoken_time.minute) == (11, 0)
    call = greeted(cafe)
    call.respond("아메리카노 두 잔 포장이요, 한 시에 바로 갈게요")
    assert call.form is not None and call.form.spoken_time.hour % 12 == 1


def test_a_yes_and_fine_after_anything_else_ends_the_call(salon: ShopProfile) -> None:
    call = greeted(salon)
    assert "주차장" in call.respond("주차 되나요?")
    call.respond("아 네 괜찮아요, 그냥 가 볼게요")  # "괜찮아요" after 네 declines: it asks nothing
    assert call.ended and call.records == []
    call = greeted(salon)
    call.respond("애기 데려가도 괜찮아요?")
    assert not call.ended


def test_open_now_is_the_hours_though_a_holiday_question_has_its_words() -> None:
    holiday = profile_from(SALON + "  - {q: 새해 첫날에도 문 열어요?, a: 1월 1일은 낮 열두 시에 열어요.}\n")
    assert "1월 1일" not in greeted(holiday).respond("여보세요 지금 가게 문 열었어요? 이따 가려고요")
    assert "1월 1일" in greeted(holiday).respond("새해 첫날에도 문 열어요?")


def test_ok_and_coming_now_to_the_owners_offer_is_goodbye(salon: ShopProfile) -> None:
    call = offered(salon)
    call.respond("네 알겠습니다, 지금 갈게요")
    assert call.ended and call.records == []  # not a hand-off: the caller is on the way


def test_the_time_said_beside_a_limit_is_the_time() -> None:
    early = profile_from(SALON + "  - {q: 출근 전에 받을 수 있어요?, a: 아침 일찍 출근 전 손님도 받아요.}\n")
    call = run(early, ["목요일 오후 2시에 젤네일 예약할게요"])
    reply = call.respond("아 그럼 다섯 시로 해 주세요, 일곱 시까지 출근이라 괜찮아요")  # an evening shift
    assert "출근 전" not in reply and call.form is not None and call.form.spoken_time.hour % 12 == 5


def test_one_more_for_one_person_named_by_who_they_are() -> None:
    shop = profile_from(SALON.replace("max_party: 2", "max_party: 4").replace("capacity: 1", "capacity: 2"))
    call = run(shop, ["목요일 오후 2시에 젤네일 한 명 예약이요", "김민지요", "공일공 일이삼사 오륙칠팔", "네"])
    call.respond("아 그리고 남편도 같은 시간에 케어 하나 추가해 주세요. 남편은 이준호고 번호는 똑같아요")
    assert call.form is not None and call.form.party == 1 and call.form.name == "이준호"


def test_a_correction_that_changes_nothing_said_back_asks_what_to_change(cafe: ShopProfile) -> None:
    pots = profile_from(CAFE.replace("  - {name: 아메리카노, price: 4000}",
                                     "  - {name: 아메리카노, price: 4000}\n"
                                     "  - {name: 금전수, price: 30000, aliases: [돈나무]}\n"
                                     "  - {name: 토분 대, price: 22000, aliases: [큰 토분, 토분 큰 거]}\n"
                                     "  - {name: 토분 중, price: 12000, aliases: [중간 토분, 토분 중간 거]}"))  # fmt: skip
    call = run(pots, ["돈나무 두 개랑 큰 토분 두 개 오늘 오후 네 시에 찾으러 갈게요", "이도현이요", "010-3905-7724"])
    assert "맞으세요" in call.last_prompt
    reply = call.respond("아 잠깐만요, 토분은 큰 거 말고 중간 거 두 개로 해 주세요")
    assert "맞으세요" not in reply and "바꿀" in reply  # never the same read-back, where a "네" would write it
    call.respond("네 맞아요")
    assert call.records == []


def test_the_new_day_of_a_change_after_the_reason_for_it(salon: ShopProfile) -> None:
    store = booked(salon)
    call = run(salon, ["예약 변경 좀 하려고요 목요일 두 시에 젤네일 예약한 김민수고요 번호는 공일공 일이삼사 오륙칠팔이에요 "
                       "목요일에 일이 생겨서 금요일 같은 시간으로 옮길 수 있을까요"], store)  # fmt: skip
    assert "12월 4일 금요일" in call.last_prompt
    call.respond("네")
    assert [(r["type"], r.get("date")) for r in call.records] == [("booking_change", "2026-12-04")]


def test_driving_home_leaves_no_message_and_right_away_orders(cafe: ShopProfile) -> None:
    assert not intents.wants_message("끝나고 제가 직접 운전해서 집에 가도 되나요")
    assert intents.wants_message("사장님께 전해 주세요")
    call = greeted(cafe)
    call.respond("아메리카노 하나 사려는데요, 지금 바로 갈게요. 한 십 분이면 가요")
    assert call.form is not None and call.form.task == "order"


def test_a_size_swapped_keeps_the_rest_of_the_order_and_looking_up_asks_nothing() -> None:
    sizes = profile_from(CAFE.replace("  - {name: 아메리카노, price: 4000}",
                                      "  - {name: 아메리카노, price: 4000}\n"
                                      "  - {name: 수육 대, price: 45000, aliases: [수육 큰 거, 큰 수육]}\n"
                                      "  - {name: 수육 소, price: 30000, aliases: [수육 작은 거, 작은 수육]}"))  # fmt: skip
    call = greeted(sizes)
    call.respond("포장 주문 좀 할게요 잠깐만요 적어 놓은 게 있어서")
    assert "주소" not in call.respond("어디 보자... 수육 큰 거 하나랑요")  # looking it up, not asking where
    call.respond("어... 카페라떼 두 잔이요")
    call.respond("아 잠깐만요, 수육은 작은 걸로 바꿔 주세요")
    assert call.form is not None and [(m.name, m.qty) for m in call.form.items] == [("수육 소", 1), ("카페라떼", 2)]
