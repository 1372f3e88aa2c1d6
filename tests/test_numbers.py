"""The number parser: examples from the newsroom, and properties that hold for any text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quoteqa.language.numbers import UNITS, chinese_to_number, format_value, parse


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
        # ratios and thresholds, read inside a phrase
        ("增长超过两成", 20, "%", ">"),
        ("一成以上", 10, "%", ">="),
        ("过半", 50, "%", ">"),
        ("半数以上", 50, "%", ">="),
        ("上百家", 100, "家", ">="),
        ("超千亿", 1e11, "", ">"),
        ("破百亿元", 1e10, "元", ">"),
        ("达到半百", 50, "", "reach"),
        ("突破了800万人次", 8e6, "人次", ">"),
        ("增长一倍", 100, "%", "="),
        ("翻两番", 300, "%", "about"),
        ("是去年的3倍", 3, "倍", "="),
        ("提高2个百分点", 2, "百分点", "="),
        ("千分之五", 0.5, "%", "="),
        ("12%左右", 12, "%", "about"),
        ("800万以上人次", 8e6, "人次", ">="),
    ],
)
def test_examples(text: str, value: float, unit: str, qualifier: str):
    [fig] = parse(text)
    assert fig.value == pytest.approx(value) and fig.unit == unit and fig.qualifier == qualifier
    # the figure runs to the end of the example; a phrase's verb (增长, 是去年的) stays outside it
    assert text.endswith(fig.text) and (fig.start, fig.end) == (len(text) - len(fig.text), len(text))


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


# --- Figures as reporters write them: each form read as an interval ---------------------------


@pytest.mark.parametrize(
    ("text", "low", "high", "words"),
    [
        ("400多家", 400, 499.999, "400–499家"),
        ("四十余个", 40, 49.999, "40–49个"),
        ("三十五万余套", 350_000, 359_999, "35万套至不足36万套"),
        ("40多万人次", 400_000, 499_999, "40万人次至不足50万人次"),
        ("万余个", 10_000, 19_999, "1万个至不足2万个"),
        ("十几个", 11, 19, "11个–19个"),
        ("数十家", 20, 90, "20家–90家"),
        ("五六家", 5, 6, "5家–6家"),
        ("七八十家", 70, 80, "70家–80家"),
        ("两三成", 20, 30, "20%–30%"),
        ("两成", 15, 25, "约20%(15%–25%)"),
        ("两成多", 20, 29.999, "20%至不足30%"),
        ("近两成", 15, 19.999, "略少于20%(15%至不足20%)"),
        ("三分之一", 32.4, 34.3, "约33.33%(32.33%–34.33%)"),
        ("半百", 50, 50, "50"),
        ("翻了一番", 90, 110, "约100%(90%–110%)"),
        ("近35万套", 340_000, 349_999, "略少于35万套(34万套至不足35万套)"),
        ("约95亿元", 9_025_000_000, 9_975_000_000, "约95亿元(90.25亿元–99.75亿元)"),
        ("二十来人", 18, 22, "约20人(18人–22人)"),
    ],
)
def test_approximate_forms_read_as_intervals(text: str, low: float, high: float, words: str):
    [fig] = parse(text)
    lo, hi = fig.interval()
    assert lo <= low and high <= hi and hi - lo < 1.6 * (high - low) + 1e-6, (lo, hi)
    assert fig.reading() == words


def test_dates_slogans_and_words_are_not_figures():
    for text in ("2024年上半年", "1—6月", "(2024—2026年)", "“1+8+5”治理路径", "第二成长曲线", "一成不变", "万事干为先"):
        assert parse(text) == [], text


_place = st.integers(min_value=0, max_value=6)
_lead = st.integers(min_value=1, max_value=9)
_APPROX = ["{}多家", "{}余家", "约{}家", "近{}家", "{}来家", "超过{}家", "不到{}家", "{}家以上", "{}家左右"]


@given(_lead, _place, st.sampled_from(_APPROX))
def test_every_approximate_form_holds_its_anchor(k: int, p: int, form: str):
    """The anchor (or, for 近/不到, just under it) lies inside the reading."""
    x = k * 10**p
    if "来" in form and p == 0:
        return  # 「5来家」 is not Chinese
    [fig] = parse(form.format(x))
    lo, hi = fig.interval()
    probe = x * (1 - 1e-3) if form.startswith(("近", "不到")) else x * (1 + 1e-3) if form.startswith("超过") else x
    assert lo <= probe <= hi


@given(_lead, _lead, _place, st.sampled_from(_APPROX))
def test_readings_are_monotone_in_the_number(a: int, b: int, p: int, form: str):
    """A larger number never gives an interval that starts or ends lower."""
    if "来" in form and p == 0:
        return
    (x, y) = sorted((a * 10**p, b * 10**p))
    [fx], [fy] = parse(form.format(x)), parse(form.format(y))
    assert fx.interval()[0] <= fy.interval()[0] and fx.interval()[1] <= fy.interval()[1]


@given(_lead, _place, st.data())
def test_x_duo_never_contradicts_a_source_in_its_order(k: int, p: int, data: st.DataObject):
    """「X多」 matches every source figure in [X, next step): 400多 and 428, 499, 400."""
    from quoteqa.verify.matching import compare

    x = k * 10**p
    step = 10**p
    v = data.draw(st.integers(min_value=x, max_value=x + step - 1))
    [claim] = parse(f"{x}多家")
    [source] = parse(f"{v}家")
    assert compare(claim, source) == "match"
    [outside] = parse(f"{x + step}家")
    assert compare(claim, outside) == "mismatch"
