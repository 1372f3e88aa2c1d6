"""The one scorer: quote@k, passage@k and abstention, the way BENCHMARKS.md reports them.

Every method (quoteqa and each baseline) is an ``Answerer``: (question, earlier questions) →
``Reply``. Every question set (the JSONL sets in bench/, CMRC 2018 and DRCD) is a list of
``Item``. ``score`` is the only place that decides what counts as a hit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Item:
    question: str
    kind: str
    golds: tuple[str, ...]  # verbatim fragments of the answer; empty = out of scope
    history: tuple[str, ...] = ()  # earlier questions of the conversation, oldest first
    doc: str = ""  # the corpus file that answers it, when known: passage@k then counts by file

    @property
    def answerable(self) -> bool:
        return bool(self.golds)


@dataclass(frozen=True)
class Reply:
    found: bool  # the method shows its first quote as the answer
    quotes: list[str]  # best first
    passages: list[str] = field(default_factory=list)  # paragraph texts, best first
    docs: list[str] = field(default_factory=list)  # the corpus file of each passage, when known


Answerer = Callable[[str, tuple[str, ...]], Reply]


@dataclass
class Scores:
    answerable: int = 0
    quote1: int = 0
    quote3: int = 0
    passage1: int = 0
    passage5: int = 0
    wrongly_abstained: int = 0
    out_of_scope: int = 0
    abstained: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def found_precision(self) -> float:
        """Of the answers shown, the share given to questions the articles answer."""
        shown = self.answerable - self.wrongly_abstained + self.out_of_scope - self.abstained
        return (self.answerable - self.wrongly_abstained) / shown if shown else 1.0

    @property
    def found_recall(self) -> float:
        """Of the questions the articles answer, the share answered (not refused)."""
        return (self.answerable - self.wrongly_abstained) / self.answerable if self.answerable else 1.0

    def rate(self, hits: int) -> float:
        return hits / self.answerable if self.answerable else 0.0

    def as_row(self) -> dict[str, Any]:
        return {
            "passage@1": round(self.rate(self.passage1), 3),
            "passage@5": round(self.rate(self.passage5), 3),
            "quote@1": round(self.rate(self.quote1), 3),
            "quote@3": round(self.rate(self.quote3), 3),
            "abstention": f"{self.abstained}/{self.out_of_scope}",
            "wrongly abstained": self.wrongly_abstained,
            "found precision": round(self.found_precision, 3),
            "found recall": round(self.found_recall, 3),
        }


def load_items(path: Path) -> list[Item]:
    """A JSONL question set: question, kind, gold (null = out of scope), history."""
    items = []
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                d = json.loads(line)
                gold = d.get("gold")
                golds = () if gold is None else (gold,)
                items.append(Item(d["question"], d.get("kind", ""), golds, tuple(d.get("history", []))))
            except (json.JSONDecodeError, KeyError) as exc:
                raise ValueError(f"{path}:{no}: not a question record ({exc})") from exc
    return items


def _holds(text: str, golds: tuple[str, ...]) -> bool:
    return bool(text) and any(g and g in text for g in golds)


def score(items: Iterable[Item], answer: Answerer) -> Scores:
    """Ask every item and count. A quote counts only when the method shows an answer (``found``)
    and the quote holds a gold fragment; quote@3 reads the first three quotes. A passage counts
    whether or not the method abstained: by its corpus file when the item names one, else when
    its text holds a gold fragment. An out-of-scope item counts as abstained when not found."""
    s = Scores()
    for item in items:
        r = answer(item.question, item.history)
        asked = " → ".join([*item.history, item.question])
        if not item.answerable:
            s.out_of_scope += 1
            s.abstained += int(not r.found)
            if r.found:
                s.misses.append(f"answered out-of-scope: {asked} -> {r.quotes[:1]}")
            continue
        s.answerable += 1
        if item.doc:
            s.passage1 += int(item.doc in r.docs[:1])
            s.passage5 += int(item.doc in r.docs[:5])
        else:
            s.passage1 += int(any(_holds(p, item.golds) for p in r.passages[:1]))
            s.passage5 += int(any(_holds(p, item.golds) for p in r.passages[:5]))
        quotes = r.quotes if r.found else []
        hit1 = any(_holds(q, item.golds) for q in quotes[:1])
        s.quote1 += int(hit1)
        s.quote3 += int(any(_holds(q, item.golds) for q in quotes[:3]))
        s.wrongly_abstained += int(not r.found)
        if not hit1:
            s.misses.append(f"[{item.kind}] {asked} -> {quotes[:1]}")
    return s
