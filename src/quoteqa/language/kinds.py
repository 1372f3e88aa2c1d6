"""What a question asks for, and whether a sentence holds it (answer types, as in TREC QA).

The question side is read from general Chinese interrogative words (多少钱 asks for an amount of
money, 几点 a clock time, 在哪 a place, 怎么办理 a procedure) and the word the asking part is about
(its *attribute*: 门票 in 「太湖湾音乐节门票多少钱」, 常住人口 in 「武进常住人口有多少」). No word of
the bundled articles is listed here.

The sentence side is learned (``quoteqa train``, see ``fit_holds``): for each kind, a logistic
model over jieba's part-of-speech tags and the shape of each word and its neighbours (a number
before 元, a place name after 位于, a word inside 《》, a list joined by 、) gives the probability
that the word is the answer to a question of that kind, trained on the answer spans of CMRC 2018
and DRCD. A sentence holds a kind as much as its likeliest word.
"""

from __future__ import annotations

import re
import threading
import zlib
from collections.abc import Container, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from ..ingest.text import CJK, is_cjk

# The kinds of answer a question can ask for, in the order their patterns are tried.
KINDS = (
    "amount",  # a sum of money: a price, a fee, a wage (多少钱, 门票多少)
    "clock",  # a clock time or opening hours (几点开门)
    "date",  # a date or a period (什么时候, 哪一年, 多久)
    "place",  # a place, an address or a route (在哪, 哪条路, 怎么去)
    "person",  # a person (谁, 哪位)
    "names",  # the name of an organisation or a thing (叫什么, 哪家, 哪几家)
    "list",  # the members of a set (哪些, 都有什么)
    "procedure",  # how to do something (怎么申请, 如何办理, 需要什么材料)
    "reason",  # why (为什么, 什么原因)
    "quantity",  # a figure (多少, 几个, 比例)
    "yesno",  # whether (是否, 吗)
    "open",  # how something is doing (怎么样, 情况)
)
# The kinds whose answer is a span of a particular type, which a sentence holds or lacks.
TYPED = KINDS[:10]
# How a refusal names what is missing (「原文提到太湖湾音乐节,但没有提到门票的价格」).
MISSING_WORDS = {
    "amount": "金额或价格",
    "clock": "具体时间",
    "date": "日期或时间",
    "place": "地点",
    "person": "人名",
    "names": "名称",
    "list": "具体名单",
    "procedure": "办理方法",
    "reason": "原因",
    "quantity": "具体数字",
}
_MONEY = "价费租钱薪资息款金税"  # an attribute ending in one of these is counted in money (票价, 房租, 工资)
# What may follow a question's last word: its mark, a space, a particle (咋办?, 怎么办呢).
QUESTION_END = r"[??!!。\s吗呢啊呀]"
_PATTERNS: dict[str, re.Pattern[str]] = {
    "amount": re.compile(
        r"多少钱|(?<![哪这那])几块钱?|多少块|多少元|什么价|啥价|价格|价钱|价位|收费|贵不贵|要钱|收钱|花多少|"
        r"how much|price|cost"
    ),
    "clock": re.compile(r"几点|几时(?!候)|(?:开放|营业|办公|上班|下班|开门|关门|接待)时间|what time"),
    "date": re.compile(
        r"什么时候|啥时候|啥时|何时|哪一?年|哪一?天|哪个月|几月|几号(?![线楼门])|多久|多长时间|什么时间|啥时间|日期|"
        r"\bwhen\b|what year"
    ),
    "place": re.compile(
        r"哪里|哪儿|哪边|在哪|去哪|什么地方|啥地方|何处|何地|哪条[路街]|地址|位置|怎么走|怎么去|咋走|咋去|几路|坐什么车|"
        r"哪个(?:区|镇|街道|社区|村|小区|城市|省|国家|地方)|哪座|\bwhere\b"
    ),
    "person": re.compile(r"谁|哪位|什么人|啥人|哪个人|哪些人|姓什么|\bwho\b"),
    "names": re.compile(r"叫什么|叫啥|什么名字|啥名字|名字|名称|哪家|哪几家|哪一家|what is the name|\bwhich\b"),
    "list": re.compile(r"哪些|哪几|都有什么|都有啥|包括什么|包括哪|分别是"),
    "procedure": re.compile(
        r"流程|手续|步骤|需要(?:带|准备|提供)|什么材料|哪些材料|什么条件|要满足|条件是|怎么办理|"
        rf"怎么办(?!{QUESTION_END}|$)|(?:怎么|怎样|如何|咋)做|"
        r"\bhow (?:to|do|can)\b"
    ),
    "reason": re.compile(r"为什么|为啥|为何|什么原因|啥原因|原因|怎么会|凭什么|\bwhy\b"),
    "quantity": re.compile(
        r"多少|(?<![这那前后])几(?:[个家所项位人次套年批场天名户座条种辆台万亿十百千]|$)|多大|多高|多长|多远|多重|多快|多深|"
        r"多宽|比例|百分之|比重|占比|增幅|增速|数量|规模|总数|第几|how many|what percentage"
    ),
    "yesno": re.compile(
        r"吗[??!!。.\s]*$|是否|是不是|有没有|能不能|会不会|可不可以|能否|可否|要不要|够不够|好不好|对不对|\bis there\b"
    ),
    "open": re.compile(
        r"怎么样|咋样|如何[??\s]*$|情况|进展|怎样[??\s]*$|"
        rf"(?:怎么|咋)办{QUESTION_END}*$"
    ),
}
# Words between the asking part and what it is about (「门票是多少钱」, 「学校都叫啥」).
_LINKS = frozenset("的是有在都叫要为了得呢啊呀吧吗么哦嘛")
# Parts of speech that name what is asked about (jieba's tags: nouns, verbs used as nouns, verbs).
_CONTENT_TAGS = ("n", "v", "a", "s", "j", "l", "i")  # and "eng", a latin word (GDP)
# Verbs that help another (什么时候能通车, 几点开始入场): what is asked about is the verb they help.
_AUXILIARY = frozenset(["能", "会", "要", "可以", "开始", "应该", "需要", "得", "全部", "才能", "说"])
# Words that name the kind of answer, not what it is about (都叫啥名字, 什么时候, 要什么材料).
_KIND_WORDS = frozenset(
    (
        *("名字", "名称", "时候", "时间", "地方", "地址", "位置", "价格", "价钱", "钱"),
        *("原因", "办法", "方法", "条件", "材料", "手续", "流程", "步骤", "情况"),
    )
)


