"""Decoding audio that users send: browser recordings (WAV, WebM PCM or Opus) and uploaded files.

libsndfile reads WAV/FLAC/OGG directly; anything else goes through ffmpeg. The length is checked
before decoding, so a two-hour file is refused without filling memory.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from moksori.audio import AudioError, load_audio


def probe_seconds(path: Path) -> float:
    try:
        info = sf.info(str(path))
        return info.frames / info.samplerate
    except (sf.LibsndfileError, RuntimeError):
        pass
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration:stream=codec_type", "-of", "json", str(path)],
        capture_output=True, text=True, timeout=30,
    )
    try:
        data = json.loads(result.stdout or "{}")
    except json.JSONDecodeError:
        data = {}
    if not any(s.get("codec_type") == "audio" for s in data.get("streams", [])):
        raise AudioError("This file is not audio that Moksori can read (try WAV, FLAC, OGG, WebM or MP3).",
                         "not_audio")
    try:
        return float(data["format"]["duration"])
    except (KeyError, ValueError) as error:
        raise AudioError("This audio file is damaged: its length cannot be read.", "damaged") from error


def decode(path: Path, max_seconds: float) -> tuple[np.ndarray, int]:
    """Mono float32 samples and their rate; ``AudioError`` with a plain message when unusable."""
    seconds = probe_seconds(path)
    if seconds > max_seconds:
        minutes, secs = divmod(round(seconds), 60)
        raise AudioError(
            f"This recording is {minutes} min {secs} s long; one take can be at most {max_seconds:g} s. "
            "Record or upload one sentence per file.", "too_long", minutes=minutes, seconds=secs, limit=max_seconds
        )
    try:
        samples, rate = load_audio(path)
    except AudioError:
        samples, rate = _decode_with_ffmpeg(path)
    if samples.size == 0:
        raise AudioError("This recording is empty.", "empty")
    if not np.all(np.isfinite(samples)):
        raise AudioError("This audio file is damaged (it contains invalid samples).", "damaged")
    return samples, rate


def _decode_with_ffmpeg(path: Path) -> tuple[np.ndarray, int]:
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "decoded.wav"
        result = subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-vn", "-ac", "1", "-c:a", "pcm_f32le", str(wav)],
            capture_output=True, text=True, timeout=120,
        )
        if result.returncode != 0 or not wav.exists():
            raise AudioError("This audio file is damaged or in a format Moksori cannot read.", "damaged")
        return load_audio(wav)
