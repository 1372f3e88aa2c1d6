"""``python -m harness report|scale|stores|startup|same|files …``: the harness's entry point (see ``make bench``,
``make scale``, ``make stores``)."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    commands = {
        "report": "harness.report",
        "scale": "harness.scale",
        "stores": "harness.stores",
        "startup": "harness.startup",
        "same": "harness.same",
        "files": "harness.files",
    }
    if not argv or argv[0] not in commands:
        print(f"usage: python -m harness {{{','.join(commands)}}} [options]; --help after one for its options")
        return 2
    from importlib import import_module

    run = import_module(commands[argv[0]]).main
    return int(run(argv[1:]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
