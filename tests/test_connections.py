"""The connection guard (issue 24, row 2) on a real uvicorn server in this process, with small
limits: a request deadline, a cap per address and in all, and log lines once per condition."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from quoteqa.web.connections import Admission, ConnectionLimits, GuardedH11Protocol, Repeats


async def hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
def server() -> Iterator[int]:
    limits = ConnectionLimits(request_timeout=0.5, per_address=3, total=6, exempt=frozenset({"127.0.0.9"}))
    GuardedH11Protocol.admission = Admission(limits)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        hello, host="127.0.0.1", port=port, http=GuardedH11Protocol, log_level="warning", lifespan="off"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.01)
    yield port
    srv.should_exit = True
    thread.join(5)
    GuardedH11Protocol.admission = None


def opened(port: int, source: str, head: bytes = b"GET / HTTP/1.1\r\nHost: x\r\n") -> socket.socket:
    s = socket.socket()
    s.bind((source, 0))
    s.settimeout(2)
    s.connect(("127.0.0.1", port))
    s.sendall(head)
    return s


def closed(s: socket.socket, within: float = 0.3) -> bool:
    s.settimeout(within)
    try:
        return s.recv(100) == b""
    except TimeoutError:
        return False
    except OSError:
        return True  # reset


def response(s: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"ok"):
        chunk = s.recv(1000)
        if not chunk:
            break
        data += chunk
    return data


def answered(port: int, source: str) -> bool:
    with opened(port, source, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") as s:
        return response(s).startswith(b"HTTP/1.1 200")


def test_a_request_that_never_finishes_its_head_is_closed_after_the_deadline(server: int) -> None:
    slow = opened(server, "127.0.0.2")
    assert not closed(slow, 0.2)
    assert closed(slow, 1.0)  # the deadline is 0.5 s
    keep = opened(server, "127.0.0.2", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert response(keep).startswith(b"HTTP/1.1 200")
    keep.sendall(b"GET / HTTP/1.1\r\n")  # the next request on the kept connection: the same deadline
    assert closed(keep, 1.5)


def test_one_address_holds_only_its_share_and_others_still_get_in(server: int) -> None:
    held = [opened(server, "127.0.0.3") for _ in range(5)]
    time.sleep(0.1)
    assert [closed(s, 0.1) for s in held] == [False] * 3 + [True] * 2
    assert answered(server, "127.0.0.4")
    proxy = [opened(server, "127.0.0.9") for _ in range(5)]  # the trusted proxy has no share
    time.sleep(0.1)
    assert not any(closed(s, 0.05) for s in proxy[:3])


def test_when_all_are_taken_the_longest_waiting_one_makes_room(server: int) -> None:
    first = [opened(server, f"127.0.1.{i}") for i in range(1, 7)]  # the server's total of 6
    time.sleep(0.1)
    assert answered(server, "127.0.0.5")  # a newcomer is served ...
    assert closed(first[0], 0.2)  # ... in the place of the one that waited longest
    assert not any(closed(s, 0.05) for s in first[2:])


def test_a_repeated_log_line_passes_once_a_window() -> None:
    repeats = Repeats(window=60)
    record = logging.LogRecord(
        "asyncio", logging.ERROR, __file__, 1, "socket.accept() out of system resource", (), None
    )
    passed = [repeats.filter(logging.makeLogRecord(record.__dict__)) for _ in range(1000)]
    assert passed.count(True) == 1
    other = logging.makeLogRecord({**record.__dict__, "msg": "another condition"})
    assert repeats.filter(other)
    repeats.window = 0
    again = logging.makeLogRecord(record.__dict__)
    assert repeats.filter(again) and "999 more" in again.getMessage()
    try:
        raise OSError(24, "Too many open files")
    except OSError:
        import sys

        traced = logging.makeLogRecord(
            {**record.__dict__, "msg": "accept failed\nsocket: <fd=7>", "exc_info": sys.exc_info()}
        )
    assert repeats.filter(traced) and traced.exc_info is None
    assert logging.Formatter().format(traced) == "accept failed: [Errno 24] Too many open files"
