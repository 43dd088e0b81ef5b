"""The dialogue manager: one :class:`Call` per phone call, a form-filling loop with mixed initiative.

Every caller turn is read by all slot parsers at once (one utterance may fill several slots), the
caller's intent is found by keywords, and nothing is written before the caller has confirmed a read-back.
After two re-prompts for the same thing the assistant offers the owner or a message instead of guessing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from moksori.assistant import grammar, intents
from moksori.assistant.faq import FaqIndex, question_sentences
from moksori.assistant.items import (
    ItemMention,
    find_items,
    item_words,
    parse_quantity,
    removed_items,
    restates_quantity,
    space_out,
    swapped,
)
from moksori.assistant.phrases import (
    josa,
    say_date,
    say_day_hours,
    say_hours,
    say_people,
    say_price,
    say_time,
    say_times,
)
from moksori.assistant.profile import Item, ShopProfile
from moksori.assistant.rules import (
    booking_minutes,
    check_booking,
    check_opening,
    earliest_start,
    nearest_free,
)
from moksori.assistant.slots import (
    SpokenTime,
    clean,
    completed_phone,
    for_one_person,
    format_phone,
    introduced_name,
    last_digit_group,
    looks_like_full_name,
    name_of_someone_else,
    names_a_holiday,
    nearest_reading,
    parse_date,
    parse_name,
    parse_party,
    parse_party_difference,
    parse_phone,
    parse_relative_time,
    parse_time,
    parse_time_shift,
    parse_yes_no,
    period_word,
    phone_start,
    replaced_digits,
    resolve_time,
    says_only_a_day,
    says_same_day,
    says_same_time,
    without_phone,
)
from moksori.assistant.store import Booking, Store

MAX_REPROMPTS = 2
MAX_SILENCES = 2  # prompts after the caller said nothing, before the call is ended
_PHONE_ANSWERS = ("phone", "lookup", "lookup_phone")  # questions answered with a phone number

_ANYTHING_ELSE = "더 도와드릴 일 있으세요?"
_PROMPTS = {
    "date": "어느 날로 해 드릴까요?",
    "time": "몇 시로 해 드릴까요?",
    "party": "몇 분이세요?",
    "items": "어떤 걸 몇 개 주문하시겠어요?",
    "name": "성함이 어떻게 되세요?",
    "phone": "연락받으실 전화번호를 말씀해 주세요.",
    "message": "사장님께 전하실 말씀을 해 주세요.",
    "lookup": "예약하실 때 남기신 전화번호를 말씀해 주세요.",
    "change": "어떻게 바꿔 드릴까요? 날짜나 시간, 인원을 말씀해 주세요.",
}
_REPROMPTS = {
    "date": "죄송해요, 날짜를 다시 말씀해 주시겠어요? 예를 들어 내일, 다음 주 화요일, 12월 3일처럼요.",
    "time": "죄송해요, 시간을 다시 말씀해 주시겠어요? 예를 들어 저녁 7시처럼요.",
    "party": "죄송해요, 몇 분이 오시는지 다시 말씀해 주시겠어요?",
    "name": "죄송해요, 성함을 다시 한번 말씀해 주시겠어요?",
    "phone": "죄송해요, 전화번호를 숫자 하나씩 천천히 말씀해 주시겠어요?",
    "lookup": "죄송해요, 예약하신 전화번호를 숫자 하나씩 말씀해 주시겠어요?",
    "lookup_phone": "같은 이름으로 된 예약이 여러 개 있어요. 예약하신 전화번호를 말씀해 주시겠어요?",
    "confirm": "맞으면 네, 틀리면 아니요라고 말씀해 주세요.",
    "proposal": "말씀드린 시간 중에 괜찮은 시간이 있으세요? 다른 시간을 말씀하셔도 돼요.",
    "correction": "바꿀 내용을 말씀해 주세요. 예를 들어 시간은 8시로, 인원은 세 명으로처럼요.",
}


# Where the free times of a part of the day start being offered (hours).
_PERIOD_START = {"새벽": 6, "아침": 8, "오전": 9, "점심": 11, "낮": 12, "오후": 13, "저녁": 17, "밤": 20}


@dataclass
class Form:
    """The values being collected for one task (booking, change, cancel, order, message)."""

    task: str
    date: dt.date | None = None
    spoken_time: SpokenTime | None = None
    party: int | None = None
    item: str | None = None
    items: list[ItemMention] = field(default_factory=list)
    name: str | None = None
    phone: str | None = None
    phone_start: str | None = None  # "공일공 구삼일팔" said alone: the rest comes next ("뒤에는 사이칠칠이요")
    text: str | None = None
    period: str | None = None  # "저녁" said before the hour ("모레 저녁에요" … "여덟 시 반요")
    item_undecided: bool = False  # "가서 정할게요": booked without a service
    target: Booking | None = None
    proposals: list[dt.datetime] = field(default_factory=list)
    refused_date: dt.date | None = None  # a day said and refused (closed): "그럼 화요일로" is in its week
    refused_time: SpokenTime | None = None  # a time refused: "그럼 내일 같은 시간으로" is that time
    free_times_asked: bool = False  # "몇 시에 자리 있어요?": the free times are offered instead of asking
    too_many: bool = False  # a party was refused as too many: the count is asked until one is said

    def holds_nothing(self) -> bool:
        """Nothing said for this task yet: a task started by a misread turn can give way to another."""
        return not (self.date or self.spoken_time or self.party or self.item or self.items or self.name
                    or self.phone or self.text or self.target)


# The words of a question about the opening hours: a FAQ question met on these alone asks something more
_HOURS_WORDS = frozenset(("문", "열", "닫", "영업", "오픈", "마감", "쉬", "시간"))
# "여덟 시까지", "아홉 시 반까지": a time said as a limit, not as the time wanted
_UNTIL_A_TIME = re.compile(r"\S+\s?시\s?(?:반\s?)?까지")
# "아 네 그럼 …", "네 …": the offer or answer heard, before what the caller goes on to say
_TASKS = ("booking", "order", "change", "cancel", "check", "message")
_YES_THEN = re.compile(r"^(?:(?:아|어|네|예|네네|예예)\s)+(?:(?:그럼|그러면|근데|그리고)\s)?")


class Call:
    """One call. ``greeting()`` first, then ``respond(line)`` per caller turn until ``ended``."""

    def __init__(
        self,
        profile: ShopProfile,
        store: Store,
        now: dt.datetime,
        faq: FaqIndex | None = None,
        caller_id: str | None = None,
        can_transfer: bool = True,
    ) -> None:
        """``can_transfer``: the call can be passed to the owner (a phone line); without it (a browser call) a
        hand-off takes a message with a callback number instead."""
        self.profile = profile
        self.store = store
        self.now = now.astimezone(profile.zone)
        self.today = self.now.date()
        self.faq = faq if faq is not None else FaqIndex.for_shop(profile)
        self.caller_id = caller_id
        self.can_transfer = can_transfer
        self.records: list[dict] = []
        self.ended = False
        self.form: Form | None = None
        self.expecting: str | None = None
        self.confirming = False
        self.offering: str | None = None  # why the owner or a message was offered (the hand-off's reason)
        self.caller_name: str | None = None  # as given for an earlier task in this call
        self.caller_phone: str | None = None
        self.pending_question: str | None = None
        self.failures = 0
        self.silences = 0  # prompts in a row after the caller said nothing
        self.last_prompt = ""
        self.notes: list[str] = []
        self.topic_item: str | None = None  # the item the caller last asked about ("젤네일 얼마예요?")
        self.last_start: dt.datetime | None = None  # of the booking or order written last in this call
        self.last_answer: str | None = None  # the kind of the last question answered ("hours")
        self.lookup_missed = False  # a number or name was heard, and no booking has it
        names = {item.name.replace(" ", ""): item.name for item in profile.items}
        for item in profile.items:
            names.update({alias.replace(" ", ""): item.name for alias in item.aliases})
        self.item_names = names
        # Item names that hold a task's word ("기어 조정" holds 조정, a change) name no task: left out of the
        # turn before its intent is read, longest first.
        self._task_word_items = sorted(
            {said for item in profile.items for said in (item.name, *item.aliases) if intents.has_task_word(said)},
            key=len,
            reverse=True,
        )
        # Items named by a holiday ("크리스마스 리스 만들기") name no day
        self._holiday_items = sorted(
            {said for item in profile.items for said in (item.name, *item.aliases) if names_a_holiday(said)},
            key=len,
            reverse=True,
        )
        # Bookings name an item only where items are services that take time (a salon, a clinic).
        self._services = any(item.minutes for item in profile.items)

    # ------------------------------------------------------------------------------------ the loop

    def _answer_kind(self) -> str | None:
        """What the next answer is made of, for a restricted recogniser; None when it is open (a name, a
        message, a question)."""
        if self.confirming or self.offering:
            return "yes_no"
        if self.expecting in ("items", "item"):
            return "items"
        if self.expecting in _PHONE_ANSWERS:
            return "phone"
        if self.expecting in ("party", "date", "time", "proposal"):
            return self.expecting
        return None

    def listening_for(self) -> list[str] | None:
        """The phrases the next answer will likely be made of, for a recogniser restricted to them
        (``moksori.assistant.grammar``): yes/no at a read-back or an offer, item names when items are asked
        for, digits for a phone number, counts of people, days, times and the times offered, each among common
        other words (``grammar.BACKGROUND``); None when the answer is open."""
        kind = self._answer_kind()
        if kind is None:
            return None
        # Among the background words for yes/no and items too: with the answers alone, an unrelated question
        # at an offer came out as "좋아요 좋아요 그래요" (yes), a hand-off the caller never asked for.
        if kind == "yes_no":
            return [*grammar.YES_NO, *grammar.BACKGROUND]
        if kind == "items":
            words = {word for said in self.item_names for word in said.split()}
            words |= {word for item in self.profile.items for word in item.name.split()}
            return [*sorted(words), *grammar.BACKGROUND]
        return [*grammar.answers(kind, self.profile.booking.max_party), *grammar.BACKGROUND]

    def understands(self, text: str) -> bool:
        """Whether ``text`` answers what :meth:`listening_for` expects: the value asked for parses out of it
        (when the open transcript does not, a restricted recogniser may be asked)."""
        text = clean(text)
        kind = self._answer_kind()
        if kind == "yes_no":
            return parse_yes_no(text) is not None
        if kind == "items":
            return bool(find_items(text, self.item_names))
        if kind == "phone":
            return (
                parse_phone(text) is not None
                or (self.caller_id is not None and intents.this_number(text))
                or (self.expecting == "lookup" and self._names_a_booking(text))  # "김민수로 했어요"
            )
        if kind == "party":
            return parse_party(text, expecting=True) is not None
        if kind == "date":
            return parse_date(text, self.today) is not None
        if kind == "time":
            return parse_time(text) is not None or parse_relative_time(text, self.now) is not None
        if kind == "proposal":
            return (
                self._choose_proposal(text) is not None
                or parse_time(text) is not None
                or parse_date(text, self.today) is not None
            )
        return True

    def understands_restricted(self, text: str) -> bool:
        """Whether a transcript made under :meth:`listening_for`'s grammar answers the question. A grammar
        makes the recogniser write its own words even for unrelated speech, so besides answering, the
        transcript must be exactly one whole answer (``grammar.is_one_answer``): "여섯 시 정오" heard for
        "얼마예요?" is none. When it is not, the dialogue hears the open transcript and asks again, as it would
        without a grammar: a guess never fills a slot. (Yes/no and item names take any transcript that
        parses, as they did before the other slots had grammars.)"""
        kind = self._answer_kind()
        if kind in ("yes_no", "items"):
            return self.understands(text)
        return (
            kind is not None
            and grammar.is_one_answer(kind, text, self.profile.booking.max_party)
            and self.understands(text)
        )

    def heard(self, transcript: str, hear_restricted: Callable[[list[str]], str]) -> str:
        """What the dialogue takes the caller to have said: the open ``transcript``, or, when that does not
        answer the question asked, what a recogniser restricted to the expected phrases
        (``hear_restricted(phrases)``, the same audio again) heard, if that is one whole answer."""
        expected = self.listening_for()
        if expected and not self.understands(transcript):
            restricted = hear_restricted(expected)
            if self.understands_restricted(restricted):
                return restricted
        return transcript

    def greeting(self) -> str:
        self.last_prompt = (
            f"안녕하세요, {self.profile.name}입니다. 저는 {self.profile.name}의 자동 응답 도우미예요. "
            "예약, 주문, 문의, 사장님께 남기실 말씀을 도와드려요. 무엇을 도와드릴까요?"
        )
        return self.last_prompt

    def respond(self, line: str) -> str:
        """The assistant's answer to one caller turn."""
        if self.ended:
            return ""
        self.silences = 0
        text = clean(line)
        checked, rest = intents.after_line_check(text)
        if checked and self.last_prompt and (rest or self.form is not None):
            if not rest:  # "여보세요? 여보세요? 끊겼나?" in the middle of a task: still here, asked again
                return f"네, 잘 들려요. {self.last_prompt}"
            text = rest
        if not text or intents.asks_repeat(text) or intents.pardon(line):
            return self.last_prompt or self.greeting()
        if intents.bare_yes(text) and self._answer_kind() not in ("yes_no", "proposal"):
            # "네" to "성함이 어떻게 되세요?" or to the greeting: they are listening; ask again, briefly.
            question = self._prompt(self.expecting or "") if self.form else None
            return f"네, {question}" if question else "네, 말씀하세요."
        reply = self._respond(text)
        self.last_prompt = reply
        return reply

    def silence(self) -> str:
        """The caller said nothing after the last prompt: ask whether they can hear, and repeat the prompt;
        after ``MAX_SILENCES`` such prompts in a row, say goodbye and end the call (nothing is written)."""
        if self.ended:
            return ""
        self.silences += 1
        if self.silences > MAX_SILENCES:
            self.notes.append("손님이 말씀이 없어 통화를 마침")
            self.ended = True
            return "말씀이 들리지 않아 전화를 끊을게요. 필요하시면 다시 전화 주세요."
        return f"여보세요? 제 말이 들리시면 말씀해 주세요. {self.last_prompt}".strip()

    def _respond(self, text: str) -> str:
        if self.form is None:
            # "안녕하십니까, 임가은입니다. 연락처는 공일공 … 입니다. 혹시 …?": who is calling, said before what they
            # want, is kept for the task that follows
            self.caller_phone = parse_phone(text) or self.caller_phone
            introduced = parse_name(without_phone(text))
            if introduced and looks_like_full_name(introduced):  # not "테니스엘보라고 하더라고요"
                self.caller_name = introduced
        if intents.holds_on(text) and (self.form or self.offering):
            return "네, 천천히 말씀하세요."  # the question stays open; no failed turn
        if self.confirming and self.form:
            return self._confirmation(text)
        if self.offering:
            return self._offer_answer(text)
        if self.form and self.expecting == "message":
            self._fill(text)
            return self._next()
        if (self.form and self.form.task == "message" and self.expecting == "phone" and not parse_phone(text)
                and intents.is_message_text(text)):
            # "내일 단체 예약 건으로 전화 부탁드려요" while the number is asked: what to pass on, not a booking
            self.form.text = f"{self.form.text} {text}" if self.form.text else text
            return self._next()
        intent = self._detect(text)
        if (intent == "order" and self.form and self.form.task == "booking" and not self.form.holds_nothing()
                and not find_items(text, self.item_names)):
            intent = None  # "케이크를 하나 사 갈 건데 냉장고에 맡아 주실 수 있어요?" during a booking orders nothing here
        if intent == "handoff":
            return self._handoff("손님이 사장님과 통화를 원하셨어요")
        if self.form is None and self.profile.orders.enabled and intents.changes_an_order(text):
            # "…다섯 개 주문한 서경민인데요, 일곱 개로 늘릴 수 있을까요?": orders are not changed by phone here
            return self._offer("주문하신 내용을 바꾸는 건 제가 전화로 도와드리기 어려워요.", f"주문 변경 요청: {text}", text)
        main = intents.after_background(text)
        if (self.form is None and main != text and self._detect(main) is None and self._is_question(main)
                and not self._asks_task_before(intent, text[: len(text) - len(main)])
                and not (intent is None and not intents.question_kind(text) and self._service_on_a_day(text))):
            return self._question(main)  # "안경 찾으러 가려는데 몇 시까지 하세요?" asks the hours, it orders nothing
        # After "아니요" to a read-back the next turn is the correction ("다섯 시가 아니라 여섯 시예요"), and a clock
        # time said is a value ("… 그럼 목요일 저녁 여덟 시로 해 주세요"), not a question ("8시까지 해요?" is); so is a
        # day said after 그럼 ("아 목요일은 쉬세요? 그럼 금요일 같은 시간으로 해 주세요")
        # ("아 토요일은 여섯 시까지구나. 그럼 오후 한 시부터 네 시간으로 해 주세요": the time after 그럼 is a value)
        # ("그럼 여덟 시로 해 주세요, 아홉 시까지 출근이라 괜찮아요": the time said is eight; a time with 까지 is a limit)
        says_a_time = any(
            parse_time(_UNTIL_A_TIME.sub(" ", part)) is not None for part in {text, intents.after_then(text)}
        )
        takes_a_proposal = bool(self.form and self.expecting == "proposal" and self.form.proposals
                                and self._choose_proposal(text))  # "네 그 시간으로 해 주세요" asks nothing
        if (self.form and intent is None and self.expecting != "correction" and not says_a_time and not takes_a_proposal
                and not self._says_a_day_then(text) and self._is_question(text)):
            answer = self._side_question(text)
            if answer:
                return f"{answer} {self._next()}"
        says_when = parse_date(text, self.today) or parse_time(text) or parse_party(text)
        if (
            self.form is None
            and intent in ("booking", "order")
            and (
                not self._takes(intent)
                or not (intents.names_task(text) or says_when)
                or (not says_when and intents.looks_like_question(text) and not find_items(text, self.item_names)
                    and any(not intents.has_task_word(word) for word in self.faq.topic_words(text)))
            )
            and self.faq.match(text).answered
        ):
            # "콘센트 자리 있나요?" asks about the shop, it books nothing; where the shop takes no orders, "포장도
            # 되나요?" gets the owner's own answer on it before "not by phone"; and "마지막 주문은 몇 시까지 받아요?",
            # naming no item and no day but something besides the task, asks how orders are taken ("예약 되나요"
            # asks to book).
            return self._question(text)
        if intent == "message" and self.form and self.form.task != "message" and (
            self.form.holds_nothing()
            or (intents.gives_up_task(text) and intents.message_body(text))
            or intents.asks_callback(text)
        ):
            # "…연락 좀 달라고 전해 주세요 제 번호는 …" where an order was begun on a misread first turn, or the
            # caller asks for a call back instead ("그럼 사장님한테 가격 좀 맞춰 주실 수 있는지 연락 달라고 전해 주세요")
            return self._start("message", text)
        # The current form reads the turn first: "박서준으로 예약했어요" answers a cancellation's lookup.
        filled = self.form is not None and self._fill(text)
        if (
            intent in _TASKS
            and (self.form is None or self.form.task != intent)
            and not (intent == "booking" and self.form and self.form.task in ("change", "cancel", "check"))
            and not filled
        ):
            started = self._start(intent, text)
            aside = self._aside_answers(text) if intent in ("booking", "order") and self.form is not None else ""
            return f"{aside} {started}" if aside else started
        if self.form is None and intent is None and self.last_answer == "hours" and re.search(r"[은는]요?$", text):
            day = parse_date(text, self.today)
            if day:  # "그럼 토요일은요?" after the hours: the hours of that day
                return f"{say_day_hours(self.profile, day, self.today)} {_ANYTHING_ELSE}"
        if self.form is None and intent is None:
            intent = self._implicit_task(text)
            if intent:
                return self._start(intent, text)
        if self.form is None:
            if intent == "goodbye" or (
                (intent == "no" or intents.acknowledges(text) or intents.declines(text))
                and self.last_prompt.endswith(_ANYTHING_ELSE)
                # ("아니 다시 받기는 좀 그렇고요, 그냥 환불받고 싶은데 환불돼요?" asks on; "아니요 없어요 안녕히 계세요" not)
                and (not intents.asks(text) or intents.says_goodbye(text))
            ):
                return self._goodbye()  # "네 알겠습니다" to "더 도와드릴 일 있으세요?": that was all
            return self._question(text)
        if not filled:
            # ("네 맞아요" is no question, though 맞다 is also what a vaccine does: "주사 다 맞아야 돼요?")
            answer = self._side_question(text) if parse_yes_no(text) is None or intents.asks(text) else None
            if answer:
                return f"{answer} {self._next()}"
            if intent == "goodbye":
                return self._goodbye()
            if intents.asks(text):
                return f"{self._note_question(text)} {self._next()}"
            return self._reprompt()
        self.failures = 0
        return self._next()

    # ---------------------------------------------------------------------------------- starting

    def _takes(self, task: str) -> bool:
        """Whether the shop takes this task by phone at all."""
        return self.profile.orders.enabled if task == "order" else self.profile.booking.enabled

    def _asks_task_before(self, intent: str | None, background: str) -> bool:
        """"토요일 오전 열 시에 검진 예약하려고요 저희 애가 일곱 살인데 애들도 봐 주시는 거죠?": the background of the
        question asks for a booking (or an order) on a day or at a time too, in words ("…예약하려고요") or by
        what it names ("금요일 저녁 여덟 시 인형의 집이요, 근데 저희가 일곱 명인데 다 들어갈 수 있어요?")."""
        if intent is None:
            return self._implicit_task(background) is not None
        return intent in ("booking", "order") and bool(parse_date(background, self.today) or parse_time(background))

    def _says_a_day_then(self, text: str) -> bool:
        then = intents.after_then(text)
        return then != text and parse_date(then, self.today) is not None

    def _detect(self, text: str) -> str | None:
        for said in self._task_word_items:
            text = text.replace(said, " ")
        intent = intents.detect(text)
        if (intent == "order" and not self.profile.orders.enabled and self.profile.booking.enabled
                and find_items(text, self.item_names) and (parse_date(text, self.today) or parse_time(text))):
            intent = "booking"  # "첫째랑 둘째 체험 수업 좀 시켜 보려고요 … 목요일 오후 네 시": a service on a day
        if intent == "change" and not self.profile.booking.enabled and "예약" not in text:
            intent = intents.detect(intents.without_change_words(text))  # no booking to change: what else it is
        if intent in ("booking", "order") and self._tells_a_past_visit(text):
            return None  # "어제 … 포장해 간 사람인데요, … 이십 분이나 기다렸어요": a complaint, not an order
        return intent

    def _tells_a_past_visit(self, text: str) -> bool:
        """A visit or an order that is over told, and no day to come named ("지난달에 한 번 갔었는데 … 이번 주
        토요일에 두 명 자리 좀 잡아 주실 수 있나 해서" books)."""
        day = parse_date(text, self.today)
        return intents.tells_a_past_visit(text) and not (day and day > self.today)

    def _start(self, task: str, text: str) -> str:
        if task == "booking" and not self.profile.booking.enabled and self.profile.orders.enabled and (
            find_items(text, self.item_names)
        ):
            task = "order"  # "금요일에 치즈 케이크 예약하려고요" where orders are taken ahead: an order
        if task in ("booking", "change", "cancel", "check") and not self.profile.booking.enabled:
            return self._not_offered("전화 예약은 받지 않고 있어요")
        if task == "order" and not self.profile.orders.enabled:
            return self._not_offered("전화 주문은 받지 않고 있어요")
        self.form = Form(task)
        self.expecting = None
        self.failures = 0
        if task in ("change", "cancel", "check"):
            self._fill_lookup(text)
            if task == "change" and self.form.target is not None:
                self._fill(intents.new_values_part(text))
        elif task == "message":
            body = intents.message_body(text)
            if body:
                self.form.text = body
            self._fill_phone(text)
            self.form.phone = self.form.phone or self.caller_phone
        else:
            self._fill(text)
            self.form.name = self.form.name or self.caller_name
            self.form.phone = self.form.phone or self.caller_phone
            if task == "booking" and self.form.item is None and self.topic_item and self._services:
                self.form.item = self.topic_item
            if task == "order" and not self.form.items and self.topic_item:
                # "그럼 두 개 포장할게요" after asking about an item: that item
                qty = parse_quantity(text)
                if qty:
                    self.form.items = [ItemMention(self.topic_item, qty, 0)]
        return self._next()

    def _implicit_task(self, text: str) -> str | None:
        """A date or time said without 예약/주문 ("내일 2시에 젤네일 하려고요") starts a booking (or an
        order where the shop takes orders and not bookings); a question about it is still a question."""
        if intents.question_kind(text) or self._tells_a_past_visit(text):
            return None
        mentions = find_items(text, self.item_names)
        spaced = space_out(text, self.item_names)
        # A service on a day, or items counted for a day or a time, ask for a booking or an order even said as
        # a question ("스케일링 상담 … 토요일 오전 열한 시 되능교?", "내일 증명사진 찍을 수 있어요?", "내일 케이크 하나
        # 되나요?"), before any FAQ word they share (강아지 there is not the FAQ's 펫보험, 찍다 not its pet photos).
        if self._service_on_a_day(text):
            return "booking"
        if (self.last_start and self.profile.booking.enabled and intents.one_more(text)
                and (find_items(text, self.item_names) or parse_party(text, family=False) or parse_time(text))):
            return "booking"  # "같은 시간에 두 명 레인 한 시간으로 하나 더 해 주세요" after a booking in this call
        if intents.asks_the_usual(text) and (parse_time(text) or parse_date(text, self.today)):
            # "늘 먹던 걸로 한 시에 좀 해 주세요": the time kept, and what "the usual" is asked
            return "order" if self.profile.orders.enabled else "booking" if self.profile.booking.enabled else None
        if (self.profile.orders.enabled and mentions and parse_quantity(spaced)
                and (parse_date(text, self.today) or parse_time(text))):
            return "order"
        if self.profile.booking.enabled and intents.right_away(text) and parse_party(text, family=False):
            return "booking"  # "지금 바로 세 명 가서 한 시간 부를 수 있어요?" (not the FAQ's 더 부르고 싶으면요)
        if self.faq.match(text).answered:
            return None
        # "… 하나요" after items is "one, please", not the question ending -나요
        asks = intents.asks(intents.without_hesitations(re.sub(r"(?<![가-힣])하나(?=요)", "", spaced)))
        # "불고기감 한 근만 준비해 주세요 … 십 분이면 가요": asked for outright, whatever else the turn says
        requested = re.search(r"주세요|부탁\s?(?:드려|드립|해)", text)
        # ("스투키 하나 사려는데요, 지금 바로 갈게요. 한 십 분이면 가요": 가요 is no question there)
        if (self.profile.orders.enabled and mentions and parse_quantity(spaced)
                and (requested or not asks or intents.right_away(text))):
            return "order"  # "감튀 하나랑 페퍼로니 하나요", "그럼 콜라 두 개랑 마르게리타 한 판이요"
        if self.profile.orders.enabled and mentions and intents.picks_up(text):
            return "order"  # "일요일에 장미 꽃다발 하나 찾을 수 있어요?" asks to collect it: an order
        if self.profile.booking.enabled and says_only_a_day(intents.without_hesitations(text), self.today):
            return "booking"  # "토요일이요" answers "예약, 주문, 문의 중에 어떤 걸 도와드릴까요?" with the day to book
        # (a family named in a question asks about them: "엄마랑 저랑 갈 건데 …?")
        if parse_time(text) is None and parse_party(text, family=False) is None:
            return None  # a date with something else ("오늘 손님 많아요?") is not a booking
        if self.profile.booking.enabled:
            return "booking"
        if self.profile.orders.enabled and find_items(text, self.item_names):
            return "order"
        return None

    def _service_on_a_day(self, text: str) -> bool:
        """A service of a shop that takes bookings named with a day or a time from now."""
        return bool(self.profile.booking.enabled and self._services and find_items(text, self.item_names) and (
            parse_date(text, self.today) or parse_relative_time(text, self.now)))

    def _not_offered(self, what: str) -> str:
        return self._offer(f"죄송하지만 {what}.", f"손님 요청: {what}", None)

    def _offer(self, said: str, reason: str, question: str | None) -> str:
        """Offer the owner (a plain yes) or a message: what the assistant does when it cannot help."""
        self.offering = reason
        self.pending_question = question
        return f"{said} 사장님께 연결해 드릴까요? 메시지를 남기셔도 돼요."

    # --------------------------------------------------------------------------------- filling slots

    def _fill(self, text: str, items_read: bool = False) -> bool:
        """Read every slot the current task can use out of ``text``; True when anything new was filled.
        ``items_read``: the order's items were taken from this text already (a swap), only the rest is read."""
        form = self.form
        assert form is not None
        if form.task == "message":
            return self._fill_message(text)
        if form.task in ("change", "cancel", "check") and form.target is None:
            return self._fill_lookup(text)
        if form.task in ("cancel", "check"):
            return False
        filled = self._fill_phone(text) if form.task in ("booking", "order") else False
        if filled:
            text = without_phone(text)
        before, after = intents.split_correction(text)
        if before:
            # The words before the correction fill what they say (the service in "세시에 펌이요 아 아니다
            # 네시요"); the words after it override them.
            filled = self._fill(before) or filled
            said_before = find_items(before, self.item_names) if form.task == "order" else []
            said_after = find_items(after, self.item_names) if form.task == "order" else []
            if form.task == "order" and len(said_before) == 1 and not said_after:
                qty = parse_quantity(after)  # "마르게리타 한 판 아니 두 판이요": the same item, a new quantity
                if qty:
                    form.items = _merge_items(form.items, [ItemMention(said_before[0].name, qty, 0)])
                    return True
            repaired = parse_quantity(self._words_before_items(after)) if said_before and said_after else None
            if repaired:
                # "플레인 베이글을 한 두 개? 아 아니다 그냥 세 개 주시고요, 어니언도 두 개": the quantity taken back, and
                # the items after it added
                last = ItemMention(said_before[-1].name, repaired, 0)
                form.items = _merge_items(form.items, [last, *said_after])
                self._fill(after, items_read=True)
                return True
            if said_before and said_after:
                # "간장 말고 양념으로 바꿔 주세요": those items give way to these; the rest of the order stays, and
                # the rest of the turn is read too ("… 치즈라면으로 바꿔 주세요 열두 시 반에 갈게요")
                gone = {mention.name for mention in said_before}
                form.items = [mention for mention in form.items if mention.name not in gone] + said_after
                self._fill(after, items_read=True)
                return True
            return self._fill(after) or filled
        if self.expecting == "item" and form.item is None and intents.undecided(text):
            form.item_undecided = True
            return True
        if self.expecting == "proposal" and form.proposals:
            choice = self._choose_proposal(text)
            if choice:  # the rest of the turn is read too ("열두 시 반으로 해 주세요 둘이 같이 받을 거예요")
                form.date, form.spoken_time = choice.date(), SpokenTime.at(choice)
                form.proposals = []
                self._fill_party(text)
                return True
        later = parse_relative_time(text, self.now)
        # "지금 바로 갈게요" is as soon as can be; "아홉 시에 바로 갈게요" is at nine
        right_away = later is None and intents.right_away(text) and parse_time(text) is None
        if right_away and form.task == "order":
            later = self.now + dt.timedelta(minutes=max(self.profile.orders.min_notice_minutes, 10))
        elif right_away and form.task == "booking" and parse_date(text, self.today) is None:
            later = earliest_start(self.profile, self.now)
        if later and form.task in ("booking", "order"):
            # "크루아상 여섯 개랑 따아 한 잔, 한 시간 뒤에 갈게요": the time from now, and the rest of the turn too
            day, spoken = later.date(), SpokenTime.at(later)
            form.date, form.spoken_time, filled = day, spoken, True
        else:
            near = form.date or form.refused_date or (form.target.start.date() if form.target else None)
            # "아 일요일은 쉬시는구나 그럼 그 전날 토요일 …": the day said after 그럼 is the one proposed
            then = intents.after_then(text)
            dated = then
            for said in self._holiday_items:
                dated = dated.replace(said, " ")
            day = parse_date(dated, self.today, near)
            if day is None and form.date is None and self.last_start and (says_same_day(text) or intents.one_more(text)):
                day = self.last_start.date()  # the day of the booking just made
            if day and day != form.date:
                form.date, filled = day, True
            # and so is the time ("아 토요일은 한 시까지예요? 그럼 열두 시 반에 갈게요")
            spoken = parse_time(then) or parse_time(text)
            if spoken is None and says_same_time(text):
                spoken = form.spoken_time or form.refused_time or (SpokenTime.at(self.last_start) if self.last_start else None)
            if spoken is None and period_word(text) and form.spoken_time is None and period_word(text) != form.period:
                form.period, filled = period_word(text), True
            if spoken and spoken.period is None and form.period:
                spoken = parse_time(f"{form.period} {text}")
            elif spoken and form.spoken_time:
                spoken = nearest_reading(spoken, form.spoken_time)
            if spoken and spoken != form.spoken_time:
                form.spoken_time, filled = spoken, True
            shift = parse_time_shift(text) if spoken is None and form.task == "change" and form.target else None
            if shift:  # "한 시간 늦춰 주세요": from the booked time
                moved = form.target.start + dt.timedelta(minutes=shift)
                form.date, form.spoken_time = moved.date(), SpokenTime.at(moved)
                filled = True
            if spoken is None and form.task == "booking" and intents.asks_free_times(text):
                form.free_times_asked = filled = True
        filled = self._fill_party(text) or filled
        if form.task == "booking" and form.party is None and intents.one_more(text) and for_one_person(text):
            form.party = 1  # "남편도 같은 시간에 레벨 테스트 하나 더 잡아 주세요": one more, for one person
        dropped = removed_items(text, self.item_names) if form.task == "order" and not items_read else []
        if dropped:  # "캘리포니아롤은 빼 주시고 새우튀김우동 하나 넣어 주세요"
            form.items, filled = [m for m in form.items if m.name not in dropped], True
        # A table booking names a dish only when it is chosen for the booking ("궁중 정식으로 하겠습니다"), not
        # when it is what the caller looks forward to
        chosen_dish = form.task == "booking" and not self._services and intents.replaces_items(text)
        mentions = find_items(text, self.item_names) if form.task == "order" or self._services or chosen_dish else []
        mentions = [m for m in mentions if m.name not in dropped]
        if form.task == "order" and len(mentions) == 1 and not mentions[0].counted and (apart := parse_quantity(text)):
            # "약과 쿠키 박스 오늘 남아 있어요? 있으면 세 개만 빼 주세요": the one item's count, said apart from it
            mentions = [ItemMention(mentions[0].name, apart, mentions[0].start, True)]
        if mentions and not items_read:
            if form.task == "order":
                # "그냥 마르게리타로 할게요", "페퍼로니로 바꿀게요": the order becomes these items, not these too
                # ("흑당 버블티는 세 잔 다 라지로 바꿔 주세요" changes that item, its size taking its place; the rest
                # of the order stays)
                ordered = {mention.name for mention in form.items}
                sizes_of = {mention.name: base for mention in mentions for base in ordered
                            if mention.name.startswith(base + " ")}  # "흑당 버블티 라지" → "흑당 버블티"
                changing = intents.replaces_items(text)
                swap = swapped(form.items, mentions, text) if changing and not sizes_of else None
                replace = (form.items and changing and not restates_quantity(text)
                           and not all(mention.name in ordered or mention.name in sizes_of for mention in mentions))
                resized = set(sizes_of.values()) if changing else set()
                kept = [mention for mention in form.items if mention.name not in resized]
                form.items = swap or (mentions if replace else _merge_items(kept, mentions))
                filled = True
            else:
                # of two services, the one said after the background ("도수치료 삼십 분이랑 고민했는데 충격파로
                # 할게요") is the one chosen
                chosen = find_items(intents.after_background(text), self.item_names) if len(mentions) > 1 else []
                service = (chosen or mentions)[0].name
                if service != form.item:
                    form.item, filled = service, True
        elif form.task == "order" and not items_read and len(form.items) == 1 and restates_quantity(text):
            # "마흔 개 말고 쉰 개로 해 주이소" about the one item ordered
            qty = parse_quantity(text.split("말고")[-1])
            if qty and qty != form.items[0].qty:
                form.items, filled = [ItemMention(form.items[0].name, qty, 0)], True
        if form.task in ("booking", "order"):
            name = parse_name(text, expecting=self.expecting == "name")
            # "김하나요" ends like a question (…나요) but is a name when a name was asked for.
            one_name = self.expecting == "name" and len(text.split()) == 1 and bool(name) and looks_like_full_name(name)
            # "오래 걸려요?" at the name prompt (the question mark is gone by now) is a question, not 오래 님
            predicate = any(re.search(r"(?:려요|나요|까요|죠|습니까|[었았겠]어요)$", word) for word in text.split()[1:])
            unasked = ((self.expecting != "name" and form.name is not None) or (intents.asks(text) and not one_name)
                       or predicate)
            # "한수경이요 아 잠깐만요 한 명 더 올 것 같아요 …": a full name said first answers the name prompt
            leads = (self.expecting == "name" and bool(name) and text.startswith(name) and looks_like_full_name(name)
                     and not (day or spoken))  # "여섯시 반이요" is a time
            someone = name_of_someone_else(text)  # "남편은 이준호고 …": the booking is in their name, not the caller's
            if someone and someone != form.name:
                form.name, filled = someone, True
            elif name and name != form.name and (leads or not (unasked or day or spoken or mentions or parse_party(text))):
                form.name, filled = name, True
            elif form.name is None and (introduced := introduced_name(text)):
                form.name, filled = introduced, True  # "… 클리닉 예약이요, 이름은 한지민이고 번호는 …"
        if (filled and self.expecting == "party" and form.task == "booking" and form.party is None and form.item
                and not form.too_many and self.profile.kind in ("salon", "other")):
            # "몇 분이세요?" answered with a name or a number, for a service named ("강아지 목욕 하나"): the caller
            # books it for one (a dog, themselves), and the read-back says so ("한 분") for a correction; not
            # after too many were refused (then the count is what is missing)
            form.party = 1
        return filled

    def _fill_party(self, text: str) -> bool:
        form = self.form
        assert form is not None
        if form.task not in ("booking", "change"):
            return False
        party = parse_party(text, expecting=self.expecting == "party")
        difference = parse_party_difference(text) if form.task == "change" and form.target else None
        if party is None and difference and form.target.party + difference > 0:
            party = form.target.party + difference
        if party and party != form.party:
            form.party = party
            return True
        return False

    def _fill_phone(self, text: str) -> bool:
        form = self.form
        assert form is not None
        phone = parse_phone(text)
        before, after = intents.split_correction(text)
        if phone and before:
            # "공일공 이삼사오 육칠팔구 아니 육칠팔팔이요", "… 다시 말씀드리면 공일공 …": the whole number again, or its
            # last four digits
            tail = last_digit_group(after)
            phone = parse_phone(after) or (phone[: -len(tail)] + tail if tail else phone)
        if phone is None and before and form.phone:
            phone = replaced_digits(before, after, form.phone)  # "마지막이 구사가 아니라 구삼이에요"
        if phone is None and form.phone is None and self.expecting == "phone":
            if form.phone_start:
                phone = completed_phone(form.phone_start, text)
            else:
                form.phone_start = phone_start(text)
                if form.phone_start:
                    return True  # the rest of the number is asked for
        if phone is None and self.caller_id and intents.this_number(text):
            phone = self.caller_id
        if phone and phone != form.phone:
            form.phone = phone
            return True
        return False

    def _fill_message(self, text: str) -> bool:
        form = self.form
        assert form is not None
        if self.expecting == "message" and form.text is None and not intents.only_agrees(text):
            form.text = text
            self._fill_phone(text)
            return True
        return self._fill_phone(text)

    def _fill_lookup(self, text: str) -> bool:
        """Find the caller's booking by the phone number (or the name) they booked with."""
        form = self.form
        assert form is not None
        # (what the caller said who they are before the task began counts too: "…예약한 이수아인데요, 번호는 …
        # 그날 생리 시작할 것 같은데 받아도 돼요?" and then "다음 주 목요일로 옮겨 주세요")
        phone = parse_phone(text) or (self.caller_id if intents.this_number(text) else None) or self.caller_phone
        name = parse_name(text, expecting=self.expecting == "lookup") or self.caller_name
        active = [b for b in self.store.active_bookings() if b.start >= self.now - dt.timedelta(hours=1)]
        found = [b for b in active if phone and b.phone == phone]
        by_name = not found
        if by_name:
            # A name said in any form ("김민수인데요", "김민수로 했어요") is found by looking for the names
            # the store holds; a name nobody booked under matches nothing.
            spaced = text.replace(" ", "")
            found = [b for b in active if b.name and (b.name == name or b.name in spaced)]
        if len(found) > 1:
            found = self._described(found, text)
        if by_name and len(found) > 1:
            self.notes.append("같은 이름의 예약이 여럿: 전화번호로 찾음")
            self.expecting = "lookup_phone"
            return False  # two bookings under one name: only the number tells which is the caller's
        if found:
            form.target = min(found, key=lambda b: b.start)
            form.phone = form.target.phone
            return True
        if phone or name:
            self.notes.append("예약을 찾지 못함")
            self.lookup_missed = True
        return False

    def _described(self, bookings: list[Booking], text: str) -> list[Booking]:
        """Of the caller's bookings, those that fit best what the turn says of the one meant — its day, time and
        service, outside the new values and the bookings said to stay ("여덟 시에 네 명으로 잡은 거요, 다섯 명으로 바꿔
        주세요. 일곱 시 거는 그대로 두고요" is the eight o'clock booking)."""
        new_values = intents.new_values_part(text) if self.form and self.form.task == "change" else ""
        about = intents.without_other_bookings(text.replace(new_values, " ") if new_values else text)
        day, spoken = parse_date(about, self.today), parse_time(about)
        items = {mention.name for mention in find_items(about, self.item_names)}

        def fit(booking: Booking) -> int:
            return ((day is not None and booking.start.date() == day)
                    + (spoken is not None and booking.start.time() in spoken.candidates())
                    + (booking.item in items))

        best = max(map(fit, bookings))
        return [booking for booking in bookings if fit(booking) == best]

    def _names_a_booking(self, text: str) -> bool:
        said = text.replace(" ", "")
        return any(booking.name and booking.name in said for booking in self.store.active_bookings())

    def _words_before_items(self, text: str) -> str:
        """What ``text`` says before its first item: "그냥 세 개 주시고요, 어니언도 두 개" → "그냥 세 개 주시고요"."""
        said = find_items(text, self.item_names)
        return " ".join(item_words(text, self.item_names)[: said[0].start]) if said else text

    def _choose_proposal(self, text: str) -> dt.datetime | None:
        form = self.form
        assert form is not None
        spoken = parse_time(text)
        if spoken:
            for proposal in form.proposals:
                if proposal.time() in [resolve_time(spoken, None), *spoken.candidates()]:
                    return proposal
            return None
        if parse_yes_no(text) and len(form.proposals) == 1:
            return form.proposals[0]
        # ("네 그 시간으로 해 주세요" after asking for the earliest time: the first one offered)
        if re.search(r"첫\s?번째|앞에|빠른|그\s?시간(?:으로|에|이요|요)", text):
            return form.proposals[0]
        if re.search(r"두\s?번째|뒤에|늦은", text) and len(form.proposals) > 1:
            return form.proposals[1]
        return None

    # ---------------------------------------------------------------------------------- next step

    def _next(self) -> str:
        form = self.form
        assert form is not None
        missing = self._missing()
        if missing == "rules":
            return self._rule_problem()
        if missing == "told":
            assert form.target is not None
            self.form = None
            self.expecting = None
            people = say_people(form.target.party)
            return f"{self._say_booking(form.target)}, {people} 예약이 있어요. {_ANYTHING_ELSE}"
        if missing:
            self.expecting = missing
            if missing == "time" and form.free_times_asked and form.date:
                form.free_times_asked = False
                offered = self._offer_free_times()
                if offered:
                    return offered
            if missing == "time" and form.period:
                return f"{form.period} 몇 시로 해 드릴까요?"
            return self._prompt(missing)
        self.expecting = None
        self.confirming = True
        return self._read_back()

    def _offer_free_times(self) -> str | None:
        """The earliest free times of the day asked about (from the part of day said, if any)."""
        form = self.form
        assert form is not None and form.date is not None
        hour = _PERIOD_START.get(form.period or "", 0)
        wanted = dt.datetime.combine(form.date, dt.time(hour), tzinfo=self.profile.zone)
        minutes = booking_minutes(self.profile, form.item)
        free = nearest_free(self.profile, self.store.active_bookings(), wanted, form.party or 1, minutes, self.now, 2)
        if not free or free[0].date() != form.date:
            return None
        form.proposals = free
        self.expecting = "proposal"
        return f"{say_times(free, self.today, form.date)}에 예약하실 수 있어요. 어느 시간으로 해 드릴까요?"

    def _prompt(self, missing: str) -> str:
        if missing == "phone" and self.form is not None and self.form.phone_start:
            return "네, 나머지 번호도 말씀해 주세요."
        if missing == "item":  # the caller may have named a service the shop does not have
            services = [item.name for item in self.profile.items if item.minutes][:5]
            return f"{', '.join(services)} 중에 어떤 걸로 해 드릴까요?"
        return _PROMPTS.get(missing, "")

    def _missing(self) -> str | None:
        form = self.form
        assert form is not None
        if form.task == "message":
            if not form.text:
                return "message"
            return None if form.phone else "phone"
        if form.task in ("change", "cancel", "check"):
            if form.target is None:
                return "lookup"
            if form.task == "cancel":
                return None
            if form.task == "check":
                return "told"
            if form.date is None and form.spoken_time is None and form.party is None and form.item is None:
                return "change"
            target = form.target
            if (self._start_time() == target.start and form.party in (None, target.party)
                    and form.item in (None, target.item)):
                # the booking said back as the caller named it ("목요일 두 시 예약했는데요"): nothing new yet
                form.date = form.spoken_time = form.party = form.item = None
                return "change"
            return "rules" if self._booking_problem() else None
        if form.task == "order":
            if not form.items:
                return "items"
            if form.spoken_time is None:
                return "time"
            if self._pickup_problem():
                return "rules"
            return "name" if not form.name else None if form.phone else "phone"
        # a new booking
        if form.date is None:
            return "date"
        if self._day_problem():
            return "rules"
        if form.spoken_time is None:
            return "time"
        if form.party is None:
            if self.profile.booking.max_party > 2:
                return "party"
            form.party = 1
        if form.item is None and not form.item_undecided and self._services and self.profile.kind in ("salon", "other"):
            return "item"
        if self._booking_problem():
            return "rules"
        if not form.name:
            return "name"
        return None if form.phone else "phone"

    def _start_time(self) -> dt.datetime | None:
        form = self.form
        assert form is not None
        day = form.date or (form.target.start.date() if form.target else self.today)
        if form.spoken_time is None:
            if form.target is None:
                return None
            clock = form.target.start.time()
        else:
            hours = self.profile.hours_on(day)
            allowed = [(hours.opens, hours.closes)] if hours else _all_hours(self.profile)
            clock = resolve_time(form.spoken_time, allowed)
        return dt.datetime.combine(day, clock, tzinfo=self.profile.zone)

    def _day_problem(self) -> str | None:
        """What rules out the whole day, before a time is asked for: closed, past, too far ahead."""
        form = self.form
        assert form is not None
        if form.date is None:
            return None
        if form.date < self.today:
            return "이미 지난 날이에요"
        if self.profile.hours_on(form.date) is None:
            return f"{say_date(form.date, self.today)}은 쉬는 날이에요"
        if (form.date - self.today).days > self.profile.booking.days_ahead:
            return f"예약은 {self.profile.booking.days_ahead}일 앞까지만 받고 있어요"
        return None

    def _booking_problem(self) -> str | None:
        form = self.form
        assert form is not None
        start = self._start_time()
        if start is None:
            return None
        target = form.target
        party = form.party or (target.party if target else 1)
        item = form.item or (target.item if target else None)
        minutes = booking_minutes(self.profile, item)
        bookings = self.store.active_bookings()
        ignore = target.ref if target else None
        problem = check_booking(self.profile, bookings, start, party, minutes, self.now, ignore)
        if problem is None:
            return None
        form.proposals = nearest_free(self.profile, bookings, start, party, minutes, self.now, 2, ignore)
        return problem.reason

    def _pickup_problem(self) -> str | None:
        form = self.form
        assert form is not None
        start = self._start_time()
        assert start is not None
        problem = check_opening(self.profile, start, 0, self.now, self.profile.orders.min_notice_minutes, "주문")
        if problem and problem.code == "after_close":
            problem = check_opening(self.profile, start - dt.timedelta(minutes=1), 0, self.now, 0)
        return problem.reason if problem else None

    def _rule_problem(self) -> str:
        form = self.form
        assert form is not None
        day_problem = self._day_problem() if form.task == "booking" else None
        if day_problem:
            self.notes.append(f"규칙: {day_problem}")
            form.refused_date, form.date = form.date, None
            form.proposals = []
            self.expecting = "date"
            return f"죄송해요, {day_problem}. 다른 날은 어떠세요?"
        reason = (self._pickup_problem() if form.task == "order" else self._booking_problem()) or ""
        start = self._start_time()
        self.notes.append(f"규칙: {reason}")
        if form.task != "order" and (form.party or 0) > self.profile.booking.max_party:
            # Too many people: only the party is asked again; the day and time said stand.
            form.party, form.too_many = None, True
            form.proposals = []
            self.expecting = "party"
            return f"죄송해요, {reason}. 몇 분이세요?"
        form.refused_time, form.spoken_time = form.spoken_time, None
        if form.task != "change" or form.target is None:
            form.date = start.date() if start and self.profile.hours_on(start.date()) else None
        if form.task == "order" or not form.proposals:
            form.proposals = []
            self.expecting = "time" if form.date else "date"
            return f"죄송해요, {reason}. 다른 {'시간' if form.date else '날'}은 어떠세요?"
        self.expecting = "proposal"
        options = say_times(form.proposals, self.today, start.date() if start else None)
        return f"죄송해요, {reason}. {josa(options, '은/는')} 어떠세요?"

    # ------------------------------------------------------------------------------- confirmation

    def _read_back(self) -> str:
        form = self.form
        assert form is not None
        if form.task == "message":
            return f"{form.text}, 이렇게 전해 드리고 {format_phone(form.phone or '')}로 연락드리면 될까요?"
        if form.task == "cancel":
            target = form.target
            assert target is not None
            return f"{self._say_booking(target)} 예약을 취소해 드릴까요?"
        if form.task == "change":
            target = form.target
            assert target is not None
            start = self._start_time()
            assert start is not None
            party = form.party or target.party
            what = f", {form.item}" if form.item and form.item != target.item else ""
            return (
                f"{self._say_booking(target)} 예약을 {say_date(start.date(), self.today)} {say_time(start.time())}, "
                f"{josa(say_people(party) + what, '으로/로')} 바꿔 드릴까요?"
            )
        start = self._start_time()
        assert start is not None
        when = f"{say_date(start.date(), self.today)} {say_time(start.time())}"
        if form.task == "order":
            items = ", ".join(f"{m.name} {m.qty}개" for m in form.items)
            return (
                f"{items}, {when}에 찾으러 오시고, {form.name} 님, {format_phone(form.phone or '')} 맞으세요?"
            )
        what = f", {form.item}" if form.item else ""
        return (
            f"{when}, {say_people(form.party or 1)}{what}, {form.name} 님, "
            f"{format_phone(form.phone or '')} 맞으세요?"
        )

    def _say_booking(self, booking: Booking) -> str:
        return (
            f"{say_date(booking.start.date(), self.today)} {say_time(booking.start.time())} {booking.name} 님"
        )

    def _confirmation(self, text: str) -> str:
        form = self.form
        assert form is not None
        answer = parse_yes_no(text)
        if answer is True and intents.yes_but(text):
            answer = None  # "네 근데 한 명 더 올 수도 있어요": asked again, nothing written yet
        if answer is True and intents.asks(text) and not intents.starts_with_yes(text):
            answer = None  # "예약금은 돌려받을 수 있는 거죠?" to "…취소해 드릴까요?" asks first; it is no yes
        before = self._said_back()
        corrected = self._fill(text) if form.task not in ("cancel",) else False
        # (a change that leaves what is said back as it was is no correction: "토분은 큰 거 말고 중간 거 두 개로 해
        # 주세요" misread as 토분 대 again must not be read back for a yes, but asked about)
        if corrected and self._said_back() != before:
            self.confirming = False
            self.failures = 0
            return self._next()
        if answer is True:
            self.confirming = False
            written = self._write()
            said = intents.sentences(text)
            rest = re.sub(r"^(?:그리고|그럼|아|또)\s", "", " ".join(said[1:]))
            if len(said) > 1 and intents.only_agrees(said[0]) and self._detect(rest) in _TASKS and not self.ended:
                # "네 맞아요. 그리고 가는 김에 예약도 할게요, 다음 주 토요일 …": written, and the next task begun
                return f"{written.removesuffix(_ANYTHING_ELSE).strip()} {self._respond(rest)}"
            return written
        if answer is None and intents.asks_for_a_change(text):
            answer = False  # a change asked for and not understood: never read back as it stood, where a "네" would write it
        if answer is False:
            self.confirming = False
            if form.task in ("cancel", "message"):
                return self._abandon("알겠습니다, 취소하지 않을게요." if form.task == "cancel" else None)
            self.expecting = "correction"
            return "어느 부분을 바꿀까요? 바뀐 내용을 말씀해 주세요."
        if self._detect(text) == "handoff":
            self.confirming = False
            return self._handoff("손님이 사장님과 통화를 원하셨어요")
        if self._is_question(text):
            answer = self._side_question(text)  # "아 근데 화장하고 가도 돼요?": answered, then asked again
            if answer:
                return f"{answer} {self._read_back()}"
        if intents.asks(text):  # "뽑은 날 술 마시면 안 되죠?": passed on to the owner, then asked again
            return f"{self._note_question(text)} {self._read_back()}"
        return self._reprompt(confirming=True)

    def _said_back(self) -> tuple:
        """What a read-back says of the form: its values, and its items by name and quantity."""
        form = self.form
        assert form is not None
        items = [(mention.name, mention.qty) for mention in form.items]
        return form.date, form.spoken_time, form.party, form.item, form.name, form.phone, items

    def _note_question(self, text: str) -> str:
        """A question asked in the middle of a task that nothing answers: noted for the owner's summary."""
        self.notes.append(f"답하지 못한 문의: {text}")
        return "죄송해요, 그건 제가 정확히 안내해 드리기 어려워요. 사장님께 전해 둘게요."

    def _abandon(self, said: str | None) -> str:
        form = self.form
        assert form is not None
        if form.task == "message":
            form.text = None
            self.expecting = "message"
            return "다시 말씀해 주세요. " + _PROMPTS["message"]
        self.form = None
        return f"{said} {_ANYTHING_ELSE}"

    # ------------------------------------------------------------------------------------ writing

    def _write(self) -> str:
        form = self.form
        assert form is not None
        self.form = None
        self.expecting = None
        if form.task == "message":
            record = {"type": "message", "text": form.text, "phone": form.phone}
            self._record(record)
            return f"사장님께 전해 드릴게요. {_ANYTHING_ELSE}"
        if form.task == "cancel":
            target = form.target
            assert target is not None
            self.store.update_booking(target.ref, cancelled=True)
            self._record({"type": "booking_cancel", "ref": target.ref})
            self.caller_name, self.caller_phone = target.name or self.caller_name, target.phone or self.caller_phone
            return f"예약을 취소했어요. {_ANYTHING_ELSE}"
        start = self._start_time_of(form)
        self.last_start = start  # "아 그리고 … 같은 날 같은 시간으로 하나 더 잡아 주세요"
        if form.task == "change":
            target = form.target
            assert target is not None
            changes: dict[str, object] = {}
            if start != target.start:
                if start.date() != target.start.date():
                    changes["date"] = start.date().isoformat()
                if start.time() != target.start.time():
                    changes["time"] = start.strftime("%H:%M")
            if form.party and form.party != target.party:
                changes["party"] = form.party
            if form.item and form.item != target.item:
                changes["item"] = form.item  # "전체미용을 목욕으로 바꿀 수 있을까요?"
            if changes:
                item = form.item or target.item
                self.store.update_booking(target.ref, start=start, party=form.party or target.party, item=item,
                                          minutes=booking_minutes(self.profile, item))
                self._record({"type": "booking_change", "ref": target.ref, **changes})
            return f"예약을 바꿨어요. {_ANYTHING_ELSE}"
        if form.task == "order":
            ref = self.store.next_ref("O")
            self._record(
                {
                    "type": "order",
                    "items": [{"name": m.name, "qty": m.qty} for m in form.items],
                    "pickup": start.strftime("%Y-%m-%dT%H:%M"),
                    "name": form.name,
                    "phone": form.phone,
                }
            )
            return f"주문 받았어요. 주문 번호는 {josa(ref, '이에요/예요')}. {_ANYTHING_ELSE}"
        ref = self.store.next_ref("B")
        party = form.party or 1
        booking = Booking(
            ref,
            start,
            booking_minutes(self.profile, form.item),
            party,
            form.name or "",
            form.phone or "",
            form.item,
        )
        self.store.add_booking(booking)
        self._record(
            {
                "type": "booking",
                "ref": ref,
                "date": start.date().isoformat(),
                "time": start.strftime("%H:%M"),
                "party": party,
                "name": form.name,
                "phone": form.phone,
                "item": form.item,
            }
        )
        return f"예약됐어요. 예약 번호는 {josa(ref, '이에요/예요')}. {_ANYTHING_ELSE}"

    def _start_time_of(self, form: Form) -> dt.datetime:
        self.form = form
        try:
            start = self._start_time()
        finally:
            self.form = None
        assert start is not None
        return start

    def _record(self, record: dict) -> None:
        self.records.append(record)
        self.store.add_record(record)
        # a second task in the call starts with the name and number already given (read back, so correctable)
        self.caller_name = record.get("name") or self.caller_name
        self.caller_phone = record.get("phone") or self.caller_phone

    # -------------------------------------------------------------------- questions, offers, ends

    def _question(self, text: str) -> str:
        answer = self._side_question(text)
        if answer:
            return f"{answer} {_ANYTHING_ELSE}"
        if intents.is_greeting(text):
            return f"네, {self.profile.name} 맞아요. 무엇을 도와드릴까요?"
        self.failures += 1
        if not intents.looks_like_question(text) and self.failures <= MAX_REPROMPTS:
            return "죄송해요, 잘 못 알아들었어요. 예약, 주문, 문의 중에 어떤 걸 도와드릴까요?"
        if intents.looks_like_question(text):
            return self._offer("죄송해요, 그건 제가 정확히 안내해 드리기 어려워요.", f"답하지 못한 문의: {text}", text)
        return self._offer("죄송해요, 제가 잘 알아듣지 못했어요.", "알아듣지 못함", None)

    def _is_question(self, text: str) -> bool:
        """A question asked in the middle of a task ("주차 돼요?"), not an answer to the prompt."""
        if not intents.looks_like_question(text):
            return False
        return intents.question_kind(text) not in (None, "booking_info") or self.faq.match(text).answered

    def _aside_answers(self, text: str) -> str:
        """The owner's answers to questions asked beside a task ("목요일 두 시에 젤네일 예약하려고요 주차 되나요?"):
        the sentences that ask without naming a day or a time (each, or its clause after a background), when
        the FAQ answers every one of them."""
        asked = [
            sentence
            for sentence in question_sentences(text) or [intents.after_background(text)]
            if sentence != text and not (parse_date(sentence, self.today) or parse_time(sentence))
        ]
        answers = []
        for sentence in asked:
            match = self.faq.match(sentence)
            if match.faq is None:
                match = self.faq.match(intents.after_background(sentence))
            if match.faq is None:
                return ""  # half an answer is a wrong answer
            answers.append(match.faq.a)
        return " ".join(dict.fromkeys(answers))

    def _side_question(self, text: str) -> str | None:
        """An answer from the profile (hours, address, prices, items) or the FAQ; None when not sure."""
        kind = intents.question_kind(text)
        of_a_kind = self._items_of_a_kind(text) if kind == "items" else []
        if of_a_kind:  # "원두는 뭐 있어요?": the beans the shop sells, before any FAQ answer about beans
            return self._listing(of_a_kind)
        match = self.faq.match(text)
        # "지금 가게 문 열었어요?" asks the hours, though the owner's "새해 첫날에도 문 열어요?" has every word of it
        hours_only = kind == "hours" and match.answered and self.faq.words_met(text, match.faq) <= _HOURS_WORDS
        if match.answered and (kind is None or match.coverage >= 1.0) and not hours_only:
            mentions = find_items(text, self.item_names)
            if mentions:  # "학생은 커트 얼마예요?" answered by the FAQ: 커트 is still what the caller wants
                self.topic_item = mentions[0].name
            return " ".join(faq.a for faq in (match.faq, *match.more) if faq is not None)
        self.last_answer = kind
        if kind == "hours":
            day = parse_date(text, self.today)
            return say_day_hours(self.profile, day, self.today) if day else say_hours(self.profile)
        if kind == "address":
            return f"주소는 {josa(self.profile.address, '이에요/예요')}."
        mentions = find_items(text, self.item_names) if kind in (None, "price", "items") else []
        if mentions:
            self.topic_item = mentions[0].name
        if kind == "price":
            if mentions and self.faq.topic_words(text):
                return None  # "명함을 앞뒤 양면으로 찍으면 가격이 얼마나 올라요?" asks more than the price of 명함
            if mentions:
                return " ".join(self._price_of(m.name) for m in mentions)
            if self.topic_item:  # "얼마예요?" right after asking about an item
                return self._price_of(self.topic_item)
            # "주차비 얼마예요?" asks the price of something the profile does not list: not the menu
            return None if not self.profile.items or self.faq.topic_words(text) else self._menu()
        # "크루아상 있어요?"; not "소고기는 어느 정도 급으로 들어와요?" (it asks about more than an item)
        if mentions and intents.asks(text) and not self.faq.topic_words(text):
            return f"네, {josa(mentions[0].name, '이/가')} 있어요. {self._price_of(mentions[0].name)}"
        if kind == "items":
            return self._menu()
        if kind == "booking_info" and not self.profile.booking.enabled:
            return "죄송하지만 전화 예약은 받지 않고 있어요."
        return None

    def _price_of(self, name: str) -> str:
        item = self.profile.item(name)
        assert item is not None
        return (
            f"{josa(name, '은/는')} {say_price(item.price)}이에요."
            if item.price is not None
            else f"{name} 가격은 매장에 문의해 주세요."
        )

    def _menu(self) -> str:
        if not self.profile.items:
            return "죄송해요, 메뉴 안내는 어려워요."
        return self._listing(list(self.profile.items))

    def _listing(self, items: list[Item]) -> str:
        listed = ", ".join(
            f"{item.name} {say_price(item.price)}" if item.price is not None else item.name for item in items[:8]
        )
        return f"{listed} 등이 있어요." if len(items) > 8 else f"{josa(listed, '이/가')} 있어요."

    def _items_of_a_kind(self, text: str) -> list[Item]:
        """The items whose names share a word the caller said, where two or more do ("원두는 뭐 있어요?" → 원두
        200g, 원두 500g): what of that kind the shop sells."""
        said = text.split()
        for word in dict.fromkeys(w for item in self.profile.items for w in item.name.split() if len(w) >= 2):
            kind = [item for item in self.profile.items if word in item.name.split()]
            if len(kind) >= 2 and any(w == word or w.startswith(word) and len(w) - len(word) <= 2 for w in said):
                return kind
        return []

    def _offer_answer(self, text: str) -> str:
        reason, self.offering = self.offering or "", None
        question, self.pending_question = self.pending_question, None
        # "아 그럼 됐어요" ends like a question (…어요) but declines the offer; "애기 데려가도 괜찮아요?" asks one.
        declined = intents.declines(text) and self._detect(text) != "handoff" and not self._is_question(text)
        if not declined and (
            self._is_question(text) or (intents.looks_like_question(text) and parse_yes_no(text) is None)
        ):
            return self._respond(text)  # a new question instead of an answer to the offer
        asked = _YES_THEN.sub("", text)
        if (asked != text and intents.asks(asked) and parse_yes_no(asked) is None and not intents.declines(asked)
                and self._detect(asked) not in ("handoff", "message")):
            return self._respond(asked)  # "아 네. 그럼 거기서 샤워하고 나올 수 있어요?": heard, and a new question
        intent = self._detect(text)
        # ("메시지 남기고 그럴 일이 아니에요. 사장님 바꿔 주세요": the owner asked for outright, the message refused)
        if intent == "message" or (intent != "handoff" and intents.wants_message(text)):
            # "그럼 약사님한테 내일 열 시쯤 간다고만 좀 전해 주세요": the message said with the request
            self.form = Form("message", text=intents.message_body(text) or question)
            self.failures = 0
            self._fill_phone(text)
            self.form.phone = self.form.phone or self.caller_phone
            return self._next()
        if intent in ("booking", "order", "change", "cancel", "check") or (intent is None and self._implicit_task(text)):
            # "네 그럼 국거리 한 근이랑 … 찾으러 갈게요", "아 네 그럼 다음주 월요일 저녁 6시에 네명 되요": a task instead
            # of the owner
            return self._respond(text)
        answer = parse_yes_no(text)
        if intent == "goodbye":
            return self._goodbye()  # "네 그게 다예요": no thanks, and goodbye
        if intent == "handoff" and intents.requests_owner(text):
            return self._handoff(reason)  # "…그럴 일이 아니에요. 사장님 바꿔 주세요": the 아니에요 is not a no
        # "네 알겠어요" to "사장님께 연결해 드릴까요?" takes the answer in; it does not ask for the owner.
        if answer is False or intent == "no" or intents.acknowledges(text) or (
            intent != "handoff" and intents.declines(text)
        ):
            return f"알겠습니다. {_ANYTHING_ELSE}"
        if intent == "handoff" or intents.wants_owner(text) or answer is True:
            return self._handoff(reason)
        self.failures = 0
        return self._respond(text)

    def _reprompt(self, confirming: bool = False) -> str:
        self.failures += 1
        if self.failures > MAX_REPROMPTS:
            self.confirming = False
            self.form = None
            self.expecting = None
            self.notes.append("알아듣지 못해 사장님 연결을 제안함")
            return self._offer("죄송해요, 제가 잘 알아듣지 못했어요.", "알아듣지 못함", None)
        if confirming:
            return _REPROMPTS["confirm"]
        key = self.expecting or "confirm"
        if key == "lookup" and self.lookup_missed:
            self.lookup_missed = False  # the caller is told once; a number heard wrong is asked for again
            return "죄송해요, 말씀하신 번호나 성함으로 된 예약을 찾지 못했어요. 예약하실 때 남기신 번호를 다시 말씀해 주시겠어요?"
        return _REPROMPTS.get(key, "죄송해요, 다시 한번 말씀해 주시겠어요? " + self._prompt(key))

    def _handoff(self, reason: str) -> str:
        """Hand the caller to the owner: the call ends here and the call layer transfers it (``transfer_failed``
        when that did not work); where it cannot, the owner gets a message with a callback number."""
        self._record({"type": "handoff", "reason": reason})
        self.form = None
        if not self.can_transfer:
            return self._message_instead("지금은 사장님께 바로 연결해 드릴 수 없어요.")
        self.ended = True
        return "사장님께 연결해 드릴게요. 잠시만 기다려 주세요."

    def transfer_failed(self) -> str:
        """The call layer could not pass the caller to the owner: the call goes on, taking a message."""
        self.ended = False
        return self._message_instead("죄송해요, 사장님께 연결이 되지 않았어요.")

    def _message_instead(self, said: str) -> str:
        handoff = next(record for record in reversed(self.records) if record["type"] == "handoff")
        handoff["transferred"] = False
        self.form = Form("message")
        self.expecting = "message"
        self.confirming = False
        self.offering = None
        self.failures = 0
        return f"{said} 말씀을 남겨 주시면 사장님이 전화드릴 거예요. {_PROMPTS['message']}"

    def _goodbye(self) -> str:
        self.ended = True
        return "전화 주셔서 감사합니다. 좋은 하루 보내세요."

    def summary(self) -> str:
        """One paragraph for the owner: who called, what they wanted, what came of it."""
        if not self.records:
            outcome = "기록된 예약이나 주문은 없어요"
            return f"손님 전화: {outcome}." + (f" ({'; '.join(self.notes)})" if self.notes else "")
        parts = []
        for record in self.records:
            kind = record["type"]
            if kind == "booking":
                parts.append(
                    f"{record['name']} 님({record['phone']})이 {record['date']} {record['time']} "
                    f"{record['party']}명 예약({record['ref']})"
                )
            elif kind == "booking_change":
                changed = ", ".join(f"{k} {v}" for k, v in record.items() if k not in ("type", "ref"))
                parts.append(f"예약 {record['ref']} 변경({changed})")
            elif kind == "booking_cancel":
                parts.append(f"예약 {record['ref']} 취소")
            elif kind == "order":
                items = ", ".join(f"{i['name']} {i['qty']}개" for i in record["items"])
                parts.append(
                    f"{record['name']} 님({record['phone']}) 포장 주문 {items}, {record['pickup']} 픽업"
                )
            elif kind == "message":
                parts.append(f"메시지 '{record['text']}' (회신 {record['phone']})")
            elif record.get("transferred") is False:
                parts.append(f"사장님 연결 요청(연결되지 않음): {record['reason']}")
            else:
                parts.append(f"사장님 연결 요청: {record['reason']}")
        return "; ".join(parts) + "."


def _merge_items(old: list[ItemMention], new: list[ItemMention]) -> list[ItemMention]:
    """Items said again with a quantity replace their earlier quantity; items named again without one ("양념
    맛이 맵지 않죠?") keep it; new ones are added."""
    merged = {m.name: m for m in old}
    for mention in new:
        if mention.counted or mention.name not in merged:
            merged[mention.name] = mention
    return list(merged.values())


def _all_hours(profile: ShopProfile) -> list[tuple[int, int]]:
    return [(h.opens, h.closes) for h in profile.hours.values() if h is not None]
