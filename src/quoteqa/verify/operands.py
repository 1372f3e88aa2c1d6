"""The operands of a computed figure, by the relation it states (a sum's items, a start of the year's
running total and what was added, a share's whole and part, an average's total and count), and the
check of the figure with their arithmetic (derived.py reads the relation, arithmetic.py computes)."""

from __future__ import annotations

import dataclasses
import re

from ..ask import answer as answering
from ..ingest.text import bigrams
from ..language.numbers import Figure, parse
from . import arithmetic, derived, shares, wording
from .arithmetic import Computed, Interval
from .averages import COUNT_UNITS, PER_TON, average
from .changes import growth_after, of_another_level, since_start, yoy_after
from .claims import Subject, sentence_figures
from .derived import Relation
from .lookup import (
    GROWTH,
    TIME,
    Context,
    Found,
    all_found,
    find,
    in_sentence,
)
from .parts import MEASURE, group, whole_and_part, whole_from_share

_RUNNING = re.compile("累计|已有|已经|已|建成|拥有|共有|原有")  # words of a running total, not of what it counts
_PEOPLE = ("人次", "人", "名")
_PEOPLE_NOUNS = frozenset(("人次", "人数"))  # a figure without a unit that counts people by its noun


def check(
    ctx: Context, fig: Figure, rel: Relation, claimed: list[Figure]
) -> tuple[str, Computed | None, answering.Scored | None]:
    """(status, the computation, the sentence of its first operand) of a computed figure."""
    found = _operands(ctx, fig, rel, claimed)
    if isinstance(found, str):
        return found, None, None
    operands = [o for o, _ in found]
    roles = {o.role for o in operands}
    kind = wording.PORTION if "占比" in roles else wording.COMPLEMENT if "其余占比" in roles else rel.kind
    kind = wording.RATIO_OF_REST if kind == derived.RATIO and len(operands) == 3 else kind
    kind = wording.BASE_LESS if "比去年同期增加" in roles else kind
    kind = wording.PLAN_LEFT if kind == derived.REMAINDER and "比重" in roles else kind
    result = _compute(kind, [(o.low, o.high) for o in operands])
    if result is not None and kind == derived.AVERAGE and operands[0].unit == "吨" and fig.unit in PER_TON:
        result = (result[0] * PER_TON[fig.unit], result[1] * PER_TON[fig.unit])
    if result is None:
        return "unclear", None, found[0][1]
    unit = fig.unit
    computed = Computed(kind, operands, result[0], result[1], unit, arithmetic.expression(kind, operands, result, unit))
    hedged = parse(rel.hedge + fig.text) if rel.hedge else []  # 「接近…的3倍」 is 近3倍
    exact = kind in (derived.RISE, derived.FALL)
    return arithmetic.judge(hedged[0] if len(hedged) == 1 else fig, result, exact), computed, found[0][1]


_A_COUNT = re.compile("(?:数|数量|个数)$")


def _compute(kind: str, values: list[Interval]) -> Interval | None:
    if kind == derived.SUM:
        total = values[0]
        for v in values[1:]:
            total = arithmetic.add(total, v)
        return total
    if kind in (derived.RISE, derived.FALL):  # the rates as percentages, their move in points
        return arithmetic.subtract(values[0], values[1])
    if kind == derived.GAP:
        return arithmetic.apart(values[0], values[1])
    if kind in (derived.START, derived.REMAINDER, derived.DIFFERENCE):
        part = values[1]
        for v in values[2:]:  # 「三大主导产业之外,其余…」: the items of a group
            part = arithmetic.add(part, v)
        return arithmetic.subtract(values[0], part)
    if kind == derived.SHARE:
        part = values[1]
        for v in values[2:]:  # 「三大主导产业产值占…」: the items of a group
            part = arithmetic.add(part, v)
        q = arithmetic.divide(part, values[0])
        return None if q is None else (100 * q[0], 100 * q[1])
    if kind in (derived.RATIO, derived.AVERAGE):
        return arithmetic.divide(values[0], values[1])
    if kind == wording.WHOLE_OF:
        return arithmetic.divide(values[0], (values[1][0] / 100, values[1][1] / 100))
    if kind == wording.PLAN_LEFT and values[1][0] > 0:  # D ÷ s − D = D × (1 − s) ÷ s falls with s
        return values[0][0] * (100 - values[1][1]) / values[1][1], values[0][1] * (100 - values[1][0]) / values[1][0]
    if kind == wording.BASE_LESS:
        return arithmetic.subtract(values[0], values[1])
    if kind == wording.RATIO_OF_REST:
        return arithmetic.divide(values[0], arithmetic.subtract(values[1], values[2]))
    if kind == derived.BASE:
        rate = (1 + values[1][0] / 100, 1 + values[1][1] / 100)
        return arithmetic.divide(values[0], rate)
    if kind == derived.INCREASE and values[1][0] > -100:  # L·r ÷ (1 + r) grows with L and with r
        return tuple(values[0][k] * values[1][k] / (100 + values[1][k]) for k in (0, 1))  # type: ignore[return-value]
    if kind in (wording.PORTION, wording.COMPLEMENT):
        share = values[1] if kind == wording.PORTION else (100 - values[1][1], 100 - values[1][0])
        return values[0][0] * share[0] / 100, values[0][1] * share[1] / 100
    return None


