"""``moksori dataset check`` and ``moksori dataset import``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

dataset_app = typer.Typer(help="Check and import recordings (LJSpeech-style folders or zips).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ``dataset`` commands to ``app``."""
    app.add_typer(dataset_app, name="dataset")


@dataset_app.command("check")
def check_command(
    path: Path = typer.Argument(..., help="Dataset folder (metadata.csv + wavs/) or a zip of one."),
    json_out: Path | None = typer.Option(None, "--json", help="Also write the full report as JSON here."),
) -> None:
    """List every file with a problem and a summary. Exit code 0 when the dataset is usable."""
    from moksori.console import console as make_console
    from moksori.dataset import DatasetError, check_dataset

    console = make_console()
    try:
        with _progress_bar("checking") as progress:
            report = check_dataset(path, progress)
    except DatasetError as error:
        console.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from error
    _print_report(console, report)
    if json_out:
        json_out.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
    raise typer.Exit(0 if report.ok else 1)


@dataset_app.command("import")
def import_command(
    src: Path = typer.Argument(..., help="Dataset folder or zip to import."),
    dest: Path = typer.Argument(..., help="New folder for the prepared dataset (must not exist or be empty)."),
) -> None:
    """Prepare recordings for training: 22.05 kHz, silence trimmed, loudness normalised; bad files skipped."""
    from moksori.console import console as make_console
    from moksori.dataset import DatasetError, import_dataset
    from moksori.dataset.prepare import REPORT_NAME

    console = make_console()
    try:
        with _progress_bar("importing") as progress:
            out = import_dataset(src, dest, progress)
    except DatasetError as error:
        console.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from error
    summary = json.loads((out / REPORT_NAME).read_text(encoding="utf-8"))
    skipped = [p for p in summary["problems"] if p["severity"] == "error"]
    for problem in skipped:
        console.print(f"[yellow]skipped[/yellow] {problem['item']}: {problem['message']}")
    console.print(
        f"imported {summary['imported']} utterances ({summary['usable_minutes']:.1f} min recorded, "
        f"{summary['prepared_minutes']:.1f} min after trimming silence) into {out}; "
        f"report: {out / REPORT_NAME}"
    )


class _progress_bar:
    """A rich progress bar usable as the ``progress(stage, fraction, info)`` callback."""

    def __init__(self, label: str) -> None:
        from rich.progress import Progress

        self.bar = Progress(transient=True)
        self.task = self.bar.add_task(label, total=1.0)

    def __enter__(self) -> _progress_bar:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def __call__(self, stage: str, fraction: float, info: dict) -> None:
        self.bar.update(self.task, completed=fraction, description=f"{stage} {info.get('id', '')}")


def _print_report(console, report) -> None:
    from rich.table import Table

    colour = {"error": "red", "warning": "yellow", "note": "cyan"}
    if report.problems:
        table = Table(title=f"Problems in {report.root}")
        for column in ("file", "problem", "severity", "details"):
            table.add_column(column)
        for p in report.problems:
            table.add_row(p.item, p.code, f"[{colour[p.severity]}]{p.severity}[/]", p.message)
        console.print(table)
    counts = ", ".join(f"{code}: {n}" for code, n in report.counts().most_common()) or "none"
    console.print(
        f"{len(report.files)} files with text, {len(report.usable)} usable, "
        f"{report.usable_minutes:.1f} minutes usable; problems: {counts}"
    )
    console.print("[green]usable[/green]" if report.ok else "[red]not usable: no file can be imported[/red]")
