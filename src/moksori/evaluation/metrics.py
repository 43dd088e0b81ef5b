"""Signal metrics between a synthesized utterance and its natural recording: MCD and F0 errors.

Both signals are analysed with WORLD (Harvest F0, CheapTrick envelope, 5 ms frames). The envelope becomes
an order-24 mel-cepstrum exactly as SPTK/pysptk ``sp2mc`` computes it (log power spectrum → cepstrum →
all-pass frequency warping with ``freqt``). Frames are aligned by DTW on c1..c24, and every metric is
taken along that one path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

FRAME_PERIOD_MS = 5.0
MCEP_ORDER = 24
GROSS_ERROR = 0.2  # an F0 more than 20 % off is a gross (octave, voicing) error, not a fine error


@dataclass
class WorldAnalysis:
    f0: np.ndarray  # (frames,) Hz, 0 where unvoiced
    mcep: np.ndarray  # (frames, MCEP_ORDER + 1) mel-cepstrum, c0 first


@dataclass
class SignalScores:
    mcd_db: float
    f0_rmse_cents: float  # over frames voiced in both, gross errors left out; nan when none
    gpe: float  # fraction of frames voiced in both with a gross F0 error
    vuv_error: float  # fraction of aligned frames whose voicing decisions differ
    frames: int  # length of the DTW path


def analyse(samples: np.ndarray, rate: int) -> WorldAnalysis:
    """Harvest F0 and the order-24 mel-cepstrum of the CheapTrick envelope."""
    import pyworld

    x = np.asarray(samples, dtype=np.float64)
    f0, times = pyworld.harvest(x, rate, frame_period=FRAME_PERIOD_MS)
    envelope = pyworld.cheaptrick(x, f0, times, rate)
    return WorldAnalysis(f0=f0, mcep=mel_cepstrum(envelope, MCEP_ORDER, all_pass_alpha(rate)))


def mel_cepstrum(power_spectrum: np.ndarray, order: int, alpha: float) -> np.ndarray:
    """pysptk ``sp2mc``: (frames, fft/2+1) power spectrum → (frames, order+1) mel-cepstrum."""
    cepstrum = np.fft.irfft(np.log(np.maximum(power_spectrum, 1e-300)), axis=-1)  # (frames, fft)
    cepstrum[:, 0] /= 2.0
    return cepstrum @ _freqt_matrix(cepstrum.shape[1], order, alpha)


@lru_cache(maxsize=8)
def _freqt_matrix(length: int, order: int, alpha: float) -> np.ndarray:
    """SPTK ``freqt`` (cepstrum → frequency-warped cepstrum) as a (length, order+1) matrix.

    freqt is linear, so running its recursion once on the identity gives the exact transform.
    """
    beta = 1 - alpha * alpha
    basis = np.eye(length)
    g = np.zeros((length, order + 1))
    for i in range(length - 1, -1, -1):  # the recursion feeds c[m1], c[m1-1], ..., c[0]
        d = g.copy()
        g[:, 0] = basis[:, i] + alpha * d[:, 0]
        if order >= 1:
            g[:, 1] = beta * d[:, 0] + alpha * d[:, 1]
        for j in range(2, order + 1):
            g[:, j] = d[:, j - 1] + alpha * (d[:, j] - g[:, j - 1])
    return g


@lru_cache(maxsize=8)
def all_pass_alpha(rate: int) -> float:
    """The all-pass constant whose warping best fits the mel scale (pysptk ``mcepalpha``): 0.455 at 22.05 kHz."""
    points = 1000
    hz = (rate / 2) / points * np.arange(points)
    mel = np.log(1 + hz / 1000)
    mel /= mel[-1]
    omega = np.pi / points * np.arange(points)
    best, best_distance = 0.0, math.inf
    for alpha in np.arange(0.0, 1.0, 0.001):
        warped = np.arctan2((1 - alpha * alpha) * np.sin(omega), (1 + alpha * alpha) * np.cos(omega) - 2 * alpha)
        warped /= warped[-1]
        distance = float(np.mean(np.square(mel - warped)))
        if distance < best_distance:
            best, best_distance = float(alpha), distance
    return round(best, 3)


def dtw_path(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Frame indices (into ``a`` and ``b``) of the minimum-cost Euclidean DTW path."""
    import librosa
    from scipy.spatial.distance import cdist

    _, path = librosa.sequence.dtw(C=cdist(a, b))
    path = path[::-1]
    return path[:, 0], path[:, 1]


def compare(ref: WorldAnalysis, synth: WorldAnalysis) -> SignalScores:
    """MCD and F0 metrics of ``synth`` against ``ref`` along their DTW path."""
    i, j = dtw_path(ref.mcep[:, 1:], synth.mcep[:, 1:])
    diff = ref.mcep[i, 1:] - synth.mcep[j, 1:]
    mcd = float(np.mean(10 / math.log(10) * np.sqrt(2 * np.sum(diff * diff, axis=1))))
    f0_ref, f0_syn = ref.f0[i], synth.f0[j]
    voiced_ref, voiced_syn = f0_ref > 0, f0_syn > 0
    both = voiced_ref & voiced_syn
    ratio = f0_syn[both] / f0_ref[both]
    gross = np.abs(ratio - 1) > GROSS_ERROR
    cents = 1200 * np.log2(ratio[~gross])
    return SignalScores(
        mcd_db=mcd,
        f0_rmse_cents=float(np.sqrt(np.mean(cents * cents))) if cents.size else math.nan,
        gpe=float(gross.mean()) if both.any() else math.nan,
        vuv_error=float(np.mean(voiced_ref != voiced_syn)),
        frames=len(i),
    )

