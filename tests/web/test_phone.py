"""Phone calls from the web app through the user's own SIP account. The SIP phone here is the real
``SipPhone`` and ``SipCall`` with only the worker process left out: the commands the worker would get are
recorded, and each test plays the worker's events (ringing, connected, ended, an incoming call).
tests/calls/test_sip.py runs the worker itself against real phones and a registrar."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import re
import time

import numpy as np
import pytest

from moksori.calls import sip_problems
from moksori.calls.sip import CALLS_PER_LINE, SipError, SipPhone
from moksori.web import i18n
from moksori.web.messages import emergency_notice, sip_problem_words
from tests.calls.sip_peers import FAR_MICROPHONE, Baresip, Kamailio, have_baresip, kamailio_binary

needs_sip_peers = pytest.mark.skipif(
    not have_baresip() or kamailio_binary() is None or importlib.util.find_spec("pjsua2") is None,
    reason="baresip and kamailio (scripts/install-system.sh) and pjsua2-python (the 'sip' extra) are needed")
HANGUL = re.compile("[가-힣]")
ACCOUNT = {"server": "pbx.example.org", "username": "alice01", "password": "right-password", "caller_id": ""}


class WorkerlessPhone(SipPhone):
    """A SipPhone whose worker is the test: ``sent`` holds its commands; the registrar accepts only
    "right-password"."""

    phones: list[WorkerlessPhone] = []

    async def start(self, timeout: float = 10.0) -> None:
        self.sent: list[dict] = []
        self.closed = False
        WorkerlessPhone.phones.append(self)
        self._on_event({"event": "ready", "listen": "127.0.0.1:5999"})
        accepted = self.settings.account["password"] == "right-password"
        self._on_event({"event": "registration", "code": 200 if accepted else 403,
                        "reason": "OK" if accepted else "Forbidden", "active": accepted})

    def _send(self, command: dict) -> None:
        self.sent.append(command)

    def _write(self, data: bytes) -> None:
        pass  # the voice's audio frames

    async def close(self) -> None:
        self.closed = True


@pytest.fixture
def phones(app) -> list[WorkerlessPhone]:
    WorkerlessPhone.phones = []
    app.state.phone_lines.make_phone = WorkerlessPhone
    return WorkerlessPhone.phones


def _worker_says(client, phone: WorkerlessPhone, **event) -> None:
    """Play one event of the worker on the app's event loop, and let the tasks it starts run."""
    async def play() -> None:
        phone._on_event(event)
        await asyncio.sleep(0.2)

    client.portal.call(play)


def _ended(client, call_id: int) -> dict:
    for _ in range(50):
        call = client.get(f"/api/calls/{call_id}").json()
        if call["status"] == "ended":
            return call
        client.portal.call(asyncio.sleep, 0.05)
    raise AssertionError(call)


def test_dialling_needs_the_users_own_account_and_a_password_the_registrar_accepts(speaker, phones):
    response = speaker.post("/api/phone/calls", json={"number": "021234567"})
    assert response.status_code == 409 and "SIP account" in response.json()["detail"]
    speaker.post("/account/sip", data={**ACCOUNT, "password": "wrong"})
    response = speaker.post("/api/phone/calls", json={"number": "021234567"})
    assert response.status_code == 502 and "refused the user name or password" in response.json()["detail"]
    assert not HANGUL.search(response.json()["detail"])  # in the interface language alone
    assert phones[0].closed  # a refused line is not kept: the corrected password is tried next time
    speaker.post("/language", data={"language": "ko", "next": "/"})
    korean = speaker.post("/api/phone/calls", json={"number": "021234567"}).json()["detail"]
    assert "비밀번호를 거부" in korean and not re.search(r"[A-Za-z]{2,}", korean.replace("SIP", "")), korean
    assert speaker.get("/api/phone").json() == {"state": "problem", "message": korean, "ringing": []}


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_phone_line_problem_is_worded_in_one_language(language):
    params = {"status": "488", "reason": "Not Acceptable Here", "target": "'1@2'", "address": "'sip:x y'",
              "calls": "4"}
    try:
        i18n.use_language(language)
        said = {code: sip_problem_words(SipError(code, **params)) for code in sip_problems.ENGLISH}
        assert len(set(said.values())) == len(said)  # each problem has words of its own
        # An error with no problem code (a worker that would not start for a reason of its own): as not starting.
        assert sip_problem_words(OSError("no such file")) == said[sip_problems.LINE_NOT_STARTED]
        for words in [*said.values(), emergency_notice()]:
            assert bool(HANGUL.search(words)) == (language == "ko"), words
            if language == "ko":  # only SIP, the SIP scheme, the status's reason and the addresses stay as they are
                rest = words
                for kept in ("sip:x y", "SIP", "sip:", "Not Acceptable Here"):
                    rest = rest.replace(kept, "")
                assert not re.search(r"[A-Za-z]{2,}", rest), words
    finally:
        i18n.use_language(i18n.DEFAULT_LANGUAGE)


