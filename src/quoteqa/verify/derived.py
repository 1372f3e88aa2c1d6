"""Figures a reporter computes from the articles' figures, read from general Chinese: the relation a
claim states (合计, 年初, 其余, 占…, X中近九成, 是…的N倍, 人均, 比…多, 上年同期) and the words of
its operands (arithmetic.py computes, operands.py finds the operands)."""

from __future__ import annotations

import re

from ..language.numbers import Figure
from .shares import GENERIC_WHOLE as _GENERIC_WHOLE
from .shares import NEW as _NEW
from .shares import among as _among
from .shares import among_before as _among_before
from .shares import share as _share
from .shares import whole_of as _whole
from .wording import (
    AVERAGE,
    BASE,
    DIFFERENCE,
    FALL,
    GAP,
    INCREASE,
    RATIO,
    REMAINDER,
    RISE,
    START,
    SUM,
    Relation,
)
from .wording import MEASURE as _MEASURE
from .wording import SEP as _SEP
from .wording import SHARE as SHARE  # read in shares.py; named here with the other relations
from .wording import TRAILING as _TRAILING
from .wording import Around as _Around
from .wording import around as _around
from .wording import between as _between
from .wording import clean as _clean
from .wording import with_noun as _with_noun

_START = re.compile(
    r"(?<![比较])(?:(?:今年|本年)?(?:年初|此前|之前|以前|原有|原来|期初|起初)(?:时)?|(?:上年|去年)[末底])"
)
_SUM = re.compile(r"(?:合计|共计|总计|加起来|加在一起|相加|之和|一共|总共|累计|共)(?:有|为|达到|达|是|约)?")
# 「三个板块合计」, 「三大主导产业合计」: words that count the list, not an item of it.
_COUNTED = re.compile(
    r"[两二三四五六七八九十](?:个|大|类|项|者)(?:主导|重点|支柱|新兴)?(?:板块|地区|镇|街道|园区|方面|领域|产业)?$"
)
# 「…、…和…,三项加起来共10个」: the items are the clause before.
_ITEMS_BEFORE = re.compile(r"^(?:这)?[两二三四五六七八九十](?:项|者|类|个)(?:之和)?$")
_VERB = re.compile(r"^(?:实现|完成|达到|达|有|为|是|约|近|超过|建成|正好|恰好|刚好|一共|总共|共)+")
_LIST = re.compile("[、和与及]")
_REMAINDER_LEAD = re.compile(r"其余|其他|剩下|剩余|余下|另外|以外|之外|还需|尚需|仍需|还要|还剩|尚余|有待|还差|尚差")
_EXCEPT = re.compile(r"以外|之外")  # 「除A以外的」: A is the part, the whole is named before
_REMAINDER_TRAIL = re.compile(r"^[个家项所户人名座条]?(?:仍|尚|还)?(?:未|没有|没)")
# Each relation's words are found as a cue, then the words after it, then an ending at the end of the
# clause: 「占」 B 「的比重为」, 「是」 B 「的」, 「比」 B 「多」, B 「中」. (Patterns anchored at the end with
# bounded alternatives: linear in the length of a clause.)
_RATIO_CUE = re.compile("是|相当于|接近|约为|约是|大约是")
_RATIO_END = re.compile(r"的(?:约|近|超过)?$")
_AVERAGE = re.compile(r"平均(?:每|亩产|单产)?|[人户亩场村校店企]均|亩产|单产|每(?=[人户家所个名座场亩批处])")
AVERAGE_CUE = _AVERAGE
MONTH = "月"  # who shares an average 「平均每月」: the months of the claim's period
_AVERAGE_WHO = re.compile(
    "[人户亩场村校店企]均|亩产|单产|平均亩产|平均单产"
)  # the cue names who shares: 游客人均消费 is 游客消费
_DIFFERENCE_CUE = re.compile(r"(?<!占)比(?![重例率])")
# (「提高」, 「加快」, 「放慢」 say how a rate moved against its base, not a gap to another subject.)
_DIFFERENCE_END = re.compile(
    r"(?:多出|多|少|高出|(?<![提升])高|(?<![降减])低|增加|减少|(?<!加)快|(?<![放减])慢)(?:了|出)?(?:约|近|超过|逾)?$"
)
_GAP_CUE = re.compile("高出|高于|低于|多于|少于|快于|慢于")
_GAP_END = re.compile(r"(?:约|近|超过)?$")
# What a change is measured against is a base, not another subject: 「比去年多」 is a change.
_PERIOD = re.compile(
    r"(?:去年|上年|前年|同期|一季度|二季度|三季度|上季度|上半年|下半年|前三季度|年初|上月|\d{4}年)(?:同期|底|末|的)*"
)
_PER = re.compile(r"每(?:1|一)(?:元|万元|亿元|个|人|户|亩)")  # 「每1元…拉动7元」
# A figure that only counts the claim's own list (「高新区、开发区和临湖镇三个板块」) or states the unit
# of a rate (「每1元」) says nothing the articles must hold.
SELF_EVIDENT = re.compile(
    r"[两二三四五六七八九十]个(?:板块|地区|镇|街道|园区|方面|领域|产业|区域)|每(?:1|一)(?:元|万元|亿元)"
    r"|[两二三四五六七八九十](?:项|者|类)(?=加起来|合计|共|总计|之和)"  # 「三项加起来」 counts the list
    r"|(?<![0-9一二三四五六七八九十两百千])[万亿](?:元|平方米|亩|吨)?以[上下]"  # 「亿元以上项目」: a class
    r"|(?<!\d)\d+[万亿]元以[上下](?=的?(?:工业)?(?:项目|企业))"
    r"|(?:超|过|超过|不足|不到|低于|高于)(?:\d+(?:\.\d+)?)?[百千]?[万亿]元"
    r"(?=的?(?:工业)?(?:项目|企业)|的(?:还|仍)?(?:有|共有|达)|的(?:村|户|家庭|单位|镇|街道|社区|合作社|农场|商户|主体))"
    # 「产值超亿元企业」, 「产值不足亿元的有452家」, 「收入超百万元的村」: a class by a bound
)
AGE = re.compile(r"(?<![\d.])\d+(?:周岁|岁)(?:及)?以[上下]")  # 「60周岁以上老年人」: an age names a class
_BASE = re.compile(
    r"(?<![比较是为])(?:上年|去年|上一年|前一年)(?:同期|全年|上半年|前三季度|一季度)?(?:的(?=[\u4e00-\u9fff]))?(?![的增减提下上])"
)


