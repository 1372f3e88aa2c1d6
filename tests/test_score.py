"""The one scorer behind every published figure, on hand-made cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from harness.score import Item, Reply, load_items, score

JOBS = Item("上半年新增了多少就业岗位?", "figure", ("5.7万个",))
PARK = Item("新增口袋公园多少个?", "figure", ("口袋公园12个", "12个"))
WEATHER = Item("明天天气怎么样?", "out-of-scope", ())
FOLLOW = Item("增长多少?", "follow-up", ("增长10.68%",), ("九大重点产业集群产值多少?",))


def replies(table: dict[str, Reply]):  # type: ignore[no-untyped-def]
    asked: list[tuple[str, tuple[str, ...]]] = []

    def answer(q: str, history: tuple[str, ...]) -> Reply:
        asked.append((q, history))
        return table[q]

    return answer, asked


def test_a_first_quote_holding_a_gold_fragment_is_a_hit():
    answer, asked = replies(
        {
            JOBS.question: Reply(True, ["新增就业岗位5.7万个。", "x"], ["…5.7万个…"]),
            PARK.question: Reply(True, ["别的句子。", "新增口袋公园12个。"], ["别的段落", "口袋公园12个"]),
        }
    )
    s = score([JOBS, PARK], answer)
    assert (s.answerable, s.quote1, s.quote3, s.passage1, s.passage5) == (2, 1, 2, 1, 2)
    assert s.rate(s.quote1) == 0.5 and s.wrongly_abstained == 0
    assert len(s.misses) == 1 and "新增口袋公园多少个" in s.misses[0]
    assert asked == [(JOBS.question, ()), (PARK.question, ())]


def test_an_abstention_scores_no_quote_but_its_passages_still_count():
    answer, _ = replies({JOBS.question: Reply(False, ["新增就业岗位5.7万个。"], ["新增就业岗位5.7万个。"])})
    s = score([JOBS], answer)
    assert (s.quote1, s.quote3, s.passage1, s.wrongly_abstained) == (0, 0, 1, 1)
    assert s.found_recall == 0.0


def test_out_of_scope_counts_abstention_and_precision():
    answer, _ = replies({WEATHER.question: Reply(True, ["今天晴。"]), JOBS.question: Reply(True, ["5.7万个"])})
    s = score([WEATHER, JOBS], answer)
    assert (s.out_of_scope, s.abstained, s.answerable, s.quote1) == (1, 0, 1, 1)
    assert s.found_precision == 0.5 and s.misses == ["answered out-of-scope: 明天天气怎么样? -> ['今天晴。']"]
    answer, _ = replies({WEATHER.question: Reply(False, [])})
    assert score([WEATHER], answer).abstained == 1


def test_passages_count_by_file_when_the_item_names_one():
    item = Item("龙烟铁路全长多少公里?", "", ("123公里",), doc="0042.txt")
    answer, _ = replies(
        {item.question: Reply(True, ["全长123公里。"], ["不含答案的段落", "x"], ["0007.txt", "0042.txt"])}
    )
    s = score([item], answer)
    assert (s.passage1, s.passage5, s.quote1) == (0, 1, 1)


def test_empty_quotes_and_empty_golds_never_count():
    answer, _ = replies({JOBS.question: Reply(True, [""], [""])})
    s = score([JOBS], answer)
    assert (s.quote1, s.passage5) == (0, 0)
    assert score([], answer).as_row()["quote@1"] == 0.0  # no questions: no division by zero


def test_follow_ups_are_asked_with_their_history():
    answer, asked = replies({FOLLOW.question: Reply(True, ["产值增长10.68%。"])})
    assert score([FOLLOW], answer).quote1 == 1
    assert asked == [("增长多少?", ("九大重点产业集群产值多少?",))]


def test_load_items_reads_gold_null_as_out_of_scope_and_names_a_bad_line(tmp_path: Path):
    path = tmp_path / "set.jsonl"
    rows = [{"question": "a?", "kind": "k", "gold": "x"}, {"question": "b?", "gold": None, "history": ["a?"]}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    assert load_items(path) == [Item("a?", "k", ("x",)), Item("b?", "", (), ("a?",))]
    path.write_text('{"kind": "no question"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"set\.jsonl:1: not a question record"):
        load_items(path)
