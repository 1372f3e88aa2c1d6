"""What the trainer reads: the labelled questions (CMRC 2018 and DRCD split by article, the
citizen sets), each question observed as the product reads it (its candidates and their feature
rows, with and without what answers it), the answer spans and the question-sentence pairs."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import numpy as np

from ..ask import answer as answering
from ..ask import evidence, models
from ..ask.question import Holds, Query
from ..ask.understand import Understood, absence
from ..index.build import build
from ..index.embedding import DEFAULT_MODEL
from ..index.search import Scope
from ..index.store import load as load_index
from ..ingest.text import normalize
from ..language import kinds as asking
from ..qa import QA, check_history


@dataclass(frozen=True)
class Example:
    question: str
    golds: tuple[str, ...]  # verbatim answer fragments; empty when the corpus does not answer it
    history: tuple[str, ...] = ()
    title: str = ""  # the article the answer comes from (external sets), for removing it
    doc: str = ""  # the corpus file of its paragraph (external sets)


def half_of(title: str) -> str:
    """ "train" or "check": a stable split by article title, never by question."""
    return "train" if zlib.crc32(title.encode("utf-8")) % 2 == 0 else "check"


def squad_corpus(path: Path, folder: Path) -> list[tuple[str, Example]]:
    """Write a SQuAD-style set's paragraphs as corpus files (title line, blank, paragraph) and
    return its questions with their halves."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    folder.mkdir(parents=True, exist_ok=True)
    out: list[tuple[str, Example]] = []
    for i, article in enumerate(data):
        title = str(article.get("title") or f"article {i}").strip()
        for j, para in enumerate(article["paragraphs"]):
            doc = f"{i:04d}_{j}.txt"
            (folder / doc).write_text(f"{title}\n\n{para['context']}\n", encoding="utf-8")
            for q in para["qas"]:
                golds = tuple(a["text"] for a in q["answers"] if a["text"].strip())
                out.append((half_of(title), Example(q["question"], golds, (), title, doc)))
    return out


def load_citizen(path: Path) -> list[Example]:
    """A citizen-style set (JSONL: question, gold or null, optional history)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            out.append(Example(d["question"], (d["gold"],) if d.get("gold") else (), tuple(d.get("history", []))))
    return out


@dataclass
class Observed:
    """One question's candidates as the trainer sees them."""

    ids: np.ndarray
    rows: np.ndarray
    labels: np.ndarray  # the candidate sentence holds an answer fragment
    query: Query
    vector: np.ndarray
    carried: bool
    answerable: bool  # the corpus (as asked: own article kept) holds the answer
    removed: str = ""  # what was left out of the corpus (REMOVALS)


@cache
def _read(qa: QA, question: str, history: tuple[str, ...]) -> tuple[Understood, Query, np.ndarray]:
    """A training question as the product reads it: understood, analysed and embedded (without
    a head). The head, the cross-fitting folds and the two observations of each question all
    start from it, so it is computed once per training run (``train`` empties the cache)."""
    understood, query = qa.understand(question, check_history(list(history)))
    return understood, query, qa.index.embed_query(understood.text)


def _paragraphs_by_title(qa: QA) -> dict[str, list[int]]:
    idx = qa.index
    out: dict[str, list[int]] = {}
    for pid in range(len(idx.paragraphs)):
        out.setdefault(idx.articles[int(idx.para_article[pid])].title.strip(), []).append(pid)
    return out


def _answering_paragraphs(qa: QA, ex: Example, by_title: dict[str, list[int]]) -> frozenset[int]:
    """What to remove so that the corpus no longer answers ``ex``: its article (external sets),
    else the paragraphs holding its answer (a small corpus of few articles, where the rest of the
    article then speaks of related things but not of this: what an out-of-scope citizen question
    looks like)."""
    if ex.title:
        return frozenset(by_title.get(ex.title, ()))
    idx = qa.index
    return frozenset(
        int(idx.sent_para[s]) for s in range(len(idx.sentences)) if any(g in idx.sentences[s].text for g in ex.golds)
    )


REMOVALS = ("", "paragraphs", "sentence")  # how a question is observed (see observe)


def observe(
    qa: QA,
    examples: Iterable[Example],
    head: np.ndarray | None,
    *,
    remove: str = "",
    holder: Holds | None = None,
) -> list[Observed]:
    """Candidates and feature rows of each question (its vector moved by ``head``, what sentences
    hold read by ``holder``). With ``remove`` the corpus no longer answers it: "paragraphs" leaves
    out what answers it (see _answering_paragraphs); "sentence" drops the one sentence holding its
    answer from the candidates, kept only when no other sentence holds the answer (the topic is
    still there, and what was asked is not: 「音乐节门票多少钱」 against the festival's sentence)."""
    idx = qa.index
    by_title = _paragraphs_by_title(qa)
    out = []
    for ex in examples:
        if remove and not ex.golds:
            continue
        understood, query, vector = _read(qa, ex.question, ex.history)
        if not qa.judges(understood):
            continue
        query = replace(query, holder=holder)
        if head is not None:
            vector = models.apply_head(vector, head)
        exclude = _answering_paragraphs(qa, ex, by_title) if remove == "paragraphs" else frozenset()
        if exclude:  # what only the removed paragraphs say is now unknown to the corpus
            query = replace(query, absent=absence(query.text, _corpus_without(qa, exclude)))
        if remove == "sentence" and len(_holders(qa, ex.golds[0])) != 1:
            continue
        ids, rows = answering.candidate_features(idx, query, vector, Scope(exclude=exclude))
        labels = np.array([any(g in idx.sentences[s].text for g in ex.golds) for s in ids.tolist()], dtype=bool)
        if remove == "sentence":
            ids, rows, labels = ids[~labels], rows[~labels], labels[~labels]
        answerable = bool(ex.golds) and not remove
        out.append(Observed(ids, rows, labels, query, vector, bool(understood.context), answerable, remove))
    return out


