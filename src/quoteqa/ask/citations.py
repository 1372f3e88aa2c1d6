"""A quote's citation, and how the front ends show it: where it stands in its article, the
article's source and date in words, its link, and what its relative time words mean."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from ..index.store import Index
from ..ingest.corpus import Source


@dataclass(frozen=True)
class Citation:
    """Where a quote comes from: the article file, its headline and the 1-based paragraph
    (0 for the headline or the byline, which ``part`` then names)."""

    doc: str
    title: str
    paragraph: int
    quote: str
    score: float
    part: str = "body"  # "body", "headline", "subtitle" or "byline"
    source: Source = field(default_factory=Source)  # the article's date, paper, page, link, author
    reads: str = ""  # relative time words of the quote read against the article's date (see ``relative_times``)

    @property
    def date(self) -> str:
        return self.source.date

    @classmethod
    def of(cls, d: dict[str, Any]) -> Citation:
        """The citation a JSON object (``as_json``) shows."""
        own = {f.name for f in fields(cls)} - {"source"}
        return cls(**{k: v for k, v in d.items() if k in own}, source=Source.of(d))


def as_json(record: Any) -> dict[str, Any]:
    """A citation or passage as the JSON shows it: its Source's fields in its place, flat."""
    out: dict[str, Any] = {}
    for key, value in asdict(record).items():
        if key == "source":
            out.update(value)
        else:
            out[key] = value
    return out


def place(part: str, paragraph: int) -> str:
    """Where a quote stands in its article, as a reader is told: 第 N 段, 署名, 标题 or 副标题."""
    return {"byline": "署名", "headline": "标题", "subtitle": "副标题"}.get(part, f"第 {paragraph} 段")


def cited(c: Citation) -> str:
    """Where a quote comes from, as a reader is told: 《headline》第 N 段(武进日报 第2版 · 2024年7月)."""
    return f"《{c.title}》{place(c.part, c.paragraph)}{dated(c.source)}"


def dated(source: Source) -> str:
    """「(武进日报 第2版 · 要闻 · 作者 · 2024年7月)」 after a citation, with what is known; "" for nothing."""
    page = source.page
    edition = page if not page or "版" in page else f"第{page}版"
    known = [" ".join(x for x in (source.paper, edition) if x), source.section, source.author, when(source.date)]
    shown = " · ".join(x for x in known if x)
    return f"({shown})" if shown else ""


def link(url: str) -> str:
    """The article's link when it is a web address (http or https), else "" (never a script URL)."""
    return url if url.lower().startswith(("http://", "https://")) and not any(c.isspace() for c in url) else ""


# Relative time words an article uses, and what they mean on its date: (word, needs, reading), where
# ``needs`` is how much of the date must be known (1 year, 2 month, 3 day) and reading is given the
# date as a ``datetime.date`` (a partial date is read as its first day).
_RELATIVE: tuple[tuple[str, int, Callable[[datetime.date], str]], ...] = (
    ("今年上半年", 1, lambda d: f"{d.year}年上半年"),
    ("今年下半年", 1, lambda d: f"{d.year}年下半年"),
    ("去年上半年", 1, lambda d: f"{d.year - 1}年上半年"),
    ("去年下半年", 1, lambda d: f"{d.year - 1}年下半年"),
    ("上半年", 1, lambda d: f"{d.year}年上半年"),
    ("下半年", 1, lambda d: f"{d.year}年下半年"),
    ("今年", 1, lambda d: f"{d.year}年"),
    ("去年", 1, lambda d: f"{d.year - 1}年"),
    ("前年", 1, lambda d: f"{d.year - 2}年"),
    ("明年", 1, lambda d: f"{d.year + 1}年"),
    ("本月", 2, lambda d: f"{d.year}年{d.month}月"),
    ("上月", 2, lambda d: when(f"{(d.replace(day=1) - datetime.timedelta(days=1)):%Y-%m}")),
    ("上个月", 2, lambda d: when(f"{(d.replace(day=1) - datetime.timedelta(days=1)):%Y-%m}")),
    ("今天", 3, lambda d: when(d.isoformat())),
    ("今日", 3, lambda d: when(d.isoformat())),
    ("昨天", 3, lambda d: when((d - datetime.timedelta(days=1)).isoformat())),
    ("昨日", 3, lambda d: when((d - datetime.timedelta(days=1)).isoformat())),
)


def relative_times(text: str, date: str) -> str:
    """The relative time words of ``text`` read against its article's date: 「今年」指2024年;
    "" when it holds none or the date is not precise enough (昨天 needs the day)."""
    if not date:
        return ""
    parts = [int(x) for x in date.split("-")]
    month, day_ = ([*parts[1:], 1, 1])[:2]
    day = datetime.date(parts[0], month, day_)
    out, rest = [], text
    for word, needs, read in _RELATIVE:
        if word in rest and len(parts) >= needs:
            out.append(f"「{word}」指{read(day)}")
            rest = rest.replace(word, "")  # 去年上半年 is read once, not again as 去年 and 上半年
    return ";".join(out)


def when(date: str) -> str:
    """A date as a reader is told it: 2024年7月15日, 2024年7月, 2024年; "" for none."""
    parts = [int(x) for x in date.split("-")] if date else []
    return "".join(f"{n}{unit}" for n, unit in zip(parts, ("年", "月", "日"), strict=False))


def citation(index: Index, sid: int, quote: str, score: float) -> Citation:
    """The citation of a quote starting at global sentence ``sid``."""
    pid = int(index.sent_para[sid])
    article = index.articles[int(index.para_article[pid])]
    number = index.paragraphs[pid].number
    quote = quote.strip()
    return Citation(
        article.doc,
        article.title,
        number,
        quote,
        round(score, 4),
        source=article.source,
        reads=relative_times(quote, article.date),
    )
