"""The page's own style and script, which the Gradio app puts in its head: colours for both
schemes (each text colour with its background, WCAG AA), the answer buttons' handlers, and the
page-side steps that keep the chat in the browser."""

from __future__ import annotations

MAX_KEPT = 400  # chat messages the page shows and keeps across reloads (200 questions and replies)
# Page-side steps of the chat (no request): append the newest exchange, keep the last MAX_KEPT
# messages, save them and empty the hidden chatbot; on opening, show the saved chat.
APPEND = f"""(latest, chat) => {{
  const all = (Array.isArray(chat) ? chat : []).concat(Array.isArray(latest) ? latest : []).slice(-{MAX_KEPT});
  return [all, all, []];
}}"""
RESTORE = "(saved) => [Array.isArray(saved) ? saved : []]"  # a list of outputs: here one, the chat

# Colours as variables, one set per scheme; every rule below sets a text colour and its background.
# Contrast (text on its background) is at least 4.5:1 in both sets (tests/test_e2e.py measures it).
CSS = """
:root, .light {
  --qa-fg: #1f2328; --qa-muted: #4a5360; --qa-quote-bg: #fdf6f5; --qa-accent: #b3261e;
  --qa-fig-bg: #ffe08a; --qa-fig-fg: #1f2328; --qa-hit-bg: #fff3c4; --qa-warn: #7a4100;
  --qa-btn-bg: #eef1f4; --qa-btn-fg: #1f2328; --qa-line: #d5dae0; --qa-link: #1d5fa8;
  --vf-ok-bg: #e3f5e9; --vf-ok-fg: #145c33; --vf-bad-bg: #fde2e1; --vf-bad-fg: #9b1f17;
  --vf-none-bg: #eceff1; --vf-none-fg: #37414a;
}
.dark {
  --qa-fg: #e8eaed; --qa-muted: #c3c9d0; --qa-quote-bg: #2e2422; --qa-accent: #f08a7e;
  --qa-fig-bg: #5a4700; --qa-fig-fg: #fff3c4; --qa-hit-bg: #3b3421; --qa-warn: #ffc27a;
  --qa-btn-bg: #2f363d; --qa-btn-fg: #e8eaed; --qa-line: #49525b; --qa-link: #8cc4ff;
  --vf-ok-bg: #163d26; --vf-ok-fg: #b5f0c9; --vf-bad-bg: #4d1c18; --vf-bad-fg: #ffc4bc;
  --vf-none-bg: #30373e; --vf-none-fg: #e1e6ea;
}
.qa-answer, .qa-user { line-height: 1.7; color: var(--qa-fg); }
.qa-quote { border-left: 4px solid var(--qa-accent); margin: 0 0 .4em 0; padding: .25em .8em;
  background: var(--qa-quote-bg); color: var(--qa-fg); }
.qa-cite, .qa-understood, .qa-more { color: var(--qa-muted); font-size: .92em; }
.qa-answer mark.fig, .vf-result mark.fig { background: var(--qa-fig-bg); color: var(--qa-fig-fg);
  padding: 0 .1em; border-radius: 2px; }
.qa-answer mark.hit { background: var(--qa-hit-bg); color: var(--qa-fg); font-weight: 600;
  border-bottom: 2px solid var(--qa-accent); }
.qa-answer details { margin: .3em 0; }
.qa-answer summary { cursor: pointer; color: var(--qa-link); }
.qa-none { color: var(--qa-warn); font-weight: 600; }
.qa-why { margin-top: 0.25em; }
.qa-unsure { color: var(--qa-warn); font-size: .92em; margin-bottom: .3em; }
.qa-quote.qa-related { border-left: 4px dashed var(--qa-muted); background: transparent; color: var(--qa-muted); }
.qa-actions { margin-top: .4em; display: flex; gap: .4em; flex-wrap: wrap; }
.qa-actions button, .vf-votes button { background: var(--qa-btn-bg); color: var(--qa-btn-fg);
  border: 1px solid var(--qa-line); border-radius: 6px; padding: .1em .6em; font-size: .85em; cursor: pointer; }
.qa-actions button[disabled], .vf-votes button[disabled] { opacity: 1; cursor: default; }
.qa-actions button.voted, .vf-votes button.voted { border-color: var(--qa-accent); }
.vf-result { color: var(--qa-fg); }
.vf-summary { font-weight: 600; margin: .2em 0 .5em; color: var(--qa-fg); }
.vf-draft { line-height: 1.9; margin-bottom: .6em; color: var(--qa-fg); white-space: pre-wrap; }
.vf-draft mark { padding: 0 .15em; border-radius: 3px; }
.vf-table { width: 100%; border-collapse: collapse; font-size: .95em; color: var(--qa-fg); }
.vf-table th, .vf-table td { border-bottom: 1px solid var(--qa-line); padding: .45em .4em; text-align: left;
  color: var(--qa-fg); }
.vf-table td { vertical-align: top; }
.vf-badge { display: inline-block; padding: .1em .55em; border-radius: 999px; font-weight: 600; white-space: nowrap; }
.vf-ok { background: var(--vf-ok-bg); color: var(--vf-ok-fg); }
.vf-bad { background: var(--vf-bad-bg); color: var(--vf-bad-fg); }
.vf-none { background: var(--vf-none-bg); color: var(--vf-none-fg); }
.vf-cite { color: var(--qa-muted); font-size: .9em; }
#vf-file .or { color: var(--qa-muted); opacity: 1; }  /* the upload box's 「- 或 -」, readable */
.vf-downloads a { color: var(--qa-link); margin-right: .8em; }
.qa-cite a.qa-link, .vf-cite a.qa-link { color: var(--qa-link); }
.qa-hidden { display: none !important; }
/* Gradio turns the accordion's ▼ a quarter to the left when closed; closed points right (▶). */
#qa-dates .label-wrap:not(.open) .icon { transform: rotate(-90deg) !important; }
#qa-send, #vf-send { background: #3730a3 !important; color: #ffffff !important; border-color: #3730a3 !important; }
/* The theme's violet labels and selected tab fall just under 4.5:1; darker in light, lighter in dark. */
:root, .light { --block-label-text-color: #3730a3; --block-title-text-color: #3730a3; --qa-tab: #3730a3;
  --block-label-background-fill: #eef2ff; }
.dark { --block-label-text-color: #ffffff; --block-title-text-color: #ffffff; --qa-tab: #c7d2fe;
  --block-label-background-fill: #1e1b4b; }
button[role="tab"][aria-selected="true"], button[role="tab"].selected { color: var(--qa-tab) !important; }
.gradio-container .label { color: var(--block-label-text-color) !important; }
/* Gradio's own chat toolbar (clear, scroll down) floats over the messages;
   新对话 below the chat replaces it. */
#qa-chat button.icon-button, #qa-chat .icon-button-wrapper { display: none !important; }
#qa-chat { height: min(520px, 46vh) !important; }
@media (max-width: 640px) {
  .qa-answer { font-size: 15px; }
  .vf-table thead { display: none; }
  .vf-table tr { display: block; border-bottom: 1px solid var(--qa-line); padding: .4em 0; }
  .vf-table td { display: block; border: none !important; padding: .15em .2em; }
  .vf-table, .vf-table tr { border: none !important; border-bottom: 1px solid var(--qa-line) !important; }
  .gradio-container { padding-left: 6px !important; padding-right: 6px !important; }
}
"""

