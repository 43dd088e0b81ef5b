// Talk screen: typed text is queued and spoken in the user's voice, streamed and played with Web Audio
// while the server is still synthesising the rest of the sentence.
"use strict";

const $ = (id) => document.getElementById(id);
const queue = [];  // { text, options } waiting to be spoken
let speaking = false;
let lastSaid = null;
let stops = 0;  // how many times speech was stopped; a sentence that ends after a stop keeps the message

// Plays one streamed answer of /api/speak: 16-bit mono PCM, rate in X-Sample-Rate.
const player = {
  context: null, sources: [], controller: null, chunks: 0,

  async say(text, options = {}) {
    this.context = this.context || new AudioContext();
    await this.context.resume();
    this.controller = new AbortController();
    const body = Object.assign({ text }, options);
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
  $("queue").replaceChildren(...queue.map((item) => el("li", {}, item.text)));
}

async function runQueue() {
  if (speaking) return;
  speaking = true;
  while (queue.length) {
    const { text, options } = queue.shift();
    showQueue();
    lastSaid = text;
    $("talk-status").textContent = t("Speaking: %(text)s", { text });
    const stopsBefore = stops;
    try {
      await player.say(text, options);
      // A stop ends the sentence normally too; keep its "Stopped" message on screen.
      if (stops === stopsBefore) $("talk-status").textContent = "";
    } catch (error) {
      if (error.name !== "AbortError") $("talk-status").textContent = error.message;
    }
    loadHistory();
  }
  speaking = false;
}

function say(text, options = {}) {
  text = text.trim();
  if (!text) return;
  // While listening (conversation mode) the server speaks, so it can keep our voice out of the captions.
  if (window.conversation && window.conversation.say(text)) return;
  queue.push({ text, options });
  showQueue();
  runQueue();
}

function stopAll() {
  if (window.conversation) window.conversation.stop();
  stops += 1;
  queue.length = 0;
  showQueue();
  player.stop();
  $("talk-status").textContent = t("Stopped");
}

async function loadVoices() {
  const { voices } = await api("/api/voices");
  $("voice-select").replaceChildren(...voices.map((v) => el("option", { value: v.id }, v.name)));
}

// ---- Word prediction ------------------------------------------------------------------------

const predictor = new WordPredictor();

function currentWord() {
  const box = $("say");
  const before = box.value.slice(0, box.selectionStart);
  const match = before.match(/(\S+)$/);
  return match ? match[1] : "";
}

function showSuggestions() {
  const words = predictor.suggest(currentWord());
  $("suggestions").replaceChildren(...words.map((word) => el("button", {
    type: "button", class: "small suggestion", onclick: () => complete(word) }, word)));
}

function complete(word) {
  const box = $("say");
  const cut = box.selectionStart - currentWord().length;
  box.value = box.value.slice(0, cut) + word + " " + box.value.slice(box.selectionStart);
  box.focus();
  box.selectionStart = box.selectionEnd = cut + word.length + 1;
  showSuggestions();
}

// ---- History ---------------------------------------------------------------------------------

async function loadHistory() {
  const { history } = await api("/api/history");
  history.forEach((item) => predictor.learn(item.text));
  $("history").replaceChildren(...history.map((item) =>
    el("li", {}, el("button", { type: "button", class: "phrase", onclick: () => say(item.text) }, item.text))));
}

// ---- Undo: a delete or a clear waits a few seconds before it is sent ---------------------------

const UNDO_SECONDS = 10;
let pendingUndo = null;

function withUndo(message, hide, commit, restore) {
  finishPending();
  hide();
  $("undo-text").textContent = message;
  $("undo-bar").hidden = false;
  pendingUndo = { commit, restore, timer: setTimeout(finishPending, UNDO_SECONDS * 1000) };
}

function finishPending() {
  if (!pendingUndo) return;
  const { commit, timer } = pendingUndo;
  clearTimeout(timer);
  pendingUndo = null;
  $("undo-bar").hidden = true;
  commit();
}

function undo() {
  if (!pendingUndo) return;
  const { restore, timer } = pendingUndo;
  clearTimeout(timer);
  pendingUndo = null;
  $("undo-bar").hidden = true;
  restore();
  $("talk-status").textContent = t("Undone.");
}

// ---- Phrase board: tiles in a grid, categories as tabs, one Tab stop ----------------------------

const board = { phrases: [], recordings: [], tab: null, removed: new Set() };
const FAVOURITES = "★", RECORDINGS = "🎙";

function tabsOf() {
  const tabs = [];
  if (board.phrases.some((p) => p.favourite)) tabs.push([FAVOURITES, t("★ Favourites")]);
  for (const category of new Set(board.phrases.map((p) => p.category || ""))) {
    tabs.push([category, category || t("Other")]);
  }
  if (board.recordings.length) tabs.push([RECORDINGS, t("My recordings")]);
  return tabs;
}

function tilesOf(tab) {
  const visible = board.phrases.filter((p) => !board.removed.has(p.id));
  if (tab === FAVOURITES) return visible.filter((p) => p.favourite);
  if (tab === RECORDINGS) return board.recordings.map((text) => ({ text }));
  return visible.filter((p) => (p.category || "") === tab);
}

function favourites() {
  return board.phrases.filter((p) => p.favourite && !board.removed.has(p.id));
}

async function loadPhrases() {
  const [{ phrases }, { recordings }] = await Promise.all([api("/api/phrases"), api("/api/recordings")]);
  board.phrases = phrases;
  board.recordings = recordings;
  phrases.forEach((p) => predictor.learn(p.text));
  $("categories").replaceChildren(...[...new Set(phrases.map((p) => p.category).filter(Boolean))]
    .map((c) => el("option", { value: c })));
  drawBoard();
}

function drawBoard(focusIndex = null) {
  const tabs = tabsOf();
  if (!tabs.some(([key]) => key === board.tab)) board.tab = tabs.length ? tabs[0][0] : null;
  $("board-tabs").replaceChildren(...tabs.map(([key, label]) => el("button", {
    type: "button", role: "tab", class: "tab", "aria-selected": String(key === board.tab),
    tabindex: key === board.tab ? "0" : "-1", onclick: () => { board.tab = key; drawBoard(); },
  }, label)));
  const grid = $("board");
  grid.replaceChildren();
  const tiles = board.tab === null ? [] : tilesOf(board.tab);
  if (!tiles.length) {
    grid.append(el("p", { class: "muted" }, t("No phrases yet. Add one below.")));
    return;
  }
  const numbered = favourites();
  const editing = $("edit-phrases").checked;
  tiles.forEach((phrase, index) => {
    const number = numbered.indexOf(phrase) + 1;
    const tile = el("button", { type: "button", class: "phrase tile", tabindex: index === (focusIndex || 0) ? "0" : "-1",
      "data-index": String(index), onclick: () => say(phrase.text),
      ...(number && number <= 9 ? { "aria-keyshortcuts": String(number) } : {}) },
    number && number <= 9 ? el("span", { class: "badge", "aria-hidden": "true" }, String(number)) : "", phrase.text);
    if (!editing || phrase.id === undefined) {
      grid.append(tile);
      return;
    }
    grid.append(el("div", { class: "tile-edit" }, tile,
      el("button", { type: "button", class: "small", "aria-pressed": String(phrase.favourite),
        "aria-label": t("Favourite: %(phrase)s", { phrase: phrase.text }),
        onclick: () => toggleFavourite(phrase) }, phrase.favourite ? "★" : "☆"),
      el("button", { type: "button", class: "small", "aria-label": t("Delete: %(phrase)s", { phrase: phrase.text }),
        onclick: () => deletePhrase(phrase) }, "✕")));
  });
  if (focusIndex !== null) focusTile(focusIndex);
}

function tileButtons() {
  return [...$("board").querySelectorAll("button.tile")];
}

function focusTile(index) {
  const tiles = tileButtons();
  if (!tiles.length) return;
  const target = tiles[Math.max(0, Math.min(tiles.length - 1, index))];
  tiles.forEach((tile) => tile.setAttribute("tabindex", tile === target ? "0" : "-1"));
  target.focus();
}

// Columns as laid out on screen, so up and down move to the tile above and below.
function columns() {
  const tiles = tileButtons();
  if (!tiles.length) return 1;
  const top = tiles[0].getBoundingClientRect().top;
  return Math.max(1, tiles.filter((tile) => Math.abs(tile.getBoundingClientRect().top - top) < 2).length);
}

// ---- Automatic scanning for one switch: the focus moves on by itself; the switch (Space or Enter)
// stops it on a phrase, and pressed again says that phrase, after which the scan goes on ----------

const autoScan = { timer: null, paused: false };

// Settings kept per person on this device: a shared tablet keeps each user's own speed.
function userSetting(name) {
  return `moksori-${name}-${$("board-card").dataset.user}`;
}

function scanSeconds() {
  const seconds = Number($("scan-seconds").value);
  return Number.isFinite(seconds) ? Math.min(10, Math.max(0.5, seconds)) : 1.5;
}

function showScanState(state) {
  document.body.dataset.scan = state;
}

function startAutoScan() {
  clearInterval(autoScan.timer);
  autoScan.paused = false;
  autoScan.timer = setInterval(() => {
    const tiles = tileButtons();
    const current = tiles.indexOf(document.activeElement);
    if (current < 0) return stopAutoScan();
    focusTile((current + 1) % tiles.length);
  }, scanSeconds() * 1000);
  showScanState("running");
}

function stopAutoScan() {
  clearInterval(autoScan.timer);
  autoScan.timer = null;
  autoScan.paused = false;
  showScanState("off");
}

function onAutoScanSwitch(tile) {
  if (autoScan.timer) {  // first press: stay on this phrase
    clearInterval(autoScan.timer);
    autoScan.timer = null;
    autoScan.paused = true;
    showScanState("paused");
  } else {  // second press: say it, then scan on from here
    tile.click();
    startAutoScan();
  }
}

function onBoardFocus(event) {
  if ($("auto-scanning").checked && !autoScan.timer && !autoScan.paused && event.target.closest("button.tile")) {
    startAutoScan();
  }
}

function onBoardBlur(event) {
  if (!$("board").contains(event.relatedTarget)) stopAutoScan();  // left the board: the scan stops
}

function onBoardKey(event) {
  const tile = event.target.closest("button.tile");
  if (!tile) return;
  if ($("auto-scanning").checked && (event.key === " " || event.key === "Enter")) {
    event.preventDefault();  // the switch acts on keydown only, never also as the button's own click
    if (!event.repeat) onAutoScanSwitch(tile);
    return;
  }
  const index = Number(tile.dataset.index);
  const scanning = $("scanning").checked;
  const steps = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns(), ArrowUp: -columns(),
                  Home: -index, End: tileButtons().length };
  if (scanning && event.key === " ") {
    event.preventDefault();
    focusTile((index + 1) % tileButtons().length);  // one switch steps, wrapping round
  } else if (event.key in steps) {
    event.preventDefault();
    focusTile(index + steps[event.key]);
  } else if (event.key === "Delete" && $("edit-phrases").checked) {
    const phrase = tilesOf(board.tab)[index];
    if (phrase.id !== undefined) deletePhrase(phrase);
  }
}

