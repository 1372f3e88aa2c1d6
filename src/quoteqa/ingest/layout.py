"""Reading order of a newspaper page: its text lines cut into regions by the page's rules and boxes,
each region's columns read left to right, and its lines joined into headlines and paragraphs."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

# A gap between two characters of one baseline wider than this many characters is a column's gutter.
GUTTER = 0.9
# A line this much larger than the body text is a headline; between the two, a sub-headline.
HEADLINE = 1.45
SUBHEADLINE = 1.12
# A rule cuts a region when it spans this share of the region's width (or height).
SPAN = 0.85
# A body line that starts this many characters right of its column starts a paragraph.
INDENT = 1.3

JUMP_OUT = re.compile(r"^[((]?\s*(?:下转|转)第?\s*([0-9一二三四五六七八九十]+)\s*版\s*[))]?$")
JUMP_IN = re.compile(r"^[((]?\s*(?:上接|接)第?\s*([0-9一二三四五六七八九十]+)\s*版\s*[))]?$")


@dataclass(frozen=True)
class Line:
    """Characters of one baseline within one column, left to right."""

    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # the font size of most of its characters
    text: str


@dataclass(frozen=True)
class Rule:
    """A drawn line or a box's edge: horizontal when ``top == bottom`` (within a point)."""

    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        return self.bottom - self.top <= 2.0 and self.x1 - self.x0 > 2.0


@dataclass
class Block:
    """A region of the page in reading order: its headline lines, and its body lines column by
    column with the column's left edge."""

    heads: list[Line] = field(default_factory=list)
    body: list[tuple[Line, float]] = field(default_factory=list)


def lines_of(chars: Sequence[dict[str, object]], rules: Sequence[Rule] = ()) -> list[Line]:
    """The text lines of a page's characters (pdfplumber's ``page.chars``): characters of one
    baseline, cut where a gutter or a vertical rule lies between two of them."""
    rows: list[list[dict[str, object]]] = []
    for ch in sorted(chars, key=lambda c: (round(float(c["top"]), 0), float(c["x0"]))):  # type: ignore[arg-type]
        if not str(ch["text"]):
            continue
        top, size = float(ch["top"]), float(ch["size"])  # type: ignore[arg-type]
        row = rows[-1] if rows else None
        if row and abs(float(row[0]["top"]) - top) <= 0.35 * size:  # type: ignore[arg-type]
            row.append(ch)
        else:
            rows.append([ch])
    verticals = [r for r in rules if not r.horizontal]
    pieces: list[list[dict[str, object]]] = []
    for row in rows:
        row.sort(key=lambda c: float(c["x0"]))  # type: ignore[arg-type]
        piece: list[dict[str, object]] = []
        for ch in row:
            if piece and _apart(piece[-1], ch, verticals):
                pieces.append(piece)
                piece = []
            piece.append(ch)
        if piece:
            pieces.append(piece)
    starts = _column_starts([_line(p) for p in pieces])
    out = [_line(part) for p in pieces for part in _at_columns(p, starts)]
    return [ln for ln in out if ln.text]


def _column_starts(lines: list[Line]) -> list[float]:
    """Where the page's columns begin: the left edge that many long lines share (a narrow gutter
    with justified text can leave two columns' lines one run of characters)."""
    edges: Counter[int] = Counter()
    sizes: dict[int, float] = {}
    for ln in lines:
        if ln.x1 - ln.x0 > 6 * ln.size:
            edges[round(ln.x0 / 2)] += 1
            sizes[round(ln.x0 / 2)] = ln.size
    common = sorted(2.0 * e for e, n in edges.items() if n >= 4)
    # a paragraph's first lines start two characters in: an indent, not a column
    return [x for x in common if not any(abs(x - y - 2 * sizes[round(x / 2)]) <= 2.5 for y in common if y < x)]


