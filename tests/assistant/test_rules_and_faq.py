"""Booking rules with nearest free times, and FAQ retrieval with its floor."""

from __future__ import annotations

import datetime as dt

import pytest

from moksori.assistant.faq import FaqIndex, features
from moksori.assistant.profile import ShopProfile
from moksori.assistant.rules import check_booking, check_opening, nearest_free
from moksori.assistant.store import Booking

from .conftest import NOW, SALON

SEOUL = NOW.tzinfo


def at(day: str, clock: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("start", "party", "code"),
    [
        (at("2026-12-03", "14:00"), 1, None),
        (at("2026-12-02", "14:00"), 1, "closed"),  # Wednesday
        (at("2026-12-25", "14:00"), 1, "closed"),  # a closed date
        (at("2026-12-03", "09:30"), 1, "before_open"),
        (at("2026-12-03", "19:30"), 1, "after_close"),  # a 60-minute service from 19:30 ends after 20:00
        (at("2026-12-01", "10:30"), 1, "notice"),  # 60 minutes' notice
        (at("2026-12-01", "09:00"), 1, "past"),
        (at("2027-01-05", "14:00"), 1, "too_far"),  # 30 days ahead
        (at("2026-12-03", "14:00"), 3, "party"),
    ],
)
def test_rules(salon: ShopProfile, start: dt.datetime, party: int, code: str | None) -> None:
    problem = check_booking(salon, [], start, party, 60, NOW)
    assert (problem.code if problem else None) == code


def test_capacity_per_slot_counts_overlapping_bookings(salon: ShopProfile) -> None:
    taken = [Booking("B1", at("2026-12-03", "13:30"), 60, 1, "김민수", "01012345678")]
    assert check_booking(salon, taken, at("2026-12-03", "14:00"), 1, 60, NOW).code == "full"
    assert check_booking(salon, taken, at("2026-12-03", "14:30"), 1, 60, NOW) is None
    cancelled = [Booking("B1", at("2026-12-03", "13:30"), 60, 1, "김민수", "01012345678", cancelled=True)]
    assert check_booking(salon, cancelled, at("2026-12-03", "14:00"), 1, 60, NOW) is None
    assert check_booking(salon, taken, at("2026-12-03", "14:00"), 1, 60, NOW, ignore_ref="B1") is None


def test_nearest_free_times(salon: ShopProfile) -> None:
    taken = [Booking("B1", at("2026-12-03", "14:00"), 60, 1, "김민수", "01012345678")]
    assert nearest_free(salon, taken, at("2026-12-03", "14:00"), 1, 60, NOW) == [
        at("2026-12-03", "13:00"),
        at("2026-12-03", "15:00"),
    ]
    # a closed day: the next open day, nearest to the asked time of day
    assert nearest_free(salon, [], at("2026-12-02", "14:00"), 1, 60, NOW)[0].date() == dt.date(2026, 12, 3)
    assert nearest_free(salon, [], at("2026-12-03", "14:00"), 3, 60, NOW) == []


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("주차 되나요?", "건물 지하 주차장"),
        ("차 가져가도 돼요?", "건물 지하 주차장"),
        ("주차장 있나요", "건물 지하 주차장"),
        ("혹시 카드 결제 돼요?", "카드와 계좌이체"),
        ("계좌이체 되죠?", "카드와 계좌이체"),
    ],
)
def test_faq_answers_paraphrases(salon: ShopProfile, question: str, answer: str) -> None:
    match = FaqIndex(salon.faq).match(question)
    assert match.faq is not None and answer in match.faq.a


@pytest.mark.parametrize(
    "question",
    ["강아지 데려가도 돼요?", "화장실 어디 있어요?", "오늘 날씨 어때요?", "사장님 결혼하셨어요?", "쿠폰 적립 되나요?", "네"],
)
def test_faq_floor_refuses_to_guess(salon: ShopProfile, question: str) -> None:
    assert not FaqIndex(salon.faq).match(question).answered


def test_compound_nouns_meet_whichever_way_they_are_split(cafe: ShopProfile) -> None:
    assert FaqIndex(cafe.faq).match("디카페인 돼요?").answered
    assert FaqIndex(cafe.faq).match("카페인 없는 커피 있나요").answered


