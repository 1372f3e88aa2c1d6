"""A reporter's draft into its claims: sentences, then clauses grouped so that each claim holds its
own figures and the words a computation reads (「17个国考断面中,…只剩2个」 stays one claim)."""

from __future__ import annotations

import re

from ..language.numbers import parse
from .claims import is_generic

_SENTENCE_END = re.compile(r"(?<=[。!?;!?;\n])")


def split_claims(text: str) -> list[str]:
    """Sentences, then clauses grouped so that each claim holds its own figure(s) and subject."""
    return [claim for _, claims in claims_by_sentence(text) for claim in claims]


def claims_by_sentence(text: str) -> list[tuple[str, list[str]]]:
    """Each sentence of a draft with the claims split from it."""
    out: list[tuple[str, list[str]]] = []
    trailing = re.compile(r"[。!?;;!?,,\s]+$")
    pieces: list[str] = []
    for piece in _SENTENCE_END.split(text):
        if pieces and _RESTATES.match(piece.strip()) and pieces[-1].rstrip()[-1:] in ";;":
            pieces[-1] += piece  # 「…达到20家;也就是说,此前…15家」: one computation
        else:
            pieces.append(piece)
    for sentence in pieces:
        sentence = sentence.strip()
        if not sentence:
            continue
        claims: list[str] = []
        current = ""
        for clause in re.split(r"(?<=[,,])", sentence):
            joined = _FRAME.search(current) or _LEANS.match(clause) or _WITH.match(current.lstrip())
            if current and parse(current) and parse(clause) and not _continues(clause) and not joined:
                claims.append(current)
                current = ""
            current += clause
        claims.append(current)
        kept = [c for c in (trailing.sub("", c.strip()) for c in claims) if c]
        if kept:
            out.append((trailing.sub("", sentence), kept))
    return out


_RESTATING = "也就是说|换言之|换句话说|这意味着|这就是说|由此可见|据此推算|照此计算|按此计算"
_RESTATES = re.compile(f"(?:{_RESTATING})[,,]")
# A clause that computes from the one before (「6场活动,场均促成…5个多」, 「…,比九大产业集群高出…」).
_LEANS = re.compile(
    r"(?:增速|增幅|涨幅|降幅)?(?:场均|人均|户均|亩均|亩产|单产|平均每|每(?=[所个家户名座项场批])|比|占|相当于|是)(?!上年|去年|同期|一季度)|(?:一年|年内|今年以来)来?(?:提高|提升|上升|下降|回落)"
    r"|[^,,;;]{2,12}(?:之外|以外)的(?:部分|其他|其余)"  # 「…,民生支出之外的部分约10.5亿元」: of the figure before
    r"|(?:[\u4e00-\u9fff]{2}[区县镇])?(?:合计|总共|一共|共计|加起来|加在一起)"  # 「A、B、C三个假期,鹤山县共…」
)
# A clause that frames the next (「17个国考断面中,…只剩2个」: a part of it; 「…20家;也就是说,此前…」).
_FRAME = re.compile(
    f"(?:[中里]|之前|以前|{_RESTATING}|[两三四五六七八九十][个项大类][\u4e00-\u9fff]{{0,4}})[,,]$"
)  # 「…三个假期,」, 「在今年新入选5家之前,」: the time the next clause's figure is of

_WITH = re.compile("(?:算上|加上|连同|包括|计入)")  # 「算上将投用的3所,…将达到15所」: a sum the next clause gives


def _continues(clause: str) -> bool:
    figs = parse(clause)
    lead = clause[: figs[0].start] if figs else clause
    return is_generic(lead)
