// Word prediction from the person's own words (what they said before and their phrases): offline,
// in memory, a prefix search over word counts; fast enough to run on every keystroke.
"use strict";

class WordPredictor {
  constructor() {
    this.counts = new Map();
  }

  learn(text) {
    for (const raw of text.split(/\s+/)) {
      const word = raw.replace(/[.,!?…"'“”‘’()]/g, "");
      if (word) this.counts.set(word, (this.counts.get(word) || 0) + 1);
    }
  }

  // The most used words that start with `prefix` (and are longer than it), most used first.
  suggest(prefix, limit = 4) {
    if (!prefix) return [];
    return [...this.counts.entries()]
      .filter(([word]) => word.length > prefix.length && word.startsWith(prefix))
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, limit)
      .map(([word]) => word);
  }
}