def whole_words(words: str, part: str) -> str:
    """The whole a share names, once the claim's place is off its words (「武进累计总数」 → 「累计总数」:
    the part's subject counted in all)."""
    return _whole(words, part)


def relation(claim: str, fig: Figure) -> Relation | None:
    """The relation ``claim`` states for its figure ``fig``, or None when the figure is direct."""
    at = _around(claim, fig)
    readings = (_per, _start, _sum, _remainder, _share, _ratio, _difference, _apart, _increase, _base, _average, _moved)
    for reading in readings:
        found = reading(at)
        if found is not None:
            return found
    return None


def _start(at: _Around) -> Relation | None:
    m = _START.search(at.lead)
    if m:
        words = _clean(at.lead[: m.start()] + at.lead[m.end() :]) or at.earlier
        bare = len(re.sub("累计|已有|共有|已经|有", "", _HERE_AND_NOW.sub("", words))) <= 3
        if bare and len(_clean(at.trail)) >= 2 and _clean(at.trail) not in words:
            words += _clean(at.trail)  # 「此前武进累计已有15家制造业单项冠军企业」: what follows it
        return Relation(START, (words,))
    dated = re.search(r"(?:^|[,,])(?:今年)?(?:年初|(?:上年|去年)[末底])(?:时)?[,,]$", at.before)  # 「上年末,…参保率」
    if _START.search(at.before) and (at.unit not in ("%", "百分点") or (dated and at.unit == "%")):  # 「今年之前,…」
        bare = len(re.sub("累计|已有|共有|已经|有", "", _HERE_AND_NOW.sub("", at.subject))) <= 3  # 「武进累计有15家…」
        more = (len(at.subject) < 4 or bare) and _clean(at.trail) not in at.subject
        done = _DONE_THIS_YEAR.search(at.before)  # 「今年改造之前,」: what was 改造 this year was added
        subject = at.subject + (_clean(at.trail) if more else "")
        return Relation(START, (subject, done.group(1)) if done else (subject,))
    framed = re.search(r"([^,,;;]*?)(?<![目此以之年提])前[,,]", at.before)  # 「…开通前,A约38公里,B27座」: both
    if framed and at.unit not in ("%", "百分点"):  # 「今年新增2家上市企业前,武进的上市企业为48家」
        what = _FRAME_VERB.sub("", _clean(framed.group(1)))  # 「新建道路通车前」: what was added is 新建道路
        return Relation(START, (at.subject, what) if _NEW_THING.match(what) else (at.subject,))
    return None


