"""Figures a reporter computes (issue 35): the relation a claim states is read before any figure is
compared, its operands are found in the articles, and interval arithmetic decides; a true computed
figure is never called 不一致. On the real model and the bundled articles."""

from __future__ import annotations

import time

import pytest

from quoteqa import QA
from quoteqa.language.numbers import parse
from quoteqa.verify.arithmetic import divide, judge, subtract
from quoteqa.verify.derived import (
    AVERAGE,
    BASE,
    DIFFERENCE,
    REMAINDER,
    SHARE,
    START,
    SUM,
    relation,
)
from quoteqa.verify.exports import figure_line, to_csv, to_markdown

pytestmark = pytest.mark.full


@pytest.mark.parametrize(
    ("claim", "kind"),
    [
        ("新增市重大项目和外资项目合计80个", SUM),
        ("年初全区上市企业为48家", START),
        ("17个国考断面中有2个未达到优Ⅲ", REMAINDER),
        ("新能源汽车及核心零部件产值占新能源产业八成以上", SHARE),
        ("17个国考断面中近九成达到优Ⅲ", SHARE),
        ("游客人均消费约1170元", AVERAGE),
        ("增速比九大产业集群高出约11个百分点", DIFFERENCE),
        ("去年同期新能源产业产值约957亿元", BASE),
    ],
)
def test_the_relation_is_read_from_general_chinese(claim: str, kind: str) -> None:
    rel = relation(claim, parse(claim)[-1])
    assert rel is not None and rel.kind == kind, rel


@pytest.mark.parametrize(
    "claim", ["新增上市企业2家", "上半年旅游总收入95.37亿元", "同比增长10.68%", "比上年提高2.4个百分点"]
)
def test_a_direct_figure_has_no_relation(claim: str) -> None:
    assert relation(claim, parse(claim)[-1]) is None


@pytest.mark.parametrize(
    ("claim", "verdict", "arithmetic"),
    [
        ("新增市重大项目和外资项目合计80个", "supported", "34个 + 46个 = 80个"),
        ("新增市重大项目和外资项目合计90个", "contradicted", "34个 + 46个 = 80个"),
        ("年初全区上市企业为48家", "supported", "50家 − 2家 = 48家"),
        ("年初全区上市企业为45家", "contradicted", "50家 − 2家 = 48家"),
        ("17个国考断面中近九成达到优Ⅲ", "supported", "÷ 17个 = 88.24%"),
        ("17个国考断面中有2个未达到优Ⅲ", "supported", "17个 − 达15个 = 2个"),
        ("新能源汽车及核心零部件产值占新能源产业八成以上", "supported", "921亿元 ÷ 1072亿元 = 85.91%"),
        ("新能源汽车及核心零部件产值占新能源产业九成以上", "contradicted", "921亿元 ÷ 1072亿元"),
        ("游客人均消费约1170元", "supported", "95.37亿元 ÷ 815万人次 = 1170.18元"),
        ("游客人均消费约1500元", "contradicted", "95.37亿元 ÷ 815万人次"),
        ("新能源汽车及核心零部件产业增速比九大产业集群高出约11个百分点", "supported", "21.6% − 10.68% = 10.92个百分点"),
        ("新能源产业中,新能源汽车及核心零部件以外的产值约151亿元", "supported", "1072亿元 − 921亿元 = 151亿元"),
        ("新能源产业产值中,除新能源汽车及核心零部件外,剩下的不足200亿元", "supported", "1072亿元 − 921亿元"),
        ("新建和改造镇级综合性养老服务中心、提档升级菜市场,两项合计6家", "supported", "3家 + 3家 = 6家"),
        ("武进新增省级专精特新中小企业和省创新型中小企业合计540多家", "supported", "120家 + 428家 = 548家"),
        ("武进此前原有省创新型中小企业不足1000家", "contradicted", "1879家 − 428家 = 1451家"),
        ("武进新增省创新型中小企业数量比新增省级专精特新中小企业少100多家", "contradicted", "120家 − 428家 = −308家"),
        ("武进17个国考断面中优Ⅲ断面占比近九成", "supported", "÷ 17个 = 88.24%"),
        ("武进平均每个基层党组织约有21名党员参学", "supported", "5.8万名 ÷ 2714个"),
    ],
)
def test_a_computed_figure_is_checked_with_its_arithmetic(qa: QA, claim: str, verdict: str, arithmetic: str) -> None:
    result = qa.verify(claim)
    assert result.verdict == verdict, [figure_line(f) for f in result.figures]
    computed = [f for f in result.figures if f.computed]
    assert computed and arithmetic in computed[0].source  # type: ignore[operator]
    for operand in computed[0].computed.operands:  # type: ignore[union-attr]
        assert operand.sentence and operand.sentence in "".join(s.text for s in qa.index.sentences)
        assert operand.citation["paragraph"] >= 1
    d = result.to_dict()["figures"][-1]["computed"]
    assert d["operation"] and d["operands"] and d["expression"] == computed[0].source


