"""Attacks on a local app: does it keep answering a bystander, and answer again after?

    python bench/burst.py [--attack joins|bypass|half-open] [--requests 10000] [--threads 8]
                          [--sources 1] [--after-seconds 10] [--write BENCHMARKS.md]

Starts `app.py` on a free port on 127.0.0.1 (over a copy of the index). An attacker bound to
127.0.0.3 sends N `POST /gradio_api/queue/join` for the "ask" endpoint as fast as it can, each
with its own random session_hash, and never opens `/gradio_api/queue/data` to read the results.
A bystander bound to 127.0.0.2 asks a real question every 0.5 s through `/gradio_api/call/ask`
(10 s per question) during the burst, then until one is answered (at most --recover-seconds)
and for --after-seconds more. Exits 1 if the app never answers again or any HTTP 500 occurs.

``--attack bypass`` posts 2,000-character drafts to the routes that ran handlers outside the queue
(``/gradio_api/run/…``, ``/gradio_api/api/…``); ``--attack half-open`` holds N connections that
never finish their headers (reopening each one the app closes) for --hold-seconds, against an
app limited to 1,024 open files.
"""

from __future__ import annotations

import argparse
import re
import secrets
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from harness.app import start_app

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
ATTACKER, BYSTANDER = "127.0.0.3", "127.0.0.2"
QUESTIONS = ["上半年新增了多少就业岗位?", "上半年旅游总收入是多少?", "新增上市企业几家?"]
QUESTION_TIMEOUT = 10.0
STOPPED = "Queue is stopped"
ATTACKS = {
    "joins": "abandoned-request burst",
    "bypass": "drafts to the routes around the queue",
    "half-open": "connections that never finish their headers",
}


@dataclass
class Asked:
    start: float  # time.monotonic()
    end: float
    ok: bool
    detail: str


def client(source: str, timeout: float = QUESTION_TIMEOUT) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=source), timeout=timeout)


def ask_fn_index(url: str) -> int:
    """The dependency id of the "ask" API endpoint, from the app's /config."""
    with client(BYSTANDER) as c:
        deps = c.get(f"{url}config").json()["dependencies"]
    return next(int(d["id"]) for d in deps if d.get("api_name") == "ask")


def join_body(fn_index: int) -> dict[str, object]:
    """What Gradio's own clients post to /gradio_api/queue/join (sse_v3), with a fresh session."""
    return {
        "data": [QUESTIONS[0], None],  # question, history
        "event_data": None,
        "fn_index": fn_index,
        "trigger_id": None,
        "session_hash": secrets.token_hex(6),
    }


def attacker_addresses(sources: int) -> list[str]:
    """One address (127.0.0.3), or many (127.0.1.1, …) for an attacker spread over addresses,
    which a per-address limit does not stop: then only the queue's size protects it."""
    return [ATTACKER] if sources == 1 else [f"127.0.{1 + i // 250}.{1 + i % 250}" for i in range(sources)]


def _send(
    count: int,
    sources: list[str],
    request: Callable[[int], tuple[str, dict[str, object]]],
    expected: int,
    codes: Counter[str],
    bodies: list[str],
) -> None:
    """POST ``request(n)`` (address, JSON body) for n < count, round the ``sources``; count the
    status codes and keep the first bodies of unexpected ones."""
    clients = [client(a) for a in sources]
    try:
        for n in range(count):
            address, body = request(n)
            try:
                r = clients[n % len(clients)].post(address, json=body)
                codes[str(r.status_code)] += 1
                if r.status_code != expected and len(bodies) < 50:
                    bodies.append(r.text[:200])
            except httpx.HTTPError as exc:
                codes[f"conn:{type(exc).__name__}"] += 1
    finally:
        for c in clients:
            c.close()


