"""The per-process voice cache is bounded by the voices' array memory, least recently used out first."""

from __future__ import annotations

import numpy as np

from moksori.web.voice_cache import VoiceCache, array_bytes


class Weights:
    def __init__(self, megabytes: int) -> None:
        self.model = type("Model", (), {})()
        self.model.layers = [np.zeros(megabytes * 2**20 // 8)]
        self.config = {"bias": np.zeros(0)}


def test_array_bytes_counts_nested_weights_once():
    voice = Weights(2)
    voice.alias = voice.model  # the same arrays reached twice count once
    assert array_bytes(voice) == 2 * 2**20


def test_the_least_recently_used_voice_leaves_when_memory_runs_out():
    cache = VoiceCache(max_bytes=5 * 2**20)
    loads = []

    def loader(name: str, megabytes: int):
        return lambda: loads.append(name) or Weights(megabytes)

    a = cache.get("a", loader("a", 2))
    cache.get("b", loader("b", 2))
    assert cache.get("a", loader("a", 2)) is a  # a hit: a is now the most recent
    cache.get("c", loader("c", 2))  # 6 MB > 5 MB: b, the least recently used, goes
    assert loads == ["a", "b", "c"] and len(cache) == 2 and cache.used_bytes() == 4 * 2**20
    cache.get("b", loader("b", 2))
    assert loads[-1] == "b"
    # A single voice larger than the whole cache is still served (and kept alone).
    cache.get("big", loader("big", 8))
    assert len(cache) == 1
    cache.forget("big")
    assert len(cache) == 0
