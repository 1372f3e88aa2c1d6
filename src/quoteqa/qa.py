"""The Python API: ``QA.load("index").ask("…")`` returns a quoted, cited answer."""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from .ask import answer as answering
from .ask import articles, models, policy
from .ask import understand as understanding
from .ask.citations import Citation, as_json, citation
from .ask.models import Model, for_model
from .ask.question import Query, analyse
from .index import store
from .index.build import build
from .index.embedding import DEFAULT_MODEL
from .index.search import Scope, StoreError, day
from .ingest.corpus import Source, date_span
from .ingest.text import normalize
from .language.inputs import (
    MAX_CLAIM_CHARS,
    MAX_CLAIMS,
    MAX_DRAFT_CLAIMS,
    MAX_TOP_K,
    InputError,
    check_history,
    check_period,
    check_text,
)
from .language.kinds import Asked, bounded

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from .ask.reader import Reader
    from .verify.check import Verification

log = logging.getLogger(__name__)

READER_TOP = 8  # candidates a reader (--reader) reorders
# An answer at least this likely to answer the question (``Answer.confidence``) is stated plainly;
# below it, the front ends show it as the closest passage with a word of caution.
SURE = 0.5
# A question about the article itself (its author, headline or meeting) is answered from the
# article's own parts; when such a part exists the answer is as sure as the article choice.
META_CONFIDENCE = 0.95
# The refusal of a follow-up that has no earlier question to follow (「累计呢」 first).
TOPIC_NEEDED = answering.Missing(
    "topic", "", "", "请说明您想问哪一项(例如“今年的财政收入增长多少?”):这个问题要接着前面的问题,但前面还没有问题。"
)


_Call = TypeVar("_Call", bound=Callable[..., Any])


def _store_refusals(method: _Call) -> _Call:
    """A store that fails or gives no answer in time refuses the one question (or claim) with a
    message, as bad input is refused: the next one is answered when the store is back. The
    request's part-of-speech tagging is bounded (kinds.bounded)."""

    @functools.wraps(method)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            with bounded():  # what one request may cost the part-of-speech tagger
                return method(*args, **kwargs)
        except StoreError as exc:
            log.warning("store unavailable: %s", exc)
            raise InputError("文章库暂时没有回应,请稍后再试。", "store_unavailable") from exc

    return wrapped  # type: ignore[return-value]


@dataclass(frozen=True)
class Passage:
    doc: str
    title: str
    paragraph: int
    text: str
    score: float
    source: Source = field(default_factory=Source)  # its article's date, paper, page, link, author

    @property
    def date(self) -> str:
        return self.source.date


@dataclass(frozen=True)
class Answer:
    question: str
    found: bool
    answer: str
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    # Position of the answer inside citations[0]'s paragraph (1-based sentence numbers); not in JSON.
    sentences: tuple[int, ...] = ()
    interpreted: str = ""  # the question as understood (typos repaired, a follow-up completed)
    confidence: float = 0.0  # calibrated probability that ``answer`` answers the question
    repairs: tuple[tuple[str, str], ...] = ()  # (typed, read as) for each repaired typo
    # The same report in articles of other dates (the figure over time), oldest first, the
    # answer's own among them; empty unless dated articles of two periods answer alike.
    timeline: list[Citation] = field(default_factory=list)
    asked: Asked = field(default_factory=Asked)  # the kind of answer asked for and what it is about
    # When refused: what the question asks for that the related sentence lacks, and that sentence
    # (related reading, not an answer); None and [] when found or nothing specific is missing.
    missing: answering.Missing | None = None
    related: list[Citation] = field(default_factory=list)

    @property
    def sure(self) -> bool:
        return self.found and self.confidence >= SURE

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "interpreted": self.interpreted or self.question,
            "found": self.found,
            "confidence": round(self.confidence, 3),
            "answer": self.answer,
            "repairs": [list(r) for r in self.repairs],
            "citations": [as_json(c) for c in self.citations],
            "passages": [as_json(p) for p in self.passages],
            "timeline": [as_json(c) for c in self.timeline],
            "asked": self.asked.to_dict(),
            "missing": self.missing.to_dict() if self.missing else None,
            "related": [as_json(c) for c in self.related],
        }


