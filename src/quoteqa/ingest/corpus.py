"""Ingest: corpus files → articles → paragraphs → sentences, with page-break repair."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, NoReturn

from .text import is_cjk, iter_sentences, normalize

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".pdf", ".html", ".htm", ".docx")  # the last four through ingest.formats
_READ = "读入 .txt、.md、.pdf、.html、.docx"
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_HEADING_CHARS = 60
# A paragraph longer than this (a file that is one huge line) is cut at sentence ends into
# consecutive paragraphs, so that a passage stays readable.
MAX_PARAGRAPH_CHARS = 5000
# Sentences one file may hold: a 50 MB file of news text has about 440,000. This bounds the memory
# a file takes (a line of 「好!」 × 8 million would have taken gigabytes).
MAX_SENTENCES_PER_FILE = 500_000
# A byline that opens the first paragraph, e.g. 「本报讯(记者 朱梦琪)」, 「本报讯 记者 张三」.
_BYLINE_PREFIX = re.compile(r"^\s*(本报讯\s*[((][^()()]{0,30}[))]|本报讯)")
# A byline on a line of its own, e.g. 「□ 本报评论员」, 「本报记者 张三」.
BYLINE_LINE = re.compile(r"^\s*(?:[□■◇◆●○]\s*)?(?:本报评论员|本报记者|记者|通讯员|本报特约评论员)[^。!?,,]{0,30}$")
# Punctuation that may legitimately end a paragraph; anything else before a blank line means
# the paragraph was cut by a page break.
_PARAGRAPH_END = "。!?;:…!?;:”’」』)》】\"'"
_SENTENCE_PUNCT = re.compile(r"[。!?;,,!?;:]")


class CorpusError(ValueError):
    """A corpus file that cannot be read; the message names the file and the fix."""


@dataclass(frozen=True)
class Sentence:
    text: str
    index: int  # 1-based within the paragraph


@dataclass
class Paragraph:
    text: str
    number: int  # 1-based within the article
    sentences: list[Sentence] = field(default_factory=list)


@dataclass(frozen=True)
class Source:
    """Where and when an article was published: its file's front matter (see ``metadata``), each
    field "" when the file does not say. Every citation and passage carries its article's Source,
    and the JSON shows its fields: a new front-matter key is one field here (plus its display)."""

    date: str = ""  # YYYY-MM-DD, YYYY-MM or YYYY (checked; a date in the file's path counts too)
    paper: str = ""
    page: str = ""
    section: str = ""  # the paper's section or column (要闻, 评论)
    url: str = ""
    author: str = ""

    @classmethod
    def of(cls, meta: dict[str, Any]) -> Source:
        """The Source in ``meta`` (front matter, or a citation's JSON): its keys, others ignored."""
        return cls(**{k: str(meta.get(k, "") or "") for k in SOURCE_FIELDS})


SOURCE_FIELDS = tuple(f.name for f in fields(Source))


@dataclass
class Article:
    doc: str  # corpus file path relative to the corpus folder
    title: str
    subtitle: str = ""
    byline: str = ""
    paragraphs: list[Paragraph] = field(default_factory=list)
    source: Source = field(default_factory=Source)

    @property
    def date(self) -> str:
        return self.source.date


@dataclass(frozen=True)
class _Block:
    text: str
    line: int


def read_text(path: Path, rel: str) -> str:
    """Read one corpus file as UTF-8, refusing empty, binary and non-UTF-8 files."""
    return decode(read_bytes(path, rel), rel)


def read_bytes(path: Path, rel: str) -> bytes:
    """The file's bytes, never more than the limit and one byte in memory (a 200 MB file was read
    whole before it was refused)."""
    try:
        with path.open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            data = f.read(MAX_FILE_BYTES + 1) if size <= MAX_FILE_BYTES else b""
    except OSError as exc:
        raise CorpusError(f"{rel}: cannot read the file ({exc.strerror}).") from exc
    if size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:  # grown since, or a device
        _too_big(rel, max(size, len(data)))
    return data


def _too_big(rel: str, size: int) -> NoReturn:
    raise CorpusError(
        f"{rel}: the file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}; split it into smaller files."
    )


def decode(data: bytes, rel: str) -> str:
    """The text of a corpus file's bytes; empty, binary and non-UTF-8 files are refused."""
    if len(data) > MAX_FILE_BYTES:
        _too_big(rel, len(data))
    if b"\x00" in data:
        raise CorpusError(f"{rel}: the file is binary (it contains NUL bytes); corpus files must be UTF-8 text.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CorpusError(
            f"{rel}: not valid UTF-8 (byte {exc.start}, line {line}); re-save the file as UTF-8."
        ) from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise CorpusError(f"{rel}: the file is empty; add article text or remove the file.")
    return text


def _blocks(text: str) -> list[_Block]:
    """Blank-line separated blocks; lines inside one block are joined."""
    blocks: list[_Block] = []
    current: list[str] = []
    start = 1
    for no, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if line:
            if not current:
                start = no
            current.append(line)
        elif current:
            blocks.append(_Block("".join(current) if _is_cjk_text(current) else " ".join(current), start))
            current = []
    if current:
        blocks.append(_Block("".join(current) if _is_cjk_text(current) else " ".join(current), start))
    return blocks


def _is_cjk_text(lines: list[str]) -> bool:
    return any(is_cjk(ch) for ch in lines[0][:20])


def _is_heading(text: str) -> bool:
    if text.startswith("#"):
        return True
    return len(text) <= MAX_HEADING_CHARS and not _SENTENCE_PUNCT.search(text) and not BYLINE_LINE.match(text)


def _subheading(current: Article, body: str) -> bool:
    """Whether a lone heading inside a signed article (「本报讯(记者…)」) heads one of its sections
    (「碧水成色更足」) rather than a new article: what follows it is signed by no one."""
    if not current.byline or not current.paragraphs:
        return False
    return not BYLINE_LINE.match(body) and not _BYLINE_PREFIX.match(body)


def _ends_paragraph(text: str) -> bool:
    return text.rstrip()[-1:] in _PARAGRAPH_END


# A front-matter block at the very top of a file: lines of "key: value" between two "---" lines.
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
# A date in a file's path: 2024/07/15/…, 2024-07-15-…, …-2024-07-….
_PATH_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_/.](0[1-9]|1[0-2])(?:[-_/.](0[1-9]|[12]\d|3[01]))?(?!\d)")
_WRITTEN_DATE = re.compile(r"^\s*((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*月?\s*(?:[-/.]?\s*(\d{1,2})\s*日?)?\s*$")


