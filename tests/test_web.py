"""The chat renderer and handlers, without a server."""

from __future__ import annotations

import html as html_module
import json
from pathlib import Path

from quoteqa import QA
from quoteqa.index.build import build
from quoteqa.web.page import CSS
from quoteqa.web.render import NOT_FOUND, _figures, render, render_verification
from quoteqa.web.ui import build_ui


def test_answer_html_marks_figures_and_the_quoted_sentence(qa: QA):
    html = render(qa.ask("上半年新增了多少就业岗位?"), qa)
    assert '<mark class="fig">5.7万个</mark>' in html
    assert "第 5 段" in html and "《持之以恒奋力拼搏实干 拼出争先进位的过硬成果》" in html
    assert '<mark class="hit">' in html and "<details>" in html
    assert "\n\n" not in html  # one HTML block, so Markdown leaves it alone
    # what 复制, 分享 and 👍/👎 act on: JSON text in the answer, never markup
    data = json.loads(html_module.unescape(html.split('<span class="qa-data qa-hidden">')[1].split("</span>")[0]))
    title = "《持之以恒奋力拼搏实干 拼出争先进位的过硬成果》"
    assert data == {
        "copy": f"「持续打响“创富武进”品牌,新增就业岗位5.7万个。」——{title}第 5 段(2024年7月)",
        "q": "上半年新增了多少就业岗位?",
        "link": "上半年新增了多少就业岗位?",
        "kind": "answer",
        "sentence": "持续打响“创富武进”品牌,新增就业岗位5.7万个。",
    }
    for button in ("qa-copy", "qa-share", "qa-up", "qa-down"):
        assert f'class="qa-act {button}"' in html


def test_quantities_are_highlighted_and_slogan_numerals_are_not():
    html = _figures("以“十个吾优”擦亮“六个常有”民生品牌,坚持“1+8+5”治理路径,新增就业岗位5.7万个。")
    assert html.count("<mark") == 1 and '<mark class="fig">5.7万个</mark>' in html


def test_only_evidence_that_belongs(qa: QA):
    for question in ("上半年新增了多少就业岗位?", "上半年旅游总收入是多少?", "新增上市企业几家?"):
        answer = qa.ask(question)
        for c in answer.citations[1:]:  # a further citation holds a figure too, for a figure question
            assert any(ch.isdigit() for ch in c.quote), (question, c.quote)


def test_not_found_html(qa: QA):
    html = render(qa.ask("武进的房价多少钱一平?"), qa)
    assert NOT_FOUND in html and "相关原文" in html and "没有提到房价" in html


def test_corpus_markup_is_escaped(tmp_path: Path, model):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "x.txt").write_text(
        "<b>标题</b>\n\n新增<script>alert(1)</script>就业岗位<img src=x onerror=alert(1)>5.7万个。\n", encoding="utf-8"
    )
    build(corpus, tmp_path / "index", model=model)
    qa = QA.load(tmp_path / "index", model=model)
    html = render(qa.ask("新增就业岗位多少个?"), qa)
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(" in html  # figures may be marked inside


def test_ui_builds_around_a_qa(qa: QA):
    demo = build_ui(qa)
    assert "ask" in {d.api_name for d in demo.fns.values()}


def test_votes_are_kept_only_for_the_articles_own_text(qa: QA, tmp_path: Path):
    """Issue 24, row 14: 1,000 spoofed votes stored 6 MB of attacker text; a 核实 row without a source
    stored the reporter's claim. Without --log-questions only the articles' sentences are kept."""
    import stat

    from quoteqa.web.feedback import FeedbackStore
    from quoteqa.web.ui import quoted

    answer = qa.ask("上半年新增了多少就业岗位?")
    assert quoted(qa, answer.answer)
    paragraph = next(p for p in qa.index.paragraphs if len(p.sentences) >= 2)
    first, second = paragraph.sentences[0].text, paragraph.sentences[1].text
    assert quoted(qa, first + second)  # a run of two sentences of one paragraph, as a quote gives it
    assert not quoted(qa, qa.index.paragraphs[0].sentences[-1].text + qa.index.paragraphs[1].sentences[0].text)
    assert not quoted(qa, "攻击者写的一句话。") and not quoted(qa, "") and not quoted(qa, first * 100)
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    assert stat.S_IMODE((tmp_path / "fb.sqlite3").stat().st_mode) == 0o600
    assert not store.log_questions


def _data_of(html: str) -> dict[str, str]:
    start = html.index('<span class="qa-data qa-hidden">') + len('<span class="qa-data qa-hidden">')
    return dict(json.loads(html_module.unescape(html[start : html.index("</span>", start)])))


def test_a_share_link_carries_the_question_as_understood(qa: QA):
    """A follow-up's link asks the completed question, so that it opens the answer the sharer saw."""
    answer = qa.ask("累计呢", history=["上半年新增了多少家上市企业?"])
    data = _data_of(render(answer, qa))
    assert data["q"] == "累计呢" and data["link"] == answer.interpreted and "上市企业" in data["link"]
    alone = qa.ask("新增了几所学效")  # a repaired typo: the link asks what was answered
    assert _data_of(render(alone, qa))["link"] == alone.interpreted == "新增了几所学校"


def test_a_follow_up_with_nothing_to_follow_is_shown_as_a_request_for_the_topic(qa: QA):
    html = render(qa.ask("增长多少?"), qa)
    assert "请说明您想问哪一项" in html and NOT_FOUND not in html


def test_the_marked_draft_keeps_its_line_breaks(qa: QA):
    draft = "上半年武进旅游总收入超过100亿元。\n新增就业岗位5.7万个。"
    html = render_verification(qa.verify(draft), draft)
    assert "</mark>。\n新增" in html.split('<div class="vf-draft">')[1]
    assert ".vf-draft {" in CSS and "white-space: pre-wrap" in CSS.split(".vf-draft {")[1].split("}")[0]


def test_a_caution_looks_like_one_and_travels_with_the_copy(qa: QA):
    """Issue 37: a quote shown below the sure confidence is related reading, not an answer: its own
    label and look, no figure marked as an answer, and 复制 carries the caution with it."""
    from quoteqa.web.render import UNSURE, UNSURE_COPIED

    answer = qa.ask("上半年财政收入多少")  # the articles give 旅游总收入, not 财政收入
    assert answer.found and not answer.sure
    shown = render(answer, qa)
    assert UNSURE in shown and 'class="qa-quote qa-related"' in shown
    assert 'class="fig"' not in shown and 'class="hit"' not in shown
    assert _data_of(shown)["copy"].startswith(UNSURE_COPIED)
    sure = render(qa.ask("上半年新增了多少就业岗位?"), qa)
    assert UNSURE not in sure and 'class="fig"' in sure and not _data_of(sure)["copy"].startswith(UNSURE_COPIED)
