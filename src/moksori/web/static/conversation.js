// Conversation mode on the talk page: with "Listen" on, the device microphone goes to the server over a
// WebSocket (16 kHz 16-bit PCM from an AudioWorklet), captions of the other person come back, and what the
// user types is spoken by the server through the same socket, so it can keep the user's own voice out of
// the captions. Turning Listen off ends the conversation; its transcript is on the Calls page.
"use strict";

const conversation = {
  socket: null, microphone: null, capture: null, playback: null, when: 0, rate: 48000, captions: null,

  get active() { return Boolean(this.socket && this.socket.readyState === WebSocket.OPEN); },

  say(text) {
    if (!this.active) return false;
    this.socket.send(JSON.stringify({ type: "say", text }));
    return true;
  },

  stop() {
    if (!this.active) return;
    this.socket.send(JSON.stringify({ type: "stop" }));
  },

  state(text) { document.getElementById("conversation-state").textContent = text; },

  async start() {
    this.captions = this.captions || new CaptionList(document.getElementById("conversation-lines"));
    this.state(t("Turning on the microphone…"));
    try {
      this.microphone = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
    } catch (error) {
      document.getElementById("listen").checked = false;
      return this.state(t("The microphone is not available (%(error)s).", { error: error.message }));
    }
    let started;
    try {
      started = await api("/api/calls", { method: "POST", json: { mode: "conversation" } });
    } catch (error) {
      this.end();
      return this.state(error.message);
    }
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    this.socket = new WebSocket(`${scheme}//${location.host}${started.socket_url}&rate=16000`);
    this.socket.binaryType = "arraybuffer";
    this.socket.onmessage = (message) => this.receive(message.data);
    this.socket.onclose = () => { this.end(); this.state(t("Listening is off.")); };
    await new Promise((resolve) => { this.socket.onopen = resolve; });
    this.capture = new AudioContext({ sampleRate: 16000 });
    await this.capture.audioWorklet.addModule("/static/recorder-worklet.js");
    const node = new AudioWorkletNode(this.capture, "recorder");
    node.port.onmessage = (event) => {
      if (!this.active) return;
      const samples = event.data;
      const pcm = new Int16Array(samples.length);
      for (let i = 0; i < samples.length; i++) pcm[i] = Math.max(-32768, Math.min(32767, samples[i] * 32768));
      this.socket.send(pcm.buffer);
    };
    this.capture.createMediaStreamSource(this.microphone).connect(node);
    this.playback = new AudioContext();
    this.state(t("Listening"));
    document.body.dataset.listening = "1";
  },

  receive(data) {
    if (typeof data === "string") {
      const event = JSON.parse(data);
      if (event.type === "hello") {
        this.rate = event.rate;
        if (!event.captions) this.state(t("Captions are not available on this server."));
      }
      else if (event.type === "problem") this.state(event.message);
      this.captions.handle(event);
      if (event.type === "caption") document.body.dataset.captions = String(Number(document.body.dataset.captions || 0) + 1);
      return;
    }
    // Our voice, one 20 ms frame at a time: played back to back, with a little slack for network jitter.
    const pcm = new Int16Array(data);
    const buffer = this.playback.createBuffer(1, pcm.length, this.rate);
    const channel = buffer.getChannelData(0);
    for (let i = 0; i < pcm.length; i++) channel[i] = pcm[i] / 32768;
    const source = this.playback.createBufferSource();
    source.buffer = buffer;
    source.connect(this.playback.destination);
    if (this.when < this.playback.currentTime) this.when = this.playback.currentTime + 0.06;
    source.start(this.when);
    this.when += buffer.duration;
  },

  end() {
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) this.socket.close();
    this.socket = null;
    if (this.microphone) for (const track of this.microphone.getTracks()) track.stop();
    if (this.capture) this.capture.close();
    if (this.playback) this.playback.close();
    this.microphone = this.capture = this.playback = null;
    delete document.body.dataset.listening;
  },
};
window.conversation = conversation;

document.addEventListener("DOMContentLoaded", () => {
  const listen = document.getElementById("listen");
  if (!listen) return;
  listen.addEventListener("change", () => (listen.checked ? conversation.start() : conversation.end()));
});
