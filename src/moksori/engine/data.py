"""Training data: prepared recordings → cached WORLD features → padded, normalised batches.

Features are cached one ``.npz`` per utterance under the work folder, so a resumed or repeated run skips
the analysis (the slowest part of preparing data).
"""

from __future__ import annotations

import csv
import ctypes
import hashlib
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import torch

from moksori.audio import load_audio
from moksori.engine import features as world
from moksori.engine.aligner import log_beta_binomial_prior
from moksori.files import atomic_write
from moksori.progress import Progress


@dataclass
class Utterance:
    id: str
    phones: np.ndarray  # int64 [N] phone ids
    feats: np.ndarray  # float32 [T, D] raw frames: mcep, bap, lf0, vuv (T a multiple of the reduction)
    energy: np.ndarray  # float32 [T] log-RMS

    @property
    def frames(self) -> int:
        return int(self.feats.shape[0])


def feature_matrix(f: world.Features) -> np.ndarray:
    """One [T, D] matrix in the model's channel order."""
    return np.concatenate([f.mcep, f.bap, f.lf0[:, None], f.vuv[:, None]], axis=1).astype(np.float32)


def read_rows(recordings_dir: Path) -> list[tuple[str, str]]:
    """``(id, text)`` rows of a prepared folder's metadata.csv whose WAV exists."""
    rows = []
    with open(recordings_dir / "metadata.csv", encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="|", quoting=csv.QUOTE_NONE):
            if len(row) >= 2 and (recordings_dir / "wavs" / f"{row[0]}.wav").exists():
                rows.append((row[0], row[-1]))
    return rows


def cache_path(cache_dir: Path, wav: Path) -> Path:
    """Cache file of a WAV, named by its content: a changed recording is never matched to stale features."""
    return cache_dir / f"{wav.stem}.{hashlib.sha1(wav.read_bytes()).hexdigest()[:16]}.npz"


def _analyze_to_cache(wav: Path, target: Path) -> None:
    samples, rate = load_audio(wav)
    f = world.analyze(samples, rate)
    with atomic_write(target) as handle:
        np.savez(handle, feats=feature_matrix(f), energy=f.energy)


