"""The group's checks: what `point` and `scalar` refuse, and that the operations are
libsodium's on the prime-order subgroup."""

from __future__ import annotations

import pytest

from inmc_vote.domain.protocol import group

# A point of order 8 (small order) and the identity, as RFC 8032 encodings.
SMALL_ORDER = bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")
IDENTITY = bytes.fromhex("01" + "00" * 31)


def test_base_point_checks_and_generates() -> None:
    assert group.point(group.BASE) == group.BASE
    assert group.base_mul(group.scalar_of(1)) == group.BASE


@pytest.mark.parametrize(
    "value",
    [SMALL_ORDER, IDENTITY, bytes(32), b"\xff" * 32, group.BASE[:31], b"x" * 33],
    ids=["small-order", "identity", "zero", "non-canonical", "short", "long"],
)
def test_point_refuses(value: bytes) -> None:
    assert not group.is_point(value)
    with pytest.raises(group.GroupError):
        group.point(value)


def test_torsion_component_refused() -> None:
    # G plus a point of order 8 is on the curve but outside the prime-order subgroup.
    from nacl import bindings

    with_torsion = bindings.crypto_core_ed25519_add(group.BASE, SMALL_ORDER)
    assert not group.is_point(with_torsion)


def test_scalar_refuses_l_and_above() -> None:
    assert group.scalar(group.scalar_of(group.L - 1))
    with pytest.raises(group.GroupError):
        group.scalar(group.L.to_bytes(32, "little"))
    with pytest.raises(group.GroupError):
        group.scalar(b"\x01" * 31)


def test_arithmetic_agrees() -> None:
    a, b = group.random_scalar(), group.random_scalar()
    assert group.add(group.base_mul(a), group.base_mul(b)) == group.base_mul(group.s_add(a, b))
    assert group.mul(a, group.base_mul(b)) == group.base_mul(group.s_mul(a, b))
    assert group.s_mul(a, group.s_inv(a)) == group.scalar_of(1)
    with pytest.raises(group.GroupError):
        group.sub(group.BASE, group.BASE)  # the identity


def test_hash_scalar_separates_parts() -> None:
    assert group.hash_scalar("x", b"ab", b"c") != group.hash_scalar("x", b"a", b"bc")
    assert group.hash_scalar("x", b"a") != group.hash_scalar("y", b"a")
    assert int.from_bytes(group.hash_scalar("x"), "little") < group.L


def test_generators_are_independent_points() -> None:
    mh = b"m" * 32
    made = {group.generator(mh, i) for i in range(20)}
    assert len(made) == 20
    assert all(group.is_point(g) for g in made)
    assert group.generator(b"n" * 32, 1) != group.generator(mh, 1)