def attack(url: str, fn_index: int, count: int, sources: list[str], codes: Counter[str], bodies: list[str]) -> None:
    """``count`` queue joins that are never read."""
    _send(count, sources, lambda n: (f"{url}gradio_api/queue/join", join_body(fn_index)), 200, codes, bodies)


def half_open(url: str, count: int, sources: list[str]) -> list[socket.socket]:
    """``count`` connections that send part of a request's head and nothing more (slowloris),
    spread over ``sources``; the caller closes them."""
    host, port = url.split("//")[1].rstrip("/").rsplit(":", 1)
    held = []
    for n in range(count):
        s = socket.socket()
        s.bind((sources[n % len(sources)], 0))
        s.settimeout(2)
        try:
            s.connect((host, int(port)))
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        except OSError:
            pass  # refused or reset: the server's choice
        held.append(s)
    return held


def still_open(held: list[socket.socket]) -> int:
    """How many of ``held`` the server has not closed."""
    alive = 0
    for s in held:
        try:
            s.setblocking(False)
            alive += s.recv(1) != b""
        except BlockingIOError:
            alive += 1
        except OSError:
            pass
    return alive


DRAFT = ("上半年武进旅游总收入超过100亿元,新增上市企业5家。" * 80)[:2000]
BYPASS_ROUTES = ("gradio_api/run/verify", "gradio_api/run/check", "gradio_api/api/respond", "gradio_api/api/verify")


def bypass(url: str, count: int, sources: list[str], codes: Counter[str], bodies: list[str]) -> None:
    """``count`` 2,000-character drafts posted to the routes that ran a handler outside the queue."""

    def request(n: int) -> tuple[str, dict[str, object]]:
        return f"{url}{BYPASS_ROUTES[n % len(BYPASS_ROUTES)]}", {"data": [DRAFT, "", ""]}

    _send(count, sources, request, 404, codes, bodies)


def hold_half_open(url: str, count: int, sources: list[str], seconds: float, codes: Counter[str]) -> None:
    """Keep ``count`` half-open connections for ``seconds``, each second opening a new one for
    each the server closed (a persistent slowloris)."""
    held = half_open(url, count, sources)
    codes["opened"] += len(held)
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end:
            time.sleep(1.0)
            alive: list[socket.socket] = []
            gone: list[socket.socket] = []
            for s in held:
                (alive if still_open([s]) else gone).append(s)
            for s in gone:
                s.close()
            codes["closed by the server"] += len(gone)
            fresh = half_open(url, count - len(alive), sources)
            codes["opened"] += len(fresh)
            held = alive + fresh
    finally:
        for s in held:
            s.close()


def ask_once(c: httpx.Client, url: str, question: str) -> tuple[bool, str]:
    """One question through /gradio_api/call/ask; (answered, what happened)."""
    deadline = time.monotonic() + QUESTION_TIMEOUT
    r = c.post(f"{url}gradio_api/call/ask", json={"data": [question, None]})
    if r.status_code != 200:
        return False, f"HTTP {r.status_code} {r.text[:120]}"
    remaining = max(0.1, deadline - time.monotonic())
    with c.stream("GET", f"{url}gradio_api/call/ask/{r.json()['event_id']}", timeout=remaining) as s:
        if s.status_code != 200:
            return False, f"stream HTTP {s.status_code}"
        for line in s.iter_lines():
            if line in ("event: complete", "event: error"):
                return line == "event: complete", line[7:]
            if time.monotonic() > deadline:
                break
    return False, "timeout"


def bystander(url: str, stop: threading.Event, out: list[Asked]) -> None:
    with client(BYSTANDER) as c:
        i = 0
        while not stop.is_set():
            t = time.monotonic()
            try:
                ok, detail = ask_once(c, url, QUESTIONS[i % len(QUESTIONS)])
            except httpx.HTTPError as exc:
                ok, detail = False, f"conn:{type(exc).__name__}"
            out.append(Asked(t, time.monotonic(), ok, detail))
            i += 1
            stop.wait(max(0.0, t + 0.5 - time.monotonic()))


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else float("nan")


