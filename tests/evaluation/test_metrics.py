"""Metrics checked against hand-computed cases (and scikit-learn's published definitions)."""
import math

import numpy as np
import pytest

from storytrace.evaluation.metrics import (
    adjusted_rand_index, bcubed_prf, binary_prf, normalized_mutual_info, pairwise_prf, pearson,
)

TRUTH = ["a", "a", "a", "b", "b", "c"]
PRED = [1, 1, 2, 2, 2, 3]


def test_pairwise_hand_computed():
    # true pairs: (0,1),(0,2),(1,2),(3,4) = 4; predicted pairs: (0,1),(2,3),(2,4),(3,4) = 4; shared: (0,1),(3,4) = 2
    prf = pairwise_prf(TRUTH, PRED)
    assert prf.precision == pytest.approx(0.5) and prf.recall == pytest.approx(0.5) and prf.f1 == pytest.approx(0.5)


def test_bcubed_hand_computed():
    # per-item precision: 1,1,1/3,2/3,2/3,1 -> 14/3 / 6 ; recall: 2/3,2/3,1/3,1,1,1 -> 14/3 / 6
    prf = bcubed_prf(TRUTH, PRED)
    assert prf.precision == pytest.approx(14 / 18) and prf.recall == pytest.approx(14 / 18)


def test_ari_hand_computed():
    # index = 2, a = 4, b = 4, total = 15: expected = 16/15, max = 4 -> (2 - 16/15) / (4 - 16/15)
    assert adjusted_rand_index(TRUTH, PRED) == pytest.approx((2 - 16 / 15) / (4 - 16 / 15))


def test_ari_and_nmi_extremes():
    assert adjusted_rand_index([0, 0, 1, 1], ["x", "x", "y", "y"]) == pytest.approx(1.0)
    assert normalized_mutual_info([0, 0, 1, 1], [5, 5, 7, 7]) == pytest.approx(1.0)
    assert normalized_mutual_info([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(0.0, abs=1e-12)
    assert adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]) < 0


def test_nmi_hand_computed():
    truth, pred = [0, 0, 1, 1], [0, 0, 0, 1]
    # MI = sum p(i,j) log(p(i,j)/(p(i)p(j)))
    mi = 0.5 * math.log(0.5 / (0.5 * 0.75)) + 0.25 * math.log(0.25 / (0.5 * 0.75)) + 0.25 * math.log(0.25 / (0.5 * 0.25))
    ht = math.log(2)
    hp = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    assert normalized_mutual_info(truth, pred) == pytest.approx(mi / ((ht + hp) / 2))


def test_singletons_and_length_mismatch():
    prf = pairwise_prf([1, 2, 3], [1, 2, 3])
    assert prf.f1 == 1.0
    with pytest.raises(ValueError, match="differ in length"):
        pairwise_prf([1], [1, 2])


def test_pearson_and_binary():
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert pearson([1, 1, 1], [1, 2, 3]) == 0.0
    prf = binary_prf([True, True, False, False], [True, False, True, False])
    assert (prf.precision, prf.recall) == (0.5, 0.5)


def test_metrics_scale_to_many_clusters():
    # 200,000 items in 100,000 true pairs, predicted as singletons except the first pair: a dense
    # contingency table would need 10^10 cells
    n = 200_000
    truth = np.arange(n) // 2
    pred = np.arange(n)
    pred[1] = 0
    prf = pairwise_prf(truth, pred)
    assert prf.precision == 1.0 and abs(prf.recall - 1 / 100_000) < 1e-12
    assert 0 < adjusted_rand_index(truth, pred) < 1e-4
    assert normalized_mutual_info(truth, truth) == pytest.approx(1.0)
    assert bcubed_prf(truth, pred).precision == 1.0
