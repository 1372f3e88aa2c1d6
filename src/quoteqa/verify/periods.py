"""The time a claim and a source speak of: the periods of a report (前三季度, 1至6月, 国庆假期) and the
year an article reports on, so that a figure of another period or year is never compared as if it
were the claim's."""

from __future__ import annotations

import re

from ..index.store import Index

# The periods a report names (the claim's tells two figures of one subject apart).
PERIOD = re.compile(
    r"前三季度|上半年|下半年|一季度|二季度|三季度|四季度|全年|\d{1,2}至\d{1,2}月|\d{1,2}月(?:末|底|份)"
    r"|(?:国庆|春节|五一|端午|中秋|元旦|清明)(?:假期|长假|黄金周)"
)


def another_time(index: Index, claim: str, sid: int) -> bool:
    """Whether sentence ``sid`` reports on another year or another period than the claim names."""
    return another_year(index, claim, sid) or another_period(index, claim, sid)


def another_period(index: Index, claim: str, sid: int) -> bool:
    """Whether the claim names a period (「国庆假期」) and the sentence another one only (「前三季度」)."""
    periods = set(PERIOD.findall(claim))
    return bool(periods) and other_period(index.sentences[sid].text, periods)


def other_period(text: str, periods: set[str]) -> bool:
    """Whether a sentence names a period and none of the claim's (「前三季度」 for a claim of 全年;
    「1至6月」 and 「6月末」 are 上半年's)."""
    named = {_canon(p) for p in PERIOD.findall(text)}
    return bool(named) and not named & {_canon(p) for p in periods}


_MONTHS = {3: "一季度", 6: "上半年", 9: "前三季度", 12: "全年"}


def _canon(period: str) -> str:
    """A period by one name: 1至6月, 6月末 and 上半年 are one."""
    months = re.match(r"(?:1至)?(\d{1,2})(?:月|月末|月底|月份)$", period.replace("至", "至", 1))
    if months and int(months.group(1)) in _MONTHS and (period.startswith("1至") or "末" in period or "底" in period):
        return _MONTHS[int(months.group(1))]
    return period


# The year a claim is about (「2023年…」), not the base it compares with (「比2020年提高」).
_YEAR = re.compile(r"(?<![\d比较从由与于])(\d{4})年(?![\d底的])")


_YEAR_END = re.compile(r"(?<![\d到至])(\d{4})年(?:末|底)")  # 「2023年底」: the end of last year


def year_before(index: Index, claim: str, sid: int) -> str:
    """The year the claim names when sentence ``sid``'s report is on the year after it ("" if not)."""
    named = {m.group(1) for m in _YEAR.finditer(claim)} | {m.group(1) for m in _YEAR_END.finditer(claim)}
    if len(named) != 1:
        return ""
    year = next(iter(named))
    pid = int(index.sent_para[sid])
    article = index.articles[int(index.para_article[pid])]
    first = pid
    while first > 0 and index.para_article[first - 1] == index.para_article[pid]:
        first -= 1  # the headline or the lead says the year an article reports on
    lead = {m.group(1) for m in _YEAR.finditer(article.title + article.subtitle + index.paragraphs[first].text[:80])}
    said = {m.group(1) for m in _YEAR.finditer(index.paragraphs[pid].text)}  # 「2025年…目标」 is a plan's year
    reported = {article.date[:4]} if article.date else lead if len(lead) == 1 else lead | said
    return year if reported == {str(int(year) + 1)} and year not in said else ""


def another_year(index: Index, claim: str, sid: int) -> bool:
    """Whether the claim names a year the source does not report on: its article is dated in
    another, or, undated, names the claimed year neither in its headline nor in the paragraph."""
    named = {m.group(1) for m in _YEAR.finditer(claim)}
    if not named:
        return False
    pid = int(index.sent_para[sid])
    article = index.articles[int(index.para_article[pid])]
    if article.date:
        return article.date[:4] not in named
    said = {m.group(1) for m in _YEAR.finditer(article.title + article.subtitle + index.paragraphs[pid].text)}
    return not named & said
