"""Text front-end: normalise → pronounce → phonemes, for Korean and English; recording scripts.

``normalize``, ``split_sentences``, ``pronounce`` and ``phonemes`` are the public interface (see
docs/architecture.md); the phone inventory is ``moksori.text.phoneset.PHONES``.
"""

from __future__ import annotations

from moksori.text.normalize import TextError, normalize, split_sentences
from moksori.text.phoneset import PHONES

__all__ = ["PHONES", "TextError", "normalize", "phonemes", "pronounce", "split_sentences"]


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
