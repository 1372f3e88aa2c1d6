"""Build stage: corpus → articles, sentence vectors and BM25 statistics written into a new
index folder, swapped in atomically (see ``store``). Sentences the previous index already holds
keep their vectors."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..ingest.corpus import CorpusError, file_sha256
from ..ingest.formats import IngestReport, kind_of
from ..ingest.scan import scan_corpus
from ..ingest.text import NORMALIZER, normalize
from .embedding import DEFAULT_MODEL, Embedder, build_threads, dimension, encode, load_embedder, set_threads
from .retrievers import EXACT_LIMIT, Bm25Builder, DenseIndex, DocTerms, open_vectors
from .search import LOCAL, MILVUS_LITE, StoreError, check_uri
from .store import (
    ANN,
    ARTICLES,
    FILES,
    FORMAT_VERSION,
    KEY_BYTES,
    KEYS,
    LEX_PARAGRAPHS,
    LEX_SENTENCES,
    MANIFEST,
    VECTORS,
    IndexUnavailable,
    answer_weights,
    article_to_json,
    build_lock,
    building_folder,
    check_target,
    data_files,
    fault_point,
    package_version,
    previous_store,
    read_manifest,
    recorded_store,
    recover_locked,
    remove_leftovers,
    swap_in,
)

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

EMBED_BATCH = 512


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
    report: IngestReport = field(default_factory=IngestReport)  # by format, and what was not read

    @property
    def sentences_per_second(self) -> float:
        """Throughput of the build itself (reading, embedding, indexing, writing), model load excluded."""
        return self.sentences / max(self.seconds - self.model_seconds, 1e-9)


def build(
    corpus: Path,
    index: Path,
    *,
    model_name: str = DEFAULT_MODEL,
    model: Embedder | None = None,
    progress: Callable[[int, int], None] | None = None,
    wait: bool = False,
    reuse: bool = True,
    exact_limit: int = EXACT_LIMIT,
    store: str | None = None,
    reuse_from: Sequence[Path] = (),
) -> BuildStats:
    """Build the index for ``corpus`` into ``index``; the old index stays usable until the swap.

    ``store``: where the rows are searched (``search.check_uri``: ``local``, ``milvus:path.db`` or a
    Milvus server URL); by default the store the index already records, else ``local``. With a
    Milvus store the folder keeps articles, vocabulary and the embedding cache, and Milvus the rows.
    ``reuse_from``: other index folders (same model) whose sentence vectors are taken too, e.g. the
    shards of an archive embedded on several machines.

    Sentences whose text the previous index at ``index`` already holds (same model) keep their
    vectors, so adding an article embeds only that article (``reuse=False`` embeds everything).
    ``progress(files done, files)`` is called after each corpus file.
    Only one build writes an index folder at a time: another one fails with BuildLocked at once,
    or with ``wait`` waits for it.
    """
    check_target(corpus, index)
    uri = check_uri(store) if store else recorded_store(index)
    lite = Path(uri[len(MILVUS_LITE) :]) if uri.startswith(MILVUS_LITE) else None
    if lite is not None and lite.is_relative_to(Path(index).expanduser().resolve()):
        # The build replaces the index folder whole: a store inside it would be deleted with it.
        raise StoreError(
            f"--store {store or uri}: the Milvus Lite file lies inside the index folder {index}, which every build "
            f"replaces; put it beside the index, e.g. --store milvus:{Path(index).parent / 'archive.db'}"
        )
    was = previous_store(index)
    if was and was.get("uri", LOCAL) not in (LOCAL, uri):
        log.warning(
            "the index moves from the store %s to %s; its collections there (%s) are left as they are: drop "
            "them in Milvus once nothing uses them",
            was["uri"], uri, ", ".join(was.get("collections", {}).values()),
        )  # fmt: skip
    try:
        with build_lock(index, wait=wait):
            recover_locked(index)
            remove_leftovers(index, keep=corpus)
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
                    uri=uri,
                    reuse_from=reuse_from,
                )
            finally:
                set_threads(before)
    except OSError as exc:  # the corpus side raises CorpusError; this is the index side
        where = f" ({exc.filename})" if exc.filename else ""
        raise IndexUnavailable(
            f"cannot write the index at {index}: {exc.strerror or exc}{where}; give --index a folder you can "
            "write, with free space, or fix its permissions."
        ) from exc


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

    def __init__(
        self,
        folder: Path,
        prev: PreviousBuild,
        get_model: Callable[[], Embedder],
        others: Sequence[PreviousBuild] = (),
    ) -> None:
        self.vectors = (folder / VECTORS).open("wb")
        self.keys = (folder / KEYS).open("wb")
        self.prev = prev
        self.caches = [prev, *others]
        self.get_model = get_model
        self.pending: list[tuple[bytes, str]] = []
        self.rows = self.embedded = self.reused = 0
        self.dim = next((c.dim for c in self.caches if c.dim is not None), None)

    def cached(self, key: bytes) -> np.ndarray | None:
        for cache in self.caches:
            vector = cache.vector(key)
            if vector is not None:
                return vector
        return None

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
        found = {key: self.cached(key) for key, _ in self.pending}
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


def _scan(
    corpus: Path,
    files: list[Path],
    tmp: Path,
    prev: PreviousBuild,
    writer: _VectorWriter,
    lexical: tuple[Bm25Builder, Bm25Builder],
    progress: Callable[[int, int], None] | None,
    report: IngestReport,
) -> tuple[dict[str, str], int, int]:
    """Every corpus file, one in memory at a time: its articles written out (an unchanged file's
    copied from the previous build), its sentences handed to the writer and the BM25 builders,
    and its span recorded. Returns (file hashes, articles, paragraphs)."""
    lex_s, lex_p = lexical
    hashes: dict[str, str] = {}
    n_articles = n_paragraphs = 0
    with (tmp / ARTICLES).open("w", encoding="utf-8") as out, (tmp / FILES).open("w", encoding="utf-8") as spans:
        scan = scan_corpus(corpus, prev.known if prev.spans else None, files)
        for done, f in enumerate(scan, start=1):
            hashes[f.rel] = f.digest
            report.skipped += [f.refused] if f.refused else f.notes
            if f.refused:  # no span: the next build reads it again, and says why again
                continue
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
                    out.write(json.dumps(article_to_json(a), ensure_ascii=False) + "\n")
                    n_articles += 1
                    for p in a.paragraphs:
                        n_paragraphs += 1
                        lex_p.add_text(p.text)
                        for sent in p.sentences:
                            lex_s.add_text(sent.text)
                            writer.add(sent.text)
            report.count(kind_of(f.rel), f.pages, n_articles - start_rows[0])
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
    return hashes, n_articles, n_paragraphs


def _write_search(
    tmp: Path, rows: int, dim: int, lexical: tuple[Bm25Builder, Bm25Builder], exact_limit: int | None
) -> None:
    """The FAISS inverted file (for a local store above the exact limit; ``exact_limit`` None for
    Milvus) and the two BM25 structures, from the files the scan wrote."""
    vectors = open_vectors(tmp / VECTORS, rows, dim)
    ann = DenseIndex.build_ann(vectors, exact_limit=exact_limit) if exact_limit is not None else None
    if ann is not None:
        import faiss

        faiss.write_index(ann, str(tmp / ANN))
    fault_point("ANN index written (none below the exact limit)")
    del vectors, ann
    for builder, folder in zip(lexical, (tmp / LEX_SENTENCES, tmp / LEX_PARAGRAPHS), strict=True):
        lex, lex_rows = builder.finish()
        lex.save(folder)
        lex_rows.save(folder)
        fault_point(f"{folder.name} written")
        del lex, lex_rows


def _manifest(
    tmp: Path,
    corpus: Path,
    hashes: dict[str, str],
    stats: BuildStats,
    dim: int,
    model_name: str,
    rows_in: dict[str, Any],
) -> dict[str, Any]:
    """The manifest of the index built in ``tmp``: what it was built from and with, its counts
    and the hash of every file it holds."""
    return {
        "format_version": FORMAT_VERSION,
        "package_version": package_version(),
        "model": {"name": model_name, "dimension": dim},
        "normalizer": NORMALIZER,
        "answer_weights": answer_weights(),
        "counts": {
            "files": stats.files,
            "articles": stats.articles,
            "paragraphs": stats.paragraphs,
            "sentences": stats.sentences,
        },
        "dense": rows_in.get("dense_index", "exact" if not (tmp / ANN).exists() else "ivf"),
        "store": rows_in,
        "build_seconds": stats.seconds,
        "embedded": stats.embedded,
        "reused": stats.reused,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "corpus": {"path": str(corpus), "files": hashes},
        "index_files": {p.relative_to(tmp).as_posix(): file_sha256(p) for p in data_files(tmp)},
    }


def _build(
    corpus: Path,
    index: Path,
    *,
    model_name: str,
    model: Embedder | None,
    progress: Callable[[int, int], None] | None,
    reuse: bool,
    exact_limit: int,
    uri: str = LOCAL,
    reuse_from: Sequence[Path] = (),
) -> BuildStats:
    """One pass over the corpus, one file in memory at a time: articles are written out, sentences
    embedded in batches (or taken from the previous index) and BM25 statistics gathered as compact
    arrays. Then the FAISS and BM25 structures are made from those files."""
    from ..ingest.corpus import corpus_files

    start = time.perf_counter()
    model_seconds = 0.0
    loaded: list[Embedder] = [model] if model is not None else []

    def get_model() -> Embedder:
        nonlocal model_seconds
        if not loaded:
            t = time.perf_counter()
            loaded.append(load_embedder(model_name))
            model_seconds = time.perf_counter() - t
        return loaded[0]

    prev = PreviousBuild.of(index, model_name) if reuse else PreviousBuild()
    files = corpus_files(corpus, (report := IngestReport()).skipped)
    index.parent.mkdir(parents=True, exist_ok=True)
    tmp = building_folder(index)
    try:
        tmp.chmod(0o777 & ~_umask())  # readable like any folder the user makes (mkdtemp gives 0700)
        fault_point("temp folder made")
        lex_s, lex_p = Bm25Builder(prev.sentence_terms), Bm25Builder(prev.paragraph_terms)
        others = [PreviousBuild.of(p, model_name) for p in reuse_from] if reuse else []
        for folder, other in zip(reuse_from, others, strict=False):
            if not other.rows:
                log.warning("no sentence vectors of %s can be reused (none, damaged, or another model)", folder)
        writer = _VectorWriter(tmp, prev, get_model, others)
        hashes, n_articles, n_paragraphs = _scan(corpus, files, tmp, prev, writer, (lex_s, lex_p), progress, report)
        if not n_articles:
            raise CorpusError(f"{corpus} 里没有读到任何文章:" + ";".join(report.skipped or ["文件里没有正文"]))
        fault_point("articles and files written")
        writer.close()
        fault_point("vectors and keys written")
        dim = writer.dim if writer.dim is not None else dimension(get_model())
        _write_search(tmp, writer.rows, dim, (lex_s, lex_p), exact_limit if uri == LOCAL else None)
        del lex_s, lex_p, prev
        rows_in: dict[str, Any] = {"uri": LOCAL}
        if uri != LOCAL:
            from . import milvus_sync

            rows_in = milvus_sync.sync(tmp, uri, previous_store(index), dim, reuse, exact_limit)
            fault_point("Milvus rows written")
        stats = BuildStats(
            files=len(hashes),
            articles=n_articles,
            paragraphs=n_paragraphs,
            sentences=writer.rows,
            seconds=round(time.perf_counter() - start, 3),
            model_seconds=round(model_seconds, 3),
            embedded=writer.embedded,
            reused=writer.reused,
            report=report,
        )
        manifest = _manifest(tmp, corpus, hashes, stats, dim, model_name, rows_in)
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        fault_point("manifest written")
        swap_in(tmp, index)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if rows_in.get("retired") or rows_in.get("dropped"):
        from . import milvus_sync

        milvus_sync.retire(rows_in)
    return stats


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
