"""The HTTP guard in front of the web app: a health route, body and rate caps, closed routes.

Gradio answers every route it has to anyone. This ASGI middleware stands before it and:

- answers ``GET /healthz`` with the queue's real state (503 once Gradio's queue has stopped, which
  otherwise leaves the HTTP server up and every question refused);
- takes uploads (a draft file for 核实数字) up to MAX_UPLOAD_BYTES, refused before they are read
  when bigger; refuses the monitoring routes, the routes that run a handler
  outside the queue (``/gradio_api/run/…``, ``/gradio_api/api/…``) and deep links (which write a
  user's chat to disk);
- caps request bodies (a question is 500 characters, a draft 2,000: 64 KiB is ample) without
  reading more than the cap into memory, and refuses a JSON body that is not UTF-8 with the
  message every other door gives;
- limits each client address to a steady rate of POSTs (questions), so that one client's burst
  of abandoned requests is refused at the door (429) instead of filling the shared queue.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from ..language.inputs import NOT_UTF8

AsgiScope = MutableMapping[str, Any]  # an ASGI connection scope (not search.Scope, what a question may read)
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[AsgiScope, Receive, Send], Awaitable[None]]

MAX_BODY_BYTES = 64 * 1024
MAX_UPLOAD_BYTES = 5 * 1024 * 1024 + 64 * 1024  # a 5 MB draft and its form around it
UPLOAD = "/gradio_api/upload"
RATE_PER_SECOND = 10.0  # sustained POSTs per client address
RATE_BURST = 30  # POSTs a client may send at once before the rate applies
MAX_CLIENTS_TRACKED = 10_000  # buckets kept (least recently seen dropped first)
CLOSED_PREFIXES = (
    "/monitoring",
    "/gradio_api/monitoring",
    "/upload",
    # Gradio's direct routes run any handler by name outside the queue, its cap and its one worker
    # (10 drafts posted there made a question wait 49.7 s); the page and the API use the queue.
    "/gradio_api/run/",
    "/gradio_api/api/",
    "/run/",
    "/api/",
    # deep links write the session's chat and draft to /tmp/gradio/deep_links (0644, never deleted)
    "/gradio_api/deep_link",
    # run history (off in launch): a client could name a Hugging Face bucket that the operator's
    # HF_TOKEN would create and fill with every run
    "/gradio_api/run-history",
    "/gradio_api/runs",
)


# An API endpoint's parameters: (the required ones, all of them), by endpoint name.
Endpoints = dict[str, tuple[frozenset[str], frozenset[str]]]


@dataclass
class Limits:
    """Caps of the guard. ``rate`` 0 turns the rate limit off: behind a reverse proxy every user
    comes from the proxy's address, so limit there instead."""

    max_body: int = MAX_BODY_BYTES
    rate: float = RATE_PER_SECOND
    burst: int = RATE_BURST


