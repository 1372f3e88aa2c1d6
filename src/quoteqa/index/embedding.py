"""Embedding stage: every model is a sentence-transformers model, loaded offline.

Questions of an index built with the default model are embedded by the same forward pass in numpy
instead (``NumpyUSE``, usem3_numpy.py; the same vectors to 1e-5): answering a question then needs
neither torch nor sentence-transformers, whose imports cost seconds a process.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Union

import numpy as np

from .e5 import E5_MODEL, E5Small, e5_small

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

DEFAULT_MODEL = "usem3"
# Models known by name, besides the default, folders and Hugging Face cache ids: a program that
# embeds quoteqa may add its own (the test suite adds a tiny stub for its fast tier).
NAMED_MODELS: dict[str, Callable[[], SentenceTransformer]] = {}


class ModelUnavailable(RuntimeError):
    """The embedding model cannot be loaded offline; the message says what to pass instead."""


def register_model(name: str, make: Callable[[], SentenceTransformer]) -> None:
    """Make ``--model name`` (and an index built with it) load the model ``make()`` returns."""
    NAMED_MODELS[name] = make


def offline() -> None:
    """Keep the Hugging Face libraries off the network on every code path of ours."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def load_embedder(name: str = DEFAULT_MODEL) -> SentenceTransformer | E5Small:
    """What a build embeds sentences with: multilingual-e5-small's engine for ``e5-small``, else
    ``load_model(name)``."""
    return e5_small() if name == E5_MODEL and name not in NAMED_MODELS else load_model(name)


def load_model(name: str = DEFAULT_MODEL) -> SentenceTransformer:
    """The default USE multilingual v3 model from the installed package, or a local/cached model.

    ``name`` is ``usem3`` (the default), a registered name, or anything ``SentenceTransformer``
    accepts offline: a folder, or a model id already in the local Hugging Face cache. A model is
    loaded once per process (it is only read), so a second index or QA on it costs nothing.
    """
    if name not in _LOADED:
        _LOADED[name] = _load(name)
    return _LOADED[name]


_LOADED: dict[str, SentenceTransformer] = {}


class NumpyUSE:
    """USE multilingual v3 for embedding questions: the numpy forward pass (usem3_numpy.py) over
    the package's weights, memory-mapped from ``cache`` (usem3_numpy.cache_root(); None keeps
    them in memory)."""

    dimension = 512

    def __init__(self, cache: Path | None) -> None:
        from .usem3_numpy import Pieces, USEM3Numpy, package_resources

        weights, pieces = package_resources()
        self.model = USEM3Numpy(Path(weights), Pieces(pieces), cache)

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.model.embed(list(texts))


# What a question is embedded with: the numpy USE for the default model, e5-small's own engine
# (e5.py), else the model itself.
Embedder = Union["SentenceTransformer", NumpyUSE, E5Small]
_NUMPY: dict[str, Future[NumpyUSE]] = {}
_NUMPY_LOCK = threading.Lock()


def preload(name: str = DEFAULT_MODEL) -> None:
    """Start loading the question model of an index built with ``name``, in the background, when
    it is the numpy USE: its 65 MB of weights are read mostly outside the GIL while the index and
    jieba's dictionary load (0.5 s of a one-question process). Other models load on first use."""
    if name != DEFAULT_MODEL or name in NAMED_MODELS:
        return
    with _NUMPY_LOCK:
        if name in _NUMPY:
            return
        future: Future[NumpyUSE] = Future()
        _NUMPY[name] = future
    import sentencepiece  # noqa: F401 - imported here: an import inside a thread can deadlock on the import lock

    from . import usem3_numpy

    def fill() -> None:
        try:
            future.set_result(NumpyUSE(usem3_numpy.cache_root()))
        except BaseException as exc:  # handed to the caller of query_model
            future.set_exception(exc)

    threading.Thread(target=fill, name="quoteqa-model", daemon=True).start()
    atexit.register(_settle, future)


PRELOAD_SETTLE = 30.0  # seconds a process that ends early waits for its model to finish loading


def _settle(future: Future[NumpyUSE]) -> None:
    """Let a model still loading finish before the process ends: a daemon thread stopped inside
    SentencePiece's C++ aborts the process (exit -6, 「terminate called without an active
    exception」) when a command is refused before its first question."""
    with contextlib.suppress(BaseException):
        future.exception(timeout=PRELOAD_SETTLE)


def query_model(name: str = DEFAULT_MODEL) -> Embedder:
    """The model questions of an index built with ``name`` are embedded with (loaded once)."""
    if name != DEFAULT_MODEL or name in NAMED_MODELS:
        return load_embedder(name)
    preload(name)
    try:
        return _NUMPY[name].result()
    except BaseException:
        with _NUMPY_LOCK:
            _NUMPY.pop(name, None)  # a later call tries again
        raise


def _load(name: str) -> SentenceTransformer:
    offline()
    from sentence_transformers import SentenceTransformer

    if _THREADS[0] is not None:
        import torch

        torch.set_num_threads(_THREADS[0])

    if name == DEFAULT_MODEL:
        from .usem3_module import USEM3

        return SentenceTransformer(modules=[USEM3()], device="cpu")
    if name in NAMED_MODELS:
        return NAMED_MODELS[name]()
    try:
        return SentenceTransformer(name, device="cpu", local_files_only=True)
    except (OSError, ValueError, ImportError, RuntimeError) as exc:  # not found, not a model, not offline
        raise ModelUnavailable(
            f"cannot load the embedding model {name!r} offline ({type(exc).__name__}: {exc}). "
            f"Pass --model a local sentence-transformers folder, a model id already in the "
            f"Hugging Face cache, or {DEFAULT_MODEL!r} for the bundled default."
        ) from exc


_THREADS: list[int | None] = [None]  # the last set_threads, applied to torch when it is loaded later


def set_threads(n: int) -> int:
    """Threads for torch, FAISS and numpy's BLAS; returns the previous setting. Questions run on one (a question
    is small work, and two OpenMP runtimes spinning against each other cost more than a second
    thread gives); builds use every core. torch is not imported for this: a process that only
    answers questions never loads it, and one that does gets this setting when it does."""
    import faiss

    n = max(1, n)
    before = _THREADS[0] or build_threads()
    _THREADS[0] = n
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(n)
    faiss.omp_set_num_threads(n)
    set_blas_threads(n)
    return before


def set_blas_threads(n: int) -> None:
    """Threads of numpy's BLAS (the numpy USE's matrix products), for the whole process. A server
    answers questions side by side on one each; the CLI answers one at a time and may use more."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(max(1, n), user_api="blas")


def build_threads() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def encode(model: Embedder, texts: list[str], *, batch_size: int = 128) -> np.ndarray:
    """L2-normalised float32 embeddings, one row per text (sentences: e5's passages)."""
    if isinstance(model, NumpyUSE):
        return model.embed(texts)
    if isinstance(model, E5Small):
        return model.passages(texts)
    vecs = model.encode(
        texts, batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
    )
    return np.ascontiguousarray(vecs, dtype=np.float32)


def encode_queries(model: Embedder, texts: list[str]) -> np.ndarray:
    """Questions and claims: e5's queries, the same vectors as ``encode`` for other models."""
    return model.queries(texts) if isinstance(model, E5Small) else encode(model, texts)


def dimension(model: Embedder) -> int:
    if isinstance(model, (NumpyUSE, E5Small)):
        return model.dimension
    dim = model.get_embedding_dimension()
    if dim is None:
        dim = int(encode(model, ["x"]).shape[1])
    return int(dim)
