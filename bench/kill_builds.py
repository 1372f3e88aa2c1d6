"""Kill `quoteqa build` with SIGKILL at random moments; the previous index must always survive.

    python bench/kill_builds.py [--runs 20] [--seed 1]

Each run copies a built index, starts a rebuild of a changed corpus in a subprocess, kills it
at a random moment of its expected duration, then loads the index and asks a fixed question:
the answer must be the old index's answer (the build did not finish) or the new one's (it did).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "上半年旅游总收入是多少?"


def build_cmd(corpus: Path, index: Path) -> list[str]:
    return [sys.executable, "-m", "quoteqa", "build", "--corpus", str(corpus), "--index", str(index)]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    from harness.corpora import source_sentences, synthetic_archive

    from quoteqa import QA

    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="quoteqa-kill-"))
    try:
        old_corpus, new_corpus, base = work / "old", work / "new", work / "base"
        old_corpus.mkdir()
        shutil.copy(ROOT / "corpus" / "wujin-2024-07-plenary.txt", old_corpus)
        synthetic_archive(source_sentences(old_corpus, None), old_corpus, new_corpus, 700)  # a larger corpus
        shutil.copy(ROOT / "corpus" / "wujin-2024-07-plenary.txt", new_corpus)
        subprocess.run(build_cmd(old_corpus, base), check=True, capture_output=True)
        start = time.perf_counter()
        subprocess.run(build_cmd(new_corpus, work / "timing"), check=True, capture_output=True)
        duration = time.perf_counter() - start
        qa_old = QA.load(base)
        expected_old = qa_old.ask(QUESTION).to_dict()
        expected_new = QA.load(work / "timing").ask(QUESTION).to_dict()
        outcomes = {"old": 0, "new": 0}
        for run in range(args.runs):
            index = work / f"run{run}" / "index"
            shutil.copytree(base, index)
            delay = rng.uniform(0.05, duration)
            proc = subprocess.Popen(build_cmd(new_corpus, index), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(delay)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            got = QA.load(index).ask(QUESTION).to_dict()
            state = "old" if got == expected_old else "new" if got == expected_new else "BROKEN"
            if state == "BROKEN":
                print(f"run {run}: killed at {delay:.2f} s: the index answers {got}", file=sys.stderr)
                return 1
            outcomes[state] += 1
            print(f"run {run + 1:2d}: killed at {delay:5.2f} s of {duration:.1f} s -> {state} index, loadable")
        old, new = outcomes["old"], outcomes["new"]
        print(f"{args.runs} kills: {old} left the previous index, {new} the finished one; 0 broken")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
