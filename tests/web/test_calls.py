"""Calls and conversations through the web app: links, the far end's page, saying into a call, the
conversation socket, transcripts (list, read, download, delete, delete-all), and bad input."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import httpx
import numpy as np
import pytest
import uvicorn
from aiortc import RTCConfiguration, RTCPeerConnection
from sqlalchemy import event, select, update
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect as websocket_connect

from moksori.audio.framing import pcm16_bytes
from moksori.calls import call_problems, endings
from moksori.calls.notice import CALL_NOTICE
from moksori.web import i18n, store
from moksori.web.messages import call_ending_words, call_problem_words
from moksori.web.security import SESSION_COOKIE
from moksori.web.storage.models import Call, CallLine, User

from .conftest import record, run_next_job


@pytest.fixture
def voiced(app, settings, services, alice, speech):
    """Alice, with a (double) voice built."""
    record(alice, "script:0", *speech[0])
    record(alice, "script:1", *speech[1])
    alice.post("/api/builds")
    run_next_job(app, settings, services)
    return alice


@pytest.fixture
def served(app, voiced):
    """The same app under uvicorn in a thread (one event loop, as in production), with Alice's cookies:
    the conversation socket needs a real server, since the test client gives each WebSocket a loop of its own."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", ws="websockets-sansio")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", cookies=dict(voiced.cookies),
                          headers={"X-CSRF-Token": voiced.csrf_token()})  # bound to the session
    yield client
    client.close()
    server.should_exit = True
    thread.join(timeout=10)


def browser_offer(direction: str = "sendrecv") -> str:
    """A real WebRTC offer with audio, as the far end's browser makes it (the user's call page: receive only)."""
    async def make() -> str:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        pc.addTransceiver("audio", direction=direction)
        await pc.setLocalDescription(await pc.createOffer())
        sdp = pc.localDescription.sdp
        await pc.close()
        return sdp

    return asyncio.run(make())


@contextmanager
def stranger(client):
    """The same browser without its login: someone with the link and no account. (One client, so one
    event loop, as in a real server; a second TestClient would run the app's start-up again.)"""
    token = client.cookies.get(SESSION_COOKIE)
    client.cookies.delete(SESSION_COOKIE)
    try:
        yield client
    finally:
        client.cookies.set(SESSION_COOKIE, token)


def token_of(call: dict) -> str:
    return call["join_url"].rsplit("/", 1)[1]


def lines(client, call_id: int) -> list[dict]:
    return client.get(f"/api/calls/{call_id}").json()["lines"]


def test_a_call_link_is_unguessable_shown_once_and_stored_only_hashed(app, voiced):
    call = voiced.post("/api/calls", json={"mode": "call"}).json()
    token = token_of(call)
    assert len(token) >= 32  # 24 random bytes = 192 bits (at least 128 asked for)
    assert call["qr_svg"].startswith("<svg") and call["status"] == "waiting"
    with app.state.db.session() as db:
        row = db.get(Call, call["id"])
        assert row.link_hash and token not in row.link_hash
    page = voiced.get(f"/call/{token}")  # any browser, even one with a session, sees the notice
    assert page.status_code == 200
    assert CALL_NOTICE["ko"] in page.text and CALL_NOTICE["en"] in page.text


def test_the_far_end_joins_once_the_notice_is_said_first_and_a_reused_link_is_refused(voiced):
    call = voiced.post("/api/calls", json={"mode": "call"}).json()
    voiced.post(f"/api/calls/{call['id']}/say", json={"text": "먼저 입력한 말"})
    with stranger(voiced) as far_end:
        assert far_end.get("/api/calls").status_code == 401  # really not logged in
        answer = far_end.post(f"/api/join/{token_of(call)}", json={"sdp": browser_offer()})
    assert answer.status_code == 200 and answer.json()["sdp"].startswith("v=0")
    state = voiced.get(f"/api/calls/{call['id']}").json()
    assert state["status"] == "active" and state["joined_at"]
    with stranger(voiced) as far_end:
        again = far_end.post(f"/api/join/{token_of(call)}", json={"sdp": browser_offer()})
        assert again.status_code == 404 and "already used" in again.json()["detail"]
        assert far_end.get(f"/call/{token_of(call)}").status_code == 404


