"""The learned models and their files: the question head, the ranker, the answerability and
confidence models and the model of what a sentence holds, as ``quoteqa train`` writes them.

Weights belong to the embedding model they were trained with, whose name the file records;
their features are keyed by name (``features.py``), and a file that lacks a feature, has one too
many, or was trained with another embedding model is refused with what to do.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..index.embedding import E5_MODEL
from ..index.store import WEIGHTS_FILE
from ..language import kinds as asking
from . import forest
from .features import ANSWERABILITY_NAMES, RANKING, RANKING_NAMES
from .question import Holds

# The learned weights that `quoteqa train` writes (src/quoteqa/weights/); see Model.
MODEL_FILE = WEIGHTS_FILE
# Where the trainer's linear ranker starts: the weights that were set by hand before learning.
START = np.array([f.start for f in RANKING])


class WeightsError(ValueError):
    """A weights file that cannot be used; the message says how to get one that can."""


@dataclass(frozen=True)
class Model:
    """Learned weights (`quoteqa train`) for the embedding model ``embedding_model``: a question
    head that moves a question's vector toward the sentences that answer such questions, a ranker
    over features.RANKING (gradient-boosted trees, LightGBM LambdaRank, with the linear weights
    kept for when there are none), and logistic answerability and confidence models over
    features.ANSWERABILITY, with the probability above which an answer is shown."""

    version: str
    ranker: np.ndarray  # in RANKING order
    answerability: np.ndarray  # P(the articles answer the question): shown when >= threshold
    bias: float
    threshold: float
    correctness: np.ndarray  # P(the quote shown answers the question): the answer's confidence
    correctness_bias: float
    trained_on: str = ""
    head: np.ndarray | None = None  # (dim, dim): question vector q -> normalise(q + q @ head)
    embedding_model: str = ""  # what the weights were trained with ("" for any: a test's weights)
    trees: str = ""  # the ranker's trees (LightGBM model text); rows @ ranker when empty
    holds: Holds | None = None  # what a sentence holds, by kind (kinds.fit_holds)
    columns: tuple[int, ...] = ()  # the RANKING positions of the trees' columns, when not in order

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> Model:
        try:
            return cls._read(path, json.loads(path.read_text(encoding="utf-8")))
        except WeightsError as exc:
            raise WeightsError(f"cannot use the learned weights {path}: {exc}") from exc
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise WeightsError(
                f"cannot read the learned weights {path} ({exc}); restore it or run: make train"
            ) from exc

    @classmethod
    def _read(cls, path: Path, d: dict[str, Any]) -> Model:
        ranker = _by_name(d["ranker"]["weights"], RANKING_NAMES, "ranking")
        trees = ""
        columns: tuple[int, ...] = ()
        if d["ranker"].get("trees"):
            t = d["ranker"]["trees"]
            trees = _checked(path.with_name(t["file"]), t.get("sha256")).read_text(encoding="utf-8")
            _forest(trees)  # a model text the evaluator cannot score is refused on load
            names = tuple(t.get("features", RANKING_NAMES))
            _by_name(dict.fromkeys(names, 0.0), RANKING_NAMES, "ranking")  # the same set, maybe reordered
            columns = () if names == RANKING_NAMES else tuple(RANKING_NAMES.index(n) for n in names)
        head = None
        if d.get("head"):
            head_file = _checked(path.with_name(d["head"]["file"]), d["head"].get("sha256"))
            head = np.load(head_file, allow_pickle=False).astype(np.float32)
        return cls(
            str(d["version"]),
            ranker,
            _by_name(d["answerability"]["weights"], ANSWERABILITY_NAMES, "answerability"),
            float(d["answerability"]["bias"]),
            float(d["answerability"]["threshold"]),
            _by_name(d["correctness"]["weights"], ANSWERABILITY_NAMES, "answerability"),
            float(d["correctness"]["bias"]),
            str(d.get("trained_on", "")),
            head,
            str(d.get("embedding_model", "")),
            trees,
            _holds(path, d.get("holds"), str(d["version"])),
            columns,
        )

    def save(self, path: Path) -> None:
        """Write the weights file (JSON, every weight under its feature's name) and, beside it,
        the ranker's trees (LightGBM model text), the question head and the model of what a
        sentence holds (.npy, float16), whose sha256 it records: the manifest's hash of the JSON
        then covers them all."""
        d: dict[str, Any] = {
            "version": self.version,
            "trained_on": self.trained_on,
            "embedding_model": self.embedding_model,
            "ranker": {"weights": _named(self.ranker, RANKING_NAMES)},
            "answerability": {
                "weights": _named(self.answerability, ANSWERABILITY_NAMES),
                "bias": round(self.bias, 6),
                "threshold": round(self.threshold, 4),
            },
            "correctness": {
                "weights": _named(self.correctness, ANSWERABILITY_NAMES),
                "bias": round(self.correctness_bias, 6),
            },
        }
        if self.trees:
            trees_file = path.with_suffix(".ranker.txt")
            trees_file.write_text(self.trees, encoding="utf-8")
            order = [RANKING_NAMES[i] for i in self.columns] if self.columns else list(RANKING_NAMES)
            d["ranker"]["trees"] = {
                "file": trees_file.name,
                "format": "LightGBM model text",
                "features": order,  # the trees' columns
                "sha256": hashlib.sha256(trees_file.read_bytes()).hexdigest(),
            }
        if self.holds is not None:
            holds_file = path.with_suffix(".holds.npy")
            np.save(holds_file, self.holds.weights.astype(np.float16))
            d["holds"] = {
                "file": holds_file.name,
                "kinds": list(asking.TYPED),
                "dim": asking.DIM,
                "features": "jieba part-of-speech tags and word shapes, hashed (kinds.token_features)",
                "sha256": hashlib.sha256(holds_file.read_bytes()).hexdigest(),
            }
        if self.head is not None:
            head_file = path.with_suffix(".head.npy")
            np.save(head_file, self.head.astype(np.float16))
            d["head"] = {
                "file": head_file.name,
                "shape": list(self.head.shape),
                "sha256": hashlib.sha256(head_file.read_bytes()).hexdigest(),
            }
        path.write_text(json.dumps(d, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    def check_model(self, model_name: str, where: str) -> None:
        """Refuse to read an index built with another embedding model than these weights'."""
        if self.embedding_model and model_name != self.embedding_model:
            raise WeightsError(
                f"the learned weights {where} were trained with the embedding model {self.embedding_model!r}, "
                f"and this index was built with {model_name!r}; train weights for it with "
                f"`quoteqa train -- --model {model_name} --out FILE`, then pass --weights FILE"
            )

    def score(self, rows: np.ndarray) -> np.ndarray:
        """The ranker's score of each candidate's RANKING row (higher is better)."""
        if not self.trees:
            return linear_scores(self.ranker, rows)
        return tree_scores(self.trees, rows[:, list(self.columns)] if self.columns else rows)

    def answerable(self, x: np.ndarray) -> float:
        """P(the articles answer the question), from its ANSWERABILITY row."""
        return float(sigmoid(x @ self.answerability + self.bias))

    def correct(self, x: np.ndarray) -> float:
        """P(the best sentence answers the question), from its ANSWERABILITY row."""
        return float(sigmoid(x @ self.correctness + self.correctness_bias))

    def question_vector(self, raw: np.ndarray) -> np.ndarray:
        """A question's embedding moved by the head."""
        return raw if self.head is None else apply_head(raw, self.head)


def _by_name(weights: dict[str, float], names: tuple[str, ...], what: str) -> np.ndarray:
    """``weights`` (feature name -> weight) in the order of ``names``; a file that lacks a
    feature or has one this version does not compute is refused."""
    if not isinstance(weights, dict):
        raise WeightsError(f"its {what} weights are not keyed by feature name; retrain with: make train")
    lacks = [n for n in names if n not in weights]
    extra = [n for n in weights if n not in names]
    if lacks or extra:
        said = ([f"lacks the {what} feature(s) {', '.join(lacks)}"] if lacks else []) + (
            [f"has {', '.join(extra)}, which this version does not compute"] if extra else []
        )
        raise WeightsError(f"it {' and '.join(said)}; retrain with: make train")
    return np.asarray([float(weights[n]) for n in names], dtype=np.float64)


def _named(weights: np.ndarray, names: tuple[str, ...]) -> dict[str, float]:
    return {n: round(float(w), 6) for n, w in zip(names, weights, strict=True)}


def _holds(path: Path, d: dict[str, Any] | None, version: str) -> Holds | None:
    if not d:
        return None
    if d.get("kinds") != list(asking.TYPED) or d.get("dim") != asking.DIM:
        raise WeightsError("its model of what sentences hold is not this version's; retrain with: make train")
    holds_file = _checked(path.with_name(d["file"]), d.get("sha256"))
    weights = np.load(holds_file, allow_pickle=False).astype(np.float32)
    if weights.shape != (len(asking.TYPED), asking.DIM + 1):
        raise WeightsError(f"{holds_file.name} has shape {weights.shape}; retrain with: make train")
    return Holds(weights, version)


def _checked(path: Path, sha256: str | None) -> Path:
    """``path``, after checking that it is the file the weights were saved with."""
    if sha256 and hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
        raise WeightsError(
            f"{path.name} is not the file these weights were saved with (its sha256 differs); "
            "restore it or run: make train"
        )
    return path


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64))))


