"""``evaluate``: score synthesized utterances against held-out natural recordings of the same sentences.

Per utterance: MCD and F0 errors (WORLD analysis + DTW, in a worker process so it overlaps with the
models), speaker similarity to the training recordings' centroid, ASR error (CER for Korean, WER for
English) and DNSMOS, the last three also for the natural recording, and synthesis speed when the
harness drives the synthesis itself.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from moksori import asr
from moksori.audio import load_audio, write_wav
from moksori.dataset.source import AUDIO_EXTENSIONS, parse_metadata
from moksori.evaluation import metrics, models
from moksori.progress import Progress

Synthesize = Callable[[str], tuple[np.ndarray, int]]
CONTOUR_UTTERANCES = 3  # F0 contours kept for the report's plots
MIN_SECONDS = 0.1


@dataclass
class UtteranceResult:
    id: str
    text: str
    seconds: float  # synthesized audio
    natural_seconds: float
    mcd_db: float
    f0_rmse_cents: float
    gpe: float
    vuv_error: float
    transcript: str
    error: float  # CER (ko) or WER (en) of the synthesized utterance
    dnsmos: float
    secs: float | None = None  # cosine to the training centroid; None without a training reference
    natural_transcript: str | None = None
    natural_error: float | None = None
    natural_dnsmos: float | None = None
    natural_secs: float | None = None
    synthesis_seconds: float | None = None  # wall time of synthesize(text), when the harness called it
    # Speaking rate: span of detected speech (first to last VAD frame), synthesized over natural.
    active_ratio: float | None = None
    eval_seconds: float = 0.0  # CPU time the harness spent scoring this utterance (both processes)


@dataclass
class EvaluationResult:
    lang: str
    error_metric: str  # "cer" or "wer"
    utterances: list[UtteranceResult]
    summary: dict[str, float | None]
    missing: list[str] = field(default_factory=list)  # ids without synthesized audio
    f0_contours: dict[str, dict[str, list[float]]] = field(default_factory=dict)  # id → {"natural", "synth"} Hz
    frame_period_ms: float = metrics.FRAME_PERIOD_MS

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> EvaluationResult:
        data = dict(data)
        data["utterances"] = [UtteranceResult(**u) for u in data["utterances"]]
        return cls(**data)

    def to_json(self) -> str:
        return json.dumps(_finite(self.to_dict()), ensure_ascii=False, indent=1)


def evaluate(
    synth_dir: str | Path | None,
    ref_dir: str | Path,
    metadata: str | Path | Mapping[str, str],
    train_ref_dir: str | Path | Sequence[str | Path] | np.ndarray | None = None,
    lang: str = "ko",
    *,
    synthesize: Synthesize | None = None,
    ids: Sequence[str] | None = None,
    score_natural: bool = True,
    progress: Progress | None = None,
    workers: int = 1,
) -> EvaluationResult:
    """Score synthesized speech against natural recordings matched by id (``<id>.wav`` / ``.flac``).

    ``metadata``: a metadata.csv, a dataset folder, or ``{id: text}``; its text is what is spoken (and is
    passed to ``synthesize``). With ``synthesize``, the harness makes the audio itself (and times it);
    if ``synth_dir`` is also given, the audio is saved there. ``train_ref_dir``: the speaker's training
    recordings (a folder, a list of files, or their ``models.speaker_centroid``) for speaker
    similarity. ``workers``: processes for the
    WORLD analysis (0 runs it here); they are spawned, so a calling script needs the
    ``if __name__ == "__main__":`` guard.
    """
    if synth_dir is None and synthesize is None:
        raise ValueError("give synth_dir, synthesize, or both")
    texts = dict(metadata) if isinstance(metadata, Mapping) else _read_texts(Path(metadata))
    refs = _audio_by_id(Path(ref_dir))
    wanted = [i for i in (ids or sorted(texts)) if i in refs and i in texts]
    if not wanted:
        raise ValueError(f"no ids of the metadata have natural recordings in {ref_dir}")
    synth_files = _audio_by_id(Path(synth_dir)) if synth_dir and synthesize is None else {}
    missing = [i for i in wanted if synthesize is None and i not in synth_files]
    wanted = [i for i in wanted if i not in missing]
    if not wanted:
        raise ValueError(f"no synthesized files in {synth_dir} match the metadata ids")
    if isinstance(train_ref_dir, np.ndarray):
        centroid = train_ref_dir
    else:
        centroid = models.speaker_centroid(_reference_paths(train_ref_dir)) if train_ref_dir else None

    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) if workers else None
    pending: list[tuple[UtteranceResult, Future | tuple]] = []
    try:
        for index, utt_id in enumerate(wanted):
            started = time.process_time()
            natural, natural_rate = load_audio(refs[utt_id])
            synth_seconds = None
            if synthesize is not None:
                tic, cpu = time.perf_counter(), time.process_time()
                synth, rate = synthesize(texts[utt_id])
                synth_seconds = time.perf_counter() - tic
                started += time.process_time() - cpu  # synthesis is not the harness's own cost
                if synth_dir:
                    write_wav(Path(synth_dir) / f"{utt_id}.wav", synth, rate)
            else:
                synth, rate = load_audio(synth_files[utt_id])
            if len(synth) < MIN_SECONDS * rate:
                raise ValueError(f"{utt_id}: the synthesized audio is {len(synth) / rate:.2f} s long; nothing to score")
            job_args = (natural, natural_rate, synth, rate)
            signal = pool.submit(_signal_job, *job_args) if pool else _signal_job(*job_args)
            result = _model_scores(utt_id, texts[utt_id], natural, natural_rate, synth, rate, lang, centroid, score_natural)
            result.synthesis_seconds = synth_seconds
            result.eval_seconds = time.process_time() - started
            pending.append((result, signal))
            if progress:
                progress("evaluate", (index + 1) / len(wanted), {"id": utt_id})
        contours: dict[str, dict[str, list[float]]] = {}
        utterances = []
        for result, signal in pending:
            scores, f0_natural, f0_synth, seconds = signal.result() if isinstance(signal, Future) else signal
            result.mcd_db, result.f0_rmse_cents = scores.mcd_db, scores.f0_rmse_cents
            result.gpe, result.vuv_error = scores.gpe, scores.vuv_error
            result.eval_seconds += seconds
            if len(contours) < CONTOUR_UTTERANCES:
                contours[result.id] = {"natural": f0_natural.tolist(), "synth": f0_synth.tolist()}
            utterances.append(result)
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
    return EvaluationResult(
        lang=lang,
        error_metric="cer" if lang == "ko" else "wer",
        utterances=utterances,
        summary=summarize(utterances),
        missing=missing,
        f0_contours=contours,
    )


def summarize(utterances: Sequence[UtteranceResult]) -> dict[str, float | None]:
    """Means of every metric, ratios synthesized/natural, and speed."""
    def mean(name: str) -> float | None:
        values = [getattr(u, name) for u in utterances if getattr(u, name) is not None]
        values = [v for v in values if not math.isnan(v)]
        return float(np.mean(values)) if values else None

    names = ["mcd_db", "f0_rmse_cents", "gpe", "vuv_error", "secs", "natural_secs", "error", "natural_error",
             "dnsmos", "natural_dnsmos", "eval_seconds"]
    summary = {name: mean(name) for name in names}
    summary["utterances"] = len(utterances)
    summary["error_ratio"] = _ratio(summary["error"], summary["natural_error"])
    summary["secs_ratio"] = _ratio(summary["secs"], summary["natural_secs"])
    # The median, as one odd sentence (a long pause, a truncated take) moves a mean of 25 a lot.
    ratios = [u.active_ratio for u in utterances if u.active_ratio is not None]
    summary["active_ratio"] = float(np.median(ratios)) if ratios else None
    timed = [u for u in utterances if u.synthesis_seconds is not None]
    audio_seconds = sum(u.seconds for u in timed)
    summary["rtf"] = sum(u.synthesis_seconds for u in timed) / audio_seconds if timed and audio_seconds else None
    return summary


def _model_scores(utt_id, text, natural, natural_rate, synth, rate, lang, centroid, score_natural) -> UtteranceResult:
    reference = asr.reference_text(text, lang)
    transcript = asr.transcribe(synth, rate, lang)
    result = UtteranceResult(
        id=utt_id, text=text, seconds=len(synth) / rate, natural_seconds=len(natural) / natural_rate,
        mcd_db=math.nan, f0_rmse_cents=math.nan, gpe=math.nan, vuv_error=math.nan,
        transcript=transcript, error=asr.error_rate(reference, transcript, lang),
        dnsmos=models.dnsmos_p808(synth, rate),
        active_ratio=_ratio(active_seconds(synth, rate), active_seconds(natural, natural_rate)),
    )
    if centroid is not None:
        result.secs = models.cosine(models.speaker_embedding(synth, rate), centroid)
    if score_natural:
        result.natural_transcript = asr.transcribe(natural, natural_rate, lang)
        result.natural_error = asr.error_rate(reference, result.natural_transcript, lang)
        result.natural_dnsmos = models.dnsmos_p808(natural, natural_rate)
        if centroid is not None:
            result.natural_secs = models.cosine(models.speaker_embedding(natural, natural_rate), centroid)
    return result


def active_seconds(samples: np.ndarray, rate: int) -> float | None:
    """Seconds from the first to the last detected speech frame (webrtcvad, 30 ms frames)."""
    from moksori.dataset.vad import FRAME_S, speech_frames

    span = speech_frames(samples, rate).speech_span()
    return (span[1] - span[0]) * FRAME_S if span else None


def _signal_job(natural: np.ndarray, natural_rate: int, synth: np.ndarray, rate: int):
    """Worker: WORLD analysis of both signals and their comparison (synth resampled to the natural rate)."""
    from moksori.audio import resample

    started = time.process_time()
    ref = metrics.analyse(natural, natural_rate)
    syn = metrics.analyse(resample(synth, rate, natural_rate), natural_rate)
    return metrics.compare(ref, syn), ref.f0, syn.f0, time.process_time() - started


def _read_texts(path: Path) -> dict[str, str]:
    """``{id: text}`` from a metadata file or a dataset folder holding ``metadata.csv``."""
    return parse_metadata(path / "metadata.csv" if path.is_dir() else path)[0]


def _audio_by_id(folder: Path) -> dict[str, Path]:
    """``{id: file}`` for audio directly in ``folder`` or in ``folder/wavs``."""
    found: dict[str, Path] = {}
    for sub in (folder, folder / "wavs"):
        if sub.is_dir():
            for path in sorted(sub.iterdir()):
                if path.suffix.lower() in AUDIO_EXTENSIONS:
                    found.setdefault(path.stem, path)
    return found


def _reference_paths(train_ref: str | Path | Sequence[str | Path]) -> list[Path]:
    if isinstance(train_ref, str | Path):
        paths = list(_audio_by_id(Path(train_ref)).values())
        if not paths:
            raise ValueError(f"no WAV or FLAC files in {train_ref}")
        return paths
    return [Path(p) for p in train_ref]


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _finite(value):
    """NaN → None, so the JSON is standard."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
