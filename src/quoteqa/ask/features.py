"""The features of ranking and of answerability, each one named entry of a registry.

A ranking feature (``Feature``) is what the ranker reads of one candidate sentence: its name,
what it means, how it is computed, its weight in a passage's score and the weight the trainer's
linear ranker starts from. An answerability feature (``Signal``) is what the answerability and
confidence models read of a question and its best sentence, with the sign its learned weight
must keep. Vectors are built from these registries in their order, weights files are keyed by
their names (``models.py`` refuses a file that lacks a feature or has one too many), and the
trainer reads them: adding a feature is one entry here, then ``make train``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..index.store import Index
from ..language import kinds as asking
from .evidence import (
    attribute_held,
    context_terms,
    cover,
    form_fit,
    gives_figure,
    kind_fit,
    money_missing,
    paragraph_counts,
    sentence_chars,
    sentence_figures,
    sentence_holds,
    sentence_terms,
    title_terms,
)
from .question import Query

# --- ranking: what the ranker reads of one candidate sentence -----------------------------------


@dataclass
class Paragraphs:
    """Per-question values of the candidates' paragraphs, computed once for all of them: the best
    cosine among each paragraph's candidates, and the in-paragraph term weights of ``focus``."""

    index: Index
    query: Query
    best_dense: dict[int, float] = field(default_factory=dict)
    _weights: dict[tuple[str, int], tuple[dict[str, float], float]] = field(default_factory=dict)
    _focus: dict[tuple[str, int], float] = field(default_factory=dict)

    def focus(self, kind: str, sid: int, pid: int) -> float:
        """Cover of sentence ``sid`` under the in-paragraph weights of ``kind`` ("terms", "chars"
        or "untitled": the terms its article's headline does not hold)."""
        if (kind, sid) not in self._focus:
            index, query = self.index, self.query
            if (kind, pid) not in self._weights:
                counts = paragraph_counts(index, pid, "chars" if kind == "chars" else "terms")
                if kind == "untitled":
                    title = title_terms(index, int(index.para_article[pid]))
                    terms = {t: w for t, w in query.terms.items() if t not in title}
                else:
                    terms = query.chars if kind == "chars" else query.terms
                weights = _focus_weights(terms, counts, len(index.paragraphs[pid].sentences))
                self._weights[(kind, pid)] = weights, sum(weights.values())
            held = sentence_chars(index, sid) if kind == "chars" else sentence_terms(index, sid)
            weights, total = self._weights[(kind, pid)]
            self._focus[(kind, sid)] = cover(weights, held, total)
        return self._focus[(kind, sid)]

    def neighbour_focus(self, sid: int, pid: int, step: int) -> float:
        """``focus`` of the sentence ``step`` away in the same paragraph, 0 past its ends."""
        first = int(self.index.para_first[pid])
        last = first + len(self.index.paragraphs[pid].sentences) - 1
        return self.focus("terms", sid + step, pid) if first <= sid + step <= last else 0.0


def _focus_weights(terms: dict[str, float], counts: dict[str, int], n: int) -> dict[str, float]:
    """Question-term weights inside one paragraph of ``n`` sentences plus headline, whose terms occur
    ``counts`` times: a term most of them share names the paragraph's topic and cannot tell its
    sentences apart."""
    out = {}
    for t, w in terms.items():
        df = counts.get(t, 0)
        if df:
            out[t] = w * float(np.log((n + 2) / (df + 0.5)))
    return out


@dataclass(frozen=True)
class Candidate:
    """What a ranking feature reads of one candidate sentence."""

    index: Index
    query: Query
    sid: int
    pid: int
    bm25_sentence: float  # BM25 of the sentence over the best in the scope
    bm25_paragraph: float  # …of its paragraph
    dense: float  # cosine of sentence and question
    asked: float  # the total weight of the question's terms
    paragraphs: Paragraphs | None  # None for the features passages are ranked by (computed first)

    @property
    def terms(self) -> frozenset[str]:
        return sentence_terms(self.index, self.sid)

    @property
    def near(self) -> Paragraphs:
        if self.paragraphs is None:
            raise ValueError("a feature with a passage weight cannot read the paragraphs' values")
        return self.paragraphs