def test_an_expired_link_is_refused_and_a_new_link_replaces_it(app, voiced):
    call = voiced.post("/api/calls", json={"mode": "call"}).json()
    with app.state.db.session() as db:
        db.execute(update(Call).values(link_expires_at=datetime.now(UTC) - timedelta(seconds=1)))
        db.commit()
    with stranger(voiced) as far_end:
        refused = far_end.post(f"/api/join/{token_of(call)}", json={"sdp": browser_offer()})
        assert refused.status_code == 410 and "expired" in refused.json()["detail"]
        assert far_end.get(f"/call/{token_of(call)}").status_code == 410
    fresh = voiced.post(f"/api/calls/{call['id']}/link").json()
    assert token_of(fresh) != token_of(call)
    with stranger(voiced) as far_end:
        assert far_end.post(f"/api/join/{token_of(call)}", json={"sdp": "x"}).status_code == 404  # old one is gone
        assert far_end.get(f"/call/{token_of(fresh)}").status_code == 200


def test_the_users_page_listens_to_a_call_not_to_a_conversation(voiced):
    call = voiced.post("/api/calls", json={"mode": "call"}).json()
    answer = voiced.post(f"/api/calls/{call['id']}/listen", json={"sdp": browser_offer(direction="recvonly")})
    assert answer.status_code == 200 and "a=sendonly" in answer.json()["sdp"]
    again = voiced.post(f"/api/calls/{call['id']}/listen", json={"sdp": browser_offer(direction="recvonly")})
    assert again.status_code == 200  # a reloaded page replaces its connection
    assert voiced.post(f"/api/calls/{call['id']}/listen", json={"sdp": "v=0 nonsense"}).status_code == 400
    conversation = voiced.post("/api/calls", json={"mode": "conversation"}).json()
    refused = voiced.post(f"/api/calls/{conversation['id']}/listen", json={"sdp": browser_offer(direction="recvonly")})
    assert refused.status_code == 409


def test_a_broken_offer_is_refused_without_spending_the_link(voiced):
    call = voiced.post("/api/calls", json={"mode": "call"}).json()
    with stranger(voiced) as far_end:
        bad = far_end.post(f"/api/join/{token_of(call)}", json={"sdp": "v=0\r\nnot really"})
        assert bad.status_code == 400 and "could not start" in bad.json()["detail"]
        assert far_end.post(f"/api/join/{token_of(call)}", json={"sdp": browser_offer()}).status_code == 200
        huge = far_end.post("/api/join/whatever", json={"sdp": "x" * 300_000})
        assert huge.status_code == 422


def test_saying_into_a_call_checks_its_input_and_keeps_the_transcript(voiced, settings):
    call_id = voiced.post("/api/calls", json={"mode": "call"}).json()["id"]
    assert voiced.post(f"/api/calls/{call_id}/say", json={"text": "안녕하세요"}).json() == {"waiting": 1}
    huge = voiced.post(f"/api/calls/{call_id}/say", json={"text": "가" * (settings.max_speak_chars + 1)})
    assert huge.status_code == 413 and "characters" in huge.json()["detail"]
    assert voiced.post(f"/api/calls/{call_id}/say", json={"text": "  "}).status_code == 422
    assert voiced.post("/api/calls/999999/say", json={"text": "안녕"}).status_code == 404
    assert voiced.get(f"/api/calls/{call_id}").json()["waiting"] == ["안녕하세요"]
    keys = voiced.post(f"/api/calls/{call_id}/keys", json={"keys": "1"})
    assert keys.status_code == 409 and "phone call" in keys.json()["detail"]  # a browser call has no keypad
    assert voiced.post(f"/api/calls/{call_id}/hangup").json()["status"] == "ended"
    after = voiced.post(f"/api/calls/{call_id}/say", json={"text": "안녕"})
    assert after.status_code == 409 and "transcript is kept" in after.json()["detail"]
    assert voiced.post(f"/api/calls/{call_id}/hangup").status_code == 200  # twice is harmless


