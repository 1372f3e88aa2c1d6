"""Interval arithmetic over the operands of a computed figure, the verdict on the claim's interval,
and the arithmetic as a reporter reads it (「15个 ÷ 17个 = 88.24%」).

Every source figure is an interval (「超22亿元」 is 22亿 to 23亿); sums, differences and quotients
carry the intervals through, and the claim's own interval is compared with the result: 一致 when the
claim allows all of it, 不一致 only when the two cannot overlap, 无法确定 otherwise.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from ..language.numbers import Figure, format_value
from .wording import (
    AVERAGE,
    BASE,
    BASE_LESS,
    COMPLEMENT,
    DIFFERENCE,
    FALL,
    GAP,
    INCREASE,
    PLAN_LEFT,
    PORTION,
    RATIO,
    RATIO_OF_REST,
    REMAINDER,
    RISE,
    SHARE,
    START,
    SUM,
    WHOLE_OF,
)


@dataclass(frozen=True)
class Operand:
    """A source figure an operation reads: its words, its interval, and the sentence it is in."""

    role: str  # 「累计」, 「新增」, 「总数」, 「部分」 …
    text: str  # the figure as the article writes it
    low: float  # its interval (a fall, 「下降3.4%」, is negative)
    high: float
    unit: str
    sentence: str  # verbatim
    citation: dict[str, Any] = field(default_factory=dict)
    at: int = -1  # where the figure starts in its sentence (two 「3家」 of one sentence are two figures)


@dataclass(frozen=True)
class Computed:
    """A claimed figure computed from the articles' figures: the operation, its operands, the result
    as an interval, and the arithmetic in Chinese (「15 ÷ 17 = 88.2%」)."""

    operation: str
    operands: list[Operand]
    low: float
    high: float
    unit: str
    expression: str


Interval = tuple[float, float]


def add(a: Interval, b: Interval) -> Interval:
    return a[0] + b[0], a[1] + b[1]


def subtract(a: Interval, b: Interval) -> Interval:
    return a[0] - b[1], a[1] - b[0]


def apart(a: Interval, b: Interval) -> Interval:
    """|a − b|: how far apart two figures are, whichever is larger (「城乡居民收入相差」)."""
    lo, hi = subtract(a, b)
    return (lo, hi) if lo >= 0 else (-hi, -lo) if hi <= 0 else (0.0, max(-lo, hi))


def divide(a: Interval, b: Interval) -> Interval | None:
    """a ÷ b for positive intervals; None when b may be zero (or either is unbounded or negative)."""
    if b[0] <= 0 or a[0] < 0 or math.isinf(a[1]) or math.isinf(b[1]):
        return None
    return a[0] / b[1], a[1] / b[0]


RATIO_SLACK = 0.05  # 「是…的2倍」 without 多, 近 or 约 is 1.9 to 2.1 times …
RATIO_DOUBT = 0.2  # … and not 1.55 times
FRACTION_SLACK = 0.01  # 三分之二 is 66.7% give or take this share of it


def judge(claimed: Figure, result: Interval, exact: bool = False) -> str:
    """match when the claim allows every computed value, mismatch when none, unclear otherwise. A
    claim without a rounding word may round the result at its last written digit (88% for 88.2%);
    a count computed from counts must be exact (合计80个 is not 78), and so must a move in points
    computed from two rates (``exact``: 44.2% − 41.5% is 2.7 points, not 3)."""
    lo_c, hi_c = claimed.interval()
    if (
        "分之" in claimed.text
        and claimed.qualifier not in ("=", "about")
        and abs(result[0] - claimed.value) <= FRACTION_SLACK * claimed.value
    ):
        return "unclear"  # 「超过三分之二」 against 67.1%: a fraction word is itself rounded
    if claimed.qualifier == "=" and claimed.unit == "倍" and claimed.value == round(claimed.value):
        # 「是…的2倍」: 1.9 to 2.1 times agrees, under 1.6 or over 2.4 does not, between is unsettled
        near = (
            claimed.value * (1 - RATIO_SLACK) - 1e-9 <= result[0]
            and result[1] <= claimed.value * (1 + RATIO_SLACK) + 1e-9
        )
        far = result[1] < claimed.value * (1 - RATIO_DOUBT) or result[0] > claimed.value * (1 + RATIO_DOUBT)
        return "match" if near else "mismatch" if far else "unclear"
    if claimed.qualifier == "=" and "分之" in claimed.text:  # 「四分之一」 is 25% give or take a little
        lo_c, hi_c = claimed.value * (1 - FRACTION_SLACK), claimed.value * (1 + FRACTION_SLACK)
    elif claimed.qualifier == "=":
        rounded = not exact and (result[0] != result[1] or _fraction(result))
        half = _half_step(claimed.text, claimed.value) if rounded else 1e-6 * max(1.0, abs(claimed.value))
        lo_c, hi_c = claimed.value - half, claimed.value + half
    lo, hi = result
    tol = 1e-7 * max(1.0, abs(lo), abs(hi) if math.isfinite(hi) else 1.0)  # 45 ÷ 50 is 90%, its fuzz aside
    if lo_c - tol <= lo and hi <= hi_c + tol:
        return "match"
    if lo > hi_c + tol or hi < lo_c - tol:
        return "mismatch"
    return "unclear"


def _fraction(result: Interval) -> bool:
    return any(abs(x - round(x)) > 1e-9 for x in result if not math.isinf(x))


def _half_step(text: str, value: float) -> float:
    """Half the unit of the last digit the claim writes (88.2% → 0.05; 1170元 → 0.5), on the
    value's scale (5.7万 → 500)."""
    digits = re.search(r"\d+(?:\.(\d+))?", text)
    if not digits:
        return 0.0
    written = float(digits.group(0))
    scale = value / written if written else 1.0
    decimals = len(digits.group(1) or "")
    return 0.5 * 10.0**-decimals * scale