@dataclass(frozen=True)
class Prepared:
    """A question ready to rank: as understood, analysed and embedded."""

    understood: understanding.Understood
    query: Query
    vector: Any


def summary(items: list[str], shown: int = 3) -> str:
    """The first few of a list and how many more: a stale message over 10,000 files stays short."""
    head = "; ".join(items[:shown])
    return head if len(items) <= shown else f"{head}; and {len(items) - shown:,} more"


class QA:
    """A loaded index plus the embedding model, answering questions by quoting."""

    def __init__(self, index: store.Index, reader: Reader | None = None, weights: Model | None = None) -> None:
        """``weights``: the learned weights to rank and judge with (by default those for the
        index's embedding model, see models.for_model); weights trained with another model are
        refused."""
        self.index = index
        self.reader = reader  # a local cross-encoder that reorders the best candidates (see reread)
        if weights is not None:
            weights.check_model(index.model_name, weights.version)
        self.weights = weights if weights is not None else for_model(index.model_name)
        self.sounds: understanding.SoundIndex | None = None
        self._years: frozenset[str] | None = None
        self._sentences: frozenset[str] | None = None

    @classmethod
    def load(
        cls,
        path: str | Path = "index",
        *,
        corpus: str | Path | None = None,
        rebuild: bool = False,
        model: SentenceTransformer | None = None,
        model_name: str | None = None,
        store_uri: str | None = None,
        reader: str | Path | None = None,
        weights: str | Path | None = None,
    ) -> QA:
        """Load an index; with ``corpus``, check it is current, and with ``rebuild`` rebuild it
        when it is stale, missing or damaged (keeping its rows in ``store_uri``, see ``build``).
        ``reader`` is the folder of a sentence-transformers CrossEncoder (reader.load_reader);
        ``weights`` a weights file that `quoteqa train` wrote (default: models.for_model)."""
        path = Path(path)
        loaded = None
        if reader is not None:
            from .ask.reader import load_reader

            loaded = load_reader(reader)  # a bad folder is refused before the index loads
        chosen = models.load(Path(weights)) if weights is not None else None

        def opened() -> QA:
            return cls(store.load(path, model=model, model_name=model_name), loaded, chosen)

        if corpus is not None:
            corpus = Path(corpus)
            try:
                manifest: dict[str, Any] | None = store.read_manifest(path)
            except store.IndexUnavailable:
                manifest = None
            stale = ["(no index)"] if manifest is None else store.stale_files(manifest, corpus)
            name = manifest["model"]["name"] if manifest else DEFAULT_MODEL
            if stale and manifest is not None and store.shared(manifest):
                # Rows in a Milvus server are shared by every app server: this one serves what it
                # has, and the builder machine rebuilds (a rebuild here would retire their rows).
                log.warning(
                    "the index at %s does not match the corpus at %s (%s); it keeps its rows in the shared Milvus "
                    "store %s, so it is served as it is: rebuild it on the builder machine",
                    path, corpus, summary(stale), manifest["store"]["uri"],
                )  # fmt: skip
            elif stale:
                if not rebuild:
                    raise store.IndexUnavailable(
                        f"the index at {path} does not match the corpus at {corpus} ({summary(stale)}); "
                        f"rebuild with: {store.rebuild_hint(path, corpus, name)}"
                    )
                log.info("rebuilding %s: %s", path, summary(stale))
                build(corpus, path, model_name=name, model=model, wait=True, store=store_uri)
            elif rebuild:
                try:
                    return opened()
                except store.IndexUnavailable as exc:
                    log.warning("rebuilding %s: %s", path, exc)
                    build(corpus, path, model_name=name, model=model, wait=True, store=store_uri)
        return opened()

    def understand(self, question: str, history: list[str] | None = None) -> tuple[understanding.Understood, Query]:
        """A checked question as understood (typos, follow-ups) and analysed."""
        idx = self.index
        if self.sounds is None:
            self.sounds = understanding.SoundIndex(idx.lex_sentences)
        u = understanding.understand(question, history or [], idx.lex_sentences, self.sounds)
        return u, analyse(idx, u.asked, u.context, self.weights.holds)

    def prepare(self, question: str, history: list[str] | None = None) -> Prepared:
        """Understand, analyse and embed a checked question."""
        u, query = self.understand(question, history)
        return Prepared(u, query, answering.question_vector(self.index, self.weights, u.text))

    def scope(self, since: str | None = None, until: str | None = None) -> Scope:
        """What a question or check may read: the articles of [since, until] (dates as YYYY, YYYY-MM
        or YYYY-MM-DD; an article's date counts for its whole day, month or year). With a bound
        given, an article without a date is outside: nothing says it is in the period."""
        return Scope.period(*check_period(since, until))  # a period that ends before it begins is refused

    def outside(self, since: str | None = None, until: str | None = None) -> frozenset[int]:
        """The paragraphs of articles outside [since, until] (see ``scope``)."""
        return frozenset(np.flatnonzero(~self.scope(since, until).admits(*self.index.para_days)).tolist())

    @_store_refusals
    def ask(
        self,
        question: str,
        *,
        top_k: int = 3,
        history: list[str] | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> Answer:
        """Answer with the verbatim sentence(s) that answer the question, or found=False.
        ``history`` holds the earlier questions of the conversation, oldest first; ``since`` and
        ``until`` keep to articles of that period."""
        q = check_text(question)
        if not 1 <= top_k <= MAX_TOP_K:
            raise InputError(f"top_k 是 {top_k},必须在 1 到 {MAX_TOP_K} 之间。", "bad_top_k")
        scope = self.scope(since, until)
        prep = self.prepare(q, check_history(history))
        u, query, idx = prep.understood, prep.query, self.index
        named = "" if since or until else policy.named_year(self.years(), u.text)
        if named:  # 「2023年上半年…」, 「去年…」: the articles of that year, when the archive has them
            scope = self.scope(named, named)
        read_as = u.text if u.text != normalize(q) else q
        kind = articles.meta_kind(u.asked)
        said = partial(Answer, q, interpreted=read_as, repairs=u.repairs)  # every answer says these
        if u.lacks_topic and not kind:  # 「增长多少?」 first: ask what it is about (「这是什么会」 asks the article)
            return said(False, "", asked=query.asked, missing=TOPIC_NEEDED)
        if kind and articles.place_past_end(idx, u.own):  # 第五篇 of three articles: none to quote
            return said(False, "")
        meta = self.article_part(u, kind) if kind else None
        if meta is not None and not (scope and self._outside(meta, scope)):
            return said(True, meta.quote, [meta], confidence=META_CONFIDENCE)
        ranked = answering.rank(idx, self.weights, query, prep.vector, scope=scope)
        if not ranked:
            return said(False, "")
        if self.reader is not None:
            ranked = self.reread(u.text, ranked)
        passages = self._passages(ranked, top_k)
        show, conf = answering.judge(idx, self.weights, query, ranked, bool(u.context))
        if not show or (not named and policy.other_period(idx, u.text, ranked[0].sentence)):
            closest = ranked[0].sentence
            lacks = answering.missing(idx, query, closest)
            related = [citation(idx, closest, idx.sentences[closest].text, ranked[0].score)] if lacks else []
            return said(False, "", passages=passages, asked=query.asked, missing=lacks, related=related)
        timeline = policy.timeline(idx, ranked)
        if timeline and not (since or until or named):  # the newest report leads
            newest = max(timeline, key=lambda s: policy.article_date(idx, s.sentence))
            ranked = [newest, *(r for r in ranked if r is not newest)]
        best = ranked[0]
        run = answering.answer_run(idx, query, ranked)
        no_figure = (
            answering.figure_missing(idx, query, run, q)
            or answering.time_missing(idx, query, run, q)
            or answering.title_missing(idx, query, run)
        )
        if no_figure is not None:  # a figure asked for and none stated, or another title: refused, as a rule
            related = [citation(idx, best.sentence, idx.sentences[best.sentence].text, best.score)]
            return said(False, "", passages=passages, asked=query.asked, missing=no_figure, related=related)
        text = "".join(idx.sentences[s].text for s in run)
        citations = [citation(self.index, best.sentence, text, best.score)]
        used = set(run)
        for cand in ranked[1:]:
            if len(citations) >= top_k or cand.score < policy.SUPPORT_RATIO * best.score:
                break
            if cand.sentence in used or not policy.supports(idx, query, best, cand):
                continue
            used.add(cand.sentence)
            citations.append(citation(self.index, cand.sentence, idx.sentences[cand.sentence].text, cand.score))
        shown = tuple(idx.sentences[s].index for s in run)
        dated = [citation(idx, t.sentence, idx.sentences[t.sentence].text, t.score) for t in timeline]
        dated.sort(key=lambda c: c.date)
        return said(True, text.strip(), citations, passages, shown, confidence=conf, timeline=dated, asked=query.asked)

    def reread(self, question: str, ranked: list[answering.Scored]) -> list[answering.Scored]:
        """The ranker's READER_TOP best candidates in the reader's order (a cross-encoder reads the
        question against each sentence), the rest after them. The reader reorders only: whether to
        answer stays the answerability model's, learned without a reader."""
        assert self.reader is not None
        top = ranked[:READER_TOP]
        scores = self.reader.scores(question, [self.index.sentences[s.sentence].text for s in top])
        order = np.argsort(-scores, kind="stable")
        return [top[i] for i in order] + ranked[READER_TOP:]

    def sentence_texts(self) -> frozenset[str]:
        """Every sentence of the articles, stripped (read once: votes are checked against it)."""
        if self._sentences is None:
            self._sentences = frozenset(s.text.strip() for s in self.index.sentences)
        return self._sentences

    def years(self) -> frozenset[str]:
        """The years the articles are dated in (read once: every question asks)."""
        if self._years is None:
            self._years = frozenset(a.date[:4] for a in self.index.articles if a.date)
        return self._years

    def _outside(self, meta: Citation, scope: Scope) -> bool:
        """True when the article a byline/headline/meeting answer comes from is outside the period."""
        article = next(a for a in self.index.articles if a.doc == meta.doc and a.title == meta.title)
        first, last = date_span(article.date) if article.date else ("", "")
        return not bool(scope.admits(np.array([day(first)]), np.array([day(last)]))[0])

    def article_part(self, u: understanding.Understood, kind: str) -> Citation | None:
        """The part (``kind``: byline, headline, subtitle, meeting) of the article a question about
        the article itself means, which answers it; None when that article lacks the part."""
        return articles.about_article(self.index, kind, self._article_hint(u))

    def judges(self, u: understanding.Understood) -> bool:
        """Whether ``ask`` ranks the understood question and judges its answerability (read over
        every article): not when the article's parts answer it, when it names an article past the
        last (第五篇 of three), or when it must first be asked for its topic (「增长多少?」 alone)."""
        kind = articles.meta_kind(u.asked)
        if not kind:
            return not u.lacks_topic
        return not articles.place_past_end(self.index, u.own) and self.article_part(u, kind) is None

    def _article_hint(self, u: understanding.Understood) -> int | None:
        """The article a question about "the article" means: the one its own words point to (by its
        headline or byline, else by its best sentence), else the one the previous question was
        answered from."""
        idx = self.index
        own = articles.without_meta_words(u.own)
        for text in (own, u.previous):
            named = articles.article_named(idx, text) if text else None
            if named is not None:
                return named
        for text in (own, u.previous):
            if text and understanding.content_terms(text, idx.lex_sentences):
                query = analyse(idx, text, holds=self.weights.holds)
                ranked = answering.rank(idx, self.weights, query, answering.question_vector(idx, self.weights, text))
                if ranked:
                    return int(idx.para_article[int(idx.sent_para[ranked[0].sentence])])
        return None

    @_store_refusals
    def verify(self, text: str, *, since: str | None = None, until: str | None = None) -> Verification:
        """Check the figures of a claim or a draft paragraph against the articles (of a period:
        ``since``, ``until``)."""
        from .verify.check import claims_by_sentence, verify

        claim = check_text(text, what="claim", limit=MAX_CLAIM_CHARS)
        count = sum(len(claims) for _, claims in claims_by_sentence(claim))
        if count > MAX_CLAIMS:
            raise InputError(f"核实内容有 {count} 处说法,上限是 {MAX_CLAIMS} 处,请分段核实。", "too_many_claims")
        years = sorted(self.years(), reverse=True)
        named = "" if since or until else policy.named_year(self.years(), claim)
        if since or until or named or len(years) < 2:
            scope = self.scope(since or named or None, until or named or None)
            return verify(self.index, claim, scope=scope, weights=self.weights)
        # An archive of several years and a claim naming none: checked against the newest year
        # whose articles report it; a figure that another year's source confirms is noted so.
        # Years are checked newest first and only as far as needed.
        checks = ((y, verify(self.index, claim, scope=self.scope(y, y), weights=self.weights)) for y in years)
        newest: Verification | None = None
        for _, result in checks:
            newest = newest or result
            if result.verdict != "not_found":
                break
        else:
            return newest if newest is not None else result
        if result.verdict == "contradicted":
            other = next((y for y, r in checks if r.verdict == "supported"), "")  # the older years
            if other:
                result = dataclasses.replace(result, note=f"与{other}年数字一致")
        return result

    def verify_draft(self, text: str, *, since: str | None = None, until: str | None = None) -> Verification:
        """Check a whole draft (a file's text, a paragraph a line): each paragraph with a figure as
        ``verify`` checks one, then one verdict, the worst, over every claim."""
        from .language.numbers import parse
        from .verify.check import NOT_FOUND, SEVERITY, Verification, claims_by_sentence

        paragraphs = [p.strip() for p in text.splitlines() if p.strip() and parse(p)]
        count = sum(len(claims) for p in paragraphs for _, claims in claims_by_sentence(p[:MAX_CLAIM_CHARS]))
        if count > MAX_DRAFT_CLAIMS:  # counted before any is checked: the work is bounded
            raise InputError(f"稿件有 {count} 处说法,上限是 {MAX_DRAFT_CLAIMS} 处,请分开核实。", "too_many_claims")
        results = [self.verify(p, since=since, until=until) for p in paragraphs]
        claims = [c for r in results for c in (r.claims or [r])]
        worst = max((r.verdict for r in results), key=SEVERITY.__getitem__, default=NOT_FOUND)
        return Verification(claim=text.strip(), verdict=worst, evidence="", citation=None, claims=claims)

    def _passages(self, ranked: list[answering.Scored], top_k: int) -> list[Passage]:
        best: dict[int, float] = {}
        for s in ranked:
            pid = int(self.index.sent_para[s.sentence])
            best[pid] = max(best.get(pid, s.passage), s.passage)
        out = []
        for pid, score in sorted(best.items(), key=lambda kv: -kv[1])[:top_k]:
            para = self.index.paragraphs[pid]
            article = self.index.articles[int(self.index.para_article[pid])]
            out.append(Passage(article.doc, article.title, para.number, para.text, round(score, 4), article.source))
        return out

    def paragraph_of(self, citation: Citation) -> tuple[str, list[str]]:
        """The subtitle-aware heading and the sentences of a cited paragraph (for display)."""
        for article in self.index.articles:
            if article.doc == citation.doc and article.title == citation.title:
                para = article.paragraphs[citation.paragraph - 1]
                return article.title, [s.text for s in para.sentences]
        raise KeyError(citation)
