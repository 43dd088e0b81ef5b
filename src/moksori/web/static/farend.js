// The far end's page (no account): after the notice, connect the microphone to the server over WebRTC,
// play the user's voice, and optionally show the sentences as text (a data channel).
"use strict";

const $ = (id) => document.getElementById(id);
let pc = null;
let since = null;

function setState(text) { $("state").textContent = text; }

async function join() {
  $("join").disabled = true;
  setState(t("Turning on the microphone…"));
  let microphone;
  try {
    microphone = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
  } catch (error) {
    $("join").disabled = false;
    return setState(t("The microphone is not available (%(error)s).", { error: error.message }));
  }
  pc = new RTCPeerConnection({ iceServers: [] });
  for (const track of microphone.getTracks()) pc.addTrack(track, microphone);
  const channel = pc.createDataChannel("text");
  channel.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.type === "speaking" && $("show-text").checked) {
      $("said").append(el("li", { class: "me" }, event.text));
      document.body.dataset.textLines = String($("said").children.length);
    }
  };
  pc.ontrack = (event) => {
    $("remote").srcObject = event.streams[0] || new MediaStream([event.track]);
    $("remote").play().catch(() => {});
  };
  pc.onconnectionstatechange = () => {
    if (pc.connectionState === "connected") {
      setState(t("On the call"));
      since = Date.now();
      document.body.dataset.connected = "1";
    } else if (["failed", "closed", "disconnected"].includes(pc.connectionState)) {
      setState(t("The call has ended."));
      $("leave").hidden = true;
    }
  };
  await pc.setLocalDescription(await pc.createOffer());
  await iceGathered(pc);
  try {
    const answer = await api(`/api/join/${$("farend").dataset.token}`, { method: "POST", json: { sdp: pc.localDescription.sdp } });
    await pc.setRemoteDescription(answer);
    setState(t("Connecting…"));
    $("leave").hidden = false;
  } catch (error) {
    pc.close();
    setState(error.message);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("join").addEventListener("click", join);
  $("leave").addEventListener("click", () => {
    if (pc) pc.close();
    setState(t("The call has ended."));
    $("leave").hidden = true;
  });
  setInterval(() => {
    if (!since || !pc || pc.connectionState !== "connected") return;
    const s = Math.floor((Date.now() - since) / 1000);
    $("timer").textContent = `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
  }, 500);
});
