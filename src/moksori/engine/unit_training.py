"""Building the hybrid back-end at the end of training, and choosing which back-end a voice speaks with.

The aligner trained with the acoustic model gives every recording's phone durations; those cut the
recordings into half-phone units (``moksori.engine.units``). Both back-ends then speak the held-out
validation sentences (with a unit index of the training recordings only, so no sentence is spoken with
its own recording), and each is scored against the recordings in the WORLD feature domain — cheap, no
audio or recogniser needed:

- **MCD** of the coded envelope (coefficients 1–24, the mel-cepstral distortion formula, DTW-aligned),
- **F0 RMSE** in cents over frames voiced in both,
- **V/UV error**, the fraction of aligned frames whose voicing differs.

The score is ``MCD + F0 RMSE / 100 + 10 × V/UV error`` (lower is better): a 10-point voicing error,
100 cents of pitch error and 1 dB of spectral distortion weigh about alike; each is a separate column of
``moksori eval``, whose figures these track. The card keeps both sets of figures. The shipped index holds
every recording, validation ones included.

The voice speaks with the hybrid back-end unless it scores worse than the parametric one by more than
``HYBRID_MARGIN``. Feature distances favour the model's averaged frames (over-smoothing lowers MCD), while
what listeners and strangers hear favoured the person's own sounds on every voice measured: on held-out
sentences the hybrid back-end was understood better by the recogniser, sounded more like the speaker and
scored higher on DNSMOS even where its MCD was a few tenths worse (docs/benchmarks.md, "Voice quality
across voices"). A hybrid that loses by more than the margin has units that do not fit (a poor alignment,
too few recordings), and the parametric back-end is kept.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numba
import numpy as np
import torch

from moksori.engine import data
from moksori.engine.aligner import Aligner, hard_durations
from moksori.engine.features import Features
from moksori.engine.inference import AcousticConfig, InferenceModel
from moksori.engine.unit_select import Costs, speak
from moksori.engine.units import UnitIndex, build_index

BACKENDS = ("parametric", "hybrid")
MCD_ORDER = 24  # coefficients 1..24, as moksori.evaluation's MCD


@torch.no_grad()
def aligned_durations(
    aligner: Aligner, utterances: Sequence[data.Utterance], stats: dict, reduction: int, batch_size: int,
    device: torch.device,
) -> dict[str, np.ndarray]:
    """Feature frames [N] of every phone of every utterance (by id), from the aligner's hard alignment."""
    aligner.eval()
    durations = {}
    for start in range(0, len(utterances), batch_size):
        items = list(utterances[start : start + batch_size])
        batch = data.collate(items, stats, reduction).to(device)
        log_attn = aligner(batch.phones, batch.coarse, batch.phones > 0, batch.log_prior)
        steps = hard_durations(log_attn, batch.phone_lengths, batch.frame_lengths).cpu().numpy()  # [B, N]
        for row, utterance in zip(steps, items, strict=True):
            durations[utterance.id] = row[: len(utterance.phones)] * reduction
    return durations


def index_utterances(utterances: Sequence[data.Utterance], durations: dict[str, np.ndarray]) -> UnitIndex:
    return build_index([u.phones for u in utterances], [u.feats for u in utterances],
                       [u.energy for u in utterances], [durations[u.id] for u in utterances])


