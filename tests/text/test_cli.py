"""The text commands of the ``moksori`` command line."""

from __future__ import annotations

from typer.testing import CliRunner

from moksori.cli import app

runner = CliRunner()


def test_pronounce_text_and_stdin_lines() -> None:
    assert runner.invoke(app, ["pronounce", "국물 3개"]).output.strip() == "궁물 세 개"
    result = runner.invoke(app, ["pronounce"], input="신라\n좋다\n")
    assert result.exit_code == 0 and result.output.splitlines() == ["실라", "조타"]


def test_phonemes_in_both_languages() -> None:
    assert runner.invoke(app, ["phonemes", "신라!"]).output.split() == ["s", "i", "-l", "l", "a", "!"]
    english = runner.invoke(app, ["phonemes", "--lang", "en", "two cats?"]).output.split()
    assert english == ["T", "UW1", "_", "K", "AE1", "T", "S", "?"]


def test_script_and_messages() -> None:
    lines = runner.invoke(app, ["script", "--count", "5"]).output.splitlines()
    assert len(lines) == 5
    assert "사랑해." in runner.invoke(app, ["script", "--messages"]).output.splitlines()
    assert len(runner.invoke(app, ["script", "--lang", "en", "--count", "2"]).output.splitlines()) == 2


def test_bad_language_is_a_clear_error() -> None:
    result = runner.invoke(app, ["script", "--lang", "fr"])
    assert result.exit_code == 2 and "unsupported language" in result.output


def test_help_for_each_command() -> None:
    for command in ("pronounce", "phonemes", "script"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output
