"""Shared fixtures: one real model and one real index built from the bundled corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEED = ROOT / "corpus" / "wujin-2024-07-plenary.txt"
# The keys of an answer's JSON object, in order (README, "The JSON answer").
ANSWER_KEYS = ["question", "interpreted", "found", "confidence", "answer", "repairs", "citations", "passages"]


@pytest.fixture(scope="session")
def model():
    from quoteqa.embedding import load_model

    return load_model()


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory, model) -> Path:
    from quoteqa.index import build

    corpus = tmp_path_factory.mktemp("corpus")
    shutil.copy(SEED, corpus / SEED.name)
    index = tmp_path_factory.mktemp("idx") / "index"
    build(corpus, index, model=model)
    return index


@pytest.fixture(scope="session")
def qa(built_index: Path, model):
    from quoteqa import QA

    return QA.load(built_index, model=model)
