"""A share a claim states (占…的比重, X中近九成, 「…中已配租的不到八成」, 「…已接近…的七成」): its
whole and its part, read from general Chinese (derived.py reads the other relations)."""

from __future__ import annotations

import re

from .wording import SEP as _SEP
from .wording import SHARE, Relation
from .wording import TRAILING as _TRAILING
from .wording import Around as _Around
from .wording import between as _between
from .wording import clean as _clean

_SHARE_CUE = re.compile(r"占(?!比|据|用|有|地(?!区))(?:到)?")
_SHARE_END = re.compile(r"(?:的)?(?:比重|比例|份额|总量的|总数的)?(?:为|达到|达|约|超过|近|的)?$")
_AMONG_END = re.compile(r"[中里](?:的)?(?:还|仍|尚)?(?:有|共有)?$")
GENERIC_WHOLE = re.compile(r"累计|总数|总量|总额|全部|所有|总计|全区|全市|全县|的|数量|数|建成|拥有|达到")
NEW = re.compile(r"新增|新入选|新认定|今年|上半年|当年|本年")


def among(text: str) -> str:
    """The whole in 「17个国考断面中」 at the end of a clause ("" when the clause does not end so)."""
    end = _AMONG_END.search(text)
    return text[: end.start()] if end and end.start() >= 2 else ""


def among_before(before: str) -> str:
    """The whole of a clause before ending in 「…中,」 (「新能源产业中,…」)."""
    clause = re.split(_SEP, before.rstrip(_TRAILING))[-1] if before.rstrip(_TRAILING) != before else ""
    return clause[:-1] if clause.endswith(("中", "里")) and len(clause) >= 3 else ""


def share(at: _Around) -> Relation | None:
    """The share the words around a figure in % state: (its whole, its part), or None."""
    if at.unit != "%":
        return None
    if (area := _OF_AREA.match(at.lead)) and (town := _TOWN.match(area.group(1))):  # 「东渡街道新增就业占全区总量的」
        return Relation(SHARE, (area.group(2) + area.group(1)[town.end() :], area.group(1)), statable=True)
    if (m := _between(at.lead, _SHARE_CUE, _SHARE_END)) and _clean(m.words):
        part = _clean(at.lead[: m.start]) or at.earlier or at.subject
        whole = whole_of(_clean(m.words), part)
        if NEW.search(part) and re.search("总数|总量|累计", at.lead[m.start :]) and "累计" not in whole:
            whole = "累计" + GENERIC_WHOLE.sub("", whole)  # 「新增的上市企业,占全区上市企业总数的」: all of them
        return Relation(SHARE, (whole, part), statable=True)
    if whole := among(at.lead):
        return Relation(SHARE, (_clean(whole), _clean(at.trail)), statable=True)
    if _SHARE_ALONE.fullmatch(at.lead) and (said := _COUNTED_AMONG.search(at.before)):  # 「17个…中15个…,占比接近」
        return Relation(SHARE, (_clean(said.group(1)), _clean(said.group(2))), statable=True)
    if named := _DOING_SHARE.match(at.lead):  # 「社区卫生服务中心达到…推荐标准的比例已超过」: of all of them
        return Relation(SHARE, (_clean(named.group(1)), _clean(named.group(2) + named.group(3))), statable=True)
    if (named := _BORNE.match(at.lead)) and (noun := _clean(re.sub("^的", "", at.trail))):  # 「A承担了全区过半的B」
        return Relation(SHARE, (named.group(2) + noun, _clean(named.group(1)) + noun), statable=True)
    if named := _IN_WHOLE.match(at.lead):  # 「A在B中的比重不足」: A of B
        return Relation(SHARE, (_clean(named.group(2)), _clean(named.group(1))), statable=True)
    if named := _PART_OF_TOTAL.match(at.lead):  # 「新开工项目不到重大项目总数的五分之一」: 不到 bounds it
        return Relation(SHARE, (_clean(named.group(3)), _clean(named.group(1))), True, hedge=named.group(2))
    if of_total := _OF_TOTAL.match(at.lead):  # 「已完成的民生实事项目还不到总数的一半」: 完成 of 民生实事项目
        done, _, noun = _clean(of_total.group(1)).rpartition("的")
        return Relation(SHARE, (noun, done or noun), statable=True) if len(noun) >= 2 else None
    if (named := _IS_PART.match(at.trail)) and at.lead.strip() in ("其中", "") and at.earlier:
        return Relation(SHARE, (at.earlier, _clean(named.group(1))), statable=True)  # 「…,其中三分之二是…学位」
    if named := _AMONG_SHARE.search(at.lead):  # 「17个国考断面中优Ⅲ断面占比近九成」
        return Relation(SHARE, (_clean(named.group(1)), _clean(named.group(2))), statable=True)
    if named := _OF_SHARE.search(at.lead):  # 「17个国考断面的优Ⅲ比例超过85%」
        return Relation(SHARE, (_clean(named.group(1)), _clean(named.group(2))), statable=True)
    if len(at.lead) <= 4 and (named := _SHARE_OF_NOUN.match(at.trail)):  # 「近九成国考断面达到优Ⅲ」
        return Relation(SHARE, (_clean(named.group(1)), _clean(named.group(2))), statable=True)
    whole = among_before(at.before)
    part = _clean(_SHARE_WORDS.sub("", at.lead)) or _clean(at.trail)  # 「68个行政村中,六成以上村集体…」
    if whole and len(part) >= 2:  # 「新增学位中,义务教育学位占三分之二」, 「…中,区域首店所占比例近四成」
        return Relation(SHARE, (_clean(whole), part), statable=True)
    if named := _AMONG_OF.match(at.lead):  # 「人才公寓中已配租的不到八成」
        return Relation(SHARE, (_clean(named.group(1)), _clean(named.group(2))), statable=True)
    if named := _REACHES_OF.match(at.lead):  # 「高新技术产业产值已接近规上工业总产值的七成」: 接近 bounds it
        return Relation(SHARE, (_clean(named.group(3)), _clean(named.group(1))), True, hedge=named.group(2))
    if of_all := _OF_ALL.match(at.lead):  # 「已开展生活垃圾分类的行政村约占三分之二」: of all 行政村
        return Relation(SHARE, (_clean(of_all.group(2)), _clean(of_all.group(1))), statable=True)
    return None


