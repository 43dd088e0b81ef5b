"""``moksori assistant simulate``: its JSON lines, one store across the calls of a file, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from moksori.cli import app

CALLS = [
    {"id": "c1", "caller": ["여보세요, 모레 오후 2시에 젤네일 예약 되나요?", "김민수요", "공일공 일이삼사 오륙칠팔", "네 맞아요"]},
    {"id": "c2", "caller": ["예약 취소하려고요", "공일공 일이삼사 오륙칠팔", "네", "아니요 없어요", "이 줄은 전화가 끊긴 뒤예요"]},
    {"id": "c3", "caller": ["주차 되나요?"]},
]


def _simulate(shop: Path, calls: list[dict] | str, tmp_path: Path, *extra: str) -> tuple[int, str, str]:
    path = tmp_path / "calls.jsonl"
    text = calls if isinstance(calls, str) else "\n".join(json.dumps(c, ensure_ascii=False) for c in calls)
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["assistant", "simulate", "--shop", str(shop), "--calls", str(path), "--now", "2026-12-01T10:00:00+09:00", *extra],
    )
    return result.exit_code, result.stdout, result.stderr


def test_results_one_line_per_call(salon_file: Path, tmp_path: Path) -> None:
    code, out, _ = _simulate(salon_file, CALLS, tmp_path)
    assert code == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in results] == ["c1", "c2", "c3"]
    first, second, third = results
    assert first["records"] == [
        {"type": "booking", "ref": "B1", "date": "2026-12-03", "time": "14:00", "party": 1, "name": "김민수",
         "phone": "01012345678", "item": "젤 네일"}
    ]  # fmt: skip
    assert all(set(turn) >= {"caller", "assistant"} for turn in first["turns"])
    assert len(first["turns"]) == 4
    # the second call cancels the first call's booking, then says goodbye: the last line is never heard
    assert second["records"] == [{"type": "booking_cancel", "ref": "B1"}]
    assert len(second["turns"]) == 4
    assert third["records"] == [] and "지하 주차장" in third["turns"][0]["assistant"]
    assert all(isinstance(r["summary"], str) and r["summary"] for r in results)


def test_bad_inputs_are_named(salon_file: Path, tmp_path: Path) -> None:
    code, _, err = _simulate(salon_file, '{"id": "c1", "caller": ["네"]}\nnot json\n', tmp_path)
    assert code == 2 and "calls.jsonl:2: not JSON" in err
    code, _, err = _simulate(salon_file, '{"id": "c1", "caller": "네"}\n', tmp_path)
    assert code == 2 and '"caller"' in err
    bad_shop = tmp_path / "bad.yaml"
    bad_shop.write_text(salon_file.read_text(encoding="utf-8").replace('"10:00-20:00"', '"20:00-10:00"', 1))
    code, _, err = _simulate(bad_shop, CALLS, tmp_path)
    assert code == 2 and "closes before it opens" in err
    code, _, err = _simulate(salon_file, CALLS, tmp_path, "--speech", "nowhere.voice")
    assert code == 2 and "--speech" in err


def test_a_store_carries_bookings_from_one_run_to_the_next(salon_file: Path, tmp_path: Path) -> None:
    store = tmp_path / "store.json"
    code, out, _ = _simulate(salon_file, CALLS[:1], tmp_path, "--store", str(store))
    assert code == 0 and store.exists()
    code, out, _ = _simulate(salon_file, [CALLS[1]], tmp_path, "--store", str(store))
    assert json.loads(out.splitlines()[0])["records"] == [{"type": "booking_cancel", "ref": "B1"}]
    code, out, _ = _simulate(salon_file, CALLS[:1], tmp_path, "--store", str(store))
    assert json.loads(out.splitlines()[0])["records"][0]["ref"] == "B2"  # references go on


def test_an_empty_caller_line_is_a_turn_of_silence(salon_file: Path, tmp_path: Path) -> None:
    calls = [{"id": "quiet", "caller": ["", "모레 오후 2시에 젤네일 예약할게요", "", "", ""]}]
    code, out, _ = _simulate(salon_file, calls, tmp_path)
    assert code == 0
    turns = json.loads(out)["turns"]
    assert turns[0]["assistant"].startswith("여보세요?") and "무엇을 도와드릴까요?" in turns[0]["assistant"]
    assert turns[2]["assistant"].startswith("여보세요?") and turns[2]["assistant"].endswith(turns[1]["assistant"])
    assert "끊을게요" in turns[4]["assistant"]  # the third silence in a row ends the call
