"""Model sizes and training presets: plain settings with no torch behind them, so the web app can
check a preset's name at start-up without loading the training code."""

from __future__ import annotations

from typing import Any

MODEL_SIZES: dict[str, dict] = {
    "tiny": dict(channels=64, encoder_layers=2, decoder_layers=2, predictor_channels=32, postnet_channels=64,
                 postnet_layers=1),
    "small": dict(channels=128, encoder_layers=3, decoder_layers=4, predictor_channels=96, postnet_channels=128),
    "base": dict(),
    # About three times the base model's weights, for a lent GPU (docs/engine.md, "Measured on a GPU");
    # it speaks about twice as slowly as the base model on a CPU, so it is not the default.
    "large": dict(channels=256, encoder_layers=6, decoder_layers=6, predictor_channels=192, postnet_channels=256,
                  postnet_layers=3),
}

# TrainConfig fields each named preset sets. "tiny" builds in well under a minute for tests and
# demos; it only proves the pipeline end to end.
TRAIN_PRESETS: dict[str, dict[str, Any]] = {
    "default": {},
    "tiny": {"model_size": "tiny", "steps": 20, "continue_steps": 20, "batch_size": 4, "eval_every": 10,
             "warmup_steps": 5, "workers": 1},
    # A first voice from a few dozen recordings while the person keeps recording; its training time has
    # not been benchmarked yet (a third of the default steps on the small model).
    "preview": {"model_size": "small", "steps": 300, "eval_every": 100, "warmup_steps": 60},
}
