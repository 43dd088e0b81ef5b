"""Standard Korean pronunciation (표준 발음법) of normalised Hangul text, as Hangul.

The text is turned into an array of jamo syllables, then each rule below rewrites the boundary between two
neighbouring syllables in place, in the order the rules feed each other: ㅎ and aspiration, palatalisation,
liaison, coda neutralisation with tensing, then nasal and lateral assimilation, then the ㅢ rules.
Rules that need to know where morphemes meet take *hints* (see ``moksori.text.hints``); everything else is
decided from the letters alone, which keeps the engine fast.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Flag, auto

from moksori.text.hangul import Syllable, compose, decompose, is_syllable


class Hint(Flag):
    """What is known about the morpheme boundary in front of a syllable."""

    NONE = 0
    TENSE = auto()  # the onset is tensed (관형사형 -ㄹ, stem ㄴ/ㅁ + ending, compounds, Sino ㄹ+ㄷㅅㅈ)
    LEXICAL = auto()  # a content morpheme starts here: neutralise the coda before liaison (맛없다 [마덥따])
    N_INSERT = auto()  # ㄴ첨가 (솜이불 [솜니불])
    PARTICLE = auto()  # the particle 의, read 에
    VERB = auto()  # this syllable ends a verb or adjective stem (읽고 [일꼬] but 닭고기 [닥꼬기])


LENIS_TO_TENSE = {"ㄱ": "ㄲ", "ㄷ": "ㄸ", "ㅂ": "ㅃ", "ㅅ": "ㅆ", "ㅈ": "ㅉ"}
ASPIRATE = {"ㄱ": "ㅋ", "ㄷ": "ㅌ", "ㅂ": "ㅍ", "ㅈ": "ㅊ"}
# Representative coda (받침의 대표음) of every written coda, before a consonant or a pause.
NEUTRAL = {
    "ㄱ": "ㄱ", "ㄲ": "ㄱ", "ㅋ": "ㄱ", "ㄳ": "ㄱ", "ㄺ": "ㄱ",
    "ㄴ": "ㄴ", "ㄵ": "ㄴ", "ㄶ": "ㄴ",
    "ㄷ": "ㄷ", "ㅅ": "ㄷ", "ㅆ": "ㄷ", "ㅈ": "ㄷ", "ㅊ": "ㄷ", "ㅌ": "ㄷ", "ㅎ": "ㄷ",
    "ㄹ": "ㄹ", "ㄼ": "ㄹ", "ㄽ": "ㄹ", "ㄾ": "ㄹ", "ㅀ": "ㄹ",
    "ㅁ": "ㅁ", "ㄻ": "ㅁ",
    "ㅂ": "ㅂ", "ㅍ": "ㅂ", "ㅄ": "ㅂ", "ㄿ": "ㅂ",
    "ㅇ": "ㅇ", "": "",
}  # fmt: skip
# A double coda before a vowel: the first letter stays, the second moves on (ㅅ is tensed: 값을 [갑쓸]).
SPLIT = {
    "ㄳ": ("ㄱ", "ㅆ"), "ㄵ": ("ㄴ", "ㅈ"), "ㄺ": ("ㄹ", "ㄱ"), "ㄻ": ("ㄹ", "ㅁ"), "ㄼ": ("ㄹ", "ㅂ"),
    "ㄽ": ("ㄹ", "ㅆ"), "ㄾ": ("ㄹ", "ㅌ"), "ㄿ": ("ㄹ", "ㅍ"), "ㅄ": ("ㅂ", "ㅆ"),
}  # fmt: skip
NASAL = {"ㄱ": "ㅇ", "ㄷ": "ㄴ", "ㅂ": "ㅁ"}
OBSTRUENT_CODAS = frozenset("ㄱㄷㅂ")
# Nouns whose ㄺ/ㄻ/ㄼ coda behaves as in nouns, not as in verb stems (닭고기 [닥꼬기], 삶과 [삼과]).
NOUN_DOUBLE_CODA_SYLLABLES = frozenset("닭흙칡삵삶앎여덟")
Y_VOWELS = {"ㅕ": "ㅓ"}  # 져 쪄 쳐 are read 저 쩌 처
Y_OR_I_VOWELS = frozenset("ㅣㅑㅕㅛㅠㅒㅖ")

Unit = Syllable | str


def to_units(text: str) -> list[Unit]:
    """One unit per character: a mutable ``Syllable`` for Hangul, the character itself otherwise."""
    return [decompose(c) if is_syllable(c) else c for c in text]


def from_units(units: Iterable[Unit]) -> str:
    return "".join(compose(u) if isinstance(u, Syllable) else u for u in units)


def _pairs(units: list[Unit]) -> list[tuple[int, Syllable, Syllable, bool]]:
    """(index of second, first, second, same word) for each pair of syllables not split by punctuation."""
    pairs = []
    previous: int | None = None
    for i, unit in enumerate(units):
        if isinstance(unit, Syllable):
            if previous is not None:
                between = units[previous + 1 : i]
                if all(b == " " for b in between):
                    pairs.append((i, units[previous], unit, not between))
            previous = i
        elif unit != " ":
            previous = None
    return pairs


def _verb_stem(first: Syllable, index: int, hints: dict[int, Hint]) -> bool:
    """Whether a double coda belongs to a verb stem; without morpheme hints, nouns are taken from a list."""
    return (index - 1 in hints and Hint.VERB in hints[index - 1]) or compose(
        first
    ) not in NOUN_DOUBLE_CODA_SYLLABLES


def _h_rules(pairs, hints, units) -> None:
    """ㅎ before or after a consonant: aspiration (좋다 [조타], 먹히다 [머키다]), ㅎ+ㅅ, ㅎ+ㄴ, ㅎ dropping."""
    for _, first, second, same_word in pairs:
        coda, onset = first.coda, second.onset
        if coda in ("ㅎ", "ㄶ", "ㅀ") and same_word:
            rest = {"ㅎ": "", "ㄶ": "ㄴ", "ㅀ": "ㄹ"}[coda]
            if onset in ("ㄱ", "ㄷ", "ㅈ"):
                first.coda, second.onset = rest, ASPIRATE[onset]
            elif onset == "ㅅ":
                first.coda, second.onset = rest, "ㅆ"
            elif onset == "ㄴ":
                first.coda = rest or "ㄴ"
            elif onset == "ㅇ":
                first.coda = rest
        elif onset == "ㅎ" and coda:
            if coda in ("ㄷ", "ㅌ") and second.vowel == "ㅣ" and same_word:
                first.coda, second.onset = "", "ㅊ"  # 굳히다 [구치다]
            elif coda in ("ㄱ", "ㄲ", "ㄺ"):
                first.coda, second.onset = ("ㄹ" if coda == "ㄺ" else ""), "ㅋ"
            elif coda in ("ㅂ", "ㄼ", "ㅍ"):
                first.coda, second.onset = ("ㄹ" if coda == "ㄼ" else ""), "ㅍ"
            elif coda == "ㄵ" or (coda == "ㅈ" and same_word):
                first.coda, second.onset = ("ㄴ" if coda == "ㄵ" else ""), "ㅊ"
            elif coda in ("ㄷ", "ㅅ", "ㅆ", "ㅈ", "ㅊ", "ㅌ"):
                first.coda, second.onset = "", "ㅌ"  # 깨끗하다 [깨끄타다], 옷 한 벌 [오탄벌]


def _palatalise(pairs, hints, units) -> None:
    """ㄷ, ㅌ before the vowel ㅣ of a following morpheme: 굳이 [구지], 같이 [가치], 핥이다 [할치다]."""
    for _, first, second, same_word in pairs:
        if same_word and second.onset == "ㅇ" and second.vowel == "ㅣ":
            if first.coda == "ㄷ":
                first.coda, second.onset = "", "ㅈ"
            elif first.coda == "ㅌ":
                first.coda, second.onset = "", "ㅊ"
            elif first.coda == "ㄾ":
                first.coda, second.onset = "ㄹ", "ㅊ"


def _n_insert(pairs, hints, units) -> None:
    """ㄴ첨가 where a hint says so: 솜이불 [솜니불], 물약 [물략] (ㄴ then ㄹ by lateralisation)."""
    for i, first, second, _ in pairs:
        if (i in hints and Hint.N_INSERT in hints[i]) and first.coda and second.onset == "ㅇ":
            second.onset = "ㄴ"


def _liaison(pairs, hints, units) -> None:
    """연음: a coda moves on to a following vowel (옷이 [오시], 값을 [갑쓸]).

    Before a content morpheme the coda is neutralised first (맛없다 [마덥따]). Across a space only stops
    link, neutralised (밭 아래 [바다래]): a sonorant coda keeps its word, as there may be a pause after it,
    and a word starting with 이/야/여/요/유 keeps its onset (ㄴ may be inserted there: 무슨 일 [무슨닐]).
    """
    for i, first, second, same_word in pairs:
        coda = first.coda
        if second.onset != "ㅇ" or coda in ("", "ㅇ"):
            continue
        if not same_word:
            coda = NEUTRAL[coda]
            linked = i in hints and Hint.LEXICAL in hints[i]  # a number and its counter: 육 일 [유길]
            if not linked and (coda not in OBSTRUENT_CODAS or second.vowel in Y_OR_I_VOWELS):
                continue
        elif i in hints and Hint.LEXICAL in hints[i]:
            coda = NEUTRAL[coda]
        first.coda, second.onset = SPLIT.get(coda, ("", coda))


def _neutralise_and_tense(pairs, hints, units) -> None:
    """Codas become one of seven (닭 [닥]), and lenis onsets after obstruents are tensed (국밥 [국빱])."""
    for i, first, second, same_word in pairs:
        coda, onset = first.coda, second.onset
        neutral = NEUTRAL[coda]
        verb_double = coda in ("ㄺ", "ㄼ", "ㄾ") and _verb_stem(first, i, hints)
        if coda == "ㄺ" and onset == "ㄱ" and verb_double:
            neutral = "ㄹ"  # 읽고 [일꼬]
        elif coda == "ㄼ" and first.onset == "ㅂ" and first.vowel == "ㅏ":
            neutral = "ㅂ"  # 밟다 [밥따]
        first.coda = neutral
        if onset in LENIS_TO_TENSE and (
            neutral in OBSTRUENT_CODAS  # also across a space: 밥 주세요 [밥쭈세요]
            or (i in hints and Hint.TENSE in hints[i])
            or (same_word and verb_double)  # 넓게 [널께], 핥다 [할따]
        ):
            second.onset = LENIS_TO_TENSE[onset]
    for unit in units:
        if isinstance(unit, Syllable):
            unit.coda = NEUTRAL[unit.coda]


def _assimilate(pairs, hints, units) -> None:
    """비음화 (국물 [궁물], 담력 [담녁], 막론 [망논]; also across a space: 밥 먹는다 [밤멍는다]) and
    유음화 (신라 [실라], 칼날 [칼랄]; across a space only after ㄴ첨가: 할 일 [할릴])."""
    for i, first, second, same_word in pairs:
        coda, onset = first.coda, second.onset
        touches_l = same_word or (i in hints and Hint.N_INSERT in hints[i])
        if touches_l and onset == "ㄹ" and coda == "ㄴ":
            first.coda = "ㄹ"  # the exceptions (생산량 [생산냥]) are respelled by the lexicon
        elif touches_l and onset == "ㄹ" and coda not in ("", "ㄹ"):
            second.onset = "ㄴ"
        elif touches_l and onset == "ㄴ" and coda == "ㄹ":
            second.onset = "ㄹ"
        if second.onset in ("ㄴ", "ㅁ") and first.coda in NASAL:
            first.coda = NASAL[first.coda]


def _vowels(units: list[Unit], hints: dict[int, Hint]) -> None:
    """ㅢ after a consonant is ㅣ (희망 [히망]), non-initial 의 is 이, the particle 의 is 에; 져 is 저."""
    word_start = True
    for i, unit in enumerate(units):
        if not isinstance(unit, Syllable):
            word_start = True
            continue
        if unit.vowel == "ㅢ":
            if i in hints and Hint.PARTICLE in hints[i]:
                unit.vowel = "ㅔ"
            elif unit.onset != "ㅇ" or not word_start:
                unit.vowel = "ㅣ"
        elif unit.onset in ("ㅈ", "ㅉ", "ㅊ") and unit.vowel in Y_VOWELS:
            unit.vowel = Y_VOWELS[unit.vowel]
        word_start = False


RULES = (_h_rules, _palatalise, _n_insert, _liaison, _neutralise_and_tense, _assimilate)


def apply_rules(text: str, hints: dict[int, Hint] | None = None) -> str:
    """The standard pronunciation of Hangul ``text``; ``hints`` map a character offset to its boundary hint."""
    units = to_units(text)
    hints = hints or {}
    pairs = _pairs(units)
    for rule in RULES:
        rule(pairs, hints, units)
    _vowels(units, hints)
    return from_units(units)
