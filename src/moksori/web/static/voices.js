// Voices page: start a build (or improve a voice), follow it live (server-sent events), cancel,
// list and import voices.
"use strict";

const $ = (id) => document.getElementById(id);
let events = null;
let improveFrom = null; // the voice "improve my voice" continues from, when the server offers it

// Voice card fields as people would name them; fields not listed here are shown by their own name.
const CARD_LABELS = {
  created: t("Made"), language: t("Language"), utterances: t("Recordings"),
  minutes: t("Minutes of speech"), training_seconds: t("Training time (s)"),
  model_size: t("Model size"), steps: t("Training steps"), validation_score: t("Validation loss"),
  moksori_version: t("Moksori version"), seed: t("Seed"),
  understood: t("Understood by speech recognition (0–1)"), understood_own: t("The same for your recordings (0–1)"),
};

// No estimate while waiting or in the first moments of a stage: "About 0 s" would be a guess.
function formatEta(seconds) {
  if (seconds === null || seconds === undefined || seconds < 1) return "";
  const minutes = Math.floor(seconds / 60);
  return minutes ? t("About %(minutes)s min %(seconds)s s left", { minutes, seconds: seconds % 60 })
    : t("About %(seconds)s s left", { seconds });
}

// The engine's stage names, in words for the person waiting.
const STAGES = {
  "": t("Waiting to start"), check: t("Checking recordings"), import: t("Preparing recordings"),
  features: t("Analysing your voice"), train: t("Learning your voice"), done: t("Finishing"),
  finished: t("Finished"), "checking recordings": t("Checking recordings"),
  "checking the voice": t("Listening to the new voice"),
};

function showJob(job) {
  $("job").hidden = job.finished;
  $("job-stage").textContent = `${STAGES[job.stage] || job.stage} — ${job.percent}%`;
  $("job-progress").value = job.percent;
  $("job-eta").textContent = formatEta(job.eta_s);
  $("job-error").hidden = job.status !== "failed";
  if (job.status === "failed") $("job-error").textContent = t("The build failed. %(reason)s", { reason: job.message });
  if (job.finished) {
    if (events) events.close();
    events = null;
    if (job.status === "cancelled") $("job-error").hidden = true;
    refresh();
  }
}

function follow(job) {
  showJob(job);
  if (job.finished) return;
  events = new EventSource(`/api/jobs/${job.id}/events`);
  events.onmessage = (message) => showJob(JSON.parse(message.data));
  // A refused stream (too many open at once: 429) is not retried by the browser; follow again shortly.
  events.onerror = () => {
    if (events && events.readyState === EventSource.CLOSED) { events = null; setTimeout(refresh, 3000); }
  };
  $("cancel").onclick = async () => showJob(await api(`/api/jobs/${job.id}/cancel`, { method: "POST" }));
}

async function refresh() {
  const [progress, jobs, voices] = await Promise.all([api("/api/progress"), api("/api/jobs"), api("/api/voices")]);
  const builds = jobs.jobs.filter((job) => ["build", "preview", "improve"].includes(job.kind));
  const active = builds.find((job) => !job.finished);
  const busy = jobs.jobs.some((job) => !job.finished);
  $("build").disabled = !progress.can_build || busy;
  // Once there are more recordings than the voice learned from, it can continue from where it is.
  improveFrom = voices.improve ? voices.improve.voice_id : null;
  $("improve-card").hidden = !voices.improve;
  $("improve").disabled = busy;
  if (voices.improve) {
    $("improve-status").textContent = t("You have %(count)s more good recordings than %(name)s learned from.",
      { count: voices.improve.new_recordings, name: voices.improve.name });
  }
  // Before there are enough recordings for a voice, a quick preview lets the person talk already.
  $("preview").hidden = !progress.can_preview || progress.can_build || voices.voices.length > 0;
  $("preview").disabled = busy;
  $("build-status").textContent = progress.can_build
    ? t("%(ready)s good recordings (%(minutes)s min) are ready.", { ready: progress.ready, minutes: progress.minutes })
    : t("%(ready)s of the %(needed)s good recordings a voice needs. Record some more in the studio.",
        { ready: progress.ready, needed: progress.min_takes_for_build });
  if (active && !events) follow(active);
  const last = builds[0];
  if (!active && last && last.status === "failed") showJob(last);
  const list = $("voices");
  list.replaceChildren();
  if (!voices.voices.length) list.append(el("li", {}, t("No voice yet.")));
  for (const voice of voices.voices) list.append(voiceItem(voice));
}

