// Word prediction from the person's own words (what they said before and their phrases): offline,
// in memory, a prefix search over word counts; fast enough to run on every keystroke.
//
// Words are compared as the keys typed on a Korean (2-set) keyboard, not as whole characters: while
// a syllable is being typed it is unfinished ("안녀" on the way to "안녕"), and its last consonant may
// still move on to the next syllable ("갑" on the way to "가방"), so "안녀" and "갑" must match.
"use strict";

const HANGUL_FIRST = 0xac00, HANGUL_LAST = 0xd7a3;
// Compatibility jamo (the letters on the keys) of the 19 initials, 21 vowels and 27 finals of a syllable.
const INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ";
const VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ";
const FINALS = ["", ..."ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"];
// Letters typed as two keys.
const TWO_KEYS = {
  "ㅘ": "ㅗㅏ", "ㅙ": "ㅗㅐ", "ㅚ": "ㅗㅣ", "ㅝ": "ㅜㅓ", "ㅞ": "ㅜㅔ", "ㅟ": "ㅜㅣ", "ㅢ": "ㅡㅣ",
  "ㄳ": "ㄱㅅ", "ㄵ": "ㄴㅈ", "ㄶ": "ㄴㅎ", "ㄺ": "ㄹㄱ", "ㄻ": "ㄹㅁ", "ㄼ": "ㄹㅂ", "ㄽ": "ㄹㅅ", "ㄾ": "ㄹㅌ", "ㄿ": "ㄹㅍ",
  "ㅀ": "ㄹㅎ", "ㅄ": "ㅂㅅ",
};

// `text` as the keys that type it: Hangul syllables and compound letters split into single letters,
// everything else as it is (lower-cased, so "Hel" finds "Hello").
function keystrokes(text) {
  let keys = "";
  for (const character of text.toLowerCase()) {
    const code = character.codePointAt(0);
    let letters = character;
    if (code >= HANGUL_FIRST && code <= HANGUL_LAST) {
      const index = code - HANGUL_FIRST;
      letters = INITIALS[Math.floor(index / 588)] + VOWELS[Math.floor((index % 588) / 28)] + FINALS[index % 28];
    }
    for (const letter of letters) keys += TWO_KEYS[letter] || letter;
  }
  return keys;
}

class WordPredictor {
  constructor() {
    this.counts = new Map();  // word → [times used, its keystrokes]
  }

  learn(text) {
    for (const raw of text.split(/\s+/)) {
      const word = raw.replace(/[.,!?…"'“”‘’()]/g, "");
      if (!word) continue;
      const known = this.counts.get(word);
      this.counts.set(word, [(known ? known[0] : 0) + 1, known ? known[1] : keystrokes(word)]);
    }
  }

  // The most used words that start with what `prefix` types (and need more typing), most used first.
  suggest(prefix, limit = 4) {
    if (!prefix) return [];
    const typed = keystrokes(prefix);
    return [...this.counts.entries()]
      .filter(([, [, keys]]) => keys.length > typed.length && keys.startsWith(typed))
      .sort((a, b) => b[1][0] - a[1][0] || a[0].localeCompare(b[0]))
      .slice(0, limit)
      .map(([word]) => word);
  }
}
