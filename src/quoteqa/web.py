"""The Gradio chat UI; it receives a QA object and only renders what QA.ask and QA.verify return.

Everything a person sees is Chinese. Every text colour is set with its background, for the light
and the dark scheme (Gradio adds the class ``dark``), so that each meets WCAG AA (4.5:1). Buttons
inside an answer (复制, 分享, 👍/👎) are plain buttons told apart by class, their data a JSON text
in a hidden ``.qa-data`` element of the same answer: one script in the page head handles them
(the chat's HTML is sanitised, which keeps classes and text and drops handlers and data-*).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import logging
import os
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .citations import Citation, cited, dated, link, when
from .exports import figure_line, summary, to_csv, to_markdown
from .feedback import FeedbackStore, Vote
from .guard import Guard, Limits
from .inputs import HISTORY_READ, InputError
from .numbers import parse as parse_figures
from .qa import QA, Answer
from .text import split_sentences
from .verify import Verification

if TYPE_CHECKING:
    import gradio as gr

    from .connections import ConnectionLimits

log = logging.getLogger(__name__)

EXAMPLES = [
    "上半年新增了多少就业岗位?",
    "上半年旅游总收入是多少?",
    "新增上市企业几家?",
    "谁对当前重点工作进行了部署?",
]
NOT_FOUND = "原文中未找到相关内容。"
# Shown above an answer that is not sure (qa.SURE): the closest passage, with a word of caution.
UNSURE = "原文中最相关的是这一句,可能没有完全回答您的问题,请对照原文:"
MAX_SHOWN = 500  # characters of a user's question echoed into the chat
MAX_KEPT = 400  # chat messages the page shows and keeps across reloads (200 questions and replies)
# Page-side steps of the chat (no request): append the newest exchange, keep the last MAX_KEPT
# messages, save them and empty the hidden chatbot; on opening, show the saved chat.
APPEND = f"""(latest, chat) => {{
  const all = (Array.isArray(chat) ? chat : []).concat(Array.isArray(latest) ? latest : []).slice(-{MAX_KEPT});
  return [all, all, []];
}}"""
RESTORE = "(saved) => [Array.isArray(saved) ? saved : []]"  # a list of outputs: here one, the chat

VERIFY_EXAMPLE = "上半年武进旅游总收入超过100亿元,新增就业岗位5.7万个,新增上市企业5家。"
_BADGE = {"supported": ("ok", "一致"), "contradicted": ("bad", "不一致"), "not_found": ("none", "未找到")}
_STATUS_CLASS = {"match": "ok", "mismatch": "bad", "unclear": "none", "missing": "none"}

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


def _figures(text: str) -> str:
    """Escape text and wrap each quantity (as the verifier reads them) in <mark class="fig">."""
    return _marked(text, [(fig.start, fig.end, "fig") for fig in parse_figures(text)])


def _cite(c: Citation) -> str:
    return f"——{html.escape(cited(c))}{_source_link(c.source.url)}"


def _source_link(url: str) -> str:
    """「原文」 linking to the article's web page, when its front matter gives one (escaped)."""
    href = link(url)
    return (
        f' <a class="qa-link" href="{html.escape(href)}" target="_blank" rel="noopener noreferrer">原文</a>'
        if href
        else ""
    )


def plain_citation(answer: Answer) -> str:
    """What 复制 puts on the clipboard: 「quote」——《headline》第 N 段."""
    first = answer.citations[0]
    return f"「{answer.answer}」——{cited(first)}"


def _understood(answer: Answer) -> str:
    """「按“…”理解」 when the question was read otherwise than typed (a typo, a follow-up)."""
    if answer.interpreted and answer.interpreted != answer.question:
        return f'<div class="qa-understood">按“{html.escape(answer.interpreted)}”理解</div>'
    return ""


def _button(act: str, label: str, title: str = "") -> str:
    return f'<button type="button" class="qa-act qa-{act}" title="{title or label}">{label}</button>'