def _at_columns(chars: list[dict[str, object]], starts: list[float]) -> list[list[dict[str, object]]]:
    """A run of characters cut where it crosses a column's left edge between two characters."""
    out: list[list[dict[str, object]]] = [[]]
    for ch in chars:
        x0 = float(ch["x0"])  # type: ignore[arg-type]
        if out[-1]:
            before = float(out[-1][-1]["x0"])  # type: ignore[arg-type]
            ends = float(out[-1][-1]["x1"])  # type: ignore[arg-type]
            size = float(ch["size"])  # type: ignore[arg-type]
            if any(before < s - 3 and x0 >= s - 1.5 and ends <= s + 1 and x0 - ends >= 0.25 * size for s in starts):
                out.append([])
        out[-1].append(ch)
    return [p for p in out if p]


def _apart(a: dict[str, object], b: dict[str, object], verticals: Sequence[Rule]) -> bool:
    x1, x0 = float(a["x1"]), float(b["x0"])  # type: ignore[arg-type]
    size = float(b["size"])  # type: ignore[arg-type]
    mid = (float(a["top"]) + float(a["bottom"])) / 2  # type: ignore[arg-type]
    ruled = any(x1 - 1 <= r.x0 <= x0 + 1 and r.top <= mid <= r.bottom for r in verticals)
    return x0 - x1 > GUTTER * size or ruled


def _glyph(text: str) -> str:
    """A character as written: a Kangxi radical that a PDF's font maps in place of the ideograph
    (⽇ for 日, as Chrome prints with some CJK fonts) becomes the ideograph."""
    return unicodedata.normalize("NFKC", text) if "\u2f00" <= text <= "\u2fdf" else text


def _line(chars: list[dict[str, object]]) -> Line:
    while chars and not str(chars[-1]["text"]).strip():
        chars = chars[:-1]  # a space ends no line
    while chars and not str(chars[0]["text"]).strip():
        chars = chars[1:]
    if not chars:
        return Line(0, 0, 0, 0, 0, "")
    sizes = Counter(round(float(c["size"]), 1) for c in chars)  # type: ignore[arg-type]
    return Line(
        min(float(c["x0"]) for c in chars),  # type: ignore[arg-type]
        max(float(c["x1"]) for c in chars),  # type: ignore[arg-type]
        min(float(c["top"]) for c in chars),  # type: ignore[arg-type]
        max(float(c["bottom"]) for c in chars),  # type: ignore[arg-type]
        sizes.most_common(1)[0][0],
        "".join(_glyph(str(c["text"])) for c in chars),
    )


def body_size(lines: Sequence[Line]) -> float:
    """The font size of most of the page's characters: the body text's."""
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def regions(lines: list[Line], rules: Sequence[Rule], box: tuple[float, float, float, float]) -> list[list[Line]]:
    """The page's lines cut into regions by its rules, in reading order (recursive XY-cut): a
    horizontal rule across a region puts what is above it first, a vertical one what is left of it;
    a rule that a line crosses cuts nothing there."""
    if not lines:
        return []
    x0, top, x1, bottom = box
    for rule in sorted(rules, key=lambda r: (r.top, r.x0)):
        if rule.horizontal and rule.x1 - rule.x0 >= SPAN * (x1 - x0) and top < rule.top < bottom:
            above = [ln for ln in lines if ln.bottom <= rule.top + 1]
            below = [ln for ln in lines if ln.top >= rule.top - 1]
            if above and below and len(above) + len(below) == len(lines):
                inside = [r for r in rules if r is not rule]
                return regions(above, inside, (x0, top, x1, rule.top)) + regions(
                    below, inside, (x0, rule.top, x1, bottom)
                )
    for rule in sorted(rules, key=lambda r: (r.x0, r.top)):
        if not rule.horizontal and rule.bottom - rule.top >= SPAN * (bottom - top) and x0 < rule.x0 < x1:
            left = [ln for ln in lines if ln.x1 <= rule.x0 + 1]
            right = [ln for ln in lines if ln.x0 >= rule.x0 - 1]
            if left and right and len(left) + len(right) == len(lines):
                inside = [r for r in rules if r is not rule]
                return regions(left, inside, (x0, top, rule.x0, bottom)) + regions(
                    right, inside, (rule.x0, top, x1, bottom)
                )
    return [lines]