def test_without_all_its_operands_a_computed_figure_is_never_contradicted(qa: QA) -> None:
    """The articles give 34 市重大项目 and no 省重大项目: the sum is not found, not 不一致 against 34;
    they never say 新能源产业 is part of the 九大集群's 规上 total; 「存贷款」 lists no items."""
    for claim in (
        "新增市重大项目和省重大项目合计80个",
        "新增市重大项目和省重大项目合计超过40个",
        "年初全区常住人口为180万人",
        "游客人均住宿约3晚",
        "武进九大重点产业集群规上企业产值中,除新能源产业外,其余产业产值786.3亿元",
        "武进存贷款余额合计超过2500亿元",
    ):
        assert qa.verify(claim).verdict == "not_found", claim


# A district's report as a newspaper gives it (written for this test): a breakdown after 分行业看,
# a list with 分别, a report that goes on after 「;」, shares of a whole, a total and its count.
REPORT = """示范区上半年经济运行情况

本报讯 上半年,示范区实现规模以上工业总产值500亿元,同比增长10%;高新技术产业产值占规上工业总产值的比重达到52%。

分行业看,三大主导产业支撑有力。装备、材料、医药产业分别完成产值200亿元、120亿元和50亿元,同比分别增长12%、6%和30%。

外贸进出口总额300亿元,同比增长15%,其中出口额200亿元,增长25%。6月末,全区金融机构本外币存款余额1500亿元,比年初增加100亿元;贷款余额1100亿元,比年初增加80亿元。

今年全区新招聘教师600名,其中具有硕士研究生学历的占40%。全区接收随迁子女入学2万人,其中在公办学校就读的比例达到95%。上半年全区接待游客50万人次,同比增长20%,实现旅游收入2亿元。
"""


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory, model):
    return _built(tmp_path_factory, model, "shifanqu-2024-h1.txt", REPORT)


def _built(tmp_path_factory: pytest.TempPathFactory, model, name: str, text: str) -> QA:  # type: ignore[no-untyped-def]
    """A QA over one article written for the test."""
    from quoteqa.index.build import build

    corpus = tmp_path_factory.mktemp("corpus")
    (corpus / name).write_text(text, encoding="utf-8")
    index = tmp_path_factory.mktemp("index") / "index"
    build(corpus, index, model=model)
    return QA.load(index, model=model)


def _checked_with(qa: QA, claim: str, verdict: str, arithmetic: str, which: int) -> None:
    """The claim's verdict, and the arithmetic shown for its ``which``-th computed figure."""
    result = qa.verify(claim)
    assert result.verdict == verdict, [figure_line(f) for f in result.figures]
    computed = [f for f in result.figures if f.computed]
    assert computed and arithmetic in computed[which].source, computed  # type: ignore[operator]


