"""The terminal console the command line prints through."""

from __future__ import annotations

from rich.console import Console


def console(stderr: bool = False) -> Console:
    """A rich console whose printed messages are never wrapped: an error naming a long path stays
    one line that can be copied (and read by scripts) whatever the terminal's width. Tables and
    progress bars still fit the terminal."""
    return Console(stderr=stderr, soft_wrap=True)
