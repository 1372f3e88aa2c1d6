"""Issue 39, rows 4-15: hostile and careless use of the command line, the feedback file, the
loading placeholder and the web app. Each test reproduces a finding against the real product."""

from __future__ import annotations

import json
from pathlib import Path

from test_cli import run

QUESTION = "上半年新增了多少就业岗位?"


def test_a_json_line_python_cannot_read_is_answered_like_any_other(stub_index: Path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    """Row 8: a line nested 1,000 deep ended the batch with a RecursionError traceback."""
    deep = '{"question":"x","history":' + "[" * 1000 + "]" * 1000 + "}"
    digits = '{"question":' + "9" * 5000 + "}"  # past Python's 4,300 digits of an int
    lines = [QUESTION, deep, digits, "新增上市企业几家?"]
    stdin = "\n".join(lines) + "\n"
    code, out, err = run(capsys, monkeypatch, "ask", "--index", str(stub_index), "--json", stdin=stdin)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and len(rows) == 4 and "Traceback" not in err
    assert [r.get("code") for r in rows] == [None, "too_long", "too_long", None]
    assert rows[1]["question"] == deep and "上限是 500 个字" in rows[1]["error"]