@pytest.mark.parametrize(
    ("claim", "verdict", "arithmetic"),
    [
        ("示范区三大主导产业上半年合计完成产值370亿元", "supported", "200亿元 + 120亿元 + 50亿元 = 370亿元"),
        ("示范区三大主导产业产值占规上工业总产值的七成以上", "supported", "(200亿元 + 120亿元 + 50亿元) ÷ 500亿元"),
        ("示范区三大主导产业产值占规上工业总产值的比重超过八成", "contradicted", "÷ 500亿元 = 74%"),
        ("示范区装备产业产值占规上工业总产值的四成", "supported", "200亿元 ÷ 500亿元 = 40%"),
        ("示范区外贸进出口总额中,除出口外其余100亿元为进口", "supported", "300亿元 − 200亿元 = 100亿元"),
        ("年初示范区金融机构本外币贷款余额为1020亿元", "supported", "1100亿元 − 80亿元 = 1020亿元"),
        ("示范区出口额比去年同期增加40亿元", "supported", "200亿元 − 200亿元 ÷ (1 + 25%) = 40亿元"),
        ("示范区今年新招聘教师中具有硕士研究生学历的超过300名", "contradicted", "600名 × 40% = 240名"),
        ("示范区接收的随迁子女中,未在公办学校就读的约1000人", "supported", "2万人 × (1 − 达到95%) = 1000人"),
        ("示范区游客人均消费400元", "supported", "2亿元 ÷ 50万人次 = 400元"),
        ("上年同期示范区规上工业总产值约455亿元", "supported", "500亿元 ÷ (1 + 10%)"),
        ("示范区外贸进出口总额中,出口额所占比重超过六成", "supported", "200亿元 ÷ 300亿元 = 66.67%"),
        ("与去年同期相比,示范区出口额增加了40亿元", "supported", "200亿元 − 200亿元 ÷ (1 + 25%) = 40亿元"),
        ("示范区材料产业产值比装备产业少80亿元", "supported", "200亿元 − 120亿元 = 80亿元"),
        ("示范区装备产业产值比材料产业少80亿元", "contradicted", "120亿元 − 200亿元 = −80亿元"),
        ("示范区装备产业产值是医药产业的4倍", "supported", "200亿元 ÷ 50亿元 = 4倍"),
        ("示范区装备产业产值接近医药产业的5倍", "contradicted", "200亿元 ÷ 50亿元 = 4倍"),
    ],
)
def test_relations_of_a_district_report(district: QA, claim: str, verdict: str, arithmetic: str) -> None:
    """Each relation in general Chinese, against a report written for the test."""
    _checked_with(district, claim, verdict, arithmetic, 0)


def test_a_gap_to_another_subject_is_not_a_change_since_a_period(district: QA) -> None:
    """「比上半年提高」 is a change; 「比全市平均水平高」 a gap to a subject the report never gives."""
    assert district.verify("示范区进出口总额增速比全市平均水平高5个百分点").verdict == "not_found"


def test_the_arithmetic_shows_in_every_export(qa: QA) -> None:
    result = qa.verify("新增市重大项目和外资项目合计80个。年初全区上市企业为45家。")
    assert "34个 + 46个 = 80个" in to_csv(result) and "50家 − 2家 = 48家" in to_markdown(result)
    assert "新增外资项目46个" in to_csv(result)  # the operands' sentences, verbatim


def test_interval_arithmetic() -> None:
    """Sums, differences and quotients carry the operands' intervals; division by an interval that
    may be zero gives no result (未找到), never an error."""
    assert subtract((49.5, 50.5), (2.0, 2.0)) == (47.5, 48.5)
    assert divide((15.0, 15.0), (17.0, 17.0)) == pytest.approx((15 / 17, 15 / 17))
    assert divide((1.0, 2.0), (0.0, 3.0)) is None and divide((1.0, 2.0), (-1.0, 3.0)) is None
    near_ninety = parse("近九成")[0]
    assert judge(near_ninety, (88.2, 88.3)) == "match" and judge(near_ninety, (70.0, 71.0)) == "mismatch"
    assert judge(near_ninety, (84.0, 86.0)) == "unclear"  # the result lies on both sides of its bound
    eighty = parse("合计80个")[0]
    assert judge(eighty, (80.0, 80.0)) == "match" and judge(eighty, (78.0, 78.0)) == "mismatch"


def test_a_draft_of_dozens_of_relations_is_checked_in_bounded_time(qa: QA) -> None:
    qa.verify("预热")
    draft = "新增市重大项目和外资项目合计80个,年初全区上市企业为48家。" * 12
    start = time.process_time()
    result = qa.verify(draft[:2000])
    assert time.process_time() - start < 1.0 and result.verdict == "supported"
    for bad in ("合计" * 500, "比" * 900 + "多5个", "占" * 600 + "的九成", "一" * 400 + "倍"):
        qa.verify(bad)  # a verdict, not an error


def test_the_web_table_shows_the_arithmetic_and_every_operand_escaped(qa: QA) -> None:
    from quoteqa.web.render import render_verification

    draft = "新增市重大项目和外资项目合计80个<b>"
    page = render_verification(qa.verify(draft), draft)
    assert "34个 + 46个 = 80个" in page and "新增外资项目46个" in page and "<b>" not in page
    assert "原文无此数字" not in page.split("vf-table")[0]  # the summary names verdicts: 一致, 不一致, 未找到


