"""A part and its whole in the articles: the whole a share or a remainder names, the part of it (by
its words, in the whole's sentence, or the rest of a share), a group's items as its report lists them,
and whether an article gives the one as part of the other."""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata

from ..ask.answer import Scored
from ..ingest.text import bigrams
from ..language.numbers import Figure, normalized
from . import derived
from .arithmetic import Operand
from .claims import ADDED, Subject, canonical, sentence_figures
from .derived import Relation
from .lookup import MARKED, TIME, Context, Found, all_found, find, in_sentence, label
from .modifiers import CONTRASTS, marks_of

_COMPLEMENT = re.compile("未|没|不|以下|以外|之外|非|其余|其他|剩余|剩下|尚|仍")  # words of the rest of a whole


def whole_and_part(ctx: Context, fig: Figure, rel: Relation, claimed: list[Figure]) -> list[Found] | str:
    """The whole and the part of a share or a remainder: the whole by its words (or the figure the
    claim states for it), the part another figure of the whole's sentence, of the same unit and
    smaller, or found by its own words."""
    whole_words, part_words = rel.operands
    whole = _whole(ctx, fig, rel, claimed)
    if isinstance(whole, str) and rel.kind == derived.REMAINDER and derived.PLAN.search(whole_words):
        # 「全年任务中还需…」: what is done and the share of the target it is (「完成全年任务的71.5%」)
        done = done_of_plan(ctx, fig, derived.PLAN.sub("", whole_words))
        return done if not isinstance(done, str) else whole
    if isinstance(whole, str):
        return whole
    w_fig = whole[0]
    unit = w_fig.unit
    if rel.statable and rel.kind == derived.REMAINDER:
        return _part_of(ctx, whole, part_words, whole_words)
    if derived.GROUP.search(part_words):  # 「三大主导产业产值占…」: the items its report lists
        items = group(ctx, part_words, unit)
        # a group's items listed after its whole, in its paragraph, are its breakdown (「…规上工业总产值
        # 412.5亿元。…三大主导产业支撑有力:新材料产业完成产值148.3亿元,…」)
        tied = not isinstance(items, str) and all(
            _tied(ctx, whole, item, whole_words) or _after_in_paragraph(ctx, whole, item) for item in items
        )
        return [whole, *items] if tied and not isinstance(items, str) else "unclear" if tied else "missing"
    if listed := _two_parts(ctx, whole, part_words):  # 「厨余垃圾和可回收物以外的部分」: both are parts
        return [whole, *listed]
    done = _done_verb(ctx, part_words)  # 「已完成的」: what was done of the whole, after it in its paragraph
    marked = _marked_as_whole(whole_words, ctx.without_place(part_words))

    def smaller(f: Figure, s: Subject) -> bool:
        return f.value < w_fig.low  # a part is less than its whole

    part = (
        _done_in_paragraph(ctx, whole, done)
        if done
        else find(ctx, "部分", marked, unit, smaller)  # 「新增学位中,小学学位」: 新增小学学位
        if part_words
        else "missing"
    )
    if part == "missing" and part_words and not done and marked != ctx.without_place(part_words):
        part = find(ctx, "部分", part_words, unit, smaller)  # 「规上工业总产值」 of which 「智能装备产业产值」
    measure = MEASURE.search(part_words)
    if part == "missing" and measure and measure.group(0) in whole_words and measure.start() >= 2:
        part = find(ctx, "部分", part_words[: measure.start()], unit)  # 「水稻产量」 of 粮食总产量: 「水稻19.8万吨」
    if isinstance(part, str) or part[0].low >= w_fig.low:
        text = unicodedata.normalize("NFKC", ctx.index.sentences[whole[1].sentence].text)
        words = frozenset(bigrams(unicodedata.normalize("NFKC", part_words)))

        def named_part(f: Figure) -> bool:  # 「…中优Ⅲ断面达15个」: the part's words are in its clause
            clause = re.split("[,,;;。]", text[: f.start])[-1] + text[f.start : f.end + 4]
            held = frozenset(bigrams(clause))
            marked = all(t in held for t in words if MARKED.search(t))  # 「3A级景区」 is not 「4A级以上」
            return _smaller(f, w_fig, unit) and bool(words & held) and marked

        part = in_sentence(ctx, "部分", whole[1], named_part)
    if not isinstance(part, str) and _PEAK.search(_clause_of(part)) and not _PEAK.search(ctx.claim):
        return "missing"  # 「滨河夜市单日最高客流突破8万人次」 is a peak, no part of a total
    if not isinstance(part, str) and not done and not _tied(ctx, whole, part, whole_words):
        return "unclear"  # the articles never say the one is part of the other
    return all_found([whole, part])


