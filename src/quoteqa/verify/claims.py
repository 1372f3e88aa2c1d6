"""What a claim says: a draft cut into claims, each figure's subject, the figures of a source
sentence, and how a claimed figure compares with a source's (reporters' rounding read as intervals)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..index.store import Index
from ..ingest.text import CJK, bigrams
from ..language.numbers import Figure, exact_figure, normalized, parse
from .modifiers import CONTRASTS, marks_of

_CLAUSE = re.compile(r"[,,;;、:。!?!?()()\n]")
# Words that carry no subject of their own: 「累计50家」 continues the subject before it.
_GENERIC_WORDS = (
    r"(?:累计|新增|新认定|新入选|净增|当年|建成|增长|增速|增幅|降幅|同比|环比|其中|共|共计|总数|总计|合计|达|达到|完成|实现|为|是|有|约|计|占|比|较|"
    r"全区|全市|全省|全县|全镇|以来|年内|"
    r"上半年|今年|去年|上年|同期|目前|已|已经|在|提高|提升|上升|增加|下降|降低|减少|回落|缩小|扩大|收窄|加快|放缓|增产|减产|了|到|至)"
)
_GENERIC = re.compile(rf"^{_GENERIC_WORDS}*$")
# A running total (「累计20家」, 「已有20家」) is told apart from what was added (「新增5家」).
_CUMULATIVE = re.compile("累计|已有|共有|总数|总计|至今|目前共|保有量|总量|存量")
# What was added this period: 「新增87家」, 「新入选…5家」, 「5家企业入选…」.
ADDED = re.compile(
    "新增|净增|新入选|新认定|新获评|新获批|新筹集|新引进|新落地|新设立|新登记|新开通|新开工|新开发|新建(?!和|、|与|或)"
)
_ADDED_AFTER = re.compile(r"[\u4e00-\u9fff]{0,4}?(?:新?入选|新?获评|新?获批|新认定)")
# A rate after one of these words is a change (「增长3.1%」), not a level (「比率为82.3%」); the two
# are never compared. 「提高到44.2%」 is a level.
_RISE = "增长|增速|增幅|提高|提升|上升|增加|净增|上涨|扩大|加快|增产|增收"
_FALL = "降幅|下降|降低|减少|回落|下跌|缩小|放缓|减产|减收"
# A change of a rate (「增速提高0.9」, 「比重提高2.7」) is in percentage points even when the writer
# puts %: it is compared only with another change of a rate, never with a growth in %.
_RATE = re.compile(r"(?:增速|增幅|比重|比例|占比|率|强度)[^,,;;]{0,8}$")
# The base of a change: 「同比」 and 「比2020年」 are different comparisons.
_BASES = [
    (
        "yoy",
        re.compile(
            r"同比|比去年同期|比上年同期|较去年同期|(?:比|较)(?:去年|上年)(?![末底])|(?:是|为|相当于)(?:去年|上年)(?:同期)?的"
        ),
    ),
    ("q1", re.compile(r"比一季度|较一季度")),
    ("ytd", re.compile(r"比年初|较年初|(?:比|较)(?:去年|上年)[末底]")),  # the end of last year is the start of this
    ("mom", re.compile(r"环比")),
    ("year", re.compile(r"(?:比|较)(\d{4})年|(?:是|为|相当于)(\d{4})年(?:同期)?的")),
]
# A subject of what is not (「未被教育集团覆盖」, 「没有参与」); 「未超过」, 「不足」 bound a figure instead.
_NEGATED = re.compile("未(?!超过|满|达到|来|成年)|没有|尚无")  # (计划 is often a name: 龙城英才计划)
_NEGATED_AFTER = re.compile(
    r"[\u4e00-\u9fff]{0,6}?(?:仍|尚|还)?(?:未(?!超过|满|达到|来|成年)|没有|不是)"
)  # 「4400名学生未参与」
_ONE_LIST = re.compile(r"[,,、和及]?")  # the mark between two items of a list
_QUOTED = re.compile('“[^”]{0,30}”|「[^」]{0,30}」|"[^"]{0,30}"')  # a name in quotation marks
# Writers' abbreviations, read as the articles' words.
_SYNONYMS = {"GDP": "地区生产总值", "gdp": "地区生产总值", "社零": "社会消费品零售"}
_SYNONYMS |= {"规模以上": "规上", "限额以上": "限上"}
# What a report writes for the same figure:
_SYNONYMS |= {"外贸进出口": "进出口", "游客接待": "接待游客", "旅游接待": "接待游客"}
_SYNONYMS |= {"外贸出口": "出口", "外贸进口": "进口", "出口额": "出口", "进口额": "进口"}
_CHANGE_VERB = re.compile(rf"(?:(?P<rise>{_RISE})|(?P<fall>{_FALL}))了?(?:在|为|达到|达)?$")  # 增幅在一成以上
_VERBS = re.compile(rf"(?:{_RISE}|{_FALL})了?(?:在|为)?")


def _base(text: str) -> str:
    """What a change in ``text`` is measured against: yoy, q1, mom, or the year (「比2019年」)."""
    for name, pattern in _BASES:
        m = pattern.search(text)
        if m:
            return name + "".join(g for g in m.groups() if g)
    return ""


def _without_bases(text: str) -> str:
    """「比一季度」, 「同比」 say against what a change is measured, not what changed."""
    for _, pattern in _BASES:
        text = pattern.sub("", text)
    return text


def is_generic(lead: str) -> bool:
    """The words before a figure name no subject of their own (「累计」, 「增速比一季度提高」)."""
    return bool(_GENERIC.match(re.sub(f"[^{CJK}]", "", _without_bases(lead))))


@dataclass(frozen=True)
class Subject:
    terms: frozenset[str]  # the words before the figure (and after it when those are few)
    after: bool  # the figure comes before its noun (「5家企业入选…」), so the subject follows it
    full: frozenset[str]  # the words before and after it, up to the neighbouring figures
    change: bool  # the figure is a change (「增长21.6%」), not a level (「占比58%」)
    cumulative: bool  # a running total: 「累计20家」, 「已有20家」
    added: bool = False  # what was added: 「新增87家」
    rate: bool = False  # a change of a rate (「增速提高0.9个百分点」)
    base: str = ""  # what a change is measured against: yoy, q1, mom, year
    marks: frozenset[str] = frozenset()  # contrasting modifiers in its subject (省级, 城镇, …)
    direction: int = 0  # +1 after 增长/提高, -1 after 下降/回落, 0 when the words do not say
    side: str = ""  # "from" in 「从41.5%提高到44.2%」's first rate, "to" in its second
    # With the noun a 「分别」 list shares (「高新区、开发区分别实现规上工业总产值…」): what an operand's
    # words may be found in, though the figure is not compared by them.
    shared: frozenset[str] = frozenset()
    part: bool = False  # 「…,其中出口额192亿元」: a part of the figure before
    negated: bool = False  # 「未建成高标准农田…」: of what is not (never compared with what is)


def canonical(text: str) -> str:
    """The words of ``text`` as subjects compare them: 社零 as 社会消费品零售, no punctuation."""
    return _words(text)


def _words(text: str) -> str:
    return re.sub(f"[^{CJK}0-9a-zA-Z]", "", as_written(text))


def as_written(text: str) -> str:
    """``text`` with the words a report writes for the same thing (社零 → 社会消费品零售, GDP → 地区生产总值)."""
    for short, long in _SYNONYMS.items():
        text = re.sub(f"{short}(?!游客)", long, text) if "接待" in short else text.replace(short, long)
    return text  # 「乡村旅游接待游客」 stays itself


def _clause_start(text: str, pos: int, bounds: list[int], figures: list[Figure]) -> int:
    """Start of the clause holding ``pos``; a figure-less list item before a 、 joins it
    (「为小微企业、“三农”主体减费让利共计340万元」 counts for both)."""
    start = max(b for b in bounds if b <= pos)
    while start > 0 and text[start - 1] == "、":
        prev = max(b for b in bounds if b <= start - 1)
        if any(prev <= f.start < start for f in figures):
            break
        start = prev
    return start


# 「执业(助理)医师数」, 「工作站(创新实践基地)7家」: an aside inside a noun, or a second name before a figure
_ASIDE = re.compile(r"[(（][\u4e00-\u9fffA-Za-z0-9.]{1,8}[)）](?=[\u4e00-\u9fff]|\d)")


def _aside(m: re.Match[str]) -> str:
    """An aside blanked (「(助理)」), or, a name's other name in letters (「(PM2.5)」), its brackets only."""
    inner = m.group(0)[1:-1]
    return f" {inner} " if re.fullmatch("[A-Za-z0-9.]+", inner) else " " * len(m.group(0))


