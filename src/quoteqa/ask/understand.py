"""Understanding a question as a citizen types it: filler words, pinyin typos, follow-ups.

Each step is general (the corpus vocabulary and a general Chinese dictionary decide, never a list
of this corpus's words), and each leaves a trace that the front ends show: 「按“学校”理解」.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

from ..ingest.text import CJK, is_cjk, normalize
from ..language.inputs import HISTORY_READ
from ..language.kinds import tag

if TYPE_CHECKING:
    from ..index.retrievers import LexicalIndex

# Interrogative, polite and particle words that carry no topic. Removed as whole tokens of the
# segmented question, so that 获得 keeps its 得 and 了解 its 了.
FILLER = frozenset(
    [
        "请问",
        "问一下",
        "问下",
        "想问",
        "想知道",
        "我想知道",
        "告诉我",
        "一下",
        "是多少",
        "有多少",
        "多少",
        "是什么",
        "有什么",
        "什么",
        "啥",
        "哪些",
        "哪个",
        "哪里",
        "哪儿",
        "怎么样",
        "怎样",
        "怎么",
        "咋样",
        "咋",
        "如何",
        "为什么",
        "为啥",
        "是否",
        "是不是",
        "有没有",
        "能否",
        "可以",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "哦",
        "嘛",
        "么",
        "了",
        "的",
        "得",
        "地",
        "是",
        "有",
        "几",
        "几个",
        "谁",
        "我",
        "你",
        "想",
        "我们",
        "你们",
        "咱们",
        "俺们",
        "已经",
        "到底",
        "究竟",
        "情况",
        "大概",
        "一共",
        "总共",
        "请",
        "那",
        "那么",
        "这个",
        "那个",
        "现在",
        "目前",
    ]
)
_PARTICLES = frozenset("吗呢吧啊呀哦嘛么了的得地是有几谁那这")
# A follow-up that brings a new subject into the previous question: 「那专精特新呢?」, 「去年呢」.
# 「X怎么样」 alone is a whole question; after 那 it is a follow-up too (「那医院怎么样」).
# The subject starts at a character that is not white space and is stripped after: a space run
# that \s* and the subject could share made the match quadratic (issue 24, row 4).
_SUBSTITUTION = re.compile(
    r"^(?:(?:那么?|还有|另外|那个)?\s*(?P<topic>\S.*?)呢|(?:那么?|还有|另外)\s*(?P<other>\S.*?)(?:怎么样|咋样|如何))"
    r"\s*[??。.!!]*$"
)
# Words that point back to an earlier turn: 「这是哪次会议上说的?」, 「谁说的」.
# 这个月, 这几天 and the like name a time of their own: 「这个月有什么活动?」 is a new question.
_ANAPHORA = re.compile(
    r"^(?!这(?:个月|几天|两天|周|星期|礼拜|阵子|段时间|会儿|一年|几年|个星期|季度))"
    r"(?:这个|那个|这些|那些|这边|那边|这里|那里|这次|那次|这家|那家|那么|上面|刚才|还有|另外|并且|而且"
    r"|这|那|它|其|他|她|该|此|再|又)"
)
# Where the asking part of a question starts: its topic is what comes before.
_ASKING = re.compile(
    r"(?:有|是|达到?|为|共|总共|一共|累计)?(?:多少|几[个家所项位人次套年批场天]?|什么|啥|哪|怎么|怎样|如何|谁|是否|是不是|有没有|吗|呢)"
)
# Periods a question can name; a follow-up that names one swaps it for the previous question's.
PERIOD = re.compile(
    r"(?:\d{4}|去|前|今|明|本)年(?:[上下]半年|第?[一二三四1-4]季度)?|[上下]半年|第?[一二三四1-4]季度|全年"
)


@dataclass(frozen=True)
class Understood:
    """The question as it will be answered."""

    text: str  # the typed question after typo repair and follow-up completion
    own: str  # the typed question after typo repair (what the citizen said this turn)
    asked: str  # what is asked in full, less the topic carried over (== text when nothing is)
    context: str = ""  # the topic carried over from earlier turns ("" when none)
    repairs: tuple[tuple[str, str], ...] = ()  # (typed, read as)
    previous: str = ""  # the previous question as understood, for questions about an earlier answer
    # It leans on earlier questions (「累计呢」, 「增长多少?」) and there are none, nor a topic of its own.
    lacks_topic: bool = False


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    return jieba


def general_frequency(word: str) -> int:
    """How often ``word`` occurs in general Chinese (jieba's dictionary; 0 when not a known word)."""
    return int(_jieba().dt.FREQ.get(word, 0))


def strip_filler(text: str) -> str:
    """The question without interrogative and particle words, removed as whole segmented tokens
    (normalised text in, normalised text out; a space stands where a word was removed)."""
    out: list[str] = []
    for w in _jieba().lcut(text, HMM=False):
        out.append(" " if w in FILLER else w)
    return re.sub(r"\s+", " ", "".join(out)).strip()


def absence(text: str, has: Callable[[str], bool]) -> tuple[float, float]:
    """How much of what the question names the corpus never mentions: (the share of its content
    words the corpus lacks, weighted by their rarity in general Chinese; the rarity of the rarest
    lacking word, in units of 20 nats). 房价 in 「武进房价多少」 is rare and lacking; 娃 in
    「娃读书的学校够不够」 is lacking but common, the kind of word a paraphrase brings. ``has`` tells
    whether the corpus uses a term (a character or a bigram)."""
    jieba = _jieba()
    total = float(jieba.dt.total)
    weights: dict[str, float] = {}
    for w in jieba.lcut(text, HMM=True):
        if w not in FILLER and re.search(f"[{CJK}]", w):
            weights[w] = math.log(total / (general_frequency(w) + 1.0))
    lacking = [w for w in weights if not all(has(w[k : k + 2]) for k in range(max(1, len(w) - 1)))]
    if not weights:
        return 0.0, 0.0
    share = sum(weights[w] for w in lacking) / sum(weights.values())
    return share, max((weights[w] for w in lacking), default=0.0) / 20.0


# --- typo repair -------------------------------------------------------------------------------

_FUZZY = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("ing", "in"), ("eng", "en"), ("ang", "an"))