def run(args: argparse.Namespace) -> tuple[str, bool]:
    work = Path(tempfile.mkdtemp(prefix="quoteqa-burst-"))
    proc = None
    try:
        shutil.copytree(args.index, work / "index")
        open_files = 1024 if args.attack == "half-open" else None  # as `ulimit -n 1024`
        proc, url = start_app(work, ["--index", str(work / "index")], open_files=open_files)
        fn_index = ask_fn_index(url)
        asked: list[Asked] = []
        stop = threading.Event()
        by = threading.Thread(target=bystander, args=(url, stop, asked))
        by.start()
        time.sleep(1.0)  # a couple of questions before the burst
        codes: Counter[str] = Counter()
        bodies: list[str] = []
        share = [args.requests // args.threads + (i < args.requests % args.threads) for i in range(args.threads)]
        addresses = attacker_addresses(args.sources)
        mine = [addresses[i :: args.threads] or addresses[i % len(addresses) :][:1] for i in range(args.threads)]
        work_of: list[tuple[Callable[..., None], tuple[object, ...]]]
        if args.attack == "joins":
            work_of = [(attack, (url, fn_index, n, own, codes, bodies)) for n, own in zip(share, mine, strict=True)]
        elif args.attack == "bypass":
            work_of = [(bypass, (url, n, own, codes, bodies)) for n, own in zip(share, mine, strict=True)]
        else:
            work_of = [(hold_half_open, (url, args.requests, addresses, args.hold_seconds, codes))]
        threads = [threading.Thread(target=fn, args=fn_args) for fn, fn_args in work_of]
        t0 = time.monotonic()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        t1 = time.monotonic()
        # after the burst: wait for the first answer, then watch for --after-seconds more
        first: Asked | None = None
        while time.monotonic() < t1 + args.recover_seconds:
            first = next((a for a in asked if a.start >= t1 and a.ok), None)
            if first or any(STOPPED in a.detail for a in asked if a.start >= t1):
                break
            time.sleep(0.1)
        if first:
            time.sleep(max(0.0, first.end + args.after_seconds - time.monotonic()))
        stop.set()
        by.join()
        with client(BYSTANDER) as c:
            try:
                h = c.get(f"{url}healthz")
                health = f"{h.status_code} {h.text.strip()[:150]!r}"
            except httpx.HTTPError as exc:
                health = f"conn:{type(exc).__name__}"
        log = (work / "app.log").read_text(errors="replace")
        log_lines, log_bytes = log.count("\n"), len(log.encode())
        tracebacks = log.count("Traceback")
        raised = Counter(m.group(1) for m in re.finditer(r"^(\w+(?:Error|Exception))\b", log, re.M))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)

    fmt = ", ".join
    sent = sum(codes.values())
    conn = sum(v for k, v in codes.items() if k.startswith("conn:"))
    refused = {k: v for k, v in codes.items() if k in ("429", "503")}
    other = {k: v for k, v in codes.items() if k not in ("200", "429", "503") and not k.startswith("conn:")}
    during = [a for a in asked if t0 <= a.start < t1]
    lat = [1000 * (a.end - a.start) for a in during if a.ok]
    fails = Counter(a.detail.split(" {")[0][:60] for a in during if not a.ok)
    later = [a for a in asked if first and a.start > first.start]
    stopped = any(STOPPED in b for b in bodies) or any(STOPPED in a.detail for a in asked)
    server_500 = codes["500"] + sum("HTTP 500" in a.detail for a in asked)
    if first:
        again = f"{first.end - t1:.1f} s; later {sum(a.ok for a in later)}/{len(later)} answered"
    else:
        again = "never: the queue stopped" if stopped else f"never within {args.recover_seconds:.0f} s"
    rate = f"{sent / max(t1 - t0, 1e-9):.0f}/s"
    if args.attack == "half-open":
        what = [
            f"| half-open connections held ({args.requests} at a time, {args.sources} address(es), "
            f"app under `ulimit -n 1024`) | {codes['opened']} opened in {t1 - t0:.1f} s |",
            f"| closed by the server (no whole request in 10 s, or over a cap) | {codes['closed by the server']} |",
        ]
    elif args.attack == "bypass":
        what = [
            f"| 2,000-character drafts posted to the direct routes ({args.threads} threads, {args.sources} "
            f"address(es)) | {sent} in {t1 - t0:.1f} s ({rate}) |",
            f"| answered outside the queue (200) | {codes['200']} |",
            f"| refused | {fmt(f'{k}: {v}' for k, v in sorted(codes.items()) if k in ('404', '429')) or 0} |",
        ]
    else:
        what = [
            f"| queue joins sent ({args.threads} threads, {args.sources} address(es), never read) | {sent} in "
            f"{t1 - t0:.1f} s ({rate}) |",
            f"| accepted (200) | {codes['200']} |",
            f"| refused | {fmt(f'{k}: {v}' for k, v in sorted(refused.items())) or 0} |",
            f"| other HTTP / connection errors | {fmt(f'{k}: {v}' for k, v in sorted(other.items())) or 0} / {conn} |",
        ]
    lines = [
        f"| {ATTACKS[args.attack]} | value |",
        "|---|---|",
        *what,
        f"| bystander answered during the burst | {sum(a.ok for a in during)}/{len(during)} "
        f"(answered p50 / p95 {pct(lat, 0.5):.0f} / {pct(lat, 0.95):.0f} ms) |",
        f"| bystander failures during the burst | {fmt(f'{k} ×{v}' for k, v in fails.most_common(4)) or 0} |",
        f"| answering again after the burst | {again} |",
        f"| queue stopped (503 {STOPPED!r}) | {'yes' if stopped else 'no'} |",
        f"| HTTP 500 seen | {server_500} |",
        f"| GET /healthz at the end | {health} |",
        f"| tracebacks in the app log | {fmt([str(tracebacks), *(f'{k} ×{v}' for k, v in raised.items())])} |",
        f"| app log | {log_lines} lines, {log_bytes:,} bytes |",
        "",
        f"Command: `python bench/burst.py --attack {args.attack} --requests {args.requests} --threads {args.threads} "
        f"--sources {args.sources}`, "
        f"localhost only · {time.strftime('%Y-%m-%d')}",
    ]
    if bodies:
        lines.append(f"\nFirst refusal body: `{bodies[0]}`")
    return "\n".join(lines), bool(first) and server_500 == 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--attack", choices=sorted(ATTACKS), default="joins", help="what the attacker does")
    p.add_argument("--requests", type=int, default=10_000, help="requests sent, or half-open connections held")
    p.add_argument("--hold-seconds", type=float, default=30, help="how long half-open connections are held")
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--sources", type=int, default=1, help="attacker addresses (1: 127.0.0.3; more: 127.0.1.x)")
    p.add_argument("--after-seconds", type=float, default=10, help="watch the bystander this long after it recovers")
    p.add_argument("--recover-seconds", type=float, default=60, help="give up waiting for an answer after this")
    p.add_argument("--index", type=Path, default=ROOT / "index")
    p.add_argument("--write", type=Path, default=None, help="replace the burst section of this Markdown file")
    args = p.parse_args(argv)
    if not 1 <= args.requests <= 100_000 or not 1 <= args.threads <= 64 or not 1 <= args.sources <= 10_000:
        p.error("--requests must be 1-100000, --threads 1-64 and --sources 1-10000")
    report, healthy = run(args)
    print(report)
    if args.write:
        from harness.report import replace_section

        name = {"joins": "burst", "bypass": "burst-bypass", "half-open": "burst-half-open"}[args.attack]
        replace_section(args.write, report, name if args.sources == 1 else f"{name}-spread")
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
