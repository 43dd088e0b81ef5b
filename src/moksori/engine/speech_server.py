"""A resident speaking process: one voice loaded once, answering over a Unix socket, so a client that
speaks many short texts (Speech Dispatcher for a screen reader) pays the start-up (morpheme analyser
and voice, about 1.5 s and 400 MB) once instead of per sentence.

Protocol, one request per connection: the client sends one line of JSON, ``{"text": ..., "rate": ...,
"pitch": ..., "volume": ...}`` (numbers as ``moksori say`` takes them) and closes its writing side; the
server answers with a 16-bit WAV of the whole text, or with nothing when there is nothing to say.
Texts are spoken one at a time (a screen reader interrupts rather than overlaps).

``moksori speech-server --voice me.voice --socket S`` runs it; ``moksori.engine.speech_client`` starts
it on demand. It leaves when nobody has asked for ``idle_exit_s`` seconds, and only one server runs
per socket (a lock file beside it).
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import socket
import threading
import traceback
from contextlib import suppress
from pathlib import Path

import numpy as np
import soundfile as sf

from moksori.engine.voice import Voice

MAX_REQUEST_BYTES = 1 << 20  # far beyond any sentence a screen reader sends
DEFAULT_IDLE_EXIT_S = 1800.0


def read_request(connection: socket.socket) -> dict:
    data = b""
    while chunk := connection.recv(65536):
        data += chunk
        if len(data) > MAX_REQUEST_BYTES:
            raise ValueError("request too large")
    request = json.loads(data.decode("utf-8"))
    if not isinstance(request, dict) or not isinstance(request.get("text"), str):
        raise ValueError("a request is a JSON object with a text")
    return request


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    out = io.BytesIO()
    sf.write(out, np.clip(samples, -1.0, 1.0), rate, subtype="PCM_16", format="WAV")
    return out.getvalue()


def speak(voice: Voice, request: dict) -> bytes:
    """The WAV of one request, or nothing when its text has nothing to say."""
    rate, pitch, volume = (float(request.get(name, default)) for name, default in
                           (("rate", 1.0), ("pitch", 0.0), ("volume", 1.0)))
    samples = voice.synthesize(" ".join(request["text"].split()), rate=max(rate, 0.1), pitch=pitch,
                               volume=max(volume, 0.0))
    return wav_bytes(samples, voice.sample_rate) if samples.size else b""


def lock_path(socket_path: Path) -> Path:
    return socket_path.with_name(socket_path.name + ".lock")


def serve(voice_path: Path, socket_path: Path, idle_exit_s: float = DEFAULT_IDLE_EXIT_S,
          ready: threading.Event | None = None) -> None:
    """Answer requests on ``socket_path`` until idle for ``idle_exit_s`` seconds. Returns at once when
    another server holds the socket's lock."""
    socket_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path(socket_path), "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # another server already answers here
        lock.truncate(0)
        lock.write(f"{os.getpid()}\n")  # who holds it, for whoever needs to stop the server
        lock.flush()
        voice = Voice.load(voice_path)
        with suppress(FileNotFoundError):
            socket_path.unlink()  # left by a server that was killed
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
            server.bind(str(socket_path))
            os.chmod(socket_path, 0o600)  # the voice is its owner's
            server.listen(8)
            server.settimeout(idle_exit_s)
            if ready is not None:
                ready.set()
            try:
                while True:
                    try:
                        connection, _ = server.accept()
                    except TimeoutError:
                        return
                    with connection:
                        answer(voice, connection)
            finally:
                with suppress(FileNotFoundError):
                    socket_path.unlink()


def answer(voice: Voice, connection: socket.socket) -> None:
    connection.settimeout(30)
    try:
        connection.sendall(speak(voice, read_request(connection)))
    except (ValueError, OSError):
        return  # a broken request or a client gone: it gets nothing, the server goes on
    except Exception:  # noqa: BLE001 - one text the engine fails on must not silence the screen reader
        traceback.print_exc()  # into the server's log
