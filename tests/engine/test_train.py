"""Quick checks of the training pieces: alignment search, forward-sum loss, length regulation, batching,
the acoustic model's statistics, and the data split."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from moksori.engine import data
from moksori.engine.acoustic import AcousticConfig, AcousticModel, regulate_length
from moksori.engine.aligner import (
    _monotonic_path,
    durations_to_attention,
    forward_sum_loss,
    hard_durations,
    log_beta_binomial_prior,
)
from moksori.engine.features import MCEP_DIM


def path_log_probs(durations: list[int], sharp: float = 5.0) -> np.ndarray:
    """log p [T, N] that favours the path with ``durations`` (noisy elsewhere)."""
    rng = np.random.default_rng(0)
    t = sum(durations)
    scores = rng.normal(0, 1, (t, len(durations)))
    start = 0
    for phone, length in enumerate(durations):
        scores[start : start + length, phone] += sharp
        start += length
    return scores - np.log(np.exp(scores).sum(1, keepdims=True))


def test_monotonic_alignment_search_recovers_the_path():
    truth = [3, 1, 5, 2, 4, 1]
    assert _monotonic_path(path_log_probs(truth)).tolist() == truth


def test_monotonic_alignment_search_gives_every_phone_a_frame_even_against_the_scores():
    # Every frame prefers phone 0; the path must still visit all phones in order, one frame each at least.
    log_p = np.log(np.tile([[0.97, 0.01, 0.01, 0.01]], (10, 1)))
    durations = _monotonic_path(log_p)
    assert durations.sum() == 10 and durations.min() >= 1 and durations[0] == 7


def test_hard_durations_respect_padding():
    truth_a, truth_b = [2, 3, 1], [4, 2]
    log_attn = torch.full((2, 6, 3), -1e4)
    log_attn[0] = torch.from_numpy(path_log_probs(truth_a)).float()
    log_attn[1, :6, :2] = torch.from_numpy(path_log_probs(truth_b)).float()
    durations = hard_durations(log_attn, torch.tensor([3, 2]), torch.tensor([6, 6]))
    assert durations.tolist() == [truth_a, truth_b + [0]]


def test_forward_sum_loss_prefers_attention_that_fits_a_monotonic_path():
    good = torch.from_numpy(path_log_probs([2, 2, 2])).float()[None]
    backwards = torch.flip(good, dims=[2])  # frames walk the phones in reverse order
    lengths = (torch.tensor([3]), torch.tensor([6]))
    assert forward_sum_loss(good, *lengths) < forward_sum_loss(backwards, *lengths) - 1.0


def test_prior_is_a_distribution_along_the_diagonal():
    prior = np.exp(log_beta_binomial_prior(4, 12))
    assert np.allclose(prior.sum(1), 1, atol=1e-5)
    assert prior.argmax(1).tolist() == sorted(prior.argmax(1).tolist()) and prior.argmax(1)[-1] == 3


def test_regulate_length_repeats_phones_and_marks_position():
    x = torch.arange(3.0)[None, :, None]  # phone values 0, 1, 2
    frames, mask, position = regulate_length(x, torch.tensor([[2, 1, 3]]))
    assert frames[0, :, 0].tolist() == [0, 0, 1, 2, 2, 2]
    assert mask.all()
    assert position[0].tolist() == pytest.approx([0.25, 0.75, 0.5, 1 / 6, 0.5, 5 / 6])
    attention = durations_to_attention(torch.tensor([[2, 1, 3]]), 6)
    assert attention[0].argmax(1).tolist() == [0, 0, 1, 2, 2, 2]


def test_epoch_batches_are_reproducible_and_cover_every_utterance_once():
    lengths = list(np.random.default_rng(1).integers(50, 500, 37))
    first = data.epoch_batches(lengths, 8, seed=3, epoch=2)
    assert first == data.epoch_batches(lengths, 8, seed=3, epoch=2)
    assert first != data.epoch_batches(lengths, 8, seed=3, epoch=3)
    assert sorted(i for batch in first for i in batch) == list(range(37))


def test_split_holds_out_at_least_two_and_never_everything():
    corpus = [data.Utterance(str(i), np.ones(3, dtype=np.int64), np.zeros((8, 4), np.float32),
                             np.zeros(8, np.float32)) for i in range(10)]
    train, val = data.split(corpus, 0.05, seed=0)
    assert len(val) == 2 and len(train) == 8
    assert {u.id for u in train}.isdisjoint(u.id for u in val)
    train, val = data.split(corpus[:2], 0.05, seed=0)
    assert len(train) == 1 and len(val) == 1


def tiny_model() -> AcousticModel:
    torch.manual_seed(0)
    config = AcousticConfig(n_phones=20, bap_dim=2, sample_rate=22050, channels=32, encoder_layers=1,
                            decoder_layers=1, predictor_channels=16, postnet_channels=16, postnet_layers=1)
    return AcousticModel(config)


def test_statistics_travel_in_the_state_dict():
    model = tiny_model()
    d = model.config.n_feats
    stats = {"feat_mean": np.full(d, 2.0), "feat_std": np.full(d, 3.0), "energy_mean": -4.0, "energy_std": 0.5,
             "mcep_gv": np.full(MCEP_DIM, 0.7)}
    model.set_statistics(stats)
    restored = tiny_model()
    restored.load_state_dict(model.state_dict())
    assert torch.equal(restored.feat_std, torch.full((d,), 3.0)) and float(restored.energy_mean) == -4.0
    assert torch.equal(restored.mcep_gv, torch.full((MCEP_DIM,), 0.7)) and float(restored.energy_std) == 0.5


def test_mcep_loss_weights_follow_each_coefficients_spread():
    from moksori.engine.training import mcep_loss_weights

    spread = torch.tensor([4.0, 2.0, 1.0, 1.0])
    assert torch.allclose(mcep_loss_weights(spread, 0.0), torch.ones(4))
    weights = mcep_loss_weights(spread, 1.0)
    assert torch.isclose(weights.mean(), torch.tensor(1.0))
    assert torch.allclose(weights / weights[-1], spread)  # errors counted in the coefficients' own units
    assert torch.all(mcep_loss_weights(spread, 0.5).diff() <= 0)
