"""A reporter's draft as a file: read from Word, text or PDF, and handed back as the reporter's own
Word file with each checked figure highlighted by its verdict and a comment that holds the verdict,
the reading of the figure and the source sentence with its citation."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import IO, Any

from ..ask.citations import cited
from ..ingest.corpus import CorpusError, read_bytes, read_text
from ..ingest.formats import Refused, check_content
from ..ingest.word import docx_paragraphs
from ..language.numbers import normalized
from .check import FigureCheck, Verification
from .exports import STATUS_ZH, figure_line, operand_lines

DRAFT_SUFFIXES = (".docx", ".txt", ".md", ".pdf")
MAX_DRAFT_BYTES = 5 * 1024 * 1024  # a draft of a few pages is a few hundred KB
AUTHOR = "quoteqa 数字核对"
_COLOR = {"match": "BRIGHT_GREEN", "mismatch": "RED", "unclear": "YELLOW", "missing": "YELLOW"}


def draft_text(path: Path, shown: str | None = None) -> str:
    """The text of a draft file, its paragraphs one a line; a file of another kind, too big, damaged
    or without text is refused with CorpusError (a Chinese message naming it)."""
    name = shown or path.name
    suffix = path.suffix.lower()
    if suffix not in DRAFT_SUFFIXES:
        raise CorpusError(f"{name}:稿件只能是 {'、'.join(DRAFT_SUFFIXES)} 文件,不能是 {suffix or '无扩展名的文件'}。")
    size = path.stat().st_size
    if size > MAX_DRAFT_BYTES:
        raise CorpusError(f"{name}:稿件有 {size / 1024 / 1024:.1f} MB,超过上限 {MAX_DRAFT_BYTES // 1024 // 1024} MB。")
    if suffix in (".txt", ".md"):
        return read_text(path, name)
    data = read_bytes(path, name)
    check_content(name, suffix, data)
    if suffix == ".docx":
        text = "\n".join(t for _, t in docx_paragraphs(path, name) if t.strip())
    else:
        from ..ingest.pdf import read_pdf

        text = "\n".join(p.text for a in read_pdf(path, name, data).articles for p in a.paragraphs)
    if not text.strip():
        raise Refused(f"{name}:稿件里没有文字。")
    return text


def commented_docx(result: Verification, text: str, out: Path | IO[bytes], draft: Path | None = None) -> int:
    """Write the draft (the reporter's own .docx when ``draft`` is one, else a new one of ``text``'s
    paragraphs) to ``out`` with every checked figure highlighted and commented; returns how many
    figures were commented."""
    import docx
    from docx.enum.text import WD_COLOR_INDEX

    if draft is not None and draft.suffix.lower() == ".docx":
        document = docx.Document(str(draft))
    else:
        document = docx.Document()
        for line in text.splitlines():
            if line.strip():
                document.add_paragraph(line)
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    cursor = (0, 0)  # the paragraph and the place in it where the next figure is looked for
    done = 0
    for claim in result.claims or [result]:
        for figure in claim.figures:
            found = _find(paragraphs, normalized(figure.claimed), cursor)
            if found is None:
                continue
            k, start = found
            runs = _isolate(paragraphs[k], start, start + len(figure.claimed))
            if not runs:
                continue
            color = getattr(WD_COLOR_INDEX, _COLOR[figure.status])
            for run in runs:
                run.font.highlight_color = color
            document.add_comment(runs, text=_comment(claim, figure), author=AUTHOR, initials="QA")
            cursor = (k, start + len(figure.claimed))
            done += 1
    document.save(str(out) if isinstance(out, Path) else out)
    return done


def _find(paragraphs: list[Any], figure: str, cursor: tuple[int, int]) -> tuple[int, int] | None:
    """Where a checked figure stands in the draft: at or after the cursor, in the runs' own text."""
    for k in range(cursor[0], len(paragraphs)):
        text = normalized("".join(r.text for r in paragraphs[k].runs))
        at = text.find(figure, cursor[1] if k == cursor[0] else 0)
        if at >= 0:
            return k, at
    return None


def _isolate(paragraph: Any, start: int, end: int) -> list[Any]:
    """The runs that hold exactly characters ``start`` to ``end`` of a paragraph, splitting the runs
    at either end (each piece keeps its run's formatting)."""
    from docx.text.run import Run

    out, pos = [], 0
    for run in list(paragraph.runs):
        text = run.text
        a, b = pos, pos + len(text)
        pos = b
        if b <= start or a >= end or not text:
            continue
        lo, hi = max(start, a) - a, min(end, b) - a
        if hi < len(text):
            tail = copy.deepcopy(run._r)
            run._r.addnext(tail)
            Run(tail, paragraph).text = text[hi:]
        if lo > 0:
            head = copy.deepcopy(run._r)
            run._r.addprevious(head)
            Run(head, paragraph).text = text[:lo]
        run.text = text[lo:hi]
        out.append(run)
    return out


def _comment(claim: Verification, figure: FigureCheck) -> str:
    """The verdict, the figure's reading or arithmetic, and the source sentence with its citation."""
    lines = [f"{STATUS_ZH[figure.status]}:{figure_line(figure)}"]
    lines += [f"算式数据 {line}" for line in operand_lines(figure)]
    if claim.evidence and not figure.computed:
        where = f"——{cited(claim.citation)}" if claim.citation else ""
        lines.append(f"原文:「{claim.evidence}」{where}")
    return "\n".join(lines)
