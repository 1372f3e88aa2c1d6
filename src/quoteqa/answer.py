"""Retrieval and quote selection: hybrid candidates, sentence scoring, abstention."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import numpy as np

from . import forest
from . import kinds as asking
from .ingest import Article
from .numbers import chinese_to_number
from .numbers import parse as parse_figures
from .search import EVERYTHING, Scope, together
from .store import WEIGHTS, Citation, Index
from .text import bigrams, bigrams_of_normalized, is_cjk, is_cjk_question, normalize, tokens
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
_TIME = re.compile(r"\d{4}年|\d{1,2}月|\d{1,2}日|昨天|今天|今年|去年|明年|上半年|下半年|近期|当前|目前|日前|年底|季度")
_NAME_HINT = re.compile(r"书记|区长|市长|主任|记者|总书记|评论员|局长|省长|同志|主席")

CANDIDATES = 30
TOP_PARAGRAPHS = 5  # paragraphs of best BM25 whose sentences are all candidates
PARAGRAPHS = 8  # paragraphs whose candidates get the in-paragraph features (see features)
# A question not mostly in Chinese is answered when its best sentence's cosine stands this many
# standard deviations above the corpus's typical one (hand-set before learning; kept as it was).
DENSE_ONLY_Z = 2.9
# The learned weights (ranker and answerability) that `quoteqa train` writes; see Model.
MODEL_FILE = Path(__file__).with_name(WEIGHTS)


@dataclass(frozen=True)
class Scored:
    sentence: int  # global sentence id
    score: float
    cover: float
    dense: float
    dense_z: float  # how far the dense score stands above the corpus's typical score, in std units
    cover_context: float = 0.0  # cover of its paragraph with the headline
    passage: float = 0.0  # how well it speaks for its paragraph (PASSAGE_WEIGHTS)
    focus: float = 0.0  # the "focus" feature (see FEATURES)


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
    holder: Holds | None = None  # what a sentence holds, by kind (None: the shipped model's)


@dataclass(frozen=True)
class Holds:
    """The learned model of what a sentence holds (kinds.holds), with a key for its per-sentence memo."""

    weights: np.ndarray  # TYPED kinds × (kinds.DIM + 1)
    key: str


# Per-sentence and per-paragraph values the features read, computed once per loaded index
# (normalising text is the costly part of a query; corpus sentences are the same for every query).


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


CONTEXT_WEIGHT = 0.5  # a term carried over from an earlier turn counts half as much as the user's own


def analyse(index: Index, question: str, context: str = "") -> Query:
    """What the question asks for and its content terms; ``context`` is the topic carried over
    from earlier turns (its terms count CONTEXT_WEIGHT as much as the question's own)."""
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
    return Query(q, kinds, terms, toks, unknown, cjk, chars, forms, absent, figures, asking.asked(q))


def sentence_holds(index: Index, query: Query, sid: int) -> float:
    """The probability that the sentence holds an answer of the kind the question asks for (1.0
    when it asks for no typed kind, or no model of what sentences hold was learned)."""
    if not query.asked.typed:
        return 1.0
    holder = query.holder or model().holds
    if holder is None:
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


def _cover(terms: dict[str, float], text_terms: frozenset[str], total: float) -> float:
    """The share of the weight ``total`` of ``terms`` that ``text_terms`` holds."""
    if total <= 0:
        return 0.0
    return sum(w for t, w in terms.items() if t in text_terms) / total


def _kind_fit(kinds: frozenset[str], text: str, figure: bool) -> float:
    """How well the sentence holds what the question asks for: a figure (``figure``: one the
    question does not state), a time, a person's title."""
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
    "holds",  # the probability that it holds the kind of answer asked for (kinds.holds, learned)
    "attribute",  # share of the asked attribute's characters it holds (门票 of 门票多少钱)
)
# Passages are ranked by their best sentence under these weights (the first six features, tuned on
# the development set): whole-question overlap finds the right paragraph, the learned ranker the sentence.
PASSAGE_WEIGHTS = np.array([0.3, 0.15, 0.8, 0.9, 0.25, 0.25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])