# A county's year as a newspaper reports it (written for this test): two rates of one share, the
# towns' and the countryside's incomes, a whole split in two (进出口, 社零), a part with 其中, a
# running total and what was added, batches of measures, a breakdown of a total, a peak.
COUNTY = "\n\n".join(
    [
        "滨湖县2024年经济社会发展情况",
        "本报讯 2024年,滨湖县高新技术产业产值占规上工业总产值的比重由上年的40.5%提高到44.2%。"
        "全县城镇居民人均可支配收入40000元,增长5%;农村居民人均可支配收入25000元,增长7%。",
        "全年实现进出口总额30亿美元,其中出口额22亿美元。全县实现社会消费品零售总额180亿元,"
        "其中限额以上单位零售额70亿元。全年接待游客1200万人次,同比增长12%。其中过夜游客400万人次。",
        "全年新增民宿20家,累计达到60家。滚动推出五批42项优化营商环境改革举措。",
        "全县实现规模以上工业总产值800亿元,同比增长8%。分行业看,三大主导产业支撑有力。"
        "机械、纺织、食品产业分别完成产值300亿元、200亿元和100亿元。",
        "全县6条特色街区夜间客流量累计达到1000万人次,其中滨河夜市单日最高客流突破8万人次。",
        "县人民医院和县中医院全年门急诊人次分别为90万和50万。",
        "6月末,全县金融机构存款余额900亿元,比年初增加60亿元;贷款余额700亿元,比年初增加50亿元。",
        "目前,全县在校学生12万人,比去年同期增加5000人。全县60周岁以上户籍老年人口15万人,占户籍人口的25%。",
        "全年新增家庭农场30家、农民专业合作社10家,累计分别达到200家和120家。",
    ]
)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory, model):
    return _built(tmp_path_factory, model, "binhu-2024.txt", COUNTY)


@pytest.mark.parametrize(
    ("claim", "verdict", "arithmetic"),
    [
        ("滨湖县高新技术产业产值占规上工业总产值的比重,今年比上年提高了3.7个百分点", "supported", "44.2% − 40.5%"),
        ("滨湖县高新技术产业产值占规上工业总产值的比重比上年提高了4个百分点", "contradicted", "= 3.7个百分点"),
        ("滨湖县城乡居民人均可支配收入相差1.5万元", "supported", "40000元 − 25000元"),
        ("滨湖县城镇居民与农村居民人均可支配收入相差约2万元", "contradicted", "40000元 − 25000元"),
        ("滨湖县全年进口额约8亿美元", "supported", "30亿美元 − 22亿美元 = 8亿美元"),
        ("滨湖县限额以下单位零售额超过100亿元", "supported", "180亿元 − 70亿元 = 110亿元"),
        ("滨湖县接待的游客中,不过夜的游客约800万人次", "supported", "1200万人次 − 400万人次"),
        ("滨湖县民宿累计达到60家;也就是说,此前全县已有40家民宿", "supported", "60家 − 20家 = 40家"),
        ("滨湖县优化营商环境改革举措平均每批8项多", "supported", "42项 ÷ 五批"),
        ("三大主导产业之外,滨湖县其余行业规上工业产值约200亿元", "supported", "800亿元 − 300亿元 − 200亿元 − 100亿元"),
        ("滨湖县机械产业产值比纺织产业高出100亿元", "supported", "300亿元 − 200亿元"),
        ("滨湖县出口额是进口额的2倍多", "supported", "22亿美元 ÷ (30亿美元 − 22亿美元) = 2.75倍"),
        ("滨湖县人民医院和县中医院两家医院的门急诊量合计140万人次", "supported", "90万 + 50万"),
        ("滨湖县金融机构存贷款余额合计1600亿元", "supported", "900亿元 + 700亿元 = 1600亿元"),
        ("去年同期滨湖县在校学生约11.5万人", "supported", "12万人 − 5000人 = 11.5万人"),
        ("滨湖县户籍人口约60万人", "supported", "15万人 ÷ 25% = 60万人"),
        ("滨湖县户籍人口约80万人", "contradicted", "15万人 ÷ 25% = 60万人"),
        ("年初滨湖县农民专业合作社有110家", "supported", "120家 − 10家 = 110家"),
        ("滨湖县新增的民宿占全县累计建成总数的三分之一", "supported", "20家 ÷ 达到60家 = 33.33%"),
        ("滨湖县新增的民宿占全县累计建成总数的一半以上", "contradicted", "20家 ÷ 达到60家 = 33.33%"),
    ],
)
def test_relations_of_a_county_year(county: QA, claim: str, verdict: str, arithmetic: str) -> None:
    """Rates moved in points, two figures apart, a whole split in two, the rest of a whole, a start
    restated with 也就是说, an average per batch, the rest of a group: each against its arithmetic."""
    _checked_with(county, claim, verdict, arithmetic, -1)