VOTES = _button("up", "👍", "有用") + _button("down", "👎", "有误")


def _data(**fields: str) -> str:
    """What the buttons of one answer or row act on, as JSON text (escaped; never markup)."""
    return f'<span class="qa-data qa-hidden">{html.escape(json.dumps(fields, ensure_ascii=False))}</span>'


def _asked(answer: Answer) -> str:
    """What a share link asks: the question as understood (a follow-up completed, typos
    repaired), so that the link opens the answer the sharer saw."""
    return answer.interpreted or answer.question


def render(answer: Answer, qa: QA) -> str:
    """One chat reply as a single HTML block (no blank lines, so Markdown leaves it alone)."""
    share = _button("share", "分享", "复制这个问题的链接")
    if not answer.found and answer.missing is not None and answer.missing.kind == "topic":
        return f'<div class="qa-answer"><div class="qa-none">{html.escape(answer.missing.message)}</div></div>'
    if not answer.found:
        parts = [f'<div class="qa-answer">{_understood(answer)}<div class="qa-none">{NOT_FOUND}</div>']
        if answer.missing is not None:
            parts.append(f'<div class="qa-why">{html.escape(answer.missing.message)}</div>')
        for c in answer.related:
            parts.append(
                f'<details><summary>相关原文(仅供参考,不是答案)</summary><p class="qa-more">'
                f"「{html.escape(c.quote)}」{_cite(c)}</p></details>"
            )
        if answer.passages and not answer.related:
            parts.append("<details><summary>相关段落(仅供参考,不是答案)</summary>")
            for p in answer.passages[:2]:
                source = html.escape(dated(p.source))
                where = f"《{html.escape(p.title)}》第 {p.paragraph} 段{source}"
                parts.append(f'<p class="qa-more">{where}:{html.escape(p.text)}</p>')
            parts.append("</details>")
        parts.append(f'<div class="qa-actions">{share}</div>{_data(q=answer.question, link=_asked(answer))}</div>')
        return "".join(parts)
    first = answer.citations[0]
    parts = ['<div class="qa-answer">', _understood(answer)]
    if not answer.sure:
        parts.append(f'<div class="qa-unsure">{UNSURE}</div>')
    parts += [
        f'<blockquote class="qa-quote">「{_figures(answer.answer)}」</blockquote>',
        f'<div class="qa-cite">{_cite(first)}</div>',
    ]
    if first.reads:
        parts.append(f'<div class="qa-cite">(文中{html.escape(first.reads)})</div>')
    if first.part == "body":
        _, sentences = qa.paragraph_of(first)
        marked = []
        for i, s in enumerate(sentences, start=1):
            body = _figures(s)
            marked.append(f'<mark class="hit">{body}</mark>' if i in answer.sentences else body)
        parts.append(f"<details><summary>查看原文段落</summary><p>{''.join(marked)}</p></details>")
    if len(answer.citations) > 1:
        parts.append('<div class="qa-more">其他依据:<ul>')
        for c in answer.citations[1:]:
            parts.append(f"<li>「{_figures(c.quote)}」{_cite(c)}</li>")
        parts.append("</ul></div>")
    if answer.timeline:
        parts.append('<div class="qa-more">历年对比:<ul>')
        for c in answer.timeline:
            parts.append(f"<li>{html.escape(when(c.date))}:「{_figures(c.quote)}」</li>")
        parts.append("</ul></div>")
    data = _data(
        copy=plain_citation(answer), q=answer.question, link=_asked(answer), kind="answer", sentence=answer.answer
    )
    parts.append(f'<div class="qa-actions">{_button("copy", "复制", "复制引文和出处")}{share}{VOTES}</div>{data}')
    parts.append("</div>")
    return "".join(parts)


def _mark_figures(text: str, figures: list[str]) -> str:
    """Escape text and highlight the given figure strings in it."""
    starts = [(text.find(f), f) for f in figures if f]
    return _marked(text, [(at, at + len(f), "fig") for at, f in starts if at >= 0])


