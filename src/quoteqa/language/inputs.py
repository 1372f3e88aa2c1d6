"""What a person sends, checked at every door (CLI, web, Python): questions, claims, earlier
questions and dates, each refused with a message in Chinese that names the value and the limit."""

from __future__ import annotations

import re
import unicodedata

from ..ingest.corpus import date_of, date_span

MAX_QUESTION_CHARS = 500
MAX_CLAIM_CHARS = 2000  # a draft paragraph
# Claims (figures with their subjects) checked in one draft: a real paragraph of 2,000 characters
# holds a few dozen; 「5家。」 × 400 held 667 and cost 5.6 s of CPU.
MAX_CLAIMS = 80
MAX_DRAFT_CLAIMS = 400  # a draft file's, all its paragraphs together (a long feature has about 150)
MAX_TOP_K = 20
MAX_HISTORY = 50  # earlier questions a request may carry
HISTORY_READ = 4  # …of which the last are read to complete a follow-up (the web page keeps these)


class InputError(ValueError):
    """A question the product refuses; the message names the value and the limit, and ``code``
    names the kind of problem for programs (``empty``, ``too_long``, ``no_words``, ``only_number``,
    ``bad_encoding``, ``not_text``, ``bad_history``, ``bad_top_k``, ``bad_date``,
    ``too_many_claims``, and ``store_unavailable`` when a Milvus store gives no answer in time)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


# Dropped from input: control characters (tab and newline kept), invisible format characters
# (category Cf: zero-width spaces and joiners, bidi embeddings and isolates U+202A–202E and
# U+2066–2069, word joiner U+2060, BOM) and line/paragraph separators.
_DROP = frozenset({"Cc", "Cf", "Zl", "Zp"})


def _visible(text: str) -> str:
    return "".join(c for c in text if c in "\t\n" or unicodedata.category(c) not in _DROP)


def one_line(text: str) -> str:
    """``text`` to show on one line of a report: control and invisible format characters (bidi
    overrides such as U+202E included) removed, line breaks and runs of spaces as one space, lone
    surrogates as U+FFFD."""
    return " ".join(_visible(safe_text(text)).split())


def safe_text(text: str) -> str:
    """``text`` with lone surrogates (undecodable bytes read with surrogateescape) shown as U+FFFD,
    so that it can be printed, logged or written as UTF-8."""
    return "".join("\ufffd" if _is_surrogate(c) else c for c in text) if _has_surrogate(text) else text


def _is_surrogate(c: str) -> bool:
    return 0xD800 <= ord(c) < 0xE000


def _has_surrogate(text: str) -> bool:
    return any(_is_surrogate(c) for c in text)


NOT_UTF8 = "不是有效的文字(含有非 UTF-8 字节或孤立的代理字符),请以 UTF-8 编码发送"
# What the text is, as the messages name it (the ``what`` of check_text).
WHAT = {"question": "问题", "claim": "核实内容", "earlier question": "此前的问题"}


def check_text(text: object, *, what: str = "question", limit: int = MAX_QUESTION_CHARS) -> str:
    """The text with control and invisible format characters removed and stripped, or InputError
    naming what is wrong, in Chinese (every door shows the same message; ``code`` is for programs).
    Every door (CLI, web, Python) passes its input through here."""
    name = WHAT.get(what, what)
    if not isinstance(text, str):
        raise InputError(f"{name}必须是文字,收到的是 {type(text).__name__}。", "not_text")
    if len(text) > limit:
        raise InputError(f"{name}有 {len(text):,} 个字,上限是 {limit} 个字,请缩短。", "too_long")
    if _has_surrogate(text):  # lone surrogates: bytes that were not UTF-8
        raise InputError(f"{name}{NOT_UTF8}。", "bad_encoding")
    q = _visible(text).strip()
    if not q:
        raise InputError(f"{name}是空的,请输入一个关于这些文章的{name}。", "empty")
    words = [c for c in q if c.isalnum()]
    if not words:
        raise InputError(f"{name}「{q[:20]}」只有标点或符号,没有文字,请输入{name}。", "no_words")
    if all(c.isdigit() or c in "万亿" for c in words) and len(words) < 20:
        raise InputError(f"{name}「{q[:20]}」只是一个数字,请说明它指什么,例如「新增就业岗位5.7万个」。", "only_number")
    return q


# The years a date may name (those ingest.corpus.date_of reads: 19xx and 20xx).
FIRST_YEAR, LAST_YEAR = 1900, 2099
_YEAR = re.compile(r"\s*(\d{3,})\s*(?:年|[-/.]|$)")


def check_date(value: object, name: str) -> str:
    """A period bound (YYYY, YYYY-MM or YYYY-MM-DD, or as 2024年7月) as YYYY[-MM[-DD]], or InputError."""
    date = date_of(value) if isinstance(value, str) else ""
    if date:
        return date
    year = _YEAR.match(value) if isinstance(value, str) else None
    if year and not FIRST_YEAR <= int(year.group(1)) <= LAST_YEAR:
        raise InputError(
            f"{name} 是 {value!r}:年份 {int(year.group(1))} 不在 {FIRST_YEAR} 到 {LAST_YEAR} 年之间,"
            f"只能查这些年份的文章;请写成 2024、2024-07 或 2024-07-15。",
            "bad_date",
        )
    raise InputError(f"{name} 是 {value!r},不是日期;请写成 2024、2024-07 或 2024-07-15。", "bad_date")


def check_period(since: object, until: object) -> tuple[str | None, str | None]:
    """The checked bounds of a period (None for an open side), or InputError when a bound is no
    date or the period holds no day (since after until)."""
    first = check_date(since, "since") if since else None
    last = check_date(until, "until") if until else None
    if first and last and date_span(first)[0] > date_span(last)[1]:
        raise InputError(
            f"since 是 {first},晚于 until {last}:这段时间里没有一天,查不到任何文章;请让 since 早于或等于 until。",
            "bad_date",
        )
    return first, last


def check_history(history: object) -> list[str]:
    """The earlier questions of a conversation (oldest first), each checked like a question."""
    if history is None:
        return []
    if not isinstance(history, (list, tuple)) or not all(isinstance(h, str) for h in history):
        raise InputError(f"history 必须是此前问题(文字)的列表,收到的是 {type(history).__name__}。", "bad_history")
    if len(history) > MAX_HISTORY:
        raise InputError(
            f"history 有 {len(history)} 个问题,上限是 {MAX_HISTORY} 个,只需发送最近的几个。", "bad_history"
        )
    out = []
    for h in history:
        try:
            out.append(check_text(h, what="earlier question"))
        except InputError:
            continue  # an earlier turn that was refused itself gives no context
    return out