def test_synonyms_of_shop_vocabulary(salon: ShopProfile) -> None:
    index = FaqIndex(salon.faq)
    assert index.match("차 가지고 가도 되나요?").answered  # 가지고 가다 ≈ 가져가다, 차 ≈ 주차
    assert index.match("신용카드로 계산돼요?").faq.a.startswith("네, 카드")
    assert not index.match("고양이 데려가도 돼요?").answered


def test_a_question_with_many_paraphrases_still_answers_its_one_word() -> None:
    """A one-word question ("주차 돼요?") meets an FAQ fully however many paraphrases the owner wrote for it
    (documents are term sets, not length-penalised), and a sibling word is not enough for another FAQ."""
    from moksori.assistant.profile import Faq

    faqs = (
        Faq(q="주차 되나요?", a="P", also=("차 가져가도 돼요", "주차장 있어요", "주차 공간 있나요", "발렛 돼요")),
        Faq(q="반반 되나요?", a="H", also=("두 가지 맛 섞어서", "하프 앤 하프")),
        Faq(q="배달 되나요?", a="D"),
    )
    index = FaqIndex(faqs)
    for question, answer in (("주차 돼요?", "P"), ("반반 돼요?", "H"), ("가게 앞에 차 대도 돼요?", "P"), ("배달도 해요?", "D")):
        match = index.match(question)
        assert match.faq is not None and match.faq.a == answer, question
    assert not index.match("포장 용기 돼요?").answered


@pytest.mark.parametrize(
    "question",
    [
        "앞에 차 좀 빼 주실 수 있어요?",  # 차 is parking's word, but the verb asks for something else
        "카드 두고 왔는데 거기 있어요?",  # a lost card, not payment
        "카드 포인트 적립 돼요?",
        "주차 등록은 어디서 해요?",
        "주차비 얼마예요?",  # a price the profile does not list: not the menu either
    ],
)
def test_one_shared_word_is_not_enough(salon: ShopProfile, question: str) -> None:
    """Every content word the caller says must be in the matched question, so one shared noun (or its synonym)
    no longer reaches an answer."""
    from moksori.assistant.dialogue import Call
    from moksori.assistant.store import MemoryStore

    assert not FaqIndex.for_shop(salon).match(question).answered
    call = Call(salon, MemoryStore(), NOW)
    call.greeting()
    reply = call.respond(question)
    assert "주차장" not in reply and "계좌이체" not in reply and "4만 원" not in reply
    assert "메시지" in reply or "사장님" in reply


def test_items_and_days_around_a_question_neither_help_nor_hurt() -> None:
    """The shop's item words and days are neutral ("젤 네일 하면 얼마나 걸려요?"), unless the question names
    items itself: then the caller's item must be one of them ("아이 파마도 해요?" is not "아이 머리도 잘라요?")."""
    from moksori.assistant.profile import Faq, Item

    faqs = (
        Faq(q="시술 시간이 얼마나 걸려요?", a="T"),
        Faq(q="아이 머리도 잘라요?", a="K"),
        Faq(q="주차 되나요?", a="P"),
    )
    items = [Item(name="젤 네일", price=40000), Item(name="커트", price=18000, aliases=("머리 자르기",)),
             Item(name="펌", price=70000, aliases=("파마",))]
    index = FaqIndex(faqs, [word for item in items for word in (item.name, *item.aliases)])
    for question, answer in (("젤 네일 하면 얼마나 걸려요?", "T"), ("토요일에도 주차 돼요?", "P"),
                             ("애기 머리도 잘라 주세요?", "K")):
        match = index.match(question)
        assert match.faq is not None and match.faq.a == answer, question
    assert not index.match("아이 파마도 해요?").answered
    assert not index.match("남자 머리도 잘라요?").answered
    assert not FaqIndex(faqs).match("젤 네일 하면 얼마나 걸려요?").answered  # without the items, 젤 네일 is unknown


def test_a_counter_is_not_a_verb_of_taking_along() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="반반 되나요?", a="H", also=("두 가지 맛 섞어서",)), Faq(q="강아지 데려가도 돼요?", a="D")))
    assert index.match("강아지랑 같이 가도 되나요?").faq.a == "D"  # 같이 가다 ≈ 데려가다
    assert "≡동반" not in features("반반 말고 세 가지 맛도 돼요?")[1]


