import numpy as np

from storytrace.cluster.groups import CanonicalKeys, canonical_of, guarded_groups, keep_rule_keys
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


def test_canonical_rule_prefers_the_copy_most_members_verified_against():
    # 0 original (1000 chars), 1-3 word-edited copies verified against 0 and each other,
    # 4 an insertion-edited copy (1150 chars, longest) verified only against 0, 5 a 30 % excerpt of 0.
    edges = np.array([[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3], [0, 4], [0, 5], [1, 5]])
    lengths = np.array([1000, 990, 1010, 995, 1150, 300])
    keys = keep_rule_keys("canonical", np.zeros(6), lengths, lengths, np.array(["9999"] * 6))
    degree = np.bincount(edges.ravel(), minlength=6)
    assert canonical_of(np.zeros(6, np.int64), keys, degree).tolist() == [0] * 6
    # the longest-first rule would have chosen the outlier; 2-3 then fail against it and leave the group
    verified = {tuple(sorted(e)) for e in edges.tolist()}
    verify = lambda pairs: np.array([tuple(sorted(p)) in verified for p in pairs.tolist()])  # noqa: E731
    labels, _ = guarded_groups(6, edges, keys, verify)
    assert labels.tolist() == [0] * 6
    old_rule = CanonicalKeys(keys.wrapped, keys.length, keys.date_rank, keys.order)
    labels_old, _ = guarded_groups(6, edges, old_rule, verify)
    assert labels_old[4] == 4 and len(set(labels_old.tolist())) > 1


def test_canonical_rule_an_unflagged_page_or_excerpts_do_not_win():
    # 0 the article, 1-2 copies, 3 a page around it that extraction did not flag (longest, verified only
    # against 0 and 1), 4-5 excerpts (each verified against the texts that hold it)
    edges = np.array([[0, 1], [0, 2], [1, 2], [0, 3], [1, 3], [0, 4], [1, 4], [3, 4], [0, 5], [2, 5]])
    lengths = np.array([1000, 1000, 990, 2600, 300, 350])
    keys = keep_rule_keys("canonical", np.zeros(6), lengths, lengths, np.array(["9999"] * 6))
    assert canonical_of(np.zeros(6, np.int64), keys, np.bincount(edges.ravel(), minlength=6)).tolist() == [0] * 6
    # a flagged wrapper loses whatever its degree; among equals the longer text wins
    keys = keep_rule_keys("canonical", np.array([1, 0, 0]), np.array([3000, 900, 1000]), np.array([3000, 900, 1000]),
                          np.array(["9999"] * 3))
    assert canonical_of(np.zeros(3, np.int64), keys, np.array([9, 1, 1])).tolist() == [2, 2, 2]


def test_fragment_guard_keeps_articles_that_carry_a_banner():
    # 0-3 copies of a banner (90 chars), 4-5 articles that end with it (1200 chars), 6 a page around
    # article 4 flagged as wrapper; the banner copies have the most edges
    edges = np.array([[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3], [0, 4], [1, 4], [0, 5], [2, 5], [4, 6]])
    lengths = np.array([90, 90, 90, 90, 1200, 1250, 3000])
    keys = keep_rule_keys("canonical", np.array([0, 0, 0, 0, 0, 0, 1]), lengths, lengths, np.array(["9999"] * 7))
    verify = lambda pairs: np.array([tuple(sorted(p)) in {(4, 6)} for p in pairs.tolist()])  # noqa: E731
    labels, _ = guarded_groups(7, edges, keys, verify)
    assert labels[:4].tolist() == [0, 0, 0, 0]  # the banner copies: one group
    assert labels[5] == 5  # an article is never removed in favour of a banner it carries
    assert labels[4] == 4 and labels[6] == 4  # the flagged page around article 4 still joins it
    # --keep first: the same guard
    first = keep_rule_keys("first", keys.page, lengths, lengths, np.array(["9999"] * 7))
    labels, _ = guarded_groups(7, edges, first, verify)
    assert labels[5] == 5 and labels[4] == 4


def test_near_duplicate_of_a_near_duplicate_stays_but_containment_chains_do_not():
    # 0 canonical (a copy edited one way, most edges), 1 the original, 2 a copy edited the other way:
    # 2 ~near 1 ~near 0 but 2 fails against 0. 3 is another article that shares a paragraph with a
    # page 4 which contains 0: a containment chain, so 3 must leave.
    edges = np.array([[0, 1], [0, 4], [0, 5], [0, 6], [1, 2], [1, 5], [2, 6], [3, 4]])
    near = np.array([True, False, True, True, True, True, True, False])
    lengths = np.array([1000, 1000, 1000, 1000, 1500, 1000, 1000])
    keys = keep_rule_keys("canonical", np.zeros(7), lengths, lengths, np.array(["9999"] * 7))
    verify = lambda pairs: np.zeros(len(pairs), bool)  # noqa: E731 - every indirect member fails against 0
    labels, _ = guarded_groups(7, edges, keys, verify, near=near)
    assert labels[[0, 1, 2, 4, 5, 6]].tolist() == [0] * 6
    assert labels[3] == 3
    labels_plain, _ = guarded_groups(7, edges, keys, verify)  # without the near marks: 2 and 3 both leave
    assert labels_plain[2] != 0 and labels_plain[3] != 0
