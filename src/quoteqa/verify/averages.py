"""An average's operands (「游客人均消费约1170元」, 「7所新校平均每所…」, 「前三季度…平均每月…」): the total
by its words or from the best sentence, and what it is shared among, a count the claim states, one
the total's report gives, or the months of the report's period."""

from __future__ import annotations

import dataclasses
import math
import re

from ..ask import answer as answering
from ..index.store import Index
from ..ingest.text import bigrams
from ..language.numbers import Figure, normalized
from . import derived
from .arithmetic import Operand
from .claims import ADDED, sentence_figures
from .lookup import (
    OPERAND_MARGIN,
    TIME,
    Context,
    Found,
    all_found,
    find,
    held_options,
    in_sentence,
    probe,
    report,
)

COUNT_UNITS = ("人次", "人", "户", "家", "所", "个", "名", "座", "套", "项", "条", "部", "辆", "台", "处", "张", "")


def _count_and_total(ctx: Context, fig: Figure, who: str, among: tuple[str, ...]) -> list[Found] | None:
    """Who shares a total (「游客」: 接待游客1538万人次) among the counts of its words, each with the one
    figure of the claim's unit in its report (its sentence, and the next after 「;」); the one
    count that has such a total."""
    who = ctx.without_place(TIME.sub("", who))
    probed = probe(who, "")
    if probed is None:
        return None
    options = held_options(*probed, ctx.sources(who), lambda f, s: f.unit in among and f.unit != fig.unit)
    close = [o for o in options if o[0] >= options[0][0] - OPERAND_MARGIN and not ctx.planned(o)] if options else []
    pairs = []
    for _, scored, count, _, _ in close:
        for sid in report(ctx.index, scored.sentence):
            figs, _subs = sentence_figures(ctx.index, sid)
            totals = [f for f in figs if f.unit == fig.unit and not f.text.endswith("%") and not ctx.target(sid, f)]
            if len(totals) == 1:
                total = dataclasses.replace(scored, sentence=sid)
                pairs.append([ctx.operand("总量", total, totals[0]), ctx.operand("数量", scored, count)])
                break
    if len(pairs) != 1:
        return None
    found = all_found(list(pairs[0]))
    return None if isinstance(found, str) else found


# What an average shares a total among, by its word: 人均 among people, 户均 among households.
_EACH = re.compile("每([批场期届轮次])")


_SHARED_AMONG = {"人均": ("人", "人次", "名"), "户均": ("户", "家"), "场均": ("场",), "亩": ("亩",), "单产": ("亩",)}


PER_TON = {"公斤": 1000, "千克": 1000, "斤": 2000}  # a yield per 亩 in these, of a harvest in 吨


# A claim whose total is worded unlike the article's (「游客人均消费」 for 「旅游总收入」) may take both
# from the sentence that best matches the whole claim, when that sentence holds this much of its
# words or stands out this far in meaning (dense z-score), and holds one total and one count.
AVERAGE_COVER = 0.2


AVERAGE_DENSE_Z = 3.0


