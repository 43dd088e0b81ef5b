"""``moksori eval``: score synthesized speech against natural recordings and write a report."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add the ``eval`` command to ``app``."""
    app.command("eval")(eval_command)


def eval_command(
    synth: Path = typer.Option(..., "--synth", help="Folder of synthesized <id>.wav/.flac files."),
    ref: Path = typer.Option(..., "--ref", help="Folder of the natural recordings of the same ids."),
    meta: Path = typer.Option(..., "--meta", help="metadata.csv (id|text) of the sentences."),
    train_ref: Path | None = typer.Option(None, "--train-ref", help="The speaker's training recordings, for speaker similarity."),
    lang: str = typer.Option("ko", "--lang", help="ko (vosk CER) or en (pocketsphinx WER)."),
    out: Path = typer.Option(Path("eval-report"), "--out", help="Folder for result.json, report.md and plots."),
    workers: int = typer.Option(1, "--workers", help="Extra processes for the WORLD analysis (0: none)."),
) -> None:
    """MCD, F0 errors, speaker similarity, ASR error and DNSMOS per utterance and on average."""
    from rich.progress import Progress

    from moksori.console import console as make_console
    from moksori.evaluation import evaluate, write_report
    from moksori.evaluation.report import markdown

    if lang not in ("ko", "en"):
        raise typer.BadParameter("use ko or en", param_hint="--lang")
    console = make_console()
    with Progress(transient=True) as bar:
        task = bar.add_task("evaluating", total=1.0)

        def progress(stage: str, fraction: float, info: dict) -> None:
            bar.update(task, completed=fraction, description=f"{stage} {info.get('id', '')}")

        try:
            result = evaluate(synth, ref, meta, train_ref, lang, progress=progress, workers=workers)
        except (ValueError, OSError) as error:
            console.print(f"[red]error:[/red] {error}")
            raise typer.Exit(2) from error
    page = write_report(result, out)
    console.print(markdown(result).split("![")[0].strip())
    console.print(f"report: {page}")