_DONE_THIS_YEAR = re.compile(  # 「今年改造之前,」, 「今年新挂牌之前,」: what was done this year is what was added
    r"(?:^|[,,])(?:今年|年内)(?:新)?((?:改造|建成|新建|挂牌|完成|认定|创建)[\u4e00-\u9fff]{0,6}?)(?:之前|以前)[,,]$"
)
_FRAME_VERB = re.compile("(?:陆续|全部|正式)?(?:通车|开通|投用|投入使用|运营|开业|建成)$")
_NEW_THING = re.compile("新(?:建|增|开通|开工)[\u4e00-\u9fff]{2,8}$")


def _sum(at: _Around) -> Relation | None:
    m = _SUM.search(at.lead)
    if not m:
        return None
    listed = at.lead[: m.start()]
    counted = _COUNT_WORD.search(listed)
    if (_ITEMS_BEFORE.match(_clean(listed)) or not _clean(_HERE_AND_NOW.sub("", listed))) and at.before:
        # 「A、B和C,加起来」, 「A、B、C三个假期,鹤山县共…」
        listed = re.split(_SEP, at.before.rstrip(_TRAILING))[-1]
    listed, shared_noun = _counted_apart(listed)
    items = _merged([p for p in _LIST.split(_COUNTED.sub("", listed)) if _clean(p)], listed, counted)
    if len(items) < 2 and "存贷款" in listed:  # 「存贷款余额合计」: 存款余额 and 贷款余额
        both = _clean(_HERE_AND_NOW.sub("", _clean(listed)))
        return Relation(SUM, (both.replace("存贷款", "存款"), both.replace("存贷款", "贷款")))
    if len(items) < 2 and (group := GROUP.search(at.lead)):  # 「三大主导产业合计」: the items a report lists
        between = _clean(at.lead[group.end() : m.start()]) if group.end() <= m.start() else ""  # 「…的规上企业加起来」
        return Relation(SUM, (group.group(0) + between + _clean(_VERB.sub("", at.lead[m.end() :])),))
    if len(items) < 2 and _REMAINDER_LEAD.search(at.before + at.lead[: m.start()]):
        return None  # 「除水稻外,其余粮食产量合计」: what is left of a whole
    if len(items) < 2:  # 「存贷款余额合计」: a sum of items the claim does not list is not a source figure
        return Relation(SUM, ()) if _SUM_ONLY.match(m.group(0)) else None
    items[0] = _HERE_AND_NOW.sub("", items[0]) or items[0]  # 「澄江区新开工」: the place is the claim's
    head = round(sum(len(p) for p in items[:-1]) / (len(items) - 1))
    last = items[-1].removesuffix("的")  # 「新开工和基本建成的」: no noun shared
    shared = last[head:] if len(last) > head + 1 else ""
    after_sum = _FOR_PLACE.sub("", _VERB.sub("", at.lead[m.end() :]))  # 「共为松陵区新增医疗床位」: 新增医疗床位
    noun = shared_noun + _clean(after_sum)  # 「合计实现规上工业总产值」: each one's
    items = [_WHEN_AFTER.sub("", p) or p for p in items]  # 「区中医医院康复楼上半年」: when is the claim's
    words = [_clean(p) + (shared if not p.endswith(shared) else "") for p in items[:-1]] + [_clean(items[-1])]
    modified, _, after = last.rpartition("的")
    if modified and len(after) >= 2 and not any("的" in p for p in items[:-1]):  # 「新开通和优化调整的城乡公交线路」
        words = [_clean(p) + after for p in items[:-1]] + [_clean(modified) + after]
        items, shared = [*items[:-1], modified + after[-2:]], after[-2:]  # plain: 「优化调整线路」
        items[:-1] = [p + shared for p in items[:-1]]
    kind = _KIND_OF_ITEMS.match(words[0])  # 「(武进)新增A、B和C」: each of them was added
    words = [w if not kind or kind.group(1) in w else kind.group(1) + w for w in words]
    plain = [_clean(p) for p in items]
    if m.group(0).startswith("累计"):  # 「A和B累计近1000家」: running totals
        words = [w if w.startswith("累计") else "累计" + w for w in words]
        plain = [w if w.startswith("累计") else "累计" + w for w in plain]
    return Relation(SUM, tuple(w + noun for w in words), plain=tuple(w + noun for w in plain) if shared else ())


