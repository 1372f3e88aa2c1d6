"""Article dates: from a front-matter block, else from the file's path; shown with every citation."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from quoteqa.ask.citations import cited, when
from quoteqa.ingest.corpus import CorpusError, Source, date_of, metadata, parse
from quoteqa.qa import QA

BODY = "标题一行\n\n新增口袋公园12个。\n"


@pytest.mark.parametrize(
    ("written", "date"),
    [("2024-07-15", "2024-07-15"), ("2024/7/5", "2024-07-05"), ("2024年7月15日", "2024-07-15"), ("2024-07", "2024-07"),
     ("2024年7月", "2024-07"), ("2024", "2024"), ("2024-13-01", ""), ("七月", ""), ("", "")],
)  # fmt: skip
def test_dates_as_written(written: str, date: str):
    assert date_of(written) == date


def test_front_matter_is_read_and_removed_and_wins_over_the_path():
    text = "---\ndate: 2023-07-16\npaper: 武进日报\nurl: https://example.org/a\nunknown: x\n---\n" + BODY
    meta, rest = metadata(text, "2024/07/15/a.txt")
    assert meta == {"date": "2023-07-16", "paper": "武进日报", "url": "https://example.org/a"}
    assert rest == BODY
    [article] = parse(text, "2024/07/15/a.txt")
    assert article.date == "2023-07-16" and article.title == "标题一行"  # the block is not text


@pytest.mark.parametrize(
    ("path", "date"),
    [("2024/07/15/a.txt", "2024-07-15"), ("2024-07-15-report.md", "2024-07-15"),
     ("wujin-2024-07-plenary.txt", "2024-07"), ("notes.txt", ""), ("20240715.txt", ""), ("2024-13-01.txt", "")],
)  # fmt: skip
def test_a_date_in_the_path_is_used_without_front_matter(path: str, date: str):
    assert [a.date for a in parse(BODY, path)] == [date]


@pytest.mark.parametrize("bad", ["下周", "2024-02-31", "2023-02-29", "2024-13"])
def test_a_bad_front_matter_date_is_refused_naming_file_and_line(bad: str):
    """Issue 24 row 9: a day the month does not have would be shown, wrongly, on every citation."""
    with pytest.raises(CorpusError, match=rf"^wujin-2024-07-x\.txt:3: the front-matter date '{bad}' is not a date"):
        parse(f"---\npaper: 武进日报\ndate: {bad}\n---\n" + BODY, "wujin-2024-07-x.txt")


def test_citations_and_passages_carry_the_date(stub_index: Path):
    qa = QA.load(stub_index)
    result = qa.ask("新增上市企业几家?").to_dict()
    dates = {c["date"] for c in result["citations"]} | {p["date"] for p in result["passages"]}
    assert dates == {"2024-07"}  # the bundled file is wujin-2024-07-plenary.txt
    assert json.dumps(result, ensure_ascii=False).count('"date": "2024-07"') >= 2
    first = qa.ask("新增上市企业几家?").citations[0]
    assert cited(first).endswith("(2024年7月)") and when("2024-07-15") == "2024年7月15日"


# --- a period: --since / --until, since= / until= ---------------------------------------------------

ARCHIVE = Path(__file__).parent / "data" / "archive"  # synthetic test data, two years of one report


def test_date_spans_cover_the_whole_day_month_or_year():
    from quoteqa.ingest.corpus import date_span

    assert date_span("2024") == ("2024-01-01", "2024-12-31")
    assert date_span("2024-02") == ("2024-02-01", "2024-02-29")
    assert date_span("2024-07-15") == ("2024-07-15", "2024-07-15")


def test_a_period_leaves_out_the_articles_outside_it(stub_index: Path):
    qa = QA.load(stub_index)  # the bundled articles, dated 2024-07
    everything = frozenset(range(len(qa.index.paragraphs)))
    assert qa.outside() == frozenset() and qa.outside("2024-07-15") == frozenset()
    assert qa.outside(since="2024-08") == everything and qa.outside(until="2024-06-30") == everything
    assert qa.outside("2024", "2024") == frozenset()
    assert not qa.ask("新增上市企业几家?", since="2025").found
    from quoteqa.language.inputs import InputError

    with pytest.raises(InputError, match="不是日期") as err:
        qa.ask("新增上市企业几家?", since="下周")
    assert err.value.code == "bad_date"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, model) -> QA:  # type: ignore[no-untyped-def]
    from quoteqa.index.build import build

    index = tmp_path_factory.mktemp("archive") / "index"
    build(ARCHIVE, index, model=model)
    return QA.load(index, model=model)


def test_each_period_answers_and_checks_from_its_own_articles(archive: QA):
    q = "上半年旅游总收入是多少?"
    in_2024, in_2023 = archive.ask(q, since="2024"), archive.ask(q, until="2023-12")
    assert "95.37亿元" in in_2024.answer and in_2024.citations[0].date == "2024-07-15"
    assert "88.1亿元" in in_2023.answer and in_2023.citations[0].date == "2023-07-16"
    assert not archive.ask(q, since="2025").found
    assert archive.verify("上半年旅游总收入88.1亿元", until="2023").verdict == "supported"
    assert archive.verify("上半年旅游总收入88.1亿元", since="2024").verdict == "contradicted"


def test_the_cli_takes_since_and_until(archive: QA, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    from test_cli import run

    index = str(archive.index.path)
    code, out, _ = run(
        capsys, monkeypatch, "ask", "--index", index, "--until", "2023", "--json", "上半年旅游总收入是多少?"
    )
    assert code == 0 and "88.1亿元" in json.loads(out)["answer"]
    code, out, _ = run(capsys, monkeypatch, "verify", "--index", index, "--since", "2024-07", "新增上市企业2家")
    assert code == 0 and "结论:一致" in out
    code, out, _ = run(capsys, monkeypatch, "ask", "--index", index, "--since", "七月", "--json", "问题")
    assert code == 1 and json.loads(out)["code"] == "bad_date"


def test_the_newest_report_leads_and_the_others_follow_with_their_dates(archive: QA):
    a = archive.ask("上半年旅游总收入是多少?")
    assert "95.37亿元" in a.answer and a.citations[0].date == "2024-07-15"  # the newest leads
    assert [(c.date, "88.1亿元" in c.quote or "95.37亿元" in c.quote) for c in a.timeline] == [
        ("2023-07-16", True),
        ("2024-07-15", True),
    ]
    assert [c["date"] for c in a.to_dict()["timeline"]] == ["2023-07-16", "2024-07-15"]


@pytest.mark.parametrize(
    ("question", "figure"),
    [("2023年上半年旅游总收入是多少?", "88.1亿元"), ("去年上半年旅游总收入是多少?", "88.1亿元"),
     ("2024年上半年旅游总收入是多少?", "95.37亿元")],
)  # fmt: skip
def test_a_question_that_names_a_year_is_answered_from_that_year(archive: QA, question: str, figure: str):
    a = archive.ask(question)
    assert figure in a.answer and a.timeline == []
    assert not archive.ask("2022年上半年旅游总收入是多少?").found  # no article of 2022


def test_a_year_is_not_a_typo(archive: QA):
    assert archive.ask("2023年上半年旅游总收入是多少?").repairs == ()


@pytest.mark.parametrize(
    ("claim", "verdict", "note", "date"),
    [("上半年旅游总收入95.37亿元", "supported", "", "2024-07-15"),
     ("上半年旅游总收入88.1亿元", "contradicted", "与2023年数字一致", "2024-07-15"),
     ("2023年上半年旅游总收入88.1亿元", "supported", "", "2023-07-16")],
)  # fmt: skip
def test_a_claim_is_checked_against_its_period_or_the_newest(
    archive: QA, claim: str, verdict: str, note: str, date: str
):
    v = archive.verify(claim)
    assert (v.verdict, v.note) == (verdict, note)
    assert v.citation is not None and v.citation.date == date


def test_paper_page_link_and_author_travel_with_every_quote(tmp_path: Path):
    import stub_model

    from quoteqa.ask.citations import Citation, dated, link
    from quoteqa.index.build import build
    from quoteqa.web.render import render

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    front = "---\ndate: 2024-07-15\npaper: 武进日报\npage: A2\nsection: 要闻\nurl: {url}\nauthor: 朱梦琪\n---\n"
    body = "口袋公园建设提速\n\n今年全区新增口袋公园12个,总数达到86个。\n"
    (corpus / "parks.txt").write_text(front.format(url="https://example.org/a?x=1&y=<2>") + body, encoding="utf-8")
    (corpus / "bad.txt").write_text(front.format(url="javascript:alert(1)") + "另一篇\n\n全区新增绿道5公里。\n")
    build(corpus, tmp_path / "index", model_name=stub_model.STUB)
    qa = QA.load(tmp_path / "index")
    a = qa.ask("新增口袋公园多少个?")
    c = a.to_dict()["citations"][0]
    assert (c["paper"], c["page"], c["section"], c["url"], c["author"], c["date"]) == (
        "武进日报", "A2", "要闻", "https://example.org/a?x=1&y=<2>", "朱梦琪", "2024-07-15"
    )  # fmt: skip
    assert a.to_dict()["passages"][0]["section"] == "要闻"
    assert (
        dated(Source("2024-07-15", "武进日报", "A2", author="朱梦琪")) == "(武进日报 第A2版 · 朱梦琪 · 2024年7月15日)"
    )
    page = render(a, qa)
    assert 'href="https://example.org/a?x=1&amp;y=&lt;2&gt;"' in page and 'rel="noopener noreferrer"' in page
    assert "武进日报 第A2版 · 要闻 · 朱梦琪" in page
    bad = Citation("bad.txt", "另一篇", 1, "全区新增绿道5公里。", 1.0, source=Source(url="javascript:alert(1)"))
    assert link(bad.source.url) == "" and "javascript" not in render(replace(a, citations=[bad]), qa)


@pytest.mark.parametrize(
    ("text", "date", "reads"),
    [("今年上半年新增口袋公园12个。", "2024-07-15", "「今年上半年」指2024年上半年"),
     ("上半年旅游总收入95.37亿元,比去年增长8%。", "2024-07", "「上半年」指2024年上半年;「去年」指2023年"),
     ("昨天召开全会。", "2024-07-15", "「昨天」指2024年7月14日"),
     ("比去年上半年增长8%。", "2024-01-05", "「去年上半年」指2023年上半年"),
     ("昨天召开全会。", "2024-07", ""),  # the day is not known
     ("上月新增12个。", "2024-01-05", "「上月」指2023年12月"),
     ("新增12个。", "2024-07-15", ""), ("今年新增12个。", "", "")],
)  # fmt: skip
def test_relative_words_are_read_against_the_article_date(text: str, date: str, reads: str):
    from quoteqa.ask.citations import relative_times

    assert relative_times(text, date) == reads


def test_a_quote_says_what_its_relative_words_mean(stub_index: Path):
    qa = QA.load(stub_index)
    a = qa.ask("上半年旅游总收入是多少?")
    by_quote = {c.quote: c.reads for c in a.citations}
    assert all(("上半年" in q) == ("「上半年」指2024年上半年" in r) for q, r in by_quote.items())
    assert "reads" in a.to_dict()["citations"][0]