def average(ctx: Context, fig: Figure, what: str, who: str, claimed: list[Figure]) -> list[Found] | str:
    """A total and what it is shared among: the total by its words (or, worded otherwise, from the
    sentence that best matches the claim), the count the claim states (「7所新校」) or the one
    count of people, households or places in the total's sentence."""
    if who == derived.MONTH:
        return _per_month(ctx, fig, what)
    among = next((units for cue, units in _SHARED_AMONG.items() if cue in ctx.claim), COUNT_UNITS)
    if each := _EACH.search(ctx.claim):  # 「平均每批8项多」: shared among the 批 (「九批78项」)
        among = (each.group(1),)
    cue = derived.AVERAGE_CUE.search(ctx.claim)
    shared_by = cue.start() if cue else 0  # 「14家创业孵化基地平均每家在孵企业…」: 14家 before the cue shares it
    stated = [
        f
        for f in claimed
        if f.start < fig.start and f.unit in COUNT_UNITS and (f.unit != fig.unit or f.end <= shared_by)
    ]
    total = find(ctx, "总量", what, fig.unit)
    if total == "unclear" and who:  # 「领军人才项目…资助资金」: the total in the report of who shares it
        whose = find(ctx, "数量", who, "", lambda f, s: f.unit in among and not s.change)
        if not isinstance(whose, str):
            total = find(ctx, "总量", what, fig.unit, near=frozenset({whose[1].sentence}))
    if isinstance(total, str) and fig.unit in PER_TON:  # 「亩产约426公斤」: 22.4万吨 over the 亩
        total = find(ctx, "总量", what, "吨")
    if isinstance(total, str) and who:  # 「游客人均消费」: 接待游客1260万人次, and the sum of its report
        counted = _count_and_total(ctx, fig, who, among)
        if counted is not None:
            return counted
    if isinstance(total, str):
        best = ctx.sources("")[:1]
        if not best or (best[0][0].cover < AVERAGE_COVER and best[0][0].dense_z < AVERAGE_DENSE_Z):
            return total
        if not stated and len(ctx.without_place(TIME.sub("", who))) < 2:  # among a place alone: no count to find
            return total
        total = in_sentence(ctx, "总量", best[0][0], lambda f: f.unit == fig.unit)
        if isinstance(total, str):
            return total
    found = total
    if stated and who:  # 「7所新校平均每所…」: the count the claim states, found in the articles
        said = stated[-1]
        count = in_sentence(ctx, "数量", found[1], lambda f: f.unit == said.unit and math.isclose(f.value, said.value))
        if isinstance(count, str):  # not in the total's own sentence (「168个行政村集体经营性收入总额…」)
            count = find(ctx, "数量", who, said.unit, lambda f, s: math.isclose(f.value, said.value))
        if not isinstance(count, str):  # in the total's report (「交通固定资产投资48.5亿元」 is not the 8个 客运站's)
            same = ctx.index.sent_para[count[1].sentence] == ctx.index.sent_para[found[1].sentence]
            return all_found([found, count]) if same else "unclear"

    count = _count_in(ctx, fig, found, found[1], among, who, False)
    before = found[1].sentence - 1  # 「播种面积86.4万亩,…;粮食总产量38.7万吨」: one report in two sentences
    if count == "missing" and before >= 0 and report(ctx.index, before)[1:] == [found[1].sentence]:
        count = _count_in(ctx, fig, found, dataclasses.replace(found[1], sentence=before), among, who, True)
    if count == "missing" and who and _of_whom(ctx, found, who):  # 「高新技术企业实现营业收入1124.6亿元」
        stock = lambda f, s: f.unit in among and not s.change and (not s.added or bool(ADDED.search(who)))  # noqa: E731
        count = find(ctx, "数量", who, "", stock)  # 「高新技术企业总数达到486家」
    return all_found([found, count])


_MONTHS = {"前三季度": 9, "上半年": 6, "一季度": 3, "全年": 12}  # the months a report's period spans


_MONTHS_SPAN = re.compile(r"(?<!\d)1(?:月)?(?:至|-|—|~)(\d{1,2})月")  # 「1至9月」


def _months(text: str) -> tuple[str, int] | None:
    """The period a text names and its months (「前三季度」: 9, 「1至5月」: 5), or None."""
    if span := _MONTHS_SPAN.search(text):
        return span.group(0), int(span.group(1))
    return next(((p, n) for p, n in _MONTHS.items() if p in text), None)


def _opening(index: Index, sid: int) -> str:
    """The first three sentences of the article sentence ``sid`` is in."""
    article = index.para_article[int(index.sent_para[sid])]
    first = sid
    while first > 0 and index.para_article[int(index.sent_para[first - 1])] == article:
        first -= 1
    return "".join(s.text for s in index.sentences[first : min(first + 3, sid + 1)])


