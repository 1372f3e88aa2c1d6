"""Finding the articles' figure of a subject: the sentences ranked for some words, the figures whose
subjects hold those words (of the place the claim names, in the period it asks), and why there is none."""

from __future__ import annotations

import math
import re
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
from .arithmetic import Operand
from .claims import Subject, as_written, sentence_figures, subjects
from .matching import compatible, subject_similarity, towns
from .periods import PERIOD, other_period
from .topics import context, whole_listed

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
# a source figure whose own leading words hold the operand's ranks above one that holds them only
# through a neighbour's (「厨余垃圾2.31万吨、可回收物1.87万吨」: 厨余垃圾 is 2.31万吨's)
OWN_BONUS = 0.1
MARK_PENALTY = 0.1  # a source subject narrowed by a modifier the operand lacks (省级, 城镇) ranks lower
GROWTH = re.compile("增速|增幅|增长|增量|涨幅|降幅")  # operands that are changes, not levels
LEVEL = re.compile("[省市][\u4e00-\u9fff]")  # 省重大项目, 市重大项目: a level in one character
_PROBE_UNIT = {"": "", "%": "%", "百分点": "个百分点", "元": "元"}
TIME = re.compile(
    r"^(?:\d{4}年|今年|今秋|今春|今夏|今冬|上半年|前三季度|一季度|全年|目前|现有|眼下|截至\S*?[底末]|\d{1,2}至\d{1,2}月"
    r"|\d{1,2}月(?:末|底)|[,,])+"
)
# A plan or a target (预计 estimates a figure of the event itself; 「即将投用」 is no plan).
_PLAN = re.compile("力争|计划|目标|任务|(?<!即)将(?=再|举办|新增|建成|实现|达到|突破|完成|开工|建设)")
_DONE = re.compile("已|累计|截至|目前")  # what is done since a plan was named
MARKED = re.compile("[0-9A-Za-z]|.类")  # a word with a digit or a letter names a kind exactly (3A, 5G), as X类 does

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
    rests: int = 0  # figures no source states tried as following from others (bounded a claim)

    def sources(self, words: str) -> Sources:
        """The figures of the sentences ranked for ``words`` and for the whole claim (of the articles
        on the place the claim names, when it names one the articles report on). Each text is
        ranked once a claim."""
        if words not in self.cache:
            where = article_places(self.index)
            named = {name for name in where.values() if name in self.claim}
            seen: set[int] = set()
            out: Sources = []
            for text in (words, self.claim) if words else (self.claim,):
                if text not in self.ranked:  # an operand's words are looked up, the claim ranked
                    self.ranked[text] = (
                        ranked(self.index, self.weights, text, self.scope)
                        if text == self.claim
                        else answering.looked_up(self.index, text, CHECKED, self.scope)
                    )
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
        return self.target(option[1].sentence, option[2])

    def target(self, sid: int, fig: Figure) -> bool:
        """Whether a figure of sentence ``sid`` is a plan or a target while the claim speaks of none
        (「力争…突破1800亿元,新增…80家以上」; but 「全年计划新建30个,前三季度已建成24个」 has done 24)."""
        before = self.index.sentences[sid].text[: fig.start]
        plans = list(_PLAN.finditer(before))
        return bool(plans) and not _DONE.search(before[plans[-1].end() :]) and not _PLAN.search(self.claim)

    def claim_place(self) -> str:
        """The place a claim begins with (「上半年示范区…」: 示范区), when the articles name it so."""
        said = TIME.sub("", normalized(self.claim))
        named = re.match(
            r"([\u4e00-\u9fff]{2})" + ZONE + "(?![、和与及])", said
        )  # 「青石镇、白沙镇…」: a list of places
        if not named or named.group(1) not in place_names(self.index):
            return ""
        reported = set(article_places(self.index).values())
        inside = named.group(0).endswith("镇") and reported and named.group(1) not in reported
        return "" if inside else named.group(0)  # 「青石镇…」 in a county's report: a town of it, not the county

    def without_place(self, words: str) -> str:
        """``words`` without a place at their start (澄江区, 武进全区; after 累计 or 新增 too): what
        is counted, not where."""
        lead = re.match(r"^(?:累计|新增)?", words).group(0)  # type: ignore[union-attr]
        rest, names = words[len(lead) :], sorted(set(article_places(self.index).values()), key=len, reverse=True)
        while True:  # 「澄江区目前中小学」, 「武进今年新入选…」: a place and a time, in either order
            trimmed = TIME.sub("", re.sub(r"^(?:全区|全县|全市|全镇)", "", rest))
            trimmed = re.sub(r"^(?:到|来|在|赴)[\u4e00-\u9fff]{2}[区县镇市]的", "", trimmed)  # 「到山林县的游客」
            for name in names:
                if trimmed.startswith(name):
                    trimmed = re.sub(f"^(?:{ZONE}|市)?(?:全区|全县|全市|全镇)?", "", trimmed[len(name) :])
            named = re.match(r"([\u4e00-\u9fff]{2})" + ZONE, trimmed)
            if named and named.group(0) == self.claim_place():  # 「示范区出口额」: the place the claim is about
                trimmed = trimmed[named.end() :]
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
        return Operand(role, fig.text, lo, hi, fig.unit, text.strip(), cited, fig.start), scored