def _marked(text: str, spans: list[tuple[int, int, str]]) -> str:
    """Escape text and wrap each (start, end, class) span in <mark class=…>; overlaps are skipped."""
    out, pos = [], 0
    for start, end, cls in sorted(spans):
        if start < pos:
            continue
        out.append(html.escape(text[pos:start]))
        out.append(f'<mark class="{cls}">{html.escape(text[start:end])}</mark>')
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def marked_draft(draft: str, result: Verification) -> str:
    """The draft as typed, each checked figure marked by its verdict (green, red, grey)."""
    spans: list[tuple[int, int, str]] = []
    at = 0
    for r in result.claims or [result]:
        where = draft.find(r.claim, at)
        if where < 0:
            continue
        at = where + len(r.claim)
        inner = 0
        for f in r.figures:
            i = r.claim.find(f.claimed, inner)
            if i >= 0:
                spans.append((where + i, where + i + len(f.claimed), f"vf-{_STATUS_CLASS[f.status]}"))
                inner = i + len(f.claimed)
    return f'<div class="vf-draft">{_marked(draft, spans)}</div>'


def render_verification(result: Verification, draft: str = "") -> str:
    """The overall verdict, the draft with its figures marked, then one row per claim with its
    badge, figures, highlighted source and 👍/👎."""
    head = "".join(f"<th>{h}</th>" for h in ("结论", "核实内容", "稿件 → 原文", "原文句子", "反馈"))
    body = []
    for r in result.claims or [result]:
        cls, label = _BADGE[r.verdict]
        figs = "<br>".join(html.escape(figure_line(f)) for f in r.figures)
        if r.citation:
            source = _mark_figures(r.evidence, [f.source or "" for f in r.figures])
            source += f'<div class="vf-cite">{_cite(r.citation)}</div>'
        else:
            source = '<span class="vf-cite">原文中未找到相关内容</span>'
        votes = f'<div class="vf-votes">{VOTES}</div>{_data(kind="verify", sentence=r.evidence or r.claim)}'
        body.append(
            f'<tr class="vf-row"><td><span class="vf-badge vf-{cls}">{label}</span></td><td>{html.escape(r.claim)}</td>'
            f"<td>{figs or '(无数字)'}</td><td>{source}</td><td>{votes}</td></tr>"
        )
    table = f'<table class="vf-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    legend = "".join(
        f'<mark class="vf-{c}">{w}</mark> ' for c, w in (("ok", "一致"), ("bad", "不一致"), ("none", "未确定"))
    )
    draft_html = f'{marked_draft(draft, result)}<div class="vf-cite">图例:{legend}</div>' if draft else ""
    note = f'<div class="vf-summary">注:{html.escape(result.note)}</div>' if result.note else ""
    return (
        f'<div class="vf-result"><div class="vf-summary">{html.escape(summary(result))}</div>{note}{draft_html}{table}'
        "</div>"
    )


def export_links(result: Verification) -> str:
    """Download links for the results as a table file (CSV, UTF-8 with BOM, so spreadsheet programs
    read Chinese) and as Markdown. Made in memory and carried in the links (data: URLs): a checked
    draft is never written to the server's disk. Markup in either is escaped (see verify._inert)."""
    links = []
    for name, mime, data in (
        ("核实结果.csv", "text/csv", "\ufeff" + to_csv(result)),
        ("核实结果.md", "text/markdown", to_markdown(result)),
    ):
        payload = base64.b64encode(data.encode("utf-8")).decode("ascii")
        href = f"data:{mime};charset=utf-8;base64,{payload}"
        links.append(f'<a class="vf-download" download="{name}" href="{href}">{name}</a>')
    return f'<div class="vf-downloads">下载:{" ".join(links)}</div>'


def _outcome(result: Answer | Verification) -> str:
    return f"found={result.found}" if isinstance(result, Answer) else f"verdict={result.verdict}"