def _operands(ctx: Context, fig: Figure, rel: Relation, claimed: list[Figure]) -> list[Found] | str:
    """The operands of ``rel`` in the articles, in its order, or why they are not all there."""
    kind, words = rel.kind, rel.operands
    unit = fig.unit
    if kind == derived.SUM:
        if len(words) == 1 and derived.GROUP.search(words[0]):
            return group(ctx, words[0], unit)
        if len(words) < 2:
            return "missing"
        found = _sum_operands(ctx, words, unit)
        if isinstance(found, str) and rel.plain:  # 「家庭农场和农民专业合作社」: two nouns after all
            found = _sum_operands(ctx, rel.plain, unit)
        bare = tuple(re.sub(r"^.*的", "", w) for w in words)
        if isinstance(found, str) and bare != words:  # 「投入使用的新建学校和改扩建学校」: what is counted
            found = _sum_operands(ctx, bare, unit)
        kinds = {(s.cumulative, s.added) for s in _subjects(ctx, found)} if isinstance(found, list) else set()
        if any(c for c, _ in kinds) and any(a for _, a in kinds):
            return "unclear"  # a running total added to what was added this year counts nothing
        return found
    if kind == derived.START:
        return _start_operands(ctx, words[0], unit, words[1] if len(words) > 1 else "")
    if kind in (derived.DIFFERENCE, derived.GAP):
        operand_unit = "%" if unit == "百分点" else unit
        growth = unit == "百分点" and bool(GROWTH.search(ctx.claim))  # 「增速比…高出11个百分点」
        first = find(ctx, "前者", words[0], operand_unit, change=growth)
        second = find(ctx, "后者", words[1], operand_unit, change=growth)
        if (
            not isinstance(first, str)
            and not isinstance(second, str)
            and _own_part_loosely(ctx, first, second, words[0])
        ):
            return "unclear"  # 「为良的天数比优级天数多」: not 「优良天数…,其中优级天数97天」 less its part
        return all_found([first, second])
    if kind == derived.REMAINDER and unit == "%" and not rel.operands[0].strip():
        return _rest_of_a_rate(ctx, rel.operands[1])
    if kind in (derived.REMAINDER, derived.SHARE):
        return whole_and_part(ctx, fig, rel, claimed)
    if kind in (derived.RISE, derived.FALL):
        return _two_rates(ctx, words[0], kind)
    if kind == wording.WHOLE_OF:
        return whole_from_share(ctx, fig, words[0])
    if kind == derived.RATIO:
        return _ratio_operands(ctx, words)
    if kind == derived.AVERAGE:
        return average(ctx, fig, words[0], words[1], claimed)
    if kind == derived.INCREASE:  # 「出口额192亿元,增长23.1%」
        level = find(ctx, "今年", words[0], unit, lambda f, s: not s.change)
        rate = find(ctx, "增幅", words[0], "%", lambda f, s: not s.rate and s.base in ("", "yoy"), change=True)
        if not isinstance(rate, str) and not isinstance(level, str) and of_another_level(ctx, level, rate):
            rate = "missing"
        return all_found([level, rate])
    if kind == derived.BASE and unit == "%":  # a rate's level last year: this year's less its move in points
        level = find(ctx, "今年", words[0], unit, lambda f, s: not s.change)
        return level if isinstance(level, str) else all_found([level, yoy_after(ctx, level) or "missing"])
    if kind == derived.BASE:
        level = find(ctx, "今年", words[0], unit, lambda f, s: not s.change)
        rate = find(ctx, "增幅", words[0], "%", lambda f, s: not s.rate and s.base in ("", "yoy"), change=True)
        if not isinstance(rate, str) and not isinstance(level, str) and of_another_level(ctx, level, rate):
            rate = "missing"  # 「高新技术企业实现营业收入1124.6亿元,增长11.3%」 is no growth of their number
        if isinstance(rate, str) and not isinstance(level, str):  # 「学生15.6万人,比去年同期增加8700人」
            rate = yoy_after(ctx, level) or growth_after(ctx, level) or rate
        return all_found([level, rate])
    return "missing"


