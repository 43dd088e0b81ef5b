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
_NOUN_TAGS = frozenset({"NNG", "NNP", "NNB", "XR", "SL", "SN"})
_CONTENT_TAGS = _NOUN_TAGS | {"VV", "VA", "MAG", "VX"}
# Words every question to a shop may contain; they say nothing about which question it is.
_GENERIC_WORDS = (
    "되 하 있 없 가 오 좀 혹시 거 것 수 저 제 여기 거기 가게 매장 사장 사장님 그 이 요 어떻 어떻게 어디 뭐 무엇 "
    "말씀 문의 질문 궁금 알 알리 묻 여쭈 그냥 정말 진짜 많이 조금 지금 네 예 아 어 음 데 때 분 개 번 명 등 중 적 줄 "
    "뿐 바 편 시 씨 님 반 쯤 주 드리"
)
_GENERIC = frozenset(_GENERIC_WORDS.split())
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


def bigrams(noun: str) -> list[str]:
    """Syllable pairs of a noun (a two-syllable noun is its own pair): the analyser writes compounds now as
    one noun (점심시간, 디카페인), now as two (점심 시간, 디 카페인); their pairs meet either way."""
    return [noun[i : i + 2] for i in range(len(noun) - 1)]


def features(text: str) -> tuple[list[str], list[str]]:
    """(BM25 terms, nouns) of ``text``: morphemes plus the syllable pairs of long nouns."""
    found = morphemes(text)
    terms = [form for form, _ in found]
    nouns = [form for form, is_noun in found if is_noun]
    for noun in nouns:
        terms += ["·" + pair for pair in bigrams(noun)]
    return terms, nouns


def _covered(noun: str, document: set[str]) -> bool:
    if noun in document:
        return True
    pairs = bigrams(noun)
    return bool(pairs) and sum("·" + pair in document for pair in pairs) * 2 >= len(pairs)


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
                terms, _nouns = features(question)
                documents.append(terms or ["<empty>"])
                self._owner.append(index)
        self._documents = [set(doc) for doc in documents]
        self._retriever = None
        if documents:
            self._retriever = bm25s.BM25(method="lucene")
            self._retriever.index(documents, show_progress=False)

    def match(self, text: str) -> FaqMatch:
        """The best question for ``text``, or ``FaqMatch(None, …)`` when none is good enough."""
        terms, nouns = features(text)
        if self._retriever is None or not terms:
            return FaqMatch(None, 0.0, 0.0)
        scores = self._retriever.get_scores(terms)
        best = int(scores.argmax())
        score = float(scores[best])
        shared = self._documents[best]
        needed = nouns or terms
        coverage = sum(_covered(form, shared) for form in needed) / len(needed)
        if score < SCORE_FLOOR or coverage < NOUN_COVERAGE:
            return FaqMatch(None, score, coverage)
        return FaqMatch(self.faqs[self._owner[best]], score, coverage)
