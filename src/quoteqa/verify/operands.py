"""Finding the articles' figure of a subject, and checking a computed figure with the figures its
relation names (derived.py reads the relation; the arithmetic is derived.py's)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from ..ask import answer as answering
from ..ask.citations import as_json, citation
from ..ask.models import Model
from ..ask.question import analyse
from ..index.search import EVERYTHING, Scope
from ..index.store import Index
from ..ingest.text import bigrams
from ..language.numbers import Figure, normalized, parse
from . import derived
from .claims import Subject, compatible, sentence_figures, subject_similarity, subjects
from .derived import Computed, Interval, Operand, Relation

CHECKED = 16  # ranked sentences a claim's figures are looked for in
# A source figure belongs to the claim's subject when their subjects share this much (Dice on
# bigrams); below it the figure is "missing" rather than compared with an unrelated number.
MIN_SUBJECT = 0.4
# A running total is matched with a running total first (「已有20家」 with 「累计20家」, not 「新增5家」).
CUMULATIVE_BONUS = 0.2
# An operand's figure is one whose subject holds this share of the operand's words (bigrams).
OPERAND_HELD = 0.6
# Two operands this close in score but of different values, in other sentences, leave it unsettled.
OPERAND_MARGIN = 0.05
MARK_PENALTY = 0.1  # a source subject narrowed by a modifier the operand lacks (省级, 城镇) ranks lower
_PROBE_UNIT = {"": "", "%": "%", "百分点": "个百分点", "元": "元"}
_TIME = re.compile(r"^(?:\d{4}年|今年|上半年|前三季度|一季度|全年|目前|截至\S*?底|[,,])+")
_PLAN = re.compile("力争|预计|计划|目标|任务|将")
_MARKED = re.compile("[0-9A-Za-z]")  # a word with a digit or a letter names a kind exactly (3A, 5G)
_COMPLEMENT = re.compile("未|没|不|以下|以外|之外|非|其余|其他|剩余|剩下|尚|仍")  # words of the rest of a whole
_RUNNING = re.compile("累计|已有|已经|已|建成|拥有|共有")  # words of a running total, not of what it counts
_GROWTH = re.compile("增速|增幅|增长|增量|涨幅|降幅")  # operands that are changes, not levels
_COUNT_UNITS = ("人次", "人", "户", "家", "所", "个", "名", "座", "套", "")

Sources = list[tuple[answering.Scored, list[Figure], list[Subject]]]
Option = tuple[float, answering.Scored, Figure, Subject, float]  # ordering score, …, similarity


def ranked(index: Index, weights: Model, text: str, scope: Scope = EVERYTHING) -> list[answering.Scored]:
    query = analyse(index, text, holds=weights.holds)
    return answering.rank(index, weights, query, index.embed_query(text), scope=scope)[:CHECKED]


def counterparts(fig: Figure, subj: Subject, sources: Sources) -> list[Option]:
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


@dataclass
class Context:
    """What one claim's operands are looked for in: the index, the ranking weights, the period, and
    a filter of the sentences (the place the claim names)."""

    index: Index
    weights: Model
    scope: Scope
    claim: str
    keep: Callable[[answering.Scored], bool] = lambda s: True
    cache: dict[str, Sources] = field(default_factory=dict)
    ranked: dict[str, list[answering.Scored]] = field(default_factory=dict)  # by text, the claim's too

    def sources(self, words: str) -> Sources:
        """The figures of the sentences ranked for ``words`` and for the whole claim (of the articles
        on the place the claim names, when it names one the articles report on). Each text is
        ranked once a claim."""
        if words not in self.cache:
            where = _places(self.index)
            named = {name for name in where.values() if name in self.claim}
            seen: set[int] = set()
            out: Sources = []
            for text in (words, self.claim) if words else (self.claim,):
                if text not in self.ranked:
                    self.ranked[text] = ranked(self.index, self.weights, text, self.scope)
                for s in self.ranked[text]:
                    aid = int(self.index.para_article[int(self.index.sent_para[s.sentence])])
                    if named and where.get(aid) not in named:
                        continue
                    if s.sentence not in seen and self.keep(s):
                        seen.add(s.sentence)
                        out.append((s, *sentence_figures(self.index, s.sentence)))
            self.cache[words] = out
        return self.cache[words]

    def planned(self, option: Option) -> bool:
        """Whether the option's figure is a plan or a target (「力争全年…突破1800亿元」) while the
        claim speaks of none: a target is never an operand of what was done."""
        before = self.index.sentences[option[1].sentence].text[: option[2].start]
        return bool(_PLAN.search(before)) and not _PLAN.search(self.claim)

    def without_place(self, words: str) -> str:
        """``words`` without a place at their start (澄江区, 武进全区; after 累计 or 新增 too): what
        is counted, not where."""
        lead = re.match(r"^(?:累计|新增)?", words).group(0)  # type: ignore[union-attr]
        rest, names = words[len(lead) :], sorted(set(_places(self.index).values()), key=len, reverse=True)
        while True:  # 「澄江区目前中小学」, 「武进今年新入选…」: a place and a time, in either order
            trimmed = _TIME.sub("", re.sub(r"^(?:全区|全县|全市|全镇)", "", rest))
            for name in names:
                if trimmed.startswith(name):
                    trimmed = re.sub(r"^(?:区|县|市|镇)?(?:全区|全县|全市|全镇)?", "", trimmed[len(name) :])
            if trimmed == rest:
                break
            rest = trimmed
        return lead + rest if rest else words

    def operand(
        self, role: str, scored: answering.Scored, fig: Figure, falls: bool = False
    ) -> tuple[Operand, answering.Scored]:
        text = self.index.sentences[scored.sentence].text
        cited = as_json(citation(self.index, scored.sentence, text, scored.score))
        lo, hi = fig.likely()
        if falls:  # 「下降3.4%」 is −3.4%
            lo, hi = -hi, -lo
        return Operand(role, fig.text, lo, hi, fig.unit, text.strip(), cited), scored


Found = tuple[Operand, answering.Scored]
# A place at the start of an operand's words (澄江区, 武进全区): what is counted is the rest.
_PLACE_NAME = re.compile(r"([\u4e00-\u9fff]{2})(?:区|县|镇)")
_NOT_A_NAME = re.compile("[全年度了在其中的和与及、区县镇市城乡新发园湾强]")  # 「在全区」, 「一季度全区」, 「高新区」


def _places(index: Index) -> dict[int, str]:
    """The place each article reports on, by article: of the names the articles put before 区, 县
    or 镇, the one it names most often, with or without them (武进 of 「武进区」 and of 「武进全区」;
    not 高新 of 高新区, a zone inside it). An article that names none has no place."""

    def compute() -> dict[int, str]:
        texts: dict[int, list[str]] = {}
        for sid, sentence in enumerate(index.sentences):
            texts.setdefault(int(index.para_article[int(index.sent_para[sid])]), []).append(sentence.text)
        joined = {aid: "".join(sentences) for aid, sentences in texts.items()}
        names = {
            m.group(1)
            for text in joined.values()
            for m in _PLACE_NAME.finditer(text)
            if not _NOT_A_NAME.search(m.group(1))
        }
        out = {}
        for aid, text in joined.items():
            counts = {name: text.count(name) for name in sorted(names)}
            if counts and max(counts.values()) >= 2:  # named once is named in passing
                out[aid] = max(counts, key=lambda n: counts[n])
        return out

    return index.cached("place-names", 0, compute)  # type: ignore[no-any-return]


_PLACE = re.compile(
    r"^[\u4e00-\u9fff]{2}(?:区|县|市|镇)(?:全区|全县|全市|全镇)?|^[\u4e00-\u9fff]{2}(?=全区|全县|全市|全镇)"
)


def probe(words: str, unit: str, change: bool = False) -> tuple[Figure, Subject] | None:
    """A figure of ``words`` in ``unit`` as a claim would state it (「外资项目1个」), to look its
    counterparts up the way a direct figure is looked up."""
    text = f"{words}{'增长' if change else ''}1{_PROBE_UNIT.get(unit, unit)}"
    figs = parse(text)
    if not figs or not words:
        return None
    return figs[-1], subjects(text, figs)[-1]


def find(
    ctx: Context,
    role: str,
    words: str,
    unit: str,
    want: Callable[[Figure, Subject], bool] = lambda f, s: True,
    change: bool = False,
    near: frozenset[int] = frozenset(),
) -> Found | str:
    """The articles' figure of ``words`` (a change, 「增长10.68%」, when ``change``), or why there is
    none: "missing" or "unclear" (two subjects as close with different values, unless one of them
    is in a sentence of ``near``, where the other operands are)."""
    words = ctx.without_place(_TIME.sub("", words))  # 「澄江区目前中小学」: what is counted, not where or when
    probed = probe(_GROWTH.sub("", words) if change else words, unit, change=change)
    if probed is None:
        return "missing"
    options = [o for o in _operand_options(*probed, ctx.sources(words), want) if not ctx.planned(o)]
    if not options:
        return "missing"
    best = options[0]
    close = [o for o in options if o[0] >= best[0] - OPERAND_MARGIN]
    beside = [o for o in close if o[1].sentence in near]
    if len({o[2].value for o in beside}) == 1:  # 「中小学和幼儿园合计」: 中小学 of 幼儿园's sentence
        best = beside[0]
    elif any(not math.isclose(o[2].value, best[2].value) for o in close):
        return "unclear"
    return ctx.operand(role, best[1], best[2], falls=change and best[3].direction < 0)


def _operand_options(
    fig: Figure, subj: Subject, sources: Sources, want: Callable[[Figure, Subject], bool]
) -> list[Option]:
    """Figures of the candidate sentences whose subject holds most of an operand's words (「九大产业
    集群」 in 「全区九大重点产业集群规上企业完成产值」), best first."""
    out = []
    for rank_no, (scored, figs, subs) in enumerate(sources):
        for src, src_subj in zip(figs, subs, strict=True):
            if not compatible(fig, subj, src, src_subj) or not want(src, src_subj):
                continue
            held = len(subj.terms & (src_subj.full | src_subj.shared)) / len(subj.terms) if subj.terms else 0.0
            if held < OPERAND_HELD or any(t not in src_subj.full for t in subj.terms if _MARKED.search(t)):
                continue  # 「3A级景区」 is not 「A级景区」, 「5G工厂」 not 「工厂」
            score = held + 0.2 * subject_similarity(subj, src_subj) + 0.02 * (CHECKED - rank_no) / CHECKED
            score -= MARK_PENALTY * len(src_subj.marks - subj.marks)  # 「省级示范家庭农场9家」 is not all of them
            if subj.cumulative or subj.added:  # 「累计…」, 「新增…」: a running total, or what was added
                score += CUMULATIVE_BONUS * (subj.cumulative == src_subj.cumulative and subj.added == src_subj.added)
            out.append((score, scored, src, src_subj, held))
    out.sort(key=lambda o: -o[0])
    return out


def in_sentence(ctx: Context, role: str, sentence: answering.Scored, want: Callable[[Figure], bool]) -> Found | str:
    """The one figure of ``sentence`` that ``want`` accepts (another figure of the same report)."""
    figs, _ = sentence_figures(ctx.index, sentence.sentence)
    chosen = [f for f in figs if want(f)]
    if len(chosen) != 1:
        return "missing" if not chosen else "unclear"
    return ctx.operand(role, sentence, chosen[0])


def check(
    ctx: Context, fig: Figure, rel: Relation, claimed: list[Figure]
) -> tuple[str, Computed | None, answering.Scored | None]:
    """(status, the computation, the sentence of its first operand) of a computed figure."""
    found = _operands(ctx, fig, rel, claimed)
    if isinstance(found, str):
        return found, None, None
    operands = [o for o, _ in found]
    result = _compute(rel.kind, [(o.low, o.high) for o in operands])
    if result is None:
        return "unclear", None, found[0][1]
    unit = fig.unit
    computed = Computed(
        rel.kind, operands, result[0], result[1], unit, derived.expression(rel.kind, operands, result, unit)
    )
    return derived.judge(fig, result), computed, found[0][1]


def _compute(kind: str, values: list[Interval]) -> Interval | None:
    if kind == derived.SUM:
        total = values[0]
        for v in values[1:]:
            total = derived.add(total, v)
        return total
    if kind in (derived.START, derived.REMAINDER, derived.DIFFERENCE):
        return derived.subtract(values[0], values[1])
    if kind == derived.SHARE:
        q = derived.divide(values[1], values[0])
        return None if q is None else (100 * q[0], 100 * q[1])
    if kind in (derived.RATIO, derived.AVERAGE):
        return derived.divide(values[0], values[1])
    if kind == derived.BASE:
        rate = (1 + values[1][0] / 100, 1 + values[1][1] / 100)
        return derived.divide(values[0], rate)
    return None


def _operands(ctx: Context, fig: Figure, rel: Relation, claimed: list[Figure]) -> list[Found] | str:
    """The operands of ``rel`` in the articles, in its order, or why they are not all there."""
    kind, words = rel.kind, rel.operands
    unit = fig.unit
    if kind == derived.SUM:
        if len(words) < 2:
            return "missing"
        found = _sum_operands(ctx, words, unit)
        if isinstance(found, str) and rel.plain:  # 「家庭农场和农民专业合作社」: two nouns after all
            found = _sum_operands(ctx, rel.plain, unit)
        if isinstance(found, list) and len({(s.cumulative, s.added) for s in _subjects(ctx, found)}) > 1:
            return "unclear"  # a running total added to what was added this year counts nothing
        return found
    if kind == derived.START:
        what = ctx.without_place(_RUNNING.sub("", ctx.without_place(words[0])))  # 「白沙镇累计建成高标准农田」
        total = find(ctx, "累计", "累计" + what, unit, lambda f, s: not s.change and not s.added)
        added = find(ctx, "新增", "新增" + what, unit, lambda f, s: s.added and not s.cumulative)
        if isinstance(added, str) and not isinstance(total, str):
            added = _since_start(ctx, total)
        if isinstance(added, str):  # 「存款余额1428.6亿元,比年初增加113.5亿元」: what was added this year
            added = find(ctx, "比年初增加", words[0], unit, lambda f, s: s.base == "ytd", change=True)
        return _all([total, added])
    if kind == derived.DIFFERENCE:
        operand_unit = "%" if unit == "百分点" else unit
        growth = unit == "百分点" and bool(_GROWTH.search(ctx.claim))  # 「增速比…高出11个百分点」
        first = find(ctx, "前者", words[0], operand_unit, change=growth)
        second = find(ctx, "后者", words[1], operand_unit, change=growth)
        found = _all([first, second])
        if isinstance(found, list) and found[0][0].low < found[1][0].low and any(w in ctx.claim for w in "少低慢"):
            return found[::-1]
        return found
    if kind in (derived.REMAINDER, derived.SHARE):
        return _whole_and_part(ctx, fig, rel, claimed)
    if kind == derived.RATIO:  # two figures of one unit: 46个 ÷ 34个, 2.1亿元 ÷ 3000万元
        first = find(ctx, "前者", words[0], "")
        return _all([first, first if isinstance(first, str) else find(ctx, "后者", words[1], first[0].unit)])
    if kind == derived.AVERAGE:
        return _average(ctx, fig, words[0], words[1], claimed)
    if kind == derived.BASE:
        level = find(ctx, "今年", words[0], unit, lambda f, s: not s.change)
        rate = find(ctx, "增幅", words[0], "%", lambda f, s: not s.rate and s.base in ("", "yoy"), change=True)
        return _all([level, rate])
    return "missing"


def _since_start(ctx: Context, total: Found) -> Found | str:
    """The change since the start of the year that follows a running total in its sentence
    (「贷款余额1096.3亿元,比年初增加98.7亿元」)."""
    operand, scored = total
    figs, subs = sentence_figures(ctx.index, scored.sentence)
    at = next((f.end for f in figs if f.text == operand.text), None)
    for fig, subj in zip(figs, subs, strict=True):
        if at is not None and fig.start >= at:
            if subj.base == "ytd" and subj.change and fig.unit == operand.unit:
                return ctx.operand("比年初增加", scored, fig, falls=subj.direction < 0)
            if not subj.change:
                break  # another running total's sentence part
    return "missing"


def _sum_operands(ctx: Context, words: tuple[str, ...], unit: str) -> list[Found] | str:
    """The items of a sum: counts of any count unit when the claim counts (「三项加起来共10个」 of
    6家, 1家 and 3个); an item left unsettled is looked for again beside the others."""
    counts = unit in _COUNT_UNITS
    item_unit = "" if counts else unit

    def want(f: Figure, s: Subject) -> bool:
        return f.unit in _COUNT_UNITS if counts else True

    found: list[Found | str] = [find(ctx, f"第{i + 1}项", w, item_unit, want) for i, w in enumerate(words)]
    near = frozenset(f[1].sentence for f in found if not isinstance(f, str))
    found = [f if not isinstance(f, str) else find(ctx, f"第{i + 1}项", words[i], item_unit, want, near=near)
             for i, f in enumerate(found)]  # fmt: skip
    return _all(found)


def _subjects(ctx: Context, found: list[Found]) -> list[Subject]:
    """The subjects of the operands' figures, as their sentences give them."""
    out = []
    for operand, scored in found:
        figs, subs = sentence_figures(ctx.index, scored.sentence)
        out += [s for f, s in zip(figs, subs, strict=True) if f.text == operand.text][:1]
    return out


