"""``make bench``: quality and speed on every question and claim set, beside the baselines, in one run."""

from __future__ import annotations

import json
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from quoteqa.index.build import build
from quoteqa.index.store import Index
from quoteqa.ingest.text import CJK, is_cjk, normalize
from quoteqa.learn.trainer import CMRC_DEFAULT, DRCD_DEFAULT, ROOT
from quoteqa.qa import QA

from . import files, startup
from .bands import band_table, conversation_table
from .encoders import e5_methods
from .kinds import kind_table
from .score import Answerer, Item, Reply, Scores, load_items, score

# A baseline has no conversation: it is given the previous question and the follow-up as one text.
Single = Callable[[str], Reply]


def with_previous(answer: Single) -> Answerer:
    return lambda q, history: answer(" ".join([*history[-1:], q]))


TOP = 5  # quotes and passages a method returns, best first (quote@k reads the first k; passage@5 all)
POOL = 50  # sentences a sentence baseline reads to find its five best paragraphs


def _bigram_tokens(text: str) -> list[str]:
    """Character bigrams only: the classic Chinese BM25 baseline."""
    out: list[str] = []
    for run in re.findall(f"[{CJK}]+|[a-z0-9]+", normalize(text)):
        out.extend([run[i : i + 2] for i in range(len(run) - 1)] if is_cjk(run[0]) and len(run) > 1 else [run])
    return out


def _passages(index: Index, paragraph_ids: list[int]) -> tuple[list[str], list[str]]:
    """Texts and corpus files of paragraphs, best first."""
    pids = list(dict.fromkeys(paragraph_ids))[:TOP]
    return [index.paragraphs[p].text for p in pids], [index.articles[int(index.para_article[p])].doc for p in pids]


def _sentence_reply(index: Index, sentence_ids: list[int]) -> Reply:
    """A sentence method's reply: its best sentences, and the distinct paragraphs they stand in."""
    texts, docs = _passages(index, [int(index.sent_para[i]) for i in sentence_ids])
    return Reply(True, [index.sentences[i].text for i in sentence_ids[:TOP]], texts, docs)


def bm25s_module() -> Any:
    """Import bm25s (the baselines use it; a development dependency), which sets its own logger
    to DEBUG, and quiet it again."""
    import logging

    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


def bm25_baseline(index: Index) -> Single:
    bm25s = bm25s_module()
    texts = [s.text for s in index.sentences]
    retriever = bm25s.BM25()
    retriever.index([_bigram_tokens(t) or [""] for t in texts], show_progress=False)
    vocab = retriever.vocab_dict

    def answer(q: str) -> Reply:
        toks = [t for t in _bigram_tokens(q) if t in vocab and t]
        scores = retriever.get_scores(toks) if toks else np.zeros(len(texts))
        return _sentence_reply(index, np.argsort(-scores)[:POOL].tolist())

    return answer


def dense_baseline(index: Index) -> Single:
    def answer(q: str) -> Reply:
        return _sentence_reply(index, index.store.dense(index.embed_query(q), POOL).ids.tolist())

    return answer


def chatchat_baseline(index: Index) -> Single:
    """Langchain-Chatchat style: jieba BM25 + dense over chunks, 50/50 RRF, whole chunks returned."""
    import bm25s
    import jieba

    from quoteqa.index.embedding import encode

    jieba.setLogLevel(60)
    chunks = [p.text for p in index.paragraphs]

    def cut(t: str) -> list[str]:
        return [w for w in jieba.lcut(t) if w.strip()] or [""]

    retriever = bm25s.BM25()
    retriever.index([cut(c) for c in chunks], show_progress=False)
    vecs = encode(index.model, chunks)

    def answer(q: str) -> Reply:
        words = [w for w in cut(q) if w in retriever.vocab_dict and w]
        bm = retriever.get_scores(words) if words else np.zeros(len(chunks))
        dn = vecs @ index.embed_query(q)
        fused: dict[int, float] = {}
        for ranking in (np.argsort(-bm), np.argsort(-dn)):
            for r, i in enumerate(ranking[:10].tolist()):
                fused[i] = fused.get(i, 0.0) + 0.5 / (60 + r)
        texts, docs = _passages(index, sorted(fused, key=lambda i: -fused[i]))
        return Reply(True, texts, texts, docs)  # a chunk is its own quote

    return answer


