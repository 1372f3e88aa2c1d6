"""Realistic newsroom files for the reader tests and benchmarks.

E-paper PDFs laid out by Chromium and by reportlab, news web pages (UTF-8 or GBK), Word documents
(a finished article and a reporter's draft), and the bad inputs the readers must refuse. Every
word a person reads in these files is Chinese; every file is the same on each run (no randomness
without a fixed seed, no current dates).

``python tests/newsroom.py OUT_DIR`` writes every kind of file into OUT_DIR for a look.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import io
import os
import random
import re
import sys
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "corpus" / "wujin-2024-07-plenary.txt"
BUNDLED_DATE = "2024-07-20"  # the issue the bundled articles appeared in
CHROMIUM = "/usr/bin/chromium"
SITE_URL = "https://www.wjdaily.example"
SITE_NAME = "武进新闻网"
# The jump lines of a story continued on another page (ASCII parentheses, as the corpus writes its bylines).
JUMP_OUT = "(下转第{page}版)"
JUMP_IN = "(上接第{page}版)"
AD_LABEL = "广告"
AD_LINES = ("湖畔·云庭 品质人居 静享湖光", "样板房盛大开放 首付二十万元起", "置业热线:0519-8668 1234")
WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Story:
    """One news article: its paragraphs are verbatim (a byline that opens the text stays in it)."""

    title: str
    subtitle: str
    byline: str
    paragraphs: tuple[str, ...]
    date: str  # YYYY-MM-DD
    author: str
    section: str


# -- stories -------------------------------------------------------------------------------------


def _author_of(byline: str) -> str:
    """The reporter's name in 「本报讯(记者 朱梦琪)」, or the byline itself (「本报评论员」)."""
    m = re.search(r"记者\s*([^\s()()]+)", byline)
    return m.group(1) if m else byline.lstrip("□■ ").strip()


def bundled_stories() -> list[Story]:
    """The three articles of the bundled corpus file, paragraphs exactly as the corpus parses them."""
    from quoteqa.ingest.corpus import parse

    stories = []
    for article in parse(BUNDLED.read_text(encoding="utf-8"), BUNDLED.name):
        stories.append(
            Story(
                title=article.title,
                subtitle=article.subtitle,
                byline=article.byline,
                paragraphs=tuple(p.text for p in article.paragraphs),
                date=BUNDLED_DATE,
                author=_author_of(article.byline),
                section="评论" if "评论员" in article.byline else "要闻",
            )
        )
    return stories


_TEST_STORIES: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    (
        "柳河区上半年经济运行稳中向好",
        "地区生产总值同比增长6.8%",
        "本报讯(记者 王晓燕)",
        "要闻",
        (
            "本报讯(记者 王晓燕)昨天,记者从柳河区统计局获悉,今年上半年全区实现地区生产总值486.2亿元,"
            "同比增长6.8%,增速高于全市平均水平0.9个百分点,主要经济指标保持稳中有进的良好态势。",
            "工业生产持续回升。上半年全区规模以上工业增加值同比增长8.3%,其中高端装备、新材料两大主导产业"
            "分别增长11.6%和9.4%。全区新增规模以上工业企业37家,累计达到1126家。",
            "消费市场加快复苏。上半年全区社会消费品零售总额达到213.5亿元,同比增长7.1%。柳河老街、滨河夜市"
            "等消费街区客流量超过420万人次,带动餐饮收入增长15.2%。",
        ),
    ),
    (
        "柳河新城片区综合开发全面提速",
        "年内计划完成投资128亿元 新开工项目42个",
        "本报讯(记者 陈思远 通讯员 刘静)",
        "要闻",
        (
            "本报讯(记者 陈思远 通讯员 刘静)7月19日,柳河新城片区重点项目集中开工仪式在滨河大道东侧举行。"
            "此次集中开工的项目共有18个,总投资达到96.5亿元,涵盖先进制造、商贸物流、社会事业和基础设施等"
            "多个领域。区委书记周建国出席仪式并宣布项目开工,区长孙立新主持仪式。",
            "柳河新城片区规划面积32.6平方公里,是全区“十四五”期间城市建设的主战场。今年以来,片区坚持规划"
            "引领、产城融合,年内计划完成投资128亿元,新开工项目42个,竣工项目27个。截至6月底,片区已完成"
            "投资71.3亿元,占年度计划的55.7%,比去年同期多完成投资12.8亿元。",
            "在产业项目方面,总投资35亿元的柳河智能装备产业园一期已完成主体结构施工,预计明年3月投产,达产后"
            "可实现年产值60亿元、新增就业岗位2800个。总投资12亿元的冷链物流中心项目已完成土地摘牌,将建设"
            "冷库库容18万吨,建成后将成为苏南地区规模最大的冷链物流枢纽之一。",
            "在民生项目方面,柳河新城实验学校、新城第二幼儿园将于今年9月同步启用,可新增学位2430个。柳河区"
            "人民医院新城院区已完成主体封顶,设计床位800张,计划于2025年底投入使用。片区还将新建口袋公园9个、"
            "绿道14.5公里,让居民出门见绿、推窗见景。",
            "在基础设施方面,滨河大道南延工程全长6.8公里,已完成总工程量的七成,预计今年10月建成通车。新城"
            "片区与主城区之间的公交线路将由目前的5条增加到9条,高峰时段发车间隔缩短至8分钟。区住建局相关"
            "负责人表示,将倒排工期、挂图作战,确保各项目按时序推进。",
        ),
    ),
    (
        "我区新增5所普惠性幼儿园",
        "",
        "本报讯(记者 李晓梅)",
        "民生",
        (
            "本报讯(记者 李晓梅)记者从区教育局了解到,今年秋季学期,我区将新增5所普惠性幼儿园,新增学位"
            "1350个,全区普惠性幼儿园覆盖率将提高到92.5%。",
            "新增的5所幼儿园分别位于柳河街道、湖滨镇和新城片区,均按照省优质幼儿园标准建设,每所幼儿园配备"
            "专职保健医生和营养师。目前各园教师招聘已完成,共招聘教师186名。",
        ),
    ),
    (
        "全力以赴做好防汛抗旱工作",
        "全区储备防汛物资价值2300万元",
        "本报讯(记者 赵磊)",
        "要闻",
        (
            "本报讯(记者 赵磊)入汛以来,我区累计降雨量达到612毫米,较常年同期偏多三成。全区各级各部门坚持"
            "24小时值班值守,对31座闸站、146公里堤防开展拉网式排查,发现并整改隐患43处。",
            "目前,全区共储备编织袋12万条、块石8600吨、抽水泵210台,防汛物资总价值约2300万元,组建抢险救援"
            "队伍58支、队员2100人。区防汛抗旱指挥部要求,各镇(街道)要严格落实防汛责任制,确保人员到位、"
            "物资到位、措施到位。",
            "区气象局预计,7月下旬我区仍将出现2至3次强降雨过程,局部地区日降雨量可能超过100毫米。相关部门"
            "提醒市民关注天气预报,尽量减少雷雨天气外出。",
        ),
    ),
    (
        "柳河古镇暑期游持续升温",
        "",
        "本报讯(记者 周婷)",
        "文旅",
        (
            "本报讯(记者 周婷)进入暑期,柳河古镇迎来旅游高峰。7月以来,古镇累计接待游客38.6万人次,同比增长"
            "23.4%,其中外地游客占比达到61%,实现旅游收入1.2亿元。",
            "今年暑期,古镇推出夜游运河、非遗市集、研学体验等12项特色活动,每晚开放时间延长至22时。为缓解"
            "停车压力,景区新增临时停车位650个,并开通3条免费接驳专线。",
            "古镇管委会负责人介绍,下一步将加快推进古镇二期保护性开发,计划用三年时间修缮历史建筑47处,力争到"
            "2026年创成国家5A级旅游景区。",
        ),
    ),
)