def expression(kind: str, operands: list[Operand], result: Interval, unit: str) -> str:
    """The arithmetic as a reporter reads it: 「34个 + 46个 = 80个」, 「15个 ÷ 17个 = 88.2%」."""
    sign = {SUM: " + ", DIFFERENCE: " − ", START: " − ", REMAINDER: " − ", SHARE: " ÷ ", RATIO: " ÷ "}
    sign |= {AVERAGE: " ÷ ", RISE: " − ", FALL: " − ", GAP: " − ", BASE_LESS: " − ", WHOLE_OF: " ÷ "}
    texts = [o.text for o in operands]
    if kind == SHARE:  # the part (or the sum of a group's items) over the whole
        texts = [f"({' + '.join(texts[1:])})" if len(texts) > 2 else texts[1], texts[0]]
    left = sign.get(kind, " , ").join(texts)
    sign_of_rate = " − " if len(operands) > 1 and operands[1].high < 0 else " + "  # 「同比下降20%」
    if kind == BASE:
        left = f"{texts[0]} ÷ (1{sign_of_rate}{texts[1]})"
    elif kind == INCREASE:
        left = f"{texts[0]} − {texts[0]} ÷ (1{sign_of_rate}{texts[1]})"
    elif kind == RATIO_OF_REST:
        left = f"{texts[0]} ÷ ({texts[1]} − {texts[2]})"
    elif kind in (BASE_LESS, START) and len(operands) == 2 and operands[1].high < 0:  # 「比年初下降0.12个百分点」
        left = f"{texts[0]} + {texts[1]}"  # it was higher before
    elif kind == PLAN_LEFT:
        left = f"{texts[0]} ÷ {texts[1]} − {texts[0]}"
    elif kind == PORTION:
        left = f"{texts[0]} × {texts[1]}"
    elif kind == COMPLEMENT:
        left = f"{texts[0]} × (1 − {texts[1]})"
    return f"{left} = {_span(result, unit)}"


def _span(result: Interval, unit: str) -> str:
    lo, hi = (_shown(x) for x in result)
    if math.isclose(lo, hi, rel_tol=1e-6, abs_tol=1e-9):
        return _signed(lo, unit)
    return f"{_signed(lo, unit)}至{_signed(hi, unit)}"


def _signed(x: float, unit: str) -> str:
    """A value as shown, a negative one with a minus sign (「−308家」: the first is the larger)."""
    return format_value(x, unit) if x >= 0 else "−" + format_value(-x, unit)


def _shown(x: float) -> float:
    """A computed value as shown: four significant digits, at most two decimals (1170.18元)."""
    return x if math.isinf(x) or x == 0 else round(float(f"{x:.4g}" if abs(x) < 1000 else f"{x:.6g}"), 2)
