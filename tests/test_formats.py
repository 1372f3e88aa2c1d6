"""Issue 36: the newsroom's own files (e-paper PDF pages, web pages, Word files) read into the same
articles as text files, on real files made by real tools (Chromium and reportlab PDFs, python-docx
documents, news-site pages in UTF-8 and GBK; tests/newsroom.py), the bad ones refused in bounded
time while the rest is built, and a reporter's Word draft handed back commented."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import newsroom
import pytest
import stub_model
from conftest import ROOT, SEED

from quoteqa.ingest.corpus import Article, parse
from quoteqa.ingest.scan import converter


def _read(path: Path) -> list[Article]:
    convert = converter(path.suffix)
    assert convert is not None
    return convert(path, path.name, path.read_bytes()).articles


def _same_articles(got: list[Article], want: list[Article]) -> None:
    """Headline, sub-headline, byline and every paragraph, exactly; nothing joined or split."""
    assert [a.title for a in got] == [a.title for a in want]
    for a, b in zip(got, want, strict=True):
        assert (a.subtitle, a.byline) == (b.subtitle, b.byline), a.title
        assert [p.text for p in a.paragraphs] == [p.text for p in b.paragraphs], a.title


def _stories_as_articles(stories: list[newsroom.Story]) -> list[Article]:
    text = "\n\n".join("\n\n".join([s.title, *([s.subtitle] if s.subtitle else []), *s.paragraphs]) for s in stories)
    return parse(text, "stories.txt")


def _no_page_furniture(articles: list[Article], paper: str) -> None:
    """No sentence of a running header, an advertisement or a jump line in any article."""
    text = "".join(p.text for a in articles for p in a.paragraphs)
    for furniture in (paper, "第1版", "第2版", "下转", "上接", "广告", *newsroom.AD_LINES):
        assert furniture not in text, furniture


@pytest.mark.parametrize("printer", ["reportlab", pytest.param("chromium", marks=pytest.mark.full)])
def test_every_story_of_an_epaper_page_lands_in_its_own_article_in_order(  # type: ignore[no-untyped-def]
    printer: str, tmp_path: Path, request
):
    """Five stories over two pages (3 and 4 columns, side by side and stacked, an advertisement, a
    story cut mid-paragraph that jumps to page 2): each story comes back whole, in order, with 0
    sentences joined across columns or stories and 0 of the header, the ad or the jump lines."""
    stories = newsroom.test_page_stories()
    out = tmp_path / "liuhe.pdf"
    if printer == "chromium":  # printed by the tests' own browser (one Playwright per process)
        pdf = newsroom.epaper_pdf_chromium(stories, out, paper="柳河日报", browser=request.getfixturevalue("browser"))
    else:
        pdf = newsroom.epaper_pdf_reportlab(stories, out, paper="柳河日报")
    articles = _read(pdf)
    _same_articles(articles, _stories_as_articles(stories))
    _no_page_furniture(articles, "柳河日报")
    assert [a.source.page for a in articles if "、" in a.source.page] == ["1、2"]  # the story that jumps
    assert {(a.source.paper, a.source.date, a.source.section) for a in articles} == {("柳河日报", "2024-07-20", "要闻")}


def test_the_bundled_articles_as_pdf_web_pages_and_word_files_are_the_text_corpus(tmp_path: Path) -> None:
    """The seed file's three articles printed as e-paper pages (reportlab), served as web pages (one
    UTF-8, one GBK, with navigation, related links and readers' comments that hold figures) and
    written as Word files: each format gives the same articles as the text file."""
    want = parse(SEED.read_text(encoding="utf-8"), SEED.name)
    stories = newsroom.bundled_stories()
    _same_articles(_read(newsroom.epaper_pdf_reportlab(stories, tmp_path / "epaper.pdf")), want)
    pages = newsroom.web_pages(stories, tmp_path / "web", ("utf-8", "gbk"))
    docs = [newsroom.word_docx(s, tmp_path / f"article-{i}.docx") for i, s in enumerate(stories, start=1)]
    _same_articles([a for p in pages for a in _read(p)], want)
    _same_articles([a for p in docs for a in _read(p)], want)
    page = _read(pages[1])[0]  # the GBK one
    assert (page.source.date, page.source.author, page.source.url) == (
        "2024-07-20",
        "朱梦琪",
        newsroom.story_url(stories[1]),
    )
    word = _read(docs[0])[0]
    assert (word.source.date, word.source.author) == ("2024-07-20", "朱梦琪")


def test_bad_files_are_refused_in_chinese_and_the_rest_is_built(tmp_path: Path) -> None:
    """An encrypted and a damaged PDF, HTML named .pdf, a .docx that is no zip and one that is a zip
    bomb, a 30 MB and a 100,000-deep web page, a PDF of 3,000 pages and a scan without a text layer,
    an old .doc: each is listed with its reason and the rest of the corpus is built."""
    from quoteqa.index.build import build

    corpus = tmp_path / "corpus"
    bad = newsroom.bad_files(corpus / "bad")
    (corpus / "bad" / "旧稿.doc").write_bytes(b"\xd0\xcf\x11\xe0 an old Word file")
    shutil.copy(SEED, corpus / SEED.name)
    start = time.perf_counter()
    stats = build(corpus, tmp_path / "index", model_name=stub_model.STUB)
    assert time.perf_counter() - start < 60
    assert stats.articles == 3
    skipped = "\n".join(stats.report.skipped)
    reasons = {
        "encrypted_pdf": "已加密",
        "damaged_pdf": "已损坏",
        "html_as_pdf": "内容却不是 PDF",
        "docx_not_zip": "不是 Word 文件",
        "docx_zip_bomb": "压缩炸弹",
        "huge_html": "超过上限 8 MB",
        "nested_html": "超过上限 400 层",
        "pdf_3000_pages": "超过每个文件 400 页的上限",
        "pdf_no_text": "没有文字层",
    }
    for key, reason in reasons.items():
        line = next((s for s in stats.report.skipped if s.startswith(f"bad/{bad[key].name}")), "")
        assert reason in line, (key, skipped)
    assert "旧稿.doc:不支持 .doc 格式的文件" in skipped
    assert stats.report.lines()[0].startswith("文本:读入 1 个文件")


@pytest.mark.full
def test_each_format_builds_an_index_that_answers_as_the_text_corpus(tmp_path: Path, model, browser) -> None:  # type: ignore[no-untyped-def]
    """The bundled articles as Chromium e-paper pages, as web pages and as Word files: answers to
    the development questions and verdicts on the claims are the text corpus's (quote and
    paragraph), and the PDF's citations carry the page."""
    from quoteqa import QA
    from quoteqa.index.build import build

    stories = newsroom.bundled_stories()
    folders = {name: tmp_path / name for name in ("text", "pdf", "web", "word")}
    for folder in folders.values():
        folder.mkdir()
    shutil.copy(SEED, folders["text"] / SEED.name)
    newsroom.epaper_pdf_chromium(stories, folders["pdf"] / "wujin-epaper.pdf", browser=browser)
    newsroom.web_pages(stories, folders["web"], ("utf-8", "gbk"))
    for i, story in enumerate(stories, start=1):
        newsroom.word_docx(story, folders["word"] / f"article-{i}.docx")
    questions = [json.loads(line)["question"] for line in (ROOT / "bench/sets/dev_questions.jsonl").open()][:40]
    claims = [json.loads(line)["claim"] for line in (ROOT / "bench/sets/claims.jsonl").open()][:30]
    seen: dict[str, list[tuple[object, ...]]] = {}
    for name, folder in folders.items():
        build(folder, tmp_path / f"index-{name}", model=model)
        qa = QA.load(tmp_path / f"index-{name}", model=model)
        answers = [qa.ask(q) for q in questions]
        cited = [
            (a.found, a.citations[0].quote, a.citations[0].paragraph) if a.citations else (a.found,) for a in answers
        ]
        seen[name] = cited + [(qa.verify(c).verdict,) for c in claims]
        if name == "pdf":
            pages = {c.source.page for a in answers for c in a.citations}
            assert pages and pages <= {"1", "1、2"}, pages
    for name in ("pdf", "web", "word"):
        assert seen[name] == seen["text"], name


