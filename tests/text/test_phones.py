"""Korean phones: onset and coda symbols, the lateral ㄹ, glides, boundaries and breaks."""

from __future__ import annotations

import pytest

from moksori.text import phonemes
from moksori.text.phones import korean_phones


@pytest.mark.parametrize(
    ("pronounced", "phones"),
    [
        ("국", ["g", "u", "-k", "."]),
        ("달라", ["d", "a", "-l", "l", "a", "."]),  # ㄹ after coda ㄹ is a lateral
        ("할 릴", ["h", "a", "-l", "_", "l", "i", "-l", "."]),  # also across a space
        ("다라", ["d", "a", "r", "a", "."]),  # intervocalic ㄹ is the flap
        ("꽉 찬", ["kk", "w", "a", "-k", "_", "ch", "a", "-n", "."]),
        ("의사", ["ui", "s", "a", "."]),
        ("쟈", ["j", "a", "."]),  # the y-glide merges into ㅈ
        ("얘", ["y", "e", "."]),
        ("방", ["b", "a", "-ng", "."]),
    ],
)
def test_korean_phones(pronounced: str, phones: list[str]) -> None:
    assert korean_phones(pronounced) == phones


def test_breaks_replace_word_boundaries_and_the_stronger_break_wins() -> None:
    assert korean_phones("가 , 나 ?!") == ["g", "a", ",", "n", "a", "?"]
    assert korean_phones("  ") == []


def test_phonemes_apply_normalisation_and_pronunciation() -> None:
    assert phonemes("국물 3개") == ["g", "u", "-ng", "m", "u", "-l", "_", "s", "e", "_", "g", "e", "."]
