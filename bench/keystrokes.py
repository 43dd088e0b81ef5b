"""Keystrokes to say the 10 most common phrases on the talk screen, four ways: typing on a Korean
two-set (두벌식) keyboard, typing with the word suggestions, the favourite keys 1–9, and moving on the
phrase board with the arrow keys.

Run: ``.venv/bin/python -m bench.keystrokes`` (writes the "keystrokes" section of docs/benchmarks.md).
The phrases are the first ten of the standard Korean message bank; the person's history holds the
whole bank said once, which is what the suggestions learn from. The suggestion rule is the one in
``web/static/predict.js`` (prefix match, most used first, four shown); picking the n-th suggestion
costs n Tab presses and Enter. Keys are counted, not time.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from bench.report import write_section
from moksori.text.script import message_bank

COMMAND = ".venv/bin/python -m bench.keystrokes"
PHRASES = 10
SHOWN = 4  # suggestions under the text box
BOARD_COLUMNS = 2  # tiles per row on a 390-px phone screen
# Conjoining jamo typed with two keys on the two-set keyboard (compound vowels and final clusters).
TWO_KEYS = set("ᅪᅫᅬᅯᅰᅱᅴᆪᆬᆭᆰᆱᆲᆳᆴᆵᆶᆹ")
PUNCTUATION = re.compile(r"[.,!?…\"'“”‘’()]")


def keys_for(text: str) -> int:
    """Key presses to type ``text``: each jamo (two for compound ones), each space and mark."""
    return sum(2 if ch in TWO_KEYS else 1 for ch in unicodedata.normalize("NFD", text))


def suggest(counts: Counter, prefix: str) -> list[str]:
    words = [w for w in counts if len(w) > len(prefix) and w.startswith(prefix)]
    return sorted(words, key=lambda w: (-counts[w], w))[:SHOWN]


def keys_with_suggestions(text: str, counts: Counter) -> int:
    """Type each word syllable by syllable until it is offered, then pick it (Tabs + Enter)."""
    total = 0
    for raw in text.split():
        word, marks = PUNCTUATION.sub("", raw), "".join(PUNCTUATION.findall(raw))
        typed, cost = "", None
        for syllable in word:
            offered = suggest(counts, typed) if typed else []
            if word in offered:
                cost = keys_for(typed) + offered.index(word) + 2  # Tabs to it, Enter (adds the space)
                break
            typed += syllable
        total += (cost if cost is not None else keys_for(word) + 1) + keys_for(marks)
    return total + 1  # Enter speaks


def main() -> None:
    bank = message_bank("ko")
    counts = Counter(PUNCTUATION.sub("", w) for phrase in bank for w in phrase.split())
    rows, sums = [], Counter()
    for index, phrase in enumerate(bank[:PHRASES]):
        figures = {
            "typed": keys_for(phrase) + 1,
            "suggestions": keys_with_suggestions(phrase, counts),
            "favourite": 1 if index < 9 else None,  # number keys say the first nine favourites
            "board": 1 + index // BOARD_COLUMNS + index % BOARD_COLUMNS + 1,  # F6, arrows, Enter
        }
        sums.update({k: v for k, v in figures.items() if v is not None})
        rows.append(f"| {phrase} | {figures['typed']} | {figures['suggestions']} | "
                    f"{figures['favourite'] or '– (10th: board)'} | {figures['board']} |")
    body = "\n".join([
        "| phrase | typed | typed with suggestions | favourite key | board (F6, arrows, Enter) |",
        "|---|---|---|---|---|", *rows,
        f"| **mean** | **{sums['typed'] / PHRASES:.1f}** | **{sums['suggestions'] / PHRASES:.1f}** | "
        f"**1** (first nine) | **{sums['board'] / PHRASES:.1f}** |",
        "",
        "Favourites need one key once the focus is outside the text box (F6 first from inside it: two).",
    ])
    print(body)
    write_section("keystrokes", "Keystrokes to speak the 10 most common phrases", COMMAND, body)


if __name__ == "__main__":
    main()
