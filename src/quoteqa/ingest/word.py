"""A Word file (.docx) → an article: its paragraphs in order, a Title or Heading 1 paragraph as the
headline and a Subtitle or Heading 2 one as the sub-headline, and its author and creation date
into the source when the text has no front matter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .corpus import Source, assemble, date_of, metadata
from .formats import MAX_DOCX_BYTES, Converted, Refused, check_zip

_TITLE = ("title", "heading 1", "标题", "标题 1")
_SUBTITLE = ("subtitle", "heading 2", "副标题", "标题 2")


def _document(path: Path, rel: str) -> Any:
    """The Word document, or Refused (no zip, a zip bomb, a damaged package)."""
    check_zip(rel, path)
    import docx

    try:
        return docx.Document(str(path))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors on a bad package
        raise Refused(f"{rel}:Word 文件已损坏,无法打开({type(exc).__name__}),未读入。") from exc


def docx_paragraphs(path: Path, rel: str) -> list[tuple[str, str]]:
    """(style name, text) of each paragraph of a Word file."""
    return [(_style(p), p.text) for p in _document(path, rel).paragraphs]


def _style(paragraph: Any) -> str:
    return str(paragraph.style.name or "") if paragraph.style is not None else ""


def read_docx(path: Path, rel: str, data: bytes) -> Converted:
    """The article of a Word file."""
    if len(data) > MAX_DOCX_BYTES:
        raise Refused(
            f"{rel}:Word 文件有 {len(data) / 1024 / 1024:,.0f} MB,超过上限 {MAX_DOCX_BYTES // 1024 // 1024} MB,未读入。"
        )
    document = _document(path, rel)
    title, subtitle, body = "", "", list[str]()
    for p in document.paragraphs:
        name, text = _style(p).lower(), p.text
        if not text.strip():
            continue
        if name in _TITLE and not title and not body:
            title = text
        elif name in _SUBTITLE and not subtitle and not body:
            subtitle = text
        else:
            body.append(text)
    if not body:
        raise Refused(f"{rel}:Word 文件里没有正文,未读入。")
    meta, _ = metadata("", rel)  # a date in the file's path counts first
    props = document.core_properties
    created = props.created.strftime("%Y-%m-%d") if props.created else ""
    source = Source(date=meta.get("date") or date_of(created), author=props.author or "")
    return Converted([assemble(rel, title, body, source, subtitle)])