def test_the_owners_answer_covers_what_it_names_but_never_scores() -> None:
    """A word of the owner's answer counts as met ("난시용 렌즈도 있나요?" is answered by "… 난시용 모두 있어요"),
    but a question must still share words with the owner's questions: "일회용 컵 있어요?" is not answered."""
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="콘택트렌즈 팔아요?", a="콘택트렌즈는 일회용이랑 난시용 모두 있어요.", also=("렌즈 있어요",)),
                      Faq(q="주차 되나요?", a="P")))
    assert index.match("난시용 렌즈도 있나요?").answered
    assert not index.match("하드 렌즈 있어요?").answered
    assert not index.match("일회용 컵 있어요?").answered


def test_a_reaction_before_the_question_does_not_hide_it() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="배달 되나요?", a="D"), Faq(q="주차 되나요?", a="P")))
    assert index.match("아 좋네요 혹시 배달도 되나요?").faq.a == "D"


def test_things_taken_along_are_not_pets_or_children_taken_along() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="강아지 데려가도 돼요?", a="D"), Faq(q="와인 가져가도 돼요?", a="W")))
    assert not index.match("케이크 가져가도 돼요?").answered  # a cake is neither a dog nor wine
    assert index.match("애완견 데려가도 돼요?").faq.a == "D"
    assert index.match("소주 가져가도 되나요?").faq.a == "W"


def test_irregular_verbs_count_as_content_words() -> None:
    """kiwipiepy tags irregular stems VA-I (쉽다): "차 없이 가기 쉬워요?" asks how easy it is to come without a
    car, not about parking."""
    from moksori.assistant.profile import Faq

    assert "쉽" in features("차 없이 가기 쉬워요?")[1]
    assert not FaqIndex((Faq(q="주차 되나요?", a="P"), Faq(q="배달 돼요?", a="D"))).match("차 없이 가기 쉬워요?").answered


def test_a_longer_compound_needs_most_of_its_syllable_pairs() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="예약은 며칠 전에 해야 돼요?", a="R"), Faq(q="점심 시간 몇 시예요?", a="L")))
    assert not index.match("예약금 있어요?").answered  # a deposit, not when to book
    assert index.match("점심시간 언제예요?").faq.a == "L"


def test_a_noun_the_question_lacks_refuses_it_unless_two_other_words_name_it() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="와이파이 되나요?", a="W", also=("와이파이 비밀번호",)),
                      Faq(q="시술 시간이 얼마나 걸려요?", a="T"),
                      Faq(q="대형견도 돼요?", a="B", also=("대형견 미용 가능해요",)),
                      Faq(q="주차 되나요?", a="P")))
    assert not index.match("화장실 비밀번호 뭐예요?").answered  # the toilet's code, not the Wi-Fi's
    assert not index.match("포장하면 시간 얼마나 걸려요?").answered
    assert index.match("대형견인데 미용 받을 수 있어요? 리트리버요").faq.a == "B"  # a breed named besides


def test_a_question_with_a_reason_after_it_is_answered_by_its_question() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="아기 의자 있어요?", a="C"), Faq(q="주차 되나요?", a="P")))
    assert index.match("거기 아기 의자 있어요 돌 지난 애기랑 같이 갈 거라서요").faq.a == "C"


def test_two_questions_in_one_turn_are_answered_only_when_both_are() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="운동복 빌려 주나요?", a="W"), Faq(q="락커 있어요?", a="L"),
                      Faq(q="쌀 가져가면 떡 해 줘요?", a="R", also=("방앗간 삯 얼마예요",))))
    assert [faq.a for faq in index.answers("운동복 대여 돼요 그리고 사물함도 있어요")] == ["W", "L"]
    # half an answer is a wrong answer: the second question is about pressing oil
    assert index.answers("거기 방앗간도 하지요 참기름도 짜 주고 그라는교") == []
    assert not index.match("거기 방앗간도 하지요 참기름도 짜 주고 그라는교").answered


def test_a_request_is_not_a_question_sentence() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="떡은 며칠 전에 주문해요?", a="D", also=("쌀 한 말",)),))
    assert not index.match("아 잠깐만요 금요일 말고 목요일로 해주세요").answered


@pytest.mark.parametrize(
    ("question", "answered"),
    [
        ("애들 불소 도포는 몇 달마다 받으면 돼요?", False),  # the answer gives no interval
        ("애들 불소 도포도 해 줘요?", True),
        ("포장 용기값은 따로 받으세요?", False),  # the answer gives no price
        ("포장 용기는 어떤 거예요?", True),
    ],
)
def test_a_number_or_a_price_asked_needs_an_answer_that_gives_one(question: str, answered: bool) -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="애들 불소 도포 해 줘요?", a="어린이 불소 도포도 해 드려요."),
                      Faq(q="포장 용기 어떤 거예요?", a="국물은 밀폐 용기에 따로 담아 드려요.")))
    assert index.match(question).answered is answered