def _fuzzy(syllable: str) -> str:
    """A pinyin syllable with the distinctions pinyin typists often miss folded together."""
    for long, short in _FUZZY:
        syllable = syllable.replace(long, short)
    return "n" + syllable[1:] if syllable.startswith("l") else syllable


@lru_cache(maxsize=65536)
def readings(char: str) -> tuple[str, ...]:
    """The fuzzy toneless pinyin of a Chinese character in its two most common readings, the usual
    one first, pypinyin's order (曾: ceng, zeng; ("",) for other characters)."""
    from pypinyin import Style, pinyin

    if not is_cjk(char):
        return ("",)
    return tuple(dict.fromkeys(_fuzzy(r) for r in pinyin(char, style=Style.NORMAL, heteronym=True)[0][:2]))


def reading(char: str) -> str:
    """The usual fuzzy toneless pinyin of a character as typed (the same as lazy_pinyin's for
    each of the 12,010 characters of jieba's dictionary)."""
    return readings(char)[0]


def _word_reading(word: str) -> tuple[str, str]:
    """The fuzzy pinyin of a two-character word, read as a word (polyphones resolved in context)."""
    from pypinyin import Style, lazy_pinyin

    a, b = lazy_pinyin(word, style=Style.NORMAL)
    return _fuzzy(a), _fuzzy(b)


GENERAL_MIN_FREQUENCY = 2000  # a word the corpus lacks must be this common in general Chinese (jieba's counts)


def _by_sound(words: list[str]) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for term in words:
        if len(term) == 2 and all(is_cjk(c) for c in term):
            out.setdefault(_word_reading(term), []).append(term)
    return out


class SoundIndex:
    """Two-character words by sound, (reading, reading) -> words: the corpus's bigrams that are
    words of general Chinese, and common general words the corpus does not use (学校 for a corpus
    that says 新校). Built once per loaded index, on the first question with a suspect character
    (reading every common word of jieba's dictionary costs 0.4 s, and most questions have none)."""

    def __init__(self, lex: LexicalIndex) -> None:
        self.lex = lex

    @cached_property
    def corpus(self) -> dict[tuple[str, str], list[str]]:
        freq = _jieba().dt.FREQ
        return _by_sound([t for t in self.lex.vocab if len(t) == 2 and freq.get(t, 0) > 0])

    @cached_property
    def general(self) -> dict[tuple[str, str], list[str]]:
        freq = _jieba().dt.FREQ
        return _by_sound([w for w, f in freq.items() if len(w) == 2 and f >= GENERAL_MIN_FREQUENCY])

    def homophones(self, bigram: str) -> list[tuple[int, int, str]]:
        """Words that sound like ``bigram`` typed, best first: (corpus document count, general
        frequency, word)."""
        key = (reading(bigram[0]), reading(bigram[1]))
        found = set(self.corpus.get(key, ())) | set(self.general.get(key, ()))
        # A polyphone typed for its other reading (曾 for zeng: 新曾 for 新增): its second reading
        # is tried against the words the articles use only; against general Chinese it made
        # repairs that read worse (一平 → 一片) on the development sets.
        for other in itertools.product(readings(bigram[0]), readings(bigram[1])):
            if other != key:
                found.update(self.corpus.get(other, ()))
        found.discard(bigram)
        return sorted(((self.lex.df(w), general_frequency(w), w) for w in found), reverse=True)


