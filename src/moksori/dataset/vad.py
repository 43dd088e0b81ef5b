"""Speech/non-speech frames with webrtcvad: where speech starts and ends, how loud it is, how loud the room is.

webrtcvad only takes 16-bit PCM at 8/16/32/48 kHz in 10/20/30 ms frames, so the analysis copy is
resampled to 16 kHz; the frame boundaries map back to the caller's sample rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from moksori.audio import resample

VAD_RATE = 16000
FRAME_S = 0.03
FRAME = int(VAD_RATE * FRAME_S)  # 480 samples
# A speech run shorter than this is a click or a breath, not speech (3 frames = 90 ms).
MIN_SPEECH_FRAMES = 3
# Frames this far below the loudest frame are never speech.
ENERGY_GATE_DB = 40.0
PRIME_FRAMES = 100
VAD_LEVEL_DB = -12.0  # loudest frame of the copy the VAD hears


@dataclass(frozen=True)
class SpeechFrames:
    """Per 30 ms frame: is it speech, and its RMS level in dBFS."""

    speech: np.ndarray  # (frames,) bool
    level_db: np.ndarray  # (frames,) float, -inf for digital silence

    @property
    def has_speech(self) -> bool:
        return self.speech_span() is not None

    def speech_span(self) -> tuple[int, int] | None:
        """(first, last + 1) frame of speech, ignoring runs shorter than ``MIN_SPEECH_FRAMES``."""
        runs = _runs(self.speech)
        runs = [(a, b) for a, b in runs if b - a >= MIN_SPEECH_FRAMES]
        if not runs:
            return None
        return runs[0][0], runs[-1][1]

    def speech_level_db(self) -> float:
        """Active-speech level: RMS over the speech frames (dBFS)."""
        return _mean_power_db(self.level_db[self.speech])

    def noise_level_db(self) -> float | None:
        """Room-tone level (dBFS): RMS over the non-speech frames; when noise drowns the VAD and nearly
        every frame counts as speech, over the quietest tenth of the frames. None for very short takes."""
        quiet = self.level_db[~self.speech]
        if quiet.size < 5:
            quiet = np.sort(self.level_db)[: self.level_db.size // 10]
        return _mean_power_db(quiet) if quiet.size >= 5 else None


def speech_frames(samples: np.ndarray, rate: int, aggressiveness: int = 3) -> SpeechFrames:
    """Run webrtcvad (most aggressive by default) over ``samples`` in 30 ms frames."""
    import webrtcvad

    audio = resample(np.asarray(samples, dtype=np.float32), rate, VAD_RATE)
    count = len(audio) // FRAME
    frames = audio[: count * FRAME].reshape(count, FRAME)
    power = np.mean(np.square(frames, dtype=np.float64), axis=1)
    with np.errstate(divide="ignore"):
        level_db = 10 * np.log10(power)
    loudest = float(level_db.max()) if count else -np.inf
    # webrtcvad has a fixed energy floor, so quiet takes are brought up to a fixed level first.
    gain = 10 ** ((VAD_LEVEL_DB - loudest) / 20) if np.isfinite(loudest) else 1.0
    pcm = (np.clip(frames * gain, -1.0, 1.0 - 1 / 32768) * 32768).astype("<i2")
    vad = webrtcvad.Vad(aggressiveness)
    # webrtcvad adapts to the noise floor as it goes and calls the first frames of room tone speech;
    # a first pass over the whole take primes it, and only the second pass's decisions count.
    for row in pcm[:PRIME_FRAMES]:
        vad.is_speech(row.tobytes(), VAD_RATE)
    speech = np.array([vad.is_speech(row.tobytes(), VAD_RATE) for row in pcm], dtype=bool)
    speech &= level_db > loudest - ENERGY_GATE_DB
    return SpeechFrames(speech=speech, level_db=level_db)


def frame_to_sample(frame: int, rate: int) -> int:
    return int(round(frame * FRAME_S * rate))


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True."""
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    edges = np.diff(padded)
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def _mean_power_db(levels_db: np.ndarray) -> float:
    if levels_db.size == 0:
        return -math.inf
    power = float(np.mean(np.power(10.0, levels_db / 10)))
    return 10 * math.log10(power) if power > 0 else -math.inf
