"""Command-line commands of this area (registered by ``moksori.cli``)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
