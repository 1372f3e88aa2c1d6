"""An answer and a verification as HTML for the page: quotes with their citations, figures
marked, a draft with its checked figures. Every text from a user or the corpus is escaped."""

from __future__ import annotations

import base64
import html
import json

from ..ask.citations import Citation, cited, dated, link, when
from ..language.numbers import parse as parse_figures
from ..qa import QA, Answer
from ..verify.check import Verification
from ..verify.exports import figure_line, operand_lines, summary, to_csv, to_markdown

NOT_FOUND = "原文中未找到相关内容。"
# Shown above an answer that is not sure (qa.SURE): the closest passage, with a word of caution.
UNSURE = "原文中最相关的是这一句,可能没有完全回答您的问题,请对照原文:"
UNSURE_COPIED = "(仅供参考:原文中最相关的一句,可能没有完全回答问题)"
MAX_SHOWN = 500  # characters of a user's question echoed into the chat
_BADGE = {"supported": ("ok", "一致"), "contradicted": ("bad", "不一致"), "not_found": ("none", "未找到")}
_STATUS_CLASS = {"match": "ok", "mismatch": "bad", "unclear": "none", "missing": "none"}


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
    unsure = not answer.sure  # related reading, not an answer: its own label and look, no figure marked
    mark = (lambda text: html.escape(text)) if unsure else _figures
    parts = ['<div class="qa-answer">', _understood(answer)]
    if unsure:
        parts.append(f'<div class="qa-unsure" role="note">{UNSURE}</div>')
    parts += [
        f'<blockquote class="qa-quote{" qa-related" if unsure else ""}">「{mark(answer.answer)}」</blockquote>',
        f'<div class="qa-cite">{_cite(first)}</div>',
    ]
    if first.reads:
        parts.append(f'<div class="qa-cite">(文中{html.escape(first.reads)})</div>')
    if first.part == "body":
        _, sentences = qa.paragraph_of(first)
        marked = []
        for i, s in enumerate(sentences, start=1):
            body = mark(s)
            marked.append(f'<mark class="hit">{body}</mark>' if i in answer.sentences and not unsure else body)
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
    copied = f"{UNSURE_COPIED}{plain_citation(answer)}" if unsure else plain_citation(answer)  # the caution goes along
    data = _data(copy=copied, q=answer.question, link=_asked(answer), kind="answer", sentence=answer.answer)
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
        computed = [line for f in r.figures for line in operand_lines(f)]
        if computed:  # a computed figure: each operand's sentence, verbatim and cited
            source = "".join(f'<div class="vf-cite">{html.escape(line)}</div>' for line in computed)
        elif r.citation:
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
        f'<mark class="vf-{c}">{w}</mark> ' for c, w in (("ok", "一致"), ("bad", "不一致"), ("none", "未找到"))
    )
    draft_html = f'{marked_draft(draft, result)}<div class="vf-cite">图例:{legend}</div>' if draft else ""
    note = f'<div class="vf-summary">注:{html.escape(result.note)}</div>' if result.note else ""
    return (
        f'<div class="vf-result"><div class="vf-summary">{html.escape(summary(result))}</div>{note}{draft_html}{table}'
        "</div>"
    )


DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def export_links(result: Verification, word: bytes | None = None) -> str:
    """Download links for the results as a table file (CSV, UTF-8 with BOM, so spreadsheet programs
    read Chinese) and as Markdown, and for an uploaded draft its commented Word file. Made in memory
    and carried in the links (data: URLs): a checked draft is never written to the server's disk.
    Markup in the tables is escaped (see verify._inert)."""
    links = []
    files = [
        ("核实结果.csv", "text/csv;charset=utf-8", ("\ufeff" + to_csv(result)).encode("utf-8")),
        ("核实结果.md", "text/markdown;charset=utf-8", to_markdown(result).encode("utf-8")),
    ]
    if word is not None:
        files.insert(0, ("核实批注稿.docx", DOCX_MIME, word))
    for name, mime, data in files:
        href = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        links.append(f'<a class="vf-download" download="{name}" href="{href}">{name}</a>')
    return f'<div class="vf-downloads">下载:{" ".join(links)}</div>'
