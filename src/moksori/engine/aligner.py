"""Learns which frames belong to which phone, from the speaker's own recordings alone.

The "One TTS Alignment To Rule Them All" recipe (RAD-TTS, FastPitch 1.1): a conv text encoder and a conv
feature encoder, soft attention from the L2 distance between their outputs times a static beta-binomial
prior, trained with the forward-sum (CTC) loss; monotonic alignment search then turns the soft attention
into an integer number of frames per phone. It is trained jointly with the acoustic model.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numba
import numpy as np
import torch
import torch.nn.functional as F
from scipy.stats import betabinom
from torch import nn


@dataclass
class AlignerConfig:
    n_phones: int
    n_feats: int  # channels of the (coarse) acoustic frames it reads
    channels: int = 128
    attention_dim: int = 80
    # The distances are sums over attention_dim squares; a small temperature keeps the softmax soft early on.
    temperature: float = 0.0005


class Aligner(nn.Module):
    def __init__(self, config: AlignerConfig):
        super().__init__()
        self.config = config
        c = config.channels
        self.embedding = nn.Embedding(config.n_phones, c, padding_idx=0)
        self.text_encoder = nn.Sequential(
            nn.Conv1d(c, 2 * c, 3, padding=1), nn.ReLU(), nn.Conv1d(2 * c, config.attention_dim, 1)
        )
        self.feature_encoder = nn.Sequential(
            nn.Conv1d(config.n_feats, 2 * c, 3, padding=1),
            nn.ReLU(),
            nn.Conv1d(2 * c, c, 1),
            nn.ReLU(),
            nn.Conv1d(c, config.attention_dim, 1),
        )

    def forward(
        self, phones: torch.Tensor, feats: torch.Tensor, phone_mask: torch.Tensor, log_prior: torch.Tensor
    ) -> torch.Tensor:
        """Log attention weights [B, T, N] (log-softmax over phones, plus the log prior; padded phones -inf).

        phones [B, N] ids, feats [B, T, n_feats], phone_mask [B, N] bool (True = real phone),
        log_prior [B, T, N].
        """
        keys = self.text_encoder(self.embedding(phones).transpose(1, 2))  # [B, A, N]
        queries = self.feature_encoder(feats.transpose(1, 2))  # [B, A, T]
        # |q - k|^2 expanded, so no [B, A, T, N] tensor is ever built.
        distance = (
            queries.pow(2).sum(1)[:, :, None]
            + keys.pow(2).sum(1)[:, None, :]
            - 2 * torch.einsum("bat,ban->btn", queries, keys)
        )
        scores = -self.config.temperature * distance
        scores = scores.masked_fill(~phone_mask[:, None, :], -1e4)
        log_attn = F.log_softmax(scores, dim=2) + log_prior
        return log_attn.masked_fill(~phone_mask[:, None, :], -1e4)


@lru_cache(maxsize=1024)
def log_beta_binomial_prior(n_phones: int, n_frames: int) -> np.ndarray:
    """Static diagonal prior [n_frames, n_phones] (log): frame t most likely sits near phone t * N / T.

    Cached (read-only): every batch needs it, and scipy's beta-binomial cost a tenth of a training step.
    """
    t = np.arange(1, n_frames + 1)[:, None]
    pmf = betabinom(n_phones - 1, t, n_frames + 1 - t).pmf(np.arange(n_phones)[None, :])
    prior = np.log(np.maximum(pmf, 1e-8)).astype(np.float32)
    prior.setflags(write=False)
    return prior


def forward_sum_loss(log_attn: torch.Tensor, phone_lengths: torch.Tensor, frame_lengths: torch.Tensor) -> torch.Tensor:
    """CTC loss summed over every monotonic path that visits all phones in order (RAD-TTS).

    A blank column (log-prob -1) is prepended because ``ctc_loss`` requires one; it is never a target.
    Padded phones already sit at -1e4, so they take no probability.
    """
    padded = F.pad(log_attn, (1, 0), value=-1.0)  # [B, T, N+1]
    log_probs = F.log_softmax(padded, dim=2).transpose(0, 1)  # [T, B, N+1]
    targets = torch.arange(1, log_attn.shape[2] + 1, device=log_attn.device).expand(log_attn.shape[0], -1)
    return F.ctc_loss(log_probs, targets, frame_lengths, phone_lengths, zero_infinity=True)


@numba.njit(cache=True)
def _monotonic_path(log_p: np.ndarray) -> np.ndarray:
    """Durations [N] of the best monotonic path through log_p [T, N] that visits every phone (T >= N)."""
    n_frames, n_phones = log_p.shape
    score = np.full((n_frames, n_phones), -np.inf)
    from_previous = np.zeros((n_frames, n_phones), dtype=np.bool_)
    score[0, 0] = log_p[0, 0]
    for t in range(1, n_frames):
        # Phone j can only start once j frames have passed, and must leave room for the phones after it.
        for j in range(max(0, n_phones - n_frames + t), min(n_phones, t + 1)):
            stay = score[t - 1, j]
            move = score[t - 1, j - 1] if j > 0 else -np.inf
            if move > stay:
                score[t, j] = move + log_p[t, j]
                from_previous[t, j] = True
            else:
                score[t, j] = stay + log_p[t, j]
    durations = np.zeros(n_phones, dtype=np.int64)
    j = n_phones - 1
    for t in range(n_frames - 1, -1, -1):
        durations[j] += 1
        if from_previous[t, j]:
            j -= 1
    return durations


def hard_durations(log_attn: torch.Tensor, phone_lengths: torch.Tensor, frame_lengths: torch.Tensor) -> torch.Tensor:
    """Integer frames per phone [B, N] by monotonic alignment search over the soft attention (no gradient)."""
    log_p = log_attn.detach().float().cpu().numpy()
    durations = np.zeros(log_p.shape[::2], dtype=np.int64)
    for i, (n, t) in enumerate(zip(phone_lengths.tolist(), frame_lengths.tolist(), strict=True)):
        durations[i, :n] = _monotonic_path(np.ascontiguousarray(log_p[i, :t, :n], dtype=np.float64))
    return torch.from_numpy(durations).to(log_attn.device)


def durations_to_attention(durations: torch.Tensor, n_frames: int) -> torch.Tensor:
    """Hard attention [B, T, N] (1 where frame t belongs to phone n) from durations [B, N]."""
    ends = durations.cumsum(1)  # [B, N]
    starts = ends - durations
    t = torch.arange(n_frames, device=durations.device)[None, :, None]
    return ((t >= starts[:, None, :]) & (t < ends[:, None, :])).float()


def binarization_loss(log_attn: torch.Tensor, hard_attention: torch.Tensor) -> torch.Tensor:
    """Pulls the soft attention towards the hard path it produced (mean -log p along the path)."""
    return -(log_attn.clamp(min=-1e4) * hard_attention).sum() / hard_attention.sum().clamp(min=1)
