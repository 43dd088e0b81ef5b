"""The assistant on a live call session: caller audio in 20 ms frames → (scripted) streaming recogniser →
dialogue → the answer queued in the owner's voice; barge-in stops the assistant; the dialogue's goodbye
hangs up once the answer has been heard; the turns, records and summary are handed over at the end."""

from __future__ import annotations

import asyncio

import numpy as np

from moksori.asr.streaming import Recognition
from moksori.assistant.dialogue import Call
from moksori.assistant.phone import AssistantLine
from moksori.assistant.store import MemoryStore
from moksori.calls.endings import ASSISTANT_ENDED
from moksori.calls.session import ME, CallSession
from tests.calls.doubles import ToneVoice

from .conftest import NOW, profile_from

SHOP = """
name: 동네 국밥
kind: restaurant
address: 서울 마포구 독막로 10
owner_phone: "010-1111-2222"
hours: {mon: "11:00-21:00", tue: "11:00-21:00", wed: "11:00-21:00", thu: "11:00-21:00", fri: "11:00-21:00"}
booking: {enabled: true, slot_minutes: 60, capacity: 2, max_party: 8}
"""
BLOCK = 320  # 20 ms at 16 kHz


class ScriptedRecognizer:
    """'Recognises' the n-th loud stretch of audio as the n-th caller line: partials while it is loud, the
    final line when it goes quiet — the shape of vosk's results, with known words."""

    sample_rate = 16000

    def __init__(self, lines: list[str]) -> None:
        self.lines = list(lines)
        self.loud_since: float | None = None
        self.samples = 0

    def accept(self, samples: np.ndarray) -> list[Recognition]:
        results = []
        for start in range(0, samples.size, BLOCK):
            block = samples[start : start + BLOCK]
            at = self.samples / 16000
            self.samples += block.size
            loud = float(np.sqrt(np.mean(block**2))) > 0.05
            if loud and self.loud_since is None:
                self.loud_since = at
            if loud:
                results.append(Recognition(self.lines[0][:2], False, self.loud_since, self.samples / 16000))
            elif self.loud_since is not None:
                results.append(Recognition(self.lines.pop(0), True, self.loud_since, at))
                self.loud_since = None
        return results

    def finish(self) -> Recognition | None:
        return None


async def speak(session: CallSession, seconds: float, loud: bool) -> None:
    """The caller's microphone: 20 ms blocks of a tone (speech) or silence, a little faster than real time."""
    for _ in range(round(seconds * 50)):
        t = np.arange(BLOCK) / 16000
        session.hear((0.4 * np.sin(2 * np.pi * 200 * t) if loud else np.zeros(BLOCK)).astype(np.float32), 16000)
        await asyncio.sleep(0.004)


async def line_pulls(session: CallSession) -> None:
    """The transport: takes the assistant's voice frame by frame."""
    while not session.closed:
        session.next_frame()
        await asyncio.sleep(0.002)


