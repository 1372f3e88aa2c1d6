"""File formats as converters: an e-paper PDF, a web page or a Word file read into the same articles
a text file gives, or refused with a Chinese message that names the file and the reason."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .corpus import Article, CorpusError

# The formats read besides text files, by suffix: the name of each in the build's report.
FORMATS = {".pdf": "PDF", ".html": "网页", ".htm": "网页", ".docx": "Word"}
MAX_PDF_BYTES = 80 * 1024 * 1024
MAX_PDF_PAGES = 400  # an e-paper issue is a few dozen pages; thousands are a book or a mistake
MAX_PAGE_CHARS = 60_000  # characters one page may hold (a dense broadsheet page has about 12,000)
MAX_HTML_BYTES = 8 * 1024 * 1024
MAX_HTML_DEPTH = 400  # elements nested in one another (browsers give up near 500)
MAX_DOCX_BYTES = 40 * 1024 * 1024
MAX_DOCX_UNPACKED = 200 * 1024 * 1024  # what a Word file's members may inflate to, all together
MAX_DOCX_MEMBERS = 5_000


class Refused(CorpusError):
    """A corpus file that is not read: the rest of the corpus is built, and the build reports it."""


@dataclass
class Converted:
    """What a converter read from one file: its articles, its pages (PDF), and the parts it left out
    with their reasons (a page without a text layer)."""

    articles: list[Article]
    pages: int = 0
    notes: list[str] = field(default_factory=list)


Converter = Callable[[Path, str, bytes], Converted]  # (path, path in the corpus, its bytes)


def check_content(rel: str, suffix: str, data: bytes) -> None:
    """Refuse a file whose bytes are not what its suffix says (an HTML page named .pdf)."""
    kind = FORMATS.get(suffix.lower())
    head = data[:1024].lstrip()
    if not data:
        raise Refused(f"{rel}:文件是空的,未读入。")
    if kind == "PDF" and not data[:1024].startswith(b"%PDF-") and b"%PDF-" not in data[:1024]:
        raise Refused(f"{rel}:扩展名是 .pdf,内容却不是 PDF(开头不是 %PDF-),未读入;请确认文件类型。")
    if kind == "Word" and not data.startswith(b"PK\x03\x04"):
        raise Refused(f"{rel}:扩展名是 .docx,内容却不是 Word 文件(不是 zip 压缩包),未读入;请用 Word 另存为 .docx。")
    if kind == "网页" and (head.startswith((b"%PDF-", b"PK\x03\x04")) or b"\x00" in data[:4096]):
        raise Refused(f"{rel}:扩展名是 .html,内容却是二进制文件,未读入;请确认文件类型。")


def check_zip(rel: str, path: Path) -> None:
    """Refuse a Word file that is no zip, or one that would inflate past the limits (a zip bomb),
    before any member is unpacked."""
    try:
        with zipfile.ZipFile(path) as z:
            members = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Refused(f"{rel}:不是有效的 Word 文件(压缩包已损坏:{exc}),未读入。") from exc
    if len(members) > MAX_DOCX_MEMBERS:
        raise Refused(f"{rel}:Word 文件含 {len(members):,} 个部件,超过上限 {MAX_DOCX_MEMBERS:,},未读入。")
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_DOCX_UNPACKED:
        raise Refused(
            f"{rel}:Word 文件解压后有 {unpacked / 1024 / 1024:,.0f} MB,超过上限 "
            f"{MAX_DOCX_UNPACKED // 1024 // 1024} MB(疑似压缩炸弹),未读入。"
        )


def kind_of(path: Path | str) -> str:
    """The name of a file's format in the build's report."""
    return FORMATS.get(Path(path).suffix.lower(), "文本")


@dataclass
class FormatCount:
    files: int = 0
    pages: int = 0
    articles: int = 0


@dataclass
class IngestReport:
    """What a build read, by format (files, PDF pages, articles), and every file or page it did not
    read with the reason, in Chinese."""

    read: dict[str, FormatCount] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def count(self, kind: str, pages: int, articles: int) -> None:
        counted = self.read.setdefault(kind, FormatCount())
        counted.files += 1
        counted.pages += pages
        counted.articles += articles

    def lines(self) -> list[str]:
        """The report as a person reads it: one line per format, then one per file left out."""
        out = []
        for kind, c in sorted(self.read.items()):
            pages = f"{c.pages} 页," if kind == "PDF" and c.pages else ""
            out.append(f"{kind}:读入 {c.files} 个文件,{pages}{c.articles} 篇文章")
        out += [f"未读入:{reason}" for reason in self.skipped]
        return out
