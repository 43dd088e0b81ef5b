"""Text normalisation: written text → words as they are read aloud (numbers, symbols, Latin letters)."""

from __future__ import annotations

import re
import unicodedata

from moksori.text.en_normalize import normalize_english
from moksori.text.ko_normalize import normalize_korean

MAX_CHARS = 1_000_000


class TextError(ValueError):
    """Text that cannot be read (wrong type, unsupported language, far too long)."""


_HANGUL_ONLY = re.compile(r"[가-힣 ,.?!]*")
_PLAIN = re.compile(r"[가-힣A-Za-z0-9 .,?!'\"()~%:/+=&#@-]*")


def clean(text: str) -> str:
    """Unicode-normalise and drop what cannot be read: control characters, Hangul fillers, emoji."""
    if not isinstance(text, str):
        raise TextError(f"expected text (str), got {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise TextError(f"text too long ({len(text)} characters; at most {MAX_CHARS})")
    text = unicodedata.normalize("NFKC", text)
    if _PLAIN.fullmatch(text):  # the common case needs no character-by-character look
        return re.sub(r"\s+", " ", text).strip()
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char in "\t\n\r" or category == "Zs":
            kept.append(" ")
        elif category[0] in "LNP" or category in ("Sm", "Sc") or char in "~℃°%&+=#@/":
            kept.append(char)
    return re.sub(r"\s+", " ", "".join(kept)).strip()


def normalize(text: str, lang: str = "ko") -> str:
    """Text as it is read aloud, e.g. ``"3.5%"`` → ``"삼 점 오 퍼센트"``."""
    text = clean(text)
    if lang == "ko" and _HANGUL_ONLY.fullmatch(text):
        return _tidy(text)  # nothing to spell out: most sentences take this path
    if lang == "ko":
        return _tidy(re.sub(r"[^가-힣 ,.?!]", " ", _PAUSES.sub(",", normalize_korean(text))))
    if lang == "en":
        return _tidy(re.sub(r"[^A-Za-z' ,.?!-]", " ", _PAUSES.sub(",", normalize_english(text))))
    raise TextError(f"unsupported language {lang!r} (use 'ko' or 'en')")


# Marks read as a short pause, kept as a comma (times and ratios have been spelled out by then).
_PAUSES = re.compile(r"\s*(?:[;:…·—–]|\.{2,})+")


def _tidy(text: str) -> str:
    """Single spaces, no space before punctuation, no punctuation left alone at the start or dangling at the end."""
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r" (?=[,.?!])", "", text)
    text = re.sub(r",+$", ".", text.strip())  # a trailing pause mark ends the utterance
    return re.sub(r"^[ ,.?!]+", "", text)


_SENTENCE_END = re.compile(r"(?<=[.?!…。？！])\s+|(?<=[.?!])(?=[가-힣])")  # 안녕.반가워 too


def split_sentences(text: str, max_chars: int = 80) -> list[str]:
    """Split long text into sentences; a sentence longer than ``max_chars`` is split again at commas."""
    sentences = []
    for sentence in _SENTENCE_END.split(clean(text)):
        sentences.extend(_split_long(sentence.strip(), max_chars))
    return [s for s in sentences if s]


def _split_long(sentence: str, max_chars: int) -> list[str]:
    if len(sentence) <= max_chars:
        return [sentence]
    pieces: list[str] = []
    for part in re.split(r"(?<=[,;:])\s+", sentence):
        if pieces and len(pieces[-1]) + 1 + len(part) <= max_chars:
            pieces[-1] += " " + part
        else:
            pieces.append(part)
    return [chunk for piece in pieces for chunk in _split_words(piece, max_chars)]


def _split_words(text: str, max_chars: int) -> list[str]:
    """Last resort for a run without punctuation: cut between words."""
    chunks: list[str] = []
    for word in text.split(" "):
        if chunks and len(chunks[-1]) + 1 + len(word) <= max_chars:
            chunks[-1] += " " + word
        else:
            chunks.append(word)
    return chunks
