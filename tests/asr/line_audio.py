"""Synthetic far-end audio for endpointing tests: a phone line's noise (hiss and mains hum through μ-law) and
loud, syllable-paced stretches that stand in for speech."""

from __future__ import annotations

import numpy as np

from moksori.audio import mulaw_decode, mulaw_encode

RATE = 16000


def line_noise(seconds: float, seed: int = 0) -> np.ndarray:
    """Hiss at about -60 dBFS and 50 Hz hum, as a phone line rests."""
    t = np.arange(int(seconds * RATE)) / RATE
    hiss = np.random.default_rng(seed).normal(0, 0.001, t.size)
    return (hiss + 0.003 * np.sin(2 * np.pi * 50 * t)).astype(np.float32)


def voiced(seconds: float, seed: int = 1) -> np.ndarray:
    """A voice-like sound: harmonics of 140 Hz, four syllables a second whose envelope dips to nothing
    between them, plus breath noise."""
    t = np.arange(int(seconds * RATE)) / RATE
    harmonics = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 8))
    envelope = 0.5 * (1 - np.cos(2 * np.pi * 4 * t))
    breath = np.random.default_rng(seed).normal(0, 0.01, t.size)
    return (0.08 * envelope * harmonics + envelope * breath).astype(np.float32)


def over_the_line(*parts: np.ndarray) -> np.ndarray:
    """Parts one after another with the line's noise under all of them, through μ-law."""
    audio = np.concatenate(parts)
    return mulaw_decode(mulaw_encode(audio + line_noise(audio.size / RATE, seed=7)))


def seconds(audio: np.ndarray) -> float:
    return audio.size / RATE
