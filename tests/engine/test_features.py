"""WORLD features: analysis, the fast synthesiser against WORLD's own, and round trips."""

from __future__ import annotations

import numpy as np
import pytest
import pyworld

from moksori.audio import load_audio
from moksori.engine import features
from moksori.engine.features import Features, analyze, synthesize, synthesize_world

RATE = 22050


def voiced_signal(seconds: float = 1.5, f0: float = 140.0, rate: int = RATE) -> np.ndarray:
    """A vowel-like harmonic signal with a gentle vibrato and a silent gap in the middle."""
    t = np.arange(int(seconds * rate)) / rate
    pitch = f0 * (1 + 0.03 * np.sin(2 * np.pi * 3 * t))
    phase = 2 * np.pi * np.cumsum(pitch) / rate
    x = sum(np.sin(k * phase) / k for k in range(1, 40)) * 0.1
    x[(t > 0.6) & (t < 0.8)] = 0.0
    return x.astype(np.float32)


def pitch_ratio(output: np.ndarray, reference: np.ndarray, rate: int) -> float:
    """Median frame-by-frame F0 ratio over frames voiced in both (Harvest)."""
    f0s = [
        pyworld.harvest(y.astype(np.float64), rate, frame_period=features.FRAME_PERIOD_MS)[0]
        for y in (output, reference)
    ]
    n = min(len(f0s[0]), len(f0s[1]))
    a, b = f0s[0][:n], f0s[1][:n]
    both = (a > 0) & (b > 0)
    assert both.mean() > 0.3, "too few frames voiced in both"
    return float(np.median(a[both] / b[both]))


def test_analyze_shapes_and_values() -> None:
    x = voiced_signal()
    feats = analyze(x, RATE)
    frames = feats.frames
    assert abs(frames - len(x) / features.hop_length(RATE)) <= 2
    assert feats.mcep.shape == (frames, features.MCEP_DIM)
    assert feats.bap.shape == (frames, features.bap_dim(RATE))
    assert feats.vuv.shape == feats.energy.shape == (frames,)
    assert set(np.unique(feats.vuv)) <= {0.0, 1.0}
    assert np.isfinite(feats.lf0).all()  # continuous through the silent gap
    gap = slice(int(0.65 / 0.005), int(0.75 / 0.005))
    assert feats.vuv[gap].max() == 0 and feats.vuv[: gap.start].mean() > 0.9
    assert np.exp(np.median(feats.lf0[feats.vuv > 0])) == pytest.approx(140.0, rel=0.03)
    assert feats.energy[gap].max() < feats.energy[: gap.start].mean() - 5  # silence is far quieter
    louder = analyze(2 * x, RATE)
    assert np.median(louder.energy[: gap.start] - feats.energy[: gap.start]) == pytest.approx(
        np.log(2), abs=0.02
    )


def test_dio_analysis_and_unknown_method() -> None:
    x = voiced_signal()
    dio = analyze(x, RATE, f0_method="dio")
    assert dio.frames == analyze(x, RATE).frames
    assert np.exp(np.median(dio.lf0[dio.vuv > 0])) == pytest.approx(140.0, rel=0.03)
    with pytest.raises(ValueError, match="unknown F0 method"):
        analyze(x, RATE, f0_method="crepe")


def test_continuous_lf0() -> None:
    lf0, vuv = features.continuous_lf0(np.array([0.0, 100.0, 0.0, 0.0, 400.0, 0.0]))
    assert vuv.tolist() == [0, 1, 0, 0, 1, 0]
    assert np.exp(lf0).tolist() == pytest.approx([100, 100, 158.74, 251.98, 400, 400], rel=1e-3)
    lf0, vuv = features.continuous_lf0(np.zeros(4))
    assert vuv.sum() == 0 and np.allclose(lf0, features.UNVOICED_LF0)


def test_analyze_refuses_stereo() -> None:
    with pytest.raises(ValueError, match="mono"):
        analyze(np.zeros((100, 2), dtype=np.float32), RATE)