def short(words: str, before: str) -> bool:
    """Words too few to name a subject alone: under four characters, or four that are not a part
    (「贷款余额」 after 「存款余额」 is its like; 「其中税收收入」 is a part of what came before)."""
    return len(words) < 4 or (len(words) == 4 and "其中" not in before)


def subjects(text: str, figures: list[Figure]) -> list[Subject]:
    """What each figure counts: the words of its clause before it, and after it when those are few."""
    text = normalized(text)  # spans of ``figures`` stay valid
    text = _ASIDE.sub(_aside, text)  # 「执业(助理)医师数」 is one noun, and 「细颗粒物(PM2.5)平均浓度」
    bounds = [0] + [m.end() for m in _CLAUSE.finditer(text)] + [len(text)]
    out: list[Subject] = []
    previous: frozenset[str] = frozenset()
    previous_marks: frozenset[str] = frozenset()
    previous_full: frozenset[str] = frozenset()
    level: frozenset[str] = frozenset()  # the terms of the last figure that is no share of a target
    said_before = ""  # the words before the last figure, when it is a rate
    paired = respective(text, figures)
    around: list[frozenset[str]] = []  # each figure's words before its item is known
    for i, fig in enumerate(figures):
        shared: frozenset[str] = frozenset()
        start = _clause_start(text, fig.start, bounds, figures)
        end = min(b for b in bounds if b >= fig.end)
        prev_end = max([start] + [f.end for f in figures[:i] if f.end <= fig.start])
        next_start = min([end] + [f.start for f in figures[i + 1 :] if f.start >= fig.end])
        lead, trail = _words_around(text[prev_end : fig.start], text[fig.end : next_start], next_start < end)
        terms = frozenset(bigrams(lead if len(lead) >= 4 else lead + trail))
        full = frozenset(bigrams(lead + trail))
        generic = is_generic(lead)
        if not previous and i == 0:  # 「青石镇森林覆盖率最高,达78.2%」: the clause before names it
            previous = _clause_before(text, start)
        terms, full = _inherited(
            _Said(lead, trail, text[prev_end : fig.start], fig.unit),
            terms,
            full,
            (previous, previous_full, level, said_before),
        )
        around.append(frozenset(bigrams(lead + trail)))
        if i in paired:  # 「A、B分别增长5.2%和6.9%」: 6.9% is B's
            item, head, noun, listed_here = paired[i]
            terms = frozenset(bigrams(_words(item)))
            full = terms if listed_here else terms | around[head]  # and 「累计分别达到」: the list is elsewhere
            shared = frozenset(bigrams(_words(item + noun)))  # 「实现规上工业总产值」 is each one's
            start = _clause_start(text, figures[head].start, bounds, figures)
            prev_end = min(prev_end, figures[head].start)  # 「累计分别达到612家和358家」: both running totals
            fig = replace(fig, start=figures[head].start)  # its words of movement are the run's
        context = text[start : fig.start]
        before = text[max(0, fig.start - 4) : fig.start]
        verb = _CHANGE_VERB.search(before)
        change = fig.unit == "百分点" or fig.text.startswith("翻") or bool(verb)
        direction = 0 if not verb else 1 if verb.group("rise") else -1
        side = "from" if _CHANGE_LEAD.search(context) else "to" if re.search("[到至]$", before) else ""
        if fig.unit == "百分点" and _GAP.search(context):
            side = "gap"  # 「增速高于社零总额7.5个百分点」 is a gap between two rates, not a change
        own = re.sub(_GENERIC_WORDS, "", re.sub(f"[^{CJK}]", "", lead))  # 「全区」 is no noun
        cumulative = bool(_CUMULATIVE.search(text[max(start, prev_end - 6) : fig.start]))
        added = bool(ADDED.search(text[start : fig.start]) or _ADDED_AFTER.match(text[fig.end : end]))
        rate = change and bool(_RATE.search(context[: len(context) - (len(verb.group(0)) if verb else 0)]))
        rate = rate or (fig.unit == "百分点" and generic)  # 「…达3.6%,比去年同期提高0.4个百分点」
        base = _base(context)
        marks = marks_of(_QUOTED.sub("", text[start:end]))  # 「“龙城英才计划”邀请赛」 is no plan
        if generic and previous:  # 「存款余额1428.6亿元,比年初增加113.5亿元」: the 存款's increase
            marks |= {m for m in previous_marks if not marks & set(next(g for g in CONTRASTS if m in g))}
        part = _a_part(text, start, fig, figures[i - 1] if i else None, bool(out) and out[-1].part)
        out.append(
            Subject(
                terms,
                len(own) < 2,
                full,
                change,
                cumulative,
                added,
                rate,
                base,
                marks,
                direction,
                side,
                shared | _whole_of_part(text, fig, figures[:i], out),  # an operand's words may name its whole
                part,
                bool(_NEGATED.search(text[start : fig.start]) or _NEGATED_AFTER.match(text[fig.end : end])),
            )
        )
        said_before = text[prev_end : fig.start] if fig.unit == "%" else ""
        level = level if _SHARE_OF.search(said_before) else terms
        previous, previous_marks, previous_full = terms, marks, full
    return out


