"""The optional reader loads a local CrossEncoder folder offline and scores question–sentence pairs.

The cross-encoder here is a tiny random BERT (two layers of width 32) built in a temporary folder:
its scores mean nothing, but they are real model outputs, so shapes, batching and refusals are real.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from sentence_transformers import CrossEncoder
from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

from quoteqa.ask.reader import MAX_LENGTH, Reader, ReaderError, load_reader
from quoteqa.index.embedding import offline

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "武进区上半年新增就业多少人?"
SENTENCES = ["武进区今年上半年新增就业5.7万人。", "区长是谁?", "The quick brown fox."]
VOCAB = [
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
    *"武进区今年上半年新增就业人数万多少是谁的了在和有长。?",
    *"abcdefghijklmnopqrstuvwxyz0123456789?.,", "the", "quick", "brown", "fox",
    *(f"##{c}" for c in "abcdefghijklmnopqrstuvwxyz0123456789"),
]  # fmt: skip


def tiny_bert(folder: Path, *, num_labels: int) -> Path:
    """A random BertForSequenceClassification and its tokenizer, saved as transformers saves them."""
    folder.mkdir(parents=True, exist_ok=True)
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(VOCAB),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=512,
        initializer_range=0.5,  # wide weights, so that sentences score apart and a padding bug would show
    )
    config.num_labels = num_labels  # a property of every config, not one of BertConfig's typed arguments
    BertForSequenceClassification(config).eval().save_pretrained(folder)
    # transformers 5 takes the vocabulary as ``vocab``: ``vocab_file=`` is swallowed by **kwargs, leaving
    # a tokenizer of special tokens only.
    BertTokenizer(vocab=str(vocab)).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def hf_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_bert(tmp_path_factory.mktemp("reader") / "tiny-bert", num_labels=1)


@pytest.fixture(scope="module")
def ce_folder(tmp_path_factory: pytest.TempPathFactory, hf_folder: Path) -> Path:
    """The tiny model after one round through CrossEncoder.save: the layout a user's reranker folder has."""
    offline()
    folder = tmp_path_factory.mktemp("reader") / "tiny-reranker"
    CrossEncoder(str(hf_folder), device="cpu", local_files_only=True).save(str(folder))
    return folder


@pytest.fixture(scope="module")
def reader(ce_folder: Path) -> Reader:
    return load_reader(ce_folder)


def test_scores_one_finite_float_per_sentence(reader: Reader, ce_folder: Path) -> None:
    assert reader.path == ce_folder
    assert reader.name == "tiny-reranker"
    scores = reader.scores(QUESTION, SENTENCES)
    assert scores.dtype == np.float64
    assert scores.shape == (3,)
    assert np.isfinite(scores).all()
    assert len(set(scores.tolist())) == 3  # the sentences differ, so their scores do
    np.testing.assert_array_equal(reader.scores(QUESTION, SENTENCES), scores)  # deterministic: no dropout
    empty = reader.scores(QUESTION, [])
    assert empty.dtype == np.float64
    assert empty.shape == (0,)


def test_a_pair_scores_the_same_alone_and_in_a_batch(reader: Reader) -> None:
    batch = reader.scores(QUESTION, SENTENCES)
    for i, sentence in enumerate(SENTENCES):
        alone = reader.scores(QUESTION, [sentence])
        assert alone[0] == pytest.approx(batch[i], abs=1e-5)


def test_a_transformers_folder_loads_as_well(hf_folder: Path, reader: Reader) -> None:
    plain = load_reader(str(hf_folder))  # save_pretrained's layout, and a str path
    assert plain.name == "tiny-bert"
    np.testing.assert_allclose(plain.scores(QUESTION, SENTENCES), reader.scores(QUESTION, SENTENCES), atol=1e-5)


def test_the_tokenizer_reads_the_text(reader: Reader) -> None:
    assert reader.model.tokenizer.tokenize("武进区 Quick fox") == ["武", "进", "区", "quick", "fox"]


def test_long_pairs_are_cut_to_the_max_length(reader: Reader) -> None:
    features = reader.model.preprocess([(QUESTION, "武进区" * 1000)])
    assert features["input_ids"].shape[1] == MAX_LENGTH
    long = reader.scores(QUESTION, ["武进区" * 1000, SENTENCES[0]])
    assert np.isfinite(long).all()


