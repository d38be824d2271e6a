"""The per-ballot event log: every change, hash-chained so that none can be taken back.

entry hash = SHA256("inmc-vote/event/v1" 0 prev u64(seq) canonical_json(body)), with
body = {seq, at, actor, action, data}; the first entry's `prev` is
SHA256("inmc-vote/event-log/v1" 0 ballot_id).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inmc_vote.domain.codes import LoggedAction
from inmc_vote.domain.protocol.encoding import canonical_json, labelled, sha256, u64


def genesis(ballot_id: str) -> bytes:
    return sha256(labelled("inmc-vote/event-log/v1"), ballot_id.encode())


@dataclass(frozen=True)
class Event:
    seq: int
    at: str  # RFC 3339, UTC, milliseconds
    actor: str  # "kind:name", kind an ActorKind
    action: LoggedAction
    data: dict[str, Any]

    def body(self) -> bytes:
        return canonical_json(
            {
                "seq": self.seq,
                "at": self.at,
                "actor": self.actor,
                "action": self.action,
                "data": self.data,
            }
        )

    def chain_hash(self, prev: bytes) -> bytes:
        return sha256(labelled("inmc-vote/event/v1"), prev, u64(self.seq), self.body())


def verify_chain(ballot_id: str, entries: list[tuple[Event, bytes, bytes]]) -> str | None:
    """Check (event, prev, hash) triples in order; return what is wrong, or None."""
    prev = genesis(ballot_id)
    for expected_seq, (event, stored_prev, stored_hash) in enumerate(entries, start=1):
        if event.seq != expected_seq:
            return f"entry {expected_seq} carries seq {event.seq}"
        if stored_prev != prev:
            return f"entry {event.seq} does not follow entry {event.seq - 1}"
        try:
            computed = event.chain_hash(prev)
        except (TypeError, ValueError):  # e.g. a float or a non-text key in its data
            return f"entry {event.seq} is not canonical JSON"
        if computed != stored_hash:
            return f"entry {event.seq} does not match its hash"
        prev = stored_hash
    return None
