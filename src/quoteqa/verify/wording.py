"""The claim's words around a figure (its clause, the clause before, what it names) and the relation
a figure is computed by, as the readings of derived.py give it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..language.numbers import Figure, normalized

SUM, DIFFERENCE, START, REMAINDER, SHARE, RATIO, AVERAGE, BASE = (
    "sum", "difference", "start", "remainder", "share", "ratio", "average", "base",
)  # fmt: skip
# A part computed from its whole and the share the articles give (612名 × 38.2%), or the rest of
# it (2.3万人 × (1 − 93.6%)): how a part's operands may be computed.
PORTION, COMPLEMENT = "portion", "complement"
INCREASE = "increase"  # this year's level less last year's: L − L ÷ (1 + r)
# A rate's move in points from the two rates an article gives (「由67.3%提高到78.2%」): 78.2 − 67.3
# (RISE, operands: the rate then, the rate now) or 67.3 − 78.2 (FALL).
RISE, FALL = "rise", "fall"
RATIO_OF_REST = "ratio_of_rest"  # 「是进口额的2倍多」: the first ÷ (a whole − its other part)
BASE_LESS = "base_less"  # last year's level from this year's and the change: L − Δ
WHOLE_OF = "whole_of"  # a whole from a part and the share it is of it: 8.6万亩 ÷ 78.2%
PLAN_LEFT = "plan_left"  # what is left of a target known by the share done: 2860套 ÷ 71.5% − 2860套
GAP = "gap"  # how far apart two figures are, whichever is larger: 「城乡居民收入相差1.45万元」
SEP = "[,,;;。:!?!?]"
TRAILING = ",,;;"  # characters stripped from the end of the clause before
CHANGE_AND_AFTER = re.compile(
    r"(?:比|较|同比|环比|增长|下降|提高|达到|达|为|超过|突破|不足|不到|(?<!\d)\d(?!\d{3}年)).*$"
)  # what a clause says of its subject
# Words around the operands that name no subject of their own.
LEADING = re.compile(r"^(?:全区|全市|全县|全镇|今年|上半年|其中|共|约|为|是|有|达到|达|的|了|在|已|已经|被)+")
TRAILING_WORDS = (
    "的",
    "比重",
    "比例",
    "份额",
    "为",
    "是",
    "有",
    "约",
    "达到",
    "达",
    "了",
    "已",
    "已经",
    "仅",
    "只有",
    "仅有",
    "只",
    "还",
    "已在",  # 「产值已在450亿元以上」
)


@dataclass(frozen=True)
class Relation:
    """What a claimed figure is computed from: ``kind`` and the claim's words for each operand (the
    whole before the part, the minuend before the subtrahend)."""

    kind: str
    operands: tuple[str, ...]
    # A figure an article may state as it is (「占比58%」, 「人均可支配收入4万元」, 「学前教育学位4320个」):
    # checked against the stated figure when the articles have one of its very subject.
    statable: bool = False
    # The items of a sum as the claim writes them, without the noun the last one seems to share
    # (「家庭农场和农民专业合作社」 may share 「合作社」 or not): tried when the first reading finds none.
    plain: tuple[str, ...] = ()
    # A hedge the relation's words put on the claimed figure (「接近…的3倍」, 「约为…的1.8倍」).
    hedge: str = ""

    @property
    def own(self) -> str:
        """The words of what the claimed figure itself is about: the part of a share or a remainder,
        the first of a ratio or a difference, what an average is of."""
        return self.operands[1] if self.kind in (SHARE, REMAINDER) else self.operands[0]


def clean(words: str) -> str:
    """The words of a subject without the filler around them (全区, 约, 的比重为)."""
    words = LEADING.sub("", re.sub(r"\s", "", words))
    trimmed = True
    while trimmed:
        trimmed = False
        for w in TRAILING_WORDS:
            if words.endswith(w):
                words, trimmed = words[: -len(w)], True
    return words


@dataclass(frozen=True)
class Span:
    """A cue found in a clause: where it starts and the words between it and the clause's ending."""

    start: int
    words: str


def between(text: str, cue: re.Pattern[str], ending: re.Pattern[str]) -> Span | None:
    """The first ``cue`` of ``text`` followed by two characters or more and then ``ending``."""
    end = ending.search(text)
    if end is None:
        return None
    m = cue.search(text, 0, end.start())
    if m is None or end.start() - m.end() < 2:
        return None
    return Span(m.start(), text[m.end() : end.start()])