@dataclass(frozen=True)
class _Said:
    lead: str  # a figure's words before it (cleaned) and after it
    trail: str
    raw: str  # its clause's text up to it
    unit: str


def _inherited(
    said: _Said,
    terms: frozenset[str],
    full: frozenset[str],
    before: tuple[frozenset[str], frozenset[str], frozenset[str], str],
) -> tuple[frozenset[str], frozenset[str]]:
    """A figure's terms and full words with what it takes from the figures before it: the last
    one's terms, its full words, the last level's terms, and the words before the last figure."""
    previous, previous_full, level, said_before = before
    lead, trail = said.lead, said.trail
    generic = is_generic(lead)
    if generic and (lead or not trail) and previous:
        # 「增长10.68%」, 「达到45亿元」 count what the figure before them counts; a growth after a
        # share of a target (「完成投资121.4亿元,完成年度计划的76.8%,同比增长9.2%」) the level's
        share_before = said.unit == "%" and _SHARE_OF.search(said_before) and _CHANGE_VERB.search(said.raw)
        inherited = level if share_before else previous  # a share's own change is in 百分点
        return terms | inherited, full | inherited
    if generic and not trail:
        return frozenset(), frozenset()  # 「同比增长7%」 alone names nothing
    if (
        short(lead + trail, said.raw)
        or lead.startswith("占")
        or len(re.sub(_GENERIC_WORDS, "", lead)) < 4
        or _PLAN_ONLY.match(lead)
    ):
        # 「…,新增3家」, 「…,占耕地面积的七成」, 「…,全镇保有量达到115架」, 「…存款余额…;贷款余额…」:
        # the noun came before
        return terms, full | previous
    if _MEASURE_ONLY.match(lead):  # 「…重大项目86个,计划总投资412.6亿元,年度计划投资158亿元」: theirs
        return terms, full | previous_full
    return terms, full


