"""What a question asks for (general interrogative words) and what a sentence holds (learned from
answer spans over part-of-speech tags). None of this depends on the embedding model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from quoteqa.ask import models
from quoteqa.ingest.text import normalize
from quoteqa.language import kinds


@pytest.mark.parametrize(
    ("question", "kind", "attribute"),
    [
        ("太湖湾音乐节门票多少钱", "amount", "门票"),
        ("武进房价现在多少一平", "amount", "房价"),
        ("湖塘镇徐园几点开门", "clock", "开门"),
        ("淮泰常铁路什么时候通车", "date", "通车"),
        ("武进人民医院南院在哪条路", "place", ""),
        ("武进区委书记是谁", "person", "区委书记"),
        ("7所新学校都叫啥名字", "names", "学校"),
        ("都有哪些项目", "list", "项目"),
        ("人民医院怎么挂号啊", "procedure", "挂号"),
        ("省创新型中小企业咋申报", "procedure", "申报"),
        ("为什么推进改革要重落实", "reason", ""),
        ("上半年新增了多少就业岗位", "quantity", "岗位"),
        ("武进常住人口有多少", "quantity", "常住人口"),
        ("娃读书的学校够不够", "yesno", "学校"),
        ("武进上半年经济怎么样", "open", ""),
        ("上半年旅游总收入", "", ""),
        # 「咋办」 ending a question asks what becomes of something, not a procedure; 哪几块 is not money
        ("那些老的传统工厂以后咋办", "open", "工厂"),
        ("医保怎么办异地备案", "procedure", ""),
        ("用地清单制企业要怎么办理", "procedure", "企业"),
        ("改革主要抓哪几块", "list", ""),
        ("门票几块钱", "amount", "门票"),
    ],
)
def test_the_kind_and_attribute_asked_for(question: str, kind: str, attribute: str):
    asked = kinds.asked(normalize(question))
    assert asked.kind == kind
    if attribute:
        assert asked.attribute == attribute


def test_only_typed_kinds_can_be_missing_from_a_sentence():
    assert kinds.asked("门票多少钱").typed
    assert not kinds.asked("娃读书的学校够不够").typed
    assert not kinds.asked("经济怎么样").typed


def test_attribute_share_counts_characters():
    assert kinds.attribute_share("门票", "音乐节门票免费") == 1.0
    assert kinds.attribute_share("学校", "7所新校即将投用") == 0.5
    assert kinds.attribute_share("平均工资", "新增就业岗位5.7万个") == 0.0
    assert kinds.attribute_share("", "任何句子") == 1.0


def _spans() -> list[kinds.Span]:
    """Synthetic answers: amounts of money before 元, dates before 年, places after 位于."""
    out = []
    for i in range(40):
        s = f"第{i}批项目总投资{i + 3}亿元,位于湖塘镇,{2000 + i}年建成。"
        for kind, gold in (("amount", f"{i + 3}亿元"), ("date", f"{2000 + i}年"), ("place", "湖塘镇")):
            at = s.index(gold)
            out.append(kinds.Span(kind, s, at, at + len(gold)))
    return out


def test_what_a_sentence_holds_is_learned_from_answer_spans():
    weights = kinds.fit_holds(_spans())
    assert weights.shape == (len(kinds.TYPED), kinds.DIM + 1)
    amount, date = kinds.TYPED.index("amount"), kinds.TYPED.index("date")
    with_money = kinds.holds(weights, "全区新建学校总投资12亿元。")
    without = kinds.holds(weights, "全区新建学校即将投用。")
    assert with_money[amount] > 0.5 > without[amount]
    assert kinds.holds(weights, "该校1998年建成。")[date] > without[date]


def test_related_terms_are_what_the_sentence_shares_with_the_question():
    said = kinds.related_terms("太湖湾音乐节门票", "第四届太湖湾音乐节吸引游客10万人次。", skip="门票")
    assert said == "太湖湾音乐节"
    assert kinds.related_terms("房价", "新增就业岗位5.7万个。") == ""


def test_a_weights_file_whose_holds_model_is_not_this_versions_is_refused(tmp_path: Path):
    shipped = models.MODEL_FILE
    for f in shipped.parent.glob("weights.*"):
        shutil.copy(f, tmp_path / f.name)
    copy = tmp_path / shipped.name
    d = json.loads(copy.read_text(encoding="utf-8"))
    assert d["holds"]["kinds"] == list(kinds.TYPED)
    models.Model.load(copy)  # the shipped copy loads
    d["holds"]["kinds"] = d["holds"]["kinds"][:-1]
    copy.write_text(json.dumps(d), encoding="utf-8")
    with pytest.raises(ValueError, match="make train"):
        models.Model.load(copy)
    d = json.loads(shipped.read_text(encoding="utf-8"))
    del d["answerability"]["weights"]["lacks_date"]
    copy.write_text(json.dumps(d), encoding="utf-8")
    with pytest.raises(ValueError, match="make train"):
        models.Model.load(copy)
    np.save(tmp_path / "weights.holds.npy", np.zeros((2, 2), dtype=np.float16))
    d = json.loads(shipped.read_text(encoding="utf-8"))
    copy.write_text(json.dumps(d), encoding="utf-8")
    with pytest.raises(ValueError, match=r"sha256|make train"):
        models.Model.load(copy)
