"""Figures a reporter computes from a signed article with section headings (issue 35): the headings
stay in their article, so a section's figures keep its place; a plan's measure left to do; a measure
after the thing it measures; a growth after a share of a target; the parts a sentence opens on; the
marks a part shares with its whole; two parts excepted; an average a month; counts in 处 and 次, and
capacity in 万千瓦. On the real model."""

from __future__ import annotations

import pytest
from test_derived import _built  # a real index over one article written for the test
from test_derived_zone import _checked

from quoteqa import QA
from quoteqa.language.numbers import parse
from quoteqa.verify.drafts import split_claims
from quoteqa.verify.exports import figure_line

pytestmark = pytest.mark.full

SECTIONS = "\n\n".join(
    [
        "白鹭县前三季度生态建设和民生工程稳步推进",
        "本报讯(记者 陈一帆)10月12日,记者从白鹭县发展改革局获悉,前三季度全县重点工程进展顺利。",
        "重点工程加快建设",
        "今年全县排定生态民生重点工程60个,计划总投资300亿元,年度计划投资120亿元。"
        "截至9月底,重点工程累计完成投资90亿元,完成年度计划的75%,同比增长12.5%。",
        "碧水蓝天更可感",
        "前三季度,全县生活垃圾清运量为10万吨,其中分出厨余垃圾2万吨、可回收物1.5万吨。"
        "全县现有县、镇、村三级河长500名,其中县级河长20名、镇级河长100名,各级河长累计巡河3.6万余次。",
        "今年以来,全县淘汰老旧柴油货车450辆。全县新增分布式光伏并网装机容量6万千瓦,累计并网装机达到30万千瓦。",
        "细颗粒物(PM2.5)平均浓度为30微克/立方米,同比下降10%;可吸入颗粒物(PM10)平均浓度为50微克/立方米。"
        "今年以来,全县新建改造污水管网60公里,截至9月底,累计建成城乡污水管网900公里。"
        "分区域看,东湖镇新建改造25公里,城关街道20公里。",
        "全县300辆公交车中,新能源公交车已有270辆。",
        "学有所教更暖心",
        "前三季度,全县新建、改扩建学校8所,共新增学位6000个。新建学校中,小学1所、初中1所、幼儿园2所。"
        "从学段看,新增小学学位2700个、初中学位1800个、幼儿园学位1500个。全县现有幼儿园50所。"
        "全县50所幼儿园中,普惠性幼儿园45所。",
        "老有所养更安心",
        "全县养老机构床位3000张,其中护理型床位2000张。上半年,全县医保基金支出10亿元,同比增长5%,"
        "其中职工医保基金支出7亿元,居民医保基金支出3亿元。",
        "位于城东街道的白鹭实验小学于今年春季学期正式启用,设36个教学班,提供学位1620个。"
        "城西街道新建的白鹭第二初级中学提供学位1200个。",
        "5月,县人民医院新院区正式启用,开放床位200张;县中医医院康复楼同期投用,新增床位80张。",
        "今年,全县森林覆盖率达到60%,比上年末提高0.5个百分点。"
        "分镇来看,东湖镇森林覆盖率最高,达75%;城关街道因城区面积较大,森林覆盖率为40%。",
        "就业兜底更有力",
        "1至9月,全县城镇新增就业8000人。分镇街看,东湖镇依托商贸服务业集聚优势,新增就业3000人,同比增长9%;"
        "城关街道、西山镇分别新增就业2000人和1000人。截至9月末,全县城镇登记失业率为2.5%,比年初下降0.2个百分点。"
        "全县户籍人口基本养老保险参保率达到96%,比上年末提高0.5个百分点。"
        "全县帮扶城镇失业人员再就业2000人,其中就业困难人员实现再就业500人。今年以来,全县开展补贴性职业技能培训1.6万人次。"
        "今年全县新开发公益性岗位200个,目前全县现有公益性岗位900个。全县现有城乡低保对象2000户,其中东湖镇500户、西山镇400户。",
        "今年新认定县级创业孵化基地2家,全县累计达到10家,在孵企业300家。"
        "家庭医生签约服务持续扩面提质。全县组建家庭医生团队100支,签约居民20万人,常住人口签约率40%。",
        "截至9月底,全县民宿累计达到300家,床位4000张,全年分别新增50家、600张。其中,获评省级等级旅游民宿40家,全年新增10家。"
        "夜市街实现营业额2.4亿元,同比增长20%。从城乡看,全县城镇消费品零售额80亿元。",
        "城市更新有温度",
        "新增停车泊位中,新建立体停车库5处,提供泊位1500个。",
        "前三季度,全县重点人群家庭医生签约率达到80%,比上年同期提高4个百分点。",
    ]
)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory, model) -> QA:  # type: ignore[no-untyped-def]
    return _built(tmp_path_factory, model, "bailu-2024-q3.txt", SECTIONS)


