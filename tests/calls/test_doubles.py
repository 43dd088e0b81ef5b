"""The audio measures the call tests rely on: they must tell a received copy of a sentence from other audio."""

from __future__ import annotations

import numpy as np

from .doubles import best_correlation, piecewise_correlation

RATE = 48000


def speechlike(seconds: float, seed: int) -> np.ndarray:
    """Noise shaped by a syllable-rate envelope: loud and quiet stretches, like speech."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    return (rng.normal(0, 0.2, t.size) * (0.55 + 0.45 * np.sin(2 * np.pi * 4 * t))).astype(np.float32)


def test_a_copy_with_a_dropped_stretch_is_found_piece_by_piece_though_not_whole() -> None:
    sent = speechlike(2.0, 1)
    # The receiver drops 10 ms in the middle (a jitter buffer catching up): the second half arrives earlier.
    dropped = np.concatenate([sent[: RATE], sent[RATE + RATE // 100 :]])
    received = np.concatenate([np.zeros(RATE // 3, np.float32), dropped, np.zeros(RATE // 2, np.float32)])
    assert best_correlation(received, sent) < 0.8
    assert piecewise_correlation(received, sent, RATE) > 0.9


def test_audio_without_the_sentence_scores_near_nothing() -> None:
    sent, other = speechlike(2.0, 1), speechlike(4.0, 2)
    assert piecewise_correlation(other, sent, RATE) < 0.1