@dataclass(frozen=True)
class Feature:
    name: str
    doc: str
    value: Callable[[Candidate], float]
    passage: float = 0.0  # weight in the passage score (nonzero: computed for every candidate, first)
    start: float = 0.0  # where the trainer's linear ranker starts


RANKING: tuple[Feature, ...] = (
    Feature("bm25_sentence", "BM25 of the sentence, over the best in the corpus", lambda c: c.bm25_sentence, 0.3, -0.5),
    Feature("bm25_paragraph", "BM25 of its paragraph, likewise", lambda c: c.bm25_paragraph, 0.15, 0.65),
    Feature("dense", "cosine of sentence and question", lambda c: c.dense, 0.8, 1.4),
    Feature(
        "cover",
        "idf-weighted share of the question's terms the sentence holds",
        lambda c: cover(c.query.terms, c.terms, c.asked),
        0.9,
        -0.8,
    ),
    Feature(
        "cover_context",
        "the same for the paragraph with its headline",
        lambda c: cover(c.query.terms, context_terms(c.index, c.pid), c.asked),
        0.25,
        2.4,
    ),
    Feature(
        "kind",
        "the sentence holds what the question asks for (a figure, a date, a name)",
        lambda c: kind_fit(c.index, c.query, c.sid),
        0.25,
        0.25,
    ),
    Feature(
        "focus",
        "cover of the terms that tell this sentence from the rest of its paragraph",
        lambda c: c.near.focus("terms", c.sid, c.pid),
        start=0.8,
    ),
    Feature(
        "focus_previous",
        "focus of the sentence before (the answer often follows its setting)",
        lambda c: c.near.neighbour_focus(c.sid, c.pid, -1),
        start=-0.1,
    ),
    Feature(
        "focus_next", "focus of the sentence after", lambda c: c.near.neighbour_focus(c.sid, c.pid, 1), start=-0.05
    ),
    Feature(
        "dense_local",
        "cosine minus the best cosine among its paragraph's candidates",
        lambda c: c.dense - c.near.best_dense[c.pid],
        start=-0.35,
    ),
    Feature(
        "novelty",
        "share of the sentence's terms the question does not use (where an answer would be)",
        lambda c: len(c.terms - c.query.terms.keys()) / max(1, len(c.terms)),
        start=-0.15,
    ),
    Feature(
        "focus_chars",
        "focus over single characters (性格 / 个性, 创始人 / 创办人)",
        lambda c: c.near.focus("chars", c.sid, c.pid),
        start=0.5,
    ),
    Feature(
        "focus_untitled",
        "focus over the terms its article's headline does not hold",
        lambda c: c.near.focus("untitled", c.sid, c.pid),
        start=0.3,
    ),
    Feature(
        "form",
        "the sentence has the form of an answer (a reason, a 《title》, a place, a time)",
        lambda c: form_fit(c.index, c.query, c.sid),
        start=0.2,
    ),
    Feature(
        "holds",
        "the probability that it holds the kind of answer asked for (kinds.holds, learned)",
        lambda c: sentence_holds(c.index, c.query, c.sid),
    ),
    Feature(
        "attribute",
        "share of the asked attribute's characters it holds (门票 of 门票多少钱)",
        lambda c: attribute_held(c.index, c.query, c.sid),
    ),
)
RANKING_NAMES = tuple(f.name for f in RANKING)
PASSAGE_WEIGHTS = np.array([f.passage for f in RANKING])
FIRST = np.array([i for i, f in enumerate(RANKING) if f.passage])  # computed for every candidate
LATER = np.array([i for i, f in enumerate(RANKING) if not f.passage])  # …for those of the best paragraphs


PARAGRAPHS = 8  # paragraphs whose candidates get the in-paragraph features (see ranking_rows)


def column(name: str) -> int:
    """The position of ranking feature ``name`` in a row."""
    return RANKING_NAMES.index(name)


