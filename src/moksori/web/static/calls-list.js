// Calls page: start a call, and the list of calls and conversations with their transcripts.
"use strict";

const STATUS = { waiting: "연결 대기 Waiting", active: "통화 중 Live", ended: "끝남 Ended" };
const MODE = { call: "📞 통화 Call", conversation: "💬 대화 Conversation" };

async function loadCalls() {
  const { calls } = await api("/api/calls");
  const list = document.getElementById("call-list");
  list.replaceChildren();
  if (!calls.length) list.append(el("li", { class: "muted" }, "아직 기록이 없습니다. No calls yet."));
  for (const call of calls) {
    const when = new Date(call.created_at).toLocaleString();
    list.append(el("li", {},
      el("span", { class: "when" }, `${MODE[call.mode] || call.mode} · ${when} · ${STATUS[call.status] || call.status}`),
      el("a", { class: "button", href: `/calls/${call.id}` }, call.live ? "열기 Open" : "보기 View"),
      el("a", { class: "button", href: `/api/calls/${call.id}/transcript.txt`, download: "" }, "내려받기 Download"),
      el("button", { type: "button", class: "small warn", "aria-label": `삭제 Delete: ${when}`, onclick: async () => {
        if (!confirm("이 기록을 삭제할까요? Delete this transcript?")) return;
        await api(`/api/calls/${call.id}`, { method: "DELETE" });
        loadCalls();
      } }, "삭제 Delete")));
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("new-call").addEventListener("click", async () => {
    const status = document.getElementById("calls-status");
    status.textContent = "통화를 준비하는 중… Preparing the call…";
    try {
      const call = await api("/api/calls", { method: "POST", json: { mode: "call" } });
      sessionStorage.setItem(`call-${call.id}`, JSON.stringify({ join_url: call.join_url, qr_svg: call.qr_svg }));
      location.href = `/calls/${call.id}`;
    } catch (error) {
      status.textContent = error.message;
    }
  });
  loadCalls();
});
