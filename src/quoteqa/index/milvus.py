"""The Milvus store: the rows of an index (sentence vectors, BM25 term weights, dates) in Milvus,
for an archive one machine cannot hold. ``milvus_sync.sync`` writes them during a build;
``MilvusStore`` searches them (see ``search.Store``).

Two collections per index: sentences (dense vector, sparse lexical vector, paragraph, dates)
and paragraphs (sparse lexical vector, dates). The lexical vector is our own BM25, so that the
scores match the local store's: a document holds, per term, ``tf / (tf + k1·(1 − b + b·len/avg))``
and a question, per token, its idf (a repeated token counts again); their inner product is the
BM25 score. Terms are identified by a 32-bit hash of their text (stable across builds).

Row keys are ``file_no << 32 | row in file``: a corpus file keeps its number while it is
unchanged, a changed file's rows are inserted under a new number and the old number's rows are
deleted after the index folder is swapped in (``retire``). A search drops hits of a number the
manifest does not list, so a build that stops half way leaves nothing a question can see.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from .retrievers import IVF_PROBES, LexicalIndex
from .search import EVERYTHING, MILVUS_LITE, Hits, Level, Scope, StoreError, day

log = logging.getLogger(__name__)

SHIFT = 32
LOW = (1 << SHIFT) - 1
INSERT_BATCH = 2_000
MAX_LIMIT = 16_384  # Milvus's largest top k
AVGDL_DRIFT = 0.05  # above this change of the mean document length every row is written again
EXPR_IDS = 20_000  # ids listed in one filter expression at most (a larger scope is filtered here)


# Seconds to open a store: a server that accepts the connection and never answers held a build
# (and its index lock) forever.
CONNECT_TIMEOUT = 30.0
# Seconds for one search or fetch: a store that stops answering must not hold a question (and a
# worker of the app) forever; the question gets a message instead.
QUERY_TIMEOUT = 10.0
# Seconds for one call of a build, or of opening a store (a batch of rows, an index, a load).
CALL_TIMEOUT = 300.0
_CLIENTS: dict[str, list[Any]] = {}  # uri -> [client, users]: pymilvus shares one connection per URI


def connect(uri: str) -> Any:
    """The client for ``milvus:path.db`` (Milvus Lite, in this process) or a server URL, shared by
    the users of that URI in this process; give it back with ``disconnect``."""
    if uri in _CLIENTS:
        _CLIENTS[uri][1] += 1
        return _CLIENTS[uri][0]
    try:
        from pymilvus import MilvusClient
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise StoreError(f"the Milvus store needs pymilvus and milvus-lite ({exc}); reinstall quoteqa") from exc
    target = uri[len(MILVUS_LITE) :] if uri.startswith(MILVUS_LITE) else uri
    if uri.startswith(MILVUS_LITE):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        _check_lite_file(Path(target), uri)
    try:
        client = MilvusClient(uri=target, timeout=CONNECT_TIMEOUT)
    except Exception as exc:  # pymilvus raises its own MilvusException, and OSError from Lite
        raise StoreError(
            f"cannot open the Milvus store {uri} within {CONNECT_TIMEOUT:g} s ({exc}); a Milvus Lite file is open "
            "in one process at a time (stop the app or build using it), and a server must be reachable and answer"
        ) from exc
    _CLIENTS[uri] = [client, 1]
    return client


class Timed:
    """A client whose every server call has a deadline of ``timeout`` seconds (pymilvus waits
    forever by default); building a schema or index parameters is local and passes unchanged."""

    CALLS = frozenset(
        {"create_collection", "create_index", "delete", "drop_collection", "drop_index", "flush", "has_collection",
         "insert", "load_collection", "release_collection"}
    )  # fmt: skip

    def __init__(self, client: Any, timeout: float) -> None:
        self.client, self.timeout = client, timeout

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)
        return functools.partial(method, timeout=self.timeout) if name in self.CALLS else method


def _check_lite_file(path: Path, uri: str) -> None:
    """Refuse an existing file that is not a Milvus Lite store: Lite would add its tables to any
    SQLite file (a reader's feedback file, say) and overwrite anything else."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as f:
        sqlite = f.read(16) == b"SQLite format 3\x00"
    tables: set[str] = set()
    if sqlite:
        import sqlite3

        try:
            with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
                tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.Error:
            tables = set()
    if "collection_meta" not in tables:
        raise StoreError(
            f"--store {uri}: {path} exists and is not a Milvus Lite store; name a new file or an existing store"
        )


def disconnect(client: Any, uri: str) -> None:
    """Give back a client; the last user closes it, and for Milvus Lite stops the engine, which
    frees the file for other processes (a build, then the app)."""
    entry = _CLIENTS.get(uri)
    if entry is None or entry[0] is not client:
        return
    entry[1] -= 1
    if entry[1] > 0:
        return
    del _CLIENTS[uri]
    client.close()
    if uri.startswith(MILVUS_LITE):
        from milvus_lite.server_manager import server_manager_instance

        server_manager_instance.release_server(uri[len(MILVUS_LITE) :])


def term_ids(words: list[str]) -> np.ndarray:
    """Stable sparse dimensions for terms: CRC-32 of the text (Milvus allows dimensions < 2**32 − 1)."""
    return np.fromiter((zlib.crc32(w.encode("utf-8")) % LOW for w in words), dtype=np.int64, count=len(words))


def query_vector(lex: LexicalIndex, tokens: list[str]) -> dict[int, float]:
    """The question side of BM25: idf per token, a repeated token counting again."""
    out: dict[int, float] = {}
    for t in tokens:
        if t in lex:
            key = zlib.crc32(t.encode("utf-8")) % LOW
            out[key] = out.get(key, 0.0) + lex.idf(t)
    return out


class MilvusStore:
    """Search over the rows ``sync`` wrote (see ``search.Store``)."""

    kind = "milvus"

    def __init__(
        self,
        record: dict[str, Any],
        spans: list[dict[str, Any]],
        lex_sentences: LexicalIndex,
        lex_paragraphs: LexicalIndex,
        para_first: np.ndarray,
        sent_para: np.ndarray,
    ) -> None:
        self.uri = str(record["uri"])
        self.names = record["collections"]
        self.dim = int(record["dim"])
        self.lex = {"sentence": lex_sentences, "paragraph": lex_paragraphs}
        self.sent_para, self.para_first = sent_para, para_first
        self.n = len(sent_para)
        self.search_params: dict[str, Any] = {"metric_type": "IP"}
        if str(record.get("dense_index", "")).startswith("IVF"):
            self.search_params["params"] = {"nprobe": IVF_PROBES}
        # Live files, by number: where their sentences and paragraphs start in this index.
        numbers = [int(record["files"][s["rel"]][0]) for s in spans]
        order = np.argsort(numbers)
        self.file_nos = np.asarray(numbers, dtype=np.int64)[order]
        self.s_start = np.asarray([s["sentences"][0] for s in spans], dtype=np.int64)[order]
        self.p_start = np.asarray([s["paragraphs"][0] for s in spans], dtype=np.int64)[order]
        self.s_count = np.asarray([s["sentences"][1] - s["sentences"][0] for s in spans], dtype=np.int64)[order]
        self.p_count = np.asarray([s["paragraphs"][1] - s["paragraphs"][0] for s in spans], dtype=np.int64)[order]
        # Position order (for id → key).
        pos = np.argsort(self.s_start, kind="stable")
        self._by_s = (self.s_start[pos], self.file_nos[pos])
        pos_p = np.argsort(self.p_start, kind="stable")
        self._by_p = (self.p_start[pos_p], self.file_nos[pos_p])
        self.client = connect(self.uri)
        self.pool: ThreadPoolExecutor | None = ThreadPoolExecutor(max_workers=3, thread_name_prefix="milvus")
        for name in self.names.values():
            if not self._query("answer", self.client.has_collection, name, timeout=CALL_TIMEOUT):
                raise StoreError(f"the Milvus store {self.uri} has no collection {name}; rebuild the index")
            self._query("answer", self.client.load_collection, name, timeout=CALL_TIMEOUT)

    def __len__(self) -> int:
        return self.n

    def keys(self, ids: np.ndarray, level: Level) -> np.ndarray:
        starts, numbers = self._by_s if level == "sentence" else self._by_p
        ids = np.asarray(ids, dtype=np.int64)
        f = np.searchsorted(starts, ids, side="right") - 1
        return (numbers[f] << SHIFT) | (ids - starts[f])

    def ids(self, keys: np.ndarray, level: Level) -> tuple[np.ndarray, np.ndarray]:
        """Global ids of ``keys`` and which keys belong to a live file (the others are dropped)."""
        keys = np.asarray(keys, dtype=np.int64)
        numbers, low = keys >> SHIFT, keys & LOW
        f = np.clip(np.searchsorted(self.file_nos, numbers), 0, max(len(self.file_nos) - 1, 0))
        start, count = (self.s_start, self.s_count) if level == "sentence" else (self.p_start, self.p_count)
        live = (self.file_nos[f] == numbers) & (low < count[f]) if len(self.file_nos) else np.zeros(len(keys), bool)
        return (start[f] + low)[live], live

    def _filter(self, scope: Scope, level: Level) -> str:
        parts = []
        if scope.dated:
            parts.append("day_first > 0")
            if scope.first:
                parts.append(f"day_last >= {day(scope.first)}")
            if scope.last:
                parts.append(f"day_first <= {day(scope.last)}")
        if scope.exclude:
            gone = self.keys(np.fromiter(sorted(scope.exclude), dtype=np.int64), "paragraph")
            field = "para" if level == "sentence" else "key"
            parts.append(f"{field} not in {gone[:EXPR_IDS].tolist()}")
        return " and ".join(parts)

    def _search(self, level: Level, data: Any, field: str, k: int, expr: str) -> Hits:
        name = self.names["sentences" if level == "sentence" else "paragraphs"]
        params = self.search_params if field == "vec" else {"metric_type": "IP"}
        res = self._query("search result", self.client.search, name, [data], anns_field=field, limit=min(k, MAX_LIMIT),
                          filter=expr, search_params=params, output_fields=[])  # fmt: skip
        hits = res[0] if res else []
        keys = np.fromiter((h["id"] for h in hits), dtype=np.int64, count=len(hits))
        scores = np.fromiter((h["distance"] for h in hits), dtype=np.float32, count=len(hits))
        ids, live = self.ids(keys, level)
        return Hits(ids, scores[live])

    def dense(self, query: np.ndarray, k: int, scope: Scope = EVERYTHING) -> Hits:
        hits = self._search(
            "sentence", np.asarray(query, dtype=np.float32).tolist(), "vec", k, self._filter(scope, "sentence")
        )
        return self._drop(hits, scope, "sentence")

    def lexical(self, tokens: list[str], k: int, level: Level, scope: Scope = EVERYTHING) -> Hits:
        q = query_vector(self.lex[level], tokens)
        if not q:
            return Hits.empty()
        return self._drop(self._search(level, q, "lex", k, self._filter(scope, level)), scope, level)

    def _drop(self, hits: Hits, scope: Scope, level: Level) -> Hits:
        """Hits of excluded paragraphs past what one filter expression lists (a very large scope)."""
        if len(scope.exclude) <= EXPR_IDS:
            return hits
        pids = hits.ids if level == "paragraph" else self.sent_para[hits.ids]
        keep = np.fromiter((int(p) not in scope.exclude for p in pids.tolist()), dtype=bool, count=len(pids))
        return Hits(hits.ids[keep], hits.scores[keep])

    def lexical_scores(self, tokens: list[str], ids: np.ndarray, level: Level) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64)
        out = np.zeros(len(ids), dtype=np.float32)
        q = query_vector(self.lex[level], tokens)
        if not q or not len(ids):
            return out
        keys = self.keys(ids, level)
        hits = self._search(level, q, "lex", len(ids), f"key in {keys.tolist()}")
        where = {int(i): s for i, s in zip(hits.ids.tolist(), hits.scores.tolist(), strict=True)}
        return np.fromiter((where.get(int(i), 0.0) for i in ids.tolist()), dtype=np.float32, count=len(ids))

    def cosines(self, query: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """An exact search of the dense field restricted to ``ids`` (fetching their vectors costs
        more); over an inverted file, whose scores are approximate, the vectors are fetched."""
        ids = np.asarray(ids, dtype=np.int64)
        if not len(ids):
            return np.zeros(0, dtype=np.float32)
        if "params" in self.search_params:
            return self.vectors(ids) @ np.asarray(query, dtype=np.float32)
        keys = self.keys(ids, "sentence")
        query_list = np.asarray(query, dtype=np.float32).tolist()
        hits = self._search("sentence", query_list, "vec", len(ids), f"key in {keys.tolist()}")
        if len(hits.ids) != len(ids):
            raise StoreError(f"the Milvus store {self.uri} lacks sentence vectors of this index; rebuild it")
        where = dict(zip(hits.ids.tolist(), hits.scores.tolist(), strict=True))
        return np.fromiter((where[int(i)] for i in ids.tolist()), dtype=np.float32, count=len(ids))

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64)
        if not len(ids):
            return np.zeros((0, self.dim), dtype=np.float32)
        keys = self.keys(ids, "sentence").tolist()
        out: dict[int, Any] = {}
        for lo in range(0, len(keys), MAX_LIMIT):
            some = keys[lo : lo + MAX_LIMIT]
            for row in self._query(
                "vectors", self.client.get, self.names["sentences"], ids=some, output_fields=["vec"]
            ):
                out[int(row["key"])] = row["vec"]
        if len(out) != len(set(keys)):
            raise StoreError(f"the Milvus store {self.uri} lacks sentence vectors of this index; rebuild it")
        return np.asarray([out[k] for k in keys], dtype=np.float32)

    def _query(self, what: str, call: Callable[..., Any], *args: Any, timeout: float = 0, **kwargs: Any) -> Any:
        """``call`` with a deadline (QUERY_TIMEOUT unless given); a failure or no answer in time
        is a StoreError."""
        import grpc
        from pymilvus.exceptions import MilvusException

        timeout = timeout or QUERY_TIMEOUT
        try:
            return call(*args, timeout=timeout, **kwargs)
        except (MilvusException, grpc.RpcError) as exc:  # a deadline passed is a grpc error
            raise StoreError(
                f"the Milvus store {self.uri} gave no {what} within {timeout:g} s ({exc}); "
                "check that the server is up, then ask again"
            ) from exc

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None
        if self.client is not None:
            disconnect(self.client, self.uri)
            self.client = None