def _clause_before(text: str, start: int) -> frozenset[str]:
    """The words of the clause before ``start`` that names a thing and says how it fares
    (「青石镇森林覆盖率最高,」), or none."""
    clause = re.search(r"([^,,;;:。!?()\d]{4,24})[,,]$", text[:start])
    return frozenset(bigrams(clause.group(1))) if clause and _FARES.search(clause.group(1)) else frozenset()


_FARES = re.compile("(?:最高|最低|最多|最少|最大|最快|领先|居首|第一)$")  # 「…最高,达78.2%」


def _a_part(text: str, start: int, fig: Figure, before: Figure | None, before_part: bool) -> bool:
    """A part after 「其中」, and each after it in its list (「其中职工医保…12.9亿元,居民医保…5.8亿元」)."""
    if "其中" in text[start : fig.start] or re.match(r"\s*其中[,,]", text):  # 「其中,获评…58家,全年新增12家」
        return True
    return (
        before is not None
        and before_part
        and before.unit == fig.unit
        and bool(_ONE_LIST.fullmatch(text[before.end : start]))
    )


def _whole_of_part(text: str, fig: Figure, before: list[Figure], subs: list[Subject]) -> frozenset[str]:
    """The words of the whole a part is listed of (「总数达到915家(其中国家级示范社6家、省级示范社
    38家)」: 38家 counts 农民专业合作社 too), in its unit, or none."""
    clause = re.split("[,,;;。]", text[: fig.start])[-1]
    among = clause.rfind("其中")
    if among < 0:
        return frozenset()
    at = fig.start - len(clause) + among
    whole = [k for k, f in enumerate(before) if f.end <= at and f.unit == fig.unit]
    if not whole or before[whole[-1]].end < at - 8:
        return frozenset()
    said = re.split("[,,;;。、]", text[: before[whole[-1]].start])[-1]
    if re.search("级(?:及)?以上", said):  # 「市级以上龙头企业」: its parts are of a level each, not 市级
        return frozenset(bigrams(_words(re.sub(r"[\u4e00-\u9fff]{1,2}级(?:及)?以上", "", said))))
    return subs[whole[-1]].full


