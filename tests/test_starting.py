"""While the app loads, its port answers 「正在加载…」 (503); a taken port is named in Chinese at once."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from conftest import ROOT

from quoteqa.web.starting import Placeholder


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, data: bytes | None = None) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, data=data, timeout=5) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8")


def test_the_placeholder_says_loading_on_every_path_and_frees_the_port():
    port = _free_port()
    placeholder = Placeholder("127.0.0.1", port)
    try:
        status, headers, page = _get(f"http://127.0.0.1:{port}/")
        assert status == 503 and headers["Retry-After"] == "1"
        assert "正在加载" in page and 'lang="zh-CN"' in page and "prefers-color-scheme: dark" in page
        status, _, body = _get(f"http://127.0.0.1:{port}/healthz")
        assert status == 503 and json.loads(body) == {"status": "loading"}
        status, _, body = _get(f"http://127.0.0.1:{port}/gradio_api/call/ask", data=b'{"data": ["x"]}')
        assert status == 503 and json.loads(body)["code"] == "loading"
        with socket.create_connection(("127.0.0.1", port), timeout=5):  # a client that sends nothing
            assert _get(f"http://127.0.0.1:{port}/")[0] == 503  # ... does not hold the page up for long
        with socket.socket() as s, pytest.raises(OSError):
            s.bind(("127.0.0.1", port))
    finally:
        placeholder.close()
    placeholder.close()  # twice is harmless
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))  # the real server can take the port


def test_a_taken_port_is_named_in_chinese_before_anything_loads(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = subprocess.run(
            [sys.executable, str(ROOT / "app.py"), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
        )
    assert out.returncode == 1
    assert "端口" in out.stderr and str(port) in out.stderr and "--port" in out.stderr
    assert "GRADIO_SERVER_PORT" in out.stderr and "Traceback" not in out.stderr and "share" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1  # and nothing loaded first: no "index ready" line
