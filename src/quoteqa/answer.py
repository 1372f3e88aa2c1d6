"""Retrieval and quote selection: hybrid candidates, sentence scoring, abstention."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
_TIME = re.compile(r"\d{4}年|\d{1,2}月|\d{1,2}日|昨天|今天|今年|去年|明年|上半年|下半年|近期|当前|目前|日前|年底|季度")
_NAME_HINT = re.compile(r"书记|区长|市长|主任|记者|总书记|评论员|局长|省长|同志|主席")

CANDIDATES = 30
PARAGRAPHS = 8  # paragraphs whose candidates get the in-paragraph features (see features)
# Abstention: the best sentence must cover enough of the question's content or be close to it.
MIN_CONFIDENCE = 0.96
Z_WEIGHT = 0.26
CONTEXT_GATE = 0.4
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
    cover_context: float = 0.0  # cover of its paragraph with the headline
    passage: float = 0.0  # how well it speaks for its paragraph (PASSAGE_WEIGHTS)


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


def analyse(index: Index, question: str) -> Query:
    q = normalize(question)
    kinds = frozenset(k for k, rx in _KINDS.items() if rx.search(q))
    content = _FILLER.sub(" ", q)
    lex = index.lex_sentences
    terms = {t: lex.idf(t) for t in bigrams(content)}
    cjk = is_cjk_question(q)
    unknown = tuple(t for t in terms if t.isascii() and t not in lex) if cjk else ()
    chars = {c: lex.idf(c) for c in content if "\u3400" <= c <= "\u9fff"}
    forms = tuple(answer for asks, answer in _FORMS if asks.search(q))
    return Query(q, kinds, terms, tokens(content) or tokens(q), unknown, cjk, chars, forms)


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


def _form_fit(forms: tuple[re.Pattern[str], ...], text: str) -> float:
    return sum(1.0 if rx.search(text) else -0.5 for rx in forms) / len(forms) if forms else 0.0


def _norm(x: np.ndarray) -> np.ndarray:
    top = float(x.max()) if len(x) else 0.0
    return x / top if top > 0 else np.zeros_like(x)


# The features of a candidate sentence, in the order of WEIGHTS.
FEATURES = (
    "bm25_sentence",  # BM25 of the sentence, over the best in the corpus
    "bm25_paragraph",  # BM25 of its paragraph, likewise
    "dense",  # cosine of sentence and question
    "cover",  # idf-weighted share of the question's terms the sentence holds
    "cover_context",  # the same for the paragraph with its headline
    "kind",  # the sentence holds what the question asks for (a figure, a date, a name)
    "focus",  # cover of the terms that tell this sentence from the rest of its paragraph
    "focus_previous",  # focus of the sentence before (the answer often follows its setting)
    "focus_next",  # focus of the sentence after
    "dense_local",  # cosine minus the best cosine among its paragraph's candidates
    "novelty",  # share of the sentence's terms the question does not use (where an answer would be)
    "focus_chars",  # focus over single characters (性格 / 个性, 创始人 / 创办人)
    "focus_untitled",  # focus over the terms its article's headline does not hold
    "form",  # the sentence has the form of an answer (a reason, a 《title》, a place, a time)
)
# Tuned by coordinate ascent on quote@1 of the development set (bench/dev_questions.jsonl) and of
# the even-numbered half of the CMRC 2018 dev questions; the odd half checks it (BENCHMARKS.md).
# A negative weight is a correction: with the paragraph chosen (cover_context, bm25_paragraph),
# the sentence that merely restates the question (cover) is less often the answer than the one
# holding the terms that set it apart from its neighbours (focus).
WEIGHTS = np.array([-0.5, 0.65, 1.4, -0.8, 2.4, 0.25, 0.8, -0.1, -0.05, -0.35, -0.15, 0.5, 0.3, 0.2])
# Passages are ranked by their best sentence under these weights (the first six features, tuned on
# the development set): whole-question overlap finds the right paragraph, WEIGHTS the sentence in it.
PASSAGE_WEIGHTS = np.array([0.3, 0.15, 0.8, 0.9, 0.25, 0.25, 0, 0, 0, 0, 0, 0, 0, 0])


def candidates(index: Index, query: Query, qvec: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sentence ids worth scoring (the dense and BM25 top lists and the best paragraphs whole),
    with the normalised BM25 scores of every sentence and every paragraph."""
    n = len(index.sentences)
    bm_s = index.lex_sentences.scores(query.tokens)
    bm_p = index.lex_paragraphs.scores(query.tokens)
    _d_scores, d_ids = index.dense.search(qvec, CANDIDATES)
    cand = set(d_ids.tolist())
    k = min(CANDIDATES, n)
    cand.update(np.argpartition(-bm_s, k - 1)[:k].tolist())
    top_paras = np.argpartition(-bm_p, min(5, len(bm_p)) - 1)[: min(5, len(bm_p))]
    for p in top_paras.tolist():
        first = int(index.para_first[p])
        cand.update(range(first, first + len(index.paragraphs[p].sentences)))
    return np.fromiter(sorted(cand), dtype=np.int64), _norm(bm_s), _norm(bm_p)


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