@numba.njit(cache=True)
def _dtw_path(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cheapest monotonic path through ``cost`` [A, B] (steps right, down, diagonal): row and column indices."""
    rows, cols = cost.shape
    total = np.full((rows + 1, cols + 1), np.inf)
    total[0, 0] = 0.0
    for i in range(1, rows + 1):
        for j in range(1, cols + 1):
            total[i, j] = cost[i - 1, j - 1] + min(total[i - 1, j - 1], total[i - 1, j], total[i, j - 1])
    path_i, path_j = [], []
    i, j = rows, cols
    while i > 0 and j > 0:
        path_i.append(i - 1)
        path_j.append(j - 1)
        diagonal, up, left = total[i - 1, j - 1], total[i - 1, j], total[i, j - 1]
        if diagonal <= up and diagonal <= left:
            i, j = i - 1, j - 1
        elif up <= left:
            i -= 1
        else:
            j -= 1
    return np.array(path_i[::-1]), np.array(path_j[::-1])


def feature_distance(synthetic: Features, natural: np.ndarray) -> dict[str, float]:
    """MCD (dB), F0 RMSE (cents) and V/UV error of ``synthetic`` against a recording's training matrix
    ``natural`` [T, D] (mcep, bap, lf0, vuv), DTW-aligned on the envelope."""
    a = synthetic.mcep[:, 1 : MCD_ORDER + 1].astype(np.float64)
    b = natural[:, 1 : MCD_ORDER + 1].astype(np.float64)
    squared = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    distance = np.sqrt(np.maximum(squared, 0))
    i, j = _dtw_path(distance)
    mcd = 10 / math.log(10) * math.sqrt(2) * float(distance[i, j].mean())
    voiced_a, voiced_b = synthetic.vuv[i] > 0.5, natural[j, -1] > 0.5
    both = voiced_a & voiced_b
    cents = 1200 / math.log(2) * (synthetic.lf0[i] - natural[j, -2])
    return {
        "mcd_db": mcd,
        "f0_rmse_cents": float(np.sqrt(np.mean(np.square(cents[both])))) if both.any() else 0.0,
        "vuv_error": float(np.mean(voiced_a != voiced_b)),
    }


def score(figures: dict[str, float]) -> float:
    """One number per back-end, lower is better (see the module docstring)."""
    return figures["mcd_db"] + figures["f0_rmse_cents"] / 100 + 10 * figures["vuv_error"]


HYBRID_MARGIN = 1.0  # score points (about 1 dB of MCD) the hybrid back-end may lose by and still be chosen


def choose_backend(scores: dict[str, dict[str, float]]) -> str:
    """The back-end a voice speaks with, from ``compare_backends``' figures (see the module docstring)."""
    return "hybrid" if scores["hybrid"]["score"] <= scores["parametric"]["score"] + HYBRID_MARGIN else "parametric"


def compare_backends(
    model: InferenceModel, index: UnitIndex, held_out: Sequence[data.Utterance], costs: Costs | None = None
) -> dict[str, dict[str, float]]:
    """Both back-ends' mean figures and score on the held-out utterances."""
    figures: dict[str, list[dict[str, float]]] = {name: [] for name in BACKENDS}
    for utterance in held_out:
        predicted, durations = model.generate(utterance.phones)
        spoken = {"parametric": predicted, "hybrid": speak(index, predicted, utterance.phones, durations,
                                                           costs=costs)[0]}
        for name in BACKENDS:
            figures[name].append(feature_distance(spoken[name], utterance.feats))
    summary = {}
    for name, rows in figures.items():
        means = {key: round(float(np.mean([row[key] for row in rows])), 4) for key in rows[0]}
        summary[name] = {**means, "score": round(score(means), 4)}
    return summary


def build(
    aligner: Aligner,
    state_dict: dict[str, torch.Tensor],
    acoustic_config: AcousticConfig,
    corpus: Sequence[data.Utterance],
    held_out: Sequence[data.Utterance],
    stats: dict,
    batch_size: int,
    device: torch.device,
) -> tuple[UnitIndex, dict]:
    """The voice's unit index (all recordings) and its card entries: both back-ends' validation figures,
    the chosen back-end and the size of the units."""
    durations = aligned_durations(aligner, corpus, stats, acoustic_config.reduction, batch_size, device)
    held = {u.id for u in held_out}
    model = InferenceModel(acoustic_config, {k: v.detach().cpu().numpy() for k, v in state_dict.items()})
    scores = compare_backends(model, index_utterances([u for u in corpus if u.id not in held], durations), held_out)
    index = index_utterances(corpus, durations)
    size = index.frames.nbytes + sum(table.nbytes for table in index.tables().values())
    card = {
        "backend": choose_backend(scores),
        "backends": scores,
        "units": {"half_phones": len(index), "recordings": len(corpus), "megabytes": round(size / 1e6, 1)},
    }
    return index, card
