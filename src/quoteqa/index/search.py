"""Retrieval behind one interface: a ``Store`` finds the best sentences for a question vector
(``dense``) and the best sentences or paragraphs for its tokens (``lexical``, BM25), and scores
given candidates (``vectors``, ``lexical_scores``); the answer stage fuses what it returns.

Two stores implement it, selected by a URI (``--store``) and recorded in the index manifest:

- ``local`` (the default): the index folder's own files, FAISS over ``vectors.bin`` and the BM25
  arrays (``retrievers``); embedded, no server.
- ``milvus:path/archive.db`` (Milvus Lite, in process) or ``http://host:19530`` (a Milvus server
  or cluster): the same rows in Milvus (module ``milvus``), for archives one machine cannot hold.

A ``Scope`` says what a search may return: articles of a period, and paragraphs left out.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from ..ingest.corpus import date_span
from .retrievers import DenseIndex, LexicalIndex

Level = Literal["sentence", "paragraph"]
LOCAL = "local"
MILVUS_LITE = "milvus:"  # milvus:path/archive.db
MILVUS_SERVER = ("http://", "https://", "tcp://")


class StoreError(ValueError):
    """A --store value that names no store, or a store that cannot be reached."""


@dataclass(frozen=True)
class Hits:
    """Ids (global sentence or paragraph positions) and scores, best first."""

    ids: np.ndarray
    scores: np.ndarray

    @classmethod
    def empty(cls) -> Hits:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))

    @property
    def top(self) -> float:
        return float(self.scores[0]) if len(self.scores) else 0.0


def day(date: str) -> int:
    """YYYY-MM-DD as the integer YYYYMMDD (0 for none), the form a date filter compares."""
    return int(date.replace("-", "")) if date else 0


@dataclass(frozen=True)
class Scope:
    """What a search may return: paragraphs of articles dated within [first, last] (days as
    YYYY-MM-DD; "" leaves that side open; with a bound, an undated article is outside) and not in
    ``exclude`` (global paragraph ids)."""

    first: str = ""
    last: str = ""
    exclude: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def period(cls, since: str | None, until: str | None) -> Scope:
        """The scope of checked dates (YYYY, YYYY-MM or YYYY-MM-DD; each counts for its whole span)."""
        return cls(date_span(since)[0] if since else "", date_span(until)[1] if until else "")

    @property
    def dated(self) -> bool:
        return bool(self.first or self.last)

    def __bool__(self) -> bool:
        return self.dated or bool(self.exclude)

    def admits(self, first_day: np.ndarray, last_day: np.ndarray) -> np.ndarray:
        """Which of the articles spanning [first_day, last_day] (YYYYMMDD, 0 undated) the period admits."""
        ok = np.ones(len(first_day), dtype=bool)
        if self.dated:
            ok &= first_day > 0
            if self.first:
                ok &= last_day >= day(self.first)
            if self.last:
                ok &= first_day <= day(self.last)
        return ok


EVERYTHING = Scope()  # the whole index


class Store(Protocol):
    """What the answer stage asks of retrieval."""

    kind: str
    uri: str

    def dense(self, query: np.ndarray, k: int, scope: Scope = ...) -> Hits:
        """The k sentences nearest the normalised question vector (cosine)."""
        ...

    def lexical(self, tokens: list[str], k: int, level: Level, scope: Scope = ...) -> Hits:
        """The k sentences or paragraphs of best BM25 score for the question tokens (score > 0)."""
        ...

    def lexical_scores(self, tokens: list[str], ids: np.ndarray, level: Level) -> np.ndarray:
        """BM25 scores of the given sentences or paragraphs (0 where no token matches)."""
        ...

    def cosines(self, query: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Cosines of the normalised question vector with the sentences ``ids``, in that order."""
        ...

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """The sentence vectors of ``ids``, in that order."""
        ...

    def close(self) -> None: ...


def together(store: Store, *calls: Callable[[], Any]) -> list[Any]:
    """The results of ``calls``: at once when the store answers over a connection (Milvus; its
    ``pool`` runs them), one after another otherwise."""
    pool: ThreadPoolExecutor | None = getattr(store, "pool", None)
    if pool is None:
        return [call() for call in calls]
    return [f.result() for f in [pool.submit(call) for call in calls]]


