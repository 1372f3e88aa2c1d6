"""The two retrievers: dense (FAISS, inner product on normalised vectors) and lexical (BM25).

Both are plain files. A loaded index keeps the large arrays on disk and reads the rows a question
needs with ``os.pread`` (DiskArray), so a large archive costs disk and OS page cache, not the
server's own memory: the dense side is ``vectors.bin`` (float32 rows, read that way) plus, above
EXACT_LIMIT rows, an approximate FAISS inverted file (held in memory); the lexical side is a
term-major (CSC) matrix of precomputed BM25 weights (postings read that way, term pointers and
vocabulary in memory). A build reads the vectors and the per-document term counts through memory
maps instead (``open_vectors``, ``DocTerms.load``).
"""

from __future__ import annotations

import array
import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..ingest.text import tokens

# Below this many vectors an exact search is fast enough and has perfect recall; above it FAISS
# searches an inverted file (k-means lists, 8-bit codes) and the candidates are re-ranked with the
# exact vectors. Questions lie far from the sentences they match (they are not sentences), which
# an HNSW graph over a million sentences handled badly: recall@10 0.46 at efSearch 128, 0.93 at
# 4096 (15 ms); the inverted file reaches 0.95 at 160 of 2048 lists in about 14 ms.
EXACT_LIMIT = 200_000
IVF_PROBES = 160
RERANK = 256  # ANN candidates re-scored exactly before the top k is returned
TRAIN_PER_LIST = 40  # k-means training vectors per list
ADD_CHUNK = 50_000
BM25_K1 = 1.2
BM25_B = 0.75


class DiskArray:
    """A float32/int32 array in a file, read with ``os.pread`` on each access: what a question
    reads sits in the OS page cache (shared, reclaimable), not in the server process, so a server
    on a large archive does not grow with every posting list and vector it has ever touched."""

    def __init__(self, path: Path, dtype: np.dtype[Any] | type, shape: tuple[int, ...], offset: int = 0) -> None:
        self.path, self.dtype, self.shape, self.offset = path, np.dtype(dtype), shape, offset
        self.row_bytes = self.dtype.itemsize * int(np.prod(shape[1:], dtype=np.int64))
        expected = offset + shape[0] * self.row_bytes
        if path.stat().st_size != expected:
            raise ValueError(f"{path} holds {path.stat().st_size} bytes, expected {expected}")
        self.fd = os.open(path, os.O_RDONLY)

    @classmethod
    def npy(cls, path: Path) -> DiskArray:
        """A .npy file (as written by ``np.save``)."""
        mapped = np.load(path, mmap_mode="r")  # reads the header only; no data page is touched
        shape, dtype, offset = mapped.shape, mapped.dtype, int(mapped.offset)
        del mapped
        return cls(path, dtype, shape, offset)

    def __del__(self) -> None:
        fd = getattr(self, "fd", None)
        if fd is not None:
            os.close(fd)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, rows: slice) -> np.ndarray:
        lo, hi, _ = rows.indices(self.shape[0])
        hi = max(lo, hi)
        data = os.pread(self.fd, (hi - lo) * self.row_bytes, self.offset + lo * self.row_bytes)
        return np.frombuffer(data, dtype=self.dtype).reshape((hi - lo, *self.shape[1:]))

    def take(self, ids: np.ndarray) -> np.ndarray:
        """Rows at ``ids`` (any order, repeats allowed)."""
        out = np.empty((len(ids), *self.shape[1:]), dtype=self.dtype)
        for i, row in enumerate(np.asarray(ids, dtype=np.int64).tolist()):
            out[i] = self[row : row + 1][0]
        return out


def open_vectors(path: Path, rows: int, dim: int) -> np.ndarray:
    """The float32 rows of ``vectors.bin``, memory-mapped read-only."""
    if rows == 0:
        return np.zeros((0, dim), dtype=np.float32)
    expected = rows * dim * 4
    if path.stat().st_size != expected:
        raise ValueError(f"{path} holds {path.stat().st_size} bytes, expected {expected} ({rows} × {dim} float32)")
    return np.memmap(path, dtype=np.float32, mode="r", shape=(rows, dim))


