from __future__ import annotations

import math

import numpy as np
import pytest

from moksori.audio.levels import NoiseFloor, frame_levels_db


def test_frame_levels_are_rms_in_dbfs_per_whole_frame() -> None:
    t = np.arange(1000) / 16000
    sine = (0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    # Two frames of the sine, one of digital silence, and 100 samples that make no whole frame.
    audio = np.concatenate([sine[:640], np.zeros(320, np.float32), sine[:100]])
    levels = frame_levels_db(audio, 320)
    assert levels.shape == (3,)
    assert levels[:2] == pytest.approx([20 * math.log10(0.5 / math.sqrt(2))] * 2, abs=0.01)
    assert levels[2] == -math.inf
    assert frame_levels_db(audio[:100], 320).size == 0


def test_the_floor_is_a_low_percentile_of_recent_frames_and_ignores_digital_silence() -> None:
    floor = NoiseFloor(window=100, percentile=10, lowest_db=-80)
    assert floor.level == -80  # nothing heard yet
    for level in [-120.0, -math.inf] * 20:  # digital silence says nothing about the line
        floor.add(level)
    assert floor.level == -80
    for index in range(100):  # a line at -60 dBFS with speech at -20 in two frames of every three
        floor.add(-60.0 if index % 3 == 0 else -20.0)
    assert floor.level == pytest.approx(-60.0)
    for _ in range(100):  # the line gets louder: the old frames leave the window
        floor.add(-45.0)
    assert floor.level == pytest.approx(-45.0)
    for _ in range(100):
        floor.add(-85.0)  # quieter than the lowest floor allowed (but not digital silence)
    assert floor.level == -80
