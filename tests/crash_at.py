"""Run a Python program with its builds killed at a write step (store.watch_steps).

Usage: python tests/crash_at.py STEP (-m MODULE | -c CODE) [ARGS...]. STEP N kills the process
with SIGKILL at the N-th write step (a real crash: no cleanup, no finally blocks); STEP ``list``
prints "quoteqa fault step N: name" to stderr at each one instead.
"""

from __future__ import annotations

import itertools
import os
import runpy
import signal
import sys


def main() -> None:
    step, how, target, *args = sys.argv[1:]
    from quoteqa.index.store import watch_steps

    calls = itertools.count(1)

    def watcher(name: str) -> None:
        n = next(calls)
        if step == "list":
            print(f"quoteqa fault step {n}: {name}", file=sys.stderr, flush=True)
        elif int(step) == n:
            os.kill(os.getpid(), signal.SIGKILL)

    watch_steps(watcher)
    if how == "-m":
        sys.argv = [target, *args]
        runpy.run_module(target, run_name="__main__", alter_sys=True)
    else:
        sys.argv = ["-c", *args]
        exec(compile(target, "<crash_at>", "exec"), {"__name__": "__main__"})


if __name__ == "__main__":
    main()
