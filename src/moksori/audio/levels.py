"""Levels of a live stream frame by frame, and the level it rests at (its noise floor).

A call's far end is never judged against a fixed level: a phone line rests at its own hiss and hum (about
−60 dBFS, coarsened by μ-law), a browser's microphone at its room or at digital silence when noise suppression
cuts in. ``NoiseFloor`` follows whatever the line rests at as a low percentile of its recent frames, so speech
and pauses are told apart by how far a frame stands above that.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

# Frames quieter than this are digital silence (a muted line, noise suppression): they say nothing about the
# line's own noise, so the floor is not pulled down to them.
DIGITAL_SILENCE_DB = -90.0


def frame_levels_db(samples: np.ndarray, frame: int) -> np.ndarray:
    """RMS level in dBFS of each whole ``frame`` of ``samples`` (``-inf`` for all-zero frames); a part frame at
    the end is left out."""
    whole = len(samples) // frame
    if whole == 0:
        return np.zeros(0)
    power = np.mean(np.square(samples[: whole * frame].reshape(whole, frame), dtype=np.float64), axis=1)
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(power)


class NoiseFloor:
    """The level a stream rests at: the ``percentile``-th percentile of its last ``window`` frame levels.

    A low percentile follows the pauses, not the speech, as long as the window holds some pause (a few seconds
    of a conversation always do); steady hum or hiss is part of the floor, so speech is measured above it.
    Digital silence is left out (see ``DIGITAL_SILENCE_DB``); ``level`` is ``lowest_db`` until a frame with
    any sound in it was seen, and never below it.
    """

    def __init__(self, window: int, percentile: float = 10.0, lowest_db: float = -80.0) -> None:
        self.percentile = percentile
        self.lowest_db = lowest_db
        self._levels: deque[float] = deque(maxlen=window)
        self.level = lowest_db

    def add(self, level_db: float) -> float:
        """Take one frame's level; return the floor with it."""
        if level_db > DIGITAL_SILENCE_DB and math.isfinite(level_db):
            self._levels.append(level_db)
            self.level = max(float(np.percentile(self._levels, self.percentile)), self.lowest_db)
        return self.level
