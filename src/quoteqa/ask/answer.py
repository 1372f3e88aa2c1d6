"""Retrieval and quote selection: hybrid candidates, ranking by the learned weights, abstention,
and the run of sentences an answer quotes."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..index.search import EVERYTHING, Scope, together
from ..index.store import Index
from ..ingest.text import is_cjk, normalize
from ..language import kinds as asking
from .evidence import gives_figure, money_missing, paragraph_counts, sentence_holds
from .features import PASSAGE_WEIGHTS, Best, Scores, answerability_row, column, ranking_rows
from .models import Model
from .question import Query, tokens
from .understand import strip_filler

CANDIDATES = 30  # sentences of each of the dense and BM25 top lists
TOP_PARAGRAPHS = 5  # paragraphs of best BM25 whose sentences are all candidates
# A question not mostly in Chinese is answered when its best sentence's cosine stands this many
# standard deviations above the corpus's typical one (hand-set before learning; kept as it was).
DENSE_ONLY_Z = 2.9


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


def looked_up(index: Index, text: str, n: int, scope: Scope = EVERYTHING) -> list[Scored]:
    """The ``n`` sentences of best BM25 score for some words: a lookup of a subject's words (an
    operand of a computed figure), cheaper than ``rank``'s learned ranking of a question."""
    q = normalize(text)
    hits = index.store.lexical(tokens(strip_filler(q)) or tokens(q), n, "sentence", scope)
    top = hits.top or 1.0
    return [Scored(int(sid), float(sc) / top, 0.0, 0.0, 0.0) for sid, sc in zip(hits.ids, hits.scores, strict=True)]


def _over(scores: np.ndarray, top: float) -> np.ndarray:
    return scores.astype(np.float64) / top if top > 0 else np.zeros(len(scores))


def candidate_features(
    index: Index, query: Query, qvec: np.ndarray, scope: Scope = EVERYTHING
) -> tuple[np.ndarray, np.ndarray]:
    """(candidate sentence ids, their rows in features.RANKING order)."""
    return ranking_rows(index, query, *candidates(index, query, qvec, scope))


def question_vector(index: Index, weights: Model, text: str) -> np.ndarray:
    """The embedding a question is searched with."""
    return weights.question_vector(index.embed_query(text))


def rank(index: Index, weights: Model, query: Query, qvec: np.ndarray, scope: Scope = EVERYTHING) -> list[Scored]:
    """Candidate sentences, best first (by the learned ranker)."""
    ids, rows = candidate_features(index, query, qvec, scope)
    return scored(index, ids, rows, qvec, weights.score(rows))


def scored(index: Index, ids: np.ndarray, rows: np.ndarray, qvec: np.ndarray, scores: np.ndarray) -> list[Scored]:
    """Candidates with their feature rows (see ``candidate_features``) and ranker ``scores``, best first."""
    passage = (rows @ PASSAGE_WEIGHTS).tolist()
    ref = index.reference_vectors() @ qvec
    mean, std = float(ref.mean()), float(ref.std()) or 1.0
    col = {name: rows[:, column(name)].tolist() for name in ("cover", "dense", "cover_context", "focus")}
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
    """The features.ANSWERABILITY row of a question and its ranked sentences (best first, at least one)."""
    b = ranked[0]
    pid = int(index.sent_para[b.sentence])
    scores = Scores(b.cover, b.cover_context, b.dense, b.dense_z, b.focus)
    return answerability_row(Best(index, query, b.sentence, scores, carried, paragraph_counts(index, pid, "chars")))


def judge(
    index: Index, weights: Model, query: Query, ranked: list[Scored], carried: bool = False
) -> tuple[bool, float]:
    """(show the best sentence as the answer, the calibrated probability that it answers; 0 when
    it is not shown)."""
    if not ranked:
        return False, 0.0
    x = answerability_features(index, query, ranked, carried)
    if not query.cjk:
        # No training question is in another language, and such a question shares no words with
        # the articles: the dense model alone speaks, so the sentence must stand out from the corpus.
        return (True, weights.correct(x)) if ranked[0].dense_z >= DENSE_ONLY_Z else (False, 0.0)
    return (True, weights.correct(x)) if weights.answerable(x) >= weights.threshold else (False, 0.0)


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
    return _lacking(query, text, asked.kind if lacks_kind else "", what, "提到")


def _lacking(query: Query, text: str, kind: str, what: str, verb: str) -> Missing:
    """A Missing that says what the articles do mention of the question and what they lack:
    「原文提到{related},但没有{verb}{what}。」."""
    attribute = query.asked.attribute
    related = asking.related_terms(strip_filler(query.text), text, skip=attribute)
    said = f"原文提到{related},但没有{verb}{what}。" if related else f"原文没有{verb}{what}。"
    return Missing(kind, attribute, related, said)