def apply_head(raw: np.ndarray, head: np.ndarray) -> np.ndarray:
    z = raw + raw @ head
    return (z / max(float(np.linalg.norm(z)), 1e-12)).astype(np.float32)


def linear_scores(weights: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Scores of RANKING rows under linear ranker ``weights`` (a weights file without trees)."""
    return np.asarray(rows @ weights, dtype=np.float64)


@lru_cache(maxsize=4)
def _forest(text: str) -> forest.Forest:
    return forest.parse(text)


def tree_scores(trees: str, rows: np.ndarray) -> np.ndarray:
    """Scores of RANKING rows under a LightGBM model's text, scored in numpy (forest.py: a
    question's candidates are a few dozen rows, 0.7 ms; lightgbm itself is for training)."""
    if not len(rows):
        return np.zeros(0)
    return _forest(trees).score(rows)


@lru_cache(maxsize=4)
def load(path: Path = MODEL_FILE) -> Model:
    """The weights file at ``path`` (by default the shipped one), read once per process."""
    return Model.load(path)


def untrained(model_name: str) -> Model:
    """Weights before any training, for the embedding model ``model_name``: the ranker's start
    weights (features.RANKING), no trees, and answerability that shows every answer. The trainer
    reads a corpus with these while it learns weights for a new model."""
    n = len(ANSWERABILITY_NAMES)
    return Model("untrained", START, np.zeros(n), 0.0, 0.5, np.zeros(n), 0.0, embedding_model=model_name)


# The weights `make train` writes for multilingual-e5-small (`quoteqa train -- --model e5-small`).
E5_WEIGHTS = MODEL_FILE.parent / "e5" / MODEL_FILE.name
_REGISTERED: dict[str, Path] = {E5_MODEL: E5_WEIGHTS}  # embedding model name -> weights file (see register)


def register(model_name: str, path: Path) -> None:
    """Use the weights file ``path`` for indexes built with the embedding model ``model_name``
    when none are given (as embedding.register_model adds a model: a test's stub model)."""
    _REGISTERED[model_name] = path


def for_model(model_name: str, path: Path | None = None) -> Model:
    """The weights to read an index built with ``model_name``: ``path``, else those registered
    for it, else the shipped ones; refused when they were trained with another model."""
    chosen = path or _REGISTERED.get(model_name, MODEL_FILE)
    weights = load(chosen)
    weights.check_model(model_name, str(chosen))
    return weights
