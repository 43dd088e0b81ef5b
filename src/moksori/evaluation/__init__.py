"""Evaluation: MCD, F0 errors, speaker similarity, intelligibility (ASR) and DNSMOS; reports with plots."""

from moksori.evaluation.baselines import espeak_synthesizer
from moksori.evaluation.harness import EvaluationResult, UtteranceResult, evaluate
from moksori.evaluation.report import write_report

__all__ = ["EvaluationResult", "UtteranceResult", "espeak_synthesizer", "evaluate", "write_report"]