def _die_with_parent() -> None:
    """Worker initializer: a killed training run (the web app cancels jobs that way) takes its workers along."""
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def extract_features(
    recordings_dir: Path, cache_dir: Path, workers: int = 2, progress: Progress | None = None
) -> None:
    """WORLD-analyse every WAV not yet cached, ``workers`` processes at a time."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    wavs = [recordings_dir / "wavs" / f"{uid}.wav" for uid, _ in read_rows(recordings_dir)]
    todo = [(wav, target) for wav in wavs if not (target := cache_path(cache_dir, wav)).exists()]
    if not todo:
        return
    # spawn, not fork: the parent may already hold torch's thread pools.
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_die_with_parent) as pool:
        jobs = [pool.submit(_analyze_to_cache, wav, target) for wav, target in todo]
        for done, job in enumerate(jobs, start=1):
            job.result()
            if progress:
                progress("features", done / len(jobs), {"done": done, "total": len(jobs)})


def load_corpus(
    recordings_dir: Path, cache_dir: Path, phone_ids: Callable[[str], list[int]], reduction: int
) -> list[Utterance]:
    """Utterances with phones and cached features; drops those too short to give every phone a frame."""
    corpus = []
    for uid, text in read_rows(recordings_dir):
        cached = np.load(cache_path(cache_dir, recordings_dir / "wavs" / f"{uid}.wav"))
        frames = cached["feats"].shape[0] // reduction * reduction
        phones = np.asarray(phone_ids(text), dtype=np.int64)
        if len(phones) == 0 or frames // reduction < len(phones):
            continue
        corpus.append(Utterance(uid, phones, cached["feats"][:frames], cached["energy"][:frames]))
    return corpus


def split(corpus: list[Utterance], fraction: float, seed: int) -> tuple[list[Utterance], list[Utterance]]:
    """(train, validation): a seeded random ``fraction`` held out, at least 2 (but never all) utterances."""
    n_val = min(max(2, round(len(corpus) * fraction)), len(corpus) - 1) if len(corpus) > 1 else 0
    order = np.random.default_rng(seed).permutation(len(corpus))
    held = set(order[:n_val].tolist())
    return [u for i, u in enumerate(corpus) if i not in held], [u for i, u in enumerate(corpus) if i in held]


def statistics(corpus: list[Utterance]) -> dict[str, np.ndarray]:
    """Per-channel mean/std of the features (vuv left as is) and energy, and the mcep global variance."""
    feats = np.concatenate([u.feats for u in corpus])
    mean, std = feats.mean(0), feats.std(0) + 1e-5
    mean[-1], std[-1] = 0.0, 1.0
    energy = np.concatenate([u.energy for u in corpus])
    mcep_dim = world.MCEP_DIM
    gv = np.mean([((u.feats[:, :mcep_dim] - mean[:mcep_dim]) / std[:mcep_dim]).var(0) for u in corpus], axis=0)
    return {
        "feat_mean": mean,
        "feat_std": std,
        "energy_mean": np.float32(energy.mean()),
        "energy_std": np.float32(energy.std() + 1e-5),
        "mcep_gv": gv,
    }


@dataclass
class Batch:
    phones: torch.Tensor  # [B, N] (0 = padding)
    phone_lengths: torch.Tensor  # [B]
    feats: torch.Tensor  # [B, T * r, D] normalised (vuv as 0/1)
    coarse: torch.Tensor  # [B, T, D] mean of each r frames: what the aligner reads
    energy: torch.Tensor  # [B, T] normalised, per coarse frame
    frame_lengths: torch.Tensor  # [B] in coarse frames
    log_prior: torch.Tensor  # [B, T, N]

    def to(self, device: torch.device) -> Batch:
        return Batch(*(getattr(self, f).to(device) for f in self.__dataclass_fields__))


def collate(items: list[Utterance], stats: dict[str, np.ndarray], reduction: int) -> Batch:
    b = len(items)
    n_max = max(len(u.phones) for u in items)
    t_max = max(u.frames for u in items) // reduction
    d = items[0].feats.shape[1]
    phones = torch.zeros(b, n_max, dtype=torch.long)
    feats = torch.zeros(b, t_max * reduction, d)
    energy = torch.zeros(b, t_max)
    log_prior = np.zeros((b, t_max, n_max), dtype=np.float32)
    for i, u in enumerate(items):
        n, t = len(u.phones), u.frames // reduction
        phones[i, :n] = torch.from_numpy(u.phones)
        feats[i, : u.frames] = torch.from_numpy((u.feats - stats["feat_mean"]) / stats["feat_std"])
        e = (u.energy - stats["energy_mean"]) / stats["energy_std"]
        energy[i, :t] = torch.from_numpy(e.reshape(t, reduction).mean(1))
        log_prior[i, :t, :n] = log_beta_binomial_prior(n, t)
    coarse = feats.reshape(b, t_max, reduction, d).mean(2)
    return Batch(
        phones=phones,
        phone_lengths=torch.tensor([len(u.phones) for u in items]),
        feats=feats,
        coarse=coarse,
        energy=energy,
        frame_lengths=torch.tensor([u.frames // reduction for u in items]),
        log_prior=torch.from_numpy(log_prior),
    )


def epoch_batches(lengths: list[int], batch_size: int, seed: int, epoch: int) -> list[list[int]]:
    """Batches of indices for one epoch: shuffled, but grouped by length to waste little padding.

    A pure function of (seed, epoch), so a resumed run sees exactly the batches it would have seen.
    """
    rng = np.random.default_rng([seed, epoch])
    order = rng.permutation(len(lengths))
    pool = batch_size * 8
    batches = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool].tolist(), key=lambda i: lengths[i])
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]
