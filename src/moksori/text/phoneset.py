"""The phone inventory shared by Korean and English (the voice engine's input alphabet).

Korean phones are lower-case ASCII, English phones are upper-case ARPAbet (vowels carry CMUdict stress
0/1/2), so the two languages never share a symbol. Korean codas have their own symbols with a leading
``-`` (``-k`` is an unreleased stop, ``-l`` a lateral) because a coda is acoustically unlike the onset
spelled with the same letter. Full description: docs/text-frontend.md.

The order of ``PHONES`` is part of every trained voice: only ever append to it.
"""

from __future__ import annotations

PAD = "<pad>"
BOS = "<bos>"
EOS = "<eos>"
UNK = "<unk>"
WORD = "_"  # word boundary (a space in the text)
COMMA = ","  # short phrase break: , ; : and similar
PERIOD = "."  # statement end
QUESTION = "?"
EXCLAIM = "!"

SPECIAL = (PAD, BOS, EOS, UNK, WORD, COMMA, PERIOD, QUESTION, EXCLAIM)
BREAKS = (COMMA, PERIOD, QUESTION, EXCLAIM)

# Korean onsets in jamo order (ㄱ ㄲ ㄴ ㄷ ㄸ ㄹ ㅁ ㅂ ㅃ ㅅ ㅆ ㅇ ㅈ ㅉ ㅊ ㅋ ㅌ ㅍ ㅎ); ㅇ onset is silent.
KO_ONSET_BY_JAMO = (
    "g",
    "kk",
    "n",
    "d",
    "tt",
    "r",
    "m",
    "b",
    "pp",
    "s",
    "ss",
    "",
    "j",
    "jj",
    "ch",
    "k",
    "t",
    "p",
    "h",
)
KO_ONSET_LATERAL = "l"  # ㄹ after a coda ㄹ (신라 [실라]) is a lateral, not the flap "r"
# Codas after the standard pronunciation are one of seven; stops are unreleased.
KO_CODAS = ("-k", "-t", "-p", "-m", "-n", "-ng", "-l")
KO_VOWELS = ("a", "eo", "o", "u", "eu", "i", "e", "ui")  # ㅐ/ㅔ merged as in Seoul speech; ui = ㅢ
KO_GLIDES = ("y", "w")

KO_PHONES = tuple(p for p in KO_ONSET_BY_JAMO if p) + (KO_ONSET_LATERAL,) + KO_CODAS + KO_VOWELS + KO_GLIDES

EN_VOWELS_BARE = ("AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW")
EN_CONSONANTS = (
    "B",
    "CH",
    "D",
    "DH",
    "F",
    "G",
    "HH",
    "JH",
    "K",
    "L",
    "M",
    "N",
    "NG",
    "P",
    "R",
    "S",
    "SH",
    "T",
    "TH",
    "V",
    "W",
    "Y",
    "Z",
    "ZH",
)
EN_PHONES = tuple(f"{v}{s}" for v in EN_VOWELS_BARE for s in "012") + EN_CONSONANTS

PHONES: tuple[str, ...] = SPECIAL + KO_PHONES + EN_PHONES
PHONE_ID: dict[str, int] = {p: i for i, p in enumerate(PHONES)}

assert len(PHONE_ID) == len(PHONES), "phone symbols must be unique"


def phone_ids(phones: list[str]) -> list[int]:
    """Map phone symbols to their indices in ``PHONES``; unknown symbols become ``UNK``."""
    unk = PHONE_ID[UNK]
    return [PHONE_ID.get(p, unk) for p in phones]
