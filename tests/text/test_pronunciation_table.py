"""The table of normalisation and standard-pronunciation cases (tests/text/pronunciation_cases.tsv).

Every row is a rule of 표준 발음법 or a reading convention; rows with a fifth column are known limits
(listed in docs/text-frontend.md) and run as strict xfail, so a fix shows up as an unexpected pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from moksori.text import normalize, pronounce

CASES_FILE = Path(__file__).with_name("pronunciation_cases.tsv")


def load_cases() -> list:
    cases = []
    for line in CASES_FILE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        kind, text, expected, rule, *limit = line.split("\t")
        marks = [pytest.mark.xfail(reason=limit[0], strict=True)] if limit else []
        cases.append(pytest.param(kind, text, expected, id=f"{kind}:{text}:{rule}", marks=marks))
    return cases


CASES = load_cases()


def test_table_is_large_and_mostly_passing() -> None:
    known_limits = sum(1 for case in CASES if case.marks)
    assert len(CASES) >= 150
    assert known_limits <= 0.05 * len(CASES)


@pytest.mark.parametrize(("kind", "text", "expected"), CASES)
def test_case(kind: str, text: str, expected: str) -> None:
    if kind == "normalize":
        assert normalize(text) == expected
    else:
        assert pronounce(text).replace(" ", "") == expected.replace(" ", "")
