"""Limits on what one request may cost: body size while it streams in, zips and .voice files
checked before inflating, requests in flight per user, and a quick 503 when no database connection is free."""

from __future__ import annotations

import asyncio
import io
import os
import re
import time
import zipfile

import pytest

from moksori.web.app import build_app

from .conftest import Client, user_files

MiB = 2**20
MULTIPART_HEAD = (b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.voice"\r\n'
                  b"Content-Type: application/octet-stream\r\n\r\n")


def call_asgi(app, path: str, chunks: int, chunk: bytes) -> tuple[int, int]:
    """Send a chunked multipart upload (no Content-Length) straight to the ASGI app; the response
    status and how many chunks the app read before answering."""
    read = 0
    status = 0

    async def receive():
        nonlocal read
        if read < chunks:
            read += 1
            body = (MULTIPART_HEAD if read == 1 else b"") + chunk
            return {"type": "http.request", "body": body, "more_body": read < chunks}
        await asyncio.sleep(3600)  # the client would wait for the answer
        return {"type": "http.disconnect"}

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"testserver"), (b"transfer-encoding", b"chunked"),
                         (b"content-type", b"multipart/form-data; boundary=xyz")],
             "client": ("127.0.0.1", 5000), "server": ("testserver", 80)}
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 60))
    return status, read


def test_a_chunked_body_over_the_limit_is_refused_while_it_arrives(app, settings):
    settings.max_upload_bytes = 2 * MiB
    status, read = call_asgi(app, "/api/voices/import", chunks=50, chunk=b"x" * MiB)
    assert status == 413
    assert read <= 3  # stopped just past 2 MiB, not after all 50


HANGUL = re.compile("[가-힣]")


def in_one_language(detail: str, language: str) -> bool:
    """Korean alone (MiB aside) for a Korean request, English alone for an English one."""
    if language == "ko":
        return bool(HANGUL.search(detail)) and not re.search(r"[A-Za-z]{2,}", detail.replace("MiB", ""))
    return not HANGUL.search(detail)


@pytest.mark.parametrize("language", ["ko", "en"])
def test_refusals_before_any_route_are_in_the_language_of_the_request(make_client, app, settings, language):
    client = make_client(language=language)
    settings.max_upload_bytes = 2 * MiB
    declared = client.post("/api/voices/import", content=b"x" * (3 * MiB))  # its Content-Length says too much
    chunked = client.post("/api/voices/import", content=iter([MULTIPART_HEAD, *[b"x" * MiB] * 3]),  # no length:
                          headers={"content-type": "multipart/form-data; boundary=xyz"})  # counted as it comes
    assert declared.status_code == chunked.status_code == 413
    assert "3" in declared.json()["detail"] and "2" in declared.json()["detail"]
    app.state.request_budget.max_requests = 0  # every request of this user is now one too many
    busy = [client.get("/api/progress"), client.get("/api/calls/1/events")]
    assert [response.status_code for response in busy] == [429, 429]
    details = [response.json()["detail"] for response in [declared, chunked, *busy]]
    assert len(set(details)) == len(details)  # a request and a progress stream are told apart
    for detail in details:
        assert in_one_language(detail, language), detail


def voice_file(weights: bytes) -> bytes:
    """A .voice-shaped zip whose weights member is deflated (as a bomb would be)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config.json", "{}")
        archive.writestr("weights.safetensors", weights)
        archive.writestr("phones.json", "[]")
        archive.writestr("card.json", "{}")
    return buffer.getvalue()


def test_a_voice_file_that_inflates_enormously_is_refused_before_loading(alice, services, settings):
    bomb = voice_file(bytes(64 * MiB))
    assert len(bomb) < MiB
    response = alice.post("/api/voices/import", files={"file": ("bomb.voice", bomb, "application/octet-stream")})
    assert response.status_code == 422 and "not a Moksori voice file" in response.json()["detail"]
    assert services.loads == 0  # the engine never read it
    assert user_files(settings, "voices") == []
    settings.max_voice_bytes = 16 * MiB  # a large member that barely compresses is judged by size
    big = voice_file(os.urandom(17 * MiB))
    response = alice.post("/api/voices/import", files={"file": ("big.voice", big, "application/octet-stream")})
    assert response.status_code == 422 and "the limit is 16 MiB" in response.json()["detail"]
    assert services.loads == 0


def dataset_zip(wav: bytes, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("metadata.csv", "a|안녕하세요, 만나서 반갑습니다.\n")
        archive.writestr("wavs/a.wav", wav)
    return buffer.getvalue()


def test_zips_of_non_audio_are_refused_before_unpacking(alice, settings):
    zeros = dataset_zip(bytes(64 * MiB))  # under every size limit, but a thousandfold compression
    response = alice.post("/api/uploads", files=[("files", ("zeros.zip", zeros, "application/zip"))])
    assert response.status_code == 422 and "far more than recordings" in response.json()["detail"]
    noise = dataset_zip(os.urandom(200_000), zipfile.ZIP_STORED)  # named .wav, but not audio
    response = alice.post("/api/uploads", files=[("files", ("noise.zip", noise, "application/zip"))])
    assert response.status_code == 422 and "wavs/a.wav is not audio" in response.json()["detail"]
    assert not list((settings.data_dir / "users").glob("*/uploads/*"))  # nothing was unpacked


def test_no_free_database_connection_answers_503_at_once(settings, services):
    settings = settings.model_copy(update={"db_pool_size": 1, "db_pool_overflow": 0, "db_pool_timeout_s": 0.5})
    app = build_app(settings, services)
    with Client(app) as alice:
        alice.post("/signup", data={"email": "alice@example.com", "password": "correct horse"})
        alice.post("/consent", data={"agree": "yes"})
        with app.state.db.engine.connect():  # the pool's only connection, busy
            started = time.monotonic()
            response = alice.get("/api/phrases")
            waited = time.monotonic() - started
        assert response.status_code == 503 and response.headers["retry-after"].isdigit()
        assert waited < 10  # the pool's timeout, not a hang
        assert alice.get("/api/phrases").status_code == 200