function onTabKey(event) {
  const tabs = [...$("board-tabs").querySelectorAll("[role=tab]")];
  const index = tabs.indexOf(event.target);
  const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
  if (index < 0 || !step) return;
  event.preventDefault();
  const next = tabs[(index + step + tabs.length) % tabs.length];
  next.click();
  $("board-tabs").querySelector("[aria-selected=true]").focus();
}

async function toggleFavourite(phrase) {
  await api(`/api/phrases/${phrase.id}`, { method: "PATCH", json: { favourite: !phrase.favourite } });
  loadPhrases();
}

function deletePhrase(phrase) {
  withUndo(t("Deleted “%(phrase)s”.", { phrase: phrase.text }),
    () => { board.removed.add(phrase.id); drawBoard(); },
    () => api(`/api/phrases/${phrase.id}`, { method: "DELETE", keepalive: true }).then(loadPhrases),
    () => { board.removed.delete(phrase.id); drawBoard(); });
}

function clearHistory() {
  const items = [...$("history").children];
  withUndo(t("History cleared."),
    () => $("history").replaceChildren(),
    () => api("/api/history", { method: "DELETE", keepalive: true }).then(loadHistory),
    () => $("history").replaceChildren(...items));
}

function onPageKey(event) {
  if (event.key === "Escape") {
    stopAll();
    return;
  }
  if (event.key === "F6") {  // between typing and the board, either way
    event.preventDefault();
    if (document.activeElement === $("say")) focusTile(Number($("board").querySelector("[tabindex='0']")?.dataset.index || 0));
    else $("say").focus();
    return;
  }
  const typing = event.target.closest("input, textarea, select");
  if (!typing && /^[1-9]$/.test(event.key) && !event.ctrlKey && !event.metaKey && !event.altKey) {
    const phrase = favourites()[Number(event.key) - 1];
    if (phrase) {
      event.preventDefault();
      say(phrase.text);
    }
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const box = $("say");
  speakFromBox(box, $("speak"), say, showSuggestions);
  box.addEventListener("input", showSuggestions);
  document.addEventListener("keydown", onPageKey);
  $("board").addEventListener("keydown", onBoardKey);
  $("board-tabs").addEventListener("keydown", onTabKey);
  $("stop").addEventListener("click", stopAll);
  $("repeat").addEventListener("click", () => lastSaid && say(lastSaid));
  $("repeat-slower").addEventListener("click", () => lastSaid && say(lastSaid, { rate: 0.7 }));
  $("repeat-louder").addEventListener("click", () => lastSaid && say(lastSaid, { volume: 2.0 }));
  $("clear-history").addEventListener("click", clearHistory);
  $("undo").addEventListener("click", undo);
  $("edit-phrases").addEventListener("change", () => drawBoard());
  $("scanning").checked = localStorage.getItem("moksori-scanning") === "1";
  $("auto-scanning").checked = localStorage.getItem(userSetting("auto-scanning")) === "1" && !$("scanning").checked;
  $("scan-seconds").value = localStorage.getItem(userSetting("scan-seconds")) || $("scan-seconds").value;
  // One way of scanning at a time: two keys (step, select) or one switch with the timer.
  for (const [id, other] of [["scanning", "auto-scanning"], ["auto-scanning", "scanning"]]) {
    $(id).addEventListener("change", () => {
      if ($(id).checked) $(other).checked = false;
      if (!$("auto-scanning").checked) stopAutoScan();
      localStorage.setItem("moksori-scanning", $("scanning").checked ? "1" : "0");
      localStorage.setItem(userSetting("auto-scanning"), $("auto-scanning").checked ? "1" : "0");
    });
  }
  $("scan-seconds").addEventListener("change", () => {
    $("scan-seconds").value = String(scanSeconds());
    localStorage.setItem(userSetting("scan-seconds"), $("scan-seconds").value);
    if (autoScan.timer) startAutoScan();
  });
  $("board").addEventListener("focusin", onBoardFocus);
  $("board").addEventListener("focusout", onBoardBlur);
  // Leaving the page sends what is waiting for undo, so a delete is never lost silently.
  window.addEventListener("pagehide", finishPending);
  $("add-phrase").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const phrase = await api("/api/phrases", { method: "POST", json: {
        text: $("phrase-text").value, category: $("phrase-category").value,
        favourite: $("phrase-favourite").checked, banked: $("phrase-banked").checked } });
      $("phrase-text").value = "";
      board.tab = phrase.category;  // show the phrase just added, in its category
      loadPhrases();
    } catch (error) {
      $("talk-status").textContent = error.message;
    }
  });
  loadVoices();
  loadPhrases();
  loadHistory();
});
