"""Issue 39, rows 4-15: hostile and careless use of the command line, the feedback file, the
loading placeholder and the web app. Each test reproduces a finding against the real product."""

from __future__ import annotations

import contextlib
import http.client
import json
import secrets
import shutil
import socket
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import SEED, private_tmp, start_app
from test_cli import run

from quoteqa import QA
from quoteqa.cli import main
from quoteqa.web.feedback import FeedbackStore, Vote
from quoteqa.web.starting import MAX_AT_ONCE, Placeholder
from quoteqa.web.ui import quoted

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


@pytest.mark.parametrize("kind", ["text", "empty", "folder", "other database"])
def test_a_feedback_file_that_is_not_ours_is_named_without_a_traceback(tmp_path: Path, capsys, kind: str):  # type: ignore[no-untyped-def]
    """Row 11: ``quoteqa feedback --db`` on a file that is not the app's gave sqlite3 tracebacks."""
    db = tmp_path / "fb.sqlite3"
    if kind == "folder":
        db.mkdir()
    elif kind == "other database":
        with contextlib.closing(sqlite3.connect(db)) as other:
            other.execute("CREATE TABLE t (x)")
    else:
        db.write_text("我的笔记\n" if kind == "text" else "", encoding="utf-8")
    before = db.stat().st_size if db.is_file() else None
    assert main(["feedback", "--db", str(db)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and str(db) in err and "反馈文件" in err and len(err.strip().splitlines()) == 1
    assert (db.stat().st_size if db.is_file() else None) == before  # read, never written


@pytest.mark.parametrize("command", ["ask", "verify"])
def test_a_period_that_ends_before_it_begins_is_refused(stub_index: Path, capsys, monkeypatch, command: str):  # type: ignore[no-untyped-def]
    """Row 13: --since 2025 --until 2023 answered 原文中未找到 and exited 0."""
    index = ["--index", str(stub_index), "--json"]
    code, out, _ = run(capsys, monkeypatch, command, *index, "--since", "2025", "--until", "2023", QUESTION)
    refused = json.loads(out)
    assert code == 1 and refused["code"] == "bad_date"
    assert "2025" in refused["error"] and "2023" in refused["error"] and "没有一天" in refused["error"]
    for since, until in (("2024-07", "2024-07"), ("2024", "2024-07-15"), ("2024-07-15", "2024")):  # one day at least
        assert run(capsys, monkeypatch, command, *index, "--since", since, "--until", until, QUESTION)[0] == 0


@pytest.mark.parametrize("value", ["2101", "9999-12-31", "1899-12-31", "2100年7月"])
def test_a_year_outside_the_years_read_is_named_with_them(stub_index: Path, capsys, monkeypatch, value: str):  # type: ignore[no-untyped-def]
    """Row 14: --until 2101, 9999-12-31 and 1899-12-31 were called 「不是日期」."""
    code, out, _ = run(capsys, monkeypatch, "ask", "--index", str(stub_index), "--json", "--until", value, QUESTION)
    refused = json.loads(out)
    assert code == 1 and refused["code"] == "bad_date"
    assert value in refused["error"] and "1900 到 2099 年" in refused["error"] and "不是日期" not in refused["error"]


# --- the real app ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, built_index: Path) -> Iterator[tuple[str, Path]]:
    """The app with an operator's Hugging Face token in its environment and --log-questions."""
    work = tmp_path_factory.mktemp("hostile4")
    (work / "corpus").mkdir()
    shutil.copy(SEED, work / "corpus" / SEED.name)
    shutil.copytree(built_index, work / "index")
    env = {"TMPDIR": str(private_tmp(work)), "GRADIO_TEMP_DIR": str(private_tmp(work) / "gradio")}
    env["HF_TOKEN"] = "hf_" + "x" * 34  # no real token: any use of it is an outbound attempt, recorded
    args = ["--corpus", str(work / "corpus"), "--index", str(work / "index"), "--feedback-db", str(work / "fb.sqlite3")]
    proc, url = start_app(work, [*args, "--log-questions", "--rate-limit", "0"], env)
    yield url, work
    proc.terminate()
    proc.wait(timeout=20)


def log_of(work: Path) -> str:
    return (work / "app.log").read_text(encoding="utf-8", errors="replace")


def fn_index(url: str, name: str) -> int:
    """The dependency id of the page's handler ``name`` (respond, check, vote) or an API endpoint."""
    deps = httpx.get(f"{url}config").json()["dependencies"]
    return next(int(d["id"]) for d in deps if d.get("api_name") == name)


def join(url: str, name: str, data: list[Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
    """What the page (and gradio_client) does: join the queue, then read the event stream; the last
    message (process_completed, or Gradio's unexpected_error)."""
    session = secrets.token_hex(6)
    body = {"data": data, "event_data": None, "fn_index": fn_index(url, name), "trigger_id": None}
    with httpx.Client(timeout=30) as c:
        sent = json.dumps({**body, "session_hash": session})  # ASCII: a lone surrogate as "\\ud800"
        headers = {"content-type": "application/json", **(headers or {})}
        r = c.post(f"{url}gradio_api/queue/join", content=sent, headers=headers)
        assert r.status_code == 200, r.text
        last: dict[str, Any] = {}
        with c.stream("GET", f"{url}gradio_api/queue/data", params={"session_hash": session}) as events:
            for line in events.iter_lines():
                if line.startswith("data: "):
                    last = json.loads(line[6:])
                    if last.get("msg") in ("process_completed", "unexpected_error", "close_stream"):
                        break
    return last


@pytest.mark.e2e
def test_a_lone_surrogate_gets_the_bad_encoding_object_on_every_route(app: tuple[str, Path]):
    """Row 7: JSON "\\ud800新增" through the queue (the page's and gradio_client's route) gave
    unexpected_error "str is not valid UTF-8" and "Exception in ASGI application" in the log."""
    url, work = app
    for name, data, key in (("ask", ["\ud800新增"], "question"), ("verify", ["\ud800新增"], "claim")):
        done = join(url, name, data)
        assert done.get("msg") == "process_completed" and done["success"], done
        [refused] = done["output"]["data"]
        assert refused == {key: "\ufffd新增", "error": refused["error"], "code": "bad_encoding"}
        assert "不是有效的文字" in refused["error"]
    done = join(url, "respond", ["\ud800新增", [], "", ""])  # the chat
    assert done.get("msg") == "process_completed" and done["success"], done
    kept, latest, _, _ = done["output"]["data"]
    assert kept == "\ufffd新增" and "不是有效的文字" in str(latest[1]["content"])
    done = join(url, "opened", [["\udcff此前的问题"]])  # the earlier questions this browser kept
    assert done.get("msg") == "process_completed" and done["success"], done
    assert done["output"]["data"][-1] == ["\ufffd此前的问题"]
    assert "Exception in ASGI application" not in log_of(work) and "not valid UTF-8" not in log_of(work)


@pytest.mark.e2e
def test_a_vote_nested_past_the_recursion_limit_is_refused_quietly(app: tuple[str, Path]):
    """Row 10: a vote payload of "[" × 20,000 logged a 30-line RecursionError traceback."""
    url, work = app
    for depth in (20_000, 3_000):  # over the size of any vote, and under it
        done = join(url, "vote", ["[" * depth + "]" * depth])
        assert done.get("msg") == "process_completed" and done["success"], done
    log = log_of(work)
    assert log.count("feedback ignored: not a vote") >= 2
    assert "Traceback" not in log and "RecursionError" not in log and "recursion" not in log


# --- the loading placeholder ----------------------------------------------------------------------


def _placeholder() -> tuple[Placeholder, int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    return Placeholder("127.0.0.1", port), port


def _request(port: int, method: str, path: str = "/") -> tuple[int, dict[str, str], str]:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        c.request(method, path, body=b"{}" if method not in ("GET", "HEAD", "OPTIONS") else None)
        r = c.getresponse()
        return r.status, dict(r.getheaders()), r.read().decode("utf-8")
    finally:
        c.close()


def test_the_placeholder_answers_every_method_and_non_http_with_503():
    """Row 12: OPTIONS, PUT and DELETE got 501 with English HTML while the app loaded."""
    placeholder, port = _placeholder()
    try:
        for method in ("OPTIONS", "PUT", "DELETE", "PATCH", "BREW"):
            status, headers, body = _request(port, method, "/gradio_api/call/ask")
            assert (status, headers["Retry-After"], json.loads(body)["code"]) == (503, "1", "loading"), method
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")  # e.g. a TLS hello
            reply = b"".join(iter(lambda: s.recv(4096), b"")).decode("utf-8", "replace")  # up to the close
        assert reply.startswith("HTTP/1.0 503") and "Retry-After: 1" in reply and "loading" in reply
    finally:
        placeholder.close()


def test_idle_connections_to_the_placeholder_hold_no_one_up():
    """Row 9: two idle connections delayed GET /healthz by 4 s (one connection served at a time)."""
    placeholder, port = _placeholder()
    idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(2)]
    try:
        time.sleep(0.2)  # accepted
        start = time.monotonic()
        assert _request(port, "GET", "/healthz")[:1] == (503,)
        assert time.monotonic() - start < 0.5
        crowd = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(MAX_AT_ONCE + 10)]
        try:
            time.sleep(0.3)
            start = time.monotonic()
            status, headers, body = _request(port, "GET", "/healthz")  # past the cap: answered unread
            assert json.loads(body)["code"] == "loading"
            assert status == 503 and headers["Retry-After"] == "1" and time.monotonic() - start < 0.5
        finally:
            for s in crowd:
                s.close()
    finally:
        for s in idle:
            s.close()
        placeholder.close()


@pytest.mark.e2e
def test_a_call_gradio_cannot_route_gets_a_4xx_and_the_page_handlers_stay_private(app: tuple[str, Path]):
    """Row 15: POST /gradio_api/call/v2/ask {"data": [...]} (keyword arguments expected) gave 500;
    so did a name that is no endpoint, and /gradio_api/call/respond ran the chat's own handler."""
    url, work = app
    refused = {
        "gradio_api/call/v2/ask": ({"data": [QUESTION]}, 400, "没有参数 data"),
        "gradio_api/call/v2/ask/": ({"history": []}, 400, "缺少必填参数 question"),
        "gradio_api/call/v2/verify": ([QUESTION], 400, "必须是一个 JSON 对象"),
        "gradio_api/call/v2/respond": ({"question": QUESTION}, 404, "没有接口 /respond"),
        "gradio_api/call/respond": ({"data": [QUESTION, [], "", ""]}, 404, "接口是 /ask、/verify"),
        "gradio_api/call/nothing": ({"data": [QUESTION]}, 404, "没有接口 /nothing"),
    }
    with httpx.Client(timeout=10) as c:
        for route, (body, status, message) in refused.items():
            r = c.post(f"{url}{route}", json=body)
            assert r.status_code == status and message in r.json()["error"], (route, r.status_code, r.text)
        r = c.post(f"{url}gradio_api/call/v2/ask", json={"question": QUESTION, "since": "2024"})
        events = c.get(f"{url}gradio_api/call/ask/{r.json()['event_id']}").text
        assert "5.7万" in json.loads(events.split("data: ", 1)[1])[0]["answer"]  # keywords still work
    assert "Exception in ASGI application" not in log_of(work)


def test_the_feedback_summary_shows_each_stored_text_on_one_line(tmp_path: Path, capsys):  # type: ignore[no-untyped-def]
    """Row 6: a question with a line break printed a forged row in `quoteqa feedback`, and U+202E
    (right-to-left override) was printed as it was."""
    db = tmp_path / "fb.sqlite3"
    store = FeedbackStore(db, log_questions=True)
    forged = "火星上有几座城市?\n  999 次  市长手机号是多少?"
    store.add_unanswered(forged)
    store.add_vote(Vote("answer", "新增就业岗位5.7万个。\n  👍 99  👎 0  [回答] 伪造\u202e的行\u2028", 1))
    assert main(["feedback", "--db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and not any(c in "".join(lines) for c in "\u202e\u2028\r")
    assert lines[1] == "  👍 1  👎 0  [回答] 新增就业岗位5.7万个。 👍 99 👎 0 [回答] 伪造的行"
    assert lines[3] == "  1 次  火星上有几座城市? 999 次 市长手机号是多少?"


@pytest.mark.e2e
def test_no_request_makes_the_app_reach_out_with_the_operators_token(app: tuple[str, Path]):
    """Row 4: with HF_TOKEN in the app's environment, Gradio's run history uploaded a run to the
    bucket a request's header named, and /run-history/connect created one."""
    url, work = app
    bucket = {"x-gradio-history-bucket": "attacker/loot"}
    done = join(url, "ask", [QUESTION], headers=bucket)
    assert done.get("msg") == "process_completed" and done["success"], done
    with httpx.Client(timeout=10) as c:
        r = c.post(f"{url}gradio_api/call/ask", json={"data": [QUESTION]}, headers=bucket)
        c.get(f"{url}gradio_api/call/ask/{r.json()['event_id']}", headers=bucket)
        for route in ("run-history/connect", "run-history/buckets", "run-history/records", "runs"):
            method = "POST" if route.endswith("connect") else "GET"
            r = c.request(method, f"{url}gradio_api/{route}", json={"bucket_id": "attacker/b"}, headers=bucket)
            assert r.status_code == 404, (route, r.status_code)
    time.sleep(1.5)  # an upload is handed to a thread
    attempts = work / "network-attempts.txt"
    assert not attempts.exists(), attempts.read_text()
    # Where HF_HUB_OFFLINE is set (as in these tests) the Hub library refuses the upload itself and
    # Gradio logs "history: could not record run": the app must not even try.
    assert "gradio.history" not in log_of(work) and "attacker" not in log_of(work)


def test_only_a_real_quote_is_a_vote_and_the_store_keeps_the_newest(stub_index: Path, tmp_path: Path):
    """Row 5: 40 votes in a burst, each one sentence of the articles repeated to 2,000 characters,
    were stored (5.5 KB a row, no cap). A quote is consecutive sentences of one paragraph."""
    qa = QA.load(stub_index)
    paragraph = next(p for p in qa.index.paragraphs if len(p.sentences) >= 3)
    one, two, three = (s.text for s in paragraph.sentences[:3])
    assert quoted(qa, one) and quoted(qa, one + two) and quoted(qa, one + two + three)
    assert quoted(qa, two + three) and quoted(qa, f" {one}{two} ")
    assert not quoted(qa, (one * 2000)[:2000]) and not quoted(qa, one + one)  # a sentence repeated
    assert not quoted(qa, one + three) and not quoted(qa, two + one)  # not consecutive, not in order
    other = next(p for p in qa.index.paragraphs if p is not paragraph).sentences[0].text
    assert not quoted(qa, one + other) and not quoted(qa, paragraph.sentences[-1].text + other)
    assert not quoted(qa, one + "编造的一句。") and not quoted(qa, one[:-3])
    store = FeedbackStore(tmp_path / "fb.sqlite3", log_questions=True, max_rows=5)
    for n in range(8):
        store.add_vote(Vote("answer", f"{one}{n}", 1))
        store.add_unanswered(f"问题{n}")
    with contextlib.closing(sqlite3.connect(tmp_path / "fb.sqlite3")) as db:
        kept = [s for (s,) in db.execute("SELECT sentence FROM votes ORDER BY at")]
        asked = [q for (q,) in db.execute("SELECT question FROM unanswered ORDER BY at")]
    assert kept == [f"{one}{n}" for n in range(3, 8)] and asked == [f"问题{n}" for n in range(3, 8)]


def test_the_python_api_refuses_an_empty_period_too(stub_index: Path) -> None:
    """Row 13 at the third door: QA.ask and QA.verify refuse since after until, as the CLI does."""
    from quoteqa import QA
    from quoteqa.language.inputs import InputError

    qa = QA.load(stub_index)
    for call in (qa.ask, qa.verify):
        with pytest.raises(InputError, match="晚于") as err:
            call("新增上市企业几家", since="2025", until="2023")
        assert err.value.code == "bad_date"
