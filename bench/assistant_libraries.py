"""Candidate libraries for the assistant's parsers, measured on the same tables as the assistant's own code
(docs/benchmarks.md, "assistant: libraries"). Needs the ``bench`` extra (korean-datetime, rank-bm25).

    python bench/assistant_libraries.py

- dates and times: korean-datetime's ``parse`` against ``moksori.assistant.slots`` on the tables of
  tests/assistant/test_slots.py (right value; no value where none is said);
- items: rapidfuzz on jamo (the assistant) against rapidfuzz on syllables and exact matching;
- FAQ: BM25 from bm25s and from rank-bm25 over the same kiwipiepy terms, on the FAQ and out-of-scope turns
  of the dev calls: top-1 accuracy, and how many out-of-scope questions outscore the weakest right answer.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

from rapidfuzz import fuzz

from moksori.assistant import items as item_matching
from moksori.assistant.faq import FaqIndex, features
from moksori.assistant.profile import load_profile
from moksori.assistant.slots import parse_date, parse_time, resolve_time
from tests.assistant.test_slots import CAFE, DATES, ITEMS, NOT_DATES, NOT_TIMES, TIMES

HERE = Path(__file__).parent / "assistant"
SHOPS = {"restaurant": "restaurant.yaml", "nail": "nail.yaml", "cafe": "cafe.yaml", "clinic": "clinic.yaml"}


def dates_and_times() -> dict:
    from korean_datetime import parse

    def library_date(said: str, today: dt.date) -> dt.date | None:
        found = parse(said, now=dt.datetime.combine(today, dt.time(10)))
        return found.start.date() if found else None

    def library_time(said: str) -> str | None:
        found = parse(said, now=dt.datetime(2026, 12, 1, 10))
        return (
            found.start.strftime("%H:%M")
            if found and found.start.time() != dt.time(0) or said.startswith("자정") and found
            else None
        )

    def own_time(said: str) -> str | None:
        spoken = parse_time(said)
        return resolve_time(spoken, [(600, 1200)]).strftime("%H:%M") if spoken else None

    today = dt.date(2026, 12, 1)
    results = {}
    for name, date_of, time_of in (
        ("korean-datetime", library_date, library_time),
        ("moksori.assistant.slots", parse_date, own_time),
    ):
        started = time.perf_counter()
        right_dates = sum(date_of(s, t) == dt.date.fromisoformat(e) for s, t, e in DATES)
        quiet_dates = sum(date_of(s, today) is None for s in NOT_DATES)
        right_times = sum(time_of(s) == e for s, e in TIMES)
        quiet_times = sum(time_of(s) is None for s in NOT_TIMES)
        calls = len(DATES) + len(NOT_DATES) + len(TIMES) + len(NOT_TIMES)
        results[name] = {
            "dates_right": f"{right_dates}/{len(DATES)}",
            "no_date_where_none": f"{quiet_dates}/{len(NOT_DATES)}",
            "times_right": f"{right_times}/{len(TIMES)}",
            "no_time_where_none": f"{quiet_times}/{len(NOT_TIMES)}",
            "ms_per_parse": round((time.perf_counter() - started) * 1000 / calls, 3),
        }
    return results


def item_names() -> dict:
    def exact(text: str, name: str) -> float:
        return 100.0 if text == name else 0.0

    results = {}
    for label, similarity in (
        ("rapidfuzz on jamo", item_matching._similarity),
        ("rapidfuzz on syllables", lambda text, name: fuzz.ratio(text, name)),
        ("exact", exact),
    ):
        original = item_matching._similarity
        item_matching._similarity = similarity
        try:
            right = sum(
                [(m.name, m.qty) for m in item_matching.find_items(said, CAFE)] == expected
                for said, expected in ITEMS
            )
        finally:
            item_matching._similarity = original
        results[label] = f"{right}/{len(ITEMS)}"
    return results


def faq_retrieval() -> dict:
    import bm25s
    from rank_bm25 import BM25Okapi

    calls = [json.loads(line) for line in (HERE / "calls_dev.jsonl").read_text(encoding="utf-8").splitlines()]
    results: dict[str, dict] = {}
    for label in ("bm25s (lucene)", "rank-bm25 (okapi)"):
        right = total = 0
        lowest_right: list[float] = []
        out_of_scope: list[float] = []
        for shop, file in SHOPS.items():
            profile = load_profile(HERE / "shops" / file)
            index = FaqIndex.for_shop(profile)
            documents = [features(q)[0] or ["<empty>"] for f in profile.faq for q in (f.q, *f.also)]
            owners = [f.a for f in profile.faq for _ in (f.q, *f.also)]
            if label.startswith("bm25s"):
                retriever = bm25s.BM25(method="lucene")
                retriever.index(documents, show_progress=False)
                score = retriever.get_scores
            else:
                score = BM25Okapi(documents).get_scores
            for call in (c for c in calls if c["shop"] == shop):
                for answer in call["expect"].get("answers", []):
                    scores = list(score(features(call["caller"][answer["turn"]])[0]))
                    best = max(range(len(scores)), key=scores.__getitem__)
                    total += 1
                    if answer["contains"] in owners[best]:
                        right += 1
                        lowest_right.append(scores[best])
                for turn in call["expect"].get("out_of_scope", []):
                    terms = features(call["caller"][turn])[0]
                    out_of_scope.append(max(score(terms)) if terms else 0.0)
            del index
        floor = min(lowest_right) if lowest_right else 0.0
        results[label] = {
            "top1": f"{right}/{total}",
            "out_of_scope_scoring_above_weakest_right_answer": f"{sum(s >= floor for s in out_of_scope)}/{len(out_of_scope)}",
        }
    return results


def main() -> None:
    print(
        json.dumps(
            {"dates_times": dates_and_times(), "items": item_names(), "faq": faq_retrieval()},
            ensure_ascii=False,
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
