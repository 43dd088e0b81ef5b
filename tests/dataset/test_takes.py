"""Per-take checks for the recording studio, and prepare_take."""

from __future__ import annotations

import numpy as np
import pytest

from moksori.audio import ENGINE_SAMPLE_RATE, AudioError, load_audio, resample
from moksori.dataset import check_take, prepare_take
from moksori.dataset.synthetic import EN_SENTENCES, KO_SENTENCES

TEXT = KO_SENTENCES[0]


@pytest.fixture(scope="module")
def speech(synthetic_speaker) -> tuple[np.ndarray, int]:
    """An espeak sentence at a normal speaking level (it starts right at sample 0)."""
    samples, rate = load_audio(next((synthetic_speaker("ko_f", 1) / "wavs").glob("*.wav")))
    return samples * (0.3 / np.max(np.abs(samples))), rate


def _take(speech: tuple[np.ndarray, int], gain: float = 1.0, noise_db: float = -70.0, pad_s: float = 0.5) -> np.ndarray:
    samples, rate = speech
    pad = np.zeros(int(pad_s * rate), dtype=np.float32)
    take = np.concatenate([pad, samples * gain, pad])
    rng = np.random.default_rng(1)
    return (take + rng.standard_normal(len(take)) * 10 ** (noise_db / 20)).astype(np.float32)


def _codes(problems) -> set[str]:
    return {p.code for p in problems}


def test_clean_take_has_no_problems(speech) -> None:
    assert check_take(_take(speech), speech[1], TEXT) == []


def test_clipped_take(speech) -> None:
    problems = check_take(np.clip(_take(speech, gain=6.0), -1, 1), speech[1], TEXT)
    clipped = [p for p in problems if p.code == "clipped"]
    assert clipped and clipped[0].severity == "error" and "Too loud" in clipped[0].message


def test_too_quiet_take(speech) -> None:
    assert "too_quiet" in _codes(check_take(_take(speech, gain=0.01, noise_db=-100), speech[1], TEXT))


def test_noisy_take(speech) -> None:
    problems = check_take(_take(speech, noise_db=-25), speech[1], TEXT)
    noisy = [p for p in problems if p.code == "noisy"]
    assert noisy and noisy[0].severity == "error"
    assert "noisy" not in _codes(check_take(_take(speech, noise_db=-60), speech[1], TEXT))


def test_take_without_leading_or_trailing_silence(speech) -> None:
    samples, rate = speech
    audible = np.flatnonzero(np.abs(samples) > 0.01)
    codes = _codes(check_take(samples[audible[0] : audible[-1]], rate, TEXT))
    assert {"no_leading_silence", "no_trailing_silence"} <= codes
    assert "no_leading_silence" not in _codes(check_take(_take(speech), rate, TEXT))


def test_speaking_rate_far_off_for_the_text(speech) -> None:
    rate = speech[1]
    assert "too_fast" in _codes(check_take(_take(speech), rate, " ".join(KO_SENTENCES[:6])))
    assert "too_slow" in _codes(check_take(_take(speech), rate, "네"))
    assert "too_fast" in _codes(check_take(_take(speech), rate, " ".join(EN_SENTENCES[:6]), lang="en"))
    assert not _codes(check_take(_take(speech), rate, EN_SENTENCES[5], lang="en"))


def test_silence_is_no_speech(speech) -> None:
    problems = check_take(np.zeros(speech[1] * 2, dtype=np.float32), speech[1], TEXT)
    assert _codes(problems) == {"no_speech"}


def test_prepare_take_trims_resamples_and_normalises(speech) -> None:
    samples, rate = speech
    take = _take(speech, pad_s=2.0, noise_db=-65)
    prepared = prepare_take(take, rate)
    seconds = len(prepared) / ENGINE_SAMPLE_RATE
    audible = np.flatnonzero(np.abs(samples) > 0.01 * np.max(np.abs(samples)))
    speech_s = (audible[-1] - audible[0]) / rate
    assert speech_s - 0.05 < seconds < speech_s + 0.35
    assert np.max(np.abs(prepared)) <= 10 ** (-1 / 20) + 1e-6
    from_48k = prepare_take(resample(take, rate, 48000), 48000)  # comes back at the engine rate
    assert abs(len(from_48k) - len(prepared)) < 0.05 * ENGINE_SAMPLE_RATE


def test_prepare_take_without_speech_is_a_clear_error(speech) -> None:
    with pytest.raises(AudioError, match="no speech"):
        prepare_take(np.zeros(speech[1], dtype=np.float32), speech[1])
