"""The quoteqa command, through its real entry point."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import SEED


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "quoteqa", *args], input=stdin, capture_output=True, text=True, timeout=300
    )


def test_build_prints_a_summary(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    r = run("build", "--corpus", str(corpus), "--index", str(tmp_path / "index"))
    assert r.returncode == 0, r.stderr
    assert "1 files, 3 articles, 21 paragraphs" in r.stdout and "sentences/s" in r.stdout


def test_ask_json_over_stdin_answers_each_line(built_index: Path):
    lines = ["上半年新增了多少就业岗位?", "武进区上半年GDP是多少?", "新增上市企业几家?"]
    r = run("ask", "--index", str(built_index), "--json", stdin="\n".join(lines) + "\n")
    assert r.returncode == 0, r.stderr
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert [o["question"] for o in out] == lines
    assert [o["found"] for o in out] == [True, False, True]
    assert "5.7万个" in out[0]["answer"] and out[0]["citations"][0]["paragraph"] == 5


def test_ask_reads_json_lines_with_history(built_index: Path):
    lines = [
        json.dumps({"question": "增长多少?", "history": ["九大重点产业集群产值多少?"]}, ensure_ascii=False),
        "新增了几所学效",
        json.dumps({"question": "去年呢?", "history": ["上半年旅游总收入是多少?"]}, ensure_ascii=False),
        json.dumps({"question": "增长多少?", "history": "九大重点产业集群产值多少?"}, ensure_ascii=False),
    ]
    r = run("ask", "--index", str(built_index), "--json", stdin="\n".join(lines) + "\n")
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(out) == 4 and r.returncode == 1  # the last line's history is not a list
    assert out[0]["found"] and "增长10.68%" in out[0]["answer"]
    assert out[0]["interpreted"] == "九大重点产业集群产值增长多少?"
    assert out[1]["repairs"] == [["学效", "学校"]] and "7所新校" in out[1]["answer"]
    assert not out[2]["found"] and "去年" in out[2]["interpreted"]
    assert "must be a list" in out[3]["error"]
    human = run("ask", "--index", str(built_index), stdin=lines[0] + "\n")
    assert "按“九大重点产业集群产值增长多少?”理解" in human.stdout and "10.68%" in human.stdout


def test_human_output_and_not_found(built_index: Path):
    r = run("ask", "--index", str(built_index), "武进区上半年GDP是多少?")
    assert r.returncode == 0 and "原文中未找到相关内容" in r.stdout
    r = run("ask", "--index", str(built_index), "新增上市企业几家?")
    assert "「新增上市企业2家,累计50家。」" in r.stdout and "第 2 段" in r.stdout


def test_bad_line_gets_an_error_object_and_exit_1(built_index: Path):
    r = run("ask", "--index", str(built_index), "--json", stdin="新增上市企业几家?\n" + "问" * 600 + "\n")
    assert r.returncode == 1
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert out[0]["found"] is True
    assert "error" in out[1] and "limit is 500" in out[1]["error"]


def test_usage_errors_exit_2(built_index: Path):
    assert run("ask", "--index", str(built_index), "--top-k", "0", "x").returncode == 2
    assert run("frobnicate").returncode == 2


def test_missing_index_says_how_to_build(tmp_path: Path):
    r = run("ask", "--index", str(tmp_path / "none"), "问题")
    assert r.returncode == 1 and "quoteqa build" in r.stderr and "Traceback" not in r.stderr


def test_stale_index_says_exactly_what_to_run(built_index: Path, tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "other.txt").write_text("标题\n\n一句话。\n", encoding="utf-8")
    r = run("ask", "--index", str(built_index), "--corpus", str(corpus), "问题")
    assert r.returncode == 1
    assert f"quoteqa build --corpus {corpus} --index {built_index}" in r.stderr
