"""``check_dataset`` on the real recordings of the shared evaluation data (skipped when absent)."""

from __future__ import annotations

import pytest

from moksori.dataset import check_dataset

pytestmark = pytest.mark.data


def test_ko_lmy_is_clean(shared_data) -> None:
    report = check_dataset(shared_data / "ko_lmy")
    assert report.problems == []
    assert len(report.usable) == 325
    assert 26.0 < report.usable_minutes < 26.5


def test_en_pmatthes_flags_only_the_two_clipped_files(shared_data) -> None:
    report = check_dataset(shared_data / "en_pmatthes")
    assert {(p.item, p.code, p.severity) for p in report.problems} == {
        ("LJ001-0045", "clipped", "warning"),
        ("LJ001-0092", "clipped", "warning"),
    }
    assert len(report.usable) == 141