def log_key(path: Path | None = None) -> bytes:
    """The per-install secret that keys the request log's hashes, so that a logged hash cannot be
    reversed by hashing guesses (phone numbers are few enough to try them all). Kept, readable by
    its owner only, in $XDG_STATE_HOME/quoteqa/log.key (default ~/.local/state); when that cannot
    be written, a key for this run only."""
    if path is None:
        state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
        path = Path(state) / "quoteqa" / "log.key"
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except OSError:
        pass
    key = secrets.token_bytes(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key)
    except OSError as exc:
        log.warning("cannot keep the log key at %s (%s); hashes in the log change with each run", path, exc.strerror)
    return key


_LOG_KEY: list[bytes] = []


def log_request(endpoint: str, text: object, start: float, outcome: str) -> None:
    """One line per request. The user's text is never logged: only its length and a hash keyed
    with the install's secret (equal questions share it, and it reveals nothing else)."""
    if not _LOG_KEY:
        _LOG_KEY.append(log_key())
    raw = text if isinstance(text, str) else repr(text)
    digest = hmac.new(_LOG_KEY[0], raw.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:16]
    ms = 1000 * (time.perf_counter() - start)
    log.info("request endpoint=%s %s ms=%.1f chars=%d key=%s", endpoint, outcome, ms, len(raw), digest)


def refused(exc: InputError) -> str:
    """The log outcome of a refused input: its code, never its text."""
    return f"refused code={exc.code}"


def _error(key: str, text: object, exc: InputError) -> dict[str, Any]:
    """The API's answer to refused input: the same object as `quoteqa ask --json` gives."""
    return {key: text if isinstance(text, str) else repr(text), "error": str(exc), "code": exc.code}


def _recent(asked: list[str] | None) -> list[str]:
    """The last HISTORY_READ earlier questions of what the page sent (text only)."""
    return [a for a in asked or [] if isinstance(a, str)][-HISTORY_READ:]


def _user_bubble(question: str) -> dict[str, Any]:
    # Escaped, and no blank line left: Markdown must not come back to life after the <div>.
    shown = html.escape((question or "").strip()[:MAX_SHOWN]).replace("\n", "<br>") or "(空)"
    return {"role": "user", "content": f'<div class="qa-user">{shown}</div>'}


def quoted(qa: QA, text: str) -> bool:
    """Whether ``text`` is the articles' own: one sentence, or a run of consecutive sentences of one
    paragraph, as an answer quotes them."""
    text = text.strip()
    if not text or len(text) > MAX_VOTED_CHARS:
        return False
    sentences = qa.sentence_texts()
    if text in sentences:
        return True
    parts = [s for s in split_sentences(text) if s.strip()]
    return len(parts) > 1 and all(p.strip() in sentences for p in parts)


MAX_VOTED_CHARS = 2000  # a quote of a few sentences; anything longer is no quote


