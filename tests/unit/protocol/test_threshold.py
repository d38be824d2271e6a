"""domain/protocol/threshold.py: Pedersen VSS over Z_L (docs/protocol.md, "Trustees")."""

from __future__ import annotations

import itertools

import pytest

from inmc_vote.domain.protocol import group, threshold


def _deal(n: int, t: int) -> tuple[list[list[bytes]], list[list[bytes]]]:
    polynomials = [threshold.random_polynomial(t) for _ in range(n)]
    return polynomials, [threshold.commitments(p) for p in polynomials]


def test_evaluate_is_the_polynomial() -> None:
    # f(x) = 3 + 5x + 7x^2
    f = [group.scalar_of(3), group.scalar_of(5), group.scalar_of(7)]
    assert threshold.evaluate(f, 1) == group.scalar_of(15)
    assert threshold.evaluate(f, 4) == group.scalar_of(3 + 20 + 112)


@pytest.mark.parametrize(("n", "t"), [(1, 1), (3, 2), (5, 3)])
def test_shares_match_their_commitments(n: int, t: int) -> None:
    polynomials, commitments = _deal(n, t)
    for f, c in zip(polynomials, commitments, strict=True):
        assert len(f) == len(c) == t
        for i in range(1, n + 1):
            assert threshold.share_matches(threshold.evaluate(f, i), i, c)
            if t > 1:  # a constant polynomial has the same share everywhere
                assert not threshold.share_matches(threshold.evaluate(f, i + 1), i, c)
            wrong = group.s_add(threshold.evaluate(f, i), group.scalar_of(1))
            assert not threshold.share_matches(wrong, i, c)


def test_share_matches_refuses_non_scalars() -> None:
    _, (c,) = _deal(1, 2)
    assert not threshold.share_matches(b"\xff" * 32, 1, c)
    assert not threshold.share_matches(b"\x01", 1, c)


@pytest.mark.parametrize(("n", "t"), [(1, 1), (3, 2), (5, 3)])
def test_any_t_key_shares_rebuild_the_secret(n: int, t: int) -> None:
    polynomials, commitments = _deal(n, t)
    x = {i: group.s_sum(threshold.evaluate(f, i) for f in polynomials) for i in range(1, n + 1)}
    secret = group.s_sum(f[0] for f in polynomials)
    y = threshold.election_key(commitments)
    assert y == group.base_mul(secret)
    for i, x_i in x.items():
        assert threshold.verification_key(commitments, i) == group.base_mul(x_i)
    for subset in itertools.combinations(range(1, n + 1), t):
        lam = threshold.lagrange_at_zero(subset)
        assert group.s_sum(group.s_mul(lam[i], x[i]) for i in subset) == secret
    if t > 1:
        for subset in itertools.combinations(range(1, n + 1), t - 1):
            lam = threshold.lagrange_at_zero(subset)
            assert group.s_sum(group.s_mul(lam[i], x[i]) for i in subset) != secret


def test_lagrange_small_case() -> None:
    # S = {1, 2}: λ_1 = 2/(2−1) = 2, λ_2 = 1/(1−2) = −1
    lam = threshold.lagrange_at_zero([1, 2])
    assert lam[1] == group.scalar_of(2)
    assert lam[2] == group.s_neg(group.scalar_of(1))


def test_lagrange_refuses_repeats_and_bad_indices() -> None:
    with pytest.raises(ValueError, match="repeat"):
        threshold.lagrange_at_zero([1, 1])
    with pytest.raises(ValueError, match="from 1"):
        threshold.lagrange_at_zero([0, 1])
    with pytest.raises(ValueError, match="no indices"):
        threshold.lagrange_at_zero([])


def test_an_adversarial_vanishing_sum_is_no_crash() -> None:
    # C_1 = −C_0: at l = 1 the commitments evaluate to the identity, so only share 0
    # matches, and the share 0 is refused by nothing but the comparison.
    c0 = group.base_mul(group.random_scalar())
    minus = group.mul(group.s_neg(group.scalar_of(1)), c0)
    assert threshold.share_matches(bytes(32), 1, [c0, minus])
    assert not threshold.share_matches(group.scalar_of(1), 1, [c0, minus])
    assert threshold.sum_or_identity([c0, minus]) is None
    with pytest.raises(group.GroupError):
        threshold.verification_key([[c0, minus]], 1)
    with pytest.raises(group.GroupError):
        threshold.election_key([[c0], [minus]])


def test_polynomial_needs_a_coefficient() -> None:
    with pytest.raises(ValueError, match="t ≥ 1"):
        threshold.random_polynomial(0)
    with pytest.raises(ValueError, match="at least one"):
        threshold.evaluate([], 1)