Found = tuple[Operand, answering.Scored]
# A place at the start of an operand's words (澄江区, 武进全区): what is counted is the rest.
# A district, a county, a town, or a development zone named by its place (临澜高新区, 常州经开区).
ZONE = "(?:高新区|经开区|区|县|镇)"
_PLACE_NAME = re.compile(r"([\u4e00-\u9fff]{2})" + ZONE)
_NOT_A_NAME = re.compile(
    "[全年度了在其中的和与及、区县镇市城乡新发园湾强小建从]"
)  # 「在全区」, 「高新区」, 「老旧小区」, 「建成区」
_NOT_A_ZONE_NAME = re.compile("[国省级家]")  # 「国家高新区」, 「省级开发区」: a rank, not a place


def _article_texts(index: Index) -> dict[int, str]:
    """Each article's headline and sentences, by article."""
    texts: dict[int, list[str]] = {}
    for sid, sentence in enumerate(index.sentences):
        aid = int(index.para_article[int(index.sent_para[sid])])
        texts.setdefault(aid, [index.articles[aid].title]).append(sentence.text)
    return {aid: "".join(sentences) for aid, sentences in texts.items()}


def place_names(index: Index) -> set[str]:
    """The names the articles put before 区, 县 or 镇 (澄江, 示范; not 全区, 高新)."""

    def compute() -> set[str]:
        texts = _article_texts(index).values()
        return {
            m.group(1)
            for t in texts
            for m in _PLACE_NAME.finditer(t)
            if not _NOT_A_NAME.search(m.group(1)) and not (len(m.group(0)) > 3 and _NOT_A_ZONE_NAME.search(m.group(1)))
        }

    return index.cached("place-names-all", 0, compute)  # type: ignore[no-any-return]


def article_places(index: Index) -> dict[int, str]:
    """The place each article reports on, by article: of the names the articles put before 区, 县
    or 镇, the one it names most often, with or without them (武进 of 「武进区」 and of 「武进全区」;
    not 高新 of 高新区, a zone inside it). An article that names none has no place."""

    def compute() -> dict[int, str]:
        joined = _article_texts(index)
        names = place_names(index)
        out = {}
        for aid, text in joined.items():
            counts = {name: text.count(name) for name in sorted(names)}
            # a county or a district over the towns it names (「白鹭县…东湖镇…东湖镇」: 白鹭)
            ranked = {n: (bool(re.search(f"{n}(?:区|县|市|高新区|经开区)", text)), c) for n, c in counts.items()}
            if counts and max(counts.values()) >= 2:  # named once is named in passing
                out[aid] = max((n for n in counts if counts[n] >= 2), key=lambda n: ranked[n])
        return out

    return index.cached("place-names", 0, compute)  # type: ignore[no-any-return]


