"""Package exports that load their module on first use, so ``moksori --help`` does not import numpy or torch."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_exports(package: str, homes: dict[str, str], aliases: dict[str, str] | None = None) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``homes[name]`` when ``name`` is first asked for.

    ``aliases`` maps extra public names onto exported ones.
    """
    aliases = aliases or {}

    def __getattr__(name: str) -> Any:
        target = aliases.get(name, name)
        if target not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(homes[target]), target)

    return __getattr__
