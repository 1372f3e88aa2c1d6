"""Scoring a question set: quote@k, passage@k and abstention, the way BENCHMARKS.md reports them."""

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
    gold: str | None  # a verbatim fragment of the answering sentence; None = out of scope
    history: tuple[str, ...] = ()  # earlier questions of the conversation, oldest first


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

    def as_row(self) -> dict[str, Any]:
        n = max(1, self.answerable)
        return {
            "passage@1": round(self.passage1 / n, 3),
            "passage@5": round(self.passage5 / n, 3),
            "quote@1": round(self.quote1 / n, 3),
            "quote@3": round(self.quote3 / n, 3),
            "abstention": f"{self.abstained}/{self.out_of_scope}",
            "wrongly abstained": self.wrongly_abstained,
            "found precision": round(self.found_precision, 3),
            "found recall": round(self.found_recall, 3),
        }


def load_items(path: Path) -> list[Item]:
    items = []
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                d = json.loads(line)
                items.append(Item(d["question"], d.get("kind", ""), d.get("gold"), tuple(d.get("history", []))))
            except (json.JSONDecodeError, KeyError) as exc:
                raise ValueError(f"{path}:{no}: not a question record ({exc})") from exc
    return items


def score(items: Iterable[Item], answer: Callable[[str, tuple[str, ...]], tuple[Any, ...]]) -> Scores:
    """``answer(question, history)`` returns (found, quotes best first) or (found, quotes, passages best
    first); a passage counts when it holds the gold fragment, whether or not the method abstained."""
    s = Scores()
    for item in items:
        out = answer(item.question, item.history)
        found, quotes = out[0], out[1]
        passages: list[str] = out[2] if len(out) > 2 else []
        if item.gold is None:
            s.out_of_scope += 1
            s.abstained += int(not found)
            if found:
                asked = " → ".join([*item.history, item.question])
                s.misses.append(f"answered out-of-scope: {asked} -> {quotes[:1]}")
            continue
        s.answerable += 1
        s.passage1 += int(any(item.gold in p for p in passages[:1]))
        s.passage5 += int(any(item.gold in p for p in passages[:5]))
        if not found:
            s.wrongly_abstained += 1
        hit1 = found and bool(quotes) and item.gold in quotes[0]
        hit3 = found and any(item.gold in q for q in quotes[:3])
        s.quote1 += int(hit1)
        s.quote3 += int(hit3)
        if not hit1:
            asked = " → ".join([*item.history, item.question])
            s.misses.append(f"[{item.kind}] {asked} -> {'' if not found else quotes[:1]}")
    return s
