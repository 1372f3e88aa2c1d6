"""``python -m harness same dump FILE`` / ``… same compare BEFORE AFTER``: does a change keep every
answer? A dump holds, for every development and held-out question (with its earlier questions)
and every claim, what quoteqa shows: found, the first quote and where it is cited, the verdict.
Compare a dump from before a change with one from after it; the comparison lists each difference.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from quoteqa.index.build import build
from quoteqa.learn.trainer import ROOT
from quoteqa.qa import QA

from .report import CLAIM_SETS, QUESTION_SETS, load_claims
from .score import load_items


def _qa(corpus: Path, work: Path) -> QA:
    build(corpus, work / "index", reuse=False)
    return QA.load(work / "index")


def dump(out: Path, corpus: Path) -> int:
    from quoteqa.index.embedding import set_threads

    set_threads(1)  # as the app answers
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="quoteqa-same-") as tmp:
        work = Path(tmp)
        qa = _qa(corpus, work)
        for name in QUESTION_SETS:
            for item in load_items(ROOT / "bench" / "sets" / name):
                a = qa.ask(item.question, history=list(item.history))
                first = a.citations[0] if a.citations else None
                cited = [first.doc, first.paragraph, first.part] if first else None
                key = [name, item.question, list(item.history)]
                rows.append({"key": key, "found": a.found, "quote": first.quote if first else "", "cited": cited})
        for name in CLAIM_SETS:
            claims, synthetic = load_claims(ROOT / "bench" / "sets" / name)
            checker = qa if synthetic is None else _qa(synthetic, work / "synthetic")
            for c in claims:  # each claim against the corpus it names, as make bench scores it
                v = (checker if c.get("corpus", "bundled") != "bundled" else qa).verify(c["claim"])
                rows.append({"key": [name, c["claim"]], "verdict": v.verdict, "evidence": v.evidence})
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} answers written to {out}")
    return 0


def compare(before: Path, after: Path) -> int:
    def read(p: Path) -> dict[str, dict[str, Any]]:
        rows = [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
        return {json.dumps(r.pop("key"), ensure_ascii=False): r for r in rows}

    old, new = read(before), read(after)
    same = [k for k in old if new.get(k) == old[k]]
    changed = [k for k in old if k in new and new[k] != old[k]]
    questions = sum(1 for k in old if "found" in old[k])
    print(f"| compared | {len(old)} answers ({questions} questions, {len(old) - questions} claims) |")
    print(f"| the same found, first quote, citation and verdict | {len(same)} |")
    print(f"| changed | {len(changed)} |")
    print(f"| only before / only after | {len(set(old) - set(new))} / {len(set(new) - set(old))} |")
    for k in changed:
        print(f"  {k}\n    before {old[k]}\n    after  {new[k]}")
    return 0 if not changed and set(old) == set(new) else 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m harness same", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump", help="write every answer to FILE")
    d.add_argument("file", type=Path)
    d.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    c = sub.add_parser("compare", help="compare two dumps; exit 1 on any difference")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = p.parse_args(argv)
    return dump(args.file, args.corpus) if args.command == "dump" else compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