def repair_typos(text: str, lex: LexicalIndex, sounds: SoundIndex) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Replace characters that fit no corpus word by homophones that form a word (学效 → 学校).

    A character is suspect when it stands alone in the segmented question (no word of general
    Chinese holds it) and no bigram it takes part in occurs in the corpus. A bigram holding
    a suspect that is not itself a word of general Chinese (读书 and 房价 are, and stay) is replaced
    by the word that sounds alike and differs in that one character: the one the corpus uses
    most, else a common word of general Chinese (GENERAL_MIN_FREQUENCY).
    """
    chars = list(text)
    n = len(chars)

    def cjk(i: int) -> bool:
        return 0 <= i < n and is_cjk(chars[i])

    def known(i: int) -> bool:  # the bigram at i, i+1 occurs in the corpus
        return cjk(i) and cjk(i + 1) and (chars[i] + chars[i + 1]) in lex

    in_word = [False] * n  # inside a word of general Chinese (今年, 注意, 所学)
    pos = 0
    for w in _jieba().lcut(text, HMM=False):
        if len(w) > 1 and general_frequency(w) > 0:
            in_word[pos : pos + len(w)] = [True] * len(w)
        pos += len(w)
    # 年/月/日 after a number is a date, never a typo (「2023年上半年」 is not 「2023脸上半年」), and a
    # measure word after a number or 多少/几 counts what is asked (「多少家上市企业」 is not 「多少加上市企业」).
    dated = [i > 0 and chars[i] in "年月日" and chars[i - 1].isdigit() for i in range(n)]
    counted = [False] * n
    for m in _COUNTED.finditer(text):
        counted[m.end() - 1] = True
    suspect = [
        cjk(i)
        and not in_word[i]
        and not dated[i]
        and not counted[i]
        and chars[i] not in _PARTICLES
        and not known(i - 1)
        and not known(i)
        for i in range(n)
    ]
    repairs: list[tuple[str, str]] = []
    i = 0
    while i < n - 1:
        typed = chars[i] + chars[i + 1]
        if not (cjk(i) and cjk(i + 1)) or not (suspect[i] or suspect[i + 1]) or general_frequency(typed) > 0:
            i += 1
            continue
        for _df, _freq, cand in sounds.homophones(typed):
            keeps = all(c == t or suspect[i + k] for k, (c, t) in enumerate(zip(cand, typed, strict=True)))
            # A typo is one wrong character; two replaced at once make another word.
            one = cand[0] == typed[0] or cand[1] == typed[1]
            if keeps and one and cand[0] not in _PARTICLES and cand[1] not in _PARTICLES:
                repairs.append((typed, cand))
                chars[i], chars[i + 1] = cand[0], cand[1]
                suspect[i] = suspect[i + 1] = False
                i += 1
                break
        i += 1
    return "".join(chars), tuple(repairs)


_COUNTED = re.compile(r"(?:多少|几|[0-9]|[一二两三四五六七八九十百千万])[个家所项位人次套批场名户座条种辆台间张只件]")


# --- follow-ups ---------------------------------------------------------------------------------


# What a question that opens a conversation can point at with these: the articles shown.
_DEMONSTRATIVE = re.compile(r"^(?:这|此|其|该)")
# What follows an asking word but still belongs to it: the measure word of a count (多少家上市企业)
# and the noun of 什么时候 / 什么地方.
_ASKED_TAIL = re.compile(r"^(?:时候|地方|[个家所项位人次套批场名户座条种])")


def topic_of(question: str) -> str:
    """The question less its asking words: what it is about (九大重点产业集群产值多少 →
    九大重点产业集群产值; 今年新增了多少家上市企业 → 今年新增了上市企业)."""
    q = re.sub(r"[??。.!!\s]+$", "", question.strip())
    m = _ASKING.search(q)
    if not m or m.start() == 0:
        return q.strip()
    return (q[: m.start()] + _ASKED_TAIL.sub("", q[m.end() :])).strip()


def asking_of(question: str) -> str:
    """The asking words of a question, without what they count (新增上市企业有多少家? → 有多少?):
    a measure word belongs to the subject that a follow-up replaces."""
    m = _ASKING.search(question.strip())
    return f"{m.group(0)}?" if m and m.start() > 0 else ""


def content_terms(text: str, lex: LexicalIndex) -> list[str]:
    """Corpus bigrams of the question's content words (what says what it is about)."""
    content = strip_filler(text)
    return [a + b for run in re.findall(f"[{CJK}]+", content) for a, b in itertools.pairwise(run) if (a + b) in lex]