def _all(found: list[Found | str]) -> list[Found] | str:
    """The operands, or why one is not there; one source figure read as two operands (each item
    of a sum finding the same figure) leaves the computation unsettled."""
    for f in found:
        if isinstance(f, str):
            return f
    operands = [f for f in found if not isinstance(f, str)]
    places = {(o.text, s.sentence) for o, s in operands}
    return operands if len(places) == len(operands) else "unclear"


def _whole_and_part(ctx: Context, fig: Figure, rel: Relation, claimed: list[Figure]) -> list[Found] | str:
    """The whole and the part of a share or a remainder: the whole by its words (or the figure the
    claim states for it), the part another figure of the whole's sentence, of the same unit and
    smaller, or found by its own words."""
    whole_words, part_words = rel.operands
    whole_words = re.sub(r"\d+(?:\.\d+)?[个家项所户人名座条套]", ",", whole_words)  # 「612名教师」: 教师
    if rel.kind == derived.SHARE:  # 「占武进累计总数的」: of the part's subject, counted in all
        whole_words = derived.whole_words(ctx.without_place(whole_words), ctx.without_place(part_words))
    stated = [f for f in claimed if f is not fig and f.unit != "%" and f.start < fig.start]
    unit = stated[-1].unit if stated else ("" if fig.unit == "%" else fig.unit)

    def same_value(f: Figure, s: Subject) -> bool:
        return not stated or math.isclose(f.value, stated[-1].value)

    whole = find(ctx, "总数", whole_words, unit, same_value)
    if whole == "unclear":  # 「进出口总额286亿元,…其中出口额192亿元」: the whole is not the part after 其中
        whole = find(ctx, "总数", whole_words, unit, lambda f, s: same_value(f, s) and not s.part)
    if isinstance(whole, str):
        return whole
    w_fig = whole[0]
    unit = w_fig.unit
    if rel.statable and rel.kind == derived.REMAINDER:
        # 「17家A级景区中,4A级以下的有12家」: the claimed figure is a part; the other part is the one
        # other, smaller figure the whole's sentence gives, when the claim words its part as the rest
        # (「Ⅱ类以上断面10个」 is no complement of 「优Ⅲ断面15个」).
        claim = normalized(ctx.claim)
        after = claim[claim.find(part_words) + len(part_words) :] if part_words in claim else ""
        if not _COMPLEMENT.search(part_words + re.split("[,,;;。]", after)[0]):
            return "missing"
        return _all([whole, in_sentence(ctx, "其余部分", whole[1], lambda f: _smaller(f, w_fig, unit))])
    part = find(ctx, "部分", part_words, unit) if part_words else "missing"
    if isinstance(part, str) or part[0].low >= w_fig.low:
        text = unicodedata.normalize("NFKC", ctx.index.sentences[whole[1].sentence].text)
        words = frozenset(bigrams(unicodedata.normalize("NFKC", part_words)))

        def named_part(f: Figure) -> bool:  # 「…中优Ⅲ断面达15个」: the part's words are in its clause
            clause = re.split("[,,;;。]", text[: f.start])[-1] + text[f.start : f.end + 4]
            held = frozenset(bigrams(clause))
            marked = all(t in held for t in words if _MARKED.search(t))  # 「3A级景区」 is not 「4A级以上」
            return _smaller(f, w_fig, unit) and bool(words & held) and marked

        part = in_sentence(ctx, "部分", whole[1], named_part)
    if not isinstance(part, str) and not _tied(ctx.index, whole[1].sentence, part[1].sentence):
        return "unclear"  # the articles never say the one is part of the other
    return _all([whole, part])


