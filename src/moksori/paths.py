"""Where Moksori keeps things on disk, and where the shared research data lives."""

from __future__ import annotations

import os
from pathlib import Path


def home_dir() -> Path:
    """The folder holding the app's database, recordings and voices (``MOKSORI_HOME``)."""
    default = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "moksori"
    path = Path(os.environ.get("MOKSORI_HOME", default))
    path.mkdir(parents=True, exist_ok=True)
    return path


def shared_data_dir() -> Path | None:
    """The evaluation data set folder (``MOKSORI_DATA``, else ``../shared/data`` beside the checkout).

    Returns None when it is absent: tests skip, benchmarks stop with a message.
    """
    env = os.environ.get("MOKSORI_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[3] / "shared" / "data")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return None
