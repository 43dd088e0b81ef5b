"""English words in Korean text, written in Hangul from their ARPAbet phones (roughly 외래어 표기법).

``hello`` → 헬로, ``world`` → 월드, ``zoom`` → 줌, ``time`` → 타임. Used for Latin words missing from the
loanword lexicon, so that a Korean sentence with an English word is read the way a Korean speaker says it.
"""

from __future__ import annotations

from moksori.text.english import word_phones
from moksori.text.hangul import Syllable, compose

ONSET = {
    "P": "ㅍ", "B": "ㅂ", "T": "ㅌ", "D": "ㄷ", "K": "ㅋ", "G": "ㄱ", "F": "ㅍ", "V": "ㅂ", "TH": "ㅅ",
    "DH": "ㄷ", "S": "ㅅ", "Z": "ㅈ", "SH": "ㅅ", "ZH": "ㅈ", "CH": "ㅊ", "JH": "ㅈ", "M": "ㅁ", "N": "ㄴ",
    "NG": "ㅇ", "L": "ㄹ", "R": "ㄹ", "HH": "ㅎ",
}  # fmt: skip
# Consonants with no vowel after them: a coda where Korean allows one, else a syllable with ㅡ (or ㅣ).
CODA = {"M": "ㅁ", "N": "ㄴ", "NG": "ㅇ", "L": "ㄹ", "P": "ㅂ", "T": "ㅅ", "K": "ㄱ"}
STOP_CODA_AFTER = frozenset(("AE", "EH", "IH", "UH", "AH", "AA"))  # short vowels keep a final p/t/k as a coda
FINAL_I = frozenset(("SH", "ZH", "CH", "JH"))  # dish 디시, bridge 브리지
VOWEL = {
    "AA": "ㅏ", "AE": "ㅐ", "AH": "ㅓ", "AO": "ㅗ", "EH": "ㅔ", "ER": "ㅓ", "IH": "ㅣ", "IY": "ㅣ", "UH": "ㅜ",
    "UW": "ㅜ", "OW": "ㅗ", "AY": "ㅏ", "AW": "ㅏ", "EY": "ㅔ", "OY": "ㅗ",
}  # fmt: skip
OFFGLIDE = {"AY": "ㅣ", "AW": "ㅜ", "EY": "ㅣ", "OY": "ㅣ"}  # time 타임, town 타운, day 데이, boy 보이
GLIDED = {
    ("W", "ㅏ"): "ㅘ", ("W", "ㅐ"): "ㅙ", ("W", "ㅓ"): "ㅝ", ("W", "ㅗ"): "ㅝ", ("W", "ㅔ"): "ㅞ",
    ("W", "ㅣ"): "ㅟ", ("W", "ㅜ"): "ㅜ", ("Y", "ㅏ"): "ㅑ", ("Y", "ㅐ"): "ㅒ", ("Y", "ㅓ"): "ㅕ",
    ("Y", "ㅗ"): "ㅛ", ("Y", "ㅔ"): "ㅖ", ("Y", "ㅜ"): "ㅠ", ("Y", "ㅣ"): "ㅣ",
}  # fmt: skip


def english_to_hangul(word: str) -> str:
    """A Hangul spelling of an English word as Koreans say it."""
    raw = list(word_phones(word))
    phones = [p.rstrip("012") for p in raw]
    syllables: list[Syllable] = []
    i = 0
    while i < len(phones):
        phone = phones[i]
        onset, glide = "ㅇ", ""
        if phone in ONSET and i + 1 < len(phones) and (phones[i + 1] in VOWEL or phones[i + 1] in ("W", "Y")):
            onset, i = ONSET[phone], i + 1
            if phone == "L" and syllables and not syllables[-1].coda and syllables[-1].onset != "ㄹ":
                syllables[-1].coda = "ㄹ"  # intervocalic l is doubled: hello 헬로
            glide = "Y" if phone == "SH" else ""
            phone = phones[i]
        if phone in ("W", "Y") and i + 1 < len(phones) and phones[i + 1] in VOWEL:
            glide, i = phone, i + 1
            phone = phones[i]
        if phone in VOWEL:
            vowel = VOWEL[phone]
            if raw[i] == "AH0" and phones[i + 1 :] in (["L"], ["N"]):
                vowel = "ㅡ"  # google 구글, button 버튼
            syllables.append(Syllable(onset, GLIDED.get((glide, vowel), vowel) if glide else vowel, ""))
            if phone in OFFGLIDE:
                syllables.append(Syllable("ㅇ", OFFGLIDE[phone], ""))
        else:
            following = phones[i + 1] if i + 1 < len(phones) else ""
            _add_lone_consonant(syllables, phone, phones[i - 1] if i else "", following)
        i += 1
    return "".join(compose(s) for s in syllables)


def _add_lone_consonant(syllables: list[Syllable], phone: str, previous: str, following: str) -> None:
    """A consonant not followed by a vowel: a coda when Korean allows it, else its own syllable."""
    if phone in ("R", "W", "Y") and syllables:
        return  # car 카, r-coloured vowels
    open_syllable = bool(syllables) and not syllables[-1].coda and previous in VOWEL
    if phone in ("P", "T", "K"):
        # After a short vowel, a final p/t/k or one before a consonant is a coda: 퀵, 프로젝트, 넷플릭스.
        open_syllable = open_syllable and previous in STOP_CODA_AFTER and following not in VOWEL
    if open_syllable and phone in CODA:
        syllables[-1].coda = CODA[phone]
        return
    syllables.append(Syllable(ONSET.get(phone, "ㅇ"), "ㅣ" if phone in FINAL_I else "ㅡ", ""))
