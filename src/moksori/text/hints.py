"""Where morphemes meet: the knowledge the pronunciation rules cannot read off the letters.

Most of it comes from the letters and two small word lists (a respelling lexicon and the nouns ending in
의). Only words where a verb stem may meet an ending (신고 [신꼬] 'wearing' versus 신고 'a report', 할게
[할께] versus 알게 [알게]) are analysed with kiwipiepy, each with its neighbouring words as context and
cached, so that most words never reach the analyser.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources

from moksori.text.hangul import LETTERS, coda_of, onset_of
from moksori.text.rules import LENIS_TO_TENSE, Y_OR_I_VOWELS, Hint

# Second syllables after a stem ending in ㄴ/ㅁ (or ㄹ) that may start an ending: only these words are analysed.
_ENDING_SYLLABLES = frozenset("고다지게기도든던더자소습겠걸수세진밖거건데")
# Last syllables of the verb and adjective stems ending in ㄴ or ㅁ (안다 신다 감다 담다 남다 … 더듬다):
# a closed class, so other words in ㄴ/ㅁ (한다 = 하+ㄴ다, 감사) are never sent to the analyser.
_STEMS_IN_N_OR_M = frozenset("안신감담남삼심숨참품넘검듬금")
_VERB_TAGS = frozenset(("VV", "VA", "VX", "XSV", "XSA"))
# Codas whose own sound changes before a content morpheme beginning with a vowel (맛없다 [마덥따]).
_NEUTRALISED_BEFORE_VOWEL = frozenset("ㅅㅆㅈㅊㅌㅍㄲㅋㄳㅄㄺㄼ")
_NOUNS_ENDING_IN_UI = frozenset((
    "회의", "주의", "정의", "강의", "동의", "합의", "논의", "협의", "건의", "결의", "모의", "문의", "의의",
    "예의", "호의", "편의", "유의", "토의", "심의", "창의", "이의", "민의", "성의", "열의", "신의", "적의",
    "견의", "본의", "발의", "쟁의", "대의", "불의", "고의", "부의", "자의", "타의", "질의", "회의실",
))  # fmt: skip


# After ㄹ these start particles and endings (일도, 살자, 멀지) or belong to loanwords (월드, 빌딩), not to
# the second half of a Sino-Korean word.
_NOT_SINO_AFTER_L = frozenset("도다지자더던든서소세습죠잖드즈스딩")
_STATION = re.compile(r"(?<=[가-힣]{2})역(?:에서|에|으로|까지|부터|은|이|을|의|과|도|앞)?$")


@cache
def _lexicon() -> tuple[dict[str, str], re.Pattern[str] | None]:
    text = resources.files("moksori.text").joinpath("data/pronunciation_lexicon.tsv").read_text("utf-8")
    entries = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            spelling, respelling = line.split("\t")[:2]
            if len(spelling) != len(respelling):
                raise ValueError(f"lexicon entry {spelling!r} must keep its length")
            entries[spelling] = respelling
    keys = sorted(entries, key=len, reverse=True)
    pattern = re.compile(r"(?<![가-힣])(?:" + "|".join(map(re.escape, keys)) + ")") if keys else None
    return entries, pattern


def respell(text: str) -> str:
    """Replace words whose pronunciation is lexical (ㄴ첨가, compound tensing) by a respelling of equal length.

    Entries match at the start of a word, so ``물가가`` is respelled but ``선물가게`` is not.
    """
    entries, pattern = _lexicon()
    return pattern.sub(lambda m: entries[m.group()], text) if pattern else text


@cache
def _kiwi():
    from kiwipiepy import Kiwi  # lazy: loading the model takes about two seconds

    # The typo and multi-word dictionaries help with messy chat text, not with the word shapes we ask
    # about, and cost ~190 MB of a speaking process's memory.
    return Kiwi(num_workers=-1, load_typo_dict=False, load_multi_dict=False)


@lru_cache(maxsize=65536)
def analysed_word_hints(
    word: str, previous_word: str = "", next_word: str = ""
) -> tuple[tuple[int, Hint], ...]:
    """Hints inside one word from its morphemes: tensing after 관형사형 -ㄹ and after verb stems in ㄴ/ㅁ.

    The neighbouring words are analysed with it as context (머리를 감다: 감/VV, not 가/VV + ㅁ다; 갈 곳:
    가/VV + ㄹ/ETM). Offsets are relative to ``word``; offset ``len(word)`` means the first syllable of the
    next word (할 것 [할 껃]).
    """
    shift = len(previous_word) + 1 if previous_word else 0
    phrase = " ".join(w for w in (previous_word, word, next_word) if w)
    analysed = _kiwi().tokenize(phrase)
    tokens = [t for t in analysed if shift <= t.start < shift + len(word)]
    following_tokens = [t for t in analysed if t.start > shift + len(word)]
    found: list[tuple[int, Hint]] = []
    for token, following in zip(tokens, tokens[1:] + [None], strict=True):
        start = token.start - shift
        end = start + token.len
        if token.tag in _VERB_TAGS:
            found.append((end - 1, Hint.VERB))
            if following is not None and following.tag.startswith("E") and following.start - shift == end:
                stem_coda = coda_of(word[end - 1])
                if stem_coda in ("ㄴ", "ㅁ", "ㄵ", "ㄻ"):  # 신고 [신꼬], 감다 [감따]
                    found.append((end, Hint.TENSE))
        if token.tag.startswith("NN"):
            for i in range(start + 1, end):  # Sino-Korean ㄹ+ㄷㅅㅈ inside one noun: 절도 [절또]
                if coda_of(word[i - 1]) == "ㄹ" and onset_of(word[i]) in ("ㄷ", "ㅅ", "ㅈ"):
                    found.append((i, Hint.TENSE))
        if token.tag.startswith("E") and token.form[:1] in ("ᆯ", "을"):
            found.append((start + 1, Hint.TENSE))  # 할게 [할께], 할 것 [할 껃]
    if (
        tokens
        and following_tokens
        and tokens[-1].tag in ("ETM", "MM")
        and following_tokens[0].tag.startswith("NN")
        and following_tokens[0].len == 1  # a one-syllable noun: 일, 약, 잎 (not 그런 이유)
        and _starts_like_i(next_word)
    ):
        found.append((len(word), Hint.N_INSERT))  # 할 일 [할릴], 무슨 일 [무슨닐]
    return tuple(found)


def _starts_like_i(word: str) -> bool:
    """Starts with 이/야/여/요/유 (and 얘/예), where ㄴ may be inserted before it."""
    letters = LETTERS.get(word[:1])
    return letters is not None and letters[0] == "ㅇ" and letters[1] in Y_OR_I_VOWELS


def _needs_analysis(word: str, next_word: str) -> tuple[bool, bool]:
    """(a stem may meet an ending inside the word, the word may end in 관형사형 -ㄹ before a lenis)."""
    inside = False
    for i in range(1, len(word)):
        if word[i] in _ENDING_SYLLABLES:
            coda = coda_of(word[i - 1])
            if coda in ("ㄹ", "ㄵ", "ㄻ") or (coda in ("ㄴ", "ㅁ") and word[i - 1] in _STEMS_IN_N_OR_M):
                inside = True
                break
    coda = coda_of(word[-1])
    before_next = bool(next_word) and (
        (coda == "ㄹ" and word[-1] != "를" and onset_of(next_word[0]) in LENIS_TO_TENSE)
        or (coda in ("ㄴ", "ㄹ") and next_word[0] in _ONE_SYLLABLE_NOUNS_LIKE_I)
    )
    return inside, before_next


# One-syllable nouns before which ㄴ is inserted after 관형사형 -ㄴ/-ㄹ (할 일, 먹을 약): gate for analysis.
_ONE_SYLLABLE_NOUNS_LIKE_I = frozenset("일약잎엿역윷이열")

_NUMERAL_SYLLABLES = frozenset("일이삼사오육칠팔구십백천만억")
_COUNTER_WITH_VOWEL = re.compile(r"(?:일|원|인|억|엔)(?:[은는이가을를에의도만과까부]|$)")

_WORD = re.compile(r"[가-힣]+")


def boundary_hints(text: str) -> dict[int, Hint]:
    """Hints keyed by the character offset of the syllable after the boundary (see ``rules.Hint``)."""
    hints: dict[int, Hint] = {}

    def add(offset: int, hint: Hint) -> None:
        hints[offset] = hints.get(offset, Hint.NONE) | hint

    words = [(m.start(), m.group()) for m in _WORD.finditer(text)]
    for index, (start, word) in enumerate(words):
        next_start, next_word = words[index + 1] if index + 1 < len(words) else (len(text), "")
        adjacent = text[start + len(word) : next_start].strip() == ""
        _letter_hints(word, start, add)
        if adjacent and word[-1] in _NUMERAL_SYLLABLES and _COUNTER_WITH_VOWEL.match(next_word):
            add(next_start, Hint.LEXICAL)  # a number links into its counter: 육 일 [유길], 삼만 원 [삼마눤]
        if adjacent and word in ("못", "옷") and _starts_like_i(next_word):
            add(next_start, Hint.N_INSERT)  # 못 잊어 [몬니저], 옷 입다 [온닙따]
        inside, before_next = _needs_analysis(word, next_word if adjacent else "")
        if inside or before_next:
            previous = words[index - 1][1] if index and text[start - 1] == " " else ""
            for offset, hint in analysed_word_hints(word, previous, next_word if before_next else ""):
                add(next_start if offset >= len(word) else start + offset, hint)
    return hints


def _ends_with_particle_ui(word: str) -> bool:
    """우리의, 강의의: particle 의; 회의, 민주주의: the noun's own 의."""
    nouns = tuple(_NOUNS_ENDING_IN_UI)
    return word[:-1].endswith(nouns) or not (word.endswith(nouns) or word.endswith("주의"))