def test_what_only_shares_a_time_a_place_or_a_wider_kind_is_never_a_contradiction(county: QA) -> None:
    """「入境游客」 is a part of the 1200万 游客; 「居民人均消费支出」 shares only 全年 and 全县 with
    「接待游客…增长12%」; 「国庆假期」 is not 全年. None of them is 不一致."""
    claims = ("滨湖县全年接待入境游客2万人次", "滨湖县全年居民人均消费支出增长6%", "滨湖县国庆假期接待游客同比增长30%")
    for claim in claims:
        assert county.verify(claim).verdict == "not_found", claim


def test_a_peak_is_no_part_of_a_total(county: QA) -> None:
    """「滨河夜市单日最高客流」 is a peak: the rest of the 1000万人次 is not 1000万 less 8万."""
    assert county.verify("除滨河夜市外,滨湖县其余特色街区夜间客流超过900万人次").verdict == "not_found"


def test_reporters_words_for_more_than_and_an_idiom() -> None:
    """「8项多」 is more than 8 (and under 9); 「大半壁江山」 states no figure."""
    more = parse("平均每批8项多。")[0]
    assert more.interval()[0] >= 7.99 and more.interval()[1] <= 9.0 and more.qualifier == "more"
    assert parse("撑起了全区工业的大半壁江山") == []


TOWN = "\n\n".join(
    [
        "青石镇上半年经济社会发展情况",
        "本报讯 上半年,青石镇实现地区生产总值60亿元。分产业看,第一产业增加值5亿元,第二产业增加值30亿元,"
        "第三产业增加值25亿元。",
        "全镇30家规上工业企业完成产值90亿元,同比增长8%,其中产值超亿元企业达12家;新能源产业产值增长20%。"
        "全镇规上工业企业研发费用同比增长30%。",
        "全镇8个行政村中,村集体经营性收入超过100万元的有5个。全镇12个监测断面中优Ⅲ断面达9个。",
        "一般公共预算支出10亿元,其中民生支出7亿元。全镇城镇新增就业1200人,全年目标为2000人。",
        "全镇空气质量优良天数比例为85%,比去年同期提高2个百分点;城镇调查失业率为4.5%,比去年同期下降0.5个百分点。",
        "全镇40个家庭医生团队签约服务居民8万人。完成外贸进出口总额20亿元,其中外贸出口额12亿元,增长20%。",
        "全镇筹集保障性租赁住房300套,完成全年任务的60%。",
        "城镇居民人均可支配收入5万元,农村居民人均可支配收入3万元。年内新增省级专精特新企业3家,累计达到15家。",
    ]
)


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory, model):
    return _built(tmp_path_factory, model, "qingshi-2024-h1.txt", TOWN)


