"""The public board: a hash chain of every ballot received, the receipts it gives, and
the seal that closes it."""

from __future__ import annotations

from dataclasses import dataclass

from inmc_vote.domain.protocol.encoding import labelled, sha256, u64


def entry_hash(
    prev: bytes, seq: int, received_at: str, credential: bytes, ciphertext: bytes, signature: bytes
) -> bytes:
    """The entry's hash, which is also the voter's tracker."""
    return sha256(
        labelled("inmc-vote/entry/v1"),
        prev,
        u64(seq),
        received_at.encode(),
        b"\x00",
        sha256(credential + ciphertext + signature),
    )


def receipt_message(manifest_hash: bytes, seq: int, tracker: bytes) -> bytes:
    return labelled("inmc-vote/receipt/v1") + manifest_hash + u64(seq) + tracker


def seal_message(manifest_hash: bytes, count: int, head: bytes, closed_at: str) -> bytes:
    return labelled("inmc-vote/seal/v1") + manifest_hash + u64(count) + head + closed_at.encode()


@dataclass(frozen=True)
class Entry:
    seq: int
    received_at: str
    credential: bytes
    ciphertext: bytes
    signature: bytes
    prev: bytes
    hash: bytes

    def recomputed(self) -> bytes:
        return entry_hash(
            self.prev, self.seq, self.received_at, self.credential, self.ciphertext, self.signature
        )


def verify_board(manifest_hash: bytes, entries: list[Entry]) -> str | None:
    """Check the chain from the manifest hash; return what is wrong, or None."""
    prev = manifest_hash
    for expected, entry in enumerate(entries, start=1):
        if entry.seq != expected:
            return f"entry {expected} carries seq {entry.seq}"
        if entry.prev != prev:
            return f"entry {entry.seq} does not follow the one before it"
        if entry.recomputed() != entry.hash:
            return f"entry {entry.seq} does not match its hash"
        prev = entry.hash
    return None
