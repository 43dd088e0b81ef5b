"""A tiny untrained voice for the speaking tests (training is tested with the trainer)."""

from __future__ import annotations

import math
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from moksori.engine import features, voicefile
from moksori.engine.acoustic import AcousticConfig, AcousticModel
from moksori.text.phoneset import PHONES

RATE = 22050
FRAMES_PER_PHONE = 16  # 80 ms


TINY = {"channels": 32, "encoder_layers": 1, "decoder_layers": 1, "predictor_channels": 16, "postnet_channels": 16,
        "postnet_layers": 1}


def random_voice(path: Path, **overrides) -> Path:
    """A tiny untrained voice whose outputs sit near the statistics of a real voiced sound.

    ``overrides`` change its sizes (``default_size=True`` keeps AcousticConfig's own, a trained voice's cost)."""
    torch.manual_seed(0)
    sizes = {} if overrides.pop("default_size", False) else dict(TINY)
    config = AcousticConfig(n_phones=len(PHONES), bap_dim=features.bap_dim(RATE), sample_rate=RATE,
                            **(sizes | overrides))
    model = AcousticModel(config)
    t = np.arange(RATE) / RATE
    vowel = sum(np.sin(2 * np.pi * k * 150 * t) / k for k in range(1, 30)).astype(np.float32) * 0.1
    real = features.analyze(vowel, RATE)
    mean = np.concatenate([real.mcep.mean(0), real.bap.mean(0), [math.log(150.0), 0.0]])
    std = np.full(config.n_feats, 0.05)
    std[-1] = 1.0
    model.set_statistics({"feat_mean": mean, "feat_std": std})
    with torch.no_grad():  # the untrained duration head would give every phone one step
        model.duration.head.weight.zero_()
        model.duration.head.bias.fill_(math.log1p(FRAMES_PER_PHONE / config.reduction))
        model.output.bias[config.n_feats - 1 :: config.n_feats].fill_(4.0)  # voiced (vuv logit)
    return voicefile.save(
        path,
        {"model": asdict(config), "language": "ko"},
        model.state_dict(),
        list(PHONES),
        {"name": "Random"},
    )