def test_a_dialled_call_rings_connects_speaks_the_notice_and_hangs_up(speaker, phones):
    speaker.post("/account/sip", data=ACCOUNT)
    response = speaker.post("/api/phone/calls", json={"number": "02-123-4567"})
    assert response.status_code == 200, response.text
    call = response.json()
    assert call["mode"] == "phone" and call["status"] == "waiting" and call["notice"] is None
    (phone,) = phones
    dialled = [c for c in phone.sent if c["op"] == "call"]
    assert [c["uri"] for c in dialled] == ["sip:021234567@pbx.example.org"]  # through alice's own server
    assert phone.settings.account["user"] == "alice01" and phone.settings.account["password"] == "right-password"

    _worker_says(speaker, phone, event="state", id=dialled[0]["id"], state="ringing")
    assert speaker.post(f"/api/calls/{call['id']}/keys", json={"keys": "1"}).status_code == 409  # not answered yet
    _worker_says(speaker, phone, event="state", id=dialled[0]["id"], state="connected")
    assert speaker.post(f"/api/calls/{call['id']}/keys", json={"keys": "1#"}).status_code == 200
    assert {"op": "dtmf", "id": dialled[0]["id"], "digits": "1#", "info": False} in phone.sent
    assert speaker.post(f"/api/calls/{call['id']}/keys", json={"keys": "1x"}).status_code == 422
    live = speaker.get(f"/api/calls/{call['id']}").json()
    assert live["status"] == "active" and live["live"]
    assert speaker.post(f"/api/calls/{call['id']}/say", json={"text": "약 주세요"}).status_code == 200

    # This side hangs up: the worker is told, and the call row ends.
    speaker.portal.call(_hang_up_soon, speaker, call["id"], phone, dialled[0]["id"])
    assert any(c["op"] == "hangup" and c["id"] == dialled[0]["id"] for c in phone.sent)
    ended = _ended(speaker, call["id"])
    assert (ended["end_reason"], ended["end_reason_text"]) == ("hung_up", "you hung up")


async def _hang_up_soon(client, call_id: int, phone: WorkerlessPhone, sip_id: int) -> None:
    """The hang-up route waits for the worker's "ended"; the worker answers a moment later."""
    async def worker_answers() -> None:
        while not any(c["op"] == "hangup" for c in phone.sent):
            await asyncio.sleep(0.02)
        phone._on_event({"event": "state", "id": sip_id, "state": "ended", "reason": "hung_up"})

    answering = asyncio.ensure_future(worker_answers())
    response = await asyncio.get_running_loop().run_in_executor(None, lambda: client.post(f"/api/calls/{call_id}/hangup"))
    assert response.status_code == 200
    await answering


