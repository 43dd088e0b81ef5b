"""Answers from the shop's own questions: kiwipiepy morphemes, BM25 (bm25s, Lucene variant) over every
question and paraphrase, and a floor below which the assistant offers a message instead of guessing.

A match must also share the caller's nouns: "강아지 데려가도 돼요?" shares only 데려가다 and 되다 with
"아이 데려가도 돼요?", and answering it would be a wrong answer, the worst outcome.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from moksori.assistant.intents import after_background, asks, looks_like_question, sentences
from moksori.assistant.numbers import native_pattern, spoken_value
from moksori.assistant.profile import Faq, ShopProfile

# Below this BM25 score (Lucene variant, b=0, divided by the score of one word only one question has) nothing
# is answered: at least half of such a word must be met; out-of-scope dev questions score 0 (docs/benchmarks.md).
SCORE_FLOOR = 0.5
# Besides the score, the question must be *covered*: every content word the caller says (nouns, verbs,
# adjectives, adverbs), generic shop words and the shop's own item words aside, must occur in the matched
# question or its answer; one word in three may be missing from a long question, a noun only where two other
# words name the matched question's topic. A single shared noun is not enough: "충전기 빌려 주실 수
# 있어요?" shares 충전 with "충전할 수 있어요?" but asks to borrow one, "앞에 차 좀 빼 주실 수 있어요?" shares
# only 차 with "차 가져가도 돼요", "단체 할인 있어요?" only 단체 with "단체석 있어요?".
# Bound nouns (가지, 대, 개: counters) carry no topic and are left out.
_NOUN_TAGS = frozenset({"NNG", "NNP", "XR", "SL", "SN"})
_CONTENT_TAGS = _NOUN_TAGS | {"VV", "VA", "MAG", "VX"}
# Auxiliary verbs that only say how something is done (받아 보다: try, 사 놓다 / 맡겨 두다: have it done and
# kept, 먹어 버리다, 늦어지다: become), never what is asked; 나 stays ("뽑고 나서": after, unlike "뽑기 전에").
_ASPECT_AUXILIARIES = frozenset(("보", "놓", "두", "버리", "지"))
# Words every question to a shop may contain; they say nothing about which question it is (좋: "아 좋네요
# 혹시 배달도 되나요?" reacts to the last answer before it asks; 같이: "염색하고 커트 같이 하면 얼마예요?" is not
# taking anything along).
_GENERIC_WORDS = (
    "되 하 있 없 가 오 좀 혹시 거 것 수 저 제 여기 거기 가게 매장 사장 사장님 그 이 요 어떻 어떻게 어디 뭐 무엇 "
    "말씀 문의 질문 궁금 알 알리 묻 여쭈 그냥 정말 진짜 많이 조금 지금 네 예 아 어 음 데 때 분 개 번 명 등 중 적 줄 "
    "뿐 바 편 시 씨 님 반 쯤 주 드리 안녕 여보세요 감사 수고 쓰 받 괜찮 가능 같 그렇 이렇 어떡 처리 이용 사용 공간 "
    "자리 옆 안 없이 밖 앞 뒤 근처 주변 곳 데 시키 앉 다 따로 바로 얼마 가격 비용 요금 금액 값 좋 같이 함께 잡 돈 "
    # how long, how much, how soon, said around any question ("한 달 동안 해외 출장을 가는데…"); 더: "한 명 더
    # 올 것 같아요" is not "고기 더 익혀 줄 수 있어요?"
    "동안 정도 이제 잠깐 미리 너무 거의 총 나중 한참 막 갑자기 잘 더 대충 새로 원래 전혀 만약 혹시나 보통 "
    # "…되는 건지 잘 모르겠네요": the frame of a question, not its topic
    "모르 "
    # what the caller calls the shop ("24시간 하는 헬스장이에요?" asks whether it opens all day)
    "식당 음식점 헬스장 미용실 병원 의원 한의원 치과 카페 센터 샵 숍 업체 정비소 세탁소 빵집 꽃집 떡집 정육점 약국 학원"
)
_GENERIC = frozenset(_GENERIC_WORDS.split())
# Words callers use for the same thing; each group is matched as one term. General shop vocabulary (not
# one shop's FAQ): a shop's own paraphrases go into its profile's ``also``.
SYNONYMS = (
    ("주차", "주차장", "차", "자동차", "차량", "파킹", "발레", "발렛", "대", "세우"),
    ("아이", "애", "애기", "아기", "어린이", "유아", "키즈", "애들", "꼬마", "자녀", "아들", "딸"),
    ("반려견", "강아지", "애견", "애완견", "애완동물", "개", "반려동물", "펫", "댕댕이"),
    ("결제", "카드", "계산", "신용카드", "신용", "체크카드", "체크", "페이", "계좌이체", "계좌", "이체"),
    ("와이파이", "인터넷", "무선", "wifi", "WiFi"),
    ("비밀번호", "비번", "패스워드", "암호"),
    ("단체석", "단체", "룸", "방", "회식", "모임", "별실", "개별실", "프라이빗"),
    ("배달", "배송", "딜리버리"),
    ("충전", "콘센트", "충전기", "플러그", "전원", "휴대폰", "핸드폰", "폰", "노트북", "태블릿"),
    ("보험", "실비", "실손", "보험금", "청구"),
    ("흡연", "담배", "흡연실", "흡연구역", "금연"),
    ("걸리", "소요", "오래"),
    ("동반", "데리", "데려가", "데려오"),  # people and pets along
    ("가져가", "가지", "가져오", "들", "갖", "끌"),  # things along: a car ("차 끌고 가면"), wine, a cake
    ("주류", "술", "와인", "소주", "맥주", "양주", "콜키지"),
    ("점심", "브레이크", "브레이크타임", "휴게"),
    ("화장실", "화장", "변소"),
    ("영수증", "현금영수증", "세금계산서"),
    ("포장", "테이크아웃", "포장용기"),
    ("무료", "공짜", "프리"),
    ("원산지", "국산", "국내산", "수입산", "외국산", "국내", "수입"),  # 수입산 is read 수입 + 산
    ("할인", "깎", "세일", "디씨", "에누리", "떨이"),
    ("대기실", "대기", "기다리"),
    ("샤워", "샤워실", "씻"),
    ("사물함", "락커", "로커", "보관함"),
    ("대여", "빌리", "렌탈", "렌털"),
    ("정지", "홀딩", "멈추", "중지"),
    ("택배", "우편", "택배비"),
    ("상품권", "지역화폐", "온누리", "제로페이"),
    ("썰", "자르", "슬라이스", "손질", "커팅"),
    ("크기", "사이즈", "호수"),
    ("보관", "유통기한", "냉장", "냉동", "얼리"),
    ("맵", "매운맛", "자극", "맵기"),
    ("싱겁", "짜", "싱거"),
    ("처음", "초보", "입문"),
    ("심야", "야간"),
    ("신분증", "민증", "주민등록증", "신분", "면허증"),
    ("환불", "돌려받", "돌려주", "반환", "환급"),
)
_CANONICAL = {word: "≡" + group[0] for group in SYNONYMS for word in group}
_VERB_GROUPS = frozenset(("≡걸리", "≡동반", "≡가져가"))
# Verbs that decide what is asked, never the one word in three allowed missing: "미끄럼 방지 양말은 거기서도
# 팔아요?" asks to buy what "양말 챙겨 오세요" tells the caller to bring.
_DECISIVE = frozenset(("팔", "사", "≡대여"))
_lock = threading.Lock()
_K1 = 1.5  # BM25 term saturation; with b=0 a word a document has scores its IDF times 1 / (1 + k1)


@cache
def _kiwi():  # noqa: ANN202 - kiwipiepy has no public type for the analyser
    from kiwipiepy import Kiwi

    return Kiwi()


def _tokens(text: str) -> list:
    with _lock:  # kiwipiepy's analyser is not documented as thread-safe
        return _kiwi().tokenize(text)


def morphemes(text: str) -> list[tuple[str, bool]]:
    """Content morphemes of ``text`` as (form, is_noun), generic shop words left out."""
    found = []
    for token in _tokens(text):
        tag = token.tag.split("-")[0]  # irregular stems are tagged VA-I, VV-I (쉽다, 걷다): still content words
        manner = tag == "VX" and token.form in _ASPECT_AUXILIARIES
        if tag in _CONTENT_TAGS and token.form not in _GENERIC and not manner:
            found.append((_CANONICAL.get(token.form, token.form), tag in _NOUN_TAGS))
    return found


def bigrams(noun: str) -> list[str]:
    """Syllable pairs of a noun (a two-syllable noun is its own pair): the analyser writes compounds now as
    one noun (점심시간, 디카페인), now as two (점심 시간, 디 카페인); their pairs meet either way."""
    return [noun[i : i + 2] for i in range(len(noun) - 1)]


_PARTICLE = re.compile(r"(?:이랑|랑|하고|이나|나|은|는|이|가|을|를|도|만|에|에서|로|으로|와|과|들)$")


def _synonym_words(text: str) -> list[tuple[str, str]]:
    """Words of a synonym group said in ``text`` that the analyser may have read otherwise (아이 as an
    interjection, 민증 as 민 + 증), as (group, word said): each word with one particle taken off is looked up as
    it stands. A word the analyser reads as a bound noun is left alone: 가지 in "세 가지 맛" counts kinds, it is
    not 가지다 (to take)."""
    bound = {token.form for token in _tokens(text) if token.tag == "NNB"}
    found = []
    for word in text.split():
        if _PARTICLE.sub("", word) in bound:
            continue
        for form in (word, _PARTICLE.sub("", word)):
            if form in _CANONICAL:
                found.append((_CANONICAL[form], form))
                break
    return found


# "밤늦게 여는 약국", "늦게까지 하는 데", "밤늦게까지 있어도 되나요?" are about the late night (심야), not about
# coming late ("늦게 가면 시간 어떻게 돼요?")
_LATE_NIGHT = re.compile(r"(?:밤\s?)?늦게\s?까지|밤\s?늦게")


def _content(text: str) -> list[tuple[str, bool]]:
    """Content words of ``text`` as (form, is_noun): its morphemes and synonym groups (a group of verbs is no
    noun, whichever word of it was said); where the analyser missed a group's word, the pieces it cut it into
    (민증 as 민 + 증) are not words of their own."""
    text = _LATE_NIGHT.sub(" 심야 ", text)
    found = morphemes(text)
    seen = {form for form, _ in found}
    missed = [(group, said) for group, said in _synonym_words(text) if group not in seen]
    pieces = {said[:i] for _, said in missed for i in range(1, len(said))}
    pieces |= {said[i:] for _, said in missed for i in range(1, len(said))}
    found = [(form, is_noun) for form, is_noun in found if form not in pieces]
    found += [(group, True) for group, _ in dict.fromkeys(missed)]
    return [(form, is_noun and form not in _VERB_GROUPS) for form, is_noun in found]


def features(text: str) -> tuple[list[str], list[str]]:
    """(BM25 terms, content words) of ``text``: the words are its morphemes and synonym groups; the terms
    add the syllable pairs of its nouns, which only help retrieval."""
    found = _content(text)
    return _terms(found), [form for form, _ in found]


def _terms(found: list[tuple[str, bool]]) -> list[str]:
    """BM25 terms of content words: the words and the syllable pairs of their nouns."""
    terms = [form for form, _ in found]
    for noun, is_noun in found:
        if is_noun and not noun.startswith("≡") and len(noun) > 2:  # a two-syllable noun is its own pair
            terms += [_pair_term(pair) for pair in bigrams(noun)]
    return terms


def _covered(term: str, document: set[str]) -> bool:
    if term in document:
        return True
    pairs = [] if term.startswith("≡") else bigrams(term)
    # More than half of the pairs: 점심시간 meets 점심 시간 (2 of 3), 예약금 (a deposit) does not meet 예약 (1 of 2).
    return bool(pairs) and sum(_pair_term(pair) in document for pair in pairs) * 2 > len(pairs)


def _pair_term(pair: str) -> str:
    """A syllable pair as a term: the same term as the two-syllable noun it spells (시간 in 점심시간), or its
    synonym group (점심)."""
    return _CANONICAL.get(pair, pair)


@dataclass(frozen=True)
class FaqMatch:
    faq: Faq | None
    score: float
    coverage: float
    more: tuple[Faq, ...] = ()  # the answers to the turn's further question sentences, when it was split

    @property
    def answered(self) -> bool:
        return self.faq is not None


# Words that point back to what the caller said before: a clause with one is asked about that.
_POINTING_BACK = re.compile(r"(?<![가-힣])(?:그런(?!데)|이런|저런|그렇게|이렇게|그거|그걸|그것|이거|이걸|그게|그분|그쪽)")
# "…있어서 그런데, …", "… 근데 …": what follows is asked
_AND_SO = re.compile(r"(?<![가-힣])(?:그런데|근데)요?,?\s")
# "주문한 거 찾으러 갈 때 신분증 가져가야 돼요?": a "…ㄹ 때" clause tells when, and so does "…고 나면" ("빼고 나면
# 세수는 언제부터 해도 돼요?"); what follows is asked
_RIEUL_FINAL = "".join(chr(code) for code in range(0xAC00, 0xD7A4) if (code - 0xAC00) % 28 == 8)
_WHEN_CLAUSE = re.compile(rf"(?:[{_RIEUL_FINAL}]\s?때(?:는|에는|에|도)?|고\s?나(?:면|서)),?\s")
# A clause that ends with a copula and no question word tells, it does not ask ("…데리고 들어가도 돼요? 아 뽀삐 짖지
# 마! 죄송해요, 작은 애예요")
_TELLS = re.compile(r"^(?!.*(?:뭐|어디|언제|얼마|몇|무슨|어떤|누구)).*(?:예요|이에요|에요|이요)$")
# A request ("금요일 말고 목요일로 해 주세요") is no question unless asked as one ("썰어 주세요?").
_REQUEST = re.compile(r"(?:주세요|줘요|주이소|주십시오)\s*$")


# A sentence that reacts to what was just said ("아 그럼 거기 가서 먹어야겠네", "아 샤브샤브집이구나", "아 좋네요")
_REACTION = re.compile(r"(?:겠네|구나|군요|네요)$")


def _without_reactions(text: str) -> str:
    """The turn without its reactions, where something else is said: they name no question ("…먹어야겠네 고기는
    어디 거 써요?" asks where the meat comes from, not about eating)."""
    parts = sentences(text)
    kept = [part for part in parts if not _REACTION.search(part)]
    return " ".join(kept) if kept and len(kept) < len(parts) else text


def question_sentences(text: str) -> list[str]:
    """The sentences of a turn of more than one that ask something; none for a one-sentence turn. A caller
    often says a question and a reason in one breath ("아기 의자 있어요? 돌 지난 애기랑 같이 갈 거라서요"), or two
    questions."""
    parts = sentences(text)
    if len(parts) < 2:
        return []
    return [part for part in parts if looks_like_question(part) and ("?" in part or not _REQUEST.search(part))]


# Days and times said around a question ("토요일에도 주차 돼요?", "그날 차 가지고 갈 건데 …") say when, not what is asked.
_WHEN_WORDS = frozenset(
    ("오늘", "내일", "모레", "주말", "평일", "아침", "저녁", "오전", "오후", "밤", "이번", "다음", "지난", "저번", "날")
    + tuple(day + "요일" for day in "월화수목금토일")
)


# A question for a number or a price is answered only by an answer that gives one: "애들 불소 도포는 몇 달마다
# 받으면 돼요?" is not answered by "어린이도 불소 도포를 해 드려요", "용기값은 따로 받으세요?" not by how the
# food is packed. "몇 달" needs 달 or 개월 in the answer; a price needs 원, 무료 or that nothing is charged.
_UNITS = {
    "달": ("달", "개월"), "개월": ("달", "개월"), "년": ("년", "해"), "살": ("살", "세"), "시간": ("시간",),
    "분": ("분",), "일": ("일",), "주": ("주",), "번": ("번", "회"), "명": ("명", "분", "인"), "장": ("장",),
    "개": ("개",), "층": ("층",), "시": ("시",), "킬로": ("킬로", "km"), "그램": ("그램", "g"),
}  # fmt: skip
_COUNT_ASKED = re.compile(rf"몇\s?({'|'.join(sorted(_UNITS, key=len, reverse=True))})")
_PRICE_ASKED = re.compile(r"얼마(?!나)|가격|비용|요금|금액|값")
_PRICE_GIVEN = re.compile(r"원(?![가-힣])|원이|원을|원씩|원만|무료|공짜|받지\s?않|안\s?받|돈\s?(?:안|없)|서비스로")


# Words said before a question that do not change it ("혹시 지금 바로 가도 돼요?")
_LEADING = re.compile(r"^(?:(?:혹시|지금|그럼|그러면|저|저기|저기요|아|음|네|예|근데|보통)\s)+")


def _as_written(question: str) -> str:
    """A question as the owner may have written it: the leading words above, spacing and punctuation left out."""
    question = re.sub(r"[^\w\s]", " ", question).strip()
    return re.sub(r"\s", "", _LEADING.sub("", question)).replace("되요", "돼요")


def answers_what_is_asked(question: str, faq: Faq) -> bool:
    """Whether ``faq`` gives the number (몇 달) or the price (얼마, 값) ``question`` asks for, if it asks one: its
    answer says one, or the owner's own question asked for the same ("마지막 주문 몇 시까지 받아요?" is answered
    by "문 닫기 삼십 분 전까지")."""
    asked = _COUNT_ASKED.search(question)
    if asked and not any(unit in faq.a for unit in _UNITS[asked.group(1)]) and not any(
        (found := _COUNT_ASKED.search(owner)) and found.group(1) == asked.group(1) for owner in (faq.q, *faq.also)
    ):
        return False
    return (
        not _PRICE_ASKED.search(question)
        or bool(_PRICE_GIVEN.search(faq.a))
        or any(_PRICE_ASKED.search(owner) for owner in (faq.q, *faq.also))
    )


# "A 말고 B": what is asked is B ("반반 말고 세 가지 맛도 돼요?" is not the half-and-half question; "금요일 말고
# 목요일로 해 주세요" asks nothing).
_INSTEAD = re.compile(r"(?:^|\s)말고\s")


# A count the caller says must be the one the owner's question says, where that question counts the same
# thing: "세 가지 맛도 돼요?" is not "두 가지 맛 섞어서 돼요?", "한 명도 예약 돼요?" not "두 명부터 예약 돼요?".
_COUNTED = re.compile(rf"({native_pattern()})\s?(가지|개|명|분|판|마리|잔|그릇|병|장|벌)(?![가-힣])")


def _counts(text: str) -> set[tuple[str, int | None]]:
    return {(counter, spoken_value(number)) for number, counter in _COUNTED.findall(text)}


def _same_counts(said: str, questions: Iterable[str]) -> bool:
    """Whether every count ``said`` is one the owner's questions say, for each thing they count."""
    asked = set().union(*(_counts(question) for question in questions))
    counters = {counter for counter, _ in asked}
    return all(count in asked for count in _counts(said) if count[0] in counters)


class FaqIndex:
    """BM25 over the questions and paraphrases of a shop's FAQ."""

    def __init__(self, faqs: tuple[Faq, ...], shop_words: Iterable[str] = ()) -> None:
        """``shop_words``: the shop's item names and aliases. Callers name them around a question ("젤 네일
        하면 얼마나 걸려요?", "반반 피자 돼요?"); they say what the shop sells, not which question it is, so
        they neither count for a question nor against it — unless the question itself names items: then
        the caller's must be among them ("아이 파마도 해요?" is not "아이 머리도 잘라요?")."""
        import bm25s

        self.faqs = faqs
        # (a word of a synonym group is general shop vocabulary, not an item: 대 in "족발 대" is a size, and
        # the group it stands for is parking's)
        shop_words = list(shop_words)
        self._items = {form for word in shop_words for form, _ in morphemes(word) if not form.startswith("≡")}
        # …except the word for what the shop sells, in the names of many of its items: 와인 in a wine shop's
        # "하우스 화이트 와인", "스파클링 와인", "와인 선물 세트" ("화이트 와인은 차갑게 해 둘 수 있어요?" asks
        # about chilling). Only words of two syllables or more: 대 in "족발 대", "보쌈 대" stays parking's.
        spelled = Counter(word for name in shop_words for word in set(name.split()) if len(word) >= 2)
        self._items |= {
            form for word, count in spelled.items() if count >= 3 for form, _ in morphemes(word) if form.startswith("≡")
        }
        # One document per question with all its paraphrases: IDF then says which *question* a word
        # points to, and a word shared by a question's paraphrases is not discounted for it.
        # Each document is the *set* of its terms, scored without length normalisation (b=0): a question
        # with many paraphrases is no weaker a match for a word it has than one with none, and "주차 돼요?"
        # meets its question fully however many ways the owner wrote it.
        asked = [[(question, *features(question)) for question in (faq.q, *faq.also)] for faq in faqs]
        documents = [sorted({term for _, terms, _ in questions for term in terms}) or ["<empty>"] for questions in asked]
        self._documents = [set(doc) for doc in documents]
        # The owner's answer names what it covers too ("콘택트렌즈는 일회용이랑 난시용 모두 있어요" answers
        # "난시용 렌즈도 있나요?"): its words count as met for coverage, never for the score, so a question
        # must still share words with the owner's questions to be answered.
        self._answer_terms = [set(features(faq.a)[0]) for faq in faqs]
        self._met = [document | answer for document, answer in zip(self._documents, self._answer_terms, strict=True)]
        self._words = [{word for _, _, words in questions for word in words} for questions in asked]
        # A question the owner wrote in generic words only ("바로 가도 돼요?", "그냥 가도 돼요?") has no term to
        # retrieve it by: it is answered when the caller says it as written.
        self._bare_questions = {
            _as_written(question): faq
            for faq, questions in zip(faqs, asked, strict=True)
            for question, _, words in questions
            if not words
        }
        self._retriever = None
        if documents:
            self._retriever = bm25s.BM25(method="lucene", k1=_K1, b=0.0)
            self._retriever.index(documents, show_progress=False)

    @classmethod
    def for_shop(cls, profile: ShopProfile) -> FaqIndex:
        return cls(profile.faq, [word for item in profile.items for word in (item.name, *item.aliases)])

    def topic_words(self, text: str) -> list[str]:
        """The content words of ``text`` that are neither generic nor the shop's items or days: what a
        question is about when it is not about an item ("주차비 얼마예요?" asks about 주차, not the menu)."""
        return [form for form, _ in morphemes(text) if form not in self._items and form not in _WHEN_WORDS]

    def _naming_words(self, text: str, nouns: set[str], document: set[str]) -> int:
        """How many of the caller's words (as spaced) carry a noun the matched question has."""
        met = {noun for noun in nouns if _covered(noun, document)}
        return sum(any(form in met for form, _ in _content(word)) for word in text.split())

    def match(self, text: str) -> FaqMatch:
        """The best question for ``text``, or ``FaqMatch(None, …)`` when none is good enough: the whole turn,
        or else its question sentences when the FAQ answers every one of them (the first as ``faq``, the
        others in ``more``)."""
        text = _without_reactions(text)
        whole = self._match_one(text)
        if whole.answered:
            return whole
        asked = question_sentences(text) or [text]
        written = self._bare_questions.get(_as_written(asked[0])) if len(asked) == 1 else None
        if written is not None:
            return FaqMatch(written, math.inf, 1.0)  # "지금 바로 가도 돼요? 배터리가 반나절도 못 가서요"
        parts = self._sentence_matches(text)
        if not parts:
            return self._asked_clause_match(text) or whole
        first = parts[0]
        more = tuple(dict.fromkeys(part.faq for part in parts[1:] if part.faq not in (None, first.faq)))
        return FaqMatch(first.faq, first.score, first.coverage, more)

    def answers(self, text: str) -> list[Faq]:
        """The FAQ entries that answer ``text``: the whole turn's, or one for each of its question sentences
        ("운동복 빌려 줘요? 그리고 사물함도 있어요?"); none when any of them is left unanswered."""
        match = self.match(text)
        return [match.faq, *match.more] if match.faq is not None else []

    def words_met(self, text: str, faq: Faq) -> set[str]:
        """The content words of ``text`` that ``faq``'s questions have: what a match stands on."""
        document = self._documents[self.faqs.index(faq)]
        return {form for form, _ in _content(text) if _covered(form, document)}

    def _asked_clause_match(self, text: str) -> FaqMatch | None:
        """The match of the clause that asks, where the turn tells a reason or a story first ("받으시는 댁 아이가
        복숭아 알레르기가 있어서 그런데, 과일 선물세트에는 어떤 과일이 들어가나요?"): only when that clause names
        its own topic — a noun or a synonym group the matched question has — and points back to nothing before it ("그런 분도 …",
        "그걸로 …" lean on the story, and "강아지를 키우는데 데려가도 되나요?" names nothing)."""
        asked = [part for part in sentences(text) if looks_like_question(part)]
        if not asked:
            return None
        clause = _WHEN_CLAUSE.split(_AND_SO.split(after_background(asked[-1]))[-1])[-1]
        if clause == text or _POINTING_BACK.search(clause) or _TELLS.search(clause) and not asks(clause):
            return None
        match = self._match_one(clause)
        if not match.answered:
            return None
        document = self._documents[self.faqs.index(match.faq)]
        # (a synonym group names its topic however it is said: "세워 둘 곳이 있을까요?" names parking by 세우다)
        topics = [form for form, is_noun in _content(clause) if is_noun or form.startswith("≡") and form not in _VERB_GROUPS]
        return match if any(_covered(topic, document) for topic in topics) else None

    def _sentence_matches(self, text: str) -> list[FaqMatch]:
        """A match for every question sentence of ``text``, or none when one of them is not answered: half an
        answer is a wrong answer ("방앗간도 하지요? 참기름도 짜 주는교?" asks about pressing oil)."""
        asked = question_sentences(text)
        matches = [self._match_one(sentence) for sentence in asked]
        if not matches or not all(match.answered for match in matches):
            return []
        # A sentence with no noun leans on the rest of the turn ("…못 맡기겠더라고요 그런 것도 봐 주세요?"), unless
        # the rest names nothing its match does not cover ("많이 아파요? 제가 아픈 걸 잘 못 참아서요")
        nouns = {form for form, is_noun in _content(text) if is_noun}
        for sentence, match in zip(asked, matches, strict=True):
            met = self._met[self.faqs.index(match.faq)]
            if not any(is_noun for _, is_noun in _content(sentence)) and not all(_covered(n, met) for n in nouns):
                return []
        return matches

    def _literal_choice(self, best: int, scores, nouns: set[str]) -> int:  # noqa: ANN001 - a numpy array
        """``best``, or another question where ``best`` meets a noun of the caller's only inside a longer
        compound and the other has it as a word of its own (or of its answer), meeting every noun ``best`` meets:
        "학생은 커트 얼마예요?" is the student question, not "초등학생 커트" (학생 there only a syllable pair)."""
        def meets(doc: int) -> set[str]:
            return {noun for noun in nouns if _covered(noun, self._met[doc])}

        def literal(doc: int) -> set[str]:
            return nouns & (self._words[doc] | self._answer_terms[doc])

        best_meets = meets(best)
        inside_compounds = best_meets - literal(best)
        if not inside_compounds:
            return best
        for doc in map(int, scores.argsort()[::-1]):
            if scores[doc] > 0 and doc != best and inside_compounds <= literal(doc) and best_meets <= meets(doc):
                return doc
        return best

    def _match_one(self, text: str) -> FaqMatch:
        text = _INSTEAD.split(text)[-1]
        found = _content(text)
        terms, words = _terms(found), [form for form, _ in found]
        nouns = {form for form, is_noun in found if is_noun}
        if self._retriever is None or not terms:
            return FaqMatch(None, 0.0, 0.0)
        # Scores are divided by the score of one word only one question has: with few questions every IDF
        # is small, and an absolute floor would refuse a shop with two questions everything.
        count = len(self.faqs)
        unique_word = math.log(1 + (count - 0.5) / 1.5) / (1 + _K1)
        scores = self._retriever.get_scores(terms) / unique_word
        best = self._literal_choice(int(scores.argmax()), scores, nouns)
        score = float(scores[best])
        shared = self._documents[best]
        neutral = _WHEN_WORDS if shared & self._items else _WHEN_WORDS | self._items
        answered_words = self._met[best]
        # (a neutral word the matched question or answer has still counts, as met: "그날 … 가족 할인" and "같은 날")
        said = [form for form in dict.fromkeys(words) if form not in neutral or _covered(form, answered_words)]
        missed = [form for form in said if not _covered(form, answered_words)]
        coverage = 1 - len(missed) / len(said) if said else 0.0
        # One word in three may be missing from a long question; a noun only where two other words of the
        # question name what the matched one is about ("대형견인데 미용 받을 수 있어요? 리트리버요"): the nouns say
        # what it asks ("화장실 비밀번호" is not "와이파이 비밀번호", "포장하면 얼마나 걸려요" not a treatment's length).
        if any(form in _DECISIVE for form in missed):
            return FaqMatch(None, score, coverage)
        missed_noun = any(m in nouns for m in missed)
        if missed_noun and self._naming_words(text, nouns, answered_words) < 2:
            return FaqMatch(None, score, coverage)
        if score < SCORE_FLOOR or not said or len(missed) > (len(said) - 1) // 3:
            return FaqMatch(None, score, coverage)
        # With no noun to say what is asked, another question that scores the same and has every word said fits
        # as well: answering would be a guess ("그래도 칠 수 있어요?" has only 치다, which the lesson, the rain and
        # the court-size questions share).
        tied = [doc for doc in range(count) if doc != best and math.isclose(float(scores[doc]), score, rel_tol=1e-6)]
        if not nouns and any(
            all(_covered(form, self._met[doc]) for form in said) for doc in tied
        ):
            return FaqMatch(None, score, coverage)
        faq = self.faqs[best]
        if not answers_what_is_asked(text, faq) or not _same_counts(text, (faq.q, *faq.also)):
            return FaqMatch(None, score, coverage)
        return FaqMatch(faq, score, coverage)

