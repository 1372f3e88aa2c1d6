"""The Gradio chat UI; it receives a QA object and only renders what QA.ask and QA.verify return
(as HTML by render.py, with the page's style and script from page.py). Everything a person sees
is Chinese. Its API endpoints (ask, verify) give the CLI's JSON objects."""

from __future__ import annotations

import hashlib
import hmac
import html
import inspect
import io
import json
import logging
import os
import secrets
import sqlite3
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..ingest.corpus import CorpusError
from ..ingest.text import split_sentences
from ..language.inputs import HISTORY_READ, InputError, check_period, safe_text
from ..qa import QA, Answer
from ..verify.check import Verification
from ..verify.commented import DRAFT_SUFFIXES, MAX_DRAFT_BYTES, commented_docx, draft_text
from ..verify.exports import to_markdown
from .feedback import FeedbackStore, Vote
from .guard import MAX_UPLOAD_BYTES, Endpoints, Guard, Limits
from .page import APPEND, CSS, RESTORE, SCRIPT
from .render import MAX_SHOWN, export_links, render, render_verification

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
VERIFY_EXAMPLE = "上半年武进旅游总收入超过100亿元,新增就业岗位5.7万个,新增上市企业5家。"


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
    """The API's answer to refused input: the same object as `quoteqa ask --json` gives (a lone
    surrogate shown as U+FFFD: Gradio's JSON encoder refuses it, and the reply would be lost)."""
    return {key: safe_text(text) if isinstance(text, str) else repr(text), "error": str(exc), "code": exc.code}


def _recent(asked: list[str] | None) -> list[str]:
    """The last HISTORY_READ earlier questions of what the page sent (text only, sent back as
    valid UTF-8)."""
    return [safe_text(a) for a in (asked if isinstance(asked, list) else []) if isinstance(a, str)][-HISTORY_READ:]


def _user_bubble(question: str) -> dict[str, Any]:
    # Escaped, and no blank line left: Markdown must not come back to life after the <div>.
    text = safe_text(question) if isinstance(question, str) else ""
    shown = html.escape(text.strip()[:MAX_SHOWN]).replace("\n", "<br>") or "(空)"
    return {"role": "user", "content": f'<div class="qa-user">{shown}</div>'}


def quoted(qa: QA, text: str) -> bool:
    """Whether ``text`` is the articles' own: one sentence, or a run of consecutive sentences of one
    paragraph, as an answer quotes them (one sentence repeated, or sentences of different places
    put together, is no quote)."""
    text = text.strip()
    if not text or len(text) > MAX_VOTED_CHARS:
        return False
    if text in qa.sentence_texts():
        return True
    first = next((s.strip() for s in split_sentences(text) if s.strip()), "")
    paragraphs = qa.index.paragraphs
    return any(_run_at(paragraphs[p].sentences[at:], text) for p, at in _places(qa).get(first, ()))


def _run_at(sentences: list[Any], text: str) -> bool:
    """Whether ``text`` is the first sentences of ``sentences``, whole, in order."""
    rest = text
    for s in sentences:
        sentence = s.text.strip()
        if not sentence or not rest.startswith(sentence):
            return False
        rest = rest[len(sentence) :].lstrip()
        if not rest:
            return True
    return False


_PLACES: weakref.WeakKeyDictionary[QA, dict[str, list[tuple[int, int]]]] = weakref.WeakKeyDictionary()


def _places(qa: QA) -> dict[str, list[tuple[int, int]]]:
    """Where each sentence of the articles stands: (paragraph, position in it); built once per QA."""
    if qa not in _PLACES:
        places: dict[str, list[tuple[int, int]]] = {}
        for p, paragraph in enumerate(qa.index.paragraphs):
            for at, sentence in enumerate(paragraph.sentences):
                places.setdefault(sentence.text.strip(), []).append((p, at))
        _PLACES[qa] = places
    return _PLACES[qa]


MAX_VOTED_CHARS = 2000  # a quote of a few sentences; anything longer is no quote
# A vote's JSON: the quote and (with --log-questions) the question, each character escaped at worst.
MAX_VOTE_CHARS = 6 * (MAX_VOTED_CHARS + 500) + 200


def _api(qa: QA, feedback: FeedbackStore | None) -> tuple[Callable[..., dict[str, Any]], Callable[..., dict[str, Any]]]:
    """The API endpoints ask and verify: the same JSON objects as the CLI's."""

    def ask_json(
        question: str, history: list[str] | None = None, since: str | None = None, until: str | None = None
    ) -> dict[str, Any]:
        """Answer one question; the same JSON object as `quoteqa ask --json` (an error object with
        "error" and "code" for refused input). ``history``: earlier questions, oldest first;
        ``since``/``until``: only articles of that period (2024, 2024-07, 2024-07-15)."""
        start = time.perf_counter()
        try:
            first, last = check_period(since, until)
            answer = qa.ask(question, history=history, since=first, until=last)
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
            first, last = check_period(since, until)
            result = qa.verify(text, since=first, until=last)
        except InputError as exc:
            log_request("verify", text, start, refused(exc))
            return _error("claim", text, exc)
        log_request("verify", text, start, _outcome(result))
        return result.to_dict()

    return ask_json, verify_json


def _chat(qa: QA, feedback: FeedbackStore | None) -> tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]:
    """The chat's steps: answer a question, open the page (a share link's question), start over."""
    import gradio as gr

    def reply(question: str, asked: list[str], since: str = "", until: str = "") -> tuple[str, bool]:
        """The chat's HTML reply, and whether the question was accepted (a follow-up's context)."""
        start = time.perf_counter()
        try:
            first, last = check_period(since, until)
            answer = qa.ask(question, history=asked[-HISTORY_READ:], since=first, until=last)
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
        kept = "" if accepted or not isinstance(question, str) else safe_text(question)
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

    return respond, opened, new_conversation


