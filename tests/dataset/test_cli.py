"""``moksori dataset check`` and ``import`` from the command line."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from moksori.cli import app


def test_check_prints_problems_and_exits_by_usability(synthetic_speaker, tmp_path: Path) -> None:
    runner = CliRunner()
    src = synthetic_speaker("ko_f", 4)
    result = runner.invoke(app, ["dataset", "check", str(src)])
    assert result.exit_code == 0, result.output
    assert "4 usable" in result.output and "problems: none" in result.output

    bad = tmp_path / "bad"
    (bad / "wavs").mkdir(parents=True)
    (bad / "metadata.csv").write_text("a|안녕\n", encoding="utf-8")
    (bad / "wavs" / "a.wav").write_text("not audio")
    result = runner.invoke(app, ["dataset", "check", str(bad)])
    assert result.exit_code == 1
    assert "undecodable" in result.output and "not usable" in result.output

    result = runner.invoke(app, ["dataset", "check", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_import_command(synthetic_speaker, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["dataset", "import", str(synthetic_speaker("ko_f", 4)), str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "imported 4 utterances" in result.output
    assert len(list((tmp_path / "out" / "wavs").glob("*.wav"))) == 4
