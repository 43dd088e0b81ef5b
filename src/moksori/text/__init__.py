"""Text front-end: normalise → pronounce → phonemes, for Korean and English; recording scripts.

``normalize``, ``split_sentences``, ``pronounce`` and ``phonemes`` are the public interface (see
docs/architecture.md); the phone inventory is ``moksori.text.phoneset.PHONES``.
"""

from __future__ import annotations

from moksori.text.normalize import TextError, normalize, split_sentences
from moksori.text.phoneset import PHONES

__all__ = ["PHONES", "TextError", "normalize", "phonemes", "preload", "pronounce", "split_sentences"]


def pronounce(text: str) -> str:
    """The standard pronunciation (표준 발음법) of Korean ``text`` in Hangul, after normalisation."""
    from moksori.text.hints import boundary_hints, respell
    from moksori.text.rules import apply_rules

    normalized = normalize(text, "ko")
    return apply_rules(respell(normalized), boundary_hints(normalized))


def phonemes(text: str, lang: str = "ko") -> list[str]:
    """The phone sequence of ``text`` (symbols of ``PHONES``), with word boundaries and phrase breaks."""
    if lang == "en":
        from moksori.text.english import english_phones

        return english_phones(normalize(text, "en"))
    from moksori.text.phones import korean_phones

    return korean_phones(pronounce(normalize(text, lang)))


def preload(lang: str = "ko") -> None:
    """Load the morpheme analyser (Korean) or CMUdict (English) now, so the first sentence is not slow.

    Both load lazily on first use (a few seconds); a server can call this at start-up instead.
    """
    phonemes("준비 다 됐어요, 감사합니다." if lang == "ko" else "ready", lang)
    if lang == "ko":
        from moksori.text.hints import analysed_word_hints

        analysed_word_hints("신고", "신발을")