# A group the claim counts without listing it (「三大主导产业」, 「两个板块」): the report lists it.
GROUP = re.compile(r"([两二三四五六七八九十])(?:大|个|类)([\u4e00-\u9fff]{0,4}?(?:产业|板块|行业|领域|集群|园区))")
_FOR_PLACE = re.compile(  # 「共为松陵区新增…」: for whom, not what
    r"^(?:为|给|在)?(?:全区|全县|全市|全镇|[\u4e00-\u9fff]{2}(?:区|县|镇))(?=新增|新建|提供|增加|完成|实现)"
)
_WHEN_AFTER = re.compile("(?:今年|上半年|前三季度|一季度|全年)$")
_SUM_ONLY = re.compile("合计|加起来|加在一起|相加|之和")  # words that only ever add (not 共, 累计)


def _counted_apart(listed: str) -> tuple[str, str]:
    """The items of 「A和B两家医院的门急诊量」 and the noun they share after the words that count
    them (「门急诊量」); 「A、B和C三大主导产业上半年」: the items alone."""
    m = _COUNT_PHRASE.search(listed)
    if m is None or not _LIST.search(listed[: m.start()]):
        return listed, ""
    rest = _clean(_HERE_AND_NOW.sub("", listed[m.end() :]))
    items = listed[: m.start()]
    if town := re.match("[两二三四五六七八九十](镇|街道|乡)", m.group(0)):  # 「白沙、龙潭两镇」: 白沙镇、龙潭镇
        items = re.sub(f"([\u4e00-\u9fff]{{2}})(?<!{town.group(1)})(?=[、和与及]|$)", r"\1" + town.group(1), items)
    return items, "" if _HERE_AND_NOW.fullmatch(listed[m.end() :] or "今年") else rest


_COUNT_PHRASE = re.compile(
    r"[两二三四五六七八九十](?:个|大|类|项|者|家|所|镇|地|街道|乡)[\u4e00-\u9fff]{0,12}?(?:的|$|(?=上半年|今年|前三季度|全年|\d{1,2}至\d{1,2}月))"
)
# 「两项合计」, 「三者加起来」: how many items the claim adds.
_COUNT_WORD = re.compile(r"([两二三四五六七八九])(?:项|者|类|个|大)")
_NUMBER_OF = {c: i for i, c in enumerate("一两三四五六七八九", 1)} | {"二": 2}
_HERE_AND_NOW = re.compile(
    r"^(?:(?!新增|累计|新建|新入|今年)[\u4e00-\u9fff]{2}(?:高新区|经开区|区|县|镇)(?:全区|全县|全镇)?|全区|全县|全市|全镇"
    r"|今年|上半年|前三季度|一季度|全年|目前|现有|截至\S*?底|\d{4}年(?:底|末)?|\d{1,2}月(?:末|底)|\d{1,2}至\d{1,2}月)+"
)
_KIND_OF_ITEMS = re.compile(r"^[\u4e00-\u9fff]{0,6}?(新增|累计)")


def _merged(items: list[str], listed: str, counted: re.Match[str] | None) -> list[str]:
    """The items of a list, as many as the claim counts: 「新建和改造A、B,两项合计」 has two items, the
    first 「新建和改造A」 (joined again where 和 or 与 split it, not 、)."""
    want = _NUMBER_OF.get(counted.group(1), 0) if counted else 0
    for i in range(len(items) - 2, -1, -1):  # 「新建和改造的A与提档升级的B」: 新建 and 改造 share A
        verb = _BUILT.fullmatch(items[i])  # after the place the claim names (「武进新建」)
        if len(items) >= 3 and verb and "的" in items[i + 1] and f"{verb.group(1)}和{items[i + 1]}" in listed:
            items[i : i + 2] = [f"{items[i]}和{items[i + 1]}"]
    while want and len(items) > want:
        for i in range(len(items) - 1):
            joined = f"{items[i]}和{items[i + 1]}", f"{items[i]}与{items[i + 1]}", f"{items[i]}及{items[i + 1]}"
            glue = next((j for j in joined if j in listed), None)
            if glue is not None:
                items[i : i + 2] = [glue]
                break
        else:
            return items
    return items


# A verb of building alone (after a place, 「武进新建」): it shares the next item's noun (「…和改造的A」).
_BUILT = re.compile(
    "[\u4e00-\u9fff]{0,4}?(新建|改造|改建|扩建|改扩建|新增|建成|完成|开工|竣工|整治|修缮|提升|升级|提档升级)"
)
_SUM_END = re.compile(f"(?:{_SUM.pattern})$")


