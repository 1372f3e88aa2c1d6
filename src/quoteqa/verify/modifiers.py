"""Modifiers that tell two subjects apart (省级 is not 国家级, 城镇 is not 农村, 进口 is not 进出口) and
whether one subject is a narrower kind of another (「入境游客」 of 「游客」)."""

from __future__ import annotations

import re

from ..ingest.text import bigrams

# Modifiers that tell subjects apart: 省级 is not 国家级, 城镇 is not 农村.
CONTRASTS = [
    ("国家级", "省级", "市级", "区级", "县级", "镇级", "村级"),
    ("城镇", "农村"),
    ("进出口", "出口", "进口"),
    ("新开工", "竣工", "在建"),
    ("存款", "贷款"),
    ("累计", "新增"),
    ("任务", "目标", "计划", "完成"),  # what was planned is not what was done
    ("限额以上", "限额以下"),
    ("规模以上", "规模以下"),
    ("入境", "国内"),
    ("不过夜", "过夜"),
]
# Groups whose mark says what kind of thing is counted; a subject that says one the other lacks is a
# part of the other (not 累计 and 新增, nor 任务, which say when or what for).
_KINDS = [g for g in CONTRASTS if not {"累计", "任务", "省级"} & set(g)]  # (a level is often said once a report)


def narrower(mine: frozenset[str], theirs: frozenset[str], around: frozenset[str]) -> bool:
    """Whether a subject marked ``mine`` names a kind of what one marked ``theirs`` counts (「入境游客」
    of 「游客」): a mark the other neither says nor has in the words ``around`` it (the bigrams of
    「新开工重点项目63个,总投资418亿元」 hold 新开工)."""
    for group in _KINDS:
        for mark in mine & set(group):
            if not theirs & set(group) and not bigrams(mark) <= around:
                return True
    return False


def marks_of(named: str) -> frozenset[str]:
    """The contrasting modifiers ``named`` says, each once: the longest first, so that 「进出口总额」
    is marked 进出口 and not 出口 as well."""
    out = set()
    named = (
        named.replace("规上", "规模以上").replace("限上", "限额以上").replace("乡村", "农村")
    )  # the marks' long forms
    named = re.sub("新认定|新入选|新获评|新获批|净增", "新增", named)  # what was added, by any word for it
    for group in CONTRASTS:
        text = named
        for m in sorted(group, key=len, reverse=True):
            if m in text:
                out.add(m)
                text = text.replace(m, "|")
    return frozenset(out)
