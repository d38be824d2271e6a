"""The two sigma proofs of protocol v2, made non-interactive with strong Fiat–Shamir.

- Schnorr's proof of knowledge of a discrete logarithm (Belenios' specification,
  "Trustee keys": A = g^w, the challenge over the key and A, the response w + x·c), for
  a ballot's randomness and a trustee's share of the key;
- Chaum and Pedersen's proof that two logarithms are equal (Crypto 1992; Belenios'
  specification, "Tally": A = g^w and B = alpha^w, the response w + x·c), for a
  decryption factor.

Both are published in commitment form, (commitment, response), and the verifier
recomputes the challenge. Each caller passes its whole statement as `context` (the
label names the proof; the context holds the manifest or ballot it belongs to and every
public input): the challenge hashes it all, then the commitments, so a proof made for
one statement never checks for another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from inmc_vote.domain.protocol import group


@dataclass(frozen=True)
class Schnorr:
    """A proof that the prover knows x with X = x·G: A = w·G, s = w + c·x."""

    commitment: bytes
    response: bytes


@dataclass(frozen=True)
class ChaumPedersen:
    """A proof that log_G X = log_B D: A1 = w·G, A2 = w·B, s = w + c·x."""

    commitments: tuple[bytes, bytes]
    response: bytes


def schnorr_prove(
    label: str, context: Sequence[bytes], secret: bytes, nonce: bytes | None = None
) -> Schnorr:
    """Prove knowledge of `secret` (its public point must be inside `context`)."""
    w = group.random_scalar() if nonce is None else group.scalar(nonce)
    commitment = group.base_mul(w)
    c = group.hash_scalar(label, *context, commitment)
    return Schnorr(commitment, group.s_add(w, group.s_mul(c, group.scalar(secret))))


def schnorr_check(label: str, context: Sequence[bytes], public: bytes, proof: Schnorr) -> bool:
    """s·G = A + c·X, with c recomputed; False for any malformed part."""
    try:
        commitment = group.point(proof.commitment)
        response = group.scalar(proof.response)
        c = group.hash_scalar(label, *context, commitment)
        return group.base_mul(response) == group.add(commitment, group.mul(c, group.point(public)))
    except group.GroupError:
        return False


def chaum_pedersen_prove(
    label: str, context: Sequence[bytes], secret: bytes, base: bytes, nonce: bytes | None = None
) -> ChaumPedersen:
    """Prove that X = x·G and D = x·B share x (`context` holds X, B and D)."""
    w = group.random_scalar() if nonce is None else group.scalar(nonce)
    a1, a2 = group.base_mul(w), group.mul(w, group.point(base))
    c = group.hash_scalar(label, *context, a1, a2)
    return ChaumPedersen((a1, a2), group.s_add(w, group.s_mul(c, group.scalar(secret))))


def chaum_pedersen_check(
    label: str,
    context: Sequence[bytes],
    public: bytes,
    base: bytes,
    factor: bytes,
    proof: ChaumPedersen,
) -> bool:
    """s·G = A1 + c·X and s·B = A2 + c·D, with c recomputed; False for any malformed part."""
    try:
        a1, a2 = (group.point(p) for p in proof.commitments)
        response = group.scalar(proof.response)
        c = group.hash_scalar(label, *context, a1, a2)
        public, base, factor = group.point(public), group.point(base), group.point(factor)
        return group.base_mul(response) == group.add(a1, group.mul(c, public)) and group.mul(
            response, base
        ) == group.add(a2, group.mul(c, factor))
    except (group.GroupError, ValueError):
        return False