# The kinds of answer that are figures: a question asking for one is never answered by a quote that
# states none (a rule, not a learned weight: 「武进区上半年GDP是多少?」 is not answered by a sentence
# that says only that the first half went well).
FIGURE_KINDS = frozenset({"quantity", "amount"})
# A number in any form, for that rule: digits, or Chinese numerals before a measure word (连续三年,
# 七个集成: counts that numbers.parse leaves out as durations and slogans still answer 几年, 几个).
# (「十三届七次全会」 numbers a meeting, so 届 and 次 are not among the measure words.)
NUMERAL = re.compile(
    r"[0-9０-９]+|(?<![一二三四五六七八九十两百千万亿零〇])[一二三四五六七八九十两百千万亿零〇]++"  # a run read once
    r"(?=[个家所项位人套年批场天名户座条种辆台倍成亩米元])"
)


def states_number(index: Index, query: Query, sid: int) -> bool:
    """Whether the sentence states a number the question does not."""
    text = normalize(index.sentences[sid].text)
    return gives_figure(index, query, sid) or any(m.group(0) not in query.text for m in NUMERAL.finditer(text))


def figure_missing(index: Index, query: Query, run: list[int], typed: str = "") -> Missing | None:
    """Why the quoted ``run`` cannot answer a question that asks for a figure: it states none the
    question does not (None when the question asks for no figure, or the run states one). The
    attribute is named as ``typed`` (the question as sent) writes it: GDP, not gdp."""
    asked = query.asked
    if asked.kind not in FIGURE_KINDS or any(states_number(index, query, sid) for sid in run):
        return None
    text = normalize("".join(index.sentences[sid].text for sid in run))
    attribute, kind_words = _as_typed(asked.attribute, typed), asking.MISSING_WORDS[asked.kind]
    what = f"{attribute}的{kind_words}" if attribute else kind_words
    return _lacking(query, text, asked.kind, what, "给出")


def _as_typed(attribute: str, typed: str) -> str:
    """The asked attribute as the question as sent writes it: GDP, not gdp."""
    written = re.search(re.escape(attribute), typed, re.I) if attribute else None
    return written.group(0) if written else attribute


TIME_KINDS = frozenset({"date", "clock"})
# A time in any form a sentence gives one: a date, a clock time, a period or season, a relative day
# (「昨天」, 「即将」). A question that asks when is never answered by a sentence without one (a rule).
TIME_SAID = re.compile(
    r"[0-9０-９]{4}年|[0-9０-９一二三四五六七八九十]{1,3}月|[0-9０-９]{1,2}[日号]|[0-9０-９]{1,2}[:：][0-9０-９]{2}"
    r"|[0-9０-９一二三四五六七八九十]{1,2}[点时](?!候)|今年|去年|明年|前年|年[初底末内中]|月[初底末中]|上半年|下半年|季度"
    r"|近日|日前|昨天|昨日|今天|今日|明天|近期|当天|即将|正在|已经|上午|下午|晚上|凌晨|每天|每日|每周|每月|工作日"
    r"|周[一二三四五六日末]|星期|节假日|春节|国庆|五一|元旦|端午|中秋|暑期|暑假|寒假|[春夏秋冬]季|开学|以来|之前|之后|期间"
)

HOW_LONG = re.compile("多久|多长时间|多少年|几年|几个月|几天|几小时|多少天")
_NUMERALS = "0-9０-９一二三四五六七八九十两"
DURATION = re.compile(f"(?<![{_NUMERALS}])[{_NUMERALS}]{{1,4}}个?(?:年|月|天|周|小时|分钟)")


def time_missing(index: Index, query: Query, run: list[int], typed: str = "") -> Missing | None:
    """Why the quoted ``run`` cannot answer a question that asks when: it gives no time the
    question does not (None when the question asks no time, or the run gives one)."""
    asked = query.asked
    if asked.kind not in TIME_KINDS:
        return None
    text = normalize("".join(index.sentences[sid].text for sid in run))
    if any(m.group(0) not in query.text for m in TIME_SAID.finditer(text)):
        return None
    if HOW_LONG.search(query.text) and DURATION.search(text):  # 「被央视报道了多久」: 「连续三年」
        return None
    attribute, kind_words = _as_typed(asked.attribute, typed), asking.MISSING_WORDS[asked.kind]
    what = f"{attribute}的{kind_words}" if len(attribute) >= 2 else kind_words  # not 「办的日期」
    return _lacking(query, text, asked.kind, what, "给出")


# A title with a deputy's word in it is another title (a rule): 「区委副书记」 does not name the
# 区委书记 a question asks for, however many of its characters it holds.
_DEPUTY = re.compile("副|常务|名誉|代理")


def title_missing(index: Index, query: Query, run: list[int]) -> Missing | None:
    """Why the quoted ``run`` does not name the asked attribute when it holds it only as another
    title (区委书记 in 「区委副书记」); None otherwise."""
    attribute = query.asked.attribute
    if len(attribute) < 2 or not all(is_cjk(c) for c in attribute):
        return None
    text = normalize("".join(index.sentences[sid].text for sid in run))
    if attribute in text or attribute not in _DEPUTY.sub("", text):
        return None
    return _lacking(query, text, "", attribute, "提到")


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
