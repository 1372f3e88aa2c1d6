"""Answering internals on the stub-model index: question analysis, focus weights, questions about
the article itself, multi-sentence runs. None of these depends on the embedding model's quality."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from quoteqa.ask import answer as answering
from quoteqa.ask import articles, evidence, features, models, question
from quoteqa.index.store import Index, load


@pytest.fixture(scope="module")
def idx(stub_index: Path) -> Index:
    return load(stub_index)


def test_analyse_reads_kinds_terms_and_carried_context(idx: Index):
    q = question.analyse(idx, "上半年新增了多少就业岗位?")
    assert "就业" in q.terms and "岗位" in q.terms and q.cjk and q.unknown_codes == ()
    assert all(w > 0 for w in q.terms.values())
    assert q.kinds  # a "how many" question asks for a figure
    follow = question.analyse(idx, "增长多少?", "九大重点产业集群产值")
    own = question.analyse(idx, "增长多少?")
    carried = set(follow.terms) - set(own.terms)
    assert {"产业", "集群", "产值"} <= carried
    for t in carried:  # a carried term counts half as much as the user's own would
        assert follow.terms[t] == pytest.approx(question.CONTEXT_WEIGHT * idx.lex_sentences.idf(t))


def test_latin_words_the_corpus_lacks_are_reported(idx: Index):
    assert "gdp" in question.analyse(idx, "武进区上半年GDP是多少?").unknown_codes
    assert not question.analyse(idx, "What is the GDP?").cjk


def test_focus_weights_favour_the_terms_that_tell_sentences_apart():
    terms = {"旅游": 2.0, "收入": 2.0, "岗位": 2.0}
    w = features._focus_weights(terms, {"旅游": 6, "收入": 1}, n=6)
    assert "岗位" not in w  # a term absent from the paragraph weighs nothing here
    assert w["收入"] > w["旅游"] > 0  # the term in one sentence of six tells them apart
    assert w["收入"] == pytest.approx(2.0 * np.log(8 / 1.5))


def test_questions_about_the_article_are_recognised_and_answered_from_its_parts(idx: Index):
    assert articles.meta_kind("这篇文章是谁写的?") == "byline"
    assert articles.meta_kind("标题是什么") == "headline"
    assert articles.meta_kind("这是哪次会议上说的?") == "meeting"
    assert articles.meta_kind("上半年新增了多少就业岗位?") is None
    bylines = [articles.about_article(idx, "byline", a) for a in range(len(idx.articles))]
    assert any(c is not None and "朱梦琪" in c.quote and c.part == "byline" for c in bylines)
    headline = articles.about_article(idx, "headline", 0)
    assert headline is not None and headline.quote == idx.articles[0].title and headline.paragraph == 0
    meeting = articles.about_article(idx, "meeting", 0)
    assert meeting is None or any(w in meeting.quote for w in ("会议", "全会", "大会"))


def test_article_named_needs_two_shared_terms(idx: Index):
    title = idx.articles[1].title
    assert articles.article_named(idx, title) == 1
    assert articles.article_named(idx, "发展") is None  # one shared word names no article
    assert articles.without_meta_words("这篇文章是谁写的").strip() in ("", "是")


def test_an_article_is_named_by_a_byline_word_or_by_its_place(idx: Index):
    commentary = next(i for i, a in enumerate(idx.articles) if "评论员" in a.byline)
    # 评论 is in one byline and no sentence: it names that article alone, where 发展 (above) does not
    assert articles.article_named(idx, "评论文章") == commentary
    last = len(idx.articles) - 1
    assert articles.article_named(idx, "第一篇") == 0
    assert articles.article_named(idx, "第 2 篇") == 1
    assert articles.article_named(idx, "最后一篇") == last
    assert articles.article_named(idx, "第九篇") is None
    assert articles.place_past_end(idx, "第九篇文章的标题") and not articles.place_past_end(idx, "第一篇")
    assert articles.meta_kind("副标题是什么") == "subtitle"
    with_subtitle = next(i for i, a in enumerate(idx.articles) if a.subtitle.strip())
    sub = articles.about_article(idx, "subtitle", with_subtitle)
    assert sub is not None and sub.quote == idx.articles[with_subtitle].subtitle.strip() and sub.part == "subtitle"
    without = next(i for i, a in enumerate(idx.articles) if not a.subtitle.strip())
    assert articles.about_article(idx, "subtitle", without) is None


def test_a_run_continues_only_inside_the_paragraph(idx: Index):
    query = question.analyse(idx, "上半年新增了多少就业岗位?")
    weights = models.for_model(idx.model_name)
    ranked = answering.rank(idx, weights, query, answering.question_vector(idx, weights, query.text))
    assert ranked and ranked == sorted(ranked, key=lambda s: -s.score)
    run = answering.answer_run(idx, query, ranked)
    assert run[0] == ranked[0].sentence
    assert run == list(range(run[0], run[0] + len(run)))  # consecutive sentences
    assert len({int(idx.sent_para[s]) for s in run}) == 1  # of one paragraph
    shown, confidence = answering.judge(idx, weights, query, ranked)
    assert 0.0 <= confidence <= 1.0 and (confidence > 0) == shown


def test_a_figure_the_question_states_is_not_the_figure_asked_for(idx: Index):
    sid = next(i for i, s in enumerate(idx.sentences) if "95.37亿元" in s.text)
    asked = question.analyse(idx, "上半年旅游总收入多少?")
    assert evidence.gives_figure(idx, asked, sid)
    # the question states the sentence's figures itself: the sentence repeats them, it does not answer
    restated = question.analyse(idx, "接待815万人次、收入95.37亿元的是哪个区?")
    assert not evidence.gives_figure(idx, restated, sid)


def _signal(name: str, idx: Index, asked: question.Query, sid: int) -> float:
    signal = next(s for s in features.ANSWERABILITY if s.name == name)
    best = features.Best(idx, asked, sid, features.Scores(0.0, 0.0, 0.0, 0.0, 0.0), False, {})
    return signal.value(best)


def test_a_question_that_states_the_sentences_count_and_asks_for_the_members_only_repeats_it(idx: Index):
    sid = next(i for i, s in enumerate(idx.sentences) if "招引落户重大项目153个" in s.text)
    other = next(i for i, s in enumerate(idx.sentences) if "新增上市企业2家" in s.text)
    members = question.analyse(idx, "招引落户的153个重大项目都是哪些?")
    assert members.asked.kind == "list"
    assert _signal("repeats_figure", idx, members, sid) == 1.0
    assert _signal("repeats_figure", idx, members, other) == 0.0  # it does not state 153
    # asking for the figure itself is not repeating it
    count = question.analyse(idx, "招引落户重大项目多少个?")
    assert _signal("repeats_figure", idx, count, sid) == 0.0


def test_the_trainer_learns_answerability_only_from_questions_the_product_judges(stub_index: Path):
    from quoteqa import QA

    qa = QA.load(stub_index)

    def judged(q: str, history: list[str] | None = None) -> bool:
        understood, _ = qa.understand(q, history or [])
        return qa.judges(understood)  # what the trainer asks of every training question

    assert judged("上半年新增了多少就业岗位?")
    assert not judged("评论文章作者是谁")  # answered from the byline
    assert not judged("第一篇文章标题是啥")  # from the headline
    assert not judged("上半年成绩那篇的副标题是什么")  # from the sub-headline of the article it names
    assert not judged("增长多少?")  # asked for its topic
    assert judged("增长多少?", ["九大重点产业集群产值多少?"])


def test_a_deputys_title_does_not_name_the_title(qa) -> None:  # type: ignore[no-untyped-def]
    """Issue 37: 「区委副书记」 holds every character of 区委书记 but names another title: the question
    is refused, saying what is missing, while 区长 (named in the same sentence) is answered."""
    asked = qa.ask("武进区委书记是谁")
    assert not asked.found and asked.missing is not None and "没有提到区委书记" in asked.missing.message
    assert qa.ask("区长是谁").found