@dataclass(frozen=True)
class Asked:
    """What a question asks for: ``kind`` (one of KINDS, "" when none) and the word it is about
    (``attribute``: 门票, "" when none)."""

    kind: str = ""
    attribute: str = ""

    @property
    def typed(self) -> bool:
        """Whether the answer is a span of a type a sentence can hold or lack (a price, a date…)."""
        return self.kind in TYPED

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "attribute": self.attribute}


# jieba's part-of-speech tagger runs a Viterbi search on each run of characters its dictionary does
# not join into words. Its cost is the number of states of each character times its neighbour's:
# a few for the 6,648 characters its model knows, 256 for any other, so that one such character
# costs 11 ms of CPU and 500 of them (「齉」×500) 4.8 s. So a character the model does not know is
# tagged alone from the dictionary (never searched), a run longer than VITERBI_RUN is tagged a
# character at a time, and no text sends more than VITERBI_TEXT characters to the search, nor a
# request (``bounded``) more than VITERBI_REQUEST. The longest run in the bundled articles and the
# question sets is 14 characters, and the most one text sends is 73 (a 543-character paragraph);
# questions send at most 43.
VITERBI_RUN = 16
VITERBI_TEXT = 96
VITERBI_REQUEST = 192
_left = threading.local()  # characters this thread may still search: .text, and .request in a request


@contextmanager
def bounded(chars: int = VITERBI_REQUEST) -> Iterator[None]:
    """Bound the Viterbi characters of every text this thread tags inside the block (a request)."""
    outer = getattr(_left, "request", None)  # a request inside a request keeps the outer bound
    _left.request = chars if outer is None else min(chars, outer)
    try:
        yield
    finally:
        if outer is None:
            del _left.request
        else:
            _left.request = outer


