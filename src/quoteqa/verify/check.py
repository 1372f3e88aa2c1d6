"""Figure verification: each claim of a draft checked against the articles' figures of the same
subject (the claims themselves are read by claims.py)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ..ask import answer as answering
from ..ask.citations import Citation, as_json, citation
from ..ask.models import Model, for_model
from ..index.search import EVERYTHING, Scope
from ..index.store import Index
from ..ingest.text import CJK, bigrams
from ..language.numbers import Figure, parse
from . import operands
from .arithmetic import Computed
from .claims import (
    Subject,
    as_growth,
    canonical,
    point_changes,
    respective,
    sentence_figures,
    subjects,
)
from .derived import (
    AGE,
    AVERAGE,
    AVERAGE_CUE,
    BASE,
    DIFFERENCE,
    GAP,
    RATIO,
    REMAINDER,
    SELF_EVIDENT,
    SHARE,
    START,
    SUM,
    Relation,
    counts_its_list,
    relation,
)
from .drafts import claims_by_sentence
from .judging import agreeing_in, judge
from .lookup import Context, Option, Sources, clause_before, counterparts, ranked
from .matching import compare
from .periods import another_time, year_before
from .places import article_of, article_place, places
from .wording import around, clean, complement

SUPPORTED, CONTRADICTED, NOT_FOUND = "supported", "contradicted", "not_found"
SEVERITY = {SUPPORTED: 0, NOT_FOUND: 1, CONTRADICTED: 2}  # the worst verdict of several is a draft's
# A figure whose subject is not recognised may be confirmed by the best sentence when that
# sentence holds this much of the claim's words.
FALLBACK_COVER = 0.3
# A claim without figures is supported only when one sentence covers nearly all its content.
MIN_COVER_NO_FIGURE = 0.75


@dataclass(frozen=True)
class FigureCheck:
    claimed: str
    reading: str  # the claimed figure's interval in words (「400多家」 → 「400–499家」); "" when exact
    source: str | None  # the source figure, or the arithmetic of a computed one (「34个 + 46个 = 80个」)
    status: str  # match | mismatch | unclear | missing
    computed: Computed | None = None  # a figure the claim computes: its operation and operands


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
    w = weights or for_model(index.model_name)
    found_in = ranked(index, w, claim, scope)
    claim_ranked = found_in  # before the place filter: the operands' search reuses it
    claimed = parse(claim)
    if not claimed:
        return _wording_only(index, claim, found_in)
    claim_subjects = subjects(claim, claimed)
    # 「云湖区…」 is checked against 云湖区's articles only, when the archive covers several places
    named = {p for p in places(index) if p in claim}

    def elsewhere(a: Option, b: Option) -> bool:
        where = [article_place(index, article_of(index, o[1].sentence)) for o in (a, b)]
        return bool(places(index)) and not named and where[0] != where[1]

    if named:
        found_in = [s for s in found_in if article_place(index, article_of(index, s.sentence)) in named]
        near = [s for s in near if article_place(index, article_of(index, s.sentence)) in named]
    sources = [(s, *sentence_figures(index, s.sentence)) for s in found_in]
    checks: list[FigureCheck] = []
    found: list[answering.Scored | None] = []  # the sentence of each check's source figure
    # 「分别」 whose list could not be paired with the figures: each figure may be any listed subject's
    respectively = "分别" in claim and len(respective(claim, claimed)) < len(claimed)
    ctx = Context(
        index, w, scope, claim, lambda s: not named or article_place(index, article_of(index, s.sentence)) in named
    )
    ctx.ranked[claim] = claim_ranked
    kept = [not _self_evident(claim, fig) for fig in claimed]
    claimed = [f for f, k in zip(claimed, kept, strict=True) if k]
    claim_subjects = [s for s, k in zip(claim_subjects, kept, strict=True) if k]
    if not claimed:
        return _wording_only(index, claim, found_in)
    relations = [relation(claim, fig) if intervals else None for fig in claimed]  # the baseline reads none
    for fig, subj, rel in zip(claimed, claim_subjects, relations, strict=True):
        check, sentence = _check_figure(ctx, fig, subj, rel, claimed, sources, intervals, respectively, elsewhere)
        checks.append(check)
        found.append(sentence)
    checked = Checked(claimed, claim_subjects, relations, checks, found)
    _second_look(index, claim, checked, [*found_in[:1], *near], sources, intervals, elsewhere)
    return _verdict(index, claim, checks, found)


def _check_figure(
    ctx: Context,
    fig: Figure,
    subj: Subject,
    rel: Relation | None,
    claimed: list[Figure],
    sources: Sources,
    intervals: bool,
    respectively: bool,
    elsewhere: Callable[[Option, Option], bool],
) -> tuple[FigureCheck, answering.Scored | None]:
    """One figure of a claim checked, and the sentence of its source: with its arithmetic when the
    claim computes it, else against the same subject's figure in the best sentences."""
    index, claim = ctx.index, ctx.claim
    options = counterparts(fig, subj, sources)
    # A figure of the kind articles state as they are (占比, 人均) whose own subject a source states
    own = rel is not None and rel.statable and _states_own(rel, options, index)
    if rel is not None and _is_computed(index, fig, rel, options, intervals, own):
        # A figure the claim computes (合计80个, 年初48家, 近九成) is checked with its arithmetic,
        # never as if it repeated a source figure; without all its operands it is 未找到, unless
        # it is a kind of figure articles state as they are (占比, 人均) and one of its subject is.
        check, sentence = _computed_check(ctx, fig, rel, claimed, options, intervals)
        if check.computed is not None or not own:
            return check, sentence
    growth = as_growth(claim, fig, subj)
    if not options and growth:  # 「是去年的3倍」 against a source that gives the growth
        fig, subj = growth
        options = counterparts(fig, subj, sources)
    if not options:  # 「2023年…不足360家」 against a 2024 report that gives this year's and its change
        best = sources[0][0] if sources and rel is None and intervals and ctx.rests < MAX_RESTS else None
        ctx.rests += best is not None  # each looks its words up: bounded a claim, as the rest of a whole is
        last = _last_year(ctx, fig, claimed, best, []) if best is not None else None
        return last if last is not None and last[0].computed is not None else _the_rest(ctx, fig, claimed, intervals)
    status, (_, scored, src, _, _) = judge(fig, subj, options, intervals, respectively, elsewhere)
    if rel is None and intervals and (last := _last_year(ctx, fig, claimed, scored, options)):
        return last  # 「2023年…地区生产总值约270.7亿元」 against a 2024 report: its base
    if status == "mismatch" and (
        another_time(index, claim, scored.sentence) or (intervals and rel is None and _unread(ctx, subj, scored, src))
    ):
        status = "unclear"  # 「2023年…」 against a 2024 report, 「国庆假期」 against 「前三季度」: not compared
    return FigureCheck(fig.text, fig.reading(), src.text, status), scored


