"""The words a source sentence's figures count beyond their own clause: an opening clause without a
figure, a clause that opens a place, the whole a sentence lists parts of (「新建学校中,」), the
sentence a place breakdown breaks down (「分区域看,」) and a paragraph's short opening sentence."""

from __future__ import annotations

import re

from ..index.store import Index
from ..ingest.text import bigrams
from ..language.numbers import normalized

BY_PLACE = re.compile(r"[分从](?:区域|地区|镇|乡镇|镇街|镇\(街道\)|街道|板块|片区)(?:来)?看[,,]")  # 「分区域看,」


def paragraph_lead(index: Index, sid: int) -> frozenset[str]:
    """The words of a paragraph's opening sentence when it is short and holds no figure (「家庭医生
    签约服务持续扩面提质。」): what the paragraph's figures are of."""
    first = sid
    while first > 0 and index.sent_para[first - 1] == index.sent_para[sid]:
        first -= 1
    lead = index.sentences[first].text.strip() if first < sid else ""
    if not lead or len(lead) > 24 or re.search(r"\d|[一二三四五六七八九十百千万]+[个家所项名人]", lead):
        return frozenset()
    return frozenset(bigrams(normalized(lead)))


def said_before(index: Index, sid: int) -> frozenset[str]:
    """The words of the sentence before ``sid`` in its paragraph (what a breakdown breaks down)."""
    if sid == 0 or index.sent_para[sid - 1] != index.sent_para[sid]:
        return frozenset()
    return frozenset(bigrams(normalized(index.sentences[sid - 1].text)))


def whole_listed(text: str) -> frozenset[str]:
    """The words of the whole a sentence opens on (「新建学校中,」: 新建学校), whose parts it lists."""
    among = re.match(r"([^,,;;:。\d]{2,12}?)中[,,]", text)
    return frozenset(bigrams(among.group(1))) if among else frozenset()


def opening(text: str) -> frozenset[str]:
    """The words of a sentence's opening clause when it holds no figure (「家庭医生签约服务扩面提质,」), or
    the whole of its 「X中,」 opening (「536家规上工业企业中,」: 规上工业企业)."""
    opening = re.match(r"([^,,;;:。\d]{4,32})[,,::]", text)
    words = frozenset(bigrams(opening.group(1))) if opening else frozenset()
    # and a clause without a figure that opens on the next (「5月,区人民医院新院区正式启用,开放床位300张」)
    started = re.search(r"(?:^|[,,::])([^,,;;:。\d]{4,32}?)(?:正式|建成|全面)?(?:启用|投用|开业|开通|运营)[,,]", text)
    words |= frozenset(bigrams(started.group(1))) if started else frozenset()
    among = re.match(r"(?:[^,,;;:。\d]{4,20}[,,])?([^,,;;:。]{4,24}?)中[,,]", text)  # 「536家规上工业企业中,」
    return words | (frozenset(bigrams(re.sub(r"^.*\d+(?:\.\d+)?[^\d]", "", among.group(1)))) if among else frozenset())


def context(index: Index, sid: int) -> frozenset[str]:
    """The words sentence ``sid``'s figures count beyond their clause, once per loaded index: its
    opening (above), its paragraph's short lead, and, in a place breakdown (「分区域看,」), the
    sentence before and its own clauses without a figure (「东渡街道依托…优势,」)."""

    def compute() -> frozenset[str]:
        text = index.sentences[sid].text
        words = opening(text) | paragraph_lead(index, sid)
        if BY_PLACE.match(text):
            words |= said_before(index, sid)
            words |= frozenset().union(*(bigrams(c) for c in re.split("[,,;;]", text) if not re.search(r"\d", c)))
        return words

    return index.cached("figure-context", sid, compute)  # type: ignore[no-any-return]
