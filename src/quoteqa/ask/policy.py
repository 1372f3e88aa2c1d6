"""Answer policy, after ranking: which further sentences support the answer, the same report in
articles of other dates (the figure over time), the year a question names, and a period the
answer's paragraph does not speak of."""

from __future__ import annotations

import re

from ..index.store import Index
from ..ingest.text import bigrams, normalize
from . import understand as understanding
from .answer import Scored
from .evidence import gives_figure
from .question import Query

# A supporting quote must score at least this share of the answer's score.
SUPPORT_RATIO = 0.8
SUPPORT_COVER = 0.7  # …and cover at least this share of what the answer covers of the question
TIMELINE_CANDIDATES = 10  # ranked sentences searched for the same report of other dates
TIMELINE_RATIO = 0.85  # …scoring at least this share of the best
TIMELINE_OVERLAP = 0.6  # …and sharing this share of their words (figures left out)


def article_date(index: Index, sid: int) -> str:
    """The date of the article sentence ``sid`` is in ("" when it has none)."""
    return index.articles[int(index.para_article[int(index.sent_para[sid])])].date


def _without_figures(text: str) -> set[str]:
    return bigrams(re.sub(r"[0-9.,%万亿千百十]+", " ", text))


def timeline(index: Index, ranked: list[Scored]) -> list[Scored]:
    """The best sentence and those that say the same thing with other figures in articles of
    other dates (「上半年…旅游总收入95.37亿元」 of 2024 and 「…88.1亿元」 of 2023); [] unless
    two dates are among them."""
    best = ranked[0]
    words = _without_figures(index.sentences[best.sentence].text)
    same = [best]
    for cand in ranked[1:TIMELINE_CANDIDATES]:
        if cand.score < TIMELINE_RATIO * best.score:
            break
        other = _without_figures(index.sentences[cand.sentence].text)
        if words and len(words & other) / len(words | other) >= TIMELINE_OVERLAP:
            same.append(cand)
    by_date: dict[str, Scored] = {}
    for s in same:
        date = article_date(index, s.sentence)
        if date and date not in by_date:
            by_date[date] = s
    return list(by_date.values()) if len(by_date) > 1 else []


def named_year(years: frozenset[str], question: str) -> str:
    """The year a question names (2023年, 去年 and 前年 from the newest article's year) when
    the archive holds articles of that year (``years``), else ""."""
    if not years:
        return ""
    m = re.search(r"((?:19|20)\d\d)年|(去|前)年", question)
    if not m:
        return ""
    year = m.group(1) or str(int(max(years)) - (1 if m.group(2) == "去" else 2))
    return year if year in years else ""


def supports(index: Index, query: Query, best: Scored, cand: Scored) -> bool:
    """A further citation must speak to the same question as the answer: it covers nearly as
    much of the question, and holds a figure when a figure was asked for. None is better than
    an unrelated one (「7所新校即将投用」 under a question about jobs)."""
    if cand.cover < SUPPORT_COVER * best.cover:
        return False
    return "number" not in query.kinds or gives_figure(index, query, cand.sentence)


def other_period(index: Index, question: str, sid: int) -> str:
    """The period the question names (去年, 下半年, 2023年) that the answer's paragraph and
    headline do not speak of, or ""."""
    pid = int(index.sent_para[sid])
    article = index.articles[int(index.para_article[pid])]
    context = normalize(index.paragraphs[pid].text + article.title + article.subtitle)
    return understanding.period_mismatch(question, context)