_TOWN = re.compile(r"[\u4e00-\u9fff]{2}(?:镇|乡|街道)(?:的)?")
_OF_AREA = re.compile(r"^(.{4,20}?)(?:约|已|仅)?占(全区|全县|全市)(?:的)?(?:总量|总数|总额|合计|总和)?的(?:约|近)?$")
_SHARE_ALONE = re.compile(r"(?:其)?(?:占比|所占比例|所占比重|比例|比重)(?:为|达到|达|约|近|接近|超过|不到|不足)*")
_COUNTED_AMONG = re.compile(
    r"([^,,;;]{2,30}?)中(?:有)?(?:\d+|[一二两三四五六七八九十百]+)[个家所项名座条]?([^,,;;\d]{2,20})[,,]$"
)
_DOING_SHARE = re.compile(
    r"^(.{2,20}?)(达到|实现|完成|通过|开展|建成|参与|签约)(.{2,30}?)的(?:比例|比重|占比)(?:为|达到|达|约|近|接近|超过|已|不到|不足)*$"
)
_BORNE = re.compile(
    r"^(.{2,20}?)(?:承担|贡献|完成|实现|吸纳|接待|占据|占)了?(全区|全县|全市|全镇)(?:的)?(?:约|近|超过|不到)?$"
)
_IN_WHOLE = re.compile(
    r"^(.{2,30}?)在(.{2,30}?)中(?:的|所占的?)(?:比重|比例|份额)(?:为|达到|达|约|近|接近|超过|不到|不足|已)*$"
)
_AMONG_OF = re.compile(r"^(.{2,30}?)中(.{2,20}?)的(?:还|仍|只|仅)?(?:不到|不足|超过|接近|近|约|达到|占)*$")
_REACHES_OF = re.compile(
    r"^(.{2,30}?)(?:已|还|仍|只|仅|也)?(接近|不到|不足|超过|达到|相当于|约为|约是|是|为)了?(.{2,30}?)的(?:约|近)?$"
)


_OF_ALL = re.compile(r"^(.{2,30}?)的([\u4e00-\u9fff]{2,8}?)(?:约|已|已经|均)?占(?:到|了)?(?:约|近|超过)?$")
_PART_OF_TOTAL = re.compile(
    r"^([^的]{2,20}?)(?:还|仍|已|只|仅)?(不到|不足|超过|达到|接近|占到|占)([^的]{2,20}?)(?:总数|总量|总额)的(?:约|近)?$"
)
_OF_TOTAL = re.compile(
    r"^(.{2,30}?)(?:还|仍|已|只|仅)?(?:不到|不足|超过|达到|接近|近|约|占)?(?:总数|总量|总额)的(?:约|近)?$"
)
_IS_PART = re.compile(r"^(?:是|为|属于)([\u4e00-\u9fff“”]{2,20})$")
_OF_SHARE = re.compile(r"^(.{2,30}?)的(.{2,20}?)(?:比例|比重|占比)(?:为|达到|达|约|近|超过)*$")
_SHARE_WORDS = re.compile(
    r"(?:一地|一镇|一县|一区|一家)?(?:所占比例|所占比重|占比|的比例|的比重|贡献了|贡献|约占|占|超过|近|约|达到|达|为|已|了|就|便)+$"
)  # 「白沙镇一地就占了超过」: 白沙镇


# A share written before its noun: the noun is the whole, what it reaches is the part
_SHARE_OF_NOUN = re.compile(
    r"^的?([\u4e00-\u9fff]{2,12}?)(?:已|均|都)?(?:达到|达|为|是|属于)了?(.{1,12}?)(?:类|水平)?$"
)
_AMONG_SHARE = re.compile(
    r"^(.{2,30}?)中(.{2,30}?)(?:所占比重|所占比例|占比|的比重|的比例|比重|比例)(?:为|达到|达|约|近|超过|的)*$"
)


def whole_of(words: str, part: str) -> str:
    """The whole a share or a ratio names; 「累计总数」 alone is the part's subject counted in all."""
    if len(GENERIC_WHOLE.sub("", words)) >= 2:
        return words
    return "累计" + NEW.sub("", part)
