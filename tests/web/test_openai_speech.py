"""The voice outside Moksori: OpenAI's speech API, exercised with the official ``openai`` client
against the app served by uvicorn on a random loopback port, with keys made on the account page."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import threading
import time

import numpy as np
import openai
import pytest
import soundfile as sf
import uvicorn
from sqlalchemy import text

WORDS = "하나 둘 셋"  # the double voice speaks 0.1 s per word
ENGLISH = {"Accept-Language": "en"}  # messages follow Accept-Language; without it they are in Korean


@pytest.fixture
def live_url(app):
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def make_key(client, name: str = "test app") -> str:
    page = client.post("/account/api-keys", data={"name": name})
    assert page.status_code == 200
    return re.search(r'<code id="new-key">([^<]+)</code>', page.text).group(1)


@pytest.fixture
def client(speaker, live_url) -> openai.OpenAI:
    return openai.OpenAI(api_key=make_key(speaker), base_url=f"{live_url}/v1", max_retries=0, default_headers=ENGLISH)


def decoded(data: bytes) -> tuple[np.ndarray, int]:
    """Any container ffmpeg reads, as float samples, to check what the client received."""
    wav = subprocess.run(["ffmpeg", "-v", "error", "-i", "pipe:0", "-f", "wav", "pipe:1"], input=data,
                         capture_output=True, check=True).stdout
    return sf.read(io.BytesIO(wav), dtype="float32")


@pytest.mark.parametrize("response_format", ["wav", "mp3", "opus", "aac", "flac"])
def test_each_format_holds_the_speech(client, response_format):
    audio = client.audio.speech.create(model="tts-1", voice="default", input=WORDS,
                                       response_format=response_format).content
    samples, rate = decoded(audio)
    assert rate == (48000 if response_format == "opus" else 24000)  # Opus always decodes at 48 kHz
    # 0.3 s of speech; lossy codecs add up to a few frames of priming at the edges.
    assert 0.28 < samples.size / rate < 0.42 and np.abs(samples).max() > 0.1


def test_raw_pcm_is_24_khz_16_bit_and_speed_is_honoured(client):
    normal = client.audio.speech.create(model="tts-1", voice="v1", input=WORDS, response_format="pcm").content
    assert len(normal) == 2 * round(0.3 * 24000)
    fast = client.audio.speech.create(model="moksori", voice="v1", input=WORDS, response_format="pcm",
                                      speed=2.0).content
    assert abs(len(fast) / len(normal) - 0.5) < 0.02


def test_keys_are_checked_hashed_at_rest_and_revocable(speaker, live_url, app, settings):
    key = make_key(speaker, "home assistant")
    good = openai.OpenAI(api_key=key, base_url=f"{live_url}/v1", max_retries=0, default_headers=ENGLISH)
    assert good.audio.speech.create(model="tts-1", voice="default", input=WORDS, response_format="wav").content
    for wrong in (key[:-1] + ("A" if key[-1] != "A" else "B"), "sk-not-a-moksori-key"):
        with pytest.raises(openai.AuthenticationError):
            openai.OpenAI(api_key=wrong, base_url=f"{live_url}/v1", max_retries=0, default_headers=ENGLISH).audio.speech.create(
                model="tts-1", voice="default", input=WORDS)
    with app.state.db.session() as db:  # whichever database the test runs on
        stored = [str(row) for row in db.execute(text("SELECT * FROM api_keys")).all()]
    assert len(stored) == 1 and key not in stored[0] and hashlib.sha256(key.encode()).hexdigest() in stored[0]
    page = speaker.get("/account").text
    assert "home assistant" in page and key not in page and key[:10] in page
    key_id = re.search(r'action="/account/api-keys/(\d+)/revoke"', page).group(1)
    assert speaker.post(f"/account/api-keys/{key_id}/revoke", follow_redirects=False).status_code == 303
    with pytest.raises(openai.AuthenticationError) as revoked:
        good.audio.speech.create(model="tts-1", voice="default", input=WORDS)
    assert "revoked" in str(revoked.value)


def test_bad_requests_get_openai_shaped_errors(client, live_url):
    with pytest.raises(openai.BadRequestError) as unknown:
        client.audio.speech.create(model="tts-1", voice="alloy", input=WORDS)
    assert "no voice called 'alloy'" in str(unknown.value) and "v1" in str(unknown.value)
    assert unknown.value.body["code"] == "voice_not_found" and unknown.value.body["param"] == "voice"
    with pytest.raises(openai.BadRequestError) as too_long:
        client.audio.speech.create(model="tts-1", voice="default", input="가나다 " * 400)
    assert too_long.value.body["code"] == "input_too_long"
    with pytest.raises(openai.BadRequestError):
        client.audio.speech.create(model="tts-1", voice="default", input="가" * 5000)
    with pytest.raises(openai.BadRequestError) as nothing:
        client.audio.speech.create(model="tts-1", voice="default", input="...!?")
    assert nothing.value.body["code"] == "nothing_to_say"
    with pytest.raises(openai.BadRequestError):
        client.audio.speech.create(model="tts-1", voice="default", input=WORDS, speed=9.0)
    with pytest.raises(openai.BadRequestError):
        client.audio.speech.create(model="tts-1", voice="default", input=WORDS, stream_format="sse")


def test_no_voice_yet_is_said_plainly_in_the_language_asked_for(alice, live_url):
    key = make_key(alice)
    client = openai.OpenAI(api_key=key, base_url=f"{live_url}/v1", max_retries=0, default_headers=ENGLISH)
    with pytest.raises(openai.BadRequestError) as error:
        client.audio.speech.create(model="tts-1", voice="default", input=WORDS)
    assert "no voice yet" in str(error.value)
    korean = openai.OpenAI(api_key=key, base_url=f"{live_url}/v1", max_retries=0)
    with pytest.raises(openai.BadRequestError) as error:
        korean.audio.speech.create(model="tts-1", voice="default", input=WORDS)
    assert "아직 목소리가 없어요" in str(error.value)
