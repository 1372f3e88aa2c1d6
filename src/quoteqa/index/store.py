"""The on-disk index store: plain files plus manifest.json, their lock and atomic swap, loading
and verifying them. ``build.py`` writes an index; this module owns what one is on disk."""

from __future__ import annotations

import importlib.metadata
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from ..ingest.corpus import Article, CorpusError, Paragraph, Sentence, Source, date_span, file_sha256
from ..ingest.text import NORMALIZER, normalize
from .embedding import DEFAULT_MODEL, Embedder, dimension, encode_queries, preload, query_model
from .retrievers import DenseIndex, DiskArray, LexicalIndex
from .search import LOCAL, MILVUS_SERVER, LocalStore, Store, StoreError, day

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

FORMAT_VERSION = 3  # 3: articles carry their date


MANIFEST = "manifest.json"
# Written first into every temporary folder a build makes, and removed once the folder is the index:
# only a folder holding it is removed as a killed build's leftover (a user's own folder may have a
# name like one: .i2.building-mycorpus).
BUILDING_MARK = ".quoteqa-building"


ARTICLES = "articles.jsonl"


VECTORS = "vectors.bin"  # float32 rows, one per sentence, in sentence order


KEYS = "keys.bin"  # 16-byte content hash per sentence, the embedding cache's key


ANN = "ann.faiss"  # FAISS inverted file, only above EXACT_LIMIT sentences


FILES = "files.jsonl"  # per corpus file: its digest, row ranges and article keys


KEY_BYTES = 16


LEX_SENTENCES = "bm25_sentences"


LEX_PARAGRAPHS = "bm25_paragraphs"


REFERENCE_SAMPLE = 4096


WEIGHTS = "weights.json"  # the learned weights (see ask.models.Model), with the files it names
WEIGHTS_FILE = Path(__file__).resolve().parents[1] / "weights" / WEIGHTS  # src/quoteqa/weights/


