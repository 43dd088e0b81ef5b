// Recording studio: one prompt at a time, record / play / checks, progress kept on the server.
"use strict";

const state = { source: "script", prompts: [], index: 0, recorder: null };
const $ = (id) => document.getElementById(id);

async function loadProgress() {
  const p = await api("/api/progress");
  $("progress-bar").max = p.script_total || 1;
  $("progress-bar").value = p.script_recorded;
  $("progress-text").textContent = [
    t("Script sentences recorded: %(done)s of %(total)s", { done: p.script_recorded, total: p.script_total }),
    t("Recordings: %(takes)s (to record again: %(flagged)s)", { takes: p.takes, flagged: p.flagged }),
    t("%(minutes)s min recorded", { minutes: p.minutes }),
    p.ready >= p.min_takes_for_build ? t("Ready to build a voice")
      : t("Good recordings needed for a voice: %(count)s more", { count: p.min_takes_for_build - p.ready }),
  ].join(" · ");
}

// Only the latest request is shown: the page's first load of the script can answer after the caller has
// switched to their own sentences, and must not replace them.
let promptsRequest = 0;

async function loadPrompts(source) {
  const request = ++promptsRequest;
  const data = await api(`/api/prompts?source=${encodeURIComponent(source)}`);
  if (request !== promptsRequest) return;
  state.source = source;
  state.prompts = data.prompts;
  state.index = data.start;
  show();
}

function show() {
  const prompt = state.prompts[state.index];
  $("prompt-pos").textContent = prompt ? `${state.index + 1} / ${state.prompts.length}` : "";
  $("prompt").textContent = prompt ? prompt.text : t("No sentences here yet.");
  setNavigation(Boolean(prompt));
  $("record").disabled = !prompt;
  $("delete-sentence").hidden = !prompt || !prompt.key.startsWith("custom:");
  showTake(prompt && prompt.take);
}

// Moving away while recording would file the take under the wrong sentence.
function setNavigation(enabled) {
  $("skip").disabled = !enabled;
  $("prev").disabled = !enabled || state.index === 0;
  $("next").disabled = !enabled || state.index >= state.prompts.length - 1;
}

function showTake(take) {
  const checks = $("checks");
  checks.replaceChildren();
  $("play").disabled = !take;
  const errors = take ? take.problems.filter((p) => p.severity === "error") : [];
  $("keep").hidden = !take || errors.length === 0 || take.kept;
  $("delete-take").hidden = !take;
  if (!take) return;
  $("player").src = `${take.audio_url}?t=${take.id}`;
  let heading = t("✓ Good take (%(seconds)s s).", { seconds: take.duration_s });
  if (errors.length) heading = take.kept ? t("Kept despite:") : t("Please record it again:");
  checks.append(el("p", { class: errors.length && !take.kept ? "error" : "ok" }, heading));
  if (!take.problems.length) return;
  const list = el("ul", { class: "problems" });
  for (const problem of take.problems) {
    list.append(el("li", { "data-code": problem.code, "data-severity": problem.severity }, problem.message));
  }
  checks.append(list);
}

// Why the microphone did not start, in words that say what to do about it.
function microphoneHelp(error) {
  if (error.name === "InsecureContextError") {
    return t("This page is not secure, so the browser does not allow the microphone. On a phone or another " +
             "computer, open Moksori through https: start it with “moksori serve --https” and open the https " +
             "address it shows.");
  }
  if (error.name === "NotAllowedError" || error.name === "SecurityError") {
    return t("The microphone is blocked for this page. Allow it in the browser's site settings (the icon beside " +
             "the address), then press Record again.");
  }
  if (error.name === "NotFoundError" || error.name === "OverconstrainedError") {
    return t("No microphone was found. Connect one (or a headset with a microphone), then press Record again.");
  }
  if (error.name === "NotReadableError" || error.name === "AbortError") {
    return t("The microphone is in use by another app or cannot be opened. Close the other app, then press Record again.");
  }
  return t("The microphone could not be started (%(reason)s).", { reason: error.message || error.name });
}

function showMicrophoneHelp(error) {
  const help = $("mic-help");
  help.dataset.reason = error.name;
  help.textContent = microphoneHelp(error);
  help.hidden = false;
}

async function toggleRecording() {
  const button = $("record");
  if (!state.recorder) {
    state.recorder = new Recorder();
    try {
      await state.recorder.start();
    } catch (error) {
      state.recorder = null;
      showMicrophoneHelp(error);
      return;
    }
    $("mic-help").hidden = true;
    button.textContent = t("■ Stop");
    button.setAttribute("aria-pressed", "true");
    setNavigation(false);
    return;
  }
  const blob = await state.recorder.stop();
  state.recorder = null;
  setNavigation(true);
  button.textContent = t("● Record again");
  button.setAttribute("aria-pressed", "false");
  $("checks").replaceChildren(el("p", {}, t("Checking…")));
  const prompt = state.prompts[state.index];
  const form = new FormData();
  form.append("prompt_key", prompt.key);
  form.append("audio", blob, "take.wav");
  try {
    prompt.take = await api("/api/takes", { method: "POST", body: form });
    prompt.skipped = false;
    showTake(prompt.take);
    loadProgress();
  } catch (error) {
    $("checks").replaceChildren(el("p", { class: "error" }, error.message));
  }
}