def _top(scores: np.ndarray, k: int) -> Hits:
    """The k best positive scores of an array indexed by id."""
    k = min(k, int(np.count_nonzero(scores > 0)))
    if k <= 0:
        return Hits.empty()
    ids = np.argpartition(-scores, k - 1)[:k]
    ids = ids[np.argsort(-scores[ids], kind="stable")]
    return Hits(ids.astype(np.int64), scores[ids].astype(np.float32))


class LocalStore:
    """The index folder's files: FAISS (exact or inverted file) and term-major BM25 arrays."""

    kind = LOCAL
    uri = LOCAL

    def __init__(
        self,
        dense: DenseIndex,
        lex_sentences: LexicalIndex,
        lex_paragraphs: LexicalIndex,
        sent_para: np.ndarray,
        para_days: tuple[np.ndarray, np.ndarray],
    ) -> None:
        self.dense_index = dense
        self.lex = {"sentence": lex_sentences, "paragraph": lex_paragraphs}
        self.sent_para = sent_para
        self.para_days = para_days
        self._outside: dict[Scope, np.ndarray] = {}
        self._allowed: dict[Scope, tuple[np.ndarray, bool]] = {}  # packed sentence bits, any allowed
        self._last: dict[Level, tuple[tuple[str, ...], np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self.dense_index)

    def outside(self, scope: Scope) -> np.ndarray:
        """Per paragraph: left out by ``scope`` (the last few scopes are kept)."""
        gone = self._outside.get(scope)
        if gone is None:
            gone = ~scope.admits(*self.para_days)
            if scope.exclude:
                gone[np.fromiter(scope.exclude, dtype=np.int64)] = True
            if len(self._outside) >= 16:
                self._outside.clear()
            self._outside[scope] = gone
        return gone

    def dense(self, query: np.ndarray, k: int, scope: Scope = EVERYTHING) -> Hits:
        if not scope:
            scores, ids = self.dense_index.search(query, min(k, len(self)))
            return Hits(ids.astype(np.int64), scores)
        allowed = self._allowed.get(scope)
        if allowed is None:
            mask = ~self.outside(scope)[self.sent_para]
            allowed = (self.dense_index.allow(mask), bool(mask.any()))
            if len(self._allowed) >= 16:
                self._allowed.clear()
            self._allowed[scope] = allowed
        if not allowed[1]:
            return Hits.empty()
        scores, ids = self.dense_index.search(query, min(k, len(self)), allowed[0])
        return Hits(ids.astype(np.int64), scores)

    def _scores(self, tokens: list[str], level: Level) -> np.ndarray:
        key = tuple(tokens)
        last = self._last.get(level)
        if last is None or last[0] != key:
            last = self._last[level] = (key, self.lex[level].scores(tokens))
        return last[1]

    def lexical(self, tokens: list[str], k: int, level: Level, scope: Scope = EVERYTHING) -> Hits:
        scores = self._scores(tokens, level)
        if scope:
            gone = self.outside(scope)
            scores = np.where(gone if level == "paragraph" else gone[self.sent_para], 0.0, scores)
        return _top(scores, k)

    def lexical_scores(self, tokens: list[str], ids: np.ndarray, level: Level) -> np.ndarray:
        return self._scores(tokens, level)[np.asarray(ids, dtype=np.int64)].astype(np.float32)

    def cosines(self, query: np.ndarray, ids: np.ndarray) -> np.ndarray:
        return self.dense_index.vectors(ids) @ query

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        return self.dense_index.vectors(ids)

    def close(self) -> None:
        self._last.clear()


def check_uri(uri: str) -> str:
    """A --store value as recorded: ``local``, ``milvus:<absolute path>.db`` or a server URL."""
    uri = uri.strip()
    if uri == LOCAL:
        return uri
    if uri.startswith(MILVUS_LITE):
        path = uri[len(MILVUS_LITE) :]
        if not path.endswith(".db"):
            raise StoreError(
                f"--store {uri!r}: a Milvus Lite store is a file ending in .db, e.g. --store milvus:archive/archive.db"
            )
        return MILVUS_LITE + str(Path(path).expanduser().resolve())
    if uri.startswith(MILVUS_SERVER):
        return uri
    raise StoreError(
        f"--store {uri!r} names no store; use 'local' (the default), 'milvus:path/archive.db' (Milvus Lite) "
        "or 'http://host:19530' (a Milvus server)"
    )
