"""Speaking: Voice.load / synthesize / stream and the `moksori say` command, on a small random model.

The model is untrained (training is tested with the trainer); its statistics are set from a real
analysis so the features it emits are speech-like and every code path runs on realistic values
(``tests.engine.voices``).
"""

from __future__ import annotations

import io
import math
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from threadpoolctl import threadpool_limits
from typer.testing import CliRunner

from moksori.audio import mulaw_decode
from moksori.cli import app
from moksori.engine import features, voicefile
from moksori.engine.voice import Voice
from moksori.engine.voicefile import VoiceFileError
from tests.engine.voices import FRAMES_PER_PHONE, RATE

TEXT = "안녕하세요, 만나서 반갑습니다. 오늘 날씨가 정말 좋네요! 물 한 잔 주시겠어요?"


@pytest.fixture(scope="module")
def voice(voice_path: Path) -> Voice:
    return Voice.load(voice_path)


def test_load(voice: Voice) -> None:
    assert voice.sample_rate == RATE
    assert voice.card["name"] == "Random" and voice.language == "ko"


def test_synthesize(voice: Voice) -> None:
    audio = voice.synthesize(TEXT)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert np.isfinite(audio).all() and np.abs(audio).max() <= 1.0 and audio.std() > 1e-3
    phones = sum(len(ids) for ids in voice.phone_ids(TEXT))
    expected = phones * FRAMES_PER_PHONE * features.FRAME_PERIOD_MS / 1000 + 2 * 0.25
    assert len(audio) / RATE == pytest.approx(expected, rel=0.15)


def test_stream_chunks_make_up_synthesize(voice: Voice) -> None:
    chunks = list(voice.stream(TEXT))
    assert len(chunks) >= 4  # three sentences, the first cut at its comma
    assert all(chunk.dtype == np.float32 and len(chunk) > 0 for chunk in chunks)
    whole = voice.synthesize(TEXT)
    assert np.array_equal(np.concatenate(chunks), whole)


def test_chunks_join_seamlessly(voice: Voice) -> None:
    # A long sentence: cut at its comma and at word boundaries, yet equal to vocoding it whole.
    text = "오늘은 날씨가 좋아서, 친구들과 함께 공원에 가서 산책을 하고 밥을 먹었죠."
    chunks = list(voice.stream(text))
    assert len(chunks) >= 3
    assert len(chunks[0]) / RATE < 1.0  # playback can start after a short first chunk
    # BLAS on one thread, as when speaking: other thread counts sum in another order, and the 1e-6 that
    # makes in the features moves pulses by a fraction of a sample.
    with threadpool_limits(1, user_api="blas"):
        feats, _ = voice.model.generate(voice.phone_ids(text)[0])
        whole = features.synthesize(feats)
    assert np.allclose(np.concatenate(chunks), whole, atol=1e-5)


def test_rate_volume_pause(voice: Voice) -> None:
    normal = voice.synthesize(TEXT, pause_ms=0)
    assert len(voice.synthesize(TEXT, rate=2.0, pause_ms=0)) < 0.6 * len(normal)
    quiet = voice.synthesize(TEXT, volume=0.5, pause_ms=0)
    assert np.allclose(quiet, 0.5 * normal, atol=1e-6)
    paused = voice.synthesize(TEXT, pause_ms=500)
    assert len(paused) - len(normal) == 2 * int(RATE * 0.5)  # two gaps between three sentences
    with pytest.raises(ValueError):
        voice.synthesize(TEXT, rate=0)


def test_pitch_shift_raises_f0(voice: Voice) -> None:
    ids = voice.phone_ids("안녕하세요.")[0]
    base, _ = voice.model.generate(ids)
    up, _ = voice.model.generate(ids, pitch_shift=12.0)
    assert np.allclose(up.lf0 - base.lf0, math.log(2), atol=1e-4)
    low, high = voice.synthesize("안녕하세요."), voice.synthesize("안녕하세요.", pitch=12.0)
    f0 = [features.analyze(x, RATE) for x in (low, high)]
    ratio = np.median(np.exp(f0[1].lf0[f0[1].vuv > 0])) / np.median(np.exp(f0[0].lf0[f0[0].vuv > 0]))
    assert ratio == pytest.approx(2.0, rel=0.05)


def test_nothing_to_say(voice: Voice) -> None:
    assert voice.synthesize("").size == 0
    assert voice.synthesize("   ...  ").size == 0
    assert list(voice.stream("")) == []