@lru_cache(maxsize=1)
def _posseg() -> Any:
    import jieba
    import jieba.posseg

    known = jieba.posseg.char_state_tab_P
    # Splits a run at each Chinese character the tagger's model does not know (keeping it).
    unknown = re.compile("([" + "".join(chr(c) for c in range(0x4E00, 0x9FD6) if chr(c) not in known) + "])")

    class BoundedTagger(jieba.posseg.POSTokenizer):  # type: ignore[misc]
        """jieba's tagger with the Viterbi search bounded (see VITERBI_RUN)."""

        def _POSTokenizer__cut_detail(self, run: str) -> Iterator[Any]:
            for part in unknown.split(run):
                if not part:
                    continue
                left = min(_left.text, getattr(_left, "request", _left.text))
                if (len(part) == 1 and part not in known and is_cjk(part)) or len(part) > min(VITERBI_RUN, left):
                    _left.cut = _left.cut or len(part) > 1
                    yield from (jieba.posseg.pair(c, self.word_tag_tab.get(c, "x")) for c in part)
                    continue
                _left.text -= len(part)
                if hasattr(_left, "request"):
                    _left.request -= len(part)
                yield from super()._POSTokenizer__cut_detail(part)

    jieba.setLogLevel(60)
    jieba.initialize()
    return BoundedTagger(jieba.dt)


_tags: dict[str, tuple[tuple[str, str], ...]] = {}  # texts tagged whole (cleared at 4,096)


def tag(text: str, *, sent: bool = True) -> list[tuple[str, str]]:
    """(word, part of speech) of normalised ``text`` (jieba's tags: n noun, nr person, ns place,
    nt organisation, nz other proper noun, m numeral, q measure word, t time, v verb…). The cost is
    bounded (see VITERBI_RUN); a text of the articles (``sent`` False) spends nothing of the
    request's bound."""
    hit = _tags.get(text)
    if hit is not None:
        return list(hit)
    _left.text, _left.cut = VITERBI_TEXT, False
    request = getattr(_left, "request", None)
    if not sent and request is not None:
        del _left.request
    try:
        words = tuple((p.word, p.flag) for p in _posseg().lcut(text, HMM=True))
    finally:
        if not sent and request is not None:
            _left.request = request
    if not _left.cut:  # tagged as it would be without a bound: the same for every caller
        if len(_tags) >= 4096:
            _tags.clear()
        _tags[text] = words
    return list(words)


# 怎么/如何 before a verb (jieba tags some, 挂号 and 申报, as nouns) asks for a way of doing it
# (怎么挂号, 如何申报); not 怎么样, 怎么回事.
_HOW = re.compile(r"(?:怎么|怎样|如何|咋)(?:样)?(?:才能|才可以|在网上|网上|来)?")
_OPEN_ENDING = re.compile(rf"办{QUESTION_END}*$")  # 怎么办 ending a question
_NOT_DOING = frozenset(["样", "回事", "说", "看", "会", "了", "么样"])


def kind_of(question: str) -> tuple[str, re.Match[str] | None]:
    """The kind a normalised question asks for and where its asking words are ("", None)."""
    for kind in KINDS:
        m = _PATTERNS[kind].search(question)
        if kind == "procedure" and m is None:
            m = _doing(question)
        if m:
            return kind, m
    return "", None


def _doing(question: str) -> re.Match[str] | None:
    """怎么/如何 followed by a verb (a procedure question), or None."""
    for m in _HOW.finditer(question):
        rest = question[m.end() :]
        words = tag(rest[:8]) if rest else []
        if _OPEN_ENDING.match(rest):  # 「以后咋办」: what becomes of it, not a procedure
            continue
        if words and words[0][1].startswith(("v", "n")) and words[0][0] not in _NOT_DOING:
            return m
    return None


