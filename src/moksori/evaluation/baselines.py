"""Reference voices to score beside a trained one: espeak-ng, the naive rule-based baseline."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np

from moksori.audio import load_audio
from moksori.evaluation.harness import Synthesize

ESPEAK_VOICES = {"ko": "ko", "en": "en-us"}


def espeak_synthesizer(lang: str = "ko") -> Synthesize:
    """``synthesize(text) -> (samples, rate)`` with espeak-ng's default voice for ``lang``.

    Pass it to ``evaluate(..., synthesize=...)`` to score espeak on the same sentences as a voice.
    """
    voice = ESPEAK_VOICES[lang]

    def synthesize(text: str) -> tuple[np.ndarray, int]:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "espeak.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True, capture_output=True)
            return load_audio(path)

    return synthesize