def _tied(index: Index, whole: int, part: int) -> bool:
    """Whether an article gives a part as part of its whole: in the whole's sentence, or in a
    sentence of its paragraph after it that begins 「其中」 (「…接待游客1260万人次…。其中过夜游客…」)."""
    if whole == part:
        return True
    if part < whole or index.sent_para[part] != index.sent_para[whole]:
        return False
    return index.sentences[part].text.lstrip().startswith("其中")


def _smaller(f: Figure, whole: Operand, unit: str) -> bool:
    """Another figure of the whole's unit, smaller than it: a part of it."""
    return f.unit == unit and f.text != whole.text and 0 < f.value < whole.low


# What an average shares a total among, by its word: 人均 among people, 户均 among households.
_SHARED_AMONG = {"人均": ("人", "人次", "名"), "户均": ("户", "家"), "场均": ("场",)}
# A claim whose total is worded unlike the article's (「游客人均消费」 for 「旅游总收入」) may take both
# from the sentence that best matches the whole claim, when that sentence holds this much of its
# words or stands out this far in meaning (dense z-score), and holds one total and one count.
AVERAGE_COVER = 0.2
AVERAGE_DENSE_Z = 3.0


def _average(ctx: Context, fig: Figure, what: str, who: str, claimed: list[Figure]) -> list[Found] | str:
    """A total and what it is shared among: the total by its words (or, worded otherwise, from the
    sentence that best matches the claim), the count the claim states (「7所新校」) or the one
    count of people, households or places in the total's sentence."""
    among = next((units for cue, units in _SHARED_AMONG.items() if cue in ctx.claim), _COUNT_UNITS)
    total = find(ctx, "总量", what, fig.unit)
    if isinstance(total, str) and who:  # 「游客人均消费」: 接待游客1260万人次, and the sum of its report
        count = find(ctx, "数量", who, "", lambda f, s: f.unit in among and f.unit != fig.unit)
        if not isinstance(count, str):
            beside = in_sentence(ctx, "总量", count[1], lambda f: f.unit == fig.unit and not f.text.endswith("%"))
            if not isinstance(beside, str):
                return _all([beside, count])
    if isinstance(total, str):
        best = ctx.sources("")[:1]
        if not best or (best[0][0].cover < AVERAGE_COVER and best[0][0].dense_z < AVERAGE_DENSE_Z):
            return total
        total = in_sentence(ctx, "总量", best[0][0], lambda f: f.unit == fig.unit)
        if isinstance(total, str):
            return total
    found = total
    stated = [f for f in claimed if f.start < fig.start and f.unit in _COUNT_UNITS and f.unit != fig.unit]
    if stated and who:  # 「7所新校平均每所…」: the count the claim states, found in the articles
        count = find(ctx, "数量", who, stated[-1].unit, lambda f, s: math.isclose(f.value, stated[-1].value))
        if not isinstance(count, str):
            return _all([found, count])

    def shared_among(f: Figure) -> bool:
        return f.unit in among and f.unit != fig.unit and f.text != found[0].text

    return _all([found, in_sentence(ctx, "数量", found[1], shared_among)])
