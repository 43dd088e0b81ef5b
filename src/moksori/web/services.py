"""The web app's only doors into the other areas (text scripts, take checks, ASR, engine).

Everything the app needs from them goes through ``Services``, so the switch between the real
modules and a test's double is this one class. Imports stay inside methods: the engine and vosk
are heavy, and the worker process needs only part of them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from moksori.engine.presets import TRAIN_PRESETS
from moksori.progress import Progress
from moksori.web.voice_cache import VoiceCache


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


class UploadLimits(Protocol):
    max_zip_members: int
    max_zip_bytes: int
    max_zip_ratio: float


class SpeakingVoice(Protocol):
    sample_rate: int
    card: Any

    def stream(self, text: str, rate: float = 1.0, volume: float = 1.0) -> Iterator[np.ndarray]: ...

    def synthesize(self, text: str, rate: float = 1.0) -> np.ndarray: ...


class Services:
    """The real implementations, loaded lazily and cached per process."""

    def __init__(self, voice_cache_bytes: int = 2**30) -> None:
        self._voices = VoiceCache(voice_cache_bytes)

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

    def unpack_zip(self, zip_path: Path, dest: Path, label: str, limits: UploadLimits) -> list[tuple[str, Path, str]]:
        """Unpack an LJSpeech-style zip safely and list its recordings; ``ValueError`` with a plain
        message when it is unusable. Its directory (member count, sizes, compression ratios) and the
        first bytes of every audio member are checked before anything is inflated, so a bomb or a
        zip of non-audio costs a few kilobytes of reading; then paths are checked as it unpacks."""
        from moksori.archives import check_audio_members, check_zip
        from moksori.dataset.source import extract_zip

        members = check_zip(zip_path, label, max_members=limits.max_zip_members, max_bytes=limits.max_zip_bytes,
                            max_ratio=limits.max_zip_ratio)
        check_audio_members(zip_path, label, members)
        extract_zip(zip_path, dest, max_bytes=limits.max_zip_bytes, max_files=limits.max_zip_members)
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
              resume: bool, workdir: Path, base_voice: Path | None = None) -> Path:
        """``engine.train`` on an LJSpeech-style folder of raw takes (it checks and prepares them itself);
        with ``base_voice``, training continues from that voice (``moksori train --from``)."""
        from moksori.engine.training import TrainConfig, train

        config = TrainConfig(language=language, **TRAIN_PRESETS[preset])
        return Path(train(dataset_dir, out_path, config=config, progress=progress, resume=resume, workdir=workdir,
                          base_voice=base_voice))

    def understood(self, voice: SpeakingVoice, texts: list[str], language: str) -> float:
        """The share of ``texts`` (0..1) that speech recognition gets right when ``voice`` reads them."""
        from moksori.asr import error_rate, reference_text, transcribe

        errors = [error_rate(reference_text(text, language), transcribe(voice.synthesize(text), voice.sample_rate,
                                                                         language), language) for text in texts]
        return max(0.0, 1.0 - sum(errors) / len(errors))

    def voice(self, path: Path) -> SpeakingVoice:
        """The loaded voice, cached per file (least recently used dropped beyond the cache's size):
        loading costs far more than one sentence."""
        from moksori.engine.voice import Voice

        return self._voices.get(str(path), lambda: Voice.load(path))

    # calls
    def recognizer(self, language: str) -> Any:
        """A streaming recogniser for live captions (``moksori.asr.StreamingRecognizer``); raises
        ``moksori.asr.RecognizerUnavailable`` with a plain reason when there is none."""
        from moksori.asr.streaming import StreamingRecognizer

        return StreamingRecognizer(language)

    def call_session(self, voice: SpeakingVoice, language: str, face_to_face: bool) -> Any:
        """A ``moksori.calls.CallSession`` speaking with ``voice`` and captioning through ``recognizer``;
        face to face, the recogniser does not hear the user's own voice (gating)."""
        from moksori.calls.session import CallSession

        return CallSession(voice, lang=language, gate_own_voice=face_to_face,
                           recognizer_factory=lambda: self.recognizer(language))

    def webrtc_link(self, session: Any, on_closed: Callable[[str], None]) -> Any:
        from moksori.calls.webrtc import WebRtcLink

        return WebRtcLink(session, on_closed=on_closed)

    def sip_phone(self, settings: Any, on_incoming: Callable[[Any], None]) -> Any:
        """A ``moksori.calls.sip.SipPhone`` (its SIP worker is started by ``await phone.start()``)."""
        from moksori.calls.sip import SipPhone

        return SipPhone(settings, on_incoming=on_incoming)

    def listen_link(self, session: Any) -> Any:
        """The user's page listening to the far end of ``session`` (``moksori.calls.webrtc.ListenLink``)."""
        from moksori.calls.webrtc import ListenLink

        return ListenLink(session)

    def forget_voice(self, path: Path) -> None:
        self._voices.forget(str(path))