@pytest.mark.parametrize(
    ("question", "owner_words"),
    [
        ("씻을 수 있어요?", "샤워실 있어요?"),
        ("멈출 수 있어요?", "회원권 정지 돼요?"),
        ("수입산이에요?", "닭 원산지 어디예요?"),
        ("24시간 하는 헬스장이에요?", "24시간 해요?"),  # what the caller calls the shop says nothing
    ],
)
def test_general_shop_vocabulary_meets_the_owners_words(question: str, owner_words: str) -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q=owner_words, a="A"), Faq(q="주차 되나요?", a="P")))
    assert index.match(question).faq.a == "A"


def test_a_sentence_with_no_noun_is_not_matched_on_its_own() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="바람만 넣어도 돼요?", a="바람은 무료로 넣어 드려요. 언제든 오시면 봐 드려요."),))
    assert not index.match("제 건 카본 로드 자전거라 아무 데나 못 맡기겠더라고요 그런 것도 봐 주세요?").answered


def test_buying_what_the_answer_says_to_bring_is_not_answered() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="뭐 챙겨 가요?", a="운동복이랑 미끄럼 방지 양말만 챙겨 오시면 돼요.",
                          also=("양말 신어야 돼요",)),))
    assert not index.match("미끄럼 방지 양말은 거기서도 팔아요?").answered
    assert index.match("미끄럼 방지 양말 챙겨 가요?").answered


def test_auxiliary_verbs_of_manner_are_not_what_is_asked() -> None:
    """받아 보다, 맡겨 두다, 사 놓다 say how, not what; 나다 in "뽑고 나서" (after) still counts."""
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="자전거 맡겨도 돼요?", a="K"), Faq(q="택배 돼요?", a="T"),
                      Faq(q="이 뽑고 나서 언제 먹어요?", a="A"), Faq(q="발치 전에 밥 먹어도 돼요?", a="B")))
    assert index.match("자전거 맡겨 둘 수 있어요?").faq.a == "K"
    assert index.match("택배로 받아 볼 수 있어요?").faq.a == "T"
    assert index.match("이 뽑고 나서는 언제 먹어요?").faq.a == "A"


def test_words_of_how_long_and_how_soon_around_a_question_are_generic() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="회원권 정지 돼요?", a="H"), Faq(q="고기 더 익혀 줄 수 있어요?", a="M"),
                      Faq(q="주차 되나요?", a="P")))
    assert index.match("한 달 동안 회원권 정지 돼요?").faq.a == "H"
    assert index.match("잠깐 주차 돼요?").faq.a == "P"
    # 더 ("one more") names nothing: a party growing is no question about the meat
    assert not index.match("아 잠깐만요 한 명 더 올 것 같아요").answered


def test_what_follows_instead_is_what_is_asked() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="당일 주문 돼요?", a="D", also=("오늘 말고 내일 찾아도 돼요",)), Faq(q="주차 되나요?", a="P")))
    assert not index.match("아 잠깐만요 금요일 말고 목요일로 해주세요").answered
    assert index.match("배달 말고 주차 돼요?").faq.a == "P"


def test_a_count_said_must_be_the_questions_own() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="반반 되나요?", a="H", also=("두 가지 맛 섞어서",)), Faq(q="주차 되나요?", a="P")))
    assert not index.match("세 가지 맛도 돼요?").answered
    assert index.match("두 가지 맛 섞어서 돼요?").faq.a == "H"


def test_a_size_word_of_an_item_is_no_item_and_its_synonym_group_still_counts() -> None:
    """대 in "족발 대" is a size (and 대 stands for parking among the synonyms): it does not make the shop's items
    count in a question about how many people a size feeds."""
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="중자는 몇 명이 먹어요?", a="중자는 두세 분이 드세요.", also=("중이랑 대 차이가 뭐예요",)),
                      Faq(q="주차 되나요?", a="P")), ["족발 중", "족발 대"])
    assert index.match("거기 족발 중자면 몇 명 먹어요").faq.q == "중자는 몇 명이 먹어요?"


