"""The on-disk index: plain files plus manifest.json, written atomically."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import __version__
from .embedding import DEFAULT_MODEL, dimension, encode, load_model
from .ingest import Article, Paragraph, Sentence, file_sha256, load_corpus
from .retrievers import DenseIndex, LexicalIndex
from .text import bigrams, has_figure, normalize

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ARTICLES = "articles.jsonl"
DENSE = "dense.faiss"
LEX_SENTENCES = "bm25_sentences"
LEX_PARAGRAPHS = "bm25_paragraphs"
EMBED_BATCH = 512
REFERENCE_SAMPLE = 4096


class IndexUnavailable(RuntimeError):
    """The index folder is missing, stale or damaged; the message says what to run."""


class BuildLocked(RuntimeError):
    """Another build is writing the same index folder."""


@contextmanager
def build_lock(index: Path, *, wait: bool) -> Iterator[None]:
    """An exclusive lock per index folder; the OS releases it when the holder dies, even by SIGKILL."""
    import fcntl

    index.parent.mkdir(parents=True, exist_ok=True)
    path = index.with_name(f".{index.name}.lock")
    with path.open("a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "unknown"
            raise BuildLocked(
                f"another quoteqa build is writing {index} (pid {holder}); wait for it to finish and run "
                f"the command again (its lock file is {path}, released when that build ends)"
            ) from None
        f.seek(0)
        f.truncate()
        f.write(str(os.getpid()))
        f.flush()
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def rebuild_hint(index: Path, corpus: Path | None = None, model: str | None = None) -> str:
    cmd = "quoteqa build"
    if corpus is not None:
        cmd += f" --corpus {corpus}"
    cmd += f" --index {index}"
    if model and model != DEFAULT_MODEL:
        cmd += f" --model {model}"
    return cmd


@dataclass
class BuildStats:
    files: int
    articles: int
    paragraphs: int
    sentences: int
    seconds: float  # the whole build
    model_seconds: float = 0.0  # of which loading the embedding model

    @property
    def sentences_per_second(self) -> float:
        """Throughput of the build itself (reading, embedding, indexing, writing), model load excluded."""
        return self.sentences / max(self.seconds - self.model_seconds, 1e-9)


@dataclass(frozen=True)
class Citation:
    """Where a quote comes from: the article file, its headline and the 1-based paragraph."""

    doc: str
    title: str
    paragraph: int
    quote: str
    score: float


@dataclass
class Index:
    """Everything a question needs, loaded from one index folder."""

    path: Path
    manifest: dict[str, Any]
    articles: list[Article]
    dense: DenseIndex
    lex_sentences: LexicalIndex
    lex_paragraphs: LexicalIndex
    # Flat views, position = global sentence / paragraph id.
    sentences: list[Sentence] = field(default_factory=list)
    sent_para: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    paragraphs: list[Paragraph] = field(default_factory=list)
    para_article: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    para_first: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _model: SentenceTransformer | None = None
    _reference: np.ndarray | None = None
    # Per-sentence / per-paragraph results computed on first use: (kind, id) -> value.
    memo: dict[tuple[str, int], Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        sent_para: list[int] = []
        para_article: list[int] = []
        para_first: list[int] = []
        for a_id, article in enumerate(self.articles):
            for para in article.paragraphs:
                para_first.append(len(self.sentences))
                para_article.append(a_id)
                sent_para.extend([len(self.paragraphs)] * len(para.sentences))
                self.paragraphs.append(para)
                self.sentences.extend(para.sentences)
        self.sent_para = np.asarray(sent_para, dtype=np.int64)
        self.para_article = np.asarray(para_article, dtype=np.int64)
        self.para_first = np.asarray(para_first, dtype=np.int64)

    @property
    def model_name(self) -> str:
        return str(self.manifest["model"]["name"])

    @property
    def model(self) -> SentenceTransformer:
        if self._model is None:
            self._model = load_model(self.model_name)
        return self._model

    def reference_vectors(self) -> np.ndarray:
        """A fixed sample of sentence vectors, the baseline a dense score is compared with."""
        if self._reference is None:
            n = len(self.dense)
            ids = (
                np.arange(n)
                if n <= REFERENCE_SAMPLE
                else np.random.default_rng(0).choice(n, REFERENCE_SAMPLE, replace=False)
            )
            self._reference = self.dense.vectors(np.sort(ids))
        return self._reference

    def cached(self, kind: str, key: int, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per (kind, key) for this loaded index (normalising text is the costly
        part of a query, and corpus sentences are the same for every query)."""
        value = self.memo.get((kind, key))
        if value is None:
            value = self.memo[(kind, key)] = compute()
        return value

    def sentence_terms(self, sid: int) -> frozenset[str]:
        """Content terms of a sentence."""
        return self.cached("terms", sid, lambda: frozenset(bigrams(self.sentences[sid].text)))  # type: ignore[no-any-return]

    def sentence_has_figure(self, sid: int) -> bool:
        return bool(self.cached("figure", sid, lambda: has_figure(self.sentences[sid].text)))

    def context_terms(self, pid: int) -> frozenset[str]:
        """Content terms of a paragraph with its article's headline and sub-headline."""

        def compute() -> frozenset[str]:
            article = self.articles[int(self.para_article[pid])]
            return frozenset(bigrams(self.paragraphs[pid].text + article.title + article.subtitle))

        return self.cached("context", pid, compute)  # type: ignore[no-any-return]

    def embed_query(self, text: str) -> np.ndarray:
        return encode(self.model, [normalize(text)])[0]


