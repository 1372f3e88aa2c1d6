"""Whether a claim's figure and a source figure can be compared (same unit family, a change with a
change, a level with a level), how alike their subjects are, and the comparison of the two
intervals that gives a direct figure's verdict."""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal

from ..language.numbers import Figure
from .claims import Subject
from .modifiers import CONTRASTS

_PLANS = frozenset(("任务", "目标"))


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


_STRICT_UNITS = ("%", "百分点", "倍")


def compatible(claimed: Figure, claim_subject: Subject, source: Figure, source_subject: Subject) -> bool:
    """Same unit family (a count without a unit may be any count); rates only with rates of the
    same kind: a change with a change, a level with a level."""
    if claim_subject.side != source_subject.side and {"from", "gap"} & {claim_subject.side, source_subject.side}:
        return False  # 「从41.5%…」 is the rate before a change; 「提高到44.2%」 never is
    # A change whose article names no base is on the same period of last year.
    source_base = source_subject.base or ("yoy" if source_subject.change else "")
    if claim_subject.base and source_base and claim_subject.base != source_base:
        return False  # 「同比增长12.7%」 is not 「比2020年翻了一番」
    if claim_subject.negated != source_subject.negated:
        return False  # 「还有2.4万亩耕地未建成高标准农田」 is no figure of 「新建高标准农田1.2万亩」
    if claim_subject.marks & _PLANS and not source_subject.marks & _PLANS:
        return False  # 「筹集任务为4000套」 is no figure of what was done (「筹集…2860套」)
    for group in CONTRASTS:  # 「国家级…企业」 is not 「省级…企业」
        mine, theirs = claim_subject.marks & set(group), source_subject.marks & set(group)
        if mine and theirs and not mine & theirs:
            return False
    if _other_place(claim_subject, source_subject):
        return False  # 「青石镇新建改造污水管网」 is not 「全县新建改造污水管网86.4公里」, nor 白沙镇's
    if claimed.unit == "%" and claim_subject.rate != source_subject.rate:
        return False  # 「增速提高0.9%」 means points, or nothing checkable
    if claimed.unit == "百分点" and not claim_subject.rate:
        return False  # 「产值增长9.3个百分点」: points of no rate
    if claim_subject.change != source_subject.change:
        # 「比上年增加0.2人」 is not 「达到3.1人」; a count 「增加」 with no base is what was 「新增」, though
        counts = claimed.unit not in _STRICT_UNITS and source.unit not in _STRICT_UNITS
        unbased = not claim_subject.base and not source_subject.base
        if not (counts and unbased and (claim_subject.added or source_subject.added)):
            return False
    unit, other = _ALIKE.get(claimed.unit, claimed.unit), _ALIKE.get(source.unit, source.unit)
    if unit in _STRICT_UNITS or other in _STRICT_UNITS:
        return unit == other
    return unit == other or not unit or not other


_NO_TOWN = frozenset(
    ("城镇", "乡镇", "村镇", "集镇", "全镇", "小镇", "市镇", "重镇", "强镇", "名镇", "各镇", "该镇", "本镇")
)
_COUNTY_WIDE = frozenset(("全县", "全区", "全市"))


def towns(terms: frozenset[str]) -> frozenset[str]:
    """The towns (镇, 乡, 街道) a subject's words name, by the bigram that ends in their mark."""
    street = "街道" in terms  # 「溪口街道」: 口街
    return frozenset(t for t in terms if (t[-1] in "镇乡" or (street and t[-1] == "街")) and t not in _NO_TOWN)


def _other_place(claim: Subject, source: Subject) -> bool:
    """Whether a claim names a town (「青石镇…」) and the source figure is of another town or of the
    whole county (「全县…」)."""
    mine = towns(claim.terms)
    if not mine or mine & source.full:
        return False
    return bool(towns(source.full)) or bool(_COUNTY_WIDE & source.full)


_ALIKE = {"名": "人"}  # 「2000名居民」 and 「居民26.4万人」 count the same people


# Bigrams of a time or a place, which two subjects share without being one.
WHEN_OR_WHERE = re.compile(
    r"^(?:前三|三季|季度|上半|半年|下半|一季|全年|今年|去年|上年|同期|年初|目前|[度年月]全)$|[区县镇市]$|^[末底]|^月"
)


def subject_similarity(claim: Subject, source: Subject, what: bool = True) -> float:
    """How much two figures' subjects share (Dice on bigrams), by their leading words or by all
    the words around them, or (``what``) by what they count without when and where, whichever
    agrees most. A figure is contradicted only by the words it says (judging.py: ``what=False``)."""
    said = max(_dice(claim.terms, source.terms), _dice(claim.full, source.full))
    return max(said, _dice(_what(claim.terms), _what(source.terms))) if what else said  # 「6月末…贷款余额」


def _what(terms: frozenset[str]) -> frozenset[str]:
    """The bigrams of what is counted, without those of when and where (and digits)."""
    return frozenset(t for t in terms if not WHEN_OR_WHERE.search(t) and not t.isdigit())


# A claim that only drops the source's hedge (「增长12%」 for 「增长12%以上」, 「35万套」 for 「约35万套」)
# repeats the source's figure: it agrees. Dropping 「不到」 or 「以下」 would overstate it.
_DROPPABLE = (">", ">=", "near", "about", "reach")


def compare(claimed: Figure, source: Figure, intervals: bool = True) -> str:
    """match when every value the source plausibly means is one the claim allows; mismatch when
    none is; unclear otherwise (「超1万个」 does not settle 「1.5万多个」).

    A source's open end means its next step (「12%以上」 is 12.x%: a writer who knew 15% would say
    so), which is how 「增长15%」 contradicts it. 「400多家」 ⊇ 「428家」 and 「超过800万人次」 ⊇
    「815万人次」 match; 「三十五万余套」 and 「近35万套」 cannot both hold.
    """
    if not intervals:  # the baseline: bare numbers, equal or not
        return "match" if math.isclose(claimed.value, source.value, rel_tol=1e-9) else "mismatch"
    lo_c, hi_c = claimed.interval()
    lo_s, hi_s = source.likely()
    if lo_c <= lo_s and hi_s <= hi_c:
        return "match"
    dropped_hedge = claimed.qualifier == "=" and source.qualifier in _DROPPABLE
    # 「超12%」 for 「12%以上」: 超过 and 以上 are used alike in news writing
    same_hedge = {claimed.qualifier, source.qualifier} in ({">", ">="}, {"<", "<="})
    if (dropped_hedge or same_hedge) and math.isclose(claimed.value, source.value, rel_tol=1e-9):
        return "match"
    if claimed.qualifier == source.qualifier == "=" and _rounds_to(source.value, claimed.value):
        return "match"
    if max(lo_c, lo_s) > min(hi_c, hi_s):
        return "mismatch"
    return "unclear"


def _rounds_to(exact: float, rounded: float) -> bool:
    """「95.4亿元」 for 「95.37亿元」, 「10.7%」 for 「10.68%」: the source rounded at the claim's last
    digit, when the claim keeps three significant digits or more (「6万」 for 「5.7万」 does not)."""
    digits = Decimal(repr(rounded)).normalize()
    if rounded == 0 or len(digits.as_tuple().digits) < 3:
        return False
    place = Decimal(1).scaleb(digits.as_tuple().exponent)  # type: ignore[arg-type]
    return Decimal(repr(exact)).quantize(place, rounding=ROUND_HALF_UP) == digits.quantize(place)
