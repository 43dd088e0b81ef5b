"""Telephone-band audio widened for the 16 kHz recogniser: the line's band untouched, a quiet floor above it."""

from __future__ import annotations

import numpy as np

from moksori.audio.bandwidth import HIGH_BAND_NOISE, NarrowbandToWideband
from moksori.audio.framing import StreamResampler


def band_rms(samples: np.ndarray, low: float, high: float, rate: int = 16000) -> float:
    """RMS of the part of ``samples`` between ``low`` and ``high`` Hz (a Hann window keeps the tones' leakage out)."""
    spectrum = np.fft.rfft(samples * np.hanning(samples.size)) / np.sqrt(0.375)
    freqs = np.fft.rfftfreq(samples.size, 1 / rate)
    inside = (freqs >= low) & (freqs < high)
    return float(np.sqrt(np.sum(np.abs(spectrum[inside]) ** 2) * 2) / samples.size)


def line_audio(seconds: float = 2.0) -> np.ndarray:
    """Telephone-band 'speech': tones across 300-3400 Hz at speech-like levels, at 8 kHz."""
    t = np.arange(int(seconds * 8000)) / 8000
    return sum(0.1 * np.sin(2 * np.pi * f * t) for f in (310, 900, 1700, 3300)).astype(np.float32)


def widen(samples: np.ndarray, pieces: list[int] | None = None) -> np.ndarray:
    widener = NarrowbandToWideband()
    cuts = np.cumsum(pieces or [samples.size])[:-1]
    return np.concatenate([widener.push(piece) for piece in np.split(samples, cuts)] + [widener.flush()])


def test_the_line_band_is_resampled_as_before_and_the_band_above_gets_a_quiet_noise_floor() -> None:
    audio = line_audio()
    resampler = StreamResampler(8000, 16000)
    plain = np.concatenate([resampler.push(audio), resampler.flush()])
    wide = widen(audio)
    assert wide.size == plain.size
    added = wide - plain
    # What was added lies above the telephone band, at the floor's level (about 70 % of the white noise's RMS
    # passes a high-pass at 4.2 kHz), far below the speech.
    assert band_rms(added, 0, 3500) < 0.05 * band_rms(added, 4500, 8000)
    assert 0.5 * HIGH_BAND_NOISE < band_rms(added, 4200, 8000) < 0.9 * HIGH_BAND_NOISE
    assert band_rms(plain, 4500, 8000) < 0.2 * HIGH_BAND_NOISE < band_rms(wide, 4500, 8000)
    assert band_rms(wide, 0, 4000) > 100 * band_rms(added, 0, 4000)


def test_a_stream_widened_in_pieces_equals_the_whole() -> None:
    audio = line_audio(1.0)
    assert np.array_equal(widen(audio, [800] * 10), widen(audio, [37, 1203, 160, 6600]))


def test_digital_silence_stays_silent() -> None:
    silence = np.zeros(4000, np.float32)
    assert np.max(np.abs(widen(silence, [800] * 5))) == 0.0