_BUILT_SO_FAR = re.compile("已(?:建成|完成|新建|开通|投用)")  # what a plan of the year has done so far
_PLANNED = re.compile("计划(?:新建|建成|完成|开通)|目标")


def _rest_of_a_rate(ctx: Context, part: str) -> list[Found] | str:
    """「常住人口中,尚未签约家庭医生的比例」: 100% less the rate of those who did (「常住人口签约率41.5%」)."""
    negation = re.match("^(?:仍|尚|还)?(?:未|没有)", part)
    if negation is None:
        return "missing"
    positive = part[negation.end() :]
    among = re.search(r"([^,,;;]{2,16})中[,,]", ctx.claim)  # 「常住人口中,」: 常住人口签约率
    whole = ctx.without_place(TIME.sub("", among.group(1))) if among else ""
    rate = find(ctx, "比例", whole + positive[:2] + "率", "%", lambda f, s: not s.change)
    if isinstance(rate, str):
        return rate
    operand, scored = rate
    everyone = dataclasses.replace(operand, role="全部", text="100%", low=100.0, high=100.0, at=-1)
    return [(everyone, scored), rate]


def _ratio_operands(ctx: Context, words: tuple[str, ...]) -> list[Found] | str:
    """Two figures of one unit (46个 ÷ 34个, 2.1亿元 ÷ 3000万元), of one kind when the words leave it
    open: a running total with a running total (「“双创人才”总数是国家级…入选者的4倍多」: 318人 ÷ 累计67人)."""
    counted = lambda f, s: f.unit in COUNT_UNITS or not _A_COUNT.search(words[0])  # noqa: E731  「企业数」
    rates = "%" if words[0].endswith("率") else ""  # 「重点人群签约率是常住人口签约率的2倍」: two rates
    first = find(ctx, "前者", words[0], rates, counted)
    measure = MEASURE.search(words[0])
    if first == "missing" and measure and measure.start() >= 2:  # 「水稻产量是其他作物的7倍多」: 「水稻19.8万吨」
        second = find(ctx, "后者", words[1], "")
        if not isinstance(second, str):
            first = find(ctx, "前者", words[0][: measure.start()], second[0].unit)
    if isinstance(first, str):
        return first
    people = first[0].unit in _PEOPLE
    counts = first[0].unit in COUNT_UNITS  # 「市场主体1.86万户…新登记企业6240家」: counts of things alike
    unit = "" if counts else first[0].unit
    alike = lambda f, s: not counts or (f.unit in COUNT_UNITS and (f.unit in _PEOPLE) == people)  # noqa: E731
    second = (
        find(ctx, "后者", words[1], unit, alike) if not _NOT_A_KIND.match(ctx.without_place(words[1])) else "missing"
    )
    if second == "unclear" and (kind_of := _subjects(ctx, [first])):
        like = lambda f, s: alike(f, s) and (s.cumulative, s.added) == (kind_of[0].cumulative, kind_of[0].added)  # noqa: E731
        second = find(ctx, "后者", words[1], unit, like)
    if isinstance(second, str):  # 「是进口额的2倍多」, 「是新能源产业其余部分的6倍多」: of the rest of a whole
        return _of_the_rest(ctx, words[1], first, words[0]) or second
    return all_found([first, second])


