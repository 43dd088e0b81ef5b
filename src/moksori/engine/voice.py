"""Speaking with a trained voice: text → phones → acoustic model → WORLD features → audio.

``Voice.stream`` yields audio sentence by sentence, and phrase by phrase inside a sentence, with a
short first chunk, so playback can start while the rest is still being made. The acoustic model runs
once per sentence (prosody needs the whole sentence); the vocoder then makes the sentence's audio
chunk by chunk, seamlessly. ``Voice.synthesize`` is the concatenation of the same chunks.

A voice speaks with one of two back-ends: ``parametric`` (the acoustic model's frames) or ``hybrid`` (the
speaker's own recorded half-phones picked and joined to the model's predictions, ``moksori.engine.unit_select``).
By default it uses the one its card says scored better on the held-out sentences when it was trained.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import fields
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController

from moksori.engine import features, unit_select, voicefile
from moksori.engine.inference import AcousticConfig, InferenceModel, weight_shapes
from moksori.engine.units import UnitIndex
from moksori.engine.voicefile import VoiceFileError
from moksori.text.phoneset import BREAKS, UNK, WORD

DEFAULT_PAUSE_MS = 250.0
# Chunks are cut at phrase breaks, and at word boundaries once this long (seconds). The vocoder joins
# chunks seamlessly, so these only trade latency against per-chunk overhead.
FIRST_CHUNK_S = 0.4
CHUNK_S = 2.0
# Words that make the front-end load its morpheme analyser (verb stems ending in ㄴ/ㅁ, 관형사형 -ㄹ).
BACKENDS = ("parametric", "hybrid")
WARM_UP_TEXT = {"ko": "신발을 신고 머리를 감고 갈 곳이 있어요.", "en": "Hello, nice to meet you."}


@functools.cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


def _one_thread() -> AbstractContextManager[Any]:
    """A context in which numpy's BLAS runs on one thread, restored after.

    Synthesis is latency-bound and its matrices are small: on a shared machine (load 4 on 2 cores)
    OpenBLAS's default two threads made the acoustic model 40× and the vocoder 3× slower than one thread.
    """
    return _blas().limit(limits=1, user_api="blas")


def _each_on_one_thread(items: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
    """``items``, each made under ``_one_thread``; the caller runs with the setting it had between items."""
    while True:
        with _one_thread():
            item = next(items, None)
        if item is None:
            return
        yield item


def _build_model(config: dict[str, Any], state_dict: dict[str, np.ndarray], name: str) -> InferenceModel:
    """The acoustic model of a voice file, with every weight shape checked against its config."""
    known = {f.name for f in fields(AcousticConfig)}
    try:
        model_config = AcousticConfig(**{k: v for k, v in config["model"].items() if k in known})
        expected = weight_shapes(model_config)
    except (TypeError, ValueError) as error:
        raise VoiceFileError(f"{name}: the model config cannot be used ({error})") from error
    found = {key: tuple(value.shape) for key, value in state_dict.items()}
    missing = sorted(expected.keys() - found.keys())
    unexpected = sorted(found.keys() - expected.keys())
    wrong = sorted(key for key in expected.keys() & found.keys() if expected[key] != found[key])
    if missing or unexpected or wrong:
        details = [
            f"missing {', '.join(missing[:3])}" if missing else "",
            f"unexpected {', '.join(unexpected[:3])}" if unexpected else "",
            ", ".join(f"{key} is {found[key]}, config says {expected[key]}" for key in wrong[:3]),
        ]
        raise VoiceFileError(
            f"{name}: weights do not match the model config ({'; '.join(d for d in details if d)})"
        )
    return InferenceModel(model_config, state_dict)


class Voice:
    """A loaded ``.voice``: say text with it. Thread-compatible, not thread-safe (one caller at a time)."""

    def __init__(
        self,
        model: InferenceModel,
        phone_set: list[str],
        config: dict[str, Any],
        card: dict[str, Any],
        units: UnitIndex | None = None,
    ):
        self.model = model
        self.units = units
        self.unit_costs = unit_select.Costs()  # the hybrid back-end's search and join settings
        chosen = card.get("backend")
        self.backend: str = chosen if units is not None and chosen in BACKENDS else "parametric"
        self.phone_set = list(phone_set)
        self.config = config
        self.card = card
        self.language: str = config.get("language", "ko")
        self._phone_id = {phone: index for index, phone in enumerate(self.phone_set)}
        self._unknown = self._phone_id.get(UNK, 0)

    @classmethod
    def load(cls, path: str | os.PathLike, backend: str | None = None) -> Voice:
        """Open a ``.voice`` file; raises ``VoiceFileError`` when it is damaged, foreign or too new.

        ``backend`` ("parametric" or "hybrid") overrides the one the voice chose when it was trained;
        ``ValueError`` when it is unknown or the voice has no recorded units for it.
        """
        voice = cls._read(path)
        voice.backend = voice._backend(backend)
        # The text front-end loads its dictionaries on first use (seconds, ~310 MB for Korean), and finding
        # the BLAS libraries takes ~10 ms: do both now, not mid-conversation. The file's raw weights are
        # freed by now, so they do not add to the peak.
        voice.phone_ids(WARM_UP_TEXT.get(voice.language, WARM_UP_TEXT["en"]))
        _blas()
        return voice

    @classmethod
    def _read(cls, path: str | os.PathLike) -> Voice:
        contents = voicefile.load(path)
        model = _build_model(contents.config, contents.state_dict, os.fspath(path))
        if model.config.n_phones != len(contents.phone_set):
            raise VoiceFileError(
                f"{os.fspath(path)}: {len(contents.phone_set)} phones listed but the model has {model.config.n_phones}"
            )
        settings = voicefile.feature_settings(model.config.sample_rate)
        stored = contents.config["features"]
        differ = [
            key for key in ("frame_period_ms", "mcep_dim", "bap_dim") if stored.get(key) != settings[key]
        ]
        if differ:
            raise VoiceFileError(
                f"{os.fspath(path)}: made with other WORLD settings ({', '.join(differ)}) than this Moksori uses"
            )
        return cls(model, contents.phone_set, contents.config, contents.card, contents.units)

    def _backend(self, backend: str | None) -> str:
        """``backend``, checked, or this voice's own when None."""
        if backend is None:
            return self.backend
        if backend not in BACKENDS:
            raise ValueError(f"unknown back-end {backend!r}: choose {' or '.join(BACKENDS)}")
        if backend == "hybrid" and self.units is None:
            raise ValueError(
                "this voice has no recorded units for the hybrid back-end (it was made by an older Moksori): "
                "use the parametric back-end or train it again"
            )
        return backend

    @property
    def sample_rate(self) -> int:
        return int(self.model.config.sample_rate)

    def phone_ids(self, text: str) -> list[list[int]]:
        """Phone ids of each sentence of ``text`` (sentences without any phone are dropped)."""
        return list(self._sentence_ids(text))

    def _sentence_ids(self, text: str) -> Iterator[list[int]]:
        from moksori.text import phonemes, split_sentences

        for sentence in split_sentences(text):
            phones = phonemes(sentence, self.language)
            if any(phone not in BREAKS and phone != WORD for phone in phones):
                yield [self._phone_id.get(phone, self._unknown) for phone in phones]

    def stream(
        self,
        text: str,
        rate: float = 1.0,
        pitch: float = 0.0,
        volume: float = 1.0,
        pause_ms: float = DEFAULT_PAUSE_MS,
        backend: str | None = None,
    ) -> Iterator[np.ndarray]:
        """Yield float32 audio chunks at ``sample_rate``, in order, each as soon as it is made.

        ``rate`` > 1 speaks faster, ``pitch`` shifts by semitones, ``volume`` scales the level (clipped to
        [-1, 1]), ``pause_ms`` of silence separate sentences; ``backend`` overrides the voice's back-end.
        """
        if rate <= 0 or volume < 0 or pause_ms < 0:
            raise ValueError("rate must be positive, volume and pause_ms not negative")
        return self._stream(
            text, rate, pitch, volume, np.zeros(int(self.sample_rate * pause_ms / 1000), np.float32),
            self._backend(backend),
        )

    def _stream(
        self, text: str, rate: float, pitch: float, volume: float, pause: np.ndarray, backend: str
    ) -> Iterator[np.ndarray]:
        # Lazy all the way: a sentence is read, modelled and vocoded only when its first chunk is asked for.
        for number, ids in enumerate(self._sentence_ids(text)):
            with _one_thread():
                feats, durations = self.model.generate(ids, pace=rate, pitch_shift=pitch)
                if backend == "hybrid":
                    feats, _, durations = unit_select.speak(
                        self.units, feats, np.asarray(ids), durations, pitch_shift=pitch, costs=self.unit_costs
                    )
            chunks = features.synthesize_stream(feats, self._cuts(ids, durations, first=number == 0))
            for index, audio in enumerate(_each_on_one_thread(chunks)):
                audio = np.clip(audio * np.float32(volume), -1.0, 1.0)
                yield np.concatenate([pause, audio]) if index == 0 and number > 0 else audio

    def _cuts(self, ids: list[int], durations: np.ndarray, first: bool) -> list[int]:
        """Frames where a sentence's audio is cut into chunks: every phrase break, and word boundaries
        once a chunk is long enough (``FIRST_CHUNK_S`` for the very first chunk, so playback starts soon)."""
        ends = np.cumsum(durations)
        target = FIRST_CHUNK_S if first else CHUNK_S
        cuts, last = [], 0
        for i in range(len(ids) - 1):
            phone, middle = self.phone_set[ids[i]], int(ends[i] - durations[i] // 2)
            long_enough = (middle - last) * features.FRAME_PERIOD_MS / 1000 >= target
            if phone in BREAKS or (phone == WORD and long_enough):
                cuts.append(middle)
                last, target = middle, CHUNK_S
        return cuts

    def synthesize(
        self,
        text: str,
        rate: float = 1.0,
        pitch: float = 0.0,
        volume: float = 1.0,
        pause_ms: float = DEFAULT_PAUSE_MS,
        backend: str | None = None,
    ) -> np.ndarray:
        """The whole of ``text`` as one float32 array at ``sample_rate`` (empty when there is nothing to say)."""
        chunks = list(self.stream(text, rate=rate, pitch=pitch, volume=volume, pause_ms=pause_ms, backend=backend))
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
