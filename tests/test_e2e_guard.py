"""The real app under abuse: bursts of abandoned requests, oversized bodies, uploads, closed routes,
broken encodings. Each test reproduces a finding of the hostile-use review against a live app."""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import test_fuzz as fuzz
from conftest import ROOT, SEED, private_tmp, start_app
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quoteqa.web.guard import QUEUE_FULL

sys.path.insert(0, str(ROOT / "bench"))
import burst
from harness.app import cpu_seconds

pytestmark = pytest.mark.e2e
QUESTION = "上半年新增了多少就业岗位?"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, built_index: Path) -> Iterator[tuple[str, Path]]:
    work = tmp_path_factory.mktemp("guarded")
    (work / "corpus").mkdir()
    shutil.copy(SEED, work / "corpus" / SEED.name)
    shutil.copytree(built_index, work / "index")
    env = {"TMPDIR": str(private_tmp(work)), "GRADIO_TEMP_DIR": str(private_tmp(work) / "gradio")}
    # This app also keeps questions (--log-questions), to check what that adds to the feedback file.
    args = ["--corpus", str(work / "corpus"), "--index", str(work / "index"), "--feedback-db", str(work / "fb.sqlite3")]
    proc, url = start_app(work, [*args, "--log-questions"], env)
    (work / "app.pid").write_text(str(proc.pid))
    yield url, work
    proc.terminate()
    proc.wait(timeout=20)


def test_health_reports_the_queue(app: tuple[str, Path]):
    url, _ = app
    r = httpx.get(f"{url}healthz")
    assert r.status_code == 200
    assert r.json() == {
        "status": "ok",
        "queue": {"waiting": 0, "max_size": 200, "stopped": False},
        "workers": {"running": 0, "per_endpoint": 4, "saturated": False},
    }


def test_health_reports_saturated_workers(app: tuple[str, Path]):
    """Issue 24, row 1: while drafts kept the workers busy, /healthz said only "ok"."""
    url, _ = app
    seen: list[dict[str, Any]] = []
    stop = threading.Event()

    def watch() -> None:
        with httpx.Client() as c:
            while not stop.is_set():
                seen.append(c.get(f"{url}healthz").json()["workers"])
                time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    draft = ("上半年武进旅游总收入超过100亿元,新增上市企业5家,新增就业岗位5.7万个。" * 40)[:2000]

    def check(source: str) -> None:
        with burst.client(source) as c:
            r = c.post(f"{url}gradio_api/call/verify", json={"data": [draft]})
            c.get(f"{url}gradio_api/call/verify/{r.json()['event_id']}")

    # Twelve drafts at once keep the four workers busy together, unless the machine runs them
    # one after another as they arrive (a loaded CI machine did once): up to three bursts.
    for burst_no in range(3):
        drafts = [threading.Thread(target=check, args=(f"127.0.6.{10 * burst_no + i}",)) for i in range(1, 13)]
        for t in drafts:
            t.start()
        for t in drafts:
            t.join()
        if any(w["saturated"] and w["running"] >= 4 for w in seen):
            break
    stop.set()
    watcher.join()
    assert any(w["saturated"] and w["running"] >= 4 for w in seen), seen[-5:]
    assert httpx.get(f"{url}healthz").json()["workers"] == {"running": 0, "per_endpoint": 4, "saturated": False}


def test_an_upload_over_its_limit_is_refused_unread_and_monitoring_is_closed(app: tuple[str, Path]):
    """A draft file is uploaded for 核实数字 (issue 36); one over 5 MB is refused at the door, in
    Chinese, before it is read or stored."""
    url, work = app
    r = httpx.post(f"{url}gradio_api/upload", files={"files": ("big.docx", b"x" * 6_000_000)})
    assert r.status_code == 413 and "上限" in r.json()["error"], r.text
    for route in ("monitoring", "monitoring/summary", "gradio_api/monitoring"):
        assert httpx.get(f"{url}{route}").status_code == 404, route
    assert not any(p.is_file() for p in (private_tmp(work) / "gradio").rglob("*"))  # nothing was stored


