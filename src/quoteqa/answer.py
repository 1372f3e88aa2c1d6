"""Retrieval and quote selection: hybrid candidates, sentence scoring, abstention."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .index import Index
from .text import bigrams, is_cjk_question, normalize, tokens

# What a question asks for, from its interrogative words (Chinese and English).
_KINDS: dict[str, re.Pattern[str]] = {
    "number": re.compile(
        r"多少|(?<![这那前后])几[个家所项位人次套年批场天]?|多大|多高|多长|多快|多少钱|比例|百分之|增长了|增幅|数量|规模|金额|总数|"
        r"how many|how much|what percentage|what share|number of"
    ),
    "who": re.compile(r"谁|哪位|什么人|哪个人|哪些人|\bwho\b"),
    "when": re.compile(r"什么时候|何时|哪一?年|几月|哪天|什么时间|\bwhen\b|what year"),
}
# Interrogative and filler words that carry no topic; removed before measuring overlap.
_FILLER = re.compile(
    r"请问|是多少|有多少|多少|是什么|有什么|什么|哪些|哪个|哪里|哪儿|怎么样|怎样|怎么|如何|为什么|是否|"
    r"是不是|有没有|能否|可以|吗|呢|吧|啊|了|的|得|是|有|几|谁|呀|一下|告诉我|我想知道|我们|你们|已经|"
    r"\b(?:what|which|who|when|where|how|many|much|is|are|was|were|the|a|an|of|in|on|to|did|does|do)\b"
)
_TIME = re.compile(r"\d{4}年|\d{1,2}月|\d{1,2}日|昨天|今天|今年|去年|明年|上半年|下半年|近期|当前|目前|日前|年底|季度")
_NAME_HINT = re.compile(r"书记|区长|市长|主任|记者|总书记|评论员|局长|省长|同志|主席")

# Scoring weights, tuned on the development set (bench/dev_questions.jsonl; see BENCHMARKS.md).
W_BM25_SENT = 0.30
W_BM25_PARA = 0.15
W_DENSE = 0.80
W_COVER = 0.90
W_COVER_CTX = 0.25
W_KIND = 0.25
CANDIDATES = 50
# Abstention: the best sentence must cover enough of the question's content or be close to it.
MIN_CONFIDENCE = 0.96
Z_WEIGHT = 0.26
# A question in another language shares no words with the articles: only the dense model speaks,
# so the sentence must stand out further (z >= 2.9) before it counts as an answer.
MIN_CONFIDENCE_DENSE_ONLY = 0.75


@dataclass(frozen=True)
class Scored:
    sentence: int  # global sentence id
    score: float
    cover: float
    dense: float
    dense_z: float  # how far the dense score stands above the corpus's typical score, in std units


@dataclass(frozen=True)
class Query:
    text: str
    kinds: frozenset[str]
    terms: dict[str, float]  # content term -> weight
    tokens: list[str]
    unknown_codes: tuple[str, ...] = ()  # latin words / numbers of a Chinese question the corpus lacks
    cjk: bool = True  # the question is mostly Chinese


def analyse(index: Index, question: str) -> Query:
    q = normalize(question)
    kinds = frozenset(k for k, rx in _KINDS.items() if rx.search(q))
    content = _FILLER.sub(" ", q)
    lex = index.lex_sentences
    terms = {t: lex.idf(t) for t in bigrams(content)}
    cjk = is_cjk_question(q)
    unknown = tuple(t for t in terms if t.isascii() and t not in lex) if cjk else ()
    return Query(q, kinds, terms, tokens(content) or tokens(q), unknown, cjk)


def _cover(terms: dict[str, float], text_terms: frozenset[str]) -> float:
    total = sum(terms.values())
    if total <= 0:
        return 0.0
    return sum(w for t, w in terms.items() if t in text_terms) / total


def _kind_fit(kinds: frozenset[str], text: str, figure: bool) -> float:
    if not kinds:
        return 0.0
    fit = 0.0
    if "number" in kinds:
        fit += 1.0 if figure else -1.0
    if "when" in kinds:
        fit += 1.0 if _TIME.search(text) else -0.5
    if "who" in kinds:
        fit += 1.0 if _NAME_HINT.search(text) else -0.5
    return fit / len(kinds)


def _norm(x: np.ndarray) -> np.ndarray:
    top = float(x.max()) if len(x) else 0.0
    return x / top if top > 0 else np.zeros_like(x)


def rank(index: Index, query: Query, qvec: np.ndarray) -> list[Scored]:
    """Candidate sentences, best first."""
    n = len(index.sentences)
    bm_s = _norm(index.lex_sentences.scores(query.tokens))
    bm_p = _norm(index.lex_paragraphs.scores(query.tokens))
    _d_scores, d_ids = index.dense.search(qvec, CANDIDATES)
    cand = set(d_ids.tolist())
    k = min(CANDIDATES, n)
    cand.update(np.argpartition(-bm_s, k - 1)[:k].tolist())
    top_paras = np.argpartition(-bm_p, min(5, len(bm_p)) - 1)[: min(5, len(bm_p))]
    for p in top_paras.tolist():
        first = int(index.para_first[p])
        cand.update(range(first, first + len(index.paragraphs[p].sentences)))
    ids = np.fromiter(cand, dtype=np.int64)
    dense = index.dense.vectors(ids) @ qvec
    ref = index.reference_vectors() @ qvec
    mean, std = float(ref.mean()), float(ref.std()) or 1.0
    out: list[Scored] = []
    for sid, dn in zip(ids.tolist(), dense.tolist(), strict=True):
        text = index.sentences[sid].text
        pid = int(index.sent_para[sid])
        cover = _cover(query.terms, index.sentence_terms(sid))
        cover_ctx = _cover(query.terms, index.context_terms(pid))
        score = (
            W_BM25_SENT * float(bm_s[sid])
            + W_BM25_PARA * float(bm_p[pid])
            + W_DENSE * dn
            + W_COVER * cover
            + W_COVER_CTX * cover_ctx
            + W_KIND * _kind_fit(query.kinds, text, index.sentence_has_figure(sid))
        )
        out.append(Scored(sid, score, cover, dn, (dn - mean) / std))
    out.sort(key=lambda s: -s.score)
    return out


def confidence(index: Index, query: Query, best: Scored) -> float:
    """How sure we are that the best sentence answers at all.

    Word overlap alone misses paraphrases and raw cosine is similar for every sentence of a
    small corpus, so the dense part counts how far the sentence stands out from the corpus.
    """
    conf = best.cover + Z_WEIGHT * best.dense_z
    if not query.cjk:
        conf += MIN_CONFIDENCE - MIN_CONFIDENCE_DENSE_ONLY
    if "number" in query.kinds and not index.sentence_has_figure(best.sentence):
        conf -= 1.0  # a "how many" question is only answered by a sentence with a figure
    if query.unknown_codes:
        conf -= 0.5  # e.g. "GDP" in a Chinese question, which the corpus never mentions
    return conf


def answer_run(index: Index, query: Query, sid: int) -> list[int]:
    """The sentence, extended by the next one when it only introduces the figure asked for."""
    run = [sid]
    pid = int(index.sent_para[sid])
    last = int(index.para_first[pid]) + len(index.paragraphs[pid].sentences) - 1
    wants_figure = "number" in query.kinds and not index.sentence_has_figure(sid)
    if sid < last and wants_figure and index.sentence_has_figure(sid + 1):
        run.append(sid + 1)
    return run
