"""Figure verification: each claim of a draft checked against the articles' figures of the same
subject (the claims themselves are read by claims.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ..ask import answer as answering
from ..ask.citations import Citation, as_json, citation
from ..ask.models import Model, for_model
from ..ask.question import analyse
from ..index.search import EVERYTHING, Scope
from ..index.store import Index
from ..language.numbers import Figure, parse
from .claims import (
    Subject,
    article_of,
    article_place,
    as_growth,
    claims_by_sentence,
    compare,
    compatible,
    places,
    point_changes,
    respective,
    sentence_figures,
    subject_similarity,
    subjects,
)

SUPPORTED, CONTRADICTED, NOT_FOUND = "supported", "contradicted", "not_found"
_SEVERITY = {SUPPORTED: 0, NOT_FOUND: 1, CONTRADICTED: 2}
CHECKED = 16  # ranked sentences a claim's figures are looked for in
# A source figure belongs to the claim's subject when their subjects share this much (Dice on
# bigrams); below it the figure is "missing" rather than compared with an unrelated number.
MIN_SUBJECT = 0.4
# A figure whose closest subject disagrees, while another almost as close (within this much)
# agrees, is unclear rather than contradicted.
AMBIGUOUS_MARGIN = 0.05
# A figure whose subject is not recognised may be confirmed by the best sentence when that
# sentence holds this much of the claim's words.
FALLBACK_COVER = 0.3
FALLBACK_SUBJECT = 0.2  # and the figure's subject shares this much with the claim's
# A running total is matched with a running total first (「已有20家」 with 「累计20家」, not 「新增5家」).
CUMULATIVE_BONUS = 0.2
# A claim without figures is supported only when one sentence covers nearly all its content.
MIN_COVER_NO_FIGURE = 0.75


@dataclass(frozen=True)
class FigureCheck:
    claimed: str
    reading: str  # the claimed figure's interval in words (「400多家」 → 「400–499家」); "" when exact
    source: str | None
    status: str  # match | mismatch | unclear | missing


@dataclass(frozen=True)
class Verification:
    claim: str
    verdict: str
    evidence: str
    citation: Citation | None
    figures: list[FigureCheck] = field(default_factory=list)
    claims: list[Verification] = field(default_factory=list)
    note: str = ""  # e.g. 「与2023年数字一致」: the claim matches another period's source

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "verdict": self.verdict,
            "evidence": self.evidence,
            "citation": as_json(self.citation) if self.citation else None,
            "figures": [asdict(f) for f in self.figures],
            "claims": [c.to_dict() for c in self.claims],
            "note": self.note,
        }


def _ranked(index: Index, weights: Model, text: str, scope: Scope = EVERYTHING) -> list[answering.Scored]:
    query = analyse(index, text, holds=weights.holds)
    return answering.rank(index, weights, query, index.embed_query(text), scope=scope)[:CHECKED]


def verify_claim(
    index: Index,
    claim: str,
    intervals: bool = True,
    near: Sequence[answering.Scored] = (),
    scope: Scope = EVERYTHING,
    weights: Model | None = None,
) -> Verification:
    """Check one claim: every figure against the same subject's figure in the best sentences.

    ``near``: sentences that may confirm a figure whose subject is not recognised (the best
    sentence for the whole draft sentence the claim was split from). ``scope``: what the check
    may read (the articles of the asked period); ``weights``: the learned weights that rank its
    sentences (those for the index's embedding model by default)."""
    ranked = _ranked(index, weights or for_model(index.model_name), claim, scope)
    claimed = parse(claim)
    if not claimed:
        return _wording_only(index, claim, ranked)
    claim_subjects = subjects(claim, claimed)
    # 「云湖区…」 is checked against 云湖区's articles only, when the archive covers several places
    named = {p for p in places(index) if p in claim}

    def elsewhere(a: Option, b: Option) -> bool:
        where = [article_place(index, article_of(index, o[1].sentence)) for o in (a, b)]
        return bool(places(index)) and not named and where[0] != where[1]

    if named:
        ranked = [s for s in ranked if article_place(index, article_of(index, s.sentence)) in named]
        near = [s for s in near if article_place(index, article_of(index, s.sentence)) in named]
    sources = [(s, *sentence_figures(index, s.sentence)) for s in ranked]
    checks: list[FigureCheck] = []
    found: list[answering.Scored | None] = []  # the sentence of each check's source figure
    # 「分别」 whose list could not be paired with the figures: each figure may be any listed subject's
    respectively = "分别" in claim and len(respective(claim, claimed)) < len(claimed)
    for fig, subj in zip(claimed, claim_subjects, strict=True):
        options = _counterparts(fig, subj, sources)
        growth = as_growth(claim, fig, subj)
        if not options and growth:  # 「是去年的3倍」 against a source that gives the growth
            fig, subj = growth
            options = _counterparts(fig, subj, sources)
        if not options:
            checks.append(FigureCheck(fig.text, fig.reading(), None, "missing"))
            found.append(None)
            continue
        status, (_, scored, src, _, _) = _judge(fig, subj, options, intervals, respectively, elsewhere)
        checks.append(FigureCheck(fig.text, fig.reading(), src.text, status))
        found.append(scored)
    # A figure whose subject is worded too differently to be recognised (「接待游客800多万人次」
    # for 「旅游接待815万人次」) may still be confirmed by the sentence that confirms the others or
    # that says nearly all of the claim; it is never contradicted that way.
    for i, (fig, subj) in enumerate(zip(claimed, claim_subjects, strict=True)):
        if checks[i].status == "missing":
            confirming = [s for s in found if s is not None] + [*ranked[:1], *near]
            agreeing = _agreeing_in(fig, subj, [s for s in confirming if s.cover >= FALLBACK_COVER], index, intervals)
            if agreeing is not None:
                checks[i] = FigureCheck(fig.text, fig.reading(), agreeing[1].text, "match")
                found[i] = agreeing[0]
    # 「从79.3%提高到83.5%」 against 「83.5%,提高4.2个百分点」: the earlier rate follows from the later
    # one and the change.
    for change, change_subj in point_changes(claim, claimed, claim_subjects):
        i = next(k for k, f in enumerate(claimed) if f.start == change.start)
        j = next(k for k, f in enumerate(claimed) if f.end == change.end)
        if checks[i].status != "missing" or checks[j].status != "match":
            continue
        options = _counterparts(change, change_subj, sources)
        if options:
            status, (_, scored, src, _, _) = _judge(change, change_subj, options, intervals, False, elsewhere)
            checks[i] = FigureCheck(claimed[i].text, claimed[i].reading(), src.text, status)
            found[i] = scored
    return _verdict(index, claim, checks, found)


def _verdict(index: Index, claim: str, checks: list[FigureCheck], found: list[answering.Scored | None]) -> Verification:
    """The claim's verdict from its figures' checks (``found``: the sentence of each source figure)."""
    statuses = [c.status for c in checks]
    # The worst figure decides: one contradicted figure contradicts the claim; one that is missing
    # or unclear leaves it unconfirmed (未找到), with the sentence shown when there is one.
    if "mismatch" in statuses:
        verdict, decisive = CONTRADICTED, statuses.index("mismatch")
    elif all(st == "match" for st in statuses):
        verdict, decisive = SUPPORTED, 0
    elif "unclear" in statuses:
        verdict, decisive = NOT_FOUND, statuses.index("unclear")
    else:  # some figure of the claim is not in the articles: it cannot be confirmed
        return Verification(claim, NOT_FOUND, "", None, checks)
    evidence = found[decisive]
    if evidence is None:  # a compared figure always has its sentence
        raise RuntimeError(f"figure {checks[decisive].claimed!r} was compared without a sentence")
    text = index.sentences[evidence.sentence].text.strip()
    return Verification(claim, verdict, text, _citation(index, evidence), checks)


Option = tuple[float, answering.Scored, Figure, Subject, float]  # ordering score, …, similarity


def _judge(
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
    ties = [o for o in options[1:] if o[4] >= best_similarity - 1e-9 and compare(fig, o[2], intervals) == "match"]
    if ties:
        return "match", ties[0]
    # Nearly as close, or any listed subject after 「分别」: unclear, since a false 不一致 is the
    # worst error this tool can make.
    # Another place's report that does not contradict it leaves it open too.
    rivals = [o for o in options[1:] if respectively or o[4] >= best_similarity - AMBIGUOUS_MARGIN]
    if respectively or any(compare(fig, o[2], intervals) == "match" for o in rivals):
        return "unclear", best
    if any(elsewhere(best, o) and compare(fig, o[2], intervals) != "mismatch" for o in options[1:]):
        return "unclear", best
    return status, best


def _agreeing_in(
    fig: Figure, subj: Subject, near: list[answering.Scored], index: Index, intervals: bool
) -> tuple[answering.Scored, Figure] | None:
    """The figure of these sentences closest to ``fig``'s subject, when it agrees with ``fig``."""
    best: tuple[float, answering.Scored, Figure] | None = None
    for scored in near:
        figs, subs = sentence_figures(index, scored.sentence)
        for src, src_subj in zip(figs, subs, strict=True):
            similarity = subject_similarity(subj, src_subj)
            if similarity < FALLBACK_SUBJECT or not compatible(fig, subj, src, src_subj):
                continue  # another subject's figure
            if best is None or similarity > best[0]:
                best = (similarity, scored, src)
    if best is None or compare(fig, best[2], intervals) != "match":
        return None
    return best[1], best[2]


def _counterparts(
    fig: Figure, subj: Subject, sources: list[tuple[answering.Scored, list[Figure], list[Subject]]]
) -> list[Option]:
    """Figures of the candidate sentences that may count what ``fig`` counts, closest first."""
    out = []
    for rank_no, (scored, figs, subs) in enumerate(sources):
        for src, src_subj in zip(figs, subs, strict=True):
            if not compatible(fig, subj, src, src_subj):
                continue
            similarity = subject_similarity(subj, src_subj)
            if similarity < MIN_SUBJECT:
                continue
            # Between equally good subjects: a running total with a running total, the figure in
            # the same position relative to its noun, then the better-ranked sentence.
            sim = similarity + CUMULATIVE_BONUS * (subj.cumulative == src_subj.cumulative)
            sim += CUMULATIVE_BONUS / 2 * (subj.added == src_subj.added)
            sim += 0.05 * (subj.after == src_subj.after) + 0.02 * (CHECKED - rank_no) / CHECKED
            out.append((sim, scored, src, src_subj, similarity))
    out.sort(key=lambda o: -o[0])
    return out


def _wording_only(index: Index, claim: str, ranked: list[answering.Scored]) -> Verification:
    """A claim with no figure: supported only when one sentence says nearly all of it.

    Wording can show that the articles say something; it cannot show that they deny it, so
    such a claim is never reported as contradicted.
    """
    if ranked and ranked[0].cover >= MIN_COVER_NO_FIGURE:
        best = ranked[0]
        text = index.sentences[best.sentence].text
        return Verification(claim, SUPPORTED, text.strip(), _citation(index, best))
    return Verification(claim, NOT_FOUND, "", None)


def _citation(index: Index, scored: answering.Scored) -> Citation:
    return citation(index, scored.sentence, index.sentences[scored.sentence].text, scored.score)


def verify(
    index: Index, text: str, intervals: bool = True, scope: Scope = EVERYTHING, weights: Model | None = None
) -> Verification:
    """Verify a claim or a draft paragraph; several claims give the worst verdict on top.

    ``intervals=False`` compares bare numbers (400多家 as 400, 超过两成 as 20%): the baseline that
    ``make bench`` prints beside the interval reading."""
    w = weights or for_model(index.model_name)
    sentences = claims_by_sentence(text)
    if sum(len(claims) for _, claims in sentences) <= 1:
        return verify_claim(index, sentences[0][1][0] if sentences else text.strip(), intervals, scope=scope, weights=w)
    results = []
    checked: dict[tuple[str, tuple[int, ...]], Verification] = {}  # a claim repeated is checked once
    for sentence, claims in sentences:
        near = _ranked(index, w, sentence, scope)[:1] if len(claims) > 1 else []
        for c in claims:
            key = (c, tuple(s.sentence for s in near))
            if key not in checked:
                checked[key] = verify_claim(index, c, intervals, near, scope, w)
            results.append(checked[key])
    worst = max(results, key=lambda r: _SEVERITY[r.verdict])
    figures = [f for r in results for f in r.figures]
    return Verification(text.strip(), worst.verdict, worst.evidence, worst.citation, figures, results)
