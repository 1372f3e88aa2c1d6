"""The number parser: examples from the newsroom, and properties that hold for any text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quoteqa.numbers import UNITS, chinese_to_number, format_value, parse


@pytest.mark.parametrize(
    ("text", "value", "unit", "qualifier"),
    [
        ("5.7万个", 57_000, "个", "="),
        ("5万7千个", 57_000, "个", "="),
        ("五万七千个", 57_000, "个", "="),
        ("57000个", 57_000, "个", "="),
        ("95.37亿元", 9_537_000_000, "元", "="),
        ("953700万元", 9_537_000_000, "元", "="),
        ("百分之十二", 12, "%", "="),
        ("12%以上", 12, "%", ">="),
        ("八个", 8, "个", "="),
        ("超过800万人次", 8_000_000, "人次", ">"),
        ("逾50家", 50, "家", ">"),
        ("近35万套", 350_000, "套", "near"),
        ("约95亿元", 9_500_000_000, "元", "about"),
        ("不到90亿元", 9_000_000_000, "元", "<"),
        ("35万套以上", 350_000, "套", ">="),
        ("1万个以下", 10_000, "个", "<="),
        ("５．７万个", 57_000, "个", "="),
        ("两千三百万元", 23_000_000, "元", "="),
    ],
)
def test_examples(text: str, value: float, unit: str, qualifier: str):
    [fig] = parse(text)
    assert fig.value == pytest.approx(value) and fig.unit == unit and fig.qualifier == qualifier
    assert fig.text == text


def test_prose_numerals_and_codes_are_not_figures():
    assert parse("区委十三届七次全会") == []
    assert [f.text for f in parse("省5G工厂1家")] == ["1家"]


def test_spans_point_into_the_original_text():
    text = "持续打响“创富武进”品牌,新增就业岗位5.7万个。7所新校即将投用"
    for f in parse(text):
        assert text[f.start : f.end] == f.text


_cn_digits = "零一二三四五六七八九"


def to_chinese(n: int) -> str:
    """A plain reference writer of Chinese numerals (below 10^12), independent of the parser."""
    if n == 0:
        return "零"

    def below_10k(x: int) -> str:
        out, zero = "", False
        for value, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = x // value % 10
            if d:
                out += ("零" if zero and out else "") + _cn_digits[d] + name
                zero = False
            elif out:
                zero = True
        return out

    parts = [(n // 100_000_000, "亿"), (n // 10_000 % 10_000, "万"), (n % 10_000, "")]
    out, gap = "", False
    for x, name in parts:
        if x:
            out += ("零" if (gap or x < 1000) and out else "") + below_10k(x) + name
            gap = False
        elif out:
            gap = True
    return out


@given(st.integers(min_value=0, max_value=999_999_999_999))
def test_chinese_numerals_round_trip(n: int):
    assert chinese_to_number(to_chinese(n)) == n


_BASE_UNITS = [u for u in UNITS if u not in ("亿元", "万元", "个百分点")]


@given(st.integers(min_value=1, max_value=10**12), st.sampled_from(_BASE_UNITS))
def test_values_round_trip_through_format(n: int, unit: str):
    """format_value writes base units with 万/亿 (57000 个 → 5.7万个); parse reads them back."""
    [fig] = parse(format_value(float(n), unit))
    assert fig.unit == unit
    assert fig.value == pytest.approx(n, rel=1e-6)


@given(st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False), st.sampled_from(["万", "亿", ""]))
def test_decimals_with_magnitudes(d, mag: str):  # type: ignore[no-untyped-def]
    [fig] = parse(f"{d}{mag}元")
    assert fig.value == pytest.approx(float(d) * {"万": 1e4, "亿": 1e8, "": 1}[mag])


@settings(max_examples=300)
@given(st.text())
def test_parsing_never_crashes_and_spans_are_valid(text: str):
    for f in parse(text):
        assert 0 <= f.start < f.end <= len(text)
        assert f.value >= 0


@given(st.text(alphabet="零一二三四五六七八九十百千万亿两点0123456789.%个家亿元超过近约以上不到", max_size=30))
def test_numeral_soup_never_crashes(text: str):
    parse(text)
    chinese_to_number(text)
