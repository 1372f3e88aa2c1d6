"""The README cannot drift from what the product does (issue 38): every `quoteqa …` example of its
shell blocks is run, as written, in a copy of the bundled corpus and index, and what it prints is
compared line by line with what the README shows under it (「…」 stands for text the README leaves
out); every JSON example's keys, and its values other than scores, are those the product gives.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

README = ROOT / "README.md"
QUOTEQA = Path(sys.executable).with_name("quoteqa")
# Examples that need what a test machine does not have: a model folder of the reader's own, the
# weights trained with it, a Milvus server on the network.
NEEDS_ELSEWHERE = ("/models/", "bge-weights.json", "http://milvus.internal")
ELIDED = "…"

pytestmark = pytest.mark.full


def shell_blocks() -> list[str]:
    return [
        m.group(2) for m in re.finditer(r"^```(sh|bash)\n(.*?)^```", README.read_text(encoding="utf-8"), re.M | re.S)
    ]


def is_command(line: str) -> bool:
    return bool(re.match(r"(\.venv/bin/)?quoteqa\b", line) or re.search(r"\| (\.venv/bin/)?quoteqa\b", line))


def examples() -> list[tuple[str, list[str]]]:
    """(command line, the lines the README shows it printing) of every `quoteqa` example: the lines
    under a command up to a blank line, a comment or the next command."""
    found: list[tuple[str, list[str]]] = []
    for block in shell_blocks():
        output: list[str] | None = None
        for line in block.splitlines():
            if is_command(line):
                output = []
                found.append((line, output))
            elif not line.strip() or line.startswith("#"):
                output = None
            elif output is not None:
                output.append(line)
    return found


def runnable(command: str) -> bool:
    return not any(need in command for need in NEEDS_ELSEWHERE)


def shown_pattern(line: str) -> re.Pattern[str]:
    """A README output line as a pattern: 「…」 matches any text, everything else itself."""
    return re.compile(".*".join(re.escape(part) for part in line.split(ELIDED)))


def command_line(command: str) -> str:
    """The README's command with its program as installed: without the shell comment."""
    command = re.sub(r"\s+#[^'\"]*$", "", command)
    return re.sub(r"(\.venv/bin/)?quoteqa\b", str(QUOTEQA), command)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the checkout's corpus and bundled index, where the examples run as written."""
    work = tmp_path_factory.mktemp("readme")
    shutil.copytree(ROOT / "corpus", work / "corpus")
    shutil.copytree(ROOT / "index", work / "index")
    (work / "archive").mkdir()
    return work


def test_the_readme_has_examples_to_run() -> None:
    commands = [c for c, _ in examples()]
    assert len([c for c in commands if runnable(c)]) >= 8, commands
    assert any("GDP" in c for c in commands) and any(" verify " in c for c in commands)


