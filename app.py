"""Serve the quoteqa chat: ``python app.py [--host 127.0.0.1] [--port 7860]``."""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "src"))  # run from a checkout without installing

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

if TYPE_CHECKING:
    from quoteqa.web.starting import Placeholder


def _limit_malloc_arenas() -> None:
    """glibc gives each worker thread its own malloc arena; under concurrent load that shows as
    resident memory creeping up. Two arenas keep it flat at no measurable cost."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass  # not glibc: nothing to tune


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Serve the quoteqa chat on the bundled (or given) articles.")
    p.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"), help="default: 127.0.0.1")
    p.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", "7860")), help="default: 7860")
    p.add_argument("--corpus", type=Path, default=ROOT / "corpus", help="article folder (default: ./corpus)")
    p.add_argument("--index", type=Path, default=ROOT / "index", help="index folder (default: ./index)")
    p.add_argument(
        "--store",
        default=None,
        help="where a new index keeps its rows: local (default), milvus:path/archive.db or http://host:19530 "
        "(an existing index keeps the store it records)",
    )
    p.add_argument(
        "--reader",
        type=Path,
        default=None,
        help="folder of a sentence-transformers CrossEncoder (e.g. bge-reranker-base) to reorder the best sentences",
    )
    p.add_argument(
        "--weights",
        type=Path,
        default=None,
        help="learned weights for an index of another embedding model (quoteqa train -- --model M --out FILE)",
    )
    p.add_argument(
        "--rate-limit",
        type=float,
        default=10.0,
        help="questions per second one client address may send, after a burst of 30 (default: 10; "
        "0 = no limit, e.g. behind a reverse proxy, where every user has the proxy's address)",
    )
    p.add_argument(
        "--trusted-proxy",
        default="",
        metavar="ADDR",
        help="address of a reverse proxy whose X-Forwarded-For header names the client (default: trust none, "
        "so a client cannot choose the address it is rate-limited by)",
    )
    p.add_argument(
        "--feedback-db",
        type=Path,
        default=None,
        help="SQLite file for readers' 👍/👎 (default: $XDG_STATE_HOME/quoteqa/feedback.sqlite3)",
    )
    p.add_argument(
        "--log-questions",
        action="store_true",
        help="also keep the question text with each vote, and the questions that got 原文中未找到 (off by default)",
    )
    args = p.parse_args(argv)
    if args.rate_limit < 0:
        p.error(f"--rate-limit is {args.rate_limit:g}; it must be 0 (no limit) or more")
    if not 0 < args.port < 65536:
        p.error(f"--port is {args.port}; it must be between 1 and 65535")
    index = args.index.expanduser().resolve()
    if args.feedback_db is not None and args.feedback_db.expanduser().resolve().is_relative_to(index):
        # every build replaces the index folder whole, and refuses one that holds files it did not write
        p.error(f"--feedback-db {args.feedback_db} lies inside the index folder {args.index}; put it beside the index")
    # uvicorn reads this when the server starts; by default it trusted X-Forwarded-For from 127.0.0.1,
    # so any local client could name a new address with each request and pass the rate limit.
    os.environ["FORWARDED_ALLOW_IPS"] = args.trusted_proxy
    _limit_malloc_arenas()
    from quoteqa.web.starting import Placeholder

    try:
        placeholder = Placeholder(args.host, args.port)  # 「正在加载…」 on the port while the rest loads
    except OSError as exc:
        print(
            f"app.py: 错误:无法在 {args.host}:{args.port} 上启动({exc.strerror or exc}),该端口可能已被占用;"
            f"请用 --port 端口号 或环境变量 GRADIO_SERVER_PORT 另选一个端口。",
            file=sys.stderr,
        )
        return 1
    try:
        return _serve(args, placeholder)
    finally:
        placeholder.close()


def _serve(args: argparse.Namespace, placeholder: Placeholder) -> int:
    """Load the index and the page, then hand the port from the placeholder to the app."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for noisy in ("httpx", "sentence_transformers", "faiss", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    from quoteqa.ask.models import WeightsError
    from quoteqa.ask.reader import ReaderError
    from quoteqa.index.embedding import ModelUnavailable, set_threads
    from quoteqa.index.search import StoreError
    from quoteqa.index.store import BuildLocked, IndexUnavailable
    from quoteqa.ingest.corpus import CorpusError
    from quoteqa.qa import QA
    from quoteqa.web.connections import ConnectionLimits, open_file_limit
    from quoteqa.web.feedback import FeedbackStore, default_path
    from quoteqa.web.guard import Limits
    from quoteqa.web.ui import build_ui, launch

    start = time.perf_counter()
    set_threads(1)  # concurrent questions: parallel threads in one only spin-wait for each other
    try:
        # The app rebuilds a missing or stale index on start; the CLI asks first.
        qa = QA.load(
            args.index, corpus=args.corpus, rebuild=True, store_uri=args.store, reader=args.reader, weights=args.weights
        )
        qa.ask("预热")  # load the model and warm the caches before the first user
        qa.ask("今年新开几所学效")  # …and what typo repair builds once (pinyin, the sound index: 0.4 s)
    except (CorpusError, IndexUnavailable, BuildLocked, ModelUnavailable, StoreError, ReaderError, WeightsError) as exc:
        print(f"app.py: error: {exc}", file=sys.stderr)
        return 1
    logging.getLogger("quoteqa").info("index ready in %.1f s", time.perf_counter() - start)
    try:
        feedback = FeedbackStore(args.feedback_db or default_path(), log_questions=args.log_questions)
    except (OSError, sqlite3.Error) as exc:
        print(f"app.py: error: cannot open the feedback file ({exc}); pass --feedback-db PATH", file=sys.stderr)
        return 1
    demo = build_ui(qa, feedback)
    placeholder.close()
    open_file_limit(raise_to_hard=True)  # connections are capped below it
    proxies = frozenset(a.strip() for a in args.trusted_proxy.split(",") if a.strip())
    connections = ConnectionLimits(exempt=proxies)  # every reader comes through the proxy
    launch(demo, host=args.host, port=args.port, limits=Limits(rate=args.rate_limit), connections=connections)
    return 0


if __name__ == "__main__":
    sys.exit(main())
