"""The readers' feedback file and its summary (`quoteqa feedback`)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from quoteqa.cli import main
from quoteqa.web.feedback import FeedbackStore, Vote, summary

QUOTE = "持续打响“创富武进”品牌,新增就业岗位5.7万个。"


def rows(path: Path, table: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute(f"SELECT * FROM {table}").fetchall()


def test_a_vote_keeps_no_question_unless_asked_to(tmp_path: Path):
    quiet = FeedbackStore(tmp_path / "a.sqlite3")
    quiet.add_vote(Vote("answer", QUOTE, 1, "上半年新增了多少就业岗位?"))
    quiet.add_unanswered("武进区上半年GDP是多少?")
    [(at, kind, sentence, vote, question)] = rows(tmp_path / "a.sqlite3", "votes")
    assert (kind, sentence, vote, question) == ("answer", QUOTE, 1, None) and isinstance(at, float)
    assert rows(tmp_path / "a.sqlite3", "unanswered") == []
    told = FeedbackStore(tmp_path / "b.sqlite3", log_questions=True)
    told.add_vote(Vote("verify", "新增上市企业2家,累计50家。", -1, "新增上市企业5家"))
    told.add_unanswered("武进区上半年GDP是多少?")
    assert rows(tmp_path / "b.sqlite3", "votes")[0][2:] == ("新增上市企业2家,累计50家。", -1, "新增上市企业5家")
    assert rows(tmp_path / "b.sqlite3", "unanswered")[0][1] == "武进区上半年GDP是多少?"


@pytest.mark.parametrize("vote", [Vote("answer", QUOTE, 2), Vote("other", QUOTE, 1), Vote("answer", " ", 1)])
def test_a_malformed_vote_is_refused(tmp_path: Path, vote: Vote):
    with pytest.raises(ValueError, match="not a vote"):
        FeedbackStore(tmp_path / "f.sqlite3").add_vote(vote)


def test_summary_counts_votes_per_sentence_and_unanswered_questions(tmp_path: Path, capsys):  # type: ignore[no-untyped-def]
    db = tmp_path / "f.sqlite3"
    store = FeedbackStore(db, log_questions=True)
    for v in (1, 1, -1):
        store.add_vote(Vote("answer", QUOTE, v))
    store.add_vote(Vote("verify", "新增上市企业2家,累计50家。", -1))
    for _ in range(3):
        store.add_unanswered("武进区上半年GDP是多少?")
    store.add_unanswered("地铁几号线到武进?")
    text = summary(db)
    assert "共 4 票" in text
    assert text.index(f"[回答] {QUOTE}") < text.index("[核实] 新增上市企业2家")  # equal 👎: more 👍 first
    assert f"👍 2  👎 1  [回答] {QUOTE}" in text
    assert "3 次  武进区上半年GDP是多少?" in text and text.index("GDP") < text.index("地铁")
    assert main(["feedback", "--db", str(db)]) == 0 and capsys.readouterr().out.strip() == text
    assert "不存在" in summary(tmp_path / "none.sqlite3")