def blocks(region: list[Line], body: float) -> list[Block]:
    """A region's blocks: a new one at each headline (stories stacked without a rule between them),
    each with its headline lines first and its body read column by column."""
    cuts: list[float] = []
    last = float("-inf")
    for ln in sorted((ln for ln in region if ln.size >= HEADLINE * body), key=lambda ln: ln.top):
        if ln.top - last > 1.5 * ln.size:  # a headline of two lines is one headline
            cuts.append(ln.top)
        last = ln.bottom
    bounds = [float("-inf"), *cuts, float("inf")]
    parts = ([ln for ln in region if lo - 1 <= ln.top < hi - 1] for lo, hi in itertools.pairwise(bounds))
    return [_block(part, body) for part in parts if part]


def _block(lines: list[Line], body: float) -> Block:
    heads = sorted((ln for ln in lines if ln.size >= SUBHEADLINE * body), key=lambda ln: (ln.top, ln.x0))
    text = [ln for ln in lines if ln.size < SUBHEADLINE * body]
    widths = sorted(ln.x1 - ln.x0 for ln in text)
    full = widths[len(widths) // 2] * 0.6 if widths else 0.0
    columns: list[list[float]] = []  # from the lines as wide as a column: a centred byline spans a gutter
    for ln in sorted((ln for ln in text if ln.x1 - ln.x0 >= full), key=lambda ln: ln.x0):
        if columns and ln.x0 <= columns[-1][1] - 1:
            columns[-1][1] = max(columns[-1][1], ln.x1)
        else:
            columns.append([ln.x0, ln.x1])
    for ln in sorted(text, key=lambda ln: ln.x0):  # a column of one short line (a story's last)
        if not any(c[0] - 1 <= ln.x0 <= c[1] or c[0] <= ln.x1 <= c[1] + 1 for c in columns):
            columns.append([ln.x0, ln.x1])
    columns.sort()

    def column(ln: Line) -> int:
        inside = [i for i, c in enumerate(columns) if c[0] - 1 <= ln.x0 <= c[1]]
        return inside[0] if inside else min(range(len(columns)), key=lambda i: abs(columns[i][0] - ln.x0))

    ordered = sorted(text, key=lambda ln: (column(ln), ln.top))
    return Block(heads, [(ln, columns[column(ln)][0]) for ln in ordered])


def paragraphs(body: Sequence[tuple[Line, float]], size: float) -> list[str]:
    """Body lines joined into paragraphs: a line indented from its column's edge starts one; a line
    that is not (the top of the next column, the next page) continues the one before."""
    out: list[str] = []
    for line, left in body:
        indented = line.x0 - left >= INDENT * size
        if indented or not out:
            out.append(line.text.strip())
        else:
            out[-1] += line.text.strip()
    return out


@dataclass(frozen=True)
class Head:
    """A header line of a page: the paper's name, its date, the page and its section."""

    paper: str = ""
    date: str = ""
    page: str = ""
    section: str = ""


_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_PAGE = re.compile(r"第\s*([0-9一二三四五六七八九十]+)\s*版")
_PAPER = re.compile(r"[\u4e00-\u9fff]{2,8}(?:日报|晚报|时报|报)")
_SECTION = re.compile(r"第\s*[0-9一二三四五六七八九十]+\s*版\s*[·・:: ]?\s*([\u4e00-\u9fff]{2,6})")
_NUMERALS = {c: i for i, c in enumerate("一二三四五六七八九十", 1)}


def number(text: str) -> int:
    """A page number written in digits or as a numeral up to 十."""
    return int(text) if text.isdigit() else _NUMERALS.get(text, 0)


def head_of(text: str) -> Head:
    """What a running header says (「武进日报 2024年7月20日 星期六 第1版 要闻」)."""
    date = _DATE.search(text)
    page = _PAGE.search(text)
    paper = _PAPER.search(_DATE.sub(" ", text))
    section = _SECTION.search(text)
    return Head(
        paper.group(0) if paper else "",
        f"{int(date.group(1)):04d}-{int(date.group(2)):02d}-{int(date.group(3)):02d}" if date else "",
        str(number(page.group(1))) if page else "",
        section.group(1) if section else "",
    )