def test_why_a_phone_call_ended_is_a_code_worded_in_the_users_language(speaker, phones):
    """A Korean screen reads the SIP worker's reason in Korean alone: on the call screen's stream of events, in
    the call's JSON and its transcript; the code stays the same in every language."""
    speaker.post("/language", data={"language": "ko", "next": "/"})
    speaker.post("/account/sip", data=ACCOUNT)
    call = speaker.post("/api/phone/calls", json={"number": "sip:bob@example.net"}).json()
    assert (call["end_reason"], call["end_reason_text"]) == (None, None)
    (phone,) = phones
    sip_id = phone.sent[-1]["id"]
    _worker_says(speaker, phone, event="state", id=sip_id, state="ringing")
    with speaker.stream("GET", f"/api/calls/{call['id']}/events") as stream:
        lines = stream.iter_lines()
        assert json.loads(next(lines)[5:])["type"] == "state"
        _worker_says(speaker, phone, event="state", id=sip_id, state="ended", reason="busy")
        events = [json.loads(line[5:]) for line in lines if line.startswith("data:")]
    assert events[-1]["type"] == "ended"
    assert {key: events[-1][key] for key in ("reason", "reason_params", "reason_text")} == {
        "reason": "busy", "reason_params": {}, "reason_text": "통화 중이었어요"}
    ended = _ended(speaker, call["id"])
    assert (ended["end_reason"], ended["end_reason_params"], ended["end_reason_text"]) == ("busy", {}, "통화 중이었어요")
    assert "통화 끝 (통화 중이었어요)" in speaker.get(f"/api/calls/{call['id']}/transcript.txt").text
    speaker.post("/language", data={"language": "en", "next": "/"})
    assert speaker.get(f"/api/calls/{call['id']}").json()["end_reason_text"] == "the line was busy"

    # A SIP answer without words of its own comes with its status code.
    call = speaker.post("/api/phone/calls", json={"number": "021234567"}).json()
    _worker_says(speaker, phone, event="state", id=phone.sent[-1]["id"], state="ended", reason="sip_failed?status=487")
    ended = _ended(speaker, call["id"])
    assert ended["end_reason"] == "sip_failed" and ended["end_reason_params"] == {"status": "487"}
    assert ended["end_reason_text"] == "the call did not go through: SIP status 487"


def test_emergency_numbers_are_dialled_with_the_notice(speaker, phones):
    speaker.post("/account/sip", data=ACCOUNT)
    call = speaker.post("/api/phone/calls", json={"number": "119"}).json()
    assert "text 119" in call["notice"] and not HANGUL.search(call["notice"])
    assert phones[0].sent[-1]["uri"] == "sip:119@pbx.example.org"
    calls_page = speaker.get("/calls").text
    assert "emergency services may not be reachable" in calls_page


def test_dialling_is_limited_per_user_per_minute(speaker, phones, make_client, app):
    app.state.phone_lines.dial_limit.per_minute = 2
    speaker.post("/account/sip", data=ACCOUNT)
    assert [speaker.post("/api/phone/calls", json={"number": "021234567"}).status_code for _ in range(3)] == [
        200, 200, 429]
    response = speaker.post("/api/phone/calls", json={"number": "021234567"})
    assert 0 < int(response.headers["Retry-After"]) <= 60 and "wait" in response.json()["detail"]
    assert len([c for c in phones[0].sent if c["op"] == "call"]) == 2
    # Emergency numbers are never held back by the limit.
    assert [speaker.post("/api/phone/calls", json={"number": n}).status_code for n in ("119", "sip:112@x")] == [200, 200]
    # Another user's limit is their own.
    bob = make_client("bob@example.com")
    assert bob.post("/api/phone/calls", json={"number": "021234567"}).status_code == 409  # no account, not 429


def test_only_attempts_that_reach_the_sip_stack_count_towards_the_dial_limit(speaker, phones, app):
    app.state.phone_lines.dial_limit.per_minute = 2
    # No SIP account yet, then a wrong password, then no number at all: no call is placed, none is counted.
    assert [speaker.post("/api/phone/calls", json={"number": "021234567"}).status_code for _ in range(3)] == [409] * 3
    speaker.post("/account/sip", data={**ACCOUNT, "password": "wrong"})
    assert [speaker.post("/api/phone/calls", json={"number": "021234567"}).status_code for _ in range(3)] == [502] * 3
    speaker.post("/account/sip", data=ACCOUNT)
    assert [speaker.post("/api/phone/calls", json={"number": "no/such number"}).status_code
            for _ in range(3)] == [422] * 3
    assert not any(c["op"] == "call" for phone in phones for c in phone.sent)
    # The two attempts allowed are still there, and the third is held back.
    assert [speaker.post("/api/phone/calls", json={"number": "021234567"}).status_code for _ in range(3)] == [
        200, 200, 429]
    assert len([c for c in phones[-1].sent if c["op"] == "call"]) == 2


