"""Start-up figures (issue 26): fresh processes of the CLI and the app on the bundled corpus, each
the median of several runs, and what importing each heavy library would cost a process."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from quoteqa.qa import QA

from .app import ROOT, free_port

RUNS = 5
QUESTION = "上半年新增了多少就业岗位?"
CLAIM = "上半年旅游总收入超过100亿元"
# What the query path no longer imports (and who still does), and what it does import.
HEAVY = {
    "torch": "building, `--model`, `--reader`",
    "sentence_transformers": "building, `--model`, `--reader`",
    "gradio": "the app",
    "lightgbm": "`make train`",
    "sklearn": "nothing of quoteqa's (sentence-transformers imports it)",
}
LIGHT = {
    "numpy": "every question",
    "faiss": "every question (dense search)",
    "jieba.posseg": "every question (segmentation, the asked kind)",
    "sentencepiece": "every question (its pieces)",
    "pypinyin": "the first question with a character to repair (typos)",
}


# Runs a command and prints its peak resident memory: a child forked from the (large) bench
# process would report the bench's own memory as its peak.
_PEAK = (
    "import resource, subprocess, sys, time; t = time.perf_counter(); code = subprocess.run(sys.argv[1:]).returncode; "
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)"
)


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(seconds, peak resident MB) of one fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", _PEAK, *cmd], capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=ROOT
    )
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {out.returncode}: {out.stderr[-500:]}")
    seconds, peak = out.stdout.splitlines()[-1].split()
    return float(seconds), int(peak) / 1024


def median_of(run: Callable[[], tuple[float, float]], n: int = RUNS) -> tuple[float, float]:
    results = [run() for _ in range(n)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def app_start() -> tuple[float, float]:
    """(seconds until the port answers with the loading page, seconds until the chat answers)."""
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    loading = float("nan")
    try:
        while proc.poll() is None and time.perf_counter() - start < 120:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                    return (loading if loading == loading else time.perf_counter() - start), time.perf_counter() - start
            except urllib.error.HTTPError as exc:
                if exc.code == 503 and loading != loading:
                    loading = time.perf_counter() - start
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("the app did not start")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


QUESTION_FILES = ("citizen_dev.jsonl", "dev_questions.jsonl", *(f"citizen_holdout{n}.jsonl" for n in ("", 2, 3, 4, 5)))
CLAIM_FILES = ("claims.jsonl", "claims_holdout.jsonl", "reporter_dev/claims.jsonl", "reporter_holdout/claims.jsonl")


def _lines(name: str) -> list[dict[str, Any]]:
    path = ROOT / "bench" / "sets" / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def answers(qa: QA) -> list[str]:
    """Every question's answer and every bundled-corpus claim's verdict, as JSON."""
    out = []
    for name in QUESTION_FILES:
        for item in _lines(name):
            out.append(json.dumps(qa.ask(item["question"], history=item.get("history") or []).to_dict()))
    for name in CLAIM_FILES:
        for item in _lines(name):
            if item.get("corpus", "bundled") == "bundled":
                out.append(json.dumps(qa.verify(item["claim"]).to_dict()))
    return out


def before_and_after(index: Path) -> tuple[int, int]:
    """(answers the same, answers compared) between the query path as it was, with questions
    embedded by sentence-transformers (torch) and the ranker scored by LightGBM, and as it is."""
    import lightgbm

    from quoteqa.ask import models
    from quoteqa.index.embedding import load_model

    now = answers(QA.load(index))
    boosters: dict[str, Any] = {}

    def by_lightgbm(trees: str, rows: np.ndarray) -> np.ndarray:
        booster = boosters.setdefault(trees, lightgbm.Booster(model_str=trees))
        return np.asarray(booster.predict(rows, num_threads=1), dtype=np.float64) if len(rows) else np.zeros(0)

    scored, models.tree_scores = models.tree_scores, by_lightgbm
    try:
        then = answers(QA.load(index, model=load_model()))
    finally:
        models.tree_scores = scored
    return sum(a == b for a, b in zip(now, then, strict=True)), len(now)


def import_seconds(module: str) -> float:
    """Median seconds ``import module`` adds to a bare interpreter's start."""
    bare = statistics.median(timed([sys.executable, "-c", "pass"])[0] for _ in range(3))
    return statistics.median(timed([sys.executable, "-c", f"import {module}"])[0] for _ in range(3)) - bare


def table(index: Path) -> str:
    cli = [sys.executable, "-m", "quoteqa"]
    ask = [*cli, "ask", "--index", str(index), QUESTION]
    verify = [*cli, "verify", "--index", str(index), CLAIM]
    timed(ask)  # fills the weights cache, as the first question after installing does
    help_s, help_mb = median_of(lambda: timed([*cli, "--help"]))
    ask_s, ask_mb = median_of(lambda: timed(ask))
    verify_s, verify_mb = median_of(lambda: timed(verify))
    with tempfile.TemporaryDirectory() as cold:
        first_s, _ = timed(ask, env={"QUOTEQA_CACHE": cold})
    same, compared = before_and_after(index)
    starts = [app_start() for _ in range(RUNS)]
    loading, ready = statistics.median(s[0] for s in starts), statistics.median(s[1] for s in starts)
    lines = [
        f"| start-up (fresh processes, median of {RUNS}, bundled corpus) | seconds | peak memory | floor |",
        "|---|---|---|---|",
        f"| `quoteqa --help` | {help_s:.2f} s | {help_mb:.0f} MB | ≤ 0.5 s |",
        f"| one-question `quoteqa ask` | {ask_s:.2f} s | {ask_mb:.0f} MB | ≤ 2.0 s, ≤ 600 MB |",
        f"| one-claim `quoteqa verify` | {verify_s:.2f} s | {verify_mb:.0f} MB | ≤ 2.5 s |",
        f"| one-question `quoteqa ask`, the first after installing (empty cache; 1 run) | {first_s:.2f} s | | |",
        f"| app: the port shows 「正在加载…」 | {loading:.2f} s | | ≤ 2 s |",
        f"| app: ready (the chat page answers) | {ready:.2f} s | | ≤ 5 s |",
        "",
        f"Answers and verdicts identical to the query path before issue 26 (questions embedded by "
        f"sentence-transformers on torch, trees scored by LightGBM), on every development and held-out "
        f"question and bundled-corpus claim: **{same} of {compared}**.",
        "",
        "| import, fresh interpreter (median of 3, bare start subtracted) | seconds | imported by |",
        "|---|---|---|",
    ]
    for module in (*HEAVY, *LIGHT):
        by = HEAVY.get(module) or LIGHT[module]
        lines.append(f"| `{module}` | {import_seconds(module):.2f} s | {by} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    print(table(ROOT / "index"))
    return 0
