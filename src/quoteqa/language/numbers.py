"""Figures in Chinese text, each read as the interval of values it allows.

Reporters round and paraphrase: 「400多家」 allows 400–499, 「增长超过两成」 more than 20%,
「近35万套」 a little under 35万, 「翻了一番」 +100%. A figure keeps its anchor (``value``), its unit
family and a ``qualifier`` naming the kind of reading, and gives two intervals:

- ``interval()``: every value the words allow (「超过800万」 → (800万, ∞));
- ``likely()``: what a source sentence most plausibly means, with open ends closed at the next step
  of the number's last digit (「超22亿元」 → (22亿, 23亿); 「达15个」 → exactly 15).

The verifier calls a claim supported when the source's likely values all lie in the claim's
interval, and contradicted only when none of them does.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL = {"十": 10, "百": 100, "千": 1000}
_BIG = {"万": 10_000, "亿": 100_000_000}
_CN = "零〇一二两三四五六七八九十百千万亿"
_MAGNITUDES = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "十万": 100_000, "百万": 1_000_000}
_MAGNITUDES |= {"千万": 10_000_000, "亿": 100_000_000, "十亿": 10**9, "百亿": 10**10, "千亿": 10**11, "万亿": 10**12}
_MAG_RE = "|".join(sorted(_MAGNITUDES, key=len, reverse=True))

# Units, longest first; each maps to its family, so 人次 never matches 人 by accident.
# 百分点 is a unit of its own: 「提高2个百分点」 is never compared with 「增长2%」.
UNITS = ("个百分点", "百分点", "人次", "亿元", "万元", "美元", "元", "%", *"个家人名套项所户场批座条倍架艘株棵册")
# Measures count only after digits: 「96公里」 is a length, 「一张蓝图」 is prose.
MEASURES: tuple[str, ...] = ("平方公里", "平方米", "公里", "千米", "公顷", "千瓦时", "千瓦", "分钟", "小时")
MEASURES += ("微克", "公斤")
MEASURES += ("千克", "部", *"亩吨辆台件张天米次处")  # 部: 「加装电梯46部」, never 「3部门」 or 「一部分」
_UNIT_RE = "|".join(re.escape(u) for u in sorted(UNITS + MEASURES, key=len, reverse=True))
_UNIT_RE = _UNIT_RE.replace("部", "部(?![门分署委])").replace("处", "处(?![理置于在长级室])")  # 「3处理」, 「2处长」

# Threshold words before the number (「超过800万」, 「突破了100亿」). Single characters that end
# common words are guarded: 通过/经过, 最近/附近, 节约/签约, 发达/到达.
_BEFORE = [
    ("超过了|超过|超出|突破了|突破|超|逾|(?<![通经度越跨穿])过|(?<![突打])破|高于|多于|大于", ">"),
    ("将近|接近|(?<![最附靠亲将接])近", "near"),
    (
        "大约为|大约是|大约有|(?<![节签预制公契隐])约为|(?<![节签预制公契隐])约是|(?<![节签预制公契隐])约有|大约"
        "|(?<![节签预制公契隐])约|大概|大致",
        "about",
    ),
    ("不到|不足|少于|低于|小于|未达到|未达|未超过", "<"),
    ("至少|不少于|不低于", ">="),
    ("达到了|达到|(?<![发表传抵下到])达", "reach"),
    ("最多|不超过|至多|不多于|不高于", "<="),
]
# Threshold words after the number or after the unit (「35万套以上」, 「12%左右」).
_AFTER = [("以上|开外", ">="), ("以下|以内", "<="), ("左右|上下", "about")]
_BEFORE_RE = "|".join(p for p, _ in _BEFORE)
_AFTER_RE = "|".join(p for p, _ in _AFTER)
_BEFORE_MAP = {re.sub(r"\(\?<!\[[^]]*\]\)", "", w): q for p, q in _BEFORE for w in p.split("|")}
_AFTER_MAP = {w: q for p, q in _AFTER for w in p.split("|")}

_PAIRS = "一二|一两|两三|二三|三四|四五|五六|六七|七八|八九"  # 五六家 = 5–6
# 成 after a numeral is a tenth (两成 = 20%) unless it starts a word (成为, 成长, 一成不变).
_CHENG_NOT = "为功立果本交绩员熟长就型效都品套片林势网链群规体批不"
_NUMBER = (
    r"(?P<banbai>半百)"
    r"|(?P<half>过半数|过半|半数|一半|大半(?!壁))"  # 「半壁江山」 is an idiom, no figure
    r"|(?P<fan>翻了?(?P<fan_n>[一两二三四\d])?番)"
    rf"|(?P<pct_den>百|千)分之(?P<pct>[{_CN}点]+|\d+(?:\.\d+)?)"
    rf"|(?P<frac_den>[一二三四五六七八九十]|\d+)分之(?P<frac_num>[一二三四五六七八九十]|\d+)"
    rf"|(?P<cheng>{_PAIRS}|[一二两三四五六七八九]|\d)成(?:(?P<cheng_half>半)|(?P<cheng_tail>[一二三四五六七八九])(?![{_CN}]))?"
    rf"(?![{_CHENG_NOT}])"
    r"|(?<![以线网马路楼早晚会])上(?P<up>百|千|万|十万|百万|千万|亿|百亿|千亿|万亿)"
    rf"|(?P<few>数|几)(?P<few_mag>{_MAG_RE})"
    r"|(?P<teens>[一二三四五六七八九]?十)几"
    rf"|(?P<pair_tens>[一二三四五六七八九]?十)(?P<pair_units>{_PAIRS})"
    rf"|(?P<pair>{_PAIRS})(?P<pair_mag>{_MAG_RE})?"
    rf"|(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?(?:[万亿])?|\d+(?:\.\d+)?(?:(?:[万亿]|[千百](?![瓦克米]))\d*)*|[{_CN}]+(?:点[{_CN}]+)?)"
)
FIGURE_RE = re.compile(
    rf"(?P<before>{_BEFORE_RE})?(?:{_NUMBER})"
    rf"(?P<more1>多|余|来(?=[万亿]|{_UNIT_RE}))?(?P<mag>[万亿]*)(?P<more2>多|余)?"
    rf"(?P<mid>{_AFTER_RE})?(?P<unit>个(?P<more3>多|余)百分点|{_UNIT_RE})?(?:(?<=倍)(?P<more4>多|余)|(?<=[个项家所户名座场批])(?P<more5>多|余)(?=$|[,,;;。、!?!?)）]))?"
    rf"(?P<after>{_AFTER_RE})?"
)
# A growth written in 倍 is a percentage: 「增长一倍」 = +100%; 「是去年的3倍」 stays a ratio.
_GROWTH_BEFORE = re.compile(r"(?:增长|增加|提高|提升|上升|扩大|多)了?$")
_DATE_AFTER = re.compile(r"^(?:年|月|日|号|时|季度|—|-|－|~|～|至|\+|国道|省道|县道|届|期)")

# Kinds of reading (``Figure.qualifier``).
EXACT, MORE_THAN, AT_LEAST, LESS_THAN, AT_MOST = "=", ">", ">=", "<", "<="
NEAR, ABOUT, REACH, APPROX_MORE, RANGE = "near", "about", "reach", "more", "range"


@dataclass(frozen=True)
class Figure:
    """One quantity: ``value`` (the anchor) in base units (元 for money, % for shares)."""

    value: float
    unit: str  # "" when the text gives none; 亿元/万元 become 元, 倍 of a growth becomes %
    qualifier: str  # one of the kinds above
    start: int
    end: int
    text: str
    low: float  # the interval every value of which the words allow ...
    high: float
    likely_low: float  # ... and what a source most plausibly means
    likely_high: float

    def interval(self) -> tuple[float, float]:
        """Every value the words allow, as a closed interval (open ends use tiny margins)."""
        return self.low, self.high

    def likely(self) -> tuple[float, float]:
        """The values a source sentence most plausibly means (open ends closed one step away)."""
        return self.likely_low, self.likely_high

    def affine(self, scale: float, shift: float, unit: str) -> Figure:
        """The same reading on another scale: 「是去年的3倍」 as growth is ×100 − 100, in %."""

        def move(bound: float, low: bool) -> float:
            if math.isinf(bound):
                return bound
            raw = float(f"{bound:.9g}")
            open_end = bound > raw if low else bound < raw
            moved = raw * scale + shift
            return _lo(moved, open_end) if low else _hi(moved, open_end)

        return Figure(
            self.value * scale + shift, unit, self.qualifier, self.start, self.end, self.text,
            move(self.low, True), move(self.high, False), move(self.likely_low, True), move(self.likely_high, False),
        )  # fmt: skip

    def reading(self) -> str:
        """The interval in words, for people: 「400多家」 → 「400–499家」; "" for an exact figure."""
        return describe(self)


def _eps(v: float) -> float:
    return abs(v) * 1e-9 + 1e-12


def _step(value: float) -> float:
    """The place of the last significant digit: 400 → 100, 428 → 1, 1858.3 → 0.1, 35万 → 1万."""
    if value == 0 or not math.isfinite(value):
        return 1.0
    d = Decimal(repr(round(value, 6))).normalize()
    return float(Decimal(1).scaleb(d.as_tuple().exponent))  # type: ignore[arg-type]


def _lo(x: float, open_end: bool = False) -> float:
    """A lower bound as a float: closed ends move out by a tiny margin, open ends in by three,
    so that [50, …) and (…, 50) never meet while [50, …) and (…, 50] do."""
    return x + 3 * _eps(x) if open_end else x - _eps(x)


def _hi(x: float, open_end: bool = False) -> float:
    return x - 3 * _eps(x) if open_end else x + _eps(x)


def _reading(
    v: float, step: float, kind: str, spread: float, low: float = math.nan, high: float = math.nan
) -> tuple[tuple[float, float], tuple[float, float]]:
    """(interval, likely) for anchor ``v``; ``spread`` overrides the half-width of 约 readings,
    ``low``/``high`` give an explicit range (五六家, 十几个)."""
    inf = math.inf
    if kind == EXACT:
        return (_lo(v), _hi(v)), (_lo(v), _hi(v))
    if kind == MORE_THAN:
        return (_lo(v, True), inf), (_lo(v, True), _hi(v + step, True))
    if kind == AT_LEAST:
        return (_lo(v), inf), (_lo(v), _hi(v + step, True))
    if kind == REACH:  # a claim's 「达到50家」 allows 50 or more; a source's 「达15个」 says 15
        return (_lo(v), inf), (_lo(v), _hi(v))
    if kind == LESS_THAN:
        return (-inf, _hi(v, True)), (_lo(v - step, True), _hi(v, True))
    if kind == AT_MOST:
        return (-inf, _hi(v)), (_lo(v - step, True), _hi(v))
    if kind == NEAR:  # a little under: 近35万 = 34万–35万, 近两成 = 18%–20%, 近800万 = 720万–800万
        d = spread if not math.isnan(spread) else min(step, 0.1 * abs(v))  # 近两成: 15%–20%
        return (_lo(v - d), _hi(v, True)), (_lo(v - d), _hi(v, True))
    if kind == ABOUT:  # 约95亿 = ±5%; 约1万 = 9千–1.1万; 二十来个 = 18–22
        d = spread if not math.isnan(spread) else max(0.05 * abs(v), min(step / 2, 0.1 * abs(v)))
        return (_lo(v - d), _hi(v + d)), (_lo(v - d), _hi(v + d))
    if kind == APPROX_MORE:  # 400多 = [400, 500), 35万余 = [35万, 36万), 两成多 = [20%, 30%)
        return (_lo(v), _hi(v + step, True)), (_lo(v), _hi(v + step, True))
    if kind == RANGE:
        return (_lo(low), _hi(high)), (_lo(low), _hi(high))
    raise ValueError(f"unknown kind of figure reading: {kind!r}")


# A numeral longer than this is not a figure anyone writes (the longest real ones, such as
# 一千二百三十四万五千六百七十八点九, have under 20 characters); refusing it bounds the arithmetic.
MAX_NUMERAL_CHARS = 40


def chinese_to_number(text: str) -> float | None:
    """五万七千 → 57000, 十二 → 12, 三点五 → 3.5, 5万7千 → 57000; None when it is not a number."""
    text = unicodedata.normalize("NFKC", text)
    if not text or len(text) > MAX_NUMERAL_CHARS:  # 「一一一…家」 of 320 characters is no figure
        return None
    if "点" in text:
        whole, _, frac = text.partition("点")
        w = chinese_to_number(whole) if whole else 0.0
        if w is None or not frac or any(c not in _DIGITS for c in frac):
            return None
        return w + float("0." + "".join(str(_DIGITS[c]) for c in frac))
    total, section, number = 0.0, 0.0, 0.0
    i = 0
    seen = pending = False  # pending: digits or 十百千 since the last 万/亿
    while i < len(text):
        c = text[i]
        m = re.match(r"\d+(?:\.\d+)?", text[i:])
        if m:
            number = float(m.group(0))
            i += len(m.group(0))
            seen = pending = True
            continue
        if c in _DIGITS:
            number = number * 10 + _DIGITS[c] if _all_digits_before(text, i) else _DIGITS[c]
            seen = pending = True
        elif c in _SMALL:
            section += (number or 1) * _SMALL[c]
            number = 0
            seen = pending = True
        elif c in _BIG:
            group = section + number if pending else float(total == 0)  # 万余 = 一万余
            total = (total + group) * _BIG[c] if c == "亿" else total + group * _BIG[c]
            section, number = 0, 0
            seen, pending = True, False
        else:
            return None
        i += 1
    return total + section + number if seen else None


def _all_digits_before(text: str, i: int) -> bool:
    """True in a run of bare digits such as 二〇二四 (read digit by digit)."""
    return i > 0 and all(ch in _DIGITS for ch in text[:i])


# A short quoted name that opens with a Chinese numeral: “十个吾优”, “六个常有”, “两个确保”.
_SLOGAN = re.compile(r"“[零一二两三四五六七八九十百千]+[个项大条][^”\d]{1,6}”")


def _in_slogan(text: str, m: re.Match[str]) -> bool:
    """True for a numeral that opens a quoted slogan: it names a programme, it counts nothing
    a reader would check."""
    start = m.start()
    if start == 0 or text[start - 1] != "“":
        return False
    quoted = _SLOGAN.match(text, start - 1)
    return quoted is not None and m.end() < quoted.end()


def normalized(text: str) -> str:
    """NFKC a character at a time, keeping the characters that NFKC would turn into several (Ⅲ, ㈠):
    full-width digits and punctuation become ASCII while every span stays valid."""
    norm = unicodedata.normalize("NFKC", text)
    if len(norm) == len(text):
        return norm
    out = (unicodedata.normalize("NFKC", c) for c in text)
    return "".join(n if len(n) == 1 else c for n, c in zip(out, text, strict=True))


def parse(text: str) -> list[Figure]:
    """Every figure in ``text``, in order; never raises. The one definition of "figure": answering
    asks it of sentences and questions, verification reads the figures themselves. Dates, road
    numbers and slogans such as “1+8+5” are not figures."""
    out: list[Figure] = []
    # Full-width digits and signs become ASCII; spans stay valid when NFKC keeps the length.
    src = normalized(text)
    for m in FIGURE_RE.finditer(src):
        if not m.group(0) or _inside_code(src, m) or _is_date(src, m) or _in_slogan(src, m):
            continue
        fig = _figure(m, text[m.start() : m.end()], src[max(0, m.start() - 3) : m.start()])
        if fig is not None:
            out.append(fig)
    return out


def _inside_code(text: str, m: re.Match[str]) -> bool:
    """Digits that are part of a name (5G, G312, “1+8+5”, 95X) or an ordinal (第3) are not figures."""
    before = text[m.start() - 1] if m.start() > 0 else ""
    after = text[m.end()] if m.end() < len(text) else ""
    if (before and before in "第每+") or (not m.group("unit") and after == "+"):
        return True
    if not m.group("unit") and after == "大" and not (m.group("num") or "0")[-1].isdigit():  # 「不到九大产业集群」
        return True
    if m.group("before"):  # 「GDP超600亿元」: a threshold word stands between the name and the number
        before = ""
    return (before.isascii() and before.isalpha()) or (not m.group("unit") and after.isascii() and after.isalpha())


def _is_date(text: str, m: re.Match[str]) -> bool:
    """A bare number followed by 年/月/日 or a range dash (2024年, 7月, 2024—2026) is a date."""
    if m.group("unit") or m.group("before") or m.group("after") or m.group("mid"):
        return False
    return bool(_DATE_AFTER.match(text[m.end() : m.end() + 2]))


def _tenths(g: dict[str, str | None]) -> tuple[float, str, float, float, float] | None:
    """(value in %, kind, spread, low, high) of a figure in 成: 两成, 两成五, 两成多, 两三成."""
    cheng = g["cheng"] or ""
    if len(cheng) == 2:  # 两三成 = 20%–30%
        a, b = (_DIGITS.get(c, 0) for c in cheng)
        return a * 10.0, RANGE, math.nan, a * 10.0, b * 10.0
    tenths = chinese_to_number(cheng)
    if tenths is None or tenths > 10:
        return None
    tail = _DIGITS[g["cheng_tail"] or ""] if g["cheng_tail"] else 5 if g["cheng_half"] else 0
    kind = APPROX_MORE if g["more1"] in ("多", "余") else ABOUT  # 两成多 = [20%, 30%)
    # 两成五 = 25%, 一成半 = 15%; 两成 is a rounded figure: 15%–25%
    return tenths * 10 + tail, kind, 5.0 if not tail else 1.0, math.nan, math.nan


def _figure(m: re.Match[str], original: str, preceding: str) -> Figure | None:
    g = m.groupdict()
    unit = g["unit"] or ""
    kind, spread = EXACT, math.nan
    low = high = math.nan
    scale = _MAGNITUDES.get(g["mag"], 1) if g["mag"] else 1
    if g["mag"] and g["mag"] not in _MAGNITUDES:  # 万万 and the like: not a figure
        return None
    if g["banbai"]:
        value = 50.0
    elif g["half"]:
        value, unit = 50.0, "%"
        kind, spread = (MORE_THAN, math.nan) if g["half"] in ("过半", "过半数", "大半") else (ABOUT, 2.0)
    elif g["fan"]:
        n = chinese_to_number(g["fan_n"] or "一")
        if n is None or n > 10:
            return None
        value, unit, kind = (2**n - 1) * 100.0, "%", ABOUT  # 翻一番 = +100% (±10%), 翻两番 = ×4
        spread = 0.1 * value
    elif g["pct"]:
        pct = chinese_to_number(g["pct"])
        if pct is None:
            return None
        value, unit = pct / (10 if g["pct_den"] == "千" else 1), "%"
    elif g["frac_den"]:
        den, num = chinese_to_number(g["frac_den"]), chinese_to_number(g["frac_num"])
        if not den or num is None or num > den:
            return None
        value, unit, kind, spread = 100.0 * num / den, "%", ABOUT, 1.0
    elif g["cheng"]:
        tenths = _tenths(g)
        if tenths is None:
            return None
        value, kind, spread, low, high = tenths
        unit = "%"
    elif g["up"]:  # 上百家 = 100 or more, most plausibly under 1000
        value, kind = float(_MAGNITUDES[g["up"]]), AT_LEAST
    elif g["few"]:  # 几十 / 数百: 2 to 9 of the magnitude
        mag = _MAGNITUDES[g["few_mag"]]
        value, kind, low, high = 2.0 * mag, RANGE, 2.0 * mag, 9.0 * mag
    elif g["teens"]:  # 十几 = 11–19, 二十几 = 21–29
        tens = chinese_to_number(g["teens"]) or 10.0
        value, kind, low, high = tens + 1, RANGE, tens + 1, tens + 9
    elif g["pair_units"]:  # 十五六 = 15–16
        tens = chinese_to_number(g["pair_tens"]) or 10.0
        a, b = (_DIGITS[c] for c in g["pair_units"])
        value, kind, low, high = tens + a, RANGE, tens + a, tens + b
    elif g["pair"]:  # 五六家 = 5–6, 七八十 = 70–80
        mag = _MAGNITUDES.get(g["pair_mag"] or "", 1)
        a, b = (_DIGITS[c] for c in g["pair"])
        value, kind, low, high = float(a * mag), RANGE, float(a * mag), float(b * mag)
        if not unit and not g["pair_mag"]:
            return None  # 「一二」 alone is a list, not a quantity
    else:
        raw = (g["num"] or "").replace(",", "")  # 38,650元: thousands separators
        parsed = chinese_to_number(raw) if raw else None
        if parsed is None:
            return None
        value = parsed
        if unit in MEASURES and not re.search(r"\d", raw):
            unit = ""  # 「一张蓝图」: a measure word after a Chinese numeral is prose
        approximate = g["more1"] or g["more2"] or g["more3"] or g["more4"] or g["more5"]  # 3个多百分点, 一倍多
        # A bare Chinese numeral (「一批」, 「万事」) is prose unless a unit, a threshold or 多/余 says
        # it is a quantity; so is a lone year or date number.
        if not unit and not re.search(r"\d", raw) and not (g["before"] or g["after"] or g["mid"] or approximate):
            return None
        if approximate:  # 400多 = [400, 500); 40多万 = [40万, 50万); 35万余 = [35万, 36万)
            kind = ABOUT if approximate == "来" else APPROX_MORE
            step = _step(value) * scale
            return _finish(g, original, m, unit, value * scale, kind, step, spread, low, high, preceding)
    value *= scale
    if not math.isnan(low):
        low, high = low * scale, high * scale
    return _finish(g, original, m, unit, value, kind, _step(value), spread, low, high, preceding)


def _finish(
    g: dict[str, str | None],
    original: str,
    m: re.Match[str],
    unit: str,
    value: float,
    kind: str,
    step: float,
    spread: float,
    low: float,
    high: float,
    preceding: str,
) -> Figure:
    """Apply the unit's scale and the threshold words, and compute both intervals."""
    if unit in ("亿元", "万元"):
        k = _BIG[unit[0]]
        value, step, low, high = value * k, step * k, low * k, high * k
        unit = "元"
    if unit == "个百分点" or g["more3"]:
        unit = "百分点"
    if unit == "倍" and _GROWTH_BEFORE.search(preceding.removesuffix(g["before"] or "")):
        value, step, low, high, unit = value * 100, step * 100, low * 100, high * 100, "%"
    # A threshold word overrides the approximate reading of the number, around its anchor:
    # 「超过两成」 is more than 20%, not more than 25%; 「十几个以上」 at least 11.
    word = g["before"] or g["mid"] or g["after"]
    if word:
        word_kind = _BEFORE_MAP.get(word) or _AFTER_MAP[word]
        if kind == RANGE and word_kind in (LESS_THAN, AT_MOST):
            value = high
        # 近两成 and 约两成 keep the half-成 width of 两成; other words read around the anchor
        spread = spread if word_kind in (NEAR, ABOUT) and g["cheng"] else math.nan
        kind = word_kind
    interval, likely = _reading(value, step, kind, spread, low, high)
    if kind == AT_LEAST and g["up"]:  # 上百 most plausibly means hundreds
        likely = (interval[0], value * 10)
    return Figure(value, unit, kind, m.start(), m.end(), original, *interval, *likely)