_THEN = re.compile("年初|此前|原有|去年|上年|前年")


def _said_then(index: Index, options: list[Option]) -> bool:
    """Whether the closest source figure is said of the start of the year or of last year (「年初有48家」)."""
    if not options:
        return False
    return bool(_THEN.search(clause_before(index, options[0])))


# Words a reporter computes with (合计, 此前, 其余, 人均, 倍, 占…): a figure of a claim that says one
# and whose relation was not read is not contradicted as if it repeated a source figure.
_COMPUTING = re.compile(
    "合计|共计|总计|相加|加起来|之和|算上|加上|连同|在内|此前|之前|以前|年初|原有|其余|剩下|剩余|以外|之外|人均|户均|平均|场均|倍|"
    "占|比重|比例|相差|(?:去年|上年|上一年|前一年)(?:同期|全年)?(?!增|下|提|降|回)"
)


def _is_computed(index: Index, fig: Figure, rel: Relation, options: list[Option], intervals: bool, own: bool) -> bool:
    """Whether a figure with a relation is checked with its arithmetic: a remainder of 其余 or 以外, a
    start or last year's figure (unless said of that time) always; others unless a source states it."""
    if (rel.kind == REMAINDER and not rel.statable) or (rel.kind in (START, BASE) and not _said_then(index, options)):
        return True
    stated = _stated(fig, options, intervals) and (rel.statable or _states_relation(index, rel, options))
    return not (stated and (not rel.statable or own))


