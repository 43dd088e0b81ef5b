"""Model sizes and training presets: plain settings with no torch behind them, so the web app can
check a preset's name at start-up without loading the training code."""

from __future__ import annotations

from typing import Any

MODEL_SIZES: dict[str, dict] = {
    "tiny": dict(channels=64, encoder_layers=2, decoder_layers=2, predictor_channels=32, postnet_channels=64,
                 postnet_layers=1),
    "small": dict(channels=128, encoder_layers=3, decoder_layers=4, predictor_channels=96, postnet_channels=128),
    "base": dict(),
}

# TrainConfig fields each named preset sets. "tiny" builds in well under a minute for tests and
# demos; it only proves the pipeline end to end.
TRAIN_PRESETS: dict[str, dict[str, Any]] = {
    "default": {},
    "tiny": {"model_size": "tiny", "steps": 20, "batch_size": 4, "eval_every": 10, "warmup_steps": 5, "workers": 1},
}