def exact_figure(value: float, unit: str, start: int, end: int, text: str) -> Figure:
    """A figure known exactly (a change computed from two rates), with the same margins as parsed ones."""
    interval, likely = _reading(value, _step(value), EXACT, math.nan)
    return Figure(value, unit, EXACT, start, end, text, *interval, *likely)


def describe(fig: Figure) -> str:
    """The interval of a figure in words: 400多家 → 400–499家, 超过两成 → 多于20%."""
    v, unit = fig.value, fig.unit
    lo, hi = fig.interval()
    show = lambda x: format_value(x, unit)  # noqa: E731
    if fig.qualifier == EXACT:  # only a figure written in words needs reading back
        return show(v) if re.search("[零〇一二两三四五六七八九十百千半翻分成]", fig.text) else ""
    if fig.qualifier in (MORE_THAN,):
        return f"多于{show(v)}"
    if fig.qualifier in (AT_LEAST, REACH):
        return f"不少于{show(v)}"
    if fig.qualifier == LESS_THAN:
        return f"少于{show(v)}"
    if fig.qualifier == AT_MOST:
        return f"不超过{show(v)}"
    if fig.qualifier == NEAR:
        return f"略少于{show(v)}({_span(lo, hi, unit, closed_high=False)})"
    if fig.qualifier == ABOUT:
        return f"约{show(v)}({_span(lo, hi, unit)})"
    if fig.qualifier == APPROX_MORE:
        return _span(lo, hi, unit, closed_high=False)
    return _span(lo, hi, unit)