# A claim's figures that no source states are tried as following from others this many times at most
# (each looks its words up): a claim of dozens of unknown figures stays well under a second.
MAX_RESTS = 4


def _the_rest(
    ctx: Context, fig: Figure, claimed: list[Figure], intervals: bool
) -> tuple[FigureCheck, answering.Scored | None]:
    """A figure no source states: 未找到, unless it is the rest of a whole the articles split in two
    (「进口额」: 进出口额 − 出口额, when they give those)."""
    rest = complement(ctx.claim, fig) if intervals and ctx.rests < MAX_RESTS else None
    ctx.rests += 1
    if rest is None:
        return FigureCheck(fig.text, fig.reading(), None, "missing"), None
    return _computed_check(ctx, fig, rest, claimed, [], intervals)


def _unread(ctx: Context, subj: Subject, scored: answering.Scored, src: Figure) -> bool:
    """Whether a figure without a relation stands in a claim of arithmetic words whose relation was
    not read, while its source does not say it so (「占比58%」, 「是…的3倍」 state it as the claim does):
    it may be computed, and is not denied as if it repeated the source."""
    if subj.change or not _COMPUTING.search(ctx.claim):
        return False
    said = re.split("[,,;;。]", ctx.index.sentences[scored.sentence].text[: src.start])[-1]
    return not _COMPUTING.search(said + src.text)


def _last_year(
    ctx: Context, fig: Figure, claimed: list[Figure], scored: answering.Scored, options: list[Option]
) -> tuple[FigureCheck, answering.Scored | None] | None:
    """A figure of the year before the source's report (「2023年…」 against 2024's), checked as last
    year's base when the report gives this year's figure and its growth, and never confirmed or
    denied by this year's figure."""
    best = [scored, *ctx.ranked.get(ctx.claim, [])[:3]]  # 「2025年…突破550家」 is a plan's: the claim's others
    year = next((y for s in best if (y := year_before(ctx.index, ctx.claim, s.sentence))), "")
    if not year:
        return None
    words = clean(re.sub(rf"{year}年(?:全年|末|底)?", "", around(ctx.claim, fig).lead))
    # the end of last year is the start of this one (「2023年末…总数为399家」: 486家 − 新增87家)
    kinds = (START, BASE) if re.search(rf"{year}年(?:末|底)", ctx.claim) else (BASE,)
    for kind in kinds:
        check, sentence = _computed_check(ctx, fig, Relation(kind, (words,)), claimed, options, True)
        if check.computed is not None:
            break
    if check.computed is None:  # this year's figure is no figure of last year's
        return FigureCheck(fig.text, fig.reading(), None, "unclear"), None
    return check, sentence


def _computed_check(
    ctx: Context, fig: Figure, rel: Relation, claimed: list[Figure], options: list[Option], intervals: bool
) -> tuple[FigureCheck, answering.Scored | None]:
    """A computed figure checked with its arithmetic, and the sentence of its first operand."""
    status, computed, sentence = operands.check(ctx, fig, rel, claimed)
    used = {(o.text, o.sentence) for o in computed.operands} if computed else set()
    others = [o for o in options if (o[2].text, ctx.index.sentences[o[1].sentence].text.strip()) not in used]
    if status == "mismatch" and rel.statable and rel.kind in _PARTS and _agrees_with_a_stated(fig, others, intervals):
        status = "unclear"  # 「17个断面中有十几个为优Ⅲ」: a part the articles state (15) agrees
    said = computed.expression if computed else None
    return FigureCheck(fig.text, fig.reading(), said, status, computed), sentence


def _confirmed_by_operands(
    claimed: list[Figure], checks: list[FigureCheck], found: list[answering.Scored | None]
) -> None:
    """A figure the claim states that one of its computations read as an operand (「115所中小学中,
    尚有28所未…」: 115所 is the whole) is confirmed by that operand's sentence."""
    operands = [(o, s) for c, s in zip(checks, found, strict=True) if c.computed for o in c.computed.operands]
    for i, fig in enumerate(claimed):
        if checks[i].computed is not None or checks[i].status == "match":
            continue
        for o, scored in operands:
            if scored is not None and o.unit == fig.unit and o.low <= fig.value <= o.high:
                checks[i] = FigureCheck(fig.text, fig.reading(), o.text, "match")
                found[i] = scored  # the computation's sentence
                break


