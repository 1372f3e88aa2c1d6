"""The on-disk index: plain files plus manifest.json, written atomically."""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import __version__
from .embedding import DEFAULT_MODEL, build_threads, dimension, encode, load_model, set_threads
from .ingest import Article, CorpusError, Paragraph, Sentence, file_sha256, scan_corpus
from .numbers import has_figure
from .retrievers import EXACT_LIMIT, Bm25Builder, DenseIndex, DiskArray, DocTerms, LexicalIndex, open_vectors
from .text import NORMALIZER, bigrams, bigrams_of_normalized, is_cjk, normalize

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
MANIFEST = "manifest.json"
ARTICLES = "articles.jsonl"
VECTORS = "vectors.bin"  # float32 rows, one per sentence, in sentence order
KEYS = "keys.bin"  # 16-byte content hash per sentence, the embedding cache's key
ANN = "ann.faiss"  # FAISS inverted file, only above EXACT_LIMIT sentences
FILES = "files.jsonl"  # per corpus file: its digest, row ranges and article keys
KEY_BYTES = 16
LEX_SENTENCES = "bm25_sentences"
LEX_PARAGRAPHS = "bm25_paragraphs"
EMBED_BATCH = 512
REFERENCE_SAMPLE = 4096
WEIGHTS = "weights.json"  # the learned weights beside this module (see answer.Model)
MEMO_LIMIT = 50_000  # cached per-sentence / per-paragraph values (see Index.cached)


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
    embedded: int = 0  # sentences embedded by this build
    reused: int = 0  # sentences whose vectors came from the previous index

    @property
    def sentences_per_second(self) -> float:
        """Throughput of the build itself (reading, embedding, indexing, writing), model load excluded."""
        return self.sentences / max(self.seconds - self.model_seconds, 1e-9)


@dataclass(frozen=True)
class Citation:
    """Where a quote comes from: the article file, its headline and the 1-based paragraph
    (0 for the headline or the byline, which ``part`` then names)."""

    doc: str
    title: str
    paragraph: int
    quote: str
    score: float
    part: str = "body"  # "body", "headline" or "byline"


def place(part: str, paragraph: int) -> str:
    """Where a quote stands in its article, as a reader is told: 第 N 段, 署名 or 标题."""
    return {"byline": "署名", "headline": "标题"}.get(part, f"第 {paragraph} 段")


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
        part of a query, and corpus sentences are the same for every query). The memo is emptied
        when it reaches MEMO_LIMIT entries, so that a server on a large archive stays bounded."""
        value = self.memo.get((kind, key))
        if value is None:
            if len(self.memo) >= MEMO_LIMIT:
                self.memo.clear()
            value = self.memo[(kind, key)] = compute()
        return value

    def title_terms(self, aid: int) -> frozenset[str]:
        """Content terms of an article's headline."""
        return self.cached("title", aid, lambda: frozenset(bigrams(self.articles[aid].title)))  # type: ignore[no-any-return]

    def paragraph_counts(self, pid: int, kind: str) -> dict[str, int]:
        """In how many of a paragraph's sentences, plus its article's headline, each term (kind
        "terms") or character (kind "chars") occurs."""

        def compute() -> dict[str, int]:
            first = int(self.para_first[pid])
            of = self.sentence_terms if kind == "terms" else self.sentence_chars
            aid = int(self.para_article[pid])
            counts: dict[str, int] = {}
            sets = [of(s) for s in range(first, first + len(self.paragraphs[pid].sentences))]
            sets.append(self.title_terms(aid) if kind == "terms" else frozenset(normalize(self.articles[aid].title)))
            for terms in sets:
                for t in terms:
                    counts[t] = counts.get(t, 0) + 1
            return counts

        return self.cached(f"counts-{kind}", pid, compute)  # type: ignore[no-any-return]

    def _sentence_sets(self, sid: int) -> tuple[frozenset[str], frozenset[str]]:
        def compute() -> tuple[frozenset[str], frozenset[str]]:
            text = normalize(self.sentences[sid].text)
            return frozenset(bigrams_of_normalized(text)), frozenset(c for c in text if is_cjk(c))

        return self.cached("sets", sid, compute)  # type: ignore[no-any-return]

    def sentence_terms(self, sid: int) -> frozenset[str]:
        """Content terms of a sentence."""
        return self._sentence_sets(sid)[0]

    def sentence_chars(self, sid: int) -> frozenset[str]:
        """Chinese characters of a sentence."""
        return self._sentence_sets(sid)[1]

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


