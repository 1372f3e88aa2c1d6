"""The Milvus store: the rows of an index (sentence vectors, BM25 term weights, dates) in Milvus,
for an archive one machine cannot hold. ``sync`` writes them during a build; ``MilvusStore``
searches them (see ``search.Store``).

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
import json
import logging
import secrets
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from .ingest import date_span
from .retrievers import BM25_B, BM25_K1, EXACT_LIMIT, IVF_PROBES, DocTerms, LexicalIndex, open_vectors
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


def doc_vectors(terms: DocTerms, first: int, last: int, avgdl: float, dims: np.ndarray) -> Iterator[dict[int, float]]:
    """The document side of BM25 for documents first .. last − 1."""
    norm = BM25_K1 * ((1 - BM25_B) + BM25_B * np.asarray(terms.lengths[first:last]) / max(avgdl, 1e-9))
    for d in range(first, last):
        lo, hi = int(terms.ptr[d]), int(terms.ptr[d + 1])
        tf = np.asarray(terms.tfs[lo:hi], dtype=np.float64)
        w = tf / (tf + norm[d - first])
        yield dict(zip(dims[np.asarray(terms.terms[lo:hi])].tolist(), w.tolist(), strict=True))


def dense_index(n: int, uri: str, exact_limit: int = EXACT_LIMIT) -> tuple[str, dict[str, Any]]:
    """Exact search up to ``exact_limit`` sentences, as the local store; above, an inverted file
    with about 2·√n lists, of 8-bit codes in a server (Milvus Lite has no IVF_SQ8: IVF_FLAT)."""
    if n <= exact_limit:
        return "FLAT", {}
    lists = int(2 ** round(np.log2(2 * np.sqrt(n))))
    return ("IVF_FLAT" if uri.startswith(MILVUS_LITE) else "IVF_SQ8"), {"nlist": lists}


def _schema(client: Any, dim: int, sentences: bool) -> tuple[Any, Any]:
    from pymilvus import DataType

    schema = client.create_schema(auto_id=False)
    schema.add_field("key", DataType.INT64, is_primary=True)
    schema.add_field("file_no", DataType.INT64)
    schema.add_field("day_first", DataType.INT32)
    schema.add_field("day_last", DataType.INT32)
    params = client.prepare_index_params()
    params.add_index("lex", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    if sentences:
        schema.add_field("para", DataType.INT64)
        schema.add_field("vec", DataType.FLOAT_VECTOR, dim=dim)
    schema.add_field("lex", DataType.SPARSE_FLOAT_VECTOR)
    return schema, params


def _add_dense_index(client: Any, name: str, kind: str, params: dict[str, Any]) -> None:
    index = client.prepare_index_params()
    index.add_index("vec", index_type=kind, metric_type="IP", params=params)
    client.create_index(name, index)


def _spans(folder: Path) -> list[dict[str, Any]]:
    with (folder / "files.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _layout(folder: Path) -> tuple[list[tuple[int, int]], np.ndarray]:
    """Per article its first and last day (YYYYMMDD, 0 undated); per paragraph its sentence count."""
    days, sizes = [], []
    with (folder / "articles.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                article = json.loads(line)
                date = article.get("date", "")
                first, last = date_span(date) if date else ("", "")
                days.append((day(first), day(last)))
                sizes += [len(sentences) for sentences in article["paragraphs"]]
    return days, np.asarray(sizes, dtype=np.int64)


def sync(
    folder: Path,
    uri: str,
    previous: dict[str, Any] | None,
    dim: int,
    reuse: bool = True,
    exact_limit: int = EXACT_LIMIT,
) -> dict[str, Any]:
    """Write the rows of the index being built in ``folder`` into the Milvus store at ``uri``:
    files unchanged since ``previous`` (the old manifest's store record) keep their rows; the
    others are inserted under new file numbers. Returns the manifest's new store record; the
    numbers it retires are deleted by ``retire`` once the folder is swapped in. ``reuse=False``
    writes every row again, into new collections."""
    import grpc
    from pymilvus.exceptions import MilvusException

    client = connect(uri)
    try:
        same = previous if previous and previous.get("uri") == uri else None
        return _sync(Timed(client, CALL_TIMEOUT), folder, uri, same, dim, reuse, exact_limit)
    except (MilvusException, grpc.RpcError) as exc:  # a deadline passed is a grpc error
        raise StoreError(
            f"the Milvus store {uri} failed or gave no answer within {CALL_TIMEOUT:g} s while the build wrote it "
            f"({exc}); the index is unchanged: run the build again"
        ) from exc
    finally:
        disconnect(client, uri)


def _sync(
    client: Any, folder: Path, uri: str, previous: dict[str, Any] | None, dim: int, reuse: bool, exact_limit: int
) -> dict[str, Any]:
    spans = _spans(folder)
    s_terms, p_terms = DocTerms.load(folder / "bm25_sentences"), DocTerms.load(folder / "bm25_paragraphs")
    n = len(s_terms.lengths)
    avgdl = {
        "sentence": float(np.mean(s_terms.lengths)) if n else 1.0,
        "paragraph": float(np.mean(p_terms.lengths)) if len(p_terms.lengths) else 1.0,
    }
    names = previous["collections"] if previous else {}
    dropped = sorted(set(previous.get("dropped", [])) | set(names.values())) if previous else []
    if previous and (
        not reuse
        or previous.get("dim") != dim
        or any(abs(avgdl[k] / max(previous["avgdl"][k], 1e-9) - 1) > AVGDL_DRIFT for k in avgdl)
        or not all(client.has_collection(c) for c in names.values())
    ):
        previous = None  # another model, a corpus whose lengths moved, or collections gone: all rows again
    if previous is None:
        dropped = [c for c in dropped if client.has_collection(c)]  # the old ones go after the swap
        token = secrets.token_hex(4)
        names = {"sentences": f"quoteqa_{token}_sentences", "paragraphs": f"quoteqa_{token}_paragraphs"}
        for kind, name in names.items():
            schema, params = _schema(client, dim, kind == "sentences")
            client.create_collection(name, schema=schema, index_params=params, consistency_level="Strong")
        kept_files: dict[str, list[Any]] = {}
        next_file = 1
        dense_kind = ""
    else:
        avgdl = previous["avgdl"]  # rows already written keep their lengths' mean; so do new ones
        kept_files = previous["files"]
        next_file = int(previous["next_file"])
        dense_kind = previous.get("dense_index", "")
        dropped = [c for c in previous.get("dropped", []) if client.has_collection(c)]
        for name in dropped:  # left by a build that stopped after its swap
            client.drop_collection(name)
        dropped = []
        for name in names.values():  # rows of a build that stopped before its swap, or left to retire
            client.delete(name, filter=f"file_no >= {next_file}")
            if previous.get("retired"):
                client.delete(name, filter=f"file_no in {list(previous['retired'])}")
    files: dict[str, list[Any]] = {}
    vectors = open_vectors(folder / "vectors.bin", n, dim)
    s_dims, p_dims = term_ids(s_terms.vocab), term_ids(p_terms.vocab)
    days, para_sizes = _layout(folder)
    inserted = 0
    for span in spans:
        rel, digest = span["rel"], span["digest"]
        old = kept_files.get(rel)
        if old is not None and old[1] == digest:
            files[rel] = old
            continue
        file_no = next_file
        next_file += 1
        files[rel] = [file_no, digest]
        a0, a1 = span["articles"]
        d_first, d_last = days[a0] if a1 > a0 else (0, 0)  # the articles of a file share its date
        p0, p1 = span["paragraphs"]
        s0, s1 = span["sentences"]
        base = file_no << SHIFT
        p_rows = [
            {"key": base + i, "file_no": file_no, "day_first": d_first, "day_last": d_last, "lex": lex}
            for i, lex in enumerate(doc_vectors(p_terms, p0, p1, avgdl["paragraph"], p_dims))
        ]
        para_of = np.repeat(np.arange(p1 - p0), para_sizes[p0:p1])
        block = np.asarray(vectors[s0:s1], dtype=np.float32)
        s_rows = [
            {
                "key": base + i,
                "file_no": file_no,
                "para": base + int(para_of[i]),
                "day_first": d_first,
                "day_last": d_last,
                "vec": block[i].tolist(),
                "lex": lex,
            }
            for i, lex in enumerate(doc_vectors(s_terms, s0, s1, avgdl["sentence"], s_dims))
        ]
        for name, rows in ((names["paragraphs"], p_rows), (names["sentences"], s_rows)):
            for lo in range(0, len(rows), INSERT_BATCH):
                client.insert(name, rows[lo : lo + INSERT_BATCH])
        inserted += len(s_rows)
    wanted, params = dense_index(n, uri, exact_limit)
    if wanted != dense_kind:
        client.release_collection(names["sentences"])
        if dense_kind:
            client.drop_index(names["sentences"], "vec")
        _add_dense_index(client, names["sentences"], wanted, params)
    for name in names.values():
        client.flush(name)
        client.load_collection(name)
    retired = sorted({int(v[0]) for r, v in kept_files.items() if files.get(r) != v})
    log.info("Milvus store %s: %d sentences written, %d file numbers to retire", uri, inserted, len(retired))
    return {
        "uri": uri,
        "collections": names,
        "dim": dim,
        "dense_index": wanted,
        "avgdl": avgdl,
        "files": files,
        "next_file": next_file,
        "retired": retired,
        "dropped": dropped,
        "written": inserted,
    }


def retire(record: dict[str, Any]) -> None:
    """Delete the rows of the file numbers ``record`` retires and drop the collections it replaced
    (after the folder swap; a build that stops before this leaves them to the next build)."""
    if not record.get("retired") and not record.get("dropped"):
        return
    client = Timed(connect(record["uri"]), CALL_TIMEOUT)
    try:
        for name in record["collections"].values():
            if record.get("retired"):
                client.delete(name, filter=f"file_no in {list(record['retired'])}")
        for name in record.get("dropped", []):
            client.drop_collection(name)
    finally:
        disconnect(client.client, record["uri"])


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