def date_of(value: str) -> str:
    """A date as YYYY-MM-DD, YYYY-MM or YYYY (2024-07-15, 2024/7, 2024年7月15日, 2024), or ""."""
    m = _WRITTEN_DATE.match(value) or re.match(r"^\s*((?:19|20)\d\d)()()\s*$", value)
    if not m:
        return ""
    year, month, day = m.group(1), m.group(2), m.group(3)
    if not month:
        return year
    if not 1 <= int(month) <= 12 or (day and not 1 <= int(day) <= _days_in(int(year), int(month))):
        return ""  # 2024-02-31 is no date: answers citing it would fail to read it
    return f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")


def _days_in(year: int, month: int) -> int:
    import calendar

    return calendar.monthrange(year, month)[1]


def date_span(date: str) -> tuple[str, str]:
    """The first and last day a date covers: 2024 → 2024-01-01..2024-12-31, 2024-07 → the month."""
    parts = [int(x) for x in date.split("-")]
    year = parts[0]
    if len(parts) == 1:
        return f"{year}-01-01", f"{year}-12-31"
    month = parts[1]
    if len(parts) == 2:
        return f"{year}-{month:02d}-01", f"{year}-{month:02d}-{_days_in(year, month):02d}"
    return (date,) * 2


def metadata(text: str, doc: str) -> tuple[dict[str, str], str]:
    """The file's metadata and its text without the front matter. Keys: the fields of Source (all
    optional). Without a front-matter date, a date in the file's path or name is used;
    a front-matter date that is none (2024-02-31) is refused with CorpusError, naming the line."""
    meta: dict[str, str] = {}
    date_line = 0
    m = _FRONT_MATTER.match(text)
    if m:
        first = text[: m.start(1)].count("\n") + 1  # the file line of the front matter's first key
        for no, line in enumerate(m.group(1).splitlines(), start=first):
            key, sep, value = line.partition(":")
            key = key.strip().lower()
            if sep and key in SOURCE_FIELDS and value.strip():
                meta[key] = value.strip().strip("\"'")
                date_line = no if key == "date" else date_line
        text = text[m.end() :]
    if "date" in meta:
        date = date_of(meta["date"])
        if not date:  # 2024-02-31 or 下周: every answer citing the article would show a wrong date
            raise CorpusError(
                f"{doc}:{date_line}: the front-matter date {meta['date']!r} is not a date; write it as "
                f"2024-07-15, 2024-07 or 2024, or remove the line"
            )
        meta["date"] = date
    if not meta.get("date"):
        found = _PATH_DATE.search(doc)
        if found:
            meta["date"] = "-".join(g for g in found.groups() if g)
    return meta, text


