"""The voice engine: WORLD features, the acoustic model, training, and speaking with a ``.voice`` file.

``Voice``, ``train`` and ``TrainConfig`` are imported on first use so that ``import moksori.engine``
does not pull in torch. Speaking never needs it (the acoustic model runs in numpy); training does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from moksori.lazy import lazy_exports

if TYPE_CHECKING:
    from moksori.engine.training import TrainConfig, train
    from moksori.engine.voice import Voice

__all__ = ["Voice", "TrainConfig", "train"]

_HOMES = {
    "Voice": "moksori.engine.voice",
    "TrainConfig": "moksori.engine.training",
    "train": "moksori.engine.training",
}

__getattr__ = lazy_exports(__name__, _HOMES)
