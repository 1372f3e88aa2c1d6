"""Figures a reporter computes about a development zone's year (issue 35): a zone named by its place
(青枫高新区), the end of last year as this year's start, what was newly added by other verbs (净增,
新筹集), a part named by what was done to the rest (「尚未配租的」), a whole held at a date as a stock,
and a growth rate that belongs to another level. On the real model."""

from __future__ import annotations

import pytest

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
    ]
)


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory, model) -> QA:  # type: ignore[no-untyped-def]
    from quoteqa.index.build import build

    corpus = tmp_path_factory.mktemp("corpus")
    (corpus / "qingfeng-2024.txt").write_text(ZONE_YEAR, encoding="utf-8")
    index = tmp_path_factory.mktemp("index") / "index"
    build(corpus, index, model=model)
    return QA.load(index, model=model)


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
        ("2023年青枫高新区新材料产业产值已在130亿元以上", "contradicted", "150亿元 ÷ (1 + 20%) = 125亿元"),
        ("青枫高新区省级“双创人才”总数是国家级重点人才工程入选者的5倍", "supported", "100人 ÷ 达到20人"),
    ],
)
def test_relations_of_a_zone_year(zone: QA, claim: str, verdict: str, arithmetic: str) -> None:
    result = zone.verify(claim)
    assert result.verdict == verdict, [figure_line(f) for f in result.figures]
    computed = [f for f in result.figures if f.computed]
    assert computed and any(arithmetic in (f.source or "") for f in computed), computed


def test_a_growth_of_another_level_never_gives_last_years_count(zone: QA) -> None:
    """「营业收入500亿元,增长10%」 is no growth of the 350 enterprises: 「2023年…高新技术企业有300家」
    (true: 净增50家) is never denied as 350 ÷ 1.1."""
    assert zone.verify("2023年青枫高新区高新技术企业有300家").verdict != "contradicted"


def test_the_rest_of_a_whole_is_named_by_the_claims_words(zone: QA) -> None:
    """「规上工业企业中,产值不足亿元的有280家」: the 320 enterprises with research are no 「产值超亿元」
    part, so 400 − 320 is never its arithmetic (it was, and a true claim came back 不一致)."""
    result = zone.verify("青枫高新区规上工业企业中,产值不足亿元的有280家")
    assert result.verdict == "not_found", [figure_line(f) for f in result.figures]


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
