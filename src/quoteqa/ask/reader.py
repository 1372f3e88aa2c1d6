"""Reader stage (optional): a local cross-encoder that rescores the top candidate sentences for a question.

A reader is any sentence-transformers ``CrossEncoder`` folder with one output (a reranker such as
bge-reranker-base saved with ``CrossEncoder.save``, or a Hugging Face sequence-classification folder
with ``num_labels=1``). It is loaded offline, on the CPU, and only when asked for: importing this
module does not import torch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..index.embedding import offline

if TYPE_CHECKING:
    from sentence_transformers import CrossEncoder

MAX_LENGTH = 256  # tokens per question–sentence pair: a sentence is short, and attention cost grows with the square
BATCH_SIZE = 32
# How to fix every refusal: the same sentence ends each message.
FIX = "pass the folder of a sentence-transformers CrossEncoder (config.json and model weights)"
CLASSIFIER = "ForSequenceClassification"


class ReaderError(ValueError):
    """The reader folder cannot be used; the message names the folder and says what to pass instead."""


@dataclass
class Reader:
    """A loaded cross-encoder: ``scores`` rates how well each sentence answers a question."""

    path: Path
    name: str
    model: CrossEncoder = field(repr=False, compare=False)
    batch_size: int = BATCH_SIZE

    def scores(self, question: str, sentences: list[str]) -> np.ndarray:
        """One float64 score per sentence, higher for a likelier answer: the model's raw logits.

        Logits rather than the sigmoid the model may have saved: the ranking is the same, and float32
        sigmoids saturate at 1.0 for a confident reranker, which would turn its best candidates into ties.
        """
        if not sentences:
            return np.zeros(0, dtype=np.float64)
        import torch

        pairs = [(question, s) for s in sentences]
        raw = self.model.predict(
            pairs,
            batch_size=self.batch_size,
            show_progress_bar=False,
            activation_fn=torch.nn.Identity(),
            convert_to_numpy=True,
        )
        return np.asarray(raw, dtype=np.float64).reshape(len(sentences))


def load_reader(path: str | Path) -> Reader:
    """The cross-encoder saved in the folder ``path``, loaded offline on the CPU; ``ReaderError`` if unusable.

    The folder is checked first with file reads only, so a wrong path is refused before torch loads.
    """
    folder = Path(path).expanduser()
    _check_folder(folder)
    offline()
    try:
        from sentence_transformers import CrossEncoder

        model = CrossEncoder(str(folder), device="cpu", local_files_only=True, max_length=MAX_LENGTH)
    except Exception as exc:  # any library failure on a bad folder is the user's folder, not our bug: no traceback
        raise ReaderError(
            f"--reader {folder}: cannot load the CrossEncoder offline ({type(exc).__name__}: {_one_line(exc)}); "
            f"{FIX}, and its tokenizer files"
        ) from exc
    _check_model(folder, model)
    return Reader(path=folder, name=folder.resolve().name, model=model)


def _check_folder(folder: Path) -> None:
    if not folder.exists():
        raise ReaderError(f"--reader {folder}: no such folder; {FIX}")
    if not folder.is_dir():
        raise ReaderError(f"--reader {folder}: a file, not a folder; {FIX}, not a file in it")
    config_file = folder / "config.json"
    if not config_file.is_file():
        raise ReaderError(f"--reader {folder}: no config.json in this folder, so it holds no saved model; {FIX}")
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReaderError(f"--reader {folder}: config.json cannot be read ({_one_line(exc)}); {FIX}") from exc
    if not isinstance(config, dict):
        raise ReaderError(f"--reader {folder}: config.json is not a JSON object; {FIX}")
    architectures = config.get("architectures") or []
    # A bare encoder (an embedding model's BertModel, say) would load with a random scoring head and
    # give noise, so it is refused here rather than warned about by transformers.
    if architectures and not any(str(a).endswith(CLASSIFIER) for a in architectures):
        raise ReaderError(
            f"--reader {folder}: the model is a {', '.join(map(str, architectures))}, not a sequence classifier "
            f"(…{CLASSIFIER}) with one output, so it cannot score question–sentence pairs; {FIX}"
        )
    labels = _labels(config)
    if labels is not None and labels != 1:
        raise ReaderError(_labels_message(folder, labels))
    if not any(folder.glob("*.safetensors")) and not any(folder.glob("pytorch_model*.bin")):
        raise ReaderError(
            f"--reader {folder}: no model weights (model.safetensors or pytorch_model.bin) in this folder; {FIX}"
        )


def _check_model(folder: Path, model: CrossEncoder) -> None:
    """What only the loaded model tells: its number of outputs, and whether its tokenizer has a vocabulary."""
    if model.num_labels != 1:
        raise ReaderError(_labels_message(folder, model.num_labels))
    tokenizer: Any = model.tokenizer
    # transformers builds a tokenizer of special tokens only when the folder has no tokenizer files:
    # every word would read as [UNK], and the scores would not depend on the text.
    if tokenizer is not None and len(tokenizer) <= len(set(tokenizer.all_special_ids)):
        raise ReaderError(
            f"--reader {folder}: no tokenizer files (tokenizer.json or vocab.txt) in this folder; "
            f"{FIX}, and its tokenizer files"
        )


def _labels(config: dict[str, Any]) -> int | None:
    """The number of outputs a config.json declares, or None when it leaves it to the library default."""
    if isinstance(config.get("id2label"), dict):
        return len(config["id2label"])
    if isinstance(config.get("num_labels"), int):
        return int(config["num_labels"])
    return None


def _labels_message(folder: Path, labels: int) -> str:
    return (
        f"--reader {folder}: the model is a classifier with {labels} outputs (num_labels={labels}), "
        f"a reader needs one score per pair (num_labels=1, as a reranker such as bge-reranker-base has); {FIX}"
    )


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 300 else text[:297] + "..."