def citation(index: Index, sid: int, quote: str, score: float) -> Citation:
    """The citation of a quote starting at global sentence ``sid``."""
    pid = int(index.sent_para[sid])
    article = index.articles[int(index.para_article[pid])]
    return Citation(article.doc, article.title, index.paragraphs[pid].number, quote.strip(), round(score, 4))


def _data_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


def corpus_hashes(corpus: Path) -> dict[str, str]:
    from .ingest import corpus_files

    return {p.relative_to(corpus).as_posix(): file_sha256(p) for p in corpus_files(corpus)}


def build(
    corpus: Path,
    index: Path,
    *,
    model_name: str = DEFAULT_MODEL,
    model: SentenceTransformer | None = None,
    progress: Callable[[int, int], None] | None = None,
    wait: bool = False,
) -> BuildStats:
    """Build the index for ``corpus`` into ``index``; the old index stays usable until the swap.

    Only one build writes an index folder at a time: another one fails with BuildLocked at once,
    or with ``wait`` waits for it.
    """
    with build_lock(index, wait=wait):
        _recover_locked(index)
        _remove_leftovers(index)
        return _build(corpus, index, model_name=model_name, model=model, progress=progress)


def _build(
    corpus: Path,
    index: Path,
    *,
    model_name: str,
    model: SentenceTransformer | None,
    progress: Callable[[int, int], None] | None,
) -> BuildStats:
    start = time.perf_counter()
    articles: list[Article] = []
    hashes: dict[str, str] = {}
    for rel, path, file_articles in load_corpus(corpus):
        hashes[rel] = file_sha256(path)
        articles.extend(file_articles)
    sentences = [s.text for a in articles for p in a.paragraphs for s in p.sentences]
    paragraphs = [p.text for a in articles for p in a.paragraphs]
    t_model = time.perf_counter()
    model = model or load_model(model_name)
    dim = dimension(model)
    model_seconds = time.perf_counter() - t_model

    index.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{index.name}.building-", dir=index.parent))
    try:
        vectors = np.empty((len(sentences), dim), dtype=np.float32)
        for lo in range(0, len(sentences), EMBED_BATCH):
            batch = [normalize(s) for s in sentences[lo : lo + EMBED_BATCH]]
            vectors[lo : lo + len(batch)] = encode(model, batch)
            if progress:
                progress(lo + len(batch), len(sentences))
        DenseIndex.build(vectors).save(tmp / DENSE)
        LexicalIndex.build(sentences).save(tmp / LEX_SENTENCES)
        LexicalIndex.build(paragraphs).save(tmp / LEX_PARAGRAPHS)
        with (tmp / ARTICLES).open("w", encoding="utf-8") as f:
            for a in articles:
                f.write(json.dumps(_article_to_json(a), ensure_ascii=False) + "\n")
        stats = BuildStats(
            files=len(hashes),
            articles=len(articles),
            paragraphs=len(paragraphs),
            sentences=len(sentences),
            seconds=round(time.perf_counter() - start, 3),
            model_seconds=round(model_seconds, 3),
        )
        manifest = {
            "format_version": FORMAT_VERSION,
            "package_version": __version__,
            "model": {"name": model_name, "dimension": dim},
            "counts": {k: v for k, v in stats.__dict__.items() if "seconds" not in k},
            "build_seconds": stats.seconds,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "corpus": {"path": str(corpus), "files": hashes},
            "index_files": {p.relative_to(tmp).as_posix(): file_sha256(p) for p in _data_files(tmp)},
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        _swap(tmp, index)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return stats


def _swap(new: Path, index: Path) -> None:
    """Replace ``index`` with ``new``: two renames, recoverable by ``_recover`` if cut between them."""
    old = index.with_name(index.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if index.exists():
        os.rename(index, old)
    os.rename(new, index)
    shutil.rmtree(old, ignore_errors=True)


def _recover(index: Path) -> None:
    """Put back the previous index when a build died between its two renames."""
    if index.exists() or not (index.with_name(index.name + ".old") / MANIFEST).exists():
        return
    try:
        with build_lock(index, wait=False):
            _recover_locked(index)
    except BuildLocked:
        pass  # a build is running right now; it will put an index in place


def _recover_locked(index: Path) -> None:
    old = index.with_name(index.name + ".old")
    if not index.exists() and (old / MANIFEST).exists():
        log.warning("restoring %s from %s (a build was interrupted)", index, old)
        os.rename(old, index)


def _remove_leftovers(index: Path) -> None:
    """Temporary folders of builds that were killed (we hold the lock, so none is running)."""
    for p in index.parent.glob(f".{index.name}.building-*"):
        shutil.rmtree(p, ignore_errors=True)


def _article_to_json(a: Article) -> dict[str, Any]:
    return {
        "doc": a.doc,
        "title": a.title,
        "subtitle": a.subtitle,
        "byline": a.byline,
        "paragraphs": [[s.text for s in p.sentences] for p in a.paragraphs],
    }


def _article_from_json(d: dict[str, Any]) -> Article:
    paragraphs = [
        Paragraph(text="".join(sents), number=i, sentences=[Sentence(s, j) for j, s in enumerate(sents, start=1)])
        for i, sents in enumerate(d["paragraphs"], start=1)
    ]
    return Article(doc=d["doc"], title=d["title"], subtitle=d["subtitle"], byline=d["byline"], paragraphs=paragraphs)


def read_manifest(index: Path) -> dict[str, Any]:
    _recover(index)
    path = index / MANIFEST
    if not path.exists():
        raise IndexUnavailable(f"no index at {index} (missing {MANIFEST}); build it with: {rebuild_hint(index)}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexUnavailable(f"{path} is damaged ({exc}); rebuild with: {rebuild_hint(index)}") from exc
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexUnavailable(
            f"{index} has index format {manifest.get('format_version')!r}, this quoteqa reads format "
            f"{FORMAT_VERSION}; rebuild with: {rebuild_hint(index)}"
        )
    return manifest


def load(
    index: Path, *, model: SentenceTransformer | None = None, model_name: str | None = None, verify: bool = True
) -> Index:
    """Load and verify an index folder (manifest, file checksums, model)."""
    manifest = read_manifest(index)
    built_with = manifest["model"]["name"]
    if model_name is not None and model_name != built_with:
        raise IndexUnavailable(
            f"the index at {index} was built with the model {built_with!r}, not {model_name!r}; "
            f"rebuild it with: quoteqa build --index {index} --model {model_name}"
        )
    if model is not None and dimension(model) != manifest["model"]["dimension"]:
        raise IndexUnavailable(
            f"the index at {index} holds {manifest['model']['dimension']}-d vectors of {built_with!r}, but the "
            f"given model makes {dimension(model)}-d vectors; rebuild with: {rebuild_hint(index, model=built_with)}"
        )
    if verify:
        for rel, digest in manifest.get("index_files", {}).items():
            p = index / rel
            if not p.exists() or file_sha256(p) != digest:
                state = "missing" if not p.exists() else "corrupted or from another build"
                raise IndexUnavailable(f"{p} is {state}; rebuild with: {rebuild_hint(index)}")
    try:
        with (index / ARTICLES).open(encoding="utf-8") as f:
            articles = [_article_from_json(json.loads(line)) for line in f if line.strip()]
        dense = DenseIndex.load(index / DENSE)
        lex_s = LexicalIndex.load(index / LEX_SENTENCES)
        lex_p = LexicalIndex.load(index / LEX_PARAGRAPHS)
    except Exception as exc:
        raise IndexUnavailable(
            f"cannot read the index at {index} ({exc}); rebuild with: {rebuild_hint(index)}"
        ) from exc
    loaded = Index(index, manifest, articles, dense, lex_s, lex_p, _model=model)
    if len(dense) != len(loaded.sentences) or lex_p.n_docs != len(loaded.paragraphs):
        raise IndexUnavailable(f"the files in {index} come from different builds; rebuild with: {rebuild_hint(index)}")
    return loaded


def stale_files(manifest: dict[str, Any], corpus: Path) -> list[str]:
    """Corpus files added, removed or changed since the index was built."""
    built: dict[str, str] = manifest.get("corpus", {}).get("files", {})
    try:
        now = corpus_hashes(corpus)
    except Exception:
        return ["(corpus folder)"]
    changed = [f"changed: {k}" for k in now if k in built and built[k] != now[k]]
    changed += [f"added: {k}" for k in now if k not in built]
    changed += [f"removed: {k}" for k in built if k not in now]
    return changed
