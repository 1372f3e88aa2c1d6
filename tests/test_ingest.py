"""Ingest: articles, paragraphs and sentences of the seed, page-break repair, bad files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import SEED

from quoteqa.ingest.corpus import CorpusError, parse, read_text
from quoteqa.ingest.scan import load_corpus
from quoteqa.ingest.text import split_sentences

PARAGRAPH_END = "。!?;:…”’」』)》】"


def seed_articles():
    return parse(read_text(SEED, SEED.name), SEED.name)


def test_seed_has_three_articles_with_headlines_and_bylines():
    arts = seed_articles()
    assert [a.title for a in arts] == [
        "因地制宜发展新质生产力 谱写高质量发展的崭新篇章",
        "持之以恒奋力拼搏实干 拼出争先进位的过硬成果",
        "用好改革“关键招” 向“新”求“质”启新程",
    ]
    assert arts[1].subtitle == "今年上半年我区现代化强区建设取得新进展"
    assert arts[0].byline == "本报讯(记者 朱梦琪)"
    assert arts[2].byline == "□ 本报评论员"
    assert [len(a.paragraphs) for a in arts] == [7, 6, 8]
    assert [p.number for p in arts[2].paragraphs] == list(range(1, 9))


def test_every_paragraph_is_whole_after_page_break_repair():
    """By the rule: no paragraph ends mid-sentence, and each block cut that way was joined."""
    raw_blocks = [b.strip() for b in SEED.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    cut = [b for b in raw_blocks if b[-1] not in PARAGRAPH_END and re.search("[。,]", b)]
    assert len(cut) == 7  # the seed's page breaks
    paragraphs = [p.text for a in seed_articles() for p in a.paragraphs]
    for text in paragraphs:
        assert text[-1] in PARAGRAPH_END, text[-30:]
    for block in cut:
        joined = [t for t in paragraphs if block in t]
        assert len(joined) == 1 and not joined[0].endswith(block), block[-20:]


def test_headline_is_never_glued_to_a_paragraph():
    for a in seed_articles():
        for p in a.paragraphs:
            assert a.title not in p.text
            if a.subtitle:
                assert a.subtitle not in p.text


def test_paragraphs_are_verbatim_and_sentences_rebuild_them():
    seed = SEED.read_text(encoding="utf-8").replace("\n", "")
    for a in seed_articles():
        for p in a.paragraphs:
            assert p.text in seed
            assert "".join(s.text for s in p.sentences) == p.text


def test_page_break_repair_on_synthetic_text():
    text = "标题一\n\n第一段开头是这样的,句子被分页符切\n\n断了。第二句完整。\n\n第二段。\n\n新标题\n\n新文章第一段。\n"
    arts = parse(text, "x.txt")
    assert [a.title for a in arts] == ["标题一", "新标题"]
    assert [p.text for p in arts[0].paragraphs] == ["第一段开头是这样的,句子被分页符切断了。第二句完整。", "第二段。"]


def test_a_signed_articles_section_headings_stay_in_it():
    """「蓝天底色更亮」 between two paragraphs of a signed article heads a section of it, so the section's
    figures keep the article's place and date; a heading followed by a new byline starts a new article."""
    text = (
        "云溪县生态环境持续向好\n\n本报讯(记者 林晓岚)今年前三季度,云溪县空气质量优良天数达246天。\n\n"
        "碧水成色更足\n\n全县考核断面共24个,其中国考断面5个。\n\n"
        "另一篇报道的标题\n\n本报讯(记者 周启明)白沙镇新建公园3个。\n"
    )
    arts = parse(text, "x.txt")
    assert [a.title for a in arts] == ["云溪县生态环境持续向好", "另一篇报道的标题"]
    assert [p.text for p in arts[0].paragraphs][1:] == ["碧水成色更足", "全县考核断面共24个,其中国考断面5个。"]
    unsigned = parse("标题一\n\n第一段。\n\n标题二\n\n第二篇第一段。\n", "y.txt")
    assert [a.title for a in unsigned] == ["标题一", "标题二"]


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("他说:“要干。”然后走了。", ["他说:“要干。”", "然后走了。"]),
        ("全区累计20家,总数全市第一;新增120家。", ["全区累计20家,总数全市第一;", "新增120家。"]),
        ("增长12%以上!真的?是的。", ["增长12%以上!", "真的?", "是的。"]),
        ("没有结尾标点", ["没有结尾标点"]),
        ("(2024—2026年)》。下一句。", ["(2024—2026年)》。", "下一句。"]),
    ],
)
def test_sentence_splitting(paragraph: str, expected: list[str]):
    assert split_sentences(paragraph) == expected


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\xb0\xa1 bad", "not valid UTF-8"),
        (b"", "empty"),
        (b"   \n\n  ", "empty"),
        (b"abc\x00def", "binary"),
    ],
)
def test_bad_corpus_files_are_named(tmp_path: Path, content: bytes, message: str):
    (tmp_path / "good.txt").write_text("标题\n\n正文一句。\n", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(content)
    with pytest.raises(CorpusError, match=rf"bad\.txt.*{message}"):
        list(load_corpus(tmp_path))


def test_bom_and_crlf_are_accepted(tmp_path: Path):
    (tmp_path / "a.txt").write_bytes("\ufeff标题\r\n\r\n正文一句。第二句。\r\n".encode())
    [(rel, _, arts)] = list(load_corpus(tmp_path))
    assert rel == "a.txt" and arts[0].title == "标题"
    assert [s.text for s in arts[0].paragraphs[0].sentences] == ["正文一句。", "第二句。"]