_FAULT_CALLS = itertools.count(1)


def _step(name: str) -> None:
    """A point between two write steps of a build, there for tests/test_faults.py. With the
    environment variable QUOTEQA_FAULT_STEP=N the N-th call in this process kills it with SIGKILL
    (a real crash: no cleanup, no finally blocks); with QUOTEQA_FAULT_STEP=list every call prints
    "quoteqa fault step N: name" to stderr. Without the variable it only looks the variable up."""
    fault = os.environ.get("QUOTEQA_FAULT_STEP")
    if fault is None:
        return
    n = next(_FAULT_CALLS)
    if fault == "list":
        print(f"quoteqa fault step {n}: {name}", file=sys.stderr, flush=True)
    elif fault.strip().isdigit() and int(fault) == n:
        os.kill(os.getpid(), signal.SIGKILL)


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
    reuse: bool = True,
    exact_limit: int = EXACT_LIMIT,
) -> BuildStats:
    """Build the index for ``corpus`` into ``index``; the old index stays usable until the swap.

    Sentences whose text the previous index at ``index`` already holds (same model) keep their
    vectors, so adding an article embeds only that article (``reuse=False`` embeds everything).
    ``progress(files done, files)`` is called after each corpus file.
    Only one build writes an index folder at a time: another one fails with BuildLocked at once,
    or with ``wait`` waits for it.
    """
    check_target(corpus, index)
    try:
        with build_lock(index, wait=wait):
            _recover_locked(index)
            _remove_leftovers(index)
            before = set_threads(build_threads())
            try:
                return _build(
                    corpus,
                    index,
                    model_name=model_name,
                    model=model,
                    progress=progress,
                    reuse=reuse,
                    exact_limit=exact_limit,
                )
            finally:
                set_threads(before)
    except OSError as exc:  # the corpus side raises CorpusError; this is the index side
        where = f" ({exc.filename})" if exc.filename else ""
        raise IndexUnavailable(
            f"cannot write the index at {index}: {exc.strerror or exc}{where}; give --index a folder you can "
            "write, with free space, or fix its permissions."
        ) from exc


INDEX_ENTRIES = frozenset({MANIFEST, ARTICLES, VECTORS, KEYS, ANN, FILES, LEX_SENTENCES, LEX_PARAGRAPHS})


def is_index_folder(folder: Path) -> bool:
    """True when everything in ``folder`` is what a quoteqa build writes (so a build may replace
    it): the entries of this format, or those its manifest lists (an older format)."""
    entries = {p.name for p in folder.iterdir()}
    if entries <= INDEX_ENTRIES:
        return True
    try:
        listed = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("index_files", {})
    except (OSError, UnicodeDecodeError, ValueError, AttributeError):
        return False
    return isinstance(listed, dict) and entries <= {MANIFEST} | {str(rel).split("/")[0] for rel in listed}


def check_target(corpus: Path, index: Path) -> None:
    """Refuse a build that would delete what is not an index: a build replaces the whole ``index``
    folder (and its ``.old`` twin), so it must hold nothing else, and must not be, hold or lie
    inside the corpus."""
    c, i = corpus.resolve(), index.resolve()
    if c == i or c.is_relative_to(i) or i.is_relative_to(c):
        where = "is" if c == i else "lies inside" if i.is_relative_to(c) else "holds"
        raise IndexUnavailable(
            f"the index folder {index} {where} the corpus folder {corpus}; keep them apart, "
            "e.g. --corpus corpus --index index."
        )
    hint = "give --index a new folder name (it is created) or an existing quoteqa index folder"
    for folder in (index, index.with_name(index.name + ".old")):
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise IndexUnavailable(f"{folder} is a file or a link, not an index folder; {hint}.")
        if folder.is_dir() and not is_index_folder(folder):
            sample = sorted(p.name for p in folder.iterdir() if p.name not in INDEX_ENTRIES)[:3]
            raise IndexUnavailable(
                f"{folder} holds files that are not part of a quoteqa index ({', '.join(sample)}); a build "
                f"replaces the whole folder, so it will not write there; {hint}."
            )


@dataclass
class _Span:
    """What one corpus file contributed to a build: row ranges and its article keys."""

    articles: tuple[int, int]
    paragraphs: tuple[int, int]
    sentences: tuple[int, int]
    keys: list[bytes]


