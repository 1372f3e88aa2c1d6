"""Figure verification through the Python API and the CLI, on the real index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT, SEED
from test_cli import run

from quoteqa import QA
from quoteqa.language.inputs import InputError
from quoteqa.verify.drafts import split_claims
from quoteqa.verify.exports import to_csv, to_markdown

SEED_TEXT = SEED.read_text(encoding="utf-8").replace("\n", "")


@pytest.mark.parametrize(
    ("claim", "verdict", "claimed", "source"),
    [
        ("上半年全区旅游接待超过800万人次", "supported", "超过800万人次", "815万人次"),
        ("累计建成人才公寓35万套以上", "contradicted", "35万套以上", "近35万套"),
        ("上半年旅游总收入不到90亿元", "contradicted", "不到90亿元", "95.37亿元"),
        ("上半年旅游总收入953700万元", "supported", "953700万元", "95.37亿元"),
        ("新增市重大项目46个", "contradicted", "46个", "34个"),
        ("新增上市企业5家", "contradicted", "5家", "2家"),
        ("新增就业岗位五万七千个", "supported", "五万七千个", "5.7万个"),
        ("新能源产业产值增长百分之十二以上", "supported", "百分之十二以上", "12%以上"),
        ("上半年地区生产总值增长8%", "not_found", "8%", None),
        ("常住人口达到180万", "not_found", "达到180万", None),
    ],
)
def test_the_traps_of_the_brief(qa: QA, claim: str, verdict: str, claimed: str, source: str | None):
    r = qa.verify(claim)
    assert r.verdict == verdict, r.to_dict()
    assert [(f.claimed, f.source) for f in r.figures] == [(claimed, source)]
    if verdict == "not_found":
        assert r.evidence == "" and r.citation is None
    else:
        assert source is not None and source in r.evidence and r.evidence in SEED_TEXT
        assert r.citation is not None and r.citation.quote == r.evidence


def test_a_draft_paragraph_is_split_and_gets_the_worst_verdict(qa: QA):
    draft = "上半年武进旅游总收入超过100亿元,新增就业岗位5.7万个,新增上市企业5家。"
    assert split_claims(draft) == ["上半年武进旅游总收入超过100亿元", "新增就业岗位5.7万个", "新增上市企业5家"]
    d = qa.verify(draft).to_dict()
    assert list(d) == ["claim", "verdict", "evidence", "citation", "figures", "claims", "note"]
    assert d["verdict"] == "contradicted"
    assert [c["verdict"] for c in d["claims"]] == ["contradicted", "supported", "contradicted"]
    assert [f["status"] for f in d["figures"]] == ["mismatch", "match", "mismatch"]
    assert d["figures"][0] == {
        "claimed": "超过100亿元",
        "reading": "多于100亿元",
        "source": "95.37亿元",
        "status": "mismatch",
        "computed": None,  # a figure the claim repeats, not one it computes
    }
    assert "95.37亿元" in to_csv(qa.verify(draft)) and to_markdown(qa.verify(draft)).count("\n") == 7


def test_claims_without_figures_are_supported_or_not_found_never_contradicted(qa: QA):
    assert qa.verify("武进中医医院正式挂牌三甲").verdict == "supported"
    r = qa.verify("武进区新建了国际机场")
    assert r.verdict == "not_found" and r.figures == []


def test_claim_set_accuracy_and_verbatim_evidence(qa: QA):
    """A floor under the figure BENCHMARKS.md reports (measured by `make bench`)."""
    path = ROOT / "bench" / "sets" / "claims.jsonl"
    claims = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(claims) >= 50
    right = 0
    for c in claims:
        d = qa.verify(c["claim"]).to_dict()
        right += d["verdict"] == c["verdict"]
        assert d["evidence"] == "" or d["evidence"] in SEED_TEXT
    assert right >= len(claims) - 2


@pytest.mark.parametrize("bad", ["", "  ", "数" * 2001])
def test_bad_claims_are_refused_clearly(qa: QA, bad: str):
    with pytest.raises(InputError, match="核实内容"):
        qa.verify(bad)


def test_cli_verify_json_and_human(built_index: Path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    def verify(*args: str, stdin: str | None = None) -> tuple[int, str]:
        code, out, _ = run(capsys, monkeypatch, "verify", "--index", str(built_index), *args, stdin=stdin)
        return code, out

    code, out = verify("--json", stdin="新增上市企业5家\n常住人口达到180万\n")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [o["verdict"] for o in rows] == ["contradicted", "not_found"]
    code, out = verify("--json", stdin="新增上市企业5家\n\n")  # a blank line gets its own error object
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and rows[0]["verdict"] == "contradicted" and rows[1]["code"] == "empty"
    _, out = verify("上半年全区旅游接待超过800万人次")
    assert "一致" in out and "815万人次" in out and "第 4 段" in out
    _, out = verify("新增省创新型中小企业400多家")  # the interval, in words
    assert "400多家(400–499家) → 原文 428家:一致" in out


@pytest.fixture(scope="module")
def rates(tmp_path_factory: pytest.TempPathFactory, model) -> QA:  # type: ignore[no-untyped-def]
    """The synthetic article of the reporters' development set: rates, 百分点, 倍, 翻番, shares."""
    from quoteqa.index.build import build

    path = tmp_path_factory.mktemp("rates")
    build(ROOT / "bench" / "sets" / "reporter_dev" / "corpus", path / "index", model=model)
    return QA.load(path / "index", model=model)