def _start_operands(ctx: Context, words: str, unit: str, framed: str = "") -> list[Found] | str:
    """A running total and what was added to it this year (its start is the one less the other), or
    what the claim's frame names as added (「新建道路通车前」: 「新建道路8条,长29.4公里」)."""
    what = ctx.without_place(_RUNNING.sub("", ctx.without_place(words)))  # 「白沙镇累计建成高标准农田」
    what = what.removeprefix("的")  # 「白沙镇的民宿」
    what = re.sub(r"^.{2,}?的(?=..)", "", what) if "的" in what else what  # 「图书馆的藏书」: 藏书
    stock = lambda f, s: not s.change and not s.added  # noqa: E731
    new = lambda f, s: s.added and not s.cumulative  # noqa: E731
    total = find(ctx, "累计", "累计" + what, unit, stock)
    head = re.sub("(?:总数|总量|总额|数量|存量|保有量)$", "", what) or what  # 「托位总数」: 新增托位
    added = find(ctx, "新增", "新增" + head, unit, new)
    if isinstance(total, str) and head != what:  # 「人才公寓存量」: 「人才公寓累计达到12400套」
        total = find(ctx, "累计", "累计" + head, unit, stock)
    if isinstance(total, str) and isinstance(added, str) and len(head) > 4:  # 「既有住宅加装电梯」: its head
        head = head[-4:]
        added = find(ctx, "新增", "新增" + head, unit, new)
    if isinstance(total, str) and not isinstance(added, str):  # 「新增藏书5.2万册,总藏书量达到68万册」
        total = find(ctx, "累计", what, unit, stock, near=frozenset({added[1].sentence}))
    if isinstance(total, str) and not isinstance(added, str) and head != what:
        total = find(ctx, "累计", "累计" + head, unit, stock, near=frozenset({added[1].sentence}))
    if isinstance(total, str) and not isinstance(added, str):  # 「新增装机容量8.6万千瓦,…累计并网装机达到31.4万千瓦」
        total = _running_after(ctx, added) or total
    if isinstance(added, str) and not isinstance(total, str):
        added = since_start(ctx, total)
    if isinstance(added, str):  # 「存款余额1428.6亿元,比年初增加113.5亿元」: what was added this year
        added = find(ctx, "比年初增加", words, unit, lambda f, s: s.base == "ytd", change=True)
    if isinstance(added, str) and not isinstance(total, str) and framed:
        smaller = lambda f, s: not s.cumulative and not s.change and f.value < total[0].low  # noqa: E731
        added = find(ctx, "新增", framed, unit, smaller)
    if isinstance(added, str) and not isinstance(total, str):  # 「计划新建…30个,前三季度已建成24个,…累计达到98个」
        figs, _ = sentence_figures(ctx.index, total[1].sentence)
        text = ctx.index.sentences[total[1].sentence].text
        done = [
            f
            for f in figs
            if f.unit == total[0].unit
            and f.value < total[0].low
            and _BUILT_SO_FAR.search(re.split("[,,;;]", text[: f.start])[-1])
            and _PLANNED.search(text[: f.start])
        ]
        added = ctx.operand("新增", total[1], done[0]) if len(done) == 1 else added
    if isinstance(added, str) and not isinstance(total, str):  # 「新建改造污水管网86.4公里,…累计建成…1327公里」
        added = _added_before(ctx, total, framed) or added
    if isinstance(added, str) and not isinstance(total, str):  # 「新增家庭农场86家、农民专业合作社24家」
        smaller = lambda f, s: not s.cumulative and not s.change and f.value < total[0].low  # noqa: E731
        beside = find(ctx, "新增", "新增" + head, unit, smaller, near=frozenset({total[1].sentence}))
        added = beside if not isinstance(beside, str) and beside[1].sentence == total[1].sentence else added
    return all_found([total, added])


