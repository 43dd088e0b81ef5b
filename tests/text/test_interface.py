"""The public interface of the text front-end: every phone is in the inventory, bad input is refused cleanly."""

from __future__ import annotations

import pytest

from moksori.text import TextError, normalize, phonemes, pronounce, split_sentences
from moksori.text.phoneset import BREAKS, PHONE_ID, PHONES, WORD, phone_ids

# The inventory of the first trained voices: symbols may be appended after these, never renamed or moved.
_FROZEN = (
    "<pad> <bos> <eos> <unk> _ , . ? ! g kk n d tt r m b pp s ss j jj ch k t p h l -k -t -p -m -n "
    "-ng -l a eo o u eu i e ui y w AA0 AA1 AA2 AE0 AE1 AE2 AH0 AH1 AH2 AO0 AO1 AO2 AW0 AW1 AW2 AY0 "
    "AY1 AY2 EH0 EH1 EH2 ER0 ER1 ER2 EY0 EY1 EY2 IH0 IH1 IH2 IY0 IY1 IY2 OW0 OW1 OW2 OY0 OY1 OY2 UH0 "
    "UH1 UH2 UW0 UW1 UW2 B CH D DH F G HH JH K L M N NG P R S SH T TH V W Y Z ZH"
)
FROZEN_INVENTORY = _FROZEN.split()


def test_inventory_is_append_only() -> None:
    assert PHONES[: len(FROZEN_INVENTORY)] == tuple(FROZEN_INVENTORY)


def test_inventory_is_unique_and_starts_with_pad() -> None:
    assert PHONES[0] == "<pad>"
    assert len(set(PHONES)) == len(PHONES)


@pytest.mark.parametrize(
    ("text", "lang"),
    [("안녕하세요, 반갑습니다!", "ko"), ("정말요? 네.", "ko"), ("Hello there, how are you?", "en")],
)
def test_phonemes_are_in_inventory_and_end_with_a_break(text: str, lang: str) -> None:
    phones = phonemes(text, lang)
    assert phones and all(p in PHONE_ID for p in phones)
    assert phones[-1] in BREAKS


def test_breaks_and_word_boundaries_are_distinct() -> None:
    phones = phonemes("네, 알겠어요. 정말요? 좋아요!")
    assert [p for p in phones if p in BREAKS] == [",", ".", "?", "!"]
    assert phonemes("국물 맛")[:-1].count(WORD) == 1


def test_korean_and_english_phones_do_not_overlap() -> None:
    korean = set(phonemes("가나다라마바사아자차카타파하")) - set(BREAKS)
    english = set(phonemes("a quick brown fox jumps", "en")) - set(BREAKS) - {WORD}
    assert korean and english and not korean & english


def test_phone_ids_map_unknown_symbols_to_unk() -> None:
    assert phone_ids(["a", "???"]) == [PHONE_ID["a"], PHONE_ID["<unk>"]]


@pytest.mark.parametrize("text", ["", "   ", "😀😀", "\x00\x07\u115f", "가" * 100_000, "ℹ️ 🇰🇷 ❤"])
def test_odd_input_never_crashes(text: str) -> None:
    assert isinstance(normalize(text), str)
    assert isinstance(pronounce(text), str)
    assert all(p in PHONE_ID for p in phonemes(text))
    assert isinstance(split_sentences(text), list)


def test_wrong_type_and_language_give_clear_errors() -> None:
    with pytest.raises(TextError, match="expected text"):
        normalize(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TextError, match="unsupported language"):
        normalize("hi", lang="fr")


def test_split_sentences_splits_at_ends_and_long_sentences_at_commas() -> None:
    assert split_sentences("가나다. 라마바? 사아자!") == ["가나다.", "라마바?", "사아자!"]
    assert split_sentences("안녕.반가워! 3.5% 올랐다.") == ["안녕.", "반가워!", "3.5% 올랐다."]
    long = ", ".join(["아주 긴 문장의 한 부분입니다"] * 10) + "."
    pieces = split_sentences(long, max_chars=40)
    assert len(pieces) > 1 and all(len(p) <= 40 for p in pieces)
    assert " ".join(pieces) == long


def test_huge_numbers_are_read_digit_by_digit() -> None:
    assert normalize("1" * 25) == "일" * 25
    assert normalize("12345678901234567890123원").endswith(" 원")


def test_pause_marks_become_commas() -> None:
    assert normalize("글쎄… 잘 모르겠어; 아마도") == "글쎄, 잘 모르겠어, 아마도"
    assert normalize("Well… maybe...", "en") == "Well, maybe."


def test_preload_loads_what_the_first_sentence_would() -> None:
    from moksori.text import preload
    from moksori.text.english import word_phones
    from moksori.text.hints import analysed_word_hints

    analysed_word_hints.cache_clear()
    word_phones.cache_clear()
    preload("ko")
    preload("en")
    assert analysed_word_hints.cache_info().currsize >= 1  # the analyser has run
    assert word_phones.cache_info().currsize >= 1  # CMUdict has been read