def _remainder(at: _Around) -> Relation | None:
    if at.unit == "倍":
        return None  # 「是新能源产业其余部分的6倍多」: a ratio to the rest
    cue = _REMAINDER_LEAD.search(at.lead)
    among = _among_before(at.before)
    if not cue and not _REMAINDER_TRAIL.match(at.trail):
        compared = _DIFFERENCE_CUE.search(at.lead) and _DIFFERENCE_END.search(at.lead)  # 「…中,创业类比创新类多」
        if among and at.unit not in ("%", "百分点", "倍") and not compared:  # 「17家A级景区中,4A级以下的有12家」
            said = _NEGATED_AFTER.match(at.trail)  # 「还有14个村尚未建成…」: the part is said after it
            return Relation(REMAINDER, (_clean(among), _clean(said.group(1)) if said else at.subject), statable=True)
        own_among = _among(at.lead) if at.lead.endswith(("中", "里")) else ""
        if own_among and at.unit in _COUNTS and len(_clean(at.trail)) >= 2:  # 「17个国考断面中15个达到优Ⅲ」: a part
            return Relation(REMAINDER, (_clean(own_among), _clean(at.trail)), statable=True)
        inside = _AMONG_INSIDE.match(at.lead)
        if inside and at.unit in _COUNTS:  # 「新招聘教师中具有硕士研究生学历的超过300名」: a part
            return Relation(REMAINDER, (_clean(inside.group(1)), _clean(inside.group(2))), statable=True)
        if (not_yet := _NOUN_NOT_YET.match(at.trail)) and re.search("(?:还|仍|尚)有$", at.lead):  # 「还有…耕地尚未…」
            return Relation(REMAINDER, (_clean(not_yet.group(1)), not_yet.group(2)), statable=True)
        if not_yet := _NOT_YET_OF.match(at.lead):  # 「尚未开展生活垃圾分类的行政村有56个」
            return Relation(REMAINDER, (_clean(not_yet.group(2)), not_yet.group(1)), statable=True)
        return None
    if cue and re.search(r"\d", at.lead[cue.end() :]):
        return None  # 「其余9个村的…未超过300万元」: the rest is 9个, not 300万元
    head = at.lead[: cue.start()] if cue else at.lead
    among = _among(head) or _among_before(at.before)
    excepted = _EXCEPT_WORDS.search(at.before + head) or _EXCEPT_CLAUSE.search(at.before)
    if cue and excepted:  # 「新能源产业产值中,除新能源汽车及核心零部件外,剩下的…」: the part is what is excepted
        whole = _clean(_among(head[: excepted.start()] if excepted.start() < len(at.before) else "")) or _clean(
            _last_among(at.before[: excepted.start()])
        )
        whole = whole or _clean(re.sub(cue.group(0) + "(?:行业|部分|领域|板块)?", "", at.lead))  # 「除…外,其余…」
        whole = _SUM_END.sub("", whole) or whole  # 「其余粮食产量合计」
        return Relation(REMAINDER, (whole, _clean(excepted.group(1))))
    if cue and _EXCEPT.match(cue.group(0)):  # 「(除)A以外的产值」: the part is A
        part = _clean(re.sub(r"^.*?除", "", head[len(_among(head)) :] if _among(head) else head))
        whole = _clean(among) or _clean(re.sub(r"^的", "", at.lead[cue.end() :]))  # 「A之外的一般公共预算支出」
        whole = (
            at.earlier if re.fullmatch("部分|其他|其余|剩余部分", whole) and at.earlier else whole
        )  # 「…之外的部分」
        return Relation(REMAINDER, (whole, part)) if whole and part else None
    head = re.sub("距(?:离)?(?=.*(?:目标|任务|计划)$)", "", head)  # 「筹集量距全年目标还差」: the target less the done
    if to_plan := _TO_PLAN.search(head):  # 「重大项目距年度计划投资还差」: the planned measure less what is done of it
        owner = head[: to_plan.start()]
        return Relation(REMAINDER, (_clean(owner + to_plan.group(1)), _clean(owner + "完成" + to_plan.group(2))))
    whole = _clean(among) if among else _clean(head) or at.subject
    if cue and _NEED.fullmatch(cue.group(0)) and not among and len(_clean(at.lead[cue.end() :])) >= 2:
        whole = _clean(at.lead[cue.end() :]) + "任务"  # 「下半年还需筹集保障性租赁住房」: what is left to do
    if (plan := PLAN.search(whole)) and PLAN.sub("", whole):  # 「就业目标还剩约8400人」: the target less what is done
        return Relation(REMAINDER, (whole, whole[: plan.start()] + whole[plan.end() :]))
    return Relation(REMAINDER, (whole, _clean(_REMAINDER_TRAIL.sub("", at.trail)) or at.subject))