def features(index: Index, query: Query, qvec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(candidate sentence ids, their feature rows in FEATURES order).

    The in-paragraph features cost a pass over each paragraph, so they are computed for the
    candidates of the PARAGRAPHS best paragraphs (by the passage score of their best candidate)
    only; the others are dropped, which keeps a question's cost flat as the archive grows.
    """
    ids, bm_s, bm_p = candidates(index, query, qvec)
    dense = index.dense.vectors(ids) @ qvec
    pids = index.sent_para[ids]
    rows = np.zeros((len(ids), len(FEATURES)), dtype=np.float64)
    for row, (sid, pid, dn) in enumerate(zip(ids.tolist(), pids.tolist(), dense.tolist(), strict=True)):
        terms = index.sentence_terms(sid)
        rows[row, :6] = (
            float(bm_s[sid]),
            float(bm_p[pid]),
            dn,
            _cover(query.terms, terms),
            _cover(query.terms, index.context_terms(pid)),
            _kind_fit(query.kinds, index.sentences[sid].text, index.sentence_has_figure(sid)),
        )
    passage = rows @ PASSAGE_WEIGHTS
    best_passage: dict[int, float] = {}
    for pid, ps in zip(pids.tolist(), passage.tolist(), strict=True):
        best_passage[pid] = max(best_passage.get(pid, -np.inf), ps)
    kept = set(sorted(best_passage, key=lambda p: -best_passage[p])[:PARAGRAPHS])
    keep = np.fromiter((p in kept for p in pids.tolist()), dtype=bool, count=len(pids))
    ids, pids, dense, rows = ids[keep], pids[keep], dense[keep], rows[keep]
    best_dense: dict[int, float] = {}
    for pid, dn in zip(pids.tolist(), dense.tolist(), strict=True):
        best_dense[pid] = max(best_dense.get(pid, -1.0), dn)

    in_paragraph: dict[tuple[str, int], dict[str, float]] = {}  # (kind, paragraph) -> term weights
    memo: dict[tuple[str, int], float] = {}  # (kind, sentence) -> focus

    def focus(kind: str, sid: int, pid: int) -> float:
        """Cover of sentence ``sid`` under the in-paragraph weights of ``kind`` ("terms", "chars" or
        "untitled"), computed once per question."""
        if (kind, sid) not in memo:
            if (kind, pid) not in in_paragraph:
                counts = index.paragraph_counts(pid, "chars" if kind == "chars" else "terms")
                if kind == "untitled":
                    title = index.title_terms(int(index.para_article[pid]))
                    terms = {t: w for t, w in query.terms.items() if t not in title}
                else:
                    terms = query.chars if kind == "chars" else query.terms
                in_paragraph[(kind, pid)] = _focus_weights(terms, counts, len(index.paragraphs[pid].sentences))
            held = index.sentence_chars(sid) if kind == "chars" else index.sentence_terms(sid)
            memo[(kind, sid)] = _cover(in_paragraph[(kind, pid)], held)
        return memo[(kind, sid)]

    for row, (sid, pid, dn) in enumerate(zip(ids.tolist(), pids.tolist(), dense.tolist(), strict=True)):
        first = int(index.para_first[pid])
        last = first + len(index.paragraphs[pid].sentences) - 1
        terms = index.sentence_terms(sid)
        rows[row, 6:] = (
            focus("terms", sid, pid),
            focus("terms", sid - 1, pid) if sid > first else 0.0,
            focus("terms", sid + 1, pid) if sid < last else 0.0,
            dn - best_dense[pid],
            len(terms - query.terms.keys()) / max(1, len(terms)),
            focus("chars", sid, pid),
            focus("untitled", sid, pid),
            _form_fit(query.forms, index.sentences[sid].text),
        )
    return ids, rows


def rank(index: Index, query: Query, qvec: np.ndarray) -> list[Scored]:
    """Candidate sentences, best first."""
    ids, rows = features(index, query, qvec)
    scores = rows @ WEIGHTS
    passage = (rows @ PASSAGE_WEIGHTS).tolist()
    ref = index.reference_vectors() @ qvec
    mean, std = float(ref.mean()), float(ref.std()) or 1.0
    cover, dense = rows[:, FEATURES.index("cover")].tolist(), rows[:, FEATURES.index("dense")].tolist()
    context = rows[:, FEATURES.index("cover_context")].tolist()
    out = [
        Scored(sid, sc, cv, dn, (dn - mean) / std, cx, ps)
        for sid, sc, cv, dn, cx, ps in zip(ids.tolist(), scores.tolist(), cover, dense, context, passage, strict=True)
    ]
    out.sort(key=lambda s: -s.score)
    return out


def confidence(index: Index, query: Query, best: Scored) -> float:
    """How sure we are that the best sentence answers at all.

    Word overlap alone misses paraphrases and raw cosine is similar for every sentence of a
    small corpus, so the dense part counts how far the sentence stands out from the corpus. When
    much of the question is found around the sentence (its paragraph and headline name the topic
    the sentence no longer repeats), that overlap counts instead of the sentence's own.
    """
    found = best.cover_context if best.cover_context >= CONTEXT_GATE else best.cover
    conf = max(found, best.cover) + Z_WEIGHT * best.dense_z
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