def _span(lo: float, hi: float, unit: str, closed_high: bool = True) -> str:
    """「400–499家」 for counts, 「20%–30%」 for shares; an open end of a count stops one below."""
    lo, hi = _round(lo), _round(hi)
    counting = unit not in ("%", "元", "百分点", "倍", "")
    if not closed_high and counting and lo == int(lo) and hi == int(hi) and hi - lo >= 2 and hi <= 10_000:
        return f"{format_value(lo, '')}–{format_value(hi - 1, unit)}"
    if not closed_high:
        return f"{format_value(lo, unit)}至不足{format_value(hi, unit)}"
    return f"{format_value(lo, unit)}–{format_value(hi, unit)}"


def _round(x: float) -> float:
    """Undo the tiny margins of open ends before showing a bound."""
    return float(f"{x:.6g}") if math.isfinite(x) else x


def format_value(value: float, unit: str) -> str:
    """A readable figure: 9537000000 元 → 95.37亿元, 57000 个 → 5.7万个, 2 百分点 → 2个百分点."""
    if unit == "%":
        return f"{_trim(round(value, 2))}%"
    if unit == "百分点":
        return f"{_trim(round(value, 2))}个百分点"
    for mag, name in ((1e8, "亿"), (1e4, "万")):
        if abs(value) >= mag:
            return f"{_trim(value / mag)}{name}{unit}"
    return f"{_trim(value)}{unit}"


def _trim(x: float) -> str:
    s = f"{x:.6f}".rstrip("0").rstrip(".")
    return s or "0"