@dataclass(frozen=True)
class Around:
    """The claim's words around a figure: its clause before it (``lead``), the clauses before that
    (``before``), the rest of its clause (``trail``) and the subject the clause names."""

    lead: str
    before: str
    trail: str
    subject: str
    unit: str
    earlier: str  # the subject of the clause before (「数字经济核心产业增加值…,占GDP比重超过一成」)


def around(claim: str, fig: Figure) -> Around:
    claim = normalized(claim)  # the figure's span stays valid
    cut = max((m.end() for m in re.finditer(SEP, claim[: fig.start])), default=0)
    lead, before = claim[cut : fig.start], claim[:cut]
    lead += re.match("(?:大)?约有|", claim[fig.start : fig.end]).group(0)  # type: ignore[union-attr]  # 「每个…约有21名」
    trail = re.split(SEP, claim[fig.end :])[0]
    clauses = [c for c in re.split(SEP, before.rstrip(TRAILING)) if not CONNECTIVE.fullmatch(c)]
    earlier = clean(CHANGE_AND_AFTER.sub("", clauses[-1])) if before and clauses else ""
    return Around(lead, before, trail, clean(lead) or earlier, fig.unit, earlier)


# Words that join two clauses and name nothing (「…达到20家;也就是说,此前…」).
CONNECTIVE = re.compile(r"也就是说|换言之|换句话说|这意味着|这就是说|由此可见|可见|据此|算下来|照此计算|按此计算|即")


def complement(claim: str, fig: Figure) -> Relation | None:
    """A figure the articles do not state that follows from what they do: the rest of a whole they
    split in two (进口 of 进出口, the rest being 出口; 限额以下 of 社会消费品零售总额), or a whole they
    give a part of and its share (「累计建成8.6万亩,占耕地总面积的…78.2%」: 耕地总面积)."""
    words = around(claim, fig).subject
    if fig.unit in ("%", "百分点", "倍"):
        return None
    if trade := imports_apart(words):
        return Relation(REMAINDER, trade)
    if "限额以下" in words and "零售额" in words:
        rest = re.sub(r"^.*?限额以下", "限额以上", words)
        return Relation(REMAINDER, ("社会消费品零售总额", rest))
    return Relation(WHOLE_OF, (words,)) if len(words) >= 2 else None


def imports_apart(words: str) -> tuple[str, str] | None:
    """The whole and the other part of a subject of 进口 (「进口额」: 「进出口额」 and 「出口额」)."""
    if not re.search("(?<!进出)进口", words):
        return None
    return words.replace("进口", "进出口"), words.replace("进口", "出口")


def with_noun(other: str, first: str) -> str:
    """The second subject of a comparison with the measure the first names after the word they share
    (「生物医药产业产值增速比新材料产业高」: 新材料产业 → 新材料产业产值增速)."""
    for size in (3, 2):
        tail = other[-size:]
        at = first.find(tail) if len(other) > size else -1
        if at > 0 and first[at + size :] and not other.endswith(first[at + size :]):
            return other + first[at + size :]
    place = re.match(r"^(?:[\u4e00-\u9fff]{2}(?:县|区|市|镇|乡|街道))+(?:的)?", first)
    if place and len(first) > place.end() + 1:  # 「青石镇的森林覆盖率比溪口街道高」: 溪口街道森林覆盖率
        if re.fullmatch(r"[\u4e00-\u9fff]{2}(?:县|区|市|镇|乡|街道)", other):
            return other + first[place.end() :]
        whole = re.fullmatch(r"(全县|全区|全市|全镇)?(?:的)?(平均水平|平均|整体水平|总体水平|整体)?", other)
        if whole and (whole.group(1) or whole.group(2)):
            return (whole.group(1) or "全县") + first[place.end() :]  # 「高出全县平均水平」: 全县森林覆盖率
    named = re.match(r"^.*?[A-Za-z][A-Za-z0-9.]*(?=[\u4e00-\u9fff])", first)
    if named and re.fullmatch(r"[A-Za-z][A-Za-z0-9.]*", other):  # 「PM10平均浓度比PM2.5高」: PM2.5平均浓度
        return other + first[named.end() :]
    measure = MEASURE.search(first)  # 「新能源产业产值增速比规上工业整体高」: 规上工业产值增速
    other = re.sub("(?:的)?(?:整体|总体)$", "", other) if measure and measure.group(0) else other
    if measure and measure.group(0) and not _MEASURED.search(other):
        return other + measure.group(0)
    return other


_MEASURED = re.compile("产值|增加值|收入|投资|额|增速|增幅|总量|规模|数量|人数|率")


MEASURE = re.compile(r"(?:产值|增加值|营业收入|收入|投资|零售额|销售额|进出口额|出口额|进口额)?(?:增速|增幅)?$")
