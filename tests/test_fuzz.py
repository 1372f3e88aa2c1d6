"""Random and adversarial text, numbers and histories at every door within the limits (issue 24):
no traceback, no request over a second of CPU, one answer per input. On the stub model: what is
tested is the code around the model, not its quality."""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quoteqa import QA
from quoteqa.language.inputs import MAX_CLAIM_CHARS, MAX_HISTORY, MAX_QUESTION_CHARS, InputError

# What citizens and attackers type: Chinese, digits and Chinese numerals, units, punctuation,
# white space and control characters, the asking and follow-up words the patterns look for.
PIECES = st.sampled_from(
    list("一二三四五六七八九十百千万亿两零〇0123456789.%元家个年月日点")
    + list(" \t\n\r\x00\x1b\u200b\u2066")
    + ["多少", "几点", "怎么", "哪里", "谁", "那", "呢", "这", "吗", "上半年", "去年", "新增", "累计", "万元"]
    + ["就业岗位", "旅游总收入", "GDP", "《", "》", "、", "“", "”", "(", ")", ",", "。", "?", "!"]
)
# Characters the part-of-speech tagger's model does not know (齉) or knows with many states (国),
# and any Chinese character at random: issue 39 found 8 ms of CPU a character in them.
RARE = st.sampled_from(list("齉龘靐齾爩鱻麤龗灪讟国的是"))
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
TEXT = st.one_of(
    st.text(max_size=60),
    st.lists(PIECES, max_size=80).map("".join),
    st.tuples(PIECES, st.integers(1, 400)).map(lambda p: p[0] * p[1]),
    st.tuples(RARE, st.integers(1, 500)).map(lambda p: "那" + p[0] * p[1] + "呢"),
    st.text(CJK, min_size=100, max_size=2000),
    st.lists(st.text(CJK, min_size=10, max_size=16), max_size=40).map(",".join),
)
# The most CPU one request took in each fuzz test of this run (printed by the last test of a module).
WORST: dict[str, float] = {}


def worst(test: str, seconds: float) -> None:
    WORST[test] = max(WORST.get(test, 0.0), seconds)


FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def qa(stub_index: Path) -> QA:
    q = QA.load(stub_index)
    q.ask("预热")
    q.ask("今年新开几所学效")  # what is built once, on the first question with a typo (the sound index)
    q.verify("新增上市企业2家")
    return q


def _cpu(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.process_time()
    fn()
    return time.process_time() - start


@FUZZ
@given(question=TEXT, history=st.lists(TEXT, max_size=8))
def test_ask_answers_or_refuses_every_question(qa: QA, question: str, history: list[str]) -> None:
    def ask() -> None:
        try:
            answer = qa.ask(question[:MAX_QUESTION_CHARS], history=[h[:MAX_QUESTION_CHARS] for h in history])
        except InputError as exc:
            assert exc.code and str(exc)
            return
        json.dumps(answer.to_dict(), ensure_ascii=False)
        assert answer.found or answer.answer == ""

    spent = _cpu(ask)
    worst("ask (Python API)", spent)
    assert spent < 1.0


@FUZZ
@given(claim=st.one_of(TEXT, st.lists(TEXT, max_size=20).map("。".join)))
def test_verify_gives_a_verdict_or_a_message(qa: QA, claim: str) -> None:
    def verify() -> None:
        try:
            result = qa.verify(claim[:MAX_CLAIM_CHARS])
        except InputError as exc:
            assert exc.code and str(exc)
            return
        assert result.verdict in ("supported", "contradicted", "not_found")
        json.dumps(result.to_dict(), ensure_ascii=False)

    spent = _cpu(verify)
    worst("verify (Python API)", spent)
    assert spent < 1.0


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(
        st.one_of(
            TEXT,
            st.builds(
                lambda q, h: json.dumps({"question": q, "history": h}), TEXT, st.lists(TEXT, max_size=MAX_HISTORY + 2)
            ),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_the_cli_writes_one_json_line_per_input_line(
    stub_index: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, lines: list[str]
) -> None:
    from quoteqa.cli import main

    lines = [" ".join(line.splitlines()) for line in lines]  # one input line each
    data = "".join(line + "\n" for line in lines).encode("utf-8", "surrogateescape")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="surrogateescape"))
    code = main(["ask", "--index", str(stub_index), "--json"])
    out = capsys.readouterr().out.splitlines()
    assert code in (0, 1) and len(out) == len(lines)
    for row in out:
        json.loads(row)


def test_zz_worst_cpu_per_request_is_printed_and_under_a_second(capsys: pytest.CaptureFixture[str]) -> None:
    """The worst CPU per request the fuzz tests above found (issue 39: the floor is 1 s)."""
    with capsys.disabled():
        for name, seconds in sorted(WORST.items()):
            print(f"\nworst CPU per request, {name}: {seconds:.3f} s")
    assert all(seconds < 1.0 for seconds in WORST.values())
