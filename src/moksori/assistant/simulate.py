"""Scripted calls: each caller line is one turn, calls in one file share one store (a later call can
change or cancel an earlier call's booking). With a speech channel every line is spoken, sent through
8 kHz μ-law and recognised, so the whole chain is measured."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moksori.assistant.dialogue import Call
from moksori.assistant.faq import FaqIndex
from moksori.assistant.profile import ShopProfile
from moksori.assistant.store import MemoryStore

PHONE_RATE = 8000
Speak = Callable[[str], tuple[np.ndarray, int]]


class CallsError(ValueError):
    """A calls file that cannot be run (the message names the line)."""


@dataclass(frozen=True)
class ScriptedCall:
    id: str
    caller: list[str]
    caller_id: str | None = None


def read_calls(path: str | Path) -> list[ScriptedCall]:
    """``{"id": "c1", "caller": ["…", "…"], "from": "01012345678"?}`` one per line; blank lines skipped."""
    calls = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as error:
                raise CallsError(f"{path}:{number}: not JSON ({error.msg})") from None
            lines = data.get("caller") if isinstance(data, dict) else None
            if not isinstance(lines, list) or not all(isinstance(item, str) for item in lines):
                raise CallsError(f'{path}:{number}: expected {{"id": …, "caller": ["…", …]}}')
            calls.append(ScriptedCall(str(data.get("id", number)), lines, data.get("from")))
    return calls


Hear = Callable[[str, "list[str] | None"], str]


def telephone_channel(speak: Speak) -> Hear:
    """Caller text → speech → 8 kHz μ-law → widened for the recogniser as a live phone call's audio is
    (``recogniser_input``) → the offline recogniser's transcript; with a word list, the recogniser is
    restricted to those words (the last line's audio is kept, so it is spoken once)."""
    from moksori.asr import transcribe
    from moksori.asr.offline import ASR_RATE
    from moksori.asr.streaming import recogniser_input
    from moksori.audio import resample
    from moksori.audio.mulaw import mulaw_decode, mulaw_encode

    last: dict[str, np.ndarray] = {}

    def hear(text: str, grammar: list[str] | None = None) -> str:
        if text not in last:
            samples, rate = speak(text)
            line = mulaw_decode(mulaw_encode(resample(samples, rate, PHONE_RATE)))
            widen = recogniser_input(PHONE_RATE)
            last.clear()
            last[text] = np.concatenate([widen.push(line), widen.flush()])
        return transcribe(last[text], ASR_RATE, "ko", grammar=grammar)

    return hear


def speaker(spec: str) -> Speak:
    """``espeak`` (espeak-ng's Korean voice) or the path of a ``.voice`` file."""
    from moksori.text import normalize

    if spec == "espeak":
        from moksori.evaluation.baselines import espeak_synthesizer

        espeak = espeak_synthesizer("ko")
        return lambda text: espeak(normalize(text, lang="ko") or "네")
    from moksori.engine import Voice

    voice = Voice.load(spec)
    return lambda text: (voice.synthesize(text), voice.sample_rate)


def simulate(
    profile: ShopProfile,
    calls: Iterable[ScriptedCall],
    now: dt.datetime,
    hear: Hear | None = None,
    store: MemoryStore | None = None,
) -> Iterator[dict]:
    """One result per call: ``{"id", "greeting", "turns": [{"caller", "assistant", "ms"(, "heard")}],
    "records", "summary"}``; ``ms`` is the dialogue's own time for the turn."""
    store = store if store is not None else MemoryStore()
    faq = FaqIndex.for_shop(profile)
    for scripted in calls:
        call = Call(profile, store, now, faq=faq, caller_id=scripted.caller_id)
        turns = []
        greeting = call.greeting()
        for line in scripted.caller:
            if call.ended:
                break
            turn: dict = {"caller": line}
            said: str | None = line if line.strip() else None  # an empty line: the caller says nothing
            if hear is not None and said is not None:
                said = call.heard(hear(line, None), lambda phrases, line=line: hear(line, phrases))
                turn["heard"] = said
            started = time.perf_counter()
            turn["assistant"] = call.silence() if said is None else call.respond(said)
            turn["ms"] = round((time.perf_counter() - started) * 1000, 2)
            turns.append(turn)
        yield {
            "id": scripted.id,
            "greeting": greeting,
            "turns": turns,
            "records": call.records,
            "summary": call.summary(),
        }
