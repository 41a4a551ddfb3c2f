import numpy as np

from storytrace.cluster.groups import CanonicalKeys, canonical_of, guarded_groups
from storytrace.cluster.unionfind import connected_components


def test_connected_components_min_label():
    labels = connected_components(6, np.array([0, 2, 4]), np.array([1, 3, 3]))
    assert labels.tolist() == [0, 0, 2, 2, 2, 5]
    assert connected_components(3, np.array([], dtype=np.int64), np.array([], dtype=np.int64)).tolist() == [0, 1, 2]


def test_long_chain_converges():
    n = 10_000
    labels = connected_components(n, np.arange(n - 1)[::-1], np.arange(1, n)[::-1])
    assert (labels == 0).all()


def test_canonical_prefers_clean_then_longer_then_earlier():
    labels = np.array([0, 0, 0, 3])
    keys = CanonicalKeys(
        wrapped=np.array([1, 0, 0, 0]), length=np.array([900, 500, 500, 10]),
        date_rank=np.array([0, 2, 1, 0]), order=np.arange(4),
    )
    assert canonical_of(labels, keys).tolist() == [2, 2, 2, 3]
    assert canonical_of(labels, CanonicalKeys.by_order(4)).tolist() == [0, 0, 0, 3]


def test_chaining_through_a_hub_is_cut():
    # 0 = article A, 1 = a page quoting both A and C, 2 = article C: 0~1, 1~2 verified, 0 !~ 2
    edges = np.array([[0, 1], [1, 2]])
    keys = CanonicalKeys(np.zeros(3, np.int64), np.array([500, 900, 480]), np.zeros(3, np.int64), np.arange(3))
    truly_same = {(0, 1), (1, 0), (1, 2), (2, 1)}
    verify = lambda pairs: np.array([tuple(p) in truly_same for p in pairs.tolist()])  # noqa: E731
    labels, canon = guarded_groups(3, edges, keys, verify)
    # canonical is the longest (1); 0 and 2 both verify against it directly -> one group is right here
    assert len(set(labels.tolist())) == 1
    keys2 = CanonicalKeys(np.zeros(3, np.int64), np.array([900, 500, 480]), np.zeros(3, np.int64), np.arange(3))
    labels2, _ = guarded_groups(3, edges, keys2, verify)
    # canonical 0: 2 has no edge to 0 and fails verification -> leaves the group
    assert labels2[0] == labels2[1] and labels2[2] != labels2[0]


def test_everything_duplicate_and_nothing_duplicate():
    n = 5000
    star = np.stack([np.zeros(n - 1, np.int64), np.arange(1, n)], axis=1)
    labels, _ = guarded_groups(n, star, CanonicalKeys.by_order(n), lambda p: np.ones(len(p), bool))
    assert (labels == 0).all()
    labels, _ = guarded_groups(n, np.zeros((0, 2), np.int64), CanonicalKeys.by_order(n), lambda p: np.ones(len(p), bool))
    assert labels.tolist() == list(range(n))