def candidates(
    index: Index, query: Query, qvec: np.ndarray, scope: Scope = EVERYTHING
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sentence ids worth scoring (the dense and BM25 top lists and the best paragraphs whole), with
    the BM25 scores of each and of its paragraph, over the best in the scope, and its cosine with
    the question. What ``scope`` leaves out is searched as if the corpus did not hold it (the
    trainer asks questions with their own article removed: that is what an unanswerable question
    looks like)."""
    store, tokens = index.store, query.tokens
    by_sentence, by_paragraph, by_vector = together(
        store,
        lambda: store.lexical(tokens, CANDIDATES, "sentence", scope),
        lambda: store.lexical(tokens, TOP_PARAGRAPHS, "paragraph", scope),
        lambda: store.dense(qvec, CANDIDATES, scope),
    )
    cand = set(by_vector.ids.tolist())
    cand.update(by_sentence.ids.tolist())
    for p in by_paragraph.ids.tolist():
        first = int(index.para_first[p])
        cand.update(range(first, first + len(index.paragraphs[p].sentences)))
    ids = np.fromiter(sorted(cand), dtype=np.int64)
    paras, where = np.unique(index.sent_para[ids], return_inverse=True)
    bm_s, bm_p, cosines = together(
        store,
        lambda: store.lexical_scores(tokens, ids, "sentence"),
        lambda: store.lexical_scores(tokens, paras, "paragraph"),
        lambda: store.cosines(qvec, ids),
    )
    return ids, _over(bm_s, by_sentence.top), _over(bm_p, by_paragraph.top)[where], cosines


def _over(scores: np.ndarray, top: float) -> np.ndarray:
    return scores.astype(np.float64) / top if top > 0 else np.zeros(len(scores))


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


def features(index: Index, query: Query, qvec: np.ndarray, scope: Scope = EVERYTHING) -> tuple[np.ndarray, np.ndarray]:
    """(candidate sentence ids, their feature rows in FEATURES order).

    The in-paragraph features cost a pass over each paragraph, so they are computed for the
    candidates of the PARAGRAPHS best paragraphs (by the passage score of their best candidate)
    only; the others are dropped, which keeps a question's cost flat as the archive grows.
    """
    ids, bm_s, bm_p, dense = candidates(index, query, qvec, scope)
    pids = index.sent_para[ids]
    rows = np.zeros((len(ids), len(FEATURES)), dtype=np.float64)
    asked = sum(query.terms.values())
    for row, (sid, pid, dn) in enumerate(zip(ids.tolist(), pids.tolist(), dense.tolist(), strict=True)):
        terms = sentence_terms(index, sid)
        rows[row, :6] = (
            float(bm_s[row]),
            float(bm_p[row]),
            dn,
            _cover(query.terms, terms, asked),
            _cover(query.terms, context_terms(index, pid), asked),
            _kind_fit(query.kinds, index.sentences[sid].text, gives_figure(index, query, sid)),
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

    in_paragraph: dict[tuple[str, int], tuple[dict[str, float], float]] = {}  # (kind, paragraph) -> weights, total
    memo: dict[tuple[str, int], float] = {}  # (kind, sentence) -> focus

    def focus(kind: str, sid: int, pid: int) -> float:
        """Cover of sentence ``sid`` under the in-paragraph weights of ``kind`` ("terms", "chars" or
        "untitled"), computed once per question."""
        if (kind, sid) not in memo:
            if (kind, pid) not in in_paragraph:
                counts = paragraph_counts(index, pid, "chars" if kind == "chars" else "terms")
                if kind == "untitled":
                    title = title_terms(index, int(index.para_article[pid]))
                    terms = {t: w for t, w in query.terms.items() if t not in title}
                else:
                    terms = query.chars if kind == "chars" else query.terms
                weights = _focus_weights(terms, counts, len(index.paragraphs[pid].sentences))
                in_paragraph[(kind, pid)] = weights, sum(weights.values())
            held = sentence_chars(index, sid) if kind == "chars" else sentence_terms(index, sid)
            weights, total = in_paragraph[(kind, pid)]
            memo[(kind, sid)] = _cover(weights, held, total)
        return memo[(kind, sid)]

    for row, (sid, pid, dn) in enumerate(zip(ids.tolist(), pids.tolist(), dense.tolist(), strict=True)):
        first = int(index.para_first[pid])
        last = first + len(index.paragraphs[pid].sentences) - 1
        terms = sentence_terms(index, sid)
        rows[row, 6:] = (
            focus("terms", sid, pid),
            focus("terms", sid - 1, pid) if sid > first else 0.0,
            focus("terms", sid + 1, pid) if sid < last else 0.0,
            dn - best_dense[pid],
            len(terms - query.terms.keys()) / max(1, len(terms)),
            focus("chars", sid, pid),
            focus("untitled", sid, pid),
            _form_fit(query.forms, index.sentences[sid].text),
            sentence_holds(index, query, sid),
            attribute_held(index, query, sid),
        )
    return ids, rows


# What the answerability model reads of a question and its best sentence, in order.
# What the answerability model reads of a question and its best sentence, in order, with the sign
# its weight must have (+1 more of it makes an answer likelier, -1 less likely, 0 either): the
# trainer keeps to the signs, so that no correlation of the training sets can turn "the corpus
# never mentions what is asked" into a reason to answer.
ANSWERABILITY = (
    "cover",  # share of the question's terms (idf-weighted) the sentence holds
    "cover_context",  # the same for its paragraph with the headline
    "dense",  # cosine of sentence and question
    "dense_z",  # how far that cosine stands above the corpus's typical one, in std units
    "focus",  # cover of the terms that tell the sentence from its paragraph
    "chars_context",  # share of the question's characters found in the paragraph with the headline
    "figure_missing",  # a "how many" question, and the sentence states no figure
    "unknown_code",  # a latin word or number of a Chinese question the corpus lacks (GDP)
    "foreign",  # the question is not mostly Chinese: only the dense model speaks
    "carried",  # the question was completed from earlier turns
    "absent",  # share of the question's words (weighted by rarity) the corpus never uses
    "absent_rarest",  # how rare in general Chinese the rarest of them is (房价, 挂号, 地铁)
    "kind",  # the sentence holds what the question asks for (a figure, a date, a name)
    "form",  # the sentence has the form of an answer (a reason, a place, a time)
    "procedure",  # the question asks how to do something (怎么申请, 如何办理): a service, not news
    *(f"lacks_{k}" for k in asking.TYPED),  # kind k is asked for: 1 - P(the sentence holds one)
    "attribute_missing",  # share of the asked attribute's characters the sentence lacks
    "attribute_missing_context",  # …that its paragraph and headline lack
    "money_missing",  # an amount of money is asked for and the sentence states none
    *(f"asks_{k}" for k in asking.KINDS),  # the kind asked for (what news reports rarely say, learned)
)
SIGNS = dict(
    cover=1,
    cover_context=1,
    dense=1,
    dense_z=1,
    focus=1,
    chars_context=1,
    figure_missing=-1,
    unknown_code=-1,
    foreign=0,
    carried=0,
    absent=-1,
    absent_rarest=-1,
    kind=1,
    form=1,
    procedure=-1,
    **{f"lacks_{k}": -1 for k in asking.TYPED},
    attribute_missing=-1,
    attribute_missing_context=-1,
    money_missing=-1,
    **{f"asks_{k}": 0 for k in asking.KINDS},
)
# How-to questions about a personal procedure, which news reports rarely answer.
_PROCEDURE = re.compile(
    r"(?:怎么|怎样|如何|咋)(?:样才能|才能|去|在网上|网上)?(?:申请|办理|办|挂|交|缴|领|报名|预约|登记|备案|收费|报销|买|订|坐|走|去|查|参加)"
)


@dataclass(frozen=True)
class Model:
    """Learned weights (`quoteqa train`): a question head that moves a question's vector toward the
    sentences that answer such questions (for the embedding model ``head_model`` only), a ranker
    over FEATURES (gradient-boosted trees, LightGBM LambdaRank, with the linear weights kept for
    when there are none), and a logistic answerability model over ANSWERABILITY with the
    probability above which an answer is shown."""

    version: str
    ranker: np.ndarray
    answerability: np.ndarray  # P(the articles answer the question): shown when >= threshold
    bias: float
    threshold: float
    correctness: np.ndarray  # P(the quote shown answers the question): the answer's confidence
    correctness_bias: float
    trained_on: str = ""
    head: np.ndarray | None = None  # (dim, dim): question vector q -> normalise(q + q @ head)
    head_model: str = ""
    trees: str = ""  # the ranker's trees (LightGBM model text); rows @ ranker when empty
    holds: Holds | None = None  # what a sentence holds, by kind (kinds.fit_holds)

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> Model:
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
            if d["ranker"]["features"] != list(FEATURES) or d["answerability"]["features"] != list(ANSWERABILITY):
                raise ValueError("its features are not this version's; retrain with: make train")
            head = None
            if d.get("head"):
                head_file = _checked(path.with_name(d["head"]["file"]), d["head"].get("sha256"))
                head = np.load(head_file, allow_pickle=False).astype(np.float32)
            holds = None
            if d.get("holds"):
                if d["holds"].get("kinds") != list(asking.TYPED) or d["holds"].get("dim") != asking.DIM:
                    raise ValueError("its model of what sentences hold is not this version's; retrain with: make train")
                holds_file = _checked(path.with_name(d["holds"]["file"]), d["holds"].get("sha256"))
                weights = np.load(holds_file, allow_pickle=False).astype(np.float32)
                if weights.shape != (len(asking.TYPED), asking.DIM + 1):
                    raise ValueError(f"{holds_file.name} has shape {weights.shape}; retrain with: make train")
                holds = Holds(weights, str(d["version"]))
            trees = ""
            if d["ranker"].get("trees"):
                trees_file = _checked(path.with_name(d["ranker"]["trees"]["file"]), d["ranker"]["trees"].get("sha256"))
                trees = trees_file.read_text(encoding="utf-8")
                _forest(trees)  # a model text the evaluator cannot score is refused on load
            return cls(
                str(d["version"]),
                np.asarray(d["ranker"]["weights"], dtype=np.float64),
                np.asarray(d["answerability"]["weights"], dtype=np.float64),
                float(d["answerability"]["bias"]),
                float(d["answerability"]["threshold"]),
                np.asarray(d["correctness"]["weights"], dtype=np.float64),
                float(d["correctness"]["bias"]),
                str(d.get("trained_on", "")),
                head,
                str(d["head"]["model"]) if d.get("head") else "",
                trees,
                holds,
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"cannot read the learned weights {path} ({exc}); restore it or run: make train") from exc

    def save(self, path: Path) -> None:
        """Write the weights file (JSON) and, beside it, the ranker's trees (LightGBM model text)
        and the question head (.npy, float16), whose sha256 it records: the manifest's hash of the
        JSON then covers all three."""
        d: dict[str, Any] = {
            "version": self.version,
            "trained_on": self.trained_on,
            "ranker": {"features": list(FEATURES), "weights": [round(float(w), 6) for w in self.ranker]},
            "answerability": {
                "features": list(ANSWERABILITY),
                "weights": [round(float(w), 6) for w in self.answerability],
                "bias": round(self.bias, 6),
                "threshold": round(self.threshold, 4),
            },
            "correctness": {
                "features": list(ANSWERABILITY),
                "weights": [round(float(w), 6) for w in self.correctness],
                "bias": round(self.correctness_bias, 6),
            },
        }
        if self.trees:
            trees_file = path.with_suffix(".ranker.txt")
            trees_file.write_text(self.trees, encoding="utf-8")
            d["ranker"]["trees"] = {
                "file": trees_file.name,
                "format": "LightGBM model text",
                "sha256": hashlib.sha256(trees_file.read_bytes()).hexdigest(),
            }
        if self.holds is not None:
            holds_file = path.with_suffix(".holds.npy")
            np.save(holds_file, self.holds.weights.astype(np.float16))
            d["holds"] = {
                "file": holds_file.name,
                "kinds": list(asking.TYPED),
                "dim": asking.DIM,
                "features": "jieba part-of-speech tags and word shapes, hashed (kinds.token_features)",
                "sha256": hashlib.sha256(holds_file.read_bytes()).hexdigest(),
            }
        if self.head is not None:
            head_file = path.with_suffix(".head.npy")
            np.save(head_file, self.head.astype(np.float16))
            d["head"] = {
                "file": head_file.name,
                "model": self.head_model,
                "shape": list(self.head.shape),
                "sha256": hashlib.sha256(head_file.read_bytes()).hexdigest(),
            }
        path.write_text(json.dumps(d, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    def score(self, rows: np.ndarray) -> np.ndarray:
        """The ranker's score of each candidate's FEATURES row (higher is better)."""
        return tree_scores(self.trees, rows) if self.trees else linear_scores(self.ranker, rows)

    def answerable(self, x: np.ndarray) -> float:
        """P(the articles answer the question), from its ANSWERABILITY row."""
        return float(sigmoid(x @ self.answerability + self.bias))

    def correct(self, x: np.ndarray) -> float:
        """P(the best sentence answers the question), from its ANSWERABILITY row."""
        return float(sigmoid(x @ self.correctness + self.correctness_bias))

    def question_vector(self, raw: np.ndarray, model_name: str) -> np.ndarray:
        """A question's embedding moved by the head (unchanged for another embedding model)."""
        if self.head is None or model_name != self.head_model:
            return raw
        return apply_head(raw, self.head)


def _checked(path: Path, sha256: str | None) -> Path:
    """``path``, after checking that it is the file the weights were saved with."""
    if sha256 and hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
        raise ValueError(f"{path.name} is not the file these weights were saved with (its sha256 differs)")
    return path


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64))))


