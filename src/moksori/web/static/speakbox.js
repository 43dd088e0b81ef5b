// The typing box of the talk and call screens: Enter speaks what is typed and empties the box,
// Shift+Enter starts a new line, and the Enter that ends an input-method composition (a Hangul
// syllable being built) only finishes the syllable. The Speak button does the same as Enter.
"use strict";

function speakFromBox(box, button, say, afterSpeaking = () => {}) {
  const send = () => {
    say(box.value);
    box.value = "";
    afterSpeaking();
  };
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
  button.addEventListener("click", () => {
    send();
    box.focus();
  });
}