def _added_before(ctx: Context, total: Found, framed: str = "") -> Found | None:
    """The one figure of what was added that comes before a running total in its sentence, in its
    unit and smaller (the running total's report of this year's work), its parts aside; what the
    claim's frame does (「今年改造之前」: 「完成农村户厕改造3860户」) is what was added too."""
    operand, scored = total
    figs, subs = sentence_figures(ctx.index, scored.sentence)
    text = ctx.index.sentences[scored.sentence].text
    before = [
        (f, s) for f, s in zip(figs, subs, strict=True) if f.end <= operand.at and f.unit == operand.unit and not s.part
    ]
    if len(before) != 1:
        return None  # 「新增家庭农场30家、农民专业合作社10家,累计分别达到…」: whose is whose is the list's
    fig, subj = before[0]
    verb = re.sub("^(?:今年|年内|上半年|前三季度|新)", "", framed)[-2:]
    done = subj.added or (len(verb) == 2 and verb in re.split("[,,;;]", text[: fig.start])[-1])
    added = done and not subj.cumulative and not subj.change and fig.value < operand.low
    return ctx.operand("新增", scored, fig) if added else None


def _running_after(ctx: Context, added: Found) -> Found | None:
    """The one running total that follows what was added in its sentence, in its unit and larger."""
    operand, scored = added
    figs, subs = sentence_figures(ctx.index, scored.sentence)
    after = [(f, s) for f, s in zip(figs, subs, strict=True) if f.start > operand.at and f.unit == operand.unit]
    if len(after) != 1:
        return None
    fig, subj = after[0]
    running = subj.cumulative and not subj.change and fig.value > operand.high
    return ctx.operand("累计", scored, fig) if running else None


_MOVED_TO = re.compile("(?:提高|上升|提升|增加|下降|降低|回落|减少)[到至]")  # 「由67.3%提高到78.2%」


def _of_the_rest(ctx: Context, words: str, first: Found, first_words: str = "") -> list[Found] | str:
    """The first operand, the whole and the part a ratio's second operand is the rest of ("" when
    its words name no rest); the part may be the first itself."""
    rest = _rest_of(ctx, words, first) or _not_of(ctx, words, first, first_words)
    if not rest:
        return ""
    whole, part = all_found([first, rest[0]]), all_found(rest[1:])
    return whole if isinstance(whole, str) else part if isinstance(part, str) else whole + part


def _rest_of(ctx: Context, words: str, first: Found) -> list[Found | str]:
    """The whole and the part that a ratio's second operand is the rest of, when the articles give
    those and not it: 进口 is 进出口 less 出口; 「…其余部分」 is the whole less the first operand."""
    unit = first[0].unit
    if trade := wording.imports_apart(words):
        return [find(ctx, "总数", trade[0], unit), find(ctx, "部分", trade[1], unit)]
    rest = re.search("其余|其他|剩下|剩余", words)
    if rest and rest.start() >= 2:  # the whole is more than its part, the first
        return [find(ctx, "总数", words[: rest.start()], unit, lambda f, s: f.value > first[0].high), first]
    return []


_NOT_A_KIND = re.compile("非[\u4e00-\u9fff]{2}")  # 「非护理型床位」: the rest of a whole, never a figure of 护理型


def _not_of(ctx: Context, words: str, first: Found, first_words: str) -> list[Found | str]:
    """The whole and the part that 「非护理型床位」 is the rest of, beside 「护理型床位数」: the first's
    words without the kind it says (养老机构床位) less the first."""
    m = re.fullmatch("非([\u4e00-\u9fff]{2,12})", ctx.without_place(words))
    named = m.group(1) if m else ""
    base = re.sub("数$", "", ctx.without_place(first_words))
    for cut in range(len(named) - 2, 0, -1):  # the noun is its last two characters or more (床位)
        kind, noun = named[:cut], named[cut:]
        if base.endswith(kind + noun) and len(base) > len(kind + noun):
            whole_words = base[: -len(kind + noun)] + noun  # 「养老机构护理型床位」: 养老机构床位
            bigger = lambda f, s: f.value > first[0].high and f.unit == first[0].unit  # noqa: E731
            return [find(ctx, "总数", whole_words, first[0].unit, bigger), first]
    return []


