"""The two retrievers: dense (FAISS, inner product on normalised vectors) and lexical (BM25)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from .text import tokens

# Below this many vectors an exact search is fast enough and has perfect recall.
EXACT_LIMIT = 200_000


def bm25s_module() -> Any:
    """Import bm25s, which sets its own logger to DEBUG on import, and quiet it again."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


class DenseIndex:
    """FAISS index over L2-normalised embeddings; inner product equals cosine similarity."""

    def __init__(self, index: Any) -> None:
        self.index = index

    @classmethod
    def build(cls, vectors: np.ndarray) -> DenseIndex:
        import faiss

        dim = vectors.shape[1]
        index: Any
        if len(vectors) <= EXACT_LIMIT:
            index = faiss.IndexFlatIP(dim)
        else:
            index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efSearch = 128
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) for one normalised query vector."""
        k = max(1, min(k, len(self)))
        scores, ids = self.index.search(query.reshape(1, -1).astype(np.float32), k)
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep]

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        return np.asarray(self.index.reconstruct_batch(np.asarray(ids, dtype=np.int64)))

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        import faiss

        return cls(faiss.read_index(str(path)))


class LexicalIndex:
    """BM25 (bm25s) over CJK unigram+bigram tokens of NFKC/simplified text."""

    def __init__(self, retriever: object, df: dict[str, int], n_docs: int) -> None:
        self.retriever = retriever
        self.df = df
        self.n_docs = n_docs

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        bm25s = bm25s_module()

        toks = [tokens(t) or [""] for t in texts]
        retriever = bm25s.BM25(k1=1.2, b=0.75)
        retriever.index(toks, show_progress=False)
        return cls(retriever, _document_frequencies(retriever), len(texts))

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every document for the query tokens."""
        known = [t for t in query_tokens if t in self.df]
        if not known:
            return np.zeros(self.n_docs, dtype=np.float32)
        return np.asarray(self.retriever.get_scores(known), dtype=np.float32)  # type: ignore[attr-defined]

    def idf(self, token: str) -> float:
        """Smoothed inverse document frequency; a token the corpus never uses gets the maximum."""
        df = self.df.get(token, 0)
        return float(np.log((self.n_docs - df + 0.5) / (df + 0.5) + 1.0))

    def save(self, path: Path) -> None:
        self.retriever.save(str(path))  # type: ignore[attr-defined]

    @classmethod
    def load(cls, path: Path) -> LexicalIndex:
        bm25s = bm25s_module()

        retriever = bm25s.BM25.load(str(path))
        params = json.loads((path / "params.index.json").read_text(encoding="utf-8"))
        return cls(retriever, _document_frequencies(retriever), int(params["num_docs"]))


def _document_frequencies(retriever: object) -> dict[str, int]:
    indptr = retriever.scores["indptr"]  # type: ignore[attr-defined]
    counts = np.diff(indptr)
    return {tok: int(counts[i]) for tok, i in retriever.vocab_dict.items() if tok}  # type: ignore[attr-defined]