def test_without_a_voice_a_call_is_refused_clearly(alice):
    response = alice.post("/api/calls", json={"mode": "call"})
    assert response.status_code == 409 and "no voice" in response.json()["detail"]


HANGUL = re.compile("[가-힣]")


def test_call_errors_and_the_transcript_are_in_the_language_asked_for(voiced, app):
    """Every error of the calls API comes from the catalog: with Korean screens it reads in Korean only."""
    voiced.post("/language", data={"language": "ko", "next": "/"})
    call = voiced.post("/api/calls", json={"mode": "call"}).json()
    errors = [voiced.post(f"/api/calls/{call['id']}/say", json={"text": " "}),
              voiced.post(f"/api/calls/{call['id']}/say", json={"text": "가" * 5000})]
    with stranger(voiced) as far_end:
        errors.append(far_end.post(f"/api/join/{token_of(call)}", json={"sdp": "v=0\r\nnot really"}))
        errors.append(far_end.post("/api/join/not-a-link", json={"sdp": "x"}))
    voiced.post(f"/api/calls/{call['id']}/hangup")
    errors.append(voiced.post(f"/api/calls/{call['id']}/say", json={"text": "안녕"}))
    errors.append(voiced.post(f"/api/calls/{call['id']}/link"))
    details = [response.json()["detail"] for response in errors]
    assert [response.status_code for response in errors] == [422, 413, 400, 404, 409, 409]
    for detail in details:
        assert HANGUL.search(detail), detail
    assert not any(re.search(r"\b(the|call|link|text)\b", detail, re.I) for detail in details), details
    with app.state.db.session() as db:
        db.add(CallLine(call_id=call["id"], user_id=db.get(Call, call["id"]).user_id, speaker="them", text="여보세요",
                        start_s=0.0, end_s=1.0, final=True))
        db.commit()
    transcript = voiced.get(f"/api/calls/{call['id']}/transcript.txt").text
    assert "통화" in transcript and "상대: 여보세요" in transcript
    voiced.post("/language", data={"language": "en", "next": "/"})
    english = voiced.post(f"/api/calls/{call['id']}/say", json={"text": "안녕"}).json()["detail"]
    assert english == "This call has ended; its transcript is kept."
    assert "Them: 여보세요" in voiced.get(f"/api/calls/{call['id']}/transcript.txt").text


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_end_reason_is_worded_in_each_language(language):
    try:
        i18n.use_language(language)
        for code in endings.CODES:
            words = call_ending_words(code, {"status": "487", "source": "192.0.2.1"})
            if code == endings.ENDED:  # nothing known but that it ended: the screen says just that
                assert words is None
                continue
            assert words and bool(HANGUL.search(words)) == (language == "ko"), (code, words)
            if language == "ko":
                assert not re.search(r"[A-Za-z]{2,}", words.replace("SIP", "")), (code, words)
    finally:
        i18n.use_language(i18n.DEFAULT_LANGUAGE)


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_call_problem_is_worded_in_one_language(language):
    params = {"length": "1200", "limit": "1000", "command": "'jump'"}
    try:
        i18n.use_language(language)
        said = {code: call_problem_words(code, params, "English") for code in call_problems.ENGLISH}
        assert len(set(said.values())) == len(said)  # each problem has words of its own
        for code, words in said.items():
            assert bool(HANGUL.search(words)) == (language == "ko"), (code, words)
            if language == "ko":  # only the command the page sent stays as it was
                assert not re.search(r"[A-Za-z]{2,}", words.replace("'jump'", "")), (code, words)
        assert call_problem_words("some_new_problem", {}, "Something new.") == "Something new."
    finally:
        i18n.use_language(i18n.DEFAULT_LANGUAGE)


# End reasons as calls were stored before they were codes: English phrases, and the SIP worker's sentences.
OLD_END_REASONS = {
    "hung up": ("hung_up", {}, "전화를 끊었어요"),
    "the other person left (the connection failed)": ("far_end_left", {}, "상대방의 연결이 끊어졌어요"),
    "nobody joined before the link expired": ("expired", {}, "링크가 만료될 때까지 아무도 들어오지 않았어요"),
    "the server restarted": ("server_restarted", {}, "서버가 다시 시작됐어요"),
    "The other side hung up. 상대방이 전화를 끊었습니다.": ("far_end_hung_up", {}, "상대방이 전화를 끊었어요"),
    "Nobody answered. 받지 않습니다.": ("no_answer", {}, "받지 않았어요"),
    "The call failed (487 Request Terminated). 통화가 연결되지 않았습니다.": (
        "sip_failed", {"status": "487"}, "전화가 연결되지 않았어요: SIP 상태 487"),
    "deleted": ("deleted", {}, "통화 기록을 삭제했어요"),
    "something else": ("ended", {}, None),
}