class RateLimiter:
    """A token bucket per client address."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, float(burst), clock
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, client: str) -> float:
        """0 when ``client`` may go on now, else the seconds until it may."""
        if self.rate <= 0:
            return 0.0
        now = self.clock()
        tokens, then = self.buckets.pop(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
        self.buckets[client] = (tokens - 1 if wait == 0 else tokens, now)
        while len(self.buckets) > MAX_CLIENTS_TRACKED:
            self.buckets.popitem(last=False)
        return wait


class Guard:
    """ASGI middleware; ``health()`` returns (ok, details) for ``/healthz``."""

    def __init__(
        self,
        app: App,
        *,
        health: Callable[[], tuple[bool, dict[str, Any]]],
        limits: Limits,
        endpoints: Endpoints | None = None,
    ) -> None:
        self.app, self.health, self.limits = app, health, limits
        self.endpoints = endpoints  # None: every name passes to Gradio
        self.limiter = RateLimiter(limits.rate, limits.burst)

    async def __call__(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        if path == "/healthz":
            ok, details = self.health()
            await _json(send, 200 if ok else 503, {"status": "ok" if ok else "unavailable", **details})
            return
        if path.startswith(CLOSED_PREFIXES):
            await _json(send, 404, {"error": "本应用不提供这个地址(稿件文件请在“核实数字”页上传;不公开监控数据)。"})
            return
        if scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = self.limiter.allow(client)
        if wait > 0:
            rate, later = f"{self.limits.rate:g}", f"{max(wait, 0.1):.1f}"
            await _json(
                send,
                429,
                {"error": f"请求过于频繁:每个地址每秒最多 {rate} 个请求,请 {later} 秒后再试。"},
                ((b"retry-after", str(max(1, round(wait))).encode()),),
            )
            return
        cap = MAX_UPLOAD_BYTES if path.startswith(UPLOAD) else self.limits.max_body
        declared = _content_length(scope)
        if declared is not None and declared > cap:
            await _too_large(send, declared, cap)
            return
        body, more, size = [], True, 0
        while more:  # read the whole (small) body here, never more than the cap
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            size += len(message.get("body", b""))
            if size > cap:
                await _too_large(send, size, cap)
                return
            body.append(message.get("body", b""))
            more = message.get("more_body", False)
        whole = b"".join(body)
        if not path.startswith(UPLOAD) and not _utf8(whole):  # (Gradio gave a 500 and logged a text/plain body)
            await _json(send, 400, {"error": f"请求内容{NOT_UTF8}。", "code": "bad_encoding"})
            return
        wrong = _api_call_refused(path, whole, self.endpoints) if self.endpoints is not None else None
        if wrong is not None:
            await _json(send, wrong[0], {"error": wrong[1]})
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": whole, "more_body": False}
            return await receive()

        await self.app(scope, replay, _queue_full_in_chinese(send))


def _api_call_refused(path: str, body: bytes, endpoints: Endpoints) -> tuple[int, str] | None:
    """(status, message) for a call Gradio would answer with a 500 or run outside the API: a name
    that is no API endpoint (the page's own handlers included) under ``/gradio_api/call/``, and for
    ``/gradio_api/call/v2/NAME`` (keyword arguments) a body that is not an object of its
    parameters, or lacks a required one; else None."""
    rest = path.removeprefix("/gradio_api/call/")
    if rest == path or "/" in rest.removeprefix("v2/").rstrip("/"):
        return None  # not a call, or the GET of a call's result
    name = rest.removeprefix("v2/").rstrip("/")
    names = "、".join(f"/{n}" for n in sorted(endpoints))
    if name not in endpoints:
        return 404, f"本应用没有接口 /{name};接口是 {names}。"
    if not rest.startswith("v2/"):
        return None
    required, accepted = endpoints[name]
    listed = "、".join(sorted(accepted))
    try:
        args = json.loads(body)
    except (ValueError, RecursionError):
        args = None
    if not isinstance(args, dict):
        return 400, f"接口 /{name} 的请求内容必须是一个 JSON 对象,键为参数名:{listed}。"
    unknown = sorted(set(args) - accepted)
    if unknown:
        return 400, f"接口 /{name} 没有参数 {unknown[0][:50]};它的参数是 {listed}。"
    missing = sorted(required - set(args))
    if missing:
        return 400, f"接口 /{name} 缺少必填参数 {missing[0]}。"
    return None


QUEUE_FULL = "现在提问的人太多,请稍等几秒再试。"


def _queue_full_in_chinese(send: Send) -> Send:
    """Gradio refuses a question when its queue is full with 503 {"detail": "Queue is full. …"};
    the person asking gets the reason in Chinese instead. Any other 503 passes unchanged."""
    held: list[Message] = []

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] == 503:
            held.append(message)  # decided once the (short) body is in
            return
        if held and message["type"] == "http.response.body":
            held.append(message)
            if message.get("more_body", False):
                return
            body = b"".join(m.get("body", b"") for m in held[1:])
            if b"Queue is full" in body:
                await _json(send, 503, {"detail": QUEUE_FULL, "error": QUEUE_FULL})
            else:
                for m in held:
                    await send(m)
            held.clear()
            return
        await send(message)

    return wrapped


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _content_length(scope: AsgiScope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _too_large(send: Send, size: int, limit: int) -> None:
    await _json(send, 413, {"error": f"请求内容过大:{size:,} 字节,上限 {limit:,} 字节。"})


async def _json(send: Send, status: int, payload: dict[str, Any], extra: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers + list(extra)})
    await send({"type": "http.response.body", "body": data})