def _words_around(before: str, after: str, part_follows: bool) -> tuple[str, str]:
    """The words of a figure's subject before it and after it (up to the next figure when
    ``part_follows``, else to the clause's end)."""
    lead, trail = _words(before), _words(after)
    lead = _VERBS.sub("", _without_bases(lead)).replace("其中", "")  # 「增长」 says how it moved, not what moved
    if (among := _AMONG_TRAIL.match(trail)) and len(lead) < 4 and part_follows:
        trail = among.group(1)  # 「17个国考断面中优Ⅲ断面达15个」: 17个 counts 国考断面, 15个 a part of them
    return lead, trail


_LIST_SPLIT = re.compile("[、和与及]")
_SHARE_OF = re.compile(r"(?:占|完成)[^,,;;。\d]{0,12}的(?:比重|比例)?(?:为|达到|达)?$")  # 「完成年度计划的」 76.8%
# a measure alone after a clause that names the thing (「重大项目86个,计划总投资412.6亿元」): the thing's
_MEASURE_ONLY = re.compile(
    "^(?:全年|年度|今年|本年|当年)?(?:的)?(?:计划|目标)?(?:总)?(?:完成)?(?:总)?"
    "(?:投资|投资额|产值|营业收入|收入|面积|建筑面积|里程|规模|金额|资金|产量|销售额|总额)$"
)
_PLAN_ONLY = re.compile("^(?:全年|年度|今年|本年)?(?:的)?(?:目标|任务|计划)(?:为|是|数)?$")  # 「…,全年目标为22000人」
# a count whose noun heads an 「X中」 clause about a part of it
_AMONG_TRAIL = re.compile(r"^(\w{2,8}?)中(?![心小学国型等级高部央间外文])\w*$")


def respective(text: str, figures: list[Figure]) -> dict[int, tuple[str, int, str, bool]]:
    """Figures that 「分别」 pairs with the items of a list, by position: in 「城镇、农村居民人均可支配
    收入分别增长5.2%和6.9%」 6.9% is 农村居民人均可支配收入's; in 「高新区、开发区分别实现产值351.2亿元、
    226.7亿元」 351.2亿元 is 高新区实现产值's; in 「新增家庭农场86家、合作社24家,累计分别达到612家和358家」
    the items are what the figures before counted. Maps a figure's position to its item (with the noun
    the items share), to the first figure of its run, to the noun after 「分别」 and to whether the
    items are listed in the figure's own clause."""
    out: dict[int, tuple[str, int, str, bool]] = {}
    listed: list[str] = []  # the items of the list before the last 「分别」, without their noun
    for m in re.finditer("分别", text):
        run = _run(text, figures, m.end())
        if len(run) < 2:
            continue
        clause_start = max(text.rfind(c, 0, m.start()) for c in ",,;;。:") + 1
        parts = [p for p in _LIST_SPLIT.split(text[clause_start : m.start()]) if _words(p)]
        # the noun after 「分别」, and what was added (「分别新增就业」: 新增就业)
        noun = re.sub(rf"^(?:(?!新增|净增){_GENERIC_WORDS})+", "", _words(text[m.end() : figures[run[0]].start]))
        if len(parts) >= 2:
            head = round(sum(len(p) for p in parts[:-1]) / (len(parts) - 1))
            shared = parts[-1][head:]  # 「居民人均可支配收入」 after 「农村」
            listed = [p + shared for p in parts[:-1]] + [parts[-1]]
            items = listed
        elif len(listed) == len(run):  # 「A、B分别完成产值…,同比分别增长…」: the same items
            items = listed
        else:  # 「A86家、B24家,累计分别达到612家和358家」: the items are what the figures before count
            before = [k for k, f in enumerate(figures) if f.end <= clause_start][-len(run) :]
            bounds = [0] + [figures[k].end for k in before]
            items = [text[bounds[i] : figures[k].start] for i, k in enumerate(before)]
            items = [re.split("[,,;;。:、]", item)[-1].replace("新增", "") for item in items]
        if len(run) == len(items):
            out.update({k: (item, run[0], noun, len(parts) >= 2) for item, k in zip(items, run, strict=True)})
    return out


