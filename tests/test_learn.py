"""The trainer (`quoteqa train`) on a tiny data set: real indexes, real model, a weights file the
product loads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import SEED
from test_harness import PARAGRAPHS, tiny_squad

from quoteqa.ask import features, models
from quoteqa.learn.trainer import main, threshold_for
from quoteqa.learn.training_data import half_of, squad_corpus

CITIZEN = [
    {"question": "上半年新增了多少就业岗位", "kind": "casual", "gold": "新增就业岗位5.7万个"},
    {"question": "来武进旅游的人多不多", "kind": "paraphrase", "gold": "旅游接待815万人次"},
    {"question": "增长多少?", "kind": "followup", "gold": "增长10.68%", "history": ["九大重点产业集群产值多少?"]},
    {"question": "新增了几所学效", "kind": "typo", "gold": "7所新校即将投用"},
    {"question": "明天湖塘下雨吗", "kind": "out_of_scope", "gold": None},
    {"question": "武进房价多少一平", "kind": "out_of_scope", "gold": None},
]


def test_the_trainer_writes_weights_the_product_reads(tmp_path: Path):
    squad = tmp_path / "tiny.json"
    tiny_squad(squad)
    citizen = tmp_path / "citizen.jsonl"
    citizen.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in CITIZEN), encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    out = tmp_path / "weights.json"
    args = ["--cmrc", str(squad), "--drcd", str(squad), "--citizen", str(citizen), "--corpus", str(corpus)]
    assert main([*args, "--work", str(tmp_path / "work"), "--out", str(out), "--version", "test-1"]) == 0

    model = models.Model.load(out)
    assert model.version == "test-1"
    assert model.ranker.shape == (len(features.RANKING),)
    assert model.answerability.shape == model.correctness.shape == (len(features.ANSWERABILITY),)
    assert model.head is not None and model.head.shape == (512, 512) and model.embedding_model == "usem3"
    assert 0.0 < model.threshold < 1.0
    for name, w in zip(features.ANSWERABILITY_NAMES, model.answerability, strict=True):
        assert w * features.SIGNS[name] >= 0, name  # the signs the trainer must keep
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert "training questions of" in saved["trained_on"] and (tmp_path / saved["head"]["file"]).exists()
    # the ranker's trees: a LightGBM model text beside the weights, read back and scoring rows
    assert (tmp_path / saved["ranker"]["trees"]["file"]).read_text(encoding="utf-8") == model.trees
    rows = np.random.default_rng(0).random((5, len(features.RANKING)))
    assert model.score(rows).shape == (5,) and np.isfinite(model.score(rows)).all()
    # the JSON records the trees' and the head's sha256: a file from another training is refused
    trees_file = tmp_path / saved["ranker"]["trees"]["file"]
    trees_file.write_text(model.trees.replace("tree_sizes", "tree_sizes ", 1), encoding="utf-8")
    with pytest.raises(ValueError, match=r"weights\.ranker\.txt is not the file.*make train"):
        models.Model.load(out)
    # what the trainer read of the external set: its training half only
    pairs = squad_corpus(squad, tmp_path / "again")
    assert {h for h, _ in pairs} == {"train", "check"}
    assert all(half_of(e.title) == h for h, e in pairs)


def test_the_threshold_refuses_at_most_one_answerable_question_in_25():
    rng = np.random.default_rng(0)
    p = rng.random(1000)
    in_scope = rng.random(1000) < 0.7
    t = threshold_for(p, in_scope, np.ones(1000))
    refused = float((p[in_scope] < t).mean())
    assert refused <= 1 / 25 + 1e-9 and refused > 1 / 25 - 0.01


def test_the_shipped_weights_load_and_match_the_features():
    model = models.Model.load()
    assert model.version and model.head is not None and model.trees
    # the trees rank: a candidate holding more of the question, in a better paragraph, scores higher
    low = np.zeros((1, len(features.RANKING)))
    high = low.copy()
    for name in ("bm25_sentence", "bm25_paragraph", "dense", "cover_context", "focus_chars"):
        high[0, features.column(name)] = 1.0
    assert model.score(high)[0] > model.score(low)[0]
    assert len(PARAGRAPHS) == 3  # the tiny set above is the benchmark test's


def _weights_copy(folder: Path) -> tuple[Path, dict]:  # type: ignore[type-arg]
    for f in models.MODEL_FILE.parent.glob("weights.*"):
        shutil.copy(f, folder / f.name)
    copy = folder / models.MODEL_FILE.name
    return copy, json.loads(copy.read_text(encoding="utf-8"))


def test_a_weights_file_that_lacks_a_feature_or_has_one_too_many_is_refused(tmp_path: Path):
    """Issue 25: weights are keyed by feature name; a file from before a feature was added (or
    after one was removed) is refused with what to do, never read by position."""
    copy, d = _weights_copy(tmp_path)
    assert list(d["ranker"]["weights"]) == [f.name for f in features.RANKING]
    attribute = d["ranker"]["weights"].pop("attribute")
    d["answerability"]["weights"]["shoe_size"] = 0.5
    copy.write_text(json.dumps(d), encoding="utf-8")
    with pytest.raises(models.WeightsError, match=r"lacks the ranking feature.s. attribute; retrain with: make train"):
        models.Model.load(copy)
    d["ranker"]["weights"]["attribute"] = attribute
    copy.write_text(json.dumps(d), encoding="utf-8")
    with pytest.raises(models.WeightsError, match=r"has shoe_size, which this version does not compute.*make train"):
        models.Model.load(copy)
    del d["answerability"]["weights"]["shoe_size"]
    d["ranker"]["weights"] = dict(reversed(list(d["ranker"]["weights"].items())))  # order is free
    copy.write_text(json.dumps(d), encoding="utf-8")
    assert np.array_equal(models.Model.load(copy).ranker, models.Model.load().ranker)


def test_weights_trained_with_another_embedding_model_are_refused(tmp_path: Path, stub_index: Path):
    """Issue 25: the shipped weights (USE-m3) were read silently for an index of another model."""
    from quoteqa.qa import QA

    with pytest.raises(models.WeightsError, match=r"trained with the embedding model .usem3..*--model stub-bigram"):
        QA.load(stub_index, weights=models.MODEL_FILE)
    copy, d = _weights_copy(tmp_path)
    d["embedding_model"] = "stub-bigram"
    del d["head"]
    copy.write_text(json.dumps(d), encoding="utf-8")
    qa = QA.load(stub_index, weights=copy)  # weights for it are taken
    assert qa.weights.embedding_model == "stub-bigram" and qa.ask("上半年新增了多少就业岗位?").found