@pytest.mark.parametrize("synth", [synthesize, synthesize_world])
def test_round_trip_keeps_pitch_duration_and_level(synth) -> None:
    x = voiced_signal(f0=180.0)
    y = synth(analyze(x, RATE))
    assert abs(len(y) - len(x)) <= features.hop_length(RATE)
    assert y.dtype == np.float32 and np.isfinite(y).all()
    assert pitch_ratio(y, x, RATE) == pytest.approx(1.0, abs=0.01)
    level = 20 * np.log10(np.std(y) / np.std(x))
    assert abs(level) < 1.5


def envelope_distance(a: Features, b: Features) -> float:
    """Mean distance in dB between coded envelopes (c1..c24) over frames voiced in both."""
    voiced = (a.vuv > 0) & (b.vuv > 0)
    diff = a.mcep[voiced, 1:25] - b.mcep[voiced, 1:25]
    return float(np.mean(10 / np.log(10) * np.sqrt(2 * np.sum(diff**2, 1))))


@pytest.mark.parametrize("f0", [120.0, 250.0])
def test_fast_synthesis_as_faithful_as_world(f0: float) -> None:
    original = analyze(voiced_signal(f0=f0), RATE)
    ours, world = synthesize(original), synthesize_world(original)
    assert len(ours) == len(world)
    # Re-analysed, our output is at least as close to the original's envelope as WORLD's own.
    assert (
        envelope_distance(original, analyze(ours, RATE))
        <= envelope_distance(original, analyze(world, RATE)) + 1.0
    )
    assert abs(20 * np.log10(np.std(ours) / np.std(world))) < 1.0


def test_unvoiced_features_give_noise_not_pulses() -> None:
    feats = analyze(voiced_signal(), RATE)
    feats.vuv[:] = 0
    y = synthesize(feats)
    # Without pulses nothing is periodic: the autocorrelation at the pitch period is gone.
    period = round(RATE / 140)
    segment = y[2000:10000]
    correlation = np.dot(segment[:-period], segment[period:]) / np.dot(segment, segment)
    assert abs(correlation) < 0.3
    assert np.std(y) > 0.01


def test_stream_pieces_equal_whole() -> None:
    feats = analyze(voiced_signal(), RATE)
    whole = synthesize(feats)
    cuts = [1, 2, 50, 51, 120, feats.frames - 1, feats.frames + 5]
    pieces = list(features.synthesize_stream(feats, cuts))
    assert len(pieces) == 7  # the cut past the end is ignored
    assert [len(p) for p in pieces[:2]] == [features.hop_length(RATE)] * 2  # 5 ms at 22050 Hz: 110 samples
    assert np.allclose(np.concatenate(pieces), whole, atol=1e-6)


def test_synthesis_is_deterministic() -> None:
    feats = analyze(voiced_signal(seconds=0.5), RATE)
    assert np.array_equal(synthesize(feats), synthesize(feats))


def test_empty_features_give_empty_audio() -> None:
    empty = analyze(np.zeros(RATE // 10, dtype=np.float32), RATE)
    nothing = Features(**{k: v[:0] if k != "sample_rate" else v for k, v in vars(empty).items()})
    assert synthesize(nothing).shape == (0,)


def test_silence_round_trip_is_quiet() -> None:
    y = synthesize(analyze(np.zeros(RATE // 2, dtype=np.float32), RATE))
    assert np.max(np.abs(y)) < 1e-3


def test_espeak_fixture_round_trip(synthetic_speaker) -> None:
    folder = synthetic_speaker("ko_f", 2)
    wav = sorted((folder / "wavs").glob("*.wav"))[0]
    x, rate = load_audio(wav, RATE)
    feats = analyze(x, rate)
    assert isinstance(feats, Features) and feats.vuv.mean() > 0.2
    y = synthesize(feats)
    assert abs(len(y) - len(x)) <= features.hop_length(rate)
    assert pitch_ratio(y, x, rate) == pytest.approx(1.0, abs=0.01)
