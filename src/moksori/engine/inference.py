"""Speaking with a trained acoustic model in plain numpy: phones in, WORLD features out.

This is the forward pass of ``moksori.engine.acoustic.AcousticModel`` for one utterance, on the weights of
its state_dict, followed by what only speaking needs: rounding the predicted durations, de-normalising,
the global-variance post-filter, pace and pitch shift. So speaking does not import torch, which alone
takes ~185 MB of memory; training does, and keeps the torch model. ``tests/engine/test_inference.py``
holds the two forward passes equal.

Everything is float32. Arrays are [length, channels], one utterance, so no padding or masks are needed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from moksori.engine.features import MCEP_DIM, Features

LAYER_NORM_EPS = 1e-5  # torch.nn.LayerNorm's default
PREDICTOR_KERNEL = 3
# Training-set statistics stored with the weights; not parameters of the network.
BUFFERS = ("feat_mean", "feat_std", "energy_mean", "energy_std", "mcep_gv")


@dataclass
class AcousticConfig:
    """Sizes of the acoustic model; saved in a voice file as ``model``."""

    n_phones: int
    bap_dim: int
    sample_rate: int
    channels: int = 160
    kernel_size: int = 5
    encoder_layers: int = 4
    decoder_layers: int = 4
    predictor_channels: int = 128
    postnet_channels: int = 160
    postnet_layers: int = 2
    dropout: float = 0.2
    reduction: int = 2  # feature frames per decoder step (10 ms: 20 ms blurred short consonants)
    # How much of the training data's global variance the post-filter restores (0 = off, 1 = all).
    gv_strength: float = 1.0
    # Predicted durations are multiplied by this when speaking. Durations are regressed as log(1 + steps),
    # whose back-transform is a geometric mean, short by about exp(variance / 2) where the predictor is
    # unsure (most with little data); training sets it so held-out utterances come out at their true length.
    duration_scale: float = 1.0
    # Frame-level pitch and voicing: a small conv stack on the decoder's output predicts log-F0 and the
    # voicing logit of every frame with its own loss, in place of the decoder's own (0 layers = off).
    frame_pitch_layers: int = 0

    @property
    def n_feats(self) -> int:
        """Frame vector: mcep, bap, lf0, vuv (the last one is a logit, never normalised)."""
        return MCEP_DIM + self.bap_dim + 2


def weight_shapes(config: AcousticConfig) -> dict[str, tuple[int, ...]]:
    """Name and shape of every entry of the state_dict of ``AcousticModel(config)``.

    Lets a voice file be checked against its config without building the torch model.
    """
    c, k, h, p = config.channels, config.kernel_size, config.predictor_channels, config.postnet_channels
    out = config.reduction * config.n_feats
    shapes: dict[str, tuple[int, ...]] = {"embedding.weight": (config.n_phones, c)}

    def linear(name: str, n_in: int, n_out: int) -> None:
        shapes[f"{name}.weight"], shapes[f"{name}.bias"] = (n_out, n_in), (n_out,)

    def conv(name: str, n_in: int, n_out: int, kernel: int) -> None:
        shapes[f"{name}.weight"], shapes[f"{name}.bias"] = (n_out, n_in, kernel), (n_out,)

    def stack(name: str, channels: int, kernel: int, layers: int) -> None:
        for i in range(layers):
            conv(f"{name}.blocks.{i}.conv", channels, channels, kernel)
            shapes[f"{name}.blocks.{i}.norm.weight"] = shapes[f"{name}.blocks.{i}.norm.bias"] = (channels,)

    stack("encoder", c, k, config.encoder_layers)
    for predictor in ("duration", "pitch", "energy"):
        linear(f"{predictor}.project", c, h)
        stack(f"{predictor}.stack", h, PREDICTOR_KERNEL, 2)
        linear(f"{predictor}.head", h, 1)
    conv("pitch_embedding", 1, c, 3)
    conv("energy_embedding", 1, c, 3)
    linear("position_embedding", 2, c)
    stack("decoder", c, k, config.decoder_layers)
    linear("output", c, out)
    if config.frame_pitch_layers:
        linear("frame_pitch.project", c, h)
        stack("frame_pitch.stack", h, k, config.frame_pitch_layers)
        linear("frame_pitch.head", h, config.reduction * 2)
    # nn.Sequential numbering: each postnet layer is conv, tanh, dropout; the last conv follows them.
    for i in range(config.postnet_layers):
        conv(f"postnet.{3 * i}", out if i == 0 else p, p, k)
    conv(f"postnet.{3 * config.postnet_layers}", p, out, k)
    shapes |= {"feat_mean": (config.n_feats,), "feat_std": (config.n_feats,), "energy_mean": (),
               "energy_std": (), "mcep_gv": (MCEP_DIM,)}  # fmt: skip
    return shapes


def spoken_durations(log_duration: np.ndarray, scale: float = 1.0, pace: float = 1.0) -> np.ndarray:
    """Decoder steps per phone from the predicted log(1 + steps): scaled, divided by pace, rounded, at least one."""
    steps = np.expm1(log_duration) * np.float32(scale) / np.float32(pace)
    return np.maximum(np.round(steps), 1).astype(np.int64)


def _conv(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Conv1d with 'same' padding: x [L, C_in], weight [K * C_in, C_out] (see ``_conv_matrix``) → [L, C_out]."""
    length, channels = x.shape
    kernel = weight.shape[0] // channels
    padded = np.zeros((length + kernel - 1, channels), dtype=x.dtype)
    padded[kernel // 2 : kernel // 2 + length] = x
    # [L, C_in, K] view → [L, K, C_in]: the copy reshape makes then reads whole rows of x
    # (20 µs instead of 350 for 250 steps of 160 channels).
    windows = sliding_window_view(padded, kernel, axis=0).transpose(0, 2, 1)
    return windows.reshape(length, -1) @ weight + bias


def _conv_matrix(weight: np.ndarray) -> np.ndarray:
    """torch's Conv1d weight [C_out, C_in, K] as one matrix [K * C_in, C_out], in the windows' order."""
    return np.ascontiguousarray(weight.transpose(2, 1, 0).reshape(-1, weight.shape[0]))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = x.var(-1, keepdims=True)  # biased, as torch's LayerNorm
    return (x - mean) / np.sqrt(var + np.float32(LAYER_NORM_EPS)) * weight + bias


class InferenceModel:
    """The acoustic model of a voice, ready to speak."""

    def __init__(self, config: AcousticConfig, state_dict: Mapping[str, np.ndarray]):
        self.config = config
        # Linear weights transposed and conv weights flattened once, so every layer is one matmul.
        self._w: dict[str, np.ndarray] = {}
        for name, value in state_dict.items():
            value = np.asarray(value, dtype=np.float32)
            if value.ndim == 3:
                value = _conv_matrix(value)
            elif value.ndim == 2 and name != "embedding.weight":
                value = np.ascontiguousarray(value.T)
            self._w[name] = value
        self.n_parameters = sum(value.size for name, value in state_dict.items() if name not in BUFFERS)

    def _linear(self, name: str, x: np.ndarray) -> np.ndarray:
        return x @ self._w[f"{name}.weight"] + self._w[f"{name}.bias"]

    def _conv(self, name: str, x: np.ndarray) -> np.ndarray:
        return _conv(x, self._w[f"{name}.weight"], self._w[f"{name}.bias"])

    def _stack(self, name: str, x: np.ndarray, layers: int) -> np.ndarray:
        """Residual blocks: conv → ReLU → LayerNorm, added to the input (dropout is off when speaking)."""
        for i in range(layers):
            block = f"{name}.blocks.{i}"
            y = np.maximum(self._conv(f"{block}.conv", x), 0)
            x = x + _layer_norm(y, self._w[f"{block}.norm.weight"], self._w[f"{block}.norm.bias"])
        return x

    def _predict(self, name: str, x: np.ndarray) -> np.ndarray:
        """One value per phone from encoder output x [N, C] → [N]."""
        hidden = self._stack(f"{name}.stack", self._linear(f"{name}.project", x), 2)
        return self._linear(f"{name}.head", hidden)[:, 0]

    def generate(
        self, phone_ids: Sequence[int] | np.ndarray, pace: float = 1.0, pitch_shift: float = 0.0
    ) -> tuple[Features, np.ndarray]:
        """WORLD features (de-normalised) for one phone sequence, and the feature frames of each phone.

        ``pace`` > 1 speaks faster (it divides the predicted durations); ``pitch_shift`` is in semitones.
        """
        if pace <= 0:
            raise ValueError("pace must be positive")
        config = self.config
        r, d = config.reduction, config.n_feats
        x = self._w["embedding.weight"][np.asarray(phone_ids, dtype=np.int64)]  # [N, C]
        x = self._stack("encoder", x, config.encoder_layers)
        log_duration, pitch, energy = (self._predict(name, x) for name in ("duration", "pitch", "energy"))
        durations = spoken_durations(log_duration, config.duration_scale, pace)  # [N]
        x = (
            x
            + self._conv("pitch_embedding", pitch[:, None])
            + self._conv("energy_embedding", energy[:, None])
        )

        # Length regulation: each phone repeated for its decoder steps, with where in the phone each step is.
        phone = np.repeat(np.arange(len(durations)), durations)  # [T] phone of each step
        starts = np.cumsum(durations) - durations
        offset = (np.arange(len(phone)) - starts[phone]).astype(np.float32) + np.float32(0.5)
        position = offset / durations[phone].astype(np.float32)  # [T], from 0 to 1 through each phone
        frames = x[phone] + self._linear("position_embedding", np.stack([position, 1 - position], -1))  # [T, C]

        y = self._stack("decoder", frames, config.decoder_layers)
        coarse = self._linear("output", y)  # [T, r * D]
        post = coarse
        for i in range(config.postnet_layers):
            post = np.tanh(self._conv(f"postnet.{3 * i}", post))
        refined = (coarse + self._conv(f"postnet.{3 * config.postnet_layers}", post)).reshape(-1, d)  # [T * r, D]
        if config.frame_pitch_layers:
            hidden = self._stack("frame_pitch.stack", self._linear("frame_pitch.project", y), config.frame_pitch_layers)
            refined[:, -2:] = self._linear("frame_pitch.head", hidden).reshape(-1, 2)

        fine_durations = durations * r
        energy_frames = np.repeat(energy, fine_durations) * self._w["energy_std"] + self._w["energy_mean"]
        features = self._denormalise(refined, energy_frames)  # [T * r, D]
        features.lf0 = features.lf0 + np.float32(pitch_shift * math.log(2) / 12)
        return features, fine_durations

    def _denormalise(self, frames: np.ndarray, energy: np.ndarray) -> Features:
        """Features from one normalised frame matrix [T, n_feats], with the global-variance post-filter."""
        mcep = frames[:, :MCEP_DIM]
        strength = self.config.gv_strength
        if strength > 0 and len(mcep) > 1:
            # Predicted trajectories are smoother than real ones; scale each coefficient's spread back
            # towards the training set's typical per-utterance variance (skipping c0, the loudness).
            centre = mcep.mean(0, keepdims=True)
            ratio = self._w["mcep_gv"] / np.maximum(mcep.var(0, ddof=1), np.float32(1e-6))
            scale = np.minimum(ratio, np.float32(4.0)) ** np.float32(0.5 * strength)
            scale[0] = 1.0
            mcep = centre + (mcep - centre) * scale
        values = np.concatenate([mcep, frames[:, MCEP_DIM:]], 1) * self._w["feat_std"] + self._w["feat_mean"]
        b = self.config.bap_dim
        return Features(
            lf0=np.ascontiguousarray(values[:, MCEP_DIM + b]),
            vuv=(frames[:, -1] > 0).astype(np.float32),
            mcep=np.ascontiguousarray(values[:, :MCEP_DIM]),
            bap=np.ascontiguousarray(values[:, MCEP_DIM : MCEP_DIM + b]),
            energy=energy,
            sample_rate=self.config.sample_rate,
        )