def _run(text: str, figures: list[Figure], after: int) -> list[int]:
    """The figures listed after ``after`` in one clause, joined by 、, 和 or 及 alone: 「351.2亿元、
    226.7亿元和88.4亿元」 (not the figure of the clause after)."""
    run: list[int] = []
    for k, fig in enumerate(figures):
        if fig.start < after:
            continue
        gap = text[figures[run[-1]].end : fig.start] if run else text[after : fig.start]
        if (run and not re.fullmatch("[、,,和与及]", gap)) or (not run and re.search("[,,;;。]", gap)):
            break
        run.append(k)
    return run


def sentence_figures(index: Index, sid: int) -> tuple[list[Figure], list[Subject]]:
    """Figures and subjects of a corpus sentence, parsed once per loaded index."""

    def compute() -> tuple[list[Figure], list[Subject]]:
        text = index.sentences[sid].text
        figs = parse(text)
        subs = _continued(index, sid, text, figs) or subjects(text, figs)
        derived = point_changes(text, figs, subs)
        derived += [g for f, sub in zip(figs, subs, strict=True) if (g := as_growth(text, f, sub))]
        return figs + [f for f, _ in derived], subs + [s for _, s in derived]

    return index.cached("figures", sid, compute)  # type: ignore[no-any-return]


def _continued(index: Index, sid: int, text: str, figs: list[Figure]) -> list[Subject] | None:
    """The subjects of a sentence that goes on from the one before after 「;」 (「全区金融机构本外币
    存款余额1428.6亿元…;贷款余额1096.3亿元…」): read with it, as one sentence."""
    if sid == 0 or index.sent_para[sid - 1] != index.sent_para[sid]:
        return None
    before = index.sentences[sid - 1].text
    if not before.rstrip().endswith((";", ";")) or not figs:
        return None
    shift = len(before)
    joined = before + text
    prior = parse(before)
    moved = [replace(f, start=f.start + shift, end=f.end + shift) for f in figs]
    return subjects(joined, prior + moved)[len(prior) :]


_CHANGE_LEAD = re.compile(r"(?:从|由)[^,,;;到至]{0,8}$")  # 「从30%」, 「从去年同期的79.3%」
# A gap to another subject (「增速高于社零总额」, 「增速比全市平均水平高」), not a change since a period.
_GAP = re.compile(
    "高于|低于|高出|低出|快于|慢于"
    r"|比(?!上半年|下半年|一季度|二季度|三季度|前三季度|去年|上年|同期|上月|年初|\d{4}年)[^,,;;]{2,12}?(?<!提)[高低快慢]出?$"
)
_CHANGE_LINK = re.compile(r"^(?:提高|提升|上升|增加|增长|扩大|下降|降低|减少|回落|降)?(?:到|至|为)$")


def point_changes(text: str, figures: list[Figure], subs: list[Subject]) -> list[tuple[Figure, Subject]]:
    """A change between two rates, in percentage points: 「从30%提高到32%」 gives 2个百分点, so that a
    claim in 百分点 is checked against two rates (and never against 「增长2%」)."""
    out = []
    for (a, sa), b in zip(zip(figures, subs, strict=True), figures[1:], strict=False):
        if a.unit != "%" or b.unit != "%" or a.qualifier != "=" or b.qualifier != "=":
            continue
        if not _CHANGE_LEAD.search(text[max(0, a.start - 10) : a.start]):
            continue
        if not _CHANGE_LINK.match(text[a.end : b.start]):
            continue
        diff = round(abs(b.value - a.value), 9)
        change = exact_figure(diff, "百分点", a.start, b.end, text[a.start : b.end])
        rise = 1 if b.value > a.value else -1 if b.value < a.value else 0
        out.append((change, replace(sa, change=True, cumulative=False, direction=rise, rate=True, side="")))
    return out


_PERIOD_RATIO = re.compile(r"(?:是|为|相当于|达到|达)[^,,。;;]{0,12}?(?:去年|上年|前年|同期|\d{4}年)[^,,。;;]{0,6}?的$")


def as_growth(text: str, fig: Figure, subject: Subject) -> tuple[Figure, Subject] | None:
    """「是去年同期的3倍」 as the growth it is, +200%, so that it meets 「增长两倍」 or 「翻了一番」."""
    if fig.unit != "倍" or not _PERIOD_RATIO.search(text[max(0, fig.start - 24) : fig.start]):
        return None
    growth = fig.affine(100, -100, "%")
    rise = 1 if fig.value > 1 else -1 if fig.value < 1 else 0
    base = _base(text[max(0, fig.start - 24) : fig.start]) or "yoy"
    return growth, replace(subject, change=True, direction=rise, base=base)
