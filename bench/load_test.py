"""Load test: concurrent clients against the running app's HTTP API, on localhost only.

    python bench/load_test.py [--clients 20] [--seconds 60] [--write BENCHMARKS.md]

Starts `app.py` on a free localhost port (over a copy of the bundled index), then runs N
clients over Gradio's HTTP API (httpx) for a bounded time and a bounded count, mixing ask, verify, drafts
posted to the routes around the queue and a few bad inputs, beside a holder of half-open
connections (--half-open). Reports requests served, refused (bad input, the expected answer), server
errors, latency percentiles, and the app's resident memory after warm-up and at the end.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from burst import BYPASS_ROUTES, DRAFT, hold_half_open
from harness.app import start_app

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
MAX_REQUESTS_PER_CLIENT = 5000
# Long enough for Gradio's per-session state to reach its cap of 1,000 sessions (every API call is
# a session; 20 clients make ~40 a second): memory grows until then by design, and must not after.
WARM_UP_SECONDS = 30
ASK = [
    "上半年新增了多少就业岗位?",
    "上半年旅游总收入是多少?",
    "新增上市企业几家?",
    "武进区上半年GDP是多少?",
    "谁对当前重点工作进行了部署?",
]
VERIFY = [
    "上半年武进旅游总收入超过100亿元,新增就业岗位5.7万个,新增上市企业5家。",
    "新增市重大项目46个",
    "常住人口达到180万",
]
BAD = ["", "   ", "问" * 20_000, "???", "<script>alert(1)</script>"]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def call(client: object, url: str, endpoint: str, text: str) -> str:
    """One request through Gradio's HTTP API (POST, then read the event stream): ok, refused or error:…."""
    import httpx

    if not isinstance(client, httpx.Client):
        raise TypeError(f"call needs an httpx.Client, got {type(client).__name__}")
    if endpoint == "bypass":  # a route around the queue: closed
        r = client.post(f"{url}{random.choice(BYPASS_ROUTES)}", json={"data": [text, "", ""]})
        return "closed" if r.status_code == 404 else f"error:bypass HTTP {r.status_code}"
    r = client.post(f"{url}gradio_api/call/{endpoint}", json={"data": [text]})
    if r.status_code >= 500:
        return f"error:HTTP {r.status_code}"
    if r.status_code >= 400:
        return "refused"
    stream = client.get(f"{url}gradio_api/call/{endpoint}/{r.json()['event_id']}")
    if stream.status_code >= 500:
        return f"error:HTTP {stream.status_code}"
    events = [line[7:] for line in stream.text.splitlines() if line.startswith("event: ")]
    if "complete" not in events:
        return "error:event " + ",".join(events)
    # bad input gets the CLI's error object ({"error": …, "code": …}) as its result
    data = [line[6:] for line in stream.text.splitlines() if line.startswith("data: ")]
    refused = bool(data) and '"code"' in data[-1] and '"error"' in data[-1]
    if refused and text not in BAD:
        return "error:good input refused"
    return "refused" if refused else "ok"  # markup among the bad inputs is a question: answered


def client_loop(url: str, stop: float, seed: int, out: list[tuple[str, str, float]]) -> None:
    import httpx

    rng = random.Random(seed)
    # Each client is a user of its own address (all of 127/8 is this machine): the app limits the
    # rate per address, and twenty people are not one.
    address = f"127.0.0.{10 + seed % 200}"
    with httpx.Client(timeout=60, transport=httpx.HTTPTransport(local_address=address)) as client:
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if time.time() >= stop:
                return
            roll = rng.random()
            endpoint, text = ("ask", rng.choice(ASK)) if roll < 0.6 else ("verify", rng.choice(VERIFY))
            if 0.93 < roll <= 0.95:
                endpoint, text = "bypass", DRAFT
            elif roll > 0.95:
                text = rng.choice(BAD)
            t = time.perf_counter()
            try:
                kind = call(client, url, endpoint, text)
            except Exception as exc:  # a dropped connection or timeout counts as a server error
                kind = f"error:{type(exc).__name__}"
            out.append((endpoint, kind, 1000 * (time.perf_counter() - t)))


