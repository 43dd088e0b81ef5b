"""``moksori wyoming``: a voice served over the Wyoming protocol, checked with the wyoming package's
own client, in process and as the command line starts it."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time

import numpy as np
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.error import Error
from wyoming.info import Describe, Info
from wyoming.server import AsyncServer
from wyoming.tts import Synthesize

from moksori.engine.voice import Voice
from moksori.engine.wyoming import handler_factory


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def synthesize(port: int, text: str) -> tuple[AudioStart, bytes, list]:
    """Ask for ``text`` and collect the answer up to ``audio-stop`` (and an error after it, if any)."""
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Synthesize(text=text).event())
        start, audio, after = None, b"", []
        while True:
            event = await asyncio.wait_for(client.read_event(), timeout=60)
            if AudioStart.is_type(event.type):
                start = AudioStart.from_event(event)
            elif AudioChunk.is_type(event.type):
                audio += AudioChunk.from_event(event).audio
            elif AudioStop.is_type(event.type):
                try:
                    extra = await asyncio.wait_for(client.read_event(), timeout=0.5)
                    after = [extra] if extra else []
                except TimeoutError:
                    pass
                return start, audio, after


async def describe(port: int) -> Info:
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Describe().event())
        return Info.from_event(await asyncio.wait_for(client.read_event(), timeout=30))


def test_a_wyoming_client_hears_the_voice(voice_path):
    voice = Voice.load(voice_path)
    port = free_port()

    async def scenario():
        server = AsyncServer.from_uri(f"tcp://127.0.0.1:{port}")
        await server.start(handler_factory(voice, "my voice"))
        try:
            info = await describe(port)
            start, audio, after = await synthesize(port, "안녕하세요. 반갑습니다.")
            _start, silence, error = await synthesize(port, "...!?")
        finally:
            await server.stop()
        return info, start, audio, after, silence, error

    info, start, audio, after, silence, error = asyncio.run(scenario())
    assert info.tts[0].voices[0].name == "my voice" and info.tts[0].voices[0].languages
    assert (start.rate, start.width, start.channels) == (voice.sample_rate, 2, 1)
    samples = np.frombuffer(audio, dtype="<i2")
    expected = voice.synthesize("안녕하세요. 반갑습니다.")
    assert samples.size == expected.size and after == []
    assert silence == b"" and Error.is_type(error[0].type)


def test_the_command_serves_until_stopped(voice_path):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "moksori.cli", "wyoming", "--voice", str(voice_path),
                                "--uri", f"tcp://127.0.0.1:{port}", "--name", "mine"])
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        info = asyncio.run(describe(port))
        assert info.tts[0].voices[0].name == "mine"
        _start, audio, _after = asyncio.run(synthesize(port, "하나 둘"))
        assert len(audio) > 0
    finally:
        process.terminate()
        process.wait(timeout=30)
