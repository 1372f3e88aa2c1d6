"""Run a Python script with every outbound (non-loopback) connection refused and recorded.

Usage: python tests/netguard.py RECORD_FILE SCRIPT [ARGS...]. Each attempt is appended to
RECORD_FILE as one line, so a test can assert that the app never tried to reach the network.
"""

from __future__ import annotations

import runpy
import socket
import sys

LOOPBACK = ("127.", "::1", "localhost", "0.0.0.0")


def main() -> None:
    record, script, *args = sys.argv[1:]
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def note(what: object) -> None:
        with open(record, "a", encoding="utf-8") as f:
            f.write(f"{what}\n")

    def connect(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if self.family == socket.AF_UNIX or str(host).startswith(LOOPBACK):
            return real_connect(self, address)  # type: ignore[arg-type]
        note(f"connect {address}")
        raise OSError(f"netguard: outbound connection to {address} refused")

    def getaddrinfo(host: object, *rest: object, **kw: object) -> object:
        if host is None or str(host).startswith(LOOPBACK):
            return real_getaddrinfo(host, *rest, **kw)  # type: ignore[arg-type]
        note(f"resolve {host}")
        raise socket.gaierror(f"netguard: lookup of {host} refused")

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
    sys.argv = [script, *args]
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