class DenseIndex:
    """Exact (FAISS flat) or approximate (FAISS inverted file + exact re-rank) inner-product search."""

    def __init__(self, vectors: np.ndarray | DiskArray, ann: Any | None = None) -> None:
        import faiss

        self._vectors = vectors
        self.ann = ann
        self.flat: Any | None = None
        if ann is None:
            self.flat = faiss.IndexFlatIP(vectors.shape[1])
            for lo in range(0, len(vectors), ADD_CHUNK):
                self.flat.add(np.ascontiguousarray(vectors[lo : lo + ADD_CHUNK], dtype=np.float32))

    @property
    def kind(self) -> str:
        return "exact" if self.ann is None else "ivf"

    @staticmethod
    def build_ann(vectors: np.ndarray, *, exact_limit: int = EXACT_LIMIT) -> Any | None:
        """The approximate index for ``vectors`` (None when an exact search is the right choice)."""
        import faiss

        n, dim = vectors.shape
        if n <= exact_limit:
            return None
        lists = int(2 ** round(np.log2(2 * np.sqrt(n))))  # about 2·√n: 2,048 at a million
        ann: Any = faiss.index_factory(dim, f"IVF{lists},SQ8")  # L2, which ranks unit vectors as cosine
        sample = np.sort(np.random.default_rng(0).choice(n, min(n, TRAIN_PER_LIST * lists), replace=False))
        ann.train(np.ascontiguousarray(vectors[sample]))
        for lo in range(0, n, ADD_CHUNK):
            ann.add(np.ascontiguousarray(vectors[lo : lo + ADD_CHUNK], dtype=np.float32))
        ann.nprobe = IVF_PROBES
        return ann

    def __len__(self) -> int:
        return len(self._vectors)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) for one normalised query vector; scores are exact cosines. ``allowed``:
        packed bits (``allow``), one per vector, of the vectors that may be returned (FAISS skips
        the others while it searches)."""
        import faiss as faiss_module

        faiss: Any = faiss_module  # its type stubs lack the search parameters' selector
        k = max(1, min(k, len(self)))
        q = query.reshape(1, -1).astype(np.float32)
        sel = None if allowed is None else faiss.IDSelectorBitmap(len(self), faiss.swig_ptr(allowed))
        if self.flat is not None:
            params = None if sel is None else faiss.SearchParameters(sel=sel)
            scores, ids = self.flat.search(q, k, params=params)
            keep = ids[0] >= 0
            return scores[0][keep], ids[0][keep]
        if self.ann is None:
            raise RuntimeError("a dense index has either exact vectors or an inverted file; this one has neither")
        ivf = None if sel is None else faiss.SearchParametersIVF(sel=sel, nprobe=IVF_PROBES)
        _, ids = self.ann.search(q, max(k, RERANK), params=ivf)
        found = ids[0][ids[0] >= 0]
        exact = self.vectors(found) @ q[0]
        order = np.argsort(-exact)[:k]
        return exact[order], found[order]

    @staticmethod
    def allow(mask: np.ndarray) -> np.ndarray:
        """The packed bits ``search`` takes for a boolean mask over the vectors."""
        return np.packbits(np.asarray(mask, dtype=bool), bitorder="little")

    def recall(self, query: np.ndarray, k: int) -> float:
        """Share of the true top k (brute force over every vector) that ``search`` returns; a result
        tied with the k-th true score counts as found (archives repeat sentences)."""
        k = max(1, min(k, len(self)))
        exact = np.empty(len(self), dtype=np.float32)
        for lo in range(0, len(self), ADD_CHUNK):
            exact[lo : lo + ADD_CHUNK] = self._vectors[lo : lo + ADD_CHUNK] @ query
        kth = float(np.partition(-exact, k - 1)[k - 1]) * -1
        _, got = self.search(query, k)
        return float(np.sum(exact[got] >= kth - 1e-5)) / k

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64)
        order = np.argsort(ids)  # reads in file order are kinder to the disk and the page cache
        out = np.empty((len(ids), self._vectors.shape[1]), dtype=np.float32)
        if isinstance(self._vectors, DiskArray):
            out[order] = self._vectors.take(ids[order])
        else:
            out[order] = self._vectors[ids[order]]
        return out

    @classmethod
    def load(cls, vectors: np.ndarray | DiskArray, ann_path: Path | None) -> DenseIndex:
        import faiss

        ann: Any = None
        if ann_path is not None:
            ann = faiss.read_index(str(ann_path))
            ann.nprobe = IVF_PROBES
            if ann.ntotal != len(vectors):
                raise ValueError(f"{ann_path} holds {ann.ntotal} vectors, the index {len(vectors)}")
        return cls(vectors, ann)


@dataclass
class DocTerms:
    """Per-document term counts (document-major), kept on disk so that a later build can take
    the documents of unchanged files without tokenising them again."""

    vocab: list[str]
    ptr: np.ndarray  # int64, documents + 1: document d owns terms[ptr[d]:ptr[d + 1]]
    terms: np.ndarray  # int32 term ids
    tfs: np.ndarray  # float32 term frequencies
    lengths: np.ndarray  # float32 tokens per document

    FILES = ("rows_ptr.npy", "rows_terms.npy", "rows_tfs.npy", "rows_len.npy")

    def save(self, folder: Path) -> None:
        for name, arr in zip(self.FILES, (self.ptr, self.terms, self.tfs, self.lengths), strict=True):
            np.save(folder / name, arr)

    @classmethod
    def load(cls, folder: Path) -> DocTerms:
        meta = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        ptr, terms, tfs, lengths = (np.load(folder / name, mmap_mode="r") for name in cls.FILES)
        return cls(meta["tokens"], ptr, terms, tfs, lengths)


class Bm25Builder:
    """Collects documents one at a time (compact integer arrays, no per-token objects) and turns
    them into a LexicalIndex: the streaming half of a build.

    ``previous``: the DocTerms of an earlier build, whose documents ``add_previous`` copies.
    """

    def __init__(self, previous: DocTerms | None = None) -> None:
        self.previous = previous
        words = previous.vocab if previous is not None else []
        self.vocab: dict[str, int] = {t: i for i, t in enumerate(words)}
        self._terms = array.array("i")
        self._tfs = array.array("f")
        self._unique = array.array("i")  # distinct terms per document
        self._lengths = array.array("f")  # tokens per document

    def add(self, doc_tokens: Iterable[str]) -> None:
        counts = Counter(doc_tokens)
        vocab = self.vocab
        self._terms.extend([vocab.setdefault(t, len(vocab)) for t in counts])
        self._tfs.extend(counts.values())
        self._unique.append(len(counts))
        self._lengths.append(sum(counts.values()))

    def add_text(self, text: str) -> None:
        self.add(tokens(text))

    def add_previous(self, first: int, count: int) -> None:
        """Documents ``first .. first + count - 1`` of the previous build, as they were."""
        prev = self.previous
        if prev is None:
            raise RuntimeError("add_previous needs the previous build's statistics (Bm25Builder(previous=…))")
        lo, hi = int(prev.ptr[first]), int(prev.ptr[first + count])
        self._terms.frombytes(np.ascontiguousarray(prev.terms[lo:hi], dtype=np.int32).tobytes())
        self._tfs.frombytes(np.ascontiguousarray(prev.tfs[lo:hi], dtype=np.float32).tobytes())
        self._unique.frombytes(np.diff(prev.ptr[first : first + count + 1]).astype(np.int32).tobytes())
        self._lengths.frombytes(np.ascontiguousarray(prev.lengths[first : first + count], dtype=np.float32).tobytes())

    def finish(self, k1: float = BM25_K1, b: float = BM25_B) -> tuple[LexicalIndex, DocTerms]:
        """BM25 (Lucene idf) weights, stored term-major, exactly the scores bm25s computes; terms no
        document uses any more are dropped from the vocabulary."""
        n = len(self._unique)
        terms = np.frombuffer(self._terms, dtype=np.int32)
        tfs = np.frombuffer(self._tfs, dtype=np.float32)
        lengths = np.frombuffer(self._lengths, dtype=np.float32)
        unique = np.frombuffer(self._unique, dtype=np.int32)
        df = np.bincount(terms, minlength=len(self.vocab))
        # The vocabulary, sorted, holds the terms some document uses: the files do not depend on
        # the order documents came in, so an incremental build writes what a full one writes.
        used = [(t, i) for t, i in self.vocab.items() if df[i] > 0]
        used.sort()
        words = [t for t, _ in used]
        remap = np.full(len(self.vocab), -1, dtype=np.int32)
        remap[np.fromiter((i for _, i in used), dtype=np.int64, count=len(used))] = np.arange(len(used), dtype=np.int32)
        terms = remap[terms]
        df = np.bincount(terms, minlength=len(words)).astype(np.int64)
        docs = np.repeat(np.arange(n, dtype=np.int32), unique)
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        avg = float(lengths.mean()) if n else 1.0
        weights = idf[terms] * tfs / (k1 * ((1 - b) + b * lengths[docs] / max(avg, 1e-9)) + tfs)
        del docs
        order = np.argsort(terms, kind="stable")
        indptr = np.zeros(len(words) + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        col_docs = np.repeat(np.arange(n, dtype=np.int32), unique)[order]
        lex = LexicalIndex({t: i for i, t in enumerate(words)}, indptr, col_docs, weights[order].astype(np.float32), n)
        ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(unique, out=ptr[1:])
        return lex, DocTerms(words, ptr, terms, tfs.copy(), lengths.copy())


class LexicalIndex:
    """BM25 over CJK unigram+bigram tokens of NFKC/simplified text (see text.tokens)."""

    def __init__(
        self,
        vocab: dict[str, int],
        indptr: np.ndarray,
        docs: np.ndarray | DiskArray,
        weights: np.ndarray | DiskArray,
        n_docs: int,
    ) -> None:
        self.vocab = vocab
        self.indptr = indptr
        self.docs = docs
        self.weights = weights
        self.n_docs = n_docs

    @classmethod
    def build(cls, texts: Iterable[str]) -> LexicalIndex:
        builder = Bm25Builder()
        for t in texts:
            builder.add_text(t)
        return builder.finish()[0]

    def __contains__(self, token: str) -> bool:
        return token in self.vocab

    def df(self, token: str) -> int:
        i = self.vocab.get(token)
        return 0 if i is None else int(self.indptr[i + 1] - self.indptr[i])

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every document for the query tokens (a repeated token counts again)."""
        if not len(self.docs) and int(self.indptr[-1]):
            raise RuntimeError("this BM25 index was loaded without its postings (they are searched in Milvus)")
        out = np.zeros(self.n_docs, dtype=np.float32)
        for t in query_tokens:
            i = self.vocab.get(t)
            if i is not None:
                lo, hi = int(self.indptr[i]), int(self.indptr[i + 1])
                out[self.docs[lo:hi]] += self.weights[lo:hi]
        return out

    def idf(self, token: str) -> float:
        """Smoothed inverse document frequency; a token the corpus never uses gets the maximum."""
        df = self.df(token)
        return float(np.log((self.n_docs - df + 0.5) / (df + 0.5) + 1.0))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        words = sorted(self.vocab, key=self.vocab.__getitem__)
        (folder / "vocab.json").write_text(
            json.dumps({"n_docs": self.n_docs, "tokens": words}, ensure_ascii=False), encoding="utf-8"
        )
        np.save(folder / "indptr.npy", self.indptr)
        for name, arr in (("docs.npy", self.docs), ("weights.npy", self.weights)):
            np.save(folder / name, arr[:] if isinstance(arr, DiskArray) else arr)

    @classmethod
    def load(cls, folder: Path, *, postings: bool = True) -> LexicalIndex:
        """The index in ``folder``; without ``postings`` only the vocabulary and document
        frequencies (what a server needs when the postings are searched elsewhere, in Milvus)."""
        meta = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        vocab = {t: i for i, t in enumerate(meta["tokens"])}
        indptr = np.load(folder / "indptr.npy")
        if len(indptr) != len(vocab) + 1:
            raise ValueError(f"the BM25 files in {folder} do not match each other")
        if not postings:
            return cls(vocab, indptr, np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32), int(meta["n_docs"]))
        docs = DiskArray.npy(folder / "docs.npy")
        weights = DiskArray.npy(folder / "weights.npy")
        if len(docs) != len(weights) or int(indptr[-1]) != len(docs):
            raise ValueError(f"the BM25 files in {folder} do not match each other")
        return cls(vocab, indptr, docs, weights, int(meta["n_docs"]))
