"""The numpy evaluator of a LightGBM model text scores every row as LightGBM itself does."""

from __future__ import annotations

import lightgbm
import numpy as np
import pytest

from quoteqa.ask import forest
from quoteqa.ask.models import MODEL_FILE


def _rows(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    x = rng.uniform(-2, 2, (n, width))
    x[rng.random(x.shape) < 0.2] = 0.0
    x[rng.random(x.shape) < 0.1] = 1.0
    return x


def _train(x: np.ndarray, y: np.ndarray, **params: object) -> lightgbm.Booster:
    base = {"objective": "regression", "verbose": -1, "num_threads": 1, "min_data_in_leaf": 5}
    data = lightgbm.Dataset(x, y, params={"verbose": -1})
    return lightgbm.train({**base, **params}, data, num_boost_round=40)


@pytest.mark.parametrize(
    "params",
    [
        {"num_leaves": 2},
        {"num_leaves": 15},
        {"num_leaves": 63, "min_data_in_leaf": 2},
        {"num_leaves": 15, "use_missing": False},
        {"num_leaves": 15, "zero_as_missing": True},
        {"num_leaves": 7, "learning_rate": 0.5, "min_gain_to_split": 1e9},  # trees of one leaf
    ],
)
def test_same_scores_as_lightgbm(params: dict[str, object]):
    rng = np.random.default_rng(len(str(params)))
    x = _rows(rng, 600, 6)
    x[rng.random(x.shape) < 0.1] = np.nan  # missing values, where the model may send them either way
    y = np.nan_to_num(x[:, 0]) * 2 + np.nan_to_num(x[:, 1]) ** 2 + (np.isnan(x[:, 2])) + rng.normal(0, 0.1, 600)
    booster = _train(x, y, **params)
    model = forest.parse(booster.model_to_string())
    probe = _rows(rng, 300, 6)
    probe[rng.random(probe.shape) < 0.1] = np.nan
    probe[:50, 0] = 1e-36  # below LightGBM's zero threshold: read as no value
    np.testing.assert_allclose(model.score(probe), booster.predict(probe, num_threads=1), rtol=0, atol=1e-12)


def test_the_shipped_ranker_scores_as_lightgbm_on_its_own_thresholds():
    text = (MODEL_FILE.with_suffix(".ranker.txt")).read_text(encoding="utf-8")
    model = forest.parse(text)
    booster = lightgbm.Booster(model_str=text)
    rng = np.random.default_rng(3)
    x = _rows(rng, 3000, model.features)
    inner = np.isfinite(model.threshold)
    features, thresholds = model.feature[inner], model.threshold[inner]
    for i in range(len(x)):  # each row sits exactly on one test's threshold: <= goes left
        x[i, features[i % len(features)]] = thresholds[i % len(thresholds)]
    np.testing.assert_allclose(model.score(x), booster.predict(x, num_threads=1), rtol=0, atol=1e-12)
    assert model.score(np.zeros((0, model.features))).shape == (0,)


def test_models_it_cannot_score_are_refused_by_name():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 5, (300, 3)).astype(float)
    y = x[:, 0] + rng.normal(0, 0.1, 300)
    categorical = lightgbm.train(
        {"objective": "regression", "verbose": -1, "min_data_per_group": 5, "cat_smooth": 1},
        lightgbm.Dataset(x, y, categorical_feature=[0], params={"verbose": -1}),
        num_boost_round=5,
    )
    with pytest.raises(forest.ForestError, match="categorical"):
        forest.parse(categorical.model_to_string())
    classes = lightgbm.train(
        {"objective": "multiclass", "num_class": 3, "verbose": -1},
        lightgbm.Dataset(x, x[:, 1] % 3, params={"verbose": -1}),
        num_boost_round=3,
    )
    with pytest.raises(forest.ForestError, match="more than one class"):
        forest.parse(classes.model_to_string())
    with pytest.raises(forest.ForestError, match="not a LightGBM model"):
        forest.parse("tree\nversion=v4\n")
    with pytest.raises(forest.ForestError, match="reads 3 features"):
        forest.parse(_train(x, y).model_to_string()).score(np.zeros((2, 4)))
