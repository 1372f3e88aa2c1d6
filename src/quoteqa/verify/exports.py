"""A verification as a reporter reads it: verdicts and figures in words, the table of claims and
its CSV and Markdown exports (inert: a draft's markup never comes alive in a CMS or a sheet)."""

from __future__ import annotations

import re
from dataclasses import asdict

from ..ask.citations import cited
from .check import CONTRADICTED, NOT_FOUND, SUPPORTED, FigureCheck, Verification

VERDICT_ZH = {SUPPORTED: "一致", CONTRADICTED: "不一致", NOT_FOUND: "未找到"}
# One name for each verdict wherever a reporter sees it (a figure's status is named as the verdict it
# gives), and for a figure left 未找到, the reason.
STATUS_ZH = {"match": "一致", "mismatch": "不一致", "unclear": "未找到", "missing": "未找到"}
REASON_ZH = {"unclear": "无法确定", "missing": "原文无此数字"}


def claimed_words(f: FigureCheck) -> str:
    """The claimed figure with its reading once: 「400多家(400–499家)」, 「约1170元(1111.5元–1228.5元)」,
    「近九成(略少于90%,即85%至不足90%)」."""
    if not f.reading:
        return f.claimed
    if f.reading.startswith(f.claimed):  # the reading repeats the words before its interval
        rest = f.reading[len(f.claimed) :].strip()
        return f"{f.claimed}{rest}" if rest.startswith("(") else f"{f.claimed}({rest})" if rest else f.claimed
    reading = re.sub(r"\((.*)\)$", r",即\1", f.reading)
    return f"{f.claimed}({reading})"


def figure_line(f: FigureCheck) -> str:
    """One checked figure in plain text: 「400多家(400–499家) → 原文 428家:一致」, or for a figure the
    claim computes, its arithmetic: 「近九成(…) → 计算 15个 ÷ 17个 = 88.24%:一致」."""
    status = STATUS_ZH[f.status] + (f"({REASON_ZH[f.status]})" if f.status in REASON_ZH else "")
    if f.source is None:
        return f"{claimed_words(f)}:{status}"
    said = "计算" if f.computed else "原文"
    return f"{claimed_words(f)} → {said} {f.source}:{status}"


def operand_lines(f: FigureCheck) -> list[str]:
    """Each operand of a computed figure with its sentence, verbatim, and where it stands:
    「34个:「…新增市重大项目34个,新增外资项目46个。」——《…》第 2 段」."""
    if not f.computed:
        return []
    computed = f.computed if isinstance(f.computed, dict) else asdict(f.computed)  # as the JSON has it
    out = []
    for o in computed["operands"]:
        cite = o["citation"]
        where = f"——《{cite.get('title', '')}》第 {cite.get('paragraph')} 段" if cite else ""
        out.append(f"{o['text']}:「{o['sentence']}」{where}")
    return out


EXPORT_COLUMNS = ("结论", "核实内容", "稿件数字", "原文数字", "原文句子", "出处")


def rows(result: Verification) -> list[tuple[str, str, str, str, str, str]]:
    """One row per claim, for the table and its CSV/Markdown exports."""
    out = []
    for r in result.claims or [result]:
        cite = cited(r.citation) if r.citation else ""
        claimed = "、".join(claimed_words(f) for f in r.figures)
        source = "、".join(f.source or "—" for f in r.figures)
        computed = [line for f in r.figures for line in operand_lines(f)]  # every operand's sentence
        evidence = ";".join(computed) if computed else r.evidence
        out.append((VERDICT_ZH[r.verdict], r.claim, claimed, source, evidence, cite))
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
