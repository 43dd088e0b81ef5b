"""Recording scripts: shipped lists, their contents, and the balanced selection that orders them."""

from __future__ import annotations

from collections import Counter

import pytest

from moksori.text import TextError, normalize, phonemes
from moksori.text.phoneset import PHONE_ID
from moksori.text.script import (
    SILENCE,
    balanced_order,
    clean_pool_line,
    coverage,
    diphones,
    everyday_sentences,
    message_bank,
    recording_script,
    syllable_count,
)


def test_korean_script_is_long_enough_and_readable() -> None:
    script = recording_script("ko")
    assert len(script) >= 500
    assert len(set(script)) == len(script)
    assert all(5 <= syllable_count(normalize(s)) <= 60 for s in script)
    assert all(p in PHONE_ID for s in script[:50] for p in phonemes(s))


def test_korean_script_has_everyday_items_within_the_first_500() -> None:
    first = recording_script("ko", count=500)
    assert set(everyday_sentences("ko")) <= set(first)
    assert any(s.startswith("네,") for s in first) and any(s.startswith("아니요") for s in first)
    assert any(s.endswith("?") for s in first) and any(s.endswith("!") for s in first)
    assert any(any(c.isdigit() for c in s) for s in first)


def test_english_script_and_message_banks() -> None:
    assert len(recording_script("en")) >= 300
    assert recording_script("en", count=3) == recording_script("en")[:3]
    assert "사랑해." in message_bank("ko")
    assert 40 <= len(message_bank("ko")) <= 80 and 40 <= len(message_bank("en")) <= 80


def test_unknown_language_is_refused() -> None:
    with pytest.raises(TextError):
        recording_script("fr")


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ('"그럼 어떡해?"', "그럼 어떡해?"),
        ("오늘은 날씨가 참 좋습니다.", "오늘은 날씨가 참 좋습니다."),
        ("게으른 자는 그 손을 그릇에 넣고도 입으로 올리기를 괴로와하느니라", None),
        ("여호와 하나님이 이르시되 좋았더라.", None),
        ("그때 김첨지는 열화와 같이 성을 내며", None),
        ("\u115f이상한 글자가 있다.", None),
        ("네.", None),
        ("암만 사정허듯 타일러두 점점 왜먹기만 허는걸.", None),
        ("하는 어머니의 목소리와 함께 된장찌개 냄새가 났다.", None),
        ("모두 친구 집에 모였다.", "모두 친구 집에 모였다."),
    ],
)
def test_clean_pool_line(line: str, kept: str | None) -> None:
    assert clean_pool_line(line) == kept


def test_diphones_treat_breaks_as_silence_and_cross_word_boundaries() -> None:
    pairs = diphones(["a", "_", "b", ",", "i", "."])
    assert pairs == [(SILENCE, "a"), ("a", "b"), ("b", SILENCE), (SILENCE, "i"), ("i", SILENCE)]


def test_balanced_order_prefers_new_diphones_and_keeps_required_items() -> None:
    a, b, c = ("x", "y"), ("y", "z"), ("z", "w")
    candidates = [[a, b], [a], [c], [a, b, c]]
    weights = {a: 1.0, b: 1.0, c: 1.0}
    assert balanced_order(candidates, 1, weights) == [3]
    order = balanced_order(candidates, 2, weights, required=[1], required_within=2)
    assert 1 in order and len(order) == 2


def test_coverage_counts_types_and_tokens() -> None:
    reference = Counter({("a", "b"): 3, ("b", "c"): 1})
    assert coverage([[("a", "b")]], reference) == (0.5, 0.75)


def test_every_prefix_of_the_korean_script_beats_random_prefixes() -> None:
    import random

    script = recording_script("ko")
    units = [diphones(phonemes(s)) for s in script]
    reference = Counter(d for u in units for d in u)
    rng = random.Random(0)
    for size in (50, 150, 300):
        ordered = coverage(units[:size], reference)[0]
        shuffled = sum(coverage(rng.sample(units, size), reference)[0] for _ in range(5)) / 5
        assert ordered > shuffled
