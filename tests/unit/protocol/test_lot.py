"""domain/protocol/lot.py: the trustees' hash-chain lot (docs/protocol.md, "Trustees" and
"Lot seed")."""

from __future__ import annotations

import hashlib
import os

import pytest

from inmc_vote.domain.protocol import lot


def test_chain_is_the_labelled_hash() -> None:
    x = bytes(range(32))
    assert lot.chain(x) == hashlib.sha256(b"inmc-vote/v2/lot-chain\x00" + x).digest()
    assert lot.chain(x, 2) == lot.chain(lot.chain(x))


def test_commitment_is_chain_256() -> None:
    rho = os.urandom(32)
    assert lot.CHAIN_LENGTH == 256
    assert lot.commitment(rho) == lot.chain(rho, 256)


def test_each_round_reveal_matches_only_its_round() -> None:
    rho = os.urandom(32)
    c = lot.commitment(rho)
    for r in (1, 2, 3, 255, 256):
        reveal = lot.reveal(rho, r)
        assert lot.reveal_matches(reveal, r, c)
        assert not lot.reveal_matches(reveal, r + 1 if r < 256 else r - 1, c)
    assert lot.reveal(rho, 256) == rho
    assert lot.chain(lot.reveal(rho, 2)) == lot.reveal(rho, 1)


def test_reveal_matches_refuses_malformed() -> None:
    rho = os.urandom(32)
    c = lot.commitment(rho)
    assert not lot.reveal_matches(lot.reveal(rho, 1)[:31], 1, c)
    assert not lot.reveal_matches(lot.reveal(rho, 1), 0, c)
    assert not lot.reveal_matches(lot.reveal(rho, 1), 257, c)
    assert not lot.reveal_matches(lot.reveal(rho, 1), 1, c[:31])
    assert not lot.reveal_matches(os.urandom(32), 1, c)


def test_reveal_refuses_rounds_out_of_range() -> None:
    with pytest.raises(ValueError, match="rounds 1 to 256"):
        lot.reveal(os.urandom(32), 0)
    with pytest.raises(ValueError, match="32 bytes"):
        lot.commitment(b"short")


def test_seed_bytes() -> None:
    head = os.urandom(32)
    r1, r3 = os.urandom(32), os.urandom(32)
    expected = hashlib.sha256(
        b"inmc-vote/v2/lot\x00" + head + (1).to_bytes(4, "big") + r1 + (3).to_bytes(4, "big") + r3
    ).digest()
    assert lot.seed(head, {3: r3, 1: r1}) == expected
    assert lot.seed(head, {1: r1, 3: r3}) == expected
    assert lot.seed(head, {1: r1}) != expected
    with pytest.raises(ValueError, match="at least one"):
        lot.seed(head, {})