def _timed(answer: Answerer, items: list[Item], index: Index) -> tuple[Scores, list[float], float]:
    """Scores, per-question milliseconds and mean quote length of one method; each question is
    embedded afresh (the index keeps recent query vectors, which the methods asked later would
    otherwise get for free)."""
    times: list[float] = []
    lengths: list[int] = []

    def wrapped(q: str, history: tuple[str, ...]) -> Reply:
        index.queries.clear()
        t = time.perf_counter()
        out = answer(q, history)
        times.append(1000 * (time.perf_counter() - t))
        lengths.append(len(out.quotes[0]) if out.found and out.quotes else 0)
        return out

    answer(items[0].question, ())  # warm
    s = score(items, wrapped)
    return s, times, statistics.mean(x for x in lengths if x) if any(lengths) else 0.0


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


def cli_warm_cost(index: Path, questions: list[str]) -> float:
    """ms per question: `quoteqa ask` over the questions five times on stdin, minus a run over them
    once (both runs pay every one-time cost: the start, and what is built on first need)."""

    def run(qs: list[str]) -> float:
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "quoteqa", "ask", "--json", "--index", str(index)],
            input="\n".join(qs) + "\n",
            capture_output=True,
            text=True,
            check=False,
        )
        return time.perf_counter() - t

    once = statistics.median(run(questions) for _ in range(3))
    five = statistics.median(run(questions * 5) for _ in range(3))
    return 1000 * (five - once) / (4 * len(questions))


def app_ready_seconds(corpus: Path, index: Path) -> float:
    """Seconds from `python app.py` to the first answered /ask request (index already built)."""
    from .app import start_app

    start = time.perf_counter()
    try:
        proc, _ = start_app(index.parent, ["--corpus", str(corpus), "--index", str(index)], timeout=120, poll=0.1)
    except RuntimeError:
        return float("nan")
    ready = time.perf_counter() - start
    proc.terminate()
    proc.wait(timeout=20)
    return ready


def build_throughput(corpus: Path, work: Path) -> tuple[int, float]:
    """(sentences embedded, embedded sentences/s) of a full build over a synthetic corpus, model
    load excluded; recombined sentences repeat, and a repeat is embedded once, so only the
    distinct sentences count."""
    from .corpora import source_sentences, synthetic_archive

    big = work / "synthetic"
    synthetic_archive(source_sentences(corpus, None), corpus, big, 3_000)
    stats = build(big, work / "synthetic-index", reuse=False)
    return stats.embedded, stats.embedded / max(stats.seconds - stats.model_seconds, 1e-9)


Row = tuple[str, Scores, list[float], float, float]  # name, scores, ms per question, quote chars, build s


@dataclass
class ClaimScores:
    right: int = 0
    false_contradicted: int = 0  # a true claim called 不一致: the worst error
    true_missed: int = 0  # a true claim called 未找到
    verbatim: int = 0
    wrong: list[str] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    by_relation: dict[str, list[int]] = field(default_factory=dict)  # relation -> [right, claims]


