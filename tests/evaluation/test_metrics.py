"""MCD and F0 metrics: the mel-cepstrum transform, and sanity on signals with known differences."""

from __future__ import annotations

import numpy as np
import pytest

from moksori.audio import load_audio
from moksori.evaluation.metrics import (
    WorldAnalysis,
    _freqt_matrix,
    all_pass_alpha,
    analyse,
    compare,
    mel_cepstrum,
)


def test_all_pass_alpha_matches_the_usual_values() -> None:
    assert all_pass_alpha(22050) == pytest.approx(0.455, abs=0.002)
    assert all_pass_alpha(16000) == pytest.approx(0.42, abs=0.011)
    assert all_pass_alpha(44100) == pytest.approx(0.544, abs=0.002)


def test_freqt_without_warping_is_truncation_and_warping_inverts() -> None:
    assert np.allclose(_freqt_matrix(16, 4, 0.0), np.eye(16)[:, :5])
    rng = np.random.default_rng(0)
    c = rng.standard_normal(8) / np.arange(1, 9)
    warped = c @ _freqt_matrix(8, 300, 0.42)
    back = warped @ _freqt_matrix(301, 7, -0.42)
    assert np.allclose(back, c, atol=1e-6)


def test_flat_spectrum_has_only_c0() -> None:
    mc = mel_cepstrum(np.full((3, 513), 4.0), 24, 0.455)
    assert np.allclose(mc[:, 0], np.log(4.0) / 2)
    assert np.allclose(mc[:, 1:], 0.0, atol=1e-12)


@pytest.fixture(scope="module")
def utterance(synthetic_speaker) -> tuple[np.ndarray, int]:
    return load_audio(synthetic_speaker("ko_f", 1) / "wavs" / "ko_f_0001.wav")


@pytest.mark.slow
def test_mcd_is_zero_for_the_same_signal_and_grows_with_distortion(utterance) -> None:
    samples, rate = utterance
    ref = analyse(samples, rate)
    assert compare(ref, ref).mcd_db == pytest.approx(0.0, abs=1e-9)
    rng = np.random.default_rng(0)
    noise = rng.standard_normal(len(samples)).astype(np.float32) * np.std(samples)
    mild = compare(ref, analyse(samples + 0.03 * noise, rate)).mcd_db
    strong = compare(ref, analyse(samples + 0.3 * noise, rate)).mcd_db
    assert 0.1 < mild < strong


@pytest.mark.slow
def test_f0_rmse_of_a_known_pitch_shift(utterance) -> None:
    """WORLD resynthesis with F0 raised 100 cents, against the same resynthesis unshifted."""
    import pyworld

    samples, rate = utterance
    x = samples.astype(np.float64)
    f0, times = pyworld.harvest(x, rate, frame_period=5.0)
    envelope = pyworld.cheaptrick(x, f0, times, rate)
    aperiodicity = pyworld.d4c(x, f0, times, rate)
    plain = pyworld.synthesize(f0, envelope, aperiodicity, rate, 5.0)
    shifted = pyworld.synthesize(f0 * 2 ** (100 / 1200), envelope, aperiodicity, rate, 5.0)
    scores = compare(analyse(plain, rate), analyse(shifted, rate))
    assert scores.f0_rmse_cents == pytest.approx(100, abs=15)
    assert scores.gpe < 0.15
    assert scores.vuv_error < 0.1


def test_gross_errors_and_voicing_errors_are_counted_apart() -> None:
    """Identical spectra give a diagonal DTW path, so the F0 arithmetic can be checked exactly."""
    mcep = np.random.default_rng(0).standard_normal((20, 25))
    ref_f0 = np.array([100.0] * 10 + [0.0] * 10)
    syn_f0 = np.array([100 * 2 ** (50 / 1200)] * 5 + [300.0] * 5 + [100.0] * 5 + [0.0] * 5)
    scores = compare(WorldAnalysis(ref_f0, mcep), WorldAnalysis(syn_f0, mcep))
    assert scores.frames == 20
    assert scores.f0_rmse_cents == pytest.approx(50.0)
    assert scores.gpe == pytest.approx(0.5)
    assert scores.vuv_error == pytest.approx(0.25)
