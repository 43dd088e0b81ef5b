"""Fixed-duration frames for real-time transports (WebRTC and RTP carry 20 ms of audio a packet).

``FrameBuffer`` takes audio in pieces of any length and gives back whole frames, keeping the rest for
the next piece, so a stream cut anywhere (a synthesized sentence arriving chunk by chunk) is framed
without gaps or overlaps.
"""

from __future__ import annotations

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