def apply_head(raw: np.ndarray, head: np.ndarray) -> np.ndarray:
    z = raw + raw @ head
    return (z / max(float(np.linalg.norm(z)), 1e-12)).astype(np.float32)


def linear_scores(weights: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Scores of FEATURES rows under linear ranker ``weights`` (a weights file without trees)."""
    return np.asarray(rows @ weights, dtype=np.float64)


@lru_cache(maxsize=4)
def _forest(text: str) -> forest.Forest:
    return forest.parse(text)


def tree_scores(trees: str, rows: np.ndarray) -> np.ndarray:
    """Scores of FEATURES rows under a LightGBM model's text, scored in numpy (forest.py: a
    question's candidates are a few dozen rows, 0.7 ms; lightgbm itself is for training)."""
    if not len(rows):
        return np.zeros(0)
    return _forest(trees).score(rows)


@lru_cache(maxsize=4)
def model(path: Path = MODEL_FILE) -> Model:
    return Model.load(path)


def question_vector(index: Index, text: str) -> np.ndarray:
    """The embedding a question is searched with."""
    return model().question_vector(index.embed_query(text), index.model_name)


def rank(
    index: Index,
    query: Query,
    qvec: np.ndarray,
    scope: Scope = EVERYTHING,
) -> list[Scored]:
    """Candidate sentences, best first (by the learned ranker)."""
    ids, rows = features(index, query, qvec, scope)
    return scored(index, ids, rows, qvec, model().score(rows))


def scored(index: Index, ids: np.ndarray, rows: np.ndarray, qvec: np.ndarray, scores: np.ndarray) -> list[Scored]:
    """Candidates with their feature rows (see ``features``) and ranker ``scores``, best first."""
    passage = (rows @ PASSAGE_WEIGHTS).tolist()
    ref = index.reference_vectors() @ qvec
    mean, std = float(ref.mean()), float(ref.std()) or 1.0
    col = {name: rows[:, FEATURES.index(name)].tolist() for name in ("cover", "dense", "cover_context", "focus")}
    out = [
        Scored(sid, sc, cv, dn, (dn - mean) / std, cx, ps, fc)
        for sid, sc, cv, dn, cx, ps, fc in zip(
            ids.tolist(),
            scores.tolist(),
            col["cover"],
            col["dense"],
            col["cover_context"],
            passage,
            col["focus"],
            strict=True,
        )
    ]
    out.sort(key=lambda s: -s.score)
    return out


def answerability_features(index: Index, query: Query, ranked: list[Scored], carried: bool = False) -> np.ndarray:
    """The ANSWERABILITY row of a question and its ranked sentences (best first, at least one)."""
    best = ranked[0]
    pid = int(index.sent_para[best.sentence])
    para_chars = paragraph_counts(index, pid, "chars")
    total = sum(query.chars.values())
    chars = sum(w for c, w in query.chars.items() if c in para_chars) / total if total > 0 else 0.0
    missing = "number" in query.kinds and not gives_figure(index, query, best.sentence)
    lacks = 1.0 - sentence_holds(index, query, best.sentence)
    return np.array(
        [
            best.cover,
            best.cover_context,
            best.dense,
            best.dense_z,
            best.focus,
            chars,
            float(missing),
            float(bool(query.unknown_codes)),
            float(not query.cjk),
            float(carried),
            *query.absent,
            _kind_fit(query.kinds, index.sentences[best.sentence].text, gives_figure(index, query, best.sentence)),
            _form_fit(query.forms, index.sentences[best.sentence].text),
            float(bool(_PROCEDURE.search(query.text))),
            *(lacks if query.asked.kind == k else 0.0 for k in asking.TYPED),
            1.0 - attribute_held(index, query, best.sentence),
            1.0 - asking.attribute_share(query.asked.attribute, para_chars),
            float(money_missing(index, query, best.sentence)),
            *(float(query.asked.kind == k) for k in asking.KINDS),
        ]
    )


def judge(index: Index, query: Query, ranked: list[Scored], carried: bool = False) -> tuple[bool, float]:
    """(show the best sentence as the answer, the calibrated probability that it answers; 0 when
    it is not shown)."""
    if not ranked:
        return False, 0.0
    m = model()
    x = answerability_features(index, query, ranked, carried)
    if not query.cjk:
        # No training question is in another language, and such a question shares no words with
        # the articles: the dense model alone speaks, so the sentence must stand out from the corpus.
        return (True, m.correct(x)) if ranked[0].dense_z >= DENSE_ONLY_Z else (False, 0.0)
    return (True, m.correct(x)) if m.answerable(x) >= m.threshold else (False, 0.0)


# A sentence less likely than this to hold the kind asked for is said to lack it, when the answer
# is refused (the refusal itself is the answerability model's; this only words its reason).
HOLDS_SAID = 0.5


@dataclass(frozen=True)
class Missing:
    """Why a refused question is not answered: what it asks for that the related sentence lacks."""

    kind: str  # the kind asked for, "" when only the attribute is missing
    attribute: str  # the asked attribute, "" when none
    related: str  # what the articles do mention of the question (太湖湾音乐节), "" when nothing
    message: str  # 「原文提到太湖湾音乐节,但没有提到门票。」

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "attribute": self.attribute, "related": self.related, "message": self.message}


