// Shared by every page: translated strings, CSRF-aware fetch and the text-size buttons.
"use strict";

const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
// The page's strings in the interface language, rendered by the server from the same catalog.
const pageStrings = JSON.parse(document.getElementById("page-strings").textContent);

// t("Speaking: %(text)s", { text }) — the message in the page's language, placeholders filled the way
// Python's % does (the catalog is shared with the server), "%%" included.
function t(message, values = {}) {
  return (pageStrings[message] || message).replace(/%\((\w+)\)s|%%/g, (match, name) => (name ? String(values[name]) : "%"));
}

// fetch() that sends the CSRF token and turns error answers into an Error with the server's message.
async function api(url, options = {}) {
  const headers = Object.assign({ "X-CSRF-Token": csrfToken }, options.headers || {});
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(options.json);
  }
  let response;
  try {
    response = await fetch(url, Object.assign({}, options, { headers, credentials: "same-origin" }));
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new Error(t("Moksori cannot be reached. Check the connection and try again."));
  }
  if (!response.ok) {
    let message = t("The server answered with an error (%(status)s).", { status: response.status });
    try { message = (await response.json()).detail || message; } catch (e) { /* not JSON */ }
    throw new Error(message);
  }
  return options.raw ? response : response.json();
}

// The chosen text size is kept per device, since a phone and a tablet want different sizes.
function applyFontSize(step) {
  const size = Math.min(32, Math.max(14, (Number(localStorage.getItem("moksori-font")) || 18) + step));
  localStorage.setItem("moksori-font", size);
  document.documentElement.style.fontSize = size + "px";
}

document.addEventListener("DOMContentLoaded", () => {
  applyFontSize(0);
  for (const button of document.querySelectorAll("[data-font]")) {
    button.addEventListener("click", () => applyFontSize(2 * Number(button.dataset.font)));
  }
});

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  // textContent only: phrases and sentences are user text and must never become markup.
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

// Wait until a WebRTC connection has its ICE candidates, so one offer carries them all (the server answers
// once, without trickle ICE).
async function iceGathered(connection) {
  if (connection.iceGatheringState === "complete") return;
  await new Promise((resolve) => {
    connection.addEventListener("icegatheringstatechange", () => {
      if (connection.iceGatheringState === "complete") resolve();
    });
    setTimeout(resolve, 3000);  // loopback and LAN candidates come at once; do not wait on the rest
  });
}
