"""Hostile and careless use outside the web server: builds that must not delete what is not theirs,
corpus links that lead outside, broken encodings at every door, and nothing of the user on disk."""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, SEED

from quoteqa import QA
from quoteqa.index.build import build
from quoteqa.index.store import IndexUnavailable
from quoteqa.ingest.corpus import corpus_files
from quoteqa.language.inputs import InputError, check_text
from quoteqa.web.guard import RateLimiter

QUESTION = "上半年新增了多少就业岗位?"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    return folder


def quoteqa(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "quoteqa", *args], input=stdin, capture_output=True, timeout=300)


# --- a build never deletes what it did not create -------------------------------------------------


def test_build_refuses_a_folder_of_other_files_and_leaves_it_whole(tmp_path: Path, corpus: Path):
    mydocs = tmp_path / "mydocs"
    (mydocs / "sub").mkdir(parents=True)
    (mydocs / "thesis.docx").write_bytes(b"four years of work")
    (mydocs / "sub" / "notes.txt").write_text("notes", encoding="utf-8")
    refused = r"mydocs holds files that are not part of a quoteqa index \(sub, thesis"
    with pytest.raises(IndexUnavailable, match=refused):
        build(corpus, mydocs)
    assert (mydocs / "thesis.docx").read_bytes() == b"four years of work"
    assert (mydocs / "sub" / "notes.txt").exists()
    r = quoteqa("build", "--corpus", str(corpus), "--index", str(mydocs))
    assert r.returncode == 1 and b"Traceback" not in r.stderr
    assert b"not part of a quoteqa index" in r.stderr and (mydocs / "thesis.docx").exists()


def test_a_folder_named_like_a_leftover_build_is_not_deleted(tmp_path: Path, model):
    """Issue 39 row 3: a user's folder named like a build's temporary folder is theirs: the build
    reads it as the corpus and deletes only the leftovers it marked itself."""
    mine = tmp_path / ".i2.building-mycorpus"
    mine.mkdir()
    shutil.copy(SEED, mine / SEED.name)
    killed = tmp_path / ".i2.building-killed"  # what a killed build leaves: marked, half written
    killed.mkdir()
    (killed / ".quoteqa-building").write_text("", encoding="utf-8")
    (killed / "vectors.bin").write_bytes(b"\0" * 16)
    empty = tmp_path / ".i2.building-empty"  # killed before it was marked
    empty.mkdir()
    build(mine, tmp_path / "i2", model=model)
    assert (mine / SEED.name).read_bytes() == SEED.read_bytes()
    assert not killed.exists() and not empty.exists()
    assert sorted(p.name for p in (tmp_path / "i2").iterdir()) == sorted(
        [
            "articles.jsonl",
            "bm25_paragraphs",
            "bm25_sentences",
            "files.jsonl",
            "keys.bin",
            "manifest.json",
            "vectors.bin",
        ]
    )  # the mark leaves with the temporary folder
    build(mine, tmp_path / "i2", model=model)  # and the index it made is its own to replace
    assert (mine / SEED.name).exists()


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("corpus", r"corpus .*is the corpus folder"),
        ("corpus/idx", r"idx lies inside the corpus folder"),
        ("parent", r"holds the corpus folder"),
    ],
)
def test_build_refuses_an_index_that_is_in_or_around_the_corpus(tmp_path: Path, where: str, message: str):
    parent = tmp_path / "parent"
    corpus = parent / "corpus"
    corpus.mkdir(parents=True)
    shutil.copy(SEED, corpus / SEED.name)
    index = {"corpus": corpus, "corpus/idx": corpus / "idx", "parent": parent}[where]
    with pytest.raises(IndexUnavailable, match=message):
        build(corpus, index)
    assert (corpus / SEED.name).read_bytes() == SEED.read_bytes()


def test_build_refuses_a_regular_file_and_a_foreign_old_twin(tmp_path: Path, corpus: Path):
    target = tmp_path / "notes.txt"
    target.write_text("mine", encoding="utf-8")
    with pytest.raises(IndexUnavailable, match="is a file or a link, not an index folder"):
        build(corpus, target)
    assert target.read_text(encoding="utf-8") == "mine" and not (tmp_path / "notes.txt.old").exists()
    (tmp_path / "index.old").mkdir()
    (tmp_path / "index.old" / "keep.me").write_text("x", encoding="utf-8")
    with pytest.raises(IndexUnavailable, match=r"index\.old holds files that are not part"):
        build(corpus, tmp_path / "index")
    assert (tmp_path / "index.old" / "keep.me").exists()


