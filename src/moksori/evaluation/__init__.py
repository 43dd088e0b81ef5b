"""Evaluation: MCD, F0 errors, speaker similarity, intelligibility (ASR) and DNSMOS; reports with plots.

Exports load on first use, so ``moksori --help`` does not pay for numpy and scipy.
"""

from __future__ import annotations

from moksori.lazy import lazy_exports

_EXPORTS = {
    "EvaluationResult": "moksori.evaluation.harness",
    "UtteranceResult": "moksori.evaluation.harness",
    "evaluate": "moksori.evaluation.harness",
    "write_report": "moksori.evaluation.report",
    "espeak_synthesizer": "moksori.evaluation.baselines",
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