def load_claims(path: Path) -> tuple[list[dict[str, str]], Path | None]:
    """A claim set: a JSONL file (claim, verdict[, corpus]) or a folder holding claims.jsonl and,
    for claims marked "corpus": "synthetic", the synthetic articles they are checked against."""
    folder = path if path.is_dir() else None
    file = path / "claims.jsonl" if folder else path
    claims = [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
    return claims, (folder / "corpus" if folder and (folder / "corpus").is_dir() else None)


def score_claims(qas: dict[str, QA], claims: list[dict[str, str]], intervals: bool = True) -> ClaimScores:
    """Verdicts of ``verify`` against the labels; claims name their corpus (bundled by default)."""
    from quoteqa.verify.check import verify

    sc = ClaimScores()
    for c in claims:
        qa = qas[c.get("corpus", "bundled")]
        qa.index.queries.clear()  # each claim embedded afresh, for both readings (see _timed)
        t = time.perf_counter()
        d = verify(qa.index, c["claim"], intervals=intervals).to_dict()
        sc.times.append(1000 * (time.perf_counter() - t))
        sc.right += d["verdict"] == c["verdict"]
        if "relation" in c:  # a computed-figure set: each relation's verdicts apart
            tally = sc.by_relation.setdefault(c["relation"], [0, 0])
            tally[0] += d["verdict"] == c["verdict"]
            tally[1] += 1
        sc.false_contradicted += c["verdict"] == "supported" and d["verdict"] == "contradicted"
        sc.true_missed += c["verdict"] == "supported" and d["verdict"] == "not_found"
        # verbatim: the evidence is a corpus sentence's text; none is only right for 未找到
        quoted = d["evidence"] != "" and any(d["evidence"] in s.text for s in qa.index.sentences)
        sc.verbatim += quoted or (d["evidence"] == "" and d["verdict"] == "not_found")
        if d["verdict"] != c["verdict"]:
            sc.wrong.append(f"{c['claim']} (expected {c['verdict']}, got {d['verdict']})")
    return sc


def _claims_table(qa: QA, path: Path, work: Path) -> str:
    """Verdict accuracy on a claim set, quoteqa beside bare-number comparison; a held-out set's
    misses are not printed (it is read, never studied)."""
    claims, synthetic = load_claims(path)
    qas = {"bundled": qa}
    if synthetic is not None:
        index = work / f"claims-{path.name}"
        build(synthetic, index, reuse=False)
        qas["synthetic"] = QA.load(index)
    qa.verify(claims[0]["claim"])  # warm
    n = len(claims)
    true = sum(c["verdict"] == "supported" for c in claims)
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    where = "on the bundled articles"
    if synthetic is not None:
        where = f"{sum(c.get('corpus') == 'synthetic' for c in claims)} of them on its synthetic articles"
    lines = [
        f"`{shown}`: {n} claims ({true} true), {where}.",
        "",
        "| method | verdict accuracy | true called 不一致 | true called 未找到 | evidence verbatim "
        "| p50 ms per claim | p95 ms per claim |",
        "|---|---|---|---|---|---|---|",
    ]
    scores = {}
    for name, intervals in (("quoteqa verify (figures as intervals)", True), ("bare numbers (baseline)", False)):
        sc = scores[name] = score_claims(qas, claims, intervals)
        lines.append(
            f"| {name} | {sc.right}/{n} | {sc.false_contradicted}/{true} | {sc.true_missed}/{true} "
            f"| {sc.verbatim}/{n} | {_pct(sc.times, 50):.1f} | {_pct(sc.times, 95):.1f} |"
        )
    ours, bare = scores["quoteqa verify (figures as intervals)"], scores["bare numbers (baseline)"]
    if ours.by_relation:
        lines += ["", "| relation | quoteqa right | bare numbers right |", "|---|---|---|"]
        for relation, (right, count) in sorted(ours.by_relation.items()):
            lines.append(f"| {relation} | {right}/{count} | {bare.by_relation[relation][0]}/{count} |")
    wrong = ours.wrong
    if wrong and "holdout" not in str(path):
        lines += ["", "Wrong: " + "; ".join(wrong)]
    return "\n".join(lines)


Method = tuple[str, Answerer, float]  # name, answerer, seconds to build what it searches


def quoteqa_answerer(qa: QA) -> Answerer:
    """quoteqa through its Python API, as the scorer asks every method."""

    def ours(q: str, history: tuple[str, ...] = ()) -> Reply:
        r = qa.ask(q, top_k=TOP, history=list(history))
        passages = r.passages
        return Reply(r.found, [c.quote for c in r.citations], [p.text for p in passages], [p.doc for p in passages])

    return ours


def methods(qa: QA, build_seconds: float) -> list[Method]:
    """quoteqa and the three baselines over the same loaded index, each with its build time (the
    dense baseline searches quoteqa's vectors, so it shares quoteqa's build)."""

    out: list[Method] = [("quoteqa", quoteqa_answerer(qa), build_seconds)]
    for name, make in (
        ("BM25 alone (character bigrams)", bm25_baseline),
        ("dense alone (USE-m3, same vectors)", dense_baseline),
        ("Chatchat-style (jieba BM25 + dense, 50/50 RRF, chunks)", chatchat_baseline),
    ):
        t = time.perf_counter()
        answerer = with_previous(make(qa.index))
        seconds = build_seconds if make is dense_baseline else time.perf_counter() - t
        out.append((name, answerer, seconds))
    return out


def squad_table(name: str, path: Path, work: Path, plot_data: dict[str, list[tuple[str, float, float]]]) -> str:
    """A SQuAD-style set (CMRC 2018 dev, DRCD test) as one open corpus: every paragraph a corpus
    file with its title, built with the normal build and asked through the normal ask path. The
    figures are split into the training half (read by `quoteqa train`) and the check half (never
    read by any tuning step), by article."""
    from quoteqa.learn.training_data import squad_corpus

    corpus = work / f"{path.stem}-corpus"
    pairs = squad_corpus(path, corpus)
    stats = build(corpus, work / f"{path.stem}-index")
    qa = QA.load(work / f"{path.stem}-index")
    halves = {
        h: [Item(ex.question, "", ex.golds, ex.history, ex.doc) for half, ex in pairs if half == h]
        for h in ("train", "check")
    }
    lines = [
        f"{name} (`{path.name}`): {len(qa.index.paragraphs)} paragraphs as one corpus, {stats.sentences} sentences, "
        f"{len(pairs)} questions ({len(halves['train'])} in the training half, {len(halves['check'])} in the check "
        f"half, split by article); built in {stats.seconds:.0f} s ({stats.sentences_per_second:.0f} sentences/s "
        "with the model loaded).",
        "",
        "| method | half | passage@1 | passage@5 | quote@1 | quote@3 | abstained | p50 ms | p95 ms | build s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    e5 = e5_methods(corpus, work / f"{path.stem}-e5-index", quoteqa_answerer, dense_baseline, with_previous)
    for method, answer, build_s in [*methods(qa, stats.seconds - stats.model_seconds), *e5]:
        for half, label in (("train", "training"), ("check", "**check**")):
            sc, times, _ = _timed(answer, halves[half], qa.index)
            r = sc.as_row()
            cells = " | ".join(f"{r[k]:.3f}" for k in ("passage@1", "passage@5", "quote@1", "quote@3"))
            lines.append(
                f"| {method} | {label} | {cells} | {sc.wrongly_abstained} | {_pct(times, 50):.1f} "
                f"| {_pct(times, 95):.1f} | {build_s:.1f} |"
            )
        plot_data.setdefault(f"{name} (check half)", []).append((method, sc.rate(sc.quote1), sc.rate(sc.quote3)))
    return "\n".join(lines)


def plot_quality(data: dict[str, list[tuple[str, float, float]]], path: Path) -> None:
    """Bars of quote@1 (and quote@3, lighter) by method, one panel per question set."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(data), figsize=(5.5 * len(data), 3.8), squeeze=False)
    for ax, (title, rows) in zip(axes[0], data.items(), strict=True):
        names = [r[0].split(" (")[0] for r in rows]
        x = np.arange(len(rows))
        ax.bar(x, [r[2] for r in rows], color="#c9d7ea", label="quote@3")
        ax.bar(x, [r[1] for r in rows], color="#2f5d9b", label="quote@1")
        for i, r in enumerate(rows):
            ax.text(i, r[1] + 0.01, f"{r[1]:.2f}", ha="center", fontsize=9)
        ax.set_xticks(x, names, rotation=15, fontsize=9)
        ax.set_ylim(0, 1.05)
        ax.set_title(title)
    axes[0][0].legend(loc="lower left", fontsize=8)
    fig.suptitle("Answer in the quoted sentence: quoteqa beside the baselines")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run(
    sets: list[Path],
    corpus: Path,
    *,
    write: Path | None,
    claim_sets: list[Path] | None = None,
    squad: list[tuple[str, Path]] | None = None,
    plot: Path | None = None,
) -> str:
    """Quality tables for each question set (the first is the development set), then speed."""
    from quoteqa.index.embedding import set_threads

    set_threads(1)  # as the app answers: one thread a question
    claim_sets = claim_sets or []
    work = Path(tempfile.mkdtemp(prefix="quoteqa-bench-"))
    plot_data: dict[str, list[tuple[str, float, float]]] = {}
    try:
        index_path = work / "index"
        t = time.perf_counter()
        stats = build(corpus, index_path)
        build_s = time.perf_counter() - t
        qa = QA.load(index_path)
        compared = methods(qa, stats.seconds - stats.model_seconds)
        compared += e5_methods(corpus, work / "e5-index", quoteqa_answerer, dense_baseline, with_previous)
        sections: list[str] = []
        misses: list[str] = []
        for n, path in enumerate(sets):
            items = load_items(path)
            rows: list[Row] = [(name, *_timed(answer, items, qa.index), seconds) for name, answer, seconds in compared]
            sections.append(_quality_table(path, items, rows))
            if n == 0:  # the development set's misses only: the held-out sets are read, never studied
                misses += [f"- {path.name}: {m}" for m in rows[0][1].misses]
            plot_data[path.stem.replace("_", " ")] = [
                (name, sc.rate(sc.quote1), sc.rate(sc.quote3)) for name, sc, *_ in rows
            ]  # every set, held-out ones included
        held_out = [p for p in sets if "holdout" in p.name and "citizen" in p.name]
        if held_out:
            sections.append(kind_table(qa, sets[0], held_out))
            sections.append(band_table(qa, [p for p in sets if "holdout" not in p.name], held_out))
            sections.append(conversation_table(qa, sets[0]))
        for path in claim_sets:
            sections.append(_claims_table(qa, path, work))
        for name, path in squad or []:
            sections.append(squad_table(name, path, work, plot_data))
        if plot is not None:
            plot_quality(plot_data, plot)
            shown = plot.relative_to(ROOT) if plot.is_relative_to(ROOT) else plot
            sections.append(f"![quote@1 by method]({shown})")
        cli_ms = cli_warm_cost(index_path, [i.question for i in load_items(sets[0])])
        ready = app_ready_seconds(corpus, index_path)
        n_big, sents_per_s = build_throughput(corpus, work)
        sections.append(_speed_table(stats.sentences, build_s, n_big, sents_per_s, cli_ms, ready))
        sections.append(startup.table(ROOT / "index"))
        sections.append(files.table(work / "files"))
        report = "\n\n".join(sections)
        print(report)
        print("\nquoteqa misses:\n" + ("\n".join(misses) or "- none"))
        if write is not None:
            replace_section(write, report)
        return report
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _quality_table(path: Path, items: list[Item], rows: list[Row]) -> str:
    kinds: dict[str, int] = {}
    for i in items:
        kinds[i.kind] = kinds.get(i.kind, 0) + 1
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    lines = [
        f"`{shown}`: {len(items)} questions ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}).",
        "",
        "| method | passage@1 | passage@5 | quote@1 | quote@3 | out-of-scope abstained | answerable abstained "
        "| found precision / recall | mean quote chars | p50 ms | p95 ms | build s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, s, times, length, build_s in rows:
        r = s.as_row()
        lines.append(
            f"| {name} | {r['passage@1']:.3f} | {r['passage@5']:.3f} | {r['quote@1']:.3f} | {r['quote@3']:.3f} "
            f"| {r['abstention']} | {r['wrongly abstained']} | {r['found precision']:.3f} / {r['found recall']:.3f} "
            f"| {length:.0f} | {_pct(times, 50):.1f} | {_pct(times, 95):.1f} | {build_s:.2f} |"
        )
    return "\n".join(lines)


def _speed_table(n_sentences: int, build_s: float, n_big: int, sents_per_s: float, cli_ms: float, ready: float) -> str:
    lines = [
        "| speed | value | floor |",
        "|---|---|---|",
        f"| warm cost per question, `quoteqa ask` (the questions 5 times on stdin minus once, over 4) "
        f"| {cli_ms:.1f} ms | ≤ 5 ms |",
        f"| app ready after start (index built, model loaded, warmed) | {ready:.1f} s | ≤ 5 s |",
        f"| index build, {n_big} distinct sentences (seed varied as in `make scale`), model load excluded "
        f"| {sents_per_s:.0f} sentences/s | ≥ 300 |",
        f"| index build of the bundled corpus ({n_sentences} sentences), model load included | {build_s:.1f} s | |",
        "",
        f"Command: `make bench` · machine: {platform.machine()}, {_cores()} cores, Python {platform.python_version()} "
        f"· {time.strftime('%Y-%m-%d')}",
    ]
    return "\n".join(lines)


def _cores() -> int:
    import os

    return os.cpu_count() or 0


def replace_section(path: Path, report: str, name: str = "bench") -> None:
    """Replace the text between <!-- NAME:begin --> and <!-- NAME:end --> (added at the end if missing)."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if begin not in text:
        text += f"\n{begin}\n{end}\n"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{begin}\n{report}\n{end}{tail}", encoding="utf-8")


# The development sets come first (their misses are printed); the held-out ones are read only here.
QUESTION_SETS = (
    "citizen_dev.jsonl",
    "dev_questions.jsonl",
    "citizen_holdout.jsonl",
    "holdout_questions.jsonl",
    "citizen_holdout2.jsonl",
    "citizen_holdout3.jsonl",
    "citizen_holdout4.jsonl",
    "citizen_holdout5.jsonl",
    "citizen_holdout6.jsonl",
    "citizen_holdout7.jsonl",
)
CLAIM_SETS = (
    *("claims.jsonl", "claims_holdout.jsonl", "reporter_dev", "reporter_holdout"),
    *("derived_dev", "derived_dev2", "derived_dev3", "derived_dev4", "derived_dev5", "derived_dev6", "derived_dev7"),
    *("derived_dev8", "derived_dev9", "derived_dev10", "derived_dev11", "derived_dev12", "derived_dev13"),
    *("derived_holdout", "derived_holdout2", "derived_holdout3", "derived_holdout4"),
)


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m harness report", description=__doc__)
    p.add_argument(
        "--sets",
        type=Path,
        nargs="+",
        default=[ROOT / "bench" / "sets" / name for name in QUESTION_SETS],
        help="question sets (JSONL: question, kind, gold); the first also times the CLI",
    )
    p.add_argument(
        "--claims",
        type=Path,
        nargs="*",
        default=[ROOT / "bench" / "sets" / name for name in CLAIM_SETS],
        help="claim sets for `verify`: JSONL (claim, verdict) or a folder with claims.jsonl and corpus/",
    )
    for flag, default, name in (("--cmrc", CMRC_DEFAULT, "CMRC 2018 dev"), ("--drcd", DRCD_DEFAULT, "DRCD test")):
        shown = default.relative_to(ROOT.parent) if default.is_relative_to(ROOT.parent) else default
        p.add_argument(
            flag,
            type=Path,
            default=default if default.exists() else None,
            help=f"{name} JSON (default: ../{shown} when present)",
        )
    p.add_argument("--no-cmrc", action="store_true", help="skip the CMRC 2018 and DRCD sections")
    p.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    p.add_argument("--write", type=Path, default=ROOT / "BENCHMARKS.md", help="file whose bench section is replaced")
    p.add_argument("--plot", type=Path, default=ROOT / "docs" / "quality.png", help="bar chart of quote@1 by method")
    p.add_argument("--no-write", action="store_true", help="print only (no BENCHMARKS.md, no plot)")
    args = p.parse_args(argv)
    for flag, given in (("--cmrc", args.cmrc), ("--drcd", args.drcd)):
        if given is not None and not given.exists():
            p.error(f"{flag} {given} does not exist; pass the path of the JSON file or --no-cmrc")
    squad = [] if args.no_cmrc else [(n, f) for n, f in (("CMRC 2018 dev", args.cmrc), ("DRCD test", args.drcd)) if f]
    run(
        args.sets,
        args.corpus,
        write=None if args.no_write else args.write,
        claim_sets=args.claims,
        squad=squad,
        plot=None if args.no_write else args.plot,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