def test_a_call_beyond_what_the_line_holds_is_refused_in_plain_words(speaker, phones, app):
    app.state.phone_lines.dial_limit.per_minute = 10
    speaker.post("/account/sip", data=ACCOUNT)
    placed = [speaker.post("/api/phone/calls", json={"number": "021234567"}) for _ in range(CALLS_PER_LINE)]
    assert [r.status_code for r in placed] == [200] * CALLS_PER_LINE
    refused = speaker.post("/api/phone/calls", json={"number": "021234567"})
    assert refused.status_code == 409 and f"already has {CALLS_PER_LINE} calls" in refused.json()["detail"]
    assert len([c for c in phones[0].sent if c["op"] == "call"]) == CALLS_PER_LINE
    assert len(speaker.get("/api/calls").json()["calls"]) == CALLS_PER_LINE  # no call row for the refused one
    # One call ends: the line has room again.
    first = next(c for c in phones[0].sent if c["op"] == "call")
    _worker_says(speaker, phones[0], event="state", id=first["id"], state="ended", reason="far_end_hung_up")
    assert speaker.post("/api/phone/calls", json={"number": "021234567"}).status_code == 200


def _ringing(client, phones: list[WorkerlessPhone], sip_id: int, caller: str) -> dict:
    """A call from ``caller`` comes in on the worker; the ringing call the user's page sees."""
    assert client.get("/api/phone").json()["state"] == "registered"  # the calls page started the line
    _worker_says(client, phones[-1], event="incoming", id=sip_id, caller=caller)
    (ringing,) = client.get("/api/phone").json()["ringing"]
    return ringing


def test_an_incoming_call_rings_only_its_owners_page_and_is_answered(speaker, phones, make_client):
    speaker.post("/account/sip", data=ACCOUNT)
    assert speaker.get("/api/phone").json() == {"state": "registered", "message": None, "ringing": []}
    ringing = _ringing(speaker, phones, 1 << 20, "<sip:0101234@pbx.example.org>")
    assert ringing["type"] == "ringing" and "0101234" in ringing["caller"]
    ring_id = ringing["ring_id"]

    intruder = make_client("mallory@example.com")
    intruder.post("/account/sip", data={**ACCOUNT, "username": "mallory"})
    assert intruder.get("/api/phone").json()["ringing"] == []
    assert intruder.post(f"/api/phone/ringing/{ring_id}/answer", json={}).status_code == 404
    assert intruder.post(f"/api/phone/ringing/{ring_id}/decline").status_code == 404

    response = speaker.post(f"/api/phone/ringing/{ring_id}/answer", json={})
    assert response.status_code == 200, response.text
    assert {"op": "answer", "id": 1 << 20} in phones[0].sent
    assert speaker.get("/api/phone").json()["ringing"] == []
    assert speaker.post(f"/api/phone/ringing/{ring_id}/answer", json={}).status_code == 404  # answered once
    _worker_says(speaker, phones[0], event="state", id=1 << 20, state="connected")
    assert speaker.get(f"/api/calls/{response.json()['id']}").json()["status"] == "active"


def test_a_declined_call_is_refused_at_the_far_end(speaker, phones):
    speaker.post("/account/sip", data=ACCOUNT)
    ring_id = _ringing(speaker, phones, (1 << 20) + 1, "<sip:x@pbx.example.org>")["ring_id"]
    assert speaker.post(f"/api/phone/ringing/{ring_id}/decline").status_code == 200
    assert any(c["op"] == "hangup" and c["id"] == (1 << 20) + 1 for c in phones[0].sent)
    assert speaker.get("/api/phone").json()["ringing"] == []


def test_without_an_account_the_page_says_where_to_set_it_up(speaker, phones):
    with speaker.stream("GET", "/api/phone/events") as stream:
        events = [json.loads(line[5:]) for line in stream.iter_lines() if line.startswith("data:")]
    assert events == [{"type": "line", "state": "none", "message": events[0]["message"]}]
    assert "Account page" in events[0]["message"] and phones == []


