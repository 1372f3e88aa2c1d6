"""A tiny stand-in embedding model for the fast test tier: hashed character bigrams → 64-d.

It is a real sentence-transformers model (one input module), registered under ``STUB`` so that
builds, the CLI and the Python API load it by name as they load any other model. Retrieval
with it is only as good as bigram overlap: tests on it check logic, not answer quality."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from sentence_transformers.base.modules.input_module import InputModule

DIM = 64
BUCKETS = 4096
STUB = "stub-bigram"


class BigramHash(InputModule):
    config_keys: list[str] = []  # noqa: RUF012 - the base class declares it this way
    save_in_root = True

    def __init__(self) -> None:
        super().__init__()
        g = torch.Generator().manual_seed(0)
        self.table = torch.nn.Embedding.from_pretrained(torch.randn(BUCKETS, DIM, generator=g), freeze=True)

    def preprocess(self, inputs: Sequence[Any], prompt: str | None = None, **kwargs: Any) -> dict[str, torch.Tensor]:
        rows = []
        for t in inputs:
            s = str(t)
            grams = [s[i : i + 2] for i in range(max(1, len(s) - 1))]
            rows.append([zlib.crc32(g.encode()) % BUCKETS for g in grams])
        width = max(len(r) for r in rows)
        ids = torch.zeros((len(rows), width), dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.float32)
        for i, r in enumerate(rows):
            ids[i, : len(r)] = torch.tensor(r)
            mask[i, : len(r)] = 1
        return {"input_ids": ids, "attention_mask": mask}

    def forward(self, features: dict[str, torch.Tensor], **kwargs: Any) -> dict[str, torch.Tensor]:
        v = (self.table(features["input_ids"]) * features["attention_mask"].unsqueeze(-1)).sum(1)
        features["sentence_embedding"] = torch.nn.functional.normalize(v, dim=-1)
        return features

    def get_sentence_embedding_dimension(self) -> int:
        return DIM

    def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
        with open(os.path.join(output_path, "stub_config.json"), "w", encoding="utf-8") as f:
            json.dump({"dim": DIM}, f)

    @classmethod
    def load(cls, model_name_or_path: str, *args: Any, **kwargs: Any) -> BigramHash:
        return cls()


def stub_weights(folder: Path, model_name: str = STUB) -> Path:
    """The shipped weights relabelled for the stub model (or ``model_name``), without the question
    head (trained on another model's vectors): weights that test the code around them, not their
    quality."""
    from quoteqa.ask.models import MODEL_FILE

    d = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    d["embedding_model"] = model_name
    d.pop("head", None)
    for part in ("ranker", "holds"):
        entry = d[part].get("trees", d[part]) if part == "ranker" else d[part]
        shutil.copy(MODEL_FILE.with_name(entry["file"]), folder / entry["file"])
    path = folder / "stub-weights.json"
    path.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    return path


def register() -> None:
    """The stub model and its weights, for indexes built with it."""
    from sentence_transformers import SentenceTransformer

    from quoteqa.ask import models
    from quoteqa.index.embedding import register_model

    register_model(STUB, lambda: SentenceTransformer(modules=[BigramHash()], device="cpu"))
    folder = Path(tempfile.mkdtemp(prefix="quoteqa-stub-weights-"))
    atexit.register(shutil.rmtree, folder, True)
    models.register(STUB, stub_weights(folder))