def probe(words: str, unit: str, change: bool = False) -> tuple[Figure, Subject] | None:
    """A figure of ``words`` in ``unit`` as a claim would state it (「外资项目1个」), to look its
    counterparts up the way a direct figure is looked up."""
    text = f"{as_written(words)}{'增长' if change else ''}1{_PROBE_UNIT.get(unit, unit)}"  # 「GDP」 as 地区生产总值
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
    everywhere = _WHERE.match(TIME.sub("", words))  # 「全县森林覆盖率」 beside a town's, 「青石镇的…」 beside 全县's
    words = ctx.without_place(TIME.sub("", words))  # 「澄江区目前中小学」: what is counted, not where or when
    words = (
        re.sub(r"^的|(?:的)?数量$|(?<=[\u4e00-\u9fff]{2})(?<![总指系倍次户人])数$", "", words) or words
    )  # 「今年以前的民宿」, 「上市企业数量」: 民宿, 上市企业
    words = re.sub(
        r"(?<=[\u4e00-\u9fff]{2})(?:上半年|前三季度|一季度|全年|\d{1,2}至\d{1,2}月)(?=[\u4e00-\u9fff]{2})", "", words
    )
    words = re.sub(r"^([\u4e00-\u9fff]{2}(?:镇|乡|街道))的", r"\1", words)  # 「枫泾镇的低保户数」: 枫泾镇低保户
    words = re.sub(r"(?<=[\u4e00-\u9fff]{3})(?<=[户人])数$", "", words) if unit in ("", "户", "人") else words
    words = derived.SELF_EVIDENT.sub("", words) or words  # 「产值超亿元企业」: its words, not the class's bound
    probed = probe(GROWTH.sub("", words) if change else words, unit, change=change)
    if probed is None:
        return "missing"
    options = [
        o
        for o in held_options(*probed, ctx.sources(words), want, ctx.index)
        if not ctx.planned(o) and not _a_class(ctx, o)
    ]
    periods = set(PERIOD.findall(ctx.claim))
    if periods:  # 「去年全年…」 is never a figure of 「前三季度」
        options = [o for o in options if not other_period(ctx.index.sentences[o[1].sentence].text, periods)]
    if LEVEL.match(words):  # 「省重大项目」 is not 「10亿元以上重大项目」: the level must be said
        options = [o for o in options if words[:2] in o[3].full]
        if "以上" not in words:  # 「市级农业龙头企业」 is not 「市级以上农业产业化龙头企业」, which holds the others
            options = [o for o in options if f"{words[:2]}以上" not in clause_before(ctx.index, o)]
    if not options:  # 「接待的游客」: 接待游客
        bare = words.replace("的", "")
        return find(ctx, role, bare, unit, want, change, near) if "的" in words and len(bare) >= 2 else "missing"
    best = options[0]
    close = [o for o in options if o[0] >= best[0] - OPERAND_MARGIN]
    whole_of = [o for o in close if not _a_part_of_another(ctx.index, o, probed[1])]
    close = whole_of or close  # 「幼儿园2所」 of 「新建学校中,」 is not all 幼儿园
    beside = [o for o in close if o[1].sentence in near]
    then = [o for o in close if any(p in ctx.index.sentences[o[1].sentence].text for p in periods)]
    if len({o[2].value for o in close}) > 1:  # 「新开工保障性住房1860套,基本建成1240套」: 1860套 of 新开工
        labelled = _labelled(ctx, close, probed[1])
        if len({o[2].value for o in labelled}) == 1:
            close, best = labelled, labelled[0]
    whole = [o for o in close if not o[3].part]  # 「全年接待游客1260万人次」, not 「其中过夜游客412万人次」
    if len({o[2].value for o in close}) > 1 and len({o[2].value for o in whole}) == 1:
        close, best = whole, whole[0]
    if len({o[2].value for o in beside}) == 1:  # 「中小学和幼儿园合计」: 中小学 of 幼儿园's sentence
        best = beside[0]
    elif len({o[2].value for o in then}) == 1:  # 「前三季度…接待游客」: not the 国庆假期's
        best = then[0]
    elif everywhere and (said := _said_of_all(ctx, close, everywhere.group(0))):
        best = said[0]
    elif not towns(probed[1].terms) and (wide := _of_no_town(ctx.index, close)):
        best = wide[0]  # 「城镇新增就业人数」 names no town: the district's 18650人, not 东渡街道's 6120人
    elif any(not math.isclose(o[2].value, best[2].value) for o in close):
        plain = _plainest(close, probed[1], ctx.index)
        if plain is None:
            return "unclear"
        best = plain  # 「全年接待游客1260万人次」, not 「竹海景区接待游客286万人次」
    return ctx.operand(role, best[1], best[2], falls=change and best[3].direction < 0)


