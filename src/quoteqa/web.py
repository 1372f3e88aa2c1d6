"""The Gradio chat UI; it receives a QA object and only renders what QA.ask returns."""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import logging
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .guard import Guard, Limits
from .numbers import parse as parse_figures
from .qa import QA, Answer, InputError
from .store import place
from .verify import Verification, figure_line, to_csv, to_markdown

if TYPE_CHECKING:
    import gradio as gr

log = logging.getLogger(__name__)

EXAMPLES = [
    "上半年新增了多少就业岗位?",
    "上半年旅游总收入是多少?",
    "新增上市企业几家?",
    "谁对当前重点工作进行了部署?",
    "武进区上半年GDP是多少?",
]
NOT_FOUND = "原文中未找到相关内容。"
# Shown above an answer that is not sure (qa.SURE): the closest passage, with a word of caution.
UNSURE = "原文中最相关的是这一句,可能没有完全回答您的问题,请对照原文:"
RELATED_CHARS = 160  # a related paragraph is a pointer, not an answer: show its start
MAX_SHOWN = 500  # characters of a user's question echoed into the chat
HISTORY_TURNS = 6  # earlier questions of a chat kept for follow-ups

VERIFY_EXAMPLE = "上半年武进旅游总收入超过100亿元,新增就业岗位5.7万个,新增上市企业5家。"
_BADGE = {"supported": ("ok", "一致"), "contradicted": ("bad", "不一致"), "not_found": ("none", "未找到")}

CSS = """
.qa-answer { line-height: 1.7; }
.qa-quote { border-left: 4px solid #c0392b; margin: 0 0 .4em 0; padding: .2em .8em; background: #fdf6f5; }
.qa-cite { color: #555; font-size: .92em; margin-bottom: .4em; }
.qa-answer mark.fig { background: #ffe08a; padding: 0 .1em; border-radius: 2px; }
.qa-answer mark.hit { background: #fdebd0; }
.qa-answer details { margin: .3em 0; }
.qa-answer summary { cursor: pointer; color: #2c6fbb; }
.qa-more { font-size: .92em; color: #444; }
.qa-none { color: #8a4b00; font-weight: 600; }
.qa-understood { color: #555; font-size: .9em; margin-bottom: .3em; }
.qa-unsure { color: #8a4b00; font-size: .92em; margin-bottom: .3em; }
.vf-table { width: 100%; border-collapse: collapse; font-size: .95em; }
.vf-table th, .vf-table td { border-bottom: 1px solid #e5e5e5; padding: .45em .4em; text-align: left; }
.vf-table td { vertical-align: top; }
.vf-badge { display: inline-block; padding: .1em .55em; border-radius: 999px; font-weight: 600; white-space: nowrap; }
.vf-ok { background: #e3f5e9; color: #17683a; } .vf-bad { background: #fde2e1; color: #a3231b; }
.vf-none { background: #eee; color: #555; }
.vf-table mark.fig { background: #ffe08a; }
.vf-cite { color: #666; font-size: .9em; }
@media (max-width: 640px) { .qa-answer { font-size: 15px; } .vf-table { font-size: .85em; } }
"""


def _figures(text: str) -> str:
    """Escape text and wrap each figure (as the verifier reads them) in <mark class="fig">."""
    out, last = [], 0
    for fig in parse_figures(text):
        out.append(html.escape(text[last : fig.start]))
        out.append(f'<mark class="fig">{html.escape(fig.text)}</mark>')
        last = fig.end
    out.append(html.escape(text[last:]))
    return "".join(out)


def _cite(title: str, paragraph: int, part: str = "body") -> str:
    return f"——《{html.escape(title)}》{place(part, paragraph)}"


def _understood(answer: Answer) -> str:
    """「按“…”理解」 when the question was read otherwise than typed (a typo, a follow-up)."""
    if answer.interpreted and answer.interpreted != answer.question:
        return f'<div class="qa-understood">按“{html.escape(answer.interpreted)}”理解</div>'
    return ""


def render(answer: Answer, qa: QA) -> str:
    """One chat reply as a single HTML block (no blank lines, so Markdown leaves it alone)."""
    if not answer.found:
        parts = [f'<div class="qa-answer">{_understood(answer)}<div class="qa-none">{NOT_FOUND}</div>']
        if answer.passages:
            parts.append("<details><summary>相关段落(仅供参考,不是答案)</summary>")
            for p in answer.passages[:2]:
                parts.append(
                    f'<p class="qa-more">《{html.escape(p.title)}》第 {p.paragraph} 段:{html.escape(p.text)}</p>'
                )
            parts.append("</details>")
        parts.append("</div>")
        return "".join(parts)
    first = answer.citations[0]
    parts = ['<div class="qa-answer">', _understood(answer)]
    if not answer.sure:
        parts.append(f'<div class="qa-unsure">{UNSURE}</div>')
    parts += [
        f'<blockquote class="qa-quote">「{_figures(answer.answer)}」</blockquote>',
        f'<div class="qa-cite">{_cite(first.title, first.paragraph, first.part)}</div>',
    ]
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
            parts.append(f"<li>「{_figures(c.quote)}」{_cite(c.title, c.paragraph, c.part)}</li>")
        parts.append("</ul></div>")
    parts.append("</div>")
    return "".join(parts)