def run(clients: int, seconds: float, url: str | None, half_open: int) -> str:
    work = Path(tempfile.mkdtemp(prefix="quoteqa-load-"))
    proc = None
    try:
        if url is None:
            shutil.copytree(ROOT / "index", work / "index")
            proc, url = start_app(work, ["--index", str(work / "index")])
        results: list[tuple[str, str, float]] = []
        # warm-up: every client connects and sends a few requests, then memory is sampled
        warm: list[tuple[str, str, float]] = []
        threads = [
            threading.Thread(target=client_loop, args=(url, time.time() + WARM_UP_SECONDS, i, warm))
            for i in range(clients)
        ]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        rss_start = rss_mb(proc.pid) if proc else float("nan")
        stop = time.time() + seconds
        threads = [threading.Thread(target=client_loop, args=(url, stop, 1000 + i, results)) for i in range(clients)]
        held: Counter[str] = Counter()
        if half_open:  # slowloris beside the readers, from addresses of its own
            sources = [f"127.0.3.{1 + i % 250}" for i in range(half_open)]
            threads.append(threading.Thread(target=hold_half_open, args=(url, half_open, sources, seconds, held)))
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        elapsed = time.perf_counter() - t0
        rss_end = rss_mb(proc.pid) if proc else float("nan")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)
    ok = [r for r in results if r[1] == "ok"]
    refused = [r for r in results if r[1] == "refused"]
    closed = [r for r in results if r[1] == "closed"]
    errors = [r for r in results if r[1].startswith("error")]
    lat = sorted(r[2] for r in ok)

    def pct(q: float) -> float:
        return lat[min(len(lat) - 1, int(q * len(lat)))] if lat else float("nan")

    growth = 100 * (rss_end - rss_start) / rss_start if rss_start == rss_start and rss_start else float("nan")
    lines = [
        "| load test | value | floor |",
        "|---|---|---|",
        f"| clients × duration | {clients} × {seconds:.0f} s (ask 60%, verify 33%, routes around the queue 2%, "
        f"bad input 5%) | |",
        f"| half-open connections held beside them (reopened as the app closes them) | {half_open} "
        f"({held['opened']} opened) | |",
        f"| requests served | {len(ok)} ({len(ok) / elapsed:.0f}/s) | |",
        f"| bad inputs refused with a message | {len(refused)} | |",
        f"| drafts to the routes around the queue refused (404) | {len(closed)} | all |",
        f"| server errors | {len(errors)} | 0 |",
        f"| latency p50 / p95 / p99 | {pct(0.5):.0f} / {pct(0.95):.0f} / {pct(0.99):.0f} ms | |",
        f"| mean latency | {statistics.mean(lat) if lat else float('nan'):.0f} ms | |",
        f"| app resident memory after {WARM_UP_SECONDS} s warm-up → end "
        f"| {rss_start:.0f} → {rss_end:.0f} MB ({growth:+.1f}%) | ≤ +10% |",
        "",
        f"Command: `make load` (`python bench/load_test.py --clients {clients} --seconds {seconds:.0f} "
        f"--half-open {half_open}`), "
        f"localhost only · {time.strftime('%Y-%m-%d')}",
    ]
    if errors:
        kinds = sorted({e[1] for e in errors})
        lines.append(f"\nServer errors seen: {', '.join(kinds)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--url", default=None, help="an app already running on localhost (default: start one)")
    p.add_argument("--half-open", type=int, default=300, help="connections that never finish their headers, held")
    p.add_argument("--write", type=Path, default=None, help="replace the load section of this Markdown file")
    args = p.parse_args(argv)
    if args.url and not args.url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        p.error(f"--url {args.url} is not on this machine; the load test only targets localhost")
    if not 1 <= args.clients <= 200 or not 1 <= args.seconds <= 600:
        p.error("--clients must be 1-200 and --seconds 1-600")
    if not 0 <= args.half_open <= 5000:
        p.error(f"--half-open is {args.half_open}; it must be 0-5000")
    report = run(args.clients, args.seconds, args.url, args.half_open)
    print(report)
    if args.write:
        from harness.report import replace_section

        replace_section(args.write, report, "load")
    return 0


if __name__ == "__main__":
    sys.exit(main())
