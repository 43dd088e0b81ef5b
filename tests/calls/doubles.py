"""Small stand-ins for a voice and a recogniser, so the session's own logic is tested quickly and exactly."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np

from moksori.asr.streaming import Recognition

RATE = 22050


def tone(seconds: float, freq: float = 220.0, rate: int = RATE, phase_samples: int = 0) -> np.ndarray:
    t = (np.arange(int(seconds * rate)) + phase_samples) / rate
    return (0.4 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


class ToneVoice:
    """Speaks every word as 0.13 s of one continuous sine, in chunks of awkward sizes, like Voice.stream."""

    sample_rate = RATE

    def __init__(self, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s  # per chunk: a slow voice starves the line

    def audio(self, text: str) -> np.ndarray:
        return tone(0.13 * len(text.split()))

    def stream(self, text: str) -> Iterator[np.ndarray]:
        audio = self.audio(text)
        for start in range(0, audio.size, 1237):
            time.sleep(self.delay_s)
            yield audio[start : start + 1237]


class LoudnessRecognizer:
    """'Recognises' loud audio: a partial while it is loud, a final line when it goes quiet.

    It keeps everything it was fed, so tests can see what the gate let through.
    """

    sample_rate = 16000

    def __init__(self) -> None:
        self.fed: list[np.ndarray] = []
        self.loud_since: float | None = None
        self.samples = 0

    def accept(self, samples: np.ndarray) -> list[Recognition]:
        """Judged 20 ms at a time, whatever size the blocks come in (the session batches what has arrived)."""
        self.fed.append(samples.copy())
        results = []
        for start in range(0, samples.size, 320):
            results += self._block(samples[start : start + 320])
        return results

    def _block(self, samples: np.ndarray) -> list[Recognition]:
        start = self.samples / 16000
        self.samples += samples.size
        loud = float(np.sqrt(np.mean(samples**2))) > 0.05
        if loud and self.loud_since is None:
            self.loud_since = start
        if loud:
            return [Recognition("소리", False, self.loud_since, self.samples / 16000)]
        return self.finish_at(start) if self.loud_since is not None else []

    def finish_at(self, end: float) -> list[Recognition]:
        line = Recognition("소리 끝", True, self.loud_since, end)
        self.loud_since = None
        return [line]

    def finish(self) -> Recognition | None:
        return self.finish_at(self.samples / 16000)[0] if self.loud_since is not None else None


def best_correlation(received: np.ndarray, sent: np.ndarray) -> float:
    """Peak normalised cross-correlation of ``sent`` inside ``received`` (1.0: an exact, delayed copy)."""
    n = 1 << int(np.ceil(np.log2(received.size + sent.size)))
    correlation = np.fft.irfft(np.fft.rfft(received, n) * np.conj(np.fft.rfft(sent, n)), n)[: received.size - sent.size]
    power = np.concatenate([[0.0], np.cumsum(received.astype(np.float64) ** 2)])
    energy = np.sqrt(np.maximum(power[sent.size :] - power[: -sent.size], 1e-12))[: correlation.size]
    return float(np.max(correlation / (energy * np.linalg.norm(sent))))


def piecewise_correlation(received: np.ndarray, sent: np.ndarray, rate: int, piece_seconds: float = 0.25) -> float:
    """Median over ``sent``'s sounding pieces of each piece's best correlation inside ``received``.

    A receiver's jitter buffer may drop, repeat or stretch a few milliseconds of audio (WebRTC's NetEQ does under
    load); the rest then lies at another delay, and the whole sentence correlates poorly with any one delay,
    though each piece of it is still there. Pieces quieter than a tenth of the loudest one are left out: silence
    correlates with nothing."""
    size = int(piece_seconds * rate)
    pieces = [sent[start : start + size] for start in range(0, sent.size - size + 1, size)]
    loudest = max(float(np.sqrt(np.mean(piece**2))) for piece in pieces)
    sounding = [piece for piece in pieces if np.sqrt(np.mean(piece**2)) >= 0.1 * loudest]
    return float(np.median([best_correlation(received, piece) for piece in sounding]))
