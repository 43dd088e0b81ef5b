"""Scores the call assistant on the scripted calls of bench/assistant (docs/benchmarks.md, "assistant").

    python -m bench.assistant_calls --split test [--speech espeak] [--every K] [--limit N] [--show-failures]

Task success: the call's records are exactly the expected ones (ref-independent; a message's text is not
compared). False record: a booking, change or order written with any field the caller did not ask for.
FAQ: the answer turn contains the expected answer. Out of scope: the turn offers a message or the owner and
contains no FAQ answer. Latency: the dialogue's own time per turn (text level).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from moksori.assistant.profile import load_profile
from moksori.assistant.simulate import ScriptedCall, simulate, speaker, telephone_channel

HERE = Path(__file__).parent / "assistant"
NOW = dt.datetime.fromisoformat("2026-12-01T10:00:00+09:00")
SHOP_FILES = {"restaurant": "restaurant.yaml", "nail": "nail.yaml", "cafe": "cafe.yaml", "clinic": "clinic.yaml"}
WRITES = ("booking", "booking_change", "order")


def _comparable(record: dict, refs: dict[str, str]) -> dict:
    record = dict(record)
    if "of" in record:
        record["ref"] = refs.get(record.pop("of"), "?")
    if record["type"] == "booking":
        record.pop("ref", None)
    if record["type"] == "message":
        record.pop("text", None)
    if record["type"] == "handoff":
        record.pop("reason", None)
    return record


def score(split: str, speech: str | None, limit: int | None, show: bool, every: int = 1) -> dict:
    lines = (HERE / f"calls_{split}.jsonl").read_text(encoding="utf-8").splitlines()
    calls = [json.loads(line) for line in lines if line.strip()]
    calls = calls[::every]  # every k-th call: a sample across all shops (speech runs are slow)
    if limit:
        calls = calls[:limit]
    hear = telephone_channel(speaker(speech)) if speech else None
    by_shop: dict[str, list[dict]] = defaultdict(list)
    for call in calls:
        by_shop[call["shop"]].append(call)
    totals = defaultdict(int)
    latencies: list[float] = []
    started = time.perf_counter()
    for shop, group in by_shop.items():
        profile = load_profile(HERE / "shops" / SHOP_FILES[shop])
        answers = [faq.a for faq in profile.faq]
        refs: dict[str, str] = {}
        scripted = [ScriptedCall(c["id"], c["caller"]) for c in group]
        for call, result in zip(group, simulate(profile, scripted, NOW, hear), strict=True):
            for record in result["records"]:
                if record["type"] == "booking":
                    refs[call["id"]] = record["ref"]
            got = sorted(json.dumps(_comparable(r, refs), sort_keys=True, ensure_ascii=False) for r in result["records"])
            want = sorted(
                json.dumps(_comparable(r, refs), sort_keys=True, ensure_ascii=False) for r in call["expect"]["records"]
            )
            totals["calls"] += 1
            ok = got == want
            totals["success"] += ok
            for record in got:
                if json.loads(record)["type"] in WRITES:
                    totals["writes"] += 1
                    if record not in want:
                        totals["false"] += 1
            turns = result["turns"]
            latencies += [turn["ms"] for turn in turns]
            for answer in call["expect"].get("answers", []):
                totals["faq"] += 1
                reply = turns[answer["turn"]]["assistant"] if answer["turn"] < len(turns) else ""
                hit = answer["contains"] in reply
                totals["faq_ok"] += hit
                ok = ok and hit
            for turn in call["expect"].get("out_of_scope", []):
                totals["oos"] += 1
                reply = turns[turn]["assistant"] if turn < len(turns) else ""
                wrong = any(a in reply for a in answers)
                totals["oos_wrong"] += wrong
                handled = (not wrong) and ("메시지" in reply or "사장님" in reply)
                totals["oos_handled"] += handled
                if show and not handled:
                    print(f"--- {call['id']} out of scope not offered: {call['caller'][turn]} -> {reply}", file=sys.stderr)
            if show and not ok:
                print(f"--- {call['id']}  want {want}\n    got  {got}", file=sys.stderr)
                for turn in turns:
                    print(f"    C: {turn['caller']}" + (f"  [{turn['heard']}]" if "heard" in turn else ""), file=sys.stderr)
                    print(f"    A: {turn['assistant']}", file=sys.stderr)
    latencies.sort()
    calls_n = totals["calls"]
    return {
        "split": split,
        "every": every,
        "speech": speech or "text",
        "calls": calls_n,
        "task_success": round(totals["success"] / calls_n, 4),
        "false_records": totals["false"],
        "false_record_rate": round(totals["false"] / calls_n, 4),
        "writes": totals["writes"],
        "faq_accuracy": round(totals["faq_ok"] / max(totals["faq"], 1), 4),
        "faq_questions": totals["faq"],
        "out_of_scope": totals["oos"],
        "out_of_scope_answered_wrongly": totals["oos_wrong"],
        "out_of_scope_offered_message_or_owner": totals["oos_handled"],
        "turn_ms_p50": round(statistics.median(latencies), 2) if latencies else None,
        "turn_ms_p95": round(latencies[int(0.95 * (len(latencies) - 1))], 2) if latencies else None,
        "wall_s": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--speech", help="espeak or a .voice file")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--every", type=int, default=1, help="score every k-th call only")
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args()
    print(json.dumps(score(args.split, args.speech, args.limit, args.show_failures, args.every), ensure_ascii=False))


if __name__ == "__main__":
    main()
