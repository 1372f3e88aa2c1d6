"""Scanning a corpus: every file read, one in memory at a time, by its format's reader (text files by
``corpus.parse``, the others by ``formats``), repeated articles kept once, a refused file reported."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .corpus import Article, CorpusError, article_key, corpus_files, decode, file_sha256, parse, read_bytes
from .formats import FORMATS, Converter, Refused, check_content

log = logging.getLogger(__name__)


def converter(suffix: str) -> Converter | None:
    """The reader of a file format (None for text files, which corpus.parse reads)."""
    kind = FORMATS.get(suffix.lower())
    if kind == "PDF":
        from .pdf import read_pdf

        return read_pdf
    if kind == "网页":
        from .webpage import read_html

        return read_html
    if kind == "Word":
        from .word import read_docx

        return read_docx
    return None


@dataclass
class CorpusFile:
    rel: str  # path relative to the corpus folder
    digest: str  # sha256 of the file's bytes
    articles: list[Article] | None  # None: the caller said it holds this file already
    keys: list[bytes]  # article_key of each article kept
    pages: int = 0  # PDF pages read
    refused: str = ""  # why the file is not read (a damaged PDF): the rest of the corpus is built
    notes: list[str] = field(default_factory=list)  # the parts left out (a page without a text layer)


def scan_corpus(
    corpus: Path, known: Callable[[str, str], list[bytes] | None] | None = None, files: list[Path] | None = None
) -> Iterator[CorpusFile]:
    """Every corpus file in order, one file in memory at a time; raise on a bad file.

    An article that repeats an earlier one is indexed once. ``known(rel, digest)`` may return the
    article keys of a file whose parse the caller already holds; that file is then not parsed
    (unless one of its articles now repeats an earlier one, which changes what it contributes).
    """
    seen: set[bytes] = set()
    for path in corpus_files(corpus) if files is None else files:
        rel = path.relative_to(corpus).as_posix()
        convert = converter(path.suffix)
        try:
            data = read_bytes(path, rel)
        except CorpusError as exc:
            if convert is None:
                raise
            yield CorpusFile(rel, _digest(path), [], [], refused=str(exc))
            continue
        digest = hashlib.sha256(data).hexdigest()
        keys = known(rel, digest) if known is not None else None
        if keys is not None and seen.isdisjoint(keys):
            seen.update(keys)
            yield CorpusFile(rel, digest, None, keys)
            continue
        pages, notes = 0, list[str]()
        if convert is None:
            articles = parse(decode(data, rel), rel)
        else:
            try:
                check_content(rel, path.suffix, data)
                converted = convert(path, rel, data)
            except Refused as exc:
                yield CorpusFile(rel, digest, [], [], refused=str(exc))
                continue
            except Exception as exc:  # a reader's own failure on a strange file: that file, not the build
                log.warning("%s: %s", rel, exc)
                yield CorpusFile(rel, digest, [], [], refused=f"{rel}:无法读取({type(exc).__name__}),未读入。")
                continue
            articles, pages, notes = converted.articles, converted.pages, converted.notes
            if not any(a.paragraphs for a in articles):
                yield CorpusFile(rel, digest, [], [], refused=f"{rel}:没有读到正文,未读入。")
                continue
        if not any(a.paragraphs for a in articles):
            raise CorpusError(f"{rel}: no paragraphs found (only headings); add article text.")
        unique, kept = [], []
        for article in articles:
            key = article_key(article)
            if key in seen:
                log.warning("%s: article 《%s》 repeats an earlier article; indexed once", rel, article.title)
                continue
            seen.add(key)
            unique.append(article)
            kept.append(key)
        yield CorpusFile(rel, digest, unique, kept, pages, notes=notes)


def _digest(path: Path) -> str:
    """A refused file's sha256 (so that an unchanged one leaves the index fresh), "" if unreadable."""
    try:
        return file_sha256(path)
    except OSError:
        return ""


def load_corpus(corpus: Path) -> Iterator[tuple[str, str, list[Article]]]:
    """Yield (relative path, sha256 of the file, articles) for every corpus file (see scan_corpus)."""
    for f in scan_corpus(corpus):  # without ``known`` every file is parsed
        yield f.rel, f.digest, f.articles or []
