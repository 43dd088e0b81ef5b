"""Loaded voices kept per server process, bounded by memory: the least recently used voice is
dropped when a new one would go over the limit. A voice's cost is the size of its arrays (the
acoustic model's weights); the text front-end that all voices share is loaded once per process
and is not counted here (docs/deploy.md gives both figures)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np


def array_bytes(obj: Any, depth: int = 4, seen: set[int] | None = None) -> int:
    """Bytes held by the numpy arrays reachable from ``obj`` through attributes, dicts and lists."""
    seen = set() if seen is None else seen
    if id(obj) in seen or depth < 0:
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    if isinstance(obj, dict):
        children = obj.values()
    elif isinstance(obj, list | tuple):
        children = obj
    elif hasattr(obj, "__dict__"):
        children = vars(obj).values()
    else:
        return 0
    return sum(array_bytes(child, depth - 1, seen) for child in children)


class VoiceCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._voices: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}

    def get(self, key: str, load: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._voices:
                self._voices.move_to_end(key)
                return self._voices[key][0]
            loading = self._loading.setdefault(key, threading.Lock())
        with loading:  # one load per voice at a time; other voices stay available meanwhile
            with self._lock:
                if key in self._voices:
                    return self._voices[key][0]
            voice = load()
            size = array_bytes(voice)
            with self._lock:
                self._voices[key] = (voice, size)
                self._loading.pop(key, None)
                while len(self._voices) > 1 and self.used_bytes() > self.max_bytes:
                    self._voices.popitem(last=False)
            return voice

    def forget(self, key: str) -> None:
        with self._lock:
            self._voices.pop(key, None)

    def loaded(self) -> list[Any]:
        with self._lock:
            return [voice for voice, _size in self._voices.values()]

    def used_bytes(self) -> int:
        return sum(size for _voice, size in self._voices.values())

    def __len__(self) -> int:
        return len(self._voices)
