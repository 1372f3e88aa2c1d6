"""The place an article reports on (武进, 云湖): a claim that names one is checked against that place's
articles only."""

from __future__ import annotations

import re

from ..index.store import Index
from ..ingest.text import CJK

_PLACE = re.compile(f"([{CJK}]{{2}})(?:区|县|市)")
# Two-character stems before 区/县/市 that are no place name: 全区, 城区, 园区, 景区, 开发区, …
_NOT_PLACE = re.compile(r"[全本该各城园景社辖片新老两市县区省校学]|^(?:开发|示范|高新|经开|试验|保税|功能|核心)$")


def article_place(index: Index, aid: int) -> str:
    """The place an article reports on: its most frequent 「XX区/县/市」 (武进, 云湖), or ""."""

    def compute() -> str:
        article = index.articles[aid]
        text = article.title + "".join(p.text for p in article.paragraphs)
        counts: dict[str, int] = {}
        for m in _PLACE.finditer(text):
            if not _NOT_PLACE.search(m.group(1)):
                counts[m.group(1)] = counts.get(m.group(1), 0) + 1
        best = max(counts.items(), key=lambda kv: kv[1], default=("", 0))
        return best[0] if best[1] >= 2 else ""

    return index.cached("place", aid, compute)  # type: ignore[no-any-return]


def places(index: Index) -> frozenset[str]:
    """The places the archive's articles report on (more than one: a claim naming one is checked
    against that place's articles only)."""

    def compute() -> frozenset[str]:
        found = frozenset(article_place(index, a) for a in range(len(index.articles))) - {""}
        return found if len(found) > 1 else frozenset()

    return index.cached("places", 0, compute)  # type: ignore[no-any-return]


def article_of(index: Index, sid: int) -> int:
    return int(index.para_article[int(index.sent_para[sid])])