@pytest.mark.parametrize(("command", "shown"), [e for e in examples() if runnable(e[0])], ids=lambda v: str(v)[:40])
def test_every_readme_example_prints_what_the_readme_shows(workdir: Path, command: str, shown: list[str]) -> None:
    done = subprocess.run(
        command_line(command), shell=True, cwd=workdir, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, (command, done.stderr[-2000:])
    printed = done.stdout.splitlines()
    if not shown:  # the README shows no output: it runs, and (--json) prints one object a line
        if "--json" in command:
            rows = [json.loads(line) for line in printed]
            assert rows and all("question" in row or "claim" in row for row in rows)
        return
    assert len(printed) == len(shown), (command, printed, shown)
    for line, expected in zip(printed, shown, strict=True):
        assert shown_pattern(expected).fullmatch(line), (command, expected, line)


# --- the JSON examples --------------------------------------------------------------------------


def json_blocks() -> list[Any]:
    text = README.read_text(encoding="utf-8")
    return [json.loads(m.group(1)) for m in re.finditer(r"^```json\n(.*?)^```", text, re.M | re.S)]


def compare(shown: Any, given: Any, where: str) -> list[str]:
    """Where ``shown`` (a README example) differs from ``given`` (the product's output): keys,
    texts, flags and whole numbers must agree; scores (floats) may differ; a key "..." or a value
    「…」 stands for what the README leaves out."""
    if shown == ELIDED or shown == "...":
        return []
    if isinstance(shown, dict):
        if not isinstance(given, dict):
            return [f"{where}: an object in the README, {type(given).__name__} printed"]
        partial = "..." in shown
        keys = set(shown) - {"..."}
        wrong = [] if partial or keys == set(given) else [f"{where}: keys {sorted(keys ^ set(given))} differ"]
        return wrong + [d for k in sorted(keys & set(given)) for d in compare(shown[k], given[k], f"{where}.{k}")]
    if isinstance(shown, list):
        if not isinstance(given, list) or (shown and not given):
            return [f"{where}: a list of {len(shown)} in the README, {given!r} printed"]
        return [d for i, s in enumerate(shown) for d in compare(s, given[i], f"{where}[{i}]")]
    if isinstance(shown, float) or isinstance(given, float):
        return []
    if isinstance(shown, str) and ELIDED in shown:
        return [] if shown_pattern(shown).fullmatch(str(given)) else [f"{where}: {shown!r} vs {given!r}"]
    return [] if shown == given else [f"{where}: README {shown!r}, printed {given!r}"]


def ask_json(workdir: Path, question: str) -> Any:
    done = subprocess.run(
        [str(QUOTEQA), "ask", "--json", question], cwd=workdir, capture_output=True, text=True, timeout=300
    )
    return json.loads(done.stdout)


def test_every_json_example_has_the_products_keys_and_values(workdir: Path) -> None:
    blocks = json_blocks()
    assert len(blocks) >= 2
    answered, refused = blocks[0], blocks[1]
    assert compare(answered, ask_json(workdir, answered["question"]), "answer") == []
    # The refusal example names its question in the prose just above it.
    text = README.read_text(encoding="utf-8")
    question = re.findall(r"Refused, the same object says what was missing \(「(.+?)」\)", text)
    assert question, "the refusal example names its question"
    assert compare(refused, ask_json(workdir, question[0]), "refusal") == []


def test_the_verify_json_line_names_the_products_keys(workdir: Path) -> None:
    text = README.read_text(encoding="utf-8")
    line = next(s for s in re.findall(r"`(\{\"claim\".*?\})`", text))
    done = subprocess.run(
        [str(QUOTEQA), "verify", "--json", "新增上市企业5家"], cwd=workdir, capture_output=True, text=True, timeout=300
    )
    row = json.loads(done.stdout)
    citation = re.search(r'"citation": \{(.*?)\}', line)
    figures = re.search(r'"figures": \[\{(.*?)\}\]', line)
    assert citation and figures
    values = r':\s*"[^"]*"(?:\|"[^"]*")*'  # "verdict": "supported"|"contradicted": the values a key takes
    top = line[1:-1]
    while re.search(r"\{[^{}]*\}", top):  # the nested objects, innermost first
        top = re.sub(r"\{[^{}]*\}", "", top)
    top = re.sub(values, ":", top)
    assert set(re.findall(r'"(\w+)"', top)) == set(row), (top, sorted(row))
    assert set(re.findall(r'"(\w+)"', citation.group(1))) == set(row["citation"])
    computed = re.search(r'"computed": \{(.*?)\}', figures.group(1))
    figure_keys = set(re.findall(r'"(\w+)"', re.sub(values, ":", re.sub(r"\{[^{}]*\}", "", figures.group(1)))))
    assert row["figures"] and figure_keys == set(row["figures"][0])
    done = subprocess.run(
        [str(QUOTEQA), "verify", "--json", "新增市重大项目和外资项目合计80个"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    sum_row = json.loads(done.stdout)  # a figure the claim computes: 34 + 46
    assert computed and sum_row["figures"][0]["computed"] is not None
    assert set(re.findall(r'"(\w+)"', computed.group(1))) == set(sum_row["figures"][0]["computed"])
