"""The hybrid back-end: speak a sentence with the speaker's own recorded half-phones.

The acoustic model still predicts the sentence (its frames, its durations, its pitch); those predictions
are the *targets*. For every half-phone of the sentence, candidate units of the same phone and half are
ranked by a **target cost** (spectral distance of their mean low mel-cepstrum to the predicted one, log-F0,
voicing and duration differences, mismatched neighbouring phone), the best ``candidates`` kept, plus every
unit that directly follows a kept unit of the previous half-phone in its recording. A **join cost**
(spectral, F0 and energy jumps between one unit's last frame and the next one's first, plus a flat penalty)
is zero for units that were neighbours in a recording, so the search prefers long natural stretches.
Viterbi finds the cheapest path. Every half-phone also has the model's own frames as a candidate, at the
flat ``fallback`` target cost: where no unit fits (or the recordings never had that phone) the sentence
is spoken with the parametric frames there.

The chosen units are time-stretched (linear interpolation of frames) towards the predicted durations: half of the
way in the log domain (``stretch`` 0.5; 1 is all the way), so a unit keeps more of its own timing, and the
sentence is re-timed around them; then they are
joined in the WORLD domain: across each join the two sides are cross-faded over ``crossfade`` frames so the
features meet (no step); F0 is the units' own, lightly smoothed, or the model's (``f0="model"``).
Plain numpy; shapes in the comments: T frames, J half-phones, K candidates, S cost coefficients.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from moksori.engine.features import MCEP_DIM, Features
from moksori.engine.units import ENERGY, LF0, VUV, UnitIndex, cost_coefficients, half_spans

FALLBACK = -1  # the candidate "the model's own frames"


@dataclass(frozen=True)
class Costs:
    """Weights of the unit search and settings of the join (see the module docstring)."""

    candidates: int = 24  # kept per half-phone by target cost
    spectral: float = 1.0  # per normalised RMS unit of the mean low mel-cepstrum
    pitch: float = 2.0  # per octave of mean log-F0 (both voiced)
    voicing: float = 1.0  # per unit of voiced fraction
    duration: float = 0.3  # per e-fold of stretching
    context: float = 0.5  # neighbouring phone on the half's side differs
    join_spectral: float = 1.0
    join_pitch: float = 2.0  # per octave
    join_energy: float = 0.5  # per e-fold of RMS
    join_penalty: float = 0.3  # any join of units that were not neighbours in a recording
    # a further penalty where that join falls between two phones rather than in a phone's middle: the
    # transition between phones is where they colour each other, the middle the steadiest (diphone) point
    join_boundary: float = 0.0
    fallback: float = 3.0  # target cost of the model's own frames
    crossfade: int = 3  # frames on each side of a join
    f0: str = "units"  # "units": the units' F0, smoothed; "model": the predicted contour
    f0_smoothing: int = 5  # frames of the moving average over the units' log-F0 (1 = none)
    model_spectrum: float = 0.0  # share of the model's mel-cepstrum mixed into the units' (0: the units' own)
    stretch: float = 0.5  # how far a unit's length moves to the predicted one, in the log domain (0: its own)


def _frame_matrix(features: Features) -> np.ndarray:
    """[T, D]: mcep, bap, lf0, vuv, energy (the unit index's frame layout)."""
    return np.concatenate(
        [features.mcep, features.bap, features.lf0[:, None], features.vuv[:, None], features.energy[:, None]], 1
    ).astype(np.float32)


@dataclass
class _Targets:
    """What the model predicts for each half-phone of the sentence."""

    phone: np.ndarray  # [J] int
    half: np.ndarray  # [J] int8
    left: np.ndarray  # [J] neighbouring phone ids
    right: np.ndarray  # [J]
    start: np.ndarray  # [J] first frame in the sentence
    length: np.ndarray  # [J] frames
    mid: np.ndarray  # [J, S] mean normalised cost coefficients
    head: np.ndarray  # [J, S]
    tail: np.ndarray  # [J, S]
    lf0: np.ndarray  # [J] mean log-F0
    voiced: np.ndarray  # [J] voiced fraction
    head_lf0: np.ndarray  # [J]
    tail_lf0: np.ndarray
    head_vuv: np.ndarray
    tail_vuv: np.ndarray
    head_energy: np.ndarray
    tail_energy: np.ndarray


def _targets(index: UnitIndex, frames: np.ndarray, phone_ids: np.ndarray, durations: np.ndarray) -> _Targets:
    owner, half, length = half_spans(durations)
    start = np.cumsum(length) - length
    last = start + length - 1
    padded = np.concatenate([[0], phone_ids, [0]])
    coefficients = cost_coefficients(frames, index.cost_mean, index.cost_std)  # [T, S]
    counts = length.astype(np.float32)
    return _Targets(
        phone=phone_ids[owner],
        half=half,
        left=padded[owner],
        right=padded[owner + 2],
        start=start,
        length=length,
        mid=np.add.reduceat(coefficients, start, axis=0) / counts[:, None],
        head=coefficients[start],
        tail=coefficients[last],
        lf0=np.add.reduceat(frames[:, LF0], start) / counts,
        voiced=np.add.reduceat(frames[:, VUV], start) / counts,
        head_lf0=frames[start, LF0],
        tail_lf0=frames[last, LF0],
        head_vuv=frames[start, VUV],
        tail_vuv=frames[last, VUV],
        head_energy=frames[start, ENERGY],
        tail_energy=frames[last, ENERGY],
    )


# Candidate rows costed in one pass: bounds the [rows, S] temporaries of the target costs (~0.3 MB each)
# however large the index, while a sentence still needs only a few passes.
TARGET_COST_ROWS = 4096


def _target_costs(index: UnitIndex, units: np.ndarray, t: _Targets, owner: np.ndarray, costs: Costs) -> np.ndarray:
    """Target cost [N] of each unit of ``units`` [N] for its half-phone ``owner`` [N] of the sentence."""
    difference = index.mid[units] - t.mid[owner]  # [N, S]
    spectral = np.sqrt(np.einsum("ks,ks->k", difference, difference) / difference.shape[1])
    both_voiced = np.minimum(index.voiced[units], t.voiced[owner])
    pitch = np.abs(index.lf0[units] - t.lf0[owner]) / math.log(2) * both_voiced
    voicing = np.abs(index.voiced[units] - t.voiced[owner])
    duration = np.abs(np.log(index.length[units] / t.length[owner]))
    left_half = t.half[owner] == 0  # a left half is judged by the phone before it, a right half by the one after
    side = np.where(left_half, index.left[units], index.right[units])
    wanted = np.where(left_half, t.left[owner], t.right[owner])
    context = (side != wanted).astype(np.float32)
    return (costs.spectral * spectral + costs.pitch * pitch + costs.voicing * voicing
            + costs.duration * duration + costs.context * context)  # fmt: skip


def _candidate_costs(index: UnitIndex, t: _Targets, costs: Costs) -> list[tuple[np.ndarray, np.ndarray]]:
    """Every unit of each half-phone's phone and half (sorted) [K_j] with its target cost [K_j], per
    half-phone [J]. All half-phones are costed together: one pass over a sentence's candidates instead of
    a dozen small numpy calls per half-phone, which is where the search spent most of its time."""
    pools = [index.candidates(int(phone), int(half)) for phone, half in zip(t.phone, t.half, strict=True)]
    sizes = np.array([len(pool) for pool in pools], dtype=np.int64)
    units = np.concatenate([np.zeros(0, dtype=np.int64), *pools])
    owner = np.repeat(np.arange(len(pools)), sizes)
    cost = np.concatenate([np.zeros(0), *(
        _target_costs(index, units[a : a + TARGET_COST_ROWS], t, owner[a : a + TARGET_COST_ROWS], costs)
        for a in range(0, len(units), TARGET_COST_ROWS)
    )])  # fmt: skip
    return list(zip(pools, np.split(cost, np.cumsum(sizes)[:-1]), strict=True))


def _boundaries(index: UnitIndex, units: np.ndarray, owner: np.ndarray, t: _Targets, side: str) -> tuple[np.ndarray, ...]:
    """(coefficients [N, S], their squared norms [N], lf0 [N], vuv [N], energy [N]) at the ``side``
    ("head"/"tail") of each candidate ``units`` [N] of half-phone ``owner`` [N]; the fallback candidate's are
    the model's own frames'."""
    fallback = units == FALLBACK
    real = np.where(fallback, 0, units)
    out = []
    for name in (side, f"{side}_lf0", f"{side}_vuv", f"{side}_energy"):
        values = getattr(index, name)[real]
        values[fallback] = getattr(t, name)[owner[fallback]]
        out.append(values)
    coefficients = out[0]
    return coefficients, (coefficients * coefficients).sum(1), *out[1:]


def _join_costs(index: UnitIndex, before: np.ndarray, after: np.ndarray, tails: tuple[np.ndarray, ...],
                heads: tuple[np.ndarray, ...], costs: Costs, between_phones: bool) -> np.ndarray:
    """Join cost [K_before, K_after] from candidates ``before`` of one half-phone, with their ``tails``
    (``_boundaries``), to candidates ``after`` of the next one, with their ``heads``; ``between_phones``: the
    first is a right half, so the join falls between two phones."""
    tail, tail_norm, tail_lf0, tail_vuv, tail_energy = tails
    head, head_norm, head_lf0, head_vuv, head_energy = heads
    # |a - b|² as |a|² + |b|² - 2 a·b: one small matrix product instead of a [K, K, S] array.
    squared = tail_norm[:, None] + head_norm[None, :] - 2 * tail @ head.T
    spectral = np.sqrt(np.maximum(squared, 0) / tail.shape[1])
    pitch = np.abs(tail_lf0[:, None] - head_lf0[None, :]) / math.log(2) * (tail_vuv[:, None] * head_vuv[None, :])
    energy = np.abs(tail_energy[:, None] - head_energy[None, :])
    cost = (costs.join_spectral * spectral + costs.join_pitch * pitch + costs.join_energy * energy
            + costs.join_penalty + (costs.join_boundary if between_phones else 0.0))  # fmt: skip
    return np.where(_natural_neighbours(index, before, after), np.float32(0), cost)


def _natural_neighbours(index: UnitIndex, before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """[K_before, K_after]: true where the second unit follows the first in one recording (or both are the
    model's consecutive frames)."""
    real_before, real_after = np.maximum(before, 0), np.maximum(after, 0)
    follows = (before[:, None] + 1 == after[None, :]) & (
        index.utterance[real_before][:, None] == index.utterance[real_after][None, :]
    )
    both_model = (before[:, None] == FALLBACK) & (after[None, :] == FALLBACK)
    return (follows & (before[:, None] >= 0)) | both_model


def _options(index: UnitIndex, targets: _Targets, costs: Costs) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The candidates of each half-phone [K_j] int64 (the model's frames, ``FALLBACK``, last) and their
    target costs [K_j] float32. They do not depend on the path the search takes, only on the previous
    half-phone's candidates, so they are all found before the search."""
    options: list[np.ndarray] = []
    target_costs: list[np.ndarray] = []
    for j, (pool, pool_cost) in enumerate(_candidate_costs(index, targets, costs)):
        units, target_cost = pool, pool_cost
        if len(units) > costs.candidates:
            keep = np.argpartition(target_cost, costs.candidates)[: costs.candidates]
            units, target_cost = units[keep], target_cost[keep]
        if j > 0 and len(pool):
            # Units that continue the previous half-phone's candidates in their recording: the search can
            # then keep a natural stretch going even when it is not among the best by target cost alone.
            # Those of this half-phone's phone and half are in its pool, with their cost already known.
            following = options[j - 1][options[j - 1] >= 0] + 1
            position = np.minimum(np.searchsorted(pool, following), len(pool) - 1)
            in_pool = pool[position] == following
            following, position = following[in_pool], position[in_pool]
            new = (following[:, None] != units[None, :]).all(1)  # not kept already
            units = np.concatenate([units, following[new]])
            target_cost = np.concatenate([target_cost, pool_cost[position[new]]])
        options.append(np.concatenate([units, [FALLBACK]]).astype(np.int64))
        target_costs.append(np.concatenate([target_cost, [costs.fallback]]).astype(np.float32))
    return options, target_costs


def select(index: UnitIndex, targets: _Targets, costs: Costs) -> np.ndarray:
    """The unit of each half-phone [J] int64 (``FALLBACK`` where the model's frames are used)."""
    n = len(targets.phone)
    options, target_costs = _options(index, targets, costs)
    # Every candidate's boundary features in one gather per side, then split per half-phone.
    sizes = [len(units) for units in options]
    flat = np.concatenate([np.zeros(0, dtype=np.int64), *options])
    owner = np.repeat(np.arange(n), sizes)
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    heads, tails = (_boundaries(index, flat, owner, targets, side) for side in ("head", "tail"))

    def of(values: tuple[np.ndarray, ...], j: int) -> tuple[np.ndarray, ...]:
        return tuple(value[bounds[j] : bounds[j + 1]] for value in values)

    scores: list[np.ndarray] = []
    back: list[np.ndarray] = []
    for j, (units, target_cost) in enumerate(zip(options, target_costs, strict=True)):
        if j == 0:
            score = target_cost
            back.append(np.zeros(len(units), dtype=np.int64))
        else:
            join = _join_costs(index, options[j - 1], units, of(tails, j - 1), of(heads, j), costs,
                               between_phones=bool(targets.half[j - 1] == 1))
            total = scores[-1][:, None] + join
            best = np.argmin(total, axis=0)
            score = total[best, np.arange(len(units))] + target_cost
            back.append(best)
        scores.append(score)
    chosen = np.zeros(n, dtype=np.int64)
    k = int(np.argmin(scores[-1])) if n else 0
    for j in range(n - 1, -1, -1):
        chosen[j] = options[j][k]
        k = int(back[j][k])
    return chosen


def _interpolated(source: np.ndarray, offsets: np.ndarray, source_lengths: np.ndarray, lengths: np.ndarray
                  ) -> np.ndarray:
    """[sum(lengths), D]: span k of ``source`` (``source_lengths[k]`` frames from ``offsets[k]``) resampled to
    ``lengths[k]`` frames by linear interpolation; voicing from the nearer frame (it is not interpolated)."""
    step = np.concatenate([np.arange(n) for n in lengths]).astype(np.float32)
    span = np.repeat(source_lengths, lengths).astype(np.float32)
    position = np.clip((step + 0.5) * span / np.repeat(lengths, lengths) - 0.5, 0, span - 1)
    lower = np.floor(position).astype(np.int64)
    upper = np.minimum(lower + 1, span.astype(np.int64) - 1)
    base = np.repeat(offsets, lengths)
    fraction = (position - lower)[:, None]
    a, b = source[base + lower], source[base + upper]
    frames = a * (1 - fraction) + b * fraction
    frames[:, VUV] = np.where(fraction[:, 0] < 0.5, a[:, VUV], b[:, VUV])
    return frames


def _retimed(index: UnitIndex, chosen: np.ndarray, targets: _Targets, frames: np.ndarray, stretch: float
             ) -> tuple[np.ndarray, _Targets]:
    """The model's frames [T', D] and the targets re-timed so that each chosen unit is stretched only
    ``stretch`` of the way (log domain) from its own length to the predicted one; fallback half-phones keep
    the predicted length."""
    real = chosen >= 0
    lengths = targets.length.copy()
    own = index.length[chosen[real]].astype(np.float64)
    lengths[real] = np.maximum(1, np.rint(own ** (1 - stretch) * targets.length[real] ** stretch)).astype(np.int64)
    retimed = _interpolated(frames, targets.start, targets.length, lengths)
    return retimed, dataclasses.replace(targets, start=np.cumsum(lengths) - lengths, length=lengths)


def _stretched(index: UnitIndex, chosen: np.ndarray, targets: _Targets, predicted: np.ndarray) -> np.ndarray:
    """Frames [T, D] of the sentence: each chosen unit resampled to its half-phone's predicted length, the
    model's frames where it falls back."""
    out = predicted.copy()
    real = chosen >= 0
    if not real.any():
        return out
    units, lengths, starts = chosen[real], targets.length[real], targets.start[real]
    dest = np.concatenate([start + np.arange(length) for start, length in zip(starts, lengths, strict=True)])
    source, offsets = index.frames_of(units)  # only the chosen units' frames are read
    frames = _interpolated(source, offsets, index.length[units], lengths)
    out[dest] = frames
    return out


def _cross_fade(frames: np.ndarray, joins: np.ndarray, lengths_before: np.ndarray, lengths_after: np.ndarray,
                width: int) -> None:
    """In place: at each join (first frame of the later unit) the two sides move halfway towards each
    other, tapering linearly to nothing ``width`` frames away, so every channel but voicing meets."""
    channels = np.ones(frames.shape[1], dtype=bool)
    channels[VUV] = False
    for join, before, after in zip(joins, lengths_before, lengths_after, strict=True):
        step = (frames[join, channels] - frames[join - 1, channels]) / 2
        w_before, w_after = min(width, int(before)), min(width, int(after))
        ramp_before = (np.arange(1, w_before + 1, dtype=np.float32) / w_before)[:, None]  # ends at 1 by the join
        ramp_after = (np.arange(w_after, 0, -1, dtype=np.float32) / w_after)[:, None]  # starts at 1 at the join
        frames[join - w_before : join, channels] += ramp_before * step
        frames[join : join + w_after, channels] -= ramp_after * step


def _smooth(values: np.ndarray, width: int) -> np.ndarray:
    """Moving average over ``width`` frames (edges padded with their end values)."""
    if width <= 1 or len(values) < 2:
        return values
    padded = np.pad(values, (width // 2, width - 1 - width // 2), mode="edge")
    return np.convolve(padded, np.ones(width, dtype=np.float32) / width, mode="valid").astype(np.float32)


def speak(
    index: UnitIndex,
    predicted: Features,
    phone_ids: np.ndarray,
    durations: np.ndarray,
    pitch_shift: float = 0.0,
    costs: Costs | None = None,
) -> tuple[Features, np.ndarray, np.ndarray]:
    """The sentence's features made from units, the unit of each half-phone (``FALLBACK``: model frames) and
    each phone's frames in them (the ``durations`` given, unless ``costs.stretch`` < 1 re-timed them).

    ``predicted`` is the acoustic model's output for ``phone_ids`` [N] with ``durations`` [N] frames, made
    with ``pitch_shift`` semitones (taken out for the search, put back on the result).
    """
    costs = costs or Costs()
    shift = np.float32(pitch_shift * math.log(2) / 12)
    frames = _frame_matrix(predicted)  # [T, D]
    frames[:, LF0] -= shift
    targets = _targets(index, frames, np.asarray(phone_ids, dtype=np.int64), np.asarray(durations))
    chosen = select(index, targets, costs)
    if costs.stretch < 1:
        frames, targets = _retimed(index, chosen, targets, frames, costs.stretch)
        owner = half_spans(durations)[0]
        durations = np.bincount(owner, weights=targets.length, minlength=len(durations)).astype(np.int64)
    out = _stretched(index, chosen, targets, frames)
    natural = _natural_neighbours(index, chosen[:-1], chosen[1:]).diagonal() if len(chosen) > 1 else np.zeros(0)
    joins = np.flatnonzero(~natural) + 1  # half-phones that start a join
    _cross_fade(out, targets.start[joins], targets.length[joins - 1], targets.length[joins], costs.crossfade)
    if costs.model_spectrum:
        out[:, :MCEP_DIM] += costs.model_spectrum * (frames[:, :MCEP_DIM] - out[:, :MCEP_DIM])
    lf0 = frames[:, LF0] if costs.f0 == "model" else _smooth(out[:, LF0], costs.f0_smoothing)
    return Features(
        lf0=np.ascontiguousarray(lf0 + shift, dtype=np.float32),
        vuv=np.ascontiguousarray((out[:, VUV] > 0.5).astype(np.float32)),
        mcep=np.ascontiguousarray(out[:, :MCEP_DIM]),
        bap=np.ascontiguousarray(out[:, MCEP_DIM:LF0]),
        energy=np.ascontiguousarray(out[:, ENERGY]),
        sample_rate=predicted.sample_rate,
    ), chosen, np.asarray(durations)