def _of_no_town(index: Index, close: list[Option]) -> list[Option]:
    """The close options whose sentence names no town before them, when some do."""
    wide = [o for o in close if not towns(frozenset(bigrams(index.sentences[o[1].sentence].text[: o[2].start])))]
    return wide if len(wide) < len(close) and len({o[2].value for o in wide}) == 1 else []


_WHERE = re.compile("全区|全县|全市|全镇|[\u4e00-\u9fff]{2}(?:镇|乡|街道)")


def _said_of_all(ctx: Context, close: list[Option], everywhere: str) -> list[Option]:
    """The close options whose clause says 「全县」 (or 全区…) as the operand does, or whose sentence
    names the town it names (「青石镇森林覆盖率最高,达78.2%」), when they are of one value."""
    town = not everywhere.startswith("全")
    said = [
        o
        for o in close
        if everywhere in (ctx.index.sentences[o[1].sentence].text if town else clause_before(ctx.index, o))
    ]
    return said if len({o[2].value for o in said}) == 1 else []


def clause_before(index: Index, option: Option) -> str:
    """The words of an option's clause up to its figure."""
    return re.split("[,,;;。]", index.sentences[option[1].sentence].text[: option[2].start])[-1]


def _labelled(ctx: Context, close: list[Option], probed: Subject) -> list[Option]:
    """The close options whose own label, the words between the figure before and the figure in
    its sentence, holds all the operand's words; none when a figure comes before those words
    (「12个监测断面中优Ⅲ断面达9个」: the words are 12个's)."""
    out = []
    for o in close:
        text = ctx.index.sentences[o[1].sentence].text
        if probed.terms and probed.terms <= frozenset(bigrams(text[o[2].end : o[2].end + 12])):
            return []
        within = whole_listed(text)  # 「新建学校中,…幼儿园3所」 labels a part of 新建学校
        if probed.terms and probed.terms <= frozenset(bigrams(label(ctx.index, o[1].sentence, o[2]))):
            out += [o] if not within or within & probed.terms else []
    return out


def label(index: Index, sid: int, fig: Figure, begin: int = 0) -> str:
    """A figure's own words in sentence ``sid``: from the figure before it (or ``begin``) to it."""
    figs, _ = sentence_figures(index, sid)
    start = max([f.end for f in figs if f.end <= fig.start] + [begin])
    return index.sentences[sid].text[start : fig.start]


def _a_class(ctx: Context, option: Option) -> bool:
    """A figure that names a class of what is counted (「产值超亿元企业达186家」), no amount."""
    text = ctx.index.sentences[option[1].sentence].text
    return any(m.start() <= option[2].start < m.end() for m in derived.SELF_EVIDENT.finditer(text))


def _plainest(close: list[Option], probed: Subject, index: Index) -> Option | None:
    """Of close options, the one whose subject says least beyond the operand's words (besides the
    time and the place, and counting the whole a sentence lists parts of), when it says two words'
    worth less than every other of another value."""

    def extra(o: Option) -> int:
        within = whole_listed(index.sentences[o[1].sentence].text) - probed.terms  # 「新建学校中,…幼儿园3所」
        return len({t for t in (o[3].terms | within) - probed.terms if not _SAID_ANYWAY.search(t)})

    ranked = sorted(close, key=extra)
    first = ranked[0]
    others = [o for o in ranked[1:] if not math.isclose(o[2].value, first[2].value)]
    return first if all(extra(o) >= extra(first) + 2 for o in others) else None


_SAID_ANYWAY = re.compile("全年|今年|上半|半年|全区|全县|全镇|全市|年接|年新|区接|县接")


