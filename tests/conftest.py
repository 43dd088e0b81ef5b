"""Shared fixtures: synthetic espeak-ng speakers (made once per run) and the optional shared data."""

from __future__ import annotations

from pathlib import Path

import pytest

from moksori.dataset.synthetic import espeak_available, make_speaker_dataset
from moksori.paths import shared_data_dir


@pytest.fixture(scope="session")
def synthetic_speaker(tmp_path_factory: pytest.TempPathFactory):
    """Factory: ``synthetic_speaker("ko_f", count)`` → LJSpeech-style folder, cached per run."""
    if not espeak_available():
        pytest.skip("espeak-ng is not installed")
    made: dict[tuple[str, int | None], Path] = {}

    def make(name: str, count: int | None = None) -> Path:
        key = (name, count)
        if key not in made:
            made[key] = make_speaker_dataset(tmp_path_factory.mktemp(f"{name}_{count}"), name, count)
        return made[key]

    return make


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` (or ``MOKSORI_DATA``); tests using it skip cleanly when it is absent."""
    path = shared_data_dir()
    if path is None:
        pytest.skip("shared evaluation data not found (set MOKSORI_DATA)")
    return path
