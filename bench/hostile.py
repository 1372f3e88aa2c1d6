"""Issue 39's costly inputs against the Python API (the app's worker calls the same QA): CPU of
one request for rows 1 and 2, and a bystander's latency while four copies of row 1 run in threads
beside it, as four app workers would. Prints a Markdown table; `--write FILE` puts it between the
hostile markers of FILE.

    PYTHONPATH=bench .venv/bin/python bench/hostile.py [--write BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from quoteqa import QA  # noqa: E402

ROW1 = "那" + "齉" * 498 + "呢"
BYSTANDER = "上半年新增了多少就业岗位?"


def _row2() -> str:
    rng = random.Random(7)
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(2000))


def cpu_of(call: object, times: int = 3) -> float:
    """Median CPU seconds of ``call()`` over ``times`` runs."""
    spent = []
    for _ in range(times):
        start = time.process_time()
        call()  # type: ignore[operator]
        spent.append(time.process_time() - start)
    return statistics.median(spent)


def bystander_under_attack(qa: QA, attackers: int = 4, asks: int = 20) -> list[float]:
    """Wall seconds of each bystander question while ``attackers`` threads send row 1 repeatedly."""
    stop = threading.Event()

    def attack() -> None:
        while not stop.is_set():
            qa.ask(ROW1, history=["齉" * 500, ROW1, ROW1, ROW1])

    threads = [threading.Thread(target=attack, daemon=True) for _ in range(attackers)]
    for t in threads:
        t.start()
    times = []
    try:
        for _ in range(asks):
            start = time.perf_counter()
            qa.ask(BYSTANDER)
            times.append(time.perf_counter() - start)
    finally:
        stop.set()
        for t in threads:
            t.join()
    return times


def report(index: Path) -> str:
    qa = QA.load(index)
    qa.ask("预热")
    qa.ask("今年新开几所学效")  # what the app builds at start-up
    qa.verify("新增上市企业2家")
    row1 = cpu_of(lambda: qa.ask(ROW1))
    row1_history = cpu_of(lambda: qa.ask(ROW1, history=["齉" * 500, ROW1, ROW1, ROW1]))
    draft = _row2()
    row2 = cpu_of(lambda: qa.verify(draft))
    alone = [cpu_of(lambda: qa.ask(BYSTANDER), 1) for _ in range(5)]
    busy = bystander_under_attack(qa)
    lines = [
        "| input (issue 39) | before (as filed) | now |",
        "|---|---|---|",
        f"| row 1: 「那」+「齉」×498+「呢」, no history | 3.2 s CPU | {row1:.3f} s CPU |",
        f"| row 1 with a history of four such texts (7.6 KB) | 23 s CPU | {row1_history:.3f} s CPU |",
        f"| row 2: 2,000 random Chinese characters to verify | 2.95 s CPU | {row2:.3f} s CPU |",
        f"| a bystander's question alone | — | p50 {1000 * statistics.median(alone):.1f} ms CPU |",
        f"| a bystander's question while four copies of row 1 run | 88 s "
        f"| p50 {1000 * statistics.median(busy):.0f} ms, max {1000 * max(busy):.0f} ms wall |",
    ]
    return "\n".join(lines)


def write(path: Path, table: str) -> None:
    text = path.read_text(encoding="utf-8")
    begin, end = "<!-- hostile:begin -->", "<!-- hostile:end -->"
    if begin not in text:
        raise SystemExit(f"{path} has no {begin} … {end} section")
    head, rest = text.split(begin, 1)
    tail = rest.split(end, 1)[1]
    path.write_text(f"{head}{begin}\n{table}\n{end}{tail}", encoding="utf-8")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--index", type=Path, default=ROOT / "index")
    p.add_argument("--write", type=Path)
    args = p.parse_args()
    table = report(args.index)
    print(table)
    if args.write:
        write(args.write, table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
