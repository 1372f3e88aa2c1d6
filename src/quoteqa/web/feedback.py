"""Readers' votes on answers and checks, kept in a SQLite file for the newsroom.

A vote stores its time, what was voted on (an answer or a verification row), the cited sentence
and the vote. The question's text is stored only when the operator turns on ``--log-questions``
(off by default: the request log never holds user text); then questions that got 原文中未找到
are kept too, which is what citizens ask and the paper has not covered. ``quoteqa feedback``
prints the summary.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from ..language.inputs import one_line

SCHEMA = """
CREATE TABLE IF NOT EXISTS votes (
    at REAL NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('answer', 'verify')),
    sentence TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    question TEXT
);
CREATE TABLE IF NOT EXISTS unanswered (
    at REAL NOT NULL,
    question TEXT NOT NULL
);
"""
MAX_FIELD = 2000  # characters kept of a sentence or question (the input limits are 500 and 2,000)
# Rows kept of each table; past it the oldest are dropped. With real quotes (~100 characters) that
# is a few MB; at worst (--log-questions, every field at MAX_FIELD) about 120 MB per table.
MAX_ROWS = 20_000


log = logging.getLogger(__name__)

# How long recording an unanswered question may wait for a feedback file another process holds.
UNANSWERED_WAIT = 0.5


def default_path() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "quoteqa" / "feedback.sqlite3"


@dataclass(frozen=True)
class Vote:
    kind: str  # "answer" or "verify"
    sentence: str  # the cited sentence (an answer's quote, a verification row's evidence or claim)
    vote: int  # 1 (👍) or -1 (👎)
    question: str = ""  # kept only with log_questions


class FeedbackStore:
    """One SQLite file; each call opens its own short connection (the app serves from threads)."""

    def __init__(self, path: Path, *, log_questions: bool = False, max_rows: int = MAX_ROWS) -> None:
        self.path, self.log_questions, self.max_rows = path, log_questions, max_rows
        self._dropping = False  # the last unanswered question could not be recorded (logged once)
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(SCHEMA)
        with contextlib.suppress(OSError):  # readers' votes and questions are the operator's alone
            path.chmod(0o600)

    def _connect(self, timeout: float = 10.0) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=timeout)

    def add_vote(self, vote: Vote) -> None:
        if vote.kind not in ("answer", "verify") or vote.vote not in (-1, 1) or not vote.sentence.strip():
            raise ValueError(f"not a vote: kind {vote.kind!r}, vote {vote.vote!r}")
        question = vote.question[:MAX_FIELD] if self.log_questions and vote.question else None
        with self._connect() as db:
            row = db.execute(
                "INSERT INTO votes VALUES (?, ?, ?, ?, ?)",
                (time.time(), vote.kind, vote.sentence[:MAX_FIELD], vote.vote, question),
            ).lastrowid
            self._drop_oldest(db, "votes", row)

    def add_unanswered(self, question: str) -> None:
        """A question that got 原文中未找到; kept only with log_questions. The answer never waits
        for this: a file another process holds is given UNANSWERED_WAIT seconds, then the record is
        dropped, and said once in the log."""
        if self.log_questions and question.strip():
            try:
                with self._connect(UNANSWERED_WAIT) as db:
                    row = db.execute(
                        "INSERT INTO unanswered VALUES (?, ?)", (time.time(), question[:MAX_FIELD])
                    ).lastrowid
                    self._drop_oldest(db, "unanswered", row)
            except sqlite3.Error as exc:
                if not self._dropping:
                    log.warning("feedback file %s: unanswered questions are not recorded (%s)", self.path, exc)
                self._dropping = True
            else:
                self._dropping = False

    def _drop_oldest(self, db: sqlite3.Connection, table: str, row: int | None) -> None:
        """Keep the newest max_rows rows of ``table`` (rowids grow with each insert: a range delete
        on the rowid, no scan)."""
        if row is not None and row > self.max_rows:
            db.execute(f"DELETE FROM {table} WHERE rowid <= ?", (row - self.max_rows,))  # table: one of two names


class FeedbackUnreadable(Exception):
    """A feedback file that cannot be read (a folder, not SQLite, another program's database); the
    message, in Chinese, names the file."""


def summary(path: Path, *, top: int = 20) -> str:
    """Votes per cited sentence (most 👎 first), then the most frequent unanswered questions."""
    if not path.exists():
        return f"没有反馈记录:{path} 不存在(应用运行后,读者点 👍/👎 才会生成)。"
    if path.is_dir():
        raise FeedbackUnreadable(f"{path} 是一个文件夹,不是反馈文件;请用 --db 指向应用的反馈文件(.sqlite3)。")
    try:
        return _summary(path, top)
    except sqlite3.Error as exc:
        raise FeedbackUnreadable(
            f"无法读取反馈文件 {path}:它不是本应用写的 SQLite 反馈文件,或无权读取({exc})。"
        ) from None


def _summary(path: Path, top: int) -> str:
    # Read-only: reading the summary never creates or changes a file.
    with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
        rows = db.execute(
            "SELECT kind, sentence, SUM(vote = 1), SUM(vote = -1) FROM votes GROUP BY kind, sentence "
            "ORDER BY SUM(vote = -1) DESC, SUM(vote = 1) DESC LIMIT ?",
            (top,),
        ).fetchall()
        total = db.execute("SELECT COUNT(*) FROM votes").fetchone()[0]
        missed = db.execute(
            "SELECT question, COUNT(*) FROM unanswered GROUP BY question ORDER BY COUNT(*) DESC LIMIT ?", (top,)
        ).fetchall()
    lines = [f"共 {total} 票。按句子(👎 多的在前):"]
    for kind, sentence, up, down in rows:
        label = "回答" if kind == "answer" else "核实"
        lines.append(f"  👍 {up}  👎 {down}  [{label}] {one_line(sentence)}")
    if not rows:
        lines.append("  (还没有投票)")
    lines.append("原文中未找到的问题(需要应用以 --log-questions 运行):")
    lines += [f"  {n} 次  {one_line(q)}" for q, n in missed] or ["  (没有记录)"]
    return "\n".join(lines)