def test_changing_or_deleting_the_account_closes_the_line(speaker, phones):
    speaker.post("/account/sip", data=ACCOUNT)
    speaker.post("/api/phone/calls", json={"number": "021234567"})
    speaker.post("/account/sip", data={**ACCOUNT, "server": "pbx.example.net", "password": ""})
    assert phones[0].closed
    speaker.post("/api/phone/calls", json={"number": "021234567"})
    assert phones[1].sent[-1]["uri"] == "sip:021234567@pbx.example.net"
    speaker.post("/account/sip/delete")
    assert phones[1].closed
    assert speaker.post("/api/phone/calls", json={"number": "021234567"}).status_code == 409


def test_lines_register_when_the_account_is_saved_and_a_refusing_registrar_is_tried_again(speaker, phones, app):
    app.state.phone_lines.retry_first_s = 0.05
    speaker.post("/account/sip", data={**ACCOUNT, "password": "wrong"})  # no page opened, no call dialled
    _until(lambda: len(phones) >= 3)  # refused, and tried again in the background, waiting longer each time
    assert all(phone.closed for phone in phones[:-1])
    try:
        for language, words in (("ko", "비밀번호를 거부"), ("en", "refused the user name or password")):
            i18n.use_language(language)  # as a request in that language would
            state, problem = app.state.phone_lines.status(1)
            assert state == "problem" and words in problem
    finally:
        i18n.use_language(i18n.DEFAULT_LANGUAGE)
    assert "refused the user name or password" in speaker.get("/shop").text  # the app answers meanwhile
    speaker.post("/account/sip", data=ACCOUNT)  # corrected: registered at once
    _until(lambda: app.state.phone_lines.status(1) == ("registered", None))
    tries = len(phones)
    speaker.post("/account/sip/delete")
    assert phones[-1].closed and app.state.phone_lines.status(1) == ("none", None)
    time.sleep(0.5)
    assert len(phones) == tries  # a removed account is not tried again


class SlowRegistrarPhone(WorkerlessPhone):
    """A phone whose registrar takes half a minute to answer (far away, or down)."""

    async def start(self, timeout: float = 10.0) -> None:
        await asyncio.sleep(30)
        await super().start(timeout)


def test_every_line_registers_in_the_background_when_the_server_starts(speaker, phones, app, make_client):
    speaker.post("/account/sip", data=ACCOUNT)
    _until(lambda: app.state.phone_lines.status(1)[0] == "registered")
    speaker.portal.call(app.state.phone_lines.close_all)  # the server stops …
    assert app.state.phone_lines.status(1) == ("none", None)
    make_client()  # … and starts again: the line registers with no page open and no call dialled
    _until(lambda: app.state.phone_lines.status(1)[0] == "registered")
    assert len(phones) == 2 and phones[1].settings.account["user"] == "alice01"


def test_a_slow_registrar_does_not_hold_up_the_servers_start(speaker, phones, app, make_client):
    speaker.post("/account/sip", data=ACCOUNT)
    speaker.portal.call(app.state.phone_lines.close_all)
    app.state.phone_lines.make_phone = SlowRegistrarPhone
    restarted = make_client()  # had the start waited for the registrar, the line would be registered by now
    _until(lambda: app.state.phone_lines.status(1) == ("starting", None))
    assert restarted.get("/login").status_code == 200


CALLER = "<sip:01098765432@pbx.example.org>"


def _shop_answers_the_phone(client, server: str = ACCOUNT["server"]) -> None:
    from .test_shop import PROFILE

    client.put("/api/shop/profile", json={"profile_yaml": PROFILE})
    client.post("/account/sip", data={**ACCOUNT, "server": server})
    saved = client.put("/api/shop/phone", json={"answers_phone": True, "answer_rings": 0})
    assert saved.status_code == 200 and saved.json()["answers_phone"], saved.text


def _said(client, call_id: int) -> list[str]:
    """What this side said in the call so far (the transcript's lines of "me")."""
    return [line["text"] for line in client.get(f"/api/calls/{call_id}").json()["lines"] if line["speaker"] == "me"]


def _answered_by_the_assistant(client, phones: list[WorkerlessPhone], sip_id: int) -> dict:
    """A call comes in on the line the server keeps (no page open); the assistant answers it: its call."""
    phone = _until(lambda: phones and phones[-1].registered and phones[-1])
    _worker_says(client, phone, event="incoming", id=sip_id, caller=CALLER)
    _until(lambda: {"op": "answer", "id": sip_id} in phone.sent)  # after the first ring
    _worker_says(client, phone, event="state", id=sip_id, state="connected")
    (call,) = [c for c in client.get("/api/calls").json()["calls"] if c["mode"] == "assistant"]
    return call


