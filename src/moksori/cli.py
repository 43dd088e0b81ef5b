"""The ``moksori`` command line. Each area registers its own commands; heavy imports stay inside them."""

from __future__ import annotations

import typer

from moksori.assistant.cli import register as register_assistant
from moksori.dataset.cli import register as register_dataset
from moksori.engine.cli import register as register_engine
from moksori.evaluation.cli import register as register_evaluation
from moksori.text.cli import register as register_text
from moksori.web.cli import register as register_web

app = typer.Typer(
    name="moksori",
    help="Moksori (목소리): build a personal voice from your own recordings and talk with it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    # Plain click messages: rich draws usage errors in a box wrapped at the terminal's width, which
    # splits a long value or path mid-sentence.
    rich_markup_mode=None,
)

for register in (
    register_dataset,
    register_text,
    register_engine,
    register_evaluation,
    register_assistant,
    register_web,
):
    register(app)


if __name__ == "__main__":
    app()
