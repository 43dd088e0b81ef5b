"""Restricted recogniser grammars: what the dialogue listens for after each question, which transcripts it
takes from them, and that a transcript forced into the grammar's words never fills a slot."""

from __future__ import annotations

import datetime as dt

import pytest

from moksori.assistant import grammar
from moksori.assistant.dialogue import Call
from moksori.assistant.profile import ShopProfile
from moksori.assistant.simulate import Hear, ScriptedCall, simulate
from moksori.assistant.slots import SpokenTime, parse_date, parse_party, parse_time
from moksori.assistant.store import MemoryStore

from .conftest import NOW, SALON, profile_from


@pytest.fixture
def restaurant() -> ShopProfile:
    """The salon, taking parties of up to six (so the party size is asked)."""
    return profile_from(SALON.replace("max_party: 2", "max_party: 6"))


def asked(profile: ShopProfile, lines: list[str], store: MemoryStore | None = None) -> Call:
    call = Call(profile, store if store is not None else MemoryStore(), NOW)
    call.greeting()
    for line in lines:
        call.respond(line)
    return call


def test_each_question_listens_for_its_answers(restaurant: ShopProfile) -> None:
    call = asked(restaurant, ["예약하고 싶어요"])
    assert call.expecting == "date" and call.listening_for() == [*grammar.date(), *grammar.BACKGROUND]
    assert call.understands("다음 주 목요일이요") and not call.understands("주차 되나요")
    call.respond("목요일이요")
    assert call.expecting == "time" and call.listening_for() == [*grammar.time(), *grammar.BACKGROUND]
    assert call.understands("저녁 일곱 시") and call.understands("열 한 시 반") and not call.understands("네")
    assert call.understands("여섯 시 정오") and not call.understands_restricted("여섯 시 정오")
    call.respond("오후 두 시")
    assert call.expecting == "party" and call.listening_for() == [*grammar.party(6), *grammar.BACKGROUND]
    assert call.understands("넷이요") and call.understands("세 명") and not call.understands("보 이 요")
    call.respond("두 명이요")
    call.respond("젤 네일이요")
    call.respond("김민수요")
    assert call.expecting == "phone" and call.listening_for() == [*grammar.phone(), *grammar.BACKGROUND]
    assert call.understands("공 일 공 일 이 삼 사 오 육 칠 팔") and not call.understands("공 일 공 일 이 삼")
    assert call.understands_restricted("공 일 공 일 이 삼 사 오 육 칠 팔 요")
    assert not call.understands_restricted("오 일 공 삼 사 요 팔")  # digits alone, but no phone number
    call.respond("공일공 일이삼사 오육칠팔")
    assert call.confirming and call.listening_for() == [*grammar.YES_NO, *grammar.BACKGROUND]
    assert call.understands("네") and not call.understands("두 명")


def test_a_name_or_a_message_is_not_listened_for(restaurant: ShopProfile) -> None:
    call = asked(restaurant, ["목요일 오후 두 시에 두 명 젤네일 예약이요"])
    assert call.expecting == "name" and call.listening_for() is None and call.understands("아무 말")


def test_a_booking_looked_up_by_phone_or_by_name(restaurant: ShopProfile) -> None:
    store = MemoryStore()
    booked = asked(restaurant, ["목요일 오후 2시에 두 명 젤네일 예약이요", "김민수요", "공일공 일이삼사 오륙칠팔", "네"], store)
    assert booked.records
    call = asked(restaurant, ["예약 취소하려고요"], store)
    assert call.expecting == "lookup" and call.listening_for() == [*grammar.phone(), *grammar.BACKGROUND]
    assert call.understands("공일공 일이삼사 오육칠팔")
    assert call.understands("김민수로 했어요")  # the name it was booked under answers too
    assert not call.understands("이지은이요")


def test_the_times_offered_for_a_full_slot(salon: ShopProfile) -> None:
    store = MemoryStore()
    asked(salon, ["목요일 오후 2시에 젤네일 예약이요", "김민수요", "공일공 일이삼사 오륙칠팔", "네"], store)
    call = asked(salon, ["목요일 오후 2시에 젤네일 예약 돼요?"], store)
    assert call.expecting == "proposal" and call.listening_for() == [*grammar.proposal(), *grammar.BACKGROUND]
    assert call.understands("세 시요") and call.understands("첫 번째요") and not call.understands("얼마예요")


