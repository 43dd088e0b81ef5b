"""Turn recordings into training audio: engine sample rate, silence trimmed, loudness normalised."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path

import numpy as np

from moksori.audio import ENGINE_SAMPLE_RATE, AudioError, load_audio, resample, write_wav
from moksori.dataset.check import DatasetReport, Progress, check_root
from moksori.dataset.source import DatasetError, Problem, open_dataset
from moksori.dataset.vad import frame_to_sample, speech_frames

TARGET_SPEECH_DB = -23.0  # active-speech RMS after normalisation
MARGIN_S = 0.1  # silence kept before and after speech
PEAK_LIMIT = 10 ** (-1 / 20)  # -1 dBFS

REPORT_NAME = "import_report.json"


def prepare_take(samples: np.ndarray, rate: int) -> np.ndarray:
    """One recording made ready for training: resampled to ``ENGINE_SAMPLE_RATE``, leading/trailing
    silence trimmed to ``MARGIN_S``, active speech at ``TARGET_SPEECH_DB`` with peaks kept under -1 dBFS.

    Raises ``AudioError`` when no speech is found.
    """
    audio = resample(np.asarray(samples, dtype=np.float32), rate, ENGINE_SAMPLE_RATE)
    frames = speech_frames(audio, ENGINE_SAMPLE_RATE)
    span = frames.speech_span()
    if span is None:
        raise AudioError("no speech found in the recording")
    margin = int(MARGIN_S * ENGINE_SAMPLE_RATE)
    start = max(frame_to_sample(span[0], ENGINE_SAMPLE_RATE) - margin, 0)
    end = min(frame_to_sample(span[1], ENGINE_SAMPLE_RATE) + margin, len(audio))
    trimmed = audio[start:end]
    # The level is measured on speech frames only, so long pauses do not make a voice louder.
    gain = 10 ** ((TARGET_SPEECH_DB - frames.speech_level_db()) / 20)
    peak = float(np.max(np.abs(trimmed)))
    gain = min(gain, PEAK_LIMIT / peak) if peak > 0 else gain
    return (trimmed * gain).astype(np.float32)


def import_dataset(src: str | Path, dest: str | Path, progress: Progress | None = None) -> Path:
    """Check ``src`` (folder or zip) and write its usable utterances, prepared, to ``dest``.

    ``dest`` gets ``metadata.csv`` (``id|text``), ``wavs/<id>.wav`` and ``import_report.json`` (the check
    report plus files skipped during preparation). It is built in a temporary sibling folder and moved
    into place at the end, so a failed import leaves nothing half-written; an existing non-empty ``dest``
    is refused. Returns ``dest``.
    """
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise DatasetError(f"{dest} already exists and is not empty; choose a new folder")
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open_dataset(src) as root:
        report = check_root(root, progress)
        if not report.ok:
            raise DatasetError(f"no usable recordings in {Path(src).name}: " + _summary(report))
        work = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
        try:
            report.root = str(src)
            _prepare_all(report, root, work, progress)
            if dest.exists():
                dest.rmdir()
            os.replace(work, dest)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    return dest


def _prepare_all(report: DatasetReport, root: Path, out: Path, progress: Progress | None) -> None:
    rows = []
    prepared_seconds = 0.0
    usable = report.usable
    for index, info in enumerate(usable):
        try:
            samples, rate = load_audio(root / info.path)
            prepared = prepare_take(samples, rate)
            write_wav(out / "wavs" / f"{info.id}.wav", prepared, ENGINE_SAMPLE_RATE)
            rows.append(f"{info.id}|{info.text}")
            prepared_seconds += len(prepared) / ENGINE_SAMPLE_RATE
        except AudioError as error:
            report.problems.append(Problem(info.id, "not_prepared", "error", str(error)))
        if progress:
            progress("import", (index + 1) / len(usable), {"id": info.id})
    if not rows:
        raise DatasetError("no recording could be prepared: " + _summary(report))
    (out / "metadata.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    summary = report.to_dict() | {
        "imported": len(rows),
        "prepared_minutes": round(prepared_seconds / 60, 3),
        "sample_rate": ENGINE_SAMPLE_RATE,
    }
    summary["problems"] = [asdict(p) for p in report.problems]
    (out / REPORT_NAME).write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")


def _summary(report: DatasetReport) -> str:
    return ", ".join(f"{count} {code}" for code, count in report.counts().most_common()) or "no audio files"