def ranking_rows(
    index: Index, query: Query, ids: np.ndarray, bm_s: np.ndarray, bm_p: np.ndarray, dense: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(candidate sentence ids, their rows in RANKING order) of the candidates ``ids`` with their
    BM25 scores and cosines.

    The features with a passage weight come first, for every candidate; the in-paragraph ones
    cost a pass over each paragraph, so they are computed for the candidates of the PARAGRAPHS
    best paragraphs (by the passage score of their best candidate) only, and the others are
    dropped, which keeps a question's cost flat as the archive grows.
    """
    pids = index.sent_para[ids]
    rows = np.zeros((len(ids), len(RANKING)), dtype=np.float64)
    asked = sum(query.terms.values())
    first = [RANKING[i].value for i in FIRST]
    for row, (sid, pid) in enumerate(zip(ids.tolist(), pids.tolist(), strict=True)):
        c = Candidate(index, query, sid, pid, float(bm_s[row]), float(bm_p[row]), float(dense[row]), asked, None)
        rows[row, FIRST] = [value(c) for value in first]
    passage = rows @ PASSAGE_WEIGHTS
    best_passage: dict[int, float] = {}
    for pid, ps in zip(pids.tolist(), passage.tolist(), strict=True):
        best_passage[pid] = max(best_passage.get(pid, -np.inf), ps)
    kept = set(sorted(best_passage, key=lambda p: -best_passage[p])[:PARAGRAPHS])
    keep = np.fromiter((p in kept for p in pids.tolist()), dtype=bool, count=len(pids))
    ids, pids, bm_s, bm_p, dense, rows = ids[keep], pids[keep], bm_s[keep], bm_p[keep], dense[keep], rows[keep]
    near = Paragraphs(index, query)
    for pid, dn in zip(pids.tolist(), dense.tolist(), strict=True):
        near.best_dense[pid] = max(near.best_dense.get(pid, -1.0), dn)
    later = [RANKING[i].value for i in LATER]
    for row, (sid, pid) in enumerate(zip(ids.tolist(), pids.tolist(), strict=True)):
        c = Candidate(index, query, sid, pid, float(bm_s[row]), float(bm_p[row]), float(dense[row]), asked, near)
        rows[row, LATER] = [value(c) for value in later]
    return ids, rows


# --- answerability: what the answerability and confidence models read of a question ------------


@dataclass(frozen=True)
class Best:
    """What an answerability feature reads: the question and its best candidate."""

    index: Index
    query: Query
    sid: int  # the best candidate sentence
    scored: Scores  # its ranking values
    carried: bool  # the question was completed from earlier turns
    para_chars: dict[str, int]  # characters of its paragraph with the headline


@dataclass(frozen=True)
class Scores:
    """The ranking values of the best candidate that answerability reads."""

    cover: float
    cover_context: float
    dense: float
    dense_z: float
    focus: float


@dataclass(frozen=True)
class Signal:
    name: str
    doc: str
    value: Callable[[Best], float]
    sign: int  # +1: more of it makes an answer likelier, -1: less likely, 0: either (learned)


def _chars_context(b: Best) -> float:
    total = sum(b.query.chars.values())
    return sum(w for c, w in b.query.chars.items() if c in b.para_chars) / total if total > 0 else 0.0


# How-to questions about a personal procedure, which news reports rarely answer.
_PROCEDURE = re.compile(
    r"(?:怎么|怎样|如何|咋)(?:样才能|才能|去|在网上|网上)?(?:申请|办理|"
    rf"办(?!{asking.QUESTION_END}|$)|挂|交|缴|领|报名|预约|登记|备案|收费|报销|买|订|坐|走|去|查|参加)"
)


def _lacks(kind: str) -> Callable[[Best], float]:
    return lambda b: 1.0 - sentence_holds(b.index, b.query, b.sid) if b.query.asked.kind == kind else 0.0


# The kinds whose answer is not itself a figure: a question of one of these that states a count
# (「那21个村是哪些」) asks for the members of a set the sentence may only have counted.
_MEMBERS = frozenset({"list", "names", "place", "person", "procedure", "reason", "date", "clock"})


def _repeats_figure(b: Best) -> float:
    """The question states a figure and asks for what is not one, and the sentence states that figure."""
    if b.query.asked.kind not in _MEMBERS or not b.query.figures:
        return 0.0
    return float(bool(b.query.figures & sentence_figures(b.index, b.sid)))


def _asks(kind: str) -> Callable[[Best], float]:
    return lambda b: float(b.query.asked.kind == kind)


# The trainer keeps each weight to its sign, so that no correlation of the training sets can turn
# "the corpus never mentions what is asked" into a reason to answer.
ANSWERABILITY: tuple[Signal, ...] = (
    Signal("cover", "share of the question's terms (idf-weighted) the sentence holds", lambda b: b.scored.cover, 1),
    Signal("cover_context", "the same for its paragraph with the headline", lambda b: b.scored.cover_context, 1),
    Signal("dense", "cosine of sentence and question", lambda b: b.scored.dense, 1),
    Signal(
        "dense_z",
        "how far that cosine stands above the corpus's typical one, in std units",
        lambda b: b.scored.dense_z,
        1,
    ),
    Signal("focus", "cover of the terms that tell the sentence from its paragraph", lambda b: b.scored.focus, 1),
    Signal("chars_context", "share of the question's characters in the paragraph with the headline", _chars_context, 1),
    Signal(
        "figure_missing",
        'a "how many" question, and the sentence states no figure',
        lambda b: float("number" in b.query.kinds and not gives_figure(b.index, b.query, b.sid)),
        -1,
    ),
    Signal(
        "unknown_code",
        "a latin word or number of a Chinese question the corpus lacks (GDP)",
        lambda b: float(bool(b.query.unknown_codes)),
        -1,
    ),
    Signal(
        "foreign",
        "the question is not mostly Chinese: only the dense model speaks",
        lambda b: float(not b.query.cjk),
        0,
    ),
    Signal("carried", "the question was completed from earlier turns", lambda b: float(b.carried), 0),
    Signal(
        "absent",
        "share of the question's words (weighted by rarity) the corpus never uses",
        lambda b: b.query.absent[0],
        -1,
    ),
    Signal(
        "absent_rarest",
        "how rare in general Chinese the rarest of them is (房价, 挂号, 地铁)",
        lambda b: b.query.absent[1],
        -1,
    ),
    Signal(
        "kind",
        "the sentence holds what the question asks for (a figure, a date, a name)",
        lambda b: kind_fit(b.index, b.query, b.sid),
        1,
    ),
    Signal(
        "form",
        "the sentence has the form of an answer (a reason, a place, a time)",
        lambda b: form_fit(b.index, b.query, b.sid),
        1,
    ),
    Signal(
        "procedure",
        "the question asks how to do something (怎么申请, 如何办理): a service, not news",
        lambda b: float(bool(_PROCEDURE.search(b.query.text))),
        -1,
    ),
    *(Signal(f"lacks_{k}", f"{k} is asked for: 1 - P(the sentence holds one)", _lacks(k), -1) for k in asking.TYPED),
    Signal(
        "attribute_missing",
        "share of the asked attribute's characters the sentence lacks",
        lambda b: 1.0 - attribute_held(b.index, b.query, b.sid),
        -1,
    ),
    Signal(
        "attribute_missing_context",
        "…that its paragraph and headline lack",
        lambda b: 1.0 - asking.attribute_share(b.query.asked.attribute, b.para_chars),
        -1,
    ),
    Signal(
        "repeats_figure",
        "the question states a figure and asks for something else (那21个村是哪些); the sentence states it",
        _repeats_figure,
        -1,
    ),
    Signal(
        "money_missing",
        "an amount of money is asked for and the sentence states none",
        lambda b: float(money_missing(b.index, b.query, b.sid)),
        -1,
    ),
    *(
        Signal(f"asks_{k}", f"{k} is the kind asked for (what news rarely says, learned)", _asks(k), 0)
        for k in asking.KINDS
    ),
)
ANSWERABILITY_NAMES = tuple(s.name for s in ANSWERABILITY)
SIGNS = {s.name: s.sign for s in ANSWERABILITY}


def answerability_row(best: Best) -> np.ndarray:
    """The ANSWERABILITY row of a question and its best candidate."""
    return np.array([s.value(best) for s in ANSWERABILITY], dtype=np.float64)