def test_things_had_along_are_things_taken_along() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="휴대폰 가지고 들어가도 돼요?", a="L"), Faq(q="주차 되나요?", a="P")))
    assert index.match("폰은 갖고 들어가도 돼요").faq.a == "L"


def test_frames_of_a_question_and_days_of_this_week_name_nothing() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="신분증 검사해요?", a="I"), Faq(q="집에 피아노 없어도 돼요?", a="N"),
                      Faq(q="주차 되나요?", a="P")))
    assert index.match("민증 검사 같은 것도 하세요?").faq.a == "I"
    assert index.match("집에 피아노가 없는데 괜찮은지 잘 모르겠어요").faq.a == "N"
    assert index.match("이번 주에 주차 돼요?").faq.a == "P"


def test_hours_past_midnight_are_said_and_kept_but_not_booked_after_midnight() -> None:
    """A pub open 18:00-02:00: booked until midnight; after it the night meant is not sure, so nothing is
    written (a day wrong would be a wrong booking)."""
    from moksori.assistant.phrases import say_day_hours
    from moksori.assistant.slots import SpokenTime, resolve_time

    from .conftest import profile_from

    pub = profile_from(SALON.replace('fri: "10:00-21:00"', 'fri: "18:00-02:00"'))
    assert pub.hours["fri"].closes == 26 * 60
    friday = dt.datetime(2026, 12, 4, tzinfo=SEOUL)
    assert check_opening(pub, friday.replace(hour=23), 60, NOW, 60) is None
    assert check_opening(pub, friday.replace(day=5, hour=1), 60, NOW, 60).code == "after_midnight"
    assert "새벽 2시까지" in say_day_hours(pub, friday.date(), NOW.date())
    assert resolve_time(SpokenTime(1, 0, None), [(18 * 60, 26 * 60)]) == dt.time(1, 0)


def test_too_short_notice_for_a_pick_up_says_order(cafe: ShopProfile) -> None:
    soon = NOW + dt.timedelta(minutes=5)
    problem = check_opening(cafe, soon, 0, NOW, 20, "주문")
    assert problem is not None and problem.reason == "적어도 20분 전에는 주문해 주셔야 해요"


def test_the_clause_that_asks_after_a_story() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="선물세트에 뭐 들어가요?", a="S", also=("선물세트 구성", "과일 바구니 뭐 들어가요")),
                      Faq(q="아이 데려가도 돼요?", a="K"),
                      Faq(q="주차 되나요?", a="P")), ["과일 선물세트"])
    said = "받으시는 댁 아이가 복숭아 알레르기가 있어서 그런데, 과일 선물세트에는 어떤 과일이 들어가나요?"
    assert index.match(said).faq.a == "S"
    # the clause that asks names nothing of its own, or points back to the story: the story is asked about
    assert not index.match("강아지를 키우는데, 데려가도 되나요?").answered
    assert not index.match("저희 애가 강아지 알레르기가 있는데요, 그런 애도 데려가도 되나요?").answered


def test_money_given_back_is_a_refund() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="환불 돼요?", a="R", also=("예약금 환불",)), Faq(q="주차 되나요?", a="P")))
    assert index.match("예약금 돌려받을 수 있어요?").faq.a == "R"


def test_a_question_written_in_generic_words_is_answered_as_written() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="예약 안 하고 가도 돼요?", a="W", also=("바로 가도 돼요", "그냥 가도 돼요")),
                      Faq(q="주차 되나요?", a="P")))  # fmt: skip
    assert index.match("지금 바로 가도 돼요? 배터리가 반나절도 못 가서요").faq.a == "W"
    assert index.match("혹시 그냥 가도 되요").faq.a == "W"
    assert not index.match("지금 가도 돼요?").answered  # not what the owner wrote
    assert not index.match("바로 가도 돼요? 강아지도 데려가도 돼요?").answered  # one of two questions unanswered


def test_a_noun_said_as_a_word_beats_the_same_syllables_inside_a_compound() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="학생 할인 있어요?", a="중고등학생은 커트가 이만 원이에요.", also=("학생은 얼마예요", "고등학생 할인")),
                      Faq(q="아이도 깎아 줘요?", a="아이 커트는 만 오천 원이에요.", also=("초등학생 커트", "애들도 깎아 줘요")),
                      Faq(q="주차 되나요?", a="P"), Faq(q="카드 돼요?", a="C"), Faq(q="면도도 해요?", a="S")),
                     ["커트"])  # fmt: skip
    assert index.match("학생은 커트 얼마예요?").faq.q == "학생 할인 있어요?"
    assert index.match("초등학생 커트 얼마예요?").faq.q == "아이도 깎아 줘요?"