@pytest.mark.parametrize(
    ("claim", "verdict", "arithmetic"),
    [
        ("截至9月底,白鹭县重点工程距年度计划投资还差30亿元", "supported", "120亿元 − 90亿元 = 30亿元"),
        ("截至9月底,白鹭县重点工程距年度计划投资还差不到20亿元", "contradicted", "120亿元 − 90亿元 = 30亿元"),
        ("白鹭县重点工程计划总投资是年度计划投资的2.5倍", "supported", "300亿元 ÷ 120亿元"),
        ("白鹭县重点工程去年同期完成投资约80亿元", "supported", "90亿元 ÷ (1 + 12.5%) = 80亿元"),
        ("白鹭县现有幼儿园中,普惠性幼儿园占比达到九成", "supported", "45所 ÷ 50所"),
        ("白鹭县新增学位中,小学学位占比超过四成", "supported", "2700个 ÷ 6000个"),
        ("白鹭县清运的生活垃圾中,厨余垃圾和可回收物以外的部分约6.5万吨", "supported", "10万吨 − 2万吨 − 1.5万吨"),
        ("前三季度,白鹭县平均每月淘汰老旧柴油货车50辆", "supported", "450辆 ÷ 前三季度(9个月) = 50辆"),
        ("前三季度,白鹭县平均每月淘汰老旧柴油货车超过80辆", "contradicted", "450辆 ÷ 前三季度(9个月)"),
        ("白鹭县新建的立体停车库平均每处提供泊位300个", "supported", "1500个 ÷ 5处 = 300个"),
        ("白鹭县300辆公交车中,还有30辆不是新能源车", "supported", "300辆 − 270辆 = 30辆"),
        ("去年同期,白鹭县重点人群家庭医生签约率约为76%", "supported", "80% − 4个百分点 = 76%"),
        ("年初,白鹭县分布式光伏并网装机容量为24万千瓦", "supported", "30万千瓦 − 6万千瓦 = 24万千瓦"),
        ("白鹭县养老机构护理型床位数是非护理型床位的2倍", "supported", "2000张 ÷ (3000张 − 2000张) = 2倍"),
        ("白鹭县医保基金支出中,居民医保约占三成", "supported", "3亿元 ÷ 10亿元"),
        ("白鹭县去年同期医保基金支出超过10亿元", "contradicted", "10亿元 ÷ (1 + 5%)"),
        ("白鹭实验小学提供的学位比白鹭第二初级中学多420个", "supported", "1620个 − 1200个 = 420个"),
        ("白鹭县东湖镇的森林覆盖率比城关街道高出35个百分点", "supported", "达75% − 40% = 35个百分点"),
        ("东湖镇的森林覆盖率高出全县平均水平15个百分点", "supported", "达75% − 达到60% = 15个百分点"),
        ("东湖镇和城关街道两地今年新建改造的污水管网加起来45公里", "supported", "25公里 + 20公里 = 45公里"),
        ("前三季度,东湖镇和城关街道新增就业合计5000人", "supported", "3000人 + 2000人 = 5000人"),
        ("1至9月,东湖镇新增就业人数比西山镇多2000人", "supported", "3000人 − 1000人 = 2000人"),
        ("前三季度,东湖镇新增就业占全县总量的三成以上", "supported", "3000人 ÷ 8000人"),
        ("白鹭县城镇登记失业率年初为2.7%", "supported", "2.5% + 0.2个百分点 = 2.7%"),
        ("上年末,白鹭县户籍人口基本养老保险参保率为95.5%", "supported", "96% − 0.5个百分点 = 95.5%"),
        ("今年年初,白鹭县公益性岗位只有500多个", "contradicted", "900个 − 200个 = 700个"),
        ("东湖镇的低保户数是西山镇的1.25倍", "supported", "500户 ÷ 400户"),
        ("东湖、西山两镇1至9月新增就业加起来4000人", "supported", "3000人 + 1000人 = 4000人"),
        ("白鹭县补贴性职业技能培训人次约为城镇新增就业人数的2倍", "supported", "1.6万人次 ÷ 8000人 = 2倍"),
        ("白鹭县实现再就业的城镇失业人员中,就业困难人员占四分之一", "supported", "500人 ÷ 2000人"),
        ("白鹭县常住人口中,尚未签约家庭医生的比例约为60%", "supported", "100% − 40% = 60%"),
        ("白鹭县10家创业孵化基地平均每家在孵企业30家", "supported", "300家 ÷ 达到10家 = 30家"),
        ("年初,白鹭县共有民宿250家", "supported", "300家 − 50家 = 250家"),
        ("夜市街上一年的营业额约2亿元", "supported", "2.4亿元 ÷ (1 + 20%) = 2亿元"),
        ("夜市街前一年的营业额不到1.5亿元", "contradicted", "2.4亿元 ÷ (1 + 20%) = 2亿元"),
        ("白鹭县10家创业孵化基地平均每家在孵企业超过35家", "contradicted", "300家 ÷ 达到10家 = 30家"),
        ("白鹭县常住人口中,尚未签约家庭医生的比例不到一半", "contradicted", "100% − 40% = 60%"),
        ("白鹭县重点人群家庭医生签约率是常住人口签约率的2倍", "supported", "80% ÷ 40% = 2倍"),
        ("白鹭县重点人群家庭医生签约率比常住人口签约率高出40个百分点", "supported", "80% − 40% = 40个百分点"),
        ("东湖镇的森林覆盖率高出全县平均水平25个百分点", "contradicted", "达75% − 达到60% = 15个百分点"),
        ("县人民医院新院区开放床位数是县中医医院康复楼新增床位的2.5倍", "supported", "200张 ÷ 80张 = 2.5倍"),
        ("县人民医院新院区和县中医医院康复楼共为白鹭县新增医疗床位280张", "supported", "200张 + 80张 = 280张"),
        ("今年以前,白鹭县已建成的城乡污水管网约840公里", "supported", "900公里 − 60公里 = 840公里"),
        ("白鹭县PM10平均浓度比PM2.5高出20微克/立方米", "supported", "50微克 − 30微克 = 20微克"),
        ("去年前三季度,白鹭县PM2.5平均浓度不到30微克/立方米", "contradicted", "30微克 ÷ (1 − 10%)"),
        ("去年同期,白鹭县重点人群家庭医生签约率约为85%", "contradicted", "80% − 4个百分点 = 76%"),
    ],
)
def test_relations_of_a_signed_article_with_sections(county: QA, claim: str, verdict: str, arithmetic: str) -> None:
    _checked(county, claim, verdict, arithmetic)


