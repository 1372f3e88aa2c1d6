"""A news site's page → an article: its main text (trafilatura) without navigation, related links,
advertisements or readers' comments; its headline, date, author and canonical URL into the source;
GBK and GB2312 pages read by their declared or detected encoding."""

from __future__ import annotations

import re
from pathlib import Path

from .corpus import Source, assemble, date_of
from .formats import MAX_HTML_BYTES, MAX_HTML_DEPTH, Converted, Refused

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)
_TAG = re.compile(rb"<(/?)([A-Za-z][A-Za-z0-9]*)[^>]*?(/?)>")
# Elements that never hold others (an unclosed <p> is closed by the next block, as browsers do).
_VOID = {
    b"area",
    b"base",
    b"br",
    b"col",
    b"embed",
    b"hr",
    b"img",
    b"input",
    b"link",
    b"meta",
    b"source",
    b"wbr",
    b"p",
    b"li",
}


def read_html(path: Path, rel: str, data: bytes) -> Converted:
    """The article of a web page, or Refused (too big, nested too deep, no main text)."""
    if len(data) > MAX_HTML_BYTES:
        raise Refused(
            f"{rel}:网页有 {len(data) / 1024 / 1024:,.1f} MB,超过上限 {MAX_HTML_BYTES // 1024 // 1024} MB,未读入。"
        )
    depth = _depth(data)
    if depth > MAX_HTML_DEPTH:
        raise Refused(f"{rel}:网页的元素嵌套了 {depth:,} 层,超过上限 {MAX_HTML_DEPTH} 层,未读入。")
    import trafilatura

    text = decode_html(data)
    doc = trafilatura.bare_extraction(
        text,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_links=False,
        favor_precision=True,
    )
    body = getattr(doc, "text", None) if doc is not None else None
    if not body or not body.strip():
        raise Refused(f"{rel}:网页里没有找到正文,未读入。")
    title = getattr(doc, "title", "") or ""
    subtitle = _subtitle(text)
    paragraphs = [p.strip() for p in body.split("\n") if p.strip() and p.strip() not in (title.strip(), subtitle)]
    author = _META_AUTHOR.search(text)
    source = Source(
        date=date_of(getattr(doc, "date", "") or "") if getattr(doc, "date", None) else "",
        url=getattr(doc, "url", "") or "",
        author=author.group(1).strip() if author else _BY.sub("", getattr(doc, "author", "") or ""),
    )
    return Converted([assemble(rel, title, paragraphs, source, subtitle)])


_META_AUTHOR = re.compile(
    r"""<meta\s+(?:name|property)=["'](?:article:)?author["']\s+content=["']([^"'<>]{1,60})["']""", re.I
)
_BY = re.compile(r"^\s*(?:作者|记者|文)\s*[::]?\s*")


def _subtitle(text: str) -> str:
    """The sub-headline under the page's headline: an <h2> right after the <h1>, or an element whose
    class names a subtitle."""
    import lxml.html

    try:
        tree = lxml.html.fromstring(text)
    except (ValueError, lxml.etree.ParserError):
        return ""
    marked = tree.xpath('//*[contains(@class, "subtitle") or contains(@class, "sub-title")]')
    if marked:
        return " ".join(marked[0].text_content().split())
    for h1 in tree.iter("h1"):
        after = h1.getnext()
        if after is not None and after.tag == "h2":
            return " ".join(after.text_content().split())
    return ""


def decode_html(data: bytes) -> str:
    """The page's text by its declared charset (GBK and GB2312 as their superset GB18030), else
    UTF-8, else GB18030."""
    declared = _CHARSET.search(data[:4096])
    names = [declared.group(1).decode("ascii").lower()] if declared else []
    names = ["gb18030" if n in ("gbk", "gb2312", "gb_2312-80", "x-gbk") else n for n in names]
    for name in [*names, "utf-8", "gb18030"]:
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", errors="replace")


def _depth(data: bytes) -> int:
    """How deep the page's elements nest, by a scan of its tags (no parser is asked to recurse)."""
    depth = deepest = 0
    for m in _TAG.finditer(data):
        closing, name, selfclosing = m.group(1), m.group(2).lower(), m.group(3)
        if name in _VOID or selfclosing:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        deepest = max(deepest, depth)
    return deepest
