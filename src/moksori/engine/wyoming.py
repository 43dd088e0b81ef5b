"""A voice as a Wyoming text-to-speech service, the protocol Home Assistant speaks to its voice
services: ``moksori wyoming --voice me.voice`` and add it in Home Assistant's Wyoming integration.

The voice is loaded once and kept; each ``synthesize`` is answered with ``audio-start``, the
audio phrase by phrase as the engine makes it, and ``audio-stop``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import numpy as np
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.error import Error
from wyoming.event import Event
from wyoming.info import Attribution, Describe, Info, TtsProgram, TtsVoice
from wyoming.server import AsyncEventHandler, AsyncServer
from wyoming.tts import Synthesize

from moksori.engine.voice import Voice

SAMPLE_WIDTH = 2  # 16-bit PCM
ATTRIBUTION = Attribution(name="Moksori", url="")  # runs locally; there is no page to point to


def describe(voice: Voice, name: str) -> Info:
    language = str(voice.card.get("language", "ko"))
    return Info(tts=[TtsProgram(
        name="moksori", description="Moksori: a personal voice built from its owner's recordings",
        attribution=ATTRIBUTION, installed=True, version=None,
        voices=[TtsVoice(name=name, description=name, attribution=ATTRIBUTION, installed=True, version=None,
                         languages=[language])],
    )])


class SpeechHandler(AsyncEventHandler):
    """One client connection. Synthesis runs in a thread, one sentence at a time for all clients,
    so the event loop keeps answering while the CPU works."""

    def __init__(self, voice: Voice, info: Info, lock: threading.Lock, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.voice, self.info, self.lock = voice, info, lock

    async def handle_event(self, event: Event) -> bool:
        if Describe.is_type(event.type):
            await self.write_event(self.info.event())
        elif Synthesize.is_type(event.type):
            await self.speak(Synthesize.from_event(event).text)
        return True

    async def speak(self, text: str) -> None:
        rate = self.voice.sample_rate
        loop = asyncio.get_running_loop()
        chunks = self.voice.stream(" ".join(text.split()))
        await self.write_event(AudioStart(rate=rate, width=SAMPLE_WIDTH, channels=1).event())
        spoken = 0
        while (chunk := await loop.run_in_executor(None, self._next, chunks)) is not None:
            pcm = (np.clip(chunk, -1.0, 1.0) * 32767).astype("<i2").tobytes()
            await self.write_event(AudioChunk(rate=rate, width=SAMPLE_WIDTH, channels=1, audio=pcm).event())
            spoken += len(pcm)
        await self.write_event(AudioStop().event())
        if not spoken:
            await self.write_event(Error(text="The text has nothing that can be spoken.", code="nothing_to_say").event())

    def _next(self, chunks: Iterator[np.ndarray]) -> np.ndarray | None:
        with self.lock:
            return next(chunks, None)


def handler_factory(voice: Voice, name: str):
    """What ``AsyncServer.run`` calls for each new connection."""
    return partial(SpeechHandler, voice, describe(voice, name), threading.Lock())


async def serve(voice_path: Path, uri: str, name: str) -> None:
    voice = Voice.load(voice_path)
    server = AsyncServer.from_uri(uri)
    await server.run(handler_factory(voice, name))