def test_the_phone_setting_needs_a_profile_and_a_sip_account(alice):
    from .test_shop import PROFILE

    on = {"answers_phone": True, "answer_rings": 2}
    assert alice.get("/api/shop").json()["answers_phone"] is False  # off unless the owner switches it on
    assert "profile" in alice.put("/api/shop/phone", json=on).json()["detail"]
    alice.put("/api/shop/profile", json={"profile_yaml": PROFILE})
    refused = alice.put("/api/shop/phone", json=on)
    assert refused.status_code == 409 and "SIP account" in refused.json()["detail"]
    alice.post("/account/sip", data=ACCOUNT)
    assert alice.put("/api/shop/phone", json={**on, "answer_rings": 99}).status_code == 422
    saved = alice.put("/api/shop/phone", json=on).json()
    assert (saved["answers_phone"], saved["answer_rings"]) == (True, 2)
    page = alice.get("/shop").text
    assert 'id="answers-phone" checked' in page and '<option value="2" selected>' in page
    assert alice.put("/api/shop/phone", json={"answers_phone": False}).json()["answers_phone"] is False


def test_the_assistant_answers_the_owners_line_and_no_page_rings(speaker, phones):
    _shop_answers_the_phone(speaker)
    call = _answered_by_the_assistant(speaker, phones, 1 << 20)
    assert speaker.get("/api/phone").json()["ringing"] == []
    assert call["status"] == "active"
    said = _until(lambda: len(lines := _said(speaker, call["id"])) >= 2 and lines, timeout=20)
    assert "자동 응답 도우미" in said[1]  # the call notice first, then the assistant's greeting, heard to the end
    _worker_says(speaker, phones[-1], event="state", id=1 << 20, state="ended", reason="far_end_hung_up")
    assert _ended(speaker, call["id"])["end_reason"] == "far_end_hung_up"
    (shop_call,) = _until(lambda: speaker.get("/api/shop/records?kind=call").json()["records"])
    assert "동네 국밥" in shop_call["data"]["turns"][0]["assistant"]


def test_the_pages_ring_when_the_assistant_is_off_or_cannot_answer(alice, phones):
    _shop_answers_the_phone(alice)  # alice has no voice yet: the assistant cannot answer
    assert _ringing(alice, phones, 1 << 20, CALLER)["caller"] == CALLER
    alice.put("/api/shop/phone", json={"answers_phone": False})
    _worker_says(alice, phones[-1], event="incoming", id=(1 << 20) + 1, caller=CALLER)
    assert len(alice.get("/api/phone").json()["ringing"]) == 2
    assert not any(c["op"] == "answer" for c in phones[-1].sent)


def _caller_says(client, sip_call, seconds: float) -> None:
    """The far end's microphone: a loud stretch (a line the scripted recogniser reads), then quiet."""
    async def speak() -> None:
        t = np.arange(160) / 8000
        loud = (0.4 * 32767 * np.sin(2 * np.pi * 200 * t)).astype("<i2").tobytes()
        for n in range(round(seconds * 50) + 15):
            sip_call._on_audio(loud if n < seconds * 50 else bytes(320))
            await asyncio.sleep(0.02)

    client.portal.call(speak)