def refused(path: Path) -> str:
    with pytest.raises(ReaderError) as caught:
        load_reader(path)
    message = str(caught.value)
    assert str(path) in message
    assert "CrossEncoder" in message
    assert "\n" not in message
    return message


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    assert "no such folder" in refused(tmp_path / "nowhere")


def test_a_file_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "model.safetensors"
    file.write_bytes(b"\0")
    assert "not a folder" in refused(file)


def test_a_folder_without_config_is_refused(tmp_path: Path, hf_folder: Path) -> None:
    folder = tmp_path / "no-config"
    shutil.copytree(hf_folder, folder)
    (folder / "config.json").unlink()
    assert "no config.json" in refused(folder)


def test_a_classifier_with_three_labels_is_refused(tmp_path: Path) -> None:
    message = refused(tiny_bert(tmp_path / "three-labels", num_labels=3))
    assert "3 outputs" in message
    assert "num_labels=1" in message


def test_two_labels_are_refused_after_loading(tmp_path: Path) -> None:
    # transformers writes no id2label for its default of two labels, so only the loaded model tells.
    folder = tiny_bert(tmp_path / "default-labels", num_labels=2)
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    assert "id2label" not in config
    assert "num_labels" not in config
    assert "2 outputs" in refused(folder)


def test_an_encoder_without_a_scoring_head_is_refused(tmp_path: Path, hf_folder: Path) -> None:
    folder = tmp_path / "embedding-model"
    shutil.copytree(hf_folder, folder)
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    config["architectures"] = ["BertModel"]
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    assert "BertModel" in refused(folder)


def test_a_folder_without_weights_is_refused(tmp_path: Path, hf_folder: Path) -> None:
    folder = tmp_path / "no-weights"
    shutil.copytree(hf_folder, folder)
    (folder / "model.safetensors").unlink()
    assert "no model weights" in refused(folder)


def test_broken_weights_are_one_line_not_a_traceback(tmp_path: Path, ce_folder: Path) -> None:
    folder = tmp_path / "broken"
    shutil.copytree(ce_folder, folder)
    (folder / "model.safetensors").write_bytes(b"not a safetensors file" * 10)
    assert "cannot load the CrossEncoder" in refused(folder)


def test_a_folder_without_tokenizer_is_refused(tmp_path: Path, ce_folder: Path) -> None:
    # transformers would quietly build a tokenizer of special tokens only, and every word would be [UNK].
    folder = tmp_path / "no-tokenizer"
    shutil.copytree(ce_folder, folder)
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        (folder / name).unlink(missing_ok=True)
    assert "no tokenizer files" in refused(folder)


def test_importing_the_reader_does_not_import_torch() -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run(
        [sys.executable, "-c", "import quoteqa.ask.reader, sys; print('torch' in sys.modules)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
    )
    assert out.stdout.strip() == "False"


# --- at the doors: QA.load(reader=...) and quoteqa ask --reader ------------------------------------


def test_a_reader_reorders_only_the_best_candidates(stub_index: Path, ce_folder: Path) -> None:
    from quoteqa.ask import answer as answering
    from quoteqa.ask.question import analyse
    from quoteqa.qa import QA, READER_TOP

    plain = QA.load(stub_index)
    read = QA.load(stub_index, reader=ce_folder)
    assert read.reader is not None and plain.reader is None
    question = "上半年新增了多少就业岗位?"
    query = analyse(plain.index, question, holds=plain.weights.holds)
    vector = answering.question_vector(plain.index, plain.weights, question)
    ranked = answering.rank(plain.index, plain.weights, query, vector)
    reread = read.reread(question, ranked)
    assert sorted(s.sentence for s in reread[:READER_TOP]) == sorted(s.sentence for s in ranked[:READER_TOP])
    assert [s.sentence for s in reread[READER_TOP:]] == [s.sentence for s in ranked[READER_TOP:]]
    texts = [read.index.sentences[s.sentence].text for s in ranked[:READER_TOP]]
    scores = read.reader.scores(question, texts)
    assert read.index.sentences[reread[0].sentence].text == texts[int(np.argmax(scores))]
    answer = read.ask(question)
    assert answer.question == question  # answers through the reader, by the same path


def test_ask_with_a_bad_reader_folder_says_how_to_fix_it(
    stub_index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from quoteqa.cli import main

    code = main(["ask", "--index", str(stub_index), "--reader", str(tmp_path / "nothing"), "新增上市企业几家?"])
    err = capsys.readouterr().err
    assert code == 1 and "nothing" in err and "CrossEncoder" in err and "Traceback" not in err