def _mark_figures(text: str, figures: list[str]) -> str:
    """Escape text and highlight the given figure strings in it."""
    out, pos = [], 0
    spans = sorted({(text.find(f), len(f)) for f in figures if f and text.find(f) >= 0})
    for start, length in spans:
        if start < pos:
            continue
        out.append(html.escape(text[pos:start]))
        out.append(f'<mark class="fig">{html.escape(text[start : start + length])}</mark>')
        pos = start + length
    out.append(html.escape(text[pos:]))
    return "".join(out)


def render_verification(result: Verification) -> str:
    """The results table: one row per claim with its badge, figures and highlighted source."""
    head = "".join(f"<th>{h}</th>" for h in ("结论", "核实内容", "稿件 → 原文", "原文句子"))
    body = []
    for r in result.claims or [result]:
        cls, label = _BADGE[r.verdict]
        figs = "<br>".join(html.escape(figure_line(f)) for f in r.figures)
        if r.citation:
            source = _mark_figures(r.evidence, [f.source or "" for f in r.figures])
            source += f'<div class="vf-cite">{_cite(r.citation.title, r.citation.paragraph)}</div>'
        else:
            source = '<span class="vf-cite">原文中未找到相关内容</span>'
        body.append(
            f'<tr><td><span class="vf-badge vf-{cls}">{label}</span></td><td>{html.escape(r.claim)}</td>'
            f"<td>{figs or '(无数字)'}</td><td>{source}</td></tr>"
        )
    return f'<table class="vf-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


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


