// Calls page: start a call, and the list of calls and conversations with their transcripts.
"use strict";

const STATUS = { waiting: t("Waiting"), active: t("Live"), ended: t("Ended") };
const MODE = { call: `📞 ${t("Call")}`, conversation: `💬 ${t("Conversation")}`, assistant: "🏪 " + t("Call to my shop's assistant") };

async function loadCalls() {
  const { calls } = await api("/api/calls");
  const list = document.getElementById("call-list");
  list.replaceChildren();
  if (!calls.length) list.append(el("li", { class: "muted" }, t("No calls yet.")));
  for (const call of calls) {
    const when = new Date(call.created_at).toLocaleString();
    list.append(el("li", {},
      el("span", { class: "when" }, `${MODE[call.mode] || call.mode} · ${when} · ${STATUS[call.status] || call.status}`),
      el("a", { class: "button", href: `/calls/${call.id}` }, call.live ? t("Open") : t("View")),
      el("a", { class: "button", href: `/api/calls/${call.id}/transcript.txt`, download: "" }, t("Download")),
      el("button", { type: "button", class: "small warn", "aria-label": t("Delete: %(when)s", { when }), onclick: async () => {
        if (!confirm(t("Delete this transcript?"))) return;
        await api(`/api/calls/${call.id}`, { method: "DELETE" });
        loadCalls();
      } }, t("Delete"))));
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("new-call").addEventListener("click", async () => {
    const status = document.getElementById("calls-status");
    status.textContent = t("Preparing the call…");
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
