"""Figures a reporter computes about a development zone's year (issue 35): a zone named by its place
(青枫高新区), the end of last year as this year's start, what was newly added by other verbs (净增,
新筹集), a part named by what was done to the rest (「尚未配租的」), a whole held at a date as a stock,
and a growth rate that belongs to another level. On the real model."""

from __future__ import annotations

import pytest
from test_derived import _built  # a real index over one article written for the test

from quoteqa import QA
from quoteqa.language.numbers import parse
from quoteqa.verify.exports import figure_line

pytestmark = pytest.mark.full

ZONE_YEAR = "\n\n".join(
    [
        "青枫高新区2024年科技创新工作综述",
        "本报讯 2024年,青枫高新区科技创新主要指标全面完成。年内净增高新技术企业50家,高新技术企业总数达到350家。"
        "全年高新技术企业实现营业收入500亿元,增长10%。",
        "全区400家规上工业企业中,有研发活动的企业达到320家,较上年增加20家。"
        "全年高新技术产业实现产值680亿元,全区规上工业总产值1000亿元。两大主导产业中,高端装备、新材料产业分别实现产值220亿元、150亿元,"
        "分别增长10%、20%。",
        "人才安居工程扎实推进,全年新筹集人才公寓300套;截至年末,全区人才公寓累计达到1000套,已配租850套。",
        "年内新入选国家级重点人才工程4人,累计达到20人;新入选省级“双创人才”25人,总数达到100人。",
        "博士后工作平台建设扎实推进,全年新建博士后科研工作站(创新实践基地)5家,累计达到30家。",
        "全年计划新建人才驿站10个,目前已建成6个,全区人才驿站累计达到40个。",
        "全区科创项目累计完成投资120亿元。分领域看,交通类、市政公用类项目分别完成投资50亿元、30亿元。"
        "老旧小区改造和建成区绿化同步推进,老旧小区新开工12个,建成区新增绿地8处。",
        "全年新建道路5条,长20公里;随着新建道路陆续通车,全区城市道路总里程达到300公里。"
        "新开通公交线路6条,全区公交线路总数达到60条。全区排定科创项目100个。100个项目中,新开工项目30个。",
    ]
)


def _checked(qa: QA, claim: str, verdict: str, arithmetic: str) -> None:
    """The claim's verdict, and the arithmetic one of its computed figures shows."""
    result = qa.verify(claim)
    assert result.verdict == verdict, [figure_line(f) for f in result.figures]
    computed = [f for f in result.figures if f.computed]
    assert computed and any(arithmetic in (f.source or "") for f in computed), computed


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory, model) -> QA:  # type: ignore[no-untyped-def]
    return _built(tmp_path_factory, model, "qingfeng-2024.txt", ZONE_YEAR)