MEASURE = re.compile("(?:产量|产值|收入|数量|总数|总额|规模|面积|投资)$")  # what a part shares with its whole
_AT_A_DATE = re.compile("截至|截止|目前|现有|年末|年底|月末|月底")
_PEAK = re.compile("单日|最高|最低|峰值|高峰|日均|平均")


def _clause_of(found: Found) -> str:
    """The clause of a found figure up to it (「其中滨河夜市单日最高客流突破」)."""
    operand = found[0]
    return re.split("[,,;;。]", operand.sentence[: max(operand.at, 0)])[-1] if operand.at >= 0 else ""


def group(ctx: Context, words: str, unit: str) -> list[Found] | str:
    """The items of a group the claim counts (「三大主导产业」): in the first sentence naming it, or
    the two after it in its paragraph, the run of as many figures of the unit after 「分别」."""
    m = derived.GROUP.search(words)
    if m is None:
        return "missing"
    n = "一两三四五六七八九十".index(m.group(1)) + 1 if m.group(1) != "二" else 2
    for scored, _, _ in ctx.sources(m.group(0)):
        sid = scored.sentence
        if m.group(0) not in ctx.index.sentences[sid].text:
            continue
        for k in range(sid, sid + 3):
            if k >= len(ctx.index.sentences) or ctx.index.sent_para[k] != ctx.index.sent_para[sid]:
                break
            text = ctx.index.sentences[k].text
            figs, subs = sentence_figures(ctx.index, k)
            listed = [f for f, s in zip(figs, subs, strict=True) if f.unit == unit and not s.change]
            if "分别" in text and len(listed) == n and all(f.start > text.find("分别") for f in listed):
                found = dataclasses.replace(scored, sentence=k)
                return all_found([ctx.operand(f"第{i + 1}项", found, f) for i, f in enumerate(listed)])
        return _listed_clauses(ctx, scored, m, n, words[m.end() :], unit)
    return "missing"


def _listed_clauses(ctx: Context, scored: Scored, m: re.Match[str], n: int, noun: str, unit: str) -> list[Found] | str:
    """A group listed item by item after a colon, one item a clause (「三大主导产业支撑有力:A产业完成产值
    148.3亿元,规上企业累计58家,其中当年新增9家;B产业…;C产业…」): in each, the one figure of the unit
    that counts what the claim adds (what was added when it says 新增, else not what was added)."""
    sid = scored.sentence
    text = ctx.index.sentences[sid].text
    after = text.find(m.group(0)) + len(m.group(0))
    colon = re.search("[::]", text[after:])
    if colon is None or sid + n > len(ctx.index.sentences):
        return "missing"
    first = after + colon.end()
    added = bool(ADDED.search(noun))
    terms = frozenset(bigrams(ADDED.sub("", noun)))
    found: list[Found | str] = []
    for i, k in enumerate(range(sid, sid + n)):
        if ctx.index.sent_para[k] != ctx.index.sent_para[sid]:
            return "missing"
        figs, subs = sentence_figures(ctx.index, k)
        begin = first if k == sid else 0
        own = [f for f, s in zip(figs, subs, strict=True) if f.unit == unit and not s.change and f.start >= begin]
        heads = [(f, label(ctx.index, k, f, begin)) for f in own]
        heads = [(f, head) for f, head in heads if bool(ADDED.search(head)) == added]
        labelled = [(f, head) for f, head in heads if terms & frozenset(bigrams(head))]
        pick = labelled or heads
        if len(pick) != 1:
            return "missing"
        found.append(ctx.operand(f"第{i + 1}项", dataclasses.replace(scored, sentence=k), pick[0][0]))
    return all_found(found)


