"""The voice outside Moksori: OpenAI's speech API, exercised with the official ``openai`` client
against the app served by uvicorn on a random loopback port, with keys made on the account page:
formats, speed, keys, errors in the language of the text, and pcm/wav streamed as they are made."""

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
ENGLISH_WORDS = "one two three"
ENGLISH = {"Accept-Language": "en"}  # what a browser would send: the API answers in the text's language instead


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
        client.audio.speech.create(model="tts-1", voice="alloy", input=ENGLISH_WORDS)
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


def test_messages_are_in_the_language_of_the_text_not_the_accept_language(alice, live_url):
    key = make_key(alice)
    english_browser = openai.OpenAI(api_key=key, base_url=f"{live_url}/v1", max_retries=0, default_headers=ENGLISH)
    korean_browser = openai.OpenAI(api_key=key, base_url=f"{live_url}/v1", max_retries=0,
                                   default_headers={"Accept-Language": "ko"})
    said = {}
    for name, client, words in [("ko text", english_browser, WORDS), ("en text", korean_browser, ENGLISH_WORDS),
                               ("digits", korean_browser, "1 2 3")]:
        with pytest.raises(openai.BadRequestError) as error:
            client.audio.speech.create(model="tts-1", voice="default", input=words)
        said[name] = str(error.value)
    assert "아직 목소리가 없어요" in said["ko text"]
    assert "no voice yet" in said["en text"]
    # No letters to go by: the language the account reads its screens in (English, chosen at sign-up).
    assert "no voice yet" in said["digits"]


def slow_after_first_chunk(services, monkeypatch) -> list[bool]:
    """Make each voice wait after its first chunk until the client has read that chunk (the test sets
    ``released``). Returns a list that records, per request, whether the wait ran out: it does when
    the server holds the first chunk back until the whole speech is made."""
    released, timed_out = threading.Event(), []
    voice_of = services.voice

    class WaitingVoice:
        def __init__(self, voice) -> None:
            self.voice, self.sample_rate, self.card = voice, voice.sample_rate, voice.card

        def stream(self, text: str, rate: float = 1.0, volume: float = 1.0):
            chunks = self.voice.stream(text, rate, volume)
            yield next(chunks)
            timed_out.append(not released.wait(5))
            yield from chunks

    monkeypatch.setattr(services, "voice", lambda path: WaitingVoice(voice_of(path)))
    slow_after_first_chunk.released = released
    return timed_out


@pytest.mark.parametrize("response_format", ["pcm", "wav"])
def test_pcm_and_wav_are_streamed_as_the_speech_is_made(client, services, monkeypatch, response_format):
    timed_out = slow_after_first_chunk(services, monkeypatch)
    header = 44 if response_format == "wav" else 0
    with client.audio.speech.with_streaming_response.create(model="tts-1", voice="default", input=WORDS,
                                                             response_format=response_format) as response:
        assert response.headers["content-type"] == f"audio/{response_format}"
        pieces = response.iter_bytes()
        received = b""
        while len(received) <= header:  # the header, then the first word's audio, before the rest is made
            received += next(pieces)
        slow_after_first_chunk.released.set()
        received += b"".join(pieces)
    assert timed_out == [False]
    if response_format == "wav":
        samples, rate = decoded(received)
        assert rate == 24000 and samples.size == round(0.3 * 24000)
    else:
        samples = np.frombuffer(received, "<i2") / 32768
        assert samples.size == round(0.3 * 24000)
    # Three tones of 200, 220 and 240 Hz, one per word, joined without clicks: no sample-to-sample jump
    # larger than a 240 Hz sine at 0.3 makes (a click from resampling pieces apart would be much larger).
    assert np.abs(np.diff(samples)).max() < 0.3 * 2 * np.pi * 240 / 24000 * 1.5