@pytest.mark.parametrize(
    ("claim", "verdict", "arithmetic"),
    [
        ("青石镇8个行政村中,六成以上村集体经营性收入超过100万元", "supported", "5个 ÷ 8个 = 62.5%"),
        ("青石镇8个行政村中,七成以上村集体经营性收入超过100万元", "contradicted", "5个 ÷ 8个 = 62.5%"),
        ("青石镇七成以上监测断面达到优Ⅲ类", "supported", "达9个 ÷ 12个 = 75%"),
        ("青石镇近九成监测断面达到优Ⅲ类", "contradicted", "达9个 ÷ 12个 = 75%"),
        ("青石镇民生支出之外的一般公共预算支出约3亿元", "supported", "10亿元 − 7亿元 = 3亿元"),
        ("青石镇民生支出之外的一般公共预算支出超过5亿元", "contradicted", "10亿元 − 7亿元 = 3亿元"),
        ("青石镇全年城镇新增就业目标还剩约800人有待完成", "supported", "2000人 − 1200人 = 800人"),
        ("青石镇全年城镇新增就业目标还剩约500人", "contradicted", "2000人 − 1200人 = 800人"),
        ("去年同期青石镇空气质量优良天数比例为83%", "supported", "85% − 2个百分点 = 83%"),
        ("去年同期青石镇城镇调查失业率为4%", "contradicted", "4.5% + 0.5个百分点 = 5%"),
        ("青石镇每个家庭医生团队平均签约服务约2000名居民", "supported", "8万人 ÷ 40个 = 2000名"),
        ("青石镇每个家庭医生团队平均签约服务约3000名居民", "contradicted", "8万人 ÷ 40个 = 2000名"),
        ("青石镇规上工业企业数是产值超亿元企业数的2.5倍", "supported", "30家 ÷ 达12家 = 2.5倍"),
        ("青石镇30家规上工业企业户均产值3亿元", "supported", "90亿元 ÷ 30家 = 3亿元"),
        ("青石镇第三产业增加值占地区生产总值的比重超过四成", "supported", "25亿元 ÷ 60亿元"),
        ("青石镇第三产业增加值占地区生产总值的比重超过五成", "contradicted", "25亿元 ÷ 60亿元"),
        ("青石镇新能源产业产值增速比规上工业整体高出12个百分点", "supported", "20% − 8% = 12个百分点"),
        ("去年同期青石镇外贸出口额约10亿元", "supported", "12亿元 ÷ (1 + 20%) = 10亿元"),
        ("青石镇下半年还需筹集保障性租赁住房200套,才能完成全年任务", "supported", "300套 ÷ 60% − 300套 = 200套"),
        ("青石镇保障性租赁住房全年任务还剩400套以上", "contradicted", "300套 ÷ 60% − 300套 = 200套"),
        ("青石镇一般公共预算支出10亿元,民生支出之外的部分约3亿元", "supported", "10亿元 − 7亿元 = 3亿元"),
        ("青石镇民生支出7亿元,占一般公共预算支出的比重为七成", "supported", "7亿元 ÷ 10亿元 = 70%"),
        ("青石镇第三产业增加值占GDP比重超过四成", "supported", "25亿元 ÷ 60亿元"),
        ("青石镇城乡居民人均可支配收入差距超过2.5万元", "contradicted", "5万元 − 3万元 = 2万元"),
    ],
)
def test_relations_of_a_town_report(town: QA, claim: str, verdict: str, arithmetic: str) -> None:
    """A share written before its noun, the rest outside a part (「A之外的B」), what is left of a
    target (stated, or known by the share of it done), last year's rate from its move in points, an
    average per team, a count of a class (「产值超亿元企业」 names a class, no amount), a share of
    地区生产总值 (or GDP), a gap that a level of one side does not settle, and a measure the second
    subject of a comparison leaves unsaid: each against its arithmetic."""
    _checked_with(town, claim, verdict, arithmetic, -1)


def test_what_was_added_is_no_counterpart_of_a_stock(town: QA) -> None:
    """「15家省级专精特新企业」 is the 累计 15家, not the 新增 3家 beside it."""
    assert town.verify("青石镇省级专精特新企业15家").verdict == "supported"
    assert town.verify("青石镇省级专精特新企业20家").verdict != "supported"


YEAR = "\n\n".join(
    [
        "白石县2024年经济社会发展情况",
        "本报讯 2024年,白石县实现地区生产总值210亿元,同比增长5%。全县公路总里程达到500公里,较上年末增加20公里。",
        "全年粮食播种面积10万亩,粮食总产量4万吨,其中稻谷产量3万吨。全年商品房销售面积50万平方米,同比下降20%。",
        "城镇居民人均可支配收入增长5%;农村居民人均可支配收入增长7%。",
        "春节、国庆假期分别接待游客20万人次和30万人次。省级专精特新中小企业累计20家,其中当年新认定5家。",
        "工业稳中有进。全县实现规上工业总产值200亿元。三大主导产业支撑有力:纺织产业完成产值50亿元,"
        "规上企业累计30家,其中当年新增4家;机械产业完成产值40亿元,拥有规上企业20家,比上年新增3家;"
        "食品产业完成产值30亿元,规上企业10家,年内新增2家。",
        "全年新开工保障性住房600套,基本建成400套。",
    ]
)