MEMO_LIMIT = 50_000  # cached per-sentence / per-paragraph values (see Index.cached)
QUERY_MEMO = 1_000  # query vectors kept (see Index.embed_query)


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
class Index:
    """Everything a question needs, loaded from one index folder."""

    path: Path
    manifest: dict[str, Any]
    articles: list[Article]
    lex_sentences: LexicalIndex
    lex_paragraphs: LexicalIndex
    # Flat views, position = global sentence / paragraph id.
    sentences: list[Sentence] = field(default_factory=list)
    sent_para: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    paragraphs: list[Paragraph] = field(default_factory=list)
    para_article: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    para_first: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # Retrieval (``search.Store``): set by ``load`` once the flat views exist.
    store: Store = field(default=cast("Store", None))
    _model: Embedder | None = None
    _reference: np.ndarray | None = None
    # Per-sentence / per-paragraph results computed on first use: (kind, id) -> value.
    memo: dict[str, dict[int, Any]] = field(default_factory=dict)  # kind -> key -> value
    queries: dict[str, np.ndarray] = field(default_factory=dict)  # normalised text -> query vector

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

    @cached_property
    def para_days(self) -> tuple[np.ndarray, np.ndarray]:
        """Per paragraph, the first and last day its article's date covers (YYYYMMDD; 0 undated)."""
        spans = [date_span(a.date) if a.date else ("", "") for a in self.articles]
        first = np.asarray([day(f) for f, _ in spans], dtype=np.int64)
        last = np.asarray([day(x) for _, x in spans], dtype=np.int64)
        return first[self.para_article], last[self.para_article]

    @property
    def model_name(self) -> str:
        return str(self.manifest["model"]["name"])

    @property
    def model(self) -> Embedder:
        """What questions are embedded with: the model given to ``load``, else the index's own."""
        if self._model is None:
            self._model = query_model(self.model_name)
        return self._model

    def reference_vectors(self) -> np.ndarray:
        """A fixed sample of sentence vectors, the baseline a dense score is compared with."""
        if self._reference is None:
            n = len(self.sentences)
            ids = (
                np.arange(n)
                if n <= REFERENCE_SAMPLE
                else np.random.default_rng(0).choice(n, REFERENCE_SAMPLE, replace=False)
            )
            self._reference = self.store.vectors(np.sort(ids))
        return self._reference

    def cached(self, kind: str, key: int, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per (kind, key) for this loaded index (normalising text is the costly
        part of a query, and corpus sentences are the same for every query). Each kind's memo is
        emptied when it reaches MEMO_LIMIT entries, so that a server on a large archive stays bounded
        (and one kind's churn does not empty another's)."""
        memo = self.memo.get(kind)
        if memo is None:
            memo = self.memo[kind] = {}
        value = memo.get(key)
        if value is None:
            if len(memo) >= MEMO_LIMIT:
                memo.clear()
            value = memo[key] = compute()
        return value

    def embed_query(self, text: str) -> np.ndarray:
        """The query vector of ``text``, computed once for the last QUERY_MEMO texts (a draft
        checked against each year of an archive embedded every claim once per year)."""
        key = normalize(text)
        vector = self.queries.get(key)
        if vector is None:
            if len(self.queries) >= QUERY_MEMO:
                self.queries.clear()
            vector = self.queries[key] = encode_queries(self.model, [key])[0]
        return vector


def data_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in (MANIFEST, BUILDING_MARK))


_STEP_WATCHERS: list[Callable[[str], None]] = []


def watch_steps(watcher: Callable[[str], None]) -> None:
    """Call ``watcher(name)`` at every write step of the builds of this process, from now on: the
    seam through which tests/crash_at.py kills a build between two steps (none is set otherwise)."""
    _STEP_WATCHERS.append(watcher)


def fault_point(name: str) -> None:
    """A point between two write steps of a build (a crash here must leave the old or the new
    index whole); the watchers of watch_steps are told its name."""
    for watcher in _STEP_WATCHERS:
        watcher(name)


def corpus_hashes(corpus: Path) -> dict[str, str]:
    from ..ingest.corpus import corpus_files

    return {p.relative_to(corpus).as_posix(): file_sha256(p) for p in corpus_files(corpus)}


INDEX_ENTRIES = frozenset({BUILDING_MARK, MANIFEST, ARTICLES, VECTORS, KEYS, ANN, FILES, LEX_SENTENCES, LEX_PARAGRAPHS})


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


def swap_in(new: Path, index: Path) -> None:
    """Replace ``index`` with ``new``: two renames, recoverable by ``_recover`` if cut between them."""
    old = index.with_name(index.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    fault_point("swap: stale .old removed")
    if index.exists():
        os.rename(index, old)
    fault_point("swap: index renamed to .old")
    os.rename(new, index)
    fault_point("swap: new folder renamed to index")
    (index / BUILDING_MARK).unlink(missing_ok=True)
    shutil.rmtree(old, ignore_errors=True)
    fault_point("swap: .old removed")


def _recover(index: Path) -> None:
    """Put back the previous index when a build died between its two renames."""
    if index.exists() or not (index.with_name(index.name + ".old") / MANIFEST).exists():
        return
    try:
        with build_lock(index, wait=False):
            recover_locked(index)
    except BuildLocked:
        pass  # a build is running right now; it will put an index in place


def recover_locked(index: Path) -> None:
    old = index.with_name(index.name + ".old")
    if not index.exists() and (old / MANIFEST).exists():
        log.warning("restoring %s from %s (a build was interrupted)", index, old)
        os.rename(old, index)


def building_folder(index: Path) -> Path:
    """A new temporary folder beside ``index`` for a build to write, marked as the build's own."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{index.name}.building-", dir=index.parent))
    (tmp / BUILDING_MARK).write_text("quoteqa build in progress; removed when the build ends\n", encoding="utf-8")
    return tmp


def remove_leftovers(index: Path, keep: Path | None = None) -> None:
    """Temporary folders of builds that were killed (we hold the lock, so none is running): only
    folders the builder marked (BUILDING_MARK), or left empty, and never ``keep`` (the corpus)."""
    for p in index.parent.glob(f".{index.name}.building-*"):
        if p.is_symlink() or not p.is_dir() or (keep is not None and p.resolve() == keep.resolve()):
            continue
        if (p / BUILDING_MARK).is_file():
            shutil.rmtree(p, ignore_errors=True)
        elif not any(p.iterdir()):  # killed between making the folder and marking it
            p.rmdir()


def article_to_json(a: Article) -> dict[str, Any]:
    return {
        "doc": a.doc,
        "title": a.title,
        "subtitle": a.subtitle,
        "byline": a.byline,
        **{k: v for k, v in asdict(a.source).items() if v},
        "paragraphs": [[s.text for s in p.sentences] for p in a.paragraphs],
    }


def _article_from_json(d: dict[str, Any]) -> Article:
    paragraphs = [
        Paragraph(text="".join(sents), number=i, sentences=[Sentence(s, j) for j, s in enumerate(sents, start=1)])
        for i, sents in enumerate(d["paragraphs"], start=1)
    ]
    return Article(d["doc"], d["title"], d["subtitle"], d["byline"], paragraphs, Source.of(d))


def package_version() -> str:
    """The installed quoteqa's version, as the manifest records it ("unknown" when not installed)."""
    try:
        return importlib.metadata.version("quoteqa")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def answer_weights() -> dict[str, str]:
    """The learned weights (`quoteqa train`) answers are ranked and judged with, as recorded in a
    manifest: they read the index but do not change it, so a newer file needs no rebuild."""
    path = WEIGHTS_FILE
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
    if model is None:
        preload(built_with)
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
    in_milvus = manifest.get("store", {"uri": LOCAL})["uri"] != LOCAL
    if verify:
        for rel, digest in manifest.get("index_files", {}).items():
            if in_milvus and not serving_file(rel):
                continue  # the embedding cache and postings a Milvus index's builder keeps
            p = index / rel
            if not p.exists() or file_sha256(p) != digest:
                state = "missing" if not p.exists() else "corrupted or from another build"
                raise IndexUnavailable(f"{p} is {state}; rebuild with: {rebuild_hint(index)}")
    try:
        with (index / ARTICLES).open(encoding="utf-8") as f:
            articles = [_article_from_json(json.loads(line)) for line in f if line.strip()]
        n, dim = int(manifest["counts"]["sentences"]), int(manifest["model"]["dimension"])
        lex_s = LexicalIndex.load(index / LEX_SENTENCES, postings=not in_milvus)
        lex_p = LexicalIndex.load(index / LEX_PARAGRAPHS, postings=not in_milvus)
        loaded = Index(index, manifest, articles, lex_s, lex_p, _model=model)
        record = manifest.get("store", {"uri": LOCAL})
        if record["uri"] == LOCAL:
            vectors = DiskArray(index / VECTORS, np.float32, (n, dim)) if n else np.zeros((0, dim), dtype=np.float32)
            dense = DenseIndex.load(vectors, index / ANN if (index / ANN).exists() else None)
            loaded.store = LocalStore(dense, lex_s, lex_p, loaded.sent_para, loaded.para_days)
        else:
            from .milvus import MilvusStore

            with (index / FILES).open(encoding="utf-8") as f:
                spans = [json.loads(line) for line in f if line.strip()]
            loaded.store = MilvusStore(record, spans, lex_s, lex_p, loaded.para_first, loaded.sent_para)
    except StoreError as exc:
        raise IndexUnavailable(f"the index at {index} keeps its rows in Milvus: {exc}") from exc
    # unreadable, truncated or malformed files (faiss reports a bad file as RuntimeError)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexUnavailable(
            f"cannot read the index at {index} ({exc}); rebuild with: {rebuild_hint(index)}"
        ) from exc
    if n != len(loaded.sentences) or lex_p.n_docs != len(loaded.paragraphs):
        raise IndexUnavailable(f"the files in {index} come from different builds; rebuild with: {rebuild_hint(index)}")
    return loaded


def shared(manifest: dict[str, Any]) -> bool:
    """Whether the index keeps its rows in a Milvus server, which several app servers share."""
    return str(manifest.get("store", {}).get("uri", LOCAL)).startswith(MILVUS_SERVER)


def serving_file(rel: str) -> bool:
    """Whether a server of an index whose rows are in Milvus reads this index file: the articles,
    the file spans and the vocabularies do; the vectors, their keys and the BM25 postings and
    per-document terms are the builder's (its embedding cache and incremental state)."""
    return rel in (ARTICLES, FILES) or rel.endswith(("/vocab.json", "/indptr.npy"))


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


def previous_store(index: Path) -> dict[str, Any] | None:
    """The store record of the index at ``index`` (None when there is none to read)."""
    try:
        return read_manifest(index).get("store")
    except IndexUnavailable:
        return None


def recorded_store(index: Path) -> str:
    """The store an existing index records, else ``local``."""
    return str((previous_store(index) or {}).get("uri", LOCAL))
