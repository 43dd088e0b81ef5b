// Shop page: tick off or delete what the call assistant took, pick the assistant's voice, let it answer the
// phone line, save the profile.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const status = document.getElementById("shop-status");
  document.querySelector("main").addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-done], button[data-delete]");
    if (!button) return;
    try {
      if (button.dataset.delete) {
        if (!confirm(t("Delete this for good?"))) return;
        await api(`/api/shop/records/${button.dataset.delete}`, { method: "DELETE" });
      } else {
        await api(`/api/shop/records/${button.dataset.done}`, { method: "PATCH", json: { done: button.dataset.value === "true" } });
      }
      location.reload();
    } catch (error) {
      status.textContent = error.message;
    }
  });
  async function assistantCall() {
    status.textContent = t("Preparing the call…");
    const call = await api("/api/shop/calls", { method: "POST" });
    status.textContent = "";
    return call;
  }
  document.getElementById("try-call").addEventListener("click", async () => {
    try {
      location.href = (await assistantCall()).join_url;
    } catch (error) {
      status.textContent = error.message;
    }
  });
  document.getElementById("customer-link").addEventListener("click", async () => {
    try {
      const call = await assistantCall();
      document.getElementById("customer-link-url").value = call.join_url;
      const svg = new DOMParser().parseFromString(call.qr_svg, "image/svg+xml").documentElement;
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", t("QR code of the call link"));
      document.getElementById("customer-link-qr").replaceChildren(document.importNode(svg, true));
      document.getElementById("customer-link-box").hidden = false;
    } catch (error) {
      status.textContent = error.message;
    }
  });
  document.getElementById("shop-voice").addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = document.getElementById("voice-choice").value;
    try {
      await api("/api/shop/voice", { method: "PUT", json: { voice_id: value ? Number(value) : null } });
      status.textContent = t("Saved.");
    } catch (error) {
      status.textContent = error.message;
    }
  });
  document.getElementById("shop-phone").addEventListener("submit", async (event) => {
    event.preventDefault();
    const json = {
      answers_phone: document.getElementById("answers-phone").checked,
      answer_rings: Number(document.getElementById("answer-rings").value),
    };
    try {
      await api("/api/shop/phone", { method: "PUT", json });
      status.textContent = t("Saved.");
    } catch (error) {
      status.textContent = error.message;
    }
  });
  document.getElementById("shop-profile").addEventListener("submit", async (event) => {
    event.preventDefault();
    const problems = document.getElementById("profile-problems");
    try {
      await api("/api/shop/profile", { method: "PUT", json: { profile_yaml: document.getElementById("profile-yaml").value } });
      problems.hidden = true;
      status.textContent = t("Saved.");
    } catch (error) {
      problems.textContent = error.message;
      problems.hidden = false;
    }
  });
});