@pytest.mark.parametrize(
    ("claim", "verdict", "arithmetic"),
    [
        ("2023年末,青枫高新区的高新技术企业总数为300家", "supported", "350家 − 50家 = 300家"),
        ("2023年,青枫高新区有研发活动的规上工业企业约300家", "supported", "320家 − 20家 = 300家"),
        ("2023年,青枫高新区有研发活动的规上工业企业不足280家", "contradicted", "320家 − 20家 = 300家"),
        ("在2024年新建5家之前,青枫高新区原有博士后科研工作站(创新实践基地)25家", "supported", "30家 − 5家 = 25家"),
        ("截至2024年底,青枫高新区人才公寓中尚未配租的还有150套", "supported", "1000套 − 850套 = 150套"),
        ("截至年末,青枫高新区人才公寓中已配租的不到八成", "contradicted", "850套 ÷ 达到1000套"),
        ("年初,青枫高新区人才公寓存量为700套", "supported", "1000套 − 300套 = 700套"),
        ("青枫高新区高新技术产业产值已接近全区规上工业总产值的七成", "supported", "680亿元 ÷ 1000亿元"),
        ("青枫高新区高新技术产业产值还不到全区规上工业总产值的七成", "supported", "680亿元 ÷ 1000亿元"),
        ("青枫高新区高新技术产业产值已超过全区规上工业总产值的七成", "contradicted", "680亿元 ÷ 1000亿元"),
        ("青枫高新区新开工项目超过科创项目总数的四分之一", "supported", "30个 ÷ 100个"),
        ("2023年青枫高新区新材料产业产值已在130亿元以上", "contradicted", "150亿元 ÷ (1 + 20%) = 125亿元"),
        ("青枫高新区省级“双创人才”总数是国家级重点人才工程入选者的5倍", "supported", "100人 ÷ 达到20人"),
        ("在今年新入选之前,青枫高新区累计有16人入选国家级重点人才工程", "supported", "达到20人 − 4人 = 16人"),
        ("今年以前,青枫高新区累计建成的人才驿站不足30个", "contradicted", "达到40个 − 6个 = 34个"),
        ("青枫高新区交通类项目比市政公用类多完成投资约20亿元", "supported", "50亿元 − 30亿元 = 20亿元"),
        ("青枫高新区交通类项目比市政公用类多完成投资约30亿元", "contradicted", "50亿元 − 30亿元 = 20亿元"),
        ("新建道路通车前,青枫高新区城市道路总里程约280公里", "supported", "达到300公里 − 20公里 = 280公里"),
        ("青枫高新区原有公交线路60条", "contradicted", "达到60条 − 6条 = 54条"),
    ],
)
def test_relations_of_a_zone_year(zone: QA, claim: str, verdict: str, arithmetic: str) -> None:
    _checked(zone, claim, verdict, arithmetic)


def test_a_growth_of_another_level_never_gives_last_years_count(zone: QA) -> None:
    """「营业收入500亿元,增长10%」 is no growth of the 350 enterprises: 「2023年…高新技术企业有300家」
    (true: 净增50家) is never denied as 350 ÷ 1.1."""
    assert zone.verify("2023年青枫高新区高新技术企业有300家").verdict != "contradicted"


def test_the_rest_of_a_whole_is_named_by_the_claims_words(zone: QA) -> None:
    """「规上工业企业中,产值不足亿元的有280家」: the 320 enterprises with research are no 「产值超亿元」
    part, so 400 − 320 is never its arithmetic (it was, and a true claim came back 不一致)."""
    result = zone.verify("青枫高新区规上工业企业中,产值不足亿元的有280家")
    assert result.verdict == "not_found", [figure_line(f) for f in result.figures]


def test_about_has_is_a_hedge() -> None:
    """「约有1450家」 is about 1450 (it was read as exactly 1450, and 1879 − 428 = 1451 as 不一致)."""
    assert parse("武进的省创新型中小企业约有1450家")[-1].qualifier == "about"


def test_a_numeral_before_da_names_a_group() -> None:
    """「不到九大产业集群」: 九大 names the nine clusters, it is no figure 「不到九」."""
    assert parse("产值还不到九大重点产业集群总产值的一半")[-1].text == "一半"
    assert [f.text for f in parse("超过9大")] == ["超过9"]


def test_a_verb_alone_in_a_list_shares_the_next_items_noun(qa: QA) -> None:
    """「新建和改造的镇级综合性养老服务中心与提档升级的菜市场」 lists two kinds, not three: 新建 and 改造
    share 养老服务中心 (「新建和改造3家镇级综合性养老服务中心,完成3家菜市场提档升级」)."""
    result = qa.verify("武进新建和改造的镇级综合性养老服务中心与提档升级的菜市场共6家")
    assert result.verdict == "supported", [figure_line(f) for f in result.figures]
    assert "3家 + 3家 = 6家" in (result.figures[0].source or "")


