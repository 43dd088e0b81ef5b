"""WORLD vocoder features: analysis of recordings and synthesis of speech from features.

The acoustic model predicts these frame features and ``synthesize`` turns them back into audio.
All functions are pure: numpy in, numpy out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyworld

FRAME_PERIOD_MS = 5.0
MCEP_DIM = 60
F0_FLOOR = 71.0
F0_CEIL = 800.0
# Log-F0 given to a fully unvoiced utterance, so the continuous contour stays finite (about 120 Hz).
UNVOICED_LF0 = float(np.log(120.0))


@dataclass
class Features:
    """Frame-level WORLD features, one row per ``FRAME_PERIOD_MS`` frame."""

    lf0: np.ndarray  # [T] float32, continuous log-F0 (interpolated through unvoiced frames)
    vuv: np.ndarray  # [T] float32 in {0, 1}
    mcep: np.ndarray  # [T, MCEP_DIM] float32, coded spectral envelope
    bap: np.ndarray  # [T, B] float32, coded band aperiodicity (B depends on the sample rate)
    energy: np.ndarray  # [T] float32, frame log-RMS
    sample_rate: int

    @property
    def frames(self) -> int:
        return int(self.lf0.shape[0])


def fft_size(sample_rate: int) -> int:
    """The FFT size CheapTrick uses for ``F0_FLOOR``; analysis and decoding must agree on it."""
    return int(pyworld.get_cheaptrick_fft_size(sample_rate, F0_FLOOR))


def bap_dim(sample_rate: int) -> int:
    """Number of coded aperiodicity bands WORLD uses at ``sample_rate``."""
    return int(pyworld.get_num_aperiodicities(sample_rate))


def hop_length(sample_rate: int) -> int:
    """Samples per frame (WORLD places frame i at time i * FRAME_PERIOD_MS)."""
    return int(round(sample_rate * FRAME_PERIOD_MS / 1000.0))


def continuous_lf0(f0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Log-F0 linearly interpolated through unvoiced frames, and the voicing flags."""
    voiced = f0 > 0
    vuv = voiced.astype(np.float32)
    if not voiced.any():
        return np.full(f0.shape, UNVOICED_LF0, dtype=np.float32), vuv
    index = np.arange(f0.shape[0])
    lf0 = np.interp(index, index[voiced], np.log(f0[voiced]))
    return lf0.astype(np.float32), vuv


def frame_energy(samples: np.ndarray, sample_rate: int, frames: int) -> np.ndarray:
    """Log-RMS of a window of two frame periods centred on each WORLD frame time."""
    hop = hop_length(sample_rate)
    padded = np.pad(samples.astype(np.float64), (hop, hop))
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * hop)[::hop]
    if windows.shape[0] < frames:
        windows = np.concatenate([windows, np.zeros((frames - windows.shape[0], 2 * hop))])
    rms = np.sqrt(np.mean(np.square(windows[:frames]), axis=1))
    return np.log(rms + 1e-5).astype(np.float32)


def analyze(samples: np.ndarray, sample_rate: int) -> Features:
    """WORLD analysis of mono float audio: Harvest F0, CheapTrick envelope, D4C aperiodicity."""
    if samples.ndim != 1:
        raise ValueError(f"analyze expects mono audio (1-D), got shape {samples.shape}")
    x = np.ascontiguousarray(samples, dtype=np.float64)
    n_fft = fft_size(sample_rate)
    f0, times = pyworld.harvest(x, sample_rate, f0_floor=F0_FLOOR, f0_ceil=F0_CEIL, frame_period=FRAME_PERIOD_MS)
    sp = pyworld.cheaptrick(x, f0, times, sample_rate, f0_floor=F0_FLOOR, fft_size=n_fft)
    ap = pyworld.d4c(x, f0, times, sample_rate, fft_size=n_fft)
    lf0, vuv = continuous_lf0(f0)
    return Features(
        lf0=lf0,
        vuv=vuv,
        mcep=pyworld.code_spectral_envelope(sp, sample_rate, MCEP_DIM).astype(np.float32),
        bap=pyworld.code_aperiodicity(ap, sample_rate).astype(np.float32),
        energy=frame_energy(x, sample_rate, f0.shape[0]),
        sample_rate=sample_rate,
    )


def synthesize(features: Features) -> np.ndarray:
    """Float32 audio at ``features.sample_rate`` from WORLD features."""
    rate = features.sample_rate
    n_fft = fft_size(rate)
    f0 = np.where(features.vuv > 0.5, np.exp(features.lf0.astype(np.float64)), 0.0)
    mcep = np.ascontiguousarray(features.mcep, dtype=np.float64)
    bap = np.ascontiguousarray(features.bap, dtype=np.float64)
    sp = pyworld.decode_spectral_envelope(mcep, rate, n_fft)
    ap = pyworld.decode_aperiodicity(bap, rate, n_fft)
    audio = pyworld.synthesize(np.ascontiguousarray(f0), sp, ap, rate, FRAME_PERIOD_MS)
    return audio.astype(np.float32)