def _letter_hints(word: str, start: int, add) -> None:
    """Hints read off the letters: 의 as a particle, content morphemes after a coda (맛없다, 첫인상)."""
    if word.endswith("의") and len(word) >= 2 and _ends_with_particle_ui(word):
        add(start + len(word) - 1, Hint.PARTICLE)
    if len(word) >= 2 and word[0] in ("첫", "헛") and onset_of(word[1]) == "ㅇ":
        add(start + 1, Hint.LEXICAL)
    for i in range(1, len(word)):
        coda, syllable = coda_of(word[i - 1]), word[i]
        if not coda:
            continue
        if coda == "ㄹ" and onset_of(syllable) in ("ㄷ", "ㅅ", "ㅈ") and syllable not in _NOT_SINO_AFTER_L:
            add(start + i, Hint.TENSE)  # Sino-Korean ㄹ+ㄷㅅㅈ: 갈등 [갈뜽], 일주일 [일쭈일]
        elif coda in _NEUTRALISED_BEFORE_VOWEL and (syllable == "없" or (syllable == "있" and coda != "ㅅ")):
            add(start + i, Hint.LEXICAL)  # 맛없다 [마덥따], 값있는 [가빈는], but 맛있다 [마싣따]
        elif syllable == "육" and word[i - 1] in "십백천만":
            add(start + i, Hint.N_INSERT)  # 십육 [심뉵]
    station = _STATION.search(word)
    if station and coda_of(word[station.start() - 1]):
        add(start + station.start(), Hint.N_INSERT)  # 서울역 [서울력], 부산역에서 [부산녀게서]
