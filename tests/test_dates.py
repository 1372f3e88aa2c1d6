"""Article dates: from a front-matter block, else from the file's path; shown with every citation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quoteqa.ingest import date_of, metadata, parse
from quoteqa.qa import QA
from quoteqa.store import cited, when

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


def test_a_bad_front_matter_date_is_ignored_with_a_warning(caplog: pytest.LogCaptureFixture):
    [article] = parse("---\ndate: 下周\n---\n" + BODY, "wujin-2024-07-x.txt")
    assert article.date == "2024-07" and "is not a date" in caplog.text  # the path's date instead


def test_citations_and_passages_carry_the_date(stub_index: Path):
    qa = QA.load(stub_index)
    result = qa.ask("新增上市企业几家?").to_dict()
    dates = {c["date"] for c in result["citations"]} | {p["date"] for p in result["passages"]}
    assert dates == {"2024-07"}  # the bundled file is wujin-2024-07-plenary.txt
    assert json.dumps(result, ensure_ascii=False).count('"date": "2024-07"') >= 2
    first = qa.ask("新增上市企业几家?").citations[0]
    assert cited(first).endswith("(2024年7月)") and when("2024-07-15") == "2024年7月15日"