def build_ui(qa: QA) -> gr.Blocks:
    """The chat app around a loaded QA."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    def api_call(endpoint: str, handle: Callable[[str], Any], text: str) -> dict[str, Any]:
        start = time.perf_counter()
        try:
            result = handle(text)
        except InputError as exc:
            log_request(endpoint, text, start, refused(exc))
            # No traceback in the log (it would hold the user's text); the message is shown as
            # HTML by Gradio, so it is escaped.
            raise gr.Error(html.escape(str(exc), quote=False), print_exception=False) from None
        log_request(endpoint, text, start, _outcome(result))
        return result.to_dict()  # type: ignore[no-any-return]

    def ask_json(question: str, history: list[str] | None = None) -> dict[str, Any]:
        """Answer one question; the same JSON object as `quoteqa ask --json`. ``history`` holds
        the earlier questions of the conversation, oldest first (for follow-ups)."""
        return api_call("ask", lambda q: qa.ask(q, history=history), question)

    def respond(
        question: str, history: list[dict[str, Any]], asked: list[str] | None
    ) -> tuple[str, list[dict[str, Any]], list[str]]:
        history = list(history or [])
        asked = list(asked or [])
        start = time.perf_counter()
        try:
            answer = qa.ask(question, history=asked[-HISTORY_TURNS:])
            reply = render(answer, qa)
            log_request("chat", question, start, _outcome(answer))
            asked.append(question)
        except InputError as exc:
            reply = f'<div class="qa-answer qa-none">{html.escape(str(exc))}</div>'
            log_request("chat", question, start, refused(exc))
        # Escaped, and no blank line left: Markdown must not come back to life after the <div>.
        shown = html.escape((question or "").strip()[:MAX_SHOWN]).replace("\n", "<br>") or "(空)"
        history.append({"role": "user", "content": f"<div>{shown}</div>"})
        history.append({"role": "assistant", "content": reply})
        return "", history, asked[-HISTORY_TURNS:]

    def verify_json(text: str) -> dict[str, Any]:
        """Check the figures of a claim or draft; the same JSON object as `quoteqa verify --json`."""
        return api_call("verify", qa.verify, text)

    def check(text: str) -> tuple[str, str]:
        start = time.perf_counter()
        try:
            result = qa.verify(text)
        except InputError as exc:
            log_request("check", text, start, refused(exc))
            return f'<div class="qa-none">{html.escape(str(exc))}</div>', ""
        log_request("check", text, start, _outcome(result))
        return render_verification(result) + export_links(result), to_markdown(result)

    with gr.Blocks(title="quoteqa · 武进新闻问答", analytics_enabled=False) as demo:
        gr.Markdown("## 武进新闻问答\n回答只引用原文句子,并注明出处(文章、段落)。原文没有的内容,会直接说明未找到。")
        with gr.Tab("问答"):
            chat = gr.Chatbot(label="问答", height=520, sanitize_html=True, elem_id="qa-chat")
            asked = gr.State([])  # the conversation's earlier questions, for follow-ups
            with gr.Row():
                box = gr.Textbox(
                    placeholder="输入问题,例如:上半年新增了多少就业岗位?",
                    show_label=False,
                    scale=5,
                    max_lines=3,
                    elem_id="qa-input",
                )
                send = gr.Button("提问", variant="primary", scale=1, min_width=80, elem_id="qa-send")
            gr.Examples(examples=[[q] for q in EXAMPLES], inputs=[box], label="示例问题(点击填入)")
        with gr.Tab("核实数字"):
            gr.Markdown("粘贴稿件中的一句话或一段话,逐条核对其中的数字与原文是否一致。")
            draft = gr.Textbox(label="稿件", lines=4, placeholder=VERIFY_EXAMPLE, elem_id="vf-input")
            run = gr.Button("核实", variant="primary", elem_id="vf-send")
            gr.Examples(examples=[[VERIFY_EXAMPLE]], inputs=[draft], label="示例")
            table = gr.HTML(elem_id="vf-result")
            markdown = gr.Textbox(label="Markdown(可复制)", lines=4, buttons=["copy"], elem_id="vf-markdown")
        send.click(respond, [box, chat, asked], [box, chat, asked], api_visibility="private")
        box.submit(respond, [box, chat, asked], [box, chat, asked], api_visibility="private")
        chat.clear(lambda: [], None, asked, api_visibility="private")
        run.click(check, [draft], [table, markdown], api_visibility="private")
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


def export_links(result: Verification) -> str:
    """Download links for the results as CSV (UTF-8 with BOM, so spreadsheet programs read Chinese)
    and Markdown. The files are made in memory and carried in the links (data: URLs): a checked
    draft is never written to the server's disk."""
    links = []
    for name, mime, data in (
        ("核实结果.csv", "text/csv", "\ufeff" + to_csv(result)),
        ("核实结果.md", "text/markdown", to_markdown(result)),
    ):
        payload = base64.b64encode(data.encode("utf-8")).decode("ascii")
        links.append(
            f'<a class="vf-download" download="{name}" href="data:{mime};charset=utf-8;base64,{payload}">{name}</a>'
        )
    return f'<div class="vf-downloads">下载:{" ".join(links)}</div>'


# Waiting questions beyond this get 503 at once. Gradio keeps each session's pending messages in an
# LRU cache of 2,000 sessions; an event whose session is evicted while it waits kills the queue
# task for good (KeyError, then 503 "Queue is stopped" to everyone). A waiting event sees at most
# QUEUE_SIZE joins before it plus those accepted while it waits (fewer again), so keeping the
# queue far below 1,000 keeps every waiting session in the cache. 200 waiting questions are a few
# seconds of work.
QUEUE_SIZE = 200


def health(demo: gr.Blocks) -> tuple[bool, dict[str, Any]]:
    """The queue's real state: Gradio's HTTP server keeps answering after its queue has stopped."""
    queue = demo._queue  # Gradio exposes no public view of its queue
    stopped = bool(queue.stopped)
    return not stopped, {"queue": {"waiting": len(queue), "max_size": QUEUE_SIZE, "stopped": stopped}}


def launch(demo: gr.Blocks, *, host: str, port: int, limits: Limits | None = None) -> None:
    import gradio as gr
    from starlette.middleware import Middleware

    demo.queue(default_concurrency_limit=4, max_size=QUEUE_SIZE)
    guard = Middleware(Guard, health=lambda: health(demo), limits=limits or Limits())  # type: ignore[arg-type]
    demo.launch(
        server_name=host,
        server_port=port,
        share=False,
        css=CSS,
        # System fonts only: the page must not reach out to a font CDN.
        theme=gr.themes.Soft(font=["Noto Sans CJK SC", "system-ui", "sans-serif"], font_mono=["monospace"]),
        show_error=True,
        max_threads=8,  # the queue runs 4 at once; more threads would only wait for the CPU
        # Gradio keeps a copy of the page's state for every session, and every API call is a new
        # session: without a cap, memory grows ~55 KB per request up to 10,000 sessions.
        state_session_capacity=1000,
        footer_links=["api"],
        enable_monitoring=False,
        max_file_size=1,  # bytes; the guard refuses uploads before Gradio sees them
        app_kwargs={"middleware": [guard]},
    )
