"""The acoustic model: phones in, WORLD features out, with explicit durations, pitch and energy.

A small FastPitch-like network made of convolutions only (much faster on CPU than attention):

    phones → embedding → conv encoder ─┬→ duration predictor (log frames per phone)
                                       ├→ pitch predictor  (mean normalised log-F0 per phone) ─┐
                                       └→ energy predictor (mean normalised energy per phone) ─┤ added back
    → repeat each phone for its duration (+ position inside the phone) → conv decoder → features → postnet

The decoder works on "coarse" frames of ``reduction`` feature frames each and emits all of them at once
(Tacotron's reduction factor): two frames (10 ms) per step halve the work; four (20 ms) were cheaper still
but blurred short consonants. Normalisation statistics live in
buffers, so a saved state_dict is all that is needed to speak.

This torch model is for training. Speaking runs the same network in numpy (``moksori.engine.inference``,
which also holds ``AcousticConfig``), so a loaded voice does not need torch.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from moksori.engine.features import MCEP_DIM
from moksori.engine.inference import AcousticConfig


class ConvBlock(nn.Module):
    """Conv → ReLU → LayerNorm → dropout, residual; padded positions are kept at zero."""

    def __init__(self, channels: int, kernel_size: int, dropout: float):
        super().__init__()
        self.conv = nn.Conv1d(channels, channels, kernel_size, padding=kernel_size // 2)
        self.norm = nn.LayerNorm(channels)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        # x [B, L, C], mask [B, L, 1]
        y = F.relu(self.conv(x.transpose(1, 2)).transpose(1, 2))
        return (x + self.dropout(self.norm(y))) * mask


class ConvStack(nn.Module):
    def __init__(self, channels: int, kernel_size: int, layers: int, dropout: float):
        super().__init__()
        self.blocks = nn.ModuleList(ConvBlock(channels, kernel_size, dropout) for _ in range(layers))

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x, mask)
        return x


class Predictor(nn.Module):
    """Two conv layers and a linear head: one scalar per phone (FastSpeech 2's variance predictor)."""

    def __init__(self, channels: int, hidden: int, kernel_size: int, dropout: float):
        super().__init__()
        self.project = nn.Linear(channels, hidden)
        self.stack = ConvStack(hidden, kernel_size, 2, dropout)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.head(self.stack(self.project(x) * mask, mask)).squeeze(-1) * mask.squeeze(-1)  # [B, N]


class FramePitch(nn.Module):
    """Log-F0 and voicing logit of every feature frame, from the decoder's output [B, T, C] → [B, T, 2 r]."""

    def __init__(self, channels: int, hidden: int, kernel_size: int, layers: int, reduction: int, dropout: float):
        super().__init__()
        self.project = nn.Linear(channels, hidden)
        self.stack = ConvStack(hidden, kernel_size, layers, dropout)
        self.head = nn.Linear(hidden, 2 * reduction)

    def forward(self, y: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.head(self.stack(self.project(y) * mask, mask)) * mask


class AcousticModel(nn.Module):
    def __init__(self, config: AcousticConfig):
        super().__init__()
        self.config = config
        c, d = config.channels, config.n_feats
        self.embedding = nn.Embedding(config.n_phones, c, padding_idx=0)
        self.encoder = ConvStack(c, config.kernel_size, config.encoder_layers, config.dropout)
        self.duration = Predictor(c, config.predictor_channels, 3, config.dropout)
        self.pitch = Predictor(c, config.predictor_channels, 3, config.dropout)
        self.energy = Predictor(c, config.predictor_channels, 3, config.dropout)
        self.pitch_embedding = nn.Conv1d(1, c, 3, padding=1)
        self.energy_embedding = nn.Conv1d(1, c, 3, padding=1)
        self.position_embedding = nn.Linear(2, c)
        self.decoder = ConvStack(c, config.kernel_size, config.decoder_layers, config.dropout)
        self.output = nn.Linear(c, config.reduction * d)
        p = config.postnet_channels
        layers: list[nn.Module] = []
        for i in range(config.postnet_layers):
            layers += [
                nn.Conv1d(
                    config.reduction * d if i == 0 else p,
                    p,
                    config.kernel_size,
                    padding=config.kernel_size // 2,
                ),
                nn.Tanh(),
                nn.Dropout(config.dropout),
            ]
        layers.append(nn.Conv1d(p, config.reduction * d, config.kernel_size, padding=config.kernel_size // 2))
        self.postnet = nn.Sequential(*layers)
        if config.frame_pitch_layers:
            self.frame_pitch = FramePitch(c, config.predictor_channels, config.kernel_size,
                                          config.frame_pitch_layers, config.reduction, config.dropout)
        # Feature statistics from the training set (set by training, saved with the weights).
        self.register_buffer("feat_mean", torch.zeros(d))
        self.register_buffer("feat_std", torch.ones(d))
        self.register_buffer("energy_mean", torch.zeros(()))
        self.register_buffer("energy_std", torch.ones(()))
        # Mean per-utterance variance of each normalised mcep coefficient: the global-variance target.
        self.register_buffer("mcep_gv", torch.ones(MCEP_DIM))

    def set_statistics(self, stats: dict[str, np.ndarray]) -> None:
        """Copy training-set statistics (keys: the buffer names above) into the model."""
        for name, value in stats.items():
            getattr(self, name).copy_(torch.as_tensor(value, dtype=torch.float32))

    def encode(self, phones: torch.Tensor, phone_mask: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Encoder output [B, N, C] and the three predictions [B, N] (log(1+frames), pitch, energy)."""
        mask = phone_mask[..., None].float()
        x = self.encoder(self.embedding(phones) * mask, mask)
        return x, self.duration(x, mask), self.pitch(x, mask), self.energy(x, mask)

    def decode(
        self,
        x: torch.Tensor,
        phone_mask: torch.Tensor,
        durations: torch.Tensor,
        pitch: torch.Tensor,
        energy: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Features before and after the postnet, [B, T * reduction, n_feats] (normalised; vuv as logit).

        x [B, N, C] encoder output, durations [B, N] in coarse frames, pitch/energy [B, N] normalised.
        With a frame-level pitch head, the last two channels after the postnet (log-F0, voicing) are its.
        """
        mask = phone_mask[..., None].float()
        x = (
            x
            + (self.pitch_embedding(pitch[:, None]) + self.energy_embedding(energy[:, None])).transpose(1, 2)
            * mask
        )
        frames, frame_mask, position = regulate_length(x, durations)  # [B, T, C], [B, T], [B, T]
        frame_mask_f = frame_mask[..., None].float()
        frames = frames + self.position_embedding(torch.stack([position, 1 - position], -1)) * frame_mask_f
        y = self.decoder(frames, frame_mask_f)
        coarse = self.output(y) * frame_mask_f  # [B, T, r * D]
        refined = coarse + self.postnet(coarse.transpose(1, 2)).transpose(1, 2) * frame_mask_f
        b, t, _ = coarse.shape
        d = self.config.n_feats
        refined = refined.reshape(b, t * self.config.reduction, d)
        if self.config.frame_pitch_layers:
            source = self.frame_pitch(y, frame_mask_f).reshape(b, t * self.config.reduction, 2)
            refined = torch.cat([refined[..., :-2], source], -1)
        return coarse.reshape(b, t * self.config.reduction, d), refined


def regulate_length(
    x: torch.Tensor, durations: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Repeat phone vectors x [B, N, C] by durations [B, N] → frames [B, T, C], mask [B, T], position [B, T].

    ``position`` runs from 0 to 1 through each phone, so the decoder knows where inside the phone it is.
    """
    ends = durations.cumsum(1)
    total = int(ends[:, -1].max().clamp(min=1))
    t = torch.arange(total, device=x.device)[None, :]  # [1, T]
    index = torch.searchsorted(
        ends, t.expand(x.shape[0], -1).contiguous(), right=True
    )  # [B, T] phone of frame
    mask = t < ends[:, -1:]
    index = index.clamp(max=x.shape[1] - 1)
    starts = (ends - durations).gather(1, index)
    lengths = durations.gather(1, index).clamp(min=1)
    position = ((t - starts).float() + 0.5) / lengths.float() * mask
    frames = x.gather(1, index[..., None].expand(-1, -1, x.shape[2])) * mask[..., None]
    return frames, mask, position
