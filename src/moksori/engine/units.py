"""The unit index of a voice: the speaker's own recordings cut into half-phones, as WORLD features.

The hybrid back-end (``moksori.engine.unit_select``) speaks by picking and joining these units. Every
phone of every aligned training recording gives two units, its left and its right half (a phone of one
frame gives only a right half), each with its phone, the phones on either side (context) and where its
frames lie in ``frames``, the recordings' WORLD frames concatenated in corpus order. Units that follow
each other in a recording are numbered consecutively, so "b follows a in the recording" is ``b == a + 1``
within one utterance.

The costs of the search read small per-unit summaries (kept in memory): the mean, first and last frame of
the low mel-cepstral coefficients (normalised), mean log-F0, voicing and boundary energies. The frames
themselves (the bulk: ~38 MB for 24 minutes of speech, float16) are only read for the units chosen, so a
loaded voice reads them from its file when a sentence needs them (``StoredFrames``) instead of holding them.

Plain numpy; shapes in the comments: U units, F frames, D = MCEP_DIM + B + 3 channels, S cost coefficients.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from moksori.engine.features import MCEP_DIM

# Low mel-cepstral coefficients (c0 included: loudness) that the target and join costs compare.
COST_DIM = 20
# The frame layout of ``frames``: mcep [MCEP_DIM], bap [B], then these three.
LF0, VUV, ENERGY = -3, -2, -1
NO_PHONE = 0  # context of the first and last phone of a recording (the padding id)

# Per-unit tables stored in a voice file; ``frames`` is stored separately, uncompressed, to be read in place.
TABLES = (
    "phone", "half", "left", "right", "utterance", "start", "length",
    "mid", "head", "tail", "lf0", "voiced", "head_lf0", "tail_lf0", "head_vuv", "tail_vuv",
    "head_energy", "tail_energy", "cost_mean", "cost_std",
)  # fmt: skip


class StoredFrames:
    """Frames [F, D] float16 stored uncompressed at ``offset`` bytes into a file, read only where asked:
    ``frames[a:b]`` reads rows a..b-1, ``np.asarray(frames)`` all of them.

    Not a memory map: the kernel maps a file's cached pages in large folios (2 MB on the benchmark machine),
    so a map touched at the ~100 units of one sentence, scattered over the recordings, put nearly all of
    the frames into the process (+13 MB of RSS for a 100-recording voice); ``os.pread`` costs only the rows
    read. The file stays open until this object goes, so a voice file replaced on disk (a voice trained
    again) cannot change the frames of a voice already loaded.
    """

    def __init__(self, path: str | os.PathLike, offset: int, shape: tuple[int, int], dtype: np.dtype | type = np.float16):
        self.shape = (int(shape[0]), int(shape[1]))
        self.dtype = np.dtype(dtype)
        self.offset = int(offset)
        self._row_bytes = self.shape[1] * self.dtype.itemsize
        self._fd = os.open(path, os.O_RDONLY)
        weakref.finalize(self, os.close, self._fd)
        if os.fstat(self._fd).st_size < self.offset + self.shape[0] * self._row_bytes:
            raise ValueError(f"the file ends before {self.shape[0]} frames")

    ndim = 2

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, rows: slice) -> np.ndarray:
        """Rows [L, D] of a plain slice (no step), read from the file."""
        if not isinstance(rows, slice) or rows.step not in (None, 1):
            raise TypeError("stored frames are read by plain slices")
        start, stop, _ = rows.indices(self.shape[0])
        count = max(stop - start, 0)
        data = os.pread(self._fd, count * self._row_bytes, self.offset + start * self._row_bytes)
        if len(data) != count * self._row_bytes:
            raise OSError("the voice file was cut short while it was in use")
        return np.frombuffer(data, dtype=self.dtype).reshape(count, self.shape[1])

    def __array__(self, dtype: np.dtype | None = None, copy: bool | None = None) -> np.ndarray:
        return np.asarray(self[:], dtype=dtype)


@dataclass
class UnitIndex:
    """Half-phone units of a speaker's recordings, with what the search needs to cost them."""

    frames: np.ndarray | StoredFrames  # [F, D] float16 (in memory, or in the voice file): mcep, bap, lf0, vuv, energy
    phone: np.ndarray  # [U] int32 phone id
    half: np.ndarray  # [U] int8: 0 the left half of its phone, 1 the right half
    left: np.ndarray  # [U] int32 id of the phone before (NO_PHONE at a recording's start)
    right: np.ndarray  # [U] int32 id of the phone after (NO_PHONE at a recording's end)
    utterance: np.ndarray  # [U] int32 recording number
    start: np.ndarray  # [U] int64 first row in ``frames``
    length: np.ndarray  # [U] int32 frames (≥ 1)
    mid: np.ndarray  # [U, S] float32 mean of the normalised cost coefficients
    head: np.ndarray  # [U, S] float32 the same on the unit's first frame
    tail: np.ndarray  # [U, S] float32 … and on its last frame
    lf0: np.ndarray  # [U] float32 mean (continuous) log-F0
    voiced: np.ndarray  # [U] float32 fraction of voiced frames
    head_lf0: np.ndarray  # [U] float32
    tail_lf0: np.ndarray  # [U] float32
    head_vuv: np.ndarray  # [U] float32
    tail_vuv: np.ndarray  # [U] float32
    head_energy: np.ndarray  # [U] float32 log-RMS
    tail_energy: np.ndarray  # [U] float32
    cost_mean: np.ndarray  # [S] float32 normalisation of the cost coefficients
    cost_std: np.ndarray  # [S] float32
    _by_kind: dict[tuple[int, int], np.ndarray] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return int(self.phone.shape[0])

    @property
    def bap_dim(self) -> int:
        return int(self.frames.shape[1]) - MCEP_DIM - 3

    def candidates(self, phone: int, half: int) -> np.ndarray:
        """Unit numbers [K] int64 of ``phone``'s ``half`` (empty when the recordings never have it)."""
        if not self._by_kind:
            order = np.lexsort((self.half, self.phone))
            keys = self.phone[order].astype(np.int64) * 2 + self.half[order]
            bounds = np.flatnonzero(np.diff(keys)) + 1
            for group in np.split(order, bounds):
                if len(group):
                    self._by_kind[(int(self.phone[group[0]]), int(self.half[group[0]]))] = np.sort(group)
        return self._by_kind.get((phone, half), np.zeros(0, dtype=np.int64))

    def unit_frames(self, unit: int) -> np.ndarray:
        """The frames [L, D] float32 of one unit."""
        start = int(self.start[unit])
        return np.asarray(self.frames[start : start + int(self.length[unit])], dtype=np.float32)

    def frames_of(self, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The frames of ``units`` [K] one after the other [sum of their lengths, D] float32, and where each
        unit's first frame is in them [K]. Units that follow each other in the recordings (the search's
        natural stretches) are read as one piece, so a sentence costs a few dozen reads, not one per frame."""
        units = np.asarray(units, dtype=np.int64)
        starts, lengths = self.start[units], self.length[units].astype(np.int64)
        ends = starts + lengths
        opens_run = np.ones(len(units), dtype=bool)
        opens_run[1:] = starts[1:] != ends[:-1]
        first = np.flatnonzero(opens_run)
        last = np.append(first[1:], len(units)) - 1
        pieces = [self.frames[int(a) : int(b)] for a, b in zip(starts[first], ends[last], strict=True)]
        frames = np.concatenate(pieces) if pieces else np.zeros((0, self.frames.shape[1]))
        return frames.astype(np.float32), np.cumsum(lengths) - lengths

    def tables(self) -> dict[str, np.ndarray]:
        """Everything but ``frames``, as named arrays (what a voice file stores compressed)."""
        return {name: np.ascontiguousarray(getattr(self, name)) for name in TABLES}

    @classmethod
    def from_tables(cls, tables: Mapping[str, np.ndarray], frames: np.ndarray | StoredFrames) -> UnitIndex:
        missing = [name for name in TABLES if name not in tables]
        if missing:
            raise ValueError(f"unit tables lack {', '.join(missing)}")
        index = cls(frames=frames, **{name: np.asarray(tables[name]) for name in TABLES})
        if frames.ndim != 2 or frames.shape[1] <= MCEP_DIM + 3:
            raise ValueError(f"unit frames have shape {frames.shape}")
        if len(index) and int((index.start + index.length).max()) > frames.shape[0]:
            raise ValueError("unit tables point past the end of the unit frames")
        return index


def cost_coefficients(frames: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """The normalised low mel-cepstral coefficients [T, S] of frames [T, D≥S] (mcep first)."""
    return (np.asarray(frames[:, :COST_DIM], dtype=np.float32) - mean) / std


def half_spans(durations: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The half-phones of phones with ``durations`` [N] frames: (phone number, half, frames) of each
    half with at least one frame, in time order. A phone's left half gets the shorter part."""
    durations = np.asarray(durations, dtype=np.int64)
    left = durations // 2
    lengths = np.stack([left, durations - left], 1).reshape(-1)  # [2N]
    keep = lengths > 0
    number = np.repeat(np.arange(len(durations)), 2)
    half = np.tile(np.array([0, 1], dtype=np.int8), len(durations))
    return number[keep], half[keep], lengths[keep]


