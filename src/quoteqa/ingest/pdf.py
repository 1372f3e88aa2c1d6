"""E-paper PDF pages → articles: each page's text layer (pdfplumber) read in reading order across its
columns, split into stories by its rules, boxes and headlines, with 「下转第2版」 jumps joined, the
running header read into the article's source and advertisements left out."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .corpus import BYLINE_LINE, Article, Source, assemble
from .formats import MAX_PAGE_CHARS, MAX_PDF_BYTES, MAX_PDF_PAGES, Converted, Refused
from .layout import (
    HEADLINE,
    JUMP_IN,
    JUMP_OUT,
    SPAN,
    Block,
    Head,
    Line,
    Rule,
    blocks,
    body_size,
    head_of,
    lines_of,
    number,
    paragraphs,
    regions,
)

log = logging.getLogger(__name__)
logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its font warnings say nothing a newsroom can act on

HEADER_BAND = 0.15  # a running header lies above a full-width rule in this top share of the page
MARGIN_BAND = 0.03  # without such a rule, lines this close to the top or the bottom are the header or footer
_AD = ("广告", "【广告】", "(广告)", "(广告)")


@dataclass
class _Story:
    """A story as its pages give it: the page it starts on, where it jumps, its paragraphs."""

    title: str
    subtitle: str
    head: Head
    pages: list[str]
    paragraphs: list[str] = field(default_factory=list)
    jumps_to: int = 0


def read_pdf(path: Path, rel: str, data: bytes) -> Converted:
    """The stories of an e-paper PDF, or Refused (encrypted, damaged, too many pages)."""
    if len(data) > MAX_PDF_BYTES:
        raise Refused(
            f"{rel}:PDF 有 {len(data) / 1024 / 1024:,.0f} MB,"
            f"超过上限 {MAX_PDF_BYTES // 1024 // 1024} MB,未读入;请按版面拆分。"
        )
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:  # pdfminer raises many kinds on a damaged file (pdfplumber wraps them)
        causes = (exc, *exc.args, exc.__context__)
        if any(isinstance(c, (PDFPasswordIncorrect, PDFEncryptionError)) for c in causes):
            raise Refused(f"{rel}:PDF 已加密,需要密码才能打开,未读入;请导出未加密的版面。") from exc
        raise Refused(f"{rel}:PDF 已损坏,无法打开({type(exc).__name__}),未读入。") from exc
    with pdf:
        try:
            count = len(pdf.pages)
        except Exception as exc:
            raise Refused(f"{rel}:PDF 已损坏,读不出页面({type(exc).__name__}),未读入。") from exc
        if count > MAX_PDF_PAGES:
            raise Refused(f"{rel}:PDF 共 {count:,} 页,超过每个文件 {MAX_PDF_PAGES} 页的上限,未读入;请按版面拆分。")
        stories: list[_Story] = []
        notes: list[str] = []
        for no in range(count):
            try:
                page = pdf.pages[no]
                _read_page(page, no + 1, rel, stories, notes)
                page.close()
            except Refused:
                raise
            except Exception as exc:
                notes.append(f"{rel} 第{no + 1}页已损坏({type(exc).__name__}),未读入")
    if not any(s.paragraphs for s in stories):
        reason = ";".join(notes) if notes else "没有读到正文"
        raise Refused(f"{rel}:没有可读的文字({reason});扫描版请先做文字识别(OCR)。")
    for note in notes:
        log.warning("%s", note)
    return Converted([_article(rel, s) for s in stories if s.paragraphs], count, notes)


def _article(rel: str, story: _Story) -> Article:
    head = story.head
    page = "、".join(dict.fromkeys(story.pages))
    source = Source(date=head.date, paper=head.paper, page=page, section=head.section)
    return assemble(rel, story.title, story.paragraphs, source, story.subtitle)


def _read_page(page: Any, no: int, rel: str, stories: list[_Story], notes: list[str]) -> None:
    chars = page.chars
    if not chars:
        notes.append(f"{rel} 第{no}页没有文字层(可能是扫描图像),未读入")
        return
    if len(chars) > MAX_PAGE_CHARS:
        notes.append(f"{rel} 第{no}页有 {len(chars):,} 个字符,超过上限 {MAX_PAGE_CHARS:,},未读入")
        return
    width, height = float(page.width), float(page.height)
    rules = [Rule(float(e["x0"]), float(e["x1"]), float(e["top"]), float(e["bottom"])) for e in page.edges]
    lines = lines_of(chars, rules)
    header_end = _header_end(rules, width, height)
    head_lines = [ln for ln in lines if ln.bottom <= header_end or ln.top < MARGIN_BAND * height]
    head = head_of(" ".join(ln.text for ln in sorted(head_lines, key=lambda ln: (ln.top, ln.x0))))
    head = head if head.page else replace(head, page=str(no))
    jump = [ln for ln in lines if JUMP_OUT.match(ln.text.strip()) or JUMP_IN.match(ln.text.strip())]
    lines = [ln for ln in lines if ln not in head_lines and (ln.bottom < (1 - MARGIN_BAND) * height or ln in jump)]
    lines = _without_ads(lines, page.rects)
    body = body_size(lines)
    inner = [r for r in rules if r.top > header_end - 1]
    for region in _boxed(lines, page.rects, inner, (0, header_end, width, height)):
        for block in blocks(region, body):
            _take(block, body, head, stories)


def _boxed(
    lines: list[Line], rects: list[dict[str, Any]], rules: list[Rule], page: tuple[float, float, float, float]
) -> list[list[Line]]:
    """The page's regions in reading order: each story box's lines (boxes read by their top, then
    left to right), each cut by the rules inside it, and the lines outside every box cut by the
    page's rules."""
    x0, _, x1, _ = page
    boxes = [
        (float(r["top"]), float(r["x0"]), float(r["x1"]), float(r["bottom"]))
        for r in rects
        if 60 < float(r["x1"]) - float(r["x0"]) < 0.98 * (x1 - x0) and float(r["bottom"]) - float(r["top"]) > 40
    ]
    groups: list[tuple[float, float, list[list[Line]]]] = []
    rest = lines
    for b_top, b_x0, b_x1, b_bottom in sorted(boxes, key=lambda b: (b[2] - b[1]) * (b[3] - b[0])):
        inside = [ln for ln in rest if b_x0 - 1 <= ln.x0 and ln.x1 <= b_x1 + 1 and b_top - 1 <= ln.top <= b_bottom + 1]
        if inside:
            kept = [r for r in rules if b_x0 - 1 <= r.x0 and r.x1 <= b_x1 + 1 and b_top - 1 <= r.top <= b_bottom + 1]
            groups.append((b_top, b_x0, regions(inside, kept, (b_x0, b_top, b_x1, b_bottom))))
            rest = [ln for ln in rest if ln not in inside]
    if rest:
        for part in regions(rest, rules, page):
            groups.append((min(ln.top for ln in part), min(ln.x0 for ln in part), [part]))
    return [region for _, _, parts in sorted(groups, key=lambda g: (round(g[0] / 5), g[1])) for region in parts]


