"""The quoteqa command, in process: ``main(argv)`` with its output captured.

Tests of what the command does with its input (one output per line, error objects, exit codes,
messages) run on the stub model (fast tier); tests of what it answers use the real model."""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import pytest
from conftest import ANSWER_KEYS, SEED
from stub_model import STUB

from quoteqa.cli import main


def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str | None = None
) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``quoteqa ARGS`` with ``stdin`` as its input."""
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8"))
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse: --help and usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# --- fast tier: the stub model --------------------------------------------------------------------


def test_build_prints_a_summary(tmp_path: Path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    code, out, err = run(
        capsys, monkeypatch, "build", "--corpus", str(corpus), "--index", str(tmp_path / "i"), "--model", STUB
    )
    assert code == 0, err
    assert "1 files, 3 articles, 21 paragraphs" in out and "sentences/s" in out


def test_ask_json_answers_each_line_once(stub_index: Path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    lines = ["新增上市企业几家?", "", "问" * 600, "?!?!", "5.7万", "<script>alert(1)</script>", "GDP是多少?"]
    code, out, _ = run(capsys, monkeypatch, "ask", "--index", str(stub_index), "--json", stdin="\n".join(lines) + "\n")
    assert code == 1  # some lines were refused
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r.get("question") for r in rows] == [
        "新增上市企业几家?",
        "",
        "问" * 600,
        "?!?!",
        "5.7万",
        lines[5],
        "GDP是多少?",
    ]
    assert [r.get("code") for r in rows] == [None, "empty", "too_long", "no_words", "only_number", None, None]
    assert "上限是 500 个字" in rows[2]["error"]
    assert list(rows[0]) == ANSWER_KEYS


def test_several_arguments_are_several_questions(stub_index: Path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    asked = ["上半年新增了多少就业岗位?", "上半年旅游总收入是多少?", ""]
    code, out, _ = run(capsys, monkeypatch, "ask", "--json", "--index", str(stub_index), *asked)
    lines = [json.loads(line) for line in out.splitlines()]
    assert [d["question"] for d in lines] == asked and code == 1  # the empty one is refused alone
    assert lines[2]["code"] == "empty" and "5.7万" in lines[0]["answer"]
    code, out, _ = run(capsys, monkeypatch, "verify", "--json", "--index", str(stub_index), "新增就业岗位5.7万个", "x")
    assert [json.loads(line)["claim"] for line in out.splitlines()] == ["新增就业岗位5.7万个", "x"]


def test_json_lines_carry_history_and_a_bad_history_is_refused(stub_index: Path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    lines = [
        json.dumps({"question": "增长多少?", "history": ["九大重点产业集群产值多少?"]}, ensure_ascii=False),
        json.dumps({"question": "增长多少?", "history": "九大重点产业集群产值多少?"}, ensure_ascii=False),
        "{not json, a question that starts with a brace",
    ]
    code, out, _ = run(capsys, monkeypatch, "ask", "--index", str(stub_index), "--json", stdin="\n".join(lines) + "\n")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and len(rows) == 3
    assert rows[0]["interpreted"] == "九大重点产业集群产值增长多少?"  # completed from the history
    assert rows[1]["code"] == "bad_history" and "必须是此前问题" in rows[1]["error"]
    assert rows[2]["question"] == lines[2]


def test_typos_are_repaired_and_shown(stub_index: Path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, monkeypatch, "ask", "--index", str(stub_index), "--json", "新增了几所学效")
    assert code == 0 and json.loads(out)["repairs"] == [["学效", "学校"]]
    # issue 37: a measure word that counts what is asked is no typo (家 stays 家, never 加上)
    code, out, _ = run(capsys, monkeypatch, "ask", "--index", str(stub_index), "--json", "一共有多少家上市企业")
    assert code == 0 and json.loads(out)["repairs"] == [] and json.loads(out)["interpreted"] == "一共有多少家上市企业"


def test_human_output_names_the_source(stub_index: Path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, monkeypatch, "ask", "--index", str(stub_index), "新增上市企业几家?")
    assert code == 0 and out.startswith("问:新增上市企业几家?\n")
    assert "原文中未找到相关内容" in out or "——《" in out


def test_verify_prints_the_verdict_and_the_reading(stub_index: Path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, monkeypatch, "verify", "--index", str(stub_index), "--json", "新增上市企业2家")
    result = json.loads(out)
    assert code == 0 and result["claim"] == "新增上市企业2家" and result["figures"][0]["claimed"] == "2家"
    code, out, _ = run(capsys, monkeypatch, "verify", "--index", str(stub_index), "新增上市企业2家")
    assert out.startswith("核实:新增上市企业2家\n结论:")


def test_usage_errors_exit_2(stub_index: Path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    code, _, err = run(capsys, monkeypatch, "ask", "--index", str(stub_index), "--top-k", "0", "x")
    assert code == 2 and "--top-k is 0; it must be between 1 and 20" in err
    assert run(capsys, monkeypatch, "frobnicate")[0] == 2
    code, out, _ = run(capsys, monkeypatch, "--help")
    assert code == 0 and "build" in out and "verify" in out


def test_missing_index_says_how_to_build(tmp_path: Path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    code, _, err = run(capsys, monkeypatch, "ask", "--index", str(tmp_path / "none"), "问题")
    assert code == 1 and "quoteqa build" in err and "Traceback" not in err


def test_stale_index_says_exactly_what_to_run(stub_index: Path, tmp_path: Path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "other.txt").write_text("标题\n\n一句话。\n", encoding="utf-8")
    code, _, err = run(capsys, monkeypatch, "ask", "--index", str(stub_index), "--corpus", str(corpus), "问题")
    assert code == 1
    assert f"quoteqa build --corpus {corpus} --index {stub_index} --model {STUB}" in err


# --- full tier: what the real model answers -------------------------------------------------------


def test_ask_json_over_stdin_answers_each_line(built_index: Path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    lines = ["上半年新增了多少就业岗位?", "武进的房价多少钱一平?", "新增上市企业几家?"]
    code, out, err = run(
        capsys, monkeypatch, "ask", "--index", str(built_index), "--json", stdin="\n".join(lines) + "\n"
    )
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["question"] for r in rows] == lines
    assert [r["found"] for r in rows] == [True, False, True]
    assert "5.7万个" in rows[0]["answer"] and rows[0]["citations"][0]["paragraph"] == 5


def test_follow_ups_typos_and_other_periods(built_index: Path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    lines = [
        json.dumps({"question": "增长多少?", "history": ["九大重点产业集群产值多少?"]}, ensure_ascii=False),
        "新增了几所学效",
        json.dumps({"question": "去年呢?", "history": ["上半年旅游总收入是多少?"]}, ensure_ascii=False),
    ]
    _, out, _ = run(capsys, monkeypatch, "ask", "--index", str(built_index), "--json", stdin="\n".join(lines) + "\n")
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows[0]["found"] and "增长10.68%" in rows[0]["answer"]
    assert rows[1]["repairs"] == [["学效", "学校"]] and "7所新校" in rows[1]["answer"]
    assert not rows[2]["found"] and "去年" in rows[2]["interpreted"]
    _, human, _ = run(capsys, monkeypatch, "ask", "--index", str(built_index), stdin=lines[0] + "\n")
    assert "按“九大重点产业集群产值增长多少?”理解" in human and "10.68%" in human


def test_human_output_and_not_found(built_index: Path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, monkeypatch, "ask", "--index", str(built_index), "武进的房价多少钱一平?")
    assert code == 0 and "原文中未找到相关内容" in out
    assert "没有提到房价" in out and "相关原文(不是答案)" in out
    _, out, _ = run(capsys, monkeypatch, "ask", "--index", str(built_index), "新增上市企业几家?")
    assert "「新增上市企业2家,累计50家。」" in out and "第 2 段" in out


def test_a_command_refused_before_its_first_question_ends_cleanly(built_index: Path) -> None:
    """The question model loads in a thread from the start; a command refused at once used to end
    while it loaded, and the process aborted now and then (exit -6, 「terminate called without an
    active exception」) instead of exiting 1 with its message."""
    import subprocess

    command = [
        sys.executable,
        "-m",
        "quoteqa",
        "ask",
        "--index",
        str(built_index),
        "--since",
        "2025",
        "--until",
        "2023",
    ]
    for _ in range(4):
        done = subprocess.run([*command, "x"], capture_output=True, text=True, timeout=120)
        assert done.returncode == 1 and "晚于" in done.stderr and "terminate" not in done.stderr
