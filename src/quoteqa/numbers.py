"""Figures in Chinese text: Arabic and Chinese numerals, 万/亿, percentages, units, qualifiers."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL = {"十": 10, "百": 100, "千": 1000}
_BIG = {"万": 10_000, "亿": 100_000_000}
_CN = "零〇一二两三四五六七八九十百千万亿"

# Units, longest first; each maps to its family, so 人次 never matches 人 by accident.
UNITS = ("人次", "亿元", "万元", "元", "%", *"个家人名套项所户场批座条倍")
_UNIT_RE = "|".join(re.escape(u) for u in UNITS)
# Qualifier words: (pattern, meaning). Before the number: 超过 800; after it: 35万套以上.
_BEFORE = [
    ("超过|超出|超|逾|高于|多于|大于", ">"),
    ("将近|接近|近", "near"),
    ("大约|约|大概", "about"),
    ("不到|不足|少于|低于|小于|未达", "<"),
    ("至少|不少于|不低于", ">="),
    ("最多|不超过|至多|不多于", "<="),
]
_AFTER = [("以上", ">="), ("以下|以内", "<="), ("左右|上下", "about")]
_BEFORE_RE = "|".join(p for p, _ in _BEFORE)
_AFTER_RE = "|".join(p for p, _ in _AFTER)
_BEFORE_MAP = {w: q for p, q in _BEFORE for w in p.split("|")}
_AFTER_MAP = {w: q for p, q in _AFTER for w in p.split("|")}

_NUMBER = rf"(?:百分之(?P<pct_cn>[{_CN}点]+)|(?P<num>\d+(?:\.\d+)?(?:[万亿千百]\d*)*|[{_CN}]+(?:点[{_CN}]+)?))"
FIGURE_RE = re.compile(
    rf"(?P<before>{_BEFORE_RE})?{_NUMBER}(?P<mag>[万亿]*)(?P<unit>{_UNIT_RE})?(?P<after>{_AFTER_RE})?"
)


@dataclass(frozen=True)
class Figure:
    """One quantity: ``value`` in base units (元 for money, % for percentages)."""

    value: float
    unit: str  # "" when the text gives none
    qualifier: str  # "=", ">", ">=", "<", "<=", "near", "about"
    start: int
    end: int
    text: str

    def interval(self) -> tuple[float, float]:
        """The values this figure allows, as a closed interval (open ends use tiny margins)."""
        v, eps = self.value, abs(self.value) * 1e-9 + 1e-12
        return {
            "=": (v - eps, v + eps),
            ">": (v + eps, math.inf),
            ">=": (v - eps, math.inf),
            "<": (-math.inf, v - eps),
            "<=": (-math.inf, v + eps),
            "near": (v * 0.95, v * (1 - 1e-6)),  # 近35万: a little under 35万, never 35万 itself
            "about": (v * 0.95, v * 1.05),
        }[self.qualifier]


def chinese_to_number(text: str) -> float | None:
    """五万七千 → 57000, 十二 → 12, 三点五 → 3.5, 5万7千 → 57000; None when it is not a number."""
    text = unicodedata.normalize("NFKC", text)
    if not text:
        return None
    if "点" in text:
        whole, _, frac = text.partition("点")
        w = chinese_to_number(whole) if whole else 0.0
        if w is None or not frac or any(c not in _DIGITS for c in frac):
            return None
        return w + float("0." + "".join(str(_DIGITS[c]) for c in frac))
    total, section, number = 0.0, 0.0, 0.0
    i = 0
    seen = False
    while i < len(text):
        c = text[i]
        m = re.match(r"\d+(?:\.\d+)?", text[i:])
        if m:
            number = float(m.group(0))
            i += len(m.group(0))
            seen = True
            continue
        if c in _DIGITS:
            number = number * 10 + _DIGITS[c] if _all_digits_before(text, i) else _DIGITS[c]
            seen = True
        elif c in _SMALL:
            section += (number or 1) * _SMALL[c]
            number = 0
            seen = True
        elif c in _BIG:
            total = (total + section + number) * _BIG[c] if c == "亿" else total + (section + number) * _BIG[c]
            section, number = 0, 0
            seen = True
        else:
            return None
        i += 1
    return total + section + number if seen else None


def _all_digits_before(text: str, i: int) -> bool:
    """True in a run of bare digits such as 二〇二四 (read digit by digit)."""
    return i > 0 and all(ch in _DIGITS for ch in text[:i])


def parse(text: str) -> list[Figure]:
    """Every figure in ``text``, in order; never raises."""
    out: list[Figure] = []
    # Full-width digits and signs become ASCII; spans stay valid when NFKC keeps the length.
    norm = unicodedata.normalize("NFKC", text)
    src = norm if len(norm) == len(text) else text
    for m in FIGURE_RE.finditer(src):
        if _inside_code(src, m):
            continue
        fig = _figure(m, text[m.start() : m.end()])
        if fig is not None:
            out.append(fig)
    return out


def _inside_code(text: str, m: re.Match[str]) -> bool:
    """Digits that are part of a name such as 5G or 312国道's neighbour "G312" are not figures."""
    before = text[m.start() - 1] if m.start() > 0 else ""
    after = text[m.end()] if m.end() < len(text) else ""
    return (before.isascii() and before.isalpha()) or (not m.group("unit") and after.isascii() and after.isalpha())


def _figure(m: re.Match[str], original: str) -> Figure | None:
    unit = m.group("unit") or ""
    mag = m.group("mag") or ""
    if m.group("pct_cn"):
        value = chinese_to_number(m.group("pct_cn"))
        unit = "%"
    else:
        raw = m.group("num")
        value = chinese_to_number(raw + mag) if raw else None
    if value is None:
        return None
    # A bare Chinese numeral with no unit ("一批", "十三届" is excluded by the unit list) is prose.
    if not unit and not re.search(r"\d", m.group(0)) and not m.group("pct_cn"):
        return None
    if unit in ("亿元", "万元"):
        value *= _BIG[unit[0]]
        unit = "元"
    qualifier = "="
    if m.group("before"):
        qualifier = _BEFORE_MAP[m.group("before")]
    if m.group("after"):
        qualifier = _AFTER_MAP[m.group("after")]
    return Figure(value, unit, qualifier, m.start(), m.end(), original)


def format_value(value: float, unit: str) -> str:
    """A readable figure: 9537000000 元 → 95.37亿元, 57000 个 → 5.7万个."""
    if unit == "%":
        return f"{_trim(value)}%"
    for mag, name in ((1e8, "亿"), (1e4, "万")):
        if abs(value) >= mag:
            return f"{_trim(value / mag)}{name}{unit}"
    return f"{_trim(value)}{unit}"


def _trim(x: float) -> str:
    s = f"{x:.6f}".rstrip("0").rstrip(".")
    return s or "0"
