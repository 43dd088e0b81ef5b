"""The web app's only doors into the other areas (text scripts, take checks, ASR, engine).

Everything the app needs from them goes through ``Services``, so the switch between the real
modules and a test's double is this one class. Imports stay inside methods: the engine and vosk
are heavy, and the worker process needs only part of them.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from moksori.engine.presets import TRAIN_PRESETS
from moksori.progress import Progress


@dataclass(frozen=True)
class Prompt:
    key: str  # "script:<hash>", "bank:<hash>", "custom:<id>", "phrase:<id>"
    text: str
    source: str


def text_key(source: str, text: str) -> str:
    """A key that follows the sentence, not its position: a reordered or edited script keeps
    every recording attached to the text that was actually read."""
    return f"{source}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    severity: str = "error"  # "error": record again; "warning": usable, worth a look


class SpeakingVoice(Protocol):
    sample_rate: int
    card: Any

    def stream(self, text: str, rate: float = 1.0, volume: float = 1.0) -> Iterator[np.ndarray]: ...

    def synthesize(self, text: str, rate: float = 1.0) -> np.ndarray: ...


class Services:
    """The real implementations, loaded lazily and cached per process."""

    def __init__(self) -> None:
        self._voices: dict[str, SpeakingVoice] = {}
        self._lock = threading.Lock()

    # text
    def script(self, language: str) -> list[Prompt]:
        from moksori.text.script import recording_script

        return [Prompt(text_key("script", text), text, "script") for text in recording_script(language)]

    def message_bank(self, language: str) -> list[Prompt]:
        from moksori.text.script import message_bank

        return [Prompt(text_key("bank", text), text, "bank") for text in message_bank(language)]

    # recordings
    def check_take(self, samples: np.ndarray, rate: int, text: str, language: str) -> list[Problem]:
        from moksori.dataset import check_take

        return [Problem(p.code, p.message, p.severity) for p in check_take(samples, rate, text, language)]

    def text_cer(self, samples: np.ndarray, rate: int, text: str, language: str) -> float:
        from moksori.asr import cer, reference_text, transcribe

        return float(cer(reference_text(text, language), transcribe(samples, rate, language), language))

    def unpack_zip(self, zip_path: Path, dest: Path, max_bytes: int, max_files: int) -> list[tuple[str, Path, str]]:
        """Unpack an LJSpeech-style zip safely (no ``..`` paths; sizes checked before anything is
        written) and list its recordings; ``ValueError`` with a plain message when it is unusable."""
        from moksori.dataset.source import extract_zip

        extract_zip(zip_path, dest, max_bytes=max_bytes, max_files=max_files)
        return self.recordings_in(dest)

    def recordings_in(self, folder: Path) -> list[tuple[str, Path, str]]:
        """``(id, audio path, text)`` of the dataset in ``folder`` (found one level down as well)."""
        from moksori.dataset import read_metadata
        from moksori.dataset.source import audio_files, open_dataset

        with open_dataset(folder) as root:
            texts, audio = read_metadata(root), audio_files(root)
            return [(utt_id, audio[utt_id], text) for utt_id, text in texts.items() if utt_id in audio]

    # engine
    def train(self, dataset_dir: Path, out_path: Path, preset: str, language: str, progress: Progress,
              resume: bool, workdir: Path) -> Path:
        """``engine.train`` on an LJSpeech-style folder of raw takes (it checks and prepares them itself)."""
        from moksori.engine.training import TrainConfig, train

        config = TrainConfig(language=language, **TRAIN_PRESETS[preset])
        return Path(train(dataset_dir, out_path, config=config, progress=progress, resume=resume, workdir=workdir))

    def understood(self, voice: SpeakingVoice, texts: list[str], language: str) -> float:
        """The share of ``texts`` (0..1) that speech recognition gets right when ``voice`` reads them."""
        from moksori.asr import error_rate, reference_text, transcribe

        errors = [error_rate(reference_text(text, language), transcribe(voice.synthesize(text), voice.sample_rate,
                                                                         language), language) for text in texts]
        return max(0.0, 1.0 - sum(errors) / len(errors))

    def voice(self, path: Path) -> SpeakingVoice:
        """The loaded voice, cached per file: loading costs far more than one sentence."""
        key = str(path)
        with self._lock:
            if key not in self._voices:
                from moksori.engine.voice import Voice

                self._voices[key] = Voice.load(path)
            return self._voices[key]

    def forget_voice(self, path: Path) -> None:
        with self._lock:
            self._voices.pop(str(path), None)