def test_section_headings_keep_their_article_and_its_place(county: QA) -> None:
    """「碧水蓝天更可感」 heads a section of the 白鹭县 report: its figures are still 白鹭县's."""
    assert len(county.index.articles) == 1
    result = county.verify("白鹭县累计并网装机达到30万千瓦")
    assert result.verdict == "supported", [figure_line(f) for f in result.figures]


def test_the_rest_by_level_is_never_a_named_levels_figure(county: QA) -> None:
    """村级河长 is neither 县级 nor 镇级: 「不到300名」 is never confirmed by 「县级河长20名」."""
    result = county.verify("白鹭县的村级河长不到300名")
    assert result.verdict != "supported", [figure_line(f) for f in result.figures]


def test_a_difference_with_the_wholes_own_part_loosely_named_is_not_judged(county: QA) -> None:
    """「为厨余的垃圾比可回收物多」 is not 「清运量…其中…可回收物」 less its part: 未找到, never 不一致."""
    result = county.verify("白鹭县分出为厨余的垃圾量比可回收物多0.5万吨")
    assert result.verdict != "contradicted", [figure_line(f) for f in result.figures]


def test_counts_in_chu_and_ci_and_capacity_in_wan_kilowatts() -> None:
    assert [(f.value, f.unit) for f in parse("新建立体停车库5处,巡河3.6万余次,装机6万千瓦")] == [
        (5, "处"),
        (36000, "次"),
        (60000, "千瓦"),
    ]
    assert [f.unit for f in parse("发电量1200千瓦时")] == ["千瓦时"]
    assert all(f.unit != "处" for f in parse("3处理"))


def test_a_clause_counted_with_the_next_stays_one_claim() -> None:
    """「算上将投用的3所,…将达到15所」 is one sum, not two figures checked alone."""
    claims = split_claims("算上秋季开学前将投用的3所,全县今年投用的学校将达到15所。")
    assert len(claims) == 1


@pytest.mark.parametrize(
    ("claim", "verdict", "source"),
    [
        ("东湖镇今年新建改造污水管网约25公里", "supported", "25公里"),
        ("东湖镇今年新建改造污水管网60公里", "contradicted", "25公里"),  # the county's 60公里 is not the town's
    ],
)
def test_a_towns_figure_is_its_own_never_the_countys(county: QA, claim: str, verdict: str, source: str) -> None:
    result = county.verify(claim)
    assert result.verdict == verdict, [figure_line(f) for f in result.figures]
    assert [f.source for f in result.figures] == [source]


@pytest.mark.parametrize(
    ("claim", "verdict", "arithmetic"),
    [
        ("武进17个国考断面中15个达到优Ⅲ,占比接近九成", "supported", "15个 ÷ 17个"),
        ("武进17个国考断面中15个达到优Ⅲ,占比超过九成", "contradicted", "15个 ÷ 17个"),
        ("新能源汽车及核心零部件产业产值在武进新能源产业产值中的比重超过八成", "supported", "921亿元 ÷ 1072亿元"),
        ("新能源汽车及核心零部件产业产值在武进新能源产业产值中的比重不足七成", "contradicted", "921亿元 ÷ 1072亿元"),
    ],
)
def test_a_share_said_after_its_part_and_whole_or_of_a_whole(qa: QA, claim: str, verdict: str, arithmetic: str) -> None:
    """「17个…中15个…,占比接近九成」 and 「A在B中的比重」 on the bundled articles."""
    _checked(qa, claim, verdict, arithmetic)


def test_rural_is_never_the_towns_figure(county: QA) -> None:
    """「乡村消费品零售额」 is never 「城镇消费品零售额80亿元」: 乡村 is 农村, against 城镇."""
    result = county.verify("白鹭县乡村消费品零售额80亿元")
    assert result.verdict != "supported", [figure_line(f) for f in result.figures]