def test_build_replaces_its_own_index_and_follows_the_umask(tmp_path: Path, corpus: Path, model):
    index = tmp_path / "index"
    build(corpus, index, model=model)
    build(corpus, index, model=model)  # an index of ours is replaced without complaint
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(index.stat().st_mode) == 0o777 & ~mask  # not mkdtemp's 0700
    assert QA.load(index, model=model).ask(QUESTION).found


def test_unwritable_index_folder_gives_a_message_not_a_traceback(corpus: Path):
    message = r"cannot write the index at /sys/quoteqa-index: .*give --index a folder"
    with pytest.raises(IndexUnavailable, match=message):
        build(corpus, Path("/sys/quoteqa-index"))  # /sys refuses new files even to root
    r = quoteqa("build", "--corpus", str(corpus), "--index", "/sys/quoteqa-index")
    assert r.returncode == 1 and b"Traceback" not in r.stderr and b"cannot write the index" in r.stderr


# --- the corpus is read from inside its folder only -----------------------------------------------


def test_links_out_of_the_corpus_are_skipped_with_a_warning(
    tmp_path: Path, corpus: Path, model, caplog: pytest.LogCaptureFixture
):
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "passwd.txt").write_text("标题\n\nroot用户的shell是/bin/bash。\n", encoding="utf-8")
    (corpus / "passwd.txt").symlink_to(outside / "passwd.txt")
    (corpus / "etc").symlink_to(outside, target_is_directory=True)
    (corpus / "inside.txt").symlink_to(corpus / SEED.name)  # a link inside the corpus is fine
    with caplog.at_level(logging.WARNING):
        files = corpus_files(corpus)
    assert [p.name for p in files] == ["inside.txt", SEED.name]
    warnings = caplog.text
    assert "skipped" in warnings and "passwd.txt: it is a link to a file outside the corpus" in warnings
    assert "etc: a linked folder is not read" in warnings
    build(corpus, tmp_path / "index", model=model)
    answer = QA.load(tmp_path / "index", model=model).ask("root用户的shell是什么?")
    assert "/bin/bash" not in answer.answer and all("passwd" not in c.doc for c in answer.citations)


def test_a_file_name_that_is_not_utf8_is_named_safely_and_skipped(corpus: Path, caplog: pytest.LogCaptureFixture):
    bad = os.fsdecode(bytes(corpus) + b"/bad\xff.txt")
    shutil.copy(SEED, bad)
    with caplog.at_level(logging.WARNING):
        files = corpus_files(corpus)
    assert [p.name for p in files] == [SEED.name]
    assert "bad\ufffd.txt: its file name is not UTF-8; rename it" in caplog.text


def test_a_stale_message_names_a_few_files_and_counts_the_rest(tmp_path: Path, corpus: Path, model):
    build(corpus, tmp_path / "index", model=model)
    for i in range(500):
        (corpus / f"new-{i:03d}.txt").write_text(f"标题{i}\n\n正文第{i}篇。\n", encoding="utf-8")
    with pytest.raises(IndexUnavailable) as err:
        QA.load(tmp_path / "index", corpus=corpus, model=model)
    message = str(err.value)
    assert "added: new-000.txt; added: new-001.txt; added: new-002.txt; and 497 more" in message
    assert "new-499" not in message and len(message) < 1000  # not 500 names


# --- broken text is refused the same way at every door --------------------------------------------


@pytest.mark.parametrize("text", ["上半年\ud800新增", "\udcff\udcfe坏字节"])
def test_lone_surrogates_are_refused_like_other_bad_input(qa: QA, text: str):
    for call in (qa.ask, qa.verify):
        with pytest.raises(InputError, match="不是有效的文字") as err:
            call(text)
        assert err.value.code == "bad_encoding"


def test_invisible_format_characters_are_removed():
    text = "\u2066上半\u2060年\u200d新增了\u00ad多少就业\u202e岗位?\u2069\ufeff"
    assert check_text(text) == QUESTION