def build_ui(qa: QA, feedback: FeedbackStore | None = None) -> gr.Blocks:
    """The chat app around a loaded QA; votes go to ``feedback`` when given."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    def ask_json(
        question: str, history: list[str] | None = None, since: str | None = None, until: str | None = None
    ) -> dict[str, Any]:
        """Answer one question; the same JSON object as `quoteqa ask --json` (an error object with
        "error" and "code" for refused input). ``history``: earlier questions, oldest first;
        ``since``/``until``: only articles of that period (2024, 2024-07, 2024-07-15)."""
        start = time.perf_counter()
        try:
            answer = qa.ask(question, history=history, since=since or None, until=until or None)
        except InputError as exc:
            log_request("ask", question, start, refused(exc))
            return _error("question", question, exc)
        log_request("ask", question, start, _outcome(answer))
        if not answer.found and feedback is not None:
            feedback.add_unanswered(answer.question)
        return answer.to_dict()

    def verify_json(text: str, since: str | None = None, until: str | None = None) -> dict[str, Any]:
        """Check the figures of a claim or draft; the same JSON object as `quoteqa verify --json`."""
        start = time.perf_counter()
        try:
            result = qa.verify(text, since=since or None, until=until or None)
        except InputError as exc:
            log_request("verify", text, start, refused(exc))
            return _error("claim", text, exc)
        log_request("verify", text, start, _outcome(result))
        return result.to_dict()

    def reply(question: str, asked: list[str], since: str = "", until: str = "") -> tuple[str, bool]:
        """The chat's HTML reply, and whether the question was accepted (a follow-up's context)."""
        start = time.perf_counter()
        try:
            answer = qa.ask(question, history=asked[-HISTORY_READ:], since=since or None, until=until or None)
        except InputError as exc:
            log_request("chat", question, start, refused(exc))
            return f'<div class="qa-answer qa-none">{html.escape(str(exc))}</div>', False
        log_request("chat", question, start, _outcome(answer))
        if not answer.found and feedback is not None:
            feedback.add_unanswered(answer.question)
        return render(answer, qa), True

    def respond(
        question: str, asked: list[str] | None, since: str = "", until: str = ""
    ) -> tuple[str, list[dict[str, Any]], list[str], list[str]]:
        """The newest exchange (question and reply, which the page appends to the chat it shows)
        and the earlier questions kept for follow-ups. A request carries neither the chat nor more
        than HISTORY_READ questions: its size does not grow with the conversation."""
        asked = _recent(asked)
        html_reply, accepted = reply(question, asked, (since or "").strip(), (until or "").strip())
        if accepted:
            asked = [*asked, question][-HISTORY_READ:]
        # A refused question (too long, empty…) stays in the box, to be shortened or fixed.
        kept = "" if accepted else question
        return kept, [_user_bubble(question), {"role": "assistant", "content": html_reply}], asked, asked

    def opened(saved_asked: list[str] | None, request: gr.Request) -> tuple[list[dict[str, Any]], list[str], list[str]]:
        """On opening the page: the earlier questions kept in this browser (the chat itself is
        restored by the page), then the question of a share link (/?q=…)."""
        shared = request.query_params.get("q", "") if request is not None else ""
        if shared:
            _, latest, asked, _ = respond(shared, saved_asked)
            return latest, asked, asked
        asked = _recent(saved_asked)
        return [], asked, asked

    # Gradio hands a handler the request when a parameter is annotated gr.Request; the annotation
    # is a string here (postponed annotations) that Gradio cannot resolve in this module.
    opened.__annotations__["request"] = gr.Request

    def new_conversation() -> tuple[list[dict[str, Any]], list[str], list[dict[str, Any]], list[str], list[Any]]:
        return [], [], [], [], []

    def check(text: str, since: str = "", until: str = "") -> tuple[str, str]:
        start = time.perf_counter()
        try:
            result = qa.verify(text, since=(since or "").strip() or None, until=(until or "").strip() or None)
        except InputError as exc:
            log_request("check", text, start, refused(exc))
            return f'<div class="vf-result qa-none">{html.escape(str(exc))}</div>', ""
        log_request("check", text, start, _outcome(result))
        return render_verification(result, text) + export_links(result), to_markdown(result)

    def vote(payload: str) -> str:
        """A 👍/👎 from the page (JSON from the head script); stored when a feedback file is set, and
        only for text the articles hold (a quote, a source) unless questions are kept too: a vote
        on a 核实 row without a source names the reporter's claim, which is user text."""
        try:
            d = json.loads(payload)
            v = Vote(str(d["kind"]), str(d["sentence"]), int(d["vote"]), str(d.get("question", "")))
            if feedback is not None:
                if not (feedback.log_questions or quoted(qa, v.sentence)):
                    log.info("feedback ignored: the voted text is not the articles'")
                    return ""
                feedback.add_vote(v)
        except (ValueError, KeyError, TypeError):
            log.info("feedback ignored: not a vote")
        return ""

    with gr.Blocks(title="武进新闻问答", analytics_enabled=False) as demo:
        gr.Markdown("## 武进新闻问答\n回答只引用原文句子,并注明出处(文章、段落);原文没有的,直接说明未找到。")
        # Kept in this browser only (v2: the chat as the page holds it, not as the server sent it).
        saved_chat = gr.BrowserState([], storage_key="quoteqa-chat-v2")
        saved_asked = gr.BrowserState([], storage_key="quoteqa-asked")
        asked = gr.State([])  # the conversation's earlier questions, for follow-ups
        with gr.Tab("问答"):
            chat = gr.Chatbot(
                show_label=False, sanitize_html=True, elem_id="qa-chat", buttons=[], placeholder="请在下方输入问题。"
            )
            with gr.Row(equal_height=True):
                box = gr.Textbox(
                    label="问题",
                    placeholder="输入问题,例如:上半年新增了多少就业岗位?",
                    show_label=False,
                    scale=5,
                    max_lines=3,
                    elem_id="qa-input",
                )
                send = gr.Button("提问", variant="primary", scale=1, min_width=70, elem_id="qa-send")
            gr.Examples(examples=[[q] for q in EXAMPLES], inputs=[box], label="示例问题(点击填入)")
            fresh = gr.Button("新对话", size="sm", elem_id="qa-new")
            with gr.Accordion("按日期筛选", open=False, elem_id="qa-dates"), gr.Row():
                since = gr.Textbox(label="起始日期", placeholder="如 2024 或 2024-07", elem_id="qa-since")
                until = gr.Textbox(label="截止日期", placeholder="如 2024-12-31", elem_id="qa-until")
        with gr.Tab("核实数字"):
            gr.Markdown("粘贴稿件中的一句话或一段话,逐条核对其中的数字与原文是否一致。")
            draft = gr.Textbox(label="稿件", lines=4, placeholder=VERIFY_EXAMPLE, elem_id="vf-input")
            with gr.Row():
                vf_since = gr.Textbox(label="起始日期(可不填)", placeholder="如 2024-07", elem_id="vf-since")
                vf_until = gr.Textbox(label="截止日期(可不填)", placeholder="如 2024-12", elem_id="vf-until")
            run = gr.Button("核实", variant="primary", elem_id="vf-send")
            gr.Examples(examples=[[VERIFY_EXAMPLE]], inputs=[draft], label="示例")
            table = gr.HTML(elem_id="vf-result")
            markdown = gr.Textbox(label="表格文本(可复制)", lines=4, buttons=["copy"], elem_id="vf-markdown")
        fb = gr.Textbox(
            label="反馈", elem_id="qa-feedback", elem_classes="qa-hidden", show_label=False, container=False
        )
        fb_send = gr.Button("记录", elem_id="qa-feedback-send", elem_classes="qa-hidden")
        # The chat is shown and kept by the page: a reply comes back as the newest exchange in a
        # hidden chatbot (so Gradio renders it as it renders the chat), and the page appends it.
        latest = gr.Chatbot(elem_id="qa-latest", elem_classes="qa-hidden", show_label=False, sanitize_html=True)
        for trigger in (send.click, box.submit):
            trigger(
                respond, [box, asked, since, until], [box, latest, asked, saved_asked], api_visibility="private"
            ).then(None, [latest, chat], [chat, saved_chat, latest], js=APPEND, api_visibility="private")
        forgotten = [chat, asked, saved_chat, saved_asked, latest]
        fresh.click(new_conversation, None, forgotten, api_visibility="private")
        chat.clear(new_conversation, None, forgotten, api_visibility="private")
        demo.load(None, [saved_chat], [chat], js=RESTORE, api_visibility="private").then(
            opened, [saved_asked], [latest, asked, saved_asked], api_visibility="private"
        ).then(None, [latest, chat], [chat, saved_chat, latest], js=APPEND, api_visibility="private")
        run.click(check, [draft, vf_since, vf_until], [table, markdown], api_visibility="private")
        fb_send.click(vote, [fb], [fb], api_visibility="private")
        gr.api(ask_json, api_name="ask")
        gr.api(verify_json, api_name="verify")
    _optional_trailing_inputs(demo)
    return demo