def test_calls_stored_with_old_english_end_reasons_read_in_the_users_language(app, alice):
    alice.post("/language", data={"language": "ko", "next": "/"})
    with app.state.db.session() as db:
        user_id = db.scalar(select(User.id).where(User.email == "alice@example.com"))
        ids = {}
        for phrase in OLD_END_REASONS:
            ids[store.add_call(db, user_id, "phone", None, 30).id] = phrase
            store.end_calls(db, phrase, max(ids))
    listed = {call["id"]: call for call in alice.get("/api/calls").json()["calls"]}
    for call_id, phrase in ids.items():
        call = listed[call_id]
        assert (call["end_reason"], call["end_reason_params"], call["end_reason_text"]) == OLD_END_REASONS[phrase]
    # The call screen of an ended call gets the same from its stream, and the transcript says it too.
    failed = next(call_id for call_id, phrase in ids.items() if phrase.startswith("The call failed"))
    with alice.stream("GET", f"/api/calls/{failed}/events") as stream:
        (ended,) = [json.loads(line[5:]) for line in stream.iter_lines() if line.startswith("data:")]
    assert ended == {"type": "ended", "reason": "sip_failed", "reason_params": {"status": "487"},
                     "reason_text": "전화가 연결되지 않았어요: SIP 상태 487"}
    assert alice.get(f"/api/calls/{failed}/transcript.txt").text.endswith(
        "\n통화 끝 (전화가 연결되지 않았어요: SIP 상태 487)\n")
    unknown = next(call_id for call_id, phrase in ids.items() if phrase == "something else")
    assert alice.get(f"/api/calls/{unknown}/transcript.txt").text.endswith("\n통화 끝\n")


def converse(client: httpx.Client, call: dict, talk) -> list:
    """Open the conversation socket, run ``talk(socket)``, return what came back."""
    url = str(client.base_url).replace("http", "ws", 1) + call["socket_url"] + "&rate=16000"
    with websocket_connect(url) as socket:
        return talk(socket)


def receive_until(socket, predicate, limit: int = 2000) -> list:
    seen = []
    for _ in range(limit):
        message = socket.recv(timeout=10)
        seen.append(json.loads(message) if isinstance(message, str) else message)
        if predicate(seen[-1]):
            return seen
    raise AssertionError(f"not seen in {limit} messages")


def first_json(socket) -> dict:
    return json.loads(socket.recv(timeout=10))


