"""A verification as a reporter reads it: verdicts and figures in words, the table of claims and
its CSV and Markdown exports (inert: a draft's markup never comes alive in a CMS or a sheet)."""

from __future__ import annotations

import re

from ..ask.citations import cited
from .check import CONTRADICTED, NOT_FOUND, SUPPORTED, FigureCheck, Verification

VERDICT_ZH = {SUPPORTED: "一致", CONTRADICTED: "不一致", NOT_FOUND: "未找到"}
STATUS_ZH = {"match": "一致", "mismatch": "不一致", "unclear": "无法确定", "missing": "原文无此数字"}


def claimed_words(f: FigureCheck) -> str:
    """The claimed figure with its reading: 「400多家(400–499家)」."""
    return f"{f.claimed}({f.reading})" if f.reading else f.claimed


def figure_line(f: FigureCheck) -> str:
    """One checked figure in plain text: 「400多家(400–499家) → 原文 428家:一致」."""
    if f.source is None:
        return f"{claimed_words(f)}:{STATUS_ZH[f.status]}"
    return f"{claimed_words(f)} → 原文 {f.source}:{STATUS_ZH[f.status]}"


EXPORT_COLUMNS = ("结论", "核实内容", "稿件数字", "原文数字", "原文句子", "出处")


def rows(result: Verification) -> list[tuple[str, str, str, str, str, str]]:
    """One row per claim, for the table and its CSV/Markdown exports."""
    out = []
    for r in result.claims or [result]:
        cite = cited(r.citation) if r.citation else ""
        claimed = "、".join(claimed_words(f) for f in r.figures)
        source = "、".join(f.source or "—" for f in r.figures)
        out.append((VERDICT_ZH[r.verdict], r.claim, claimed, source, r.evidence, cite))
    return out


def _inert(text: str) -> str:
    """A cell's text with markup made inert: a draft pasted into a CMS or a spreadsheet must not
    come back to life (「<img src=x onerror=…>」 stays text; a leading = + - @ is no formula)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def to_csv(result: Verification) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows([_inert(c) for c in row] for row in rows(result))
    return buf.getvalue()


# Markdown's punctuation that can make a link, an image, emphasis or code of a cell's text
# (「[点击](javascript:…)」 must stay text in 核实结果.md).
_MARKDOWN = re.compile(r"([\\`*_\[\]#!|~])")  # without [ ] no link or image can form; () stay readable


def to_markdown(result: Verification) -> str:
    def cell(text: str) -> str:
        return _MARKDOWN.sub(r"\\\1", _inert(text)).replace("\n", " ")

    lines = [summary(result), "", "| " + " | ".join(EXPORT_COLUMNS) + " |", "|" + "---|" * len(EXPORT_COLUMNS)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows(result)]
    return "\n".join(lines) + "\n"


def summary(result: Verification) -> str:
    """The overall verdict in one line: 「3 处数字:1 处一致,2 处不一致」."""
    figures = [f for r in result.claims or [result] for f in r.figures]
    if not figures:
        return f"没有可核对的数字。结论:{VERDICT_ZH[result.verdict]}"
    counts: dict[str, int] = {}
    for f in figures:
        counts[STATUS_ZH[f.status]] = counts.get(STATUS_ZH[f.status], 0) + 1
    parts = ",".join(f"{n} 处{label}" for label, n in counts.items())
    return f"{len(figures)} 处数字:{parts}"
