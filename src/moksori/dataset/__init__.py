"""Recordings: check LJSpeech-style datasets (folders or zips) and studio takes, and prepare them for training."""

from moksori.dataset.check import DatasetReport, FileInfo, check_dataset, check_take
from moksori.dataset.prepare import import_dataset, prepare_take
from moksori.dataset.source import DatasetError, Problem, read_metadata

# The studio names per-take problems TakeProblem; it is the same record as a file problem.
TakeProblem = Problem

__all__ = [
    "DatasetError",
    "DatasetReport",
    "FileInfo",
    "Problem",
    "TakeProblem",
    "check_dataset",
    "check_take",
    "import_dataset",
    "prepare_take",
    "read_metadata",
]