def test_cli_refuses_a_line_of_invalid_utf8_and_answers_the_others(built_index: Path):
    stdin = "上半年新增了多少就业岗位?\n".encode() + b"\xff\xfe\xe5\x9d\x8f\n" + "新增上市企业几家?\n".encode()
    r = quoteqa("ask", "--json", "--index", str(built_index), stdin=stdin)
    assert r.returncode == 1 and b"Traceback" not in r.stderr, r.stderr
    out = [json.loads(line) for line in r.stdout.decode("utf-8").splitlines()]
    assert len(out) == 3 and out[0]["found"] and out[2]["found"]
    assert out[1]["code"] == "bad_encoding" and "不是有效的文字" in out[1]["error"]
    assert "\ufffd" in out[1]["question"]  # the bad bytes shown as U+FFFD, the line still named
    r = quoteqa("verify", "--index", str(built_index), os.fsdecode(b"\xff\xfe"))
    assert r.returncode == 1 and "不是有效的文字".encode() in r.stderr and b"Traceback" not in r.stderr


def test_a_closed_pipe_ends_quietly(built_index: Path):
    cmd = f"{sys.executable} -m quoteqa ask --index {built_index} | head -1"
    stdin = ("新增上市企业几家?\n" * 200).encode()
    r = subprocess.run(["bash", "-c", cmd], input=stdin, capture_output=True, timeout=300)
    assert r.stdout.decode("utf-8").startswith("问:新增上市企业几家?")
    assert r.stderr == b"", r.stderr.decode("utf-8", "replace")


# --- nothing of the user in the log ---------------------------------------------------------------


def test_the_request_log_holds_a_keyed_hash_and_never_the_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    import hashlib
    import time

    from quoteqa.web import ui as web

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(web, "_LOG_KEY", [])
    phone = "13912345678"
    with caplog.at_level(logging.INFO, logger="quoteqa.web.ui"):
        web.log_request("ask", phone, time.perf_counter(), "refused code=only_number")
        web.log_request("ask", phone, time.perf_counter(), "refused code=only_number")
    key_file = tmp_path / "state" / "quoteqa" / "log.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and len(key_file.read_bytes()) == 32
    keys = [r.getMessage().split("key=")[1] for r in caplog.records]
    assert len(keys) == 2 and keys[0] == keys[1]  # equal questions can still be counted
    assert phone not in caplog.text and "code=only_number" in caplog.text and "chars=11" in caplog.text
    assert hashlib.sha256(phone.encode()).hexdigest()[:12] not in caplog.text  # not the plain, guessable hash


def test_rate_limiter_lets_a_burst_through_then_a_steady_rate():
    now = [0.0]
    limiter = RateLimiter(rate=10, burst=30, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(30)] == [0.0] * 30
    assert limiter.allow("a") == pytest.approx(0.1)  # the 31st waits a tenth of a second
    assert limiter.allow("b") == 0.0  # another address is not affected
    now[0] += 1.0
    assert sum(limiter.allow("a") == 0.0 for _ in range(20)) == 10  # ten a second
    assert RateLimiter(rate=0, burst=1).allow("a") == 0.0  # 0 = no limit


# --- inputs that cost CPU or break the figure arithmetic (issue 24, rows 4 and 8) -----------------


def _cpu(fn) -> float:  # type: ignore[no-untyped-def]
    import time

    start = time.process_time()
    fn()
    return time.process_time() - start


def test_an_endless_numeral_is_no_figure_and_no_crash(stub_index: Path):
    from quoteqa.language.numbers import chinese_to_number, parse

    long = "一" * 320 + "家"
    assert parse(long) == [] and chinese_to_number("一" * 320) is None
    assert parse("新增就业岗位5.7万个")[0].value == 57000  # real figures are unchanged
    qa = QA.load(stub_index)
    assert not qa.ask(long).found
    qa.verify(long)  # a verdict, not an OverflowError


def test_spaces_between_na_and_ne_cost_no_backtracking(stub_index: Path):
    qa = QA.load(stub_index)
    qa.ask("预热")
    hostile = ("那" + " " * 497 + "呢x")[:500]
    assert _cpu(lambda: qa.ask(hostile, history=[hostile] * 50)) < 0.5


def test_rare_characters_cost_the_tagger_no_search(stub_index: Path):
    """Issue 39 rows 1 and 2: jieba's part-of-speech Viterbi search spent 8 ms a character on runs of
    characters its model does not know (23 s for one question with its history)."""
    import random

    qa = QA.load(stub_index)
    qa.ask("预热")
    qa.ask("今年新开几所学效")  # the sound index of typo repair, built once
    question = "那" + "齉" * 498 + "呢"
    assert _cpu(lambda: qa.ask(question, history=["齉" * 500, question, question, question])) < 1.0
    rng = random.Random(7)
    draft = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(2000))
    assert _cpu(lambda: qa.verify(draft)) < 1.0
    # Runs of characters the model knows, each short enough to be searched, in every earlier question.
    known = "国的了是在人有我他这中大来上个们到说和地也子时道出而要于就下得可你年生"
    runs = [",".join("".join(rng.choice(known) for _ in range(15)) for _ in range(31))[:500] for _ in range(5)]
    assert _cpu(lambda: qa.ask(runs[0], history=runs[1:])) < 1.0