# One handler for the buttons inside answers and checks: copy, share, vote. A vote goes to the
# server through a hidden text box and button (Gradio's own event path, no extra route).
SCRIPT = """
<script>
(() => {
  const flash = (btn, text) => { const old = btn.textContent; btn.textContent = text;
    setTimeout(() => { btn.textContent = old; }, 1500); };
  const copy = async (text, btn) => {
    try { await navigator.clipboard.writeText(text); }
    catch (e) { const t = document.createElement("textarea"); t.value = text; document.body.appendChild(t);
      t.select(); document.execCommand("copy"); t.remove(); }
    flash(btn, "已复制");
  };
  const send = (payload) => {
    const box = document.querySelector("#qa-feedback textarea");
    const go = document.querySelector("#qa-feedback-send");
    if (!box || !go) return;
    box.value = JSON.stringify(payload);
    box.dispatchEvent(new Event("input", { bubbles: true }));
    setTimeout(() => go.click(), 80);
  };
  // Gradio's own screen-reader labels are English, and a message's holds its raw HTML: say them
  // in Chinese, with the message as plain text.
  const LABELS = { "chatbot conversation": "对话记录", "More tabs": "更多标签页", "Clear": "清空",
    "Copy": "复制", "Copied": "已复制", "Loading...": "正在加载" };
  const relabel = () => {
    document.querySelectorAll("[aria-label]").forEach((el) => {
      const label = el.getAttribute("aria-label");
      const said = label.startsWith("bot's message") ? "回答:" : label.startsWith("user's message") ? "问题:" : "";
      if (said) el.setAttribute("aria-label", said + el.innerText.replace(/\\s+/g, " ").trim().slice(0, 300));
      else if (LABELS[label]) el.setAttribute("aria-label", LABELS[label]);
    });
  };
  let pending = false;
  new MutationObserver(() => {
    if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; relabel(); }); }
  }).observe(document.documentElement,
    { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-label"] });
  const kinds = ["copy", "share", "up", "down"];
  document.addEventListener("click", (ev) => {
    const b = ev.target.closest("button.qa-act");
    const holder = b && b.closest(".qa-answer, .vf-row");
    const data = holder && holder.querySelector(".qa-data");
    if (!data) return;
    ev.preventDefault();
    const d = JSON.parse(data.textContent);
    const act = kinds.find((k) => b.classList.contains("qa-" + k));
    if (act === "copy") copy(d.copy, b);
    else if (act === "share") copy(location.origin + location.pathname + "?q=" + encodeURIComponent(d.link || d.q), b);
    else if (act === "up" || act === "down") {
      send({ kind: d.kind, sentence: d.sentence, vote: act === "up" ? 1 : -1, question: d.q || "" });
      b.parentElement.querySelectorAll("button.qa-up, button.qa-down").forEach((x) => { x.disabled = true; });
      b.classList.add("voted");
      b.textContent = act === "up" ? "👍 已记录" : "👎 已记录";  // stays: the vote is kept
    }
  });
})();
</script>
"""
