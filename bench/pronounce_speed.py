"""Sentences per second of the Korean front-end on one core, over the Common Voice sentence pool.

Run: ``.venv/bin/python -m bench.pronounce_speed`` (writes the "pronounce_speed" section of
docs/benchmarks.md). The process pins itself to one CPU core. The first pass starts with empty caches
(only the analyser model is loaded beforehand, and its load time is reported on its own); the second pass
shows the steady state of a long-running app.
"""

from __future__ import annotations

import os
import sys
import time

from bench.report import write_section
from moksori.paths import shared_data_dir
from moksori.text import phonemes, pronounce
from moksori.text.hints import _kiwi, analysed_word_hints

COMMAND = ".venv/bin/python -m bench.pronounce_speed"


def load_pool() -> list[str]:
    data = shared_data_dir()
    if data is None:
        sys.exit("shared data not found (set MOKSORI_DATA); nothing measured")
    lines = (data / "ko_sentences" / "common_voice_ko.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip()]


def rate(function, sentences: list[str]) -> float:
    start = time.perf_counter()
    for sentence in sentences:
        function(sentence)
    return len(sentences) / (time.perf_counter() - start)


def main() -> None:
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    load = os.getloadavg()[0]  # the machine may be shared: say how busy it was
    sentences = load_pool()
    start = time.perf_counter()
    _kiwi().tokenize("준비")
    load_seconds = time.perf_counter() - start
    cold = rate(pronounce, sentences)
    analysed = analysed_word_hints.cache_info().currsize
    warm = rate(pronounce, sentences)
    phones = rate(phonemes, sentences)
    body = f"""
One core, {len(sentences)} sentences of `ko_sentences/common_voice_ko.txt` (normalise + pronounce);
load average {load:.1f} when the run started.

| measure | value |
|---|---|
| `pronounce`, first pass (empty caches) | **{cold:,.0f} sentences/s** |
| `pronounce`, second pass (warm caches) | {warm:,.0f} sentences/s |
| `phonemes` (normalise + pronounce + phones), warm | {phones:,.0f} sentences/s |
| words sent to kiwipiepy (distinct, with context) | {analysed:,} |
| kiwipiepy model load (once per process) | {load_seconds:.1f} s |

Target: ≥ 1,000 sentences/s on one core.
"""
    print(body)
    write_section("pronounce_speed", "Korean pronunciation speed", COMMAND, body)


if __name__ == "__main__":
    main()