def missing(index: Index, query: Query, sid: int) -> Missing | None:
    """What the question asks for that sentence ``sid`` (its best candidate) does not hold: the
    asked attribute (平均工资) or the kind of answer (a price for 门票多少钱); None when it holds both."""
    asked = query.asked
    text = normalize(index.sentences[sid].text)
    lacks_attribute = bool(asked.attribute) and asking.attribute_share(asked.attribute, text) < 1.0
    lacks_kind = asked.typed and (sentence_holds(index, query, sid) < HOLDS_SAID or money_missing(index, query, sid))
    if not (lacks_attribute or lacks_kind):
        return None
    kind_words = asking.MISSING_WORDS.get(asked.kind, "")
    of_attribute = f"{asked.attribute}的{kind_words}" if asked.attribute else kind_words
    what = asked.attribute if lacks_attribute else of_attribute
    related = asking.related_terms(strip_filler(query.text), text, skip=asked.attribute)
    said = f"原文提到{related},但没有提到{what}。" if related else f"原文没有提到{what}。"
    return Missing(asked.kind if lacks_kind else "", asked.attribute, related, said)


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
        return Citation(a.doc, a.title, 0, a.byline.strip(), 1.0, "byline", **a.source()) if a.byline.strip() else None
    if kind == "headline":
        return Citation(a.doc, a.title, 0, a.title, 1.0, "headline", **a.source())
    if kind == "subtitle":
        sub = a.subtitle.strip()
        return Citation(a.doc, a.title, 0, sub, 1.0, "subtitle", **a.source()) if sub else None
    for para in a.paragraphs:
        for s in para.sentences:
            if _MEETING.search(s.text):
                return Citation(a.doc, a.title, para.number, s.text.strip(), 1.0, **a.source())
    return None


RUN_MARGIN = 0.15  # a next sentence that scores this close to the best continues the answer


def answer_run(index: Index, query: Query, ranked: list[Scored]) -> list[int]:
    """The best sentence, extended by the next one of its paragraph when it only introduces the
    figure asked for, or when the answer goes on there: the sentence ends in a colon, or the next
    one scores nearly as well (a list continued, a story told over two sentences)."""
    sid = ranked[0].sentence
    run = [sid]
    pid = int(index.sent_para[sid])
    last = int(index.para_first[pid]) + len(index.paragraphs[pid].sentences) - 1
    if sid >= last:
        return run
    wants_figure = "number" in query.kinds and not gives_figure(index, query, sid)
    if wants_figure and gives_figure(index, query, sid + 1):
        return [sid, sid + 1]
    if "number" in query.kinds:  # a figure answers it, not a story
        return run
    score = {s.sentence: s.score for s in ranked}
    follows = score.get(sid + 1)
    if index.sentences[sid].text.rstrip().endswith((":", ":")) or (
        follows is not None and follows >= ranked[0].score - RUN_MARGIN * abs(ranked[0].score)
    ):
        run.append(sid + 1)
    return run