def test_a_verb_several_questions_share_equally_answers_none() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="비 와도 쳐요?", a="R"), Faq(q="처음 치는데 배울 수 있어요?", a="L"),
                      Faq(q="한 코트에 몇 명 쳐요?", a="C"), Faq(q="주차 되나요?", a="P"), Faq(q="카드 돼요?", a="K"),
                      Faq(q="샤워실 있어요?", a="S"), Faq(q="라켓 빌려줘요?", a="B"), Faq(q="신발 아무거나 신어도 돼요?", a="N"),
                      Faq(q="취소하면 환불돼요?", a="M")))  # fmt: skip
    assert not index.match("그래도 칠 수 있어요?").answered  # only 치다: which of three?
    assert index.match("비 와도 칠 수 있어요?").faq.a == "R"


def test_a_count_the_owners_own_question_asks_for_is_answered_by_the_owners_answer() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="마지막 주문 몇 시까지 받아요?", a="문 닫기 삼십 분 전까지 받아요.", also=("라스트 오더 언제예요",)),
                      Faq(q="애들 불소 도포 해요?", a="어린이도 불소 도포를 해 드려요."),
                      Faq(q="주차 되나요?", a="P"), Faq(q="카드 돼요?", a="C")))  # fmt: skip
    assert index.match("마지막 주문은 몇 시까지 받아요?").faq.q == "마지막 주문 몇 시까지 받아요?"
    assert not index.match("애들 불소 도포는 몇 달마다 해요?").answered  # the owner answered whether, not how often


def test_the_clause_after_a_when_clause_is_what_is_asked() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="신분증 필요해요?", a="찾으러 오실 때 신분증을 꼭 가져오셔야 해요.", also=("신분증 가져가야 돼요",)),
                      Faq(q="대량 주문 돼요?", a="B", also=("회사 선물 주문",)),
                      Faq(q="주차 되나요?", a="P"), Faq(q="카드 돼요?", a="C")))  # fmt: skip
    assert index.match("주문한 거 찾으러 갈 때 신분증 가져가야 돼요?").faq.q == "신분증 필요해요?"


def test_the_word_for_what_the_shop_sells_is_no_topic() -> None:
    from moksori.assistant.profile import Faq

    faqs = (Faq(q="차갑게 해 줘요?", a="화이트는 찾으러 오시는 시간에 맞춰 차갑게 해 두어요.", also=("칠링 돼요",)),
            Faq(q="딴 와인 며칠 가요?", a="W"), Faq(q="주차 되나요?", a="P"), Faq(q="카드 돼요?", a="C"))  # fmt: skip
    wines = ["하우스 레드 와인", "레드 와인", "하우스 화이트 와인", "화이트 와인", "화이트", "스파클링 와인", "와인 선물 세트"]
    assert FaqIndex(faqs, wines).match("화이트 와인은 차갑게 해 둘 수 있어요?").faq.a.startswith("화이트는")
    # 와인 in one item name only is a word like any other: the chilling question does not have it
    assert not FaqIndex(faqs, ["화이트 와인", "화이트"]).match("화이트 와인은 차갑게 해 둘 수 있어요?").answered


def test_a_clause_names_its_topic_by_a_synonym_groups_verb() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="주차 되나요?", a="P", also=("차 댈 데 있어요",)), Faq(q="카드 돼요?", a="C"),
                      Faq(q="아이 데려가도 돼요?", a="K"), Faq(q="포장 돼요?", a="T")))  # fmt: skip
    assert index.match("아버지가 차를 가지고 가실 것 같은데, 가게 근처에 세워 둘 곳이 있을까요?").faq.a == "P"
    assert not index.match("강아지를 키우는데, 데려가도 되나요?").answered  # 데려가다 names no topic of its own


def test_words_of_degree_and_driving_there_say_nothing_about_the_question() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="고수 빼 줄 수 있어요?", a="H", also=("고수 못 먹어요",)),
                      Faq(q="주차 되나요?", a="P", also=("차 가져가도 돼요",)), Faq(q="카드 돼요?", a="C"),
                      Faq(q="포장 돼요?", a="T")))  # fmt: skip
    assert index.match("제가 고수를 전혀 못 먹는데 고수 안 넣고 해 주실 수 있어요").faq.a == "H"
    assert index.match("거기 차 끌고 가면 세워 둘 데 있나요").faq.a == "P"