def _header_end(rules: list[Rule], width: float, height: float) -> float:
    """The foot of the running header: the first full-width rule near the top (0 without one)."""
    for rule in sorted(rules, key=lambda r: r.top):
        full = rule.horizontal and rule.x1 - rule.x0 >= SPAN * width
        if full and MARGIN_BAND * height / 4 < rule.top < HEADER_BAND * height:  # not the page's own edge
            return rule.top
    return 0.0


def _without_ads(lines: list[Line], rects: list[dict[str, Any]]) -> list[Line]:
    """The lines outside every box whose first line says 广告 (an advertisement)."""
    out = lines
    for r in rects:
        x0, x1, top, bottom = float(r["x0"]), float(r["x1"]), float(r["top"]), float(r["bottom"])
        if x1 - x0 < 30 or bottom - top < 20:
            continue
        inside = [
            ln for ln in out if x0 - 1 <= ln.x0 and ln.x1 <= x1 + 1 and top - 1 <= ln.top and ln.bottom <= bottom + 1
        ]
        first = min(inside, key=lambda ln: (ln.top, ln.x0), default=None)
        if first is not None and first.text.strip().startswith(_AD):
            out = [ln for ln in out if ln not in inside]
    return out


def _take(block: Block, body: float, head: Head, stories: list[_Story]) -> None:
    """Add a block to the stories: a new story at a headline, the rest of a jumped story after
    「上接第1版」, else more of the story before it on the page."""
    # a byline on a line of its own (「□ 本报评论员」) heads its story wherever the layout put it
    ordered = sorted(block.body, key=lambda item: not BYLINE_LINE.match(item[0].text))
    lines = [(ln, left) for ln, left in ordered if not JUMP_OUT.match(ln.text.strip())]
    jumps = [number(m.group(1)) for ln, _ in block.body if (m := JUMP_OUT.match(ln.text.strip()))]
    came = [ln for ln, _ in lines if JUMP_IN.match(ln.text.strip())]
    lines = [(ln, left) for ln, left in lines if ln not in came]
    titles = [ln.text.strip() for ln in block.heads if ln.size >= HEADLINE * body]
    subtitles = [ln.text.strip() for ln in block.heads if ln.size < HEADLINE * body]
    here = head.page
    story: _Story | None
    if came:
        story = _jumped_here(stories, here, " ".join(titles + subtitles))
    elif titles or subtitles:
        story = _Story("".join(titles) or "".join(subtitles), "".join(subtitles) if titles else "", head, [here])
        stories.append(story)
    else:
        story = next((s for s in reversed(stories) if s.pages[-1] == here), None)
    if story is None:
        story = _Story("", "", head, [here])  # text before any headline: its own article
        stories.append(story)
    if here not in story.pages:
        story.pages.append(here)
    parts = paragraphs(lines, body)
    if parts and story.paragraphs and lines and lines[0][0].x0 - lines[0][1] < 1.3 * body:
        story.paragraphs[-1] += parts.pop(0)  # the column or page broke the paragraph
    story.paragraphs.extend(parts)
    story.jumps_to = jumps[-1] if jumps else story.jumps_to


def _jumped_here(stories: list[_Story], page: str, title: str) -> _Story | None:
    """The story that jumped to this page, the one whose title shares most with the repeated one."""
    waiting = [s for s in stories if s.jumps_to and str(s.jumps_to) == page]
    if not waiting:
        return None

    def shared(s: _Story) -> int:
        return len(set(s.title) & set(title))

    best = max(waiting, key=shared)
    best.jumps_to = 0
    return best
