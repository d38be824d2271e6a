"""Schnorr and Chaum–Pedersen proofs: honest ones check, any other statement does not."""

from __future__ import annotations

import dataclasses

from inmc_vote.domain.protocol import group, proofs

X = group.random_scalar()
PUBLIC = group.base_mul(X)


def test_schnorr_checks_for_its_statement_only() -> None:
    proof = proofs.schnorr_prove("t", [b"ctx", PUBLIC], X)
    assert proofs.schnorr_check("t", [b"ctx", PUBLIC], PUBLIC, proof)
    assert not proofs.schnorr_check("u", [b"ctx", PUBLIC], PUBLIC, proof)
    assert not proofs.schnorr_check("t", [b"other", PUBLIC], PUBLIC, proof)
    other = group.base_mul(group.random_scalar())
    assert not proofs.schnorr_check("t", [b"ctx", other], other, proof)


def test_schnorr_refuses_changed_or_malformed_parts() -> None:
    proof = proofs.schnorr_prove("t", [PUBLIC], X)
    bumped = group.s_add(proof.response, group.scalar_of(1))
    for bad in (
        dataclasses.replace(proof, response=bumped),
        dataclasses.replace(proof, response=b"\xff" * 32),
        dataclasses.replace(proof, commitment=group.BASE),
        dataclasses.replace(proof, commitment=b"\x00" * 32),
    ):
        assert not proofs.schnorr_check("t", [PUBLIC], PUBLIC, bad)


def test_chaum_pedersen() -> None:
    base = group.base_mul(group.random_scalar())
    factor = group.mul(X, base)
    context = [PUBLIC, base, factor]
    proof = proofs.chaum_pedersen_prove("d", context, X, base)
    assert proofs.chaum_pedersen_check("d", context, PUBLIC, base, factor, proof)
    wrong = group.mul(group.random_scalar(), base)
    assert not proofs.chaum_pedersen_check("d", [PUBLIC, base, wrong], PUBLIC, base, wrong, proof)
    swapped = dataclasses.replace(proof, commitments=proof.commitments[::-1])
    assert not proofs.chaum_pedersen_check("d", context, PUBLIC, base, factor, swapped)