def _self_evident(claim: str, fig: Figure) -> bool:
    """A figure that counts the claim's own list or states the unit of a rate (see SELF_EVIDENT)."""
    classes = [*SELF_EVIDENT.finditer(claim), *AGE.finditer(claim)]  # 「60周岁以上老年人」
    return any(m.start() <= fig.start < m.end() for m in classes) or counts_its_list(claim, fig)


_PARTS = (SHARE, REMAINDER)  # a part the articles may state as it is (15 of 17)
# A computed-looking figure that a source states as it is (「占比58%」 in the articles) is direct: the
# source's subject must be this close (and, before the arithmetic is tried, the figure agree).
STATED_SUBJECT = 0.6


# …and, when the arithmetic finds no operands, a stated figure is read only when its subject holds
# this share of the words of what the claimed figure is about (not only of the whole it is part of).
STATED_OWN = 0.6


_PLACE_OR_TIME = re.compile(r"^[\u4e00-\u9fff]{1,3}?(?:区|县|镇|市)|今年|上半年|前三季度|一季度|去年|全年|目前")


def _states_own(rel: Relation, options: list[Option], index: Index) -> bool:
    """Whether the best direct counterpart is a figure of the claimed figure's own subject: its
    sentence up to it, with the sentence before, names most of what the claimed figure is about
    (「网络零售额…,增速高于社零总额7.5个百分点」), not only the whole it is part of."""
    if not options:
        return False
    _, scored, src, _, _ = options[0]
    sid = scored.sentence
    same_paragraph = sid > 0 and index.sent_para[sid - 1] == index.sent_para[sid]
    window = (index.sentences[sid - 1].text if same_paragraph else "") + index.sentences[sid].text[: src.end]
    if rel.kind == AVERAGE and not AVERAGE_CUE.search(window):
        return False  # 「户均奖补约38.5万元」 is not the total 「1.26亿元」
    own = _PLACE_OR_TIME.sub("", re.sub(f"[^{CJK}0-9a-zA-Z]", "", rel.own))
    if re.match("非|未|没有|不", own) and not re.search("非|未|没有|不", window):
        return False  # 「非税收入」 is not stated by 「税收收入26.2亿元」
    words = frozenset(bigrams(canonical(own)))
    return bool(words) and len(words & frozenset(bigrams(canonical(window)))) / len(words) >= STATED_OWN


def _agrees_with_a_stated(fig: Figure, options: list[Option], intervals: bool) -> bool:
    """Whether a figure of the claimed figure's subject (however loosely worded) agrees with it."""
    return any(compare(fig, o[2], intervals) == "match" for o in options[:3])


def _stated(fig: Figure, options: list[Option], intervals: bool) -> bool:
    """Whether a source states ``fig`` itself: a figure of its subject that agrees."""
    return bool(options) and options[0][4] >= STATED_SUBJECT and compare(fig, options[0][2], intervals) == "match"


# The words a source says a computed figure with (「合计80个」, 「比…多308家」): a figure stated so
# is the claim's own, a level of one operand never is.
_RELATION_WORDS = {
    SUM: re.compile("合计|共计|总计|共|累计|总数|总量|加起来"),
    DIFFERENCE: re.compile("比|较|多|少|高|低|相差|差距|快|慢"),
    RATIO: re.compile("倍"),
    AVERAGE: AVERAGE_CUE,
    GAP: re.compile("相差|差距|差额|相距"),  # 「城乡居民收入差距超过2.5万元」 is not 「城镇居民收入49860元」
}


def _states_relation(index: Index, rel: Relation, options: list[Option]) -> bool:
    """Whether the closest source figure is itself said as the relation says it (its clause)."""
    words = _RELATION_WORDS.get(rel.kind)
    if words is None or not options:
        return words is None
    return bool(words.search(clause_before(index, options[0])))


@dataclass
class Checked:
    """A claim's figures, their subjects and relations, their checks and the sentence of each check's
    source."""

    claimed: list[Figure]
    subjects: list[Subject]
    relations: list[Relation | None]
    checks: list[FigureCheck]
    found: list[answering.Scored | None]


