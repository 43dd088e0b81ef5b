"""Telephone-band audio widened for the 16 kHz recogniser: the line's band untouched, a quiet floor above it and
a predicted high band where the line's envelope says speech had one."""

from __future__ import annotations

import json

import numpy as np
import pytest

from moksori.audio import bandwidth, resample
from moksori.audio.bandwidth import (
    HIGH_BAND_NOISE,
    HighBandModel,
    NarrowbandToWideband,
    envelopes,
    fit_high_band,
    shipped_high_band,
)
from moksori.audio.framing import StreamResampler


def band_rms(samples: np.ndarray, low: float, high: float, rate: int = 16000) -> float:
    """RMS of the part of ``samples`` between ``low`` and ``high`` Hz (a Hann window keeps the tones' leakage out)."""
    spectrum = np.fft.rfft(samples * np.hanning(samples.size)) / np.sqrt(0.375)
    freqs = np.fft.rfftfreq(samples.size, 1 / rate)
    inside = (freqs >= low) & (freqs < high)
    return float(np.sqrt(np.sum(np.abs(spectrum[inside]) ** 2) * 2) / samples.size)


def db(ratio: float) -> float:
    return 20 * np.log10(ratio)


def line_audio(seconds: float = 2.0) -> np.ndarray:
    """Telephone-band 'speech': tones across 300-3400 Hz at speech-like levels, at 8 kHz."""
    t = np.arange(int(seconds * 8000)) / 8000
    return sum(0.1 * np.sin(2 * np.pi * f * t) for f in (310, 900, 1700, 3300)).astype(np.float32)


def vowel(seconds: float = 1.0) -> np.ndarray:
    """A vowel-like sound at 8 kHz: harmonics of 150 Hz up to the band's top, falling 6 dB an octave."""
    t = np.arange(int(seconds * 8000)) / 8000
    return sum(0.1 / k * np.sin(2 * np.pi * 150 * k * t) for k in range(1, 26)).astype(np.float32)


def fricative(seconds: float = 1.0) -> np.ndarray:
    """A fricative-like burst at 8 kHz (ㅅ): noise whose energy sits at the top of the telephone band."""
    from scipy.signal import butter, sosfilt

    highs = butter(4, [2500, 3900], "bandpass", fs=8000, output="sos")
    return sosfilt(highs, np.random.default_rng(1).normal(0, 0.05, int(seconds * 8000))).astype(np.float32)


def widen(
    samples: np.ndarray, pieces: list[int] | None = None, extension_db: float | None = None
) -> np.ndarray:
    widener = NarrowbandToWideband(extension_db=extension_db)
    cuts = np.cumsum(pieces or [samples.size])[:-1]
    return np.concatenate([widener.push(piece) for piece in np.split(samples, cuts)] + [widener.flush()])


def test_the_line_band_is_resampled_as_before_and_the_band_above_gets_a_quiet_noise_floor() -> None:
    audio = line_audio()
    resampler = StreamResampler(8000, 16000)
    plain = np.concatenate([resampler.push(audio), resampler.flush()])
    wide = widen(audio, extension_db=None)
    assert wide.size == plain.size
    added = wide - plain
    # What was added lies above the telephone band, at the floor's level (about 70 % of the white noise's RMS
    # passes a high-pass at 4.2 kHz), far below the speech.
    assert band_rms(added, 0, 3500) < 0.05 * band_rms(added, 4500, 8000)
    assert 0.5 * HIGH_BAND_NOISE < band_rms(added, 4200, 8000) < 0.9 * HIGH_BAND_NOISE
    assert band_rms(plain, 4500, 8000) < 0.2 * HIGH_BAND_NOISE < band_rms(wide, 4500, 8000)
    assert band_rms(wide, 0, 4000) > 100 * band_rms(added, 0, 4000)


def test_the_predicted_high_band_leaves_the_line_band_as_it_was() -> None:
    audio = vowel(1.0)
    resampler = StreamResampler(8000, 16000)
    plain = np.concatenate([resampler.push(audio), resampler.flush()])
    added = widen(audio, extension_db=0.0) - plain
    assert band_rms(added, 4200, 8000) > HIGH_BAND_NOISE
    assert band_rms(added, 0, 3800) < 0.05 * band_rms(added, 4200, 8000)