def needs_context(own: str) -> bool:
    """True when a question leans on earlier turns: it is only a new subject or period
    (「那专精特新呢」, 「去年呢」), points back (这/那/其…) at nothing it names itself (「那它在哪儿」;
    「那个太湖湾音乐节上过央视没」 names its topic and stands alone), or names no subject of its own
    (「增长多少?」)."""
    if _SUBSTITUTION.match(own):
        return True
    if _ANAPHORA.search(own):
        return not names_its_own_topic(_ANAPHORA.sub("", own))
    words = [w for w in _jieba().lcut(own, HMM=False) if w not in FILLER and re.search(f"[{CJK}]", w)]
    return len(words) <= 1


# jieba's tags of words that can be what a question is about: nouns, names, verbal nouns (活动),
# latin words (GDP). 累计, 增长, 同比 and 去年 are not (a verb, an abbreviation, a time).
_TOPIC_TAGS = frozenset(["n", "nr", "nrt", "nrfg", "ns", "nt", "nz", "nl", "ng", "vn", "an", "eng"])


def has_topic(own: str) -> bool:
    """Whether a question names something of its own to ask about (「房价多少」 does, 「增长多少?」
    and 「去年呢」 do not), by the part of speech of its words."""
    return any(flag in _TOPIC_TAGS and word not in FILLER for word, flag in tag(own))


_PROPER_TAGS = frozenset(["nr", "nrt", "nrfg", "ns", "nt", "nz", "eng"])


def names_its_own_topic(text: str) -> bool:
    """Whether what follows 这/那 names a topic of its own: a name (太湖湾音乐节, 武进中医医院), or
    two topic words (就业…岗位). One common noun is usually an attribute of the earlier topic
    (「那赚了多少钱」, 「那全区一共有多少家」)."""
    topical = [(word, flag) for word, flag in tag(text) if flag in _TOPIC_TAGS and word not in FILLER]
    return len(topical) >= 2 or any(flag in _PROPER_TAGS for _, flag in topical)


def complete(own: str, previous: str) -> tuple[str, str, str]:
    """(the follow-up as a whole question, what it asks less the carried topic, the topic
    carried over from ``previous``)."""
    sub = _SUBSTITUTION.match(own)
    if sub:
        subject = (sub.group("topic") or sub.group("other")).strip()
        if PERIOD.fullmatch(subject) or (PERIOD.search(subject) and not has_topic(subject)):
            # 「去年呢?」, 「那去年一整年呢」: the same question about another period
            swapped, count = PERIOD.subn(subject, previous, count=1)
            whole = swapped if count else subject + previous
            return whole, whole, ""
        if not has_topic(subject):  # 「累计呢?」: the same topic, asked another way
            whole = f"{topic_of(previous)}{subject}{asking_of(previous) or '多少?'}"
            return whole, whole, ""
        asked = f"{subject}{asking_of(previous) or own}"
        carried = topic_of(previous)
        return asked, asked, carried
    carried = topic_of(previous)
    body = re.sub(r"^[,,\s]+", "", _ANAPHORA.sub("", own))
    return f"{carried}{body}", body or own, carried


def _spaced(text: str) -> str:
    """Runs of white space as one space: the follow-up patterns then match in linear time (497
    spaces between 那 and 呢 cost 0.2 s of backtracking a match before)."""
    return re.sub(r"\s+", " ", text).strip()


def understand(question: str, history: list[str], lex: LexicalIndex, sounds: SoundIndex) -> Understood:
    """The question as it will be answered: typos repaired, a follow-up completed from the
    earlier questions (oldest first; each is completed in turn, so chains of follow-ups work)."""
    own, repairs = repair_typos(_spaced(normalize(question)), lex, sounds)
    previous = ""
    for earlier in history[-HISTORY_READ:]:
        said, _ = repair_typos(_spaced(normalize(earlier)), lex, sounds)
        previous = complete(said, previous)[0] if previous and needs_context(said) else said
    if not needs_context(own):
        return Understood(own, own, own, "", repairs, previous)
    if not previous or not has_topic(topic_of(previous)):
        # Nothing before, or nothing to carry (「新增了多少家?」 names no topic either): asked alone.
        # 这/这些… with nothing before may point at the articles (「这是开的什么会」).
        alone = not has_topic(own) and not _DEMONSTRATIVE.match(own)
        return Understood(own, own, own, "", repairs, previous, lacks_topic=alone)
    text, asked, carried = complete(own, previous)
    return Understood(text, own, asked, carried, repairs, previous)


def period_mismatch(question: str, context: str) -> str:
    """The period the question names that its answer's context does not (e.g. 去年), or ""."""
    for m in PERIOD.finditer(question):
        word = m.group(0)
        if word in ("今年", "本年", "上半年") or word.startswith("今年"):
            continue  # the current period: what a report speaks of unless it says otherwise
        if word not in context:
            return word
    return ""
