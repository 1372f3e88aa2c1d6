"""Questions about an article itself rather than what it reports: its byline, headline,
sub-headline or the meeting it reports, and which article a question names."""

from __future__ import annotations

import re
from functools import partial

from ..index.store import Index
from ..ingest.corpus import Article
from ..ingest.text import bigrams, normalize
from ..language.numbers import chinese_to_number
from .citations import Citation
from .understand import strip_filler

# A question about the article itself rather than what it reports.
_META: dict[str, re.Pattern[str]] = {
    "subtitle": re.compile(r"副标题|副题"),  # not 小标题 (a section heading inside the article)
    "byline": re.compile(r"谁写的|作者|哪位记者|哪个记者|记者是谁|记者叫|谁报道|署名|撰稿|执笔|评论员是谁|谁撰写"),
    "headline": re.compile(r"(?<!小)标题|题目|文章叫什么|报道叫什么|讲的是什么主题"),
    "meeting": re.compile(r"(?:什么|哪次|哪个|哪一次|哪一个)(?:会议?|全会|大会)|会议上|开的什么会|在什么会上|什么会上"),
}
_MEETING = re.compile(r"(?:会议|全会|大会|常委会|座谈会|推进会|部署会|代表大会)")
_META_WORDS = re.compile("|".join(rx.pattern for rx in _META.values()) + r"|这篇|那篇|文章|报道|稿子|新闻")


def without_meta_words(question: str) -> str:
    """The question less its words about the article (what is left names the article's topic)."""
    return _META_WORDS.sub(" ", question)


def _named_terms(article: Article) -> frozenset[str]:
    return frozenset(bigrams(article.title + article.subtitle + article.byline))


def article_named(index: Index, text: str) -> int | None:
    """The article named by ``text``: by its place (第二篇, 最后一篇), else the one whose headline,
    sub-headline or byline shares the most terms with it (two at least: one shared word such as
    发展 names no article, unless no other article's names and no sentence use it, as 评论 of
    「本报评论员」), or None."""
    placed = article_by_place(index, text)
    if placed is not None:
        return placed
    terms = bigrams(strip_filler(normalize(text)))
    named = [index.cached("named", aid, partial(_named_terms, a)) for aid, a in enumerate(index.articles)]
    best, best_n = None, 1
    for aid, own in enumerate(named):
        shared = terms & own
        n = len(shared)
        if n > best_n or (best is None and n == 1 and _names_alone(index, next(iter(shared)), named)):
            best, best_n = aid, n
    return best


def _names_alone(index: Index, term: str, named: list[frozenset[str]]) -> bool:
    """Whether ``term`` is in one article's names only and in no sentence (a word of the byline
    such as 评论 of 「本报评论员」, not a topic word of the headline)."""
    lex = index.lex_sentences
    return sum(term in own for own in named) == 1 and (term not in lex or lex.df(term) == 0)


_PLACE = re.compile(r"第\s*([一二三四五六七八九十两\d]{1,3})\s*篇|(最后|末)\s*(?:一\s*)?篇")  # no two \s* side by side


def article_by_place(index: Index, text: str) -> int | None:
    """The article ``text`` names by its place among the articles (第一篇, 第2篇, 最后一篇), or None
    when it names none or a place past the last (see ``place_past_end``)."""
    place = _place(text, len(index.articles))
    return place - 1 if place is not None and 1 <= place <= len(index.articles) else None


def place_past_end(index: Index, text: str) -> bool:
    """Whether ``text`` names an article by a place the articles do not reach (第五篇 of three)."""
    place = _place(text, len(index.articles))
    return place is not None and place > len(index.articles)


def _place(text: str, count: int) -> int | None:
    """The 1-based place among ``count`` articles that ``text`` names (第一篇 → 1, 最后一篇 →
    ``count``), or None."""
    m = _PLACE.search(text)
    if m is None:
        return None
    if m.group(2):
        return count
    n = chinese_to_number(m.group(1))
    return int(n) if n is not None and n == int(n) and n >= 1 else None


def meta_kind(question: str) -> str | None:
    """ "byline", "headline", "subtitle" or "meeting" when the question asks about the article itself."""
    return next((k for k, rx in _META.items() if rx.search(question)), None)


def about_article(index: Index, kind: str, article: int | None) -> Citation | None:
    """The byline, headline, sub-headline or meeting sentence (``kind``) of ``article`` (default: the first);
    None when the article lacks that part."""
    if not index.articles:
        return None
    aid = article if article is not None else 0
    a = index.articles[aid]
    if kind == "byline":
        return (
            Citation(a.doc, a.title, 0, a.byline.strip(), 1.0, "byline", source=a.source) if a.byline.strip() else None
        )
    if kind == "headline":
        return Citation(a.doc, a.title, 0, a.title, 1.0, "headline", source=a.source)
    if kind == "subtitle":
        sub = a.subtitle.strip()
        return Citation(a.doc, a.title, 0, sub, 1.0, "subtitle", source=a.source) if sub else None
    for para in a.paragraphs:
        for s in para.sentences:
            if _MEETING.search(s.text):
                return Citation(a.doc, a.title, para.number, s.text.strip(), 1.0, source=a.source)
    return None