def _whole(ctx: Context, fig: Figure, rel: Relation, claimed: list[Figure]) -> Found | str:
    """The whole of a share or a remainder: by its words, of the value the claim states for it."""
    whole_words, part_words = rel.operands
    whole_words = re.sub(r"\d+(?:\.\d+)?[个家项所户人名座条套]", ",", whole_words)  # 「612名教师」: 教师
    if rel.kind == derived.SHARE:  # 「占武进累计总数的」: of the part's subject, counted in all
        whole_words = derived.whole_words(ctx.without_place(whole_words), ctx.without_place(part_words))
    # the whole's figure, in the share's clause or in a clause 「…中,」 before it (「民生支出42.3亿元,占…」 is the part)
    clause = max(ctx.claim.rfind(c, 0, fig.start) for c in ",,;;") + 1
    among = bool(re.search(r"[中里][,,;;]$", ctx.claim[:clause]))
    classes = [m.span() for m in derived.AGE.finditer(ctx.claim)]  # 「60周岁以上」 states no whole
    stated = [
        f
        for f in claimed
        if f is not fig
        and f.unit != "%"
        and f.start < fig.start
        and (f.start >= clause or among)
        and not any(a <= f.start < b for a, b in classes)
    ]
    unit = stated[-1].unit if stated else ("" if fig.unit == "%" else fig.unit)
    # the part's own figure is not the whole (「人才公寓…已配租10560套」 for 「人才公寓中尚未配租的」)
    part_terms = frozenset(bigrams(_without_negation(_clean_part(ctx.without_place(part_words)))))
    whole_terms = frozenset(bigrams(ctx.without_place(whole_words))) - part_terms  # 「进出口总额」 is no 「出口」

    # 「截至年底,人才公寓中…」: a whole held at a date is a stock, not what was added (「新筹集2860套」)
    stock = bool(_AT_A_DATE.search(ctx.claim)) and not ADDED.search(whole_words)

    def same_value(f: Figure, s: Subject) -> bool:
        own_part = bool(part_terms) and part_terms <= s.terms and not whole_terms & s.terms
        return (not stated or math.isclose(f.value, stated[-1].value)) and not own_part and not (stock and s.added)

    everywhere = re.match("全区|全县|全市|全镇", rel.operands[0])  # 「承担了全区过半的门急诊量」: the 全区 figure
    whole = (
        find(ctx, "总数", whole_words, unit, lambda f, s: same_value(f, s) and everywhere.group(0) in s.full)
        if everywhere
        else "missing"
    )
    if isinstance(whole, str):
        whole = find(ctx, "总数", whole_words, unit, same_value)
    if not isinstance(whole, str):  # 「帮扶…再就业4260人,其中…实现再就业1180人」: the whole is not the part after 其中
        listed = find(ctx, "总数", whole_words, unit, lambda f, s: same_value(f, s) and not s.part)
        if not isinstance(listed, str) and listed[1].sentence == whole[1].sentence and listed[0].low > whole[0].high:
            whole = listed
    if whole == "unclear":  # 「进出口总额286亿元,…其中出口额192亿元」: the whole is not the part after 其中
        whole = find(ctx, "总数", whole_words, unit, lambda f, s: same_value(f, s) and not s.part)
    if whole == "unclear" and part_words:  # 「…接待游客1260万人次…。其中过夜游客412万人次」: beside its part
        part = find(ctx, "部分", part_words, unit)
        if not isinstance(part, str):
            sid = part[1].sentence
            near = frozenset(k for k in range(sid - 3, sid + 1) if ctx.index.sent_para[k] == ctx.index.sent_para[sid])
            in_unit = unit or part[0].unit  # 「龙头企业销售收入」: 146.5亿元, not the 64家 beside it
            whole = find(ctx, "总数", whole_words, in_unit, lambda f, s: same_value(f, s) and not s.part, near=near)
            if whole == "unclear" and not ADDED.search(whole_words):  # 「公共充电桩中」: 现有3150个, not 新建1270个
                held = lambda f, s: same_value(f, s) and not s.part and not s.added  # noqa: E731
                whole = find(ctx, "总数", whole_words, in_unit, held, near=near)
    return whole