def _per_month(ctx: Context, fig: Figure, what: str) -> list[Found] | str:
    """「前三季度…平均每月淘汰…68辆」: the period's total over its months, the period named by the
    claim and said by the total's sentence."""
    period = _months(ctx.claim)
    total = find(ctx, "总量", what, fig.unit, lambda f, s: not s.change)
    if period is None or isinstance(total, str):
        return "missing"
    operand, scored = total
    said = _months(operand.sentence) or _months(ctx.index.sentences[max(scored.sentence - 1, 0)].text)
    if said is None and "以来" in operand.sentence:  # 「今年以来」 in a report on 「前三季度」: its headline's
        said = _months(_opening(ctx.index, scored.sentence))
    if said is None or said[1] != period[1]:
        return "missing"  # the total's period is not the claim's
    months = Operand("月数", f"{said[0]}({said[1]}个月)", said[1], said[1], "月", operand.sentence, operand.citation)
    return [total, (months, scored)]


def _count_in(
    ctx: Context, fig: Figure, found: Found, where: answering.Scored, among: tuple[str, ...], who: str, named: bool
) -> Found | str:
    """The one count of sentence ``where`` that an average's total (``found``) is shared among: not
    what was added or a change; of several, the running total whose words hold who shares it, else
    the one whose clause holds most of those words, never a part listed beside a total named as one
    (「其中新建学校9所、…,总投资23.7亿元」 is the whole's). ``named``: the count's clause must name who."""
    figs, subs = sentence_figures(ctx.index, where.sentence)
    text = ctx.index.sentences[where.sentence].text
    words = frozenset(bigrams(normalized(ctx.without_place(re.sub(r"^.*的", "", TIME.sub("", who))))))
    new = bool(ADDED.search(who))  # 「新建学校」 are shared among what was added
    added = {f.start for f, s in zip(figs, subs, strict=True) if (s.added and not new) or s.change}
    whole = {f.start for f, s in zip(figs, subs, strict=True) if s.cumulative and 2 * len(words & s.full) >= len(words)}
    parts = {f.start for f in figs if "其中" in re.split("[,,;;。]", text[: f.start])[-1]}  # 「其中A9所、B5所」

    def shared_among(f: Figure) -> bool:  # not 「新增民宿17家」 beside 「累计达到53家,床位总数890张」
        return f.unit in among and f.unit != fig.unit and f.text != found[0].text and f.start not in added

    def held(f: Figure) -> int:  # the words of its clause (「…,2714个基层党组织」: after it too)
        clause = re.split("[,,;;。、]", text[: f.start])[-1] + re.split("[,,;;。、]", text[f.start :])[0]
        return len(words & frozenset(bigrams(clause))) if shared_among(f) else 0

    enough = max(1, len(words) // 2) if named else 1
    count = in_sentence(ctx, "数量", where, lambda f: shared_among(f) and (not named or held(f) >= enough))
    if count == "unclear":  # 「总数达到915家(其中国家级示范社6家…),共带动农户4.12万户」: all of them
        count = in_sentence(ctx, "数量", where, lambda f: shared_among(f) and f.start in whole)
        count = "unclear" if count == "missing" else count
    if count == "unclear" and words:  # 「79家参学单位、2714个基层党组织」: the count of the claim's words
        most = max((held(f) for f in figs), default=0)
        # the count whose clause holds most of who shares it (「评审支持领军人才项目126个」, not 「创新类项目48个」)
        count = in_sentence(ctx, "数量", where, lambda f: held(f) == most >= enough)
        total = ctx.index.sentences[found[1].sentence].text
        summed = re.search("总|共|合计", re.split("[,,;;。、]", total[: max(found[0].at, 0)])[-1])
        count = "unclear" if not isinstance(count, str) and count[0].at in parts and summed else count
    return count


def _of_whom(ctx: Context, total: Found, who: str) -> bool:
    """Whether a total's own words name who shares it (「高新技术企业实现营业收入」 of 高新技术企业)."""
    words = frozenset(bigrams(normalized(ctx.without_place(TIME.sub("", who)))))
    figs, subs = sentence_figures(ctx.index, total[1].sentence)
    own = next((s for f, s in zip(figs, subs, strict=True) if f.start == total[0].at), None)
    return len(words) >= 2 and own is not None and words <= own.terms
