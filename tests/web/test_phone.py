"""Phone calls from the web app through the user's own SIP account. The SIP phone here is the real
``SipPhone`` and ``SipCall`` with only the worker process left out: the commands the worker would get are
recorded, and each test plays the worker's events (ringing, connected, ended, an incoming call).
tests/calls/test_sip.py runs the worker itself against real phones and a registrar."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import time

import numpy as np
import pytest

from moksori.calls.sip import SipPhone
from tests.calls.sip_peers import FAR_MICROPHONE, Baresip, Kamailio, have_baresip, kamailio_binary

needs_sip_peers = pytest.mark.skipif(
    not have_baresip() or kamailio_binary() is None or importlib.util.find_spec("pjsua2") is None,
    reason="baresip and kamailio (scripts/install-system.sh) and pjsua2-python (the 'sip' extra) are needed")
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
    assert phones[0].closed  # a refused line is not kept: the corrected password is tried next time


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
    assert "text 119" in call["notice"]
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


@pytest.mark.slow
@needs_sip_peers
def test_a_phone_call_through_a_registrar_both_ways_from_the_web_app(speaker, app, tmp_path):
    """The real SIP worker, registered with kamailio as alice; baresip registered there as "far"."""
    app.state.phone_lines.bind_address = "127.0.0.1"
    registrar = Kamailio(tmp_path, {"alice01": "right-password", "far": "farpw"})
    registrar.start()
    far = Baresip(tmp_path, FAR_MICROPHONE, registrar=registrar)
    try:
        speaker.portal.call(far.start)
        speaker.portal.call(far.wait_registered)
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
    finally:
        speaker.portal.call(far.stop)
        registrar.stop()


def _until(probe, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not (result := probe()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
    return result


def _status(client, call_id: int, status: str) -> dict:
    return _until(lambda: (call := client.get(f"/api/calls/{call_id}").json())["status"] == status and call)