def _part_of(ctx: Context, whole: Found, part_words: str, whole_words: str) -> list[Found] | str:
    """A part the claim states of a whole (「612名教师中具有硕士研究生学历的」, 「随迁子女中未在公办学校就读
    的」): a share the whole's report gives of it or of what it negates (「其中具有硕士研究生学历的占
    38.2%」, 「在公办学校就读的比例达到93.6%」), or, worded as the rest (「4A级以下的」), the one other
    smaller figure of the whole's sentence."""
    w_fig = whole[0]
    negated = bool(_NEGATION.search(part_words))
    positive = _clean_part(ctx.without_place(_without_negation(part_words)))
    named = (len(positive) >= 2 and positive != part_words.strip()) or (not negated and len(positive) >= 3)
    named = named and not re.fullmatch(r"[\u4e00-\u9fff]{2}[区县镇市]", positive)  # 「青溪区」 names no part
    share = find(ctx, "其余占比" if negated else "占比", positive, "%", lambda f, s: not s.change) if named else ""
    if not isinstance(share, str) and _tied(ctx, whole, share, ""):
        return all_found([whole, share])
    if negated and named:  # 「游客中,不过夜的游客」: the whole less the part it negates (「其中过夜游客412万人次」)
        done = _done_verb(ctx, positive)  # 「尚未完成的」: the whole less what was done of it
        counted = (
            _done_in_paragraph(ctx, whole, done)
            if done
            else find(ctx, "其余部分", positive, w_fig.unit, lambda f, s: not s.change)
        )
        if isinstance(counted, str) and not done and 2 <= len(positive) <= 4:  # 「尚未配租的」: 「…,已配租10560套」
            counted = _done_in_paragraph(ctx, whole, positive)
            done = positive if not isinstance(counted, str) else ""
        smaller = not isinstance(counted, str) and 0 < counted[0].high < w_fig.low and counted[0].unit == w_fig.unit
        noun = re.sub(r"^.*\d+(?:\.\d+)?[\u4e00-\u9fff]", "", ctx.without_place(whole_words))  # 「58所幼儿园」
        kind_of = len(noun) >= 2 and positive.endswith(noun)  # 「普惠性幼儿园」 is a kind of 幼儿园
        tied = not isinstance(counted, str) and (done or _tied(ctx, whole, counted, noun if kind_of else ""))
        if not isinstance(counted, str) and smaller and tied:
            return all_found([whole, counted])
    claim = normalized(ctx.claim)
    after = claim[claim.find(part_words) + len(part_words) :] if part_words in claim else ""
    if not _COMPLEMENT.search(part_words + re.split("[,,;;。]", after)[0]):
        return "missing"  # 「Ⅱ类以上断面10个」 is no complement of 「优Ⅲ断面15个」
    figs, subs = sentence_figures(ctx.index, whole[1].sentence)
    # the other part is no change (「比去年同期增加14家」) and, when the claim names the rest by some
    # words (「产值不足亿元的」), shares them (「其中产值超亿元企业」, not 「有研发活动的企业」)
    named_rest = _BOUND.sub("", _COMPLEMENT.sub("", ctx.without_place(part_words)))
    named_rest = named_rest if _COMPLEMENT.search(part_words) else ""
    core, text = frozenset(bigrams(named_rest)), ctx.index.sentences[whole[1].sentence].text
    other = {
        f.start
        for f, s in zip(figs, subs, strict=True)
        if not s.change and (not core or core & bigrams(_clause_around(text, f)))
    }
    rest = in_sentence(ctx, "其余部分", whole[1], lambda f: _smaller(f, w_fig, w_fig.unit) and f.start in other)
    if isinstance(rest, str):  # 「新购置…48辆,全县公交车总数312辆,其中新能源公交车268辆」: the part after 其中
        at = w_fig.at
        rest = in_sentence(
            ctx,
            "其余部分",
            whole[1],
            lambda f: _smaller(f, w_fig, w_fig.unit) and at >= 0 and "其中" in text[at : f.start] and f.start in other,
        )
    return all_found([whole, rest])


def _clause_around(text: str, f: Figure) -> str:
    """The clause of ``text`` that holds figure ``f`` (「其中27个已完工」)."""
    return re.split("[,,;;。]", text[: f.start])[-1] + re.split("[,,;;。]", text[f.start :])[0]


_BOUND = re.compile("超过|超|不足|不到|低于|高于|以上|足")


# a negation that opens a part's words, or follows a short subject of them (「水质未达到Ⅲ类」)
_PLANNED = re.compile("计划|目标|任务")
_NEGATION = re.compile("^(?:[\u4e00-\u9fff]{2}(?=(?:仍|尚|还)?(?:未|没有|不是)))?((?:仍|尚|还)?(?:未|没有|没|不|非))")


def _without_negation(words: str) -> str:
    """A part's words without their negation (「水质未达到Ⅲ类」: 水质达到Ⅲ类)."""
    m = _NEGATION.search(words)
    return words[: m.start(1)] + words[m.end(1) :] if m else words


