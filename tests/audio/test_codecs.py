"""μ-law against an independent reference, and 20 ms framing."""

from __future__ import annotations

import numpy as np
import pytest

from moksori.audio import mulaw_decode, mulaw_encode, resample
from moksori.audio.framing import FrameBuffer, StreamResampler, frame_samples, pcm16_bytes, pcm16_samples


def test_mulaw_matches_audioop() -> None:
    audioop = pytest.importorskip("audioop")  # deprecated in 3.11, gone in 3.13
    pcm = np.arange(-32768, 32768, dtype=np.int16)
    ours = mulaw_encode(pcm.astype(np.float32) / 32768)
    reference = audioop.lin2ulaw(pcm.tobytes(), 2)
    codes_ours, codes_ref = np.frombuffer(ours, np.uint8), np.frombuffer(reference, np.uint8)
    assert np.array_equal(codes_ours[pcm >= 0], codes_ref[pcm >= 0])
    # audioop shifts negative samples before negating (one code off at step edges); ITU G.191 does
    # not. Either way the code is the neighbour, and ours is never further from the input.
    assert np.abs(codes_ours.astype(int) - codes_ref).max() <= 1
    decoded_ours = np.frombuffer(audioop.ulaw2lin(ours, 2), np.int16).astype(int)
    decoded_ref = np.frombuffer(audioop.ulaw2lin(reference, 2), np.int16).astype(int)
    assert (np.abs(decoded_ours - pcm) <= np.abs(decoded_ref - pcm)).all()
    every_code = bytes(range(256))
    expected = np.frombuffer(audioop.ulaw2lin(every_code, 2), np.int16) / 32768.0
    assert np.array_equal(mulaw_decode(every_code), expected.astype(np.float32))


def test_mulaw_round_trip_error_is_within_a_quantisation_step() -> None:
    rng = np.random.default_rng(3)
    samples = rng.uniform(-0.99, 0.99, 8000).astype(np.float32)
    decoded = mulaw_decode(mulaw_encode(samples))
    assert decoded.dtype == np.float32 and decoded.shape == samples.shape
    # Logarithmic steps: about 3 % of the value, plus a small floor near zero.
    assert (np.abs(decoded - samples) <= 0.035 * np.abs(samples) + 16 / 32768).all()


@pytest.mark.parametrize(("rate", "size"), [(8000, 160), (16000, 320), (48000, 960)])
def test_twenty_ms_frames(rate: int, size: int) -> None:
    assert frame_samples(rate) == size


def test_frame_size_must_be_whole_samples() -> None:
    with pytest.raises(ValueError, match="whole number"):
        frame_samples(22050, 1)


def test_frame_buffer_loses_and_repeats_nothing() -> None:
    signal = np.arange(1000, dtype=np.float32) / 1000
    buffer = FrameBuffer(8000)
    frames: list[np.ndarray] = []
    for piece in np.split(signal, [7, 170, 171, 500, 999]):  # pieces of awkward lengths
        frames += buffer.push(piece)
    assert buffer.pending == 1000 - 6 * 160
    tail = buffer.flush()
    assert tail is not None and buffer.flush() is None
    joined = np.concatenate([*frames, tail])
    assert np.array_equal(joined[:1000], signal)
    assert not joined[1000:].any()  # padded with silence


def test_pcm16_round_trip() -> None:
    samples = np.array([-1.0, -0.5, 0.0, 0.25, 0.999], dtype=np.float32)
    assert np.allclose(pcm16_samples(pcm16_bytes(samples)), samples, atol=1 / 32768)
    assert len(pcm16_bytes(samples)) == 2 * len(samples)


@pytest.mark.parametrize(("rate_in", "rate_out"), [(22050, 48000), (48000, 16000), (22050, 16000), (16000, 16000)])
def test_a_stream_resampled_in_pieces_equals_the_whole(rate_in: int, rate_out: int) -> None:
    rng = np.random.default_rng(3)
    t = np.arange(rate_in) / rate_in
    signal = (0.5 * np.sin(2 * np.pi * 440 * t) + 0.05 * rng.standard_normal(t.size)).astype(np.float32)
    resampler = StreamResampler(rate_in, rate_out)
    pieces, start = [], 0
    while start < signal.size:  # pieces of awkward, varying sizes, as synthesis and networks give
        size = int(rng.integers(1, 2000))
        pieces.append(resampler.push(signal[start : start + size]))
        start += size
    pieces.append(resampler.flush())
    streamed = np.concatenate(pieces)
    whole = resample(signal, rate_in, rate_out)
    assert abs(streamed.size - whole.size) <= 1
    n = min(streamed.size, whole.size)
    assert np.max(np.abs(streamed[:n] - whole[:n])) < 1e-4
