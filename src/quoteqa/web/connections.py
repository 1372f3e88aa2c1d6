"""The connection guard under the HTTP guard: a deadline for each request's head and body, and a
cap on open connections per address and in all.

The ASGI guard (``guard.py``) sees a request only once its headers are in. A client that opens
connections and never finishes its headers is invisible there: 1,100 of them under
``ulimit -n 1024`` took every file descriptor, ``/healthz`` and every question timed out, and
asyncio logged 318 MB of "socket.accept() out of system resource" in 40 s (its accept loop
schedules a retry for every one of 100 attempts, and each retry does the same). Here, in
uvicorn's HTTP protocol:

- a request's head and body must arrive within ``request_timeout`` seconds of the connection
  opening or of the previous response (a keep-alive connection waits 5 s for its next request);
- one address holds at most ``per_address`` connections (a browser opens 6); more are closed as
  they open, except for the trusted proxy, through which every reader comes;
- all addresses together hold at most ``total`` connections, below the open-file limit: a new
  connection then closes the one that has waited longest for its request, or is closed itself
  when every connection is busy with one;
- each of these conditions is logged once while it lasts, as is any repeated log line of the
  server (:class:`Repeats`), not once per event.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger(__name__)

REQUEST_TIMEOUT = 10.0  # seconds for a request's head and body to arrive
PER_ADDRESS = 32  # open connections per client address
FILES_KEPT = 256  # descriptors kept free of connections, for the index, logs and the accept loop


@dataclass(frozen=True)
class ConnectionLimits:
    request_timeout: float = REQUEST_TIMEOUT
    per_address: int = PER_ADDRESS
    total: int = 0  # 0: the open-file limit less FILES_KEPT
    exempt: frozenset[str] = field(default_factory=frozenset)  # addresses without a per-address cap


def open_file_limit(*, raise_to_hard: bool = False) -> int:
    """The soft limit on open files, first raised to the hard limit when asked (the default soft
    limit of 1,024 is far below what a server may open)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if raise_to_hard and hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return soft if soft != resource.RLIM_INFINITY else 1 << 20


def total_for(limit: int) -> int:
    return max(16, limit - FILES_KEPT)


class Admission:
    """Who holds which connections; the decisions of the connection guard, and their log lines."""

    def __init__(self, limits: ConnectionLimits) -> None:
        self.limits = limits
        self.total = limits.total or total_for(open_file_limit())
        self.by_address: Counter[str] = Counter()
        self.waiting: OrderedDict[GuardedH11Protocol, float] = OrderedDict()  # oldest wait first
        self.open = 0
        self._said: set[str] = set()

    def admit(self, conn: GuardedH11Protocol) -> bool:
        """Count ``conn`` in, or say no (its address holds its share, or every connection is busy)."""
        address = conn.address
        if address not in self.limits.exempt and self.by_address[address] >= self.limits.per_address:
            self._once(
                "address",
                "an address holds %d connections, the most one may; closing its new ones",
                self.limits.per_address,
            )
            return False
        if self.open >= self.total:
            if not self.waiting:
                self._once("total", "%d connections are open, the most this server keeps; closing new ones", self.total)
                return False
            self._once(
                "evict", "%d connections are open; closing those that waited longest for their request", self.total
            )
            oldest = next(iter(self.waiting))
            oldest.close("evicted")
        self.by_address[address] += 1
        self.open += 1
        if self.open < self.total * 3 // 4:
            self._said.discard("total")
            self._said.discard("evict")
        return True

    def leave(self, conn: GuardedH11Protocol) -> None:
        self.waiting.pop(conn, None)
        self.open -= 1
        self.by_address[conn.address] -= 1
        if self.by_address[conn.address] <= 0:
            del self.by_address[conn.address]
        if self.by_address[conn.address] < self.limits.per_address // 2:
            self._said.discard("address")

    def late(self) -> None:
        self._once("late", "closing connections that sent no whole request within %g s", self.limits.request_timeout)

    def _once(self, condition: str, message: str, *args: Any) -> None:
        if condition not in self._said:
            self._said.add(condition)
            log.warning(message, *args)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with the connection guard; ``admission`` is set by :func:`install`."""

    admission: Admission | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.address = self.client[0] if self.client else "unknown"
        self._timer: asyncio.TimerHandle | None = None
        self._admitted = self.admission is None or self.admission.admit(self)
        if not self._admitted:
            transport.abort()  # no reply: the peer may be the one holding the descriptors
            return
        self._await_request()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        if getattr(self, "_admitted", False) and self.admission is not None:
            self._admitted = False
            self.admission.leave(self)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._timer is not None and self._request_in():
            self._stop_waiting()

    def handle_websocket_upgrade(self, event: Any) -> None:
        self._stop_waiting()  # the connection is another protocol's from here on
        super().handle_websocket_upgrade(event)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and not self._request_in():
            self._await_request()

    def close(self, why: str) -> None:
        self._stop_waiting()
        if why == "late" and self.admission is not None:
            self.admission.late()
        self.transport.abort()

    def _request_in(self) -> bool:
        """A request's head and body have arrived and its response is not yet complete."""
        cycle = self.cycle
        return cycle is not None and not cycle.response_complete and not cycle.more_body

    def _await_request(self) -> None:
        self._stop_waiting()
        timeout = self.admission.limits.request_timeout if self.admission else REQUEST_TIMEOUT
        self._timer = self.loop.call_later(timeout, self.close, "late")
        if self.admission is not None:
            self.admission.waiting[self] = time.monotonic()

    def _stop_waiting(self) -> None:
        if getattr(self, "_timer", None) is not None:
            self._timer.cancel()  # type: ignore[union-attr]
            self._timer = None
        if self.admission is not None:
            self.admission.waiting.pop(self, None)


class Repeats(logging.Filter):
    """Pass a log line (by its unformatted message) at most once a ``window``, as one line (a
    traceback becomes the exception's text); the next one that passes says how many were left out."""

    def __init__(self, window: float = 60.0) -> None:
        super().__init__()
        self.window = window
        self.seen: dict[str, tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = f"{record.name}:{record.msg}"
        now = time.monotonic()
        then, skipped = self.seen.get(key, (float("-inf"), 0))
        if now - then < self.window:
            self.seen[key] = (then, skipped + 1)
            return False
        self.seen[key] = (now, 0)
        if len(self.seen) > 1000:
            self.seen.clear()
        message = record.getMessage().split("\n", 1)[0]
        if record.exc_info and record.exc_info[1] is not None:
            message += f": {record.exc_info[1]}"
            record.exc_info = record.exc_text = None
        if skipped:
            message += f" ({skipped} more in the last {self.window:g} s)"
        record.msg, record.args = message, None
        return True


def install(limits: ConnectionLimits) -> type[GuardedH11Protocol]:
    """Guard every connection of the uvicorn server this process starts next, and collapse the
    repeated lines of its loggers. Gradio builds uvicorn's ``Config`` itself and names no
    protocol, so the guarded one is registered as uvicorn's automatic choice."""
    import uvicorn.config

    GuardedH11Protocol.admission = Admission(limits)
    uvicorn.config.HTTP_PROTOCOLS["auto"] = f"{__name__}:GuardedH11Protocol"
    repeats = Repeats()
    for name in ("asyncio", "uvicorn.error", __name__):
        logging.getLogger(name).addFilter(repeats)
    return GuardedH11Protocol