def _second_look(
    index: Index,
    claim: str,
    c: Checked,
    best: list[answering.Scored],
    sources: Sources,
    intervals: bool,
    elsewhere: Callable[[Option, Option], bool],
) -> None:
    """What the first look leaves missing, looked at again: ``best`` are the sentences that best
    match the claim (and the draft sentence it came from)."""
    # A figure whose subject is worded too differently to be recognised (「接待游客800多万人次」
    # for 「旅游接待815万人次」) may still be confirmed by the sentence that confirms the others or
    # that says nearly all of the claim; it is never contradicted that way.
    for i, (fig, subj, rel) in enumerate(zip(c.claimed, c.subjects, c.relations, strict=True)):
        # a computed figure is confirmed so only when it is of a kind articles state as it is
        # (a part of a whole, 「…中,非中小企业超过100家」, is not confirmed by the whole's figure)
        part = rel is not None and rel.kind == REMAINDER and bool(re.match("非|未|没有|不", rel.own))
        if (
            c.checks[i].status == "missing"
            and c.checks[i].computed is None
            and (rel is None or rel.statable)
            and not part
        ):
            confirming = [s for s in c.found if s is not None] + best
            agreeing = agreeing_in(fig, subj, [s for s in confirming if s.cover >= FALLBACK_COVER], index, intervals)
            if agreeing is not None and rel is not None and rel.kind == AVERAGE:
                said = index.sentences[agreeing[0].sentence].text[: agreeing[1].end]
                agreeing = agreeing if AVERAGE_CUE.search(said) else None  # an average, not a total
            if agreeing is not None:
                c.checks[i] = FigureCheck(fig.text, fig.reading(), agreeing[1].text, "match")
                c.found[i] = agreeing[0]
    _confirmed_by_operands(c.claimed, c.checks, c.found)
    # 「从79.3%提高到83.5%」 against 「83.5%,提高4.2个百分点」: the earlier rate follows from the later
    # one and the change.
    for change, change_subj in point_changes(claim, c.claimed, c.subjects):
        i = next(k for k, f in enumerate(c.claimed) if f.start == change.start)
        j = next(k for k, f in enumerate(c.claimed) if f.end == change.end)
        if c.checks[i].status != "missing" or c.checks[j].status != "match":
            continue
        options = counterparts(change, change_subj, sources)
        if options:
            status, (_, scored, src, _, _) = judge(change, change_subj, options, intervals, False, elsewhere)
            c.checks[i] = FigureCheck(c.claimed[i].text, c.claimed[i].reading(), src.text, status)
            c.found[i] = scored


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
    if evidence is None and verdict == NOT_FOUND:  # a computed figure whose operands are not settled
        return Verification(claim, NOT_FOUND, "", None, checks)
    if evidence is None:  # a compared figure always has its sentence
        raise RuntimeError(f"figure {checks[decisive].claimed!r} was compared without a sentence")
    text = index.sentences[evidence.sentence].text.strip()
    return Verification(claim, verdict, text, _citation(index, evidence), checks)


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

    ``intervals=False`` compares bare numbers (400多家 as 400, 超过两成 as 20%) and reads no computed
    figure (合计80个 is compared as if it repeated a source figure): the baseline that ``make bench``
    prints beside the interval reading."""
    w = weights or for_model(index.model_name)
    sentences = claims_by_sentence(text)
    if sum(len(claims) for _, claims in sentences) <= 1:
        return verify_claim(index, sentences[0][1][0] if sentences else text.strip(), intervals, scope=scope, weights=w)
    results = []
    checked: dict[tuple[str, tuple[int, ...]], Verification] = {}  # a claim repeated is checked once
    for sentence, claims in sentences:
        near = ranked(index, w, sentence, scope)[:1] if len(claims) > 1 else []
        for c in claims:
            key = (c, tuple(s.sentence for s in near))
            if key not in checked:
                checked[key] = verify_claim(index, c, intervals, near, scope, w)
            results.append(checked[key])
    worst = max(results, key=lambda r: SEVERITY[r.verdict])
    figures = [f for r in results for f in r.figures]
    return Verification(text.strip(), worst.verdict, worst.evidence, worst.citation, figures, results)