def _two_parts(ctx: Context, whole: Found, part_words: str) -> list[Found]:
    """The parts a part's words list (「厨余垃圾和可回收物」), each found as a smaller figure of the
    whole's report that its sentence ties to the whole, or none."""
    items = [w for w in re.split("[和与、]", part_words) if w]
    if len(items) < 2 or any(len(w) < 2 for w in items):
        return []
    w_fig = whole[0]
    found = [find(ctx, "部分", w, w_fig.unit, lambda f, s: f.value < w_fig.low) for w in items]
    parts = [f for f in found if not isinstance(f, str)]
    if len(parts) < len(items) or len({(p[1].sentence, p[0].at) for p in parts}) < len(parts):
        return []
    return parts if all(_tied(ctx, whole, p, "") for p in parts) else []


def _marked_as_whole(whole_words: str, part_words: str) -> str:
    """A part's words with the marks of its whole it does not say (「新增学位中,小学学位」: 新增小学学位)."""
    own = marks_of(part_words)
    said = [
        m
        for m in marks_of(whole_words)
        if not any(m in g and (own & set(g) or "任务" in g) for g in CONTRASTS)  # what is done of a plan is none
    ]
    return "".join(sorted(said)) + part_words if part_words else part_words


def _restated_near(ctx: Context, whole: int, part: Found) -> bool:
    """Whether the sentences of a whole's paragraph after it state a part's figure again."""
    para, (operand, scored) = ctx.index.sent_para[whole], part
    for k in range(whole, min(whole + 4, len(ctx.index.sentences))):
        if ctx.index.sent_para[k] != para:
            break
        if k != scored.sentence and any(
            f.unit == operand.unit and operand.low <= f.value <= operand.high and f.text == operand.text
            for f in sentence_figures(ctx.index, k)[0]
        ):
            return True
    return False


def _done_verb(ctx: Context, words: str) -> str:
    """The verb of a part named only by what was done (「已完成的」: 完成), or ""."""
    verb = _DONE_VERB.fullmatch(re.sub("^(?:已经|已|提前|累计|共)+", "", ctx.without_place(words)))
    return verb.group(1) if verb else ""


def _done_in_paragraph(ctx: Context, whole: Found, verb: str) -> Found | str:
    """What was done of a whole counted before it in its paragraph, in its unit, named by the verb
    alone (「确定民生实事项目48项,…。截至9月底,已提前完成31项」)."""
    sid = whole[1].sentence
    found: list[Found] = []
    for k in range(sid, min(sid + 4, len(ctx.index.sentences))):
        if ctx.index.sent_para[k] != ctx.index.sent_para[sid]:
            break
        text = ctx.index.sentences[k].text
        figs, subs = sentence_figures(ctx.index, k)
        for f, s in zip(figs, subs, strict=True):
            clause = re.split("[,,;;]", text[: f.start])[-1]
            later = k > sid or f.start > whole[0].at
            if later and f.unit == whole[0].unit and not s.change and verb in clause and f.value < whole[0].low:
                found.append(ctx.operand("部分", dataclasses.replace(whole[1], sentence=k), f))
    return found[0] if len({f[0].text for f in found}) == 1 else "missing"


_DONE_VERB = re.compile("(完成|建成|开工|竣工|投用|投入使用|办结|达标)(?:的)?")


def _after_in_paragraph(ctx: Context, whole: Found, part: Found) -> bool:
    w, p = whole[1].sentence, part[1].sentence
    return p > w and ctx.index.sent_para[p] == ctx.index.sent_para[w]


def _clean_part(words: str) -> str:
    return re.sub(r"^(?:被|在|是|为)(?=[\u4e00-\u9fff]{2})|的$", "", words) if len(words) > 3 else words


