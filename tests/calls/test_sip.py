"""SIP calls on loopback against real peers: baresip as the far phone (plays a WAV, records what it hears,
reports DTMF) and sipp answering busy. Slow: each call takes a second or two of real time."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest

from moksori.audio import resample
from moksori.calls import endings
from moksori.calls import sip_problems as problems
from moksori.calls.session import THEM, CallSession
from moksori.calls.sip import (
    EMERGENCY,
    SipCall,
    SipError,
    SipPhone,
    SipSettings,
    is_emergency,
    registration_error,
)
from moksori.calls.sip_wire import MessageReader, audio_message, json_message, split_audio

from .doubles import RATE, LoudnessRecognizer, ToneVoice, best_correlation, tone
from .impaired_line import ImpairedLine
from .sip_peers import (
    FAR_MICROPHONE,
    Baresip,
    Kamailio,
    SippBusy,
    free_port,
    have_baresip,
    kamailio_binary,
    running,
)

needs_baresip = pytest.mark.skipif(
    not have_baresip() or importlib.util.find_spec("pjsua2") is None,
    reason="baresip (scripts/install-system.sh) or pjsua2-python (the 'sip' extra) is not installed")
needs_kamailio = pytest.mark.skipif(kamailio_binary() is None, reason="kamailio (scripts/install-system.sh) is missing")



def test_wire_messages_survive_any_cut() -> None:
    stream = json_message({"op": "call", "id": 1, "uri": "sip:x@y"}) + audio_message(7, bytes(range(200)) * 2)
    reader = MessageReader()
    messages = [m for i in range(0, len(stream), 7) for m in reader.feed(stream[i : i + 7])]
    assert [kind for kind, _ in messages] == [b"J", b"A"]
    assert split_audio(messages[1][1]) == (7, bytes(range(200)) * 2)


def test_emergency_numbers_are_recognised() -> None:
    assert is_emergency("119") and is_emergency("sip:112@trunk.example") and is_emergency("9-1-1")
    assert not is_emergency("1190") and not is_emergency("sip:alice@example.org")


def test_a_bad_listen_setting_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOKSORI_SIP_LISTEN", "5070")
    with pytest.raises(ValueError, match="HOST:PORT"):
        SipSettings.from_env()
    monkeypatch.setenv("MOKSORI_SIP_LISTEN", "127.0.0.1:5070")
    assert SipSettings.from_env().listen == ("127.0.0.1", 5070)


def test_numbers_are_dialled_on_the_accounts_server_only() -> None:
    phone = SipPhone(SipSettings(account={"server": "pbx.example.org", "user": "alice", "password": "x"}))
    assert phone.address(" 02-123 (4567) ") == "sip:021234567@pbx.example.org"
    assert phone.address("+82 2 123 4567") == "sip:+8221234567@pbx.example.org"
    assert phone.address("sip:bob@example.net") == "sip:bob@example.net"  # still sent through the account's server
    with pytest.raises(ValueError, match="not a phone number") as not_a_number:
        phone.address("1@2@3")
    assert (not_a_number.value.code, not_a_number.value.params) == (problems.NOT_A_NUMBER, {"target": "'1@2@3'"})
    with pytest.raises(ValueError, match="needs a SIP account") as no_account:
        SipPhone().address("021234567")
    assert no_account.value.code == problems.NEEDS_ACCOUNT


def test_a_registrars_refusal_is_a_problem_code_with_plain_english_words() -> None:
    for status in (401, 403, 407):
        assert registration_error(status, "Unauthorized").code == problems.WRONG_PASSWORD
    silent = registration_error(408, "Request Timeout")
    assert silent.code == problems.SERVER_SILENT and str(silent) == "The SIP server did not answer."
    assert registration_error(503, "Service Unavailable").code == problems.SERVER_UNREACHABLE
    other = registration_error(488, "Not Acceptable Here")
    assert (other.code, other.params) == (problems.ACCOUNT_REFUSED, {"status": "488", "reason": "Not Acceptable Here"})
    assert str(other) == "The SIP server refused the account (488 Not Acceptable Here)."


def _session(events: list[dict]) -> CallSession:
    session = CallSession(ToneVoice(), recognizer_factory=LoudnessRecognizer)
    session.subscribe(events.append)
    return session


@contextlib.asynccontextmanager
async def _far_and_us(folder: Path, phone: SipPhone) -> AsyncIterator[tuple[Baresip, CallSession, list[dict]]]:
    """baresip as the far phone (playing ``FAR_MICROPHONE``) and ``phone`` running, and a started call session
    whose events are collected."""
    far = Baresip(folder, FAR_MICROPHONE)
    events: list[dict] = []
    session = _session(events)
    async with running(far, phone):
        await session.start()
        yield far, session, events


async def _dial(phone: SipPhone, uri: str, session: CallSession) -> SipCall:
    """A call from ``phone`` to ``uri``, carrying ``session``, once the far end answered."""
    call = await phone.call(uri, session)
    assert await call.wait_until("connected", timeout=10) == "connected"
    return call


async def _hang_up(call: SipCall, session: CallSession) -> None:
    """We hang up: the call ends and its session closes."""
    await call.hang_up()
    assert await call.wait_until("ended", timeout=5) == "ended"
    await session.close()


async def _answer_until_they_hang_up(far: Baresip, call: SipCall, session: CallSession) -> None:
    """Answer a call ringing here into ``session``; two seconds later the far phone hangs up."""
    call.attach(session)
    await call.answer()
    assert await call.wait_until("connected", timeout=10) == "connected"
    await asyncio.sleep(2)
    far.command("hangup")
    assert await call.wait_until("ended", timeout=10) == "ended"
    assert call.reason == endings.FAR_END_HUNG_UP
    await session.close()


@pytest.mark.slow
@needs_baresip
def test_an_outgoing_call_carries_voice_captions_and_keys_then_we_hang_up(tmp_path: Path) -> None:
    async def main() -> None:
        phone = SipPhone()
        async with _far_and_us(tmp_path, phone) as (far, session, events):
            call = await _dial(phone, far.uri, session)
            await asyncio.sleep(1.5)  # baresip's recording of what it hears starts about a second late
            session.say("one two three four five six seven eight")  # ToneVoice: 1.04 s of 220 Hz
            await asyncio.sleep(2)
            # After the sentence: while a key is sent, RFC 4733 packets take the place of audio packets.
            call.send_dtmf("1")
            await asyncio.sleep(0.5)
            call.send_dtmf("#")
            await asyncio.sleep(1)
            await _hang_up(call, session)
            assert call.reason == endings.HUNG_UP
            assert await phone.idle()
        assert phone.returncode == 0
        # The user's voice reached the far phone: its recording holds the sentence, delayed.
        sent = resample(ToneVoice().audio("one two three four five six seven eight"), RATE, 8000)[800:-800]
        heard = far.heard()
        assert best_correlation(heard, sent) > 0.9
        loud_frames = np.sqrt(np.mean(heard[: heard.size // 160 * 160].reshape(-1, 160) ** 2, axis=1)) > 0.1
        assert 51 <= loud_frames.sum() <= 53  # all 52 frames of the sentence, none lost
        # The far phone's tone became captions, and a transcript line of theirs.
        assert any(e["type"] == "caption" and e["final"] for e in events)
        assert any(line.speaker == THEM for line in session.transcript)
        keys = [e["param"] for e in far.events if e.get("type") == "CALL_DTMF_START"]
        assert keys == ["1", "#"]
        states = [e["state"] for e in events if e["type"] == "sip"]
        assert states[0] in ("ringing", "connected") and states[-2:] == ["connected", "ended"]

    asyncio.run(main())


@pytest.mark.slow
@needs_baresip
def test_an_incoming_call_rings_is_answered_and_the_far_end_hangs_up(tmp_path: Path) -> None:
    async def main() -> None:
        rung: asyncio.Queue = asyncio.Queue()
        phone = SipPhone(SipSettings(listen=("127.0.0.1", free_port())), on_incoming=rung.put_nowait)
        async with _far_and_us(tmp_path, phone) as (far, session, events):
            far.command("dial", f"sip:moksori@{phone.listen}")
            call = await asyncio.wait_for(rung.get(), 10)
            assert call.state == "ringing" and "far@127.0.0.1" in call.caller
            await _answer_until_they_hang_up(far, call, session)
            assert await phone.idle()
        assert any(e["type"] == "caption" and e["final"] for e in events)

    asyncio.run(main())


@pytest.mark.slow
@needs_baresip
def test_a_call_over_a_jittery_lossy_line_stays_up_and_captions_keep_coming(tmp_path: Path) -> None:
    """5 % of RTP packets lost and each delayed by 0-80 ms (so they reorder), both ways, by a relay on the line."""
    async def main() -> None:
        bursts = 6  # the far phone says something every 1.5 s: 0.9 s quiet, then 0.6 s of a loud tone
        microphone = np.concatenate([*[np.concatenate([np.zeros(7200), tone(0.6, 330, 8000)])] * bursts,
                                     np.zeros(8000 * 60)]).astype(np.float32)
        far, phone, events = Baresip(tmp_path, microphone), SipPhone(), []
        line = ImpairedLine(far.port, jitter_ms=40, loss=0.05)
        session, finals_at = _session(events), []
        session.subscribe(lambda event: event["type"] == "caption" and event["final"] and finals_at.append(session.now()))
        line.start()
        try:
            async with running(far, phone):
                await session.start()
                call = await _dial(phone, line.uri, session)
                await asyncio.sleep(bursts * 1.5 + 2)
                assert call.state == "connected"
                await _hang_up(call, session)
        finally:
            line.stop()
        # The line was impaired as asked: some packets lost, some overtaken by later ones.
        assert line.to_us.packets >= 200 and line.to_us.dropped > 0 and line.to_us.reordered > 0
        # Captions kept coming through the call, not just once: most bursts have a final line, the last late on.
        assert len(finals_at) >= bursts - 2, finals_at
        assert finals_at[-1] - finals_at[0] >= (bursts - 3) * 1.5, finals_at

    asyncio.run(main())


@pytest.mark.slow
@needs_baresip
def test_the_worker_counts_the_frames_the_line_went_without(tmp_path: Path) -> None:
    async def main() -> None:
        phone = SipPhone()
        async with _far_and_us(tmp_path, phone) as (far, session, events):
            call = await _dial(phone, far.uri, session)
            await asyncio.sleep(1)
            call._sender.cancel()  # our frames stop coming, as from an app held up: silence goes out instead
            await asyncio.sleep(1)
            await _hang_up(call, session)
        # The second without our frames is 50 frames, less the few still queued; fewer are asked for where a busy
        # machine holds up PJSIP's clock thread, so only a clear share of them is required.
        assert call.missing_frames >= 10

    asyncio.run(main())


@pytest.mark.slow
@needs_baresip
def test_callers_from_addresses_not_allowed_are_refused(tmp_path: Path) -> None:
    async def main() -> None:
        far = Baresip(tmp_path, FAR_MICROPHONE)
        rung: list = []
        phone = SipPhone(SipSettings(listen=("127.0.0.1", free_port()), allow_from=["192.0.2.99"]),
                         on_incoming=rung.append)
        async with running(far, phone):
            far.command("dial", f"sip:moksori@{phone.listen}")
            closed = await far.wait_event("CALL_CLOSED")
            assert "403" in closed.get("param", "")
            assert rung == []
            assert await phone.idle()

    asyncio.run(main())


@pytest.mark.slow
@needs_baresip
def test_busy_unreachable_and_unanswered_are_told_apart(tmp_path: Path) -> None:
    async def main() -> None:
        busy = SippBusy(tmp_path)
        (tmp_path / "quiet").mkdir()
        unanswered = Baresip(tmp_path / "quiet", FAR_MICROPHONE, answer=False)
        phone = SipPhone()
        busy.start()
        try:
            async with running(unanswered, phone):
                await asyncio.sleep(0.5)  # sipp binds its port
                events: list[dict] = []
                call = await phone.call(f"sip:119@127.0.0.1:{busy.port}", _session(events))
                assert await call.wait_until("connected", timeout=10) == "ended"
                assert call.reason == endings.BUSY
                assert {"type": "notice", "code": EMERGENCY} in events  # dialled, with the notice

                call = await phone.call(f"sip:far@127.0.0.1:{free_port()}", reach_timeout=1.0)  # nobody there
                assert await call.wait_until("connected", timeout=5) == "ended"
                assert call.reason == endings.UNREACHABLE

                call = await phone.call(unanswered.uri, ring_timeout=1.0)
                assert await call.wait_until("ringing", timeout=5) == "ringing"
                assert await call.wait_until("connected", timeout=5) == "ended"
                assert call.reason == endings.NO_ANSWER
                assert await phone.idle()
        finally:
            busy.stop()

    asyncio.run(main())


@pytest.mark.slow
@needs_baresip
def test_twenty_calls_leave_nothing_behind(tmp_path: Path) -> None:
    async def main() -> None:
        far = Baresip(tmp_path, FAR_MICROPHONE)
        phone = SipPhone()
        async with running(far, phone):
            for _ in range(20):
                events: list[dict] = []
                session = _session(events)
                await session.start(listen=False)
                await _hang_up(await _dial(phone, far.uri, session), session)
            assert await phone.idle()
            assert phone.calls == {}
        assert phone.returncode == 0

    asyncio.run(main())


def _account(registrar: Kamailio, password: str) -> SipSettings:
    account = {"server": registrar.address, "user": "alice", "password": password, "caller_id": "Alice"}
    return SipSettings(listen=("127.0.0.1", free_port()), account=account)


@pytest.mark.slow
@needs_baresip
@needs_kamailio
def test_registered_calls_go_both_ways_through_the_registrar(tmp_path: Path) -> None:
    async def main() -> None:
        registrar = Kamailio(tmp_path, {"alice": "alice-secret", "far": "farpw"})
        registrar.start()
        far = Baresip(tmp_path, FAR_MICROPHONE, registrar=registrar)
        rung: asyncio.Queue = asyncio.Queue()
        phone = SipPhone(_account(registrar, "alice-secret"), on_incoming=rung.put_nowait)
        try:
            async with running(far, phone):
                await far.wait_registered()
                await phone.wait_registered(timeout=10)
                assert phone.registered and phone.registration_problem is None

                # Out: a bare name is dialled on the registrar, which authenticates alice and finds the far phone.
                events: list[dict] = []
                session = _session(events)
                await session.start()
                call = await _dial(phone, "far", session)
                answered = await far.wait_event("CALL_ESTABLISHED")
                assert answered["peerdisplayname"] == "Alice"  # the caller name the account set
                await _hang_up(call, session)

                # In: the far phone calls alice's address on the registrar; it rings here and is answered.
                events = []
                session = _session(events)
                await session.start()
                far.command("dial", f"sip:alice@{registrar.address}")
                call = await asyncio.wait_for(rung.get(), 10)
                assert "far@127.0.0.1" in call.caller
                await _answer_until_they_hang_up(far, call, session)
                assert any(e["type"] == "caption" and e["final"] for e in events)
                assert await phone.idle()
        finally:
            registrar.stop()

    asyncio.run(main())


@pytest.mark.slow
@needs_baresip
@needs_kamailio
def test_a_wrong_password_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    async def main() -> None:
        registrar = Kamailio(tmp_path, {"alice": "alice-secret"})
        registrar.start()
        phone = SipPhone(_account(registrar, "not-the-password"))
        try:
            await phone.start()
            with pytest.raises(SipError, match="refused the user name or password") as refused:
                await phone.wait_registered(timeout=10)
            assert refused.value.code == problems.WRONG_PASSWORD
            assert not phone.registered
        finally:
            await phone.close()
            registrar.stop()

    asyncio.run(main())
