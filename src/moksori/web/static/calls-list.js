// Calls page: start a call, and the list of calls and conversations with their transcripts.
"use strict";

const STATUS = { waiting: t("Waiting"), active: t("Live"), ended: t("Ended") };
const MODE = { call: `📞 ${t("Call")}`, conversation: `💬 ${t("Conversation")}`, phone: `☎ ${t("Phone call")}`,
  assistant: "🏪 " + t("Call to my shop's assistant") };
let ringId = null;
let ringCaller = null;

// Said as soon as an emergency number is typed, before the call is made (the server dials it all the same).
function emergencyNotice() {
  const numbers = document.getElementById("dial-form").dataset.emergencyNumbers.split(" ");
  const typed = document.getElementById("number").value.trim();
  // As the server reads it: a number or sip:number@host, spaces and dashes left out.
  const number = typed.replace(/^sips?:/i, "").split("@")[0].replace(/[\s-]/g, "");
  document.getElementById("emergency-notice").textContent = numbers.includes(number)
    ? t("%(number)s is an emergency number. It will be dialled, but emergency services may not be reachable through an internet phone account and may not see where you are. In Korea you can also text 119 or use the 119 emergency app.", { number })
    : "";
}

// The ringing box goes away: the keyboard focus, if it was on Answer or Decline, moves to the number field
// rather than being lost, and what happened is said.
function ringOver(message) {
  const ringing = document.getElementById("ringing");
  const hadFocus = ringing.contains(document.activeElement);
  ringId = ringCaller = null;
  ringing.hidden = true;
  if (hadFocus) document.getElementById("number").focus();
  document.getElementById("phone-status").textContent = message;
}

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
      ringCaller = event.caller;
      document.getElementById("ringing-caller").textContent = t("%(caller)s is calling", { caller: event.caller });
      document.getElementById("ringing").hidden = false;
      document.getElementById("answer").focus();
    } else if (event.type === "ring_ended" && event.ring_id === ringId) {
      ringOver(t("Missed call from %(caller)s.", { caller: ringCaller }));  // the caller gave up
    }
  };
}

async function answerRinging(answer) {
  const id = ringId;
  const caller = ringCaller;
  ringOver(answer ? t("Answering…") : "");
  try {
    const call = await api(`/api/phone/ringing/${encodeURIComponent(id)}/${answer ? "answer" : "decline"}`, { method: "POST", json: {} });
    if (answer) location.href = `/calls/${call.id}`;
    else document.getElementById("phone-status").textContent = t("You declined the call from %(caller)s.", { caller });
  } catch (error) {
    document.getElementById("phone-status").textContent = error.message;
  }
}

async function loadCalls() {
  const { calls } = await api("/api/calls");
  const list = document.getElementById("call-list");
  list.replaceChildren();
  if (!calls.length) list.append(el("li", { class: "muted" }, t("No calls yet.")));
  for (const call of calls) {
    const when = new Date(call.created_at).toLocaleString();
    const status = call.end_reason_text ? t("Ended (%(reason)s)", { reason: call.end_reason_text }) : STATUS[call.status] || call.status;
    list.append(el("li", {},
      el("span", { class: "when" }, `${MODE[call.mode] || call.mode} · ${when} · ${status}`),
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
  document.getElementById("number").addEventListener("input", emergencyNotice);
  document.getElementById("answer").addEventListener("click", () => answerRinging(true));
  document.getElementById("decline").addEventListener("click", () => answerRinging(false));
  loadCalls();
  listenToPhone();
});
