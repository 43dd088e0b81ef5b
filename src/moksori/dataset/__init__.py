"""Recordings: check LJSpeech-style datasets (folders or zips) and studio takes, and prepare them for training.

Exports load on first use, so ``moksori --help`` does not pay for numpy and scipy.
"""

from __future__ import annotations

from moksori.lazy import lazy_exports

_EXPORTS = {
    "DatasetReport": "moksori.dataset.check",
    "FileInfo": "moksori.dataset.check",
    "check_dataset": "moksori.dataset.check",
    "check_take": "moksori.dataset.check",
    "import_dataset": "moksori.dataset.prepare",
    "prepare_take": "moksori.dataset.prepare",
    "DatasetError": "moksori.dataset.source",
    "Problem": "moksori.dataset.source",
    "read_metadata": "moksori.dataset.source",
}
# The studio names per-take problems TakeProblem; it is the same record as a file problem.
_ALIASES = {"TakeProblem": "Problem"}

__all__ = sorted([*_EXPORTS, *_ALIASES])

__getattr__ = lazy_exports(__name__, _EXPORTS, _ALIASES)