def _holders(qa: QA, gold: str) -> list[int]:
    """The sentences that hold ``gold``."""
    text = _sentence_text(qa)
    out, at = [], text.find(gold)
    while at >= 0:
        out.append(int(np.searchsorted(_sentence_ends(qa), at, side="right")))
        at = text.find(gold, at + 1)
    return sorted(set(out))


def _title_of(qa: QA, sid: int) -> str:
    idx = qa.index
    return idx.articles[int(idx.para_article[int(idx.sent_para[sid])])].title.strip()


@cache
def _sentence_text(qa: QA) -> str:
    return "\n".join(s.text for s in qa.index.sentences)


@cache
def _sentence_ends(qa: QA) -> np.ndarray:
    """Where each sentence of _sentence_text ends (the offset of its newline)."""
    return np.cumsum([len(s.text) + 1 for s in qa.index.sentences]) - 1


def holds_spans(qa: QA, examples: Iterable[Example]) -> list[asking.Span]:
    """The answers of the training questions that ask for a typed kind, each in the one sentence
    that holds it (questions whose answer no single sentence holds, or several do, are left out)."""
    out = []
    for ex in examples:
        if not ex.golds:
            continue
        query = _read(qa, ex.question, ex.history)[1]
        if not query.asked.typed:
            continue
        found = [sid for sid in _holders(qa, ex.golds[0]) if not ex.title or _title_of(qa, sid) == ex.title]
        if len(found) != 1:  # in its own article (external sets), else in the corpus
            continue
        sentence, gold = normalize(qa.index.sentences[found[0]].text), normalize(ex.golds[0])
        at = sentence.find(gold)
        if at >= 0:
            out.append(asking.Span(query.asked.kind, sentence, at, at + len(gold)))
    return out


def _corpus_without(qa: QA, paragraphs: frozenset[int]) -> Callable[[str], bool]:
    """Whether the corpus less ``paragraphs`` uses a term (a character or a bigram)."""
    gone = _only_in(qa, paragraphs)
    lex = qa.index.lex_sentences
    return lambda t: t in lex and t not in gone


def _only_in(qa: QA, paragraphs: frozenset[int]) -> frozenset[str]:
    """Terms (characters and bigrams) that no sentence outside ``paragraphs`` uses."""
    idx = qa.index
    counts: dict[str, int] = {}
    for pid in paragraphs:
        first = int(idx.para_first[pid])
        for sid in range(first, first + len(idx.paragraphs[pid].sentences)):
            for t in evidence.sentence_terms(idx, sid) | evidence.sentence_chars(idx, sid):
                counts[t] = counts.get(t, 0) + 1
    return frozenset(t for t, n in counts.items() if idx.lex_sentences.df(t) <= n)


@dataclass(frozen=True)
class Pair:
    """A question's raw vector, the sentences that answer it and the rest of their paragraphs."""

    vector: np.ndarray
    positives: np.ndarray
    paragraph: np.ndarray  # the other sentences of the answering paragraphs (hard negatives)
    sentences: np.ndarray  # all sentence vectors of its corpus (shared)
    fold: int = 0  # see fold_of


def question_pairs(qa: QA, examples: Iterable[Example]) -> list[Pair]:
    """Training pairs for the question head: each answerable question with its answering sentences."""
    idx = qa.index
    by_title = _paragraphs_by_title(qa)
    every = range(len(idx.paragraphs))
    sentences = np.asarray(idx.store.vectors(np.arange(len(idx.sentences))), dtype=np.float32)
    out = []
    for position, ex in enumerate(examples):
        if not ex.golds:
            continue
        pos: list[int] = []
        rest: list[int] = []
        for pid in by_title.get(ex.title, every) if ex.title else every:
            first = int(idx.para_first[pid])
            span = range(first, first + len(idx.paragraphs[pid].sentences))
            hit = [s for s in span if any(g in idx.sentences[s].text for g in ex.golds)]
            if hit:
                pos += hit
                rest += [s for s in span if s not in hit]
        if pos:
            vector = _read(qa, ex.question, ex.history)[2]
            fold = fold_of(ex, position)
            out.append(Pair(vector, np.array(pos), np.array(rest, dtype=np.int64), sentences, fold))
    return out


def open_qa(corpus: Path, work: Path, model_name: str = DEFAULT_MODEL) -> QA:
    """A QA over ``corpus``, its index built (or reused) under ``work`` with the embedding model
    ``model_name``, read with untrained weights (training does not rank with any)."""
    index = work / f"{corpus.name}-{_slug(model_name)}-index"
    build(corpus, index, model_name=model_name)
    return QA(load_index(index), weights=models.untrained(model_name))


def _slug(model_name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in model_name.strip("/"))[-40:] or "model"


FOLDS = 2


def fold_of(example: Example, position: int) -> int:
    """The cross-fitting fold of a training question: by article where it has one, else by position."""
    key = f"{example.title}#fold" if example.title else str(position)
    return zlib.crc32(key.encode("utf-8")) % FOLDS