def test_a_fricative_gets_high_band_energy_and_a_vowel_little() -> None:
    louder, hissing = widen(vowel(), extension_db=0.0), widen(fricative(), extension_db=0.0)
    vowel_low, vowel_high = band_rms(louder, 100, 3800), band_rms(louder, 4400, 8000)
    hiss_low, hiss_high = band_rms(hissing, 100, 3800), band_rms(hissing, 4400, 8000)
    assert vowel_low > 2 * hiss_low  # the vowel is the louder sound in the telephone band...
    assert hiss_high > 2 * vowel_high  # ...and the quieter above it
    assert db(vowel_high / vowel_low) < -15
    assert db(hiss_high / hiss_low) > -12


@pytest.mark.parametrize("extension_db", [None, 0.0])
def test_a_stream_widened_in_pieces_equals_the_whole(extension_db: float | None) -> None:
    audio = np.concatenate([vowel(0.4), fricative(0.3), line_audio(0.3)])
    whole = widen(audio, extension_db=extension_db)
    assert whole.size == 2 * audio.size
    assert np.array_equal(widen(audio, [800] * 12 + [0], extension_db), whole)
    assert np.array_equal(widen(audio, [37, 1203, 160, 6600, 1], extension_db), whole)


@pytest.mark.parametrize("extension_db", [None, 0.0])
def test_digital_silence_stays_silent(extension_db: float | None) -> None:
    silence = np.zeros(4000, np.float32)
    assert np.max(np.abs(widen(silence, [800] * 5, extension_db))) == 0.0


def test_the_shipped_coefficients_load_and_scale_the_high_band_with_the_speech() -> None:
    """Ten times quieter speech (20 dB) should get a high band about 20 dB (2 in log10 power) quieter."""
    speech = resample(np.concatenate([vowel(0.5), fricative(0.5)]), 8000, 16000)
    louder, _ = envelopes(speech, speech)
    quieter, _ = envelopes(0.1 * speech, speech)
    model = shipped_high_band()
    drop = model.predict(louder) - model.predict(quieter)
    assert drop.shape == (len(louder), bandwidth.HIGH_BANDS)
    assert 1.5 < np.median(drop) < 2.5


def test_coefficients_fitted_for_other_bands_are_refused(tmp_path, monkeypatch) -> None:
    data = json.loads(bandwidth.COEFFICIENTS.read_text(encoding="utf-8"))
    data["context"] += 1
    changed = tmp_path / "high_band.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(bandwidth, "COEFFICIENTS", changed)
    shipped_high_band.cache_clear()
    try:
        with pytest.raises(ValueError, match="refit"):
            shipped_high_band()
    finally:
        shipped_high_band.cache_clear()


def test_the_fit_learns_a_high_band_that_follows_the_line_band() -> None:
    """White noise at random levels: its high band is as loud per bin as its telephone band, which the fit
    should find from the band-limited copy alone."""
    from scipy.signal import butter, sosfilt

    rng = np.random.default_rng(3)
    levels = 10 ** rng.uniform(-3, -0.5, 60)
    wide = rng.normal(0, 1, levels.size * 1600) * np.repeat(levels, 1600)
    narrow = sosfilt(butter(10, 3900, fs=16000, output="sos"), wide)
    features, _ = envelopes(narrow, wide)
    predicted = HighBandModel(fit_high_band([(narrow, wide)], ridge=1e-6)).predict(features)
    # Per bin, Hann-windowed white noise of RMS ``level`` has power level² · Σw²; frames inside one level
    # (10 per 1600 samples, the first two straddle the step before).
    expected = np.log10(np.repeat(levels, 10) ** 2 * np.sum(np.hanning(bandwidth.FRAME + 1)[:-1] ** 2))
    assert len(predicted) == (levels.size * 1600 - bandwidth.FRAME) // bandwidth.HOP + 1
    inside = (np.arange(len(predicted)) % 10 >= 2) & (np.arange(len(predicted)) % 10 <= 8)  # 9 straddles
    assert np.median(np.abs(predicted[inside] - expected[: len(predicted), None][inside])) < 0.1  # 1 dB