@pytest.fixture(scope="module")
def county_year(tmp_path_factory: pytest.TempPathFactory, model):
    return _built(tmp_path_factory, model, "baishi-2024.txt", YEAR)


@pytest.mark.parametrize(
    ("claim", "verdict", "arithmetic"),
    [
        ("2023年白石县地区生产总值约200亿元", "supported", "210亿元 ÷ (1 + 5%) = 200亿元"),
        ("2023年白石县地区生产总值210亿元", "contradicted", "210亿元 ÷ (1 + 5%) = 200亿元"),
        ("上年末,白石县公路总里程为480公里", "supported", "500公里 − 20公里 = 480公里"),
        ("上年末,白石县公路总里程为520公里", "contradicted", "500公里 − 20公里 = 480公里"),
        ("白石县粮食总产量4万吨,亩产约400公斤", "supported", "4万吨 ÷ 10万亩 = 400公斤"),
        ("白石县粮食总产量4万吨,亩产约500公斤", "contradicted", "4万吨 ÷ 10万亩 = 400公斤"),
        ("白石县商品房销售面积50万平方米,上年约为62.5万平方米", "supported", "50万平方米 ÷ (1 − 20%) = 62.5万平方米"),
        ("白石县农村居民人均可支配收入增长7%,增速比城镇居民高2个百分点", "supported", "7% − 5% = 2个百分点"),
        ("春节、国庆两个假期,白石县共接待游客50万人次", "supported", "20万人次 + 30万人次 = 50万人次"),
        ("此前白石县的省级专精特新中小企业已有18家", "contradicted", "20家 − 5家 = 15家"),
        ("白石县三大主导产业的规上企业加起来共有60家", "supported", "30家 + 20家 + 10家 = 60家"),
        ("白石县三大主导产业共新增规上企业12家", "contradicted", "4家 + 3家 + 2家 = 9家"),
        ("三大主导产业产值占全县规上工业总产值的比重超过七成", "contradicted", "= 60%"),
        ("保障性住房方面,白石县全年新开工和基本建成的加起来为1000套", "supported", "600套 + 400套 = 1000套"),
        ("除稻谷外,白石县其余粮食产量合计1万吨", "supported", "4万吨 − 3万吨 = 1万吨"),
    ],
)
def test_relations_of_a_year_report(county_year: QA, claim: str, verdict: str, arithmetic: str) -> None:
    """A figure of the year before the report's (its base, never this year's figure), the level at
    the end of last year (较上年末), a yield per 亩 of a harvest in 吨, last year's level in a clause of
    its own, a rate compared in the clause after it, a sum of the items a clause before lists
    (「…两个假期,…共」), what was newly recognised (新认定) as what was added, a group its report
    lists after a colon, one item a clause (「三大主导产业支撑有力:…;…;…」), and of two figures in one
    sentence the one its own words label (「新开工…600套,基本建成400套」)."""
    _checked_with(county_year, claim, verdict, arithmetic, -1)


LIVELIHOOD = "\n\n".join(
    [
        "红枫县前三季度民生实事推进情况",
        "本报讯 年初,红枫县经票决确定年度民生实事项目40项,计划总投资20亿元。截至9月底,已提前完成25项,"
        "累计完成投资15亿元。",
        "全县现有各级各类学校100所,其中幼儿园40所、小学35所、初中15所、普通高中10所。"
        "全县普惠性幼儿园达34所。今年新增普惠托位300个,全县托位总数达到1200个。",
        "全县150个行政村中,已建成标准化村卫生室140个。家庭医生签约服务扩面提质,签约居民20万人,"
        "其中老年人、慢性病患者等重点人群12万人。红枫县户籍人口50万人,其中60周岁以上老年人12万人。",
        "既有住宅加装电梯工作提速,前三季度新增加装电梯30部,全县累计加装达到120部。"
        "城乡公交一体化深入推进,新开通城乡公交线路6条、优化调整线路3条,全县公交线路总数达50条。",
        "保障性租赁住房建设加快推进,全年目标筹集1000套,前三季度已筹集820套。"
        "全年发放科技创新券500万元,惠及中小企业100家。",
        "全年计划新改建农村公路100公里,前三季度已完成80公里,全县公路总里程达到2000公里,比上年末增加30公里。",
    ]
)


