"""The newsroom's own files (issue 36): the bundled articles as e-paper PDF pages, web pages and Word
files answering as the text corpus does; ingest throughput per format; each bad input's message,
time and peak memory. ``python -m harness files`` prints the tables; ``make bench`` includes them.
The files are made by the generators of tests/newsroom.py (Chromium, reportlab, python-docx)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from quoteqa import QA
from quoteqa.index.build import build

from .score import load_items

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
SEED = ROOT / "corpus" / "wujin-2024-07-plenary.txt"
REPEATS = 5  # each throughput is read this many times over, the median taken


def _corpora(work: Path) -> dict[str, Path]:
    """The bundled articles as a text file, Chromium and reportlab e-paper pages, web pages (UTF-8 and
    GBK) and Word files, a folder each."""
    import newsroom

    stories = newsroom.bundled_stories()
    folders = {name: work / name for name in ("文本", "PDF(Chromium)", "PDF(reportlab)", "网页", "Word")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    shutil.copy(SEED, folders["文本"] / SEED.name)
    newsroom.epaper_pdf_chromium(stories, folders["PDF(Chromium)"] / "wujin-epaper.pdf")
    newsroom.epaper_pdf_reportlab(stories, folders["PDF(reportlab)"] / "wujin-epaper.pdf")
    newsroom.web_pages(stories, folders["网页"], ("utf-8", "gbk"))
    for i, story in enumerate(stories, start=1):
        newsroom.word_docx(story, folders["Word"] / f"article-{i}.docx")
    return folders


def same_answers(work: Path) -> str:
    """Each format's index against the text corpus's: the development questions' answers (found,
    first quote, its paragraph) and the verdicts on bench/sets/claims.jsonl."""
    questions = load_items(ROOT / "bench" / "sets" / "dev_questions.jsonl")
    claims = [json.loads(line)["claim"] for line in (ROOT / "bench/sets/claims.jsonl").open(encoding="utf-8")]
    seen: dict[str, list[tuple[object, ...]]] = {}
    pages: dict[str, set[str]] = {}
    for name, folder in _corpora(work / "same").items():
        build(folder, work / f"index-{name}")
        qa = QA.load(work / f"index-{name}")
        answers = [qa.ask(item.question, history=list(item.history)) for item in questions]
        first = [a.citations[0] if a.citations else None for a in answers]
        seen[name] = [(a.found, c.quote, c.paragraph) if c else (a.found,) for a, c in zip(answers, first, strict=True)]
        seen[name] += [(qa.verify(c).verdict,) for c in claims]
        pages[name] = {c.source.page for c in first if c is not None}
    rows = ["| 格式 | 与文本语料相同的回答与结论 | 引文所注版面 |", "|---|---|---|"]
    for name, got in seen.items():
        same = sum(a == b for a, b in zip(got, seen["文本"], strict=True))
        rows.append(
            f"| {name} | {same}/{len(got)} | {' / '.join(f'第{p}版' for p in sorted(pages[name]) if p) or '—'} |"
        )
    return (
        f"The bundled articles in each format ({len(questions)} development questions: found, first quote "
        f"and its paragraph; {len(claims)} claims of `claims.jsonl`: verdict):\n\n" + "\n".join(rows)
    )


def throughput(work: Path) -> str:
    """Pages (PDF) or files read a second, per format, on one core, the median of REPEATS reads."""
    import newsroom

    from quoteqa.ingest.scan import converter

    folder = work / "speed"
    folder.mkdir()
    stories = newsroom.bundled_stories() + newsroom.test_page_stories()
    files = {
        "PDF(Chromium)": [newsroom.epaper_pdf_chromium(stories, folder / "chromium.pdf")],
        "PDF(reportlab)": [newsroom.epaper_pdf_reportlab(stories, folder / "reportlab.pdf")],
        "网页": newsroom.web_pages(stories, folder / "web", ("utf-8", "gbk")),
        "Word": [newsroom.word_docx(s, folder / f"w{i}.docx") for i, s in enumerate(stories)],
    }
    rows = ["| 格式 | 文件 | 页 | 每秒(页或文件) | 底线 |", "|---|---|---|---|---|"]
    for name, paths in files.items():
        times, pages = [], 0
        for _ in range(REPEATS):
            start = time.perf_counter()
            pages = 0
            for path in paths:
                convert = converter(path.suffix)
                assert convert is not None
                pages += convert(path, path.name, path.read_bytes()).pages or 1
            times.append(time.perf_counter() - start)
        rate = pages / sorted(times)[len(times) // 2]
        floor = "5 页/秒" if name.startswith("PDF") else "50 个/秒" if name == "网页" else "—"
        rows.append(f"| {name} | {len(paths)} | {pages if name.startswith('PDF') else '—'} | {rate:.1f} | {floor} |")
    return "Ingest throughput (one process, the median of 5 reads):\n\n" + "\n".join(rows)


_PROBE = """
import resource, sys, time
from pathlib import Path
from quoteqa.ingest.formats import Refused, check_content
from quoteqa.ingest.scan import converter
path = Path(sys.argv[1])
import pdfplumber, trafilatura, docx  # the readers' imports before the baseline
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
try:
    data = path.read_bytes()
    check_content(path.name, path.suffix, data)
    converter(path.suffix)(path, path.name, data)
    said = "读入"
except Refused as exc:
    said = str(exc)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before
print(f"{time.perf_counter() - start:.3f}\\t{peak:.0f}\\t{said}")
"""


def bad_inputs(work: Path) -> str:
    """Each bad input read alone in a fresh process: its message, seconds and peak memory (the
    process's, imports included)."""
    import newsroom

    bad = newsroom.bad_files(work / "bad")
    rows = ["| 输入 | 文件大小 | 结果 | 秒 | 内存峰值增加 |", "|---|---|---|---|---|"]
    for key, path in bad.items():
        out = subprocess.run([sys.executable, "-c", _PROBE, str(path)], capture_output=True, text=True, timeout=120)
        seconds, peak, said = [*out.stdout.strip().split("\t", 2), "", "", out.stderr[-200:]][:3]
        size = path.stat().st_size
        shown = f"{size / 1024 / 1024:.1f} MB" if size > 1024 * 1024 else f"{size / 1024:.0f} KB"
        rows.append(f"| {key} | {shown} | {said.replace('|', '¦')} | {seconds} | {peak} MB |")
    return (
        "Bad inputs, each in a fresh process: the message, the seconds and how far the process's peak memory "
        "rose above its peak once the readers were imported:\n\n" + "\n".join(rows)
    )


def table(work: Path) -> str:
    """The three tables of the newsroom's files, as `make bench` prints them."""
    work.mkdir(parents=True, exist_ok=True)
    return "\n\n".join(
        ["**The newsroom's own files (issue 36).**", same_answers(work), throughput(work), bad_inputs(work)]
    )


def main(argv: list[str] | None = None) -> int:
    import argparse
    import tempfile

    p = argparse.ArgumentParser(prog="python -m harness files", description=__doc__)
    p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="quoteqa-files-") as tmp:
        print(table(Path(tmp)))
    return 0
