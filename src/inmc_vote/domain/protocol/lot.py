"""The trustees' lot: a hash chain per trustee, one link revealed per round
(docs/protocol.md, "Trustees" "Lot commitment" and protocol.md, 'Lot seed' "Lot seed").

A trustee draws ρ (32 bytes) and commits chain^256(ρ) in its certificate, before any
vote. In round r it reveals chain^(256−r)(ρ) with its decryption; anyone checks
chain^r(reveal) = commitment. A round's reveal is a preimage of the previous round's,
so it says nothing of the next round's. The seed of the tie-breaking lot hashes the
sealed board's head with every reveal, so no trustee and no voter chooses it alone.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from inmc_vote.domain.protocol.encoding import labelled, sha256

__all__ = ["CHAIN_LENGTH", "LINK_BYTES", "chain", "commitment", "reveal", "reveal_matches", "seed"]

CHAIN_LENGTH = 256
"""The number of rounds one commitment serves (rounds 1 … 256)."""

LINK_BYTES = 32

_CHAIN = labelled("inmc-vote/v2/lot-chain")
_SEED = labelled("inmc-vote/v2/lot")


def chain(x: bytes, times: int = 1) -> bytes:
    """chain(x) = SHA-256(labelled("inmc-vote/v2/lot-chain") ‖ x), applied `times` times."""
    for _ in range(times):
        x = sha256(_CHAIN, x)
    return x


def _link(value: bytes, what: str) -> bytes:
    if not isinstance(value, bytes) or len(value) != LINK_BYTES:
        raise ValueError(f"{what} is {LINK_BYTES} bytes")
    return value


def _round(round: int) -> int:
    if isinstance(round, bool) or not isinstance(round, int) or not 1 <= round <= CHAIN_LENGTH:
        raise ValueError(f"a lot serves rounds 1 to {CHAIN_LENGTH}")
    return round


def commitment(rho: bytes) -> bytes:
    """chain^256(ρ): what the certificate carries."""
    return chain(_link(rho, "a lot secret"), CHAIN_LENGTH)


def reveal(rho: bytes, round: int) -> bytes:
    """chain^(256−r)(ρ): what the trustee's decryption of round r carries."""
    return chain(_link(rho, "a lot secret"), CHAIN_LENGTH - _round(round))


def reveal_matches(reveal: bytes, round: int, commitment: bytes) -> bool:
    """chain^r(reveal) = commitment."""
    if not isinstance(reveal, bytes) or len(reveal) != LINK_BYTES:
        return False
    if not isinstance(commitment, bytes) or len(commitment) != LINK_BYTES:
        return False
    try:
        r = _round(round)
    except ValueError:
        return False
    return hmac.compare_digest(chain(reveal, r), commitment)


def seed(seal_head: bytes, reveals: Mapping[int, bytes]) -> bytes:
    """SHA-256(labelled("inmc-vote/v2/lot") ‖ seal_head ‖ for each trustee with a
    decryption in, by index: u32(l) ‖ reveal_l) (protocol.md, 'Lot seed'). `reveals` must
    already be checked."""
    if not reveals:
        raise ValueError("the lot needs at least one trustee's reveal")
    parts = [_SEED, seal_head]
    for index in sorted(reveals):
        if isinstance(index, bool) or not isinstance(index, int) or index < 1:
            raise ValueError("trustee indices are integers from 1")
        parts.append(index.to_bytes(4, "big"))
        parts.append(_link(reveals[index], "a lot reveal"))
    return sha256(*parts)