async def until(condition, limit_s: float = 20.0) -> None:
    for _ in range(int(limit_s / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


def test_a_booking_by_voice_with_barge_in_and_the_goodbye_hanging_up() -> None:
    caller = ["내일 저녁 7시에 네 명 예약할게요", "김민수요", "공일공 일이삼사 오륙칠팔", "네 맞아요", "아니요 없어요 안녕히 계세요"]

    async def main():
        session = CallSession(ToneVoice(), recognizer_factory=lambda: ScriptedRecognizer(caller))
        events: list[dict] = []
        session.subscribe(events.append)
        await session.start(listen=True)
        finished: list[tuple] = []
        store = MemoryStore()
        line = AssistantLine(session, Call(profile_from(SHOP), store, NOW), finished=lambda *a: finished.append(a))
        puller = asyncio.create_task(line_pulls(session))
        await line.begin()
        await until(lambda: session.stats.frames_sent >= 10)  # the greeting is being heard …
        await speak(session, 0.4, loud=True)  # … and the caller talks over it
        await speak(session, 0.2, loud=False)
        barged = line.barge_ins
        for _ in caller[1:]:
            await until(lambda: len(line.turns) == sum(entry.speaker == ME for entry in session.transcript)
                        and not session.speaking and not session.waiting)  # the answer was heard to its end
            await speak(session, 0.3, loud=True)
            await speak(session, 0.2, loud=False)
        await until(lambda: any(event["type"] == "ended" for event in events))  # closed, and said so
        await line.finish()
        puller.cancel()
        return session, line, store, finished, barged, events

    session, line, store, finished, barged, events = asyncio.run(main())
    assert barged == 1
    said = [entry for entry in session.transcript if entry.speaker == ME]
    assert said[0].text.startswith("안녕하세요, 동네 국밥입니다") and said[0].final is False  # cut off by the caller
    assert [turn["caller"] for turn in line.turns[1:]] == caller
    assert store.records[0] == {"type": "booking", "ref": "B1", "date": "2026-12-02", "time": "19:00", "party": 4,
                                "name": "김민수", "phone": "01012345678", "item": None}
    assert "감사합니다" in line.turns[-1]["assistant"] and line.call.ended
    assert said[-1].text == line.turns[-1]["assistant"] and said[-1].final  # the goodbye was heard to its end
    assert [e for e in events if e["type"] == "ended"][0]["reason"] == ASSISTANT_ENDED
    turns, records, summary = finished[0]
    assert turns == line.turns and records == store.records and "김민수" in summary


def test_words_during_the_call_notice_do_not_cut_away_the_greeting() -> None:
    """The caller's "여보세요?" while the call notice plays must not stop it, nor drop the greeting queued
    behind it: both tell the caller what they are talking to."""

    async def main():
        session = CallSession(ToneVoice(), recognizer_factory=lambda: ScriptedRecognizer(["여보세요"]))
        await session.start(listen=True)
        session.say("이 통화는 합성 음성으로 안내됩니다 " * 3)  # the call notice, said before the dialogue starts
        line = AssistantLine(session, Call(profile_from(SHOP), MemoryStore(), NOW))
        puller = asyncio.create_task(line_pulls(session))
        await line.begin()
        await until(lambda: session.stats.frames_sent >= 10)
        await speak(session, 0.3, loud=True)
        await speak(session, 0.2, loud=False)
        await until(lambda: sum(entry.speaker == ME for entry in session.transcript) >= 3)
        await session.close()
        await line.finish()
        puller.cancel()
        return session, line

    session, line = asyncio.run(main())
    said = [entry for entry in session.transcript if entry.speaker == ME]
    assert line.barge_ins == 0 and said[0].final and said[1].text.startswith("안녕하세요, 동네 국밥입니다") and said[1].final
    assert line.turns[1]["caller"] == "여보세요"  # and what they said is still a turn, answered after the greeting


def test_an_answer_the_caption_missed_is_heard_again_under_the_grammar() -> None:
    """The read-back's "네 맞아요" captioned as "내 마자" (no yes or no in it): the same stretch of the caller's
    audio goes to the restricted recogniser with the yes/no phrases, and its "네" confirms the booking."""
    caller = ["내일 저녁 7시에 네 명 예약할게요", "김민수요", "공일공 일이삼사 오륙칠팔", "내 마자", "아니요 없어요 안녕히 계세요"]
    asked: list[tuple[np.ndarray, list[str]]] = []

    def hear_restricted(audio: np.ndarray, phrases: list[str]) -> str:
        asked.append((audio, phrases))
        return "네"

    async def main():
        session = CallSession(ToneVoice(), recognizer_factory=lambda: ScriptedRecognizer(caller))
        await session.start(listen=True)
        store = MemoryStore()
        line = AssistantLine(session, Call(profile_from(SHOP), store, NOW), hear_restricted=hear_restricted)
        puller = asyncio.create_task(line_pulls(session))
        await line.begin()
        for _ in caller:
            await until(lambda: len(line.turns) == sum(entry.speaker == ME for entry in session.transcript)
                        and not session.speaking and not session.waiting)
            await speak(session, 0.3, loud=True)
            await speak(session, 0.2, loud=False)
        await until(lambda: session.closed)
        await line.finish()
        puller.cancel()
        return line, store

    line, store = asyncio.run(main())
    assert len(asked) == 1 and "네" in asked[0][1] and "아니요" in asked[0][1]
    audio = asked[0][0]
    # The caller's 0.3 s of speech with a little of the silence around it, as the recogniser heard it.
    assert 0.35 <= audio.size / 16000 <= 0.75
    loud = np.sqrt(np.convolve(audio**2, np.ones(320) / 320, mode="valid")) > 0.05
    assert 0.25 <= loud.sum() / 16000 <= 0.35
    confirmed = line.turns[4]
    assert confirmed["caller"] == "네" and confirmed["caption"] == "내 마자"
    assert store.records[0]["type"] == "booking" and store.records[0]["name"] == "김민수"


def test_a_silent_caller_is_asked_again_and_the_line_hangs_up_after_a_few_times() -> None:
    async def main():
        session = CallSession(ToneVoice(), recognizer_factory=lambda: ScriptedRecognizer(["내일 저녁 7시에 예약할게요"]))
        await session.start(listen=True)
        line = AssistantLine(session, Call(profile_from(SHOP), MemoryStore(), NOW), no_reply_s=0.3)
        puller = asyncio.create_task(line_pulls(session))
        ended: list[dict] = []
        session.subscribe(lambda event: ended.append(event) if event["type"] == "ended" else None)
        await line.begin()
        await until(lambda: len(line.turns) == 2)  # the greeting, then "여보세요?" into the silence
        await until(lambda: not session.speaking and not session.waiting)
        await speak(session, 0.3, loud=True)  # the caller answers at last
        await speak(session, 0.2, loud=False)
        await until(lambda: bool(ended))  # and then says nothing more
        await line.finish()
        puller.cancel()
        return session, line

    session, line = asyncio.run(main())
    prompts = [turn for turn in line.turns if turn.get("silence")]
    assert line.turns[1] in prompts and line.turns[1]["assistant"].startswith("여보세요?")
    assert line.turns[2]["caller"] == "내일 저녁 7시에 예약할게요" and not line.turns[2].get("silence")
    assert len(prompts) == 4 and "끊을게요" in prompts[-1]["assistant"] and line.call.ended
    said = [entry for entry in session.transcript if entry.speaker == ME]
    assert said[-1].text == prompts[-1]["assistant"] and said[-1].final  # the goodbye was heard before hanging up


def test_after_a_failed_transfer_the_call_goes_on_and_its_goodbye_still_hangs_up() -> None:
    caller = ["사장님 좀 바꿔 주세요", "내일 단체 예약 문의드려요", "공일공 일이삼사 오륙칠팔", "네 맞아요", "아니요 안녕히 계세요"]

    async def main():
        session = CallSession(ToneVoice(), recognizer_factory=lambda: ScriptedRecognizer(caller))
        await session.start(listen=True)
        hung_up: list[str] = []

        async def transfer() -> bool:
            return False  # the trunk takes no transfers

        async def hang_up(reason: str) -> None:
            hung_up.append(reason)
            await session.close(reason)

        store = MemoryStore()
        line = AssistantLine(session, Call(profile_from(SHOP), store, NOW), hang_up=hang_up, transfer=transfer)
        puller = asyncio.create_task(line_pulls(session))
        await line.begin()
        for _ in caller:
            await until(lambda: len(line.turns) >= 2 and not session.speaking and not session.waiting
                        and not any(t["assistant"].startswith("사장님께 연결해 드릴게요") for t in line.turns[-1:]))
            await speak(session, 0.3, loud=True)
            await speak(session, 0.2, loud=False)
        await until(lambda: session.closed)
        await line.finish()
        puller.cancel()
        return line, store, hung_up

    line, store, hung_up = asyncio.run(main())
    assert [record["type"] for record in store.records] == ["handoff", "message"]
    assert hung_up == [ASSISTANT_ENDED] and "감사합니다" in line.turns[-1]["assistant"]