class PreviousBuild:
    """The index being replaced, as a cache for the new build (same model, files verified):
    an unchanged corpus file is copied without parsing, and in a changed file every sentence the
    old index holds keeps its vector (keyed by the hash of its normalised text)."""

    def __init__(self) -> None:
        self.rows: dict[bytes, int] = {}
        self.vectors = np.zeros((0, 0), dtype=np.float32)
        self.keys = b""
        self.dim: int | None = None
        self.spans: dict[tuple[str, str], _Span] = {}
        self.article_lines: list[str] = []
        self.sentence_terms: DocTerms | None = None
        self.paragraph_terms: DocTerms | None = None

    @classmethod
    def of(cls, index: Path, model_name: str) -> PreviousBuild:
        """The previous build at ``index``; empty when there is none, it is damaged, or another model
        built it."""
        prev = cls()
        try:
            manifest = read_manifest(index)
        except IndexUnavailable:
            return prev
        if manifest.get("model", {}).get("name") != model_name or manifest.get("normalizer") != NORMALIZER:
            return prev
        for rel, digest in manifest.get("index_files", {}).items():  # nothing damaged may seed the new build
            if not (index / rel).exists() or file_sha256(index / rel) != digest:
                log.warning("not reusing %s: %s does not match its manifest", index, rel)
                return prev
        try:
            n, dim = int(manifest["counts"]["sentences"]), int(manifest["model"]["dimension"])
            keys = (index / KEYS).read_bytes()
            vectors = open_vectors(index / VECTORS, n, dim)
            lines = (index / ARTICLES).read_text(encoding="utf-8").splitlines(keepends=True)
            spans = {}
            with (index / FILES).open(encoding="utf-8") as f:
                for line in f:
                    d = json.loads(line)
                    spans[(d["rel"], d["digest"])] = _Span(
                        tuple(d["articles"]),  # type: ignore[arg-type]
                        tuple(d["paragraphs"]),  # type: ignore[arg-type]
                        tuple(d["sentences"]),  # type: ignore[arg-type]
                        [bytes.fromhex(k) for k in d["keys"]],
                    )
            sentence_terms = DocTerms.load(index / LEX_SENTENCES)
            paragraph_terms = DocTerms.load(index / LEX_PARAGRAPHS)
        except (OSError, KeyError, ValueError) as exc:
            log.warning("not reusing %s (%s)", index, exc)
            return prev
        if len(keys) != n * KEY_BYTES:
            return prev
        prev.keys, prev.vectors, prev.dim = keys, vectors, dim
        prev.rows = {keys[i : i + KEY_BYTES]: i // KEY_BYTES for i in range(0, len(keys), KEY_BYTES)}
        prev.spans, prev.article_lines = spans, lines
        prev.sentence_terms, prev.paragraph_terms = sentence_terms, paragraph_terms
        return prev

    def known(self, rel: str, digest: str) -> list[bytes] | None:
        span = self.spans.get((rel, digest))
        return None if span is None else span.keys

    def vector(self, key: bytes) -> np.ndarray | None:
        row = self.rows.get(key)
        return None if row is None else np.asarray(self.vectors[row])


def sentence_key(normalized: str) -> bytes:
    """Content hash of a normalised sentence: the embedding cache's key."""
    return hashlib.blake2b(normalized.encode("utf-8"), digest_size=KEY_BYTES).digest()


class _VectorWriter:
    """Embeds sentences in batches, taking unchanged ones from the previous build, and appends the rows."""

    def __init__(self, folder: Path, prev: PreviousBuild, get_model: Callable[[], SentenceTransformer]) -> None:
        self.vectors = (folder / VECTORS).open("wb")
        self.keys = (folder / KEYS).open("wb")
        self.prev = prev
        self.get_model = get_model
        self.pending: list[tuple[bytes, str]] = []
        self.rows = self.embedded = self.reused = 0
        self.dim = prev.dim

    def add(self, sentence: str) -> None:
        text = normalize(sentence)
        self.pending.append((sentence_key(text), text))
        if len(self.pending) >= EMBED_BATCH:
            self.flush()

    def add_previous(self, first: int, count: int) -> None:
        """Rows ``first .. first + count - 1`` of the previous build, as they were."""
        self.flush()
        self.vectors.write(np.ascontiguousarray(self.prev.vectors[first : first + count]).tobytes())
        self.keys.write(self.prev.keys[first * KEY_BYTES : (first + count) * KEY_BYTES])
        self.rows += count
        self.reused += count

    def flush(self) -> None:
        if not self.pending:
            return
        found = {key: self.prev.vector(key) for key, _ in self.pending}
        missing = {key: text for key, text in self.pending if found[key] is None}
        if missing:
            fresh = encode(self.get_model(), list(missing.values()))
            found.update(zip(missing, fresh, strict=True))
            self.embedded += len(missing)
        rows = np.stack([found[key] for key, _ in self.pending]).astype(np.float32)  # type: ignore[misc]
        self.dim = rows.shape[1]
        self.reused += len(self.pending) - len(missing)
        self.vectors.write(rows.tobytes())
        self.keys.write(b"".join(key for key, _ in self.pending))
        self.rows += len(self.pending)
        self.pending.clear()

    def close(self) -> None:
        self.flush()
        self.vectors.close()
        self.keys.close()


def _build(
    corpus: Path,
    index: Path,
    *,
    model_name: str,
    model: SentenceTransformer | None,
    progress: Callable[[int, int], None] | None,
    reuse: bool,
    exact_limit: int,
) -> BuildStats:
    """One pass over the corpus, one file in memory at a time: articles are written out, sentences
    embedded in batches (or taken from the previous index) and BM25 statistics gathered as compact
    arrays. Then the FAISS and BM25 structures are made from those files."""
    from .ingest import corpus_files

    start = time.perf_counter()
    model_seconds = 0.0
    loaded: list[SentenceTransformer] = [model] if model is not None else []

    def get_model() -> SentenceTransformer:
        nonlocal model_seconds
        if not loaded:
            t = time.perf_counter()
            loaded.append(load_model(model_name))
            model_seconds = time.perf_counter() - t
        return loaded[0]

    prev = PreviousBuild.of(index, model_name) if reuse else PreviousBuild()
    files = corpus_files(corpus)
    index.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{index.name}.building-", dir=index.parent))
    try:
        tmp.chmod(0o777 & ~_umask())  # readable like any folder the user makes (mkdtemp gives 0700)
        _step("temp folder made")
        hashes: dict[str, str] = {}
        n_articles = n_paragraphs = 0
        lex_s, lex_p = Bm25Builder(prev.sentence_terms), Bm25Builder(prev.paragraph_terms)
        writer = _VectorWriter(tmp, prev, get_model)
        with (tmp / ARTICLES).open("w", encoding="utf-8") as out, (tmp / FILES).open("w", encoding="utf-8") as spans:
            scan = scan_corpus(corpus, prev.known if prev.spans else None, files)
            for done, f in enumerate(scan, start=1):
                hashes[f.rel] = f.digest
                start_rows = (n_articles, n_paragraphs, writer.rows + len(writer.pending))
                if f.articles is None:  # unchanged since the previous build: copied as it was
                    span = prev.spans[(f.rel, f.digest)]
                    out.writelines(prev.article_lines[span.articles[0] : span.articles[1]])
                    p0, p1 = span.paragraphs
                    s0, s1 = span.sentences
                    lex_p.add_previous(p0, p1 - p0)
                    lex_s.add_previous(s0, s1 - s0)
                    writer.add_previous(s0, s1 - s0)
                    n_articles += span.articles[1] - span.articles[0]
                    n_paragraphs += p1 - p0
                else:
                    for a in f.articles:
                        out.write(json.dumps(_article_to_json(a), ensure_ascii=False) + "\n")
                        n_articles += 1
                        for p in a.paragraphs:
                            n_paragraphs += 1
                            lex_p.add_text(p.text)
                            for sent in p.sentences:
                                lex_s.add_text(sent.text)
                                writer.add(sent.text)
                record = {
                    "rel": f.rel,
                    "digest": f.digest,
                    "articles": [start_rows[0], n_articles],
                    "paragraphs": [start_rows[1], n_paragraphs],
                    "sentences": [start_rows[2], writer.rows + len(writer.pending)],
                    "keys": [k.hex() for k in f.keys],
                }
                spans.write(json.dumps(record) + "\n")
                if progress:
                    progress(done, len(files))
        _step("articles and files written")
        writer.close()
        _step("vectors and keys written")
        dim = writer.dim if writer.dim is not None else dimension(get_model())
        vectors = open_vectors(tmp / VECTORS, writer.rows, dim)
        ann = DenseIndex.build_ann(vectors, exact_limit=exact_limit)
        if ann is not None:
            import faiss

            faiss.write_index(ann, str(tmp / ANN))
        _step("ANN index written (none below the exact limit)")
        del vectors, ann
        for builder, folder in ((lex_s, tmp / LEX_SENTENCES), (lex_p, tmp / LEX_PARAGRAPHS)):
            lexical, rows = builder.finish()
            lexical.save(folder)
            rows.save(folder)
            _step(f"{folder.name} written")
            del lexical, rows
        del lex_s, lex_p, prev
        stats = BuildStats(
            files=len(hashes),
            articles=n_articles,
            paragraphs=n_paragraphs,
            sentences=writer.rows,
            seconds=round(time.perf_counter() - start, 3),
            model_seconds=round(model_seconds, 3),
            embedded=writer.embedded,
            reused=writer.reused,
        )
        manifest = {
            "format_version": FORMAT_VERSION,
            "package_version": __version__,
            "model": {"name": model_name, "dimension": dim},
            "normalizer": NORMALIZER,
            "answer_weights": answer_weights(),
            "counts": {
                "files": stats.files,
                "articles": n_articles,
                "paragraphs": n_paragraphs,
                "sentences": stats.sentences,
            },
            "dense": "exact" if not (tmp / ANN).exists() else "ivf",
            "build_seconds": stats.seconds,
            "embedded": stats.embedded,
            "reused": stats.reused,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "corpus": {"path": str(corpus), "files": hashes},
            "index_files": {p.relative_to(tmp).as_posix(): file_sha256(p) for p in _data_files(tmp)},
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        _step("manifest written")
        _swap(tmp, index)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return stats


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _swap(new: Path, index: Path) -> None:
    """Replace ``index`` with ``new``: two renames, recoverable by ``_recover`` if cut between them."""
    old = index.with_name(index.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    _step("swap: stale .old removed")
    if index.exists():
        os.rename(index, old)
    _step("swap: index renamed to .old")
    os.rename(new, index)
    _step("swap: new folder renamed to index")
    shutil.rmtree(old, ignore_errors=True)
    _step("swap: .old removed")


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


def answer_weights() -> dict[str, str]:
    """The learned weights (`quoteqa train`) answers are ranked and judged with, as recorded in a
    manifest: they read the index but do not change it, so a newer file needs no rebuild."""
    path = Path(__file__).with_name(WEIGHTS)
    try:
        version = str(json.loads(path.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return {"file": WEIGHTS, "version": "missing", "sha256": ""}
    return {"file": WEIGHTS, "version": version, "sha256": file_sha256(path)}


def read_manifest(index: Path) -> dict[str, Any]:
    _recover(index)
    path = index / MANIFEST
    if not path.exists():
        raise IndexUnavailable(f"no index at {index} (missing {MANIFEST}); build it with: {rebuild_hint(index)}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexUnavailable(f"{path} is damaged ({exc}); rebuild with: {rebuild_hint(index)}") from exc
    if manifest.get("format_version") == FORMAT_VERSION and manifest.get("normalizer") != NORMALIZER:
        raise IndexUnavailable(
            f"{index} was built with the text normaliser {manifest.get('normalizer')!r}, this quoteqa "
            f"uses {NORMALIZER!r}; rebuild with: {rebuild_hint(index)}"
        )
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
        n, dim = int(manifest["counts"]["sentences"]), int(manifest["model"]["dimension"])
        vectors = DiskArray(index / VECTORS, np.float32, (n, dim)) if n else np.zeros((0, dim), dtype=np.float32)
        dense = DenseIndex.load(vectors, index / ANN if (index / ANN).exists() else None)
        lex_s = LexicalIndex.load(index / LEX_SENTENCES)
        lex_p = LexicalIndex.load(index / LEX_PARAGRAPHS)
    # unreadable, truncated or malformed files (faiss reports a bad file as RuntimeError)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
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
    except (CorpusError, OSError):  # no corpus folder, or one that cannot be read
        return ["(corpus folder)"]
    changed = [f"changed: {k}" for k in now if k in built and built[k] != now[k]]
    changed += [f"added: {k}" for k in now if k not in built]
    changed += [f"removed: {k}" for k in built if k not in now]
    return changed