def held_options(
    fig: Figure,
    subj: Subject,
    sources: Sources,
    want: Callable[[Figure, Subject], bool],
    index: Index | None = None,
) -> list[Option]:
    """Figures of the candidate sentences whose subject holds most of an operand's words (「九大产业
    集群」 in 「全区九大重点产业集群规上企业完成产值」), best first. With ``index``, the words of a
    sentence's opening clause without a figure are its figures' too (「家庭医生签约服务扩面提质,签约
    居民21.8万人」: 家庭医生签约居民), when the figure's own subject holds some of the operand's."""
    out = []
    for rank_no, (scored, figs, subs) in enumerate(sources):
        text = index.sentences[scored.sentence].text if index is not None else ""
        said = context(index, scored.sentence) if index is not None else frozenset()
        within = whole_listed(text)  # 「新建学校中,小学2所、…幼儿园3所」: parts of 新建学校
        narrowed = MARK_PENALTY if within and not within & subj.terms else 0.0
        for src, src_subj in zip(figs, subs, strict=True):
            if not compatible(fig, subj, src, src_subj) or not want(src, src_subj):
                continue
            own = subj.terms & (src_subj.full | src_subj.shared)
            held = len(own | (subj.terms & said if own else frozenset())) / len(subj.terms) if subj.terms else 0.0
            if held < OPERAND_HELD or any(t not in src_subj.full for t in subj.terms if MARKED.search(t)):
                continue  # 「3A级景区」 is not 「A级景区」, 「5G工厂」 not 「工厂」, 「交通类项目」 not all 项目
            if src_subj.shared and not src_subj.terms & subj.terms:
                continue  # 「高新区、开发区分别实现规上工业总产值…」: each is a part, not the district's
            score = held + 0.2 * subject_similarity(subj, src_subj) + 0.02 * (CHECKED - rank_no) / CHECKED
            score += OWN_BONUS * len(subj.terms & src_subj.terms) / len(subj.terms)  # its own words, not a neighbour's
            score -= MARK_PENALTY * len(src_subj.marks - subj.marks)  # 「省级示范家庭农场9家」 is not all of them
            score -= narrowed  # 「幼儿园3所」 of 「新建学校中」 is not all 幼儿园
            if subj.cumulative or subj.added:  # 「累计…」, 「新增…」: a running total, or what was added
                score += CUMULATIVE_BONUS * (subj.cumulative == src_subj.cumulative and subj.added == src_subj.added)
            out.append((score, scored, src, src_subj, held))
    out.sort(key=lambda o: -o[0])
    return out


def _a_part_of_another(index: Index, option: Option, probed: Subject) -> bool:
    """Whether an option's sentence opens on a whole (「新建学校中,」) the operand does not name."""
    within = whole_listed(index.sentences[option[1].sentence].text)
    return bool(within) and not within & probed.terms


def in_sentence(ctx: Context, role: str, sentence: answering.Scored, want: Callable[[Figure], bool]) -> Found | str:
    """The one figure of ``sentence`` that ``want`` accepts (another figure of the same report), never
    a target while the claim speaks of none."""
    figs, _ = sentence_figures(ctx.index, sentence.sentence)
    chosen = [f for f in figs if want(f) and not ctx.target(sentence.sentence, f)]
    if len(chosen) != 1:
        return "missing" if not chosen else "unclear"
    return ctx.operand(role, sentence, chosen[0])


def report(index: Index, sid: int) -> list[int]:
    """A sentence and, when it ends in 「;」, the next of its paragraph: one report of a figure."""
    out = [sid]
    text = index.sentences[sid].text.rstrip()
    if (
        text.endswith((";", "；"))
        and sid + 1 < len(index.sentences)
        and index.sent_para[sid + 1] == index.sent_para[sid]
    ):
        out.append(sid + 1)
    return out


def all_found(found: list[Found | str]) -> list[Found] | str:
    """The operands, or why one is not there; one source figure read as two operands (each item
    of a sum finding the same figure) leaves the computation unsettled."""
    for f in found:
        if isinstance(f, str):
            return f
    operands = [f for f in found if not isinstance(f, str)]
    places = {(o.text, o.at, s.sentence) for o, s in operands}
    return operands if len(places) == len(operands) else "unclear"