@pytest.mark.parametrize("answer", ["refused", "connected"])
def test_a_hand_off_on_the_line_is_a_transfer_to_the_owner_or_else_a_message(answer, speaker, phones, services):
    from tests.assistant.test_phone_line import ScriptedRecognizer

    caller = ["사장님 좀 바꿔 주세요", "내일 단체 예약 문의드려요", "공일공 일이삼사 오륙칠팔", "네 맞아요"]
    services.recognizer = lambda language: ScriptedRecognizer(caller)
    _shop_answers_the_phone(speaker)
    call = _answered_by_the_assistant(speaker, phones, 1 << 20)
    phone, sip_call = phones[-1], phones[-1].calls[1 << 20]
    _until(lambda: len(_said(speaker, call["id"])) >= 2, timeout=20)  # the notice and the greeting were heard
    _caller_says(speaker, sip_call, 0.4)
    transfer = _until(lambda: [c for c in phone.sent if c["op"] == "transfer"], timeout=20)
    assert transfer == [{"op": "transfer", "id": 1 << 20, "uri": "sip:01011112222@pbx.example.org"}]  # owner_phone
    _worker_says(speaker, phone, event="transfer", id=1 << 20, code=202, reason="Accepted", final=False)
    if answer == "connected":  # the owner picked up: this side leaves the call
        _worker_says(speaker, phone, event="transfer", id=1 << 20, code=200, reason="OK", final=True)
        _until(lambda: any(c["op"] == "hangup" for c in phone.sent))
        _worker_says(speaker, phone, event="state", id=1 << 20, state="ended", reason="You hung up.")
        assert _ended(speaker, call["id"])["end_reason"] == "assistant_transferred"
        (shop_call,) = _until(lambda: speaker.get("/api/shop/records?kind=call").json()["records"])
        assert shop_call["data"]["records"] == [{"type": "handoff", "reason": "손님이 사장님과 통화를 원하셨어요"}]
        return
    # The far end's phone or trunk does not take transfers: the caller is told, and leaves a message.
    _worker_says(speaker, phone, event="transfer", id=1 << 20, code=501, reason="Not Implemented", final=True)
    said = _until(lambda: [text for text in _said(speaker, call["id"]) if "연결이 되지 않았어요" in text], timeout=10)
    assert "전화드릴" in said[0]
    for _line in caller[1:]:
        _caller_says(speaker, sip_call, 0.3)
    (message,) = _until(lambda: speaker.get("/api/shop/records?kind=message").json()["records"], timeout=20)
    assert message["data"] == {"text": "내일 단체 예약 문의드려요", "phone": "01012345678"}
    _worker_says(speaker, phone, event="state", id=1 << 20, state="ended", reason="far_end_hung_up")
    (shop_call,) = _until(lambda: speaker.get("/api/shop/records?kind=call").json()["records"])
    assert "연결되지 않음" in shop_call["data"]["summary"] and call["status"] == "active"


@pytest.fixture
def registered_far_phone(speaker, app, tmp_path):
    """kamailio on loopback, knowing alice and "far"; a baresip phone registered there as "far"."""
    app.state.phone_lines.bind_address = "127.0.0.1"
    registrar = Kamailio(tmp_path, {"alice01": "right-password", "far": "farpw"})
    registrar.start()
    far = Baresip(tmp_path, FAR_MICROPHONE, registrar=registrar)
    try:
        speaker.portal.call(far.start)
        speaker.portal.call(far.wait_registered)
        yield registrar, far
    finally:
        speaker.portal.call(far.stop)
        registrar.stop()


@pytest.mark.slow
@needs_sip_peers
def test_a_phone_call_through_a_registrar_both_ways_from_the_web_app(speaker, app, registered_far_phone):
    """The real SIP worker, registered with kamailio as alice; baresip registered there as "far"."""
    registrar, far = registered_far_phone
    speaker.post("/account/sip", data={**ACCOUNT, "server": registrar.address})
    call = speaker.post("/api/phone/calls", json={"number": "far"}).json()
    assert _status(speaker, call["id"], "active")["status"] == "active"
    time.sleep(2.5)  # the notice, in alice's (double) voice, goes out first
    assert speaker.post(f"/api/calls/{call['id']}/hangup").json()["status"] == "ended"
    assert np.abs(far.heard()).max() > 0.1  # the far phone heard her voice

    far.command("dial", f"sip:alice01@{registrar.address}")
    ringing = _until(lambda: speaker.get("/api/phone").json()["ringing"])
    answered = speaker.post(f"/api/phone/ringing/{ringing[0]['ring_id']}/answer", json={}).json()
    assert _status(speaker, answered["id"], "active")["status"] == "active"
    time.sleep(2)
    far.command("hangup")
    ended = _status(speaker, answered["id"], "ended")
    assert ended["end_reason"] == "far_end_hung_up"
    assert any(line["speaker"] == "them" for line in ended["lines"])  # the far phone's tone, captioned
    assert speaker.portal.call(app.state.phone_lines.lines[1].phone.idle)


