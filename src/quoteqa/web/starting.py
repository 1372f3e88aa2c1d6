"""While the app loads: its port is taken at once, by a placeholder that says so in Chinese.

Gradio's import and the index load take seconds; a reader who opens the page meanwhile sees
「正在加载…」 (refreshed each second) instead of a refused connection, a script gets HTTP 503 with
Retry-After, and a port that is already taken is found before anything loads. The placeholder
answers with 503 on every path, so that a health check or a client waiting for the app to be up
keeps waiting; the real server takes the port over when it is ready.

The page is served by a forked child process: served from a thread, each request took the GIL
from the loading and a client polling every 50 ms delayed the start by 2.5 s. Each connection
has a thread of the child's own (at most MAX_AT_ONCE; beyond that a connection is answered 503
before its request is read), so that idle connections hold no one else up; any method, and a
request that is not HTTP, gets the same 503.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from socketserver import ThreadingMixIn
from typing import Any

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="1">
<meta name="color-scheme" content="light dark">
<title>武进新闻问答 · 正在加载</title>
<style>
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
font-family:"Noto Sans CJK SC",system-ui,sans-serif;background:#fff;color:#1f2937}
@media (prefers-color-scheme: dark){body{background:#0b0f19;color:#e5e7eb}}
main{text-align:center;padding:24px}p{margin:.4em 0}.hint{opacity:.75;font-size:.9em}
</style></head>
<body><main role="status" aria-live="polite"><p>正在加载…</p>
<p class="hint">问答服务正在启动,几秒后自动打开。</p></main></body></html>
"""
BUSY = {"error": "服务正在启动,请稍后再试。", "code": "loading"}
MAX_AT_ONCE = 64  # connections served at once; each waits at most _Handler.timeout for its request


def _busy_response() -> bytes:
    """The whole reply to a connection beyond MAX_AT_ONCE, sent before its request is read."""
    body = json.dumps(BUSY, ensure_ascii=False).encode("utf-8")
    head = (
        "HTTP/1.0 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class _Handler(BaseHTTPRequestHandler):
    server_version = "quoteqa"
    sys_version = ""
    timeout = 2  # a client that sends nothing does not hold the page up for others

    def _reply(self, body: bytes, content_type: str) -> None:
        self.send_response(503)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Retry-After", "1")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path.split("?")[0] in ("/", "/index.html"):
            self._reply(PAGE.encode("utf-8"), "text/html; charset=utf-8")
        else:
            payload = {"status": "loading"} if self.path.startswith("/healthz") else BUSY
            self._reply(json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    do_HEAD = do_GET

    def do_POST(self) -> None:
        self._reply(json.dumps(BUSY, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    def __getattr__(self, name: str) -> Callable[[], None]:
        """Every other method (OPTIONS, PUT, DELETE, any name) is answered as a POST is."""
        if name.startswith("do_"):
            return self.do_POST
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A request that is not HTTP (or too long a line) gets the same 503, not English HTML."""
        self.close_connection = True
        if getattr(self, "command", None) is None:
            self.command = "POST"
        self.request_version = "HTTP/1.0"  # an unparsed request is taken for HTTP/0.9: no headers
        self.do_POST()

    def log_message(self, format: str, *args: object) -> None:
        pass  # a reload every second is not worth a log line


class _Server(ThreadingMixIn, HTTPServer):
    allow_reuse_address = True  # the real server binds the same port a moment later
    timeout = 0.5  # seconds between checks that the app is still there
    daemon_threads = True
    block_on_close = False  # close() does not wait for a connection that sends nothing
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], handler: Any) -> None:
        super().__init__(address, handler)
        self._slots = threading.BoundedSemaphore(MAX_AT_ONCE)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            try:
                request.settimeout(0.1)
                request.sendall(_busy_response())
            except OSError:
                pass
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


class _Server6(_Server):
    address_family = socket.AF_INET6


class Placeholder:
    """The loading page on ``host:port`` until ``close``. Raises OSError when the port is taken."""

    def __init__(self, host: str, port: int) -> None:
        self._server = (_Server6 if ":" in host else _Server)((host, port), _Handler)
        self._child = 0
        self._thread: threading.Thread | None = None
        if hasattr(os, "fork"):
            app = os.getpid()
            self._child = os.fork()
            if self._child == 0:  # the child: serve until told to stop or the app is gone
                try:
                    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the app's to handle
                    while os.getppid() == app:
                        self._server.handle_request()
                finally:
                    os._exit(0)
            self._server.socket.close()  # the child holds the port
        else:
            self._thread = threading.Thread(target=self._server.serve_forever, name="quoteqa-loading", daemon=True)
            self._thread.start()

    def close(self) -> None:
        """Stop answering and free the port (idempotent)."""
        if self._child:
            try:
                os.kill(self._child, signal.SIGTERM)
                os.waitpid(self._child, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self._child = 0
        elif self._thread is not None and self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