PLAN = re.compile("(?:的)?(?:目标任务|目标|任务|计划)$")
_TO_PLAN = re.compile("距(?:离)?([^,,;;。]{0,6}?(?:计划|目标)(?:完成)?((?:投资|产值|收入|产量|面积|里程)))$")
_NEED = re.compile("还需|尚需|仍需|还要")


_NOUN_NOT_YET = re.compile(r"^([\u4e00-\u9fff]{1,8}?)((?:仍|尚|还)?(?:未|没有|没)[\u4e00-\u9fff]{2,16})$")
_NOT_YET_OF = re.compile(
    r"^(?:[\u4e00-\u9fff]{2}[区县镇])?((?:仍|尚|还)?(?:未|没有|没)[^的,,]{2,16})的([\u4e00-\u9fff]{2,8}?)(?:还|仍)?(?:有|共有|为)?$"
)
_NEGATED_AFTER = re.compile(
    r"^(?:[\u4e00-\u9fff](?=仍|尚|还|未|没))?((?:[\u4e00-\u9fff]{2,4}?)?(?:仍|尚|还)?(?:未|没有|没|不是)[^,,;;。\s]{2,16})"
)  # 「…中,还有2个水质未达到Ⅲ类」, 「还有24辆不是新能源车」
_AMONG_INSIDE = re.compile(r"^(.{2,20}?)中(?!的)(.{2,20}?的)(?:还|仍|只|仅)?(?:有|共有|为|约|近|超过|达到|达)*$")
_COUNTS = ("人", "人次", "名", "个", "家", "所", "户", "项", "座", "套")
_EXCEPT_CLAUSE = re.compile(r"(?:^|[,,;;])([^,,;;。除]{2,30}?)(?:以外|之外)[,,]$")  # 「三大主导产业之外,其余…」
_EXCEPT_WORDS = re.compile(r"除(?:了)?([^,,;;。除]{2,30}?)(?:以外|之外|外)")


def _last_among(before: str) -> str:
    """The whole of the last clause of ``before`` that ends in 「中」 (「新能源产业产值中,除…外,」)."""
    for clause in reversed(re.split(_SEP, before)):
        if clause.endswith(("中", "里")) and len(clause) >= 3:
            return clause[:-1]
    return ""


def _ratio(at: _Around) -> Relation | None:
    m = _between(at.lead, _RATIO_CUE, _RATIO_END)
    if at.unit != "倍" or not m or _PERIOD.fullmatch(m.words):
        return None
    first = _clean(at.lead[: m.start]) or at.earlier  # 「…带动的消费,是发放金额的15倍多」
    other = _clean(m.words)
    cue = at.lead[m.start : m.start + 4]
    hedge = "近" if cue.startswith("接近") else "约" if cue.startswith(("约", "大约")) else ""
    if len(_GENERIC_WHOLE.sub("", _NEW.sub("", _PERIOD.sub("", other)))) < 2 and _NEW.search(other):
        # 「累计上市企业数是今年新增数的25倍」: what was added of the first's subject
        return Relation(RATIO, (first, "新增" + re.sub("累计|数量|数$", "", first)), statable=True, hedge=hedge)
    return Relation(RATIO, (first, _whole(other, first)), statable=True, hedge=hedge)


def _difference(at: _Around) -> Relation | None:
    if done := _MORE_DONE.match(at.lead):  # 「交通类项目比市政公用类多完成投资约15.7亿元」: each one's 完成投资
        first = _clean(done.group(1)) or at.earlier or at.subject
        measure = re.sub("^(?:完成|实现|投入|建成|新增|增加|接待)", "", done.group(4)) or done.group(4)  # 投资
        pair = (first + measure, _clean(done.group(2)) + measure)
        return Relation(DIFFERENCE, pair[::-1] if done.group(3) == "少" else pair)
    m = _between(at.lead, _DIFFERENCE_CUE, _DIFFERENCE_END) or _between(at.lead, _GAP_CUE, _GAP_END)
    if not m or _PERIOD.fullmatch(m.words):
        return None
    # 「A的增速,比B高出近11个百分点」: A is the clause before
    first = _clean(at.lead[: m.start]) or at.earlier or at.subject
    if _MEASURE.fullmatch(first) and at.earlier:  # 「农村居民收入增长6.9%,增速比城镇居民高」: 农村居民收入增速
        first = re.sub("(?:增长|增加|提高|下降)$", "", at.earlier) + first
    pair = (first, _with_noun(_clean(m.words), first))
    if _LESS.search(at.lead[m.start :]):  # 「A比B少27亿元」: B − A, which is negative when A is more
        pair = pair[::-1]
    # A gap between two rates is stated as it is (「增速高于社零总额7.5个百分点」); one of amounts is not.
    return Relation(DIFFERENCE, pair, statable=at.unit == "百分点")