def test_the_tagger_bound_leaves_every_ordinary_text_as_it_was():
    """The bound cuts only runs no ordinary text has: a question and an article paragraph are tagged
    as jieba tags them."""
    import jieba.posseg

    from quoteqa.language.kinds import tag

    for text in ("武进区委书记是谁", "恽淇丞主持会议并讲话", SEED.read_text(encoding="utf-8")[:600]):
        assert tag(text) == [(p.word, p.flag) for p in jieba.posseg.lcut(text, HMM=True)]


QUESTION_PATH = (
    "ingest.text", "language.numbers", "ask.understand", "ask.question", "language.kinds", "ask.evidence",
    "ask.features", "ask.answer", "ask.articles", "qa", "verify.claims", "verify.derived", "verify.operands",
    "verify.check", "ingest.corpus",
    "index.store", "web.ui", "cli",
)  # fmt: skip


def _probes(pattern: re.Pattern[str]) -> list[Callable[[int], str]]:
    """Strings of n characters made of what the pattern looks for: each character repeated, pairs
    alternated, and pairs n - 3 spaces apart before a character that fails the match (where
    nested repetition backtracks)."""
    chars = sorted({c for c in pattern.pattern if not c.isascii() or c in " 0123456789.%"}) or ["a"]
    probes: list[Callable[[int], str]] = [lambda n, c=c: c * n for c in chars]  # type: ignore[misc]
    for a, b in itertools.islice(itertools.combinations(chars, 2), 80):
        probes.append(lambda n, a=a, b=b: (a + b) * (n // 2))  # type: ignore[misc]
        probes.append(lambda n, a=a, b=b: a + " " * (n - 3) + b + "x")  # type: ignore[misc]
    return probes


def _matching(pattern: re.Pattern[str], text: str, times: int = 1) -> float:
    start = time.process_time()
    for _ in range(times):
        pattern.search(text)
        for _ in pattern.finditer(text):
            pass
    return (time.process_time() - start) / times


def test_every_pattern_on_the_question_path_runs_in_linear_time():
    """Issue 24, row 4: one pattern backtracked cubically on 「那」, 497 spaces and 「呢x」. Every
    module-level pattern of the modules a question or a claim passes through is run on strings
    built from its own characters; on the one it is slowest on, four times the length must cost
    less than ten times the time (linear: 4; quadratic: 16)."""
    import importlib

    patterns = [
        (f"{m}.{name}", value)
        for m in QUESTION_PATH
        for name, value in vars(importlib.import_module(f"quoteqa.{m}")).items()
        if isinstance(value, re.Pattern)
    ]
    assert len(patterns) >= 40
    for name, pattern in patterns:
        slowest = max(_probes(pattern), key=lambda probe: _matching(pattern, probe(500)))
        short, long = slowest(250), slowest(1000)
        times = max(1, int(0.02 / max(_matching(pattern, short), 1e-6)))  # ~20 ms of work for the short one
        ratio = _matching(pattern, long, times) / max(_matching(pattern, short, times), 1e-9)
        assert ratio < 10, (name, short[:20], ratio)


def test_a_day_the_month_does_not_have_is_no_date(stub_index: Path):
    from quoteqa.ingest.corpus import date_of

    assert date_of("2024-02-31") == "" and date_of("2023-02-29") == "" and date_of("2024-04-31") == ""
    assert date_of("2024-02-29") == "2024-02-29" and date_of("2024年7月31日") == "2024-07-31"
    with pytest.raises(InputError, match="不是日期"):
        QA.load(stub_index).ask(QUESTION, since="2024-02-31")


# --- text that would act on a terminal or come alive in an export (issue 24, rows 15 and 16) ------


def test_control_characters_never_reach_the_terminal():
    from quoteqa.cli import printable

    assert printable("答:「新增\x1b]0;pwned\x07就业\x1b[2J岗位」\n另见\t…") == "答:「新增]0;pwned就业[2J岗位」\n另见\t…"


def test_a_claim_with_a_markdown_link_stays_text_in_the_export(stub_index: Path):
    from quoteqa.verify.exports import to_markdown

    md = to_markdown(QA.load(stub_index).verify("[点击](javascript:alert(1))新增上市企业5家"))
    assert "[点击](" not in md and "\\[点击\\](javascript:alert(1))" in md


def test_a_draft_of_endless_claims_is_refused_and_repeats_are_checked_once(stub_index: Path):
    from quoteqa.language.inputs import MAX_CLAIMS

    qa = QA.load(stub_index)
    with pytest.raises(InputError, match=f"上限是 {MAX_CLAIMS} 处") as exc:
        qa.verify(("5家。" * 700)[:2000])
    assert exc.value.code == "too_many_claims"
    r = qa.verify("新增上市企业2家。" * 30)
    assert len(r.claims) == 30 and len({id(c) for c in r.claims}) == 1
    assert _cpu(lambda: qa.verify("新增上市企业2家,新增就业岗位5.7万个。" * 40)) < 1.0


def test_a_draft_checked_against_each_year_of_an_archive_embeds_each_claim_once(tmp_path: Path):
    """Issue 24, row 3: on a 6-year archive every year re-ran every claim, embedding included."""
    import stub_model

    from quoteqa.index.embedding import load_model

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = (ROOT / "tests" / "data" / "archive" / "2023-07-16-tourism.txt").read_text(encoding="utf-8")
    for year in range(2019, 2025):
        own = text.replace("2023-07-16", f"{year}-07-16").replace("88.1", f"{year - 1940}.1")  # a text of its own
        (corpus / f"{year}.txt").write_text(own, encoding="utf-8")
    build(corpus, tmp_path / "index", model_name=stub_model.STUB)
    qa = QA.load(tmp_path / "index")
    assert len(qa.years()) == 6
    model, calls = load_model(stub_model.STUB), []
    real = model.encode

    def counted(texts, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.extend(texts)
        return real(texts, *args, **kwargs)

    draft = "".join(f"新建{n}号码头{n}座。" for n in range(1, 11))  # ten claims no year reports
    model.encode = counted  # type: ignore[method-assign,assignment]
    try:
        assert qa.verify(draft).verdict == "not_found"
    finally:
        model.encode = real  # type: ignore[method-assign]
    assert 10 <= len(calls) == len(set(calls)) <= 20, calls  # each claim's text once, not once a year


def test_a_store_inside_the_index_folder_is_refused(corpus: Path, tmp_path: Path):
    """Every build replaces the index folder whole: a Milvus Lite file there would be deleted with it
    (issue 24, row 10)."""
    import stub_model

    from quoteqa.index.search import StoreError

    index = tmp_path / "index"
    with pytest.raises(StoreError, match="inside the index folder"):
        build(corpus, index, model_name=stub_model.STUB, store=f"milvus:{index / 'store.db'}")
    assert not index.exists()


def test_a_held_feedback_file_never_delays_an_answer(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    """Another process holding the file (BEGIN EXCLUSIVE) cost every 未找到 answer 10 s and then an
    HTTP 500 (issue 24, row 13): the record is dropped after a short wait, and said once."""
    import sqlite3
    import time

    from quoteqa.web.feedback import UNANSWERED_WAIT, FeedbackStore

    store = FeedbackStore(tmp_path / "fb.sqlite3", log_questions=True)
    holder = sqlite3.connect(tmp_path / "fb.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.WARNING, logger="quoteqa.web.feedback"):
            start = time.perf_counter()
            store.add_unanswered("武进的房价多少钱一平?")
            store.add_unanswered("明天下雨吗")
            assert time.perf_counter() - start < 4 * UNANSWERED_WAIT + 1
        assert sum("not recorded" in r.getMessage() for r in caplog.records) == 1
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    store.add_unanswered("明天下雨吗")  # recorded again once the file is free
    with sqlite3.connect(tmp_path / "fb.sqlite3") as db:
        assert db.execute("SELECT question FROM unanswered").fetchall() == [("明天下雨吗",)]


def test_a_megabyte_line_of_short_sentences_parses_in_linear_time():
    """One corpus line of 「好!」 × 500,000 (1 MB) took 8 s to cut into paragraphs (issue 24, row 12)."""
    from quoteqa.ingest.corpus import parse

    text = "标题\n\n" + "好!" * 500_000 + "\n"
    articles: list = []
    assert _cpu(lambda: articles.extend(parse(text, "x.txt"))) < 3.0
    assert sum(len(p.sentences) for a in articles for p in a.paragraphs) == 500_000


def test_a_file_over_the_size_limit_is_refused_without_being_read(tmp_path: Path):
    """Issue 24, row 12: a 200 MB file was read whole before it was refused."""
    import tracemalloc

    from quoteqa.ingest.corpus import MAX_FILE_BYTES, CorpusError
    from quoteqa.ingest.scan import scan_corpus

    (tmp_path / "corpus").mkdir()
    huge = tmp_path / "corpus" / "huge.txt"
    with huge.open("wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: no disk used
    tracemalloc.start()
    try:
        with pytest.raises(
            CorpusError, match=f"huge.txt: the file is 209,715,200 bytes, over the limit of {MAX_FILE_BYTES:,}"
        ):
            list(scan_corpus(tmp_path / "corpus"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024


def test_a_file_of_endless_sentences_is_refused_in_bounded_memory_and_time():
    """Issue 24, row 12: one line of 「好!」 took 1.6 GB a megabyte; a file under the size limit
    (40 MB, 7 million sentences) must be refused for its sentences before it fills memory."""
    # VmHWM is this process's peak (ru_maxrss would count the forked test process before exec)
    code = (
        "import re, time\n"
        "from pathlib import Path\n"
        "from quoteqa.ingest.corpus import CorpusError, parse\n"
        "text = '标题\\n\\n' + '好!' * 7_000_000\n"
        "t = time.process_time()\n"
        "try:\n"
        "    parse(text, 'x.txt')\n"
        "except CorpusError as exc:\n"
        "    print(exc)\n"
        "peak = re.search(r'VmHWM:\\s+(\\d+)', Path('/proc/self/status').read_text()).group(1)\n"
        "print(time.process_time() - t, int(peak) // 1024)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    message, figures = done.stdout.strip().splitlines()
    assert "x.txt: the file holds over 500,000 sentences, the most one file may; split it" in message
    cpu, peak_mb = figures.split()
    assert float(cpu) < 3.0 and int(peak_mb) < 400, figures


def _remove_nested(top: Path, name: str) -> None:
    """Remove folders nested as top/name/name/… one at a time, deepest first (no recursion)."""
    here = os.getcwd()
    os.chdir(top)
    depth = 0
    try:
        while os.path.isdir(name):
            os.chdir(name)
            depth += 1
        for _ in range(depth):
            for entry in os.listdir("."):
                if not os.path.isdir(entry):
                    os.unlink(entry)
            os.chdir("..")
            os.rmdir(name)
    finally:
        os.chdir(here)


def test_folders_nested_deeper_than_python_recurses_are_cut_not_crashed(corpus: Path, caplog: pytest.LogCaptureFixture):
    from quoteqa.ingest.corpus import MAX_DEPTH

    here = os.getcwd()
    os.chdir(corpus)
    try:  # os.makedirs and Path.mkdir recurse too: one folder at a time
        for _ in range(1100):
            os.mkdir("d")
            os.chdir("d")
        Path("lost.txt").write_text("标题\n\n正文。\n", encoding="utf-8")
    finally:
        os.chdir(here)
    shallow = corpus / "d" / "d"
    (shallow / "near.txt").write_text("标题\n\n正文。\n", encoding="utf-8")
    try:
        with caplog.at_level(logging.WARNING):
            files = corpus_files(corpus)
    finally:
        _remove_nested(corpus, "d")  # pytest's own clean-up of its temporary folders recurses too
    assert shallow / "near.txt" in files and not any(f.name == "lost.txt" for f in files)
    assert sum(f"{MAX_DEPTH} folders deep" in r.getMessage() for r in caplog.records) == 1


def test_a_build_refuses_a_front_matter_date_the_month_lacks(tmp_path: Path, capsys):  # type: ignore[no-untyped-def]
    import stub_model

    from quoteqa.cli import main

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("---\ndate: 2024-02-31\n---\n标题\n\n新增就业岗位5.7万个。\n", encoding="utf-8")
    code = main(["build", "--corpus", str(corpus), "--index", str(tmp_path / "index"), "--model", stub_model.STUB])
    err = capsys.readouterr().err
    assert code == 1 and "a.txt:2" in err and "'2024-02-31' is not a date" in err and "Traceback" not in err
    assert not (tmp_path / "index").exists()


def test_the_tagger_bound_nests_and_ends_with_its_request():
    from quoteqa.language import kinds

    with kinds.bounded():
        with kinds.bounded(8):
            kinds.tag("齉龘国的了是在人有我")
        kinds.tag("上半年新增了多少就业岗位")
    assert not hasattr(kinds._left, "request")  # outside a request, only the bound of one text
