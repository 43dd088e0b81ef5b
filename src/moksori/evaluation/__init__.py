"""Evaluation: MCD, F0 errors, speaker similarity, intelligibility (ASR) and DNSMOS; reports with plots.

Exports load on first use, so ``moksori --help`` does not pay for numpy and scipy.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "EvaluationResult": "moksori.evaluation.harness",
    "UtteranceResult": "moksori.evaluation.harness",
    "evaluate": "moksori.evaluation.harness",
    "write_report": "moksori.evaluation.report",
    "espeak_synthesizer": "moksori.evaluation.baselines",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'moksori.evaluation' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