@pytest.mark.parametrize(
    ("claim", "verdict", "statuses"),
    [
        # 百分点 against a source in 百分点, against two rates, and never against a growth in %
        ("研发经费投入强度比去年同期提高0.4个百分点", "supported", ["match"]),
        ("高新技术产业产值占比提高2.7个百分点", "supported", ["match"]),
        ("高新技术产业产值占比提高3个百分点", "contradicted", ["mismatch"]),
        ("空气质量优良天数比率增长3.1%", "not_found", ["missing"]),
        # a rate after 提高到 is the new level, not the old one
        ("高新技术产业产值占规上工业产值比重提高到44.2%", "supported", ["match"]),
        # 倍 and 翻番
        ("数字经济核心产业增加值比2020年增长一倍", "supported", ["match"]),
        ("数字经济核心产业增加值比2020年翻了两番", "contradicted", ["mismatch"]),
        ("跨境电商交易额是去年同期的三倍", "supported", ["match"]),
        # shares: 成, 半, 分之
        ("民营企业纳税额占全区税收的六成以上", "supported", ["match"]),
        ("护理型床位占比不到一半", "contradicted", ["mismatch"]),
        # every figure checked; the worst decides; a figure without counterpart is reported
        ("新登记企业6000多家,增长两成", "contradicted", ["match", "mismatch"]),
        ("新开工重点项目63个,引进院士8人", "not_found", ["match", "missing"]),
    ],
)
def test_reporters_forms_on_rates(rates: QA, claim: str, verdict: str, statuses: list[str]):
    r = rates.verify(claim)
    assert r.verdict == verdict, r.to_dict()
    assert [f.status for f in r.figures] == statuses, r.to_dict()


def test_the_issue_table(qa: QA):
    """The reporters' claims of the figures issue, with the interval shown in words."""
    cases = {
        "新增省创新型中小企业400多家": ("supported", ["400–499家"]),
        "新能源汽车及核心零部件产业产值增长超过两成": ("supported", ["多于20%"]),
        "新增外资项目四十余个": ("supported", ["40–49个"]),
        "人才公寓累计建成三十五万余套": ("contradicted", ["35万套至不足36万套"]),
        "九大重点产业集群产值超1800亿元,增长一成以上": ("supported", ["多于1800亿元", "不少于10%"]),
        "全区累计上市企业达到半百": ("supported", ["不少于50"]),
    }
    for claim, (verdict, readings) in cases.items():
        r = qa.verify(claim)
        assert r.verdict == verdict and [f.reading for f in r.figures] == readings, r.to_dict()


def test_a_figure_the_source_does_not_settle_is_unclear_not_contradicted(qa: QA):
    r = qa.verify("新增学位1.5万多个")  # the source says 超1万个: more than 10,000
    assert r.verdict == "not_found" and [f.status for f in r.figures] == ["unclear"]
    assert "超1万个" in r.evidence and r.citation is not None  # the reporter sees what it says


def test_reporters_development_set(qa: QA, rates: QA):
    """A floor under the figure BENCHMARKS.md reports for bench/reporter_dev (tuned on it), and
    the rule above all: no true claim called 不一致."""
    lines = (ROOT / "bench" / "sets" / "reporter_dev" / "claims.jsonl").read_text(encoding="utf-8").splitlines()
    claims = [json.loads(line) for line in lines]
    assert len(claims) >= 80
    right = false_contradicted = 0
    for c in claims:
        verdict = (rates if c["corpus"] == "synthetic" else qa).verify(c["claim"]).verdict
        right += verdict == c["verdict"]
        false_contradicted += c["verdict"] == "supported" and verdict == "contradicted"
    assert false_contradicted == 0
    assert right >= 0.9 * len(claims)  # 689/751 when measured (BENCHMARKS.md)


def test_an_addition_may_be_written_as_a_rise(qa: QA):
    """「就业岗位增加5.7万个」 says what 「新增就业岗位5.7万个」 says; 「比上年增加」 would not."""
    assert qa.verify("上半年武进就业岗位增加5.7万个").verdict == "supported"
    assert qa.verify("上半年武进就业岗位增加6万个").verdict == "contradicted"
