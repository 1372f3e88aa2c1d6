"""A claimed figure against its counterparts in the articles: agreeing, contradicted, or unsettled
when the articles leave it open (a rival as close that agrees, another place's report, a subject too
loosely the same). A false 不一致 is the worst error this tool can make."""

from __future__ import annotations

from collections.abc import Callable

from ..ask import answer as answering
from ..index.store import Index
from ..language.numbers import Figure
from .claims import Subject, sentence_figures
from .lookup import Option
from .matching import WHEN_OR_WHERE, compare, compatible, subject_similarity
from .modifiers import narrower

# A figure whose closest subject disagrees, while another almost as close (within this much)
# agrees, is unclear rather than contradicted.
AMBIGUOUS_MARGIN = 0.05
# A figure is contradicted only by a source figure whose subject shares this much with its own.
MISMATCH_SUBJECT = 0.41
FALLBACK_SUBJECT = 0.2  # and the figure's subject shares this much with the claim's


def judge(
    fig: Figure,
    subj: Subject,
    options: list[Option],
    intervals: bool,
    respectively: bool,
    elsewhere: Callable[[Option, Option], bool] = lambda a, b: False,
) -> tuple[str, Option]:
    """The status of a claimed figure against its closest counterpart, and that counterpart.

    ``elsewhere(a, b)``: the two options come from reports on different places while the claim
    names none (either may be the one it means)."""
    best = options[0]
    _, _, src, src_subj, best_similarity = best
    status = compare(fig, src, intervals)
    if subj.direction * src_subj.direction < 0 and src.value != 0:
        status = "mismatch"  # 「回落0.9个百分点」 against 「提高0.9个百分点」
    if status != "mismatch":
        return status, best

    # Two subjects exactly as close by their words, one agreeing: the claim's words do not say
    # which it means (「17个国考断面中…」 names both of a sentence's figures); the agreeing one is taken.
    def opposed(o: Option) -> bool:  # 「提高1.2个百分点」 against 「回落1.2个百分点」
        return bool(subj.direction * o[3].direction < 0 and o[2].value)

    def agrees(o: Option) -> bool:  # a running total is never confirmed by what was added, nor this by that
        other_kind = (subj.cumulative and o[3].added and not o[3].cumulative) or (subj.added and o[3].cumulative)
        return compare(fig, o[2], intervals) == "match" and not opposed(o) and not other_kind

    # What was added is no counterpart of a claim that says nothing of adding (「236家规上工业企业」 is
    # 「累计达到236家」, not 「新增…28家」): an agreeing stock nearly as close is taken.
    stock = src_subj.added and not subj.added and not subj.cumulative and not subj.change

    def as_close(o: Option) -> bool:
        return o[4] >= best_similarity - (AMBIGUOUS_MARGIN if stock and not o[3].added else 1e-9)

    ties = [o for o in options[1:] if as_close(o) and agrees(o)]
    if ties:
        return "match", ties[0]
    # Nearly as close, or any listed subject after 「分别」: unclear, since a false 不一致 is the
    # worst error this tool can make.
    # Another place's report that does not contradict it leaves it open too.
    rivals = [o for o in options[1:] if respectively or o[4] >= best_similarity - AMBIGUOUS_MARGIN]
    if respectively or any(agrees(o) for o in rivals):
        return "unclear", best
    if any(elsewhere(best, o) and compare(fig, o[2], intervals) != "mismatch" and not opposed(o) for o in options[1:]):
        return "unclear", best
    if src_subj.added and not subj.added and not subj.cumulative and not subj.change:
        return "unclear", best  # 「武进的上市企业为48家」 is not denied by 「新增上市企业2家」
    if subject_similarity(subj, src_subj, what=False) < MISMATCH_SUBJECT:
        return "unclear", best  # 「115所中小学」 against 「覆盖中小学87所」: too loosely the same subject to deny it
    shared = (subj.terms & src_subj.terms) | (subj.full & src_subj.full)
    if not {t for t in shared if not WHEN_OR_WHERE.search(t)}:
        return (
            "unclear",
            best,
        )  # 「前三季度全区居民人均消费支出」 and 「前三季度全区接待游客」 share a time and a place only
    if narrower(subj.marks, src_subj.marks, src_subj.full):
        return "unclear", best  # 「接待入境游客2万多人次」 is a part of 「接待游客1538万人次」, not denied by it
    return status, best


def agreeing_in(
    fig: Figure, subj: Subject, near: list[answering.Scored], index: Index, intervals: bool
) -> tuple[answering.Scored, Figure] | None:
    """The figure of these sentences closest to ``fig``'s subject, when it agrees with ``fig``."""
    best: tuple[float, answering.Scored, Figure, bool] | None = None
    for scored in near:
        figs, subs = sentence_figures(index, scored.sentence)
        for src, src_subj in zip(figs, subs, strict=True):
            similarity = subject_similarity(subj, src_subj)
            if similarity < FALLBACK_SUBJECT or not compatible(fig, subj, src, src_subj):
                continue  # another subject's figure
            if best is None or similarity > best[0]:
                best = (similarity, scored, src, src_subj.direction * subj.direction < 0)  # 回落 and 加快
    if best is None or best[3] or compare(fig, best[2], intervals) != "match":
        return None
    return best[1], best[2]
