"""Checks on recordings: a whole dataset (``check_dataset``) and one studio take (``check_take``)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from moksori.audio import rms_db
from moksori.dataset.source import Problem, audio_files, open_dataset, parse_metadata
from moksori.dataset.vad import FRAME_S, speech_frames
from moksori.progress import Progress

MIN_SECONDS = 0.3
MAX_SECONDS = 30.0
MIN_RATE = 16000
# |x| at or above this counts as clipped: within 0.01 dB of full scale.
CLIP_LEVEL = 0.999
SILENT_DB = -60.0  # whole-file RMS below this is silence, not a quiet voice

# Per-take limits for the recording studio.
QUIET_SPEECH_DB = -40.0
SNR_ERROR_DB = 12.0
SNR_WARNING_DB = 20.0
MIN_EDGE_SILENCE_S = 0.1
# Speaking rate bounds (units per second of speech): Korean Hangul syllables (+ digits),
# English vowel groups. Everyday speech sits near 6 and 4; these flag takes that are far off.
RATE_BOUNDS = {"ko": (2.0, 12.0), "en": (1.3, 8.0)}


@dataclass
class FileInfo:
    """A decodable audio file with a metadata row."""

    id: str
    path: str  # relative to the dataset root, e.g. "wavs/a.flac"
    text: str
    seconds: float
    sample_rate: int
    channels: int
    clipped_samples: int


@dataclass
class DatasetReport:
    """What ``check_dataset`` found: usable files and every problem (errors make a file unusable)."""

    root: str  # the folder or zip that was checked
    files: list[FileInfo] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def usable(self) -> list[FileInfo]:
        bad = {p.item for p in self.problems if p.severity == "error"}
        return [f for f in self.files if f.id not in bad]

    @property
    def ok(self) -> bool:
        """True when at least one utterance can be imported."""
        return bool(self.usable)

    @property
    def usable_minutes(self) -> float:
        return sum(f.seconds for f in self.usable) / 60

    def counts(self) -> Counter[str]:
        return Counter(p.code for p in self.problems)

    def to_dict(self) -> dict:
        return {
            "root": self.root,
            "usable_files": len(self.usable),
            "usable_minutes": round(self.usable_minutes, 3),
            "problem_counts": dict(self.counts()),
            "files": [asdict(f) for f in self.files],
            "problems": [asdict(p) for p in self.problems],
        }


def check_dataset(path: str | Path, progress: Progress | None = None) -> DatasetReport:
    """Validate every row and audio file of a dataset folder or zip.

    Raises ``DatasetError`` only when the dataset cannot be read at all (no metadata, unsafe zip).
    """
    with open_dataset(path) as root:
        report = check_root(root, progress)
    report.root = str(path)
    return report


def check_root(root: Path, progress: Progress | None = None) -> DatasetReport:
    """``check_dataset`` on an already opened (extracted) dataset folder."""
    rows, problems = parse_metadata(root / "metadata.csv")
    audio = audio_files(root)
    report = DatasetReport(root=str(root), problems=problems)
    for utt_id in rows.keys() - audio.keys():
        report.problems.append(Problem(utt_id, "missing_audio", "error", f"no wavs/{utt_id}.wav or .flac"))
    for utt_id in audio.keys() - rows.keys():
        report.problems.append(
            Problem(utt_id, "no_metadata_row", "error", f"{audio[utt_id].name} has no row in metadata.csv")
        )
    matched = sorted(rows.keys() & audio.keys())
    for index, utt_id in enumerate(matched):
        info, file_problems = check_file(audio[utt_id], utt_id, rows[utt_id])
        if info is not None:
            info.path = str(audio[utt_id].relative_to(root))
            report.files.append(info)
        report.problems.extend(file_problems)
        if progress:
            progress("check", (index + 1) / len(matched), {"id": utt_id})
    report.problems.sort(key=lambda p: (p.item, p.code))
    return report


def check_file(path: Path, utt_id: str, text: str) -> tuple[FileInfo | None, list[Problem]]:
    """Decode one file and list its problems; ``FileInfo`` is None when it does not decode."""
    problems: list[Problem] = []

    def problem(code: str, severity: str, message: str) -> None:
        problems.append(Problem(utt_id, code, severity, message))

    try:
        header = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError) as error:
        problem("undecodable", "error", f"{path.name} is not readable audio ({_short(error)})")
        return None, problems
    seconds = header.frames / header.samplerate
    if seconds > MAX_SECONDS:
        # Not decoded: a long file is unusable anyway, and decoding it costs time and memory.
        problem("too_long", "error", f"{seconds:.1f} s long; split recordings longer than {MAX_SECONDS:.0f} s")
        return FileInfo(utt_id, str(path), text, seconds, header.samplerate, header.channels, 0), problems
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as error:
        problem("undecodable", "error", f"{path.name} is damaged ({_short(error)})")
        return None, problems
    info = FileInfo(utt_id, str(path), text, len(data) / rate, rate, data.shape[1], int(np.sum(np.abs(data) >= CLIP_LEVEL)))
    if info.seconds < MIN_SECONDS:
        problem("too_short", "error", f"{info.seconds:.2f} s long; at least {MIN_SECONDS} s is needed")
    if rate < MIN_RATE:
        problem("low_sample_rate", "error", f"recorded at {rate} Hz; at least {MIN_RATE} Hz is needed")
    if info.channels > 1:
        problem("stereo", "note", f"{info.channels} channels; mixed down to mono")
    mono = data.mean(axis=1)
    if data.size and rms_db(mono) < SILENT_DB:
        problem("silent", "error", f"silent (level {rms_db(mono):.0f} dBFS)")
    if info.clipped_samples:
        problem("clipped", "warning", f"clipping: {info.clipped_samples} sample(s) at full scale")
    return info, problems


def check_take(samples: np.ndarray, rate: int, text: str, lang: str = "ko") -> list[Problem]:
    """Problems with one studio take of ``text``: clipping, level, noise, edge silence, speaking rate.

    Problems with severity "error" mean the take should be recorded again.
    """
    samples = np.asarray(samples, dtype=np.float32)
    problems: list[Problem] = []

    def problem(code: str, severity: str, message: str) -> None:
        problems.append(Problem("", code, severity, message))

    seconds = len(samples) / rate
    if seconds < MIN_SECONDS:
        problem("too_short", "error", "The recording is too short. Press record, then read the whole sentence.")
        return problems
    clipped = int(np.sum(np.abs(samples) >= CLIP_LEVEL))
    if clipped:
        severity = "error" if clipped >= 10 else "warning"
        problem("clipped", severity, "Too loud: the sound distorted. Move a little away from the microphone.")
    frames = speech_frames(samples, rate)
    span = frames.speech_span()
    if span is None:
        problem("no_speech", "error", "No speech was heard, or it was far too quiet. Check the microphone and read the sentence aloud.")
        return problems
    speech_db = frames.speech_level_db()
    if speech_db < QUIET_SPEECH_DB:
        problem("too_quiet", "error", "Too quiet. Move closer to the microphone or speak up.")
    noise_db = frames.noise_level_db()
    if noise_db is not None:
        snr = speech_db - noise_db
        if snr < SNR_WARNING_DB:
            severity = "error" if snr < SNR_ERROR_DB else "warning"
            problem("noisy", severity, f"Background noise is loud (speech only {snr:.0f} dB above it). Find a quieter spot.")
    start_s, end_s = span[0] * FRAME_S, span[1] * FRAME_S
    if start_s < MIN_EDGE_SILENCE_S:
        problem("no_leading_silence", "warning", "Speech starts right away: wait a moment after pressing record.")
    if seconds - end_s < MIN_EDGE_SILENCE_S:
        problem("no_trailing_silence", "warning", "Speech runs to the very end: wait a moment before stopping.")
    units = speech_units(text, lang)
    low, high = RATE_BOUNDS[lang]
    speech_s = max(end_s - start_s, FRAME_S)
    if units and units / speech_s > high:
        problem("too_fast", "warning", "Much faster than usual for this sentence. Was part of it skipped?")
    elif units and units / speech_s < low:
        problem("too_slow", "warning", "Much slower than usual for this sentence. Were there long pauses or extra words?")
    return problems


def speech_units(text: str, lang: str) -> int:
    """Rough spoken length of ``text``: Hangul syllables plus digits (ko) or vowel groups (en)."""
    if lang == "ko":
        return len(re.findall(r"[\uac00-\ud7a30-9]", text))
    return len(re.findall(r"[aeiouy]+", text.lower()))


def _short(error: Exception) -> str:
    message = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
    return message if len(message) < 120 else message[:117] + "..."