_MORE_DONE = re.compile(
    r"^(.*?)(?<!占)比(.{2,12}?)(多|少)((?:完成|实现|增加|投入|接待|建成|新增)[\u4e00-\u9fff]{1,4}?)了?(?:约|近|超过|逾)?$"
)


_LESS = re.compile(r"(?:少|低|慢|减少)(?:了|出)?(?:约|近|超过|逾)?$|低于|少于|慢于")


def _base(at: _Around) -> Relation | None:
    m = _BASE.search(at.lead)
    framed = _BASE_CLAUSE.match(at.before)  # 「去年同期,…签约率约为85.9%」: the clause's time
    if at.unit in ("百分点", "倍") or (at.unit == "%" and (not (m or framed) or _RATE_MOVED.search(at.lead))):
        return None  # 「去年同期失业率为4.9%」 is a rate's level; 「去年同期增长5.9%」 no level at all
    if not m:  # 「去年上半年,武进…产值约1679亿元」: the claim's period, in a clause of its own
        return Relation(BASE, (at.subject,)) if framed else None
    return Relation(BASE, (_clean(at.lead[: m.start()] + at.lead[m.end() :]) or at.earlier,))  # 「…,上年约为…」


_RATE_MOVED = re.compile("增|降|减|涨|提高|回落|加快|放缓|上升|下滑")
_BASE_CLAUSE = re.compile(
    r"^(?:[\u4e00-\u9fff]{0,4}?(?:上年|去年|上一年|前一年))(?:同期|全年|上半年|前三季度|一季度)?[,,]$"
)


def _increase(at: _Around) -> Relation | None:
    """「出口额比去年同期增加约36亿元」: this year's level less last year's, from the level and its
    growth (a source may state it as it is: 「比去年同期增加8700人」)."""
    m = _INCREASE.search(at.lead)
    if not m and _SINCE_LAST_YEAR.search(at.before):
        m = _INCREASED.search(at.lead)
    if not m or at.unit in ("%", "百分点", "倍"):
        return None
    return Relation(INCREASE, (_clean(at.lead[: m.start()]) or at.earlier,), statable=True)


_INCREASE = re.compile(r"(?:(?:比|较)(?:去年|上年)同期|同比)(?:增加|增长|多出|多)了?(?:约|近|超过|逾)?$")
_SINCE_LAST_YEAR = re.compile(r"与(?:去年|上年)同期相比[,,]$")  # 「与去年同期相比,…增加了约73亿元」
_INCREASED = re.compile(r"(?:增加|增长|多出|多)了?(?:约|近|超过|逾)?$")


def _apart(at: _Around) -> Relation | None:
    """「城镇居民与农村居民人均可支配收入相差2.1万多元」, 「城乡居民…相差约1.45万元」: two figures apart."""
    m = _APART.search(at.lead)
    if not m or at.unit in ("%", "倍"):
        return None
    head = _clean(at.lead[: m.start()]) or at.earlier
    if "城乡" in head:  # 城乡 names the towns and the countryside
        return Relation(GAP, (head.replace("城乡", "城镇", 1), head.replace("城乡", "农村", 1)))
    pair = re.match(r"^(.{2,20}?)(?:与|和|同|跟)(.{2,30}?)(?:之间)?(?:的)?$", head)
    if not pair:
        return None
    return Relation(GAP, (_with_noun(pair.group(1), pair.group(2)), pair.group(2)))


_APART = re.compile(r"(?:相差|差距为|差距是|差距达|差距|差额为|差额)(?:了)?(?:约|近|超过|逾)?$")


def _moved(at: _Around) -> Relation | None:
    """「高标准农田占耕地总面积的比重,今年比去年提高了将近11个百分点」: a rate's move in points, which
    an article may state as it is (「比一季度提高0.9个百分点」) or give as its two rates."""
    m = _MOVED.search(at.lead)
    if at.unit != "百分点" or not m:
        return None
    head = _SINCE.sub("", at.lead[: m.start()])
    rate = _clean(_SPAN.sub("", head)) or at.earlier  # 「…的比重已超过四分之三,一年提高了…」
    return Relation(FALL if m.group("fall") else RISE, (rate,), statable=True) if rate else None