def test_weights_not_matching_config_refused(voice_path: Path, tmp_path: Path) -> None:
    contents = voicefile.load(voice_path)
    contents.config["model"]["channels"] = 48
    bad = voicefile.save(tmp_path / "bad.voice", contents.config, contents.state_dict, contents.phone_set, {})
    with pytest.raises(VoiceFileError, match="weights do not match the model config"):
        Voice.load(bad)


def test_other_feature_settings_refused(voice_path: Path, tmp_path: Path) -> None:
    contents = voicefile.load(voice_path)
    contents.config["features"]["frame_period_ms"] = 10.0
    other = voicefile.save(tmp_path / "o.voice", contents.config, contents.state_dict, contents.phone_set, {})
    with pytest.raises(VoiceFileError, match="other WORLD settings"):
        Voice.load(other)


# --- moksori say -------------------------------------------------------------------------------

runner = CliRunner()


def test_say_writes_wav(voice_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.wav"
    result = runner.invoke(
        app, ["say", "--voice", str(voice_path), TEXT, "-o", str(out), "--sample-rate", "16000"]
    )
    assert result.exit_code == 0, result.output
    audio, rate = sf.read(out, dtype="float32")
    assert rate == 16000 and audio.ndim == 1
    assert len(audio) == pytest.approx(len(Voice.load(voice_path).synthesize(TEXT)) * 16000 / RATE, abs=2)


def test_say_pipes_stdin_to_stdout(voice_path: Path) -> None:
    result = runner.invoke(
        app, ["say", "--voice", str(voice_path), "--pause", "0"], input="오늘 날씨가 좋네요.\n"
    )
    assert result.exit_code == 0, result.stderr
    audio, rate = sf.read(io.BytesIO(result.stdout_bytes), dtype="float32")
    assert rate == RATE and len(audio) > RATE // 2


def test_say_mulaw_is_8khz(voice_path: Path, tmp_path: Path) -> None:
    wav, ulaw = tmp_path / "8k.wav", tmp_path / "out.ul"
    common = ["say", "--voice", str(voice_path), TEXT]
    assert runner.invoke(app, [*common, "-o", str(wav), "--sample-rate", "8000"]).exit_code == 0
    assert runner.invoke(app, [*common, "-o", str(ulaw), "--format", "mulaw"]).exit_code == 0
    pcm, rate = sf.read(wav, dtype="float32")
    assert rate == 8000
    assert len(ulaw.read_bytes()) == len(pcm)  # one byte per 8 kHz sample
    # The same audio as the 8 kHz WAV, within μ-law's quantisation (steps of about 3 %).
    samples = pcm.astype(np.float64) * 32768
    assert (np.abs(mulaw_decode(ulaw.read_bytes()) * 32768.0 - samples) <= 0.035 * np.abs(samples) + 16).all()
    streamed = runner.invoke(app, [*common, "--format", "mulaw"])
    assert streamed.exit_code == 0
    assert abs(len(streamed.stdout_bytes) - len(pcm)) <= 8  # phrase by phrase: a sample of rounding per chunk


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["   "], "no text"),
        (["안녕", "--rate", "0"], "must be positive"),
        (["안녕", "--format", "mulaw", "--sample-rate", "16000"], "8000 Hz"),
    ],
)
def test_say_refuses_bad_options(voice_path: Path, arguments: list[str], message: str) -> None:
    result = runner.invoke(app, ["say", "--voice", str(voice_path), *arguments])
    assert result.exit_code == 2 and message in result.stderr


def test_say_refuses_a_broken_voice(tmp_path: Path) -> None:
    broken = tmp_path / "broken.voice"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("readme.txt", "hello")
    out = tmp_path / "keep.wav"
    out.write_bytes(b"previous")
    result = runner.invoke(app, ["say", "--voice", str(broken), "안녕", "-o", str(out)])
    assert result.exit_code == 2 and "not a Moksori voice" in result.stderr
    assert out.read_bytes() == b"previous"  # nothing already saved is lost


def test_engine_exports_are_lazy() -> None:
    code = (
        "import sys, types, moksori.engine\n"
        "assert 'torch' not in sys.modules, 'importing moksori.engine must stay light'\n"
        "from moksori.engine import Voice, TrainConfig, train\n"
        "assert Voice.__name__ == 'Voice' and TrainConfig.__name__ == 'TrainConfig'\n"
        "assert callable(train) and not isinstance(train, types.ModuleType)\n"
    )
    result = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
