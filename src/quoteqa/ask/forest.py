"""A LightGBM model's text, scored in numpy: answering needs the trees, not the library.

``lightgbm`` is imported only to train (``make train``); importing it costs about a second a
process, most of it scikit-learn and pandas that its compatibility layer pulls in. The trees of a
model file are flattened into one node table in which a leaf is a node whose two children are
itself, so that every row walks every tree at once, one level a step, with no masks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

# LightGBM's decision_type bits: 1 categorical, 2 default-left, (>> 2) & 3 the missing-value type.
_CATEGORICAL, _DEFAULT_LEFT = 1, 2
_MISSING_NONE, _MISSING_ZERO, _MISSING_NAN = 0, 1, 2
_ZERO = float(np.float32(1e-35))  # LightGBM's kZeroThreshold, a float32 constant


class ForestError(ValueError):
    """A model text this evaluator cannot score (the message names what it lacks)."""


@dataclass(frozen=True)
class Forest:
    """Every tree of a model, laid out for scoring many rows on all trees at once (QuickScorer:
    Lucchese et al., SIGIR 2015). A tree's leaves are numbered left to right and the leaves a row
    can still reach are kept as bits; each inner node whose test sends the row right clears the
    leaves of its left subtree, and the row ends in the lowest leaf left standing. Node tables are
    (slot, tree): slot j of every tree side by side, padded with tests that always go left."""

    feature: np.ndarray  # (slots, trees) the feature each inner node compares
    threshold: np.ndarray  # (slots, trees) go left when the value is <= this (+inf in padding)
    default_left: np.ndarray  # (slots, trees) where a missing value goes
    missing: np.ndarray  # (slots, trees) LightGBM's missing-value type
    mask: np.ndarray  # (slots, trees) unsigned: every leaf but those of the node's left subtree
    leaf_value: np.ndarray  # (trees, most leaves) each tree's leaf outputs, left to right
    constant: float  # the outputs of the trees that are a single leaf
    features: int  # how many columns a row has
    # For a model without missing-value rules (all LightGBM writes when trained without NaNs):
    # feature f's distinct thresholds, ascending, and (after offset[f]) for each count r of them
    # below a value, the AND over trees of the masks of f's tests that value fails. A row is then
    # one lookup a feature, not one comparison a test.
    cuts: tuple[np.ndarray, ...] = ()
    offset: np.ndarray | None = None  # (features,) where feature f's rows of ``failed`` start
    failed: np.ndarray | None = None  # (sum of (cuts + 1), trees)

    def score(self, rows: np.ndarray) -> np.ndarray:
        """The raw score (the sum over trees) of each row, as ``Booster.predict`` gives it."""
        rows = np.array(rows, dtype=np.float64)  # a copy: tiny values are set to zero below
        if rows.ndim != 2 or rows.shape[1] != self.features:
            raise ForestError(f"rows of shape {rows.shape}; this model reads {self.features} features a row")
        if not self.leaf_value.shape[0]:
            return np.full(len(rows), self.constant)
        rows[np.abs(rows) <= _ZERO] = 0.0  # as LightGBM reads a dense row: such a value is no entry
        if self.failed is not None and self.offset is not None:
            rows[np.isnan(rows)] = 0.0  # no missing-value rule: LightGBM reads NaN as 0
            ranks = np.stack([np.searchsorted(c, rows[:, f], side="left") for f, c in enumerate(self.cuts)])
            standing = np.bitwise_and.reduce(self.failed[ranks + self.offset[:, None]], axis=0).T  # (trees, rows)
            return self._leaves(standing)
        x = rows.T[self.feature]  # (slots, trees, rows): every test of every tree, at once
        nan = np.isnan(x)
        if nan.any() or (self.missing != _MISSING_NONE).any():
            missing = self.missing[..., None]
            x = np.where(nan & (missing != _MISSING_NAN), 0.0, x)
            absent = ((missing == _MISSING_ZERO) & (np.abs(x) <= _ZERO)) | ((missing == _MISSING_NAN) & nan)
            left = np.where(absent, self.default_left[..., None], x <= self.threshold[..., None])
        else:
            left = x <= self.threshold[..., None]
        # A test that goes left keeps every bit: the mask or all ones (0 - 1 wraps to all ones).
        kept = self.mask[..., None] | (np.zeros((), self.mask.dtype) - left.astype(self.mask.dtype))
        return self._leaves(np.bitwise_and.reduce(kept, axis=0))  # (trees, rows)

    def _leaves(self, standing: np.ndarray) -> np.ndarray:
        """The summed output of the leaves rows end in, from the leaves still standing (trees, rows)."""
        lowest = standing & (np.zeros((), standing.dtype) - standing)  # the lowest set bit, alone
        leaf = np.log2(lowest.astype(np.float64)).astype(np.intp)  # exact: a power of two
        out = self.leaf_value[np.arange(len(self.leaf_value))[:, None], leaf].sum(axis=0)
        return np.asarray(out + self.constant, dtype=np.float64)


MAX_LEAVES = 64  # one bit a leaf in a uint64


def parse(text: str) -> Forest:
    """The trees of a LightGBM model saved as text (``Booster.model_to_string``)."""
    header, *blocks = text.partition("end of trees")[0].split("\nTree=")
    fields = _fields(header)
    if "max_feature_idx" not in fields:
        raise ForestError("not a LightGBM model text (it has no max_feature_idx)")
    if fields.get("num_class", "1") != "1" or fields.get("num_tree_per_iteration", "1") != "1":
        raise ForestError("a model of more than one class; this evaluator scores one output")
    if "average_output" in header.split():
        raise ForestError("a random-forest model (average_output); this evaluator sums trees")
    trees = [_fields(block) for block in blocks]
    if not trees:
        raise ForestError("a model text without trees")
    nodes: list[tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]] = []
    values: list[np.ndarray] = []
    constant = 0.0
    for tree in trees:
        leaves = int(tree["num_leaves"])
        value = _numbers(tree["leaf_value"], float)
        if leaves == 1:
            constant += float(value[0])
            continue
        if leaves > MAX_LEAVES:
            raise ForestError(f"a tree of {leaves} leaves; this evaluator scores trees of at most {MAX_LEAVES}")
        kinds = _numbers(tree["decision_type"], int)
        if (kinds & _CATEGORICAL).any():
            raise ForestError("a categorical split; this evaluator reads numeric splits only")
        order, left_leaves = _in_order(_numbers(tree["left_child"], int), _numbers(tree["right_child"], int))
        bit = {leaf: 1 << i for i, leaf in enumerate(order)}
        masks = [(2**64 - 1) & ~sum(bit[leaf] for leaf in subtree) for subtree in left_leaves]
        nodes.append((_numbers(tree["split_feature"], int), _numbers(tree["threshold"], float), kinds, masks))
        values.append(value[order])
    widest = max((len(v) for v in values), default=1)
    dtype = next(t for t in (np.uint8, np.uint16, np.uint32, np.uint64) if np.iinfo(t).bits >= widest)
    slots = max((len(f) for f, *_ in nodes), default=0)
    shape = (slots, len(nodes))
    feature, threshold = np.zeros(shape, np.intp), np.full(shape, np.inf)
    kind, mask = np.zeros(shape, np.int64), np.zeros(shape, dtype)
    for t, (f, thr, k, m) in enumerate(nodes):
        feature[: len(f), t], threshold[: len(f), t], kind[: len(f), t] = f, thr, k
        mask[: len(f), t] = np.asarray(m, dtype=np.uint64).astype(dtype)  # the leaves above widest stay set
    features = int(fields["max_feature_idx"]) + 1
    missing = (kind >> 2) & 3
    by_rank = _by_rank(feature, threshold, mask, features) if (missing == _MISSING_NONE).all() else None
    return Forest(
        feature=feature,
        threshold=threshold,
        default_left=(kind & _DEFAULT_LEFT) > 0,
        missing=missing,
        mask=mask,
        leaf_value=np.asarray([np.pad(v, (0, widest - len(v))) for v in values]).reshape(len(values), widest),
        constant=constant,
        features=features,
        **(by_rank or {}),
    )


def _by_rank(feature: np.ndarray, threshold: np.ndarray, mask: np.ndarray, features: int) -> dict[str, Any]:
    """The lookup tables of ``Forest.cuts``: a value fails a test (goes right) when the test's
    threshold is below it, so with r of feature f's thresholds below a value, the tests it fails
    are the r lowest."""
    cuts, tables = [], []
    trees = feature.shape[1]
    for f in range(features):
        slot, tree = np.nonzero((feature == f) & np.isfinite(threshold))
        order = np.argsort(threshold[slot, tree], kind="stable")
        slot, tree = slot[order], tree[order]
        values = threshold[slot, tree]
        distinct = np.unique(values)
        table = np.empty((len(distinct) + 1, trees), dtype=mask.dtype)
        standing = np.full(trees, np.iinfo(mask.dtype).max, dtype=mask.dtype)
        table[0] = standing
        at = 0
        for r, cut in enumerate(distinct, start=1):
            while at < len(values) and values[at] == cut:
                standing[tree[at]] &= mask[slot[at], tree[at]]
                at += 1
            table[r] = standing
        cuts.append(distinct)
        tables.append(table)
    sizes = [len(t) for t in tables]
    offset = np.cumsum([0, *sizes])[:-1].astype(np.intp)
    return {"cuts": tuple(cuts), "offset": offset, "failed": np.concatenate(tables)}


def _in_order(left: np.ndarray, right: np.ndarray) -> tuple[list[int], list[list[int]]]:
    """A tree's leaves left to right, and for each inner node the leaves of its left subtree
    (children as LightGBM writes them: an inner node's index, or ~j for leaf j)."""

    def leaves(child: int) -> list[int]:
        if child < 0:
            return [~child]
        return leaves(int(left[child])) + leaves(int(right[child]))

    return leaves(0), [leaves(int(left[node])) for node in range(len(left))]


def _fields(block: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in block.splitlines() if "=" in line)


def _numbers(text: str, kind: type) -> np.ndarray:
    return np.asarray([kind(v) for v in text.split()], dtype=np.float64 if kind is float else np.int64)