def test_routes_around_the_queue_and_deep_links_are_closed(app: tuple[str, Path]):
    """Issue 24, rows 1 and 6: the direct routes ran any handler (check, vote, respond) outside the
    queue; a deep link wrote the session's chat to disk. Only the queued API stays open."""
    url, work = app
    draft = {"data": ["上半年武进旅游总收入超过100亿元。", "", ""]}
    for route in ("gradio_api/run/verify", "gradio_api/run/check", "gradio_api/api/respond", "run/predict"):
        r = httpx.post(f"{url}{route}", json=draft)
        assert r.status_code == 404, route
    assert httpx.get(f"{url}gradio_api/deep_link", params={"session_hash": "S"}).status_code == 404
    assert not list((private_tmp(work) / "gradio").rglob("deep_links"))
    with burst.client(burst.BYSTANDER) as c:
        assert burst.ask_once(c, url, QUESTION)[0]  # the documented endpoint still answers


def test_a_forwarded_address_is_not_believed_without_a_trusted_proxy(app: tuple[str, Path]):
    """Issue 24, row 5: each POST naming a new X-Forwarded-For got a bucket of its own."""
    url, _ = app
    time.sleep(4)  # the bucket of 127.0.0.1 refills from the tests before
    codes: Counter[int] = Counter()
    with httpx.Client(timeout=10) as c:
        for i in range(60):
            headers = {"X-Forwarded-For": f"198.51.100.{i}"}
            codes[c.post(f"{url}gradio_api/call/ask", json={"data": [QUESTION]}, headers=headers).status_code] += 1
    assert codes[429] > 0, codes
    time.sleep(4)


