"""WORLD vocoder features: analysis of recordings and synthesis of speech from features.

The acoustic model predicts these frame features and ``synthesize`` turns them back into audio.
All functions are pure: numpy in, numpy out.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.fft

with warnings.catch_warnings():
    # pyworld 0.3.5 imports the deprecated pkg_resources; keep that notice out of every CLI run.
    warnings.simplefilter("ignore", UserWarning)
    import pyworld

FRAME_PERIOD_MS = 5.0
MCEP_DIM = 60
F0_FLOOR = 71.0
F0_CEIL = 800.0
# FFT size of the fast synthesiser: room for a 2-frame window plus the filter's impulse response.
SYNTH_FFT_MS = 23.0
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


def analyze(samples: np.ndarray, sample_rate: int, f0_method: str = "harvest") -> Features:
    """WORLD analysis of mono float audio: F0 (Harvest, or ``"dio"``: DIO + StoneMask), CheapTrick
    envelope, D4C aperiodicity."""
    if samples.ndim != 1:
        raise ValueError(f"analyze expects mono audio (1-D), got shape {samples.shape}")
    if f0_method not in ("harvest", "dio"):
        raise ValueError(f"unknown F0 method {f0_method!r}: use 'harvest' or 'dio'")
    x = np.ascontiguousarray(samples, dtype=np.float64)
    n_fft = fft_size(sample_rate)
    range_and_period = dict(f0_floor=F0_FLOOR, f0_ceil=F0_CEIL, frame_period=FRAME_PERIOD_MS)
    if f0_method == "dio":
        f0, times = pyworld.dio(x, sample_rate, **range_and_period)
        f0 = pyworld.stonemask(x, f0, times, sample_rate)
    else:
        f0, times = pyworld.harvest(x, sample_rate, **range_and_period)
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


def synthesize_world(features: Features) -> np.ndarray:
    """Float32 audio from WORLD's own synthesis (the reference ``synthesize`` is measured against)."""
    rate = features.sample_rate
    n_fft = fft_size(rate)
    f0 = np.where(features.vuv > 0.5, np.exp(features.lf0.astype(np.float64)), 0.0)
    mcep = np.ascontiguousarray(features.mcep, dtype=np.float64)
    bap = np.ascontiguousarray(features.bap, dtype=np.float64)
    sp = pyworld.decode_spectral_envelope(mcep, rate, n_fft)
    ap = pyworld.decode_aperiodicity(bap, rate, n_fft)
    audio = pyworld.synthesize(np.ascontiguousarray(f0), sp, ap, rate, FRAME_PERIOD_MS)
    return audio.astype(np.float32)