def parse(text: str, doc: str) -> list[Article]:
    """Parse one file's text into articles (every article of a file shares its date, see metadata).

    A run of short blocks without sentence punctuation is a headline (then a sub-headline).
    A body block that does not end with closing punctuation was cut by a page break and is
    joined to the next body block.
    """
    meta, text = metadata(text, doc)
    articles: list[Article] = []
    current: Article | None = None
    open_paragraph = False  # the last paragraph was cut mid-sentence
    headings: list[str] = []
    for block in _blocks(text):
        body = block.text
        if open_paragraph and current is not None and not body.startswith("#"):
            para = current.paragraphs[-1]
            para.text += body
            open_paragraph = not _ends_paragraph(para.text)
            continue
        if _is_heading(body):
            headings.append(body.lstrip("#").strip())
            continue
        if len(headings) == 1 and current is not None and _subheading(current, body):
            current.paragraphs.append(Paragraph(text=headings.pop(), number=len(current.paragraphs) + 1))
        if headings:
            current = Article(doc=doc, title=headings[0], subtitle=" ".join(headings[1:]))
            articles.append(current)
            headings = []
        elif current is None:
            current = Article(doc=doc, title=Path(doc).stem)
            articles.append(current)
        if BYLINE_LINE.match(body) and not current.paragraphs and not current.byline:
            current.byline = body
            continue
        if not current.paragraphs and not current.byline:
            m = _BYLINE_PREFIX.match(body)
            if m and body[m.end() :].strip():
                # The byline is recorded, and also stays in the text so that quotes are verbatim.
                current.byline = m.group(0).strip()
        current.paragraphs.append(Paragraph(text=body, number=len(current.paragraphs) + 1))
        open_paragraph = not _ends_paragraph(body)
    if headings:  # trailing headings with no body: keep them visible rather than dropping text
        log.warning("%s: heading(s) with no text after them: %s", doc, " / ".join(headings))
    budget = MAX_SENTENCES_PER_FILE
    for article in articles:
        article.paragraphs = _split_long(article.paragraphs, doc, budget)
        budget -= sum(len(p.sentences) for p in article.paragraphs)
        article.source = Source.of(meta)
    return articles


def assemble(doc: str, title: str, paragraphs: list[str], source: Source, subtitle: str = "") -> Article:
    """An article from a converter's parts (an e-paper story, a web page, a Word file): its byline
    read and its paragraphs cut into sentences as a text file's are."""
    article = Article(doc=doc, title=title.strip() or Path(doc).stem, subtitle=subtitle.strip(), source=source)
    body = [p.strip() for p in paragraphs if p.strip()]
    if body and BYLINE_LINE.match(body[0]) and len(body) > 1:
        article.byline = body.pop(0)
    elif body and (m := _BYLINE_PREFIX.match(body[0])) and body[0][m.end() :].strip():
        article.byline = m.group(0).strip()  # it stays in the text too, so that quotes are verbatim
    numbered = [Paragraph(text=t, number=i) for i, t in enumerate(body, start=1)]
    article.paragraphs = _split_long(numbered, doc, MAX_SENTENCES_PER_FILE)
    return article