def test_page_stories() -> list[Story]:
    """Five short stories of the fictional 柳河区 for the layout tests; the second jumps to page 2."""
    return [
        Story(title, subtitle, byline, paragraphs, BUNDLED_DATE, _author_of(byline), section)
        for title, subtitle, byline, section, paragraphs in _TEST_STORIES
    ]


test_page_stories.__test__ = False  # type: ignore[attr-defined]  # a fixture maker, not a test


def _written_date(date: str) -> str:
    """「2024年7月20日 星期六」 for 2024-07-20."""
    day = dt.date.fromisoformat(date)
    return f"{day.year}年{day.month}月{day.day}日 星期{WEEKDAYS[day.weekday()]}"


def _short_title(title: str) -> str:
    """The repeated headline of a continuation: the headline's first half, at most 14 characters."""
    first = re.split(r"[ \u3000]", title.strip())[0]
    return first if len(first) <= 14 else first[:12] + "……"


# -- pieces of stories, as placed on a page --------------------------------------------------------


@dataclass(frozen=True)
class _Piece:
    """A story, or the part of it placed in one box of one page."""

    story: Story
    paragraphs: tuple[str, ...]
    continued: bool = False  # the first paragraph continues a paragraph cut on an earlier page
    jump_from: int | None = None  # the page it continues from (上接第N版)
    jump_to: int | None = None  # the page it continues on (下转第N版)

    @classmethod
    def of(cls, story: Story) -> _Piece:
        return cls(story, story.paragraphs)

    @property
    def size(self) -> int:
        return sum(len(p) for p in self.paragraphs)

    def byline_line(self) -> str:
        """A byline printed on a line of its own (when the text does not open with it)."""
        story = self.story
        if self.jump_from is not None or not story.byline:
            return ""
        return "" if story.paragraphs and story.paragraphs[0].startswith(story.byline) else story.byline

    def cut(self, at: int, page: int) -> tuple[_Piece, _Piece]:
        """The piece cut after ``at`` characters: the part that stays, and the rest for ``page``."""
        offset = at
        for i, text in enumerate(self.paragraphs):
            if offset < len(text) or (offset == len(text) and i == len(self.paragraphs) - 1):
                break
            offset -= len(text)
        head = (*self.paragraphs[:i], text[:offset]) if offset else self.paragraphs[:i]
        tail = (text[offset:], *self.paragraphs[i + 1 :]) if offset < len(text) else self.paragraphs[i + 1 :]
        stays = replace(self, paragraphs=head, jump_to=page)
        rest = _Piece(self.story, tail, continued=0 < offset < len(text), jump_from=page - 1)
        return stays, rest

    def boundaries(self) -> list[int]:
        """Character counts at which a paragraph ends (cut points between paragraphs)."""
        ends, total = [], 0
        for text in self.paragraphs[:-1]:
            total += len(text)
            ends.append(total)
        return ends


_FIGURE_CHAR = re.compile(r"[0-9A-Za-z.%]")
_NO_LINE_START = set("。,、;:!?)》”’」』】…%")


def _mid_cut(piece: _Piece, at: int) -> int:
    """A cut point at or before ``at`` inside a paragraph (at least 4 characters from either end),
    never inside a figure (486.2 stays whole on one page) and never before closing punctuation."""
    text = "".join(piece.paragraphs)
    ends = {0, *piece.boundaries(), len(text)}
    at = min(at, len(text) - 1)
    while at > 1:
        inside_figure = _FIGURE_CHAR.match(text[at - 1]) and _FIGURE_CHAR.match(text[at])
        near_end = any(abs(at - e) < 4 for e in ends)
        if not inside_figure and not near_end and text[at] not in _NO_LINE_START:
            return at
        at -= 1
    return at


# -- the e-paper laid out by Chromium --------------------------------------------------------------

_PX_PER_MM = 96 / 25.4
PAGE_MM = (297, 420)  # A3
_MARGIN_MM = (12, 14)  # top and bottom, left and right
_HEADER_MM = 20
_GAP_PX = round(4 * _PX_PER_MM)
BODY_PT = 10.5
LEAD_HEADLINE_PT = 26
HEADLINE_PT = 22
SUBHEAD_PT = 14
SHORT_HEADLINE_PT = 16
PAPER_NAME_PT = 24
HEADER_PT = 11

FONT_DIR = Path("/usr/share/fonts/opentype/noto")
# The two faces of the e-paper (the Simplified Chinese face, index 2, of each Noto CJK collection):
# body, sub-headlines and the header's date in the serif; headlines, bylines, jump lines and the ad in
# the bold sans.
_FACES = {"NR Serif": ("NotoSerifCJK-Regular.ttc", 400), "NR Sans": ("NotoSansCJK-Bold.ttc", 700)}


def _subset_font(collection: str, chars: str) -> bytes:
    """The SC face of a Noto CJK collection cut down to ``chars``, as OpenType bytes (cached in the
    temporary folder: a cut takes about a second).

    Chromium's PDF maps each glyph back to the first code point that uses it in the font's cmap, and
    Noto CJK gives the Kangxi radicals (U+2F00…) the glyphs of the ideographs: with the whole font
    the text layer reads ⽇ for 日 and ⻓ for 长. A font holding only the document's characters has
    no radicals, so the text layer is the text."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    wanted = "".join(sorted(set(chars) - {"\n"}))
    key = hashlib.sha256(f"{collection}\0{wanted}".encode()).hexdigest()[:24]
    cache = Path(tempfile.gettempdir()) / "newsroom-fonts" / f"{key}.otf"
    if cache.is_file():
        return cache.read_bytes()
    source = FONT_DIR / collection
    if not source.is_file():
        raise FileNotFoundError(f"{source} is missing: install the Noto CJK fonts (make browser)")
    options = subset.Options()
    options.name_IDs, options.notdef_outline, options.hinting, options.layout_features = ["*"], True, False, []
    font = TTFont(str(source), fontNumber=2, lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=wanted)
    subsetter.subset(font)
    data = io.BytesIO()
    font.save(data)
    cache.parent.mkdir(parents=True, exist_ok=True)
    part = cache.with_name(f"{key}.{os.getpid()}.part")
    part.write_bytes(data.getvalue())
    os.replace(part, cache)
    return data.getvalue()


def _font_css(chars: str) -> str:
    """@font-face rules for the two faces, cut down to ``chars`` and inlined as data URLs."""
    rules = []
    for family, (collection, weight) in _FACES.items():
        data = base64.b64encode(_subset_font(collection, chars)).decode("ascii")
        rules.append(
            f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
            f'src: url(data:font/otf;base64,{data}) format("opentype"); }}'
        )
    return "\n".join(rules)


def _chars(stories: Sequence[Story], paper: str) -> str:
    """Every character the e-paper of these stories can print."""
    texts = [paper, AD_LABEL, *AD_LINES, JUMP_IN, JUMP_OUT, "0123456789第版星期一二三四五六日年月…", "要闻"]
    for s in stories:
        texts += [s.title, _short_title(s.title), s.subtitle, s.byline, s.section, _written_date(s.date)]
        texts += s.paragraphs
    return "".join(texts) + " "


_CSS = f"""
@page {{ size: {PAGE_MM[0]}mm {PAGE_MM[1]}mm; margin: 0; }}
html, body {{ margin: 0; padding: 0; }}
body {{ font-family: "NR Serif"; font-synthesis: none; font-size: {BODY_PT}pt; line-height: 1.65; color: #1a1a1a;
  text-autospace: no-autospace; }}
