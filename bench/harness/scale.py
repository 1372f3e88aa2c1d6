"""``make scale``: build and query synthetic archives of growing size (``corpora.synthetic_archive``:
real sentences recombined with new figures, the real seed articles included so that the
development questions keep their answers among the distractors). Every build and every query
run is a separate process, so that its time and peak memory are its own.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .corpora import scratch, size_error, source_sentences, synthetic_archive
from .score import load_items, score

HARNESS_PATH = str(Path(__file__).resolve().parents[1])  # bench/, for `python -m harness` in children


def _run_measured(cmd: list[str]) -> tuple[str, float, float]:
    """(stdout, seconds, peak resident MiB) of a child process."""
    start = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [HARNESS_PATH, os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    out = proc.stdout.read() if proc.stdout is not None else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed with exit code {proc.returncode}")
    return out, time.perf_counter() - start, usage.ru_maxrss / 1024


@dataclass
class SizeResult:
    target: int
    sentences: int
    dense: str
    build_s: float
    build_peak_mib: float
    p50_ms: float
    p95_ms: float
    serve_rss_mib: float
    recall10: float
    dev_quote1: float
    incremental_s: float = float("nan")
    full_rebuild_s: float = float("nan")
    identical: bool | None = None


def build_cmd(corpus: Path, index: Path, *, full: bool = False) -> list[str]:
    cmd = [sys.executable, "-m", "quoteqa", "build", "--corpus", str(corpus), "--index", str(index)]
    return [*cmd, "--full"] if full else cmd


def probe(index: Path, questions: Path, extra: Path | None, repeat: int) -> dict[str, float | str]:
    """Serve ``index`` in this process and measure it: latency, memory, ANN recall, quote@1."""
    from quoteqa.index.search import LocalStore
    from quoteqa.qa import QA

    from .report import quoteqa_answerer

    qa = QA.load(index)
    items = load_items(questions)
    asked = [i.question for i in items]
    if extra is not None:
        asked += [json.loads(line)["question"] for line in extra.read_text(encoding="utf-8").splitlines()]
    qa.ask(asked[0])  # warm
    times = []
    for _ in range(repeat):
        for q in asked:
            t = time.perf_counter()
            qa.ask(q)
            times.append(1000 * (time.perf_counter() - t))
    # Resident memory of a server that has answered these questions (read before the recall
    # check below, whose brute-force pass touches every page of vectors.bin).
    status = Path("/proc/self/status").read_text().splitlines()
    rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024

    scores = score(items, quoteqa_answerer(qa))
    assert isinstance(qa.index.store, LocalStore)
    dense = qa.index.store.dense_index
    recall = [dense.recall(qa.index.embed_query(q), 10) for q in asked[:200]]
    return {
        "sentences": len(qa.index.sentences),
        "dense": dense.kind,
        "p50_ms": statistics.median(times),
        "p95_ms": float(np.percentile(times, 95)),
        "rss_mib": rss,
        "recall10": float(np.mean(recall)),
        "dev_quote1": scores.rate(scores.quote1),
    }


def _probe(index: Path, questions: Path, extra: Path | None) -> dict[str, float | str]:
    cmd = [sys.executable, "-m", "harness", "scale", "probe", str(index), str(questions)]
    if extra is not None:
        cmd += ["--extra", str(extra)]
    out, _, _ = _run_measured(cmd)
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _answers(index: Path, questions: Path) -> list[dict[str, object]]:
    cmd = [sys.executable, "-m", "quoteqa", "ask", "--json", "--index", str(index)]
    qs = "\n".join(i.question for i in load_items(questions)) + "\n"
    out = subprocess.run(cmd, input=qs, capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def run_size(
    target: int,
    pool: list[str],
    corpus: Path,
    work: Path,
    questions: Path,
    extra: Path | None,
    incremental: bool,
    keep: bool = False,
) -> SizeResult:
    archive, index = work / f"archive-{target}", work / f"index-{target}"
    synthetic_archive(pool, corpus, archive, target)
    out, build_s, peak = _run_measured(build_cmd(archive, index))
    print(out.strip(), file=sys.stderr)
    p = _probe(index, questions, extra)
    result = SizeResult(
        target=target,
        sentences=int(p["sentences"]),
        dense=str(p["dense"]),
        build_s=build_s,
        build_peak_mib=peak,
        p50_ms=float(p["p50_ms"]),
        p95_ms=float(p["p95_ms"]),
        serve_rss_mib=float(p["rss_mib"]),
        recall10=float(p["recall10"]),
        dev_quote1=float(p["dev_quote1"]),
    )
    if incremental:
        # One new article, then the incremental build and a from-scratch build of the same corpus.
        new = archive / "zz-new"
        synthetic_archive(pool, corpus, new, 40, seed=target + 1)
        for f in new.glob("*.txt"):
            f.unlink()  # the copied real corpus files are already in the archive
        _, result.incremental_s, _ = _run_measured(build_cmd(archive, index))
        _, result.full_rebuild_s, _ = _run_measured(build_cmd(archive, work / f"full-{target}", full=True))
        result.identical = _answers(index, questions) == _answers(work / f"full-{target}", questions)
        shutil.rmtree(work / f"full-{target}", ignore_errors=True)
    if not keep:
        shutil.rmtree(archive, ignore_errors=True)
        shutil.rmtree(index, ignore_errors=True)
    return result


def table(results: list[SizeResult]) -> str:
    lines = [
        "| sentences | dense index | build s | build sentences/s | build peak RSS MiB | p50 ms | p95 ms "
        "| serving RSS MiB | ANN recall@10 | dev quote@1 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.sentences:,} | {r.dense} | {r.build_s:.0f} | {r.sentences / r.build_s:.0f} | {r.build_peak_mib:.0f} "
            f"| {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.serve_rss_mib:.0f} | {r.recall10:.3f} | {r.dev_quote1:.3f} |"
        )
    for r in results:
        if r.identical is not None:
            lines += [
                "",
                f"Incremental build at {r.sentences:,} sentences (one article added): {r.incremental_s:.1f} s, "
                f"against {r.full_rebuild_s:.1f} s for a from-scratch build of the same corpus "
                f"({r.full_rebuild_s / r.incremental_s:.0f}× faster); answers to the development questions "
                f"{'identical' if r.identical else 'DIFFERENT'}.",
            ]
    return "\n".join(lines)


def plot(results: list[SizeResult], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r.sentences for r in results]
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    panels = [
        ("p50 latency per question (ms)", [r.p50_ms for r in results]),
        ("full build (s)", [r.build_s for r in results]),
        ("serving RSS (MiB)", [r.serve_rss_mib for r in results]),
    ]
    for ax, (label, values) in zip(axes, panels, strict=True):
        ax.plot(sizes, values, marker="o")
        ax.set_xscale("log")
        ax.set_xlabel("corpus size (sentences)")
        ax.set_title(label)
        ax.grid(True, alpha=0.3)
    fig.suptitle("quoteqa at archive scale (synthetic archive, 2 cores)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _write_report(results: list[SizeResult], write: Path, plot_path: Path, note: str) -> None:
    from .report import ROOT, replace_section

    shown = plot_path.relative_to(ROOT) if plot_path.is_relative_to(ROOT) else plot_path
    report = (
        f"Command: `make scale`{note} · {time.strftime('%Y-%m-%d')}\n\n" + table(results) + f"\n\n![scale]({shown})"
    )
    print(report)
    plot(results, plot_path)
    replace_section(write, report, name="scale")


def main(argv: list[str] | None = None) -> int:
    import argparse

    from quoteqa.learn.trainer import CMRC_DEFAULT, ROOT

    p = argparse.ArgumentParser(prog="python -m harness scale", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="build and query archives of the given sizes")
    r.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    r.add_argument("--incremental-at", type=int, default=100_000, help="size at which to time an incremental build")
    r.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    r.add_argument("--cmrc", type=Path, default=CMRC_DEFAULT if CMRC_DEFAULT.exists() else None)
    r.add_argument("--questions", type=Path, default=ROOT / "bench" / "sets" / "dev_questions.jsonl")
    r.add_argument("--extra", type=Path, default=ROOT / "bench" / "sets" / "holdout_questions.jsonl")
    r.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    r.add_argument("--write", type=Path, default=ROOT / "BENCHMARKS.md")
    r.add_argument("--plot", type=Path, default=ROOT / "docs" / "scale.png")
    r.add_argument("--json", type=Path, default=None, help="also append each size's result to this JSONL file")
    r.add_argument("--keep", action="store_true", help="keep each archive and index in --work")
    rp = sub.add_parser("report", help="re-measure the kept indexes of a run (--keep) and write the report")
    rp.add_argument("results", type=Path, help="the --json file of the run")
    rp.add_argument("--work", type=Path, required=True, help="the --work folder of the run")
    rp.add_argument("--questions", type=Path, default=ROOT / "bench" / "sets" / "dev_questions.jsonl")
    rp.add_argument("--extra", type=Path, default=ROOT / "bench" / "sets" / "holdout_questions.jsonl")
    rp.add_argument("--write", type=Path, default=ROOT / "BENCHMARKS.md")
    rp.add_argument("--plot", type=Path, default=ROOT / "docs" / "scale.png")
    pr = sub.add_parser("probe", help="(internal) serve an index and print its measurements as JSON")
    pr.add_argument("index", type=Path)
    pr.add_argument("questions", type=Path)
    pr.add_argument("--extra", type=Path, default=None)
    pr.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    if args.command == "probe":
        print(json.dumps(probe(args.index, args.questions, args.extra, args.repeat)))
        return 0
    if args.command == "report":
        results = [SizeResult(**json.loads(line)) for line in args.results.read_text().splitlines() if line.strip()]
        latest = {res.target: res for res in results}  # a size run twice: its last run
        for res in latest.values():
            index = args.work / f"index-{res.target}"
            if index.exists():
                m = _probe(index, args.questions, args.extra)
                res.p50_ms, res.p95_ms, res.serve_rss_mib = float(m["p50_ms"]), float(m["p95_ms"]), float(m["rss_mib"])
                res.recall10, res.dev_quote1 = float(m["recall10"]), float(m["dev_quote1"])
                res.dense = str(m["dense"])
        _write_report(sorted(latest.values(), key=lambda r: r.target), args.write, args.plot, "")
        return 0
    if size_error(args.sizes, 5_000_000):
        p.error(size_error(args.sizes, 5_000_000))
    with scratch(args.work, "quoteqa-scale-") as work:
        pool = source_sentences(args.corpus, args.cmrc)
        results = []
        for size in sorted(args.sizes):
            res = run_size(
                size, pool, args.corpus, work, args.questions, args.extra, size == args.incremental_at, args.keep
            )
            results.append(res)
            print(json.dumps(asdict(res)), file=sys.stderr)
            if args.json:
                with args.json.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(asdict(res)) + "\n")
        note = f" · {len(pool):,} source sentences varied into each archive"
        _write_report(results, args.write, args.plot, note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
