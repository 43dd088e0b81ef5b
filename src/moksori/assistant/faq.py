"""Answers from the shop's own questions: kiwipiepy morphemes, BM25 (bm25s, Lucene variant) over every
question and paraphrase, and a floor below which the assistant offers a message instead of guessing.

A match must also share the caller's nouns: "강아지 데려가도 돼요?" shares only 데려가다 and 되다 with
"아이 데려가도 돼요?", and answering it would be a wrong answer, the worst outcome.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache

from moksori.assistant.profile import Faq

# Below this BM25 score (Lucene variant) nothing is answered; set on the dev calls (docs/benchmarks.md).
SCORE_FLOOR = 0.5
# At least this share of the caller's nouns must occur in the matched question.
NOUN_COVERAGE = 0.5
_NOUN_TAGS = frozenset({"NNG", "NNP", "XR", "SL", "SN"})
_CONTENT_TAGS = _NOUN_TAGS | {"VV", "VA", "MAG", "NR", "VX"}
# Words every question to a shop may contain; they say nothing about which question it is.
_GENERIC = frozenset(
    [
        "되",
        "하",
        "있",
        "없",
        "가",
        "오",
        "좀",
        "혹시",
        "거",
        "것",
        "수",
        "저",
        "제",
        "여기",
        "거기",
        "가게",
        "매장",
        "사장",
        "사장님",
        "그",
        "이",
        "요",
        "어떻",
        "어떻게",
        "어디",
        "뭐",
        "무엇",
        "말씀",
        "문의",
        "질문",
        "궁금",
        "알",
        "알리",
        "묻",
        "여쭈",
        "그냥",
        "정말",
        "진짜",
        "많이",
        "조금",
        "지금",
        "네",
        "예",
        "아",
        "어",
        "음",
    ]
)
_lock = threading.Lock()


@cache
def _kiwi():  # noqa: ANN202 - kiwipiepy has no public type for the analyser
    from kiwipiepy import Kiwi

    return Kiwi()


def morphemes(text: str) -> list[tuple[str, bool]]:
    """Content morphemes of ``text`` as (form, is_noun), generic shop words left out."""
    with _lock:  # kiwipiepy's analyser is not documented as thread-safe
        tokens = _kiwi().tokenize(text)
    return [
        (token.form, token.tag in _NOUN_TAGS)
        for token in tokens
        if token.tag in _CONTENT_TAGS and token.form not in _GENERIC
    ]


@dataclass(frozen=True)
class FaqMatch:
    faq: Faq | None
    score: float
    coverage: float

    @property
    def answered(self) -> bool:
        return self.faq is not None


class FaqIndex:
    """BM25 over the questions and paraphrases of a shop's FAQ."""

    def __init__(self, faqs: tuple[Faq, ...]) -> None:
        import bm25s

        self.faqs = faqs
        self._owner: list[int] = []
        documents: list[list[str]] = []
        for index, faq in enumerate(faqs):
            for question in (faq.q, *faq.also):
                documents.append([form for form, _ in morphemes(question)] or ["<empty>"])
                self._owner.append(index)
        self._documents = [set(doc) for doc in documents]
        self._retriever = None
        if documents:
            self._retriever = bm25s.BM25(method="lucene")
            self._retriever.index(documents, show_progress=False)

    def match(self, text: str) -> FaqMatch:
        """The best question for ``text``, or ``FaqMatch(None, …)`` when none is good enough."""
        query = morphemes(text)
        if self._retriever is None or not query:
            return FaqMatch(None, 0.0, 0.0)
        forms = [form for form, _ in query]
        scores = self._retriever.get_scores(forms)
        best = int(scores.argmax())
        score = float(scores[best])
        nouns = [form for form, is_noun in query if is_noun]
        shared = self._documents[best]
        needed = nouns or forms
        coverage = sum(form in shared for form in needed) / len(needed)
        if score < SCORE_FLOOR or coverage < NOUN_COVERAGE:
            return FaqMatch(None, score, coverage)
        return FaqMatch(self.faqs[self._owner[best]], score, coverage)
