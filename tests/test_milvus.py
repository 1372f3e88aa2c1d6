"""The Milvus store (Milvus Lite, in process): the same answers as the local store, periods and
left-out paragraphs as filters, incremental builds that replace and delete rows, and a build that
dies half way leaves nothing a question can see."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import stub_model

from quoteqa.index.build import build
from quoteqa.index.search import LocalStore, Scope, StoreError, check_uri
from quoteqa.index.store import read_manifest
from quoteqa.qa import QA

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "wujin-2024-07-plenary.txt"
ARCHIVE = Path(__file__).parent / "data" / "archive"  # synthetic test data, two years of one report


def questions(n: int = 60) -> list[dict[str, object]]:
    lines = (ROOT / "bench" / "sets" / "citizen_dev.jsonl").read_text(encoding="utf-8").splitlines()
    lines += (ROOT / "bench" / "sets" / "dev_questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[:: max(1, len(lines) // n)]]


def corpus_of(tmp: Path, *files: Path) -> Path:
    corpus = tmp / "corpus"
    corpus.mkdir(parents=True)
    for f in files:
        shutil.copy(f, corpus / f.name)
    return corpus


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[QA, QA]:
    """The bundled articles and the synthetic archive, indexed locally and in Milvus Lite."""
    tmp = tmp_path_factory.mktemp("stores")
    corpus = corpus_of(tmp, SEED, *ARCHIVE.iterdir())
    build(corpus, tmp / "local", model_name=stub_model.STUB)
    build(corpus, tmp / "milvus", model_name=stub_model.STUB, store=f"milvus:{tmp / 'archive.db'}")
    return QA.load(tmp / "local"), QA.load(tmp / "milvus")


def test_the_manifest_records_the_store(pair: tuple[QA, QA]):
    local, milvus = pair
    assert local.index.manifest["store"] == {"uri": "local"} and isinstance(local.index.store, LocalStore)
    record = milvus.index.manifest["store"]
    assert record["uri"].startswith("milvus:/") and record["dense_index"] == "FLAT" and record["retired"] == []
    assert milvus.index.store.kind == "milvus"
    assert not (milvus.index.path / "ann.faiss").exists()


def test_a_server_needs_only_the_articles_and_the_vocabulary(pair: tuple[QA, QA], tmp_path: Path):
    from quoteqa.index.store import serving_file

    _, milvus = pair
    served = tmp_path / "served"
    shutil.copytree(milvus.index.path, served)
    builder_only = [rel for rel in milvus.index.manifest["index_files"] if not serving_file(rel)]
    assert "vectors.bin" in builder_only and "bm25_sentences/docs.npy" in builder_only
    for rel in builder_only:
        (served / rel).unlink()  # the embedding cache and the postings stay with the builder
    qa = QA.load(served)
    q = "上半年旅游总收入是多少?"
    assert qa.ask(q, since="2024").answer == milvus.ask(q, since="2024").answer
    qa.index.store.close()


def test_searches_return_the_local_hits_and_scores(pair: tuple[QA, QA]):
    local, milvus = pair
    for d in questions(20):
        q = str(d["question"])
        query = local.prepare(q).query
        vec = local.prepare(q).vector
        for level in ("sentence", "paragraph"):
            a = local.index.store.lexical(query.tokens, 30, level)  # type: ignore[arg-type]
            b = milvus.index.store.lexical(query.tokens, 30, level)  # type: ignore[arg-type]
            assert np.allclose(a.scores, b.scores, rtol=1e-4), q
            ids = np.union1d(a.ids, b.ids)
            assert np.allclose(
                local.index.store.lexical_scores(query.tokens, ids, level),  # type: ignore[arg-type]
                milvus.index.store.lexical_scores(query.tokens, ids, level),  # type: ignore[arg-type]
                rtol=1e-4,
            )
        a, b = local.index.store.dense(vec, 30), milvus.index.store.dense(vec, 30)
        assert np.allclose(a.scores, b.scores, atol=1e-5)
        assert np.allclose(local.index.store.vectors(a.ids), milvus.index.store.vectors(a.ids), atol=1e-6)


def test_questions_get_the_same_answer_from_both_stores(pair: tuple[QA, QA]):
    local, milvus = pair
    for d in questions():
        history = d.get("history")
        a = local.ask(str(d["question"]), history=history)  # type: ignore[arg-type]
        b = milvus.ask(str(d["question"]), history=history)  # type: ignore[arg-type]
        assert (a.found, a.answer, [c.quote for c in a.citations]) == (
            b.found,
            b.answer,
            [c.quote for c in b.citations],
        )
    for claim in ("上半年旅游总收入超过100亿元", "新增就业岗位5.7万个", "上半年旅游总收入88.1亿元"):
        assert local.verify(claim).verdict == milvus.verify(claim).verdict


def test_periods_and_left_out_paragraphs_are_milvus_filters(pair: tuple[QA, QA]):
    local, milvus = pair
    q = "上半年旅游总收入是多少?"
    for since, until in (("2024", None), (None, "2023-12"), ("2025", None), ("2023-07-16", "2023-07-16")):
        a, b = local.ask(q, since=since, until=until), milvus.ask(q, since=since, until=until)
        assert (a.found, a.answer, [c.date for c in a.citations]) == (b.found, b.answer, [c.date for c in b.citations])
    assert milvus.ask(q, until="2023").citations[0].date == "2023-07-16"
    query = milvus.prepare(q).query
    best = milvus.index.store.lexical(query.tokens, 5, "paragraph")
    scope = Scope(exclude=frozenset(best.ids[:2].tolist()))
    left = milvus.index.store.lexical(query.tokens, 5, "paragraph", scope)
    assert not set(best.ids[:2].tolist()) & set(left.ids.tolist())
    sentences = milvus.index.store.lexical(query.tokens, 30, "sentence", scope)
    assert not set(milvus.index.sent_para[sentences.ids].tolist()) & scope.exclude


def milvus_rows(uri: str, record: dict[str, object]) -> dict[str, int]:
    from quoteqa.index.milvus import connect, disconnect

    client = connect(uri)
    try:
        names = record["collections"]
        assert isinstance(names, dict)
        return {k: len(client.query(v, filter="key >= 0", output_fields=["key"])) for k, v in names.items()}
    finally:
        disconnect(client, uri)


@pytest.mark.full  # Milvus Lite servers (subprocesses) for several builds: 9-16 s
def test_incremental_builds_replace_changed_files_and_delete_removed_ones(tmp_path: Path):
    corpus = corpus_of(tmp_path, SEED, *ARCHIVE.iterdir())
    uri = f"milvus:{tmp_path / 'archive.db'}"
    index = tmp_path / "index"
    build(corpus, index, model_name=stub_model.STUB, store=uri)
    first = read_manifest(index)["store"]
    seed_no = first["files"][SEED.name][0]
    # 2024's report changes a figure, 2023's is removed, a new file arrives.
    report = corpus / "2024-07-15-tourism.txt"
    report.write_text(report.read_text(encoding="utf-8").replace("95.37亿元", "96.5亿元"), encoding="utf-8")
    (corpus / "2023-07-16-tourism.txt").unlink()
    (corpus / "2024-08-01-parks.txt").write_text("公园建设\n\n今年新增口袋公园12个。\n", encoding="utf-8")
    build(corpus, index, model_name=stub_model.STUB)  # the store the index records
    second = read_manifest(index)["store"]
    assert second["uri"] == first["uri"] and second["collections"] == first["collections"]
    assert second["files"][SEED.name][0] == seed_no  # unchanged: its rows stay
    assert second["files"]["2024-07-15-tourism.txt"][0] != first["files"]["2024-07-15-tourism.txt"][0]
    assert "2023-07-16-tourism.txt" not in second["files"] and len(second["retired"]) == 2
    manifest = read_manifest(index)
    assert milvus_rows(uri, second) == {
        "sentences": manifest["counts"]["sentences"],
        "paragraphs": manifest["counts"]["paragraphs"],
    }
    qa = QA.load(index)
    assert "96.5亿元" in qa.ask("上半年旅游总收入是多少?").answer
    assert "12个" in qa.ask("新增口袋公园多少个?").answer
    assert not qa.ask("上半年旅游总收入是多少?", until="2023").found
    qa.index.store.close()
    build(corpus, index, model_name=stub_model.STUB, reuse=False)  # --full: every row again, new collections
    third = read_manifest(index)["store"]
    assert third["collections"] != second["collections"] and third["dropped"] == sorted(second["collections"].values())
    from quoteqa.index.milvus import connect, disconnect

    client = connect(uri)
    assert not any(client.has_collection(c) for c in second["collections"].values())
    disconnect(client, uri)
    assert milvus_rows(uri, third)["sentences"] == read_manifest(index)["counts"]["sentences"]


@pytest.mark.full  # Milvus Lite servers (subprocesses) for several builds: 9-16 s
def test_a_build_killed_after_writing_milvus_leaves_the_old_index_answering(tmp_path: Path):
    corpus = corpus_of(tmp_path, SEED)
    uri = f"milvus:{tmp_path / 'archive.db'}"
    index = tmp_path / "index"
    build(corpus, index, model_name=stub_model.STUB, store=uri)
    (corpus / "2024-08-01-parks.txt").write_text("公园建设\n\n今年新增口袋公园12个。\n", encoding="utf-8")
    code = (
        "import sys, stub_model; stub_model.register(); from pathlib import Path; "
        "from quoteqa.index.build import build; "
        f"build(Path({str(corpus)!r}), Path({str(index)!r}), model_name=stub_model.STUB)"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    crash_at = str(Path(__file__).with_name("crash_at.py"))
    listed = subprocess.run(
        [sys.executable, crash_at, "list", "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    steps = [line for line in listed.stderr.splitlines() if line.startswith("quoteqa fault step")]
    assert listed.returncode == 0, listed.stderr[-2000:]
    step = next(int(s.split()[3].rstrip(":")) for s in steps if s.endswith("Milvus rows written"))
    # The listing run built the index; take the new file out so the killed build adds it again.
    (corpus / "2024-08-01-parks.txt").unlink()
    build(corpus, index, model_name=stub_model.STUB)
    (corpus / "2024-08-01-parks.txt").write_text("公园建设\n\n今年新增口袋公园12个。\n", encoding="utf-8")
    killed = subprocess.run(
        [sys.executable, crash_at, str(step), "-c", code], env=env, capture_output=True, timeout=300
    )
    assert killed.returncode == -9
    qa = QA.load(index)  # the old index: its manifest does not list the rows the killed build wrote
    record = qa.index.manifest["store"]
    assert "2024-08-01-parks.txt" not in record["files"]
    n = len(qa.index.sentences)
    assert milvus_rows(uri, record)["sentences"] > n  # the killed build's rows are in Milvus …
    hits = qa.index.store.dense(qa.prepare("新增口袋公园多少个?").vector, 500)
    assert sorted(hits.ids.tolist()) == list(range(n))  # … and no search returns them
    assert "口袋公园" not in qa.ask("新增口袋公园多少个?").answer
    qa.index.store.close()
    build(corpus, index, model_name=stub_model.STUB)  # clears the rows of the killed build
    record = read_manifest(index)["store"]
    assert milvus_rows(uri, record)["sentences"] == read_manifest(index)["counts"]["sentences"]
    qa = QA.load(index)
    assert "12个" in qa.ask("新增口袋公园多少个?").answer
    qa.index.store.close()


@pytest.mark.parametrize("uri", ["mysql://db", "milvus:archive", "milvus", ""])
def test_a_store_that_is_not_one_is_refused_with_what_to_write(uri: str):
    with pytest.raises(StoreError, match="--store") as err:
        check_uri(uri)
    assert "milvus:path/archive.db" in str(err.value) or ".db" in str(err.value)


def test_the_cli_builds_into_milvus_and_refuses_a_bad_store(tmp_path: Path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    from test_cli import run

    corpus = corpus_of(tmp_path, SEED)
    code, _, err = run(capsys, monkeypatch, "build", "--corpus", str(corpus), "--index", str(tmp_path / "i"),
                       "--store", "mysql://db", "--model", stub_model.STUB)  # fmt: skip
    assert code == 1 and "'mysql://db' names no store" in err and "Traceback" not in err
    code, _, err = run(capsys, monkeypatch, "build", "--corpus", str(corpus), "--index", str(tmp_path / "i"),
                       "--store", f"milvus:{tmp_path / 'a.db'}", "--model", stub_model.STUB)  # fmt: skip
    assert code == 0, err
    assert read_manifest(tmp_path / "i")["store"]["uri"] == f"milvus:{tmp_path / 'a.db'}"


def test_shards_embedded_elsewhere_are_written_to_milvus_without_embedding_again(tmp_path: Path):
    shards = [corpus_of(tmp_path / "a", SEED), corpus_of(tmp_path / "b", *ARCHIVE.iterdir())]
    for n, shard in enumerate(shards):  # one machine each: a local build embeds its shard
        assert build(shard, tmp_path / f"shard{n}", model_name=stub_model.STUB).embedded > 0
    union = corpus_of(tmp_path / "all", SEED, *ARCHIVE.iterdir())
    stats = build(union, tmp_path / "index", model_name=stub_model.STUB, store=f"milvus:{tmp_path / 'a.db'}",
                  reuse_from=[tmp_path / "shard0", tmp_path / "shard1"])  # fmt: skip
    assert stats.embedded == 0 and stats.reused == stats.sentences
    qa = QA.load(tmp_path / "index")
    assert "88.1亿元" in qa.ask("上半年旅游总收入是多少?", until="2023").answer
    qa.index.store.close()


def test_only_an_index_in_a_milvus_server_is_shared_and_never_rebuilt_by_an_app(pair: tuple[QA, QA]):
    from quoteqa.index.store import shared

    local, milvus = pair
    assert not shared(local.index.manifest) and not shared(milvus.index.manifest)  # Lite: one process
    assert shared({"store": {"uri": "http://milvus.internal:19530"}})


def test_above_the_exact_limit_milvus_searches_an_inverted_file(tmp_path: Path):
    corpus = corpus_of(tmp_path, SEED, *ARCHIVE.iterdir())
    build(corpus, tmp_path / "local", model_name=stub_model.STUB)
    build(corpus, tmp_path / "index", model_name=stub_model.STUB, store=f"milvus:{tmp_path / 'a.db'}", exact_limit=20)
    assert read_manifest(tmp_path / "index")["store"]["dense_index"] == "IVF_FLAT"  # Lite has no IVF_SQ8
    local, milvus = QA.load(tmp_path / "local"), QA.load(tmp_path / "index")
    vec = local.prepare("上半年旅游总收入是多少?").vector
    ids = local.index.store.dense(vec, 10).ids
    assert np.allclose(milvus.index.store.cosines(vec, ids), local.index.store.cosines(vec, ids), atol=1e-5)
    assert "95.37亿元" in milvus.ask("上半年旅游总收入是多少?", since="2024").answer
    milvus.index.store.close()


def test_a_server_that_never_answers_is_given_up_with_the_lock_released(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 24, row 11: a fake Milvus that accepts connections and never answers held the build
    and its index lock forever."""
    import socket
    import threading

    from quoteqa.index import milvus

    monkeypatch.setattr(milvus, "CONNECT_TIMEOUT", 2.0)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])  # never a byte back
            except OSError:
                continue

    threading.Thread(target=accept, daemon=True).start()
    port = listener.getsockname()[1]
    corpus = corpus_of(tmp_path, SEED)
    try:
        start = time.monotonic()
        with pytest.raises(StoreError, match="within 2 s"):
            build(corpus, tmp_path / "index", model_name=stub_model.STUB, store=f"http://127.0.0.1:{port}")
        assert time.monotonic() - start < 30
        build(corpus, tmp_path / "index", model_name=stub_model.STUB)  # the lock was released
    finally:
        stop.set()
        for c in held:
            c.close()
        listener.close()


