"""The Gradio chat UI; it receives a QA object and only renders what QA.ask returns."""

from __future__ import annotations

import html
import logging
import os
import re
import time
from typing import TYPE_CHECKING, Any

from .qa import QA, Answer, InputError

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
RELATED_CHARS = 160  # a related paragraph is a pointer, not an answer: show its start
_FIGURE = re.compile(
    r"\d+(?:\.\d+)?(?:%|[万亿]?(?:元|个|家|人次|人|套|项|所|名|户|场|批))?|[一二三四五六七八九十百千两]+[万亿]?[个家项所年名套批场倍]"
)

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
@media (max-width: 640px) { .qa-answer { font-size: 15px; } }
"""


def _figures(text: str) -> str:
    """Escape text and wrap each figure in <mark class="fig">."""
    out, last = [], 0
    for m in _FIGURE.finditer(text):
        out.append(html.escape(text[last : m.start()]))
        out.append(f'<mark class="fig">{html.escape(m.group(0))}</mark>')
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def _cite(title: str, paragraph: int) -> str:
    return f"——《{html.escape(title)}》第 {paragraph} 段"


def render(answer: Answer, qa: QA) -> str:
    """One chat reply as a single HTML block (no blank lines, so Markdown leaves it alone)."""
    if not answer.found:
        parts = [f'<div class="qa-answer"><div class="qa-none">{NOT_FOUND}</div>']
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
    _, sentences = qa.paragraph_of(first)
    marked = []
    for i, s in enumerate(sentences, start=1):
        body = _figures(s)
        marked.append(f'<mark class="hit">{body}</mark>' if i in answer.sentences else body)
    parts = [
        '<div class="qa-answer">',
        f'<blockquote class="qa-quote">「{_figures(answer.answer)}」</blockquote>',
        f'<div class="qa-cite">{_cite(first.title, first.paragraph)}</div>',
        f"<details><summary>查看原文段落</summary><p>{''.join(marked)}</p></details>",
    ]
    if len(answer.citations) > 1:
        parts.append('<div class="qa-more">其他依据:<ul>')
        for c in answer.citations[1:]:
            parts.append(f"<li>「{_figures(c.quote)}」{_cite(c.title, c.paragraph)}</li>")
        parts.append("</ul></div>")
    parts.append("</div>")
    return "".join(parts)


def build_ui(qa: QA) -> gr.Blocks:
    """The chat app around a loaded QA."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    def ask_json(question: str) -> dict[str, Any]:
        """Answer one question; the same JSON object as `quoteqa ask --json`."""
        start = time.perf_counter()
        try:
            result = qa.ask(question)
        except InputError as exc:
            raise gr.Error(str(exc)) from exc
        log.info("ask found=%s chars=%d ms=%.1f", result.found, len(question), 1000 * (time.perf_counter() - start))
        return result.to_dict()

    def respond(question: str, history: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
        history = list(history or [])
        try:
            answer = qa.ask(question)
            reply = render(answer, qa)
        except InputError as exc:
            reply = f'<div class="qa-answer qa-none">{html.escape(str(exc))}</div>'
        shown = html.escape((question or "").strip()[:500]) or "(空)"
        history.append({"role": "user", "content": f"<div>{shown}</div>"})
        history.append({"role": "assistant", "content": reply})
        return "", history

    with gr.Blocks(title="quoteqa · 武进新闻问答", analytics_enabled=False) as demo:
        gr.Markdown("## 武进新闻问答\n回答只引用原文句子,并注明出处(文章、段落)。原文没有的内容,会直接说明未找到。")
        chat = gr.Chatbot(label="问答", height=520, sanitize_html=True, elem_id="qa-chat")
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
        send.click(respond, [box, chat], [box, chat], api_visibility="private")
        box.submit(respond, [box, chat], [box, chat], api_visibility="private")
        gr.api(ask_json, api_name="ask")
    return demo


def launch(demo: gr.Blocks, *, host: str, port: int) -> None:
    import gradio as gr

    demo.queue(default_concurrency_limit=4)
    demo.launch(
        server_name=host,
        server_port=port,
        share=False,
        css=CSS,
        # System fonts only: the page must not reach out to a font CDN.
        theme=gr.themes.Soft(font=["Noto Sans CJK SC", "system-ui", "sans-serif"], font_mono=["monospace"]),
        show_error=True,
        footer_links=["api"],
    )
