// Talk screen: typed text is queued and spoken in the user's voice, streamed and played with Web Audio
// while the server is still synthesising the rest of the sentence.
"use strict";

const $ = (id) => document.getElementById(id);
const queue = [];
let speaking = false;
let lastSaid = null;
let stops = 0;  // how many times speech was stopped; a sentence that ends after a stop keeps the message

// Plays one streamed answer of /api/speak: 16-bit mono PCM, rate in X-Sample-Rate.
const player = {
  context: null, sources: [], controller: null, chunks: 0,

  async say(text) {
    this.context = this.context || new AudioContext();
    await this.context.resume();
    this.controller = new AbortController();
    const body = { text };
    if ($("voice-select").value) body.voice_id = Number($("voice-select").value);
    const response = await api("/api/speak", { method: "POST", json: body, raw: true, signal: this.controller.signal });
    const rate = Number(response.headers.get("X-Sample-Rate"));
    const reader = response.body.getReader();
    let carry = new Uint8Array(0);
    let when = this.context.currentTime + 0.05;
    let last = null;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const bytes = new Uint8Array(carry.length + value.length);
      bytes.set(carry);
      bytes.set(value, carry.length);
      const even = bytes.length - (bytes.length % 2);  // a chunk may end in the middle of a sample
      carry = bytes.slice(even);
      const pcm = new Int16Array(bytes.slice(0, even).buffer);
      if (!pcm.length) continue;
      const buffer = this.context.createBuffer(1, pcm.length, rate);
      const data = buffer.getChannelData(0);
      for (let i = 0; i < pcm.length; i++) data[i] = pcm[i] / 32768;
      const source = this.context.createBufferSource();
      source.buffer = buffer;
      source.connect(this.context.destination);
      when = Math.max(when, this.context.currentTime);
      source.start(when);
      when += buffer.duration;
      this.sources.push(source);
      this.chunks += 1;
      document.body.dataset.chunksPlayed = String(this.chunks);
      last = source;
    }
    if (last) await new Promise((resolve) => { last.onended = resolve; });
    this.sources = [];
  },

  stop() {
    if (this.controller) this.controller.abort();
    for (const source of this.sources) {
      source.onended && source.onended();
      try { source.stop(); } catch (e) { /* not started yet */ }
    }
    this.sources = [];
  },
};

function showQueue() {
  $("queue").replaceChildren(...queue.map((text) => el("li", {}, text)));
}

async function runQueue() {
  if (speaking) return;
  speaking = true;
  while (queue.length) {
    const text = queue.shift();
    showQueue();
    lastSaid = text;
    $("talk-status").textContent = t("Speaking: %(text)s", { text });
    const stopsBefore = stops;
    try {
      await player.say(text);
      // A stop ends the sentence normally too; keep its "Stopped" message on screen.
      if (stops === stopsBefore) $("talk-status").textContent = "";
    } catch (error) {
      if (error.name !== "AbortError") $("talk-status").textContent = error.message;
    }
    loadHistory();
  }
  speaking = false;
}

function say(text) {
  text = text.trim();
  if (!text) return;
  queue.push(text);
  showQueue();
  runQueue();
}

function stopAll() {
  stops += 1;
  queue.length = 0;
  showQueue();
  player.stop();
  $("talk-status").textContent = t("Stopped");
}

async function loadVoices() {
  const { voices } = await api("/api/voices");
  $("voice-select").replaceChildren(...voices.map((v) => el("option", { value: v.id }, `${v.name} (v${v.version})`)));
}

async function loadHistory() {
  const { history } = await api("/api/history");
  $("history").replaceChildren(...history.map((item) =>
    el("li", {}, el("button", { type: "button", class: "phrase", onclick: () => say(item.text) }, item.text))));
}

async function loadPhrases() {
  const { phrases } = await api("/api/phrases");
  const groups = new Map();
  for (const phrase of phrases) {
    const name = phrase.favourite ? t("★ Favourites") : phrase.category || t("Other");
    if (!groups.has(name)) groups.set(name, []);
    groups.get(name).push(phrase);
  }
  const board = $("board");
  board.replaceChildren();
  if (!phrases.length) board.append(el("p", { class: "muted" }, t("No phrases yet. Add one below.")));
  for (const [name, items] of groups) {
    const list = el("ul", { class: "phrases" });
    for (const phrase of items) {
      list.append(el("li", {},
        el("button", { type: "button", class: "phrase", onclick: () => say(phrase.text) }, phrase.text),
        el("button", { type: "button", class: "small", "aria-pressed": String(phrase.favourite),
          "aria-label": t("Favourite: %(phrase)s", { phrase: phrase.text }),
          onclick: async () => { await api(`/api/phrases/${phrase.id}`, { method: "PATCH", json: { favourite: !phrase.favourite } }); loadPhrases(); } },
          phrase.favourite ? "★" : "☆"),
        el("button", { type: "button", class: "small", "aria-label": t("Delete: %(phrase)s", { phrase: phrase.text }),
          onclick: async () => { await api(`/api/phrases/${phrase.id}`, { method: "DELETE" }); loadPhrases(); } }, "✕"),
      ));
    }
    board.append(el("h3", {}, name), list);
  }
  $("categories").replaceChildren(...[...new Set(phrases.map((p) => p.category).filter(Boolean))].map((c) => el("option", { value: c })));
}

document.addEventListener("DOMContentLoaded", () => {
  const box = $("say");
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      say(box.value);
      box.value = "";
    }
  });
  document.addEventListener("keydown", (event) => { if (event.key === "Escape") stopAll(); });
  $("speak").addEventListener("click", () => { say(box.value); box.value = ""; box.focus(); });
  $("stop").addEventListener("click", stopAll);
  $("repeat").addEventListener("click", () => lastSaid && say(lastSaid));
  $("clear-history").addEventListener("click", async () => { await api("/api/history", { method: "DELETE" }); loadHistory(); });
  $("add-phrase").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("/api/phrases", { method: "POST", json: {
        text: $("phrase-text").value, category: $("phrase-category").value,
        favourite: $("phrase-favourite").checked, banked: $("phrase-banked").checked } });
      $("phrase-text").value = "";
      loadPhrases();
    } catch (error) {
      $("talk-status").textContent = error.message;
    }
  });
  loadVoices();
  loadPhrases();
  loadHistory();
});