def test_a_file_that_is_not_a_milvus_lite_store_is_left_alone(tmp_path: Path) -> None:
    """Issue 24: ``milvus:`` naming a reader's feedback file added Milvus's tables to it."""
    import sqlite3

    corpus = corpus_of(tmp_path, SEED)
    other = tmp_path / "feedback.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE votes (t REAL)")
    text = tmp_path / "notes.db"
    text.write_text("my notes", encoding="utf-8")
    for path in (other, text):
        before = path.read_bytes()
        with pytest.raises(StoreError, match="is not a Milvus Lite store"):
            build(corpus, tmp_path / "index", model_name=stub_model.STUB, store=f"milvus:{path}")
        assert path.read_bytes() == before


@pytest.mark.full  # Milvus Lite servers (subprocesses) for several builds: 9-16 s
def test_a_store_that_stops_answering_refuses_the_question_and_recovers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 24, row 11: no search had a deadline, so a Milvus that stopped answering held every
    question (and a worker of the app) forever. The Milvus Lite server is paused with SIGSTOP."""
    import signal

    from quoteqa.index import milvus
    from quoteqa.language.inputs import InputError

    monkeypatch.setattr(milvus, "QUERY_TIMEOUT", 2.0)
    monkeypatch.setattr(milvus, "CALL_TIMEOUT", 2.0)
    corpus = corpus_of(tmp_path, SEED)
    build(corpus, tmp_path / "index", model_name=stub_model.STUB, store=f"milvus:{tmp_path / 'store.db'}")
    qa = QA.load(tmp_path / "index")
    assert qa.ask("上半年新增了多少就业岗位?").found
    listed = subprocess.run(
        ["ps", "-ww", "-o", "pid=,args=", "--ppid", str(os.getpid())], capture_output=True, text=True
    )
    server = [int(line.split()[0]) for line in listed.stdout.splitlines() if str(tmp_path / "store.db") in line]
    assert len(server) == 1, listed.stdout
    os.kill(server[0], signal.SIGSTOP)
    try:
        start = time.monotonic()
        with pytest.raises(InputError, match="文章库暂时没有回应") as refused:
            qa.ask("上半年旅游总收入是多少?")
        assert refused.value.code == "store_unavailable" and time.monotonic() - start < 10
        with pytest.raises(InputError, match="文章库暂时没有回应"):
            qa.verify("上半年武进旅游总收入超过100亿元。")
        (corpus / "more.txt").write_text("新文章\n\n新的一段话。\n", encoding="utf-8")
        store = f"milvus:{tmp_path / 'store.db'}"  # a build writing to it gives up too, its lock released
        with pytest.raises(StoreError, match="gave no answer within 2 s while the build wrote it"):
            build(corpus, tmp_path / "index", model_name=stub_model.STUB, store=store)
    finally:
        os.kill(server[0], signal.SIGCONT)
    assert qa.ask("上半年旅游总收入是多少?").found  # the store is back, and so are the answers
    build(corpus, tmp_path / "index", model_name=stub_model.STUB, store=f"milvus:{tmp_path / 'store.db'}")