def _optional_trailing_inputs(demo: gr.Blocks) -> None:
    """Let an API call leave out trailing arguments that have defaults (``{"data": ["问题"]}``
    for ``/ask``, without ``history``). Gradio would refuse it with a traceback that prints every
    received value, the user's question included, into the log."""
    check = demo.validate_inputs

    def validate(block_fn: Any, inputs: list[Any]) -> None:
        inputs.extend([None] * (len(block_fn.inputs) - len(inputs)))
        check(block_fn, inputs)

    demo.validate_inputs = validate  # type: ignore[method-assign]


# Waiting questions beyond this get 503 at once. Gradio keeps each session's pending messages in an
# LRU cache of 2,000 sessions; an event whose session is evicted while it waits kills the queue
# task for good (KeyError, then 503 "Queue is stopped" to everyone). A waiting event sees at most
# QUEUE_SIZE joins before it plus those accepted while it waits (fewer again), so keeping the
# queue far below 1,000 keeps every waiting session in the cache. 200 waiting questions are a few
# seconds of work.
QUEUE_SIZE = 200
WORKERS = 4  # requests of one endpoint that run at once (a request costs ~10 ms of CPU, on 2 cores)


def health(demo: gr.Blocks) -> tuple[bool, dict[str, Any]]:
    """The queue's real state (Gradio's HTTP server keeps answering after its queue has stopped)
    and how many of its workers are busy."""
    queue = demo._queue  # Gradio exposes no public view of its queue
    stopped = bool(queue.stopped)
    state = {"waiting": len(queue), "max_size": QUEUE_SIZE, "stopped": stopped}
    # saturated: an endpoint runs as many requests as it may at once, so its next one waits
    per_endpoint = list(queue.event_queue_per_concurrency_id.values())
    saturated = any(
        q.concurrency_limit is not None and q.current_concurrency >= q.concurrency_limit for q in per_endpoint
    )
    workers = {"running": queue.get_active_worker_count(), "per_endpoint": WORKERS, "saturated": saturated}
    return not stopped, {"queue": state, "workers": workers}