@pytest.fixture(scope="module")
def livelihood(tmp_path_factory: pytest.TempPathFactory, model):
    return _built(tmp_path_factory, model, "hongfeng-2024-q3.txt", LIVELIHOOD)


@pytest.mark.parametrize(
    ("claim", "verdict", "arithmetic"),
    [
        ("红枫县40所幼儿园中,非普惠性幼儿园只有6所", "supported", "34所 = 6所"),
        ("红枫县150个行政村中,还有20个村尚未建成标准化村卫生室", "contradicted", "150个 − 140个 = 10个"),
        ("截至9月底,红枫县40项民生实事项目中尚未完成的还有15项", "supported", "40项 − 25项 = 15项"),
        ("截至9月底,红枫县已完成的民生实事项目还不到总数的一半", "contradicted", "25项 ÷ 40项"),
        ("红枫县60周岁以上老年人占户籍人口的比重超过三成", "contradicted", "12万人 ÷ 50万人 = 24%"),
        ("红枫县家庭医生签约居民中,重点人群占比不到一半", "contradicted", "12万人 ÷ 20万人 = 60%"),
        ("红枫县累计加装电梯数量是今年前三季度新增数量的4倍", "supported", "120部 ÷ 30部 = 4"),
        ("红枫县保障性租赁住房筹集量距全年目标还差180套", "supported", "1000套 − 820套 = 180套"),
        ("红枫县现有小学、初中一共50所", "supported", "35所 + 15所 = 50所"),
        ("红枫县幼儿园、小学和初中三类学校合计超过100所", "contradicted", "40所 + 35所 + 15所 = 90所"),
        ("前三季度,红枫县新开通和优化调整的城乡公交线路共有9条", "supported", "6条 + 3条 = 9条"),
        ("年初红枫县托位总数为900个", "supported", "1200个 − 300个 = 900个"),
        ("今年以前,红枫县既有住宅累计加装电梯已超过100部", "contradicted", "120部 − 30部 = 90部"),
        ("上年末,红枫县公路总里程约1970公里", "supported", "2000公里 − 30公里 = 1970公里"),
        ("在今年新增300个普惠托位之前,红枫县已有托位900个", "supported", "1200个 − 300个 = 900个"),
        ("红枫县平均每家受惠中小企业获得科技创新券约5万元", "supported", "500万元 ÷ 100家 = 5万元"),
    ],
)
def test_relations_of_a_livelihood_report(livelihood: QA, claim: str, verdict: str, arithmetic: str) -> None:
    """A part named as a kind of the whole (普惠性幼儿园 of 幼儿园) or by what was done (「尚未完成的」:
    「已提前完成25项」 after the whole in its paragraph), a share of 总数, an age that names a class, a
    sentence's opening clause as its figures' subject, a ratio to what was added this period, the rest
    of a target (「距全年目标还差」), a list's items each by its own label, the noun after 「的」 shared by
    a list, a running total called 总数, the head of a long subject, a plan named in an earlier
    clause that does not make what was done (「前三季度已完成」) or the total after it a plan, a
    clause 「在…之前,」 that frames the figure after it (one claim of a draft, not two), and an average
    whose verb (获得) comes between who shares it and what is shared."""
    _checked_with(livelihood, claim, verdict, arithmetic, -1)


def test_an_average_names_who_shares_it_before_its_verb() -> None:
    """「平均每家受惠中小企业获得科技创新券约5万元」: 科技创新券 shared among the 受惠中小企业, not among
    the place (which let the best sentence of the claim lend an unrelated total and count)."""
    claim = "红枫县平均每家受惠中小企业获得科技创新券约5万元"
    rel = relation(claim, parse(claim)[-1])
    assert rel is not None and rel.kind == AVERAGE and rel.operands == ("科技创新券", "受惠中小企业"), rel


def test_a_count_right_after_its_whole_is_a_part_never_the_whole(qa: QA) -> None:
    """「17个国考断面中15个达到优Ⅲ」: 15个 is a part of the 17, never compared with 17 as 不一致 (as a
    reporter's draft would have it); 「…中有15个…」 stays confirmed by 「优Ⅲ断面达15个」."""
    assert qa.verify("17个国考断面中15个达到优Ⅲ,近九成").verdict != "contradicted"
    assert qa.verify("17个国考断面中有15个达到优Ⅲ").verdict == "supported"
