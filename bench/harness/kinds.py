"""Answerability by the kind of answer a question asks for (kinds.asked): how many of each kind
quoteqa refuses and how many it answers right, on the development set and the held-out sets."""

from __future__ import annotations

from pathlib import Path

from quoteqa.language.kinds import KINDS
from quoteqa.qa import QA

from .score import Item, load_items

TOP = 3


def by_kind(qa: QA, items: list[Item]) -> dict[str, list[int]]:
    """kind -> [answerable, right, answerable refused, out of scope, out of scope refused]."""
    out: dict[str, list[int]] = {}
    for item in items:
        a = qa.ask(item.question, top_k=TOP, history=list(item.history))
        row = out.setdefault(a.asked.kind or "-", [0, 0, 0, 0, 0])
        if item.answerable:
            row[0] += 1
            row[1] += int(a.found and any(g in a.answer for g in item.golds))
            row[2] += int(not a.found)
        else:
            row[3] += 1
            row[4] += int(not a.found)
    return out


def kind_table(qa: QA, development: Path, held_out: list[Path]) -> str:
    """One table: per asked kind, the development set's and the held-out sets' (pooled) figures."""
    dev = by_kind(qa, load_items(development))
    held: dict[str, list[int]] = {}
    for path in held_out:
        for kind, row in by_kind(qa, load_items(path)).items():
            held[kind] = [a + b for a, b in zip(held.setdefault(kind, [0] * 5), row, strict=True)]
    names = ", ".join(f"`{p.name}`" for p in held_out)
    lines = [
        f"Answerability by the kind of answer asked for (`quoteqa.language.kinds`): `{development.name}` "
        f"(tuned on) and the "
        f"held-out sets {names} pooled. Answerable: right (first quote holds the answer) / refused / questions; "
        "out of scope: refused / questions.",
        "",
        "| asked kind | dev answerable right / refused / n | dev out of scope refused / n "
        "| held-out answerable right / refused / n | held-out out of scope refused / n |",
        "|---|---|---|---|---|",
    ]
    for kind in [*KINDS, "-"]:
        d, h = dev.get(kind, [0] * 5), held.get(kind, [0] * 5)
        if not any(d) and not any(h):
            continue
        lines.append(
            f"| {kind} | {d[1]} / {d[2]} / {d[0]} | {d[4]} / {d[3]} | {h[1]} / {h[2]} / {h[0]} | {h[4]} / {h[3]} |"
        )
    return "\n".join(lines)