def build_index(
    phones: Sequence[np.ndarray],
    feats: Sequence[np.ndarray],
    energy: Sequence[np.ndarray],
    durations: Sequence[np.ndarray],
) -> UnitIndex:
    """Index recordings: per utterance its phone ids [N], frames [T, MCEP_DIM + B + 2] (mcep, bap, lf0, vuv:
    the training matrix), energy [T] and aligned frames per phone [N] (summing to at most T)."""
    columns: dict[str, list[np.ndarray]] = {name: [] for name in ("phone", "half", "left", "right", "utterance",
                                                                  "start", "length")}
    blocks, offset = [], 0
    for number, (ids, matrix, loud, counts) in enumerate(zip(phones, feats, energy, durations, strict=True)):
        ids, counts = np.asarray(ids, dtype=np.int32), np.asarray(counts, dtype=np.int64)
        used = int(counts.sum())
        if used > len(matrix):
            raise ValueError(f"utterance {number}: durations cover {used} frames, the recording has {len(matrix)}")
        blocks.append(np.concatenate([matrix[:used], loud[:used, None]], 1).astype(np.float16))
        owner, half, lengths = half_spans(counts)
        padded = np.concatenate([[NO_PHONE], ids, [NO_PHONE]])
        columns["phone"].append(ids[owner])
        columns["half"].append(half)
        columns["left"].append(padded[owner])
        columns["right"].append(padded[owner + 2])
        columns["utterance"].append(np.full(len(owner), number, dtype=np.int32))
        columns["start"].append(offset + np.cumsum(lengths) - lengths)
        columns["length"].append(lengths)
        offset += used
    dim = feats[0].shape[1] + 1 if feats else MCEP_DIM + 3
    frames = np.concatenate(blocks) if blocks else np.zeros((0, dim), dtype=np.float16)
    table = {name: np.concatenate(parts) if parts else np.zeros(0) for name, parts in columns.items()}
    dtypes = {"phone": np.int32, "half": np.int8, "left": np.int32, "right": np.int32, "utterance": np.int32,
              "start": np.int64, "length": np.int32}
    table = {name: values.astype(dtypes[name]) for name, values in table.items()}
    return UnitIndex(frames=frames, **table, **summarise(frames, table["start"], table["length"]))