def test_what_is_asked_after_a_go_naseo_clause_and_a_question_told_with_its_reason() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="시술 후 세수 언제부터 해요?", a="W"), Faq(q="오래 걸려요?", a="L"),
                      Faq(q="점 다시 나면 어떻게 해요?", a="R"), Faq(q="주차 되나요?", a="P"),
                      Faq(q="카드 돼요?", a="C")))  # fmt: skip
    # (as the dialogue hears a turn: punctuation gone)
    assert index.match("점 빼는 거 때문에 궁금한 게 있어서요 빼고 나면 세수는 언제부터 해도 돼요").faq.a == "W"
    assert index.match("이거 오래 걸리나요 제가 좀 급해서요").faq.a == "L"
    # a sentence with no noun still leans on a noun said beside it that its match does not cover
    assert not index.match("강아지 미용도 같이 하려고요 오래 걸리나요").answered


def test_staying_until_late_is_not_coming_late() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="늦게 가면 시간 어떻게 돼요?", a="L", also=("늦으면 시간 깎여요",)),
                      Faq(q="학생도 가도 돼요?", a="S", also=("고등학생 돼요",)), Faq(q="주차 되나요?", a="P"),
                      Faq(q="카드 돼요?", a="C")))  # fmt: skip
    assert not index.match("밤늦게까지 있어도 되나요").answered
    assert index.match("예약 시간보다 늦으면 시간 깎여요").faq.a == "L"
    late_night = FaqIndex((Faq(q="심야 약국 있어요?", a="N", also=("늦게까지 하는 약국",)), Faq(q="주차 되나요?", a="P"),
                           Faq(q="카드 돼요?", a="C")))  # fmt: skip
    assert late_night.match("그럼 밤늦게 여는 데는 없어요").faq.a == "N"


def test_the_earliest_start_gives_the_notice_on_the_booking_grid(salon: ShopProfile) -> None:
    from moksori.assistant.rules import earliest_start

    assert earliest_start(salon, NOW) == at("2026-12-01", "11:00")  # 60 minutes' notice from 10:00
    assert earliest_start(salon, at("2026-12-01", "10:07")) == at("2026-12-01", "11:30")


def test_becoming_late_and_words_of_if_and_usually_name_no_question() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="반납 늦으면 어떻게 돼요?", a="L", also=("늦으면 돈 더 내요",)),
                      Faq(q="몇 번 받아야 돼요?", a="N", also=("몇 번이나 받아야 좋아져요",)),
                      Faq(q="주차 되나요?", a="P"), Faq(q="카드 돼요?", a="C")))  # fmt: skip
    assert index.match("만약에 좀 늦어지면 돈 더 내야 돼요").faq.a == "L"  # 늦어지다 is 늦다 become
    assert index.match("보통 몇 번이나 받아야 좋아져요").faq.a == "N"


def test_the_day_talked_about_is_when_unless_the_answer_speaks_of_it() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="주차 되나요?", a="P", also=("차 가져가도 돼요",)),
                      Faq(q="가족 할인 있어요?", a="가족이 같은 날 함께 하시면 할인해 드려요.", also=("가족이 같이 하면 할인돼요",)),
                      Faq(q="카드 돼요?", a="C"), Faq(q="포장 돼요?", a="T")))  # fmt: skip
    assert index.match("아 그리고 그날 차 가지고 갈 건데 세워 둘 데 있어요").faq.a == "P"
    assert index.match("그리고 그날 저도 같이 자르면 가족 할인 같은 거 있어요").faq.q == "가족 할인 있어요?"


def test_a_reaction_to_the_last_answer_names_no_question() -> None:
    from moksori.assistant.profile import Faq

    index = FaqIndex((Faq(q="고기 어디 거예요?", a="O", also=("고기 원산지",)), Faq(q="채식도 돼요?", a="V", also=("고기 안 먹어요",)),
                      Faq(q="주차 되나요?", a="P"), Faq(q="카드 돼요?", a="C")))  # fmt: skip
    assert index.match("고기는 어디 거 써요").faq.a == "O"
    # 먹다 in the reaction before the question would make it the vegetarian question
    assert index.match("아 그래요 그럼 거기 가서 먹어야겠네 고기는 어디 거 써요").faq.a == "O"