def test_request_bodies_are_capped(app: tuple[str, Path]):
    url, _ = app
    big = b'{"data": ["' + b"x" * 200_000 + b'"]}'
    r = httpx.post(f"{url}gradio_api/call/ask", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "上限 65,536 字节" in r.json()["error"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap holds while reading
        for _ in range(100):
            yield b"x" * 10_000

    r = httpx.post(f"{url}gradio_api/call/ask", content=chunks())
    assert r.status_code == 413


def test_broken_encodings_are_refused_with_the_same_message(app: tuple[str, Path]):
    url, work = app
    json_headers = {"content-type": "application/json"}
    with burst.client(burst.BYSTANDER) as c:
        lone = json.dumps({"data": ["上半年\ud800"]})  # a lone surrogate, as JSON allows it: "\ud800"
        r = c.post(f"{url}gradio_api/call/ask", content=lone, headers=json_headers)
        events = c.get(f"{url}gradio_api/call/ask/{r.json()['event_id']}").text
        refused = json.loads(events.split("data: ", 1)[1])[0]  # the error object, as the CLI gives it
        assert refused["code"] == "bad_encoding" and "不是有效的文字" in refused["error"]
        raw = b'{"data": ["\xff\xfe\xe5\x9d\x8f"]}'  # invalid UTF-8 inside the JSON body
        r = c.post(f"{url}gradio_api/call/ask", content=raw, headers=json_headers)
        assert r.status_code == 400 and "不是有效的文字" in r.json()["error"] and r.json()["code"] == "bad_encoding"
        for headers in ({"content-type": "text/plain"}, {}):  # issue 24, row 7: every content type
            r = c.post(f"{url}gradio_api/call/ask", content=raw, headers=headers)
            assert r.status_code == 400 and r.json()["code"] == "bad_encoding", headers
        assert burst.ask_once(c, url, "\u2066" + QUESTION + "\u2069")[0]  # invisible marks dropped
    logged = (work / "app.log").read_text(encoding="utf-8")
    assert "refused code=bad_encoding" in logged and "Traceback" not in logged and "\\xff\\xfe" not in logged


def _burst(url: str, addresses: list[str], count: int) -> tuple[Counter[str], list[bool], list[str]]:
    """``count`` abandoned joins from ``addresses`` while a bystander asks every 0.3 s: the join
    status codes, the bystander's outcomes during the burst, the first refusal bodies."""
    fn_index = burst.ask_fn_index(url)
    codes: Counter[str] = Counter()
    bodies: list[str] = []
    outcomes: list[bool] = []
    stop = threading.Event()

    def bystander() -> None:
        with burst.client(burst.BYSTANDER) as c:
            while not stop.is_set():
                outcomes.append(burst.ask_once(c, url, QUESTION)[0])
                stop.wait(0.3)

    watcher = threading.Thread(target=bystander)
    watcher.start()
    shares = [addresses[i::4] or addresses for i in range(4)]
    work = [(url, fn_index, count // 4, share, codes, bodies) for share in shares]
    threads = [threading.Thread(target=burst.attack, args=args) for args in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    watcher.join()
    return codes, outcomes, bodies


def _answers_again_within(url: str, seconds: float) -> float:
    start = time.monotonic()
    with burst.client(burst.BYSTANDER) as c:
        while time.monotonic() - start < seconds:
            if burst.ask_once(c, url, QUESTION)[0]:
                return time.monotonic() - start
            time.sleep(0.2)
    raise AssertionError(f"the app did not answer within {seconds} s after the burst")


def test_one_clients_burst_costs_only_that_client(app: tuple[str, Path]):
    url, _ = app
    codes, bystander, refusals = _burst(url, [burst.ATTACKER], 1600)
    assert codes["429"] >= 1400 and set(codes) <= {"200", "429"}, codes
    assert all("请求过于频繁" in r for r in refusals)
    assert bystander and all(bystander), bystander  # everyone else is answered during the burst
    _answers_again_within(url, 5)


def test_a_burst_from_many_addresses_never_stops_the_queue(app: tuple[str, Path]):
    # Gradio's queue died for good after ~2,100 abandoned joins (its message cache holds 2,000
    # sessions); 3,000 from 150 addresses pass the per-address limit and meet the queue's size.
    url, work = app
    codes, _, refusals = _burst(url, burst.attacker_addresses(150), 3000)
    assert codes["200"] + codes["503"] + codes["429"] == 3000 and codes["503"] > 0, codes
    assert any(QUEUE_FULL in r for r in refusals) and not any("Queue is full" in r for r in refusals)
    assert _answers_again_within(url, 10) < 10
    health = httpx.get(f"{url}healthz").json()
    assert health["status"] == "ok" and health["queue"]["stopped"] is False
    assert "Queue is stopped" not in (work / "app.log").read_text(encoding="utf-8")


def test_with_log_questions_votes_and_unanswered_questions_keep_the_text(app: tuple[str, Path], browser):  # type: ignore[no-untyped-def]
    url, work = app
    with burst.client(burst.BYSTANDER) as c:
        r = c.post(f"{url}gradio_api/call/ask", json={"data": ["武进的房价多少钱一平?"]})
        c.get(f"{url}gradio_api/call/ask/{r.json()['event_id']}")
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(url)
    page.wait_for_selector("#qa-input textarea", timeout=30_000)
    page.fill("#qa-input textarea", "新增上市企业几家?")
    page.click("#qa-send")
    page.wait_for_selector("#qa-chat .qa-answer button.qa-down", timeout=30_000)
    page.locator("#qa-chat .qa-answer button.qa-down").last.click()
    page.wait_for_timeout(1500)
    page.close()
    with sqlite3.connect(work / "fb.sqlite3") as db:
        votes = db.execute("SELECT kind, vote, question FROM votes").fetchall()
        unanswered = [q for (q,) in db.execute("SELECT question FROM unanswered")]
    assert ("answer", -1, "新增上市企业几家?") in votes
    assert "武进的房价多少钱一平?" in unanswered


def test_half_open_connections_neither_starve_others_nor_flood_the_log(tmp_path: Path, built_index: Path) -> None:
    """Issue 24, row 2: 1,100 connections that never finish their headers, under ``ulimit -n 1024``,
    took every descriptor (``/healthz`` and questions timed out) and the log grew 318 MB in 40 s."""
    shutil.copytree(built_index, tmp_path / "index")
    env = {"TMPDIR": str(private_tmp(tmp_path))}
    proc, url = start_app(tmp_path, ["--corpus", str(SEED.parent), "--index", str(tmp_path / "index")], env, 1024)
    try:
        with burst.client(burst.BYSTANDER) as c:
            assert burst.ask_once(c, url, QUESTION)[0]  # up, and warm
            for sources in ([burst.ATTACKER], burst.attacker_addresses(1100)):  # one address, then many
                held = burst.half_open(url, 1100, sources)
                try:
                    time.sleep(2)  # for the server to accept them all
                    assert burst.still_open(held) <= 800  # at most 32 per address, under the limit in all
                    for _ in range(3):
                        assert c.get(f"{url}healthz", timeout=5).status_code == 200
                        assert burst.ask_once(c, url, QUESTION)[0]
                    time.sleep(11)  # the request deadline is 10 s
                    assert burst.still_open(held) == 0
                finally:
                    for s in held:
                        s.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    log = (tmp_path / "app.log").read_text(encoding="utf-8", errors="replace")
    assert len(log) < 20_000, log[-3000:]
    for condition in ("holds 32 connections", "no whole request within 10 s"):
        assert log.count(condition) <= 2, condition  # once per attack, not per connection
    assert log.count("out of system resource") <= 2


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | fuzz.TEXT,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(fuzz.TEXT, inner, max_size=5),
    max_leaves=20,
)
ARGUMENTS = st.one_of(
    st.tuples(fuzz.TEXT, st.lists(fuzz.TEXT, max_size=8), st.sampled_from(["", "2024", "2024-07", "下周"])).map(list),
    st.lists(JSON, max_size=5),
)
_SOURCES = iter(f"127.0.{7 + n // 250}.{1 + n % 250}" for n in range(100_000))  # each its own rate bucket


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(endpoint=st.sampled_from(["ask", "verify"]), data=ARGUMENTS)
def test_the_http_api_answers_every_input_with_a_result_or_a_message(
    app: tuple[str, Path], endpoint: str, data: list[object]
) -> None:
    """Issue 24: random and adversarial arguments to the documented endpoints, within the limits:
    one result or one message each, never a server error, under a second of the app's CPU."""
    url, work = app
    pid = int((work / "app.pid").read_text())
    if endpoint == "verify" and data and isinstance(data[0], str):
        data = [data[0][:2000], *data[2:]]
    elif data and isinstance(data[0], str):
        data = [data[0][:500], *data[1:]]
    with burst.client(next(_SOURCES)) as c:
        before = cpu_seconds(pid)
        r = c.post(f"{url}gradio_api/call/{endpoint}", json={"data": data})
        assert r.status_code < 500, r.text
        if r.status_code == 200:
            events = c.get(f"{url}gradio_api/call/{endpoint}/{r.json()['event_id']}").text
            assert "event: complete" in events or "event: error" in events, events
            if "event: complete" in events:
                result = json.loads(events.split("data: ", 1)[1])[0]
                assert isinstance(result, dict) and ("error" in result) != ("verdict" in result or "found" in result)
        spent = cpu_seconds(pid) - before
    fuzz.worst(f"/{endpoint} (HTTP)", spent)
    assert spent < 1.0, (endpoint, data, spent)
    assert "Traceback" not in (work / "app.log").read_text(encoding="utf-8", errors="replace")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    path=st.sampled_from(["", "gradio_api/call/ask", "gradio_api/queue/join", "gradio_api/info", "config", "healthz"]),
    method=st.sampled_from(["GET", "POST", "PUT", "OPTIONS"]),
    body=st.binary(max_size=3000) | fuzz.TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),
    kind=st.sampled_from(
        ["application/json", "text/plain", "multipart/form-data", "", "application/x-www-form-urlencoded"]
    ),
)
def test_any_request_to_any_route_gets_no_server_error(
    app: tuple[str, Path], path: str, method: str, body: bytes, kind: str
) -> None:
    url, work = app
    headers = {"content-type": kind} if kind else {}
    with burst.client(next(_SOURCES)) as c:
        r = c.request(method, f"{url}{path}", content=body, headers=headers)
    assert r.status_code < 500 or (path == "healthz" and r.status_code == 503), (r.status_code, r.text[:300])
    assert "Traceback" not in (work / "app.log").read_text(encoding="utf-8", errors="replace")