def summarise(frames: np.ndarray, start: np.ndarray, length: np.ndarray) -> dict[str, np.ndarray]:
    """The per-unit cost summaries of units [U] over ``frames`` [F, D]."""
    values = np.asarray(frames, dtype=np.float32)
    mean = values[:, :COST_DIM].mean(0) if len(values) else np.zeros(COST_DIM, dtype=np.float32)
    std = (values[:, :COST_DIM].std(0) if len(values) else np.ones(COST_DIM, dtype=np.float32)) + np.float32(1e-3)
    coefficients = cost_coefficients(values, mean, std)  # [F, S]
    last = start + length - 1
    counts = np.maximum(length, 1).astype(np.float32)
    starts = np.minimum(start, max(len(values) - 1, 0))

    def unit_mean(column: np.ndarray) -> np.ndarray:
        if len(start) == 0:
            return np.zeros((0, *column.shape[1:]), dtype=np.float32)
        sums = np.add.reduceat(column, starts, axis=0)
        return (sums.T / counts).T.astype(np.float32)

    return {
        "mid": unit_mean(coefficients),
        "head": coefficients[start],
        "tail": coefficients[last],
        "lf0": unit_mean(values[:, LF0]),
        "voiced": unit_mean(values[:, VUV]),
        "head_lf0": values[start, LF0],
        "tail_lf0": values[last, LF0],
        "head_vuv": values[start, VUV],
        "tail_vuv": values[last, VUV],
        "head_energy": values[start, ENERGY],
        "tail_energy": values[last, ENERGY],
        "cost_mean": mean.astype(np.float32),
        "cost_std": std.astype(np.float32),
    }
