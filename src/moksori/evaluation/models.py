"""Learned scorers shipped inside their wheels: resemblyzer speaker embeddings and DNSMOS P.808.

Each model loads once per process, on first use.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np

from moksori.audio import load_audio, resample

DNSMOS_RATE = 16000


def speaker_embedding(samples: np.ndarray, rate: int) -> np.ndarray:
    """Unit-length resemblyzer embedding (256,) of one utterance."""
    from resemblyzer import preprocess_wav

    wav = preprocess_wav(np.asarray(samples, dtype=np.float32), source_sr=rate)
    if wav.size == 0:  # resemblyzer's own VAD found nothing; embed the raw audio instead
        wav = resample(np.asarray(samples, dtype=np.float32), rate, 16000)
    with _torch_threads(1):
        return _voice_encoder().embed_utterance(wav)


def speaker_centroid(paths: Iterable[str | Path]) -> np.ndarray:
    """Unit-length mean embedding of a speaker's recordings."""
    embeddings = [speaker_embedding(*load_audio(path)) for path in paths]
    if not embeddings:
        raise ValueError("no recordings to build the speaker reference from")
    centroid = np.mean(embeddings, axis=0)
    return centroid / np.linalg.norm(centroid)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def dnsmos_p808(samples: np.ndarray, rate: int) -> float:
    """DNSMOS P.808 overall quality estimate (1–5) of one utterance."""
    from speechmos import dnsmos

    audio = np.clip(resample(np.asarray(samples, dtype=np.float32), rate, DNSMOS_RATE), -1.0, 1.0)
    return float(dnsmos.run(audio, DNSMOS_RATE)["p808_mos"])


@contextmanager
def _torch_threads(count: int) -> Iterator[None]:
    """The small speaker encoder runs 5-8x cheaper on one thread than on two when the cores are busy;
    the caller's own setting comes back afterwards."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@lru_cache(maxsize=1)
def _voice_encoder():
    from resemblyzer import VoiceEncoder

    return VoiceEncoder(device="cpu", verbose=False)
