"""The command line's messages stay whole on any terminal: none is wrapped mid-sentence."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from moksori.cli import app

NARROW = {"COLUMNS": "40", "LINES": "24"}


def test_an_error_naming_a_long_path_is_one_line_on_a_narrow_terminal(tmp_path: Path) -> None:
    missing = tmp_path.joinpath(*["a-rather-deeply-nested-folder"] * 6, "nowhere")
    result = CliRunner().invoke(app, ["dataset", "check", str(missing)], env=NARROW)
    assert result.exit_code == 2
    assert f"{missing} does not exist" in result.output


def test_usage_errors_are_not_wrapped_either() -> None:
    result = CliRunner().invoke(app, ["serve", "--port", "not-a-port-number-at-all"], env=NARROW)
    assert result.exit_code == 2
    assert "Invalid value for '--port': Input should be a valid integer, unable to parse string as an integer" in result.output