def asked(question: str) -> Asked:
    """What a normalised question asks for (see Asked)."""
    kind, m = kind_of(question)
    if m is None:
        return Asked()
    words = tag(question)
    spans, pos = [], 0
    for w, t in words:
        start, end = pos, pos + len(w)
        pos = end
        # A word that takes in the asking words (哪些项目) is cut at their edges.
        if start < m.start() < end:
            spans.append((start, m.start(), w[: m.start() - start], t))
        if start < m.end() < end:
            spans.append((m.end(), end, w[m.end() - start :], t))
        if not (start < m.start() < end or start < m.end() < end):
            spans.append((start, end, w, t))

    def content(w: str, t: str) -> bool:
        return (
            ((t.startswith(_CONTENT_TAGS) and any(is_cjk(c) for c in w)) or t == "eng")
            and w not in _LINKS
            and w not in _KIND_WORDS
            and w != m.group(0)
        )

    # A word led by a numeral after the asking part is its measure (多少钱一平, 多少一个月), not its subject.
    after = [
        (w, t)
        for s, _e, w, t in spans
        if s >= m.end() and content(w, t) and w not in _AUXILIARY and w[0] not in _CN_DIGITS and not w[0].isdigit()
    ]
    before = [w for _s, e, w, t in spans if e <= m.start() and content(w, t)]
    # A noun after the asking part names what is counted (多少就业岗位), else a verb there (几点开门),
    # else the last word before it (门票多少钱, 常住人口有多少).
    nouns = [w for w, t in after if t.startswith("n") or t == "vn"]
    attribute = nouns[0] if nouns else after[0][0] if after else before[-1] if before else ""
    if kind == "quantity" and (attribute[-1:] in _MONEY or any(w[-1] in _MONEY for w in before)):
        kind = "amount"  # a figure of a word counted in money (票价多少, 房价多少一平)
    return Asked(kind, attribute)


def attribute_share(attribute: str, text: Container[str]) -> float:
    """The share of the attribute's Chinese characters that ``text`` (normalised, or a set of its
    characters) holds (门票 in 「…音乐节门票…」 1.0; 学校 in 「7所新校」 0.5); 1.0 when there is no
    attribute."""
    chars = [c for c in attribute if is_cjk(c)]
    if not chars and attribute.isascii() and attribute.strip():  # a latin word (GDP) is held whole or not at all
        return float(isinstance(text, str) and attribute.lower() in text)
    return sum(c in text for c in chars) / len(chars) if chars else 1.0


# --- what a sentence holds ---------------------------------------------------------------------

DIM = 1 << 16  # hashed token features
_QUOTES = {"《": "》", "“": "”", "「": "」", '"': '"'}
_CN_DIGITS = frozenset("零〇一二三四五六七八九十百千万亿两")


def _shape(word: str) -> str:
    if any(c.isdigit() for c in word):
        return "digit"
    if word and all(c in _CN_DIGITS for c in word):
        return "cnum"
    if word.isascii() and any(c.isalpha() for c in word):
        return "latin"
    if all(is_cjk(c) for c in word):
        return "cjk"
    return "other"


def token_features(words: list[tuple[str, str]]) -> list[list[str]]:
    """The features of each tagged word of a sentence: its tag, shape, first and last character,
    its neighbours' tags, words and edge characters, and whether it is quoted or in a 、-list."""
    out: list[list[str]] = []
    quote = ""
    n = len(words)
    for i, (w, t) in enumerate(words):
        prev_w, prev_t = words[i - 1] if i > 0 else ("^", "^")
        next_w, next_t = words[i + 1] if i + 1 < n else ("$", "$")
        f = [
            f"t={t}",
            f"t1={t[:1]}",
            f"s={_shape(w)}",
            f"len={min(len(w), 5)}",
            f"b={w[:1]}",
            f"e={w[-1:]}",
            f"pt={prev_t}",
            f"nt={next_t}",
            f"pw={prev_w}",
            f"nw={next_w}",
            f"pe={prev_w[-1:]}",
            f"nb={next_w[:1]}",
            f"t,nt={t},{next_t}",
            f"pt,t={prev_t},{t}",
            f"s,nb={_shape(w)},{next_w[:1]}",
        ]
        if quote:
            f.append(f"in={quote}")
        if prev_w == "、" or next_w == "、":
            f.append("list")
        out.append(f)
        if w in _QUOTES and not quote:
            quote = w
        elif quote and w == _QUOTES[quote]:
            quote = ""
    return out


def _hash(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) % DIM


def feature_ids(words: list[tuple[str, str]]) -> list[np.ndarray]:
    """Hashed feature indices of each tagged word."""
    return [np.fromiter((_hash(f) for f in fs), dtype=np.int64) for fs in token_features(words)]


def word_logits(weights: np.ndarray, ids: list[np.ndarray]) -> np.ndarray:
    """(words, kinds) logits of each word being the answer to a question of each TYPED kind, under
    ``weights`` (TYPED kinds × (DIM + 1), the last column the bias)."""
    if not ids:
        return np.full((0, weights.shape[0]), -np.inf)
    w = weights[:, :-1]
    return np.stack([w[:, i].sum(axis=1) for i in ids]) + weights[:, -1]