def _two_rates(ctx: Context, words: str, kind: str) -> list[Found] | str:
    """The rate an article says a rate moved to (「…提高到78.2%」) and, in its sentence, the one it
    moved from (「由去年的67.3%」): now − then for a rise, then − now for a fall."""
    to = lambda f, s: s.side == "to" and not s.change  # noqa: E731
    now = find(ctx, "现在", words, "%", to)
    if isinstance(now, str) and "占" in words[1:]:  # 「…高标准农田,…占耕地总面积的比重由…」: the share's words
        now = find(ctx, "现在", words[words.index("占", 1) :], "%", to)
    owned = re.sub(r"^.*?(?:企业|单位|产业|机构)(?=.{3})", "", words)  # 「规上工业企业营业收入利润率」: the rate's name
    if isinstance(now, str) and owned != words:
        now = find(ctx, "现在", owned, "%", to)
    if isinstance(now, str):
        return now
    at = now[0].at

    def then(f: Figure) -> bool:
        clause = ctx.index.sentences[now[1].sentence].text[f.end : at]
        return f.unit == "%" and f.end <= at and bool(_MOVED_TO.fullmatch(clause))

    before = in_sentence(ctx, "此前", now[1], then)
    if isinstance(before, str):
        return before
    return [now, before] if kind == derived.RISE else [before, now]


def _sum_operands(ctx: Context, words: tuple[str, ...], unit: str) -> list[Found] | str:
    """The items of a sum: counts of any count unit when the claim counts (「三项加起来共10个」 of
    6家, 1家 and 3个); an item left unsettled is looked for again beside the others."""
    counts = unit in COUNT_UNITS
    item_unit = "" if counts else unit
    people = unit in _PEOPLE or (not unit and bool(re.search("人次|人数", ctx.claim)))  # 「门急诊人次合计超过150万」

    def want(f: Figure, s: Subject) -> bool:  # things with things, people with people
        of_people = f.unit in _PEOPLE or (not f.unit and bool(s.full & _PEOPLE_NOUNS))  # 「门急诊人次…98.6万」
        return f.unit in COUNT_UNITS and of_people == people if counts else True

    found: list[Found | str] = [find(ctx, f"第{i + 1}项", w, item_unit, want) for i, w in enumerate(words)]
    near = frozenset(f[1].sentence for f in found if not isinstance(f, str))
    found = [f if not isinstance(f, str) else find(ctx, f"第{i + 1}项", words[i], item_unit, want, near=near)
             for i, f in enumerate(found)]  # fmt: skip
    kinds = {(s.cumulative, s.added) for s in _subjects(ctx, [f for f in found if not isinstance(f, str)])}
    if "unclear" in found and len(kinds) == 1:  # like with like: 「新入选A和B」 adds what was added to both
        kind = next(iter(kinds))
        like = lambda f, s: want(f, s) and (s.cumulative, s.added) == kind  # noqa: E731
        found = [
            f if f != "unclear" else find(ctx, f"第{i + 1}项", words[i], item_unit, like) for i, f in enumerate(found)
        ]
    return all_found(found)


def _subjects(ctx: Context, found: list[Found]) -> list[Subject]:
    """The subjects of the operands' figures, as their sentences give them."""
    out = []
    for operand, scored in found:
        figs, subs = sentence_figures(ctx.index, scored.sentence)
        out += [s for f, s in zip(figs, subs, strict=True) if f.text == operand.text][:1]
    return out


def _own_part_loosely(ctx: Context, first: Found, second: Found, words: str) -> bool:
    """Whether the second operand of a difference is a part of the first, given after it in its
    sentence (「优良天数达246天,…其中优级天数97天」), while the claim's words for the first are not
    all the article's for it: a reporter who compares a whole with its own part names the whole."""
    (one, at), (other, there) = first, second
    if at.sentence != there.sentence or other.at <= one.at:
        return False
    text = ctx.index.sentences[at.sentence].text
    if "其中" not in text[one.at : other.at]:
        return False
    named = frozenset(
        bigrams(re.sub(f"整个|{shares.GENERIC_WHOLE.pattern}", "", ctx.without_place(TIME.sub("", words))))
    )
    return len(named - frozenset(bigrams(text[: one.at]))) * 3 >= len(named)  # a third of its words are not the whole's
