"""Text normalisation, sentence splitting and the Chinese-aware lexical tokenizer."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path

# Sentence-final punctuation, full and half width; the semicolon ends a clause in list-like
# Chinese prose ("…总数全市第一;新增省级…"), so it also ends a quotable unit.
_FINAL = "。!?;!?;…"
_CLOSERS = "”’」』)》】\"'"
_SENTENCE_RE = re.compile(rf"[^{_FINAL}]*(?:[{_FINAL}]+[{_CLOSERS}]*|$)")
# The one definition of a Chinese character: CJK unified ideographs, extension A and the
# compatibility ideographs. CJK is for a regex class (f"[{CJK}]"), is_cjk for one character.
CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN_RE = re.compile(rf"[{CJK}]+|[0-9]+(?:\.[0-9]+)?%?|[a-z][a-z0-9]*")


# Recorded in each index's manifest: an index whose terms were normalised otherwise is rebuilt.
NORMALIZER = "nfkc+t2s-chars+lower/1"


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    """Traditional -> simplified, character by character, from opencc's t2s dictionary (its first
    choice for each character). A ``str.translate`` table runs in C: the pure-python phrase
    converter cost ~3 ms a sentence, which made traditional corpora and questions the slow path.
    Matching needs the same mapping on both sides, not the best phrase-level rendering."""
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    table: dict[int, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, targets = line.partition("\t")
        if len(key) == 1 and targets and targets.split()[0] != key:
            table[ord(key)] = targets.split()[0]
    return table


def normalize(text: str) -> str:
    """NFKC (full-width → half-width), traditional → simplified, lower case.

    Used for matching only: quotes are always taken from the original text.
    """
    return unicodedata.normalize("NFKC", text).translate(_t2s_table()).lower()


MAX_SENTENCE_CHARS = 400


def _wrap(sentence: str) -> list[str]:
    """Cut an over-long run without sentence punctuation at commas (or hard) into quotable pieces."""
    pieces, start = [], 0
    while len(sentence) - start > MAX_SENTENCE_CHARS:
        end = start + MAX_SENTENCE_CHARS
        cut = max(sentence.rfind(c, start, end) for c in ",,、 ")
        cut = cut + 1 if cut >= start + MAX_SENTENCE_CHARS // 2 else end
        pieces.append(sentence[start:cut])
        start = cut
    return [*pieces, sentence[start:]] if start < len(sentence) else pieces


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences/clauses; joining the result gives back the paragraph.

    A run longer than MAX_SENTENCE_CHARS with no sentence punctuation is cut into pieces.
    """
    return list(iter_sentences(paragraph))


def iter_sentences(paragraph: str) -> Iterator[str]:
    """``split_sentences`` one at a time (a paragraph of millions is never held as lists)."""
    parts = (m.group(0) for m in _SENTENCE_RE.finditer(paragraph) if m.group(0))
    # A closing quote or bracket alone belongs to the sentence before it; then leading white space
    # stays verbatim inside the unit, but never as a unit of its own.
    closed = _joined(parts, lambda part: not part.strip(_CLOSERS + " \t"))
    for unit in _joined(closed, lambda part: not part.strip()):
        yield from _wrap(unit)


def _joined(parts: Iterable[str], belongs_before: Callable[[str], bool]) -> Iterator[str]:
    """``parts`` with each one that ``belongs_before`` appended to the one before it."""
    held: str | None = None
    for part in parts:
        if held is not None and belongs_before(part):
            held += part
            continue
        if held is not None:
            yield held
        held = part
    if held is not None:
        yield held


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def tokens(text: str) -> list[str]:
    """Lexical tokens of normalised text: CJK unigrams and bigrams, numbers, latin words."""
    out: list[str] = []
    for run in _TOKEN_RE.findall(normalize(text)):
        if is_cjk(run[0]):
            out.extend(run)
            out.extend(map(str.__add__, run, run[1:]))
        else:
            out.append(run)
    return out


def bigrams(text: str) -> set[str]:
    """CJK bigrams plus numbers and latin words: the content terms used for overlap."""
    return bigrams_of_normalized(normalize(text))


def bigrams_of_normalized(text: str) -> set[str]:
    """``bigrams`` of text that ``normalize`` has already been through."""
    out: set[str] = set()
    for run in _TOKEN_RE.findall(text):
        if is_cjk(run[0]):
            if len(run) == 1:
                out.add(run)
            out.update(map(str.__add__, run, run[1:]))  # the bigrams, built in C
        else:
            out.add(run)
    return out


def is_cjk_question(text: str) -> bool:
    """True when most letters of the text are Chinese characters."""
    cjk = len(re.findall(f"[{CJK}]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return cjk >= latin
