"""What a sentence, a paragraph or a headline holds, as the features read it: its terms and
characters, its figures, whether it holds the kind of answer asked for. Each value is computed
once per loaded index (Index.cached): corpus sentences are the same for every question."""

from __future__ import annotations

import re

from ..index.store import Index
from ..ingest.text import bigrams, bigrams_of_normalized, is_cjk, normalize
from ..language import kinds as asking
from ..language.numbers import parse as parse_figures
from .question import Holds, Query


def title_terms(index: Index, aid: int) -> frozenset[str]:
    """Content terms of an article's headline."""
    return index.cached("title", aid, lambda: frozenset(bigrams(index.articles[aid].title)))  # type: ignore[no-any-return]


def paragraph_counts(index: Index, pid: int, kind: str) -> dict[str, int]:
    """In how many of a paragraph's sentences, plus its article's headline, each term (kind
    "terms") or character (kind "chars") occurs."""

    def compute() -> dict[str, int]:
        first = int(index.para_first[pid])
        of = sentence_terms if kind == "terms" else sentence_chars
        aid = int(index.para_article[pid])
        counts: dict[str, int] = {}
        sets = [of(index, s) for s in range(first, first + len(index.paragraphs[pid].sentences))]
        sets.append(title_terms(index, aid) if kind == "terms" else frozenset(normalize(index.articles[aid].title)))
        for terms in sets:
            for t in terms:
                counts[t] = counts.get(t, 0) + 1
        return counts

    return index.cached(f"counts-{kind}", pid, compute)  # type: ignore[no-any-return]


def _sentence_sets(index: Index, sid: int) -> tuple[frozenset[str], frozenset[str]]:
    def compute() -> tuple[frozenset[str], frozenset[str]]:
        text = normalize(index.sentences[sid].text)
        return frozenset(bigrams_of_normalized(text)), frozenset(c for c in text if is_cjk(c))

    return index.cached("sets", sid, compute)  # type: ignore[no-any-return]


def sentence_terms(index: Index, sid: int) -> frozenset[str]:
    """Content terms of a sentence."""
    return _sentence_sets(index, sid)[0]


def sentence_chars(index: Index, sid: int) -> frozenset[str]:
    """Chinese characters of a sentence."""
    return _sentence_sets(index, sid)[1]


def sentence_figures(index: Index, sid: int) -> frozenset[float]:
    """The values of the figures a sentence states (numbers.parse: dates, road numbers and slogans
    are not figures)."""
    return index.cached("figure", sid, lambda: frozenset(f.value for f in parse_figures(index.sentences[sid].text)))  # type: ignore[no-any-return]


def gives_figure(index: Index, query: Query, sid: int) -> bool:
    """Whether the sentence states a figure the question does not (「…比例有3.8%」 does not answer
    「比例有3.8%的数据发表在哪份期刊」 with a figure; it only repeats the question's)."""
    return bool(sentence_figures(index, sid) - query.figures)


def context_terms(index: Index, pid: int) -> frozenset[str]:
    """Content terms of a paragraph with its article's headline and sub-headline."""

    def compute() -> frozenset[str]:
        article = index.articles[int(index.para_article[pid])]
        return frozenset(bigrams(index.paragraphs[pid].text + article.title + article.subtitle))

    return index.cached("context", pid, compute)  # type: ignore[no-any-return]


def sentence_holds(index: Index, query: Query, sid: int) -> float:
    """The probability that the sentence holds an answer of the kind the question asks for (1.0
    when it asks for no typed kind, or no model of what sentences hold was learned)."""
    holder: Holds | None = query.holder
    if not query.asked.typed or holder is None:
        return 1.0
    probs = index.cached(
        f"holds-{holder.key}",
        sid,
        lambda: asking.holds(holder.weights, normalize(index.sentences[sid].text)),
    )
    return float(probs[asking.TYPED.index(query.asked.kind)])


def attribute_held(index: Index, query: Query, sid: int) -> float:
    """The share of the asked attribute's characters (门票 of 「…门票多少钱」) the sentence holds: from
    its cached characters (normalising each candidate again cost 0.4 ms a question), or its text
    for a latin attribute (GDP), which is held whole or not at all."""
    attribute = query.asked.attribute
    if attribute.isascii() and attribute.strip():
        return asking.attribute_share(attribute, normalize(index.sentences[sid].text))
    return asking.attribute_share(attribute, sentence_chars(index, sid))


def money_missing(index: Index, query: Query, sid: int) -> bool:
    """An amount of money is asked for and the sentence states none (a figure in 元) of its own."""
    if query.asked.kind != "amount":
        return False
    own = {f.value for f in parse_figures(index.sentences[sid].text) if "元" in f.unit}
    return not (own - query.figures)


def cover(terms: dict[str, float], text_terms: frozenset[str], total: float) -> float:
    """The share of the weight ``total`` of ``terms`` that ``text_terms`` holds."""
    if total <= 0:
        return 0.0
    return sum(w for t, w in terms.items() if t in text_terms) / total


_TIME = re.compile(r"\d{4}年|\d{1,2}月|\d{1,2}日|昨天|今天|今年|去年|明年|上半年|下半年|近期|当前|目前|日前|年底|季度")
_NAME_HINT = re.compile(r"书记|区长|市长|主任|记者|总书记|评论员|局长|省长|同志|主席")


def kind_fit(index: Index, query: Query, sid: int) -> float:
    """How well the sentence holds what the question asks for: a figure (one the question does
    not state), a time, a person's title."""
    kinds = query.kinds
    if not kinds:
        return 0.0
    text = index.sentences[sid].text
    fit = 0.0
    if "number" in kinds:
        fit += 1.0 if gives_figure(index, query, sid) else -1.0
    if "when" in kinds:
        fit += 1.0 if _TIME.search(text) else -0.5
    if "who" in kinds:
        fit += 1.0 if _NAME_HINT.search(text) else -0.5
    return fit / len(kinds)


def form_fit(index: Index, query: Query, sid: int) -> float:
    """The sentence has the form of an answer (a reason, a 《title》, a place, a time)."""
    forms, text = query.forms, index.sentences[sid].text
    return sum(1.0 if rx.search(text) else -0.5 for rx in forms) / len(forms) if forms else 0.0
