"""Understanding the question, the part ranking reads: what it asks for (its kinds and the forms
of an answer), its content terms and characters with their weights, the figures it states."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..index.store import Index
from ..ingest.text import bigrams, is_cjk, is_cjk_question, normalize, tokens
from ..language import kinds as asking
from ..language.numbers import parse as parse_figures
from .understand import absence, strip_filler

# What a question asks for, from its interrogative words (Chinese and English).
_KINDS: dict[str, re.Pattern[str]] = {
    "number": re.compile(
        r"多少|(?<![这那前后])几[个家所项位人次套年批场天]?|多大|多高|多长|多快|多少钱|比例|百分之|增长了|增幅|数量|规模|金额|总数|"
        r"how many|how much|what percentage|what share|number of"
    ),
    "who": re.compile(r"谁|哪位|什么人|哪个人|哪些人|\bwho\b"),
    "when": re.compile(r"什么时候|何时|哪一?年|几月|哪天|什么时间|\bwhen\b|what year"),
}
# What an answer looks like, for question forms the news-tuned kinds above do not cover:
# question pattern -> pattern of a sentence that can answer it.
_FORMS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (
        re.compile(r"为什么|为何|什么原因|原因是|\bwhy\b"),
        re.compile(r"因为|由于|因此|所以|原因|因其|为了|导致|because"),
    ),
    (
        re.compile(r"著作|作品|代表作|诗|书(?!记)|歌|专辑|电影|小说|曲目|剧|刊物|报纸"),
        re.compile(r"《"),
    ),
    (
        re.compile(r"又名|别名|别称|又称|俗称|简称|原名|旧称|称为|叫做|叫什么|名字|称号"),
        re.compile(r"又名|别名|别称|又称|俗称|简称|原名|旧称|称为|叫做|名为|称号|[号字]"),
    ),
    (
        re.compile(r"哪里|什么地方|什么地区|哪个国家|哪座城市|哪个城市|在哪|何处|分布|\bwhere\b"),
        re.compile(r"位于|分布|地区|[省市县国州岛洲山河湖海]|境内|一带|附近"),
    ),
    (
        re.compile(r"什么时候|何时|哪一?年|哪个朝代|什么时间|年代|\bwhen\b"),
        re.compile(r"\d+年|\d+月|世纪|年代|朝|时期|[一二三四五六七八九十〇零]+年"),
    ),
)


@dataclass(frozen=True)
class Query:
    text: str
    kinds: frozenset[str]
    terms: dict[str, float]  # content term -> weight
    tokens: list[str]
    unknown_codes: tuple[str, ...] = ()  # latin words / numbers of a Chinese question the corpus lacks
    cjk: bool = True  # the question is mostly Chinese
    chars: dict[str, float] = field(default_factory=dict)  # content characters -> weight
    forms: tuple[re.Pattern[str], ...] = ()  # what an answering sentence would contain
    absent: tuple[float, float] = (0.0, 0.0)  # what the corpus never mentions (understand.absence)
    figures: frozenset[float] = frozenset()  # the values of the figures the question itself states
    asked: asking.Asked = field(default_factory=asking.Asked)  # the kind of answer it asks for and what that is about
    holder: Holds | None = None  # what a sentence holds, by kind (None: no such model, all held)


@dataclass(frozen=True)
class Holds:
    """The learned model of what a sentence holds (kinds.holds), with a key for its per-sentence memo."""

    weights: np.ndarray  # TYPED kinds × (kinds.DIM + 1)
    key: str


CONTEXT_WEIGHT = 0.5  # a term carried over from an earlier turn counts half as much as the user's own


def analyse(index: Index, question: str, context: str = "", holds: Holds | None = None) -> Query:
    """What the question asks for and its content terms; ``context`` is the topic carried over
    from earlier turns (its terms count CONTEXT_WEIGHT as much as the question's own); ``holds``
    is the model of what a sentence holds that its features read (the weights' own)."""
    q = normalize(question)
    kinds = frozenset(k for k, rx in _KINDS.items() if rx.search(q))
    content = strip_filler(q)
    lex = index.lex_sentences
    terms = {t: lex.idf(t) for t in bigrams(content)}
    cjk = is_cjk_question(q)
    unknown = tuple(t for t in terms if t.isascii() and t not in lex) if cjk else ()
    chars = {c: lex.idf(c) for c in content if is_cjk(c)}
    toks = tokens(content) or tokens(q)
    if context:
        carried = strip_filler(normalize(context))
        for t in bigrams(carried):
            terms.setdefault(t, CONTEXT_WEIGHT * lex.idf(t))
        for c in carried:
            if is_cjk(c):
                chars.setdefault(c, CONTEXT_WEIGHT * lex.idf(c))
        # The lexical search looks for the carried topic only when the question names none of its
        # own (「增长多少?」); 「那就业岗位呢」 names a new one, which the old must not outweigh.
        if sum(not t.isascii() and t in lex for t in bigrams(content)) <= 1:
            toks = toks + tokens(carried)
    forms = tuple(answer for asks, answer in _FORMS if asks.search(q))
    figures = frozenset(f.value for f in parse_figures(q))
    absent = absence(q, lex.__contains__)
    return Query(q, kinds, terms, toks, unknown, cjk, chars, forms, absent, figures, asking.asked(q), holds)
