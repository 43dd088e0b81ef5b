"""``moksori assistant …``: the shop call assistant's commands (registered by ``moksori.cli``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer

app = typer.Typer(help="The shop's call assistant: try a shop profile on scripted calls.", no_args_is_help=True)


@app.command()
def simulate(
    shop: Path = typer.Option(..., "--shop", help="The shop profile (YAML, see docs/assistant.md)."),
    calls: Path = typer.Option(..., "--calls", help='Scripted calls, JSON lines: {"id": …, "caller": ["…", …]}.'),
    now: str | None = typer.Option(None, "--now", help="The calls' time, ISO 8601 (2026-12-01T10:00:00+09:00); default: now."),
    store_path: Path | None = typer.Option(
        None, "--store", help="A JSON store: read first when it exists, written back after the calls."
    ),
    speech: str | None = typer.Option(
        None, "--speech", help="Speak each caller line (espeak, or a .voice file) through 8 kHz μ-law and the recogniser."
    ),
) -> None:
    """Run scripted calls against a shop; one JSON result per call on standard output."""
    from moksori.assistant.profile import ProfileError, load_profile
    from moksori.assistant.simulate import CallsError, read_calls, simulate, speaker, telephone_channel
    from moksori.assistant.store import MemoryStore

    try:
        warnings: list[str] = []
        profile = load_profile(shop, warnings)
        for warning in warnings:
            typer.echo(f"warning: {shop}: {warning}", err=True)
        scripted = read_calls(calls)
    except (ProfileError, CallsError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    except OSError as error:
        typer.echo(f"error: cannot read {error.filename}: {error.strerror}", err=True)
        raise typer.Exit(2) from error
    try:
        moment = dt.datetime.fromisoformat(now) if now else dt.datetime.now(profile.zone)
    except ValueError as error:
        typer.echo(f"error: --now {now!r} is not an ISO 8601 time such as 2026-12-01T10:00:00+09:00", err=True)
        raise typer.Exit(2) from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=profile.zone)
    hear = None
    if speech:
        if speech != "espeak" and not Path(speech).is_file():
            typer.echo(f"error: --speech {speech!r} is neither 'espeak' nor a .voice file", err=True)
            raise typer.Exit(2)
        hear = telephone_channel(speaker(speech))
    try:
        store = MemoryStore.load(store_path) if store_path and store_path.exists() else MemoryStore()
    except (OSError, ValueError, TypeError, KeyError) as error:
        typer.echo(f"error: --store {store_path} is not a store saved by simulate ({error})", err=True)
        raise typer.Exit(2) from error
    for result in simulate(profile, scripted, moment, hear, store):
        typer.echo(json.dumps(result, ensure_ascii=False))
    if store_path:
        store.save(store_path)


def register(root: typer.Typer) -> None:
    """Add ``moksori assistant …`` to the root command."""
    root.add_typer(app, name="assistant")
