// Recording studio: one prompt at a time, record / play / checks, progress kept on the server.
"use strict";

const state = { source: "script", prompts: [], index: 0, recorder: null };
const $ = (id) => document.getElementById(id);

async function loadProgress() {
  const p = await api("/api/progress");
  $("progress-bar").max = p.script_total || 1;
  $("progress-bar").value = p.script_recorded;
  $("progress-text").textContent =
    `${p.script_recorded} / ${p.script_total} script sentences · ${p.takes} takes (${p.flagged} flagged) · ` +
    `${p.minutes} min recorded · ${p.ready >= p.min_takes_for_build ? "ready to build a voice" : `${p.min_takes_for_build - p.ready} more good takes to build a voice`}`;
}

async function loadPrompts(source) {
  const data = await api(`/api/prompts?source=${encodeURIComponent(source)}`);
  state.source = source;
  state.prompts = data.prompts;
  state.index = data.start;
  show();
}

function show() {
  const prompt = state.prompts[state.index];
  $("prompt-pos").textContent = prompt ? `${state.index + 1} / ${state.prompts.length}` : "";
  $("prompt").textContent = prompt ? prompt.text : "No sentences here yet. 아직 문장이 없습니다.";
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
  let heading = `✓ Good take (${take.duration_s} s). 좋아요!`;
  if (errors.length) heading = take.kept ? "Kept despite · 그대로 사용:" : "Please re-record · 다시 녹음해 주세요:";
  checks.append(el("p", { class: errors.length && !take.kept ? "error" : "ok" }, heading));
  if (!take.problems.length) return;
  const list = el("ul", { class: "problems" });
  for (const problem of take.problems) {
    list.append(el("li", { "data-code": problem.code, "data-severity": problem.severity }, problem.message));
  }
  checks.append(list);
}

async function toggleRecording() {
  const button = $("record");
  if (!state.recorder) {
    state.recorder = new Recorder();
    try {
      await state.recorder.start();
    } catch (error) {
      state.recorder = null;
      $("checks").replaceChildren(el("p", { class: "error" }, `Microphone unavailable: ${error.message}`));
      return;
    }
    button.textContent = "■ 멈춤 Stop";
    button.setAttribute("aria-pressed", "true");
    setNavigation(false);
    return;
  }
  const blob = await state.recorder.stop();
  state.recorder = null;
  setNavigation(true);
  button.textContent = "● 다시 녹음 Re-record";
  button.setAttribute("aria-pressed", "false");
  $("checks").replaceChildren(el("p", {}, "Checking… 확인 중…"));
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
      $("upload-result").textContent = `Checking ${update.take_count} recordings… ${update.percent}% · 확인 중`;
      return;
    }
    events.close();
    uploadFinished(update.status === "done" ? update.message : `The upload was not finished: ${update.message || update.status}`);
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
    $("record").textContent = "● 녹음 Record";
    show();
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("record").addEventListener("click", toggleRecording);
  $("play").addEventListener("click", () => $("player").play());
  $("prev").addEventListener("click", () => move(-1));
  $("next").addEventListener("click", () => move(1));
  $("skip").addEventListener("click", async () => {
    await api("/api/prompts/skip", { method: "POST", json: { key: state.prompts[state.index].key } });
    state.prompts[state.index].skipped = true;
    move(1);
  });
  $("delete-take").addEventListener("click", async () => {
    const prompt = state.prompts[state.index];
    if (!confirm("Delete this recording? 이 녹음을 삭제할까요?")) return;
    await api(`/api/takes/${prompt.take.id}`, { method: "DELETE" });
    prompt.take = null;
    showTake(null);
    loadProgress();
  });
  $("delete-sentence").addEventListener("click", async () => {
    const prompt = state.prompts[state.index];
    if (!confirm("Delete this sentence and its recording? 이 문장과 녹음을 삭제할까요?")) return;
    await api(`/api/sentences/${prompt.key.split(":")[1]}`, { method: "DELETE" });
    await loadPrompts("custom");
  });
  $("keep").addEventListener("click", async () => {
    const prompt = state.prompts[state.index];
    prompt.take = await api(`/api/takes/${prompt.take.id}/keep`, { method: "POST" });
    showTake(prompt.take);
    loadProgress();
  });
  for (const radio of document.querySelectorAll('input[name="source"]')) {
    radio.addEventListener("change", () => loadPrompts(radio.value));
  }
  $("add-sentence").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("new-sentence").value;
    await api("/api/sentences", { method: "POST", json: { text } });
    $("new-sentence").value = "";
    document.querySelector('input[name="source"][value="custom"]').checked = true;
    await loadPrompts("custom");
    state.index = state.prompts.length - 1;
    show();
  });
  $("upload").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData();
    for (const file of $("upload-files").files) form.append("files", file, file.name);
    form.append("texts", $("upload-texts").value);
    $("upload-result").textContent = "Uploading and checking… 확인 중…";
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