def _tied(ctx: Context, whole_found: Found, part_found: Found, whole_words: str) -> bool:
    """Whether an article gives a part as part of its whole: in the whole's sentence, in a sentence
    of its paragraph after it that begins 「其中」 (「…接待游客1260万人次…。其中过夜游客…」), in a
    breakdown after it in its article (「分行业看,…智能装备、新材料…分别完成产值…」), or in a sentence
    of its article that names the whole (「覆盖中小学87所」 of 「中小学115所」)."""
    index, whole, part = ctx.index, whole_found[1].sentence, part_found[1].sentence
    if whole == part:
        return True
    para = int(index.sent_para[part])
    same_article = index.para_article[para] == index.para_article[int(index.sent_para[whole])]
    own = index.sentences[part].text
    before = index.sentences[part - 1].text if part > 0 and index.sent_para[part - 1] == para else ""
    text = before + own if before.rstrip().endswith((";", "；")) else own  # 「…规上工业总产值…;战略性…」
    named = frozenset(bigrams(ctx.without_place(TIME.sub("", whole_words))))
    if same_article and named and named <= frozenset(bigrams(text)):
        return True
    total = whole_found[0]  # 「86个项目中,新开工项目23个」: the part's sentence restates its whole
    if same_article and any(
        f.unit == total.unit and total.low <= f.value <= total.high for f in sentence_figures(index, part)[0]
    ):
        return True
    if same_article and _restated_near(ctx, whole, part_found):
        return True  # a headline's 「完成投资121.4亿元」 that the whole's paragraph says again
    if part < whole:
        return False
    planned = bool(_PLANNED.search(whole_words))
    among = own.lstrip().startswith("其中") or text.lstrip().startswith("其中")  # 「其中,A…;B…187.3万人次」
    if index.sent_para[part] == index.sent_para[whole] and (among or planned):
        return True  # 「…年度计划投资120亿元。截至9月底,…累计完成投资90亿元」: what is done of the plan
    if not same_article:
        return False
    start = max(whole + 1, part - 2)  # 「…800亿元。分行业看,三大主导产业…。机械、纺织…分别…」
    said = [index.sentences[k].text.lstrip() for k in range(start, part + 1) if index.sent_para[k] == para]
    return bool(_BREAKDOWN.match(index.paragraphs[para].text.lstrip())) or any(_BREAKDOWN.match(t) for t in said)


_BREAKDOWN = re.compile(r"[分从][\u4e00-\u9fff]{1,4}?(?:结构)?(?:来)?看[,,]")  # 「分行业看,」, 「从消费类别看,」


def _smaller(f: Figure, whole: Operand, unit: str) -> bool:
    """Another figure of the whole's unit, smaller than it: a part of it."""
    return f.unit == unit and f.text != whole.text and 0 < f.value < whole.low


def whole_from_share(ctx: Context, fig: Figure, words: str) -> list[Found] | str:
    """A part and the share it is of the whole ``words`` name, as one sentence gives them
    (「全镇累计建成8.6万亩,占耕地总面积的比重由去年的67.3%提高到78.2%」: 耕地总面积 is 8.6万亩 ÷ 78.2%)."""
    want = frozenset(bigrams(canonical(ctx.without_place(TIME.sub("", words)))))
    for scored, figs, _ in ctx.sources(words) if want else []:
        text = unicodedata.normalize("NFKC", ctx.index.sentences[scored.sentence].text)
        for k, share in enumerate(figs):
            of = _OF_WHOLE.search(text[: share.start]) if share.unit == "%" else None
            if of is None or len(want & frozenset(bigrams(canonical(of.group(1))))) < 0.6 * len(want):
                continue
            parts = [f for f in figs[:k] if f.end <= of.start() and f.unit == fig.unit and f.value > 0]
            if parts and not ctx.target(scored.sentence, share):
                return all_found([ctx.operand("部分", scored, parts[-1]), ctx.operand("比重", scored, share)])
    return "missing"


def done_of_plan(ctx: Context, fig: Figure, words: str) -> list[Found] | str:
    """What is done of a target and the share of the target that is, as its sentence gives them
    (「筹集保障性租赁住房2860套(间),完成全年任务的71.5%」)."""
    done = find(ctx, "已完成", words, fig.unit, lambda f, s: not s.change)
    if isinstance(done, str):
        return done
    operand, scored = done
    figs, _ = sentence_figures(ctx.index, scored.sentence)
    text = ctx.index.sentences[scored.sentence].text
    after = [f for f in figs if f.start >= operand.at + len(operand.text)]
    share = after[0] if after and after[0].unit == "%" and _OF_PLAN.search(text[: after[0].start]) else None
    return "missing" if share is None else all_found([done, ctx.operand("比重", scored, share)])


_OF_PLAN = re.compile(r"(?:完成|占)[^,,;;。]{0,10}?(?:目标任务|目标|任务|计划)的(?:比重|比例)?(?:为|达到|达)?$")
_OF_WHOLE = re.compile(
    r"(?:占|完成)([^,,;;。占由的]{2,20}?)的(?:比重|比例)?(?:由[^,,;;。]{0,20}?(?:提高|上升|增加|下降|降低)到|为|达到|达)?$"
)