@lru_cache(maxsize=8)
def _minimum_phase_cepstrum(sample_rate: int, n_fft: int) -> np.ndarray:
    """Matrix [MCEP_DIM, n_fft//2 + 1] from coded envelope to the folded cepstrum of its amplitude.

    WORLD's envelope decoding is linear in the log domain (log sp = mcep @ M), so the minimum-phase
    cepstrum of sqrt(sp) is one matrix product away; exp(rfft(cepstrum)) is then the filter.
    """
    log_sp = np.log(pyworld.decode_spectral_envelope(np.eye(MCEP_DIM), sample_rate, n_fft))
    cepstrum = scipy.fft.irfft(0.5 * log_sp, n=n_fft)[:, : n_fft // 2 + 1]
    cepstrum[:, 1 : n_fft // 2] *= 2.0
    return cepstrum.astype(np.float32)


@lru_cache(maxsize=8)
def _aperiodicity_decoder(sample_rate: int, n_fft: int, n_bands: int) -> tuple[np.ndarray, np.ndarray]:
    """Band aperiodicity (dB) to per-bin dB, as in WORLD's DecodeAperiodicity: ``bias + bap @ weights``.

    WORLD interpolates linearly in dB between band centres every 3 kHz, pinned to -60 dB at 0 Hz
    and 0 dB at Nyquist.
    """
    nodes = np.concatenate([[0.0], 3000.0 * np.arange(1, n_bands + 1), [sample_rate / 2]])
    bins = np.arange(n_fft // 2 + 1) * sample_rate / n_fft
    pinned = np.zeros(n_bands + 2)
    pinned[0] = -60.0
    bias = np.interp(bins, nodes, pinned)
    weights = np.stack([np.interp(bins, nodes, np.eye(n_bands + 2)[b + 1]) for b in range(n_bands)])
    return bias.astype(np.float32), weights.astype(np.float32)


def _minimum_phase_filters(mcep: np.ndarray, sample_rate: int, n_fft: int) -> np.ndarray:
    """Minimum-phase frequency responses [T, n_fft//2 + 1] with amplitude sqrt(sp) of each frame."""
    log_response = scipy.fft.rfft(mcep @ _minimum_phase_cepstrum(sample_rate, n_fft), n=n_fft)
    # exp of a complex array, written out: numpy's complex exp is several times slower.
    magnitude = np.exp(log_response.real)
    filters = np.empty(log_response.shape, dtype=np.complex64)
    filters.real = magnitude * np.cos(log_response.imag)
    filters.imag = magnitude * np.sin(log_response.imag)
    return filters


def _to_synthesis_frames(values: np.ndarray, sample_rate: int, hop: int, frames: int) -> np.ndarray:
    """Resample frame-rate values onto the synthesis grid (integer hop), linearly."""
    position = np.arange(frames) * (hop * 1000.0 / sample_rate / FRAME_PERIOD_MS)
    low = np.minimum(position.astype(np.int64), values.shape[0] - 1)
    high = np.minimum(low + 1, values.shape[0] - 1)
    weight = (position - low).astype(np.float32).reshape(-1, *([1] * (values.ndim - 1)))
    return values[low] * (1 - weight) + values[high] * weight


def _per_sample(values: np.ndarray, hop: int, length: int) -> np.ndarray:
    """Frame values (one per ``hop`` samples) linearly interpolated to every sample."""
    step = np.diff(values, append=values[-1:]) / hop
    return (values[:, None] + step[:, None] * np.arange(hop)).reshape(-1)[:length]


def _pulse_train(lf0: np.ndarray, voiced: np.ndarray, sample_rate: int, hop: int, length: int) -> np.ndarray:
    """Glottal pulses at the F0 of each sample, each carrying one pitch period's energy, zero mean.

    Pulses sit at fractional positions (8-tap windowed-sinc), as WORLD does, so high voices keep a
    steady pitch; pulses are kept only in voiced frames.
    """
    f0 = np.exp(_per_sample(lf0, hop, length).astype(np.float64))
    phase = np.cumsum(f0 / sample_rate)
    crossing = np.flatnonzero(np.diff(np.floor(phase)) > 0)  # a pulse between samples n and n + 1
    frac = (np.ceil(phase[crossing]) - phase[crossing]) / (phase[crossing + 1] - phase[crossing])
    gate = np.repeat(voiced > 0.5, hop)[:length]
    keep = gate[crossing]
    crossing, frac = crossing[keep], frac[keep]
    amplitude = np.sqrt(sample_rate / f0[crossing])
    taps = np.arange(-3, 5)
    offset = taps[None, :] - frac[:, None]
    kernel = np.sinc(offset) * (0.5 + 0.5 * np.cos(np.pi * offset / 4.5))
    index = np.clip(crossing[:, None] + taps[None, :], 0, length - 1)
    pulses = np.bincount(index.ravel(), (kernel * amplitude[:, None]).ravel(), minlength=length)
    # Remove the train's mean (one pulse per period) so no DC leaks through the filter.
    return (pulses - np.sqrt(f0 / sample_rate) * gate).astype(np.float32)


def _periodic_hann(length: int) -> np.ndarray:
    """Periodic Hann window: copies placed every ``length // 2`` samples sum to exactly 1.

    Written out because importing scipy.signal for it would cost a speaking process ~50 MB.
    """
    return (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(length) / length)).astype(np.float32)


def _frames(signal: np.ndarray, hop: int, count: int) -> np.ndarray:
    """Frames [count, 2 * hop] centred on multiples of ``hop`` (a strided view: no copy)."""
    padded = np.pad(signal, (hop, 2 * hop))
    return np.lib.stride_tricks.sliding_window_view(padded, 2 * hop)[::hop][:count]


def _overlap_add(frames: np.ndarray, hop: int) -> np.ndarray:
    """Sum frames [T, n] placed every ``hop`` samples (vectorised: one add per hop-sized column block)."""
    count, n = frames.shape
    blocks = -(-n // hop)
    padded = np.zeros((count, blocks * hop), dtype=frames.dtype)
    padded[:, :n] = frames
    out = np.zeros((count + blocks) * hop, dtype=frames.dtype)
    for b in range(blocks):
        out[b * hop : (b + count) * hop] += padded[:, b * hop : (b + 1) * hop].reshape(-1)
    return out


def synthesize(features: Features, seed: int = 0) -> np.ndarray:
    """Float32 audio at ``features.sample_rate`` from WORLD features (fast source-filter synthesis).

    The same model as WORLD's synthesis — pulses shaped by sqrt(sp (1 - ap^2)) plus noise shaped by
    sqrt(sp) ap, through a minimum-phase filter — but vectorised over 5 ms frames (filtered
    overlap-add) instead of one FFT chain per pulse, which makes it several times cheaper.
    """
    pieces = list(synthesize_stream(features, seed=seed))
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)


def synthesize_stream(features: Features, cuts: Sequence[int] = (), seed: int = 0) -> Iterator[np.ndarray]:
    """``synthesize`` in pieces: audio up to feature frame ``cuts[0]``, then to ``cuts[1]``, … to the end.

    The pieces join seamlessly: concatenated they equal ``synthesize(features)`` (to float rounding),
    so a stream may be cut anywhere, even mid-word. Each piece costs only its own frames, plus a few
    frames of overlap, once the whole utterance's per-sample excitation (pulses and noise) is made.
    """
    rate = features.sample_rate
    hop = hop_length(rate)
    n_fft = 1 << int(np.ceil(np.log2(SYNTH_FFT_MS / 1000 * rate)))
    length = int(features.frames * FRAME_PERIOD_MS / 1000 * rate)
    if length == 0:
        return
    count = length // hop + 2  # frames centred from 0 past the end, so every sample sums to 1
    mcep = _to_synthesis_frames(features.mcep.astype(np.float32), rate, hop, count)
    bap = _to_synthesis_frames(features.bap.astype(np.float32), rate, hop, count)
    lf0 = _to_synthesis_frames(features.lf0.astype(np.float32), rate, hop, count)
    voiced = _to_synthesis_frames(features.vuv.astype(np.float32), rate, hop, count)

    bias, weights = _aperiodicity_decoder(rate, n_fft, bap.shape[1])
    window = _periodic_hann(2 * hop)
    pulse_frames = _frames(_pulse_train(lf0, voiced, rate, hop, length), hop, count)
    noise_frames = _frames(np.random.default_rng(seed).standard_normal(length, dtype=np.float32), hop, count)

    bounds = [int(c * FRAME_PERIOD_MS / 1000 * rate) for c in cuts if 0 < c < features.frames]
    for start, stop in zip([0, *bounds], [*bounds, length], strict=True):
        if stop <= start:
            continue
        # Frame j's filtered output spans samples [(j - 1) hop, (j - 1) hop + n_fft).
        first, last = max(0, (start + hop - n_fft) // hop + 1), (stop + hop - 1) // hop + 1
        block = slice(first, last)
        aperiodicity = np.clip(
            np.exp((bias + bap[block] @ weights) * np.float32(np.log(10) / 20)), 0.001, 1.0
        )
        # WORLD's rule: a frame whose bands are all near 0 dB, or an unvoiced frame, is pure noise.
        aperiodicity[(bap[block].mean(1) > -0.5) | (voiced[block] < 0.5)] = 1.0
        spectrum = scipy.fft.rfft(pulse_frames[block] * window, n=n_fft) * np.sqrt(1.0 - aperiodicity**2)
        spectrum += scipy.fft.rfft(noise_frames[block] * window, n=n_fft) * aperiodicity
        spectrum *= _minimum_phase_filters(mcep[block], rate, n_fft)
        audio = _overlap_add(scipy.fft.irfft(spectrum, n=n_fft), hop)
        offset = (first - 1) * hop
        yield np.ascontiguousarray(audio[start - offset : stop - offset], dtype=np.float32)
