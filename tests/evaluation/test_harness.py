"""The evaluation harness end to end, and the learned scorers, on espeak-ng fixtures (slow: loads the models)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from moksori.audio import load_audio
from moksori.cli import app
from moksori.evaluation import EvaluationResult, evaluate, write_report
from moksori.evaluation.models import cosine, dnsmos_p808, speaker_centroid, speaker_embedding

pytestmark = pytest.mark.slow


def test_speaker_similarity_ranks_the_same_espeak_speaker_first(synthetic_speaker) -> None:
    own = sorted((synthetic_speaker("ko_f", 8) / "wavs").glob("*.wav"))
    centroid = speaker_centroid(own[:6])
    same = cosine(speaker_embedding(*load_audio(own[7])), centroid)
    for other in ("ko_m", "ko_m2"):
        path = synthetic_speaker(other, 8) / "wavs" / f"{other}_0008.wav"
        assert same > cosine(speaker_embedding(*load_audio(path)), centroid) + 0.02


def test_dnsmos_prefers_clean_speech(synthetic_speaker) -> None:
    samples, rate = load_audio(synthetic_speaker("ko_f", 1) / "wavs" / "ko_f_0001.wav")
    noisy = samples + np.random.default_rng(0).standard_normal(len(samples)).astype(np.float32) * 0.1
    assert dnsmos_p808(samples, rate) > dnsmos_p808(np.clip(noisy, -1, 1), rate) + 0.3


def test_eval_command_on_natural_speech_against_itself(synthetic_speaker, tmp_path: Path) -> None:
    """Synthesized = natural: spectral distances vanish and the synthesized column equals the natural one."""
    data = synthetic_speaker("ko_f", 2)
    meta = tmp_path / "one.csv"  # one utterance keeps this test lean
    meta.write_text((data / "metadata.csv").read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    out = tmp_path / "report"
    args = ["eval", "--synth", str(data / "wavs"), "--ref", str(data / "wavs"), "--meta", str(meta),
            "--train-ref", str(data / "wavs"), "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    saved = EvaluationResult.from_dict(json.loads((out / "result.json").read_text(encoding="utf-8")))
    assert len(saved.utterances) == 1
    for u in saved.utterances:
        assert u.mcd_db == pytest.approx(0.0, abs=1e-6) and u.f0_rmse_cents == pytest.approx(0.0, abs=1e-6)
        assert u.error == u.natural_error and u.dnsmos == u.natural_dnsmos and u.secs == u.natural_secs
        assert u.eval_seconds > 0
    assert saved.summary["error_ratio"] in (None, pytest.approx(1.0))
    assert {p.name for p in out.iterdir()} >= {"result.json", "report.md", "metrics.png", "f0.png"}
    assert "MCD (dB)" in (out / "report.md").read_text(encoding="utf-8")


def test_evaluate_drives_synthesis_and_times_it(synthetic_speaker, tmp_path: Path) -> None:
    """Another espeak voice reading the same sentences: worse on every signal metric, and timed."""
    natural = synthetic_speaker("ko_f", 2)
    other = synthetic_speaker("ko_m", 2)
    by_text = {text: other / "wavs" / f"ko_m_{i + 1:04d}.wav" for i, text in enumerate(
        line.split("|")[1] for line in (other / "metadata.csv").read_text(encoding="utf-8").splitlines())}

    def synthesize(text: str) -> tuple[np.ndarray, int]:
        return load_audio(by_text[text])

    result = evaluate(tmp_path / "synth", natural / "wavs", natural, None, "ko", synthesize=synthesize,
                      score_natural=False, workers=0)
    assert sorted(p.name for p in (tmp_path / "synth").iterdir()) == ["ko_f_0001.wav", "ko_f_0002.wav"]
    for u in result.utterances:
        assert u.mcd_db > 2.0 and u.f0_rmse_cents > 50 and u.synthesis_seconds is not None
        assert u.natural_error is None and u.secs is None
    assert result.summary["rtf"] > 0
    page = write_report(result, tmp_path / "report")
    assert "No synthesized" not in page.read_text(encoding="utf-8")


def test_evaluate_reports_missing_synthesized_files(synthetic_speaker, tmp_path: Path) -> None:
    natural = synthetic_speaker("ko_f", 2)
    with pytest.raises(ValueError, match="no synthesized files"):
        evaluate(tmp_path, natural / "wavs", natural / "metadata.csv", workers=0)


def test_empty_synthesized_audio_is_a_clear_error(synthetic_speaker) -> None:
    natural = synthetic_speaker("ko_f", 2)
    with pytest.raises(ValueError, match="ko_f_0001: the synthesized audio is 0.00 s long"):
        evaluate(None, natural / "wavs", natural, synthesize=lambda text: (np.zeros(0, np.float32), 22050), workers=0)
