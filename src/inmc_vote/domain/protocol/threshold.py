"""Pedersen's verifiable secret sharing over Z_L (docs/protocol.md, "Trustees").

Each trustee j draws a polynomial f_j(x) = a_{j,0} + a_{j,1}·x + … + a_{j,t−1}·x^(t−1)
over Z_L, publishes C_{j,k} = a_{j,k}·G and hands f_j(l) to trustee l. Trustee l checks
its share against the commitments, and its key share is x_l = Σ_j f_j(l); the election
key is Y = Σ_j C_{j,0}, whose discrete logarithm Σ_j a_{j,0} nobody holds, and any t key
shares rebuild it by Lagrange interpolation at zero.

The mathematics is Belenios' threshold mode (doc/specification.tex, "Threshold
decryption support", "Polynomials", "Vinputs", "Voutputs", and "Election result" for
the Lagrange coefficients), with two differences of notation: the threshold t here is
the number of trustees needed (Belenios' t + 1), and the group is written additively.

Every scalar and point operation goes through `group` (libsodium); no arithmetic on
Python integers modulo L is done here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from inmc_vote.domain.protocol import group

__all__ = [
    "commitments",
    "election_key",
    "evaluate",
    "lagrange_at_zero",
    "random_polynomial",
    "share_matches",
    "sum_or_identity",
    "verification_key",
]

_ZERO = bytes(group.SCALAR_BYTES)


def random_polynomial(t: int) -> list[bytes]:
    """t uniform coefficients a_0 … a_{t−1} (a polynomial of degree t − 1), as scalars.

    Belenios, "Polynomials": T_i picks a random polynomial of degree (its) t."""
    if t < 1:
        raise ValueError("a polynomial for threshold t has t ≥ 1 coefficients")
    return [group.random_scalar() for _ in range(t)]


def _index(x: int) -> bytes:
    if isinstance(x, bool) or not isinstance(x, int) or x < 1:
        raise ValueError("trustee indices are integers from 1")
    return group.scalar_of(x)


def evaluate(coefficients: Sequence[bytes], x: int) -> bytes:
    """f(x) as a scalar, by Horner's rule: the share s_{j,x} = f_j(x) (Belenios, "Polynomials")."""
    if not coefficients:
        raise ValueError("a polynomial has at least one coefficient")
    at = _index(x)
    result = _ZERO
    for coefficient in reversed(coefficients):
        result = group.s_add(group.s_mul(result, at), group.scalar(coefficient))
    return result


def commitments(coefficients: Sequence[bytes]) -> list[bytes]:
    """C_k = a_k·G for each coefficient (Belenios' `coefexps`, "Polynomials")."""
    return [group.base_mul(group.scalar(a)) for a in coefficients]


def sum_or_identity(points: Iterable[bytes]) -> bytes | None:
    """The sum of valid points, or None when it (or the empty sum) is the identity.

    `group.add` refuses an identity result; an adversary's commitments can make a
    partial sum vanish, so the sums here carry the identity as None instead of failing."""
    result: bytes | None = None
    for p in points:
        if result is None:
            result = p
            continue
        try:
            result = group.add(result, p)
        except group.GroupError:
            # both operands are valid points, so the only failure is P + Q = identity
            result = None
    return result


def _powers(x: int, count: int) -> list[bytes]:
    """x^0 … x^(count−1) as scalars."""
    at = _index(x)
    result = [group.scalar_of(1)]
    for _ in range(count - 1):
        result.append(group.s_mul(result[-1], at))
    return result


def _evaluate_in_exponent(commitments: Sequence[bytes], x: int) -> bytes | None:
    """Σ_k x^k·C_k = f(x)·G (None for the identity): what a share must match."""
    if not commitments:
        raise ValueError("no commitments")
    return sum_or_identity(
        group.mul(power, c)
        for power, c in zip(_powers(x, len(commitments)), commitments, strict=True)
    )


def share_matches(share: bytes, l: int, commitments: Sequence[bytes]) -> bool:  # noqa: E741
    """s·G = Σ_k l^k·C_k: the check trustee l makes of each share it receives
    (Belenios, "Vinputs": g^{s_ij} = Π_k A_ik^{j^k}). Commitments must be valid points."""
    try:
        s = group.scalar(share)
    except group.GroupError:
        return False
    expected = _evaluate_in_exponent(commitments, l)
    if s == _ZERO:
        return expected is None
    return expected is not None and group.base_mul(s) == expected


def verification_key(all_commitments: Sequence[Sequence[bytes]], l: int) -> bytes:  # noqa: E741
    """X_l = Σ_j Σ_k l^k·C_{j,k}: trustee l's public key share, which anyone computes
    from the published commitments (Belenios, "Voutputs", the administrator's check).
    GroupError when it is the identity (never for honest commitments)."""
    if not all_commitments:
        raise ValueError("no deals")
    parts = [_evaluate_in_exponent(c, l) for c in all_commitments]
    result = sum_or_identity(p for p in parts if p is not None)
    if result is None:
        raise group.GroupError(f"trustee {l}'s verification key is the identity")
    return result


def election_key(all_commitments: Sequence[Sequence[bytes]]) -> bytes:
    """Y = Σ_j C_{j,0} (Belenios, "Threshold parameters": the election key is the product
    of the constant terms' commitments). GroupError when it is the identity."""
    if not all_commitments or any(not c for c in all_commitments):
        raise ValueError("no deals, or a deal without commitments")
    result = sum_or_identity(c[0] for c in all_commitments)
    if result is None:
        raise group.GroupError("the election key is the identity")
    return result


def lagrange_at_zero(indices: Iterable[int]) -> dict[int, bytes]:
    """λ_l = Π_{m ∈ S, m ≠ l} m / (m − l) mod L for each l in S, so that
    f(0) = Σ_l λ_l·f(l) for any polynomial of degree below |S| (Belenios,
    "Election result", the Lagrange coefficients λ_z^I)."""
    chosen = list(indices)
    if not chosen:
        raise ValueError("no indices")
    if len(set(chosen)) != len(chosen):
        raise ValueError("indices repeat")
    scalars = {l: _index(l) for l in chosen}  # noqa: E741
    result: dict[int, bytes] = {}
    for l, at_l in scalars.items():  # noqa: E741
        numerator = group.scalar_of(1)
        denominator = group.scalar_of(1)
        for m, at_m in scalars.items():
            if m != l:
                numerator = group.s_mul(numerator, at_m)
                denominator = group.s_mul(denominator, group.s_sub(at_m, at_l))
        result[l] = group.s_mul(numerator, group.s_inv(denominator))
    return result
