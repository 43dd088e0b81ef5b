// The user's call screen: captions of the other person, typing (Enter speaks, typing ahead queues, Esc stops),
// one key for "one moment", quick replies and phrases, mute, hang up, the call's timer, and the other person's
// voice (a receive-only WebRTC connection) with a volume and a speaker switch. Everything goes through the
// calls API (docs/calls.md); live events come by server-sent events.
"use strict";

const $ = (id) => document.getElementById(id);
const root = () => $("call");
const callId = () => root().dataset.callId;
let captions;
let since = null;  // when the far end joined (ms), for the timer
let live = false;
let listening = null;  // the RTCPeerConnection playing the far end's audio
const VOLUME_KEY = "moksori-call-volume";

function setState(text) { $("call-state").textContent = text; }

// A phone call before it connects, in words (once connected it is "On the call"; "ended" comes with its reason,
// worded by the server in the language of this page).
const PHONE_STATES = { calling: t("Calling…"), ringing: t("Ringing…"), answering: t("Answering…") };

function showPhoneState(state) {
  if (PHONE_STATES[state]) setState(PHONE_STATES[state]);
}

function tick() {
  if (!since || !live) return;
  const seconds = Math.max(0, Math.floor((Date.now() - since) / 1000));
  $("call-timer").textContent = `${String(Math.floor(seconds / 60)).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
}

async function post(path, json) {
  try {
    return await api(`/api/calls/${callId()}${path}`, { method: "POST", json });
  } catch (error) {
    $("call-problem").textContent = error.message;
    return null;
  }
}

function say(text) {
  text = text.trim();
  if (text && live) post("/say", { text });
}

function ended(reason) {
  live = false;
  if (listening) listening.close();
  listening = null;
  setState(reason ? t("Call ended (%(reason)s)", { reason }) : t("Call ended"));
  $("invite").hidden = true;
  for (const id of ["speak", "stop", "one-moment", "mute", "hangup"]) $(id).disabled = true;
  $("download").hidden = false;
  document.body.dataset.callEnded = "1";
}

function showInvite(invite) {
  if (!invite) return;
  $("join-url").value = invite.join_url;
  const svg = new DOMParser().parseFromString(invite.qr_svg, "image/svg+xml").documentElement;
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", t("QR code of the call link"));
  $("qr").replaceChildren(document.importNode(svg, true));
}

function handle(event) {
  captions.handle(event);
  if (event.type === "state" || event.type === "joined") {
    // The stream's first event: a phone call may have started ringing before this page subscribed.
    if (event.status === "waiting") showPhoneState(event.phone_state);
    if (event.status === "active") {
      $("invite").hidden = true;
      setState(t("On the call"));
      if (!since) since = event.joined_at ? Date.parse(event.joined_at) : Date.now();
    }
    if (event.captions === false) $("call-problem").textContent = t("Captions are not available.");
  } else if (event.type === "queue") {
    $("queue").replaceChildren(...event.waiting.map((text) => el("li", {}, text)));
  } else if (event.type === "speaking") {
    document.body.dataset.spoke = String(Number(document.body.dataset.spoke || 0) + 1);
  } else if (event.type === "sip") {
    showPhoneState(event.state);
  } else if (event.type === "notice") {
    $("call-notice").textContent = event.message;
  } else if (event.type === "problem") {
    $("call-problem").textContent = event.message;
  } else if (event.type === "caption") {
    document.body.dataset.captions = String(Number(document.body.dataset.captions || 0) + 1);
  } else if (event.type === "ended") {
    ended(event.reason_text);
  }
}

// The far end's audio on this page: the server relays what it hears from the other person.
async function listen() {
  const pc = new RTCPeerConnection({ iceServers: [] });
  pc.addTransceiver("audio", { direction: "recvonly" });
  pc.ontrack = (event) => {
    const audio = $("far-audio");
    audio.srcObject = event.streams[0] || new MediaStream([event.track]);
    audio.play().catch(() => {
      // The browser wants a gesture before it plays sound: the next key or click starts it.
      $("call-problem").textContent = t("Press any key or click to hear the other person.");
      const resume = () => audio.play().then(() => { $("call-problem").textContent = ""; }).catch(() => {});
      document.addEventListener("keydown", resume, { once: true });
      document.addEventListener("click", resume, { once: true });
    });
  };
  await pc.setLocalDescription(await pc.createOffer());
  await iceGathered(pc);
  const answer = await post("/listen", { sdp: pc.localDescription.sdp });
  if (!answer || !live) return pc.close();
  await pc.setRemoteDescription(answer);
  listening = pc;
  document.body.dataset.farAudio = "1";
}

function setSpeaker(off) {
  const audio = $("far-audio");
  audio.muted = off;
  $("speaker").setAttribute("aria-pressed", String(off));
  if (!off) audio.play().catch(() => {});
}

async function start() {
  captions = new CaptionList($("captions"));
  const call = await api(`/api/calls/${callId()}`);
  for (const line of call.lines) captions.line(line.speaker, line.text, line.final);
  // Kept even when the call is already over: an emergency call that failed is when "text 119" matters most.
  $("call-notice").textContent = sessionStorage.getItem(`call-${callId()}-notice`) || "";
  if (!call.live) return ended(call.end_reason_text);
  live = true;
  if (call.status === "waiting") showPhoneState(call.phone_state);
  $("keypad").hidden = call.mode !== "phone";
  if (call.status === "waiting" && call.mode === "call") {
    $("invite").hidden = false;
    showInvite(JSON.parse(sessionStorage.getItem(`call-${callId()}`) || "null"));
  }
  const source = new EventSource(`/api/calls/${callId()}/events`);
  source.onmessage = (message) => {
    const event = JSON.parse(message.data);
    handle(event);
    if (event.type === "ended") source.close();
  };
  setInterval(tick, 500);
  // Browser calls and phone calls have a far end to hear (a phone menu, too, before its keys are pressed).
  if (["call", "phone"].includes(root().dataset.mode)) await listen();
}

document.addEventListener("DOMContentLoaded", () => {
  speakFromBox($("say"), $("speak"), say);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") post("/stop");
    if (event.key === "F2") { event.preventDefault(); say(root().dataset.oneMoment); }
  });
  $("stop").addEventListener("click", () => post("/stop"));
  $("one-moment").addEventListener("click", () => say(root().dataset.oneMoment));
  $("mute").addEventListener("click", async () => {
    const muted = $("mute").getAttribute("aria-pressed") !== "true";
    if (await post("/mute", { muted })) $("mute").setAttribute("aria-pressed", String(muted));
  });
  $("hangup").addEventListener("click", () => {
    // The phone line is freed at once, but "ended" waits for the last words' captions: say it is under way.
    setState(t("Hanging up…"));
    post("/hangup");
  });
  for (const key of document.querySelectorAll("#keypad .key")) {
    key.addEventListener("click", () => post("/keys", { keys: key.dataset.key }));
  }
  $("speaker").addEventListener("click", () => setSpeaker($("speaker").getAttribute("aria-pressed") !== "true"));
  const volume = Number(localStorage.getItem(VOLUME_KEY) ?? 1);
  $("volume").value = String(volume);
  $("far-audio").volume = volume;
  $("volume").addEventListener("input", () => {
    $("far-audio").volume = Number($("volume").value);
    localStorage.setItem(VOLUME_KEY, $("volume").value);
  });
  $("copy-link").addEventListener("click", () => navigator.clipboard && navigator.clipboard.writeText($("join-url").value));
  $("new-link").addEventListener("click", async () => {
    const call = await post("/link");
    if (call) {
      sessionStorage.setItem(`call-${callId()}`, JSON.stringify({ join_url: call.join_url, qr_svg: call.qr_svg }));
      showInvite(call);
    }
  });
  $("quick").replaceChildren(...JSON.parse(root().dataset.quick).map((text) =>
    el("button", { type: "button", class: "phrase", onclick: () => say(text) }, text)));
  api("/api/phrases").then(({ phrases }) => $("board").replaceChildren(...phrases.map((phrase) =>
    el("button", { type: "button", class: "phrase", onclick: () => say(phrase.text) }, phrase.text))));
  start().catch((error) => { $("call-problem").textContent = error.message; });
});