def _split_long(paragraphs: list[Paragraph], doc: str, budget: int) -> list[Paragraph]:
    """The paragraphs, each cut into pieces of MAX_PARAGRAPH_CHARS at most; more than ``budget``
    sentences in all is refused."""
    out: list[Paragraph] = []
    for para in paragraphs:
        chunks: list[list[str]] = [[]]
        size = 0  # characters in chunks[-1] (a running sum: summing each time was quadratic)
        for sentence in iter_sentences(para.text):
            budget -= 1
            if budget < 0:
                raise CorpusError(
                    f"{doc}: the file holds over {MAX_SENTENCES_PER_FILE:,} sentences, the most one file may; "
                    "split it into smaller files."
                )
            if chunks[-1] and size + len(sentence) > MAX_PARAGRAPH_CHARS:
                chunks.append([])
                size = 0
            chunks[-1].append(sentence)
            size += len(sentence)
        if len(chunks) > 1:
            log.warning("%s: a paragraph of %d characters was cut into %d paragraphs", doc, len(para.text), len(chunks))
        for chunk in chunks:
            number = len(out) + 1
            out.append(Paragraph("".join(chunk), number, [Sentence(s, i) for i, s in enumerate(chunk, start=1)]))
    return out


MAX_DEPTH = 32  # folders below the corpus folder that are read


def corpus_files(corpus: Path, skipped: list[str] | None = None) -> list[Path]:
    """Every article file under the corpus folder, in a stable order.

    Only files inside the folder are read: a symbolic link that leads outside it (to
    /etc/passwd, say) is skipped with a warning, and linked folders are not entered. A file whose
    name is not valid UTF-8 is skipped too (it could not be cited), with a warning that shows the
    name with its bad bytes replaced."""
    if not corpus.is_dir():
        raise CorpusError(f"语料文件夹 {corpus} 不存在;请新建它,放入文章(.txt、.md、.pdf、.html、.docx)。")
    root = corpus.resolve()
    files = []
    for folder, dirs, names in os.walk(corpus, followlinks=False):
        here = Path(folder)
        if dirs and len(here.relative_to(corpus).parts) >= MAX_DEPTH:
            # os.walk recurses: folders 1,500 deep ended the build in a RecursionError
            log.warning(
                "skipped the folders inside %s: a corpus is read %d folders deep at most", shown(here), MAX_DEPTH
            )
            dirs[:] = []
        for d in dirs:
            if (here / d).is_symlink():
                log.warning("skipped %s: a linked folder is not read; copy its files into the corpus", shown(here / d))
        for name in names:
            path = here / name
            if path.suffix.lower() not in SUFFIXES or not path.is_file():
                if skipped is not None and path.is_file() and not name.startswith("."):
                    skipped.append(
                        f"{shown(path.relative_to(corpus))}:不支持 {path.suffix or '无扩展名'} 格式的文件({_READ})"
                    )
                continue
            if not path.resolve().is_relative_to(root):
                log.warning("skipped %s: it is a link to a file outside the corpus folder", shown(path))
                continue
            if shown(path) != str(path):
                log.warning("skipped %s: its file name is not UTF-8; rename it", shown(path))
                continue
            files.append(path)
    if not files:
        raise CorpusError(f"语料文件夹 {corpus} 里没有可读的文件({_READ});请放入文章。")
    return sorted(files)


def shown(path: Path) -> str:
    """A path as text that can be printed or logged: bytes that are not UTF-8 become U+FFFD."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def file_sha256(path: Path) -> str:
    """sha256 of a file, read in 1 MiB chunks (corpus files and index files alike)."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def article_key(article: Article) -> bytes:
    """Content hash of an article's normalised text: two equal keys are one article."""
    return hashlib.blake2b(normalize("".join(p.text for p in article.paragraphs)).encode("utf-8")).digest()
