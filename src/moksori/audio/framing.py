"""Fixed-duration frames for real-time transports (WebRTC and RTP carry 20 ms of audio a packet).

``FrameBuffer`` takes audio in pieces of any length and gives back whole frames, keeping the rest for
the next piece, so a stream cut anywhere (a synthesized sentence arriving chunk by chunk) is framed
without gaps or overlaps.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

FRAME_MS = 20


def frame_samples(sample_rate: int, frame_ms: int = FRAME_MS) -> int:
    """Samples in one frame: 160 at 8 kHz, 320 at 16 kHz, 960 at 48 kHz for 20 ms."""
    count, remainder = divmod(sample_rate * frame_ms, 1000)
    if remainder:
        raise ValueError(f"{frame_ms} ms is not a whole number of samples at {sample_rate} Hz")
    return count


def pcm16_bytes(samples: np.ndarray) -> bytes:
    """Signed 16-bit little-endian PCM from float samples in [-1, 1] (clipped)."""
    return (np.clip(samples, -1.0, 1.0 - 1 / 32768) * 32768).astype("<i2").tobytes()


def pcm16_samples(data: bytes) -> np.ndarray:
    """Float32 samples from signed 16-bit little-endian PCM."""
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0


class FrameBuffer:
    """Collects float samples and hands out whole frames of ``frame_samples(rate, frame_ms)``."""

    def __init__(self, sample_rate: int, frame_ms: int = FRAME_MS) -> None:
        self.sample_rate = sample_rate
        self.size = frame_samples(sample_rate, frame_ms)
        self._pending = np.zeros(0, dtype=np.float32)

    def push(self, samples: np.ndarray) -> list[np.ndarray]:
        """Add ``samples``; return every frame now complete, in order."""
        pending = np.concatenate([self._pending, np.asarray(samples, dtype=np.float32)])
        whole = len(pending) // self.size * self.size
        self._pending = pending[whole:]
        return [pending[start : start + self.size] for start in range(0, whole, self.size)]

    def flush(self) -> np.ndarray | None:
        """The last partial frame padded with silence, or None when nothing is pending."""
        if self._pending.size == 0:
            return None
        frame = np.zeros(self.size, dtype=np.float32)
        frame[: self._pending.size] = self._pending
        self._pending = np.zeros(0, dtype=np.float32)
        return frame

    @property
    def pending(self) -> int:
        """Samples waiting for the next frame."""
        return int(self._pending.size)


class StreamResampler:
    """Resamples a stream that arrives in pieces, with the same result as resampling it whole.

    Resampling each piece alone would start and end every piece with the filter's edge transient, a
    click at every joint. Here each block is filtered with real neighbours on both sides (the last
    ``context`` input samples are kept, and the newest ones wait for theirs), so pieces join seamlessly;
    the price is a delay of ``context`` input samples (under 10 ms at the usual rates).

    The low-pass filter is designed once: ``resample_poly`` would design it again for every block, which
    was the largest cost of resampling a call's 20 ms frames.
    """

    def __init__(self, rate_in: int, rate_out: int) -> None:
        ratio = Fraction(rate_out, rate_in)
        self.up, self.down = ratio.numerator, ratio.denominator
        # scipy's resample_poly filter reaches 10 * max(up, down) samples of the upsampled signal either
        # side; in input samples, rounded up to whole blocks of ``down`` so output samples stay aligned.
        reach = math.ceil(10 * max(self.up, self.down) / self.up) + 1
        self.context = math.ceil(reach / self.down) * self.down
        self._pending = np.zeros(self.context, dtype=np.float32)  # silence before the stream
        self._filter: np.ndarray | None = None

    def push(self, samples: np.ndarray) -> np.ndarray:
        """Add ``samples``; return every output sample that is now final."""
        if self.up == self.down:
            return np.asarray(samples, dtype=np.float32)
        self._pending = np.concatenate([self._pending, np.asarray(samples, dtype=np.float32)])
        ready = (len(self._pending) - 2 * self.context) // self.down * self.down
        if ready <= 0:
            return np.zeros(0, dtype=np.float32)
        from scipy.signal import firwin, resample_poly  # see moksori.audio.resample: costs ~50 MB at import

        if self._filter is None:
            # resample_poly's own design (its defaults: a Kaiser window, beta 5), made once.
            longer = max(self.up, self.down)
            self._filter = firwin(2 * 10 * longer + 1, 1.0 / longer, window=("kaiser", 5.0))
        window = self._pending[: ready + 2 * self.context]
        out = resample_poly(window, self.up, self.down, window=self._filter)
        first = self.context * self.up // self.down
        self._pending = self._pending[ready:]
        return out[first : first + ready * self.up // self.down].astype(np.float32)

    def flush(self) -> np.ndarray:
        """The rest of the stream, as if silence followed it."""
        if self.up == self.down:
            return np.zeros(0, dtype=np.float32)
        waiting = len(self._pending) - self.context
        tail = self.push(np.zeros(self.context + self.down, dtype=np.float32))
        self._pending = np.zeros(self.context, dtype=np.float32)
        return tail[: math.ceil(waiting * self.up / self.down)]
