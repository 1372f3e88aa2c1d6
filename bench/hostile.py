"""``make hostile``: issue 39's table replayed against a running app (app.py on a free port) and the
CLI: each row's outcome, the app's CPU for the request, and a bystander's latency while four copies
of row 1 arrive. Rows whose reproduction needs the app to be loading (9, 12) or a vote through the
page (5, 6, 10) are covered by tests/test_hostile4.py and named so. Prints a Markdown table;
``--write FILE`` puts it between the hostile markers of FILE.

    PYTHONPATH=bench .venv/bin/python bench/hostile.py [--write BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from burst import ask_once, client
from harness.app import cpu_seconds, start_app

ROOT = Path(__file__).resolve().parents[1]
QUOTEQA = [sys.executable, "-m", "quoteqa"]
ROW1 = "那" + "齉" * 498 + "呢"
ROW1_HISTORY = ["齉" * 500, ROW1, ROW1, ROW1]
TESTED = "tests/test_hostile4.py"


def _row2() -> str:
    rng = random.Random(7)
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(2000))


def call(url: str, endpoint: str, data: list[object], source: str = "127.0.0.5") -> str:
    """One request to a public endpoint; its outcome: the result's error code, or "answered"."""
    with client(source, timeout=60) as c:
        body = json.dumps({"data": data})  # \ud800 goes as its JSON escape, as an attacker sends it
        r = c.post(f"{url}gradio_api/call/{endpoint}", content=body, headers={"content-type": "application/json"})
        if r.status_code != 200:
            return f"HTTP {r.status_code}"
        events = c.get(f"{url}gradio_api/call/{endpoint}/{r.json()['event_id']}").text
    if "event: complete" not in events:
        return "error event"
    result = json.loads(events.split("data: ", 1)[1])[0]
    return f"refused ({result['code']})" if isinstance(result, dict) and "code" in result else "answered"


def with_cpu(pid: int, send: Callable[[], str]) -> tuple[str, float]:
    before = cpu_seconds(pid)
    outcome = send()
    return outcome, cpu_seconds(pid) - before


def bystander_while_row1(url: str, attackers: int = 4, asks: int = 20) -> list[float]:
    """Wall seconds of a bystander's questions while ``attackers`` addresses send row 1 again and again."""
    stop = threading.Event()

    def attack(n: int) -> None:
        while not stop.is_set():
            call(url, "ask", [ROW1, ROW1_HISTORY], source=f"127.0.1.{n + 1}")

    threads = [threading.Thread(target=attack, args=(n,), daemon=True) for n in range(attackers)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    times = []
    with client("127.0.0.2") as c:
        for _ in range(asks):
            start = time.perf_counter()
            ask_once(c, url, "上半年新增了多少就业岗位?")
            times.append(time.perf_counter() - start)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    return times


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*QUOTEQA, *args], input=stdin, capture_output=True, text=True, timeout=300, cwd=ROOT)


def cli_outcome(done: subprocess.CompletedProcess[str]) -> str:
    last = (done.stderr.strip().splitlines() or ["—"])[-1]
    said = "traceback" if "Traceback" in done.stderr else re.sub(r"/\S*/", "…/", last)[:70]
    return f"exit {done.returncode}: {said}"


def http_rows(url: str, pid: int) -> list[tuple[str, str, str]]:
    rows = []
    for name, endpoint, data in (
        ("1: 「那」+「齉」×498+「呢」 with a history of four", "ask", [ROW1, ROW1_HISTORY]),
        ("2: 2,000 random Chinese characters", "verify", [_row2()]),
        ("7: 「\\ud800新增」 as the question", "ask", ["\ud800新增", None]),
    ):
        outcome, cpu = with_cpu(pid, lambda e=endpoint, d=data: call(url, e, d))  # type: ignore[misc]
        rows.append((name, outcome, f"{cpu:.2f} s"))
    with client("127.0.0.6") as c:
        r = c.post(f"{url}gradio_api/run-history/connect", json={"bucket_id": "attacker/b"})
        rows.append(("4: POST /gradio_api/run-history/connect", f"HTTP {r.status_code}", "—"))
        r = c.post(f"{url}gradio_api/call/v2/ask", json={"data": ["x"]})
        rows.append(("15: POST /gradio_api/call/v2/ask with data", f"HTTP {r.status_code}", "—"))
    return rows


def cli_rows(work: Path) -> list[tuple[str, str, str]]:
    mine = work / ".i2.building-mycorpus"
    mine.mkdir()
    shutil.copy(next((ROOT / "corpus").iterdir()), mine)
    built = cli("build", "--corpus", str(mine), "--index", str(work / "i2"))
    kept = "kept" if any(mine.iterdir()) else "DELETED"
    deep = '{"question":"x","history":' + "[" * 1000 + "]" * 1000 + "}"
    lines = cli("ask", "--json", stdin=f"新增上市企业几家?\n{deep}\n省5G工厂有几家?\n")
    folder = work / "folder.sqlite3"
    folder.mkdir()
    return [
        ("3: build with a corpus named .i2.building-mycorpus", f"exit {built.returncode}, the folder {kept}", "—"),
        ("8: a JSON line nested 1,000 deep among three", f"{len(lines.stdout.splitlines())} of 3 lines answered", "—"),
        ("11: feedback --db on a folder", cli_outcome(cli("feedback", "--db", str(folder))), "—"),
        ("13: --since 2025 --until 2023", cli_outcome(cli("ask", "--since", "2025", "--until", "2023", "x")), "—"),
        ("14: --until 2101", cli_outcome(cli("ask", "--until", "2101", "x")), "—"),
    ]


def report() -> str:
    work = Path(tempfile.mkdtemp(prefix="quoteqa-hostile-"))
    try:
        proc, url = start_app(work, ["--index", str(ROOT / "index"), "--feedback-db", str(work / "fb.sqlite3")])
        try:
            call(url, "ask", ["预热", None])
            rows = http_rows(url, proc.pid)
            busy = bystander_while_row1(url)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        rows += cli_rows(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows += [(f"{n}: see {TESTED}", "tested there", "—") for n in ("5, 6, 10 (votes, the feedback report)", "9, 12")]
    lines = ["| row (issue 39) | outcome | app CPU |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    lines.append(
        f"\nA bystander's question while four addresses send row 1 again and again: p50 "
        f"{1000 * statistics.median(busy):.0f} ms, max {1000 * max(busy):.0f} ms "
        f"({len(busy)} questions; 88 s as filed)."
    )
    return "\n".join(lines)


def write(path: Path, table: str) -> None:
    text = path.read_text(encoding="utf-8")
    begin, end = "<!-- hostile:begin -->", "<!-- hostile:end -->"
    if begin not in text:
        raise SystemExit(f"{path} has no {begin} … {end} section")
    head, rest = text.split(begin, 1)
    path.write_text(f"{head}{begin}\n{table}\n{end}{rest.split(end, 1)[1]}", encoding="utf-8")


def main() -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--write", type=Path)
    args = p.parse_args()
    try:
        table = report()
    except (httpx.HTTPError, RuntimeError, OSError) as exc:
        print(f"hostile: {exc}", file=sys.stderr)
        return 1
    print(table)
    if args.write:
        write(args.write, table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