function uploadFinished(message) {
  $("upload-result").textContent = message;
  loadProgress();
  loadPrompts(state.source);
}

// A zip is checked by the worker; its progress arrives as server-sent events, like a build's.
function followImport(job) {
  const events = new EventSource(`/api/jobs/${job.id}/events`);
  events.onmessage = (message) => {
    const update = JSON.parse(message.data);
    if (!update.finished) {
      $("upload-result").textContent = t("Checking %(count)s recordings… %(percent)s%%", { count: update.take_count, percent: update.percent });
      return;
    }
    events.close();
    uploadFinished(update.status === "done" ? update.message
      : t("The upload was not finished: %(reason)s", { reason: update.message || t("it was cancelled.") }));
  };
  // A refused stream (too many open at once: 429) is not retried by the browser; follow again shortly.
  events.onerror = () => {
    if (events.readyState === EventSource.CLOSED) setTimeout(() => followImport(job), 3000);
  };
}

function move(step) {
  const next = state.index + step;
  if (next >= 0 && next < state.prompts.length) {
    state.index = next;
    $("record").textContent = t("● Record");
    show();
  }
}

// Every answer that is not OK is shown where the person is looking, never dropped.
function guarded(handler, messageBox = "checks") {
  return async (event) => {
    try {
      await handler(event);
    } catch (error) {
      $(messageBox).replaceChildren(el("p", { class: "error", role: "alert" }, error.message));
    }
  };
}

document.addEventListener("DOMContentLoaded", () => {
  $("record").addEventListener("click", toggleRecording);
  $("play").addEventListener("click", () => $("player").play());
  $("prev").addEventListener("click", () => move(-1));
  $("next").addEventListener("click", () => move(1));
  $("skip").addEventListener("click", guarded(async () => {
    await api("/api/prompts/skip", { method: "POST", json: { key: state.prompts[state.index].key } });
    state.prompts[state.index].skipped = true;
    move(1);
  }));
  $("delete-take").addEventListener("click", guarded(async () => {
    const prompt = state.prompts[state.index];
    if (!confirm(t("Delete this recording?"))) return;
    await api(`/api/takes/${prompt.take.id}`, { method: "DELETE" });
    prompt.take = null;
    showTake(null);
    loadProgress();
  }));
  $("delete-sentence").addEventListener("click", guarded(async () => {
    const prompt = state.prompts[state.index];
    if (!confirm(t("Delete this sentence and its recording?"))) return;
    await api(`/api/sentences/${prompt.key.split(":")[1]}`, { method: "DELETE" });
    await loadPrompts("custom");
  }));
  $("keep").addEventListener("click", guarded(async () => {
    const prompt = state.prompts[state.index];
    prompt.take = await api(`/api/takes/${prompt.take.id}/keep`, { method: "POST" });
    showTake(prompt.take);
    loadProgress();
  }));
  for (const radio of document.querySelectorAll('input[name="source"]')) {
    radio.addEventListener("change", () => loadPrompts(radio.value));
  }
  $("add-sentence").addEventListener("submit", guarded(async (event) => {
    event.preventDefault();
    const text = $("new-sentence").value.trim();
    $("add-result").replaceChildren();
    await api("/api/sentences", { method: "POST", json: { text } });
    $("new-sentence").value = "";
    document.querySelector('input[name="source"][value="custom"]').checked = true;
    await loadPrompts("custom");
    state.index = state.prompts.length - 1;
    show();
  }, "add-result"));
  $("upload").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData();
    for (const file of $("upload-files").files) form.append("files", file, file.name);
    form.append("texts", $("upload-texts").value);
    $("upload-result").textContent = t("Uploading and checking…");
    try {
      const result = await api("/api/uploads", { method: "POST", body: form });
      if (result.job) followImport(result.job);
      else uploadFinished(result.summary);
    } catch (error) {
      $("upload-result").textContent = error.message;
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea, select") || event.ctrlKey || event.metaKey || event.altKey) return;
    const actions = { r: toggleRecording, p: () => $("player").play(), s: () => $("skip").click(),
                      ArrowLeft: () => move(-1), ArrowRight: () => move(1) };
    if (actions[event.key] && state.prompts.length) { event.preventDefault(); actions[event.key](); }
  });
  loadProgress();
  loadPrompts("script");
});
