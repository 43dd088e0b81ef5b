"""Fixtures shared by the speaking tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.voices import random_voice


@pytest.fixture(scope="session")
def voice_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny untrained ``.voice`` (see ``tests.engine.voices``)."""
    return random_voice(tmp_path_factory.mktemp("voice") / "random.voice")
