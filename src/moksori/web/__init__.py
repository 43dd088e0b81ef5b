"""The Moksori web app: accounts, recording studio, voice building and the talk screen.

``create_app(settings)`` builds the FastAPI application; ``moksori serve`` runs it. FastAPI is
imported only when an app is built, so ``moksori --help`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from moksori.web.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    from moksori.web.app import build_app

    return build_app(settings)