FARM_YEAR = "\n\n".join(
    [
        "青禾县2024年农业农村工作综述",
        "本报讯 2024年,青禾县农业农村工作稳中有进。",
        "全县粮食播种面积80万亩,比上年增加1万亩;粮食总产量40万吨,同比增长2%。"
        "分品种看,小麦15万吨,水稻22万吨,其他作物3万吨。",
        "全年新建高标准农田5万亩;截至年底,全县累计建成高标准农田60万亩(全县耕地面积90万亩)。"
        "按照规划,2025年全县计划再新建高标准农田6万亩。",
        "全县市级以上农业产业化龙头企业达到60家,其中国家级2家、省级18家、市级40家。",
        "农民专业合作社新增50家,总数达到800家(其中国家级示范社5家、省级示范社30家),共带动农户4万户。",
        "全县150个行政村集体经营性收入总额达到3亿元。经营性收入超过100万元的村达到120个。"
        "150个行政村中,已开展生活垃圾分类的有100个。",
        "全年乡村旅游接待游客400万人次,同比增长10%;实现乡村旅游综合收入10亿元。",
    ]
)


@pytest.fixture(scope="module")
def farm(tmp_path_factory: pytest.TempPathFactory, model) -> QA:  # type: ignore[no-untyped-def]
    return _built(tmp_path_factory, model, "qinghe-2024.txt", FARM_YEAR)


@pytest.mark.parametrize(
    ("claim", "verdict", "arithmetic"),
    [
        ("2023年底,青禾县累计建成的高标准农田约为55万亩", "supported", "60万亩 − 5万亩 = 55万亩"),
        ("2023年底,青禾县农民专业合作社为750家", "supported", "800家 − 50家 = 750家"),
        ("青禾县还有约30万亩耕地尚未建成高标准农田", "supported", "90万亩 − 60万亩 = 30万亩"),
        ("青禾县尚未开展生活垃圾分类的行政村有60个", "contradicted", "150个 − 100个 = 50个"),
        ("青禾县150个行政村村均集体经营性收入超过300万元", "contradicted", "3亿元 ÷ 150个 = 200万元"),
        ("2024年青禾县粮食平均亩产约500公斤", "supported", "40万吨 ÷ 80万亩 = 500公斤"),
        ("青禾县平均每家农民专业合作社带动农户约50户", "supported", "4万户 ÷ 达到800家 = 50户"),
        ("青禾县乡村旅游游客人均消费约250元", "supported", "10亿元 ÷ 400万人次 = 250元"),
        ("青禾县水稻产量占全县粮食总产量的一半以上", "supported", "22万吨 ÷ 40万吨"),
        ("青禾县国家级和省级农民专业合作社示范社一共有45家", "contradicted", "5家 + 30家 = 35家"),
        ("青禾县市级农业龙头企业数量是省级的2倍多", "supported", "40家 ÷ 18家"),
        ("青禾县已开展生活垃圾分类的行政村约占三分之二", "supported", "100个 ÷ 150个"),
        ("青禾县水稻产量是其他作物的7倍多", "supported", "22万吨 ÷ 3万吨"),
    ],
)
def test_relations_of_a_farm_year(farm: QA, claim: str, verdict: str, arithmetic: str) -> None:
    """The end of last year against a report whose paragraph names a plan's year (2025年); 「还有…
    耕地尚未…」 and 「尚未…的行政村」 as the rest of a whole; 村均 as an average; a yield's area in
    the sentence before its 「;」; the running total of several counts (「总数达到800家(其中…)」);
    「乡村旅游接待游客」 named once; a part named by its whole's measure (「水稻产量」: 「水稻22万吨」); the
    items listed after 「其中」 name their whole (「总数达到800家(其中国家级示范社5家、…)」), but not its
    level (「市级以上」's parts are each of one level)."""
    _checked(farm, claim, verdict, arithmetic)


def test_a_class_by_a_bound_or_a_wider_level_is_never_a_figure_to_confirm(farm: QA) -> None:
    """「收入超百万元的村」 is a class, never compared with the 3亿元 total (it was: 超过100万元 「agreed」
    with it, and a true difference was called 不一致); 「市级龙头企业」 is not 「市级以上」's 60家."""
    villages = farm.verify("青禾县经营性收入超百万元的村比超过500万元的村多100个")
    assert villages.verdict != "contradicted", [figure_line(f) for f in villages.figures]
    each = farm.verify("青禾县150个行政村村均集体经营性收入超过2000万元")
    assert each.verdict == "contradicted", [figure_line(f) for f in each.figures]
