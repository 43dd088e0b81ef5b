// Voices page: start a build, follow it live (server-sent events), cancel, list and import voices.
"use strict";

const $ = (id) => document.getElementById(id);
let events = null;

// Voice card fields as people would name them; fields not listed here are shown by their own name.
const CARD_LABELS = {
  created: "Made · 만든 날", language: "Language · 언어", utterances: "Recordings · 녹음 수",
  minutes: "Minutes of speech · 분량(분)", training_seconds: "Training time (s) · 학습 시간(초)",
  model_size: "Model size · 모델 크기", steps: "Training steps · 학습 단계", validation_score: "Validation loss · 검증 손실",
  moksori_version: "Moksori version · 버전", seed: "Seed",
};

function formatEta(seconds) {
  if (seconds === null || seconds === undefined) return "";
  const minutes = Math.floor(seconds / 60);
  return `About ${minutes ? `${minutes} min ` : ""}${seconds % 60} s left · 남은 시간`;
}

// The engine's stage names, in words for the person waiting.
const STAGES = {
  "": "Waiting to start · 대기 중", check: "Checking recordings · 녹음 확인", import: "Preparing recordings · 녹음 준비",
  features: "Analysing your voice · 목소리 분석", train: "Learning your voice · 학습 중", done: "Finishing · 마무리",
  finished: "Finished · 완료",
};

function showJob(job) {
  $("job").hidden = job.finished;
  $("job-stage").textContent = `${STAGES[job.stage] || job.stage} — ${job.percent}%`;
  $("job-progress").value = job.percent;
  $("job-eta").textContent = formatEta(job.eta_s);
  $("job-error").hidden = job.status !== "failed";
  if (job.status === "failed") $("job-error").textContent = `The build failed · 실패: ${job.message}`;
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
  const builds = jobs.jobs.filter((job) => job.kind === "build");
  const active = builds.find((job) => !job.finished);
  $("build").disabled = !progress.can_build || jobs.jobs.some((job) => !job.finished);
  $("build-status").textContent = progress.can_build
    ? `${progress.ready} good recordings (${progress.minutes} min) are ready.`
    : `${progress.ready} of ${progress.min_takes_for_build} good recordings needed. 녹음을 더 해 주세요.`;
  if (active && !events) follow(active);
  const last = builds[0];
  if (!active && last && last.status === "failed") showJob(last);
  const list = $("voices");
  list.replaceChildren();
  if (!voices.voices.length) list.append(el("li", {}, "No voice yet. 아직 목소리가 없습니다."));
  for (const voice of voices.voices) {
    const card = el("dl", { class: "voice-card" });
    for (const [key, value] of Object.entries(voice.card || {})) {
      card.append(el("dt", {}, CARD_LABELS[key] || key), el("dd", {}, typeof value === "object" ? JSON.stringify(value) : value));
    }
    const item = el("li", { class: "voice" }, el("h3", {}, `${voice.name} · v${voice.version}`), card);
    if (voice.sample_url) item.append(el("audio", { controls: "", src: voice.sample_url, "aria-label": `Sample of ${voice.name}` }));
    item.append(
      el("a", { href: voice.export_url, class: "button", download: "" }, "내보내기 Export"),
      el("button", { type: "button", class: "warn", onclick: async () => {
        if (confirm(`Delete ${voice.name}? 삭제할까요?`)) { await api(`/api/voices/${voice.id}`, { method: "DELETE" }); refresh(); }
      } }, "삭제 Delete"),
    );
    list.append(item);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("build").addEventListener("click", async () => {
    $("build").disabled = true;
    try {
      follow(await api("/api/builds", { method: "POST" }));
    } catch (error) {
      $("job-error").hidden = false;
      $("job-error").textContent = error.message;
    }
  });
  $("import").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData();
    form.append("file", $("import-file").files[0]);
    try {
      const voice = await api("/api/voices/import", { method: "POST", body: form });
      $("import-result").textContent = `Imported as ${voice.name}.`;
      refresh();
    } catch (error) {
      $("import-result").textContent = error.message;
    }
  });
  refresh();
});
