"""Writing an index's rows into Milvus during a build (``sync``) and retiring the rows it
replaced once the index folder is swapped in (``retire``); the layout is milvus.py's."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..ingest.corpus import date_span
from . import milvus
from .milvus import AVGDL_DRIFT, INSERT_BATCH, SHIFT, Timed, connect, disconnect, term_ids
from .retrievers import BM25_B, BM25_K1, EXACT_LIMIT, DocTerms, open_vectors
from .search import MILVUS_LITE, StoreError, day

log = logging.getLogger(__name__)


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
        return _sync(Timed(client, milvus.CALL_TIMEOUT), folder, uri, same, dim, reuse, exact_limit)
    except (MilvusException, grpc.RpcError) as exc:  # a deadline passed is a grpc error
        raise StoreError(
            f"the Milvus store {uri} failed or gave no answer within {milvus.CALL_TIMEOUT:g} s "
            f"while the build wrote it ({exc}); the index is unchanged: run the build again"
        ) from exc
    finally:
        disconnect(client, uri)


def _sync(
    client: Any, folder: Path, uri: str, previous: dict[str, Any] | None, dim: int, reuse: bool, exact_limit: int
) -> dict[str, Any]:
    spans = _spans(folder)
    s_terms, p_terms = DocTerms.load(folder / "bm25_sentences"), DocTerms.load(folder / "bm25_paragraphs")
    n = len(s_terms.lengths)
    avgdl = {"sentence": _mean_length(s_terms), "paragraph": _mean_length(p_terms)}
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
        names = _new_collections(client, dim)
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
        p_rows, s_rows = _rows(span, file_no, days, para_sizes, vectors, (p_terms, p_dims), (s_terms, s_dims), avgdl)
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


def _new_collections(client: Any, dim: int) -> dict[str, str]:
    """Two new collections (sentences, paragraphs) under a fresh name."""
    token = secrets.token_hex(4)
    names = {"sentences": f"quoteqa_{token}_sentences", "paragraphs": f"quoteqa_{token}_paragraphs"}
    for kind, name in names.items():
        schema, params = _schema(client, dim, kind == "sentences")
        client.create_collection(name, schema=schema, index_params=params, consistency_level="Strong")
    return names


def _mean_length(terms: DocTerms) -> float:
    return float(np.mean(terms.lengths)) if len(terms.lengths) else 1.0


def _rows(
    span: dict[str, Any],
    file_no: int,
    days: list[tuple[int, int]],
    para_sizes: np.ndarray,
    vectors: np.ndarray,
    paragraphs: tuple[DocTerms, np.ndarray],
    sentences: tuple[DocTerms, np.ndarray],
    avgdl: dict[str, float],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The paragraph rows and the sentence rows of one corpus file (its ``span`` in the index),
    keyed under ``file_no``."""
    a0, a1 = span["articles"]
    d_first, d_last = days[a0] if a1 > a0 else (0, 0)  # the articles of a file share its date
    p0, p1 = span["paragraphs"]
    s0, s1 = span["sentences"]
    base = file_no << SHIFT
    p_rows = [
        {"key": base + i, "file_no": file_no, "day_first": d_first, "day_last": d_last, "lex": lex}
        for i, lex in enumerate(doc_vectors(paragraphs[0], p0, p1, avgdl["paragraph"], paragraphs[1]))
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
        for i, lex in enumerate(doc_vectors(sentences[0], s0, s1, avgdl["sentence"], sentences[1]))
    ]
    return p_rows, s_rows


def retire(record: dict[str, Any]) -> None:
    """Delete the rows of the file numbers ``record`` retires and drop the collections it replaced
    (after the folder swap; a build that stops before this leaves them to the next build)."""
    if not record.get("retired") and not record.get("dropped"):
        return
    client = Timed(connect(record["uri"]), milvus.CALL_TIMEOUT)
    try:
        for name in record["collections"].values():
            if record.get("retired"):
                client.delete(name, filter=f"file_no in {list(record['retired'])}")
        for name in record.get("dropped", []):
            client.drop_collection(name)
    finally:
        disconnect(client.client, record["uri"])