def _tools(qa: QA, feedback: FeedbackStore | None) -> tuple[Callable[..., tuple[str, str, None]], Callable[[str], str]]:
    """The verification tab's check, and the 👍/👎 of every answer."""

    def check(text: str, since: str = "", until: str = "", upload: str | None = None) -> tuple[str, str, None]:
        """The table of a pasted draft, or of an uploaded draft file (read, then deleted at once)
        with its commented Word file to download."""
        start = time.perf_counter()
        draft = Path(upload) if upload else None
        word = None
        try:
            first, last = check_period((since or "").strip(), (until or "").strip())
            if draft is not None:
                text = draft_text(draft)
                result = qa.verify_draft(text, since=first, until=last)
                buffer = io.BytesIO()
                commented_docx(result, text, buffer, draft)
                word = buffer.getvalue()
            else:
                result = qa.verify(text, since=first, until=last)
        except (InputError, CorpusError) as exc:
            log_request("check", text, start, refused(exc) if isinstance(exc, InputError) else "refused file")
            return f'<div class="vf-result qa-none">{html.escape(str(exc))}</div>', "", None
        finally:
            if draft is not None:
                draft.unlink(missing_ok=True)  # an uploaded draft is kept nowhere
        log_request("check", text, start, _outcome(result))
        return render_verification(result, text) + export_links(result, word), to_markdown(result), None

    def vote(payload: str) -> str:
        """A 👍/👎 from the page (JSON from the head script); stored when a feedback file is set, and
        only for text the articles hold (a quote, a source) unless questions are kept too: a vote
        on a 核实 row without a source names the reporter's claim, which is user text."""
        try:
            if len(payload) > MAX_VOTE_CHARS:  # never parsed: "[" × 20,000 exceeds the recursion limit
                raise ValueError("too long")
            d = json.loads(payload)
            v = Vote(str(d["kind"]), str(d["sentence"]), int(d["vote"]), str(d.get("question", "")))
            if feedback is not None:
                if not (feedback.log_questions or quoted(qa, v.sentence)):
                    log.info("feedback ignored: the voted text is not the articles'")
                    return ""
                feedback.add_vote(v)
        except (ValueError, KeyError, TypeError, RecursionError):
            log.info("feedback ignored: not a vote")
        except sqlite3.Error as exc:
            log.warning("feedback file: a vote was not recorded (%s)", exc)
        return ""

    return check, vote


def build_ui(qa: QA, feedback: FeedbackStore | None = None) -> gr.Blocks:
    """The chat app around a loaded QA; votes go to ``feedback`` when given."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    ask_json, verify_json = _api(qa, feedback)
    respond, opened, new_conversation = _chat(qa, feedback)
    check, vote = _tools(qa, feedback)
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
            gr.Markdown(
                "粘贴稿件中的一句话或一段话,或上传整篇稿件,逐条核对其中的数字与原文是否一致;"
                "上传的稿件核实后可下载带批注的稿件(.docx)。"
            )
            draft = gr.Textbox(label="稿件", lines=4, placeholder=VERIFY_EXAMPLE, elem_id="vf-input")
            with gr.Row():
                vf_since = gr.Textbox(label="起始日期(可不填)", placeholder="如 2024-07", elem_id="vf-since")
                vf_until = gr.Textbox(label="截止日期(可不填)", placeholder="如 2024-12", elem_id="vf-until")
            upload = gr.File(
                label=f"或上传稿件({'、'.join(DRAFT_SUFFIXES)} 文件,不超过 {MAX_DRAFT_BYTES // 1024 // 1024} 兆字节)",
                file_types=list(DRAFT_SUFFIXES),
                type="filepath",
                height=130,
                elem_id="vf-file",
            )
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
        run.click(check, [draft, vf_since, vf_until, upload], [table, markdown, upload], api_visibility="private")
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


def api_endpoints(demo: gr.Blocks) -> Endpoints:
    """The public API endpoints of ``demo`` and their parameters (required, all), for the guard."""
    endpoints: Endpoints = {}
    for block_fn in demo.fns.values():
        if block_fn.api_visibility == "public" and isinstance(block_fn.api_name, str) and block_fn.fn is not None:
            params = inspect.signature(block_fn.fn).parameters.values()
            required = frozenset(p.name for p in params if p.default is inspect.Parameter.empty)
            endpoints[block_fn.api_name] = (required, frozenset(p.name for p in params))
    return endpoints


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
    guard = Middleware(
        Guard,  # type: ignore[arg-type]
        health=lambda: health(demo),
        limits=limits or Limits(),
        endpoints=api_endpoints(demo),
    )
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
        # Gradio's run history: with a bucket named by the header x-gradio-history-bucket or by
        # POST /gradio_api/run-history/connect, it uploaded runs with the operator's HF_TOKEN
        # (HF_HUB_OFFLINE does not stop it). Nothing of a reader leaves this server.
        run_history=False,
        max_file_size=MAX_UPLOAD_BYTES,  # a draft file; the guard refuses a bigger upload before it is read
        app_kwargs={"middleware": [guard]},
        prevent_thread_lock=True,  # to say it is up once it is
    )
    shown = f"[{host}]" if ":" in host else host
    print(f"武进新闻问答已启动:http://{shown}:{port}/ (按 Ctrl+C 停止)", flush=True)
    demo.block_thread()