DRAFT = [
    "上半年,武进旅游总收入超过100亿元,新增市重大项目和外资项目合计80个。",
    "年初全区上市企业为48家,新增省创新型中小企业400多家。",
    "本文不含数字的一段话。",
]


def _commented(path: Path) -> tuple[list[str], list[str], list[str]]:
    """(the paragraphs, the comments, the highlighted texts) of a Word file."""
    import docx

    document = docx.Document(str(path))
    marked = [r.text for p in document.paragraphs for r in p.runs if r.font.highlight_color is not None]
    return [p.text for p in document.paragraphs], [c.text for c in document.comments], marked


def test_a_reporters_word_draft_comes_back_commented(qa, built_index: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The draft's own Word file (figures cut between runs, a phrase in bold) comes back with the same
    text, each checked figure highlighted and commented: the verdict, the reading or arithmetic, and
    the source sentence with its citation."""
    from quoteqa.cli import main
    from quoteqa.verify.commented import commented_docx, draft_text

    draft = newsroom.draft_docx(DRAFT, tmp_path / "稿件.docx")
    text = draft_text(draft)
    result = qa.verify_draft(text)
    figures = [f for c in result.claims for f in c.figures]
    assert len(figures) == 4 and result.verdict == "contradicted"
    out = tmp_path / "核实后.docx"
    assert commented_docx(result, text, out, draft) == 4
    paragraphs, comments, marked = _commented(out)
    assert paragraphs == _commented(draft)[0]  # the reporter's text, unchanged
    assert "".join(marked) == "超过100亿元80个48家400多家"
    assert comments[0].startswith("不一致") and "95.37亿元" in comments[0] and "第 4 段" in comments[0]
    assert comments[1].startswith("一致") and "34个 + 46个 = 80个" in comments[1]
    again = tmp_path / "cli.docx"
    assert main(["verify", str(draft), "--out", str(again), "--index", str(built_index)]) == 0
    assert _commented(again)[1] == comments
