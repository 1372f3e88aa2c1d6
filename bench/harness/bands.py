"""How often an answer is right, by its confidence (issue 23): the caution 「可能没有完全回答」 is
shown below ``qa.SURE``; this table says whether that threshold separates right from wrong."""

from __future__ import annotations

from pathlib import Path

from quoteqa.qa import QA, SURE

from .score import Item, load_items

BANDS = (0.0, 0.25, SURE, 0.75, 1.01)  # lower edges; the caution is shown below SURE


def _right(qa: QA, item: Item) -> tuple[bool, float, bool]:
    """(answered, confidence, right) of one item: right when the first quote holds the answer;
    an answered out-of-scope question is wrong."""
    r = qa.ask(item.question, history=list(item.history))
    if not r.found:
        return False, 0.0, False
    return True, r.confidence, bool(item.golds) and any(g in r.answer for g in item.golds)


def counts(qa: QA, paths: list[Path]) -> list[tuple[int, int]]:
    """(answers, right answers) per band, over every item of ``paths``."""
    out = [(0, 0) for _ in BANDS[:-1]]
    for path in paths:
        for item in load_items(path):
            answered, conf, right = _right(qa, item)
            if answered:
                band = next(i for i in range(len(BANDS) - 1) if conf < BANDS[i + 1])
                n, k = out[band]
                out[band] = (n + 1, k + int(right))
    return out


def band_table(qa: QA, development: list[Path], held_out: list[Path]) -> str:
    dev, held = counts(qa, development), counts(qa, held_out)
    names = lambda paths: ", ".join(f"`{p.name}`" for p in paths)  # noqa: E731
    lines = [
        f"Answers by confidence: how many were right (the first quote holds the answer; an answered "
        f"out-of-scope question is wrong). Development: {names(development)} (the answerability model "
        f"is tuned on the first); held out: {names(held_out)}, pooled. Below {SURE:.2f} the page and the "
        "CLI show the answer with the caution 「可能没有完全回答」.",
        "",
        "| confidence | shown as | development right / answers | held-out right / answers |",
        "|---|---|---|---|",
    ]
    for i, ((n, k), (m, j)) in enumerate(zip(dev, held, strict=True)):
        low, high = BANDS[i], min(BANDS[i + 1], 1.0)
        shown = "with the caution" if high <= SURE else "plainly"
        rate = lambda a, b: f"{a} / {b} ({a / b:.0%})" if b else "0 / 0"  # noqa: E731
        lines.append(f"| {low:.2f}–{high:.2f} | {shown} | {rate(k, n)} | {rate(j, m)} |")
    return "\n".join(lines)


CONVERSATION = {
    "followup": "follow-up, completed from the earlier questions",
    "new_topic": "a new question after others (not to be completed)",
    "followup_alone": "a follow-up as the first question (to be asked for its topic)",
}


def conversation_table(qa: QA, development: Path) -> str:
    """Per conversation case of the development set: right first quotes (or refusals, for the
    ones the articles do not answer), refused, and how many were read otherwise than typed."""
    rows: dict[str, list[int]] = {kind: [0, 0, 0, 0, 0] for kind in CONVERSATION}  # n, right, refused, oos, rewritten
    for item in load_items(development):
        if item.kind not in rows:
            continue
        r = qa.ask(item.question, history=list(item.history))
        row = rows[item.kind]
        row[0] += 1
        row[2] += int(not r.found)
        row[3] += int(not item.golds)
        row[4] += int(r.interpreted != item.question)
        row[1] += int((not r.found) if not item.golds else (r.found and any(g in r.answer for g in item.golds)))
    lines = [
        f"Conversations in `{development.name}` (tuned on): right = the first quote holds the answer, or, for a "
        "question the articles do not answer, a refusal; rewritten = shown as understood otherwise than typed.",
        "",
        "| case | questions | right | refused | not answered by the articles | rewritten |",
        "|---|---|---|---|---|---|",
    ]
    for kind, (n, right, refused, oos, rewritten) in rows.items():
        lines.append(f"| {CONVERSATION[kind]} (`{kind}`) | {n} | {right} | {refused} | {oos} | {rewritten} |")
    return "\n".join(lines)
