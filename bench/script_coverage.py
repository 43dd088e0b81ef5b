"""Build the shipped recording scripts and report their diphone coverage per prefix against random choice.

Run: ``.venv/bin/python -m bench.script_coverage`` (rewrites ``src/moksori/text/data/script_{ko,en}.txt``
and the "script_coverage" section of docs/benchmarks.md). Korean candidates are the cleaned CC0 Common
Voice pool plus the project's hand-written everyday sentences; English candidates are the hand-written
sentences plus the complete public-domain LJ Speech sentences in the shared data.
"""

from __future__ import annotations

import math
import random
import sys
from collections import Counter
from pathlib import Path

from bench.report import write_section
from moksori.paths import shared_data_dir
from moksori.text import phonemes
from moksori.text.script import (
    balanced_order,
    clean_pool_line,
    coverage,
    diphones,
    everyday_sentences,
    syllable_count,
)

COMMAND = ".venv/bin/python -m bench.script_coverage"
DATA = Path(__file__).resolve().parents[1] / "src" / "moksori" / "text" / "data"
KO_COUNT = 600
PREFIXES = (50, 150, 300, 500, 600)
RANDOM_DRAWS = 10
EVERYDAY_BONUS = 2.0  # hand-written everyday sentences are what a person will actually say
REQUIRED_WITHIN = 500  # ... so all of them are in the first 500

HEADERS = {
    "ko": (
        "# Moksori Korean recording script, in recording order (every prefix is phonetically balanced).\n"
        "# Built by bench/script_coverage.py. Sources: Common Voice Korean sentence collector (CC0 1.0,\n"
        "# common-voice/common-voice server/data/ko/sentence-collector.txt, Bible verses removed) and the\n"
        "# project's own everyday sentences (data/everyday_ko.txt, CC0 1.0).\n"
    ),
    "en": (
        "# Moksori English recording script, in recording order (every prefix is phonetically balanced).\n"
        "# Built by bench/script_coverage.py. Sources: the project's own everyday sentences\n"
        "# (data/everyday_en.txt, CC0 1.0) and LJ Speech 1.1 sentences (public domain).\n"
    ),
}


def korean_candidates(data: Path) -> tuple[list[str], list[str]]:
    raw = (data / "ko_sentences" / "common_voice_ko.txt").read_text(encoding="utf-8").splitlines()
    cleaned = list(dict.fromkeys(line for line in map(clean_pool_line, raw) if line))
    return raw, cleaned


def english_candidates(data: Path) -> list[str]:
    lines = []
    for folder in ("en_lj32", "en_pmatthes"):
        for row in (data / folder / "metadata.csv").read_text(encoding="utf-8").splitlines():
            text = row.split("|", 1)[1].strip()
            if text[:1].isupper() and text.endswith((".", "?", "!")) and 4 <= len(text.split()) <= 30:
                lines.append(text)
    return list(dict.fromkeys(lines))


def units_of(sentences: list[str], lang: str) -> list[list[tuple[str, str]]]:
    return [diphones(phonemes(s, lang)) for s in sentences]


def build(lang: str, candidates: list[str], everyday: list[str], reference_lines: list[str], count: int):
    sentences = list(dict.fromkeys(everyday + candidates))
    sentences = [s for s in sentences if syllable_count(s, lang) >= 5 or s in everyday]
    units = units_of(sentences, lang)
    reference = Counter(d for u in units_of(reference_lines, lang) for d in u)
    weights = {d: 1.0 + math.log(n) for d, n in reference.items()}
    bonus = [EVERYDAY_BONUS if s in everyday else 1.0 for s in sentences]
    required = [i for i, s in enumerate(sentences) if s in everyday]
    order = balanced_order(units, min(count, len(sentences)), weights, bonus, required, REQUIRED_WITHIN)
    return [sentences[i] for i in order], [units[i] for i in order], units, reference


def prefix_table(chosen_units, all_units, reference, prefixes) -> str:
    rng = random.Random(0)
    rows = ["| prefix | distinct diphones covered | random (mean of 10) | diphone occurrences covered | random |",
            "|---|---|---|---|---|"]  # fmt: skip
    for size in prefixes:
        if size > len(chosen_units):
            continue
        types, tokens = coverage(chosen_units[:size], reference)
        draws = [coverage(rng.sample(all_units, size), reference) for _ in range(RANDOM_DRAWS)]
        rand_types = sum(d[0] for d in draws) / RANDOM_DRAWS
        rand_tokens = sum(d[1] for d in draws) / RANDOM_DRAWS
        rows.append(f"| {size} | {types:.1%} | {rand_types:.1%} | {tokens:.2%} | {rand_tokens:.2%} |")
    return "\n".join(rows)


def write_script(lang: str, sentences: list[str]) -> None:
    (DATA / f"script_{lang}.txt").write_text(HEADERS[lang] + "\n".join(sentences) + "\n", encoding="utf-8")


def main() -> None:
    data = shared_data_dir()
    if data is None:
        sys.exit("shared data not found (set MOKSORI_DATA); nothing built")
    raw, cleaned = korean_candidates(data)
    everyday_ko = everyday_sentences("ko")
    ko, ko_units, ko_all, ko_ref = build("ko", cleaned, everyday_ko, raw, KO_COUNT)
    write_script("ko", ko)
    en_pool = english_candidates(data)
    everyday_en = everyday_sentences("en")
    en, en_units, en_all, en_ref = build("en", en_pool, everyday_en, everyday_en + en_pool, 10**6)
    write_script("en", en)
    in_500 = sum(1 for s in ko[:500] if s in everyday_ko)
    body = f"""
Diphones are adjacent phone pairs of the `phonemes` output (pauses count as silence, word boundaries
are crossed). Coverage is measured against every diphone occurring in the reference.

**Korean** ({len(ko)} sentences shipped, chosen from {len(cleaned)} cleaned Common Voice lines and
{len(everyday_ko)} hand-written everyday sentences, {in_500} of which are in the first 500). Reference: the
whole Common Voice pool ({len(raw)} lines, {len(ko_ref)} distinct diphones).

{prefix_table(ko_units, ko_all, ko_ref, PREFIXES)}

**English** ({len(en)} sentences shipped: {len(everyday_en)} hand-written, {len(en_pool)} LJ Speech).
Reference: all candidates ({len(en_ref)} distinct diphones).

{prefix_table(en_units, en_all, en_ref, (50, 150, 300))}
"""
    print(body)
    write_section("script_coverage", "Recording script coverage", COMMAND, body)


if __name__ == "__main__":
    main()