def wait_for(check, seconds: float = 5.0):
    deadline = time.monotonic() + seconds
    while not (result := check()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return result


def test_a_conversation_captions_the_microphone_speaks_typed_text_and_saves_both(served):
    call = served.post("/api/calls", json={"mode": "conversation"}).json()
    assert call["status"] == "active" and "ticket=" in call["socket_url"]

    def talk(socket):
        hello = first_json(socket)
        assert hello["type"] == "hello" and hello["captions"] is True
        for block in range(40):  # the other person speaks for 0.4 s, then pauses
            loud = 5 <= block < 25
            samples = 0.5 * np.sin(np.arange(320) / 5) if loud else np.zeros(320)
            socket.send(pcm16_bytes(samples.astype(np.float32)))
            time.sleep(0.02)  # in real time, as a microphone delivers it
        seen = receive_until(socket, lambda m: isinstance(m, dict) and m.get("type") == "caption" and m["final"])
        socket.send(json.dumps({"type": "say", "text": "네 알겠습니다"}))
        seen += receive_until(socket, lambda m: isinstance(m, dict) and m.get("type") == "line" and m["speaker"] == "me")
        return seen

    seen = converse(served, call, talk)
    assert any(isinstance(m, bytes) and len(m) == 1920 for m in seen)  # our voice, 20 ms frames at 48 kHz
    assert any(isinstance(m, dict) and m.get("type") == "caption" and not m["final"] for m in seen)
    # Closing the socket ends the conversation; its lines are stored.
    saved = wait_for(lambda: (c := served.get(f"/api/calls/{call['id']}").json())["status"] == "ended" and c)
    assert saved and [(x["speaker"], x["text"], x["final"]) for x in saved["lines"]] == [
        ("them", "소리 끝", True), ("me", "네 알겠습니다", True)]
    text = served.get(f"/api/calls/{call['id']}/transcript.txt")
    assert "attachment" in text.headers["content-disposition"]
    assert "Them: 소리 끝" in text.text and "Me: 네 알겠습니다" in text.text


def test_a_socket_ticket_works_once(served):
    call = served.post("/api/calls", json={"mode": "conversation"}).json()
    with pytest.raises(InvalidStatus):  # a wrong ticket
        converse(served, {"socket_url": call["socket_url"] + "x"}, first_json)
    assert converse(served, call, first_json)["type"] == "hello"
    with pytest.raises(InvalidStatus):
        converse(served, call, first_json)


def test_hanging_up_mid_sentence_keeps_the_sentence_as_a_cut_line(served):
    call = served.post("/api/calls", json={"mode": "conversation"}).json()

    def talk(socket):
        first_json(socket)
        socket.send(json.dumps({"type": "say", "text": " ".join(["말"] * 40)}))  # 4 s of the double voice
        receive_until(socket, lambda m: isinstance(m, bytes))
        assert served.post(f"/api/calls/{call['id']}/hangup").json()["status"] == "ended"
        return receive_until(socket, lambda m: isinstance(m, dict) and m.get("type") == "ended")

    converse(served, call, talk)
    saved = lines(served, call["id"])
    assert len(saved) == 1 and saved[0]["speaker"] == "me" and saved[0]["final"] is False
    assert saved[0]["text"].count("말") == 40


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_conversation_socket_words_what_it_refuses_in_the_pages_language(served, settings, language):
    call = served.post("/api/calls", json={"mode": "conversation"}).json()
    url = str(served.base_url).replace("http", "ws", 1) + call["socket_url"] + "&rate=16000"
    refused = ["not json", json.dumps({"type": "jump"}), json.dumps({"type": "say", "text": " "}),
               json.dumps({"type": "say", "text": "가" * (settings.max_speak_chars + 1)})]
    # A browser sends the page's language cookie with the socket's handshake, as with any request.
    with websocket_connect(url, additional_headers={"Cookie": f"{i18n.LANGUAGE_COOKIE}={language}"}) as socket:
        first_json(socket)
        for message in refused:
            socket.send(message)
        seen = [receive_until(socket, lambda m: isinstance(m, dict) and m.get("type") == "problem")[-1]
                for _ in refused]
    assert [problem["code"] for problem in seen] == [call_problems.NOT_UNDERSTOOD, call_problems.UNKNOWN_COMMAND,
                                                     call_problems.NOTHING_TO_SAY, call_problems.TEXT_TOO_LONG]
    assert seen[3]["params"] == {"length": settings.max_speak_chars + 1, "limit": settings.max_speak_chars}
    for problem in seen:
        words = problem["message"]
        assert bool(HANGUL.search(words)) == (language == "ko"), words
        if language == "ko":
            assert not re.search(r"[A-Za-z]{2,}", words.replace("'jump'", "")), words


def test_without_a_recogniser_the_conversation_says_so_and_still_speaks(served, services):
    services.recognition_available = False
    call = served.post("/api/calls", json={"mode": "conversation"}).json()
    assert call["captions"] is False

    def talk(socket):
        assert first_json(socket)["captions"] is False
        socket.send(pcm16_bytes(np.full(3200, 0.5, np.float32)))  # ignored, not an error
        socket.send(json.dumps({"type": "say", "text": "들리세요"}))
        return receive_until(socket, lambda m: isinstance(m, dict) and m.get("type") == "line")

    converse(served, call, talk)
    assert [x["text"] for x in wait_for(lambda: lines(served, call["id"]))] == ["들리세요"]


def test_transcripts_are_listed_deleted_and_go_with_delete_all(app, voiced):
    first = voiced.post("/api/calls", json={"mode": "call"}).json()["id"]
    second = voiced.post("/api/calls", json={"mode": "conversation"}).json()["id"]
    with app.state.db.session() as db:
        db.add(CallLine(call_id=first, user_id=db.get(Call, first).user_id, speaker="them", text="여보세요",
                        start_s=0.5, end_s=1.2, final=True))
        db.commit()
    assert [c["id"] for c in voiced.get("/api/calls").json()["calls"]] == [second, first]
    assert voiced.delete(f"/api/calls/{second}").json() == {"deleted": second}
    assert voiced.get(f"/api/calls/{second}").status_code == 404
    assert voiced.get("/calls").status_code == 200 and voiced.get(f"/calls/{first}").status_code == 200
    response = voiced.post("/account/delete", data={"password": "correct horse"})
    assert response.status_code in (200, 303)
    with app.state.db.session() as db:
        assert db.scalars(select(Call)).all() == [] and db.scalars(select(CallLine)).all() == []
    assert not app.state.calls.calls  # the live call ended with the account


def test_another_user_cannot_see_say_into_or_end_a_call(voiced, bob):
    call = voiced.post("/api/calls", json={"mode": "call"}).json()
    for method, path, body in [("GET", "", None), ("POST", "/say", {"text": "안녕"}), ("POST", "/hangup", None),
                               ("POST", "/stop", None), ("POST", "/link", None), ("DELETE", "", None),
                               ("GET", "/transcript.txt", None), ("GET", "/events", None),
                               ("POST", "/listen", {"sdp": browser_offer(direction="recvonly")})]:
        response = bob.request(method, f"/api/calls/{call['id']}{path}", json=body)
        assert response.status_code == 404, (method, path, response.status_code)
    assert bob.get(f"/calls/{call['id']}").status_code == 404
    assert bob.get("/api/calls").json()["calls"] == []
    assert voiced.get(f"/api/calls/{call['id']}").json()["status"] == "waiting"


@contextmanager
def statements_on_the_event_loop(app):
    """Every SQL statement run on a thread where an event loop is running: the app's one loop, which a
    synchronous database call would hold up for every call's audio and every other user."""
    on_loop: list[str] = []

    def check(conn, cursor, statement, *args) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # a worker thread: where database work belongs
        on_loop.append(statement)

    engine = app.state.db.engine
    event.listen(engine, "before_cursor_execute", check)
    try:
        yield on_loop
    finally:
        event.remove(engine, "before_cursor_execute", check)


def test_the_async_call_routes_do_no_database_work_on_the_event_loop(app, voiced):
    with statements_on_the_event_loop(app) as on_loop:
        call = voiced.post("/api/calls", json={"mode": "call"}).json()
        path = f"/api/calls/{call['id']}"
        assert voiced.post(f"{path}/link").status_code == 200
        fresh = voiced.post(f"{path}/link").json()
        assert voiced.post(f"{path}/say", json={"text": "안녕하세요"}).status_code == 200
        assert voiced.post(f"{path}/mute", json={"muted": True}).status_code == 200
        assert voiced.post(f"{path}/stop").status_code == 200
        assert voiced.post(f"{path}/listen", json={"sdp": browser_offer(direction="recvonly")}).status_code == 200
        with stranger(voiced) as far_end:
            assert far_end.post(f"/api/join/{token_of(fresh)}", json={"sdp": browser_offer()}).status_code == 200
            assert far_end.post(f"/api/join/{token_of(fresh)}", json={"sdp": browser_offer()}).status_code == 404
        assert voiced.post(f"{path}/hangup").json()["status"] == "ended"
        with voiced.stream("GET", f"{path}/events") as events:  # an ended call: one event, then the end
            assert "ended" in next(events.iter_lines())
        conversation = voiced.post("/api/calls", json={"mode": "conversation"}).json()
        assert voiced.delete(f"/api/calls/{conversation['id']}").status_code == 200
        assert voiced.delete(path).status_code == 200
    assert on_loop == []