_MOVED = re.compile(
    r"(?:(?P<rise>提高|上升|提升|增加)|(?P<fall>下降|降低|回落|减少|下滑))了?(?:约|近|将近|接近|超过|逾)?$"
)
_SPAN = re.compile(r"^(?:一年|今年|全年|年内|一年来|今年以来|去年以来)(?:来)?")
# The base a move is measured from (「今年比去年」, 「同比」, 「较上年末」): the rate's time, not its words.
_SINCE = re.compile(
    r"(?:今年|本年)?(?:比|较|同比|与)(?:去年|上年|年初|上年末|前年|\d{4}年|上半年|一季度|上季度|前三季度|上月)?"
    r"(?:同期|底|末)?(?:相比)?$"
)


def counts_its_list(claim: str, fig: Figure) -> bool:
    """「A和B两家医院的门急诊量」: a small count right after a list of as many names counts the list."""
    listed = re.split(_SEP, claim[: fig.start])[-1]
    n = _NUMBER_OF.get(fig.text[:1], 0)
    return bool(_LIST_COUNT.fullmatch(fig.text)) and n >= 2 and len(_LIST.split(listed)) == n


_LIST_COUNT = re.compile("[两二三四五六七八九][家所个座项类]")


def _per(at: _Around) -> Relation | None:
    """「消费券每1元直接拉动消费约7元」: what one unit of the first brings, a ratio of two totals."""
    m = _PER.search(at.lead)
    if not m:
        return None
    return Relation(RATIO, (_clean(at.lead[m.end() :]), _clean(at.lead[: m.start()])))


def _average(at: _Around) -> Relation | None:
    """「游客人均消费约1170元」: (what is totalled, who shares it) = (游客消费, 游客); 「7所新校平均每所
    新增学位1400个」: (新增学位, 7所新校)."""
    m = _AVERAGE.search(at.lead)
    if not m or at.unit in ("%", "百分点", "倍"):
        return None
    if monthly := re.match("月(?:均)?", at.lead[m.end() :]) if m.group(0) == "平均每" else None:
        what = at.lead[: m.start()] + at.lead[m.end() + monthly.end() :]
        return Relation(AVERAGE, (_clean(what), MONTH), True)  # 「平均每月」
    who = _clean(at.lead[: m.start()]) or at.earlier  # 「参加…的基层党组织,平均每个有党员20多名」
    after = re.sub(r"^[所个家户人名座场批亩项处]", "", at.lead[m.end() :])  # 「平均每所」: the measure
    after = after.replace("平均", "")  # 「每个家庭医生团队平均签约服务…」
    if _AVERAGE_WHO.match(m.group(0)):  # 「168个行政村村均集体经营性收入」: 行政村集体经营性收入
        return Relation(AVERAGE, (_clean(re.sub(r"\d+(?:\.\d+)?[个家所户人名座]", "", who) + after), who), True)
    verb, noun = _AVERAGE_VERB.search(after), _clean(at.trail)
    if verb and len(noun) < 2:  # 「平均每个基层党组织有党员50多名」
        noun = _clean(after[verb.end() :])
    if verb and verb.group(0) in _DONE_BY_WHO and len(noun) >= 2:  # 「每家高新技术企业实现营业收入」: theirs
        noun = _clean(after)
    if verb and len(noun) >= 2:  # 「平均每个基层党组织约有21名党员」: 党员 among 基层党组织
        return Relation(AVERAGE, (noun, _clean(after[: verb.start()]) if verb.start() >= 2 else who), True)
    if (owned := _OWNED.fullmatch(after)) and not _AVERAGE_WHO.match(m.group(0)):  # 「每个已投项目的平均投资额」
        return Relation(AVERAGE, (_clean(owned.group(2)), _clean(owned.group(1))), True)
    what = _clean(after)
    if len(what) <= 2:  # 「8个乡镇综合客运站平均每个投资…」: the 客运站's 投资
        what = re.sub(r"\d+(?:\.\d+)?[个家所座场批项]|^.*?[两二三四五六七八九十]+[个家所座场批项]", ",", who) + what
    return Relation(AVERAGE, (what, who), True)


# What the total of 「平均每个A有N名B」 is done by: the verb between A and the figure.
_AVERAGE_VERB = re.compile(
    "约有|共有|有|涉及|促成|带动|投资|吸纳|接待|覆盖|服务|拥有|获得|领到|领取|享受|达到|达|实现|创造|缴纳"
)
_DONE_BY_WHO = ("实现", "创造", "缴纳")  # what the total is: who did it (「高新技术企业实现营业收入」)
_OWNED = re.compile(r"([^的]{2,16})的(?:平均)?([^的]{2,10})")  # 「已投项目的投资额」: A's B
