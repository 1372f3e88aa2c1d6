"""The synthetic archive of the scale benchmark: varied real text that the normal ingest reads."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import CORPUS
from harness.corpora import source_sentences, synthetic_archive

from quoteqa.ingest.scan import load_corpus


def test_archive_varies_real_sentences_and_keeps_the_corpus(tmp_path: Path):
    pool = source_sentences(CORPUS, None)  # no CMRC file: the bundled articles
    assert len(pool) > 80
    made = synthetic_archive(pool, CORPUS, tmp_path / "archive", 1_500)
    assert made >= 1_500
    files = list(load_corpus(tmp_path / "archive"))
    sentences = [s.text for _, _, arts in files for a in arts for p in a.paragraphs for s in p.sentences]
    assert len(sentences) >= 1_500
    real = {s for s in pool}
    with_figures = [s for s in sentences if re.search(r"\d", s) and s not in real]
    assert len(with_figures) > 200  # figures were changed, so those sentences are new
    assert any(rel.endswith("wujin-2024-07-plenary.txt") for rel, _, _ in files)
    again = tmp_path / "again"
    synthetic_archive(pool, CORPUS, again, 1_500)
    first = sorted(p.read_bytes() for p in (tmp_path / "archive").rglob("a*.txt"))
    assert first == sorted(p.read_bytes() for p in again.rglob("a*.txt"))  # same seed, same archive