def _until(probe, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not (result := probe()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
    return result


def _status(client, call_id: int, status: str) -> dict:
    return _until(lambda: (call := client.get(f"/api/calls/{call_id}").json())["status"] == status and call)


@pytest.fixture
def shop_line(speaker, app, registered_far_phone):
    """Alice's shop with the assistant on her line, which the server registers with kamailio in the background
    (no page open); a baresip phone registered there as "far" (auto-answering) calls her number."""
    registrar, far = registered_far_phone
    _shop_answers_the_phone(speaker, server=registrar.address)
    _until(lambda: app.state.phone_lines.status(1)[0] == "registered")
    far.command("dial", f"sip:alice01@{registrar.address}")
    return far


def _assistant_call_saying(client, words: str) -> dict:
    """The assistant's call, once a line of this side holds ``words``."""
    def found() -> dict | None:
        for call in client.get("/api/calls").json()["calls"]:
            if call["mode"] == "assistant" and any(words in text for text in _said(client, call["id"])):
                return call
        return None

    return _until(found, timeout=30)


@pytest.mark.slow
@needs_sip_peers
def test_the_shops_assistant_answers_a_phone_call_on_the_owners_line(speaker, app, shop_line):
    """The far phone calls alice's number and the shop's assistant answers it: the notice and the greeting reach
    the far phone, the transcript and the dashboard have the assistant's first line, and no page rang."""
    call = _assistant_call_saying(speaker, "자동 응답 도우미")
    assert speaker.get("/api/phone").json()["ringing"] == []  # the assistant took it; no page rang
    speaker.portal.call(shop_line.wait_event, "CALL_ESTABLISHED")
    shop_line.command("hangup")
    ended = _status(speaker, call["id"], "ended")
    assert ended["end_reason"] == "far_end_hung_up"
    heard = shop_line.heard()
    assert heard.size > 8000 * 2 and np.abs(heard).max() > 0.1  # the notice and greeting, in alice's voice
    (shop_call,) = _until(lambda: speaker.get("/api/shop/records?kind=call").json()["records"], timeout=20)
    assert "동네 국밥" in shop_call["data"]["turns"][0]["assistant"]
    assert speaker.portal.call(app.state.phone_lines.lines[1].phone.idle)


@pytest.mark.slow
@needs_sip_peers
def test_a_transfer_the_owners_phone_cannot_take_becomes_a_message_on_a_real_line(speaker, services, request):
    """The caller asks for the owner (the far phone's tone, read as that): the worker REFERs the far phone to
    owner_phone on kamailio, where no such phone is registered; the new call fails and the caller is told."""
    from tests.assistant.test_phone_line import ScriptedRecognizer

    services.recognizer = lambda language: ScriptedRecognizer(["사장님 좀 바꿔 주세요"])
    far = request.getfixturevalue("shop_line")
    call = _assistant_call_saying(speaker, "연결이 되지 않았어요")
    transfer = next(event for event in far.events if event.get("type") == "TRANSFER")
    assert transfer["param"].startswith("sip:01011112222@127.0.0.1:")  # owner_phone on alice's own server
    assert any(event.get("type") == "CALL_CLOSED" and "404" in event.get("param", "") for event in far.events)
    far.command("hangup")
    (shop_call,) = _until(lambda: speaker.get("/api/shop/records?kind=call").json()["records"], timeout=20)
    assert "연결되지 않음" in shop_call["data"]["summary"] and call["mode"] == "assistant"


def test_one_server_process_keeps_the_lines_from_the_start(tmp_path):
    """With ``serve --workers N`` only the process holding the lock registers every line at start-up."""
    import subprocess
    import sys

    from moksori.web.phone_lines import claim_start_up_lines

    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, pathlib; from moksori.web.phone_lines import claim_start_up_lines; "
         f"lock = claim_start_up_lines(pathlib.Path({str(tmp_path)!r})); print(lock is not None, flush=True); "
         "sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "True"
        assert claim_start_up_lines(tmp_path) is None  # another server process keeps them
    finally:
        holder.communicate("")
    lock = claim_start_up_lines(tmp_path)  # that process stopped: this one keeps them now
    assert lock is not None
    lock.close()
