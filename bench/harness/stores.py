"""``make stores``: the local store against the Milvus store (Milvus Lite), in one run.

1. Agreement: the development questions (``dev_questions``, ``citizen_dev``, with their history)
   on the bundled articles, and the development claims (``claims.jsonl`` on the bundled articles,
   ``reporter_dev`` on its own corpus), asked of both stores: same first quote, same ``found``,
   same verdict.
2. Size: synthetic archives (``corpora.synthetic_archive``, as ``make scale``) of each size,
   built into both stores and asked the development questions; build time, p50/p95 per question,
   the Milvus engine's memory and disk, and the first quotes the two stores agree on.

The embedding model is loaded once; a Milvus build takes its vectors from the local build
(its embedding cache), so its time is what Milvus adds, and a Milvus build from scratch is the
local build's embedding time plus that (both measured; see the table's notes).
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .corpora import scratch, size_error, source_sentences, synthetic_archive

REPEAT = 2  # each question asked this many times per store for the latency figures


def _rss_mib(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:")), 0.0)


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


def engine_rss_mib() -> float:
    """Resident memory of the Milvus Lite engine processes this process started."""
    import os

    todo, seen, total = _children(os.getpid()), set(), 0.0
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        if "milvus" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
            total += _rss_mib(pid)
        todo += _children(pid)
    return total


def disk_mib(path: Path) -> float:
    """Size of a file, or of the files in a folder."""
    files = [path] if path.is_file() else [f for f in path.rglob("*") if f.is_file()]
    return sum(f.stat().st_size for f in files) / 2**20


def _questions(paths: list[Path]) -> list[dict[str, Any]]:
    out = []
    for p in paths:
        out += [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def _answers(qa: Any, questions: list[dict[str, Any]]) -> list[tuple[bool, str]]:
    out = []
    for d in questions:
        a = qa.ask(d["question"], history=d.get("history"))
        out.append((a.found, a.citations[0].quote if a.citations else ""))
    return out


def _verdicts(qa: Any, claims: list[dict[str, Any]]) -> list[str]:
    return [qa.verify(c["claim"]).verdict for c in claims]


def _build_pair(corpus: Path, work: Path, name: str, model: Any) -> tuple[Path, Path, dict[str, float]]:
    """Local and Milvus indexes of ``corpus``; times of the local build, of the same build with every
    vector reused, and of the Milvus build with every vector reused."""
    from quoteqa.index.build import build

    local, milvus, again = work / f"{name}-local", work / f"{name}-milvus", work / f"{name}-again"
    t = time.perf_counter()
    build(corpus, local, model=model)
    times = {"local_s": time.perf_counter() - t}
    for target, store in ((again, "local"), (milvus, f"milvus:{work / (name + '.db')}")):
        shutil.copytree(local, target)
        t = time.perf_counter()
        build(corpus, target, model=model, store=store)
        times["local_reused_s" if store == "local" else "milvus_reused_s"] = time.perf_counter() - t
    shutil.rmtree(again)
    return local, milvus, times


@dataclass
class Agreement:
    questions: int
    same_first_quote: int
    same_found: int
    claims: int
    same_verdict: int


def agreement(root: Path, work: Path, model: Any) -> Agreement:
    from quoteqa.qa import QA

    folder = root / "bench" / "sets"
    questions = _questions([folder / "dev_questions.jsonl", folder / "citizen_dev.jsonl"])
    result = Agreement(len(questions), 0, 0, 0, 0)
    sets = [
        (root / "corpus", questions, _questions([folder / "claims.jsonl"])),
        (
            folder / "reporter_dev" / "corpus",
            [],
            _questions([folder / "reporter_dev" / "claims.jsonl"]),
        ),
    ]
    for n, (corpus, asked, claims) in enumerate(sets):
        local_path, milvus_path, _ = _build_pair(corpus, work, f"dev{n}", model)
        local, milvus = QA.load(local_path, model=model), QA.load(milvus_path, model=model)
        a, b = _answers(local, asked), _answers(milvus, asked)
        result.same_first_quote += sum(x == y for x, y in zip(a, b, strict=True))
        result.same_found += sum(x[0] == y[0] for x, y in zip(a, b, strict=True))
        for x, y, d in zip(a, b, asked, strict=True):
            if x != y:
                print(f"stores differ on {d['question']!r}: local {x}, milvus {y}", file=sys.stderr)
        va, vb = _verdicts(local, claims), _verdicts(milvus, claims)
        result.claims += len(claims)
        result.same_verdict += sum(x == y for x, y in zip(va, vb, strict=True))
        milvus.index.store.close()
    return result


@dataclass
class SizeRow:
    target: int
    sentences: int
    local_build_s: float
    local_reused_s: float
    milvus_reused_s: float
    local_p50_ms: float
    local_p95_ms: float
    milvus_p50_ms: float
    milvus_p95_ms: float
    engine_rss_mib: float
    milvus_disk_mib: float
    local_disk_mib: float
    same_first_quote: float

    @property
    def embed_s(self) -> float:
        """What a from-scratch build spends beyond a build that reuses every vector (embedding)."""
        return self.local_build_s - self.local_reused_s

    @property
    def milvus_build_s(self) -> float:
        return self.embed_s + self.milvus_reused_s


def _latency(qa: Any, questions: list[dict[str, Any]]) -> tuple[float, float]:
    times = []
    for _ in range(REPEAT):
        for d in questions:
            t = time.perf_counter()
            qa.ask(d["question"], history=d.get("history"))
            times.append(1000 * (time.perf_counter() - t))
    return statistics.median(times), float(np.percentile(times, 95))


def size_row(target: int, pool: list[str], root: Path, work: Path, model: Any) -> SizeRow:
    from quoteqa.qa import QA

    archive = work / f"archive-{target}"
    synthetic_archive(pool, root / "corpus", archive, target)
    local_path, milvus_path, times = _build_pair(archive, work, f"size{target}", model)
    sets = root / "bench" / "sets"
    questions = _questions([sets / "dev_questions.jsonl", sets / "holdout_questions.jsonl"])
    local = QA.load(local_path, model=model)
    local.ask(questions[0]["question"])
    local_p = _latency(local, questions)
    rss_before = engine_rss_mib()
    milvus = QA.load(milvus_path, model=model)
    milvus.ask(questions[0]["question"])
    milvus_p = _latency(milvus, questions)
    same = np.mean([x == y for x, y in zip(_answers(local, questions), _answers(milvus, questions), strict=True)])
    row = SizeRow(
        target=target,
        sentences=len(local.index.sentences),
        local_build_s=times["local_s"],
        local_reused_s=times["local_reused_s"],
        milvus_reused_s=times["milvus_reused_s"],
        local_p50_ms=local_p[0],
        local_p95_ms=local_p[1],
        milvus_p50_ms=milvus_p[0],
        milvus_p95_ms=milvus_p[1],
        engine_rss_mib=engine_rss_mib() - rss_before,
        milvus_disk_mib=disk_mib(work / f"size{target}.db"),
        local_disk_mib=disk_mib(local_path),
        same_first_quote=float(same),
    )
    milvus.index.store.close()
    shutil.rmtree(archive, ignore_errors=True)
    return row


def table(agree: Agreement, rows: list[SizeRow]) -> str:
    lines = [
        f"Development questions (`dev_questions` + `citizen_dev`, {agree.questions}, with their history) on the "
        f"bundled articles: same first quote {agree.same_first_quote}/{agree.questions} "
        f"({agree.same_first_quote / agree.questions:.1%}), same `found` {agree.same_found}/{agree.questions}. "
        f"Development claims (`claims.jsonl`, `reporter_dev`): same verdict {agree.same_verdict}/{agree.claims}.",
        "",
        "| sentences | store | build s (from scratch) | build s (every vector reused) | p50 ms | p95 ms "
        "| Milvus engine memory MiB | disk MiB | same first quote as local |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.sentences:,} | local | {r.local_build_s:.0f} | {r.local_reused_s:.1f} | {r.local_p50_ms:.1f} "
            f"| {r.local_p95_ms:.1f} | | {r.local_disk_mib:.0f} | |"
        )
        lines.append(
            f"| {r.sentences:,} | milvus (Lite) | {r.milvus_build_s:.0f} | {r.milvus_reused_s:.1f} "
            f"| {r.milvus_p50_ms:.1f} | {r.milvus_p95_ms:.1f} | {r.engine_rss_mib:.0f} | {r.milvus_disk_mib:.0f} "
            f"| {r.same_first_quote:.1%} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse

    from quoteqa.index.embedding import load_model
    from quoteqa.learn.trainer import CMRC_DEFAULT, ROOT

    from .report import replace_section

    p = argparse.ArgumentParser(prog="python -m harness stores", description=__doc__)
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    p.add_argument("--cmrc", type=Path, default=CMRC_DEFAULT if CMRC_DEFAULT.exists() else None)
    p.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    p.add_argument("--write", type=Path, default=ROOT / "BENCHMARKS.md")
    p.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    p.add_argument("--no-write", action="store_true")
    p.add_argument("--table", type=Path, default=None, help="only write the table of an earlier run's --json file")
    args = p.parse_args(argv)
    if args.table is not None:
        data = json.loads(args.table.read_text())
        report = table(Agreement(**data["agreement"]), [SizeRow(**row) for row in data["sizes"]])
        print(report)
        if not args.no_write:
            replace_section(args.write, report, "stores")
        return 0
    if size_error(args.sizes, 2_000_000):
        p.error(size_error(args.sizes, 2_000_000))
    with scratch(args.work, "quoteqa-stores-") as work:
        model = load_model()
        agree = agreement(ROOT, work, model)
        print(asdict(agree), file=sys.stderr)
        pool = source_sentences(ROOT / "corpus", args.cmrc)
        rows = []
        for size in args.sizes:
            rows.append(size_row(size, pool, ROOT, work, model))
            print(asdict(rows[-1]), file=sys.stderr)
    report = table(agree, rows)
    print(report)
    if args.json:
        args.json.write_text(json.dumps({"agreement": asdict(agree), "sizes": [asdict(r) for r in rows]}, indent=1))
    if not args.no_write:
        replace_section(args.write, report, "stores")
    return 0
