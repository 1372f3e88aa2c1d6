"""The one generator of synthetic corpora: real sentences recombined clause by clause across
articles, with new figures of the same number of digits (for the scale benchmark, the build
throughput figure and the random-kill soak)."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np


@contextmanager
def scratch(work: Path | None, prefix: str) -> Iterator[Path]:
    """The work folder of a benchmark run: ``work`` (kept), or a temporary one removed when the run
    ends well (a failed run's is left to look at)."""
    folder = work or Path(tempfile.mkdtemp(prefix=prefix))
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
    if work is None:
        shutil.rmtree(folder, ignore_errors=True)


def size_error(sizes: list[int], most: int) -> str:
    """The message for the first archive size outside 1,000 .. ``most`` sentences, "" when all fit."""
    bad = next((n for n in sizes if not 1_000 <= n <= most), None)
    return "" if bad is None else f"--sizes {bad}: each size must be between 1,000 and {most:,} sentences"


SENTENCES_PER_PARAGRAPH = (2, 7)
PARAGRAPHS_PER_ARTICLE = (4, 12)
ARTICLES_PER_FOLDER = 500
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_CLAUSE = re.compile(r"(?<=[,,;;])")


def source_sentences(corpus: Path, cmrc: Path | None) -> list[str]:
    """The real sentences the archive is varied from: the CMRC 2018 paragraphs when present (so
    that the seed articles' answers stay unique in the archive), else the corpus itself."""
    from quoteqa.ingest.scan import load_corpus
    from quoteqa.ingest.text import split_sentences

    pool: list[str] = []
    if cmrc is not None and cmrc.exists():
        for article in json.loads(cmrc.read_text(encoding="utf-8"))["data"]:
            for para in article["paragraphs"]:
                pool += split_sentences(para["context"])
    else:
        pool = [s.text for _, _, arts in load_corpus(corpus) for a in arts for p in a.paragraphs for s in p.sentences]
    return [s for s in pool if len(s) >= 8]


def _vary(sentence: str, other: str, rng: np.random.Generator) -> str:
    """A new sentence: maybe the first clauses of one sentence with the rest of another, and
    always new figures of the same number of digits."""
    if rng.random() < 0.6:
        head, tail = _CLAUSE.split(sentence), _CLAUSE.split(other)
        if len(head) > 1 and len(tail) > 1:
            cut_a, cut_b = int(rng.integers(1, len(head))), int(rng.integers(1, len(tail)))
            sentence = "".join(head[:cut_a] + tail[cut_b:])

    def new_figure(m: re.Match[str]) -> str:
        digits = "".join(str(int(d)) for d in rng.integers(0, 10, len(m.group(0).replace(".", ""))))
        if "." in m.group(0):
            point = m.group(0).index(".")
            digits = digits[:point] + "." + digits[point:]
        return digits.lstrip("0") or "0"

    return _DIGITS.sub(new_figure, sentence)


def synthetic_archive(pool: list[str], corpus: Path, out: Path, sentences: int, *, seed: int = 0) -> int:
    """Write about ``sentences`` varied sentences as one-article files under ``out`` (plus the real
    corpus files); return the number of generated sentences."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    for f in sorted(corpus.rglob("*")):
        if f.is_file():
            shutil.copy(f, out / f.name)
    made = article = 0
    while made < sentences:
        paragraphs = []
        for _ in range(int(rng.integers(*PARAGRAPHS_PER_ARTICLE))):
            k = int(rng.integers(*SENTENCES_PER_PARAGRAPH))
            picks = rng.integers(0, len(pool), 2 * k)
            paragraphs.append("".join(_vary(pool[a], pool[b], rng) for a, b in picks.reshape(k, 2)))
            made += k
        title = re.sub(r"[。!?;,,!?;:]", " ", _vary(pool[int(rng.integers(len(pool)))], "", rng)[:24])
        title = title.strip() or "合成文章"
        folder = out / f"{article // ARTICLES_PER_FOLDER:04d}"
        folder.mkdir(exist_ok=True)
        (folder / f"a{article:07d}.txt").write_text(f"{title}\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
        article += 1
    return made
