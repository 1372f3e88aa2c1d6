"""Start the real app (app.py) on a free localhost port, for the load, burst and end-to-end runs."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cpu_seconds(pid: int) -> float:
    """User and system CPU of process ``pid`` so far (the app's, as the hostile runs and tests read it)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(
    work: Path,
    args: list[str],
    *,
    env: dict[str, str] | None = None,
    wrapper: list[str] | None = None,
    timeout: float = 180,
    poll: float = 0.3,
    open_files: int | None = None,
) -> tuple[subprocess.Popen[bytes], str]:
    """``app.py ARGS`` on a free port (its output in work/app.log), once it answers; ``wrapper``
    runs before app.py in the same interpreter (e.g. tests/netguard.py); ``open_files`` is the
    app's limit on open files, soft and hard (as ``ulimit -n``)."""
    port = free_port()
    log = (work / "app.log").open("w")
    cmd = [sys.executable, *(wrapper or []), str(ROOT / "app.py"), "--port", str(port), *args]

    def limit() -> None:
        if open_files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))

    proc = subprocess.Popen(
        cmd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}, preexec_fn=limit
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            break
        try:
            urllib.request.urlopen(url, timeout=2)
            return proc, url
        except OSError:
            time.sleep(poll)
    proc.kill()
    raise RuntimeError(f"the app did not start in {timeout:.0f} s:\n" + (work / "app.log").read_text())