def holds(weights: np.ndarray, text: str) -> np.ndarray:
    """The probability, for each TYPED kind, that the normalised sentence ``text`` holds an answer
    of that kind (its likeliest word's)."""
    logits = word_logits(weights, feature_ids(tag(text, sent=False)))
    if not len(logits):
        return np.zeros(weights.shape[0])
    return np.asarray(1.0 / (1.0 + np.exp(-logits.max(axis=0))))


# --- learning what a sentence holds ------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A training answer: a question's kind, a normalised sentence holding the answer and where
    the answer is in it."""

    kind: str
    sentence: str
    start: int
    end: int


def training_rows(spans: Iterable[Span]) -> dict[str, tuple[list[np.ndarray], list[bool]]]:
    """For each TYPED kind, the hashed features of the words of its answer sentences and whether
    each word overlaps the answer."""
    out: dict[str, tuple[list[np.ndarray], list[bool]]] = {k: ([], []) for k in TYPED}
    for sp in spans:
        if sp.kind not in out:
            continue
        words = tag(sp.sentence)
        ids = feature_ids(words)
        xs, ys = out[sp.kind]
        pos = 0
        for (w, _t), fid in zip(words, ids, strict=True):
            end = pos + len(w)
            if w.strip():
                xs.append(fid)
                ys.append(pos < sp.end and end > sp.start)
            pos = end
    return out


HOLDS_L2 = 1e-4  # per weight, on the mean loss


def fit_kind(xs: list[np.ndarray], ys: list[bool]) -> np.ndarray:
    """Logistic weights (DIM + 1, the last the bias) of one kind's words, L2-regularised."""
    from scipy import sparse
    from scipy.optimize import minimize

    if not xs or not any(ys) or all(ys):
        return np.zeros(DIM + 1)
    indptr = np.cumsum([0] + [len(x) for x in xs])
    x = sparse.csr_matrix((np.ones(int(indptr[-1])), np.concatenate(xs), indptr), shape=(len(xs), DIM))
    y = np.asarray(ys, dtype=np.float64)
    n = len(y)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ theta[:-1] + theta[-1]
        p = 1.0 / (1.0 + np.exp(-z))
        eps = 1e-12
        nll = -float(np.sum(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))) / n
        g = (p - y) / n
        grad = np.append(x.T @ g + 2 * HOLDS_L2 * theta[:-1], g.sum())
        return nll + HOLDS_L2 * float(theta[:-1] @ theta[:-1]), grad

    return np.asarray(minimize(loss, np.zeros(DIM + 1), jac=True, method="L-BFGS-B", options={"maxiter": 300}).x)


# A kind with fewer training answers than this learns from its broader kind's too (news and
# encyclopedia questions rarely ask for a price or a clock time).
MIN_SPANS = 200
BROADER = {"amount": "quantity", "clock": "date", "names": "person", "list": "names"}


def fit_holds(spans: Iterable[Span]) -> np.ndarray:
    """The weights of every TYPED kind (TYPED kinds × (DIM + 1)), learned from answer spans."""
    spans = list(spans)
    count = {k: sum(sp.kind == k for sp in spans) for k in TYPED}
    rows = training_rows(spans)
    fitted = []
    for k in TYPED:
        xs, ys = list(rows[k][0]), list(rows[k][1])
        if count[k] < MIN_SPANS and k in BROADER:
            xs += rows[BROADER[k]][0]
            ys += rows[BROADER[k]][1]
        fitted.append(fit_kind(xs, ys))
    return np.stack(fitted).astype(np.float32)


def related_terms(question: str, sentence: str, skip: str = "") -> str:
    """The longest runs of the question's Chinese characters that the sentence also holds (what
    the articles do mention of the question: 太湖湾音乐节), joined by 、, without ``skip``."""
    found: list[str] = []
    for run in re.findall(f"[{CJK}]+", question):
        i = 0
        while i < len(run):
            j = len(run)
            while j > i + 1 and run[i:j] not in sentence:
                j -= 1
            if j > i + 1 and run[i:j] != skip and run[i:j] not in found:
                found.append(run[i:j])
                i = j
            else:
                i += 1
    return "、".join(found[:3])
