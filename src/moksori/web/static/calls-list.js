// Calls page: start a call, and the list of calls and conversations with their transcripts.
"use strict";

const STATUS = { waiting: t("Waiting"), active: t("Live"), ended: t("Ended") };
const MODE = { call: `📞 ${t("Call")}`, conversation: `💬 ${t("Conversation")}`, phone: `☎ ${t("Phone call")}`,
  assistant: "🏪 " + t("Call to my shop's assistant") };
let ringId = null;

// The user's phone line: its state, and calls that ring here until answered, declined or given up.
function listenToPhone() {
  const state = document.getElementById("line-state");
  const source = new EventSource("/api/phone/events");
  source.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.type === "line") {
      state.textContent = event.state === "registered" ? t("Your phone line is ready.") : event.message;
      document.getElementById("dial").disabled = event.state !== "registered";
      document.body.dataset.line = event.state;
      if (event.state !== "registered") source.close();
    } else if (event.type === "ringing") {
      ringId = event.ring_id;
      document.getElementById("ringing-caller").textContent = t("%(caller)s is calling", { caller: event.caller });
      document.getElementById("ringing").hidden = false;
      document.getElementById("answer").focus();
    } else if (event.type === "ring_ended" && event.ring_id === ringId) {
      ringId = null;
      document.getElementById("ringing").hidden = true;
    }
  };
}

async function answerRinging(answer) {
  const status = document.getElementById("phone-status");
  const id = ringId;
  document.getElementById("ringing").hidden = true;
  try {
    const call = await api(`/api/phone/ringing/${encodeURIComponent(id)}/${answer ? "answer" : "decline"}`, { method: "POST", json: {} });
    if (answer) location.href = `/calls/${call.id}`;
  } catch (error) {
    status.textContent = error.message;
  }
}

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
  document.getElementById("dial-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = document.getElementById("phone-status");
    status.textContent = t("Calling…");
    try {
      const call = await api("/api/phone/calls", { method: "POST", json: { number: document.getElementById("number").value } });
      sessionStorage.setItem(`call-${call.id}-notice`, call.notice || "");
      location.href = `/calls/${call.id}`;
    } catch (error) {
      status.textContent = error.message;
    }
  });
  document.getElementById("answer").addEventListener("click", () => answerRinging(true));
  document.getElementById("decline").addEventListener("click", () => answerRinging(false));
  loadCalls();
  listenToPhone();
});