def launch(
    demo: gr.Blocks,
    *,
    host: str,
    port: int,
    limits: Limits | None = None,
    connections: ConnectionLimits | None = None,
) -> None:
    import gradio as gr
    from starlette.middleware import Middleware

    from .connections import ConnectionLimits, install

    install(connections or ConnectionLimits())

    demo.queue(default_concurrency_limit=WORKERS, max_size=QUEUE_SIZE)
    guard = Middleware(Guard, health=lambda: health(demo), limits=limits or Limits())  # type: ignore[arg-type]
    demo.launch(
        server_name=host,
        server_port=port,
        share=False,
        quiet=True,  # Gradio's own lines are English and advertise a public link
        css=CSS,
        # System fonts only: the page must not reach out to a font CDN.
        theme=gr.themes.Soft(font=["Noto Sans CJK SC", "system-ui", "sans-serif"], font_mono=["monospace"]),
        show_error=True,
        max_threads=8,  # the queue runs 4 at once; more threads would only wait for the CPU
        # Gradio keeps a copy of the page's state for every session, and every API call is a new
        # session: without a cap, memory grows ~55 KB per request up to 10,000 sessions.
        state_session_capacity=1000,
        head=SCRIPT,
        footer_links=[],  # no English footer; the API is documented in the README
        enable_monitoring=False,
        max_file_size=1,  # bytes; the guard refuses uploads before Gradio sees them
        app_kwargs={"middleware": [guard]},
        prevent_thread_lock=True,  # to say it is up once it is
    )
    shown = f"[{host}]" if ":" in host else host
    print(f"武进新闻问答已启动:http://{shown}:{port}/ (按 Ctrl+C 停止)", flush=True)
    demo.block_thread()
