"""Crash safety, deterministically: a build killed by SIGKILL at each of its write steps (the
``fault_point`` calls of quoteqa.index.build and quoteqa.index.store, chosen through tests/crash_at.py)
leaves an index that loads and answers exactly as the old index or as the new one, and the next
build recovers. `make faults` (bench/kill_builds.py) is the random-kill soak of the same property."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from conftest import SEED

from quoteqa import QA
from quoteqa.index.build import build
from quoteqa.index.store import IndexUnavailable

NEW_ARTICLE = "新文章\n\n今年新增口袋公园12个。公园总数达到86个。\n"
QUESTIONS = ["今年新增了多少个口袋公园?", "上半年新增了多少就业岗位?", "上半年旅游总收入是多少?"]
# The first step after which the killed build has put the new index in place.
NEW_FROM = "swap: new folder renamed to index"


CRASH_AT = Path(__file__).with_name("crash_at.py")


def build_cli(corpus: Path, index: Path, fault: str) -> subprocess.CompletedProcess[str]:
    cmd = [
        sys.executable,
        str(CRASH_AT),
        fault,
        "-m",
        "quoteqa",
        "build",
        "--corpus",
        str(corpus),
        "--index",
        str(index),
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def answers(index: Path, model: Any) -> list[dict[str, Any]]:
    """The answer text and citations of each question."""
    qa = QA.load(index, model=model)
    return [{k: d[k] for k in ("answer", "citations")} for d in (qa.ask(q).to_dict() for q in QUESTIONS)]


def test_a_build_killed_at_any_write_step_leaves_the_old_or_the_new_index(tmp_path: Path, model):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    old_index = tmp_path / "old" / "index"
    build(corpus, old_index, model=model)
    old = answers(old_index, model)
    (corpus / "new.txt").write_text(NEW_ARTICLE, encoding="utf-8")

    # The new index, by an uninterrupted build (incremental, over a copy of the old one), which
    # also names its steps.
    new_index = tmp_path / "new" / "index"
    shutil.copytree(old_index, new_index)
    listed = build_cli(corpus, new_index, "list")
    assert listed.returncode == 0, listed.stderr
    steps = re.findall(r"^quoteqa fault step (\d+): (.+)$", listed.stderr, re.MULTILINE)
    names = [name for _, name in steps]
    assert [int(n) for n, _ in steps] == list(range(1, len(steps) + 1)) and 8 <= len(steps) <= 20, listed.stderr
    assert NEW_FROM in names
    new = answers(new_index, model)
    assert old != new and "12个" in new[0]["answer"]

    def killed_at(step: int) -> subprocess.CompletedProcess[str]:
        index = tmp_path / f"step{step}" / "index"
        shutil.copytree(old_index, index)
        return build_cli(corpus, index, str(step))

    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        runs = list(pool.map(killed_at, range(1, len(steps) + 1)))

    failures: list[str] = []
    for step, (name, run) in enumerate(zip(names, runs, strict=True), start=1):
        where = f"killed at step {step} ({name})"
        if run.returncode != -signal.SIGKILL:
            failures.append(f"{where}: the build was not killed (exit {run.returncode}): {run.stderr[-500:]}")
            continue
        folder = tmp_path / f"step{step}"
        again = tmp_path / f"step{step}-rebuilt"
        shutil.copytree(folder, again)  # as the crash left it, for the next build to recover from
        expected = "new" if step >= names.index(NEW_FROM) + 1 else "old"
        try:
            got = answers(folder / "index", model)
        except IndexUnavailable as exc:
            failures.append(f"{where}: the index does not load: {exc}")
        else:
            state = "old" if got == old else "new" if got == new else "neither"
            if state != expected:
                failures.append(f"{where}: the index answers as the {state} index, expected the {expected} one: {got}")
        try:
            build(corpus, again / "index", model=model)
            if answers(again / "index", model) != new:
                failures.append(f"{where}: the next build does not answer as the new index")
            left = sorted(p.name for p in again.iterdir() if p.name not in {"index", ".index.lock"})
            if left:
                failures.append(f"{where}: the next build left {left} beside the index")
        except Exception as exc:
            failures.append(f"{where}: the next build failed: {exc!r}")
    assert not failures, "\n".join(failures)