.page {{ position: relative; width: {PAGE_MM[0]}mm; height: {PAGE_MM[1]}mm; overflow: hidden;
  break-after: page; background: #fdfcf8; }}
.masthead {{ position: absolute; left: {_MARGIN_MM[1]}mm; right: {_MARGIN_MM[1]}mm; top: {_MARGIN_MM[0]}mm;
  height: {_HEADER_MM}mm; box-sizing: border-box; border-bottom: 2.5px solid #222;
  display: flex; align-items: flex-end; justify-content: space-between; padding-bottom: 1.5mm; }}
.masthead .paper {{ font-family: "NR Sans"; font-weight: bold; font-size: {PAPER_NAME_PT}pt; line-height: 1.2;
  color: #b3121a; letter-spacing: 0.15em; }}
.masthead .meta {{ font-size: {HEADER_PT}pt; }}
.masthead .meta span {{ margin-left: 2em; }}
.content {{ position: absolute; left: {_MARGIN_MM[1]}mm; right: {_MARGIN_MM[1]}mm;
  top: {_MARGIN_MM[0] + _HEADER_MM + 4}mm; bottom: {_MARGIN_MM[0]}mm; }}
.story, .ad {{ position: absolute; box-sizing: border-box; }}
#probe .story {{ position: static; }}
.story.boxed {{ border: 1px solid #333; padding: 3mm 4mm; }}
.story.ruled {{ padding: 3mm 0 0; }}
.story.ruled.below {{ border-top: 1.5px solid #222; }}
.headline {{ font-family: "NR Sans"; font-weight: bold; font-size: {HEADLINE_PT}pt;
  line-height: 1.3; margin: 0 0 2mm; text-align: center; }}
.headline.lead {{ font-size: {LEAD_HEADLINE_PT}pt; }}
.headline.short {{ font-size: {SHORT_HEADLINE_PT}pt; text-align: left; margin-bottom: 1mm; }}
.subhead {{ font-size: {SUBHEAD_PT}pt; line-height: 1.4;
  margin: 0 0 2.5mm; text-align: center; }}
.byline {{ font-family: "NR Sans"; font-weight: bold; margin: 0 0 1.5mm; text-align: center; }}
.jumpin {{ font-family: "NR Sans"; font-weight: bold; margin: 0 0 1.5mm; }}
.body {{ column-gap: 1.2em; column-rule: 0.5px solid #777; text-align: justify; }}
.body p {{ margin: 0; text-indent: 2em; }}
.body p.continued {{ text-indent: 0; }}
.body p.jump {{ text-indent: 0; text-align: right; font-family: "NR Sans"; font-weight: bold; }}
.body b {{ font-family: "NR Sans"; font-weight: bold; }}
.ad {{ border: 1px solid #b3121a; background: #fff3e8; padding: 3mm 4mm; text-align: center;
  font-family: "NR Sans"; font-weight: bold; display: flex; flex-direction: column; justify-content: center; }}
.ad p {{ margin: 0.5mm 0; }}
.ad .label {{ font-size: 9pt; color: #b3121a; text-align: left; }}
.ad .slogan {{ font-size: 18pt; font-weight: bold; color: #b3121a; }}
.ad .phone {{ font-size: 13pt; }}
"""


_LOAD_FONTS = """() => Promise.all([document.fonts.load('10pt "NR Serif"'), document.fonts.load('bold 10pt "NR Sans"')])
    .then(() => document.fonts.ready).then(() => true)"""


def _story_html(piece: _Piece, cols: int, frame: str, lead: bool = False, style: str = "") -> str:
    """One story box: headline (or the short headline of a continuation), sub-headline, columns."""
    story, e = piece.story, html.escape
    parts = [f'<section class="story {frame}" style="{style}">']
    if piece.jump_from is not None:
        parts.append(f'<h3 class="headline short">{e(_short_title(story.title))}</h3>')
        parts.append(f'<p class="jumpin">{e(JUMP_IN.format(page=piece.jump_from))}</p>')
    else:
        parts.append(f'<h2 class="headline{" lead" if lead else ""}">{e(story.title)}</h2>')
        if story.subtitle:
            parts.append(f'<p class="subhead">{e(story.subtitle)}</p>')
        if piece.byline_line():
            parts.append(f'<p class="byline">{e(piece.byline_line())}</p>')
    parts.append(f'<div class="body" style="column-count:{cols}">')
    for i, text in enumerate(piece.paragraphs):
        if i == 0 and piece.continued:
            parts.append(f'<p class="continued">{e(text)}</p>')
        elif i == 0 and piece.jump_from is None and story.byline.startswith("本报讯") and text.startswith(story.byline):
            parts.append(f"<p><b>{e(story.byline)}</b>{e(text[len(story.byline) :])}</p>")
        else:
            parts.append(f"<p>{e(text)}</p>")
    if piece.jump_to is not None:
        parts.append(f'<p class="jump">{e(JUMP_OUT.format(page=piece.jump_to))}</p>')
    parts.append("</div></section>")
    return "".join(parts)


def _ad_html(style: str) -> str:
    """The advertisement box: 「广告」, a slogan, an offer and a telephone number."""
    slogan, offer, phone = (html.escape(s) for s in AD_LINES)
    return (
        f'<aside class="ad" style="{style}"><p class="label">{AD_LABEL}</p><p class="slogan">{slogan}</p>'
        f'<p class="offer">{offer}</p><p class="phone">{phone}</p></aside>'
    )


@dataclass(frozen=True)
class _Box:
    """A placed story (or the ad when piece is None), in CSS px inside the page's content area."""

    piece: _Piece | None
    left: float
    top: float
    width: float
    height: float
    cols: int = 3
    frame: str = "boxed"  # boxed | ruled | ruled below
    lead: bool = False

    def html(self) -> str:
        style = f"left:{self.left:.2f}px;top:{self.top:.2f}px;width:{self.width:.2f}px;height:{self.height:.2f}px"
        if self.piece is None:
            return _ad_html(style)
        return _story_html(self.piece, self.cols, self.frame, self.lead, style)


class _Layout:
    """Lays stories out on e-paper pages, measuring every box in a live Chromium page."""

    def __init__(self, page: Any, first_page: int, css: str) -> None:
        self.page = page
        self.first_page = first_page
        self.width = (PAGE_MM[0] - 2 * _MARGIN_MM[1]) * _PX_PER_MM
        self.height = (PAGE_MM[1] - 2 * _MARGIN_MM[0] - _HEADER_MM - 4) * _PX_PER_MM
        page.set_content(f'<html><head><style>{css}</style></head><body><div id="probe"></div></body></html>')
        page.evaluate(_LOAD_FONTS)

    def measure(self, piece: _Piece, width: float, cols: int, frame: str = "boxed", lead: bool = False) -> float:
        """The height in px the piece takes at this width."""
        box = _story_html(piece, cols, frame, lead, f"width:{width:.2f}px")
        script = "h => { const p = document.getElementById('probe'); p.innerHTML = h; "
        script += "return p.firstElementChild.getBoundingClientRect().height; }"
        return float(self.page.evaluate(script, box))

    def fit(
        self, piece: _Piece, width: float, cols: int, height: float, page: int, mid: bool, **kw: Any
    ) -> tuple[_Piece, _Piece | None]:
        """The piece, or the part of it that fits ``height`` and the rest (continued on ``page``).

        ``mid``: cut inside a paragraph; else after the last whole paragraph that fits (inside one
        when not even the first paragraph fits)."""
        if self.measure(piece, width, cols, **kw) <= height:
            return piece, None

        def fits(at: int) -> bool:
            return self.measure(piece.cut(at, page)[0], width, cols, **kw) <= height

        if not mid:
            whole = [at for at in piece.boundaries() if fits(at)]
            if whole:
                return piece.cut(whole[-1], page)
        lo, hi = 0, piece.size  # fits(lo) is assumed, fits(hi) is false
        while hi - lo > 1:
            m = (lo + hi) // 2
            lo, hi = (m, hi) if fits(m) else (lo, m)
        at = _mid_cut(piece, lo)
        while at > 1 and not fits(at):
            at = _mid_cut(piece, at - 1)
        return piece.cut(at, page)

    def front_page(self, stories: list[Story]) -> tuple[list[_Box], list[_Piece]]:
        """Page 1: a wide story across the top in 4 columns; two stories side by side (3 and 2
        columns), the first always jumping to page 2 mid-paragraph; a fourth story beside the ad, or
        the ad as a strip across the bottom. Returns the boxes and the parts continued on page 2."""
        gap, width, height = _GAP_PX, self.width, self.height
        next_page = self.first_page + 1
        pieces = [_Piece.of(s) for s in stories]
        boxes: list[_Box] = []
        rest: list[_Piece] = []
        lead, more = self.fit(pieces[0], width, 4, 0.38 * height, next_page, mid=False, lead=True)
        top_h = self.measure(lead, width, 4, lead=True)
        boxes.append(_Box(lead, 0, 0, width, top_h, cols=4, lead=True))
        rest += [more] if more else []
        y = top_h + gap
        if len(pieces) == 1:
            boxes.append(_Box(None, 0, height - 32 * _PX_PER_MM, width, 32 * _PX_PER_MM))
            return boxes, rest
        left_w = round(0.62 * width - gap / 2) if len(pieces) > 2 else width
        right_w = width - left_w - gap
        # The bottom row: a fourth story beside the ad, or the ad alone across the page.
        if len(pieces) > 3:
            bottom_nat = min(self.measure(pieces[3], left_w, 3), 0.3 * height)
            bottom_h = max(bottom_nat, 45 * _PX_PER_MM)
        else:
            bottom_h = 32 * _PX_PER_MM
        room = height - y - bottom_h - gap
        # The front page carries about 60 % of the second story, however short it is.
        second = pieces[1]
        opening = second.cut(_mid_cut(second, round(0.6 * second.size)), next_page)[0]
        middle_h = min(room, max(self.measure(opening, left_w, 3), 0.22 * height))
        head, more = self.fit(second, left_w, 3, middle_h, next_page, mid=True)
        if more is None:  # it fitted whole: cut it anyway, at about 60 %
            head, more = second.cut(_mid_cut(second, round(0.6 * second.size)), next_page)
        boxes.append(_Box(head, 0, y, left_w, middle_h))
        rest.append(more)
        if len(pieces) > 2:
            third, more = self.fit(pieces[2], right_w, 2, middle_h, next_page, mid=False)
            boxes.append(_Box(third, left_w + gap, y, right_w, middle_h, cols=2))
            rest += [more] if more else []
        y += middle_h + gap
        if len(pieces) > 3:
            fourth, more = self.fit(pieces[3], left_w, 3, bottom_h, next_page, mid=False)
            boxes.append(_Box(fourth, 0, y, left_w, bottom_h))
            boxes.append(_Box(None, left_w + gap, y, right_w, bottom_h))
            rest += [more] if more else []
        else:
            boxes.append(_Box(None, 0, y, width, bottom_h))
        return boxes, rest + [_Piece.of(s) for s in stories[4:]]

    def stacked_page(self, queue: list[_Piece], number: int) -> list[_Box]:
        """A later page: pieces across the page, stacked, a rule between them (continuations in 4
        columns, other stories in 3); what does not fit jumps to the next page. Consumes ``queue``."""
        boxes: list[_Box] = []
        y = 0.0
        while queue:
            piece = queue[0]
            cols = 4 if piece.jump_from is not None else 3
            frame = "ruled below" if boxes else "ruled"
            room = self.height - y
            if boxes and room < 0.2 * self.height:
                break
            head, more = self.fit(piece, self.width, cols, room, number + 1, mid=False, frame=frame)
            if boxes and not head.paragraphs:
                break
            h = self.measure(head, self.width, cols, frame=frame)
            boxes.append(_Box(head, 0, y, self.width, h, cols=cols, frame=frame))
            queue.pop(0)
            if more is not None:
                queue.insert(0, more)
                break
            y += h + _GAP_PX
        return boxes


def _page_html(paper: str, date: str, number: int, boxes: list[_Box]) -> str:
    """One page: the running header (paper, date, 第N版, section) and the placed boxes."""
    section = next((b.piece.story.section for b in boxes if b.piece is not None), "要闻")
    e = html.escape
    return (
        f'<div class="page"><div class="masthead"><span class="paper">{e(paper)}</span>'
        f'<span class="meta"><span>{e(_written_date(date))}</span><span>第{number}版</span>'
        f"<span>{e(section)}</span></span></div>"
        f'<div class="content">{"".join(b.html() for b in boxes)}</div></div>'
    )


def _fix_pdf_dates(path: Path, date: str) -> None:
    """Put the issue's date in place of the time of writing (same length, so offsets hold)."""
    stamp = "D:" + date.replace("-", "") + "053000"

    def fixed(m: re.Match[bytes]) -> bytes:
        return m.group(1) + stamp.encode().ljust(len(m.group(2)), b"0")[: len(m.group(2))] + m.group(3)

    data = path.read_bytes()
    path.write_bytes(re.sub(rb"(/(?:CreationDate|ModDate)\s*\()(D:\d{14})([^)]*\))", fixed, data))


def epaper_pdf_chromium(
    stories: Sequence[Story], out: Path, paper: str = "武进日报", first_page: int = 1, browser: Any = None
) -> Path:
    """An A3 e-paper PDF laid out by Chromium: running header, boxed stories in CSS columns side by
    side and stacked, an ad on the front page, and a jump (下转/上接) to the next page. ``browser``: a
    running Playwright browser to print with (the tests' own), else one is started."""
    if browser is not None:
        return _print_epaper(browser, list(stories), out, paper, first_page)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        started = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            return _print_epaper(started, list(stories), out, paper, first_page)
        finally:
            started.close()


def _print_epaper(browser: Any, stories: list[Story], out: Path, paper: str, first_page: int) -> Path:
    if not stories:
        raise ValueError("no stories to lay out")
    date = stories[0].date
    out.parent.mkdir(parents=True, exist_ok=True)
    page = browser.new_page()
    try:
        page.emulate_media(media="print")
        css = _font_css(_chars(stories, paper)) + _CSS
        layout = _Layout(page, first_page, css)
        boxes, queue = layout.front_page(stories)
        pages = [_page_html(paper, date, first_page, boxes)]
        while queue:
            number = first_page + len(pages)
            pages.append(_page_html(paper, date, number, layout.stacked_page(queue, number)))
        title = html.escape(f"{paper} {_written_date(date)}")
        doc = f'<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
        doc += f"<style>{css}</style></head><body>"
        page.set_content(doc + "".join(pages) + "</body></html>")
        page.evaluate(_LOAD_FONTS)
        page.pdf(path=str(out), width=f"{PAGE_MM[0]}mm", height=f"{PAGE_MM[1]}mm", print_background=True)
    finally:
        page.close()
    _fix_pdf_dates(out, date)
    return out


# -- the e-paper drawn by reportlab --------------------------------------------------------------

_RL_MARGIN = 40.0  # pt
_RL_HEADER = 52.0
_RL_GAP = 14.0


def _rl_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))


def _rl_styles() -> dict[str, Any]:
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    _rl_fonts()
    base = ParagraphStyle("body", fontName="STSong-Light", fontSize=BODY_PT, leading=17, wordWrap="CJK")
    return {
        "body": ParagraphStyle("body", base, firstLineIndent=2 * BODY_PT, alignment=TA_JUSTIFY),
        "continued": ParagraphStyle("continued", base, alignment=TA_JUSTIFY),
        "jump": ParagraphStyle("jump", base, alignment=TA_RIGHT),
        "jumpin": ParagraphStyle("jumpin", base, alignment=TA_LEFT, spaceAfter=4),
        "headline": ParagraphStyle("headline", base, fontSize=24, leading=30, alignment=TA_CENTER),
        "subhead": ParagraphStyle("subhead", base, fontSize=SUBHEAD_PT, leading=20, alignment=TA_CENTER),
        "byline": ParagraphStyle("byline", base, alignment=TA_CENTER),
        "short": ParagraphStyle("short", base, fontSize=SHORT_HEADLINE_PT, leading=22, alignment=TA_LEFT),
    }


@dataclass
class _Region:
    """One story's place on a reportlab page: a headline frame across the page, then 3 columns."""

    piece: _Piece
    top: float  # pt from the page's bottom edge, as reportlab counts
    head_h: float
    col_h: float

    @property
    def bottom(self) -> float:
        return self.top - self.head_h - self.col_h


class _RLPaper:
    """Measures and flows stories with reportlab's own Paragraphs and Frames."""

    def __init__(self) -> None:
        from reportlab.lib.pagesizes import A3
        from reportlab.pdfgen.canvas import Canvas

        self.styles = _rl_styles()
        self.page_w, self.page_h = A3
        self.width = self.page_w - 2 * _RL_MARGIN
        self.col_w = (self.width - 2 * _RL_GAP) / 3
        self.top = self.page_h - _RL_MARGIN - _RL_HEADER
        self.scratch = Canvas(io.BytesIO())

    def head(self, piece: _Piece) -> list[Any]:
        from reportlab.platypus import Paragraph

        e, s = html.escape, self.styles
        if piece.jump_from is not None:
            return [Paragraph(e(_short_title(piece.story.title)), s["short"])]
        flow = [Paragraph(e(piece.story.title), s["headline"])]
        flow += [Paragraph(e(piece.story.subtitle), s["subhead"])] if piece.story.subtitle else []
        flow += [Paragraph(e(piece.byline_line()), s["byline"])] if piece.byline_line() else []
        return flow

    def body(self, piece: _Piece) -> list[Any]:
        from reportlab.platypus import Paragraph

        e, s = html.escape, self.styles
        jump_in, jump_out = JUMP_IN.format(page=piece.jump_from), JUMP_OUT.format(page=piece.jump_to)
        flow = [Paragraph(e(jump_in), s["jumpin"])] if piece.jump_from is not None else []
        for i, text in enumerate(piece.paragraphs):
            flow.append(Paragraph(e(text), s["continued" if i == 0 and piece.continued else "body"]))
        flow += [Paragraph(e(jump_out), s["jump"])] if piece.jump_to is not None else []
        return flow

    def head_height(self, piece: _Piece) -> float:
        return sum(f.wrap(self.width, 1e6)[1] + f.getSpaceAfter() for f in self.head(piece)) + 8

    def fits(self, piece: _Piece, col_h: float) -> bool:
        """Whether the piece's text flows into 3 columns of this height."""
        from reportlab.platypus import Frame

        flow = self.body(piece)
        for i in range(3):
            frame = Frame(0, 0, self.col_w, col_h, 0, 0, 0, 0, id=f"probe{i}")
            while flow:  # as BaseDocTemplate.handle_flowable: add, else split and add the first part
                if frame.add(flow[0], self.scratch, trySplit=1):
                    flow.pop(0)
                    continue
                parts = frame.split(flow[0], self.scratch)
                if not parts or not frame.add(parts[0], self.scratch, trySplit=0):
                    break
                flow[0:1] = parts[1:]
        return not flow

    def balanced(self, piece: _Piece, limit: float) -> float | None:
        """The least column height (to a point) that holds the piece, or None above ``limit``."""
        if not self.fits(piece, limit):
            return None
        lo, hi = 0.0, limit
        while hi - lo > 1:
            m = (lo + hi) / 2
            lo, hi = (lo, m) if self.fits(piece, m) else (m, hi)
        return hi

    def fit(self, piece: _Piece, col_h: float, page: int) -> tuple[_Piece, _Piece]:
        """The piece cut inside a paragraph so that the part that stays fills 3 columns of col_h."""
        lo, hi = 0, piece.size
        while hi - lo > 1:
            m = (lo + hi) // 2
            lo, hi = (m, hi) if self.fits(piece.cut(m, page)[0], col_h) else (lo, m)
        at = _mid_cut(piece, lo)
        while at > 1 and not self.fits(piece.cut(at, page)[0], col_h):
            at = _mid_cut(piece, at - 1)
        return piece.cut(at, page)

    def plan(self, stories: Sequence[Story], first_page: int) -> list[list[_Region]]:
        """Regions page by page, stories stacked. The second story of the first page keeps about 60 %
        of its text there and jumps; any story that does not fit jumps too (cut inside a paragraph),
        its rest opening the next page."""
        pages: list[list[_Region]] = []
        queue = [_Piece.of(s) for s in stories]
        carried: list[_Piece] = []
        while queue or carried:
            number = first_page + len(pages)
            queue[0:0], carried = carried, []
            regions: list[_Region] = []
            top = self.top - _RL_GAP
            while queue:
                piece = queue[0]
                head_h = self.head_height(piece)
                room = top - _RL_MARGIN - head_h
                if regions and room < 160:
                    break
                queue.pop(0)
                natural = self.balanced(piece, room)
                if number == first_page and len(regions) == 1 and natural is not None:
                    # The front page's jump: a second story that would fit keeps about 60 % of its text.
                    opening = piece.cut(_mid_cut(piece, round(0.6 * piece.size)), number + 1)[0]
                    room, natural = self.balanced(opening, room) or room, None
                if natural is None:
                    piece, rest = self.fit(piece, room, number + 1)
                    carried.append(rest)
                regions.append(_Region(piece, top, head_h, room if natural is None else natural))
                top = regions[-1].bottom - 2 * _RL_GAP
            pages.append(regions)
        return pages


def epaper_pdf_reportlab(stories: Sequence[Story], out: Path, paper: str = "武进日报", first_page: int = 1) -> Path:
    """An A3 e-paper PDF drawn by reportlab (BaseDocTemplate, one PageTemplate of Frames per page):
    a canvas-drawn header with a rule, each story a headline frame across the page over 3 column
    frames, a rule between stories, and the second story jumping to page 2 mid-paragraph."""
    from reportlab.platypus import BaseDocTemplate, Frame, FrameBreak, NextPageTemplate, PageBreak, PageTemplate
    from reportlab.platypus.doctemplate import NextFrameFlowable

    stories = list(stories)
    if not stories:
        raise ValueError("no stories to lay out")
    date = stories[0].date
    rl = _RLPaper()
    plan = rl.plan(stories, first_page)
    out.parent.mkdir(parents=True, exist_ok=True)
    templates, flow = [], []
    for n, regions in enumerate(plan):
        number = first_page + n
        frames = []
        for k, region in enumerate(regions):
            frames.append(Frame(_RL_MARGIN, region.top - region.head_h, rl.width, region.head_h, 0, 0, 0, 0))
            for c in range(3):
                x = _RL_MARGIN + c * (rl.col_w + _RL_GAP)
                frames.append(Frame(x, region.bottom, rl.col_w, region.col_h, 0, 0, 0, 0, id=f"p{n}r{k}c{c}"))
        section = regions[0].piece.story.section if regions else "要闻"
        rules = [r.bottom - _RL_GAP for r in regions[:-1]]
        templates.append(
            PageTemplate(id=f"page{n}", frames=frames, onPage=_rl_header(paper, date, number, section, rules))
        )
        for k, region in enumerate(regions):
            flow += [*rl.head(region.piece), FrameBreak(), *rl.body(region.piece)]
            if k + 1 < len(regions):
                flow += [NextFrameFlowable(4 * (k + 1)), FrameBreak()]
        if n + 1 < len(plan):
            flow += [NextPageTemplate(f"page{n + 1}"), PageBreak()]
    doc = BaseDocTemplate(
        str(out), pagesize=(rl.page_w, rl.page_h), title=stories[0].title, author=paper, invariant=True
    )
    doc.addPageTemplates(templates)
    doc.build(flow)
    return out


def _rl_header(paper: str, date: str, number: int, section: str, rules: list[float]) -> Any:
    """The onPage hook: the running header, its rule, and the rules between stories."""

    def draw(canvas: Any, doc: Any) -> None:
        w, h = doc.pagesize
        left, right = _RL_MARGIN, w - _RL_MARGIN
        base = h - _RL_MARGIN - _RL_HEADER + 8
        canvas.saveState()
        canvas.setFillColorRGB(0.7, 0.07, 0.1)
        canvas.setFont("STSong-Light", PAPER_NAME_PT)
        canvas.drawString(left, base, paper)
        canvas.setFillColorRGB(0.1, 0.1, 0.1)
        canvas.setFont("STSong-Light", HEADER_PT)
        canvas.drawRightString(right, base, f"{_written_date(date)}    第{number}版    {section}")
        canvas.setLineWidth(2)
        canvas.line(left, base - 10, right, base - 10)
        canvas.setLineWidth(1)
        for y in rules:
            canvas.line(left, y, right, y)
        canvas.restoreState()

    return draw


# -- web pages -------------------------------------------------------------------------------------

_NAV = ("首页", "要闻", "民生", "经济", "文旅", "评论", "视频", "专题")
_RELATED = (
    "我区召开上半年经济运行分析会",
    "武进新能源汽车零部件产业集群获省级认定",
    "太湖湾音乐节连续三年登上央视",
    "全区安全生产工作会议召开",
)
_COMMENTS = (
    ("湖塘网友 小陈", "2024-07-20 09:12", "看了很振奋!我们厂今年订单比去年多了30%,希望明年能再涨15个百分点。"),
    ("牛塘网友 老张", "2024-07-20 10:05", "家门口的新学校说是9月开学,能多2000个学位就好了,接送孩子要40分钟。"),
    ("西太湖网友 青青", "2024-07-20 11:47", "点赞!建议地铁6号线早点开工,现在每天通勤要1个半小时。"),
)


def story_url(story: Story) -> str:
    """The article's canonical address on the fictional news site (stable for a given story)."""
    digest = hashlib.sha1(story.title.encode("utf-8")).hexdigest()[:8]
    return f"{SITE_URL}/news/{story.date[:7].replace('-', '')}/{story.date[8:]}/content_{digest}.html"


def _web_html(story: Story, encoding: str) -> str:
    """The page's text: head with metadata, navigation, breadcrumbs, the article, related news,
    an ad, readers' comments and the footer."""
    e = html.escape
    charset = (
        '<meta charset="utf-8">'
        if encoding.lower().replace("-", "") == "utf8"
        else f'<meta http-equiv="Content-Type" content="text/html; charset={e(encoding)}">'
    )
    url, channel = story_url(story), story.section
    links = [f"{SITE_URL}/"] + [f"{SITE_URL}/channel/{i}/" for i in range(1, len(_NAV))]
    nav = "".join(f'<li><a href="{href}">{name}</a></li>' for href, name in zip(links, _NAV, strict=True))
    related = "".join(
        f'<li><a href="{SITE_URL}/news/202407/{18 - i:02d}/content_{i + 1:04d}.html">{e(t)}</a>'
        f'<span class="date">07-{18 - i:02d}</span></li>'
        for i, t in enumerate(_RELATED)
    )
    comments = "".join(
        f'<div class="comment-item"><div class="comment-user">{e(user)}<span class="comment-time">{when}</span>'
        f'</div><p class="comment-text">{e(text)}</p><span class="comment-like">赞({7 * (i + 2)})</span></div>'
        for i, (user, when, text) in enumerate(_COMMENTS)
    )
    paragraphs = "\n".join(f"<p>{e(p)}</p>" for p in story.paragraphs)
    subtitle = f'<h2 class="subtitle">{e(story.subtitle)}</h2>' if story.subtitle else ""
    byline = "" if not story.byline or story.paragraphs[0].startswith(story.byline) else f"<p>{e(story.byline)}</p>"
    description = e(story.paragraphs[0][:60])
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
{charset}
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(story.title)}_{SITE_NAME}</title>
<meta name="keywords" content="{e(story.section)},武进,新闻">
<meta name="description" content="{description}">
<meta name="author" content="{e(story.author)}">
<meta name="publishdate" content="{story.date}">
<meta property="og:type" content="article">
<meta property="og:title" content="{e(story.title)}">
<meta property="og:url" content="{url}">
<meta property="og:site_name" content="{SITE_NAME}">
<meta property="article:published_time" content="{story.date}T08:30:00+08:00">
<meta property="article:section" content="{e(story.section)}">
<meta property="article:author" content="{e(story.author)}">
<link rel="canonical" href="{url}">
<link rel="stylesheet" href="{SITE_URL}/static/css/article.css">
<script src="{SITE_URL}/static/js/stat.js"></script>
</head>
<body>
<div class="topbar"><a href="{SITE_URL}/">{SITE_NAME}</a> <a href="{SITE_URL}/epaper/">数字报</a>
<a href="{SITE_URL}/app/">客户端下载</a></div>
<header class="site-header"><div class="logo"><a href="{SITE_URL}/">{SITE_NAME}</a></div>
<nav class="main-nav"><ul>{nav}</ul></nav></header>
<div class="breadcrumb"><a href="{SITE_URL}/">首页</a> &gt;
<a href="{SITE_URL}/channel/1/">{e(channel)}</a> &gt; 正文</div>
<div class="container">
<main class="main">
<article class="article">
<header class="article-header">
<h1 class="title">{e(story.title)}</h1>
{subtitle}
<div class="info"><span class="source">来源:武进日报</span><span class="author">作者:{e(story.author)}</span>
<span class="time">发布时间:{story.date} 08:30</span></div>
</header>
<div class="article-content" id="content">
{byline}
{paragraphs}
</div>
</article>
<div class="share">分享到:<a href="#">微信</a><a href="#">微博</a></div>
<section class="related-news"><h3>相关新闻</h3><ul>{related}</ul></section>
<div class="ad-box" id="ad-bottom"><span class="ad-label">{AD_LABEL}</span>
<a href="{SITE_URL}/ad/1.html">{e(AD_LINES[0])} {e(AD_LINES[1])} {e(AD_LINES[2])}</a></div>
<section class="comments" id="comments"><h3>网友评论</h3>
<div class="comment-list">{comments}</div>
<div class="comment-form">请文明上网,理性发言。<a href="{SITE_URL}/login/">登录</a>后发表评论</div>
</section>
</main>
<aside class="sidebar"><h3>热点排行</h3><ol>{"".join(f"<li>{e(t)}</li>" for t in _RELATED[::-1])}</ol></aside>
</div>
<footer class="site-footer"><p>版权所有 武进日报社 未经授权禁止转载</p>
<p>地址:常州市武进区延政中路 邮编:213159 新闻热线:0519-8631 0000</p>
<p><a href="https://beian.miit.gov.cn/">苏ICP备05012345号</a> 互联网新闻信息服务许可证:32120170001</p></footer>
</body>
</html>
"""


def web_page(story: Story, out: Path, encoding: str = "utf-8") -> Path:
    """A news site's article page for the story, written as bytes in ``encoding`` (utf-8 or gbk)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(_web_html(story, encoding).encode(encoding))
    return out


def web_pages(stories: Sequence[Story], folder: Path, encodings: Sequence[str] = ("utf-8", "gbk")) -> list[Path]:
    """One page per story, article-1.html, …, the encodings taken in turn."""
    return [
        web_page(story, folder / f"article-{i + 1}.html", encodings[i % len(encodings)])
        for i, story in enumerate(stories)
    ]


# -- Word documents --------------------------------------------------------------------------------

_ZIP_TIME = (2024, 7, 20, 8, 30, 0)


def _fix_zip_times(path: Path) -> None:
    """Rewrite a zip (a .docx) with fixed member times, so that the bytes are the same each run."""
    with zipfile.ZipFile(path) as z:
        members = [(info, z.read(info)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            z.writestr(fixed, data)


def _set_core(document: Any, title: str, author: str, date: str) -> None:
    created = dt.datetime.fromisoformat(date).replace(hour=8, minute=30, tzinfo=dt.UTC)
    props = document.core_properties
    props.title, props.author, props.last_modified_by = title, author, author
    props.created, props.modified, props.revision = created, created, 1


def word_docx(story: Story, out: Path) -> Path:
    """The article in Word: headline as Title, sub-headline as Subtitle, each paragraph Normal;
    author and creation date in the document's properties."""
    from docx import Document

    document = Document()
    document.add_paragraph(story.title, style="Title")
    if story.subtitle:
        document.add_paragraph(story.subtitle, style="Subtitle")
    if story.byline and not story.paragraphs[0].startswith(story.byline):
        document.add_paragraph(story.byline)
    for text in story.paragraphs:
        document.add_paragraph(text)
    _set_core(document, story.title, story.author, story.date)
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(out))
    _fix_zip_times(out)
    return out


_FIGURE = re.compile(r"\d+(?:\.\d+)?")
_CLAUSE_END = re.compile(r"[,。;、:!?]")


def _draft_runs(text: str, index: int) -> list[tuple[str, bool]]:
    """A paragraph as Word keeps a reporter's edits: (text, bold) runs. Every third paragraph is one
    run; others bold the clause holding the first figure; others split the first figure between
    two runs of the same look (as Word does after an edit)."""
    m = _FIGURE.search(text)
    if index % 3 == 0 or not m:
        return [(text, False)]
    if index % 3 == 1:
        start = max((c.end() for c in _CLAUSE_END.finditer(text, 0, m.start())), default=0)
        end = next((c.start() for c in _CLAUSE_END.finditer(text, m.end())), len(text))
        return [(s, b) for s, b in ((text[:start], False), (text[start:end], True), (text[end:], False)) if s]
    if len(m.group()) < 2:
        return [(text[: m.start()], False), (text[m.start() :], False)]
    mid = m.start() + len(m.group()) // 2
    return [(text[:mid], False), (text[mid:], False)]


def draft_docx(paragraphs: Sequence[str], out: Path, title: str = "稿件(初稿)", author: str = "记者") -> Path:
    """A reporter's draft in Word: a Title and Normal paragraphs, some of them in several runs (a
    phrase in bold, a figure cut between two runs); the text of each paragraph stays exact."""
    from docx import Document

    document = Document()
    document.add_paragraph(title, style="Title")
    for i, text in enumerate(paragraphs):
        para = document.add_paragraph()
        for chunk, bold in _draft_runs(text, i):
            para.add_run(chunk).bold = bold or None
    _set_core(document, title, author, "2024-07-19")
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(out))
    _fix_zip_times(out)
    return out


# -- bad inputs -------------------------------------------------------------------------------------

BOMB_BYTES = 1 << 30  # what word/document.xml of the zip bomb inflates to
SCAN_FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"


def _rl_pdf(out: Path, pages: Sequence[Sequence[str]], encrypt: Any = None) -> Path:
    """A plain reportlab PDF with a few lines of Chinese text per page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    _rl_fonts()
    canvas = Canvas(str(out), pagesize=A4, invariant=True, encrypt=encrypt)
    for lines in pages:
        canvas.setFont("STSong-Light", 12)
        for k, line in enumerate(lines):
            canvas.drawString(60, 780 - 20 * k, line)
        canvas.showPage()
    canvas.save()
    return out


def _zeros_docx(out: Path, size: int) -> Path:
    """A .docx whose word/document.xml is well-formed XML padded with ``size`` bytes of spaces,
    deflated as it is written (never held in memory)."""
    chunk = b" " * (1 << 20)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr(zipfile.ZipInfo("[Content_Types].xml", _ZIP_TIME), _CONTENT_TYPES, zipfile.ZIP_DEFLATED)
        z.writestr(zipfile.ZipInfo("_rels/.rels", _ZIP_TIME), _RELS, zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo("word/document.xml", _ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w") as f:
            f.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="' + _W_NS + b'">')
            f.write("<w:body><w:p><w:r><w:t>压缩炸弹</w:t></w:r></w:p>".encode())
            left = size
            while left > 0:
                f.write(chunk[: min(left, len(chunk))])
                left -= len(chunk)
            f.write(b"</w:body></w:document>")
    return out


_W_NS = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Target="word/document.xml" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
)


def _huge_html(out: Path, size: int) -> Path:
    """A news page of about ``size`` bytes: the same paragraphs over and over, written in pieces."""
    block = "".join(f"<p>{p}</p>\n" for p in _TEST_STORIES[1][4]).encode("utf-8")
    with out.open("wb") as f:
        head = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>超长页面</title></head><body><article>\n'
        f.write(head.encode("utf-8"))
        written = 0
        while written < size:
            f.write(block)
            written += len(block)
        f.write(b"</article></body></html>\n")
    return out


def _nested_html(out: Path, depth: int) -> Path:
    """A page of ``depth`` nested <div> around one paragraph."""
    text = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>层层嵌套</title></head><body>'
    text += "<div>" * depth + "<p>本报讯 嵌套页面里的一段正文。</p>" + "</div>" * depth + "</body></html>\n"
    out.write_text(text, encoding="utf-8")
    return out


def _many_pages_pdf(out: Path, pages: int) -> Path:
    """A PDF of ``pages`` near-blank pages (a small page number at the foot of each)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    _rl_fonts()
    canvas = Canvas(str(out), pagesize=A4, invariant=True, pageCompression=1)
    for n in range(1, pages + 1):
        canvas.setFont("STSong-Light", 8)
        canvas.drawCentredString(A4[0] / 2, 30, f"第{n}页")
        canvas.showPage()
    canvas.save()
    return out


def _scan_image() -> Any:
    """A grey 'scanned clipping' made by Pillow: a headline bar and lines of Chinese text (or grey
    bars where no CJK font is found)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (900, 1200), 236)
    draw = ImageDraw.Draw(image)
    try:  # the Simplified Chinese face of the Noto Serif CJK collection
        big: Any = ImageFont.truetype(SCAN_FONT, 44, index=2)
        small: Any = ImageFont.truetype(SCAN_FONT, 24, index=2)
    except OSError:
        big = small = None
    story = _TEST_STORIES[0]
    if big is not None and small is not None:
        draw.text((60, 50), story[0], fill=20, font=big)
        text = "".join(story[4])
        for k in range(0, min(len(text), 30 * 34), 34):
            draw.text((60, 140 + (k // 34) * 34), text[k : k + 34], fill=40, font=small)
    else:
        draw.rectangle((60, 50, 840, 100), fill=30)
        for y in range(140, 1100, 34):
            draw.rectangle((60, y, 840, y + 20), fill=90)
    rng = random.Random(20240720)  # paper grain, the same each run
    for _ in range(4000):
        x, y = rng.randrange(900), rng.randrange(1200)
        draw.point((x, y), fill=rng.randrange(150, 220))
    return image


def _image_only_pdf(out: Path) -> Path:
    """One page that is a scan: a frame and an image, and no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(out), pagesize=A4, invariant=True)
    canvas.setLineWidth(1.5)
    canvas.rect(40, 40, A4[0] - 80, A4[1] - 80)
    canvas.drawImage(ImageReader(_scan_image()), 60, 60, width=A4[0] - 120, height=A4[1] - 120)
    canvas.showPage()
    canvas.save()
    return out


def bad_files(folder: Path, bomb_bytes: int = BOMB_BYTES, huge_bytes: int = 30_000_000) -> dict[str, Path]:
    """The inputs a reader must refuse (or survive), by name: encrypted_pdf, damaged_pdf, html_as_pdf,
    docx_not_zip, docx_zip_bomb, huge_html, nested_html, pdf_3000_pages, pdf_no_text."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    folder.mkdir(parents=True, exist_ok=True)
    story = test_page_stories()[0]
    lines = [story.title, *(p[:36] for p in story.paragraphs)]
    files: dict[str, Path] = {}
    encryption = StandardEncryption("secret", ownerPassword="owner-secret", canPrint=0, canCopy=0)
    files["encrypted_pdf"] = _rl_pdf(folder / "encrypted.pdf", [lines], encrypt=encryption)
    whole = _rl_pdf(folder / "damaged.pdf", [lines, lines[::-1], lines])
    data = whole.read_bytes()
    whole.write_bytes(data[: len(data) // 2])
    files["damaged_pdf"] = whole
    files["html_as_pdf"] = folder / "really-html.pdf"
    files["html_as_pdf"].write_bytes(_web_html(story, "utf-8").encode("utf-8"))
    rng = random.Random(7)
    common = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
    noise = "".join(rng.choice(common) for _ in range(3000))
    files["docx_not_zip"] = folder / "not-a-zip.docx"
    files["docx_not_zip"].write_text(noise, encoding="utf-8")
    files["docx_zip_bomb"] = _zeros_docx(folder / "zip-bomb.docx", bomb_bytes)
    files["huge_html"] = _huge_html(folder / "huge.html", huge_bytes)
    files["nested_html"] = _nested_html(folder / "nested.html", 100_000)
    files["pdf_3000_pages"] = _many_pages_pdf(folder / "3000-pages.pdf", 3000)
    files["pdf_no_text"] = _image_only_pdf(folder / "scan-no-text.pdf")
    return files


# -- all of it --------------------------------------------------------------------------------------


def write_all(out: Path) -> Iterator[Path]:
    """Every kind of file, into ``out``; yields each path as it is written."""
    bundled, page_stories = bundled_stories(), test_page_stories()
    yield epaper_pdf_chromium(bundled, out / "epaper-chromium-bundled.pdf")
    yield epaper_pdf_chromium(page_stories, out / "epaper-chromium-liuhe.pdf", paper="柳河日报")
    yield epaper_pdf_reportlab(bundled, out / "epaper-reportlab-bundled.pdf")
    yield epaper_pdf_reportlab(page_stories, out / "epaper-reportlab-liuhe.pdf", paper="柳河日报")
    yield from web_pages(bundled, out / "web", ("utf-8", "gbk", "utf-8"))
    for i, story in enumerate(bundled, start=1):
        yield word_docx(story, out / f"article-{i}.docx")
    yield draft_docx(list(bundled[1].paragraphs), out / "draft.docx")
    yield from bad_files(out / "bad").values()


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/newsroom.py OUT_DIR", file=sys.stderr)
        return 2
    for path in write_all(Path(argv[0])):
        print(f"{path.stat().st_size:>12,}  {path}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main(sys.argv[1:]))
