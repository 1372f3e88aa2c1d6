"""Figure verification through the Python API and the CLI, on the real index."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SEED

from quoteqa import QA
from quoteqa.qa import InputError
from quoteqa.verify import split_claims, to_csv, to_markdown

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
        ("常住人口达到180万", "not_found", "180万", None),
    ],
)
def test_the_traps_of_the_brief(qa: QA, claim: str, verdict: str, claimed: str, source: str | None):
    r = qa.verify(claim)
    assert r.verdict == verdict, r.to_dict()
    assert [(f.claimed, f.source) for f in r.figures] == [(claimed, source)]
    if verdict == "not_found":
        assert r.evidence == "" and r.citation is None
    else:
        assert source in r.evidence and r.evidence in SEED_TEXT
        assert r.citation is not None and r.citation.quote == r.evidence


def test_a_draft_paragraph_is_split_and_gets_the_worst_verdict(qa: QA):
    draft = "上半年武进旅游总收入超过100亿元,新增就业岗位5.7万个,新增上市企业5家。"
    assert split_claims(draft) == ["上半年武进旅游总收入超过100亿元", "新增就业岗位5.7万个", "新增上市企业5家"]
    d = qa.verify(draft).to_dict()
    assert list(d) == ["claim", "verdict", "evidence", "citation", "figures", "claims"]
    assert d["verdict"] == "contradicted"
    assert [c["verdict"] for c in d["claims"]] == ["contradicted", "supported", "contradicted"]
    assert [f["status"] for f in d["figures"]] == ["mismatch", "match", "mismatch"]
    assert d["figures"][0] == {"claimed": "超过100亿元", "source": "95.37亿元", "status": "mismatch"}
    assert "95.37亿元" in to_csv(qa.verify(draft)) and to_markdown(qa.verify(draft)).count("\n") == 5


def test_claims_without_figures_are_supported_or_not_found_never_contradicted(qa: QA):
    assert qa.verify("武进中医医院正式挂牌三甲").verdict == "supported"
    r = qa.verify("武进区新建了国际机场")
    assert r.verdict == "not_found" and r.figures == []


def test_claim_set_accuracy_and_verbatim_evidence(qa: QA):
    """A floor under the figure BENCHMARKS.md reports (measured by `make bench`)."""
    claims = [json.loads(line) for line in (ROOT / "bench" / "claims.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(claims) >= 50
    right = 0
    for c in claims:
        d = qa.verify(c["claim"]).to_dict()
        right += d["verdict"] == c["verdict"]
        assert d["evidence"] == "" or d["evidence"] in SEED_TEXT
    assert right >= len(claims) - 2


@pytest.mark.parametrize("bad", ["", "  ", "数" * 2001])
def test_bad_claims_are_refused_clearly(qa: QA, bad: str):
    with pytest.raises(InputError, match="claim"):
        qa.verify(bad)


def test_cli_verify_json_and_human(built_index: Path):
    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "quoteqa", "verify", "--index", str(built_index), *args]
        return subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=300)

    r = run("--json", stdin="新增上市企业5家\n常住人口达到180万\n")
    assert r.returncode == 0, r.stderr
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert [o["verdict"] for o in out] == ["contradicted", "not_found"]
    r = run("--json", stdin="新增上市企业5家\n\n")  # a blank line gets its own error object
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert r.returncode == 1 and out[0]["verdict"] == "contradicted" and "empty" in out[1]["error"]
    r = run("上半年全区旅游接待超过800万人次")
    assert "一致" in r.stdout and "815万人次" in r.stdout and "第 4 段" in r.stdout
