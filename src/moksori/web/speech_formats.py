"""Speech as the audio formats other apps ask for: WAV and raw PCM directly, MP3, Opus, AAC and
FLAC through ffmpeg. Everything leaves at 24 kHz mono 16-bit, the rate OpenAI's speech API uses,
so clients that play its raw ``pcm`` at that rate hear the right pitch.

WAV and PCM can also be sent as the engine makes them (``encode_stream``): PCM has no header, and a
streamed WAV's header gives its sizes as unknown (0xFFFFFFFF), as OpenAI's streamed WAV does, since
they are not known before the last sentence is spoken."""

from __future__ import annotations

import io
import struct
import subprocess
from collections.abc import Iterable, Iterator

import numpy as np
import soundfile as sf

from moksori.audio import resample
from moksori.audio.framing import StreamResampler

OUTPUT_RATE = 24000
STREAMED_FORMATS = ("pcm", "wav")
UNKNOWN_SIZE = 0xFFFFFFFF
MEDIA_TYPES = {"wav": "audio/wav", "pcm": "audio/pcm", "mp3": "audio/mpeg", "opus": "audio/ogg",
               "aac": "audio/aac", "flac": "audio/flac"}
FFMPEG_OUTPUT = {
    "mp3": ["-c:a", "libmp3lame", "-b:a", "64k", "-f", "mp3"],
    "opus": ["-c:a", "libopus", "-b:a", "32k", "-f", "ogg"],
    "aac": ["-c:a", "aac", "-b:a", "64k", "-f", "adts"],
    "flac": ["-c:a", "flac", "-f", "flac"],
}


class EncodingError(RuntimeError):
    """ffmpeg could not encode the speech."""


def pcm16(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()


def encode(samples: np.ndarray, rate: int, response_format: str) -> bytes:
    """``samples`` (float32 mono at ``rate``) as a file of ``response_format`` at ``OUTPUT_RATE``."""
    audio = resample(samples.astype(np.float32), rate, OUTPUT_RATE) if rate != OUTPUT_RATE else samples
    if response_format == "pcm":
        return pcm16(audio)
    if response_format == "wav":
        out = io.BytesIO()
        sf.write(out, np.clip(audio, -1.0, 1.0), OUTPUT_RATE, subtype="PCM_16", format="WAV")
        return out.getvalue()
    result = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-f", "s16le", "-ar", str(OUTPUT_RATE), "-ac", "1", "-i", "pipe:0",
         *FFMPEG_OUTPUT[response_format], "pipe:1"],
        input=pcm16(audio), capture_output=True, timeout=120,
    )
    if result.returncode != 0:
        raise EncodingError(result.stderr.decode(errors="replace").strip()[-300:])
    return result.stdout


def streaming_wav_header(rate: int = OUTPUT_RATE) -> bytes:
    """A 16-bit mono WAV header whose RIFF and data sizes say "unknown": the audio follows as it is made."""
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)  # PCM, mono, rate, bytes/s, block, bits
    return (b"RIFF" + struct.pack("<I", UNKNOWN_SIZE) + b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
            + b"data" + struct.pack("<I", UNKNOWN_SIZE))


def encode_stream(chunks: Iterable[np.ndarray], rate: int, response_format: str) -> Iterator[bytes]:
    """The speech of ``chunks`` (float32 mono at ``rate``, as a voice streams them) as ``response_format``
    ("pcm" or "wav") at ``OUTPUT_RATE``, one piece per chunk, resampled as one stream so no click marks
    where chunks meet."""
    if response_format not in STREAMED_FORMATS:
        raise ValueError(f"{response_format} is not sent as a stream")
    if response_format == "wav":
        yield streaming_wav_header()
    resampler = StreamResampler(rate, OUTPUT_RATE)
    for chunk in chunks:
        audio = resampler.push(chunk)
        if audio.size:
            yield pcm16(audio)
    tail = resampler.flush()
    if tail.size:
        yield pcm16(tail)
