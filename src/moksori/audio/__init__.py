"""Audio: small pure helpers on numpy arrays (decode files, resample, levels, write WAVs).

Everything in Moksori works on mono float32 arrays in [-1, 1]. Telephony codecs live in
``moksori.audio.mulaw``, fixed-size frames for real-time transports in ``moksori.audio.framing`` and
decoding of what users upload or record in ``moksori.audio.decode``.
"""

from __future__ import annotations

import math
import os
from fractions import Fraction
from pathlib import Path

import numpy as np
import soundfile as sf

from moksori.audio.mulaw import mulaw_decode, mulaw_encode
from moksori.errors import PlainError
from moksori.files import atomic_write

# The voice engine's working sample rate; recordings are resampled to it on import.
ENGINE_SAMPLE_RATE = 22050


class AudioError(PlainError):
    """A file that is not usable audio; the message says why in plain words."""


def load_audio(path: str | os.PathLike, sample_rate: int | None = None) -> tuple[np.ndarray, int]:
    """Decode ``path`` to mono float32; resample when ``sample_rate`` is given.

    Returns ``(samples, rate)``. Raises ``AudioError`` for anything that does not decode.
    """
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError) as error:
        raise AudioError(f"cannot decode {Path(path).name}: {error}") from error
    mono = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]
    if sample_rate is not None and rate != sample_rate:
        mono = resample(mono, rate, sample_rate)
        rate = sample_rate
    return np.ascontiguousarray(mono, dtype=np.float32), rate


def resample(samples: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Polyphase resampling (exact rational ratio)."""
    if rate_in == rate_out:
        return samples.astype(np.float32, copy=False)
    # Imported here, not at the top: scipy.signal costs a speaking process ~50 MB.
    from scipy.signal import resample_poly

    ratio = Fraction(rate_out, rate_in).limit_denominator(1000)
    return resample_poly(samples, ratio.numerator, ratio.denominator).astype(np.float32)


def write_wav(path: str | os.PathLike, samples: np.ndarray, sample_rate: int, subtype: str = "PCM_16") -> Path:
    """Write a WAV atomically: temp file in the same folder, fsync, rename.

    A crash mid-write never leaves a half file at ``path``.
    """
    with atomic_write(path) as handle:
        sf.write(handle, np.clip(samples, -1.0, 1.0), sample_rate, subtype=subtype, format="WAV")
    return Path(path)


def rms_db(samples: np.ndarray) -> float:
    """Root-mean-square level in dBFS (-inf for digital silence)."""
    if samples.size == 0:
        return -math.inf
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return 20.0 * math.log10(rms) if rms > 0 else -math.inf


def peak_normalize_gain(samples: np.ndarray, target_db: float) -> float:
    """Linear gain that brings the RMS level to ``target_db`` without pushing the peak past -1 dBFS."""
    level = rms_db(samples)
    if not math.isfinite(level):
        return 1.0
    gain = 10 ** ((target_db - level) / 20)
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if peak * gain > 10 ** (-1 / 20):
        gain = 10 ** (-1 / 20) / peak
    return gain

__all__ = [
    "ENGINE_SAMPLE_RATE",
    "AudioError",
    "load_audio",
    "mulaw_decode",
    "mulaw_encode",
    "peak_normalize_gain",
    "resample",
    "rms_db",
    "write_wav",
]