// What a person wants to know first, in words; the training figures are folded away below.
function plainWords(voice) {
  const lines = [];
  const card = voice.card || {};
  if (voice.preview) lines.push(t("A quick preview from your first recordings; your full voice replaces it once it is built."));
  if (card.utterances !== undefined) {
    lines.push(t("Built from %(count)s recordings (%(minutes)s min of speech).", { count: card.utterances, minutes: card.minutes }));
  }
  if (voice.understood !== null && voice.understood !== undefined) {
    const own = voice.understood_own;
    lines.push(own !== null && own !== undefined
      ? t("Speech recognition understood about %(percent)s%% of sentences this voice had never practised (your own recordings: %(own)s%%).",
          { percent: Math.round(100 * voice.understood), own: Math.round(100 * own) })
      : t("Speech recognition understood about %(percent)s%% of sentences this voice had never practised.",
          { percent: Math.round(100 * voice.understood) }));
  }
  if (voice.record_more) {
    lines.push(t("Record about %(count)s more sentences and build again to make it clearer.", { count: voice.record_more }));
  }
  return lines;
}

function voiceItem(voice) {
  const details = el("dl", { class: "voice-card" });
  for (const [key, value] of Object.entries(voice.card || {})) {
    details.append(el("dt", {}, CARD_LABELS[key] || key), el("dd", {}, typeof value === "object" ? JSON.stringify(value) : value));
  }
  const item = el("li", { class: "voice" }, el("h3", {}, voice.name),
    ...plainWords(voice).map((line) => el("p", {}, line)),
    el("details", {}, el("summary", {}, t("Training details")), details));
  const rename = el("form", { class: "rename" },
    el("label", { for: `name-${voice.id}` }, t("Name")),
    el("input", { id: `name-${voice.id}`, value: voice.name, maxlength: "100", required: "" }),
    el("button", { type: "submit" }, t("Rename")));
  rename.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api(`/api/voices/${voice.id}`, { method: "PATCH", json: { name: rename.querySelector("input").value } });
      refresh();
    } catch (error) {
      showError(error.message);
    }
  });
  if (voice.sample_url) item.append(el("audio", { controls: "", src: voice.sample_url, "aria-label": t("Sample of %(name)s", { name: voice.name }) }));
  item.append(
    el("a", { href: voice.export_url, class: "button", download: "" }, t("Export")),
    el("button", { type: "button", class: "warn", onclick: async () => {
      if (confirm(t("Delete %(name)s?", { name: voice.name }))) { await api(`/api/voices/${voice.id}`, { method: "DELETE" }); refresh(); }
    } }, t("Delete")),
    rename,
  );
  return item;
}

function showError(message) {
  $("job-error").hidden = false;
  $("job-error").textContent = message;
}

// The full build, the quick preview and the improvement start the same way; only the request differs.
function startBuild(button, url) {
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      follow(await api(url(), { method: "POST" }));
    } catch (error) {
      showError(error.message);
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  startBuild($("build"), () => "/api/builds");
  startBuild($("preview"), () => "/api/builds?preview=true");
  startBuild($("improve"), () => `/api/voices/${improveFrom}/improve`);
  $("import").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData();
    form.append("file", $("import-file").files[0]);
    try {
      const voice = await api("/api/voices/import", { method: "POST", body: form });
      $("import-result").textContent = t("Imported as %(name)s.", { name: voice.name });
      refresh();
    } catch (error) {
      $("import-result").textContent = error.message;
    }
  });
  refresh();
});
