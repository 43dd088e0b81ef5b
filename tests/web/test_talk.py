"""Talk screen: streamed speech, limits, message-bank recordings, phrases and history."""

from __future__ import annotations

import numpy as np

from .conftest import RATE, record


def test_speak_streams_pcm_chunk_by_chunk(speaker, services):
    words = "하나 둘 셋 넷 다섯 여섯 일곱 여덟"
    loads = services.loads
    with speaker.stream("POST", "/api/speak", json={"text": words}) as response:
        assert response.status_code == 200
        assert response.headers["x-sample-rate"] == str(RATE) and response.headers["x-source"] == "voice"
        chunks = response.iter_raw()
        first = next(chunks)
        [voice] = services._voices.loaded()
        assert voice.made < 8, "the first audio must leave before the whole text is synthesised"
        chunks = [first, *chunks]
    audio = np.frombuffer(b"".join(chunks), dtype="<i2")
    assert audio.size == 8 * (RATE // 10) and np.abs(audio).max() > 5000
    speaker.post("/api/speak", json={"text": "다시"})
    assert services.loads == loads + 1  # the voice stays loaded between sentences
    assert [h["text"] for h in speaker.get("/api/history").json()["history"]] == ["다시", words]
    speaker.delete("/api/history")
    assert speaker.get("/api/history").json()["history"] == []


def test_bad_speak_requests_get_clear_messages(speaker, alice):
    response = speaker.post("/api/speak", json={"text": "가" * 100_000})
    assert response.status_code == 413 and "at most 1000" in response.json()["detail"]
    assert speaker.post("/api/speak", json={"text": "   "}).status_code == 422
    response = speaker.post("/api/speak", json={"text": "안녕", "voice_id": 999})
    assert response.status_code == 404 and "not found in your account" in response.json()["detail"]
    assert speaker.post("/api/speak", content=b"{not json", headers={"content-type": "application/json"}).status_code == 422
    assert speaker.get("/api/history").json()["history"] == []


def test_speaking_without_a_voice_says_what_to_do(alice):
    response = alice.post("/api/speak", json={"text": "안녕하세요"})
    assert response.status_code == 409 and "Build a voice" in response.json()["detail"]


def test_message_bank_recordings_play_verbatim(alice, speech):
    phrase = alice.post("/api/phrases", json={"text": "화장실 가고 싶어요", "banked": True, "category": "필요"}).json()
    take = record(alice, f"phrase:{phrase['id']}", *speech[2]).json()
    response = alice.post("/api/speak", json={"text": " 화장실  가고 싶어요 "})
    assert response.status_code == 200 and response.headers["x-source"] == "recording"
    recorded = alice.get(take["audio_url"]).content
    assert response.content == recorded[44:]  # the same 16-bit samples, without the WAV header
    # Deleting the phrase deletes its recording too: nothing is left that no page lists.
    alice.delete(f"/api/phrases/{phrase['id']}")
    assert alice.get(take["audio_url"]).status_code == 404
    assert alice.get("/api/progress").json()["takes"] == 0


def test_phrases_board(alice):
    html = "<script>alert('x')</script>"
    first = alice.post("/api/phrases", json={"text": html, "category": "<b>cat</b>"}).json()
    assert first["text"] == html  # stored as typed; pages insert it as text, never as markup
    alice.post("/api/phrases", json={"text": "고마워요", "category": "인사", "favourite": True})
    assert [p["text"] for p in alice.get("/api/phrases").json()["phrases"]] == ["고마워요", html]
    assert alice.patch(f"/api/phrases/{first['id']}", json={"favourite": True}).json()["favourite"] is True
    assert alice.post("/api/phrases", json={"text": "x" * 501}).status_code == 422
    assert alice.post("/api/phrases", json={"text": ""}).status_code == 422
    assert alice.delete(f"/api/phrases/{first['id']}").status_code == 200
    assert alice.delete(f"/api/phrases/{first['id']}").status_code == 404
    assert html not in alice.get("/talk").text


def test_day_one_own_recordings_are_listed_and_played_before_any_voice(alice, speech):
    sentence = alice.post("/api/sentences", json={"text": "우리 강아지 이름은 초코예요."}).json()
    record(alice, sentence["key"], *speech[0])
    record(alice, "bank:0", *speech[1])
    record(alice, "script:2", *speech[2])  # practice, not a thing to say
    assert alice.get("/api/recordings").json()["recordings"] == ["우리 강아지 이름은 초코예요.", "사랑해요."]
    response = alice.post("/api/speak", json={"text": "우리 강아지 이름은 초코예요."})
    assert response.status_code == 200 and response.headers["x-source"] == "recording"
    assert alice.post("/api/speak", json={"text": "다른 말"}).status_code == 409
    page = alice.get("/talk").text
    assert "You can already say the 2 phrases and sentences you recorded" in page


def test_repeat_slower_and_louder(speaker):
    def samples(**options) -> np.ndarray:
        body = speaker.post("/api/speak", json={"text": "하나 둘", **options}).content
        return np.frombuffer(body, dtype="<i2").astype(np.float32)

    normal, slower, louder = samples(), samples(rate=0.5), samples(volume=2.0)
    assert slower.size == 2 * normal.size
    assert louder.size == normal.size and np.abs(louder).max() > 1.9 * np.abs(normal).max()
    assert speaker.post("/api/speak", json={"text": "하나", "rate": 9}).status_code == 422
