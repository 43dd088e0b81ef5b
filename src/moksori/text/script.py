"""Recording scripts and the message-banking list, and the phonetically balanced selection behind them.

The shipped lists live in ``moksori/text/data`` and are rebuilt by ``bench/script_coverage.py``: sentences
are chosen greedily so that every prefix of the script covers as many phone pairs (diphones) as it can,
common pairs first, which is what a person who stops recording early needs.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from importlib import resources

from moksori.text.hangul import is_syllable
from moksori.text.normalize import TextError
from moksori.text.phoneset import BREAKS, WORD

LANGS = ("ko", "en")
SILENCE = "<sil>"
MIN_SYLLABLES, MAX_SYLLABLES = 5, 60

# Common Voice lines that are Bible verses (archaic endings and names) or period dialect and spelling.
_BIBLE_OR_ARCHAIC = re.compile(
    r"니라|리라|로다|지어다|하매|여호와|하나님|가인|아담|아벨|에덴|하와|니이다|나이다|도다|더라|지니|찌니|"
    r"소이다|올시다|읍니다|구려|허구|허니|어유|아유|지유|구두|두 ?$|라구 |않어|구먼|짭새|대한성서공회|"
    r"허[던듯는게실지다고면]|[가-힣]헌 |었에요|[었았있없하]구|구서|문제구|[부것나너리]두 |러두|[팔말]어|이오[.!]|유[.!?]$"
)
_ALLOWED = re.compile(r"^[가-힣0-9 ,.?!]+$")
# Lines cut out of a longer sentence start with an ending or a connective (하는 어머니의 …, 이라고 …).
_FRAGMENT_START = re.compile(r"^(?:하는|하고|하면서|하며|하여|하니|이라고|라고|하자|하더니) ")
_QUOTES = "\"'“”‘’"


def _data_lines(name: str) -> list[str]:
    text = resources.files("moksori.text").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise TextError(f"unsupported language {lang!r} (use 'ko' or 'en')")


def recording_script(lang: str = "ko", count: int | None = None) -> list[str]:
    """The recording script in recording order; any prefix is as phonetically balanced as it can be."""
    _check_lang(lang)
    sentences = _data_lines(f"script_{lang}.txt")
    return sentences if count is None else sentences[: max(count, 0)]


def message_bank(lang: str = "ko") -> list[str]:
    """Phrases worth keeping in one's own voice as recorded (greetings, 사랑해, jokes, feelings)."""
    _check_lang(lang)
    return _data_lines(f"messages_{lang}.txt")


def everyday_sentences(lang: str = "ko") -> list[str]:
    """Hand-written everyday sentences (replies, needs, numbers, dates, times, questions, exclamations)."""
    _check_lang(lang)
    return _data_lines(f"everyday_{lang}.txt")


def syllable_count(text: str, lang: str = "ko") -> int:
    """Hangul syllables for Korean; vowel groups as a rough count for English."""
    if lang == "ko":
        return sum(1 for c in text if is_syllable(c))
    return len(re.findall(r"[aeiouy]+", text.lower()))


def clean_pool_line(line: str) -> str | None:
    """A Common Voice line fit to read aloud, or None (Bible verses, fragments, odd characters, quotes)."""
    line = line.strip()
    if len(line) >= 2 and line[0] in _QUOTES and line[-1] in _QUOTES:
        line = line[1:-1].strip()
    if not _ALLOWED.match(line) or _BIBLE_OR_ARCHAIC.search(line) or _FRAGMENT_START.match(line):
        return None
    if not line.endswith((".", "?", "!")) or line.count(".") + line.count("?") + line.count("!") > 2:
        return None
    if not MIN_SYLLABLES <= syllable_count(line) <= MAX_SYLLABLES:
        return None
    return line


def diphones(phones: Sequence[str]) -> list[tuple[str, str]]:
    """Adjacent phone pairs of an utterance; breaks and its edges count as silence, word boundaries do not."""
    units = [SILENCE]
    for phone in phones:
        if phone in BREAKS:
            if units[-1] != SILENCE:
                units.append(SILENCE)
        elif phone != WORD:
            units.append(phone)
    if units[-1] != SILENCE:
        units.append(SILENCE)
    return list(zip(units, units[1:], strict=False))


def balanced_order(
    candidates: Sequence[Sequence[tuple[str, str]]],
    count: int,
    weights: dict[tuple[str, str], float],
    bonus: Sequence[float] | None = None,
    required: Iterable[int] = (),
    required_within: int = 0,
) -> list[int]:
    """Indices of ``count`` candidates in recording order, chosen greedily for diphone coverage.

    A diphone is worth ``weights[d]`` the first time and ``weights[d] / (1 + 3n)`` after n earlier times, so prefixes
    cover the common pairs first and then the rare ones; the gain is divided by the square root of the
    sentence length so that short, easy sentences are not crowded out. Lazy evaluation is exact because
    the gain of a sentence can only fall as others are chosen. The ``required`` candidates are all placed
    within the first ``required_within`` (once there is no room left to wait, the best of them comes next).
    """
    seen: Counter[tuple[str, str]] = Counter()
    bonus = bonus or [1.0] * len(candidates)

    def gain(index: int) -> float:
        units = set(candidates[index])
        value = sum(weights.get(d, 0.0) / (1 + 3 * seen[d]) for d in units)
        return bonus[index] * value / math.sqrt(max(len(candidates[index]), 1))

    heap = [(-gain(i), i) for i in range(len(candidates))]
    heapq.heapify(heap)
    order: list[int] = []
    waiting = set(required)
    while heap and len(order) < count:
        if waiting and required_within - len(order) <= len(waiting):
            index = max(waiting, key=gain)
            heap.remove(next(item for item in heap if item[1] == index))
            heapq.heapify(heap)
            waiting.discard(index)
            order.append(index)
            seen.update(set(candidates[index]))
            continue
        _, index = heapq.heappop(heap)
        fresh = gain(index)
        if heap and fresh < -heap[0][0] - 1e-12:
            heapq.heappush(heap, (-fresh, index))
            continue
        order.append(index)
        waiting.discard(index)
        seen.update(set(candidates[index]))
    return order


def coverage(selected: Iterable[Sequence[tuple[str, str]]], reference: Counter) -> tuple[float, float]:
    """(share of the reference's distinct diphones covered, share of its diphone occurrences covered)."""
    covered = {d for units in selected for d in units} & reference.keys()
    total = sum(reference.values())
    return len(covered) / max(len(reference), 1), sum(reference[d] for d in covered) / max(total, 1)
