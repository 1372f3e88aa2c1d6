"""A level's change that its article states beside it: the growth on last year after a level
(「累计完成投资121.4亿元,…,同比增长9.2%」), the change since the start of the year after a running
total (「贷款余额1096.3亿元,比年初增加98.7亿元」), and whether a growth follows another level."""

from __future__ import annotations

import dataclasses
import re

from .claims import sentence_figures
from .lookup import Context, Found


def of_another_level(ctx: Context, level: Found, rate: Found) -> bool:
    """Whether a growth rate follows, in its clause, a level in another unit than ``level``'s: it is
    that level's growth (「营业收入1124.6亿元,增长11.3%」 is not the growth of a count in 家)."""
    figs, subs = sentence_figures(ctx.index, rate[1].sentence)
    text = ctx.index.sentences[rate[1].sentence].text
    before = [f for f, s in zip(figs, subs, strict=True) if f.end <= rate[0].at and not s.change]
    if not before or re.search("[;;。]", text[before[-1].end : rate[0].at]):
        return False
    return before[-1].unit not in (level[0].unit, "%")  # 「完成年度计划的76.8%,同比增长9.2%」: a share grows not


def yoy_after(ctx: Context, level: Found) -> Found | None:
    """The change on last year's level that follows a level in its sentence (「15.6万人,比去年同期增加
    8700人」), in the level's unit: last year's is the level less it."""
    figs, subs = sentence_figures(ctx.index, level[1].sentence)
    at = level[0].at
    for fig, subj in zip(figs, subs, strict=True):
        points = level[0].unit == "%" and fig.unit == "百分点"  # 「比例为83.5%,比去年同期提高2.7个百分点」
        if fig.start > at and subj.change and subj.base == "yoy" and (fig.unit == level[0].unit or points):
            return ctx.operand("比去年同期增加", level[1], fig, falls=subj.direction < 0)
        if fig.start > at and not subj.change:
            return None  # another level's part of the sentence
    return None


def growth_after(ctx: Context, level: Found) -> Found | None:
    """The growth on last year that follows a level where its article states it (「累计完成投资121.4亿元,
    完成年度计划的76.8%,同比增长9.2%」, for a headline's 「完成投资121.4亿元」): a share of the level
    between them is passed over, another level ends the search."""
    operand, scored = level
    index = ctx.index
    article = index.para_article[int(index.sent_para[scored.sentence])]
    for k in range(len(index.sentences)):
        if index.para_article[int(index.sent_para[k])] != article or operand.text not in index.sentences[k].text:
            continue
        figs, subs = sentence_figures(index, k)
        at = next((f.end for f in figs if f.text == operand.text and not f.start < 0), None)
        for fig, subj in zip(figs, subs, strict=True):
            if at is None or fig.start < at:
                continue
            if subj.change and subj.base in ("", "yoy") and fig.unit == "%" and not subj.rate:
                return ctx.operand("增幅", dataclasses.replace(scored, sentence=k), fig, falls=subj.direction < 0)
            if not subj.change and fig.unit != "%":
                break  # another level's part of the sentence
    return None


def since_start(ctx: Context, total: Found) -> Found | str:
    """The change since the start of the year that follows a running total in its sentence
    (「贷款余额1096.3亿元,比年初增加98.7亿元」)."""
    operand, scored = total
    figs, subs = sentence_figures(ctx.index, scored.sentence)
    at = next((f.end for f in figs if f.text == operand.text), None)
    for fig, subj in zip(figs, subs, strict=True):
        if at is not None and fig.start >= at:
            points = operand.unit == "%" and fig.unit == "百分点"  # 「失业率为2.31%,比年初下降0.12个百分点」
            if subj.base == "ytd" and subj.change and (fig.unit == operand.unit or points):
                return ctx.operand("比年初增加", scored, fig, falls=subj.direction < 0)
            if not subj.change:
                break  # another running total's sentence part
    return "missing"
