// Shared by the call screen and the talk page's conversation panel: one transcript list where the other
// person's partial caption updates in place, final lines stay, and the user's own lines are interleaved.
"use strict";

class CaptionList {
  constructor(list) {
    this.list = list;
    this.partial = null;
  }

  line(speaker, text, final = true) {
    const item = el("li", { class: `${speaker}${final ? "" : " cut"}` },
      el("span", { class: "who" }, speaker === "me" ? t("Me") : t("Them")), text);
    if (speaker === "them" && this.partial) this.partial.replaceWith(item);
    else this.list.append(item);
    if (speaker === "them") this.partial = null;
    this.list.scrollTop = this.list.scrollHeight;
    return item;
  }

  caption(event) {
    if (event.final) return this.line("them", event.text);
    if (!this.partial) {
      // Partial text is not announced to screen readers (it changes word by word); the final line is.
      this.partial = el("li", { class: "them partial", "aria-live": "off" });
      this.list.append(this.partial);
    }
    this.partial.replaceChildren(el("span", { class: "who" }, `${t("Them")} …`), event.text);
    this.list.scrollTop = this.list.scrollHeight;
  }

  // Session events: "caption" (theirs), "line" (mine; theirs arrive as final captions).
  handle(event) {
    if (event.type === "caption") this.caption(event);
    else if (event.type === "line" && event.speaker === "me") this.line("me", event.text, event.final);
  }
}