@pytest.mark.parametrize(
    ("kind", "heard", "taken"),
    [
        ("phone", "공 일 공 일 이 삼 사 오 육 칠 팔", True),
        ("phone", "제 번호는 공 일 공 다시 일 이 삼 사 다시 오 육 칠 팔 요", True),
        ("phone", "사 이 일 공 구 전화번호 일 다시 요", False),
        ("party", "다섯 명 요", True),
        ("party", "넷", True),
        ("party", "열 명", True),
        ("party", "넷 여섯 요", False),  # two counts: the grammar strung its words together
        ("party", "혼자 명", False),
        ("time", "저녁 일곱 시 요", True),
        ("time", "오후 두 시 이십 오 분", True),
        ("time", "열 한 시 반", True),
        ("time", "여섯 시 정오", False),
        ("time", "시 여덟 뒤 요", False),
        ("time", "저녁", False),  # no hour
        ("date", "다음 주 화요일", True),
        ("date", "십이 월 이십 오 일", True),
        ("date", "내일 저녁 일곱 시", True),
        ("date", "월 주 유월", False),
        ("date", "일 이번 주 요", False),
        ("proposal", "첫 번째", True),
        ("proposal", "네", True),
        ("proposal", "네 세 시 반", False),
    ],
)
def test_a_transcript_under_a_grammar_counts_only_as_one_whole_answer(kind: str, heard: str, taken: bool) -> None:
    assert grammar.is_one_answer(kind, heard) is taken


@pytest.mark.parametrize("kind", ["phone", "party", "time", "date", "proposal"])
def test_background_words_are_no_answer_words(kind: str) -> None:
    answer_words = {word for phrase in grammar.answers(kind) for word in phrase.split()}
    assert answer_words.isdisjoint(grammar.BACKGROUND)
    assert not grammar.is_one_answer(kind, f"{grammar.answers(kind)[0]} {grammar.BACKGROUND[0]}")


def test_compound_numbers_written_apart_read_as_one_number() -> None:
    assert parse_time("열 한 시") == SpokenTime(11, 0, None)  # not one o'clock
    assert parse_time("세 시 이십 오 분") == SpokenTime(3, 25, None)
    assert parse_party("열 두 명") == 12
    assert parse_date("십이 월 이십 오 일", NOW.date()) == dt.date(2026, 12, 25)
    assert parse_party("보 이 요", expecting=True) is None  # a Sino syllable alone is no number of people
    assert parse_party("넷이요", expecting=True) == 4


def _hearing(first_line: str, open_text: str, restricted: str) -> tuple[list[list[str]], Hear]:
    """A recogniser that hears the first line right, every other line as ``open_text``, and ``restricted``
    under any grammar (the grammars it was given are kept)."""
    grammars: list[list[str]] = []

    def hear(line: str, words: list[str] | None) -> str:
        if words is not None:
            grammars.append(words)
            return restricted
        return line if line == first_line else open_text

    return grammars, hear


def test_a_restricted_transcript_that_is_no_whole_answer_is_asked_again(restaurant: ShopProfile) -> None:
    # At the time question the grammar strings its words together ("여섯 시 정오"), which parses as a time
    # but is no one answer: the caller is asked again, and nothing is filled or written.
    scripted = ScriptedCall("c1", ["목요일 예약이요", "저녁 일곱 시요", "저녁 일곱 시요", "네"])
    grammars, hear = _hearing("목요일 예약이요", "이어 여기 요", "여섯 시 정오")
    result = next(simulate(restaurant, [scripted], NOW, hear))
    turns = result["turns"]
    assert [*grammar.time(), *grammar.BACKGROUND] in grammars  # the grammar was tried, and its transcript left out
    assert turns[1]["heard"] == "이어 여기 요" and "시간을 다시 말씀해 주시겠어요" in turns[1]["assistant"]
    assert "시간을 다시" in turns[2]["assistant"] and "사장님께 연결" in turns[3]["assistant"]
    assert result["records"] == []


def test_a_restricted_transcript_that_is_one_answer_is_taken(restaurant: ShopProfile) -> None:
    scripted = ScriptedCall("c1", ["목요일 예약이요", "저녁 일곱 시요"])
    _, hear = _hearing("목요일 예약이요", "이어 여기 요", "저녁 일곱 시 요")
    turns = next(simulate(restaurant, [scripted], NOW, hear))["turns"]
    assert turns[1]["heard"] == "저녁 일곱 시 요"
    assert "몇 분이세요" in turns[1]["assistant"]  # the time was taken; the party is asked next


@pytest.mark.slow
def test_every_grammar_word_is_one_the_recogniser_knows() -> None:
    pytest.importorskip("vosk")
    from moksori.asr.offline import unknown_words

    for kind in ("phone", "party", "time", "date", "proposal"):
        assert unknown_words([*grammar.answers(kind, 20), *grammar.BACKGROUND]) == []
