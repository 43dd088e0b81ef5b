"""Command-line commands of this area (registered by ``moksori.cli``)."""

from __future__ import annotations

import sys
from collections.abc import Callable

import typer


def _each_input(text: str | None, convert: Callable[[str], str]) -> None:
    """Convert TEXT, or each line of standard input when TEXT is not given; one output line each."""
    from moksori.text import TextError

    lines = [text] if text is not None else (line.rstrip("\n") for line in sys.stdin)
    for line in lines:
        try:
            typer.echo(convert(line))
        except TextError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from error


def pronounce_command(
    text: str | None = typer.Argument(None, help="Korean text; without it, each line of standard input."),
) -> None:
    """Print the standard pronunciation (표준 발음법) of normalised Korean text, in Hangul."""
    from moksori.text import pronounce

    _each_input(text, pronounce)


def phonemes_command(
    text: str | None = typer.Argument(None, help="Text; without it, each line of standard input."),
    lang: str = typer.Option("ko", "--lang", help="Language of the text: ko or en."),
) -> None:
    """Print the phonemes the voice engine reads, space-separated (symbols of moksori.text.phoneset)."""
    from moksori.text import phonemes

    _each_input(text, lambda line: " ".join(phonemes(line, lang)))


def script_command(
    lang: str = typer.Option("ko", "--lang", help="Language of the script: ko or en."),
    count: int | None = typer.Option(None, "--count", min=1, help="Only the first N sentences."),
    messages: bool = typer.Option(False, "--messages", help="Print the message-banking list instead."),
) -> None:
    """Print the recording script (every prefix is phonetically balanced), one sentence a line."""
    from moksori.text import TextError
    from moksori.text.script import message_bank, recording_script

    try:
        lines = message_bank(lang) if messages else recording_script(lang)
    except TextError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    typer.echo("\n".join(lines[:count] if count else lines))


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command("pronounce")(pronounce_command)
    app.command("phonemes")(phonemes_command)
    app.command("script")(script_command)
